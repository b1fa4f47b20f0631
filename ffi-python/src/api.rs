//! Every API operation by name: `prepare` builds the request, `parse` and
//! `parse_page` turn the response into Python objects, `Retrier` decides
//! retries. The Python runtime (`inkbox._runtime`) sends the requests.

use getrandom::SysRng;
use inkbox_core::api::catalog::Paging;
use inkbox_core::api::dynamic::{self, DynParseError};
use inkbox_core::api::error::parse_detail;
use inkbox_core::api::{
    ApiError, BaseUrl, Detail, ErrorKind, Method, PreparedRequest, Request, Response, RetryAfter, RetryDecision,
    RetryOutcome, RetryPolicy, TransportErrorKind,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use serde_json::Value;

use crate::convert::{json_to_py, to_wire_json, utf8_of};
use crate::errors::{ApiResult as _, api_to_py, guard};
use crate::pyser::{Ctx, MapHint, PySer};

// ---------------------------------------------------------------- helpers

/// `args` (a dict or None) as JSON.
fn args_json(args: Option<&Bound<'_, PyAny>>) -> PyResult<Value> {
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

fn status_arg(status: i64) -> PyResult<u16> {
    u16::try_from(status)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| PyValueError::new_err("status must be an HTTP status code (100-999)"))
}

/// What a top-level map of `op` is (models with flattened members, and
/// whoami, serialize as maps without a type name).
fn map_hint(op: &str) -> Option<MapHint> {
    Some(match op {
        "mail.messages.get" => MapHint::Model("MessageDetail"),
        "phone.calls.place" => MapHint::Model("PhoneCallWithRateLimit"),
        "vault.secrets.get" => MapHint::Model("VaultSecretDetail"),
        "whoami.get" => MapHint::Whoami,
        _ => return None,
    })
}

/// Core's parse of `op`, serialized into Python objects.
fn parse_response<'py>(py: Python<'py>, op: &str, resp: &Response<'_>) -> PyResult<Bound<'py, PyAny>> {
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
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Py<PyBytes>>,
    retry_safe: bool,
    timeout_ms: Option<u64>,
}

impl PyPrepared {
    pub(crate) fn new(py: Python<'_>, prepared: PreparedRequest, retry_safe: bool) -> Self {
        let PreparedRequest { method, url, headers, body, timeout_ms } = prepared;
        PyPrepared { method, url, headers, body: body.map(|b| PyBytes::new(py, &b).unbind()), retry_safe, timeout_ms }
    }
}

#[pymethods]
impl PyPrepared {
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
) -> Result<(PreparedRequest, bool), ApiError> {
    let mut req: Request = dynamic::build(op, args)?;
    if let Some(key) = idempotency_key
        && req.method == Method::Post
    {
        req.set_idempotency_key(key)?;
    }
    let base = BaseUrl::parse(base_url)?;
    let prepared = req.prepare(&base, api_key)?;
    Ok((prepared, req.is_retry_safe()))
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
    api_key: Option<&str>,
    idempotency_key: Option<&str>,
) -> PyResult<PyPrepared> {
    guard(py, || {
        let args = args_json(args)?;
        let (prepared, retry_safe) = build_prepared(op, &args, base_url, api_key, idempotency_key).api_err(py)?;
        Ok(PyPrepared::new(py, prepared, retry_safe))
    })
}

// ------------------------------------------------------------------ parse

/// Parses the response of `op` into Python objects (registered model
/// classes, dicts, lists, scalars); an error status or an undecodable body
/// raises the typed exception.
#[pyfunction]
pub(crate) fn parse<'py>(
    py: Python<'py>,
    op: &str,
    status: i64,
    headers: &Bound<'py, PyAny>,
    body: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let headers = headers_arg(headers)?;
        let resp = Response::new(status_arg(status)?, &headers, body);
        parse_response(py, op, &resp)
    })
}

/// The `_d` dict of a registered model object, or the object itself.
fn fields_of<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if obj.is_instance_of::<PyDict>() {
        return Ok(obj.clone());
    }
    obj.getattr(intern!(obj.py(), "_d"))
}

/// The page summary core's pager needs (item count, `has_more`,
/// `next_cursor`), read back from the parsed Python page.
fn page_summary<'py>(paging: Paging, page: &Bound<'py, PyAny>) -> PyResult<Value> {
    let py = page.py();
    Ok(match paging {
        Paging::Cursor => {
            let fields = fields_of(page)?;
            let get = |k: &Bound<'py, PyString>| -> PyResult<Option<Bound<'py, PyAny>>> {
                match fields.cast::<PyDict>() {
                    Ok(d) => d.get_item(k),
                    Err(_) => Ok(None),
                }
            };
            let items = get(intern!(py, "items"))?.is_some_and(|i| i.is_instance_of::<PyList>());
            let has_more = get(intern!(py, "has_more"))?.map(|v| v.is_truthy()).transpose()?.unwrap_or(false);
            let next_cursor = match get(intern!(py, "next_cursor"))? {
                Some(c) if !c.is_none() => Value::String(c.extract::<String>()?),
                _ => Value::Null,
            };
            let items = if items { Value::Array(Vec::new()) } else { Value::Null };
            serde_json::json!({"items": items, "has_more": has_more, "next_cursor": next_cursor})
        }
        Paging::Offset => match page.cast::<PyList>() {
            Ok(list) => Value::Array(vec![Value::Null; list.len()]),
            Err(_) => Value::Null,
        },
        Paging::None | Paging::Limit => Value::Null,
    })
}

