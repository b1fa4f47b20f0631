//! No-alloc parsing of webhook payloads, for receivers without a heap.
//!
//! [`parse`] takes the raw body of a delivery (verify it first with
//! [`verify`](super::verify)) and returns, borrowed from the body:
//! - for the `{"event_type", "timestamp", "data"}` envelope of mail, text and
//!   iMessage events: the event type, the timestamp string and the id of the
//!   event's object (`data.message.id` for mail and iMessage message events,
//!   `data.text_message.id` for text events, `data.reaction.id` for iMessage
//!   reactions);
//! - for the flat `phone.incoming_call` payload (no envelope): the call `id`.
//!
//! Every other field is skipped, so payloads that gain fields keep parsing.
//! Full typed models live in the `alloc` API; this is the small view an
//! embedded receiver needs to route an event.
//!
//! The body must be valid JSON (RFC 8259, UTF-8) nested at most
//! [`MAX_DEPTH`] levels deep; it is checked in one pass without recursion
//! before [`serde_json_core`] extracts the fields, so hostile input can
//! neither panic nor exhaust the stack. Returned strings are the raw JSON
//! string contents: a returned field that contains a backslash escape is
//! refused (Inkbox never escapes ids, event types or timestamps).
//!
//! ```
//! use inkbox_core::webhook::envelope::{self, Event, ObjectId};
//!
//! let body = br#"{"event_type":"text.received","timestamp":"2026-04-10T18:13:42.201Z",
//!   "data":{"text_message":{"id":"7d1e0b52-3f55-4c43-9d1a-6a0f3f2b9c11","text":"hi"},
//!           "contacts":[],"agent_identities":[],"recipient_phone_number":null}}"#;
//! let event = envelope::parse(body)?;
//! assert_eq!(event.event_type(), "text.received");
//! assert_eq!(event.timestamp(), Some("2026-04-10T18:13:42.201Z"));
//! assert_eq!(
//!     event.object(),
//!     Some(ObjectId::TextMessage("7d1e0b52-3f55-4c43-9d1a-6a0f3f2b9c11")),
//! );
//! # Ok::<(), envelope::EnvelopeError>(())
//! ```

use core::fmt;

use serde::Deserialize;

use crate::ErrorCode;

/// Deepest nesting of arrays and objects accepted in a payload. Real payloads
/// stay under 8.
pub const MAX_DEPTH: usize = 32;

/// The event type implied by the flat incoming-call payload.
pub const INCOMING_CALL_EVENT: &str = "phone.incoming_call";

/// A parsed webhook payload, borrowed from the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A mail, text or iMessage event in the `{event_type, timestamp, data}`
    /// envelope (also any future event type using the envelope).
    Envelope(Envelope<'a>),
    /// The flat incoming-call payload (event type
    /// [`INCOMING_CALL_EVENT`]), sent to a phone number's
    /// `incoming_call_webhook_url`.
    IncomingCall {
        /// The call's top-level `id`.
        call_id: &'a str,
    },
}

/// The fields of an envelope event that [`parse`] extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Envelope<'a> {
    /// `event_type`, e.g. `message.received`.
    pub event_type: &'a str,
    /// `timestamp`, an ISO-8601 string, verbatim.
    pub timestamp: &'a str,
    /// The id of the event's object; `None` when `data` holds none of
    /// `message`, `text_message`, `reaction` (or all are null), e.g. for an
    /// event type this version does not know.
    pub object: Option<ObjectId<'a>>,
}

