//! Webhook verification and signing, TOTP, and the name rules: thin
//! conversions over `inkbox_core::{webhook, totp}` and `api::{validate, tunnels}`.

use inkbox_core::ErrorCode as _;
use inkbox_core::api::{tunnels, validate};
use inkbox_core::totp::{self, TotpConfig};
use inkbox_core::webhook::{self, VerifyOptions};
use napi::bindgen_prelude::Buffer;
use napi::{Env, Unknown};
use napi_derive::napi;
use zeroize::Zeroizing;

use crate::call::{header_pairs, num, whole};
use crate::errors::{Fail, NResult as Result, guard};

/// Core's verification over header pairs: `None` when the delivery verifies,
/// else the refusal's code.
fn verify_result<'h, H, S>(
    payload: &[u8],
    headers: H,
    secrets: &[S],
    now: u64,
    options: &VerifyOptions,
) -> std::result::Result<Option<&'static str>, Fail>
where
    H: IntoIterator,
    H::Item: webhook::HeaderPair<'h>,
    S: AsRef<[u8]>,
{
    match webhook::verify(headers, payload, secrets, now, options) {
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

/// Room for one string argument, in UTF-16 units (a longer one is read onto
/// the heap).
const UNITS: usize = 256;
/// Room for the narrowed bytes of every string argument of one call.
const SCRATCH: usize = 1024;

/// One string argument's bytes: in the call's scratch, or on the heap.
enum Text {
    Inline(std::ops::Range<usize>),
    Heap(Zeroizing<Vec<u8>>),
}

/// String arguments read without a heap allocation. V8 copies a string's
/// UTF-16 units (their count is known without a scan, unlike UTF-8's) into
/// `units`; an ASCII string (every real header value and secret) is narrowed
/// into `bytes`, anything else becomes its UTF-8 (lone surrogates as U+FFFD,
/// as V8 encodes them), which core then refuses as a non-ASCII header.
/// Nothing is zero-filled first: only what V8 wrote is ever read, and a
/// secret's units and bytes are wiped after use.
struct Scratch {
    units: [std::mem::MaybeUninit<u16>; UNITS],
    bytes: [std::mem::MaybeUninit<u8>; SCRATCH],
    used: usize,
    secret: std::ops::Range<usize>,
}

impl Scratch {
    fn new() -> Self {
        Self {
            units: [std::mem::MaybeUninit::uninit(); UNITS],
            bytes: [std::mem::MaybeUninit::uninit(); SCRATCH],
            used: 0,
            secret: 0..0,
        }
    }

    /// Reads `value`; `None` for `undefined` or `null`.
    fn read(
        &mut self,
        env: &Env,
        value: Unknown<'_>,
        name: &'static str,
        secret: bool,
    ) -> std::result::Result<Option<Text>, Fail> {
        use napi::JsValue as _;
        use napi::sys;
        let (env, value) = (env.raw(), value.raw());
        let unreadable = || Fail::invalid(name, "could not be read");
        let mut copied = 0usize;
        // SAFETY: `units` has room for `UNITS` units, the NUL included; V8
        // writes them and never reads them. `env` and `value` are the live
        // handles of this call.
        let status = unsafe {
            sys::napi_get_value_string_utf16(env, value, self.units.as_mut_ptr().cast(), UNITS, &raw mut copied)
        };
        if status == sys::Status::napi_string_expected {
            let mut kind = 0;
            // SAFETY: as above.
            let status = unsafe { sys::napi_typeof(env, value, &raw mut kind) };
            return if status == sys::Status::napi_ok
                && matches!(kind, sys::ValueType::napi_undefined | sys::ValueType::napi_null)
            {
                Ok(None)
            } else {
                Err(Fail::invalid(name, "must be a string"))
            };
        }
        if status != sys::Status::napi_ok || copied >= UNITS {
            return Err(unreadable());
        }
        if copied + 1 < UNITS {
            // SAFETY: V8 wrote `copied` units (below `UNITS`) from the start.
            let units = unsafe { std::slice::from_raw_parts(self.units.as_ptr().cast::<u16>(), copied) };
            let start = self.used;
            let room = self.bytes.get_mut(start..start + copied).filter(|_| units.iter().all(|&u| u < 0x80));
            let text = if let Some(room) = room {
                for (b, &u) in room.iter_mut().zip(units) {
                    // Below 0x80: an ASCII byte.
                    #[allow(clippy::cast_possible_truncation)]
                    b.write(u as u8);
                }
                self.used += copied;
                if secret {
                    self.secret = start..self.used;
                }
                Text::Inline(start..self.used)
            } else {
                Text::Heap(Zeroizing::new(String::from_utf16_lossy(units).into_bytes()))
            };
            if secret {
                for u in self.units.iter_mut().take(copied) {
                    // SAFETY: a plain store to memory this struct owns; volatile
                    // so that the wipe is not optimized away.
                    unsafe { std::ptr::write_volatile(u.as_mut_ptr(), 0) };
                }
            }
            return Ok(Some(text));
        }
        // Perhaps cut short: ask for the whole length, read it all.
        let mut total = 0usize;
        // SAFETY: a null buffer asks only for the length.
        let status = unsafe { sys::napi_get_value_string_utf16(env, value, std::ptr::null_mut(), 0, &raw mut total) };
        if status != sys::Status::napi_ok {
            return Err(unreadable());
        }
        let mut all = Zeroizing::new(vec![0u16; total + 1]);
        // SAFETY: `all` has room for `total` units and the NUL.
        let status =
            unsafe { sys::napi_get_value_string_utf16(env, value, all.as_mut_ptr(), total + 1, &raw mut copied) };
        if status != sys::Status::napi_ok {
            return Err(unreadable());
        }
        Ok(Some(Text::Heap(Zeroizing::new(String::from_utf16_lossy(all.get(..copied).unwrap_or(&all)).into_bytes()))))
    }

    /// The bytes of `text`.
    fn get<'a>(&'a self, text: &'a Text) -> &'a [u8] {
        match text {
            // SAFETY: `read` wrote every byte below `used`, and `Inline`
            // ranges lie below it.
            Text::Inline(range) => unsafe { std::slice::from_raw_parts(self.bytes.as_ptr().cast::<u8>(), self.used) }
                .get(range.clone())
                .unwrap_or(&[]),
            Text::Heap(bytes) => bytes,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for b in self.bytes.iter_mut().take(self.secret.end).skip(self.secret.start) {
            // SAFETY: as in `read`: the secret's bytes are wiped.
            unsafe { std::ptr::write_volatile(b.as_mut_ptr(), 0) };
        }
    }
}

/// The bytes of a `Uint8Array` (a `Buffer` is one), borrowed for the call.
fn byte_view<'a>(env: &Env, value: Unknown<'a>) -> std::result::Result<&'a [u8], Fail> {
    use napi::JsValue as _;
    use napi::sys;
    let (mut kind, mut len, mut data, mut offset) = (0, 0usize, std::ptr::null_mut(), 0usize);
    let mut buffer = std::ptr::null_mut();
    // SAFETY: live handles of this call; every out-pointer is a local.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env.raw(),
            value.raw(),
            &raw mut kind,
            &raw mut len,
            &raw mut data,
            &raw mut buffer,
            &raw mut offset,
        )
    };
    if status != sys::Status::napi_ok || kind != sys::TypedarrayType::uint8_array {
        return Err(Fail::invalid("payload", "must be a Buffer or Uint8Array"));
    }
    if len == 0 || data.is_null() {
        return Ok(&[]);
    }
    // SAFETY: V8 reports `data` as the view's first byte (its offset already
    // applied) and `len` bytes; an ArrayBuffer's store does not move, and the
    // view is held by the caller for this synchronous call.
    Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) })
}

