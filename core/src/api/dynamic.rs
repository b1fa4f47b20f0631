//! Every operation behind one entry point, addressed by its catalog name.
//!
//! Language bindings call [`build`] with an operation name and a JSON
//! argument object, send the [`Request`], and hand the [`Response`] to
//! [`parse_into`] (any [`serde::Serializer`], e.g. one that creates native
//! objects) or [`parse`] (a [`serde_json::Value`]). Both dispatch through one
//! table to the typed `build_*` and `parse_*` functions of the resource
//! modules, so every client-side check and every response rule stays there;
//! this module only maps JSON arguments onto their inputs.
//!
//! # Arguments
//!
//! `args` is a JSON object with up to four keys (`null` counts as `{}`):
//!
//! | key | value |
//! |---|---|
//! | `path` | an object with one string per `{param}` of the operation's catalog path template, named as in the template (so `domains.set_default` takes `domain_encoded`; the value is the raw domain, core encodes it) |
//! | `query` | an object of the query parameters, named as on the wire (e.g. `limit`, `cursor`, `offset`; `vault.keys.list` takes `type`) |
//! | `body` | the JSON request body, with the wire's field names (the same object the typed input type deserializes from) |
//! | `api_key` | a string: the signup key that `signup.verify`, `signup.resend_verification` and `signup.status` authenticate with |
//!
//! `query` and `body` deserialize into the operation's input type (e.g.
//! [`CreateIdentityRequest`](super::identities::CreateIdentityRequest),
//! [`ListMessagesParams`](super::mail::ListMessagesParams)): absent optional
//! fields take the typed builder's defaults, `null` clears a PATCH field that
//! accepts it, and tri-state fields follow [`Patch`](super::Patch) (absent /
//! `null` / value). A missing `query` or `body` is read as `{}`.
//!
//! Examples, one per kind of operation:
//!
//! ```json
//! // no arguments: identities.list, whoami.get, vault.info
//! {}
//! // path only: identities.get
//! {"path": {"handle": "sales-bot"}}
//! // body only: identities.create
//! {"body": {"agent_handle": "sales-bot", "display_name": "Sales", "mailbox": {"sending_domain": null}}}
//! // path + body: mail.messages.send
//! {"path": {"email": "sales-bot@inkboxmail.com"},
//!  "body": {"recipients": {"to": ["ada@example.com"]}, "subject": "Hi", "body_text": "Hello"}}
//! // path + query, cursor paged: mail.messages.list
//! {"path": {"email": "sales-bot@inkboxmail.com"}, "query": {"limit": 20, "direction": "inbound"}}
//! // query only, offset paged: imessage.messages.list
//! {"query": {"limit": 100, "offset": 200, "is_read": false}}
//! // query + body: imessage.messages.send
//! {"query": {"agent_identity_id": "…"}, "body": {"to": "+15551234567", "text": "hi"}}
//! // signup key: signup.verify
//! {"api_key": "ApiKey_…", "body": {"verification_code": "123456"}}
//! ```
//!
//! Operations whose typed builder takes loose arguments instead of one input
//! type read them from these objects:
//!
//! | operation | arguments |
//! |---|---|
//! | `identities.access.grant` | body `{"viewer_identity_id"?: string \| null}` (absent or null: every identity) |
//! | `mail.mailboxes.search` | query `{"q": string, "limit"?: int}` |
//! | `mail.attachments.get` | query `{"redirect"?: bool}` (default `false`) |
//! | `domains.list` | query `{"status"?: string}` |
//! | `imessage.messages.send` | query `{"agent_identity_id"?: string}` beside the body |
//! | `imessage.conversations.get` | query `{"agent_identity_id"?: string}` |
//! | `imessage.conversations.mark_read`, `imessage.typing.send` | body `{"conversation_id": string}` |
//! | `imessage.media.upload` | body `{"content": base64, "filename": string, "content_type"?: string, "boundary_seed"?: base64}`: the part of the multipart body core writes |
//! | `tunnels.sign_csr` | body `{"csr_pem": string}` |
//! | `vault.unlock` | query `{"auth_hash": string}` |
//! | `vault.keys.list` | query `{"type"?: string}` |
//! | `vault.secrets.list` | query `{"secret_type"?: string}` |
//! | `vault.secrets.access.grant` | body `{"identity_id": string}` |
//! | `webhooks.subscriptions.create` | body `{"url", "event_types", "mailbox_id" \| "phone_number_id" \| "agent_identity_id"}` |
//! | `signup.verify` | `api_key` and body `{"verification_code": string}` |
//! | `signup.resend_verification`, `signup.status` | `api_key` |
//!
//! Every mistake is an [`ApiError::Validation`] whose `field` locates it:
//! `op` (unknown operation), `args` (not an object), the top-level key
//! (`api_key`, an unknown key, or a `query`/`body` the operation does not
//! take), `path.<param>` (missing, not a string, or unknown), or the dotted
//! path inside `query`/`body` (`body.recipients.to`, `body.recovery_keys[2]`:
//! wrong type, unknown field, missing field). Nothing panics. Failures of the
//! typed builder's own checks come back unchanged, with their own field names.
//!
//! # Responses
//!
//! [`parse_into`] serializes the typed model, so keys are the wire names and
//! values the wire forms (timestamps as ISO-8601 strings, enums as their wire
//! strings). Operations without a response model (deletes and the like)
//! serialize unit (`null` / `None`).
//!
//! # Pagination
//!
//! [`operation`] gives the catalog entry, whose [`Paging`] says how a list
//! pages. After each page, [`next_page_args`] (from the value [`parse`]
//! returned) or [`next_page_args_from_response`] (from the response, for a
//! binding that parsed into its own objects) returns the arguments of the
//! next page, or `None` after the last one. The rules are those of
//! [`CursorPager`] and [`OffsetPager`]: a cursor list stops when `has_more` is
//! false, `next_cursor` is missing, or the cursor repeats; an offset list
//! stops at a page shorter than the `limit` it was requested with (or, when no
//! `limit` was sent, at an empty page). `limit`-only and unpaged operations
//! have no next page.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::catalog::{self, Operation, Paging};
use super::error::ApiError;
use super::paginate::{CursorPage, CursorPager, OffsetPager};
use super::request::{Request, Response};
use super::{
    agentpost, contacts, identities, imessage, mail, misc, notes, phone, signup, texts, tunnels, vault, webhooks,
};

