//! iMessage over real HTTP: the triage `connect @handle` flow, assignments,
//! conversations, messages, tapbacks, read state, typing, media, the rolling
//! 24 h send cap on the emulated clock, contact rules and their filtering,
//! webhook events, scoping and persistence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Emulator, TempDir};
use inkbox_client::api::RetryPolicy;
use inkbox_client::{Identity, Inkbox};
use inkbox_core::api::ErrorKind;
use inkbox_core::api::common::{FilterMode, RuleAction};
use inkbox_core::api::identities::{CreateIdentityRequest, IdentityStatus, UpdateIdentityRequest};
use inkbox_core::api::imessage::{
    self as im, CreateIMessageContactRuleRequest, IMessageAssignmentStatus, IMessageDeliveryStatus, IMessageDirection,
    IMessageReactionType, IMessageRuleStatus, IMessageSendStyle, ListIMessageAssignmentsParams,
    ListIMessageContactRulesParams, ListIMessageConversationsParams, ListIMessagesParams,
    ListOrgIMessageContactRulesParams, SendIMessageReactionRequest, SendIMessageRequest,
    UpdateIMessageContactRuleRequest,
};
use inkbox_core::api::keys::CreateApiKeyRequest;
use serde_json::{Value, json};

const ALICE: &str = "+15550001111";
const BOB: &str = "+15550002222";
const CAROL: &str = "+15550003333";

fn client(emu: &Emulator, key: &str) -> Inkbox {
    Inkbox::builder(key).base_url(&emu.url).unwrap().retry_policy(RetryPolicy::none()).build().unwrap()
}

fn create(inkbox: &Inkbox, handle: &str, imessage: bool) -> Identity {
    let input = CreateIdentityRequest { imessage_enabled: Some(imessage), ..CreateIdentityRequest::new(handle) };
    inkbox.create_identity(&input).unwrap()
}

fn scoped_key(inkbox: &Inkbox, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    inkbox.api_keys().create(&input).unwrap().api_key.clone()
}

fn control(emu: &Emulator, path: &str, body: Value) -> common::Resp {
    emu.raw("POST", path, Some(&emu.admin_key), Some(&body.to_string()))
}

/// Injects an inbound iMessage; asserts 201 and returns the message JSON.
fn inbound(emu: &Emulator, from: &str, to: Option<&str>, text: &str) -> Value {
    let mut body = json!({ "from": from, "text": text });
    if let Some(t) = to {
        body["to"] = json!(t);
    }
    let r = control(emu, "/_emulator/imessage/inbound", body);
    assert_eq!(r.status, 201, "{:?}", r.json());
    r.json()
}

fn events(emu: &Emulator) -> Vec<Value> {
    let r = emu.raw("GET", "/_emulator/imessage/events", Some(&emu.admin_key), None);
    assert_eq!(r.status, 200);
    r.json().as_array().unwrap().clone()
}

