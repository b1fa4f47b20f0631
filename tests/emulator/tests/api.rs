//! End-to-end tests of the emulator binary over real HTTP, driven with
//! inkbox-core's request builders and response parsers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Emulator, TempDir};
use inkbox_core::ErrorCode as _;
use inkbox_core::api::error::ErrorKind;
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest, IdentityPhoneNumberCreateOptions};
use inkbox_core::api::identities::{IdentityTunnelCreateOptions, UpdateIdentityRequest};
use inkbox_core::api::keys::{self, ApiKeyStatus, CreateApiKeyRequest};
use inkbox_core::api::mail;
use inkbox_core::api::patch::Patch;
use inkbox_core::api::retry::RetryAfter;
use inkbox_core::api::tunnels::{self, TlsMode, TunnelStatus};
use inkbox_core::api::whoami::{self, Whoami};
use inkbox_core::api::{ApiError, StatusError};

fn status_err(e: &ApiError) -> &StatusError {
    e.as_status().unwrap_or_else(|| panic!("not a status error: {e:?}"))
}

fn create(emu: &Emulator, handle: &str) -> ids::AgentIdentity {
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new(handle)).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    ids::parse_create(&r.as_response()).unwrap()
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input = CreateApiKeyRequest {
        label: "agent".into(),
        description: Some("test key".into()),
        scoped_identity_id: Some(identity_id.into()),
    };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    let created = keys::parse_create_api_key(&r.as_response()).unwrap();
    assert_eq!(created.record.scoped_identity_id.as_deref(), Some(identity_id));
    assert_eq!(created.record.status, ApiKeyStatus::Active);
    assert!(created.record.id.starts_with("ApiKey_"));
    assert_eq!(created.record.last4.as_deref(), Some(&created.api_key[created.api_key.len() - 4..]));
    created.api_key.clone()
}

fn handles(emu: &Emulator, key: &str) -> Vec<String> {
    let r = emu.send(&ids::build_list().unwrap(), key);
    let mut v: Vec<String> = ids::parse_list(&r.as_response()).unwrap().into_iter().map(|i| i.agent_handle).collect();
    v.sort();
    v
}

#[test]
fn whoami_for_admin_and_scoped_keys() {
    let emu = Emulator::start();
    assert!(emu.url.starts_with("http://127.0.0.1:"));
    assert!(emu.org_id.starts_with("org_"));
    let r = emu.send(&whoami::build_whoami().unwrap(), &emu.admin_key);
    let raw = r.json();
    assert!(raw["created_at"].is_number(), "epoch number: {raw}");
    match whoami::parse_whoami(&r.as_response()).unwrap() {
        Whoami::ApiKey(k) => {
            assert_eq!(k.auth_subtype.as_deref(), Some("api_key.admin_scoped"));
            assert_eq!(k.organization_id.as_deref(), Some(emu.org_id.as_str()));
        }
        Whoami::Jwt(_) => panic!("jwt"),
    }
    let bot = create(&emu, "whoami-bot");
    let key = scoped_key(&emu, &bot.id);
    match whoami::parse_whoami(&emu.send(&whoami::build_whoami().unwrap(), &key).as_response()).unwrap() {
        Whoami::ApiKey(k) => assert!(k.auth_subtype.unwrap().starts_with("api_key.agent_scoped")),
        Whoami::Jwt(_) => panic!("jwt"),
    }
    // Unknown key → 401 {"detail": string}; admin keys may only mint scoped keys → 403.
    let r = emu.send(&whoami::build_whoami().unwrap(), "ApiKey_nope");
    assert_eq!(r.status, 401);
    assert!(r.json()["detail"].is_string());
    assert_eq!(whoami::parse_whoami(&r.as_response()).unwrap_err().code(), "api.unauthorized");
    let unscoped = CreateApiKeyRequest { label: "x".into(), ..Default::default() };
    let r = emu.send(&keys::build_create_api_key(&unscoped).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 403);
    // A scoped key cannot mint keys.
    let input = CreateApiKeyRequest { label: "x".into(), scoped_identity_id: Some(bot.id.clone()), description: None };
    assert_eq!(emu.send(&keys::build_create_api_key(&input).unwrap(), &key).status, 403);
}

