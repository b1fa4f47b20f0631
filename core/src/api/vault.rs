//! The zero-knowledge vault: info, initialize, unlock bundle, vault keys,
//! encrypted secrets and their access rules (spec/vault.md).
//!
//! These are the single requests. All cryptography happens in the client
//! ([`crate::vault`]); the composite flows (unlock, initialize, change the
//! vault key, create/read/update secrets and TOTP) are sans-IO state machines
//! in [`super::vault_flows`].

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::catalog::Operation;
use super::error::ApiError;
use super::patch::Patch;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};
use crate::vault::{ClientUuid, SecretType};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/v1/vault/info` (404 = not initialized).
    pub const INFO: Operation = Operation::new("vault.info", Method::Get, "/api/v1/vault/info");
    /// `POST /api/v1/vault/initialize`
    pub const INITIALIZE: Operation = Operation::new("vault.initialize", Method::Post, "/api/v1/vault/initialize");
    /// `GET /api/v1/vault/unlock?auth_hash=…`
    pub const UNLOCK: Operation = Operation::new("vault.unlock", Method::Get, "/api/v1/vault/unlock");
    /// `GET /api/v1/vault/keys`
    pub const KEYS_LIST: Operation = Operation::new("vault.keys.list", Method::Get, "/api/v1/vault/keys");
    /// `DELETE /api/v1/vault/keys/{auth_hash}`
    pub const KEYS_REVOKE: Operation =
        Operation::new("vault.keys.revoke", Method::Delete, "/api/v1/vault/keys/{auth_hash}");
    /// `PUT /api/v1/vault/keys/primary`
    pub const KEYS_UPDATE_PRIMARY: Operation =
        Operation::new("vault.keys.update_primary", Method::Put, "/api/v1/vault/keys/primary");
    /// `GET /api/v1/vault/secrets`
    pub const SECRETS_LIST: Operation = Operation::new("vault.secrets.list", Method::Get, "/api/v1/vault/secrets");
    /// `POST /api/v1/vault/secrets`
    pub const SECRETS_CREATE: Operation = Operation::new("vault.secrets.create", Method::Post, "/api/v1/vault/secrets");
    /// `GET /api/v1/vault/secrets/{secret_id}`
    pub const SECRETS_GET: Operation =
        Operation::new("vault.secrets.get", Method::Get, "/api/v1/vault/secrets/{secret_id}");
    /// `PATCH /api/v1/vault/secrets/{secret_id}`
    pub const SECRETS_UPDATE: Operation =
        Operation::new("vault.secrets.update", Method::Patch, "/api/v1/vault/secrets/{secret_id}");
    /// `DELETE /api/v1/vault/secrets/{secret_id}`
    pub const SECRETS_DELETE: Operation =
        Operation::new("vault.secrets.delete", Method::Delete, "/api/v1/vault/secrets/{secret_id}");
    /// `GET /api/v1/vault/secrets/{secret_id}/access`
    pub const ACCESS_LIST: Operation =
        Operation::new("vault.secrets.access.list", Method::Get, "/api/v1/vault/secrets/{secret_id}/access");
    /// `POST /api/v1/vault/secrets/{secret_id}/access`
    pub const ACCESS_GRANT: Operation =
        Operation::new("vault.secrets.access.grant", Method::Post, "/api/v1/vault/secrets/{secret_id}/access");
    /// `DELETE /api/v1/vault/secrets/{secret_id}/access/{identity_id}`
    pub const ACCESS_REVOKE: Operation = Operation::new(
        "vault.secrets.access.revoke",
        Method::Delete,
        "/api/v1/vault/secrets/{secret_id}/access/{identity_id}",
    );
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[
    &ops::INFO,
    &ops::INITIALIZE,
    &ops::UNLOCK,
    &ops::KEYS_LIST,
    &ops::KEYS_REVOKE,
    &ops::KEYS_UPDATE_PRIMARY,
    &ops::SECRETS_LIST,
    &ops::SECRETS_CREATE,
    &ops::SECRETS_GET,
    &ops::SECRETS_UPDATE,
    &ops::SECRETS_DELETE,
    &ops::ACCESS_LIST,
    &ops::ACCESS_GRANT,
    &ops::ACCESS_REVOKE,
];

/// The number of recovery keys registered at initialization.
pub const RECOVERY_KEY_COUNT: usize = 4;

/// The longest secret name, in characters.
pub const SECRET_NAME_MAX_CHARS: usize = 255;

// ------------------------------------------------------------------ models

wire_enum! {
    /// `key_type` of a vault key.
    pub enum KeyType {
        /// The vault key chosen by the user (one active at a time).
        Primary = "primary",
        /// A recovery code (four at initialization; one-time use).
        Recovery = "recovery",
    }
}

impl From<crate::vault::VaultKeyType> for KeyType {
    fn from(value: crate::vault::VaultKeyType) -> Self {
        match value {
            crate::vault::VaultKeyType::Primary => KeyType::Primary,
            crate::vault::VaultKeyType::Recovery => KeyType::Recovery,
        }
    }
}

/// `GET /vault/info`: the organization's vault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultInfo {
    /// The vault's id (UUID).
    pub id: String,
    /// The organization (`org_…`); its UTF-8 bytes are the Argon2 salt.
    pub organization_id: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Number of primary keys (1 after initialization); absent → 0.
    #[serde(default)]
    pub key_count: u64,
    /// Number of secrets; absent → 0.
    #[serde(default)]
    pub secret_count: u64,
    /// Number of recovery keys (4 after initialization); absent → 0.
    #[serde(default)]
    pub recovery_key_count: u64,
}

/// A registered vault key (never includes wrapped material).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultKey {
    /// The key's id (client-generated UUID; the AAD of its wrapped org key).
    pub id: String,
    /// Primary or recovery.
    pub key_type: KeyType,
    /// Who registered it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// An identity's access to a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRule {
    /// The rule's id.
    pub id: String,
    /// The secret.
    pub vault_secret_id: String,
    /// The identity granted access.
    pub identity_id: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A secret's metadata (no payload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultSecret {
    /// The secret's id (client-generated UUID; the AAD of its payload).
    pub id: String,
    /// Display name (≤ 255 characters).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// `login`, `api_key`, `key_pair`, `ssh_key`, `other` (unknown kept verbatim).
    pub secret_type: SecretType,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// HEAD servers: the secret's access rules; absent → empty.
    #[serde(default)]
    pub access: Vec<AccessRule>,
}

/// A secret with its encrypted payload (`GET /vault/secrets/{id}`, and the
/// entries of the unlock bundle).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultSecretDetail {
    /// The metadata (its members are inline on the wire).
    #[serde(flatten)]
    pub secret: VaultSecret,
    /// Base64 AES-256-GCM blob of the payload JSON (AAD = the secret id).
    pub encrypted_payload: String,
}

/// One entry of the unlock bundle's plural list (sent when the request has no
/// `auth_hash`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKeyEntry {
    /// The vault key id.
    pub id: String,
    /// Its auth hash.
    pub auth_hash: String,
    /// The org key wrapped under it.
    pub wrapped_org_encryption_key: String,
}

/// `GET /vault/unlock`: the wrapped org key and every secret visible to the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockBundle {
    /// The org key wrapped under the key whose `auth_hash` was sent; `None`
    /// when no key matched.
    #[serde(default)]
    pub wrapped_org_encryption_key: Option<String>,
    /// Without `auth_hash`: every key's wrapped org key.
    #[serde(default)]
    pub wrapped_org_encryption_keys: Option<Vec<WrappedKeyEntry>>,
    /// All secrets visible to the caller, encrypted; absent → empty.
    #[serde(default)]
    pub encrypted_secrets: Vec<VaultSecretDetail>,
}

/// `KeyMaterial`: the registration body of one vault key. Nothing in it is
/// secret (a wrapped key and a hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMaterialRequest {
    /// Client-generated canonical UUID; the AAD of the wrapped key.
    pub id: String,
    /// Base64 blob of the org key under the key's master key.
    pub wrapped_org_encryption_key: String,
    /// Lowercase hex SHA-256 of the master key (64 characters).
    pub auth_hash: String,
    /// Primary or recovery.
    pub key_type: KeyType,
}

impl From<&crate::vault::KeyMaterial> for KeyMaterialRequest {
    fn from(m: &crate::vault::KeyMaterial) -> Self {
        KeyMaterialRequest {
            id: m.id().as_str().to_owned(),
            wrapped_org_encryption_key: m.wrapped_org_encryption_key().as_str().to_owned(),
            auth_hash: m.auth_hash().as_str().to_owned(),
            key_type: m.key_type().into(),
        }
    }
}

impl From<crate::vault::KeyMaterial> for KeyMaterialRequest {
    fn from(m: crate::vault::KeyMaterial) -> Self {
        KeyMaterialRequest::from(&m)
    }
}

/// Input of `POST /vault/initialize`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitializeVaultRequest {
    /// The primary key.
    pub vault_key: KeyMaterialRequest,
    /// Exactly four recovery keys.
    pub recovery_keys: Vec<KeyMaterialRequest>,
}

/// `POST /vault/initialize` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitializeVaultResponse {
    /// The new vault's id.
    pub vault_id: String,
    /// The primary key's id.
    pub vault_key_id: String,
    /// Recovery keys registered; absent → 0.
    #[serde(default)]
    pub recovery_key_count: u64,
}

/// The proof accompanying a new primary key: exactly one of the two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrimaryKeyProof {
    /// `current_auth_hash`: the auth hash of the current vault key.
    CurrentAuthHash(String),
    /// `recovery_auth_hash`: the auth hash of a recovery code (the server
    /// consumes that recovery key).
    RecoveryAuthHash(String),
}

impl PrimaryKeyProof {
    /// The auth hash carried.
    pub fn auth_hash(&self) -> &str {
        match self {
            PrimaryKeyProof::CurrentAuthHash(h) | PrimaryKeyProof::RecoveryAuthHash(h) => h,
        }
    }

    /// The wire field name.
    pub const fn field(&self) -> &'static str {
        match self {
            PrimaryKeyProof::CurrentAuthHash(_) => "current_auth_hash",
            PrimaryKeyProof::RecoveryAuthHash(_) => "recovery_auth_hash",
        }
    }
}

/// Input of `PUT /vault/keys/primary`:
/// `{"id", "wrapped_org_encryption_key", "auth_hash", "current_auth_hash" | "recovery_auth_hash"}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawUpdatePrimaryKey")]
pub struct UpdatePrimaryKeyRequest {
    /// The new key's id (client-generated canonical UUID).
    pub id: String,
    /// The org key wrapped under the new key's master key.
    pub wrapped_org_encryption_key: String,
    /// The new key's auth hash.
    pub auth_hash: String,
    /// The proof of authority.
    pub proof: PrimaryKeyProof,
}

