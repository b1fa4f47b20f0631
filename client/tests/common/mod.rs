//! A scripted transport, a fake environment and JSON fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use inkbox_client::api::{ApiError, PreparedRequest, TransportErrorKind};
use inkbox_client::{Environment, HttpResponse, Inkbox, Transport};
use serde_json::{Value, json};

pub const BASE: &str = "http://127.0.0.1:8080";
pub const KEY: &str = "ApiKey_test";
pub const TS: &str = "2026-03-09T00:00:00Z";

/// Records every request and answers with queued responses, in order.
#[derive(Default)]
pub struct FakeTransport {
    queue: Mutex<VecDeque<Result<HttpResponse, ApiError>>>,
    sent: Mutex<Vec<(PreparedRequest, Duration)>>,
}

impl FakeTransport {
    pub fn push(&self, status: u16, headers: &[(&str, &str)], body: &[u8]) {
        let headers = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        self.queue.lock().unwrap().push_back(Ok(HttpResponse { status, headers, body: body.to_vec() }));
    }

    pub fn push_json(&self, status: u16, body: Value) {
        self.push(status, &[("Content-Type", "application/json")], body.to_string().as_bytes());
    }

    pub fn push_error(&self, kind: TransportErrorKind) {
        self.queue.lock().unwrap().push_back(Err(ApiError::transport(kind, "scripted failure")));
    }

    /// Every request sent so far.
    pub fn requests(&self) -> Vec<PreparedRequest> {
        self.sent.lock().unwrap().iter().map(|(r, _)| r.clone()).collect()
    }

    /// The timeouts the requests were sent with.
    pub fn timeouts(&self) -> Vec<Duration> {
        self.sent.lock().unwrap().iter().map(|(_, t)| *t).collect()
    }

    /// The only request sent (panics unless exactly one was).
    pub fn only(&self) -> PreparedRequest {
        let r = self.requests();
        assert_eq!(r.len(), 1, "expected exactly one request, got {r:?}");
        r.into_iter().next().unwrap()
    }

    pub fn remaining(&self) -> usize {
        self.queue.lock().unwrap().len()
    }
}

impl Transport for FakeTransport {
    fn send(&self, request: &PreparedRequest, timeout: Duration) -> Result<HttpResponse, ApiError> {
        self.sent.lock().unwrap().push((request.clone(), timeout));
        self.queue
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Err(ApiError::transport(TransportErrorKind::Other, "no scripted response left")))
    }
}

/// A fixed clock, recorded sleeps and a deterministic byte counter as the random source.
pub struct FakeEnv {
    pub now: i64,
    sleeps: Mutex<Vec<Duration>>,
    counter: Mutex<u8>,
}

impl Default for FakeEnv {
    fn default() -> Self {
        FakeEnv { now: 1_773_014_400, sleeps: Mutex::default(), counter: Mutex::default() }
    }
}

impl FakeEnv {
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl Environment for FakeEnv {
    fn now_unix(&self) -> i64 {
        self.now
    }
    fn sleep(&self, duration: Duration) {
        self.sleeps.lock().unwrap().push(duration);
    }
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), ApiError> {
        let mut c = self.counter.lock().unwrap();
        for b in buf {
            *b = *c;
            *c = c.wrapping_add(1);
        }
        Ok(())
    }
}

pub struct Harness {
    pub transport: Arc<FakeTransport>,
    pub env: Arc<FakeEnv>,
    pub client: Inkbox,
}

pub fn harness() -> Harness {
    harness_with(|b| b)
}

pub fn harness_with(f: impl FnOnce(inkbox_client::InkboxBuilder) -> inkbox_client::InkboxBuilder) -> Harness {
    let transport = Arc::new(FakeTransport::default());
    let env = Arc::new(FakeEnv::default());
    let builder = Inkbox::builder(KEY).base_url(BASE).unwrap().transport(transport.clone()).environment(env.clone());
    let client = f(builder).build().unwrap();
    Harness { transport, env, client }
}

pub fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

pub fn header<'a>(r: &'a PreparedRequest, name: &str) -> Option<&'a str> {
    r.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

pub fn body_json(r: &PreparedRequest) -> Value {
    serde_json::from_slice(r.body.as_deref().expect("request has a body")).unwrap()
}

// ------------------------------------------------------------------ fixtures

pub const IDENTITY_ID: &str = "44444444-4444-4444-8444-444444444444";
pub const NUMBER_ID: &str = "11111111-1111-4111-8111-111111111111";
pub const MAILBOX: &str = "sales-bot@inkboxmail.com";

