//! The vault's cryptography for JS: Argon2id (a Promise on the libuv pool,
//! and a `…Sync` twin), the org key, payload encryption and decryption, the
//! vault-key rules and recovery codes. Key bytes never cross into JS except
//! through `OrgKey.toBase64()` (the caller's explicit export).

use getrandom::SysRng;
use inkbox_core::vault::{
    self, ClientUuid, KeyMaterial, MasterKey as CoreMaster, OrgKey as CoreOrg, RecoveryCode, SecretPayload,
    VaultKeyType, base64,
};
use napi::bindgen_prelude::AsyncTask;
use napi::bindgen_prelude::Buffer;
use napi::{Env, Task};
use napi_derive::napi;
use zeroize::{Zeroize as _, Zeroizing};

use crate::errors::{Fail, NResult as Result, guard, guard_task};
use crate::flows::payload_arg;

/// A master key (Argon2id of a vault key): only its auth hash is readable.
#[napi]
pub struct MasterKey(CoreMaster);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[napi]
impl MasterKey {
    /// The hex SHA-256 the service knows the key by.
    #[napi]
    pub fn auth_hash(&self) -> String {
        self.0.auth_hash().as_str().to_owned()
    }
}

/// The organization's encryption key.
#[napi]
pub struct OrgKey(CoreOrg);

impl std::fmt::Debug for OrgKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrgKey(<redacted>)")
    }
}

#[napi]
impl OrgKey {
    /// A fresh key from the OS CSPRNG.
    #[napi(factory)]
    pub fn generate() -> Result<Self> {
        guard(|| Ok(OrgKey(CoreOrg::generate(&mut SysRng)?)))
    }

    /// A key from its 32 bytes in base64.
    #[napi(factory)]
    pub fn from_base64(b64: String) -> Result<Self> {
        guard(|| {
            let bytes = Zeroizing::new(
                base64::decode_lenient_to_vec(&b64).map_err(|_| Fail::invalid("orgKey", "is not base64"))?,
            );
            Ok(OrgKey(org_key_bytes(bytes, "orgKey")?))
        })
    }

    /// The key's bytes in base64 (an explicit export: store it as a secret).
    #[napi]
    pub fn to_base64(&self) -> String {
        base64::encode_to_string(self.0.as_bytes())
    }
}

fn derive(vault_key: &str, organization_id: &str) -> std::result::Result<CoreMaster, Fail> {
    Ok(vault::derive_master_key(vault_key, organization_id)?)
}

/// Argon2id on the libuv pool.
pub struct DeriveTask {
    vault_key: Zeroizing<String>,
    organization_id: String,
}

impl std::fmt::Debug for DeriveTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeriveTask(<redacted>)")
    }
}

impl Task for DeriveTask {
    type Output = CoreMaster;
    type JsValue = MasterKey;

    fn compute(&mut self) -> napi::Result<CoreMaster> {
        let (k, o) = (self.vault_key.clone(), self.organization_id.clone());
        guard_task(move || derive(&k, &o))
    }

    fn resolve(&mut self, _env: Env, output: CoreMaster) -> napi::Result<MasterKey> {
        Ok(MasterKey(output))
    }
}

/// Argon2id (64 MiB, t=3) of `vaultKey` salted with the organization id, on
/// the libuv thread pool.
#[napi(ts_return_type = "Promise<MasterKey>")]
pub fn derive_master_key(vault_key: String, organization_id: String) -> AsyncTask<DeriveTask> {
    AsyncTask::new(DeriveTask { vault_key: Zeroizing::new(vault_key), organization_id })
}

/// `deriveMasterKey` on the calling thread.
#[napi]
pub fn derive_master_key_sync(vault_key: String, organization_id: String) -> Result<MasterKey> {
    guard(|| Ok(MasterKey(derive(&Zeroizing::new(vault_key), &organization_id)?)))
}

/// The material that registers a vault key (`POST /vault/initialize`,
/// `POST /vault/keys`), as the official `VaultKeyMaterial`; `code` is the
/// recovery code when one was generated (show it once).
#[napi(object)]
pub struct VaultKeyMaterialJs {
    pub code: Option<String>,
    pub id: String,
    pub wrapped_org_encryption_key: String,
    pub auth_hash: String,
    pub key_type: String,
}

impl std::fmt::Debug for VaultKeyMaterialJs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultKeyMaterialJs")
            .field("id", &self.id)
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

/// Argon2id and the key wrap of a new vault key (or of a recovery code
/// generated here), on the libuv pool.
pub struct KeyMaterialTask {
    /// The vault key; `None`: generate a recovery code.
    vault_key: Option<Zeroizing<String>>,
    organization_id: String,
    org_key: CoreOrg,
    key_type: VaultKeyType,
}

impl std::fmt::Debug for KeyMaterialTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyMaterialTask(<redacted>)")
    }
}

