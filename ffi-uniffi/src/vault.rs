//! The vault: unlock (Argon2id off the caller's thread), the decrypted
//! secrets, creating and reading secrets and their TOTP, and the payload
//! crypto of the shared vectors. Keys stay in Rust (zeroized on drop, never
//! readable from the host); payloads cross as their wire JSON, only when
//! the caller asks for them.

use std::fmt;
use std::sync::Arc;

use getrandom::SysRng;
use inkbox_core::ErrorCode as _;
use inkbox_core::api::vault::VaultSecret;
use inkbox_core::api::vault_flows::{
    CreateSecretFlow, DecryptedSecret as CoreDecrypted, FlowOutput, GetSecretFlow, InitializeFlow, NewSecret,
    TotpCodeView, TotpUpdateFlow, UnlockFlow, UnlockedVault as CoreUnlocked,
};
use inkbox_core::totp::TotpConfig as CoreTotp;
use inkbox_core::vault::{self, MasterKey as CoreMasterKey, OrgKey as CoreOrgKey, SecretPayload};
use zeroize::Zeroizing;

use crate::client::{Client, ClientInner};
use crate::error::{InkboxError, now_unix};
use crate::flows::{off_thread, run};
use crate::totp::{TotpCode, TotpConfig};

fn secret_arg(text: &str, name: &str) -> Result<Zeroizing<String>, InkboxError> {
    if text.is_empty() {
        return Err(InkboxError::invalid(name, "must not be empty"));
    }
    Ok(Zeroizing::new(text.to_owned()))
}

fn unexpected(what: &str) -> InkboxError {
    InkboxError::internal("internal.flow", format!("the {what} flow ended with another result"))
}

fn now_secs() -> u64 {
    u64::try_from(now_unix()).unwrap_or(0)
}

/// The vault of the client's organization (`client.vault()`).
#[derive(uniffi::Object)]
pub struct VaultResource {
    client: Arc<ClientInner>,
}

impl fmt::Debug for VaultResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultResource { .. }")
    }
}

#[uniffi::export]
impl Client {
    /// The organization's vault.
    pub fn vault(&self) -> Arc<VaultResource> {
        Arc::new(VaultResource { client: Arc::clone(&self.inner) })
    }
}

#[uniffi::export]
impl VaultResource {
    /// Unlocks the vault with a vault key or a recovery code (with
    /// `identityId`: only that identity's secrets). Argon2id runs on a
    /// thread of its own.
    #[uniffi::method(default(identity_id = None))]
    pub async fn unlock(
        &self,
        vault_key: String,
        identity_id: Option<String>,
    ) -> Result<Arc<UnlockedVault>, InkboxError> {
        let key = secret_arg(&Zeroizing::new(vault_key), "vaultKey")?;
        let flow = match identity_id {
            Some(id) => UnlockFlow::for_identity(&key, &id)?,
            None => UnlockFlow::new(&key)?,
        };
        match run(&self.client, flow).await? {
            FlowOutput::Unlocked(v) => Ok(Arc::new(UnlockedVault { vault: v, client: Arc::clone(&self.client) })),
            _ => Err(unexpected("unlock")),
        }
    }

    /// Creates the organization's vault with its primary `vaultKey`; the
    /// answer holds the four recovery codes (show them once).
    pub async fn initialize(&self, vault_key: String) -> Result<Arc<InitializedVault>, InkboxError> {
        let key = secret_arg(&Zeroizing::new(vault_key), "vaultKey")?;
        let flow = InitializeFlow::new(&key, &mut SysRng)?;
        match run(&self.client, flow).await? {
            FlowOutput::Initialized(init) => Ok(Arc::new(InitializedVault {
                vault_id: init.vault_id,
                vault_key_id: init.vault_key_id,
                organization_id: init.organization_id,
                recovery_codes: init
                    .recovery_keys
                    .iter()
                    .map(|k| Zeroizing::new(k.recovery_code.as_str().to_owned()))
                    .collect(),
            })),
            _ => Err(unexpected("initialize")),
        }
    }
}

/// A newly created vault. The recovery codes are only readable through
/// `recoveryCodes()` (never in `toString`).
#[derive(uniffi::Object)]
pub struct InitializedVault {
    vault_id: String,
    vault_key_id: String,
    organization_id: String,
    recovery_codes: Vec<Zeroizing<String>>,
}

impl fmt::Debug for InitializedVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitializedVault").field("vault_id", &self.vault_id).finish_non_exhaustive()
    }
}