fn event_types(emu: &Emulator) -> Vec<String> {
    events(emu).iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

fn advance(emu: &Emulator, secs: u64) {
    let r = control(emu, "/_emulator/clock", json!({ "advance": secs }));
    assert_eq!(r.status, 200, "{:?}", r.json());
}

fn reply(conversation_id: &str, text: &str) -> SendIMessageRequest {
    SendIMessageRequest { conversation_id: Some(conversation_id.into()), text: Some(text.into()), ..Default::default() }
}

fn to(number: &str, text: &str) -> SendIMessageRequest {
    SendIMessageRequest { to: Some(number.into()), text: Some(text.into()), ..Default::default() }
}

fn status_of<T: std::fmt::Debug>(r: inkbox_client::Result<T>) -> u16 {
    r.unwrap_err().status().unwrap()
}

#[test]
fn triage_connect_flow_conversations_and_messages() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let agent = create(&admin, "im-agent", true);
    create(&admin, "im-off", false);

    // The router number and the connect command (one enabled identity → its handle).
    let triage = admin.imessages().get_triage_number().unwrap();
    assert!(triage.number.starts_with('+'));
    assert_eq!(triage.connect_command, "connect @im-agent");
    let agent_key = scoped_key(&admin, agent.id());
    let as_agent = client(&emu, &agent_key);
    assert_eq!(as_agent.imessages().get_triage_number().unwrap().connect_command, "connect @im-agent");

    // Connect through the triage number (by number; `@` and case do not matter).
    let first = inbound(&emu, ALICE, Some(&triage.number), "Connect @IM-Agent");
    assert_eq!((first["direction"].as_str(), first["status"].as_str()), (Some("inbound"), Some("received")));
    assert_eq!((first["is_read"].as_bool(), first["is_blocked"].as_bool()), (Some(false), Some(false)));
    let conv_id = first["conversation_id"].as_str().unwrap().to_owned();

    let assignments = agent.list_imessage_assignments(50, 0).unwrap();
    assert_eq!(assignments.len(), 1);
    let a = &assignments[0];
    assert_eq!((a.remote_number.as_str(), a.agent_identity_id.as_str()), (ALICE, agent.id()));
    assert_eq!((a.status.clone(), a.released_at), (IMessageAssignmentStatus::Active, None));
    assert_eq!(a.organization_id, emu.org_id);
    assert_eq!(first["assignment_id"].as_str(), Some(a.id.as_str()));

    // Connecting again keeps the assignment; plain texts reach the same conversation.
    inbound(&emu, ALICE, None, "connect im-agent");
    let hello = inbound(&emu, ALICE, Some("@im-agent"), "hello there");
    let via_triage = inbound(&emu, ALICE, Some("triage"), "are you there?");
    assert_eq!(hello["conversation_id"].as_str(), Some(conv_id.as_str()));
    assert_eq!(via_triage["conversation_id"].as_str(), Some(conv_id.as_str()));
    assert_eq!(agent.list_imessage_assignments(50, 0).unwrap().len(), 1);

    let convs = agent.list_imessage_conversations(&ListIMessageConversationsParams::default()).unwrap();
    assert_eq!(convs.len(), 1);
    let c = &convs[0];
    assert_eq!((c.id.as_str(), c.remote_number.as_deref()), (conv_id.as_str(), Some(ALICE)));
    assert_eq!((c.unread_count, c.total_count, c.latest_has_media), (4, 4, false));
    assert_eq!(c.latest_text.as_deref(), Some("are you there?"));
    assert_eq!(c.latest_direction, Some(IMessageDirection::Inbound));
    assert_eq!(c.assignment_status, IMessageAssignmentStatus::Active);

    let got = agent.get_imessage_conversation(&conv_id).unwrap();
    assert_eq!((got.id.as_str(), got.assignment_id.as_deref()), (conv_id.as_str(), Some(a.id.as_str())));
    // The identity assertion: another identity's id → 404.
    let other = admin.get_identity("im-off").unwrap();
    assert_eq!(status_of(admin.imessages().get_conversation(&conv_id, Some(other.id()))), 404);
    assert_eq!(status_of(admin.imessages().get_conversation("00000000-0000-4000-8000-000000000000", None)), 404);

    // Reply into the conversation (response: the row as sent), then by `to`.
    let sent = agent.send_imessage(&SendIMessageRequest {
        send_style: Some(IMessageSendStyle::Confetti),
        ..reply(&conv_id, "On it — give me two minutes.")
    });
    let sent = sent.unwrap();
    assert_eq!(
        (sent.direction.clone(), sent.status.clone()),
        (IMessageDirection::Outbound, Some(IMessageDeliveryStatus::Sent))
    );
    assert_eq!(sent.send_style, Some(IMessageSendStyle::Confetti));
    assert_eq!(sent.content.as_deref(), Some("On it — give me two minutes."));
    assert_eq!(sent.recipients.as_ref().unwrap()[0].remote_number, ALICE);
    let by_to = admin.imessages().send(&to(ALICE, "second"), Some(agent.id())).unwrap();
    assert_eq!(by_to.conversation_id, conv_id);

    // Org-wide keys must name the identity when sending by `to` (raw: the client would fill it).
    let r = emu.send(&im::build_send_message(&to(ALICE, "x"), None).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 422, "{:?}", r.json());
    // Exactly one of to / conversation_id; text or media needed; at most one media URL.
    for body in [
        json!({ "text": "x" }),
        json!({ "to": ALICE, "conversation_id": conv_id, "text": "x" }),
        json!({ "conversation_id": conv_id }),
        json!({ "conversation_id": conv_id, "media_urls": ["http://a/1", "http://a/2"] }),
        json!({ "conversation_id": conv_id, "text": "x", "send_style": "wobble" }),
        json!({ "to": "5550001111", "text": "x" }),
    ] {
        let r = emu.raw("POST", "/api/v1/imessage/messages", Some(&agent_key), Some(&body.to_string()));
        assert_eq!(r.status, 422, "{body} → {:?}", r.json());
    }

    // Lists: newest first, offset paging, filters; delivered once sent.
    let all = agent.list_imessages(&ListIMessagesParams::default()).unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[0].id, by_to.id);
    assert_eq!(all[1].id, sent.id);
    assert_eq!(all[0].status, Some(IMessageDeliveryStatus::Delivered));
    assert!(all[0].recipients.as_ref().unwrap()[0].delivered_at.is_some());
    assert_eq!(all[5].id, first["id"].as_str().unwrap());
    let page = agent.list_imessages(&ListIMessagesParams { limit: 2, offset: 2, ..Default::default() }).unwrap();
    assert_eq!(page.iter().map(|m| m.id.clone()).collect::<Vec<_>>(), vec![all[2].id.clone(), all[3].id.clone()]);
    let past = agent.list_imessages(&ListIMessagesParams { offset: 6, ..Default::default() }).unwrap();
    assert!(past.is_empty());
    let unread = agent.list_imessages(&ListIMessagesParams { is_read: Some(false), ..Default::default() }).unwrap();
    assert_eq!(unread.len(), 4);
    for q in ["limit=0&offset=0", "limit=201&offset=0", "limit=5&offset=-1", "limit=x", "is_read=maybe"] {
        let r = emu.raw("GET", &format!("/api/v1/imessage/messages?{q}"), Some(&agent_key), None);
        assert_eq!(r.status, 422, "{q}");
    }
    for path in ["/api/v1/imessage/assignments?limit=0", "/api/v1/imessage/conversations?limit=500"] {
        assert_eq!(emu.raw("GET", path, Some(&agent_key), None).status, 422, "{path}");
    }

    // Read state and typing.
    let read = agent.mark_imessage_conversation_read(&conv_id).unwrap();
    assert_eq!((read.conversation_id.as_str(), read.updated_count), (conv_id.as_str(), 4));
    assert_eq!(agent.mark_imessage_conversation_read(&conv_id).unwrap().updated_count, 0);
    let convs = agent.list_imessage_conversations(&ListIMessageConversationsParams::default()).unwrap();
    assert_eq!((convs[0].unread_count, convs[0].total_count), (0, 6));
    assert_eq!(convs[0].latest_direction, Some(IMessageDirection::Outbound));
    let r = emu.send(&im::build_send_typing(&conv_id).unwrap(), &agent_key);
    assert_eq!(r.status, 204);
    assert!(agent.send_imessage_typing(&conv_id).is_ok());
    assert_eq!(status_of(agent.send_imessage_typing("00000000-0000-4000-8000-000000000000")), 404);
    let types = event_types(&emu);
    assert_eq!(types.iter().filter(|t| *t == "typing").count(), 2);
    assert_eq!(types.iter().filter(|t| *t == "read_receipt").count(), 2);

    // Webhook events: 4 received, 2 sent, 2 delivered, shaped per webhooks.md.
    let ev = events(&emu);
    let of = |t: &str| ev.iter().filter(|e| e["type"] == t).cloned().collect::<Vec<_>>();
    assert_eq!((of("imessage.received").len(), of("imessage.sent").len(), of("imessage.delivered").len()), (4, 2, 2));
    let data = &of("imessage.received")[0]["data"];
    assert_eq!(data["message"]["id"], first["id"]);
    assert!(data["message"].get("is_blocked").is_none(), "{data}");
    assert!(data["reaction"].is_null());
    assert_eq!((data["contacts"].clone(), data["agent_identities"].clone()), (json!([]), json!([])));
    assert_eq!(of("imessage.sent")[0]["data"]["message"]["status"], "sent");
    assert_eq!(of("imessage.delivered")[0]["data"]["message"]["status"], "delivered");
    assert_eq!(of("imessage.sent")[0]["agent_identity_id"].as_str(), Some(agent.id()));

    // Unreachable targets of the triage line.
    for (text, from) in [("connect @nobody-here", BOB), ("connect @im-off", BOB), ("hi, who is this?", BOB)] {
        let r = control(&emu, "/_emulator/imessage/inbound", json!({ "from": from, "text": text }));
        assert_eq!(r.status, 404, "{text}: {:?}", r.json());
    }
    let r = control(&emu, "/_emulator/imessage/inbound", json!({ "from": BOB, "to": "@im-agent", "text": "hi" }));
    assert_eq!(r.status, 404);
    for bad in [json!({ "from": "nope", "text": "x" }), json!({ "from": ALICE }), json!({ "text": "x" })] {
        assert_eq!(control(&emu, "/_emulator/imessage/inbound", bad.clone()).status, 422, "{bad}");
    }
    // Email-style Apple IDs can connect too.
    let mail = inbound(&emu, "Dana@Example.com", None, "connect @im-agent");
    assert_eq!(mail["remote_number"], "dana@example.com");

    // Never connected → 404 naming the connect command and the router number.
    let e = admin.imessages().send(&to(BOB, "hello?"), Some(agent.id())).unwrap_err();
    assert_eq!(e.status(), Some(404));
    let r = emu.send(&im::build_send_message(&to(BOB, "x"), Some(agent.id())).unwrap(), &emu.admin_key);
    let detail = r.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("connect @im-agent") && detail.contains(&triage.number), "{detail}");

    // Not iMessage-enabled → 400 (raw: the client refuses before sending).
    let off = admin.get_identity("im-off").unwrap();
    let r = emu.send(&im::build_send_message(&to(ALICE, "x"), Some(off.id())).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 400, "{:?}", r.json());

    // Disconnect: the conversation stays readable, sends → 409, assignments list drops it.
    let r = control(&emu, "/_emulator/imessage/disconnect", json!({ "from": ALICE, "handle": "im-agent" }));
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()[0]["status"], "released");
    assert!(r.json()[0]["released_at"].is_string());
    assert_eq!(control(&emu, "/_emulator/imessage/disconnect", json!({ "from": ALICE })).status, 404);
    assert_eq!(status_of(agent.send_imessage(&reply(&conv_id, "still there?"))), 409);
    assert_eq!(status_of(admin.imessages().send(&to(ALICE, "x"), Some(agent.id()))), 409);
    assert_eq!(status_of(agent.send_imessage_typing(&conv_id)), 409);
    let got = agent.get_imessage_conversation(&conv_id).unwrap();
    assert_eq!(got.assignment_status, IMessageAssignmentStatus::Released);
    let left = agent.list_imessage_assignments(50, 0).unwrap();
    assert_eq!(left.iter().map(|a| a.remote_number.as_str()).collect::<Vec<_>>(), vec!["dana@example.com"]);
    let r = control(&emu, "/_emulator/imessage/inbound", json!({ "from": ALICE, "to": "im-agent", "text": "hi" }));
    assert_eq!(r.status, 409);
    assert_eq!(agent.list_imessages(&ListIMessagesParams::default()).unwrap().len(), 7);

    // Reconnecting makes a new assignment and conversation.
    let again = inbound(&emu, ALICE, None, "connect @im-agent");
    assert_ne!(again["conversation_id"].as_str(), Some(conv_id.as_str()));
    let ok = admin.imessages().send(&to(ALICE, "welcome back"), Some(agent.id())).unwrap();
    assert_eq!(ok.conversation_id, again["conversation_id"].as_str().unwrap());
    let convs = agent.list_imessage_conversations(&ListIMessageConversationsParams::default()).unwrap();
    assert_eq!(convs.len(), 3);
    assert_eq!(convs[0].id, ok.conversation_id);
    let released = convs.iter().find(|c| c.id == conv_id).unwrap();
    assert_eq!(released.assignment_status, IMessageAssignmentStatus::Released);

    // Identity deletion releases its assignments.
    let r = emu.raw("DELETE", "/api/v1/identities/im-agent", Some(&emu.admin_key), None);
    assert!(r.status == 200 || r.status == 204, "{}", r.status);
    let p = ListIMessageAssignmentsParams::default();
    assert!(admin.imessages().list_assignments(&p).unwrap().is_empty());
}

