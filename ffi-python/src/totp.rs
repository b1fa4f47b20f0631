//! `TOTPConfig`, `TOTPCode`, `generate_totp`, `verify_totp`, `parse_totp_uri`.

use inkbox_core::totp::{Algorithm, Digits, Period, TotpCode, TotpConfig, TotpError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};

use zeroize::Zeroizing;

use crate::args::{self, SecretStr, secret_text};
use crate::convert::{repr_opt, to_wire_json_at, unix_time, utf8_of};
use crate::errors::{CoreResult as _, guard, to_py};

/// The members of `inkbox._enums.TOTPAlgorithm`, looked up once.
static ALGORITHMS: PyOnceLock<(Py<PyAny>, Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

fn algorithm_member(py: Python<'_>, algorithm: Algorithm) -> PyResult<Py<PyAny>> {
    let (sha1, sha256, sha512) = ALGORITHMS.get_or_try_init(py, || -> PyResult<_> {
        let class = py.import("inkbox._enums")?.getattr("TOTPAlgorithm")?;
        let member = |name: &str| class.call1((name,)).map(Bound::unbind);
        Ok((member("sha1")?, member("sha256")?, member("sha512")?))
    })?;
    Ok(match algorithm {
        Algorithm::Sha1 => sha1,
        Algorithm::Sha256 => sha256,
        Algorithm::Sha512 => sha512,
    }
    .clone_ref(py))
}

/// `TOTPAlgorithm` members are `str`s, so any `str` naming an algorithm works.
fn algorithm_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Algorithm> {
    let name =
        value.cast::<PyString>().map_err(|_| PyTypeError::new_err("algorithm must be a str or TOTPAlgorithm"))?;
    Algorithm::from_config_name(&utf8_of(name)?).py_err(py)
}

fn time_arg(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    unix_time(now)?.map_err(|()| to_py(py, TotpError::InvalidTime))
}

/// A generated code and its timing (the reference's `TOTPCode`, plus the
/// HOTP counter).
#[pyclass(module = "inkbox._native", name = "TOTPCode", frozen, eq, hash, get_all, skip_from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyTotpCode {
    code: String,
    counter: u64,
    period_start: u64,
    period_end: u64,
    seconds_remaining: u64,
}

impl From<TotpCode> for PyTotpCode {
    fn from(c: TotpCode) -> Self {
        Self {
            code: c.code.as_str().to_owned(),
            counter: c.counter,
            period_start: c.period_start,
            period_end: c.period_end,
            seconds_remaining: c.seconds_remaining,
        }
    }
}

impl From<inkbox_core::api::vault_flows::TotpCodeView> for PyTotpCode {
    fn from(c: inkbox_core::api::vault_flows::TotpCodeView) -> Self {
        Self {
            code: c.code,
            counter: c.counter,
            period_start: c.period_start,
            period_end: c.period_end,
            seconds_remaining: c.seconds_remaining,
        }
    }
}

#[pymethods]
impl PyTotpCode {
    /// Seconds until the code expires (the README's `code.expires_in`; the
    /// same value as `seconds_remaining`).
    #[getter]
    fn expires_in(&self) -> u64 {
        self.seconds_remaining
    }

    fn __repr__(&self) -> String {
        format!(
            "TOTPCode(code={:?}, period_start={}, period_end={}, seconds_remaining={}, counter={})",
            self.code, self.period_start, self.period_end, self.seconds_remaining, self.counter
        )
    }
}

/// A validated TOTP configuration (the reference's `TOTPConfig`). The secret
/// is zeroized when the object is freed and never shown by `repr`.
#[pyclass(module = "inkbox._native", name = "TOTPConfig", eq, skip_from_py_object)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyTotpConfig {
    pub(crate) inner: TotpConfig,
}

#[pymethods]
impl PyTotpConfig {
    #[new]
    #[pyo3(signature = (secret, algorithm=String::from("sha1"), digits=6, period=30, issuer=None, account_name=None))]
    fn new(
        py: Python<'_>,
        secret: SecretStr,
        algorithm: String,
        #[pyo3(from_py_with = args::digits)] digits: u64,
        #[pyo3(from_py_with = args::period)] period: u64,
        issuer: Option<String>,
        account_name: Option<String>,
    ) -> PyResult<Self> {
        guard(py, || {
            let mut inner = TotpConfig::new(secret.into_string(py, "secret")?).py_err(py)?;
            inner = inner
                .with_algorithm(Algorithm::from_config_name(&algorithm).py_err(py)?)
                .with_digits(Digits::new(digits).py_err(py)?)
                .with_period(Period::new(period).py_err(py)?);
            inner.set_issuer(issuer);
            inner.set_account_name(account_name);
            Ok(Self { inner })
        })
    }

    /// The base32 secret, as given.
    #[getter]
    fn secret(&self) -> &str {
        self.inner.secret()
    }

    #[setter]
    fn set_secret(&mut self, py: Python<'_>, secret: SecretStr) -> PyResult<()> {
        let fresh = TotpConfig::new(secret.into_string(py, "secret")?).py_err(py)?;
        let mut fresh = fresh
            .with_algorithm(self.inner.algorithm())
            .with_digits(self.inner.digits())
            .with_period(self.inner.period());
        fresh.set_issuer(self.inner.issuer().map(str::to_owned));
        fresh.set_account_name(self.inner.account_name().map(str::to_owned));
        self.inner = fresh;
        Ok(())
    }

    #[getter]
    fn algorithm(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        algorithm_member(py, self.inner.algorithm())
    }

    #[setter]
    fn set_algorithm(&mut self, py: Python<'_>, algorithm: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner = self.inner.clone().with_algorithm(algorithm_arg(py, algorithm)?);
        Ok(())
    }