impl Task for KeyMaterialTask {
    type Output = (Option<Zeroizing<String>>, KeyMaterial);
    type JsValue = VaultKeyMaterialJs;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard_task(|| {
            let (code, secret) = match &self.vault_key {
                Some(k) => (None, k.clone()),
                None => {
                    let code = RecoveryCode::generate(&mut SysRng)?;
                    let text = Zeroizing::new(code.as_str().to_owned());
                    (Some(text.clone()), text)
                }
            };
            let master = derive(&secret, &self.organization_id)?;
            let id = ClientUuid::generate(&mut SysRng)?;
            Ok((code, KeyMaterial::new(&master, &self.org_key, id, self.key_type, &mut SysRng)?))
        })
    }

    fn resolve(&mut self, _env: Env, (code, m): Self::Output) -> napi::Result<VaultKeyMaterialJs> {
        Ok(VaultKeyMaterialJs {
            code: code.map(|c| c.as_str().to_owned()),
            id: m.id().as_str().to_owned(),
            wrapped_org_encryption_key: m.wrapped_org_encryption_key().as_str().to_owned(),
            auth_hash: m.auth_hash().as_str().to_owned(),
            key_type: m.key_type().as_str().to_owned(),
        })
    }
}

/// An org key from its 32 bytes (`field` names the argument in the error);
/// every copy of the bytes is zeroized.
fn org_key_bytes(mut bytes: Zeroizing<Vec<u8>>, field: &str) -> std::result::Result<CoreOrg, Fail> {
    let mut arr: [u8; vault::KEY_LEN] =
        bytes.as_slice().try_into().map_err(|_| Fail::invalid(field, "must be 32 bytes"))?;
    let key = CoreOrg::from_bytes(arr);
    arr.zeroize();
    bytes.zeroize();
    Ok(key)
}

/// The material of a new vault key: checks it against the vault-key rules
/// (throws `InkboxVaultKeyError`), then derives and wraps on the libuv pool.
/// `orgEncryptionKey`: the key's 32 bytes; `keyType`: `primary` or `recovery`.
#[napi(ts_return_type = "Promise<VaultKeyMaterialJs>")]
pub fn generate_vault_key_material(
    vault_key: String,
    organization_id: String,
    org_encryption_key: Buffer,
    key_type: String,
) -> Result<AsyncTask<KeyMaterialTask>> {
    guard(|| {
        let vault_key = Zeroizing::new(vault_key);
        vault::check_vault_key(&vault_key)?;
        let key_type = VaultKeyType::parse(&key_type)
            .ok_or_else(|| Fail::invalid("keyType", "must be \"primary\" or \"recovery\""))?;
        let org_key = org_key_bytes(Zeroizing::new(org_encryption_key.to_vec()), "orgEncryptionKey")?;
        Ok(AsyncTask::new(KeyMaterialTask { vault_key: Some(vault_key), organization_id, org_key, key_type }))
    })
}

/// A fresh recovery code and its material (`code` set), derived and wrapped
/// on the libuv pool.
#[napi(ts_return_type = "Promise<VaultKeyMaterialJs>")]
pub fn generate_recovery_code_material(
    organization_id: String,
    org_encryption_key: Buffer,
) -> Result<AsyncTask<KeyMaterialTask>> {
    guard(|| {
        let org_key = org_key_bytes(Zeroizing::new(org_encryption_key.to_vec()), "orgEncryptionKey")?;
        Ok(AsyncTask::new(KeyMaterialTask {
            vault_key: None,
            organization_id,
            org_key,
            key_type: VaultKeyType::Recovery,
        }))
    })
}

/// Encrypts a payload (wire JSON, its type inferred) for secret `secretId`:
/// the base64 blob the service stores.
#[napi]
pub fn encrypt_payload(org_key: &OrgKey, payload_json: String, secret_id: String) -> Result<String> {
    guard(|| {
        let payload: SecretPayload = payload_arg(&Zeroizing::new(payload_json))?;
        Ok(vault::encrypt_payload(&org_key.0, &secret_id, &payload, &mut SysRng)?)
    })
}

/// Decrypts a stored blob of secret `secretId`: the payload as wire JSON text.
#[napi]
pub fn decrypt_payload(org_key: &OrgKey, encrypted_b64: String, secret_id: String) -> Result<String> {
    guard(|| {
        let plaintext = vault::decrypt_plaintext(&org_key.0, &secret_id, &encrypted_b64)?;
        let payload = SecretPayload::parse_inferred(&plaintext)?;
        Ok(payload.to_json().to_string())
    })
}

/// Checks a new vault key against the vault-key rules; throws `InkboxVaultKeyError`.
#[napi]
pub fn check_vault_key(vault_key: String) -> Result<()> {
    guard(|| Ok(vault::check_vault_key(&Zeroizing::new(vault_key))?))
}

/// A fresh recovery code (show it once).
#[napi]
pub fn generate_recovery_code() -> Result<String> {
    guard(|| Ok(RecoveryCode::generate(&mut SysRng)?.as_str().to_owned()))
}
