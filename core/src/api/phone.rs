//! Phone numbers, calls, transcripts and the incoming-call webhook reply
//! (spec/phone.md).
//!
//! Numbers and calls are addressed by UUID under `/api/v1/phone`. Provisioning
//! a number for an identity is [`build_provision_number`] (one operation,
//! `phone.numbers.create`, also listed by spec/identities.md).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::catalog::{Operation, Paging};
use super::error::ApiError;
use super::patch::Patch;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/v1/phone/numbers`
    pub const NUMBERS_LIST: Operation = Operation::new("phone.numbers.list", Method::Get, "/api/v1/phone/numbers");
    /// `GET /api/v1/phone/numbers/{phone_number_id}`
    pub const NUMBERS_GET: Operation =
        Operation::new("phone.numbers.get", Method::Get, "/api/v1/phone/numbers/{phone_number_id}");
    /// `POST /api/v1/phone/numbers` (provision a number for an identity).
    pub const NUMBERS_CREATE: Operation = Operation::new("phone.numbers.create", Method::Post, "/api/v1/phone/numbers");
    /// `PATCH /api/v1/phone/numbers/{phone_number_id}`
    pub const NUMBERS_UPDATE: Operation =
        Operation::new("phone.numbers.update", Method::Patch, "/api/v1/phone/numbers/{phone_number_id}");
    /// `DELETE /api/v1/phone/numbers/{phone_number_id}` (release at the carrier and locally).
    pub const NUMBERS_RELEASE: Operation =
        Operation::new("phone.numbers.release", Method::Delete, "/api/v1/phone/numbers/{phone_number_id}");
    /// `GET /api/v1/phone/numbers/{phone_number_id}/search` (transcript full-text search).
    pub const TRANSCRIPTS_SEARCH: Operation =
        Operation::new("phone.transcripts.search", Method::Get, "/api/v1/phone/numbers/{phone_number_id}/search")
            .paging(Paging::Limit);
    /// `GET /api/v1/phone/numbers/{phone_number_id}/calls`
    pub const CALLS_LIST: Operation =
        Operation::new("phone.calls.list", Method::Get, "/api/v1/phone/numbers/{phone_number_id}/calls")
            .paging(Paging::Offset);
    /// `GET /api/v1/phone/numbers/{phone_number_id}/calls/{call_id}`
    pub const CALLS_GET: Operation =
        Operation::new("phone.calls.get", Method::Get, "/api/v1/phone/numbers/{phone_number_id}/calls/{call_id}");
    /// `GET /api/v1/phone/numbers/{phone_number_id}/calls/{call_id}/transcripts`
    pub const TRANSCRIPTS_LIST: Operation = Operation::new(
        "phone.transcripts.list",
        Method::Get,
        "/api/v1/phone/numbers/{phone_number_id}/calls/{call_id}/transcripts",
    );
    /// `POST /api/v1/phone/place-call`
    pub const CALLS_PLACE: Operation = Operation::new("phone.calls.place", Method::Post, "/api/v1/phone/place-call");
    /// `GET /api/v1/phone/numbers/{phone_number_id}/contact-rules` (deprecated by the service).
    pub const CONTACT_RULES_LIST: Operation = Operation::new(
        "phone.contact_rules.list",
        Method::Get,
        "/api/v1/phone/numbers/{phone_number_id}/contact-rules",
    )
    .paging(Paging::Offset);
    /// `GET /api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}`
    pub const CONTACT_RULES_GET: Operation = Operation::new(
        "phone.contact_rules.get",
        Method::Get,
        "/api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}",
    );
    /// `POST /api/v1/phone/numbers/{phone_number_id}/contact-rules`
    pub const CONTACT_RULES_CREATE: Operation = Operation::new(
        "phone.contact_rules.create",
        Method::Post,
        "/api/v1/phone/numbers/{phone_number_id}/contact-rules",
    );
    /// `PATCH /api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}` (admin-only).
    pub const CONTACT_RULES_UPDATE: Operation = Operation::new(
        "phone.contact_rules.update",
        Method::Patch,
        "/api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}",
    );
    /// `DELETE /api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}` (admin-only).
    pub const CONTACT_RULES_DELETE: Operation = Operation::new(
        "phone.contact_rules.delete",
        Method::Delete,
        "/api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}",
    );
    /// `GET /api/v1/phone/contact-rules` (org-wide, admin-only).
    pub const ORG_CONTACT_RULES_LIST: Operation =
        Operation::new("phone.org_contact_rules.list", Method::Get, "/api/v1/phone/contact-rules")
            .paging(Paging::Offset);
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[
    &ops::NUMBERS_LIST,
    &ops::NUMBERS_GET,
    &ops::NUMBERS_CREATE,
    &ops::NUMBERS_UPDATE,
    &ops::NUMBERS_RELEASE,
    &ops::TRANSCRIPTS_SEARCH,
    &ops::CALLS_LIST,
    &ops::CALLS_GET,
    &ops::TRANSCRIPTS_LIST,
    &ops::CALLS_PLACE,
    &ops::CONTACT_RULES_LIST,
    &ops::CONTACT_RULES_GET,
    &ops::CONTACT_RULES_CREATE,
    &ops::CONTACT_RULES_UPDATE,
    &ops::CONTACT_RULES_DELETE,
    &ops::ORG_CONTACT_RULES_LIST,
];

/// The SDK's default page size for calls and transcript search.
pub const DEFAULT_LIMIT: u32 = 50;
/// The API's largest page size for calls and transcript search.
pub const MAX_LIMIT: u32 = 200;

// ----------------------------------------------------------------- enums

pub(crate) use super::common::null_as_default;
pub use super::common::{ContactRuleStatus, FilterMode, FilterModeChangeNotice, RuleAction as ContactRuleAction};

wire_enum! {
    /// A phone number's kind.
    pub enum PhoneNumberType {
        /// A local (10DLC) number; the only kind that can be provisioned.
        Local = "local",
        /// Toll-free (legacy rows only; provisioning it is refused with 422).
        TollFree = "toll_free",
    }
}

impl Default for PhoneNumberType {
    /// `local`, the SDK's default.
    fn default() -> Self {
        PhoneNumberType::Local
    }
}

wire_enum! {
    /// A phone number's lifecycle status.
    pub enum PhoneNumberStatus {
        /// In service.
        Active = "active",
        /// Paused.
        Paused = "paused",
        /// Released to the carrier.
        Released = "released",
    }
}

wire_enum! {
    /// SMS readiness of a number (10DLC propagation takes ~10–15 minutes).
    pub enum SmsStatus {
        /// Not ready to send yet.
        Pending = "pending",
        /// Ready to send.
        Ready = "ready",
        /// Carrier provisioning failed (see `sms_error_code`).
        AssignmentFailed = "assignment_failed",
    }
}

impl Default for SmsStatus {
    /// `ready`, what an absent value means (old servers).
    fn default() -> Self {
        SmsStatus::Ready
    }
}

wire_enum! {
    /// What happens to an inbound call.
    pub enum IncomingCallAction {
        /// Answer and bridge the audio to `client_websocket_url`.
        AutoAccept = "auto_accept",
        /// Reject (the default).
        AutoReject = "auto_reject",
        /// Ask `incoming_call_webhook_url`; its reply decides.
        Webhook = "webhook",
    }
}

impl Default for IncomingCallAction {
    /// `auto_reject`, the default.
    fn default() -> Self {
        IncomingCallAction::AutoReject
    }
}

wire_enum! {
    /// A call's direction.
    pub enum CallDirection {
        /// Placed by your agent.
        Outbound = "outbound",
        /// Received by your number.
        Inbound = "inbound",
    }
}

wire_enum! {
    /// A call's status.
    pub enum CallStatus {
        /// Created.
        Initiated = "initiated",
        /// Ringing.
        Ringing = "ringing",
        /// Answered.
        Answered = "answered",
        /// Ended normally.
        Completed = "completed",
        /// Failed.
        Failed = "failed",
        /// Canceled before it was answered.
        Canceled = "canceled",
    }
}

wire_enum! {
    /// Why a call ended.
    pub enum HangupReason {
        /// Your side hung up.
        Local = "local",
        /// The other party hung up.
        Remote = "remote",
        /// The maximum duration was reached.
        MaxDuration = "max_duration",
        /// Voicemail was detected.
        Voicemail = "voicemail",
        /// The call was rejected.
        Rejected = "rejected",
    }
}

wire_enum! {
    /// Who spoke a transcript segment.
    pub enum TranscriptParty {
        /// Your agent.
        Local = "local",
        /// The other party.
        Remote = "remote",
        /// A system message.
        System = "system",
    }
}

// ---------------------------------------------------------------- models

/// A phone number owned by the organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber {
    /// UUID.
    pub id: String,
    /// The number in E.164 form.
    pub number: String,
    /// `local` (legacy rows may read `toll_free`).
    #[serde(rename = "type")]
    pub r#type: PhoneNumberType,
    /// Lifecycle status.
    pub status: PhoneNumberStatus,
    /// SMS readiness; absent or null → `ready`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sms_status: SmsStatus,
    /// Last carrier provisioning error code.
    #[serde(default)]
    pub sms_error_code: Option<String>,
    /// Last carrier provisioning error detail.
    #[serde(default)]
    pub sms_error_detail: Option<String>,
    /// First transition to `ready`.
    #[serde(default)]
    pub sms_ready_at: Option<Timestamp>,
    /// What happens to inbound calls.
    pub incoming_call_action: IncomingCallAction,
    /// wss URL used by `auto_accept`.
    #[serde(default)]
    pub client_websocket_url: Option<String>,
    /// https URL used by `webhook`.
    #[serde(default)]
    pub incoming_call_webhook_url: Option<String>,
    /// Filter mode for inbound voice and SMS; absent or null → `blacklist`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub filter_mode: FilterMode,
    /// Two-letter US state.
    #[serde(default)]
    pub state: Option<String>,
    /// The owning identity's UUID (null only for pool or released numbers).
    #[serde(default)]
    pub agent_identity_id: Option<String>,
    /// Present only after a PATCH that changed `filter_mode`.
    #[serde(default)]
    pub filter_mode_change_notice: Option<FilterModeChangeNotice>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// A phone call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCall {
    /// UUID.
    pub id: String,
    /// Your number (E.164).
    pub local_phone_number: String,
    /// The other party's number (E.164).
    pub remote_phone_number: String,
    /// Direction.
    pub direction: CallDirection,
    /// Status.
    pub status: CallStatus,
    /// wss URL the audio is bridged to.
    #[serde(default)]
    pub client_websocket_url: Option<String>,
    /// Whether Inkbox text-to-speech is used.
    #[serde(default)]
    pub use_inkbox_tts: Option<bool>,
    /// Whether Inkbox speech-to-text is used.
    #[serde(default)]
    pub use_inkbox_stt: Option<bool>,
    /// Why the call ended.
    #[serde(default)]
    pub hangup_reason: Option<HangupReason>,
    /// When the call was answered.
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    /// When the call ended.
    #[serde(default)]
    pub ended_at: Option<Timestamp>,
    /// Rejected by a contact rule or the default block; absent or null → false.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_blocked: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// The organization's call quota, as of a place-call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateLimitInfo {
    /// Calls used in the current window.
    pub calls_used: i64,
    /// Calls left.
    pub calls_remaining: i64,
    /// Call limit.
    pub calls_limit: i64,
    /// Minutes used.
    pub minutes_used: f64,
    /// Minutes left.
    pub minutes_remaining: f64,
    /// Minute limit.
    pub minutes_limit: i64,
}

/// The place-call response: the call plus the organization's quota snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneCallWithRateLimit {
    /// The call (its fields sit at the top level of the JSON object).
    #[serde(flatten)]
    pub call: PhoneCall,
    /// The quota snapshot.
    pub rate_limit: RateLimitInfo,
}

/// One transcript segment of a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneTranscript {
    /// UUID.
    pub id: String,
    /// The call's UUID.
    pub call_id: String,
    /// Ordering within the call.
    pub seq: i64,
    /// Offset in the call, in milliseconds.
    pub ts_ms: i64,
    /// Who spoke.
    pub party: TranscriptParty,
    /// What was said.
    pub text: String,
    /// Creation time.
    pub created_at: Timestamp,
}

// ---------------------------------------------------------------- numbers

/// Builds `GET /api/v1/phone/numbers`.
pub fn build_list_numbers() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::NUMBERS_LIST, &[])?.build())
}

/// Parses the number list (a bare array).
pub fn parse_list_numbers(resp: &Response<'_>) -> Result<Vec<PhoneNumber>, ApiError> {
    parse::json(&ops::NUMBERS_LIST, resp)
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}`.
pub fn build_get_number(phone_number_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::NUMBERS_GET, &[phone_number_id])?.build())
}

