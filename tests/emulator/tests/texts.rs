//! Texts over real HTTP: send gates (SMS readiness, consent, the rolling
//! per-sender cap), group sends and local delivery, lists, search,
//! conversations, the opt-in registry, injected inbound texts and incoming
//! calls (webhook signed and answered by a loopback server), persistence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use common::{Emulator, TempDir};
use inkbox_client::Inkbox;
use inkbox_core::ErrorCode;
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest, IdentityPhoneNumberCreateOptions};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::patch::Patch;
use inkbox_core::api::phone::{
    self, CallDirection, CallStatus, CreatePhoneNumberRequest, HangupReason, IncomingCallAction, PhoneNumber,
    UpdatePhoneNumberRequest,
};
use inkbox_core::api::texts::{
    GetTextConversationParams, ListSmsOptInsParams, ListTextConversationsParams, ListTextsParams, SearchTextsParams,
    SendTextRequest, SmsOptInSource, SmsOptInStatus, TextDeliveryStatus, TextDirection, TextMessage, TextRecipients,
    TextType, UpdateTextRequest,
};
use inkbox_core::webhook::{self, VerifyOptions};
use serde_json::{Value, json};

const ALICE: &str = "+12025550101";
const BOB: &str = "+12025550102";
const CAROL: &str = "+12025550103";

fn client(emu: &Emulator, key: &str) -> Inkbox {
    Inkbox::builder(key).base_url(&emu.url).unwrap().build().unwrap()
}

/// An identity with a number provisioned inline (SMS-ready at once).
fn identity_with_number(emu: &Emulator, handle: &str) -> (String, PhoneNumber) {
    let mut req = CreateIdentityRequest::new(handle);
    req.phone_number = Some(IdentityPhoneNumberCreateOptions::default());
    let r = emu.send(&ids::build_create(&req).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    let i = ids::parse_create(&r.as_response()).unwrap();
    (i.id.clone(), i.phone_number.unwrap())
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone()
}

fn control(emu: &Emulator, method: &str, path: &str, body: Value) -> common::Resp {
    emu.raw(method, path, Some(&emu.admin_key), Some(&body.to_string()))
}

fn inbound(emu: &Emulator, to: &str, from: &str, text: &str) -> TextMessage {
    let r = control(emu, "POST", "/_emulator/texts/inbound", json!({ "to": to, "from": from, "text": text }));
    assert_eq!(r.status, 201, "{:?}", r.json());
    serde_json::from_slice(&r.body).unwrap()
}

fn advance(emu: &Emulator, secs: u64) {
    let r = control(emu, "POST", "/_emulator/clock", json!({ "advance": secs }));
    assert_eq!(r.status, 200, "{:?}", r.json());
}

fn to_one(to: &str, text: &str) -> SendTextRequest {
    SendTextRequest { to: Some(to.into()), text: Some(text.into()), ..Default::default() }
}

fn to_many(to: &[&str], text: &str) -> SendTextRequest {
    let list = to.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    SendTextRequest { to: Some(TextRecipients::Many(list)), text: Some(text.into()), ..Default::default() }
}

fn err_code<T: std::fmt::Debug>(r: inkbox_client::Result<T>) -> &'static str {
    r.unwrap_err().code()
}

