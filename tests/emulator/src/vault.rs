//! The zero-knowledge vault: wrapped org keys, auth hashes, encrypted secrets and their access rules.
//!
//! Nothing here decrypts anything: the emulator stores what clients send
//! (wrapped org keys, auth hashes, base64 ciphertext) and matches auth hashes.

use inkbox_core::api::common;
use inkbox_core::api::identities::VaultSecretIds;
use inkbox_core::api::patch::Patch;
use inkbox_core::api::request::Method;
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::vault::{
    AccessRule, CreateSecretRequest, GrantAccessRequest, InitializeVaultRequest, InitializeVaultResponse,
    KeyMaterialRequest, KeyType, PrimaryKeyProof, RECOVERY_KEY_COUNT, SECRET_NAME_MAX_CHARS, UnlockBundle,
    UpdatePrimaryKeyRequest, UpdateSecretRequest, VaultInfo, VaultKey, VaultSecret, VaultSecretDetail,
    normalize_key_type,
};
use inkbox_core::vault::SecretType;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, Caller, Ctx, Reply, unprocessable};
use crate::handlers::{R, admin_only};
use crate::state::State;
use crate::util::uuid4;

/// Largest `encrypted_payload` accepted, in base64 characters (emulator's choice).
pub(crate) const MAX_PAYLOAD_CHARS: usize = 1024 * 1024;

/// Largest wrapped org key accepted, in base64 characters (emulator's choice).
const MAX_WRAPPED_CHARS: usize = 4096;

/// Why a vault key is no longer usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KeyStatus {
    Active,
    /// `DELETE /vault/keys/{auth_hash}`.
    Revoked,
    /// A recovery key used as proof for a new primary key (one-time).
    Consumed,
    /// A primary key replaced by `PUT /vault/keys/primary`.
    Replaced,
}

/// An organization's vault.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct VaultRec {
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
}

/// A registered vault key: what the client sent, plus its lifecycle.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct KeyRec {
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) key_type: KeyType,
    /// Lowercase hex.
    pub(crate) auth_hash: String,
    pub(crate) wrapped_org_encryption_key: String,
    pub(crate) created_by: Option<String>,
    pub(crate) status: KeyStatus,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    #[serde(default)]
    pub(crate) ended_at: Option<Timestamp>,
}

/// A stored secret (metadata in clear, payload as the client's ciphertext).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SecretRec {
    /// Stored exactly as the client sent it (it is the payload's AAD).
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) secret_type: SecretType,
    pub(crate) encrypted_payload: String,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
}

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct VaultState {
    /// At most one per organization.
    #[serde(default)]
    pub(crate) vaults: crate::table::Table<VaultRec>,
    /// Every key ever registered (inactive ones keep their status).
    #[serde(default)]
    pub(crate) keys: crate::table::Table<KeyRec>,
    /// Secrets in creation order.
    #[serde(default)]
    pub(crate) secrets: crate::table::Table<SecretRec>,
    /// Identity access rules.
    #[serde(default)]
    pub(crate) access: crate::table::Table<AccessRule>,
}

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "vault.info" => info(s, ctx),
        "vault.initialize" => initialize(s, ctx),
        "vault.unlock" => unlock(s, ctx),
        "vault.keys.list" => list_keys(s, ctx),
        "vault.keys.revoke" => revoke_key(s, ctx),
        "vault.keys.update_primary" => update_primary(s, ctx),
        "vault.secrets.list" => list_secrets(s, ctx),
        "vault.secrets.create" => create_secret(s, ctx),
        "vault.secrets.get" => get_secret(s, ctx),
        "vault.secrets.update" => update_secret(s, ctx),
        "vault.secrets.delete" => delete_secret(s, ctx),
        "vault.secrets.access.list" => list_access(s, ctx),
        "vault.secrets.access.grant" => grant_access(s, ctx),
        "vault.secrets.access.revoke" => revoke_access(s, ctx),
        _ => return None,
    })
}