/// Parses one number.
pub fn parse_get_number(resp: &Response<'_>) -> Result<PhoneNumber, ApiError> {
    parse::json(&ops::NUMBERS_GET, resp)
}

/// Input of `POST /api/v1/phone/numbers`: provision a number bound for life
/// to an identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePhoneNumberRequest {
    /// The identity's handle (normalized: one leading `@` removed, lowercased).
    pub agent_handle: String,
    /// Always sent; default `local` (`toll_free` is refused by the server).
    #[serde(rename = "type", default)]
    pub r#type: PhoneNumberType,
    /// Two-letter US state, e.g. `NY`; omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl CreatePhoneNumberRequest {
    /// A local number for `agent_handle`, anywhere.
    pub fn new(agent_handle: impl Into<String>) -> Self {
        CreatePhoneNumberRequest { agent_handle: agent_handle.into(), ..Default::default() }
    }
}

/// Builds `POST /api/v1/phone/numbers` with body
/// `{"agent_handle", "type", "state"?}`.
pub fn build_provision_number(input: &CreatePhoneNumberRequest) -> Result<Request, ApiError> {
    let mut body = input.clone();
    body.agent_handle = validate::normalize_handle(&input.agent_handle);
    validate::non_empty("agent_handle", &body.agent_handle)?;
    if let Some(state) = &body.state {
        validate::non_empty("state", state)?;
    }
    Ok(Request::builder(&ops::NUMBERS_CREATE, &[])?.json(&body)?.build())
}

