//! Vault keys, payload classes and the crypto functions of
//! `inkbox.vault.crypto`.

use getrandom::SysRng;
use inkbox_core::vault::{
    self, ApiKeyPayload, ClientUuid, KeyMaterial, KeyPairPayload, LoginPayload, MasterKey, OrgKey, OtherPayload,
    RecoveryCode, SecretPayload, SecretType, SshKeyPayload, VaultKeyType,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};
use zeroize::{Zeroize as _, Zeroizing};

use crate::args::{SecretStr, secret_text};
use crate::convert::{repr_opt, text_arg, utf8_of};
use crate::errors::{CoreResult as _, guard};
use crate::totp::{PyTotpConfig, config_from_py};

fn key_bytes(data: &[u8], what: &str) -> PyResult<[u8; vault::KEY_LEN]> {
    data.try_into().map_err(|_| PyValueError::new_err(format!("{what} must be exactly 32 bytes")))
}

/// A 32-byte master key derived from a vault key or recovery code. Opaque:
/// zeroized when freed, never shown, compared in constant time.
#[pyclass(module = "inkbox._native", name = "MasterKey", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyMasterKey(pub(crate) MasterKey);

#[pymethods]
impl PyMasterKey {
    /// Wraps raw key bytes (restored from secure storage, or test vectors).
    #[staticmethod]
    fn from_bytes(key: &[u8]) -> PyResult<Self> {
        let mut bytes = key_bytes(key, "a master key")?;
        let key = MasterKey::from_bytes(bytes);
        bytes.zeroize();
        Ok(Self(key))
    }

    /// `hex(SHA-256(master key))`, the server's proof of knowledge.
    #[getter]
    fn auth_hash(&self) -> String {
        self.0.auth_hash().as_str().to_owned()
    }

    fn __repr__(&self) -> &'static str {
        "MasterKey(<redacted>)"
    }
}

/// The organization's 32-byte payload key. Opaque: zeroized when freed,
/// never shown, compared in constant time.
#[pyclass(module = "inkbox._native", name = "OrgKey", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyOrgKey(pub(crate) OrgKey);

#[pymethods]
impl PyOrgKey {
    /// Wraps raw key bytes (restored from secure storage, or test vectors).
    #[staticmethod]
    fn from_bytes(key: &[u8]) -> PyResult<Self> {
        let mut bytes = key_bytes(key, "an org key")?;
        let key = OrgKey::from_bytes(bytes);
        bytes.zeroize();
        Ok(Self(key))
    }

    /// A fresh random org key (from the operating system's CSPRNG).
    #[staticmethod]
    fn generate(py: Python<'_>) -> PyResult<Self> {
        Ok(Self(OrgKey::generate(&mut SysRng).py_err(py)?))
    }

    fn __repr__(&self) -> &'static str {
        "OrgKey(<redacted>)"
    }
}

/// Members of the `inkbox._enums` string enums, looked up once.
static ENUMS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

pub(crate) fn enum_member(py: Python<'_>, class: &str, value: &str) -> PyResult<Py<PyAny>> {
    let module = ENUMS.get_or_try_init(py, || py.import("inkbox._enums").map(Bound::unbind))?;
    Ok(module.bind(py).getattr(class)?.call1((value,))?.unbind())
}

fn redacted(present: bool) -> &'static str {
    if present { "<redacted>" } else { "None" }
}

fn replace_secret(slot: &mut String, value: String) {
    let mut old = std::mem::replace(slot, value);
    old.zeroize();
}

fn replace_opt_secret(slot: &mut Option<String>, value: Option<String>) {
    let mut old = std::mem::replace(slot, value);
    old.zeroize();
}