/// The object an event is about, by the `data` key it was found under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectId<'a> {
    /// `data.message.id`: a mail message (`message.*`) or an iMessage
    /// (`imessage.*` other than reactions).
    Message(&'a str),
    /// `data.text_message.id`: an SMS/MMS (`text.*`).
    TextMessage(&'a str),
    /// `data.reaction.id`: an iMessage tapback (`imessage.reaction_received`).
    Reaction(&'a str),
}

impl<'a> ObjectId<'a> {
    /// The id itself, whatever the kind.
    #[must_use]
    pub const fn id(&self) -> &'a str {
        match self {
            Self::Message(id) | Self::TextMessage(id) | Self::Reaction(id) => id,
        }
    }
}

impl<'a> Event<'a> {
    /// The event type; [`INCOMING_CALL_EVENT`] for the flat call payload.
    #[must_use]
    pub const fn event_type(&self) -> &'a str {
        match self {
            Self::Envelope(e) => e.event_type,
            Self::IncomingCall { .. } => INCOMING_CALL_EVENT,
        }
    }

    /// The envelope timestamp; `None` for the call payload, which has none.
    #[must_use]
    pub const fn timestamp(&self) -> Option<&'a str> {
        match self {
            Self::Envelope(e) => Some(e.timestamp),
            Self::IncomingCall { .. } => None,
        }
    }

    /// The object the event is about, if any.
    #[must_use]
    pub const fn object(&self) -> Option<ObjectId<'a>> {
        match self {
            Self::Envelope(e) => e.object,
            Self::IncomingCall { .. } => None,
        }
    }

    /// The id of the event's object: the message, text, reaction or call id.
    #[must_use]
    pub const fn object_id(&self) -> Option<&'a str> {
        match self {
            Self::Envelope(Envelope { object: Some(o), .. }) => Some(o.id()),
            Self::Envelope(_) => None,
            Self::IncomingCall { call_id } => Some(call_id),
        }
    }
}

/// Why a payload could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Not JSON: a syntax error, invalid UTF-8, or nesting deeper than
    /// [`MAX_DEPTH`].
    Malformed,
    /// Valid JSON, but neither an envelope nor an incoming-call payload: the
    /// top level is not an object, a required field (`event_type`, `timestamp`,
    /// `data`, or the call `id`) is missing, null or of the wrong type, an
    /// object has no string `id`, `data` names several objects, a key is
    /// repeated, or a returned string contains an escape.
    UnexpectedShape,
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "webhook payload: not valid JSON (or nested too deeply)",
            Self::UnexpectedShape => {
                "webhook payload: JSON is neither an Inkbox event envelope nor an incoming-call payload"
            }
        })
    }
}

impl core::error::Error for EnvelopeError {}

impl ErrorCode for EnvelopeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "webhook.payload_malformed",
            Self::UnexpectedShape => "webhook.payload_unexpected_shape",
        }
    }
}

#[derive(Deserialize)]
struct RawTop<'a> {
    #[serde(borrow, default)]
    event_type: Option<&'a str>,
    #[serde(borrow, default)]
    timestamp: Option<&'a str>,
    #[serde(borrow, default)]
    data: Option<RawData<'a>>,
    #[serde(borrow, default)]
    id: Option<&'a str>,
}

#[derive(Deserialize)]
struct RawData<'a> {
    #[serde(borrow, default)]
    message: Option<RawObject<'a>>,
    #[serde(borrow, default)]
    text_message: Option<RawObject<'a>>,
    #[serde(borrow, default)]
    reaction: Option<RawObject<'a>>,
}

#[derive(Deserialize)]
struct RawObject<'a> {
    #[serde(borrow, default)]
    id: Option<&'a str>,
}

/// Parses a webhook payload. See the [module docs](self).
///
/// # Errors
/// [`EnvelopeError::Malformed`] if `body` is not JSON;
/// [`EnvelopeError::UnexpectedShape`] if it is JSON of another shape.
pub fn parse(body: &[u8]) -> Result<Event<'_>, EnvelopeError> {
    if core::str::from_utf8(body).is_err() || !is_valid_json(body) {
        return Err(EnvelopeError::Malformed);
    }
    let (top, _) = serde_json_core::from_slice::<RawTop<'_>>(body).map_err(|_| EnvelopeError::UnexpectedShape)?;

    let Some(event_type) = top.event_type else {
        // No envelope: the flat incoming-call payload, identified by its `id`.
        let call_id = unescaped(top.id)?;
        return Ok(Event::IncomingCall { call_id });
    };
    let data = top.data.ok_or(EnvelopeError::UnexpectedShape)?;
    // Exactly one of the object keys may be non-null (none for event types
    // this version does not know).
    let mut object = None;
    let mut found = 0u8;
    if let Some(raw) = data.message {
        object = Some(ObjectId::Message(unescaped(raw.id)?));
        found += 1;
    }
    if let Some(raw) = data.text_message {
        object = Some(ObjectId::TextMessage(unescaped(raw.id)?));
        found += 1;
    }
    if let Some(raw) = data.reaction {
        object = Some(ObjectId::Reaction(unescaped(raw.id)?));
        found += 1;
    }
    if found > 1 {
        return Err(EnvelopeError::UnexpectedShape);
    }
    Ok(Event::Envelope(Envelope {
        event_type: unescaped(Some(event_type))?,
        timestamp: unescaped(top.timestamp)?,
        object,
    }))
}

