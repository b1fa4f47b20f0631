//! Every API operation by name: `prepare` builds the request, `parse` turns
//! the response into JS values (the wire JSON, straight from core's parser
//! through napi's serde serializer), `Call` runs one call on core's call
//! engine (timeouts, idempotency keys, retries). The JS runtime moves the
//! bytes and sleeps.

use std::fmt;

use getrandom::SysRng;
use inkbox_core::api::dynamic::{self, DynParseError};
use inkbox_core::api::{
    ApiError, BaseUrl, Call as CoreCall, CallOptions as CoreCallOptions, Finished, Method, Operation, PreparedRequest,
    Request, Response, RetryPolicy, Step, TransportErrorKind,
};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::errors::{Fail, NResult as Result, guard};

// ---------------------------------------------------------------- helpers

/// `argsJson` (the JSON of core's `dynamic::build` arguments) as a value;
/// `null` for none. The text may hold secrets: it is never quoted.
pub(crate) fn args_value(args_json: Option<&str>) -> Result<Value, Fail> {
    match args_json {
        None => Ok(Value::Null),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Fail::invalid("args", format!("not valid JSON (line {}, column {})", e.line(), e.column()))),
    }
}

/// Header pairs from a flat list `[name0, value0, name1, value1, ...]`.
pub(crate) fn header_pairs(flat: Vec<String>) -> Result<Vec<(String, String)>, Fail> {
    if !flat.len().is_multiple_of(2) {
        return Err(Fail::invalid("headers", "must be a flat list of names and values (even length)"));
    }
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(n), Some(v)) = (it.next(), it.next()) {
        out.push((n, v));
    }
    Ok(out)
}

/// An HTTP status from a JS number.
pub(crate) fn status_arg(status: u32) -> Result<u16, Fail> {
    u16::try_from(status)
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| Fail::invalid("status", "must be an HTTP status code (100-599)"))
}

/// A non-negative whole number of milliseconds (or seconds) from a JS number.
pub(crate) fn whole(value: f64, name: &str) -> Result<u64, Fail> {
    if value.is_finite() && (0.0..=9_007_199_254_740_991.0).contains(&value) {
        // Checked finite, non-negative and within 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value.floor() as u64)
    } else {
        Err(Fail::invalid(name, "must be a finite, non-negative number no larger than 2^53"))
    }
}

/// A u64 as a JS number (exact up to 2^53; delays and timeouts are far below).
#[allow(clippy::cast_precision_loss)]
pub(crate) fn num(v: u64) -> f64 {
    v as f64
}

// ---------------------------------------------------------------- prepare

/// A request ready to send: exactly what goes on the wire.
#[napi]
#[derive(Clone)]
pub struct Prepared {
    operation: &'static Operation,
    request: PreparedRequest,
    retry_safe: bool,
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values (the API key), the body (secrets) and the query
        // (vault.unlock carries an auth hash there) are never shown.
        let path = self.request.url.split_once('?').map_or(self.request.url.as_str(), |(p, _)| p);
        let names: Vec<&str> = self.request.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Prepared")
            .field("operation", &self.operation.name)
            .field("method", &self.request.method.as_str())
            .field("path", &path)
            .field("header_names", &names)
            .field("body_len", &self.request.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl Prepared {
    pub(crate) fn new(operation: &'static Operation, request: PreparedRequest, retry_safe: bool) -> Self {
        Prepared { operation, request, retry_safe }
    }
}

#[napi]
impl Prepared {
    /// The operation's name, e.g. `mail.messages.send`.
    #[napi(getter)]
    pub fn operation(&self) -> &'static str {
        self.operation.name
    }

    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    #[napi(getter)]
    pub fn method(&self) -> &'static str {
        self.request.method.as_str()
    }

    /// The absolute URL.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.request.url.clone()
    }

    /// Every header, authentication included, flat: `[name0, value0, ...]`.
    #[napi(getter)]
    pub fn headers(&self) -> Vec<String> {
        self.request.headers.iter().flat_map(|(n, v)| [n.clone(), v.clone()]).collect()
    }

    /// The body, or `null` when none is sent.
    #[napi(getter)]
    pub fn body(&self) -> Option<Buffer> {
        self.request.body.as_ref().map(|b| Buffer::from(b.clone()))
    }

    /// `true` when sending it again cannot duplicate an effect (GET, or a
    /// request with an idempotency key).
    #[napi(getter)]
    pub fn retry_safe(&self) -> bool {
        self.retry_safe
    }

    /// A timeout this operation needs beyond the client's default, in ms.
    #[napi(getter)]
    pub fn timeout_ms(&self) -> Option<f64> {
        self.request.timeout_ms.map(num)
    }
}

