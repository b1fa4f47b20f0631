//! The vault over real HTTP: core's flows driven by inkbox-client with real
//! crypto (Argon2id, AES-GCM), and raw requests for every error status,
//! identity scoping and persistence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Emulator, Resp, TempDir};
use inkbox_client::api::identities::CreateIdentityRequest;
use inkbox_client::api::keys::{self, CreateApiKeyRequest};
use inkbox_client::api::vault::{KeyType, VaultSecret};
use inkbox_client::api::vault_flows::{NewSecret, Proof, SecretChanges};
use inkbox_client::totp::TotpConfig;
use inkbox_client::vault::{ApiKeyPayload, LoginPayload, SecretPayload, SecretType};
use inkbox_client::{ErrorCode as _, Inkbox};
use serde_json::{Value, json};

const VAULT_KEY: &str = "Correct-Horse-Battery-9!";
const NEW_VAULT_KEY: &str = "Rotated-Vault-Key-2025?";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

fn client(emu: &Emulator, key: &str) -> Inkbox {
    Inkbox::builder(key).base_url(&emu.url).unwrap().build().unwrap()
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone()
}

fn identity_id(emu: &Emulator, handle: &str) -> String {
    let r = emu.raw(
        "POST",
        "/api/v1/identities/",
        Some(&emu.admin_key),
        Some(&json!({ "agent_handle": handle }).to_string()),
    );
    assert_eq!(r.status, 201, "{:?}", r.json());
    r.json()["id"].as_str().unwrap().to_owned()
}

fn status(r: Result<impl std::fmt::Debug, inkbox_client::Error>) -> Option<u16> {
    r.unwrap_err().status()
}

fn code<T: std::fmt::Debug>(r: Result<T, inkbox_client::Error>) -> &'static str {
    r.unwrap_err().code()
}

// ------------------------------------------------------- client flows