#[test]
fn send_list_get_update_search_and_conversations() {
    let emu = Emulator::start();
    let (_, n) = identity_with_number(&emu, "texter");
    let ib = client(&emu, &emu.admin_key);
    let texts = ib.texts();

    // Nobody has opted in yet.
    assert_eq!(err_code(texts.send(&n.id, &to_one(ALICE, "hi"))), "api.recipient_not_opted_in");
    let start = inbound(&emu, &n.number, ALICE, " start ");
    assert_eq!((start.direction.clone(), start.is_read), (TextDirection::Inbound, false));
    assert_eq!(start.remote_phone_number.as_deref(), Some(ALICE));
    assert!(start.recipients.is_none() && start.delivery_status.is_none());

    let sent = texts.send(&n.id, &to_one(ALICE, "Your Invoice is ready")).unwrap();
    assert_eq!(sent.delivery_status, Some(TextDeliveryStatus::Queued));
    assert_eq!((sent.direction.clone(), sent.text_type.clone()), (TextDirection::Outbound, TextType::Sms));
    assert_eq!(sent.remote_phone_number.as_deref(), Some(ALICE));
    assert_eq!(sent.local_phone_number, n.number);
    let legs = sent.recipients.clone().unwrap();
    assert_eq!(legs.len(), 1);
    assert_eq!(legs[0].recipient_phone_number, ALICE);
    assert_eq!(sent.conversation_id, start.conversation_id);

    // Later reads show the carrier lifecycle.
    let got = texts.get(&n.id, &sent.id).unwrap();
    assert_eq!(got.delivery_status, Some(TextDeliveryStatus::Delivered));
    assert!(got.sent_at.is_some() && got.delivered_at.is_some() && got.failed_at.is_none());

    let mms = SendTextRequest {
        to: Some(ALICE.into()),
        media_urls: Some(vec!["https://example.com/cat.JPG?x=1".into()]),
        ..Default::default()
    };
    let mms = texts.send(&n.id, &mms).unwrap();
    assert_eq!(mms.text_type, TextType::Mms);
    let media = mms.media.clone().unwrap();
    assert_eq!((media[0].content_type.as_str(), media[0].size), ("image/jpeg", 0));
    inbound(&emu, &n.number, BOB, "hello from bob");

    // Lists: newest first, filters, pagination.
    let all = texts.list(&n.id, &ListTextsParams::default()).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].text.as_deref(), Some("hello from bob"));
    let unread = texts.list(&n.id, &ListTextsParams { is_read: Some(false), ..Default::default() }).unwrap();
    assert_eq!(unread.len(), 2);
    let p2 = texts.list(&n.id, &ListTextsParams { limit: 2, offset: 2, ..Default::default() }).unwrap();
    assert_eq!(p2.iter().map(|t| t.id.clone()).collect::<Vec<_>>(), vec![all[2].id.clone(), all[3].id.clone()]);
    let base = format!("/api/v1/phone/numbers/{}/texts", n.id);
    for q in ["limit=0", "limit=201", "limit=x", "offset=-1", "is_read=maybe"] {
        let r = emu.raw("GET", &format!("{base}?{q}"), Some(&emu.admin_key), None);
        assert_eq!(r.status, 422, "{q}");
    }
    assert_eq!(emu.raw("GET", &format!("{base}/search"), Some(&emu.admin_key), None).status, 422);

    // Search is a case-insensitive substring.
    let hits = texts.search(&n.id, &SearchTextsParams::new("invoice")).unwrap();
    assert_eq!(hits.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), vec![sent.id.as_str()]);
    assert!(texts.search(&n.id, &SearchTextsParams::new("nothing here")).unwrap().is_empty());

    // Read state.
    let read = texts.update(&n.id, &start.id, &UpdateTextRequest { is_read: Some(true), status: None }).unwrap();
    assert!(read.is_read);
    assert_eq!(err_code(texts.get(&n.id, "00000000-0000-4000-8000-000000000000")), "api.not_found");

    // Conversations: one per remote number.
    let convs = texts.list_conversations(&n.id, &ListTextConversationsParams::default()).unwrap();
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0].remote_phone_number.as_deref(), Some(BOB));
    let alice = &convs[1];
    assert_eq!((alice.total_count, alice.unread_count, alice.is_group), (3, 0, false));
    assert_eq!(alice.latest_direction, TextDirection::Outbound);
    assert!(alice.latest_has_media && alice.latest_type == TextType::Mms);
    assert_eq!(alice.participants.as_deref(), Some(&[ALICE.to_owned()][..]));

    let by_number = texts.get_conversation(&n.id, ALICE, &GetTextConversationParams::default()).unwrap();
    let by_id = texts
        .get_conversation(&n.id, alice.id.as_deref().unwrap(), &GetTextConversationParams { limit: 2, offset: 0 })
        .unwrap();
    assert_eq!(by_number.len(), 3);
    assert_eq!(by_id, by_number[..2].to_vec());
    assert!(texts.get_conversation(&n.id, CAROL, &GetTextConversationParams::default()).unwrap().is_empty());
    let conv_missing =
        texts.get_conversation(&n.id, "00000000-0000-4000-8000-000000000000", &GetTextConversationParams::default());
    assert_eq!(err_code(conv_missing), "api.not_found");

    let u = texts.update_conversation(&n.id, BOB, true).unwrap();
    assert_eq!((u.updated_count, u.is_read, u.remote_phone_number.as_deref()), (1, true, Some(BOB)));
    assert_eq!(texts.update_conversation(&n.id, BOB, true).unwrap().updated_count, 0);
    let u = texts.update_conversation(&n.id, alice.id.as_deref().unwrap(), false).unwrap();
    assert_eq!((u.updated_count, u.conversation_id.as_deref()), (1, alice.id.as_deref()));
    let r = emu.raw("PATCH", &format!("{base}/conversations/{BOB}"), Some(&emu.admin_key), Some("{}"));
    assert_eq!(r.status, 422);

    // Reply into a conversation by id; send-body validation.
    let reply =
        SendTextRequest { conversation_id: alice.id.clone(), text: Some("following up".into()), ..Default::default() };
    assert_eq!(texts.send(&n.id, &reply).unwrap().remote_phone_number.as_deref(), Some(ALICE));
    for body in [
        json!({}),
        json!({ "to": ALICE, "conversation_id": alice.id }),
        json!({ "to": "12345", "text": "x" }),
        json!({ "to": ALICE }),
        json!({ "to": ALICE, "media_urls": ["ftp://x/y.png"] }),
        json!({ "to": n.number, "text": "self" }),
    ] {
        let r = emu.raw("POST", &base, Some(&emu.admin_key), Some(&body.to_string()));
        assert_eq!(r.status, 422, "{body} {:?}", r.json());
    }

    // Historical delete.
    let del = UpdateTextRequest { is_read: None, status: Some("deleted".into()) };
    texts.update(&n.id, &sent.id, &del).unwrap();
    assert_eq!(err_code(texts.get(&n.id, &sent.id)), "api.not_found");
    assert!(texts.search(&n.id, &SearchTextsParams::new("invoice")).unwrap().is_empty());

    // Identity-scoped keys reach only their own number.
    let (other_id, other) = identity_with_number(&emu, "other");
    let key = scoped_key(&emu, &other_id);
    let agent = client(&emu, &key);
    assert_eq!(err_code(agent.texts().list(&n.id, &ListTextsParams::default())), "api.not_found");
    assert!(agent.texts().list(&other.id, &ListTextsParams::default()).unwrap().is_empty());
}

