//! TOTP (RFC 6238) and HOTP (RFC 4226) codes, constant-time verification,
//! the stored TOTP config and `otpauth://` URIs, with the official SDK's
//! rules.
//!
//! Generation and verification need no allocation and cannot panic: a
//! [`Totp`] holds the decoded key in a fixed, zeroized buffer and takes the
//! time as an argument. [`TotpConfig`] (the owned `login.totp` object) and
//! [`parse_uri`] need the `alloc` feature.
//!
//! # Usage
//!
//! ```
//! use inkbox_core::totp::{Algorithm, Digits, Period, Totp};
//!
//! // No allocation: a borrowed base32 secret and the parameters.
//! let totp = Totp::from_base32(
//!     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", // RFC 6238's SHA-1 seed
//!     Algorithm::Sha1,
//!     Digits::Eight,
//!     Period::Thirty,
//! )?;
//! let now = 59; // the caller supplies the clock
//! let code = totp.generate(now)?;
//! assert_eq!(code.code.as_str(), "94287082");
//! assert_eq!((code.counter, code.period_start, code.period_end), (1, 30, 60));
//! assert_eq!(code.seconds_remaining, 1);
//!
//! // Verification within ±1 step, in constant time; returns the step.
//! assert_eq!(totp.verify("94287082", now + 30, 1), Some(1));
//! assert_eq!(totp.verify("94287083", now, 1), None);
//! # Ok::<(), inkbox_core::totp::TotpError>(())
//! ```
//!
//! With `alloc`, from a URI or a stored config:
//!
//! ```
//! # #[cfg(feature = "alloc")] {
//! use inkbox_core::totp::{parse_uri, TotpConfig};
//!
//! let config = parse_uri("otpauth://totp/Example:bob?secret=JBSWY3DPEHPK3PXP&issuer=Example")?;
//! assert_eq!(config.issuer(), Some("Example"));
//! assert_eq!(config.account_name(), Some("bob"));
//! assert_eq!(parse_uri(&config.to_uri())?, config);
//!
//! // The JSON object inside a vault login payload, defaults filled in.
//! let stored = TotpConfig::from_json(r#"{"secret": "JBSWY3DPEHPK3PXP"}"#)?;
//! assert_eq!(
//!     serde_json::to_string(&stored).unwrap(),
//!     r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":6,"period":30}"#
//! );
//! let generator = stored.generator()?; // decode once, generate many
//! assert_eq!(generator.generate(0)?.code.as_str(), "282760");
//! # }
//! # Ok::<(), inkbox_core::totp::TotpError>(())
//! ```
//!
//! # Rules (the reference SDK, `inkbox` 0.4.9 for Python)
//!
//! **Codes.** `T = floor(time)`, `counter = T / period`, HMAC-SHA1/256/512 of
//! the counter as 8 big-endian bytes, RFC 4226 dynamic truncation,
//! `mod 10^digits`, zero-padded. `period_start = counter * period`,
//! `period_end = period_start + period`, `seconds_remaining = period_end - T`
//! (1 to `period`). Only 6 or 8 digits and 30 or 60 s periods exist. Times are
//! `u64` seconds; [`unix_secs_from_f64`] truncates fractional times like
//! Python's `int()`.
//!
//! **Secrets.** The key is Python's `base64.b32decode(secret.upper() + "=" *
//! (-len(secret) % 8))`: case-insensitive; total length (after padding) a
//! multiple of 8, so lengths 1, 3 and 6 (mod 8) fail; `=` only as trailing
//! padding, 0, 1, 3, 4 or 6 of them; no whitespace anywhere; leftover bits
//! after the last byte are ignored even when non-zero (`"OD"` decodes to
//! `0x70`). An empty or whitespace-only secret is its own error
//! ([`TotpError::EmptySecret`]). Python upper-cases with full Unicode rules
//! (`ſ` becomes `S`), and so does this port.
//!
//! **Stored config.** Keys `secret`, `algorithm` (exactly `sha1`, `sha256`
//! or `sha512`: `"SHA1"` is an error), `digits`, `period`, `issuer`,
//! `account_name`; missing ones take the defaults `sha1`/6/30/none. The secret
//! is kept as stored (lower case and padding stay). Serialized back in that
//! key order, `algorithm`/`digits`/`period` always written, absent
//! `issuer`/`account_name` omitted.
//!
//! **URIs** follow Python's `urlparse` + `parse_qs` as the reference calls
//! them:
//! - leading C0 controls and spaces are dropped and tab/CR/LF removed
//!   anywhere; the scheme is the text before the first `:` if it is
//!   `[A-Za-z][A-Za-z0-9+.-]*`, compared case-insensitively with `otpauth`
//!   (the error names the scheme found, or empty);
//! - the OTP type is the host after `//` (so `otpauth:totp/...` has none),
//!   after any `user@` and before any `:port`, case-insensitive: `hotp` is
//!   refused as unsupported, anything but `totp` as invalid;
//! - the label is the path without its leading `/`s, percent-decoded (`+`
//!   stays `+`); split at the first `:` into issuer prefix and account name,
//!   both stripped of whitespace, empty parts becoming none;
//! - the query is split on `&` only; fields without `=` or with an empty
//!   value are dropped; `+` means space; percent-decoding turns invalid UTF-8
//!   into U+FFFD; the first value of a repeated name wins; names are
//!   case-sensitive; unknown names and the `#fragment` are ignored;
//! - `secret` is required, upper-cased, and must decode as above;
//!   `issuer` (if non-empty) wins over the label prefix; `algorithm` is
//!   case-insensitive; `digits` and `period` are read like Python's `int()`:
//!   surrounding whitespace, a sign, `_` between digits, leading zeros and
//!   any Unicode decimal digit (`８` is 8) are accepted, then the value must be
//!   6/8 and 30/60.
//!
//! # Differences from the reference
//!
//! Deliberate, each small:
//! - The decoded key is capped at [`MAX_KEY_LEN`] (128) bytes
//!   ([`TotpError::SecretTooLong`]) so that it fits a fixed buffer.
//! - An empty issuer prefix in a URI label (`otpauth://totp/:bob`) gives no
//!   issuer; Python keeps `""`. This makes labels like `:a:b` (account `a:b`)
//!   round-trip.
//! - In a stored config, `null` for `algorithm`/`digits`/`period` means the
//!   default (Python raises; the TypeScript SDK defaults), `digits`/`period`
//!   must be JSON integers (Python would accept `6.0` and then produce a
//!   broken code), and non-string `issuer`/`account_name` are refused.
//! - Verification ([`Totp::verify`]) is an addition; the reference only
//!   generates.
//! - Tables follow CPython 3.11 / Unicode 14.0, the reference's runtime.
//!
//! Errors are typed ([`TotpError`], with stable codes) and never contain the
//! secret.

mod error;
mod generate;
mod key;
mod params;
mod pycompat;

#[cfg(feature = "alloc")]
mod config;
#[cfg(feature = "alloc")]
mod uri;

#[cfg(test)]
mod tests;

#[cfg(feature = "alloc")]
pub use config::TotpConfig;
pub use error::{TotpError, UriScheme};
pub use generate::{OtpCode, Totp, TotpCode, hotp, unix_secs_from_f64};
pub use key::{MAX_KEY_LEN, TotpKey};
pub use params::{Algorithm, Digits, Period};
#[cfg(feature = "alloc")]
pub use uri::parse_uri;