/// Handles a control-API route (`/_emulator/…`, admin key already checked)
/// if it belongs to this module. Called without the state lock held: use
/// [`App::read`] / [`App::mutate`].
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    let _ = ctx;
    if path != "/_emulator/vault" {
        return None;
    }
    if method != Method::Get {
        return Some(Reply::detail(405, "Method Not Allowed"));
    }
    Some(app.read(|s, _| Reply::json(200, snapshot(s))))
}

/// Everything the vault holds, without ciphertext (`GET /_emulator/vault`).
fn snapshot(s: &State) -> Value {
    let v = &s.vault;
    json!({
        "vaults": v.vaults,
        "keys": v.keys.iter().map(|k| json!({
            "id": k.id, "organization_id": k.organization_id, "key_type": k.key_type,
            "auth_hash": k.auth_hash, "status": k.status, "created_by": k.created_by,
            "created_at": k.created_at, "ended_at": k.ended_at,
        })).collect::<Vec<_>>(),
        "secrets": v.secrets.iter().map(|x| json!({
            "id": x.id, "organization_id": x.organization_id, "name": x.name, "secret_type": x.secret_type,
            "encrypted_payload_chars": x.encrypted_payload.len(), "created_at": x.created_at,
            "updated_at": x.updated_at,
        })).collect::<Vec<_>>(),
        "access": v.access,
    })
}

// ------------------------------------------------------------- helpers

fn not_initialized() -> Reply {
    Reply::detail(404, "Vault not initialized for this organization")
}

/// The caller's organization and, for identity-scoped keys, its identity.
fn caller(ctx: &Ctx) -> Result<(String, Option<String>), Reply> {
    match &ctx.caller {
        Caller::Admin { org_id, .. } => Ok((org_id.clone(), None)),
        Caller::Agent { org_id, identity_id, .. } => Ok((org_id.clone(), Some(identity_id.clone()))),
        Caller::Anonymous => Err(Reply::detail(401, "Invalid or missing API key")),
    }
}

fn vault_index(s: &State, org: &str) -> Result<usize, Reply> {
    s.vault.vaults.iter().position(|v| v.organization_id == org).ok_or_else(not_initialized)
}

fn touch_vault(s: &mut State, org: &str, now: Timestamp) {
    for v in s.vault.vaults.iter_mut().filter(|v| v.organization_id == org) {
        v.updated_at = now;
    }
}

/// 64 hex characters (any case); returned lowercased.
fn auth_hash(field: &str, value: &str) -> Result<String, Reply> {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(unprocessable(&format!("{field} must be 64 hex characters (SHA-256)")))
    }
}

/// A non-empty standard base64 string of at most `max` characters.
fn base64_field(field: &str, value: &str, max: usize) -> Result<(), Reply> {
    if value.is_empty() {
        return Err(unprocessable(&format!("{field} must not be empty")));
    }
    if value.len() > max {
        return Err(unprocessable(&format!("{field} must be at most {max} characters")));
    }
    match inkbox_core::vault::base64::decoded_len_lenient(value) {
        Ok(n) if n > 0 => Ok(()),
        _ => Err(unprocessable(&format!("{field} must be standard base64"))),
    }
}

fn check_name(name: &str) -> Result<(), Reply> {
    let n = name.chars().count();
    if n == 0 || n > SECRET_NAME_MAX_CHARS || name.trim().is_empty() {
        return Err(unprocessable(&format!("name must be 1 to {SECRET_NAME_MAX_CHARS} characters")));
    }
    Ok(())
}

/// Who registers a key: the API key's owner, else the API key itself.
fn created_by(s: &State, ctx: &Ctx) -> Option<String> {
    let key_id = ctx.caller.key_id()?;
    let rec = s.api_keys.iter().find(|k| k.record.id == key_id);
    Some(rec.and_then(|k| k.record.created_by.clone()).unwrap_or_else(|| key_id.to_owned()))
}

fn key_view(k: &KeyRec) -> VaultKey {
    VaultKey {
        id: k.id.clone(),
        key_type: k.key_type.clone(),
        created_by: k.created_by.clone(),
        created_at: k.created_at,
        updated_at: k.updated_at,
    }
}

