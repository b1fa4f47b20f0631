//! Mail: sending (with local delivery and threading), messages, threads,
//! search, attachments and sending domains.

use hmac::{Hmac, KeyInit, Mac as _};
use inkbox_core::api::identities::IdentityStatus;
use inkbox_core::api::mail::{
    self, Message, MessageDetail, MessageDirection, MessageStatus, SendEmailRequest, SetDefaultDomainResponse, Thread,
    ThreadFolder, UpdateMessageFlagsRequest,
};
use inkbox_core::api::paginate::CursorPage;
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::webhook_events::{
    MailContactMatch, MailEventData, MailEventMessage, MailIdentityMatch, MatchBucket,
};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use crate::app::{Caller, Ctx, Reply, unprocessable};
use crate::handlers::{MAIL_DOMAIN, R, admin_only, can_see, mailbox_visible};
use crate::state::{AttachmentRec, EventOwner, MailBlob, MessageRec, OutEvent, State, ThreadRec};
use crate::util::{Clock, uuid4};

/// Lifetime of an attachment download URL.
const URL_TTL_SECS: i64 = 3600;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 200;

/// The id of the mailbox named by the path's first parameter, if visible.
fn mailbox_id(s: &State, ctx: &Ctx) -> Result<String, Reply> {
    let email = ctx.param(0).to_ascii_lowercase();
    s.mailboxes
        .iter()
        .find(|m| m.mailbox.email_address == email && mailbox_visible(m, &ctx.caller))
        .map(|m| m.mailbox.id.clone())
        .ok_or_else(|| Reply::not_found("Mailbox"))
}

/// Index of message `uuid` of `mailbox`.
fn message_index(s: &State, mailbox: &str, uuid: &str) -> Result<usize, Reply> {
    let uuid = uuid.to_ascii_lowercase();
    s.messages
        .iter()
        .position(|m| m.detail.message.mailbox_id == mailbox && m.detail.message.id == uuid)
        .ok_or_else(|| Reply::not_found("Message"))
}

