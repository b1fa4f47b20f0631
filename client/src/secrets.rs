//! The zero-knowledge vault: org-level management, the unlocked vault kept
//! in the client, and the identity's credentials and secret helpers.
//!
//! Every composite operation is one of core's sans-IO flows
//! ([`api::vault_flows`](inkbox_core::api::vault_flows)), driven to completion
//! by [`Inkbox::run_flow`]. Argon2id (64 MiB, a few hundred ms) runs inline on
//! the calling thread during unlock, initialize and key changes.

use std::ops::Deref;
use std::sync::{Arc, PoisonError};

use inkbox_core::api::ApiError;
use inkbox_core::api::vault::{self as v, AccessRule, VaultInfo, VaultKey, VaultSecret};
use inkbox_core::api::vault_flows::{
    self as flows, CreateSecretForIdentityFlow, DecryptedSecret, Flow, GetSecretFlow, IdentitySecret, InitializeFlow,
    InitializedVault, NewSecret, Proof, SecretChanges, TotpCodeView, TotpUpdateFlow, UndecryptableSecret, UnlockFlow,
    UpdateKeyFlow, UpdateSecretFlow,
};
use inkbox_core::totp::TotpConfig;
use inkbox_core::vault::{ApiKeyPayload, KeyPairPayload, LoginPayload, SecretPayload, SecretType, SshKeyPayload};
use zeroize::Zeroizing;

use crate::identity::Identity;
use crate::transport::EnvRng;
use crate::{Inkbox, Result};

/// Error code: a call needs the vault unlocked in this client first.
pub(crate) const VAULT_LOCKED: &str = inkbox_core::api::codes::VAULT_LOCKED;
/// Error code: the identity has no access to that credential.
pub(crate) const CREDENTIAL_NOT_FOUND: &str = inkbox_core::api::codes::CREDENTIALS_NOT_FOUND;
/// Error code: the credential is of another type than asked for.
pub(crate) const CREDENTIAL_WRONG_TYPE: &str = inkbox_core::api::codes::CREDENTIALS_WRONG_TYPE;

/// What the client keeps after an unlock: the unlocked vault and the key
/// that opened it (needed again to build an identity's credentials view).
pub(crate) struct VaultState {
    vault: Arc<flows::UnlockedVault>,
    key: Zeroizing<String>,
}

fn locked() -> ApiError {
    ApiError::Flow {
        code: VAULT_LOCKED,
        message: "the vault is locked: call inkbox.vault().unlock(vault_key) first".into(),
    }
}

impl Inkbox {
    /// The organization's vault.
    pub fn vault(&self) -> Vault<'_> {
        Vault { client: self }
    }

    /// Runs one of core's vault flows to completion: each request it asks
    /// for goes through [`Inkbox::send`] (retries and idempotency keys
    /// included) and the response is fed back, whatever its status.
    pub fn run_flow<F: Flow + ?Sized>(&self, flow: &mut F) -> Result<F::Output> {
        flows::drive(flow, |req| {
            let http = self.send(req.clone())?;
            Ok((http.status, http.headers, http.body))
        })
    }

    fn vault_state<T>(&self, f: impl FnOnce(&mut Option<VaultState>) -> T) -> T {
        let mut guard = self.inner.vault.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// The unlocked vault, or `vault.locked`.
    fn require_unlocked(&self) -> Result<Arc<flows::UnlockedVault>> {
        self.vault_state(|s| s.as_ref().map(|s| s.vault.clone())).ok_or_else(locked)
    }
}

/// The vault (`/api/v1/vault`).
#[derive(Clone, Copy, Debug)]
pub struct Vault<'a> {
    client: &'a Inkbox,
}

