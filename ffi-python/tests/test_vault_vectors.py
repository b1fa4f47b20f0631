"""vault.json through inkbox.vault.crypto (same expectations as
core/tests/vault_vectors.rs): derivations, wrapped keys, payloads, edge cases,
vault-key rules, derivation errors."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from inkbox.exceptions import InkboxDecryptionError, InkboxVaultError, InkboxVaultKeyError, InkboxVaultPayloadError
from inkbox.vault.crypto import (
    MasterKey,
    OrgKey,
    check_vault_key,
    compute_auth_hash,
    decrypt_payload,
    derive_master_key,
    derive_salt,
    encrypt_payload,
    unwrap_org_key,
    unwrap_org_key_with_candidates,
    wrap_org_key,
)


@functools.lru_cache(maxsize=None)
def derive(secret: str, organization_id: str) -> MasterKey:
    """64 MiB / t=3 each: derive every (secret, organization) pair once."""
    return derive_master_key(secret, organization_id)


def org_key(v: dict[str, Any]) -> OrgKey:
    return OrgKey.from_bytes(bytes.fromhex(v["org_key_hex"]))


def test_derivations(vault_vectors: dict[str, Any]) -> None:
    for d in vault_vectors["derivations"]:
        assert bytes.fromhex(d["salt_hex"]) == derive_salt(d["organization_id"])
        master = derive(d["secret"], d["organization_id"])
        assert master == MasterKey.from_bytes(bytes.fromhex(d["master_key_hex"])), d["name"]
        assert master.auth_hash == d["auth_hash"] == compute_auth_hash(master), d["name"]
        # The reference's call shape: the salt as bytes.
        if d["name"] == vault_vectors["derivations"][0]["name"]:
            assert derive_master_key(d["secret"], derive_salt(d["organization_id"])) == master


@pytest.mark.parametrize("section,secret_field", [("primary_key", "vault_key"), ("recovery_key", "recovery_code")])
def test_wrapped_org_keys(vault_vectors: dict[str, Any], section: str, secret_field: str) -> None:
    k = vault_vectors[section]
    master = derive(k[secret_field], k["organization_id"])
    assert master == MasterKey.from_bytes(bytes.fromhex(k["master_key_hex"]))
    assert master.auth_hash == k["auth_hash"] == k["wire"]["auth_hash"]
    wrapped = k["wrapped_org_key_b64"]
    assert unwrap_org_key(master, wrapped, k["vault_key_id"]) == org_key(vault_vectors)
    other = "00000000-0000-4000-8000-000000000000"
    index, found = unwrap_org_key_with_candidates(master, wrapped, [other, k["vault_key_id"]])
    assert (index, found) == (1, org_key(vault_vectors))
    # A fresh wrap (random nonce) unwraps to the same key.
    rewrapped = wrap_org_key(master, org_key(vault_vectors), k["vault_key_id"])
    assert rewrapped != wrapped
    assert unwrap_org_key(master, rewrapped, k["vault_key_id"]) == org_key(vault_vectors)


def test_extra_wrapped_keys(vault_vectors: dict[str, Any]) -> None:
    by_name = {d["name"]: d for d in vault_vectors["derivations"]}
    for e in vault_vectors["extra_wrapped_keys"]:
        d = by_name[e["derivation"]]
        master = derive(d["secret"], d["organization_id"])
        assert unwrap_org_key(master, e["wrapped_org_key_b64"], e["vault_key_id"]) == org_key(vault_vectors)


def test_derivation_errors(vault_vectors: dict[str, Any]) -> None:
    for d in vault_vectors["derivation_errors"]:
        with pytest.raises(InkboxVaultError) as info:
            derive_master_key(d["secret"], d["organization_id"])
        assert info.value.code == "vault.salt_too_short"


def test_payloads(vault_vectors: dict[str, Any]) -> None:
    key = org_key(vault_vectors)
    for p in vault_vectors["payloads"]:
        typed = decrypt_payload(key, p["encrypted_payload_b64"], p["secret_id"], p["secret_type"])
        assert typed.secret_type == p["secret_type"], p["name"]
        assert typed.to_dict() == p["expected_parsed"], p["name"]
        inferred = decrypt_payload(key, p["encrypted_payload_b64"], p["secret_id"])
        assert inferred == typed, p["name"]
        # Encrypting again (fresh nonce) decrypts to the same payload.
        blob = encrypt_payload(key, typed, p["secret_id"])
        assert decrypt_payload(key, blob, p["secret_id"], p["secret_type"]) == typed, p["name"]
        # Another id (AAD) or a stored type that does not match is refused.
        with pytest.raises(InkboxDecryptionError):
            decrypt_payload(key, blob, "00000000-0000-4000-8000-000000000000" if p["secret_id"] else "x")
        wrong = "login" if p["secret_type"] != "login" else "other"
        with pytest.raises(InkboxVaultPayloadError):
            decrypt_payload(key, blob, p["secret_id"], wrong)


def test_edge_cases(vault_vectors: dict[str, Any]) -> None:
    for c in vault_vectors["edge_cases"]:
        key = bytes.fromhex(c["key_hex"])
        ok = c["expected"] == "ok"
        if c["name"].startswith("lenient_base64_"):
            assert ok, c["name"]
        if c["op"] == "decrypt_payload":
            if ok:
                typed = decrypt_payload(OrgKey.from_bytes(key), c["blob_b64"], c["aad"], "login")
                assert typed.to_dict() == c["expected_payload"], c["name"]
            else:
                expected = InkboxVaultPayloadError if c["name"].startswith("plaintext_") else InkboxDecryptionError
                with pytest.raises(expected) as info:
                    decrypt_payload(OrgKey.from_bytes(key), c["blob_b64"], c["aad"], "login")
                assert info.value.code.startswith("vault."), c["name"]  # type: ignore[union-attr]
        elif c["op"] == "unwrap_org_key":
            if ok:
                got = unwrap_org_key(MasterKey.from_bytes(key), c["blob_b64"], c["aad"])
                assert got == OrgKey.from_bytes(bytes.fromhex(c["expected_org_key_hex"])), c["name"]
            else:
                with pytest.raises(InkboxDecryptionError) as info:
                    unwrap_org_key(MasterKey.from_bytes(key), c["blob_b64"], c["aad"])
                assert info.value.code == "vault.decryption_failed"
        else:
            raise AssertionError(f"{c['name']}: unknown op {c['op']}")


def test_vault_key_validation(vault_vectors: dict[str, Any]) -> None:
    for c in vault_vectors["vault_key_validation"]:
        if c["valid"]:
            check_vault_key(c["vault_key"])
        else:
            with pytest.raises(InkboxVaultKeyError) as info:
                check_vault_key(c["vault_key"])
            assert str(info.value) == c["error_message"]
            assert info.value.code == "vault.weak_vault_key"