#[test]
fn routing_errors_use_the_spec_shapes() {
    let emu = Emulator::start();
    let r = emu.raw("GET", "/api/v1/does-not-exist", Some(&emu.admin_key), None);
    assert_eq!((r.status, r.json()), (404, serde_json::json!({"detail": "Not Found"})));
    let r = emu.raw("PUT", "/api/v1/identities/abc", Some(&emu.admin_key), None);
    assert_eq!(r.status, 405);
    assert!(r.json()["detail"].is_string());
    let r = emu.raw("GET", "/api/v1/identities/", None, None);
    assert_eq!(r.status, 401);
    // Trailing slash or not, the same route; and `@` in a path segment (encoded or not).
    assert_eq!(emu.raw("GET", "/api/v1/identities", Some(&emu.admin_key), None).status, 200);
    create(&emu, "route-bot");
    let r = emu.raw("GET", "/api/v1/mail/mailboxes/route-bot%40inkboxmail.com", Some(&emu.admin_key), None);
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = emu.raw("GET", "/api/v1/mail/mailboxes/route-bot@inkboxmail.com/", Some(&emu.admin_key), None);
    assert_eq!(mail::parse_get_mailbox(&r.as_response()).unwrap().email_address, "route-bot@inkboxmail.com");
    // Unknown paths and methods.
    assert_eq!(emu.raw("GET", "/api/v1/nope", Some(&emu.admin_key), None).status, 404);
    assert_eq!(emu.raw("PUT", "/api/v1/identities/", Some(&emu.admin_key), None).status, 405);
    // Invalid JSON body → 422.
    let r = emu.raw("POST", "/api/v1/identities/", Some(&emu.admin_key), Some("{nope"));
    assert_eq!(r.status, 422);
}

