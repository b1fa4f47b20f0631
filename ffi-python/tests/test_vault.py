"""The vault's Python surface: opaque keys, payload classes, redaction, bad
input as typed exceptions, the GIL released during Argon2id."""

from __future__ import annotations

import base64
import copy
import pickle
import threading
import time
from typing import Any

import pytest

from inkbox import (
    APIKeyPayload,
    InkboxDecryptionError,
    InkboxError,
    InkboxVaultKeyError,
    KeyPairPayload,
    LoginPayload,
    OtherPayload,
    SSHKeyPayload,
    TOTPConfig,
    VaultKeyType,
    VaultSecretType,
    generate_org_encryption_key,
    generate_recovery_code,
    generate_vault_key_material,
)
from inkbox.vault.crypto import (
    MasterKey,
    OrgKey,
    decrypt_payload,
    derive_master_key,
    encrypt_payload,
    unwrap_org_key,
)

ORG_ID = "org_L5tJekJjBskOINmKsplzL8GWUWT"
SECRET_ID = "0b7d3f9e-8a41-4c8e-9a53-2f8f6c1d4e20"
KEY = OrgKey.from_bytes(bytes(range(32)))
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def login() -> LoginPayload:
    return LoginPayload(
        "hunter2-but-longer",
        username="agent",
        url="https://example.com",
        totp=TOTPConfig(TOTP_SECRET, issuer="Example"),
        notes="private note",
    )


def test_round_trip_every_payload_class() -> None:
    payloads: list[Any] = [
        login(),
        APIKeyPayload("sk-live-123", endpoint="https://api.example.com"),
        KeyPairPayload("AKIA123", "s3cr3t-key", notes="n"),
        SSHKeyPayload("-----BEGIN OPENSSH PRIVATE KEY-----", public_key="ssh-ed25519 AAA", passphrase="pp"),
        OtherPayload("free-form ✓ data"),
    ]
    for payload in payloads:
        blob = encrypt_payload(KEY, payload, SECRET_ID)
        assert decrypt_payload(KEY, blob, SECRET_ID, payload.secret_type) == payload
        assert decrypt_payload(KEY, blob, SECRET_ID) == payload


def test_payload_fields_and_to_dict() -> None:
    p = login()
    assert p.secret_type is VaultSecretType.LOGIN and LoginPayload.secret_type == "login"
    assert p.totp is not None and p.totp.issuer == "Example"
    p.totp.digits = 8  # the payload shares the config object
    assert p.to_dict()["totp"]["digits"] == 8
    p.username = None
    p.totp = {"secret": TOTP_SECRET, "period": 60}
    assert p.totp is not None and p.totp.period == 60
    assert p.to_dict() == {
        "notes": "private note",
        "password": "hunter2-but-longer",
        "url": "https://example.com",
        "totp": {"secret": TOTP_SECRET, "algorithm": "sha1", "digits": 6, "period": 60},
    }
    k = KeyPairPayload("AKIA123", "s3cr3t-key")
    k.endpoint = "https://e"
    assert k.to_dict() == {"access_key": "AKIA123", "secret_key": "s3cr3t-key", "endpoint": "https://e"}
    assert APIKeyPayload.secret_type is VaultSecretType.API_KEY
    assert SSHKeyPayload.secret_type == "ssh_key" and OtherPayload.secret_type == "other"
    assert KeyPairPayload.secret_type == "key_pair"
    assert LoginPayload("x") != OtherPayload("x")
    with pytest.raises(TypeError):
        hash(LoginPayload("x"))


def test_repr_redacts_secrets() -> None:
    shown = [
        repr(login()),
        repr(APIKeyPayload("sk-live-123", endpoint="https://api.example.com", notes="private note")),
        repr(KeyPairPayload("AKIA123", "s3cr3t-key")),
        repr(SSHKeyPayload("PRIVATE-KEY-BODY", passphrase="pp-secret")),
        repr(OtherPayload("free-form-data")),
        repr(TOTPConfig(TOTP_SECRET)),
        repr(KEY),
        repr(MasterKey.from_bytes(bytes(32))),
        str(KEY),
    ]
    for text in shown:
        for secret in ("hunter2", "sk-live", "s3cr3t", "PRIVATE-KEY", "pp-secret", "free-form", TOTP_SECRET,
                       "private note", "000102"):
            assert secret not in text, text
    assert "username='agent'" in shown[0] and "AKIA123" in shown[2] and "<redacted>" in shown[1]


