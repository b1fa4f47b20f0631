//! Phone over real HTTP: provisioning, SMS readiness on the emulated clock,
//! updates, release, calls, transcripts and scoping.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::Emulator;
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::patch::Patch;
use inkbox_core::api::phone::{
    self, CallDirection, CallStatus, CreatePhoneNumberRequest, IncomingCallAction, ListCallsParams, PhoneNumber,
    PhoneNumberType, PlaceCallRequest, SearchTranscriptsParams, SmsStatus, TranscriptParty, UpdatePhoneNumberRequest,
};

fn create(emu: &Emulator, handle: &str) -> ids::AgentIdentity {
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new(handle)).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    ids::parse_create(&r.as_response()).unwrap()
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone()
}

fn provision(emu: &Emulator, handle: &str) -> PhoneNumber {
    let r = emu.send(&phone::build_provision_number(&CreatePhoneNumberRequest::new(handle)).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    phone::parse_provision_number(&r.as_response()).unwrap()
}

fn get_number(emu: &Emulator, id: &str, key: &str) -> PhoneNumber {
    let r = emu.send(&phone::build_get_number(id).unwrap(), key);
    assert_eq!(r.status, 200, "{:?}", r.json());
    phone::parse_get_number(&r.as_response()).unwrap()
}

fn place(emu: &Emulator, from: &str, to: &str, key: &str) -> phone::PhoneCallWithRateLimit {
    let input = PlaceCallRequest { from_number: from.into(), to_number: to.into(), client_websocket_url: None };
    let r = emu.send(&phone::build_place_call(&input).unwrap(), key);
    assert_eq!(r.status, 200, "{:?}", r.json());
    phone::parse_place_call(&r.as_response()).unwrap()
}

fn advance(emu: &Emulator, secs: u64) {
    let body = format!("{{\"advance\": {secs}}}");
    let r = emu.raw("POST", "/_emulator/clock", Some(&emu.admin_key), Some(&body));
    assert_eq!(r.status, 200, "{:?}", r.json());
}

#[test]
fn provision_binds_one_local_number_per_identity() {
    let emu = Emulator::start();
    create(&emu, "phone-a");
    let n = provision(&emu, "@Phone-A");
    assert!(n.number.starts_with("+1555") && n.number.len() == 12, "{}", n.number);
    assert_eq!((n.r#type.clone(), n.sms_status.clone()), (PhoneNumberType::Local, SmsStatus::Pending));
    assert_eq!(n.incoming_call_action, IncomingCallAction::AutoReject);
    let ready_at = n.sms_ready_at.unwrap();
    assert_eq!(ready_at.unix_seconds() - n.created_at.unix_seconds(), 600);

    let r = emu.send(&ids::build_get("phone-a").unwrap(), &emu.admin_key);
    let identity = ids::parse_get(&r.as_response()).unwrap();
    assert_eq!(identity.phone_number.as_ref().map(|p| p.id.as_str()), Some(n.id.as_str()));
    assert_eq!(n.agent_identity_id.as_deref(), Some(identity.id.as_str()));

    // A second number for the same identity.
    let r =
        emu.send(&phone::build_provision_number(&CreatePhoneNumberRequest::new("phone-a")).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 409);
    assert!(r.json()["detail"].is_string(), "{:?}", r.json());

    // Toll-free is retired; unknown handles are 404; bad states 422.
    create(&emu, "phone-b");
    let tf =
        CreatePhoneNumberRequest { agent_handle: "phone-b".into(), r#type: PhoneNumberType::TollFree, state: None };
    assert_eq!(emu.send(&phone::build_provision_number(&tf).unwrap(), &emu.admin_key).status, 422);
    let ghost = CreatePhoneNumberRequest::new("nobody-here");
    assert_eq!(emu.send(&phone::build_provision_number(&ghost).unwrap(), &emu.admin_key).status, 404);
    let bad_state =
        CreatePhoneNumberRequest { state: Some("New York".into()), ..CreatePhoneNumberRequest::new("phone-b") };
    assert_eq!(emu.send(&phone::build_provision_number(&bad_state).unwrap(), &emu.admin_key).status, 422);

    let ny = CreatePhoneNumberRequest { state: Some("ny".into()), ..CreatePhoneNumberRequest::new("phone-b") };
    let r = emu.send(&phone::build_provision_number(&ny).unwrap(), &emu.admin_key);
    let b = phone::parse_provision_number(&r.as_response()).unwrap();
    assert_eq!(b.state.as_deref(), Some("NY"));
    assert_ne!(b.number, n.number);

    let r = emu.send(&phone::build_list_numbers().unwrap(), &emu.admin_key);
    let list = phone::parse_list_numbers(&r.as_response()).unwrap();
    assert_eq!(list.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), vec![n.id.as_str(), b.id.as_str()]);
}

#[test]
fn sms_status_becomes_ready_on_the_emulated_clock() {
    let emu = Emulator::start();
    create(&emu, "sms-a");
    let n = provision(&emu, "sms-a");
    assert_eq!(get_number(&emu, &n.id, &emu.admin_key).sms_status, SmsStatus::Pending);
    advance(&emu, 599);
    assert_eq!(get_number(&emu, &n.id, &emu.admin_key).sms_status, SmsStatus::Pending);
    advance(&emu, 2);
    let later = get_number(&emu, &n.id, &emu.admin_key);
    assert_eq!(later.sms_status, SmsStatus::Ready);
    assert_eq!(later.sms_ready_at, n.sms_ready_at);
    let r = emu.send(&ids::build_get("sms-a").unwrap(), &emu.admin_key);
    let shown = ids::parse_get(&r.as_response()).unwrap().phone_number.unwrap();
    assert_eq!(shown.sms_status, SmsStatus::Ready);
}

#[test]
fn update_uses_patch_null_semantics_and_requires_urls() {
    let emu = Emulator::start();
    create(&emu, "upd-a");
    let n = provision(&emu, "upd-a");
    let send =
        |input: &UpdatePhoneNumberRequest| emu.send(&phone::build_update_number(&n.id, input).unwrap(), &emu.admin_key);

    // auto_accept without a websocket URL / webhook without a webhook URL.
    let r = send(&UpdatePhoneNumberRequest {
        incoming_call_action: Some(IncomingCallAction::AutoAccept),
        ..Default::default()
    });
    assert_eq!(r.status, 422, "{:?}", r.json());
    let r = send(&UpdatePhoneNumberRequest {
        incoming_call_action: Some(IncomingCallAction::Webhook),
        ..Default::default()
    });
    assert_eq!(r.status, 422);

    let r = send(&UpdatePhoneNumberRequest {
        incoming_call_action: Some(IncomingCallAction::AutoAccept),
        client_websocket_url: Patch::Set("wss://agent.example.com/ws".into()),
        incoming_call_webhook_url: Patch::Set("https://agent.example.com/calls".into()),
        ..Default::default()
    });
    assert_eq!(r.status, 200, "{:?}", r.json());
    let u = phone::parse_update_number(&r.as_response()).unwrap();
    assert_eq!(u.incoming_call_action, IncomingCallAction::AutoAccept);
    assert_eq!(u.client_websocket_url.as_deref(), Some("wss://agent.example.com/ws"));

    // `{}` keeps everything; clearing the URL auto_accept needs is refused.
    let kept = phone::parse_update_number(&send(&UpdatePhoneNumberRequest::default()).as_response()).unwrap();
    assert_eq!(kept.client_websocket_url, u.client_websocket_url);
    assert_eq!(kept.incoming_call_webhook_url, u.incoming_call_webhook_url);
    let r = send(&UpdatePhoneNumberRequest { client_websocket_url: Patch::Clear, ..Default::default() });
    assert_eq!(r.status, 422);

    // null clears the webhook URL while the action does not need it.
    let r = send(&UpdatePhoneNumberRequest { incoming_call_webhook_url: Patch::Clear, ..Default::default() });
    let cleared = phone::parse_update_number(&r.as_response()).unwrap();
    assert_eq!(cleared.incoming_call_webhook_url, None);
    assert_eq!(cleared.client_websocket_url.as_deref(), Some("wss://agent.example.com/ws"));
    let r = send(&UpdatePhoneNumberRequest {
        incoming_call_action: Some(IncomingCallAction::AutoReject),
        client_websocket_url: Patch::Clear,
        ..Default::default()
    });
    let off = phone::parse_update_number(&r.as_response()).unwrap();
    assert_eq!((off.incoming_call_action, off.client_websocket_url), (IncomingCallAction::AutoReject, None));
    assert_eq!(get_number(&emu, &n.id, &emu.admin_key).incoming_call_action, IncomingCallAction::AutoReject);

    let legacy = format!("/api/v1/phone/numbers/{}", n.id);
    let r = emu.raw("PATCH", &legacy, Some(&emu.admin_key), Some(r#"{"incoming_text_webhook_url":"https://x"}"#));
    assert_eq!(r.status, 422);
}

#[test]
fn calls_place_list_page_and_get() {
    let emu = Emulator::start();
    create(&emu, "call-a");
    let n = provision(&emu, "call-a");
    let first = place(&emu, &n.number, "+18005550001", &emu.admin_key);
    assert_eq!(first.call.direction, CallDirection::Outbound);
    assert_eq!(first.call.status, CallStatus::Initiated);
    assert_eq!(first.call.local_phone_number, n.number);
    assert_eq!(first.call.remote_phone_number, "+18005550001");
    assert_eq!(first.rate_limit.calls_used, 1);
    assert_eq!(first.rate_limit.calls_used + first.rate_limit.calls_remaining, first.rate_limit.calls_limit);
    // from_number may also be the number's UUID.
    let second = place(&emu, &n.id, "+18005550002", &emu.admin_key);
    assert_eq!(second.rate_limit.calls_used, 2);
    let third = place(&emu, &n.number, "+18005550003", &emu.admin_key);

    // Unknown from_number, bad to_number.
    let bad = PlaceCallRequest {
        from_number: "+15550000000".into(),
        to_number: "+18005550001".into(),
        client_websocket_url: None,
    };
    assert_eq!(emu.send(&phone::build_place_call(&bad).unwrap(), &emu.admin_key).status, 404);
    let r = emu.raw(
        "POST",
        "/api/v1/phone/place-call",
        Some(&emu.admin_key),
        Some(&format!(r#"{{"from_number":"{}","to_number":"8005550001"}}"#, n.number)),
    );
    assert_eq!(r.status, 422);

    let list = |limit, offset| {
        let p = ListCallsParams { limit, offset, is_blocked: None };
        let r = emu.send(&phone::build_list_calls(&n.id, &p).unwrap(), &emu.admin_key);
        assert_eq!(r.status, 200, "{:?}", r.json());
        phone::parse_list_calls(&r.as_response()).unwrap().into_iter().map(|c| c.id).collect::<Vec<_>>()
    };
    assert_eq!(list(50, 0), vec![third.call.id.clone(), second.call.id.clone(), first.call.id.clone()]);
    assert_eq!(list(2, 0), vec![third.call.id.clone(), second.call.id.clone()]);
    assert_eq!(list(2, 2), vec![first.call.id.clone()]);
    assert!(list(2, 4).is_empty());
    let r = emu.raw("GET", &format!("/api/v1/phone/numbers/{}/calls?limit=201", n.id), Some(&emu.admin_key), None);
    assert_eq!(r.status, 422);

    let r = emu.send(&phone::build_get_call(&n.id, &second.call.id).unwrap(), &emu.admin_key);
    assert_eq!(phone::parse_get_call(&r.as_response()).unwrap(), second.call);
    assert_eq!(emu.send(&phone::build_get_call(&n.id, "nope").unwrap(), &emu.admin_key).status, 404);

    // Transcripts: empty until injected, then listed by seq and searchable.
    let r = emu.send(&phone::build_list_transcripts(&n.id, &first.call.id).unwrap(), &emu.admin_key);
    assert!(phone::parse_list_transcripts(&r.as_response()).unwrap().is_empty());
    for (party, text) in [("local", "Hello, how can I help?"), ("remote", "I want a REFUND please")] {
        let body = format!(r#"{{"call_id":"{}","party":"{party}","text":"{text}"}}"#, first.call.id);
        let r = emu.raw("POST", "/_emulator/transcripts", Some(&emu.admin_key), Some(&body));
        assert_eq!(r.status, 201, "{:?}", r.json());
    }
    let r = emu.send(&phone::build_list_transcripts(&n.id, &first.call.id).unwrap(), &emu.admin_key);
    let segs = phone::parse_list_transcripts(&r.as_response()).unwrap();
    assert_eq!(segs.iter().map(|t| t.seq).collect::<Vec<_>>(), vec![0, 1]);
    let search = |p: &SearchTranscriptsParams| {
        let r = emu.send(&phone::build_search_transcripts(&n.id, p).unwrap(), &emu.admin_key);
        assert_eq!(r.status, 200, "{:?}", r.json());
        phone::parse_search_transcripts(&r.as_response()).unwrap()
    };
    let hits = search(&SearchTranscriptsParams::new("refund"));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].party, TranscriptParty::Remote);
    let mut p = SearchTranscriptsParams::new("refund");
    p.party = Some(TranscriptParty::Local);
    assert!(search(&p).is_empty());
    assert!(search(&SearchTranscriptsParams::new("nothing like this")).is_empty());
}

#[test]
fn release_removes_the_number_from_org_and_identity() {
    let emu = Emulator::start();
    let a = create(&emu, "rel-a");
    create(&emu, "rel-b");
    let na = provision(&emu, "rel-a");
    let nb = provision(&emu, "rel-b");

    let r = emu.send(&phone::build_release_number(&na.id).unwrap(), &emu.admin_key);
    phone::parse_release_number(&r.as_response()).unwrap();
    assert_eq!(emu.send(&phone::build_get_number(&na.id).unwrap(), &emu.admin_key).status, 404);
    let r = emu.send(&ids::build_get("rel-a").unwrap(), &emu.admin_key);
    assert_eq!(ids::parse_get(&r.as_response()).unwrap().phone_number, None);
    assert_eq!(emu.send(&phone::build_release_number(&na.id).unwrap(), &emu.admin_key).status, 404);
    // The identity can take a new number afterwards.
    let again = provision(&emu, "rel-a");
    assert_eq!(again.agent_identity_id.as_deref(), Some(a.id.as_str()));

    // The identity route shares the same release path.
    let r = emu.send(&ids::build_release_phone_number("rel-b").unwrap(), &emu.admin_key);
    ids::parse_release_phone_number(&r.as_response()).unwrap();
    assert_eq!(emu.send(&phone::build_get_number(&nb.id).unwrap(), &emu.admin_key).status, 404);
    let r = emu.send(&phone::build_list_numbers().unwrap(), &emu.admin_key);
    let list = phone::parse_list_numbers(&r.as_response()).unwrap();
    assert_eq!(list.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), vec![again.id.as_str()]);
    let r = emu.send(&ids::build_get("rel-b").unwrap(), &emu.admin_key);
    assert_eq!(ids::parse_get(&r.as_response()).unwrap().phone_number, None);
}

#[test]
fn scoped_keys_reach_only_their_own_number() {
    let emu = Emulator::start();
    let a = create(&emu, "scope-a");
    create(&emu, "scope-b");
    let na = provision(&emu, "scope-a");
    let nb = provision(&emu, "scope-b");
    let ka = scoped_key(&emu, &a.id);

    let r = emu.send(&phone::build_list_numbers().unwrap(), &ka);
    let list = phone::parse_list_numbers(&r.as_response()).unwrap();
    assert_eq!(list.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), vec![na.id.as_str()]);
    assert_eq!(get_number(&emu, &na.id, &ka).id, na.id);
    assert_eq!(emu.send(&phone::build_get_number(&nb.id).unwrap(), &ka).status, 404);
    let upd = UpdatePhoneNumberRequest {
        incoming_call_webhook_url: Patch::Set("https://x.example/c".into()),
        ..Default::default()
    };
    assert_eq!(emu.send(&phone::build_update_number(&nb.id, &upd).unwrap(), &ka).status, 404);
    assert_eq!(emu.send(&phone::build_update_number(&na.id, &upd).unwrap(), &ka).status, 200);
    let fm = UpdatePhoneNumberRequest {
        filter_mode: Some(inkbox_core::api::common::FilterMode::Whitelist),
        ..Default::default()
    };
    assert_eq!(emu.send(&phone::build_update_number(&na.id, &fm).unwrap(), &ka).status, 403);
    assert_eq!(emu.send(&phone::build_release_number(&nb.id).unwrap(), &ka).status, 404);
    assert_eq!(emu.send(&phone::build_list_calls(&nb.id, &ListCallsParams::default()).unwrap(), &ka).status, 404);

    // Calls only from the key's own number.
    let bad = PlaceCallRequest {
        from_number: nb.number.clone(),
        to_number: "+18005550001".into(),
        client_websocket_url: None,
    };
    assert_eq!(emu.send(&phone::build_place_call(&bad).unwrap(), &ka).status, 404);
    let own = place(&emu, &na.number, "+18005550001", &ka);
    let r = emu.send(&phone::build_get_call(&nb.id, &own.call.id).unwrap(), &ka);
    assert_eq!(r.status, 404);
    let r = emu.send(&phone::build_get_call(&na.id, &own.call.id).unwrap(), &ka);
    assert_eq!(r.status, 200);

    // A scoped key cannot provision for another identity.
    let other = CreatePhoneNumberRequest::new("scope-b");
    assert_eq!(emu.send(&phone::build_provision_number(&other).unwrap(), &ka).status, 404);
}

#[test]
fn sms_readiness_delays_are_configurable() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let r = emu.raw("GET", "/_emulator/phone/config", Some(&admin), None);
    assert_eq!(r.json(), serde_json::json!({"sms_ready_delay_secs": 600, "inline_sms_ready_delay_secs": 0}));
    let bad = emu.raw("POST", "/_emulator/phone/config", Some(&admin), Some(r#"{"sms_ready_delay_secs": -1}"#));
    assert_eq!(bad.status, 422);
    let r = emu.raw(
        "POST",
        "/_emulator/phone/config",
        Some(&admin),
        Some(r#"{"sms_ready_delay_secs": 0, "inline_sms_ready_delay_secs": 120}"#),
    );
    assert_eq!(r.status, 200);
    // Provisioned: ready at once now.
    emu.raw("POST", "/api/v1/identities/", Some(&admin), Some(r#"{"agent_handle":"cfg-a"}"#));
    let n = emu.raw("POST", "/api/v1/phone/numbers", Some(&admin), Some(r#"{"agent_handle":"cfg-a","type":"local"}"#));
    assert_eq!(n.status, 201, "{:?}", n.json());
    assert_eq!(n.json()["sms_status"], "ready");
    // Inline: pending for 120 s of emulated time.
    let i = emu.raw(
        "POST",
        "/api/v1/identities/",
        Some(&admin),
        Some(r#"{"agent_handle":"cfg-b","phone_number":{"type":"local"}}"#),
    );
    assert_eq!(i.status, 201, "{:?}", i.json());
    assert_eq!(i.json()["phone_number"]["sms_status"], "pending");
    emu.raw("POST", "/_emulator/clock", Some(&admin), Some(r#"{"advance": 121}"#));
    let i = emu.raw("GET", "/api/v1/identities/cfg-b", Some(&admin), None);
    assert_eq!(i.json()["phone_number"]["sms_status"], "ready");
}
