"""Client-side TOTP (RFC 6238), the reference's ``inkbox.vault.totp``.

``TOTPConfig`` validates on construction and on every assignment (raising
``InkboxTOTPError``, a ``ValueError``); its ``repr`` never shows the secret.
``generate_totp`` / ``TOTPConfig.generate_code`` and ``verify_totp`` /
``TOTPConfig.verify`` take an optional ``now`` (Unix seconds, ``int`` or
``float``; default: the host clock).
"""

from __future__ import annotations

from inkbox._enums import TOTPAlgorithm
from inkbox._native import TOTPCode, TOTPConfig, generate_totp, parse_totp_uri, verify_totp

__all__ = [
    "TOTPAlgorithm",
    "TOTPCode",
    "TOTPConfig",
    "generate_totp",
    "parse_totp_uri",
    "verify_totp",
]