#[test]
fn client_flows_with_real_crypto_and_restart() {
    let dir = TempDir::new("vault-e2e");
    let data = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&data);
    let admin = client(&emu, &emu.admin_key);
    let vault = admin.vault();

    assert!(vault.info().unwrap().is_none());
    assert_eq!(code(vault.unlock(VAULT_KEY)), "vault.not_initialized");

    // Initialize: 1 primary + 4 recovery keys, all wrapping one org key.
    let init = vault.initialize(VAULT_KEY).unwrap();
    assert_eq!(init.recovery_key_count, 4);
    assert_eq!(init.recovery_keys.len(), 4);
    assert_eq!(init.organization_id, emu.org_id);
    let info = vault.info().unwrap().unwrap();
    assert_eq!((info.id.as_str(), info.organization_id.as_str()), (init.vault_id.as_str(), emu.org_id.as_str()));
    assert_eq!((info.key_count, info.recovery_key_count, info.secret_count), (1, 4, 0));
    let keys = vault.list_keys(None).unwrap();
    assert_eq!(keys.len(), 5);
    assert_eq!(keys[0].id, init.vault_key_id);
    assert_eq!(keys[0].key_type, KeyType::Primary);

    let unlocked = vault.unlock(VAULT_KEY).unwrap();
    assert!(unlocked.secrets.is_empty());
    assert_eq!(unlocked.key_id, init.vault_key_id);

    // Secrets for identities (create + grant), one unassigned.
    let bot = admin.create_identity(&CreateIdentityRequest::new("vault-bot")).unwrap();
    let other = admin.create_identity(&CreateIdentityRequest::new("vault-other")).unwrap();
    let mut login = LoginPayload::new("hunter2-but-longer".into());
    login.username = Some("bot@example.com".into());
    login.totp = Some(TotpConfig::new(TOTP_SECRET).unwrap().with_issuer("Example"));
    let crm = bot.create_secret(&NewSecret::new("CRM Login", login).with_description("crm")).unwrap();
    assert_eq!(crm.access_rule.identity_id, bot.id());
    assert_eq!(crm.access_rule.vault_secret_id, crm.secret.id);
    assert_eq!(crm.secret.secret_type, SecretType::Login);
    let other_key =
        other.create_secret(&NewSecret::new("Other API", ApiKeyPayload::new("sk-other-0001".into()))).unwrap();
    let loose = vault.create_secret(&NewSecret::new("Unassigned", ApiKeyPayload::new("sk-loose".into()))).unwrap();
    assert!(loose.access.is_empty());

    // The server stored ciphertext the client can open again (AAD = secret id).
    let got = bot.get_secret(&crm.secret.id).unwrap();
    let SecretPayload::Login(p) = &got.payload else { panic!("not a login: {got:?}") };
    assert_eq!(p.password, "hunter2-but-longer");
    assert_eq!(p.totp.as_ref().unwrap().secret(), TOTP_SECRET);
    assert_eq!(got.secret.access.len(), 1);
    let now = 1_700_000_000;
    let expected = TotpConfig::new(TOTP_SECRET).unwrap().generate(now).unwrap();
    assert_eq!(got.totp_code(now).unwrap().code, expected.code.as_str());
    assert_eq!(bot.get_totp_code(&crm.secret.id).unwrap().code.len(), 6);

    // TOTP removal and setting from a URI re-encrypt the payload (PATCH).
    let removed = bot.remove_totp(&crm.secret.id).unwrap();
    let SecretPayload::Login(p) = &removed.payload else { panic!() };
    assert!(p.totp.is_none());
    let uri = format!("otpauth://totp/Example:bot?secret={TOTP_SECRET}&issuer=Example&digits=8");
    bot.set_totp_uri(&crm.secret.id, &uri).unwrap();
    assert_eq!(bot.get_totp_code(&crm.secret.id).unwrap().code.len(), 8);

    // Metadata lists and renames.
    assert_eq!(vault.list_secrets(None).unwrap().len(), 3);
    let logins = vault.list_secrets(Some("login")).unwrap();
    assert_eq!(logins.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [crm.secret.id.as_str()]);
    let renamed =
        vault.update_secret(&loose.id, SecretChanges { name: Some("Renamed".into()), ..Default::default() }).unwrap();
    assert_eq!(renamed.name, "Renamed");
    let rules = vault.list_access_rules(&other_key.secret.id).unwrap();
    assert_eq!(rules.iter().map(|r| r.identity_id.as_str()).collect::<Vec<_>>(), [other.id()]);

    // identity.credentials: the unlock bundle filtered by access rules.
    let creds = bot.credentials().unwrap();
    assert_eq!(creds.list().iter().map(|s| s.id()).collect::<Vec<_>>(), [crm.secret.id.as_str()]);
    assert_eq!(creds.list_logins().len(), 1);
    assert!(creds.list_api_keys().is_empty());
    assert_eq!(creds.get_login(&crm.secret.id).unwrap().username.as_deref(), Some("bot@example.com"));
    assert_eq!(code(creds.get(&other_key.secret.id)), "credentials.not_found");

    // An identity-scoped key unlocks too, but only sees its own credentials.
    let agent = client(&emu, &scoped_key(&emu, bot.id()));
    let mine = agent.vault().unlock(VAULT_KEY).unwrap();
    assert_eq!(mine.secrets.iter().map(|s| s.id()).collect::<Vec<_>>(), [crm.secret.id.as_str()]);
    assert_eq!(agent.vault().list_secrets(None).unwrap().len(), 1);
    assert_eq!(status(agent.vault().get_secret(&other_key.secret.id)), Some(404));
    assert_eq!(status(agent.vault().create_secret(&NewSecret::new("x", ApiKeyPayload::new("k".into())))), Some(403));
    assert_eq!(status(agent.vault().delete_secret(&crm.secret.id)), Some(403));

    // Change the vault key with a recovery code: the code is consumed and the
    // old primary key is gone.
    let code0 = init.recovery_keys[0].recovery_code.as_str().to_owned();
    let new_primary = vault.update_key(NEW_VAULT_KEY, Proof::recovery_code(&code0)).unwrap();
    assert_eq!(new_primary.key_type, KeyType::Primary);
    let primaries = vault.list_keys(Some("PRIMARY")).unwrap();
    assert_eq!(primaries.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [new_primary.id.as_str()]);
    let recovery = vault.list_keys(Some("recovery")).unwrap();
    assert_eq!(recovery.len(), 3);
    assert!(!recovery.iter().any(|k| k.id == init.recovery_keys[0].id));
    assert_eq!(code(vault.update_key("Another-Vault-Key-77!", Proof::recovery_code(&code0))), "vault.invalid_key");

    // Restart on the same data: the new key opens everything, the old does not.
    drop(admin);
    assert!(emu.terminate().success());
    let emu = Emulator::start_with_data(&data);
    let admin = client(&emu, &emu.admin_key);
    let info = admin.vault().info().unwrap().unwrap();
    assert_eq!((info.key_count, info.recovery_key_count, info.secret_count), (1, 3, 3));
    assert_eq!(code(admin.vault().unlock(VAULT_KEY)), "vault.invalid_key");
    let reopened = admin.vault().unlock(NEW_VAULT_KEY).unwrap();
    assert!(reopened.undecryptable.is_empty());
    assert_eq!(reopened.secrets.len(), 3);
    let SecretPayload::Login(p) = &reopened.secret(&crm.secret.id).unwrap().payload else { panic!() };
    assert_eq!(p.totp.as_ref().unwrap().issuer(), Some("Example"));
    assert_eq!(reopened.secret(&loose.id).unwrap().name(), "Renamed");
    let rules = admin.vault().list_access_rules(&crm.secret.id).unwrap();
    assert_eq!(rules.iter().map(|r| r.identity_id.as_str()).collect::<Vec<_>>(), [bot.id()]);
    admin.vault().delete_secret(&loose.id).unwrap();
    assert_eq!(status(admin.vault().get_secret(&loose.id)), Some(404));
    assert!(emu.terminate().success());
}

