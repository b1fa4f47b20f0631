//! Webhook subscriptions and the event catalog (spec/webhooks.md).
//!
//! A subscription names exactly one owner ([`SubscriptionOwner`]: a mailbox,
//! a phone number or an agent identity), one HTTPS URL and a non-empty set of
//! [`EventType`]s from the owner's channel. `phone.incoming_call` is not
//! subscribable: it stays on the phone number as `incoming_call_webhook_url`.
//!
//! Client-side checks, run before any request is built, are the official
//! SDK's (see [`CreateSubscriptionRequest::validate`] and
//! [`UpdateSubscriptionRequest::validate`]) plus one of ours: the URL must be
//! `https://` (the server requires an HTTPS URL), except that `http://` is let
//! through for `localhost`, `127.0.0.1` and `[::1]` so that a local emulator
//! can deliver to a receiver on the same machine (see [`check_url`]).
//!
//! The typed payloads that subscriptions deliver live in
//! [`events`](super::webhook_events).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::catalog::Operation;
use super::error::ApiError;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/v1/webhooks/subscriptions`
    pub const LIST: Operation =
        Operation::new("webhooks.subscriptions.list", Method::Get, "/api/v1/webhooks/subscriptions");
    /// `GET /api/v1/webhooks/subscriptions/{id}`
    pub const GET: Operation =
        Operation::new("webhooks.subscriptions.get", Method::Get, "/api/v1/webhooks/subscriptions/{id}");
    /// `POST /api/v1/webhooks/subscriptions`
    pub const CREATE: Operation =
        Operation::new("webhooks.subscriptions.create", Method::Post, "/api/v1/webhooks/subscriptions");
    /// `PATCH /api/v1/webhooks/subscriptions/{id}`
    pub const UPDATE: Operation =
        Operation::new("webhooks.subscriptions.update", Method::Patch, "/api/v1/webhooks/subscriptions/{id}");
    /// `DELETE /api/v1/webhooks/subscriptions/{id}`
    pub const DELETE: Operation =
        Operation::new("webhooks.subscriptions.delete", Method::Delete, "/api/v1/webhooks/subscriptions/{id}");
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[&ops::LIST, &ops::GET, &ops::CREATE, &ops::UPDATE, &ops::DELETE];

// ------------------------------------------------------------ event catalog

wire_enum! {
    /// A webhook event type (the whole catalog; unknown names are kept).
    pub enum EventType {
        /// Inbound mail received.
        MessageReceived = "message.received",
        /// Outbound mail accepted.
        MessageSent = "message.sent",
        /// Outbound mail forwarded.
        MessageForwarded = "message.forwarded",
        /// Outbound mail delivered.
        MessageDelivered = "message.delivered",
        /// Outbound mail bounced.
        MessageBounced = "message.bounced",
        /// Outbound mail failed.
        MessageFailed = "message.failed",
        /// Inbound SMS/MMS received.
        TextReceived = "text.received",
        /// Outbound text accepted by the carrier.
        TextSent = "text.sent",
        /// Outbound text delivered.
        TextDelivered = "text.delivered",
        /// Outbound text failed.
        TextDeliveryFailed = "text.delivery_failed",
        /// Outbound text: no delivery confirmation.
        TextDeliveryUnconfirmed = "text.delivery_unconfirmed",
        /// Inbound iMessage received.
        IMessageReceived = "imessage.received",
        /// Inbound tapback received.
        IMessageReactionReceived = "imessage.reaction_received",
        /// Outbound iMessage sent.
        IMessageSent = "imessage.sent",
        /// Outbound iMessage delivered.
        IMessageDelivered = "imessage.delivered",
        /// Outbound iMessage failed (declined or error).
        IMessageDeliveryFailed = "imessage.delivery_failed",
        /// Synchronous incoming-call callback (not subscribable).
        PhoneIncomingCall = "phone.incoming_call",
    }
}

/// The channel an event belongs to, which decides the owner that may
/// subscribe to it and the shape of its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventChannel {
    /// `message.*`, owned by a mailbox.
    Mail,
    /// `text.*`, owned by a phone number.
    Text,
    /// `imessage.*`, owned by an agent identity.
    IMessage,
    /// `phone.incoming_call` (per-number URL, not subscribable).
    IncomingCall,
}

impl EventChannel {
    /// Every channel.
    pub const ALL: &'static [EventChannel] =
        &[EventChannel::Mail, EventChannel::Text, EventChannel::IMessage, EventChannel::IncomingCall];

    /// The channel of an event name, by prefix: `message.` → mail, `text.` →
    /// text, `imessage.` → iMessage; exactly `phone.incoming_call` →
    /// incoming call. Anything else (e.g. HEAD's `call.ended`, `a2a.*`) is
    /// `None`. Names are compared case-sensitively, as the API does.
    pub fn of_event_name(name: &str) -> Option<EventChannel> {
        if name.starts_with("message.") {
            Some(EventChannel::Mail)
        } else if name.starts_with("text.") {
            Some(EventChannel::Text)
        } else if name.starts_with("imessage.") {
            Some(EventChannel::IMessage)
        } else if name == "phone.incoming_call" {
            Some(EventChannel::IncomingCall)
        } else {
            None
        }
    }

    /// The prefix of the channel's event names (`phone.` for the incoming call).
    pub const fn prefix(self) -> &'static str {
        match self {
            EventChannel::Mail => "message.",
            EventChannel::Text => "text.",
            EventChannel::IMessage => "imessage.",
            EventChannel::IncomingCall => "phone.",
        }
    }

    /// `true` for the channels a subscription can carry (all but the incoming call).
    pub const fn is_subscribable(self) -> bool {
        !matches!(self, EventChannel::IncomingCall)
    }

    /// The known event types of this channel, in catalog order.
    pub fn event_types(self) -> impl Iterator<Item = &'static EventType> {
        EventType::KNOWN.iter().filter(move |e| e.channel() == Some(self))
    }
}

impl fmt::Display for EventChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EventChannel::Mail => "mail",
            EventChannel::Text => "text",
            EventChannel::IMessage => "imessage",
            EventChannel::IncomingCall => "incoming_call",
        })
    }
}

impl EventType {
    /// The event's channel, by prefix (so an unknown `message.x` is mail).
    pub fn channel(&self) -> Option<EventChannel> {
        EventChannel::of_event_name(self.as_str())
    }

    /// `true` when a subscription may list this event as far as the client can
    /// tell: a mail, text or iMessage prefix. (`message.received_typo` passes;
    /// the server rejects names outside the catalog.)
    pub fn is_subscribable(&self) -> bool {
        self.channel().is_some_and(EventChannel::is_subscribable)
    }
}

// ------------------------------------------------------------ owner

/// The one owner of a subscription. Serialized inside a create body as the
/// single key `mailbox_id`, `phone_number_id` or `agent_identity_id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SubscriptionOwner {
    /// A mailbox (`mailbox_id`); mail events.
    Mailbox(String),
    /// A phone number (`phone_number_id`); text events.
    PhoneNumber(String),
    /// An agent identity (`agent_identity_id`); iMessage events.
    AgentIdentity(String),
}

