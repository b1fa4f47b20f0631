"""``identity.credentials`` follows the identity's own secret operations
(``create_secret``, ``set_totp``, ``remove_totp``, ``delete_secret``) without
a new unlock, against a fresh emulator with an initialized vault."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from inkbox import AsyncInkbox, Inkbox, LoginPayload

from _emulator_proc import EmulatorProc, running_emulator
from conftest import _emulator_bin

VAULT_KEY = "my-Vault-key-01!"
TOTP_URI = "otpauth://totp/CRM:bot?secret=JBSWY3DPEHPK3PXP&issuer=CRM"


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProc]:
    _emulator_bin()  # built when missing
    with running_emulator() as e:
        with Inkbox(api_key=e.admin_api_key, base_url=e.url) as c:
            c.vault.initialize(VAULT_KEY)
        yield e


def _ids(secrets: list[object]) -> list[str]:
    return [str(getattr(s, "id")) for s in secrets]


def test_credentials_follow_secret_operations(emu: EmulatorProc) -> None:
    with Inkbox(api_key=emu.admin_api_key, base_url=emu.url, vault_key=VAULT_KEY) as inkbox:
        identity = inkbox.create_identity("cred-sync")
        assert identity.credentials.list_logins() == []  # builds the cache

        secret = identity.create_secret("CRM", LoginPayload(username="bot@crm.com", password="s3cret"))
        assert _ids(identity.credentials.list_logins()) == [str(secret.id)]
        assert identity.credentials.get_login(secret.id).username == "bot@crm.com"
        assert str(secret.id) in inkbox.vault.unlocked.secret_ids()  # type: ignore[union-attr]

        identity.set_totp(secret.id, TOTP_URI)
        assert identity.credentials.get_login(secret.id).totp is not None
        assert len(identity.credentials.get_totp_code(secret.id).code) == 6

        identity.remove_totp(secret.id)
        assert identity.credentials.get_login(secret.id).totp is None

        identity.delete_secret(secret.id)
        assert identity.credentials.list_logins() == []
        assert str(secret.id) not in inkbox.vault.unlocked.secret_ids()  # type: ignore[union-attr]


def test_credentials_follow_secret_operations_async(emu: EmulatorProc) -> None:
    async def run() -> None:
        async with AsyncInkbox(api_key=emu.admin_api_key, base_url=emu.url) as inkbox:
            await inkbox.vault.unlock(VAULT_KEY)
            identity = await inkbox.create_identity("cred-async")
            assert identity.credentials.list_logins() == []
            secret = await identity.create_secret("Mail", LoginPayload(username="a@b.c", password="pw"))
            assert _ids(identity.credentials.list_logins()) == [str(secret.id)]
            await identity.set_totp(secret.id, TOTP_URI)
            assert identity.credentials.get_login(secret.id).totp is not None
            await identity.delete_secret(secret.id)
            assert str(secret.id) not in _ids(identity.credentials.list())

    asyncio.run(run())
