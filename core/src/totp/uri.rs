//! `otpauth://totp/` URIs: parsing with the reference's rules and
//! serialization (`alloc`).

use alloc::string::String;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

use super::key::decode_base32;
use super::pycompat::{clean_url, py_int, py_strip, unquote, urlsplit};
use super::{Algorithm, Digits, Period, TotpConfig, TotpError, UriScheme};

/// Everything but RFC 3986 unreserved characters is escaped, so that `+`,
/// `&`, `#`, `%`, `:`, `/`, `?`, spaces and tab/CR/LF survive the parser.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Parses an `otpauth://totp/[issuer:]account?secret=...` URI (the
/// reference's `parse_totp_uri`); see the module docs for every rule.
///
/// # Errors
/// [`TotpError::InvalidUri`] where Python's `urlsplit` raises,
/// [`TotpError::InvalidUriScheme`], [`TotpError::UnsupportedOtpType`]
/// (`hotp`), [`TotpError::InvalidOtpType`], [`TotpError::MissingSecret`],
/// [`TotpError::InvalidSecret`], [`TotpError::SecretTooLong`],
/// [`TotpError::InvalidAlgorithm`], [`TotpError::InvalidDigits`],
/// [`TotpError::InvalidPeriod`], in that order of checking.
pub fn parse_uri(uri: &str) -> Result<TotpConfig, TotpError> {
    let cleaned = clean_url(uri);
    let parts = urlsplit(&cleaned).map_err(|_| TotpError::InvalidUri)?;
    if parts.scheme != "otpauth" {
        return Err(TotpError::InvalidUriScheme { found: UriScheme::new(&parts.scheme) });
    }
    match otp_type(parts.netloc) {
        Some(t) if t.eq_ignore_ascii_case("hotp") => return Err(TotpError::UnsupportedOtpType),
        Some(t) if t.eq_ignore_ascii_case("totp") => {}
        _ => return Err(TotpError::InvalidOtpType),
    }

    let label = unquote(parts.path.trim_start_matches('/'), false);
    let (label_issuer, account_name) = match label.split_once(':') {
        Some((issuer, account)) => (non_blank(issuer), non_blank(account)),
        None => (None, non_blank(&label)),
    };

    let params = Params::parse(parts.query);
    let secret = params.secret.ok_or(TotpError::MissingSecret)?;
    let secret = Zeroizing::new(secret.to_uppercase());
    decode_base32(&secret)?;
    let issuer = params.issuer.map(|i| String::from(i.as_str())).or(label_issuer);
    let algorithm = match &params.algorithm {
        None => Algorithm::Sha1,
        Some(name) => Algorithm::from_uri_name(name)?,
    };
    let digits = match &params.digits {
        None => Digits::Six,
        Some(text) => Digits::new(py_int(text).ok_or(TotpError::InvalidDigits)?)?,
    };
    let period = match &params.period {
        None => Period::Thirty,
        Some(text) => Period::new(py_int(text).ok_or(TotpError::InvalidPeriod)?)?,
    };

    let mut config =
        TotpConfig::from_checked_secret(secret).with_algorithm(algorithm).with_digits(digits).with_period(period);
    config.set_issuer(issuer);
    config.set_account_name(account_name);
    Ok(config)
}

/// Python's `urlsplit(...).hostname` before lower-casing: the netloc after
/// its last `@`, then either the text inside `[...]` or the text before the
/// first `:`; `None` when empty. (A `%zone` suffix is kept, so such a host
/// never equals `totp`.)
fn otp_type(netloc: &str) -> Option<&str> {
    let hostinfo = netloc.rsplit_once('@').map_or(netloc, |(_, host)| host);
    let host = match hostinfo.split_once('[') {
        Some((_, bracketed)) => bracketed.split_once(']').map_or(bracketed, |(h, _)| h),
        None => hostinfo.split_once(':').map_or(hostinfo, |(h, _)| h),
    };
    (!host.is_empty()).then_some(host)
}

