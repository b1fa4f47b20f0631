//! Agent self-signup: the public signup call and the three calls made with
//! the key it returns (verify, resend, status); verification codes delivered
//! to the outbox; attempts, expiry and resend cooldown on the emulated clock;
//! the send limits of unclaimed agents. AgentPost routes are delegated to
//! [`crate::agentpost`] (its state lives here, in [`SignupState`]).

use inkbox_core::api::common::FilterMode;
use inkbox_core::api::identities::IdentityStatus;
use inkbox_core::api::keys::{ApiKey, ApiKeyStatus, CreatorType};
use inkbox_core::api::mail::SendEmailRequest;
use inkbox_core::api::request::Method;
use inkbox_core::api::signup::{
    AgentClaimResponse, AgentSignupResponse, AgentSignupStatusResponse, ClaimStatus, CreateAgentSignupRequest,
    HumanState, SignupRestrictions, VerifySignupRequest,
};
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::tunnels::TlsMode;
use inkbox_core::api::validate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, Caller, Ctx, Reply, last4, unprocessable};
use crate::handlers::{R, handle_unavailable};
use crate::state::{ApiKeyRec, IdentityRec, MailboxRec, Org, State};
use crate::util::{Clock, random_digits, random_hex, uuid4};

/// Verify attempts per code.
pub(crate) const MAX_ATTEMPTS: u32 = 5;
/// Lifetime of a verification code (48 h).
pub(crate) const CODE_TTL_MS: i64 = 48 * 3600 * 1000;
/// Minimum time between two verification emails (5 min).
pub(crate) const RESEND_COOLDOWN_MS: i64 = 5 * 60 * 1000;
/// Daily send cap while unclaimed.
pub(crate) const UNCLAIMED_SENDS_PER_DAY: u32 = 10;
/// Daily send cap once claimed.
pub(crate) const CLAIMED_SENDS_PER_DAY: u32 = 500;
/// Length of a send-limit window (fixed, starting at its first send).
const SEND_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// Default signup rate limit (per emulated hour, all callers together).
const DEFAULT_SIGNUPS_PER_HOUR: u32 = 100;
const HOUR_MS: i64 = 3600 * 1000;
/// Sender of the verification emails.
const VERIFICATION_FROM: &str = "no-reply@inkbox.ai";

/// One self-signed-up agent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SignupRec {
    pub(crate) identity_id: String,
    pub(crate) human_email: String,
    pub(crate) note_to_human: String,
    pub(crate) claim_status: ClaimStatus,
    pub(crate) human_state: HumanState,
    /// The current code (`None` once claimed).
    pub(crate) code: Option<String>,
    pub(crate) code_expires_ms: i64,
    /// Failed or successful verify attempts against the current code.
    pub(crate) attempts: u32,
    /// When the last verification email went out (signup or resend).
    pub(crate) last_code_sent_ms: i64,
    pub(crate) created_at: Timestamp,
    #[serde(default)]
    pub(crate) claimed_at: Option<Timestamp>,
    /// Start of the current send-limit window.
    #[serde(default)]
    pub(crate) window_start_ms: Option<i64>,
    /// Sends counted in that window.
    #[serde(default)]
    pub(crate) window_sends: u32,
}

impl SignupRec {
    fn max_sends_per_day(&self) -> u32 {
        match self.claim_status {
            ClaimStatus::AgentClaimed => CLAIMED_SENDS_PER_DAY,
            ClaimStatus::AgentUnclaimed => UNCLAIMED_SENDS_PER_DAY,
            _ => 0,
        }
    }

    fn restrictions(&self) -> SignupRestrictions {
        SignupRestrictions {
            max_sends_per_day: i64::from(self.max_sends_per_day()),
            allowed_recipients: if self.claim_status == ClaimStatus::AgentUnclaimed {
                vec![self.human_email.clone()]
            } else {
                Vec::new()
            },
            can_receive: true,
            can_create_mailboxes: false,
        }
    }

