//! Webhook subscriptions and the signed delivery of events (queue, retries,
//! delivery log).
//!
//! Handlers raise events with [`State::emit`] (queued in
//! [`WebhooksState::queue`]). A background thread ([`start_worker`]) fans
//! each queued event out to the active subscriptions of its owner that list
//! its event type — one [`DeliveryRec`] per subscription, with the envelope
//! bytes fixed at that moment — and POSTs them, signed, retrying with
//! exponential backoff on the real clock. The state lock is never held during
//! HTTP: work is claimed and recorded through [`App::mutate`].

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use inkbox_core::api::request::Method;
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::webhook_subscriptions::{
    CreateSubscriptionRequest, EventType, Subscription, SubscriptionOwner, SubscriptionStatus,
    UpdateSubscriptionRequest, check_url,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, Caller, Ctx, Reply, unprocessable};
use crate::handlers::{R, mailbox_visible};
use crate::outbound::{post_json, signature_headers};
use crate::state::{EventOwner, OutEvent, State};
use crate::util::{Clock, random_hex, real_now_ms, uuid4};

/// Active subscriptions one owner may hold.
const MAX_PER_OWNER: usize = 20;
/// Finished deliveries kept in the log (oldest dropped first).
const LOG_LIMIT: usize = 1000;
/// Longest the worker sleeps without being woken.
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// The worker's pause after a pass that could not be recorded (persistence failure).
const ERROR_WAIT: Duration = Duration::from_secs(1);
/// Upper bound of a receiver's answer kept in the log.
const LOGGED_BODY_CHARS: usize = 512;

// ------------------------------------------------------------------ state

/// Retry schedule and delivery switches (`POST /_emulator/webhooks/config`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct DeliveryConfig {
    /// Attempts per delivery, the first included (1–20).
    pub(crate) max_attempts: u32,
    /// Wait before the second attempt (ms, 0–3 600 000).
    pub(crate) initial_delay_ms: u64,
    /// Each later wait is the previous one times this (1–10).
    pub(crate) backoff_multiplier: u32,
    /// Cap of one wait (ms).
    pub(crate) max_delay_ms: u64,
    /// Per-attempt HTTP timeout (ms, 100–120 000).
    pub(crate) timeout_ms: u64,
    /// `false` stops the background worker: only `/_emulator/deliveries/flush` delivers.
    pub(crate) auto_deliver: bool,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            max_attempts: 5,
            initial_delay_ms: 500,
            backoff_multiplier: 2,
            max_delay_ms: 30_000,
            timeout_ms: 5_000,
            auto_deliver: true,
        }
    }
}

impl DeliveryConfig {
    /// The wait after failed attempt `n` (1-based): initial × multiplier^(n-1), capped.
    fn delay_after(&self, n: u32) -> u64 {
        let factor = u64::from(self.backoff_multiplier).saturating_pow(n.saturating_sub(1));
        self.initial_delay_ms.saturating_mul(factor).min(self.max_delay_ms)
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Every attempt failed.
    Failed,
    /// The subscription was deleted (or its owner went away) before delivery.
    Canceled,
}

impl DeliveryStatus {
    fn from_wire(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => DeliveryStatus::Pending,
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            "canceled" => DeliveryStatus::Canceled,
            _ => return None,
        })
    }
}

/// One POST of a delivery.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AttemptRec {
    pub(crate) attempt: u32,
    pub(crate) url: String,
    pub(crate) request_id: String,
    /// The `X-Inkbox-Timestamp` sent (emulated Unix seconds).
    pub(crate) timestamp: u64,
    /// Whether `X-Inkbox-Signature` was sent (a signing key existed).
    pub(crate) signed: bool,
    pub(crate) started_at: Timestamp,
    pub(crate) finished_at: Timestamp,
    pub(crate) duration_ms: u64,
    /// The receiver's HTTP status (absent on a connection error or timeout).
    pub(crate) status_code: Option<u16>,
    /// The start of the receiver's answer.
    #[serde(default)]
    pub(crate) response_body: Option<String>,
    /// Why no status was received.
    pub(crate) error: Option<String>,
    /// `delivered`, `retry` or `failed`.
    pub(crate) outcome: String,
}

