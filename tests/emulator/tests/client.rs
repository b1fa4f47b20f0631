//! The emulator driven through `inkbox-client` (core's Rust client): retries
//! through injected faults, `Retry-After`, and idempotent POSTs that are not
//! duplicated when a response is lost after the server acted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::Emulator;
use inkbox_client::Inkbox;
use inkbox_core::api::identities::CreateIdentityRequest;
use inkbox_core::api::mail::{MessageDirection, Recipients, SendEmailRequest};
use inkbox_core::api::{ApiError, ErrorKind};

fn client(emu: &Emulator) -> Inkbox {
    Inkbox::builder(&emu.admin_key).base_url(&emu.url).unwrap().build().unwrap()
}

fn fault(emu: &Emulator, body: serde_json::Value) {
    let r = emu.raw("POST", "/_emulator/faults", Some(&emu.admin_key), Some(&body.to_string()));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

fn pending_faults(emu: &Emulator) -> u64 {
    emu.raw("GET", "/_emulator/state", Some(&emu.admin_key), None).json()["faults_pending"].as_u64().unwrap()
}

fn mail(to: &str, subject: &str) -> SendEmailRequest {
    SendEmailRequest {
        recipients: Recipients { to: vec![to.to_owned()], ..Default::default() },
        subject: subject.to_owned(),
        body_text: Some(format!("body of {subject}")),
        ..Default::default()
    }
}

#[test]
fn retry_after_is_honoured_through_429s() {
    let emu = Emulator::start();
    let inkbox = client(&emu);
    inkbox.create_identity(&CreateIdentityRequest::new("retry-bot")).unwrap();
    fault(&emu, serde_json::json!({"count": 2, "status": 429, "retry_after": 1, "path_prefix": "/api/v1/identities"}));
    let t0 = Instant::now();
    let list = inkbox.list_identities().unwrap();
    let waited = t0.elapsed();
    assert_eq!(list.len(), 1);
    assert!(waited >= Duration::from_millis(1900), "two Retry-After: 1 waits, got {waited:?}");
    assert_eq!(pending_faults(&emu), 0);
}

#[test]
fn exhausted_retries_surface_the_typed_status_error() {
    let emu = Emulator::start();
    let inkbox = client(&emu);
    fault(&emu, serde_json::json!({"count": 5, "status": 503, "path_prefix": "/api/whoami"}));
    let err = inkbox.whoami().unwrap_err();
    match &err {
        ApiError::Status(s) => assert_eq!(s.status, 503),
        other => panic!("expected a status error, got {other:?}"),
    }
    let ApiError::Status(s) = &err else { unreachable!() };
    assert_eq!(s.kind, ErrorKind::Server);
    // Three attempts (the default policy) consumed three of the five faults.
    assert_eq!(pending_faults(&emu), 2);
}

#[test]
fn a_lost_response_to_a_send_is_retried_without_a_duplicate() {
    let emu = Emulator::start();
    let inkbox = client(&emu);
    let a = inkbox.create_identity(&CreateIdentityRequest::new("idem-a")).unwrap();
    let b = inkbox.create_identity(&CreateIdentityRequest::new("idem-b")).unwrap();
    let prefix = format!("/api/v1/mail/mailboxes/{}/messages", a.email_address().unwrap());
    // First the server sends and answers 503; then it sends and the connection drops.
    fault(&emu, serde_json::json!({"count": 1, "status": 503, "after": true, "path_prefix": prefix}));
    let sent = a.send_email(&mail(b.email_address().unwrap(), "exactly once")).unwrap();
    fault(&emu, serde_json::json!({"count": 1, "drop_connection": true, "after": true, "path_prefix": prefix}));
    let sent2 = a.send_email(&mail(b.email_address().unwrap(), "exactly once too")).unwrap();
    assert_ne!(sent.id, sent2.id);

    let outbound: Vec<_> = a.iter_emails(Some(MessageDirection::Outbound)).unwrap().map(Result::unwrap).collect();
    let inbound: Vec<_> = b.iter_emails(Some(MessageDirection::Inbound)).unwrap().map(Result::unwrap).collect();
    assert_eq!(outbound.len(), 2, "sender copies");
    assert_eq!(inbound.len(), 2, "recipient copies");
    assert!(outbound.iter().any(|m| m.id == sent.id) && outbound.iter().any(|m| m.id == sent2.id));
}

#[test]
fn idempotency_keys_replay_and_refuse_reuse() {
    let emu = Emulator::start();
    let body = r#"{"agent_handle":"idem-raw"}"#;
    let send = |key: &str, body: &str| {
        let headers =
            [("X-API-Key", emu.admin_key.as_str()), ("Content-Type", "application/json"), ("Idempotency-Key", key)];
        emu.raw_headers("POST", "/api/v1/identities/", &headers, Some(body))
    };
    let first = send("k-1", body);
    assert_eq!(first.status, 201, "{}", String::from_utf8_lossy(&first.body));
    let again = send("k-1", body);
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
    let reused = send("k-1", r#"{"agent_handle":"idem-other"}"#);
    assert_eq!(reused.status, 409);
    assert_eq!(reused.json()["detail"]["error"], "idempotency_key_reused");
    let too_long = send(&"x".repeat(256), body);
    assert_eq!(too_long.status, 422);
    // Without a key, the same body is a new request: the handle is taken.
    let plain = emu.raw("POST", "/api/v1/identities/", Some(&emu.admin_key), Some(body));
    assert_eq!(plain.status, 409);
}

#[test]
fn a_fault_with_a_detail_answers_it_and_core_types_the_refusal() {
    let emu = Emulator::start();
    let inkbox = client(&emu);
    let detail = serde_json::json!({
        "error": "storage_limit_exceeded",
        "message": "Mailbox is full",
        "upgrade_url": "https://console.example/billing",
        "limit_bytes": 1_073_741_824u64,
    });
    fault(&emu, serde_json::json!({"status": 402, "detail": detail, "path_prefix": "/api/whoami"}));
    let err = inkbox.whoami().unwrap_err();
    let ApiError::Status(s) = &err else { panic!("expected a status error, got {err:?}") };
    assert_eq!((s.status, &s.kind), (402, &ErrorKind::StorageLimitExceeded));
    assert_eq!(s.detail.str_field("upgrade_url"), Some("https://console.example/billing"));
    assert_eq!(s.agent_support, None);
    // A 402 is not retried: the one fault was the one attempt.
    assert_eq!(pending_faults(&emu), 0);
    // The list of pending faults shows the detail back.
    fault(&emu, serde_json::json!({"status": 409, "detail": {"error": "idempotency_key_reused"}, "path_prefix": "/x"}));
    let listed = emu.raw("GET", "/_emulator/faults", Some(&emu.admin_key), None).json();
    assert_eq!(listed[0]["detail"]["error"], "idempotency_key_reused");
    // agent_support rides beside the detail, and core reads it.
    emu.raw("DELETE", "/_emulator/faults", Some(&emu.admin_key), None);
    fault(
        &emu,
        serde_json::json!({"status": 500, "agent_support": "Ask support with id r1", "path_prefix": "/api/whoami", "count": 3}),
    );
    let err = inkbox.whoami().unwrap_err();
    let ApiError::Status(s) = &err else { panic!("expected a status error, got {err:?}") };
    assert_eq!(s.agent_support.as_deref(), Some("Ask support with id r1"));
}
