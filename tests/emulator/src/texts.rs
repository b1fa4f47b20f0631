//! Phone texts (SMS/MMS), conversations, the SMS opt-in registry and per-sender send limits; inbound SMS and calls injected through the control API.

use std::time::Duration;

use inkbox_core::api::common;
use inkbox_core::api::phone::{
    CallDirection, CallStatus, HangupReason, IncomingCallAction, IncomingCallDecision, IncomingCallResponse, PhoneCall,
    PhoneNumber, PhoneNumberStatus, SmsStatus,
};
use inkbox_core::api::request::Method;
use inkbox_core::api::texts::{
    self, SendTextRequest, SmsOptIn, SmsOptInSource, SmsOptInStatus, TextConversationSummary,
    TextConversationUpdateResult, TextDeliveryStatus, TextDirection, TextMediaItem, TextMessage, TextMessageRecipient,
    TextOrigin, TextRecipients, TextType, UpdateTextConversationRequest, UpdateTextRequest,
};
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::validate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, Caller, Ctx, Reply, unprocessable};
use crate::handlers::{R, admin_only, can_see};
use crate::outbound;
use crate::phone;
use crate::state::{CallRec, EventOwner, OutEvent, State};
use crate::util::{Clock, uuid4};

/// Recipient sends per sender number per rolling window (Inkbox default campaign).
const DEFAULT_DAILY_CAP: u64 = 100;
/// The rolling window of the send cap.
const WINDOW_MS: i64 = 24 * 3600 * 1000;
/// Inbound keywords (whole message, case-insensitive) that opt the sender out.
const OPT_OUT_WORDS: &[&str] = &["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"];
/// Inbound keywords that opt the sender (back) in.
const OPT_IN_WORDS: &[&str] = &["START", "UNSTOP"];
/// How long an incoming-call webhook may take before the call is declined.
const CALL_WEBHOOK_TIMEOUT_MS: u64 = 10_000;

/// One stored text (each number has its own copy).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct TextRec {
    /// Insertion order (tie-breaker of `created_at`).
    pub(crate) seq: u64,
    pub(crate) phone_number_id: String,
    #[serde(default)]
    pub(crate) deleted: bool,
    pub(crate) message: TextMessage,
}

/// A conversation of one number: the set of remote participants.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ConversationRec {
    pub(crate) id: String,
    pub(crate) phone_number_id: String,
    /// Remote E.164 numbers, sorted.
    pub(crate) participants: Vec<String>,
    pub(crate) is_group: bool,
    pub(crate) created_at: Timestamp,
}

/// A consent row plus its last-change order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OptInRec {
    pub(crate) seq: u64,
    pub(crate) row: SmsOptIn,
}

/// One consent change (the audit trail of API and SMS writes).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OptInAudit {
    pub(crate) organization_id: String,
    pub(crate) receiver_number: String,
    pub(crate) status: SmsOptInStatus,
    pub(crate) source: SmsOptInSource,
    pub(crate) at: Timestamp,
}

/// An accepted send, counted against its sender's rolling cap.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SendRec {
    pub(crate) phone_number_id: String,
    pub(crate) at_ms: i64,
    pub(crate) recipients: u64,
}

/// An org running its own customer-managed 10DLC campaign.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CampaignRec {
    pub(crate) organization_id: String,
    pub(crate) daily_limit: u64,
}

/// One incoming-call webhook attempt.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CallWebhookRec {
    pub(crate) call_id: String,
    pub(crate) url: String,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) decision: String,
    pub(crate) signed: bool,
    pub(crate) at: Timestamp,
}

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct TextsState {
    #[serde(default)]
    pub(crate) texts: crate::table::Table<TextRec>,
    #[serde(default)]
    pub(crate) conversations: crate::table::Table<ConversationRec>,
    #[serde(default)]
    pub(crate) opt_ins: crate::table::Table<OptInRec>,
    #[serde(default)]
    pub(crate) audit: crate::table::Table<OptInAudit>,
    #[serde(default)]
    pub(crate) sends: crate::table::Table<SendRec>,
    #[serde(default)]
    pub(crate) campaigns: crate::table::Table<CampaignRec>,
    #[serde(default)]
    pub(crate) call_webhooks: crate::table::Table<CallWebhookRec>,
}

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "texts.send" => send(s, ctx),
        "texts.list" => list(s, ctx),
        "texts.search" => search(s, ctx),
        "texts.get" => get(s, ctx),
        "texts.update" => update(s, ctx),
        "texts.conversations.list" => list_conversations(s, ctx),
        "texts.conversations.get" => get_conversation(s, ctx),
        "texts.conversations.update" => update_conversation(s, ctx),
        "sms_opt_ins.list" => list_opt_ins(s, ctx),
        "sms_opt_ins.get" => get_opt_in(s, ctx),
        "sms_opt_ins.opt_in" => write_opt_in(s, ctx, SmsOptInStatus::OptedIn),
        "sms_opt_ins.opt_out" => write_opt_in(s, ctx, SmsOptInStatus::OptedOut),
        _ => return None,
    })
}

/// Handles a control-API route (`/_emulator/…`, admin key already checked)
/// if it belongs to this module. Called without the state lock held: use
/// [`App::read`] / [`App::mutate`].
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    let r = match (method, path) {
        (Method::Post, "/_emulator/texts/inbound") => {
            app.mutate(|s, clock| inject_inbound(s, clock, ctx)).map(|m| Reply::model(201, &m))
        }
        (Method::Post, "/_emulator/texts/delivery") => {
            app.mutate(|s, clock| set_delivery(s, clock, ctx)).map(|m| Reply::model(200, &m))
        }
        (Method::Get, "/_emulator/texts/campaign") => Ok(app.read(|s, _| campaign_json(s, &app.org_id))),
        (Method::Post, "/_emulator/texts/campaign") => app.mutate(|s, _| set_campaign(s, &app.org_id, ctx)),
        (Method::Get, "/_emulator/texts/opt-in-audit") => {
            Ok(app.read(|s, _| Reply::model(200, &s.texts.audit.iter().rev().collect::<Vec<_>>())))
        }
        (Method::Post, "/_emulator/calls/inbound") => inbound_call(app, ctx),
        (Method::Get, "/_emulator/calls/inbound") => Ok(app.read(|s, _| Reply::model(200, &s.texts.call_webhooks))),
        (
            _,
            "/_emulator/texts/inbound"
            | "/_emulator/texts/delivery"
            | "/_emulator/texts/campaign"
            | "/_emulator/texts/opt-in-audit"
            | "/_emulator/calls/inbound",
        ) => Err(Reply::detail(405, "Method Not Allowed")),
        _ => return None,
    };
    Some(r.unwrap_or_else(|e| e))
}