#[test]
fn triage_line_control() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    create(&admin, "tri-a", true);
    create(&admin, "tri-b", true);
    let t = admin.imessages().get_triage_number().unwrap();
    assert_eq!(t.connect_command, "connect @<handle>");

    let r = control(&emu, "/_emulator/imessage/triage", json!({ "number": "+14155550199" }));
    assert_eq!((r.status, r.json()["number"].as_str()), (200, Some("+14155550199")));
    assert_eq!(admin.imessages().get_triage_number().unwrap().number, "+14155550199");
    // The old number is no longer the router: a text to it is a handle lookup that fails.
    let old = control(
        &emu,
        "/_emulator/imessage/inbound",
        json!({ "from": ALICE, "to": t.number, "text": "connect @tri-a" }),
    );
    assert_eq!(old.status, 404);
    inbound(&emu, ALICE, Some("+14155550199"), "connect @tri-a");

    assert_eq!(control(&emu, "/_emulator/imessage/triage", json!({ "active": false })).status, 200);
    assert_eq!(status_of(admin.imessages().get_triage_number()), 404);
    let r = control(&emu, "/_emulator/imessage/inbound", json!({ "from": BOB, "text": "connect @tri-a" }));
    assert_eq!(r.status, 404);
    assert_eq!(control(&emu, "/_emulator/imessage/triage", json!({ "active": "no" })).status, 422);
    assert_eq!(control(&emu, "/_emulator/imessage/triage", json!({ "number": "12" })).status, 422);
    assert_eq!(control(&emu, "/_emulator/imessage/triage", json!({ "active": true })).status, 200);
    assert!(admin.imessages().get_triage_number().is_ok());
    // Control routes need the admin key and the right method.
    assert_eq!(emu.raw("GET", "/_emulator/imessage/inbound", Some(&emu.admin_key), None).status, 405);
    assert_eq!(emu.raw("GET", "/_emulator/imessage/events", None, None).status, 401);
}

