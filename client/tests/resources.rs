//! One representative call per resource: the exact method, URL and body sent,
//! and the parsed result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::*;
use inkbox_client::api::identities::CreateIdentityRequest;
use inkbox_client::api::imessage::{
    CreateIMessageContactRuleRequest, IMessageRuleAction, ListOrgIMessageContactRulesParams, SendIMessageRequest,
};
use inkbox_client::api::keys::CreateApiKeyRequest;
use inkbox_client::api::mail::{
    FilterMode, MessageStatus, Recipients, SendEmailRequest, SendingDomainStatus, UpdateMailboxRequest,
};
use inkbox_client::api::phone::{
    IncomingCallAction, ListCallsParams, PlaceCallRequest, SearchTranscriptsParams, TranscriptParty,
    UpdatePhoneNumberRequest,
};
use inkbox_client::api::signup::{ClaimStatus, CreateAgentSignupRequest};
use inkbox_client::api::texts::{ListSmsOptInsParams, SearchTextsParams, SmsOptInStatus, UpdateTextRequest};
use inkbox_client::api::tunnels::UpdateTunnelRequest;
use inkbox_client::api::whoami::Whoami;
use inkbox_client::api::{Method, Patch};
use inkbox_client::{ErrorCode, Inkbox};
use serde_json::json;

#[test]
fn identities_create_list_get() {
    let h = harness();
    h.transport.push_json(201, identity("sales-bot", false, false));
    let input =
        CreateIdentityRequest { display_name: Some("Sales Bot".into()), ..CreateIdentityRequest::new("@Sales-Bot") };
    let identity = h.client.create_identity(&input).unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/identities/").as_str()));
    assert_eq!(body_json(&r), json!({"agent_handle": "sales-bot", "display_name": "Sales Bot"}));
    assert_eq!(header(&r, "X-API-Key"), Some(KEY));
    assert_eq!(header(&r, "Accept"), Some("application/json"));
    assert_eq!(identity.agent_handle(), "sales-bot");
    assert_eq!(identity.email_address(), Some(MAILBOX));
    assert_eq!(identity.tunnel().unwrap().public_host, "sales-bot.inkboxwire.com");
    assert!(identity.phone_number().is_none());

    let h = harness();
    h.transport.push_json(200, json!([identity_summary("a-bot"), identity_summary("b-bot")]));
    let list = h.client.list_identities().unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str(), r.body.is_none()), (Method::Get, url("/api/v1/identities/").as_str(), true));
    assert_eq!(list.iter().map(|i| i.agent_handle.as_str()).collect::<Vec<_>>(), ["a-bot", "b-bot"]);

    let h = harness();
    h.transport.push_json(404, json!({"detail": "Identity not found"}));
    let err = h.client.get_identity("ghost").unwrap_err();
    assert_eq!(h.transport.only().url, url("/api/v1/identities/ghost"));
    assert_eq!(err.code(), "api.not_found");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.to_string(), "HTTP 404: Identity not found");
}

#[test]
fn mailboxes_get_update_search() {
    let h = harness();
    h.transport.push_json(200, mailbox(MAILBOX));
    let m = h.client.mailboxes().get(MAILBOX).unwrap();
    assert_eq!(h.transport.only().url, url("/api/v1/mail/mailboxes/sales-bot@inkboxmail.com"));
    assert_eq!(m.email_address, MAILBOX);

    let h = harness();
    h.transport.push_json(200, mailbox(MAILBOX));
    h.client.mailboxes().update(MAILBOX, &UpdateMailboxRequest { filter_mode: Some(FilterMode::Whitelist) }).unwrap();
    let r = h.transport.only();
    assert_eq!(r.method, Method::Patch);
    assert_eq!(body_json(&r), json!({"filter_mode": "whitelist"}));

    let h = harness();
    h.transport.push_json(200, page(vec![message("msg-1", false)], None));
    let hits = h.client.mailboxes().search(MAILBOX, "invoice due", Some(20)).unwrap();
    assert_eq!(
        h.transport.only().url,
        url("/api/v1/mail/mailboxes/sales-bot@inkboxmail.com/search?q=invoice%20due&limit=20")
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, "msg-1");
}

