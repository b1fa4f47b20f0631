//! AgentPost inboxes (spec/agentpost.md, seed 003): a peer product's API,
//! kept here so an SDK can talk to it with the same sans-IO machinery.
//!
//! Not Inkbox: another origin ([`BASE_URL`], which already ends in `/api/v1`,
//! so the operation paths here start at `/inboxes`) and `Authorization:
//! Bearer <key>` ([`Auth::Bearer`]; keys look like `ap_sk_…`). These
//! operations are listed by [`catalog::agentpost()`](super::catalog::agentpost),
//! not by the Inkbox catalog.
//!
//! Choices where the AgentPost doc is silent (documented, tolerant):
//! - **Listing**: the doc names only `limit` (its example: `?limit=20`) and
//!   says "cursor-based". We send `limit` (always, default 20) and `cursor`
//!   (the previous page's cursor, omitted on the first page), and read the
//!   response leniently: items under `items`, `inboxes` or `data` (or a bare
//!   array), the next cursor under `next_cursor`, and `has_more` (when absent,
//!   a non-empty `next_cursor` means more). The result is a [`CursorPage`] to
//!   drive with [`CursorPager`](super::CursorPager).
//! - **Idempotent create**: `client_id` in the body is the idempotency key; a
//!   retry must send the *same* `client_id` to get the existing inbox back
//!   instead of a second one. It travels in the body, not in an
//!   `Idempotency-Key` header, so [`Request::is_retry_safe`] does not see it.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::{Auth, Operation, Paging};
use super::error::ApiError;
use super::paginate::CursorPage;
use super::patch::Patch;
use super::request::{BaseUrl, Method, Request, Response};
use super::{parse, validate};

/// The AgentPost API origin, including its `/api/v1` prefix.
pub const BASE_URL: &str = "https://api.agent-post.dev/api/v1";

/// The page size sent when the caller names none (the doc's example value).
pub const DEFAULT_LIST_LIMIT: u32 = 20;
/// The largest page size this client sends (the doc states no maximum).
pub const MAX_LIST_LIMIT: u32 = 100;

/// [`BASE_URL`] as a [`BaseUrl`], to pass to [`Request::prepare`].
pub fn base_url() -> Result<BaseUrl, ApiError> {
    BaseUrl::parse(BASE_URL)
}

/// The operations of this family (paths relative to [`BASE_URL`]).
pub mod ops {
    use super::*;
    /// `POST /inboxes`
    pub const INBOXES_CREATE: Operation =
        Operation::new("agentpost.inboxes.create", Method::Post, "/inboxes").auth(Auth::Bearer);
    /// `GET /inboxes?limit=…[&cursor=…]`
    pub const INBOXES_LIST: Operation =
        Operation::new("agentpost.inboxes.list", Method::Get, "/inboxes").auth(Auth::Bearer).paging(Paging::Cursor);
    /// `GET /inboxes/{id}`
    pub const INBOXES_GET: Operation =
        Operation::new("agentpost.inboxes.get", Method::Get, "/inboxes/{id}").auth(Auth::Bearer);
    /// `PATCH /inboxes/{id}`
    pub const INBOXES_UPDATE: Operation =
        Operation::new("agentpost.inboxes.update", Method::Patch, "/inboxes/{id}").auth(Auth::Bearer);
    /// `DELETE /inboxes/{id}` (the inbox's messages are retained).
    pub const INBOXES_DELETE: Operation =
        Operation::new("agentpost.inboxes.delete", Method::Delete, "/inboxes/{id}").auth(Auth::Bearer);
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] =
    &[&ops::INBOXES_CREATE, &ops::INBOXES_LIST, &ops::INBOXES_GET, &ops::INBOXES_UPDATE, &ops::INBOXES_DELETE];

// ------------------------------------------------------------------ model

/// An AgentPost inbox: one email address that sends and receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    /// Identifier, prefixed `inb_`.
    pub id: String,
    /// The full address: `{username}-{random}@shared.agent-post.dev` on the
    /// shared domain, `{username}@{domain}` on a custom one. Immutable.
    pub email: String,
    /// The caller-chosen local-part prefix.
    #[serde(default)]
    pub username: Option<String>,
    /// Name shown in mail headers.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The address's domain (see [`Inbox::domain_name`]).
    #[serde(default)]
    pub domain: Option<String>,
    /// The idempotency key the inbox was created with.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Outbound sending is paused (receiving continues); absent → `false`.
    #[serde(default)]
    pub send_paused: bool,
}