// ------------------------------------------------------------- public API

/// The catalog entry of `name`, Inkbox or AgentPost.
pub fn operation(name: &str) -> Option<&'static Operation> {
    catalog::all().chain(catalog::agentpost()).find(|op| op.name == name)
}

/// Every operation [`build`] and [`parse`] accept, in table order.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    TABLE.iter().copied()
}

/// Builds the request of operation `op` from JSON arguments (see the module
/// docs for their shape).
pub fn build(op: &str, args: &Value) -> Result<Request, ApiError> {
    let operation = lookup(op)?;
    let a = Args::new(operation, args)?;
    let req = dispatch_build(operation.name, &a).unwrap_or_else(|| Err(unmapped(operation)))?;
    a.check_all_used()?;
    Ok(req)
}

/// A failure of [`parse_into`]: the response itself, or the serializer.
#[derive(Debug)]
pub enum DynParseError<E> {
    /// The operation's parser refused the response (error status, or a body
    /// that does not decode), or `op` is unknown.
    Api(ApiError),
    /// The serializer failed while writing the parsed model.
    Serialize(E),
}

impl<E: fmt::Display> fmt::Display for DynParseError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DynParseError::Api(e) => fmt::Display::fmt(e, f),
            DynParseError::Serialize(e) => write!(f, "could not serialize the parsed response: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for DynParseError<E> {}

/// Parses the response of operation `op` with its typed parser and
/// serializes the model straight into `ser`.
pub fn parse_into<S: Serializer>(op: &str, resp: &Response<'_>, ser: S) -> Result<S::Ok, DynParseError<S::Error>> {
    let operation = lookup(op).map_err(DynParseError::Api)?;
    dispatch_parse(operation.name, resp, ser).unwrap_or_else(|| Err(DynParseError::Api(unmapped(operation))))
}

/// Parses the response of operation `op` into a JSON value.
pub fn parse(op: &str, resp: &Response<'_>) -> Result<Value, ApiError> {
    parse_into(op, resp, serde_json::value::Serializer).map_err(|e| match e {
        DynParseError::Api(e) => e,
        DynParseError::Serialize(e) => ApiError::Decode {
            operation: operation(op).map_or("", |o| o.name),
            status: resp.status,
            message: e.to_string(),
            body: resp.body.to_vec(),
        },
    })
}

/// The arguments of the page after `page` (the value [`parse`] returned for
/// the request built from `args`), or `None` when `page` was the last one.
///
/// A cursor list gets `query.cursor` set to the page's `next_cursor`; an
/// offset list gets `query.offset` advanced by the number of items. Every
/// other argument is kept. Unpaged and `limit`-only operations return `None`.
pub fn next_page_args(op: &str, args: &Value, page: &Value) -> Result<Option<Value>, ApiError> {
    let operation = lookup(op)?;
    match operation.paging {
        Paging::None | Paging::Limit => Ok(None),
        Paging::Cursor => {
            let items = page.get("items").and_then(Value::as_array);
            let has_more = page.get("has_more").and_then(Value::as_bool).unwrap_or(false);
            let next_cursor = page.get("next_cursor").and_then(Value::as_str).map(ToOwned::to_owned);
            if items.is_none() {
                return Err(ApiError::validation("page", "a cursor page must be an object with an items array"));
            }
            let sent = sent_query(operation, args)?;
            let limit = sent.limit.unwrap_or(u64::from(CursorPager::DEFAULT_LIMIT));
            let mut pager = CursorPager::resume(u32::try_from(limit).unwrap_or(u32::MAX), sent.cursor);
            pager.advance(&CursorPage::<()> { items: Vec::new(), next_cursor, has_more });
            match pager.next_page() {
                Some((_, Some(cursor))) => with_query(args, "cursor", Value::from(cursor)).map(Some),
                _ => Ok(None),
            }
        }
        Paging::Offset => {
            let items =
                page.as_array().ok_or_else(|| ApiError::validation("page", "an offset page must be an array"))?.len();
            let sent = sent_query(operation, args)?;
            let offset = sent.offset.unwrap_or(0);
            let next = match sent.limit {
                Some(limit) => {
                    let mut pager = OffsetPager::new(u32::try_from(limit).unwrap_or(u32::MAX), offset);
                    pager.advance(items);
                    pager.next_page().map(|(_, offset)| offset)
                }
                // No limit sent: the server's page size is unknown, so only an
                // empty page ends the list.
                None if items == 0 => None,
                None => Some(offset.saturating_add(u64::try_from(items).unwrap_or(u64::MAX))),
            };
            match next {
                Some(offset) => with_query(args, "offset", Value::from(offset)).map(Some),
                None => Ok(None),
            }
        }
    }
}

/// [`next_page_args`] from the response itself, for bindings that parsed it
/// with [`parse_into`] (the page is parsed again, with the same parser).
pub fn next_page_args_from_response(op: &str, args: &Value, resp: &Response<'_>) -> Result<Option<Value>, ApiError> {
    match lookup(op)?.paging {
        Paging::None | Paging::Limit => Ok(None),
        Paging::Cursor | Paging::Offset => next_page_args(op, args, &parse(op, resp)?),
    }
}

// ------------------------------------------------------------- the table

/// Declares the dispatch table: `OPERATION => build adapter, parser;`, one
/// line per operation. The adapter maps [`Args`] onto the typed builder.
macro_rules! operations {
    ($( $op:path => $build:expr, $parse:path; )*) => {
        const TABLE: &[&Operation] = &[$( &$op, )*];

        fn dispatch_build(name: &str, a: &Args<'_>) -> Option<Result<Request, ApiError>> {
            $(
                if name == $op.name {
                    let f: fn(&Args<'_>) -> Result<Request, ApiError> = $build;
                    return Some(f(a));
                }
            )*
            None
        }

        /// The Rust type `op`'s parser returns (`core::any::type_name`,
        /// module paths dropped: `Vec<PhoneNumber>`, `MessageDetail`, `()`).
        pub fn result_type(name: &str) -> Option<String> {
            $(
                if name == $op.name {
                    let probe = Response { status: 0, headers: &[], body: b"" };
                    return Some(short_type_name(ok_type_name(&$parse(&probe))));
                }
            )*
            None
        }

        fn dispatch_parse<S: Serializer>(
            name: &str,
            resp: &Response<'_>,
            ser: S,
        ) -> Option<Result<S::Ok, DynParseError<S::Error>>> {
            $(
                if name == $op.name {
                    return Some(emit($parse(resp), ser));
                }
            )*
            None
        }
    };
}

operations! {
    identities::ops::CREATE => |a| identities::build_create(&a.body()?), identities::parse_create;
    identities::ops::LIST => |_| identities::build_list(), identities::parse_list;
    identities::ops::GET => |a| identities::build_get(a.path("handle")?), identities::parse_get;
    identities::ops::UPDATE => |a| identities::build_update(a.path("handle")?, &a.body()?), identities::parse_update;
    identities::ops::DELETE => |a| identities::build_delete(a.path("handle")?), identities::parse_delete;
    identities::ops::PHONE_NUMBER_RELEASE => |a| identities::build_release_phone_number(a.path("handle")?), identities::parse_release_phone_number;
    identities::ops::ACCESS_LIST => |a| identities::build_list_access(a.path("handle")?), identities::parse_list_access;
    identities::ops::ACCESS_GRANT => |a| {
        let b: identities::GrantIdentityAccessRequest = a.body()?;
        identities::build_grant_access(a.path("handle")?, b.viewer_identity_id.as_deref())
    }, identities::parse_grant_access;
    identities::ops::ACCESS_REVOKE => |a| identities::build_revoke_access(a.path("handle")?, a.path("viewer_identity_id")?), identities::parse_revoke_access;

    signup::ops::CREATE => |a| signup::build_signup(&a.body()?), signup::parse_signup;
    signup::ops::VERIFY => |a| {
        let b: signup::VerifySignupRequest = a.body()?;
        signup::build_verify(a.api_key()?, &b.verification_code)
    }, signup::parse_verify;
    signup::ops::RESEND_VERIFICATION => |a| signup::build_resend_verification(a.api_key()?), signup::parse_resend_verification;
    signup::ops::STATUS => |a| signup::build_status(a.api_key()?), signup::parse_status;

    mail::ops::MAILBOXES_LIST => |_| mail::build_list_mailboxes(), mail::parse_list_mailboxes;
    mail::ops::MAILBOXES_GET => |a| mail::build_get_mailbox(a.path("email")?), mail::parse_get_mailbox;
    mail::ops::MAILBOXES_UPDATE => |a| mail::build_update_mailbox(a.path("email")?, &a.body()?), mail::parse_update_mailbox;
    mail::ops::MAILBOXES_SEARCH => |a| {
        let q: SearchMailboxQuery = a.query()?;
        mail::build_search_mailbox(a.path("email")?, &q.q, q.limit)
    }, mail::parse_search_mailbox_ref;
    mail::ops::MESSAGES_LIST => |a| mail::build_list_messages(a.path("email")?, &a.query()?), mail::parse_list_messages_ref;
    mail::ops::MESSAGES_SEND => |a| mail::build_send_message(a.path("email")?, &a.body()?), mail::parse_send_message;
    mail::ops::MESSAGES_GET => |a| mail::build_get_message(a.path("email")?, a.path("message_id")?), mail::parse_get_message;
    mail::ops::MESSAGES_UPDATE => |a| {
        mail::build_update_message_flags(a.path("email")?, a.path("message_id")?, &a.body()?)
    }, mail::parse_update_message_flags;
    mail::ops::MESSAGES_DELETE => |a| mail::build_delete_message(a.path("email")?, a.path("message_id")?), mail::parse_delete_message;
    mail::ops::ATTACHMENTS_GET => |a| {
        let q: AttachmentQuery = a.query()?;
        mail::build_get_attachment_url(a.path("email")?, a.path("message_id")?, a.path("filename")?, q.redirect)
    }, mail::parse_get_attachment_url;
    mail::ops::THREADS_LIST => |a| mail::build_list_threads(a.path("email")?, &a.query()?), mail::parse_list_threads;
    mail::ops::THREADS_GET => |a| mail::build_get_thread(a.path("email")?, a.path("thread_id")?), mail::parse_get_thread;
    mail::ops::THREADS_DELETE => |a| mail::build_delete_thread(a.path("email")?, a.path("thread_id")?), mail::parse_delete_thread;
    mail::ops::DOMAINS_LIST => |a| {
        let q: DomainsQuery = a.query()?;
        mail::build_list_domains(q.status.as_ref())
    }, mail::parse_list_domains;
    mail::ops::DOMAINS_SET_DEFAULT => |a| mail::build_set_default_domain(a.path("domain_encoded")?), mail::parse_set_default_domain;
    mail::ops::CONTACT_RULES_LIST => |a| mail::build_list_contact_rules(a.path("email")?, &a.query()?), mail::parse_list_contact_rules;
    mail::ops::CONTACT_RULES_GET => |a| mail::build_get_contact_rule(a.path("email")?, a.path("rule_id")?), mail::parse_get_contact_rule;
    mail::ops::CONTACT_RULES_CREATE => |a| mail::build_create_contact_rule(a.path("email")?, &a.body()?), mail::parse_create_contact_rule;
    mail::ops::CONTACT_RULES_UPDATE => |a| {
        mail::build_update_contact_rule(a.path("email")?, a.path("rule_id")?, &a.body()?)
    }, mail::parse_update_contact_rule;
    mail::ops::CONTACT_RULES_DELETE => |a| mail::build_delete_contact_rule(a.path("email")?, a.path("rule_id")?), mail::parse_delete_contact_rule;
    mail::ops::ORG_CONTACT_RULES_LIST => |a| mail::build_list_org_contact_rules(&a.query()?), mail::parse_list_org_contact_rules;

    phone::ops::NUMBERS_LIST => |_| phone::build_list_numbers(), phone::parse_list_numbers;
    phone::ops::NUMBERS_GET => |a| phone::build_get_number(a.path("phone_number_id")?), phone::parse_get_number;
    phone::ops::NUMBERS_CREATE => |a| phone::build_provision_number(&a.body()?), phone::parse_provision_number;
    phone::ops::NUMBERS_UPDATE => |a| phone::build_update_number(a.path("phone_number_id")?, &a.body()?), phone::parse_update_number;
    phone::ops::NUMBERS_RELEASE => |a| phone::build_release_number(a.path("phone_number_id")?), phone::parse_release_number;
    phone::ops::TRANSCRIPTS_SEARCH => |a| phone::build_search_transcripts(a.path("phone_number_id")?, &a.query()?), phone::parse_search_transcripts;
    phone::ops::CALLS_LIST => |a| phone::build_list_calls(a.path("phone_number_id")?, &a.query()?), phone::parse_list_calls;
    phone::ops::CALLS_GET => |a| phone::build_get_call(a.path("phone_number_id")?, a.path("call_id")?), phone::parse_get_call;
    phone::ops::TRANSCRIPTS_LIST => |a| phone::build_list_transcripts(a.path("phone_number_id")?, a.path("call_id")?), phone::parse_list_transcripts;
    phone::ops::CALLS_PLACE => |a| phone::build_place_call(&a.body()?), phone::parse_place_call;
    phone::ops::CONTACT_RULES_LIST => |a| phone::build_list_contact_rules(a.path("phone_number_id")?, &a.query()?), phone::parse_list_contact_rules;
    phone::ops::CONTACT_RULES_GET => |a| {
        phone::build_get_contact_rule(a.path("phone_number_id")?, a.path("rule_id")?)
    }, phone::parse_get_contact_rule;
    phone::ops::CONTACT_RULES_CREATE => |a| phone::build_create_contact_rule(a.path("phone_number_id")?, &a.body()?), phone::parse_create_contact_rule;
    phone::ops::CONTACT_RULES_UPDATE => |a| {
        phone::build_update_contact_rule(a.path("phone_number_id")?, a.path("rule_id")?, &a.body()?)
    }, phone::parse_update_contact_rule;
    phone::ops::CONTACT_RULES_DELETE => |a| {
        phone::build_delete_contact_rule(a.path("phone_number_id")?, a.path("rule_id")?)
    }, phone::parse_delete_contact_rule;
    phone::ops::ORG_CONTACT_RULES_LIST => |a| phone::build_list_org_contact_rules(&a.query()?), phone::parse_list_org_contact_rules;

    texts::ops::SEND => |a| texts::build_send(a.path("phone_number_id")?, &a.body()?), texts::parse_send;
    texts::ops::LIST => |a| texts::build_list(a.path("phone_number_id")?, &a.query()?), texts::parse_list;
    texts::ops::SEARCH => |a| texts::build_search(a.path("phone_number_id")?, &a.query()?), texts::parse_search;
    texts::ops::CONVERSATIONS_LIST => |a| texts::build_list_conversations(a.path("phone_number_id")?, &a.query()?), texts::parse_list_conversations;
    texts::ops::CONVERSATION_GET => |a| {
        texts::build_get_conversation(a.path("phone_number_id")?, a.path("key")?, &a.query()?)
    }, texts::parse_get_conversation;
    texts::ops::CONVERSATION_UPDATE => |a| {
        texts::build_update_conversation(a.path("phone_number_id")?, a.path("key")?, &a.body()?)
    }, texts::parse_update_conversation;
    texts::ops::GET => |a| texts::build_get(a.path("phone_number_id")?, a.path("text_id")?), texts::parse_get;
    texts::ops::UPDATE => |a| texts::build_update(a.path("phone_number_id")?, a.path("text_id")?, &a.body()?), texts::parse_update;
    texts::ops::SMS_OPT_INS_LIST => |a| texts::build_list_sms_opt_ins(&a.query()?), texts::parse_list_sms_opt_ins;
    texts::ops::SMS_OPT_INS_GET => |a| texts::build_get_sms_opt_in(a.path("receiver_number")?), texts::parse_get_sms_opt_in;
    texts::ops::SMS_OPT_INS_OPT_IN => |a| texts::build_opt_in(a.path("receiver_number")?), texts::parse_opt_in;
    texts::ops::SMS_OPT_INS_OPT_OUT => |a| texts::build_opt_out(a.path("receiver_number")?), texts::parse_opt_out;

    imessage::ops::TRIAGE_NUMBER_GET => |_| imessage::build_get_triage_number(), imessage::parse_get_triage_number;
    imessage::ops::MESSAGES_SEND => |a| {
        let q: AgentIdentityQuery = a.query()?;
        imessage::build_send_message(&a.body()?, q.agent_identity_id.as_deref())
    }, imessage::parse_send_message;
    imessage::ops::MESSAGES_LIST => |a| imessage::build_list_messages(&a.query()?), imessage::parse_list_messages;
    imessage::ops::ASSIGNMENTS_LIST => |a| imessage::build_list_assignments(&a.query()?), imessage::parse_list_assignments;
    imessage::ops::CONVERSATIONS_LIST => |a| imessage::build_list_conversations(&a.query()?), imessage::parse_list_conversations;
    imessage::ops::CONVERSATIONS_GET => |a| {
        let q: AgentIdentityQuery = a.query()?;
        imessage::build_get_conversation(a.path("conversation_id")?, q.agent_identity_id.as_deref())
    }, imessage::parse_get_conversation;
    imessage::ops::REACTIONS_SEND => |a| imessage::build_send_reaction(&a.body()?), imessage::parse_send_reaction;
    imessage::ops::MARK_READ => |a| {
        let b: imessage::IMessageConversationRequest = a.body()?;
        imessage::build_mark_read(&b.conversation_id)
    }, imessage::parse_mark_read;
    imessage::ops::TYPING_SEND => |a| {
        let b: imessage::IMessageConversationRequest = a.body()?;
        imessage::build_send_typing(&b.conversation_id)
    }, imessage::parse_send_typing;
    imessage::ops::MEDIA_UPLOAD => |a| {
        let b: MediaUploadBody = a.body()?;
        let content = base64_field("body.content", &b.content)?;
        let seed = b.boundary_seed.as_deref().map(|s| base64_field("body.boundary_seed", s)).transpose()?;
        imessage::build_upload_media(&content, &b.filename, b.content_type.as_deref(), seed.as_deref())
    }, imessage::parse_upload_media;
    imessage::ops::CONTACT_RULES_LIST => |a| imessage::build_list_contact_rules(a.path("handle")?, &a.query()?), imessage::parse_list_contact_rules;
    imessage::ops::CONTACT_RULES_GET => |a| imessage::build_get_contact_rule(a.path("handle")?, a.path("rule_id")?), imessage::parse_get_contact_rule;
    imessage::ops::CONTACT_RULES_CREATE => |a| imessage::build_create_contact_rule(a.path("handle")?, &a.body()?), imessage::parse_create_contact_rule;
    imessage::ops::CONTACT_RULES_UPDATE => |a| {
        imessage::build_update_contact_rule(a.path("handle")?, a.path("rule_id")?, &a.body()?)
    }, imessage::parse_update_contact_rule;
    imessage::ops::CONTACT_RULES_DELETE => |a| imessage::build_delete_contact_rule(a.path("handle")?, a.path("rule_id")?), imessage::parse_delete_contact_rule;
    imessage::ops::ORG_CONTACT_RULES_LIST => |a| imessage::build_list_org_contact_rules(&a.query()?), imessage::parse_list_org_contact_rules;

    tunnels::ops::LIST => |_| tunnels::build_list(), tunnels::parse_list;
    tunnels::ops::GET => |a| tunnels::build_get(a.path("tunnel_id")?), tunnels::parse_get;
    tunnels::ops::UPDATE => |a| tunnels::build_update(a.path("tunnel_id")?, &a.body()?), tunnels::parse_update;
    tunnels::ops::SIGN_CSR => |a| {
        let b: tunnels::SignCsrRequest = a.body()?;
        tunnels::build_sign_csr(a.path("tunnel_id")?, &b.csr_pem)
    }, tunnels::parse_sign_csr;

    vault::ops::INFO => |_| vault::build_info(), vault::parse_info;
    vault::ops::INITIALIZE => |a| vault::build_initialize(&a.body()?), vault::parse_initialize;
    vault::ops::UNLOCK => |a| {
        let q: UnlockQuery = a.query()?;
        vault::build_unlock(&q.auth_hash)
    }, vault::parse_unlock;
    vault::ops::KEYS_LIST => |a| {
        let q: KeysQuery = a.query()?;
        vault::build_list_keys(q.r#type.as_deref())
    }, vault::parse_list_keys;
    vault::ops::KEYS_REVOKE => |a| vault::build_revoke_key(a.path("auth_hash")?), vault::parse_revoke_key;
    vault::ops::KEYS_UPDATE_PRIMARY => |a| vault::build_update_primary_key(&a.body()?), vault::parse_update_primary_key;
    vault::ops::SECRETS_LIST => |a| {
        let q: SecretsQuery = a.query()?;
        vault::build_list_secrets(q.secret_type.as_deref())
    }, vault::parse_list_secrets;
    vault::ops::SECRETS_CREATE => |a| vault::build_create_secret(&a.body()?), vault::parse_create_secret;
    vault::ops::SECRETS_GET => |a| vault::build_get_secret(a.path("secret_id")?), vault::parse_get_secret;
    vault::ops::SECRETS_UPDATE => |a| vault::build_update_secret(a.path("secret_id")?, &a.body()?), vault::parse_update_secret;
    vault::ops::SECRETS_DELETE => |a| vault::build_delete_secret(a.path("secret_id")?), vault::parse_delete_secret;
    vault::ops::ACCESS_LIST => |a| vault::build_list_access(a.path("secret_id")?), vault::parse_list_access;
    vault::ops::ACCESS_GRANT => |a| {
        let b: vault::GrantAccessRequest = a.body()?;
        vault::build_grant_access(a.path("secret_id")?, &b.identity_id)
    }, vault::parse_grant_access;
    vault::ops::ACCESS_REVOKE => |a| vault::build_revoke_access(a.path("secret_id")?, a.path("identity_id")?), vault::parse_revoke_access;

    webhooks::ops::LIST => |a| webhooks::build_list(&a.query()?), webhooks::parse_list;
    webhooks::ops::GET => |a| webhooks::build_get(a.path("id")?), webhooks::parse_get;
    webhooks::ops::CREATE => |a| {
        let b: SubscriptionCreateBody = a.body()?;
        let input = webhooks::CreateSubscriptionRequest::from_parts(
            b.mailbox_id,
            b.phone_number_id,
            b.agent_identity_id,
            b.url,
            b.event_types,
        )?;
        webhooks::build_create(&input)
    }, webhooks::parse_create;
    webhooks::ops::UPDATE => |a| webhooks::build_update(a.path("id")?, &a.body()?), webhooks::parse_update;
    webhooks::ops::DELETE => |a| webhooks::build_delete(a.path("id")?), webhooks::parse_delete;

    misc::ops::WHOAMI => |_| misc::build_whoami(), misc::parse_whoami;
    misc::ops::SIGNING_KEY_CREATE => |_| misc::build_create_signing_key(), misc::parse_create_signing_key;
    misc::ops::SIGNING_KEY_STATUS => |_| misc::build_get_signing_key_status(), misc::parse_get_signing_key_status;
    misc::ops::IDENTITY_SIGNING_KEY_CREATE => |a| misc::build_create_identity_signing_key(a.path("handle")?), misc::parse_create_identity_signing_key;
    misc::ops::IDENTITY_SIGNING_KEY_STATUS => |a| misc::build_get_identity_signing_key_status(a.path("handle")?), misc::parse_get_identity_signing_key_status;
    misc::ops::API_KEY_CREATE => |a| misc::build_create_api_key(&a.body()?), misc::parse_create_api_key;

    agentpost::ops::INBOXES_CREATE => |a| agentpost::build_create_inbox(&a.body()?), agentpost::parse_create_inbox;
    agentpost::ops::INBOXES_LIST => |a| agentpost::build_list_inboxes(&a.query()?), agentpost::parse_list_inboxes;
    agentpost::ops::INBOXES_GET => |a| agentpost::build_get_inbox(a.path("id")?), agentpost::parse_get_inbox;
    agentpost::ops::INBOXES_UPDATE => |a| agentpost::build_update_inbox(a.path("id")?, &a.body()?), agentpost::parse_update_inbox;
    agentpost::ops::INBOXES_DELETE => |a| agentpost::build_delete_inbox(a.path("id")?), agentpost::parse_delete_inbox;

    contacts::ops::LIST => |a| contacts::build_list(&a.query()?), contacts::parse_list;
    contacts::ops::LOOKUP => |a| contacts::build_lookup(&a.query()?), contacts::parse_lookup;
    contacts::ops::GET => |a| contacts::build_get(a.path("contact_id")?), contacts::parse_get;
    contacts::ops::CREATE => |a| contacts::build_create(&a.body()?), contacts::parse_create;
    contacts::ops::UPDATE => |a| contacts::build_update(a.path("contact_id")?, &a.body()?), contacts::parse_update;
    contacts::ops::DELETE => |a| contacts::build_delete(a.path("contact_id")?), contacts::parse_delete;
    contacts::ops::ACCESS_LIST => |a| contacts::build_list_access(a.path("contact_id")?), contacts::parse_list_access;
    contacts::ops::ACCESS_GRANT => |a| {
        let b: contacts::GrantContactAccessRequest = a.body()?;
        contacts::build_grant_access(a.path("contact_id")?, b.identity_id.as_deref())
    }, contacts::parse_grant_access;
    contacts::ops::ACCESS_REVOKE => |a| contacts::build_revoke_access(a.path("contact_id")?, a.path("identity_id")?), contacts::parse_revoke_access;
    contacts::ops::VCARDS_IMPORT => |a| {
        let b: contacts::ImportVCardsRequest = a.body()?;
        contacts::build_import_vcards(b.content.as_bytes(), b.content_type.as_deref())
    }, contacts::parse_import_vcards;
    contacts::ops::VCARDS_EXPORT => |a| contacts::build_export_vcard(a.path("contact_id")?), contacts::parse_export_vcard;

    notes::ops::LIST => |a| notes::build_list(&a.query()?), notes::parse_list;
    notes::ops::GET => |a| notes::build_get(a.path("note_id")?), notes::parse_get;
    notes::ops::CREATE => |a| notes::build_create(&a.body()?), notes::parse_create;
    notes::ops::UPDATE => |a| notes::build_update(a.path("note_id")?, &a.body()?), notes::parse_update;
    notes::ops::DELETE => |a| notes::build_delete(a.path("note_id")?), notes::parse_delete;
    notes::ops::ACCESS_LIST => |a| notes::build_list_access(a.path("note_id")?), notes::parse_list_access;
    notes::ops::ACCESS_GRANT => |a| {
        let b: notes::GrantNoteAccessRequest = a.body()?;
        notes::build_grant_access(a.path("note_id")?, &b.identity_id)
    }, notes::parse_grant_access;
    notes::ops::ACCESS_REVOKE => |a| notes::build_revoke_access(a.path("note_id")?, a.path("identity_id")?), notes::parse_revoke_access;
}

// -------------------------------------------- loose argument shapes

/// Query of `mail.mailboxes.search`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchMailboxQuery {
    q: String,
    #[serde(default)]
    limit: Option<u32>,
}

/// Query of `mail.attachments.get`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentQuery {
    #[serde(default)]
    redirect: bool,
}

/// Query of `domains.list`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainsQuery {
    #[serde(default)]
    status: Option<mail::SendingDomainStatus>,
}

