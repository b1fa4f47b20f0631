//! The vault through core's flows: unlock (kept in the client), secrets,
//! identity credentials, TOTP, initialize and key change, with real
//! cryptography against a scripted server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::sync::OnceLock;

use common::*;
use inkbox_client::api::Method;
use inkbox_client::api::vault_flows::{NewSecret, Proof};
use inkbox_client::vault::{
    self as crypto, ApiKeyPayload, ClientUuid, KeyMaterial, LoginPayload, OrgKey, SecretPayload, SecretType,
    VaultKeyType,
};
use inkbox_client::{ErrorCode, Identity, totp};
use serde_json::{Value, json};

const ORG: &str = "org_L5tJekJjBskOINmKsplzL8GWUWT";
const VAULT_KEY: &str = "Rapid-Horse-marq-97!";
const KEY_ID: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const LOGIN_ID: &str = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const API_KEY_ID: &str = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
const OTP_URI: &str = "otpauth://totp/Example:user?secret=JBSWY3DPEHPK3PXP&issuer=Example";

struct Fixture {
    org_key: OrgKey,
    auth_hash: String,
    wrapped: String,
}

/// One Argon2id derivation, shared by the tests of this file.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let org_key = OrgKey::from_bytes([7; 32]);
        let master = crypto::derive_master_key(VAULT_KEY, ORG).unwrap();
        let id = ClientUuid::parse(KEY_ID).unwrap();
        let m = KeyMaterial::with_nonce(&master, &org_key, id, VaultKeyType::Primary, &[1; 12]).unwrap();
        Fixture {
            org_key,
            auth_hash: master.auth_hash().as_str().to_owned(),
            wrapped: m.wrapped_org_encryption_key().as_str().to_owned(),
        }
    })
}

fn login() -> SecretPayload {
    let mut l = LoginPayload::new("hunter2-but-longer".into());
    l.username = Some("bot@crm.com".into());
    l.totp = Some(totp::parse_uri(OTP_URI).unwrap());
    l.into()
}

fn secret_meta(id: &str, secret_type: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "description": null, "secret_type": secret_type, "created_at": TS, "updated_at": TS})
}

fn secret_detail(id: &str, name: &str, payload: &SecretPayload) -> Value {
    let mut v = secret_meta(id, payload.secret_type().as_str(), name);
    v["encrypted_payload"] =
        json!(crypto::encrypt_payload_with_nonce(&fixture().org_key, id, payload, &[9; 12]).unwrap());
    v
}

fn api_key_payload() -> SecretPayload {
    SecretPayload::ApiKey(ApiKeyPayload::new("sk-live-123".into()))
}

/// Queues the responses of an unlock: info, unlock bundle, keys.
fn push_unlock(h: &Harness) {
    let f = fixture();
    h.transport.push_json(
        200,
        json!({"id": "vault-1", "organization_id": ORG, "created_at": TS, "updated_at": TS,
        "key_count": 1, "secret_count": 2, "recovery_key_count": 4}),
    );
    h.transport.push_json(
        200,
        json!({"wrapped_org_encryption_key": f.wrapped, "encrypted_secrets": [
            secret_detail(LOGIN_ID, "CRM Login", &login()),
            secret_detail(API_KEY_ID, "OpenAI", &api_key_payload()),
        ]}),
    );
    h.transport.push_json(200, json!([{"id": KEY_ID, "key_type": "primary", "created_at": TS, "updated_at": TS}]));
}

fn unlock_urls() -> Vec<String> {
    vec![
        url("/api/v1/vault/info"),
        url(&format!("/api/v1/vault/unlock?auth_hash={}", fixture().auth_hash)),
        url("/api/v1/vault/keys"),
    ]
}

fn urls(h: &Harness) -> Vec<String> {
    h.transport.requests().into_iter().map(|r| r.url).collect()
}

