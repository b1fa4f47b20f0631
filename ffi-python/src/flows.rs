//! The flows of `inkbox_core::api::vault_flows` (the vault flows and the
//! pager flow of any paged list) as Python classes that the runtime drives
//! with one loop: `next_request` (the next `Prepared` to send, a `Page` to
//! hand to the caller, or `None` when done), `feed` (the response, whatever
//! its status), `result`.
//!
//! Argon2id runs inside `next_request` with the GIL released. Keys stay in
//! Rust and are zeroized on drop; reprs show no secret. A page is parsed
//! into Python objects here, with the model serializer, and core is given
//! the page summary read back from them, so the body is read once.

use getrandom::SysRng;
use inkbox_core::api::catalog::{Operation, Paging};
use inkbox_core::api::dynamic::PagerFlow;
use inkbox_core::api::vault_flows::{
    self as core_flows, AnyFlow, CreateSecretFlow, DecryptedSecret, Flow, FlowOutput, GetSecretFlow, InitializeFlow,
    InitializedVault, NewSecret, Proof, SecretChanges, Step, TotpUpdateFlow, UnlockFlow, UnlockedVault, UpdateKeyFlow,
    UpdateSecretFlow,
};
use inkbox_core::api::{ApiError, BaseUrl, Page, PageSummary, Patch, Response, codes};
use inkbox_core::vault::{OrgKey, SecretType};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::Serialize;
use zeroize::Zeroize as _;

use crate::api::{PyPrepared, args_json, headers_arg, parse_response};
use crate::args::{self, SecretStr, secret_text};
use crate::convert::{repr_opt, unix_time};
use crate::errors::{ApiResult as _, guard};
use crate::pyser::{Ctx, PySer};
use crate::totp::{PyTotpCode, config_from_py};
use crate::vault::{PyOrgKey, enum_member, payload_from_py, payload_to_py};

// ------------------------------------------------------------- base class

/// The step protocol shared by every vault flow.
#[pyclass(module = "inkbox._native", name = "Flow", subclass)]
pub(crate) struct PyFlow {
    inner: AnyFlow,
    result: Option<Py<PyAny>>,
    /// A pager's operation: its successful pages are parsed in `feed`, from
    /// the response's own bytes, and core gets only their summary.
    pager: Option<&'static Operation>,
    /// The page parsed by `feed`, handed over by the next `next_request`.
    parsed: Option<Py<PyAny>>,
}

impl PyFlow {
    fn new(inner: impl Into<AnyFlow>) -> Self {
        let inner = inner.into();
        PyFlow { inner, result: None, pager: None, parsed: None }
    }
}

fn serialize_to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let ctx = Ctx::new(py);
    value.serialize(PySer::new(&ctx, None)).map_err(|e| e.0)
}

fn output_to_py(py: Python<'_>, out: FlowOutput) -> PyResult<Py<PyAny>> {
    Ok(match out {
        FlowOutput::Unlocked(vault) => Py::new(py, PyUnlockedVault::new(py, vault)?)?.into_any(),
        FlowOutput::Initialized(init) => Py::new(py, PyVaultInitializeResult(init))?.into_any(),
        FlowOutput::Key(key) => serialize_to_py(py, &key)?.unbind(),
        FlowOutput::Secret(secret) => serialize_to_py(py, &secret)?.unbind(),
        FlowOutput::Created(c) => serialize_to_py(py, &c.secret)?.unbind(),
        FlowOutput::Decrypted(d) => Py::new(py, PyDecryptedSecret::new(py, d)?)?.into_any(),
        FlowOutput::Pages(n) => n.into_pyobject(py)?.into_any().unbind(),
    })
}

/// The `_d` dict of a registered model object, or the object itself.
fn fields_of<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if obj.is_instance_of::<PyDict>() {
        return Ok(obj.clone());
    }
    obj.getattr(intern!(obj.py(), "_d"))
}

