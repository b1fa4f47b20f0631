//! Mail and phone contact rules over real HTTP: CRUD with the official
//! status codes (201, 409 duplicate, admin-only update/delete and org-wide
//! lists, 404, 422), persistence, and how the rules and the channel's
//! `filter_mode` decide inbound mail, texts and calls; `data.contacts` of
//! mail and text webhook payloads filled from the contacts book.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Emulator, TempDir};
use inkbox_core::ErrorCode;
use inkbox_core::api::common::{ContactRuleStatus, RuleAction};
use inkbox_core::api::contacts::{self as ct, ContactEmail, ContactPhone, CreateContactRequest};
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest, IdentityPhoneNumberCreateOptions};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::mail::{
    self, CreateMailContactRuleRequest, ListMailContactRulesParams, ListOrgMailContactRulesParams, MailRuleMatchType,
    UpdateMailContactRuleRequest,
};
use inkbox_core::api::phone::{
    self, CreatePhoneContactRuleRequest, ListOrgPhoneContactRulesParams, ListPhoneContactRulesParams,
    UpdatePhoneContactRuleRequest,
};
use inkbox_core::api::webhook_subscriptions::{self as wh, CreateSubscriptionRequest, EventType, SubscriptionOwner};
use serde_json::{Value, json};

const ALICE: &str = "+12025550101";
const BOB: &str = "+12025550102";

struct Who {
    email: String,
    number_id: String,
    number: String,
    key: String,
}

