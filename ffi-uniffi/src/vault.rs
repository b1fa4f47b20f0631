//! The vault: unlock (Argon2id off the caller's thread), the decrypted
//! secrets, creating and reading secrets and their TOTP, and the payload
//! crypto of the shared vectors. Keys stay in Rust (zeroized on drop, never
//! readable from the host); payloads cross as their wire JSON, only when
//! the caller asks for them.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use getrandom::SysRng;
use inkbox_core::ErrorCode as _;
use inkbox_core::api::Patch;
use inkbox_core::api::vault::{self as vault_api, AccessRule, VaultInfo, VaultKey, VaultSecret};
use inkbox_core::api::vault_flows::{
    CreateSecretFlow, DecryptedSecret as CoreDecrypted, FlowOutput, GetSecretFlow, InitializeFlow, NewSecret, Proof,
    SecretChanges, TotpCodeView, TotpUpdateFlow, UnlockFlow, UnlockedVault as CoreUnlocked, UpdateKeyFlow,
    UpdateSecretFlow,
};
use inkbox_core::totp::TotpConfig as CoreTotp;
use inkbox_core::vault::{self, MasterKey as CoreMasterKey, OrgKey as CoreOrgKey, SecretPayload, SecretType};
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
    /// thread of its own. The client keeps the unlocked vault (replacing an
    /// earlier one) for `identity.credentials()` until `lock()`.
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
            FlowOutput::Unlocked(mut v) => {
                let secrets = Mutex::new(std::mem::take(&mut v.secrets));
                let state = Arc::new(VaultState { vault: v, secrets });
                *self.client.unlocked() = Some(Arc::clone(&state));
                Ok(Arc::new(UnlockedVault { state, client: Arc::clone(&self.client) }))
            }
            _ => Err(unexpected("unlock")),
        }
    }

    /// The vault the client's last `unlock` opened (Python's
    /// `vault.unlocked`), or `None` when locked.
    pub fn unlocked(&self) -> Option<Arc<UnlockedVault>> {
        let state = self.client.unlocked().clone()?;
        Some(Arc::new(UnlockedVault { state, client: Arc::clone(&self.client) }))
    }

    /// Forgets the client's unlocked vault: `identity.credentials()` fails
    /// with `vault.locked` until the next `unlock`. The org key and the
    /// secrets are zeroized once no `UnlockedVault` or `Credentials` the
    /// host still holds refers to them. (Not in Python, which has no lock;
    /// the Rust client's `vault().lock()`.)
    pub fn lock(&self) {
        *self.client.unlocked() = None;
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

    /// Replaces the primary vault key, proving exactly one of the current
    /// key or a recovery code (which the server then consumes). Argon2id
    /// runs twice, each on a thread of its own.
    #[uniffi::method(default(current_vault_key = None, recovery_code = None))]
    pub async fn update_key(
        &self,
        new_key: String,
        current_vault_key: Option<String>,
        recovery_code: Option<String>,
    ) -> Result<VaultKey, InkboxError> {
        let new_key = Zeroizing::new(new_key);
        let proof = match (current_vault_key.map(Zeroizing::new), recovery_code.map(Zeroizing::new)) {
            (Some(key), None) => Proof::current_key(&key),
            (None, Some(code)) => Proof::recovery_code(&code),
            _ => {
                return Err(InkboxError::invalid(
                    "currentVaultKey",
                    "give exactly one of currentVaultKey and recoveryCode",
                ));
            }
        };
        let flow = UpdateKeyFlow::new(&new_key, proof, &mut SysRng)?;
        match run(&self.client, flow).await? {
            FlowOutput::Key(k) => Ok(k),
            _ => Err(unexpected("update key")),
        }
    }

    /// The vault's metadata (key and secret counts), or `None` when it has
    /// not been initialized yet.
    pub async fn info(&self) -> Result<Option<VaultInfo>, InkboxError> {
        let answer = self.client.execute_built(vault_api::build_info()?).await?;
        Ok(vault_api::parse_info(&answer.response())?)
    }

    /// The vault keys, optionally of one type (`primary`, `recovery`).
    #[uniffi::method(default(key_type = None))]
    pub async fn list_keys(&self, key_type: Option<String>) -> Result<Vec<VaultKey>, InkboxError> {
        let kind = key_type.map(|k| k.to_ascii_lowercase());
        let answer = self.client.execute_built(vault_api::build_list_keys(kind.as_deref())?).await?;
        Ok(vault_api::parse_list_keys(&answer.response())?)
    }

    /// Revokes a vault key by its auth hash.
    pub async fn delete_key(&self, auth_hash: String) -> Result<(), InkboxError> {
        let answer = self.client.execute_built(vault_api::build_revoke_key(&auth_hash)?).await?;
        Ok(vault_api::parse_revoke_key(&answer.response())?)
    }

    /// The secrets' metadata (no payloads; no unlock needed), optionally of one type.
    #[uniffi::method(default(secret_type = None))]
    pub async fn list_secrets(&self, secret_type: Option<SecretType>) -> Result<Vec<VaultSecret>, InkboxError> {
        let kind = secret_type.as_ref().map(SecretType::as_str);
        let answer = self.client.execute_built(vault_api::build_list_secrets(kind)?).await?;
        Ok(vault_api::parse_list_secrets(&answer.response())?)
    }

    /// Deletes a secret (no unlock needed).
    pub async fn delete_secret(&self, secret_id: String) -> Result<(), InkboxError> {
        delete_secret(&self.client, &secret_id).await
    }

    /// Which identities can read a secret.
    pub async fn list_access_rules(&self, secret_id: String) -> Result<Vec<AccessRule>, InkboxError> {
        let answer = self.client.execute_built(vault_api::build_list_access(&secret_id)?).await?;
        Ok(vault_api::parse_list_access(&answer.response())?)
    }

    /// Lets an identity read a secret.
    pub async fn grant_access(&self, secret_id: String, identity_id: String) -> Result<AccessRule, InkboxError> {
        let answer = self.client.execute_built(vault_api::build_grant_access(&secret_id, &identity_id)?).await?;
        Ok(vault_api::parse_grant_access(&answer.response())?)
    }

    /// Removes an identity's access to a secret.
    pub async fn revoke_access(&self, secret_id: String, identity_id: String) -> Result<(), InkboxError> {
        let answer = self.client.execute_built(vault_api::build_revoke_access(&secret_id, &identity_id)?).await?;
        Ok(vault_api::parse_revoke_access(&answer.response())?)
    }
}