/// One event on its way to one subscription.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct DeliveryRec {
    pub(crate) id: String,
    pub(crate) subscription_id: String,
    pub(crate) organization_id: String,
    pub(crate) event_type: String,
    /// The subscription's URL (at the latest attempt).
    pub(crate) url: String,
    /// `X-Inkbox-Request-ID`: one per delivery, the same on every retry.
    pub(crate) request_id: String,
    /// The identity whose signing key signs (else the org's key).
    pub(crate) identity_id: Option<String>,
    /// The exact envelope bytes sent on every attempt.
    pub(crate) body: String,
    pub(crate) status: DeliveryStatus,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    /// Real-clock milliseconds at which the next attempt is due (pending only).
    pub(crate) due_real_ms: Option<i64>,
    pub(crate) attempts: Vec<AttemptRec>,
}

impl DeliveryRec {
    fn is_due(&self, now_real_ms: i64, force: bool) -> bool {
        self.status == DeliveryStatus::Pending && (force || self.due_real_ms.is_none_or(|d| d <= now_real_ms))
    }

    /// The log view.
    fn view(&self, clock: Clock) -> Value {
        let offset = clock.now_ms.saturating_sub(real_now_ms());
        let next = self
            .due_real_ms
            .filter(|_| self.status == DeliveryStatus::Pending)
            .map(|d| Clock { now_ms: d.saturating_add(offset) }.timestamp().to_rfc3339());
        json!({
            "id": self.id,
            "subscription_id": self.subscription_id,
            "organization_id": self.organization_id,
            "event_type": self.event_type,
            "url": self.url,
            "request_id": self.request_id,
            "status": self.status,
            "attempt_count": self.attempts.len(),
            "next_attempt_at": next,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "payload": serde_json::from_str::<Value>(&self.body).unwrap_or(Value::Null),
            "attempts": self.attempts,
        })
    }
}

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct WebhooksState {
    /// Events raised and not yet fanned out to subscriptions.
    #[serde(default)]
    pub(crate) queue: crate::table::Table<OutEvent>,
    /// Every subscription ever created (deleted ones kept with `status: deleted`).
    #[serde(default)]
    pub(crate) subscriptions: crate::table::Table<Subscription>,
    /// The delivery log, oldest first (pending deliveries included).
    #[serde(default)]
    pub(crate) deliveries: crate::table::Table<DeliveryRec>,
    #[serde(default)]
    pub(crate) config: DeliveryConfig,
}

impl WebhooksState {
    pub(crate) fn enqueue(&mut self, event: OutEvent) {
        self.queue.push(event);
        wake_worker();
    }
}

// ------------------------------------------------------------ visibility

/// Whether the subscription owner still exists and `caller` may see it.
fn owner_visible(s: &State, owner: &SubscriptionOwner, caller: &Caller) -> bool {
    let id = owner.id().to_ascii_lowercase();
    match owner {
        SubscriptionOwner::Mailbox(_) => s.mailboxes.iter().any(|m| m.mailbox.id == id && mailbox_visible(m, caller)),
        SubscriptionOwner::PhoneNumber(_) => s.phone(&id).is_some_and(|p| {
            let bound = p.agent_identity_id.as_deref().and_then(|i| s.identity_by_id(i));
            match (caller, bound) {
                (Caller::Admin { org_id, .. }, Some(i)) => &i.organization_id == org_id,
                (Caller::Agent { identity_id, .. }, Some(i)) => &i.id == identity_id,
                _ => false,
            }
        }),
        SubscriptionOwner::AgentIdentity(_) => s.identity_by_id(&id).is_some_and(|i| match caller {
            Caller::Admin { org_id, .. } => &i.organization_id == org_id,
            Caller::Agent { identity_id, .. } => &i.id == identity_id,
            Caller::Anonymous => false,
        }),
    }
}

/// Active, in the caller's org, and its owner still exists and is visible.
fn subscription_visible(s: &State, sub: &Subscription, caller: &Caller) -> bool {
    sub.status == SubscriptionStatus::Active
        && Some(sub.organization_id.as_str()) == caller.org_id()
        && sub.owner().is_some_and(|o| owner_visible(s, &o, caller))
}

