"""``inkbox.texts``: SMS/MMS of a phone number."""

from __future__ import annotations

from typing import Any, Optional, Union, List
from uuid import UUID

from inkbox._resource import Resource, compact
from inkbox.phone.types import TextConversationSummary, TextConversationUpdateResult, TextMessage

__all__ = ["TextsResource"]


def _path(phone_number_id: Union[UUID, str], **more: Union[UUID, str]) -> dict[str, Any]:
    path = {"phone_number_id": str(phone_number_id)}
    path.update({k: str(v) for k, v in more.items()})
    return path


class TextsResource(Resource):
    """Text messages and conversations."""

    def send(
        self,
        phone_number_id: Union[UUID, str],
        *,
        to: Union[str, List[str], None] = None,
        conversation_id: Union[UUID, str, None] = None,
        text: Optional[str] = None,
        media_urls: Optional[List[str]] = None,
    ) -> TextMessage:
        """Sends an SMS/MMS (one recipient, a group, or into a conversation)."""
        body = compact(
            to=to if to is None or isinstance(to, str) else list(to),
            conversation_id=None if conversation_id is None else str(conversation_id),
            text=text,
            media_urls=media_urls,
        )
        return self._r.call("texts.send", {"path": _path(phone_number_id), "body": body}, TextMessage)

    def list(
        self,
        phone_number_id: Union[UUID, str],
        *,
        limit: int = 50,
        offset: int = 0,
        is_read: Optional[bool] = None,
        is_blocked: Optional[bool] = None,
    ) -> List[TextMessage]:
        """One page of the number's texts, newest first."""
        query = compact(limit=limit, offset=offset, is_read=is_read, is_blocked=is_blocked)
        return self._r.call_list("texts.list", {"path": _path(phone_number_id), "query": query}, TextMessage)

    def get(self, phone_number_id: Union[UUID, str], text_id: Union[UUID, str]) -> TextMessage:
        """One text."""
        return self._r.call("texts.get", {"path": _path(phone_number_id, text_id=text_id)}, TextMessage)

    def update(
        self,
        phone_number_id: Union[UUID, str],
        text_id: Union[UUID, str],
        *,
        is_read: Optional[bool] = None,
        status: Optional[str] = None,
    ) -> TextMessage:
        """Marks a text read/unread, or deletes it with ``status="deleted"``."""
        body = compact(is_read=is_read, status=status)
        return self._r.call("texts.update", {"path": _path(phone_number_id, text_id=text_id), "body": body}, TextMessage)

    def search(
        self,
        phone_number_id: Union[UUID, str],
        *,
        q: str,
        limit: int = 50,
        is_blocked: Optional[bool] = None,
    ) -> List[TextMessage]:
        """Full-text search of the number's texts."""
        query = compact(q=q, limit=limit, is_blocked=is_blocked)
        return self._r.call_list("texts.search", {"path": _path(phone_number_id), "query": query}, TextMessage)

    def list_conversations(
        self,
        phone_number_id: Union[UUID, str],
        *,
        limit: int = 50,
        offset: int = 0,
        is_blocked: Optional[bool] = None,
        include_groups: bool = False,
    ) -> List[TextConversationSummary]:
        """One page of conversation summaries."""
        query = compact(limit=limit, offset=offset, is_blocked=is_blocked, include_groups=include_groups)
        return self._r.call_list(
            "texts.conversations.list", {"path": _path(phone_number_id), "query": query}, TextConversationSummary
        )

    def get_conversation(
        self,
        phone_number_id: Union[UUID, str],
        remote_number: Union[UUID, str],
        *,
        limit: int = 50,
        offset: int = 0,
    ) -> List[TextMessage]:
        """One page of a conversation's texts (by remote number or conversation UUID)."""
        return self._r.call_list(
            "texts.conversations.get",
            {"path": _path(phone_number_id, key=remote_number), "query": compact(limit=limit, offset=offset)},
            TextMessage,
        )

    def update_conversation(
        self, phone_number_id: Union[UUID, str], remote_number: Union[UUID, str], *, is_read: bool
    ) -> TextConversationUpdateResult:
        """Marks every text of a conversation read or unread."""
        return self._r.call(
            "texts.conversations.update",
            {"path": _path(phone_number_id, key=remote_number), "body": {"is_read": is_read}},
            TextConversationUpdateResult,
        )
