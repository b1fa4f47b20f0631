//! Tunnel data plane: the agent side (HTTP/2 `/_system/*` streams) and the
//! public side (HTTP/1.1 requests and WebSocket upgrades to
//! `{handle}.localhost`, TLS connections routed by SNI) on the emulator's
//! one port.
//!
//! Agent connections and everything in flight live in memory only; the
//! persisted tunnel fields (`currently_connected`, `last_connected_at`,
//! `last_connected_ip_addr`, `last_disconnected_at`) follow them.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use inkbox_core::api::keys::ApiKeyStatus;
use inkbox_core::api::tunnel_data_plane::ws_accept;
use inkbox_core::api::tunnels::{TlsMode, TunnelStatus};
use inkbox_core::api::ws_frame::{self, Opcode};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::app::{App, Reply};
use crate::state::State;
use crate::util::{random_hex, uuid4};

/// The emulator's current listen port (set once after binding).
static PORT: AtomicU16 = AtomicU16::new(0);

/// Host suffix of every emulator tunnel (`{handle}.localhost`).
const HOST_SUFFIX: &str = ".localhost";

/// Largest public request / agent reply body.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// Largest single WebSocket frame accepted on a bridge.
const MAX_FRAME: usize = 16 * 1024 * 1024;

/// After one direction of a bridge ends, how long the other may finish.
const BRIDGE_GRACE: Duration = Duration::from_secs(5);

/// Hop-by-hop (HTTP/1 connection-level) headers never forwarded either way.
const HOP_BY_HOP: &[&str] =
    &["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"];

/// Records the listen port; zones and public URLs derive from it.
pub(crate) fn set_port(port: u16) {
    PORT.store(port, Ordering::Relaxed);
}

/// The zone agents connect to: `localhost:{port}`.
pub(crate) fn zone() -> String {
    format!("localhost:{}", PORT.load(Ordering::Relaxed))
}

/// A tunnel's public host: `{handle}.localhost`.
pub(crate) fn public_host(handle: &str) -> String {
    format!("{handle}{HOST_SUFFIX}")
}

// ------------------------------------------------------------------ config

/// Runtime knobs (`GET`/`POST /_emulator/tunnels/config`; not persisted).
#[derive(Clone, Copy, Debug)]
struct Config {
    response_deadline_seconds: f64,
    intake_idle_seconds: f64,
    default_pool_size: u64,
}

static CONFIG: Mutex<Config> =
    Mutex::new(Config { response_deadline_seconds: 30.0, intake_idle_seconds: 60.0, default_pool_size: 4 });

