//! iMessage: triage number and assignments, conversations, messages, reactions, typing, read state, media, contact rules; inbound iMessage injected through the control API.
//!
//! The shared router ("triage") line has one number for the whole emulator.
//! A human texting `connect @handle` to it gets an assignment (human ↔
//! identity) and a conversation; the connect text is the conversation's first
//! inbound message. Everything else the human sends arrives through
//! `POST /_emulator/imessage/inbound`.

use inkbox_core::api::common::{FilterMode, RuleAction};
use inkbox_core::api::identities::IdentityStatus;
use inkbox_core::api::imessage::{
    CreateIMessageContactRuleRequest, DEFAULT_LIMIT, IMessage, IMessageAssignment, IMessageAssignmentStatus,
    IMessageContactRule, IMessageConversation, IMessageConversationRequest, IMessageConversationSummary,
    IMessageDeliveryStatus, IMessageDirection, IMessageMarkReadResult, IMessageMediaItem, IMessageMediaUpload,
    IMessageMessageReaction, IMessageReaction, IMessageReactionType, IMessageRecipient, IMessageRuleMatchType,
    IMessageRuleStatus, IMessageService, IMessageTriageNumber, IMessageType, MAX_LIMIT, MAX_MEDIA_BYTES,
    SendIMessageReactionRequest, SendIMessageRequest, UpdateIMessageContactRuleRequest,
};
use inkbox_core::api::request::Method;
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::validate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, Caller, Ctx, Reply, unprocessable};
use crate::handlers::{R, admin_only, own_identity, visible_identity};
use crate::mail::base64_decode;
use crate::state::{EventOwner, IdentityRec, OutEvent, State};
use crate::util::{Clock, random_hex, uuid4};

/// The router number used until the control API sets another one.
pub(crate) const DEFAULT_TRIAGE_NUMBER: &str = "+14155550100";
/// iMessages one identity may send per rolling window.
pub(crate) const SEND_LIMIT: usize = 100;
/// The rolling window of the send cap.
const WINDOW_MS: i64 = 24 * 3600 * 1000;
/// Entries kept in the activity log (`GET /_emulator/imessage/events`).
const LOG_CAP: usize = 1000;
/// Path prefix of uploaded media (served without an API key).
pub(crate) const MEDIA_PREFIX: &str = "/_emulator/imessage/media/";

// ----------------------------------------------------------------- state

/// An assignment and the organization of its identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AssignmentRec {
    pub(crate) seq: u64,
    pub(crate) assignment: IMessageAssignment,
}

/// A conversation: one assignment's thread.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ConversationRec {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) assignment_id: String,
    pub(crate) agent_identity_id: String,
    pub(crate) organization_id: String,
    pub(crate) remote_number: String,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
}

/// A stored message (its `reactions` are filled in when read).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct MessageRec {
    pub(crate) seq: u64,
    pub(crate) agent_identity_id: String,
    pub(crate) organization_id: String,
    pub(crate) message: IMessage,
}

/// A live tapback (replaced ones are removed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ReactionRec {
    pub(crate) seq: u64,
    /// An inbound tapback stopped by a contact rule (hidden from identity keys).
    #[serde(default)]
    pub(crate) blocked: bool,
    pub(crate) reaction: IMessageReaction,
}

/// An uploaded media file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct MediaRec {
    pub(crate) token: String,
    pub(crate) organization_id: String,
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) size: u64,
    pub(crate) content_base64: String,
    pub(crate) created_at: Timestamp,
}

/// A contact rule and the organization of its identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RuleRec {
    pub(crate) seq: u64,
    pub(crate) organization_id: String,
    pub(crate) rule: IMessageContactRule,
}

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct IMessageState {
    /// The router number (`None` → [`DEFAULT_TRIAGE_NUMBER`]).
    #[serde(default)]
    pub(crate) triage_number: Option<String>,
    /// No triage line is active (`GET /triage-number` → 404).
    #[serde(default)]
    pub(crate) triage_inactive: bool,
    #[serde(default)]
    pub(crate) assignments: crate::table::Table<AssignmentRec>,
    #[serde(default)]
    pub(crate) conversations: crate::table::Table<ConversationRec>,
    #[serde(default)]
    pub(crate) messages: crate::table::Table<MessageRec>,
    #[serde(default)]
    pub(crate) reactions: crate::table::Table<ReactionRec>,
    #[serde(default)]
    pub(crate) media: crate::table::Table<MediaRec>,
    #[serde(default)]
    pub(crate) rules: crate::table::Table<RuleRec>,
    /// Webhook events raised, typing indicators and read receipts (newest last).
    #[serde(default)]
    pub(crate) log: crate::table::Table<Value>,
    #[serde(default)]
    pub(crate) next_seq: u64,
}

impl IMessageState {
    fn seq(&mut self) -> u64 {
        self.next_seq = self.next_seq.saturating_add(1);
        self.next_seq
    }

    fn triage(&self) -> &str {
        self.triage_number.as_deref().unwrap_or(DEFAULT_TRIAGE_NUMBER)
    }

    fn conversation(&self, id: &str) -> Option<&ConversationRec> {
        self.conversations.iter().find(|c| c.id == id)
    }

    fn assignment(&self, id: &str) -> Option<&IMessageAssignment> {
        self.assignments.iter().find(|a| a.assignment.id == id).map(|a| &a.assignment)
    }

    fn log(&mut self, entry: Value) {
        self.log.push(entry);
        if self.log.len() > LOG_CAP {
            let extra = self.log.len() - LOG_CAP;
            self.log.drain(..extra);
        }
    }
}

// --------------------------------------------------------------- helpers

/// The assignment as the API shows it: released once its identity is gone.
fn assignment_view(s: &State, a: &IMessageAssignment) -> IMessageAssignment {
    let mut out = a.clone();
    if out.status == IMessageAssignmentStatus::Active && s.identity_by_id(&a.agent_identity_id).is_none() {
        out.status = IMessageAssignmentStatus::Released;
    }
    out
}

fn assignment_active(s: &State, assignment_id: &str) -> bool {
    s.imessage
        .assignment(assignment_id)
        .is_some_and(|a| assignment_view(s, a).status == IMessageAssignmentStatus::Active)
}

/// What the caller may see: its org, and for identity keys its own identity
/// (and never blocked rows). Admin callers may narrow with `agent_identity_id`.
struct Scope {
    org_id: String,
    identity_id: Option<String>,
    agent: bool,
}

impl Scope {
    fn of(ctx: &Ctx) -> Self {
        match &ctx.caller {
            Caller::Agent { org_id, identity_id, .. } => {
                Scope { org_id: org_id.clone(), identity_id: Some(identity_id.clone()), agent: true }
            }
            other => Scope {
                org_id: other.org_id().unwrap_or_default().to_owned(),
                identity_id: ctx.query("agent_identity_id").map(str::to_ascii_lowercase),
                agent: false,
            },
        }
    }

    fn owns(&self, org_id: &str, identity_id: &str) -> bool {
        self.org_id == org_id && self.identity_id.as_deref().is_none_or(|i| i == identity_id)
    }

    fn sees_message(&self, m: &MessageRec) -> bool {
        self.owns(&m.organization_id, &m.agent_identity_id) && !(self.agent && m.message.is_blocked)
    }
}