/// Query of `imessage.messages.send` and `imessage.conversations.get`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentIdentityQuery {
    #[serde(default)]
    agent_identity_id: Option<String>,
}

/// Body of `imessage.media.upload`: the multipart part, content in base64.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MediaUploadBody {
    content: String,
    filename: String,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    boundary_seed: Option<String>,
}

/// Query of `vault.unlock`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnlockQuery {
    auth_hash: String,
}

/// Query of `vault.keys.list`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysQuery {
    #[serde(default)]
    r#type: Option<String>,
}

/// Query of `vault.secrets.list`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsQuery {
    #[serde(default)]
    secret_type: Option<String>,
}

/// Body of `webhooks.subscriptions.create`, checked by
/// [`CreateSubscriptionRequest::from_parts`](webhooks::CreateSubscriptionRequest::from_parts).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionCreateBody {
    #[serde(default)]
    mailbox_id: Option<String>,
    #[serde(default)]
    phone_number_id: Option<String>,
    #[serde(default)]
    agent_identity_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    event_types: Option<Vec<webhooks::EventType>>,
}

/// Decodes padded standard base64 (RFC 4648 §4), refusing anything else.
/// The name of `T` in `Result<T, ApiError>`.
fn ok_type_name<T>(_: &Result<T, ApiError>) -> &'static str {
    core::any::type_name::<T>()
}

