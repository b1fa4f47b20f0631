//! Request pipeline: faults → routing by core's catalog → auth → handler →
//! the changed records queued for the store; the response waits (without the
//! lock) until they, and everything the request read, are committed.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use inkbox_core::api::catalog::{self, Auth, Operation};
use inkbox_core::api::keys::{ApiKey, ApiKeyStatus, CreatorType};
use inkbox_core::api::request::Method;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::state::{ApiKeyRec, Fault, IdempotencyRec, Org, State};
use crate::store::{Batch, Persister};
use crate::util::{Clock, random_hex, uuid4};
use crate::{agentpost, handlers, imessage, phone, signup, texts, tunnels, vault, webhooks};

/// Largest request body accepted.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Inserted into each request's extensions: notifying it drops the connection.
#[derive(Clone, Debug)]
pub(crate) struct ConnKill(pub(crate) Arc<Notify>);

/// A handler's answer: status, optional JSON body, extra headers.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(String, String)>,
    /// A non-JSON body and its content type (wins over `body`).
    pub(crate) raw: Option<(Vec<u8>, String)>,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Reply { status, body: Some(body), headers: Vec::new(), raw: None }
    }

    /// Serializes a model; a serialization failure becomes a 500.
    pub(crate) fn model<T: serde::Serialize>(status: u16, model: &T) -> Self {
        match serde_json::to_value(model) {
            Ok(v) => Reply::json(status, v),
            Err(e) => Reply::detail(500, &format!("cannot serialize response: {e}")),
        }
    }

    pub(crate) fn empty(status: u16) -> Self {
        Reply { status, body: None, headers: Vec::new(), raw: None }
    }

    /// Raw bytes with a content type.
    pub(crate) fn bytes(status: u16, data: Vec<u8>, content_type: &str) -> Self {
        Reply { status, body: None, headers: Vec::new(), raw: Some((data, content_type.to_owned())) }
    }

    /// `{"detail": "<message>"}`.
    pub(crate) fn detail(status: u16, message: &str) -> Self {
        Reply::json(status, json!({ "detail": message }))
    }

    /// `{"detail": {"error": code, "message": message, ...extra}}`.
    pub(crate) fn error(status: u16, code: &str, message: &str, extra: Value) -> Self {
        let mut d = serde_json::Map::new();
        d.insert("error".into(), code.into());
        d.insert("message".into(), message.into());
        if let Value::Object(m) = extra {
            d.extend(m);
        }
        Reply::json(status, json!({ "detail": d }))
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Reply::detail(404, &format!("{what} not found"))
    }

    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = match (self.raw, self.body) {
            (Some((bytes, ctype)), _) => {
                let mut r = Response::new(Body::from(bytes));
                if let Ok(v) = HeaderValue::try_from(ctype) {
                    r.headers_mut().insert("content-type", v);
                }
                r
            }
            (None, Some(v)) => {
                let bytes = serde_json::to_vec(&v).unwrap_or_else(|_| b"{}".to_vec());
                let mut r = Response::new(Body::from(bytes));
                r.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
                r
            }
            (None, None) => Response::new(Body::empty()),
        };
        *resp.status_mut() = status;
        for (n, v) in self.headers {
            if let (Ok(n), Ok(v)) = (HeaderName::try_from(n), HeaderValue::try_from(v)) {
                resp.headers_mut().append(n, v);
            }
        }
        resp
    }
}

/// 422 with a plain `detail` message (the Inkbox validation shape).
pub(crate) fn unprocessable(msg: &str) -> Reply {
    Reply::detail(422, msg)
}

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Caller {
    /// An admin-scoped key of `org_id`.
    Admin { org_id: String, key_id: String },
    /// An identity-scoped key.
    Agent { org_id: String, key_id: String, identity_id: String },
    /// A public (unauthenticated) operation.
    Anonymous,
}

impl Caller {
    pub(crate) fn org_id(&self) -> Option<&str> {
        match self {
            Caller::Admin { org_id, .. } | Caller::Agent { org_id, .. } => Some(org_id),
            Caller::Anonymous => None,
        }
    }

    pub(crate) fn key_id(&self) -> Option<&str> {
        match self {
            Caller::Admin { key_id, .. } | Caller::Agent { key_id, .. } => Some(key_id),
            Caller::Anonymous => None,
        }
    }

    pub(crate) fn is_admin(&self) -> bool {
        matches!(self, Caller::Admin { .. })
    }
}