fn active_keys<'s>(s: &'s State, org: &'s str) -> impl Iterator<Item = &'s KeyRec> {
    s.vault.keys.iter().filter(move |k| k.organization_id == org && k.status == KeyStatus::Active)
}

/// Access rules of a secret whose identity still exists; an identity-scoped
/// caller sees only its own rule.
fn rules_of(s: &State, secret: &SecretRec, viewer: Option<&str>) -> Vec<AccessRule> {
    s.vault
        .access
        .iter()
        .filter(|a| a.vault_secret_id == secret.id)
        .filter(|a| viewer.is_none_or(|v| a.identity_id == v))
        .filter(|a| s.identity_by_id(&a.identity_id).is_some_and(|i| i.organization_id == secret.organization_id))
        .cloned()
        .collect()
}

/// May the caller see this secret? Admin keys: any of the org; identity-scoped
/// keys: only secrets with an access rule for their identity.
fn secret_visible(s: &State, secret: &SecretRec, org: &str, identity: Option<&str>) -> bool {
    secret.organization_id == org && identity.is_none_or(|i| !rules_of(s, secret, Some(i)).is_empty())
}

fn secret_view(s: &State, secret: &SecretRec, viewer: Option<&str>) -> VaultSecret {
    VaultSecret {
        id: secret.id.clone(),
        name: secret.name.clone(),
        description: secret.description.clone(),
        secret_type: secret.secret_type.clone(),
        created_at: secret.created_at,
        updated_at: secret.updated_at,
        access: rules_of(s, secret, viewer),
    }
}

fn secret_detail(s: &State, secret: &SecretRec, viewer: Option<&str>) -> VaultSecretDetail {
    VaultSecretDetail { secret: secret_view(s, secret, viewer), encrypted_payload: secret.encrypted_payload.clone() }
}

/// The index of the secret named by the path's first parameter, if the caller
/// may see it (404 otherwise, also before initialization).
fn secret_index(s: &State, ctx: &Ctx, org: &str, identity: Option<&str>) -> Result<usize, Reply> {
    vault_index(s, org)?;
    let id = ctx.param(0);
    s.vault
        .secrets
        .iter()
        .position(|x| x.id.eq_ignore_ascii_case(id) && secret_visible(s, x, org, identity))
        .ok_or_else(|| Reply::not_found("Secret"))
}

// ---------------------------------------------------------------- vault

fn info(s: &mut State, ctx: &Ctx) -> R {
    let (org, identity) = caller(ctx)?;
    let v = s.vault.vaults.get(vault_index(s, &org)?).ok_or_else(not_initialized)?;
    let count = |t: KeyType| active_keys(s, &org).filter(|k| k.key_type == t).count() as u64;
    let secret_count = s.vault.secrets.iter().filter(|x| secret_visible(s, x, &org, identity.as_deref())).count();
    let out = VaultInfo {
        id: v.id.clone(),
        organization_id: v.organization_id.clone(),
        created_at: v.created_at,
        updated_at: v.updated_at,
        key_count: count(KeyType::Primary),
        secret_count: secret_count as u64,
        recovery_key_count: count(KeyType::Recovery),
    };
    Ok(Reply::model(200, &out))
}

fn check_material(
    s: &State,
    field: &str,
    m: &KeyMaterialRequest,
    expected: KeyType,
) -> Result<KeyMaterialRequest, Reply> {
    if !common::is_uuid(&m.id) {
        return Err(unprocessable(&format!("{field}.id must be a UUID")));
    }
    if m.key_type != expected {
        return Err(unprocessable(&format!("{field}.key_type must be '{}'", expected.as_str())));
    }
    base64_field(&format!("{field}.wrapped_org_encryption_key"), &m.wrapped_org_encryption_key, MAX_WRAPPED_CHARS)?;
    let hash = auth_hash(&format!("{field}.auth_hash"), &m.auth_hash)?;
    if s.vault.keys.iter().any(|k| k.id.eq_ignore_ascii_case(&m.id)) {
        return Err(Reply::detail(409, &format!("A vault key with id {} already exists", m.id)));
    }
    Ok(KeyMaterialRequest { auth_hash: hash, ..m.clone() })
}