/// A sort key (time, seq) as an opaque cursor.
fn encode_cursor(at: Timestamp, seq: u64) -> String {
    let raw = format!("{}.{:09}.{seq}", at.unix_seconds(), at.subsec_nanos());
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(c: &str) -> Result<(i64, u32, u64), Reply> {
    let bad = || unprocessable("invalid cursor");
    if !c.len().is_multiple_of(2) {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> =
        (0..c.len()).step_by(2).map(|i| c.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    let text = String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    let mut it = text.split('.');
    let secs = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let nanos = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let seq = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    Ok((secs, nanos, seq))
}

/// One page of `items` (already sorted newest first by `key`), after `cursor`.
fn page<T: Clone>(items: &[T], key: impl Fn(&T) -> (Timestamp, u64), ctx: &Ctx) -> Result<CursorPage<T>, Reply> {
    let limit = ctx.limit(mail::DEFAULT_PAGE_SIZE, mail::MAX_PAGE_SIZE)?;
    let start = match ctx.query("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => {
            let (secs, nanos, seq) = decode_cursor(c)?;
            let after = (Timestamp::from_unix(secs, nanos), seq);
            items.iter().position(|i| key(i) < after).unwrap_or(items.len())
        }
    };
    let rest = items.get(start..).unwrap_or_default();
    let chunk: Vec<T> = rest.iter().take(limit).cloned().collect();
    let has_more = rest.len() > limit;
    let next_cursor = if has_more {
        chunk.last().map(|last| {
            let (at, seq) = key(last);
            encode_cursor(at, seq)
        })
    } else {
        None
    };
    Ok(CursorPage { items: chunk, next_cursor, has_more })
}

// ------------------------------------------------------------------ send

/// Standard base64 → bytes (`None` when invalid).
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (i, chunk) in b.chunks(4).enumerate() {
        let last = i + 1 == b.len() / 4;
        let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n: u32 = 0;
        for (j, c) in chunk.iter().enumerate() {
            let v = if j >= 4 - pad { 0 } else { val(*c)? };
            n = (n << 6) | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(bytes.get(..3 - pad).unwrap_or_default());
    }
    Some(out)
}

fn snippet(body_text: Option<&str>) -> Option<String> {
    body_text.map(|t| t.chars().take(SNIPPET_CHARS).collect())
}

/// Normalizes an RFC 5322 id to `<…>`.
fn bracketed(id: &str) -> String {
    let t = id.trim();
    if t.starts_with('<') && t.ends_with('>') { t.to_owned() } else { format!("<{t}>") }
}

/// The thread of `mailbox` that holds its copy of RFC id `rfc_id`, or a new one.
fn thread_for(s: &mut State, mailbox: &str, rfc_id: Option<&str>, subject: &str, now: Timestamp) -> String {
    let existing = rfc_id.and_then(|r| {
        s.messages
            .iter()
            .find(|m| m.detail.message.mailbox_id == mailbox && m.detail.message.message_id.as_deref() == Some(r))
            .and_then(|m| m.detail.message.thread_id.clone())
            .filter(|t| s.threads.iter().any(|th| &th.id == t))
    });
    if let Some(t) = existing {
        return t;
    }
    let seq = s.take_seq();
    let id = uuid4();
    s.threads.push(ThreadRec {
        seq,
        id: id.clone(),
        mailbox_id: mailbox.to_owned(),
        subject: Some(subject.to_owned()),
        folder: ThreadFolder::Inbox,
        created_at: now,
    });
    id
}

/// What every mailbox's copy of one message shares.
struct Outgoing {
    rfc_id: String,
    from: String,
    to: Vec<String>,
    cc: Option<Vec<String>>,
    bcc: Option<Vec<String>>,
    subject: String,
    body_text: Option<String>,
    body_html: Option<String>,
    in_reply_to: Option<String>,
    references: Option<Vec<String>>,
    attachments: Vec<AttachmentRec>,
    metadata: Vec<Map<String, Value>>,
    now: Timestamp,
}

impl Outgoing {
    /// `mailbox`'s copy, in `thread`: `outbound`/`sent` for the sender,
    /// `inbound`/`received`/unread (without Bcc) for a recipient.
    fn copy(&self, mailbox: &str, thread: String, inbound: bool) -> MessageDetail {
        MessageDetail {
            message: Message {
                id: uuid4(),
                mailbox_id: mailbox.to_owned(),
                thread_id: Some(thread),
                message_id: Some(self.rfc_id.clone()),
                from_address: self.from.clone(),
                to_addresses: self.to.clone(),
                cc_addresses: self.cc.clone(),
                subject: Some(self.subject.clone()),
                snippet: snippet(self.body_text.as_deref()),
                direction: if inbound { MessageDirection::Inbound } else { MessageDirection::Outbound },
                status: if inbound { MessageStatus::Received } else { MessageStatus::Sent },
                is_read: !inbound,
                is_starred: false,
                has_attachments: !self.attachments.is_empty(),
                created_at: self.now,
                import_job_id: None,
                first_opened_at: None,
                open_count: None,
            },
            body_text: self.body_text.clone(),
            body_html: self.body_html.clone(),
            bcc_addresses: if inbound { None } else { self.bcc.clone() },
            in_reply_to: self.in_reply_to.clone(),
            references: self.references.clone(),
            attachment_metadata: if self.metadata.is_empty() { None } else { Some(self.metadata.clone()) },
            ses_message_id: None,
            updated_at: Some(self.now),
        }
    }
}

/// `in_reply_to` and `references` of a reply to `reference` (a message
/// UUID of `mailbox` or an RFC 5322 Message-ID, brackets optional): the
/// referenced message of `mailbox`, else any message with that Message-ID.
fn reply_refs(s: &State, mailbox: &str, reference: Option<&str>) -> (Option<String>, Option<Vec<String>>) {
    match reference.map(str::trim) {
        None | Some("") => (None, None),
        Some(r) => {
            let lower = r.to_ascii_lowercase();
            let br = bracketed(r);
            let found = s
                .messages
                .iter()
                .find(|m| m.detail.message.mailbox_id == mailbox && m.detail.message.id == lower)
                .or_else(|| s.messages.iter().find(|m| m.detail.message.message_id.as_deref() == Some(br.as_str())));
            match found {
                Some(m) => {
                    let parent = m.detail.message.message_id.clone().unwrap_or_else(|| br.clone());
                    let mut refs = m.detail.references.clone().unwrap_or_default();
                    refs.push(parent.clone());
                    (Some(parent), Some(refs))
                }
                None => (Some(br.clone()), Some(vec![br])),
            }
        }
    }
}

/// Stores `mailbox`'s copy in its thread and raises the copy's webhook event.
/// A delivered copy blocked by the mailbox's contact rules or filter mode
/// goes into a thread of its own in the server-assigned `blocked` folder and
/// raises no webhook.
fn store_copy(s: &mut State, out: &Outgoing, mailbox: &str, inbound: bool) -> MessageDetail {
    let blocked = inbound && crate::rules::mail_blocked(s, mailbox, &out.from).is_some();
    let thread = if blocked {
        let t = thread_for(s, mailbox, None, &out.subject, out.now);
        if let Some(th) = s.threads.iter_mut().find(|th| th.id == t) {
            th.folder = ThreadFolder::Blocked;
        }
        t
    } else {
        thread_for(s, mailbox, out.in_reply_to.as_deref(), &out.subject, out.now)
    };
    let copy = out.copy(mailbox, thread, inbound);
    let seq = s.take_seq();
    s.messages.push(MessageRec { seq, detail: copy.clone(), attachments: out.attachments.clone() });
    if !blocked {
        emit_mail_event(s, &copy);
    }
    copy
}

/// The live emulator mailbox with this address.
fn local_mailbox(s: &State, address: &str) -> Option<String> {
    let lower = address.trim().to_ascii_lowercase();
    s.mailboxes.iter().find(|m| !m.deleted && m.mailbox.email_address == lower).map(|m| m.mailbox.id.clone())
}

pub(crate) fn send(s: &mut State, ctx: &Ctx) -> R {
    let sender_mb = mailbox_id(s, ctx)?;
    let req: SendEmailRequest = ctx.parse()?;
    mail::validate_send(&req).map_err(|e| unprocessable(&e.to_string()))?;
    let mut attachments = Vec::new();
    let mut metadata: Vec<Map<String, Value>> = Vec::new();
    let mut blobs = Vec::new();
    for a in req.attachments.iter().flatten() {
        let Some(bytes) = base64_decode(&a.content_base64) else {
            return Err(unprocessable("attachments.content_base64 must be standard base64"));
        };
        let v = json!({ "filename": a.filename, "content_type": a.content_type, "size": bytes.len() });
        metadata.push(v.as_object().cloned().unwrap_or_default());
        let id = format!("blob_{}", crate::util::uuid4());
        attachments.push(AttachmentRec {
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            blob: id.clone(),
            content_base64: String::new(),
        });
        blobs.push(MailBlob { id, content_base64: a.content_base64.clone() });
    }
    crate::signup::check_mail_send(s, &sender_mb, &req, ctx)?;
    let rcpt = &req.recipients;
    let (in_reply_to, references) = reply_refs(s, &sender_mb, req.in_reply_to_message_id.as_deref());
    let out = Outgoing {
        rfc_id: format!("<{}@{MAIL_DOMAIN}>", uuid4()),
        from: s.mailbox(&sender_mb).map(|m| m.mailbox.email_address.clone()).unwrap_or_default(),
        to: rcpt.to.clone(),
        cc: if rcpt.cc.is_empty() { None } else { Some(rcpt.cc.clone()) },
        bcc: if rcpt.bcc.is_empty() { None } else { Some(rcpt.bcc.clone()) },
        subject: req.subject.clone(),
        body_text: req.body_text.clone(),
        body_html: req.body_html.clone(),
        in_reply_to,
        references,
        attachments,
        metadata,
        now: ctx.clock.timestamp(),
    };

    // The sender's copy, then local delivery once per mailbox; the rest goes to the outbox.
    let sent = store_copy(s, &out, &sender_mb, false);
    let mut delivered: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    for addr in rcpt.to.iter().chain(&rcpt.cc).chain(&rcpt.bcc) {
        match local_mailbox(s, addr) {
            Some(mb) if !delivered.contains(&mb) => {
                store_copy(s, &out, &mb, true);
                delivered.push(mb);
            }
            Some(_) => {}
            None => {
                let lower = addr.trim().to_ascii_lowercase();
                if !outside.contains(&lower) {
                    outside.push(lower);
                }
            }
        }
    }
    if !outside.is_empty() {
        s.outbox.push(json!({
            "id": sent.message.id,
            "message_id": out.rfc_id,
            "mailbox_id": sender_mb,
            "from": out.from,
            "to": rcpt.to,
            "cc": rcpt.cc,
            "bcc": rcpt.bcc,
            "outside_recipients": outside,
            "subject": req.subject,
            "body_text": req.body_text,
            "body_html": req.body_html,
            "in_reply_to": out.in_reply_to,
            "attachment_metadata": out.metadata,
            "created_at": out.now.to_rfc3339(),
        }));
    }
    // The contents, once for every copy of this send.
    for b in blobs {
        s.mail_blobs.push(b);
    }
    Ok(Reply::model(200, &sent.message))
}

/// `POST /_emulator/mail/inbound`: mail from outside the emulator,
/// `{"to", "from", "subject", "body_text"?, "body_html"?, "in_reply_to"?}`,
/// delivered to the live mailbox `to` like a local delivery (threading,
/// `message.received`). 201 with the stored `Message`.
pub(crate) fn inject_inbound(s: &mut State, ctx: &Ctx) -> R {
    let v = ctx.json()?;
    let text = |key: &str, required: bool| -> Result<Option<String>, Reply> {
        match v.get(key) {
            None | Some(Value::Null) if !required => Ok(None),
            Some(Value::String(t)) => Ok(Some(t.clone())),
            _ if required => Err(unprocessable(&format!("{key} is required and must be a string"))),
            _ => Err(unprocessable(&format!("{key} must be a string"))),
        }
    };
    let to = text("to", true)?.unwrap_or_default();
    let from = text("from", true)?.unwrap_or_default();
    let subject = text("subject", true)?.unwrap_or_default();
    let body_text = text("body_text", false)?;
    let body_html = text("body_html", false)?;
    let reference = text("in_reply_to", false)?;
    let from = from.trim().to_owned();
    if from.is_empty() || !from.contains('@') || from.chars().any(char::is_whitespace) {
        return Err(unprocessable("from must be an email address"));
    }
    let mb = local_mailbox(s, &to).ok_or_else(|| Reply::not_found("Mailbox"))?;
    let (in_reply_to, references) = reply_refs(s, &mb, reference.as_deref());
    let out = Outgoing {
        rfc_id: format!("<{}@{}>", uuid4(), from.rsplit('@').next().unwrap_or(MAIL_DOMAIN)),
        from,
        to: vec![to.trim().to_owned()],
        cc: None,
        bcc: None,
        subject,
        body_text,
        body_html,
        in_reply_to,
        references,
        attachments: Vec::new(),
        metadata: Vec::new(),
        now: ctx.clock.timestamp(),
    };
    let copy = store_copy(s, &out, &mb, true);
    Ok(Reply::model(201, &copy.message))
}

// -------------------------------------------------------- webhook events

/// The message of a mail event: no read/starred flags; Bcc only outbound.
fn event_message(d: &MessageDetail) -> MailEventMessage {
    let m = &d.message;
    MailEventMessage {
        id: m.id.clone(),
        mailbox_id: m.mailbox_id.clone(),
        thread_id: m.thread_id.clone(),
        message_id: m.message_id.clone(),
        from_address: m.from_address.clone(),
        to_addresses: m.to_addresses.clone(),
        cc_addresses: m.cc_addresses.clone(),
        bcc_addresses: if m.direction == MessageDirection::Outbound { d.bcc_addresses.clone() } else { None },
        subject: m.subject.clone(),
        snippet: m.snippet.clone(),
        direction: m.direction.clone(),
        status: m.status.clone(),
        has_attachments: m.has_attachments,
        created_at: Some(m.created_at),
    }
}

/// The (bucket, addresses) a mail event resolves: inbound the sender and
/// every CC, outbound every To, CC and BCC.
fn event_buckets(d: &MessageDetail) -> Vec<(MatchBucket, &[String])> {
    let m = &d.message;
    let cc = m.cc_addresses.as_deref().unwrap_or_default();
    if m.direction == MessageDirection::Inbound {
        vec![(MatchBucket::From, std::slice::from_ref(&m.from_address)), (MatchBucket::Cc, cc)]
    } else {
        let bcc = d.bcc_addresses.as_deref().unwrap_or_default();
        vec![(MatchBucket::To, m.to_addresses.as_slice()), (MatchBucket::Cc, cc), (MatchBucket::Bcc, bcc)]
    }
}

/// `contacts` of a mail event: every contact of the address book visible to
/// the mailbox's identity with one of the resolved addresses (compared
/// case-insensitively), once per (bucket, address, contact).
fn contact_matches(s: &State, d: &MessageDetail, org: &str, viewer: Option<&str>) -> Vec<MailContactMatch> {
    let mut out = Vec::new();
    for (bucket, addresses) in event_buckets(d) {
        let mut seen: Vec<String> = Vec::new();
        for address in addresses {
            let lower = address.trim().to_ascii_lowercase();
            if seen.contains(&lower) {
                continue;
            }
            let hits = crate::contacts::matching(s, org, viewer, |c| {
                c.emails.iter().any(|e| e.value.trim().to_ascii_lowercase() == lower)
            });
            seen.push(lower);
            for (id, name) in hits {
                out.push(MailContactMatch { bucket: bucket.clone(), address: address.clone(), id, name: Some(name) });
            }
        }
    }
    out
}

/// `agent_identities` of a mail event: inbound events resolve the sender
/// and every CC, outbound ones every To, CC and BCC; an address matches an
/// active identity of `org` whose live mailbox has it and that `viewer`
/// (the mailbox's identity) may see (0.4.9 visibility). Sparse, in bucket
/// then field order, once per (bucket, address).
fn identity_matches(s: &State, d: &MessageDetail, org: &str, viewer: Option<&str>) -> Vec<MailIdentityMatch> {
    let buckets = event_buckets(d);
    let viewer =
        viewer.map(|v| Caller::Agent { org_id: org.to_owned(), key_id: String::new(), identity_id: v.to_owned() });
    let mut out = Vec::new();
    for (bucket, addresses) in buckets {
        let mut seen: Vec<String> = Vec::new();
        for address in addresses {
            let lower = address.trim().to_ascii_lowercase();
            if seen.contains(&lower) {
                continue;
            }
            let hit = s.identities.iter().find(|i| {
                i.organization_id == org
                    && i.status == IdentityStatus::Active
                    && s.mailbox(&i.mailbox_id).is_some_and(|mb| !mb.deleted && mb.mailbox.email_address == lower)
                    && viewer.as_ref().is_none_or(|c| can_see(s, c, i))
            });
            seen.push(lower);
            if let Some(i) = hit {
                out.push(MailIdentityMatch {
                    bucket: bucket.clone(),
                    address: address.clone(),
                    id: i.id.clone(),
                    agent_handle: i.agent_handle.clone(),
                    display_name: i.display_name.clone(),
                });
            }
        }
    }
    out
}

/// Raises `message.sent` (the sender's copy) or `message.received` (a
/// delivered copy) for the mailbox holding `d`, signed by its identity.
fn emit_mail_event(s: &mut State, d: &MessageDetail) {
    let Some(mb) = s.mailbox(&d.message.mailbox_id) else { return };
    let org = mb.organization_id.clone();
    let identity = mb.mailbox.agent_identity_id.clone();
    let data = MailEventData {
        message: event_message(d),
        contacts: contact_matches(s, d, &org, identity.as_deref()),
        agent_identities: identity_matches(s, d, &org, identity.as_deref()),
    };
    let Ok(data) = serde_json::to_value(&data) else { return };
    let inbound = d.message.direction == MessageDirection::Inbound;
    s.emit(OutEvent {
        event_type: if inbound { "message.received" } else { "message.sent" }.to_owned(),
        organization_id: org,
        owner: EventOwner::Mailbox(d.message.mailbox_id.clone()),
        identity_id: identity,
        data,
        at: d.message.created_at,
    });
}

// -------------------------------------------------------------- messages

/// The visible messages of `mailbox`, newest first.
fn mailbox_messages<'s>(s: &'s State, mailbox: &str) -> Vec<&'s MessageRec> {
    let mut v: Vec<&MessageRec> = s.messages.iter().filter(|m| m.detail.message.mailbox_id == mailbox).collect();
    v.sort_by_key(|m| std::cmp::Reverse((m.detail.message.created_at, m.seq)));
    v
}