#[test]
fn identity_lifecycle_and_delete_cascade() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let mut input = CreateIdentityRequest::new("@Sales-Bot");
    input.description = Patch::Set("first".into());
    input.phone_number = Some(IdentityPhoneNumberCreateOptions { state: Some("NY".into()), ..Default::default() });
    let created = ids::parse_create(&emu.send(&ids::build_create(&input).unwrap(), &admin).as_response()).unwrap();
    assert_eq!(created.agent_handle, "sales-bot");
    assert_eq!(created.display_name.as_deref(), Some("sales-bot"));
    assert_eq!(created.email_address.as_deref(), Some("sales-bot@inkboxmail.com"));
    assert_eq!(created.organization_id, emu.org_id);
    let mb = created.mailbox.clone().unwrap();
    assert_eq!((mb.email_address.as_str(), mb.sending_domain.as_str()), ("sales-bot@inkboxmail.com", "inkboxmail.com"));
    let tunnel = created.tunnel.clone().unwrap();
    assert_eq!((tunnel.public_host.as_str(), tunnel.status.clone()), ("sales-bot.localhost", TunnelStatus::Active));
    let phone = created.phone_number.clone().unwrap();
    assert!(phone.number.starts_with('+'));
    assert_eq!(phone.state.as_deref(), Some("NY"));

    // Passthrough tunnels wait for a certificate.
    let mut pt = CreateIdentityRequest::new("pt-bot");
    pt.tunnel = Some(IdentityTunnelCreateOptions { tls_mode: TlsMode::Passthrough });
    let pt = ids::parse_create(&emu.send(&ids::build_create(&pt).unwrap(), &admin).as_response()).unwrap();
    assert_eq!(pt.tunnel.unwrap().status, TunnelStatus::AwaitingCert);

    // Get and list.
    let got = ids::parse_get(&emu.send(&ids::build_get("Sales-Bot").unwrap(), &admin).as_response()).unwrap();
    assert_eq!(got, created);
    assert_eq!(handles(&emu, &admin), ["pt-bot", "sales-bot"]);

    // Conflicts: taken, reserved (with namespace), bad syntax, toll-free.
    for (handle, status) in [("sales-bot", 409), ("admin", 409), ("a--b", 422), ("x", 422)] {
        let r = emu.send(&ids::build_create(&CreateIdentityRequest::new(handle)).unwrap(), &admin);
        assert_eq!(r.status, status, "{handle}: {:?}", r.json());
        if status == 409 {
            let e = ids::parse_create(&r.as_response()).unwrap_err();
            assert!(
                matches!(&status_err(&e).kind, ErrorKind::HandleUnavailable { blocking_namespace: Some(ns) } if ns == "identities")
            );
        }
    }
    let mut tf = CreateIdentityRequest::new("tf-bot");
    tf.phone_number = Some(IdentityPhoneNumberCreateOptions {
        r#type: inkbox_core::api::phone::PhoneNumberType::TollFree,
        ..Default::default()
    });
    assert_eq!(emu.send(&ids::build_create(&tf).unwrap(), &admin).status, 422);

    // Update: null clears, set sets, absent keeps.
    let up = UpdateIdentityRequest {
        display_name: Patch::Clear,
        description: Patch::Set("second".into()),
        imessage_enabled: Some(true),
        ..Default::default()
    };
    let s = ids::parse_update(&emu.send(&ids::build_update("sales-bot", &up).unwrap(), &admin).as_response()).unwrap();
    assert_eq!((s.display_name, s.description.as_deref(), s.imessage_enabled), (None, Some("second"), true));
    let s = ids::parse_update(
        &emu.send(&ids::build_update("sales-bot", &UpdateIdentityRequest::default()).unwrap(), &admin).as_response(),
    )
    .unwrap();
    assert_eq!(s.description.as_deref(), Some("second"));
    // Rename on the platform domain → 409 (handle_unavailable by op name).
    let rename = UpdateIdentityRequest { agent_handle: Some("new-name".into()), ..Default::default() };
    let r = emu.send(&ids::build_update("sales-bot", &rename).unwrap(), &admin);
    assert_eq!(r.status, 409);
    assert_eq!(ids::parse_update(&r.as_response()).unwrap_err().code(), "api.handle_unavailable");

    // Scoped key + signing key, then delete with cascade.
    let key = scoped_key(&emu, &created.id);
    let r = emu.send(&ids::build_delete("sales-bot").unwrap(), &key);
    assert_eq!(r.status, 403, "scoped keys cannot delete");
    let r = emu.send(&ids::build_delete("sales-bot").unwrap(), &admin);
    assert_eq!(r.status, 204);
    ids::parse_delete(&r.as_response()).unwrap();
    let e = ids::parse_get(&emu.send(&ids::build_get("sales-bot").unwrap(), &admin).as_response()).unwrap_err();
    assert_eq!(e.code(), "api.not_found");
    assert_eq!(emu.send(&whoami::build_whoami().unwrap(), &key).status, 401, "scoped key revoked");
    let r = emu.send(&mail::build_get_mailbox("sales-bot@inkboxmail.com").unwrap(), &admin);
    assert_eq!(r.status, 404, "mailbox gone");
    let r = emu.send(&tunnels::build_get(&tunnel.id).unwrap(), &admin);
    assert_eq!(r.status, 404, "tunnel finalized");
    let state = emu.raw("GET", "/_emulator/state", Some(&admin), None).json();
    assert_eq!(state["counts"]["identities"], 1);
    assert_eq!(handles(&emu, &admin), ["pt-bot"]);
    // The handle is free again.
    let again = create(&emu, "sales-bot");
    assert_ne!(again.id, created.id);
    assert!(again.phone_number.is_none());
}

