"""``inkbox.api_keys``: mint API keys."""

from __future__ import annotations

from typing import Optional, Union
from uuid import UUID

from inkbox._resource import Resource, compact
from inkbox.api_keys.types import CreatedApiKey

__all__ = ["ApiKeysResource"]


class ApiKeysResource(Resource):
    """API keys of the organization."""

    def create(
        self,
        *,
        label: str,
        description: Optional[str] = None,
        scoped_identity_id: Union[UUID, str, None] = None,
    ) -> CreatedApiKey:
        """Creates a key (scoped to one identity when ``scoped_identity_id`` is
        given). The secret ``api_key`` is returned once."""
        body = compact(
            label=label,
            description=description,
            scoped_identity_id=None if scoped_identity_id is None else str(scoped_identity_id),
        )
        return self._r.call("api_keys.create", {"body": body}, CreatedApiKey)