fn message_key(m: &&MessageRec) -> (Timestamp, u64) {
    (m.detail.message.created_at, m.seq)
}

fn messages_page(p: CursorPage<&MessageRec>) -> CursorPage<Message> {
    CursorPage {
        items: p.items.into_iter().map(|m| m.detail.message.clone()).collect(),
        next_cursor: p.next_cursor,
        has_more: p.has_more,
    }
}

pub(crate) fn list_messages(s: &mut State, ctx: &Ctx) -> R {
    let mb = mailbox_id(s, ctx)?;
    let direction = match ctx.query("direction") {
        None => None,
        Some(d) => match MessageDirection::from_wire(d) {
            k if k.is_known() => Some(k),
            _ => return Err(unprocessable("direction must be 'inbound' or 'outbound'")),
        },
    };
    let all: Vec<&MessageRec> = mailbox_messages(s, &mb)
        .into_iter()
        .filter(|m| direction.as_ref().is_none_or(|d| &m.detail.message.direction == d))
        .collect();
    Ok(Reply::model(200, &messages_page(page(&all, message_key, ctx)?)))
}

pub(crate) fn get_message(s: &mut State, ctx: &Ctx) -> R {
    let mb = mailbox_id(s, ctx)?;
    let i = message_index(s, &mb, ctx.param(1))?;
    let m = s.messages.get(i).ok_or_else(|| Reply::not_found("Message"))?;
    Ok(Reply::model(200, &m.detail))
}