fn bool_query(ctx: &Ctx, key: &str) -> Result<Option<bool>, Reply> {
    match ctx.query(key).map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(unprocessable(&format!("{key} must be true or false"))),
    }
}

/// The live tapbacks of a message, oldest first.
fn message_reactions(s: &State, message_id: &str, include_blocked: bool) -> Vec<IMessageMessageReaction> {
    let mut rows: Vec<&ReactionRec> = s
        .imessage
        .reactions
        .iter()
        .filter(|r| r.reaction.target_message_id == message_id && (include_blocked || !r.blocked))
        .collect();
    rows.sort_by_key(|r| (r.reaction.created_at, r.seq));
    rows.into_iter()
        .map(|r| IMessageMessageReaction {
            id: r.reaction.id.clone(),
            direction: r.reaction.direction.clone(),
            reaction: r.reaction.reaction.clone(),
            custom_emoji: r.reaction.custom_emoji.clone(),
            remote_number: r.reaction.remote_number.clone(),
            part_index: r.reaction.part_index,
            created_at: r.reaction.created_at,
        })
        .collect()
}

fn message_view(s: &State, m: &MessageRec, include_blocked: bool) -> IMessage {
    let mut out = m.message.clone();
    out.reactions = Some(message_reactions(s, &out.id, include_blocked));
    out
}

fn conversation_model(s: &State, c: &ConversationRec) -> IMessageConversation {
    let status = s
        .imessage
        .assignment(&c.assignment_id)
        .map(|a| assignment_view(s, a).status)
        .unwrap_or(IMessageAssignmentStatus::Released);
    IMessageConversation {
        id: c.id.clone(),
        assignment_id: Some(c.assignment_id.clone()),
        assignment_status: status,
        remote_number: Some(c.remote_number.clone()),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn identity_active_enabled(s: &State, identity_id: &str) -> bool {
    s.identity_by_id(identity_id).is_some_and(|i| i.status == IdentityStatus::Active && i.imessage_enabled)
}

/// `data.agent_identities` of a webhook: identities of the org whose phone
/// number is the human's number (usually none).
fn matching_identities(s: &State, org_id: &str, remote: &str) -> Vec<Value> {
    s.identities
        .iter()
        .filter(|i| i.organization_id == org_id && i.status == IdentityStatus::Active)
        .filter(|i| i.phone_number_id.as_deref().and_then(|p| s.phone(p)).is_some_and(|p| p.number == remote))
        .map(|i| json!({ "id": i.id, "agent_handle": i.agent_handle, "display_name": i.display_name }))
        .collect()
}

/// Raises an `imessage.*` webhook event (only while the identity is active
/// and iMessage-enabled) and records it in the activity log.
fn emit(
    s: &mut State,
    identity_id: &str,
    event_type: &str,
    message: Option<IMessage>,
    reaction: Option<IMessageReaction>,
    at: Timestamp,
) {
    if !identity_active_enabled(s, identity_id) {
        return;
    }
    let Some(org_id) = s.identity_by_id(identity_id).map(|i| i.organization_id.clone()) else { return };
    let remote = message
        .as_ref()
        .and_then(|m| m.remote_number.clone())
        .or_else(|| reaction.as_ref().map(|r| r.remote_number.clone()))
        .unwrap_or_default();
    let conversation_id = message
        .as_ref()
        .map(|m| m.conversation_id.clone())
        .or_else(|| reaction.as_ref().map(|r| r.conversation_id.clone()));
    let mut message = message.and_then(|m| serde_json::to_value(m).ok()).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut message {
        m.remove("is_blocked");
    }
    let reaction = reaction.and_then(|r| serde_json::to_value(r).ok()).unwrap_or(Value::Null);
    let data = json!({
        "message": message,
        "reaction": reaction,
        "contacts": [],
        "agent_identities": matching_identities(s, &org_id, &remote),
    });
    s.imessage.log(json!({
        "type": event_type,
        "agent_identity_id": identity_id,
        "conversation_id": conversation_id,
        "at": at.to_rfc3339(),
        "data": data.clone(),
    }));
    s.emit(OutEvent {
        event_type: event_type.to_owned(),
        organization_id: org_id,
        owner: EventOwner::AgentIdentity(identity_id.to_owned()),
        identity_id: Some(identity_id.to_owned()),
        data,
        at,
    });
}

/// Why traffic with `remote` is blocked for this identity, if it is:
/// `(matched_rule_id, reason)`.
fn blocked_by(s: &State, identity: &IdentityRec, remote: &str) -> Option<(Option<String>, String)> {
    let active = |action: RuleAction| {
        s.imessage.rules.iter().find(|r| {
            r.rule.agent_identity_id == identity.id
                && r.rule.action == action
                && r.rule.status == IMessageRuleStatus::Active
                && r.rule.match_type == IMessageRuleMatchType::ExactNumber
                && r.rule.match_target == remote
        })
    };
    match identity.imessage_filter_mode {
        FilterMode::Whitelist => match active(RuleAction::Allow) {
            Some(_) => None,
            None => Some((None, format!("{remote} is not on the allow list of @{}", identity.agent_handle))),
        },
        _ => active(RuleAction::Block).map(|r| {
            (Some(r.rule.id.clone()), format!("{remote} is blocked by a contact rule of @{}", identity.agent_handle))
        }),
    }
}

fn blocked_reply(matched: Option<String>, remote: &str, reason: &str) -> Reply {
    Reply::error(
        403,
        "recipient_blocked",
        reason,
        json!({ "matched_rule_id": matched, "address": remote, "reason": reason }),
    )
}

fn require_enabled(s: &State, identity_id: &str) -> Result<(), Reply> {
    let i = s.identity_by_id(identity_id).ok_or_else(|| Reply::not_found("Identity"))?;
    if i.imessage_enabled {
        Ok(())
    } else {
        Err(Reply::detail(400, &format!("Identity '@{}' does not have iMessage enabled", i.agent_handle)))
    }
}

fn connect_command(handle: &str) -> String {
    format!("connect @{handle}")
}

/// A visible conversation by id (404 otherwise).
fn visible_conversation<'s>(s: &'s State, scope: &Scope, id: &str) -> Result<&'s ConversationRec, Reply> {
    let id = id.trim().to_ascii_lowercase();
    s.imessage
        .conversation(&id)
        .filter(|c| scope.owns(&c.organization_id, &c.agent_identity_id))
        .filter(|c| {
            !scope.agent
                || s.imessage.messages.iter().any(|m| m.message.conversation_id == c.id && scope.sees_message(m))
        })
        .ok_or_else(|| Reply::not_found("Conversation"))
}

/// Media items for `media_urls`: uploads of this emulator get their type and size.
fn media_items(s: &State, urls: &[String]) -> Result<Option<Vec<IMessageMediaItem>>, Reply> {
    if urls.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for url in urls {
        if url.trim().is_empty() {
            return Err(unprocessable("media_urls must not contain empty strings"));
        }
        let upload = url
            .find(MEDIA_PREFIX)
            .and_then(|i| url.get(i + MEDIA_PREFIX.len()..))
            .and_then(|token| s.imessage.media.iter().find(|m| m.token == token));
        out.push(IMessageMediaItem {
            url: url.clone(),
            content_type: upload.map(|m| m.content_type.clone()),
            size: upload.map(|m| m.size),
        });
    }
    Ok(Some(out))
}