/// Parses the provisioned number.
pub fn parse_provision_number(resp: &Response<'_>) -> Result<PhoneNumber, ApiError> {
    parse::json(&ops::NUMBERS_CREATE, resp)
}

/// Input of `PATCH /api/v1/phone/numbers/{id}`: absent keys are unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePhoneNumberRequest {
    /// New inbound-call action (set only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incoming_call_action: Option<IncomingCallAction>,
    /// wss URL for `auto_accept`; [`Patch::Clear`] sends `null`.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub client_websocket_url: Patch<String>,
    /// https URL for `webhook`; [`Patch::Clear`] sends `null`.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub incoming_call_webhook_url: Patch<String>,
    /// New filter mode (set only; admin keys only, agent keys get 403).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_mode: Option<FilterMode>,
}

/// Builds `PATCH /api/v1/phone/numbers/{phone_number_id}` (`{}` is a legal no-op).
pub fn build_update_number(phone_number_id: &str, input: &UpdatePhoneNumberRequest) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::NUMBERS_UPDATE, &[phone_number_id])?.json(input)?.build())
}

/// Parses the updated number.
pub fn parse_update_number(resp: &Response<'_>) -> Result<PhoneNumber, ApiError> {
    parse::json(&ops::NUMBERS_UPDATE, resp)
}

/// Builds `DELETE /api/v1/phone/numbers/{phone_number_id}` (release).
pub fn build_release_number(phone_number_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::NUMBERS_RELEASE, &[phone_number_id])?.build())
}

/// Accepts any 2xx of a release.
pub fn parse_release_number(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::NUMBERS_RELEASE, resp)
}

// ------------------------------------------------------------ transcripts

/// Query of `GET /api/v1/phone/numbers/{id}/search`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchTranscriptsParams {
    /// The full-text query (required).
    pub q: String,
    /// Only segments spoken by this party (`local` or `remote`); dropped when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<TranscriptParty>,
    /// 1–200, always sent (default 50).
    #[serde(default = "default_limit")]
    pub limit: u32,
}

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

impl SearchTranscriptsParams {
    /// A search for `q` with the default limit and no party filter.
    pub fn new(q: impl Into<String>) -> Self {
        SearchTranscriptsParams { q: q.into(), party: None, limit: DEFAULT_LIMIT }
    }
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/search?q=…&party=…&limit=…`.
pub fn build_search_transcripts(phone_number_id: &str, params: &SearchTranscriptsParams) -> Result<Request, ApiError> {
    validate::non_empty("q", &params.q)?;
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::TRANSCRIPTS_SEARCH, &[phone_number_id])?
        .query("q", &params.q)
        .query_opt("party", params.party.as_ref().map(TranscriptParty::as_str))
        .query("limit", params.limit)
        .build())
}

/// Parses transcript search hits (a bare array).
pub fn parse_search_transcripts(resp: &Response<'_>) -> Result<Vec<PhoneTranscript>, ApiError> {
    parse::json(&ops::TRANSCRIPTS_SEARCH, resp)
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/calls/{call_id}/transcripts`.
pub fn build_list_transcripts(phone_number_id: &str, call_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::TRANSCRIPTS_LIST, &[phone_number_id, call_id])?.build())
}

/// Parses a call's transcript segments (a bare array ordered by `seq`).
pub fn parse_list_transcripts(resp: &Response<'_>) -> Result<Vec<PhoneTranscript>, ApiError> {
    parse::json(&ops::TRANSCRIPTS_LIST, resp)
}