#[test]
fn pending_sender_gets_409_until_the_clock_passes_readiness() {
    let emu = Emulator::start();
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new("fresh")).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201);
    let r = emu.send(&phone::build_provision_number(&CreatePhoneNumberRequest::new("fresh")).unwrap(), &emu.admin_key);
    let n = phone::parse_provision_number(&r.as_response()).unwrap();
    inbound(&emu, &n.number, ALICE, "START");
    let ib = client(&emu, &emu.admin_key);
    let e = ib.texts().send(&n.id, &to_one(ALICE, "too early")).unwrap_err();
    assert_eq!((e.code(), e.status()), ("api.sender_sms_pending", Some(409)));
    advance(&emu, 599);
    assert_eq!(err_code(ib.texts().send(&n.id, &to_one(ALICE, "still early"))), "api.sender_sms_pending");
    advance(&emu, 2);
    ib.texts().send(&n.id, &to_one(ALICE, "now")).unwrap();
}

#[test]
fn hundred_recipient_sends_per_rolling_day() {
    let emu = Emulator::start();
    let (_, n) = identity_with_number(&emu, "bulk");
    let others: Vec<String> = (0..3).map(|i| format!("+1202555020{i}")).collect();
    for o in &others {
        inbound(&emu, &n.number, o, "START");
    }
    let group: Vec<&str> = others.iter().map(String::as_str).collect();
    let ib = client(&emu, &emu.admin_key);
    // t0: 60 recipient sends (20 groups of three).
    for _ in 0..20 {
        ib.texts().send(&n.id, &to_many(&group, "batch one")).unwrap();
    }
    advance(&emu, 12 * 3600);
    // t0+12h: 39 more, then a three-recipient send that overshoots to 102.
    for _ in 0..39 {
        ib.texts().send(&n.id, &to_one(group[0], "batch two")).unwrap();
    }
    ib.texts().send(&n.id, &to_many(&group, "overshoot")).unwrap();
    let r = emu.send(&inkbox_core::api::texts::build_send(&n.id, &to_one(group[1], "capped")).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 429, "{:?}", r.json());
    assert_eq!(r.json()["detail"]["error"], "sender_rate_limited");
    assert!(r.json()["detail"]["message"].is_string());
    // The first batch leaves the window 12 h from now.
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((12 * 3600 - 5..=12 * 3600).contains(&retry), "{retry}");
    advance(&emu, 12 * 3600 - 60);
    assert_eq!(err_code(ib.texts().send(&n.id, &to_one(group[1], "still capped"))), "api.sender_rate_limited");
    advance(&emu, 61);
    // 42 of the second batch remain in the window.
    ib.texts().send(&n.id, &to_one(group[1], "free again")).unwrap();

    // A customer-managed campaign has its own tier.
    let (_, m) = identity_with_number(&emu, "tiered");
    inbound(&emu, &m.number, ALICE, "START");
    let r = control(&emu, "POST", "/_emulator/texts/campaign", json!({ "customer_managed": true, "daily_limit": 2 }));
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["daily_limit"], 2);
    ib.texts().send(&m.id, &to_one(ALICE, "1")).unwrap();
    ib.texts().send(&m.id, &to_one(ALICE, "2")).unwrap();
    assert_eq!(err_code(ib.texts().send(&m.id, &to_one(ALICE, "3"))), "api.sender_rate_limited");
}

