"""Models of inkbox.api_keys.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional  # noqa: F401

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum


class CreatorType(StrEnum):
    """Wire enum ``CreatorType``."""

    HUMAN = "human"
    AGENT = "agent"


class ApiKeyStatus(StrEnum):
    """Wire enum ``ApiKeyStatus``."""

    ACTIVE = "active"
    REVOKED = "revoked"


class ApiKey(Model):
    """Rust ``ApiKey``."""

    id: str
    organization_id: str
    created_by: Optional[str]
    creator_type: Optional[CreatorType]
    scoped_identity_id: Optional[str]
    label: str
    description: Optional[str]
    status: ApiKeyStatus
    last4: Optional[str]
    display_prefix: Optional[str]
    last_used_at: Optional[datetime]
    expires_at: Optional[datetime]
    revoked_at: Optional[datetime]
    created_at: datetime
    updated_at: datetime


class CreatedApiKey(Model):
    """Rust ``CreatedApiKey``."""

    _redacted = frozenset({"api_key"})

    api_key: str
    record: ApiKey


register_enum("CreatorType", CreatorType)
register_enum("ApiKeyStatus", ApiKeyStatus)

__all__ = ["ApiKey", "ApiKeyStatus", "CreatedApiKey", "CreatorType"]