/// A payload class around a core payload type with string fields; `shown`
/// says whether `repr` may print a field (the rest are redacted, as core's
/// `Debug` does).
macro_rules! payload_class {
    (
        $py_name:literal, $Wrapper:ident, $Core:ident, $type_name:literal,
        required: [$(($req:ident, $set_req:ident, $req_shown:literal)),+],
        optional: [$(($opt:ident, $set_opt:ident, $opt_shown:literal)),*]
        $(, extra: { $($extra:item)* })?
    ) => {
        #[pyclass(module = "inkbox._native", name = $py_name, eq, skip_from_py_object)]
        #[derive(Clone, PartialEq)]
        pub(crate) struct $Wrapper(pub(crate) $Core);

        #[pymethods]
        impl $Wrapper {
            #[new]
            #[pyo3(signature = ($($req,)+ $($opt=None,)* *, notes=None))]
            fn new(
                py: Python<'_>,
                $($req: SecretStr,)+
                $($opt: Option<SecretStr>,)*
                notes: Option<SecretStr>,
            ) -> PyResult<Self> {
                let mut payload = $Core::new($($req.into_string(py, stringify!($req))?),+);
                $(payload.$opt = SecretStr::opt($opt, py, stringify!($opt))?;)*
                payload.notes = SecretStr::opt(notes, py, "notes")?;
                Ok(Self(payload))
            }

            #[classattr]
            fn secret_type(py: Python<'_>) -> PyResult<Py<PyAny>> {
                enum_member(py, "VaultSecretType", $type_name)
            }

            #[getter]
            fn notes(&self) -> Option<&str> {
                self.0.notes.as_deref()
            }

            #[setter]
            fn set_notes(&mut self, py: Python<'_>, value: Option<SecretStr>) -> PyResult<()> {
                replace_opt_secret(&mut self.0.notes, SecretStr::opt(value, py, "notes")?);
                Ok(())
            }

            $(
                #[getter]
                fn $req(&self) -> &str {
                    &self.0.$req
                }

                #[setter]
                fn $set_req(&mut self, py: Python<'_>, value: SecretStr) -> PyResult<()> {
                    replace_secret(&mut self.0.$req, value.into_string(py, stringify!($req))?);
                    Ok(())
                }
            )+

            $(
                #[getter]
                fn $opt(&self) -> Option<&str> {
                    self.0.$opt.as_deref()
                }

                #[setter]
                fn $set_opt(&mut self, py: Python<'_>, value: Option<SecretStr>) -> PyResult<()> {
                    replace_opt_secret(&mut self.0.$opt, SecretStr::opt(value, py, stringify!($opt))?);
                    Ok(())
                }
            )*

            $($($extra)*)?

            /// The fields that are set, as the reference's `_to_dict`.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let d = PyDict::new(py);
                if let Some(notes) = &self.0.notes {
                    d.set_item("notes", notes)?;
                }
                $(d.set_item(stringify!($req), &self.0.$req)?;)+
                $(
                    if let Some(value) = &self.0.$opt {
                        d.set_item(stringify!($opt), value)?;
                    }
                )*
                Ok(d)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let mut parts: Vec<String> = Vec::new();
                $(
                    let shown = if $req_shown { repr_opt(py, Some(&self.0.$req))? } else { "<redacted>".to_owned() };
                    parts.push(format!("{}={}", stringify!($req), shown));
                )+
                $(
                    let shown = if $opt_shown {
                        repr_opt(py, self.0.$opt.as_deref())?
                    } else {
                        redacted(self.0.$opt.is_some()).to_owned()
                    };
                    parts.push(format!("{}={}", stringify!($opt), shown));
                )*
                parts.push(format!("notes={}", redacted(self.0.notes.is_some())));
                Ok(format!("{}({})", $py_name, parts.join(", ")))
            }
        }
    };
}

payload_class!("APIKeyPayload", PyApiKeyPayload, ApiKeyPayload, "api_key",
required: [(api_key, set_api_key, false)],
optional: [(endpoint, set_endpoint, true)],
extra: {
    /// The key itself, under the name the README's credentials example
    /// prints (`key.payload.access_key`): a read-only alias of `api_key`.
    #[getter]
    fn access_key(&self) -> &str {
        &self.0.api_key
    }
});

payload_class!("KeyPairPayload", PyKeyPairPayload, KeyPairPayload, "key_pair",
    required: [(access_key, set_access_key, true), (secret_key, set_secret_key, false)],
    optional: [(endpoint, set_endpoint, true)]);