impl Inbox {
    /// The domain, derived from `email` when the server did not send it.
    pub fn domain_name(&self) -> &str {
        match &self.domain {
            Some(d) if !d.is_empty() => d,
            _ => self.email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default(),
        }
    }
}

/// Checks an AgentPost username, as the doc states the rules: 1–64
/// characters; only `a-z`, `0-9`, `-`, `.` and `_`; not starting or ending
/// with `-`, `.` or `_`; no `..` and no `--`.
///
/// The doc's "no consecutive dots or hyphens" is read literally (`..`, `--`);
/// other adjacent punctuation (`.-`, `__`, `_.`) is left to the server.
/// Upper case is refused, not folded.
pub fn validate_username(username: &str) -> Result<(), ApiError> {
    const FIELD: &str = "username";
    let n = username.chars().count();
    if !(1..=64).contains(&n) {
        return Err(ApiError::validation(FIELD, "must be 1 to 64 characters"));
    }
    let b = username.as_bytes();
    if !b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'.' | b'_')) {
        return Err(ApiError::validation(FIELD, "only lowercase letters, digits, '-', '.' and '_' are allowed"));
    }
    if !(b.first().is_some_and(u8::is_ascii_alphanumeric) && b.last().is_some_and(u8::is_ascii_alphanumeric)) {
        return Err(ApiError::validation(FIELD, "must not start or end with '-', '.' or '_'"));
    }
    if username.contains("..") || username.contains("--") {
        return Err(ApiError::validation(FIELD, "must not contain '..' or '--'"));
    }
    Ok(())
}

// ----------------------------------------------------------------- create

/// Body of `POST /inboxes`.
///
/// `client_id` is the idempotency key: creating again with a `client_id`
/// that already belongs to an inbox returns that inbox instead of a new one.
/// A caller that retries (after a timeout, a lost response or a restart) must
/// reuse the **same** `client_id` — a fresh one creates a duplicate inbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInboxRequest {
    /// Local-part prefix (see [`validate_username`]).
    pub username: String,
    /// Name shown in mail headers.
    pub display_name: String,
    /// Optional idempotency key; omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// Builds `POST /inboxes` after checking the username (and that a given
/// `client_id` is not blank).
pub fn build_create_inbox(input: &CreateInboxRequest) -> Result<Request, ApiError> {
    validate_username(&input.username)?;
    if let Some(id) = &input.client_id {
        validate::non_empty("client_id", id)?;
    }
    Ok(Request::builder(&ops::INBOXES_CREATE, &[])?.json(input)?.build())
}

/// Parses the created (or, for a reused `client_id`, the existing) inbox.
pub fn parse_create_inbox(resp: &Response<'_>) -> Result<Inbox, ApiError> {
    parse::json(&ops::INBOXES_CREATE, resp)
}

// ------------------------------------------------------------------- list

/// Query of `GET /inboxes`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListInboxesParams {
    /// Page size 1–100, always sent (default 20).
    pub limit: u32,
    /// The previous page's `next_cursor`; `None` on the first page.
    pub cursor: Option<String>,
}

impl Default for ListInboxesParams {
    fn default() -> Self {
        ListInboxesParams { limit: DEFAULT_LIST_LIMIT, cursor: None }
    }
}

/// Builds `GET /inboxes?limit=…[&cursor=…]`.
pub fn build_list_inboxes(params: &ListInboxesParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_LIST_LIMIT)?;
    Ok(Request::builder(&ops::INBOXES_LIST, &[])?
        .query("limit", params.limit)
        .query_opt("cursor", params.cursor.as_ref())
        .build())
}

/// Parses a page of inboxes from any of the shapes described in the module
/// docs: `{"items"|"inboxes"|"data": [...], "next_cursor", "has_more"}` or a
/// bare array (one final page).
pub fn parse_list_inboxes(resp: &Response<'_>) -> Result<CursorPage<Inbox>, ApiError> {
    let op = &ops::INBOXES_LIST;
    let value: Value = parse::json(op, resp)?;
    let (items, next_cursor, has_more) = match value {
        Value::Array(items) => (Value::Array(items), None, Some(false)),
        Value::Object(mut m) => {
            let items = ["items", "inboxes", "data"]
                .iter()
                .find_map(|k| m.remove(*k).filter(Value::is_array))
                .unwrap_or(Value::Null);
            let next =
                m.remove("next_cursor").and_then(|v| v.as_str().map(ToOwned::to_owned)).filter(|c| !c.is_empty());
            let more = m.get("has_more").and_then(Value::as_bool);
            (items, next, more)
        }
        other => (other, None, None),
    };
    let items: Vec<Inbox> = serde_json::from_value(items).map_err(|e| ApiError::decode(op, resp, &e))?;
    let has_more = has_more.unwrap_or(next_cursor.is_some());
    Ok(CursorPage { items, next_cursor, has_more })
}