/// The credentials a request carries.
#[derive(Clone, Copy, Debug)]
struct Credentials<'a> {
    /// `X-API-Key`.
    api_key: Option<&'a str>,
    /// The token of `Authorization: Bearer …` (AgentPost).
    bearer: Option<&'a str>,
    /// `Idempotency-Key`.
    idempotency_key: Option<&'a str>,
    /// `Content-Type` (checked on PATCH bodies).
    content_type: Option<&'a str>,
}

/// Everything a handler gets besides the state.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) caller: Caller,
    pub(crate) params: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Bytes,
    pub(crate) clock: Clock,
    /// The configured public origin (`--public-url`, default the bound
    /// address) for URLs pointing back at the emulator; never the `Host` header.
    pub(crate) base_url: String,
}

impl Ctx {
    /// Path parameter `i` (always present for a matched template).
    pub(crate) fn param(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or_default()
    }

    /// The body as JSON; an absent body reads as `{}`.
    pub(crate) fn json(&self) -> Result<Value, Reply> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_slice(&self.body).map_err(|e| Reply::detail(422, &format!("invalid JSON body: {e}")))
    }

    /// The body parsed into one of core's input types (422 when it does not fit).
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Reply> {
        let v = self.json()?;
        serde_json::from_value(v).map_err(|e| Reply::detail(422, &format!("invalid request body: {e}")))
    }

    /// The `limit` query of a list: `default` when absent, else 1..=`max` (422 otherwise).
    pub(crate) fn limit(&self, default: u32, max: u32) -> Result<usize, Reply> {
        match self.query("limit") {
            None => Ok(default as usize),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n as usize),
                _ => Err(unprocessable(&format!("limit must be an integer between 1 and {max}"))),
            },
        }
    }

    /// The `offset` query of an offset-paged list: 0 when absent (422 if not a count).
    pub(crate) fn offset(&self) -> Result<usize, Reply> {
        match self.query("offset") {
            None => Ok(0),
            Some(v) => v.parse::<usize>().map_err(|_| unprocessable("offset must be a non-negative integer")),
        }
    }

    /// First query value of `key`.
    #[allow(dead_code)]
    pub(crate) fn query(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

struct Inner {
    state: State,
    /// Bumped when the state is reloaded from the store after a failed write.
    generation: u64,
    /// Seq of the last batch handed to the store.
    seq: u64,
    /// The meta record last handed to the store.
    last_meta: String,
}

thread_local! {
    /// The latest (generation, seq) this thread saw under the lock: a
    /// response may go out only once that much is committed.
    static BARRIER: std::cell::Cell<Option<(u64, u64)>> = const { std::cell::Cell::new(None) };
}

/// The state lock; on release it records what the thread has seen in [`BARRIER`].
struct Guard<'a>(MutexGuard<'a, Inner>);

impl std::ops::Deref for Guard<'_> {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::ops::DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.0
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        let seen = (self.0.generation, self.0.seq);
        BARRIER.with(|b| b.set(Some(seen)));
    }
}

/// The running emulator.
pub(crate) struct App {
    inner: Mutex<Inner>,
    /// The store's writer (with `--data`).
    store: Option<Persister>,
    pub(crate) admin_key: String,
    pub(crate) org_id: String,
    data: Option<PathBuf>,
    /// Origin of the absolute URLs handed out (set once, after binding).
    public_url: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("org_id", &self.org_id).field("data", &self.data).finish()
    }
}

impl App {
    /// Loads the state from `data` (or starts fresh) and makes sure one org
    /// with one admin key exists.
    pub(crate) fn open(data: Option<PathBuf>) -> Result<Self, String> {
        let (loaded, store) = match &data {
            Some(p) => {
                let (state, store) = crate::store::open(p)?;
                (state, Some(store))
            }
            None => (None, None),
        };
        let mut state = loaded.unwrap_or_default();
        crate::mail::init_link_key()?;
        let clock = Clock::with_offset(state.clock_offset_ms);
        let fresh = state.orgs.is_empty();
        if fresh {
            bootstrap(&mut state, clock);
        }
        let org_id = state.orgs.first().map(|o| o.id.clone()).ok_or("no organization")?;
        let admin_key = state
            .api_keys
            .iter()
            .find(|k| k.record.organization_id == org_id && k.record.scoped_identity_id.is_none())
            .map(|k| k.secret.clone())
            .ok_or("no admin key")?;
        let app = App {
            inner: Mutex::new(Inner { state, generation: 0, seq: 0, last_meta: String::new() }),
            store,
            admin_key,
            org_id,
            data,
            public_url: std::sync::OnceLock::new(),
        };
        if fresh {
            let mut inner = app.lock();
            app.persist(&mut inner)?;
            let (generation, seq) = (inner.generation, inner.seq);
            drop(inner);
            if let Some(store) = &app.store {
                store.wait(generation, seq)?;
            }
        }
        Ok(app)
    }