// ------------------------------------------------- raw HTTP: fake material

fn hash(n: u32) -> String {
    format!("{n:08x}").repeat(8)
}

fn uuid(tag: u32, n: u32) -> String {
    format!("{tag:08x}-0000-4000-8000-{n:012x}")
}

fn material(n: u32, key_type: &str) -> Value {
    json!({
        "id": uuid(0xa, n),
        "wrapped_org_encryption_key": format!("d3JhcHBlZC1rZXktbWF0ZXJpYWwt{n:04}"),
        "auth_hash": hash(n),
        "key_type": key_type,
    })
}

fn init_body() -> Value {
    json!({
        "vault_key": material(1, "primary"),
        "recovery_keys": [material(11, "recovery"), material(12, "recovery"), material(13, "recovery"), material(14, "recovery")],
    })
}

fn call(emu: &Emulator, method: &str, path: &str, key: &str, body: Option<Value>) -> Resp {
    let body = body.map(|b| b.to_string());
    emu.raw(method, &format!("/api/v1/vault{path}"), Some(key), body.as_deref())
}

fn expect(r: &Resp, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn secret_body(n: u32, name: &str, secret_type: &str) -> Value {
    json!({ "id": uuid(0x5, n), "name": name, "secret_type": secret_type,
            "encrypted_payload": format!("Y2lwaGVydGV4dC1ieXRl{n:04}") })
}

fn initialized() -> Emulator {
    let emu = Emulator::start();
    expect(&call(&emu, "POST", "/initialize", &emu.admin_key, Some(init_body())), 201);
    emu
}

#[test]
fn before_initialization_everything_is_404() {
    let emu = Emulator::start();
    let k = emu.admin_key.clone();
    for (m, p) in [
        ("GET", "/info".to_owned()),
        ("GET", format!("/unlock?auth_hash={}", hash(1))),
        ("GET", "/keys".into()),
        ("GET", "/secrets".into()),
        ("GET", format!("/secrets/{}", uuid(5, 1))),
        ("GET", format!("/secrets/{}/access", uuid(5, 1))),
    ] {
        let d = expect(&call(&emu, m, &p, &k, None), 404);
        assert!(d["detail"].is_string(), "{p}: {d}");
    }
    expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(1, "x", "login"))), 404);
    let body = json!({ "id": uuid(0xa, 9), "wrapped_org_encryption_key": "d3JhcA==", "auth_hash": hash(9),
                       "current_auth_hash": hash(1) });
    expect(&call(&emu, "PUT", "/keys/primary", &k, Some(body)), 404);
    // No API key at all.
    assert_eq!(emu.raw("GET", "/api/v1/vault/info", None, None).status, 401);
}

#[test]
fn initialize_validates_once_per_org_and_is_admin_only() {
    let emu = Emulator::start();
    let k = emu.admin_key.clone();
    let agent = scoped_key(&emu, &identity_id(&emu, "init-agent"));
    expect(&call(&emu, "POST", "/initialize", &agent, Some(init_body())), 403);

    let bad = |f: &dyn Fn(&mut Value)| {
        let mut b = init_body();
        f(&mut b);
        expect(&call(&emu, "POST", "/initialize", &k, Some(b)), 422);
    };
    bad(&|b| {
        b["recovery_keys"].as_array_mut().unwrap().pop();
    });
    bad(&|b| b["recovery_keys"].as_array_mut().unwrap().push(material(15, "recovery")));
    bad(&|b| b["vault_key"]["key_type"] = json!("recovery"));
    bad(&|b| b["recovery_keys"][0]["key_type"] = json!("primary"));
    bad(&|b| b["vault_key"]["auth_hash"] = json!("abc123"));
    bad(&|b| b["vault_key"]["auth_hash"] = json!("z".repeat(64)));
    bad(&|b| b["vault_key"]["id"] = json!("not-a-uuid"));
    bad(&|b| b["vault_key"]["wrapped_org_encryption_key"] = json!(""));
    bad(&|b| b["vault_key"]["wrapped_org_encryption_key"] = json!("abcde"));
    bad(&|b| b["recovery_keys"][1]["auth_hash"] = json!(hash(11)));
    bad(&|b| b["recovery_keys"][1]["id"] = json!(uuid(0xa, 11)));
    bad(&|b| {
        b.as_object_mut().unwrap().remove("vault_key");
    });
    expect(&call(&emu, "GET", "/info", &k, None), 404);

    let created = expect(&call(&emu, "POST", "/initialize", &k, Some(init_body())), 201);
    assert_eq!(created["vault_key_id"], json!(uuid(0xa, 1)));
    assert_eq!(created["recovery_key_count"], json!(4));
    let info = expect(&call(&emu, "GET", "/info", &k, None), 200);
    assert_eq!(info["id"], created["vault_id"]);
    assert_eq!(info["organization_id"], json!(emu.org_id));
    assert_eq!((info["key_count"].clone(), info["recovery_key_count"].clone()), (json!(1), json!(4)));
    let d = expect(&call(&emu, "POST", "/initialize", &k, Some(init_body())), 409);
    assert!(d["detail"].as_str().unwrap().contains("already"), "{d}");
    // The scoped key can read the vault's metadata.
    expect(&call(&emu, "GET", "/info", &agent, None), 200);
}

