//! Typed webhook payloads (spec/webhooks.md: "Envelope", "Mail data", "Text
//! data", "iMessage data", "Incoming-call payload").
//!
//! Verify a delivery first ([`crate::webhook`] checks the signature over the
//! raw bytes), then parse the same bytes here:
//! - [`parse_event`]: the `{"id", "event_type", "timestamp", "data"}` envelope of
//!   mail, text and iMessage events → [`WebhookEvent`], whose
//!   [`EventData`] is chosen by the event type's channel;
//! - [`parse_incoming_call`]: the flat `phone.incoming_call` payload →
//!   [`IncomingCallPayload`]; reply with a
//!   [`IncomingCallResponse`] (re-exported from [`phone`](super::phone));
//! - [`parse_delivery`]: either of the two, for a receiver that shares one URL.
//!
//! Parsing is tolerant like the REST models: unknown fields are ignored,
//! unknown enum values are kept, and an event type this version does not know
//! never fails — its `data` is typed when it has the shape of its channel
//! (by prefix, e.g. a future `message.archived` as mail data) and kept as raw
//! JSON ([`EventData::Unknown`]) otherwise (e.g. HEAD's `call.ended`, `a2a.*`).
//! A known event type whose `data` does not match its shape is an error.
//!
//! Errors: every parse failure is an [`ApiError::Validation`] (code
//! `api.validation`) whose `field` is `body` (not JSON, not an object), `id`
//! (present but not a string), `event_type`, `timestamp` or `data`, and whose message names what is wrong
//! (a syntax error's line and column, a missing field's name, the expected
//! type) but never echoes payload content. [`ApiError::Decode`] is not used:
//! it describes an HTTP response of an operation and keeps the raw body,
//! and a webhook body is neither.
//!
//! Serialization produces the wire shape (the local emulator sends these
//! bodies): the same keys, `None` as `null`, and no `is_blocked` in
//! `text_message` or iMessage `message` (blocked traffic never produces
//! webhooks, so the key is absent from every webhook body). Those two nested
//! objects are written with their keys in lexicographic order (the key is
//! removed through a `serde_json::Value`); JSON objects are unordered, and a
//! receiver verifies the signature over the bytes it received.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::{String, ToString as _};
use alloc::vec::Vec;

use serde::ser::{Error as _, SerializeMap};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::error::ApiError;
use super::imessage::{IMessage, IMessageReaction};
use super::mail::{MessageDirection, MessageStatus};
use super::phone::{CallDirection, CallStatus, HangupReason, RateLimitInfo};
use super::texts::TextMessage;
use super::time::Timestamp;
use super::webhook_subscriptions::{EventChannel, EventType};
use super::wire_enum;

pub use super::phone::{IncomingCallDecision, IncomingCallResponse};

// ------------------------------------------------------------ matches

wire_enum! {
    /// The address field a mail contact/identity match was found in.
    pub enum MatchBucket {
        /// `from_address`.
        From = "from",
        /// `to_addresses`.
        To = "to",
        /// `cc_addresses`.
        Cc = "cc",
        /// `bcc_addresses`.
        Bcc = "bcc",
    }
}

/// A contact matched on a mail event (`data.contacts[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailContactMatch {
    /// Where the address was found.
    pub bucket: MatchBucket,
    /// The address, with the casing used in the message's address arrays.
    pub address: String,
    /// Contact UUID.
    pub id: String,
    /// Contact name (nullable on HEAD servers).
    #[serde(default)]
    pub name: Option<String>,
}