// ------------------------------------------------------------- helpers

fn e164(field: &'static str, v: &str) -> Result<(), Reply> {
    validate::e164(field, v).map_err(|e| unprocessable(&e.to_string()))
}

/// A boolean query parameter (`true`/`false`), absent = `None`.
fn flag(ctx: &Ctx, key: &str) -> Result<Option<bool>, Reply> {
    match ctx.query(key) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(unprocessable(&format!("{key} must be true or false"))),
    }
}

/// The number named by the path's first parameter, if visible, as shown now.
fn number(s: &State, ctx: &Ctx) -> Result<PhoneNumber, Reply> {
    let id = ctx.param(0).to_ascii_lowercase();
    s.phone_numbers
        .iter()
        .find(|p| p.id == id && phone::number_visible(s, p, &ctx.caller))
        .map(|p| phone::view(p, ctx.clock))
        .ok_or_else(|| Reply::not_found("Phone number"))
}

/// Deleted rows are gone; identity-scoped keys never see blocked rows.
fn row_visible(r: &TextRec, caller: &Caller) -> bool {
    !r.deleted && (!r.message.is_blocked || caller.is_admin())
}

/// The caller-visible rows of a number, `is_blocked`-filtered, newest first.
fn rows<'s>(s: &'s State, number_id: &str, caller: &Caller, blocked: Option<bool>) -> Vec<&'s TextRec> {
    let mut v: Vec<&TextRec> = s
        .texts
        .texts
        .iter()
        .filter(|r| r.phone_number_id == number_id && row_visible(r, caller))
        .filter(|r| blocked.is_none_or(|b| r.message.is_blocked == b))
        .collect();
    v.sort_by_key(|r| std::cmp::Reverse((r.message.created_at, r.seq)));
    v
}

fn page(rows: Vec<&TextRec>, offset: usize, limit: usize) -> Vec<&TextMessage> {
    rows.into_iter().skip(offset).take(limit).map(|r| &r.message).collect()
}

/// The media items of `urls` (the emulator never fetches them: the type is
/// guessed from the extension and the size is 0).
fn media_items(urls: &[String]) -> Result<Vec<TextMediaItem>, Reply> {
    urls.iter()
        .map(|u| {
            let lower = u.to_ascii_lowercase();
            if !(lower.starts_with("https://") || lower.starts_with("http://")) || u.len() > 2048 {
                return Err(unprocessable("media_urls must be http(s) URLs"));
            }
            let path = lower.split(['?', '#']).next().unwrap_or_default();
            let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
            let content_type = match ext {
                "jpg" | "jpeg" => "image/jpeg",
                "png" => "image/png",
                "gif" => "image/gif",
                "webp" => "image/webp",
                "mp4" => "video/mp4",
                "mp3" => "audio/mpeg",
                "pdf" => "application/pdf",
                "txt" => "text/plain",
                "vcf" => "text/vcard",
                _ => "application/octet-stream",
            };
            Ok(TextMediaItem { content_type: content_type.into(), size: 0, url: u.clone() })
        })
        .collect()
}

/// The id of the number's conversation with exactly `participants` (sorted),
/// created when missing.
fn conversation_for(s: &mut State, number_id: &str, participants: &[String], now: Timestamp) -> String {
    let is_group = participants.len() > 1;
    if let Some(c) = s
        .texts
        .conversations
        .iter()
        .find(|c| c.phone_number_id == number_id && c.participants == participants && c.is_group == is_group)
    {
        return c.id.clone();
    }
    let id = uuid4();
    s.texts.conversations.push(ConversationRec {
        id: id.clone(),
        phone_number_id: number_id.to_owned(),
        participants: participants.to_vec(),
        is_group,
        created_at: now,
    });
    id
}

fn sorted_unique(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// The organization and signing identity of a number.
fn number_owner(s: &State, number_id: &str) -> Option<(String, String)> {
    let p = s.phone(number_id)?;
    let identity = p.agent_identity_id.clone()?;
    let org = phone::number_org(s, p)?.to_owned();
    Some((org, identity))
}

/// Active identities of the number's org, visible to its identity, whose
/// number is one of `remotes` (the webhook `agent_identities` list).
fn identity_matches(s: &State, number_id: &str, remotes: &[String]) -> Vec<Value> {
    let Some((org, owner)) = number_owner(s, number_id) else { return Vec::new() };
    let viewer = Caller::Agent { org_id: org.clone(), key_id: String::new(), identity_id: owner };
    let mut out: Vec<Value> = Vec::new();
    for r in remotes {
        let Some(p) = s.phone_numbers.iter().find(|p| &p.number == r && p.status == PhoneNumberStatus::Active) else {
            continue;
        };
        let Some(i) = p.agent_identity_id.as_deref().and_then(|i| s.identity_by_id(i)) else { continue };
        let active = i.status == inkbox_core::api::identities::IdentityStatus::Active;
        if i.organization_id == org && active && can_see(s, &viewer, i) && !out.iter().any(|v| v["id"] == i.id) {
            out.push(json!({ "id": i.id, "agent_handle": i.agent_handle, "display_name": i.display_name }));
        }
    }
    out
}

/// `contacts` of a text or call event: the contacts visible to the number's
/// identity with one of `remotes` as a phone number.
fn phone_contacts(s: &State, number_id: &str, remotes: &[String]) -> Vec<Value> {
    let Some((org, owner)) = number_owner(s, number_id) else { return Vec::new() };
    crate::contacts::phone_matches(s, &org, Some(&owner), remotes)
}

/// Raises a `text.*` event on the number's subscriptions (never for blocked rows).
fn emit_text(
    s: &mut State,
    number_id: &str,
    event_type: &str,
    msg: &TextMessage,
    recipient: Option<&str>,
    at: Timestamp,
) {
    if let Some(event) = text_event(s, number_id, event_type, msg, recipient, at) {
        s.emit(event);
    }
}

/// The `text.*` event of `msg` with the Text `data` of spec/webhooks.md.
fn text_event(
    s: &State,
    number_id: &str,
    event_type: &str,
    msg: &TextMessage,
    recipient: Option<&str>,
    at: Timestamp,
) -> Option<OutEvent> {
    if msg.is_blocked {
        return None;
    }
    let (org, identity) = number_owner(s, number_id)?;
    let mut text_message = serde_json::to_value(msg).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut text_message {
        m.remove("is_blocked");
    }
    let remotes: Vec<String> = match msg.direction {
        TextDirection::Outbound => msg.recipients.iter().flatten().map(|r| r.recipient_phone_number.clone()).collect(),
        _ => msg.remote_phone_number.iter().cloned().collect(),
    };
    let data = json!({
        "text_message": text_message,
        "contacts": phone_contacts(s, number_id, &remotes),
        "agent_identities": identity_matches(s, number_id, &remotes),
        "recipient_phone_number": recipient,
    });
    Some(OutEvent {
        event_type: event_type.to_owned(),
        organization_id: org,
        owner: EventOwner::PhoneNumber(number_id.to_owned()),
        identity_id: Some(identity),
        data,
        at,
    })
}

/// The consent row of (org, receiver).
fn opt_in_row<'s>(s: &'s State, org: &str, receiver: &str) -> Option<&'s SmsOptIn> {
    s.texts.opt_ins.iter().map(|r| &r.row).find(|r| r.organization_id == org && r.receiver_number == receiver)
}