payload_class!("SSHKeyPayload", PySshKeyPayload, SshKeyPayload, "ssh_key",
    required: [(private_key, set_private_key, false)],
    optional: [(public_key, set_public_key, true), (fingerprint, set_fingerprint, true),
               (passphrase, set_passphrase, false)]);

payload_class!("OtherPayload", PyOtherPayload, OtherPayload, "other",
    required: [(data, set_data, false)],
    optional: []);

/// A `login` payload. `totp` is a shared `TOTPConfig` object (changes to it
/// are seen by the payload).
#[pyclass(module = "inkbox._native", name = "LoginPayload")]
pub(crate) struct PyLoginPayload {
    /// Everything but the TOTP config (kept as a Python object below).
    inner: LoginPayload,
    totp: Option<Py<PyTotpConfig>>,
}

fn totp_arg(py: Python<'_>, totp: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyTotpConfig>>> {
    match totp {
        None => Ok(None),
        Some(t) if t.is_none() => Ok(None),
        Some(t) => match t.cast::<PyTotpConfig>() {
            Ok(config) => Ok(Some(config.clone().unbind())),
            Err(_) => Ok(Some(Py::new(py, config_from_py(py, t, "totp")?)?)),
        },
    }
}

impl PyLoginPayload {
    fn to_core(&self, py: Python<'_>) -> LoginPayload {
        let mut login = self.inner.clone();
        login.totp = self.totp.as_ref().map(|t| t.borrow(py).inner.clone());
        login
    }

    fn from_core(py: Python<'_>, mut login: LoginPayload) -> PyResult<Self> {
        let totp = login.totp.take().map(|inner| Py::new(py, PyTotpConfig { inner })).transpose()?;
        Ok(Self { inner: login, totp })
    }
}

#[pymethods]
impl PyLoginPayload {
    #[new]
    #[pyo3(signature = (password, username=None, email=None, url=None, totp=None, *, notes=None))]
    fn new(
        py: Python<'_>,
        password: SecretStr,
        username: Option<SecretStr>,
        email: Option<SecretStr>,
        url: Option<SecretStr>,
        totp: Option<&Bound<'_, PyAny>>,
        notes: Option<SecretStr>,
    ) -> PyResult<Self> {
        let mut inner = LoginPayload::new(password.into_string(py, "password")?);
        inner.username = SecretStr::opt(username, py, "username")?;
        inner.email = SecretStr::opt(email, py, "email")?;
        inner.url = SecretStr::opt(url, py, "url")?;
        inner.notes = SecretStr::opt(notes, py, "notes")?;
        Ok(Self { inner, totp: totp_arg(py, totp)? })
    }

    #[classattr]
    fn secret_type(py: Python<'_>) -> PyResult<Py<PyAny>> {
        enum_member(py, "VaultSecretType", "login")
    }

    #[getter]
    fn password(&self) -> &str {
        &self.inner.password
    }

    #[setter]
    fn set_password(&mut self, py: Python<'_>, value: SecretStr) -> PyResult<()> {
        replace_secret(&mut self.inner.password, value.into_string(py, "password")?);
        Ok(())
    }

    #[getter]
    fn username(&self) -> Option<&str> {
        self.inner.username.as_deref()
    }