#[test]
fn scoped_keys_see_only_granted_identities() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let a = create(&emu, "agent-a");
    let b = create(&emu, "agent-b");
    let c = create(&emu, "agent-c");
    let key_a = scoped_key(&emu, &a.id);
    assert_eq!(handles(&emu, &key_a), ["agent-a"]);
    assert_eq!(emu.send(&ids::build_get("agent-b").unwrap(), &key_a).status, 404);
    // Mailboxes too.
    let r = emu.send(&mail::build_list_mailboxes().unwrap(), &key_a);
    let boxes = mail::parse_list_mailboxes(&r.as_response()).unwrap();
    assert_eq!(boxes.len(), 1);
    assert_eq!(boxes[0].email_address, "agent-a@inkboxmail.com");
    let r = emu.send(&mail::build_list_mailboxes().unwrap(), &admin);
    assert_eq!(mail::parse_list_mailboxes(&r.as_response()).unwrap().len(), 3);

    // Only admins manage grants.
    assert_eq!(emu.send(&ids::build_list_access("agent-b").unwrap(), &key_a).status, 403);
    // b grants a explicitly.
    let r = emu.send(&ids::build_grant_access("agent-b", Some(&a.id)).unwrap(), &admin);
    let g = ids::parse_grant_access(&r.as_response()).unwrap();
    assert_eq!((g.target_identity_id.as_str(), g.viewer_identity_id.as_deref()), (b.id.as_str(), Some(a.id.as_str())));
    assert_eq!(handles(&emu, &key_a), ["agent-a", "agent-b"]);
    let r = emu.send(&ids::build_grant_access("agent-b", Some(&a.id)).unwrap(), &admin);
    assert_eq!(r.status, 409, "duplicate grant");
    assert_eq!(emu.send(&ids::build_grant_access("agent-b", Some(&b.id)).unwrap(), &admin).status, 422);
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(emu.send(&ids::build_grant_access("agent-b", Some(missing)).unwrap(), &admin).status, 404);
    // Scoped keys still cannot act on identities they only see.
    let up = UpdateIdentityRequest { description: Patch::Set("x".into()), ..Default::default() };
    assert_eq!(emu.send(&ids::build_update("agent-b", &up).unwrap(), &key_a).status, 403);
    assert_eq!(emu.send(&ids::build_update("agent-a", &up).unwrap(), &key_a).status, 200);
    let fm = UpdateIdentityRequest { imessage_filter_mode: Some(mail::FilterMode::Whitelist), ..Default::default() };
    assert_eq!(emu.send(&ids::build_update("agent-a", &fm).unwrap(), &key_a).status, 403);

    // c goes wildcard: visible to everyone; a specific grant is then redundant.
    let r = emu.send(&ids::build_grant_access("agent-c", None).unwrap(), &admin);
    assert_eq!(ids::parse_grant_access(&r.as_response()).unwrap().viewer_identity_id, None);
    assert_eq!(handles(&emu, &key_a), ["agent-a", "agent-b", "agent-c"]);
    let r = emu.send(&ids::build_grant_access("agent-c", Some(&a.id)).unwrap(), &admin);
    let e = ids::parse_grant_access(&r.as_response()).unwrap_err();
    assert_eq!(e.code(), "api.redundant_grant");
    // Revoking a from the wildcard materializes explicit rows for the others.
    let r = emu.send(&ids::build_revoke_access("agent-c", &a.id).unwrap(), &admin);
    ids::parse_revoke_access(&r.as_response()).unwrap();
    let rows =
        ids::parse_list_access(&emu.send(&ids::build_list_access("agent-c").unwrap(), &admin).as_response()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].viewer_identity_id.as_deref(), Some(b.id.as_str()));
    assert_eq!(handles(&emu, &key_a), ["agent-a", "agent-b"]);
    assert_eq!(emu.send(&ids::build_revoke_access("agent-c", &a.id).unwrap(), &admin).status, 404);
    // Revoke b's grant on agent-b's target; a loses sight of b.
    let r = emu.send(&ids::build_revoke_access("agent-b", &a.id).unwrap(), &admin);
    assert_eq!(r.status, 204);
    assert_eq!(handles(&emu, &key_a), ["agent-a"]);
    // Mailbox filter mode: admin only, with a change notice.
    let up = mail::UpdateMailboxRequest { filter_mode: Some(mail::FilterMode::Whitelist) };
    let r = emu.send(&mail::build_update_mailbox("agent-a@inkboxmail.com", &up).unwrap(), &key_a);
    assert_eq!(r.status, 403);
    let r = emu.send(&mail::build_update_mailbox("agent-a@inkboxmail.com", &up).unwrap(), &admin);
    let m = mail::parse_update_mailbox(&r.as_response()).unwrap();
    assert_eq!(m.filter_mode, mail::FilterMode::Whitelist);
    assert!(m.filter_mode_change_notice.is_some());
    // display_name lives on the identity: the mailbox PATCH refuses it.
    let r = emu.raw(
        "PATCH",
        "/api/v1/mail/mailboxes/agent-a@inkboxmail.com",
        Some(&admin),
        Some(r#"{"display_name":"x"}"#),
    );
    assert_eq!(r.status, 422, "{:?}", r.json());
    let _ = c;
}

