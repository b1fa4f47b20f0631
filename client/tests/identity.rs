//! The identity helpers: which wire calls they make with the cached ids, the
//! follow-up fetches, and the client-side guards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use inkbox_client::api::identities::UpdateIdentityRequest;
use inkbox_client::api::imessage::{
    IMessageReactionType, ListIMessagesParams, SendIMessageReactionRequest, SendIMessageRequest,
};
use inkbox_client::api::mail::{MessageDirection, Recipients, SendEmailRequest};
use inkbox_client::api::texts::{ListTextConversationsParams, SendTextRequest};
use inkbox_client::api::{ApiError, Method, Patch};
use inkbox_client::{ErrorCode, Identity};
use serde_json::json;

fn identity_with(phone: bool, imessage: bool) -> (Harness, Identity) {
    let h = harness();
    h.transport.push_json(200, identity("sales-bot", phone, imessage));
    let identity = h.client.get_identity("@Sales-Bot").unwrap();
    assert_eq!(h.transport.only().url, url("/api/v1/identities/sales-bot"));
    (h, identity)
}

/// Requests sent after the initial identity fetch.
fn sent_after_get(h: &Harness) -> Vec<inkbox_client::api::PreparedRequest> {
    h.transport.requests().into_iter().skip(1).collect()
}

fn email() -> SendEmailRequest {
    SendEmailRequest {
        recipients: Recipients { to: vec!["customer@example.com".into()], ..Default::default() },
        subject: "Your order has shipped".into(),
        body_text: Some("Tracking number: 1Z999AA10123456784".into()),
        ..Default::default()
    }
}

#[test]
fn mail_helpers_use_the_identity_mailbox() {
    let (h, identity) = identity_with(false, false);
    h.transport.push_json(200, message("msg-9", true));
    identity.send_email(&email()).unwrap();
    // Cursor pages: the unread filter is client-side.
    h.transport.push_json(200, page(vec![message("m1", true), message("m2", false)], Some("c1")));
    h.transport.push_json(200, page(vec![message("m3", false)], None));
    let unread: Vec<String> = identity.iter_unread_emails().unwrap().map(|m| m.unwrap().id).collect();
    assert_eq!(unread, ["m2", "m3"]);
    h.transport.push_json(200, message("m2", true));
    h.transport.push_json(200, message("m3", true));
    identity.mark_emails_read(["m2", "m3"]).unwrap();
    h.transport.push_json(200, thread("th1"));
    identity.get_thread("th1").unwrap();

    let sent = sent_after_get(&h);
    let base = "/api/v1/mail/mailboxes/sales-bot@inkboxmail.com";
    let got: Vec<(Method, String)> = sent.iter().map(|r| (r.method, r.url.clone())).collect();
    assert_eq!(
        got,
        [
            (Method::Post, url(&format!("{base}/messages"))),
            (Method::Get, url(&format!("{base}/messages?limit=50"))),
            (Method::Get, url(&format!("{base}/messages?limit=50&cursor=c1"))),
            (Method::Patch, url(&format!("{base}/messages/m2"))),
            (Method::Patch, url(&format!("{base}/messages/m3"))),
            (Method::Get, url(&format!("{base}/threads/th1"))),
        ]
    );
    assert_eq!(body_json(&sent[0])["subject"], "Your order has shipped");
    assert_eq!(body_json(&sent[3]), json!({"is_read": true}));

    h.transport.push_json(200, page(vec![], None));
    assert_eq!(identity.iter_emails(Some(MessageDirection::Inbound)).unwrap().count(), 0);
    assert_eq!(h.transport.requests().last().unwrap().url, url(&format!("{base}/messages?limit=50&direction=inbound")));
}

