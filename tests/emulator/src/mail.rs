//! Mail: sending (with local delivery and threading), messages, threads,
//! search, attachments and sending domains.

use inkbox_core::api::mail::{
    self, Message, MessageDetail, MessageDirection, MessageStatus, SendEmailRequest, SetDefaultDomainResponse, Thread,
    ThreadFolder, UpdateMessageFlagsRequest,
};
use inkbox_core::api::paginate::CursorPage;
use inkbox_core::api::time::Timestamp;
use serde_json::{Map, Value, json};

use crate::app::{Ctx, Reply};
use crate::handlers::{MAIL_DOMAIN, R, admin_only, mailbox_visible};
use crate::state::{AttachmentRec, MessageRec, State, ThreadRec};
use crate::util::{Clock, uuid4};

/// Lifetime of an attachment download URL.
const URL_TTL_SECS: i64 = 3600;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 200;

fn unprocessable(msg: &str) -> Reply {
    Reply::detail(422, msg)
}

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

/// `limit` query: default 50, 1–100.
fn limit(ctx: &Ctx) -> Result<usize, Reply> {
    match ctx.query("limit") {
        None => Ok(mail::DEFAULT_PAGE_SIZE as usize),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (1..=mail::MAX_PAGE_SIZE).contains(&n) => Ok(n as usize),
            _ => Err(unprocessable("limit must be an integer between 1 and 100")),
        },
    }
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
    let limit = limit(ctx)?;
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

