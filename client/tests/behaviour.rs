//! Retries, idempotency keys, pagination and error mapping, through the
//! scripted transport and the fake environment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::*;
use inkbox_client::ErrorCode;
use inkbox_client::api::mail::{Recipients, SendEmailRequest};
use inkbox_client::api::texts::SendTextRequest;
use inkbox_client::api::{Method, RetryPolicy, TransportErrorKind};
use serde_json::json;

fn send_input() -> SendEmailRequest {
    SendEmailRequest {
        recipients: Recipients { to: vec!["user@example.com".into()], ..Default::default() },
        subject: "Hello".into(),
        body_text: Some("Hi".into()),
        ..Default::default()
    }
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

#[test]
fn get_503_then_200_is_retried_once_after_a_sleep() {
    let h = harness();
    h.transport.push_json(503, json!({"detail": "unavailable"}));
    h.transport.push_json(200, json!([]));
    assert!(h.client.mailboxes().list().unwrap().is_empty());
    let sent = h.transport.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], sent[1], "the same request is sent again");
    let sleeps = h.env.sleeps();
    assert_eq!(sleeps.len(), 1);
    assert!(sleeps[0] <= Duration::from_millis(500), "first backoff ceiling is 500 ms: {sleeps:?}");
}

#[test]
fn retry_after_header_sets_the_sleep() {
    let h = harness();
    h.transport.push(429, &[("Retry-After", "2")], br#"{"detail":"slow down"}"#);
    h.transport.push_json(200, json!([]));
    h.client.phone_numbers().list().unwrap();
    assert_eq!(h.transport.requests().len(), 2);
    assert_eq!(h.env.sleeps(), [Duration::from_millis(2000)]);

    // An HTTP-date is measured against the environment's clock.
    let h = harness();
    let at = "Mon, 09 Mar 2026 00:00:05 GMT"; // now + 5 s (FakeEnv::now = 2026-03-09T00:00:00Z)
    h.transport.push(503, &[("Retry-After", at)], b"");
    h.transport.push_json(200, json!([]));
    h.client.phone_numbers().list().unwrap();
    assert_eq!(h.env.sleeps(), [Duration::from_secs(5)]);
}

#[test]
fn attempts_are_bounded_and_the_last_error_surfaces() {
    let h = harness();
    for _ in 0..3 {
        h.transport.push_json(502, json!({"detail": "bad gateway"}));
    }
    let err = h.client.tunnels().list().unwrap_err();
    assert_eq!(err.code(), "api.server_error");
    assert_eq!(h.transport.requests().len(), 3);
    assert_eq!(h.env.sleeps().len(), 2);

    let h = harness_with(|b| b.retry_policy(RetryPolicy::none()));
    h.transport.push_json(503, json!({}));
    assert_eq!(h.client.tunnels().list().unwrap_err().code(), "api.server_error");
    assert_eq!(h.transport.requests().len(), 1);
}

#[test]
fn transport_failures_are_retried_for_safe_requests() {
    let h = harness();
    h.transport.push_error(TransportErrorKind::Connect);
    h.transport.push_json(200, json!([]));
    h.client.mailboxes().list().unwrap();
    assert_eq!(h.transport.requests().len(), 2);

    let h = harness();
    h.transport.push_error(TransportErrorKind::Other);
    assert_eq!(h.client.mailboxes().list().unwrap_err().code(), "transport.error");
    assert_eq!(h.transport.requests().len(), 1);
}

#[test]
fn non_retryable_statuses_are_not_retried() {
    let h = harness();
    h.transport.push_json(429, json!({"detail": {"error": "sender_rate_limited", "message": "100 per 24 h"}}));
    let err = h
        .client
        .texts()
        .send(
            NUMBER_ID,
            &SendTextRequest { to: Some("+15557654321".into()), text: Some("x".into()), ..Default::default() },
        )
        .unwrap_err();
    assert_eq!(err.code(), "api.sender_rate_limited");
    assert_eq!(h.transport.requests().len(), 1);
    assert!(h.env.sleeps().is_empty());

    let h = harness();
    h.transport.push_json(422, json!({"detail": [{"loc": ["body", "to"], "msg": "bad"}]}));
    assert_eq!(h.client.messages().send(MAILBOX, &send_input()).unwrap_err().code(), "api.unprocessable");
    assert_eq!(h.transport.requests().len(), 1);
}

#[test]
fn unkeyed_post_is_never_retried() {
    let h = harness_with(|b| b.idempotency_keys(false));
    h.transport.push_json(503, json!({"detail": "unavailable"}));
    h.transport.push_json(200, message("msg-1", true));
    let err = h.client.messages().send(MAILBOX, &send_input()).unwrap_err();
    assert_eq!(err.code(), "api.server_error");
    let r = h.transport.only();
    assert_eq!(r.method, Method::Post);
    assert_eq!(header(&r, "Idempotency-Key"), None);
    assert!(h.env.sleeps().is_empty());
    assert_eq!(h.transport.remaining(), 1);
}

#[test]
fn keyed_post_is_retried_with_the_same_idempotency_key() {
    let h = harness();
    h.transport.push_json(503, json!({"detail": "unavailable"}));
    h.transport.push_json(200, message("msg-1", true));
    h.client.messages().send(MAILBOX, &send_input()).unwrap();
    let sent = h.transport.requests();
    assert_eq!(sent.len(), 2);
    let k0 = header(&sent[0], "Idempotency-Key").unwrap();
    let k1 = header(&sent[1], "Idempotency-Key").unwrap();
    assert_eq!(k0, k1);
    assert!(is_uuid_v4(k0), "{k0}");
    assert_eq!(h.env.sleeps().len(), 1);

    // The next logical call mints a new key.
    h.transport.push_json(200, message("msg-2", true));
    h.client.messages().send(MAILBOX, &send_input()).unwrap();
    let k2 = header(h.transport.requests().last().unwrap(), "Idempotency-Key").unwrap().to_owned();
    assert_ne!(k2, k0);
    assert!(is_uuid_v4(&k2));
}

#[test]
fn cursor_pagination_follows_three_pages() {
    let h = harness();
    h.transport.push_json(200, page(vec![message("m1", false), message("m2", true)], Some("c1")));
    h.transport.push_json(200, page(vec![message("m3", false)], Some("c2")));
    h.transport.push_json(200, page(vec![message("m4", true)], None));
    let ids: Vec<String> = h.client.messages().list(MAILBOX, None).map(|m| m.unwrap().id).collect();
    assert_eq!(ids, ["m1", "m2", "m3", "m4"]);
    let urls: Vec<String> = h.transport.requests().into_iter().map(|r| r.url).collect();
    let base = "/api/v1/mail/mailboxes/sales-bot@inkboxmail.com/messages";
    assert_eq!(
        urls,
        [
            url(&format!("{base}?limit=50")),
            url(&format!("{base}?limit=50&cursor=c1")),
            url(&format!("{base}?limit=50&cursor=c2"))
        ]
    );

    // Threads page the same way; iteration is lazy.
    let h = harness();
    h.transport.push_json(200, page(vec![thread("t1")], Some("n1")));
    h.transport.push_json(200, page(vec![thread("t2")], None));
    let mut it = h.client.threads().list(MAILBOX, None);
    assert_eq!(h.transport.requests().len(), 0);
    assert_eq!(it.next().unwrap().unwrap().id, "t1");
    assert_eq!(h.transport.requests().len(), 1);
    assert_eq!(it.next().unwrap().unwrap().id, "t2");
    assert!(it.next().is_none());
    assert_eq!(h.transport.requests().len(), 2);
}

#[test]
fn pagination_stops_after_an_error() {
    let h = harness();
    h.transport.push_json(200, page(vec![message("m1", false)], Some("c1")));
    h.transport.push_json(404, json!({"detail": "Mailbox not found"}));
    let items: Vec<_> = h.client.messages().list(MAILBOX, None).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().id, "m1");
    assert_eq!(items[1].as_ref().unwrap_err().code(), "api.not_found");
    assert_eq!(h.transport.requests().len(), 2);
}

