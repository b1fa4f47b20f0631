//! AgentPost inboxes (a peer product, spec/agentpost.md): create (idempotent
//! by `client_id`), cursor list, get, update, delete — served at `/inboxes…`
//! and `/api/v1/inboxes…` with `Authorization: Bearer <key>`.
//!
//! Valid bearer tokens: `ap_sk_…` keys minted by `POST /_emulator/agentpost/keys`
//! (each bound to an AgentPost environment) and the emulator's admin-scoped
//! Inkbox keys (environment = their org). Identity-scoped keys are refused.
//! Inboxes are visible to every key of their environment only.

use inkbox_core::api::agentpost::{
    CreateInboxRequest, DEFAULT_LIST_LIMIT, Inbox, MAX_LIST_LIMIT, UpdateInboxRequest, validate_username,
};
use inkbox_core::api::keys::ApiKeyStatus;
use inkbox_core::api::paginate::CursorPage;
use inkbox_core::api::patch::Patch;
use inkbox_core::api::request::Method;
use inkbox_core::api::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, Caller, Ctx, Reply};
use crate::handlers::R;
use crate::state::State;
use crate::util::{fill_random, random_hex};

/// The shared AgentPost domain.
pub(crate) const SHARED_DOMAIN: &str = "shared.agent-post.dev";

/// An `ap_sk_…` key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ApKey {
    pub(crate) secret: String,
    pub(crate) environment_id: String,
    pub(crate) created_at: Timestamp,
}

/// An inbox and where it lives.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct InboxRec {
    pub(crate) seq: u64,
    pub(crate) environment_id: String,
    pub(crate) inbox: Inbox,
    pub(crate) deleted: bool,
    pub(crate) created_at: Timestamp,
}

/// AgentPost's persisted state (kept inside the signup state).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct AgentPostState {
    #[serde(default)]
    pub(crate) keys: crate::table::Table<ApKey>,
    #[serde(default)]
    pub(crate) inboxes: crate::table::Table<InboxRec>,
    #[serde(default)]
    pub(crate) next_seq: u64,
}

/// `{"error": code, "message": text}` (AgentPost's own error shape; the doc
/// gives none, this is the emulator's choice).
fn ap_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({ "error": code, "message": message }))
}

/// 401 for a missing or unknown bearer token.
pub(crate) fn unauthorized() -> Reply {
    ap_error(401, "unauthorized", "Missing or invalid bearer token (Authorization: Bearer ap_sk_…)")
}

/// Resolves a bearer token; the environment travels as the caller's org.
pub(crate) fn authenticate(s: &State, bearer: Option<&str>) -> Option<Caller> {
    let token = bearer?;
    if let Some(k) = s.signup.agentpost.keys.iter().find(|k| k.secret == token) {
        // The key's own identity for per-key scoping (idempotency): its environment and secret tail.
        let key_id =
            format!("ap:{}:{}", k.environment_id, k.secret.get(k.secret.len().saturating_sub(8)..).unwrap_or(""));
        return Some(Caller::Admin { org_id: k.environment_id.clone(), key_id });
    }
    let rec = s.api_keys.iter().find(|r| {
        r.secret == token && r.record.status == ApiKeyStatus::Active && r.record.scoped_identity_id.is_none()
    })?;
    Some(Caller::Admin { org_id: rec.record.organization_id.clone(), key_id: rec.record.id.clone() })
}

/// Handles an `agentpost.*` operation.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "agentpost.inboxes.create" => create(s, ctx),
        "agentpost.inboxes.list" => list(s, ctx),
        "agentpost.inboxes.get" => get(s, ctx).map(|i| Reply::model(200, &i.inbox)),
        "agentpost.inboxes.update" => update(s, ctx),
        "agentpost.inboxes.delete" => delete(s, ctx),
        _ => return None,
    })
}

fn env(ctx: &Ctx) -> String {
    ctx.caller.org_id().unwrap_or_default().to_owned()
}

fn unprocessable(msg: &str) -> Reply {
    ap_error(422, "validation_error", msg)
}

/// 4 random characters of `[a-z0-9]`.
fn suffix() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut b = [0u8; 4];
    fill_random(&mut b);
    b.iter().filter_map(|x| ALPHABET.get(usize::from(*x) % ALPHABET.len()).map(|c| char::from(*c))).collect()
}

fn create(s: &mut State, ctx: &Ctx) -> R {
    let v = ctx.json().map_err(|_| unprocessable("invalid JSON body"))?;
    let req: CreateInboxRequest =
        serde_json::from_value(v).map_err(|e| unprocessable(&format!("invalid request body: {e}")))?;
    let env = env(ctx);
    if let Some(cid) = &req.client_id {
        if cid.trim().is_empty() {
            return Err(unprocessable("client_id must not be blank"));
        }
        let ap = &s.signup.agentpost;
        if let Some(existing) =
            ap.inboxes.iter().find(|i| !i.deleted && i.environment_id == env && i.inbox.client_id.as_ref() == Some(cid))
        {
            return Ok(Reply::model(200, &existing.inbox));
        }
    }
    validate_username(&req.username).map_err(|e| unprocessable(&e.to_string()))?;
    let email = loop {
        let e = format!("{}-{}@{SHARED_DOMAIN}", req.username, suffix());
        if !s.signup.agentpost.inboxes.iter().any(|i| i.inbox.email == e) {
            break e;
        }
    };
    let inbox = Inbox {
        id: format!("inb_{}", random_hex(12)),
        email,
        username: Some(req.username.clone()),
        display_name: Some(req.display_name.clone()),
        domain: Some(SHARED_DOMAIN.into()),
        client_id: req.client_id.clone(),
        send_paused: false,
    };
    let ap = &mut s.signup.agentpost;
    ap.next_seq = ap.next_seq.saturating_add(1);
    ap.inboxes.push(InboxRec {
        seq: ap.next_seq,
        environment_id: env,
        inbox: inbox.clone(),
        deleted: false,
        created_at: ctx.clock.timestamp(),
    });
    Ok(Reply::model(201, &inbox))
}