fn config() -> Config {
    *CONFIG.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn config_json(c: Config) -> Value {
    json!({
        "response_deadline_seconds": c.response_deadline_seconds,
        "intake_idle_seconds": c.intake_idle_seconds,
        "default_pool_size": c.default_pool_size,
    })
}

/// `GET` (read) or `POST` (update) the data-plane config.
pub(crate) fn config_route(body: &Value, update: bool) -> Result<Value, Reply> {
    if !update {
        return Ok(config_json(config()));
    }
    let Value::Object(m) = body else { return Err(Reply::detail(422, "body must be a JSON object")) };
    let mut c = config();
    for (k, v) in m {
        match k.as_str() {
            "response_deadline_seconds" | "intake_idle_seconds" => {
                let secs = v.as_f64().filter(|s| (0.05..=3600.0).contains(s));
                let Some(secs) = secs else {
                    return Err(Reply::detail(422, &format!("{k} must be a number of seconds between 0.05 and 3600")));
                };
                if k == "response_deadline_seconds" {
                    c.response_deadline_seconds = secs;
                } else {
                    c.intake_idle_seconds = secs;
                }
            }
            "default_pool_size" => match v.as_u64().filter(|n| (1..=32).contains(n)) {
                Some(n) => c.default_pool_size = n,
                None => return Err(Reply::detail(422, "default_pool_size must be an integer between 1 and 32")),
            },
            other => return Err(Reply::detail(422, &format!("unknown config key '{other}'"))),
        }
    }
    *CONFIG.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = c;
    Ok(config_json(c))
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

// ------------------------------------------------------------------- state

/// The accepted TCP connection a request arrived on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnInfo {
    pub(crate) id: u64,
    pub(crate) ip: IpAddr,
}

/// One inbound request for an agent: `inkbox-*` headers and the body.
#[derive(Debug)]
struct Envelope {
    headers: Vec<(String, String)>,
    body: Bytes,
}

/// The agent's answer to one envelope.
#[derive(Debug)]
struct AgentReply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

#[derive(Debug)]
struct Session {
    tunnel_id: String,
    conn_id: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BridgeKind {
    Ws,
    Tcp,
}

#[derive(Debug)]
struct PendingBridge {
    tunnel_id: String,
    kind: BridgeKind,
    tx: oneshot::Sender<Upgraded>,
}

#[derive(Debug, Default)]
struct Inner {
    /// owner_token → session.
    sessions: HashMap<String, Session>,
    /// tunnel id → parked intakes.
    waiters: HashMap<String, VecDeque<oneshot::Sender<Envelope>>>,
    /// tunnel id → envelopes no intake was parked for yet.
    backlog: HashMap<String, VecDeque<Envelope>>,
    /// request id → (tunnel id, waiting third party).
    replies: HashMap<String, (String, oneshot::Sender<AgentReply>)>,
    /// ws_id / tcp_id → the third party waiting for the agent's CONNECT.
    bridges: HashMap<String, PendingBridge>,
}

/// The data plane (one per emulator process).
#[derive(Debug)]
pub(crate) struct DataPlane {
    app: Arc<App>,
    inner: Mutex<Inner>,
}

type Resp = Response<Body>;

fn json_resp(status: u16, v: &Value) -> Resp {
    let mut r = Response::new(Body::from(serde_json::to_vec(v).unwrap_or_default()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    r
}

/// The short JSON error third parties get from the emulated edge.
fn edge_error(status: u16, code: &str, message: &str) -> Resp {
    json_resp(status, &json!({ "error": code, "message": message }))
}

fn empty(status: u16) -> Resp {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn push_header(r: &mut Resp, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
        r.headers_mut().append(n, v);
    }
}

/// What a request on the shared port is.
#[derive(Debug)]
pub(crate) enum Route {
    /// An agent's `/_system/*` stream (HTTP/2).
    System,
    /// Public traffic for the tunnel host `host`.
    Public(String),
    /// The REST / control API.
    Api,
}

/// Classifies a request by protocol version, path and host.
pub(crate) fn classify<B>(req: &Request<B>) -> Route {
    if req.version() == axum::http::Version::HTTP_2 && req.uri().path().starts_with("/_system/") {
        return Route::System;
    }
    let host = req.uri().host().map(str::to_owned).or_else(|| {
        header(req.headers(), "host").map(|h| match h.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name.to_owned(),
            _ => h.to_owned(),
        })
    });
    match host.map(|h| h.trim_end_matches('.').to_ascii_lowercase()) {
        Some(h) if h.len() > HOST_SUFFIX.len() && h.ends_with(HOST_SUFFIX) => Route::Public(h),
        _ => Route::Api,
    }
}

impl DataPlane {
    pub(crate) fn new(app: Arc<App>) -> Self {
        DataPlane { app, inner: Mutex::new(Inner::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// At startup: every tunnel gets this port's zone and host, and no
    /// agent is connected any more.
    pub(crate) fn reset_tunnels(&self) -> Result<(), String> {
        let zone = zone();
        self.app
            .mutate(|s, clock| {
                let now = clock.timestamp();
                for t in s.tunnels.iter_mut() {
                    t.zone.clone_from(&zone);
                    t.public_host = public_host(&t.tunnel_name);
                    if t.currently_connected {
                        t.currently_connected = false;
                        t.last_disconnected_at = Some(now);
                    }
                }
                Ok(())
            })
            .map_err(|r| format!("cannot update tunnels: {:?}", r.body))
    }

    fn connected(&self, tunnel_id: &str) -> bool {
        self.lock().sessions.values().any(|s| s.tunnel_id == tunnel_id)
    }

    /// Hands `env` to a parked intake of the tunnel (or queues it).
    fn deliver(&self, tunnel_id: &str, mut env: Envelope) {
        let mut inner = self.lock();
        if let Some(q) = inner.waiters.get_mut(tunnel_id) {
            while let Some(tx) = q.pop_front() {
                match tx.send(env) {
                    Ok(()) => return,
                    Err(back) => env = back,
                }
            }
        }
        inner.backlog.entry(tunnel_id.to_owned()).or_default().push_back(env);
    }

    /// Called when an accepted connection ends: its agent sessions go away.
    pub(crate) async fn connection_closed(self: Arc<Self>, conn_id: u64) {
        let gone: Vec<String> = {
            let mut inner = self.lock();
            let mut tunnels: Vec<String> = Vec::new();
            inner.sessions.retain(|_, s| {
                if s.conn_id == conn_id {
                    tunnels.push(s.tunnel_id.clone());
                    false
                } else {
                    true
                }
            });
            tunnels.sort();
            tunnels.dedup();
            tunnels.retain(|t| !inner.sessions.values().any(|s| &s.tunnel_id == t));
            for t in &tunnels {
                inner.waiters.remove(t);
                inner.backlog.remove(t);
                inner.replies.retain(|_, (tid, _)| tid != t);
                inner.bridges.retain(|_, b| &b.tunnel_id != t);
            }
            tunnels
        };
        if gone.is_empty() {
            return;
        }
        let app = Arc::clone(&self.app);
        let _ = tokio::task::spawn_blocking(move || {
            let _ = app.mutate(|s, clock| {
                let now = clock.timestamp();
                for t in s.tunnels.iter_mut().filter(|t| gone.contains(&t.id)) {
                    t.currently_connected = false;
                    t.last_disconnected_at = Some(now);
                }
                Ok(())
            });
        })
        .await;
    }

    // ------------------------------------------------------------ agent side

    /// `/_system/*` on an HTTP/2 connection.
    pub(crate) async fn system(self: Arc<Self>, req: Request<Incoming>, conn: ConnInfo) -> Resp {
        let path = req.uri().path().to_owned();
        let method = req.method().clone();
        let segs: Vec<&str> = path.trim_start_matches("/_system/").split('/').collect();
        match (method, segs.as_slice()) {
            (Method::POST, ["hello"]) => self.hello(&req, conn).await,
            (Method::POST, ["intake"]) => self.intake(&req, conn).await,
            (Method::POST, ["response", id]) if !id.is_empty() => {
                let id = (*id).to_owned();
                self.response(req, &id).await
            }
            (Method::CONNECT, ["ws", id]) if !id.is_empty() => {
                let id = (*id).to_owned();
                self.connect(req, &id, BridgeKind::Ws)
            }
            (Method::CONNECT, ["tcp", id]) if !id.is_empty() => {
                let id = (*id).to_owned();
                self.connect(req, &id, BridgeKind::Tcp)
            }
            (_, ["hello" | "intake"] | ["response" | "ws" | "tcp", _]) => {
                json_resp(405, &json!({ "detail": "Method Not Allowed" }))
            }
            _ => json_resp(404, &json!({ "detail": "Not Found" })),
        }
    }

    /// `POST /_system/hello`: authenticates the key for the tunnel and
    /// registers an agent session on this connection.
    async fn hello(&self, req: &Request<Incoming>, conn: ConnInfo) -> Resp {
        let h = req.headers();
        let tunnel_id = header(h, "x-tunnel-id").unwrap_or_default().to_ascii_lowercase();
        let key = header(h, "x-api-key").map(str::to_owned);
        let pool = match header(h, "x-pool-size") {
            None => None,
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=32).contains(&n) => Some(n),
                _ => return json_resp(400, &json!({ "detail": "x-pool-size must be an integer between 1 and 32" })),
            },
        };
        if tunnel_id.is_empty() {
            return json_resp(400, &json!({ "detail": "x-tunnel-id header is required" }));
        }
        let app = Arc::clone(&self.app);
        let tid = tunnel_id.clone();
        let ip = conn.ip.to_string();
        let res = tokio::task::spawn_blocking(move || {
            app.mutate(|s, clock| {
                authorize(s, key.as_deref(), &tid)?;
                let now = clock.timestamp();
                if let Some(k) = s.api_keys.iter_mut().find(|k| Some(k.secret.as_str()) == key.as_deref()) {
                    k.record.last_used_at = Some(now);
                }
                if let Some(t) = s.tunnels.iter_mut().find(|t| t.id == tid) {
                    t.currently_connected = true;
                    t.last_connected_at = Some(now);
                    t.last_connected_ip_addr = Some(ip);
                }
                Ok(())
            })
        })
        .await;
        match res {
            Ok(Ok(())) => {}
            Ok(Err(reply)) => return axum::response::IntoResponse::into_response(reply),
            Err(_) => return json_resp(500, &json!({ "detail": "hello failed" })),
        }
        let token = random_hex(24);
        self.lock().sessions.insert(token.clone(), Session { tunnel_id, conn_id: conn.id });
        let c = config();
        json_resp(
            200,
            &json!({
                "owner_token": token,
                "default_pool_size": pool.unwrap_or(c.default_pool_size),
                "intake_idle_seconds": c.intake_idle_seconds,
                "response_deadline_seconds": c.response_deadline_seconds,
            }),
        )
    }

    /// `POST /_system/intake`: parks until an envelope arrives (200) or the
    /// idle cap passes (408, `inkbox-reason: intake-idle-cap`).
    async fn intake(&self, req: &Request<Incoming>, conn: ConnInfo) -> Resp {
        let h = req.headers();
        let token = header(h, "x-owner-token").unwrap_or_default();
        let claimed = header(h, "x-tunnel-id").map(str::to_ascii_lowercase);
        let slot_ok = header(h, "x-pool-slot").is_none_or(|v| v.parse::<u32>().is_ok_and(|n| n < 32));
        if !slot_ok {
            return json_resp(400, &json!({ "detail": "x-pool-slot must be an integer between 0 and 31" }));
        }
        let rx = {
            let mut inner = self.lock();
            let tunnel_id = match inner.sessions.get(token) {
                Some(s) if s.conn_id == conn.id && claimed.as_ref().is_none_or(|c| *c == s.tunnel_id) => {
                    s.tunnel_id.clone()
                }
                _ => {
                    let mut r = json_resp(401, &json!({ "detail": "invalid owner token" }));
                    push_header(&mut r, "inkbox-reason", "owner-token-invalid");
                    return r;
                }
            };
            if let Some(env) = inner.backlog.get_mut(&tunnel_id).and_then(VecDeque::pop_front) {
                return envelope_response(env);
            }
            let (tx, rx) = oneshot::channel();
            let q = inner.waiters.entry(tunnel_id).or_default();
            q.retain(|w| !w.is_closed());
            q.push_back(tx);
            rx
        };
        match tokio::time::timeout(secs(config().intake_idle_seconds), rx).await {
            Ok(Ok(env)) => envelope_response(env),
            Ok(Err(_)) => {
                let mut r = empty(503);
                push_header(&mut r, "inkbox-reason", "tunnel-disconnected");
                r
            }
            Err(_) => {
                let mut r = empty(408);
                push_header(&mut r, "inkbox-reason", "intake-idle-cap");
                r
            }
        }
    }

    /// `POST /_system/response/{request_id}`: the agent's reply.
    async fn response(&self, req: Request<Incoming>, request_id: &str) -> Resp {
        let (parts, body) = req.into_parts();
        let h = &parts.headers;
        let key = header(h, "x-api-key").map(str::to_owned);
        let Some(tunnel_id) = self.lock().replies.get(request_id).map(|(t, _)| t.clone()) else {
            return json_resp(404, &json!({ "detail": "unknown or expired request id" }));
        };
        if let Some(claimed) = header(h, "x-tunnel-id")
            && !claimed.eq_ignore_ascii_case(&tunnel_id)
        {
            return json_resp(404, &json!({ "detail": "unknown or expired request id" }));
        }
        if let Err(r) = self.app.read(|s, _| authorize(s, key.as_deref(), &tunnel_id)) {
            return axum::response::IntoResponse::into_response(r);
        }
        let status = match header(h, "inkbox-status").map(str::parse::<u16>) {
            Some(Ok(n)) if (100..=599).contains(&n) && n != 101 => n,
            None => 200,
            _ => return json_resp(400, &json!({ "detail": "inkbox-status must be an HTTP status" })),
        };
        let headers: Vec<(String, String)> = h
            .iter()
            .filter_map(|(k, v)| {
                let name = k.as_str().strip_prefix("inkbox-h-")?;
                Some((name.to_owned(), v.to_str().ok()?.to_owned()))
            })
            .collect();
        let body = match to_bytes(Body::new(body), MAX_BODY).await {
            Ok(b) => b,
            Err(_) => return json_resp(413, &json!({ "detail": "response body too large or unreadable" })),
        };
        let Some((_, tx)) = self.lock().replies.remove(request_id) else {
            return json_resp(404, &json!({ "detail": "unknown or expired request id" }));
        };
        match tx.send(AgentReply { status, headers, body }) {
            Ok(()) => empty(200),
            Err(_) => json_resp(410, &json!({ "detail": "the caller is gone" })),
        }
    }

    /// Extended CONNECT `/_system/ws/{id}` / `/_system/tcp/{id}`.
    fn connect(&self, mut req: Request<Incoming>, id: &str, kind: BridgeKind) -> Resp {
        let want = match kind {
            BridgeKind::Ws => "inkbox-tunnel-ws",
            BridgeKind::Tcp => "inkbox-tunnel-tcp",
        };
        let proto = req.extensions().get::<hyper::ext::Protocol>().map(|p| p.as_str().to_owned());
        if proto.as_deref() != Some(want) {
            return json_resp(400, &json!({ "detail": format!("extended CONNECT with :protocol {want} required") }));
        }
        let key = header(req.headers(), "x-api-key").map(str::to_owned);
        let claimed = header(req.headers(), "x-tunnel-id").map(str::to_ascii_lowercase);
        let tunnel_id = {
            let inner = self.lock();
            match inner.bridges.get(id) {
                Some(b) if b.kind == kind && claimed.as_ref().is_none_or(|c| *c == b.tunnel_id) => b.tunnel_id.clone(),
                _ => return json_resp(404, &json!({ "detail": "unknown or expired stream id" })),
            }
        };
        if let Err(r) = self.app.read(|s, _| authorize(s, key.as_deref(), &tunnel_id)) {
            return axum::response::IntoResponse::into_response(r);
        }
        let Some(pending) = self.lock().bridges.remove(id) else {
            return json_resp(404, &json!({ "detail": "unknown or expired stream id" }));
        };
        let on = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            if let Ok(up) = on.await {
                let _ = pending.tx.send(up);
            }
        });
        empty(200)
    }

    // ----------------------------------------------------------- public side

    /// A public HTTP request (or WebSocket upgrade) for tunnel host `host`.
    pub(crate) async fn public(self: Arc<Self>, mut req: Request<Incoming>, conn: ConnInfo, host: String) -> Resp {
        let found = self.app.read(|s, _| {
            s.tunnels
                .iter()
                .find(|t| t.status != TunnelStatus::Deleted && t.public_host.eq_ignore_ascii_case(&host))
                .map(|t| (t.id.clone(), t.tunnel_name.clone(), t.tls_mode.clone(), t.status.clone()))
        });
        let Some((tunnel_id, name, mode, status)) = found else {
            return edge_error(404, "tunnel_not_found", &format!("No tunnel serves host '{host}'"));
        };
        if mode == TlsMode::Passthrough {
            return edge_error(
                421,
                "passthrough_tunnel",
                &format!("Tunnel '{name}' uses tls_mode 'passthrough': connect with TLS (SNI {host})"),
            );
        }
        if status != TunnelStatus::Active {
            return edge_error(503, "tunnel_not_active", &format!("Tunnel '{name}' is '{status}', not active"));
        }
        if !self.connected(&tunnel_id) {
            return edge_error(502, "tunnel_not_connected", &format!("No agent is connected to tunnel '{name}'"));
        }
        let is_ws = req.method() == Method::GET
            && header(req.headers(), "upgrade").is_some_and(|u| u.to_ascii_lowercase().contains("websocket"))
            && header(req.headers(), "connection").is_some_and(|c| c.to_ascii_lowercase().contains("upgrade"));
        let ws_key = header(req.headers(), "sec-websocket-key").map(str::to_owned);
        if is_ws && ws_key.is_none() {
            return edge_error(400, "bad_websocket_upgrade", "Sec-WebSocket-Key is required");
        }
        let on_upgrade = if is_ws { Some(hyper::upgrade::on(&mut req)) } else { None };
        let request_id = uuid4();
        let path = req.uri().path_and_query().map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
        let mut headers = vec![
            ("inkbox-request-id".to_owned(), request_id.clone()),
            ("inkbox-method".to_owned(), req.method().as_str().to_owned()),
            ("inkbox-path".to_owned(), path),
            ("inkbox-route-kind".to_owned(), if is_ws { "ws-upgrade" } else { "webhook" }.to_owned()),
            ("inkbox-forwarded-for".to_owned(), conn.ip.to_string()),
        ];
        let ws_id = uuid4();
        if is_ws {
            headers.push(("inkbox-ws-id".to_owned(), ws_id.clone()));
        }
        for (k, v) in req.headers() {
            let name = k.as_str();
            if HOP_BY_HOP.contains(&name) {
                continue;
            }
            if let Ok(v) = v.to_str() {
                headers.push((format!("inkbox-h-{name}"), v.to_owned()));
            }
        }
        let body = match to_bytes(Body::new(req.into_body()), MAX_BODY).await {
            Ok(b) => b,
            Err(_) => return edge_error(413, "request_too_large", "request body too large or unreadable"),
        };
        let (tx, rx) = oneshot::channel();
        let bridge_rx = {
            let mut inner = self.lock();
            inner.replies.insert(request_id.clone(), (tunnel_id.clone(), tx));
            if is_ws {
                let (btx, brx) = oneshot::channel();
                inner.bridges.insert(
                    ws_id.clone(),
                    PendingBridge { tunnel_id: tunnel_id.clone(), kind: BridgeKind::Ws, tx: btx },
                );
                Some(brx)
            } else {
                None
            }
        };
        self.deliver(&tunnel_id, Envelope { headers, body });
        let deadline = secs(config().response_deadline_seconds);
        let reply = tokio::time::timeout(deadline, rx).await;
        let reply = match reply {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => {
                self.lock().bridges.remove(&ws_id);
                return edge_error(502, "tunnel_disconnected", &format!("The agent of tunnel '{name}' disconnected"));
            }
            Err(_) => {
                let mut inner = self.lock();
                inner.replies.remove(&request_id);
                inner.bridges.remove(&ws_id);
                return edge_error(
                    504,
                    "agent_timeout",
                    &format!("The agent of tunnel '{name}' did not answer within {}s", deadline.as_secs_f64()),
                );
            }
        };
        match (on_upgrade, bridge_rx, ws_key) {
            (Some(on), Some(brx), Some(key)) if reply.status == 200 => {
                let mut r = empty(101);
                push_header(&mut r, "upgrade", "websocket");
                push_header(&mut r, "connection", "Upgrade");
                push_header(&mut r, "sec-websocket-accept", &ws_accept(&key));
                for (k, v) in &reply.headers {
                    let skip = ["sec-websocket-accept", "sec-websocket-extensions", "content-length"];
                    if !HOP_BY_HOP.contains(&k.as_str()) && !skip.contains(&k.as_str()) {
                        push_header(&mut r, k, v);
                    }
                }
                let dp = Arc::clone(&self);
                tokio::spawn(async move {
                    let Ok(third) = on.await else {
                        dp.lock().bridges.remove(&ws_id);
                        return;
                    };
                    match tokio::time::timeout(deadline, brx).await {
                        Ok(Ok(agent)) => relay_ws(TokioIo::new(third), TokioIo::new(agent)).await,
                        _ => {
                            dp.lock().bridges.remove(&ws_id);
                            let mut third = TokioIo::new(third);
                            let _ =
                                third.write_all(&encode_frame(OP_CLOSE, &close_payload(1011, "agent-timeout"))).await;
                            let _ = third.shutdown().await;
                        }
                    }
                });
                r
            }
            _ => {
                self.lock().bridges.remove(&ws_id);
                let mut r = Response::new(Body::from(reply.body));
                *r.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
                for (k, v) in &reply.headers {
                    if !HOP_BY_HOP.contains(&k.as_str()) && k != "content-length" {
                        push_header(&mut r, k, v);
                    }
                }
                r
            }
        }
    }

    /// A TLS connection (first byte 0x16): routed by SNI to a passthrough
    /// tunnel as a raw TCP stream. Anything unroutable is closed.
    pub(crate) async fn serve_tls(self: Arc<Self>, mut stream: TcpStream, conn: ConnInfo) {
        let mut buf = Vec::with_capacity(1024);
        let sni = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match client_hello_sni(&buf) {
                    Sni::Need => {}
                    Sni::Done(name) => return name,
                    Sni::Bad => return None,
                }
                if buf.len() > 64 * 1024 {
                    return None;
                }
                match stream.read_buf(&mut buf).await {
                    Ok(0) | Err(_) => return None,
                    Ok(_) => {}
                }
            }
        })
        .await;
        let Ok(Some(sni)) = sni else { return };
        let sni = sni.trim_end_matches('.').to_ascii_lowercase();
        let found = self.app.read(|s, _| {
            s.tunnels
                .iter()
                .find(|t| {
                    t.status == TunnelStatus::Active
                        && t.tls_mode == TlsMode::Passthrough
                        && t.public_host.eq_ignore_ascii_case(&sni)
                })
                .map(|t| t.id.clone())
        });
        let Some(tunnel_id) = found else { return };
        if !self.connected(&tunnel_id) {
            return;
        }
        let tcp_id = uuid4();
        let (btx, brx) = oneshot::channel();
        self.lock()
            .bridges
            .insert(tcp_id.clone(), PendingBridge { tunnel_id: tunnel_id.clone(), kind: BridgeKind::Tcp, tx: btx });
        let headers = vec![
            ("inkbox-request-id".to_owned(), uuid4()),
            ("inkbox-route-kind".to_owned(), "tcp-stream".to_owned()),
            ("inkbox-tcp-id".to_owned(), tcp_id.clone()),
            ("inkbox-sni-host".to_owned(), sni),
            ("inkbox-forwarded-for".to_owned(), conn.ip.to_string()),
        ];
        self.deliver(&tunnel_id, Envelope { headers, body: Bytes::new() });
        let wait = secs(config().response_deadline_seconds);
        match tokio::time::timeout(wait, brx).await {
            Ok(Ok(agent)) => relay_tcp(stream, buf, TokioIo::new(agent)).await,
            _ => {
                self.lock().bridges.remove(&tcp_id);
            }
        }
    }
}