#[test]
fn unlock_matches_auth_hashes() {
    let emu = initialized();
    let k = emu.admin_key.clone();
    expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(1, "A", "login"))), 201);

    let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(1)), &k, None), 200);
    assert_eq!(b["wrapped_org_encryption_key"], material(1, "primary")["wrapped_org_encryption_key"]);
    assert_eq!(b["wrapped_org_encryption_keys"], Value::Null);
    assert_eq!(b["encrypted_secrets"][0]["encrypted_payload"], secret_body(1, "A", "login")["encrypted_payload"]);
    // A recovery code's hash opens it too; upper-case hex is the same hash.
    let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(12).to_uppercase()), &k, None), 200);
    assert_eq!(b["wrapped_org_encryption_key"], material(12, "recovery")["wrapped_org_encryption_key"]);
    // Unknown hash: nothing to unwrap and no ciphertext.
    let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(99)), &k, None), 200);
    assert_eq!(
        b,
        json!({ "wrapped_org_encryption_key": null, "wrapped_org_encryption_keys": null,
                          "encrypted_secrets": [] })
    );
    // Malformed hashes.
    for bad in ["abc", "", &"g".repeat(64)] {
        expect(&call(&emu, "GET", &format!("/unlock?auth_hash={bad}"), &k, None), 422);
    }
    // Without a hash: refused (it would disclose every key's hash and wrapped key).
    let d = expect(&call(&emu, "GET", "/unlock", &k, None), 422);
    assert_eq!(d["detail"], "auth_hash is required");
}