/// Records a consent change (creating the row when missing) and its audit entry.
fn set_opt_in(
    s: &mut State,
    org: &str,
    receiver: &str,
    status: SmsOptInStatus,
    source: SmsOptInSource,
    now: Timestamp,
) -> SmsOptIn {
    let seq = s.take_seq();
    s.texts.audit.push(OptInAudit {
        organization_id: org.to_owned(),
        receiver_number: receiver.to_owned(),
        status: status.clone(),
        source: source.clone(),
        at: now,
    });
    let opted_in = status == SmsOptInStatus::OptedIn;
    let pos = s.texts.opt_ins.iter().position(|r| r.row.organization_id == org && r.row.receiver_number == receiver);
    if let Some(rec) = pos.and_then(|p| s.texts.opt_ins.get_mut(p)) {
        rec.seq = seq;
        rec.row.status = status;
        rec.row.source = source;
        rec.row.opted_in_at = opted_in.then_some(now);
        rec.row.opted_out_at = (!opted_in).then_some(now);
        rec.row.updated_at = now;
        return rec.row.clone();
    }
    let row = SmsOptIn {
        id: uuid4(),
        organization_id: org.to_owned(),
        receiver_number: receiver.to_owned(),
        status,
        source,
        opted_in_at: opted_in.then_some(now),
        opted_out_at: (!opted_in).then_some(now),
        created_at: now,
        updated_at: now,
    };
    s.texts.opt_ins.push(OptInRec { seq, row: row.clone() });
    row
}

// ------------------------------------------------------------------ send

fn gate(status: u16, code: &str, message: &str) -> Reply {
    Reply::error(status, code, message, Value::Null)
}

/// The recipient-send cap of the number's org.
fn daily_cap(s: &State, org: &str) -> u64 {
    s.texts.campaigns.iter().find(|c| c.organization_id == org).map_or(DEFAULT_DAILY_CAP, |c| c.daily_limit)
}

fn send(s: &mut State, ctx: &Ctx) -> R {
    let number = number(s, ctx)?;
    let req: SendTextRequest = ctx.parse()?;
    let org = phone::number_org(s, &number).unwrap_or_default().to_owned();
    let (recipients, conversation) = match (req.to, req.conversation_id) {
        (Some(_), Some(_)) => return Err(unprocessable("give either to or conversation_id, not both")),
        (None, None) => return Err(unprocessable("to or conversation_id is required")),
        (Some(to), None) => {
            let list = match to {
                TextRecipients::One(n) => vec![n],
                TextRecipients::Many(v) => v,
            };
            let mut out: Vec<String> = Vec::new();
            for n in list {
                let n = n.trim().to_owned();
                e164("to", &n)?;
                if n == number.number {
                    return Err(unprocessable("a number cannot text itself"));
                }
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            if out.is_empty() {
                return Err(unprocessable("to must name at least one recipient"));
            }
            (out, None)
        }
        (None, Some(c)) => {
            let c = c.trim().to_ascii_lowercase();
            let conv = s
                .texts
                .conversations
                .iter()
                .find(|x| x.id == c && x.phone_number_id == number.id)
                .ok_or_else(|| Reply::not_found("Conversation"))?;
            (conv.participants.clone(), Some(conv.id.clone()))
        }
    };
    let text = req.text.filter(|t| !t.is_empty());
    let media = media_items(req.media_urls.as_deref().unwrap_or_default())?;
    if text.is_none() && media.is_empty() {
        return Err(unprocessable("text or media_urls is required"));
    }
    if number.status != PhoneNumberStatus::Active {
        return Err(unprocessable("the sending number is not active"));
    }
    if number.sms_status != SmsStatus::Ready {
        let when = number.sms_ready_at.map(|t| format!(" (expected ready at {})", t.to_rfc3339())).unwrap_or_default();
        return Err(gate(409, "sender_sms_pending", &format!("Sender number is not yet ready for SMS{when}")));
    }
    let now_ms = ctx.clock.now_ms;
    let window_start = now_ms.saturating_sub(WINDOW_MS);
    let cap = daily_cap(s, &org);
    let mut recent: Vec<&SendRec> =
        s.texts.sends.iter().filter(|r| r.phone_number_id == number.id && r.at_ms > window_start).collect();
    let used: u64 = recent.iter().map(|r| r.recipients).sum();
    if used >= cap {
        // Seconds until enough sends leave the window to fall below the cap.
        recent.sort_by_key(|r| r.at_ms);
        let mut remaining = used;
        let mut free_at = now_ms;
        for r in recent {
            remaining = remaining.saturating_sub(r.recipients);
            if remaining < cap {
                free_at = r.at_ms.saturating_add(WINDOW_MS);
                break;
            }
        }
        let retry = (free_at.saturating_sub(now_ms) + 999) / 1000;
        let msg = format!("Sender number reached {cap} recipient sends in the last 24 hours ({used} used)");
        return Err(gate(429, "sender_rate_limited", &msg).with_header("Retry-After", &retry.max(1).to_string()));
    }
    for r in &recipients {
        match opt_in_row(s, &org, r).map(|o| &o.status) {
            Some(SmsOptInStatus::OptedIn) => {}
            Some(SmsOptInStatus::OptedOut) => {
                return Err(gate(403, "recipient_opted_out", &format!("Recipient {r} has opted out (STOP)")));
            }
            _ => {
                return Err(gate(
                    403,
                    "recipient_not_opted_in",
                    &format!("Recipient {r} has not opted in (texted START to a number of this organization)"),
                ));
            }
        }
    }

    let now = ctx.clock.timestamp();
    // Sends that left the window never count again.
    s.texts.sends.retain(|r| r.at_ms > window_start);
    s.texts.sends.push(SendRec {
        phone_number_id: number.id.clone(),
        at_ms: now_ms,
        recipients: recipients.len() as u64,
    });
    let group = recipients.len() > 1;
    let conversation_id = match conversation {
        Some(c) => c,
        None => conversation_for(s, &number.id, &sorted_unique(recipients.clone()), now),
    };
    let legs: Vec<TextMessageRecipient> = recipients
        .iter()
        .map(|r| TextMessageRecipient {
            recipient_phone_number: r.clone(),
            delivery_status: Some(TextDeliveryStatus::Queued),
            carrier: None,
            line_type: None,
            error_code: None,
            error_detail: None,
            sent_at: None,
            delivered_at: None,
            failed_at: None,
        })
        .collect();
    let msg = TextMessage {
        id: uuid4(),
        direction: TextDirection::Outbound,
        local_phone_number: number.number.clone(),
        remote_phone_number: if group { None } else { recipients.first().cloned() },
        text: text.clone(),
        text_type: if group || !media.is_empty() { TextType::Mms } else { TextType::Sms },
        media: if media.is_empty() { None } else { Some(media.clone()) },
        is_read: true,
        conversation_id: Some(conversation_id),
        sender_phone_number: None,
        recipients: Some(legs),
        delivery_status: Some(TextDeliveryStatus::Queued),
        origin: TextOrigin::UserInitiated,
        error_code: None,
        error_detail: None,
        sent_at: None,
        delivered_at: None,
        failed_at: None,
        is_blocked: false,
        created_at: now,
        updated_at: now,
    };
    let seq = s.take_seq();
    s.texts.texts.push(TextRec { seq, phone_number_id: number.id.clone(), deleted: false, message: msg.clone() });
    let reply = Reply::model(200, &msg);

    // The carrier accepts and delivers at once (overridable per leg through
    // `/_emulator/texts/delivery`).
    for status in [TextDeliveryStatus::Sent, TextDeliveryStatus::Delivered] {
        advance_legs(s, ctx.clock, &msg.id, None, &status, None, None)?;
    }
    // Recipients that are emulator numbers receive the text as inbound.
    for r in &recipients {
        let target = s.phone_numbers.iter().find(|p| &p.number == r && p.status == PhoneNumberStatus::Active);
        if let Some(target_id) = target.map(|p| p.id.clone()) {
            let others: Vec<String> = recipients.iter().filter(|o| *o != r).cloned().collect();
            receive(s, ctx.clock, &target_id, &number.number, &others, text.clone(), media.clone());
        }
    }
    Ok(reply)
}

fn event_for(status: &TextDeliveryStatus) -> Option<&'static str> {
    match status {
        TextDeliveryStatus::Sent => Some("text.sent"),
        TextDeliveryStatus::Delivered => Some("text.delivered"),
        TextDeliveryStatus::DeliveryFailed | TextDeliveryStatus::SendingFailed => Some("text.delivery_failed"),
        TextDeliveryStatus::DeliveryUnconfirmed => Some("text.delivery_unconfirmed"),
        _ => None,
    }
}