pub(crate) fn update_message(s: &mut State, ctx: &Ctx) -> R {
    let mb = mailbox_id(s, ctx)?;
    let req: UpdateMessageFlagsRequest = ctx.parse()?;
    let i = message_index(s, &mb, ctx.param(1))?;
    let now = ctx.clock.timestamp();
    let m = s.messages.get_mut(i).ok_or_else(|| Reply::not_found("Message"))?;
    if let Some(r) = req.is_read {
        m.detail.message.is_read = r;
    }
    if let Some(st) = req.is_starred {
        m.detail.message.is_starred = st;
    }
    m.detail.updated_at = Some(now);
    Ok(Reply::model(200, &m.detail.message))
}

/// Drops threads left without messages.
fn prune_threads(s: &mut State) {
    let messages = &s.messages;
    s.threads.retain(|t| messages.iter().any(|m| m.detail.message.thread_id.as_deref() == Some(t.id.as_str())));
}

pub(crate) fn delete_message(s: &mut State, ctx: &Ctx) -> R {
    let mb = mailbox_id(s, ctx)?;
    let i = message_index(s, &mb, ctx.param(1))?;
    s.messages.remove(i);
    prune_threads(s);
    Ok(Reply::empty(204))
}

// ----------------------------------------------------------- attachments

