"""Hand-written methods of the generated ``inkbox.mail.resources.mailboxes`` (the description,
``surface/*.toml``, names these mixins)."""

from __future__ import annotations

from typing import Any, Optional, Union, List
from inkbox._resource import UNSET, Resource, compact
from inkbox.mail.types import FilterMode, Mailbox, Message


class MailboxesCustom(Resource):
    """The hand-written part of ``MailboxesResource``."""

    def update(self, email_address: str, *, filter_mode: Union[FilterMode, str, Any] = UNSET) -> Mailbox:
        """Updates the mailbox's contact-rule filter mode (admin keys only)."""
        return self._r.call(
            "mail.mailboxes.update",
            {"path": {"email": email_address}, "body": compact(filter_mode=filter_mode)},
            Mailbox,
        )
