"""Identities (the REST layer under ``Inkbox.create_identity`` and friends)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional, Union, List
from uuid import UUID

from inkbox._resource import UNSET, Resource, compact, given
from inkbox.identities.types import (
    AgentIdentityData,
    AgentIdentitySummary,
    IdentityAccess,
    IdentityMailboxCreateOptions,
    IdentityPhoneNumberCreateOptions,
    IdentityTunnelCreateOptions,
)

__all__ = ["IdentitiesResource"]


def _options(value: Any) -> Any:
    """An options object, or the README's dict form, as its wire dict."""
    if value is None or isinstance(value, Mapping):
        return None if value is None else dict(value)
    return value


def _secret_ids(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, UUID):
        return str(value)
    return [str(v) for v in value]


class IdentitiesResource(Resource):
    """Agent identities by handle."""

    def create(
        self,
        *,
        agent_handle: str,
        display_name: Optional[str] = None,
        description: Any = UNSET,
        imessage_enabled: Optional[bool] = None,
        mailbox: Union[IdentityMailboxCreateOptions, Mapping[str, Any], None] = None,
        tunnel: Union[IdentityTunnelCreateOptions, Mapping[str, Any], None] = None,
        phone_number: Union[IdentityPhoneNumberCreateOptions, Mapping[str, Any], None] = None,
        vault_secret_ids: Any = None,
    ) -> AgentIdentityData:
        """Creates an identity with its mailbox and tunnel."""
        body = compact(
            agent_handle=agent_handle,
            display_name=display_name,
            imessage_enabled=imessage_enabled,
            mailbox=_options(mailbox),
            tunnel=_options(tunnel),
            phone_number=_options(phone_number),
            vault_secret_ids=_secret_ids(vault_secret_ids),
        )
        if description is not UNSET:
            body["description"] = description
        return self._r.call("identities.create", {"body": body}, AgentIdentityData)

    def list(self) -> List[AgentIdentitySummary]:
        """Every identity visible to the caller."""
        return self._r.call_list("identities.list", None, AgentIdentitySummary)

    def get(self, agent_handle: str) -> AgentIdentityData:
        """One identity with its channels."""
        return self._r.call("identities.get", {"path": {"handle": agent_handle}}, AgentIdentityData)

    def update(
        self,
        agent_handle: str,
        *,
        new_handle: Optional[str] = None,
        display_name: Any = UNSET,
        description: Any = UNSET,
        imessage_enabled: Optional[bool] = None,
        imessage_filter_mode: Any = None,
        status: Any = None,
    ) -> AgentIdentitySummary:
        """Updates the identity (``None`` clears display name / description)."""
        body = compact(
            agent_handle=new_handle,
            imessage_enabled=imessage_enabled,
            imessage_filter_mode=imessage_filter_mode,
            status=status,
        )
        body.update(given(display_name=display_name, description=description))
        return self._r.call("identities.update", {"path": {"handle": agent_handle}, "body": body}, AgentIdentitySummary)

    def delete(self, agent_handle: str) -> None:
        """Deletes the identity (cascades to its mailbox, tunnel and number)."""
        return self._r.void("identities.delete", {"path": {"handle": agent_handle}})

    def release_phone_number(self, agent_handle: str) -> None:
        """Releases the identity's phone number."""
        return self._r.void("identities.phone_number.release", {"path": {"handle": agent_handle}})

    def list_access(self, agent_handle: str) -> List[IdentityAccess]:
        """Who can see the identity."""
        return self._r.call_list("identities.access.list", {"path": {"handle": agent_handle}}, IdentityAccess)

    def grant_access(self, agent_handle: str, viewer_identity_id: Union[UUID, str, None]) -> IdentityAccess:
        """Grants one viewer (or, with ``None``, every identity) visibility."""
        body = {"viewer_identity_id": None if viewer_identity_id is None else str(viewer_identity_id)}
        return self._r.call("identities.access.grant", {"path": {"handle": agent_handle}, "body": body}, IdentityAccess)

    def revoke_access(self, agent_handle: str, viewer_identity_id: Union[UUID, str]) -> None:
        """Revokes one viewer's visibility."""
        return self._r.void(
            "identities.access.revoke",
            {"path": {"handle": agent_handle, "viewer_identity_id": str(viewer_identity_id)}},
        )
