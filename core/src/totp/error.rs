//! Why a TOTP operation failed.

use core::fmt;

use crate::ErrorCode;

/// Why a secret, a configuration, an `otpauth://` URI or a time was refused.
///
/// Every variant has a stable code (see [`ErrorCode`]). Messages never contain
/// the secret, the key or a generated code.
///
/// Errors come in three groups:
/// - the secret ([`EmptySecret`](Self::EmptySecret),
///   [`InvalidSecret`](Self::InvalidSecret),
///   [`SecretTooLong`](Self::SecretTooLong),
///   [`MissingSecret`](Self::MissingSecret));
/// - the parameters ([`InvalidAlgorithm`](Self::InvalidAlgorithm),
///   [`InvalidDigits`](Self::InvalidDigits),
///   [`InvalidPeriod`](Self::InvalidPeriod)) and, for stored configs,
///   [`InvalidConfig`](Self::InvalidConfig);
/// - the URI envelope ([`InvalidUriScheme`](Self::InvalidUriScheme),
///   [`UnsupportedOtpType`](Self::UnsupportedOtpType),
///   [`InvalidOtpType`](Self::InvalidOtpType), [`InvalidUri`](Self::InvalidUri)).
///
/// [`InvalidTime`](Self::InvalidTime) is the caller's clock value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TotpError {
    /// The secret is empty or only whitespace (Python `str.strip()` rules).
    EmptySecret,
    /// The secret is not base32 under the reference's rules (see the module
    /// docs): a bad character or length, misplaced or excess `=` padding,
    /// whitespace, or a secret that is not a string in a stored config.
    InvalidSecret,
    /// The decoded key is longer than [`MAX_KEY_LEN`](super::MAX_KEY_LEN)
    /// bytes (a deliberate limit of this port; the reference has none).
    SecretTooLong,
    /// An `otpauth://` URI has no non-blank `secret` parameter, or a stored
    /// config has no `secret` field (or `null`).
    MissingSecret,
    /// The algorithm is not one of `sha1`, `sha256`, `sha512` (exact lower
    /// case in a stored config; any ASCII case in a URI).
    InvalidAlgorithm,
    /// `digits` is not an integer equal to 6 or 8.
    InvalidDigits,
    /// `period` is not an integer equal to 30 or 60.
    InvalidPeriod,
    /// The URI scheme is not `otpauth` (ASCII case-insensitive). `found` is the
    /// scheme seen, lower-cased, empty when the input has none.
    InvalidUriScheme {
        /// The scheme found (at most [`UriScheme::CAPACITY`] bytes kept).
        found: UriScheme,
    },
    /// The URI is an `otpauth://hotp/` (counter-based) URI; only TOTP is
    /// supported.
    UnsupportedOtpType,
    /// The URI's OTP type (its host) is missing or not `totp`.
    InvalidOtpType,
    /// The URI's authority is malformed where Python's `urlsplit` raises
    /// (unbalanced or invalid `[...]` host, characters that NFKC-normalise to
    /// `/?#@:`).
    InvalidUri,
    /// The time is negative, NaN, infinite, or so large that the end of its
    /// period does not fit in a `u64`.
    InvalidTime,
    /// A stored config is not a JSON object, or `issuer`/`account_name` is
    /// neither a string nor `null`.
    InvalidConfig,
}