fn hex_decode(h: &str) -> Option<Vec<u8>> {
    if !h.len().is_multiple_of(2) {
        return None;
    }
    (0..h.len()).step_by(2).map(|i| h.get(i..i + 2).and_then(|x| u8::from_str_radix(x, 16).ok())).collect()
}

/// The key of attachment links: random per emulator process, never stored
/// (links die with the process, like real presigned URLs die with their key).
static LINK_KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();

/// Draws the link key from the OS; called once at startup so that a missing
/// OS random source stops the emulator instead of weakening its links.
pub(crate) fn init_link_key() -> Result<(), String> {
    let mut k = [0u8; 32];
    getrandom::fill(&mut k).map_err(|e| format!("no OS randomness for the attachment link key: {e}"))?;
    let _ = LINK_KEY.set(k);
    Ok(())
}

/// HMAC-SHA256 of `payload` under the link key (`None` cannot happen: HMAC
/// takes keys of any length; callers treat it as a link that matches nothing).
fn link_mac(payload: &[u8]) -> Option<Hmac<Sha256>> {
    let key = LINK_KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        crate::util::fill_random(&mut k);
        k
    });
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(payload);
    Some(mac)
}

/// `hex(payload) "." hex(HMAC-SHA256(link key, payload))`, payload
/// `"{message_uuid}\n{expiry_unix_secs}\n{filename}"`.
fn sign_link(payload: &str) -> Option<String> {
    let tag = link_mac(payload.as_bytes())?.finalize().into_bytes();
    Some(format!("{}.{}", crate::util::hex(payload.as_bytes()), crate::util::hex(&tag)))
}