#[test]
fn keys_list_revoke_and_replace_primary() {
    let emu = initialized();
    let k = emu.admin_key.clone();
    let keys = expect(&call(&emu, "GET", "/keys", &k, None), 200);
    assert_eq!(keys.as_array().unwrap().len(), 5);
    assert_eq!(keys[0]["key_type"], json!("primary"));
    assert!(keys[0].get("auth_hash").is_none() && keys[0].get("wrapped_org_encryption_key").is_none());
    assert_eq!(keys[0]["created_by"], json!("user_emulator"));
    assert_eq!(expect(&call(&emu, "GET", "/keys?type=RECOVERY", &k, None), 200).as_array().unwrap().len(), 4);
    assert_eq!(expect(&call(&emu, "GET", "/keys?type=primary", &k, None), 200).as_array().unwrap().len(), 1);
    expect(&call(&emu, "GET", "/keys?type=backup", &k, None), 422);

    // Revoke: recovery keys only, by auth hash; 404 afterwards.
    expect(&call(&emu, "DELETE", &format!("/keys/{}", hash(1)), &k, None), 409);
    expect(&call(&emu, "DELETE", &format!("/keys/{}", hash(14)), &k, None), 204);
    expect(&call(&emu, "DELETE", &format!("/keys/{}", hash(14)), &k, None), 404);
    expect(&call(&emu, "DELETE", &format!("/keys/{}", hash(77)), &k, None), 404);
    let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(14)), &k, None), 200);
    assert_eq!(b["wrapped_org_encryption_key"], Value::Null);
    assert_eq!(expect(&call(&emu, "GET", "/info", &k, None), 200)["recovery_key_count"], json!(3));

    let put = |id: u32, new: u32, proof: Value| {
        let mut body = json!({ "id": uuid(0xb, id), "wrapped_org_encryption_key": "bmV3LXdyYXBwZWQ=",
                               "auth_hash": hash(new) });
        for (f, v) in proof.as_object().unwrap() {
            body[f] = v.clone();
        }
        call(&emu, "PUT", "/keys/primary", &k, Some(body))
    };
    // Exactly one proof; well-formed fields.
    expect(&put(1, 21, json!({})), 422);
    expect(&put(1, 21, json!({ "current_auth_hash": hash(1), "recovery_auth_hash": hash(11) })), 422);
    expect(&put(1, 21, json!({ "current_auth_hash": "nope" })), 422);
    let mut r = json!({ "id": "x", "wrapped_org_encryption_key": "bmV3", "auth_hash": hash(21),
                        "current_auth_hash": hash(1) });
    expect(&call(&emu, "PUT", "/keys/primary", &k, Some(r.clone())), 422);
    r["id"] = json!(uuid(0xb, 1));
    r["wrapped_org_encryption_key"] = json!("");
    expect(&call(&emu, "PUT", "/keys/primary", &k, Some(r)), 422);
    // Wrong proofs: 403.
    expect(&put(1, 21, json!({ "current_auth_hash": hash(99) })), 403);
    expect(&put(1, 21, json!({ "current_auth_hash": hash(11) })), 403);
    expect(&put(1, 21, json!({ "recovery_auth_hash": hash(1) })), 403);
    let d = expect(&put(1, 21, json!({ "recovery_auth_hash": hash(14) })), 403);
    assert_eq!(d["detail"], json!("Invalid recovery code"));
    // The new key may not reuse an active hash or any key id.
    expect(&put(1, 12, json!({ "current_auth_hash": hash(1) })), 409);
    let dup = json!({ "id": uuid(0xa, 13), "wrapped_org_encryption_key": "bmV3", "auth_hash": hash(21),
                          "current_auth_hash": hash(1) });
    expect(&call(&emu, "PUT", "/keys/primary", &k, Some(dup)), 409);

    // Recovery proof: consumed, and the old primary is replaced.
    let key = expect(&put(1, 21, json!({ "recovery_auth_hash": hash(11) })), 200);
    assert_eq!((key["id"].clone(), key["key_type"].clone()), (json!(uuid(0xb, 1)), json!("primary")));
    let d = expect(&put(2, 22, json!({ "recovery_auth_hash": hash(11) })), 403);
    assert_eq!(d["detail"], json!("This recovery code has already been used"));
    for gone in [1, 11] {
        let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(gone)), &k, None), 200);
        assert_eq!(b["wrapped_org_encryption_key"], Value::Null, "{gone}");
    }
    let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(21)), &k, None), 200);
    assert_eq!(b["wrapped_org_encryption_key"], json!("bmV3LXdyYXBwZWQ="));
    let keys = expect(&call(&emu, "GET", "/keys", &k, None), 200);
    let ids: Vec<&str> = keys.as_array().unwrap().iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [uuid(0xa, 12), uuid(0xa, 13), uuid(0xb, 1)]);
    let info = expect(&call(&emu, "GET", "/info", &k, None), 200);
    assert_eq!((info["key_count"].clone(), info["recovery_key_count"].clone()), (json!(1), json!(2)));
    // The old primary no longer proves anything; the new one does.
    expect(&put(2, 22, json!({ "current_auth_hash": hash(1) })), 403);
    expect(&put(2, 22, json!({ "current_auth_hash": hash(21) })), 200);
    assert_eq!(expect(&call(&emu, "GET", "/keys?type=recovery", &k, None), 200).as_array().unwrap().len(), 2);

    // The control API shows every key's lifecycle.
    let st = emu.raw("GET", "/_emulator/vault", Some(&k), None).json();
    let status_of =
        |id: String| st["keys"].as_array().unwrap().iter().find(|x| x["id"] == json!(id)).unwrap()["status"].clone();
    assert_eq!(status_of(uuid(0xa, 1)), json!("replaced"));
    assert_eq!(status_of(uuid(0xa, 11)), json!("consumed"));
    assert_eq!(status_of(uuid(0xa, 14)), json!("revoked"));
    assert_eq!(status_of(uuid(0xb, 1)), json!("replaced"));
    assert_eq!(status_of(uuid(0xb, 2)), json!("active"));
}

