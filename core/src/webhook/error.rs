//! Why a webhook check failed.

use core::fmt;

use crate::ErrorCode;

/// Why a webhook delivery was not accepted.
///
/// Every variant has a stable code (see [`ErrorCode`]). Messages never contain
/// secrets, computed MACs or header values.
///
/// Errors come in three groups:
/// - configuration errors ([`EmptySecret`](Self::EmptySecret),
///   [`TooManySecrets`](Self::TooManySecrets)): fix the receiver, the request
///   is not at fault;
/// - request errors (every other variant): answer the sender with a 4xx;
/// - [`SignatureMismatch`](Self::SignatureMismatch): the request is well formed
///   but not signed by any configured secret (forged, tampered, or signed with a
///   secret the receiver does not know yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookError {
    /// The `X-Inkbox-Signature` header is absent or empty.
    MissingSignature,
    /// The `X-Inkbox-Request-ID` header is absent or empty (strict mode).
    MissingRequestId,
    /// The `X-Inkbox-Timestamp` header is absent or empty (strict mode, or
    /// whenever a freshness tolerance is set).
    MissingTimestamp,
    /// The signature header is not a list of `sha256=<64 lowercase hex>`
    /// entries separated by single spaces (or holds more than
    /// [`MAX_SIGNATURES`](super::MAX_SIGNATURES) entries, or several entries in
    /// compat mode).
    MalformedSignature,
    /// The timestamp header is not plain decimal Unix seconds (strict mode, or
    /// whenever a freshness tolerance is set).
    MalformedTimestamp,
    /// The timestamp is further from `now` than the configured tolerance.
    TimestampOutOfTolerance,
    /// No signature entry matches the body under any configured secret.
    SignatureMismatch,
    /// One of the three Inkbox headers is repeated, longer than
    /// [`MAX_HEADER_VALUE_LEN`](super::MAX_HEADER_VALUE_LEN) bytes, or holds a
    /// byte outside printable ASCII (`0x20..=0x7E`).
    InvalidHeader,
    /// Configuration error: no secret was given, or a secret is empty once its
    /// `whsec_` prefix is removed. An empty HMAC key would let anyone forge
    /// deliveries, so it is refused even in compat mode.
    EmptySecret,
    /// Configuration error: more secrets than the [`Verifier`](super::Verifier)
    /// capacity `N`.
    TooManySecrets,
}

impl WebhookError {
    /// Whether this is a receiver configuration error rather than a problem
    /// with the request.
    #[must_use]
    pub const fn is_configuration(&self) -> bool {
        matches!(self, Self::EmptySecret | Self::TooManySecrets)
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingSignature => "webhook: missing or empty X-Inkbox-Signature header",
            Self::MissingRequestId => "webhook: missing or empty X-Inkbox-Request-ID header",
            Self::MissingTimestamp => "webhook: missing or empty X-Inkbox-Timestamp header",
            Self::MalformedSignature => {
                "webhook: X-Inkbox-Signature is not a space-separated list of \
                 `sha256=<64 lowercase hex digits>` entries"
            }
            Self::MalformedTimestamp => "webhook: X-Inkbox-Timestamp is not decimal Unix seconds",
            Self::TimestampOutOfTolerance => {
                "webhook: timestamp is outside the accepted tolerance around the current time"
            }
            Self::SignatureMismatch => "webhook: no signature matches any configured secret",
            Self::InvalidHeader => "webhook: an X-Inkbox-* header is repeated, oversized or not printable ASCII",
            Self::EmptySecret => "webhook: no secret configured, or a secret is empty after removing `whsec_`",
            Self::TooManySecrets => "webhook: more secrets than the verifier can hold",
        })
    }
}

impl core::error::Error for WebhookError {}

impl crate::ErrorClass for WebhookError {
    fn error_class(&self) -> &'static str {
        "InkboxWebhookError"
    }
}

impl ErrorCode for WebhookError {
    fn code(&self) -> &'static str {
        match self {
            Self::MissingSignature => "webhook.missing_signature",
            Self::MissingRequestId => "webhook.missing_request_id",
            Self::MissingTimestamp => "webhook.missing_timestamp",
            Self::MalformedSignature => "webhook.malformed_signature",
            Self::MalformedTimestamp => "webhook.malformed_timestamp",
            Self::TimestampOutOfTolerance => "webhook.timestamp_out_of_tolerance",
            Self::SignatureMismatch => "webhook.signature_mismatch",
            Self::InvalidHeader => "webhook.invalid_header",
            Self::EmptySecret => "webhook.empty_secret",
            Self::TooManySecrets => "webhook.too_many_secrets",
        }
    }
}

/// Failure of [`verify_reader`](super::verify_reader) /
/// [`Verifier::update_from_reader`](super::Verifier::update_from_reader): either the
/// reader failed or the delivery was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamError<E> {
    /// The body reader returned an error (code `webhook.read_failed`).
    Read(E),
    /// The delivery was rejected; the code is the inner error's.
    Webhook(WebhookError),
}

impl<E> From<WebhookError> for StreamError<E> {
    fn from(e: WebhookError) -> Self {
        Self::Webhook(e)
    }
}

impl<E: embedded_io::Error> fmt::Display for StreamError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(e) => write!(f, "webhook: reading the body failed ({:?})", e.kind()),
            Self::Webhook(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E: embedded_io::Error + 'static> core::error::Error for StreamError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Read(e) => Some(e),
            // Transparent: the message above already is the inner error's.
            Self::Webhook(_) => None,
        }
    }
}

impl<E> ErrorCode for StreamError<E> {
    fn code(&self) -> &'static str {
        match self {
            Self::Read(_) => "webhook.read_failed",
            Self::Webhook(e) => e.code(),
        }
    }
}
