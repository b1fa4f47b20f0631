//! Every API operation by name: `prepare` builds the request, `parse` turns
//! the response into Python objects, `Call` runs one call on core's call
//! engine (timeouts, idempotency keys, retries); lists are paged by the
//! `PagerFlow` of `crate::flows`. The Python runtime (`inkbox._runtime`)
//! moves the bytes and sleeps.

use getrandom::SysRng;
use inkbox_core::api::dynamic::{self, DynParseError};
use inkbox_core::api::{
    ApiError, BaseUrl, Call, CallOptions, Finished, Method, Operation, PreparedRequest, Request, Response, RetryPolicy,
    Step, TransportErrorKind,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::args::{self, SecretStr};
use crate::convert::{to_wire_json, utf8_of};
use crate::errors::{ApiResult as _, api_to_py, guard};
use crate::pyser::{Ctx, MapHint, PySer};

// ---------------------------------------------------------------- helpers

/// `args` (a dict or None) as JSON.
pub(crate) fn args_json(args: Option<&Bound<'_, PyAny>>) -> PyResult<Value> {
    match args {
        None => Ok(Value::Null),
        Some(a) if a.is_none() => Ok(Value::Null),
        Some(a) => {
            if !a.is_instance_of::<PyDict>() {
                return Err(PyTypeError::new_err("args must be a dict or None"));
            }
            to_wire_json(a, 0)
        }
    }
}

/// Header pairs from a list of `(name, value)` tuples of `str` (or `bytes`).
pub(crate) fn headers_arg(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    fn text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(utf8_of(s)?.into_owned());
        }
        if let Ok(b) = obj.cast::<PyBytes>() {
            // Header bytes are Latin-1 on the wire (httpx's raw headers).
            return Ok(b.as_bytes().iter().map(|&c| char::from(c)).collect());
        }
        Err(PyTypeError::new_err("header names and values must be str or bytes"))
    }
    let mut out = Vec::new();
    if headers.is_none() {
        return Ok(out);
    }
    let items = match headers.cast::<PyDict>() {
        Ok(d) => d.items().into_any(),
        Err(_) => headers.clone(),
    };
    for item in items.try_iter()? {
        let item = item?;
        let pair = item.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("headers must be (name, value) pairs"))?;
        if pair.len() != 2 {
            return Err(PyTypeError::new_err("headers must be (name, value) pairs"));
        }
        out.push((text(&pair.get_item(0)?)?, text(&pair.get_item(1)?)?));
    }
    Ok(out)
}

/// What a top-level map of `op` is: the type core's parser returns when it
/// is one model (models with flattened members serialize as maps without a
/// type name); whoami picks its class from `auth_type`.
fn map_hint(op: &str) -> Option<MapHint> {
    static NAMES: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    let names = NAMES
        .get_or_init(|| dynamic::operations().filter_map(|o| Some((o.name, dynamic::result_type(o.name)?))).collect());
    let name = names.get(op)?.as_str();
    if name == "Whoami" {
        return Some(MapHint::Whoami);
    }
    let bare = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (bare && name != "String").then_some(MapHint::Model(name))
}

/// Core's parse of `op`, serialized into Python objects.
pub(crate) fn parse_response<'py>(py: Python<'py>, op: &str, resp: &Response<'_>) -> PyResult<Bound<'py, PyAny>> {
    let ctx = Ctx::new(py);
    dynamic::parse_into(op, resp, PySer::new(&ctx, map_hint(op))).map_err(|e| match e {
        DynParseError::Api(e) => api_to_py(py, e),
        DynParseError::Serialize(e) => e.0,
    })
}

// ---------------------------------------------------------------- prepare

/// A request ready to send: exactly what goes on the wire.
#[pyclass(module = "inkbox._native", name = "Prepared", frozen)]
pub(crate) struct PyPrepared {
    operation: &'static Operation,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Py<PyBytes>>,
    retry_safe: bool,
    timeout_ms: Option<u64>,
}

impl PyPrepared {
    pub(crate) fn new(
        py: Python<'_>,
        operation: &'static Operation,
        prepared: PreparedRequest,
        retry_safe: bool,
    ) -> Self {
        let PreparedRequest { method, url, headers, body, timeout_ms } = prepared;
        let body = body.map(|b| PyBytes::new(py, &b).unbind());
        PyPrepared { operation, method, url, headers, body, retry_safe, timeout_ms }
    }
}