#[test]
fn secrets_crud_and_validation() {
    let emu = initialized();
    let k = emu.admin_key.clone();
    // Create: the client's id is kept as given.
    let s = expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(1, "GitHub", "login"))), 201);
    assert_eq!(s["id"], json!(uuid(5, 1)));
    assert_eq!((s["name"].clone(), s["secret_type"].clone()), (json!("GitHub"), json!("login")));
    assert_eq!((s["description"].clone(), s["access"].clone()), (Value::Null, json!([])));
    assert!(s.get("encrypted_payload").is_none());
    let mut upper = secret_body(2, "Upper", "api_key");
    upper["id"] = json!(uuid(5, 0xabc).to_uppercase());
    upper["description"] = json!("d");
    let s2 = expect(&call(&emu, "POST", "/secrets", &k, Some(upper)), 201);
    assert_eq!(s2["id"], json!(uuid(5, 0xabc).to_uppercase()));
    assert_eq!(s2["description"], json!("d"));
    expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(3, &"é".repeat(255), "ssh_key"))), 201);

    expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(1, "Again", "login"))), 409);
    let bad = |f: &dyn Fn(&mut Value)| {
        let mut b = secret_body(9, "Bad", "login");
        f(&mut b);
        expect(&call(&emu, "POST", "/secrets", &k, Some(b)), 422);
    };
    bad(&|b| b["name"] = json!("x".repeat(256)));
    bad(&|b| b["name"] = json!(""));
    bad(&|b| b["name"] = json!("   "));
    bad(&|b| b["secret_type"] = json!("passkey"));
    bad(&|b| b["secret_type"] = json!("LOGIN"));
    bad(&|b| b["encrypted_payload"] = json!(""));
    bad(&|b| b["encrypted_payload"] = json!("%%%not base64%%%"));
    bad(&|b| b["encrypted_payload"] = json!("A".repeat(1024 * 1024 + 4)));
    bad(&|b| b["id"] = json!("secret-uuid"));
    bad(&|b| {
        b.as_object_mut().unwrap().remove("secret_type");
    });
    let r = emu.raw("POST", "/api/v1/vault/secrets", Some(&k), Some("{not json"));
    expect(&r, 422);

    // Lists: metadata only, filter by type.
    let all = expect(&call(&emu, "GET", "/secrets", &k, None), 200);
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert!(all[0].get("encrypted_payload").is_none());
    let logins = expect(&call(&emu, "GET", "/secrets?secret_type=login", &k, None), 200);
    assert_eq!(logins.as_array().unwrap().len(), 1);
    expect(&call(&emu, "GET", "/secrets?secret_type=passkey", &k, None), 422);
    assert_eq!(expect(&call(&emu, "GET", "/info", &k, None), 200)["secret_count"], json!(3));

    // Get: with the payload; ids match case-insensitively.
    let d = expect(&call(&emu, "GET", &format!("/secrets/{}", uuid(5, 0xabc)), &k, None), 200);
    assert_eq!(d["encrypted_payload"], secret_body(2, "", "")["encrypted_payload"]);
    expect(&call(&emu, "GET", &format!("/secrets/{}", uuid(5, 77)), &k, None), 404);

    // Update: null description clears, secret_type is immutable, name/payload not null.
    let path = format!("/secrets/{}", uuid(5, 0xabc));
    let u = expect(&call(&emu, "PATCH", &path, &k, Some(json!({ "description": null, "name": "N" }))), 200);
    assert_eq!((u["description"].clone(), u["name"].clone()), (Value::Null, json!("N")));
    let u = expect(&call(&emu, "PATCH", &path, &k, Some(json!({ "encrypted_payload": "bmV3LXBheWxvYWQ=" }))), 200);
    assert_eq!(u["name"], json!("N"));
    let d = expect(&call(&emu, "GET", &path, &k, None), 200);
    assert_eq!(d["encrypted_payload"], json!("bmV3LXBheWxvYWQ="));
    assert_eq!(d["secret_type"], json!("api_key"));
    let before = d["updated_at"].clone();
    let same = expect(&call(&emu, "PATCH", &path, &k, Some(json!({}))), 200);
    assert_eq!(same["updated_at"], before);
    expect(&call(&emu, "PATCH", &path, &k, Some(json!({ "secret_type": "login" }))), 422);
    expect(&call(&emu, "PATCH", &path, &k, Some(json!({ "name": null }))), 422);
    expect(&call(&emu, "PATCH", &path, &k, Some(json!({ "name": "" }))), 422);
    expect(&call(&emu, "PATCH", &path, &k, Some(json!({ "encrypted_payload": null }))), 422);
    expect(&call(&emu, "PATCH", &path, &k, Some(json!({ "encrypted_payload": "" }))), 422);
    expect(&call(&emu, "PATCH", &path, &k, Some(json!([1]))), 422);
    expect(&call(&emu, "PATCH", &format!("/secrets/{}", uuid(5, 77)), &k, Some(json!({ "name": "x" }))), 404);

    // Delete.
    expect(&call(&emu, "DELETE", &path, &k, None), 204);
    expect(&call(&emu, "DELETE", &path, &k, None), 404);
    expect(&call(&emu, "GET", &path, &k, None), 404);
    assert_eq!(expect(&call(&emu, "GET", "/info", &k, None), 200)["secret_count"], json!(2));
}