#[test]
fn opt_in_registry_by_sms_keywords_and_api() {
    let emu = Emulator::start();
    let (id, n) = identity_with_number(&emu, "consent");
    let ib = client(&emu, &emu.admin_key);
    let reg = ib.sms_opt_ins();
    assert_eq!(err_code(reg.get(ALICE)), "api.not_found");

    inbound(&emu, &n.number, ALICE, "Start");
    let row = reg.get(ALICE).unwrap();
    assert_eq!((row.status.clone(), row.source.clone()), (SmsOptInStatus::OptedIn, SmsOptInSource::Sms));
    assert!(row.opted_in_at.is_some() && row.opted_out_at.is_none());
    assert_eq!(row.organization_id, emu.org_id);
    ib.texts().send(&n.id, &to_one(ALICE, "welcome")).unwrap();

    inbound(&emu, &n.number, ALICE, "stop");
    let out = reg.get(ALICE).unwrap();
    assert_eq!(out.status, SmsOptInStatus::OptedOut);
    assert!(out.opted_in_at.is_none() && out.opted_out_at.is_some());
    assert_eq!(out.id, row.id);
    let e = ib.texts().send(&n.id, &to_one(ALICE, "bye?")).unwrap_err();
    assert_eq!((e.code(), e.status()), ("api.recipient_opted_out", Some(403)));
    inbound(&emu, &n.number, ALICE, "UNSTOP");
    ib.texts().send(&n.id, &to_one(ALICE, "back")).unwrap();
    // A keyword must be the whole message.
    inbound(&emu, &n.number, ALICE, "please stop calling me later");
    assert_eq!(reg.get(ALICE).unwrap().status, SmsOptInStatus::OptedIn);

    // API writes: admin only, and only with a customer-managed campaign.
    let e = reg.opt_in(BOB).unwrap_err();
    assert_eq!((e.code(), e.status()), ("api.customer_campaign_required", Some(409)));
    let agent = client(&emu, &scoped_key(&emu, &id));
    assert_eq!(err_code(agent.sms_opt_ins().opt_in(BOB)), "api.forbidden");
    assert_eq!(err_code(agent.sms_opt_ins().list(&ListSmsOptInsParams::default())), "api.forbidden");
    let r = control(&emu, "POST", "/_emulator/texts/campaign", json!({ "customer_managed": true }));
    assert_eq!((r.status, r.json()["daily_limit"].clone()), (200, json!(100)));
    let bob = reg.opt_in(BOB).unwrap();
    assert_eq!((bob.status, bob.source), (SmsOptInStatus::OptedIn, SmsOptInSource::Api));
    ib.texts().send(&n.id, &to_one(BOB, "hi bob")).unwrap();
    reg.opt_out(BOB).unwrap();
    assert_eq!(err_code(ib.texts().send(&n.id, &to_one(BOB, "hi again"))), "api.recipient_opted_out");
    let audit = control(&emu, "GET", "/_emulator/texts/opt-in-audit", json!({})).json();
    assert_eq!(audit[0]["source"], "api");
    assert_eq!(audit.as_array().unwrap().len(), 5);

    // Lists: newest-updated first, status filter, limits.
    let rows = reg.list(&ListSmsOptInsParams::default()).unwrap();
    assert_eq!(rows.iter().map(|r| r.receiver_number.as_str()).collect::<Vec<_>>(), vec![BOB, ALICE]);
    let outs = reg.list(&ListSmsOptInsParams { status: Some(SmsOptInStatus::OptedOut), ..Default::default() }).unwrap();
    assert_eq!(outs.len(), 1);
    let one = reg.list(&ListSmsOptInsParams { limit: Some(1), offset: Some(1), ..Default::default() }).unwrap();
    assert_eq!(one[0].receiver_number, ALICE);
    for q in ["limit=201", "limit=0", "status=maybe", "offset=x"] {
        let r = emu.raw("GET", &format!("/api/v1/phone/sms-opt-ins?{q}"), Some(&emu.admin_key), None);
        assert_eq!(r.status, 422, "{q}");
    }
    let r = emu.raw("GET", "/api/v1/phone/sms-opt-ins/12345", Some(&emu.admin_key), None);
    assert_eq!(r.status, 422);
}

