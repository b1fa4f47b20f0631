//! Texts (SMS/MMS) and the SMS opt-in registry (spec/texts.md).
//!
//! Texts hang off the sending number: `/api/v1/phone/numbers/{phone_number_id}/texts…`;
//! the consent registry lives at `/api/v1/phone/sms-opt-ins…`.
//!
//! Send gates surface as classified errors (see [`ErrorKind`](super::ErrorKind)):
//! 429 `sender_rate_limited`, 409 `sender_sms_pending`, 403
//! `recipient_not_opted_in` / `recipient_opted_out` / `recipient_blocked`, and
//! 409 `customer_campaign_required` on opt-in/opt-out writes.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::catalog::{Operation, Paging};
use super::error::ApiError;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// The operations of this family.
///
/// Route precedence for an emulator that matches templates in order:
/// [`OPERATIONS`] lists `texts/search` and `texts/conversations` before
/// `texts/{text_id}`.
pub mod ops {
    use super::*;
    /// `POST /api/v1/phone/numbers/{phone_number_id}/texts`
    pub const SEND: Operation =
        Operation::new("texts.send", Method::Post, "/api/v1/phone/numbers/{phone_number_id}/texts");
    /// `GET /api/v1/phone/numbers/{phone_number_id}/texts`
    pub const LIST: Operation =
        Operation::new("texts.list", Method::Get, "/api/v1/phone/numbers/{phone_number_id}/texts")
            .paging(Paging::Offset);
    /// `GET /api/v1/phone/numbers/{phone_number_id}/texts/search`
    pub const SEARCH: Operation =
        Operation::new("texts.search", Method::Get, "/api/v1/phone/numbers/{phone_number_id}/texts/search")
            .paging(Paging::Limit);
    /// `GET /api/v1/phone/numbers/{phone_number_id}/texts/conversations`
    pub const CONVERSATIONS_LIST: Operation = Operation::new(
        "texts.conversations.list",
        Method::Get,
        "/api/v1/phone/numbers/{phone_number_id}/texts/conversations",
    )
    .paging(Paging::Offset);
    /// `GET /api/v1/phone/numbers/{phone_number_id}/texts/conversations/{key}` (the messages).
    pub const CONVERSATION_GET: Operation = Operation::new(
        "texts.conversations.get",
        Method::Get,
        "/api/v1/phone/numbers/{phone_number_id}/texts/conversations/{key}",
    )
    .paging(Paging::Offset);
    /// `PATCH /api/v1/phone/numbers/{phone_number_id}/texts/conversations/{key}`
    pub const CONVERSATION_UPDATE: Operation = Operation::new(
        "texts.conversations.update",
        Method::Patch,
        "/api/v1/phone/numbers/{phone_number_id}/texts/conversations/{key}",
    );
    /// `GET /api/v1/phone/numbers/{phone_number_id}/texts/{text_id}`
    pub const GET: Operation =
        Operation::new("texts.get", Method::Get, "/api/v1/phone/numbers/{phone_number_id}/texts/{text_id}");
    /// `PATCH /api/v1/phone/numbers/{phone_number_id}/texts/{text_id}`
    pub const UPDATE: Operation =
        Operation::new("texts.update", Method::Patch, "/api/v1/phone/numbers/{phone_number_id}/texts/{text_id}");
    /// `GET /api/v1/phone/sms-opt-ins`
    pub const SMS_OPT_INS_LIST: Operation =
        Operation::new("sms_opt_ins.list", Method::Get, "/api/v1/phone/sms-opt-ins").paging(Paging::Offset);
    /// `GET /api/v1/phone/sms-opt-ins/{receiver_number}`
    pub const SMS_OPT_INS_GET: Operation =
        Operation::new("sms_opt_ins.get", Method::Get, "/api/v1/phone/sms-opt-ins/{receiver_number}");
    /// `POST /api/v1/phone/sms-opt-ins/{receiver_number}/opt-in` (no body).
    pub const SMS_OPT_INS_OPT_IN: Operation =
        Operation::new("sms_opt_ins.opt_in", Method::Post, "/api/v1/phone/sms-opt-ins/{receiver_number}/opt-in");
    /// `POST /api/v1/phone/sms-opt-ins/{receiver_number}/opt-out` (no body).
    pub const SMS_OPT_INS_OPT_OUT: Operation =
        Operation::new("sms_opt_ins.opt_out", Method::Post, "/api/v1/phone/sms-opt-ins/{receiver_number}/opt-out");
}

/// Every operation of this family (literal routes before `{text_id}`).
pub const OPERATIONS: &[&Operation] = &[
    &ops::SEND,
    &ops::LIST,
    &ops::SEARCH,
    &ops::CONVERSATIONS_LIST,
    &ops::CONVERSATION_GET,
    &ops::CONVERSATION_UPDATE,
    &ops::GET,
    &ops::UPDATE,
    &ops::SMS_OPT_INS_LIST,
    &ops::SMS_OPT_INS_GET,
    &ops::SMS_OPT_INS_OPT_IN,
    &ops::SMS_OPT_INS_OPT_OUT,
];

/// The API's page-size ceiling for every list of this family.
pub const MAX_LIMIT: u32 = 200;
/// The SDK's default page size.
pub const DEFAULT_LIMIT: u32 = 50;

// ------------------------------------------------------------- helpers

pub(crate) use super::common::{is_uuid, null_as_default};

/// A conversation key is a 1:1 remote E.164 number or a conversation UUID.
fn conversation_key(key: &str) -> Result<(), ApiError> {
    if key.starts_with('+') {
        validate::e164("key", key)
    } else if is_uuid(key) {
        Ok(())
    } else {
        Err(ApiError::validation("key", "must be an E.164 number such as +15551234567 or a conversation UUID"))
    }
}

