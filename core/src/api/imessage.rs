//! iMessage over the shared Inkbox router, and per-identity iMessage contact
//! rules (spec/imessage.md).
//!
//! Everything is keyed by `conversation_id`, `remote_number` (the human's
//! E.164) and `agent_identity_id`. The human always starts (`connect @handle`
//! to the triage number); sends into released conversations return 409.
//!
//! Media upload is the API's only multipart request: core builds the
//! `multipart/form-data` body itself (see [`build_upload_media`]).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::catalog::{Operation, Paging};
use super::error::ApiError;
use super::request::{Method, Request, Response};
use super::texts::null_as_default;
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/v1/imessage/triage-number`
    pub const TRIAGE_NUMBER_GET: Operation =
        Operation::new("imessage.triage_number.get", Method::Get, "/api/v1/imessage/triage-number");
    /// `POST /api/v1/imessage/messages` (response wrapped in `{"message": …}`).
    pub const MESSAGES_SEND: Operation =
        Operation::new("imessage.messages.send", Method::Post, "/api/v1/imessage/messages");
    /// `GET /api/v1/imessage/messages`
    pub const MESSAGES_LIST: Operation =
        Operation::new("imessage.messages.list", Method::Get, "/api/v1/imessage/messages").paging(Paging::Offset);
    /// `GET /api/v1/imessage/assignments`
    pub const ASSIGNMENTS_LIST: Operation =
        Operation::new("imessage.assignments.list", Method::Get, "/api/v1/imessage/assignments").paging(Paging::Offset);
    /// `GET /api/v1/imessage/conversations`
    pub const CONVERSATIONS_LIST: Operation =
        Operation::new("imessage.conversations.list", Method::Get, "/api/v1/imessage/conversations")
            .paging(Paging::Offset);
    /// `GET /api/v1/imessage/conversations/{conversation_id}`
    pub const CONVERSATIONS_GET: Operation =
        Operation::new("imessage.conversations.get", Method::Get, "/api/v1/imessage/conversations/{conversation_id}");
    /// `POST /api/v1/imessage/reactions`
    pub const REACTIONS_SEND: Operation =
        Operation::new("imessage.reactions.send", Method::Post, "/api/v1/imessage/reactions");
    /// `POST /api/v1/imessage/mark-read`
    pub const MARK_READ: Operation =
        Operation::new("imessage.conversations.mark_read", Method::Post, "/api/v1/imessage/mark-read");
    /// `POST /api/v1/imessage/typing`
    pub const TYPING_SEND: Operation = Operation::new("imessage.typing.send", Method::Post, "/api/v1/imessage/typing");
    /// `POST /api/v1/imessage/media` (multipart/form-data).
    pub const MEDIA_UPLOAD: Operation = Operation::new("imessage.media.upload", Method::Post, "/api/v1/imessage/media");
    /// `GET /api/v1/imessage/identities/{handle}/contact-rules`
    pub const CONTACT_RULES_LIST: Operation = Operation::new(
        "imessage.contact_rules.list",
        Method::Get,
        "/api/v1/imessage/identities/{handle}/contact-rules",
    )
    .paging(Paging::Offset);
    /// `GET /api/v1/imessage/identities/{handle}/contact-rules/{rule_id}`
    pub const CONTACT_RULES_GET: Operation = Operation::new(
        "imessage.contact_rules.get",
        Method::Get,
        "/api/v1/imessage/identities/{handle}/contact-rules/{rule_id}",
    );
    /// `POST /api/v1/imessage/identities/{handle}/contact-rules`
    pub const CONTACT_RULES_CREATE: Operation = Operation::new(
        "imessage.contact_rules.create",
        Method::Post,
        "/api/v1/imessage/identities/{handle}/contact-rules",
    );
    /// `PATCH /api/v1/imessage/identities/{handle}/contact-rules/{rule_id}` (admin-only).
    pub const CONTACT_RULES_UPDATE: Operation = Operation::new(
        "imessage.contact_rules.update",
        Method::Patch,
        "/api/v1/imessage/identities/{handle}/contact-rules/{rule_id}",
    );
    /// `DELETE /api/v1/imessage/identities/{handle}/contact-rules/{rule_id}` (admin-only).
    pub const CONTACT_RULES_DELETE: Operation = Operation::new(
        "imessage.contact_rules.delete",
        Method::Delete,
        "/api/v1/imessage/identities/{handle}/contact-rules/{rule_id}",
    );
    /// `GET /api/v1/imessage/contact-rules` (org-wide, admin-only).
    pub const ORG_CONTACT_RULES_LIST: Operation =
        Operation::new("imessage.org_contact_rules.list", Method::Get, "/api/v1/imessage/contact-rules")
            .paging(Paging::Offset);
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[
    &ops::TRIAGE_NUMBER_GET,
    &ops::MESSAGES_SEND,
    &ops::MESSAGES_LIST,
    &ops::ASSIGNMENTS_LIST,
    &ops::CONVERSATIONS_LIST,
    &ops::CONVERSATIONS_GET,
    &ops::REACTIONS_SEND,
    &ops::MARK_READ,
    &ops::TYPING_SEND,
    &ops::MEDIA_UPLOAD,
    &ops::CONTACT_RULES_LIST,
    &ops::CONTACT_RULES_GET,
    &ops::CONTACT_RULES_CREATE,
    &ops::CONTACT_RULES_UPDATE,
    &ops::CONTACT_RULES_DELETE,
    &ops::ORG_CONTACT_RULES_LIST,
];

/// The API's page-size ceiling for every list of this family.
pub const MAX_LIMIT: u32 = 200;
/// The SDK's default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest media upload the API accepts (10 MiB).
pub const MAX_MEDIA_BYTES: usize = 10 * 1024 * 1024;
/// The part content type sent when the caller gives none.
pub const DEFAULT_MEDIA_CONTENT_TYPE: &str = "application/octet-stream";

// ---------------------------------------------------------------- enums

wire_enum! {
    /// Which way a message or tapback went.
    pub enum IMessageDirection {
        /// From the human.
        Inbound = "inbound",
        /// From the agent.
        Outbound = "outbound",
    }
}

wire_enum! {
    /// The kind of message row.
    pub enum IMessageType {
        /// A plain message.
        Message = "message",
        /// A carousel.
        Carousel = "carousel",
    }
}

wire_enum! {
    /// The transport actually used (iMessage may downgrade).
    pub enum IMessageService {
        /// iMessage.
        Imessage = "imessage",
        /// SMS fallback.
        Sms = "sms",
        /// RCS fallback.
        Rcs = "rcs",
    }
}

wire_enum! {
    /// The delivery lifecycle of a message.
    pub enum IMessageDeliveryStatus {
        /// Registered with the provider.
        Registered = "registered",
        /// Pending.
        Pending = "pending",
        /// Queued.
        Queued = "queued",
        /// Accepted by the provider.
        Accepted = "accepted",
        /// Sent.
        Sent = "sent",
        /// Delivered.
        Delivered = "delivered",
        /// Declined.
        Declined = "declined",
        /// Failed.
        Error = "error",
        /// Received (inbound).
        Received = "received",
    }
}

wire_enum! {
    /// An expressive send style.
    pub enum IMessageSendStyle {
        /// Celebration.
        Celebration = "celebration",
        /// Shooting star.
        ShootingStar = "shooting_star",
        /// Fireworks.
        Fireworks = "fireworks",
        /// Lasers.
        Lasers = "lasers",
        /// Love.
        Love = "love",
        /// Confetti.
        Confetti = "confetti",
        /// Balloons.
        Balloons = "balloons",
        /// Spotlight.
        Spotlight = "spotlight",
        /// Echo.
        Echo = "echo",
        /// Invisible ink.
        Invisible = "invisible",
        /// Gentle.
        Gentle = "gentle",
        /// Loud.
        Loud = "loud",
        /// Slam.
        Slam = "slam",
    }
}

wire_enum! {
    /// A tapback kind: the classic six (sendable) plus `custom` (inbound-only;
    /// the emoji is in `custom_emoji`).
    pub enum IMessageReactionType {
        /// Heart.
        Love = "love",
        /// Thumbs up.
        Like = "like",
        /// Thumbs down.
        Dislike = "dislike",
        /// Ha ha.
        Laugh = "laugh",
        /// Exclamation marks.
        Emphasize = "emphasize",
        /// Question mark.
        Question = "question",
        /// Any emoji (inbound only; the server answers 422 on send).
        Custom = "custom",
    }
}

wire_enum! {
    /// The state of a recipient ↔ identity connection.
    #[derive(Default)]
    pub enum IMessageAssignmentStatus {
        /// Connected.
        #[default]
        Active = "active",
        /// Disconnected; the conversation stays readable, sends return 409.
        Released = "released",
    }
}

/// What a contact rule does with a matching number (`allow` / `block`).
pub type IMessageRuleAction = super::common::RuleAction;

wire_enum! {
    /// What a contact rule matches on.
    #[derive(Default)]
    pub enum IMessageRuleMatchType {
        /// One E.164 number.
        #[default]
        ExactNumber = "exact_number",
    }
}

wire_enum! {
    /// Whether a contact rule is evaluated.
    pub enum IMessageRuleStatus {
        /// Evaluated.
        Active = "active",
        /// Kept but ignored.
        Paused = "paused",
    }
}

// --------------------------------------------------------------- models

/// A media attachment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageMediaItem {
    /// Download URL.
    pub url: String,
    /// MIME type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
}

/// Per-recipient outbound state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageRecipient {
    /// The recipient (E.164).
    pub remote_number: String,
    /// Delivery state for this recipient.
    #[serde(default)]
    pub delivery_status: Option<IMessageDeliveryStatus>,
    /// Transport used for this recipient.
    #[serde(default)]
    pub service: Option<IMessageService>,
    /// Provider error code.
    #[serde(default)]
    pub error_code: Option<String>,
    /// Provider error message.
    #[serde(default)]
    pub error_message: Option<String>,
    /// Provider error reason.
    #[serde(default)]
    pub error_reason: Option<String>,
    /// Error details.
    #[serde(default)]
    pub error_detail: Option<String>,
    /// When it was sent.
    #[serde(default)]
    pub sent_at: Option<Timestamp>,
    /// When it was delivered.
    #[serde(default)]
    pub delivered_at: Option<Timestamp>,
    /// When it failed.
    #[serde(default)]
    pub failed_at: Option<Timestamp>,
}

/// A live tapback attached to a message (in read responses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageMessageReaction {
    /// Reaction UUID.
    pub id: String,
    /// Who reacted.
    pub direction: IMessageDirection,
    /// The tapback kind.
    pub reaction: IMessageReactionType,
    /// The literal emoji of a `custom` reaction.
    #[serde(default)]
    pub custom_emoji: Option<String>,
    /// The human's number (E.164).
    pub remote_number: String,
    /// The message part reacted to (absent or null → 0).
    #[serde(default, deserialize_with = "null_as_default")]
    pub part_index: u32,
    /// When it was made.
    pub created_at: Timestamp,
}

/// An iMessage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessage {
    /// Message UUID.
    pub id: String,
    /// Conversation UUID.
    pub conversation_id: String,
    /// Assignment UUID (non-null on 0.4.9 servers; newer servers send null for groups).
    #[serde(default)]
    pub assignment_id: Option<String>,
    /// Inbound or outbound.
    pub direction: IMessageDirection,
    /// The human's number (non-null on 0.4.9 servers; newer servers send null for groups).
    #[serde(default)]
    pub remote_number: Option<String>,
    /// The message text (the send field is `text`).
    #[serde(default)]
    pub content: Option<String>,
    /// `message` or `carousel`.
    pub message_type: IMessageType,
    /// The transport actually used.
    pub service: IMessageService,
    /// Expressive send style.
    #[serde(default)]
    pub send_style: Option<IMessageSendStyle>,
    /// Attachments.
    #[serde(default)]
    pub media: Option<Vec<IMessageMediaItem>>,
    /// Whether the message fell back to SMS/RCS.
    #[serde(default)]
    pub was_downgraded: Option<bool>,
    /// Delivery lifecycle.
    #[serde(default)]
    pub status: Option<IMessageDeliveryStatus>,
    /// Provider error code.
    #[serde(default)]
    pub error_code: Option<String>,
    /// Provider error message.
    #[serde(default)]
    pub error_message: Option<String>,
    /// Provider error reason.
    #[serde(default)]
    pub error_reason: Option<String>,
    /// Error details.
    #[serde(default)]
    pub error_detail: Option<String>,
    /// Read flag.
    pub is_read: bool,
    /// Rejected by a contact rule (absent or null → false).
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_blocked: bool,
    /// Per-recipient outbound state.
    #[serde(default)]
    pub recipients: Option<Vec<IMessageRecipient>>,
    /// Live tapbacks, oldest first.
    #[serde(default)]
    pub reactions: Option<Vec<IMessageMessageReaction>>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// One conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageConversation {
    /// Conversation UUID.
    pub id: String,
    /// Assignment UUID (non-null on 0.4.9 servers).
    #[serde(default)]
    pub assignment_id: Option<String>,
    /// Connection state (absent or null → `active`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub assignment_status: IMessageAssignmentStatus,
    /// The human's number (non-null on 0.4.9 servers).
    #[serde(default)]
    pub remote_number: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// A conversation row with its latest-message preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageConversationSummary {
    /// Conversation UUID.
    pub id: String,
    /// Assignment UUID (non-null on 0.4.9 servers).
    #[serde(default)]
    pub assignment_id: Option<String>,
    /// Connection state (absent or null → `active`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub assignment_status: IMessageAssignmentStatus,
    /// The human's number (non-null on 0.4.9 servers).
    #[serde(default)]
    pub remote_number: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Latest message text.
    #[serde(default)]
    pub latest_text: Option<String>,
    /// When the latest message arrived.
    #[serde(default)]
    pub latest_message_at: Option<Timestamp>,
    /// Direction of the latest message.
    #[serde(default)]
    pub latest_direction: Option<IMessageDirection>,
    /// The latest message has media (absent or null → false).
    #[serde(default, deserialize_with = "null_as_default")]
    pub latest_has_media: bool,
    /// Unread messages (absent or null → 0).
    #[serde(default, deserialize_with = "null_as_default")]
    pub unread_count: u64,
    /// All messages (absent or null → 0).
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_count: u64,
}

/// A recipient ↔ identity connection made through the triage number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageAssignment {
    /// Assignment UUID.
    pub id: String,
    /// The human's number (E.164).
    pub remote_number: String,
    /// The identity it is connected to.
    pub agent_identity_id: String,
    /// The organization.
    pub organization_id: String,
    /// Connection state.
    pub status: IMessageAssignmentStatus,
    /// When it was released.
    #[serde(default)]
    pub released_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// A tapback, as returned by a reaction send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageReaction {
    /// Reaction UUID.
    pub id: String,
    /// Conversation UUID.
    pub conversation_id: String,
    /// Assignment UUID (non-null on 0.4.9 servers).
    #[serde(default)]
    pub assignment_id: Option<String>,
    /// The message reacted to.
    pub target_message_id: String,
    /// Who reacted.
    pub direction: IMessageDirection,
    /// The tapback kind.
    pub reaction: IMessageReactionType,
    /// The literal emoji of a `custom` reaction.
    #[serde(default)]
    pub custom_emoji: Option<String>,
    /// The human's number (E.164).
    pub remote_number: String,
    /// The message part reacted to (absent or null → 0).
    #[serde(default, deserialize_with = "null_as_default")]
    pub part_index: u32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// The router number humans text to connect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageTriageNumber {
    /// The router number (E.164). Resolve at runtime; never hardcode.
    pub number: String,
    /// What to text, e.g. `connect @my-agent`.
    pub connect_command: String,
}

/// The result of marking a conversation read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageMarkReadResult {
    /// Conversation UUID.
    pub conversation_id: String,
    /// Inbound rows marked read.
    pub updated_count: u64,
}

/// An uploaded media file, usable in `media_urls`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageMediaUpload {
    /// The reusable URL.
    pub media_url: String,
    /// MIME type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
}

/// A per-identity allow/block rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageContactRule {
    /// Rule UUID.
    pub id: String,
    /// The identity the rule belongs to.
    pub agent_identity_id: String,
    /// Allow or block.
    pub action: IMessageRuleAction,
    /// What it matches on.
    pub match_type: IMessageRuleMatchType,
    /// The matched value (E.164 for `exact_number`).
    pub match_target: String,
    /// Active or paused.
    pub status: IMessageRuleStatus,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

// --------------------------------------------------------- triage number

/// Builds `GET /api/v1/imessage/triage-number`.
pub fn build_get_triage_number() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::TRIAGE_NUMBER_GET, &[])?.build())
}

/// Parses the triage number (404 when no triage line is active).
pub fn parse_get_triage_number(resp: &Response<'_>) -> Result<IMessageTriageNumber, ApiError> {
    parse::json(&ops::TRIAGE_NUMBER_GET, resp)
}

// ----------------------------------------------------------------- send

/// Body of `POST /api/v1/imessage/messages`. Only supplied keys are sent.
///
/// Exactly one of `to` and `conversation_id` must be given (the spec calls
/// them mutually exclusive; we also refuse neither).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendIMessageRequest {
    /// A connected recipient (E.164).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Reply into this conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Message text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// At most one URL (e.g. a `media_url` from the media upload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_urls: Option<Vec<String>>,
    /// Expressive send style.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_style: Option<IMessageSendStyle>,
}

#[derive(Deserialize)]
struct SentIMessage {
    message: IMessage,
}

/// Builds `POST /api/v1/imessage/messages[?agent_identity_id=…]`.
///
/// `agent_identity_id` picks the sending identity for org-wide keys (required
/// by the server when sending by `to`); identity-scoped keys ignore it.
/// Validation: exactly one of `to`/`conversation_id`, `to` is E.164, at most
/// one media URL.
pub fn build_send_message(input: &SendIMessageRequest, agent_identity_id: Option<&str>) -> Result<Request, ApiError> {
    match (&input.to, &input.conversation_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::validation("to", "give either to or conversation_id, not both"));
        }
        (None, None) => return Err(ApiError::validation("to", "give either to or conversation_id")),
        (Some(to), None) => validate::e164("to", to)?,
        (None, Some(c)) => validate::non_empty("conversation_id", c)?,
    }
    if input.media_urls.as_ref().is_some_and(|m| m.len() > 1) {
        return Err(ApiError::validation("media_urls", "at most one media URL is allowed"));
    }
    if let Some(id) = agent_identity_id {
        validate::non_empty("agent_identity_id", id)?;
    }
    Ok(Request::builder(&ops::MESSAGES_SEND, &[])?
        .query_opt("agent_identity_id", agent_identity_id)
        .json(input)?
        .build())
}

/// Parses the sent message, unwrapping `{"message": …}`.
pub fn parse_send_message(resp: &Response<'_>) -> Result<IMessage, ApiError> {
    parse::json::<SentIMessage>(&ops::MESSAGES_SEND, resp).map(|w| w.message)
}

// ----------------------------------------------------------------- lists

/// Query of `GET /api/v1/imessage/messages`. `limit` and `offset` are always sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListIMessagesParams {
    /// 1–200 (default 50).
    pub limit: u32,
    /// Rows to skip (default 0).
    pub offset: u64,
    /// Narrow to one identity (admin/JWT callers).
    pub agent_identity_id: Option<String>,
    /// Narrow to one conversation.
    pub conversation_id: Option<String>,
    /// Filter by read state.
    pub is_read: Option<bool>,
    /// `true` only blocked, `false` only non-blocked, `None` all.
    pub is_blocked: Option<bool>,
}

impl Default for ListIMessagesParams {
    fn default() -> Self {
        ListIMessagesParams {
            limit: DEFAULT_LIMIT,
            offset: 0,
            agent_identity_id: None,
            conversation_id: None,
            is_read: None,
            is_blocked: None,
        }
    }
}

/// Builds `GET /api/v1/imessage/messages`.
pub fn build_list_messages(params: &ListIMessagesParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::MESSAGES_LIST, &[])?
        .query("limit", params.limit)
        .query("offset", params.offset)
        .query_opt("agent_identity_id", params.agent_identity_id.as_ref())
        .query_opt("conversation_id", params.conversation_id.as_ref())
        .query_opt("is_read", params.is_read)
        .query_opt("is_blocked", params.is_blocked)
        .build())
}

/// Parses a page of messages (newest first).
pub fn parse_list_messages(resp: &Response<'_>) -> Result<Vec<IMessage>, ApiError> {
    parse::json(&ops::MESSAGES_LIST, resp)
}

/// Query of `GET /api/v1/imessage/assignments`. `limit` and `offset` are always sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListIMessageAssignmentsParams {
    /// 1–200 (default 50).
    pub limit: u32,
    /// Rows to skip (default 0).
    pub offset: u64,
    /// Narrow to one identity (admin/JWT callers).
    pub agent_identity_id: Option<String>,
}

impl Default for ListIMessageAssignmentsParams {
    fn default() -> Self {
        ListIMessageAssignmentsParams { limit: DEFAULT_LIMIT, offset: 0, agent_identity_id: None }
    }
}

/// Builds `GET /api/v1/imessage/assignments`.
pub fn build_list_assignments(params: &ListIMessageAssignmentsParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::ASSIGNMENTS_LIST, &[])?
        .query("limit", params.limit)
        .query("offset", params.offset)
        .query_opt("agent_identity_id", params.agent_identity_id.as_ref())
        .build())
}

/// Parses active assignments (newest first).
pub fn parse_list_assignments(resp: &Response<'_>) -> Result<Vec<IMessageAssignment>, ApiError> {
    parse::json(&ops::ASSIGNMENTS_LIST, resp)
}

/// Query of `GET /api/v1/imessage/conversations`. `limit` and `offset` are always sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListIMessageConversationsParams {
    /// 1–200 (default 50).
    pub limit: u32,
    /// Rows to skip (default 0).
    pub offset: u64,
    /// Narrow to one identity (admin/JWT callers).
    pub agent_identity_id: Option<String>,
    /// Tri-state filter on the underlying messages.
    pub is_blocked: Option<bool>,
}

impl Default for ListIMessageConversationsParams {
    fn default() -> Self {
        ListIMessageConversationsParams { limit: DEFAULT_LIMIT, offset: 0, agent_identity_id: None, is_blocked: None }
    }
}

/// Builds `GET /api/v1/imessage/conversations`.
pub fn build_list_conversations(params: &ListIMessageConversationsParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::CONVERSATIONS_LIST, &[])?
        .query("limit", params.limit)
        .query("offset", params.offset)
        .query_opt("agent_identity_id", params.agent_identity_id.as_ref())
        .query_opt("is_blocked", params.is_blocked)
        .build())
}

/// Parses conversation summaries.
pub fn parse_list_conversations(resp: &Response<'_>) -> Result<Vec<IMessageConversationSummary>, ApiError> {
    parse::json(&ops::CONVERSATIONS_LIST, resp)
}

/// Builds `GET /api/v1/imessage/conversations/{conversation_id}[?agent_identity_id=…]`.
///
/// `agent_identity_id` is an assertion: the server answers 404 when the
/// conversation belongs to another identity.
pub fn build_get_conversation(conversation_id: &str, agent_identity_id: Option<&str>) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CONVERSATIONS_GET, &[conversation_id])?
        .query_opt("agent_identity_id", agent_identity_id)
        .build())
}

/// Parses one conversation.
pub fn parse_get_conversation(resp: &Response<'_>) -> Result<IMessageConversation, ApiError> {
    parse::json(&ops::CONVERSATIONS_GET, resp)
}

// ------------------------------------------------------------- reactions

/// Body of `POST /api/v1/imessage/reactions`. `part_index` is always sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendIMessageReactionRequest {
    /// The message to react to.
    pub message_id: String,
    /// The tapback: one of the classic six (`custom` is refused client-side;
    /// unknown values pass through for newer servers).
    pub reaction: IMessageReactionType,
    /// The part of a multi-part message (default 0).
    #[serde(default)]
    pub part_index: u32,
}

impl SendIMessageReactionRequest {
    /// A reaction to part 0 of `message_id`.
    pub fn new(message_id: impl Into<String>, reaction: IMessageReactionType) -> Self {
        SendIMessageReactionRequest { message_id: message_id.into(), reaction, part_index: 0 }
    }
}

/// Builds `POST /api/v1/imessage/reactions`.
pub fn build_send_reaction(input: &SendIMessageReactionRequest) -> Result<Request, ApiError> {
    validate::non_empty("message_id", &input.message_id)?;
    match &input.reaction {
        IMessageReactionType::Custom => {
            return Err(ApiError::validation("reaction", "custom reactions are inbound-only; send one of the six"));
        }
        IMessageReactionType::Unknown(v) => validate::non_empty("reaction", v)?,
        _ => {}
    }
    Ok(Request::builder(&ops::REACTIONS_SEND, &[])?.json(input)?.build())
}

/// Parses the stored reaction.
pub fn parse_send_reaction(resp: &Response<'_>) -> Result<IMessageReaction, ApiError> {
    parse::json(&ops::REACTIONS_SEND, resp)
}

// ---------------------------------------------------- mark-read / typing

/// Body of `POST /mark-read` and `POST /typing`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IMessageConversationRequest {
    /// The conversation.
    pub conversation_id: String,
}

/// Builds `POST /api/v1/imessage/mark-read` (sends a read receipt and marks inbound rows read).
pub fn build_mark_read(conversation_id: &str) -> Result<Request, ApiError> {
    validate::non_empty("conversation_id", conversation_id)?;
    let body = IMessageConversationRequest { conversation_id: String::from(conversation_id) };
    Ok(Request::builder(&ops::MARK_READ, &[])?.json(&body)?.build())
}

/// Parses the mark-read result.
pub fn parse_mark_read(resp: &Response<'_>) -> Result<IMessageMarkReadResult, ApiError> {
    parse::json(&ops::MARK_READ, resp)
}

/// Builds `POST /api/v1/imessage/typing` (shows a typing indicator).
pub fn build_send_typing(conversation_id: &str) -> Result<Request, ApiError> {
    validate::non_empty("conversation_id", conversation_id)?;
    let body = IMessageConversationRequest { conversation_id: String::from(conversation_id) };
    Ok(Request::builder(&ops::TYPING_SEND, &[])?.json(&body)?.build())
}

/// Checks the typing response: any 2xx (204, or a body that is ignored).
pub fn parse_send_typing(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::TYPING_SEND, resp)
}

// ----------------------------------------------------------------- media

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

fn check_filename(filename: &str) -> Result<(), ApiError> {
    validate::non_empty("filename", filename)?;
    if filename.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
        return Err(ApiError::validation(
            "filename",
            "must not contain quotes, backslashes, CR, LF or other control characters",
        ));
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A boundary `inkbox-<32 hex>` from SHA-256 of a domain tag, the attempt
/// counter, and either the caller's seed or the whole part (filename, content
/// type, content).
fn derive_boundary(seed: Option<&[u8]>, filename: &str, content_type: &str, content: &[u8], attempt: u32) -> String {
    let mut h = Sha256::new();
    h.update(b"inkbox-multipart-boundary-v1\0");
    h.update(attempt.to_le_bytes());
    match seed {
        Some(s) => {
            h.update([1u8]);
            h.update(s);
        }
        None => {
            h.update([0u8]);
            h.update(filename.as_bytes());
            h.update([0u8]);
            h.update(content_type.as_bytes());
            h.update([0u8]);
            h.update(content);
        }
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(7 + 32);
    out.push_str("inkbox-");
    for b in digest.iter().take(16) {
        out.push(char::from(HEX_LOWER.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
        out.push(char::from(HEX_LOWER.get(usize::from(b & 0xf)).copied().unwrap_or(b'0')));
    }
    out
}

/// Builds `POST /api/v1/imessage/media`: a `multipart/form-data` body with one
/// part named `file`, carrying `filename` and a part `Content-Type`
/// (`content_type`, default `application/octet-stream`).
///
/// Core has no randomness, so the boundary (`inkbox-` + 32 hex digits) is
/// derived with SHA-256: from `boundary_seed` when given (a binding may pass
/// random bytes), otherwise from the part itself, so the same upload always
/// yields the same bytes. A boundary whose delimiter occurs in the content is
/// never used: the derivation is repeated with a counter until it does not.
///
/// Validation: content ≤ 10 MiB; filename non-empty without `"`, `\`, CR, LF
/// or other control characters (UTF-8 is written verbatim); content type
/// printable ASCII.
pub fn build_upload_media(
    content: &[u8],
    filename: &str,
    content_type: Option<&str>,
    boundary_seed: Option<&[u8]>,
) -> Result<Request, ApiError> {
    if content.len() > MAX_MEDIA_BYTES {
        return Err(ApiError::validation("content", "media must be at most 10 MiB"));
    }
    check_filename(filename)?;
    let content_type = content_type.unwrap_or(DEFAULT_MEDIA_CONTENT_TYPE);
    validate::header_value("content_type", content_type)?;

    let mut boundary = None;
    for attempt in 0..16 {
        let candidate = derive_boundary(boundary_seed, filename, content_type, content, attempt);
        let mut delimiter = Vec::with_capacity(candidate.len() + 2);
        delimiter.extend_from_slice(b"--");
        delimiter.extend_from_slice(candidate.as_bytes());
        if !contains(content, &delimiter) {
            boundary = Some(candidate);
            break;
        }
    }
    let boundary = boundary.ok_or_else(|| ApiError::validation("content", "could not choose a multipart boundary"))?;

    let mut body = Vec::with_capacity(content.len() + filename.len() + content_type.len() + 200);
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"");
    body.extend_from_slice(filename.as_bytes());
    body.extend_from_slice(b"\"\r\nContent-Type: ");
    body.extend_from_slice(content_type.as_bytes());
    body.extend_from_slice(b"\r\n\r\n");
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");

    let mut header = String::from("multipart/form-data; boundary=");
    header.push_str(&boundary);
    Ok(Request::builder(&ops::MEDIA_UPLOAD, &[])?.raw_body(&header, body).build())
}

