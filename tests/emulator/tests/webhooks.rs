//! Webhooks over real HTTP: subscription CRUD and server validation, scoping,
//! signed delivery to a loopback receiver, retries with backoff, the delivery
//! log and flush, mail events, injected inbound mail and persistence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{Emulator, TempDir};
use inkbox_client::api::identities::CreateIdentityRequest;
use inkbox_client::api::keys::CreateApiKeyRequest;
use inkbox_client::api::mail::{MessageDirection, MessageStatus, Recipients, SendEmailRequest};
use inkbox_client::api::webhook_events::{self, EventData, MatchBucket};
use inkbox_client::api::webhook_subscriptions::{
    CreateSubscriptionRequest, EventType, ListSubscriptionsParams, Subscription, SubscriptionOwner, SubscriptionStatus,
    UpdateSubscriptionRequest,
};
use inkbox_client::webhook::{self, VerifyOptions};
use inkbox_client::{Identity, Inkbox};
use serde_json::{Value, json};

// ------------------------------------------------------------ receiver

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Hit {
    at: Instant,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Hit {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A loopback HTTP receiver answering with scripted statuses (then 200).
struct Receiver {
    addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    fn start(script: &[u16]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Mutex<VecDeque<u16>>> = Arc::new(Mutex::new(script.iter().copied().collect()));
        let (h, st) = (Arc::clone(&hits), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let Some(hit) = read_request(&mut stream) else { continue };
                let status = script.lock().unwrap().pop_front().unwrap_or(200);
                h.lock().unwrap().push(hit);
                let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            }
        });
        Receiver { addr, hits, stop, thread: Some(thread) }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.addr.port())
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived.
    fn wait_for(&self, n: usize) -> Vec<Hit> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let hits = self.hits();
            if hits.len() >= n {
                return hits;
            }
            assert!(Instant::now() < deadline, "receiver got {} of {n} requests", hits.len());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Hit> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim_start().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Hit { at: Instant::now(), path, headers, body })
}

// ------------------------------------------------------------ helpers

fn client(emu: &Emulator, key: &str) -> Inkbox {
    Inkbox::builder(key).base_url(&emu.url).unwrap().build().unwrap()
}

fn identity(ib: &Inkbox, handle: &str) -> Identity {
    ib.create_identity(&CreateIdentityRequest::new(handle)).unwrap()
}

fn mailbox_id(i: &Identity) -> String {
    i.mailbox().unwrap().id.clone()
}

fn scoped_key(ib: &Inkbox, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    ib.api_keys().create(&input).unwrap().api_key.clone()
}

fn mail_sub(ib: &Inkbox, mailbox: &str, url: &str, events: &[EventType]) -> Subscription {
    let input = CreateSubscriptionRequest::new(SubscriptionOwner::Mailbox(mailbox.into()), url, events.to_vec());
    ib.webhooks().subscriptions().create(&input).unwrap()
}

fn send_mail(from: &Identity, to: &[&str], cc: &[&str], subject: &str) {
    from.send_email(&SendEmailRequest {
        recipients: Recipients {
            to: to.iter().map(|s| (*s).to_owned()).collect(),
            cc: cc.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        },
        subject: subject.into(),
        body_text: Some(format!("body of {subject}")),
        ..Default::default()
    })
    .unwrap();
}

fn control(emu: &Emulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let text = body.map(|b| b.to_string());
    let r = emu.raw(method, path, Some(&emu.admin_key), text.as_deref());
    (r.status, r.json())
}

fn config(emu: &Emulator, body: Value) -> Value {
    let (st, v) = control(emu, "POST", "/_emulator/webhooks/config", Some(body));
    assert_eq!(st, 200, "{v}");
    v
}

fn deliveries(emu: &Emulator, query: &str) -> Vec<Value> {
    let (st, v) = control(emu, "GET", &format!("/_emulator/deliveries{query}"), None);
    assert_eq!(st, 200, "{v}");
    v["deliveries"].as_array().unwrap().clone()
}

/// Waits until no delivery is pending and none is queued.
fn settled(emu: &Emulator) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, v) = control(emu, "GET", "/_emulator/deliveries", None);
        let all = v["deliveries"].as_array().unwrap().clone();
        if v["queued_events"] == 0 && all.iter().all(|d| d["status"] != "pending") {
            return all;
        }
        assert!(Instant::now() < deadline, "deliveries never settled: {v}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn emulator_now(emu: &Emulator) -> u64 {
    let (_, v) = control(emu, "GET", "/_emulator/clock", None);
    v["now"].as_f64().unwrap() as u64
}

fn verify(hit: &Hit, secret: &str, now: u64) -> Result<(), webhook::WebhookError> {
    let pairs: Vec<(&str, &str)> = hit.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    webhook::verify(&pairs, &hit.body, &[secret], now, &VerifyOptions::strict()).map(|_| ())
}

fn raw_status(emu: &Emulator, method: &str, path: &str, key: &str, body: Value) -> (u16, Value) {
    let text = body.to_string();
    let r = emu.raw(method, path, Some(key), Some(&text));
    (r.status, r.json())
}

const SUBS: &str = "/api/v1/webhooks/subscriptions";

// ------------------------------------------------------------ tests