/// The payload of a token whose tag is right (checked in constant time).
fn verify_link(token: &str) -> Option<String> {
    let (payload_hex, tag_hex) = token.split_once('.')?;
    let payload = hex_decode(payload_hex)?;
    let tag = hex_decode(tag_hex)?;
    let expected = link_mac(&payload)?.finalize().into_bytes();
    if tag.len() != expected.len() || !bool::from(expected.as_slice().ct_eq(&tag)) {
        return None;
    }
    String::from_utf8(payload).ok()
}

pub(crate) fn attachment_url(s: &mut State, ctx: &Ctx) -> R {
    let mb = mailbox_id(s, ctx)?;
    let i = message_index(s, &mb, ctx.param(1))?;
    let m = s.messages.get(i).ok_or_else(|| Reply::not_found("Message"))?;
    let filename = ctx.param(2);
    if !m.attachments.iter().any(|a| a.filename == filename) {
        return Err(Reply::not_found("Attachment"));
    }
    let expires = ctx.clock.now_ms.div_euclid(1000).saturating_add(URL_TTL_SECS);
    // Stateless token: message, expiry and file name, signed with the link key.
    let token = sign_link(&format!("{}\n{expires}\n{filename}", m.detail.message.id))
        .ok_or_else(|| Reply::detail(500, "cannot sign the attachment link"))?;
    let url = format!("{}/_emulator/files/{token}", ctx.base_url);
    match ctx.query("redirect") {
        // The body repeats the URL: the official SDK does not follow redirects
        // and reads `{"url": ...}` from the 302 itself.
        Some("true") => Ok(Reply::json(302, json!({ "url": url })).with_header("Location", &url)),
        None | Some("false") => {
            Ok(Reply::json(200, json!({ "url": url, "filename": filename, "expires_in": URL_TTL_SECS })))
        }
        Some(_) => Err(unprocessable("redirect must be 'true' or 'false'")),
    }
}

