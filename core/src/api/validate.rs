//! Client-side checks run before any request is sent, as the spec states.

use alloc::borrow::Cow;
use alloc::string::String;

use super::error::ApiError;

/// Normalizes a handle the way the SDK helper does: one leading `@` removed,
/// then lowercased.
pub fn normalize_handle(handle: &str) -> String {
    handle.strip_prefix('@').unwrap_or(handle).to_ascii_lowercase()
}

/// Checks an agent handle (or tunnel name) after normalization: 3–63 chars of
/// `a-z`, `0-9`, `-`; first and last alphanumeric; no `--`.
pub fn handle(field: &'static str, value: &str) -> Result<(), ApiError> {
    let v = normalize_handle(value);
    let b = v.as_bytes();
    let ok_len = (3..=63).contains(&b.len());
    let ok_chars = b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
    let ok_ends = b.first().is_some_and(u8::is_ascii_alphanumeric) && b.last().is_some_and(u8::is_ascii_alphanumeric);
    let no_double = !v.contains("--");
    if !ok_len {
        return Err(ApiError::validation(field, "must be 3 to 63 characters"));
    }
    if !(ok_chars && ok_ends && no_double) {
        return Err(ApiError::validation(
            field,
            "only a-z, 0-9 and '-' are allowed; it must start and end with a letter or digit and contain no '--'",
        ));
    }
    Ok(())
}

/// Checks an E.164 phone number: `+`, then 2–15 digits, the first non-zero.
pub fn e164(field: &'static str, value: &str) -> Result<(), ApiError> {
    let digits = value.strip_prefix('+').unwrap_or("");
    let ok = (2..=15).contains(&digits.len()) && digits.bytes().all(|c| c.is_ascii_digit()) && !digits.starts_with('0');
    if ok { Ok(()) } else { Err(ApiError::validation(field, "must be an E.164 number such as +15551234567")) }
}

/// Checks an idempotency key: 1–255 visible ASCII characters.
pub fn idempotency_key(value: &str) -> Result<(), ApiError> {
    if value.is_empty() || value.len() > 255 || !value.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(ApiError::validation("idempotency_key", "must be 1 to 255 visible ASCII characters"));
    }
    Ok(())
}

/// Checks a value that goes into an HTTP header (no control characters,
/// ASCII only), without echoing it.
pub fn header_value(field: &'static str, value: &str) -> Result<(), ApiError> {
    if value.is_empty() || !value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(ApiError::validation(field, "must be non-empty printable ASCII"));
    }
    Ok(())
}

/// Checks a non-empty string argument.
pub fn non_empty(field: &'static str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() { Err(ApiError::validation(field, "must not be empty")) } else { Ok(()) }
}

/// Checks a string's length in characters.
pub fn char_len(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n < min || n > max {
        let msg: Cow<'static, str> = Cow::Owned(alloc::format!("must be {min} to {max} characters"));
        return Err(ApiError::validation(field, msg));
    }
    Ok(())
}

/// Checks a page size against the API's bounds.
pub fn limit(value: u32, max: u32) -> Result<(), ApiError> {
    if value == 0 || value > max {
        let msg: Cow<'static, str> = Cow::Owned(alloc::format!("limit must be 1 to {max}"));
        return Err(ApiError::validation("limit", msg));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        for ok in ["abc", "@Support-Bot", "a1-b2", "x".repeat(63).as_str()] {
            assert!(handle("agent_handle", ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "-abc", "abc-", "a--b", "a_b", "a.b", "", "@", &"x".repeat(64), "héllo"] {
            assert!(handle("agent_handle", bad).is_err(), "{bad}");
        }
        assert_eq!(normalize_handle("@Sales-Agent"), "sales-agent");
    }

    #[test]
    fn phone_numbers_and_keys() {
        assert!(e164("to", "+15551234567").is_ok());
        for bad in ["15551234567", "+0555", "+1", "+1555-123", "+1234567890123456", ""] {
            assert!(e164("to", bad).is_err(), "{bad}");
        }
        assert!(idempotency_key("abc").is_ok());
        assert!(idempotency_key("").is_err());
        assert!(idempotency_key(&"k".repeat(256)).is_err());
        assert!(idempotency_key("a b").is_err());
        assert!(header_value("api_key", "ApiKey_x\r\nX: y").is_err());
        assert!(limit(0, 100).is_err() && limit(101, 100).is_err() && limit(100, 100).is_ok());
        assert!(char_len("label", "", 1, 255).is_err());
    }
}