// -------------------------------------------------------------- dispatch

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "imessage.triage_number.get" => triage_number(s, ctx),
        "imessage.messages.send" => send(s, ctx),
        "imessage.messages.list" => list_messages(s, ctx),
        "imessage.assignments.list" => list_assignments(s, ctx),
        "imessage.conversations.list" => list_conversations(s, ctx),
        "imessage.conversations.get" => get_conversation(s, ctx),
        "imessage.reactions.send" => send_reaction(s, ctx),
        "imessage.conversations.mark_read" => mark_read(s, ctx),
        "imessage.typing.send" => typing(s, ctx),
        "imessage.media.upload" => upload_media(s, ctx),
        "imessage.contact_rules.list" => list_rules(s, ctx),
        "imessage.contact_rules.get" => get_rule(s, ctx),
        "imessage.contact_rules.create" => create_rule(s, ctx),
        "imessage.contact_rules.update" => update_rule(s, ctx),
        "imessage.contact_rules.delete" => delete_rule(s, ctx),
        "imessage.org_contact_rules.list" => list_org_rules(s, ctx),
        _ => return None,
    })
}

// ---------------------------------------------------------------- triage

fn triage_number(s: &mut State, ctx: &Ctx) -> R {
    if s.imessage.triage_inactive {
        return Err(Reply::detail(404, "No iMessage triage line is active"));
    }
    let handle = match &ctx.caller {
        Caller::Agent { identity_id, .. } => s.identity_by_id(identity_id).map(|i| i.agent_handle.clone()),
        other => {
            let org = other.org_id().unwrap_or_default();
            let mut enabled = s.identities.iter().filter(|i| i.organization_id == org && i.imessage_enabled);
            match (enabled.next(), enabled.next()) {
                (Some(only), None) => Some(only.agent_handle.clone()),
                _ => None,
            }
        }
    };
    Ok(Reply::model(
        200,
        &IMessageTriageNumber {
            number: s.imessage.triage().to_owned(),
            connect_command: connect_command(handle.as_deref().unwrap_or("<handle>")),
        },
    ))
}

// ------------------------------------------------------------------ send

fn send(s: &mut State, ctx: &Ctx) -> R {
    let req: SendIMessageRequest = ctx.parse()?;
    let text = req.text.clone().filter(|t| !t.is_empty());
    let urls = req.media_urls.clone().unwrap_or_default();
    if urls.len() > 1 {
        return Err(unprocessable("media_urls: at most one media URL is allowed"));
    }
    if text.is_none() && urls.is_empty() {
        return Err(unprocessable("give text, media_urls or both"));
    }
    if req.send_style.as_ref().is_some_and(|st| !st.is_known()) {
        return Err(unprocessable("send_style is not a known expressive style"));
    }
    let scope = Scope::of(ctx);
    let conversation = match (&req.to, &req.conversation_id) {
        (Some(_), Some(_)) => return Err(unprocessable("give either to or conversation_id, not both")),
        (None, None) => return Err(unprocessable("give either to or conversation_id")),
        (None, Some(cid)) => {
            let c = visible_conversation(s, &scope, cid)?;
            require_enabled(s, &c.agent_identity_id)?;
            c.clone()
        }
        (Some(to), None) => {
            validate::e164("to", to).map_err(|e| unprocessable(&e.to_string()))?;
            let identity_id = scope
                .identity_id
                .clone()
                .ok_or_else(|| unprocessable("agent_identity_id is required when an org-wide key sends by 'to'"))?;
            let identity = s
                .identity_by_id(&identity_id)
                .filter(|i| i.organization_id == scope.org_id)
                .ok_or_else(|| Reply::not_found("Identity"))?;
            require_enabled(s, &identity.id)?;
            let mut mine: Vec<&AssignmentRec> = s
                .imessage
                .assignments
                .iter()
                .filter(|a| a.assignment.agent_identity_id == identity.id && &a.assignment.remote_number == to)
                .collect();
            mine.sort_by_key(|a| std::cmp::Reverse((assignment_active(s, &a.assignment.id), a.seq)));
            let Some(a) = mine.first() else {
                let cmd = connect_command(&identity.agent_handle);
                return Err(Reply::detail(
                    404,
                    &format!(
                        "{to} has never connected to @{}: ask them to text '{cmd}' to {}",
                        identity.agent_handle,
                        s.imessage.triage()
                    ),
                ));
            };
            s.imessage
                .conversations
                .iter()
                .find(|c| c.assignment_id == a.assignment.id)
                .cloned()
                .ok_or_else(|| Reply::not_found("Conversation"))?
        }
    };
    let identity = s.identity_by_id(&conversation.agent_identity_id).ok_or_else(|| Reply::not_found("Identity"))?;
    let remote = conversation.remote_number.clone();
    if let Some((matched, reason)) = blocked_by(s, identity, &remote) {
        return Err(blocked_reply(matched, &remote, &reason));
    }
    if !assignment_active(s, &conversation.assignment_id) {
        return Err(Reply::detail(409, &format!("{remote} has disconnected; the conversation is released")));
    }
    let messaged_first = s.imessage.messages.iter().any(|m| {
        m.message.conversation_id == conversation.id
            && m.message.direction == IMessageDirection::Inbound
            && !m.message.is_blocked
    });
    if !messaged_first {
        return Err(Reply::detail(409, &format!("{remote} has not messaged first")));
    }
    let identity_id = identity.id.clone();
    let window_start = ctx.clock.now_ms.saturating_sub(WINDOW_MS);
    let mut recent: Vec<i64> = s
        .imessage
        .messages
        .iter()
        .filter(|m| m.agent_identity_id == identity_id && m.message.direction == IMessageDirection::Outbound)
        .map(|m| m.message.created_at.unix_millis())
        .filter(|t| *t > window_start)
        .collect();
    if recent.len() >= SEND_LIMIT {
        recent.sort_unstable();
        let oldest = recent.first().copied().unwrap_or(ctx.clock.now_ms);
        let wait_ms = oldest.saturating_add(WINDOW_MS).saturating_sub(ctx.clock.now_ms).max(0);
        let retry = (wait_ms + 999) / 1000;
        return Err(Reply::detail(
            429,
            &format!("iMessage send limit reached: {SEND_LIMIT} per identity per rolling 24 hours"),
        )
        .with_header("Retry-After", &retry.max(1).to_string()));
    }
    let media = media_items(s, &urls)?;
    let now = ctx.clock.timestamp();
    let sent = IMessage {
        id: uuid4(),
        conversation_id: conversation.id.clone(),
        assignment_id: Some(conversation.assignment_id.clone()),
        direction: IMessageDirection::Outbound,
        remote_number: Some(remote.clone()),
        content: text,
        message_type: IMessageType::Message,
        service: IMessageService::Imessage,
        send_style: req.send_style,
        media,
        was_downgraded: Some(false),
        status: Some(IMessageDeliveryStatus::Sent),
        error_code: None,
        error_message: None,
        error_reason: None,
        error_detail: None,
        is_read: true,
        is_blocked: false,
        recipients: Some(vec![IMessageRecipient {
            remote_number: remote,
            delivery_status: Some(IMessageDeliveryStatus::Sent),
            service: Some(IMessageService::Imessage),
            error_code: None,
            error_message: None,
            error_reason: None,
            error_detail: None,
            sent_at: Some(now),
            delivered_at: None,
            failed_at: None,
        }]),
        reactions: Some(Vec::new()),
        created_at: now,
        updated_at: now,
    };
    // Delivered right away; the response shows the row as it was when sent.
    let mut delivered = sent.clone();
    delivered.status = Some(IMessageDeliveryStatus::Delivered);
    if let Some(r) = delivered.recipients.as_mut().and_then(|r| r.first_mut()) {
        r.delivery_status = Some(IMessageDeliveryStatus::Delivered);
        r.delivered_at = Some(now);
    }
    let seq = s.imessage.seq();
    s.imessage.messages.push(MessageRec {
        seq,
        agent_identity_id: identity_id.clone(),
        organization_id: conversation.organization_id.clone(),
        message: delivered.clone(),
    });
    touch_conversation(s, &conversation.id, now);
    emit(s, &identity_id, "imessage.sent", Some(sent.clone()), None, now);
    emit(s, &identity_id, "imessage.delivered", Some(delivered), None, now);
    Ok(Reply::json(200, json!({ "message": sent })))
}

