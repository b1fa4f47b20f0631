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
    serde_json::from_slice(resp.body).map_err(|e| ApiError::decode(op, resp, &e))
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
