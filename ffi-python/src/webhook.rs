//! `verify_webhook`, `verify_webhook_reason`, `sign_webhook`.

use inkbox_core::ErrorCode as _;
use inkbox_core::webhook::{self, VerifyOptions, WebhookError};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

use crate::convert::{PyBytesArg, bytes_or_str, unix_time};
use crate::errors::{CoreResult as _, guard, to_py};

/// Stands for a header name or value that has no UTF-8 form (a `str` with
/// lone surrogates): not printable ASCII, so core refuses it in an Inkbox
/// header and ignores it anywhere else.
const UNENCODABLE: &[u8] = b"\xff";

fn header_part<'py>(obj: &Bound<'py, PyAny>) -> PyResult<PyBytesArg<'py>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(match s.encode_utf8() {
            Ok(encoded) => PyBytesArg::Borrowed(encoded),
            Err(_) => PyBytesArg::Owned(UNENCODABLE.to_vec()),
        });
    }
    bytes_or_str(obj)?.ok_or_else(|| PyTypeError::new_err("header names and values must be str or bytes"))
}

/// Whether a header name has the length of one of the three Inkbox header
/// names. Core matches names ASCII-case-insensitively and ignores every
/// other header whatever it holds, so a name of another length (in
/// characters for `str`: a match is pure ASCII) can be skipped without
/// converting it. Only a cost saving; the matching itself is core's.
fn may_be_inkbox(name: &Bound<'_, PyAny>) -> PyResult<bool> {
    let len = if let Ok(s) = name.cast::<PyString>() {
        s.len()?
    } else if let Ok(b) = name.cast::<PyBytes>() {
        b.len()?
    } else {
        return Ok(true);
    };
    Ok([webhook::SIGNATURE_HEADER, webhook::REQUEST_ID_HEADER, webhook::TIMESTAMP_HEADER]
        .iter()
        .any(|h| h.len() == len))
}

fn push_header<'py>(
    out: &mut Vec<(PyBytesArg<'py>, PyBytesArg<'py>)>,
    name: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<()> {
    if may_be_inkbox(name)? {
        out.push((header_part(name)?, header_part(value)?));
    } else if !(value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>()) {
        // Skipped, but still type-checked like any other header.
        header_part(value)?;
    }
    Ok(())
}

fn push_pair<'py>(out: &mut Vec<(PyBytesArg<'py>, PyBytesArg<'py>)>, pair: &Bound<'py, PyAny>) -> PyResult<()> {
    let pair = pair.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("headers must be (name, value) pairs"))?;
    if pair.len() != 2 {
        return Err(PyTypeError::new_err("headers must be (name, value) pairs"));
    }
    push_header(out, &pair.get_item(0)?, &pair.get_item(1)?)
}

/// Every header of `headers`: a `dict`, any mapping with `items()` (which
/// yields repeated headers separately for multi-dicts such as Starlette's or
/// Werkzeug's), or an iterable of `(name, value)` pairs.
fn headers_of<'py>(headers: &Bound<'py, PyAny>) -> PyResult<Vec<(PyBytesArg<'py>, PyBytesArg<'py>)>> {
    let mut out = Vec::new();
    if let Ok(dict) = headers.cast::<PyDict>() {
        for (k, v) in dict.iter() {
            push_header(&mut out, &k, &v)?;
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
fn secrets_of<'py>(secret: &Bound<'py, PyAny>) -> PyResult<Vec<PyBytesArg<'py>>> {
    if let Some(one) = bytes_or_str(secret)? {
        return Ok(vec![one]);
    }
    let mut out = Vec::new();
    for item in
        secret.try_iter().map_err(|_| PyTypeError::new_err("secret must be str, bytes or a sequence of them"))?
    {
        out.push(bytes_or_str(&item?)?.ok_or_else(|| PyTypeError::new_err("each secret must be str or bytes"))?);
    }
    Ok(out)
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
    let body = bytes_or_str(payload)?.ok_or_else(|| PyTypeError::new_err("payload must be bytes or str"))?;
    let headers = headers_of(headers)?;
    let secrets = secrets_of(secret)?;
    let now = unix_time(now)?.map_err(|()| PyValueError::new_err("now must be a non-negative Unix time"))?;
    let mut options = if compat { VerifyOptions::compat() } else { VerifyOptions::strict() };
    options.tolerance_secs = tolerance;
    Ok(webhook::verify(&headers, body.as_ref(), &secrets, now, &options).map(|_| ()))
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
    tolerance: Option<u64>,
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
    tolerance: Option<u64>,
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