/// The message-level state of a group send.
fn rollup(legs: &[TextMessageRecipient]) -> TextDeliveryStatus {
    use TextDeliveryStatus as D;
    let has = |d: &D| legs.iter().any(|l| l.delivery_status.as_ref() == Some(d));
    if has(&D::Queued) {
        D::Queued
    } else if has(&D::Sent) {
        D::Sent
    } else if has(&D::Delivered) {
        D::Delivered
    } else if has(&D::DeliveryUnconfirmed) {
        D::DeliveryUnconfirmed
    } else if has(&D::DeliveryFailed) {
        D::DeliveryFailed
    } else if has(&D::SendingFailed) {
        D::SendingFailed
    } else {
        D::Queued
    }
}

/// Moves the legs of outbound text `text_id` (all, or the one for
/// `recipient`) to `status`, updates the rollup and raises one event per leg
/// (group) or one event (1:1).
fn advance_legs(
    s: &mut State,
    clock: Clock,
    text_id: &str,
    recipient: Option<&str>,
    status: &TextDeliveryStatus,
    error_code: Option<String>,
    error_detail: Option<String>,
) -> Result<TextMessage, Reply> {
    let now = clock.timestamp();
    let rec = s
        .texts
        .texts
        .iter_mut()
        .find(|r| r.message.id == text_id && r.message.direction == TextDirection::Outbound && !r.deleted)
        .ok_or_else(|| Reply::not_found("Outbound text"))?;
    let number_id = rec.phone_number_id.clone();
    let msg = &mut rec.message;
    let legs = msg.recipients.get_or_insert_with(Vec::new);
    let failed = matches!(status, TextDeliveryStatus::DeliveryFailed | TextDeliveryStatus::SendingFailed);
    let mut changed: Vec<String> = Vec::new();
    for leg in legs.iter_mut().filter(|l| recipient.is_none_or(|r| l.recipient_phone_number == r)) {
        leg.delivery_status = Some(status.clone());
        if *status != TextDeliveryStatus::Queued
            && leg.sent_at.is_none()
            && *status != TextDeliveryStatus::SendingFailed
        {
            leg.sent_at = Some(now);
        }
        if *status == TextDeliveryStatus::Delivered {
            leg.delivered_at = Some(now);
        }
        if failed {
            leg.failed_at = Some(now);
            leg.error_code = error_code.clone();
            leg.error_detail = error_detail.clone();
        }
        changed.push(leg.recipient_phone_number.clone());
    }
    if changed.is_empty() {
        return Err(Reply::not_found("Recipient"));
    }
    let group = legs.len() > 1;
    msg.delivery_status = Some(rollup(legs));
    if !group && let Some(leg) = legs.first() {
        msg.error_code = leg.error_code.clone();
        msg.error_detail = leg.error_detail.clone();
        msg.sent_at = leg.sent_at;
        msg.delivered_at = leg.delivered_at;
        msg.failed_at = leg.failed_at;
    }
    msg.updated_at = now;
    let out = msg.clone();
    if let Some(event) = event_for(status) {
        if group {
            for r in &changed {
                emit_text(s, &number_id, event, &out, Some(r), now);
            }
        } else {
            emit_text(s, &number_id, event, &out, None, now);
        }
    }
    Ok(out)
}

// --------------------------------------------------------------- inbound

/// Inbound traffic from `from` is blocked by the number's contact rules and
/// filter mode (`rules::phone_blocked`).
fn inbound_blocked(s: &State, p: &PhoneNumber, from: &str) -> bool {
    crate::rules::phone_blocked(s, &p.id, from).is_some()
}