#[test]
fn messages_send_flags_delete_attachment() {
    let h = harness();
    let mut sent = message("msg-9", true);
    sent["direction"] = json!("outbound");
    sent["status"] = json!("queued");
    h.transport.push_json(200, sent);
    let input = SendEmailRequest {
        recipients: Recipients { to: vec!["user@example.com".into()], ..Default::default() },
        subject: "Hello".into(),
        body_text: Some("Hi there!".into()),
        ..Default::default()
    };
    let m = h.client.messages().send(MAILBOX, &input).unwrap();
    let r = h.transport.only();
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Post, url("/api/v1/mail/mailboxes/sales-bot@inkboxmail.com/messages").as_str())
    );
    assert_eq!(
        body_json(&r),
        json!({"recipients": {"to": ["user@example.com"]}, "subject": "Hello", "body_text": "Hi there!"})
    );
    assert_eq!(header(&r, "Content-Type"), Some("application/json"));
    assert!(header(&r, "Idempotency-Key").is_some());
    assert_eq!(m.status, MessageStatus::Queued);

    let h = harness();
    h.transport.push_json(200, message("msg-1", false));
    h.client.messages().star(MAILBOX, "msg-1").unwrap();
    let r = h.transport.only();
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Patch, url("/api/v1/mail/mailboxes/sales-bot@inkboxmail.com/messages/msg-1").as_str())
    );
    assert_eq!(body_json(&r), json!({"is_starred": true}));
    assert!(header(&r, "Idempotency-Key").is_none(), "only POSTs are keyed");

    let h = harness();
    h.transport.push(204, &[], b"");
    h.client.messages().delete(MAILBOX, "msg-1").unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.body.is_none()), (Method::Delete, true));

    let h = harness();
    h.transport.push(302, &[("Location", "https://cdn.example/report.pdf?sig=abc")], b"");
    let a = h.client.messages().get_attachment(MAILBOX, "msg-1", "report.pdf", true).unwrap();
    assert_eq!(
        h.transport.only().url,
        url("/api/v1/mail/mailboxes/sales-bot@inkboxmail.com/messages/msg-1/attachments/report.pdf?redirect=true")
    );
    assert_eq!(a.url, "https://cdn.example/report.pdf?sig=abc");
}

#[test]
fn threads_get_and_delete() {
    let h = harness();
    h.transport.push_json(200, thread("th1"));
    let t = h.client.threads().get(MAILBOX, "th1").unwrap();
    assert_eq!(h.transport.only().url, url("/api/v1/mail/mailboxes/sales-bot@inkboxmail.com/threads/th1"));
    assert_eq!(t.messages.unwrap().len(), 1);

    let h = harness();
    h.transport.push(204, &[], b"");
    h.client.threads().delete(MAILBOX, "th1").unwrap();
    assert_eq!(h.transport.only().method, Method::Delete);
}

#[test]
fn domains_list_and_set_default() {
    let h = harness();
    h.transport.push_json(
        200,
        json!([{"id": "sending_domain_1", "domain": "mail.acme.com", "status": "verified", "is_default": true}]),
    );
    let d = h.client.domains().list(Some(&SendingDomainStatus::Verified)).unwrap();
    assert_eq!(h.transport.only().url, url("/api/v1/domains/?status=verified"));
    assert!(d[0].is_default);

    let h = harness();
    h.transport.push_json(200, json!({"default_domain": "mail.acme.com"}));
    let new = h.client.domains().set_default("mail.acme.com").unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/domains/mail.acme.com/set-default").as_str()));
    assert_eq!(body_json(&r), json!({}));
    assert_eq!(new.as_deref(), Some("mail.acme.com"));
}

