//! Core errors as the typed exceptions of `inkbox.exceptions`, and the panic
//! guard every entry point runs in.

use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};

use inkbox_core::ErrorCode;
use inkbox_core::totp::TotpError;
use inkbox_core::vault::VaultError;
use inkbox_core::webhook::WebhookError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception class (a name in `inkbox.exceptions`) of a core error.
pub(crate) trait PyErrorClass: ErrorCode + Display {
    fn class_name(&self) -> &'static str;
}

impl PyErrorClass for WebhookError {
    fn class_name(&self) -> &'static str {
        "InkboxWebhookError"
    }
}

impl PyErrorClass for TotpError {
    fn class_name(&self) -> &'static str {
        "InkboxTOTPError"
    }
}

impl PyErrorClass for VaultError {
    fn class_name(&self) -> &'static str {
        match self {
            VaultError::WeakVaultKey { .. } => "InkboxVaultKeyError",
            VaultError::DecryptionFailed => "InkboxDecryptionError",
            VaultError::InvalidPayload | VaultError::PayloadTypeMismatch | VaultError::UnsupportedSecretType => {
                "InkboxVaultPayloadError"
            }
            _ => "InkboxVaultError",
        }
    }
}

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
    exception(py, err.class_name(), err.code(), &err.to_string())
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