/// `name` with module paths and lifetimes dropped:
/// `alloc::vec::Vec<a::b::C<'_>>` → `Vec<C>`.
fn short_type_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let (path, tail) = rest.split_at(end);
        out.push_str(path.rsplit("::").next().unwrap_or(path));
        let mut chars = tail.chars();
        match chars.next() {
            // A lifetime: skip it, its separator and an emptied `<>`.
            Some('\'') => {
                let after = chars.as_str().trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
                let after = after.strip_prefix(", ").unwrap_or(after);
                if out.ends_with('<') && after.starts_with('>') {
                    out.pop();
                    rest = after.get(1..).unwrap_or("");
                } else {
                    rest = after;
                }
            }
            Some(c) => {
                out.push(c);
                rest = chars.as_str();
            }
            None => rest = "",
        }
    }
    out
}

fn base64_field(field: &'static str, value: &str) -> Result<Vec<u8>, ApiError> {
    let data = value.trim_end_matches('=');
    let canonical = value.len().is_multiple_of(4)
        && value.len() - data.len() <= 2
        && data.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/');
    let decoded = if canonical { crate::vault::base64::decode_lenient_to_vec(value).ok() } else { None };
    decoded.ok_or_else(|| ApiError::validation(field, "must be standard base64 (A-Z a-z 0-9 + /, = padding)"))
}