#[test]
fn phone_numbers_calls_transcripts() {
    let h = harness();
    h.transport.push_json(200, phone_number());
    let input = UpdatePhoneNumberRequest {
        incoming_call_action: Some(IncomingCallAction::Webhook),
        incoming_call_webhook_url: Patch::Set("https://example.com/calls".into()),
        ..Default::default()
    };
    h.client.phone_numbers().update(NUMBER_ID, &input).unwrap();
    let r = h.transport.only();
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Patch, url(&format!("/api/v1/phone/numbers/{NUMBER_ID}")).as_str())
    );
    assert_eq!(
        body_json(&r),
        json!({"incoming_call_action": "webhook", "incoming_call_webhook_url": "https://example.com/calls"})
    );

    let h = harness();
    h.transport.push_json(200, json!([transcript(1, "remote", "I want a refund")]));
    let params =
        SearchTranscriptsParams { party: Some(TranscriptParty::Remote), ..SearchTranscriptsParams::new("refund") };
    let hits = h.client.phone_numbers().search_transcripts(NUMBER_ID, &params).unwrap();
    assert_eq!(
        h.transport.only().url,
        url(&format!("/api/v1/phone/numbers/{NUMBER_ID}/search?q=refund&party=remote&limit=50"))
    );
    assert_eq!(hits[0].party, TranscriptParty::Remote);

    let h = harness();
    h.transport.push(204, &[], b"");
    h.client.phone_numbers().release(NUMBER_ID).unwrap();
    assert_eq!(h.transport.only().method, Method::Delete);

    let h = harness();
    let mut placed = call("call-1");
    placed["rate_limit"] = json!({"calls_used": 1, "calls_remaining": 9, "calls_limit": 10, "minutes_used": 0.5,
                                  "minutes_remaining": 59.5, "minutes_limit": 60});
    h.transport.push_json(200, placed);
    let input = PlaceCallRequest {
        from_number: "+15551234567".into(),
        to_number: "+18005559999".into(),
        client_websocket_url: None,
    };
    let c = h.client.calls().place(&input).unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/phone/place-call").as_str()));
    assert_eq!(body_json(&r), json!({"from_number": "+15551234567", "to_number": "+18005559999"}));
    assert_eq!((c.call.id.as_str(), c.rate_limit.calls_remaining), ("call-1", 9));

    let h = harness();
    h.transport.push_json(200, json!([call("call-1")]));
    let calls =
        h.client.calls().list(NUMBER_ID, &ListCallsParams { limit: 10, offset: 20, is_blocked: Some(false) }).unwrap();
    assert_eq!(
        h.transport.only().url,
        url(&format!("/api/v1/phone/numbers/{NUMBER_ID}/calls?limit=10&offset=20&is_blocked=false"))
    );
    assert_eq!(calls.len(), 1);

    let h = harness();
    h.transport.push_json(200, json!([transcript(0, "local", "Hello"), transcript(1, "remote", "Hi")]));
    let segs = h.client.transcripts().list(NUMBER_ID, "call-1").unwrap();
    assert_eq!(h.transport.only().url, url(&format!("/api/v1/phone/numbers/{NUMBER_ID}/calls/call-1/transcripts")));
    assert_eq!(segs.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["Hello", "Hi"]);
}

#[test]
fn texts_search_update_conversation() {
    let h = harness();
    h.transport.push_json(200, json!([text("t-1")]));
    let hits = h
        .client
        .texts()
        .search(NUMBER_ID, &SearchTextsParams { limit: 20, ..SearchTextsParams::new("invoice") })
        .unwrap();
    assert_eq!(
        h.transport.only().url,
        url(&format!("/api/v1/phone/numbers/{NUMBER_ID}/texts/search?q=invoice&limit=20"))
    );
    assert_eq!(hits[0].id, "t-1");

    let h = harness();
    h.transport.push_json(200, text("t-1"));
    h.client
        .texts()
        .update(NUMBER_ID, "t-1", &UpdateTextRequest { is_read: Some(false), ..Default::default() })
        .unwrap();
    let r = h.transport.only();
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Patch, url(&format!("/api/v1/phone/numbers/{NUMBER_ID}/texts/t-1")).as_str())
    );
    assert_eq!(body_json(&r), json!({"is_read": false}));

    let h = harness();
    h.transport.push_json(
        200,
        json!({"remote_phone_number": "+15557654321", "conversation_id": null, "is_read": true, "updated_count": 3}),
    );
    let res = h.client.texts().update_conversation(NUMBER_ID, "+15557654321", true).unwrap();
    let r = h.transport.only();
    assert_eq!(r.url, url(&format!("/api/v1/phone/numbers/{NUMBER_ID}/texts/conversations/+15557654321")));
    assert_eq!(body_json(&r), json!({"is_read": true}));
    assert_eq!(res.updated_count, 3);
}

#[test]
fn sms_opt_ins_list_get_opt_in() {
    let h = harness();
    h.transport.push_json(200, json!([opt_in("+15551234567", "opted_out")]));
    let params = ListSmsOptInsParams { status: Some(SmsOptInStatus::OptedOut), limit: Some(50), offset: None };
    let rows = h.client.sms_opt_ins().list(&params).unwrap();
    assert_eq!(h.transport.only().url, url("/api/v1/phone/sms-opt-ins?status=opted_out&limit=50"));
    assert_eq!(rows[0].status, SmsOptInStatus::OptedOut);

    let h = harness();
    h.transport.push_json(200, opt_in("+15551234567", "opted_in"));
    let row = h.client.sms_opt_ins().opt_in("+15551234567").unwrap();
    let r = h.transport.only();
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Post, url("/api/v1/phone/sms-opt-ins/+15551234567/opt-in").as_str())
    );
    assert!(r.body.is_none());
    assert_eq!(row.status, SmsOptInStatus::OptedIn);

    let h = harness();
    h.transport.push_json(409, json!({"detail": {"error": "customer_campaign_required", "message": "x"}}));
    let err = h.client.sms_opt_ins().opt_out("+15551234567").unwrap_err();
    assert_eq!(err.code(), "api.customer_campaign_required");
}