def test_keys_are_opaque() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(KEY)
    with pytest.raises(TypeError):
        copy.deepcopy(MasterKey.from_bytes(bytes(32)))
    assert not hasattr(KEY, "__dict__")
    with pytest.raises(TypeError):
        hash(KEY)
    assert OrgKey.from_bytes(bytes(range(32))) == KEY != OrgKey.from_bytes(bytes(32))
    assert generate_org_encryption_key() != generate_org_encryption_key()
    for bad in (b"", bytes(31), bytes(33)):
        with pytest.raises(ValueError):
            OrgKey.from_bytes(bad)
    with pytest.raises(TypeError):
        OrgKey.from_bytes("0" * 32)  # type: ignore[arg-type]


def test_bad_blobs_are_one_typed_error() -> None:
    blob = encrypt_payload(KEY, OtherPayload("data"), SECRET_ID)
    raw = base64.b64decode(blob)
    bad = [
        "",
        "!!!not base64!!!",
        "QUJD",  # too short
        base64.b64encode(raw[:-1]).decode(),  # truncated
        base64.b64encode(raw[1:]).decode(),
        base64.b64encode(raw[:-1] + bytes([raw[-1] ^ 1])).decode(),  # flipped tag bit
        "é" * 10,
        "A" * 1_000_000,
    ]
    for b in bad:
        with pytest.raises(InkboxDecryptionError) as info:
            decrypt_payload(KEY, b, SECRET_ID, "other")
        assert info.value.code == "vault.decryption_failed"
        assert isinstance(info.value, InkboxError)
    with pytest.raises(InkboxDecryptionError):
        decrypt_payload(OrgKey.from_bytes(bytes(32)), blob, SECRET_ID)
    with pytest.raises(InkboxDecryptionError):
        unwrap_org_key(MasterKey.from_bytes(bytes(32)), "AAAA", "id")


def test_type_errors() -> None:
    with pytest.raises(TypeError):
        encrypt_payload(KEY, {"password": "x"}, SECRET_ID)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decrypt_payload(b"\x00" * 32, "AAAA")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        LoginPayload(None)  # type: ignore[arg-type]
    with pytest.raises(InkboxError) as info:
        decrypt_payload(KEY, encrypt_payload(KEY, OtherPayload("d"), SECRET_ID), SECRET_ID, "brand_new_type")
    assert info.value.code == "vault.unsupported_secret_type"


def test_derive_releases_the_gil() -> None:
    ticks = 0
    done = threading.Event()
    result: list[MasterKey] = []

    def derive() -> None:
        result.append(derive_master_key("Rapid-Horse-marq-97!", ORG_ID))
        done.set()

    thread = threading.Thread(target=derive)
    start = time.perf_counter()
    thread.start()
    while not done.is_set():
        ticks += 1
    thread.join()
    elapsed = time.perf_counter() - start
    assert result and elapsed > 0.02
    # Holding the GIL for the whole derivation would leave this loop a few
    # switch intervals (5 ms each) of progress at most.
    assert ticks > 10_000, ticks


def test_key_material_and_recovery_code() -> None:
    org = generate_org_encryption_key()
    material = generate_vault_key_material("Rapid-Horse-marq-97!", ORG_ID, org)
    assert material.key_type is VaultKeyType.PRIMARY
    wire = material.to_wire()
    assert list(wire) == ["id", "wrapped_org_encryption_key", "auth_hash", "key_type"]
    assert wire["id"] == str(material.id)
    master = derive_master_key("Rapid-Horse-marq-97!", ORG_ID)
    assert material.auth_hash == master.auth_hash
    assert unwrap_org_key(master, material.wrapped_org_encryption_key, str(material.id)) == org
    code, recovery = generate_recovery_code(ORG_ID, org)
    assert len(code) == 39 and recovery.key_type == "recovery"
    recovered = unwrap_org_key(derive_master_key(code, ORG_ID), recovery.wrapped_org_encryption_key, str(recovery.id))
    assert recovered == org
    assert code not in repr(recovery)
    with pytest.raises(InkboxVaultKeyError) as info:
        generate_vault_key_material("weak", ORG_ID, org)
    assert info.value.code == "vault.weak_vault_key"
    with pytest.raises(ValueError):
        generate_vault_key_material("Rapid-Horse-marq-97!", ORG_ID, org, key_type="other")
