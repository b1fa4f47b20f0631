//! Shared response parsing.

use alloc::vec::Vec;

use serde::de::DeserializeOwned;

use super::catalog::Operation;
use super::error::ApiError;
use super::request::Response;

/// Parses a 2xx JSON body into `T`; any other status becomes a classified
/// [`ApiError`]. A body that does not decode keeps its raw bytes in the error.
pub fn json<T: DeserializeOwned>(op: &'static Operation, resp: &Response<'_>) -> Result<T, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(op, resp));
    }
    from_body(resp.body).map_err(|e| ApiError::decode(op, resp, &e))
}

/// [`json`] into a model that borrows from `resp`'s body (e.g.
/// [`MessageRef`](super::mail::MessageRef)): the same checks and errors.
pub fn json_borrowed<'a, T: serde::Deserialize<'a>>(
    op: &'static Operation,
    resp: &Response<'a>,
) -> Result<T, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(op, resp));
    }
    from_body(resp.body).map_err(|e| ApiError::decode(op, resp, &e))
}

/// `serde_json::from_slice`, faster: a body that is valid UTF-8 (every body
/// that can decode) is checked once as a whole instead of string by string.
/// `from_str` reads the same bytes the same way (same values, same errors
/// at the same positions); any other body goes to `from_slice` for its error.
pub(crate) fn from_body<'de, T: serde::Deserialize<'de>>(body: &'de [u8]) -> Result<T, serde_json::Error> {
    match core::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// Accepts any 2xx and ignores the body (DELETE and similar).
pub fn empty(op: &'static Operation, resp: &Response<'_>) -> Result<(), ApiError> {
    if resp.is_success() { Ok(()) } else { Err(ApiError::from_response(op, resp)) }
}

/// A list that arrives either as a bare array or wrapped in an object under
/// `key` (e.g. tunnels: `[...]` or `{"tunnels": [...]}`).
pub fn list_or_wrapped<T: DeserializeOwned>(
    op: &'static Operation,
    resp: &Response<'_>,
    key: &str,
) -> Result<Vec<T>, ApiError> {
    let value: serde_json::Value = json(op, resp)?;
    let inner = match value {
        serde_json::Value::Object(mut m) => m.remove(key).unwrap_or(serde_json::Value::Null),
        other => other,
    };
    serde_json::from_value(inner).map_err(|e| ApiError::decode(op, resp, &e))
}