/// The summary core's pager needs (item count, `has_more`, `next_cursor`),
/// read back from the parsed Python page; `None` when the page does not have
/// the shape (core then reads the body, and reports the error).
fn page_summary(paging: Paging, page: &Bound<'_, PyAny>) -> PyResult<Option<PageSummary>> {
    let py = page.py();
    let (items, has_more, next_cursor) = match paging {
        Paging::Cursor => {
            let Ok(fields) = fields_of(page) else { return Ok(None) };
            let Ok(fields) = fields.cast::<PyDict>() else { return Ok(None) };
            let Some(items) = fields.get_item(intern!(py, "items"))? else { return Ok(None) };
            let Ok(items) = items.cast::<PyList>() else { return Ok(None) };
            let has_more = fields.get_item(intern!(py, "has_more"))?.map(|v| v.is_truthy()).transpose()?;
            let next_cursor = match fields.get_item(intern!(py, "next_cursor"))? {
                Some(c) if !c.is_none() => Some(c.extract::<String>()?),
                _ => None,
            };
            (items.len(), has_more.unwrap_or(false), next_cursor)
        }
        Paging::Offset => match page.cast::<PyList>() {
            Ok(list) => (list.len(), false, None),
            Err(_) => return Ok(None),
        },
        Paging::None | Paging::Limit => (0, false, None),
    };
    Ok(Some(PageSummary::for_paging(paging, items, has_more, next_cursor)))
}

/// A page of a list, handed over by `PagerFlow.next_request`: its items are
/// in `value`, parsed as `inkbox._native.parse` parses the operation.
#[pyclass(module = "inkbox._native", name = "Page", frozen)]
pub(crate) struct PyPage {
    operation: &'static str,
    status: u16,
    value: Py<PyAny>,
}

#[pymethods]
impl PyPage {
    /// The operation's name, e.g. `mail.messages.list`.
    #[getter]
    fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status of the page (a 2xx).
    #[getter]
    fn status(&self) -> u16 {
        self.status
    }

    /// The parsed page (a model object for a cursor page, a list for an
    /// offset page).
    #[getter]
    fn value(&self, py: Python<'_>) -> Py<PyAny> {
        self.value.clone_ref(py)
    }

    fn __repr__(&self) -> String {
        format!("Page(operation='{}', status={})", self.operation, self.status)
    }
}

impl PyFlow {
    /// Parses `page` into Python objects and gives core its summary.
    fn hand_over(&mut self, py: Python<'_>, page: &Page) -> PyResult<PyPage> {
        let op = page.operation;
        let value = parse_response(py, op.name, &page.response())?;
        if let Some(summary) = page_summary(op.paging, &value)? {
            self.inner.summarize_page(summary).api_err(py)?;
        }
        Ok(PyPage { operation: op.name, status: page.status, value: value.unbind() })
    }
}

#[pymethods]
impl PyFlow {
    /// The next step: a `Prepared` to send (then `feed` its response), a
    /// `Page` to hand to the caller (then call `next_request` again; only a
    /// `PagerFlow` yields pages), or `None` when the flow is done (then call
    /// `result()`). May run Argon2id, with the GIL released.
    fn next_request(
        &mut self,
        py: Python<'_>,
        base_url: &str,
        api_key: Option<SecretStr>,
    ) -> PyResult<Option<Py<PyAny>>> {
        guard(py, || {
            let api_key = SecretStr::opt_ref(api_key.as_ref(), py, "api_key")?;
            if self.result.is_some() {
                return Ok(None);
            }
            let base = BaseUrl::parse(base_url).api_err(py)?;
            let inner = &mut self.inner;
            let step = if inner.next_is_heavy() { py.detach(|| inner.next()) } else { inner.next() }.api_err(py)?;
            match step {
                Step::Send(req) => {
                    let prepared = req.prepare(&base, api_key).api_err(py)?;
                    let prepared = PyPrepared::new(py, req.operation, prepared, req.is_retry_safe());
                    Ok(Some(Py::new(py, prepared)?.into_any()))
                }
                Step::Page(page) => {
                    let page = match self.parsed.take() {
                        Some(value) => PyPage { operation: page.operation.name, status: page.status, value },
                        None => self.hand_over(py, &page)?,
                    };
                    Ok(Some(Py::new(py, page)?.into_any()))
                }
                Step::Done(out) => {
                    self.result = Some(output_to_py(py, out)?);
                    Ok(None)
                }
            }
        })
    }

