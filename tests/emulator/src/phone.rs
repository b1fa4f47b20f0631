//! Phone: numbers (provision, list, get, update, release), calls (place, list,
//! get) and transcripts (list, search).

use inkbox_core::api::common::{FilterMode, FilterModeChangeNotice, RuleAction};
use inkbox_core::api::patch::Patch;
use inkbox_core::api::phone::{
    self, CallDirection, CallStatus, CreatePhoneNumberRequest, IncomingCallAction, PhoneCall, PhoneCallWithRateLimit,
    PhoneNumber, PhoneNumberStatus, PhoneNumberType, PhoneTranscript, PlaceCallRequest, RateLimitInfo, SmsStatus,
    TranscriptParty, UpdatePhoneNumberRequest,
};
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::validate;
use serde_json::Value;

use crate::app::{Caller, Ctx, Reply, unprocessable};
use crate::handlers::{R, fresh_number};
use crate::state::{CallRec, State};
use crate::util::{Clock, uuid4};

/// 10DLC propagation delay of a new local number.
/// `sms_status` and `sms_ready_at` of a number created now that becomes
/// SMS-ready after `delay_secs` of emulated time.
pub(crate) fn sms_readiness(clock: Clock, delay_secs: u64) -> (SmsStatus, Timestamp) {
    let delay_ms = i64::try_from(delay_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let ready_at = Clock { now_ms: clock.now_ms.saturating_add(delay_ms) }.timestamp();
    (if delay_secs == 0 { SmsStatus::Ready } else { SmsStatus::Pending }, ready_at)
}

/// `POST /_emulator/phone/config`: `{"sms_ready_delay_secs"?, "inline_sms_ready_delay_secs"?}`
/// (whole seconds ≥ 0) → the settings; `GET` reads them.
pub(crate) fn config(s: &mut State, ctx: &Ctx, write: bool) -> Result<Value, Reply> {
    if write {
        let v = ctx.json()?;
        let read = |key: &str| -> Result<Option<u64>, Reply> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(n) => n.as_u64().map(Some).ok_or_else(|| unprocessable(&format!("{key} must be an integer >= 0"))),
            }
        };
        let (a, b) = (read("sms_ready_delay_secs")?, read("inline_sms_ready_delay_secs")?);
        if let Some(a) = a {
            s.phone_config.sms_ready_delay_secs = a;
        }
        if let Some(b) = b {
            s.phone_config.inline_sms_ready_delay_secs = b;
        }
    }
    Ok(serde_json::json!({
        "sms_ready_delay_secs": s.phone_config.sms_ready_delay_secs,
        "inline_sms_ready_delay_secs": s.phone_config.inline_sms_ready_delay_secs,
    }))
}
/// The org's call quota reported by place-call.
const CALLS_LIMIT: i64 = 1000;
/// The org's minute quota reported by place-call.
const MINUTES_LIMIT: i64 = 10_000;

/// The organization of a (bound) number.
pub(crate) fn number_org<'s>(s: &'s State, p: &PhoneNumber) -> Option<&'s str> {
    p.agent_identity_id.as_deref().and_then(|i| s.identity_by_id(i)).map(|i| i.organization_id.as_str())
}

/// Released numbers are gone; identity-scoped keys see only their identity's number.
pub(crate) fn number_visible(s: &State, p: &PhoneNumber, caller: &Caller) -> bool {
    p.status != PhoneNumberStatus::Released
        && match caller {
            Caller::Admin { org_id, .. } => number_org(s, p) == Some(org_id.as_str()),
            Caller::Agent { identity_id, .. } => p.agent_identity_id.as_deref() == Some(identity_id.as_str()),
            Caller::Anonymous => false,
        }
}

/// The number as the API shows it now: `pending` flips to `ready` once the
/// emulated clock passes `sms_ready_at`.
pub(crate) fn view(p: &PhoneNumber, clock: Clock) -> PhoneNumber {
    let mut out = p.clone();
    if out.sms_status == SmsStatus::Pending && out.sms_ready_at.is_some_and(|t| t <= clock.timestamp()) {
        out.sms_status = SmsStatus::Ready;
    }
    out
}

/// The id of the number named by the path's first parameter, if visible.
fn number_id(s: &State, ctx: &Ctx) -> Result<String, Reply> {
    let id = ctx.param(0).to_ascii_lowercase();
    s.phone_numbers
        .iter()
        .find(|p| p.id == id && number_visible(s, p, &ctx.caller))
        .map(|p| p.id.clone())
        .ok_or_else(|| Reply::not_found("Phone number"))
}

fn number_mut<'s>(s: &'s mut State, id: &str) -> Result<&'s mut PhoneNumber, Reply> {
    s.phone_numbers.iter_mut().find(|p| p.id == id).ok_or_else(|| Reply::not_found("Phone number"))
}