fn touch_conversation(s: &mut State, id: &str, now: Timestamp) {
    if let Some(c) = s.imessage.conversations.iter_mut().find(|c| c.id == id) {
        c.updated_at = now;
    }
}

// ----------------------------------------------------------------- lists

fn list_messages(s: &mut State, ctx: &Ctx) -> R {
    let (limit, offset) = (ctx.limit(DEFAULT_LIMIT, MAX_LIMIT)?, ctx.offset()?);
    let scope = Scope::of(ctx);
    let conversation = ctx.query("conversation_id").map(str::to_ascii_lowercase);
    let is_read = bool_query(ctx, "is_read")?;
    let is_blocked = bool_query(ctx, "is_blocked")?;
    let mut rows: Vec<&MessageRec> = s
        .imessage
        .messages
        .iter()
        .filter(|m| scope.sees_message(m))
        .filter(|m| conversation.as_ref().is_none_or(|c| &m.message.conversation_id == c))
        .filter(|m| is_read.is_none_or(|r| m.message.is_read == r))
        .filter(|m| is_blocked.is_none_or(|b| m.message.is_blocked == b))
        .collect();
    rows.sort_by_key(|m| std::cmp::Reverse((m.message.created_at, m.seq)));
    let page: Vec<IMessage> =
        rows.into_iter().skip(offset).take(limit).map(|m| message_view(s, m, !scope.agent)).collect();
    Ok(Reply::model(200, &page))
}

fn list_assignments(s: &mut State, ctx: &Ctx) -> R {
    let (limit, offset) = (ctx.limit(DEFAULT_LIMIT, MAX_LIMIT)?, ctx.offset()?);
    let scope = Scope::of(ctx);
    let mut rows: Vec<(u64, IMessageAssignment)> = s
        .imessage
        .assignments
        .iter()
        .filter(|a| scope.owns(&a.assignment.organization_id, &a.assignment.agent_identity_id))
        .map(|a| (a.seq, assignment_view(s, &a.assignment)))
        .filter(|(_, a)| a.status == IMessageAssignmentStatus::Active)
        .collect();
    rows.sort_by_key(|(seq, a)| std::cmp::Reverse((a.created_at, *seq)));
    let page: Vec<IMessageAssignment> = rows.into_iter().skip(offset).take(limit).map(|(_, a)| a).collect();
    Ok(Reply::model(200, &page))
}

fn list_conversations(s: &mut State, ctx: &Ctx) -> R {
    let (limit, offset) = (ctx.limit(DEFAULT_LIMIT, MAX_LIMIT)?, ctx.offset()?);
    let scope = Scope::of(ctx);
    let is_blocked = bool_query(ctx, "is_blocked")?;
    let mut rows: Vec<(Timestamp, u64, IMessageConversationSummary)> = Vec::new();
    for c in s.imessage.conversations.iter().filter(|c| scope.owns(&c.organization_id, &c.agent_identity_id)) {
        let mut msgs: Vec<&MessageRec> = s
            .imessage
            .messages
            .iter()
            .filter(|m| m.message.conversation_id == c.id && scope.sees_message(m))
            .filter(|m| is_blocked.is_none_or(|b| m.message.is_blocked == b))
            .collect();
        if msgs.is_empty() && (scope.agent || is_blocked.is_some()) {
            continue;
        }
        msgs.sort_by_key(|m| (m.message.created_at, m.seq));
        let latest = msgs.last().map(|m| &m.message);
        let base = conversation_model(s, c);
        let summary = IMessageConversationSummary {
            id: base.id,
            assignment_id: base.assignment_id,
            assignment_status: base.assignment_status,
            remote_number: base.remote_number,
            created_at: base.created_at,
            updated_at: base.updated_at,
            latest_text: latest.and_then(|m| m.content.clone()),
            latest_message_at: latest.map(|m| m.created_at),
            latest_direction: latest.map(|m| m.direction.clone()),
            latest_has_media: latest.is_some_and(|m| m.media.as_ref().is_some_and(|v| !v.is_empty())),
            unread_count: msgs.iter().filter(|m| !m.message.is_read).count() as u64,
            total_count: msgs.len() as u64,
        };
        rows.push((latest.map_or(c.created_at, |m| m.created_at), c.seq, summary));
    }
    rows.sort_by_key(|(at, seq, _)| std::cmp::Reverse((*at, *seq)));
    let page: Vec<IMessageConversationSummary> = rows.into_iter().skip(offset).take(limit).map(|r| r.2).collect();
    Ok(Reply::model(200, &page))
}

fn get_conversation(s: &mut State, ctx: &Ctx) -> R {
    let scope = Scope::of(ctx);
    let c = visible_conversation(s, &scope, ctx.param(0))?;
    Ok(Reply::model(200, &conversation_model(s, c)))
}

// ------------------------------------------------- reactions, read, typing

fn send_reaction(s: &mut State, ctx: &Ctx) -> R {
    let req: SendIMessageReactionRequest = ctx.parse()?;
    match &req.reaction {
        IMessageReactionType::Custom => {
            return Err(unprocessable("custom reactions are inbound-only; send one of the classic six"));
        }
        IMessageReactionType::Unknown(v) => {
            return Err(unprocessable(&format!(
                "reaction '{v}' is not one of love, like, dislike, laugh, emphasize, question"
            )));
        }
        _ => {}
    }
    let scope = Scope::of(ctx);
    let message_id = req.message_id.trim().to_ascii_lowercase();
    let target = s
        .imessage
        .messages
        .iter()
        .find(|m| m.message.id == message_id && scope.sees_message(m))
        .ok_or_else(|| Reply::not_found("Message"))?
        .clone();
    let conversation = s
        .imessage
        .conversation(&target.message.conversation_id)
        .cloned()
        .ok_or_else(|| Reply::not_found("Conversation"))?;
    require_enabled(s, &conversation.agent_identity_id)?;
    let identity = s.identity_by_id(&conversation.agent_identity_id).ok_or_else(|| Reply::not_found("Identity"))?;
    let remote = conversation.remote_number.clone();
    if let Some((matched, reason)) = blocked_by(s, identity, &remote) {
        return Err(blocked_reply(matched, &remote, &reason));
    }
    if !assignment_active(s, &conversation.assignment_id) {
        return Err(Reply::detail(409, &format!("{remote} has disconnected; the conversation is released")));
    }
    let now = ctx.clock.timestamp();
    let reaction = IMessageReaction {
        id: uuid4(),
        conversation_id: conversation.id.clone(),
        assignment_id: Some(conversation.assignment_id.clone()),
        target_message_id: target.message.id.clone(),
        direction: IMessageDirection::Outbound,
        reaction: req.reaction,
        custom_emoji: None,
        remote_number: remote,
        part_index: req.part_index,
        created_at: now,
        updated_at: now,
    };
    store_reaction(s, &reaction, false);
    Ok(Reply::model(200, &reaction))
}