impl fmt::Display for TotpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptySecret => f.write_str("totp: secret must be a non-empty base32 string"),
            Self::InvalidSecret => f.write_str("totp: secret is not valid base32"),
            Self::SecretTooLong => write!(f, "totp: secret decodes to more than {} bytes", super::MAX_KEY_LEN),
            Self::MissingSecret => f.write_str("totp: missing required 'secret' parameter"),
            Self::InvalidAlgorithm => f.write_str("totp: algorithm must be one of sha1, sha256, sha512"),
            Self::InvalidDigits => f.write_str("totp: digits must be 6 or 8"),
            Self::InvalidPeriod => f.write_str("totp: period must be 30 or 60"),
            Self::InvalidUriScheme { found } => write!(
                f,
                "totp: invalid URI scheme: expected 'otpauth', got '{}{}'",
                found.as_str(),
                if found.is_truncated() { "..." } else { "" }
            ),
            Self::UnsupportedOtpType => f.write_str("totp: HOTP URIs are not supported, only otpauth://totp/"),
            Self::InvalidOtpType => f.write_str("totp: invalid OTP type: expected 'totp'"),
            Self::InvalidUri => f.write_str("totp: malformed otpauth URI authority"),
            Self::InvalidTime => f.write_str("totp: time must be finite, non-negative and within the u64 range"),
            Self::InvalidConfig => {
                f.write_str("totp: config must be a JSON object with string or null issuer/account_name")
            }
        }
    }
}

impl core::error::Error for TotpError {}

impl crate::ErrorClass for TotpError {
    fn error_class(&self) -> &'static str {
        "InkboxTOTPError"
    }
}

impl ErrorCode for TotpError {
    fn code(&self) -> &'static str {
        match self {
            Self::EmptySecret => "totp.empty_secret",
            Self::InvalidSecret => "totp.invalid_secret",
            Self::SecretTooLong => "totp.secret_too_long",
            Self::MissingSecret => "totp.missing_secret",
            Self::InvalidAlgorithm => "totp.invalid_algorithm",
            Self::InvalidDigits => "totp.invalid_digits",
            Self::InvalidPeriod => "totp.invalid_period",
            Self::InvalidUriScheme { .. } => "totp.invalid_uri_scheme",
            Self::UnsupportedOtpType => "totp.unsupported_otp_type",
            Self::InvalidOtpType => "totp.invalid_otp_type",
            Self::InvalidUri => "totp.invalid_uri",
            Self::InvalidTime => "totp.invalid_time",
            Self::InvalidConfig => "totp.invalid_config",
        }
    }
}

/// The scheme of a refused URI, kept inline (no allocation) for
/// [`TotpError::InvalidUriScheme`].
///
/// Schemes are ASCII letters, digits, `+`, `-` and `.` (lower-cased); longer
/// ones are cut at [`CAPACITY`](Self::CAPACITY) bytes and flagged.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UriScheme {
    buf: [u8; Self::CAPACITY],
    len: u8,
    truncated: bool,
}

impl UriScheme {
    /// How many bytes of the scheme are kept.
    pub const CAPACITY: usize = 32;

    /// Keeps up to [`CAPACITY`](Self::CAPACITY) bytes of `scheme`, cut at a
    /// character boundary.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // used by URI parsing
    pub(crate) fn new(scheme: &str) -> Self {
        let mut buf = [0u8; Self::CAPACITY];
        let mut len = 0usize;
        let mut truncated = false;
        for ch in scheme.chars() {
            let mut tmp = [0u8; 4];
            let encoded = ch.encode_utf8(&mut tmp).as_bytes();
            let end = len + encoded.len();
            match buf.get_mut(len..end) {
                Some(dst) => {
                    dst.copy_from_slice(encoded);
                    len = end;
                }
                None => {
                    truncated = true;
                    break;
                }
            }
        }
        Self {
            buf,
            // `len <= CAPACITY = 32` always fits.
            len: u8::try_from(len).unwrap_or(u8::MAX),
            truncated,
        }
    }

    /// The scheme found (possibly cut short; see
    /// [`is_truncated`](Self::is_truncated)); empty when the input had none.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.buf.get(..usize::from(self.len)).and_then(|b| core::str::from_utf8(b).ok()).unwrap_or("")
    }

    /// Whether the scheme was longer than [`CAPACITY`](Self::CAPACITY) bytes.
    #[must_use]
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Debug for UriScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)?;
        if self.truncated {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl fmt::Display for UriScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
