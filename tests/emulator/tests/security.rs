//! Regression tests for the security defects of issue 18: each one failed
//! against the emulator before its fix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::Emulator;

const WHOAMI: &str = "/api/whoami";

#[test]
fn more_than_one_credential_header_is_refused() {
    let emu = Emulator::start();
    let key = emu.admin_key.as_str();
    // One key: fine.
    let r = emu.raw_headers("GET", WHOAMI, &[("X-API-Key", key)], None);
    assert_eq!(r.status, 200, "{:?}", r.json());
    // Two X-API-Key headers, whatever their order or values.
    for pair in [[key, "ApiKey_bogus"], ["ApiKey_bogus", key], [key, key]] {
        let r = emu.raw_headers("GET", WHOAMI, &[("X-API-Key", pair[0]), ("x-api-key", pair[1])], None);
        assert_eq!(r.status, 400, "{pair:?}: {:?}", r.json());
    }
    // X-API-Key plus an Authorization credential.
    let bearer = format!("Bearer {key}");
    let r = emu.raw_headers("GET", WHOAMI, &[("X-API-Key", key), ("Authorization", &bearer)], None);
    assert_eq!(r.status, 400, "{:?}", r.json());
    // Two Authorization headers on a bearer route (AgentPost).
    let r = emu.raw_headers("GET", "/inboxes", &[("Authorization", "Bearer a"), ("Authorization", "Bearer b")], None);
    assert_eq!(r.status, 400, "{:?}", r.json());
    // The control API too.
    let r = emu.raw_headers("GET", "/_emulator/state", &[("X-API-Key", key), ("X-API-Key", "ApiKey_bogus")], None);
    assert_eq!(r.status, 400, "{:?}", r.json());
    // A mutating request with two keys has no effect.
    let body = r#"{"agent_handle": "dupkey"}"#;
    let headers = [("X-API-Key", key), ("X-API-Key", key), ("Content-Type", "application/json")];
    let r = emu.raw_headers("POST", "/api/v1/identities", &headers, Some(body));
    assert_eq!(r.status, 400, "{:?}", r.json());
    let r = emu.raw("GET", "/api/v1/identities/dupkey", Some(key), None);
    assert_eq!(r.status, 404, "{:?}", r.json());
}

// ------------------------------------------------------------ helpers

fn create(emu: &Emulator, handle: &str) -> serde_json::Value {
    let body = serde_json::json!({ "agent_handle": handle }).to_string();
    let r = emu.raw("POST", "/api/v1/identities", Some(&emu.admin_key), Some(&body));
    assert_eq!(r.status, 201, "{:?}", r.json());
    r.json()
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let body = serde_json::json!({ "label": "agent", "scoped_identity_id": identity_id }).to_string();
    let r = emu.raw("POST", "/api/v1/api-keys", Some(&emu.admin_key), Some(&body));
    assert_eq!(r.status, 201, "{:?}", r.json());
    r.json()["api_key"].as_str().unwrap().to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect()
}

/// One raw HTTP/1.1 exchange over a loopback socket, with exactly the
/// given header lines (ureq would set `Host` itself).
fn raw_http(emu: &Emulator, head: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use std::io::{Read as _, Write as _};
    let addr = emu.url.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("response head");
    let text = String::from_utf8_lossy(&out[..split]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, out[split + 4..].to_vec())
}

/// Sends a mail with one attachment from a new identity to another and
/// returns (recipient address, message id).
fn mail_with_attachment(emu: &Emulator, tag: &str) -> (String, String) {
    let a = create(emu, &format!("{tag}-a"));
    let b = create(emu, &format!("{tag}-b"));
    let (ea, eb) = (a["email_address"].as_str().unwrap(), b["email_address"].as_str().unwrap());
    let body = serde_json::json!({
        "recipients": { "to": [eb] }, "subject": "Files", "body_text": "see attached",
        "attachments": [{ "filename": "hello.txt", "content_type": "text/plain", "content_base64": "aGVsbG8gd29ybGQ=" }],
    })
    .to_string();
    let r = emu.raw("POST", &format!("/api/v1/mail/mailboxes/{ea}/messages"), Some(&emu.admin_key), Some(&body));
    assert!(r.status == 200 || r.status == 201, "{:?}", r.json());
    let r = emu.raw("GET", &format!("/api/v1/mail/mailboxes/{eb}/messages"), Some(&emu.admin_key), None);
    let id = r.json()["items"][0]["id"].as_str().unwrap_or_else(|| panic!("{:?}", r.json())).to_owned();
    (eb.to_owned(), id)
}