fn find_visible<'s>(s: &'s State, ctx: &Ctx) -> Result<&'s Subscription, Reply> {
    let id = ctx.param(0).to_ascii_lowercase();
    s.webhooks
        .subscriptions
        .iter()
        .find(|sub| sub.id == id && subscription_visible(s, sub, &ctx.caller))
        .ok_or_else(|| Reply::not_found("Webhook subscription"))
}

// ------------------------------------------------------------ validation

/// The server's URL rule: HTTPS, plus (an emulator deviation) `http://` on
/// `localhost`, `127.0.0.1` and `[::1]` so tests can receive deliveries.
fn check_subscription_url(url: &str) -> Result<(), Reply> {
    check_url("url", url).map_err(|_| {
        unprocessable(
            "url must be an absolute https:// URL (the emulator also accepts http://localhost, 127.0.0.1, [::1])",
        )
    })
}

/// Non-empty, distinct, subscribable, in the catalog and in `owner`'s channel.
fn check_events(events: &[EventType], owner: &SubscriptionOwner) -> Result<(), Reply> {
    if events.is_empty() {
        return Err(unprocessable("event_types must be a non-empty list"));
    }
    for (i, e) in events.iter().enumerate() {
        if events.iter().take(i).any(|p| p.as_str() == e.as_str()) {
            return Err(unprocessable(&format!("event_types contains duplicate value: {e}")));
        }
    }
    for e in events {
        if *e == EventType::PhoneIncomingCall {
            return Err(unprocessable(
                "phone.incoming_call is not stored in webhook subscriptions; set incoming_call_webhook_url on the phone number",
            ));
        }
        if !e.is_known() {
            return Err(unprocessable(&format!("unknown event type: {e}")));
        }
        if e.channel() != Some(owner.channel()) {
            return Err(unprocessable(&format!(
                "event type {e} is not valid for a {} owner (expected {}* events)",
                owner.field(),
                owner.channel().prefix()
            )));
        }
    }
    Ok(())
}

// ------------------------------------------------------------ operations

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "webhooks.subscriptions.list" => list(s, ctx),
        "webhooks.subscriptions.get" => find_visible(s, ctx).map(|sub| Reply::model(200, sub)),
        "webhooks.subscriptions.create" => create(s, ctx),
        "webhooks.subscriptions.update" => update(s, ctx),
        "webhooks.subscriptions.delete" => delete(s, ctx),
        _ => return None,
    })
}

fn list(s: &mut State, ctx: &Ctx) -> R {
    let q = |k: &str| ctx.query(k).filter(|v| !v.is_empty());
    let owners = [q("mailbox_id"), q("phone_number_id"), q("agent_identity_id")];
    if owners.iter().flatten().count() > 1 {
        return Err(unprocessable("at most one of mailbox_id, phone_number_id or agent_identity_id may be given"));
    }
    let lower = |v: Option<&str>| v.map(str::to_ascii_lowercase);
    let [mailbox, phone, identity] = owners.map(lower);
    let same = |want: &Option<String>, have: &Option<String>| {
        want.as_ref().is_none_or(|w| have.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(w)))
    };
    let url = q("url");
    let event = q("event_type");
    let items: Vec<&Subscription> = s
        .webhooks
        .subscriptions
        .iter()
        .filter(|sub| subscription_visible(s, sub, &ctx.caller))
        .filter(|sub| same(&mailbox, &sub.mailbox_id) && same(&phone, &sub.phone_number_id))
        .filter(|sub| same(&identity, &sub.agent_identity_id))
        .filter(|sub| url.is_none_or(|u| sub.url == u))
        .filter(|sub| event.is_none_or(|e| sub.event_types.iter().any(|t| t.as_str() == e)))
        .collect();
    Ok(Reply::json(200, json!({ "subscriptions": items })))
}