// ------------------------------------------------------------------ calls

/// Query of `GET /api/v1/phone/numbers/{id}/calls`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCallsParams {
    /// 1–200, always sent (default 50).
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// Always sent (default 0).
    #[serde(default)]
    pub offset: u64,
    /// `true` = only blocked calls, `false` = only unblocked, `None` = all (dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_blocked: Option<bool>,
}

impl Default for ListCallsParams {
    fn default() -> Self {
        ListCallsParams { limit: DEFAULT_LIMIT, offset: 0, is_blocked: None }
    }
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/calls?limit=…&offset=…[&is_blocked=…]`.
pub fn build_list_calls(phone_number_id: &str, params: &ListCallsParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_LIMIT)?;
    Ok(Request::builder(&ops::CALLS_LIST, &[phone_number_id])?
        .query("limit", params.limit)
        .query("offset", params.offset)
        .query_opt("is_blocked", params.is_blocked)
        .build())
}

/// Parses one page of calls (a bare array, newest first).
pub fn parse_list_calls(resp: &Response<'_>) -> Result<Vec<PhoneCall>, ApiError> {
    parse::json(&ops::CALLS_LIST, resp)
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/calls/{call_id}`.
pub fn build_get_call(phone_number_id: &str, call_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CALLS_GET, &[phone_number_id, call_id])?.build())
}

/// Parses one call.
pub fn parse_get_call(resp: &Response<'_>) -> Result<PhoneCall, ApiError> {
    parse::json(&ops::CALLS_GET, resp)
}

/// Input of `POST /api/v1/phone/place-call`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceCallRequest {
    /// Your number to call from. The SDK documents E.164 (the identity helper
    /// sends its own number); the README's org-level example shows a UUID, so
    /// only non-emptiness is checked here.
    pub from_number: String,
    /// The number to call, E.164 (checked).
    pub to_number: String,
    /// wss URL the call audio is bridged to; omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_websocket_url: Option<String>,
}

/// Builds `POST /api/v1/phone/place-call`.
pub fn build_place_call(input: &PlaceCallRequest) -> Result<Request, ApiError> {
    validate::non_empty("from_number", &input.from_number)?;
    validate::e164("to_number", &input.to_number)?;
    if let Some(url) = &input.client_websocket_url {
        validate::non_empty("client_websocket_url", url)?;
    }
    Ok(Request::builder(&ops::CALLS_PLACE, &[])?.json(input)?.build())
}

/// Parses the placed call with the quota snapshot.
pub fn parse_place_call(resp: &Response<'_>) -> Result<PhoneCallWithRateLimit, ApiError> {
    parse::json(&ops::CALLS_PLACE, resp)
}

// ------------------------------------------------- incoming-call webhook

wire_enum! {
    /// The decision an incoming-call webhook replies with.
    pub enum IncomingCallDecision {
        /// Answer the call.
        Answer = "answer",
        /// Decline it.
        Reject = "reject",
    }
}

/// The JSON body an `incoming_call_webhook_url` endpoint answers with:
/// `{"action": "answer"|"reject", "client_websocket_url"?: string}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingCallResponse {
    /// Answer or decline.
    pub action: IncomingCallDecision,
    /// wss URL the answered call's audio is bridged to; omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_websocket_url: Option<String>,
}

impl IncomingCallResponse {
    /// Answer, optionally bridging the audio to `client_websocket_url`.
    pub fn answer(client_websocket_url: Option<String>) -> Self {
        IncomingCallResponse { action: IncomingCallDecision::Answer, client_websocket_url }
    }

    /// Decline.
    pub fn reject() -> Self {
        IncomingCallResponse { action: IncomingCallDecision::Reject, client_websocket_url: None }
    }

    /// The compact JSON body to reply with.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// How Inkbox reads a webhook's reply: anything but a 200 with a valid
    /// body whose action is `answer` or `reject` is a decline.
    pub fn from_webhook_reply(status: u16, body: &[u8]) -> Self {
        if status != 200 {
            return Self::reject();
        }
        match serde_json::from_slice::<IncomingCallResponse>(body) {
            Ok(r) if r.action.is_known() => r,
            _ => Self::reject(),
        }
    }
}

// ---------------------------------------------------------- contact rules
//
// Per-number allow/block rules (voice and SMS) and the org-wide list. The
// service has announced them deprecated; they still work.

wire_enum! {
    /// What a phone contact rule matches on.
    #[derive(Default)]
    pub enum PhoneRuleMatchType {
        /// One E.164 number.
        #[default]
        ExactNumber = "exact_number",
    }
}

fn active_status() -> ContactRuleStatus {
    ContactRuleStatus::Active
}

/// A per-number allow/block rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneContactRule {
    /// Rule UUID.
    pub id: String,
    /// The number the rule belongs to.
    pub phone_number_id: String,
    /// Allow or block.
    pub action: ContactRuleAction,
    /// What it matches on.
    pub match_type: PhoneRuleMatchType,
    /// The matched value (E.164 for `exact_number`).
    pub match_target: String,
    /// Active or paused; absent → active.
    #[serde(default = "active_status")]
    pub status: ContactRuleStatus,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// Query of a number's rule list: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListPhoneContactRulesParams {
    /// Filter by action.
    pub action: Option<ContactRuleAction>,
    /// Filter by match type.
    pub match_type: Option<PhoneRuleMatchType>,
    /// 1–200.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Query of the org-wide phone rule list: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListOrgPhoneContactRulesParams {
    /// Narrow to one number (UUID).
    pub phone_number_id: Option<String>,
    /// Filter by action.
    pub action: Option<ContactRuleAction>,
    /// Filter by match type.
    pub match_type: Option<PhoneRuleMatchType>,
    /// 1–200.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Body of a phone rule create. `match_type` is always sent (default `exact_number`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePhoneContactRuleRequest {
    /// Allow or block.
    pub action: ContactRuleAction,
    /// What to match on.
    #[serde(default)]
    pub match_type: PhoneRuleMatchType,
    /// The value to match (E.164 for `exact_number`).
    pub match_target: String,
}