    /// Sends counted in the window that is current at `now_ms`.
    fn sends_in_window(&self, now_ms: i64) -> u32 {
        match self.window_start_ms {
            Some(start) if now_ms < start.saturating_add(SEND_WINDOW_MS) => self.window_sends,
            _ => 0,
        }
    }
}

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SignupState {
    /// Every self-signed-up agent.
    #[serde(default)]
    pub(crate) agents: crate::table::Table<SignupRec>,
    /// Times (emulated ms) of the signups of the last hour (rate limit).
    #[serde(default)]
    pub(crate) recent_signups_ms: crate::table::Table<i64>,
    /// Signup rate limit override (`POST /_emulator/signup/config`).
    #[serde(default)]
    pub(crate) max_signups_per_hour: Option<u32>,
    /// AgentPost inboxes and keys.
    #[serde(default)]
    pub(crate) agentpost: crate::agentpost::AgentPostState,
}

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "signup.create" => create(s, ctx),
        "signup.verify" => verify(s, ctx),
        "signup.resend_verification" => resend(s, ctx),
        "signup.status" => status(s, ctx),
        other if other.starts_with("agentpost.") => return crate::agentpost::dispatch(other, s, ctx),
        _ => return None,
    })
}

/// Is `identity_id` a self-signed-up agent that is not claimed yet?
pub(crate) fn is_unclaimed(s: &State, identity_id: &str) -> bool {
    s.signup.agents.iter().any(|a| a.identity_id == identity_id && a.claim_status == ClaimStatus::AgentUnclaimed)
}

fn retry_after_secs(ms: i64) -> String {
    (ms.max(0).saturating_add(999) / 1000).to_string()
}

// ------------------------------------------------------------------ create

/// A plausible email address: `local@domain.tld`, no spaces, ≤ 254 chars.
fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.rsplit_once('@') else { return false };
    !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A handle base from a display name: lowercase, `[a-z0-9-]`, no `--`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let cut: String = out.chars().take(56).collect();
    cut.trim_matches('-').to_owned()
}

fn handle_free(s: &State, handle: &str) -> bool {
    handle_unavailable(s, handle, None).is_none()
}

/// `base-<6 hex>`, unused.
fn suffixed(s: &State, base: &str) -> String {
    let base: String = base.chars().take(56).collect();
    let base = base.trim_end_matches('-');
    loop {
        let h = format!("{base}-{}", random_hex(3));
        if handle_free(s, &h) {
            return h;
        }
    }
}

/// The handle of a new signup: a supplied (or local-part-derived) handle is
/// used unchanged when free, else it gets a `-<6 hex>` suffix; without one,
/// `<display-name slug or "agent">-<6 hex>`.
fn choose_handle(s: &State, req: &CreateAgentSignupRequest) -> Result<String, Reply> {
    let supplied = req.agent_handle.as_deref().map(validate::normalize_handle);
    let local = req.email_local_part.as_deref().map(|l| l.trim().to_ascii_lowercase());
    let wanted = match (supplied, local) {
        (Some(h), Some(l)) if h != l => {
            return Err(unprocessable(&format!(
                "email_local_part: on the platform domain the local part must equal the agent handle ('{h}')"
            )));
        }
        (Some(h), _) | (None, Some(h)) => Some(h),
        (None, None) => None,
    };
    match wanted {
        Some(h) => {
            validate::handle("agent_handle", &h).map_err(|e| unprocessable(&e.to_string()))?;
            Ok(if handle_free(s, &h) { h } else { suffixed(s, &h) })
        }
        None => {
            let base = req.display_name.as_deref().map(slug).unwrap_or_default();
            let base = if validate::handle("agent_handle", &base).is_ok() { base } else { "agent".to_owned() };
            Ok(suffixed(s, &base))
        }
    }
}