/// A required string field, refused when absent or when it holds a backslash
/// escape (its raw text would then differ from its value).
fn unescaped(field: Option<&str>) -> Result<&str, EnvelopeError> {
    field.filter(|s| !s.contains('\\')).ok_or(EnvelopeError::UnexpectedShape)
}

/// Where the syntax checker is within the JSON text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value is expected.
    Value,
    /// Just after `[`: a value or `]`.
    ValueOrEnd,
    /// Just after `{`: a key or `}`.
    KeyOrEnd,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a complete value.
    AfterValue,
}

/// Checks that `s` is one JSON value (RFC 8259 grammar) with at most
/// [`MAX_DEPTH`] levels of nesting, iteratively: the container stack is a bit
/// set (1 = object), so nothing here recurses.
fn is_valid_json(s: &[u8]) -> bool {
    const _: () = assert!(MAX_DEPTH <= 64);
    let mut i = 0usize;
    let mut depth = 0usize;
    let mut objects = 0u64;
    let mut state = State::Value;
    loop {
        while matches!(s.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        let Some(&c) = s.get(i) else {
            return state == State::AfterValue && depth == 0;
        };
        let in_object = depth > 0 && (objects >> (depth - 1)) & 1 == 1;
        let close = (c == b'}' && in_object) || (c == b']' && !in_object && depth > 0);
        state = match state {
            State::AfterValue => match c {
                _ if depth == 0 => return false,
                b',' if in_object => State::Key,
                b',' => State::Value,
                _ if close => {
                    depth -= 1;
                    State::AfterValue
                }
                _ => return false,
            },
            State::Colon if c == b':' => State::Value,
            State::Colon => return false,
            State::KeyOrEnd if c == b'}' => {
                depth -= 1;
                State::AfterValue
            }
            State::Key | State::KeyOrEnd => match c {
                b'"' => match string_end(s, i + 1) {
                    Some(end) => {
                        i = end;
                        state = State::Colon;
                        continue;
                    }
                    None => return false,
                },
                _ => return false,
            },
            State::ValueOrEnd if c == b']' => {
                depth -= 1;
                State::AfterValue
            }
            State::Value | State::ValueOrEnd => {
                let next = match c {
                    b'{' | b'[' => {
                        if depth >= MAX_DEPTH {
                            return false;
                        }
                        if c == b'{' {
                            objects |= 1 << depth;
                        } else {
                            objects &= !(1 << depth);
                        }
                        depth += 1;
                        i += 1;
                        state = if c == b'{' { State::KeyOrEnd } else { State::ValueOrEnd };
                        continue;
                    }
                    b'"' => string_end(s, i + 1),
                    b't' => literal_end(s, i, b"true"),
                    b'f' => literal_end(s, i, b"false"),
                    b'n' => literal_end(s, i, b"null"),
                    b'-' | b'0'..=b'9' => number_end(s, i),
                    _ => None,
                };
                match next {
                    Some(end) => {
                        i = end;
                        state = State::AfterValue;
                        continue;
                    }
                    None => return false,
                }
            }
        };
        i += 1;
    }
}

/// Index just past the closing quote of the string whose contents start at
/// `i`; `None` on an unterminated string, a raw control character or a bad
/// escape.
fn string_end(s: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match *s.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *s.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = s.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            0x00..=0x1f => return None,
            _ => i += 1,
        }
    }
}

fn literal_end(s: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i + word.len();
    (s.get(i..end)? == word).then_some(end)
}

/// Index just past the number starting at `i`:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn number_end(s: &[u8], mut i: usize) -> Option<usize> {
    let digits = |s: &[u8], mut i: usize| -> Option<usize> {
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if s.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match s.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(s, i)?,
        _ => return None,
    };
    if s.get(i) == Some(&b'.') {
        i = digits(s, i + 1)?;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(s, i)?;
    }
    Some(i)
}