/// `(parse(...), next_args)`: the page and the arguments of the next page
/// (`None` after the last one).
#[pyfunction]
pub(crate) fn parse_page<'py>(
    py: Python<'py>,
    op: &str,
    args: Option<&Bound<'py, PyAny>>,
    status: i64,
    headers: &Bound<'py, PyAny>,
    body: &[u8],
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    guard(py, || {
        let args = args_json(args)?;
        let headers = headers_arg(headers)?;
        let resp = Response::new(status_arg(status)?, &headers, body);
        let page = parse_response(py, op, &resp)?;
        let paging = dynamic::operation(op).map_or(Paging::None, |o| o.paging);
        let next = match paging {
            Paging::None | Paging::Limit => None,
            Paging::Cursor | Paging::Offset => {
                dynamic::next_page_args(op, &args, &page_summary(paging, &page)?).api_err(py)?
            }
        };
        let next = match next {
            Some(v) => json_to_py(py, &v)?,
            None => py.None().into_bound(py),
        };
        Ok((page, next))
    })
}

// ---------------------------------------------------------------- retries

/// The retry decisions of one logical call (core's policy; jitter from the
/// operating system's CSPRNG). The caller sleeps.
#[pyclass(module = "inkbox._native", name = "Retrier")]
pub(crate) struct PyRetrier(inkbox_core::api::Retrier);

fn ms_to_secs(decision: RetryDecision) -> Option<f64> {
    match decision {
        // Delays are at most minutes: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        RetryDecision::RetryAfterMs(ms) => Some(ms as f64 / 1000.0),
        RetryDecision::Stop => None,
    }
}

#[pymethods]
impl PyRetrier {
    #[new]
    #[pyo3(signature = (max_attempts=3, base_delay_ms=500, max_delay_ms=8000, max_retry_after_ms=60000, retry_safe=true))]
    fn new(
        max_attempts: u32,
        base_delay_ms: u64,
        max_delay_ms: u64,
        max_retry_after_ms: u64,
        retry_safe: bool,
    ) -> Self {
        let policy = RetryPolicy { max_attempts, base_delay_ms, max_delay_ms, max_retry_after_ms };
        PyRetrier(inkbox_core::api::Retrier::with_safety(policy, retry_safe))
    }

    /// Seconds to sleep before sending the same request again, or `None`:
    /// stop and hand the response to `parse`. `body` (optional) lets a 429
    /// `sender_rate_limited` (a 24 h window) stop at once.
    #[pyo3(signature = (status, headers, now_unix, body=None))]
    fn on_response(
        &mut self,
        py: Python<'_>,
        status: i64,
        headers: &Bound<'_, PyAny>,
        now_unix: f64,
        body: Option<&[u8]>,
    ) -> PyResult<Option<f64>> {
        guard(py, || {
            let headers = headers_arg(headers)?;
            let status = status_arg(status)?;
            let retry_after = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("retry-after"))
                .and_then(|(_, v)| RetryAfter::parse(v));
            let detail = body.map(parse_detail);
            let kind = match detail.as_ref().and_then(Detail::error_code) {
                Some("sender_rate_limited") => ErrorKind::SenderRateLimited,
                _ => ErrorKind::from_status(status),
            };
            let outcome = RetryOutcome::Status { status, retry_after, kind: Some(&kind) };
            let now = if now_unix.is_finite() { now_unix as i64 } else { 0 };
            Ok(ms_to_secs(self.0.decide(outcome, now, &mut SysRng)))
        })
    }

    /// Seconds to sleep before trying again after a transport failure
    /// (`"connect"`, `"timeout"` or `"other"`), or `None`: give up.
    fn on_error(&mut self, py: Python<'_>, kind: &str) -> PyResult<Option<f64>> {
        guard(py, || {
            let kind = match kind {
                "connect" => TransportErrorKind::Connect,
                "timeout" => TransportErrorKind::Timeout,
                "interrupted" => TransportErrorKind::Interrupted,
                "other" => TransportErrorKind::Other,
                _ => return Err(PyValueError::new_err("kind must be 'connect', 'timeout' or 'other'")),
            };
            Ok(ms_to_secs(self.0.decide(RetryOutcome::Transport(kind), 0, &mut SysRng)))
        })
    }

    /// Attempts recorded so far.
    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts()
    }

    fn __repr__(&self) -> String {
        format!("Retrier(attempts={})", self.0.attempts())
    }
}