/// The verification email, as an outbox entry (same shape as mail's, plus
/// `kind`, `code` and the agent's coordinates).
fn verification_mail(s: &mut State, rec: &SignupRec, handle: &str, agent_email: &str, clock: Clock) {
    let code = rec.code.clone().unwrap_or_default();
    let now = clock.timestamp();
    let expires = Timestamp::from_unix(rec.code_expires_ms.div_euclid(1000), 0);
    let subject = format!("{handle} wants you to claim it on Inkbox — verification code {code}");
    let body = format!(
        "Your agent {handle} ({agent_email}) signed up for Inkbox and named you as its human.\n\n\
         Its note to you:\n> {}\n\n\
         Verification code: {code}\n\
         The code expires at {} (48 hours). Give it to your agent to unlock full sending.\n",
        rec.note_to_human.replace('\n', "\n> "),
        expires.to_rfc3339(),
    );
    let id = uuid4();
    s.outbox.push(json!({
        "id": id,
        "kind": "signup_verification",
        "code": code,
        "message_id": format!("<{id}@inkbox.ai>"),
        "mailbox_id": Value::Null,
        "from": VERIFICATION_FROM,
        "to": [rec.human_email],
        "cc": [],
        "bcc": [],
        "outside_recipients": [rec.human_email],
        "subject": subject,
        "body_text": body,
        "body_html": Value::Null,
        "in_reply_to": Value::Null,
        "attachment_metadata": [],
        "created_at": now.to_rfc3339(),
        "identity_id": rec.identity_id,
        "agent_handle": handle,
        "agent_email": agent_email,
        "expires_at": expires.to_rfc3339(),
    }));
}

fn new_code(rec: &mut SignupRec, now_ms: i64) {
    rec.code = Some(random_digits(6));
    rec.code_expires_ms = now_ms.saturating_add(CODE_TTL_MS);
    rec.attempts = 0;
    rec.last_code_sent_ms = now_ms;
}

