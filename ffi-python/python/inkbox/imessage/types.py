"""Models of inkbox.imessage.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional  # noqa: F401

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum
from inkbox.mail.types import RuleAction


class IMessageDirection(StrEnum):
    """Wire enum ``IMessageDirection``."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class IMessageType(StrEnum):
    """Wire enum ``IMessageType``."""

    MESSAGE = "message"
    CAROUSEL = "carousel"


class IMessageService(StrEnum):
    """Wire enum ``IMessageService``."""

    IMESSAGE = "imessage"
    SMS = "sms"
    RCS = "rcs"


class IMessageDeliveryStatus(StrEnum):
    """Wire enum ``IMessageDeliveryStatus``."""

    REGISTERED = "registered"
    PENDING = "pending"
    QUEUED = "queued"
    ACCEPTED = "accepted"
    SENT = "sent"
    DELIVERED = "delivered"
    DECLINED = "declined"
    ERROR = "error"
    RECEIVED = "received"


class IMessageSendStyle(StrEnum):
    """Wire enum ``IMessageSendStyle``."""

    CELEBRATION = "celebration"
    SHOOTING_STAR = "shooting_star"
    FIREWORKS = "fireworks"
    LASERS = "lasers"
    LOVE = "love"
    CONFETTI = "confetti"
    BALLOONS = "balloons"
    SPOTLIGHT = "spotlight"
    ECHO = "echo"
    INVISIBLE = "invisible"
    GENTLE = "gentle"
    LOUD = "loud"
    SLAM = "slam"


class IMessageReactionType(StrEnum):
    """Wire enum ``IMessageReactionType``."""

    LOVE = "love"
    LIKE = "like"
    DISLIKE = "dislike"
    LAUGH = "laugh"
    EMPHASIZE = "emphasize"
    QUESTION = "question"
    CUSTOM = "custom"


class IMessageAssignmentStatus(StrEnum):
    """Wire enum ``IMessageAssignmentStatus``."""

    ACTIVE = "active"
    RELEASED = "released"


class IMessageRuleMatchType(StrEnum):
    """Wire enum ``IMessageRuleMatchType``."""

    EXACT_NUMBER = "exact_number"


class IMessageRuleStatus(StrEnum):
    """Wire enum ``IMessageRuleStatus``."""

    ACTIVE = "active"
    PAUSED = "paused"


class IMessageMediaItem(Model):
    """Rust ``IMessageMediaItem``."""

    url: str
    content_type: Optional[str]
    size: Optional[int]


class IMessageRecipient(Model):
    """Rust ``IMessageRecipient``."""

    remote_number: str
    delivery_status: Optional[IMessageDeliveryStatus]
    service: Optional[IMessageService]
    error_code: Optional[str]
    error_message: Optional[str]
    error_reason: Optional[str]
    error_detail: Optional[str]
    sent_at: Optional[datetime]
    delivered_at: Optional[datetime]
    failed_at: Optional[datetime]


class IMessageMessageReaction(Model):
    """Rust ``IMessageMessageReaction``."""

    id: str
    direction: IMessageDirection
    reaction: IMessageReactionType
    custom_emoji: Optional[str]
    remote_number: str
    part_index: int
    created_at: datetime


class IMessage(Model):
    """Rust ``IMessage``."""

    id: str
    conversation_id: str
    assignment_id: Optional[str]
    direction: IMessageDirection
    remote_number: Optional[str]
    content: Optional[str]
    message_type: IMessageType
    service: IMessageService
    send_style: Optional[IMessageSendStyle]
    media: Optional[list[IMessageMediaItem]]
    was_downgraded: Optional[bool]
    status: Optional[IMessageDeliveryStatus]
    error_code: Optional[str]
    error_message: Optional[str]
    error_reason: Optional[str]
    error_detail: Optional[str]
    is_read: bool
    is_blocked: bool
    recipients: Optional[list[IMessageRecipient]]
    reactions: Optional[list[IMessageMessageReaction]]
    created_at: datetime
    updated_at: datetime


class IMessageConversation(Model):
    """Rust ``IMessageConversation``."""

    id: str
    assignment_id: Optional[str]
    assignment_status: IMessageAssignmentStatus
    remote_number: Optional[str]
    created_at: datetime
    updated_at: datetime


class IMessageConversationSummary(Model):
    """Rust ``IMessageConversationSummary``."""

    id: str
    assignment_id: Optional[str]
    assignment_status: IMessageAssignmentStatus
    remote_number: Optional[str]
    created_at: datetime
    updated_at: datetime
    latest_text: Optional[str]
    latest_message_at: Optional[datetime]
    latest_direction: Optional[IMessageDirection]
    latest_has_media: bool
    unread_count: int
    total_count: int


class IMessageAssignment(Model):
    """Rust ``IMessageAssignment``."""

    id: str
    remote_number: str
    agent_identity_id: str
    organization_id: str
    status: IMessageAssignmentStatus
    released_at: Optional[datetime]
    created_at: datetime
    updated_at: datetime


class IMessageReaction(Model):
    """Rust ``IMessageReaction``."""

    id: str
    conversation_id: str
    assignment_id: Optional[str]
    target_message_id: str
    direction: IMessageDirection
    reaction: IMessageReactionType
    custom_emoji: Optional[str]
    remote_number: str
    part_index: int
    created_at: datetime
    updated_at: datetime


class IMessageTriageNumber(Model):
    """Rust ``IMessageTriageNumber``."""

    number: str
    connect_command: str


class IMessageMarkReadResult(Model):
    """Rust ``IMessageMarkReadResult``."""

    conversation_id: str
    updated_count: int


class IMessageMediaUpload(Model):
    """Rust ``IMessageMediaUpload``."""

    media_url: str
    content_type: Optional[str]
    size: Optional[int]


class IMessageContactRule(Model):
    """Rust ``IMessageContactRule``."""

    id: str
    agent_identity_id: str
    action: RuleAction
    match_type: IMessageRuleMatchType
    match_target: str
    status: IMessageRuleStatus
    created_at: datetime
    updated_at: datetime


register_enum("IMessageDirection", IMessageDirection)
register_enum("IMessageType", IMessageType)
register_enum("IMessageService", IMessageService)
register_enum("IMessageDeliveryStatus", IMessageDeliveryStatus)
register_enum("IMessageSendStyle", IMessageSendStyle)
register_enum("IMessageReactionType", IMessageReactionType)
register_enum("IMessageAssignmentStatus", IMessageAssignmentStatus)
register_enum("IMessageRuleMatchType", IMessageRuleMatchType)
register_enum("IMessageRuleStatus", IMessageRuleStatus)


from inkbox.mail.types import RuleAction as IMessageRuleAction  # noqa: E402

__all__ = ["IMessageRuleAction", "IMessage", "IMessageAssignment", "IMessageAssignmentStatus", "IMessageContactRule", "IMessageConversation", "IMessageConversationSummary", "IMessageDeliveryStatus", "IMessageDirection", "IMessageMarkReadResult", "IMessageMediaItem", "IMessageMediaUpload", "IMessageMessageReaction", "IMessageReaction", "IMessageReactionType", "IMessageRecipient", "IMessageRuleMatchType", "IMessageRuleStatus", "IMessageSendStyle", "IMessageService", "IMessageTriageNumber", "IMessageType"]