#[test]
fn group_send_rolls_up_and_reaches_emulator_numbers() {
    let emu = Emulator::start();
    let (_, a) = identity_with_number(&emu, "group-a");
    let (_, b) = identity_with_number(&emu, "group-b");
    inbound(&emu, &a.number, &b.number, "START");
    inbound(&emu, &a.number, CAROL, "START");
    let ib = client(&emu, &emu.admin_key);

    let sent = ib.texts().send(&a.id, &to_many(&[&b.number, CAROL], "hello group")).unwrap();
    assert_eq!(sent.remote_phone_number, None);
    assert_eq!(sent.text_type, TextType::Mms);
    let legs = sent.recipients.clone().unwrap();
    assert_eq!(legs.iter().map(|l| l.recipient_phone_number.as_str()).collect::<Vec<_>>(), vec![&b.number, CAROL]);
    assert!(legs.iter().all(|l| l.delivery_status == Some(TextDeliveryStatus::Queued)));

    // B received it as a group inbound.
    let at_b = ib.texts().list(&b.id, &ListTextsParams::default()).unwrap();
    assert_eq!(at_b.len(), 1);
    let got = &at_b[0];
    assert_eq!(got.direction, TextDirection::Inbound);
    assert_eq!(got.sender_phone_number.as_deref(), Some(a.number.as_str()));
    assert_eq!(got.remote_phone_number.as_deref(), Some(a.number.as_str()));
    let b_convs = ib.texts().list_conversations(&b.id, &ListTextConversationsParams::default()).unwrap();
    assert!(b_convs.is_empty(), "groups are hidden by default");
    let groups = ListTextConversationsParams { include_groups: true, ..Default::default() };
    let b_convs = ib.texts().list_conversations(&b.id, &groups).unwrap();
    let mut expect = vec![a.number.clone(), CAROL.to_owned()];
    expect.sort();
    assert_eq!((b_convs[0].is_group, b_convs[0].participants.clone()), (true, Some(expect)));
    assert_eq!(b_convs[0].remote_phone_number, None);

    // Per-leg outcomes and the rollup.
    let r = control(
        &emu,
        "POST",
        "/_emulator/texts/delivery",
        json!({ "text_id": sent.id, "recipient": CAROL, "status": "delivery_failed", "error_code": "30005" }),
    );
    assert_eq!(r.status, 200, "{:?}", r.json());
    let now = ib.texts().get(&a.id, &sent.id).unwrap();
    assert_eq!(now.delivery_status, Some(TextDeliveryStatus::Delivered));
    let legs = now.recipients.clone().unwrap();
    let carol = legs.iter().find(|l| l.recipient_phone_number == CAROL).unwrap();
    assert_eq!(carol.delivery_status, Some(TextDeliveryStatus::DeliveryFailed));
    assert_eq!(carol.error_code.as_deref(), Some("30005"));
    assert!(carol.failed_at.is_some() && now.error_code.is_none());
    let r = control(
        &emu,
        "POST",
        "/_emulator/texts/delivery",
        json!({ "text_id": sent.id, "recipient": b.number, "status": "delivery_unconfirmed" }),
    );
    assert_eq!(r.json()["delivery_status"], "delivery_unconfirmed");

    // Replying into the group reaches the same participants.
    let a_convs = ib.texts().list_conversations(&a.id, &groups).unwrap();
    let group_id = a_convs.iter().find(|c| c.is_group).unwrap().id.clone().unwrap();
    assert_eq!(Some(group_id.clone()), sent.conversation_id);
    let reply = SendTextRequest { conversation_id: Some(group_id), text: Some("again".into()), ..Default::default() };
    let reply = ib.texts().send(&a.id, &reply).unwrap();
    assert_eq!(reply.recipients.unwrap().len(), 2);
    assert_eq!(ib.texts().list(&b.id, &ListTextsParams::default()).unwrap().len(), 2);
    let r = emu.raw(
        "POST",
        &format!("/api/v1/phone/numbers/{}/texts", a.id),
        Some(&emu.admin_key),
        Some(&json!({ "conversation_id": "00000000-0000-4000-8000-000000000000", "text": "x" }).to_string()),
    );
    assert_eq!(r.status, 404);

    // A 1:1 text to an emulator number is an SMS to it.
    inbound(&emu, &b.number, &a.number, "START");
    ib.texts().send(&b.id, &to_one(&a.number, "direct")).unwrap();
    let at_a = ib.texts().get_conversation(&a.id, &b.number, &GetTextConversationParams::default()).unwrap();
    assert_eq!(at_a[0].text.as_deref(), Some("direct"));
    assert_eq!(at_a[0].sender_phone_number, None);
}