fn create(s: &mut State, ctx: &Ctx) -> R {
    let req: CreateSubscriptionRequest = ctx.parse()?;
    check_subscription_url(&req.url)?;
    check_events(&req.event_types, &req.owner)?;
    let owner = match &req.owner {
        SubscriptionOwner::Mailbox(id) => SubscriptionOwner::Mailbox(id.to_ascii_lowercase()),
        SubscriptionOwner::PhoneNumber(id) => SubscriptionOwner::PhoneNumber(id.to_ascii_lowercase()),
        SubscriptionOwner::AgentIdentity(id) => SubscriptionOwner::AgentIdentity(id.to_ascii_lowercase()),
    };
    if !owner_visible(s, &owner, &ctx.caller) {
        return Err(Reply::not_found(match owner {
            SubscriptionOwner::Mailbox(_) => "Mailbox",
            SubscriptionOwner::PhoneNumber(_) => "Phone number",
            SubscriptionOwner::AgentIdentity(_) => "Agent identity",
        }));
    }
    let active = s
        .webhooks
        .subscriptions
        .iter()
        .filter(|sub| sub.status == SubscriptionStatus::Active && sub.owner().as_ref() == Some(&owner))
        .count();
    if active >= MAX_PER_OWNER {
        return Err(Reply::detail(
            409,
            &format!("subscription cap ({MAX_PER_OWNER}) reached for this {}", owner.field()),
        ));
    }
    let now = ctx.clock.timestamp();
    let (mailbox_id, phone_number_id, agent_identity_id) = match owner {
        SubscriptionOwner::Mailbox(i) => (Some(i), None, None),
        SubscriptionOwner::PhoneNumber(i) => (None, Some(i), None),
        SubscriptionOwner::AgentIdentity(i) => (None, None, Some(i)),
    };
    let sub = Subscription {
        id: uuid4(),
        organization_id: ctx.caller.org_id().unwrap_or_default().to_owned(),
        mailbox_id,
        phone_number_id,
        agent_identity_id,
        url: req.url,
        event_types: req.event_types,
        status: SubscriptionStatus::Active,
        created_at: now,
        updated_at: now,
    };
    s.webhooks.subscriptions.push(sub.clone());
    Ok(Reply::model(201, &sub))
}

fn update(s: &mut State, ctx: &Ctx) -> R {
    let id = find_visible(s, ctx)?.id.clone();
    let req: UpdateSubscriptionRequest = ctx.parse()?;
    let sub = s
        .webhooks
        .subscriptions
        .iter_mut()
        .find(|sub| sub.id == id)
        .ok_or_else(|| Reply::not_found("Webhook subscription"))?;
    if let Some(url) = &req.url {
        check_subscription_url(url)?;
    }
    if let Some(events) = &req.event_types {
        let owner = sub.owner().ok_or_else(|| Reply::not_found("Webhook subscription"))?;
        check_events(events, &owner)?;
    }
    let mut changed = false;
    if let Some(url) = req.url.filter(|u| *u != sub.url) {
        sub.url = url;
        changed = true;
    }
    if let Some(events) = req.event_types.filter(|e| *e != sub.event_types) {
        sub.event_types = events;
        changed = true;
    }
    if changed {
        sub.updated_at = ctx.clock.timestamp();
    }
    Ok(Reply::model(200, &*sub))
}

fn delete(s: &mut State, ctx: &Ctx) -> R {
    let id = find_visible(s, ctx)?.id.clone();
    let now = ctx.clock.timestamp();
    if let Some(sub) = s.webhooks.subscriptions.iter_mut().find(|sub| sub.id == id) {
        sub.status = SubscriptionStatus::Deleted;
        sub.updated_at = now;
    }
    Ok(Reply::empty(204))
}

// ------------------------------------------------------------ fan-out

/// The wire envelope, keys in the documented order; `id` (`evt_…`) is
/// drawn once per event, so every subscription's copy and every retry of it
/// carries the same id.
#[derive(Serialize)]
struct Envelope<'a> {
    id: &'a str,
    event_type: &'a str,
    timestamp: Timestamp,
    data: &'a Value,
}

fn owner_matches(sub: &Subscription, owner: &EventOwner) -> bool {
    let same = |have: &Option<String>, want: &str| have.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(want));
    match owner {
        EventOwner::Mailbox(id) => same(&sub.mailbox_id, id),
        EventOwner::PhoneNumber(id) => same(&sub.phone_number_id, id),
        EventOwner::AgentIdentity(id) => same(&sub.agent_identity_id, id),
    }
}