// ---------------------------------------------------------------- enums

wire_enum! {
    /// Which way a text went.
    pub enum TextDirection {
        /// Received by your number.
        Inbound = "inbound",
        /// Sent from your number.
        Outbound = "outbound",
    }
}

wire_enum! {
    /// The carrier message type.
    pub enum TextType {
        /// Plain SMS.
        Sms = "sms",
        /// MMS (media or group).
        Mms = "mms",
    }
}

wire_enum! {
    /// Outbound delivery state (a rollup for group sends).
    pub enum TextDeliveryStatus {
        /// Accepted, not yet handed to the carrier.
        Queued = "queued",
        /// Handed to the carrier.
        Sent = "sent",
        /// The carrier confirmed delivery.
        Delivered = "delivered",
        /// The carrier reported a failure.
        DeliveryFailed = "delivery_failed",
        /// No delivery receipt arrived.
        DeliveryUnconfirmed = "delivery_unconfirmed",
        /// Sending failed before reaching the carrier.
        SendingFailed = "sending_failed",
    }
}

wire_enum! {
    /// What produced a text.
    #[derive(Default)]
    pub enum TextOrigin {
        /// Sent by a caller (the default when absent).
        #[default]
        UserInitiated = "user_initiated",
        /// An automatic reply.
        AutoReply = "auto_reply",
    }
}

wire_enum! {
    /// A recipient's consent state.
    pub enum SmsOptInStatus {
        /// The recipient opted in (START or an API write).
        OptedIn = "opted_in",
        /// The recipient opted out (STOP or an API write).
        OptedOut = "opted_out",
    }
}

wire_enum! {
    /// Where a consent change came from.
    pub enum SmsOptInSource {
        /// An inbound START/STOP text.
        Sms = "sms",
        /// An API write.
        Api = "api",
    }
}

// --------------------------------------------------------------- models

/// One MMS part (a temporary signed URL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMediaItem {
    /// MIME type, e.g. `image/jpeg`.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Temporary signed download URL.
    pub url: String,
}

/// Per-recipient outbound state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessageRecipient {
    /// The recipient (E.164).
    pub recipient_phone_number: String,
    /// Delivery state for this recipient.
    #[serde(default)]
    pub delivery_status: Option<TextDeliveryStatus>,
    /// Carrier name.
    #[serde(default)]
    pub carrier: Option<String>,
    /// Line type (e.g. mobile, landline).
    #[serde(default)]
    pub line_type: Option<String>,
    /// Carrier/provider error code.
    #[serde(default)]
    pub error_code: Option<String>,
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

/// An SMS/MMS message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessage {
    /// Text UUID.
    pub id: String,
    /// Inbound or outbound.
    pub direction: TextDirection,
    /// Your number (E.164).
    pub local_phone_number: String,
    /// The counterparty for inbound and 1:1 outbound; `None` for group outbound.
    #[serde(default)]
    pub remote_phone_number: Option<String>,
    /// The message text.
    #[serde(default)]
    pub text: Option<String>,
    /// `sms` or `mms` (wire field `type`).
    #[serde(rename = "type")]
    pub text_type: TextType,
    /// MMS parts.
    #[serde(default)]
    pub media: Option<Vec<TextMediaItem>>,
    /// Read flag.
    pub is_read: bool,
    /// The conversation this row belongs to.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Sender attribution on group inbound.
    #[serde(default)]
    pub sender_phone_number: Option<String>,
    /// `None` on inbound; one entry on 1:1 outbound; N on group outbound.
    #[serde(default)]
    pub recipients: Option<Vec<TextMessageRecipient>>,
    /// Outbound only; a rollup for group sends.
    #[serde(default)]
    pub delivery_status: Option<TextDeliveryStatus>,
    /// What produced the text (absent or null → `user_initiated`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub origin: TextOrigin,
    /// Outbound 1:1 error code.
    #[serde(default)]
    pub error_code: Option<String>,
    /// Outbound 1:1 error details.
    #[serde(default)]
    pub error_detail: Option<String>,
    /// Outbound 1:1: when it was sent.
    #[serde(default)]
    pub sent_at: Option<Timestamp>,
    /// Outbound 1:1: when it was delivered.
    #[serde(default)]
    pub delivered_at: Option<Timestamp>,
    /// Outbound 1:1: when it failed.
    #[serde(default)]
    pub failed_at: Option<Timestamp>,
    /// Rejected by a contact rule / default block (absent or null → false).
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_blocked: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// A conversation row with its latest-message preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextConversationSummary {
    /// Conversation UUID.
    #[serde(default)]
    pub id: Option<String>,
    /// The 1:1 counterparty; `None` for groups.
    #[serde(default)]
    pub remote_phone_number: Option<String>,
    /// Participants (E.164).
    #[serde(default)]
    pub participants: Option<Vec<String>>,
    /// A group conversation (absent or null → false).
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_group: bool,
    /// Latest message text.
    #[serde(default)]
    pub latest_text: Option<String>,
    /// Direction of the latest message.
    pub latest_direction: TextDirection,
    /// Carrier type of the latest message.
    pub latest_type: TextType,
    /// The latest message has a real attachment (absent or null → false).
    #[serde(default, deserialize_with = "null_as_default")]
    pub latest_has_media: bool,
    /// When the latest message arrived.
    pub latest_message_at: Timestamp,
    /// Unread messages.
    pub unread_count: u64,
    /// All messages.
    pub total_count: u64,
}

/// The result of marking a conversation read or unread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextConversationUpdateResult {
    /// The 1:1 counterparty, if any.
    #[serde(default)]
    pub remote_phone_number: Option<String>,
    /// The conversation UUID, if known.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// The new read state.
    pub is_read: bool,
    /// Rows changed.
    pub updated_count: u64,
}

