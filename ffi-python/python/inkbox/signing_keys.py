"""Webhook signature verification (the reference's ``inkbox.signing_keys``).

``verify_webhook(payload=, headers=, secret=)`` keeps the reference's call
shape and is strict by default: the request id and timestamp headers are
required and the timestamp must be within ``tolerance`` seconds (300) of
``now`` (default: the host clock). Several secrets may be given (key
rotation); several ``sha256=`` entries in the signature header are accepted.
``compat=True`` restores the reference's header decisions (absent ids count
as ``""``, the timestamp is not parsed, one signature entry); pass
``tolerance=None`` as well to drop the freshness check. Empty secrets are
refused in every mode (``InkboxWebhookError``, code ``webhook.empty_secret``).

``verify_webhook_reason`` takes the same arguments and returns ``None`` for a
valid delivery, else the failure code (``webhook.timestamp_out_of_tolerance``,
``webhook.signature_mismatch``, ...). ``sign_webhook`` produces the three
headers the Inkbox server sends, for tests and emulators.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from inkbox._models import Model
from inkbox._native import sign_webhook, verify_webhook, verify_webhook_reason


class SigningKey(Model):
    """Rust ``SigningKey``."""

    _redacted = frozenset({"signing_key"})

    signing_key: str
    created_at: datetime


class SigningKeyStatus(Model):
    """Rust ``SigningKeyStatus``."""

    configured: bool
    created_at: Optional[datetime]

__all__ = ["SigningKey", "SigningKeyStatus", "sign_webhook", "verify_webhook", "verify_webhook_reason"]