#[test]
fn inbound_injection_validates_and_respects_filter_mode() {
    let emu = Emulator::start();
    let (id, n) = identity_with_number(&emu, "inbox");
    for body in [
        json!({ "to": n.number, "from": "nope", "text": "x" }),
        json!({ "to": n.number, "from": ALICE }),
        json!({ "to": n.number, "from": n.number, "text": "x" }),
        json!({ "from": ALICE, "text": "x" }),
    ] {
        assert_eq!(control(&emu, "POST", "/_emulator/texts/inbound", body.clone()).status, 422, "{body}");
    }
    let r =
        control(&emu, "POST", "/_emulator/texts/inbound", json!({ "to": "+19995550000", "from": ALICE, "text": "x" }));
    assert_eq!(r.status, 404);
    let r = control(
        &emu,
        "POST",
        "/_emulator/texts/inbound",
        json!({ "to": n.number, "from": ALICE, "media_urls": ["https://example.com/a.png"], "participants": [BOB] }),
    );
    assert_eq!(r.status, 201);
    assert_eq!((r.json()["type"].clone(), r.json()["sender_phone_number"].clone()), (json!("mms"), json!(ALICE)));
    assert_eq!(emu.raw("GET", "/_emulator/texts/inbound", Some(&emu.admin_key), None).status, 405);
    assert_eq!(emu.raw("POST", "/_emulator/texts/inbound", None, Some("{}")).status, 401);

    // Whitelist with no allow rules blocks inbound; agent keys never see it.
    let mode = UpdatePhoneNumberRequest {
        filter_mode: Some(inkbox_core::api::common::FilterMode::Whitelist),
        ..Default::default()
    };
    assert_eq!(emu.send(&phone::build_update_number(&n.id, &mode).unwrap(), &emu.admin_key).status, 200);
    let blocked = inbound(&emu, &n.number, CAROL, "spam");
    assert!(blocked.is_blocked);
    let ib = client(&emu, &emu.admin_key);
    let only_blocked = ListTextsParams { is_blocked: Some(true), ..Default::default() };
    assert_eq!(ib.texts().list(&n.id, &only_blocked).unwrap().len(), 1);
    assert_eq!(ib.texts().list(&n.id, &ListTextsParams::default()).unwrap().len(), 2);
    let agent = client(&emu, &scoped_key(&emu, &id));
    assert_eq!(agent.texts().list(&n.id, &ListTextsParams::default()).unwrap().len(), 1);
    assert!(agent.texts().list(&n.id, &only_blocked).unwrap().is_empty());
    assert_eq!(err_code(agent.texts().get(&n.id, &blocked.id)), "api.not_found");
}