// ------------------------------------------------------------- helpers

fn lookup(op: &str) -> Result<&'static Operation, ApiError> {
    operation(op).ok_or_else(|| ApiError::validation("op", format!("unknown operation `{op}`")))
}

fn unmapped(op: &Operation) -> ApiError {
    ApiError::validation("op", format!("operation `{}` has no dynamic mapping", op.name))
}

fn emit<T: Serialize, S: Serializer>(parsed: Result<T, ApiError>, ser: S) -> Result<S::Ok, DynParseError<S::Error>> {
    parsed.map_err(DynParseError::Api)?.serialize(ser).map_err(DynParseError::Serialize)
}

/// The `{param}` names of a path template, in order.
fn template_params(template: &'static str) -> impl Iterator<Item = &'static str> {
    // A segment may end in a literal after its placeholder (`{contact_id}.vcf`).
    template.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.split_once('}')).map(|(name, _)| name))
}

/// `null` and `{}` carry nothing.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// The arguments of one [`build`] call, checked against the operation.
struct Args<'a> {
    path: Vec<(&'static str, &'a str)>,
    query: Option<&'a Value>,
    body: Option<&'a Value>,
    api_key: Option<&'a Value>,
    query_used: Cell<bool>,
    body_used: Cell<bool>,
    api_key_used: Cell<bool>,
}