    /// Hands back the response to the last request, whatever its status.
    fn feed(
        &mut self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::status)] status: u16,
        headers: &Bound<'_, PyAny>,
        body: &[u8],
    ) -> PyResult<()> {
        guard(py, || {
            let headers = headers_arg(headers)?;
            let resp = Response::new(status, &headers, body);
            if let Some(op) = self.pager
                && resp.is_success()
            {
                let value = parse_response(py, op.name, &resp)?;
                if let Some(summary) = page_summary(op.paging, &value)? {
                    self.inner.feed_summarized(&resp, summary).api_err(py)?;
                    self.parsed = Some(value.unbind());
                    return Ok(());
                }
            }
            self.inner.feed(&resp).api_err(py)
        })
    }

    /// The flow's result, once `next_request` returned `None`.
    fn result(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.result {
            Some(r) => Ok(r.clone_ref(py)),
            None => Err(ApiError::Flow {
                code: codes::FLOW_OUT_OF_ORDER,
                message: "the flow is not done: call next_request until it returns None".into(),
            })
            .api_err(py),
        }
    }
}

// ------------------------------------------------------------- the flows

/// Every page of one list: operation `op` (a cursor, offset, limit-only or
/// unpaged operation) with `args` (`{"path", "query", "body", "api_key"}`).
/// `next_request` yields each page's request and each `Page`; the result is
/// the number of pages.
#[pyclass(module = "inkbox._native", name = "PagerFlow", extends = PyFlow)]
pub(crate) struct PyPagerFlow;

#[pymethods]
impl PyPagerFlow {
    #[new]
    #[pyo3(signature = (op, args=None))]
    fn new(py: Python<'_>, op: &str, args: Option<&Bound<'_, PyAny>>) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let flow = PagerFlow::new(op, args_json(args)?).api_err(py)?;
            let operation = flow.operation();
            let mut base = PyFlow::new(flow);
            base.pager = Some(operation);
            Ok((PyPagerFlow, base))
        })
    }
}

/// Unlocks the vault with a vault key or recovery code; with
/// `identity_id`, keeps only the secrets that identity can access.
#[pyclass(module = "inkbox._native", name = "UnlockFlow", extends = PyFlow)]
pub(crate) struct PyUnlockFlow;

#[pymethods]
impl PyUnlockFlow {
    #[new]
    #[pyo3(signature = (vault_key, identity_id=None))]
    fn new(py: Python<'_>, vault_key: SecretStr, identity_id: Option<&str>) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let vault_key = vault_key.get(py, "vault_key")?;
            let flow = match identity_id {
                Some(id) => UnlockFlow::for_identity(vault_key, id),
                None => UnlockFlow::new(vault_key),
            }
            .api_err(py)?;
            Ok((PyUnlockFlow, PyFlow::new(flow)))
        })
    }
}

/// Initializes the organization's vault (five Argon2id derivations).
#[pyclass(module = "inkbox._native", name = "InitializeFlow", extends = PyFlow)]
pub(crate) struct PyInitializeFlow;

#[pymethods]
impl PyInitializeFlow {
    #[new]
    fn new(py: Python<'_>, vault_key: SecretStr) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let flow = InitializeFlow::new(vault_key.get(py, "vault_key")?, &mut SysRng).api_err(py)?;
            Ok((PyInitializeFlow, PyFlow::new(flow)))
        })
    }
}

/// Changes the vault key, proven by the current key or a recovery code.
#[pyclass(module = "inkbox._native", name = "UpdateKeyFlow", extends = PyFlow)]
pub(crate) struct PyUpdateKeyFlow;