impl SubscriptionOwner {
    /// Builds the owner from the loose keyword form (three optional ids, as
    /// bindings receive them): exactly one must be given.
    pub fn from_parts(
        mailbox_id: Option<String>,
        phone_number_id: Option<String>,
        agent_identity_id: Option<String>,
    ) -> Result<Self, ApiError> {
        match (mailbox_id, phone_number_id, agent_identity_id) {
            (Some(id), None, None) => Ok(SubscriptionOwner::Mailbox(id)),
            (None, Some(id), None) => Ok(SubscriptionOwner::PhoneNumber(id)),
            (None, None, Some(id)) => Ok(SubscriptionOwner::AgentIdentity(id)),
            _ => Err(ApiError::validation(
                "owner",
                "exactly one of mailbox_id, phone_number_id or agent_identity_id must be given",
            )),
        }
    }

    /// The wire key: `mailbox_id`, `phone_number_id` or `agent_identity_id`.
    pub const fn field(&self) -> &'static str {
        match self {
            SubscriptionOwner::Mailbox(_) => "mailbox_id",
            SubscriptionOwner::PhoneNumber(_) => "phone_number_id",
            SubscriptionOwner::AgentIdentity(_) => "agent_identity_id",
        }
    }

    /// The owner's id.
    pub fn id(&self) -> &str {
        match self {
            SubscriptionOwner::Mailbox(id)
            | SubscriptionOwner::PhoneNumber(id)
            | SubscriptionOwner::AgentIdentity(id) => id,
        }
    }

    /// The channel whose events this owner may subscribe to.
    pub const fn channel(&self) -> EventChannel {
        match self {
            SubscriptionOwner::Mailbox(_) => EventChannel::Mail,
            SubscriptionOwner::PhoneNumber(_) => EventChannel::Text,
            SubscriptionOwner::AgentIdentity(_) => EventChannel::IMessage,
        }
    }
}

impl fmt::Display for SubscriptionOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.field(), self.id())
    }
}

// ------------------------------------------------------------ model

wire_enum! {
    /// A subscription's status (callers only ever observe `active`).
    pub enum SubscriptionStatus {
        /// Delivering.
        Active = "active",
        /// Deleted (never returned by list or get).
        Deleted = "deleted",
    }
}

/// A webhook subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// UUID.
    pub id: String,
    /// The organization (`org_…`, not a UUID).
    pub organization_id: String,
    /// Owner: a mailbox (exactly one owner field is non-null).
    #[serde(default)]
    pub mailbox_id: Option<String>,
    /// Owner: a phone number.
    #[serde(default)]
    pub phone_number_id: Option<String>,
    /// Owner: an agent identity (absent on older servers → `None`).
    #[serde(default)]
    pub agent_identity_id: Option<String>,
    /// The destination URL.
    pub url: String,
    /// The subscribed events.
    pub event_types: Vec<EventType>,
    /// `active` (or `deleted`).
    pub status: SubscriptionStatus,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

impl Subscription {
    /// The owner, when exactly one owner field is set (always, from a
    /// conforming server).
    pub fn owner(&self) -> Option<SubscriptionOwner> {
        SubscriptionOwner::from_parts(
            self.mailbox_id.clone(),
            self.phone_number_id.clone(),
            self.agent_identity_id.clone(),
        )
        .ok()
    }
}

/// The list response, `{"subscriptions": [...]}`.
#[derive(Deserialize)]
struct SubscriptionList {
    subscriptions: Vec<Subscription>,
}

// ------------------------------------------------------------ checks

/// Checks a subscription URL: `https://` with a host, or `http://` whose host
/// is exactly `localhost`, `127.0.0.1` or `[::1]` (loopback, for local
/// emulators and tests). No whitespace or control characters.
///
/// This is stricter than the official SDKs, which send any string and let
/// the server (which requires an HTTPS URL) refuse it.
pub fn check_url(field: &'static str, url: &str) -> Result<(), ApiError> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| ApiError::validation(field, "must be an https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default().to_ascii_lowercase()
    } else {
        host_port.split(':').next().unwrap_or_default().to_ascii_lowercase()
    };
    if host.is_empty() || url.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(ApiError::validation(field, "must be an absolute https:// URL with a host"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1") => Ok(()),
        "http" => Err(ApiError::validation(field, "must use https:// (http:// is allowed only for localhost)")),
        _ => Err(ApiError::validation(field, "must be an https:// URL")),
    }
}

