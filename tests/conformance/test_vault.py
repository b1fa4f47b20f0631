"""Seed 001 "Credentials", "Vault Management", "Access control", "Identity
Secret Management" and "TOTP" through the official SDK.

An org has one vault, so this module runs on its own emulator (fresh org) and
the tests run in file order (initialize first).
"""

from __future__ import annotations

import pytest

from inkbox import (
    APIKeyPayload,
    Inkbox,
    InkboxAPIError,
    InkboxError,
    LoginPayload,
    VaultInfo,
    VaultSecret,
    generate_totp,
    parse_totp_uri,
)

pytestmark = pytest.mark.needs("vault")

VAULT_KEY = "my-Vault-key-01!"
NEW_VAULT_KEY = "new-Vault-key-02!"
TOTP_URI = "otpauth://totp/Example:user?secret=JBSWY3DPEHPK3PXP&issuer=Example"


@pytest.fixture(scope="module")
def vault_emu(start_emulator):
    return start_emulator()


@pytest.fixture(scope="module")
def state():
    """Values handed from one test to the next (tests run in file order)."""
    return {}


@pytest.fixture()
def org(vault_emu):
    with vault_emu.client() as client:
        yield client


def test_initialize(org, state):
    assert org.vault.info() is None  # not initialized yet
    with pytest.raises(ValueError):
        org.vault.unlock(VAULT_KEY)

    # Initialize a new vault (creates primary key + recovery keys)
    result = org.vault.initialize(VAULT_KEY)
    # README: `for recovery_key in result.recovery_keys: recovery_key.recovery_code`;
    # 0.4.9's VaultInitializeResult has `recovery_codes` (plain strings) instead.
    assert not hasattr(result, "recovery_keys")
    assert len(result.recovery_codes) == 4
    assert result.recovery_key_count == 4
    state["recovery_codes"] = list(result.recovery_codes)

    info = org.vault.info()
    assert isinstance(info, VaultInfo)
    assert (info.key_count, info.secret_count, info.recovery_key_count) == (1, 0, 4)
    assert info.id == result.vault_id

    with pytest.raises(InkboxAPIError) as err:
        org.vault.initialize(VAULT_KEY)
    assert err.value.status_code == 409


def test_unlock_create_secret_and_totp(org, state, handle):
    org.vault.unlock(VAULT_KEY)  # Unlock the vault (once per session)
    identity = org.create_identity(handle("my-agent"))
    state["handle"] = identity.agent_handle

    # README: `from inkbox.vault.models import LoginPayload, APIKeyPayload` — there
    # is no inkbox.vault.models in 0.4.9; the classes live in inkbox.vault.types
    # (and the package root).
    with pytest.raises(ImportError):
        __import__("inkbox.vault.models")

    secret = identity.create_secret(
        name="CRM Login",
        payload=LoginPayload(username="bot@crm.com", password="s3cret"),
        description="CRM service account",
    )
    assert isinstance(secret, VaultSecret)
    assert secret.name == "CRM Login"
    assert secret.secret_type == "login"
    state["login_id"] = str(secret.id)

    decrypted = identity.get_secret(secret.id)  # Fetch and decrypt
    assert decrypted.payload.username == "bot@crm.com"
    assert decrypted.payload.password == "s3cret"
    assert decrypted.description == "CRM service account"

    # Add TOTP to a login secret (accepts otpauth:// URI or TOTPConfig)
    identity.set_totp(secret.id, TOTP_URI)
    code = identity.get_totp_code(secret.id)
    # README prints code.expires_in; 0.4.9's TOTPCode calls it seconds_remaining.
    assert 0 < code.seconds_remaining <= 30
    expected = generate_totp(parse_totp_uri(TOTP_URI))
    assert code.code == expected.code or code.period_start != expected.period_start
    assert len(code.code) == 6 and code.code.isdigit()

    rules = org.vault.list_access_rules(secret.id)
    assert [str(r.identity_id) for r in rules] == [str(identity.id)]

    api_secret = identity.create_secret(
        name="Stripe", payload=APIKeyPayload(api_key="sk_test_123"), description=None
    )
    state["api_id"] = str(api_secret.id)