impl Vault<'_> {
    /// The vault's metadata; `None` when the organization has none yet.
    pub fn info(&self) -> Result<Option<VaultInfo>> {
        self.client.execute(v::build_info()?, v::parse_info)
    }

    /// Initializes the organization's vault with `vault_key` (≥ 16
    /// characters with upper, lower, digit and symbol). Returns the four
    /// recovery codes: show them once. Five Argon2id derivations.
    pub fn initialize(&self, vault_key: &str) -> Result<InitializedVault> {
        let mut flow = InitializeFlow::new(vault_key, &mut EnvRng(self.client.environment()))?;
        self.client.run_flow(&mut flow)
    }

    /// Unlocks the vault with the vault key or a recovery code, decrypting
    /// every secret visible to the caller. The unlocked vault is kept in the
    /// client (for the secret and credential helpers) until [`Vault::lock`].
    pub fn unlock(&self, vault_key_or_recovery_code: &str) -> Result<UnlockedVault> {
        let mut flow = UnlockFlow::new(vault_key_or_recovery_code)?;
        let vault = Arc::new(self.client.run_flow(&mut flow)?);
        let key = Zeroizing::new(vault_key_or_recovery_code.to_owned());
        self.client.vault_state(|s| *s = Some(VaultState { vault: vault.clone(), key }));
        Ok(UnlockedVault { client: self.client.clone(), vault })
    }

    /// Forgets the unlocked vault and its key.
    pub fn lock(&self) {
        self.client.vault_state(|s| *s = None);
    }

    /// The vault unlocked in this client, if any.
    pub fn unlocked(&self) -> Option<UnlockedVault> {
        let vault = self.client.vault_state(|s| s.as_ref().map(|s| s.vault.clone()))?;
        Some(UnlockedVault { client: self.client.clone(), vault })
    }

    /// Replaces the primary vault key, proven by the current key
    /// ([`Proof::current_key`]) or a recovery code ([`Proof::recovery_code`],
    /// which the server consumes). The new key must follow the vault-key
    /// rules. If the vault is unlocked here, the kept key becomes the new one.
    pub fn update_key(&self, new_vault_key: &str, proof: Proof) -> Result<VaultKey> {
        let mut flow = UpdateKeyFlow::new(new_vault_key, proof, &mut EnvRng(self.client.environment()))?;
        let key = self.client.run_flow(&mut flow)?;
        self.client.vault_state(|s| {
            if let Some(state) = s {
                state.key = Zeroizing::new(new_vault_key.to_owned());
            }
        });
        Ok(key)
    }

    /// The registered keys; `key_type` is `primary` or `recovery` (any case).
    pub fn list_keys(&self, key_type: Option<&str>) -> Result<Vec<VaultKey>> {
        self.client.execute(v::build_list_keys(key_type)?, v::parse_list_keys)
    }

    /// Revokes a vault key by its auth hash.
    pub fn revoke_key(&self, auth_hash: &str) -> Result<()> {
        self.client.execute(v::build_revoke_key(auth_hash)?, v::parse_revoke_key)
    }

    /// Secret metadata (no payloads), optionally of one `secret_type`.
    pub fn list_secrets(&self, secret_type: Option<&str>) -> Result<Vec<VaultSecret>> {
        self.client.execute(v::build_list_secrets(secret_type)?, v::parse_list_secrets)
    }

    /// Deletes a secret.
    pub fn delete_secret(&self, secret_id: &str) -> Result<()> {
        self.client.execute(v::build_delete_secret(secret_id)?, v::parse_delete_secret)
    }

    /// Which identities may access a secret.
    pub fn list_access_rules(&self, secret_id: &str) -> Result<Vec<AccessRule>> {
        self.client.execute(v::build_list_access(secret_id)?, v::parse_list_access)
    }

    /// Grants an identity access to a secret.
    pub fn grant_access(&self, secret_id: &str, identity_id: &str) -> Result<AccessRule> {
        self.client.execute(v::build_grant_access(secret_id, identity_id)?, v::parse_grant_access)
    }

    /// Revokes an identity's access to a secret.
    pub fn revoke_access(&self, secret_id: &str, identity_id: &str) -> Result<()> {
        self.client.execute(v::build_revoke_access(secret_id, identity_id)?, v::parse_revoke_access)
    }

    /// Fetches and decrypts one secret (needs the vault unlocked here).
    pub fn get_secret(&self, secret_id: &str) -> Result<DecryptedSecret> {
        UnlockedVault { client: self.client.clone(), vault: self.client.require_unlocked()? }.get_secret(secret_id)
    }

    /// Encrypts and stores a new secret (needs the vault unlocked here).
    pub fn create_secret(&self, secret: &NewSecret) -> Result<VaultSecret> {
        UnlockedVault { client: self.client.clone(), vault: self.client.require_unlocked()? }.create_secret(secret)
    }

    /// Renames, re-describes or re-encrypts a secret (needs the vault unlocked here).
    pub fn update_secret(&self, secret_id: &str, changes: SecretChanges) -> Result<VaultSecret> {
        UnlockedVault { client: self.client.clone(), vault: self.client.require_unlocked()? }
            .update_secret(secret_id, changes)
    }
}