#[test]
fn tapbacks() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let agent = create(&admin, "tap-agent", true);
    let agent_key = scoped_key(&admin, agent.id());
    let m = inbound(&emu, ALICE, None, "connect @tap-agent");
    let mid = m["id"].as_str().unwrap().to_owned();

    for kind in ["love", "like", "dislike", "laugh", "emphasize", "question"] {
        let input = SendIMessageReactionRequest::new(&mid, IMessageReactionType::from_wire(kind));
        let r = agent.send_imessage_reaction(&input).unwrap();
        assert_eq!((r.reaction.as_str(), r.direction.clone()), (kind, IMessageDirection::Outbound));
        assert_eq!((r.target_message_id.as_str(), r.remote_number.as_str(), r.part_index), (mid.as_str(), ALICE, 0));
    }
    // One live tapback per sender and part: the last one replaced the others.
    let input = SendIMessageReactionRequest {
        part_index: 1,
        ..SendIMessageReactionRequest::new(&mid, IMessageReactionType::Like)
    };
    agent.send_imessage_reaction(&input).unwrap();
    let msgs = agent.list_imessages(&ListIMessagesParams::default()).unwrap();
    let rx = msgs[0].reactions.clone().unwrap();
    assert_eq!(
        rx.iter().map(|r| (r.reaction.as_str(), r.part_index)).collect::<Vec<_>>(),
        vec![("question", 0), ("like", 1)]
    );

    // custom and unknown kinds → 422 (raw: the client refuses custom itself).
    for kind in ["custom", "eyes"] {
        let body = json!({ "message_id": mid, "reaction": kind, "part_index": 0 });
        let r = emu.raw("POST", "/api/v1/imessage/reactions", Some(&agent_key), Some(&body.to_string()));
        assert_eq!(r.status, 422, "{kind}");
    }
    let body = json!({ "message_id": mid, "reaction": "like", "part_index": -1 });
    assert_eq!(emu.raw("POST", "/api/v1/imessage/reactions", Some(&agent_key), Some(&body.to_string())).status, 422);
    let missing = SendIMessageReactionRequest::new("00000000-0000-4000-8000-000000000000", IMessageReactionType::Love);
    assert_eq!(status_of(agent.send_imessage_reaction(&missing)), 404);

    // Inbound tapbacks, custom ones included, on the agent's reply.
    let sent = agent.send_imessage(&reply(m["conversation_id"].as_str().unwrap(), "Here you go")).unwrap();
    let body = json!({ "message_id": sent.id, "reaction": "custom", "custom_emoji": "🔥" });
    let r = control(&emu, "/_emulator/imessage/reactions", body);
    assert_eq!(r.status, 201, "{:?}", r.json());
    assert_eq!((r.json()["direction"].as_str(), r.json()["custom_emoji"].as_str()), (Some("inbound"), Some("🔥")));
    let r = control(
        &emu,
        "/_emulator/imessage/reactions",
        json!({ "message_id": sent.id, "reaction": "laugh", "from": ALICE }),
    );
    assert_eq!(r.status, 201);
    let msgs = agent.list_imessages(&ListIMessagesParams::default()).unwrap();
    let rx = msgs[0].reactions.clone().unwrap();
    assert_eq!(rx.len(), 1, "the laugh replaced the custom tapback: {rx:?}");
    assert_eq!(
        (rx[0].reaction.clone(), rx[0].direction.clone()),
        (IMessageReactionType::Laugh, IMessageDirection::Inbound)
    );
    let ev: Vec<Value> = events(&emu).into_iter().filter(|e| e["type"] == "imessage.reaction_received").collect();
    assert_eq!(ev.len(), 2);
    assert!(ev[0]["data"]["message"].is_null());
    assert_eq!(ev[0]["data"]["reaction"]["custom_emoji"], "🔥");
    assert_eq!(ev[0]["data"]["reaction"]["target_message_id"].as_str(), Some(sent.id.as_str()));

    for bad in [
        json!({ "message_id": sent.id, "reaction": "custom" }),
        json!({ "message_id": sent.id, "reaction": "like", "custom_emoji": "🔥" }),
        json!({ "message_id": sent.id, "reaction": "eyes" }),
        json!({ "message_id": sent.id, "reaction": "like", "from": BOB }),
        json!({ "reaction": "like" }),
    ] {
        assert_eq!(control(&emu, "/_emulator/imessage/reactions", bad.clone()).status, 422, "{bad}");
    }
    let r = control(&emu, "/_emulator/imessage/reactions", json!({ "message_id": "nope", "reaction": "like" }));
    assert_eq!(r.status, 404);
}

