//! Tunnels over real HTTP: metadata updates (PATCH semantics, 4 KB cap,
//! immutable fields, scoping) and sign-csr (passthrough only, CSR checks,
//! awaiting_cert → active, renewal, TLS-mode vs state conflicts), persisted
//! across a restart with --data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Emulator, Resp, TempDir};
use inkbox_core::ErrorCode as _;
use inkbox_core::api::RetryPolicy;
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest, IdentityTunnelCreateOptions};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::patch::Patch;
use inkbox_core::api::tunnels::{self, TlsMode, Tunnel, TunnelStatus, UpdateTunnelRequest};
use serde_json::{Map, Value, json};

fn create(emu: &Emulator, handle: &str, tls_mode: TlsMode) -> ids::AgentIdentity {
    let input = CreateIdentityRequest {
        tunnel: Some(IdentityTunnelCreateOptions { tls_mode }),
        ..CreateIdentityRequest::new(handle)
    };
    let r = emu.send(&ids::build_create(&input).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    ids::parse_create(&r.as_response()).unwrap()
}

fn tunnel_of(identity: &ids::AgentIdentity) -> Tunnel {
    identity.tunnel.clone().expect("identity has a tunnel")
}

fn client(emu: &Emulator, key: &str) -> inkbox_client::Inkbox {
    inkbox_client::Inkbox::builder(key).base_url(&emu.url).unwrap().retry_policy(RetryPolicy::none()).build().unwrap()
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone()
}

fn patch(emu: &Emulator, id: &str, key: &str, body: &str) -> Resp {
    emu.raw("PATCH", &format!("/api/v1/tunnels/{id}"), Some(key), Some(body))
}

fn advance(emu: &Emulator, secs: u64) {
    let r = emu.raw("POST", "/_emulator/clock", Some(&emu.admin_key), Some(&format!("{{\"advance\": {secs}}}")));
    assert_eq!(r.status, 200, "{:?}", r.json());
}

fn emulated_now(emu: &Emulator) -> i64 {
    emu.raw("GET", "/_emulator/clock", Some(&emu.admin_key), None).json()["now"].as_f64().unwrap() as i64
}

// ------------------------------------------------------------ a test CSR

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

fn base64(data: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

fn unbase64(s: &str) -> Vec<u8> {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let vals: Vec<u32> =
        s.bytes().filter(|b| *b != b'=').map(|b| T.iter().position(|t| *t == b).unwrap() as u32).collect();
    let mut out = Vec::new();
    for c in vals.chunks(4) {
        let n = c.iter().enumerate().fold(0u32, |acc, (i, v)| acc | (v << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..c.len() - 1]);
    }
    out
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64(der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// The bytes between a PEM block's armor lines.
fn pem_der(pem: &str, label: &str) -> Vec<u8> {
    let body = pem
        .split(&format!("-----BEGIN {label}-----"))
        .nth(1)
        .unwrap()
        .split(&format!("-----END {label}-----"))
        .next()
        .unwrap();
    unbase64(&body.chars().filter(|c| !c.is_whitespace()).collect::<String>())
}

/// A P-256 SubjectPublicKeyInfo with a recognizable (not necessarily valid) point.
fn spki(fill: u8) -> Vec<u8> {
    let alg = seq(&[
        &der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
        &der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
    ]);
    let mut point = vec![0x00, 0x04];
    point.extend(std::iter::repeat_n(fill, 64));
    seq(&[&alg, &der(0x03, &point)])
}

/// A structurally valid PKCS#10 CSR for `cn` (the emulator does not check
/// the signature, so it is a placeholder).
fn csr(cn: &str, key: &[u8]) -> String {
    let name = seq(&[&der(0x31, &seq(&[&der(0x06, &[0x55, 0x04, 0x03]), &der(0x0c, cn.as_bytes())]))]);
    let info = seq(&[&der(0x02, &[0]), &name, key, &der(0xa0, &[])]);
    let alg = seq(&[&der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])]);
    let sig = der(0x03, &[&[0u8][..], &seq(&[&der(0x02, &[1]), &der(0x02, &[1])])].concat());
    pem("CERTIFICATE REQUEST", &seq(&[&info, &alg, &sig]))
}

fn sign(emu: &Emulator, id: &str, key: &str, csr_pem: &str) -> Resp {
    emu.send(&tunnels::build_sign_csr(id, csr_pem).unwrap(), key)
}

// ------------------------------------------------------------------ tests

#[test]
fn update_replaces_or_resets_metadata() {
    let emu = Emulator::start();
    let t = tunnel_of(&create(&emu, "meta-bot", TlsMode::Edge));
    let tunnels_api = client(&emu, &emu.admin_key);
    let tunnels_api = tunnels_api.tunnels();
    let mut m = Map::new();
    m.insert("team".into(), json!("gtm"));
    m.insert("n".into(), json!([1, 2]));
    let up = tunnels_api.update(&t.id, &UpdateTunnelRequest { metadata: Patch::Set(m.clone()) }).unwrap();
    assert_eq!(up.metadata, m);
    assert_eq!(
        (up.tunnel_name.as_str(), up.tls_mode.clone(), up.status.clone()),
        ("meta-bot", TlsMode::Edge, TunnelStatus::Active)
    );
    assert!(up.updated_at >= t.updated_at);
    assert_eq!(tunnels_api.get(&t.id).unwrap().metadata, m);

    // An object replaces (no merge); an empty body keeps; null and {} reset.
    let r = patch(&emu, &t.id, &emu.admin_key, r#"{"metadata": {"only": true}}"#);
    assert_eq!((r.status, r.json()["metadata"].clone()), (200, json!({ "only": true })));
    let r = patch(&emu, &t.id, &emu.admin_key, "{}");
    assert_eq!((r.status, r.json()["metadata"].clone()), (200, json!({ "only": true })));
    let r = emu.raw("PATCH", &format!("/api/v1/tunnels/{}", t.id), Some(&emu.admin_key), None);
    assert_eq!((r.status, r.json()["metadata"].clone()), (200, json!({ "only": true })));
    let up = tunnels_api.update(&t.id, &UpdateTunnelRequest { metadata: Patch::Clear }).unwrap();
    assert!(up.metadata.is_empty());
    let r = patch(&emu, &t.id, &emu.admin_key, r#"{"metadata": {"a": 1}}"#);
    assert_eq!(r.status, 200);
    let r = patch(&emu, &t.id, &emu.admin_key, r#"{"metadata": {}}"#);
    assert_eq!((r.status, r.json()["metadata"].clone()), (200, json!({})));

    // Exactly 4096 bytes is fine, one more is 422 (the builder would refuse it first).
    let pad = 4096 - r#"{"k":""}"#.len();
    let at_limit = json!({ "metadata": { "k": "x".repeat(pad) } });
    assert_eq!(patch(&emu, &t.id, &emu.admin_key, &at_limit.to_string()).status, 200);
    let over = json!({ "metadata": { "k": "x".repeat(pad + 1) } });
    let r = patch(&emu, &t.id, &emu.admin_key, &over.to_string());
    assert_eq!(r.status, 422, "{:?}", r.json());
    assert!(r.json()["detail"].as_str().unwrap().contains("4096"));
    assert_eq!(tunnels_api.get(&t.id).unwrap().metadata["k"].as_str().unwrap().len(), pad);

    // Non-objects and immutable fields.
    for bad in [r#"{"metadata": [1]}"#, r#"{"metadata": "x"}"#, "[]", "not json"] {
        let r = patch(&emu, &t.id, &emu.admin_key, bad);
        assert_eq!(r.status, 422, "{bad}: {:?}", r.json());
    }
    let r = patch(&emu, &t.id, &emu.admin_key, r#"{"tls_mode": "passthrough"}"#);
    assert_eq!(r.status, 422);
    assert!(r.json()["detail"].as_str().unwrap().contains("immutable"));
    assert_eq!(patch(&emu, &t.id, &emu.admin_key, r#"{"tunnel_name": "other-name"}"#).status, 422);
    let r = patch(&emu, &t.id, &emu.admin_key, r#"{"tls_mode": "edge", "tunnel_name": "meta-bot", "metadata": null}"#);
    assert_eq!((r.status, r.json()["metadata"].clone()), (200, json!({})));
    assert_eq!(tunnels_api.get(&t.id).unwrap().tls_mode, TlsMode::Edge);
}

#[test]
fn update_and_sign_follow_key_scope() {
    let emu = Emulator::start();
    let a = create(&emu, "scope-a", TlsMode::Passthrough);
    let b = create(&emu, "scope-b", TlsMode::Passthrough);
    let (ta, tb) = (tunnel_of(&a), tunnel_of(&b));
    let key_a = scoped_key(&emu, &a.id);
    assert_eq!(patch(&emu, &ta.id, &key_a, r#"{"metadata": {"mine": 1}}"#).status, 200);
    assert_eq!(patch(&emu, &tb.id, &key_a, r#"{"metadata": {"theirs": 1}}"#).status, 404);
    let r = sign(&emu, &tb.id, &key_a, &csr(&tb.public_host, &spki(7)));
    assert_eq!(r.status, 404);
    assert_eq!(sign(&emu, &ta.id, &key_a, &csr(&ta.public_host, &spki(7))).status, 200);
    // Unknown and deleted tunnels are 404 too.
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_eq!(patch(&emu, unknown, &emu.admin_key, "{}").status, 404);
    assert_eq!(emu.send(&ids::build_delete("scope-b").unwrap(), &emu.admin_key).status, 204);
    assert_eq!(patch(&emu, &tb.id, &emu.admin_key, "{}").status, 404);
    assert_eq!(sign(&emu, &tb.id, &emu.admin_key, &csr(&tb.public_host, &spki(7))).status, 404);
}

#[test]
fn sign_csr_activates_a_passthrough_tunnel() {
    let emu = Emulator::start();
    let t = tunnel_of(&create(&emu, "pt-agent", TlsMode::Passthrough));
    assert_eq!((t.status.clone(), t.cert_pem.clone()), (TunnelStatus::AwaitingCert, None));
    assert_eq!(t.public_host, "pt-agent.localhost");
    assert_eq!(t.zone, format!("localhost:{}", emu.url.rsplit(':').next().unwrap()));

    let key = spki(0x42);
    let c = client(&emu, &emu.admin_key);
    let signed = c.tunnels().sign_csr(&t.id, &csr(&t.public_host, &key)).unwrap();
    let now = emulated_now(&emu);
    assert!((signed.cert_expires_at.unix_seconds() - (now + 90 * 86_400)).abs() <= 5);
    assert_eq!(signed.cert_fingerprint_sha256.len(), 64);
    assert!(signed.cert_fingerprint_sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    // Well-formed PEM: the leaf holds the CSR's key and names the host; the chain is one CA cert.
    let leaf = pem_der(&signed.cert_pem, "CERTIFICATE");
    assert_eq!(leaf[0], 0x30);
    assert!(leaf.windows(key.len()).any(|w| w == key.as_slice()), "the leaf carries the CSR's public key");
    assert!(leaf.windows(t.public_host.len()).any(|w| w == t.public_host.as_bytes()));
    assert!(signed.cert_pem.lines().all(|l| l.len() <= 64));
    assert_eq!(signed.chain_pem.matches("-----BEGIN CERTIFICATE-----").count(), 1);
    assert_eq!(pem_der(&signed.chain_pem, "CERTIFICATE")[0], 0x30);

    let after = c.tunnels().get(&t.id).unwrap();
    assert_eq!(after.status, TunnelStatus::Active);
    assert_eq!(after.cert_pem.as_deref(), Some(signed.cert_pem.as_str()));
    assert_eq!(after.cert_fingerprint_sha256.as_deref(), Some(signed.cert_fingerprint_sha256.as_str()));
    assert_eq!(after.cert_expires_at, Some(signed.cert_expires_at));

    // Renewal while active issues a new certificate.
    advance(&emu, 80 * 86_400);
    let renewed = c.tunnels().sign_csr(&t.id, &csr("PT-Agent.localhost", &spki(0x43))).unwrap();
    assert_ne!(renewed.cert_fingerprint_sha256, signed.cert_fingerprint_sha256);
    assert!(renewed.cert_expires_at.unix_seconds() >= signed.cert_expires_at.unix_seconds() + 80 * 86_400 - 5);
    let certs = emu.raw("GET", "/_emulator/tunnels/certs", Some(&emu.admin_key), None).json();
    assert_eq!(certs["issued"].as_array().unwrap().len(), 2);
}

#[test]
fn sign_csr_refuses_bad_csrs_with_422() {
    let emu = Emulator::start();
    let t = tunnel_of(&create(&emu, "csr-check", TlsMode::Passthrough));
    let good = csr(&t.public_host, &spki(1));
    let garbage_der = pem("CERTIFICATE REQUEST", b"not der at all");
    let cases = [
        (csr("other.localhost", &spki(1)), "common name"),
        (csr("csr-check", &spki(1)), "common name"),
        (good.replace("CERTIFICATE REQUEST", "CERTIFICATE"), "PEM"),
        (good.replace("-----END CERTIFICATE REQUEST-----", ""), "missing"),
        ("-----BEGIN CERTIFICATE REQUEST-----\n@@@@\n-----END CERTIFICATE REQUEST-----\n".to_owned(), "base64"),
        (garbage_der, "CertificationRequest"),
        ("hello".to_owned(), "PEM"),
    ];
    for (pem_text, why) in cases {
        let r = sign(&emu, &t.id, &emu.admin_key, &pem_text);
        assert_eq!(r.status, 422, "{pem_text}: {:?}", r.json());
        let detail = r.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(why), "{detail}");
    }
    for body in ["{}", r#"{"csr_pem": 5}"#, "nope"] {
        let r = emu.raw("POST", &format!("/api/v1/tunnels/{}/sign-csr", t.id), Some(&emu.admin_key), Some(body));
        assert_eq!(r.status, 422, "{body}");
    }
    // Nothing changed.
    let r = emu.send(&tunnels::build_get(&t.id).unwrap(), &emu.admin_key);
    assert_eq!(tunnels::parse_get(&r.as_response()).unwrap().status, TunnelStatus::AwaitingCert);
}

#[test]
fn sign_csr_conflicts_tell_tls_mode_from_state() {
    let emu = Emulator::start();
    let edge = tunnel_of(&create(&emu, "edge-one", TlsMode::Edge));
    let r = sign(&emu, &edge.id, &emu.admin_key, &csr(&edge.public_host, &spki(3)));
    assert_eq!(r.status, 409, "{:?}", r.json());
    assert!(r.json()["detail"].as_str().unwrap().contains("tls_mode"));
    let e = tunnels::parse_sign_csr(&r.as_response()).unwrap_err();
    assert_eq!(e.code(), "api.tunnel_tls_mode_mismatch");
    let e = client(&emu, &emu.admin_key).tunnels().sign_csr(&edge.id, &csr(&edge.public_host, &spki(3))).unwrap_err();
    assert_eq!(e.code(), "api.tunnel_tls_mode_mismatch");

    // A passthrough tunnel in a status that cannot take a certificate.
    let pt = tunnel_of(&create(&emu, "pt-stuck", TlsMode::Passthrough));
    let r = emu.raw(
        "POST",
        &format!("/_emulator/tunnels/{}", pt.id),
        Some(&emu.admin_key),
        Some(r#"{"status": "provisioning", "currently_connected": true, "last_connected_ip_addr": "203.0.113.7"}"#),
    );
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = emu.send(&tunnels::build_get(&pt.id).unwrap(), &emu.admin_key);
    let got = tunnels::parse_get(&r.as_response()).unwrap();
    assert_eq!(got.status, TunnelStatus::Unknown("provisioning".into()));
    assert!(got.currently_connected && got.last_connected_at.is_some());
    assert_eq!(got.last_connected_ip_addr.as_deref(), Some("203.0.113.7"));
    let r = sign(&emu, &pt.id, &emu.admin_key, &csr(&pt.public_host, &spki(3)));
    assert_eq!(r.status, 409, "{:?}", r.json());
    let e = tunnels::parse_sign_csr(&r.as_response()).unwrap_err();
    assert_eq!(e.code(), "api.tunnel_csr_state_conflict");
    // Back to awaiting_cert: signing works.
    let r = emu.raw(
        "POST",
        &format!("/_emulator/tunnels/{}", pt.id),
        Some(&emu.admin_key),
        Some(r#"{"status": "awaiting_cert", "currently_connected": false}"#),
    );
    assert_eq!((r.status, r.json()["currently_connected"].as_bool()), (200, Some(false)));
    assert_eq!(sign(&emu, &pt.id, &emu.admin_key, &csr(&pt.public_host, &spki(3))).status, 200);
    // Control-route errors.
    let ctl = |path: &str, body: &str| emu.raw("POST", path, Some(&emu.admin_key), Some(body)).status;
    assert_eq!(ctl(&format!("/_emulator/tunnels/{}", pt.id), r#"{"status": 1}"#), 422);
    assert_eq!(ctl("/_emulator/tunnels/00000000-0000-4000-8000-000000000000", "{}"), 404);
    assert_eq!(emu.raw("GET", &format!("/_emulator/tunnels/{}", pt.id), Some(&emu.admin_key), None).status, 405);
}

#[test]
fn tunnel_changes_survive_a_restart() {
    let dir = TempDir::new("tunnels");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let t = tunnel_of(&create(&emu, "durable-pt", TlsMode::Passthrough));
    assert_eq!(patch(&emu, &t.id, &emu.admin_key, r#"{"metadata": {"kept": [1, "two"]}}"#).status, 200);
    let r = sign(&emu, &t.id, &emu.admin_key, &csr(&t.public_host, &spki(9)));
    assert_eq!(r.status, 200);
    let signed = tunnels::parse_sign_csr(&r.as_response()).unwrap();
    assert!(emu.terminate().success());

    let emu = Emulator::start_with_data(&db);
    let r = emu.send(&tunnels::build_get(&t.id).unwrap(), &emu.admin_key);
    let got = tunnels::parse_get(&r.as_response()).unwrap();
    assert_eq!(got.status, TunnelStatus::Active);
    assert_eq!(Value::Object(got.metadata), json!({ "kept": [1, "two"] }));
    assert_eq!(got.cert_fingerprint_sha256, Some(signed.cert_fingerprint_sha256));
    assert_eq!(got.cert_expires_at, Some(signed.cert_expires_at));
    let certs = emu.raw("GET", "/_emulator/tunnels/certs", Some(&emu.admin_key), None).json();
    assert_eq!(certs["issued"].as_array().unwrap().len(), 1);
}