/// Turns every queued event into one pending delivery per matching active
/// subscription (events nobody subscribed to are dropped).
fn fan_out(s: &mut State, clock: Clock) {
    let events = std::mem::take(&mut *s.webhooks.queue);
    let now = clock.timestamp();
    let now_real = real_now_ms();
    for ev in events {
        let event_id = format!("evt_{}", random_hex(16));
        let env = Envelope { id: &event_id, event_type: &ev.event_type, timestamp: ev.at, data: &ev.data };
        let Ok(body) = serde_json::to_string(&env) else { continue };
        let targets: Vec<(String, String)> = s
            .webhooks
            .subscriptions
            .iter()
            .filter(|sub| sub.status == SubscriptionStatus::Active && sub.organization_id == ev.organization_id)
            .filter(|sub| owner_matches(sub, &ev.owner))
            .filter(|sub| sub.event_types.iter().any(|t| t.as_str() == ev.event_type))
            .map(|sub| (sub.id.clone(), sub.url.clone()))
            .collect();
        for (subscription_id, url) in targets {
            s.webhooks.deliveries.push(DeliveryRec {
                id: uuid4(),
                subscription_id,
                organization_id: ev.organization_id.clone(),
                event_type: ev.event_type.clone(),
                url,
                request_id: uuid4(),
                identity_id: ev.identity_id.clone(),
                body: body.clone(),
                status: DeliveryStatus::Pending,
                created_at: now,
                updated_at: now,
                due_real_ms: Some(now_real),
                attempts: Vec::new(),
            });
        }
    }
    prune_log(&mut s.webhooks.deliveries);
}

/// Drops the oldest finished deliveries beyond [`LOG_LIMIT`].
fn prune_log(log: &mut Vec<DeliveryRec>) {
    let mut excess = log.len().saturating_sub(LOG_LIMIT);
    if excess > 0 {
        log.retain(|d| {
            if excess > 0 && d.status != DeliveryStatus::Pending {
                excess -= 1;
                false
            } else {
                true
            }
        });
    }
}

/// The key that signs a delivery: the identity's own key, else the org's
/// legacy key, else none (the delivery goes out unsigned).
fn signing_secret(s: &State, identity_id: Option<&str>, org_id: &str) -> Option<String> {
    identity_id
        .and_then(|id| s.identity_by_id(id))
        .and_then(|i| i.signing_key.as_ref())
        .or_else(|| s.orgs.iter().find(|o| o.id == org_id).and_then(|o| o.signing_key.as_ref()))
        .map(|k| k.secret.clone())
}

// ------------------------------------------------------------ delivery

/// One attempt to make, claimed under the lock and made without it.
#[derive(Debug)]
struct Job {
    delivery_id: String,
    url: String,
    body: String,
    request_id: String,
    secret: Option<String>,
    attempt: u32,
}

/// Wakes the worker (events queued, config changed).
struct Wake {
    pending: Mutex<bool>,
    cv: Condvar,
}

static WAKE: Wake = Wake { pending: Mutex::new(false), cv: Condvar::new() };
/// Serializes delivery passes (the worker's and `flush`'s).
static DELIVERING: Mutex<()> = Mutex::new(());

fn wake_worker() {
    let mut p = WAKE.pending.lock().unwrap_or_else(PoisonError::into_inner);
    *p = true;
    WAKE.cv.notify_all();
}

fn wait_for_wake(timeout: Duration) {
    let mut p = WAKE.pending.lock().unwrap_or_else(PoisonError::into_inner);
    if !*p {
        p = WAKE.cv.wait_timeout(p, timeout).map(|(g, _)| g).unwrap_or_else(|e| e.into_inner().0);
    }
    *p = false;
}