/// 401 unknown key, 404 unknown/deleted tunnel, 403 key not allowed for it.
fn authorize(s: &State, key: Option<&str>, tunnel_id: &str) -> Result<(), Reply> {
    let rec = key.and_then(|k| s.api_keys.iter().find(|r| r.secret == k && r.record.status == ApiKeyStatus::Active));
    let Some(rec) = rec else { return Err(Reply::detail(401, "Invalid or missing API key")) };
    let tunnel_id = tunnel_id.to_ascii_lowercase();
    let Some(t) = s.tunnels.iter().find(|t| t.id == tunnel_id && t.status != TunnelStatus::Deleted) else {
        return Err(Reply::not_found("Tunnel"));
    };
    let allowed = rec.record.organization_id == t.organization_id
        && match &rec.record.scoped_identity_id {
            None => true,
            Some(identity) => t.agent_identity_id.as_deref() == Some(identity.as_str()),
        };
    if allowed { Ok(()) } else { Err(Reply::detail(403, "This API key may not connect this tunnel")) }
}

fn envelope_response(env: Envelope) -> Resp {
    let mut r = Response::new(Body::from(env.body));
    for (k, v) in &env.headers {
        push_header(&mut r, k, v);
    }
    r
}

// ------------------------------------------------------------- WebSocket