/// `GET /_emulator/files/{token}`: the attachment bytes (no API key).
pub(crate) fn serve_file(s: &State, token: &str, clock: Clock) -> Reply {
    let gone = || Reply::detail(404, "File not found or link expired");
    let Some(text) = verify_link(token) else { return gone() };
    let mut parts = text.splitn(3, '\n');
    let (Some(id), Some(exp), Some(filename)) = (parts.next(), parts.next(), parts.next()) else { return gone() };
    let Ok(exp) = exp.parse::<i64>() else { return gone() };
    if clock.now_ms.div_euclid(1000) > exp {
        return gone();
    }
    let att = s
        .messages
        .iter()
        .find(|m| m.detail.message.id == id)
        .and_then(|m| m.attachments.iter().find(|a| a.filename == filename));
    let content = att.and_then(|a| s.attachment_content(a).map(|c| (c, a)));
    match content.and_then(|(c, a)| base64_decode(c).map(|b| (b, a.content_type.clone()))) {
        Some((bytes, ctype)) => Reply::bytes(200, bytes, &ctype),
        None => gone(),
    }
}

// --------------------------------------------------------------- threads

fn thread_model(s: &State, t: &ThreadRec, with_messages: bool) -> Thread {
    let mut msgs: Vec<&MessageRec> =
        s.messages.iter().filter(|m| m.detail.message.thread_id.as_deref() == Some(t.id.as_str())).collect();
    msgs.sort_by_key(|m| (m.detail.message.created_at, m.seq));
    Thread {
        id: t.id.clone(),
        mailbox_id: t.mailbox_id.clone(),
        subject: t.subject.clone(),
        folder: t.folder.clone(),
        message_count: msgs.len() as u64,
        last_message_at: msgs.last().map_or(t.created_at, |m| m.detail.message.created_at),
        created_at: t.created_at,
        messages: with_messages.then(|| msgs.iter().map(|m| m.detail.message.clone()).collect()),
    }
}