impl UpdatePrimaryKeyRequest {
    /// From the new key's material (must be a primary key) and a proof.
    pub fn new(material: &crate::vault::KeyMaterial, proof: PrimaryKeyProof) -> Result<Self, ApiError> {
        if material.key_type() != crate::vault::VaultKeyType::Primary {
            return Err(ApiError::validation("key_type", "the new key must be a primary key"));
        }
        Ok(UpdatePrimaryKeyRequest {
            id: material.id().as_str().to_owned(),
            wrapped_org_encryption_key: material.wrapped_org_encryption_key().as_str().to_owned(),
            auth_hash: material.auth_hash().as_str().to_owned(),
            proof,
        })
    }
}

impl Serialize for UpdatePrimaryKeyRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("UpdatePrimaryKeyRequest", 4)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("wrapped_org_encryption_key", &self.wrapped_org_encryption_key)?;
        s.serialize_field("auth_hash", &self.auth_hash)?;
        s.serialize_field(self.proof.field(), self.proof.auth_hash())?;
        s.end()
    }
}

/// The wire shape of [`UpdatePrimaryKeyRequest`] before the one-proof check.
#[derive(Deserialize)]
struct RawUpdatePrimaryKey {
    id: String,
    wrapped_org_encryption_key: String,
    auth_hash: String,
    #[serde(default)]
    current_auth_hash: Option<String>,
    #[serde(default)]
    recovery_auth_hash: Option<String>,
}

