//! `verify_webhook`, `verify_webhook_reason`, `sign_webhook`.

use inkbox_core::ErrorCode as _;
use inkbox_core::webhook::{self, VerifyOptions, WebhookError};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

use crate::args::{self, invalid_arg, secret_text};
use crate::convert::{bytes_or_str, unix_time};
use crate::errors::{CoreResult as _, guard, to_py};

/// Stands for a header name or value that has no UTF-8 form (a `str` with
/// lone surrogates): not printable ASCII, so core refuses it in an Inkbox
/// header and ignores it anywhere else.
const UNENCODABLE: &[u8] = b"\xff";

/// The bytes of one argument (payload, secret, header name or value), held
/// without a copy where Python allows it: `bytes` as they are, `str` through
/// its UTF-8 form (which CPython keeps with the string; no copy at all for
/// ASCII). `bytearray` and other buffers are copied, since Python code could
/// change them while core reads.
enum Held<'py> {
    Bytes(Bound<'py, PyBytes>),
    /// Read as [`UNENCODABLE`] if it has no UTF-8 form; payloads and secrets
    /// are checked before they are held this way.
    Str(Bound<'py, PyString>),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Held<'_> {
    fn as_ref(&self) -> &[u8] {
        match self {
            Self::Bytes(b) => b.as_bytes(),
            Self::Str(s) => s.to_str().map_or(UNENCODABLE, str::as_bytes),
            Self::Owned(v) => v,
        }
    }
}

/// `bytes`, `str` (its UTF-8), `bytearray` or another buffer; `Ok(None)` for
/// any other type. A `str` without a UTF-8 form is `Err(Unencodable)` for the
/// caller to map.
fn held<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Result<Held<'py>, Unencodable>>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(Ok(Held::Bytes(b.clone()))));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(match s.to_str() {
            Ok(_) => Ok(Held::Str(s.clone())),
            Err(_) => Err(Unencodable),
        }));
    }
    Ok(bytes_or_str(obj)?.map(|b| Ok(Held::Owned(b.as_ref().to_vec()))))
}

/// A `str` argument that has no UTF-8 form.
struct Unencodable;

/// A payload or secret `str` without a UTF-8 form: `InkboxValidationError`
/// naming argument `name`, with no part of the value.
fn unencodable_arg(py: Python<'_>, name: &str) -> PyErr {
    invalid_arg(py, name, "not encodable as UTF-8 (it contains a lone surrogate); the value is not shown")
}

/// The payload or one secret (argument `name`): what [`held`] takes, else a
/// `TypeError` with `what`.
fn held_arg<'py>(obj: &Bound<'py, PyAny>, name: &str, what: &'static str) -> PyResult<Held<'py>> {
    held(obj)?.ok_or_else(|| PyTypeError::new_err(what))?.map_err(|Unencodable| unencodable_arg(obj.py(), name))
}

/// A header name or value; one without a UTF-8 form reads as
/// [`UNENCODABLE`].
fn header_part<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Held<'py>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Held::Str(s.clone()));
    }
    Ok(held(obj)?
        .ok_or_else(|| PyTypeError::new_err("header names and values must be str or bytes"))?
        .unwrap_or_else(|Unencodable| Held::Owned(UNENCODABLE.to_vec())))
}

/// Whether a header name may be one of the three Inkbox header names: it
/// has one of their lengths and starts with `x`/`X`. Core does the matching
/// that counts (ASCII-case-insensitive names, repeated or invalid headers);
/// this only spares it, and the conversion of their values, the headers that
/// cannot match.
fn may_be_inkbox(name: &[u8]) -> bool {
    let lengths = [webhook::SIGNATURE_HEADER.len(), webhook::REQUEST_ID_HEADER.len(), webhook::TIMESTAMP_HEADER.len()];
    lengths.contains(&name.len()) && name.first().is_some_and(|c| c | 0x20 == b'x')
}

/// The headers handed to core: the usual three inline, any more on the heap.
#[derive(Default)]
struct Headers<'py> {
    inline: [Option<(Held<'py>, Held<'py>)>; 4],
    len: usize,
    more: Vec<(Held<'py>, Held<'py>)>,
}