fn initialize(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (org, _) = caller(ctx)?;
    if vault_index(s, &org).is_ok() {
        return Err(Reply::detail(409, "This organization already has an active vault"));
    }
    let req: InitializeVaultRequest = ctx.parse()?;
    if req.recovery_keys.len() != RECOVERY_KEY_COUNT {
        return Err(unprocessable(&format!("recovery_keys must hold exactly {RECOVERY_KEY_COUNT} keys")));
    }
    let mut all = vec![check_material(s, "vault_key", &req.vault_key, KeyType::Primary)?];
    for (i, m) in req.recovery_keys.iter().enumerate() {
        all.push(check_material(s, &format!("recovery_keys[{i}]"), m, KeyType::Recovery)?);
    }
    for (i, a) in all.iter().enumerate() {
        if all.iter().skip(i + 1).any(|b| b.id.eq_ignore_ascii_case(&a.id) || b.auth_hash == a.auth_hash) {
            return Err(unprocessable("every key needs its own id and auth_hash"));
        }
    }
    let now = ctx.clock.timestamp();
    let by = created_by(s, ctx);
    let vault = VaultRec { id: uuid4(), organization_id: org.clone(), created_at: now, updated_at: now };
    let out = InitializeVaultResponse {
        vault_id: vault.id.clone(),
        vault_key_id: req.vault_key.id.clone(),
        recovery_key_count: RECOVERY_KEY_COUNT as u64,
    };
    s.vault.vaults.push(vault);
    for m in all {
        s.vault.keys.push(KeyRec {
            id: m.id,
            organization_id: org.clone(),
            key_type: m.key_type,
            auth_hash: m.auth_hash,
            wrapped_org_encryption_key: m.wrapped_org_encryption_key,
            created_by: by.clone(),
            status: KeyStatus::Active,
            created_at: now,
            updated_at: now,
            ended_at: None,
        });
    }
    Ok(Reply::model(201, &out))
}

fn unlock(s: &mut State, ctx: &Ctx) -> R {
    let (org, identity) = caller(ctx)?;
    vault_index(s, &org)?;
    let visible = |s: &State| -> Vec<VaultSecretDetail> {
        s.vault
            .secrets
            .iter()
            .filter(|x| secret_visible(s, x, &org, identity.as_deref()))
            .map(|x| secret_detail(s, x, identity.as_deref()))
            .collect()
    };
    // The proof is required: without it the service would have to hand out
    // every key's material, and the hashes are what `PUT /keys/primary`
    // takes as `current_auth_hash`. The official SDKs always send it.
    let h = match ctx.query("auth_hash") {
        Some(h) => auth_hash("auth_hash", h)?,
        None => return Err(unprocessable("auth_hash is required")),
    };
    let bundle = match active_keys(s, &org).find(|k| k.auth_hash == h) {
        // Only the matching key's wrapped org key; no hashes, no other keys.
        Some(k) => UnlockBundle {
            wrapped_org_encryption_key: Some(k.wrapped_org_encryption_key.clone()),
            wrapped_org_encryption_keys: None,
            encrypted_secrets: visible(s),
        },
        // No key with this hash (wrong, revoked or consumed): nothing to unwrap, no ciphertext.
        None => UnlockBundle {
            wrapped_org_encryption_key: None,
            wrapped_org_encryption_keys: None,
            encrypted_secrets: Vec::new(),
        },
    };
    Ok(Reply::model(200, &bundle))
}

// ----------------------------------------------------------------- keys

fn list_keys(s: &mut State, ctx: &Ctx) -> R {
    let (org, _) = caller(ctx)?;
    vault_index(s, &org)?;
    let filter = match ctx.query("type") {
        Some(t) => Some(normalize_key_type(t).map_err(|_| unprocessable("type must be 'primary' or 'recovery'"))?),
        None => None,
    };
    let list: Vec<VaultKey> =
        active_keys(s, &org).filter(|k| filter.as_ref().is_none_or(|t| k.key_type == *t)).map(key_view).collect();
    Ok(Reply::model(200, &list))
}