/// The checks shared by create and update: non-empty, distinct, no
/// `phone.incoming_call`.
fn check_event_types(event_types: &[EventType]) -> Result<(), ApiError> {
    if event_types.is_empty() {
        return Err(ApiError::validation("event_types", "must not be empty"));
    }
    for (i, e) in event_types.iter().enumerate() {
        if event_types.iter().take(i).any(|prev| prev.as_str() == e.as_str()) {
            return Err(ApiError::validation(
                "event_types",
                Cow::Owned(alloc::format!("must not contain duplicates ({e} is listed twice)")),
            ));
        }
    }
    if event_types.iter().any(|e| e.as_str() == EventType::PhoneIncomingCall.as_str()) {
        return Err(ApiError::validation(
            "event_types",
            "phone.incoming_call is not subscribable; set incoming_call_webhook_url on the phone number",
        ));
    }
    Ok(())
}

/// Deserializes a present key that must not be `null` (an absent key is
/// `None` through `#[serde(default)]`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

// ------------------------------------------------------------ list

/// Filters of `GET /api/v1/webhooks/subscriptions`, AND-combined; at most one
/// owner filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSubscriptionsParams {
    /// Only subscriptions of this mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox_id: Option<String>,
    /// Only subscriptions of this phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    /// Only subscriptions of this agent identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_identity_id: Option<String>,
    /// Only subscriptions to this exact URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Only subscriptions that include this event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
}

/// Builds `GET /api/v1/webhooks/subscriptions` with the given filters (absent
/// ones dropped). More than one owner filter is refused (the server 422s).
pub fn build_list(params: &ListSubscriptionsParams) -> Result<Request, ApiError> {
    let owners = [&params.mailbox_id, &params.phone_number_id, &params.agent_identity_id];
    if owners.iter().filter(|o| o.is_some()).count() > 1 {
        return Err(ApiError::validation(
            "owner",
            "at most one of mailbox_id, phone_number_id or agent_identity_id may be given",
        ));
    }
    Ok(Request::builder(&ops::LIST, &[])?
        .query_opt("mailbox_id", params.mailbox_id.as_ref())
        .query_opt("phone_number_id", params.phone_number_id.as_ref())
        .query_opt("agent_identity_id", params.agent_identity_id.as_ref())
        .query_opt("url", params.url.as_ref())
        .query_opt("event_type", params.event_type.as_ref().map(EventType::as_str))
        .build())
}

/// Parses `{"subscriptions": [...]}` into the list.
pub fn parse_list(resp: &Response<'_>) -> Result<Vec<Subscription>, ApiError> {
    let list: SubscriptionList = parse::json(&ops::LIST, resp)?;
    Ok(list.subscriptions)
}

// ------------------------------------------------------------ get

/// Builds `GET /api/v1/webhooks/subscriptions/{id}`.
pub fn build_get(id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::GET, &[id])?.build())
}

/// Parses one subscription (404 when deleted or not visible).
pub fn parse_get(resp: &Response<'_>) -> Result<Subscription, ApiError> {
    parse::json(&ops::GET, resp)
}

// ------------------------------------------------------------ create

/// Input of `POST /api/v1/webhooks/subscriptions`; serializes as
/// `{"url", "event_types", "<owner>_id"}` with the single owner key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateSubscriptionRequest {
    /// The one owner.
    pub owner: SubscriptionOwner,
    /// The destination URL (`https://`).
    pub url: String,
    /// Non-empty, distinct events of the owner's channel.
    pub event_types: Vec<EventType>,
}

impl CreateSubscriptionRequest {
    /// A request from its typed parts (checked when built).
    pub fn new(owner: SubscriptionOwner, url: impl Into<String>, event_types: Vec<EventType>) -> Self {
        CreateSubscriptionRequest { owner, url: url.into(), event_types }
    }

    /// A request from the loose keyword form bindings receive
    /// (`create(mailbox_id=…, phone_number_id=…, agent_identity_id=…, url=…,
    /// event_types=…)`): exactly one owner, `url` and `event_types` present;
    /// then every check of [`validate`](Self::validate).
    pub fn from_parts(
        mailbox_id: Option<String>,
        phone_number_id: Option<String>,
        agent_identity_id: Option<String>,
        url: Option<String>,
        event_types: Option<Vec<EventType>>,
    ) -> Result<Self, ApiError> {
        let owner = SubscriptionOwner::from_parts(mailbox_id, phone_number_id, agent_identity_id)?;
        let url = url.ok_or_else(|| ApiError::validation("url", "is required"))?;
        let event_types = event_types.ok_or_else(|| ApiError::validation("event_types", "is required"))?;
        let req = CreateSubscriptionRequest { owner, url, event_types };
        req.validate()?;
        Ok(req)
    }

    /// The create checks, in order: the owner id is not blank (ours); the
    /// URL passes [`check_url`] (ours); `event_types` is non-empty, has no
    /// duplicates and no `phone.incoming_call`; every event starts with the
    /// owner's prefix (`message.`, `text.`, `imessage.`) — another channel's
    /// prefix or no known prefix is refused, while a wrong name with the right
    /// prefix (e.g. `message.received_typo`) passes and the server 422s.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate::non_empty(self.owner.field(), self.owner.id())?;
        check_url("url", &self.url)?;
        check_event_types(&self.event_types)?;
        let channel = self.owner.channel();
        if let Some(bad) = self.event_types.iter().find(|e| e.channel() != Some(channel)) {
            return Err(ApiError::validation(
                "event_types",
                Cow::Owned(alloc::format!(
                    "{bad} is not a {channel} event; a {} subscription takes only {}* events",
                    self.owner.field(),
                    channel.prefix()
                )),
            ));
        }
        Ok(())
    }
}