    #[setter]
    fn set_username(&mut self, py: Python<'_>, value: Option<SecretStr>) -> PyResult<()> {
        replace_opt_secret(&mut self.inner.username, SecretStr::opt(value, py, "username")?);
        Ok(())
    }

    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.email.as_deref()
    }

    #[setter]
    fn set_email(&mut self, py: Python<'_>, value: Option<SecretStr>) -> PyResult<()> {
        replace_opt_secret(&mut self.inner.email, SecretStr::opt(value, py, "email")?);
        Ok(())
    }

    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    #[setter]
    fn set_url(&mut self, py: Python<'_>, value: Option<SecretStr>) -> PyResult<()> {
        replace_opt_secret(&mut self.inner.url, SecretStr::opt(value, py, "url")?);
        Ok(())
    }

    #[getter]
    fn totp(&self, py: Python<'_>) -> Option<Py<PyTotpConfig>> {
        self.totp.as_ref().map(|t| t.clone_ref(py))
    }

    #[setter]
    fn set_totp(&mut self, py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.totp = totp_arg(py, value)?;
        Ok(())
    }

    #[getter]
    fn notes(&self) -> Option<&str> {
        self.inner.notes.as_deref()
    }

    #[setter]
    fn set_notes(&mut self, py: Python<'_>, value: Option<SecretStr>) -> PyResult<()> {
        replace_opt_secret(&mut self.inner.notes, SecretStr::opt(value, py, "notes")?);
        Ok(())
    }

    /// The fields that are set, as the reference's `_to_dict` (`totp` as its
    /// stored form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let login = &self.inner;
        if let Some(notes) = &login.notes {
            d.set_item("notes", notes)?;
        }
        d.set_item("password", &login.password)?;
        for (key, value) in [("username", &login.username), ("email", &login.email), ("url", &login.url)] {
            if let Some(value) = value {
                d.set_item(key, value)?;
            }
        }
        if let Some(totp) = &self.totp {
            d.set_item("totp", totp.bind(py).call_method0("to_dict")?)?;
        }
        Ok(d)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        match other.cast::<Self>() {
            Ok(other) => {
                let equal = self.to_core(py) == other.borrow().to_core(py);
                Ok(pyo3::types::PyBool::new(py, equal).to_owned().into_any().unbind())
            }
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let totp = match &self.totp {
            Some(t) => t.bind(py).repr()?.to_cow()?.into_owned(),
            None => "None".to_owned(),
        };
        Ok(format!(
            "LoginPayload(password=<redacted>, username={}, email={}, url={}, totp={}, notes={})",
            repr_opt(py, self.inner.username.as_deref())?,
            repr_opt(py, self.inner.email.as_deref())?,
            repr_opt(py, self.inner.url.as_deref())?,
            totp,
            redacted(self.inner.notes.is_some()),
        ))
    }
}

/// A core payload as an object of the matching class.
pub(crate) fn payload_to_py(py: Python<'_>, payload: SecretPayload) -> PyResult<Py<PyAny>> {
    Ok(match payload {
        SecretPayload::Login(login) => Py::new(py, PyLoginPayload::from_core(py, login)?)?.into_any(),
        SecretPayload::ApiKey(p) => Py::new(py, PyApiKeyPayload(p))?.into_any(),
        SecretPayload::KeyPair(p) => Py::new(py, PyKeyPairPayload(p))?.into_any(),
        SecretPayload::SshKey(p) => Py::new(py, PySshKeyPayload(p))?.into_any(),
        SecretPayload::Other(p) => Py::new(py, PyOtherPayload(p))?.into_any(),
    })
}

