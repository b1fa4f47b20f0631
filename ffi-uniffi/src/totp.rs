//! TOTP over `inkbox_core::totp`: configurations (built, from a login's
//! JSON, or from an `otpauth://totp/` URI), codes and verification.

use std::fmt;

use inkbox_core::totp::{self, Algorithm, Digits, Period, TotpConfig as CoreTotp};
use zeroize::Zeroizing;

use crate::error::{InkboxError, now_unix};

/// A code with its validity window.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TotpCode {
    /// The code, zero-padded (6 or 8 digits).
    pub code: String,
    /// The HOTP counter (`floor(time / period)`).
    pub counter: u64,
    /// Unix time the code became valid.
    pub period_start: u64,
    /// Unix time it expires.
    pub period_end: u64,
    /// `period_end - now`.
    pub seconds_remaining: u64,
}

impl From<totp::TotpCode> for TotpCode {
    fn from(c: totp::TotpCode) -> Self {
        TotpCode {
            code: c.code.as_str().to_owned(),
            counter: c.counter,
            period_start: c.period_start,
            period_end: c.period_end,
            seconds_remaining: c.seconds_remaining,
        }
    }
}

/// A TOTP configuration. The shared secret is only readable through
/// `secret()` (never in `toString`).
#[derive(uniffi::Object)]
pub struct TotpConfig(CoreTotp);

impl fmt::Debug for TotpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpConfig")
            .field("algorithm", &self.0.algorithm().as_str())
            .field("digits", &self.0.digits().get())
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl TotpConfig {
    pub(crate) fn core(&self) -> &CoreTotp {
        &self.0
    }

    pub(crate) fn from_core(config: CoreTotp) -> Self {
        TotpConfig(config)
    }
}

fn now_secs() -> u64 {
    u64::try_from(now_unix()).unwrap_or(0)
}

#[uniffi::export]
impl TotpConfig {
    /// A configuration from its parts: `algorithm` is `sha1`, `sha256` or
    /// `sha512`; `digits` 6 or 8; `period` in seconds.
    #[uniffi::constructor(default(algorithm = "sha1", digits = 6, period = 30, issuer = None, account_name = None))]
    pub fn new(
        secret: String,
        algorithm: String,
        digits: u32,
        period: u32,
        issuer: Option<String>,
        account_name: Option<String>,
    ) -> Result<Self, InkboxError> {
        let secret = Zeroizing::new(secret);
        let mut c = CoreTotp::new(secret.as_str())?
            .with_algorithm(Algorithm::from_config_name(&algorithm)?)
            .with_digits(Digits::new(u64::from(digits))?)
            .with_period(Period::new(u64::from(period))?);
        c.set_issuer(issuer);
        c.set_account_name(account_name);
        Ok(TotpConfig(c))
    }

    /// The configuration of a login payload's `totp` object (wire JSON).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Self, InkboxError> {
        Ok(TotpConfig(CoreTotp::from_json(&Zeroizing::new(json))?))
    }

    /// Parses an `otpauth://totp/` URI.
    #[uniffi::constructor]
    pub fn from_uri(uri: String) -> Result<Self, InkboxError> {
        Ok(TotpConfig(totp::parse_uri(&Zeroizing::new(uri))?))
    }

    /// The code at `nowUnix` (default: now).
    #[uniffi::method(default(now_unix = None))]
    pub fn generate(&self, now_unix: Option<u64>) -> Result<TotpCode, InkboxError> {
        Ok(self.0.generate(now_unix.unwrap_or_else(now_secs))?.into())
    }

    /// Whether `code` is valid at `nowUnix` (default: now), `window`
    /// periods either side.
    #[uniffi::method(default(now_unix = None, window = 1))]
    pub fn verify(&self, code: String, now_unix: Option<u64>, window: u8) -> Result<bool, InkboxError> {
        Ok(self.0.verify(&code, now_unix.unwrap_or_else(now_secs), window)?.is_some())
    }

    /// The base32 secret, as stored.
    pub fn secret(&self) -> String {
        self.0.secret().to_owned()
    }
    /// `sha1`, `sha256` or `sha512`.
    pub fn algorithm(&self) -> String {
        self.0.algorithm().as_str().to_owned()
    }
    pub fn digits(&self) -> u32 {
        self.0.digits().get()
    }
    /// The period in seconds.
    pub fn period(&self) -> u64 {
        self.0.period().as_secs()
    }
    pub fn issuer(&self) -> Option<String> {
        self.0.issuer().map(str::to_owned)
    }
    pub fn account_name(&self) -> Option<String> {
        self.0.account_name().map(str::to_owned)
    }
    /// The configuration as an `otpauth://totp/` URI.
    pub fn to_uri(&self) -> String {
        self.0.to_uri()
    }
}