#[test]
fn subscription_crud_filters_and_patch_semantics() {
    let emu = Emulator::start();
    let ib = client(&emu, &emu.admin_key);
    let mut a = identity(&ib, "wh-crud-a");
    let number = a.provision_phone_number(None).unwrap();
    let subs = ib.webhooks().subscriptions();

    let m = mail_sub(&ib, &mailbox_id(&a), "https://example.com/mail", &[EventType::MessageReceived]);
    assert_eq!(m.organization_id, emu.org_id);
    assert_eq!(m.mailbox_id.as_deref(), Some(mailbox_id(&a).as_str()));
    assert_eq!((m.phone_number_id.clone(), m.agent_identity_id.clone()), (None, None));
    assert_eq!(m.status, SubscriptionStatus::Active);
    assert_eq!(m.created_at, m.updated_at);
    let t = subs
        .create(&CreateSubscriptionRequest::new(
            SubscriptionOwner::PhoneNumber(number.id.clone()),
            "https://example.com/texts",
            vec![EventType::TextReceived, EventType::TextDelivered],
        ))
        .unwrap();
    assert_eq!(t.phone_number_id.as_deref(), Some(number.id.as_str()));
    let i = subs
        .create(&CreateSubscriptionRequest::new(
            SubscriptionOwner::AgentIdentity(a.id().to_uppercase()),
            "http://localhost:9/im",
            vec![EventType::IMessageReceived],
        ))
        .unwrap();
    assert_eq!(i.agent_identity_id.as_deref(), Some(a.id()), "ids are stored lowercase");
    // The wire keeps every owner key (null when unused).
    let raw = emu.raw("GET", &format!("{SUBS}/{}", m.id), Some(&emu.admin_key), None).json();
    assert!(raw["phone_number_id"].is_null() && raw["agent_identity_id"].is_null(), "{raw}");

    let ids = |l: Vec<Subscription>| l.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(subs.list(&ListSubscriptionsParams::default()).unwrap()),
        [m.id.as_str(), t.id.as_str(), i.id.as_str()]
    );
    let by_phone = ListSubscriptionsParams { phone_number_id: Some(number.id.clone()), ..Default::default() };
    assert_eq!(ids(subs.list(&by_phone).unwrap()), [t.id.as_str()]);
    let by_event = ListSubscriptionsParams { event_type: Some(EventType::TextDelivered), ..Default::default() };
    assert_eq!(ids(subs.list(&by_event).unwrap()), [t.id.as_str()]);
    let by_url = ListSubscriptionsParams { url: Some("https://example.com/mail".into()), ..Default::default() };
    assert_eq!(ids(subs.list(&by_url).unwrap()), [m.id.as_str()]);
    let and = ListSubscriptionsParams {
        mailbox_id: Some(mailbox_id(&a)),
        event_type: Some(EventType::MessageSent),
        ..Default::default()
    };
    assert!(subs.list(&and).unwrap().is_empty(), "filters AND-combine");
    assert_eq!(subs.get(&m.id).unwrap(), m);

    // PATCH: `{}` is a no-op; url alone; event_types replaces the list.
    control(&emu, "POST", "/_emulator/clock", Some(json!({ "advance": 1 })));
    let same = subs.update(&m.id, &UpdateSubscriptionRequest::default()).unwrap();
    assert_eq!(same, m);
    let moved = subs
        .update(&m.id, &UpdateSubscriptionRequest { url: Some("https://example.com/new".into()), event_types: None })
        .unwrap();
    assert_eq!((moved.url.as_str(), moved.event_types.clone()), ("https://example.com/new", m.event_types.clone()));
    assert!(moved.updated_at > m.updated_at);
    let events = vec![EventType::MessageSent, EventType::MessageBounced];
    let replaced =
        subs.update(&m.id, &UpdateSubscriptionRequest { url: None, event_types: Some(events.clone()) }).unwrap();
    assert_eq!((replaced.url.as_str(), replaced.event_types.clone()), ("https://example.com/new", events));
    assert_eq!(replaced.mailbox_id, m.mailbox_id, "owner unchanged");

    // Delete: later get/list/patch/delete do not see it.
    subs.delete(&m.id).unwrap();
    assert_eq!(subs.get(&m.id).unwrap_err().status(), Some(404));
    assert_eq!(subs.delete(&m.id).unwrap_err().status(), Some(404));
    assert_eq!(subs.update(&m.id, &UpdateSubscriptionRequest::default()).unwrap_err().status(), Some(404));
    assert_eq!(ids(subs.list(&ListSubscriptionsParams::default()).unwrap()), [t.id.as_str(), i.id.as_str()]);
    assert_eq!(subs.get("00000000-0000-4000-8000-000000000000").unwrap_err().status(), Some(404));

    // A released number takes its subscriptions out of sight.
    a.release_phone_number().unwrap();
    assert_eq!(subs.get(&t.id).unwrap_err().status(), Some(404));
    assert_eq!(ids(subs.list(&ListSubscriptionsParams::default()).unwrap()), [i.id.as_str()]);
}

