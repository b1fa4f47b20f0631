"""Models of inkbox.mail.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional  # noqa: F401

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum


class MessageDirection(StrEnum):
    """Wire enum ``MessageDirection``."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(StrEnum):
    """Wire enum ``MessageStatus``."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    FAILED = "failed"
    RECEIVED = "received"
    DELETED = "deleted"


class ThreadFolder(StrEnum):
    """Wire enum ``ThreadFolder``."""

    INBOX = "inbox"
    SPAM = "spam"
    BLOCKED = "blocked"
    ARCHIVE = "archive"


class SendingDomainStatus(StrEnum):
    """Wire enum ``SendingDomainStatus``."""

    NOT_STARTED = "not_started"
    AWAITING_OWNERSHIP = "awaiting_ownership"
    PENDING = "pending"
    DNS_INVALID = "dns_invalid"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    FAILED = "failed"
    PENDING_DKIM_ROTATION = "pending_dkim_rotation"
    DEGRADED = "degraded"
    PENDING_DELETION = "pending_deletion"


class FilterMode(StrEnum):
    """Wire enum ``FilterMode``."""

    WHITELIST = "whitelist"
    BLACKLIST = "blacklist"


class RuleAction(StrEnum):
    """Wire enum ``RuleAction``."""

    ALLOW = "allow"
    BLOCK = "block"


class Mailbox(Model):
    """Rust ``Mailbox``."""

    id: str
    email_address: str
    sending_domain: Optional[str]
    filter_mode: FilterMode
    agent_identity_id: Optional[str]
    filter_mode_change_notice: Optional[FilterModeChangeNotice]
    created_at: datetime
    updated_at: datetime


class Message(Model):
    """Rust ``Message``."""

    id: str
    mailbox_id: str
    thread_id: Optional[str]
    message_id: Optional[str]
    from_address: str
    to_addresses: list[str]
    cc_addresses: Optional[list[str]]
    subject: Optional[str]
    snippet: Optional[str]
    direction: MessageDirection
    status: MessageStatus
    is_read: bool
    is_starred: bool
    has_attachments: bool
    created_at: datetime
    import_job_id: Optional[str]
    first_opened_at: Optional[datetime]
    open_count: Optional[int]


class MessageDetail(Message):
    """Rust ``MessageDetail``."""

    body_text: Optional[str]
    body_html: Optional[str]
    bcc_addresses: Optional[list[str]]
    in_reply_to: Optional[str]
    references: Optional[list[str]]
    attachment_metadata: Optional[list[dict[str, Any]]]
    ses_message_id: Optional[str]
    updated_at: Optional[datetime]


class AttachmentUrl(Model):
    """Rust ``AttachmentUrl``."""

    url: str
    filename: Optional[str]
    expires_in: Optional[int]


class Thread(Model):
    """Rust ``Thread``."""

    id: str
    mailbox_id: str
    subject: Optional[str]
    folder: ThreadFolder
    message_count: int
    last_message_at: datetime
    created_at: datetime
    messages: Optional[list[Message]]


class Domain(Model):
    """Rust ``Domain``."""

    id: str
    domain: str
    status: SendingDomainStatus
    is_default: bool
    verified_at: Optional[datetime]


class SetDefaultDomainResponse(Model):
    """Rust ``SetDefaultDomainResponse``."""

    default_domain: Optional[str]


class FilterModeChangeNotice(Model):
    """Rust ``FilterModeChangeNotice``."""

    new_filter_mode: FilterMode
    redundant_rule_action: RuleAction
    redundant_rule_count: int


register_enum("MessageDirection", MessageDirection)
register_enum("MessageStatus", MessageStatus)
register_enum("ThreadFolder", ThreadFolder)
register_enum("SendingDomainStatus", SendingDomainStatus)
register_enum("FilterMode", FilterMode)
register_enum("RuleAction", RuleAction)


class ForwardMode(StrEnum):
    """How a forwarded message carries the original."""

    INLINE = "inline"
    WRAPPED = "wrapped"


#: The action of a contact rule (the same wire values on every channel).
MailRuleAction = RuleAction
#: A thread with its messages (``Thread.messages`` is set on a thread GET).
ThreadDetail = Thread

__all__ = ["ForwardMode", "MailRuleAction", "ThreadDetail", "AttachmentUrl", "Domain", "FilterMode", "FilterModeChangeNotice", "Mailbox", "Message", "MessageDetail", "MessageDirection", "MessageStatus", "RuleAction", "SendingDomainStatus", "SetDefaultDomainResponse", "Thread", "ThreadFolder"]
