"""Models of inkbox.phone.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional  # noqa: F401

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum
from inkbox.mail.types import FilterMode, FilterModeChangeNotice


class PhoneNumberType(StrEnum):
    """Wire enum ``PhoneNumberType``."""

    LOCAL = "local"
    TOLL_FREE = "toll_free"


class PhoneNumberStatus(StrEnum):
    """Wire enum ``PhoneNumberStatus``."""

    ACTIVE = "active"
    PAUSED = "paused"
    RELEASED = "released"


class SmsStatus(StrEnum):
    """Wire enum ``SmsStatus``."""

    PENDING = "pending"
    READY = "ready"
    ASSIGNMENT_FAILED = "assignment_failed"


class IncomingCallAction(StrEnum):
    """Wire enum ``IncomingCallAction``."""

    AUTO_ACCEPT = "auto_accept"
    AUTO_REJECT = "auto_reject"
    WEBHOOK = "webhook"


class CallDirection(StrEnum):
    """Wire enum ``CallDirection``."""

    OUTBOUND = "outbound"
    INBOUND = "inbound"


class CallStatus(StrEnum):
    """Wire enum ``CallStatus``."""

    INITIATED = "initiated"
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"


class HangupReason(StrEnum):
    """Wire enum ``HangupReason``."""

    LOCAL = "local"
    REMOTE = "remote"
    MAX_DURATION = "max_duration"
    VOICEMAIL = "voicemail"
    REJECTED = "rejected"


class TranscriptParty(StrEnum):
    """Wire enum ``TranscriptParty``."""

    LOCAL = "local"
    REMOTE = "remote"
    SYSTEM = "system"


class IncomingCallDecision(StrEnum):
    """Wire enum ``IncomingCallDecision``."""

    ANSWER = "answer"
    REJECT = "reject"


class TextDirection(StrEnum):
    """Wire enum ``TextDirection``."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class TextType(StrEnum):
    """Wire enum ``TextType``."""

    SMS = "sms"
    MMS = "mms"