/// A received request: lowercase header pairs and the raw body.
type Captured = (Vec<(String, String)>, Vec<u8>);

/// A one-shot loopback HTTP server: answers `status`/`body` (after `delay`)
/// and hands back the request headers and body.
fn hook_server(status: u16, body: &'static str, delay: Duration) -> (String, mpsc::Receiver<Captured>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/calls", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut headers = Vec::new();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (n, v) = l.split_once(':').unwrap();
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
        let len: usize = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
        let mut buf = vec![0u8; len];
        reader.read_exact(&mut buf).unwrap();
        tx.send((headers, buf)).unwrap();
        std::thread::sleep(delay);
        let mut stream = stream;
        let resp = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(resp.as_bytes());
    });
    (url, rx)
}

fn set_webhook(emu: &Emulator, number_id: &str, url: &str) {
    let u = UpdatePhoneNumberRequest {
        incoming_call_action: Some(IncomingCallAction::Webhook),
        incoming_call_webhook_url: Patch::Set(url.into()),
        ..Default::default()
    };
    let r = emu.send(&phone::build_update_number(number_id, &u).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 200, "{:?}", r.json());
}

fn call_in(emu: &Emulator, to: &str, from: &str, extra: Value) -> Value {
    let mut body = json!({ "to": to, "from": from });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let r = control(emu, "POST", "/_emulator/calls/inbound", body);
    assert_eq!(r.status, 201, "{:?}", r.json());
    r.json()
}