fn build_prepared(
    op: &str,
    args: &Value,
    base_url: &str,
    api_key: Option<&str>,
) -> Result<(PreparedRequest, &'static Operation, bool), ApiError> {
    let req: Request = dynamic::build(op, args)?;
    let base = BaseUrl::parse(base_url)?;
    let prepared = req.prepare(&base, api_key)?;
    Ok((prepared, req.operation, req.is_retry_safe()))
}

/// Builds the request of operation `op` from `argsJson` (`{"path", "query",
/// "body", "api_key"}`), joined to `baseUrl` with the API key.
#[napi]
pub fn prepare(op: String, args_json: Option<String>, base_url: String, api_key: Option<String>) -> Result<Prepared> {
    let args_json = args_json.map(Zeroizing::new);
    let api_key = api_key.map(Zeroizing::new);
    guard(|| {
        let args = args_value(args_json.as_deref().map(String::as_str))?;
        let (prepared, operation, retry_safe) =
            build_prepared(&op, &args, &base_url, api_key.as_deref().map(String::as_str))?;
        Ok(Prepared::new(operation, prepared, retry_safe))
    })
}

/// The name of every operation `prepare`, `Call` and `parseJson` accept, in
/// core's table order.
#[napi]
pub fn operations() -> Vec<&'static str> {
    dynamic::operations().map(|o| o.name).collect()
}

// ------------------------------------------------------------------ parse

/// Parses the response of `op` with core and answers the parsed model as
/// JSON text (the wire's names and forms; `null` for an operation without
/// a result): the JS side reads it with `JSON.parse`, which builds objects
/// faster than property-by-property conversion across N-API. An error
/// status or an undecodable body throws.
#[napi]
pub fn parse_json(op: String, status: u32, headers: Vec<String>, body: Buffer) -> Result<String> {
    guard(|| {
        let headers = header_pairs(headers)?;
        let resp = Response::new(status_arg(status)?, &headers, &body);
        parse_to_json(&op, &resp)
    })
}

/// Core's parse of `op` as JSON text.
pub(crate) fn parse_to_json(op: &str, resp: &Response<'_>) -> std::result::Result<String, Fail> {
    let mut out = Vec::with_capacity(resp.body.len() + 64);
    let mut ser = serde_json::Serializer::new(&mut out);
    dynamic::parse_into(op, resp, &mut ser).map_err(|e| match e {
        DynParseError::Api(e) => Fail::from(e),
        DynParseError::Serialize(e) => {
            Fail::new("InkboxInternalError", "internal.serialize", format!("could not write the parsed value: {e}"))
        }
    })?;
    String::from_utf8(out)
        .map_err(|_| Fail::new("InkboxInternalError", "internal.serialize", "the parsed value is not UTF-8"))
}

// ------------------------------------------------------------------ calls

/// How a client's calls behave: retry bounds and the default timeout.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct CallOptions {
    pub timeout_ms: f64,
    pub max_attempts: u32,
    pub base_delay_ms: f64,
    pub max_delay_ms: f64,
    pub max_retry_after_ms: f64,
}

impl CallOptions {
    fn to_core(self) -> Result<CoreCallOptions, Fail> {
        let timeout_ms = whole(self.timeout_ms, "timeoutMs")?;
        if timeout_ms == 0 || timeout_ms > 86_400_000 {
            return Err(Fail::invalid("timeoutMs", "must be a positive number of ms (at most a day)"));
        }
        if self.max_attempts == 0 {
            return Err(Fail::invalid("maxAttempts", "must be at least 1"));
        }
        let policy = RetryPolicy {
            max_attempts: self.max_attempts,
            base_delay_ms: whole(self.base_delay_ms, "baseDelayMs")?,
            max_delay_ms: whole(self.max_delay_ms, "maxDelayMs")?,
            max_retry_after_ms: whole(self.max_retry_after_ms, "maxRetryAfterMs")?,
        };
        Ok(CoreCallOptions { policy, default_timeout_ms: timeout_ms })
    }
}

/// What `Call.step()` tells the runner to do.
const STEP_SEND: u32 = 0;
const STEP_SLEEP: u32 = 1;
const STEP_DONE: u32 = 2;
const STEP_FAILED: u32 = 3;

/// 16 bytes from the operating system's CSPRNG (an idempotency key).
fn key_random() -> Result<[u8; 16], ApiError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| ApiError::transport(TransportErrorKind::Other, "no randomness"))?;
    Ok(b)
}

/// One logical call driven by core's call engine: the runner asks `step()`
/// and sends, sleeps or stops as told; core mints the idempotency key,
/// chooses the timeout, classifies every response and decides the retries.
#[napi]
pub struct Call {
    call: CoreCall,
    request: Prepared,
    sleep_ms: u64,
    error_json: Option<String>,
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.call.operation().name)
            .field("attempts", &self.call.attempts())
            .finish_non_exhaustive()
    }
}