async fn delete_secret(client: &ClientInner, secret_id: &str) -> Result<(), InkboxError> {
    let answer = client.execute_built(vault_api::build_delete_secret(secret_id)?).await?;
    Ok(vault_api::parse_delete_secret(&answer.response())?)
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

/// What an unlock opened: the org key and the unlock's metadata (its
/// `secrets` moved to `secrets`), and the decrypted secrets. Shared by the
/// `UnlockedVault` objects of one unlock and the client that keeps it (it
/// refers to no client, so the client's reference makes no cycle).
pub(crate) struct VaultState {
    vault: CoreUnlocked,
    secrets: Mutex<Vec<CoreDecrypted>>,
}

impl VaultState {
    /// The known secrets (a panic elsewhere cannot poison them: each change is one assignment).
    pub(crate) fn cache(&self) -> MutexGuard<'_, Vec<CoreDecrypted>> {
        self.secrets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An unlocked vault: the org key (never readable) and the decrypted
/// secrets of the unlock, kept current by this object's own create, update,
/// TOTP and delete calls (as Python's `UnlockedVault` keeps them).
#[derive(uniffi::Object)]
pub struct UnlockedVault {
    state: Arc<VaultState>,
    client: Arc<ClientInner>,
}

impl fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockedVault").field("secrets", &self.cache().len()).finish_non_exhaustive()
    }
}