#[test]
fn phone_and_text_helpers_use_the_identity_number() {
    let (h, identity) = identity_with(true, false);
    let mut placed = call("call-1");
    placed["rate_limit"] = json!({"calls_used": 1, "calls_remaining": 9, "calls_limit": 10, "minutes_used": 0.0,
                                  "minutes_remaining": 60.0, "minutes_limit": 60});
    h.transport.push_json(200, placed);
    let c = identity.place_call("+18005559999", Some("wss://my-app.com/voice")).unwrap();
    assert_eq!(c.rate_limit.calls_remaining, 9);
    h.transport.push_json(200, json!([call("call-1")]));
    identity.list_calls(10, 0).unwrap();
    h.transport.push_json(200, json!([transcript(0, "remote", "hi")]));
    identity.list_transcripts("call-1").unwrap();
    h.transport.push_json(200, text("t-1"));
    let sent_text = identity
        .send_text(&SendTextRequest {
            to: Some("+15557654321".into()),
            text: Some("Hello from Inkbox".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(sent_text.id, "t-1");
    h.transport.push_json(200, json!([]));
    identity
        .list_text_conversations(&ListTextConversationsParams { limit: 20, include_groups: true, ..Default::default() })
        .unwrap();
    h.transport.push_json(200, text("t-1"));
    identity.mark_text_read("t-1").unwrap();
    h.transport.push_json(200, json!({"remote_phone_number": "+15557654321", "is_read": true, "updated_count": 1}));
    identity.mark_text_conversation_read("+15557654321").unwrap();

    let sent = sent_after_get(&h);
    let n = format!("/api/v1/phone/numbers/{NUMBER_ID}");
    let got: Vec<(Method, String)> = sent.iter().map(|r| (r.method, r.url.clone())).collect();
    assert_eq!(
        got,
        [
            (Method::Post, url("/api/v1/phone/place-call")),
            (Method::Get, url(&format!("{n}/calls?limit=10&offset=0"))),
            (Method::Get, url(&format!("{n}/calls/call-1/transcripts"))),
            (Method::Post, url(&format!("{n}/texts"))),
            (Method::Get, url(&format!("{n}/texts/conversations?limit=20&offset=0&include_groups=true"))),
            (Method::Patch, url(&format!("{n}/texts/t-1"))),
            (Method::Patch, url(&format!("{n}/texts/conversations/+15557654321"))),
        ]
    );
    assert_eq!(
        body_json(&sent[0]),
        json!({"from_number": "+15551234567", "to_number": "+18005559999", "client_websocket_url": "wss://my-app.com/voice"})
    );
    assert_eq!(body_json(&sent[3]), json!({"to": "+15557654321", "text": "Hello from Inkbox"}));
    assert_eq!(body_json(&sent[5]), json!({"is_read": true}));
    assert_eq!(body_json(&sent[6]), json!({"is_read": true}));
}

#[test]
fn imessage_helpers_scope_to_the_identity() {
    let (h, identity) = identity_with(false, true);
    h.transport.push_json(200, json!({"message": imessage("im-1")}));
    identity
        .send_imessage(&SendIMessageRequest {
            conversation_id: Some("c-1".into()),
            text: Some("On it".into()),
            ..Default::default()
        })
        .unwrap();
    h.transport.push_json(200, json!([imessage("im-1")]));
    let params = ListIMessagesParams { conversation_id: Some("c-1".into()), ..Default::default() };
    assert_eq!(identity.list_imessages(&params).unwrap()[0].id, "im-1");
    h.transport.push_json(200, json!([]));
    identity.list_imessage_assignments(20, 0).unwrap();
    h.transport.push_json(200, json!({"id": "c-1", "assignment_id": "a-1", "assignment_status": "released", "remote_number": "+15551234567", "created_at": TS, "updated_at": TS}));
    identity.get_imessage_conversation("c-1").unwrap();
    h.transport.push_json(
        200,
        json!({"id": "r-1", "conversation_id": "c-1", "target_message_id": "im-1", "direction": "outbound",
        "reaction": "like", "remote_number": "+15551234567", "part_index": 0, "created_at": TS, "updated_at": TS}),
    );
    identity.send_imessage_reaction(&SendIMessageReactionRequest::new("im-1", IMessageReactionType::Like)).unwrap();
    h.transport.push_json(200, json!({"conversation_id": "c-1", "updated_count": 2}));
    assert_eq!(identity.mark_imessage_conversation_read("c-1").unwrap().updated_count, 2);
    h.transport.push(204, &[], b"");
    identity.send_imessage_typing("c-1").unwrap();

    let sent = sent_after_get(&h);
    let got: Vec<(Method, String)> = sent.iter().map(|r| (r.method, r.url.clone())).collect();
    assert_eq!(
        got,
        [
            (Method::Post, url(&format!("/api/v1/imessage/messages?agent_identity_id={IDENTITY_ID}"))),
            (
                Method::Get,
                url(&format!(
                    "/api/v1/imessage/messages?limit=50&offset=0&agent_identity_id={IDENTITY_ID}&conversation_id=c-1"
                ))
            ),
            (
                Method::Get,
                url(&format!("/api/v1/imessage/assignments?limit=20&offset=0&agent_identity_id={IDENTITY_ID}"))
            ),
            (Method::Get, url(&format!("/api/v1/imessage/conversations/c-1?agent_identity_id={IDENTITY_ID}"))),
            (Method::Post, url("/api/v1/imessage/reactions")),
            (Method::Post, url("/api/v1/imessage/mark-read")),
            (Method::Post, url("/api/v1/imessage/typing")),
        ]
    );
    assert_eq!(body_json(&sent[4]), json!({"message_id": "im-1", "reaction": "like", "part_index": 0}));
    assert_eq!(body_json(&sent[6]), json!({"conversation_id": "c-1"}));
}

#[test]
fn lifecycle_provision_release_update_access_delete() {
    let (h, mut ident) = identity_with(false, false);
    h.transport.push_json(201, phone_number());
    h.transport.push_json(200, identity("sales-bot", true, false));
    let number = ident.provision_phone_number(Some("NY")).unwrap();
    assert_eq!(number.number, "+15551234567");
    assert_eq!(ident.phone_number().unwrap().id, NUMBER_ID);

    h.transport.push(200, &[], b"{}");
    ident.release_phone_number().unwrap();
    assert!(ident.phone_number().is_none());

    // Update without rename: PATCH only, the summary is merged.
    let mut summary = identity_summary("sales-bot");
    summary["display_name"] = json!("New Name");
    h.transport.push_json(200, summary);
    ident.update(&UpdateIdentityRequest { display_name: Patch::Set("New Name".into()), ..Default::default() }).unwrap();
    assert_eq!(ident.data().display_name.as_deref(), Some("New Name"));
    assert!(ident.tunnel().is_some(), "channels survive a merge");

    // Rename: PATCH, then GET under the new handle.
    h.transport.push_json(200, identity_summary("sales-bot-v2"));
    h.transport.push_json(200, identity("sales-bot-v2", false, false));
    ident.update(&UpdateIdentityRequest { agent_handle: Some("sales-bot-v2".into()), ..Default::default() }).unwrap();
    assert_eq!(ident.agent_handle(), "sales-bot-v2");
    assert_eq!(ident.email_address(), Some("sales-bot-v2@inkboxmail.com"));

    h.transport.push_json(
        201,
        json!({"id": "g1", "target_identity_id": IDENTITY_ID, "viewer_identity_id": null, "created_at": TS}),
    );
    assert_eq!(ident.grant_access(None).unwrap().viewer_identity_id, None);
    h.transport.push(204, &[], b"");
    ident.revoke_access("55555555-5555-4555-8555-555555555555").unwrap();
    h.transport.push(204, &[], b"");
    ident.delete().unwrap();

    let sent = sent_after_get(&h);
    let got: Vec<(Method, String)> = sent.iter().map(|r| (r.method, r.url.clone())).collect();
    assert_eq!(
        got,
        [
            (Method::Post, url("/api/v1/phone/numbers")),
            (Method::Get, url("/api/v1/identities/sales-bot")),
            (Method::Delete, url("/api/v1/identities/sales-bot/phone_number")),
            (Method::Patch, url("/api/v1/identities/sales-bot")),
            (Method::Patch, url("/api/v1/identities/sales-bot")),
            (Method::Get, url("/api/v1/identities/sales-bot-v2")),
            (Method::Post, url("/api/v1/identities/sales-bot-v2/access")),
            (Method::Delete, url("/api/v1/identities/sales-bot-v2/access/55555555-5555-4555-8555-555555555555")),
            (Method::Delete, url("/api/v1/identities/sales-bot-v2")),
        ]
    );
    assert_eq!(body_json(&sent[0]), json!({"agent_handle": "sales-bot", "type": "local", "state": "NY"}));
    assert_eq!(body_json(&sent[3]), json!({"display_name": "New Name"}));
    assert_eq!(body_json(&sent[4]), json!({"agent_handle": "sales-bot-v2"}));
    assert_eq!(body_json(&sent[6]), json!({"viewer_identity_id": null}));
}

fn flow_code(e: ApiError) -> &'static str {
    assert!(matches!(e, ApiError::Flow { .. }), "{e:?}");
    e.code()
}

#[test]
fn guards_refuse_before_sending() {
    let (h, mut identity) = identity_with(false, false);
    assert_eq!(flow_code(identity.place_call("+18005559999", None).unwrap_err()), "identity.no_phone_number");
    assert_eq!(flow_code(identity.list_calls(10, 0).unwrap_err()), "identity.no_phone_number");
    assert_eq!(flow_code(identity.send_text(&SendTextRequest::default()).unwrap_err()), "identity.no_phone_number");
    assert_eq!(
        flow_code(identity.mark_text_conversation_read("+15557654321").unwrap_err()),
        "identity.no_phone_number"
    );
    assert_eq!(flow_code(identity.release_phone_number().unwrap_err()), "identity.no_phone_number");
    assert_eq!(
        flow_code(identity.send_imessage(&SendIMessageRequest::default()).unwrap_err()),
        "identity.imessage_disabled"
    );
    assert_eq!(flow_code(identity.send_imessage_typing("c-1").unwrap_err()), "identity.imessage_disabled");
    assert_eq!(
        flow_code(identity.upload_imessage_media(b"x", "x.png", None).unwrap_err()),
        "identity.imessage_disabled"
    );
    let e = identity.list_imessage_assignments(10, 0).unwrap_err();
    assert_eq!(e.to_string(), "identity 'sales-bot' does not have iMessage enabled");

    // An identity without a mailbox.
    let mut data = identity.data().clone();
    data.mailbox = None;
    data.email_address = None;
    let bare = Identity::from_data(h.client.clone(), data);
    assert_eq!(flow_code(bare.send_email(&email()).unwrap_err()), "identity.no_mailbox");
    assert_eq!(flow_code(bare.iter_emails(None).err().unwrap()), "identity.no_mailbox");
    assert_eq!(flow_code(bare.iter_unread_emails().err().unwrap()), "identity.no_mailbox");
    assert_eq!(flow_code(bare.mark_emails_read(Vec::<String>::new()).unwrap_err()), "identity.no_mailbox");
    assert_eq!(flow_code(bare.get_thread("th1").unwrap_err()), "identity.no_mailbox");

    assert_eq!(h.transport.requests().len(), 1, "only the initial GET was sent");
    assert_eq!(h.transport.remaining(), 0);
}

#[test]
fn email_address_is_the_identitys_own_field_first() {
    // Core's rule (`identity_email_address`), as the 0.4.9 SDK reads it: the
    // identity's `email_address`, the mailbox's only when the field is absent.
    let h = harness();
    let mut v = identity("sales-bot", false, false);
    v["email_address"] = json!("assigned@mail.acme.com");
    h.transport.push_json(200, v.clone());
    let ident = h.client.get_identity("sales-bot").unwrap();
    assert_eq!(ident.email_address(), Some("assigned@mail.acme.com"));
    v["email_address"] = json!(null);
    h.transport.push_json(200, v);
    let ident = h.client.get_identity("sales-bot").unwrap();
    assert_eq!(ident.email_address(), Some("sales-bot@inkboxmail.com"));
}

#[test]
fn update_uses_the_patch_answer() {
    let (h, mut ident) = identity_with(false, false);
    let mut summary = identity_summary("sales-bot");
    summary["description"] = json!("Outreach");
    summary["email_address"] = json!("assigned@mail.acme.com");
    h.transport.push_json(200, summary);
    ident.update(&UpdateIdentityRequest { description: Patch::Set("Outreach".into()), ..Default::default() }).unwrap();
    assert_eq!(ident.data().description.as_deref(), Some("Outreach"));
    assert_eq!(ident.email_address(), Some("assigned@mail.acme.com"));
    let sent = sent_after_get(&h);
    assert_eq!(sent.len(), 1, "no second GET");
    assert_eq!(sent[0].method, Method::Patch);
}