impl<'a> Args<'a> {
    fn new(op: &'static Operation, args: &'a Value) -> Result<Self, ApiError> {
        let obj = match args {
            Value::Object(m) => Some(m),
            Value::Null => None,
            _ => return Err(ApiError::validation("args", "must be a JSON object")),
        };
        let get = |key: &str| obj.and_then(|m| m.get(key)).filter(|v| !v.is_null());
        for key in obj.into_iter().flat_map(Map::keys) {
            if !matches!(key.as_str(), "path" | "query" | "body" | "api_key") {
                return Err(ApiError::validation_owned(
                    key.clone(),
                    "unknown argument (expected path, query, body or api_key)",
                ));
            }
        }
        let path_obj = match get("path") {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => return Err(ApiError::validation("path", "must be a JSON object")),
        };
        for key in path_obj.into_iter().flat_map(Map::keys) {
            if !template_params(op.path).any(|p| p == key) {
                return Err(ApiError::validation_owned(format!("path.{key}"), "unknown path parameter"));
            }
        }
        let mut path = Vec::new();
        for name in template_params(op.path) {
            match path_obj.and_then(|m| m.get(name)) {
                Some(Value::String(s)) => path.push((name, s.as_str())),
                Some(_) => return Err(ApiError::validation_owned(format!("path.{name}"), "must be a string")),
                None => return Err(ApiError::validation_owned(format!("path.{name}"), "missing path parameter")),
            }
        }
        let query = get("query");
        if query.is_some_and(|q| !q.is_object()) {
            return Err(ApiError::validation("query", "must be a JSON object"));
        }
        Ok(Args {
            path,
            query,
            body: get("body"),
            api_key: get("api_key"),
            query_used: Cell::new(false),
            body_used: Cell::new(false),
            api_key_used: Cell::new(false),
        })
    }

