"""Hand-written methods of the generated ``inkbox.mail.resources.messages`` (the description,
``surface/*.toml``, names these mixins)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional, Union, List
from uuid import UUID
from inkbox._resource import Resource, compact
from inkbox.mail.types import AttachmentUrl, Message, MessageDetail, MessageDirection


_DEFAULT_PAGE_SIZE = 50

def _path(email_address: str, message_id: Union[UUID, str, None] = None) -> dict[str, Any]:
    path: dict[str, Any] = {"email": email_address}
    if message_id is not None:
        path["message_id"] = str(message_id)
    return {"path": path}


class MessagesCustom(Resource):
    """The hand-written part of ``MessagesResource``."""

    def send(
        self,
        email_address: str,
        *,
        to: List[str],
        subject: str,
        body_text: Optional[str] = None,
        body_html: Optional[str] = None,
        cc: Optional[List[str]] = None,
        bcc: Optional[List[str]] = None,
        in_reply_to_message_id: Union[UUID, str, None] = None,
        attachments: Optional[List[Mapping[str, Any]]] = None,
    ) -> Message:
        """Sends a message from the mailbox. ``in_reply_to_message_id`` takes
        a message's UUID (``sent.id``) or its RFC 5322 Message-ID."""
        recipients: dict[str, Any] = {"to": list(to)}
        if cc:
            recipients["cc"] = list(cc)
        if bcc:
            recipients["bcc"] = list(bcc)
        body = compact(
            recipients=recipients,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            in_reply_to_message_id=None if in_reply_to_message_id is None else str(in_reply_to_message_id),
            attachments=None if attachments is None else [dict(a) for a in attachments],
        )
        args = _path(email_address)
        args["body"] = body
        return self._r.call("mail.messages.send", args, Message)

    def get_attachment(
        self, email_address: str, message_id: Union[UUID, str], filename: str, *, redirect: bool = False
    ) -> dict[str, Any]:
        """A temporary signed URL of an attachment: ``{"url", "filename",
        "expires_in"}``."""
        args = _path(email_address, message_id)
        args["path"]["filename"] = filename
        args["query"] = {"redirect": redirect}
        return self._r.map(
            self._r.call("mail.attachments.get", args, AttachmentUrl), lambda a: a.to_dict()
        )