impl UnlockedVault {
    fn cache(&self) -> MutexGuard<'_, Vec<CoreDecrypted>> {
        self.state.cache()
    }

    /// Records a fetched or changed secret, replacing its older copy.
    fn remember(&self, secret: CoreDecrypted) -> Arc<DecryptedSecret> {
        let mut cache = self.cache();
        match cache.iter_mut().find(|s| s.secret.id == secret.secret.id) {
            Some(known) => *known = secret.clone(),
            None => cache.push(secret.clone()),
        }
        Arc::new(DecryptedSecret(secret))
    }

    fn decrypted(&self, out: FlowOutput, what: &str) -> Result<Arc<DecryptedSecret>, InkboxError> {
        match out {
            FlowOutput::Decrypted(d) => Ok(self.remember(d)),
            _ => Err(unexpected(what)),
        }
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
        self.state.vault.organization_id.clone()
    }

    /// The id of the vault key (or recovery key) that opened the vault.
    pub fn key_id(&self) -> String {
        self.state.vault.key_id.clone()
    }

    /// The decrypted secrets: the unlock's, in server order, then the ones
    /// this object created or fetched since.
    pub fn secrets(&self) -> Vec<Arc<DecryptedSecret>> {
        self.cache().iter().cloned().map(|s| Arc::new(DecryptedSecret(s))).collect()
    }

    /// The known decrypted secrets of one type (`SecretType.Login`: the
    /// logins; Python's `credentials.list_logins()` and its siblings).
    pub fn secrets_of_type(&self, secret_type: SecretType) -> Vec<Arc<DecryptedSecret>> {
        let cache = self.cache();
        cache
            .iter()
            .filter(|s| s.secret.secret_type == secret_type)
            .cloned()
            .map(|s| Arc::new(DecryptedSecret(s)))
            .collect()
    }

    /// A known decrypted secret by id (no request; `getSecret` fetches).
    pub fn secret(&self, secret_id: String) -> Option<Arc<DecryptedSecret>> {
        self.cache().iter().find(|s| s.secret.id == secret_id).cloned().map(|s| Arc::new(DecryptedSecret(s)))
    }

    /// The secrets that did not decrypt or parse.
    pub fn undecryptable(&self) -> Vec<UndecryptableSecret> {
        self.state
            .vault
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
        let payload = secret.payload.clone();
        let flow = CreateSecretFlow::new(&self.state.vault, &secret, identity_id.as_deref(), &mut SysRng)?;
        match run(&self.client, flow).await? {
            FlowOutput::Created(c) => {
                self.remember(CoreDecrypted { secret: c.secret.clone(), payload });
                Ok(c.secret)
            }
            _ => Err(unexpected("create secret")),
        }
    }

    /// Fetches and decrypts one secret.
    pub async fn get_secret(&self, secret_id: String) -> Result<Arc<DecryptedSecret>, InkboxError> {
        let flow = GetSecretFlow::new(&self.state.vault, &secret_id)?;
        self.decrypted(run(&self.client, flow).await?, "get secret")
    }

    /// Renames, re-describes and/or re-encrypts a secret (`payloadJson`: a
    /// new payload of the stored type, `vault.payload_type_mismatch`
    /// otherwise); `clearDescription` removes the description (JSON `null`).
    /// Arguments left `null` are not sent.
    #[uniffi::method(default(name = None, description = None, payload_json = None, clear_description = false))]
    pub async fn update_secret(
        &self,
        secret_id: String,
        name: Option<String>,
        description: Option<String>,
        payload_json: Option<String>,
        clear_description: bool,
    ) -> Result<VaultSecret, InkboxError> {
        let description = match (description, clear_description) {
            (Some(_), true) => {
                return Err(InkboxError::invalid("clearDescription", "give description or clearDescription, not both"));
            }
            (Some(d), false) => Patch::Set(d),
            (None, true) => Patch::Clear,
            (None, false) => Patch::Keep,
        };
        let payload = match payload_json {
            Some(json) => Some(SecretPayload::parse_inferred(Zeroizing::new(json).as_bytes())?),
            None => None,
        };
        let changes = SecretChanges { name, description, payload: payload.clone() };
        let flow = UpdateSecretFlow::new(&self.state.vault, &secret_id, changes, &mut SysRng)?;
        let meta = match run(&self.client, flow).await? {
            FlowOutput::Secret(meta) => meta,
            _ => return Err(unexpected("update secret")),
        };
        let known = self.cache().iter().find(|s| s.secret.id == meta.id).map(|s| s.payload.clone());
        if let Some(payload) = payload.or(known) {
            self.remember(CoreDecrypted { secret: meta.clone(), payload });
        }
        Ok(meta)
    }

    /// Deletes a secret and forgets it.
    pub async fn delete_secret(&self, secret_id: String) -> Result<(), InkboxError> {
        delete_secret(&self.client, &secret_id).await?;
        self.cache().retain(|s| s.secret.id != secret_id);
        Ok(())
    }

    /// Sets a login's TOTP from an `otpauth://totp/` URI (`None`: removes it).
    pub async fn set_totp(
        &self,
        secret_id: String,
        totp_uri: Option<String>,
    ) -> Result<Arc<DecryptedSecret>, InkboxError> {
        let flow = match totp_uri {
            None => TotpUpdateFlow::remove(&self.state.vault, &secret_id, &mut SysRng)?,
            Some(uri) => TotpUpdateFlow::set_uri(&self.state.vault, &secret_id, &Zeroizing::new(uri), &mut SysRng)?,
        };
        self.decrypted(run(&self.client, flow).await?, "set TOTP")
    }

    /// Removes a login's TOTP.
    pub async fn remove_totp(&self, secret_id: String) -> Result<Arc<DecryptedSecret>, InkboxError> {
        self.set_totp(secret_id, None).await
    }

    /// The TOTP code of a login at `nowUnix` (default: now), the secret
    /// fetched and decrypted first (`totp.*` when it has no TOTP).
    #[uniffi::method(default(now_unix = None))]
    pub async fn get_totp_code(&self, secret_id: String, now_unix: Option<u64>) -> Result<TotpCode, InkboxError> {
        self.get_secret(secret_id).await?.totp_code(now_unix)
    }

    /// Sets a login's TOTP from a configuration.
    pub async fn set_totp_config(
        &self,
        secret_id: String,
        config: Arc<TotpConfig>,
    ) -> Result<Arc<DecryptedSecret>, InkboxError> {
        let core: &CoreTotp = config.core();
        let flow = TotpUpdateFlow::set(&self.state.vault, &secret_id, core, &mut SysRng)?;
        self.decrypted(run(&self.client, flow).await?, "set TOTP")
    }
}