#[pymethods]
impl PyUpdateKeyFlow {
    #[new]
    #[pyo3(signature = (new_key, current_vault_key=None, recovery_code=None))]
    fn new(
        py: Python<'_>,
        new_key: SecretStr,
        current_vault_key: Option<SecretStr>,
        recovery_code: Option<SecretStr>,
    ) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let new_key = new_key.get(py, "new_key")?;
            let current_vault_key = SecretStr::opt_ref(current_vault_key.as_ref(), py, "current_vault_key")?;
            let recovery_code = SecretStr::opt_ref(recovery_code.as_ref(), py, "recovery_code")?;
            let proof = match (current_vault_key, recovery_code) {
                (Some(k), None) => Proof::current_key(k),
                (None, Some(c)) => Proof::recovery_code(c),
                _ => {
                    return Err(ApiError::Validation {
                        field: "current_vault_key".into(),
                        message: "give exactly one of current_vault_key and recovery_code".into(),
                    })
                    .api_err(py);
                }
            };
            let flow = UpdateKeyFlow::new(new_key, proof, &mut SysRng).api_err(py)?;
            Ok((PyUpdateKeyFlow, PyFlow::new(flow)))
        })
    }
}

/// Creates a secret (encrypted here); with `identity_id`, also grants that
/// identity access. The result is the created secret's metadata.
#[pyclass(module = "inkbox._native", name = "CreateSecretFlow", extends = PyFlow)]
pub(crate) struct PyCreateSecretFlow;

#[pymethods]
impl PyCreateSecretFlow {
    #[new]
    #[pyo3(signature = (unlocked, name, payload, description=None, identity_id=None))]
    fn new(
        py: Python<'_>,
        unlocked: PyRef<'_, PyUnlockedVault>,
        name: String,
        payload: &Bound<'_, PyAny>,
        description: Option<String>,
        identity_id: Option<&str>,
    ) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let mut secret = NewSecret::new(name, payload_from_py(py, payload)?);
            if let Some(d) = description {
                secret = secret.with_description(d);
            }
            let flow = CreateSecretFlow::new(&unlocked.vault, &secret, identity_id, &mut SysRng).api_err(py)?;
            Ok((PyCreateSecretFlow, PyFlow::new(flow)))
        })
    }
}

/// Fetches and decrypts one secret.
#[pyclass(module = "inkbox._native", name = "GetSecretFlow", extends = PyFlow)]
pub(crate) struct PyGetSecretFlow;

#[pymethods]
impl PyGetSecretFlow {
    #[new]
    fn new(py: Python<'_>, unlocked: PyRef<'_, PyUnlockedVault>, secret_id: &str) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let flow = GetSecretFlow::new(&unlocked.vault, secret_id).api_err(py)?;
            Ok((PyGetSecretFlow, PyFlow::new(flow)))
        })
    }
}

/// Updates a secret's name, description and/or payload (re-encrypted).
/// `clear_description=True` removes the description.
#[pyclass(module = "inkbox._native", name = "UpdateSecretFlow", extends = PyFlow)]
pub(crate) struct PyUpdateSecretFlow;

#[pymethods]
impl PyUpdateSecretFlow {
    #[new]
    #[pyo3(signature = (unlocked, secret_id, *, name=None, description=None, payload=None, clear_description=false))]
    fn new(
        py: Python<'_>,
        unlocked: PyRef<'_, PyUnlockedVault>,
        secret_id: &str,
        name: Option<String>,
        description: Option<String>,
        payload: Option<&Bound<'_, PyAny>>,
        clear_description: bool,
    ) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let description = match (description, clear_description) {
                (Some(d), false) => Patch::Set(d),
                (None, true) => Patch::Clear,
                (None, false) => Patch::Keep,
                (Some(_), true) => {
                    return Err(PyValueError::new_err("give description or clear_description=True, not both"));
                }
            };
            let payload = payload.map(|p| payload_from_py(py, p)).transpose()?;
            let changes = SecretChanges { name, description, payload };
            let flow = UpdateSecretFlow::new(&unlocked.vault, secret_id, changes, &mut SysRng).api_err(py)?;
            Ok((PyUpdateSecretFlow, PyFlow::new(flow)))
        })
    }
}

/// Sets (a `TOTPConfig`, a dict or an `otpauth://` URI) or removes (`None`)
/// a login's TOTP config. The result is the updated, decrypted secret.
#[pyclass(module = "inkbox._native", name = "TotpUpdateFlow", extends = PyFlow)]
pub(crate) struct PyTotpUpdateFlow;