#[test]
fn server_validation_caps_and_not_found() {
    let emu = Emulator::start();
    let ib = client(&emu, &emu.admin_key);
    let mut a = identity(&ib, "wh-val-a");
    let number = a.provision_phone_number(None).unwrap();
    let mb = mailbox_id(&a);
    let key = emu.admin_key.clone();
    let url = "https://example.com/h";

    // Create: one 422 per rule the server checks.
    let bad_creates = [
        json!({ "url": url, "event_types": ["message.received"] }),
        json!({ "url": url, "event_types": ["message.received"], "mailbox_id": mb, "phone_number_id": number.id }),
        json!({ "url": url, "event_types": ["message.received"], "mailbox_id": null }),
        json!({ "event_types": ["message.received"], "mailbox_id": mb }),
        json!({ "url": null, "event_types": ["message.received"], "mailbox_id": mb }),
        json!({ "url": url, "mailbox_id": mb }),
        json!({ "url": url, "event_types": null, "mailbox_id": mb }),
        json!({ "url": url, "event_types": "message.received", "mailbox_id": mb }),
        json!({ "url": "http://example.com/h", "event_types": ["message.received"], "mailbox_id": mb }),
        json!({ "url": "ftp://example.com/h", "event_types": ["message.received"], "mailbox_id": mb }),
        json!({ "url": "not a url", "event_types": ["message.received"], "mailbox_id": mb }),
        json!({ "url": url, "event_types": [], "mailbox_id": mb }),
        json!({ "url": url, "event_types": ["message.sent", "message.sent"], "mailbox_id": mb }),
        json!({ "url": url, "event_types": ["phone.incoming_call"], "phone_number_id": number.id }),
        json!({ "url": url, "event_types": ["message.received_typo"], "mailbox_id": mb }),
        json!({ "url": url, "event_types": ["text.received"], "mailbox_id": mb }),
        json!({ "url": url, "event_types": ["message.received"], "phone_number_id": number.id }),
        json!({ "url": url, "event_types": ["text.received"], "agent_identity_id": a.id() }),
        json!({ "url": url, "event_types": ["call.ended"], "agent_identity_id": a.id() }),
    ];
    for body in &bad_creates {
        let (st, v) = raw_status(&emu, "POST", SUBS, &key, body.clone());
        assert_eq!(st, 422, "{body} -> {v}");
        assert!(v["detail"].is_string(), "{v}");
    }
    let (st, v) = raw_status(&emu, "POST", SUBS, &key, json!([1]));
    assert_eq!(st, 422, "{v}");
    // Every loopback form of http:// is accepted (emulator deviation), as is https.
    for ok in ["http://127.0.0.1:1/x", "http://localhost/x", "http://[::1]:8080/", "https://example.com"] {
        let (st, v) = raw_status(
            &emu,
            "POST",
            SUBS,
            &key,
            json!({ "url": ok, "event_types": ["message.sent"], "mailbox_id": mb }),
        );
        assert_eq!(st, 201, "{ok}: {v}");
    }

    // Unknown or invisible owners are 404.
    let ghost = "00000000-0000-4000-8000-000000000000";
    for owner in ["mailbox_id", "phone_number_id", "agent_identity_id"] {
        let ev = match owner {
            "mailbox_id" => "message.sent",
            "phone_number_id" => "text.sent",
            _ => "imessage.sent",
        };
        let (st, v) = raw_status(&emu, "POST", SUBS, &key, json!({ "url": url, "event_types": [ev], owner: ghost }));
        assert_eq!(st, 404, "{owner}: {v}");
    }

    // PATCH validation (the owner's channel is known server-side).
    let sub = mail_sub(&ib, &mb, url, &[EventType::MessageReceived]);
    let path = format!("{SUBS}/{}", sub.id);
    for body in [
        json!({ "url": null }),
        json!({ "event_types": null }),
        json!({ "url": "http://example.com/x" }),
        json!({ "event_types": [] }),
        json!({ "event_types": ["message.sent", "message.sent"] }),
        json!({ "event_types": ["phone.incoming_call"] }),
        json!({ "event_types": ["text.sent"] }),
        json!({ "event_types": ["message.nope"] }),
    ] {
        let (st, v) = raw_status(&emu, "PATCH", &path, &key, body.clone());
        assert_eq!(st, 422, "{body} -> {v}");
    }
    let (st, v) = raw_status(&emu, "PATCH", &path, &key, json!({ "mailbox_id": ghost }));
    assert_eq!((st, v["mailbox_id"].as_str()), (200, Some(mb.as_str())), "owner keys are ignored: {v}");
    assert_eq!(ib.webhooks().subscriptions().get(&sub.id).unwrap(), sub, "failed PATCHes changed nothing");

    // More than one owner filter on list.
    let r = emu.raw("GET", &format!("{SUBS}?mailbox_id={mb}&agent_identity_id={}", a.id()), Some(&key), None);
    assert_eq!(r.status, 422, "{:?}", r.json());
    let r = emu.raw("GET", &format!("{SUBS}?mailbox_id={mb}&url=nope"), Some(&key), None);
    assert_eq!((r.status, r.json()["subscriptions"].as_array().map(Vec::len)), (200, Some(0)));

    // 20 active per owner: 5 exist on the mailbox, 15 more fit, the 21st is refused.
    for n in 0..15 {
        mail_sub(&ib, &mb, &format!("https://example.com/{n}"), &[EventType::MessageSent]);
    }
    let body = json!({ "url": url, "event_types": ["message.sent"], "mailbox_id": mb });
    let (st, v) = raw_status(&emu, "POST", SUBS, &key, body.clone());
    assert_eq!(st, 409, "{v}");
    // Other owners are not affected; deleting one frees a slot.
    let other = identity(&ib, "wh-val-b");
    mail_sub(&ib, &mailbox_id(&other), url, &[EventType::MessageSent]);
    ib.webhooks().subscriptions().delete(&sub.id).unwrap();
    assert_eq!(raw_status(&emu, "POST", SUBS, &key, body.clone()).0, 201);
    assert_eq!(raw_status(&emu, "POST", SUBS, &key, body).0, 409);
}