/// Stores a tapback, replacing the same sender's live one on that message part.
fn store_reaction(s: &mut State, reaction: &IMessageReaction, blocked: bool) {
    s.imessage.reactions.retain(|r| {
        !(r.reaction.target_message_id == reaction.target_message_id
            && r.reaction.part_index == reaction.part_index
            && r.reaction.direction == reaction.direction)
    });
    let seq = s.imessage.seq();
    s.imessage.reactions.push(ReactionRec { seq, blocked, reaction: reaction.clone() });
    let now = reaction.created_at;
    if let Some(m) = s.imessage.messages.iter_mut().find(|m| m.message.id == reaction.target_message_id) {
        m.message.updated_at = now;
    }
}

fn mark_read(s: &mut State, ctx: &Ctx) -> R {
    let req: IMessageConversationRequest = ctx.parse()?;
    let scope = Scope::of(ctx);
    let c = visible_conversation(s, &scope, &req.conversation_id)?.clone();
    require_enabled(s, &c.agent_identity_id)?;
    let now = ctx.clock.timestamp();
    let mut updated = 0u64;
    for m in s.imessage.messages.iter_mut().filter(|m| m.message.conversation_id == c.id) {
        if m.message.direction == IMessageDirection::Inbound && !m.message.is_read && !m.message.is_blocked {
            m.message.is_read = true;
            m.message.updated_at = now;
            updated += 1;
        }
    }
    s.imessage.log(json!({
        "type": "read_receipt", "agent_identity_id": c.agent_identity_id, "conversation_id": c.id,
        "at": now.to_rfc3339(), "updated_count": updated,
    }));
    Ok(Reply::model(200, &IMessageMarkReadResult { conversation_id: c.id, updated_count: updated }))
}

fn typing(s: &mut State, ctx: &Ctx) -> R {
    let req: IMessageConversationRequest = ctx.parse()?;
    let scope = Scope::of(ctx);
    let c = visible_conversation(s, &scope, &req.conversation_id)?.clone();
    require_enabled(s, &c.agent_identity_id)?;
    if !assignment_active(s, &c.assignment_id) {
        return Err(Reply::detail(409, &format!("{} has disconnected; the conversation is released", c.remote_number)));
    }
    let now = ctx.clock.timestamp();
    s.imessage.log(json!({
        "type": "typing", "agent_identity_id": c.agent_identity_id, "conversation_id": c.id, "at": now.to_rfc3339(),
    }));
    Ok(Reply::empty(204))
}

// ----------------------------------------------------------------- media

fn find_bytes(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// A `Content-Disposition`/`Content-Type` parameter value (`name="x"`).
fn header_param(line: &str, key: &str) -> Option<String> {
    let pat = format!("{key}=\"");
    let start = line.find(&pat)? + pat.len();
    let rest = line.get(start..)?;
    rest.find('"').and_then(|end| rest.get(..end)).map(String::from)
}

/// The part named `file` of a multipart body: `(filename, content_type, bytes)`.
/// The boundary is taken from the body's first line.
fn multipart_file(body: &[u8]) -> Result<(String, Option<String>, Vec<u8>), Reply> {
    let bad = || unprocessable("expected a multipart/form-data body with one part named 'file'");
    let first_end = find_bytes(body, b"\r\n", 0).ok_or_else(bad)?;
    let delimiter = body.get(..first_end).ok_or_else(bad)?;
    if !delimiter.starts_with(b"--") || delimiter.len() < 3 {
        return Err(bad());
    }
    let mut next_delim = Vec::with_capacity(delimiter.len() + 2);
    next_delim.extend_from_slice(b"\r\n");
    next_delim.extend_from_slice(delimiter);
    let mut pos = first_end + 2;
    loop {
        let head_end = find_bytes(body, b"\r\n\r\n", pos).ok_or_else(bad)?;
        let head = String::from_utf8_lossy(body.get(pos..head_end).ok_or_else(bad)?).into_owned();
        let content_start = head_end + 4;
        let content_end = find_bytes(body, &next_delim, content_start).ok_or_else(bad)?;
        let mut name = None;
        let mut filename = None;
        let mut ctype = None;
        for line in head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                name = header_param(line, "name");
                filename = header_param(line, "filename");
            } else if lower.starts_with("content-type:") {
                ctype = line.get("content-type:".len()..).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            }
        }
        if name.as_deref() == Some("file") {
            let content = body.get(content_start..content_end).ok_or_else(bad)?.to_vec();
            let filename =
                filename.filter(|f| !f.is_empty()).ok_or_else(|| unprocessable("the file part needs a filename"))?;
            return Ok((filename, ctype, content));
        }
        pos = content_end + next_delim.len();
        // `--` after the delimiter closes the body.
        if body.get(pos..pos + 2) == Some(b"--") {
            return Err(bad());
        }
        pos += 2;
    }
}

fn upload_media(s: &mut State, ctx: &Ctx) -> R {
    let (filename, ctype, content) = multipart_file(&ctx.body)?;
    if content.len() > MAX_MEDIA_BYTES {
        return Err(Reply::detail(413, "media must be at most 10 MiB"));
    }
    if let Caller::Agent { identity_id, .. } = &ctx.caller {
        require_enabled(s, identity_id)?;
    }
    let content_type = ctype.unwrap_or_else(|| "application/octet-stream".to_owned());
    let token = random_hex(16);
    let size = content.len() as u64;
    s.imessage.media.push(MediaRec {
        token: token.clone(),
        organization_id: ctx.caller.org_id().unwrap_or_default().to_owned(),
        filename,
        content_type: content_type.clone(),
        size,
        content_base64: inkbox_core::vault::base64::encode_to_string(&content),
        created_at: ctx.clock.timestamp(),
    });
    let url = format!("{}{MEDIA_PREFIX}{token}", ctx.base_url);
    Ok(Reply::model(200, &IMessageMediaUpload { media_url: url, content_type: Some(content_type), size: Some(size) }))
}

/// `GET /_emulator/imessage/media/{token}` (no API key): the uploaded bytes.
pub(crate) fn serve_media(s: &State, token: &str) -> Reply {
    let m = s.imessage.media.iter().find(|m| m.token == token);
    match m.and_then(|m| base64_decode(&m.content_base64).map(|b| (b, m.content_type.clone()))) {
        Some((bytes, ctype)) => Reply::bytes(200, bytes, &ctype),
        None => Reply::detail(404, "Media not found"),
    }
}

// --------------------------------------------------------- contact rules