/// Starts the background delivery thread.
pub(crate) fn start_worker(app: Arc<App>) -> Result<(), String> {
    std::thread::Builder::new()
        .name("webhook-delivery".into())
        .spawn(move || {
            loop {
                let auto = app.read(|s, _| s.webhooks.config.auto_deliver);
                let wait = match auto.then(|| run_pass(&app, false)) {
                    None => IDLE_WAIT,
                    Some(None) => ERROR_WAIT,
                    Some(Some(_)) => next_wait(&app),
                };
                wait_for_wake(wait);
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the webhook delivery thread: {e}"))
}

/// How long until the next retry is due (or [`IDLE_WAIT`]).
fn next_wait(app: &App) -> Duration {
    let now = real_now_ms();
    app.read(|s, _| {
        if !s.webhooks.queue.is_empty() {
            return Duration::ZERO;
        }
        s.webhooks
            .deliveries
            .iter()
            .filter(|d| d.status == DeliveryStatus::Pending)
            .map(|d| d.due_real_ms.unwrap_or(now).saturating_sub(now).max(0))
            .min()
            .map_or(IDLE_WAIT, |ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0)).min(IDLE_WAIT))
    })
}

/// Fans out the queue and makes one attempt of every due delivery (`force`:
/// every pending one, whatever its backoff). Returns the ids attempted or
/// canceled, or `None` when the claim could not be persisted.
fn run_pass(app: &App, force: bool) -> Option<Vec<String>> {
    let _serial = DELIVERING.lock().unwrap_or_else(PoisonError::into_inner);
    let now_real = real_now_ms();
    let has_work = app
        .read(|s, _| !s.webhooks.queue.is_empty() || s.webhooks.deliveries.iter().any(|d| d.is_due(now_real, force)));
    if !has_work {
        return Some(Vec::new());
    }
    let claimed = app.mutate(|s, clock| {
        fan_out(s, clock);
        Ok(claim(s, clock, now_real, force))
    });
    let (jobs, mut touched, config) = claimed.ok()?;
    for job in jobs {
        touched.push(job.delivery_id.clone());
        attempt(app, job, &config);
    }
    Some(touched)
}

/// The attempts to make now; deliveries whose subscription is gone are canceled.
fn claim(s: &mut State, clock: Clock, now_real: i64, force: bool) -> (Vec<Job>, Vec<String>, DeliveryConfig) {
    let mut jobs = Vec::new();
    let mut canceled = Vec::new();
    let now = clock.timestamp();
    let subs = &s.webhooks.subscriptions;
    let mut live = Vec::new();
    for d in s.webhooks.deliveries.iter().filter(|d| d.is_due(now_real, force)) {
        let sub = subs.iter().find(|sub| sub.id == d.subscription_id && sub.status == SubscriptionStatus::Active);
        live.push((d.id.clone(), sub.map(|sub| sub.url.clone())));
    }
    for (id, url) in live {
        let Some(d) = s.webhooks.deliveries.iter().find(|d| d.id == id) else { continue };
        match url {
            Some(url) => jobs.push(Job {
                delivery_id: id,
                url,
                body: d.body.clone(),
                request_id: d.request_id.clone(),
                secret: signing_secret(s, d.identity_id.as_deref(), &d.organization_id),
                attempt: u32::try_from(d.attempts.len()).unwrap_or(u32::MAX).saturating_add(1),
            }),
            None => canceled.push(id),
        }
    }
    for d in s.webhooks.deliveries.iter_mut().filter(|d| canceled.contains(&d.id)) {
        d.status = DeliveryStatus::Canceled;
        d.due_real_ms = None;
        d.updated_at = now;
    }
    (jobs, canceled, s.webhooks.config.clone())
}

/// Makes one attempt (no lock held during the POST) and records it.
fn attempt(app: &App, job: Job, config: &DeliveryConfig) {
    let (started_at, unix) = app.read(|_, c| (c.timestamp(), u64::try_from(c.now_ms.div_euclid(1000)).unwrap_or(0)));
    let body = job.body.as_bytes();
    let signed = job.secret.as_deref().and_then(|k| signature_headers(k, &job.request_id, unix, body));
    let is_signed = signed.is_some();
    let headers = signed.unwrap_or_else(|| {
        vec![
            ("X-Inkbox-Request-ID".to_owned(), job.request_id.clone()),
            ("X-Inkbox-Timestamp".to_owned(), unix.to_string()),
        ]
    });
    let t0 = Instant::now();
    let answer = post_json(&job.url, &headers, body, Duration::from_millis(config.timeout_ms));
    let duration_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
    let _ = app.mutate(|s, clock| {
        let cfg = s.webhooks.config.clone();
        let Some(d) = s.webhooks.deliveries.iter_mut().find(|d| d.id == job.delivery_id) else { return Ok(()) };
        if d.status != DeliveryStatus::Pending {
            return Ok(());
        }
        let ok = answer.as_ref().is_ok_and(|a| (200..300).contains(&a.status));
        let last = job.attempt >= cfg.max_attempts;
        let outcome = if ok {
            d.status = DeliveryStatus::Delivered;
            d.due_real_ms = None;
            "delivered"
        } else if last {
            d.status = DeliveryStatus::Failed;
            d.due_real_ms = None;
            "failed"
        } else {
            let wait = i64::try_from(cfg.delay_after(job.attempt)).unwrap_or(i64::MAX);
            d.due_real_ms = Some(real_now_ms().saturating_add(wait));
            "retry"
        };
        d.url = job.url.clone();
        d.updated_at = clock.timestamp();
        d.attempts.push(AttemptRec {
            attempt: job.attempt,
            url: job.url.clone(),
            request_id: job.request_id.clone(),
            timestamp: unix,
            signed: is_signed,
            started_at,
            finished_at: clock.timestamp(),
            duration_ms,
            status_code: answer.as_ref().ok().map(|a| a.status),
            response_body: answer
                .as_ref()
                .ok()
                .map(|a| String::from_utf8_lossy(&a.body).chars().take(LOGGED_BODY_CHARS).collect()),
            error: answer.as_ref().err().cloned(),
            outcome: outcome.to_owned(),
        });
        Ok(())
    });
}

// ------------------------------------------------------------ control API

/// Handles a control-API route (`/_emulator/…`, admin key already checked)
/// if it belongs to this module. Called without the state lock held: use
/// [`App::read`] / [`App::mutate`].
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    let reply = match (method, path) {
        (Method::Get, "/_emulator/deliveries") => list_deliveries(app, ctx),
        (Method::Post, "/_emulator/deliveries/flush") => flush(app, ctx),
        (Method::Get, "/_emulator/webhooks/config") => app.read(|s, _| Ok(Reply::model(200, &s.webhooks.config))),
        (Method::Post, "/_emulator/webhooks/config") => set_config(app, ctx),
        (Method::Post, "/_emulator/mail/inbound") => {
            app.mutate(|s, clock| crate::mail::inject_inbound(s, &Ctx { clock, ..ctx_copy(ctx) }))
        }
        (_, "/_emulator/deliveries" | "/_emulator/deliveries/flush" | "/_emulator/webhooks/config")
        | (_, "/_emulator/mail/inbound") => Err(Reply::detail(405, "Method Not Allowed")),
        _ => return None,
    };
    Some(reply.unwrap_or_else(|e| e))
}

