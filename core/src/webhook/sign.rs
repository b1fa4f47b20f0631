//! Signing: the three header values of a delivery, without allocation.

use core::fmt;

use hmac::Mac as _;

use super::headers::is_valid_value;
use super::verify::keyed_mac;
use super::{REQUEST_ID_HEADER, SECRET_PREFIX, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookError};

/// Length of a signature header value: `sha256=` plus 64 hex digits.
pub const SIGNATURE_LEN: usize = 71;

/// The timestamp text: formatted into a buffer ([`sign`]) or borrowed
/// ([`sign_raw`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimestampText<'a> {
    /// Decimal digits right-aligned in `digits[start..]`.
    Formatted {
        digits: [u8; 20],
        start: usize,
    },
    Borrowed(&'a str),
}

/// The three header values of a signed delivery, as the Inkbox server sends
/// them. Produced by [`sign`] and [`sign_raw`]; everything is inline, nothing
/// is allocated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SignedHeaders<'a> {
    request_id: &'a str,
    timestamp: TimestampText<'a>,
    signature: [u8; SIGNATURE_LEN],
}

impl<'a> SignedHeaders<'a> {
    /// The `X-Inkbox-Signature` value: `sha256=` and 64 lower-case hex digits.
    #[must_use]
    pub fn signature(&self) -> &str {
        // Always ASCII: written below from a fixed prefix and hex digits.
        core::str::from_utf8(&self.signature).unwrap_or_default()
    }

    /// The `X-Inkbox-Request-ID` value.
    #[must_use]
    pub fn request_id(&self) -> &'a str {
        self.request_id
    }

    /// The `X-Inkbox-Timestamp` value.
    #[must_use]
    pub fn timestamp(&self) -> &str {
        match &self.timestamp {
            TimestampText::Formatted { digits, start } => {
                digits.get(*start..).and_then(|d| core::str::from_utf8(d).ok()).unwrap_or_default()
            }
            TimestampText::Borrowed(s) => s,
        }
    }

    /// The three headers as `(name, value)` pairs, ready for an HTTP client or
    /// for [`verify`](super::verify).
    #[must_use]
    pub fn headers(&self) -> [(&'static str, &str); 3] {
        [
            (SIGNATURE_HEADER, self.signature()),
            (REQUEST_ID_HEADER, self.request_id()),
            (TIMESTAMP_HEADER, self.timestamp()),
        ]
    }
}

impl fmt::Debug for SignedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signature is public (it travels in a header); the secret is not
        // kept.
        f.debug_struct("SignedHeaders")
            .field("signature", &self.signature())
            .field("request_id", &self.request_id)
            .field("timestamp", &self.timestamp())
            .finish()
    }
}

/// Signs a delivery the way the Inkbox server does: `sha256=` + lower-case hex
/// of HMAC-SHA256(key, `{request_id}.{timestamp}.` ‖ body), where the key is
/// `secret` with one leading `whsec_` removed.
///
/// The result always passes strict [`verify`](super::verify) with the same
/// secret at a `now_unix` within the tolerance of `timestamp`.
///
/// ```
/// use inkbox_core::webhook;
///
/// let signed = webhook::sign("whsec_O21oFjdhy94iHwv", "req-1", 1_771_521_013, b"{}")?;
/// assert_eq!(signed.timestamp(), "1771521013");
/// assert!(signed.signature().starts_with("sha256="));
/// assert_eq!(signed.signature().len(), webhook::SIGNATURE_LEN);
/// # Ok::<(), webhook::WebhookError>(())
/// ```
///
/// # Errors
/// [`WebhookError::EmptySecret`] for an empty key;
/// [`WebhookError::MissingRequestId`] for an empty `request_id`;
/// [`WebhookError::InvalidHeader`] if `request_id` is not printable ASCII or is
/// longer than [`MAX_HEADER_VALUE_LEN`](super::MAX_HEADER_VALUE_LEN).
pub fn sign<'a, K: AsRef<[u8]>>(
    secret: K,
    request_id: &'a str,
    timestamp: u64,
    body: &[u8],
) -> Result<SignedHeaders<'a>, WebhookError> {
    if request_id.is_empty() {
        return Err(WebhookError::MissingRequestId);
    }
    if !is_valid_value(request_id.as_bytes()) {
        return Err(WebhookError::InvalidHeader);
    }
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = timestamp;
    for slot in digits.iter_mut().rev() {
        // `rest % 10 < 10`, so the cast is lossless.
        *slot = b'0' + (rest % 10) as u8;
        start -= 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let timestamp = TimestampText::Formatted { digits, start };
    sign_inner(secret.as_ref(), request_id, timestamp, body)
}

/// Like [`sign`] but with the timestamp given verbatim and no check of the
/// request id or timestamp: for emulators and tests that need to produce
/// deliveries strict verification must refuse (empty ids, non-numeric
/// timestamps, …). Still refuses an empty key.
///
/// # Errors
/// [`WebhookError::EmptySecret`] for an empty key.
pub fn sign_raw<'a, K: AsRef<[u8]>>(
    secret: K,
    request_id: &'a str,
    timestamp: &'a str,
    body: &[u8],
) -> Result<SignedHeaders<'a>, WebhookError> {
    sign_inner(secret.as_ref(), request_id, TimestampText::Borrowed(timestamp), body)
}

fn sign_inner<'a>(
    secret: &[u8],
    request_id: &'a str,
    timestamp: TimestampText<'a>,
    body: &[u8],
) -> Result<SignedHeaders<'a>, WebhookError> {
    let key = secret.strip_prefix(SECRET_PREFIX.as_bytes()).unwrap_or(secret);
    if key.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    let mut out = SignedHeaders { request_id, timestamp, signature: [0; SIGNATURE_LEN] };
    let mut mac = keyed_mac(key, request_id.as_bytes(), out.timestamp().as_bytes()).ok_or(WebhookError::EmptySecret)?;
    mac.update(body);
    let tag = mac.finalize().into_bytes();

    const HEX: &[u8; 16] = b"0123456789abcdef";
    const PREFIX: &[u8; 7] = b"sha256=";
    let (prefix, hex) = out.signature.split_at_mut_checked(PREFIX.len()).ok_or(WebhookError::EmptySecret)?;
    prefix.copy_from_slice(PREFIX);
    for (pair, byte) in hex.chunks_exact_mut(2).zip(tag.iter()) {
        if let [hi, lo] = pair {
            *hi = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            *lo = HEX.get(usize::from(byte & 0x0f)).copied().unwrap_or(b'0');
        }
    }
    Ok(out)
}