    /// Hands the state's changes to the store (under the lock; a no-op
    /// besides forgetting them without `--data`).
    fn persist(&self, inner: &mut Inner) -> Result<(), String> {
        inner.state.mutations = inner.state.mutations.saturating_add(1);
        let Some(store) = &self.store else {
            for (_, fam) in inner.state.families() {
                fam.discard_changes();
            }
            return Ok(());
        };
        let (meta, families) = crate::store::take_batch(&mut inner.state, &mut inner.last_meta)?;
        if meta.is_none() && families.is_empty() {
            return Ok(());
        }
        let seq = inner.seq.saturating_add(1);
        store.submit(Batch { generation: inner.generation, seq, meta, families })?;
        inner.seq = seq;
        Ok(())
    }

    /// After a failed write: waits out the batches in flight, then reloads
    /// the committed state (keeping the runtime-only faults) and starts a new
    /// generation. Called with the lock held.
    fn rollback(&self, inner: &mut Inner) {
        let Some(store) = &self.store else { return };
        let _ = store.wait(inner.generation, inner.seq);
        match store.reload() {
            Ok(mut state) => {
                state.faults = std::mem::take(&mut inner.state.faults);
                inner.state = state;
                inner.last_meta.clear();
                inner.generation = inner.generation.saturating_add(1);
            }
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "inkbox-emulator: cannot reload the state: {e}");
            }
        }
    }

    /// Waits until everything this thread saw under the lock is committed;
    /// a failed write (of this request or one it read) becomes a 500.
    fn settle(&self, reply: Reply) -> Reply {
        let Some(seen) = BARRIER.with(|b| b.take()) else { return reply };
        match self.wait_for(seen) {
            Ok(()) => reply,
            Err(r) => r,
        }
    }

    fn wait_for(&self, (generation, seq): (u64, u64)) -> Result<(), Reply> {
        let Some(store) = &self.store else { return Ok(()) };
        match store.wait(generation, seq) {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut inner = self.lock();
                if inner.generation == generation {
                    self.rollback(&mut inner);
                }
                Err(Reply::detail(500, &format!("emulator persistence failed: {e}")))
            }
        }
    }

    /// Sets the origin of absolute URLs (`--public-url` or the bound address).
    pub(crate) fn set_public_url(&self, url: String) {
        let _ = self.public_url.set(url);
    }

    fn lock(&self) -> Guard<'_> {
        Guard(self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Reads the state under the lock.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&State, Clock) -> T) -> T {
        let inner = self.lock();
        let clock = Clock::with_offset(inner.state.clock_offset_ms);
        f(&inner.state, clock)
    }

    /// Changes the state under the lock; on `Ok` the change is persisted
    /// (with `--data`) and committed before this returns (the lock is
    /// released while waiting); if persisting fails the state is reloaded
    /// from the store and a 500 is returned. Background workers and control
    /// hooks use this.
    pub(crate) fn mutate<T>(&self, f: impl FnOnce(&mut State, Clock) -> Result<T, Reply>) -> Result<T, Reply> {
        let mut inner = self.lock();
        let clock = Clock::with_offset(inner.state.clock_offset_ms);
        let out = f(&mut inner.state, clock)?;
        if let Err(e) = self.persist(&mut inner) {
            self.rollback(&mut inner);
            return Err(Reply::detail(500, &format!("emulator persistence failed: {e}")));
        }
        let seen = (inner.generation, inner.seq);
        drop(inner);
        self.wait_for(seen)?;
        Ok(out)
    }

    /// Takes one use of the first fault matching `path`.
    fn take_fault(&self, path: &str) -> Option<Fault> {
        let mut inner = self.lock();
        let faults = &mut inner.state.faults;
        let i = faults.iter().position(|f| f.path_prefix.as_deref().is_none_or(|p| path.starts_with(p)))?;
        let f = faults.get_mut(i)?;
        let taken = f.clone();
        f.remaining = f.remaining.saturating_sub(1);
        if f.remaining == 0 {
            faults.remove(i);
        }
        Some(taken)
    }

    /// Runs one request synchronously (called on a blocking thread).
    fn dispatch(
        &self,
        method: Option<Method>,
        raw_path: &str,
        query: &str,
        creds: Credentials<'_>,
        body: Bytes,
        base_url: String,
    ) -> Reply {
        if raw_path == "/_emulator" || raw_path.starts_with("/_emulator/") {
            return self.control(method, raw_path, query, creds.api_key, body);
        }
        let (op, params) = match route(method, raw_path) {
            Routed::Found(op, params) => (op, params),
            Routed::MethodNotAllowed => return Reply::detail(405, "Method Not Allowed"),
            Routed::NotFound => return Reply::detail(404, "Not Found"),
        };
        let mut inner = self.lock();
        let clock = Clock::with_offset(inner.state.clock_offset_ms);
        let caller = match op.auth {
            Auth::None => Caller::Anonymous,
            Auth::ApiKey => match authenticate(&mut inner.state, creds.api_key, clock) {
                Some(c) => c,
                None => return Reply::detail(401, "Invalid or missing API key"),
            },
            Auth::Bearer => match agentpost::authenticate(&inner.state, creds.bearer) {
                Some(c) => c,
                None => return agentpost::unauthorized(),
            },
        };
        if op.method == Method::Patch
            && let Err(reply) = crate::patch_body::check(op.name, creds.content_type, &body)
        {
            return reply;
        }
        let mutating = op.method != Method::Get;
        let idem = match (mutating, creds.idempotency_key, caller.key_id()) {
            (true, Some(k), Some(scope)) => {
                if k.is_empty() || k.len() > 255 {
                    return Reply::detail(422, "Idempotency-Key must be 1-255 characters");
                }
                let fp = fingerprint(op.method, raw_path, query, &body);
                inner.state.idempotency.retain(|r| clock.now_ms - r.at_ms < IDEMPOTENCY_TTL_MS);
                if let Some(prev) = inner.state.idempotency.iter().find(|r| r.scope == scope && r.key == k) {
                    if prev.fingerprint != fp {
                        return Reply::error(
                            409,
                            "idempotency_key_reused",
                            "This Idempotency-Key was used with a different request",
                            Value::Null,
                        );
                    }
                    let mut reply = Reply {
                        status: prev.status,
                        body: prev.body.clone(),
                        headers: prev.headers.clone(),
                        raw: None,
                    };
                    reply.headers.push(("Idempotent-Replayed".into(), "true".into()));
                    return reply;
                }
                Some((scope.to_owned(), k.to_owned(), fp))
            }
            _ => None,
        };
        let ctx = Ctx { caller, params, query: parse_query(query), body, clock, base_url };
        let reply = handlers::dispatch(op, &mut inner.state, &ctx);
        if let (Some((scope, key, fingerprint)), true, None) = (idem, reply.is_success(), &reply.raw) {
            inner.state.idempotency.push(IdempotencyRec {
                scope,
                key,
                fingerprint,
                status: reply.status,
                body: reply.body.clone(),
                headers: reply.headers.clone(),
                at_ms: clock.now_ms,
            });
        }
        // A refused request may still have changed the state (e.g. a counted
        // failed verification attempt); the handler says so with this flag.
        let force = std::mem::take(&mut inner.state.persist_refused);
        if ((mutating && reply.is_success()) || force)
            && let Err(e) = self.persist(&mut inner)
        {
            self.rollback(&mut inner);
            return Reply::detail(500, &format!("emulator persistence failed: {e}"));
        }
        reply
    }

    fn control(&self, method: Option<Method>, raw_path: &str, query: &str, key: Option<&str>, body: Bytes) -> Reply {
        let path = raw_path.trim_end_matches('/');
        let core = CORE_CONTROL_ROUTES.contains(&path);
        if let Some(token) = raw_path.strip_prefix(imessage::MEDIA_PREFIX) {
            // Uploaded iMessage media: no API key needed.
            if method != Some(Method::Get) {
                return Reply::detail(405, "Method Not Allowed");
            }
            return self.read(|s, _| imessage::serve_media(s, token));
        }
        if !core && !raw_path.starts_with("/_emulator/files/") {
            return self.module_control(method, path, query, key, body);
        }
        let mut inner = self.lock();
        if let Some(token) = raw_path.strip_prefix("/_emulator/files/") {
            // Signed download URLs: no API key needed.
            if method != Some(Method::Get) {
                return Reply::detail(405, "Method Not Allowed");
            }
            let clock = Clock::with_offset(inner.state.clock_offset_ms);
            return handlers::serve_file(&inner.state, token, clock);
        }
        let is_admin = key.is_some_and(|k| {
            inner.state.api_keys.iter().any(|r| {
                r.secret == k && r.record.status == ApiKeyStatus::Active && r.record.scoped_identity_id.is_none()
            })
        });
        if !is_admin {
            return Reply::detail(401, "the control API needs an admin API key");
        }
        let clock = Clock::with_offset(inner.state.clock_offset_ms);
        let ctx = Ctx {
            caller: Caller::Anonymous,
            params: Vec::new(),
            query: Vec::new(),
            body,
            clock,
            base_url: String::new(),
        };
        let reply = match (method, path) {
            (Some(Method::Get), "/_emulator/state") => Reply::json(200, self.summary(&inner.state, clock)),
            (Some(Method::Get), "/_emulator/clock") => Reply::json(200, clock_json(clock)),
            (Some(Method::Post), "/_emulator/clock") => match set_clock(&mut inner.state, &ctx) {
                Ok(c) => Reply::json(200, clock_json(c)),
                Err(r) => r,
            },
            (Some(Method::Get), "/_emulator/faults") => Reply::model(200, &inner.state.faults),
            (Some(Method::Delete), "/_emulator/faults") => {
                inner.state.faults.clear();
                Reply::empty(204)
            }
            (Some(Method::Post), "/_emulator/faults") => match parse_fault(&ctx) {
                Ok(f) => {
                    inner.state.faults.push(f);
                    Reply::json(201, json!({ "pending": inner.state.faults.len() }))
                }
                Err(r) => r,
            },
            (Some(Method::Get), "/_emulator/outbox") => Reply::json(200, Value::Array(inner.state.outbox.to_vec())),
            (Some(m @ (Method::Get | Method::Post)), "/_emulator/phone/config") => {
                match phone::config(&mut inner.state, &ctx, m == Method::Post) {
                    Ok(v) => Reply::json(200, v),
                    Err(r) => r,
                }
            }
            (Some(Method::Post), "/_emulator/transcripts") => match phone::inject_transcript(&mut inner.state, &ctx) {
                Ok(t) => Reply::model(201, &t),
                Err(r) => r,
            },
            // Only core routes get here (the rest went to the modules above).
            _ => Reply::detail(405, "Method Not Allowed"),
        };
        let persisted = matches!(path, "/_emulator/clock" | "/_emulator/transcripts" | "/_emulator/phone/config");
        if persisted
            && method == Some(Method::Post)
            && reply.is_success()
            && let Err(e) = self.persist(&mut inner)
        {
            self.rollback(&mut inner);
            return Reply::detail(500, &format!("emulator persistence failed: {e}"));
        }
        reply
    }

    fn is_admin_key(&self, key: Option<&str>) -> bool {
        let inner = self.lock();
        key.is_some_and(|k| {
            inner.state.api_keys.iter().any(|r| {
                r.secret == k && r.record.status == ApiKeyStatus::Active && r.record.scoped_identity_id.is_none()
            })
        })
    }

    /// Control routes owned by feature modules (called without the lock).
    fn module_control(&self, method: Option<Method>, path: &str, query: &str, key: Option<&str>, body: Bytes) -> Reply {
        if !self.is_admin_key(key) {
            return Reply::detail(401, "the control API needs an admin API key");
        }
        let Some(method) = method else { return Reply::detail(405, "Method Not Allowed") };
        let clock = self.read(|_, c| c);
        let ctx = Ctx {
            caller: Caller::Admin { org_id: self.org_id.clone(), key_id: String::new() },
            params: Vec::new(),
            query: parse_query(query),
            body,
            clock,
            base_url: String::new(),
        };
        texts::control(self, method, path, &ctx)
            .or_else(|| imessage::control(self, method, path, &ctx))
            .or_else(|| signup::control(self, method, path, &ctx))
            .or_else(|| vault::control(self, method, path, &ctx))
            .or_else(|| webhooks::control(self, method, path, &ctx))
            .or_else(|| tunnels::control(self, method, path, &ctx))
            .unwrap_or_else(|| Reply::detail(404, "Not Found"))
    }

    fn summary(&self, s: &State, clock: Clock) -> Value {
        json!({
            "organization_id": self.org_id,
            "data": self.data.as_ref().map(|p| p.display().to_string()),
            "clock": clock_json(clock),
            "mutations": s.mutations,
            "orgs": s.orgs.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
            "identities": s.identities.iter().map(|i| json!({
                "id": i.id, "agent_handle": i.agent_handle, "organization_id": i.organization_id,
                "email_address": s.mailbox(&i.mailbox_id).map(|m| m.mailbox.email_address.clone()),
                "phone_number": i.phone_number_id.as_deref().and_then(|p| s.phone(p)).map(|p| p.number.clone()),
            })).collect::<Vec<_>>(),
            "counts": {
                "api_keys": s.api_keys.len(),
                "api_keys_active": s.api_keys.iter().filter(|k| k.record.status == ApiKeyStatus::Active).count(),
                "identities": s.identities.len(),
                "mailboxes": s.mailboxes.iter().filter(|m| !m.deleted).count(),
                "tunnels": s.tunnels.len(),
                "phone_numbers": s.phone_numbers.len(),
                "access_grants": s.access.len(),
                "outbox": s.outbox.len(),
                "messages": s.messages.len(),
                "threads": s.threads.len(),
                "calls": s.calls.len(),
                "transcripts": s.transcripts.len(),
            },
            "faults_pending": s.faults.iter().map(|f| u64::from(f.remaining)).sum::<u64>(),
        })
    }
}