#[test]
fn pagination_retries_a_429_mid_list_and_stops_on_a_repeated_cursor() {
    let h = harness();
    h.transport.push_json(200, page(vec![message("m1", false)], Some("c1")));
    h.transport.push(429, &[("Retry-After", "1")], br#"{"detail":"slow down"}"#);
    h.transport.push_json(200, page(vec![message("m2", false)], Some("c1")));
    let ids: Vec<String> = h.client.messages().list(MAILBOX, None).map(|m| m.unwrap().id).collect();
    // The retried page goes on; the page that repeats its own cursor is the last.
    assert_eq!(ids, ["m1", "m2"]);
    let urls: Vec<String> = h.transport.requests().into_iter().map(|r| r.url).collect();
    let next = url("/api/v1/mail/mailboxes/sales-bot@inkboxmail.com/messages?limit=50&cursor=c1");
    assert_eq!(urls[1..], [next.clone(), next]);
    assert_eq!(h.env.sleeps(), [Duration::from_millis(1000)]);
}

#[test]
fn offset_pagination_stops_at_a_short_page() {
    let h = harness();
    let full: Vec<_> = (0..50).map(|i| call(&format!("call-{i}"))).collect();
    h.transport.push_json(200, json!(full));
    h.transport.push_json(200, json!([call("call-50"), call("call-51"), call("call-52")]));
    let calls: Vec<_> = h.client.calls().iter(NUMBER_ID).map(Result::unwrap).collect();
    assert_eq!(calls.len(), 53);
    assert_eq!(calls[52].id, "call-52");
    let urls: Vec<String> = h.transport.requests().into_iter().map(|r| r.url).collect();
    let base = format!("/api/v1/phone/numbers/{NUMBER_ID}/calls");
    assert_eq!(urls, [url(&format!("{base}?limit=50&offset=0")), url(&format!("{base}?limit=50&offset=50"))]);

    // An empty first page ends at once.
    let h = harness();
    h.transport.push_json(200, json!([]));
    assert_eq!(h.client.texts().iter(NUMBER_ID, Some(false)).count(), 0);
    assert_eq!(
        h.transport.only().url,
        url(&format!("/api/v1/phone/numbers/{NUMBER_ID}/texts?limit=50&offset=0&is_read=false"))
    );
}

#[test]
fn error_mapping() {
    let cases: &[(u16, &str, &str)] = &[
        (404, r#"{"detail":"Not Found"}"#, "api.not_found"),
        (
            403,
            r#"{"detail":{"error":"recipient_blocked","matched_rule_id":null,"address":"+15557654321","reason":"r"}}"#,
            "api.recipient_blocked",
        ),
        (403, r#"{"detail":{"error":"recipient_not_opted_in","message":"x"}}"#, "api.recipient_not_opted_in"),
        (409, r#"{"detail":{"error":"sender_sms_pending","message":"x"}}"#, "api.sender_sms_pending"),
        (401, r#"{"detail":"bad key"}"#, "api.unauthorized"),
        (418, "teapot", "api.http_error"),
    ];
    for (status, body, code) in cases {
        let h = harness_with(|b| b.retry_policy(RetryPolicy::none()));
        h.transport.push(*status, &[], body.as_bytes());
        let err = h.client.texts().get(NUMBER_ID, "t-1").unwrap_err();
        assert_eq!(err.code(), *code, "{body}");
        assert_eq!(err.status(), Some(*status));
    }

    // A 2xx that does not decode keeps its body and says which operation.
    let h = harness();
    h.transport.push(200, &[], b"{\"unexpected\":true}");
    let err = h.client.texts().get(NUMBER_ID, "t-1").unwrap_err();
    assert_eq!(err.code(), "api.decode");
    assert!(err.to_string().contains("texts.get"), "{err}");

    // Validation errors never reach the transport.
    let h = harness();
    assert_eq!(h.client.sms_opt_ins().get("5551234567").unwrap_err().code(), "api.validation");
    assert!(h.transport.requests().is_empty());
}