fn create(s: &mut State, ctx: &Ctx) -> R {
    let req: CreateAgentSignupRequest = ctx.parse()?;
    let human_email = req.human_email.trim().to_owned();
    if !valid_email(&human_email) {
        return Err(unprocessable("human_email: value is not a valid email address"));
    }
    validate::char_len("note_to_human", &req.note_to_human, 1, 2000).map_err(|e| unprocessable(&e.to_string()))?;
    if let Some(d) = &req.display_name {
        validate::char_len("display_name", d, 1, 255).map_err(|e| unprocessable(&e.to_string()))?;
    }
    let handle = choose_handle(s, &req)?;

    let now_ms = ctx.clock.now_ms;
    let limit = s.signup.max_signups_per_hour.unwrap_or(DEFAULT_SIGNUPS_PER_HOUR);
    s.signup.recent_signups_ms.retain(|t| now_ms < t.saturating_add(HOUR_MS));
    if s.signup.recent_signups_ms.len() >= limit as usize {
        let oldest = s.signup.recent_signups_ms.iter().min().copied().unwrap_or(now_ms);
        let wait = oldest.saturating_add(HOUR_MS).saturating_sub(now_ms);
        return Err(Reply::detail(429, "Rate limit exceeded: too many signups, try again later")
            .with_header("Retry-After", &retry_after_secs(wait)));
    }
    s.signup.recent_signups_ms.push(now_ms);

    let now = ctx.clock.timestamp();
    let org_id = format!("org_agent_{}", uuid4());
    let id = uuid4();
    let mailbox = crate::handlers::new_mailbox(&handle, &id, now);
    let email = mailbox.email_address.clone();
    let tunnel = crate::handlers::new_tunnel(&org_id, &handle, &id, TlsMode::Edge, now);
    let identity = IdentityRec {
        id: id.clone(),
        organization_id: org_id.clone(),
        agent_handle: handle.clone(),
        display_name: Some(req.display_name.clone().unwrap_or_else(|| handle.clone())),
        description: None,
        imessage_enabled: false,
        imessage_filter_mode: FilterMode::Blacklist,
        status: IdentityStatus::Active,
        created_at: now,
        updated_at: now,
        mailbox_id: mailbox.id.clone(),
        tunnel_id: tunnel.id.clone(),
        phone_number_id: None,
        signing_key: None,
    };
    let secret = format!("ApiKey_{}", random_hex(24));
    let key = ApiKey {
        id: format!("ApiKey_{}", uuid4()),
        organization_id: org_id.clone(),
        created_by: None,
        creator_type: Some(CreatorType::Agent),
        scoped_identity_id: Some(id.clone()),
        label: format!("agent signup: {handle}"),
        description: None,
        status: ApiKeyStatus::Active,
        last4: Some(last4(&secret)),
        display_prefix: Some("ApiKey_".into()),
        last_used_at: None,
        expires_at: None,
        revoked_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut rec = SignupRec {
        identity_id: id,
        human_email: human_email.clone(),
        note_to_human: req.note_to_human.clone(),
        claim_status: ClaimStatus::AgentUnclaimed,
        human_state: HumanState::HumanNoAccount,
        code: None,
        code_expires_ms: 0,
        attempts: 0,
        last_code_sent_ms: now_ms,
        created_at: now,
        claimed_at: None,
        window_start_ms: None,
        window_sends: 0,
    };
    new_code(&mut rec, now_ms);
    s.orgs.push(Org { id: org_id.clone(), signing_key: None });
    s.mailboxes.push(MailboxRec { mailbox, organization_id: org_id.clone(), deleted: false });
    s.tunnels.push(tunnel);
    s.identities.push(identity);
    s.api_keys.push(ApiKeyRec { secret: secret.clone(), record: key });
    verification_mail(s, &rec, &handle, &email, ctx.clock);
    s.signup.agents.push(rec);

    let out = AgentSignupResponse {
        email_address: email,
        organization_id: org_id,
        api_key: secret,
        agent_handle: handle,
        claim_status: ClaimStatus::AgentUnclaimed,
        human_email: human_email.clone(),
        message: format!(
            "Agent created but unclaimed: until {human_email} claims it, it may send at most \
             {UNCLAIMED_SENDS_PER_DAY} emails per day, only to {human_email}. A 6-digit verification code was \
             emailed to {human_email}; submit it to /api/v1/agent-signup/verify to unlock full sending."
        ),
    };
    Ok(Reply::model(201, &out))
}

// ------------------------------------------------- verify, resend, status

/// Index of the caller's signup record (404 unless the caller is the
/// identity-scoped key of a live self-signed-up agent).
fn own_signup(s: &State, ctx: &Ctx) -> Result<usize, Reply> {
    let not_found = || Reply::detail(404, "Agent identity not found");
    let Caller::Agent { identity_id, .. } = &ctx.caller else { return Err(not_found()) };
    if s.identity_by_id(identity_id).is_none() {
        return Err(not_found());
    }
    s.signup.agents.iter().position(|a| &a.identity_id == identity_id).ok_or_else(not_found)
}

fn org_of(s: &State, identity_id: &str) -> String {
    s.identity_by_id(identity_id).map(|i| i.organization_id.clone()).unwrap_or_default()
}

fn claim_reply(s: &State, rec: &SignupRec, message: &str) -> Reply {
    Reply::model(
        200,
        &AgentClaimResponse {
            claim_status: rec.claim_status.clone(),
            organization_id: org_of(s, &rec.identity_id),
            message: message.to_owned(),
        },
    )
}

fn rejected() -> Reply {
    Reply::detail(409, "This agent was rejected by its human; it can no longer be claimed")
}

fn verify(s: &mut State, ctx: &Ctx) -> R {
    let req: VerifySignupRequest = ctx.parse()?;
    let code = req.verification_code.clone();
    if !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())) {
        return Err(unprocessable("verification_code: must be a 6-digit numeric string"));
    }
    let i = own_signup(s, ctx)?;
    let now_ms = ctx.clock.now_ms;
    let rec = s.signup.agents.get_mut(i).ok_or_else(|| Reply::detail(404, "Agent identity not found"))?;
    match rec.claim_status {
        ClaimStatus::AgentUnclaimed => {}
        ClaimStatus::AgentClaimed => {
            let rec = rec.clone();
            return Ok(claim_reply(s, &rec, "Agent is already claimed; full sending is unlocked."));
        }
        _ => return Err(rejected()),
    }
    if rec.attempts >= MAX_ATTEMPTS {
        return Err(Reply::detail(
            429,
            &format!(
                "Too many verification attempts (max {MAX_ATTEMPTS}); request a new code with resend-verification"
            ),
        ));
    }
    if now_ms >= rec.code_expires_ms {
        return Err(Reply::detail(
            410,
            "Verification code expired (codes expire 48 hours after generation); request a new one",
        ));
    }
    rec.attempts = rec.attempts.saturating_add(1);
    if rec.code.as_deref() != Some(code.as_str()) {
        let left = MAX_ATTEMPTS.saturating_sub(rec.attempts);
        s.persist_refused = true;
        return Err(Reply::detail(401, &format!("Invalid verification code ({left} attempts left)")));
    }
    rec.claim_status = ClaimStatus::AgentClaimed;
    rec.claimed_at = Some(ctx.clock.timestamp());
    rec.code = None;
    let rec = rec.clone();
    Ok(claim_reply(
        s,
        &rec,
        &format!("Agent claimed; full sending is unlocked (up to {CLAIMED_SENDS_PER_DAY} emails per day)."),
    ))
}