/// An agent identity matched on a mail event (`data.agent_identities[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailIdentityMatch {
    /// Where the address was found.
    pub bucket: MatchBucket,
    /// The address, with the casing used in the message's address arrays.
    pub address: String,
    /// Identity UUID.
    pub id: String,
    /// The identity's handle.
    pub agent_handle: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A contact matched on a text, iMessage or incoming-call payload (`{id, name}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMatch {
    /// Contact UUID.
    pub id: String,
    /// Contact name (nullable on HEAD servers).
    #[serde(default)]
    pub name: Option<String>,
}

/// An agent identity matched on a text, iMessage or incoming-call payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityMatch {
    /// Identity UUID.
    pub id: String,
    /// The identity's handle.
    pub agent_handle: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
}

// ------------------------------------------------------------ mail

/// The message of a mail event. Differs from the REST `Message`: no
/// `is_read`/`is_starred`, `message_id` nullable, `bcc_addresses` present
/// (populated only on outbound events), `created_at` nullable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailEventMessage {
    /// Message UUID.
    pub id: String,
    /// Mailbox UUID.
    pub mailbox_id: String,
    /// Thread UUID.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// RFC 5322 Message-ID.
    #[serde(default)]
    pub message_id: Option<String>,
    /// Sender.
    pub from_address: String,
    /// To recipients.
    pub to_addresses: Vec<String>,
    /// CC recipients.
    #[serde(default)]
    pub cc_addresses: Option<Vec<String>>,
    /// BCC recipients (outbound events only).
    #[serde(default)]
    pub bcc_addresses: Option<Vec<String>>,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// About the first 200 characters of the text body.
    #[serde(default)]
    pub snippet: Option<String>,
    /// Inbound or outbound.
    pub direction: MessageDirection,
    /// Delivery status.
    pub status: MessageStatus,
    /// Whether attachments exist.
    pub has_attachments: bool,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// `data` of a `message.*` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailEventData {
    /// The message.
    pub message: MailEventMessage,
    /// Sparse contact matches, ordered from → to → cc → bcc.
    #[serde(default)]
    pub contacts: Vec<MailContactMatch>,
    /// Sparse identity matches, same order.
    #[serde(default)]
    pub agent_identities: Vec<MailIdentityMatch>,
}

// ------------------------------------------------------------ text

/// `data` of a `text.*` event.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TextEventData {
    /// The text (its `is_blocked` is absent on the wire and reads `false`).
    pub text_message: TextMessage,
    /// Contacts matching the remote party.
    #[serde(default)]
    pub contacts: Vec<ContactMatch>,
    /// Agent identities matching the remote party.
    #[serde(default)]
    pub agent_identities: Vec<IdentityMatch>,
    /// The recipient leg an outbound **group** lifecycle event is about;
    /// `None` on inbound and 1:1 outbound events.
    #[serde(default)]
    pub recipient_phone_number: Option<String>,
}

impl TextEventData {
    /// The number the event is about: the group leg's recipient, else the
    /// text's remote number.
    pub fn counterparty(&self) -> Option<&str> {
        self.recipient_phone_number.as_deref().or(self.text_message.remote_phone_number.as_deref())
    }
}

impl Serialize for TextEventData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("text_message", &without_is_blocked(&self.text_message).map_err(S::Error::custom)?)?;
        map.serialize_entry("contacts", &self.contacts)?;
        map.serialize_entry("agent_identities", &self.agent_identities)?;
        map.serialize_entry("recipient_phone_number", &self.recipient_phone_number)?;
        map.end()
    }
}

// ------------------------------------------------------------ iMessage

/// `data` of an `imessage.*` event: exactly one of `message` (received, sent,
/// delivered, delivery_failed) and `reaction` (reaction_received) is set.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct IMessageEventData {
    /// The message (its `is_blocked` is absent on the wire and reads `false`).
    #[serde(default)]
    pub message: Option<IMessage>,
    /// The inbound tapback.
    #[serde(default)]
    pub reaction: Option<IMessageReaction>,
    /// Contacts matching the remote party.
    #[serde(default)]
    pub contacts: Vec<ContactMatch>,
    /// Agent identities matching the remote party.
    #[serde(default)]
    pub agent_identities: Vec<IdentityMatch>,
}

impl Serialize for IMessageEventData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let message = match &self.message {
            Some(m) => without_is_blocked(m).map_err(S::Error::custom)?,
            None => Value::Null,
        };
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("message", &message)?;
        map.serialize_entry("reaction", &self.reaction)?;
        map.serialize_entry("contacts", &self.contacts)?;
        map.serialize_entry("agent_identities", &self.agent_identities)?;
        map.end()
    }
}

/// Serializes a REST model to a JSON value without its `is_blocked` key.
fn without_is_blocked<T: Serialize>(model: &T) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(model)?;
    if let Some(map) = value.as_object_mut() {
        map.remove("is_blocked");
    }
    Ok(value)
}

// ------------------------------------------------------------ envelope

/// The `data` of an envelope event, by the event type's channel.
// One value per delivery: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventData {
    /// `message.*`.
    Mail(MailEventData),
    /// `text.*`.
    Text(TextEventData),
    /// `imessage.*`.
    IMessage(IMessageEventData),
    /// An event type this version does not know whose data does not have its
    /// channel's shape (or has no known channel): the raw JSON, verbatim.
    Unknown(Value),
}

impl EventData {
    /// The channel of a typed variant; `None` for [`EventData::Unknown`].
    pub fn channel(&self) -> Option<EventChannel> {
        match self {
            EventData::Mail(_) => Some(EventChannel::Mail),
            EventData::Text(_) => Some(EventChannel::Text),
            EventData::IMessage(_) => Some(EventChannel::IMessage),
            EventData::Unknown(_) => None,
        }
    }
}

impl Serialize for EventData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            EventData::Mail(d) => d.serialize(serializer),
            EventData::Text(d) => d.serialize(serializer),
            EventData::IMessage(d) => d.serialize(serializer),
            EventData::Unknown(v) => v.serialize(serializer),
        }
    }
}

/// A mail, text or iMessage webhook delivery: `{"id", "event_type", "timestamp", "data"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WebhookEvent {
    /// The envelope's event id (`evt_…`, official 0.4.13+): stable per event,
    /// the same on every retry and on a replay from the delivery log, so a
    /// receiver can drop an event it already processed. `None` when the key
    /// is absent or `null` (older servers); not serialized then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The event type (unknown names kept).
    pub event_type: EventType,
    /// When the event happened.
    pub timestamp: Timestamp,
    /// The payload, typed by channel.
    pub data: EventData,
}

impl WebhookEvent {
    /// The channel of the event type, by prefix.
    pub fn channel(&self) -> Option<EventChannel> {
        self.event_type.channel()
    }

    /// Reads an event from a parsed JSON value (the rules of [`parse_event`]).
    pub fn from_json_value(value: Value) -> Result<Self, ApiError> {
        event_from_value(value).map_err(Failure::into_error)
    }
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        event_from_value(value).map_err(|f| serde::de::Error::custom(f.to_message()))
    }
}

// ------------------------------------------------------------ incoming call

/// The flat `phone.incoming_call` payload (no envelope), sent synchronously
/// to the number's `incoming_call_webhook_url`. Answer it with an
/// [`IncomingCallResponse`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncomingCallPayload {
    /// Call UUID.
    pub id: String,
    /// Your number (E.164).
    pub local_phone_number: String,
    /// The caller (E.164).
    pub remote_phone_number: String,
    /// Always `inbound`.
    pub direction: CallDirection,
    /// Call status, e.g. `initiated`.
    pub status: CallStatus,
    /// wss URL the audio would be bridged to.
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
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// The organization's call quota snapshot.
    #[serde(default)]
    pub rate_limit: Option<RateLimitInfo>,
    /// Contacts matching the caller.
    #[serde(default)]
    pub contacts: Vec<ContactMatch>,
    /// Agent identities matching the caller.
    #[serde(default)]
    pub agent_identities: Vec<IdentityMatch>,
}

impl IncomingCallPayload {
    /// The implied event type, `phone.incoming_call`.
    pub fn event_type(&self) -> EventType {
        EventType::PhoneIncomingCall
    }
}

/// Any webhook delivery: an envelope event or the flat incoming-call payload.
// One value per delivery: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    /// A mail, text or iMessage event (the body has an `event_type` key).
    Event(WebhookEvent),
    /// The incoming-call payload (no `event_type` key).
    IncomingCall(IncomingCallPayload),
}

impl Serialize for Delivery {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Delivery::Event(e) => e.serialize(serializer),
            Delivery::IncomingCall(c) => c.serialize(serializer),
        }
    }
}

// ------------------------------------------------------------ parsing

/// Parses an envelope event (mail, text, iMessage, or an unknown type) from
/// the raw body of a delivery. See the module docs for the error contract.
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent, ApiError> {
    let value = json_object(body).map_err(Failure::into_error)?;
    WebhookEvent::from_json_value(value)
}

/// Parses the flat incoming-call payload from the raw body.
pub fn parse_incoming_call(body: &[u8]) -> Result<IncomingCallPayload, ApiError> {
    let value = json_object(body).map_err(Failure::into_error)?;
    IncomingCallPayload::deserialize(&value)
        .map_err(|e| Failure::data("body", "incoming-call payload", &e).into_error())
}