impl<'py> Headers<'py> {
    fn push(&mut self, pair: (Held<'py>, Held<'py>)) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = Some(pair);
                self.len += 1;
            }
            None => self.more.push(pair),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(Held<'py>, Held<'py>)> {
        self.inline.iter().flatten().chain(&self.more)
    }
}

/// A `str` or `bytes` header name or value held as it is (no new
/// reference); anything else is handed back.
fn str_or_bytes(obj: Bound<'_, PyAny>) -> Result<Held<'_>, Bound<'_, PyAny>> {
    // Exact types first: a pointer comparison, where the subclass checks
    // are calls into the interpreter under the stable ABI.
    let obj = match obj.cast_into_exact::<PyString>() {
        Ok(s) => return Ok(Held::Str(s)),
        Err(e) => e.into_inner(),
    };
    let obj = match obj.cast_into_exact::<PyBytes>() {
        Ok(b) => return Ok(Held::Bytes(b)),
        Err(e) => e.into_inner(),
    };
    let obj = match obj.cast_into::<PyString>() {
        Ok(s) => return Ok(Held::Str(s)),
        Err(e) => e.into_inner(),
    };
    obj.cast_into::<PyBytes>().map(Held::Bytes).map_err(|e| e.into_inner())
}

fn push_header<'py>(out: &mut Headers<'py>, name: Bound<'py, PyAny>, value: Bound<'py, PyAny>) -> PyResult<()> {
    let name = match str_or_bytes(name) {
        Ok(name) => name,
        Err(other) => header_part(&other)?,
    };
    if may_be_inkbox(name.as_ref()) {
        let value = match str_or_bytes(value) {
            Ok(value) => value,
            Err(other) => header_part(&other)?,
        };
        out.push((name, value));
    } else if let Err(other) = str_or_bytes(value) {
        // Skipped, but still type-checked like any other header.
        header_part(&other)?;
    }
    Ok(())
}

fn push_pair<'py>(out: &mut Headers<'py>, pair: &Bound<'py, PyAny>) -> PyResult<()> {
    let pair = pair.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("headers must be (name, value) pairs"))?;
    if pair.len() != 2 {
        return Err(PyTypeError::new_err("headers must be (name, value) pairs"));
    }
    push_header(out, pair.get_item(0)?, pair.get_item(1)?)
}

/// The headers of `headers` that may be Inkbox headers: a `dict`, any
/// mapping with `items()` (which yields repeated headers separately for
/// multi-dicts such as Starlette's or Werkzeug's), or an iterable of
/// `(name, value)` pairs. Every header is type-checked.
///
/// Only an exact `dict` is read directly: a subclass (a multi-dict built
/// on `dict`, or one whose `items()` filters) is read through its
/// `items()`, the mapping protocol, never through its raw storage.
fn headers_of<'py>(headers: &Bound<'py, PyAny>) -> PyResult<Headers<'py>> {
    let mut out = Headers::default();
    if let Ok(dict) = headers.cast_exact::<PyDict>() {
        for (k, v) in dict.iter() {
            push_header(&mut out, k, v)?;
        }
        return Ok(out);
    }
    let iterable = if headers.hasattr("items")? { headers.call_method0("items")? } else { headers.clone() };
    for pair in iterable.try_iter()? {
        push_pair(&mut out, &pair?)?;
    }
    Ok(out)
}

/// One secret (`str` or `bytes`) or a sequence of them.
enum Secrets<'py> {
    One([Held<'py>; 1]),
    Many(Vec<Held<'py>>),
}

impl<'py> Secrets<'py> {
    fn as_slice(&self) -> &[Held<'py>] {
        match self {
            Self::One(one) => one,
            Self::Many(many) => many,
        }
    }
}

fn secrets_of<'py>(secret: &Bound<'py, PyAny>) -> PyResult<Secrets<'py>> {
    if let Some(one) = held(secret)? {
        return Ok(Secrets::One([one.map_err(|Unencodable| unencodable_arg(secret.py(), "secret"))?]));
    }
    let mut out = Vec::new();
    for item in
        secret.try_iter().map_err(|_| PyTypeError::new_err("secret must be str, bytes or a sequence of them"))?
    {
        out.push(held_arg(&item?, "secret", "each secret must be str or bytes")?);
    }
    Ok(Secrets::Many(out))
}