#[test]
fn imessages_triage_send_upload() {
    let h = harness();
    h.transport.push_json(200, json!({"number": "+15550001111", "connect_command": "connect @my-agent"}));
    let t = h.client.imessages().get_triage_number().unwrap();
    assert_eq!(h.transport.only().url, url("/api/v1/imessage/triage-number"));
    assert_eq!(t.connect_command, "connect @my-agent");

    let h = harness();
    h.transport.push_json(200, json!({"message": imessage("im-1")}));
    let input =
        SendIMessageRequest { conversation_id: Some("c-1".into()), text: Some("On it".into()), ..Default::default() };
    let m = h.client.imessages().send(&input, Some(IDENTITY_ID)).unwrap();
    let r = h.transport.only();
    assert_eq!(r.url, url(&format!("/api/v1/imessage/messages?agent_identity_id={IDENTITY_ID}")));
    assert_eq!(body_json(&r), json!({"conversation_id": "c-1", "text": "On it"}));
    assert_eq!(m.id, "im-1");

    let h = harness();
    h.transport.push_json(200, json!({"media_url": "https://media/x.png", "content_type": "image/png", "size": 4}));
    let up = h.client.imessages().upload_media(b"\x89PNG", "chart.png", Some("image/png")).unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/imessage/media").as_str()));
    let ct = header(&r, "Content-Type").unwrap();
    let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
    let mut expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chart.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(b"\x89PNG");
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(r.body.unwrap(), expected);
    assert_eq!(up.media_url, "https://media/x.png");
}

#[test]
fn imessage_contact_rules_create_and_list_org() {
    let h = harness();
    h.transport.push_json(201, contact_rule());
    let rule = h
        .client
        .imessage_contact_rules()
        .create("@My-Agent", &CreateIMessageContactRuleRequest::new(IMessageRuleAction::Block, "+15555550999"))
        .unwrap();
    let r = h.transport.only();
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Post, url("/api/v1/imessage/identities/my-agent/contact-rules").as_str())
    );
    assert_eq!(body_json(&r), json!({"action": "block", "match_type": "exact_number", "match_target": "+15555550999"}));
    assert_eq!(rule.id, "rule-1");

    let h = harness();
    h.transport.push_json(409, json!({"detail": {"existing_rule_id": "rule-1", "message": "dup"}}));
    let err = h
        .client
        .imessage_contact_rules()
        .create("my-agent", &CreateIMessageContactRuleRequest::new(IMessageRuleAction::Block, "+15555550999"))
        .unwrap_err();
    assert_eq!(err.code(), "api.duplicate_contact_rule");

    let h = harness();
    h.transport.push_json(200, json!([contact_rule()]));
    let params =
        ListOrgIMessageContactRulesParams { agent_identity_id: Some(IDENTITY_ID.into()), ..Default::default() };
    h.client.imessage_contact_rules().list_org(&params).unwrap();
    assert_eq!(h.transport.only().url, url(&format!("/api/v1/imessage/contact-rules?agent_identity_id={IDENTITY_ID}")));
}

