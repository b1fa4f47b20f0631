//! Core errors as the typed exceptions of `inkbox.exceptions`, and the panic
//! guard every entry point runs in.

use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};

use inkbox_core::api::{ApiError, Detail, ErrorKind, RetryAfter, StatusError};
use inkbox_core::{ErrorClass, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::convert::{json_to_py, now_unix};

/// A core error with its class of the error family (core's
/// [`ErrorClass`], a name in `inkbox.exceptions`) and its dotted code.
pub(crate) trait PyErrorClass: ErrorClass + ErrorCode + Display {}

impl<E: ErrorClass + ErrorCode + Display> PyErrorClass for E {}

/// Builds `inkbox.exceptions.<class_name>(message, code=code)`.
fn build(py: Python<'_>, class_name: &str, code: &str, message: &str) -> PyResult<PyErr> {
    let class = py.import("inkbox.exceptions")?.getattr(class_name)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", code)?;
    let exc = class.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(exc))
}

/// An exception of `inkbox.exceptions` (or whatever failed while building it).
pub(crate) fn exception(py: Python<'_>, class_name: &str, code: &str, message: &str) -> PyErr {
    build(py, class_name, code, message).unwrap_or_else(|e| e)
}

/// The typed exception of a core error. Core messages never contain secrets.
pub(crate) fn to_py<E: PyErrorClass>(py: Python<'_>, err: E) -> PyErr {
    exception(py, err.error_class(), err.code(), &err.to_string())
}

/// The class of an HTTP error status in `inkbox.exceptions` (core's
/// [`ErrorClass`]). `None`: the base `InkboxAPIError`.
fn status_class(kind: &ErrorKind) -> Option<&'static str> {
    Some(kind.error_class()).filter(|&name| name != "InkboxAPIError")
}

/// `detail` as Python: `None`, `str`, `dict` or `list`.
fn detail_to_py<'py>(py: Python<'py>, detail: &Detail) -> PyResult<Bound<'py, PyAny>> {
    Ok(match detail {
        Detail::None => py.None().into_bound(py),
        Detail::Text(s) => PyString::new(py, s).into_any(),
        Detail::Object(m) => {
            let d = PyDict::new(py);
            for (k, v) in m {
                d.set_item(k, json_to_py(py, v)?)?;
            }
            d.into_any()
        }
        Detail::List(l) => json_to_py(py, &serde_json::Value::Array(l.clone()))?,
    })
}

/// `Retry-After` in seconds from now (a date in the past is 0).
pub(crate) fn retry_after_secs(ra: RetryAfter) -> f64 {
    let now = i64::try_from(now_unix()).unwrap_or(i64::MAX);
    // Milliseconds to seconds; exact for any realistic delay.
    #[allow(clippy::cast_precision_loss)]
    let secs = ra.delay_ms(now) as f64 / 1000.0;
    secs
}

/// `inkbox.exceptions.<class>(status_code, detail, …, code=, retry_after=)`.
fn build_status(py: Python<'_>, e: &StatusError) -> PyResult<PyErr> {
    let module = py.import("inkbox.exceptions")?;
    let detail = detail_to_py(py, &e.detail)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", e.kind.code())?;
    kwargs.set_item("retry_after", e.retry_after.map(retry_after_secs))?;
    kwargs.set_item("agent_support", e.agent_support.as_deref())?;
    let specific = status_class(&e.kind).map(|name| -> PyResult<Bound<'_, PyAny>> {
        let class = module.getattr(name)?;
        match &e.kind {
            ErrorKind::HandleUnavailable { blocking_namespace } => {
                class.call((e.status, &detail, blocking_namespace.as_deref()), Some(&kwargs))
            }
            _ => class.call((e.status, &detail), Some(&kwargs)),
        }
    });
    // A structured class whose constructor refuses this detail (e.g. an
    // existing_rule_id that is not a UUID) falls back to the base class.
    let exc = match specific {
        Some(Ok(exc)) => exc,
        _ => module.getattr("InkboxAPIError")?.call((e.status, &detail), Some(&kwargs))?,
    };
    Ok(PyErr::from_value(exc))
}

fn build_api(py: Python<'_>, err: ApiError) -> PyResult<PyErr> {
    let module = py.import("inkbox.exceptions")?;
    let code = err.code();
    let message = err.to_string();
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", code)?;
    let class = module.getattr(err.error_class())?;
    let exc = match err {
        ApiError::Status(e) => return build_status(py, &e),
        ApiError::Validation { field, .. } => {
            kwargs.set_item("field", field.as_ref())?;
            class.call((message,), Some(&kwargs))?
        }
        ApiError::Decode { status, body, .. } => {
            kwargs.set_item("status_code", status)?;
            kwargs.set_item("body", PyBytes::new(py, &body))?;
            class.call((message,), Some(&kwargs))?
        }
        ApiError::Vault(e) => return Ok(to_py(py, e)),
        ApiError::Totp(e) => return Ok(to_py(py, e)),
        _ => class.call((message,), Some(&kwargs))?,
    };
    Ok(PyErr::from_value(exc))
}

/// The typed exception of an API error (see `inkbox.exceptions`).
pub(crate) fn api_to_py(py: Python<'_>, err: ApiError) -> PyErr {
    build_api(py, err).unwrap_or_else(|e| e)
}

/// Extension for `Result<T, ApiError>`.
pub(crate) trait ApiResult<T> {
    fn api_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> ApiResult<T> for Result<T, ApiError> {
    fn api_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| api_to_py(py, e))
    }
}

/// Extension for `Result<T, CoreError>`.
pub(crate) trait CoreResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T, E: PyErrorClass> CoreResult<T> for Result<T, E> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// Runs `f`, turning a Rust panic into `inkbox.exceptions.InkboxInternalError`
/// (code `internal.panic`) instead of pyo3's `PanicException` (a
/// `BaseException`). The panic payload is not shown: it could quote input.
pub(crate) fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(exception(py, "InkboxInternalError", "internal.panic", "internal error in the inkbox native module"))
    })
}
