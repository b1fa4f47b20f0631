"""``identity.credentials``: the decrypted secrets of an unlocked vault, by type."""

from __future__ import annotations

from typing import Any, List, Optional, Union
from uuid import UUID

from inkbox._enums import VaultSecretType
from inkbox.exceptions import InkboxError
from inkbox.vault.types import APIKeyPayload, KeyPairPayload, LoginPayload, SSHKeyPayload

__all__ = ["Credentials"]


def _type_of(secret: Any) -> str:
    return str(getattr(getattr(secret, "secret_type", None), "value", getattr(secret, "secret_type", "")))


class Credentials:
    """Read-only, typed access to the secrets of an ``UnlockedVault``."""

    def __init__(self, unlocked: Any, *, identity_id: Union[UUID, str, None] = None) -> None:
        self._source = unlocked
        self._identity_id = identity_id
        self._secrets = list(unlocked.secrets)

    def __len__(self) -> int:
        return len(self._secrets)

    def __repr__(self) -> str:
        return f"Credentials({len(self._secrets)} secrets)"

    def _of(self, kind: VaultSecretType) -> List[Any]:
        return [s for s in self._secrets if _type_of(s) == kind.value]

    def list(self) -> List[Any]:
        """Every secret (``DecryptedVaultSecret``)."""
        return list(self._secrets)

    def list_logins(self) -> List[Any]:
        """Login secrets."""
        return self._of(VaultSecretType.LOGIN)

    def list_api_keys(self) -> List[Any]:
        """API-key secrets."""
        return self._of(VaultSecretType.API_KEY)

    def list_key_pairs(self) -> List[Any]:
        """Key-pair secrets."""
        return self._of(VaultSecretType.KEY_PAIR)

    def list_ssh_keys(self) -> List[Any]:
        """SSH-key secrets."""
        return self._of(VaultSecretType.SSH_KEY)

    def get(self, secret_id: Union[UUID, str]) -> Any:
        """One secret by id (``DecryptedVaultSecret``)."""
        wanted = str(secret_id)
        for secret in self._secrets:
            if str(secret.id) == wanted:
                return secret
        raise KeyError(wanted)

    def _payload(self, secret_id: Union[UUID, str], cls: type[Any]) -> Any:
        payload = self.get(secret_id).payload
        if not isinstance(payload, cls):
            raise TypeError(f"secret {secret_id} is not a {cls.__name__}")
        return payload

    def get_login(self, secret_id: Union[UUID, str]) -> LoginPayload:
        """The login payload of a secret."""
        payload: LoginPayload = self._payload(secret_id, LoginPayload)
        return payload

    def get_api_key(self, secret_id: Union[UUID, str]) -> APIKeyPayload:
        """The API-key payload of a secret."""
        payload: APIKeyPayload = self._payload(secret_id, APIKeyPayload)
        return payload

    def get_key_pair(self, secret_id: Union[UUID, str]) -> KeyPairPayload:
        """The key-pair payload of a secret."""
        payload: KeyPairPayload = self._payload(secret_id, KeyPairPayload)
        return payload

    def get_ssh_key(self, secret_id: Union[UUID, str]) -> SSHKeyPayload:
        """The SSH-key payload of a secret."""
        payload: SSHKeyPayload = self._payload(secret_id, SSHKeyPayload)
        return payload

    def get_totp_code(self, secret_id: Union[UUID, str]) -> Any:
        """The current TOTP code of a login secret with TOTP."""
        login = self.get_login(secret_id)
        if login.totp is None:
            raise InkboxError(f"secret {secret_id} has no TOTP configured")
        return login.totp.generate_code()
