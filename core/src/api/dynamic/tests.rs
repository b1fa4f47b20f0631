#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Map, Value};

use super::args::*;
use super::table::*;
use super::*;
use crate::ErrorCode as _;
use crate::api::catalog::{self, Operation};
use crate::api::error::ApiError;
use crate::api::request::{Request, Response};
use crate::api::test_support::{ok, status};
use crate::api::{
    agentpost, identities, imessage, keys, mail, phone, signup, texts, tunnels, vault, webhook_subscriptions, whoami,
};
use alloc::collections::BTreeSet;
use alloc::vec;
use serde_json::json;

const UUID: &str = "5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10";
const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn path_value(name: &str) -> &'static str {
    match name {
        "handle" => "sales-bot",
        "email" => "sales-bot@inkboxmail.com",
        "filename" => "report.pdf",
        "domain_encoded" => "mail.acme.com",
        "key" | "receiver_number" => "+15551234567",
        "auth_hash" => HASH,
        _ => UUID,
    }
}

fn key_material(key_type: &str) -> Value {
    json!({"id": UUID, "wrapped_org_encryption_key": "d3JhcHBlZA==", "auth_hash": HASH, "key_type": key_type})
}

/// Arguments every operation builds from.
fn sample(op: &Operation) -> Value {
    let path: Map<String, Value> =
        template_params(op.path).map(|p| (p.to_owned(), Value::from(path_value(p)))).collect();
    let mut args = match op.name {
        "identities.create" | "phone.numbers.create" => json!({"body": {"agent_handle": "sales-bot"}}),
        "signup.create" => json!({"body": {"human_email": "ada@example.com", "note_to_human": "hi"}}),
        "signup.verify" => json!({"api_key": "k", "body": {"verification_code": "123456"}}),
        "signup.resend_verification" | "signup.status" => json!({"api_key": "k"}),
        "mail.mailboxes.search" | "phone.transcripts.search" | "texts.search" => json!({"query": {"q": "refund"}}),
        "mail.messages.send" => {
            json!({"body": {"recipients": {"to": ["ada@example.com"]}, "subject": "Hi", "body_text": "Hello"}})
        }
        "phone.calls.place" => json!({"body": {"from_number": "+15550001111", "to_number": "+15551234567"}}),
        "texts.conversations.update" => json!({"body": {"is_read": true}}),
        "texts.send" | "imessage.messages.send" => json!({"body": {"to": "+15551234567", "text": "hi"}}),
        "imessage.reactions.send" => json!({"body": {"message_id": "m-1", "reaction": "like"}}),
        "imessage.conversations.mark_read" | "imessage.typing.send" => json!({"body": {"conversation_id": UUID}}),
        "imessage.media.upload" => json!({"body": {"content": "aGVsbG8=", "filename": "a.png"}}),
        "imessage.contact_rules.create" | "phone.contact_rules.create" => {
            json!({"body": {"action": "block", "match_target": "+15551234567"}})
        }
        "mail.contact_rules.create" => {
            json!({"body": {"action": "block", "match_type": "domain", "match_target": "spam.example"}})
        }
        "tunnels.sign_csr" => json!({"body": {"csr_pem": "-----BEGIN CERTIFICATE REQUEST-----"}}),
        "vault.initialize" => json!({"body": {
            "vault_key": key_material("primary"),
            "recovery_keys": [key_material("recovery"), key_material("recovery"), key_material("recovery"), key_material("recovery")],
        }}),
        "vault.unlock" => json!({"query": {"auth_hash": HASH}}),
        "vault.keys.update_primary" => json!({"body": {
            "id": UUID, "wrapped_org_encryption_key": "d3JhcHBlZA==", "auth_hash": HASH, "current_auth_hash": HASH,
        }}),
        "vault.secrets.create" => json!({"body": {
            "id": UUID, "name": "db", "secret_type": "login", "encrypted_payload": "cGF5bG9hZA==",
        }}),
        "vault.secrets.access.grant" => json!({"body": {"identity_id": UUID}}),
        "webhooks.subscriptions.create" => json!({"body": {
            "mailbox_id": UUID, "url": "https://example.com/hook", "event_types": ["message.received"],
        }}),
        "api_keys.create" => json!({"body": {"label": "ci"}}),
        "agentpost.inboxes.create" => json!({"body": {"username": "deploy-alerts", "display_name": "Deploys"}}),
        "contacts.lookup" => json!({"query": {"email": "ada@example.com"}}),
        "contacts.vcards.import" => json!({"body": {"content": "BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n"}}),
        "notes.create" => json!({"body": {"body": "hello"}}),
        "notes.access.grant" => json!({"body": {"identity_id": UUID}}),
        _ => json!({}),
    };
    if !path.is_empty() {
        args["path"] = Value::Object(path);
    }
    args
}