def test_credentials_after_unlock_at_construction(vault_emu, state):
    # Access credentials (vault unlocked at construction)
    with Inkbox(api_key=vault_emu.admin_key, base_url=vault_emu.url, vault_key=VAULT_KEY) as org:
        identity = org.get_identity(state["handle"])
        logins = identity.credentials.list_logins()
        assert [(login.name, login.payload.username) for login in logins] == [("CRM Login", "bot@crm.com")]
        keys = identity.credentials.list_api_keys()
        assert [k.payload.api_key for k in keys] == ["sk_test_123"]

        login = identity.credentials.get_login(state["login_id"])  # → LoginPayload
        assert login.password == "s3cret"
        assert login.totp is not None
        assert identity.credentials.get_api_key(state["api_id"]).api_key == "sk_test_123"
        secret = identity.credentials.get(state["login_id"])
        assert secret.name == "CRM Login"
        assert len(identity.credentials.get_totp_code(state["login_id"]).code) == 6

        unlocked = org.vault.unlock(VAULT_KEY)
        assert unlocked.get_secret(state["login_id"]).payload.username == "bot@crm.com"


def test_locked_vault_guard(vault_emu, state):
    with vault_emu.client() as org:
        identity = org.get_identity(state["handle"])
        with pytest.raises(InkboxError):
            identity.credentials  # noqa: B018 - the property raises while locked
        with pytest.raises(ValueError):
            org.vault.unlock("Wrong-Vault-key-9!")


def test_unlock_filtered_by_identity_and_vault_secret_ids(org, state, handle):
    unlocked = org.vault.unlock(VAULT_KEY)
    all_ids = sorted(str(s.id) for s in unlocked.secrets)
    assert all_ids == sorted([state["login_id"], state["api_id"]])

    owner = org.get_identity(state["handle"])
    only_owner = org.vault.unlock(VAULT_KEY, identity_id=owner.id)
    assert sorted(str(s.id) for s in only_owner.secrets) == all_ids
    stranger = org.create_identity(handle("stranger"))
    assert org.vault.unlock(VAULT_KEY, identity_id=stranger.id).secrets == []

    # vault_secret_ids on create grants access at creation.
    granted = org.create_identity(handle("granted"), vault_secret_ids=[state["login_id"]])
    assert [str(s.id) for s in org.vault.unlock(VAULT_KEY, identity_id=granted.id).secrets] == [state["login_id"]]
    assert str(granted.id) in [str(r.identity_id) for r in org.vault.list_access_rules(state["login_id"])]
    org.vault.revoke_access(state["login_id"], str(granted.id))


def test_org_vault_management(org, state, handle):
    keys = org.vault.list_keys()  # all keys
    assert sorted(k.key_type for k in keys) == ["primary"] + ["recovery"] * 4
    # The README passes upper-case filters; the server accepts them.
    assert [k.key_type for k in org.vault.list_keys(key_type="PRIMARY")] == ["primary"]
    assert len(org.vault.list_keys(key_type="RECOVERY")) == 4

    secrets = org.vault.list_secrets()
    assert sorted(s.name for s in secrets) == ["CRM Login", "Stripe"]
    assert [s.name for s in org.vault.list_secrets(secret_type="login")] == ["CRM Login"]

    other = org.create_identity(handle("other-agent"))
    rule = org.vault.grant_access(state["api_id"], str(other.id))
    assert str(rule.identity_id) == str(other.id)
    assert len(org.vault.list_access_rules(state["api_id"])) == 2
    org.vault.revoke_access(state["api_id"], str(other.id))
    assert len(org.vault.list_access_rules(state["api_id"])) == 1


def test_identity_secret_lifecycle(org, state):
    org.vault.unlock(VAULT_KEY)
    identity = org.get_identity(state["handle"])
    identity.remove_totp(state["login_id"])
    assert identity.get_secret(state["login_id"]).payload.totp is None
    with pytest.raises(ValueError):
        identity.get_totp_code(state["login_id"])

    identity.revoke_credential_access(state["api_id"])
    assert org.vault.list_access_rules(state["api_id"]) == []
    org.vault.delete_secret(state["api_id"])
    with pytest.raises(InkboxAPIError) as err:
        org.vault.unlock(VAULT_KEY).get_secret(state["api_id"])
    assert err.value.status_code == 404

    identity.delete_secret(state["login_id"])
    assert org.vault.list_secrets() == []


def test_rotate_vault_key(org, state):
    # Rotate the vault password
    org.vault.update_key(NEW_VAULT_KEY, current_vault_key=VAULT_KEY)
    with pytest.raises(ValueError):
        org.vault.unlock(VAULT_KEY)
    org.vault.unlock(NEW_VAULT_KEY)

    # Rotate using a recovery code (if primary key is lost); it is consumed.
    code = state["recovery_codes"][0]
    org.vault.update_key(VAULT_KEY, recovery_code=code)
    org.vault.unlock(VAULT_KEY)
    assert org.vault.info().recovery_key_count == 3
    with pytest.raises((InkboxAPIError, ValueError)):
        org.vault.update_key(NEW_VAULT_KEY, recovery_code=code)