/// Parses the upload result.
pub fn parse_upload_media(resp: &Response<'_>) -> Result<IMessageMediaUpload, ApiError> {
    parse::json(&ops::MEDIA_UPLOAD, resp)
}

// --------------------------------------------------------- contact rules

/// Query of the per-identity rule list: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListIMessageContactRulesParams {
    /// Filter by action.
    pub action: Option<IMessageRuleAction>,
    /// Filter by match type.
    pub match_type: Option<IMessageRuleMatchType>,
    /// 1–200.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Query of the org-wide rule list: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListOrgIMessageContactRulesParams {
    /// Narrow to one identity.
    pub agent_identity_id: Option<String>,
    /// Filter by action.
    pub action: Option<IMessageRuleAction>,
    /// Filter by match type.
    pub match_type: Option<IMessageRuleMatchType>,
    /// 1–200.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Body of a rule create. `match_type` is always sent (default `exact_number`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateIMessageContactRuleRequest {
    /// Allow or block.
    pub action: IMessageRuleAction,
    /// What to match on.
    #[serde(default)]
    pub match_type: IMessageRuleMatchType,
    /// The value to match (E.164 for `exact_number`).
    pub match_target: String,
}

impl CreateIMessageContactRuleRequest {
    /// An `exact_number` rule.
    pub fn new(action: IMessageRuleAction, match_target: impl Into<String>) -> Self {
        CreateIMessageContactRuleRequest {
            action,
            match_type: IMessageRuleMatchType::ExactNumber,
            match_target: match_target.into(),
        }
    }
}