#[uniffi::export]
impl InitializedVault {
    pub fn vault_id(&self) -> String {
        self.vault_id.clone()
    }
    pub fn vault_key_id(&self) -> String {
        self.vault_key_id.clone()
    }
    pub fn organization_id(&self) -> String {
        self.organization_id.clone()
    }
    /// The four recovery codes.
    pub fn recovery_codes(&self) -> Vec<String> {
        self.recovery_codes.iter().map(|c| c.as_str().to_owned()).collect()
    }
}

/// An unlocked vault: the org key (never readable) and the decrypted secrets.
#[derive(uniffi::Object)]
pub struct UnlockedVault {
    vault: CoreUnlocked,
    client: Arc<ClientInner>,
}

impl fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockedVault").field("secrets", &self.vault.secrets.len()).finish_non_exhaustive()
    }
}

/// A secret that did not decrypt or parse, and why (a `vault.*` code).
#[derive(Debug, Clone, uniffi::Record)]
pub struct UndecryptableSecret {
    pub id: String,
    pub code: String,
}

#[uniffi::export]
impl UnlockedVault {
    pub fn organization_id(&self) -> String {
        self.vault.organization_id.clone()
    }

    /// The id of the vault key (or recovery key) that opened the vault.
    pub fn key_id(&self) -> String {
        self.vault.key_id.clone()
    }

    /// The decrypted secrets, in server order.
    pub fn secrets(&self) -> Vec<Arc<DecryptedSecret>> {
        self.vault.secrets.iter().cloned().map(|s| Arc::new(DecryptedSecret(s))).collect()
    }

    /// A decrypted secret of the unlock bundle by id.
    pub fn secret(&self, secret_id: String) -> Option<Arc<DecryptedSecret>> {
        self.vault.secret(&secret_id).cloned().map(|s| Arc::new(DecryptedSecret(s)))
    }

    /// The secrets that did not decrypt or parse.
    pub fn undecryptable(&self) -> Vec<UndecryptableSecret> {
        self.vault
            .undecryptable
            .iter()
            .map(|u| UndecryptableSecret { id: u.secret.id.clone(), code: u.error.code().to_owned() })
            .collect()
    }

    /// Encrypts and stores a new secret; `payloadJson` is the payload's wire
    /// JSON (its type inferred from its keys, as the official SDK infers
    /// it). With `identityId`, that identity is granted access.
    #[uniffi::method(default(description = None, identity_id = None))]
    pub async fn create_secret(
        &self,
        name: String,
        payload_json: String,
        description: Option<String>,
        identity_id: Option<String>,
    ) -> Result<VaultSecret, InkboxError> {
        let payload = SecretPayload::parse_inferred(Zeroizing::new(payload_json).as_bytes())?;
        let mut secret = NewSecret::new(name, payload);
        if let Some(d) = description {
            secret = secret.with_description(d);
        }
        let flow = CreateSecretFlow::new(&self.vault, &secret, identity_id.as_deref(), &mut SysRng)?;
        match run(&self.client, flow).await? {
            FlowOutput::Created(c) => Ok(c.secret),
            _ => Err(unexpected("create secret")),
        }
    }

    /// Fetches and decrypts one secret.
    pub async fn get_secret(&self, secret_id: String) -> Result<Arc<DecryptedSecret>, InkboxError> {
        let flow = GetSecretFlow::new(&self.vault, &secret_id)?;
        match run(&self.client, flow).await? {
            FlowOutput::Decrypted(d) => Ok(Arc::new(DecryptedSecret(d))),
            _ => Err(unexpected("get secret")),
        }
    }

    /// Sets a login's TOTP from an `otpauth://totp/` URI (`None`: removes it).
    pub async fn set_totp(
        &self,
        secret_id: String,
        totp_uri: Option<String>,
    ) -> Result<Arc<DecryptedSecret>, InkboxError> {
        let flow = match totp_uri {
            None => TotpUpdateFlow::remove(&self.vault, &secret_id, &mut SysRng)?,
            Some(uri) => TotpUpdateFlow::set_uri(&self.vault, &secret_id, &Zeroizing::new(uri), &mut SysRng)?,
        };
        match run(&self.client, flow).await? {
            FlowOutput::Decrypted(d) => Ok(Arc::new(DecryptedSecret(d))),
            _ => Err(unexpected("set TOTP")),
        }
    }

    /// Sets a login's TOTP from a configuration.
    pub async fn set_totp_config(
        &self,
        secret_id: String,
        config: Arc<TotpConfig>,
    ) -> Result<Arc<DecryptedSecret>, InkboxError> {
        let core: &CoreTotp = config.core();
        let flow = TotpUpdateFlow::set(&self.vault, &secret_id, core, &mut SysRng)?;
        match run(&self.client, flow).await? {
            FlowOutput::Decrypted(d) => Ok(Arc::new(DecryptedSecret(d))),
            _ => Err(unexpected("set TOTP")),
        }
    }
}