/// A consent row keyed by (organization, recipient number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsOptIn {
    /// Row UUID.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The recipient (E.164).
    pub receiver_number: String,
    /// Current consent state.
    pub status: SmsOptInStatus,
    /// Where the last change came from.
    pub source: SmsOptInSource,
    /// Set when `status` is `opted_in`.
    #[serde(default)]
    pub opted_in_at: Option<Timestamp>,
    /// Set when `status` is `opted_out`.
    #[serde(default)]
    pub opted_out_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

// ----------------------------------------------------------------- send

/// The `to` of a send: one number (1:1) or a list (group MMS, beta).
/// Serializes as a JSON string or array.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TextRecipients {
    /// One E.164 number.
    One(String),
    /// Several E.164 numbers (group MMS).
    Many(Vec<String>),
}

impl From<&str> for TextRecipients {
    fn from(value: &str) -> Self {
        TextRecipients::One(String::from(value))
    }
}

impl From<String> for TextRecipients {
    fn from(value: String) -> Self {
        TextRecipients::One(value)
    }
}

impl From<Vec<String>> for TextRecipients {
    fn from(value: Vec<String>) -> Self {
        TextRecipients::Many(value)
    }
}

/// Input of `POST …/texts`. Only supplied keys are sent.
///
/// Exactly one of `to` and `conversation_id` must be given. The official SDK
/// leaves that check to the server; we refuse both-or-neither before sending.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendTextRequest {
    /// One E.164 number, or a list for a group send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<TextRecipients>,
    /// Reply into an existing conversation (the server resolves participants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Message text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// MMS media URLs (with or without `text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_urls: Option<Vec<String>>,
}

/// Builds `POST /api/v1/phone/numbers/{phone_number_id}/texts`.
///
/// Validation: exactly one of `to`/`conversation_id` (stricter than the SDK);
/// every `to` number is E.164; a `to` list is non-empty.
pub fn build_send(phone_number_id: &str, input: &SendTextRequest) -> Result<Request, ApiError> {
    match (&input.to, &input.conversation_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::validation("to", "give either to or conversation_id, not both"));
        }
        (None, None) => return Err(ApiError::validation("to", "give either to or conversation_id")),
        (Some(TextRecipients::One(n)), None) => validate::e164("to", n)?,
        (Some(TextRecipients::Many(list)), None) => {
            if list.is_empty() {
                return Err(ApiError::validation("to", "must name at least one recipient"));
            }
            for n in list {
                validate::e164("to", n)?;
            }
        }
        (None, Some(c)) => validate::non_empty("conversation_id", c)?,
    }
    Ok(Request::builder(&ops::SEND, &[phone_number_id])?.json(input)?.build())
}

/// Parses the queued text.
pub fn parse_send(resp: &Response<'_>) -> Result<TextMessage, ApiError> {
    parse::json(&ops::SEND, resp)
}

// ----------------------------------------------------------------- list

/// Query of `GET …/texts`. `limit` and `offset` are always sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListTextsParams {
    /// 1–200 (default 50).
    pub limit: u32,
    /// Rows to skip (default 0).
    pub offset: u64,
    /// Filter by read state.
    pub is_read: Option<bool>,
    /// `true` only blocked, `false` only non-blocked, `None` all.
    pub is_blocked: Option<bool>,
}

impl Default for ListTextsParams {
    fn default() -> Self {
        ListTextsParams { limit: DEFAULT_LIMIT, offset: 0, is_read: None, is_blocked: None }
    }
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/texts`.
pub fn build_list(phone_number_id: &str, params: &ListTextsParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::LIST, &[phone_number_id])?
        .query("limit", params.limit)
        .query("offset", params.offset)
        .query_opt("is_read", params.is_read)
        .query_opt("is_blocked", params.is_blocked)
        .build())
}

/// Parses a page of texts (newest first).
pub fn parse_list(resp: &Response<'_>) -> Result<Vec<TextMessage>, ApiError> {
    parse::json(&ops::LIST, resp)
}

// --------------------------------------------------------------- search

/// Query of `GET …/texts/search`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchTextsParams {
    /// The search query (required, non-empty).
    pub q: String,
    /// 1–200 (default 50), always sent.
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// `true` only blocked, `false` only non-blocked, `None` all.
    #[serde(default)]
    pub is_blocked: Option<bool>,
}

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

impl SearchTextsParams {
    /// A search for `q` with the default limit.
    pub fn new(q: impl Into<String>) -> Self {
        SearchTextsParams { q: q.into(), limit: DEFAULT_LIMIT, is_blocked: None }
    }
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/texts/search`.
pub fn build_search(phone_number_id: &str, params: &SearchTextsParams) -> Result<Request, ApiError> {
    validate::non_empty("q", &params.q)?;
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::SEARCH, &[phone_number_id])?
        .query("q", &params.q)
        .query("limit", params.limit)
        .query_opt("is_blocked", params.is_blocked)
        .build())
}

/// Parses search hits.
pub fn parse_search(resp: &Response<'_>) -> Result<Vec<TextMessage>, ApiError> {
    parse::json(&ops::SEARCH, resp)
}

// -------------------------------------------------------- conversations

/// Query of `GET …/texts/conversations`. `limit` and `offset` are always sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListTextConversationsParams {
    /// 1–200 (default 50).
    pub limit: u32,
    /// Rows to skip (default 0).
    pub offset: u64,
    /// Tri-state filter on the underlying messages.
    pub is_blocked: Option<bool>,
    /// Include group conversations (`include_groups=true` sent only when set;
    /// the server default is 1:1 rows only).
    pub include_groups: bool,
}