#[test]
fn access_rules_scope_identity_keys() {
    let emu = initialized();
    let k = emu.admin_key.clone();
    let bot = identity_id(&emu, "rules-bot");
    let other = identity_id(&emu, "rules-other");
    let agent = scoped_key(&emu, &bot);
    for (n, t) in [(1, "login"), (2, "api_key"), (3, "other")] {
        expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(n, "s", t))), 201);
    }
    let access = |n: u32| format!("/secrets/{}/access", uuid(5, n));

    // Grant / list / duplicate / unknown identity / unknown secret.
    let rule = expect(&call(&emu, "POST", &access(1), &k, Some(json!({ "identity_id": bot }))), 201);
    assert_eq!((rule["vault_secret_id"].clone(), rule["identity_id"].clone()), (json!(uuid(5, 1)), json!(bot)));
    expect(&call(&emu, "POST", &access(1), &k, Some(json!({ "identity_id": bot.to_uppercase() }))), 409);
    expect(&call(&emu, "POST", &access(1), &k, Some(json!({ "identity_id": other }))), 201);
    expect(&call(&emu, "POST", &access(2), &k, Some(json!({ "identity_id": other }))), 201);
    expect(&call(&emu, "POST", &access(1), &k, Some(json!({ "identity_id": uuid(9, 9) }))), 404);
    expect(&call(&emu, "POST", &access(1), &k, Some(json!({}))), 422);
    expect(&call(&emu, "POST", &access(77), &k, Some(json!({ "identity_id": bot }))), 404);
    let rules = expect(&call(&emu, "GET", &access(1), &k, None), 200);
    assert_eq!(rules.as_array().unwrap().len(), 2);
    let s = expect(&call(&emu, "GET", &format!("/secrets/{}", uuid(5, 1)), &k, None), 200);
    assert_eq!(s["access"].as_array().unwrap().len(), 2);

    // The scoped key sees only secret 1, and only its own rule.
    let listed = expect(&call(&emu, "GET", "/secrets", &agent, None), 200);
    assert_eq!(listed.as_array().unwrap().iter().map(|s| s["id"].clone()).collect::<Vec<_>>(), [json!(uuid(5, 1))]);
    assert_eq!(listed[0]["access"].as_array().unwrap().len(), 1);
    let mine = expect(&call(&emu, "GET", &access(1), &agent, None), 200);
    assert_eq!(mine.as_array().unwrap().iter().map(|r| r["identity_id"].clone()).collect::<Vec<_>>(), [json!(bot)]);
    expect(&call(&emu, "GET", &format!("/secrets/{}", uuid(5, 1)), &agent, None), 200);
    for n in [2, 3] {
        expect(&call(&emu, "GET", &format!("/secrets/{}", uuid(5, n)), &agent, None), 404);
        expect(&call(&emu, "GET", &access(n), &agent, None), 404);
        expect(&call(&emu, "PATCH", &format!("/secrets/{}", uuid(5, n)), &agent, Some(json!({ "name": "x" }))), 404);
    }
    let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(1)), &agent, None), 200);
    assert_eq!(b["encrypted_secrets"].as_array().unwrap().len(), 1);
    assert_eq!(expect(&call(&emu, "GET", "/info", &agent, None), 200)["secret_count"], json!(1));
    expect(&call(&emu, "GET", "/keys", &agent, None), 200);
    // It may update what it sees (e.g. enrol TOTP), nothing else.
    expect(&call(&emu, "PATCH", &format!("/secrets/{}", uuid(5, 1)), &agent, Some(json!({ "name": "mine" }))), 200);
    expect(&call(&emu, "POST", "/secrets", &agent, Some(secret_body(8, "x", "login"))), 403);
    expect(&call(&emu, "DELETE", &format!("/secrets/{}", uuid(5, 1)), &agent, None), 403);
    expect(&call(&emu, "POST", &access(1), &agent, Some(json!({ "identity_id": bot }))), 403);
    expect(&call(&emu, "DELETE", &format!("{}/{bot}", access(1)), &agent, None), 403);
    expect(&call(&emu, "DELETE", &format!("/keys/{}", hash(12)), &agent, None), 403);
    let body = json!({ "id": uuid(0xb, 1), "wrapped_org_encryption_key": "bmV3", "auth_hash": hash(21),
                       "current_auth_hash": hash(1) });
    expect(&call(&emu, "PUT", "/keys/primary", &agent, Some(body)), 403);

    // Revoke: 204, then 404; the scoped key loses the secret.
    expect(&call(&emu, "DELETE", &format!("{}/{bot}", access(1)), &k, None), 204);
    expect(&call(&emu, "DELETE", &format!("{}/{bot}", access(1)), &k, None), 404);
    expect(&call(&emu, "DELETE", &format!("{}/{bot}", access(77)), &k, None), 404);
    expect(&call(&emu, "GET", &format!("/secrets/{}", uuid(5, 1)), &agent, None), 404);
    assert_eq!(expect(&call(&emu, "GET", "/secrets", &agent, None), 200), json!([]));

    // Deleting a secret drops its rules; deleting an identity hides its rules.
    expect(&call(&emu, "DELETE", &format!("/secrets/{}", uuid(5, 2)), &k, None), 204);
    expect(&call(&emu, "GET", &access(2), &k, None), 404);
    assert_eq!(expect(&call(&emu, "GET", &access(1), &k, None), 200).as_array().unwrap().len(), 1);
    assert_eq!(emu.raw("DELETE", "/api/v1/identities/rules-other", Some(&k), None).status, 204);
    assert_eq!(expect(&call(&emu, "GET", &access(1), &k, None), 200), json!([]));
}

