//! Webhook verification and signing, TOTP, and the name rules: thin
//! conversions over `inkbox_core::{webhook, totp}` and `api::{validate, tunnels}`.

use inkbox_core::ErrorCode as _;
use inkbox_core::api::{tunnels, validate};
use inkbox_core::totp::{self, TotpConfig};
use inkbox_core::webhook::{self, VerifyOptions};
use napi::bindgen_prelude::Buffer;
use napi::{Env, JsString, Unknown};
use napi_derive::napi;
use zeroize::Zeroizing;

use crate::call::{header_pairs, num, whole};
use crate::errors::{Fail, NResult as Result, guard};

/// Core's verification over header pairs: `None` when the delivery verifies,
/// else the refusal's code.
fn verify_result<N: AsRef<[u8]>, V: AsRef<[u8]>>(
    payload: &[u8],
    headers: &[(N, V)],
    secrets: &[Zeroizing<String>],
    now: u64,
    options: &VerifyOptions,
) -> std::result::Result<Option<&'static str>, Fail> {
    match webhook::verify(headers.iter(), payload, secrets, now, options) {
        Ok(_) => Ok(None),
        // A misconfigured receiver (no secret, an empty one) is an error;
        // a refused delivery is an answer.
        Err(e) if e.is_configuration() => Err(Fail::from(e)),
        Err(e) => Ok(Some(e.code())),
    }
}

/// The strict options with the caller's freshness window (`None`: no check).
fn strict(tolerance_secs: Option<f64>) -> std::result::Result<VerifyOptions, Fail> {
    let mut options = VerifyOptions::strict();
    options.tolerance_secs = tolerance_secs.map(|t| whole(t, "toleranceSeconds")).transpose()?;
    Ok(options)
}

/// Why a delivery is refused (a `webhook.*` code), or null when it verifies:
/// strict checks (freshness within `toleranceSecs` of `nowSecs` when not null,
/// every Inkbox header present), any of `secrets` may have signed it.
#[napi]
pub fn verify_webhook(
    payload: Buffer,
    headers: Vec<String>,
    secrets: Vec<String>,
    tolerance_secs: Option<f64>,
    now_secs: f64,
) -> Result<Option<&'static str>> {
    guard(|| {
        let secrets: Vec<Zeroizing<String>> = secrets.into_iter().map(Zeroizing::new).collect();
        let headers = header_pairs(headers)?;
        verify_result(&payload, &headers, &secrets, whole(now_secs, "now")?, &strict(tolerance_secs)?)
    })
}

/// `verifyWebhook` with fewer crossings: the payload as a byte view and the
/// `X-Inkbox-*` headers packed into one string, each name and value ended
/// by a NUL (`"x-inkbox-signature\0sha256=…\0x-inkbox-request-id\0…\0"`).
/// What the JS `verifyWebhook` calls.
#[napi]
pub fn verify_webhook_packed(
    payload: &[u8],
    headers: String,
    secret: String,
    tolerance_secs: Option<f64>,
    now_secs: f64,
) -> Result<Option<&'static str>> {
    guard(|| {
        let Some(body) = headers.strip_suffix('\0').or(headers.is_empty().then_some("")) else {
            return Err(Fail::invalid("headers", "must be NUL-terminated names and values"));
        };
        let mut parts = body.split('\0');
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if !body.is_empty() {
            while let Some(name) = parts.next() {
                let value = parts.next().ok_or_else(|| Fail::invalid("headers", "a header name without a value"))?;
                pairs.push((name, value));
            }
        }
        let secrets = [Zeroizing::new(secret)];
        verify_result(payload, &pairs, &secrets, whole(now_secs, "now")?, &strict(tolerance_secs)?)
    })
}