/// Parses either kind of delivery: a body with an `event_type` key is an
/// envelope event, any other object the incoming-call payload.
pub fn parse_delivery(body: &[u8]) -> Result<Delivery, ApiError> {
    let value = json_object(body).map_err(Failure::into_error)?;
    if value.get("event_type").is_some() {
        WebhookEvent::from_json_value(value).map(Delivery::Event)
    } else {
        IncomingCallPayload::deserialize(&value)
            .map(Delivery::IncomingCall)
            .map_err(|e| Failure::data("body", "incoming-call payload", &e).into_error())
    }
}

/// A parse failure: the field at fault and a message free of payload content.
#[derive(Debug)]
struct Failure {
    field: &'static str,
    message: String,
}

impl Failure {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Failure { field, message: message.into() }
    }

    /// A failure to decode `what` from an already parsed value.
    fn data(field: &'static str, what: &str, err: &serde_json::Error) -> Self {
        Failure::new(field, format!("does not match the {what} shape: {}", describe(err)))
    }

    fn to_message(&self) -> String {
        format!("{}: {}", self.field, self.message)
    }

    fn into_error(self) -> ApiError {
        ApiError::validation(self.field, Cow::Owned(self.message))
    }
}

/// Describes a serde_json error without echoing input: syntax errors by
/// position; data errors by the schema side only (a missing or duplicate
/// field's name, the expected type), never the offending value.
fn describe(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = if err.line() > 0 { format!(" at line {} column {}", err.line(), err.column()) } else { String::new() };
    match err.classify() {
        Category::Syntax => format!("not valid JSON (syntax error{at})"),
        Category::Eof => format!("not valid JSON (unexpected end of input{at})"),
        Category::Io => format!("could not be read{at}"),
        Category::Data => {
            let full = err.to_string();
            let msg = match full.rfind(" at line ") {
                Some(i) if err.line() > 0 => full.get(..i).unwrap_or_default(),
                _ => full.as_str(),
            };
            let schema_only = msg.starts_with("missing field `")
                || msg.starts_with("duplicate field `")
                || msg == "invalid ISO-8601 timestamp";
            let safe: Cow<'_, str> = if schema_only {
                Cow::Borrowed(msg)
            } else if let Some(i) = msg.rfind(", expected ") {
                Cow::Owned(format!("invalid value, expected {}", msg.get(i + 11..).unwrap_or_default()))
            } else {
                Cow::Borrowed("unexpected value")
            };
            format!("{safe}{at}")
        }
    }
}

/// Parses the body into a JSON object.
fn json_object(body: &[u8]) -> Result<Value, Failure> {
    let value: Value = serde_json::from_slice(body).map_err(|e| Failure::new("body", describe(&e)))?;
    if value.is_object() { Ok(value) } else { Err(Failure::new("body", "must be a JSON object")) }
}

fn event_from_value(value: Value) -> Result<WebhookEvent, Failure> {
    let Value::Object(mut map) = value else {
        return Err(Failure::new("body", "must be a JSON object"));
    };
    let id = match map.remove("id") {
        Some(Value::String(s)) => Some(s),
        None | Some(Value::Null) => None,
        Some(_) => return Err(Failure::new("id", "must be a string")),
    };
    let event_type = match map.remove("event_type") {
        Some(Value::String(s)) => EventType::from_wire(&s),
        None | Some(Value::Null) => return Err(Failure::new("event_type", "is missing")),
        Some(_) => return Err(Failure::new("event_type", "must be a string")),
    };
    let timestamp = match map.remove("timestamp") {
        Some(Value::String(s)) => {
            Timestamp::parse(&s).map_err(|_| Failure::new("timestamp", "is not an ISO-8601 timestamp"))?
        }
        None | Some(Value::Null) => return Err(Failure::new("timestamp", "is missing")),
        Some(_) => return Err(Failure::new("timestamp", "must be a string")),
    };
    let data = map.remove("data").unwrap_or(Value::Null);
    let known = event_type.is_known();
    let data = match event_type.channel() {
        Some(EventChannel::Mail) => typed(data, known, "mail event data", EventData::Mail)?,
        Some(EventChannel::Text) => typed(data, known, "text event data", EventData::Text)?,
        Some(EventChannel::IMessage) => {
            let set = |k: &str| data.get(k).is_some_and(|v| !v.is_null());
            match (data.is_object() && !set("message") && !set("reaction"), known) {
                (true, true) => return Err(Failure::new("data", "neither message nor reaction is set")),
                (true, false) => EventData::Unknown(data),
                (false, _) => typed(data, known, "iMessage event data", EventData::IMessage)?,
            }
        }
        Some(EventChannel::IncomingCall) | None => EventData::Unknown(data),
    };
    Ok(WebhookEvent { id, event_type, timestamp, data })
}