impl Serialize for CreateSubscriptionRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("url", &self.url)?;
        map.serialize_entry("event_types", &self.event_types)?;
        map.serialize_entry(self.owner.field(), self.owner.id())?;
        map.end()
    }
}

/// The loose body form, for deserialization.
#[derive(Deserialize)]
struct CreateSubscriptionBody {
    #[serde(default)]
    mailbox_id: Option<String>,
    #[serde(default)]
    phone_number_id: Option<String>,
    #[serde(default)]
    agent_identity_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    event_types: Option<Vec<EventType>>,
}

impl<'de> Deserialize<'de> for CreateSubscriptionRequest {
    /// Parses a create body; exactly one owner key must be non-null and `url`
    /// and `event_types` present (the other checks are [`validate`](Self::validate)'s).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let b = CreateSubscriptionBody::deserialize(deserializer)?;
        let owner = SubscriptionOwner::from_parts(b.mailbox_id, b.phone_number_id, b.agent_identity_id)
            .map_err(serde::de::Error::custom)?;
        let url = b.url.ok_or_else(|| serde::de::Error::missing_field("url"))?;
        let event_types = b.event_types.ok_or_else(|| serde::de::Error::missing_field("event_types"))?;
        Ok(CreateSubscriptionRequest { owner, url, event_types })
    }
}

/// Builds `POST /api/v1/webhooks/subscriptions` after [`CreateSubscriptionRequest::validate`].
pub fn build_create(input: &CreateSubscriptionRequest) -> Result<Request, ApiError> {
    input.validate()?;
    Ok(Request::builder(&ops::CREATE, &[])?.json(input)?.build())
}

/// Parses the created subscription.
pub fn parse_create(resp: &Response<'_>) -> Result<Subscription, ApiError> {
    parse::json(&ops::CREATE, resp)
}

// ------------------------------------------------------------ update

/// Input of `PATCH /api/v1/webhooks/subscriptions/{id}`. Omitted fields are
/// unchanged (`{}` is a legal no-op); neither field can be cleared, and a
/// body with `null` for either does not deserialize. The owner is immutable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSubscriptionRequest {
    /// A new destination URL.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Replaces the whole event list.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<EventType>>,
}

impl UpdateSubscriptionRequest {
    /// A request from the loose keyword form, where a binding can tell an
    /// omitted argument ([`Patch::Keep`](super::Patch::Keep)) from an explicit
    /// null ([`Patch::Clear`](super::Patch::Clear)): null is refused for both
    /// fields; then every check of [`validate`](Self::validate).
    pub fn from_parts(url: super::Patch<String>, event_types: super::Patch<Vec<EventType>>) -> Result<Self, ApiError> {
        use super::Patch;
        let url = match url {
            Patch::Keep => None,
            Patch::Clear => return Err(ApiError::validation("url", "must not be null")),
            Patch::Set(u) => Some(u),
        };
        let event_types = match event_types {
            Patch::Keep => None,
            Patch::Clear => return Err(ApiError::validation("event_types", "must not be null")),
            Patch::Set(e) => Some(e),
        };
        let req = UpdateSubscriptionRequest { url, event_types };
        req.validate()?;
        Ok(req)
    }

    /// The update checks: a given URL passes [`check_url`] (ours); given
    /// `event_types` are non-empty, distinct and without
    /// `phone.incoming_call`. No channel check (the owner is not known from
    /// the id).
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(url) = &self.url {
            check_url("url", url)?;
        }
        if let Some(events) = &self.event_types {
            check_event_types(events)?;
        }
        Ok(())
    }
}

/// Builds `PATCH /api/v1/webhooks/subscriptions/{id}` after
/// [`UpdateSubscriptionRequest::validate`]; an empty input sends `{}`.
pub fn build_update(id: &str, input: &UpdateSubscriptionRequest) -> Result<Request, ApiError> {
    input.validate()?;
    Ok(Request::builder(&ops::UPDATE, &[id])?.json(input)?.build())
}

/// Parses the updated subscription.
pub fn parse_update(resp: &Response<'_>) -> Result<Subscription, ApiError> {
    parse::json(&ops::UPDATE, resp)
}

// ------------------------------------------------------------ delete

/// Builds `DELETE /api/v1/webhooks/subscriptions/{id}`.
pub fn build_delete(id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::DELETE, &[id])?.build())
}