/// An unlocked vault: the org key and the secrets decrypted at unlock
/// (dereferences to core's [`UnlockedVault`](flows::UnlockedVault):
/// `secrets`, `secret(id)`, `secrets_of_type(..)`, `undecryptable`), plus
/// calls that need the org key.
#[derive(Clone, Debug)]
pub struct UnlockedVault {
    client: Inkbox,
    vault: Arc<flows::UnlockedVault>,
}

impl Deref for UnlockedVault {
    type Target = flows::UnlockedVault;
    fn deref(&self) -> &flows::UnlockedVault {
        &self.vault
    }
}

impl UnlockedVault {
    /// Fetches and decrypts one secret (`GET /vault/secrets/{id}`).
    pub fn get_secret(&self, secret_id: &str) -> Result<DecryptedSecret> {
        self.client.run_flow(&mut GetSecretFlow::new(&self.vault, secret_id)?)
    }

    /// Encrypts a new secret (fresh id and nonce) and stores it.
    pub fn create_secret(&self, secret: &NewSecret) -> Result<VaultSecret> {
        let req = flows::build_create_secret(&self.vault, secret, &mut EnvRng(self.client.environment()))?;
        self.client.execute(req, v::parse_create_secret)
    }

    /// Renames, re-describes or re-encrypts a secret.
    pub fn update_secret(&self, secret_id: &str, changes: SecretChanges) -> Result<VaultSecret> {
        let mut flow = UpdateSecretFlow::new(&self.vault, secret_id, changes, &mut EnvRng(self.client.environment()))?;
        self.client.run_flow(&mut flow)
    }
}

// -------------------------------------------------------------- identity

impl Identity {
    /// The credentials this identity can access, decrypted: the vault is
    /// opened again for this identity and filtered by its access rules (one
    /// request per secret). Needs the vault unlocked in the client.
    pub fn credentials(&self) -> Result<Credentials> {
        let key = self.client.vault_state(|s| s.as_ref().map(|s| s.key.clone())).ok_or_else(locked)?;
        let mut flow = UnlockFlow::for_identity(&key, &self.data.id)?;
        Ok(Credentials { vault: self.client.run_flow(&mut flow)? })
    }

    /// Creates a secret and grants this identity access to it.
    pub fn create_secret(&self, secret: &NewSecret) -> Result<IdentitySecret> {
        let vault = self.client.require_unlocked()?;
        let mut flow =
            CreateSecretForIdentityFlow::new(&vault, &self.data.id, secret, &mut EnvRng(self.client.environment()))?;
        self.client.run_flow(&mut flow)
    }

    /// Fetches and decrypts a secret.
    pub fn get_secret(&self, secret_id: &str) -> Result<DecryptedSecret> {
        let vault = self.client.require_unlocked()?;
        self.client.run_flow(&mut GetSecretFlow::new(&vault, secret_id)?)
    }

    /// Deletes a secret.
    pub fn delete_secret(&self, secret_id: &str) -> Result<()> {
        self.client.vault().delete_secret(secret_id)
    }

    /// Revokes this identity's access to a secret (the secret stays).
    pub fn revoke_credential_access(&self, secret_id: &str) -> Result<()> {
        self.client.vault().revoke_access(secret_id, &self.data.id)
    }

    /// Adds (or replaces) the TOTP config of a login secret.
    pub fn set_totp(&self, secret_id: &str, config: &TotpConfig) -> Result<DecryptedSecret> {
        let vault = self.client.require_unlocked()?;
        let mut flow = TotpUpdateFlow::set(&vault, secret_id, config, &mut EnvRng(self.client.environment()))?;
        self.client.run_flow(&mut flow)
    }

    /// Adds (or replaces) the TOTP config of a login secret from an
    /// `otpauth://totp/…` URI.
    pub fn set_totp_uri(&self, secret_id: &str, otpauth_uri: &str) -> Result<DecryptedSecret> {
        let vault = self.client.require_unlocked()?;
        let mut flow = TotpUpdateFlow::set_uri(&vault, secret_id, otpauth_uri, &mut EnvRng(self.client.environment()))?;
        self.client.run_flow(&mut flow)
    }