impl Default for ListTextConversationsParams {
    fn default() -> Self {
        ListTextConversationsParams { limit: DEFAULT_LIMIT, offset: 0, is_blocked: None, include_groups: false }
    }
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/texts/conversations`.
pub fn build_list_conversations(
    phone_number_id: &str,
    params: &ListTextConversationsParams,
) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::CONVERSATIONS_LIST, &[phone_number_id])?
        .query("limit", params.limit)
        .query("offset", params.offset)
        .query_opt("is_blocked", params.is_blocked)
        .query_opt("include_groups", params.include_groups.then_some(true))
        .build())
}

/// Parses conversation summaries.
pub fn parse_list_conversations(resp: &Response<'_>) -> Result<Vec<TextConversationSummary>, ApiError> {
    parse::json(&ops::CONVERSATIONS_LIST, resp)
}

/// Query of `GET …/texts/conversations/{key}`. Both are always sent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GetTextConversationParams {
    /// 1–200 (default 50).
    pub limit: u32,
    /// Rows to skip (default 0).
    pub offset: u64,
}

impl Default for GetTextConversationParams {
    fn default() -> Self {
        GetTextConversationParams { limit: DEFAULT_LIMIT, offset: 0 }
    }
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/texts/conversations/{key}`.
///
/// `key` is a 1:1 remote E.164 number (sent with a literal `+`) or a
/// conversation UUID; anything else is refused.
pub fn build_get_conversation(
    phone_number_id: &str,
    key: &str,
    params: &GetTextConversationParams,
) -> Result<Request, ApiError> {
    conversation_key(key)?;
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::CONVERSATION_GET, &[phone_number_id, key])?
        .query("limit", params.limit)
        .query("offset", params.offset)
        .build())
}

/// Parses the conversation's messages (newest first).
pub fn parse_get_conversation(resp: &Response<'_>) -> Result<Vec<TextMessage>, ApiError> {
    parse::json(&ops::CONVERSATION_GET, resp)
}

/// Body of `PATCH …/texts/conversations/{key}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateTextConversationRequest {
    /// Mark every message read (`true`) or unread (`false`).
    pub is_read: bool,
}

/// Builds `PATCH /api/v1/phone/numbers/{phone_number_id}/texts/conversations/{key}`.
pub fn build_update_conversation(
    phone_number_id: &str,
    key: &str,
    input: &UpdateTextConversationRequest,
) -> Result<Request, ApiError> {
    conversation_key(key)?;
    Ok(Request::builder(&ops::CONVERSATION_UPDATE, &[phone_number_id, key])?.json(input)?.build())
}

/// Parses the update result.
pub fn parse_update_conversation(resp: &Response<'_>) -> Result<TextConversationUpdateResult, ApiError> {
    parse::json(&ops::CONVERSATION_UPDATE, resp)
}

// ------------------------------------------------------------ get/update

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/texts/{text_id}`.
pub fn build_get(phone_number_id: &str, text_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::GET, &[phone_number_id, text_id])?.build())
}

/// Parses one text.
pub fn parse_get(resp: &Response<'_>) -> Result<TextMessage, ApiError> {
    parse::json(&ops::GET, resp)
}

/// Body of `PATCH …/texts/{text_id}`. Only supplied keys are sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateTextRequest {
    /// Mark read (`true`) or unread (`false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_read: Option<bool>,
    /// Historical delete: the seed README shows `status="deleted"`. The 0.4.9
    /// SDK no longer sends it and server support is not evidenced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Builds `PATCH /api/v1/phone/numbers/{phone_number_id}/texts/{text_id}`.
pub fn build_update(phone_number_id: &str, text_id: &str, input: &UpdateTextRequest) -> Result<Request, ApiError> {
    if let Some(s) = &input.status {
        validate::non_empty("status", s)?;
    }
    Ok(Request::builder(&ops::UPDATE, &[phone_number_id, text_id])?.json(input)?.build())
}

/// Parses the updated text.
pub fn parse_update(resp: &Response<'_>) -> Result<TextMessage, ApiError> {
    parse::json(&ops::UPDATE, resp)
}

// ------------------------------------------------------------ opt-ins