#[test]
fn media_upload_serving_and_send() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let agent = create(&admin, "media-agent", true);
    let agent_key = scoped_key(&admin, agent.id());
    let m = inbound(&emu, ALICE, None, "connect @media-agent");
    let conv = m["conversation_id"].as_str().unwrap().to_owned();

    let png: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let up = agent.upload_imessage_media(&png, "chart.png", Some("image/png")).unwrap();
    assert!(up.media_url.starts_with(&format!("{}/_emulator/imessage/media/", emu.url)), "{}", up.media_url);
    assert_eq!((up.content_type.as_deref(), up.size), (Some("image/png"), Some(3000)));
    let path = up.media_url.strip_prefix(&emu.url).unwrap();
    let r = emu.raw("GET", path, None, None);
    assert_eq!((r.status, r.header("content-type")), (200, Some("image/png")));
    assert_eq!(r.body, png);
    assert_eq!(emu.raw("GET", "/_emulator/imessage/media/nope", None, None).status, 404);
    assert_eq!(emu.raw("POST", path, None, None).status, 405);

    let plain = admin.imessages().upload_media(b"abc", "a.bin", None).unwrap();
    assert_eq!((plain.content_type.as_deref(), plain.size), (Some("application/octet-stream"), Some(3)));

    let sent = agent
        .send_imessage(&SendIMessageRequest {
            conversation_id: Some(conv.clone()),
            media_urls: Some(vec![up.media_url.clone()]),
            ..Default::default()
        })
        .unwrap();
    let media = sent.media.unwrap();
    assert_eq!((media[0].url.as_str(), media[0].size), (up.media_url.as_str(), Some(3000)));
    assert_eq!(media[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(sent.content, None);
    let convs = agent.list_imessage_conversations(&ListIMessageConversationsParams::default()).unwrap();
    assert!(convs[0].latest_has_media);
    // Outside URLs are passed through without type or size; inbound media too.
    let r = control(
        &emu,
        "/_emulator/imessage/inbound",
        json!({ "from": ALICE, "to": "media-agent", "media_urls": ["https://example.com/cat.jpg"] }),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json()["media"],
        json!([{ "url": "https://example.com/cat.jpg", "content_type": null, "size": null }])
    );

    // Not multipart / no `file` part → 422; over 10 MiB → 413 (raw: the client refuses both).
    let r = emu.raw("POST", "/api/v1/imessage/media", Some(&agent_key), Some("{}"));
    assert_eq!(r.status, 422);
    let other = "--b1\r\nContent-Disposition: form-data; name=\"other\"; filename=\"x\"\r\n\r\nabc\r\n--b1--\r\n";
    assert_eq!(emu.raw("POST", "/api/v1/imessage/media", Some(&agent_key), Some(other)).status, 422);
    let big = vec![b'a'; im::MAX_MEDIA_BYTES + 1];
    let mut body = b"--bb\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n".to_vec();
    body.extend_from_slice(&big);
    body.extend_from_slice(b"\r\n--bb--\r\n");
    let r = emu.raw("POST", "/api/v1/imessage/media", Some(&agent_key), Some(std::str::from_utf8(&body).unwrap()));
    assert_eq!(r.status, 413);
}

#[test]
fn send_cap_is_100_per_identity_per_rolling_24h() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let agent = create(&admin, "cap-agent", true);
    let other = create(&admin, "cap-other", true);
    let conv = inbound(&emu, ALICE, None, "connect @cap-agent")["conversation_id"].as_str().unwrap().to_owned();
    let other_conv = inbound(&emu, ALICE, None, "connect @cap-other")["conversation_id"].as_str().unwrap().to_owned();
    let send = |c: &str| emu.send(&im::build_send_message(&reply(c, "tick"), None).unwrap(), &emu.admin_key);

    for _ in 0..50 {
        assert_eq!(send(&conv).status, 200);
    }
    advance(&emu, 12 * 3600);
    for _ in 0..50 {
        assert_eq!(send(&conv).status, 200);
    }
    let r = send(&conv);
    assert_eq!(r.status, 429, "{:?}", r.json());
    assert!(r.json()["detail"].as_str().unwrap().contains("100"));
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((12 * 3600 - 5..=12 * 3600).contains(&retry), "{retry}");
    // The cap is per identity.
    assert_eq!(send(&other_conv).status, 200);
    assert_eq!(status_of(agent.send_imessage(&reply(&conv, "x"))), 429);
    // Tapbacks are not sends.
    let last = agent.list_imessages(&ListIMessagesParams { limit: 1, ..Default::default() }).unwrap();
    assert!(
        agent
            .send_imessage_reaction(&SendIMessageReactionRequest::new(&last[0].id, IMessageReactionType::Like))
            .is_ok()
    );

    // 12 h later the first 50 have left the window: 50 more, then 429 again.
    advance(&emu, 12 * 3600 + 1);
    for _ in 0..50 {
        assert_eq!(send(&conv).status, 200);
    }
    assert_eq!(send(&conv).status, 429);
    let _ = other;
}