/// A copy of the control request's context (the clock is replaced under the lock).
fn ctx_copy(ctx: &Ctx) -> Ctx {
    Ctx {
        caller: ctx.caller.clone(),
        params: ctx.params.clone(),
        query: ctx.query.clone(),
        body: ctx.body.clone(),
        clock: ctx.clock,
        base_url: ctx.base_url.clone(),
    }
}

fn list_deliveries(app: &App, ctx: &Ctx) -> R {
    let status = match ctx.query("status") {
        None | Some("") => None,
        Some(v) => Some(
            DeliveryStatus::from_wire(v)
                .ok_or_else(|| unprocessable("status must be one of pending, delivered, failed, canceled"))?,
        ),
    };
    let sub = ctx.query("subscription_id").filter(|v| !v.is_empty()).map(str::to_ascii_lowercase);
    let event = ctx.query("event_type").filter(|v| !v.is_empty());
    Ok(app.read(|s, clock| {
        let items: Vec<Value> = s
            .webhooks
            .deliveries
            .iter()
            .filter(|d| status.is_none_or(|st| d.status == st))
            .filter(|d| sub.as_ref().is_none_or(|id| &d.subscription_id == id))
            .filter(|d| event.is_none_or(|e| d.event_type == e))
            .map(|d| d.view(clock))
            .collect();
        Reply::json(200, json!({ "deliveries": items, "queued_events": s.webhooks.queue.len() }))
    }))
}

