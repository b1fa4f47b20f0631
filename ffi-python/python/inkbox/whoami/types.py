"""Models of inkbox.whoami.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional, Union

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum
from inkbox.api_keys.types import CreatorType


class WhoamiApiKeyResponse(Model, rust="WhoamiApiKey"):
    """Rust ``WhoamiApiKey``."""

    auth_type: str
    auth_subtype: Optional[str]
    organization_id: Optional[str]
    created_by: Optional[str]
    creator_type: Optional[CreatorType]
    key_id: Optional[str]
    label: Optional[str]
    description: Optional[str]
    created_at: Optional[float]
    last_used_at: Optional[float]
    expires_at: Optional[float]
    scope: Optional[str]


class WhoamiJwtResponse(Model, rust="WhoamiJwt"):
    """Rust ``WhoamiJwt``."""

    auth_type: str
    auth_subtype: Optional[str]
    organization_id: Optional[str]
    user_id: Optional[str]
    email: Optional[str]
    name: Optional[str]
    org_role: Optional[str]
    org_slug: Optional[str]




AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED = "api_key.admin_scoped"
AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_CLAIMED = "api_key.agent_scoped.claimed"
AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_UNCLAIMED = "api_key.agent_scoped.unclaimed"


#: The whoami response: narrow with ``isinstance``.
WhoamiResponse = Union[WhoamiApiKeyResponse, WhoamiJwtResponse]


def whoami_from_wire(value: Any) -> WhoamiResponse:
    """The whoami result as the class its ``auth_type`` selects."""
    if isinstance(value, (WhoamiApiKeyResponse, WhoamiJwtResponse)):
        return value
    data = value._d if isinstance(value, Model) else dict(value)
    if data.get("auth_type") == "api_key":
        return WhoamiApiKeyResponse._from(data)
    return WhoamiJwtResponse._from(data)

__all__ = ["AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED", "AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_CLAIMED", "AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_UNCLAIMED", "WhoamiResponse", "whoami_from_wire", "WhoamiApiKeyResponse", "WhoamiJwtResponse"]
