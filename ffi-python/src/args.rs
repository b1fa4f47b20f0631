//! Argument extractors whose failures name the argument and never quote it.
//!
//! pyo3's own `&str`/`String` extraction of a `str` that has no UTF-8 form
//! (a lone surrogate, e.g. `"hunter2\ud800"`) raises `UnicodeEncodeError`,
//! whose `repr()`, `.args` and `.object` carry the whole string: for a
//! password or an API key, the secret. Its integer extraction raises a bare
//! `OverflowError` that names no argument. [`SecretStr`] extracts without
//! failing on those strings and leaves the error to the function body,
//! which knows the argument's name; the integer extractors (`from_py_with`,
//! one per argument name) raise it themselves. The error is an
//! `inkbox.exceptions.InkboxValidationError` (a `ValueError`, code
//! `api.validation`) whose `field` is the argument and whose message holds
//! no part of the value. A value of the wrong type is still pyo3's
//! `TypeError` (`argument 'password': ...`, without the value).

use inkbox_core::api::ApiError;
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};
use zeroize::Zeroize as _;

use crate::errors::api_to_py;

/// `InkboxValidationError` for argument `name`: `invalid {name}: {message}`.
pub(crate) fn invalid_arg(py: Python<'_>, name: &str, message: impl Into<String>) -> PyErr {
    api_to_py(py, ApiError::Validation { field: name.to_owned().into(), message: message.into().into() })
}

/// A secret `str` argument (API key, password, vault key, TOTP secret, ...).
/// `None` inside: the string has no UTF-8 form. The text is zeroized when
/// the extractor is dropped (unless it was moved out by
/// [`SecretStr::into_string`]).
pub(crate) struct SecretStr(Option<String>);

impl<'a, 'py> FromPyObject<'a, 'py> for SecretStr {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let s = obj.cast::<PyString>()?;
        // The `UnicodeEncodeError` of a lone surrogate (which quotes the
        // string) is dropped here, never raised.
        Ok(Self(s.to_str().ok().map(str::to_owned)))
    }
}

impl Drop for SecretStr {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn unencodable(py: Python<'_>, name: &str) -> PyErr {
    invalid_arg(py, name, "not encodable as UTF-8 (it contains a lone surrogate); the value is not shown")
}

impl SecretStr {
    /// The text, or `InkboxValidationError` naming `name`.
    pub(crate) fn get(&self, py: Python<'_>, name: &str) -> PyResult<&str> {
        self.0.as_deref().ok_or_else(|| unencodable(py, name))
    }

    /// The text moved out (nothing left to zeroize here), or
    /// `InkboxValidationError` naming `name`.
    pub(crate) fn into_string(mut self, py: Python<'_>, name: &str) -> PyResult<String> {
        self.0.take().ok_or_else(|| unencodable(py, name))
    }

    /// [`SecretStr::into_string`] of an optional argument.
    pub(crate) fn opt(arg: Option<Self>, py: Python<'_>, name: &str) -> PyResult<Option<String>> {
        arg.map(|s| s.into_string(py, name)).transpose()
    }

    /// [`SecretStr::get`] of an optional argument.
    pub(crate) fn opt_ref<'s>(arg: Option<&'s Self>, py: Python<'_>, name: &str) -> PyResult<Option<&'s str>> {
        arg.map(|s| s.get(py, name)).transpose()
    }
}

/// The text of a secret `str` already held as a `PyString` (one that may
/// also arrive in other types), or `InkboxValidationError` naming `name`.
pub(crate) fn secret_text<'a>(py: Python<'_>, s: &'a Bound<'_, PyString>, name: &str) -> PyResult<&'a str> {
    s.to_str().map_err(|_| unencodable(py, name))
}

/// Integer types [`int_arg`] converts to, with their bounds.
pub(crate) trait IntBounds: TryFrom<i128> {
    const MIN: i128;
    const MAX: i128;
}

macro_rules! int_bounds {
    ($($t:ty),*) => {$(
        impl IntBounds for $t {
            const MIN: i128 = <$t>::MIN as i128;
            const MAX: i128 = <$t>::MAX as i128;
        }
    )*};
}

int_bounds!(u8, u16, u32, u64, i64);

/// An integer argument as `T`: `int` (and `__index__` objects) of any size,
/// out of `T`'s range → `InkboxValidationError` naming `name` and the range;
/// another type → pyo3's `TypeError`.
pub(crate) fn int_arg<T: IntBounds>(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<T> {
    let value = match obj.extract::<i128>() {
        Ok(v) => Some(v),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) && obj.is_instance_of::<PyInt>() => None,
        Err(e) => return Err(e),
    };
    value
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| invalid_arg(obj.py(), name, format!("must be an integer from {} to {}", T::MIN, T::MAX)))
}

/// `from_py_with` extractors of integer arguments, one per argument name
/// (pyo3 hands an extractor only the value): `#[pyo3(from_py_with =
/// args::window)] window: u8`. `Option` ones take `None` as `None`.
macro_rules! int_args {
    ($($fn_name:ident: $t:ty;)*) => {$(
        pub(crate) fn $fn_name(obj: &Bound<'_, PyAny>) -> PyResult<$t> {
            int_arg(obj, stringify!($fn_name))
        }
    )*};
}

macro_rules! opt_int_args {
    ($($fn_name:ident: $t:ty;)*) => {$(
        pub(crate) fn $fn_name(obj: &Bound<'_, PyAny>) -> PyResult<Option<$t>> {
            if obj.is_none() { Ok(None) } else { int_arg(obj, stringify!($fn_name)).map(Some) }
        }
    )*};
}

/// An HTTP status argument (`from_py_with`): 100-999, else
/// `InkboxValidationError` naming `status`, however large the value.
pub(crate) fn status(obj: &Bound<'_, PyAny>) -> PyResult<u16> {
    let fail = || invalid_arg(obj.py(), "status", "must be an HTTP status code (100-999)");
    match int_arg::<u16>(obj, "status") {
        Ok(s) if (100..=999).contains(&s) => Ok(s),
        Ok(_) => Err(fail()),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyValueError>(obj.py()) => Err(fail()),
        Err(e) => Err(e),
    }
}

int_args! {
    window: u8;
    digits: u64;
    period: u64;
    max_attempts: u32;
    base_delay_ms: u64;
    max_delay_ms: u64;
    max_retry_after_ms: u64;
    pool_size: i64;
}

opt_int_args! {
    tolerance: u64;
}