class SmsDeliveryStatus(StrEnum):
    """Wire enum ``TextDeliveryStatus``."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERY_UNCONFIRMED = "delivery_unconfirmed"
    SENDING_FAILED = "sending_failed"


class TextMessageOrigin(StrEnum):
    """Wire enum ``TextOrigin``."""

    USER_INITIATED = "user_initiated"
    AUTO_REPLY = "auto_reply"


class SmsOptInStatus(StrEnum):
    """Wire enum ``SmsOptInStatus``."""

    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


class SmsOptInSource(StrEnum):
    """Wire enum ``SmsOptInSource``."""

    SMS = "sms"
    API = "api"


class PhoneNumber(Model):
    """Rust ``PhoneNumber``."""

    id: str
    number: str
    status: PhoneNumberStatus
    sms_status: SmsStatus
    sms_error_code: Optional[str]
    sms_error_detail: Optional[str]
    sms_ready_at: Optional[datetime]
    incoming_call_action: IncomingCallAction
    client_websocket_url: Optional[str]
    incoming_call_webhook_url: Optional[str]
    filter_mode: FilterMode
    state: Optional[str]
    agent_identity_id: Optional[str]
    filter_mode_change_notice: Optional[FilterModeChangeNotice]
    created_at: datetime
    updated_at: datetime


class PhoneCall(Model):
    """Rust ``PhoneCall``."""

    id: str
    local_phone_number: str
    remote_phone_number: str
    direction: CallDirection
    status: CallStatus
    client_websocket_url: Optional[str]
    use_inkbox_tts: Optional[bool]
    use_inkbox_stt: Optional[bool]
    hangup_reason: Optional[HangupReason]
    started_at: Optional[datetime]
    ended_at: Optional[datetime]
    is_blocked: bool
    created_at: datetime
    updated_at: datetime


class RateLimitInfo(Model):
    """Rust ``RateLimitInfo``."""

    calls_used: int
    calls_remaining: int
    calls_limit: int
    minutes_used: float
    minutes_remaining: float
    minutes_limit: int


class PhoneCallWithRateLimit(PhoneCall):
    """Rust ``PhoneCallWithRateLimit``."""

    rate_limit: RateLimitInfo


class PhoneTranscript(Model):
    """Rust ``PhoneTranscript``."""

    id: str
    call_id: str
    seq: int
    ts_ms: int
    party: TranscriptParty
    text: str
    created_at: datetime


class TextMediaItem(Model):
    """Rust ``TextMediaItem``."""

    content_type: str
    size: int
    url: str


class TextMessageRecipient(Model):
    """Rust ``TextMessageRecipient``."""

    recipient_phone_number: str
    delivery_status: Optional[SmsDeliveryStatus]
    carrier: Optional[str]
    line_type: Optional[str]
    error_code: Optional[str]
    error_detail: Optional[str]
    sent_at: Optional[datetime]
    delivered_at: Optional[datetime]
    failed_at: Optional[datetime]


class TextMessage(Model):
    """Rust ``TextMessage``."""

    id: str
    direction: TextDirection
    local_phone_number: str
    remote_phone_number: Optional[str]
    text: Optional[str]
    type: TextType
    media: Optional[list[TextMediaItem]]
    is_read: bool
    conversation_id: Optional[str]
    sender_phone_number: Optional[str]
    recipients: Optional[list[TextMessageRecipient]]
    delivery_status: Optional[SmsDeliveryStatus]
    origin: TextMessageOrigin
    error_code: Optional[str]
    error_detail: Optional[str]
    sent_at: Optional[datetime]
    delivered_at: Optional[datetime]
    failed_at: Optional[datetime]
    is_blocked: bool
    created_at: datetime
    updated_at: datetime


class TextConversationSummary(Model):
    """Rust ``TextConversationSummary``."""

    id: Optional[str]
    remote_phone_number: Optional[str]
    participants: Optional[list[str]]
    is_group: bool
    latest_text: Optional[str]
    latest_direction: TextDirection
    latest_type: TextType
    latest_has_media: bool
    latest_message_at: datetime
    unread_count: int
    total_count: int


class TextConversationUpdateResult(Model):
    """Rust ``TextConversationUpdateResult``."""

    remote_phone_number: Optional[str]
    conversation_id: Optional[str]
    is_read: bool
    updated_count: int


class SmsOptIn(Model):
    """Rust ``SmsOptIn``."""

    id: str
    organization_id: str
    receiver_number: str
    status: SmsOptInStatus
    source: SmsOptInSource
    opted_in_at: Optional[datetime]
    opted_out_at: Optional[datetime]
    created_at: datetime
    updated_at: datetime


register_enum("PhoneNumberType", PhoneNumberType)
register_enum("PhoneNumberStatus", PhoneNumberStatus)
register_enum("SmsStatus", SmsStatus)
register_enum("IncomingCallAction", IncomingCallAction)
register_enum("CallDirection", CallDirection)
register_enum("CallStatus", CallStatus)
register_enum("HangupReason", HangupReason)
register_enum("TranscriptParty", TranscriptParty)
register_enum("IncomingCallDecision", IncomingCallDecision)
register_enum("TextDirection", TextDirection)
register_enum("TextType", TextType)
register_enum("TextDeliveryStatus", SmsDeliveryStatus)
register_enum("TextOrigin", TextMessageOrigin)
register_enum("SmsOptInStatus", SmsOptInStatus)
register_enum("SmsOptInSource", SmsOptInSource)


from inkbox.mail.types import RuleAction as PhoneRuleAction  # noqa: E402

#: The phone number embedded in an identity.
IdentityPhoneNumber = PhoneNumber

__all__ = ["PhoneRuleAction", "IdentityPhoneNumber", "CallDirection", "CallStatus", "HangupReason", "IncomingCallAction", "IncomingCallDecision", "PhoneCall", "PhoneCallWithRateLimit", "PhoneNumber", "PhoneNumberStatus", "PhoneNumberType", "PhoneTranscript", "RateLimitInfo", "SmsDeliveryStatus", "SmsOptIn", "SmsOptInSource", "SmsOptInStatus", "SmsStatus", "TextConversationSummary", "TextConversationUpdateResult", "TextDirection", "TextMediaItem", "TextMessage", "TextMessageOrigin", "TextMessageRecipient", "TextType", "TranscriptParty"]