/// `verifyWebhook` for the common delivery: the three `X-Inkbox-*` values
/// (each `null` when absent) already picked out by the caller, one secret.
/// Core sees them as the lower-case headers they came from. Every argument
/// is read in place or onto the stack: no heap allocation for a real delivery.
#[napi(
    ts_args_type = "payload: Uint8Array, signature: string | undefined | null, requestId: string | undefined | null, timestamp: string | undefined | null, secret: string, toleranceSecs: number | undefined | null, nowSecs?: number | undefined | null"
)]
#[allow(clippy::too_many_arguments)]
pub fn verify_webhook_parts(
    env: Env,
    payload: Unknown<'_>,
    signature: Unknown<'_>,
    request_id: Unknown<'_>,
    timestamp: Unknown<'_>,
    secret: Unknown<'_>,
    tolerance_secs: Option<f64>,
    now_secs: Option<f64>,
) -> Result<Option<&'static str>> {
    guard(|| {
        let now = match now_secs {
            Some(secs) => whole(secs, "now")?,
            // The host clock, read here: one vDSO call, cheaper than V8's `Date.now()`.
            None => u64::try_from(crate::errors::now_unix()).unwrap_or(0),
        };
        let payload = byte_view(&env, payload)?;
        let mut scratch = Scratch::new();
        let read = [
            ("x-inkbox-signature", scratch.read(&env, signature, "signature", false)?),
            ("x-inkbox-request-id", scratch.read(&env, request_id, "requestId", false)?),
            ("x-inkbox-timestamp", scratch.read(&env, timestamp, "timestamp", false)?),
        ];
        let Some(secret) = scratch.read(&env, secret, "secret", true)? else {
            return Err(Fail::invalid("secret", "must be a string"));
        };
        let present = read.iter().filter_map(|(name, text)| Some((*name, scratch.get(text.as_ref()?))));
        let secrets = [scratch.get(&secret)];
        verify_result(payload, present, &secrets, now, &strict(tolerance_secs)?)
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