fn revoke_key(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (org, _) = caller(ctx)?;
    vault_index(s, &org)?;
    let hash = ctx.param(0).to_ascii_lowercase();
    let now = ctx.clock.timestamp();
    let key = s
        .vault
        .keys
        .iter_mut()
        .find(|k| k.organization_id == org && k.status == KeyStatus::Active && k.auth_hash == hash)
        .ok_or_else(|| Reply::not_found("Vault key"))?;
    if key.key_type == KeyType::Primary {
        return Err(Reply::detail(
            409,
            "The primary vault key cannot be revoked; replace it with PUT /api/v1/vault/keys/primary",
        ));
    }
    key.status = KeyStatus::Revoked;
    key.ended_at = Some(now);
    key.updated_at = now;
    touch_vault(s, &org, now);
    Ok(Reply::empty(204))
}

fn update_primary(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (org, _) = caller(ctx)?;
    vault_index(s, &org)?;
    let req: UpdatePrimaryKeyRequest = ctx.parse()?;
    if !common::is_uuid(&req.id) {
        return Err(unprocessable("id must be a UUID"));
    }
    base64_field("wrapped_org_encryption_key", &req.wrapped_org_encryption_key, MAX_WRAPPED_CHARS)?;
    let new_hash = auth_hash("auth_hash", &req.auth_hash)?;
    let proof = auth_hash(req.proof.field(), req.proof.auth_hash())?;
    let same_org = |k: &&KeyRec| k.organization_id == org && k.auth_hash == proof;
    let used_recovery = match &req.proof {
        PrimaryKeyProof::CurrentAuthHash(_) => {
            let ok = s
                .vault
                .keys
                .iter()
                .filter(same_org)
                .any(|k| k.key_type == KeyType::Primary && k.status == KeyStatus::Active);
            if !ok {
                return Err(Reply::detail(403, "Invalid current vault key"));
            }
            None
        }
        PrimaryKeyProof::RecoveryAuthHash(_) => {
            let recovery: Vec<&KeyRec> =
                s.vault.keys.iter().filter(same_org).filter(|k| k.key_type == KeyType::Recovery).collect();
            if let Some(k) = recovery.iter().find(|k| k.status == KeyStatus::Active) {
                Some(k.id.clone())
            } else if recovery.iter().any(|k| k.status == KeyStatus::Consumed) {
                return Err(Reply::detail(403, "This recovery code has already been used"));
            } else {
                return Err(Reply::detail(403, "Invalid recovery code"));
            }
        }
    };
    if active_keys(s, &org).any(|k| k.auth_hash == new_hash) {
        return Err(Reply::detail(409, "A vault key with this auth_hash already exists"));
    }
    if s.vault.keys.iter().any(|k| k.id.eq_ignore_ascii_case(&req.id)) {
        return Err(Reply::detail(409, &format!("A vault key with id {} already exists", req.id)));
    }
    let now = ctx.clock.timestamp();
    let by = created_by(s, ctx);
    for k in s.vault.keys.iter_mut().filter(|k| k.organization_id == org && k.status == KeyStatus::Active) {
        let ended = if k.key_type == KeyType::Primary {
            KeyStatus::Replaced
        } else if used_recovery.as_deref() == Some(k.id.as_str()) {
            KeyStatus::Consumed
        } else {
            continue;
        };
        k.status = ended;
        k.ended_at = Some(now);
        k.updated_at = now;
    }
    let key = KeyRec {
        id: req.id,
        organization_id: org.clone(),
        key_type: KeyType::Primary,
        auth_hash: new_hash,
        wrapped_org_encryption_key: req.wrapped_org_encryption_key,
        created_by: by,
        status: KeyStatus::Active,
        created_at: now,
        updated_at: now,
        ended_at: None,
    };
    let out = key_view(&key);
    s.vault.keys.push(key);
    touch_vault(s, &org, now);
    Ok(Reply::model(200, &out))
}

// -------------------------------------------------------------- secrets