/// Releases number `id`: marks it released, unbinds it and clears it from
/// every identity (shared by `phone.numbers.release`,
/// `identities.phone_number.release` and identity deletion).
pub(crate) fn release_number(s: &mut State, id: &str, now: Timestamp) {
    for i in s.identities.iter_mut().filter(|i| i.phone_number_id.as_deref() == Some(id)) {
        i.phone_number_id = None;
        i.updated_at = now;
    }
    if let Some(p) = s.phone_numbers.iter_mut().find(|p| p.id == id) {
        p.status = PhoneNumberStatus::Released;
        p.agent_identity_id = None;
        p.updated_at = now;
    }
}

// --------------------------------------------------------------- numbers

pub(crate) fn create_number(s: &mut State, ctx: &Ctx) -> R {
    let req: CreatePhoneNumberRequest = ctx.parse()?;
    if req.r#type != PhoneNumberType::Local {
        return Err(unprocessable("type: only 'local' numbers can be provisioned (toll_free is retired)"));
    }
    let state = match req.state.as_deref().map(str::trim) {
        None => None,
        Some(st) if st.len() == 2 && st.bytes().all(|b| b.is_ascii_alphabetic()) => Some(st.to_ascii_uppercase()),
        Some(_) => return Err(unprocessable("state must be a two-letter US state code")),
    };
    let handle = validate::normalize_handle(&req.agent_handle);
    let identity = s
        .identity_by_handle(&handle)
        .filter(|i| match &ctx.caller {
            Caller::Admin { org_id, .. } => &i.organization_id == org_id,
            Caller::Agent { identity_id, .. } => &i.id == identity_id,
            Caller::Anonymous => false,
        })
        .ok_or_else(|| Reply::not_found("Identity"))?;
    if identity.phone_number_id.is_some() {
        return Err(Reply::detail(409, &format!("Identity '{handle}' already has a phone number")));
    }
    let identity_id = identity.id.clone();
    let now = ctx.clock.timestamp();
    let (sms_status, ready_at) = sms_readiness(ctx.clock, s.phone_config.sms_ready_delay_secs);
    let number = PhoneNumber {
        id: uuid4(),
        number: fresh_number(s),
        r#type: PhoneNumberType::Local,
        status: PhoneNumberStatus::Active,
        sms_status,
        sms_error_code: None,
        sms_error_detail: None,
        sms_ready_at: Some(ready_at),
        incoming_call_action: IncomingCallAction::AutoReject,
        client_websocket_url: None,
        incoming_call_webhook_url: None,
        filter_mode: FilterMode::Blacklist,
        state,
        agent_identity_id: Some(identity_id.clone()),
        filter_mode_change_notice: None,
        created_at: now,
        updated_at: now,
    };
    if let Some(i) = s.identities.iter_mut().find(|i| i.id == identity_id) {
        i.phone_number_id = Some(number.id.clone());
        i.updated_at = now;
    }
    s.phone_numbers.push(number.clone());
    Ok(Reply::model(201, &view(&number, ctx.clock)))
}

pub(crate) fn list_numbers(s: &mut State, ctx: &Ctx) -> R {
    let list: Vec<PhoneNumber> =
        s.phone_numbers.iter().filter(|p| number_visible(s, p, &ctx.caller)).map(|p| view(p, ctx.clock)).collect();
    Ok(Reply::model(200, &list))
}

pub(crate) fn get_number(s: &mut State, ctx: &Ctx) -> R {
    let id = number_id(s, ctx)?;
    Ok(Reply::model(200, &view(number_mut(s, &id)?, ctx.clock)))
}

