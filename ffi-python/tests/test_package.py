"""The package: layout, exported names, typing markers, exception hierarchy."""

from __future__ import annotations

import importlib
import typing
from importlib import resources
from uuid import UUID

import pytest

import inkbox
from inkbox import exceptions as exc

# Names the reference SDK 0.4.9 exports that this foundation provides.
OFFICIAL_NAMES = [
    "InkboxError", "InkboxAPIError", "InkboxVaultKeyError", "DuplicateContactRuleError",
    "RecipientBlockedError", "RedundantContactAccessGrantError", "HandleUnavailableError",
    "TunnelError", "TunnelNameInvalid", "TunnelNotProvisioned", "TunnelRemoved", "TunnelStateConflict",
    "TunnelTLSModeMismatch", "TunnelCSRStateConflict", "verify_webhook", "LoginPayload", "SSHKeyPayload",
    "APIKeyPayload", "KeyPairPayload", "OtherPayload", "VaultKeyType", "VaultSecretType", "TOTPAlgorithm",
    "TOTPCode", "TOTPConfig", "generate_totp", "parse_totp_uri", "VaultKeyMaterial",
    "generate_org_encryption_key", "generate_recovery_code", "generate_vault_key_material",
]


def test_all_is_complete_and_importable() -> None:
    assert sorted(set(inkbox.__all__)) == sorted(inkbox.__all__)
    for name in inkbox.__all__:
        obj = getattr(inkbox, name)
        if typing.get_origin(obj) is not None:  # a type alias such as Literal[...]
            assert typing.get_args(obj), name
            continue
        if isinstance(obj, str):  # a constant such as AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED
            assert name.isupper() and obj, name
            continue
        # A class or function of this package, the same object its defining
        # module holds under its own name (aliases allowed; not a stand-in).
        assert isinstance(obj, type) or callable(obj), name
        assert obj.__module__.split(".")[0] == "inkbox", (name, obj.__module__)
        assert getattr(importlib.import_module(obj.__module__), obj.__name__) is obj, (name, obj.__module__)
    assert set(OFFICIAL_NAMES) <= set(inkbox.__all__)


@pytest.mark.parametrize(
    "module", ["inkbox.signing_keys", "inkbox.vault", "inkbox.vault.totp", "inkbox.vault.types",
               "inkbox.vault.crypto", "inkbox.vault.exceptions", "inkbox.exceptions"],
)
def test_reference_module_layout(module: str) -> None:
    mod = importlib.import_module(module)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name}"


def test_typing_markers_are_shipped() -> None:
    files = resources.files("inkbox")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_native.pyi").is_file()


def test_native_module_is_private() -> None:
    from inkbox import _native

    assert inkbox.TOTPConfig is _native.TOTPConfig
    assert "_native" not in inkbox.__all__


def test_enums_are_strings() -> None:
    assert inkbox.TOTPAlgorithm.SHA256 == "sha256" and str(inkbox.TOTPAlgorithm.SHA1) == "sha1"
    assert inkbox.VaultSecretType("api_key") is inkbox.VaultSecretType.API_KEY


def test_hierarchy() -> None:
    for cls in (exc.InkboxAPIError, exc.InkboxVaultError, exc.InkboxTOTPError, exc.InkboxWebhookError,
                exc.InkboxTransportError, exc.InkboxInternalError, exc.TunnelError):
        assert issubclass(cls, exc.InkboxError)
    assert issubclass(exc.InkboxVaultKeyError, exc.InkboxVaultError)
    assert issubclass(exc.InkboxDecryptionError, exc.InkboxVaultError)
    assert issubclass(exc.InkboxTOTPError, ValueError)
    assert issubclass(exc.TunnelCSRStateConflict, exc.TunnelStateConflict)
    assert issubclass(exc.HandleUnavailableError, exc.InkboxAPIError)


def test_reference_constructors_and_attributes() -> None:
    e = exc.InkboxAPIError(404, "Not found")
    assert str(e) == "HTTP 404: Not found"
    assert (e.status_code, e.detail, e.code, e.retry_after) == (404, "Not found", "api.http_error", None)
    e = exc.InkboxAPIError(429, "slow down", code="api.rate_limited", retry_after=2.5)
    assert (e.code, e.retry_after) == ("api.rate_limited", 2.5)
    rule = "5f0c8a3e-2f7d-4c6b-9d1e-0a1b2c3d4e5f"
    dup = exc.DuplicateContactRuleError(409, {"existing_rule_id": rule})
    assert dup.existing_rule_id == UUID(rule) and dup.code == "api.duplicate_contact_rule"
    blocked = exc.RecipientBlockedError(403, {"address": "+15551234567", "reason": "rule"})
    assert blocked.matched_rule_id is None and blocked.address == "+15551234567"
    grant = exc.RedundantContactAccessGrantError(409, {"error": "redundant_grant", "detail": "x"})
    assert grant.detail_message == "x"
    handle = exc.HandleUnavailableError(409, {"blocking_namespace": "mail"}, "mail")
    assert handle.blocking_namespace == "mail"
    key_error = exc.InkboxVaultKeyError("Vault key must be at least 16 characters")
    assert key_error.code == "vault.weak_vault_key" and key_error.status_code is None
    assert exc.InkboxError("x").code is None


def test_native_errors_carry_codes() -> None:
    with pytest.raises(exc.InkboxTOTPError) as info:
        inkbox.parse_totp_uri("https://example.com")
    assert info.value.code == "totp.invalid_uri_scheme"
    assert (info.value.status_code, info.value.detail, info.value.retry_after) == (None, None, None)
