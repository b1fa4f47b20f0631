"""API keys."""

from inkbox.api_keys.resources import ApiKeysResource
from inkbox.api_keys.types import ApiKey, ApiKeyStatus, CreatedApiKey, CreatorType

__all__ = ["ApiKey", "ApiKeyStatus", "ApiKeysResource", "CreatedApiKey", "CreatorType"]
