//! The vault flows (`api::vault_flows`) end to end against scripted server
//! responses built from the shared vectors (`tests/vectors/vault.json`, or
//! `INKBOX_VECTORS_DIR`). Every request's method, path and body is checked.
//!
//! Argon2id (64 MiB, t = 3) runs once per derivation: each test keeps the
//! number of derivations small, using the vectors' master keys where it only
//! needs to check a result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use inkbox_core::ErrorCode as _;
use inkbox_core::api::vault_flows::{
    CreateSecretForIdentityFlow, Flow, GetSecretFlow, InitializeFlow, NewSecret, Proof, SecretChanges, Step,
    TotpUpdateFlow, UnlockFlow, UnlockedVault, UpdateKeyFlow, UpdateSecretFlow, drive, totp_code,
};
use inkbox_core::api::{ApiError, Method, Patch, Request, Response};
use inkbox_core::totp::TotpConfig;
use inkbox_core::vault::{
    self, ApiKeyPayload, ClientUuid, LoginPayload, MasterKey, OrgKey, SecretPayload, SecretType, VaultError,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng as _;
use serde_json::{Value, json};

const TS: &str = "2026-03-09T00:00:00Z";
const IDENTITY: &str = "4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b";
const OTHER_IDENTITY: &str = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b";

// ------------------------------------------------------------------ vectors

struct Vectors(Value);

impl Vectors {
    fn load() -> Self {
        Vectors(common::load("vault.json"))
    }

    fn str(&self, path: &[&str]) -> String {
        let mut v = &self.0;
        for p in path {
            v = &v[*p];
        }
        v.as_str().unwrap_or_else(|| panic!("vector field {path:?} is not a string")).to_owned()
    }

    fn org(&self) -> String {
        self.str(&["organization_id"])
    }

    fn org_key(&self) -> OrgKey {
        OrgKey::from_bytes(common::hex(&self.str(&["org_key_hex"])).try_into().unwrap())
    }

    fn master(&self, which: &str) -> MasterKey {
        MasterKey::from_bytes(common::hex(&self.str(&[which, "master_key_hex"])).try_into().unwrap())
    }

    fn derivation(&self, name: &str) -> &Value {
        self.0["derivations"].as_array().unwrap().iter().find(|d| d["name"] == name).expect("derivation")
    }

    /// Payload cases with a usable secret id (non-empty AAD).
    fn payloads(&self) -> Vec<&Value> {
        self.0["payloads"].as_array().unwrap().iter().filter(|p| p["secret_id"].as_str() != Some("")).collect()
    }

    fn payload(&self, name: &str) -> &Value {
        self.0["payloads"].as_array().unwrap().iter().find(|p| p["name"] == name).expect("payload case")
    }

    fn unlocked(&self) -> UnlockedVault {
        UnlockedVault::new(self.org_key(), self.org())
    }
}

// -------------------------------------------------------------- wire shapes

fn info_json(org: &str) -> String {
    json!({"id": "9a1c0f4e-3d2b-4c5a-8e7f-6a5b4c3d2e1f", "organization_id": org, "created_at": TS,
           "updated_at": TS, "key_count": 1, "secret_count": 2, "recovery_key_count": 1})
    .to_string()
}

fn key_json(id: &str, key_type: &str) -> Value {
    json!({"id": id, "key_type": key_type, "created_by": "user_1", "created_at": TS, "updated_at": TS})
}

fn secret_json(id: &str, secret_type: &str) -> Value {
    json!({"id": id, "name": format!("secret {id}"), "description": null, "secret_type": secret_type,
           "created_at": TS, "updated_at": TS})
}

fn detail_json(id: &str, secret_type: &str, encrypted_payload: &str) -> Value {
    let mut v = secret_json(id, secret_type);
    v["encrypted_payload"] = json!(encrypted_payload);
    v
}

fn detail_of(case: &Value) -> Value {
    detail_json(
        case["secret_id"].as_str().unwrap(),
        case["secret_type"].as_str().unwrap(),
        case["encrypted_payload_b64"].as_str().unwrap(),
    )
}

fn rule_json(secret_id: &str, identity_id: &str) -> Value {
    json!({"id": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910", "vault_secret_id": secret_id, "identity_id": identity_id,
           "created_at": TS})
}

/// A payload as JSON, to compare with a vector's `expected_parsed`.
fn as_json(payload: &SecretPayload) -> Value {
    serde_json::from_str(payload.to_json().as_str()).unwrap()
}

/// Flips one bit of a base64 blob's first decoded byte.
fn tampered(b64: &str) -> String {
    use base64::Engine as _;
    let mut raw = common::b64(b64);
    raw[0] ^= 1;
    base64::engine::general_purpose::STANDARD.encode(raw)
}

// ------------------------------------------------------------------ driving

fn send<F: Flow>(flow: &mut F, method: Method, path: &str) -> Request
where
    F::Output: std::fmt::Debug,
{
    match flow.next().unwrap_or_else(|e| panic!("next() failed before {method} {path}: {e:?}")) {
        Step::Send(req) => {
            assert_eq!((req.method, req.path_and_query.as_str()), (method, path));
            assert_eq!(req.header("accept"), Some("application/json"));
            req
        }
        Step::Page(page) => panic!("expected {method} {path}, a vault flow yielded {page:?}"),
        Step::Done(out) => panic!("expected {method} {path}, flow finished with {out:?}"),
    }
}

fn reply<F: Flow>(flow: &mut F, status: u16, body: &str) -> Result<(), ApiError> {
    flow.feed(&Response::new(status, &[], body.as_bytes()))
}

fn done<F: Flow>(flow: &mut F) -> F::Output {
    match flow.next().unwrap() {
        Step::Done(out) => out,
        Step::Send(req) => panic!("unexpected request {} {}", req.method, req.path_and_query),
        Step::Page(page) => panic!("a vault flow yielded {page:?}"),
    }
}

fn body_json(req: &Request) -> Value {
    assert_eq!(req.header("content-type"), Some("application/json"));
    serde_json::from_slice(req.body.as_deref().expect("a body")).unwrap()
}

fn keys_of(obj: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = obj.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

// ------------------------------------------------------------------- unlock

#[test]
fn unlock_with_the_vault_key_decrypts_every_vector_payload() {
    let v = Vectors::load();
    let org = v.org();
    let primary_id = v.str(&["primary_key", "vault_key_id"]);
    let recovery_id = v.str(&["recovery_key", "vault_key_id"]);
    let cases = v.payloads();
    let mut bundle: Vec<Value> = cases.iter().map(|c| detail_of(c)).collect();
    // One tampered blob and one type this version does not know.
    let first = cases[0];
    let bad_id = "0d4e2f8a-1b3c-4d5e-8f6a-7b8c9d0e1f2a";
    bundle.push(detail_json(bad_id, "login", &tampered(first["encrypted_payload_b64"].as_str().unwrap())));
    let passkey_id = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
    let passkey_blob =
        vault::encrypt_plaintext_with_nonce(&v.org_key(), passkey_id, br#"{"data":"x"}"#, &[9; 12]).unwrap();
    bundle.push(detail_json(passkey_id, "passkey", &passkey_blob));

    let mut flow = UnlockFlow::new(&v.str(&["vault_key"])).unwrap();
    assert!(!flow.next_is_heavy());
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(&org)).unwrap();
    assert!(flow.next_is_heavy(), "the next step derives the master key");
    let auth_hash = v.str(&["primary_key", "auth_hash"]);
    let req = send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={auth_hash}"));
    assert!(req.body.is_none());
    assert!(!flow.next_is_heavy());
    let unlock = json!({"wrapped_org_encryption_key": v.str(&["primary_key", "wrapped_org_key_b64"]),
                        "wrapped_org_encryption_keys": null, "encrypted_secrets": bundle});
    reply(&mut flow, 200, &unlock.to_string()).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/keys");
    // Recovery key listed first: the flow still tries primaries first.
    let keys = json!([key_json(&recovery_id, "recovery"), key_json(&primary_id, "primary")]);
    reply(&mut flow, 200, &keys.to_string()).unwrap();
    let vault = done(&mut flow);

    assert_eq!(vault.org_key, v.org_key());
    assert_eq!(vault.organization_id, org);
    assert_eq!(vault.key_id, primary_id);
    assert_eq!(vault.secrets.len(), cases.len());
    for (secret, case) in vault.secrets.iter().zip(&cases) {
        assert_eq!(secret.id(), case["secret_id"].as_str().unwrap());
        assert_eq!(secret.secret_type().as_str(), case["secret_type"].as_str().unwrap());
        assert_eq!(as_json(&secret.payload), case["expected_parsed"], "{}", case["name"]);
    }
    let failed: Vec<(&str, VaultError)> = vault.undecryptable.iter().map(|s| (s.secret.id.as_str(), s.error)).collect();
    assert_eq!(failed, [(bad_id, VaultError::DecryptionFailed), (passkey_id, VaultError::UnsupportedSecretType)]);
    assert!(vault.secret(first["secret_id"].as_str().unwrap()).is_some());
    assert!(vault.secrets_of_type(&SecretType::Login).all(|s| s.secret_type() == &SecretType::Login));
    // Nothing secret in Debug output.
    let dbg = format!("{vault:?}");
    assert!(!dbg.contains(first["payload"]["password"].as_str().unwrap()));
    assert_eq!(flow.next().unwrap_err().code(), "flow.finished");
}

#[test]
fn unlock_with_a_recovery_code_tries_primary_then_recovery_ids() {
    let v = Vectors::load();
    let recovery_id = v.str(&["recovery_key", "vault_key_id"]);
    let mut flow = UnlockFlow::new(&v.str(&["recovery_key", "recovery_code"])).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(&v.org())).unwrap();
    let hash = v.str(&["recovery_key", "auth_hash"]);
    send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={hash}"));
    // A server that answers with the plural list: the entry with our hash is used.
    let unlock = json!({"wrapped_org_encryption_key": null, "wrapped_org_encryption_keys": [
        {"id": v.str(&["primary_key", "vault_key_id"]), "auth_hash": v.str(&["primary_key", "auth_hash"]),
         "wrapped_org_encryption_key": v.str(&["primary_key", "wrapped_org_key_b64"])},
        {"id": recovery_id, "auth_hash": hash, "wrapped_org_encryption_key": v.str(&["recovery_key", "wrapped_org_key_b64"])}
    ]});
    reply(&mut flow, 200, &unlock.to_string()).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/keys");
    let keys =
        json!([key_json(&v.str(&["primary_key", "vault_key_id"]), "primary"), key_json(&recovery_id, "recovery")]);
    reply(&mut flow, 200, &keys.to_string()).unwrap();
    let vault = done(&mut flow);
    assert_eq!(vault.org_key, v.org_key());
    assert_eq!(vault.key_id, recovery_id);
    assert!(vault.secrets.is_empty() && vault.undecryptable.is_empty());
}

#[test]
fn unlock_with_a_wrong_key_is_invalid_key() {
    let v = Vectors::load();
    let wrong = v.derivation("wrong_vault_key");
    let hash = wrong["auth_hash"].as_str().unwrap();
    let secret = wrong["secret"].as_str().unwrap();

    // The server finds no key for the hash.
    let mut flow = UnlockFlow::new(secret).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(wrong["organization_id"].as_str().unwrap())).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={hash}"));
    let e = reply(&mut flow, 200, r#"{"wrapped_org_encryption_key":null,"encrypted_secrets":[]}"#).unwrap_err();
    assert_eq!(e.code(), "vault.invalid_key");
    assert_eq!(flow.next().unwrap_err().code(), "flow.finished");

    // The server answers 404 for an unknown hash.
    let mut flow = UnlockFlow::new(secret).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(wrong["organization_id"].as_str().unwrap())).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={hash}"));
    let e = reply(&mut flow, 404, r#"{"detail":"Vault key not found"}"#).unwrap_err();
    assert_eq!(e.code(), "vault.invalid_key");
}

#[test]
fn unlock_when_the_wrapped_key_does_not_authenticate_is_invalid_key() {
    // A server handing out the primary key's wrapped key for any hash: the
    // wrong master key cannot unwrap it under any key id.
    let v = Vectors::load();
    let wrong = v.derivation("wrong_vault_key");
    let mut flow = UnlockFlow::new(wrong["secret"].as_str().unwrap()).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(&v.org())).unwrap();
    let hash = wrong["auth_hash"].as_str().unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={hash}"));
    let unlock = json!({"wrapped_org_encryption_key": v.str(&["primary_key", "wrapped_org_key_b64"])});
    reply(&mut flow, 200, &unlock.to_string()).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/keys");
    let keys = json!([
        key_json(&v.str(&["primary_key", "vault_key_id"]), "primary"),
        key_json(&v.str(&["recovery_key", "vault_key_id"]), "recovery")
    ]);
    let e = reply(&mut flow, 200, &keys.to_string()).unwrap_err();
    assert_eq!(e.code(), "vault.invalid_key");
}