/// Decodes a channel's data. A known event type must match; an unknown one
/// falls back to the raw value.
fn typed<T: for<'de> Deserialize<'de>>(
    data: Value,
    known: bool,
    what: &str,
    wrap: fn(T) -> EventData,
) -> Result<EventData, Failure> {
    if !data.is_object() {
        return if known {
            Err(Failure::new("data", format!("must be a JSON object ({what})")))
        } else {
            Ok(EventData::Unknown(data))
        };
    }
    match T::deserialize(&data) {
        Ok(t) => Ok(wrap(t)),
        Err(_) if !known => Ok(EventData::Unknown(data)),
        Err(e) => Err(Failure::data("data", what, &e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::imessage::{IMessageDeliveryStatus, IMessageReactionType};
    use crate::api::texts::{TextDeliveryStatus, TextDirection};
    use alloc::vec;

    const TS: &str = "2026-04-10T18:13:42.201Z";

    // ---- mail

    const MAIL_RECEIVED: &str = r#"{"event_type":"message.received","timestamp":"2026-04-10T18:13:42.201Z","data":{
        "message":{"id":"0b8f2d7e-54a1-4c1e-9a8e-3f5b2c1d0e9f","mailbox_id":"7d1e0b52-3f55-4c43-9d1a-6a0f3f2b9c11",
          "thread_id":"c2a4e6f8-1b3d-4f5a-8c7e-9d0b1a2c3e4f","message_id":"<CAF=abc123@mail.example.com>",
          "from_address":"Jane.Doe@Example.com","to_addresses":["support-bot@inkboxmail.com"],
          "cc_addresses":["ops@example.com","helper-bot@inkboxmail.com"],"bcc_addresses":null,
          "subject":"Invoice #4411","snippet":"Hi, please find the invoice attached.","direction":"inbound",
          "status":"received","has_attachments":true,"created_at":"2026-04-10T18:13:41.950Z"},
        "contacts":[
          {"bucket":"from","address":"Jane.Doe@Example.com","id":"4c3b2a19-0000-4000-8000-000000000001","name":"Jane Doe"},
          {"bucket":"cc","address":"ops@example.com","id":"4c3b2a19-0000-4000-8000-000000000002","name":"Ops Team"}],
        "agent_identities":[
          {"bucket":"cc","address":"helper-bot@inkboxmail.com","id":"9e8d7c6b-0000-4000-8000-000000000003","agent_handle":"helper-bot","display_name":null}]}}"#;

    const MAIL_SENT: &str = r#"{"event_type":"message.sent","timestamp":"2026-04-10T18:20:00Z","data":{
        "message":{"id":"1c9f3e8f-65b2-4d2f-8b9f-4a6c3d2e1f00","mailbox_id":"7d1e0b52-3f55-4c43-9d1a-6a0f3f2b9c11",
          "thread_id":null,"message_id":null,"from_address":"support-bot@inkboxmail.com",
          "to_addresses":["jane.doe@example.com","sales-bot@inkboxmail.com"],"cc_addresses":null,
          "bcc_addresses":["audit@example.com"],"subject":null,"snippet":null,"direction":"outbound",
          "status":"sent","has_attachments":false,"created_at":null},
        "contacts":[
          {"bucket":"to","address":"jane.doe@example.com","id":"4c3b2a19-0000-4000-8000-000000000001","name":"Jane Doe"},
          {"bucket":"bcc","address":"audit@example.com","id":"4c3b2a19-0000-4000-8000-000000000004","name":"Audit"}],
        "agent_identities":[
          {"bucket":"to","address":"sales-bot@inkboxmail.com","id":"9e8d7c6b-0000-4000-8000-000000000005","agent_handle":"sales-bot","display_name":"Sales Bot"}]}}"#;

    // ---- text

    const TEXT_RECEIVED: &str = r#"{"event_type":"text.received","timestamp":"2026-04-10T18:13:42.201Z","data":{
        "text_message":{"id":"5a6b7c8d-0000-4000-8000-000000000010","direction":"inbound","local_phone_number":"+15550001111",
          "remote_phone_number":"+15552223333","text":"Is this the support line?","type":"sms","media":null,"is_read":false,
          "conversation_id":"6b7c8d9e-0000-4000-8000-000000000011","sender_phone_number":null,"recipients":null,
          "delivery_status":null,"origin":"user_initiated","error_code":null,"error_detail":null,"sent_at":null,
          "delivered_at":null,"failed_at":null,"created_at":"2026-04-10T18:13:42Z","updated_at":"2026-04-10T18:13:42Z"},
        "contacts":[{"id":"4c3b2a19-0000-4000-8000-000000000001","name":"Jane Doe"}],
        "agent_identities":[],"recipient_phone_number":null}}"#;

    const TEXT_GROUP_DELIVERED: &str = r#"{"event_type":"text.delivered","timestamp":"2026-04-10T18:30:05.500Z","data":{
        "text_message":{"id":"5a6b7c8d-0000-4000-8000-000000000020","direction":"outbound","local_phone_number":"+15550001111",
          "remote_phone_number":null,"text":"Team meeting moved to 3pm","type":"mms",
          "media":[{"content_type":"image/png","size":48213,"url":"https://media.inkbox.ai/signed/abc?sig=x"}],"is_read":true,
          "conversation_id":"6b7c8d9e-0000-4000-8000-000000000021","sender_phone_number":null,
          "recipients":[
            {"recipient_phone_number":"+15552223333","delivery_status":"delivered","carrier":"T-Mobile","line_type":"mobile",
             "error_code":null,"error_detail":null,"sent_at":"2026-04-10T18:30:01Z","delivered_at":"2026-04-10T18:30:05Z","failed_at":null},
            {"recipient_phone_number":"+15554445555","delivery_status":"sent","carrier":null,"line_type":null,
             "error_code":null,"error_detail":null,"sent_at":"2026-04-10T18:30:01Z","delivered_at":null,"failed_at":null}],
          "delivery_status":"sent","origin":"user_initiated","error_code":null,"error_detail":null,"sent_at":null,
          "delivered_at":null,"failed_at":null,"created_at":"2026-04-10T18:30:00Z","updated_at":"2026-04-10T18:30:05Z"},
        "contacts":[],
        "agent_identities":[{"id":"9e8d7c6b-0000-4000-8000-000000000003","agent_handle":"helper-bot","display_name":"Helper"}],
        "recipient_phone_number":"+15552223333"}}"#;

    // ---- iMessage

    const IMESSAGE_RECEIVED: &str = r#"{"event_type":"imessage.received","timestamp":"2026-04-10T18:40:00Z","data":{
        "message":{"id":"7c8d9e0f-0000-4000-8000-000000000030","conversation_id":"8d9e0f1a-0000-4000-8000-000000000031",
          "assignment_id":"9e0f1a2b-0000-4000-8000-000000000032","direction":"inbound","remote_number":"+15552223333",
          "content":"connect worked! hi","message_type":"message","service":"imessage","send_style":null,
          "media":[{"url":"https://media.inkbox.ai/im/photo.jpg","content_type":"image/jpeg","size":1024}],
          "was_downgraded":null,"status":"received","error_code":null,"error_message":null,"error_reason":null,
          "error_detail":null,"is_read":false,"recipients":null,"reactions":null,
          "created_at":"2026-04-10T18:40:00Z","updated_at":"2026-04-10T18:40:00Z"},
        "reaction":null,
        "contacts":[{"id":"4c3b2a19-0000-4000-8000-000000000001","name":"Jane Doe"}],
        "agent_identities":[]}}"#;

    const IMESSAGE_REACTION: &str = r#"{"event_type":"imessage.reaction_received","timestamp":"2026-04-10T18:41:00Z","data":{
        "message":null,
        "reaction":{"id":"0f1a2b3c-0000-4000-8000-000000000040","conversation_id":"8d9e0f1a-0000-4000-8000-000000000031",
          "assignment_id":"9e0f1a2b-0000-4000-8000-000000000032","target_message_id":"7c8d9e0f-0000-4000-8000-000000000033",
          "direction":"inbound","reaction":"custom","custom_emoji":"🎉","remote_number":"+15552223333","part_index":0,
          "created_at":"2026-04-10T18:41:00Z","updated_at":"2026-04-10T18:41:00Z"},
        "contacts":[],"agent_identities":[]}}"#;

    const IMESSAGE_FAILED: &str = r#"{"event_type":"imessage.delivery_failed","timestamp":"2026-04-10T18:50:00Z","data":{
        "message":{"id":"7c8d9e0f-0000-4000-8000-000000000050","conversation_id":"8d9e0f1a-0000-4000-8000-000000000031",
          "assignment_id":"9e0f1a2b-0000-4000-8000-000000000032","direction":"outbound","remote_number":"+15552223333",
          "content":"Your order shipped","message_type":"message","service":"imessage","send_style":"confetti","media":null,
          "was_downgraded":false,"status":"declined","error_code":"E_DECLINED","error_message":"Recipient declined",
          "error_reason":"declined","error_detail":null,"is_read":true,
          "recipients":[{"remote_number":"+15552223333","delivery_status":"declined","service":"imessage","error_code":"E_DECLINED",
            "error_message":"Recipient declined","error_reason":"declined","error_detail":null,"sent_at":null,
            "delivered_at":null,"failed_at":"2026-04-10T18:50:00Z"}],
          "reactions":[{"id":"0f1a2b3c-0000-4000-8000-000000000041","direction":"inbound","reaction":"like","custom_emoji":null,
            "remote_number":"+15552223333","part_index":0,"created_at":"2026-04-10T18:45:00Z"}],
          "created_at":"2026-04-10T18:49:59Z","updated_at":"2026-04-10T18:50:00Z"},
        "reaction":null,"contacts":[],
        "agent_identities":[{"id":"9e8d7c6b-0000-4000-8000-000000000003","agent_handle":"helper-bot","display_name":null}]}}"#;

    // ---- incoming call

    const INCOMING_CALL: &str = r#"{"id":"a1b2c3d4-0000-4000-8000-000000000060","local_phone_number":"+15550001111",
        "remote_phone_number":"+15552223333","direction":"inbound","status":"initiated","client_websocket_url":null,
        "use_inkbox_tts":null,"use_inkbox_stt":null,"hangup_reason":null,"started_at":null,"ended_at":null,
        "created_at":"2026-04-10T19:00:00Z","updated_at":"2026-04-10T19:00:00Z",
        "rate_limit":{"calls_used":12,"calls_remaining":88,"calls_limit":100,"minutes_used":34.5,"minutes_remaining":965.5,"minutes_limit":1000},
        "contacts":[{"id":"4c3b2a19-0000-4000-8000-000000000001","name":"Jane Doe"}],
        "agent_identities":[]}"#;

    fn value(body: &str) -> Value {
        serde_json::from_str(body).unwrap()
    }

    /// Parses, checks that serialization gives back the same JSON value, and
    /// that parsing the serialized bytes gives back the same event.
    fn round_trip(body: &str) -> WebhookEvent {
        let ev = parse_event(body.as_bytes()).unwrap();
        let bytes = serde_json::to_vec(&ev).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), value(body), "serialize is not the wire shape");
        assert_eq!(parse_event(&bytes).unwrap(), ev);
        let via_serde: WebhookEvent = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(via_serde, ev);
        ev
    }

    fn field_of(e: &ApiError) -> &str {
        match e {
            ApiError::Validation { field, .. } => field,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn message_of(e: &ApiError) -> String {
        match e {
            ApiError::Validation { message, .. } => message.to_string(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn envelope_event_id() {
        // Absent (older servers) and null are None and not serialized back.
        assert_eq!(round_trip(MAIL_RECEIVED).id, None);
        let mut v = value(TEXT_RECEIVED);
        v["id"] = Value::Null;
        assert_eq!(parse_event(&serde_json::to_vec(&v).unwrap()).unwrap().id, None);
        // Present: kept verbatim, serialized first, the data still typed.
        v["id"] = "evt_01HZX3K9Q4T7".into();
        let body = serde_json::to_string(&v).unwrap();
        let ev = round_trip(&body);
        assert_eq!(ev.id.as_deref(), Some("evt_01HZX3K9Q4T7"));
        assert!(matches!(ev.data, EventData::Text(_)));
        assert!(serde_json::to_string(&ev).unwrap().starts_with(r#"{"id":"evt_01HZX3K9Q4T7","event_type":"#));
        // parse_delivery routes an envelope with an id to the event.
        let Delivery::Event(d) = parse_delivery(body.as_bytes()).unwrap() else { panic!("not an event") };
        assert_eq!(d.id.as_deref(), Some("evt_01HZX3K9Q4T7"));
    }

    #[test]
    fn mail_received_with_matches() {
        let ev = round_trip(MAIL_RECEIVED);
        assert_eq!(ev.event_type, EventType::MessageReceived);
        assert_eq!(ev.timestamp.to_string(), TS);
        assert_eq!(ev.channel(), Some(EventChannel::Mail));
        let EventData::Mail(d) = &ev.data else { panic!("{:?}", ev.data) };
        assert_eq!(d.message.direction, MessageDirection::Inbound);
        assert_eq!(d.message.status, MessageStatus::Received);
        assert_eq!(d.message.message_id.as_deref(), Some("<CAF=abc123@mail.example.com>"));
        assert_eq!(d.message.bcc_addresses, None);
        assert!(d.message.has_attachments);
        assert_eq!(d.contacts.len(), 2);
        assert_eq!(
            (&d.contacts[0].bucket, d.contacts[0].address.as_str()),
            (&MatchBucket::From, "Jane.Doe@Example.com")
        );
        assert_eq!(d.contacts[1].bucket, MatchBucket::Cc);
        assert_eq!(d.agent_identities[0].agent_handle, "helper-bot");
        assert_eq!(d.agent_identities[0].display_name, None);
        assert_eq!(ev.data.channel(), Some(EventChannel::Mail));
    }

    #[test]
    fn mail_sent_outbound_with_bcc() {
        let ev = round_trip(MAIL_SENT);
        assert_eq!(ev.event_type, EventType::MessageSent);
        let EventData::Mail(d) = &ev.data else { panic!() };
        assert_eq!(d.message.direction, MessageDirection::Outbound);
        assert_eq!(d.message.message_id, None);
        assert_eq!(d.message.thread_id, None);
        assert_eq!(d.message.created_at, None);
        assert_eq!(d.message.bcc_addresses.as_deref(), Some(&["audit@example.com".to_string()][..]));
        let buckets: Vec<_> = d.contacts.iter().map(|c| c.bucket.as_str()).collect();
        assert_eq!(buckets, ["to", "bcc"]);
        assert_eq!(d.agent_identities[0].display_name.as_deref(), Some("Sales Bot"));
    }

    #[test]
    fn text_received_one_to_one() {
        let ev = round_trip(TEXT_RECEIVED);
        assert_eq!(ev.event_type, EventType::TextReceived);
        let EventData::Text(d) = &ev.data else { panic!() };
        assert_eq!(d.text_message.direction, TextDirection::Inbound);
        assert_eq!(d.text_message.recipients, None);
        assert_eq!(d.text_message.delivery_status, None);
        assert!(!d.text_message.is_blocked);
        assert_eq!(d.recipient_phone_number, None);
        assert_eq!(d.counterparty(), Some("+15552223333"));
        assert_eq!(d.contacts[0].name.as_deref(), Some("Jane Doe"));
        assert!(d.agent_identities.is_empty());
        // No is_blocked on the wire.
        let v = serde_json::to_value(&ev).unwrap();
        assert!(v["data"]["text_message"].get("is_blocked").is_none());
        assert_eq!(v["data"]["text_message"]["type"], "sms");
    }

    #[test]
    fn text_group_outbound_leg() {
        let ev = round_trip(TEXT_GROUP_DELIVERED);
        assert_eq!(ev.event_type, EventType::TextDelivered);
        let EventData::Text(d) = &ev.data else { panic!() };
        assert_eq!(d.text_message.remote_phone_number, None);
        assert_eq!(d.text_message.recipients.as_ref().map(Vec::len), Some(2));
        assert_eq!(d.text_message.delivery_status, Some(TextDeliveryStatus::Sent));
        assert_eq!(d.recipient_phone_number.as_deref(), Some("+15552223333"));
        assert_eq!(d.counterparty(), Some("+15552223333"));
        let leg =
            d.text_message.recipients.as_ref().unwrap().iter().find(|r| r.recipient_phone_number == "+15552223333");
        assert_eq!(leg.unwrap().delivery_status, Some(TextDeliveryStatus::Delivered));
        assert_eq!(ev.timestamp.subsec_nanos(), 500_000_000);
    }

    #[test]
    fn imessage_received_reaction_and_failure() {
        let ev = round_trip(IMESSAGE_RECEIVED);
        assert_eq!(ev.event_type, EventType::IMessageReceived);
        let EventData::IMessage(d) = &ev.data else { panic!() };
        assert_eq!(d.message.as_ref().unwrap().content.as_deref(), Some("connect worked! hi"));
        assert!(d.reaction.is_none());
        let v = serde_json::to_value(&ev).unwrap();
        assert!(v["data"]["message"].get("is_blocked").is_none());

        let ev = round_trip(IMESSAGE_REACTION);
        assert_eq!(ev.event_type, EventType::IMessageReactionReceived);
        let EventData::IMessage(d) = &ev.data else { panic!() };
        assert!(d.message.is_none());
        let r = d.reaction.as_ref().unwrap();
        assert_eq!((&r.reaction, r.custom_emoji.as_deref()), (&IMessageReactionType::Custom, Some("🎉")));
        assert_eq!(serde_json::to_value(&ev).unwrap()["data"]["message"], Value::Null);

        let ev = round_trip(IMESSAGE_FAILED);
        assert_eq!(ev.event_type, EventType::IMessageDeliveryFailed);
        let EventData::IMessage(d) = &ev.data else { panic!() };
        let m = d.message.as_ref().unwrap();
        assert_eq!(m.status, Some(IMessageDeliveryStatus::Declined));
        assert_eq!(m.error_reason.as_deref(), Some("declined"));
        assert_eq!(m.reactions.as_ref().map(Vec::len), Some(1));
        assert_eq!(d.agent_identities[0].display_name, None);
    }

    #[test]
    fn incoming_call_payload() {
        let c = parse_incoming_call(INCOMING_CALL.as_bytes()).unwrap();
        assert_eq!(c.direction, CallDirection::Inbound);
        assert_eq!(c.status, CallStatus::Initiated);
        assert_eq!(c.event_type(), EventType::PhoneIncomingCall);
        let rl = c.rate_limit.as_ref().unwrap();
        assert_eq!((rl.calls_remaining, rl.minutes_used), (88, 34.5));
        assert_eq!(c.contacts[0].id, "4c3b2a19-0000-4000-8000-000000000001");
        // Serialization is the wire shape, and parses back.
        let bytes = serde_json::to_vec(&c).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), value(INCOMING_CALL));
        assert_eq!(parse_incoming_call(&bytes).unwrap(), c);
        // rate_limit null, contacts/identities absent → defaults; unknown enum values kept.
        let minimal = r#"{"id":"c1","local_phone_number":"+15550001111","remote_phone_number":"+15552223333",
            "direction":"inbound","status":"screening","created_at":"2026-04-10T19:00:00Z",
            "updated_at":"2026-04-10T19:00:00Z","rate_limit":null,"hangup_reason":"spam","new_key":[1]}"#;
        let c = parse_incoming_call(minimal.as_bytes()).unwrap();
        assert_eq!(c.status, CallStatus::Unknown("screening".into()));
        assert_eq!(c.hangup_reason, Some(HangupReason::Unknown("spam".into())));
        assert!(c.rate_limit.is_none() && c.contacts.is_empty() && c.agent_identities.is_empty());
        // The reply contract is phone's IncomingCallResponse.
        let reply = IncomingCallResponse::answer(Some("wss://agent.example.com/ws".into()));
        assert_eq!(
            serde_json::to_string(&reply).unwrap(),
            r#"{"action":"answer","client_websocket_url":"wss://agent.example.com/ws"}"#
        );
        assert_eq!(IncomingCallResponse::from_webhook_reply(500, b"{}").action, IncomingCallDecision::Reject);
        // A missing required field is an error naming it.
        let e = parse_incoming_call(br#"{"id":"c1"}"#).unwrap_err();
        assert_eq!((e.code(), field_of(&e)), ("api.validation", "body"));
        assert!(message_of(&e).contains("missing field `local_phone_number`"), "{}", message_of(&e));
    }

    /// Every envelope event type of the catalog parses into its channel's data.
    #[test]
    fn every_catalog_event_type() {
        let mail = value(MAIL_RECEIVED)["data"].clone();
        let text = value(TEXT_RECEIVED)["data"].clone();
        let im_msg = value(IMESSAGE_FAILED)["data"].clone();
        let im_react = value(IMESSAGE_REACTION)["data"].clone();
        let mut seen = 0;
        for et in EventType::KNOWN {
            let (data, channel) = match et.channel() {
                Some(EventChannel::Mail) => (mail.clone(), EventChannel::Mail),
                Some(EventChannel::Text) => (text.clone(), EventChannel::Text),
                Some(EventChannel::IMessage) if *et == EventType::IMessageReactionReceived => {
                    (im_react.clone(), EventChannel::IMessage)
                }
                Some(EventChannel::IMessage) => (im_msg.clone(), EventChannel::IMessage),
                _ => continue,
            };
            let body = serde_json::json!({"event_type": et.as_str(), "timestamp": TS, "data": data});
            let ev = round_trip(&body.to_string());
            assert_eq!(&ev.event_type, et);
            assert_eq!(ev.data.channel(), Some(channel), "{et}");
            seen += 1;
        }
        assert_eq!(seen, 16);
        // The incoming call is never enveloped: in an envelope it stays raw.
        let ev = parse_event(
            br#"{"event_type":"phone.incoming_call","timestamp":"2026-04-10T18:13:42Z","data":{"id":"c"}}"#,
        )
        .unwrap();
        assert_eq!(ev.data, EventData::Unknown(serde_json::json!({"id": "c"})));
    }

    #[test]
    fn unknown_event_types_never_fail() {
        // No known channel: raw data, verbatim (HEAD's call.ended).
        let body = r#"{"event_type":"call.ended","timestamp":"2026-04-10T18:13:42.201Z","data":{"call":{"id":"c1","duration":42},"x":[1,2]}}"#;
        let ev = round_trip(body);
        assert_eq!(ev.event_type, EventType::Unknown("call.ended".into()));
        assert_eq!(ev.channel(), None);
        assert_eq!(ev.data, EventData::Unknown(value(body)["data"].clone()));
        // Data absent: kept as null.
        let ev = parse_event(br#"{"event_type":"a2a.task","timestamp":"2026-04-10T18:13:42Z"}"#).unwrap();
        assert_eq!(ev.data, EventData::Unknown(Value::Null));
        // Known prefix, unknown name, channel shape: typed.
        let mut v = value(MAIL_RECEIVED);
        v["event_type"] = "message.archived".into();
        let ev = parse_event(v.to_string().as_bytes()).unwrap();
        assert_eq!(ev.event_type, EventType::Unknown("message.archived".into()));
        assert!(matches!(ev.data, EventData::Mail(_)));
        // iMessage prefix, unknown name, neither message nor reaction: raw.
        let ev = parse_event(
            br#"{"event_type":"imessage.typing","timestamp":"2026-04-10T18:13:42Z","data":{"contacts":[]}}"#,
        )
        .unwrap();
        assert_eq!(ev.data, EventData::Unknown(serde_json::json!({"contacts": []})));
        // Known prefix, unknown name, other shape: raw.
        let ev = parse_event(br#"{"event_type":"text.summary","timestamp":"2026-04-10T18:13:42Z","data":{"count":3}}"#)
            .unwrap();
        assert_eq!(ev.data, EventData::Unknown(serde_json::json!({"count": 3})));
    }

    #[test]
    fn unknown_fields_and_enum_values_are_tolerated() {
        let mut v = value(MAIL_RECEIVED);
        v["delivery_id"] = "d-1".into();
        v["data"]["message"]["status"] = "quarantined".into();
        v["data"]["message"]["direction"] = "internal".into();
        v["data"]["message"]["spam_score"] = 0.2.into();
        v["data"]["contacts"][0]["bucket"] = "reply_to".into();
        v["data"]["contacts"][0]["memories"] = serde_json::json!(["likes invoices"]);
        v["data"]["contacts"][1]["name"] = Value::Null;
        let ev = parse_event(v.to_string().as_bytes()).unwrap();
        let EventData::Mail(d) = &ev.data else { panic!() };
        assert_eq!(d.message.status, MessageStatus::Unknown("quarantined".into()));
        assert_eq!(d.message.direction, MessageDirection::Unknown("internal".into()));
        assert_eq!(d.contacts[0].bucket, MatchBucket::Unknown("reply_to".into()));
        assert_eq!(d.contacts[1].name, None);
        // Unknown values are written back verbatim.
        let out = serde_json::to_value(&ev).unwrap();
        assert_eq!(out["data"]["message"]["status"], "quarantined");
        assert_eq!(out["data"]["contacts"][0]["bucket"], "reply_to");

        let mut v = value(TEXT_RECEIVED);
        v["data"]["text_message"]["type"] = "rcs".into();
        v["data"]["text_message"]["is_blocked"] = true.into();
        v["data"]["extra"] = serde_json::json!({"a": 1});
        let ev = parse_event(v.to_string().as_bytes()).unwrap();
        let EventData::Text(d) = &ev.data else { panic!() };
        assert_eq!(d.text_message.text_type, crate::api::texts::TextType::Unknown("rcs".into()));
        // contacts/agent_identities absent → empty (they are always present on the wire).
        let mut v = value(IMESSAGE_REACTION);
        v["data"].as_object_mut().unwrap().remove("contacts");
        v["data"].as_object_mut().unwrap().remove("agent_identities");
        v["data"]["reaction"]["reaction"] = "heart_eyes".into();
        let ev = parse_event(v.to_string().as_bytes()).unwrap();
        let EventData::IMessage(d) = &ev.data else { panic!() };
        assert!(d.contacts.is_empty());
        assert_eq!(d.reaction.as_ref().unwrap().reaction, IMessageReactionType::Unknown("heart_eyes".into()));
    }

    /// (body, failing field, message fragment).
    #[test]
    fn malformed_bodies_are_errors_that_echo_nothing() {
        let cases: &[(&str, &str, &str)] = &[
            (r#"{"event_type":"text.received","timestamp":"SECRET"#, "body", "not valid JSON"),
            ("{\"event_type\":\"text.received\",\n\"timestamp\" SECRET}", "body", "line 2 column"),
            ("", "body", "unexpected end"),
            ("\u{feff}{}", "body", "not valid JSON"),
            (r#"["SECRET"]"#, "body", "JSON object"),
            (r#""SECRET""#, "body", "JSON object"),
            (r#"{"timestamp":"2026-04-10T18:13:42Z","data":{}}"#, "event_type", "missing"),
            (r#"{"event_type":null,"timestamp":"2026-04-10T18:13:42Z","data":{}}"#, "event_type", "missing"),
            (r#"{"event_type":7,"timestamp":"2026-04-10T18:13:42Z","data":{}}"#, "event_type", "string"),
            (r#"{"event_type":"message.sent","data":{}}"#, "timestamp", "missing"),
            (r#"{"event_type":"message.sent","timestamp":"SECRET","data":{}}"#, "timestamp", "ISO-8601"),
            (r#"{"event_type":"message.sent","timestamp":1741737600,"data":{}}"#, "timestamp", "string"),
            (r#"{"event_type":"message.sent","timestamp":"2026-04-10T18:13:42Z"}"#, "data", "mail event data"),
            (
                r#"{"event_type":"message.sent","timestamp":"2026-04-10T18:13:42Z","data":{"contacts":[]}}"#,
                "data",
                "missing field `message`",
            ),
            (
                r#"{"event_type":"text.sent","timestamp":"2026-04-10T18:13:42Z","data":{"text_message":"SECRET"}}"#,
                "data",
                "expected",
            ),
            (r#"{"event_type":"imessage.sent","timestamp":"2026-04-10T18:13:42Z","data":[]}"#, "data", "JSON object"),
            (r#"{"event_type":"text.sent","timestamp":"2026-04-10T18:13:42Z","data":"SECRET"}"#, "data", "JSON object"),
            (
                r#"{"event_type":"imessage.sent","timestamp":"2026-04-10T18:13:42Z","data":{"contacts":[]}}"#,
                "data",
                "neither",
            ),
            (
                r#"{"event_type":"imessage.received","timestamp":"2026-04-10T18:13:42Z","data":{"message":null,"reaction":null}}"#,
                "data",
                "neither",
            ),
        ];
        let cases = [
            cases,
            &[(r#"{"id":42,"event_type":"text.sent","timestamp":"2026-04-10T18:13:42Z","data":{}}"#, "id", "string")],
        ]
        .concat();
        for (body, field, fragment) in &cases {
            let e = parse_event(body.as_bytes()).unwrap_err();
            assert_eq!(e.code(), "api.validation", "{body}");
            assert_eq!(field_of(&e), *field, "{body}");
            let msg = message_of(&e);
            assert!(msg.contains(fragment), "{body}: {msg}");
            assert!(!msg.contains("SECRET") && !e.to_string().contains("SECRET"), "{body}: {msg}");
            assert!(!alloc::format!("{e:?}").contains("SECRET"), "{body}");
        }
        // A wrong type deep inside a known event names the expectation only.
        let mut v = value(MAIL_RECEIVED);
        v["data"]["message"]["has_attachments"] = "SECRET, expected a boolean".into();
        let e = parse_event(v.to_string().as_bytes()).unwrap_err();
        let msg = message_of(&e);
        assert_eq!(field_of(&e), "data");
        assert!(msg.contains("expected a boolean") && !msg.contains("SECRET"), "{msg}");
        let mut v = value(TEXT_RECEIVED);
        v["data"]["text_message"]["created_at"] = "SECRET-DATE".into();
        let msg = message_of(&parse_event(v.to_string().as_bytes()).unwrap_err());
        assert!(msg.contains("ISO-8601") && !msg.contains("SECRET"), "{msg}");
        // The incoming-call parser follows the same rules.
        let e = parse_incoming_call(br#"{"id":"SECRET","local_phone_number":5}"#).unwrap_err();
        assert!(!message_of(&e).contains("SECRET"));
        assert_eq!(parse_incoming_call(b"nope").unwrap_err().code(), "api.validation");
        // serde's Deserialize for WebhookEvent reports the same, as a serde error.
        let e = serde_json::from_str::<WebhookEvent>(r#"{"event_type":"text.sent"}"#).unwrap_err();
        assert!(e.to_string().starts_with("timestamp: is missing"), "{e}");
    }

    #[test]
    fn delivery_dispatch() {
        assert!(matches!(parse_delivery(TEXT_RECEIVED.as_bytes()).unwrap(), Delivery::Event(_)));
        let d = parse_delivery(INCOMING_CALL.as_bytes()).unwrap();
        assert!(matches!(&d, Delivery::IncomingCall(c) if c.id == "a1b2c3d4-0000-4000-8000-000000000060"));
        assert_eq!(serde_json::to_value(&d).unwrap(), value(INCOMING_CALL));
        assert_eq!(field_of(&parse_delivery(b"{}").unwrap_err()), "body");
        assert_eq!(field_of(&parse_delivery(b"[1]").unwrap_err()), "body");
    }

    #[test]
    fn constructed_events_serialize_to_the_wire_shape() {
        let ev = WebhookEvent {
            id: None,
            event_type: EventType::IMessageReactionReceived,
            timestamp: Timestamp::parse(TS).unwrap(),
            data: EventData::IMessage(IMessageEventData {
                message: None,
                reaction: None,
                contacts: vec![ContactMatch { id: "c1".into(), name: None }],
                agent_identities: vec![],
            }),
        };
        assert_eq!(
            serde_json::to_string(&ev).unwrap(),
            r#"{"event_type":"imessage.reaction_received","timestamp":"2026-04-10T18:13:42.201Z","data":{"message":null,"reaction":null,"contacts":[{"id":"c1","name":null}],"agent_identities":[]}}"#
        );
        let ev = WebhookEvent {
            id: None,
            event_type: EventType::Unknown("a2a.message".into()),
            timestamp: Timestamp::from_unix(0, 0),
            data: EventData::Unknown(serde_json::json!({"k": [true]})),
        };
        assert_eq!(
            serde_json::to_string(&ev).unwrap(),
            r#"{"event_type":"a2a.message","timestamp":"1970-01-01T00:00:00Z","data":{"k":[true]}}"#
        );
    }
}
