"""``inkbox.imessages``: iMessage through the shared router."""

from __future__ import annotations

import base64
from typing import Any, Optional, Union, List
from uuid import UUID

from inkbox._resource import Resource, compact
from inkbox.imessage.types import (
    IMessage,
    IMessageAssignment,
    IMessageConversation,
    IMessageConversationSummary,
    IMessageMarkReadResult,
    IMessageMediaUpload,
    IMessageReaction,
    IMessageReactionType,
    IMessageSendStyle,
    IMessageTriageNumber,
)

__all__ = ["IMessagesResource"]

_Id = Union[UUID, str]


def _s(value: Optional[_Id]) -> Optional[str]:
    return None if value is None else str(value)


class IMessagesResource(Resource):
    """iMessages, conversations, assignments, reactions, media."""

    def get_triage_number(self) -> IMessageTriageNumber:
        """The shared router number humans text ``connect @handle`` to."""
        return self._r.call("imessage.triage_number.get", None, IMessageTriageNumber)

    def send(
        self,
        *,
        to: Optional[str] = None,
        conversation_id: Optional[_Id] = None,
        text: Optional[str] = None,
        media_urls: Optional[List[str]] = None,
        send_style: Union[IMessageSendStyle, str, None] = None,
        agent_identity_id: Optional[_Id] = None,
    ) -> IMessage:
        """Sends an iMessage to a connected recipient or into a conversation."""
        args: dict[str, Any] = {
            "body": compact(
                to=to, conversation_id=_s(conversation_id), text=text, media_urls=media_urls, send_style=send_style
            )
        }
        if agent_identity_id is not None:
            args["query"] = {"agent_identity_id": str(agent_identity_id)}
        return self._r.call("imessage.messages.send", args, IMessage)

    def list(
        self,
        *,
        agent_identity_id: Optional[_Id] = None,
        conversation_id: Optional[_Id] = None,
        limit: int = 50,
        offset: int = 0,
        is_read: Optional[bool] = None,
        is_blocked: Optional[bool] = None,
    ) -> List[IMessage]:
        """One page of iMessages, newest first."""
        query = compact(
            agent_identity_id=_s(agent_identity_id),
            conversation_id=_s(conversation_id),
            limit=limit,
            offset=offset,
            is_read=is_read,
            is_blocked=is_blocked,
        )
        return self._r.call_list("imessage.messages.list", {"query": query}, IMessage)

    def list_assignments(
        self, *, agent_identity_id: Optional[_Id] = None, limit: int = 50, offset: int = 0
    ) -> List[IMessageAssignment]:
        """Recipients currently connected, newest first."""
        query = compact(agent_identity_id=_s(agent_identity_id), limit=limit, offset=offset)
        return self._r.call_list("imessage.assignments.list", {"query": query}, IMessageAssignment)

    def list_conversations(
        self,
        *,
        agent_identity_id: Optional[_Id] = None,
        limit: int = 50,
        offset: int = 0,
        is_blocked: Optional[bool] = None,
    ) -> List[IMessageConversationSummary]:
        """One page of conversation summaries."""
        query = compact(agent_identity_id=_s(agent_identity_id), limit=limit, offset=offset, is_blocked=is_blocked)
        return self._r.call_list("imessage.conversations.list", {"query": query}, IMessageConversationSummary)

    def get_conversation(self, conversation_id: _Id, *, agent_identity_id: Optional[_Id] = None) -> IMessageConversation:
        """One conversation."""
        return self._r.call(
            "imessage.conversations.get",
            {"path": {"conversation_id": str(conversation_id)}, "query": compact(agent_identity_id=_s(agent_identity_id))},
            IMessageConversation,
        )

    def send_reaction(
        self, *, message_id: _Id, reaction: Union[IMessageReactionType, str], part_index: int = 0
    ) -> IMessageReaction:
        """Sends a tapback (replaces your previous one on that message part)."""
        body = {"message_id": str(message_id), "reaction": reaction, "part_index": part_index}
        return self._r.call("imessage.reactions.send", {"body": body}, IMessageReaction)

    def mark_conversation_read(self, conversation_id: _Id) -> IMessageMarkReadResult:
        """Sends a read receipt and marks the inbound messages read."""
        return self._r.call(
            "imessage.conversations.mark_read", {"body": {"conversation_id": str(conversation_id)}}, IMessageMarkReadResult
        )

    def send_typing(self, conversation_id: _Id) -> None:
        """Shows a typing indicator."""
        return self._r.void("imessage.typing.send", {"body": {"conversation_id": str(conversation_id)}})

    def upload_media(
        self, *, content: bytes, filename: str, content_type: Optional[str] = None
    ) -> IMessageMediaUpload:
        """Uploads media; the result's ``media_url`` goes in ``media_urls``."""
        body = compact(
            content=base64.b64encode(bytes(content)).decode("ascii"), filename=filename, content_type=content_type
        )
        return self._r.call("imessage.media.upload", {"body": body}, IMessageMediaUpload)
