"""``inkbox.imessage_contact_rules``: per-identity iMessage allow/block rules."""

from __future__ import annotations

from typing import Any, Optional, Union, List
from uuid import UUID

from inkbox._resource import UNSET, Resource, compact
from inkbox.imessage.types import IMessageContactRule, IMessageRuleMatchType

__all__ = ["IMessageContactRulesResource"]


def _path(agent_handle: str, rule_id: Union[UUID, str, None] = None) -> dict[str, Any]:
    path = {"handle": agent_handle}
    if rule_id is not None:
        path["rule_id"] = str(rule_id)
    return path


class IMessageContactRulesResource(Resource):
    """iMessage contact rules of an identity (by handle)."""

    def list(
        self,
        agent_handle: str,
        *,
        action: Any = None,
        match_type: Any = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> List[IMessageContactRule]:
        """The identity's rules."""
        query = compact(action=action, match_type=match_type, limit=limit, offset=offset)
        return self._r.call_list(
            "imessage.contact_rules.list", {"path": _path(agent_handle), "query": query}, IMessageContactRule
        )

    def get(self, agent_handle: str, rule_id: Union[UUID, str]) -> IMessageContactRule:
        """One rule."""
        return self._r.call("imessage.contact_rules.get", {"path": _path(agent_handle, rule_id)}, IMessageContactRule)

    def create(
        self,
        agent_handle: str,
        *,
        action: Any,
        match_target: str,
        match_type: Union[IMessageRuleMatchType, str] = IMessageRuleMatchType.EXACT_NUMBER,
    ) -> IMessageContactRule:
        """Creates a rule (409 ``DuplicateContactRuleError`` if one exists)."""
        body = {"action": action, "match_type": match_type, "match_target": match_target}
        return self._r.call(
            "imessage.contact_rules.create", {"path": _path(agent_handle), "body": body}, IMessageContactRule
        )

    def update(
        self, agent_handle: str, rule_id: Union[UUID, str], *, action: Any = UNSET, status: Any = UNSET
    ) -> IMessageContactRule:
        """Changes a rule's action or status."""
        return self._r.call(
            "imessage.contact_rules.update",
            {"path": _path(agent_handle, rule_id), "body": compact(action=action, status=status)},
            IMessageContactRule,
        )

    def delete(self, agent_handle: str, rule_id: Union[UUID, str]) -> None:
        """Deletes a rule."""
        return self._r.void("imessage.contact_rules.delete", {"path": _path(agent_handle, rule_id)})

    def list_all(
        self,
        *,
        agent_identity_id: Union[UUID, str, None] = None,
        action: Any = None,
        match_type: Any = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> List[IMessageContactRule]:
        """Rules across the organization."""
        query = compact(
            agent_identity_id=None if agent_identity_id is None else str(agent_identity_id),
            action=action,
            match_type=match_type,
            limit=limit,
            offset=offset,
        )
        return self._r.call_list("imessage.org_contact_rules.list", {"query": query}, IMessageContactRule)