pub(crate) fn update_number(s: &mut State, ctx: &Ctx) -> R {
    let id = number_id(s, ctx)?;
    if ctx.json()?.get("incoming_text_webhook_url").is_some() {
        return Err(unprocessable("incoming_text_webhook_url was removed; use webhook subscriptions"));
    }
    let req: UpdatePhoneNumberRequest = ctx.parse()?;
    if req.incoming_call_action.as_ref().is_some_and(|a| !a.is_known()) {
        return Err(unprocessable("incoming_call_action must be 'auto_accept', 'auto_reject' or 'webhook'"));
    }
    if req.filter_mode.is_some() && !ctx.caller.is_admin() {
        return Err(Reply::detail(403, "filter_mode can only be changed with an admin-scoped API key"));
    }
    let mut next = number_mut(s, &id)?.clone();
    next.filter_mode_change_notice = None;
    if let Some(a) = req.incoming_call_action {
        next.incoming_call_action = a;
    }
    match req.client_websocket_url {
        Patch::Keep => {}
        Patch::Clear => next.client_websocket_url = None,
        Patch::Set(u) => next.client_websocket_url = Some(u),
    }
    match req.incoming_call_webhook_url {
        Patch::Keep => {}
        Patch::Clear => next.incoming_call_webhook_url = None,
        Patch::Set(u) => next.incoming_call_webhook_url = Some(u),
    }
    if next.incoming_call_action == IncomingCallAction::AutoAccept && next.client_websocket_url.is_none() {
        return Err(unprocessable("client_websocket_url is required when incoming_call_action is 'auto_accept'"));
    }
    if next.incoming_call_action == IncomingCallAction::Webhook && next.incoming_call_webhook_url.is_none() {
        return Err(unprocessable("incoming_call_webhook_url is required when incoming_call_action is 'webhook'"));
    }
    let mut notice = None;
    if let Some(mode) = req.filter_mode {
        let redundant = match mode {
            FilterMode::Whitelist => RuleAction::Block,
            FilterMode::Blacklist => RuleAction::Allow,
            FilterMode::Unknown(_) => return Err(unprocessable("filter_mode must be 'whitelist' or 'blacklist'")),
        };
        if mode != next.filter_mode {
            let redundant_rule_count = crate::rules::phone_active_count(s, &id, &redundant);
            notice = Some(FilterModeChangeNotice {
                new_filter_mode: mode.clone(),
                redundant_rule_action: redundant,
                redundant_rule_count,
            });
            next.filter_mode = mode;
        }
    }
    next.updated_at = ctx.clock.timestamp();
    let p = number_mut(s, &id)?;
    *p = next;
    let mut out = view(p, ctx.clock);
    out.filter_mode_change_notice = notice;
    Ok(Reply::model(200, &out))
}

pub(crate) fn release(s: &mut State, ctx: &Ctx) -> R {
    let id = number_id(s, ctx)?;
    release_number(s, &id, ctx.clock.timestamp());
    Ok(Reply::empty(204))
}

// ----------------------------------------------------------------- calls

fn call_visible(c: &CallRec, caller: &Caller) -> bool {
    !c.call.is_blocked || caller.is_admin()
}

pub(crate) fn place_call(s: &mut State, ctx: &Ctx) -> R {
    let req: PlaceCallRequest = ctx.parse()?;
    validate::e164("to_number", &req.to_number).map_err(|e| unprocessable(&e.to_string()))?;
    let from = req.from_number.trim().to_ascii_lowercase();
    let number = s
        .phone_numbers
        .iter()
        .find(|p| (p.number == from || p.id == from) && number_visible(s, p, &ctx.caller))
        .ok_or_else(|| Reply::not_found("Phone number"))?;
    if number.status != PhoneNumberStatus::Active {
        return Err(unprocessable("from_number is not an active number"));
    }
    let org = number_org(s, number).unwrap_or_default().to_owned();
    let (number_id, local) = (number.id.clone(), number.number.clone());
    let org_numbers: Vec<String> = s
        .phone_numbers
        .iter()
        .filter(|p| {
            p.agent_identity_id.as_deref().and_then(|i| s.identity_by_id(i)).map(|i| &i.organization_id) == Some(&org)
        })
        .map(|p| p.id.clone())
        .collect();
    let calls_used = s.calls.iter().filter(|c| org_numbers.contains(&c.phone_number_id)).count() as i64 + 1;
    if calls_used > CALLS_LIMIT {
        return Err(Reply::detail(429, "Call limit reached"));
    }
    let now = ctx.clock.timestamp();
    let call = PhoneCall {
        id: uuid4(),
        local_phone_number: local,
        remote_phone_number: req.to_number,
        direction: CallDirection::Outbound,
        status: CallStatus::Initiated,
        client_websocket_url: req.client_websocket_url,
        use_inkbox_tts: None,
        use_inkbox_stt: None,
        hangup_reason: None,
        started_at: None,
        ended_at: None,
        is_blocked: false,
        created_at: now,
        updated_at: now,
    };
    let seq = s.take_seq();
    s.calls.push(CallRec { seq, phone_number_id: number_id, call: call.clone() });
    let rate_limit = RateLimitInfo {
        calls_used,
        calls_remaining: CALLS_LIMIT - calls_used,
        calls_limit: CALLS_LIMIT,
        minutes_used: 0.0,
        minutes_remaining: MINUTES_LIMIT as f64,
        minutes_limit: MINUTES_LIMIT,
    };
    Ok(Reply::model(200, &PhoneCallWithRateLimit { call, rate_limit }))
}