fn rule_filters(ctx: &Ctx) -> Result<(Option<RuleAction>, Option<IMessageRuleMatchType>), Reply> {
    let action = match ctx.query("action") {
        None => None,
        Some(a) => match RuleAction::from_wire(a) {
            RuleAction::Unknown(_) => return Err(unprocessable("action must be 'allow' or 'block'")),
            known => Some(known),
        },
    };
    let match_type = match ctx.query("match_type") {
        None => None,
        Some(m) => match IMessageRuleMatchType::from_wire(m) {
            IMessageRuleMatchType::Unknown(_) => return Err(unprocessable("match_type must be 'exact_number'")),
            known => Some(known),
        },
    };
    Ok((action, match_type))
}

fn rules_page(s: &State, ctx: &Ctx, keep: impl Fn(&RuleRec) -> bool) -> R {
    let (action, match_type) = rule_filters(ctx)?;
    let (limit, offset) = (ctx.limit(DEFAULT_LIMIT, MAX_LIMIT)?, ctx.offset()?);
    let mut rows: Vec<&RuleRec> = s
        .imessage
        .rules
        .iter()
        .filter(|r| keep(r))
        .filter(|r| action.as_ref().is_none_or(|a| &r.rule.action == a))
        .filter(|r| match_type.as_ref().is_none_or(|m| &r.rule.match_type == m))
        .collect();
    rows.sort_by_key(|r| (r.rule.created_at, r.seq));
    let page: Vec<&IMessageContactRule> = rows.into_iter().skip(offset).take(limit).map(|r| &r.rule).collect();
    Ok(Reply::model(200, &page))
}

fn list_rules(s: &mut State, ctx: &Ctx) -> R {
    let id = visible_identity(s, ctx)?.id.clone();
    rules_page(s, ctx, |r| r.rule.agent_identity_id == id)
}

fn rule_index(s: &State, identity_id: &str, rule_id: &str) -> Result<usize, Reply> {
    let rule_id = rule_id.to_ascii_lowercase();
    s.imessage
        .rules
        .iter()
        .position(|r| r.rule.agent_identity_id == identity_id && r.rule.id == rule_id)
        .ok_or_else(|| Reply::not_found("Contact rule"))
}

fn get_rule(s: &mut State, ctx: &Ctx) -> R {
    let id = visible_identity(s, ctx)?.id.clone();
    let i = rule_index(s, &id, ctx.param(1))?;
    let r = s.imessage.rules.get(i).ok_or_else(|| Reply::not_found("Contact rule"))?;
    Ok(Reply::model(200, &r.rule))
}

fn create_rule(s: &mut State, ctx: &Ctx) -> R {
    let identity_id = own_identity(s, ctx)?;
    let req: CreateIMessageContactRuleRequest = ctx.parse()?;
    if !req.action.is_known() {
        return Err(unprocessable("action must be 'allow' or 'block'"));
    }
    if !req.match_type.is_known() {
        return Err(unprocessable("match_type must be 'exact_number'"));
    }
    let target = req.match_target.trim().to_owned();
    validate::e164("match_target", &target).map_err(|e| unprocessable(&e.to_string()))?;
    if let Some(existing) = s.imessage.rules.iter().find(|r| {
        r.rule.agent_identity_id == identity_id && r.rule.match_type == req.match_type && r.rule.match_target == target
    }) {
        return Err(Reply::json(
            409,
            json!({ "detail": {
                "existing_rule_id": existing.rule.id,
                "message": format!("A contact rule for {target} already exists on this identity"),
            }}),
        ));
    }
    let org_id = s.identity_by_id(&identity_id).map(|i| i.organization_id.clone()).unwrap_or_default();
    let now = ctx.clock.timestamp();
    let rule = IMessageContactRule {
        id: uuid4(),
        agent_identity_id: identity_id,
        action: req.action,
        match_type: req.match_type,
        match_target: target,
        status: IMessageRuleStatus::Active,
        created_at: now,
        updated_at: now,
    };
    let seq = s.imessage.seq();
    s.imessage.rules.push(RuleRec { seq, organization_id: org_id, rule: rule.clone() });
    Ok(Reply::model(201, &rule))
}

fn update_rule(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let id = visible_identity(s, ctx)?.id.clone();
    let i = rule_index(s, &id, ctx.param(1))?;
    let req: UpdateIMessageContactRuleRequest = ctx.parse()?;
    if req.action.as_ref().is_some_and(|a| !a.is_known()) {
        return Err(unprocessable("action must be 'allow' or 'block'"));
    }
    if req.status.as_ref().is_some_and(|st| !st.is_known()) {
        return Err(unprocessable("status must be 'active' or 'paused'"));
    }
    let now = ctx.clock.timestamp();
    let r = s.imessage.rules.get_mut(i).ok_or_else(|| Reply::not_found("Contact rule"))?;
    if let Some(a) = req.action {
        r.rule.action = a;
        r.rule.updated_at = now;
    }
    if let Some(st) = req.status {
        r.rule.status = st;
        r.rule.updated_at = now;
    }
    Ok(Reply::model(200, &r.rule))
}

fn delete_rule(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let id = visible_identity(s, ctx)?.id.clone();
    let i = rule_index(s, &id, ctx.param(1))?;
    s.imessage.rules.remove(i);
    Ok(Reply::empty(204))
}

fn list_org_rules(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let org = ctx.caller.org_id().unwrap_or_default().to_owned();
    let identity = ctx.query("agent_identity_id").map(str::to_ascii_lowercase);
    rules_page(s, ctx, |r| r.organization_id == org && identity.as_ref().is_none_or(|i| &r.rule.agent_identity_id == i))
}

// ----------------------------------------------------------- control API

/// Handles a control-API route (`/_emulator/…`, admin key already checked)
/// if it belongs to this module. Called without the state lock held: use
/// [`App::read`] / [`App::mutate`].
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    let r = match (method, path) {
        (Method::Post, "/_emulator/imessage/inbound") => {
            app.mutate(|s, clock| inbound(s, clock, ctx)).map(|m| Reply::model(201, &m))
        }
        (Method::Post, "/_emulator/imessage/reactions") => {
            app.mutate(|s, clock| inbound_reaction(s, clock, ctx)).map(|r| Reply::model(201, &r))
        }
        (Method::Post, "/_emulator/imessage/disconnect") => {
            app.mutate(|s, clock| disconnect(s, clock, ctx)).map(|a| Reply::model(200, &a))
        }
        (Method::Post, "/_emulator/imessage/delivery") => {
            app.mutate(|s, clock| delivery(s, clock, ctx)).map(|m| Reply::model(200, &m))
        }
        (Method::Get, "/_emulator/imessage/triage") => Ok(app.read(|s, _| triage_json(s))),
        (Method::Post, "/_emulator/imessage/triage") => app.mutate(|s, _| set_triage(s, ctx)),
        (Method::Get, "/_emulator/imessage/events") => {
            Ok(app.read(|s, _| Reply::json(200, Value::Array(s.imessage.log.to_vec()))))
        }
        (
            _,
            "/_emulator/imessage/inbound"
            | "/_emulator/imessage/reactions"
            | "/_emulator/imessage/disconnect"
            | "/_emulator/imessage/delivery"
            | "/_emulator/imessage/triage"
            | "/_emulator/imessage/events",
        ) => Err(Reply::detail(405, "Method Not Allowed")),
        _ => return None,
    };
    Some(r.unwrap_or_else(|e| e))
}