#[pymethods]
impl PyTotpUpdateFlow {
    #[new]
    fn new(
        py: Python<'_>,
        unlocked: PyRef<'_, PyUnlockedVault>,
        secret_id: &str,
        totp: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(Self, PyFlow)> {
        guard(py, || {
            let flow = match totp {
                None => TotpUpdateFlow::remove(&unlocked.vault, secret_id, &mut SysRng),
                Some(t) => match t.cast::<PyString>() {
                    Ok(uri) => {
                        TotpUpdateFlow::set_uri(&unlocked.vault, secret_id, secret_text(py, uri, "totp")?, &mut SysRng)
                    }
                    Err(_) => {
                        let config = config_from_py(py, t, "totp")?;
                        TotpUpdateFlow::set(&unlocked.vault, secret_id, &config.inner, &mut SysRng)
                    }
                },
            }
            .api_err(py)?;
            Ok((PyTotpUpdateFlow, PyFlow::new(flow)))
        })
    }
}

// --------------------------------------------------------------- results

fn secret_type_to_py(py: Python<'_>, t: &SecretType) -> PyResult<Py<PyAny>> {
    match enum_member(py, "VaultSecretType", t.as_str()) {
        Ok(member) => Ok(member),
        Err(e) if e.is_instance_of::<PyValueError>(py) => Ok(PyString::new(py, t.as_str()).into_any().unbind()),
        Err(e) => Err(e),
    }
}

/// A secret with its decrypted, typed payload.
#[pyclass(module = "inkbox._native", name = "DecryptedVaultSecret", frozen)]
pub(crate) struct PyDecryptedSecret {
    inner: DecryptedSecret,
    payload: Py<PyAny>,
}

impl PyDecryptedSecret {
    fn new(py: Python<'_>, inner: DecryptedSecret) -> PyResult<Self> {
        let payload = payload_to_py(py, inner.payload.clone())?;
        Ok(PyDecryptedSecret { inner, payload })
    }
}

#[pymethods]
impl PyDecryptedSecret {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.secret.id
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.secret.name
    }

    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.secret.description.as_deref()
    }

    /// A `VaultSecretType`, or the raw string of a type this version does not know.
    #[getter]
    fn secret_type(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        secret_type_to_py(py, &self.inner.secret.secret_type)
    }

    /// ISO 8601.
    #[getter]
    fn created_at(&self) -> String {
        self.inner.secret.created_at.to_string()
    }

    /// ISO 8601.
    #[getter]
    fn updated_at(&self) -> String {
        self.inner.secret.updated_at.to_string()
    }

    /// The typed payload (`LoginPayload`, `APIKeyPayload`, ...).
    #[getter]
    fn payload(&self, py: Python<'_>) -> Py<PyAny> {
        self.payload.clone_ref(py)
    }

    /// The current TOTP code of a login with a TOTP config.
    #[pyo3(signature = (now=None))]
    fn totp_code(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<PyTotpCode> {
        guard(py, || code_at(py, &self.inner.payload, now))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "DecryptedVaultSecret(id={}, name={}, secret_type={}, payload=<redacted>)",
            repr_opt(py, Some(&self.inner.secret.id))?,
            repr_opt(py, Some(&self.inner.secret.name))?,
            repr_opt(py, Some(self.inner.secret.secret_type.as_str()))?,
        ))
    }
}