pub fn phone_number() -> Value {
    json!({"id": NUMBER_ID, "number": "+15551234567", "type": "local", "status": "active", "sms_status": "ready",
           "incoming_call_action": "auto_reject", "agent_identity_id": IDENTITY_ID, "created_at": TS, "updated_at": TS})
}

pub fn tunnel(name: &str) -> Value {
    json!({"id": "33333333-3333-4333-8333-333333333333", "organization_id": "org_1", "tunnel_name": name,
           "tls_mode": "edge", "status": "active", "currently_connected": false,
           "public_host": format!("{name}.inkboxwire.com"), "zone": "inkboxwire.com", "metadata": {},
           "created_at": TS, "updated_at": TS})
}

pub fn identity_summary(handle: &str) -> Value {
    json!({"id": IDENTITY_ID, "organization_id": "org_1", "agent_handle": handle, "display_name": "Sales Bot",
           "description": null, "email_address": format!("{handle}@inkboxmail.com"), "imessage_enabled": true,
           "imessage_filter_mode": "blacklist", "created_at": TS, "updated_at": TS})
}

/// An identity with a mailbox and tunnel; `phone` adds a number, `imessage` enables iMessage.
pub fn identity(handle: &str, phone: bool, imessage: bool) -> Value {
    let mut v = identity_summary(handle);
    v["imessage_enabled"] = json!(imessage);
    v["mailbox"] = json!({"id": "m1", "email_address": format!("{handle}@inkboxmail.com"), "filter_mode": "blacklist",
                          "agent_identity_id": IDENTITY_ID, "created_at": TS, "updated_at": TS});
    v["tunnel"] = tunnel(handle);
    v["phone_number"] = if phone { phone_number() } else { Value::Null };
    v
}

pub fn message(id: &str, is_read: bool) -> Value {
    json!({"id": id, "mailbox_id": "m1", "thread_id": "th1", "message_id": format!("<{id}@example.com>"),
           "from_address": "user@example.com", "to_addresses": [MAILBOX], "cc_addresses": null, "subject": "Hello",
           "snippet": "Hi", "direction": "inbound", "status": "received", "is_read": is_read, "is_starred": false,
           "has_attachments": false, "created_at": TS})
}

pub fn page(items: Vec<Value>, next: Option<&str>) -> Value {
    json!({"items": items, "next_cursor": next, "has_more": next.is_some()})
}

pub fn thread(id: &str) -> Value {
    json!({"id": id, "mailbox_id": "m1", "subject": "Hello", "folder": "inbox", "message_count": 1,
           "last_message_at": TS, "created_at": TS, "messages": [message("msg-1", true)]})
}

pub fn call(id: &str) -> Value {
    json!({"id": id, "local_phone_number": "+15551234567", "remote_phone_number": "+18005559999",
           "direction": "outbound", "status": "initiated", "client_websocket_url": "wss://my-app.com/voice",
           "created_at": TS, "updated_at": TS})
}

pub fn transcript(seq: i64, party: &str, text: &str) -> Value {
    json!({"id": format!("tr-{seq}"), "call_id": "call-1", "seq": seq, "ts_ms": seq * 1000, "party": party,
           "text": text, "created_at": TS})
}

pub fn text(id: &str) -> Value {
    json!({"id": id, "direction": "outbound", "local_phone_number": "+15551234567",
           "remote_phone_number": "+15557654321", "text": "Hello from Inkbox", "type": "sms", "media": null,
           "is_read": true, "conversation_id": "55555555-5555-4555-8555-555555555555", "delivery_status": "queued",
           "created_at": TS, "updated_at": TS})
}

pub fn opt_in(number: &str, status: &str) -> Value {
    json!({"id": "o-1", "organization_id": "org_1", "receiver_number": number, "status": status, "source": "api",
           "opted_in_at": TS, "opted_out_at": null, "created_at": TS, "updated_at": TS})
}

pub fn imessage(id: &str) -> Value {
    json!({"id": id, "conversation_id": "c-1", "assignment_id": "a-1", "direction": "outbound",
           "remote_number": "+15551234567", "content": "On it", "message_type": "message", "service": "imessage",
           "status": "sent", "is_read": true, "created_at": TS, "updated_at": TS})
}

pub fn contact_rule() -> Value {
    json!({"id": "rule-1", "agent_identity_id": IDENTITY_ID, "action": "block", "match_type": "exact_number",
           "match_target": "+15555550999", "status": "active", "created_at": TS, "updated_at": TS})
}

pub fn mailbox(email: &str) -> Value {
    json!({"id": "m1", "email_address": email, "sending_domain": "inkboxmail.com", "filter_mode": "blacklist",
           "agent_identity_id": IDENTITY_ID, "created_at": TS, "updated_at": TS})
}