impl TryFrom<RawUpdatePrimaryKey> for UpdatePrimaryKeyRequest {
    type Error = &'static str;
    fn try_from(raw: RawUpdatePrimaryKey) -> Result<Self, Self::Error> {
        let proof = match (raw.current_auth_hash, raw.recovery_auth_hash) {
            (Some(h), None) => PrimaryKeyProof::CurrentAuthHash(h),
            (None, Some(h)) => PrimaryKeyProof::RecoveryAuthHash(h),
            _ => return Err("exactly one of current_auth_hash and recovery_auth_hash is required"),
        };
        Ok(UpdatePrimaryKeyRequest {
            id: raw.id,
            wrapped_org_encryption_key: raw.wrapped_org_encryption_key,
            auth_hash: raw.auth_hash,
            proof,
        })
    }
}

/// Input of `POST /vault/secrets`. The payload must already be encrypted
/// under the org key with `id` as AAD (see
/// [`vault_flows::build_create_secret`](super::vault_flows::build_create_secret)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSecretRequest {
    /// Client-generated canonical UUID (v4); stored as given, it is the AAD.
    pub id: String,
    /// 1–255 characters.
    pub name: String,
    /// The payload's type.
    pub secret_type: SecretType,
    /// Base64 AES-256-GCM blob of the payload JSON.
    pub encrypted_payload: String,
    /// Omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Input of `PATCH /vault/secrets/{id}`. `secret_type` is immutable and never sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSecretRequest {
    /// New name (1–255 characters); omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description; [`Patch::Clear`] sends `null`.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub description: Patch<String>,
    /// New payload blob (fresh nonce, same AAD); omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_payload: Option<String>,
}

/// Input of `POST /vault/secrets/{id}/access`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantAccessRequest {
    /// The identity to grant access to.
    pub identity_id: String,
}

// -------------------------------------------------------------- validation

/// An auth hash: 64 lowercase hex characters.
fn check_auth_hash(field: &'static str, value: &str) -> Result<(), ApiError> {
    let ok = value.len() == 64 && value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok { Ok(()) } else { Err(ApiError::validation(field, "must be 64 lowercase hex characters")) }
}

/// A client-generated id: a canonical lowercase hyphenated UUID.
fn check_client_id(field: &'static str, value: &str) -> Result<(), ApiError> {
    ClientUuid::parse(value).map(drop).map_err(|_| ApiError::validation(field, "must be a lowercase hyphenated UUID"))
}

fn check_key_material(field: &'static str, m: &KeyMaterialRequest, expected: &KeyType) -> Result<(), ApiError> {
    check_client_id(field, &m.id)?;
    check_auth_hash(field, &m.auth_hash)?;
    validate::non_empty(field, &m.wrapped_org_encryption_key)?;
    if m.key_type != *expected {
        return Err(ApiError::validation(field, "wrong key_type"));
    }
    Ok(())
}

fn check_secret_name(value: &str) -> Result<(), ApiError> {
    validate::non_empty("name", value)?;
    validate::char_len("name", value, 1, SECRET_NAME_MAX_CHARS)
}

/// Normalizes a key-type filter: any ASCII case is accepted (the seed README
/// passes `"PRIMARY"`/`"RECOVERY"`) and the lowercase wire value is returned.
pub fn normalize_key_type(value: &str) -> Result<KeyType, ApiError> {
    match crate::vault::VaultKeyType::parse(value) {
        Some(t) => Ok(t.into()),
        None => Err(ApiError::validation("key_type", "must be primary or recovery")),
    }
}

// ---------------------------------------------------------------- builders

/// Builds `GET /api/v1/vault/info`.
pub fn build_info() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::INFO, &[])?.build())
}

/// Parses the vault info; a 404 means the organization has no vault yet and
/// gives `Ok(None)`.
pub fn parse_info(resp: &Response<'_>) -> Result<Option<VaultInfo>, ApiError> {
    if resp.status == 404 {
        return Ok(None);
    }
    parse::json(&ops::INFO, resp).map(Some)
}

/// Builds `POST /api/v1/vault/initialize`. Checks each key material (canonical
/// UUID ids, 64-hex auth hashes, key types) and that there are exactly four
/// recovery keys.
pub fn build_initialize(input: &InitializeVaultRequest) -> Result<Request, ApiError> {
    check_key_material("vault_key", &input.vault_key, &KeyType::Primary)?;
    if input.recovery_keys.len() != RECOVERY_KEY_COUNT {
        return Err(ApiError::validation("recovery_keys", "exactly 4 recovery keys are required"));
    }
    for m in &input.recovery_keys {
        check_key_material("recovery_keys", m, &KeyType::Recovery)?;
    }
    Ok(Request::builder(&ops::INITIALIZE, &[])?.json(input)?.build())
}

/// Parses the initialize response (409 = the organization already has a vault).
pub fn parse_initialize(resp: &Response<'_>) -> Result<InitializeVaultResponse, ApiError> {
    parse::json(&ops::INITIALIZE, resp)
}