    /// Removes the TOTP config of a login secret.
    pub fn remove_totp(&self, secret_id: &str) -> Result<DecryptedSecret> {
        let vault = self.client.require_unlocked()?;
        let mut flow = TotpUpdateFlow::remove(&vault, secret_id, &mut EnvRng(self.client.environment()))?;
        self.client.run_flow(&mut flow)
    }

    /// The current TOTP code of a login secret (fetched and decrypted; the
    /// code is computed locally with the client's clock).
    pub fn get_totp_code(&self, secret_id: &str) -> Result<TotpCodeView> {
        let secret = self.get_secret(secret_id)?;
        let now = u64::try_from(self.client.environment().now_unix()).unwrap_or(0);
        secret.totp_code(now)
    }
}

/// The credentials an identity can access, decrypted when
/// [`Identity::credentials`] was called (a snapshot; call it again to refresh).
#[derive(Debug)]
pub struct Credentials {
    vault: flows::UnlockedVault,
}

fn not_found(secret_id: &str) -> ApiError {
    ApiError::Flow {
        code: CREDENTIAL_NOT_FOUND,
        message: format!("no credential {secret_id} is accessible to this identity").into(),
    }
}

fn wrong_type(secret: &DecryptedSecret, wanted: &str) -> ApiError {
    ApiError::Flow {
        code: CREDENTIAL_WRONG_TYPE,
        message: format!("credential {} is a {}, not a {wanted}", secret.id(), secret.secret_type().as_str()).into(),
    }
}

impl Credentials {
    /// Every accessible credential.
    pub fn list(&self) -> &[DecryptedSecret] {
        &self.vault.secrets
    }

    /// Accessible secrets whose payload could not be decrypted or parsed.
    pub fn undecryptable(&self) -> &[UndecryptableSecret] {
        &self.vault.undecryptable
    }

    fn of_type(&self, t: SecretType) -> Vec<&DecryptedSecret> {
        self.vault.secrets.iter().filter(|s| *s.secret_type() == t).collect()
    }

    /// The logins.
    pub fn list_logins(&self) -> Vec<&DecryptedSecret> {
        self.of_type(SecretType::Login)
    }

    /// The API keys.
    pub fn list_api_keys(&self) -> Vec<&DecryptedSecret> {
        self.of_type(SecretType::ApiKey)
    }

    /// The key pairs.
    pub fn list_key_pairs(&self) -> Vec<&DecryptedSecret> {
        self.of_type(SecretType::KeyPair)
    }

    /// The SSH keys.
    pub fn list_ssh_keys(&self) -> Vec<&DecryptedSecret> {
        self.of_type(SecretType::SshKey)
    }

    /// One credential by id (`credentials.not_found` when not accessible).
    pub fn get(&self, secret_id: &str) -> Result<&DecryptedSecret> {
        self.vault.secret(secret_id).ok_or_else(|| not_found(secret_id))
    }

    /// A login's payload (`credentials.wrong_type` for another type).
    pub fn get_login(&self, secret_id: &str) -> Result<&LoginPayload> {
        let s = self.get(secret_id)?;
        match &s.payload {
            SecretPayload::Login(p) => Ok(p),
            _ => Err(wrong_type(s, "login")),
        }
    }

    /// An API key's payload.
    pub fn get_api_key(&self, secret_id: &str) -> Result<&ApiKeyPayload> {
        let s = self.get(secret_id)?;
        match &s.payload {
            SecretPayload::ApiKey(p) => Ok(p),
            _ => Err(wrong_type(s, "api_key")),
        }
    }

    /// A key pair's payload.
    pub fn get_key_pair(&self, secret_id: &str) -> Result<&KeyPairPayload> {
        let s = self.get(secret_id)?;
        match &s.payload {
            SecretPayload::KeyPair(p) => Ok(p),
            _ => Err(wrong_type(s, "key_pair")),
        }
    }

    /// An SSH key's payload.
    pub fn get_ssh_key(&self, secret_id: &str) -> Result<&SshKeyPayload> {
        let s = self.get(secret_id)?;
        match &s.payload {
            SecretPayload::SshKey(p) => Ok(p),
            _ => Err(wrong_type(s, "ssh_key")),
        }
    }
}