/// Delivers now: one attempt of every pending delivery whatever its backoff;
/// with `{"settle": true}`, repeats until none is pending (retries back to back).
fn flush(app: &App, ctx: &Ctx) -> R {
    let v = ctx.json()?;
    let settle = match v.get("settle") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(unprocessable("settle must be a boolean")),
    };
    let mut touched: Vec<String> = Vec::new();
    loop {
        let ids = run_pass(app, true).ok_or_else(|| Reply::detail(500, "emulator persistence failed"))?;
        let progressed = !ids.is_empty();
        for id in ids {
            if !touched.contains(&id) {
                touched.push(id);
            }
        }
        if !settle || !progressed {
            break;
        }
    }
    Ok(app.read(|s, clock| {
        let items: Vec<Value> =
            s.webhooks.deliveries.iter().filter(|d| touched.contains(&d.id)).map(|d| d.view(clock)).collect();
        let pending = s.webhooks.deliveries.iter().filter(|d| d.status == DeliveryStatus::Pending).count();
        Reply::json(200, json!({ "deliveries": items, "pending": pending }))
    }))
}

fn set_config(app: &App, ctx: &Ctx) -> R {
    let v = ctx.json()?;
    let obj = v.as_object().ok_or_else(|| unprocessable("body must be a JSON object"))?;
    let int = |key: &str, lo: u64, hi: u64| -> Result<Option<u64>, Reply> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => match x.as_u64() {
                Some(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
                _ => Err(unprocessable(&format!("{key} must be an integer between {lo} and {hi}"))),
            },
        }
    };
    if let Some(k) = obj.keys().find(|k| {
        !matches!(
            k.as_str(),
            "max_attempts" | "initial_delay_ms" | "backoff_multiplier" | "max_delay_ms" | "timeout_ms" | "auto_deliver"
        )
    }) {
        return Err(unprocessable(&format!("unknown setting {k}")));
    }
    let max_attempts = int("max_attempts", 1, 20)?;
    let initial = int("initial_delay_ms", 0, 3_600_000)?;
    let mult = int("backoff_multiplier", 1, 10)?;
    let max_delay = int("max_delay_ms", 0, 3_600_000)?;
    let timeout = int("timeout_ms", 100, 120_000)?;
    let auto = match obj.get("auto_deliver") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(unprocessable("auto_deliver must be a boolean")),
    };
    let out = app.mutate(|s, _| {
        let c = &mut s.webhooks.config;
        if let Some(n) = max_attempts {
            c.max_attempts = u32::try_from(n).unwrap_or(c.max_attempts);
        }
        if let Some(n) = initial {
            c.initial_delay_ms = n;
        }
        if let Some(n) = mult {
            c.backoff_multiplier = u32::try_from(n).unwrap_or(c.backoff_multiplier);
        }
        if let Some(n) = max_delay {
            c.max_delay_ms = n;
        }
        if let Some(n) = timeout {
            c.timeout_ms = n;
        }
        if let Some(b) = auto {
            c.auto_deliver = b;
        }
        Ok(c.clone())
    })?;
    wake_worker();
    Ok(Reply::model(200, &out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn backoff_schedule() {
        let c = DeliveryConfig::default();
        let waits: Vec<u64> = (1..=4).map(|n| c.delay_after(n)).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000]);
        let c = DeliveryConfig { backoff_multiplier: 10, max_delay_ms: 20_000, ..DeliveryConfig::default() };
        assert_eq!(c.delay_after(3), 20_000);
        assert_eq!(c.delay_after(40), 20_000);
    }

    #[test]
    fn log_pruning_keeps_pending() {
        let now = Timestamp::from_unix(0, 0);
        let rec = |status| DeliveryRec {
            id: uuid4(),
            subscription_id: String::new(),
            organization_id: String::new(),
            event_type: String::new(),
            url: String::new(),
            request_id: String::new(),
            identity_id: None,
            body: String::new(),
            status,
            created_at: now,
            updated_at: now,
            due_real_ms: None,
            attempts: Vec::new(),
        };
        let mut log = vec![rec(DeliveryStatus::Pending)];
        log.extend((0..LOG_LIMIT + 5).map(|_| rec(DeliveryStatus::Delivered)));
        prune_log(&mut log);
        assert_eq!(log.len(), LOG_LIMIT);
        assert_eq!(log.first().map(|d| d.status), Some(DeliveryStatus::Pending));
    }
}
