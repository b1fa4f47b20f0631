//! Webhook verification and signing over `inkbox_core::webhook`.

use inkbox_core::ErrorCode as _;
use inkbox_core::webhook::{self, VerifyOptions};
use zeroize::Zeroizing;

use crate::error::{InkboxError, now_unix};
use crate::transport::HttpHeader;

fn verify_result(
    payload: &[u8],
    headers: &[HttpHeader],
    secrets: &[Zeroizing<String>],
    now: u64,
    options: &VerifyOptions,
) -> Result<Option<String>, InkboxError> {
    let pairs: Vec<(&str, &str)> = headers.iter().map(|h| (h.name.as_str(), h.value.as_str())).collect();
    match webhook::verify(pairs.iter(), payload, secrets, now, options) {
        Ok(_) => Ok(None),
        // A misconfigured receiver (no secret, an empty one) is an error; a
        // refused delivery is an answer.
        Err(e) if e.is_configuration() => Err(e.into()),
        Err(e) => Ok(Some(e.code().to_owned())),
    }
}

/// Why a delivery is refused (a `webhook.*` code), or `None` when it
/// verifies. Strict: every Inkbox header present, the timestamp within
/// `toleranceSeconds` (default 300) of `nowUnix` (default: now); any of
/// `secrets` may have signed it (rotation).
#[uniffi::export(default(tolerance_seconds = 300, now_unix = None))]
pub fn verify_webhook(
    payload: Vec<u8>,
    headers: Vec<HttpHeader>,
    secrets: Vec<String>,
    tolerance_seconds: u64,
    now_unix: Option<u64>,
) -> Result<Option<String>, InkboxError> {
    let secrets: Vec<Zeroizing<String>> = secrets.into_iter().map(Zeroizing::new).collect();
    let now = now_unix.unwrap_or_else(|| u64::try_from(crate::error::now_unix()).unwrap_or(0));
    verify_result(&payload, &headers, &secrets, now, &VerifyOptions::strict().with_tolerance(tolerance_seconds))
}

/// Decides as the official SDK does (no freshness check, absent ids signed
/// as empty, one signature entry), without its throw on a malformed signature.
#[uniffi::export]
pub fn verify_webhook_compat(payload: Vec<u8>, headers: Vec<HttpHeader>, secret: String) -> Result<bool, InkboxError> {
    let secrets = [Zeroizing::new(secret)];
    Ok(verify_result(&payload, &headers, &secrets, 0, &VerifyOptions::compat())?.is_none())
}

/// The three headers of a delivery signed with `secret`
/// (`x-inkbox-signature`, `x-inkbox-request-id`, `x-inkbox-timestamp`).
#[uniffi::export]
pub fn sign_webhook(
    payload: Vec<u8>,
    secret: String,
    request_id: String,
    timestamp: String,
) -> Result<Vec<HttpHeader>, InkboxError> {
    let secret = Zeroizing::new(secret);
    let signed = webhook::sign_raw(secret.as_bytes(), &request_id, &timestamp, &payload)?;
    Ok(signed
        .headers()
        .into_iter()
        .map(|(name, value)| HttpHeader { name: name.to_ascii_lowercase(), value: value.to_string() })
        .collect())
}

/// Unix seconds now (what the `nowUnix` defaults use).
#[uniffi::export]
pub fn unix_now() -> u64 {
    u64::try_from(now_unix()).unwrap_or(0)
}