const OP_CONT: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

#[derive(Debug, PartialEq, Eq)]
struct Frame {
    fin: bool,
    opcode: u8,
    payload: Vec<u8>,
}

/// One RFC 6455 frame from the front of `buf` (masked or not); `Ok(None)`
/// until it is complete, `Err` when it is too large.
fn parse_frame(buf: &mut Vec<u8>) -> Result<Option<Frame>, ()> {
    let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else { return Ok(None) };
    let mut off = 2usize;
    let mut len = u64::from(b1 & 0x7f);
    if len == 126 {
        let Some(b) = buf.get(2..4) else { return Ok(None) };
        len = u64::from(u16::from_be_bytes([b.first().copied().unwrap_or(0), b.get(1).copied().unwrap_or(0)]));
        off = 4;
    } else if len == 127 {
        let Some(b) = buf.get(2..10) else { return Ok(None) };
        len = b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x));
        off = 10;
    }
    let len = usize::try_from(len).map_err(|_| ())?;
    if len > MAX_FRAME {
        return Err(());
    }
    let mask: Option<[u8; 4]> = if b1 & 0x80 != 0 {
        let Some(m) = buf.get(off..off + 4) else { return Ok(None) };
        off += 4;
        <[u8; 4]>::try_from(m).ok()
    } else {
        None
    };
    let Some(data) = buf.get(off..off + len) else { return Ok(None) };
    let mut payload = data.to_vec();
    if let Some(m) = mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= m.get(i % 4).copied().unwrap_or(0);
        }
    }
    buf.drain(..off + len);
    Ok(Some(Frame { fin: b0 & 0x80 != 0, opcode: b0 & 0x0f, payload }))
}