#[pymethods]
impl PyPrepared {
    /// The operation's name, e.g. `mail.messages.send`.
    #[getter]
    fn operation(&self) -> &'static str {
        self.operation.name
    }

    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    #[getter]
    fn method(&self) -> &'static str {
        self.method.as_str()
    }

    /// The absolute URL.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// Every header, authentication included.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    /// The body, or `None` when none is sent.
    #[getter]
    fn body(&self, py: Python<'_>) -> Option<Py<PyBytes>> {
        self.body.as_ref().map(|b| b.clone_ref(py))
    }

    /// `True` when sending it again cannot duplicate an effect (GET, or a
    /// request with an idempotency key).
    #[getter]
    fn retry_safe(&self) -> bool {
        self.retry_safe
    }

    /// A timeout this operation needs beyond the client's default, in ms.
    #[getter]
    fn timeout_ms(&self) -> Option<u64> {
        self.timeout_ms
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Header values (the API key) and the body (secrets) are never shown,
        // nor the query (vault.unlock carries an auth hash there).
        let (path, query) = self.url.split_once('?').map_or((self.url.as_str(), false), |(p, _)| (p, true));
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        let url = PyString::new(py, &format!("{path}{}", if query { "?…" } else { "" })).repr()?.to_cow()?.into_owned();
        let body_len = self.body.as_ref().map(|b| b.bind(py).as_bytes().len());
        Ok(format!(
            "Prepared(method='{}', url={url}, header_names={names:?}, body_len={})",
            self.method.as_str(),
            body_len.map_or_else(|| "None".to_owned(), |n| n.to_string())
        ))
    }
}

fn build_prepared(
    op: &str,
    args: &Value,
    base_url: &str,
    api_key: Option<&str>,
    idempotency_key: Option<&str>,
) -> Result<(PreparedRequest, &'static Operation, bool), ApiError> {
    let mut req: Request = dynamic::build(op, args)?;
    if let Some(key) = idempotency_key
        && req.method == Method::Post
    {
        req.set_idempotency_key(key)?;
    }
    let base = BaseUrl::parse(base_url)?;
    let prepared = req.prepare(&base, api_key)?;
    Ok((prepared, req.operation, req.is_retry_safe()))
}

/// Builds the request of operation `op` from `args` (`{"path", "query",
/// "body", "api_key"}`), joined to `base_url` with the API key.
#[pyfunction]
#[pyo3(signature = (op, args, base_url, api_key, idempotency_key=None))]
pub(crate) fn prepare(
    py: Python<'_>,
    op: &str,
    args: Option<&Bound<'_, PyAny>>,
    base_url: &str,
    api_key: Option<SecretStr>,
    idempotency_key: Option<&str>,
) -> PyResult<PyPrepared> {
    guard(py, || {
        let api_key = SecretStr::opt_ref(api_key.as_ref(), py, "api_key")?;
        let args = args_json(args)?;
        let (prepared, operation, retry_safe) =
            build_prepared(op, &args, base_url, api_key, idempotency_key).api_err(py)?;
        Ok(PyPrepared::new(py, operation, prepared, retry_safe))
    })
}

/// The name of every operation `prepare`, `Call` and `parse` accept, in
/// core's table order.
#[pyfunction]
pub(crate) fn operations() -> Vec<&'static str> {
    dynamic::operations().map(|o| o.name).collect()
}

/// Operation name → the Rust type its parser returns, module paths dropped
/// (`Vec<PhoneNumber>`, `CursorPage<MessageRef>`, `Option<VaultInfo>`, `()`).
#[pyfunction]
pub(crate) fn result_types() -> HashMap<&'static str, String> {
    dynamic::operations().filter_map(|o| Some((o.name, dynamic::result_type(o.name)?))).collect()
}

// ------------------------------------------------------------------ parse

/// Parses the response of `op` into Python objects (registered model
/// classes, dicts, lists, scalars); an error status or an undecodable body
/// raises the typed exception.
#[pyfunction]
pub(crate) fn parse<'py>(
    py: Python<'py>,
    op: &str,
    #[pyo3(from_py_with = args::status)] status: u16,
    headers: &Bound<'py, PyAny>,
    body: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let headers = headers_arg(headers)?;
        let resp = Response::new(status, &headers, body);
        parse_response(py, op, &resp)
    })
}

