//! `identity.credentials()`: Python's `identity.credentials`, the decrypted
//! secrets of the client's unlocked vault by type. As in Python it is read
//! from what the client's last `vault().unlock(...)` decrypted (all the
//! caller's secrets, or one identity's with `identityId`), with no request;
//! `vault.locked` before an unlock (or after `vault().lock()`). A snapshot:
//! call `credentials()` again after a secret changes.

use std::fmt;
use std::sync::Arc;

use inkbox_core::api::ApiError;
use inkbox_core::api::codes::{CREDENTIALS_NOT_FOUND, CREDENTIALS_WRONG_TYPE, VAULT_LOCKED};
use inkbox_core::api::vault_flows::DecryptedSecret as CoreDecrypted;
use inkbox_core::vault::SecretType;

use crate::error::InkboxError;
use crate::identity::Identity;
use crate::totp::TotpCode;
use crate::vault::{ApiKeyCredentials, DecryptedSecret, KeyPairCredentials, LoginCredentials, SshKeyCredentials};

/// The decrypted secrets of the unlocked vault when `identity.credentials()`
/// was called (payloads zeroized in Rust when this object is freed; never
/// in `toString`/`Debug`, which show only the count).
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Credentials {
    secrets: Vec<CoreDecrypted>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials({} secrets)", self.secrets.len())
    }
}

#[uniffi::export]
impl Identity {
    /// The vault secrets (Python's `identity.credentials`): the ones the
    /// client's unlocked vault holds, `vault.locked` (an
    /// `InkboxException.Flow`) when the client has none.
    pub fn credentials(&self) -> Result<Arc<Credentials>, InkboxError> {
        let state = self.client.unlocked().clone().ok_or_else(|| {
            InkboxError::from(ApiError::Flow {
                code: VAULT_LOCKED,
                message:
                    "Vault must be unlocked before accessing credentials. Call client.vault().unlock(vaultKey) first."
                        .into(),
            })
        })?;
        let secrets = state.cache().clone();
        Ok(Arc::new(Credentials { secrets }))
    }
}

impl Credentials {
    fn of_type(&self, t: SecretType) -> Vec<Arc<DecryptedSecret>> {
        self.secrets
            .iter()
            .filter(|s| s.secret.secret_type == t)
            .map(|s| Arc::new(DecryptedSecret(s.clone())))
            .collect()
    }

    fn find(&self, secret_id: &str) -> Result<&CoreDecrypted, InkboxError> {
        self.secrets.iter().find(|s| s.secret.id == secret_id).ok_or_else(|| {
            InkboxError::from(ApiError::Flow {
                code: CREDENTIALS_NOT_FOUND,
                message: format!("no credential {secret_id} is in the unlocked vault").into(),
            })
        })
    }

    /// The typed view `view` of a secret, `credentials.wrong_type` for another type.
    fn typed<T>(
        &self,
        secret_id: &str,
        wanted: SecretType,
        view: impl FnOnce(&DecryptedSecret) -> Option<T>,
    ) -> Result<T, InkboxError> {
        let secret = self.find(secret_id)?;
        view(&DecryptedSecret(secret.clone())).ok_or_else(|| wrong_type(secret, &wanted))
    }
}

fn wrong_type(secret: &CoreDecrypted, wanted: &SecretType) -> InkboxError {
    InkboxError::from(ApiError::Flow {
        code: CREDENTIALS_WRONG_TYPE,
        message: format!(
            "credential {} is a {}, not a {}",
            secret.secret.id,
            secret.secret.secret_type.as_str(),
            wanted.as_str()
        )
        .into(),
    })
}

#[uniffi::export]
impl Credentials {
    /// How many secrets (Python's `len(credentials)`).
    pub fn size(&self) -> u32 {
        u32::try_from(self.secrets.len()).unwrap_or(u32::MAX)
    }

    /// Every secret, in the unlocked vault's order.
    pub fn list(&self) -> Vec<Arc<DecryptedSecret>> {
        self.secrets.iter().map(|s| Arc::new(DecryptedSecret(s.clone()))).collect()
    }

    /// The login secrets.
    pub fn list_logins(&self) -> Vec<Arc<DecryptedSecret>> {
        self.of_type(SecretType::Login)
    }

    /// The API-key secrets.
    pub fn list_api_keys(&self) -> Vec<Arc<DecryptedSecret>> {
        self.of_type(SecretType::ApiKey)
    }

    /// The key-pair secrets.
    pub fn list_key_pairs(&self) -> Vec<Arc<DecryptedSecret>> {
        self.of_type(SecretType::KeyPair)
    }

    /// The SSH-key secrets.
    pub fn list_ssh_keys(&self) -> Vec<Arc<DecryptedSecret>> {
        self.of_type(SecretType::SshKey)
    }

    /// One secret by id (`credentials.not_found` when it is not here).
    pub fn get(&self, secret_id: String) -> Result<Arc<DecryptedSecret>, InkboxError> {
        Ok(Arc::new(DecryptedSecret(self.find(&secret_id)?.clone())))
    }

    /// A login's payload (`credentials.wrong_type` for another type).
    pub fn get_login(&self, secret_id: String) -> Result<Arc<LoginCredentials>, InkboxError> {
        self.typed(&secret_id, SecretType::Login, DecryptedSecret::login)
    }

    /// An API key's payload (`credentials.wrong_type` for another type).
    pub fn get_api_key(&self, secret_id: String) -> Result<Arc<ApiKeyCredentials>, InkboxError> {
        self.typed(&secret_id, SecretType::ApiKey, DecryptedSecret::api_key)
    }

    /// A key pair's payload (`credentials.wrong_type` for another type).
    pub fn get_key_pair(&self, secret_id: String) -> Result<Arc<KeyPairCredentials>, InkboxError> {
        self.typed(&secret_id, SecretType::KeyPair, DecryptedSecret::key_pair)
    }

    /// An SSH key's payload (`credentials.wrong_type` for another type).
    pub fn get_ssh_key(&self, secret_id: String) -> Result<Arc<SshKeyCredentials>, InkboxError> {
        self.typed(&secret_id, SecretType::SshKey, DecryptedSecret::ssh_key)
    }

    /// The TOTP code of a login at `nowUnix` (default: now), computed
    /// locally from the snapshot: `credentials.wrong_type` for another type,
    /// `vault.no_totp` for a login without TOTP.
    #[uniffi::method(default(now_unix = None))]
    pub fn get_totp_code(&self, secret_id: String, now_unix: Option<u64>) -> Result<TotpCode, InkboxError> {
        let secret = self.find(&secret_id)?;
        if secret.secret.secret_type != SecretType::Login {
            return Err(wrong_type(secret, &SecretType::Login));
        }
        DecryptedSecret(secret.clone()).totp_code(now_unix)
    }
}