fn resend(s: &mut State, ctx: &Ctx) -> R {
    let i = own_signup(s, ctx)?;
    let now_ms = ctx.clock.now_ms;
    let rec = s.signup.agents.get_mut(i).ok_or_else(|| Reply::detail(404, "Agent identity not found"))?;
    match rec.claim_status {
        ClaimStatus::AgentUnclaimed => {}
        ClaimStatus::AgentClaimed => {
            let rec = rec.clone();
            return Ok(claim_reply(s, &rec, "Agent is already claimed; no verification code was sent."));
        }
        _ => return Err(rejected()),
    }
    let wait = rec.last_code_sent_ms.saturating_add(RESEND_COOLDOWN_MS).saturating_sub(now_ms);
    if wait > 0 {
        return Err(Reply::detail(
            429,
            &format!(
                "Please wait {} seconds before requesting another code (5 minutes between resends)",
                retry_after_secs(wait)
            ),
        )
        .with_header("Retry-After", &retry_after_secs(wait)));
    }
    new_code(rec, now_ms);
    let rec = rec.clone();
    let (handle, email) = s
        .identity_by_id(&rec.identity_id)
        .map(|i| {
            let email = s.mailbox(&i.mailbox_id).map(|m| m.mailbox.email_address.clone()).unwrap_or_default();
            (i.agent_handle.clone(), email)
        })
        .unwrap_or_default();
    verification_mail(s, &rec, &handle, &email, ctx.clock);
    let msg = format!("A new verification code was sent to {}; the previous code no longer works.", rec.human_email);
    Ok(claim_reply(s, &rec, &msg))
}

fn status(s: &mut State, ctx: &Ctx) -> R {
    let i = own_signup(s, ctx)?;
    let rec = s.signup.agents.get(i).ok_or_else(|| Reply::detail(404, "Agent identity not found"))?;
    Ok(Reply::model(
        200,
        &AgentSignupStatusResponse {
            claim_status: rec.claim_status.clone(),
            human_state: rec.human_state.clone(),
            human_email: rec.human_email.clone(),
            restrictions: rec.restrictions(),
        },
    ))
}

// ------------------------------------------------------------ mail limits