// ------------------------------------------------------------------ calls

/// How a client's calls behave: retry bounds and the default timeout.
#[pyclass(module = "inkbox._native", name = "CallOptions", frozen)]
pub(crate) struct PyCallOptions(CallOptions);

#[pymethods]
impl PyCallOptions {
    #[new]
    #[pyo3(signature = (timeout=30.0, max_attempts=3, base_delay_ms=500, max_delay_ms=8000, max_retry_after_ms=60000))]
    fn new(
        timeout: f64,
        #[pyo3(from_py_with = args::max_attempts)] max_attempts: u32,
        #[pyo3(from_py_with = args::base_delay_ms)] base_delay_ms: u64,
        #[pyo3(from_py_with = args::max_delay_ms)] max_delay_ms: u64,
        #[pyo3(from_py_with = args::max_retry_after_ms)] max_retry_after_ms: u64,
    ) -> PyResult<Self> {
        if !(timeout.is_finite() && timeout > 0.0 && timeout <= 86_400.0) {
            return Err(PyValueError::new_err("timeout must be a positive number of seconds (at most a day)"));
        }
        if max_attempts == 0 {
            return Err(PyValueError::new_err("max_attempts must be at least 1"));
        }
        let policy = RetryPolicy { max_attempts, base_delay_ms, max_delay_ms, max_retry_after_ms };
        // At most a day in ms: exact, and within u64.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let default_timeout_ms = (timeout * 1000.0).round() as u64;
        Ok(PyCallOptions(CallOptions { policy, default_timeout_ms: default_timeout_ms.max(1) }))
    }

    /// The default timeout in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        ms_to_secs(self.0.default_timeout_ms)
    }

    /// Attempts in all, the first included.
    #[getter]
    fn max_attempts(&self) -> u32 {
        self.0.policy.max_attempts
    }

    fn __repr__(&self) -> String {
        let p = self.0.policy;
        format!(
            "CallOptions(timeout={}, max_attempts={}, base_delay_ms={}, max_delay_ms={}, max_retry_after_ms={})",
            ms_to_secs(self.0.default_timeout_ms),
            p.max_attempts,
            p.base_delay_ms,
            p.max_delay_ms,
            p.max_retry_after_ms
        )
    }
}

// Delays and timeouts are at most days: exact in f64.
#[allow(clippy::cast_precision_loss)]
fn ms_to_secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// What `Call.step()` tells the runner to do.
const STEP_SEND: u8 = 0;
const STEP_SLEEP: u8 = 1;
const STEP_DONE: u8 = 2;
const STEP_FAILED: u8 = 3;

/// One logical call driven by core's call engine: the runner asks `step()`
/// and sends, sleeps or stops as told; core mints the idempotency key,
/// chooses the timeout, classifies every response (body included) and
/// decides the retries.
#[pyclass(module = "inkbox._native", name = "Call")]
pub(crate) struct PyCall {
    call: Call,
    request: Py<PyPrepared>,
    timeout_s: f64,
}

impl PyCall {
    fn from_call(py: Python<'_>, call: Call) -> PyResult<Self> {
        let request = Py::new(py, PyPrepared::new(py, call.operation(), call.request().clone(), call.is_retry_safe()))?;
        let timeout_s = ms_to_secs(call.timeout_ms());
        Ok(PyCall { call, request, timeout_s })
    }
}

/// 16 bytes from the operating system's CSPRNG (an idempotency key).
fn key_random() -> Result<[u8; 16], ApiError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| ApiError::transport(TransportErrorKind::Other, "no randomness"))?;
    Ok(b)
}

#[pymethods]
impl PyCall {
    /// A call of operation `op` with `args` (`{"path", "query", "body",
    /// "api_key"}`). A POST gets an idempotency key unless `idempotent_post`
    /// is false (then it is sent once).
    #[new]
    #[pyo3(signature = (op, args, base_url, api_key, options, idempotent_post=true))]
    fn new(
        py: Python<'_>,
        op: &str,
        args: Option<&Bound<'_, PyAny>>,
        base_url: &str,
        api_key: Option<SecretStr>,
        options: &PyCallOptions,
        idempotent_post: bool,
    ) -> PyResult<Self> {
        guard(py, || {
            let api_key = SecretStr::opt_ref(api_key.as_ref(), py, "api_key")?;
            let args = args_json(args)?;
            let call = (|| {
                let req = dynamic::build(op, &args)?;
                let random = if idempotent_post && req.method == Method::Post { Some(key_random()?) } else { None };
                Call::new(req, &BaseUrl::parse(base_url)?, api_key, &options.0, random)
            })()
            .api_err(py)?;
            PyCall::from_call(py, call)
        })
    }