fn secret_type_filter(ctx: &Ctx) -> Result<Option<SecretType>, Reply> {
    match ctx.query("secret_type") {
        None => Ok(None),
        Some(t) => {
            let t = SecretType::parse(t);
            if SecretType::KNOWN.contains(&t) {
                Ok(Some(t))
            } else {
                Err(unprocessable("secret_type must be one of login, api_key, key_pair, ssh_key, other"))
            }
        }
    }
}

fn list_secrets(s: &mut State, ctx: &Ctx) -> R {
    let (org, identity) = caller(ctx)?;
    vault_index(s, &org)?;
    let filter = secret_type_filter(ctx)?;
    let list: Vec<VaultSecret> = s
        .vault
        .secrets
        .iter()
        .filter(|x| filter.as_ref().is_none_or(|t| x.secret_type == *t))
        .filter(|x| secret_visible(s, x, &org, identity.as_deref()))
        .map(|x| secret_view(s, x, identity.as_deref()))
        .collect();
    Ok(Reply::model(200, &list))
}

fn create_secret(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (org, _) = caller(ctx)?;
    vault_index(s, &org)?;
    let req: CreateSecretRequest = ctx.parse()?;
    if !common::is_uuid(&req.id) {
        return Err(unprocessable("id must be a client-generated UUID"));
    }
    check_name(&req.name)?;
    if !SecretType::KNOWN.contains(&req.secret_type) {
        return Err(unprocessable("secret_type must be one of login, api_key, key_pair, ssh_key, other"));
    }
    base64_field("encrypted_payload", &req.encrypted_payload, MAX_PAYLOAD_CHARS)?;
    if s.vault.secrets.iter().any(|x| x.id.eq_ignore_ascii_case(&req.id)) {
        return Err(Reply::detail(409, &format!("A secret with id {} already exists", req.id)));
    }
    let now = ctx.clock.timestamp();
    let rec = SecretRec {
        id: req.id,
        organization_id: org.clone(),
        name: req.name,
        description: req.description,
        secret_type: req.secret_type,
        encrypted_payload: req.encrypted_payload,
        created_at: now,
        updated_at: now,
    };
    let out = secret_view(s, &rec, None);
    s.vault.secrets.push(rec);
    touch_vault(s, &org, now);
    Ok(Reply::model(201, &out))
}

fn get_secret(s: &mut State, ctx: &Ctx) -> R {
    let (org, identity) = caller(ctx)?;
    let i = secret_index(s, ctx, &org, identity.as_deref())?;
    let x = s.vault.secrets.get(i).ok_or_else(|| Reply::not_found("Secret"))?;
    Ok(Reply::model(200, &secret_detail(s, x, identity.as_deref())))
}

/// Identity-scoped keys may update the secrets they can see (e.g. set TOTP).
fn update_secret(s: &mut State, ctx: &Ctx) -> R {
    let (org, identity) = caller(ctx)?;
    let i = secret_index(s, ctx, &org, identity.as_deref())?;
    let raw = ctx.json()?;
    let Some(fields) = raw.as_object() else { return Err(unprocessable("body must be a JSON object")) };
    if fields.contains_key("secret_type") {
        return Err(unprocessable("secret_type is immutable; delete and recreate the secret"));
    }
    for f in ["name", "encrypted_payload"] {
        if fields.get(f).is_some_and(Value::is_null) {
            return Err(unprocessable(&format!("{f} must not be null")));
        }
    }
    let req: UpdateSecretRequest = ctx.parse()?;
    if let Some(n) = &req.name {
        check_name(n)?;
    }
    if let Some(p) = &req.encrypted_payload {
        base64_field("encrypted_payload", p, MAX_PAYLOAD_CHARS)?;
    }
    let now = ctx.clock.timestamp();
    let x = s.vault.secrets.get_mut(i).ok_or_else(|| Reply::not_found("Secret"))?;
    let changed = req.name.is_some() || !req.description.is_keep() || req.encrypted_payload.is_some();
    if let Some(n) = req.name {
        x.name = n;
    }
    match req.description {
        Patch::Keep => {}
        Patch::Clear => x.description = None,
        Patch::Set(d) => x.description = Some(d),
    }
    if let Some(p) = req.encrypted_payload {
        x.encrypted_payload = p;
    }
    if changed {
        x.updated_at = now;
    }
    let x = x.clone();
    if changed {
        touch_vault(s, &org, now);
    }
    Ok(Reply::model(200, &secret_view(s, &x, identity.as_deref())))
}