/// A decrypted secret: its metadata, the payload only through `payloadJson()`.
#[derive(uniffi::Object)]
pub struct DecryptedSecret(pub(crate) CoreDecrypted);

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

// ------------------------------------------------------- typed payloads

/// A typed view of one kind of payload: an Object (core's payload is
/// zeroized on drop and never in `Debug`), one getter per field, and the
/// `DecryptedSecret` accessor that answers it (`null` for another type). A
/// getter's copy is the caller's to guard.
macro_rules! payload_view {
    (
        $(#[$doc:meta])* $view:ident($core:ty, $variant:ident) via $accessor:ident
        { $($field:ident: $ty:ty),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(uniffi::Object)]
        #[uniffi::export(Debug)]
        pub struct $view($core);

        impl fmt::Debug for $view {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($view), "(<redacted>)"))
            }
        }

        #[uniffi::export]
        impl $view {
            $(
                /// The field of that name (a copy).
                pub fn $field(&self) -> $ty {
                    self.0.$field.clone()
                }
            )+
        }

        #[uniffi::export]
        impl DecryptedSecret {
            /// The payload as this typed view, or `None` for another type.
            pub fn $accessor(&self) -> Option<Arc<$view>> {
                match &self.0.payload {
                    SecretPayload::$variant(p) => Some(Arc::new($view(p.clone()))),
                    _ => None,
                }
            }
        }
    };
}

payload_view! {
    /// A login (Python's `credentials.get_login`); its TOTP through `totp()`.
    LoginCredentials(vault::LoginPayload, Login) via login {
        password: String,
        username: Option<String>,
        email: Option<String>,
        url: Option<String>,
        notes: Option<String>,
    }
}

payload_view! {
    /// An API key.
    ApiKeyCredentials(vault::ApiKeyPayload, ApiKey) via api_key {
        api_key: String,
        endpoint: Option<String>,
        notes: Option<String>,
    }
}

payload_view! {
    /// An access/secret key pair.
    KeyPairCredentials(vault::KeyPairPayload, KeyPair) via key_pair {
        access_key: String,
        secret_key: String,
        endpoint: Option<String>,
        notes: Option<String>,
    }
}

payload_view! {
    /// An SSH key.
    SshKeyCredentials(vault::SshKeyPayload, SshKey) via ssh_key {
        private_key: String,
        public_key: Option<String>,
        fingerprint: Option<String>,
        passphrase: Option<String>,
        notes: Option<String>,
    }
}

payload_view! {
    /// Free-form secret data.
    OtherCredentials(vault::OtherPayload, Other) via other {
        data: String,
        notes: Option<String>,
    }
}

#[uniffi::export]
impl LoginCredentials {
    /// The login's TOTP configuration, when it has one.
    pub fn totp(&self) -> Option<Arc<TotpConfig>> {
        self.0.totp.clone().map(|t| Arc::new(TotpConfig::from_core(t)))
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