/// Stores an inbound text on number `number_id` from `from` (`others` = the
/// other remote participants of a group text), applies START/STOP keywords
/// to the number's org registry and raises `text.received`.
fn receive(
    s: &mut State,
    clock: Clock,
    number_id: &str,
    from: &str,
    others: &[String],
    text: Option<String>,
    media: Vec<TextMediaItem>,
) -> Option<TextMessage> {
    let p = s.phone(number_id)?.clone();
    let org = phone::number_org(s, &p).map(str::to_owned);
    let now = clock.timestamp();
    if let (Some(org), Some(t)) = (org, text.as_deref()) {
        let word = t.trim().to_ascii_uppercase();
        if OPT_OUT_WORDS.contains(&word.as_str()) {
            set_opt_in(s, &org, from, SmsOptInStatus::OptedOut, SmsOptInSource::Sms, now);
        } else if OPT_IN_WORDS.contains(&word.as_str()) {
            set_opt_in(s, &org, from, SmsOptInStatus::OptedIn, SmsOptInSource::Sms, now);
        }
    }
    let mut participants = vec![from.to_owned()];
    participants.extend(others.iter().filter(|o| **o != p.number).cloned());
    let participants = sorted_unique(participants);
    let group = participants.len() > 1;
    let conversation_id = conversation_for(s, number_id, &participants, now);
    let msg = TextMessage {
        id: uuid4(),
        direction: TextDirection::Inbound,
        local_phone_number: p.number.clone(),
        remote_phone_number: Some(from.to_owned()),
        text,
        text_type: if group || !media.is_empty() { TextType::Mms } else { TextType::Sms },
        media: if media.is_empty() { None } else { Some(media) },
        is_read: false,
        conversation_id: Some(conversation_id),
        sender_phone_number: group.then(|| from.to_owned()),
        recipients: None,
        delivery_status: None,
        origin: TextOrigin::UserInitiated,
        error_code: None,
        error_detail: None,
        sent_at: None,
        delivered_at: None,
        failed_at: None,
        is_blocked: inbound_blocked(s, &p, from),
        created_at: now,
        updated_at: now,
    };
    let seq = s.take_seq();
    s.texts.texts.push(TextRec { seq, phone_number_id: number_id.to_owned(), deleted: false, message: msg.clone() });
    emit_text(s, number_id, "text.received", &msg, None, now);
    Some(msg)
}

fn str_field<'v>(v: &'v Value, key: &str) -> Result<Option<&'v str>, Reply> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(unprocessable(&format!("{key} must be a string"))),
    }
}

fn str_list(v: &Value, key: &str) -> Result<Vec<String>, Reply> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_owned).ok_or_else(|| unprocessable(&format!("{key} must be strings"))))
            .collect(),
        Some(_) => Err(unprocessable(&format!("{key} must be a list of strings"))),
    }
}

/// The active emulator number `to` (E.164).
fn target_number(s: &State, to: &str) -> Result<PhoneNumber, Reply> {
    s.phone_numbers
        .iter()
        .find(|p| p.number == to && p.status == PhoneNumberStatus::Active)
        .cloned()
        .ok_or_else(|| Reply::not_found("Phone number"))
}

/// `POST /_emulator/texts/inbound`.
fn inject_inbound(s: &mut State, clock: Clock, ctx: &Ctx) -> Result<TextMessage, Reply> {
    let v = ctx.json()?;
    let to = str_field(&v, "to")?.ok_or_else(|| unprocessable("to is required"))?.trim().to_owned();
    let from = str_field(&v, "from")?.ok_or_else(|| unprocessable("from is required"))?.trim().to_owned();
    e164("to", &to)?;
    e164("from", &from)?;
    if to == from {
        return Err(unprocessable("from and to must differ"));
    }
    let text = str_field(&v, "text")?.filter(|t| !t.is_empty()).map(str::to_owned);
    let media = media_items(&str_list(&v, "media_urls")?)?;
    let others = str_list(&v, "participants")?;
    for o in &others {
        e164("participants", o)?;
    }
    if text.is_none() && media.is_empty() {
        return Err(unprocessable("text or media_urls is required"));
    }
    let p = target_number(s, &to)?;
    receive(s, clock, &p.id, &from, &others, text, media).ok_or_else(|| Reply::not_found("Phone number"))
}

/// `POST /_emulator/texts/delivery`.
fn set_delivery(s: &mut State, clock: Clock, ctx: &Ctx) -> Result<TextMessage, Reply> {
    let v = ctx.json()?;
    let id = str_field(&v, "text_id")?.ok_or_else(|| unprocessable("text_id is required"))?.to_ascii_lowercase();
    let status = match str_field(&v, "status")? {
        Some("queued") => TextDeliveryStatus::Queued,
        Some("sent") => TextDeliveryStatus::Sent,
        Some("delivered") => TextDeliveryStatus::Delivered,
        Some("delivery_failed") => TextDeliveryStatus::DeliveryFailed,
        Some("delivery_unconfirmed") => TextDeliveryStatus::DeliveryUnconfirmed,
        Some("sending_failed") => TextDeliveryStatus::SendingFailed,
        _ => return Err(unprocessable("status must be an outbound delivery status")),
    };
    let recipient = str_field(&v, "recipient")?.map(str::to_owned);
    let code = str_field(&v, "error_code")?.map(str::to_owned);
    let detail = str_field(&v, "error_detail")?.map(str::to_owned);
    advance_legs(s, clock, &id, recipient.as_deref(), &status, code, detail)
}

fn campaign_json(s: &State, org: &str) -> Reply {
    let c = s.texts.campaigns.iter().find(|c| c.organization_id == org);
    Reply::json(
        200,
        json!({
            "organization_id": org,
            "customer_managed": c.is_some(),
            "daily_limit": c.map_or(DEFAULT_DAILY_CAP, |c| c.daily_limit),
        }),
    )
}

/// `POST /_emulator/texts/campaign`: `{"customer_managed": bool, "daily_limit"?: n}`.
fn set_campaign(s: &mut State, org: &str, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    let on = v
        .get("customer_managed")
        .and_then(Value::as_bool)
        .ok_or_else(|| unprocessable("customer_managed (bool) is required"))?;
    let limit = match v.get("daily_limit") {
        None | Some(Value::Null) => DEFAULT_DAILY_CAP,
        Some(n) => {
            n.as_u64().filter(|n| *n >= 1).ok_or_else(|| unprocessable("daily_limit must be a positive integer"))?
        }
    };
    s.texts.campaigns.retain(|c| c.organization_id != org);
    if on {
        s.texts.campaigns.push(CampaignRec { organization_id: org.to_owned(), daily_limit: limit });
    }
    Ok(campaign_json(s, org))
}