#[test]
fn signing_keys_org_and_per_identity() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let r = emu.send(&keys::build_get_signing_key_status().unwrap(), &admin);
    assert!(!keys::parse_get_signing_key_status(&r.as_response()).unwrap().configured);
    let r = emu.send(&keys::build_create_signing_key().unwrap(), &admin);
    let k1 = keys::parse_create_signing_key(&r.as_response()).unwrap();
    assert!(k1.signing_key.starts_with("whsec_") && k1.signing_key.len() > 10);
    let k2 =
        keys::parse_create_signing_key(&emu.send(&keys::build_create_signing_key().unwrap(), &admin).as_response())
            .unwrap();
    assert_ne!(k1.signing_key, k2.signing_key, "rotated");
    let r = emu.send(&keys::build_get_signing_key_status().unwrap(), &admin);
    assert!(keys::parse_get_signing_key_status(&r.as_response()).unwrap().configured);

    create(&emu, "signer");
    let r = emu.send(&keys::build_get_identity_signing_key_status("signer").unwrap(), &admin);
    assert!(!keys::parse_get_identity_signing_key_status(&r.as_response()).unwrap().configured);
    let r = emu.send(&keys::build_create_identity_signing_key("@Signer").unwrap(), &admin);
    let k = keys::parse_create_identity_signing_key(&r.as_response()).unwrap();
    assert!(k.signing_key.starts_with("whsec_"));
    let r = emu.send(&keys::build_get_identity_signing_key_status("signer").unwrap(), &admin);
    let st = keys::parse_get_identity_signing_key_status(&r.as_response()).unwrap();
    assert_eq!((st.configured, st.created_at), (true, Some(k.created_at)));
}