/// Body of a rule update (admin-only). Only supplied keys are sent.
/// (HEAD servers require `action` and no longer accept `status`.)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateIMessageContactRuleRequest {
    /// New action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<IMessageRuleAction>,
    /// Pause or resume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<IMessageRuleStatus>,
}

/// Builds `GET /api/v1/imessage/identities/{handle}/contact-rules` (handle normalized).
pub fn build_list_contact_rules(handle: &str, params: &ListIMessageContactRulesParams) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    if let Some(limit) = params.limit {
        validate::limit(limit, MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::CONTACT_RULES_LIST, &[&handle])?
        .query_opt("action", params.action.as_ref().map(IMessageRuleAction::as_str))
        .query_opt("match_type", params.match_type.as_ref().map(IMessageRuleMatchType::as_str))
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses an identity's rules.
pub fn parse_list_contact_rules(resp: &Response<'_>) -> Result<Vec<IMessageContactRule>, ApiError> {
    parse::json(&ops::CONTACT_RULES_LIST, resp)
}

/// Builds `GET /api/v1/imessage/identities/{handle}/contact-rules/{rule_id}`.
pub fn build_get_contact_rule(handle: &str, rule_id: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::CONTACT_RULES_GET, &[&handle, rule_id])?.build())
}

/// Parses one rule.
pub fn parse_get_contact_rule(resp: &Response<'_>) -> Result<IMessageContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_GET, resp)
}