/// An unmasked (server-side) final frame (core's encoder; the opcodes
/// above are all valid, an unknown one would encode as nothing).
fn encode_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    Opcode::from_u8(opcode).map(|op| ws_frame::encode(true, op, payload, None)).unwrap_or_default()
}

/// A CLOSE payload with a status code (core's: the reason cut to fit 125 bytes).
fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    ws_frame::close_payload(Some(code), reason)
}

async fn read_frame<R: AsyncRead + Unpin>(r: &mut R, buf: &mut Vec<u8>) -> Option<Frame> {
    loop {
        match parse_frame(buf) {
            Ok(Some(f)) => return Some(f),
            Ok(None) => {}
            Err(()) => return None,
        }
        match r.read_buf(buf).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// A bridge envelope: u32 big-endian length + compact JSON.
fn bridge_envelope(v: &Value) -> Vec<u8> {
    let json = serde_json::to_vec(v).unwrap_or_default();
    let mut out = (json.len() as u32).to_be_bytes().to_vec();
    out.extend(json);
    out
}

type Shared<W> = Arc<tokio::sync::Mutex<W>>;

async fn send<W: AsyncWrite + Unpin>(w: &Shared<W>, bytes: &[u8]) -> bool {
    w.lock().await.write_all(bytes).await.is_ok()
}

async fn shut<W: AsyncWrite + Unpin>(w: &Shared<W>) {
    let _ = w.lock().await.shutdown().await;
}

/// Runs both directions; once one ends the other gets a short grace period.
async fn both<A, B>(a: A, b: B)
where
    A: std::future::Future<Output = ()> + Send + 'static,
    B: std::future::Future<Output = ()> + Send + 'static,
{
    let mut a = tokio::spawn(a);
    let mut b = tokio::spawn(b);
    tokio::select! {
        _ = &mut a => { let _ = tokio::time::timeout(BRIDGE_GRACE, &mut b).await; }
        _ = &mut b => { let _ = tokio::time::timeout(BRIDGE_GRACE, &mut a).await; }
    }
    a.abort();
    b.abort();
}

/// Third party (RFC 6455 over HTTP/1.1) ⇄ agent bridge (RFC 6455 frames on
/// the CONNECT stream whose BINARY payloads carry length-prefixed JSON
/// envelopes `{"type": "text"|"binary"|"close", ...}`).
async fn relay_ws(third: TokioIo<Upgraded>, agent: TokioIo<Upgraded>) {
    let (mut tr, tw) = tokio::io::split(third);
    let (mut ar, aw) = tokio::io::split(agent);
    let tw: Shared<_> = Arc::new(tokio::sync::Mutex::new(tw));
    let aw: Shared<_> = Arc::new(tokio::sync::Mutex::new(aw));
    let (tw1, aw1) = (Arc::clone(&tw), Arc::clone(&aw));
    let up = async move {
        let mut buf = Vec::new();
        let mut msg: Option<(u8, Vec<u8>)> = None;
        loop {
            let Some(f) = read_frame(&mut tr, &mut buf).await else {
                let env = bridge_envelope(&json!({"type": "close", "code": 1006, "reason": ""}));
                let _ = send(&aw1, &encode_frame(OP_BINARY, &env)).await;
                let _ = send(&aw1, &encode_frame(OP_CLOSE, &close_payload(1000, ""))).await;
                shut(&aw1).await;
                return;
            };
            match f.opcode {
                OP_PING => {
                    let _ = send(&tw1, &encode_frame(OP_PONG, &f.payload)).await;
                }
                OP_PONG => {}
                OP_CLOSE => {
                    let code = f.payload.get(..2).map_or(1000, |c| {
                        u16::from_be_bytes([c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0)])
                    });
                    let reason = String::from_utf8_lossy(f.payload.get(2..).unwrap_or_default()).into_owned();
                    let env = bridge_envelope(&json!({"type": "close", "code": code, "reason": reason}));
                    let _ = send(&aw1, &encode_frame(OP_BINARY, &env)).await;
                    return;
                }
                OP_TEXT | OP_BINARY | OP_CONT => {
                    let (op, mut data) = match (f.opcode, msg.take()) {
                        (OP_CONT, Some(m)) => m,
                        (OP_CONT, None) => continue,
                        (op, _) => (op, Vec::new()),
                    };
                    data.extend(f.payload);
                    if !f.fin {
                        msg = Some((op, data));
                        continue;
                    }
                    let env = if op == OP_TEXT {
                        json!({"type": "text", "data": String::from_utf8_lossy(&data)})
                    } else {
                        json!({"type": "binary", "data": inkbox_core::vault::base64::encode_to_string(&data)})
                    };
                    if !send(&aw1, &encode_frame(OP_BINARY, &bridge_envelope(&env))).await {
                        return;
                    }
                }
                _ => {}
            }
        }
    };
    let down = async move {
        let mut buf = Vec::new();
        let mut env_buf: Vec<u8> = Vec::new();
        let mut closed = false;
        loop {
            let Some(f) = read_frame(&mut ar, &mut buf).await else { break };
            match f.opcode {
                OP_PING => {
                    let _ = send(&aw, &encode_frame(OP_PONG, &f.payload)).await;
                }
                OP_CLOSE => {
                    let _ = send(&aw, &encode_frame(OP_CLOSE, &f.payload)).await;
                    shut(&aw).await;
                    break;
                }
                OP_TEXT | OP_BINARY | OP_CONT => env_buf.extend(f.payload),
                _ => {}
            }
            while let Some((len_bytes, rest)) = env_buf.split_first_chunk::<4>() {
                let len = u32::from_be_bytes(*len_bytes) as usize;
                let Some(raw) = rest.get(..len) else { break };
                let v: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
                env_buf.drain(..4 + len);
                let data = v.get("data").and_then(Value::as_str).unwrap_or_default();
                let frame = match v.get("type").and_then(Value::as_str) {
                    Some("text") => encode_frame(OP_TEXT, data.as_bytes()),
                    Some("binary") => match crate::mail::base64_decode(data) {
                        Some(bytes) => encode_frame(OP_BINARY, &bytes),
                        None => continue,
                    },
                    Some("close") => {
                        let code = v.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok());
                        let reason = v.get("reason").and_then(Value::as_str).unwrap_or_default();
                        closed = true;
                        encode_frame(OP_CLOSE, &close_payload(code.unwrap_or(1000), reason))
                    }
                    _ => continue,
                };
                if !closed || frame.first() == Some(&(0x80 | OP_CLOSE)) {
                    let _ = send(&tw, &frame).await;
                }
            }
        }
        if !closed {
            let _ = send(&tw, &encode_frame(OP_CLOSE, &close_payload(1000, ""))).await;
        }
        shut(&tw).await;
    };
    both(up, down).await;
}