#[test]
fn identity_scoped_keys_see_only_their_own_subscriptions() {
    let emu = Emulator::start();
    let ib = client(&emu, &emu.admin_key);
    let a = identity(&ib, "wh-scope-a");
    let b = identity(&ib, "wh-scope-b");
    let b_sub = mail_sub(&ib, &mailbox_id(&b), "https://example.com/b", &[EventType::MessageReceived]);
    let b_im = ib
        .webhooks()
        .subscriptions()
        .create(&CreateSubscriptionRequest::new(
            SubscriptionOwner::AgentIdentity(b.id().into()),
            "https://example.com/bi",
            vec![EventType::IMessageSent],
        ))
        .unwrap();
    // Even a visibility grant does not expose B's channels to A's key.
    b.grant_access(Some(a.id())).unwrap();

    let agent = client(&emu, &scoped_key(&ib, a.id()));
    let subs = agent.webhooks().subscriptions();
    let own = mail_sub(&agent, &mailbox_id(&a), "https://example.com/a", &[EventType::MessageSent]);
    let own_im = subs
        .create(&CreateSubscriptionRequest::new(
            SubscriptionOwner::AgentIdentity(a.id().into()),
            "https://example.com/ai",
            vec![EventType::IMessageReceived],
        ))
        .unwrap();
    let listed: Vec<String> =
        subs.list(&ListSubscriptionsParams::default()).unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(listed, [own.id.clone(), own_im.id.clone()]);
    for id in [&b_sub.id, &b_im.id] {
        assert_eq!(subs.get(id).unwrap_err().status(), Some(404));
        assert_eq!(subs.update(id, &UpdateSubscriptionRequest::default()).unwrap_err().status(), Some(404));
        assert_eq!(subs.delete(id).unwrap_err().status(), Some(404));
    }
    let err = subs
        .create(&CreateSubscriptionRequest::new(
            SubscriptionOwner::Mailbox(mailbox_id(&b)),
            "https://example.com/x",
            vec![EventType::MessageSent],
        ))
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = subs
        .create(&CreateSubscriptionRequest::new(
            SubscriptionOwner::AgentIdentity(b.id().into()),
            "https://example.com/x",
            vec![EventType::IMessageSent],
        ))
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    // The admin key sees all four.
    assert_eq!(ib.webhooks().subscriptions().list(&ListSubscriptionsParams::default()).unwrap().len(), 4);
    // Deleting the identity hides its subscriptions.
    ib.get_identity("wh-scope-b").unwrap().delete().unwrap();
    assert_eq!(ib.webhooks().subscriptions().list(&ListSubscriptionsParams::default()).unwrap().len(), 2);
}