/// Builds `POST /api/v1/imessage/identities/{handle}/contact-rules`.
/// An `exact_number` target must be E.164.
pub fn build_create_contact_rule(handle: &str, input: &CreateIMessageContactRuleRequest) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    match &input.match_type {
        IMessageRuleMatchType::ExactNumber => validate::e164("match_target", &input.match_target)?,
        IMessageRuleMatchType::Unknown(_) => validate::non_empty("match_target", &input.match_target)?,
    }
    Ok(Request::builder(&ops::CONTACT_RULES_CREATE, &[&handle])?.json(input)?.build())
}

/// Parses the created rule (409 `existing_rule_id` → duplicate contact rule).
pub fn parse_create_contact_rule(resp: &Response<'_>) -> Result<IMessageContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_CREATE, resp)
}

/// Builds `PATCH /api/v1/imessage/identities/{handle}/contact-rules/{rule_id}`.
pub fn build_update_contact_rule(
    handle: &str,
    rule_id: &str,
    input: &UpdateIMessageContactRuleRequest,
) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::CONTACT_RULES_UPDATE, &[&handle, rule_id])?.json(input)?.build())
}

/// Parses the updated rule.
pub fn parse_update_contact_rule(resp: &Response<'_>) -> Result<IMessageContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_UPDATE, resp)
}