// ------------------------------------------------------ 1. access grants

#[test]
fn malformed_access_grant_is_refused_not_a_wildcard() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let _target = create(&emu, "grant-target");
    let viewer = create(&emu, "grant-viewer");
    let outsider = create(&emu, "grant-outsider");
    let outsider_key = scoped_key(&emu, outsider["id"].as_str().unwrap());
    let vid = viewer["id"].as_str().unwrap();
    let path = "/api/v1/identities/grant-target/access";
    let misspelled = serde_json::json!({ "viewer_identity": vid }).to_string();
    let extra = serde_json::json!({ "viewer_identity_id": vid, "role": "reader" }).to_string();
    let array = serde_json::json!([vid]).to_string();
    for bad in [misspelled.as_str(), extra.as_str(), "[]", array.as_str(), "\"x\"", "7", "true"] {
        let r = emu.raw("POST", path, Some(&admin), Some(bad));
        assert_eq!(r.status, 422, "{bad}: {:?}", r.json());
    }
    // Nothing was granted: the target stays invisible to other identities.
    let r = emu.raw("GET", path, Some(&admin), None);
    assert_eq!(r.json(), serde_json::json!([]));
    let r = emu.raw("GET", "/api/v1/identities/grant-target", Some(&outsider_key), None);
    assert_eq!(r.status, 404, "{:?}", r.json());

    // An explicit viewer is one grant.
    let r = emu.raw("POST", path, Some(&admin), Some(&serde_json::json!({ "viewer_identity_id": vid }).to_string()));
    assert_eq!(r.status, 201, "{:?}", r.json());
    assert_eq!(r.json()["viewer_identity_id"], vid);
    let r = emu.raw("GET", "/api/v1/identities/grant-target", Some(&outsider_key), None);
    assert_eq!(r.status, 404, "{:?}", r.json());
    // Only an explicit null, or an absent/empty body, is the wildcard.
    for (handle, body) in
        [("wild-null", Some(r#"{"viewer_identity_id": null}"#)), ("wild-empty", Some("{}")), ("wild-none", None)]
    {
        create(&emu, handle);
        let p = format!("/api/v1/identities/{handle}/access");
        let r = emu.raw("POST", &p, Some(&admin), body);
        assert_eq!(r.status, 201, "{body:?}: {:?}", r.json());
        assert_eq!(r.json()["viewer_identity_id"], serde_json::Value::Null);
        let r = emu.raw("GET", &format!("/api/v1/identities/{handle}"), Some(&outsider_key), None);
        assert_eq!(r.status, 200, "{body:?}: {:?}", r.json());
    }
}

// --------------------------------------------------- 3. attachment links

#[test]
fn attachment_links_are_signed_and_expire() {
    let emu = Emulator::start();
    let (eb, id) = mail_with_attachment(&emu, "sig");
    let r = emu.raw(
        "GET",
        &format!("/api/v1/mail/mailboxes/{eb}/messages/{id}/attachments/hello.txt"),
        Some(&emu.admin_key),
        None,
    );
    assert_eq!(r.status, 200, "{:?}", r.json());
    let url = r.json()["url"].as_str().unwrap().to_owned();
    let path = url.strip_prefix(&emu.url).expect("url points at the emulator").to_owned();
    let token = path.strip_prefix("/_emulator/files/").unwrap().to_owned();
    // The valid link works.
    let r = emu.raw("GET", &path, None, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"hello world");

    // The same message, file and a later expiry, re-encoded (keeping any
    // signature the token carries): refused.
    let (payload_hex, sig) = match token.split_once('.') {
        Some((p, s)) => (p.to_owned(), Some(s.to_owned())),
        None => (token.clone(), None),
    };
    let payload = String::from_utf8(unhex(&payload_hex)).unwrap();
    let fields: Vec<&str> = payload.splitn(3, '\n').collect();
    assert_eq!(fields.len(), 3, "{payload:?}");
    let later: i64 = fields[1].parse::<i64>().unwrap() + 10 * 365 * 86400;
    let forged_payload = hex(format!("{}\n{later}\n{}", fields[0], fields[2]).as_bytes());
    let mut forged = vec![forged_payload.clone()];
    if let Some(s) = &sig {
        forged.push(format!("{forged_payload}.{s}"));
        forged.push(format!("{forged_payload}.{}", "0".repeat(s.len())));
        forged.push(payload_hex.clone());
        forged.push(format!("{payload_hex}."));
        // One flipped signature digit.
        let mut flipped: Vec<char> = s.chars().collect();
        flipped[0] = if flipped[0] == '0' { '1' } else { '0' };
        forged.push(format!("{payload_hex}.{}", flipped.into_iter().collect::<String>()));
    }
    for t in &forged {
        let r = emu.raw("GET", &format!("/_emulator/files/{t}"), None, None);
        assert_eq!(r.status, 404, "forged token {t} was accepted");
    }

    // Expiry is still enforced on a genuine token.
    let r = emu.raw("POST", "/_emulator/clock", Some(&emu.admin_key), Some(r#"{"advance": 3601}"#));
    assert_eq!(r.status, 200);
    let r = emu.raw("GET", &path, None, None);
    assert_eq!(r.status, 404, "expired link still served");
}

// -------------------------------------------------- 6. Host header URLs

#[test]
fn absolute_urls_ignore_the_host_header() {
    let emu = Emulator::start();
    let (eb, id) = mail_with_attachment(&emu, "host");
    let p = format!("/api/v1/mail/mailboxes/{eb}/messages/{id}/attachments/hello.txt");
    let key = &emu.admin_key;
    let head =
        |q: &str| format!("GET {p}{q} HTTP/1.1\r\nHost: evil.example\r\nX-API-Key: {key}\r\nConnection: close\r\n\r\n");
    let (status, _, body) = raw_http(&emu, &head(""));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/", emu.url)), "{url}");
    let (status, headers, body) = raw_http(&emu, &head("?redirect=true"));
    assert_eq!(status, 302);
    let loc = headers.iter().find(|(n, _)| n == "location").map(|(_, v)| v.clone()).unwrap();
    assert!(loc.starts_with(&format!("{}/", emu.url)), "{loc}");
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["url"].as_str(), Some(loc.as_str()));

    // iMessage media URLs too.
    let upload = "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nhello\r\n--XB--\r\n";
    let req = format!(
        "POST /api/v1/imessage/media HTTP/1.1\r\nHost: evil.example\r\nX-API-Key: {key}\r\nContent-Type: multipart/form-data; boundary=XB\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{upload}",
        upload.len()
    );
    let (status, _, body) = raw_http(&emu, &req);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let url = v["media_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/", emu.url)), "{url}");
}

#[test]
fn public_url_option_sets_the_base_of_absolute_urls() {
    let emu = Emulator::start_with(&["--public-url", "https://files.emulator.test:8443/"]);
    // The first line still reports where it listens.
    assert!(emu.url.starts_with("http://127.0.0.1:"), "{}", emu.url);
    let (eb, id) = mail_with_attachment(&emu, "pub");
    let p = format!("/api/v1/mail/mailboxes/{eb}/messages/{id}/attachments/hello.txt");
    let r = emu.raw("GET", &p, Some(&emu.admin_key), None);
    let url = r.json()["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("https://files.emulator.test:8443/_emulator/files/"), "{url}");
    drop(emu);
    // A malformed public URL is refused at start.
    for bad in ["ftp://x", "http://", "http://a b", "http://h/path", "files.test"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_inkbox-emulator"))
            .args(["--port", "0", "--public-url", bad])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(out.code(), Some(2), "{bad}");
    }
}

// ------------------------------------------------------ 2. vault unlock

fn vhash(n: u32) -> String {
    format!("{n:08x}").repeat(8)
}

fn vmaterial(n: u32, key_type: &str) -> serde_json::Value {
    serde_json::json!({
        "id": format!("0000000a-0000-4000-8000-{n:012x}"),
        "wrapped_org_encryption_key": format!("d3JhcHBlZC1rZXktbWF0ZXJpYWwt{n:04}"),
        "auth_hash": vhash(n),
        "key_type": key_type,
    })
}

#[test]
fn vault_unlock_needs_the_proof_and_discloses_no_other_key() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let init = serde_json::json!({
        "vault_key": vmaterial(1, "primary"),
        "recovery_keys": [vmaterial(11, "recovery"), vmaterial(12, "recovery"), vmaterial(13, "recovery"), vmaterial(14, "recovery")],
    });
    let r = emu.raw("POST", "/api/v1/vault/initialize", Some(&admin), Some(&init.to_string()));
    assert_eq!(r.status, 201, "{:?}", r.json());
    let bot = create(&emu, "vault-bot");
    let agent = scoped_key(&emu, bot["id"].as_str().unwrap());
    let all = [1, 11, 12, 13, 14];
    let leaks = |body: &[u8], except: Option<u32>| -> Vec<String> {
        let text = String::from_utf8_lossy(body);
        let mut out = Vec::new();
        for n in all {
            if text.contains(&vhash(n)) {
                out.push(format!("auth_hash {n}"));
            }
            let w = vmaterial(n, "x")["wrapped_org_encryption_key"].as_str().unwrap().to_owned();
            if Some(n) != except && text.contains(&w) {
                out.push(format!("wrapped key {n}"));
            }
        }
        out
    };
    for key in [&admin, &agent] {
        // Without the proof: refused, and nothing disclosed.
        for q in ["", "?", "?auth_hash=", "?other=1"] {
            let r = emu.raw("GET", &format!("/api/v1/vault/unlock{q}"), Some(key), None);
            assert_eq!(r.status, 422, "{q}: {}", String::from_utf8_lossy(&r.body));
            assert_eq!(leaks(&r.body, None), Vec::<String>::new(), "{q}");
        }
        // With a proof: only the matching key's material, no hashes at all.
        for n in all {
            let r = emu.raw("GET", &format!("/api/v1/vault/unlock?auth_hash={}", vhash(n)), Some(key), None);
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            let v = r.json();
            assert_eq!(v["wrapped_org_encryption_key"], vmaterial(n, "x")["wrapped_org_encryption_key"]);
            assert_eq!(v["wrapped_org_encryption_keys"], serde_json::Value::Null);
            assert_eq!(leaks(&r.body, Some(n)), Vec::<String>::new());
        }
    }
    // The hashes cannot be read back, so they cannot be replayed as
    // `current_auth_hash`: only someone holding the key can rotate it.
    let r = emu.raw("GET", "/api/v1/vault/keys", Some(&admin), None);
    assert_eq!(leaks(&r.body, None), Vec::<String>::new());
}

// ------------------------------------------------- 7. PATCH bodies

fn patch(emu: &Emulator, path: &str, content_type: Option<&str>, body: &str) -> common::Resp {
    let mut headers = vec![("X-API-Key", emu.admin_key.as_str()), ("Accept", "application/json")];
    if let Some(ct) = content_type {
        headers.push(("Content-Type", ct));
    }
    emu.raw_headers("PATCH", path, &headers, Some(body))
}

#[test]
fn patch_bodies_must_be_json_objects_of_known_keys() {
    let emu = Emulator::start();
    let identity = create(&emu, "patchy");
    let path = "/api/v1/identities/patchy";
    let json = Some("application/json");
    let before = emu.raw("GET", path, Some(&emu.admin_key), None).json();
    // Not an object → 422.
    for body in ["[]", r#"["display_name"]"#, "\"x\"", "1", "null"] {
        let r = patch(&emu, path, json, body);
        assert_eq!(r.status, 422, "{body}: {:?}", r.json());
    }
    // A misspelled or unknown key → 422, naming it.
    for body in [r#"{"dispaly_name": "Typo"}"#, r#"{"display_name": "Ok", "owner": "me"}"#] {
        let r = patch(&emu, path, json, body);
        assert_eq!(r.status, 422, "{body}: {:?}", r.json());
        assert!(r.json()["detail"].as_str().unwrap().contains("unknown field"), "{:?}", r.json());
    }
    // Not JSON by its Content-Type → 415, whatever the body.
    for ct in ["text/plain", "application/x-www-form-urlencoded", "text/plain; charset=utf-8"] {
        let r = patch(&emu, path, Some(ct), r#"{"display_name": "Plain"}"#);
        assert_eq!(r.status, 415, "{ct}: {:?}", r.json());
    }
    // Nothing above changed anything.
    assert_eq!(emu.raw("GET", path, Some(&emu.admin_key), None).json(), before);
    // What still works: known keys, `{}`, an empty body, `+json`, no Content-Type.
    let r = patch(&emu, path, json, r#"{"display_name": "Set"}"#);
    assert_eq!((r.status, r.json()["display_name"].as_str()), (200, Some("Set")), "{:?}", r.json());
    assert_eq!(patch(&emu, path, json, "{}").status, 200);
    assert_eq!(patch(&emu, path, json, "").status, 200);
    assert_eq!(patch(&emu, path, Some("application/merge-patch+json"), r#"{"description": "d"}"#).status, 200);
    assert_eq!(patch(&emu, path, None, r#"{"description": "e"}"#).status, 200);

    // Other PATCH routes run the same checks: the mailbox and a message.
    let email = identity["email_address"].as_str().unwrap();
    let mailbox = format!("/api/v1/mail/mailboxes/{email}");
    assert_eq!(patch(&emu, &mailbox, json, "[]").status, 422);
    assert_eq!(patch(&emu, &mailbox, json, r#"{"filter_mdoe": "whitelist"}"#).status, 422);
    assert_eq!(patch(&emu, &mailbox, Some("text/plain"), "{}").status, 415);
    let ghost = format!("{mailbox}/messages/00000000-0000-4000-8000-000000000000");
    assert_eq!(patch(&emu, &ghost, json, r#"{"is_raed": true}"#).status, 422);
}

#[test]
fn webhook_subscription_patch_still_ignores_owner_keys_only() {
    let emu = Emulator::start();
    let identity = create(&emu, "hooked");
    let mailbox_id = identity["mailbox"]["id"].as_str().unwrap().to_owned();
    let body = serde_json::json!({
        "url": "https://example.com/hook", "event_types": ["message.received"], "mailbox_id": mailbox_id,
    })
    .to_string();
    let r = emu.raw("POST", "/api/v1/webhooks/subscriptions", Some(&emu.admin_key), Some(&body));
    assert_eq!(r.status, 201, "{:?}", r.json());
    let path = format!("/api/v1/webhooks/subscriptions/{}", r.json()["id"].as_str().unwrap());
    let json = Some("application/json");
    // Documented: owner keys are ignored (the owner is immutable).
    let ghost = "00000000-0000-4000-8000-000000000000";
    for key in ["mailbox_id", "phone_number_id", "agent_identity_id"] {
        let r = patch(&emu, &path, json, &serde_json::json!({ key: ghost }).to_string());
        assert_eq!((r.status, r.json()["mailbox_id"].as_str()), (200, Some(mailbox_id.as_str())), "{key}");
    }
    // Anything else unknown, a non-object or a non-JSON type is refused.
    assert_eq!(patch(&emu, &path, json, r#"{"urll": "https://example.com/x"}"#).status, 422);
    assert_eq!(patch(&emu, &path, json, "[]").status, 422);
    assert_eq!(patch(&emu, &path, Some("text/plain"), r#"{"url": "https://example.com/x"}"#).status, 415);
    let r = emu.raw("GET", &path, Some(&emu.admin_key), None);
    assert_eq!(r.json()["url"].as_str(), Some("https://example.com/hook"));
}