/// Third party TCP (TLS bytes) ⇄ agent bridge (raw bytes in RFC 6455
/// BINARY frames on the CONNECT stream). `first` = bytes already read.
async fn relay_tcp(third: TcpStream, first: Vec<u8>, agent: TokioIo<Upgraded>) {
    let (mut tr, tw) = third.into_split();
    let (mut ar, aw) = tokio::io::split(agent);
    let tw: Shared<_> = Arc::new(tokio::sync::Mutex::new(tw));
    let aw: Shared<_> = Arc::new(tokio::sync::Mutex::new(aw));
    let aw1 = Arc::clone(&aw);
    let up = async move {
        if !first.is_empty() && !send(&aw1, &encode_frame(OP_BINARY, &first)).await {
            return;
        }
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            match tr.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if !send(&aw1, &encode_frame(OP_BINARY, chunk.get(..n).unwrap_or_default())).await {
                        return;
                    }
                }
            }
        }
        let _ = send(&aw1, &encode_frame(OP_CLOSE, &close_payload(1000, "clean-eof"))).await;
        shut(&aw1).await;
    };
    let down = async move {
        let mut buf = Vec::new();
        while let Some(f) = read_frame(&mut ar, &mut buf).await {
            match f.opcode {
                OP_BINARY | OP_CONT => {
                    if !send(&tw, &f.payload).await {
                        break;
                    }
                }
                OP_PING => {
                    let _ = send(&aw, &encode_frame(OP_PONG, &f.payload)).await;
                }
                OP_PONG => {}
                _ => break,
            }
        }
        shut(&tw).await;
    };
    both(up, down).await;
}