fn identity(emu: &Emulator, handle: &str) -> Who {
    let mut req = CreateIdentityRequest::new(handle);
    req.phone_number = Some(IdentityPhoneNumberCreateOptions::default());
    let r = emu.send(&ids::build_create(&req).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    let i = ids::parse_create(&r.as_response()).unwrap();
    let input = CreateApiKeyRequest { label: "a".into(), description: None, scoped_identity_id: Some(i.id.clone()) };
    let k = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    let key = keys::parse_create_api_key(&k.as_response()).unwrap().api_key.clone();
    let p = i.phone_number.clone().unwrap();
    Who { email: i.email_address.clone().unwrap(), number_id: p.id, number: p.number, key }
}

fn control(emu: &Emulator, method: &str, path: &str, body: Value) -> common::Resp {
    emu.raw(method, path, Some(&emu.admin_key), Some(&body.to_string()))
}

fn mail_rule(action: RuleAction, match_type: MailRuleMatchType, target: &str) -> CreateMailContactRuleRequest {
    CreateMailContactRuleRequest { action, match_type, match_target: target.into() }
}

#[test]
fn mail_rules_crud_status_codes_and_persistence() {
    let dir = TempDir::new("mail-rules");
    let db = dir.0.join("state.db");
    let emu = Emulator::start_with_data(&db);
    let admin = emu.admin_key.clone();
    let a = identity(&emu, "mrules-a");
    let b = identity(&emu, "mrules-b");

    // The identity's own key may create and read; 201, always active.
    let r = emu.send(
        &mail::build_create_contact_rule(
            &a.email,
            &mail_rule(RuleAction::Block, MailRuleMatchType::Domain, "Spam.Example"),
        )
        .unwrap(),
        &a.key,
    );
    assert_eq!(r.status, 201, "{:?}", r.json());
    let block = mail::parse_create_contact_rule(&r.as_response()).unwrap();
    assert_eq!(
        (block.match_target.as_str(), block.status.clone(), block.action.clone()),
        ("spam.example", ContactRuleStatus::Active, RuleAction::Block)
    );
    let allow = mail::parse_create_contact_rule(
        &emu.send(
            &mail::build_create_contact_rule(
                &a.email,
                &mail_rule(RuleAction::Allow, MailRuleMatchType::ExactEmail, "friend@example.com"),
            )
            .unwrap(),
            &admin,
        )
        .as_response(),
    )
    .unwrap();
    // 409 duplicate (same match_type and target, any case) with the existing id.
    let dup = mail_rule(RuleAction::Allow, MailRuleMatchType::Domain, "SPAM.example");
    let r = emu.send(&mail::build_create_contact_rule(&a.email, &dup).unwrap(), &admin);
    assert_eq!(r.status, 409);
    let e = mail::parse_create_contact_rule(&r.as_response()).unwrap_err();
    assert_eq!(e.code(), "api.duplicate_contact_rule");
    assert_eq!(r.json()["detail"]["existing_rule_id"], block.id.as_str());
    // The same target on another mailbox is fine; another mailbox is 404 for a's key.
    assert_eq!(emu.send(&mail::build_create_contact_rule(&b.email, &dup).unwrap(), &admin).status, 201);
    assert_eq!(emu.send(&mail::build_create_contact_rule(&b.email, &dup).unwrap(), &a.key).status, 404);
    for bad in [
        json!({ "action": "block", "match_type": "exact_email", "match_target": "not-an-email" }),
        json!({ "action": "block", "match_type": "domain", "match_target": "a@b.com" }),
        json!({ "action": "mute", "match_type": "domain", "match_target": "x.com" }),
        json!({ "action": "block", "match_type": "regex", "match_target": "x.com" }),
        json!({ "action": "block", "match_target": "x.com" }),
    ] {
        let path = format!("/api/v1/mail/mailboxes/{}/contact-rules", a.email);
        assert_eq!(emu.raw("POST", &path, Some(&admin), Some(&bad.to_string())).status, 422, "{bad}");
    }

    // List with filters and paging; get.
    let list = |p: &ListMailContactRulesParams, key: &str| {
        mail::parse_list_contact_rules(
            &emu.send(&mail::build_list_contact_rules(&a.email, p).unwrap(), key).as_response(),
        )
        .unwrap()
    };
    let all = list(&ListMailContactRulesParams::default(), &a.key);
    assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [block.id.as_str(), allow.id.as_str()]);
    let p = ListMailContactRulesParams { match_type: Some(MailRuleMatchType::ExactEmail), ..Default::default() };
    assert_eq!(list(&p, &admin), std::slice::from_ref(&allow));
    let p = ListMailContactRulesParams { limit: Some(1), offset: Some(1), ..Default::default() };
    assert_eq!(list(&p, &admin)[0].id, allow.id);
    let r = emu.send(&mail::build_get_contact_rule(&a.email, &block.id).unwrap(), &a.key);
    assert_eq!(mail::parse_get_contact_rule(&r.as_response()).unwrap(), block);
    assert_eq!(emu.send(&mail::build_get_contact_rule(&b.email, &block.id).unwrap(), &admin).status, 404);
    let q = format!("/api/v1/mail/mailboxes/{}/contact-rules?match_type=regex", a.email);
    assert_eq!(emu.raw("GET", &q, Some(&admin), None).status, 422);

    // Update and delete are admin-only.
    let pause = UpdateMailContactRuleRequest { action: None, status: Some(ContactRuleStatus::Paused) };
    assert_eq!(emu.send(&mail::build_update_contact_rule(&a.email, &block.id, &pause).unwrap(), &a.key).status, 403);
    let r = emu.send(&mail::build_update_contact_rule(&a.email, &block.id, &pause).unwrap(), &admin);
    let paused = mail::parse_update_contact_rule(&r.as_response()).unwrap();
    assert_eq!((paused.status, paused.action), (ContactRuleStatus::Paused, RuleAction::Block));
    assert_eq!(emu.send(&mail::build_delete_contact_rule(&a.email, &allow.id).unwrap(), &a.key).status, 403);
    assert_eq!(emu.send(&mail::build_delete_contact_rule(&a.email, &allow.id).unwrap(), &admin).status, 204);
    assert_eq!(emu.send(&mail::build_delete_contact_rule(&a.email, &allow.id).unwrap(), &admin).status, 404);

    // Org-wide list (admin-only), narrowed by mailbox.
    let org = |p: &ListOrgMailContactRulesParams| {
        mail::parse_list_org_contact_rules(
            &emu.send(&mail::build_list_org_contact_rules(p).unwrap(), &admin).as_response(),
        )
        .unwrap()
    };
    assert_eq!(org(&ListOrgMailContactRulesParams::default()).len(), 2);
    let p = ListOrgMailContactRulesParams { mailbox_id: Some(block.mailbox_id.clone()), ..Default::default() };
    assert_eq!(
        org(&p),
        [mail::parse_get_contact_rule(
            &emu.send(&mail::build_get_contact_rule(&a.email, &block.id).unwrap(), &admin).as_response()
        )
        .unwrap()]
    );
    let r = emu.send(&mail::build_list_org_contact_rules(&ListOrgMailContactRulesParams::default()).unwrap(), &a.key);
    assert_eq!(r.status, 403);

    // Persisted across a restart.
    drop(emu);
    let emu = Emulator::start_with_data(&db);
    let r = emu.send(&mail::build_get_contact_rule(&a.email, &block.id).unwrap(), &emu.admin_key);
    assert_eq!(mail::parse_get_contact_rule(&r.as_response()).unwrap().status, ContactRuleStatus::Paused);
}