pub(crate) fn list_threads(s: &mut State, ctx: &Ctx) -> R {
    let mb = mailbox_id(s, ctx)?;
    let folder = match ctx.query("folder") {
        None => None,
        Some(f) => match ThreadFolder::from_wire(f) {
            k if k.is_known() => Some(k),
            _ => return Err(unprocessable("folder must be one of inbox, spam, blocked, archive")),
        },
    };
    let mut all: Vec<(Thread, u64)> = s
        .threads
        .iter()
        .filter(|t| t.mailbox_id == mb && folder.as_ref().is_none_or(|f| &t.folder == f))
        .map(|t| (thread_model(s, t, false), t.seq))
        .collect();
    all.sort_by_key(|t| std::cmp::Reverse((t.0.last_message_at, t.1)));
    let p = page(&all, |(t, seq)| (t.last_message_at, *seq), ctx)?;
    let out: CursorPage<Thread> = CursorPage {
        items: p.items.into_iter().map(|(t, _)| t).collect(),
        next_cursor: p.next_cursor,
        has_more: p.has_more,
    };
    Ok(Reply::model(200, &out))
}

fn find_thread<'s>(s: &'s State, ctx: &Ctx) -> Result<&'s ThreadRec, Reply> {
    let mb = mailbox_id(s, ctx)?;
    let id = ctx.param(1).to_ascii_lowercase();
    s.threads.iter().find(|t| t.mailbox_id == mb && t.id == id).ok_or_else(|| Reply::not_found("Thread"))
}

pub(crate) fn get_thread(s: &mut State, ctx: &Ctx) -> R {
    let t = find_thread(s, ctx)?;
    Ok(Reply::model(200, &thread_model(s, t, true)))
}

pub(crate) fn delete_thread(s: &mut State, ctx: &Ctx) -> R {
    let id = find_thread(s, ctx)?.id.clone();
    s.messages.retain(|m| m.detail.message.thread_id.as_deref() != Some(id.as_str()));
    s.threads.retain(|t| t.id != id);
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------------- search

pub(crate) fn search(s: &mut State, ctx: &Ctx) -> R {
    let mb = mailbox_id(s, ctx)?;
    let q = ctx.query("q").map(str::trim).unwrap_or_default().to_lowercase();
    if q.is_empty() {
        return Err(unprocessable("q is required"));
    }
    let limit = ctx.limit(mail::DEFAULT_PAGE_SIZE, mail::MAX_PAGE_SIZE)?;
    let hit = |v: Option<&str>| v.is_some_and(|t| t.to_lowercase().contains(&q));
    let items: Vec<Message> = mailbox_messages(s, &mb)
        .into_iter()
        .filter(|m| {
            let d = &m.detail;
            hit(d.message.subject.as_deref())
                || hit(d.body_text.as_deref())
                || hit(d.body_html.as_deref())
                || hit(Some(&d.message.from_address))
                || hit(d.message.snippet.as_deref())
        })
        .take(limit)
        .map(|m| m.detail.message.clone())
        .collect();
    Ok(Reply::model(200, &CursorPage { items, next_cursor: None, has_more: false }))
}

// --------------------------------------------------------------- domains

pub(crate) fn list_domains(_s: &mut State, _ctx: &Ctx) -> R {
    // The emulator has no custom sending domains.
    Ok(Reply::json(200, json!([])))
}

pub(crate) fn set_default_domain(_s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    if ctx.param(0).trim().eq_ignore_ascii_case(MAIL_DOMAIN) {
        Ok(Reply::model(200, &SetDefaultDomainResponse { default_domain: None }))
    } else {
        Err(Reply::detail(404, "Sending domain not found"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_and_cursor_round_trip() {
        assert_eq!(base64_decode("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("a=bc").is_none());
        assert!(base64_decode("abc").is_none());
        let t = Timestamp::from_unix(1_700_000_000, 123_000_000);
        assert_eq!(decode_cursor(&encode_cursor(t, 42)).unwrap(), (1_700_000_000, 123_000_000, 42));
        assert!(decode_cursor("zz").is_err());
    }
}