#[test]
fn unlock_decrypts_and_keeps_the_vault_in_the_client() {
    let h = harness();
    assert!(h.client.vault().unlocked().is_none());
    push_unlock(&h);
    let unlocked = h.client.vault().unlock(VAULT_KEY).unwrap();
    assert_eq!(urls(&h), unlock_urls());
    assert_eq!(unlocked.organization_id, ORG);
    assert_eq!(unlocked.key_id, KEY_ID);
    assert_eq!(unlocked.secrets.len(), 2);
    assert_eq!(unlocked.secret(LOGIN_ID).unwrap().payload, login());
    assert!(unlocked.undecryptable.is_empty());

    // Kept in the client (and its clones): get_secret fetches and decrypts.
    let clone = h.client.clone();
    assert!(clone.vault().unlocked().is_some());
    h.transport.push_json(200, secret_detail(API_KEY_ID, "OpenAI", &api_key_payload()));
    let s = clone.vault().get_secret(API_KEY_ID).unwrap();
    assert_eq!(h.transport.requests().last().unwrap().url, url(&format!("/api/v1/vault/secrets/{API_KEY_ID}")));
    assert_eq!(s.payload, api_key_payload());
    assert_eq!(s.name(), "OpenAI");

    // Creating a secret encrypts with a fresh id (the AAD) under the org key.
    let mut meta = secret_meta("placeholder", "api_key", "Stripe");
    meta["id"] = json!("00000000-0000-4000-8000-000000000000");
    h.transport.push_json(201, meta);
    h.client.vault().create_secret(&NewSecret::new("Stripe", ApiKeyPayload::new("sk-stripe".into()))).unwrap();
    let r = h.transport.requests().last().unwrap().clone();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/vault/secrets").as_str()));
    let body = body_json(&r);
    assert_eq!((body["name"].as_str(), body["secret_type"].as_str()), (Some("Stripe"), Some("api_key")));
    let id = body["id"].as_str().unwrap();
    ClientUuid::parse(id).unwrap();
    let payload = crypto::decrypt_payload(
        &fixture().org_key,
        id,
        &SecretType::ApiKey,
        body["encrypted_payload"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(payload, SecretPayload::ApiKey(ApiKeyPayload::new("sk-stripe".into())));

    h.client.vault().lock();
    assert_eq!(h.client.vault().get_secret(API_KEY_ID).unwrap_err().code(), "vault.locked");
}

#[test]
fn org_level_vault_calls() {
    let h = harness();
    h.transport.push(404, &[], br#"{"detail":"Vault not found"}"#);
    assert_eq!(h.client.vault().info().unwrap(), None);

    let h = harness();
    h.transport.push(404, &[], br#"{"detail":"Vault not found"}"#);
    assert_eq!(h.client.vault().unlock(VAULT_KEY).unwrap_err().code(), "vault.not_initialized");
    assert!(h.client.vault().unlocked().is_none());

    let h = harness();
    h.transport.push_json(200, json!([]));
    h.client.vault().list_keys(Some("PRIMARY")).unwrap();
    h.transport.push_json(200, json!([secret_meta(LOGIN_ID, "login", "CRM Login")]));
    let secrets = h.client.vault().list_secrets(Some("login")).unwrap();
    assert_eq!(secrets[0].secret_type, SecretType::Login);
    h.transport.push_json(
        201,
        json!({"id": "rule-1", "vault_secret_id": LOGIN_ID, "identity_id": IDENTITY_ID, "created_at": TS}),
    );
    h.client.vault().grant_access(LOGIN_ID, IDENTITY_ID).unwrap();
    h.transport.push(204, &[], b"");
    h.client.vault().revoke_access(LOGIN_ID, IDENTITY_ID).unwrap();
    h.transport.push(204, &[], b"");
    h.client.vault().delete_secret(LOGIN_ID).unwrap();
    let sent = h.transport.requests();
    let got: Vec<(Method, String)> = sent.iter().map(|r| (r.method, r.url.clone())).collect();
    assert_eq!(
        got,
        [
            (Method::Get, url("/api/v1/vault/keys?type=primary")),
            (Method::Get, url("/api/v1/vault/secrets?secret_type=login")),
            (Method::Post, url(&format!("/api/v1/vault/secrets/{LOGIN_ID}/access"))),
            (Method::Delete, url(&format!("/api/v1/vault/secrets/{LOGIN_ID}/access/{IDENTITY_ID}"))),
            (Method::Delete, url(&format!("/api/v1/vault/secrets/{LOGIN_ID}"))),
        ]
    );
    assert_eq!(body_json(&sent[2]), json!({"identity_id": IDENTITY_ID}));
}

#[test]
fn wrong_key_is_invalid_key() {
    let h = harness();
    h.transport.push_json(200, json!({"id": "vault-1", "organization_id": ORG, "created_at": TS, "updated_at": TS}));
    h.transport.push_json(200, json!({"wrapped_org_encryption_key": null, "encrypted_secrets": []}));
    assert_eq!(h.client.vault().unlock("Wrong-Horse-marq-97!").unwrap_err().code(), "vault.invalid_key");
    assert_eq!(h.transport.requests().len(), 2);
}

fn identity_handle(h: &Harness) -> Identity {
    h.transport.push_json(200, identity("my-agent", false, false));
    h.client.get_identity("my-agent").unwrap()
}

#[test]
fn identity_credentials_and_secrets() {
    let h = harness();
    let agent = identity_handle(&h);
    assert_eq!(agent.credentials().unwrap_err().code(), "vault.locked");
    assert_eq!(agent.get_secret(LOGIN_ID).unwrap_err().code(), "vault.locked");
    assert_eq!(agent.get_totp_code(LOGIN_ID).unwrap_err().code(), "vault.locked");
    assert_eq!(h.transport.requests().len(), 1, "guards send nothing");

    push_unlock(&h);
    h.client.vault().unlock(VAULT_KEY).unwrap();

    // credentials(): open again for the identity, keep secrets with a rule for it.
    push_unlock(&h);
    h.transport.push_json(
        200,
        json!([{"id": "r1", "vault_secret_id": LOGIN_ID, "identity_id": IDENTITY_ID, "created_at": TS}]),
    );
    h.transport.push_json(
        200,
        json!([{"id": "r2", "vault_secret_id": API_KEY_ID, "identity_id": "someone-else", "created_at": TS}]),
    );
    let before = h.transport.requests().len();
    let creds = agent.credentials().unwrap();
    let mut expected = unlock_urls();
    expected.push(url(&format!("/api/v1/vault/secrets/{LOGIN_ID}/access")));
    expected.push(url(&format!("/api/v1/vault/secrets/{API_KEY_ID}/access")));
    assert_eq!(urls(&h)[before..], expected[..]);
    assert_eq!(creds.list().len(), 1);
    assert_eq!(creds.list_logins().len(), 1);
    assert!(creds.list_api_keys().is_empty());
    assert_eq!(creds.get_login(LOGIN_ID).unwrap().username.as_deref(), Some("bot@crm.com"));
    assert_eq!(creds.get(API_KEY_ID).unwrap_err().code(), "credentials.not_found");
    assert_eq!(creds.get_api_key(LOGIN_ID).unwrap_err().code(), "credentials.wrong_type");

    // create_secret: POST the secret, then grant this identity.
    let before = h.transport.requests().len();
    h.transport.push_json(201, secret_meta("dddddddd-dddd-4ddd-8ddd-dddddddddddd", "login", "CRM Login"));
    h.transport.push_json(201, json!({"id": "r3", "vault_secret_id": "dddddddd-dddd-4ddd-8ddd-dddddddddddd", "identity_id": IDENTITY_ID, "created_at": TS}));
    let created = agent
        .create_secret(
            &NewSecret::new("CRM Login", LoginPayload::new("s3cret-and-long".into()))
                .with_description("CRM service account"),
        )
        .unwrap();
    assert_eq!(created.access_rule.identity_id, IDENTITY_ID);
    let sent = &h.transport.requests()[before..];
    assert_eq!(sent[0].url, url("/api/v1/vault/secrets"));
    assert_eq!(body_json(&sent[0])["description"], "CRM service account");
    assert_eq!(sent[1].url, url("/api/v1/vault/secrets/dddddddd-dddd-4ddd-8ddd-dddddddddddd/access"));
    assert_eq!(body_json(&sent[1]), json!({"identity_id": IDENTITY_ID}));

    // TOTP code: fetched, decrypted, computed with the environment's clock.
    h.transport.push_json(200, secret_detail(LOGIN_ID, "CRM Login", &login()));
    let code = agent.get_totp_code(LOGIN_ID).unwrap();
    let expected = totp::parse_uri(OTP_URI).unwrap().generate(u64::try_from(h.env.now).unwrap()).unwrap();
    assert_eq!(code.code, expected.code.as_str());
    assert_eq!(code.seconds_remaining, expected.seconds_remaining);

    // remove_totp: GET, then PATCH a re-encrypted payload without totp.
    let before = h.transport.requests().len();
    h.transport.push_json(200, secret_detail(LOGIN_ID, "CRM Login", &login()));
    h.transport.push_json(200, secret_meta(LOGIN_ID, "login", "CRM Login"));
    let updated = agent.remove_totp(LOGIN_ID).unwrap();
    let SecretPayload::Login(l) = &updated.payload else { panic!("not a login") };
    assert!(l.totp.is_none());
    let sent = &h.transport.requests()[before..];
    assert_eq!(
        (sent[1].method, sent[1].url.as_str()),
        (Method::Patch, url(&format!("/api/v1/vault/secrets/{LOGIN_ID}")).as_str())
    );
    let blob = body_json(&sent[1])["encrypted_payload"].as_str().unwrap().to_owned();
    let stored = crypto::decrypt_payload(&fixture().org_key, LOGIN_ID, &SecretType::Login, &blob).unwrap();
    assert_eq!(stored, updated.payload);

    // TOTP on a non-login is refused after the GET.
    h.transport.push_json(200, secret_detail(API_KEY_ID, "OpenAI", &api_key_payload()));
    assert_eq!(agent.set_totp_uri(API_KEY_ID, OTP_URI).unwrap_err().code(), "vault.not_login");

    // revoke_credential_access: DELETE the identity's rule.
    h.transport.push(204, &[], b"");
    agent.revoke_credential_access(LOGIN_ID).unwrap();
    let r = h.transport.requests().last().unwrap().clone();
    assert_eq!(
        (r.method, r.url),
        (Method::Delete, url(&format!("/api/v1/vault/secrets/{LOGIN_ID}/access/{IDENTITY_ID}")))
    );
}

#[test]
fn initialize_registers_a_primary_and_four_recovery_keys() {
    let h = harness();
    h.transport.push_json(200, json!({"auth_type": "api_key", "organization_id": ORG}));
    h.transport.push_json(201, json!({"vault_id": "vault-1", "vault_key_id": "k", "recovery_key_count": 4}));
    let init = h.client.vault().initialize(VAULT_KEY).unwrap();
    assert_eq!(urls(&h), [url("/api/whoami"), url("/api/v1/vault/initialize")]);
    assert_eq!(init.recovery_keys.len(), 4);
    let body = body_json(&h.transport.requests()[1]);
    assert_eq!(body["vault_key"]["key_type"], "primary");
    assert_eq!(body["vault_key"]["auth_hash"], fixture().auth_hash.as_str(), "salt = the whoami organization id");
    assert_eq!(body["recovery_keys"].as_array().unwrap().len(), 4);
    assert!(header(&h.transport.requests()[1], "Idempotency-Key").is_some());

    // Weak keys are refused before any request.
    let h = harness();
    let err = h.client.vault().initialize("short").unwrap_err();
    assert!(matches!(err, inkbox_client::Error::Vault(_)), "{err:?}");
    assert!(h.transport.requests().is_empty());
}

#[test]
fn update_key_proves_with_the_current_key() {
    let h = harness();
    push_unlock(&h);
    h.transport.push_json(200, json!({"id": "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", "key_type": "primary", "created_at": TS, "updated_at": TS}));
    let key = h.client.vault().update_key("Brand-New-Key-2026!", Proof::current_key(VAULT_KEY)).unwrap();
    assert_eq!(key.id, "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee");
    let mut expected = unlock_urls();
    expected.push(url("/api/v1/vault/keys/primary"));
    assert_eq!(urls(&h), expected);
    let put = h.transport.requests()[3].clone();
    assert_eq!(put.method, Method::Put);
    let body = body_json(&put);
    assert_eq!(body["current_auth_hash"], fixture().auth_hash.as_str());
    assert_ne!(body["auth_hash"], fixture().auth_hash.as_str());
}