/// The control routes served here (under the state lock); every other
/// `/_emulator/…` route but the file downloads belongs to a feature module.
const CORE_CONTROL_ROUTES: &[&str] = &[
    "/_emulator/state",
    "/_emulator/clock",
    "/_emulator/faults",
    "/_emulator/outbox",
    "/_emulator/transcripts",
    "/_emulator/phone/config",
];

/// How long a response stays replayable by its `Idempotency-Key`.
const IDEMPOTENCY_TTL_MS: i64 = 24 * 3600 * 1000;

/// FNV-1a over method, path, query and body: equal requests, equal prints.
fn fingerprint(method: Method, path: &str, query: &str, body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [method.as_str().as_bytes(), b"\0", path.as_bytes(), b"\0", query.as_bytes(), b"\0", body] {
        for b in part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn clock_json(c: Clock) -> Value {
    json!({ "now": c.secs_f64(), "now_iso": c.timestamp().to_rfc3339() })
}

fn set_clock(state: &mut State, ctx: &Ctx) -> Result<Clock, Reply> {
    let v = ctx.json()?;
    let now = Clock::with_offset(state.clock_offset_ms);
    let target_ms = if let Some(set) = v.get("set").and_then(Value::as_f64) {
        (set * 1000.0) as i64
    } else if let Some(adv) = v.get("advance").and_then(Value::as_f64) {
        now.now_ms.saturating_add((adv * 1000.0) as i64)
    } else {
        return Err(Reply::detail(422, "body must be {\"set\": unix_secs} or {\"advance\": secs}"));
    };
    state.clock_offset_ms = state.clock_offset_ms.saturating_add(target_ms.saturating_sub(now.now_ms));
    Ok(Clock::with_offset(state.clock_offset_ms))
}

/// A fault's answer: `{"detail": <its detail, else message>}`, with its
/// `agent_support` beside the detail when it has one.
fn fault_reply(status: u16, message: &str, fault: &Fault) -> Reply {
    let mut body = json!({ "detail": fault.detail.clone().unwrap_or_else(|| message.into()) });
    if let (Some(s), Some(m)) = (&fault.agent_support, body.as_object_mut()) {
        m.insert("agent_support".into(), s.as_str().into());
    }
    Reply::json(status, body)
}

fn parse_fault(ctx: &Ctx) -> Result<Fault, Reply> {
    let v = ctx.json()?;
    let count = v.get("count").map_or(Some(1), Value::as_u64).unwrap_or(0);
    if count == 0 {
        return Err(Reply::detail(422, "count must be a positive integer"));
    }
    let status = match v.get("status") {
        None | Some(Value::Null) => None,
        Some(s) => match s.as_u64().and_then(|n| u16::try_from(n).ok()) {
            Some(n) if (400..=599).contains(&n) => Some(n),
            _ => return Err(Reply::detail(422, "status must be an HTTP error status (400-599)")),
        },
    };
    let drop_connection = v.get("drop_connection").and_then(Value::as_bool).unwrap_or(false);
    let delay_ms = v.get("delay_ms").and_then(Value::as_u64);
    if v.get("after").and_then(Value::as_bool) == Some(true) && status.is_none() && !drop_connection {
        return Err(Reply::detail(422, "an `after` fault needs a status or drop_connection"));
    }
    if status.is_none() && !drop_connection && delay_ms.is_none() {
        return Err(Reply::detail(422, "a fault needs a status, delay_ms or drop_connection"));
    }
    Ok(Fault {
        remaining: u32::try_from(count).unwrap_or(u32::MAX),
        status,
        retry_after: v.get("retry_after").and_then(Value::as_u64),
        delay_ms,
        drop_connection,
        path_prefix: v.get("path_prefix").and_then(Value::as_str).map(String::from),
        detail: v.get("detail").filter(|d| !d.is_null()).cloned(),
        agent_support: v.get("agent_support").and_then(Value::as_str).map(String::from),
        after: v.get("after").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// A fresh org with one admin key.
fn bootstrap(state: &mut State, clock: Clock) {
    let org_id = format!("org_{}", random_hex(12));
    let now = clock.timestamp();
    let secret = format!("ApiKey_{}", random_hex(24));
    let record = ApiKey {
        id: format!("ApiKey_{}", uuid4()),
        organization_id: org_id.clone(),
        created_by: Some(String::from("user_emulator")),
        creator_type: Some(CreatorType::Human),
        scoped_identity_id: None,
        label: String::from("emulator admin"),
        description: None,
        status: ApiKeyStatus::Active,
        last4: Some(last4(&secret)),
        display_prefix: Some(String::from("ApiKey_")),
        last_used_at: None,
        expires_at: None,
        revoked_at: None,
        created_at: now,
        updated_at: now,
    };
    state.orgs.push(Org { id: org_id, signing_key: None });
    state.api_keys.push(ApiKeyRec { secret, record });
}

pub(crate) fn last4(secret: &str) -> String {
    let n = secret.chars().count();
    secret.chars().skip(n.saturating_sub(4)).collect()
}

/// Resolves `X-API-Key` to a caller (and records its use).
fn authenticate(state: &mut State, key: Option<&str>, clock: Clock) -> Option<Caller> {
    let key = key?;
    let rec = state.api_keys.find_mut(|r| r.secret == key && r.record.status == ApiKeyStatus::Active)?;
    rec.record.last_used_at = Some(clock.timestamp());
    let org_id = rec.record.organization_id.clone();
    let key_id = rec.record.id.clone();
    Some(match &rec.record.scoped_identity_id {
        None => Caller::Admin { org_id, key_id },
        Some(identity_id) => Caller::Agent { org_id, key_id, identity_id: identity_id.clone() },
    })
}

enum Routed {
    Found(&'static Operation, Vec<String>),
    MethodNotAllowed,
    NotFound,
}

/// Percent-decodes each segment, except that an encoded `/` stays `%2F` so
/// it cannot split a segment.
fn decode_path(raw: &str) -> String {
    raw.split('/')
        .map(|seg| {
            let keep = seg.replace("%2F", "%252F").replace("%2f", "%252F");
            percent_encoding::percent_decode_str(&keep).decode_utf8_lossy().into_owned()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Finds the operation: among templates matching the path with this method,
/// the one with literal segments earliest wins (`texts/search` before
/// `texts/{text_id}`).
fn route(method: Option<Method>, raw_path: &str) -> Routed {
    let path = decode_path(raw_path);
    // AgentPost (another product, paths relative to its `…/api/v1` base) is
    // served both at `/inboxes…` and, like its real base URL, `/api/v1/inboxes…`.
    let ap_path = path
        .strip_prefix("/api/v1")
        .filter(|p| *p == "/inboxes" || p.starts_with("/inboxes/"))
        .unwrap_or(path.as_str());
    let ops = catalog::all().map(|op| (op, path.as_str())).chain(catalog::agentpost().map(|op| (op, ap_path)));
    let mut any_path = false;
    let mut best: Option<(Vec<bool>, &'static Operation, Vec<String>)> = None;
    for (op, path) in ops {
        let Some(params) = op.match_path(path) else { continue };
        any_path = true;
        if Some(op.method) != method {
            continue;
        }
        let spec: Vec<bool> =
            op.path.trim_end_matches('/').split('/').map(|s| !(s.starts_with('{') && s.ends_with('}'))).collect();
        if best.as_ref().is_none_or(|(b, _, _)| spec > *b) {
            let params = params.into_iter().map(|p| p.replace("%2F", "/")).collect();
            best = Some((spec, op, params));
        }
    }
    match best {
        Some((_, op, params)) => Routed::Found(op, params),
        None if any_path => Routed::MethodNotAllowed,
        None => Routed::NotFound,
    }
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    let dec = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (dec(k), dec(v)),
            None => (dec(p), String::new()),
        })
        .collect()
}

fn core_method(m: &axum::http::Method) -> Option<Method> {
    Some(match m.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => return None,
    })
}

/// The single fallback handler of the axum router.
pub(crate) async fn handle(AxState(app): AxState<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let kill = parts.extensions.get::<ConnKill>().cloned();
    let raw_path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    // Which of several credentials would count is ambiguous (a proxy may
    // have checked one, a handler read another): refuse them all.
    let credentials =
        parts.headers.get_all("x-api-key").iter().count() + parts.headers.get_all("authorization").iter().count();
    if credentials > 1 {
        return Reply::detail(400, "More than one credential header (X-API-Key, Authorization)").into_response();
    }
    let key = parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(String::from);
    let idem_key = parts.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(String::from);
    // A Content-Type that is not visible ASCII reads as a wrong one.
    let content_type = parts.headers.get("content-type").map(|v| v.to_str().unwrap_or("invalid").to_owned());
    let bearer = parts.headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| {
        let (scheme, token) = v.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
    });
    let method = core_method(&parts.method);
    let base_url = app.public_url.get().cloned().unwrap_or_default();
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return Reply::detail(413, "request body too large or unreadable").into_response(),
    };
    let fault = if raw_path.starts_with("/_emulator") { None } else { app.take_fault(&raw_path) };
    let (before, after) = match fault {
        Some(f) if f.after => (None, Some(f)),
        other => (other, None),
    };
    if let Some(fault) = before {
        if let Some(ms) = fault.delay_ms {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        if fault.drop_connection {
            if let Some(ConnKill(n)) = kill {
                n.notify_one();
                std::future::pending::<()>().await;
            }
            return Reply::detail(503, "connection dropped (emulated fault)").into_response();
        }
        if let Some(status) = fault.status {
            let msg = if status == 429 { "Rate limit exceeded (emulated fault)" } else { "Emulated fault" };
            let mut reply = fault_reply(status, msg, &fault);
            if let Some(ra) = fault.retry_after {
                reply = reply.with_header("Retry-After", &ra.to_string());
            }
            return reply.into_response();
        }
    }
    let app2 = Arc::clone(&app);
    let res = tokio::task::spawn_blocking(move || {
        let creds = Credentials {
            api_key: key.as_deref(),
            bearer: bearer.as_deref(),
            idempotency_key: idem_key.as_deref(),
            content_type: content_type.as_deref(),
        };
        BARRIER.with(|b| b.set(None));
        let reply = app2.dispatch(method, &raw_path, &query, creds, body, base_url);
        app2.settle(reply)
    })
    .await;
    let reply = match res {
        Ok(reply) => reply,
        Err(_) => Reply::detail(500, "emulator handler failed"),
    };
    if let Some(fault) = after {
        // The request took effect; the client sees a failure anyway.
        if fault.drop_connection
            && let Some(ConnKill(n)) = kill
        {
            n.notify_one();
            std::future::pending::<()>().await;
        }
        let status = fault.status.unwrap_or(503);
        let mut r = fault_reply(status, "Emulated fault after processing", &fault);
        if let Some(ra) = fault.retry_after {
            r = r.with_header("Retry-After", &ra.to_string());
        }
        return r.into_response();
    }
    reply.into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn name(method: Method, path: &str) -> &'static str {
        match route(Some(method), path) {
            Routed::Found(op, _) => op.name,
            Routed::MethodNotAllowed => "405",
            Routed::NotFound => "404",
        }
    }

    #[test]
    fn routing_prefers_literals_and_ignores_trailing_slash() {
        assert_eq!(name(Method::Get, "/api/v1/identities"), "identities.list");
        assert_eq!(name(Method::Get, "/api/v1/identities/"), "identities.list");
        assert_eq!(name(Method::Get, "/api/v1/identities/bot"), "identities.get");
        assert_eq!(name(Method::Put, "/api/v1/identities/bot"), "405");
        assert_eq!(name(Method::Get, "/api/v1/nothing"), "404");
        assert_eq!(name(Method::Get, "/api/whoami"), "whoami.get");
        // AgentPost, at the root and under its real `/api/v1` base.
        assert_eq!(name(Method::Get, "/inboxes"), "agentpost.inboxes.list");
        assert_eq!(name(Method::Post, "/api/v1/inboxes/"), "agentpost.inboxes.create");
        assert_eq!(name(Method::Delete, "/api/v1/inboxes/inb_1"), "agentpost.inboxes.delete");
        assert_eq!(name(Method::Put, "/inboxes/inb_1"), "405");
        assert_eq!(name(Method::Get, "/api/v1/inboxesx"), "404");
        assert_eq!(name(Method::Get, "/api/v1/agent-signup/status"), "signup.status");
        let texts = "/api/v1/phone/numbers/abc/texts/search";
        assert_eq!(name(Method::Get, texts), "texts.search");
        match route(Some(Method::Get), "/api/v1/mail/mailboxes/a%40b.com") {
            Routed::Found(op, p) => assert_eq!((op.name, p), ("mail.mailboxes.get", vec!["a@b.com".to_string()])),
            _ => panic!("no route"),
        }
        match route(Some(Method::Post), "/api/v1/domains/a%2Fb.com/set-default") {
            Routed::Found(op, p) => assert_eq!((op.name, p), ("domains.set_default", vec!["a/b.com".to_string()])),
            _ => panic!("no route"),
        }
    }
}