#[test]
fn unlock_of_an_uninitialized_vault_is_not_initialized() {
    let mut flow = UnlockFlow::new("Anything-at-all-1!").unwrap();
    // Misuse is reported and leaves the flow usable.
    assert_eq!(reply(&mut flow, 200, "{}").unwrap_err().code(), "flow.out_of_order");
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    assert_eq!(flow.next().unwrap_err().code(), "flow.out_of_order");
    let e = reply(&mut flow, 404, r#"{"detail":"Vault not initialized"}"#).unwrap_err();
    assert_eq!(e.code(), "vault.not_initialized");
    assert_eq!(flow.next().unwrap_err().code(), "flow.finished");
    assert_eq!(reply(&mut flow, 200, "{}").unwrap_err().code(), "flow.finished");
    // Other statuses stay API errors.
    let mut flow = UnlockFlow::new("Anything-at-all-1!").unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    assert_eq!(reply(&mut flow, 401, r#"{"detail":"Invalid API key"}"#).unwrap_err().code(), "api.unauthorized");
}

#[test]
fn unlock_for_an_identity_keeps_secrets_with_its_access_rule() {
    let v = Vectors::load();
    let cases = v.payloads();
    let (a, b, c) = (cases[0], cases[1], cases[2]);
    let bad_id = "0d4e2f8a-1b3c-4d5e-8f6a-7b8c9d0e1f2a";
    let bundle = json!([detail_of(a), detail_json(bad_id, "other", "AAAA"), detail_of(b), detail_of(c)]);

    let mut flow = UnlockFlow::for_identity(&v.str(&["vault_key"]), IDENTITY).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(&v.org())).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={}", v.str(&["primary_key", "auth_hash"])));
    let unlock = json!({"wrapped_org_encryption_key": v.str(&["primary_key", "wrapped_org_key_b64"]),
                        "encrypted_secrets": bundle});
    reply(&mut flow, 200, &unlock.to_string()).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/keys");
    reply(&mut flow, 200, &json!([key_json(&v.str(&["primary_key", "vault_key_id"]), "primary")]).to_string()).unwrap();

    // One access request per secret, in bundle order.
    let id = |c: &Value| c["secret_id"].as_str().unwrap().to_owned();
    let script = [
        (id(a), json!([rule_json(&id(a), OTHER_IDENTITY), rule_json(&id(a), &IDENTITY.to_uppercase())])),
        (bad_id.to_owned(), json!([rule_json(bad_id, IDENTITY)])),
        (id(b), json!([rule_json(&id(b), OTHER_IDENTITY)])),
        (id(c), json!([])),
    ];
    for (secret_id, rules) in &script {
        let req = send(&mut flow, Method::Get, &format!("/api/v1/vault/secrets/{secret_id}/access"));
        assert!(req.body.is_none());
        assert_eq!(flow.next().unwrap_err().code(), "flow.out_of_order");
        reply(&mut flow, 200, &rules.to_string()).unwrap();
    }
    let vault = done(&mut flow);
    let kept: Vec<&str> = vault.secrets.iter().map(|s| s.id()).collect();
    assert_eq!(kept, [id(a).as_str()]);
    assert_eq!(as_json(&vault.secrets[0].payload), a["expected_parsed"]);
    assert_eq!(vault.undecryptable.len(), 1);
    assert_eq!(vault.undecryptable[0].secret.id, bad_id);
}

// --------------------------------------------------------------- initialize

#[test]
fn initialize_registers_a_primary_and_four_recovery_keys_for_one_org_key() {
    let v = Vectors::load();
    let org = v.org();
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let mut flow = InitializeFlow::new(&v.str(&["vault_key"]), &mut rng).unwrap();
    assert!(!flow.next_is_heavy());
    let req = send(&mut flow, Method::Get, "/api/whoami");
    assert!(req.body.is_none());
    assert_eq!(flow.next().unwrap_err().code(), "flow.out_of_order");
    reply(&mut flow, 200, &json!({"auth_type": "api_key", "organization_id": org, "key_id": "ApiKey_1"}).to_string())
        .unwrap();
    assert!(flow.next_is_heavy(), "five derivations come next");
    let req = send(&mut flow, Method::Post, "/api/v1/vault/initialize");
    let body = body_json(&req);
    assert_eq!(keys_of(&body), ["recovery_keys", "vault_key"]);

    // The primary key: the vector's auth hash (same key and org), and its
    // wrapped key opens with the vector's master key under its id.
    let primary = &body["vault_key"];
    assert_eq!(keys_of(primary), ["auth_hash", "id", "key_type", "wrapped_org_encryption_key"]);
    assert_eq!(primary["key_type"], "primary");
    assert_eq!(primary["auth_hash"], v.str(&["primary_key", "auth_hash"]).as_str());
    let primary_id = primary["id"].as_str().unwrap();
    assert_eq!(ClientUuid::parse(primary_id).unwrap().as_str(), primary_id);
    assert_eq!(&primary_id[14..15], "4", "a v4 UUID");
    let wrapped = primary["wrapped_org_encryption_key"].as_str().unwrap();
    let org_key = vault::unwrap_org_key(&v.master("primary_key"), primary_id, wrapped).unwrap();

    let recovery = body["recovery_keys"].as_array().unwrap();
    assert_eq!(recovery.len(), 4);
    reply(
        &mut flow,
        201,
        &json!({"vault_id": "9a1c0f4e-3d2b-4c5a-8e7f-6a5b4c3d2e1f", "vault_key_id": primary_id, "recovery_key_count": 4})
            .to_string(),
    )
    .unwrap();
    let result = done(&mut flow);
    assert_eq!(result.vault_key_id, primary_id);
    assert_eq!(result.organization_id, org);
    assert_eq!(result.recovery_key_count, 4);
    assert_eq!(result.recovery_keys.len(), 4);

    let mut ids = vec![primary_id.to_owned()];
    for (key, wire) in result.recovery_keys.iter().zip(recovery) {
        assert_eq!(keys_of(wire), ["auth_hash", "id", "key_type", "wrapped_org_encryption_key"]);
        assert_eq!(wire["key_type"], "recovery");
        assert_eq!(wire["id"], key.id.as_str());
        let code = key.recovery_code.as_str();
        assert_eq!(code.len(), 39);
        assert!(!format!("{key:?}").contains(code));
        // Each code derives the master key whose hash was registered and
        // which unwraps the same org key.
        let master = vault::derive_master_key(code, &org).unwrap();
        assert_eq!(wire["auth_hash"], master.auth_hash().as_str());
        let unwrapped =
            vault::unwrap_org_key(&master, &key.id, wire["wrapped_org_encryption_key"].as_str().unwrap()).unwrap();
        assert_eq!(unwrapped, org_key);
        ids.push(key.id.clone());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "distinct key ids");
}

#[test]
fn initialize_refuses_weak_keys_and_unknown_orgs() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let e = InitializeFlow::new("short-Key-1!", &mut rng).unwrap_err();
    assert_eq!(e.code(), "vault.weak_vault_key");
    let mut flow = InitializeFlow::new("Rapid-Horse-marq-97!", &mut rng).unwrap();
    send(&mut flow, Method::Get, "/api/whoami");
    let e = reply(&mut flow, 200, r#"{"auth_type":"api_key","organization_id":null}"#).unwrap_err();
    assert_eq!(e.code(), "vault.organization_unknown");
    let mut flow = InitializeFlow::new("Rapid-Horse-marq-97!", &mut rng).unwrap();
    send(&mut flow, Method::Get, "/api/whoami");
    reply(&mut flow, 200, r#"{"auth_type":"api_key","organization_id":"org-1"}"#).unwrap();
    // Argon2 refuses salts under 8 bytes before any work.
    assert_eq!(flow.next().unwrap_err().code(), "vault.salt_too_short");
}

// -------------------------------------------------------------- update key

#[test]
fn update_key_with_a_recovery_code_sends_recovery_auth_hash() {
    let v = Vectors::load();
    let org = v.org();
    let new_key = "New-Vault-key-02!";
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let proof = Proof::recovery_code(&v.str(&["recovery_key", "recovery_code"]));
    assert!(!format!("{proof:?}").contains("DYZ7"));
    let mut flow = UpdateKeyFlow::new(new_key, proof, &mut rng).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(&org)).unwrap();
    assert!(flow.next_is_heavy());
    let recovery_hash = v.str(&["recovery_key", "auth_hash"]);
    send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={recovery_hash}"));
    let unlock = json!({"wrapped_org_encryption_key": v.str(&["recovery_key", "wrapped_org_key_b64"]),
                        "encrypted_secrets": [detail_of(v.payloads()[0])]});
    reply(&mut flow, 200, &unlock.to_string()).unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/keys");
    let keys = json!([
        key_json(&v.str(&["primary_key", "vault_key_id"]), "primary"),
        key_json(&v.str(&["recovery_key", "vault_key_id"]), "recovery")
    ]);
    reply(&mut flow, 200, &keys.to_string()).unwrap();
    assert!(flow.next_is_heavy(), "the new key is derived next");
    let req = send(&mut flow, Method::Put, "/api/v1/vault/keys/primary");
    let body = body_json(&req);
    assert_eq!(keys_of(&body), ["auth_hash", "id", "recovery_auth_hash", "wrapped_org_encryption_key"]);
    assert_eq!(body["recovery_auth_hash"], recovery_hash.as_str());
    let new_id = body["id"].as_str().unwrap();
    ClientUuid::parse(new_id).unwrap();
    let master = vault::derive_master_key(new_key, &org).unwrap();
    assert_eq!(body["auth_hash"], master.auth_hash().as_str());
    let wrapped = body["wrapped_org_encryption_key"].as_str().unwrap();
    assert_eq!(vault::unwrap_org_key(&master, new_id, wrapped).unwrap(), v.org_key());

    reply(&mut flow, 200, &key_json(new_id, "primary").to_string()).unwrap();
    let key = done(&mut flow);
    assert_eq!(key.id, new_id);
}

#[test]
fn update_key_with_the_current_key_sends_current_auth_hash() {
    let v = Vectors::load();
    let vault_key = v.str(&["vault_key"]);
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    // Re-registering the same key keeps the check cheap: the vector's master key applies.
    let mut flow = UpdateKeyFlow::new(&vault_key, Proof::current_key(&vault_key), &mut rng).unwrap();
    let script_hash = v.str(&["primary_key", "auth_hash"]);
    send(&mut flow, Method::Get, "/api/v1/vault/info");
    reply(&mut flow, 200, &info_json(&v.org())).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/unlock?auth_hash={script_hash}"));
    reply(
        &mut flow,
        200,
        &json!({"wrapped_org_encryption_key": v.str(&["primary_key", "wrapped_org_key_b64"])}).to_string(),
    )
    .unwrap();
    send(&mut flow, Method::Get, "/api/v1/vault/keys");
    reply(&mut flow, 200, &json!([key_json(&v.str(&["primary_key", "vault_key_id"]), "primary")]).to_string()).unwrap();
    let req = send(&mut flow, Method::Put, "/api/v1/vault/keys/primary");
    let body = body_json(&req);
    assert_eq!(keys_of(&body), ["auth_hash", "current_auth_hash", "id", "wrapped_org_encryption_key"]);
    assert_eq!(body["current_auth_hash"], script_hash.as_str());
    assert_eq!(body["auth_hash"], script_hash.as_str());
    let new_id = body["id"].as_str().unwrap();
    assert_ne!(new_id, v.str(&["primary_key", "vault_key_id"]));
    let wrapped = body["wrapped_org_encryption_key"].as_str().unwrap();
    assert_eq!(vault::unwrap_org_key(&v.master("primary_key"), new_id, wrapped).unwrap(), v.org_key());
    let e = reply(&mut flow, 403, r#"{"detail":"Invalid current vault key"}"#).unwrap_err();
    assert_eq!(e.code(), "api.forbidden");
}

#[test]
fn update_key_checks_the_new_key_only() {
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let e = UpdateKeyFlow::new("weak", Proof::current_key("Rapid-Horse-marq-97!"), &mut rng).unwrap_err();
    assert_eq!(e.code(), "vault.weak_vault_key");
    // The proof is not held to the rules (recovery codes have no lowercase).
    assert!(UpdateKeyFlow::new("New-Vault-key-02!", Proof::recovery_code("AAAA-BBBB"), &mut rng).is_ok());
    assert!(UpdateKeyFlow::new("New-Vault-key-02!", Proof::current_key(""), &mut rng).is_err());
}

// ------------------------------------------------------------------ secrets

#[test]
fn create_secret_for_an_identity_posts_then_grants() {
    let v = Vectors::load();
    let unlocked = v.unlocked();
    let mut rng = ChaCha20Rng::from_seed([6; 32]);
    let mut login = LoginPayload::new("s3cret".into());
    login.username = Some("bot@crm.com".into());
    let new = NewSecret::new("CRM Login", login).with_description("CRM service account");
    let mut flow = CreateSecretForIdentityFlow::new(&unlocked, IDENTITY, &new, &mut rng).unwrap();
    let req = send(&mut flow, Method::Post, "/api/v1/vault/secrets");
    let body = body_json(&req);
    assert_eq!(keys_of(&body), ["description", "encrypted_payload", "id", "name", "secret_type"]);
    assert_eq!((&body["name"], &body["secret_type"]), (&json!("CRM Login"), &json!("login")));
    assert_eq!(body["description"], "CRM service account");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(&id[14..15], "4");
    let payload =
        vault::decrypt_payload(&v.org_key(), &id, &SecretType::Login, body["encrypted_payload"].as_str().unwrap())
            .unwrap();
    assert_eq!(payload, new.payload);
    // The id is the AAD: the same blob under another id fails.
    assert!(
        vault::decrypt_payload(&v.org_key(), IDENTITY, &SecretType::Login, body["encrypted_payload"].as_str().unwrap())
            .is_err()
    );

    reply(&mut flow, 201, &secret_json(&id, "login").to_string()).unwrap();
    let req = send(&mut flow, Method::Post, &format!("/api/v1/vault/secrets/{id}/access"));
    assert_eq!(req.body.as_deref(), Some(format!(r#"{{"identity_id":"{IDENTITY}"}}"#).as_bytes()));
    reply(&mut flow, 201, &rule_json(&id, IDENTITY).to_string()).unwrap();
    let created = done(&mut flow);
    assert_eq!(created.secret.id, id);
    assert_eq!(created.access_rule.identity_id, IDENTITY);
}

#[test]
fn create_secret_grant_failure_is_reported() {
    let v = Vectors::load();
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let new = NewSecret::new("K", ApiKeyPayload::new("sk-1".into()));
    let mut flow = CreateSecretForIdentityFlow::new(&v.unlocked(), IDENTITY, &new, &mut rng).unwrap();
    let id = body_json(&send(&mut flow, Method::Post, "/api/v1/vault/secrets"))["id"].as_str().unwrap().to_owned();
    reply(&mut flow, 201, &secret_json(&id, "api_key").to_string()).unwrap();
    send(&mut flow, Method::Post, &format!("/api/v1/vault/secrets/{id}/access"));
    let e = reply(&mut flow, 404, r#"{"detail":"Identity not found"}"#).unwrap_err();
    assert_eq!(e.code(), "api.not_found");
}

#[test]
fn get_secret_decrypts_every_vector_payload() {
    let v = Vectors::load();
    let unlocked = v.unlocked();
    for case in v.payloads() {
        let id = case["secret_id"].as_str().unwrap();
        let mut flow = GetSecretFlow::new(&unlocked, id).unwrap();
        let req = send(&mut flow, Method::Get, &format!("/api/v1/vault/secrets/{id}"));
        assert!(req.body.is_none());
        reply(&mut flow, 200, &detail_of(case).to_string()).unwrap();
        let secret = done(&mut flow);
        assert_eq!(as_json(&secret.payload), case["expected_parsed"], "{}", case["name"]);
    }
    // A one-bit change fails as one error.
    let case = v.payloads()[0];
    let id = case["secret_id"].as_str().unwrap();
    let mut flow = GetSecretFlow::new(&unlocked, id).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/secrets/{id}"));
    let bad = detail_json(
        id,
        case["secret_type"].as_str().unwrap(),
        &tampered(case["encrypted_payload_b64"].as_str().unwrap()),
    );
    assert_eq!(reply(&mut flow, 200, &bad.to_string()).unwrap_err().code(), "vault.decryption_failed");
}

#[test]
fn update_secret_reencrypts_with_a_fresh_nonce_and_the_same_aad() {
    let v = Vectors::load();
    let unlocked = v.unlocked();
    let case = v.payload("login_full_no_totp");
    let id = case["secret_id"].as_str().unwrap();
    let mut rng = ChaCha20Rng::from_seed([8; 32]);
    let mut login = LoginPayload::new("rotated-password".into());
    login.username = Some("user_LNOcCl".into());
    let changes =
        SecretChanges { name: Some("Renamed".into()), description: Patch::Clear, payload: Some(login.clone().into()) };
    let mut flow = UpdateSecretFlow::new(&unlocked, id, changes, &mut rng).unwrap();
    let path = format!("/api/v1/vault/secrets/{id}");
    send(&mut flow, Method::Get, &path);
    reply(&mut flow, 200, &detail_of(case).to_string()).unwrap();
    let req = send(&mut flow, Method::Patch, &path);
    let body = body_json(&req);
    assert_eq!(keys_of(&body), ["description", "encrypted_payload", "name"]);
    assert_eq!((&body["name"], &body["description"]), (&json!("Renamed"), &Value::Null));
    let blob = body["encrypted_payload"].as_str().unwrap();
    assert_ne!(blob, case["encrypted_payload_b64"].as_str().unwrap());
    assert_eq!(vault::decrypt_payload(&v.org_key(), id, &SecretType::Login, blob).unwrap(), SecretPayload::from(login));
    let mut updated = secret_json(id, "login");
    updated["name"] = json!("Renamed");
    reply(&mut flow, 200, &updated.to_string()).unwrap();
    assert_eq!(done(&mut flow).name, "Renamed");
}

#[test]
fn update_secret_refuses_another_payload_type_and_skips_get_without_payload() {
    let v = Vectors::load();
    let unlocked = v.unlocked();
    let case = v.payload("login_minimal");
    let id = case["secret_id"].as_str().unwrap();
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let changes = SecretChanges { payload: Some(ApiKeyPayload::new("sk".into()).into()), ..Default::default() };
    let mut flow = UpdateSecretFlow::new(&unlocked, id, changes, &mut rng).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/secrets/{id}"));
    let e = reply(&mut flow, 200, &detail_of(case).to_string()).unwrap_err();
    assert_eq!(e.code(), "vault.payload_type_mismatch");

    let changes = SecretChanges { description: Patch::Set("d".into()), ..Default::default() };
    let mut flow = UpdateSecretFlow::new(&unlocked, id, changes, &mut rng).unwrap();
    let req = send(&mut flow, Method::Patch, &format!("/api/v1/vault/secrets/{id}"));
    assert_eq!(req.body.as_deref(), Some(&br#"{"description":"d"}"#[..]));
    reply(&mut flow, 200, &secret_json(id, "login").to_string()).unwrap();
    done(&mut flow);
}

// --------------------------------------------------------------------- TOTP

#[test]
fn set_totp_from_a_uri_then_compute_codes() {
    let v = Vectors::load();
    let unlocked = v.unlocked();
    let case = v.payload("login_full_no_totp");
    let id = case["secret_id"].as_str().unwrap();
    let mut rng = ChaCha20Rng::from_seed([10; 32]);
    let uri = "otpauth://totp/Example:user?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    let mut flow = TotpUpdateFlow::set_uri(&unlocked, id, uri, &mut rng).unwrap();
    let path = format!("/api/v1/vault/secrets/{id}");
    send(&mut flow, Method::Get, &path);
    reply(&mut flow, 200, &detail_of(case).to_string()).unwrap();
    let req = send(&mut flow, Method::Patch, &path);
    let body = body_json(&req);
    assert_eq!(keys_of(&body), ["encrypted_payload"]);
    let stored =
        vault::decrypt_payload(&v.org_key(), id, &SecretType::Login, body["encrypted_payload"].as_str().unwrap())
            .unwrap();
    let mut expected = case["expected_parsed"].clone();
    expected["totp"] = json!({"secret": "JBSWY3DPEHPK3PXP", "algorithm": "sha1", "digits": 6, "period": 30,
                              "issuer": "Example", "account_name": "user"});
    assert_eq!(as_json(&stored), expected);
    reply(&mut flow, 200, &secret_json(id, "login").to_string()).unwrap();
    let secret = done(&mut flow);
    assert_eq!(secret.payload, stored);

    // Codes are computed locally.
    let code = secret.totp_code(0).unwrap();
    assert_eq!(code.code, "282760");
    assert_eq!((code.period_start, code.period_end, code.seconds_remaining, code.expires_in), (0, 30, 30, 30));
    let config = TotpConfig::new("JBSWY3DPEHPK3PXP").unwrap();
    for now in [59, 1_700_000_000, 1_741_737_613] {
        let code = totp_code(&secret.payload, now).unwrap();
        let reference = config.generate(now).unwrap();
        assert_eq!(code.code, reference.code.as_str());
        assert_eq!((code.counter, code.period_end), (reference.counter, reference.period_end));
        assert_eq!(code.expires_in, code.seconds_remaining);
    }
}

#[test]
fn totp_code_of_the_vector_login() {
    let v = Vectors::load();
    let case = v.payload("login_with_totp");
    let id = case["secret_id"].as_str().unwrap();
    let mut flow = GetSecretFlow::new(&v.unlocked(), id).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/secrets/{id}"));
    reply(&mut flow, 200, &detail_of(case).to_string()).unwrap();
    let secret = done(&mut flow);
    let stored = TotpConfig::from_json_value(&case["expected_parsed"]["totp"]).unwrap();
    let now = 1_741_737_600;
    let code = secret.totp_code(now).unwrap();
    let reference = stored.generate(now).unwrap();
    assert_eq!(code.code, reference.code.as_str());
    assert_eq!(code.seconds_remaining, reference.seconds_remaining);
}

#[test]
fn remove_totp_keeps_the_rest_of_the_login() {
    let v = Vectors::load();
    let case = v.payload("login_with_totp");
    let id = case["secret_id"].as_str().unwrap();
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    let mut flow = TotpUpdateFlow::remove(&v.unlocked(), id, &mut rng).unwrap();
    let path = format!("/api/v1/vault/secrets/{id}");
    send(&mut flow, Method::Get, &path);
    reply(&mut flow, 200, &detail_of(case).to_string()).unwrap();
    let body = body_json(&send(&mut flow, Method::Patch, &path));
    let stored =
        vault::decrypt_payload(&v.org_key(), id, &SecretType::Login, body["encrypted_payload"].as_str().unwrap())
            .unwrap();
    let mut expected = case["expected_parsed"].clone();
    expected.as_object_mut().unwrap().remove("totp");
    assert_eq!(as_json(&stored), expected);
    reply(&mut flow, 200, &secret_json(id, "login").to_string()).unwrap();
    let secret = done(&mut flow);
    assert_eq!(secret.totp_code(0).unwrap_err().code(), "vault.no_totp");
}

#[test]
fn totp_only_on_logins_and_bad_uris_fail_early() {
    let v = Vectors::load();
    let unlocked = v.unlocked();
    let case = v.payload("api_key_full");
    let id = case["secret_id"].as_str().unwrap();
    let mut rng = ChaCha20Rng::from_seed([12; 32]);
    let config = TotpConfig::new("JBSWY3DPEHPK3PXP").unwrap();
    let mut flow = TotpUpdateFlow::set(&unlocked, id, &config, &mut rng).unwrap();
    send(&mut flow, Method::Get, &format!("/api/v1/vault/secrets/{id}"));
    assert_eq!(reply(&mut flow, 200, &detail_of(case).to_string()).unwrap_err().code(), "vault.not_login");

    let e = TotpUpdateFlow::set_uri(&unlocked, id, "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP", &mut rng).unwrap_err();
    assert_eq!(e.code(), "totp.unsupported_otp_type");
    let e = TotpUpdateFlow::set_uri(&unlocked, id, "https://example.com", &mut rng).unwrap_err();
    assert_eq!(e.code(), "totp.invalid_uri_scheme");
}

// -------------------------------------------------------------------- drive

#[test]
fn drive_runs_a_flow_over_a_send_function() {
    let v = Vectors::load();
    let case = v.payload("key_pair_full");
    let id = case["secret_id"].as_str().unwrap().to_owned();
    let mut flow = GetSecretFlow::new(&v.unlocked(), &id).unwrap();
    let mut seen = Vec::new();
    let secret = drive(&mut flow, |req| {
        seen.push(req.path_and_query.clone());
        Ok((200, vec![], detail_of(case).to_string().into_bytes()))
    })
    .unwrap();
    assert_eq!(seen, [format!("/api/v1/vault/secrets/{id}")]);
    assert_eq!(as_json(&secret.payload), case["expected_parsed"]);
    // A transport error ends the drive.
    let mut flow = GetSecretFlow::new(&v.unlocked(), &id).unwrap();
    let e = drive(&mut flow, |_| Err(ApiError::transport(inkbox_core::api::TransportErrorKind::Timeout, "timed out")))
        .unwrap_err();
    assert_eq!(e.code(), "transport.timeout");
}