#[test]
fn contact_rules_crud() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let agent = create(&admin, "rules-agent", true);
    let peer = create(&admin, "rules-peer", true);
    let agent_key = scoped_key(&admin, agent.id());
    let as_agent = client(&emu, &agent_key);
    let rules = admin.imessage_contact_rules();

    let block = rules.create("@Rules-Agent", &CreateIMessageContactRuleRequest::new(RuleAction::Block, BOB)).unwrap();
    assert_eq!((block.status.clone(), block.match_target.as_str()), (IMessageRuleStatus::Active, BOB));
    assert_eq!(block.agent_identity_id, agent.id());
    // The identity's own key may create rules for itself.
    let allow = as_agent
        .imessage_contact_rules()
        .create("rules-agent", &CreateIMessageContactRuleRequest::new(RuleAction::Allow, CAROL))
        .unwrap();
    // …but not for another identity.
    let e = as_agent
        .imessage_contact_rules()
        .create("rules-peer", &CreateIMessageContactRuleRequest::new(RuleAction::Allow, CAROL))
        .unwrap_err();
    assert!(matches!(e.status(), Some(403 | 404)), "{e:?}");

    // Duplicate (match_type, match_target) → 409 with existing_rule_id, whatever the action.
    let e = rules.create("rules-agent", &CreateIMessageContactRuleRequest::new(RuleAction::Allow, BOB)).unwrap_err();
    match &e.as_status().unwrap().kind {
        ErrorKind::DuplicateContactRule { existing_rule_id } => assert_eq!(existing_rule_id, &block.id),
        other => panic!("{other:?}"),
    }
    let body = json!({ "action": "block", "match_type": "exact_number", "match_target": BOB }).to_string();
    let r = emu.raw("POST", "/api/v1/imessage/identities/rules-agent/contact-rules", Some(&emu.admin_key), Some(&body));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["detail"]["existing_rule_id"].as_str(), Some(block.id.as_str()));
    assert!(r.json()["detail"]["message"].is_string());
    // The same number on another identity is fine.
    rules.create("rules-peer", &CreateIMessageContactRuleRequest::new(RuleAction::Block, BOB)).unwrap();
    for bad in [
        json!({ "action": "block", "match_type": "exact_number", "match_target": "5550001111" }),
        json!({ "action": "mute", "match_type": "exact_number", "match_target": ALICE }),
        json!({ "action": "block", "match_type": "prefix", "match_target": ALICE }),
        json!({ "match_target": ALICE }),
    ] {
        let r = emu.raw(
            "POST",
            "/api/v1/imessage/identities/rules-agent/contact-rules",
            Some(&emu.admin_key),
            Some(&bad.to_string()),
        );
        assert_eq!(r.status, 422, "{bad}");
    }
    let r = emu.raw("POST", "/api/v1/imessage/identities/nobody-x/contact-rules", Some(&emu.admin_key), Some(&body));
    assert_eq!(r.status, 404);

    // List / get with filters and paging.
    let all = rules.list("rules-agent", &ListIMessageContactRulesParams::default()).unwrap();
    assert_eq!(all.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), vec![block.id.clone(), allow.id.clone()]);
    let p = ListIMessageContactRulesParams { action: Some(RuleAction::Allow), ..Default::default() };
    assert_eq!(rules.list("rules-agent", &p).unwrap().len(), 1);
    let p = ListIMessageContactRulesParams { limit: Some(1), offset: Some(1), ..Default::default() };
    assert_eq!(rules.list("rules-agent", &p).unwrap()[0].id, allow.id);
    assert_eq!(as_agent.imessage_contact_rules().get("rules-agent", &block.id).unwrap(), block);
    assert_eq!(status_of(rules.get("rules-agent", "00000000-0000-4000-8000-000000000000")), 404);
    assert_eq!(status_of(rules.get("rules-peer", &block.id)), 404);
    for q in ["action=mute", "match_type=prefix", "limit=0", "offset=x"] {
        let r = emu.raw(
            "GET",
            &format!("/api/v1/imessage/identities/rules-agent/contact-rules?{q}"),
            Some(&emu.admin_key),
            None,
        );
        assert_eq!(r.status, 422, "{q}");
    }

    // Update and delete are admin-only.
    let pause = UpdateIMessageContactRuleRequest { action: None, status: Some(IMessageRuleStatus::Paused) };
    assert_eq!(status_of(as_agent.imessage_contact_rules().update("rules-agent", &block.id, &pause)), 403);
    let paused = rules.update("rules-agent", &block.id, &pause).unwrap();
    assert_eq!((paused.status, paused.action.clone()), (IMessageRuleStatus::Paused, RuleAction::Block));
    let flip = UpdateIMessageContactRuleRequest { action: Some(RuleAction::Allow), status: None };
    assert_eq!(rules.update("rules-agent", &block.id, &flip).unwrap().action, RuleAction::Allow);
    let body = json!({ "status": "archived" }).to_string();
    let path = format!("/api/v1/imessage/identities/rules-agent/contact-rules/{}", block.id);
    assert_eq!(emu.raw("PATCH", &path, Some(&emu.admin_key), Some(&body)).status, 422);
    assert_eq!(status_of(as_agent.imessage_contact_rules().delete("rules-agent", &block.id)), 403);
    rules.delete("rules-agent", &block.id).unwrap();
    assert_eq!(status_of(rules.delete("rules-agent", &block.id)), 404);
    // Deleted rules no longer count as duplicates.
    rules.create("rules-agent", &CreateIMessageContactRuleRequest::new(RuleAction::Block, BOB)).unwrap();

    // Org-wide list (admin-only).
    let org = rules.list_org(&ListOrgIMessageContactRulesParams::default()).unwrap();
    assert_eq!(org.len(), 3);
    let p = ListOrgIMessageContactRulesParams { agent_identity_id: Some(peer.id().into()), ..Default::default() };
    assert_eq!(rules.list_org(&p).unwrap().len(), 1);
    let p = ListOrgIMessageContactRulesParams { action: Some(RuleAction::Allow), ..Default::default() };
    assert_eq!(rules.list_org(&p).unwrap().len(), 1);
    assert_eq!(
        status_of(as_agent.imessage_contact_rules().list_org(&ListOrgIMessageContactRulesParams::default())),
        403
    );
}