// ------------------------------------------------------- get/patch/delete

/// Builds `GET /inboxes/{id}`.
pub fn build_get_inbox(id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::INBOXES_GET, &[id])?.build())
}

/// Parses one inbox.
pub fn parse_get_inbox(resp: &Response<'_>) -> Result<Inbox, ApiError> {
    parse::json(&ops::INBOXES_GET, resp)
}

/// Body of `PATCH /inboxes/{id}`: only the fields that are not
/// [`Patch::Keep`] are sent. The address cannot be changed (create a new inbox).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateInboxRequest {
    /// New display name ([`Patch::Clear`] sends `null`).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub display_name: Patch<String>,
}

/// Builds `PATCH /inboxes/{id}`.
pub fn build_update_inbox(id: &str, input: &UpdateInboxRequest) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::INBOXES_UPDATE, &[id])?.json(input)?.build())
}

/// Parses the updated inbox.
pub fn parse_update_inbox(resp: &Response<'_>) -> Result<Inbox, ApiError> {
    parse::json(&ops::INBOXES_UPDATE, resp)
}

/// Builds `DELETE /inboxes/{id}` (messages are retained).
pub fn build_delete_inbox(id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::INBOXES_DELETE, &[id])?.build())
}

/// Accepts any 2xx.
pub fn parse_delete_inbox(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::INBOXES_DELETE, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::test_support::{body, ok, status};
    use alloc::format;
    use alloc::string::ToString;

    const INBOX: &str = r#"{"id":"inb_abc123","email":"deploy-alerts-x7k9@shared.agent-post.dev","username":"deploy-alerts","display_name":"Deployment Alerts","domain":"shared.agent-post.dev","client_id":null,"send_paused":false,"created_at":1741737600,"environment_id":"env_1"}"#;

    #[test]
    fn catalog_entries() {
        assert_eq!(OPERATIONS.len(), 5);
        for op in OPERATIONS {
            assert_eq!(op.auth, Auth::Bearer, "{}", op.name);
            assert!(op.path.starts_with("/inboxes"), "{}", op.name);
            assert!(op.name.starts_with("agentpost.inboxes."), "{}", op.name);
        }
        assert_eq!(ops::INBOXES_LIST.paging, Paging::Cursor);
        let names: Vec<&str> = crate::api::catalog::agentpost().map(|o| o.name).collect();
        assert_eq!(
            names,
            [
                "agentpost.inboxes.create",
                "agentpost.inboxes.list",
                "agentpost.inboxes.get",
                "agentpost.inboxes.update",
                "agentpost.inboxes.delete"
            ]
        );
        assert!(crate::api::catalog::all().all(|o| !o.name.starts_with("agentpost.")));
    }

    #[test]
    fn prepared_requests_use_the_agentpost_origin_and_bearer_auth() {
        let r = build_list_inboxes(&ListInboxesParams::default()).unwrap();
        let p = r.prepare(&base_url().unwrap(), Some("ap_sk_test")).unwrap();
        assert_eq!(p.url, "https://api.agent-post.dev/api/v1/inboxes?limit=20");
        assert!(p.headers.contains(&("Authorization".to_string(), "Bearer ap_sk_test".to_string())));
        assert!(!p.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("x-api-key")));
        assert!(!format!("{p:?}").contains("ap_sk_test"));
        assert_eq!(r.prepare(&base_url().unwrap(), None).unwrap_err().code(), "api.validation");
    }

    #[test]
    fn username_rules() {
        let max = "a".repeat(64);
        for good in
            ["a", "7", "support", "deploy-alerts", "ticket.router", "a_b", "a1-b2.c3_d4", &max, "a.-b", "a__b", "a_.b"]
        {
            assert!(validate_username(good).is_ok(), "{good:?}");
        }
        let too_long = "a".repeat(65);
        let cases: &[(&str, &str)] = &[
            ("", "must be 1 to 64 characters"),
            (&too_long, "must be 1 to 64 characters"),
            ("Support", "only lowercase"),
            ("a b", "only lowercase"),
            ("a+b", "only lowercase"),
            ("a@b", "only lowercase"),
            ("héllo", "only lowercase"),
            ("-abc", "must not start or end"),
            ("abc-", "must not start or end"),
            (".abc", "must not start or end"),
            ("abc.", "must not start or end"),
            ("_abc", "must not start or end"),
            ("abc_", "must not start or end"),
            ("-", "must not start or end"),
            ("a..b", "must not contain"),
            ("a--b", "must not contain"),
            ("a...b", "must not contain"),
        ];
        for (bad, why) in cases {
            match validate_username(bad).unwrap_err() {
                ApiError::Validation { field, message } => {
                    assert_eq!(field, "username");
                    assert!(message.contains(why), "{bad:?}: {message}");
                }
                other => panic!("{other:?}"),
            }
        }
        // 64 multi-byte characters count as 64, but are refused for their charset.
        let accented = "é".repeat(64);
        assert!(validate_username(&accented).unwrap_err().to_string().contains("only lowercase"));
    }

    #[test]
    fn create_golden_and_parse() {
        let input = CreateInboxRequest {
            username: "deploy-alerts".into(),
            display_name: "Deployment Alerts".into(),
            client_id: None,
        };
        let r = build_create_inbox(&input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/inboxes"));
        assert_eq!(body(&r), r#"{"username":"deploy-alerts","display_name":"Deployment Alerts"}"#);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let input = CreateInboxRequest { client_id: Some("ticket-router-prod-v1".into()), ..input };
        let r = build_create_inbox(&input).unwrap();
        assert_eq!(
            body(&r),
            r#"{"username":"deploy-alerts","display_name":"Deployment Alerts","client_id":"ticket-router-prod-v1"}"#
        );
        // A retry reuses the same request, hence the same client_id.
        assert_eq!(build_create_inbox(&input).unwrap(), r);
        assert_eq!(serde_json::from_slice::<CreateInboxRequest>(r.body.as_deref().unwrap()).unwrap(), input);

        let bad_user = CreateInboxRequest { username: "Deploy".into(), ..input.clone() };
        assert_eq!(build_create_inbox(&bad_user).unwrap_err().code(), "api.validation");
        let blank_id = CreateInboxRequest { client_id: Some(" ".into()), ..input };
        assert!(
            matches!(build_create_inbox(&blank_id).unwrap_err(), ApiError::Validation { field, .. } if field == "client_id")
        );

        let inbox = parse_create_inbox(&Response::new(201, &[], INBOX.as_bytes())).unwrap();
        assert_eq!(inbox.id, "inb_abc123");
        assert_eq!(inbox.username.as_deref(), Some("deploy-alerts"));
        assert_eq!(inbox.client_id, None);
        assert!(!inbox.send_paused);
        assert_eq!(inbox.domain_name(), "shared.agent-post.dev");
        let e = parse_create_inbox(&status(422, r#"{"detail":"invalid username"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.unprocessable");
        let e = parse_create_inbox(&status(409, r#"{"error":"username_taken","message":"x"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.conflict");
    }

    #[test]
    fn list_golden() {
        let r = build_list_inboxes(&ListInboxesParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Get, "/inboxes?limit=20", true));
        let p = ListInboxesParams { limit: 100, cursor: Some("c_2/=".into()) };
        assert_eq!(build_list_inboxes(&p).unwrap().path_and_query, "/inboxes?limit=100&cursor=c_2%2F%3D");
        for limit in [0, 101] {
            let p = ListInboxesParams { limit, cursor: None };
            assert_eq!(build_list_inboxes(&p).unwrap_err().code(), "api.validation");
        }
    }

    #[test]
    fn list_parse_tolerates_shapes() {
        let paused = r#"{"id":"inb_2","email":"ops@acme.com","username":"ops","display_name":null,"send_paused":true}"#;
        let page = parse_list_inboxes(&ok(&format!(
            r#"{{"items":[{INBOX},{paused}],"next_cursor":"cur_2","has_more":true}}"#
        )))
        .unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!((page.next_cursor.as_deref(), page.has_more), (Some("cur_2"), true));
        let second = &page.items[1];
        assert!(second.send_paused);
        assert_eq!((second.domain.as_deref(), second.domain_name()), (None, "acme.com"));

        let page = parse_list_inboxes(&ok(&format!(r#"{{"inboxes":[{INBOX}],"next_cursor":"cur_3"}}"#))).unwrap();
        assert_eq!((page.items.len(), page.next_cursor.as_deref(), page.has_more), (1, Some("cur_3"), true));
        let page =
            parse_list_inboxes(&ok(&format!(r#"{{"data":[{INBOX}],"next_cursor":null,"has_more":false}}"#))).unwrap();
        assert_eq!((page.items.len(), page.next_cursor, page.has_more), (1, None, false));
        let page = parse_list_inboxes(&ok(&format!(r#"{{"inboxes":[{INBOX}],"next_cursor":""}}"#))).unwrap();
        assert_eq!((page.next_cursor, page.has_more), (None, false));
        let page = parse_list_inboxes(&ok(&format!("[{INBOX}]"))).unwrap();
        assert_eq!((page.items.len(), page.has_more), (1, false));

        let mut pager = crate::api::CursorPager::new(DEFAULT_LIST_LIMIT);
        let first =
            parse_list_inboxes(&ok(&format!(r#"{{"items":[{INBOX}],"next_cursor":"n1","has_more":true}}"#))).unwrap();
        pager.advance(&first);
        assert_eq!(pager.next_page(), Some((20, Some("n1"))));
        let last = parse_list_inboxes(&ok(r#"{"items":[],"next_cursor":null,"has_more":false}"#)).unwrap();
        pager.advance(&last);
        assert!(pager.is_done());

        for bad in [r#"{"next_cursor":"x"}"#, r#"{"items":{"id":"inb_1"}}"#, r#""x""#, r#"{"items":[{"id":"inb_1"}]}"#]
        {
            assert_eq!(parse_list_inboxes(&ok(bad)).unwrap_err().code(), "api.decode", "{bad}");
        }
        let e = parse_list_inboxes(&status(401, r#"{"error":"unauthorized","message":"bad key"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.unauthorized");
    }

    #[test]
    fn get_update_delete_golden_and_parse() {
        let r = build_get_inbox("inb_abc123").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Get, "/inboxes/inb_abc123", true));
        assert_eq!(build_get_inbox("").unwrap_err().code(), "api.validation");
        assert_eq!(build_get_inbox("../x").unwrap().path_and_query, "/inboxes/..%2Fx");
        let inbox = parse_get_inbox(&ok(INBOX)).unwrap();
        assert_eq!(inbox.email, "deploy-alerts-x7k9@shared.agent-post.dev");
        assert_eq!(serde_json::from_value::<Inbox>(serde_json::to_value(&inbox).unwrap()).unwrap(), inbox);
        let e = parse_get_inbox(&status(404, r#"{"error":"not_found","message":"Inbox not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");

        let input = UpdateInboxRequest { display_name: Patch::Set("Ticket Router".into()) };
        let r = build_update_inbox("inb_abc123", &input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Patch, "/inboxes/inb_abc123"));
        assert_eq!(body(&r), r#"{"display_name":"Ticket Router"}"#);
        let r = build_update_inbox("inb_abc123", &UpdateInboxRequest { display_name: Patch::Clear }).unwrap();
        assert_eq!(body(&r), r#"{"display_name":null}"#);
        let r = build_update_inbox("inb_abc123", &UpdateInboxRequest::default()).unwrap();
        assert_eq!(body(&r), "{}");
        assert_eq!(serde_json::from_str::<UpdateInboxRequest>("{}").unwrap(), UpdateInboxRequest::default());
        assert_eq!(
            serde_json::from_str::<UpdateInboxRequest>(r#"{"display_name":"x"}"#).unwrap(),
            UpdateInboxRequest { display_name: Patch::Set("x".into()) }
        );
        let updated = parse_update_inbox(&ok(INBOX)).unwrap();
        assert_eq!(updated.display_name.as_deref(), Some("Deployment Alerts"));
        assert_eq!(parse_update_inbox(&status(404, "")).unwrap_err().code(), "api.not_found");

        let r = build_delete_inbox("inb_abc123").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/inboxes/inb_abc123", true)
        );
        parse_delete_inbox(&status(204, "")).unwrap();
        parse_delete_inbox(&ok(r#"{"deleted":true}"#)).unwrap();
        assert_eq!(parse_delete_inbox(&status(500, "boom")).unwrap_err().code(), "api.server_error");
    }
}