/// Builds `GET /api/v1/vault/unlock?auth_hash=…` (the SDK always sends the hash).
pub fn build_unlock(auth_hash: &str) -> Result<Request, ApiError> {
    check_auth_hash("auth_hash", auth_hash)?;
    Ok(Request::builder(&ops::UNLOCK, &[])?.query("auth_hash", auth_hash).build())
}

/// Parses the unlock bundle.
pub fn parse_unlock(resp: &Response<'_>) -> Result<UnlockBundle, ApiError> {
    parse::json(&ops::UNLOCK, resp)
}

/// Builds `GET /api/v1/vault/keys[?type=primary|recovery]`. The filter is
/// accepted in any ASCII case (`"PRIMARY"` works) and sent lowercased;
/// anything else is refused.
pub fn build_list_keys(key_type: Option<&str>) -> Result<Request, ApiError> {
    let key_type = key_type.map(normalize_key_type).transpose()?;
    Ok(Request::builder(&ops::KEYS_LIST, &[])?.query_opt("type", key_type.as_ref().map(KeyType::as_str)).build())
}

/// Parses the key list.
pub fn parse_list_keys(resp: &Response<'_>) -> Result<Vec<VaultKey>, ApiError> {
    parse::json(&ops::KEYS_LIST, resp)
}

/// Builds `DELETE /api/v1/vault/keys/{auth_hash}` (revoke a key by its auth hash).
pub fn build_revoke_key(auth_hash: &str) -> Result<Request, ApiError> {
    check_auth_hash("auth_hash", auth_hash)?;
    Ok(Request::builder(&ops::KEYS_REVOKE, &[auth_hash])?.build())
}

/// Parses a key revocation.
pub fn parse_revoke_key(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::KEYS_REVOKE, resp)
}

/// Builds `PUT /api/v1/vault/keys/primary`.
pub fn build_update_primary_key(input: &UpdatePrimaryKeyRequest) -> Result<Request, ApiError> {
    check_client_id("id", &input.id)?;
    check_auth_hash("auth_hash", &input.auth_hash)?;
    validate::non_empty("wrapped_org_encryption_key", &input.wrapped_org_encryption_key)?;
    check_auth_hash(input.proof.field(), input.proof.auth_hash())?;
    Ok(Request::builder(&ops::KEYS_UPDATE_PRIMARY, &[])?.json(input)?.build())
}

/// Parses the new primary key.
pub fn parse_update_primary_key(resp: &Response<'_>) -> Result<VaultKey, ApiError> {
    parse::json(&ops::KEYS_UPDATE_PRIMARY, resp)
}

/// Builds `GET /api/v1/vault/secrets[?secret_type=…]` (metadata only). The
/// type is sent verbatim (the API's values are lowercase).
pub fn build_list_secrets(secret_type: Option<&str>) -> Result<Request, ApiError> {
    if let Some(t) = secret_type {
        validate::non_empty("secret_type", t)?;
    }
    Ok(Request::builder(&ops::SECRETS_LIST, &[])?.query_opt("secret_type", secret_type).build())
}

/// Parses the secret list.
pub fn parse_list_secrets(resp: &Response<'_>) -> Result<Vec<VaultSecret>, ApiError> {
    parse::json(&ops::SECRETS_LIST, resp)
}

/// Builds `POST /api/v1/vault/secrets`. Checks the id (canonical UUID), the
/// name (1–255 characters), a non-empty type and payload.
pub fn build_create_secret(input: &CreateSecretRequest) -> Result<Request, ApiError> {
    check_client_id("id", &input.id)?;
    check_secret_name(&input.name)?;
    validate::non_empty("secret_type", input.secret_type.as_str())?;
    validate::non_empty("encrypted_payload", &input.encrypted_payload)?;
    Ok(Request::builder(&ops::SECRETS_CREATE, &[])?.json(input)?.build())
}

/// Parses the created secret.
pub fn parse_create_secret(resp: &Response<'_>) -> Result<VaultSecret, ApiError> {
    parse::json(&ops::SECRETS_CREATE, resp)
}

/// Builds `GET /api/v1/vault/secrets/{secret_id}`.
pub fn build_get_secret(secret_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::SECRETS_GET, &[secret_id])?.build())
}

/// Parses a secret with its encrypted payload.
pub fn parse_get_secret(resp: &Response<'_>) -> Result<VaultSecretDetail, ApiError> {
    parse::json(&ops::SECRETS_GET, resp)
}

/// Builds `PATCH /api/v1/vault/secrets/{secret_id}`.
pub fn build_update_secret(secret_id: &str, input: &UpdateSecretRequest) -> Result<Request, ApiError> {
    if let Some(name) = &input.name {
        check_secret_name(name)?;
    }
    if let Some(p) = &input.encrypted_payload {
        validate::non_empty("encrypted_payload", p)?;
    }
    Ok(Request::builder(&ops::SECRETS_UPDATE, &[secret_id])?.json(input)?.build())
}

/// Parses the updated secret.
pub fn parse_update_secret(resp: &Response<'_>) -> Result<VaultSecret, ApiError> {
    parse::json(&ops::SECRETS_UPDATE, resp)
}

/// Builds `DELETE /api/v1/vault/secrets/{secret_id}`.
pub fn build_delete_secret(secret_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::SECRETS_DELETE, &[secret_id])?.build())
}

/// Parses a deletion.
pub fn parse_delete_secret(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::SECRETS_DELETE, resp)
}

/// Builds `GET /api/v1/vault/secrets/{secret_id}/access`.
pub fn build_list_access(secret_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::ACCESS_LIST, &[secret_id])?.build())
}

