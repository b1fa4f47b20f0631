//! The Inkbox REST surface as sans-IO request builders and response parsers.
//!
//! Each operation is a pair of functions in a resource module: `build_*`
//! returns a plain [`Request`] value (method, path and query, header pairs,
//! body bytes) and `parse_*` turns a [`Response`] (status, headers, body) into
//! a typed model or an [`ApiError`]. Nothing here performs I/O, reads a clock
//! or draws randomness: a binding sends the request with its own HTTP stack
//! and hands the response back.
//!
//! Cross-cutting pieces:
//! - [`catalog`]: every operation (name, method, path template, auth) as data;
//! - [`dynamic`]: every operation behind one entry point, by name, with JSON
//!   arguments (what language bindings call);
//! - [`ApiError`]: the error taxonomy, with stable codes;
//! - [`retry`] and [`paginate`]: state machines that a binding drives;
//! - [`Patch`]: the tri-state of PATCH fields (omitted / null / value);
//! - [`Timestamp`]: ISO-8601 instants as the API writes them.

pub mod call;
pub mod catalog;
pub mod codes;
pub mod common;
pub mod dynamic;
mod enums;
pub mod error;
pub mod paginate;
pub mod parse;
pub mod patch;
pub mod request;
pub mod retry;
#[cfg(test)]
mod test_support;
pub mod time;
pub mod validate;

pub use call::{Call, CallOptions, Finished, Step};
pub use catalog::{Auth, Operation};
pub use error::{ApiError, Detail, ErrorKind, StatusError, TransportErrorKind};
pub use paginate::{CursorPage, CursorPager, OffsetPager, Page, PageSummary};
pub use patch::Patch;
pub use request::{BaseUrl, Method, PreparedRequest, Request, Response};
pub use retry::{Retrier, RetryAfter, RetryDecision, RetryOutcome, RetryPolicy};
pub use time::Timestamp;

#[allow(unused_imports)]
pub(crate) use enums::wire_enum;

pub mod agentpost;
pub mod contacts;
pub mod identities;
pub mod imessage;
pub mod keys;
pub mod mail;
pub mod notes;
pub mod phone;
pub mod signup;
pub mod texts;
pub mod tunnel_cert;
pub mod tunnel_data_plane;
pub mod tunnels;
pub mod vault;
pub mod vault_flows;
pub mod webhook_events;
pub mod webhook_subscriptions;
pub mod whoami;
pub mod ws_frame;