#[test]
fn tunnels_update_and_sign_csr() {
    let h = harness();
    let mut t = tunnel("my-agent");
    t["metadata"] = json!({"team": "gtm"});
    h.transport.push_json(200, t);
    let mut meta = serde_json::Map::new();
    meta.insert("team".into(), json!("gtm"));
    let updated = h.client.tunnels().update("tun-1", &UpdateTunnelRequest { metadata: Patch::Set(meta) }).unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Patch, url("/api/v1/tunnels/tun-1").as_str()));
    assert_eq!(body_json(&r), json!({"metadata": {"team": "gtm"}}));
    assert_eq!(updated.metadata["team"], "gtm");

    let h = harness();
    h.transport.push_json(
        200,
        json!({"cert_pem": "C", "chain_pem": "CH", "cert_fingerprint_sha256": "ab", "cert_expires_at": TS}),
    );
    let cert = h.client.tunnels().sign_csr("tun-1", "-----BEGIN CERTIFICATE REQUEST-----").unwrap();
    let r = h.transport.only();
    assert_eq!(r.url, url("/api/v1/tunnels/tun-1/sign-csr"));
    assert_eq!(body_json(&r), json!({"csr_pem": "-----BEGIN CERTIFICATE REQUEST-----"}));
    assert_eq!(h.transport.timeouts(), [Duration::from_secs(180)]);
    assert_eq!(cert.chain_pem, "CH");

    let h = harness();
    h.transport.push_json(409, json!({"detail": "tunnel tls_mode is edge"}));
    assert_eq!(h.client.tunnels().sign_csr("tun-1", "x").unwrap_err().code(), "api.tunnel_tls_mode_mismatch");

    let h = harness();
    h.transport.push_json(200, json!({"tunnels": [tunnel("a-bot")]}));
    assert_eq!(h.client.tunnels().list().unwrap()[0].tunnel_name, "a-bot");
    assert_eq!(h.transport.timeouts(), [Duration::from_secs(30)]);
}

#[test]
fn api_keys_whoami_signing_key() {
    let h = harness();
    h.transport.push_json(
        201,
        json!({"api_key": "ApiKey_secret", "record": {
        "id": "ApiKey_1", "organization_id": "org_1", "scoped_identity_id": IDENTITY_ID, "label": "agent",
        "status": "active", "created_at": TS, "updated_at": TS}}),
    );
    let input = CreateApiKeyRequest {
        label: "agent".into(),
        scoped_identity_id: Some(IDENTITY_ID.into()),
        ..Default::default()
    };
    let key = h.client.api_keys().create(&input).unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/api-keys").as_str()));
    assert_eq!(body_json(&r), json!({"label": "agent", "scoped_identity_id": IDENTITY_ID}));
    assert_eq!(key.api_key, "ApiKey_secret");
    assert!(!format!("{key:?}").contains("ApiKey_secret"));

    let h = harness();
    h.transport.push_json(
        200,
        json!({"auth_type": "api_key", "organization_id": "org_1", "key_id": "ApiKey_1", "created_at": 1.7e9}),
    );
    let me = h.client.whoami().unwrap();
    assert_eq!(h.transport.only().url, url("/api/whoami"));
    assert!(matches!(&me, Whoami::ApiKey(k) if k.key_id.as_deref() == Some("ApiKey_1")));

    let h = harness();
    h.transport.push_json(200, json!({"signing_key": "whsec_x", "created_at": TS}));
    let k = h.client.create_signing_key().unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/signing-keys").as_str()));
    assert_eq!(body_json(&r), json!({}));
    assert_eq!(k.signing_key, "whsec_x");
}

#[test]
fn signup_is_public_and_follow_ups_use_the_signup_key() {
    // An anonymous client: no key of its own.
    let h = harness();
    let transport = h.transport.clone();
    let client = Inkbox::anonymous()
        .base_url(BASE)
        .unwrap()
        .transport(transport.clone())
        .environment(h.env.clone())
        .build()
        .unwrap();
    transport.push_json(
        201,
        json!({"email_address": "sales-agent-a1b2c3@inkboxmail.com", "organization_id": "org_agent_1",
        "api_key": "ik_live_new", "agent_handle": "sales-agent-a1b2c3", "claim_status": "agent_unclaimed",
        "human_email": "john@example.com", "message": "verify"}),
    );
    let input = CreateAgentSignupRequest::new("john@example.com", "Hey John, this is your sales bot signing up!");
    let res = client.agent_signup().create(&input).unwrap();
    let r = transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/agent-signup").as_str()));
    assert_eq!(
        body_json(&r),
        json!({"human_email": "john@example.com", "note_to_human": "Hey John, this is your sales bot signing up!"})
    );
    assert_eq!(header(&r, "X-API-Key"), None);
    assert_eq!(res.claim_status, ClaimStatus::AgentUnclaimed);

    // Verify: the signup key is sent even by a client holding another key.
    let h = harness();
    h.transport.push_json(200, json!({"claim_status": "agent_claimed", "organization_id": "org_2", "message": "ok"}));
    let v = h.client.agent_signup().verify("ik_live_new", "483921").unwrap();
    let r = h.transport.only();
    assert_eq!(r.url, url("/api/v1/agent-signup/verify"));
    assert_eq!(header(&r, "X-API-Key"), Some("ik_live_new"));
    assert_eq!(body_json(&r), json!({"verification_code": "483921"}));
    assert_eq!(v.organization_id, "org_2");

    let h = harness();
    h.transport.push_json(401, json!({"detail": "bad code"}));
    assert_eq!(h.client.agent_signup().verify("k", "000000").unwrap_err().code(), "api.invalid_verification_code");

    let h = harness();
    h.transport
        .push_json(200, json!({"claim_status": "agent_unclaimed", "organization_id": "org_1", "message": "sent"}));
    h.client.agent_signup().resend_verification("ik_live_new").unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.body.is_none()), (Method::Post, true));
    assert_eq!(r.url, url("/api/v1/agent-signup/resend-verification"));

    let h = harness();
    h.transport.push_json(200, json!({"claim_status": "agent_unclaimed", "human_state": "human_no_account",
        "human_email": "john@example.com", "restrictions": {"max_sends_per_day": 10, "allowed_recipients": ["john@example.com"],
        "can_receive": true, "can_create_mailboxes": false}}));
    let s = h.client.agent_signup().status("ik_live_new").unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Get, url("/api/v1/agent-signup/status").as_str()));
    assert_eq!(header(&r, "X-API-Key"), Some("ik_live_new"));
    assert_eq!(s.restrictions.max_sends_per_day, 10);

    // The associated functions validate before touching the network.
    assert_eq!(Inkbox::signup("http://example.com", &input).unwrap_err().code(), "api.validation");
    assert_eq!(Inkbox::verify_signup(BASE, "k", "12").unwrap_err().code(), "api.validation");
}