// ----------------------------------------------------------- ClientHello

#[derive(Debug, PartialEq, Eq)]
enum Sni {
    Need,
    Done(Option<String>),
    Bad,
}

/// The SNI host name of the TLS ClientHello at the start of `buf`
/// (handshake records concatenated until the message is complete).
fn client_hello_sni(buf: &[u8]) -> Sni {
    let mut hs = Vec::new();
    let mut rest = buf;
    while let Some((hdr, after)) = rest.split_first_chunk::<5>() {
        if hdr[0] != 0x16 {
            return Sni::Bad;
        }
        let len = usize::from(u16::from_be_bytes([hdr[3], hdr[4]]));
        let Some(frag) = after.get(..len) else { break };
        hs.extend_from_slice(frag);
        rest = after.get(len..).unwrap_or_default();
        if hs.len() >= 4 {
            break;
        }
    }
    let Some((&kind, h)) = hs.split_first() else { return Sni::Need };
    if kind != 0x01 {
        return Sni::Bad;
    }
    let Some(lb) = h.get(..3) else { return Sni::Need };
    let msg_len = lb.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
    // Gather further records until the whole ClientHello is there.
    loop {
        if hs.len() >= 4 + msg_len {
            break;
        }
        let Some((hdr, after)) = rest.split_first_chunk::<5>() else { return Sni::Need };
        if hdr[0] != 0x16 {
            return Sni::Bad;
        }
        let len = usize::from(u16::from_be_bytes([hdr[3], hdr[4]]));
        let Some(frag) = after.get(..len) else { return Sni::Need };
        hs.extend_from_slice(frag);
        rest = after.get(len..).unwrap_or_default();
    }
    let Some(body) = hs.get(4..4 + msg_len) else { return Sni::Bad };
    match parse_hello_body(body) {
        Some(sni) => Sni::Done(sni),
        None => Sni::Bad,
    }
}

