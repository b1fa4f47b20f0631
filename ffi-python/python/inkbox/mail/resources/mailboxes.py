"""``inkbox.mailboxes``: read, update and search mailboxes."""

from __future__ import annotations

from typing import Any, Optional, Union, List

from inkbox._resource import UNSET, Resource, compact
from inkbox.mail.types import FilterMode, Mailbox, Message

__all__ = ["MailboxesResource"]


class MailboxesResource(Resource):
    """Mailboxes of the organization (created and deleted with identities)."""

    def list(self) -> List[Mailbox]:
        """Every mailbox of the organization."""
        return self._r.call_list("mail.mailboxes.list", None, Mailbox)

    def get(self, email_address: str) -> Mailbox:
        """One mailbox by address."""
        return self._r.call("mail.mailboxes.get", {"path": {"email": email_address}}, Mailbox)

    def update(self, email_address: str, *, filter_mode: Union[FilterMode, str, Any] = UNSET) -> Mailbox:
        """Updates the mailbox's contact-rule filter mode (admin keys only)."""
        return self._r.call(
            "mail.mailboxes.update",
            {"path": {"email": email_address}, "body": compact(filter_mode=filter_mode)},
            Mailbox,
        )

    def search(self, email_address: str, *, q: str, limit: Optional[int] = 50) -> List[Message]:
        """Full-text search of the mailbox's messages, most relevant first."""
        return self._r.call_list(
            "mail.mailboxes.search",
            {"path": {"email": email_address}, "query": compact(q=q, limit=limit)},
            Message,
        )