/// A header value's bytes. Read as UTF-16, whose length V8 knows without a
/// scan (UTF-8 needs one pass to size and another to encode); an ASCII value
/// (every real one) narrows unit by unit, anything else is its UTF-8, which
/// core then refuses as a non-ASCII header.
fn header_value(value: JsString<'_>) -> napi::Result<Vec<u8>> {
    let units = value.into_utf16()?;
    let units = units.as_slice().split_last().map_or(&[][..], |(_nul, text)| text);
    if units.iter().all(|&u| u < 0x80) {
        // Each unit is below 0x80: an ASCII byte.
        #[allow(clippy::cast_possible_truncation)]
        Ok(units.iter().map(|&u| u as u8).collect())
    } else {
        Ok(String::from_utf16_lossy(units).into_bytes())
    }
}

/// `verifyWebhook` for the common delivery: the three `X-Inkbox-*` values
/// (each `null` when absent) already picked out by the caller, one secret.
/// Core sees them as the lower-case headers they came from.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn verify_webhook_parts(
    payload: &[u8],
    signature: Option<JsString<'_>>,
    request_id: Option<JsString<'_>>,
    timestamp: Option<JsString<'_>>,
    secret: String,
    tolerance_secs: Option<f64>,
    now_secs: f64,
) -> Result<Option<&'static str>> {
    guard(|| {
        let read = |v: Option<JsString<'_>>| v.map(header_value).transpose();
        let pairs = [
            ("x-inkbox-signature", read(signature)?),
            ("x-inkbox-request-id", read(request_id)?),
            ("x-inkbox-timestamp", read(timestamp)?),
        ];
        let present: Vec<(&str, &[u8])> = pairs.iter().filter_map(|(n, v)| v.as_deref().map(|v| (*n, v))).collect();
        let secrets = [Zeroizing::new(secret)];
        verify_result(payload, &present, &secrets, whole(now_secs, "now")?, &strict(tolerance_secs)?)
    })
}

/// Decides as the official TypeScript SDK does (no freshness check, absent
/// ids signed as empty), without its throw on a signature of another length.
#[napi]
pub fn verify_webhook_compat(payload: Buffer, headers: Vec<String>, secret: String) -> Result<bool> {
    guard(|| {
        let secrets = [Zeroizing::new(secret)];
        let headers = header_pairs(headers)?;
        Ok(verify_result(&payload, &headers, &secrets, 0, &VerifyOptions::compat())?.is_none())
    })
}

/// The three headers of a signed delivery: `{"x-inkbox-signature", "x-inkbox-request-id", "x-inkbox-timestamp"}`.
#[napi(ts_return_type = "Record<string, string>")]
pub fn sign_webhook<'e>(
    env: &Env,
    payload: Buffer,
    secret: String,
    request_id: String,
    timestamp: String,
) -> Result<Unknown<'e>> {
    guard(|| {
        let secret = Zeroizing::new(secret);
        let signed = webhook::sign_raw(secret.as_bytes(), &request_id, &timestamp, &payload)?;
        let mut map = serde_json::Map::new();
        for (name, value) in signed.headers() {
            map.insert(name.to_ascii_lowercase(), value.into());
        }
        Ok(env.to_js_value(&serde_json::Value::Object(map))?)
    })
}

fn config(json: &str) -> std::result::Result<TotpConfig, Fail> {
    Ok(TotpConfig::from_json(json)?)
}

/// The TOTP code of `configJson` (wire JSON: secret, algorithm, digits, period) at `nowSecs`.
#[napi(ts_return_type = "{ code: string; periodStart: number; periodEnd: number; secondsRemaining: number }")]
pub fn generate_totp<'e>(env: &Env, config_json: String, now_secs: f64) -> Result<Unknown<'e>> {
    guard(|| {
        let c = config(&Zeroizing::new(config_json))?.generate(whole(now_secs, "now")?)?;
        let v = serde_json::json!({
            "code": c.code.as_str(), "periodStart": num(c.period_start), "periodEnd": num(c.period_end),
            "secondsRemaining": num(c.seconds_remaining),
        });
        Ok(env.to_js_value(&v)?)
    })
}