/// Accepts any 2xx (the body is ignored).
pub fn parse_delete(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::DELETE, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::Patch;
    use crate::api::test_support::{body, ok};
    use alloc::string::ToString;
    use alloc::vec;

    const SUB: &str = r#"{"id":"5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10","organization_id":"org_2abc","mailbox_id":"7d1e0b52-3f55-4c43-9d1a-6a0f3f2b9c11","phone_number_id":null,"agent_identity_id":null,"url":"https://example.com/hook","event_types":["message.received","message.bounced"],"status":"active","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00.123+00:00"}"#;

    fn ev(names: &[&str]) -> Vec<EventType> {
        names.iter().map(|n| EventType::from_wire(n)).collect()
    }

    fn err_field(e: ApiError) -> String {
        match e {
            ApiError::Validation { field, .. } => field.into_owned(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn operations_are_named_and_routed() {
        let names: Vec<_> = OPERATIONS.iter().map(|o| (o.name, o.method, o.path)).collect();
        assert_eq!(
            names,
            [
                ("webhooks.subscriptions.list", Method::Get, "/api/v1/webhooks/subscriptions"),
                ("webhooks.subscriptions.get", Method::Get, "/api/v1/webhooks/subscriptions/{id}"),
                ("webhooks.subscriptions.create", Method::Post, "/api/v1/webhooks/subscriptions"),
                ("webhooks.subscriptions.update", Method::Patch, "/api/v1/webhooks/subscriptions/{id}"),
                ("webhooks.subscriptions.delete", Method::Delete, "/api/v1/webhooks/subscriptions/{id}"),
            ]
        );
    }

    #[test]
    fn event_catalog_and_channels() {
        assert_eq!(EventType::KNOWN.len(), 17);
        let count = |c: EventChannel| c.event_types().count();
        assert_eq!((count(EventChannel::Mail), count(EventChannel::Text), count(EventChannel::IMessage)), (6, 5, 5));
        assert_eq!(EventChannel::IncomingCall.event_types().collect::<Vec<_>>(), [&EventType::PhoneIncomingCall]);
        for e in EventType::KNOWN {
            assert_eq!(EventType::from_wire(e.as_str()), *e);
            assert!(e.channel().is_some(), "{e}");
            assert_eq!(e.is_subscribable(), *e != EventType::PhoneIncomingCall);
        }
        let cases: &[(&str, Option<EventChannel>)] = &[
            ("message.received", Some(EventChannel::Mail)),
            ("message.received_typo", Some(EventChannel::Mail)),
            ("text.delivery_unconfirmed", Some(EventChannel::Text)),
            ("imessage.reaction_received", Some(EventChannel::IMessage)),
            ("imessage.new_thing", Some(EventChannel::IMessage)),
            ("phone.incoming_call", Some(EventChannel::IncomingCall)),
            ("phone.other", None),
            ("call.ended", None),
            ("a2a.task", None),
            ("Message.received", None),
            ("message", None),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(EventChannel::of_event_name(name), *want, "{name}");
            assert_eq!(EventType::from_wire(name).channel(), *want, "{name}");
        }
        assert_eq!(EventType::IMessageReactionReceived.as_str(), "imessage.reaction_received");
        assert_eq!(EventChannel::IMessage.to_string(), "imessage");
        assert_eq!(EventChannel::Text.prefix(), "text.");
        assert!(!EventChannel::IncomingCall.is_subscribable());
    }

    #[test]
    fn owner_from_parts_requires_exactly_one() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(SubscriptionOwner::from_parts(s("m"), None, None).unwrap(), SubscriptionOwner::Mailbox("m".into()));
        assert_eq!(
            SubscriptionOwner::from_parts(None, s("p"), None).unwrap(),
            SubscriptionOwner::PhoneNumber("p".into())
        );
        let a = SubscriptionOwner::from_parts(None, None, s("a")).unwrap();
        assert_eq!((a.field(), a.id(), a.channel()), ("agent_identity_id", "a", EventChannel::IMessage));
        assert_eq!(a.to_string(), "agent_identity_id=a");
        for (m, p, i) in [(None, None, None), (s("m"), s("p"), None), (s("m"), None, s("a")), (None, s("p"), s("a"))] {
            let e = SubscriptionOwner::from_parts(m, p, i).unwrap_err();
            assert_eq!(err_field(e), "owner");
        }
        assert_eq!(SubscriptionOwner::from_parts(s("m"), s("p"), s("a")).unwrap_err().code(), "api.validation");
    }

    #[test]
    fn url_rule_table() {
        let cases: &[(&str, bool)] = &[
            ("https://example.com/hook", true),
            ("HTTPS://Example.com:8443/x?y=1", true),
            ("https://new/hook", true),
            ("http://localhost:8080/hook", true),
            ("http://LOCALHOST/hook", true),
            ("http://127.0.0.1:9000/h", true),
            ("http://[::1]:9000/h", true),
            ("http://example.com/hook", false),
            ("http://127.0.0.2/h", false),
            ("http://localhost.evil.com/h", false),
            ("ftp://example.com/x", false),
            ("example.com/hook", false),
            ("https://", false),
            ("https:///path", false),
            ("https://exa mple.com", false),
            ("https://example.com/\n", false),
            ("", false),
        ];
        for (url, good) in cases {
            assert_eq!(check_url("url", url).is_ok(), *good, "{url}");
        }
    }

    #[test]
    fn list_golden() {
        let r = build_list(&ListSubscriptionsParams::default()).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Get, "/api/v1/webhooks/subscriptions", true)
        );
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(r.operation.name, "webhooks.subscriptions.list");
        let p = ListSubscriptionsParams {
            mailbox_id: Some("mb-1".into()),
            url: Some("https://example.com/hook?a=b".into()),
            event_type: Some(EventType::MessageReceived),
            ..Default::default()
        };
        let r = build_list(&p).unwrap();
        assert_eq!(
            r.path_and_query,
            "/api/v1/webhooks/subscriptions?mailbox_id=mb-1&url=https%3A%2F%2Fexample.com%2Fhook%3Fa%3Db&event_type=message.received"
        );
        let p = ListSubscriptionsParams { agent_identity_id: Some("id-1".into()), ..Default::default() };
        assert_eq!(build_list(&p).unwrap().path_and_query, "/api/v1/webhooks/subscriptions?agent_identity_id=id-1");
        let p = ListSubscriptionsParams {
            phone_number_id: Some("pn-1".into()),
            event_type: Some(EventType::from_wire("text.future")),
            ..Default::default()
        };
        assert_eq!(
            build_list(&p).unwrap().path_and_query,
            "/api/v1/webhooks/subscriptions?phone_number_id=pn-1&event_type=text.future"
        );
        // More than one owner filter is refused before any request.
        for p in [
            ListSubscriptionsParams {
                mailbox_id: Some("m".into()),
                phone_number_id: Some("p".into()),
                ..Default::default()
            },
            ListSubscriptionsParams {
                mailbox_id: Some("m".into()),
                agent_identity_id: Some("a".into()),
                ..Default::default()
            },
            ListSubscriptionsParams {
                phone_number_id: Some("p".into()),
                agent_identity_id: Some("a".into()),
                ..Default::default()
            },
        ] {
            assert_eq!(err_field(build_list(&p).unwrap_err()), "owner");
        }
    }

    #[test]
    fn list_parse() {
        let body = alloc::format!(
            r#"{{"subscriptions":[{SUB},{{"id":"s2","organization_id":"org_2abc","mailbox_id":null,"phone_number_id":"pn-1","url":"https://example.com/t","event_types":["text.received","text.future_event"],"status":"paused","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","context":{{"x":1}}}}],"extra":true}}"#
        );
        let subs = parse_list(&ok(&body)).unwrap();
        assert_eq!(subs.len(), 2);
        assert_eq!(subs[0].owner(), Some(SubscriptionOwner::Mailbox("7d1e0b52-3f55-4c43-9d1a-6a0f3f2b9c11".into())));
        assert_eq!(subs[0].event_types, [EventType::MessageReceived, EventType::MessageBounced]);
        assert_eq!(subs[0].status, SubscriptionStatus::Active);
        // agent_identity_id absent on an older server → None.
        assert_eq!(subs[1].agent_identity_id, None);
        assert_eq!(subs[1].owner(), Some(SubscriptionOwner::PhoneNumber("pn-1".into())));
        assert_eq!(subs[1].event_types[1], EventType::Unknown("text.future_event".into()));
        assert_eq!(subs[1].status, SubscriptionStatus::Unknown("paused".into()));
        assert!(parse_list(&ok(r#"{"subscriptions":[]}"#)).unwrap().is_empty());
        assert_eq!(parse_list(&ok("[]")).unwrap_err().code(), "api.decode");
        let e =
            parse_list(&Response::new(422, &[], br#"{"detail":"only one owner filter may be given"}"#)).unwrap_err();
        assert_eq!((e.code(), e.status()), ("api.unprocessable", Some(422)));
        assert_eq!(e.as_status().unwrap().operation, "webhooks.subscriptions.list");
    }

    #[test]
    fn get_golden_and_parse() {
        let r = build_get("5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Get, "/api/v1/webhooks/subscriptions/5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10", true)
        );
        assert_eq!(build_get("a/b").unwrap().path_and_query, "/api/v1/webhooks/subscriptions/a%2Fb");
        assert_eq!(build_get("").unwrap_err().code(), "api.validation");
        let s = parse_get(&ok(SUB)).unwrap();
        assert_eq!(s.organization_id, "org_2abc");
        assert_eq!(s.updated_at.subsec_nanos(), 123_000_000);
        let back: Subscription = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        // Serialization keeps the wire shape: null owners written as null.
        let v: serde_json::Value = serde_json::to_value(&s).unwrap();
        assert_eq!(v["phone_number_id"], serde_json::Value::Null);
        assert_eq!(v["event_types"], serde_json::json!(["message.received", "message.bounced"]));
        let e = parse_get(&Response::new(404, &[], br#"{"detail":"Webhook subscription not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        let e = parse_get(&Response::new(401, &[], br#"{"detail":"Invalid API key"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.unauthorized");
        // A missing required field is a decode error that keeps the body.
        let e = parse_get(&ok(r#"{"id":"x"}"#)).unwrap_err();
        assert!(matches!(&e, ApiError::Decode { body, .. } if body == br#"{"id":"x"}"#));
    }

    #[test]
    fn create_golden() {
        let input = CreateSubscriptionRequest::new(
            SubscriptionOwner::Mailbox("mb-1".into()),
            "https://example.com/hook",
            vec![EventType::MessageReceived, EventType::MessageBounced],
        );
        let r = build_create(&input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/webhooks/subscriptions"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            body(&r),
            r#"{"url":"https://example.com/hook","event_types":["message.received","message.bounced"],"mailbox_id":"mb-1"}"#
        );
        let input = CreateSubscriptionRequest::new(
            SubscriptionOwner::PhoneNumber("pn-1".into()),
            "https://example.com/texts",
            ev(&["text.received", "text.sent", "text.delivered", "text.delivery_failed", "text.delivery_unconfirmed"]),
        );
        assert_eq!(
            body(&build_create(&input).unwrap()),
            r#"{"url":"https://example.com/texts","event_types":["text.received","text.sent","text.delivered","text.delivery_failed","text.delivery_unconfirmed"],"phone_number_id":"pn-1"}"#
        );
        // The loose keyword form, as a binding receives it.
        let input = CreateSubscriptionRequest::from_parts(
            None,
            None,
            Some("id-1".into()),
            Some("http://127.0.0.1:8080/im".into()),
            Some(ev(&["imessage.received", "imessage.reaction_received"])),
        )
        .unwrap();
        assert_eq!(
            body(&build_create(&input).unwrap()),
            r#"{"url":"http://127.0.0.1:8080/im","event_types":["imessage.received","imessage.reaction_received"],"agent_identity_id":"id-1"}"#
        );
        // A wrong name with the right prefix passes (the server 422s).
        let input = CreateSubscriptionRequest::new(
            SubscriptionOwner::Mailbox("mb-1".into()),
            "https://example.com/hook",
            ev(&["message.received_typo"]),
        );
        assert_eq!(
            body(&build_create(&input).unwrap()),
            r#"{"url":"https://example.com/hook","event_types":["message.received_typo"],"mailbox_id":"mb-1"}"#
        );
    }

    /// Every create rule: (owner ids, url, event types, Ok or failing field).
    #[test]
    fn create_validation_table() {
        type Row = (
            (Option<&'static str>, Option<&'static str>, Option<&'static str>),
            Option<&'static str>,
            Option<&'static [&'static str]>,
            Result<(), &'static str>,
        );
        const URL: Option<&str> = Some("https://example.com/h");
        let rows: &[Row] = &[
            // exactly one owner
            ((Some("m"), None, None), URL, Some(&["message.received"]), Ok(())),
            ((None, Some("p"), None), URL, Some(&["text.received"]), Ok(())),
            ((None, None, Some("a")), URL, Some(&["imessage.received"]), Ok(())),
            ((None, None, None), URL, Some(&["message.received"]), Err("owner")),
            ((Some("m"), Some("p"), None), URL, Some(&["message.received"]), Err("owner")),
            ((Some("m"), None, Some("a")), URL, Some(&["message.received"]), Err("owner")),
            ((None, Some("p"), Some("a")), URL, Some(&["text.received"]), Err("owner")),
            ((Some("m"), Some("p"), Some("a")), URL, Some(&["message.received"]), Err("owner")),
            // blank owner id (ours)
            ((Some(" "), None, None), URL, Some(&["message.received"]), Err("mailbox_id")),
            // url present, https
            ((Some("m"), None, None), None, Some(&["message.received"]), Err("url")),
            ((Some("m"), None, None), Some("http://example.com/h"), Some(&["message.received"]), Err("url")),
            ((Some("m"), None, None), Some("not a url"), Some(&["message.received"]), Err("url")),
            ((Some("m"), None, None), Some("http://localhost:3000/h"), Some(&["message.received"]), Ok(())),
            // event_types present, non-empty, distinct
            ((Some("m"), None, None), URL, None, Err("event_types")),
            ((Some("m"), None, None), URL, Some(&[]), Err("event_types")),
            ((Some("m"), None, None), URL, Some(&["message.received", "message.received"]), Err("event_types")),
            ((Some("m"), None, None), URL, Some(&["message.received", "message.sent"]), Ok(())),
            // no phone.incoming_call, whatever the owner
            ((None, Some("p"), None), URL, Some(&["phone.incoming_call"]), Err("event_types")),
            ((None, Some("p"), None), URL, Some(&["text.received", "phone.incoming_call"]), Err("event_types")),
            ((Some("m"), None, None), URL, Some(&["phone.incoming_call"]), Err("event_types")),
            // prefix coherence with the owner
            ((Some("m"), None, None), URL, Some(&["text.received"]), Err("event_types")),
            ((Some("m"), None, None), URL, Some(&["message.received", "imessage.received"]), Err("event_types")),
            ((None, Some("p"), None), URL, Some(&["message.received"]), Err("event_types")),
            ((None, None, Some("a")), URL, Some(&["message.received"]), Err("event_types")),
            ((None, None, Some("a")), URL, Some(&["text.received"]), Err("event_types")),
            ((Some("m"), None, None), URL, Some(&["call.ended"]), Err("event_types")),
            ((Some("m"), None, None), URL, Some(&["received"]), Err("event_types")),
            ((Some("m"), None, None), URL, Some(&["Message.received"]), Err("event_types")),
            // a wrong name with the right prefix passes
            ((Some("m"), None, None), URL, Some(&["message.received_typo"]), Ok(())),
            ((None, Some("p"), None), URL, Some(&["text.whatever"]), Ok(())),
            ((None, None, Some("a")), URL, Some(&["imessage.future"]), Ok(())),
        ];
        for (i, ((m, p, a), url, events, want)) in rows.iter().enumerate() {
            let got = CreateSubscriptionRequest::from_parts(
                m.map(Into::into),
                p.map(Into::into),
                a.map(Into::into),
                url.map(Into::into),
                events.map(ev),
            );
            match (got, want) {
                (Ok(req), Ok(())) => assert!(build_create(&req).is_ok(), "row {i}"),
                (Err(e), Err(field)) => {
                    assert_eq!(e.code(), "api.validation", "row {i}");
                    assert_eq!(err_field(e), *field, "row {i}");
                }
                (got, want) => panic!("row {i}: got {got:?}, want {want:?}"),
            }
        }
        // The typed form is checked again by the builder.
        let bad = CreateSubscriptionRequest::new(
            SubscriptionOwner::PhoneNumber("p".into()),
            "https://example.com/h",
            vec![EventType::MessageReceived],
        );
        assert_eq!(err_field(build_create(&bad).unwrap_err()), "event_types");
    }

    #[test]
    fn create_body_round_trips_for_the_emulator() {
        let input = CreateSubscriptionRequest::new(
            SubscriptionOwner::AgentIdentity("id-1".into()),
            "https://example.com/im",
            vec![EventType::IMessageReceived],
        );
        let bytes = serde_json::to_vec(&input).unwrap();
        let back: CreateSubscriptionRequest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, input);
        // Null owner keys are "not given"; two owners or none do not parse.
        let one: CreateSubscriptionRequest = serde_json::from_str(
            r#"{"url":"https://x.io","event_types":["text.sent"],"mailbox_id":null,"phone_number_id":"p","x":1}"#,
        )
        .unwrap();
        assert_eq!(one.owner, SubscriptionOwner::PhoneNumber("p".into()));
        for bad in [
            r#"{"url":"https://x.io","event_types":["text.sent"]}"#,
            r#"{"url":"https://x.io","event_types":["text.sent"],"mailbox_id":"m","phone_number_id":"p"}"#,
            r#"{"event_types":["text.sent"],"phone_number_id":"p"}"#,
            r#"{"url":"https://x.io","phone_number_id":"p"}"#,
            r#"{"url":null,"event_types":["text.sent"],"phone_number_id":"p"}"#,
        ] {
            assert!(serde_json::from_str::<CreateSubscriptionRequest>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn create_parse() {
        let s = parse_create(&Response::new(201, &[], SUB.as_bytes())).unwrap();
        assert_eq!(s.url, "https://example.com/hook");
        let e = parse_create(&Response::new(
            422,
            &[],
            br#"{"detail":[{"loc":["body","event_types",0],"msg":"unknown event type","type":"value_error"}]}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.unprocessable");
        assert!(matches!(&e.as_status().unwrap().detail, crate::api::Detail::List(l) if l.len() == 1));
        let e = parse_create(&Response::new(409, &[], br#"{"detail":"subscription cap (20) reached"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.conflict");
        let e = parse_create(&Response::new(403, &[], br#"{"detail":"Forbidden"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
    }

    #[test]
    fn update_golden() {
        let r = build_update("sub-1", &UpdateSubscriptionRequest::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Patch, "/api/v1/webhooks/subscriptions/sub-1"));
        assert_eq!(body(&r), "{}");
        let input = UpdateSubscriptionRequest { url: Some("https://new/hook".into()), event_types: None };
        assert_eq!(body(&build_update("sub-1", &input).unwrap()), r#"{"url":"https://new/hook"}"#);
        let input = UpdateSubscriptionRequest {
            url: Some("https://example.com/h2".into()),
            event_types: Some(vec![EventType::TextDelivered, EventType::TextDeliveryFailed]),
        };
        assert_eq!(
            body(&build_update("sub-1", &input).unwrap()),
            r#"{"url":"https://example.com/h2","event_types":["text.delivered","text.delivery_failed"]}"#
        );
        // No channel check on update: mixed channels pass to the server.
        let input = UpdateSubscriptionRequest { url: None, event_types: Some(ev(&["message.sent", "text.sent"])) };
        assert_eq!(body(&build_update("sub-1", &input).unwrap()), r#"{"event_types":["message.sent","text.sent"]}"#);
        assert_eq!(build_update("", &UpdateSubscriptionRequest::default()).unwrap_err().code(), "api.validation");
    }

    /// Every update rule: (url, event types, Ok or failing field).
    #[test]
    fn update_validation_table() {
        type Row = (Patch<&'static str>, Patch<&'static [&'static str]>, Result<(), &'static str>);
        let rows: &[Row] = &[
            (Patch::Keep, Patch::Keep, Ok(())),
            (Patch::Set("https://example.com/x"), Patch::Keep, Ok(())),
            (Patch::Clear, Patch::Keep, Err("url")),
            (Patch::Set("http://example.com/x"), Patch::Keep, Err("url")),
            (Patch::Set(""), Patch::Keep, Err("url")),
            (Patch::Set("http://localhost/x"), Patch::Keep, Ok(())),
            (Patch::Keep, Patch::Clear, Err("event_types")),
            (Patch::Keep, Patch::Set(&[]), Err("event_types")),
            (Patch::Keep, Patch::Set(&["text.sent", "text.sent"]), Err("event_types")),
            (Patch::Keep, Patch::Set(&["phone.incoming_call"]), Err("event_types")),
            (Patch::Keep, Patch::Set(&["message.sent", "phone.incoming_call"]), Err("event_types")),
            (Patch::Keep, Patch::Set(&["message.sent", "imessage.sent"]), Ok(())),
            (Patch::Keep, Patch::Set(&["call.ended"]), Ok(())),
        ];
        for (i, (url, events, want)) in rows.iter().enumerate() {
            let url = match url {
                Patch::Keep => Patch::Keep,
                Patch::Clear => Patch::Clear,
                Patch::Set(u) => Patch::Set(u.to_string()),
            };
            let events = match events {
                Patch::Keep => Patch::Keep,
                Patch::Clear => Patch::Clear,
                Patch::Set(e) => Patch::Set(ev(e)),
            };
            match (UpdateSubscriptionRequest::from_parts(url, events), want) {
                (Ok(req), Ok(())) => assert!(build_update("s", &req).is_ok(), "row {i}"),
                (Err(e), Err(field)) => assert_eq!(err_field(e), *field, "row {i}"),
                (got, want) => panic!("row {i}: got {got:?}, want {want:?}"),
            }
        }
        let bad = UpdateSubscriptionRequest { url: None, event_types: Some(vec![]) };
        assert_eq!(err_field(build_update("s", &bad).unwrap_err()), "event_types");
    }

    #[test]
    fn update_body_parses_for_the_emulator() {
        let u: UpdateSubscriptionRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(u, UpdateSubscriptionRequest::default());
        let u: UpdateSubscriptionRequest =
            serde_json::from_str(r#"{"event_types":["text.sent"],"owner":"ignored"}"#).unwrap();
        assert_eq!(u.event_types, Some(vec![EventType::TextSent]));
        assert!(serde_json::from_str::<UpdateSubscriptionRequest>(r#"{"url":null}"#).is_err());
        assert!(serde_json::from_str::<UpdateSubscriptionRequest>(r#"{"event_types":null}"#).is_err());
    }

    #[test]
    fn update_parse() {
        let s = parse_update(&ok(SUB)).unwrap();
        assert_eq!(s.id, "5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10");
        let e = parse_update(&Response::new(404, &[], br#"{"detail":"Not Found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        let e = parse_update(&Response::new(
            422,
            &[],
            br#"{"detail":"event type message.received is not valid for a phone number owner"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.unprocessable");
    }

    #[test]
    fn delete_golden_and_parse() {
        let r = build_delete("sub-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/api/v1/webhooks/subscriptions/sub-1", true)
        );
        assert!(parse_delete(&Response::new(204, &[], b"")).is_ok());
        assert!(parse_delete(&ok("{\"ok\":true}")).is_ok());
        let e = parse_delete(&Response::new(404, &[], br#"{"detail":"Webhook subscription not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        let e = parse_delete(&Response::new(500, &[], b"oops")).unwrap_err();
        assert_eq!(e.code(), "api.server_error");
    }
}