    #[getter]
    fn digits(&self) -> u32 {
        self.inner.digits().get()
    }

    #[setter]
    fn set_digits(&mut self, py: Python<'_>, #[pyo3(from_py_with = args::digits)] digits: u64) -> PyResult<()> {
        self.inner = self.inner.clone().with_digits(Digits::new(digits).py_err(py)?);
        Ok(())
    }

    #[getter]
    fn period(&self) -> u64 {
        self.inner.period().as_secs()
    }

    #[setter]
    fn set_period(&mut self, py: Python<'_>, #[pyo3(from_py_with = args::period)] period: u64) -> PyResult<()> {
        self.inner = self.inner.clone().with_period(Period::new(period).py_err(py)?);
        Ok(())
    }

    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.inner.issuer()
    }

    #[setter]
    fn set_issuer(&mut self, issuer: Option<String>) {
        self.inner.set_issuer(issuer);
    }

    #[getter]
    fn account_name(&self) -> Option<&str> {
        self.inner.account_name()
    }

    #[setter]
    fn set_account_name(&mut self, account_name: Option<String>) {
        self.inner.set_account_name(account_name);
    }

    /// The code at `now` (Unix seconds; default: the host clock).
    #[pyo3(signature = (now=None))]
    fn generate_code(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<PyTotpCode> {
        guard(py, || generate(py, &self.inner, now))
    }

    /// Whether `code` is valid at `now`, within `window` steps either way
    /// (constant time).
    #[pyo3(signature = (code, now=None, window=1))]
    fn verify(
        &self,
        py: Python<'_>,
        code: SecretStr,
        now: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = args::window)] window: u8,
    ) -> PyResult<bool> {
        guard(py, || verify(py, &self.inner, code.get(py, "code")?, now, window))
    }

    /// The `otpauth://totp/` URI (it contains the secret).
    fn to_uri(&self) -> String {
        self.inner.to_uri()
    }

    #[classmethod]
    fn from_uri(_cls: &Bound<'_, PyType>, py: Python<'_>, uri: &Bound<'_, PyString>) -> PyResult<Self> {
        guard(py, || parse_uri(py, uri))
    }

    /// The stored form inside a login payload: `secret`, `algorithm`,
    /// `digits`, `period`, then `issuer`/`account_name` when set.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        // Through JSON text, which keeps core's member order.
        let text = Zeroizing::new(serde_json::to_string(&self.inner).map_err(|_| to_py(py, TotpError::InvalidConfig))?);
        Ok(py.import("json")?.call_method1("loads", (text.as_str(),))?.cast_into::<PyDict>()?)
    }

    /// Reads the stored form (missing `algorithm`/`digits`/`period` take
    /// their defaults).
    #[classmethod]
    fn from_dict(_cls: &Bound<'_, PyType>, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || config_from_py(py, data, "data"))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "TOTPConfig(secret=<redacted>, algorithm={:?}, digits={}, period={}, issuer={}, account_name={})",
            self.inner.algorithm().as_str(),
            self.inner.digits().get(),
            self.inner.period().as_secs(),
            repr_opt(py, self.inner.issuer())?,
            repr_opt(py, self.inner.account_name())?,
        ))
    }
}

/// A `TOTPConfig`, or its stored form as a dict (argument `name`: a string
/// in it without a UTF-8 form is refused by its location, `totp.secret`,
/// never quoted).
pub(crate) fn config_from_py(py: Python<'_>, data: &Bound<'_, PyAny>, name: &str) -> PyResult<PyTotpConfig> {
    if let Ok(config) = data.cast::<PyTotpConfig>() {
        return Ok(config.borrow().clone());
    }
    if !data.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err("expected a TOTPConfig or a dict"));
    }
    let value = to_wire_json_at(data, name)?;
    Ok(PyTotpConfig { inner: TotpConfig::from_json_value(&value).py_err(py)? })
}

fn generate(py: Python<'_>, config: &TotpConfig, now: Option<&Bound<'_, PyAny>>) -> PyResult<PyTotpCode> {
    let now = time_arg(py, now)?;
    Ok(config.generate(now).py_err(py)?.into())
}

fn verify(
    py: Python<'_>,
    config: &TotpConfig,
    code: &str,
    now: Option<&Bound<'_, PyAny>>,
    window: u8,
) -> PyResult<bool> {
    let now = time_arg(py, now)?;
    Ok(config.verify(code, now, window).py_err(py)?.is_some())
}

fn parse_uri(py: Python<'_>, uri: &Bound<'_, PyString>) -> PyResult<PyTotpConfig> {
    Ok(PyTotpConfig { inner: inkbox_core::totp::parse_uri(secret_text(py, uri, "uri")?).py_err(py)? })
}

#[pyfunction]
#[pyo3(signature = (config, now=None))]
pub(crate) fn generate_totp(
    py: Python<'_>,
    config: PyRef<'_, PyTotpConfig>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTotpCode> {
    guard(py, || generate(py, &config.inner, now))
}

#[pyfunction]
#[pyo3(signature = (config, code, now=None, window=1))]
pub(crate) fn verify_totp(
    py: Python<'_>,
    config: PyRef<'_, PyTotpConfig>,
    code: SecretStr,
    now: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = args::window)] window: u8,
) -> PyResult<bool> {
    guard(py, || verify(py, &config.inner, code.get(py, "code")?, now, window))
}

#[pyfunction]
pub(crate) fn parse_totp_uri(py: Python<'_>, uri: &Bound<'_, PyString>) -> PyResult<PyTotpConfig> {
    guard(py, || parse_uri(py, uri))
}