/// Called by `mail::send` before anything is stored: refuses sends a
/// self-signed-up agent may not make and counts the others.
pub(crate) fn check_mail_send(
    s: &mut State,
    sender_mailbox_id: &str,
    req: &SendEmailRequest,
    ctx: &Ctx,
) -> Result<(), Reply> {
    let Some(identity_id) = s.mailbox(sender_mailbox_id).and_then(|m| m.mailbox.agent_identity_id.clone()) else {
        return Ok(());
    };
    let Some(rec) = s.signup.agents.find_mut(|a| a.identity_id == identity_id) else { return Ok(()) };
    match rec.claim_status {
        ClaimStatus::AgentUnclaimed => {
            let r = &req.recipients;
            let bad: Vec<String> =
                r.to.iter()
                    .chain(&r.cc)
                    .chain(&r.bcc)
                    .filter(|a| !a.trim().eq_ignore_ascii_case(&rec.human_email))
                    .cloned()
                    .collect();
            if !bad.is_empty() {
                return Err(Reply::error(
                    403,
                    "recipient_not_allowed",
                    &format!("Unclaimed agents may only email their human ({})", rec.human_email),
                    json!({ "allowed_recipients": [rec.human_email], "rejected_recipients": bad }),
                ));
            }
        }
        ClaimStatus::AgentClaimed => {}
        _ => {
            return Err(Reply::error(
                403,
                "agent_rejected",
                "This agent was rejected by its human and cannot send",
                Value::Null,
            ));
        }
    }
    let now_ms = ctx.clock.now_ms;
    let limit = rec.max_sends_per_day();
    let used = rec.sends_in_window(now_ms);
    if used == 0 {
        rec.window_start_ms = Some(now_ms);
    }
    if used >= limit {
        let resets = rec.window_start_ms.unwrap_or(now_ms).saturating_add(SEND_WINDOW_MS);
        let resets_at = Timestamp::from_unix(resets.div_euclid(1000), 0);
        return Err(Reply::error(
            429,
            "daily_send_limit_exceeded",
            &format!("Daily send limit of {limit} emails reached"),
            json!({ "max_sends_per_day": limit, "resets_at": resets_at.to_rfc3339() }),
        )
        .with_header("Retry-After", &retry_after_secs(resets.saturating_sub(now_ms))));
    }
    rec.window_sends = used.saturating_add(1);
    Ok(())
}

// ---------------------------------------------------------------- control

/// Handles a control-API route (`/_emulator/…`, admin key already checked)
/// if it belongs to this module. Called without the state lock held: use
/// [`App::read`] / [`App::mutate`].
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    if path.starts_with("/_emulator/agentpost") {
        return crate::agentpost::control(app, method, path, ctx);
    }
    let rest = path.strip_prefix("/_emulator/signup")?;
    let segs: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let reply = match (method, segs.as_slice()) {
        (Method::Get, []) => app.read(|s, clock| Ok(Reply::json(200, json!({ "agents": listing(s, clock) })))),
        (Method::Post, ["config"]) => set_config(app, ctx),
        (Method::Post, [id, "approve"]) => approve(app, id, ctx),
        (Method::Post, [id, "reject"]) => app.mutate(|s, _| {
            let rec = record_mut(s, id)?;
            rec.claim_status = ClaimStatus::AgentRejected;
            rec.code = None;
            let rec = rec.clone();
            Ok(claim_reply(s, &rec, "Agent rejected by its human."))
        }),
        (_, [] | ["config"] | [_, "approve" | "reject"]) => Ok(Reply::detail(405, "Method Not Allowed")),
        _ => Ok(Reply::detail(404, "Not Found")),
    };
    Some(reply.unwrap_or_else(|e| e))
}

fn record_mut<'s>(s: &'s mut State, identity: &str) -> Result<&'s mut SignupRec, Reply> {
    let id = s
        .identities
        .iter()
        .find(|i| i.id == identity.to_ascii_lowercase() || i.agent_handle == validate::normalize_handle(identity))
        .map(|i| i.id.clone())
        .ok_or_else(|| Reply::detail(404, "Agent identity not found"))?;
    s.signup
        .agents
        .iter_mut()
        .find(|a| a.identity_id == id)
        .ok_or_else(|| Reply::detail(404, "Agent identity not found"))
}

