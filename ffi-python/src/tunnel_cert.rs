//! Passthrough tunnel certificates (`inkbox_core::api::tunnel_cert`): the
//! P-256 key, the CSR for sign-csr and the renewal decision. The key comes
//! from the operating system's CSPRNG; the clock is the host's unless given.

use getrandom::SysRng;
use inkbox_core::api::tunnel_cert::{self as tc, CertError, CertInfo, TunnelKey};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::args::SecretStr;
use crate::errors::{exception, guard};

fn cert_err(py: Python<'_>, err: &CertError) -> PyErr {
    exception(py, "TunnelError", err.code(), &err.to_string())
}

/// A passthrough tunnel's P-256 private key (never shown by `repr`).
#[pyclass(name = "TunnelKey", module = "inkbox._native", frozen)]
pub(crate) struct PyTunnelKey(TunnelKey);

#[pymethods]
impl PyTunnelKey {
    /// A fresh key from the operating system's CSPRNG.
    #[staticmethod]
    fn generate(py: Python<'_>) -> PyResult<Self> {
        guard(py, || TunnelKey::generate(&mut SysRng).map(Self).map_err(|e| cert_err(py, &e)))
    }

    /// Reads an unencrypted PKCS#8 PEM key.
    #[staticmethod]
    fn from_pem(py: Python<'_>, pem: SecretStr) -> PyResult<Self> {
        guard(py, || TunnelKey::from_pem(pem.get(py, "pem")?).map(Self).map_err(|e| cert_err(py, &e)))
    }

    /// The key as unencrypted PKCS#8 PEM bytes (write them with mode 0600).
    fn to_pem<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(py, || {
            let pem = self.0.to_pem().map_err(|e| cert_err(py, &e))?;
            Ok(PyBytes::new(py, pem.as_bytes()))
        })
    }

    /// The public key as DER SubjectPublicKeyInfo.
    #[getter]
    fn public_key_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.public_key_der())
    }

    /// The PEM PKCS#10 CSR for sign-csr (CN and SAN = `common_name`).
    fn csr_pem(&self, py: Python<'_>, common_name: &str) -> PyResult<String> {
        guard(py, || self.0.csr_pem(common_name).map_err(|e| cert_err(py, &e)))
    }

    /// Why sign-csr must run before serving (`"awaiting_cert"`, `"missing"`,
    /// `"unreadable"`, `"expires_soon"`, `"key_mismatch"`), or `None`.
    #[pyo3(signature = (awaiting_cert, cert_pem=None, now_unix=None))]
    fn needs_sign(&self, awaiting_cert: bool, cert_pem: Option<&str>, now_unix: Option<i64>) -> Option<&'static str> {
        let now = now_unix.unwrap_or_else(|| i64::try_from(crate::convert::now_unix()).unwrap_or(i64::MAX));
        tc::needs_sign(awaiting_cert, cert_pem, &self.0, now).map(tc::SignReason::as_str)
    }

    fn __repr__(&self) -> &'static str {
        "TunnelKey(<redacted>)"
    }
}

/// `notAfter` (Unix seconds) of the first certificate of a PEM chain.
#[pyfunction]
pub(crate) fn tunnel_cert_not_after(py: Python<'_>, cert_pem: &str) -> PyResult<i64> {
    guard(py, || CertInfo::from_pem(cert_pem).map(|i| i.not_after_unix).map_err(|e| cert_err(py, &e)))
}