/// Python-stripped text, or `None` when nothing is left.
fn non_blank(s: &str) -> Option<String> {
    let stripped = py_strip(s);
    (!stripped.is_empty()).then(|| String::from(stripped))
}

/// The first non-blank value of each parameter the reference reads
/// (`parse_qs` semantics).
#[derive(Default)]
struct Params {
    secret: Option<Zeroizing<String>>,
    issuer: Option<Zeroizing<String>>,
    algorithm: Option<Zeroizing<String>>,
    digits: Option<Zeroizing<String>>,
    period: Option<Zeroizing<String>>,
}

impl Params {
    /// Python's `parse_qs(query)`: fields split on `&` only; a field without
    /// `=` or with an empty raw value is dropped; names and values have `+`
    /// turned into spaces and are then percent-decoded (invalid UTF-8 becomes
    /// U+FFFD); the first kept value of a name wins; names are
    /// case-sensitive; unknown names are ignored.
    fn parse(query: &str) -> Self {
        let mut params = Self::default();
        for field in query.split('&') {
            let Some((name, value)) = field.split_once('=') else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let slot = match unquote(name, true).as_str() {
                "secret" => &mut params.secret,
                "issuer" => &mut params.issuer,
                "algorithm" => &mut params.algorithm,
                "digits" => &mut params.digits,
                "period" => &mut params.period,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(unquote(value, true));
            }
        }
        params
    }
}

impl TotpConfig {
    /// Parses an `otpauth://totp/` URI; same as [`parse_uri`].
    ///
    /// # Errors
    /// As [`parse_uri`].
    pub fn from_uri(uri: &str) -> Result<Self, TotpError> {
        parse_uri(uri)
    }

    /// Serializes to `otpauth://totp/<label>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`
    /// (Google's key URI format). The result contains the secret.
    ///
    /// The label is `issuer:account` (the issuer part left out when the issuer
    /// contains `:`; a lone leading `:` added when only the account has one),
    /// every component is percent-encoded except RFC 3986 unreserved
    /// characters, the secret is upper-cased, and `issuer` is written when
    /// non-empty.
    ///
    /// [`parse_uri`] gives back an equal config for every config it can
    /// produce itself, i.e. whenever the secret is upper case, the account
    /// name (if any) is non-empty without surrounding whitespace, and the
    /// issuer (if any) is non-empty. Other configs come back normalised
    /// that way.
    #[must_use]
    pub fn to_uri(&self) -> String {
        let issuer = self.issuer().filter(|i| !i.is_empty());
        let account = self.account_name();
        let mut uri = String::from("otpauth://totp/");
        match issuer.filter(|i| !i.contains(':')) {
            Some(prefix) => {
                uri.extend(utf8_percent_encode(prefix, COMPONENT));
                uri.push(':');
                if let Some(account) = account {
                    uri.extend(utf8_percent_encode(account, COMPONENT));
                }
            }
            None => {
                if let Some(account) = account {
                    if account.contains(':') {
                        // An empty issuer prefix, so the account keeps its `:`.
                        uri.push(':');
                    }
                    uri.extend(utf8_percent_encode(account, COMPONENT));
                }
            }
        }
        uri.push_str("?secret=");
        let secret = Zeroizing::new(self.secret().to_uppercase());
        uri.extend(utf8_percent_encode(&secret, COMPONENT));
        if let Some(issuer) = issuer {
            uri.push_str("&issuer=");
            uri.extend(utf8_percent_encode(issuer, COMPONENT));
        }
        uri.push_str("&algorithm=");
        uri.push_str(self.algorithm().uri_name());
        uri.push_str(match self.digits() {
            Digits::Six => "&digits=6",
            Digits::Eight => "&digits=8",
        });
        uri.push_str(match self.period() {
            Period::Thirty => "&period=30",
            Period::Sixty => "&period=60",
        });
        uri
    }
}
