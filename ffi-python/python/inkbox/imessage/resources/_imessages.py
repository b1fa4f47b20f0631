"""Hand-written methods of the generated ``inkbox.imessage.resources.imessages`` (the description,
``surface/*.toml``, names these mixins)."""

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


_Id = Union[UUID, str]

def _s(value: Optional[_Id]) -> Optional[str]:
    return None if value is None else str(value)


class IMessagesCustom(Resource):
    """The hand-written part of ``IMessagesResource``."""

    def upload_media(
        self, *, content: bytes, filename: str, content_type: Optional[str] = None
    ) -> IMessageMediaUpload:
        """Uploads media; the result's ``media_url`` goes in ``media_urls``."""
        body = compact(
            content=base64.b64encode(bytes(content)).decode("ascii"), filename=filename, content_type=content_type
        )
        return self._r.call("imessage.media.upload", {"body": body}, IMessageMediaUpload)
