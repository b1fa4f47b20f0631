//! Verification and signing of Inkbox webhook deliveries, with no allocation.
//!
//! # Scheme
//!
//! Every delivery carries three headers (names matched ASCII-case-insensitively,
//! values used byte for byte, never trimmed):
//!
//! | Header | Value |
//! |---|---|
//! | `X-Inkbox-Signature` | `sha256=` + lower-case hex HMAC-SHA256 |
//! | `X-Inkbox-Request-ID` | opaque delivery id |
//! | `X-Inkbox-Timestamp` | Unix seconds, decimal |
//!
//! The MAC is HMAC-SHA256 over `{request_id}.{timestamp}.` followed by the raw
//! body bytes. The key is the UTF-8 bytes of the signing secret after one
//! leading `whsec_` is removed; it is *not* base64- or hex-decoded.
//!
//! # Strict by default
//!
//! [`verify`], [`Verifier`] and [`verify_reader`] take the headers as raw
//! byte pairs, the raw body, one or several secrets (key rotation: any may
//! match), the caller's clock (`now_unix`, core reads none) and
//! [`VerifyOptions`]. With [`VerifyOptions::strict()`], the default:
//!
//! - the request-id and timestamp headers are required and non-empty;
//! - the timestamp is plain decimal Unix seconds (no sign, no spaces) within
//!   [`DEFAULT_TOLERANCE_SECS`] (300 s) of `now_unix` in either direction,
//!   both edges included; the window is configurable and can be switched off;
//! - the signature header holds one or more entries separated by single
//!   spaces, at most [`MAX_SIGNATURES`]; each is exactly `sha256=` and 64
//!   lower-case hex digits, and any matching entry passes;
//! - each of the three headers appears at most once, holds printable ASCII
//!   only and at most [`MAX_HEADER_VALUE_LEN`] bytes;
//! - secrets whose key is empty (`""`, `"whsec_"`) are refused as a
//!   configuration error;
//! - every computed MAC is compared with every signature entry in constant
//!   time (`subtle`), with no early exit.
//!
//! A failure says which check failed ([`WebhookError`], each variant with a
//! stable code); untrusted input never panics. Parsing the payload is a
//! separate step: [`envelope::parse`]. [`sign`] produces the three header
//! values for emulators and tests.
//!
//! # Differences from the official SDK 0.4.9
//!
//! Deliberate, all on the safe side:
//!
//! - **Ids required.** An absent or empty `X-Inkbox-Request-ID` or
//!   `X-Inkbox-Timestamp` is an error; the official SDK signs over `""`.
//! - **Timestamp parsed and checked for freshness** (±300 s by default); the
//!   official SDK only binds it into the MAC, so a captured delivery can be
//!   replayed forever and `not-a-number` is accepted.
//! - **Several signature entries** (`sha256=<a> sha256=<b>`), any of which may
//!   match, so the sender can rotate keys; the official SDK compares the whole
//!   header value with one digest, so such a header never verifies there.
//! - **Several secrets** (receiver-side rotation); the official SDK takes one.
//! - **Empty HMAC key refused** (`""` or `"whsec_"` →
//!   [`WebhookError::EmptySecret`], in every mode): the official SDK accepts
//!   it, which lets anyone who knows the scheme forge deliveries.
//! - **Header hygiene.** A repeated, non-ASCII, control-character or
//!   over-1-KiB value in one of the three headers is
//!   [`WebhookError::InvalidHeader`]. The official SDK reads a mapping (a
//!   repeated header cannot be seen) and raises `TypeError` on a non-ASCII
//!   signature instead of returning false.
//! - **Typed failures** instead of a bare `bool`; headers and body are bytes.
//!
//! The same decisions otherwise: one leading `whsec_` is stripped, header
//! values are case-sensitive and untrimmed, `SHA256=` prefixes and upper-case
//! hex never match. [`VerifyOptions::compat()`] restores the official
//! decisions for the first three points (and keeps the last three).
//!
//! # Example
//!
//! ```
//! use inkbox_core::webhook::{self, VerifyOptions, envelope};
//!
//! // Inputs from the HTTP layer: header pairs as bytes, the raw body.
//! # let signed = webhook::sign("whsec_O21oFjdhy94iHwv", "a83420da", 1_771_521_013,
//! #     br#"{"id":"c0ffee","direction":"inbound","status":"initiated"}"#)?;
//! # let (sig, rid, ts) = (signed.signature(), signed.request_id(), signed.timestamp());
//! let headers: [(&[u8], &[u8]); 3] = [
//!     (b"X-Inkbox-Signature", sig.as_bytes()),
//!     (b"X-Inkbox-Request-ID", rid.as_bytes()),
//!     (b"X-Inkbox-Timestamp", ts.as_bytes()),
//! ];
//! let body = br#"{"id":"c0ffee","direction":"inbound","status":"initiated"}"#;
//!
//! let now_unix = 1_771_521_030; // from the host clock
//! webhook::verify(&headers, body, &["whsec_O21oFjdhy94iHwv"], now_unix, &VerifyOptions::strict())?;
//!
//! let event = envelope::parse(body).map_err(|_| webhook::WebhookError::SignatureMismatch)?;
//! assert_eq!(event.event_type(), "phone.incoming_call");
//! assert_eq!(event.object_id(), Some("c0ffee"));
//! # Ok::<(), webhook::WebhookError>(())
//! ```

pub mod envelope;
mod error;
mod headers;
mod sign;
mod verify;

#[cfg(test)]
mod tests;

pub use error::{StreamError, WebhookError};
pub use headers::HeaderPair;
pub use sign::{SIGNATURE_LEN, SignedHeaders, sign, sign_raw};
pub use verify::{Verified, Verifier, VerifyOptions, verify, verify_reader};

/// Name of the signature header (matched case-insensitively).
pub const SIGNATURE_HEADER: &str = "X-Inkbox-Signature";
/// Name of the request-id header (matched case-insensitively).
pub const REQUEST_ID_HEADER: &str = "X-Inkbox-Request-ID";
/// Name of the timestamp header (matched case-insensitively).
pub const TIMESTAMP_HEADER: &str = "X-Inkbox-Timestamp";
/// The prefix removed (once) from a secret to get the HMAC key.
pub const SECRET_PREFIX: &str = "whsec_";
/// Default freshness window of [`VerifyOptions::strict`], in seconds each way.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// Longest accepted value of each of the three Inkbox headers, in bytes.
pub const MAX_HEADER_VALUE_LEN: usize = 1024;
/// Most `sha256=` entries accepted in one signature header.
pub const MAX_SIGNATURES: usize = 8;
/// Default secret capacity of [`Verifier`] (and of [`verify_reader`]).
/// [`verify`] takes any number.
pub const MAX_SECRETS: usize = 4;