    fn path(&self, name: &'static str) -> Result<&'a str, ApiError> {
        self.path
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| ApiError::validation_owned(format!("path.{name}"), "missing path parameter"))
    }

    fn query<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.query_used.set(true);
        section("query", self.query)
    }

    fn body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.body_used.set(true);
        section("body", self.body)
    }

    fn api_key(&self) -> Result<&'a str, ApiError> {
        self.api_key_used.set(true);
        match self.api_key {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(ApiError::validation("api_key", "must be a string")),
            None => Err(ApiError::validation("api_key", "is required for this operation")),
        }
    }

    /// Refuses arguments the operation never read.
    fn check_all_used(&self) -> Result<(), ApiError> {
        if self.query.is_some_and(|q| !is_empty(q)) && !self.query_used.get() {
            return Err(ApiError::validation("query", "this operation takes no query parameters"));
        }
        if self.body.is_some_and(|b| !is_empty(b)) && !self.body_used.get() {
            return Err(ApiError::validation("body", "this operation takes no body"));
        }
        if self.api_key.is_some() && !self.api_key_used.get() {
            return Err(ApiError::validation(
                "api_key",
                "this operation takes no api_key (only signup.verify, signup.resend_verification and signup.status do)",
            ));
        }
        Ok(())
    }
}

/// Deserializes `query` or `body` (absent = `{}`) strictly: unknown fields
/// anywhere in a typed struct are refused, and every error names the
/// dotted location it happened at.
fn section<T: DeserializeOwned>(name: &'static str, value: Option<&Value>) -> Result<T, ApiError> {
    let empty = Value::Object(Map::new());
    let at = Cell::new(None);
    let strict = Strict { value: value.unwrap_or(&empty), path: String::from(name), at: &at };
    T::deserialize(strict).map_err(|e| {
        let field = at.take().unwrap_or_else(|| String::from(name));
        ApiError::validation_owned(field, e.to_string())
    })
}

/// What the request built from `args` actually sent as `limit`, `offset` and `cursor`.
#[derive(Default)]
struct SentQuery {
    limit: Option<u64>,
    offset: Option<u64>,
    cursor: Option<String>,
}

fn sent_query(op: &'static Operation, args: &Value) -> Result<SentQuery, ApiError> {
    let req = build(op.name, args)?;
    let mut sent = SentQuery::default();
    let query = req.path_and_query.split_once('?').map_or("", |(_, q)| q);
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "limit" => sent.limit = v.parse().ok(),
            "offset" => sent.offset = v.parse().ok(),
            _ => {}
        }
    }
    // The cursor is taken from the arguments, not the (percent-encoded) query.
    sent.cursor = args.get("query").and_then(|q| q.get("cursor")).and_then(Value::as_str).map(ToOwned::to_owned);
    Ok(sent)
}