    /// A call of a request already prepared (a step of a vault flow).
    #[staticmethod]
    fn of(py: Python<'_>, request: Bound<'_, PyPrepared>, options: &PyCallOptions) -> PyResult<Self> {
        let r = request.get();
        let prepared = PreparedRequest {
            method: r.method,
            url: r.url.clone(),
            headers: r.headers.clone(),
            body: r.body.as_ref().map(|b| b.bind(py).as_bytes().to_vec()),
            timeout_ms: r.timeout_ms,
        };
        let call = Call::prepared(r.operation, prepared, r.retry_safe, &options.0);
        let timeout_s = ms_to_secs(call.timeout_ms());
        Ok(PyCall { call, request: request.unbind(), timeout_s })
    }

    /// `(0, request, timeout_seconds)`: send it; `(1, seconds, None)`: sleep;
    /// `(2, None, None)`: done, parse the last response; `(3, error, None)`:
    /// failed in the transport, raise `error`.
    fn step<'py>(&mut self, py: Python<'py>) -> PyResult<(u8, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let none = || py.None().into_bound(py);
        Ok(match self.call.step() {
            Step::Send { .. } => {
                (STEP_SEND, self.request.bind(py).clone().into_any(), self.timeout_s.into_pyobject(py)?.into_any())
            }
            Step::Sleep { ms } => (STEP_SLEEP, ms_to_secs(ms).into_pyobject(py)?.into_any(), none()),
            Step::Done(Finished::Response) => (STEP_DONE, none(), none()),
            Step::Done(Finished::Failed(err)) => {
                (STEP_FAILED, api_to_py(py, err.clone()).into_value(py).into_bound(py).into_any(), none())
            }
        })
    }

    /// Reports the response of the last send (`now_unix`: the clock, for an
    /// HTTP-date `Retry-After`).
    fn feed(
        &mut self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::status)] status: u16,
        headers: &Bound<'_, PyAny>,
        body: &[u8],
        now_unix: f64,
    ) -> PyResult<()> {
        guard(py, || {
            let headers = headers_arg(headers)?;
            let resp = Response::new(status, &headers, body);
            #[allow(clippy::cast_possible_truncation)]
            let now = if now_unix.is_finite() { now_unix as i64 } else { 0 };
            self.call.on_response(&resp, now, &mut SysRng);
            Ok(())
        })
    }

    /// Reports that the last send failed: `kind` is `"connect"`,
    /// `"timeout"`, `"interrupted"` or `"other"`; `message` goes into the
    /// error (no secrets).
    fn fail(&mut self, py: Python<'_>, kind: &str, message: &str) -> PyResult<()> {
        guard(py, || {
            let kind = match kind {
                "connect" => TransportErrorKind::Connect,
                "timeout" => TransportErrorKind::Timeout,
                "interrupted" => TransportErrorKind::Interrupted,
                "other" => TransportErrorKind::Other,
                _ => return Err(PyValueError::new_err("kind must be 'connect', 'timeout', 'interrupted' or 'other'")),
            };
            self.call.on_transport_error(kind, message, &mut SysRng);
            Ok(())
        })
    }

    /// The request every attempt sends.
    #[getter]
    fn request(&self, py: Python<'_>) -> Py<PyPrepared> {
        self.request.clone_ref(py)
    }

    /// The timeout of each attempt, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout_s
    }

    /// The idempotency key every attempt carries, if any.
    #[getter]
    fn idempotency_key(&self) -> Option<&str> {
        self.call.idempotency_key()
    }

    /// Attempts reported so far.
    #[getter]
    fn attempts(&self) -> u32 {
        self.call.attempts()
    }

    fn __repr__(&self) -> String {
        format!("Call(op='{}', attempts={})", self.call.operation().name, self.call.attempts())
    }
}