/// A decrypted secret: its metadata, the payload only through `payloadJson()`.
#[derive(uniffi::Object)]
pub struct DecryptedSecret(CoreDecrypted);

impl fmt::Debug for DecryptedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptedSecret").field("id", &self.0.secret.id).field("payload", &"<redacted>").finish()
    }
}

impl From<TotpCodeView> for TotpCode {
    fn from(c: TotpCodeView) -> Self {
        TotpCode {
            code: c.code,
            counter: c.counter,
            period_start: c.period_start,
            period_end: c.period_end,
            seconds_remaining: c.seconds_remaining,
        }
    }
}

#[uniffi::export]
impl DecryptedSecret {
    /// The secret's metadata (no payload).
    pub fn metadata(&self) -> VaultSecret {
        self.0.secret.clone()
    }
    pub fn id(&self) -> String {
        self.0.secret.id.clone()
    }
    pub fn name(&self) -> String {
        self.0.secret.name.clone()
    }
    /// `login`, `api_key`, `key_pair`, `ssh_key` or `other`.
    pub fn secret_type(&self) -> String {
        self.0.secret.secret_type.as_str().to_owned()
    }
    /// The decrypted payload as wire JSON (snake_case keys): the caller asked for it.
    pub fn payload_json(&self) -> String {
        self.0.payload.to_json().as_str().to_owned()
    }
    /// The login's TOTP code at `nowUnix` (default: now).
    #[uniffi::method(default(now_unix = None))]
    pub fn totp_code(&self, now_unix: Option<u64>) -> Result<TotpCode, InkboxError> {
        Ok(self.0.totp_code(now_unix.unwrap_or_else(now_secs))?.into())
    }
}

// ------------------------------------------------------- payload crypto

/// A master key derived from a vault key or recovery code (never readable).
#[derive(uniffi::Object)]
pub struct MasterKey(CoreMasterKey);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[uniffi::export]
impl MasterKey {
    /// The lowercase hex SHA-256 of the key: what the server stores.
    pub fn auth_hash(&self) -> String {
        self.0.auth_hash().as_str().to_owned()
    }
}

/// The organization's key (never readable).
#[derive(uniffi::Object)]
pub struct OrgKey(CoreOrgKey);

impl fmt::Debug for OrgKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OrgKey(<redacted>)")
    }
}

#[uniffi::export]
impl OrgKey {
    /// Decrypts `encryptedB64` (AAD: `secretId`) and answers the payload's
    /// wire JSON, its type inferred from its keys.
    pub fn decrypt_payload(&self, secret_id: String, encrypted_b64: String) -> Result<String, InkboxError> {
        let plaintext = vault::decrypt_plaintext(&self.0, &secret_id, &encrypted_b64)?;
        let payload = SecretPayload::parse_inferred(&plaintext)?;
        Ok(payload.to_json().as_str().to_owned())
    }

    /// Encrypts a payload's wire JSON for secret `secretId` (a fresh nonce).
    pub fn encrypt_payload(&self, secret_id: String, payload_json: String) -> Result<String, InkboxError> {
        let payload = SecretPayload::parse_inferred(Zeroizing::new(payload_json).as_bytes())?;
        Ok(vault::encrypt_payload(&self.0, &secret_id, &payload, &mut SysRng)?)
    }
}

/// Argon2id (t=3, 64 MiB) of `secret` salted with `organizationId`, on a
/// thread of its own.
#[uniffi::export]
pub async fn derive_master_key(secret: String, organization_id: String) -> Result<Arc<MasterKey>, InkboxError> {
    let secret = Zeroizing::new(secret);
    let key = off_thread(move || vault::derive_master_key(&secret, &organization_id)).await??;
    Ok(Arc::new(MasterKey(key)))
}

/// Unwraps the org key wrapped under `masterKey` for key `vaultKeyId`.
#[uniffi::export]
pub fn unwrap_org_key(
    master_key: Arc<MasterKey>,
    vault_key_id: String,
    wrapped_b64: String,
) -> Result<Arc<OrgKey>, InkboxError> {
    Ok(Arc::new(OrgKey(vault::unwrap_org_key(&master_key.0, &vault_key_id, &wrapped_b64)?)))
}

/// Checks a vault key against core's rules (a `vault.*` error when weak).
#[uniffi::export]
pub fn check_vault_key(vault_key: String) -> Result<(), InkboxError> {
    Ok(vault::check_vault_key(&Zeroizing::new(vault_key))?)
}