// ------------------------------------------------------------ list/get

fn list(s: &mut State, ctx: &Ctx) -> R {
    let n = number(s, ctx)?;
    let (limit, offset) = (ctx.limit(texts::DEFAULT_LIMIT, texts::MAX_LIMIT)?, ctx.offset()?);
    let is_read = flag(ctx, "is_read")?;
    let blocked = flag(ctx, "is_blocked")?;
    let mut v = rows(s, &n.id, &ctx.caller, blocked);
    v.retain(|r| is_read.is_none_or(|b| r.message.is_read == b));
    Ok(Reply::model(200, &page(v, offset, limit)))
}

fn search(s: &mut State, ctx: &Ctx) -> R {
    let n = number(s, ctx)?;
    let q = ctx.query("q").map(str::trim).filter(|q| !q.is_empty()).ok_or_else(|| unprocessable("q is required"))?;
    let q = q.to_lowercase();
    let limit = ctx.limit(texts::DEFAULT_LIMIT, texts::MAX_LIMIT)?;
    let blocked = flag(ctx, "is_blocked")?;
    let mut v = rows(s, &n.id, &ctx.caller, blocked);
    v.retain(|r| r.message.text.as_deref().is_some_and(|t| t.to_lowercase().contains(&q)));
    Ok(Reply::model(200, &page(v, 0, limit)))
}

fn text_mut<'s>(s: &'s mut State, number_id: &str, ctx: &Ctx) -> Result<&'s mut TextRec, Reply> {
    let id = ctx.param(1).to_ascii_lowercase();
    let caller = ctx.caller.clone();
    s.texts
        .texts
        .iter_mut()
        .find(|r| r.phone_number_id == number_id && r.message.id == id && row_visible(r, &caller))
        .ok_or_else(|| Reply::not_found("Text message"))
}

fn get(s: &mut State, ctx: &Ctx) -> R {
    let n = number(s, ctx)?;
    Ok(Reply::model(200, &text_mut(s, &n.id, ctx)?.message))
}

fn update(s: &mut State, ctx: &Ctx) -> R {
    let n = number(s, ctx)?;
    let req: UpdateTextRequest = ctx.parse()?;
    let delete = match req.status.as_deref() {
        None => false,
        Some("deleted") => true,
        Some(_) => return Err(unprocessable("status may only be 'deleted'")),
    };
    let now = ctx.clock.timestamp();
    let rec = text_mut(s, &n.id, ctx)?;
    if let Some(r) = req.is_read
        && rec.message.is_read != r
    {
        rec.message.is_read = r;
        rec.message.updated_at = now;
    }
    if delete {
        rec.deleted = true;
        rec.message.updated_at = now;
    }
    Ok(Reply::model(200, &rec.message))
}

// -------------------------------------------------------- conversations

/// The conversation named by `key` on number `number_id`: a UUID (404 when
/// unknown) or an E.164 number (the 1:1 conversation, possibly none yet).
fn resolve_key<'s>(
    s: &'s State,
    number_id: &str,
    key: &str,
) -> Result<(Option<&'s ConversationRec>, Option<String>), Reply> {
    if key.starts_with('+') {
        e164("key", key)?;
        let c = s.texts.conversations.iter().find(|c| {
            c.phone_number_id == number_id && !c.is_group && c.participants.first().map(String::as_str) == Some(key)
        });
        Ok((c, Some(key.to_owned())))
    } else if common::is_uuid(key) {
        let key = key.to_ascii_lowercase();
        let c = s
            .texts
            .conversations
            .iter()
            .find(|c| c.phone_number_id == number_id && c.id == key)
            .ok_or_else(|| Reply::not_found("Conversation"))?;
        let remote = if c.is_group { None } else { c.participants.first().cloned() };
        Ok((Some(c), remote))
    } else {
        Err(unprocessable("key must be an E.164 number or a conversation UUID"))
    }
}

fn list_conversations(s: &mut State, ctx: &Ctx) -> R {
    let n = number(s, ctx)?;
    let (limit, offset) = (ctx.limit(texts::DEFAULT_LIMIT, texts::MAX_LIMIT)?, ctx.offset()?);
    let blocked = flag(ctx, "is_blocked")?;
    let groups = flag(ctx, "include_groups")?.unwrap_or(false);
    let all = rows(s, &n.id, &ctx.caller, blocked);
    let mut out: Vec<(u64, TextConversationSummary)> = Vec::new();
    for c in s.texts.conversations.iter().filter(|c| c.phone_number_id == n.id && (groups || !c.is_group)) {
        let recs: Vec<&&TextRec> =
            all.iter().filter(|r| r.message.conversation_id.as_deref() == Some(c.id.as_str())).collect();
        let msgs: Vec<&TextMessage> = recs.iter().map(|r| &r.message).collect();
        let (Some(latest), Some(latest_seq)) = (msgs.first(), recs.first().map(|r| r.seq)) else { continue };
        out.push((
            latest_seq,
            TextConversationSummary {
                id: Some(c.id.clone()),
                remote_phone_number: if c.is_group { None } else { c.participants.first().cloned() },
                participants: Some(c.participants.clone()),
                is_group: c.is_group,
                latest_text: latest.text.clone(),
                latest_direction: latest.direction.clone(),
                latest_type: latest.text_type.clone(),
                latest_has_media: latest.media.as_ref().is_some_and(|m| !m.is_empty()),
                latest_message_at: latest.created_at,
                unread_count: msgs.iter().filter(|m| !m.is_read).count() as u64,
                total_count: msgs.len() as u64,
            },
        ));
    }
    out.sort_by_key(|(seq, c)| std::cmp::Reverse((c.latest_message_at, *seq)));
    let out: Vec<TextConversationSummary> = out.into_iter().skip(offset).take(limit).map(|(_, c)| c).collect();
    Ok(Reply::model(200, &out))
}

fn get_conversation(s: &mut State, ctx: &Ctx) -> R {
    let n = number(s, ctx)?;
    let (limit, offset) = (ctx.limit(texts::DEFAULT_LIMIT, texts::MAX_LIMIT)?, ctx.offset()?);
    let (conv, _) = resolve_key(s, &n.id, ctx.param(1))?;
    let Some(conv_id) = conv.map(|c| c.id.clone()) else { return Ok(Reply::json(200, json!([]))) };
    let mut v = rows(s, &n.id, &ctx.caller, None);
    v.retain(|r| r.message.conversation_id.as_deref() == Some(conv_id.as_str()));
    Ok(Reply::model(200, &page(v, offset, limit)))
}