pub(crate) fn send(s: &mut State, ctx: &Ctx) -> R {
    let sender_mb = mailbox_id(s, ctx)?;
    let req: SendEmailRequest = ctx.parse()?;
    mail::validate_send(&req).map_err(|e| unprocessable(&e.to_string()))?;
    let mut attachments = Vec::new();
    for a in req.attachments.iter().flatten() {
        if base64_decode(&a.content_base64).is_none() {
            return Err(unprocessable("attachments.content_base64 must be standard base64"));
        }
        attachments.push(AttachmentRec {
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            content_base64: a.content_base64.clone(),
        });
    }
    let metadata: Vec<Map<String, Value>> = attachments
        .iter()
        .map(|a| {
            let size = base64_decode(&a.content_base64).map_or(0, |b| b.len());
            let v = json!({ "filename": a.filename, "content_type": a.content_type, "size": size });
            v.as_object().cloned().unwrap_or_default()
        })
        .collect();
    crate::signup::check_mail_send(s, &sender_mb, &req, ctx)?;
    let from = s.mailbox(&sender_mb).map(|m| m.mailbox.email_address.clone()).unwrap_or_default();
    let now = ctx.clock.timestamp();
    let rfc_id = format!("<{}@{MAIL_DOMAIN}>", uuid4());

    // What the reply refers to: a message of the sender's mailbox (by UUID or
    // Message-ID), else any message with that Message-ID.
    let (in_reply_to, references) = match req.in_reply_to_message_id.as_deref().map(str::trim) {
        None | Some("") => (None, None),
        Some(r) => {
            let lower = r.to_ascii_lowercase();
            let br = bracketed(r);
            let found = s
                .messages
                .iter()
                .find(|m| m.detail.message.mailbox_id == sender_mb && m.detail.message.id == lower)
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
    };

    let rcpt = &req.recipients;
    let cc = if rcpt.cc.is_empty() { None } else { Some(rcpt.cc.clone()) };
    let bcc = if rcpt.bcc.is_empty() { None } else { Some(rcpt.bcc.clone()) };
    let make = |id: String, mailbox: &str, thread: String, inbound: bool| MessageDetail {
        message: Message {
            id,
            mailbox_id: mailbox.to_owned(),
            thread_id: Some(thread),
            message_id: Some(rfc_id.clone()),
            from_address: from.clone(),
            to_addresses: rcpt.to.clone(),
            cc_addresses: cc.clone(),
            subject: Some(req.subject.clone()),
            snippet: snippet(req.body_text.as_deref()),
            direction: if inbound { MessageDirection::Inbound } else { MessageDirection::Outbound },
            status: if inbound { MessageStatus::Received } else { MessageStatus::Sent },
            is_read: !inbound,
            is_starred: false,
            has_attachments: !attachments.is_empty(),
            created_at: now,
            import_job_id: None,
            first_opened_at: None,
            open_count: None,
        },
        body_text: req.body_text.clone(),
        body_html: req.body_html.clone(),
        bcc_addresses: if inbound { None } else { bcc.clone() },
        in_reply_to: in_reply_to.clone(),
        references: references.clone(),
        attachment_metadata: if metadata.is_empty() { None } else { Some(metadata.clone()) },
        ses_message_id: None,
        updated_at: Some(now),
    };

    // The sender's copy.
    let thread = thread_for(s, &sender_mb, in_reply_to.as_deref(), &req.subject, now);
    let sent = make(uuid4(), &sender_mb, thread, false);
    let seq = s.take_seq();
    s.messages.push(MessageRec { seq, detail: sent.clone(), attachments: attachments.clone() });

    // Local delivery, once per mailbox; the rest goes to the outbox.
    let mut delivered: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    for addr in rcpt.to.iter().chain(&rcpt.cc).chain(&rcpt.bcc) {
        let lower = addr.trim().to_ascii_lowercase();
        let target = s.mailboxes.iter().find(|m| !m.deleted && m.mailbox.email_address == lower);
        match target.map(|m| m.mailbox.id.clone()) {
            Some(mb) if !delivered.contains(&mb) => {
                delivered.push(mb.clone());
                let thread = thread_for(s, &mb, in_reply_to.as_deref(), &req.subject, now);
                let copy = make(uuid4(), &mb, thread, true);
                let seq = s.take_seq();
                s.messages.push(MessageRec { seq, detail: copy, attachments: attachments.clone() });
            }
            Some(_) => {}
            None if !outside.contains(&lower) => outside.push(lower),
            None => {}
        }
    }
    if !outside.is_empty() {
        s.outbox.push(json!({
            "id": sent.message.id,
            "message_id": rfc_id,
            "mailbox_id": sender_mb,
            "from": from,
            "to": rcpt.to,
            "cc": rcpt.cc,
            "bcc": rcpt.bcc,
            "outside_recipients": outside,
            "subject": req.subject,
            "body_text": req.body_text,
            "body_html": req.body_html,
            "in_reply_to": in_reply_to,
            "attachment_metadata": metadata,
            "created_at": now.to_rfc3339(),
        }));
    }
    Ok(Reply::model(200, &sent.message))
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

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hex_decode(h: &str) -> Option<Vec<u8>> {
    if !h.len().is_multiple_of(2) {
        return None;
    }
    (0..h.len()).step_by(2).map(|i| h.get(i..i + 2).and_then(|x| u8::from_str_radix(x, 16).ok())).collect()
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
    // Stateless token: message, expiry and file name (an emulator needs no real signature).
    let token = hex_encode(format!("{}\n{expires}\n{filename}", m.detail.message.id).as_bytes());
    let url = format!("{}/_emulator/files/{token}", ctx.base_url);
    match ctx.query("redirect") {
        Some("true") => Ok(Reply::empty(302).with_header("Location", &url)),
        None | Some("false") => {
            Ok(Reply::json(200, json!({ "url": url, "filename": filename, "expires_in": URL_TTL_SECS })))
        }
        Some(_) => Err(unprocessable("redirect must be 'true' or 'false'")),
    }
}

/// `GET /_emulator/files/{token}`: the attachment bytes (no API key).
pub(crate) fn serve_file(s: &State, token: &str, clock: Clock) -> Reply {
    let gone = || Reply::detail(404, "File not found or link expired");
    let Some(text) = hex_decode(token).and_then(|b| String::from_utf8(b).ok()) else { return gone() };
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
    match att.and_then(|a| base64_decode(&a.content_base64).map(|b| (b, a.content_type.clone()))) {
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
    let limit = limit(ctx)?;
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