/// Parses a secret's access rules.
pub fn parse_list_access(resp: &Response<'_>) -> Result<Vec<AccessRule>, ApiError> {
    parse::json(&ops::ACCESS_LIST, resp)
}

/// Builds `POST /api/v1/vault/secrets/{secret_id}/access` with `{"identity_id"}`.
pub fn build_grant_access(secret_id: &str, identity_id: &str) -> Result<Request, ApiError> {
    validate::non_empty("identity_id", identity_id)?;
    let body = GrantAccessRequest { identity_id: identity_id.to_owned() };
    Ok(Request::builder(&ops::ACCESS_GRANT, &[secret_id])?.json(&body)?.build())
}

/// Parses the created access rule.
pub fn parse_grant_access(resp: &Response<'_>) -> Result<AccessRule, ApiError> {
    parse::json(&ops::ACCESS_GRANT, resp)
}

/// Builds `DELETE /api/v1/vault/secrets/{secret_id}/access/{identity_id}`.
pub fn build_revoke_access(secret_id: &str, identity_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::ACCESS_REVOKE, &[secret_id, identity_id])?.build())
}

/// Parses an access revocation.
pub fn parse_revoke_access(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::ACCESS_REVOKE, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::test_support::{body, ok};
    use alloc::string::ToString;

    const H1: &str = "c3b71df4dce9ed662fe4ef50fc4a3122b9341f7030b81fc40e3067ab7f09cbbb";
    const H2: &str = "f24364905dff77f57b9b6c382abf040054f00be7f4ec12d20dce4be8ee6fd1a0";
    const ID1: &str = "d4476e8b-020e-42b5-bcaf-d3103e5b2c88";
    const ID2: &str = "f1a61c29-e13a-461f-899f-81c71e8b8bc8";
    const SID: &str = "761051cc-b11d-4a8c-9d77-2cb250857ad5";
    const IDENT: &str = "4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b";
    const TS: &str = "2026-03-09T00:00:00Z";

    fn material(id: &str, hash: &str, key_type: KeyType) -> KeyMaterialRequest {
        KeyMaterialRequest {
            id: id.into(),
            wrapped_org_encryption_key: "d3JhcHBlZA==".into(),
            auth_hash: hash.into(),
            key_type,
        }
    }

    #[test]
    fn catalog_names_and_paths() {
        let names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        assert_eq!(
            names,
            [
                "vault.info",
                "vault.initialize",
                "vault.unlock",
                "vault.keys.list",
                "vault.keys.revoke",
                "vault.keys.update_primary",
                "vault.secrets.list",
                "vault.secrets.create",
                "vault.secrets.get",
                "vault.secrets.update",
                "vault.secrets.delete",
                "vault.secrets.access.list",
                "vault.secrets.access.grant",
                "vault.secrets.access.revoke",
            ]
        );
        for op in OPERATIONS {
            assert!(op.path.starts_with("/api/v1/vault/"), "{}", op.name);
            assert_eq!(op.auth, crate::api::Auth::ApiKey);
        }
    }

    #[test]
    fn info_golden_and_parse() {
        let r = build_info().unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Get, "/api/v1/vault/info", true));
        assert_eq!(r.header("accept"), Some("application/json"));
        let info = parse_info(&ok(r#"{"id":"9a1c0f4e-3d2b-4c5a-8e7f-6a5b4c3d2e1f","organization_id":"org_L5tJekJjBskOINmKsplzL8GWUWT","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00.123+00:00","key_count":1,"secret_count":3,"recovery_key_count":4,"future":true}"#))
            .unwrap()
            .unwrap();
        assert_eq!(info.organization_id, "org_L5tJekJjBskOINmKsplzL8GWUWT");
        assert_eq!((info.key_count, info.secret_count, info.recovery_key_count), (1, 3, 4));
        let back: VaultInfo = serde_json::from_str(&serde_json::to_string(&info).unwrap()).unwrap();
        assert_eq!(back, info);
        let sparse = parse_info(&ok(r#"{"id":"v","organization_id":"org_x1234567","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#)).unwrap().unwrap();
        assert_eq!(sparse.key_count, 0);
        // 404: not initialized.
        assert_eq!(parse_info(&Response::new(404, &[], br#"{"detail":"Vault not found"}"#)).unwrap(), None);
        let e = parse_info(&Response::new(403, &[], br#"{"detail":"Forbidden"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
        assert_eq!(parse_info(&ok("{}")).unwrap_err().code(), "api.decode");
    }

    #[test]
    fn initialize_golden_validation_and_parse() {
        let input = InitializeVaultRequest {
            vault_key: material(ID1, H1, KeyType::Primary),
            recovery_keys: (0..4).map(|_| material(ID2, H2, KeyType::Recovery)).collect(),
        };
        let r = build_initialize(&input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/vault/initialize"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let one = |id: &str, h: &str, t: &str| {
            alloc::format!(
                r#"{{"id":"{id}","wrapped_org_encryption_key":"d3JhcHBlZA==","auth_hash":"{h}","key_type":"{t}"}}"#
            )
        };
        let rec = one(ID2, H2, "recovery");
        let expected =
            alloc::format!(r#"{{"vault_key":{},"recovery_keys":[{rec},{rec},{rec},{rec}]}}"#, one(ID1, H1, "primary"));
        assert_eq!(body(&r), expected);
        let back: InitializeVaultRequest = serde_json::from_str(body(&r)).unwrap();
        assert_eq!(back, input);

        let mut bad = input.clone();
        bad.recovery_keys.pop();
        assert_eq!(build_initialize(&bad).unwrap_err().code(), "api.validation");
        let mut bad = input.clone();
        bad.vault_key.key_type = KeyType::Recovery;
        assert_eq!(build_initialize(&bad).unwrap_err().code(), "api.validation");
        let mut bad = input.clone();
        bad.recovery_keys[2].key_type = KeyType::Primary;
        assert!(build_initialize(&bad).is_err());
        let mut bad = input.clone();
        bad.vault_key.id = ID1.to_uppercase();
        assert!(build_initialize(&bad).is_err());
        let mut bad = input.clone();
        bad.vault_key.auth_hash = H1.to_uppercase();
        assert!(build_initialize(&bad).is_err());
        let mut bad = input;
        bad.recovery_keys[0].wrapped_org_encryption_key.clear();
        assert!(build_initialize(&bad).is_err());

        let resp = parse_initialize(&ok(r#"{"vault_id":"9a1c0f4e-3d2b-4c5a-8e7f-6a5b4c3d2e1f","vault_key_id":"d4476e8b-020e-42b5-bcaf-d3103e5b2c88","recovery_key_count":4,"x":null}"#)).unwrap();
        assert_eq!(resp.vault_key_id, ID1);
        assert_eq!(resp.recovery_key_count, 4);
        let e = parse_initialize(&Response::new(409, &[], br#"{"detail":"Vault already initialized"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.conflict");
    }

    #[test]
    fn key_material_converts_from_crypto_type() {
        use crate::vault::{KeyMaterial, MasterKey, OrgKey, VaultKeyType};
        let m = KeyMaterial::with_nonce(
            &MasterKey::from_bytes([3; 32]),
            &OrgKey::from_bytes([9; 32]),
            ClientUuid::parse(ID1).unwrap(),
            VaultKeyType::Recovery,
            &[0; 12],
        )
        .unwrap();
        let req = KeyMaterialRequest::from(&m);
        // Same bytes as the crypto type's own serialization.
        assert_eq!(serde_json::to_string(&req).unwrap(), serde_json::to_string(&m).unwrap());
        assert_eq!(req.key_type, KeyType::Recovery);
        let e = UpdatePrimaryKeyRequest::new(&m, PrimaryKeyProof::CurrentAuthHash(H1.into())).unwrap_err();
        assert_eq!(e.code(), "api.validation");
    }

    #[test]
    fn unlock_golden_and_parse() {
        let r = build_unlock(H1).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path_and_query, alloc::format!("/api/v1/vault/unlock?auth_hash={H1}"));
        assert!(r.body.is_none());
        assert_eq!(build_unlock("").unwrap_err().code(), "api.validation");
        assert!(build_unlock(&H1[..63]).is_err());
        assert!(build_unlock(&H1.to_uppercase()).is_err());

        let b = parse_unlock(&ok(&alloc::format!(
            r#"{{"wrapped_org_encryption_key":"zXiJ","wrapped_org_encryption_keys":null,"encrypted_secrets":[{{"id":"{SID}","name":"GitHub","description":null,"secret_type":"login","created_at":"{TS}","updated_at":"{TS}","encrypted_payload":"AAAA","extra":1}},{{"id":"s2","name":"Pass","secret_type":"passkey","created_at":"{TS}","updated_at":"{TS}","encrypted_payload":"BBBB"}}]}}"#
        )))
        .unwrap();
        assert_eq!(b.wrapped_org_encryption_key.as_deref(), Some("zXiJ"));
        assert_eq!(b.encrypted_secrets.len(), 2);
        assert_eq!(b.encrypted_secrets[0].secret.secret_type, SecretType::Login);
        assert_eq!(b.encrypted_secrets[0].encrypted_payload, "AAAA");
        assert_eq!(b.encrypted_secrets[1].secret.secret_type, SecretType::Unknown("passkey".into()));
        assert!(b.encrypted_secrets[1].secret.access.is_empty());
        let back: UnlockBundle = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
        assert_eq!(back, b);

        let b = parse_unlock(&ok(&alloc::format!(
            r#"{{"wrapped_org_encryption_key":null,"wrapped_org_encryption_keys":[{{"id":"{ID1}","auth_hash":"{H1}","wrapped_org_encryption_key":"zXiJ"}}]}}"#
        )))
        .unwrap();
        assert_eq!(b.wrapped_org_encryption_key, None);
        assert_eq!(b.wrapped_org_encryption_keys.unwrap()[0].id, ID1);
        assert!(b.encrypted_secrets.is_empty());
        let e = parse_unlock(&Response::new(401, &[], br#"{"detail":"Invalid API key"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.unauthorized");
    }

    #[test]
    fn keys_golden_and_parse() {
        assert_eq!(build_list_keys(None).unwrap().path_and_query, "/api/v1/vault/keys");
        assert_eq!(build_list_keys(Some("PRIMARY")).unwrap().path_and_query, "/api/v1/vault/keys?type=primary");
        assert_eq!(build_list_keys(Some("Recovery")).unwrap().path_and_query, "/api/v1/vault/keys?type=recovery");
        assert_eq!(build_list_keys(Some("primary")).unwrap().method, Method::Get);
        assert_eq!(build_list_keys(Some("backup")).unwrap_err().code(), "api.validation");
        assert!(build_list_keys(Some("")).is_err());
        let keys = parse_list_keys(&ok(&alloc::format!(
            r#"[{{"id":"{ID1}","key_type":"primary","created_by":"user_1","created_at":"{TS}","updated_at":"{TS}"}},{{"id":"{ID2}","key_type":"recovery","created_by":null,"created_at":"{TS}","updated_at":"{TS}","n":1}},{{"id":"k3","key_type":"hardware","created_at":"{TS}","updated_at":"{TS}"}}]"#
        )))
        .unwrap();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0].key_type, KeyType::Primary);
        assert_eq!(keys[1].created_by, None);
        assert_eq!(keys[2].key_type, KeyType::Unknown("hardware".into()));
        let back: Vec<VaultKey> = serde_json::from_str(&serde_json::to_string(&keys).unwrap()).unwrap();
        assert_eq!(back, keys);

        let r = build_revoke_key(H2).unwrap();
        assert_eq!((r.method, r.path_and_query.clone()), (Method::Delete, alloc::format!("/api/v1/vault/keys/{H2}")));
        assert!(r.body.is_none());
        assert!(build_revoke_key("../primary").is_err());
        parse_revoke_key(&Response::new(204, &[], b"")).unwrap();
        let e = parse_revoke_key(&Response::new(404, &[], br#"{"detail":"Key not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn update_primary_golden_and_parse() {
        let mut input = UpdatePrimaryKeyRequest {
            id: ID1.into(),
            wrapped_org_encryption_key: "d3JhcHBlZA==".into(),
            auth_hash: H1.into(),
            proof: PrimaryKeyProof::CurrentAuthHash(H2.into()),
        };
        let r = build_update_primary_key(&input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Put, "/api/v1/vault/keys/primary"));
        assert_eq!(
            body(&r),
            alloc::format!(
                r#"{{"id":"{ID1}","wrapped_org_encryption_key":"d3JhcHBlZA==","auth_hash":"{H1}","current_auth_hash":"{H2}"}}"#
            )
        );
        let back: UpdatePrimaryKeyRequest = serde_json::from_str(body(&r)).unwrap();
        assert_eq!(back, input);
        input.proof = PrimaryKeyProof::RecoveryAuthHash(H2.into());
        let r = build_update_primary_key(&input).unwrap();
        assert_eq!(
            body(&r),
            alloc::format!(
                r#"{{"id":"{ID1}","wrapped_org_encryption_key":"d3JhcHBlZA==","auth_hash":"{H1}","recovery_auth_hash":"{H2}"}}"#
            )
        );
        // Exactly one proof when parsing a body.
        let both = alloc::format!(
            r#"{{"id":"{ID1}","wrapped_org_encryption_key":"w","auth_hash":"{H1}","current_auth_hash":"{H2}","recovery_auth_hash":"{H2}"}}"#
        );
        assert!(serde_json::from_str::<UpdatePrimaryKeyRequest>(&both).is_err());
        let none = alloc::format!(r#"{{"id":"{ID1}","wrapped_org_encryption_key":"w","auth_hash":"{H1}"}}"#);
        assert!(serde_json::from_str::<UpdatePrimaryKeyRequest>(&none).is_err());
        input.proof = PrimaryKeyProof::RecoveryAuthHash("nothex".into());
        assert_eq!(build_update_primary_key(&input).unwrap_err().code(), "api.validation");
        input.proof = PrimaryKeyProof::CurrentAuthHash(H2.into());
        input.id = "not-a-uuid".into();
        assert!(build_update_primary_key(&input).is_err());

        let k = parse_update_primary_key(&ok(&alloc::format!(
            r#"{{"id":"{ID1}","key_type":"primary","created_by":"user_1","created_at":"{TS}","updated_at":"{TS}"}}"#
        )))
        .unwrap();
        assert_eq!(k.key_type, KeyType::Primary);
        let e = parse_update_primary_key(&Response::new(403, &[], br#"{"detail":"Invalid current vault key"}"#))
            .unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
    }

    #[test]
    fn secrets_list_and_create_golden_and_parse() {
        assert_eq!(build_list_secrets(None).unwrap().path_and_query, "/api/v1/vault/secrets");
        assert_eq!(
            build_list_secrets(Some("login")).unwrap().path_and_query,
            "/api/v1/vault/secrets?secret_type=login"
        );
        assert!(build_list_secrets(Some("")).is_err());
        let list = parse_list_secrets(&ok(&alloc::format!(
            r#"[{{"id":"{SID}","name":"GitHub","description":"ci bot","secret_type":"login","created_at":"{TS}","updated_at":"{TS}","access":[{{"id":"r1","vault_secret_id":"{SID}","identity_id":"{IDENT}","created_at":"{TS}"}}]}},{{"id":"s2","name":"K","description":null,"secret_type":"quantum_key","created_at":"{TS}","updated_at":"{TS}"}}]"#
        )))
        .unwrap();
        assert_eq!(list[0].access[0].identity_id, IDENT);
        assert_eq!(list[0].description.as_deref(), Some("ci bot"));
        assert_eq!(list[1].secret_type.as_str(), "quantum_key");
        assert!(list[1].access.is_empty());

        let mut input = CreateSecretRequest {
            id: SID.into(),
            name: "CRM Login".into(),
            secret_type: SecretType::Login,
            encrypted_payload: "QUJD".into(),
            description: None,
        };
        let r = build_create_secret(&input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/vault/secrets"));
        assert_eq!(
            body(&r),
            alloc::format!(r#"{{"id":"{SID}","name":"CRM Login","secret_type":"login","encrypted_payload":"QUJD"}}"#)
        );
        input.description = Some("CRM service account".into());
        let r = build_create_secret(&input).unwrap();
        assert_eq!(
            body(&r),
            alloc::format!(
                r#"{{"id":"{SID}","name":"CRM Login","secret_type":"login","encrypted_payload":"QUJD","description":"CRM service account"}}"#
            )
        );
        assert_eq!(serde_json::from_str::<CreateSecretRequest>(body(&r)).unwrap(), input);
        for bad in [
            CreateSecretRequest { name: "x".repeat(256), ..input.clone() },
            CreateSecretRequest { name: String::new(), ..input.clone() },
            CreateSecretRequest { id: "secret-uuid".into(), ..input.clone() },
            CreateSecretRequest { encrypted_payload: String::new(), ..input.clone() },
        ] {
            assert_eq!(build_create_secret(&bad).unwrap_err().code(), "api.validation");
        }
        assert!(build_create_secret(&CreateSecretRequest { name: "é".repeat(255), ..input }).is_ok());

        let s = parse_create_secret(&ok(&alloc::format!(
            r#"{{"id":"{SID}","name":"CRM Login","description":"CRM service account","secret_type":"login","created_at":"{TS}","updated_at":"{TS}"}}"#
        )))
        .unwrap();
        assert_eq!(s.id, SID);
        let e =
            parse_create_secret(&Response::new(422, &[], br#"{"detail":[{"loc":["body","name"],"msg":"too long"}]}"#))
                .unwrap_err();
        assert_eq!(e.code(), "api.unprocessable");
    }

    #[test]
    fn secret_get_update_delete_golden_and_parse() {
        let r = build_get_secret(SID).unwrap();
        assert_eq!((r.method, r.path_and_query.clone()), (Method::Get, alloc::format!("/api/v1/vault/secrets/{SID}")));
        assert!(r.body.is_none());
        assert!(build_get_secret("").is_err());
        assert_eq!(build_get_secret("a/b").unwrap().path_and_query, "/api/v1/vault/secrets/a%2Fb");
        let d = parse_get_secret(&ok(&alloc::format!(
            r#"{{"id":"{SID}","name":"GitHub","description":null,"secret_type":"login","created_at":"{TS}","updated_at":"{TS}","encrypted_payload":"xZ/eBz==","new":[]}}"#
        )))
        .unwrap();
        assert_eq!(d.secret.name, "GitHub");
        assert_eq!(d.encrypted_payload, "xZ/eBz==");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["encrypted_payload"], "xZ/eBz==");
        assert_eq!(json["secret_type"], "login");
        assert!(json.get("secret").is_none());
        let e = parse_get_secret(&Response::new(404, &[], br#"{"detail":"Secret not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        let missing_payload = alloc::format!(
            r#"{{"id":"{SID}","name":"GitHub","secret_type":"login","created_at":"{TS}","updated_at":"{TS}"}}"#
        );
        assert_eq!(parse_get_secret(&ok(&missing_payload)).unwrap_err().code(), "api.decode");

        let path = alloc::format!("/api/v1/vault/secrets/{SID}");
        let r = build_update_secret(SID, &UpdateSecretRequest::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), body(&r)), (Method::Patch, path.as_str(), "{}"));
        let input = UpdateSecretRequest {
            name: Some("New".into()),
            description: Patch::Clear,
            encrypted_payload: Some("QUJD".into()),
        };
        let r = build_update_secret(SID, &input).unwrap();
        assert_eq!(body(&r), r#"{"name":"New","description":null,"encrypted_payload":"QUJD"}"#);
        assert_eq!(serde_json::from_str::<UpdateSecretRequest>(body(&r)).unwrap(), input);
        let input = UpdateSecretRequest { description: Patch::Set("d".into()), ..Default::default() };
        assert_eq!(body(&build_update_secret(SID, &input).unwrap()), r#"{"description":"d"}"#);
        let bad = UpdateSecretRequest { name: Some("x".repeat(256)), ..Default::default() };
        assert_eq!(build_update_secret(SID, &bad).unwrap_err().code(), "api.validation");
        let bad = UpdateSecretRequest { encrypted_payload: Some(String::new()), ..Default::default() };
        assert!(build_update_secret(SID, &bad).is_err());
        let s = parse_update_secret(&ok(&alloc::format!(
            r#"{{"id":"{SID}","name":"New","description":null,"secret_type":"login","created_at":"{TS}","updated_at":"{TS}"}}"#
        )))
        .unwrap();
        assert_eq!(s.name, "New");

        let r = build_delete_secret(SID).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Delete, path.as_str(), true));
        parse_delete_secret(&Response::new(204, &[], b"")).unwrap();
        let e = parse_delete_secret(&Response::new(404, &[], br#"{"detail":"Secret not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn access_golden_and_parse() {
        let r = build_list_access(SID).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.clone()),
            (Method::Get, alloc::format!("/api/v1/vault/secrets/{SID}/access"))
        );
        let rules = parse_list_access(&ok(&alloc::format!(
            r#"[{{"id":"r1","vault_secret_id":"{SID}","identity_id":"{IDENT}","created_at":"{TS}","by":"x"}}]"#
        )))
        .unwrap();
        assert_eq!(rules[0].identity_id, IDENT);
        assert_eq!(parse_list_access(&ok("[]")).unwrap(), []);

        let r = build_grant_access(SID, IDENT).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.clone()),
            (Method::Post, alloc::format!("/api/v1/vault/secrets/{SID}/access"))
        );
        assert_eq!(body(&r), alloc::format!(r#"{{"identity_id":"{IDENT}"}}"#));
        assert_eq!(build_grant_access(SID, "").unwrap_err().code(), "api.validation");
        let rule = parse_grant_access(&ok(&alloc::format!(
            r#"{{"id":"r1","vault_secret_id":"{SID}","identity_id":"{IDENT}","created_at":"{TS}"}}"#
        )))
        .unwrap();
        assert_eq!(rule.vault_secret_id, SID);
        let e = parse_grant_access(&Response::new(409, &[], br#"{"detail":"Access already granted"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.conflict");

        let r = build_revoke_access(SID, IDENT).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.clone(), r.body.is_none()),
            (Method::Delete, alloc::format!("/api/v1/vault/secrets/{SID}/access/{IDENT}"), true)
        );
        assert!(build_revoke_access(SID, "").is_err());
        parse_revoke_access(&Response::new(204, &[], b"")).unwrap();
        let e = parse_revoke_access(&Response::new(500, &[], b"oops")).unwrap_err();
        assert_eq!(e.code(), "api.server_error");
        assert_eq!(e.to_string(), "HTTP 500: oops");
    }
}