fn code_at(
    py: Python<'_>,
    payload: &inkbox_core::vault::SecretPayload,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTotpCode> {
    let now = unix_time(now)?.map_err(|()| ApiError::Totp(inkbox_core::totp::TotpError::InvalidTime)).api_err(py)?;
    Ok(core_flows::totp_code(payload, now).api_err(py)?.into())
}

/// The current TOTP code of a login payload (`vault.not_login` for other
/// payloads, `vault.no_totp` for a login without TOTP).
#[pyfunction]
#[pyo3(signature = (payload, now_unix=None))]
pub(crate) fn totp_code(
    py: Python<'_>,
    payload: &Bound<'_, PyAny>,
    now_unix: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTotpCode> {
    guard(py, || code_at(py, &payload_from_py(py, payload)?, now_unix))
}

/// An unlocked vault: the org key (zeroized when freed, never shown) and
/// the decrypted secrets.
#[pyclass(module = "inkbox._native", name = "UnlockedVault", frozen)]
pub(crate) struct PyUnlockedVault {
    vault: UnlockedVault,
    secrets: Vec<Py<PyDecryptedSecret>>,
}

impl PyUnlockedVault {
    fn new(py: Python<'_>, mut vault: UnlockedVault) -> PyResult<Self> {
        let secrets = std::mem::take(&mut vault.secrets)
            .into_iter()
            .map(|s| Py::new(py, PyDecryptedSecret::new(py, s)?))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyUnlockedVault { vault, secrets })
    }
}

#[pymethods]
impl PyUnlockedVault {
    /// A vault around a known org key with no secrets loaded (e.g. restored
    /// from secure storage); enough for the secret flows.
    #[staticmethod]
    fn from_org_key(py: Python<'_>, org_key: PyRef<'_, PyOrgKey>, organization_id: String) -> PyResult<Self> {
        let mut bytes = *org_key.0.as_bytes();
        let key = OrgKey::from_bytes(bytes);
        bytes.zeroize();
        PyUnlockedVault::new(py, UnlockedVault::new(key, organization_id))
    }

    #[getter]
    fn organization_id(&self) -> &str {
        &self.vault.organization_id
    }

    /// The id of the vault key (or recovery key) that opened the vault.
    #[getter]
    fn key_id(&self) -> &str {
        &self.vault.key_id
    }

    /// The decrypted secrets, in server order.
    #[getter]
    fn secrets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.secrets.iter().map(|s| s.clone_ref(py)))
    }

    /// `(id, error code)` of each secret that did not decrypt or parse.
    #[getter]
    fn undecryptable(&self) -> Vec<(String, &'static str)> {
        use inkbox_core::ErrorCode as _;
        self.vault.undecryptable.iter().map(|u| (u.secret.id.clone(), u.error.code())).collect()
    }

    /// A decrypted secret by id, or `None`.
    fn get_secret(&self, py: Python<'_>, secret_id: &str) -> Option<Py<PyDecryptedSecret>> {
        self.secrets.iter().find(|s| s.get().inner.secret.id == secret_id).map(|s| s.clone_ref(py))
    }

    /// The ids of the decrypted secrets.
    fn secret_ids(&self) -> Vec<String> {
        self.secrets.iter().map(|s| s.get().inner.secret.id.clone()).collect()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "UnlockedVault(organization_id={}, secrets={}, org_key=<redacted>)",
            repr_opt(py, Some(&self.vault.organization_id))?,
            self.secrets.len()
        ))
    }
}

/// The result of `InitializeFlow`: show the recovery codes once.
#[pyclass(module = "inkbox._native", name = "VaultInitializeResult", frozen)]
pub(crate) struct PyVaultInitializeResult(InitializedVault);

#[pymethods]
impl PyVaultInitializeResult {
    #[getter]
    fn vault_id(&self) -> &str {
        &self.0.vault_id
    }

    #[getter]
    fn vault_key_id(&self) -> &str {
        &self.0.vault_key_id
    }

    #[getter]
    fn organization_id(&self) -> &str {
        &self.0.organization_id
    }

    #[getter]
    fn recovery_key_count(&self) -> u64 {
        self.0.recovery_key_count
    }

    /// The recovery codes (secret: store them offline).
    #[getter]
    fn recovery_codes(&self) -> Vec<String> {
        self.0.recovery_keys.iter().map(|k| k.recovery_code.as_str().to_owned()).collect()
    }

    /// The ids of the recovery keys, in the order of `recovery_codes`.
    #[getter]
    fn recovery_key_ids(&self) -> Vec<String> {
        self.0.recovery_keys.iter().map(|k| k.id.clone()).collect()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "VaultInitializeResult(vault_id={}, organization_id={}, recovery_codes=<{} redacted>)",
            repr_opt(py, Some(&self.0.vault_id))?,
            repr_opt(py, Some(&self.0.organization_id))?,
            self.0.recovery_keys.len()
        ))
    }
}