#[test]
fn webhook_subscriptions_create_list_update_delete() {
    use inkbox_client::api::webhook_subscriptions::{
        CreateSubscriptionRequest, EventType, ListSubscriptionsParams, SubscriptionOwner, UpdateSubscriptionRequest,
    };
    let sub = |url: &str| {
        json!({"id": "sub-1", "organization_id": "org_1", "mailbox_id": "m1", "phone_number_id": null,
               "agent_identity_id": null, "url": url, "event_types": ["message.received", "message.bounced"],
               "status": "active", "created_at": TS, "updated_at": TS})
    };
    let h = harness();
    h.transport.push_json(201, sub("https://example.com/hook"));
    let input = CreateSubscriptionRequest::new(
        SubscriptionOwner::Mailbox("m1".into()),
        "https://example.com/hook",
        vec![EventType::MessageReceived, EventType::MessageBounced],
    );
    let created = h.client.webhooks().subscriptions().create(&input).unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Post, url("/api/v1/webhooks/subscriptions").as_str()));
    assert_eq!(
        body_json(&r),
        json!({"url": "https://example.com/hook", "event_types": ["message.received", "message.bounced"], "mailbox_id": "m1"})
    );
    assert_eq!(created.owner(), Some(SubscriptionOwner::Mailbox("m1".into())));

    // Channel coherence is checked before sending.
    let h = harness();
    let bad = CreateSubscriptionRequest::new(
        SubscriptionOwner::Mailbox("m1".into()),
        "https://example.com/hook",
        vec![EventType::TextReceived],
    );
    assert_eq!(h.client.webhooks().subscriptions().create(&bad).unwrap_err().code(), "api.validation");
    assert!(h.transport.requests().is_empty());

    let h = harness();
    h.transport.push_json(200, json!({"subscriptions": [sub("https://example.com/hook")]}));
    let params = ListSubscriptionsParams { mailbox_id: Some("m1".into()), ..Default::default() };
    let subs = h.client.webhooks().subscriptions().list(&params).unwrap();
    assert_eq!(h.transport.only().url, url("/api/v1/webhooks/subscriptions?mailbox_id=m1"));
    assert_eq!(subs.len(), 1);

    let h = harness();
    h.transport.push_json(200, sub("https://new.example.com/hook"));
    let input = UpdateSubscriptionRequest { url: Some("https://new.example.com/hook".into()), ..Default::default() };
    let updated = h.client.webhooks().subscriptions().update("sub-1", &input).unwrap();
    let r = h.transport.only();
    assert_eq!((r.method, r.url.as_str()), (Method::Patch, url("/api/v1/webhooks/subscriptions/sub-1").as_str()));
    assert_eq!(body_json(&r), json!({"url": "https://new.example.com/hook"}));
    assert_eq!(updated.url, "https://new.example.com/hook");

    let h = harness();
    h.transport.push(204, &[], b"");
    h.client.webhooks().subscriptions().delete("sub-1").unwrap();
    assert_eq!(h.transport.only().method, Method::Delete);
}
