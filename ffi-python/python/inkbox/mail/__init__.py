"""Mail: mailboxes, messages, threads, sending domains."""

from inkbox.mail.resources import DomainsResource, MailboxesResource, MessagesResource, ThreadsResource
from inkbox.mail.types import *  # noqa: F403
from inkbox.mail.types import __all__ as _types_all

__all__ = ["DomainsResource", "MailboxesResource", "MessagesResource", "ThreadsResource", *_types_all]