/// `None` = malformed; `Some(None)` = no SNI extension.
fn parse_hello_body(b: &[u8]) -> Option<Option<String>> {
    let mut p = b.get(34..)?; // version + random
    let take = |p: &mut &[u8], n: usize| -> Option<Vec<u8>> {
        let v = p.get(..n)?.to_vec();
        *p = p.get(n..)?;
        Some(v)
    };
    let u8len = |p: &mut &[u8]| -> Option<usize> { take(p, 1)?.first().map(|x| usize::from(*x)) };
    let u16len = |p: &mut &[u8]| -> Option<usize> {
        let v = take(p, 2)?;
        Some(usize::from(u16::from_be_bytes([*v.first()?, *v.get(1)?])))
    };
    let n = u8len(&mut p)?;
    take(&mut p, n)?; // session id
    let n = u16len(&mut p)?;
    take(&mut p, n)?; // cipher suites
    let n = u8len(&mut p)?;
    take(&mut p, n)?; // compression
    if p.is_empty() {
        return Some(None);
    }
    let n = u16len(&mut p)?;
    let mut ext: &[u8] = p.get(..n)?;
    while !ext.is_empty() {
        let ty = u16len(&mut ext)?;
        let n = u16len(&mut ext)?;
        let data = take(&mut ext, n)?;
        if ty != 0 {
            continue;
        }
        let mut d: &[u8] = &data;
        let _list_len = u16len(&mut d)?;
        while !d.is_empty() {
            let name_type = u8len(&mut d)?;
            let n = u16len(&mut d)?;
            let name = take(&mut d, n)?;
            if name_type == 0 {
                return Some(Some(String::from_utf8(name).ok()?));
            }
        }
        return Some(None);
    }
    Some(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn websocket_accept_matches_rfc6455_example() {
        assert_eq!(ws_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn frames_round_trip_masked_and_unmasked() {
        let mut buf = encode_frame(OP_TEXT, b"hello");
        buf.extend([0x82, 0x83, 1, 2, 3, 4, b'a' ^ 1, b'b' ^ 2, b'c' ^ 3]);
        let big = vec![7u8; 70_000];
        buf.extend(encode_frame(OP_BINARY, &big));
        assert_eq!(parse_frame(&mut buf).unwrap().unwrap(), Frame { fin: true, opcode: 1, payload: b"hello".to_vec() });
        assert_eq!(parse_frame(&mut buf).unwrap().unwrap().payload, b"abc");
        let mut partial = buf[..100].to_vec();
        assert_eq!(parse_frame(&mut partial), Ok(None));
        assert_eq!(parse_frame(&mut buf).unwrap().unwrap().payload, big);
        assert!(buf.is_empty());
    }

    #[test]
    fn client_hello_sni_is_found() {
        let name = b"bot.localhost";
        let mut sni = vec![0, 0];
        let list_len = (name.len() + 3) as u16;
        sni.extend((list_len + 2).to_be_bytes());
        sni.extend(list_len.to_be_bytes());
        sni.push(0);
        sni.extend((name.len() as u16).to_be_bytes());
        sni.extend(name);
        let mut body = vec![3, 3];
        body.extend([0u8; 32]);
        body.extend([0, 0, 2, 0x13, 0x01, 1, 0]);
        body.extend((sni.len() as u16).to_be_bytes());
        body.extend(&sni);
        let mut hs = vec![1, 0];
        hs.extend((body.len() as u16).to_be_bytes());
        hs.extend(&body);
        let mut rec = vec![0x16, 3, 1];
        rec.extend((hs.len() as u16).to_be_bytes());
        rec.extend(&hs);
        assert_eq!(client_hello_sni(&rec), Sni::Done(Some("bot.localhost".into())));
        assert_eq!(client_hello_sni(&rec[..20]), Sni::Need);
        assert_eq!(client_hello_sni(b"GET / HTTP/1.1\r\n"), Sni::Bad);
        // The same hello split over two records.
        let (a, b) = hs.split_at(10);
        let mut two = vec![0x16, 3, 1, 0, a.len() as u8];
        two.extend(a);
        two.extend([0x16, 3, 1]);
        two.extend((b.len() as u16).to_be_bytes());
        two.extend(b);
        assert_eq!(client_hello_sni(&two), Sni::Done(Some("bot.localhost".into())));
    }

    #[test]
    fn tunnel_hosts_are_classified() {
        let req = |host: &str| Request::builder().uri("/x").header("host", host).body(()).unwrap();
        assert!(matches!(classify(&req("bot.localhost:8080")), Route::Public(h) if h == "bot.localhost"));
        assert!(matches!(classify(&req("Bot.LOCALHOST")), Route::Public(h) if h == "bot.localhost"));
        assert!(matches!(classify(&req("localhost:8080")), Route::Api));
        assert!(matches!(classify(&req("127.0.0.1:8080")), Route::Api));
    }
}
