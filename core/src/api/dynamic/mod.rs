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
//!
//! [`PagerFlow`] applies the same rules as a flow of the step protocol of
//! [`Flow`](super::vault_flows::Flow) (and behind
//! [`AnyFlow`](super::vault_flows::AnyFlow)): it builds each request, hands
//! each page over as a [`Step::Page`](super::vault_flows::Step::Page), and
//! decides the next request and the end, so one host loop drives a list as it
//! drives a vault flow.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::catalog::{self, Operation, Paging};
use super::error::ApiError;
use super::paginate::{CursorPage, CursorPager, OffsetPager, PageSummary};
use super::request::{Request, Response};

mod args;
mod pager;
pub mod signature;
// Generated by tools/surface/gen.py: kept as written.
#[rustfmt::skip]
mod signatures;
mod strict;
mod table;

use args::{Args, SentQuery, sent_query, with_query};
pub use pager::PagerFlow;
pub use signature::{Signature, signature, signatures};
pub use table::result_type;
use table::{TABLE, dispatch_build, dispatch_parse};

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
    let Some(summary) = summary_of(operation, page)? else { return Ok(None) };
    let sent = sent_query(operation, args)?;
    next_args(operation, args, &sent, &summary)
}

/// The summary of `page` (a value [`parse`] returned for `operation`), or
/// `None` for an operation without a next page.
fn summary_of(operation: &'static Operation, page: &Value) -> Result<Option<PageSummary>, ApiError> {
    Ok(Some(match operation.paging {
        Paging::None | Paging::Limit => return Ok(None),
        Paging::Cursor => {
            let items = page
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| ApiError::validation("page", "a cursor page must be an object with an items array"))?;
            let has_more = page.get("has_more").and_then(Value::as_bool).unwrap_or(false);
            let next_cursor = page.get("next_cursor").and_then(Value::as_str).map(ToOwned::to_owned);
            PageSummary::cursor(items.len(), has_more, next_cursor)
        }
        Paging::Offset => PageSummary::offset(
            page.as_array().ok_or_else(|| ApiError::validation("page", "an offset page must be an array"))?.len(),
        ),
    }))
}

/// The arguments after a page of `operation` requested with `args` (whose
/// request carried `sent`), from the page's summary: the rules of
/// [`CursorPager`] and [`OffsetPager`].
fn next_args(
    operation: &'static Operation,
    args: &Value,
    sent: &SentQuery,
    summary: &PageSummary,
) -> Result<Option<Value>, ApiError> {
    match operation.paging {
        Paging::None | Paging::Limit => Ok(None),
        Paging::Cursor => {
            let limit = sent.limit.unwrap_or(u64::from(CursorPager::DEFAULT_LIMIT));
            let mut pager = CursorPager::resume(u32::try_from(limit).unwrap_or(u32::MAX), sent.cursor.clone());
            pager.advance(&CursorPage::<()> {
                items: Vec::new(),
                next_cursor: summary.next_cursor.clone(),
                has_more: summary.has_more,
            });
            match pager.next_page() {
                Some((_, Some(cursor))) => with_query(args, "cursor", Value::from(cursor)).map(Some),
                _ => Ok(None),
            }
        }
        Paging::Offset => {
            let items = summary.items;
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

// ------------------------------------------------------------- helpers

pub(super) fn lookup(op: &str) -> Result<&'static Operation, ApiError> {
    operation(op).ok_or_else(|| ApiError::validation("op", format!("unknown operation `{op}`")))
}

pub(super) fn unmapped(op: &Operation) -> ApiError {
    ApiError::validation("op", format!("operation `{}` has no dynamic mapping", op.name))
}

pub(super) fn emit<T: Serialize, S: Serializer>(
    parsed: Result<T, ApiError>,
    ser: S,
) -> Result<S::Ok, DynParseError<S::Error>> {
    parsed.map_err(DynParseError::Api)?.serialize(ser).map_err(DynParseError::Serialize)
}

#[cfg(test)]
mod signature_tests;
#[cfg(test)]
mod tests;