#[test]
fn incoming_calls_follow_the_number_action_and_webhook_answer() {
    let emu = Emulator::start();
    let (_, n) = identity_with_number(&emu, "callee");
    let (_, peer) = identity_with_number(&emu, "caller-peer");

    // Default auto_reject.
    let c = call_in(&emu, &n.number, ALICE, json!({}));
    assert_eq!((c["direction"].clone(), c["status"].clone()), (json!("inbound"), json!("canceled")));
    assert_eq!(c["hangup_reason"], "rejected");

    // Webhook, signed with the org key: answer.
    let r = emu.send(&keys::build_create_signing_key().unwrap(), &emu.admin_key);
    let org_secret = keys::parse_create_signing_key(&r.as_response()).unwrap().signing_key.clone();
    let (url, rx) =
        hook_server(200, r#"{"action":"answer","client_websocket_url":"wss://agent.example/ws"}"#, Duration::ZERO);
    set_webhook(&emu, &n.id, &url);
    let c = call_in(&emu, &n.number, &peer.number, json!({}));
    assert_eq!(c["status"], "answered");
    assert_eq!(c["client_websocket_url"], "wss://agent.example/ws");
    assert!(c["started_at"].is_string());
    let (headers, body) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    webhook::verify(&pairs, &body, &[org_secret.as_str()], 0, &VerifyOptions::strict().without_freshness()).unwrap();
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["id"], c["id"]);
    assert_eq!((payload["direction"].clone(), payload["status"].clone()), (json!("inbound"), json!("initiated")));
    assert_eq!(payload["remote_phone_number"], json!(peer.number));
    assert!(payload.get("is_blocked").is_none() && payload.get("event_type").is_none());
    assert_eq!(payload["rate_limit"], Value::Null);
    assert_eq!(payload["contacts"], json!([]));
    assert_eq!(payload["agent_identities"], json!([]), "peers are invisible without a grant");

    // The identity's own key wins over the org key; reject.
    let r = emu.send(&keys::build_create_identity_signing_key("callee").unwrap(), &emu.admin_key);
    let id_secret = keys::parse_create_signing_key(&r.as_response()).unwrap().signing_key.clone();
    let (url, rx) = hook_server(200, r#"{"action":"reject"}"#, Duration::ZERO);
    set_webhook(&emu, &n.id, &url);
    let c = call_in(&emu, &n.number, ALICE, json!({}));
    assert_eq!((c["status"].clone(), c["hangup_reason"].clone()), (json!("canceled"), json!("rejected")));
    let (headers, body) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let opts = VerifyOptions::strict().without_freshness();
    webhook::verify(&pairs, &body, &[id_secret.as_str()], 0, &opts).unwrap();
    assert!(webhook::verify(&pairs, &body, &[org_secret.as_str()], 0, &opts).is_err());

    // Non-200, invalid body and timeout all decline.
    for (status, body, delay, extra) in [
        (500, r#"{"action":"answer"}"#, Duration::ZERO, json!({})),
        (200, r#"{"action":"maybe"}"#, Duration::ZERO, json!({})),
        (200, r#"{"action":"answer"}"#, Duration::from_millis(1500), json!({ "timeout_ms": 300 })),
    ] {
        let (url, _rx) = hook_server(status, body, delay);
        set_webhook(&emu, &n.id, &url);
        let c = call_in(&emu, &n.number, ALICE, extra);
        assert_eq!(c["status"], "canceled", "{status} {body}");
    }
    let log = control(&emu, "GET", "/_emulator/calls/inbound", json!({})).json();
    let decisions: Vec<&str> = log.as_array().unwrap().iter().map(|a| a["decision"].as_str().unwrap()).collect();
    assert_eq!(decisions, vec!["answer", "reject", "reject", "reject", "reject"]);
    assert!(log[4]["error"].is_string() && log[4]["status"].is_null());

    // auto_accept bridges to the number's websocket URL.
    let u = UpdatePhoneNumberRequest {
        incoming_call_action: Some(IncomingCallAction::AutoAccept),
        client_websocket_url: Patch::Set("wss://number.example/ws".into()),
        ..Default::default()
    };
    assert_eq!(emu.send(&phone::build_update_number(&n.id, &u).unwrap(), &emu.admin_key).status, 200);
    let c = call_in(&emu, &n.number, ALICE, json!({}));
    assert_eq!(
        (c["status"].clone(), c["client_websocket_url"].clone()),
        (json!("answered"), json!("wss://number.example/ws"))
    );

    // The calls show up on the number, newest first.
    let r = emu.send(&phone::build_list_calls(&n.id, &Default::default()).unwrap(), &emu.admin_key);
    let calls = phone::parse_list_calls(&r.as_response()).unwrap();
    assert_eq!(calls.len(), 7);
    assert!(calls.iter().all(|c| c.direction == CallDirection::Inbound));
    assert_eq!(calls[0].status, CallStatus::Answered);
    assert_eq!(calls[6].hangup_reason, Some(HangupReason::Rejected));

    // Validation.
    for body in [
        json!({ "to": n.number }),
        json!({ "to": n.number, "from": "x" }),
        json!({ "to": n.number, "from": ALICE, "timeout_ms": 0 }),
    ] {
        assert_eq!(control(&emu, "POST", "/_emulator/calls/inbound", body.clone()).status, 422, "{body}");
    }
    let r = control(&emu, "POST", "/_emulator/calls/inbound", json!({ "to": "+19995550000", "from": ALICE }));
    assert_eq!(r.status, 404);
}

#[test]
fn texts_opt_ins_and_conversations_survive_a_restart() {
    let dir = TempDir::new("texts");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let (_, n) = identity_with_number(&emu, "durable");
    inbound(&emu, &n.number, ALICE, "START");
    let ib = client(&emu, &emu.admin_key);
    let sent = ib.texts().send(&n.id, &to_one(ALICE, "persist me")).unwrap();
    control(&emu, "POST", "/_emulator/texts/campaign", json!({ "customer_managed": true, "daily_limit": 1 }));
    let key = emu.admin_key.clone();
    assert!(emu.terminate().success());

    let emu = Emulator::start_with_data(&db);
    assert_eq!(emu.admin_key, key);
    let ib = client(&emu, &emu.admin_key);
    let got = ib.texts().get(&n.id, &sent.id).unwrap();
    assert_eq!((got.text.as_deref(), got.delivery_status), (Some("persist me"), Some(TextDeliveryStatus::Delivered)));
    assert_eq!(ib.sms_opt_ins().get(ALICE).unwrap().status, SmsOptInStatus::OptedIn);
    let convs = ib.texts().list_conversations(&n.id, &ListTextConversationsParams::default()).unwrap();
    assert_eq!((convs.len(), convs[0].total_count), (1, 2));
    // The send log and the campaign tier persisted too.
    assert_eq!(err_code(ib.texts().send(&n.id, &to_one(ALICE, "over"))), "api.sender_rate_limited");
    ib.sms_opt_ins().opt_out(ALICE).unwrap();
}