impl Call {
    fn from_call(call: CoreCall) -> Self {
        let request = Prepared::new(call.operation(), call.request().clone(), call.is_retry_safe());
        Call { call, request, sleep_ms: 0, error_json: None }
    }
}

#[napi]
impl Call {
    /// A call of operation `op` with `argsJson`. A POST gets an idempotency
    /// key unless `idempotentPost` is false (then it is sent once).
    #[napi(constructor)]
    pub fn new(
        op: String,
        args_json: Option<String>,
        base_url: String,
        api_key: Option<String>,
        options: CallOptions,
        idempotent_post: bool,
    ) -> Result<Self> {
        let args_json = args_json.map(Zeroizing::new);
        let api_key = api_key.map(Zeroizing::new);
        guard(|| {
            let args = args_value(args_json.as_deref().map(String::as_str))?;
            let options = options.to_core()?;
            let req = dynamic::build(&op, &args)?;
            let random = if idempotent_post && req.method == Method::Post { Some(key_random()?) } else { None };
            let call = CoreCall::new(
                req,
                &BaseUrl::parse(&base_url)?,
                api_key.as_deref().map(String::as_str),
                &options,
                random,
            )?;
            Ok(Call::from_call(call))
        })
    }

    /// A call of a request already prepared (a step of a flow).
    #[napi(factory)]
    pub fn of(request: &Prepared, options: CallOptions) -> Result<Self> {
        guard(|| {
            let options = options.to_core()?;
            let call = CoreCall::prepared(request.operation, request.request.clone(), request.retry_safe, &options);
            Ok(Call { call, request: request.clone(), sleep_ms: 0, error_json: None })
        })
    }

    /// 0: send `request` with `timeoutMs`; 1: sleep `sleepMs`; 2: done,
    /// parse the last response; 3: failed, throw from `errorJson`.
    #[napi]
    pub fn step(&mut self) -> Result<u32> {
        guard(|| {
            Ok(match self.call.step() {
                Step::Send { .. } => STEP_SEND,
                Step::Sleep { ms } => {
                    self.sleep_ms = ms;
                    STEP_SLEEP
                }
                Step::Done(Finished::Response) => STEP_DONE,
                Step::Done(Finished::Failed(err)) => {
                    self.error_json = Some(Fail::from(err.clone()).json());
                    STEP_FAILED
                }
            })
        })
    }

    /// Reports the response of the last send (`nowSecs`: the clock, for an
    /// HTTP-date `Retry-After`).
    #[napi]
    pub fn feed(&mut self, status: u32, headers: Vec<String>, body: Buffer, now_secs: f64) -> Result<()> {
        guard(|| {
            let headers = header_pairs(headers)?;
            let resp = Response::new(status_arg(status)?, &headers, &body);
            // A clock before 1970 or not finite counts as 0.
            #[allow(clippy::cast_possible_truncation)]
            let now = if now_secs.is_finite() { now_secs as i64 } else { 0 };
            self.call.on_response(&resp, now, &mut SysRng);
            Ok(())
        })
    }

    /// Reports that the last send failed: `kind` is `"connect"`,
    /// `"timeout"`, `"interrupted"` or `"other"`; `message` goes into the
    /// error (no secrets).
    #[napi(ts_args_type = "kind: \"connect\" | \"timeout\" | \"interrupted\" | \"other\", message: string")]
    pub fn fail(&mut self, kind: String, message: String) -> Result<()> {
        guard(|| {
            let kind = match kind.as_str() {
                "connect" => TransportErrorKind::Connect,
                "timeout" => TransportErrorKind::Timeout,
                "interrupted" => TransportErrorKind::Interrupted,
                "other" => TransportErrorKind::Other,
                _ => return Err(Fail::invalid("kind", "must be 'connect', 'timeout', 'interrupted' or 'other'")),
            };
            self.call.on_transport_error(kind, &message, &mut SysRng);
            Ok(())
        })
    }

    /// The request every attempt sends.
    #[napi(getter)]
    pub fn request(&self) -> Prepared {
        self.request.clone()
    }

    /// The timeout of each attempt, in ms.
    #[napi(getter)]
    pub fn timeout_ms(&self) -> f64 {
        num(self.call.timeout_ms())
    }

    /// The delay of the last step 1, in ms.
    #[napi(getter)]
    pub fn sleep_ms(&self) -> f64 {
        num(self.sleep_ms)
    }

    /// The error descriptor of the last step 3.
    #[napi(getter)]
    pub fn error_json(&self) -> Option<String> {
        self.error_json.clone()
    }

    /// The idempotency key every attempt carries, if any.
    #[napi(getter)]
    pub fn idempotency_key(&self) -> Option<String> {
        self.call.idempotency_key().map(str::to_owned)
    }

    /// Attempts reported so far.
    #[napi(getter)]
    pub fn attempts(&self) -> u32 {
        self.call.attempts()
    }
}