#[test]
fn faults_and_clock() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    // Control API needs the admin key.
    assert_eq!(emu.raw("GET", "/_emulator/state", None, None).status, 401);
    let r =
        emu.raw("POST", "/_emulator/faults", Some(&admin), Some(r#"{"count": 1, "status": 429, "retry_after": 3}"#));
    assert_eq!(r.status, 201);
    let r = emu.send(&whoami::build_whoami().unwrap(), &admin);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("3"));
    let e = whoami::parse_whoami(&r.as_response()).unwrap_err();
    assert_eq!(e.code(), "api.rate_limited");
    assert_eq!(e.retry_after(), Some(RetryAfter::Seconds(3)));
    assert_eq!(emu.send(&whoami::build_whoami().unwrap(), &admin).status, 200, "fault consumed");

    // Prefix-scoped 503s, two of them; other paths pass.
    let body = r#"{"count": 2, "status": 503, "path_prefix": "/api/v1/identities"}"#;
    emu.raw("POST", "/_emulator/faults", Some(&admin), Some(body));
    assert_eq!(emu.send(&whoami::build_whoami().unwrap(), &admin).status, 200);
    assert_eq!(emu.send(&ids::build_list().unwrap(), &admin).status, 503);
    assert_eq!(emu.send(&ids::build_list().unwrap(), &admin).status, 503);
    assert_eq!(emu.send(&ids::build_list().unwrap(), &admin).status, 200);

    // A dropped connection is a transport error.
    emu.raw("POST", "/_emulator/faults", Some(&admin), Some(r#"{"drop_connection": true}"#));
    assert!(emu.try_send(&whoami::build_whoami().unwrap(), &admin).is_err());
    assert_eq!(emu.send(&whoami::build_whoami().unwrap(), &admin).status, 200);
    // A delay only slows the request down.
    emu.raw("POST", "/_emulator/faults", Some(&admin), Some(r#"{"delay_ms": 300}"#));
    let t = std::time::Instant::now();
    assert_eq!(emu.send(&whoami::build_whoami().unwrap(), &admin).status, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
    assert_eq!(emu.raw("POST", "/_emulator/faults", Some(&admin), Some(r#"{"count": 0, "status": 500}"#)).status, 422);

    // The emulated clock stamps everything.
    let r = emu.raw("POST", "/_emulator/clock", Some(&admin), Some(r#"{"set": 1800000000}"#));
    assert_eq!(r.status, 200);
    let bot = create(&emu, "clock-bot");
    let t = bot.created_at.unix_seconds();
    assert!((1_800_000_000..1_800_000_010).contains(&t), "{t}");
    let r = emu.raw("POST", "/_emulator/clock", Some(&admin), Some(r#"{"advance": 3600}"#));
    assert!(r.json()["now"].as_f64().unwrap() >= 1_800_003_600.0);
    let up = UpdateIdentityRequest { description: Patch::Set("later".into()), ..Default::default() };
    let s = ids::parse_update(&emu.send(&ids::build_update("clock-bot", &up).unwrap(), &admin).as_response()).unwrap();
    assert!(s.updated_at.unix_seconds() >= 1_800_003_600);
    assert_eq!(emu.raw("GET", "/_emulator/outbox", Some(&admin), None).json(), serde_json::json!([]));
}

#[test]
fn data_survives_a_restart() {
    let dir = TempDir::new("persist");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let (admin, org) = (emu.admin_key.clone(), emu.org_id.clone());
    let bot = create(&emu, "persist-bot");
    let key = scoped_key(&emu, &bot.id);
    emu.raw("POST", "/_emulator/clock", Some(&admin), Some(r#"{"set": 1900000000}"#));
    let status = emu.terminate();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");

    let emu = Emulator::start_with_data(&db);
    assert_eq!((emu.admin_key.as_str(), emu.org_id.as_str()), (admin.as_str(), org.as_str()));
    let got = ids::parse_get(&emu.send(&ids::build_get("persist-bot").unwrap(), &admin).as_response()).unwrap();
    // The tunnel zone names the current listen port, which changes with the restart.
    let port = emu.url.rsplit(':').next().unwrap();
    assert_eq!(got.tunnel.as_ref().unwrap().zone, format!("localhost:{port}"));
    let mut bot = bot;
    if let (Some(t), Some(g)) = (bot.tunnel.as_mut(), got.tunnel.as_ref()) {
        t.zone.clone_from(&g.zone);
    }
    assert_eq!(got, bot);
    assert_eq!(handles(&emu, &key), ["persist-bot"], "scoped key survives too");
    let clock = emu.raw("GET", "/_emulator/clock", Some(&admin), None).json();
    assert!(clock["now"].as_f64().unwrap() >= 1_900_000_000.0, "{clock}");
    drop(emu);
}

#[test]
fn sigint_shuts_down_cleanly() {
    let emu = Emulator::start();
    create(&emu, "int-bot");
    let status = emu.signal("-INT");
    assert!(status.success(), "{status:?}");
}

#[test]
fn identity_update_answers_the_full_identity_with_channels() {
    // The official TypeScript SDK 0.5.14 (`AgentIdentity.update`) replaces its cached
    // mailbox, phone number and tunnel from the PATCH body; 0.4.9 and core read the
    // summary fields. So the answer is the full identity: a superset of the summary.
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let mut input = CreateIdentityRequest::new("full-bot");
    input.phone_number = Some(IdentityPhoneNumberCreateOptions::default());
    let created = ids::parse_create(&emu.send(&ids::build_create(&input).unwrap(), &admin).as_response()).unwrap();
    let up = UpdateIdentityRequest { description: Patch::Set("patched".into()), ..Default::default() };
    let r = emu.send(&ids::build_update("full-bot", &up).unwrap(), &admin);
    assert_eq!(r.status, 200, "{:?}", r.json());
    let body = r.json();

    // Channels, as GET answers them.
    let got = ids::parse_get(&emu.send(&ids::build_get("full-bot").unwrap(), &admin).as_response()).unwrap();
    let full = ids::parse_get(&r.as_response()).unwrap();
    assert_eq!(full, got);
    assert_eq!(full.description.as_deref(), Some("patched"));
    assert_eq!(full.mailbox.as_ref().map(|m| &m.id), created.mailbox.as_ref().map(|m| &m.id));
    assert_eq!(full.tunnel.as_ref().map(|t| &t.id), created.tunnel.as_ref().map(|t| &t.id));
    assert_eq!(full.phone_number.as_ref().map(|p| &p.id), created.phone_number.as_ref().map(|p| &p.id));
    assert!(body["mailbox"].is_object() && body["tunnel"].is_object() && body["phone_number"].is_object(), "{body}");

    // Every key of the summary (the list entry) is there with the same value.
    let list = emu.send(&ids::build_list().unwrap(), &admin).json();
    let entry = list.as_array().unwrap().iter().find(|i| i["agent_handle"] == "full-bot").unwrap().clone();
    for (k, v) in entry.as_object().unwrap() {
        assert_eq!(&body[k], v, "summary key {k}");
    }
    // core's update parser (the summary) still reads it.
    let s = ids::parse_update(&r.as_response()).unwrap();
    assert_eq!(s, got.summary());

    // A scoped key's own update answers the full identity too; identity without a
    // phone number → phone_number null.
    let plain = create(&emu, "plain-bot");
    let key = scoped_key(&emu, &plain.id);
    let up = UpdateIdentityRequest { display_name: Patch::Set("Plain".into()), ..Default::default() };
    let r = emu.send(&ids::build_update("plain-bot", &up).unwrap(), &key);
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert!(r.json()["phone_number"].is_null());
    assert_eq!(r.json()["mailbox"]["id"], plain.mailbox.as_ref().unwrap().id.as_str());
}

#[test]
fn handle_unavailable_detail_carries_the_agent_handle_unavailable_code() {
    // 0.5.14 raises HandleUnavailableError only when detail.code (or detail.error) is
    // "agent_handle_unavailable"; the existing keys stay for 0.4.9 and core.
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    create(&emu, "taken-bot");
    for (handle, ns) in [("taken-bot", "identities"), ("postmaster", "identities")] {
        let r = emu.send(&ids::build_create(&CreateIdentityRequest::new(handle)).unwrap(), &admin);
        assert_eq!(r.status, 409);
        let d = &r.json()["detail"];
        assert_eq!(d["code"], "agent_handle_unavailable", "{d}");
        assert_eq!(d["error"], "handle_unavailable");
        assert_eq!(d["blocking_namespace"], ns);
        assert_eq!(d["agent_handle"], handle);
        assert!(d["message"].as_str().is_some_and(|m| m.contains(handle)), "{d}");
        let e = ids::parse_create(&r.as_response()).unwrap_err();
        assert!(
            matches!(&status_err(&e).kind, ErrorKind::HandleUnavailable { blocking_namespace: Some(n) } if n == ns)
        );
    }
    // The rename refusal keeps its own error (not a taken handle).
    let rename = UpdateIdentityRequest { agent_handle: Some("other-name".into()), ..Default::default() };
    let r = emu.send(&ids::build_update("taken-bot", &rename).unwrap(), &admin);
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["detail"]["error"], "handle_rename_blocked");
    assert!(r.json()["detail"].get("code").is_none());
}