fn list(s: &mut State, ctx: &Ctx) -> R {
    let limit = match ctx.query("limit") {
        None => DEFAULT_LIST_LIMIT,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (1..=MAX_LIST_LIMIT).contains(&n) => n,
            _ => return Err(unprocessable(&format!("limit must be an integer between 1 and {MAX_LIST_LIMIT}"))),
        },
    };
    let after = match ctx.query("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c
            .strip_prefix("inbc_")
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| unprocessable("invalid cursor"))?,
    };
    let env = env(ctx);
    let live: Vec<&InboxRec> =
        s.signup.agentpost.inboxes.iter().filter(|i| !i.deleted && i.environment_id == env && i.seq > after).collect();
    let take = limit as usize;
    let items: Vec<&InboxRec> = live.iter().take(take).copied().collect();
    let has_more = live.len() > take;
    let next_cursor = if has_more { items.last().map(|i| format!("inbc_{}", i.seq)) } else { None };
    let page = CursorPage { items: items.into_iter().map(|i| i.inbox.clone()).collect(), next_cursor, has_more };
    Ok(Reply::model(200, &page))
}

fn get<'s>(s: &'s State, ctx: &Ctx) -> Result<&'s InboxRec, Reply> {
    let env = env(ctx);
    let id = ctx.param(0);
    s.signup
        .agentpost
        .inboxes
        .iter()
        .find(|i| !i.deleted && i.environment_id == env && i.inbox.id == id)
        .ok_or_else(|| ap_error(404, "not_found", "Inbox not found"))
}

fn get_mut<'s>(s: &'s mut State, ctx: &Ctx) -> Result<&'s mut InboxRec, Reply> {
    let seq = get(s, ctx)?.seq;
    s.signup
        .agentpost
        .inboxes
        .iter_mut()
        .find(|i| i.seq == seq)
        .ok_or_else(|| ap_error(404, "not_found", "Inbox not found"))
}

fn update(s: &mut State, ctx: &Ctx) -> R {
    let v = ctx.json().map_err(|_| unprocessable("invalid JSON body"))?;
    let Value::Object(body) = &v else { return Err(unprocessable("body must be a JSON object")) };
    if let Some(k) = ["email", "username", "domain", "id", "client_id"].iter().find(|k| body.contains_key(**k)) {
        return Err(unprocessable(&format!("{k} is immutable; create a new inbox to get another address")));
    }
    let req: UpdateInboxRequest =
        serde_json::from_value(v).map_err(|e| unprocessable(&format!("invalid request body: {e}")))?;
    let rec = get_mut(s, ctx)?;
    match req.display_name {
        Patch::Keep => {}
        Patch::Clear => rec.inbox.display_name = None,
        Patch::Set(d) => rec.inbox.display_name = Some(d),
    }
    Ok(Reply::model(200, &rec.inbox))
}

fn delete(s: &mut State, ctx: &Ctx) -> R {
    get_mut(s, ctx)?.deleted = true;
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------------- control

/// `/_emulator/agentpost/…` control routes.
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    let rest = path.strip_prefix("/_emulator/agentpost")?;
    let segs: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let reply = match (method, segs.as_slice()) {
        (Method::Post, ["keys"]) => mint_key(app, ctx),
        (Method::Get, ["inboxes"]) => app.read(|s, _| {
            let all: Vec<Value> = s
                .signup
                .agentpost
                .inboxes
                .iter()
                .map(|i| {
                    json!({ "environment_id": i.environment_id, "deleted": i.deleted,
                    "created_at": i.created_at, "inbox": i.inbox })
                })
                .collect();
            Ok(Reply::json(200, json!({ "inboxes": all })))
        }),
        (Method::Post, ["inboxes", id]) => set_paused(app, id, ctx),
        (_, ["keys"] | ["inboxes"] | ["inboxes", _]) => Ok(Reply::detail(405, "Method Not Allowed")),
        _ => Ok(Reply::detail(404, "Not Found")),
    };
    Some(reply.unwrap_or_else(|e| e))
}

fn mint_key(app: &App, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    let env = match v.get("environment_id") {
        None | Some(Value::Null) => format!("env_{}", random_hex(8)),
        Some(Value::String(e)) if !e.trim().is_empty() => e.clone(),
        Some(_) => return Err(Reply::detail(422, "environment_id must be a non-empty string")),
    };
    let secret = format!("ap_sk_{}", random_hex(24));
    app.mutate(|s, clock| {
        s.signup.agentpost.keys.push(ApKey {
            secret: secret.clone(),
            environment_id: env.clone(),
            created_at: clock.timestamp(),
        });
        Ok(Reply::json(201, json!({ "api_key": secret, "environment_id": env })))
    })
}

fn set_paused(app: &App, id: &str, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    let paused = v
        .get("send_paused")
        .and_then(Value::as_bool)
        .ok_or_else(|| Reply::detail(422, "body must be {\"send_paused\": bool}"))?;
    app.mutate(|s, _| {
        let rec = s
            .signup
            .agentpost
            .inboxes
            .iter_mut()
            .find(|i| !i.deleted && i.inbox.id == id)
            .ok_or_else(|| Reply::not_found("Inbox"))?;
        rec.inbox.send_paused = paused;
        Ok(Reply::model(200, &rec.inbox))
    })
}