/// Query of `GET /api/v1/phone/sms-opt-ins`: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListSmsOptInsParams {
    /// Filter by consent state.
    pub status: Option<SmsOptInStatus>,
    /// 1–200 (the server rejects more; refused here first).
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Builds `GET /api/v1/phone/sms-opt-ins`.
pub fn build_list_sms_opt_ins(params: &ListSmsOptInsParams) -> Result<Request, ApiError> {
    if let Some(limit) = params.limit {
        validate::limit(limit, MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::SMS_OPT_INS_LIST, &[])?
        .query_opt("status", params.status.as_ref().map(SmsOptInStatus::as_str))
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses consent rows (newest-updated first). A `{"items": [...]}` wrapper
/// is accepted too, like the SDK does.
pub fn parse_list_sms_opt_ins(resp: &Response<'_>) -> Result<Vec<SmsOptIn>, ApiError> {
    parse::list_or_wrapped(&ops::SMS_OPT_INS_LIST, resp, "items")
}

/// Builds `GET /api/v1/phone/sms-opt-ins/{receiver_number}` (E.164, literal `+`).
pub fn build_get_sms_opt_in(receiver_number: &str) -> Result<Request, ApiError> {
    validate::e164("receiver_number", receiver_number)?;
    Ok(Request::builder(&ops::SMS_OPT_INS_GET, &[receiver_number])?.build())
}

/// Parses one consent row (404 when none exists).
pub fn parse_get_sms_opt_in(resp: &Response<'_>) -> Result<SmsOptIn, ApiError> {
    parse::json(&ops::SMS_OPT_INS_GET, resp)
}

/// Builds `POST /api/v1/phone/sms-opt-ins/{receiver_number}/opt-in` with no body.
pub fn build_opt_in(receiver_number: &str) -> Result<Request, ApiError> {
    validate::e164("receiver_number", receiver_number)?;
    Ok(Request::builder(&ops::SMS_OPT_INS_OPT_IN, &[receiver_number])?.build())
}

/// Parses the updated consent row.
pub fn parse_opt_in(resp: &Response<'_>) -> Result<SmsOptIn, ApiError> {
    parse::json(&ops::SMS_OPT_INS_OPT_IN, resp)
}

/// Builds `POST /api/v1/phone/sms-opt-ins/{receiver_number}/opt-out` with no body.
pub fn build_opt_out(receiver_number: &str) -> Result<Request, ApiError> {
    validate::e164("receiver_number", receiver_number)?;
    Ok(Request::builder(&ops::SMS_OPT_INS_OPT_OUT, &[receiver_number])?.build())
}

/// Parses the updated consent row.
pub fn parse_opt_out(resp: &Response<'_>) -> Result<SmsOptIn, ApiError> {
    parse::json(&ops::SMS_OPT_INS_OPT_OUT, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::error::ErrorKind;
    use crate::api::test_support::{body, ok};
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    const PN: &str = "11111111-2222-3333-4444-555555555555";
    const CONV: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    fn code(e: &ApiError) -> &'static str {
        e.code()
    }

    const OUTBOUND: &str = r#"{"id":"t-1","direction":"outbound","local_phone_number":"+15550001111","remote_phone_number":"+15551234567","text":"Hello","type":"sms","media":null,"is_read":true,"conversation_id":"c-1","sender_phone_number":null,"recipients":[{"recipient_phone_number":"+15551234567","delivery_status":"queued","carrier":null,"line_type":null,"error_code":null,"error_detail":null,"sent_at":null,"delivered_at":null,"failed_at":null}],"delivery_status":"queued","error_code":null,"error_detail":null,"sent_at":null,"delivered_at":null,"failed_at":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00.123+00:00","future_field":{"x":1}}"#;

    const INBOUND_MMS: &str = r#"{"id":"t-2","direction":"inbound","local_phone_number":"+15550001111","remote_phone_number":"+15551234567","text":null,"type":"mms","media":[{"content_type":"image/jpeg","size":2048,"url":"https://cdn/x.jpg?sig=1"}],"is_read":false,"conversation_id":"c-2","sender_phone_number":"+15557654321","recipients":null,"delivery_status":null,"origin":"auto_reply","is_blocked":true,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;

    #[test]
    fn send_golden() {
        let input =
            SendTextRequest { to: Some("+15551234567".into()), text: Some("Hello".into()), ..Default::default() };
        let r = build_send(PN, &input).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.path_and_query, "/api/v1/phone/numbers/11111111-2222-3333-4444-555555555555/texts");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(body(&r), r#"{"to":"+15551234567","text":"Hello"}"#);
        assert_eq!(r.operation.name, "texts.send");

        let group = SendTextRequest {
            to: Some(vec!["+15551234567".to_string(), "+15557654321".to_string()].into()),
            text: Some("Hello group".into()),
            media_urls: Some(vec!["https://example.com/photo.jpg".into()]),
            ..Default::default()
        };
        let r = build_send(PN, &group).unwrap();
        assert_eq!(
            body(&r),
            r#"{"to":["+15551234567","+15557654321"],"text":"Hello group","media_urls":["https://example.com/photo.jpg"]}"#
        );

        let reply =
            SendTextRequest { conversation_id: Some(CONV.into()), text: Some("x".into()), ..Default::default() };
        assert_eq!(body(&build_send(PN, &reply).unwrap()), format!(r#"{{"conversation_id":"{CONV}","text":"x"}}"#));

        // The emulator parses bodies with the same type.
        let back: SendTextRequest = serde_json::from_str(body(&build_send(PN, &group).unwrap())).unwrap();
        assert_eq!(back, group);
        let back: SendTextRequest = serde_json::from_str(r#"{"to":"+15551234567"}"#).unwrap();
        assert_eq!(back.to, Some(TextRecipients::One("+15551234567".into())));
    }

    #[test]
    fn send_validation() {
        let both = SendTextRequest {
            to: Some("+15551234567".into()),
            conversation_id: Some(CONV.into()),
            ..Default::default()
        };
        let cases = [
            both,
            SendTextRequest { text: Some("x".into()), ..Default::default() },
            SendTextRequest { to: Some("15551234567".into()), ..Default::default() },
            SendTextRequest { to: Some(TextRecipients::Many(vec![])), ..Default::default() },
            SendTextRequest {
                to: Some(vec!["+15551234567".to_string(), "555".to_string()].into()),
                ..Default::default()
            },
            SendTextRequest { conversation_id: Some(" ".into()), ..Default::default() },
        ];
        for c in &cases {
            assert_eq!(code(&build_send(PN, c).unwrap_err()), "api.validation", "{c:?}");
        }
        let ok_input = SendTextRequest { to: Some("+15551234567".into()), ..Default::default() };
        assert_eq!(code(&build_send("", &ok_input).unwrap_err()), "api.validation");
    }

    #[test]
    fn send_parse_and_gate_errors() {
        let t = parse_send(&Response::new(201, &[], OUTBOUND.as_bytes())).unwrap();
        assert_eq!(t.direction, TextDirection::Outbound);
        assert_eq!(t.text_type, TextType::Sms);
        assert_eq!(t.delivery_status, Some(TextDeliveryStatus::Queued));
        assert_eq!(t.origin, TextOrigin::UserInitiated);
        assert!(!t.is_blocked);
        assert_eq!(t.recipients.as_ref().unwrap()[0].recipient_phone_number, "+15551234567");
        assert_eq!(t.updated_at.subsec_nanos(), 123_000_000);

        let cases: &[(u16, &str, &str)] = &[
            (429, r#"{"detail":{"error":"sender_rate_limited","message":"cap"}}"#, "api.sender_rate_limited"),
            (409, r#"{"detail":{"error":"sender_sms_pending","message":"wait"}}"#, "api.sender_sms_pending"),
            (403, r#"{"detail":{"error":"recipient_not_opted_in","message":"START"}}"#, "api.recipient_not_opted_in"),
            (403, r#"{"detail":{"error":"recipient_opted_out","message":"STOP"}}"#, "api.recipient_opted_out"),
            (404, r#"{"detail":"Phone number not found"}"#, "api.not_found"),
            (422, r#"{"detail":[{"loc":["body","to"],"msg":"bad"}]}"#, "api.unprocessable"),
        ];
        for (status, b, want) in cases {
            let e = parse_send(&Response::new(*status, &[], b.as_bytes())).unwrap_err();
            assert_eq!(code(&e), *want, "{b}");
            assert_eq!(e.as_status().unwrap().operation, "texts.send");
        }
        let e = parse_send(&Response::new(
            403,
            &[],
            br#"{"detail":{"error":"recipient_blocked","matched_rule_id":"r-1","address":"+15551234567","reason":"blocked by rule"}}"#,
        ))
        .unwrap_err();
        match &e.as_status().unwrap().kind {
            ErrorKind::RecipientBlocked { matched_rule_id, address, reason } => {
                assert_eq!(matched_rule_id.as_deref(), Some("r-1"));
                assert_eq!(address.as_deref(), Some("+15551234567"));
                assert_eq!(reason.as_deref(), Some("blocked by rule"));
            }
            other => panic!("{other:?}"),
        }
        let e = parse_send(&Response::new(
            403,
            &[],
            br#"{"detail":{"error":"recipient_blocked","matched_rule_id":null,"address":"+15551234567","reason":"whitelist"}}"#,
        ))
        .unwrap_err();
        assert!(matches!(e.as_status().unwrap().kind, ErrorKind::RecipientBlocked { matched_rule_id: None, .. }));
        assert_eq!(code(&parse_send(&ok("{\"id\":1}")).unwrap_err()), "api.decode");
    }

    #[test]
    fn list_golden_and_parse() {
        let r = build_list(PN, &ListTextsParams::default()).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path_and_query, format!("/api/v1/phone/numbers/{PN}/texts?limit=50&offset=0"));
        assert!(r.body.is_none());
        let p = ListTextsParams { limit: 20, offset: 40, is_read: Some(false), is_blocked: Some(true) };
        let r = build_list(PN, &p).unwrap();
        assert_eq!(
            r.path_and_query,
            format!("/api/v1/phone/numbers/{PN}/texts?limit=20&offset=40&is_read=false&is_blocked=true")
        );
        for limit in [0, 201] {
            let p = ListTextsParams { limit, ..Default::default() };
            assert_eq!(code(&build_list(PN, &p).unwrap_err()), "api.validation");
        }
        let list = parse_list(&ok(&format!("[{OUTBOUND},{INBOUND_MMS}]"))).unwrap();
        assert_eq!(list.len(), 2);
        let mms = &list[1];
        assert_eq!(mms.text_type, TextType::Mms);
        assert_eq!(mms.origin, TextOrigin::AutoReply);
        assert!(mms.is_blocked);
        assert_eq!(mms.media.as_ref().unwrap()[0].size, 2048);
        assert_eq!(mms.sender_phone_number.as_deref(), Some("+15557654321"));
        assert!(mms.recipients.is_none());
        assert_eq!(parse_list(&ok("[]")).unwrap(), vec![]);
    }

    #[test]
    fn text_message_tolerance_and_round_trip() {
        let mut v: serde_json::Value = serde_json::from_str(INBOUND_MMS).unwrap();
        v["origin"] = serde_json::Value::Null;
        v["is_blocked"] = serde_json::Value::Null;
        v["type"] = "rcs".into();
        v["direction"] = "sideways".into();
        v["delivery_status"] = "teleported".into();
        let t: TextMessage = serde_json::from_value(v).unwrap();
        assert_eq!(t.origin, TextOrigin::UserInitiated);
        assert!(!t.is_blocked);
        assert_eq!(t.text_type, TextType::Unknown("rcs".into()));
        assert_eq!(t.direction, TextDirection::Unknown("sideways".into()));
        assert_eq!(t.delivery_status, Some(TextDeliveryStatus::Unknown("teleported".into())));
        // Serialization produces the wire shape.
        let s = serde_json::to_value(&t).unwrap();
        assert_eq!(s["type"], "rcs");
        assert_eq!(s["origin"], "user_initiated");
        assert!(s.get("text_type").is_none());
        let back: TextMessage = serde_json::from_value(s).unwrap();
        assert_eq!(back, t);
        assert_eq!(TextDeliveryStatus::KNOWN.len(), 6);
        assert_eq!(TextDeliveryStatus::DeliveryUnconfirmed.as_str(), "delivery_unconfirmed");
    }

    #[test]
    fn search_golden_and_parse() {
        let r = build_search(PN, &SearchTextsParams::new("invoice due")).unwrap();
        assert_eq!(r.path_and_query, format!("/api/v1/phone/numbers/{PN}/texts/search?q=invoice%20due&limit=50"));
        let p = SearchTextsParams { q: "a&b".into(), limit: 20, is_blocked: Some(false) };
        let r = build_search(PN, &p).unwrap();
        assert_eq!(
            r.path_and_query,
            format!("/api/v1/phone/numbers/{PN}/texts/search?q=a%26b&limit=20&is_blocked=false")
        );
        assert_eq!(r.operation.name, "texts.search");
        assert_eq!(code(&build_search(PN, &SearchTextsParams::new("")).unwrap_err()), "api.validation");
        let p = SearchTextsParams { limit: 500, ..SearchTextsParams::new("x") };
        assert_eq!(code(&build_search(PN, &p).unwrap_err()), "api.validation");
        assert_eq!(parse_search(&ok(&format!("[{OUTBOUND}]"))).unwrap().len(), 1);
        let e = parse_search(&Response::new(403, &[], br#"{"detail":"Forbidden"}"#)).unwrap_err();
        assert_eq!(code(&e), "api.forbidden");
    }

    #[test]
    fn conversations_golden_and_parse() {
        let r = build_list_conversations(PN, &ListTextConversationsParams::default()).unwrap();
        assert_eq!(r.path_and_query, format!("/api/v1/phone/numbers/{PN}/texts/conversations?limit=50&offset=0"));
        let p = ListTextConversationsParams { limit: 20, offset: 5, is_blocked: Some(false), include_groups: true };
        let r = build_list_conversations(PN, &p).unwrap();
        assert_eq!(
            r.path_and_query,
            format!(
                "/api/v1/phone/numbers/{PN}/texts/conversations?limit=20&offset=5&is_blocked=false&include_groups=true"
            )
        );
        let p = ListTextConversationsParams { limit: 0, ..Default::default() };
        assert!(build_list_conversations(PN, &p).is_err());

        let list = parse_list_conversations(&ok(r#"[
            {"id":"c-1","remote_phone_number":"+15551234567","participants":["+15551234567"],"latest_text":"hi","latest_direction":"inbound","latest_type":"sms","latest_message_at":"2026-03-09T00:00:00Z","unread_count":2,"total_count":9},
            {"id":null,"remote_phone_number":null,"participants":null,"is_group":true,"latest_text":null,"latest_direction":"outbound","latest_type":"mms","latest_has_media":true,"latest_message_at":"2026-03-09T00:00:00Z","unread_count":0,"total_count":1,"extra":true}
        ]"#))
        .unwrap();
        assert!(!list[0].is_group && !list[0].latest_has_media);
        assert_eq!(list[0].unread_count, 2);
        assert_eq!(list[0].latest_direction, TextDirection::Inbound);
        assert!(list[1].is_group && list[1].latest_has_media);
        assert_eq!(list[1].id, None);
        assert_eq!(list[1].latest_type, TextType::Mms);
    }

    #[test]
    fn conversation_get_and_update_golden() {
        let r = build_get_conversation(PN, "+15551234567", &GetTextConversationParams::default()).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.path_and_query,
            format!("/api/v1/phone/numbers/{PN}/texts/conversations/+15551234567?limit=50&offset=0")
        );
        let p = GetTextConversationParams { limit: 10, offset: 30 };
        let r = build_get_conversation(PN, CONV, &p).unwrap();
        assert_eq!(
            r.path_and_query,
            format!("/api/v1/phone/numbers/{PN}/texts/conversations/{CONV}?limit=10&offset=30")
        );
        for bad in ["15551234567", "+1555-123", "not-a-uuid", "../x", ""] {
            let e = build_get_conversation(PN, bad, &GetTextConversationParams::default()).unwrap_err();
            assert_eq!(code(&e), "api.validation", "{bad}");
        }
        assert_eq!(parse_get_conversation(&ok(&format!("[{INBOUND_MMS}]"))).unwrap()[0].id, "t-2");

        let r =
            build_update_conversation(PN, "+15551234567", &UpdateTextConversationRequest { is_read: true }).unwrap();
        assert_eq!(r.method, Method::Patch);
        assert_eq!(r.path_and_query, format!("/api/v1/phone/numbers/{PN}/texts/conversations/+15551234567"));
        assert_eq!(body(&r), r#"{"is_read":true}"#);
        let r = build_update_conversation(PN, CONV, &UpdateTextConversationRequest { is_read: false }).unwrap();
        assert_eq!(body(&r), r#"{"is_read":false}"#);
        assert!(build_update_conversation(PN, "bob", &UpdateTextConversationRequest::default()).is_err());
        let u = parse_update_conversation(&ok(
            r#"{"remote_phone_number":"+15551234567","conversation_id":null,"is_read":true,"updated_count":4,"x":0}"#,
        ))
        .unwrap();
        assert_eq!((u.is_read, u.updated_count, u.conversation_id), (true, 4, None));
        let e =
            parse_update_conversation(&Response::new(404, &[], br#"{"detail":"Conversation not found"}"#)).unwrap_err();
        assert_eq!(code(&e), "api.not_found");
    }

    #[test]
    fn get_and_update_golden() {
        let r = build_get(PN, "t-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/phone/numbers/11111111-2222-3333-4444-555555555555/texts/t-1")
        );
        assert!(r.body.is_none());
        assert_eq!(code(&build_get(PN, "").unwrap_err()), "api.validation");
        assert_eq!(parse_get(&ok(OUTBOUND)).unwrap().id, "t-1");
        assert_eq!(
            code(&parse_get(&Response::new(404, &[], br#"{"detail":"Not Found"}"#)).unwrap_err()),
            "api.not_found"
        );

        let r = build_update(PN, "t-1", &UpdateTextRequest { is_read: Some(true), status: None }).unwrap();
        assert_eq!(r.method, Method::Patch);
        assert_eq!(r.path_and_query, format!("/api/v1/phone/numbers/{PN}/texts/t-1"));
        assert_eq!(body(&r), r#"{"is_read":true}"#);
        let r = build_update(PN, "t-1", &UpdateTextRequest { is_read: None, status: Some("deleted".into()) }).unwrap();
        assert_eq!(body(&r), r#"{"status":"deleted"}"#);
        assert_eq!(body(&build_update(PN, "t-1", &UpdateTextRequest::default()).unwrap()), "{}");
        let bad = UpdateTextRequest { status: Some(String::new()), ..Default::default() };
        assert!(build_update(PN, "t-1", &bad).is_err());
        assert!(!parse_update(&ok(INBOUND_MMS)).unwrap().is_read);
    }

    const OPT_IN: &str = r#"{"id":"o-1","organization_id":"org_1","receiver_number":"+15551234567","status":"opted_in","source":"sms","opted_in_at":"2026-03-09T00:00:00Z","opted_out_at":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;

    #[test]
    fn sms_opt_ins_list_golden_and_parse() {
        let r = build_list_sms_opt_ins(&ListSmsOptInsParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/phone/sms-opt-ins"));
        let p = ListSmsOptInsParams { status: Some(SmsOptInStatus::OptedOut), limit: Some(50), offset: Some(0) };
        let r = build_list_sms_opt_ins(&p).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/phone/sms-opt-ins?status=opted_out&limit=50&offset=0");
        let p = ListSmsOptInsParams { limit: Some(200), ..Default::default() };
        assert_eq!(build_list_sms_opt_ins(&p).unwrap().path_and_query, "/api/v1/phone/sms-opt-ins?limit=200");
        for limit in [0, 201] {
            let p = ListSmsOptInsParams { limit: Some(limit), ..Default::default() };
            assert_eq!(code(&build_list_sms_opt_ins(&p).unwrap_err()), "api.validation");
        }
        let rows = parse_list_sms_opt_ins(&ok(&format!("[{OPT_IN}]"))).unwrap();
        assert_eq!(rows[0].status, SmsOptInStatus::OptedIn);
        assert_eq!(rows[0].source, SmsOptInSource::Sms);
        let rows = parse_list_sms_opt_ins(&ok(&format!(
            r#"{{"items":[{}]}}"#,
            OPT_IN.replace("\"sms\"", "\"customer_api\"").replace("opted_in\",", "paused\",")
        )))
        .unwrap();
        assert_eq!(rows[0].source, SmsOptInSource::Unknown("customer_api".into()));
        assert_eq!(rows[0].status, SmsOptInStatus::Unknown("paused".into()));
        let e = parse_list_sms_opt_ins(&Response::new(403, &[], br#"{"detail":"Admin only"}"#)).unwrap_err();
        assert_eq!(code(&e), "api.forbidden");
    }

    #[test]
    fn sms_opt_ins_get_and_writes_golden() {
        let r = build_get_sms_opt_in("+15551234567").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/phone/sms-opt-ins/+15551234567"));
        assert!(build_get_sms_opt_in("5551234567").is_err());
        let row = parse_get_sms_opt_in(&ok(OPT_IN)).unwrap();
        assert_eq!(row.opted_out_at, None);
        let e = parse_get_sms_opt_in(&Response::new(404, &[], br#"{"detail":"No opt-in row"}"#)).unwrap_err();
        assert_eq!(code(&e), "api.not_found");

        let r = build_opt_in("+15551234567").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Post, "/api/v1/phone/sms-opt-ins/+15551234567/opt-in", true)
        );
        assert_eq!(r.header("content-type"), None);
        assert_eq!(r.operation.name, "sms_opt_ins.opt_in");
        let r = build_opt_out("+15551234567").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Post, "/api/v1/phone/sms-opt-ins/+15551234567/opt-out", true)
        );
        assert!(build_opt_in("+1/../x").is_err() && build_opt_out("").is_err());

        let out = OPT_IN.replace("\"opted_in\"", "\"opted_out\"").replace("\"sms\"", "\"api\"").replace(
            r#""opted_in_at":"2026-03-09T00:00:00Z","opted_out_at":null"#,
            r#""opted_in_at":null,"opted_out_at":"2026-03-10T00:00:00Z""#,
        );
        let row = parse_opt_out(&ok(&out)).unwrap();
        assert_eq!((row.status, row.source), (SmsOptInStatus::OptedOut, SmsOptInSource::Api));
        assert!(row.opted_in_at.is_none() && row.opted_out_at.is_some());
        assert_eq!(parse_opt_in(&ok(OPT_IN)).unwrap().status, SmsOptInStatus::OptedIn);
        let campaign = br#"{"detail":{"error":"customer_campaign_required","message":"run your own campaign"}}"#;
        for e in [
            parse_opt_in(&Response::new(409, &[], campaign)).unwrap_err(),
            parse_opt_out(&Response::new(409, &[], campaign)).unwrap_err(),
        ] {
            assert_eq!(code(&e), "api.customer_campaign_required");
        }
        assert_eq!(
            code(&parse_opt_in(&Response::new(403, &[], br#"{"detail":"Admin only"}"#)).unwrap_err()),
            "api.forbidden"
        );
    }

    #[test]
    fn operations_are_complete_and_ordered() {
        assert_eq!(OPERATIONS.len(), 12);
        assert_eq!(ops::SEND.name, "texts.send");
        // An emulator matching in order must see the literal routes first.
        let pos = |name: &str| OPERATIONS.iter().position(|o| o.name == name).unwrap();
        assert!(pos("texts.search") < pos("texts.get"));
        assert!(pos("texts.conversations.list") < pos("texts.get"));
        assert_eq!(ops::GET.match_path(&format!("/api/v1/phone/numbers/{PN}/texts/t-1")).unwrap(), [PN, "t-1"]);
        assert!(is_uuid(CONV) && is_uuid(&CONV.to_ascii_uppercase()) && !is_uuid("x"));
    }
}
