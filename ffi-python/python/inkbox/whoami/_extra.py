"""Hand-written functions exported by the generated ``inkbox.whoami.types``."""

from __future__ import annotations

from typing import Any

from inkbox._models import Model
from inkbox.whoami.types import WhoamiApiKeyResponse, WhoamiJwtResponse, WhoamiResponse

__all__ = ["whoami_from_wire"]


def whoami_from_wire(value: Any) -> WhoamiResponse:
    """The whoami result as the class its ``auth_type`` selects."""
    if isinstance(value, (WhoamiApiKeyResponse, WhoamiJwtResponse)):
        return value
    data = value._d if isinstance(value, Model) else dict(value)
    if data.get("auth_type") == "api_key":
        return WhoamiApiKeyResponse._from(data)
    return WhoamiJwtResponse._from(data)