/// A payload object as the core payload.
pub(crate) fn payload_from_py(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<SecretPayload> {
    if let Ok(p) = obj.cast::<PyLoginPayload>() {
        return Ok(SecretPayload::Login(p.borrow().to_core(py)));
    }
    if let Ok(p) = obj.cast::<PyApiKeyPayload>() {
        return Ok(SecretPayload::ApiKey(p.borrow().0.clone()));
    }
    if let Ok(p) = obj.cast::<PyKeyPairPayload>() {
        return Ok(SecretPayload::KeyPair(p.borrow().0.clone()));
    }
    if let Ok(p) = obj.cast::<PySshKeyPayload>() {
        return Ok(SecretPayload::SshKey(p.borrow().0.clone()));
    }
    if let Ok(p) = obj.cast::<PyOtherPayload>() {
        return Ok(SecretPayload::Other(p.borrow().0.clone()));
    }
    Err(PyTypeError::new_err(
        "payload must be a LoginPayload, APIKeyPayload, KeyPairPayload, SSHKeyPayload or OtherPayload",
    ))
}

/// Argon2id (64 MiB, t=3) with the GIL released. `salt` is the organization
/// id (`str`, or its UTF-8 `bytes` as the reference's `derive_salt` returns).
#[pyfunction]
pub(crate) fn derive_master_key(
    py: Python<'_>,
    vault_key: &Bound<'_, PyString>,
    salt: &Bound<'_, PyAny>,
) -> PyResult<PyMasterKey> {
    guard(py, || {
        let password = Zeroizing::new(secret_text(py, vault_key, "vault_key")?.to_owned());
        let organization_id = text_arg(salt, "salt")?;
        let key = py.detach(|| vault::derive_master_key(&password, &organization_id)).py_err(py)?;
        Ok(PyMasterKey(key))
    })
}

#[pyfunction]
pub(crate) fn compute_auth_hash(master_key: PyRef<'_, PyMasterKey>) -> String {
    master_key.auth_hash()
}

#[pyfunction]
#[pyo3(signature = (master_key, org_key, vault_key_id=String::new()))]
pub(crate) fn wrap_org_key(
    py: Python<'_>,
    master_key: PyRef<'_, PyMasterKey>,
    org_key: PyRef<'_, PyOrgKey>,
    vault_key_id: String,
) -> PyResult<String> {
    guard(py, || {
        let wrapped = vault::wrap_org_key(&master_key.0, &vault_key_id, &org_key.0, &mut SysRng).py_err(py)?;
        Ok(wrapped.as_str().to_owned())
    })
}

#[pyfunction]
#[pyo3(signature = (master_key, wrapped_b64, vault_key_id=String::new()))]
pub(crate) fn unwrap_org_key(
    py: Python<'_>,
    master_key: PyRef<'_, PyMasterKey>,
    wrapped_b64: String,
    vault_key_id: String,
) -> PyResult<PyOrgKey> {
    guard(py, || Ok(PyOrgKey(vault::unwrap_org_key(&master_key.0, &vault_key_id, &wrapped_b64).py_err(py)?)))
}

/// The unlock flow's unwrap: tries each candidate vault key id as AAD in
/// order; returns the index of the one that matched and the org key.
#[pyfunction]
pub(crate) fn unwrap_org_key_with_candidates(
    py: Python<'_>,
    master_key: PyRef<'_, PyMasterKey>,
    wrapped_b64: String,
    vault_key_ids: Vec<String>,
) -> PyResult<(usize, PyOrgKey)> {
    guard(py, || {
        let (index, key) = vault::unwrap_org_key_with_candidates(
            &master_key.0,
            &wrapped_b64,
            vault_key_ids.iter().map(String::as_str),
        )
        .py_err(py)?;
        Ok((index, PyOrgKey(key)))
    })
}

#[pyfunction]
#[pyo3(signature = (org_key, payload, secret_id=String::new()))]
pub(crate) fn encrypt_payload(
    py: Python<'_>,
    org_key: PyRef<'_, PyOrgKey>,
    payload: &Bound<'_, PyAny>,
    secret_id: String,
) -> PyResult<String> {
    guard(py, || {
        let payload = payload_from_py(py, payload)?;
        vault::encrypt_payload(&org_key.0, &secret_id, &payload, &mut SysRng).py_err(py)
    })
}

/// Decrypts and parses into the payload class of `secret_type` (inferred
/// from the payload's shape when `None`).
#[pyfunction]
#[pyo3(signature = (org_key, encrypted_b64, secret_id=String::new(), secret_type=None))]
pub(crate) fn decrypt_payload(
    py: Python<'_>,
    org_key: PyRef<'_, PyOrgKey>,
    encrypted_b64: String,
    secret_id: String,
    secret_type: Option<String>,
) -> PyResult<Py<PyAny>> {
    guard(py, || {
        let payload = match secret_type {
            Some(t) => vault::decrypt_payload(&org_key.0, &secret_id, &SecretType::parse(&t), &encrypted_b64),
            None => vault::decrypt_plaintext(&org_key.0, &secret_id, &encrypted_b64)
                .and_then(|plaintext| SecretPayload::parse_inferred(&plaintext)),
        }
        .py_err(py)?;
        payload_to_py(py, payload)
    })
}

/// Raises `InkboxVaultKeyError` naming the first rule a new vault key breaks.
#[pyfunction]
pub(crate) fn check_vault_key(py: Python<'_>, vault_key: &Bound<'_, PyString>) -> PyResult<()> {
    guard(py, || vault::check_vault_key(secret_text(py, vault_key, "vault_key")?).py_err(py))
}

/// The registration body of one vault key (no secret in the clear).
#[pyclass(module = "inkbox._native", name = "VaultKeyMaterial", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyVaultKeyMaterial(KeyMaterial);

#[pymethods]
impl PyVaultKeyMaterial {
    /// The client-generated vault key id (`uuid.UUID`).
    #[getter]
    fn id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(py.import("uuid")?.getattr("UUID")?.call1((self.0.id().as_str(),))?.unbind())
    }

    #[getter]
    fn wrapped_org_encryption_key(&self) -> &str {
        self.0.wrapped_org_encryption_key().as_str()
    }

    #[getter]
    fn auth_hash(&self) -> &str {
        self.0.auth_hash().as_str()
    }

    #[getter]
    fn key_type(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        enum_member(py, "VaultKeyType", self.0.key_type().as_str())
    }

    /// The JSON body for `POST /vault/initialize` or `POST /vault/keys`.
    fn to_wire<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", self.0.id().as_str())?;
        d.set_item("wrapped_org_encryption_key", self.0.wrapped_org_encryption_key().as_str())?;
        d.set_item("auth_hash", self.0.auth_hash().as_str())?;
        d.set_item("key_type", self.0.key_type().as_str())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!("VaultKeyMaterial(id='{}', key_type='{}')", self.0.id().as_str(), self.0.key_type().as_str())
    }
}