fn triage_json(s: &State) -> Reply {
    Reply::json(200, json!({ "number": s.imessage.triage(), "active": !s.imessage.triage_inactive }))
}

/// `{"number"?: E.164, "active"?: bool}`.
fn set_triage(s: &mut State, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    if let Some(n) = v.get("number") {
        let n = n.as_str().ok_or_else(|| unprocessable("number must be an E.164 string"))?;
        validate::e164("number", n).map_err(|e| unprocessable(&e.to_string()))?;
        s.imessage.triage_number = Some(n.to_owned());
    }
    if let Some(a) = v.get("active") {
        s.imessage.triage_inactive = !a.as_bool().ok_or_else(|| unprocessable("active must be a boolean"))?;
    }
    Ok(triage_json(s))
}

/// A human's iMessage address: E.164 or an email-style Apple ID.
fn human_handle(v: &Value, key: &'static str) -> Result<String, Reply> {
    let raw = v
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .ok_or_else(|| unprocessable(&format!("{key} is required")))?;
    if validate::e164(key, raw).is_ok() {
        return Ok(raw.to_owned());
    }
    let email = raw.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !raw.chars().any(char::is_whitespace);
    if email {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(unprocessable(&format!("{key} must be an E.164 number or an email address")))
    }
}

/// `connect @handle` (case-insensitive, `@` optional) → the handle.
fn connect_target(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let verb = words.next()?;
    let handle = words.next()?;
    (verb.eq_ignore_ascii_case("connect") && words.next().is_none()).then(|| validate::normalize_handle(handle))
}

fn latest_assignment<'s>(s: &'s State, remote: &str, identity_id: Option<&str>) -> Option<&'s AssignmentRec> {
    s.imessage
        .assignments
        .iter()
        .filter(|a| a.assignment.remote_number == remote)
        .filter(|a| identity_id.is_none_or(|i| a.assignment.agent_identity_id == i))
        .filter(|a| assignment_active(s, &a.assignment.id))
        .max_by_key(|a| a.seq)
}

/// `POST /_emulator/imessage/inbound` with `{"from", "to"?, "text"?, "media_urls"?}`.
///
/// To the triage number (`to` absent, `"triage"` or the router number):
/// `connect @handle` connects the sender to that iMessage-enabled identity
/// (new assignment and conversation unless already connected) and is stored
/// as the conversation's first message; other texts go to the sender's most
/// recent active assignment. To an identity handle: into that connection.
fn inbound(s: &mut State, clock: Clock, ctx: &Ctx) -> Result<IMessage, Reply> {
    let v = ctx.json()?;
    let from = human_handle(&v, "from")?;
    let text = match v.get("text") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.clone()).filter(|t| !t.is_empty()),
        Some(_) => return Err(unprocessable("text must be a string")),
    };
    let urls: Vec<String> = match v.get("media_urls") {
        None | Some(Value::Null) => Vec::new(),
        Some(u) => {
            serde_json::from_value(u.clone()).map_err(|_| unprocessable("media_urls must be a list of strings"))?
        }
    };
    if text.is_none() && urls.is_empty() {
        return Err(unprocessable("give text, media_urls or both"));
    }
    let to = match v.get("to") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.trim().to_owned()),
        Some(_) => return Err(unprocessable("to must be a string")),
    };
    let triage = s.imessage.triage().to_owned();
    let to_triage = to.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("triage") || t == triage);
    let now = clock.timestamp();
    let assignment_id = if to_triage {
        if s.imessage.triage_inactive {
            return Err(Reply::detail(404, "No iMessage triage line is active"));
        }
        match text.as_deref().and_then(connect_target) {
            Some(handle) => connect(s, &from, &handle, now)?,
            None => latest_assignment(s, &from, None).map(|a| a.assignment.id.clone()).ok_or_else(|| {
                Reply::detail(
                    404,
                    &format!("{from} is not connected to any identity: text 'connect @<handle>' to {triage}"),
                )
            })?,
        }
    } else {
        let handle = validate::normalize_handle(to.as_deref().unwrap_or_default());
        let identity = s.identity_by_handle(&handle).ok_or_else(|| Reply::not_found("Identity"))?;
        let identity_id = identity.id.clone();
        match latest_assignment(s, &from, Some(&identity_id)) {
            Some(a) => a.assignment.id.clone(),
            None => {
                let ever = s
                    .imessage
                    .assignments
                    .iter()
                    .any(|a| a.assignment.remote_number == from && a.assignment.agent_identity_id == identity_id);
                return Err(if ever {
                    Reply::detail(409, &format!("{from} is no longer connected to @{handle}"))
                } else {
                    Reply::detail(404, &format!("{from} has never connected to @{handle}"))
                });
            }
        }
    };
    let conversation = s
        .imessage
        .conversations
        .iter()
        .find(|c| c.assignment_id == assignment_id)
        .cloned()
        .ok_or_else(|| Reply::not_found("Conversation"))?;
    let identity = s.identity_by_id(&conversation.agent_identity_id).ok_or_else(|| Reply::not_found("Identity"))?;
    let blocked = blocked_by(s, identity, &from).is_some();
    let message = IMessage {
        id: uuid4(),
        conversation_id: conversation.id.clone(),
        assignment_id: Some(assignment_id),
        direction: IMessageDirection::Inbound,
        remote_number: Some(from),
        content: text,
        message_type: IMessageType::Message,
        service: IMessageService::Imessage,
        send_style: None,
        media: media_items(s, &urls)?,
        was_downgraded: Some(false),
        status: Some(IMessageDeliveryStatus::Received),
        error_code: None,
        error_message: None,
        error_reason: None,
        error_detail: None,
        is_read: false,
        is_blocked: blocked,
        recipients: None,
        reactions: Some(Vec::new()),
        created_at: now,
        updated_at: now,
    };
    let seq = s.imessage.seq();
    s.imessage.messages.push(MessageRec {
        seq,
        agent_identity_id: conversation.agent_identity_id.clone(),
        organization_id: conversation.organization_id.clone(),
        message: message.clone(),
    });
    touch_conversation(s, &conversation.id, now);
    if !blocked {
        emit(s, &conversation.agent_identity_id, "imessage.received", Some(message.clone()), None, now);
    }
    Ok(message)
}

/// Connects `from` to the identity `handle` (or finds the live connection).
fn connect(s: &mut State, from: &str, handle: &str, now: Timestamp) -> Result<String, Reply> {
    let identity = s
        .identity_by_handle(handle)
        .filter(|i| i.imessage_enabled)
        .ok_or_else(|| Reply::detail(404, &format!("No iMessage-enabled identity '@{handle}'")))?;
    let (identity_id, org_id) = (identity.id.clone(), identity.organization_id.clone());
    if let Some(a) = latest_assignment(s, from, Some(&identity_id)) {
        return Ok(a.assignment.id.clone());
    }
    let assignment = IMessageAssignment {
        id: uuid4(),
        remote_number: from.to_owned(),
        agent_identity_id: identity_id.clone(),
        organization_id: org_id.clone(),
        status: IMessageAssignmentStatus::Active,
        released_at: None,
        created_at: now,
        updated_at: now,
    };
    let id = assignment.id.clone();
    let seq = s.imessage.seq();
    s.imessage.assignments.push(AssignmentRec { seq, assignment });
    let seq = s.imessage.seq();
    s.imessage.conversations.push(ConversationRec {
        seq,
        id: uuid4(),
        assignment_id: id.clone(),
        agent_identity_id: identity_id,
        organization_id: org_id,
        remote_number: from.to_owned(),
        created_at: now,
        updated_at: now,
    });
    Ok(id)
}