pub(crate) fn list_calls(s: &mut State, ctx: &Ctx) -> R {
    let id = number_id(s, ctx)?;
    let limit = ctx.limit(phone::DEFAULT_LIMIT, phone::MAX_LIMIT)?;
    let offset = ctx.offset()?;
    let blocked = match ctx.query("is_blocked") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(unprocessable("is_blocked must be true or false")),
    };
    let mut rows: Vec<&CallRec> = s
        .calls
        .iter()
        .filter(|c| c.phone_number_id == id && call_visible(c, &ctx.caller))
        .filter(|c| blocked.is_none_or(|b| c.call.is_blocked == b))
        .collect();
    rows.sort_by_key(|c| std::cmp::Reverse((c.call.created_at, c.seq)));
    let page: Vec<&PhoneCall> = rows.into_iter().skip(offset).take(limit).map(|c| &c.call).collect();
    Ok(Reply::model(200, &page))
}

/// The call named by the path's second parameter, on the path's number.
fn call<'s>(s: &'s State, ctx: &Ctx) -> Result<&'s CallRec, Reply> {
    let id = number_id(s, ctx)?;
    let call_id = ctx.param(1).to_ascii_lowercase();
    s.calls
        .iter()
        .find(|c| c.phone_number_id == id && c.call.id == call_id && call_visible(c, &ctx.caller))
        .ok_or_else(|| Reply::not_found("Call"))
}

pub(crate) fn get_call(s: &mut State, ctx: &Ctx) -> R {
    Ok(Reply::model(200, &call(s, ctx)?.call))
}

// ----------------------------------------------------------- transcripts

pub(crate) fn list_transcripts(s: &mut State, ctx: &Ctx) -> R {
    let call_id = call(s, ctx)?.call.id.clone();
    let mut rows: Vec<&PhoneTranscript> = s.transcripts.iter().filter(|t| t.call_id == call_id).collect();
    rows.sort_by_key(|t| t.seq);
    Ok(Reply::model(200, &rows))
}

pub(crate) fn search_transcripts(s: &mut State, ctx: &Ctx) -> R {
    let id = number_id(s, ctx)?;
    let q = ctx.query("q").map(str::trim).filter(|q| !q.is_empty()).ok_or_else(|| unprocessable("q is required"))?;
    let q = q.to_lowercase();
    let party = match ctx.query("party") {
        None => None,
        Some("local") => Some(TranscriptParty::Local),
        Some("remote") => Some(TranscriptParty::Remote),
        Some(_) => return Err(unprocessable("party must be 'local' or 'remote'")),
    };
    let limit = ctx.limit(phone::DEFAULT_LIMIT, phone::MAX_LIMIT)?;
    let calls: Vec<&str> = s
        .calls
        .iter()
        .filter(|c| c.phone_number_id == id && call_visible(c, &ctx.caller))
        .map(|c| c.call.id.as_str())
        .collect();
    let mut hits: Vec<&PhoneTranscript> = s
        .transcripts
        .iter()
        .filter(|t| calls.contains(&t.call_id.as_str()))
        .filter(|t| party.as_ref().is_none_or(|p| &t.party == p))
        .filter(|t| t.text.to_lowercase().contains(&q))
        .collect();
    hits.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.seq)));
    hits.truncate(limit);
    Ok(Reply::model(200, &hits))
}

/// Control API: `POST /_emulator/transcripts` with
/// `{"call_id", "party": "local"|"remote"|"system", "text", "ts_ms"?}` appends a
/// segment (next `seq` of that call) and answers it.
pub(crate) fn inject_transcript(s: &mut State, ctx: &Ctx) -> Result<PhoneTranscript, Reply> {
    let v = ctx.json()?;
    let call_id = v.get("call_id").and_then(Value::as_str).map(str::to_ascii_lowercase);
    let call_id = call_id.ok_or_else(|| unprocessable("call_id is required"))?;
    if !s.calls.iter().any(|c| c.call.id == call_id) {
        return Err(Reply::not_found("Call"));
    }
    let party = match v.get("party").and_then(Value::as_str) {
        Some("local") => TranscriptParty::Local,
        Some("remote") => TranscriptParty::Remote,
        Some("system") => TranscriptParty::System,
        _ => return Err(unprocessable("party must be 'local', 'remote' or 'system'")),
    };
    let text = v.get("text").and_then(Value::as_str).ok_or_else(|| unprocessable("text is required"))?;
    let seq = s.transcripts.iter().filter(|t| t.call_id == call_id).map(|t| t.seq + 1).max().unwrap_or(0);
    let t = PhoneTranscript {
        id: uuid4(),
        call_id,
        seq,
        ts_ms: v.get("ts_ms").and_then(Value::as_i64).unwrap_or(seq * 1000),
        party,
        text: text.to_owned(),
        created_at: ctx.clock.timestamp(),
    };
    s.transcripts.push(t.clone());
    Ok(t)
}