/// Whether `code` is valid at `nowSecs`, `window` periods either side.
#[napi]
pub fn verify_totp(config_json: String, code: String, now_secs: f64, window: u32) -> Result<bool> {
    guard(|| {
        let window = u8::try_from(window).map_err(|_| Fail::invalid("window", "must be at most 255"))?;
        Ok(config(&Zeroizing::new(config_json))?.verify(&code, whole(now_secs, "now")?, window)?.is_some())
    })
}

/// A TOTP configuration as the official SDK shapes it.
#[napi(object)]
#[derive(Debug)]
pub struct TotpConfigJs {
    pub secret: String,
    pub algorithm: String,
    pub digits: u32,
    pub period: u32,
    pub issuer: Option<String>,
    pub account_name: Option<String>,
}

/// An `otpauth://totp/` URI as a TOTPConfig.
#[napi]
pub fn parse_totp_uri(uri: String) -> Result<TotpConfigJs> {
    guard(|| {
        let uri = Zeroizing::new(uri);
        let c = totp::parse_uri(&uri)?;
        Ok(TotpConfigJs {
            secret: c.secret().to_owned(),
            algorithm: c.algorithm().as_str().to_owned(),
            digits: c.digits().get(),
            period: u32::try_from(c.period().as_secs()).unwrap_or(u32::MAX),
            issuer: c.issuer().map(str::to_owned),
            account_name: c.account_name().map(str::to_owned),
        })
    })
}

/// `parseTotpUri` in one string, which JS slices into the object (one
/// string crosses instead of an object built property by property):
/// `"{digits},{period},{n_secret},{n_algorithm},{n_issuer},{n_account};"`
/// then the secret, algorithm, issuer and account name back to back, each
/// `n` counted in UTF-16 code units, -1 for an absent issuer or account.
#[napi]
pub fn parse_totp_uri_packed(uri: String) -> Result<String> {
    guard(|| {
        let uri = Zeroizing::new(uri);
        let c = totp::parse_uri(&uri)?;
        let units = |s: Option<&str>| s.map_or(-1, |s| i64::try_from(s.encode_utf16().count()).unwrap_or(i64::MAX));
        let (secret, algorithm) = (c.secret(), c.algorithm().as_str());
        let (issuer, account) = (c.issuer(), c.account_name());
        let mut out = format!(
            "{},{},{},{},{},{};",
            c.digits().get(),
            c.period().as_secs(),
            units(Some(secret)),
            units(Some(algorithm)),
            units(issuer),
            units(account),
        );
        out.reserve(secret.len() + algorithm.len() + issuer.map_or(0, str::len) + account.map_or(0, str::len));
        out.push_str(secret);
        out.push_str(algorithm);
        out.push_str(issuer.unwrap_or(""));
        out.push_str(account.unwrap_or(""));
        Ok(out)
    })
}

/// The TOTP code of the configuration given field by field at `nowSecs`
/// (the fast path of `generateTotp`; the period boundaries are arithmetic
/// the caller does).
#[napi]
pub fn totp_code(secret: String, algorithm: String, digits: u32, period: u32, now_secs: f64) -> Result<String> {
    guard(|| {
        let secret = Zeroizing::new(secret);
        let config = TotpConfig::new(secret.as_str())?
            .with_algorithm(totp::Algorithm::from_config_name(&algorithm)?)
            .with_digits(totp::Digits::new(u64::from(digits))?)
            .with_period(totp::Period::new(u64::from(period))?);
        Ok(config.generate(whole(now_secs, "now")?)?.code.as_str().to_owned())
    })
}

/// Checks an agent handle (core's rules); throws `InkboxValidationError`.
#[napi]
pub fn validate_agent_handle(handle: String) -> Result<()> {
    guard(|| Ok(validate::handle("agentHandle", &handle)?))
}

/// The handle as the service stores it.
#[napi]
pub fn normalize_agent_handle(handle: String) -> String {
    validate::normalize_handle(&handle)
}

/// Checks a tunnel name (core's rules); throws `InkboxValidationError`.
#[napi]
pub fn validate_tunnel_name(name: String) -> Result<()> {
    guard(|| Ok(tunnels::validate_tunnel_name(&name)?))
}