/// `POST /_emulator/imessage/reactions` with
/// `{"message_id", "reaction", "custom_emoji"?, "part_index"?, "from"?}`.
fn inbound_reaction(s: &mut State, clock: Clock, ctx: &Ctx) -> Result<IMessageReaction, Reply> {
    let v = ctx.json()?;
    let message_id = v
        .get("message_id")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| unprocessable("message_id is required"))?;
    let kind = v
        .get("reaction")
        .and_then(Value::as_str)
        .map(IMessageReactionType::from_wire)
        .ok_or_else(|| unprocessable("reaction is required"))?;
    if !kind.is_known() {
        return Err(unprocessable("reaction must be love, like, dislike, laugh, emphasize, question or custom"));
    }
    let emoji = v.get("custom_emoji").and_then(Value::as_str).map(String::from).filter(|e| !e.is_empty());
    let custom_emoji = match (&kind, emoji) {
        (IMessageReactionType::Custom, Some(e)) => Some(e),
        (IMessageReactionType::Custom, None) => return Err(unprocessable("a custom reaction needs custom_emoji")),
        (_, Some(_)) => return Err(unprocessable("custom_emoji is only for reaction 'custom'")),
        (_, None) => None,
    };
    let part_index = match v.get("part_index") {
        None | Some(Value::Null) => 0,
        Some(p) => p
            .as_u64()
            .and_then(|p| u32::try_from(p).ok())
            .ok_or_else(|| unprocessable("part_index must be a non-negative integer"))?,
    };
    let target = s
        .imessage
        .messages
        .iter()
        .find(|m| m.message.id == message_id)
        .ok_or_else(|| Reply::not_found("Message"))?
        .clone();
    let conversation = s
        .imessage
        .conversation(&target.message.conversation_id)
        .cloned()
        .ok_or_else(|| Reply::not_found("Conversation"))?;
    if v.get("from").is_some() && human_handle(&v, "from")? != conversation.remote_number {
        return Err(unprocessable("from is not the human of this conversation"));
    }
    if !assignment_active(s, &conversation.assignment_id) {
        return Err(Reply::detail(409, "the conversation is released"));
    }
    let identity = s.identity_by_id(&conversation.agent_identity_id).ok_or_else(|| Reply::not_found("Identity"))?;
    let blocked = blocked_by(s, identity, &conversation.remote_number).is_some();
    let now = clock.timestamp();
    let reaction = IMessageReaction {
        id: uuid4(),
        conversation_id: conversation.id.clone(),
        assignment_id: Some(conversation.assignment_id.clone()),
        target_message_id: target.message.id.clone(),
        direction: IMessageDirection::Inbound,
        reaction: kind,
        custom_emoji,
        remote_number: conversation.remote_number.clone(),
        part_index,
        created_at: now,
        updated_at: now,
    };
    store_reaction(s, &reaction, blocked);
    if !blocked {
        emit(s, &conversation.agent_identity_id, "imessage.reaction_received", None, Some(reaction.clone()), now);
    }
    Ok(reaction)
}

/// `POST /_emulator/imessage/disconnect` with `{"from", "handle"?}`: releases
/// the sender's active assignments (to that identity only, if given).
fn disconnect(s: &mut State, clock: Clock, ctx: &Ctx) -> Result<Vec<IMessageAssignment>, Reply> {
    let v = ctx.json()?;
    let from = human_handle(&v, "from")?;
    let identity_id = match v.get("handle").and_then(Value::as_str) {
        None => None,
        Some(h) => Some(
            s.identity_by_handle(&validate::normalize_handle(h))
                .map(|i| i.id.clone())
                .ok_or_else(|| Reply::not_found("Identity"))?,
        ),
    };
    let ids: Vec<String> = s
        .imessage
        .assignments
        .iter()
        .filter(|a| a.assignment.remote_number == from)
        .filter(|a| identity_id.as_deref().is_none_or(|i| a.assignment.agent_identity_id == i))
        .filter(|a| a.assignment.status == IMessageAssignmentStatus::Active)
        .map(|a| a.assignment.id.clone())
        .collect();
    if ids.is_empty() {
        return Err(Reply::detail(404, &format!("{from} has no active assignment to release")));
    }
    let now = clock.timestamp();
    let mut out = Vec::new();
    for a in s.imessage.assignments.iter_mut().filter(|a| ids.contains(&a.assignment.id)) {
        a.assignment.status = IMessageAssignmentStatus::Released;
        a.assignment.released_at = Some(now);
        a.assignment.updated_at = now;
        out.push(a.assignment.clone());
    }
    for c in s.imessage.conversations.iter_mut().filter(|c| ids.contains(&c.assignment_id)) {
        c.updated_at = now;
    }
    Ok(out)
}

/// `POST /_emulator/imessage/delivery` with `{"message_id", "status":
/// "delivered"|"error"|"declined", "error_code"?, "error_message"?}`: sets an
/// outbound message's delivery outcome and raises `imessage.delivered` or
/// `imessage.delivery_failed`.
fn delivery(s: &mut State, clock: Clock, ctx: &Ctx) -> Result<IMessage, Reply> {
    let v = ctx.json()?;
    let message_id = v
        .get("message_id")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| unprocessable("message_id is required"))?;
    let status = match v.get("status").and_then(Value::as_str) {
        Some("delivered") => IMessageDeliveryStatus::Delivered,
        Some("error") => IMessageDeliveryStatus::Error,
        Some("declined") => IMessageDeliveryStatus::Declined,
        _ => return Err(unprocessable("status must be 'delivered', 'error' or 'declined'")),
    };
    let failed = status != IMessageDeliveryStatus::Delivered;
    let code = v.get("error_code").and_then(Value::as_str).map(String::from);
    let msg = v.get("error_message").and_then(Value::as_str).map(String::from);
    let now = clock.timestamp();
    let rec = s
        .imessage
        .messages
        .iter_mut()
        .find(|m| m.message.id == message_id && m.message.direction == IMessageDirection::Outbound)
        .ok_or_else(|| Reply::not_found("Outbound message"))?;
    let m = &mut rec.message;
    m.status = Some(status.clone());
    m.updated_at = now;
    let (code, msg) = if failed {
        (
            code.or_else(|| Some("delivery_failed".into())),
            msg.or_else(|| Some("the message could not be delivered".into())),
        )
    } else {
        (None, None)
    };
    m.error_code = code.clone();
    m.error_message = msg.clone();
    if let Some(r) = m.recipients.as_mut().and_then(|r| r.first_mut()) {
        r.delivery_status = Some(status);
        r.error_code = code;
        r.error_message = msg;
        if failed {
            r.failed_at = Some(now);
            r.delivered_at = None;
        } else {
            r.delivered_at = Some(now);
            r.failed_at = None;
        }
    }
    let out = m.clone();
    let identity_id = rec.agent_identity_id.clone();
    let event = if failed { "imessage.delivery_failed" } else { "imessage.delivered" };
    emit(s, &identity_id, event, Some(out.clone()), None, now);
    Ok(out)
}