fn material(
    py: Python<'_>,
    secret: &str,
    organization_id: &str,
    org_key: &OrgKey,
    key_type: VaultKeyType,
) -> PyResult<PyVaultKeyMaterial> {
    let master = py.detach(|| vault::derive_master_key(secret, organization_id)).py_err(py)?;
    let id = ClientUuid::generate(&mut SysRng).py_err(py)?;
    Ok(PyVaultKeyMaterial(KeyMaterial::new(&master, org_key, id, key_type, &mut SysRng).py_err(py)?))
}

/// Checks a new vault key, derives its master key (GIL released) and wraps
/// the org key under it with a fresh key id.
#[pyfunction]
#[pyo3(signature = (vault_key, organization_id, org_encryption_key, *, key_type=String::from("primary")))]
pub(crate) fn generate_vault_key_material(
    py: Python<'_>,
    vault_key: &Bound<'_, PyString>,
    organization_id: &Bound<'_, PyString>,
    org_encryption_key: PyRef<'_, PyOrgKey>,
    key_type: String,
) -> PyResult<PyVaultKeyMaterial> {
    guard(py, || {
        let key_type = VaultKeyType::parse(&key_type)
            .ok_or_else(|| PyValueError::new_err("key_type must be 'primary' or 'recovery'"))?;
        let vault_key = Zeroizing::new(secret_text(py, vault_key, "vault_key")?.to_owned());
        vault::check_vault_key(&vault_key).py_err(py)?;
        material(py, &vault_key, &utf8_of(organization_id)?, &org_encryption_key.0, key_type)
    })
}

/// A fresh recovery code (show it once) and its key material.
#[pyfunction]
pub(crate) fn generate_recovery_code(
    py: Python<'_>,
    organization_id: &Bound<'_, PyString>,
    org_encryption_key: PyRef<'_, PyOrgKey>,
) -> PyResult<(String, PyVaultKeyMaterial)> {
    guard(py, || {
        let code = RecoveryCode::generate(&mut SysRng).py_err(py)?;
        let material =
            material(py, code.as_str(), &utf8_of(organization_id)?, &org_encryption_key.0, VaultKeyType::Recovery)?;
        Ok((code.as_str().to_owned(), material))
    })
}
