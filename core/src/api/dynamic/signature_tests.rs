//! The described signatures (`signatures.rs`, generated from
//! `surface/*.toml`) against core: the operations, results and arguments
//! the description states must be the ones the dispatch table builds and
//! parses.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use alloc::borrow::ToOwned;
use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value, json};

use super::args::template_params;
use super::signature::{EnumType, Param, Place, Presence, Signature, Type};
use super::*;

/// Operations of the dispatch table the description does not name, and why.
const UNDESCRIBED: &[(&str, &str)] = &[
    ("agentpost.inboxes.create", "AgentPost (bearer auth): no binding exposes it yet"),
    ("agentpost.inboxes.delete", "AgentPost (bearer auth): no binding exposes it yet"),
    ("agentpost.inboxes.get", "AgentPost (bearer auth): no binding exposes it yet"),
    ("agentpost.inboxes.list", "AgentPost (bearer auth): no binding exposes it yet"),
    ("agentpost.inboxes.update", "AgentPost (bearer auth): no binding exposes it yet"),
    ("contacts.access.grant", "hand-written ContactsResource mixin (identity id or every identity)"),
    ("contacts.create", "hand-written ContactsResource mixin (the contact built from keyword arguments)"),
    ("domains.set_default", "hand-written DomainsResource mixin"),
    ("identities.signing_key.create", "no public method"),
    ("identities.signing_key.get", "no public method"),
    ("imessage.media.upload", "hand-written IMessagesResource mixin (a file or bytes, multipart)"),
    ("mail.attachments.get", "hand-written MessagesResource mixin (the URL mapped to a dict)"),
    ("mail.mailboxes.update", "hand-written MailboxesResource mixin"),
    ("mail.messages.send", "hand-written MessagesResource mixin (the recipients object built from to/cc/bcc)"),
    ("signing_keys.create", "hand-written Inkbox.create_signing_key"),
    ("signing_keys.get", "no public method"),
    ("signup.create", "hand-written Inkbox.signup (before any client exists)"),
    ("signup.resend_verification", "hand-written Inkbox.resend_signup_verification (signup key)"),
    ("signup.status", "hand-written Inkbox.get_signup_status (signup key)"),
    ("signup.verify", "hand-written Inkbox.verify_signup (signup key)"),
    ("vault.info", "hand-written vault resource (client-side encryption)"),
    ("vault.initialize", "hand-written vault resource (client-side encryption)"),
    ("vault.keys.list", "hand-written vault resource (client-side encryption)"),
    ("vault.keys.revoke", "hand-written vault resource (client-side encryption)"),
    ("vault.keys.update_primary", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.access.grant", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.access.list", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.access.revoke", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.create", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.delete", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.get", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.list", "hand-written vault resource (client-side encryption)"),
    ("vault.secrets.update", "hand-written vault resource (client-side encryption)"),
    ("vault.unlock", "hand-written vault resource (client-side encryption)"),
    ("whoami.get", "hand-written Inkbox.whoami (a union of two shapes)"),
];

/// Where the described method deliberately returns another shape than core's
/// parser: (operation, core's result, why).
const RESULT_SHAPES: &[(&str, &str, &str)] = &[(
    "mail.mailboxes.search",
    "CursorPage<Message>",
    "one page of search results, read as a list (the official surface)",
)];

const UUID: &str = "5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10";

fn validation(e: &ApiError) -> (&str, &str) {
    match e {
        ApiError::Validation { field, message } => (field, message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Core's result type name with borrowed `…Ref` models read as their owned
/// models (`CursorPage<MessageRef>` → `CursorPage<Message>`).
fn owned(rust: &str) -> String {
    let mut out = String::with_capacity(rust.len());
    let mut ident = String::new();
    for c in rust.chars().chain(core::iter::once(' ')) {
        if c.is_alphanumeric() || c == '_' {
            ident.push(c);
            continue;
        }
        let name = ident.strip_suffix("Ref").filter(|s| !s.is_empty()).unwrap_or(&ident);
        out.push_str(name);
        ident.clear();
        out.push(c);
    }
    out.pop();
    out
}

#[test]
fn owned_names_drop_ref() {
    assert_eq!(owned("CursorPage<MessageRef>"), "CursorPage<Message>");
    assert_eq!(owned("Vec<Ref>"), "Vec<Ref>");
    assert_eq!(owned("()"), "()");
}

#[test]
fn signatures_are_sorted_and_found_by_name() {
    let names: Vec<&str> = signatures().iter().map(|s| s.op).collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    assert!(names.len() >= 90, "{}", names.len());
    for s in signatures() {
        assert_eq!(signature(s.op), Some(s));
    }
    assert_eq!(signature("vault.info"), None);
    assert_eq!(signature("nope"), None);
    let list = signature("texts.list").unwrap();
    assert_eq!(list.returns, "[TextMessage]");
    let limit = list.param(Place::Query, "limit").unwrap();
    assert_eq!((limit.ty, limit.presence), (Type::Int, Presence::Default("50")));
    assert_eq!(list.param(Place::Path, "phone_number_id").unwrap().presence, Presence::Required);
    assert_eq!(list.param(Place::Body, "limit"), None);
}

#[test]
fn types_print_in_the_description_language() {
    let send = signature("texts.send").unwrap();
    assert_eq!(send.param(Place::Body, "to").unwrap().ty.to_string(), "string|[string]?");
    let create = signature("webhooks.subscriptions.create").unwrap();
    assert_eq!(create.param(Place::Body, "event_types").unwrap().ty.to_string(), "[WebhookEventType]");
    assert_eq!(Type::Map(&Type::Literal("a")).to_string(), "{\"a\"}");
    assert_eq!(Place::Query.as_str(), "query");
}

#[test]
fn the_described_operations_are_the_table_but_the_listed_ones() {
    let table: BTreeSet<&str> = operations().map(|o| o.name).collect();
    for s in signatures() {
        assert!(table.contains(s.op), "{}: described, but not in core's table", s.op);
    }
    let undescribed: BTreeSet<&str> = UNDESCRIBED.iter().map(|(op, _)| *op).collect();
    assert_eq!(undescribed.len(), UNDESCRIBED.len(), "UNDESCRIBED lists an operation twice");
    for op in &table {
        match (signature(op), undescribed.contains(op)) {
            (Some(_), true) => panic!("{op}: described now; drop it from UNDESCRIBED"),
            (None, false) => panic!("{op}: in core's table, but neither described nor in UNDESCRIBED"),
            _ => {}
        }
    }
    for op in &undescribed {
        assert!(table.contains(op), "{op}: in UNDESCRIBED, but not in core's table");
    }
}

#[test]
fn described_results_are_what_core_parses() {
    for s in signatures() {
        let core = owned(&result_type(s.op).unwrap());
        match RESULT_SHAPES.iter().find(|(op, ..)| *op == s.op) {
            Some((_, expected, why)) => {
                assert_eq!(core, *expected, "{}: core's result changed ({why})", s.op);
                assert_ne!(s.result, core, "{}: described as core parses it now; drop it from RESULT_SHAPES", s.op);
            }
            None => assert_eq!(s.result, core, "{}: described as {:?} ({})", s.op, s.result, s.returns),
        }
    }
}

#[test]
fn path_parameters_are_the_catalog_templates() {
    for s in signatures() {
        let op = operation(s.op).unwrap();
        let described: Vec<&str> = s.params.iter().filter(|p| p.place == Place::Path).map(|p| p.name).collect();
        let template: Vec<&str> = template_params(op.path).collect();
        let mut sorted = described.clone();
        sorted.sort_unstable();
        let mut expected = template.clone();
        expected.sort_unstable();
        assert_eq!(sorted, expected, "{}: path parameters of {}", s.op, op.path);
        for p in s.params.iter().filter(|p| p.place == Place::Path) {
            assert_eq!(p.presence, Presence::Required, "{}: path parameter {}", s.op, p.name);
        }
    }
}

// ------------------------------------------------- sample arguments

/// A string for parameter `name`: the few strings core checks the form of.
fn string_sample(name: &str) -> &'static str {
    match name {
        "email" => "sales-bot@inkboxmail.com",
        "handle" | "agent_handle" => "sales-bot",
        "domain_encoded" => "mail.acme.com",
        "key" | "receiver_number" | "to" | "to_number" | "from_number" | "match_target" => "+15551234567",
        "url" => "https://example.com/hook",
        "content_type" => "text/vcard",
        _ => "sample",
    }
}

/// A value of `ty` for the parameter or field `name`; `all`: a model's
/// nullable fields too.
fn sample(ty: &Type, name: &str, all: bool) -> Value {
    match ty {
        Type::String | Type::Bytes => Value::from(string_sample(name)),
        Type::Int => Value::from(5),
        Type::Float => Value::from(1.5),
        Type::Bool => Value::from(true),
        Type::Uuid => Value::from(UUID),
        Type::DateTime => Value::from("2026-01-02T03:04:05Z"),
        Type::Date => Value::from("2026-01-02"),
        Type::Binary => Value::from("c2FtcGxl"),
        Type::Json => Value::Null,
        Type::Literal(s) => Value::from(*s),
        Type::Enum(e) => Value::from(e.values[0]),
        Type::Model(m) => Value::Object(
            m.fields
                .iter()
                .filter(|f| all || !matches!(f.ty, Type::Nullable(_)))
                .map(|f| (f.name.to_owned(), sample(&f.ty, f.name, all)))
                .collect(),
        ),
        Type::List(t) => Value::Array(alloc::vec![sample(t, name, all)]),
        Type::Map(t) => json!({ "key": sample(t, name, all) }),
        Type::Union(items) => sample(&items[0], name, all),
        Type::Nullable(t) => sample(t, name, all),
    }
}

/// `params` as the argument object of [`build`].
fn args_of<'p>(params: impl IntoIterator<Item = (&'p Param, Value)>) -> Value {
    let mut args = Map::new();
    for (p, value) in params {
        let section = args.entry(p.place.as_str()).or_insert_with(|| Value::Object(Map::new()));
        section.as_object_mut().unwrap().insert(p.name.to_owned(), value);
    }
    Value::Object(args)
}

/// Optional parameters of which the typed builder wants exactly one:
/// (operation, the one the base arguments give).
const ONE_OF: &[(&str, &str)] = &[
    ("contacts.lookup", "email"),
    ("imessage.messages.send", "to"),
    ("texts.send", "to"),
    ("webhooks.subscriptions.create", "mailbox_id"),
];

/// `json` parameters whose value core types more narrowly than the
/// description: (operation, parameter, a value core takes).
const JSON_SAMPLES: &[(&str, &str, &str)] = &[
    ("imessage.contact_rules.create", "action", "\"block\""),
    // `null` clears a field; a note's body cannot be cleared.
    ("notes.update", "body", "\"text\""),
];

fn param_sample(op: &str, p: &Param, all: bool) -> Value {
    match JSON_SAMPLES.iter().find(|(o, name, _)| *o == op && *name == p.name) {
        Some((.., value)) => serde_json::from_str(value).unwrap(),
        None => sample(&p.ty, p.name, all),
    }
}

/// The required parameters of `s`, and the one of [`ONE_OF`] it needs.
fn required(s: &Signature) -> impl Iterator<Item = (&'static Param, Value)> {
    let one = ONE_OF.iter().find(|(op, _)| *op == s.op).map(|(_, name)| *name);
    s.params
        .iter()
        .filter(move |p| p.presence == Presence::Required || Some(p.name) == one)
        .map(|p| (p, param_sample(s.op, p, false)))
}

fn every(s: &Signature) -> impl Iterator<Item = (&'static Param, Value)> {
    s.params.iter().map(|p| (p, param_sample(s.op, p, true)))
}

/// Operations whose every parameter at once the typed builder refuses, by
/// design (parameters that exclude each other): (operation, the error field
/// core names). Names, places and types were accepted before that check.
const BUILDER_REFUSES: &[(&str, bool, &str)] = &[
    ("contacts.lookup", true, "lookup"),
    ("imessage.messages.send", true, "to"),
    ("texts.send", true, "to"),
    ("webhooks.subscriptions.create", true, "owner"),
    ("webhooks.subscriptions.list", true, "owner"),
];

/// Described enum values the typed builder refuses with the base arguments
/// (see [`required`]): (operation, parameter, value or its prefix, why).
const ENUM_REFUSED: &[(&str, &str, &str, &str)] = &[
    ("imessage.reactions.send", "reaction", "custom", "custom reactions are inbound-only"),
    ("webhooks.subscriptions.create", "event_types", "phone.incoming_call", "set on the phone number instead"),
    ("webhooks.subscriptions.create", "event_types", "text.", "a mailbox_id subscription takes message.* only"),
    ("webhooks.subscriptions.create", "event_types", "imessage.", "a mailbox_id subscription takes message.* only"),
    ("webhooks.subscriptions.update", "event_types", "phone.incoming_call", "set on the phone number instead"),
];

fn expect_build(op: &str, all: bool, args: &Value) -> Option<String> {
    let expected = BUILDER_REFUSES.iter().find(|(o, a, _)| *o == op && *a == all).map(|(.., field)| *field);
    match (build(op, args), expected) {
        (Ok(req), None) if req.operation.name == op => None,
        (Ok(_), None) => Some(format!("{op}: built another operation")),
        (Ok(_), Some(field)) => Some(format!("{op} (all: {all}): builds now; drop ({field}) from BUILDER_REFUSES")),
        (Err(e), Some(field)) if validation(&e).0 == field => None,
        (Err(e), _) => Some(format!("{op} (all: {all}): {e}; args: {args}")),
    }
}

#[test]
fn sample_arguments_of_each_signature_build() {
    let mut failures = Vec::new();
    for s in signatures() {
        failures.extend(expect_build(s.op, false, &args_of(required(s))));
        let all = args_of(every(s));
        failures.extend(expect_build(s.op, true, &all));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn query_parameters_are_sent_in_the_query() {
    for s in signatures() {
        let all = args_of(every(s));
        let Ok(req) = build(s.op, &all) else { continue };
        let query = req.path_and_query.split_once('?').map_or("", |(_, q)| q);
        let sent: BTreeSet<&str> = query.split('&').map(|kv| kv.split_once('=').map_or(kv, |(k, _)| k)).collect();
        // A `json` parameter's sample is `null`: not sent.
        for p in s.params.iter().filter(|p| p.place == Place::Query && !param_sample(s.op, p, true).is_null()) {
            assert!(sent.contains(p.name), "{}: query parameter {} not sent ({})", s.op, p.name, req.path_and_query);
        }
    }
}

fn enum_of(ty: &Type) -> Option<&'static EnumType> {
    match ty {
        Type::Enum(e) => Some(e),
        Type::Nullable(t) | Type::List(t) => enum_of(t),
        _ => None,
    }
}

#[test]
fn every_described_enum_value_and_default_builds() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for s in signatures() {
        for p in s.params {
            let mut values = Vec::new();
            if let Some(e) = enum_of(&p.ty) {
                let list = matches!(p.ty, Type::List(_)) || matches!(p.ty, Type::Nullable(Type::List(_)));
                let refused =
                    |v: &&str| ENUM_REFUSED.iter().any(|(o, n, r, _)| *o == s.op && *n == p.name && v.starts_with(r));
                values
                    .extend(e.values.iter().filter(|v| !refused(v)).map(|v| if list { json!([v]) } else { json!(v) }));
            }
            if let Presence::Default(text) = p.presence {
                values.push(serde_json::from_str(text).unwrap());
            }
            for value in values {
                let others = required(s).filter(|(q, _)| q.name != p.name || q.place != p.place);
                let args = args_of(others.chain(core::iter::once((p, value.clone()))));
                if let Err(e) = build(s.op, &args) {
                    failures.push(format!("{}: {} {} = {value}: {e}", s.op, p.place.as_str(), p.name));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 100, "{checked}");
}

#[test]
fn parameters_outside_the_signature_are_refused() {
    const NAME: &str = "not_a_described_parameter";
    let mut failures = Vec::new();
    for s in signatures() {
        for place in [Place::Path, Place::Query, Place::Body] {
            let mut args = args_of(required(s));
            let section = args.as_object_mut().unwrap().entry(place.as_str()).or_insert_with(|| json!({}));
            section.as_object_mut().unwrap().insert(NAME.to_owned(), Value::from("x"));
            let at = format!("{}.{NAME}", place.as_str());
            match build(s.op, &args) {
                Ok(_) => failures.push(format!("{}: {at} accepted", s.op)),
                Err(ApiError::Validation { field, .. }) if field == at || field == place.as_str() => {}
                Err(e) => failures.push(format!("{}: {at} refused as {e}", s.op)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
