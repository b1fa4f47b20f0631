"""Hand-written behaviour of the generated models of ``inkbox.vault.types``
(the description, ``surface/vault.toml``, names each mixin)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inkbox._models import Model as _Base
    from inkbox.vault.types import VaultRecoveryKey
else:
    _Base = object

__all__ = ["VaultInitializeResultMixin"]


class VaultInitializeResultMixin(_Base):
    """``recovery_keys`` also when the wire only carries ``recovery_codes``."""

    @property
    def recovery_keys(self) -> list[VaultRecoveryKey]:
        """The recovery keys, each with ``recovery_code``."""
        from inkbox.vault.types import VaultRecoveryKey

        keys = self._d.get("recovery_keys")
        if isinstance(keys, list):
            return [VaultRecoveryKey._from(k) if isinstance(k, dict) else k for k in keys]
        codes: Any = self._d.get("recovery_codes") or []
        return [VaultRecoveryKey(id=None, recovery_code=c) for c in codes]