/// Builds `DELETE /api/v1/imessage/identities/{handle}/contact-rules/{rule_id}`.
pub fn build_delete_contact_rule(handle: &str, rule_id: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::CONTACT_RULES_DELETE, &[&handle, rule_id])?.build())
}

/// Checks the delete response (any 2xx).
pub fn parse_delete_contact_rule(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::CONTACT_RULES_DELETE, resp)
}

/// Builds `GET /api/v1/imessage/contact-rules` (org-wide, admin-only).
pub fn build_list_org_contact_rules(params: &ListOrgIMessageContactRulesParams) -> Result<Request, ApiError> {
    if let Some(limit) = params.limit {
        validate::limit(limit, MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::ORG_CONTACT_RULES_LIST, &[])?
        .query_opt("agent_identity_id", params.agent_identity_id.as_ref())
        .query_opt("action", params.action.as_ref().map(IMessageRuleAction::as_str))
        .query_opt("match_type", params.match_type.as_ref().map(IMessageRuleMatchType::as_str))
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses the org's rules.
pub fn parse_list_org_contact_rules(resp: &Response<'_>) -> Result<Vec<IMessageContactRule>, ApiError> {
    parse::json(&ops::ORG_CONTACT_RULES_LIST, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::error::ErrorKind;
    use crate::api::test_support::{body, ok, status};
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    const CONV: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    const IDENT: &str = "99999999-8888-7777-6666-555555555555";

    const MESSAGE: &str = r#"{"id":"m-1","conversation_id":"c-1","assignment_id":"a-1","direction":"inbound","remote_number":"+15551234567","content":"hi","message_type":"message","service":"imessage","send_style":null,"media":[{"url":"https://cdn/x.png","content_type":null,"size":null}],"was_downgraded":null,"status":"received","error_code":null,"error_message":null,"error_reason":null,"error_detail":null,"is_read":false,"recipients":null,"reactions":[{"id":"r-1","direction":"outbound","reaction":"like","custom_emoji":null,"remote_number":"+15551234567","created_at":"2026-03-09T00:00:00Z"},{"id":"r-2","direction":"inbound","reaction":"custom","custom_emoji":"🔥","remote_number":"+15551234567","part_index":1,"created_at":"2026-03-09T00:00:01Z"}],"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","sender_number":null}"#;

    const OUTBOUND: &str = r#"{"id":"m-2","conversation_id":"c-1","assignment_id":"a-1","direction":"outbound","remote_number":"+15551234567","content":"On it","message_type":"message","service":"sms","send_style":"slam","media":null,"was_downgraded":true,"status":"queued","is_read":true,"is_blocked":null,"recipients":[{"remote_number":"+15551234567","delivery_status":"queued","service":null,"error_code":null,"error_message":null,"error_reason":null,"error_detail":null,"sent_at":null,"delivered_at":null,"failed_at":null}],"reactions":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;

    const RULE: &str = r#"{"id":"rule-1","agent_identity_id":"99999999-8888-7777-6666-555555555555","action":"block","match_type":"exact_number","match_target":"+15555550999","status":"active","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;

    #[test]
    fn triage_number_golden_and_parse() {
        let r = build_get_triage_number().unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Get, "/api/v1/imessage/triage-number", true)
        );
        let t =
            parse_get_triage_number(&ok(r#"{"number":"+15550009999","connect_command":"connect @my-agent","x":1}"#))
                .unwrap();
        assert_eq!(t.connect_command, "connect @my-agent");
        let e = parse_get_triage_number(&status(404, r#"{"detail":"No active triage number"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn send_golden() {
        let input = SendIMessageRequest {
            conversation_id: Some(CONV.into()),
            text: Some("On it — give me two minutes.".into()),
            ..Default::default()
        };
        let r = build_send_message(&input, None).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/imessage/messages"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(body(&r), format!(r#"{{"conversation_id":"{CONV}","text":"On it — give me two minutes."}}"#));

        let input = SendIMessageRequest {
            to: Some("+15551234567".into()),
            media_urls: Some(vec!["https://media/x.png".into()]),
            send_style: Some(IMessageSendStyle::ShootingStar),
            ..Default::default()
        };
        let r = build_send_message(&input, Some(IDENT)).unwrap();
        assert_eq!(r.path_and_query, format!("/api/v1/imessage/messages?agent_identity_id={IDENT}"));
        assert_eq!(
            body(&r),
            r#"{"to":"+15551234567","media_urls":["https://media/x.png"],"send_style":"shooting_star"}"#
        );
        let back: SendIMessageRequest = serde_json::from_str(body(&r)).unwrap();
        assert_eq!(back, input);
    }

    #[test]
    fn send_validation() {
        let cases = [
            SendIMessageRequest { text: Some("x".into()), ..Default::default() },
            SendIMessageRequest {
                to: Some("+15551234567".into()),
                conversation_id: Some(CONV.into()),
                ..Default::default()
            },
            SendIMessageRequest { to: Some("555".into()), ..Default::default() },
            SendIMessageRequest {
                conversation_id: Some(CONV.into()),
                media_urls: Some(vec!["a".into(), "b".into()]),
                ..Default::default()
            },
        ];
        for c in &cases {
            assert_eq!(build_send_message(c, None).unwrap_err().code(), "api.validation", "{c:?}");
        }
        let ok_input = SendIMessageRequest { conversation_id: Some(CONV.into()), ..Default::default() };
        assert_eq!(build_send_message(&ok_input, Some("")).unwrap_err().code(), "api.validation");
    }

    #[test]
    fn send_parse_unwraps_and_classifies() {
        let m =
            parse_send_message(&Response::new(201, &[], format!(r#"{{"message":{OUTBOUND}}}"#).as_bytes())).unwrap();
        assert_eq!(m.id, "m-2");
        assert_eq!(m.service, IMessageService::Sms);
        assert_eq!(m.send_style, Some(IMessageSendStyle::Slam));
        assert_eq!(m.was_downgraded, Some(true));
        assert!(!m.is_blocked);
        assert_eq!(m.recipients.as_ref().unwrap()[0].delivery_status, Some(IMessageDeliveryStatus::Queued));
        // A bare message (not wrapped) is a decode error.
        assert_eq!(parse_send_message(&ok(OUTBOUND)).unwrap_err().code(), "api.decode");

        let cases: &[(u16, &str, &str)] = &[
            (400, r#"{"detail":"Identity is not iMessage-enabled"}"#, "api.bad_request"),
            (404, r#"{"detail":"Recipient has not connected; text 'connect @bot' to +15550009999"}"#, "api.not_found"),
            (409, r#"{"detail":"Assignment released"}"#, "api.conflict"),
            (429, r#"{"detail":"Daily iMessage cap reached"}"#, "api.rate_limited"),
        ];
        for (s, b, want) in cases {
            assert_eq!(parse_send_message(&status(*s, b)).unwrap_err().code(), *want, "{b}");
        }
        let e = parse_send_message(&status(
            403,
            r#"{"detail":{"error":"recipient_blocked","matched_rule_id":"rule-1","address":"+15555550999","reason":"block rule"}}"#,
        ))
        .unwrap_err();
        match &e.as_status().unwrap().kind {
            ErrorKind::RecipientBlocked { matched_rule_id, address, .. } => {
                assert_eq!(matched_rule_id.as_deref(), Some("rule-1"));
                assert_eq!(address.as_deref(), Some("+15555550999"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.as_status().unwrap().operation, "imessage.messages.send");
    }

    #[test]
    fn list_messages_golden_and_parse() {
        let r = build_list_messages(&ListIMessagesParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/imessage/messages?limit=50&offset=0"));
        let p = ListIMessagesParams {
            limit: 10,
            offset: 20,
            agent_identity_id: Some(IDENT.into()),
            conversation_id: Some(CONV.into()),
            is_read: Some(false),
            is_blocked: Some(true),
        };
        assert_eq!(
            build_list_messages(&p).unwrap().path_and_query,
            format!(
                "/api/v1/imessage/messages?limit=10&offset=20&agent_identity_id={IDENT}&conversation_id={CONV}&is_read=false&is_blocked=true"
            )
        );
        assert!(build_list_messages(&ListIMessagesParams { limit: 201, ..Default::default() }).is_err());

        let list = parse_list_messages(&ok(&format!("[{MESSAGE},{OUTBOUND}]"))).unwrap();
        let m = &list[0];
        assert_eq!((m.direction.clone(), m.message_type.clone()), (IMessageDirection::Inbound, IMessageType::Message));
        assert_eq!(m.status, Some(IMessageDeliveryStatus::Received));
        assert_eq!(m.media.as_ref().unwrap()[0].size, None);
        let reactions = m.reactions.as_ref().unwrap();
        assert_eq!(reactions[0].part_index, 0);
        assert_eq!(reactions[0].reaction, IMessageReactionType::Like);
        assert_eq!(reactions[1].reaction, IMessageReactionType::Custom);
        assert_eq!(reactions[1].custom_emoji.as_deref(), Some("🔥"));
        assert_eq!(reactions[1].part_index, 1);

        // Unknown enum values and newer nullable fields are tolerated.
        let newer = MESSAGE
            .replace(r#""assignment_id":"a-1""#, r#""assignment_id":null"#)
            .replace(r#""remote_number":"+15551234567","content""#, r#""remote_number":null,"content""#)
            .replace(r#""service":"imessage""#, r#""service":"satellite""#)
            .replace(r#""reaction":"like""#, r#""reaction":"eyes""#)
            .replace(r#""message_type":"message""#, r#""message_type":"poll""#);
        let m: IMessage = parse_list_messages(&ok(&format!("[{newer}]"))).unwrap().remove(0);
        assert_eq!(m.assignment_id, None);
        assert_eq!(m.remote_number, None);
        assert_eq!(m.service, IMessageService::Unknown("satellite".into()));
        assert_eq!(m.message_type, IMessageType::Unknown("poll".into()));
        assert_eq!(m.reactions.as_ref().unwrap()[0].reaction, IMessageReactionType::Unknown("eyes".into()));
        // Serialization is the wire shape and round-trips.
        let back: IMessage = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn assignments_golden_and_parse() {
        let r = build_list_assignments(&ListIMessageAssignmentsParams::default()).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/imessage/assignments?limit=50&offset=0")
        );
        let p = ListIMessageAssignmentsParams { limit: 5, offset: 1, agent_identity_id: Some(IDENT.into()) };
        assert_eq!(
            build_list_assignments(&p).unwrap().path_and_query,
            format!("/api/v1/imessage/assignments?limit=5&offset=1&agent_identity_id={IDENT}")
        );
        assert!(build_list_assignments(&ListIMessageAssignmentsParams { limit: 0, ..Default::default() }).is_err());
        let a = parse_list_assignments(&ok(r#"[{"id":"a-1","remote_number":"+15551234567","agent_identity_id":"i-1","organization_id":"org_1","status":"active","released_at":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}]"#)).unwrap();
        assert_eq!(a[0].status, IMessageAssignmentStatus::Active);
        assert_eq!(
            parse_list_assignments(&status(401, r#"{"detail":"Invalid API key"}"#)).unwrap_err().code(),
            "api.unauthorized"
        );
    }

    #[test]
    fn conversations_golden_and_parse() {
        let r = build_list_conversations(&ListIMessageConversationsParams::default()).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/imessage/conversations?limit=50&offset=0");
        let p = ListIMessageConversationsParams {
            limit: 20,
            offset: 0,
            agent_identity_id: Some(IDENT.into()),
            is_blocked: Some(false),
        };
        assert_eq!(
            build_list_conversations(&p).unwrap().path_and_query,
            format!("/api/v1/imessage/conversations?limit=20&offset=0&agent_identity_id={IDENT}&is_blocked=false")
        );
        let list = parse_list_conversations(&ok(r#"[
            {"id":"c-1","assignment_id":"a-1","remote_number":"+15551234567","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"},
            {"id":"c-2","assignment_id":"a-2","assignment_status":"released","remote_number":"+15557654321","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","latest_text":"bye","latest_message_at":"2026-03-09T01:00:00Z","latest_direction":"outbound","latest_has_media":true,"unread_count":3,"total_count":7,"is_group":false}
        ]"#)).unwrap();
        assert_eq!(list[0].assignment_status, IMessageAssignmentStatus::Active);
        assert_eq!((list[0].unread_count, list[0].total_count, list[0].latest_has_media), (0, 0, false));
        assert_eq!(list[0].latest_direction, None);
        assert_eq!(list[1].assignment_status, IMessageAssignmentStatus::Released);
        assert_eq!((list[1].unread_count, list[1].total_count, list[1].latest_has_media), (3, 7, true));

        let r = build_get_conversation(CONV, None).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/imessage/conversations/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
        );
        let r = build_get_conversation(CONV, Some(IDENT)).unwrap();
        assert_eq!(r.path_and_query, format!("/api/v1/imessage/conversations/{CONV}?agent_identity_id={IDENT}"));
        assert_eq!(build_get_conversation("", None).unwrap_err().code(), "api.validation");
        let c = parse_get_conversation(&ok(r#"{"id":"c-1","assignment_id":"a-1","assignment_status":null,"remote_number":"+15551234567","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#)).unwrap();
        assert_eq!(c.assignment_status, IMessageAssignmentStatus::Active);
        let c = parse_get_conversation(&ok(r#"{"id":"c-1","assignment_id":"a-1","assignment_status":"paused","remote_number":"+1555","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#)).unwrap();
        assert_eq!(c.assignment_status, IMessageAssignmentStatus::Unknown("paused".into()));
        assert_eq!(
            parse_get_conversation(&status(404, r#"{"detail":"Not Found"}"#)).unwrap_err().code(),
            "api.not_found"
        );
    }

    #[test]
    fn reactions_golden_and_parse() {
        let r = build_send_reaction(&SendIMessageReactionRequest::new("m-1", IMessageReactionType::Like)).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/imessage/reactions"));
        assert_eq!(body(&r), r#"{"message_id":"m-1","reaction":"like","part_index":0}"#);
        let input = SendIMessageReactionRequest {
            part_index: 2,
            ..SendIMessageReactionRequest::new("m-1", IMessageReactionType::Emphasize)
        };
        assert_eq!(
            body(&build_send_reaction(&input).unwrap()),
            r#"{"message_id":"m-1","reaction":"emphasize","part_index":2}"#
        );
        let newer = SendIMessageReactionRequest::new("m-1", IMessageReactionType::Unknown("eyes".into()));
        assert_eq!(
            body(&build_send_reaction(&newer).unwrap()),
            r#"{"message_id":"m-1","reaction":"eyes","part_index":0}"#
        );
        for bad in [
            SendIMessageReactionRequest::new("m-1", IMessageReactionType::Custom),
            SendIMessageReactionRequest::new("", IMessageReactionType::Love),
            SendIMessageReactionRequest::new("m-1", IMessageReactionType::Unknown(String::new())),
        ] {
            assert_eq!(build_send_reaction(&bad).unwrap_err().code(), "api.validation");
        }
        let back: SendIMessageReactionRequest =
            serde_json::from_str(r#"{"message_id":"m","reaction":"love"}"#).unwrap();
        assert_eq!(back.part_index, 0);

        let rx = parse_send_reaction(&ok(r#"{"id":"r-1","conversation_id":"c-1","assignment_id":"a-1","target_message_id":"m-1","direction":"outbound","reaction":"love","custom_emoji":null,"remote_number":"+15551234567","part_index":0,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#)).unwrap();
        assert_eq!((rx.reaction, rx.direction), (IMessageReactionType::Love, IMessageDirection::Outbound));
        assert_eq!(
            parse_send_reaction(&status(422, r#"{"detail":"custom reactions cannot be sent"}"#)).unwrap_err().code(),
            "api.unprocessable"
        );
    }

    #[test]
    fn mark_read_and_typing_golden() {
        let r = build_mark_read(CONV).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/imessage/mark-read"));
        assert_eq!(body(&r), format!(r#"{{"conversation_id":"{CONV}"}}"#));
        assert!(build_mark_read("").is_err());
        let m = parse_mark_read(&ok(r#"{"conversation_id":"c-1","updated_count":3}"#)).unwrap();
        assert_eq!(m.updated_count, 3);

        let r = build_send_typing(CONV).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/imessage/typing"));
        assert_eq!(body(&r), format!(r#"{{"conversation_id":"{CONV}"}}"#));
        assert!(build_send_typing(" ").is_err());
        assert!(parse_send_typing(&status(204, "")).is_ok());
        assert!(parse_send_typing(&ok(r#"{"ok":true}"#)).is_ok());
        assert!(parse_send_typing(&ok("")).is_ok());
        assert_eq!(
            parse_send_typing(&status(409, r#"{"detail":"group conversations unsupported"}"#)).unwrap_err().code(),
            "api.conflict"
        );
    }

    #[test]
    fn media_upload_golden() {
        let r = build_upload_media(b"PNGDATA", "chart.png", Some("image/png"), Some(b"seed-1")).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/imessage/media"));
        let ct = r.header("content-type").unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert_eq!(boundary, "inkbox-fc49fcdc2cc47d3389ef28b411f85825");
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chart.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--{boundary}--\r\n"
        );
        assert_eq!(body(&r), expected);
        assert_eq!(r.header("accept"), Some("application/json"));

        // Deterministic without a seed; the default part type; different content → different boundary.
        let a = build_upload_media(b"abc", "a.bin", None, None).unwrap();
        let b = build_upload_media(b"abc", "a.bin", None, None).unwrap();
        let c = build_upload_media(b"abd", "a.bin", None, None).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.header("content-type"), c.header("content-type"));
        assert!(body(&a).contains("\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n"));
        // UTF-8 filenames are written verbatim.
        assert!(body(&build_upload_media(b"x", "résumé.pdf", None, None).unwrap()).contains("filename=\"résumé.pdf\""));
        // Empty content is allowed (the server decides).
        assert!(build_upload_media(b"", "empty.txt", None, None).is_ok());
    }

    #[test]
    fn media_upload_boundary_never_occurs_in_content() {
        // Content that embeds the boundary the seed would produce first.
        let first = build_upload_media(b"x", "f", None, Some(b"s")).unwrap();
        let b0 =
            first.header("content-type").unwrap().strip_prefix("multipart/form-data; boundary=").unwrap().to_string();
        let hostile = format!("before\r\n--{b0}--\r\nafter");
        let r = build_upload_media(hostile.as_bytes(), "f", None, Some(b"s")).unwrap();
        let b1 = r.header("content-type").unwrap().strip_prefix("multipart/form-data; boundary=").unwrap();
        assert_ne!(b1, b0);
        assert!(!hostile.contains(&format!("--{b1}")));
        assert!(b1.starts_with("inkbox-") && b1.len() == 39);
    }

    #[test]
    fn media_upload_validation_and_parse() {
        for bad in ["", "a\"b.png", "a\r\nX: y", "a\nb", "a\\b", "nul\0"] {
            assert_eq!(build_upload_media(b"x", bad, None, None).unwrap_err().code(), "api.validation", "{bad:?}");
        }
        assert!(build_upload_media(b"x", "a.png", Some("image/png\r\nX: y"), None).is_err());
        assert!(build_upload_media(b"x", "a.png", Some(""), None).is_err());
        let big = vec![0u8; MAX_MEDIA_BYTES + 1];
        assert_eq!(build_upload_media(&big, "big.bin", None, None).unwrap_err().code(), "api.validation");
        let up = parse_upload_media(&ok(r#"{"media_url":"https://media/x.png","content_type":"image/png","size":7}"#))
            .unwrap();
        assert_eq!((up.media_url.as_str(), up.size), ("https://media/x.png", Some(7)));
        let up = parse_upload_media(&ok(r#"{"media_url":"https://media/y"}"#)).unwrap();
        assert_eq!((up.content_type, up.size), (None, None));
        assert_eq!(parse_upload_media(&status(413, "Request Entity Too Large")).unwrap_err().code(), "api.http_error");
    }

    #[test]
    fn contact_rules_golden() {
        let r = build_list_contact_rules("@My-Agent", &ListIMessageContactRulesParams::default()).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/imessage/identities/my-agent/contact-rules")
        );
        let p = ListIMessageContactRulesParams {
            action: Some(IMessageRuleAction::Block),
            match_type: Some(IMessageRuleMatchType::ExactNumber),
            limit: Some(10),
            offset: Some(0),
        };
        assert_eq!(
            build_list_contact_rules("my-agent", &p).unwrap().path_and_query,
            "/api/v1/imessage/identities/my-agent/contact-rules?action=block&match_type=exact_number&limit=10&offset=0"
        );
        let p = ListIMessageContactRulesParams { limit: Some(201), ..Default::default() };
        assert!(build_list_contact_rules("my-agent", &p).is_err());

        let r = build_get_contact_rule("my-agent", "rule-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/imessage/identities/my-agent/contact-rules/rule-1")
        );

        let r = build_create_contact_rule(
            "@my-agent",
            &CreateIMessageContactRuleRequest::new(IMessageRuleAction::Block, "+15555550999"),
        )
        .unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Post, "/api/v1/imessage/identities/my-agent/contact-rules")
        );
        assert_eq!(body(&r), r#"{"action":"block","match_type":"exact_number","match_target":"+15555550999"}"#);
        let back: CreateIMessageContactRuleRequest =
            serde_json::from_str(r#"{"action":"allow","match_target":"+1555"}"#).unwrap();
        assert_eq!(back.match_type, IMessageRuleMatchType::ExactNumber);
        let bad = CreateIMessageContactRuleRequest::new(IMessageRuleAction::Allow, "5555550999");
        assert_eq!(build_create_contact_rule("my-agent", &bad).unwrap_err().code(), "api.validation");

        let u = UpdateIMessageContactRuleRequest { action: Some(IMessageRuleAction::Allow), status: None };
        let r = build_update_contact_rule("my-agent", "rule-1", &u).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Patch, "/api/v1/imessage/identities/my-agent/contact-rules/rule-1")
        );
        assert_eq!(body(&r), r#"{"action":"allow"}"#);
        let u = UpdateIMessageContactRuleRequest { action: None, status: Some(IMessageRuleStatus::Paused) };
        assert_eq!(body(&build_update_contact_rule("my-agent", "rule-1", &u).unwrap()), r#"{"status":"paused"}"#);

        let r = build_delete_contact_rule("My-Agent", "rule-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/api/v1/imessage/identities/my-agent/contact-rules/rule-1", true)
        );
        assert!(build_delete_contact_rule("my-agent", "").is_err());

        let r = build_list_org_contact_rules(&ListOrgIMessageContactRulesParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/imessage/contact-rules"));
        let p = ListOrgIMessageContactRulesParams {
            agent_identity_id: Some(IDENT.into()),
            action: Some(IMessageRuleAction::Allow),
            match_type: None,
            limit: Some(200),
            offset: Some(400),
        };
        assert_eq!(
            build_list_org_contact_rules(&p).unwrap().path_and_query,
            format!("/api/v1/imessage/contact-rules?agent_identity_id={IDENT}&action=allow&limit=200&offset=400")
        );
        assert!(
            build_list_org_contact_rules(&ListOrgIMessageContactRulesParams { limit: Some(0), ..Default::default() })
                .is_err()
        );
    }

    #[test]
    fn contact_rules_parse_and_errors() {
        let rule = parse_get_contact_rule(&ok(RULE)).unwrap();
        assert_eq!((rule.action.clone(), rule.status.clone()), (IMessageRuleAction::Block, IMessageRuleStatus::Active));
        assert_eq!(parse_list_contact_rules(&ok(&format!("[{RULE}]"))).unwrap().len(), 1);
        assert_eq!(parse_list_org_contact_rules(&ok(&format!("[{RULE}]"))).unwrap()[0], rule);
        let odd = RULE.replace("\"exact_number\"", "\"prefix\"").replace("\"active\"", "\"archived\"");
        let r = parse_update_contact_rule(&ok(&odd)).unwrap();
        assert_eq!(r.match_type, IMessageRuleMatchType::Unknown("prefix".into()));
        assert_eq!(r.status, IMessageRuleStatus::Unknown("archived".into()));
        assert_eq!(parse_create_contact_rule(&Response::new(201, &[], RULE.as_bytes())).unwrap(), rule);

        let e = parse_create_contact_rule(&status(
            409,
            r#"{"detail":{"existing_rule_id":"rule-0","message":"A rule for this number already exists"}}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.duplicate_contact_rule");
        match &e.as_status().unwrap().kind {
            ErrorKind::DuplicateContactRule { existing_rule_id } => assert_eq!(existing_rule_id, "rule-0"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_update_contact_rule(&status(403, r#"{"detail":"admin only"}"#)).unwrap_err().code(),
            "api.forbidden"
        );
        assert!(parse_delete_contact_rule(&status(204, "")).is_ok());
        assert_eq!(
            parse_delete_contact_rule(&status(404, r#"{"detail":"Not Found"}"#)).unwrap_err().code(),
            "api.not_found"
        );
        assert_eq!(
            parse_list_org_contact_rules(&status(403, r#"{"detail":"admin only"}"#)).unwrap_err().code(),
            "api.forbidden"
        );
    }

    #[test]
    fn operation_names() {
        assert_eq!(OPERATIONS.len(), 16);
        assert_eq!(ops::CONTACT_RULES_CREATE.name, "imessage.contact_rules.create");
        assert_eq!(ops::ORG_CONTACT_RULES_LIST.name, "imessage.org_contact_rules.list");
        assert!(OPERATIONS.iter().all(|o| o.name.starts_with("imessage.") && o.path.starts_with("/api/v1/imessage/")));
        assert_eq!(IMessageReactionType::KNOWN.len(), 7);
        assert_eq!(IMessageSendStyle::KNOWN.len(), 13);
    }
}