#[test]
fn mail_events_are_signed_and_delivered_to_a_loopback_receiver() {
    let emu = Emulator::start();
    let rx = Receiver::start(&[]);
    let ib = client(&emu, &emu.admin_key);
    let a = identity(&ib, "wh-sig-a");
    let b = identity(&ib, "wh-sig-b");
    let c = identity(&ib, "wh-sig-c");
    let a_key = a.create_signing_key().unwrap().signing_key.clone();
    let org_key = ib.create_signing_key().unwrap().signing_key.clone();
    assert_ne!(a_key, org_key);
    // A may see B; everyone may see C; nobody may see A.
    b.grant_access(Some(a.id())).unwrap();
    c.grant_access(None).unwrap();
    let a_sub = mail_sub(&ib, &mailbox_id(&a), &rx.url("/a"), &[EventType::MessageSent]);
    let b_sub = mail_sub(&ib, &mailbox_id(&b), &rx.url("/b"), &[EventType::MessageReceived, EventType::MessageSent]);
    // Not subscribed to the event raised: no delivery.
    mail_sub(&ib, &mailbox_id(&a), &rx.url("/never"), &[EventType::MessageReceived]);

    let (ea, eb, ec) = (a.email_address().unwrap(), b.email_address().unwrap(), c.email_address().unwrap());
    let eb_upper = eb.to_uppercase();
    let sent = a
        .send_email(&SendEmailRequest {
            recipients: Recipients {
                to: vec![eb_upper.clone(), "Ext@Example.com".into()],
                cc: vec![ec.to_owned()],
                bcc: vec!["hidden@example.net".into()],
            },
            subject: "Signed".into(),
            body_text: Some("hello".into()),
            ..Default::default()
        })
        .unwrap();
    let mut hits = rx.wait_for(2);
    let log = settled(&emu);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(rx.hits().len(), 2, "exactly one delivery per matching subscription");
    hits.sort_by(|x, y| x.path.cmp(&y.path));
    let now = emulator_now(&emu);

    // A's copy: message.sent, signed with A's own key.
    let ha = &hits[0];
    assert_eq!(ha.path, "/a");
    assert_eq!(ha.header("content-type"), Some("application/json"));
    verify(ha, &a_key, now).unwrap();
    assert_eq!(verify(ha, &org_key, now), Err(webhook::WebhookError::SignatureMismatch));
    let ev = webhook_events::parse_event(&ha.body).unwrap();
    let id = ev.id.as_deref().unwrap();
    assert!(id.len() == 36 && id.starts_with("evt_") && id[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_eq!(ev.event_type, EventType::MessageSent);
    assert_eq!(ev.timestamp, sent.created_at);
    let EventData::Mail(d) = ev.data else { panic!("not mail data") };
    assert_eq!(d.message.id, sent.id);
    assert_eq!(
        (d.message.direction.clone(), d.message.status.clone()),
        (MessageDirection::Outbound, MessageStatus::Sent)
    );
    assert_eq!(d.message.from_address, ea);
    assert_eq!(d.message.to_addresses, [eb_upper.clone(), "Ext@Example.com".into()]);
    assert_eq!(d.message.cc_addresses, Some(vec![ec.to_owned()]));
    assert_eq!(d.message.bcc_addresses, Some(vec!["hidden@example.net".to_owned()]));
    assert_eq!(d.message.message_id, sent.message_id);
    assert_eq!(d.message.thread_id, sent.thread_id);
    assert_eq!(d.message.created_at, Some(sent.created_at));
    assert!(d.contacts.is_empty());
    let matched: Vec<_> = d
        .agent_identities
        .iter()
        .map(|m| (m.bucket.clone(), m.address.clone(), m.id.clone(), m.agent_handle.clone()))
        .collect();
    assert_eq!(
        matched,
        [
            (MatchBucket::To, eb_upper.clone(), b.id().to_owned(), "wh-sig-b".to_owned()),
            (MatchBucket::Cc, ec.to_owned(), c.id().to_owned(), "wh-sig-c".to_owned()),
        ]
    );
    assert_eq!(d.agent_identities[0].display_name.as_deref(), Some("wh-sig-b"));
    let raw = ha.json();
    assert!(raw["data"]["message"].get("is_read").is_none(), "no read flag on the wire: {raw}");
    assert_eq!(raw["data"]["contacts"], json!([]));

    // B's copy: message.received, signed with the org key (B has no key of its own).
    let hb = &hits[1];
    assert_eq!(hb.path, "/b");
    verify(hb, &org_key, now).unwrap();
    let ev = webhook_events::parse_event(&hb.body).unwrap();
    assert_eq!(ev.event_type, EventType::MessageReceived);
    let EventData::Mail(d) = ev.data else { panic!("not mail data") };
    assert_eq!(
        (d.message.direction.clone(), d.message.status.clone()),
        (MessageDirection::Inbound, MessageStatus::Received)
    );
    assert_eq!(d.message.bcc_addresses, None);
    assert_eq!(d.message.mailbox_id, mailbox_id(&b));
    assert_ne!(d.message.id, sent.id);
    // Inbound resolves sender + CC: A is not visible to B, C is.
    let matched: Vec<_> = d.agent_identities.iter().map(|m| (m.bucket.clone(), m.id.clone())).collect();
    assert_eq!(matched, [(MatchBucket::Cc, c.id().to_owned())]);

    // The log: one delivered attempt each, matching the headers received.
    assert_eq!(log.len(), 2, "{log:?}");
    for (hit, sub) in [(ha, &a_sub), (hb, &b_sub)] {
        let d = log.iter().find(|d| d["subscription_id"] == sub.id.as_str()).unwrap();
        assert_eq!(d["status"], "delivered");
        assert_eq!(d["url"], sub.url.as_str());
        assert_eq!(d["request_id"].as_str(), hit.header("x-inkbox-request-id"));
        assert_eq!(d["payload"], hit.json());
        let at = &d["attempts"][0];
        assert_eq!((at["attempt"].as_u64(), at["status_code"].as_u64()), (Some(1), Some(200)));
        assert_eq!((at["signed"].as_bool(), at["outcome"].as_str()), (Some(true), Some("delivered")));
        assert_eq!(at["timestamp"].as_u64().map(|t| t.to_string()).as_deref(), hit.header("x-inkbox-timestamp"));
    }
}

#[test]
fn failing_receivers_are_retried_with_backoff() {
    let emu = Emulator::start();
    let rx = Receiver::start(&[500, 503]);
    let ib = client(&emu, &emu.admin_key);
    let a = identity(&ib, "wh-retry-a");
    let key = a.create_signing_key().unwrap().signing_key.clone();
    let v = config(&emu, json!({ "initial_delay_ms": 200, "backoff_multiplier": 2 }));
    assert_eq!(v["max_attempts"], 5);
    let sub = mail_sub(&ib, &mailbox_id(&a), &rx.url("/flaky"), &[EventType::MessageSent]);
    send_mail(&a, &["someone@example.com"], &[], "Retry me");

    let hits = rx.wait_for(3);
    let log = settled(&emu);
    assert_eq!(log.len(), 1);
    let d = &log[0];
    assert_eq!((d["status"].as_str(), d["attempt_count"].as_u64()), (Some("delivered"), Some(3)), "{d}");
    assert_eq!(d["subscription_id"], sub.id.as_str());
    assert_eq!(d["event_type"], "message.sent");
    let attempts = d["attempts"].as_array().unwrap();
    let row = |k: &str| attempts.iter().map(|x| x[k].clone()).collect::<Vec<_>>();
    assert_eq!(row("attempt"), [json!(1), json!(2), json!(3)]);
    assert_eq!(row("status_code"), [json!(500), json!(503), json!(200)]);
    assert_eq!(row("outcome"), [json!("retry"), json!("retry"), json!("delivered")]);
    assert!(d["next_attempt_at"].is_null());
    // Same delivery id and bytes on every attempt, each freshly signed.
    let now = emulator_now(&emu);
    let event_id = webhook_events::parse_event(&hits[0].body).unwrap().id.unwrap();
    assert_eq!(d["payload"]["id"], event_id.as_str(), "the log keeps the envelope's event id");
    for h in &hits {
        assert_eq!(h.header("x-inkbox-request-id"), d["request_id"].as_str());
        assert_eq!(h.body, hits[0].body);
        verify(h, &key, now).unwrap();
    }
    // Backoff waits on the real clock: ~200 ms, then ~400 ms.
    let gap1 = hits[1].at - hits[0].at;
    let gap2 = hits[2].at - hits[1].at;
    assert!(gap1 >= Duration::from_millis(180), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(380), "{gap2:?}");

    // Exhaustion: an unreachable URL fails after max_attempts connection errors.
    config(&emu, json!({ "max_attempts": 2, "initial_delay_ms": 50 }));
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://127.0.0.1:{}/gone", dead.local_addr().unwrap().port());
    drop(dead);
    let dead_sub = mail_sub(&ib, &mailbox_id(&a), &dead_url, &[EventType::MessageSent]);
    send_mail(&a, &["someone@example.com"], &[], "Nobody home");
    settled(&emu);
    let failed = deliveries(&emu, &format!("?subscription_id={}", dead_sub.id));
    assert_eq!(failed.len(), 1);
    let f = &failed[0];
    assert_eq!((f["status"].as_str(), f["attempt_count"].as_u64()), (Some("failed"), Some(2)), "{f}");
    let attempts = f["attempts"].as_array().unwrap();
    assert!(attempts.iter().all(|x| x["status_code"].is_null() && x["error"].is_string()), "{f}");
    assert_eq!(attempts.iter().map(|x| x["outcome"].clone()).collect::<Vec<_>>(), [json!("retry"), json!("failed")]);
    // The flaky receiver got the second mail once (200 by then).
    assert_eq!(rx.wait_for(4).len(), 4);
}

#[test]
fn flush_log_filters_cancellation_and_config() {
    let emu = Emulator::start();
    let rx = Receiver::start(&[500]);
    let ib = client(&emu, &emu.admin_key);
    let a = identity(&ib, "wh-flush-a");
    let b = identity(&ib, "wh-flush-b");
    // Paused worker and a long backoff: only flush delivers.
    let v = config(&emu, json!({ "auto_deliver": false, "initial_delay_ms": 600_000, "max_attempts": 3 }));
    assert_eq!(v["auto_deliver"], false);
    let (_, got) = control(&emu, "GET", "/_emulator/webhooks/config", None);
    assert_eq!(got, v);
    let sa = mail_sub(&ib, &mailbox_id(&a), &rx.url("/a"), &[EventType::MessageSent]);
    let sb = mail_sub(&ib, &mailbox_id(&b), &rx.url("/b"), &[EventType::MessageReceived]);
    send_mail(&a, &[b.email_address().unwrap()], &[], "Flush");
    std::thread::sleep(Duration::from_millis(300));
    let (_, v) = control(&emu, "GET", "/_emulator/deliveries", None);
    assert_eq!((v["queued_events"].as_u64(), v["deliveries"].as_array().map(Vec::len)), (Some(2), Some(0)), "{v}");
    assert!(rx.hits().is_empty());

    // One pass: A's receiver fails once (pending, retry far away), B's succeeds.
    let (st, v) = control(&emu, "POST", "/_emulator/deliveries/flush", None);
    assert_eq!(st, 200, "{v}");
    assert_eq!((v["deliveries"].as_array().map(Vec::len), v["pending"].as_u64()), (Some(2), Some(1)), "{v}");
    assert_eq!(rx.hits().len(), 2);
    let pending = deliveries(&emu, "?status=pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["subscription_id"], sa.id.as_str());
    assert!(pending[0]["next_attempt_at"].is_string(), "{}", pending[0]);
    assert_eq!(deliveries(&emu, "?status=delivered")[0]["subscription_id"], sb.id.as_str());
    assert_eq!(deliveries(&emu, "?event_type=message.received")[0]["subscription_id"], sb.id.as_str());
    assert_eq!(deliveries(&emu, &format!("?subscription_id={}", sa.id.to_uppercase())).len(), 1);
    assert!(deliveries(&emu, "?event_type=message.bounced").is_empty());
    assert_eq!(control(&emu, "GET", "/_emulator/deliveries?status=bogus", None).0, 422);

    // Flush ignores the backoff: the retry goes out now.
    let (_, v) = control(&emu, "POST", "/_emulator/deliveries/flush", Some(json!({})));
    let out = v["deliveries"].as_array().unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!((out[0]["status"].as_str(), out[0]["attempt_count"].as_u64()), (Some("delivered"), Some(2)));
    let (_, v) = control(&emu, "POST", "/_emulator/deliveries/flush", Some(json!({ "settle": true })));
    assert_eq!(v["deliveries"], json!([]));

    // settle: retries back to back until nothing is pending.
    let rx2 = Receiver::start(&[500, 502]);
    let s2 = mail_sub(&ib, &mailbox_id(&b), &rx2.url("/s"), &[EventType::MessageSent]);
    send_mail(&b, &["out@example.com"], &[], "Settle");
    let (_, v) = control(&emu, "POST", "/_emulator/deliveries/flush", Some(json!({ "settle": true })));
    let out = v["deliveries"].as_array().unwrap();
    assert_eq!(out.len(), 1, "{v}");
    assert_eq!((out[0]["status"].as_str(), out[0]["attempt_count"].as_u64()), (Some("delivered"), Some(3)));
    assert_eq!(out[0]["subscription_id"], s2.id.as_str());
    assert_eq!(rx2.hits().len(), 3);

    // Events raised for a subscription deleted before the fan-out are dropped.
    send_mail(&a, &["out@example.com"], &[], "Dropped");
    ib.webhooks().subscriptions().delete(&sa.id).unwrap();
    let (_, v) = control(&emu, "POST", "/_emulator/deliveries/flush", None);
    assert_eq!(v["deliveries"], json!([]), "{v}");
    assert_eq!(control(&emu, "GET", "/_emulator/deliveries", None).1["queued_events"], 0);

    // Config and flush validation; the control routes need the admin key.
    for bad in [
        json!({ "max_attempts": 0 }),
        json!({ "max_attempts": 21 }),
        json!({ "timeout_ms": 5 }),
        json!({ "backoff_multiplier": 0 }),
        json!({ "auto_deliver": "yes" }),
        json!({ "initial_delay_ms": -1 }),
        json!({ "bogus": 1 }),
        json!([1]),
    ] {
        let (st, v) = control(&emu, "POST", "/_emulator/webhooks/config", Some(bad.clone()));
        assert_eq!(st, 422, "{bad} -> {v}");
    }
    assert_eq!(control(&emu, "POST", "/_emulator/deliveries/flush", Some(json!({ "settle": 3 }))).0, 422);
    assert_eq!(control(&emu, "DELETE", "/_emulator/deliveries", None).0, 405);
    let agent = scoped_key(&ib, a.id());
    assert_eq!(emu.raw("GET", "/_emulator/deliveries", Some(&agent), None).status, 401);
}

#[test]
fn queued_deliveries_of_a_deleted_subscription_are_canceled() {
    let emu = Emulator::start();
    let rx = Receiver::start(&[503]);
    let ib = client(&emu, &emu.admin_key);
    let a = identity(&ib, "wh-cancel-a");
    config(&emu, json!({ "auto_deliver": false }));
    let sub = mail_sub(&ib, &mailbox_id(&a), &rx.url("/c"), &[EventType::MessageSent]);
    send_mail(&a, &["out@example.com"], &[], "One");
    control(&emu, "POST", "/_emulator/deliveries/flush", None);
    assert_eq!(deliveries(&emu, "?status=pending").len(), 1);
    ib.webhooks().subscriptions().delete(&sub.id).unwrap();
    let (_, v) = control(&emu, "POST", "/_emulator/deliveries/flush", None);
    let out = v["deliveries"].as_array().unwrap();
    assert_eq!((out[0]["status"].as_str(), out[0]["attempt_count"].as_u64()), (Some("canceled"), Some(1)), "{v}");
    assert_eq!(rx.hits().len(), 1);
}

#[test]
fn injected_inbound_mail_threads_and_raises_unsigned_events_without_keys() {
    let emu = Emulator::start();
    let rx = Receiver::start(&[]);
    let ib = client(&emu, &emu.admin_key);
    let a = identity(&ib, "wh-in-a");
    let b = identity(&ib, "wh-in-b");
    b.grant_access(None).unwrap();
    let ea = a.email_address().unwrap().to_owned();
    mail_sub(&ib, &mailbox_id(&a), &rx.url("/in"), &[EventType::MessageReceived]);
    let first = a
        .send_email(&SendEmailRequest {
            recipients: Recipients { to: vec!["friend@example.com".into()], ..Default::default() },
            subject: "Hi".into(),
            body_text: Some("hello".into()),
            ..Default::default()
        })
        .unwrap();
    let rfc = first.message_id.clone().unwrap();

    let body = json!({
        "to": ea.to_uppercase(), "from": "Friend@Example.com", "subject": "Re: Hi",
        "body_text": "hi back", "body_html": "<p>hi back</p>", "in_reply_to": rfc,
    });
    let (st, m) = control(&emu, "POST", "/_emulator/mail/inbound", Some(body));
    assert_eq!(st, 201, "{m}");
    assert_eq!((m["direction"].as_str(), m["status"].as_str()), (Some("inbound"), Some("received")));
    assert_eq!((m["is_read"].as_bool(), m["from_address"].as_str()), (Some(false), Some("Friend@Example.com")));
    assert_eq!(m["thread_id"].as_str(), first.thread_id.as_deref(), "joins the thread of the message it answers");
    assert_eq!(m["to_addresses"], json!([ea.to_uppercase()]));
    assert_eq!(m["snippet"], "hi back");
    let detail = a.get_message(m["id"].as_str().unwrap()).unwrap();
    assert_eq!(detail.in_reply_to.as_deref(), Some(rfc.as_str()));
    assert_eq!(detail.references, Some(vec![rfc.clone()]));
    assert_eq!(detail.body_html.as_deref(), Some("<p>hi back</p>"));
    assert_eq!(a.get_thread(first.thread_id.as_deref().unwrap()).unwrap().message_count, 2);

    // Delivered unsigned (no identity or org key exists): ids and timestamp only.
    let hit = rx.wait_for(1).remove(0);
    assert!(hit.header("x-inkbox-signature").is_none(), "{:?}", hit.headers);
    assert!(hit.header("x-inkbox-request-id").is_some() && hit.header("x-inkbox-timestamp").is_some());
    assert!(verify(&hit, "whsec_any", emulator_now(&emu)).is_err());
    let ev = webhook_events::parse_event(&hit.body).unwrap();
    assert_eq!(ev.event_type, EventType::MessageReceived);
    let EventData::Mail(d) = ev.data else { panic!("not mail data") };
    assert_eq!(d.message.id, m["id"].as_str().unwrap());
    assert!(d.agent_identities.is_empty(), "an outside sender matches nobody");
    let log = settled(&emu);
    assert_eq!(log[0]["attempts"][0]["signed"], false);

    // A sender that is a (visible) identity is resolved in the `from` bucket.
    let eb = b.email_address().unwrap();
    let (st, _) = control(
        &emu,
        "POST",
        "/_emulator/mail/inbound",
        Some(json!({ "to": ea, "from": eb, "subject": "From B", "in_reply_to": null })),
    );
    assert_eq!(st, 201);
    let hit = rx.wait_for(2).remove(1);
    let EventData::Mail(d) = webhook_events::parse_event(&hit.body).unwrap().data else { panic!("not mail data") };
    let matched: Vec<_> = d.agent_identities.iter().map(|x| (x.bucket.clone(), x.id.clone())).collect();
    assert_eq!(matched, [(MatchBucket::From, b.id().to_owned())]);
    assert_ne!(d.message.thread_id, first.thread_id, "no in_reply_to: a new thread");

    // Errors.
    let cases = [
        (json!({ "to": "nobody@inkboxmail.com", "from": "x@example.com", "subject": "s" }), 404),
        (json!({ "to": ea, "subject": "s" }), 422),
        (json!({ "to": ea, "from": "not-an-address", "subject": "s" }), 422),
        (json!({ "to": ea, "from": "x@example.com" }), 422),
        (json!({ "to": ea, "from": "x@example.com", "subject": "s", "body_text": 5 }), 422),
        (json!({ "from": "x@example.com", "subject": "s" }), 422),
    ];
    for (body, want) in cases {
        let (st, v) = control(&emu, "POST", "/_emulator/mail/inbound", Some(body.clone()));
        assert_eq!(st, want, "{body} -> {v}");
    }
    assert_eq!(control(&emu, "GET", "/_emulator/mail/inbound", None).0, 405);
}

#[test]
fn subscriptions_queue_config_and_log_survive_a_restart() {
    let dir = TempDir::new("webhooks");
    let db = dir.0.join("state.sqlite");
    let rx = Receiver::start(&[]);
    let (sub, kept) = {
        let emu = Emulator::start_with_data(&db);
        let ib = client(&emu, &emu.admin_key);
        let a = identity(&ib, "wh-persist-a");
        config(&emu, json!({ "auto_deliver": false, "max_attempts": 7 }));
        let sub = mail_sub(&ib, &mailbox_id(&a), &rx.url("/p"), &[EventType::MessageSent]);
        let kept = mail_sub(&ib, &mailbox_id(&a), "https://example.com/kept", &[EventType::MessageBounced]);
        send_mail(&a, &["out@example.com"], &[], "Persist");
        assert!(emu.terminate().success());
        (sub, kept)
    };
    let log_before = {
        let emu = Emulator::start_with_data(&db);
        let ib = client(&emu, &emu.admin_key);
        assert_eq!(ib.webhooks().subscriptions().get(&sub.id).unwrap(), sub);
        let (_, cfg) = control(&emu, "GET", "/_emulator/webhooks/config", None);
        assert_eq!((cfg["auto_deliver"].as_bool(), cfg["max_attempts"].as_u64()), (Some(false), Some(7)));
        let (_, v) = control(&emu, "GET", "/_emulator/deliveries", None);
        assert_eq!(v["queued_events"], 1, "the raised event waited in the queue: {v}");
        let (_, v) = control(&emu, "POST", "/_emulator/deliveries/flush", None);
        assert_eq!(v["deliveries"][0]["status"], "delivered", "{v}");
        assert_eq!(rx.hits().len(), 1);
        ib.webhooks().subscriptions().delete(&sub.id).unwrap();
        let log = deliveries(&emu, "");
        assert!(emu.terminate().success());
        log
    };
    let emu = Emulator::start_with_data(&db);
    let ib = client(&emu, &emu.admin_key);
    assert_eq!(deliveries(&emu, ""), log_before);
    assert_eq!(log_before[0]["attempts"].as_array().map(Vec::len), Some(1));
    assert_eq!(ib.webhooks().subscriptions().get(&sub.id).unwrap_err().status(), Some(404));
    let listed = ib.webhooks().subscriptions().list(&ListSubscriptionsParams::default()).unwrap();
    assert_eq!(listed, [kept]);
}

#[test]
fn text_and_imessage_events_reach_their_subscribers_parsed_by_core() {
    let emu = Emulator::start();
    let rx = Receiver::start(&[]);
    let ib = client(&emu, &emu.admin_key);
    let mut input = CreateIdentityRequest::new("wh-chan");
    input.imessage_enabled = Some(true);
    let mut who = ib.create_identity(&input).unwrap();
    let number = who.provision_phone_number(None).unwrap();
    let secret = who.create_signing_key().unwrap().signing_key.clone();
    let subs = [
        (SubscriptionOwner::PhoneNumber(number.id.clone()), "/texts", vec![EventType::TextReceived]),
        (SubscriptionOwner::AgentIdentity(who.id().to_owned()), "/imessage", vec![EventType::IMessageReceived]),
    ];
    for (owner, path, events) in subs {
        ib.webhooks().subscriptions().create(&CreateSubscriptionRequest::new(owner, rx.url(path), events)).unwrap();
    }

    let (st, v) = control(
        &emu,
        "POST",
        "/_emulator/texts/inbound",
        Some(json!({"to": number.number, "from": "+15550001111", "text": "hello by sms"})),
    );
    assert_eq!(st, 201, "{v}");
    let (st, v) = control(
        &emu,
        "POST",
        "/_emulator/imessage/inbound",
        Some(json!({"from": "+15550002222", "text": "connect @wh-chan"})),
    );
    assert_eq!(st, 201, "{v}");

    let mut hits = rx.wait_for(2);
    settled(&emu);
    hits.sort_by(|x, y| x.path.cmp(&y.path));
    let now = emulator_now(&emu);
    for hit in &hits {
        verify(hit, &secret, now).unwrap();
    }
    let ev = webhook_events::parse_event(&hits[0].body).unwrap();
    let first_id = ev.id.clone().unwrap();
    assert_eq!(ev.event_type, EventType::IMessageReceived);
    let EventData::IMessage(d) = ev.data else { panic!("not iMessage data") };
    assert!(d.reaction.is_none());
    let m = d.message.unwrap();
    assert_eq!(m.content.as_deref(), Some("connect @wh-chan"));
    assert_eq!(m.remote_number.as_deref(), Some("+15550002222"));
    let ev = webhook_events::parse_event(&hits[1].body).unwrap();
    assert!(ev.id.as_deref().is_some_and(|id| id.starts_with("evt_") && id != first_id), "two events, two ids");
    assert_eq!(ev.event_type, EventType::TextReceived);
    let EventData::Text(d) = ev.data else { panic!("not text data") };
    assert_eq!(d.text_message.text.as_deref(), Some("hello by sms"));
    assert_eq!(d.text_message.remote_phone_number.as_deref(), Some("+15550001111"));
    assert_eq!(d.recipient_phone_number, None);
}