#[test]
fn contact_rules_filter_traffic() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let mut agent = create(&admin, "filter-agent", true);
    let agent_key = scoped_key(&admin, agent.id());
    // The identity as its own key sees it (blocked rows hidden).
    let own = client(&emu, &agent_key).get_identity("filter-agent").unwrap();
    let rules = admin.imessage_contact_rules();

    // Blacklist (default): an active block rule stops the human's traffic.
    let block = rules.create("filter-agent", &CreateIMessageContactRuleRequest::new(RuleAction::Block, BOB)).unwrap();
    let before = events(&emu).len();
    let m = inbound(&emu, BOB, None, "connect @filter-agent");
    assert_eq!(m["is_blocked"], true);
    let conv = m["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(events(&emu).len(), before, "blocked traffic raises no webhook");
    // Identity keys never see blocked rows; admin keys filter with is_blocked.
    assert!(own.list_imessages(&ListIMessagesParams::default()).unwrap().is_empty());
    assert_eq!(agent.list_imessages(&ListIMessagesParams::default()).unwrap().len(), 1, "admin view");
    let r = emu.send(
        &im::build_list_messages(&ListIMessagesParams { is_blocked: Some(true), ..Default::default() }).unwrap(),
        &agent_key,
    );
    assert_eq!(r.json(), json!([]));
    assert!(own.list_imessage_conversations(&ListIMessageConversationsParams::default()).unwrap().is_empty());
    assert_eq!(status_of(own.get_imessage_conversation(&conv)), 404);
    let admin_blocked =
        admin.imessages().list(&ListIMessagesParams { is_blocked: Some(true), ..Default::default() }).unwrap();
    assert_eq!(admin_blocked.len(), 1);
    assert!(admin_blocked[0].is_blocked);
    let p = ListIMessageConversationsParams { is_blocked: Some(false), ..Default::default() };
    assert!(admin.imessages().list_conversations(&p).unwrap().is_empty());
    let p = ListIMessageConversationsParams { is_blocked: Some(true), ..Default::default() };
    assert_eq!(admin.imessages().list_conversations(&p).unwrap().len(), 1);

    // Sending to a blocked human → 403 recipient_blocked naming the rule.
    let e = admin.imessages().send(&to(BOB, "hi"), Some(agent.id())).unwrap_err();
    match &e.as_status().unwrap().kind {
        ErrorKind::RecipientBlocked { matched_rule_id, .. } => {
            assert_eq!(matched_rule_id.as_deref(), Some(block.id.as_str()))
        }
        other => panic!("{other:?}"),
    }
    let r = emu.send(&im::build_send_message(&to(BOB, "hi"), Some(agent.id())).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 403);
    assert_eq!(
        (r.json()["detail"]["error"].as_str(), r.json()["detail"]["address"].as_str()),
        (Some("recipient_blocked"), Some(BOB))
    );
    // A blocked human's tapbacks are kept from the identity and raise nothing.
    let r = control(&emu, "/_emulator/imessage/reactions", json!({ "message_id": m["id"], "reaction": "love" }));
    assert_eq!(r.status, 201);
    assert_eq!(events(&emu).len(), before);
    let admin_view = admin.imessages().list(&ListIMessagesParams::default()).unwrap();
    assert_eq!(admin_view[0].reactions.as_ref().unwrap().len(), 1);

    // Paused rule: not blocked any more, but the human has not messaged (unblocked) first → 409.
    let pause = UpdateIMessageContactRuleRequest { action: None, status: Some(IMessageRuleStatus::Paused) };
    rules.update("filter-agent", &block.id, &pause).unwrap();
    assert_eq!(status_of(admin.imessages().send(&to(BOB, "hi"), Some(agent.id()))), 409);
    let m2 = inbound(&emu, BOB, Some("filter-agent"), "hello?");
    assert_eq!(m2["is_blocked"], false);
    assert_eq!(event_types(&emu).last().map(String::as_str), Some("imessage.received"));
    own.send_imessage(&to(BOB, "hi Bob")).unwrap();
    let visible = own.list_imessages(&ListIMessagesParams::default()).unwrap();
    assert_eq!(visible.len(), 2, "the blocked connect stays hidden");
    // Mark-read leaves blocked rows alone.
    assert_eq!(own.mark_imessage_conversation_read(&conv).unwrap().updated_count, 1);

    // Whitelist: only active allow rules get through (blocked by the default → matched_rule_id null).
    let wl = UpdateIdentityRequest { imessage_filter_mode: Some(FilterMode::Whitelist), ..Default::default() };
    agent.update(&wl).unwrap();
    let m3 = inbound(&emu, CAROL, None, "connect @filter-agent");
    assert_eq!(m3["is_blocked"], true);
    let e = admin.imessages().send(&to(CAROL, "hi"), Some(agent.id())).unwrap_err();
    assert!(matches!(&e.as_status().unwrap().kind, ErrorKind::RecipientBlocked { matched_rule_id: None, .. }), "{e:?}");
    rules.create("filter-agent", &CreateIMessageContactRuleRequest::new(RuleAction::Allow, CAROL)).unwrap();
    let m4 = inbound(&emu, CAROL, None, "sorry, me again");
    assert_eq!(m4["is_blocked"], false);
    assert!(agent.send_imessage(&to(CAROL, "welcome")).is_ok());
    // Bob has no allow rule (his block rule is paused) → blocked under whitelist.
    assert_eq!(inbound(&emu, BOB, None, "still here")["is_blocked"], true);
    assert_eq!(status_of(agent.send_imessage(&to(BOB, "x"))), 403);
}

#[test]
fn webhook_events_follow_identity_state_and_delivery_outcomes() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let mut agent = create(&admin, "hook-agent", true);
    let m = inbound(&emu, ALICE, None, "connect @hook-agent");
    let conv = m["conversation_id"].as_str().unwrap().to_owned();
    let count = |t: &str| event_types(&emu).iter().filter(|e| *e == t).count();
    assert_eq!(count("imessage.received"), 1);

    // Paused identity: traffic is stored, no events.
    agent.update(&UpdateIdentityRequest { status: Some(IdentityStatus::Paused), ..Default::default() }).unwrap();
    inbound(&emu, ALICE, Some("hook-agent"), "anyone?");
    let sent = agent.send_imessage(&reply(&conv, "paused reply")).unwrap();
    assert_eq!((count("imessage.received"), count("imessage.sent")), (1, 0));
    agent.update(&UpdateIdentityRequest { status: Some(IdentityStatus::Active), ..Default::default() }).unwrap();

    // Delivery outcomes set through the control API.
    let r = control(
        &emu,
        "/_emulator/imessage/delivery",
        json!({ "message_id": sent.id, "status": "error", "error_code": "E42" }),
    );
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!((r.json()["status"].as_str(), r.json()["error_code"].as_str()), (Some("error"), Some("E42")));
    assert!(r.json()["recipients"][0]["failed_at"].is_string());
    assert_eq!(count("imessage.delivery_failed"), 1);
    let r = control(&emu, "/_emulator/imessage/delivery", json!({ "message_id": sent.id, "status": "declined" }));
    assert_eq!(r.json()["status"], "declined");
    assert_eq!(count("imessage.delivery_failed"), 2);
    let r = control(&emu, "/_emulator/imessage/delivery", json!({ "message_id": sent.id, "status": "delivered" }));
    assert_eq!((r.json()["status"].as_str(), r.json()["error_code"].clone()), (Some("delivered"), Value::Null));
    assert_eq!(count("imessage.delivered"), 1);
    let r = control(&emu, "/_emulator/imessage/delivery", json!({ "message_id": m["id"], "status": "delivered" }));
    assert_eq!(r.status, 404, "inbound rows have no delivery outcome");
    let r = control(&emu, "/_emulator/imessage/delivery", json!({ "message_id": sent.id, "status": "lost" }));
    assert_eq!(r.status, 422);

    // iMessage disabled: still stored, no events; sends refused with 400.
    agent.update(&UpdateIdentityRequest { imessage_enabled: Some(false), ..Default::default() }).unwrap();
    inbound(&emu, ALICE, Some("hook-agent"), "hello?");
    assert_eq!(count("imessage.received"), 1);
    let r = emu.send(&im::build_send_message(&reply(&conv, "x"), None).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 400);
    let r = emu.send(&im::build_mark_read(&conv).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 400);
    // …and nobody can connect to it any more.
    let r = control(&emu, "/_emulator/imessage/inbound", json!({ "from": BOB, "text": "connect @hook-agent" }));
    assert_eq!(r.status, 404);
}

