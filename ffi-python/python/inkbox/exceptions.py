"""Exceptions of the Inkbox SDK.

Every error carries ``.code`` (a stable dotted code from inkbox-core such as
``webhook.signature_mismatch``, ``vault.decryption_failed`` or
``api.not_found``), ``.status_code``, ``.detail`` and ``.retry_after``
(``None`` where they do not apply). The reference SDK's names and
constructors are kept: ``InkboxError``, ``InkboxAPIError(status_code,
detail)``, ``InkboxVaultKeyError``, ``DuplicateContactRuleError``,
``RedundantContactAccessGrantError``, ``RecipientBlockedError``,
``HandleUnavailableError`` and the tunnel errors.

Messages never contain secrets, keys, plaintext or whole payloads.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, Union
from uuid import UUID

Detail = Union[str, dict[str, Any], list[Any], None]
BlockingNamespace = Optional[Literal["identities", "tunnels", "mail"]]


class InkboxError(Exception):
    """Base of every Inkbox SDK error."""

    #: The code used when none is given.
    default_code: Optional[str] = None

    code: Optional[str]
    status_code: Optional[int]
    detail: Detail
    retry_after: Optional[float]

    def __init__(
        self,
        *args: object,
        code: Optional[str] = None,
        status_code: Optional[int] = None,
        detail: Detail = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(*args)
        self.code = code if code is not None else self.default_code
        self.status_code = status_code
        self.detail = detail
        self.retry_after = retry_after


class InkboxInternalError(InkboxError):
    """A bug in the native module (a Rust panic), reported instead of crashing."""

    default_code = "internal.panic"


# ---- Webhooks ---------------------------------------------------------------


class InkboxWebhookError(InkboxError):
    """A webhook delivery was refused, or the receiver is misconfigured
    (``webhook.empty_secret``). ``verify_webhook`` returns ``False`` for
    refused deliveries and raises this only for configuration errors."""

    default_code = "webhook.signature_mismatch"


# ---- TOTP -------------------------------------------------------------------


class InkboxTOTPError(InkboxError, ValueError):
    """An invalid TOTP secret, parameter, ``otpauth://`` URI or time. A
    ``ValueError``, as the reference SDK raises."""

    default_code = "totp.invalid_config"


# ---- Vault ------------------------------------------------------------------


class InkboxVaultError(InkboxError):
    """A vault cryptography error (codes ``vault.*``)."""

    default_code = "vault.error"


class InkboxVaultKeyError(InkboxVaultError):
    """A new vault key breaks one of the vault-key rules."""

    default_code = "vault.weak_vault_key"


class InkboxDecryptionError(InkboxVaultError):
    """A blob could not be decrypted: bad base64, too short, wrong key or id,
    or tampered data. One error for every cause, on purpose."""

    default_code = "vault.decryption_failed"


class InkboxVaultPayloadError(InkboxVaultError, ValueError):
    """A decrypted payload is not of the expected shape or type."""

    default_code = "vault.invalid_payload"


# ---- API --------------------------------------------------------------------


class InkboxTransportError(InkboxError):
    """No response was received (connect failure, timeout, broken connection)."""

    default_code = "transport.error"


class InkboxValidationError(InkboxError, ValueError):
    """An argument was refused before any request was sent (code
    ``api.validation``). A ``ValueError``.

    Attributes:
        field: The offending argument, e.g. ``path.email`` or
            ``body.recipients.to``.
    """

    default_code = "api.validation"

    def __init__(self, *args: object, field: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field = field


class InkboxFlowError(InkboxError):
    """A multi-request flow failed in a way callers handle on their own, with
    core's flow code: ``vault.not_initialized``, ``vault.invalid_key``,
    ``vault.organization_unknown``, ``vault.not_login``, ``vault.no_totp``,
    ``vault.secret_mismatch``, ``flow.out_of_order`` or ``flow.finished``."""

    default_code = "flow.error"


class InkboxAPIError(InkboxError):
    """The API answered with a 4xx or 5xx status.

    Attributes:
        status_code: HTTP status code.
        detail: The body's ``detail``: a string, or a structured ``dict``.
    """

    default_code = "api.http_error"
    status_code: int

    def __init__(
        self,
        status_code: int,
        detail: Detail,
        *,
        code: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(
            f"HTTP {status_code}: {detail}",
            code=code,
            status_code=status_code,
            detail=detail,
            retry_after=retry_after,
        )
        self.status_code = status_code


class InkboxDecodeError(InkboxAPIError):
    """A success response did not decode into the expected model (code
    ``api.decode``). ``status_code`` is the response's; ``body`` the raw body."""

    default_code = "api.decode"

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: Optional[str] = None,
        body: bytes = b"",
    ) -> None:
        InkboxError.__init__(self, message, code=code, status_code=status_code)
        self.status_code = status_code
        self.body = body