/// `args` with `query.<key>` set to `value`.
fn with_query(args: &Value, key: &str, value: Value) -> Result<Value, ApiError> {
    let mut next = match args {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        _ => return Err(ApiError::validation("args", "must be a JSON object")),
    };
    let query = next.entry("query").or_insert_with(|| Value::Object(Map::new()));
    if query.is_null() {
        *query = Value::Object(Map::new());
    }
    match query {
        Value::Object(q) => {
            q.insert(key.to_owned(), value);
        }
        _ => return Err(ApiError::validation("query", "must be a JSON object")),
    }
    Ok(Value::Object(next))
}

// ------------------------------------------------ strict deserializer

/// A deserializer over a JSON value that refuses object keys a struct does
/// not declare (the field list serde passes to `deserialize_struct`) and
/// records where the first error happened (in `at`).
///
/// Types that do not go through `deserialize_struct` (maps, untagged
/// enums, `flatten`) are read as they are: they accept any key by design.
struct Strict<'v, 'c> {
    value: &'v Value,
    path: String,
    at: &'c Cell<Option<String>>,
}

impl Strict<'_, '_> {
    /// Records `path` as the error location unless a deeper one was recorded.
    fn mark(&self, path: String) {
        let current = self.at.take();
        self.at.set(Some(current.unwrap_or(path)));
    }

    fn note(&self, e: serde_json::Error) -> serde_json::Error {
        self.mark(self.path.clone());
        e
    }
}

fn join(path: &str, key: &str) -> String {
    let mut p = String::with_capacity(path.len() + 1 + key.len());
    p.push_str(path);
    p.push('.');
    p.push_str(key);
    p
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                let r = self.value.$method(visitor);
                r.map_err(|e| self.note(e))
            }
        )*
    };
}

impl<'v> Deserializer<'v> for Strict<'v, '_> {
    type Error = serde_json::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_bytes
        deserialize_byte_buf deserialize_unit deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'v>>(self, name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_unit_struct(name, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_tuple<V: Visitor<'v>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_tuple(len, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_tuple_struct<V: Visitor<'v>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_tuple_struct(name, len, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_enum<V: Visitor<'v>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_enum(name, variants, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_option<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.value.is_null() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_newtype_struct<V: Visitor<'v>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Array(items) => {
                let mut seq = StrictSeq { iter: items.iter(), index: 0, path: &self.path, at: self.at };
                let out = visitor.visit_seq(&mut seq).map_err(|e| self.note(e))?;
                if seq.iter.len() == 0 {
                    Ok(out)
                } else {
                    Err(self.note(de::Error::invalid_length(items.len(), &"fewer elements in array")))
                }
            }
            other => {
                let r = other.deserialize_seq(visitor);
                r.map_err(|e| self.note(e))
            }
        }
    }

    fn deserialize_struct<V: Visitor<'v>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let map = match self.value {
            Value::Object(map) => map,
            other => {
                let r = other.deserialize_struct(name, fields, visitor);
                return r.map_err(|e| self.note(e));
            }
        };
        if let Some(unknown) = map.keys().find(|k| !fields.contains(&k.as_str())) {
            self.mark(join(&self.path, unknown));
            return Err(de::Error::custom("unknown field"));
        }
        let access = StrictMap { iter: map.iter(), pending: None, path: &self.path, at: self.at };
        visitor.visit_map(access).inspect_err(|e| {
            // Point a missing field at its own location.
            let text = e.to_string();
            let missing = fields.iter().find(|f| text.strip_prefix("missing field `") == Some(&format!("{f}`")));
            match missing {
                Some(f) => self.mark(join(&self.path, f)),
                None => self.mark(self.path.clone()),
            }
        })
    }
}

struct StrictMap<'v, 'p, 'c> {
    iter: serde_json::map::Iter<'v>,
    pending: Option<(&'v String, &'v Value)>,
    path: &'p str,
    at: &'c Cell<Option<String>>,
}

impl<'v> MapAccess<'v> for StrictMap<'v, '_, '_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'v>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.pending = Some((k, v));
                seed.deserialize(BorrowedStrDeserializer::new(k.as_str())).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'v>>(&mut self, seed: S) -> Result<S::Value, Self::Error> {
        let (k, v) = self.pending.take().ok_or_else(|| de::Error::custom("value requested before its key"))?;
        seed.deserialize(Strict { value: v, path: join(self.path, k), at: self.at })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct StrictSeq<'v, 'p, 'c> {
    iter: core::slice::Iter<'v, Value>,
    index: usize,
    path: &'p str,
    at: &'c Cell<Option<String>>,
}

impl<'v> SeqAccess<'v> for StrictSeq<'v, '_, '_> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'v>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        match self.iter.next() {
            Some(v) => {
                let path = format!("{}[{}]", self.path, self.index);
                self.index = self.index.saturating_add(1);
                seed.deserialize(Strict { value: v, path, at: self.at }).map(Some)
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::ErrorCode as _;
    use crate::api::test_support::{ok, status};
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
        let owner = webhooks::SubscriptionOwner::from_parts(None, Some(UUID.into()), None).unwrap();
        let sub = webhooks::CreateSubscriptionRequest::new(
            owner,
            "https://example.com/hook",
            vec![webhooks::EventType::from_wire("text.received")],
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
            (
                "vault.keys.list",
                json!({"query": {"type": "PRIMARY"}}),
                vault::build_list_keys(Some("PRIMARY")).unwrap(),
            ),
            (
                "webhooks.subscriptions.create",
                json!({"body": {"phone_number_id": UUID, "url": "https://example.com/hook", "event_types": ["text.received"]}}),
                webhooks::build_create(&sub).unwrap(),
            ),
            (
                "api_keys.create",
                json!({"body": {"label": "ci", "scoped_identity_id": UUID}}),
                misc::build_create_api_key(&misc::CreateApiKeyRequest {
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
            ("whoami.get", Value::Null, misc::build_whoami().unwrap()),
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
                webhooks::CreateSubscriptionRequest::from_parts(
                    s("mailbox_id"),
                    s("phone_number_id"),
                    s("agent_identity_id"),
                    s("url"),
                    serde_json::from_value(b["event_types"].clone()).ok(),
                )
                .and_then(|r| webhooks::build_create(&r))
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
                &[
                    "id",
                    "agent_identity_id",
                    "action",
                    "match_type",
                    "match_target",
                    "status",
                    "created_at",
                    "updated_at",
                ],
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
}