#[test]
fn identity_keys_see_only_their_identity() {
    let emu = Emulator::start();
    let admin = client(&emu, &emu.admin_key);
    let a = create(&admin, "scope-a", true);
    let b = create(&admin, "scope-b", true);
    let key_a = scoped_key(&admin, a.id());
    let as_a = client(&emu, &key_a);
    let conv_a = inbound(&emu, ALICE, None, "connect @scope-a")["conversation_id"].as_str().unwrap().to_owned();
    let mb = inbound(&emu, BOB, None, "connect @scope-b");
    let conv_b = mb["conversation_id"].as_str().unwrap().to_owned();

    // agent_identity_id is ignored for identity keys: their own identity wins.
    let p = ListIMessagesParams { agent_identity_id: Some(b.id().into()), ..Default::default() };
    let mine = as_a.imessages().list(&p).unwrap();
    assert_eq!(mine.iter().map(|m| m.conversation_id.as_str()).collect::<Vec<_>>(), vec![conv_a.as_str()]);
    let p = ListIMessageAssignmentsParams { agent_identity_id: Some(b.id().into()), ..Default::default() };
    assert_eq!(as_a.imessages().list_assignments(&p).unwrap()[0].agent_identity_id, a.id());
    assert_eq!(status_of(as_a.imessages().get_conversation(&conv_b, None)), 404);
    assert_eq!(status_of(as_a.imessages().send(&reply(&conv_b, "x"), None)), 404);
    assert_eq!(status_of(as_a.imessages().send(&to(BOB, "x"), None)), 404);
    assert_eq!(status_of(as_a.imessages().mark_read(&conv_b)), 404);
    let rx = SendIMessageReactionRequest::new(mb["id"].as_str().unwrap(), IMessageReactionType::Like);
    assert_eq!(status_of(as_a.imessages().send_reaction(&rx)), 404);
    // Admin keys see the org and may narrow by identity.
    assert_eq!(admin.imessages().list(&ListIMessagesParams::default()).unwrap().len(), 2);
    let p = ListIMessageConversationsParams { agent_identity_id: Some(b.id().into()), ..Default::default() };
    let convs = admin.imessages().list_conversations(&p).unwrap();
    assert_eq!(convs.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec![conv_b.as_str()]);
    // An identity key sending by `to` needs no agent_identity_id.
    assert!(as_a.imessages().send(&to(ALICE, "hi"), None).is_ok());
}

#[test]
fn state_survives_a_restart_with_data() {
    let dir = TempDir::new("imessage");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let admin = client(&emu, &emu.admin_key);
    let agent = create(&admin, "keep-agent", true);
    let agent_id = agent.id().to_owned();
    let m = inbound(&emu, ALICE, None, "connect @keep-agent");
    let conv = m["conversation_id"].as_str().unwrap().to_owned();
    let sent = agent.send_imessage(&reply(&conv, "persisted")).unwrap();
    agent
        .send_imessage_reaction(&SendIMessageReactionRequest::new(
            m["id"].as_str().unwrap(),
            IMessageReactionType::Love,
        ))
        .unwrap();
    let rule = admin
        .imessage_contact_rules()
        .create("keep-agent", &CreateIMessageContactRuleRequest::new(RuleAction::Block, BOB))
        .unwrap();
    let up = agent.upload_imessage_media(b"bytes!", "f.txt", Some("text/plain")).unwrap();
    control(&emu, "/_emulator/imessage/triage", json!({ "number": "+14155550142" }));
    for _ in 0..98 {
        assert_eq!(emu.send(&im::build_send_message(&reply(&conv, "n"), None).unwrap(), &emu.admin_key).status, 200);
    }
    let before = admin.imessages().list(&ListIMessagesParams { limit: 200, ..Default::default() }).unwrap();
    let events_before = events(&emu);
    assert!(emu.terminate().success());

    let emu = Emulator::start_with_data(&db);
    let admin = client(&emu, &emu.admin_key);
    let agent = admin.get_identity("keep-agent").unwrap();
    assert_eq!(agent.id(), agent_id);
    let after = admin.imessages().list(&ListIMessagesParams { limit: 200, ..Default::default() }).unwrap();
    assert_eq!(after, before);
    assert!(after.iter().any(|m| m.id == sent.id));
    let first = after.iter().find(|x| x.id == m["id"].as_str().unwrap()).unwrap();
    assert_eq!(first.reactions.as_ref().unwrap()[0].reaction, IMessageReactionType::Love);
    assert_eq!(agent.list_imessage_assignments(50, 0).unwrap().len(), 1);
    assert_eq!(admin.imessage_contact_rules().get("keep-agent", &rule.id).unwrap(), rule);
    assert_eq!(admin.imessages().get_triage_number().unwrap().number, "+14155550142");
    assert_eq!(events(&emu), events_before);
    let path = &up.media_url[up.media_url.find("/_emulator/").unwrap()..];
    let r = emu.raw("GET", path, None, None);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"bytes!"[..]));
    // 99 sends persisted: one more fits, the next hits the cap.
    assert!(agent.send_imessage(&reply(&conv, "100th")).is_ok());
    assert_eq!(status_of(agent.send_imessage(&reply(&conv, "101st"))), 429);
    assert!(emu.terminate().success());
}