/// Everything about every signup (codes included), like the console's
/// pending list.
fn listing(s: &State, clock: Clock) -> Vec<Value> {
    s.signup
        .agents
        .iter()
        .map(|a| {
            let identity = s.identity_by_id(&a.identity_id);
            let email = identity.and_then(|i| s.mailbox(&i.mailbox_id)).map(|m| m.mailbox.email_address.clone());
            let restrictions = serde_json::to_value(a.restrictions()).unwrap_or(Value::Null);
            json!({
                "identity_id": a.identity_id,
                "agent_handle": identity.map(|i| i.agent_handle.clone()),
                "email_address": email,
                "organization_id": identity.map(|i| i.organization_id.clone()),
                "human_email": a.human_email,
                "note_to_human": a.note_to_human,
                "claim_status": a.claim_status,
                "human_state": a.human_state,
                "verification_code": a.code,
                "code_expires_at": a.code.as_ref().map(|_| {
                    Timestamp::from_unix(a.code_expires_ms.div_euclid(1000), 0).to_rfc3339()
                }),
                "attempts": a.attempts,
                "attempts_left": MAX_ATTEMPTS.saturating_sub(a.attempts),
                "resend_available_at": Timestamp::from_unix(
                    a.last_code_sent_ms.saturating_add(RESEND_COOLDOWN_MS).div_euclid(1000), 0
                ).to_rfc3339(),
                "sends_today": a.sends_in_window(clock.now_ms),
                "restrictions": restrictions,
                "created_at": a.created_at,
                "claimed_at": a.claimed_at,
            })
        })
        .collect()
}

fn set_config(app: &App, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    let limit = match v.get("max_signups_per_hour") {
        Some(Value::Null) => None,
        Some(n) => Some(
            n.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| unprocessable("max_signups_per_hour must be a non-negative integer or null"))?,
        ),
        None => return Err(unprocessable("body must be {\"max_signups_per_hour\": n | null}")),
    };
    app.mutate(|s, _| {
        s.signup.max_signups_per_hour = limit;
        Ok(Reply::json(200, json!({ "max_signups_per_hour": limit.unwrap_or(DEFAULT_SIGNUPS_PER_HOUR) })))
    })
}

/// Console approval: claims the agent and moves it (identity, mailbox,
/// tunnel, keys) into `organization_id` (default: the emulator's org).
fn approve(app: &App, identity: &str, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    let target = match v.get("organization_id") {
        None | Some(Value::Null) => app.org_id.clone(),
        Some(Value::String(o)) => o.clone(),
        Some(_) => return Err(unprocessable("organization_id must be a string")),
    };
    app.mutate(|s, clock| {
        if !s.orgs.iter().any(|o| o.id == target) {
            return Err(Reply::not_found("Organization"));
        }
        let rec = record_mut(s, identity)?;
        if rec.claim_status == ClaimStatus::AgentRejected {
            return Err(rejected());
        }
        rec.claim_status = ClaimStatus::AgentClaimed;
        rec.human_state = HumanState::HumanAccountVerified;
        rec.code = None;
        if rec.claimed_at.is_none() {
            rec.claimed_at = Some(clock.timestamp());
        }
        let rec = rec.clone();
        let id = rec.identity_id.clone();
        let old_org = org_of(s, &id);
        let now = clock.timestamp();
        if old_org != target {
            for i in s.identities.iter_mut().filter(|i| i.id == id) {
                i.organization_id = target.clone();
                i.updated_at = now;
            }
            for m in s.mailboxes.iter_mut().filter(|m| m.mailbox.agent_identity_id.as_deref() == Some(id.as_str())) {
                m.organization_id = target.clone();
            }
            for t in s.tunnels.iter_mut().filter(|t| t.agent_identity_id.as_deref() == Some(id.as_str())) {
                t.organization_id = target.clone();
                t.updated_at = now;
            }
            for k in s.api_keys.iter_mut().filter(|k| k.record.scoped_identity_id.as_deref() == Some(id.as_str())) {
                k.record.organization_id = target.clone();
                k.record.updated_at = now;
            }
            // The provisional org goes away once nothing lives in it.
            let empty = old_org.starts_with("org_agent_")
                && !s.identities.iter().any(|i| i.organization_id == old_org)
                && !s.api_keys.iter().any(|k| k.record.organization_id == old_org);
            if empty {
                s.orgs.retain(|o| o.id != old_org);
            }
        }
        Ok(claim_reply(s, &rec, "Agent approved by its human and moved into the human's organization."))
    })
}