fn delete_secret(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (org, _) = caller(ctx)?;
    let i = secret_index(s, ctx, &org, None)?;
    let x = s.vault.secrets.remove(i);
    s.vault.access.retain(|a| a.vault_secret_id != x.id);
    touch_vault(s, &org, ctx.clock.timestamp());
    Ok(Reply::empty(204))
}

// --------------------------------------------------------------- access

fn list_access(s: &mut State, ctx: &Ctx) -> R {
    let (org, identity) = caller(ctx)?;
    let i = secret_index(s, ctx, &org, identity.as_deref())?;
    let x = s.vault.secrets.get(i).ok_or_else(|| Reply::not_found("Secret"))?;
    Ok(Reply::model(200, &rules_of(s, x, identity.as_deref())))
}

fn grant_access(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (org, _) = caller(ctx)?;
    let i = secret_index(s, ctx, &org, None)?;
    let req: GrantAccessRequest = ctx.parse()?;
    let identity = req.identity_id.to_ascii_lowercase();
    if s.identity_by_id(&identity).is_none_or(|r| r.organization_id != org) {
        return Err(Reply::not_found("Identity"));
    }
    let x = s.vault.secrets.get(i).ok_or_else(|| Reply::not_found("Secret"))?;
    if !rules_of(s, x, Some(&identity)).is_empty() {
        return Err(Reply::detail(409, "Access already granted"));
    }
    let rule = AccessRule {
        id: uuid4(),
        vault_secret_id: x.id.clone(),
        identity_id: identity,
        created_at: ctx.clock.timestamp(),
    };
    s.vault.access.push(rule.clone());
    Ok(Reply::model(201, &rule))
}

fn revoke_access(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (org, _) = caller(ctx)?;
    let i = secret_index(s, ctx, &org, None)?;
    let secret_id = s.vault.secrets.get(i).map(|x| x.id.clone()).unwrap_or_default();
    let identity = ctx.param(1).to_ascii_lowercase();
    let before = s.vault.access.len();
    s.vault.access.retain(|a| !(a.vault_secret_id == secret_id && a.identity_id == identity));
    if s.vault.access.len() == before {
        return Err(Reply::not_found("Access rule"));
    }
    Ok(Reply::empty(204))
}

// ------------------------------------------------- identities.create hook

/// Resolves `vault_secret_ids` of `identities.create` to stored secret ids of
/// `org` (checked before anything is created): `"*"`/`"all"` = every secret
/// (none without a vault); named ids must exist (404 otherwise).
pub(crate) fn secrets_for_new_identity(s: &State, org: &str, ids: &VaultSecretIds) -> Result<Vec<String>, Reply> {
    let of_org = |x: &&SecretRec| x.organization_id == org;
    let named: &[String] = match ids {
        VaultSecretIds::All => return Ok(s.vault.secrets.iter().filter(of_org).map(|x| x.id.clone()).collect()),
        VaultSecretIds::One(id) => std::slice::from_ref(id),
        VaultSecretIds::Many(ids) => ids,
    };
    let mut out: Vec<String> = Vec::new();
    for id in named {
        let x = s
            .vault
            .secrets
            .iter()
            .filter(of_org)
            .find(|x| x.id.eq_ignore_ascii_case(id.trim()))
            .ok_or_else(|| Reply::detail(404, &format!("Vault secret {id} not found")))?;
        if !out.contains(&x.id) {
            out.push(x.id.clone());
        }
    }
    Ok(out)
}

/// Grants a just-created identity access to `secret_ids`.
pub(crate) fn grant_new_identity(s: &mut State, identity_id: &str, secret_ids: Vec<String>, now: Timestamp) {
    for secret in secret_ids {
        s.vault.access.push(AccessRule {
            id: uuid4(),
            vault_secret_id: secret,
            identity_id: identity_id.to_owned(),
            created_at: now,
        });
    }
}