#[test]
fn phone_rules_crud_and_status_codes() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let a = identity(&emu, "prules-a");
    let b = identity(&emu, "prules-b");
    let create = |n: &str, action: RuleAction, target: &str, key: &str| {
        emu.send(
            &phone::build_create_contact_rule(n, &CreatePhoneContactRuleRequest::new(action, target)).unwrap(),
            key,
        )
    };
    let r = create(&a.number_id, RuleAction::Block, ALICE, &a.key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    let block = phone::parse_create_contact_rule(&r.as_response()).unwrap();
    assert_eq!(
        (block.phone_number_id.as_str(), block.status.clone()),
        (a.number_id.as_str(), ContactRuleStatus::Active)
    );
    let r = create(&a.number_id, RuleAction::Allow, ALICE, &admin);
    assert_eq!(r.status, 409);
    assert_eq!(phone::parse_create_contact_rule(&r.as_response()).unwrap_err().code(), "api.duplicate_contact_rule");
    assert_eq!(r.json()["detail"]["existing_rule_id"], block.id.as_str());
    assert_eq!(create(&b.number_id, RuleAction::Block, ALICE, &admin).status, 201);
    assert_eq!(create(&b.number_id, RuleAction::Block, BOB, &a.key).status, 404);
    let path = format!("/api/v1/phone/numbers/{}/contact-rules", a.number_id);
    for bad in [
        json!({ "action": "block", "match_type": "exact_number", "match_target": "5550001111" }),
        json!({ "action": "block", "match_type": "prefix", "match_target": BOB }),
        json!({ "action": "mute", "match_target": BOB }),
    ] {
        assert_eq!(emu.raw("POST", &path, Some(&admin), Some(&bad.to_string())).status, 422, "{bad}");
    }
    let allow =
        phone::parse_create_contact_rule(&create(&a.number_id, RuleAction::Allow, BOB, &admin).as_response()).unwrap();

    let p = ListPhoneContactRulesParams { action: Some(RuleAction::Allow), ..Default::default() };
    let r = emu.send(&phone::build_list_contact_rules(&a.number_id, &p).unwrap(), &a.key);
    assert_eq!(phone::parse_list_contact_rules(&r.as_response()).unwrap(), std::slice::from_ref(&allow));
    let r = emu.send(&phone::build_get_contact_rule(&a.number_id, &block.id).unwrap(), &a.key);
    assert_eq!(phone::parse_get_contact_rule(&r.as_response()).unwrap(), block);
    assert_eq!(emu.send(&phone::build_get_contact_rule(&b.number_id, &block.id).unwrap(), &admin).status, 404);

    let flip = UpdatePhoneContactRuleRequest { action: Some(RuleAction::Allow), status: None };
    assert_eq!(
        emu.send(&phone::build_update_contact_rule(&a.number_id, &block.id, &flip).unwrap(), &a.key).status,
        403
    );
    let r = emu.send(&phone::build_update_contact_rule(&a.number_id, &block.id, &flip).unwrap(), &admin);
    assert_eq!(phone::parse_update_contact_rule(&r.as_response()).unwrap().action, RuleAction::Allow);
    let bad = format!("{path}/{}", block.id);
    assert_eq!(emu.raw("PATCH", &bad, Some(&admin), Some(r#"{"status":"archived"}"#)).status, 422);
    assert_eq!(emu.send(&phone::build_delete_contact_rule(&a.number_id, &block.id).unwrap(), &a.key).status, 403);
    assert_eq!(emu.send(&phone::build_delete_contact_rule(&a.number_id, &block.id).unwrap(), &admin).status, 204);

    let org =
        |p: &ListOrgPhoneContactRulesParams, key: &str| emu.send(&phone::build_list_org_contact_rules(p).unwrap(), key);
    let all =
        phone::parse_list_org_contact_rules(&org(&ListOrgPhoneContactRulesParams::default(), &admin).as_response())
            .unwrap();
    assert_eq!(all.len(), 2);
    let p = ListOrgPhoneContactRulesParams { phone_number_id: Some(b.number_id.clone()), ..Default::default() };
    assert_eq!(phone::parse_list_org_contact_rules(&org(&p, &admin).as_response()).unwrap().len(), 1);
    assert_eq!(org(&ListOrgPhoneContactRulesParams::default(), &a.key).status, 403);
}

/// Subscriptions to an unreachable URL, with the worker paused: the payload
/// of each delivery is read from `/_emulator/deliveries` after a flush.
fn payloads(emu: &Emulator, event_type: &str) -> Vec<Value> {
    let r = control(emu, "POST", "/_emulator/deliveries/flush", json!({}));
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = emu.raw("GET", &format!("/_emulator/deliveries?event_type={event_type}"), Some(&emu.admin_key), None);
    r.json()["deliveries"].as_array().unwrap().iter().map(|d| d["payload"].clone()).collect()
}

fn subscribe(emu: &Emulator, owner: SubscriptionOwner, event: EventType) {
    let input = CreateSubscriptionRequest::new(owner, "https://127.0.0.1:1/hook", vec![event]);
    let r = emu.send(&wh::build_create(&input).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
}

fn inbound_mail(emu: &Emulator, to: &str, from: &str, subject: &str) -> Value {
    let r = control(emu, "POST", "/_emulator/mail/inbound", json!({ "to": to, "from": from, "subject": subject }));
    assert_eq!(r.status, 201, "{:?}", r.json());
    r.json()
}

fn thread_folder(emu: &Emulator, email: &str, thread_id: &str) -> String {
    let r = emu.raw("GET", &format!("/api/v1/mail/mailboxes/{email}/threads/{thread_id}"), Some(&emu.admin_key), None);
    r.json()["folder"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn mail_rules_and_filter_mode_apply_to_inbound_mail_and_contacts_fill_payloads() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let a = identity(&emu, "mdeliver-a");
    let mailbox_id =
        mail::parse_get_mailbox(&emu.send(&mail::build_get_mailbox(&a.email).unwrap(), &admin).as_response())
            .unwrap()
            .id;
    assert_eq!(
        control(&emu, "POST", "/_emulator/webhooks/config", json!({ "auto_deliver": false, "max_attempts": 1 })).status,
        200
    );
    subscribe(&emu, SubscriptionOwner::Mailbox(mailbox_id.clone()), EventType::MessageReceived);
    let contact = CreateContactRequest {
        preferred_name: Some("Ada Lovelace".into()),
        emails: Some(vec![ContactEmail { label: None, value: "ada@example.com".into(), is_primary: true }]),
        ..Default::default()
    };
    let ada = ct::parse_create(&emu.send(&ct::build_create(&contact).unwrap(), &admin).as_response()).unwrap();

    // Blacklist (default): a domain block rule stops spam.example (thread in `blocked`, no webhook).
    let rule = mail_rule(RuleAction::Block, MailRuleMatchType::Domain, "spam.example");
    let block = mail::parse_create_contact_rule(
        &emu.send(&mail::build_create_contact_rule(&a.email, &rule).unwrap(), &admin).as_response(),
    )
    .unwrap();
    let m = inbound_mail(&emu, &a.email, "x@mail.spam.example", "buy now");
    assert_eq!(thread_folder(&emu, &a.email, m["thread_id"].as_str().unwrap()), "blocked");
    let m = inbound_mail(&emu, &a.email, "Ada@Example.com", "hello");
    assert_eq!(thread_folder(&emu, &a.email, m["thread_id"].as_str().unwrap()), "inbox");
    let got = payloads(&emu, "message.received");
    assert_eq!(got.len(), 1, "only the delivered mail raises a webhook: {got:?}");
    assert_eq!(got[0]["data"]["message"]["subject"], "hello");
    assert_eq!(
        got[0]["data"]["contacts"],
        json!([{ "bucket": "from", "address": "Ada@Example.com", "id": ada.id, "name": "Ada Lovelace" }])
    );
    // A paused rule no longer blocks.
    let pause = UpdateMailContactRuleRequest { action: None, status: Some(ContactRuleStatus::Paused) };
    assert_eq!(emu.send(&mail::build_update_contact_rule(&a.email, &block.id, &pause).unwrap(), &admin).status, 200);
    let m = inbound_mail(&emu, &a.email, "x@spam.example", "again");
    assert_eq!(thread_folder(&emu, &a.email, m["thread_id"].as_str().unwrap()), "inbox");

    // Whitelist: only an active allow match gets through; the notice counts the redundant rules.
    let rule = mail_rule(RuleAction::Allow, MailRuleMatchType::ExactEmail, "ada@example.com");
    assert_eq!(emu.send(&mail::build_create_contact_rule(&a.email, &rule).unwrap(), &admin).status, 201);
    let path = format!("/api/v1/mail/mailboxes/{}", a.email);
    let r = emu.raw("PATCH", &path, Some(&admin), Some(r#"{"filter_mode":"whitelist"}"#));
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["filter_mode_change_notice"]["redundant_rule_count"], 0, "the block rule is paused");
    let m = inbound_mail(&emu, &a.email, "stranger@other.example", "hi");
    assert_eq!(thread_folder(&emu, &a.email, m["thread_id"].as_str().unwrap()), "blocked");
    let m = inbound_mail(&emu, &a.email, "ada@example.com", "hi again");
    assert_eq!(thread_folder(&emu, &a.email, m["thread_id"].as_str().unwrap()), "inbox");
    let r = emu.raw("PATCH", &path, Some(&admin), Some(r#"{"filter_mode":"blacklist"}"#));
    assert_eq!(r.json()["filter_mode_change_notice"]["redundant_rule_count"], 1, "one active allow rule");
}

#[test]
fn phone_rules_and_filter_mode_apply_to_texts_and_calls_and_contacts_fill_payloads() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let a = identity(&emu, "pdeliver-a");
    assert_eq!(
        control(&emu, "POST", "/_emulator/webhooks/config", json!({ "auto_deliver": false, "max_attempts": 1 })).status,
        200
    );
    subscribe(&emu, SubscriptionOwner::PhoneNumber(a.number_id.clone()), EventType::TextReceived);
    let contact = CreateContactRequest {
        preferred_name: Some("Bob".into()),
        phones: Some(vec![ContactPhone { label: None, value_e164: BOB.into(), is_primary: true }]),
        ..Default::default()
    };
    let bob = ct::parse_create(&emu.send(&ct::build_create(&contact).unwrap(), &admin).as_response()).unwrap();
    let text = |from: &str| {
        let r =
            control(&emu, "POST", "/_emulator/texts/inbound", json!({ "to": a.number, "from": from, "text": "yo" }));
        assert_eq!(r.status, 201, "{:?}", r.json());
        r.json()["is_blocked"].as_bool().unwrap()
    };
    let call = |from: &str| {
        let r = control(&emu, "POST", "/_emulator/calls/inbound", json!({ "to": a.number, "from": from }));
        assert_eq!(r.status, 201, "{:?}", r.json());
        r.json()["is_blocked"].as_bool().unwrap()
    };

    let r = emu.send(
        &phone::build_create_contact_rule(&a.number_id, &CreatePhoneContactRuleRequest::new(RuleAction::Block, ALICE))
            .unwrap(),
        &admin,
    );
    assert_eq!(r.status, 201);
    assert!(text(ALICE) && call(ALICE), "blocked by the rule");
    assert!(!text(BOB) && !call(BOB));
    let got = payloads(&emu, "text.received");
    assert_eq!(got.len(), 1, "blocked texts raise no webhook: {got:?}");
    assert_eq!(got[0]["data"]["text_message"]["remote_phone_number"], BOB);
    assert_eq!(got[0]["data"]["contacts"], json!([{ "id": bob.id, "name": "Bob" }]));
    // Identity keys never see blocked rows.
    let r = emu.raw("GET", &format!("/api/v1/phone/numbers/{}/texts", a.number_id), Some(&a.key), None);
    assert!(r.json().as_array().unwrap().iter().all(|t| t["remote_phone_number"] == BOB), "{:?}", r.json());

    // Whitelist: only the allowed number passes.
    let r = emu.send(
        &phone::build_create_contact_rule(&a.number_id, &CreatePhoneContactRuleRequest::new(RuleAction::Allow, BOB))
            .unwrap(),
        &admin,
    );
    assert_eq!(r.status, 201);
    let path = format!("/api/v1/phone/numbers/{}", a.number_id);
    let r = emu.raw("PATCH", &path, Some(&admin), Some(r#"{"filter_mode":"whitelist"}"#));
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["filter_mode_change_notice"]["redundant_rule_count"], 1, "the block rule");
    assert!(!text(BOB) && !call(BOB));
    assert!(text("+12025550199") && call("+12025550199"), "not on the allow list");
}

#[test]
fn rust_client_drives_mail_and_phone_rules() {
    let emu = Emulator::start();
    let a = identity(&emu, "crules-a");
    let admin = inkbox_client::Inkbox::builder(&emu.admin_key).base_url(&emu.url).unwrap().build().unwrap();
    let agent = inkbox_client::Inkbox::builder(&a.key).base_url(&emu.url).unwrap().build().unwrap();

    let rules = admin.mail_contact_rules();
    let r = agent
        .mail_contact_rules()
        .create(&a.email, &mail_rule(RuleAction::Block, MailRuleMatchType::ExactEmail, "x@spam.example"))
        .unwrap();
    let e = rules
        .create(&a.email, &mail_rule(RuleAction::Allow, MailRuleMatchType::ExactEmail, "X@spam.example"))
        .unwrap_err();
    assert_eq!(e.code(), "api.duplicate_contact_rule");
    assert_eq!(rules.list(&a.email, &ListMailContactRulesParams::default()).unwrap(), std::slice::from_ref(&r));
    assert_eq!(rules.get(&a.email, &r.id).unwrap(), r);
    let pause = UpdateMailContactRuleRequest { action: None, status: Some(ContactRuleStatus::Paused) };
    assert_eq!(agent.mail_contact_rules().update(&a.email, &r.id, &pause).unwrap_err().code(), "api.forbidden");
    assert_eq!(rules.update(&a.email, &r.id, &pause).unwrap().status, ContactRuleStatus::Paused);
    assert_eq!(rules.list_org(&ListOrgMailContactRulesParams::default()).unwrap().len(), 1);
    rules.delete(&a.email, &r.id).unwrap();

    let rules = admin.phone_contact_rules();
    let r = rules.create(&a.number_id, &CreatePhoneContactRuleRequest::new(RuleAction::Allow, BOB)).unwrap();
    let e = rules.create(&a.number_id, &CreatePhoneContactRuleRequest::new(RuleAction::Block, BOB)).unwrap_err();
    assert_eq!(e.code(), "api.duplicate_contact_rule");
    assert_eq!(rules.get(&a.number_id, &r.id).unwrap(), r);
    assert_eq!(rules.list(&a.number_id, &ListPhoneContactRulesParams::default()).unwrap().len(), 1);
    let flip = UpdatePhoneContactRuleRequest { action: Some(RuleAction::Block), status: None };
    assert_eq!(rules.update(&a.number_id, &r.id, &flip).unwrap().action, RuleAction::Block);
    assert_eq!(
        agent.phone_contact_rules().list_org(&ListOrgPhoneContactRulesParams::default()).unwrap_err().code(),
        "api.forbidden"
    );
    rules.delete(&a.number_id, &r.id).unwrap();
    assert!(rules.list(&a.number_id, &ListPhoneContactRulesParams::default()).unwrap().is_empty());
}