fn all_ops() -> Vec<&'static Operation> {
    catalog::all().chain(catalog::agentpost()).collect()
}

fn validation(e: &ApiError) -> (&str, &str) {
    match e {
        ApiError::Validation { field, message } => (field, message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn table_covers_exactly_the_catalog() {
    let table: Vec<&str> = operations().map(|o| o.name).collect();
    let unique: BTreeSet<&str> = table.iter().copied().collect();
    assert_eq!(unique.len(), table.len(), "an operation appears twice in the table");
    let catalog: BTreeSet<&str> = all_ops().iter().map(|o| o.name).collect();
    assert_eq!(catalog.len(), 131);
    assert_eq!(unique, catalog);
    for op in all_ops() {
        // Whatever else is wrong with `{}`, the name itself is known.
        if let Err(e) = build(op.name, &json!({})) {
            assert_ne!(validation(&e).0, "op", "{}: {e}", op.name);
        }
        assert_eq!(operation(op.name), Some(op));
    }
}

#[test]
fn every_operation_builds_and_parses_through_its_own_functions() {
    for op in all_ops() {
        let req = build(op.name, &sample(op)).unwrap_or_else(|e| panic!("{}: {e}", op.name));
        assert_eq!(req.operation.name, op.name);
        assert_eq!(req.method, op.method, "{}", op.name);
        // The parser is the operation's own: its errors carry the name.
        let body = r#"{"detail":"boom"}"#;
        match parse(op.name, &status(500, body)) {
            Err(ApiError::Status(e)) => assert_eq!(e.operation, op.name),
            other => panic!("{}: {other:?}", op.name),
        }
    }
}

// ------------------------------------------------- golden requests

#[test]
fn golden_requests_equal_the_typed_builders() {
    use crate::api::patch::Patch;
    let update = identities::UpdateIdentityRequest {
        display_name: Patch::Clear,
        description: Patch::Set("Sales".into()),
        ..Default::default()
    };
    let media = imessage::build_upload_media(b"hello", "a.png", Some("image/png"), Some(b"seed")).unwrap();
    let owner = webhook_subscriptions::SubscriptionOwner::from_parts(None, Some(UUID.into()), None).unwrap();
    let sub = webhook_subscriptions::CreateSubscriptionRequest::new(
        owner,
        "https://example.com/hook",
        vec![webhook_subscriptions::EventType::from_wire("text.received")],
    );
    let cases: Vec<(&str, Value, Request)> = vec![
        (
            "identities.update",
            json!({"path": {"handle": "@Sales-Bot"}, "body": {"display_name": null, "description": "Sales"}}),
            identities::build_update("@Sales-Bot", &update).unwrap(),
        ),
        (
            "signup.verify",
            json!({"api_key": "key-1", "body": {"verification_code": "123456"}}),
            signup::build_verify("key-1", "123456").unwrap(),
        ),
        (
            "mail.messages.list",
            json!({"path": {"email": "a@x.com"}, "query": {"limit": 20, "cursor": "c 1", "direction": "inbound"}}),
            mail::build_list_messages(
                "a@x.com",
                &mail::ListMessagesParams {
                    limit: 20,
                    cursor: Some("c 1".into()),
                    direction: Some(mail::MessageDirection::from_wire("inbound")),
                },
            )
            .unwrap(),
        ),
        (
            "domains.set_default",
            json!({"path": {"domain_encoded": "mail.acme.com"}}),
            mail::build_set_default_domain("mail.acme.com").unwrap(),
        ),
        (
            "phone.calls.list",
            json!({"path": {"phone_number_id": UUID}, "query": {"offset": 100, "is_blocked": false}}),
            phone::build_list_calls(
                UUID,
                &phone::ListCallsParams { offset: 100, is_blocked: Some(false), ..Default::default() },
            )
            .unwrap(),
        ),
        (
            "texts.send",
            json!({"path": {"phone_number_id": UUID}, "body": {"to": ["+15551234567", "+15557654321"], "text": "hi"}}),
            texts::build_send(
                UUID,
                &texts::SendTextRequest {
                    to: Some(texts::TextRecipients::Many(vec!["+15551234567".into(), "+15557654321".into()])),
                    text: Some("hi".into()),
                    ..Default::default()
                },
            )
            .unwrap(),
        ),
        (
            "imessage.media.upload",
            json!({"body": {"content": "aGVsbG8=", "filename": "a.png", "content_type": "image/png", "boundary_seed": "c2VlZA=="}}),
            media,
        ),
        (
            "tunnels.sign_csr",
            json!({"path": {"tunnel_id": UUID}, "body": {"csr_pem": "PEM"}}),
            tunnels::build_sign_csr(UUID, "PEM").unwrap(),
        ),
        (
            "vault.secrets.update",
            json!({"path": {"secret_id": UUID}, "body": {"name": "db", "description": null}}),
            vault::build_update_secret(
                UUID,
                &vault::UpdateSecretRequest {
                    name: Some("db".into()),
                    description: Patch::Clear,
                    encrypted_payload: None,
                },
            )
            .unwrap(),
        ),
        ("vault.keys.list", json!({"query": {"type": "PRIMARY"}}), vault::build_list_keys(Some("PRIMARY")).unwrap()),
        (
            "webhooks.subscriptions.create",
            json!({"body": {"phone_number_id": UUID, "url": "https://example.com/hook", "event_types": ["text.received"]}}),
            webhook_subscriptions::build_create(&sub).unwrap(),
        ),
        (
            "api_keys.create",
            json!({"body": {"label": "ci", "scoped_identity_id": UUID}}),
            keys::build_create_api_key(&keys::CreateApiKeyRequest {
                label: "ci".into(),
                description: None,
                scoped_identity_id: Some(UUID.into()),
            })
            .unwrap(),
        ),
        (
            "agentpost.inboxes.list",
            json!({"query": {"limit": 5, "cursor": "abc"}}),
            agentpost::build_list_inboxes(&agentpost::ListInboxesParams { limit: 5, cursor: Some("abc".into()) })
                .unwrap(),
        ),
        ("whoami.get", Value::Null, whoami::build_whoami().unwrap()),
    ];
    for (op, args, expected) in cases {
        let got = build(op, &args).unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(got.path_and_query, expected.path_and_query, "{op}");
        assert_eq!(got.body, expected.body, "{op}");
        assert_eq!(got, expected, "{op}");
    }
}

#[test]
fn defaults_match_the_typed_defaults() {
    let r = build("texts.list", &json!({"path": {"phone_number_id": UUID}})).unwrap();
    assert_eq!(r, texts::build_list(UUID, &texts::ListTextsParams::default()).unwrap());
    let r = build("mail.attachments.get", &sample(&mail::ops::ATTACHMENTS_GET)).unwrap();
    assert!(r.path_and_query.ends_with("/attachments/report.pdf?redirect=false"), "{}", r.path_and_query);
    let r = build("identities.access.grant", &json!({"path": {"handle": "a"}})).unwrap();
    assert_eq!(r, identities::build_grant_access("a", None).unwrap());
}

// ------------------------------------------------------------ errors

#[test]
fn argument_errors_name_their_location() {
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("nope.nothing", json!({}), "op", "unknown operation `nope.nothing`"),
        ("identities.get", json!([1]), "args", "must be a JSON object"),
        ("identities.get", json!({"path": {"handle": "a"}, "headers": {}}), "headers", "unknown argument"),
        ("identities.get", json!({}), "path.handle", "missing path parameter"),
        ("identities.get", json!({"path": {"handle": 7}}), "path.handle", "must be a string"),
        ("identities.get", json!({"path": {"handle": "a", "id": "b"}}), "path.id", "unknown path parameter"),
        ("identities.get", json!({"path": "a"}), "path", "must be a JSON object"),
        ("identities.get", json!({"path": {"handle": "a"}, "body": {"x": 1}}), "body", "takes no body"),
        ("identities.get", json!({"path": {"handle": "a"}, "query": {"x": 1}}), "query", "takes no query"),
        ("identities.list", json!({"api_key": "k"}), "api_key", "takes no api_key"),
        ("signup.status", json!({}), "api_key", "is required"),
        ("signup.status", json!({"api_key": 3}), "api_key", "must be a string"),
        ("identities.create", json!({"body": {}}), "body.agent_handle", "missing field `agent_handle`"),
        ("identities.create", json!({"body": {"agent_handle": 5}}), "body.agent_handle", "invalid type"),
        (
            "identities.create",
            json!({"body": {"agent_handle": "a", "mailbox": {"sending_domian": "x"}}}),
            "body.mailbox.sending_domian",
            "unknown field",
        ),
        ("identities.create", json!({"body": {"agent_handle": "a", "colour": 1}}), "body.colour", "unknown field"),
        (
            "mail.messages.send",
            json!({"path": {"email": "a@x.com"}, "body": {"recipients": {"to": ["a", 2]}, "subject": "s"}}),
            "body.recipients.to[1]",
            "invalid type",
        ),
        (
            "vault.initialize",
            json!({"body": {"vault_key": key_material("primary"), "recovery_keys": [key_material("recovery"), {"id": UUID}]}}),
            "body.recovery_keys[1].wrapped_org_encryption_key",
            "missing field",
        ),
        (
            "mail.messages.list",
            json!({"path": {"email": "a@x.com"}, "query": {"limit": "20"}}),
            "query.limit",
            "invalid type",
        ),
        (
            "mail.messages.list",
            json!({"path": {"email": "a@x.com"}, "query": {"page": 2}}),
            "query.page",
            "unknown field",
        ),
        ("mail.messages.list", json!({"path": {"email": "a@x.com"}, "query": 5}), "query", "must be a JSON object"),
        ("vault.unlock", json!({}), "query.auth_hash", "missing field"),
        ("imessage.media.upload", json!({"body": {"content": "@@", "filename": "a"}}), "body.content", "base64"),
        (
            "vault.keys.update_primary",
            json!({"body": {"id": UUID, "wrapped_org_encryption_key": "w", "auth_hash": HASH}}),
            "body",
            "exactly one of current_auth_hash and recovery_auth_hash",
        ),
    ];
    for (op, args, field, message) in cases {
        let e = build(op, &args).unwrap_err();
        assert_eq!(e.code(), "api.validation", "{op} {args}");
        let (f, m) = validation(&e);
        assert_eq!(f, field, "{op} {args}: {m}");
        assert!(m.contains(message), "{op} {args}: {m:?} lacks {message:?}");
    }
}

#[test]
fn access_grant_wildcard_only_from_null_or_absent_viewer() {
    let grant = |body: Option<Value>| {
        let mut args = json!({"path": {"handle": "sales-bot"}});
        if let Some(b) = body {
            args["body"] = b;
        }
        build("identities.access.grant", &args)
    };
    // A misspelled field, a non-object body: never a wildcard grant.
    for bad in [json!({"viewer_identity": UUID}), json!([]), json!([UUID]), json!("x"), json!(7), json!(true)] {
        let e = grant(Some(bad.clone())).unwrap_err();
        assert_eq!(e.code(), "api.validation", "{bad}");
    }
    // Only an explicit null or an absent viewer means "every identity".
    for wildcard in [None, Some(json!({})), Some(json!({"viewer_identity_id": null}))] {
        let r = grant(wildcard.clone()).unwrap();
        assert_eq!(r.body.as_deref(), Some(br#"{"viewer_identity_id":null}"#.as_slice()), "{wildcard:?}");
    }
    let r = grant(Some(json!({"viewer_identity_id": UUID}))).unwrap();
    assert_eq!(r.body.unwrap(), format!(r#"{{"viewer_identity_id":"{UUID}"}}"#).into_bytes());
}

#[test]
fn builder_checks_come_back_unchanged() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "texts.send",
            json!({"path": {"phone_number_id": UUID}, "body": {"to": "+15551234567", "conversation_id": UUID}}),
        ),
        ("texts.send", json!({"path": {"phone_number_id": UUID}, "body": {"to": "5551234"}})),
        ("mail.messages.list", json!({"path": {"email": "a@x.com"}, "query": {"limit": 0}})),
        (
            "mail.messages.send",
            json!({"path": {"email": "a@x.com"}, "body": {"recipients": {"to": []}, "subject": "s"}}),
        ),
        ("signup.verify", json!({"api_key": "k", "body": {"verification_code": "12"}})),
        ("vault.unlock", json!({"query": {"auth_hash": "ABC"}})),
        (
            "webhooks.subscriptions.create",
            json!({"body": {"url": "https://e.com", "event_types": ["message.received"]}}),
        ),
        (
            "webhooks.subscriptions.create",
            json!({"body": {"mailbox_id": UUID, "url": "http://e.com", "event_types": ["message.received"]}}),
        ),
        ("identities.get", json!({"path": {"handle": ""}})),
    ];
    for (op, args) in cases {
        let e = build(op, &args).unwrap_err();
        assert_eq!(e.code(), "api.validation", "{op}");
        // Same error as the typed path, field and message included.
        let typed = typed_error(op, &args);
        assert_eq!(e, typed, "{op} {args}");
    }
}

/// The error the typed builder gives for the same arguments.
fn typed_error(op: &str, args: &Value) -> ApiError {
    let body = || args["body"].clone();
    let path = |k: &str| args["path"][k].as_str().unwrap().to_owned();
    match op {
        "texts.send" => texts::build_send(&path("phone_number_id"), &serde_json::from_value(body()).unwrap()),
        "mail.messages.list" => {
            mail::build_list_messages(&path("email"), &serde_json::from_value(args["query"].clone()).unwrap())
        }
        "mail.messages.send" => mail::build_send_message(&path("email"), &serde_json::from_value(body()).unwrap()),
        "signup.verify" => signup::build_verify("k", args["body"]["verification_code"].as_str().unwrap()),
        "vault.unlock" => vault::build_unlock(args["query"]["auth_hash"].as_str().unwrap()),
        "webhooks.subscriptions.create" => {
            let b = &args["body"];
            let s = |k: &str| b[k].as_str().map(ToOwned::to_owned);
            webhook_subscriptions::CreateSubscriptionRequest::from_parts(
                s("mailbox_id"),
                s("phone_number_id"),
                s("agent_identity_id"),
                s("url"),
                serde_json::from_value(b["event_types"].clone()).ok(),
            )
            .and_then(|r| webhook_subscriptions::build_create(&r))
        }
        "identities.get" => identities::build_get(&path("handle")),
        other => panic!("{other}"),
    }
    .unwrap_err()
}

// ----------------------------------------------------------- parsing

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// One response per family; the serialized keys are the wire fields of
/// the spec's tables (spec/<family>.md).
#[test]
fn parsed_models_serialize_with_wire_names() {
    let ts = "2026-03-09T00:00:00Z";
    let cases: Vec<(&str, Value, &[&str])> = vec![
        (
            "identities.update",
            json!({"id": UUID, "organization_id": "org_1", "agent_handle": "sales-bot", "display_name": "Sales",
                   "description": null, "email_address": "sales-bot@inkboxmail.com", "imessage_enabled": true,
                   "imessage_filter_mode": "whitelist", "created_at": ts, "updated_at": ts}),
            &[
                "id",
                "organization_id",
                "agent_handle",
                "display_name",
                "description",
                "email_address",
                "imessage_enabled",
                "imessage_filter_mode",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "signup.verify",
            json!({"claim_status": "agent_claimed", "organization_id": "org_1", "message": "ok"}),
            &["claim_status", "organization_id", "message"],
        ),
        (
            "mail.mailboxes.get",
            json!({"id": UUID, "email_address": "a@inkboxmail.com", "sending_domain": "inkboxmail.com",
                   "filter_mode": "blacklist", "agent_identity_id": UUID, "filter_mode_change_notice": null,
                   "created_at": ts, "updated_at": ts}),
            &[
                "id",
                "email_address",
                "sending_domain",
                "filter_mode",
                "agent_identity_id",
                "filter_mode_change_notice",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "phone.numbers.get",
            json!({"id": UUID, "number": "+15551234567", "type": "local", "status": "active", "sms_status": "ready",
                   "sms_error_code": null, "sms_error_detail": null, "sms_ready_at": ts, "incoming_call_action": "webhook",
                   "client_websocket_url": null, "incoming_call_webhook_url": "https://example.com/calls",
                   "filter_mode": "whitelist", "state": "NY", "agent_identity_id": UUID,
                   "filter_mode_change_notice": null, "created_at": ts, "updated_at": ts}),
            &[
                "id",
                "number",
                "type",
                "status",
                "sms_status",
                "sms_error_code",
                "sms_error_detail",
                "sms_ready_at",
                "incoming_call_action",
                "client_websocket_url",
                "incoming_call_webhook_url",
                "filter_mode",
                "state",
                "agent_identity_id",
                "filter_mode_change_notice",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "sms_opt_ins.get",
            json!({"id": "o-1", "organization_id": "org_1", "receiver_number": "+15551234567", "status": "opted_in",
                   "source": "sms", "opted_in_at": ts, "opted_out_at": null, "created_at": ts, "updated_at": ts}),
            &[
                "id",
                "organization_id",
                "receiver_number",
                "status",
                "source",
                "opted_in_at",
                "opted_out_at",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "imessage.contact_rules.get",
            json!({"id": "rule-1", "agent_identity_id": UUID, "action": "block", "match_type": "exact_number",
                   "match_target": "+15555550999", "status": "active", "created_at": ts, "updated_at": ts}),
            &["id", "agent_identity_id", "action", "match_type", "match_target", "status", "created_at", "updated_at"],
        ),
        (
            "tunnels.get",
            json!({"id": UUID, "organization_id": "org_1", "tunnel_name": "my-agent", "tls_mode": "passthrough",
                   "cert_pem": null, "cert_fingerprint_sha256": null, "cert_expires_at": null, "status": "awaiting_cert",
                   "last_connected_at": ts, "last_connected_ip_addr": "203.0.113.7", "currently_connected": true,
                   "public_host": "my-agent.inkboxwire.com", "zone": "inkboxwire.com", "metadata": {"team": "gtm"},
                   "created_at": ts, "updated_at": ts}),
            &[
                "id",
                "organization_id",
                "tunnel_name",
                "tls_mode",
                "cert_pem",
                "cert_fingerprint_sha256",
                "cert_expires_at",
                "status",
                "last_connected_at",
                "last_connected_ip_addr",
                "currently_connected",
                "public_host",
                "zone",
                "metadata",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "vault.secrets.access.grant",
            json!({"id": UUID, "vault_secret_id": UUID, "identity_id": UUID, "created_at": ts}),
            &["id", "vault_secret_id", "identity_id", "created_at"],
        ),
        (
            "webhooks.subscriptions.get",
            json!({"id": UUID, "organization_id": "org_2abc", "mailbox_id": UUID, "phone_number_id": null,
                   "agent_identity_id": null, "url": "https://example.com/hook",
                   "event_types": ["message.received"], "status": "active", "created_at": ts, "updated_at": ts}),
            &[
                "id",
                "organization_id",
                "mailbox_id",
                "phone_number_id",
                "agent_identity_id",
                "url",
                "event_types",
                "status",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "api_keys.create",
            json!({"api_key": "ApiKey_secret", "record": {"id": "ApiKey_1", "organization_id": "org_1",
                   "label": "ci", "status": "active", "created_at": ts, "updated_at": ts}}),
            &["api_key", "record"],
        ),
        (
            "agentpost.inboxes.get",
            json!({"id": "inb_abc123", "email": "deploy-alerts-x7k9@shared.agent-post.dev", "username": "deploy-alerts",
                   "display_name": "Deployment Alerts", "domain": "shared.agent-post.dev", "client_id": null,
                   "send_paused": false}),
            &["id", "email", "username", "display_name", "domain", "client_id", "send_paused"],
        ),
    ];
    for (op, wire, fields) in cases {
        let text = wire.to_string();
        let parsed = parse(op, &ok(&text)).unwrap_or_else(|e| panic!("{op}: {e}"));
        let want: BTreeSet<&str> = fields.iter().copied().collect();
        assert_eq!(keys(&parsed), want, "{op}: {parsed}");
        // Values keep their wire form too.
        for f in fields {
            if !f.ends_with("_at") && *f != "record" {
                assert_eq!(parsed[f], wire[f], "{op}.{f}");
            }
        }
    }
}

#[test]
fn unit_results_and_lists_serialize_plainly() {
    let empty = Response::new(204, &[], b"");
    assert_eq!(parse("identities.delete", &empty).unwrap(), Value::Null);
    assert_eq!(parse("vault.info", &status(404, "")).unwrap(), Value::Null);
    assert_eq!(parse("domains.set_default", &ok(r#"{"default_domain":null}"#)).unwrap(), Value::Null);
    let page = parse("mail.threads.list", &ok(r#"{"items":[],"next_cursor":"c2","has_more":true}"#)).unwrap();
    assert_eq!(page, json!({"items": [], "next_cursor": "c2", "has_more": true}));
    let e = parse("identities.get", &status(404, r#"{"detail":"Not Found"}"#)).unwrap_err();
    assert_eq!(e.code(), "api.not_found");
    let e = parse("identities.get", &ok("{")).unwrap_err();
    assert_eq!(e.code(), "api.decode");
    assert_eq!(validation(&parse("x.y", &ok("{}")).unwrap_err()).0, "op");
}

#[test]
fn result_types_name_each_parser_output() {
    assert_eq!(result_type("mail.messages.get").as_deref(), Some("MessageDetail"));
    assert_eq!(result_type("phone.numbers.list").as_deref(), Some("Vec<PhoneNumber>"));
    assert_eq!(result_type("mail.messages.list").as_deref(), Some("CursorPage<MessageRef>"));
    assert_eq!(result_type("vault.info").as_deref(), Some("Option<VaultInfo>"));
    assert_eq!(result_type("mail.messages.delete").as_deref(), Some("()"));
    assert_eq!(result_type("no.such.op"), None);
    for op in operations() {
        let t = result_type(op.name).unwrap_or_default();
        assert!(!t.is_empty() && !t.contains("::") && !t.contains('\''), "{}: {t}", op.name);
    }
}

#[test]
fn short_type_names() {
    assert_eq!(short_type_name("alloc::vec::Vec<a::b::C<'_>>"), "Vec<C>");
    assert_eq!(short_type_name("x::Pair<'a, y::Z>"), "Pair<Z>");
    assert_eq!(short_type_name("core::option::Option<alloc::string::String>"), "Option<String>");
    assert_eq!(short_type_name("()"), "()");
}

#[test]
fn parse_into_writes_into_any_serializer() {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::new(&mut out);
    parse_into("texts.update_missing", &ok("{}"), &mut ser).unwrap_err();
    parse_into(
        "vault.secrets.access.list",
        &ok(r#"[{"id":"a","vault_secret_id":"b","identity_id":"c","created_at":"2026-03-09T00:00:00Z"}]"#),
        &mut ser,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(r#"[{"id":"a","vault_secret_id":"b","identity_id":"c","created_at":"2026-03-09T00:00:00"#),
        "{text}"
    );
}

// -------------------------------------------------------- pagination

#[test]
fn cursor_pages_follow_next_cursor_and_stop() {
    let args = json!({"path": {"email": "a@x.com"}, "query": {"limit": 10}});
    let page = json!({"items": [1, 2], "next_cursor": "c2", "has_more": true});
    let next = next_page_args("mail.messages.list", &args, &page).unwrap().unwrap();
    assert_eq!(next, json!({"path": {"email": "a@x.com"}, "query": {"limit": 10, "cursor": "c2"}}));
    // The same cursor again, no more pages, or no cursor: stop.
    assert_eq!(next_page_args("mail.messages.list", &next, &page).unwrap(), None);
    let last = json!({"items": [], "next_cursor": null, "has_more": false});
    assert_eq!(next_page_args("mail.messages.list", &args, &last).unwrap(), None);
    let odd = json!({"items": [], "next_cursor": null, "has_more": true});
    assert_eq!(next_page_args("mail.messages.list", &args, &odd).unwrap(), None);
    // AgentPost's page shapes are normalized by its parser first.
    let resp = ok(r#"{"inboxes":[],"next_cursor":"n"}"#);
    let next = next_page_args_from_response("agentpost.inboxes.list", &Value::Null, &resp).unwrap().unwrap();
    assert_eq!(next, json!({"query": {"cursor": "n"}}));
    assert!(build("agentpost.inboxes.list", &next).unwrap().path_and_query.ends_with("?limit=20&cursor=n"));
}

#[test]
fn offset_pages_advance_until_a_short_page() {
    let args = json!({"path": {"phone_number_id": UUID}, "query": {"limit": 2}});
    let next = next_page_args("texts.list", &args, &json!([1, 2])).unwrap().unwrap();
    assert_eq!(next["query"], json!({"limit": 2, "offset": 2}));
    let next = next_page_args("texts.list", &next, &json!([3, 4])).unwrap().unwrap();
    assert_eq!(next["query"]["offset"], 4);
    assert_eq!(next_page_args("texts.list", &next, &json!([5])).unwrap(), None);
    // The default limit (50) is what was sent when none was given.
    let args = json!({"path": {"phone_number_id": UUID}});
    let next = next_page_args("texts.list", &args, &json!(vec![0u8; 50])).unwrap().unwrap();
    assert_eq!(next["query"], json!({"offset": 50}));
    assert_eq!(next_page_args("texts.list", &args, &json!(vec![0u8; 49])).unwrap(), None);
    // No limit sent at all: only an empty page ends the list.
    let next = next_page_args("sms_opt_ins.list", &json!({}), &json!([1, 2, 3])).unwrap().unwrap();
    assert_eq!(next, json!({"query": {"offset": 3}}));
    assert_eq!(next_page_args("sms_opt_ins.list", &next, &json!([])).unwrap(), None);
}

#[test]
fn unpaged_operations_have_no_next_page() {
    assert_eq!(next_page_args("identities.list", &json!({}), &json!([1])).unwrap(), None);
    let args = json!({"path": {"email": "a@x.com"}, "query": {"q": "x"}});
    let page = json!({"items": [1], "next_cursor": "c", "has_more": true});
    assert_eq!(next_page_args("mail.mailboxes.search", &args, &page).unwrap(), None);
    let e = next_page_args("texts.list", &json!({"path": {"phone_number_id": UUID}}), &json!({})).unwrap_err();
    assert_eq!(validation(&e).0, "page");
}
