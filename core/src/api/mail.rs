//! Mailboxes, messages, threads, attachments and sending domains (spec/mail.md).
//!
//! Mailboxes are addressed by their full email address, which goes into the
//! path as is (`…/mailboxes/bot@inkboxmail.com/…`); the framework encodes only
//! characters that would change the URL's structure. Mailboxes are created and
//! deleted through identities; this family only reads, updates and searches them.
//!
//! Message and thread lists are cursor paged (`limit` always sent, default 50;
//! `cursor` omitted on the first page): drive them with
//! [`CursorPager`](super::CursorPager) and feed each parsed [`CursorPage`] back.
//! "Unread only" is a client-side filter ([`is_unread`], [`unread`],
//! [`retain_unread`]); the server has no such parameter.

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

use super::catalog::{Operation, Paging};
use super::common::borrow;
use super::error::ApiError;
use super::paginate::CursorPage;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/v1/mail/mailboxes`
    pub const MAILBOXES_LIST: Operation = Operation::new("mail.mailboxes.list", Method::Get, "/api/v1/mail/mailboxes");
    /// `GET /api/v1/mail/mailboxes/{email}`
    pub const MAILBOXES_GET: Operation =
        Operation::new("mail.mailboxes.get", Method::Get, "/api/v1/mail/mailboxes/{email}");
    /// `PATCH /api/v1/mail/mailboxes/{email}`
    pub const MAILBOXES_UPDATE: Operation =
        Operation::new("mail.mailboxes.update", Method::Patch, "/api/v1/mail/mailboxes/{email}");
    /// `GET /api/v1/mail/mailboxes/{email}/search` (`q`, `limit`; one cursor-shaped page).
    pub const MAILBOXES_SEARCH: Operation =
        Operation::new("mail.mailboxes.search", Method::Get, "/api/v1/mail/mailboxes/{email}/search")
            .paging(Paging::Limit);
    /// `GET /api/v1/mail/mailboxes/{email}/messages`
    pub const MESSAGES_LIST: Operation =
        Operation::new("mail.messages.list", Method::Get, "/api/v1/mail/mailboxes/{email}/messages")
            .paging(Paging::Cursor);
    /// `POST /api/v1/mail/mailboxes/{email}/messages`
    pub const MESSAGES_SEND: Operation =
        Operation::new("mail.messages.send", Method::Post, "/api/v1/mail/mailboxes/{email}/messages");
    /// `GET /api/v1/mail/mailboxes/{email}/messages/{message_id}`
    pub const MESSAGES_GET: Operation =
        Operation::new("mail.messages.get", Method::Get, "/api/v1/mail/mailboxes/{email}/messages/{message_id}");
    /// `PATCH /api/v1/mail/mailboxes/{email}/messages/{message_id}` (read/starred flags).
    pub const MESSAGES_UPDATE: Operation =
        Operation::new("mail.messages.update", Method::Patch, "/api/v1/mail/mailboxes/{email}/messages/{message_id}");
    /// `DELETE /api/v1/mail/mailboxes/{email}/messages/{message_id}`
    pub const MESSAGES_DELETE: Operation =
        Operation::new("mail.messages.delete", Method::Delete, "/api/v1/mail/mailboxes/{email}/messages/{message_id}");
    /// `GET /api/v1/mail/mailboxes/{email}/messages/{message_id}/attachments/{filename}`
    pub const ATTACHMENTS_GET: Operation = Operation::new(
        "mail.attachments.get",
        Method::Get,
        "/api/v1/mail/mailboxes/{email}/messages/{message_id}/attachments/{filename}",
    );
    /// `GET /api/v1/mail/mailboxes/{email}/threads`
    pub const THREADS_LIST: Operation =
        Operation::new("mail.threads.list", Method::Get, "/api/v1/mail/mailboxes/{email}/threads")
            .paging(Paging::Cursor);
    /// `GET /api/v1/mail/mailboxes/{email}/threads/{thread_id}`
    pub const THREADS_GET: Operation =
        Operation::new("mail.threads.get", Method::Get, "/api/v1/mail/mailboxes/{email}/threads/{thread_id}");
    /// `DELETE /api/v1/mail/mailboxes/{email}/threads/{thread_id}`
    pub const THREADS_DELETE: Operation =
        Operation::new("mail.threads.delete", Method::Delete, "/api/v1/mail/mailboxes/{email}/threads/{thread_id}");
    /// `GET /api/v1/domains/` (with the trailing slash the SDK sends).
    pub const DOMAINS_LIST: Operation = Operation::new("domains.list", Method::Get, "/api/v1/domains/");
    /// `POST /api/v1/domains/{domain}/set-default` (the domain fully percent-encoded).
    pub const DOMAINS_SET_DEFAULT: Operation =
        Operation::new("domains.set_default", Method::Post, "/api/v1/domains/{domain_encoded}/set-default");
    /// `GET /api/v1/mail/mailboxes/{email}/contact-rules` (deprecated by the service).
    pub const CONTACT_RULES_LIST: Operation =
        Operation::new("mail.contact_rules.list", Method::Get, "/api/v1/mail/mailboxes/{email}/contact-rules")
            .paging(Paging::Offset);
    /// `GET /api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}`
    pub const CONTACT_RULES_GET: Operation =
        Operation::new("mail.contact_rules.get", Method::Get, "/api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}");
    /// `POST /api/v1/mail/mailboxes/{email}/contact-rules`
    pub const CONTACT_RULES_CREATE: Operation =
        Operation::new("mail.contact_rules.create", Method::Post, "/api/v1/mail/mailboxes/{email}/contact-rules");
    /// `PATCH /api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}` (admin-only).
    pub const CONTACT_RULES_UPDATE: Operation = Operation::new(
        "mail.contact_rules.update",
        Method::Patch,
        "/api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}",
    );
    /// `DELETE /api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}` (admin-only).
    pub const CONTACT_RULES_DELETE: Operation = Operation::new(
        "mail.contact_rules.delete",
        Method::Delete,
        "/api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}",
    );
    /// `GET /api/v1/mail/contact-rules` (org-wide, admin-only).
    pub const ORG_CONTACT_RULES_LIST: Operation =
        Operation::new("mail.org_contact_rules.list", Method::Get, "/api/v1/mail/contact-rules").paging(Paging::Offset);
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[
    &ops::MAILBOXES_LIST,
    &ops::MAILBOXES_GET,
    &ops::MAILBOXES_UPDATE,
    &ops::MAILBOXES_SEARCH,
    &ops::MESSAGES_LIST,
    &ops::MESSAGES_SEND,
    &ops::MESSAGES_GET,
    &ops::MESSAGES_UPDATE,
    &ops::MESSAGES_DELETE,
    &ops::ATTACHMENTS_GET,
    &ops::THREADS_LIST,
    &ops::THREADS_GET,
    &ops::THREADS_DELETE,
    &ops::DOMAINS_LIST,
    &ops::DOMAINS_SET_DEFAULT,
    &ops::CONTACT_RULES_LIST,
    &ops::CONTACT_RULES_GET,
    &ops::CONTACT_RULES_CREATE,
    &ops::CONTACT_RULES_UPDATE,
    &ops::CONTACT_RULES_DELETE,
    &ops::ORG_CONTACT_RULES_LIST,
];

/// The SDK's default page size for message and thread lists and for search.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The largest page size the mail endpoints accept.
pub const MAX_PAGE_SIZE: u32 = 100;
/// The largest total decoded attachment size of one send: 25 MiB.
pub const MAX_ATTACHMENT_BYTES: u64 = 25 * 1024 * 1024;
/// Attachment extensions the API refuses (compared case-insensitively).
pub const BLOCKED_ATTACHMENT_EXTENSIONS: &[&str] = &["exe", "bat", "scr"];

// -------------------------------------------------------------- mailboxes

pub use super::common::{ContactRuleStatus, FilterMode, FilterModeChangeNotice, RuleAction};

/// A mailbox (one per agent identity).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// UUID.
    pub id: String,
    /// The full address, e.g. `bot@inkboxmail.com`.
    pub email_address: String,
    /// Bare domain the mailbox sends from; absent on old servers (see [`Mailbox::domain`]).
    #[serde(default)]
    pub sending_domain: Option<String>,
    /// Inbound filter mode; absent → `blacklist`.
    #[serde(default)]
    pub filter_mode: FilterMode,
    /// The owning identity; `None` for deleted or system mailboxes.
    #[serde(default)]
    pub agent_identity_id: Option<String>,
    /// Only on a PATCH that changed `filter_mode`.
    #[serde(default)]
    pub filter_mode_change_notice: Option<FilterModeChangeNotice>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

impl Mailbox {
    /// The sending domain, derived from the address when the server did not send it.
    pub fn domain(&self) -> &str {
        match &self.sending_domain {
            Some(d) if !d.is_empty() => d,
            _ => self.email_address.rsplit_once('@').map(|(_, d)| d).unwrap_or_default(),
        }
    }
}

/// Body of `PATCH /api/v1/mail/mailboxes/{email}`; an empty body is a no-op.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateMailboxRequest {
    /// New filter mode (admin-scoped keys only; others get 403).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_mode: Option<FilterMode>,
}

/// Builds `GET /api/v1/mail/mailboxes`.
pub fn build_list_mailboxes() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::MAILBOXES_LIST, &[])?.build())
}

/// Parses the mailbox list (a bare array).
pub fn parse_list_mailboxes(resp: &Response<'_>) -> Result<Vec<Mailbox>, ApiError> {
    parse::json(&ops::MAILBOXES_LIST, resp)
}

/// Builds `GET /api/v1/mail/mailboxes/{email}`.
pub fn build_get_mailbox(email: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::MAILBOXES_GET, &[email])?.build())
}

/// Parses one mailbox.
pub fn parse_get_mailbox(resp: &Response<'_>) -> Result<Mailbox, ApiError> {
    parse::json(&ops::MAILBOXES_GET, resp)
}

/// Builds `PATCH /api/v1/mail/mailboxes/{email}`.
pub fn build_update_mailbox(email: &str, input: &UpdateMailboxRequest) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::MAILBOXES_UPDATE, &[email])?.json(input)?.build())
}

/// Parses the updated mailbox (with `filter_mode_change_notice` when the mode changed).
pub fn parse_update_mailbox(resp: &Response<'_>) -> Result<Mailbox, ApiError> {
    parse::json(&ops::MAILBOXES_UPDATE, resp)
}

/// Builds `GET /api/v1/mail/mailboxes/{email}/search?q=…&limit=…`.
///
/// `q` is required (non-blank); `limit` (1–100) defaults to 50 and is always sent.
pub fn build_search_mailbox(email: &str, q: &str, limit: Option<u32>) -> Result<Request, ApiError> {
    validate::non_empty("q", q)?;
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    validate::limit(limit, MAX_PAGE_SIZE)?;
    Ok(Request::builder(&ops::MAILBOXES_SEARCH, &[email])?.query("q", q).query("limit", limit).build())
}

/// Parses search results: relevance-ranked messages in `items` of one
/// cursor-shaped page (search has no cursor parameter; do not page it).
pub fn parse_search_mailbox(resp: &Response<'_>) -> Result<CursorPage<Message>, ApiError> {
    parse::json(&ops::MAILBOXES_SEARCH, resp)
}

/// [`parse_search_mailbox`] into messages that borrow from the body.
pub fn parse_search_mailbox_ref<'a>(resp: &Response<'a>) -> Result<CursorPage<MessageRef<'a>>, ApiError> {
    parse::json_borrowed(&ops::MAILBOXES_SEARCH, resp)
}

// --------------------------------------------------------------- messages

wire_enum! {
    /// Whether a message was received or sent by the mailbox.
    pub enum MessageDirection {
        /// Received from an external sender.
        Inbound = "inbound",
        /// Sent by the mailbox.
        Outbound = "outbound",
    }
}

wire_enum! {
    /// A message's delivery status.
    pub enum MessageStatus {
        /// Accepted, not yet handed off.
        Queued = "queued",
        /// Handed to the mail transport.
        Sent = "sent",
        /// Delivered to the recipient's server.
        Delivered = "delivered",
        /// Bounced.
        Bounced = "bounced",
        /// Failed.
        Failed = "failed",
        /// An inbound message that arrived.
        Received = "received",
        /// Deleted.
        Deleted = "deleted",
    }
}

/// Message metadata (list items, send and flag responses; no bodies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// UUID (the id used in paths).
    pub id: String,
    /// The owning mailbox's UUID.
    pub mailbox_id: String,
    /// The thread's UUID.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// RFC 5322 Message-ID header, e.g. `<abc@example.com>` (always set in REST; nullable in webhooks).
    #[serde(default)]
    pub message_id: Option<String>,
    /// Sender address.
    pub from_address: String,
    /// Primary recipients.
    #[serde(default)]
    pub to_addresses: Vec<String>,
    /// Carbon-copy recipients.
    #[serde(default)]
    pub cc_addresses: Option<Vec<String>>,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// About the first 200 characters of the text body.
    #[serde(default)]
    pub snippet: Option<String>,
    /// Inbound or outbound.
    pub direction: MessageDirection,
    /// Delivery status.
    pub status: MessageStatus,
    /// Read flag.
    #[serde(default)]
    pub is_read: bool,
    /// Starred flag.
    #[serde(default)]
    pub is_starred: bool,
    /// Whether the message has attachments.
    #[serde(default)]
    pub has_attachments: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// HEAD servers: the import job that created the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_job_id: Option<String>,
    /// HEAD servers: first open-tracking hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_opened_at: Option<Timestamp>,
    /// HEAD servers: approximate open count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_count: Option<u64>,
}

/// [`Message`] with its strings borrowed from the response body (owned only
/// where the JSON string has escapes): what [`parse_list_messages_ref`]
/// returns, to be read or serialized without allocating per field. It accepts
/// and refuses the same JSON as [`Message`], with the same errors, and
/// serializes to the same output (serde name `Message`, same fields, same
/// order); [`MessageRef::into_owned`] gives the [`Message`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Message")]
pub struct MessageRef<'a> {
    /// UUID (the id used in paths).
    #[serde(borrow, deserialize_with = "borrow::str")]
    pub id: Cow<'a, str>,
    /// The owning mailbox's UUID.
    #[serde(borrow, deserialize_with = "borrow::str")]
    pub mailbox_id: Cow<'a, str>,
    /// The thread's UUID.
    #[serde(borrow, default, deserialize_with = "borrow::opt_str")]
    pub thread_id: Option<Cow<'a, str>>,
    /// RFC 5322 Message-ID header.
    #[serde(borrow, default, deserialize_with = "borrow::opt_str")]
    pub message_id: Option<Cow<'a, str>>,
    /// Sender address.
    #[serde(borrow, deserialize_with = "borrow::str")]
    pub from_address: Cow<'a, str>,
    /// Primary recipients.
    #[serde(borrow, default, deserialize_with = "borrow::vec_str")]
    pub to_addresses: Vec<Cow<'a, str>>,
    /// Carbon-copy recipients.
    #[serde(borrow, default, deserialize_with = "borrow::opt_vec_str")]
    pub cc_addresses: Option<Vec<Cow<'a, str>>>,
    /// Subject.
    #[serde(borrow, default, deserialize_with = "borrow::opt_str")]
    pub subject: Option<Cow<'a, str>>,
    /// About the first 200 characters of the text body.
    #[serde(borrow, default, deserialize_with = "borrow::opt_str")]
    pub snippet: Option<Cow<'a, str>>,
    /// Inbound or outbound.
    pub direction: MessageDirection,
    /// Delivery status.
    pub status: MessageStatus,
    /// Read flag.
    #[serde(default)]
    pub is_read: bool,
    /// Starred flag.
    #[serde(default)]
    pub is_starred: bool,
    /// Whether the message has attachments.
    #[serde(default)]
    pub has_attachments: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// HEAD servers: the import job that created the message.
    #[serde(borrow, default, deserialize_with = "borrow::opt_str", skip_serializing_if = "Option::is_none")]
    pub import_job_id: Option<Cow<'a, str>>,
    /// HEAD servers: first open-tracking hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_opened_at: Option<Timestamp>,
    /// HEAD servers: approximate open count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_count: Option<u64>,
}

impl MessageRef<'_> {
    /// The owned [`Message`].
    pub fn into_owned(self) -> Message {
        fn own(v: Vec<Cow<'_, str>>) -> Vec<String> {
            v.into_iter().map(Cow::into_owned).collect()
        }
        // Exhaustive on both sides: a field added to one of the two types
        // and not the other does not compile.
        let MessageRef {
            id,
            mailbox_id,
            thread_id,
            message_id,
            from_address,
            to_addresses,
            cc_addresses,
            subject,
            snippet,
            direction,
            status,
            is_read,
            is_starred,
            has_attachments,
            created_at,
            import_job_id,
            first_opened_at,
            open_count,
        } = self;
        Message {
            id: id.into_owned(),
            mailbox_id: mailbox_id.into_owned(),
            thread_id: thread_id.map(Cow::into_owned),
            message_id: message_id.map(Cow::into_owned),
            from_address: from_address.into_owned(),
            to_addresses: own(to_addresses),
            cc_addresses: cc_addresses.map(own),
            subject: subject.map(Cow::into_owned),
            snippet: snippet.map(Cow::into_owned),
            direction,
            status,
            is_read,
            is_starred,
            has_attachments,
            created_at,
            import_job_id: import_job_id.map(Cow::into_owned),
            first_opened_at,
            open_count,
        }
    }
}

impl<'a> From<&'a Message> for MessageRef<'a> {
    fn from(m: &'a Message) -> Self {
        fn borrow(v: &[String]) -> Vec<Cow<'_, str>> {
            v.iter().map(|s| Cow::Borrowed(s.as_str())).collect()
        }
        let Message {
            id,
            mailbox_id,
            thread_id,
            message_id,
            from_address,
            to_addresses,
            cc_addresses,
            subject,
            snippet,
            direction,
            status,
            is_read,
            is_starred,
            has_attachments,
            created_at,
            import_job_id,
            first_opened_at,
            open_count,
        } = m;
        let cow = |s: &'a String| Cow::Borrowed(s.as_str());
        MessageRef {
            id: cow(id),
            mailbox_id: cow(mailbox_id),
            thread_id: thread_id.as_ref().map(cow),
            message_id: message_id.as_ref().map(cow),
            from_address: cow(from_address),
            to_addresses: borrow(to_addresses),
            cc_addresses: cc_addresses.as_deref().map(borrow),
            subject: subject.as_ref().map(cow),
            snippet: snippet.as_ref().map(cow),
            direction: direction.clone(),
            status: status.clone(),
            is_read: *is_read,
            is_starred: *is_starred,
            has_attachments: *has_attachments,
            created_at: *created_at,
            import_job_id: import_job_id.as_ref().map(cow),
            first_opened_at: *first_opened_at,
            open_count: *open_count,
        }
    }
}

/// A message with its bodies and headers (`GET …/messages/{id}`).
///
/// On the wire the [`Message`] fields and these sit side by side in one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDetail {
    /// The metadata fields.
    #[serde(flatten)]
    pub message: Message,
    /// Plain-text body.
    #[serde(default)]
    pub body_text: Option<String>,
    /// HTML body.
    #[serde(default)]
    pub body_html: Option<String>,
    /// Blind carbon-copy recipients (outbound only).
    #[serde(default)]
    pub bcc_addresses: Option<Vec<String>>,
    /// The In-Reply-To header.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// The References header values.
    #[serde(default)]
    pub references: Option<Vec<String>>,
    /// Free-form metadata per attachment (keys not pinned by the API).
    #[serde(default)]
    pub attachment_metadata: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
    /// The mail transport's message id.
    #[serde(default)]
    pub ses_message_id: Option<String>,
    /// Last update (absent on old servers).
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

/// `true` when the message has not been read (the client-side "unread" filter).
pub fn is_unread(message: &Message) -> bool {
    !message.is_read
}

/// The unread messages of a page's items, in order.
pub fn unread(messages: &[Message]) -> impl Iterator<Item = &Message> {
    messages.iter().filter(|m| is_unread(m))
}

/// Drops the read messages from a page, keeping `next_cursor` and `has_more`
/// untouched so paging continues over the server's pages (an emptied page
/// does not mean the end).
pub fn retain_unread(page: &mut CursorPage<Message>) {
    page.items.retain(is_unread);
}

/// Query of `GET …/messages`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListMessagesParams {
    /// Page size 1–100 (always sent; default 50).
    pub limit: u32,
    /// The previous page's `next_cursor`; `None` on the first page.
    pub cursor: Option<String>,
    /// Only inbound or only outbound messages.
    pub direction: Option<MessageDirection>,
}

impl Default for ListMessagesParams {
    fn default() -> Self {
        ListMessagesParams { limit: DEFAULT_PAGE_SIZE, cursor: None, direction: None }
    }
}

/// Builds `GET …/mailboxes/{email}/messages?limit=…[&cursor=…][&direction=…]` (newest first).
pub fn build_list_messages(email: &str, params: &ListMessagesParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_PAGE_SIZE)?;
    Ok(Request::builder(&ops::MESSAGES_LIST, &[email])?
        .query("limit", params.limit)
        .query_opt("cursor", params.cursor.as_ref())
        .query_opt("direction", params.direction.as_ref().map(MessageDirection::as_str))
        .build())
}

/// Parses a page of messages.
pub fn parse_list_messages(resp: &Response<'_>) -> Result<CursorPage<Message>, ApiError> {
    parse::json(&ops::MESSAGES_LIST, resp)
}

/// [`parse_list_messages`] into messages that borrow from the body.
pub fn parse_list_messages_ref<'a>(resp: &Response<'a>) -> Result<CursorPage<MessageRef<'a>>, ApiError> {
    parse::json_borrowed(&ops::MESSAGES_LIST, resp)
}

/// Recipients of a send. `cc` and `bcc` are omitted from the body when empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients {
    /// Primary recipients (at least one).
    pub to: Vec<String>,
    /// Carbon-copy recipients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    /// Blind carbon-copy recipients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bcc: Vec<String>,
}

/// A file attached to an outgoing email. `Debug` shows only the content's length.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingAttachment {
    /// File name, e.g. `report.pdf` (`.exe`, `.bat`, `.scr` are refused).
    pub filename: String,
    /// MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The content in standard base64 (RFC 4648 §4 alphabet, `=` padding, no whitespace).
    pub content_base64: String,
}

impl fmt::Debug for OutgoingAttachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingAttachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("content_base64_len", &self.content_base64.len())
            .finish()
    }
}

/// Body of `POST …/mailboxes/{email}/messages`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendEmailRequest {
    /// Who receives it.
    pub recipients: Recipients,
    /// Subject (a reply's `Re:` prefix is the caller's job).
    pub subject: String,
    /// Plain-text body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// HTML body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// Threads the email as a reply: the RFC 5322 Message-ID of the message
    /// answered (the SDK's examples pass the Inkbox message UUID, which works too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to_message_id: Option<String>,
    /// Attachments (total decoded size ≤ 25 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<OutgoingAttachment>>,
}

/// Checks a send body before it leaves: at least one non-blank `to`, no
/// blank addresses, and the attachment rules (see [`validate_attachments`]).
pub fn validate_send(input: &SendEmailRequest) -> Result<(), ApiError> {
    let r = &input.recipients;
    if r.to.is_empty() {
        return Err(ApiError::validation("to", "at least one recipient is required"));
    }
    for (field, list) in [("to", &r.to), ("cc", &r.cc), ("bcc", &r.bcc)] {
        if list.iter().any(|a| a.trim().is_empty()) {
            return Err(ApiError::validation(field, "recipient addresses must not be empty"));
        }
    }
    if let Some(attachments) = &input.attachments {
        validate_attachments(attachments)?;
    }
    Ok(())
}

/// Checks attachments: a non-blank filename whose extension is not `.exe`,
/// `.bat` or `.scr` (any case, trailing dots and spaces ignored), valid
/// standard base64 content, and a total decoded size of at most 25 MiB.
pub fn validate_attachments(attachments: &[OutgoingAttachment]) -> Result<(), ApiError> {
    let mut total: u64 = 0;
    for a in attachments {
        validate::non_empty("attachments.filename", &a.filename)?;
        if has_blocked_extension(&a.filename) {
            return Err(ApiError::validation(
                "attachments.filename",
                "files with the extensions .exe, .bat and .scr cannot be attached",
            ));
        }
        let size = base64_decoded_len(&a.content_base64).ok_or_else(|| {
            ApiError::validation("attachments.content_base64", "must be standard base64 (A-Z a-z 0-9 + /, = padding)")
        })?;
        total = total.saturating_add(size);
        if total > MAX_ATTACHMENT_BYTES {
            return Err(ApiError::validation("attachments", "attachments may total at most 25 MB"));
        }
    }
    Ok(())
}

/// `true` when the file name ends in a refused extension.
fn has_blocked_extension(filename: &str) -> bool {
    let name = filename.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    match name.rsplit_once('.') {
        Some((_, ext)) => BLOCKED_ATTACHMENT_EXTENSIONS.iter().any(|b| ext.eq_ignore_ascii_case(b)),
        None => false,
    }
}

/// The decoded length of padded standard base64, or `None` when it is not
/// valid: length a multiple of 4, only `A-Z a-z 0-9 + /`, and at most two `=`
/// at the very end. (Non-zero pad bits are tolerated, as most decoders do.)
fn base64_decoded_len(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let data = b.strip_suffix(b"==").or_else(|| b.strip_suffix(b"=")).unwrap_or(b);
    let pad = b.len() - data.len();
    if !data.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/') {
        return None;
    }
    let blocks = u64::try_from(b.len() / 4).ok()?;
    Some(blocks * 3 - u64::try_from(pad).ok()?)
}

/// Builds `POST …/mailboxes/{email}/messages` after [`validate_send`].
pub fn build_send_message(email: &str, input: &SendEmailRequest) -> Result<Request, ApiError> {
    validate_send(input)?;
    Ok(Request::builder(&ops::MESSAGES_SEND, &[email])?.json(input)?.build())
}

/// Parses the sent message (`direction: outbound`).
pub fn parse_send_message(resp: &Response<'_>) -> Result<Message, ApiError> {
    parse::json(&ops::MESSAGES_SEND, resp)
}

/// Builds `GET …/mailboxes/{email}/messages/{message_id}` (`message_id` = the UUID `id`).
pub fn build_get_message(email: &str, message_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::MESSAGES_GET, &[email, message_id])?.build())
}

/// Parses a message with bodies.
pub fn parse_get_message(resp: &Response<'_>) -> Result<MessageDetail, ApiError> {
    parse::json(&ops::MESSAGES_GET, resp)
}

/// Body of the flags PATCH: only the supplied keys are sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateMessageFlagsRequest {
    /// New read flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_read: Option<bool>,
    /// New starred flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_starred: Option<bool>,
}

impl UpdateMessageFlagsRequest {
    /// `{"is_read": true}`
    pub fn mark_read() -> Self {
        UpdateMessageFlagsRequest { is_read: Some(true), is_starred: None }
    }
    /// `{"is_read": false}`
    pub fn mark_unread() -> Self {
        UpdateMessageFlagsRequest { is_read: Some(false), is_starred: None }
    }
    /// `{"is_starred": true}`
    pub fn star() -> Self {
        UpdateMessageFlagsRequest { is_read: None, is_starred: Some(true) }
    }
    /// `{"is_starred": false}`
    pub fn unstar() -> Self {
        UpdateMessageFlagsRequest { is_read: None, is_starred: Some(false) }
    }
}

/// Builds `PATCH …/mailboxes/{email}/messages/{message_id}`.
pub fn build_update_message_flags(
    email: &str,
    message_id: &str,
    input: &UpdateMessageFlagsRequest,
) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::MESSAGES_UPDATE, &[email, message_id])?.json(input)?.build())
}

/// Parses the updated message.
pub fn parse_update_message_flags(resp: &Response<'_>) -> Result<Message, ApiError> {
    parse::json(&ops::MESSAGES_UPDATE, resp)
}

/// Builds `DELETE …/mailboxes/{email}/messages/{message_id}`.
pub fn build_delete_message(email: &str, message_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::MESSAGES_DELETE, &[email, message_id])?.build())
}

/// Accepts any 2xx.
pub fn parse_delete_message(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::MESSAGES_DELETE, resp)
}

// ------------------------------------------------------------ attachments

/// Where to download an attachment. `Debug` hides the URL's query (its signature).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentUrl {
    /// A temporary signed URL.
    pub url: String,
    /// The attachment's file name (absent when taken from a redirect).
    #[serde(default)]
    pub filename: Option<String>,
    /// Seconds until the URL expires (absent when taken from a redirect).
    #[serde(default)]
    pub expires_in: Option<u64>,
}

impl fmt::Debug for AttachmentUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match self.url.split_once('?') {
            Some((base, _)) => alloc::format!("{base}?<redacted>"),
            None => self.url.clone(),
        };
        f.debug_struct("AttachmentUrl")
            .field("url", &shown)
            .field("filename", &self.filename)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Builds `GET …/messages/{message_id}/attachments/{filename}?redirect=true|false`.
///
/// `filename` goes into the path as is (only characters that would break the
/// URL are percent-encoded). `redirect` is always sent (the SDK default is
/// `false`). With `redirect = true` the server answers `302` with a
/// `Location` header: the transport must **not** follow redirects for this
/// request, and [`parse_get_attachment_url`] turns the redirect into the URL.
pub fn build_get_attachment_url(
    email: &str,
    message_id: &str,
    filename: &str,
    redirect: bool,
) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::ATTACHMENTS_GET, &[email, message_id, filename])?.query("redirect", redirect).build())
}

/// Parses an attachment URL.
///
/// - `2xx`: the JSON `{"url", "filename", "expires_in"}` (`redirect=false`).
/// - `3xx` with a non-empty `Location` header (`redirect=true`): **not an
///   error** — the `Location` value becomes [`AttachmentUrl::url`], with
///   `filename` and `expires_in` unset.
/// - `3xx` without `Location`, and every other status: the classified error.
pub fn parse_get_attachment_url(resp: &Response<'_>) -> Result<AttachmentUrl, ApiError> {
    if (300..400).contains(&resp.status)
        && let Some(location) = resp.header("location").map(str::trim).filter(|l| !l.is_empty())
    {
        return Ok(AttachmentUrl { url: location.to_owned(), filename: None, expires_in: None });
    }
    parse::json(&ops::ATTACHMENTS_GET, resp)
}

// ---------------------------------------------------------------- threads

wire_enum! {
    /// The folder a thread is filed in (default: inbox).
    #[derive(Default)]
    pub enum ThreadFolder {
        /// The inbox (the default).
        #[default]
        Inbox = "inbox",
        /// Spam.
        Spam = "spam",
        /// Blocked by a contact rule or the filter mode (server-assigned).
        Blocked = "blocked",
        /// Archived.
        Archive = "archive",
    }
}

/// A conversation thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// UUID.
    pub id: String,
    /// The owning mailbox's UUID.
    pub mailbox_id: String,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Folder; absent → `inbox`.
    #[serde(default)]
    pub folder: ThreadFolder,
    /// Number of messages.
    #[serde(default)]
    pub message_count: u64,
    /// Time of the latest message.
    pub last_message_at: Timestamp,
    /// Creation time.
    pub created_at: Timestamp,
    /// The messages, oldest first — only on a thread GET (`None` in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
}

/// Query of `GET …/threads`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListThreadsParams {
    /// Page size 1–100 (always sent; default 50).
    pub limit: u32,
    /// The previous page's `next_cursor`; `None` on the first page.
    pub cursor: Option<String>,
    /// One folder only; `None` = every folder visible to the caller.
    pub folder: Option<ThreadFolder>,
}

impl Default for ListThreadsParams {
    fn default() -> Self {
        ListThreadsParams { limit: DEFAULT_PAGE_SIZE, cursor: None, folder: None }
    }
}

/// Builds `GET …/mailboxes/{email}/threads?limit=…[&cursor=…][&folder=…]` (most recent activity first).
pub fn build_list_threads(email: &str, params: &ListThreadsParams) -> Result<Request, ApiError> {
    validate::limit(params.limit, MAX_PAGE_SIZE)?;
    Ok(Request::builder(&ops::THREADS_LIST, &[email])?
        .query("limit", params.limit)
        .query_opt("cursor", params.cursor.as_ref())
        .query_opt("folder", params.folder.as_ref().map(ThreadFolder::as_str))
        .build())
}

/// Parses a page of threads (without messages).
pub fn parse_list_threads(resp: &Response<'_>) -> Result<CursorPage<Thread>, ApiError> {
    parse::json(&ops::THREADS_LIST, resp)
}

/// Builds `GET …/mailboxes/{email}/threads/{thread_id}`.
pub fn build_get_thread(email: &str, thread_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::THREADS_GET, &[email, thread_id])?.build())
}

/// Parses a thread with its messages.
pub fn parse_get_thread(resp: &Response<'_>) -> Result<Thread, ApiError> {
    parse::json(&ops::THREADS_GET, resp)
}

/// Builds `DELETE …/mailboxes/{email}/threads/{thread_id}`.
pub fn build_delete_thread(email: &str, thread_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::THREADS_DELETE, &[email, thread_id])?.build())
}

/// Accepts any 2xx.
pub fn parse_delete_thread(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::THREADS_DELETE, resp)
}

// ---------------------------------------------------------------- domains

wire_enum! {
    /// A custom sending domain's status; only `verified` domains send.
    pub enum SendingDomainStatus {
        /// Registered, setup not started.
        NotStarted = "not_started",
        /// Waiting for proof of ownership.
        AwaitingOwnership = "awaiting_ownership",
        /// DNS setup pending.
        Pending = "pending",
        /// DNS records are wrong.
        DnsInvalid = "dns_invalid",
        /// Being verified.
        Verifying = "verifying",
        /// Usable for sending.
        Verified = "verified",
        /// Verification failed.
        Failed = "failed",
        /// A DKIM key rotation is pending.
        PendingDkimRotation = "pending_dkim_rotation",
        /// Degraded.
        Degraded = "degraded",
        /// Being deleted.
        PendingDeletion = "pending_deletion",
    }
}

/// A custom sending domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// `sending_domain_<uuid>`.
    pub id: String,
    /// Bare domain name, e.g. `mail.acme.com`.
    pub domain: String,
    /// Status.
    pub status: SendingDomainStatus,
    /// The org default (at most one).
    #[serde(default)]
    pub is_default: bool,
    /// When it was verified.
    #[serde(default)]
    pub verified_at: Option<Timestamp>,
}

/// Response of `set-default`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDefaultDomainResponse {
    /// The bare new default domain; `None` when reverted to the platform domain.
    #[serde(default)]
    pub default_domain: Option<String>,
}

/// Builds `GET /api/v1/domains/[?status=…]`.
pub fn build_list_domains(status: Option<&SendingDomainStatus>) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::DOMAINS_LIST, &[])?.query_opt("status", status.map(SendingDomainStatus::as_str)).build())
}

/// Parses the domain list (a bare array).
pub fn parse_list_domains(resp: &Response<'_>) -> Result<Vec<Domain>, ApiError> {
    parse::json(&ops::DOMAINS_LIST, resp)
}

/// Builds `POST /api/v1/domains/{domain}/set-default` with body `{}`.
///
/// `domain` is the bare name (not the row id), fully percent-encoded into the
/// path; pass the platform domain (`inkboxmail.com` in production) to revert.
/// Admin-scoped keys only (others get 403).
pub fn build_set_default_domain(domain: &str) -> Result<Request, ApiError> {
    validate::non_empty("domain", domain)?;
    Ok(Request::builder(&ops::DOMAINS_SET_DEFAULT, &[domain])?.json(&serde_json::json!({}))?.build())
}

/// Parses the new default: the bare domain name, or `None` when reverted to the platform domain.
pub fn parse_set_default_domain(resp: &Response<'_>) -> Result<Option<String>, ApiError> {
    parse::json::<SetDefaultDomainResponse>(&ops::DOMAINS_SET_DEFAULT, resp).map(|r| r.default_domain)
}

// ---------------------------------------------------------- contact rules
//
// Per-mailbox allow/block rules and the org-wide list. The service has
// announced them deprecated; they still work.

/// The page-size ceiling of the contact-rule lists.
pub const CONTACT_RULES_MAX_LIMIT: u32 = 200;

wire_enum! {
    /// What a mail contact rule matches on.
    pub enum MailRuleMatchType {
        /// One address, compared case-insensitively.
        ExactEmail = "exact_email",
        /// Every address of a domain.
        Domain = "domain",
    }
}

/// A per-mailbox allow/block rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailContactRule {
    /// Rule UUID.
    pub id: String,
    /// The mailbox the rule belongs to.
    pub mailbox_id: String,
    /// Allow or block.
    pub action: RuleAction,
    /// What it matches on.
    pub match_type: MailRuleMatchType,
    /// The matched address or domain.
    pub match_target: String,
    /// Active or paused; absent → active.
    #[serde(default = "active_status")]
    pub status: ContactRuleStatus,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

pub(crate) fn active_status() -> ContactRuleStatus {
    ContactRuleStatus::Active
}

/// Query of a mailbox's rule list: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListMailContactRulesParams {
    /// Filter by action.
    pub action: Option<RuleAction>,
    /// Filter by match type.
    pub match_type: Option<MailRuleMatchType>,
    /// 1–200.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Query of the org-wide mail rule list: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListOrgMailContactRulesParams {
    /// Narrow to one mailbox (UUID).
    pub mailbox_id: Option<String>,
    /// Filter by action.
    pub action: Option<RuleAction>,
    /// Filter by match type.
    pub match_type: Option<MailRuleMatchType>,
    /// 1–200.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Body of a mail rule create (all three keys required and sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateMailContactRuleRequest {
    /// Allow or block.
    pub action: RuleAction,
    /// What to match on.
    pub match_type: MailRuleMatchType,
    /// The address (`exact_email`) or domain (`domain`).
    pub match_target: String,
}

/// Body of a mail rule update (admin-only). Only supplied keys are sent;
/// `match_type` and `match_target` are immutable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateMailContactRuleRequest {
    /// New action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<RuleAction>,
    /// Pause or resume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ContactRuleStatus>,
}

/// Builds `GET /api/v1/mail/mailboxes/{email}/contact-rules`.
pub fn build_list_contact_rules(email: &str, params: &ListMailContactRulesParams) -> Result<Request, ApiError> {
    if let Some(limit) = params.limit {
        validate::limit(limit, CONTACT_RULES_MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::CONTACT_RULES_LIST, &[email])?
        .query_opt("action", params.action.as_ref().map(RuleAction::as_str))
        .query_opt("match_type", params.match_type.as_ref().map(MailRuleMatchType::as_str))
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses a mailbox's rules.
pub fn parse_list_contact_rules(resp: &Response<'_>) -> Result<Vec<MailContactRule>, ApiError> {
    parse::json(&ops::CONTACT_RULES_LIST, resp)
}

/// Builds `GET /api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}`.
pub fn build_get_contact_rule(email: &str, rule_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CONTACT_RULES_GET, &[email, rule_id])?.build())
}

/// Parses one rule.
pub fn parse_get_contact_rule(resp: &Response<'_>) -> Result<MailContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_GET, resp)
}

/// Builds `POST /api/v1/mail/mailboxes/{email}/contact-rules`; the target must not be blank.
pub fn build_create_contact_rule(email: &str, input: &CreateMailContactRuleRequest) -> Result<Request, ApiError> {
    validate::non_empty("match_target", &input.match_target)?;
    Ok(Request::builder(&ops::CONTACT_RULES_CREATE, &[email])?.json(input)?.build())
}

/// Parses the created rule (409 `existing_rule_id` → duplicate contact rule).
pub fn parse_create_contact_rule(resp: &Response<'_>) -> Result<MailContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_CREATE, resp)
}

/// Builds `PATCH /api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}`.
pub fn build_update_contact_rule(
    email: &str,
    rule_id: &str,
    input: &UpdateMailContactRuleRequest,
) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CONTACT_RULES_UPDATE, &[email, rule_id])?.json(input)?.build())
}

/// Parses the updated rule.
pub fn parse_update_contact_rule(resp: &Response<'_>) -> Result<MailContactRule, ApiError> {
    parse::json(&ops::CONTACT_RULES_UPDATE, resp)
}

/// Builds `DELETE /api/v1/mail/mailboxes/{email}/contact-rules/{rule_id}`.
pub fn build_delete_contact_rule(email: &str, rule_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::CONTACT_RULES_DELETE, &[email, rule_id])?.build())
}

/// Checks the delete response (any 2xx).
pub fn parse_delete_contact_rule(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::CONTACT_RULES_DELETE, resp)
}

/// Builds `GET /api/v1/mail/contact-rules` (org-wide, admin-only).
pub fn build_list_org_contact_rules(params: &ListOrgMailContactRulesParams) -> Result<Request, ApiError> {
    if let Some(limit) = params.limit {
        validate::limit(limit, CONTACT_RULES_MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::ORG_CONTACT_RULES_LIST, &[])?
        .query_opt("mailbox_id", params.mailbox_id.as_ref())
        .query_opt("action", params.action.as_ref().map(RuleAction::as_str))
        .query_opt("match_type", params.match_type.as_ref().map(MailRuleMatchType::as_str))
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses the org's mail rules.
pub fn parse_list_org_contact_rules(resp: &Response<'_>) -> Result<Vec<MailContactRule>, ApiError> {
    parse::json(&ops::ORG_CONTACT_RULES_LIST, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::error::ErrorKind;
    use crate::api::test_support::{body, ok, status};
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    const EMAIL: &str = "bot@inkboxmail.com";
    const MID: &str = "5f0c7f1e-0d7e-4c39-9a0e-3f8a1b2c3d4e";
    const TID: &str = "a1b2c3d4-0000-4000-8000-000000000001";

    fn message_json(extra: &str) -> String {
        format!(
            r#"{{"id":"{MID}","mailbox_id":"mb-1","thread_id":"{TID}","message_id":"<abc@example.com>","from_address":"a@example.com","to_addresses":["{EMAIL}"],"cc_addresses":null,"subject":"Hi","snippet":"Hello","direction":"inbound","status":"received","is_read":false,"is_starred":true,"has_attachments":false,"created_at":"2026-03-09T00:00:00Z"{extra}}}"#
        )
    }

    /// Every kind of input, good and bad, for the owned and borrowed parsers.
    fn page_bodies() -> Vec<Vec<u8>> {
        let m = message_json("");
        let full =
            message_json(r#","import_job_id":"job-1","first_opened_at":"2026-03-09T01:02:03.5+01:00","open_count":7"#);
        let escaped = r#"{"id":"m\"1\u00e9","mailbox_id":"mb\\1","thread_id":"t\n","message_id":null,"from_address":"\u0061@x","to_addresses":["a\/b","plain","\ud83d\ude00"],"cc_addresses":["c\tc"],"subject":"caf\u00e9 — ok","snippet":"s","direction":"sideways","status":"quarantined","created_at":"2026-03-08T23:59:59.123456789Z"}"#;
        let mut bodies: Vec<Vec<u8>> = [
            format!(r#"{{"items":[{m},{full},{escaped}],"next_cursor":"c\u0031","has_more":true}}"#),
            format!(r#"{{"items":[{m}]}}"#),
            r#"{"items":[]}"#.to_string(),
            format!(r#"  {{"items":[{m}],"has_more":false,"next_cursor":null}}  "#),
            // Fields missing, null, of the wrong type.
            r#"{"items":[{"id":"x"}]}"#.to_string(),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#""id":"#, r#""id":5,"x":"#)),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#""mailbox_id":"mb-1""#, r#""mailbox_id":null"#)),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#""subject":"Hi""#, r#""subject":["Hi"]"#)),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#"["bot@inkboxmail.com"]"#, r#""bot@inkboxmail.com""#)),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#"["bot@inkboxmail.com"]"#, r#"[1]"#)),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#""cc_addresses":null"#, r#""cc_addresses":[null]"#)),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#""direction":"inbound""#, r#""direction":1"#)),
            format!(r#"{{"items":[{}]}}"#, m.replace("2026-03-09T00:00:00Z", "2026-02-30T00:00:00Z")),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#""is_read":false"#, r#""is_read":"no""#)),
            format!(r#"{{"items":[{m},{m}"#),
            format!(r#"{{"items":[{m}]}} trailing"#),
            format!(r#"{{"items":[{}]}}"#, m.replace(r#""id":"#, r#""id":"a","id":"#)),
            r#"{"items":[{"id":"\ud800"}]}"#.to_string(),
            r#"{"items":[{"id":"\x"}]}"#.to_string(),
            r#"[]"#.to_string(),
            String::new(),
        ]
        .into_iter()
        .map(String::into_bytes)
        .collect();
        // Not UTF-8: inside a string, and outside one.
        let mut bad = format!(r#"{{"items":[{}]}}"#, m.replace("Hello", "Hel\u{1}lo")).into_bytes();
        for b in bad.iter_mut() {
            if *b == 1 {
                *b = 0xff;
            }
        }
        bodies.push(bad);
        bodies.push(b"{\"items\":[]}\xc3".to_vec());
        bodies
    }

    #[test]
    fn borrowed_messages_parse_like_owned_ones() {
        for (i, raw) in page_bodies().into_iter().enumerate() {
            let resp = Response::new(200, &[], &raw);
            let owned = parse_list_messages(&resp);
            let borrowed = parse_list_messages_ref(&resp);
            let text = String::from_utf8_lossy(&raw);
            assert_eq!(owned.is_ok(), i < 4, "{text}: {owned:?}");
            match (&owned, &borrowed) {
                (Ok(o), Ok(b)) => {
                    assert_eq!(serde_json::to_value(o).unwrap(), serde_json::to_value(b).unwrap(), "{text}");
                    let back: Vec<Message> = b.items.iter().cloned().map(MessageRef::into_owned).collect();
                    assert_eq!(back, o.items, "{text}");
                    let again: Vec<MessageRef<'_>> = o.items.iter().map(MessageRef::from).collect();
                    assert_eq!(&again, &b.items, "{text}");
                    assert_eq!((&o.next_cursor, o.has_more), (&b.next_cursor, b.has_more));
                    // The dynamic entry point serializes the borrowed page.
                    let dynamic = crate::api::dynamic::parse("mail.messages.list", &resp).unwrap();
                    assert_eq!(dynamic, serde_json::to_value(o).unwrap(), "{text}");
                }
                (Err(o), Err(b)) => assert_eq!(o, b, "{text}"),
                _ => panic!("owned {owned:?} vs borrowed {borrowed:?} for {text}"),
            }
            let search = Response::new(200, &[], &raw);
            assert_eq!(
                parse_search_mailbox(&search).map(|p| p.items),
                parse_search_mailbox_ref(&search).map(|p| p.items.into_iter().map(MessageRef::into_owned).collect())
            );
        }
        // Error statuses are classified the same way.
        let resp = Response::new(404, &[], br#"{"detail":"nope"}"#);
        assert_eq!(parse_list_messages(&resp).unwrap_err(), parse_list_messages_ref(&resp).unwrap_err());
    }

    #[test]
    fn borrowed_messages_borrow_unless_escaped() {
        let raw = page_bodies().swap_remove(0);
        let resp = Response::new(200, &[], &raw);
        let page = parse_list_messages_ref(&resp).unwrap();
        let plain = &page.items[0];
        assert!(matches!(plain.id, Cow::Borrowed(_)) && matches!(plain.to_addresses[0], Cow::Borrowed(_)));
        let escaped = &page.items[2];
        assert_eq!(escaped.id, "m\"1é");
        assert!(matches!(escaped.id, Cow::Owned(_)));
        assert_eq!(escaped.to_addresses, ["a/b", "plain", "😀"]);
        assert!(matches!(escaped.to_addresses[1], Cow::Borrowed(_)));
        assert_eq!(escaped.direction, MessageDirection::Unknown("sideways".into()));
        assert_eq!(escaped.created_at.subsec_nanos(), 123_456_789);
    }

    #[test]
    fn catalog_entries() {
        assert_eq!(OPERATIONS.len(), 21);
        assert_eq!(ops::CONTACT_RULES_LIST.paging, Paging::Offset);
        for op in OPERATIONS {
            assert!(op.path.starts_with("/api/v1/"), "{}", op.name);
            assert_eq!(op.auth, crate::api::Auth::ApiKey);
        }
        assert_eq!(ops::MESSAGES_LIST.paging, Paging::Cursor);
        assert_eq!(ops::THREADS_LIST.paging, Paging::Cursor);
        assert_eq!(ops::MAILBOXES_SEARCH.paging, Paging::Limit);
        assert_eq!(ops::DOMAINS_LIST.paging, Paging::None);
    }

    #[test]
    fn mailboxes_golden() {
        let r = build_list_mailboxes().unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Get, "/api/v1/mail/mailboxes", true)
        );
        assert_eq!(r.operation.name, "mail.mailboxes.list");
        let r = build_get_mailbox(EMAIL).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/mail/mailboxes/bot@inkboxmail.com"));
        assert!(r.body.is_none());
        // A hostile address cannot reach another route.
        let r = build_get_mailbox("a/../b@x.com").unwrap();
        assert_eq!(r.path_and_query, "/api/v1/mail/mailboxes/a%2F..%2Fb@x.com");
        assert_eq!(build_get_mailbox("").unwrap_err().code(), "api.validation");

        let input = UpdateMailboxRequest { filter_mode: Some(FilterMode::Whitelist) };
        let r = build_update_mailbox("sales+x@acme.com", &input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Patch, "/api/v1/mail/mailboxes/sales+x@acme.com"));
        assert_eq!(body(&r), r#"{"filter_mode":"whitelist"}"#);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let r = build_update_mailbox(EMAIL, &UpdateMailboxRequest::default()).unwrap();
        assert_eq!(body(&r), "{}");
        let back: UpdateMailboxRequest = serde_json::from_str(r#"{"filter_mode":"blacklist"}"#).unwrap();
        assert_eq!(back.filter_mode, Some(FilterMode::Blacklist));
    }

    #[test]
    fn mailboxes_parse() {
        let list = parse_list_mailboxes(&ok(r#"[
            {"id":"mb-1","email_address":"bot@inkboxmail.com","sending_domain":"inkboxmail.com","filter_mode":"whitelist","agent_identity_id":"id-1","filter_mode_change_notice":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00+00:00","webhook_url":null},
            {"id":"mb-2","email_address":"old@acme.com","agent_identity_id":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"},
            {"id":"mb-3","email_address":"x@y.com","filter_mode":"greylist","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}
        ]"#))
        .unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].filter_mode, FilterMode::Whitelist);
        assert_eq!(list[0].domain(), "inkboxmail.com");
        assert_eq!(list[1].filter_mode, FilterMode::Blacklist);
        assert_eq!(list[1].sending_domain, None);
        assert_eq!(list[1].domain(), "acme.com");
        assert_eq!(list[1].agent_identity_id, None);
        assert_eq!(list[2].filter_mode, FilterMode::Unknown("greylist".into()));

        let m = parse_update_mailbox(&ok(r#"{"id":"mb-1","email_address":"bot@inkboxmail.com","sending_domain":"inkboxmail.com","filter_mode":"whitelist","agent_identity_id":"id-1","filter_mode_change_notice":{"new_filter_mode":"whitelist","redundant_rule_action":"block","redundant_rule_count":2},"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-10T00:00:00Z"}"#)).unwrap();
        let n = m.filter_mode_change_notice.as_ref().unwrap();
        assert_eq!(
            (&n.new_filter_mode, &n.redundant_rule_action, n.redundant_rule_count),
            (&FilterMode::Whitelist, &RuleAction::Block, 2)
        );
        // Serialization keeps the wire shape.
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["filter_mode_change_notice"]["redundant_rule_action"], "block");
        assert_eq!(v["updated_at"], "2026-03-10T00:00:00Z");
        assert_eq!(serde_json::from_value::<Mailbox>(v).unwrap(), m);

        let g = parse_get_mailbox(&ok(r#"{"id":"mb-1","email_address":"bot@inkboxmail.com","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#)).unwrap();
        assert_eq!(g.filter_mode_change_notice, None);

        let e = parse_get_mailbox(&status(404, r#"{"detail":"Mailbox not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        assert_eq!(e.as_status().unwrap().operation, "mail.mailboxes.get");
        let e = parse_update_mailbox(&status(
            422,
            r#"{"detail":[{"loc":["body","display_name"],"msg":"extra fields not permitted"}]}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.unprocessable");
        let e =
            parse_update_mailbox(&status(403, r#"{"detail":"filter_mode requires an admin-scoped key"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
        let e = parse_get_mailbox(&ok(r#"{"id":"mb-1"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.decode");
    }

    #[test]
    fn search_golden_and_parse() {
        let r = build_search_mailbox(EMAIL, "invoice 2026/Q1", Some(20)).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path_and_query, "/api/v1/mail/mailboxes/bot@inkboxmail.com/search?q=invoice%202026%2FQ1&limit=20");
        assert!(r.body.is_none());
        let r = build_search_mailbox(EMAIL, "refund", None).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/mail/mailboxes/bot@inkboxmail.com/search?q=refund&limit=50");
        assert_eq!(r.operation.name, "mail.mailboxes.search");
        for (q, limit) in [("", None), ("  ", None), ("x", Some(0)), ("x", Some(101))] {
            let e = build_search_mailbox(EMAIL, q, limit).unwrap_err();
            assert_eq!(e.code(), "api.validation", "{q:?} {limit:?}");
        }
        assert!(build_search_mailbox(EMAIL, "x", Some(100)).is_ok());
        let page = parse_search_mailbox(&ok(&format!(
            r#"{{"items":[{}],"next_cursor":null,"has_more":false}}"#,
            message_json("")
        )))
        .unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(!page.has_more);
        let e = parse_search_mailbox(&status(404, r#"{"detail":"Not Found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn list_messages_golden() {
        let r = build_list_messages(EMAIL, &ListMessagesParams::default()).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path_and_query, "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages?limit=50");
        assert!(r.body.is_none());
        let p = ListMessagesParams {
            limit: 100,
            cursor: Some("c2=/+x".into()),
            direction: Some(MessageDirection::Inbound),
        };
        let r = build_list_messages(EMAIL, &p).unwrap();
        assert_eq!(
            r.path_and_query,
            "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages?limit=100&cursor=c2%3D%2F%2Bx&direction=inbound"
        );
        let p = ListMessagesParams { direction: Some(MessageDirection::Outbound), ..Default::default() };
        assert_eq!(
            build_list_messages(EMAIL, &p).unwrap().path_and_query,
            "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages?limit=50&direction=outbound"
        );
        for limit in [0, 101] {
            let p = ListMessagesParams { limit, ..Default::default() };
            assert_eq!(build_list_messages(EMAIL, &p).unwrap_err().code(), "api.validation");
        }
    }

    #[test]
    fn list_messages_parse_and_paging() {
        let item2 = r#"{"id":"m2","mailbox_id":"mb-1","thread_id":null,"message_id":"<m2@x>","from_address":"bot@inkboxmail.com","to_addresses":["a@example.com"],"cc_addresses":["c@example.com"],"subject":null,"snippet":null,"direction":"outbound","status":"quarantined","is_read":true,"is_starred":false,"has_attachments":true,"created_at":"2026-03-08T23:59:59.5Z","open_count":3,"new_field":{"x":1}}"#;
        let raw = format!(r#"{{"items":[{},{item2}],"next_cursor":"cur_2","has_more":true}}"#, message_json(""));
        let mut page = parse_list_messages(&ok(&raw)).unwrap();
        assert_eq!(page.items.len(), 2);
        let m1 = &page.items[0];
        assert_eq!(
            (m1.id.as_str(), m1.thread_id.as_deref(), m1.message_id.as_deref()),
            (MID, Some(TID), Some("<abc@example.com>"))
        );
        assert_eq!((m1.direction.clone(), m1.status.clone()), (MessageDirection::Inbound, MessageStatus::Received));
        assert_eq!(m1.cc_addresses, None);
        let m2 = &page.items[1];
        assert_eq!(m2.status, MessageStatus::Unknown("quarantined".into()));
        assert_eq!(m2.thread_id, None);
        assert_eq!(m2.cc_addresses.as_deref(), Some(&["c@example.com".to_string()][..]));
        assert_eq!(m2.open_count, Some(3));
        assert_eq!(m2.created_at.subsec_nanos(), 500_000_000);

        let mut pager = crate::api::CursorPager::new(DEFAULT_PAGE_SIZE);
        pager.advance(&page);
        assert_eq!(pager.next_page(), Some((50, Some("cur_2"))));

        // Client-side unread filter.
        assert!(is_unread(&page.items[0]) && !is_unread(&page.items[1]));
        assert_eq!(unread(&page.items).map(|m| m.id.as_str()).collect::<Vec<_>>(), [MID]);
        retain_unread(&mut page);
        assert_eq!(page.items.len(), 1);
        assert_eq!((page.next_cursor.as_deref(), page.has_more), (Some("cur_2"), true));

        // Round trip: HEAD-only fields are omitted when absent.
        let s = serde_json::to_string(&page.items[0]).unwrap();
        assert!(!s.contains("open_count") && s.contains(r#""cc_addresses":null"#));
        assert_eq!(serde_json::from_str::<Message>(&s).unwrap(), page.items[0]);

        let last = parse_list_messages(&ok(r#"{"items":[],"next_cursor":null,"has_more":false}"#)).unwrap();
        pager.advance(&last);
        assert!(pager.is_done());
        let e = parse_list_messages(&status(404, r#"{"detail":"Mailbox not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        assert_eq!(parse_list_messages(&ok(r#"[]"#)).unwrap_err().code(), "api.decode");
    }

    fn attachment(name: &str, b64: &str) -> OutgoingAttachment {
        OutgoingAttachment { filename: name.into(), content_type: "application/pdf".into(), content_base64: b64.into() }
    }

    #[test]
    fn send_golden() {
        let input = SendEmailRequest {
            recipients: Recipients { to: vec!["user@example.com".into()], ..Default::default() },
            subject: "Hello".into(),
            body_text: Some("Hi there!".into()),
            ..Default::default()
        };
        let r = build_send_message(EMAIL, &input).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Post, "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages")
        );
        assert_eq!(body(&r), r#"{"recipients":{"to":["user@example.com"]},"subject":"Hello","body_text":"Hi there!"}"#);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(!r.is_retry_safe());

        let full = SendEmailRequest {
            recipients: Recipients {
                to: vec!["user@example.com".into()],
                cc: vec!["manager@example.com".into()],
                bcc: vec!["archive@example.com".into()],
            },
            subject: "Re: Hello".into(),
            body_text: Some("t".into()),
            body_html: Some("<p>t</p>".into()),
            in_reply_to_message_id: Some(MID.into()),
            attachments: Some(vec![attachment("report.pdf", "JVBERi0=")]),
        };
        let r = build_send_message(EMAIL, &full).unwrap();
        assert_eq!(
            body(&r),
            format!(
                r#"{{"recipients":{{"to":["user@example.com"],"cc":["manager@example.com"],"bcc":["archive@example.com"]}},"subject":"Re: Hello","body_text":"t","body_html":"<p>t</p>","in_reply_to_message_id":"{MID}","attachments":[{{"filename":"report.pdf","content_type":"application/pdf","content_base64":"JVBERi0="}}]}}"#
            )
        );
        // The emulator parses the same body back.
        let back: SendEmailRequest = serde_json::from_slice(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(back, full);
        let minimal: SendEmailRequest =
            serde_json::from_str(r#"{"recipients":{"to":["a@b.c"]},"subject":"s"}"#).unwrap();
        assert!(minimal.recipients.cc.is_empty() && minimal.attachments.is_none());
        // Debug does not dump attachment content.
        let dbg = format!("{full:?}");
        assert!(dbg.contains("content_base64_len: 8") && !dbg.contains("JVBERi0="));
        // An idempotency key can be added to a send.
        let mut r = r;
        r.set_idempotency_key("send-1").unwrap();
        assert!(r.is_retry_safe());
    }

    #[test]
    fn send_validation() {
        let base = SendEmailRequest {
            recipients: Recipients { to: vec!["user@example.com".into()], ..Default::default() },
            subject: "s".into(),
            ..Default::default()
        };
        let field = |input: &SendEmailRequest| match build_send_message(EMAIL, input).unwrap_err() {
            ApiError::Validation { field, .. } => field.to_string(),
            other => panic!("{other:?}"),
        };
        let no_to = SendEmailRequest { recipients: Recipients::default(), ..base.clone() };
        assert_eq!(field(&no_to), "to");
        let only_cc = SendEmailRequest {
            recipients: Recipients { cc: vec!["a@b.c".into()], ..Default::default() },
            ..base.clone()
        };
        assert_eq!(field(&only_cc), "to");
        let blank_bcc = SendEmailRequest {
            recipients: Recipients { to: vec!["a@b.c".into()], bcc: vec![" ".into()], ..Default::default() },
            ..base.clone()
        };
        assert_eq!(field(&blank_bcc), "bcc");

        let with = |atts: Vec<OutgoingAttachment>| SendEmailRequest { attachments: Some(atts), ..base.clone() };
        for name in ["setup.exe", "RUN.BAT", "screen.Scr", "x.exe.", "x.exe ", "a.pdf.exe"] {
            assert_eq!(field(&with(vec![attachment(name, "")])), "attachments.filename", "{name}");
        }
        for name in ["exe", "report.exe.pdf", "batch.txt", "x.scrx", ".bashrc"] {
            assert!(build_send_message(EMAIL, &with(vec![attachment(name, "")])).is_ok(), "{name}");
        }
        assert_eq!(field(&with(vec![attachment("", "")])), "attachments.filename");
        for bad in ["A", "AAA", "AA=A", "A===", "AB-_", "QUJD\n", "QU JD", "QUJD====", "=AAA", "QQ==QQ=="] {
            assert_eq!(field(&with(vec![attachment("a.txt", bad)])), "attachments.content_base64", "{bad:?}");
        }
        for good in ["", "QQ==", "QUI=", "QUJD", "+/+/", "JVBERi0xLjQK"] {
            assert!(build_send_message(EMAIL, &with(vec![attachment("a.txt", good)])).is_ok(), "{good:?}");
        }
        assert_eq!(base64_decoded_len("QQ=="), Some(1));
        assert_eq!(base64_decoded_len("QUI="), Some(2));
        assert_eq!(base64_decoded_len("QUJD"), Some(3));

        // Size: exactly 25 MiB passes, one byte more (across attachments) fails.
        let max_blocks = usize::try_from(MAX_ATTACHMENT_BYTES / 3).unwrap(); // 8_738_133 blocks = 26_214_399 bytes
        let at_limit_minus_1 = "AAAA".repeat(max_blocks);
        assert_eq!(base64_decoded_len(&at_limit_minus_1), Some(MAX_ATTACHMENT_BYTES - 1));
        assert!(
            build_send_message(EMAIL, &with(vec![attachment("a.bin", &at_limit_minus_1), attachment("b.bin", "QQ==")]))
                .is_ok()
        );
        assert_eq!(
            field(&with(vec![attachment("a.bin", &at_limit_minus_1), attachment("b.bin", "QUI=")])),
            "attachments"
        );
    }

    #[test]
    fn send_parse_and_errors() {
        let m = parse_send_message(&ok(&message_json(""))).unwrap();
        assert_eq!(m.id, MID);
        let e = parse_send_message(&status(
            422,
            r#"{"detail":[{"loc":["body","recipients","to"],"msg":"field required","type":"value_error.missing"}]}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.unprocessable");
        let e = parse_send_message(&status(403, r#"{"detail":{"error":"recipient_blocked","matched_rule_id":null,"address":"x@evil.com","reason":"whitelist"}}"#)).unwrap_err();
        assert_eq!(e.code(), "api.recipient_blocked");
        assert!(
            matches!(&e.as_status().unwrap().kind, ErrorKind::RecipientBlocked { matched_rule_id: None, address: Some(a), .. } if a == "x@evil.com")
        );
        let e = parse_send_message(&status(402, r#"{"detail":{"error":"storage_limit_exceeded","message":"full","upgrade_url":"https://inkbox.ai/billing"}}"#)).unwrap_err();
        assert_eq!(e.code(), "api.storage_limit_exceeded");
        let e = parse_send_message(&status(409, r#"{"detail":{"error":"idempotency_key_reused","message":"x"}}"#))
            .unwrap_err();
        assert_eq!(e.code(), "api.idempotency_key_reused");
        let headers = [("Retry-After".to_string(), "30".to_string())];
        let e = parse_send_message(&Response::new(429, &headers, br#"{"detail":"Too many requests"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.rate_limited");
        assert_eq!(e.retry_after(), Some(crate::api::RetryAfter::Seconds(30)));
    }

    #[test]
    fn get_message_golden_and_parse() {
        let r = build_get_message(EMAIL, MID).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages/5f0c7f1e-0d7e-4c39-9a0e-3f8a1b2c3d4e")
        );
        assert!(r.body.is_none());
        assert_eq!(build_get_message(EMAIL, "").unwrap_err().code(), "api.validation");
        let raw = message_json(
            r#","body_text":"Hello there","body_html":null,"bcc_addresses":null,"in_reply_to":"<prev@x>","references":["<a@x>","<prev@x>"],"attachment_metadata":[{"filename":"r.pdf","size":12,"content_type":"application/pdf"}],"ses_message_id":null,"updated_at":"2026-03-09T00:00:01Z","first_opened_at":null,"extra":true"#,
        );
        let d = parse_get_message(&ok(&raw)).unwrap();
        assert_eq!(d.message.id, MID);
        assert_eq!(d.message.subject.as_deref(), Some("Hi"));
        assert_eq!(d.body_text.as_deref(), Some("Hello there"));
        assert_eq!(d.body_html, None);
        assert_eq!(d.references.as_ref().unwrap().len(), 2);
        assert_eq!(d.attachment_metadata.as_ref().unwrap()[0]["size"], 12);
        assert_eq!(d.updated_at.unwrap().to_string(), "2026-03-09T00:00:01Z");
        // Flat on the wire.
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["id"], MID);
        assert_eq!(v["body_text"], "Hello there");
        assert!(v.get("message").is_none());
        assert_eq!(serde_json::from_value::<MessageDetail>(v).unwrap(), d);
        // Minimal detail: only Message fields.
        let d = parse_get_message(&ok(&message_json(""))).unwrap();
        assert_eq!((d.body_text, d.updated_at, d.attachment_metadata), (None, None, None));
        let e = parse_get_message(&status(404, r#"{"detail":"Message not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn flags_golden_and_parse() {
        let r = build_update_message_flags(EMAIL, MID, &UpdateMessageFlagsRequest::mark_read()).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Patch, "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages/5f0c7f1e-0d7e-4c39-9a0e-3f8a1b2c3d4e")
        );
        assert_eq!(body(&r), r#"{"is_read":true}"#);
        let cases = [
            (UpdateMessageFlagsRequest::mark_unread(), r#"{"is_read":false}"#),
            (UpdateMessageFlagsRequest::star(), r#"{"is_starred":true}"#),
            (UpdateMessageFlagsRequest::unstar(), r#"{"is_starred":false}"#),
            (
                UpdateMessageFlagsRequest { is_read: Some(true), is_starred: Some(false) },
                r#"{"is_read":true,"is_starred":false}"#,
            ),
            (UpdateMessageFlagsRequest::default(), "{}"),
        ];
        for (input, expected) in cases {
            let r = build_update_message_flags(EMAIL, MID, &input).unwrap();
            assert_eq!(body(&r), expected);
            assert_eq!(serde_json::from_str::<UpdateMessageFlagsRequest>(expected).unwrap(), input);
        }
        let m = parse_update_message_flags(&ok(&message_json(""))).unwrap();
        assert!(m.is_starred);
        let e = parse_update_message_flags(&status(404, r#"{"detail":"Not Found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn delete_message_golden_and_parse() {
        let r = build_delete_message(EMAIL, MID).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Delete, "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages/5f0c7f1e-0d7e-4c39-9a0e-3f8a1b2c3d4e")
        );
        assert!(r.body.is_none());
        parse_delete_message(&status(204, "")).unwrap();
        parse_delete_message(&ok("{}")).unwrap();
        let e = parse_delete_message(&status(404, r#"{"detail":"Not Found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn attachment_golden_and_parse() {
        let r = build_get_attachment_url(EMAIL, MID, "report.pdf", false).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.path_and_query,
            format!("/api/v1/mail/mailboxes/bot@inkboxmail.com/messages/{MID}/attachments/report.pdf?redirect=false")
        );
        assert!(r.body.is_none());
        let r = build_get_attachment_url(EMAIL, MID, "Q1 report (final)+v2.pdf", true).unwrap();
        assert_eq!(
            r.path_and_query,
            format!(
                "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages/{MID}/attachments/Q1%20report%20(final)+v2.pdf?redirect=true"
            )
        );
        let r = build_get_attachment_url(EMAIL, MID, "../../x?y#z", false).unwrap();
        assert_eq!(
            r.path_and_query,
            format!(
                "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages/{MID}/attachments/..%2F..%2Fx%3Fy%23z?redirect=false"
            )
        );
        assert_eq!(build_get_attachment_url(EMAIL, MID, "", false).unwrap_err().code(), "api.validation");

        let a = parse_get_attachment_url(&ok(r#"{"url":"https://files.example.com/r.pdf?X-Amz-Signature=secret","filename":"report.pdf","expires_in":3600,"more":1}"#)).unwrap();
        assert_eq!((a.filename.as_deref(), a.expires_in), (Some("report.pdf"), Some(3600)));
        assert!(a.url.ends_with("secret"));
        let dbg = format!("{a:?}");
        assert!(dbg.contains("https://files.example.com/r.pdf?<redacted>") && !dbg.contains("secret"));

        // redirect=true: a 302 with Location is the answer, not an error.
        let headers = [("location".to_string(), " https://files.example.com/r.pdf?sig=1 ".to_string())];
        for code in [301, 302, 303, 307, 308] {
            let a = parse_get_attachment_url(&Response::new(code, &headers, b"")).unwrap();
            assert_eq!(
                a,
                AttachmentUrl { url: "https://files.example.com/r.pdf?sig=1".into(), filename: None, expires_in: None }
            );
        }
        let e = parse_get_attachment_url(&status(302, "")).unwrap_err();
        assert_eq!(e.code(), "api.http_error");
        let empty_loc = [("Location".to_string(), "".to_string())];
        assert_eq!(
            parse_get_attachment_url(&Response::new(302, &empty_loc, b"")).unwrap_err().code(),
            "api.http_error"
        );
        let e = parse_get_attachment_url(&Response::new(404, &headers, br#"{"detail":"Attachment not found"}"#))
            .unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        // A transport that followed the redirect hands back the file, which is not JSON.
        assert_eq!(parse_get_attachment_url(&ok("%PDF-1.4")).unwrap_err().code(), "api.decode");
    }

    #[test]
    fn threads_golden() {
        let r = build_list_threads(EMAIL, &ListThreadsParams::default()).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/mail/mailboxes/bot@inkboxmail.com/threads?limit=50")
        );
        assert!(r.body.is_none());
        let p = ListThreadsParams { limit: 10, cursor: Some("t2".into()), folder: Some(ThreadFolder::Spam) };
        assert_eq!(
            build_list_threads(EMAIL, &p).unwrap().path_and_query,
            "/api/v1/mail/mailboxes/bot@inkboxmail.com/threads?limit=10&cursor=t2&folder=spam"
        );
        let p = ListThreadsParams { folder: Some(ThreadFolder::Archive), ..Default::default() };
        assert_eq!(
            build_list_threads(EMAIL, &p).unwrap().path_and_query,
            "/api/v1/mail/mailboxes/bot@inkboxmail.com/threads?limit=50&folder=archive"
        );
        let p = ListThreadsParams { limit: 101, ..Default::default() };
        assert_eq!(build_list_threads(EMAIL, &p).unwrap_err().code(), "api.validation");

        let r = build_get_thread(EMAIL, TID).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/mail/mailboxes/bot@inkboxmail.com/threads/a1b2c3d4-0000-4000-8000-000000000001")
        );
        assert!(r.body.is_none());
        let r = build_delete_thread(EMAIL, TID).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Delete, "/api/v1/mail/mailboxes/bot@inkboxmail.com/threads/a1b2c3d4-0000-4000-8000-000000000001")
        );
        assert!(r.body.is_none());
        assert_eq!(build_delete_thread(EMAIL, "").unwrap_err().code(), "api.validation");
    }

    #[test]
    fn threads_parse() {
        let page = parse_list_threads(&ok(r#"{"items":[
            {"id":"t1","mailbox_id":"mb-1","subject":"Hi","folder":"spam","message_count":3,"last_message_at":"2026-03-09T10:00:00Z","created_at":"2026-03-09T00:00:00Z"},
            {"id":"t2","mailbox_id":"mb-1","subject":null,"message_count":1,"last_message_at":"2026-03-08T10:00:00Z","created_at":"2026-03-08T00:00:00Z","status":"open"},
            {"id":"t3","mailbox_id":"mb-1","folder":"important","message_count":1,"last_message_at":"2026-03-08T10:00:00Z","created_at":"2026-03-08T00:00:00Z"}
        ],"next_cursor":"t-next","has_more":true}"#)).unwrap();
        assert_eq!(page.items[0].folder, ThreadFolder::Spam);
        assert_eq!(page.items[1].folder, ThreadFolder::Inbox);
        assert_eq!(page.items[1].subject, None);
        assert_eq!(page.items[2].folder, ThreadFolder::Unknown("important".into()));
        assert!(page.items.iter().all(|t| t.messages.is_none()));
        assert_eq!(page.next_cursor.as_deref(), Some("t-next"));
        assert!(!serde_json::to_string(&page.items[0]).unwrap().contains("messages"));

        let raw = format!(
            r#"{{"id":"{TID}","mailbox_id":"mb-1","subject":"Hi","folder":"inbox","message_count":1,"last_message_at":"2026-03-09T10:00:00Z","created_at":"2026-03-09T00:00:00Z","messages":[{}]}}"#,
            message_json("")
        );
        let t = parse_get_thread(&ok(&raw)).unwrap();
        assert_eq!(t.messages.as_ref().unwrap()[0].id, MID);
        assert_eq!(serde_json::from_str::<Thread>(&serde_json::to_string(&t).unwrap()).unwrap(), t);
        let e = parse_get_thread(&status(404, r#"{"detail":"Thread not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        parse_delete_thread(&status(204, "")).unwrap();
        assert_eq!(parse_delete_thread(&status(403, r#"{"detail":"Forbidden"}"#)).unwrap_err().code(), "api.forbidden");
        assert_eq!(parse_list_threads(&status(500, "oops")).unwrap_err().code(), "api.server_error");
    }

    #[test]
    fn domains_golden_and_parse() {
        let r = build_list_domains(None).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Get, "/api/v1/domains/", true));
        let r = build_list_domains(Some(&SendingDomainStatus::Verified)).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/domains/?status=verified");
        let r = build_list_domains(Some(&SendingDomainStatus::PendingDkimRotation)).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/domains/?status=pending_dkim_rotation");
        assert_eq!(SendingDomainStatus::KNOWN.len(), 10);

        let list = parse_list_domains(&ok(r#"[
            {"id":"sending_domain_1","domain":"mail.acme.com","status":"verified","is_default":true,"verified_at":"2026-03-01T12:00:00Z"},
            {"id":"sending_domain_2","domain":"new.acme.com","status":"quantum","is_default":false,"verified_at":null,"dns_records":[]}
        ]"#)).unwrap();
        assert_eq!(list[0].status, SendingDomainStatus::Verified);
        assert!(list[0].is_default);
        assert_eq!(list[1].status, SendingDomainStatus::Unknown("quantum".into()));
        assert_eq!(list[1].verified_at, None);
        assert_eq!(serde_json::from_value::<Domain>(serde_json::to_value(&list[0]).unwrap()).unwrap(), list[0]);

        let r = build_set_default_domain("mail.acme.com").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/domains/mail.acme.com/set-default"));
        assert_eq!(body(&r), "{}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let r = build_set_default_domain("a/b c@d").unwrap();
        assert_eq!(r.path_and_query, "/api/v1/domains/a%2Fb%20c%40d/set-default");
        assert_eq!(build_set_default_domain("").unwrap_err().code(), "api.validation");
        assert_eq!(build_set_default_domain(" ").unwrap_err().code(), "api.validation");

        assert_eq!(
            parse_set_default_domain(&ok(r#"{"default_domain":"mail.acme.com"}"#)).unwrap().as_deref(),
            Some("mail.acme.com")
        );
        assert_eq!(parse_set_default_domain(&ok(r#"{"default_domain":null}"#)).unwrap(), None);
        assert_eq!(parse_set_default_domain(&ok(r#"{}"#)).unwrap(), None);
        let e = parse_set_default_domain(&status(403, r#"{"detail":"Admin-scoped API key required"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
        let e = parse_set_default_domain(&status(404, r#"{"detail":"Domain not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        let e = parse_list_domains(&status(401, r#"{"detail":"Invalid API key"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.unauthorized");
    }

    const RULE: &str = r#"{"id":"r-1","mailbox_id":"mb-1","action":"block","match_type":"domain","match_target":"spam.example","status":"active","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;

    #[test]
    fn contact_rules_golden() {
        let r = build_list_contact_rules(EMAIL, &ListMailContactRulesParams::default()).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/mail/mailboxes/bot@inkboxmail.com/contact-rules")
        );
        let p = ListMailContactRulesParams {
            action: Some(RuleAction::Allow),
            match_type: Some(MailRuleMatchType::ExactEmail),
            limit: Some(5),
            offset: Some(10),
        };
        assert_eq!(
            build_list_contact_rules(EMAIL, &p).unwrap().path_and_query,
            "/api/v1/mail/mailboxes/bot@inkboxmail.com/contact-rules?action=allow&match_type=exact_email&limit=5&offset=10"
        );
        let p = ListMailContactRulesParams { limit: Some(201), ..Default::default() };
        assert_eq!(build_list_contact_rules(EMAIL, &p).unwrap_err().code(), "api.validation");

        let r = build_get_contact_rule(EMAIL, "r-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Get, "/api/v1/mail/mailboxes/bot@inkboxmail.com/contact-rules/r-1")
        );
        let create = CreateMailContactRuleRequest {
            action: RuleAction::Block,
            match_type: MailRuleMatchType::Domain,
            match_target: "spam.example".into(),
        };
        let r = build_create_contact_rule(EMAIL, &create).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Post, "/api/v1/mail/mailboxes/bot@inkboxmail.com/contact-rules")
        );
        assert_eq!(body(&r), r#"{"action":"block","match_type":"domain","match_target":"spam.example"}"#);
        let blank = CreateMailContactRuleRequest { match_target: " ".into(), ..create };
        assert_eq!(build_create_contact_rule(EMAIL, &blank).unwrap_err().code(), "api.validation");
        assert!(
            serde_json::from_str::<CreateMailContactRuleRequest>(r#"{"action":"allow","match_target":"a@b"}"#).is_err()
        );

        let u = UpdateMailContactRuleRequest { action: None, status: Some(ContactRuleStatus::Paused) };
        let r = build_update_contact_rule(EMAIL, "r-1", &u).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (Method::Patch, "/api/v1/mail/mailboxes/bot@inkboxmail.com/contact-rules/r-1")
        );
        assert_eq!(body(&r), r#"{"status":"paused"}"#);
        assert_eq!(
            body(&build_update_contact_rule(EMAIL, "r-1", &UpdateMailContactRuleRequest::default()).unwrap()),
            "{}"
        );

        let r = build_delete_contact_rule(EMAIL, "r-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/api/v1/mail/mailboxes/bot@inkboxmail.com/contact-rules/r-1", true)
        );

        let r = build_list_org_contact_rules(&ListOrgMailContactRulesParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/mail/contact-rules"));
        let p = ListOrgMailContactRulesParams {
            mailbox_id: Some(MID.into()),
            action: Some(RuleAction::Block),
            match_type: Some(MailRuleMatchType::Domain),
            limit: Some(200),
            offset: None,
        };
        assert_eq!(
            build_list_org_contact_rules(&p).unwrap().path_and_query,
            format!("/api/v1/mail/contact-rules?mailbox_id={MID}&action=block&match_type=domain&limit=200")
        );
        let p = ListOrgMailContactRulesParams { limit: Some(0), ..Default::default() };
        assert!(build_list_org_contact_rules(&p).is_err());
    }

    #[test]
    fn contact_rules_parse_and_errors() {
        let rule = parse_get_contact_rule(&ok(RULE)).unwrap();
        assert_eq!(
            (rule.mailbox_id.as_str(), rule.action.clone(), rule.match_type.clone(), rule.status.clone()),
            ("mb-1", RuleAction::Block, MailRuleMatchType::Domain, ContactRuleStatus::Active)
        );
        assert_eq!(parse_list_contact_rules(&ok(&format!("[{RULE}]"))).unwrap(), vec![rule.clone()]);
        assert_eq!(parse_list_org_contact_rules(&ok(&format!("[{RULE},{RULE}]"))).unwrap().len(), 2);
        let no_status = RULE.replace(r#""status":"active","#, "");
        assert_eq!(parse_update_contact_rule(&ok(&no_status)).unwrap().status, ContactRuleStatus::Active);
        let odd = RULE.replace("\"domain\"", "\"regex\"").replace("\"active\"", "\"archived\"");
        let r = parse_get_contact_rule(&ok(&odd)).unwrap();
        assert_eq!(r.match_type, MailRuleMatchType::Unknown("regex".into()));
        assert_eq!(r.status, ContactRuleStatus::Unknown("archived".into()));
        assert_eq!(serde_json::from_value::<MailContactRule>(serde_json::to_value(&rule).unwrap()).unwrap(), rule);

        let e = parse_create_contact_rule(&status(
            409,
            r#"{"detail":{"existing_rule_id":"r-0","message":"A rule for this target already exists"}}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.duplicate_contact_rule");
        match &e.as_status().unwrap().kind {
            ErrorKind::DuplicateContactRule { existing_rule_id } => assert_eq!(existing_rule_id, "r-0"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_update_contact_rule(&status(403, r#"{"detail":"admin only"}"#)).unwrap_err().code(),
            "api.forbidden"
        );
        assert!(parse_delete_contact_rule(&status(204, "")).is_ok());
        assert_eq!(
            parse_delete_contact_rule(&status(404, r#"{"detail":"Not Found"}"#)).unwrap_err().code(),
            "api.not_found"
        );
    }
}