fn update_conversation(s: &mut State, ctx: &Ctx) -> R {
    let n = number(s, ctx)?;
    let req: UpdateTextConversationRequest = ctx.parse()?;
    let (conv, remote) = resolve_key(s, &n.id, ctx.param(1))?;
    let conv_id = conv.map(|c| c.id.clone());
    let now = ctx.clock.timestamp();
    let caller = ctx.caller.clone();
    let mut updated = 0u64;
    if let Some(cid) = &conv_id {
        for r in s.texts.texts.iter_mut().filter(|r| {
            r.phone_number_id == n.id
                && r.message.conversation_id.as_deref() == Some(cid.as_str())
                && r.message.direction == TextDirection::Inbound
                && row_visible(r, &caller)
        }) {
            if r.message.is_read != req.is_read {
                r.message.is_read = req.is_read;
                r.message.updated_at = now;
                updated += 1;
            }
        }
    }
    let out = TextConversationUpdateResult {
        remote_phone_number: remote,
        conversation_id: conv_id,
        is_read: req.is_read,
        updated_count: updated,
    };
    Ok(Reply::model(200, &out))
}

// ------------------------------------------------------------- opt-ins

fn reads_allowed(ctx: &Ctx) -> Result<String, Reply> {
    admin_only(ctx)?;
    Ok(ctx.caller.org_id().unwrap_or_default().to_owned())
}

fn list_opt_ins(s: &mut State, ctx: &Ctx) -> R {
    let org = reads_allowed(ctx)?;
    let status = match ctx.query("status") {
        None => None,
        Some("opted_in") => Some(SmsOptInStatus::OptedIn),
        Some("opted_out") => Some(SmsOptInStatus::OptedOut),
        Some(_) => return Err(unprocessable("status must be 'opted_in' or 'opted_out'")),
    };
    let (limit, offset) = (ctx.limit(texts::DEFAULT_LIMIT, texts::MAX_LIMIT)?, ctx.offset()?);
    let mut v: Vec<&OptInRec> = s
        .texts
        .opt_ins
        .iter()
        .filter(|r| r.row.organization_id == org && status.as_ref().is_none_or(|st| &r.row.status == st))
        .collect();
    v.sort_by_key(|r| std::cmp::Reverse((r.row.updated_at, r.seq)));
    let page: Vec<&SmsOptIn> = v.into_iter().skip(offset).take(limit).map(|r| &r.row).collect();
    Ok(Reply::model(200, &page))
}

fn receiver(ctx: &Ctx) -> Result<String, Reply> {
    let r = ctx.param(0).trim().to_owned();
    e164("receiver_number", &r)?;
    Ok(r)
}

fn get_opt_in(s: &mut State, ctx: &Ctx) -> R {
    let org = reads_allowed(ctx)?;
    let r = receiver(ctx)?;
    let row = opt_in_row(s, &org, &r).ok_or_else(|| Reply::detail(404, "No SMS opt-in row for this number"))?;
    Ok(Reply::model(200, row))
}

fn write_opt_in(s: &mut State, ctx: &Ctx, status: SmsOptInStatus) -> R {
    admin_only(ctx)?;
    let org = ctx.caller.org_id().unwrap_or_default().to_owned();
    let r = receiver(ctx)?;
    if !s.texts.campaigns.iter().any(|c| c.organization_id == org) {
        return Err(gate(
            409,
            "customer_campaign_required",
            "Opt-in writes need the organization's own active customer-managed 10DLC campaign; orgs on the Inkbox \
             default campaign share consent state",
        ));
    }
    let row = set_opt_in(s, &org, &r, status, SmsOptInSource::Api, ctx.clock.timestamp());
    Ok(Reply::model(200, &row))
}

// ------------------------------------------------------- incoming calls

/// What the incoming-call flow needs, read before any outbound request.
struct CallPlan {
    number_id: String,
    action: IncomingCallAction,
    blocked: bool,
    webhook_url: Option<String>,
    websocket_url: Option<String>,
    secret: Option<String>,
    call: PhoneCall,
    payload: Value,
}

fn plan_call(s: &State, clock: Clock, to: &str, from: &str) -> Result<CallPlan, Reply> {
    let p = target_number(s, to)?;
    let now = clock.timestamp();
    let call = PhoneCall {
        id: uuid4(),
        local_phone_number: p.number.clone(),
        remote_phone_number: from.to_owned(),
        direction: CallDirection::Inbound,
        status: CallStatus::Initiated,
        client_websocket_url: None,
        use_inkbox_tts: None,
        use_inkbox_stt: None,
        hangup_reason: None,
        started_at: None,
        ended_at: None,
        is_blocked: false,
        created_at: now,
        updated_at: now,
    };
    let mut payload = serde_json::to_value(&call).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut payload {
        m.remove("is_blocked");
        m.insert("rate_limit".into(), Value::Null);
        let contacts = phone_contacts(s, &p.id, &[from.to_owned()]);
        m.insert("contacts".into(), Value::Array(contacts));
        m.insert("agent_identities".into(), Value::Array(identity_matches(s, &p.id, &[from.to_owned()])));
    }
    let identity = p.agent_identity_id.as_deref().and_then(|i| s.identity_by_id(i));
    let org_key =
        identity.and_then(|i| s.orgs.iter().find(|o| o.id == i.organization_id)).and_then(|o| o.signing_key.as_ref());
    let secret = identity.and_then(|i| i.signing_key.as_ref()).or(org_key).map(|k| k.secret.clone());
    Ok(CallPlan {
        number_id: p.id.clone(),
        action: p.incoming_call_action.clone(),
        blocked: inbound_blocked(s, &p, from),
        webhook_url: p.incoming_call_webhook_url.clone(),
        websocket_url: p.client_websocket_url.clone(),
        secret,
        call,
        payload,
    })
}