class DuplicateContactRuleError(InkboxAPIError):
    """409: a contact rule for that ``(match_type, match_target)`` exists.

    Attributes:
        existing_rule_id: UUID of the existing rule.
    """

    default_code = "api.duplicate_contact_rule"

    def __init__(self, status_code: int, detail: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(status_code, detail, **kwargs)
        self.existing_rule_id: UUID = UUID(str(detail["existing_rule_id"]))


class RedundantContactAccessGrantError(InkboxAPIError):
    """409: the access grant is redundant (e.g. on top of a wildcard)."""

    default_code = "api.redundant_grant"

    def __init__(self, status_code: int, detail: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(status_code, detail, **kwargs)
        self.error: str = str(detail.get("error", "redundant_grant"))
        self.detail_message: str = str(detail.get("detail", ""))


class RecipientBlockedError(InkboxAPIError):
    """403: the destination is blocked by an outbound contact rule or the
    filter-mode default (``matched_rule_id`` is then ``None``)."""

    default_code = "api.recipient_blocked"

    def __init__(self, status_code: int, detail: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(status_code, detail, **kwargs)
        raw_rule = detail.get("matched_rule_id")
        self.matched_rule_id: Optional[UUID] = UUID(str(raw_rule)) if raw_rule else None
        self.address: str = str(detail.get("address", ""))
        self.reason: str = str(detail.get("reason", ""))


class HandleUnavailableError(InkboxAPIError):
    """409 from identity create/rename: the handle is taken or reserved."""

    default_code = "api.handle_unavailable"

    def __init__(
        self,
        status_code: int,
        detail: Detail,
        blocking_namespace: BlockingNamespace,
        **kwargs: Any,
    ) -> None:
        super().__init__(status_code, detail, **kwargs)
        self.blocking_namespace = blocking_namespace


class TunnelError(InkboxError):
    """Base of the tunnel errors that are not wire errors."""

    default_code = "tunnel.error"


class TunnelNameInvalid(TunnelError):
    """The tunnel name failed the local check."""


class TunnelRemoved(TunnelError):
    """The stored tunnel was finalized on the server (404)."""


class TunnelNotProvisioned(TunnelError):
    """No tunnel exists for that name in the calling organization."""


class TunnelAuthError(TunnelError):
    """``/_system/hello`` refused the API key for this tunnel (401/403).
    Permanent: the listener stops instead of reconnecting. Use the key of
    the tunnel's identity or an admin key of its organization."""

    default_code = "tunnel.auth"


class TunnelConnectError(TunnelError):
    """The data-plane connection failed in a way a reconnect may fix (the
    listener retries these with backoff; raised only where nothing retries)."""

    default_code = "tunnel.connect"


class TunnelStateConflict(InkboxAPIError):
    """409: the tunnel's status does not allow the operation."""

    default_code = "api.conflict"


class TunnelTLSModeMismatch(InkboxAPIError):
    """409 from ``sign_csr`` on an edge (non-passthrough) tunnel."""

    default_code = "api.tunnel_tls_mode_mismatch"


class TunnelCSRStateConflict(TunnelStateConflict):
    """409 from ``sign_csr``: the certificate state does not allow it."""

    default_code = "api.tunnel_csr_state_conflict"


__all__ = [
    "BlockingNamespace",
    "DuplicateContactRuleError",
    "HandleUnavailableError",
    "InkboxAPIError",
    "InkboxDecodeError",
    "InkboxDecryptionError",
    "InkboxError",
    "InkboxFlowError",
    "InkboxInternalError",
    "InkboxTOTPError",
    "InkboxTransportError",
    "InkboxValidationError",
    "InkboxVaultError",
    "InkboxVaultKeyError",
    "InkboxVaultPayloadError",
    "InkboxWebhookError",
    "RecipientBlockedError",
    "RedundantContactAccessGrantError",
    "TunnelAuthError",
    "TunnelCSRStateConflict",
    "TunnelConnectError",
    "TunnelError",
    "TunnelNameInvalid",
    "TunnelNotProvisioned",
    "TunnelRemoved",
    "TunnelStateConflict",
    "TunnelTLSModeMismatch",
]