impl CreatePhoneContactRuleRequest {
    /// An `exact_number` rule.
    pub fn new(action: ContactRuleAction, match_target: impl Into<String>) -> Self {
        CreatePhoneContactRuleRequest {
            action,
            match_type: PhoneRuleMatchType::ExactNumber,
            match_target: match_target.into(),
        }
    }
}

/// Body of a phone rule update (admin-only). Only supplied keys are sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdatePhoneContactRuleRequest {
    /// New action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ContactRuleAction>,
    /// Pause or resume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ContactRuleStatus>,
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/contact-rules`.
pub fn build_list_contact_rules(
    phone_number_id: &str,
    params: &ListPhoneContactRulesParams,
) -> Result<Request, ApiError> {
    if let Some(limit) = params.limit {
        validate::limit(limit, MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::CONTACT_RULES_LIST, &[phone_number_id])?
        .query_opt("action", params.action.as_ref().map(ContactRuleAction::as_str))
        .query_opt("match_type", params.match_type.as_ref().map(PhoneRuleMatchType::as_str))
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses a number's rules.
pub fn parse_list_contact_rules(resp: &Response<'_>) -> Result<Vec<PhoneContactRule>, ApiError> {
    parse::json(&ops::CONTACT_RULES_LIST, resp)
}

/// Builds `GET /api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}`.
pub fn build_get_contact_rule(phone_number_id: &str, rule_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CONTACT_RULES_GET, &[phone_number_id, rule_id])?.build())
}

/// Parses one rule.
pub fn parse_get_contact_rule(resp: &Response<'_>) -> Result<PhoneContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_GET, resp)
}

/// Builds `POST /api/v1/phone/numbers/{phone_number_id}/contact-rules`.
/// An `exact_number` target must be E.164.
pub fn build_create_contact_rule(
    phone_number_id: &str,
    input: &CreatePhoneContactRuleRequest,
) -> Result<Request, ApiError> {
    match &input.match_type {
        PhoneRuleMatchType::ExactNumber => validate::e164("match_target", &input.match_target)?,
        PhoneRuleMatchType::Unknown(_) => validate::non_empty("match_target", &input.match_target)?,
    }
    Ok(Request::builder(&ops::CONTACT_RULES_CREATE, &[phone_number_id])?.json(input)?.build())
}

/// Parses the created rule (409 `existing_rule_id` → duplicate contact rule).
pub fn parse_create_contact_rule(resp: &Response<'_>) -> Result<PhoneContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_CREATE, resp)
}

/// Builds `PATCH /api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}`.
pub fn build_update_contact_rule(
    phone_number_id: &str,
    rule_id: &str,
    input: &UpdatePhoneContactRuleRequest,
) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CONTACT_RULES_UPDATE, &[phone_number_id, rule_id])?.json(input)?.build())
}

/// Parses the updated rule.
pub fn parse_update_contact_rule(resp: &Response<'_>) -> Result<PhoneContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_UPDATE, resp)
}

/// Builds `DELETE /api/v1/phone/numbers/{phone_number_id}/contact-rules/{rule_id}`.
pub fn build_delete_contact_rule(phone_number_id: &str, rule_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CONTACT_RULES_DELETE, &[phone_number_id, rule_id])?.build())
}

/// Checks the delete response (any 2xx).
pub fn parse_delete_contact_rule(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::CONTACT_RULES_DELETE, resp)
}

/// Builds `GET /api/v1/phone/contact-rules` (org-wide, admin-only).
pub fn build_list_org_contact_rules(params: &ListOrgPhoneContactRulesParams) -> Result<Request, ApiError> {
    if let Some(limit) = params.limit {
        validate::limit(limit, MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::ORG_CONTACT_RULES_LIST, &[])?
        .query_opt("phone_number_id", params.phone_number_id.as_ref())
        .query_opt("action", params.action.as_ref().map(ContactRuleAction::as_str))
        .query_opt("match_type", params.match_type.as_ref().map(PhoneRuleMatchType::as_str))
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses the org's phone rules.
pub fn parse_list_org_contact_rules(resp: &Response<'_>) -> Result<Vec<PhoneContactRule>, ApiError> {
    parse::json(&ops::ORG_CONTACT_RULES_LIST, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::error::ErrorKind;
    use crate::api::test_support::ok;
    use alloc::format;
    use alloc::string::ToString;

    fn body_str(r: &Request) -> &str {
        core::str::from_utf8(r.body.as_deref().unwrap()).unwrap()
    }

    const NUMBER_JSON: &str = r#"{"id":"11111111-1111-4111-8111-111111111111","number":"+15551234567","type":"local","status":"active","sms_status":"pending","sms_error_code":null,"sms_error_detail":null,"sms_ready_at":null,"incoming_call_action":"webhook","client_websocket_url":null,"incoming_call_webhook_url":"https://example.com/calls","filter_mode":"whitelist","state":"NY","agent_identity_id":"22222222-2222-4222-8222-222222222222","filter_mode_change_notice":{"new_filter_mode":"whitelist","redundant_rule_action":"block","redundant_rule_count":2},"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00+00:00","future_field":true}"#;

    const OLD_NUMBER_JSON: &str = r#"{"id":"n1","number":"+15551234567","type":"toll_free","status":"suspended","incoming_call_action":"auto_reject","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;

    const CALL_JSON: &str = r#"{"id":"c1","local_phone_number":"+15551234567","remote_phone_number":"+18005559999","direction":"outbound","status":"initiated","client_websocket_url":"wss://a.example/ws","use_inkbox_tts":null,"use_inkbox_stt":true,"hangup_reason":null,"started_at":null,"ended_at":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z""#;

    #[test]
    fn operations_are_consistent() {
        assert_eq!(OPERATIONS.len(), 16);
        assert_eq!(ops::CALLS_LIST.paging, Paging::Offset);
        assert_eq!(ops::ORG_CONTACT_RULES_LIST.paging, Paging::Offset);
        assert_eq!(ops::TRANSCRIPTS_SEARCH.paging, Paging::Limit);
        for op in OPERATIONS {
            assert!(op.name.starts_with("phone."), "{}", op.name);
            assert!(op.path.starts_with("/api/v1/phone/"), "{}", op.path);
        }
    }

    #[test]
    fn numbers_list_get_golden_and_parse() {
        let r = build_list_numbers().unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Get, "/api/v1/phone/numbers", true)
        );
        let r = build_get_number("11111111-1111-4111-8111-111111111111").unwrap();
        assert_eq!(r.path_and_query, "/api/v1/phone/numbers/11111111-1111-4111-8111-111111111111");
        assert!(r.body.is_none());
        assert_eq!(build_get_number("").unwrap_err().code(), "api.validation");

        let n = parse_get_number(&ok(NUMBER_JSON)).unwrap();
        assert_eq!(n.r#type, PhoneNumberType::Local);
        assert_eq!(n.sms_status, SmsStatus::Pending);
        assert_eq!(n.incoming_call_action, IncomingCallAction::Webhook);
        assert_eq!(n.filter_mode, FilterMode::Whitelist);
        assert_eq!(n.state.as_deref(), Some("NY"));
        let notice = n.filter_mode_change_notice.as_ref().unwrap();
        assert_eq!((notice.redundant_rule_action.clone(), notice.redundant_rule_count), (ContactRuleAction::Block, 2));
        // Round trip through the emulator's serialization.
        let back: PhoneNumber = serde_json::from_slice(&serde_json::to_vec(&n).unwrap()).unwrap();
        assert_eq!(back, n);
        let v = serde_json::to_value(&n).unwrap();
        assert_eq!(v["type"], "local");
        assert!(v["client_websocket_url"].is_null());

        // Old server: absent sms_status/filter_mode → defaults; unknown status kept.
        let list_body = alloc::format!("[{OLD_NUMBER_JSON}]");
        let list = parse_list_numbers(&ok(&list_body)).unwrap();
        let old = &list[0];
        assert_eq!(old.sms_status, SmsStatus::Ready);
        assert_eq!(old.filter_mode, FilterMode::Blacklist);
        assert_eq!(old.r#type, PhoneNumberType::TollFree);
        assert_eq!(old.status, PhoneNumberStatus::Unknown("suspended".into()));
        assert_eq!(old.agent_identity_id, None);
        // Null filter_mode / sms_status read as defaults too.
        let nulls = OLD_NUMBER_JSON.replace("\"type\"", "\"sms_status\":null,\"filter_mode\":null,\"type\"");
        let n = parse_get_number(&ok(&nulls)).unwrap();
        assert_eq!((n.sms_status, n.filter_mode), (SmsStatus::Ready, FilterMode::Blacklist));

        let e = parse_get_number(&Response::new(404, &[], br#"{"detail":"Phone number not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        assert_eq!(parse_list_numbers(&ok(r#"{"items":[]}"#)).unwrap_err().code(), "api.decode");
    }

    #[test]
    fn provision_golden() {
        let r = build_provision_number(&CreatePhoneNumberRequest::new("@Sales-Bot")).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/phone/numbers"));
        assert_eq!(body_str(&r), r#"{"agent_handle":"sales-bot","type":"local"}"#);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let input = CreatePhoneNumberRequest {
            agent_handle: "sales-bot".into(),
            r#type: PhoneNumberType::Local,
            state: Some("NY".into()),
        };
        let r = build_provision_number(&input).unwrap();
        assert_eq!(body_str(&r), r#"{"agent_handle":"sales-bot","type":"local","state":"NY"}"#);
        assert_eq!(build_provision_number(&CreatePhoneNumberRequest::new("@")).unwrap_err().code(), "api.validation");
        // The emulator parses bodies with the same type: `type` defaults to local.
        let parsed: CreatePhoneNumberRequest = serde_json::from_str(r#"{"agent_handle":"x"}"#).unwrap();
        assert_eq!(parsed, CreatePhoneNumberRequest::new("x"));
        let n = parse_provision_number(&Response::new(201, &[], NUMBER_JSON.as_bytes())).unwrap();
        assert_eq!(n.number, "+15551234567");
        let e = parse_provision_number(&Response::new(
            422,
            &[],
            br#"{"detail":[{"loc":["body","type"],"msg":"toll_free retired"}]}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.unprocessable");
    }

    #[test]
    fn update_and_release_golden() {
        let r = build_update_number("n1", &UpdatePhoneNumberRequest::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Patch, "/api/v1/phone/numbers/n1"));
        assert_eq!(body_str(&r), "{}");
        let input = UpdatePhoneNumberRequest {
            incoming_call_action: Some(IncomingCallAction::AutoAccept),
            client_websocket_url: Patch::Set("wss://example.com/ws".into()),
            incoming_call_webhook_url: Patch::Clear,
            filter_mode: Some(FilterMode::Blacklist),
        };
        let r = build_update_number("n1", &input).unwrap();
        assert_eq!(
            body_str(&r),
            r#"{"incoming_call_action":"auto_accept","client_websocket_url":"wss://example.com/ws","incoming_call_webhook_url":null,"filter_mode":"blacklist"}"#
        );
        let parsed: UpdatePhoneNumberRequest = serde_json::from_str(body_str(&r)).unwrap();
        assert_eq!(parsed, input);
        let n = parse_update_number(&ok(NUMBER_JSON)).unwrap();
        assert!(n.filter_mode_change_notice.is_some());
        let e = parse_update_number(&Response::new(403, &[], br#"{"detail":"admin only"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.forbidden");

        let r = build_release_number("n1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/api/v1/phone/numbers/n1", true)
        );
        parse_release_number(&Response::new(204, &[], b"")).unwrap();
        assert_eq!(parse_release_number(&Response::new(404, &[], b"")).unwrap_err().code(), "api.not_found");
    }

    #[test]
    fn transcripts_golden_and_parse() {
        let mut p = SearchTranscriptsParams::new("refund policy");
        let r = build_search_transcripts("n1", &p).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/phone/numbers/n1/search?q=refund%20policy&limit=50")
        );
        assert!(r.body.is_none());
        p.party = Some(TranscriptParty::Remote);
        p.limit = 200;
        let r = build_search_transcripts("n1", &p).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/phone/numbers/n1/search?q=refund%20policy&party=remote&limit=200");
        p.limit = 201;
        assert_eq!(build_search_transcripts("n1", &p).unwrap_err().code(), "api.validation");
        assert_eq!(
            build_search_transcripts("n1", &SearchTranscriptsParams::new(" ")).unwrap_err().code(),
            "api.validation"
        );

        let body = r#"[{"id":"t1","call_id":"c1","seq":0,"ts_ms":1200,"party":"remote","text":"I want a refund","created_at":"2026-03-09T00:00:01.5Z","x":1},{"id":"t2","call_id":"c1","seq":1,"ts_ms":2400,"party":"narrator","text":"…","created_at":"2026-03-09T00:00:02Z"}]"#;
        let hits = parse_search_transcripts(&ok(body)).unwrap();
        assert_eq!(hits[0].party, TranscriptParty::Remote);
        assert_eq!(hits[1].party, TranscriptParty::Unknown("narrator".into()));
        assert_eq!(hits[0].created_at.subsec_nanos(), 500_000_000);

        let r = build_list_transcripts("n1", "c1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/phone/numbers/n1/calls/c1/transcripts")
        );
        assert_eq!(parse_list_transcripts(&ok(body)).unwrap().len(), 2);
        assert_eq!(parse_list_transcripts(&ok("[]")).unwrap(), Vec::new());
        let e = parse_list_transcripts(&Response::new(404, &[], br#"{"detail":"Call not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn calls_golden_and_parse() {
        let r = build_list_calls("n1", &ListCallsParams::default()).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/phone/numbers/n1/calls?limit=50&offset=0");
        let p = ListCallsParams { limit: 10, offset: 20, is_blocked: Some(false) };
        let r = build_list_calls("n1", &p).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/phone/numbers/n1/calls?limit=10&offset=20&is_blocked=false");
        let r = build_list_calls("n1", &ListCallsParams { is_blocked: Some(true), ..Default::default() }).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/phone/numbers/n1/calls?limit=50&offset=0&is_blocked=true");
        assert_eq!(
            build_list_calls("n1", &ListCallsParams { limit: 0, ..Default::default() }).unwrap_err().code(),
            "api.validation"
        );

        let list = alloc::format!("[{CALL_JSON},\"is_blocked\":true,\"extra\":[1]}}]");
        let calls = parse_list_calls(&ok(&list)).unwrap();
        assert!(calls[0].is_blocked);
        assert_eq!(calls[0].use_inkbox_stt, Some(true));
        assert_eq!(calls[0].use_inkbox_tts, None);

        let r = build_get_call("n1", "c1").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/phone/numbers/n1/calls/c1"));
        let one = alloc::format!("{CALL_JSON}}}")
            .replace("\"initiated\"", "\"transferring\"")
            .replace("\"hangup_reason\":null", "\"hangup_reason\":\"max_duration\"");
        let c = parse_get_call(&ok(&one)).unwrap();
        assert!(!c.is_blocked);
        assert_eq!(c.status, CallStatus::Unknown("transferring".into()));
        assert_eq!(c.hangup_reason, Some(HangupReason::MaxDuration));
    }

    #[test]
    fn place_call_golden_and_parse() {
        let input = PlaceCallRequest {
            from_number: "+15551234567".into(),
            to_number: "+18005559999".into(),
            client_websocket_url: Some("wss://agent.example.com/ws".into()),
        };
        let r = build_place_call(&input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/phone/place-call"));
        assert_eq!(
            body_str(&r),
            r#"{"from_number":"+15551234567","to_number":"+18005559999","client_websocket_url":"wss://agent.example.com/ws"}"#
        );
        let bare = PlaceCallRequest { client_websocket_url: None, ..input.clone() };
        assert_eq!(
            body_str(&build_place_call(&bare).unwrap()),
            r#"{"from_number":"+15551234567","to_number":"+18005559999"}"#
        );
        let bad = PlaceCallRequest { to_number: "8005559999".into(), ..input.clone() };
        assert_eq!(build_place_call(&bad).unwrap_err().code(), "api.validation");
        let bad = PlaceCallRequest { from_number: String::new(), ..input };
        assert_eq!(build_place_call(&bad).unwrap_err().code(), "api.validation");

        let body = alloc::format!(
            "{CALL_JSON},\"rate_limit\":{{\"calls_used\":3,\"calls_remaining\":97,\"calls_limit\":100,\"minutes_used\":12.5,\"minutes_remaining\":987.5,\"minutes_limit\":1000}}}}"
        );
        let placed = parse_place_call(&ok(&body)).unwrap();
        assert_eq!(placed.call.id, "c1");
        assert_eq!(placed.call.status, CallStatus::Initiated);
        assert_eq!(placed.rate_limit.calls_remaining, 97);
        assert_eq!(placed.rate_limit.minutes_used, 12.5);
        let v = serde_json::to_value(&placed).unwrap();
        assert_eq!(v["id"], "c1");
        assert_eq!(v["rate_limit"]["calls_limit"], 100);
        let back: PhoneCallWithRateLimit = serde_json::from_value(v).unwrap();
        assert_eq!(back, placed);

        let e = parse_place_call(&Response::new(
            403,
            &[],
            br#"{"detail":{"error":"recipient_blocked","matched_rule_id":null,"address":"+18005559999","reason":"blocked by filter mode"}}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.recipient_blocked");
        match &e.as_status().unwrap().kind {
            ErrorKind::RecipientBlocked { matched_rule_id, address, .. } => {
                assert_eq!(matched_rule_id, &None);
                assert_eq!(address.as_deref(), Some("+18005559999"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_place_call(&Response::new(429, &[], br#"{"detail":"rate limited"}"#)).unwrap_err().code(),
            "api.rate_limited"
        );
    }

    #[test]
    fn incoming_call_response_contract() {
        let a = IncomingCallResponse::answer(Some("wss://agent.example.com/ws".into()));
        assert_eq!(a.to_json(), br#"{"action":"answer","client_websocket_url":"wss://agent.example.com/ws"}"#.to_vec());
        assert_eq!(IncomingCallResponse::reject().to_json(), br#"{"action":"reject"}"#.to_vec());
        assert_eq!(IncomingCallResponse::from_webhook_reply(200, &a.to_json()), a);
        assert_eq!(
            IncomingCallResponse::from_webhook_reply(200, br#"{"action":"answer"}"#),
            IncomingCallResponse::answer(None)
        );
        for (status, body) in
            [(500, &br#"{"action":"answer"}"#[..]), (200, b"nope"), (200, br#"{"action":"transfer"}"#), (204, b"")]
        {
            assert_eq!(
                IncomingCallResponse::from_webhook_reply(status, body),
                IncomingCallResponse::reject(),
                "{status}"
            );
        }
        assert_eq!(IncomingCallDecision::Answer.to_string(), "answer");
    }

    const NID: &str = "11111111-1111-4111-8111-111111111111";
    const RULE: &str = r#"{"id":"r-1","phone_number_id":"11111111-1111-4111-8111-111111111111","action":"allow","match_type":"exact_number","match_target":"+15555550100","status":"paused","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;

    #[test]
    fn contact_rules_golden() {
        let base = format!("/api/v1/phone/numbers/{NID}/contact-rules");
        let r = build_list_contact_rules(NID, &ListPhoneContactRulesParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, base.as_str()));
        let p = ListPhoneContactRulesParams {
            action: Some(ContactRuleAction::Block),
            match_type: Some(PhoneRuleMatchType::ExactNumber),
            limit: Some(1),
            offset: Some(2),
        };
        assert_eq!(
            build_list_contact_rules(NID, &p).unwrap().path_and_query,
            format!("{base}?action=block&match_type=exact_number&limit=1&offset=2")
        );
        let p = ListPhoneContactRulesParams { limit: Some(201), ..Default::default() };
        assert_eq!(build_list_contact_rules(NID, &p).unwrap_err().code(), "api.validation");

        let r = build_get_contact_rule(NID, "r-1").unwrap();
        assert_eq!((r.method, r.path_and_query), (Method::Get, format!("{base}/r-1")));
        let r = build_create_contact_rule(
            NID,
            &CreatePhoneContactRuleRequest::new(ContactRuleAction::Block, "+15555550100"),
        )
        .unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, base.as_str()));
        assert_eq!(body_str(&r), r#"{"action":"block","match_type":"exact_number","match_target":"+15555550100"}"#);
        let back: CreatePhoneContactRuleRequest =
            serde_json::from_str(r#"{"action":"allow","match_target":"+15555550100"}"#).unwrap();
        assert_eq!(back.match_type, PhoneRuleMatchType::ExactNumber);
        let bad = CreatePhoneContactRuleRequest::new(ContactRuleAction::Allow, "5555550100");
        assert_eq!(build_create_contact_rule(NID, &bad).unwrap_err().code(), "api.validation");

        let u = UpdatePhoneContactRuleRequest {
            action: Some(ContactRuleAction::Allow),
            status: Some(ContactRuleStatus::Active),
        };
        let r = build_update_contact_rule(NID, "r-1", &u).unwrap();
        assert_eq!((r.method, r.path_and_query.clone()), (Method::Patch, format!("{base}/r-1")));
        assert_eq!(body_str(&r), r#"{"action":"allow","status":"active"}"#);
        let r = build_delete_contact_rule(NID, "r-1").unwrap();
        assert_eq!((r.method, r.path_and_query, r.body.is_none()), (Method::Delete, format!("{base}/r-1"), true));

        let r = build_list_org_contact_rules(&ListOrgPhoneContactRulesParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/phone/contact-rules"));
        let p = ListOrgPhoneContactRulesParams {
            phone_number_id: Some(NID.into()),
            action: None,
            match_type: None,
            limit: Some(50),
            offset: Some(0),
        };
        assert_eq!(
            build_list_org_contact_rules(&p).unwrap().path_and_query,
            format!("/api/v1/phone/contact-rules?phone_number_id={NID}&limit=50&offset=0")
        );
    }

    #[test]
    fn contact_rules_parse_and_errors() {
        let rule = parse_get_contact_rule(&ok(RULE)).unwrap();
        assert_eq!(
            (rule.phone_number_id.as_str(), rule.action.clone(), rule.status.clone()),
            (NID, ContactRuleAction::Allow, ContactRuleStatus::Paused)
        );
        assert_eq!(parse_list_contact_rules(&ok(&format!("[{RULE}]"))).unwrap(), [rule]);
        assert_eq!(parse_list_org_contact_rules(&ok("[]")).unwrap(), []);
        let no_status = RULE.replace(r#""status":"paused","#, "");
        assert_eq!(parse_create_contact_rule(&ok(&no_status)).unwrap().status, ContactRuleStatus::Active);
        let e = parse_create_contact_rule(&Response::new(
            409,
            &[],
            br#"{"detail":{"existing_rule_id":"r-0","message":"duplicate"}}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.duplicate_contact_rule");
        match &e.as_status().unwrap().kind {
            ErrorKind::DuplicateContactRule { existing_rule_id } => assert_eq!(existing_rule_id, "r-0"),
            other => panic!("{other:?}"),
        }
        let e = parse_delete_contact_rule(&Response::new(403, &[], br#"{"detail":"admin only"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
    }
}