#[test]
fn identity_create_grants_vault_secret_ids() {
    let emu = initialized();
    let k = emu.admin_key.clone();
    for n in [1, 2] {
        expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(n, "s", "login"))), 201);
    }
    let create = |handle: &str, ids: Value| {
        let body = json!({ "agent_handle": handle, "vault_secret_ids": ids }).to_string();
        emu.raw("POST", "/api/v1/identities/", Some(&k), Some(&body))
    };
    let rules_of = |n: u32| -> Vec<String> {
        let r = expect(&call(&emu, "GET", &format!("/secrets/{}/access", uuid(5, n)), &k, None), 200);
        r.as_array().unwrap().iter().map(|x| x["identity_id"].as_str().unwrap().to_owned()).collect()
    };
    let all = expect(&create("grant-all", json!("*")), 201)["id"].as_str().unwrap().to_owned();
    let one = expect(&create("grant-one", json!(uuid(5, 2))), 201)["id"].as_str().unwrap().to_owned();
    let list = expect(&create("grant-list", json!([uuid(5, 1)])), 201)["id"].as_str().unwrap().to_owned();
    expect(&create("grant-bad", json!([uuid(5, 1), uuid(5, 99)])), 404);
    assert_eq!(emu.raw("GET", "/api/v1/identities/grant-bad", Some(&k), None).status, 404);
    assert_eq!(rules_of(1), [all.clone(), list]);
    assert_eq!(rules_of(2), [all, one]);
}

#[test]
fn vault_state_survives_restart() {
    let dir = TempDir::new("vault-persist");
    let data = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&data);
    let k = emu.admin_key.clone();
    let bot = identity_id(&emu, "persist-bot");
    expect(&call(&emu, "POST", "/initialize", &k, Some(init_body())), 201);
    expect(&call(&emu, "POST", "/secrets", &k, Some(secret_body(1, "Kept", "key_pair"))), 201);
    let path = format!("/secrets/{}", uuid(5, 1));
    expect(&call(&emu, "POST", &format!("{path}/access"), &k, Some(json!({ "identity_id": bot }))), 201);
    let put = json!({ "id": uuid(0xb, 1), "wrapped_org_encryption_key": "bmV3", "auth_hash": hash(21),
                      "recovery_auth_hash": hash(13) });
    expect(&call(&emu, "PUT", "/keys/primary", &k, Some(put)), 200);
    expect(&call(&emu, "DELETE", &format!("/keys/{}", hash(14)), &k, None), 204);
    let info_before = expect(&call(&emu, "GET", "/info", &k, None), 200);
    let secret_before = expect(&call(&emu, "GET", &path, &k, None), 200);
    assert!(emu.terminate().success());

    let emu = Emulator::start_with_data(&data);
    assert_eq!(emu.admin_key, k);
    assert_eq!(expect(&call(&emu, "GET", "/info", &k, None), 200), info_before);
    assert_eq!(expect(&call(&emu, "GET", &path, &k, None), 200), secret_before);
    let b = expect(&call(&emu, "GET", &format!("/unlock?auth_hash={}", hash(21)), &k, None), 200);
    assert_eq!(b["wrapped_org_encryption_key"], json!("bmV3"));
    let d = expect(
        &call(
            &emu,
            "PUT",
            "/keys/primary",
            &k,
            Some(json!({ "id": uuid(0xb, 2),
        "wrapped_org_encryption_key": "bmV3", "auth_hash": hash(22), "recovery_auth_hash": hash(13) })),
        ),
        403,
    );
    assert_eq!(d["detail"], json!("This recovery code has already been used"));
    expect(&call(&emu, "DELETE", &format!("/keys/{}", hash(14)), &k, None), 404);
    expect(&call(&emu, "POST", "/initialize", &k, Some(init_body())), 409);
    let rules = expect(&call(&emu, "GET", &format!("{path}/access"), &k, None), 200);
    assert_eq!(rules[0]["identity_id"], json!(bot));
    let keys: Vec<VaultSecret> = serde_json::from_value(expect(&call(&emu, "GET", "/secrets", &k, None), 200)).unwrap();
    assert_eq!(keys[0].secret_type, SecretType::KeyPair);
    assert!(emu.terminate().success());
}