/// Runs core's one-shot verification on Python arguments.
fn run(
    payload: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    tolerance: Option<u64>,
    now: Option<&Bound<'_, PyAny>>,
    compat: bool,
) -> PyResult<Result<(), WebhookError>> {
    let body = held_arg(payload, "payload", "payload must be bytes or str")?;
    let headers = headers_of(headers)?;
    let secrets = secrets_of(secret)?;
    let now = unix_time(now)?.map_err(|()| PyValueError::new_err("now must be a non-negative Unix time"))?;
    let mut options = if compat { VerifyOptions::compat() } else { VerifyOptions::strict() };
    options.tolerance_secs = tolerance;
    Ok(webhook::verify(headers.iter(), body.as_ref(), secrets.as_slice(), now, &options).map(|_| ()))
}

/// Receiver configuration errors raise; request failures are answered.
fn configuration_error(py: Python<'_>, result: Result<(), WebhookError>) -> PyResult<Result<(), WebhookError>> {
    match result {
        Err(e) if e.is_configuration() => Err(to_py(py, e)),
        other => Ok(other),
    }
}

#[pyfunction]
#[pyo3(signature = (*, payload, headers, secret, tolerance=Some(300), now=None, compat=false))]
pub(crate) fn verify_webhook(
    py: Python<'_>,
    payload: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = args::tolerance)] tolerance: Option<u64>,
    now: Option<&Bound<'_, PyAny>>,
    compat: bool,
) -> PyResult<bool> {
    guard(py, || {
        let result = configuration_error(py, run(payload, headers, secret, tolerance, now, compat)?)?;
        Ok(result.is_ok())
    })
}

#[pyfunction]
#[pyo3(signature = (*, payload, headers, secret, tolerance=Some(300), now=None, compat=false))]
pub(crate) fn verify_webhook_reason(
    py: Python<'_>,
    payload: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = args::tolerance)] tolerance: Option<u64>,
    now: Option<&Bound<'_, PyAny>>,
    compat: bool,
) -> PyResult<Option<&'static str>> {
    guard(py, || {
        let result = configuration_error(py, run(payload, headers, secret, tolerance, now, compat)?)?;
        Ok(result.err().map(|e| e.code()))
    })
}

#[pyfunction]
#[pyo3(signature = (*, payload, secret, request_id, timestamp))]
pub(crate) fn sign_webhook<'py>(
    py: Python<'py>,
    payload: &Bound<'py, PyAny>,
    secret: &Bound<'py, PyAny>,
    request_id: &Bound<'py, PyString>,
    timestamp: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    guard(py, || {
        let body = bytes_or_str(payload)?.ok_or_else(|| PyTypeError::new_err("payload must be bytes or str"))?;
        if let Ok(s) = secret.cast::<PyString>() {
            secret_text(py, s, "secret")?;
        }
        let secret = bytes_or_str(secret)?.ok_or_else(|| PyTypeError::new_err("secret must be str or bytes"))?;
        let request_id = crate::convert::utf8_of(request_id)?;
        let timestamp_text;
        let signed = if let Ok(ts) = timestamp.cast::<PyString>() {
            timestamp_text = crate::convert::utf8_of(ts)?;
            webhook::sign_raw(secret.as_ref(), &request_id, &timestamp_text, body.as_ref())
        } else {
            let ts = timestamp
                .extract::<u64>()
                .map_err(|_| PyValueError::new_err("timestamp must be a non-negative int or a str"))?;
            webhook::sign(secret.as_ref(), &request_id, ts, body.as_ref())
        }
        .py_err(py)?;
        let out = PyDict::new(py);
        for (name, value) in signed.headers() {
            out.set_item(name, value)?;
        }
        Ok(out)
    })
}