/// `POST /_emulator/calls/inbound`: `{"to", "from", "timeout_ms"?}` → 201 `PhoneCall`.
fn inbound_call(app: &App, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    let to = str_field(&v, "to")?.ok_or_else(|| unprocessable("to is required"))?.trim().to_owned();
    let from = str_field(&v, "from")?.ok_or_else(|| unprocessable("from is required"))?.trim().to_owned();
    e164("to", &to)?;
    e164("from", &from)?;
    if to == from {
        return Err(unprocessable("from and to must differ"));
    }
    let timeout_ms = match v.get("timeout_ms") {
        None | Some(Value::Null) => CALL_WEBHOOK_TIMEOUT_MS,
        Some(n) => n
            .as_u64()
            .filter(|n| (1..=60_000).contains(n))
            .ok_or_else(|| unprocessable("timeout_ms must be an integer between 1 and 60000"))?,
    };
    let plan = app.read(|s, clock| plan_call(s, clock, &to, &from))?;
    let mut attempt: Option<CallWebhookRec> = None;
    let decision = if plan.blocked {
        None
    } else {
        match plan.action {
            IncomingCallAction::AutoAccept => Some(IncomingCallResponse::answer(plan.websocket_url.clone())),
            IncomingCallAction::Webhook => {
                let url = plan.webhook_url.clone().unwrap_or_default();
                let body = serde_json::to_vec(&plan.payload).unwrap_or_default();
                let now_secs = u64::try_from(ctx.clock.timestamp().unix_seconds()).unwrap_or(0);
                let headers = plan
                    .secret
                    .as_deref()
                    .and_then(|k| outbound::signature_headers(k, &uuid4(), now_secs, &body))
                    .unwrap_or_default();
                let signed = !headers.is_empty();
                let answer = outbound::post_json(&url, &headers, &body, Duration::from_millis(timeout_ms));
                let (status, error, reply) = match answer {
                    Ok(a) => (Some(a.status), None, IncomingCallResponse::from_webhook_reply(a.status, &a.body)),
                    Err(e) => (None, Some(e), IncomingCallResponse::reject()),
                };
                attempt = Some(CallWebhookRec {
                    call_id: plan.call.id.clone(),
                    url,
                    status,
                    error,
                    decision: reply.action.as_str().to_owned(),
                    signed,
                    at: ctx.clock.timestamp(),
                });
                Some(reply)
            }
            _ => Some(IncomingCallResponse::reject()),
        }
    };
    let call = app.mutate(|s, clock| {
        let now = clock.timestamp();
        let mut call = plan.call.clone();
        match &decision {
            Some(r) if r.action == IncomingCallDecision::Answer => {
                call.status = CallStatus::Answered;
                call.client_websocket_url = r.client_websocket_url.clone().or_else(|| plan.websocket_url.clone());
                call.started_at = Some(now);
            }
            _ => {
                call.status = CallStatus::Canceled;
                call.hangup_reason = Some(HangupReason::Rejected);
                call.is_blocked = plan.blocked;
                call.ended_at = Some(now);
            }
        }
        call.updated_at = now;
        let seq = s.take_seq();
        s.calls.push(CallRec { seq, phone_number_id: plan.number_id.clone(), call: call.clone() });
        if let Some(a) = attempt {
            s.texts.call_webhooks.push(a);
        }
        Ok(call)
    })?;
    Ok(Reply::model(201, &call))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use inkbox_core::api::common::FilterMode;
    use inkbox_core::api::identities::IdentityStatus;
    use inkbox_core::api::phone::PhoneNumberType;

    use super::*;
    use crate::state::{IdentityRec, Org};

    fn number(id: &str, number: &str, identity: &str, now: Timestamp) -> PhoneNumber {
        PhoneNumber {
            id: id.into(),
            number: number.into(),
            r#type: PhoneNumberType::Local,
            status: PhoneNumberStatus::Active,
            sms_status: SmsStatus::Ready,
            sms_error_code: None,
            sms_error_detail: None,
            sms_ready_at: Some(now),
            incoming_call_action: IncomingCallAction::AutoReject,
            client_websocket_url: None,
            incoming_call_webhook_url: None,
            filter_mode: FilterMode::Blacklist,
            state: None,
            agent_identity_id: Some(identity.into()),
            filter_mode_change_notice: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn identity(id: &str, handle: &str, phone: &str, now: Timestamp) -> IdentityRec {
        IdentityRec {
            id: id.into(),
            organization_id: "org_1".into(),
            agent_handle: handle.into(),
            display_name: None,
            description: None,
            imessage_enabled: false,
            imessage_filter_mode: FilterMode::Blacklist,
            status: IdentityStatus::Active,
            created_at: now,
            updated_at: now,
            mailbox_id: String::new(),
            tunnel_id: String::new(),
            phone_number_id: Some(phone.into()),
            signing_key: None,
        }
    }

    #[test]
    fn text_events_carry_the_webhook_data_shape() {
        let clock = Clock { now_ms: 1_775_000_000_000 };
        let now = clock.timestamp();
        let mut s = State::default();
        s.orgs.push(Org { id: "org_1".into(), signing_key: None });
        s.identities.push(identity("i-a", "a", "p-a", now));
        s.identities.push(identity("i-b", "b", "p-b", now));
        s.phone_numbers.push(number("p-a", "+15550000001", "i-a", now));
        s.phone_numbers.push(number("p-b", "+15550000002", "i-b", now));
        // b is visible to a: a's events name b among agent_identities.
        s.access.push(inkbox_core::api::identities::IdentityAccess {
            id: "g".into(),
            target_identity_id: "i-b".into(),
            viewer_identity_id: None,
            created_at: now,
        });
        let msg = receive(&mut s, clock, "p-a", "+15550000002", &[], Some("hi".into()), Vec::new()).unwrap();
        let e = text_event(&s, "p-a", "text.received", &msg, None, now).unwrap();
        assert_eq!(e.owner, EventOwner::PhoneNumber("p-a".into()));
        assert_eq!((e.organization_id.as_str(), e.identity_id.as_deref()), ("org_1", Some("i-a")));
        let tm = &e.data["text_message"];
        assert!(tm.get("is_blocked").is_none());
        for key in ["delivery_status", "recipients", "sent_at", "error_code", "sender_phone_number", "media"] {
            assert!(tm.get(key).is_some_and(Value::is_null), "{key}");
        }
        assert_eq!(tm["direction"], "inbound");
        assert_eq!(tm["origin"], "user_initiated");
        assert_eq!(e.data["contacts"], json!([]));
        assert_eq!(e.data["agent_identities"], json!([{ "id": "i-b", "agent_handle": "b", "display_name": null }]));
        assert_eq!(e.data["recipient_phone_number"], Value::Null);

        // a is not visible to b: no identity match.
        let back = receive(&mut s, clock, "p-b", "+15550000001", &[], Some("yo".into()), Vec::new()).unwrap();
        let e = text_event(&s, "p-b", "text.received", &back, None, now).unwrap();
        assert_eq!(e.data["agent_identities"], json!([]));

        let mut blocked = msg.clone();
        blocked.is_blocked = true;
        assert!(text_event(&s, "p-a", "text.received", &blocked, None, now).is_none());
    }
}
