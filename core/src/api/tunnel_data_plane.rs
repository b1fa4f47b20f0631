//! The tunnel data plane's sans-IO rules (spec/tunnels.md "Data plane"): what
//! a binding needs to bring a tunnel online besides an HTTP/2 stack.
//!
//! The agent keeps one outbound HTTP/2 connection to the tunnel's zone:
//! `POST /_system/hello` authenticates it ([`hello_headers`], [`parse_hello`]),
//! then a pool of parked `POST /_system/intake` streams ([`intake_headers`])
//! each receives one inbound request as `inkbox-*` response headers plus the
//! body ([`parse_envelope`]). The agent answers it with
//! `POST /_system/response/{request_id}` ([`response_headers`]).
//!
//! Also here: the checks `connect` runs before any I/O ([`validate_pool_size`],
//! [`ForwardTarget::parse`] with the loopback-only rule, [`validate_inbound_path`]),
//! the reconnect backoff ([`Backoff`], jitter from an RNG argument), how a
//! zone is dialled ([`ZoneEndpoint`]: cleartext h2c for a loopback zone such as
//! the local emulator's, TLS with ALPN `h2` otherwise) and the public URL.
//!
//! Header names are lowercase, as HTTP/2 requires.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

use percent_encoding::percent_decode_str;
use rand_core::TryRng;
use serde_json::Value;

/// Smallest intake pool a client may ask for (`x-pool-size`).
pub const POOL_SIZE_MIN: u32 = 1;
/// Largest intake pool a client may ask for (`x-pool-size`).
pub const POOL_SIZE_MAX: u32 = 32;
/// The port a zone is dialled on when it names none.
pub const DEFAULT_ZONE_PORT: u16 = 443;
/// `:protocol` of the extended CONNECT that bridges a WebSocket.
pub const WS_PROTOCOL: &str = "inkbox-tunnel-ws";
/// `:protocol` of the extended CONNECT that bridges a raw TCP stream.
pub const TCP_PROTOCOL: &str = "inkbox-tunnel-tcp";
/// The `inkbox-reason` of an inbound request refused by [`validate_inbound_path`].
pub const REASON_INVALID_PATH: &str = "invalid-path";

/// Request headers never forwarded from the third party to the local target.
pub const HOP_BY_HOP_REQUEST: &[&str] = &[
    "host",
    "connection",
    "proxy-connection",
    "upgrade",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "proxy-authenticate",
    "proxy-authorization",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
];

/// Response headers never relayed from the local target to the third party.
pub const HOP_BY_HOP_RESPONSE: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
];

/// Headers the forwarding side sets itself (the third party's copies are dropped).
const FORWARDED_VIEW: &[&str] = &["host", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-for", "forwarded"];

/// A rule of this module that an argument or a server reply broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataPlaneError {
    /// `pool_size` outside 1–32.
    PoolSize(i64),
    /// `forward_to` is not an `http`/`https` URL with a host.
    ForwardTarget(String),
    /// `forward_to` is not loopback and remote forwarding was not allowed.
    ForwardTargetRefused(String),
    /// The zone is not `host` or `host:port`.
    Zone(String),
}

impl DataPlaneError {
    /// A stable code for bindings.
    pub fn code(&self) -> &'static str {
        match self {
            DataPlaneError::PoolSize(_) => "tunnel.pool_size",
            DataPlaneError::ForwardTarget(_) => "tunnel.forward_to",
            DataPlaneError::ForwardTargetRefused(_) => "tunnel.forward_to_refused",
            DataPlaneError::Zone(_) => "tunnel.zone",
        }
    }
}

impl core::fmt::Display for DataPlaneError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DataPlaneError::PoolSize(n) => {
                write!(f, "pool_size must be between {POOL_SIZE_MIN} and {POOL_SIZE_MAX} (got {n})")
            }
            DataPlaneError::ForwardTarget(why) => write!(f, "forward_to: {why}"),
            DataPlaneError::ForwardTargetRefused(host) => write!(
                f,
                "forward_to host {host:?} is not a literal loopback address (localhost, 127.0.0.0/8, ::1); \
                 pass allow_remote_forwarding=True to forward elsewhere (review the SSRF risk first)"
            ),
            DataPlaneError::Zone(zone) => write!(f, "tunnel zone {zone:?} is not host or host:port"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DataPlaneError {}

/// Checks an intake pool size (1–32).
pub fn validate_pool_size(pool_size: i64) -> Result<u32, DataPlaneError> {
    u32::try_from(pool_size)
        .ok()
        .filter(|n| (POOL_SIZE_MIN..=POOL_SIZE_MAX).contains(n))
        .ok_or(DataPlaneError::PoolSize(pool_size))
}

// ------------------------------------------------------------------ hosts

/// A host as written in a URL authority, without IPv6 brackets.
fn unbracket(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// A literal loopback address: `localhost`, IPv4 `127.0.0.0/8`, IPv6 `::1`.
/// Names that merely resolve to loopback are not (no resolver is asked).
pub fn is_loopback_literal(host: &str) -> bool {
    let host = unbracket(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    host.parse::<Ipv6Addr>().is_ok_and(|v6| v6.is_loopback())
}

/// A loopback host in the wider sense used for zones: also any `*.localhost`
/// name (RFC 6761 reserves the whole domain for loopback).
pub fn is_loopback_host(host: &str) -> bool {
    let host = unbracket(host).trim_end_matches('.');
    if is_loopback_literal(host) {
        return true;
    }
    let lower = host.to_ascii_lowercase();
    lower.len() > ".localhost".len() && lower.ends_with(".localhost")
}

/// Splits `host[:port]` (IPv6 hosts in brackets). `None` if malformed.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if authority.is_empty() {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = rest.get(..end)?;
        host.parse::<Ipv6Addr>().ok()?;
        let after = rest.get(end + 1..)?;
        if after.is_empty() {
            return Some((host, None));
        }
        let port = after.strip_prefix(':')?.parse::<u16>().ok()?;
        return Some((host, Some(port)));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => {
            if host.is_empty() || host.contains(':') {
                return None;
            }
            Some((host, Some(port.parse::<u16>().ok()?)))
        }
        None => Some((authority, None)),
    }
}

fn valid_hostname(host: &str) -> bool {
    !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

// ------------------------------------------------------------------ zone

/// Where and how a binding dials a tunnel zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneEndpoint {
    /// The host to connect to (no brackets).
    pub host: String,
    /// The TCP port: the zone's own, else 443.
    pub port: u16,
    /// TLS with ALPN `h2` (false: cleartext HTTP/2 with prior knowledge,
    /// only for a loopback zone such as the local emulator).
    pub tls: bool,
    /// `:authority` of the system requests (the zone as given).
    pub authority: String,
}

impl ZoneEndpoint {
    /// Parses a zone (`inkboxwire.com`, `localhost:8080`, `[::1]:8080`).
    pub fn parse(zone: &str) -> Result<Self, DataPlaneError> {
        let zone = zone.trim();
        let err = || DataPlaneError::Zone(zone.to_owned());
        let (host, port) = split_host_port(zone).ok_or_else(err)?;
        if host.parse::<Ipv6Addr>().is_err() && !valid_hostname(host) {
            return Err(err());
        }
        Ok(ZoneEndpoint {
            host: host.to_owned(),
            port: port.unwrap_or(DEFAULT_ZONE_PORT),
            tls: !is_loopback_host(host),
            authority: zone.to_owned(),
        })
    }

    /// `:scheme` of the system requests.
    pub fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }

    /// The public URL third parties use for `public_host` behind this zone:
    /// `https://{public_host}`, or for a loopback zone (the emulator, which
    /// serves public traffic on its own port) `http://{public_host}:{port}`.
    pub fn public_url(&self, public_host: &str) -> String {
        if self.tls { format!("https://{public_host}") } else { format!("http://{public_host}:{}", self.port) }
    }

    fn system_request(&self, path: String) -> Vec<(String, String)> {
        alloc::vec![
            (":method".into(), "POST".into()),
            (":scheme".into(), self.scheme().into()),
            (":authority".into(), self.authority.clone()),
            (":path".into(), path),
        ]
    }
}

// ------------------------------------------------------------------ hello

/// The request headers of `POST /_system/hello` (pseudo-headers first; empty body).
pub fn hello_headers(
    zone: &ZoneEndpoint,
    tunnel_id: &str,
    api_key: &str,
    pool_size: Option<u32>,
) -> Vec<(String, String)> {
    let mut h = zone.system_request("/_system/hello".into());
    h.push(("x-tunnel-id".into(), tunnel_id.into()));
    h.push(("x-api-key".into(), api_key.into()));
    h.push(("content-length".into(), "0".into()));
    if let Some(n) = pool_size {
        h.push(("x-pool-size".into(), n.to_string()));
    }
    h
}

/// A successful hello.
#[derive(Clone, Debug, PartialEq)]
pub struct Hello {
    /// Authenticates the connection's intake streams (`x-owner-token`).
    pub owner_token: String,
    /// The pool size the server suggests.
    pub default_pool_size: Option<u32>,
    /// How long an idle intake stays parked before the server ends it.
    pub intake_idle_seconds: Option<f64>,
    /// How long the public side waits for the agent's reply.
    pub response_deadline_seconds: Option<f64>,
}

/// Why a hello did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelloError {
    /// 401/403: the API key was refused for this tunnel. Permanent: do not retry.
    Rejected(u16),
    /// Any other non-200 status: retry with backoff.
    Transient(u16),
    /// 200 without a JSON object carrying `owner_token`: retry with backoff.
    Malformed(&'static str),
}

impl HelloError {
    /// Whether the client must stop instead of reconnecting.
    pub fn is_permanent(&self) -> bool {
        matches!(self, HelloError::Rejected(_))
    }
}

impl core::fmt::Display for HelloError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HelloError::Rejected(s) => write!(
                f,
                "/_system/hello returned {s}: the API key was rejected for this tunnel \
                 (use the key of the tunnel's identity or an admin key of its organization)"
            ),
            HelloError::Transient(s) => write!(f, "/_system/hello returned {s}"),
            HelloError::Malformed(why) => write!(f, "/_system/hello: {why}"),
        }
    }
}

fn positive_seconds(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|s| s.is_finite() && *s > 0.0)
}

/// Reads the hello response.
pub fn parse_hello(status: u16, body: &[u8]) -> Result<Hello, HelloError> {
    match status {
        200 => {}
        401 | 403 => return Err(HelloError::Rejected(status)),
        other => return Err(HelloError::Transient(other)),
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| HelloError::Malformed("body is not JSON"))?;
    let obj = value.as_object().ok_or(HelloError::Malformed("body is not a JSON object"))?;
    let owner_token = match obj.get("owner_token") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(HelloError::Malformed("owner_token missing")),
    };
    let default_pool_size = obj
        .get("default_pool_size")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= POOL_SIZE_MIN);
    Ok(Hello {
        owner_token,
        default_pool_size,
        intake_idle_seconds: positive_seconds(obj.get("intake_idle_seconds")),
        response_deadline_seconds: positive_seconds(obj.get("response_deadline_seconds")),
    })
}

/// How many intake streams to park: the server's suggestion, else the
/// client's request, else 1.
pub fn effective_pool_size(hello: &Hello, requested: Option<u32>) -> u32 {
    hello.default_pool_size.or(requested).unwrap_or(1).clamp(POOL_SIZE_MIN, POOL_SIZE_MAX)
}

// ------------------------------------------------------------------ intake

/// The request headers of one parked `POST /_system/intake` (empty body).
pub fn intake_headers(zone: &ZoneEndpoint, tunnel_id: &str, owner_token: &str, slot: u32) -> Vec<(String, String)> {
    let mut h = zone.system_request("/_system/intake".into());
    h.push(("x-tunnel-id".into(), tunnel_id.into()));
    h.push(("x-owner-token".into(), owner_token.into()));
    h.push(("x-pool-slot".into(), slot.to_string()));
    h.push(("content-length".into(), "0".into()));
    h
}

/// What an intake stream's response means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// 200: an inbound request (parse it with [`parse_envelope`]).
    Request,
    /// 401: the owner token is no longer valid; reconnect (new hello).
    Reconnect,
    /// Any other status (an idle intake ending): park again.
    Repark,
}

/// Classifies an intake response status.
pub fn intake_outcome(status: u16) -> IntakeOutcome {
    match status {
        200 => IntakeOutcome::Request,
        401 => IntakeOutcome::Reconnect,
        _ => IntakeOutcome::Repark,
    }
}

/// The kind of traffic an envelope carries (`inkbox-route-kind`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteKind {
    /// A plain HTTP request (`webhook`, the default).
    Http,
    /// A WebSocket upgrade to bridge over `/_system/ws/{ws_id}`.
    WsUpgrade,
    /// A raw TCP stream (passthrough TLS) to bridge over `/_system/tcp/{tcp_id}`.
    TcpStream,
    /// A kind this version does not know, verbatim.
    Other(String),
}

impl RouteKind {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            RouteKind::Http => "webhook",
            RouteKind::WsUpgrade => "ws-upgrade",
            RouteKind::TcpStream => "tcp-stream",
            RouteKind::Other(s) => s,
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "webhook" | "" => RouteKind::Http,
            "ws-upgrade" => RouteKind::WsUpgrade,
            "tcp-stream" => RouteKind::TcpStream,
            other => RouteKind::Other(other.to_owned()),
        }
    }
}

/// One inbound request, from an intake response's `inkbox-*` headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// `inkbox-request-id`: names the reply (`/_system/response/{request_id}`).
    pub request_id: String,
    /// `inkbox-method` (default `GET`).
    pub method: String,
    /// `inkbox-path`: path and query as the third party sent them (default `/`).
    pub path: String,
    /// `inkbox-route-kind`.
    pub route_kind: RouteKind,
    /// `inkbox-ws-id` (WebSocket upgrades).
    pub ws_id: Option<String>,
    /// `inkbox-tcp-id` (raw TCP streams).
    pub tcp_id: Option<String>,
    /// `inkbox-sni-host` (raw TCP streams).
    pub sni_host: Option<String>,
    /// `inkbox-body-uri`: the body is fetched from here instead of inline.
    pub body_uri: Option<String>,
    /// `inkbox-forwarded-for`: the third party's IP address.
    pub forwarded_for: Option<String>,
    /// The third party's headers (`inkbox-h-<name>`), names lowercase, in order.
    pub headers: Vec<(String, String)>,
    /// Other `inkbox-*` headers, kept for forward compatibility.
    pub extra: Vec<(String, String)>,
}

impl Envelope {
    /// The `inkbox-*` headers that carry this envelope (what
    /// [`parse_envelope`] reads back): request id, method, path, route kind,
    /// the ids, body URI and client IP when set, one `inkbox-h-<name>` per
    /// third-party header, then [`Envelope::extra`] as they came.
    pub fn to_headers(&self) -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = alloc::vec![
            ("inkbox-request-id".into(), self.request_id.clone()),
            ("inkbox-method".into(), self.method.clone()),
            ("inkbox-path".into(), self.path.clone()),
            ("inkbox-route-kind".into(), self.route_kind.as_str().into()),
        ];
        let optional = [
            ("inkbox-ws-id", &self.ws_id),
            ("inkbox-tcp-id", &self.tcp_id),
            ("inkbox-sni-host", &self.sni_host),
            ("inkbox-body-uri", &self.body_uri),
            ("inkbox-forwarded-for", &self.forwarded_for),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                h.push((name.into(), v.clone()));
            }
        }
        for (k, v) in &self.headers {
            h.push((format!("inkbox-h-{k}"), v.clone()));
        }
        h.extend(self.extra.iter().cloned());
        h
    }
}

/// The envelope of the `n`-th HTTP request read off the decrypted
/// passthrough stream `tcp_id` (the agent terminates TLS itself): request id
/// `{tcp_id}-{n}`, route kind `webhook`, the client IP of the stream, and the
/// request's headers, names lowercase, without hop-by-hop ones
/// ([`HOP_BY_HOP_REQUEST`]).
pub fn passthrough_envelope<K: AsRef<str>, V: AsRef<str>>(
    tcp_id: &str,
    n: u64,
    method: &str,
    target: &str,
    forwarded_for: Option<&str>,
    headers: &[(K, V)],
) -> Envelope {
    Envelope {
        request_id: format!("{tcp_id}-{n}"),
        method: method.to_ascii_uppercase(),
        path: target.into(),
        route_kind: RouteKind::Http,
        ws_id: None,
        tcp_id: None,
        sni_host: None,
        body_uri: None,
        forwarded_for: forwarded_for.map(Into::into),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.as_ref()))
            .filter(|(k, _)| !k.is_empty() && !is_hop_by_hop_request(k))
            .map(|(k, v)| (k, v.into()))
            .collect(),
        extra: Vec::new(),
    }
}

/// Reads an intake response's headers; `None` without an `inkbox-request-id`.
pub fn parse_envelope<K: AsRef<str>, V: AsRef<str>>(headers: &[(K, V)]) -> Option<Envelope> {
    let mut env = Envelope {
        request_id: String::new(),
        method: "GET".into(),
        path: "/".into(),
        route_kind: RouteKind::Http,
        ws_id: None,
        tcp_id: None,
        sni_host: None,
        body_uri: None,
        forwarded_for: None,
        headers: Vec::new(),
        extra: Vec::new(),
    };
    for (name, value) in headers {
        let name = name.as_ref().to_ascii_lowercase();
        let value = value.as_ref();
        match name.as_str() {
            "inkbox-request-id" => env.request_id = value.into(),
            "inkbox-method" => env.method = value.to_ascii_uppercase(),
            "inkbox-path" => env.path = value.into(),
            "inkbox-route-kind" => env.route_kind = RouteKind::parse(value),
            "inkbox-ws-id" => env.ws_id = Some(value.into()),
            "inkbox-tcp-id" => env.tcp_id = Some(value.into()),
            "inkbox-sni-host" => env.sni_host = Some(value.into()),
            "inkbox-body-uri" => env.body_uri = Some(value.into()),
            "inkbox-forwarded-for" => env.forwarded_for = Some(value.into()),
            _ => {
                if let Some(h) = name.strip_prefix("inkbox-h-") {
                    if !h.is_empty() {
                        env.headers.push((h.into(), value.into()));
                    }
                } else if name.starts_with("inkbox-") {
                    env.extra.push((name.clone(), value.into()));
                }
            }
        }
    }
    if env.request_id.is_empty() { None } else { Some(env) }
}

fn in_set(set: &[&str], name: &str) -> bool {
    set.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Whether a request header is hop-by-hop (never forwarded to the target).
pub fn is_hop_by_hop_request(name: &str) -> bool {
    in_set(HOP_BY_HOP_REQUEST, name)
}

/// Whether a response header is hop-by-hop (never relayed to the third party).
pub fn is_hop_by_hop_response(name: &str) -> bool {
    in_set(HOP_BY_HOP_RESPONSE, name)
}

/// A response's headers without the hop-by-hop ones.
pub fn filter_response_headers<K: AsRef<str>, V: AsRef<str>>(headers: &[(K, V)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| !is_hop_by_hop_response(k.as_ref()))
        .map(|(k, v)| (k.as_ref().into(), v.as_ref().into()))
        .collect()
}

/// The headers the local target receives: `Host` = `host_header`, the
/// forwarded view (`X-Forwarded-Host` = public host, `X-Forwarded-Proto`
/// `https`, `X-Forwarded-For` / `Forwarded` from the envelope's client IP),
/// then the third party's headers without hop-by-hop ones and without its
/// own copies of the forwarded view. Names lowercase.
pub fn forward_request_headers(env: &Envelope, public_host: &str, host_header: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = alloc::vec![
        ("host".into(), host_header.into()),
        ("x-forwarded-host".into(), public_host.into()),
        ("x-forwarded-proto".into(), "https".into()),
    ];
    if let Some(ip) = &env.forwarded_for {
        out.push(("x-forwarded-for".into(), ip.clone()));
        out.push(("forwarded".into(), format!("for={ip}")));
    }
    for (k, v) in &env.headers {
        if is_hop_by_hop_request(k) || in_set(FORWARDED_VIEW, k) || k.starts_with(':') {
            continue;
        }
        out.push((k.clone(), v.clone()));
    }
    out
}

// ------------------------------------------------------------------ reply

/// The request headers of `POST /_system/response/{request_id}` carrying the
/// agent's reply: `inkbox-status`, `inkbox-request-id`, one `inkbox-h-<name>`
/// per response header (hop-by-hop ones and `content-length` dropped),
/// `inkbox-reason` when the agent side failed, `content-length` of the body.
#[allow(clippy::too_many_arguments)]
pub fn response_headers<K: AsRef<str>, V: AsRef<str>>(
    zone: &ZoneEndpoint,
    tunnel_id: &str,
    api_key: &str,
    request_id: &str,
    status: u16,
    headers: &[(K, V)],
    reason: Option<&str>,
    body_len: usize,
) -> Vec<(String, String)> {
    let mut h = zone.system_request(format!("/_system/response/{request_id}"));
    h.push(("x-tunnel-id".into(), tunnel_id.into()));
    h.push(("x-api-key".into(), api_key.into()));
    h.push(("inkbox-status".into(), status.to_string()));
    h.push(("inkbox-request-id".into(), request_id.into()));
    h.push(("content-length".into(), body_len.to_string()));
    for (k, v) in headers {
        let k = k.as_ref().to_ascii_lowercase();
        if k.is_empty() || k.starts_with(':') || k == "content-length" || is_hop_by_hop_response(&k) {
            continue;
        }
        h.push((format!("inkbox-h-{k}"), v.as_ref().into()));
    }
    if let Some(r) = reason {
        h.push(("inkbox-reason".into(), r.into()));
    }
    h
}

// ------------------------------------------------------------------ forward_to

/// A checked `forward_to` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardTarget {
    /// `http` or `https`.
    pub scheme: String,
    /// The authority as written (`host[:port]`), the `Host` the target sees.
    pub authority: String,
    /// The host (no brackets).
    pub host: String,
    /// The explicit port, if any.
    pub port: Option<u16>,
    /// The base path, without a trailing `/` (may be empty).
    pub base_path: String,
}

impl ForwardTarget {
    /// Parses and checks `forward_to`: an `http`/`https` URL with a host and
    /// no credentials; its host must be a literal loopback address unless
    /// `allow_remote` (names are not resolved, so DNS rebinding cannot slip
    /// a remote target past the check).
    pub fn parse(url: &str, allow_remote: bool) -> Result<Self, DataPlaneError> {
        let bad = |why: &str| DataPlaneError::ForwardTarget(format!("{why}: {url:?}"));
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("not an absolute URL"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad("the scheme must be http or https"));
        }
        let rest = rest.split('#').next().unwrap_or("");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(bad("credentials in the URL are not supported"));
        }
        let (host, port) = split_host_port(authority).ok_or_else(|| bad("no valid host"))?;
        if host.parse::<Ipv6Addr>().is_err() && !valid_hostname(host) {
            return Err(bad("no valid host"));
        }
        if !allow_remote && !is_loopback_literal(host) {
            return Err(DataPlaneError::ForwardTargetRefused(host.to_owned()));
        }
        let path = tail.split('?').next().unwrap_or("");
        Ok(ForwardTarget {
            scheme,
            authority: authority.to_owned(),
            host: host.to_owned(),
            port,
            base_path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The URL an inbound request goes to: the base path joined with the
    /// inbound path, the inbound query kept.
    pub fn url_for(&self, inbound_path: &str) -> String {
        let (path, query) = match inbound_path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (inbound_path, None),
        };
        let slash = if path.starts_with('/') { "" } else { "/" };
        let mut url = format!("{}://{}{}{slash}{path}", self.scheme, self.authority, self.base_path);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        url
    }
}

// ------------------------------------------------------------------ inbound path

/// Refuses path-traversal tricks in an inbound request's path (the query is
/// not checked): encoded `/` or `\` (`%2f`, `%5c`), more than two layers of
/// percent-encoding, and — after decoding — `.` / `..` segments, backslashes
/// and control bytes. The path itself is forwarded unchanged.
/// `Err` carries the `inkbox-reason` ([`REASON_INVALID_PATH`]).
pub fn validate_inbound_path(path: &str) -> Result<(), &'static str> {
    let raw = path.split('?').next().unwrap_or("");
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") {
        return Err(REASON_INVALID_PATH);
    }
    let once: Vec<u8> = percent_decode_str(raw).collect();
    let decoded = if once.as_slice() == raw.as_bytes() {
        once
    } else {
        let once_str = String::from_utf8_lossy(&once).into_owned();
        let twice: Vec<u8> = percent_decode_str(&once_str).collect();
        if twice.as_slice() != once_str.as_bytes() {
            return Err(REASON_INVALID_PATH);
        }
        once
    };
    for segment in decoded.split(|&b| b == b'/') {
        if segment == b"." || segment == b".." {
            return Err(REASON_INVALID_PATH);
        }
        if segment.iter().any(|&b| b == b'\\' || b < 0x20 || b == 0x7f) {
            return Err(REASON_INVALID_PATH);
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ backoff

/// Reconnect backoff: starts at 1 s, doubles per failure up to 30 s, each
/// delay jittered by ±25 % (at least 100 ms). [`Backoff::reset`] after a
/// connection that got through hello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    initial_ms: u64,
    cap_ms: u64,
    current_ms: u64,
    failures: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(1_000, 30_000)
    }
}

impl Backoff {
    /// A backoff from `initial_ms`, doubling up to `cap_ms`.
    pub fn new(initial_ms: u64, cap_ms: u64) -> Self {
        let initial_ms = initial_ms.max(1);
        Backoff { initial_ms, cap_ms: cap_ms.max(initial_ms), current_ms: initial_ms, failures: 0 }
    }

    /// Consecutive failures since the last reset.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Records a failure; returns the delay before the next attempt.
    pub fn next_delay_ms<R: TryRng + ?Sized>(&mut self, rng: &mut R) -> u64 {
        let base = self.current_ms;
        let spread = base / 4; // ±25 %
        let jittered = match rng.try_next_u64() {
            Ok(r) if spread > 0 => base - spread + r % (2 * spread + 1),
            _ => base,
        };
        self.current_ms = base.saturating_mul(2).min(self.cap_ms);
        self.failures = self.failures.saturating_add(1);
        jittered.max(100)
    }

    /// Back to the initial delay.
    pub fn reset(&mut self) {
        self.current_ms = self.initial_ms;
        self.failures = 0;
    }
}

// ------------------------------------------------------------------ WebSocket bridge

/// `Sec-WebSocket-Version` this client speaks (RFC 6455).
pub const WS_VERSION: &str = "13";
/// Close code for a live WebSocket bridge whose tunnel connection goes away
/// (server drain, listener closed, connection lost): 4500, as the official client.
pub const WS_CLOSE_CONNECTION_GOING_AWAY: u16 = 4500;
/// Close code the official client reserves for an agent-side timeout.
pub const WS_CLOSE_AGENT_TIMEOUT: u16 = 4504;
/// Largest bridge envelope (length prefix value) accepted: 16 MiB.
pub const WS_MAX_ENVELOPE_BYTES: usize = 16 * 1024 * 1024;

/// WebSocket handshake headers that are per hop: never forwarded from the
/// third party to the local server, nor from its 101 reply back.
const WS_HANDSHAKE_HEADERS: &[&str] = &[
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-accept",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
];

/// The request headers of the extended CONNECT (RFC 8441) that opens the
/// bridge stream `/_system/ws/{ws_id}` (`:protocol inkbox-tunnel-ws`), sent
/// after the upgrade reply (status 200) was posted.
pub fn ws_connect_headers(zone: &ZoneEndpoint, tunnel_id: &str, api_key: &str, ws_id: &str) -> Vec<(String, String)> {
    alloc::vec![
        (":method".into(), "CONNECT".into()),
        (":scheme".into(), zone.scheme().into()),
        (":authority".into(), zone.authority.clone()),
        (":path".into(), format!("/_system/ws/{ws_id}")),
        (":protocol".into(), WS_PROTOCOL.into()),
        ("sec-websocket-version".into(), WS_VERSION.into()),
        ("x-tunnel-id".into(), tunnel_id.into()),
        ("x-api-key".into(), api_key.into()),
        ("inkbox-ws-id".into(), ws_id.into()),
    ]
}

/// The request headers of the extended CONNECT (RFC 8441) that opens the
/// raw TCP bridge stream `/_system/tcp/{tcp_id}` of a passthrough tunnel
/// (`:protocol inkbox-tunnel-tcp`, also offered as the subprotocol).
pub fn tcp_connect_headers(zone: &ZoneEndpoint, tunnel_id: &str, api_key: &str, tcp_id: &str) -> Vec<(String, String)> {
    alloc::vec![
        (":method".into(), "CONNECT".into()),
        (":scheme".into(), zone.scheme().into()),
        (":authority".into(), zone.authority.clone()),
        (":path".into(), format!("/_system/tcp/{tcp_id}")),
        (":protocol".into(), TCP_PROTOCOL.into()),
        ("sec-websocket-version".into(), WS_VERSION.into()),
        ("sec-websocket-protocol".into(), TCP_PROTOCOL.into()),
        ("x-tunnel-id".into(), tunnel_id.into()),
        ("x-api-key".into(), api_key.into()),
        ("inkbox-tcp-id".into(), tcp_id.into()),
    ]
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2).
pub fn ws_accept(key: &str) -> String {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(key.trim().as_bytes());
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    crate::vault::base64::encode_to_string(&h.finalize())
}

/// A `Sec-WebSocket-Key` from 16 random bytes.
pub fn ws_client_key(nonce: &[u8; 16]) -> String {
    crate::vault::base64::encode_to_string(nonce)
}

/// The subprotocols a `Sec-WebSocket-Protocol` value offers (comma-separated,
/// trimmed, empty tokens dropped; case-sensitive).
pub fn ws_subprotocols(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// The third party's offered subprotocols (all `sec-websocket-protocol` headers of the envelope).
pub fn ws_offered_subprotocols(env: &Envelope) -> Vec<String> {
    env.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-protocol"))
        .flat_map(|(_, v)| ws_subprotocols(v))
        .collect()
}

/// The HTTP/1.1 upgrade request the agent sends to a `ws://` local server:
/// request line, `Host` = the target authority, `Upgrade`/`Connection`,
/// `Sec-WebSocket-Version: 13`, the key, the third party's offered
/// subprotocols, the forwarded view and the third party's other headers
/// (hop-by-hop and per-hop handshake headers dropped; no extensions are
/// offered). Ends with the blank line.
pub fn ws_upstream_request(env: &Envelope, target: &ForwardTarget, public_host: &str, key: &str) -> String {
    let url = target.url_for(&env.path);
    // `url_for` gives scheme://authority/path?query; keep the origin-form.
    let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let mut out = format!(
        "GET {path} HTTP/1.1\r\nhost: {}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: {WS_VERSION}\r\nsec-websocket-key: {key}\r\n",
        target.authority
    );
    let offered = ws_offered_subprotocols(env);
    if !offered.is_empty() {
        out.push_str(&format!("sec-websocket-protocol: {}\r\n", offered.join(", ")));
    }
    for (k, v) in forward_request_headers(env, public_host, &target.authority) {
        if k == "host" || in_set(WS_HANDSHAKE_HEADERS, &k) || has_line_break(&k) || has_line_break(&v) {
            continue;
        }
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out
}

fn has_line_break(s: &str) -> bool {
    s.bytes().any(|b| b == b'\r' || b == b'\n')
}

/// A local server's WebSocket handshake answer that the agent accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsHandshake {
    /// The subprotocol it selected (one the third party offered), if any.
    pub subprotocol: Option<String>,
    /// The 101's headers to pass on in the upgrade reply (hop-by-hop and
    /// per-hop handshake headers dropped; `sec-websocket-protocol` kept).
    pub reply_headers: Vec<(String, String)>,
}

/// Why a local server's handshake answer was refused, with the status the
/// third party gets (the server's own status when it did not answer 101).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsHandshakeError {
    /// Status for the upgrade reply.
    pub status: u16,
    /// Short reason (`inkbox-reason` / body).
    pub reason: String,
}

/// Checks the response head (status line + headers, without the blank line)
/// a `ws://` local server sent for [`ws_upstream_request`]: status 101,
/// `Sec-WebSocket-Accept` matching `key`, no extension, a subprotocol the
/// third party offered (or none).
pub fn ws_check_upstream_response(head: &str, key: &str, offered: &[String]) -> Result<WsHandshake, WsHandshakeError> {
    let err = |status: u16, reason: &str| WsHandshakeError { status, reason: reason.into() };
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let status = parts.next().and_then(|s| s.parse::<u16>().ok());
    let status = match status {
        Some(s) if version.starts_with("HTTP/1.") && (100..=599).contains(&s) => s,
        _ => return Err(err(502, "upstream-bad-response")),
    };
    if status != 101 {
        return Err(err(status, "upstream-refused-upgrade"));
    }
    let mut accept = None;
    let mut subprotocol = None;
    let mut reply_headers = Vec::new();
    for line in lines {
        let Some((k, v)) = line.split_once(':') else { continue };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim();
        match k.as_str() {
            "sec-websocket-accept" => accept = Some(v.to_owned()),
            "sec-websocket-extensions" if !v.is_empty() => return Err(err(502, "upstream-extension-not-offered")),
            "sec-websocket-protocol" => {
                if !offered.iter().any(|o| o == v) {
                    return Err(err(502, "upstream-subprotocol-not-offered"));
                }
                subprotocol = Some(v.to_owned());
                reply_headers.push((k.clone(), v.to_owned()));
                continue;
            }
            _ => {}
        }
        if k.is_empty() || is_hop_by_hop_response(&k) || in_set(WS_HANDSHAKE_HEADERS, &k) || k == "content-length" {
            continue;
        }
        reply_headers.push((k, v.to_owned()));
    }
    if accept.as_deref() != Some(ws_accept(key).as_str()) {
        return Err(err(502, "upstream-accept-mismatch"));
    }
    Ok(WsHandshake { subprotocol, reply_headers })
}

/// One message on the bridge stream, as the length-prefixed JSON envelope
/// `{"type": "text", "data"}`, `{"type": "binary", "data": base64}` or
/// `{"type": "close", "code", "reason"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsMessage {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A close (code default 1000, reason may be empty).
    Close {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
}

/// Encodes one bridge envelope: u32 big-endian length + compact JSON.
pub fn encode_ws_envelope(msg: &WsMessage) -> Vec<u8> {
    let v = match msg {
        WsMessage::Text(t) => serde_json::json!({"type": "text", "data": t}),
        WsMessage::Binary(b) => {
            serde_json::json!({"type": "binary", "data": crate::vault::base64::encode_to_string(b)})
        }
        WsMessage::Close { code, reason } => serde_json::json!({"type": "close", "code": code, "reason": reason}),
    };
    let json = serde_json::to_vec(&v).unwrap_or_default();
    let mut out = Vec::with_capacity(4 + json.len());
    out.extend_from_slice(&u32::try_from(json.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(&json);
    out
}

/// A bridge envelope stream that cannot go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsEnvelopeError {
    /// A length prefix above the limit.
    TooLarge(usize),
}

impl core::fmt::Display for WsEnvelopeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            WsEnvelopeError::TooLarge(n) => write!(f, "bridge envelope of {n} bytes is over the limit"),
        }
    }
}

/// Reassembles bridge envelopes from the payloads of the bridge stream's
/// data frames (an envelope may span frames, a frame may hold several).
/// Malformed JSON, unknown types and bad base64 are skipped, as the
/// official client does.
#[derive(Clone, Debug)]
pub struct WsEnvelopeReader {
    buf: Vec<u8>,
    max: usize,
}

impl WsEnvelopeReader {
    /// A reader refusing envelopes over `max` bytes.
    pub fn new(max: usize) -> Self {
        WsEnvelopeReader { buf: Vec::new(), max }
    }

    /// Appends payload bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Bytes held for an incomplete envelope.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete message, `Ok(None)` when more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<WsMessage>, WsEnvelopeError> {
        loop {
            let Some((len, rest)) = self.buf.split_first_chunk::<4>() else { return Ok(None) };
            let len = u32::from_be_bytes(*len) as usize;
            if len > self.max {
                return Err(WsEnvelopeError::TooLarge(len));
            }
            let Some(raw) = rest.get(..len) else { return Ok(None) };
            let parsed = decode_ws_envelope_json(raw);
            self.buf.drain(..4 + len);
            if let Some(m) = parsed {
                return Ok(Some(m));
            }
        }
    }
}

fn decode_ws_envelope_json(raw: &[u8]) -> Option<WsMessage> {
    let v: Value = serde_json::from_slice(raw).ok()?;
    let data = v.get("data").and_then(Value::as_str);
    match v.get("type").and_then(Value::as_str)? {
        "text" => Some(WsMessage::Text(data.unwrap_or_default().into())),
        "binary" => {
            let data = data.unwrap_or_default();
            let strict = data.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
            if !strict {
                return None;
            }
            crate::vault::base64::decode_lenient_to_vec(data).ok().map(WsMessage::Binary)
        }
        "close" => {
            let code = v.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()).unwrap_or(1000);
            let reason = v.get("reason").and_then(Value::as_str).unwrap_or_default();
            Some(WsMessage::Close { code, reason: reason.into() })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use alloc::vec;

    struct Fixed(u64);
    impl rand_core::TryRng for Fixed {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(self.0 as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(self.0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            dst.fill(0);
            Ok(())
        }
    }

    #[test]
    fn pool_size_bounds() {
        assert_eq!(validate_pool_size(1), Ok(1));
        assert_eq!(validate_pool_size(32), Ok(32));
        assert_eq!(validate_pool_size(0), Err(DataPlaneError::PoolSize(0)));
        assert_eq!(validate_pool_size(33), Err(DataPlaneError::PoolSize(33)));
        assert_eq!(validate_pool_size(-1), Err(DataPlaneError::PoolSize(-1)));
    }

    #[test]
    fn zones_loopback_cleartext_else_tls_443() {
        let z = ZoneEndpoint::parse("inkboxwire.com").unwrap();
        assert_eq!((z.host.as_str(), z.port, z.tls, z.scheme()), ("inkboxwire.com", 443, true, "https"));
        assert_eq!(z.public_url("a.inkboxwire.com"), "https://a.inkboxwire.com");
        let z = ZoneEndpoint::parse("localhost:8123").unwrap();
        assert_eq!(
            (z.host.as_str(), z.port, z.tls, z.authority.as_str()),
            ("localhost", 8123, false, "localhost:8123")
        );
        assert_eq!(z.public_url("bot.localhost"), "http://bot.localhost:8123");
        assert!(!ZoneEndpoint::parse("edge.localhost").unwrap().tls);
        assert_eq!(ZoneEndpoint::parse("edge.localhost").unwrap().port, 443);
        assert!(!ZoneEndpoint::parse("127.0.0.9:1").unwrap().tls);
        let z = ZoneEndpoint::parse("[::1]:9000").unwrap();
        assert_eq!((z.host.as_str(), z.port, z.tls), ("::1", 9000, false));
        assert!(ZoneEndpoint::parse("example.com:7443").unwrap().tls);
        assert!(ZoneEndpoint::parse("notlocalhost").unwrap().tls);
        for bad in ["", "a:b", "a b", "x:99999", "[zz]:1", "https://x"] {
            assert!(ZoneEndpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hello_parsing() {
        let h = parse_hello(
            200,
            br#"{"owner_token":"t","default_pool_size":4,"intake_idle_seconds":25,"response_deadline_seconds":30.5}"#,
        )
        .unwrap();
        assert_eq!(h.owner_token, "t");
        assert_eq!(h.default_pool_size, Some(4));
        assert_eq!(h.intake_idle_seconds, Some(25.0));
        assert_eq!(h.response_deadline_seconds, Some(30.5));
        assert_eq!(effective_pool_size(&h, Some(2)), 4);
        let h = parse_hello(200, br#"{"owner_token":"t","default_pool_size":"x"}"#).unwrap();
        assert_eq!((h.default_pool_size, h.intake_idle_seconds), (None, None));
        assert_eq!(effective_pool_size(&h, Some(2)), 2);
        assert_eq!(effective_pool_size(&h, None), 1);
        assert_eq!(parse_hello(401, b""), Err(HelloError::Rejected(401)));
        assert!(parse_hello(403, b"").unwrap_err().is_permanent());
        assert_eq!(parse_hello(503, b""), Err(HelloError::Transient(503)));
        assert!(!parse_hello(503, b"").unwrap_err().is_permanent());
        assert!(matches!(parse_hello(200, b"{}"), Err(HelloError::Malformed(_))));
        assert!(matches!(parse_hello(200, br#"{"owner_token":""}"#), Err(HelloError::Malformed(_))));
        assert!(matches!(parse_hello(200, b"nope"), Err(HelloError::Malformed(_))));
    }

    #[test]
    fn system_request_headers() {
        let z = ZoneEndpoint::parse("localhost:80").unwrap();
        let h = hello_headers(&z, "tid", "key", Some(3));
        assert_eq!(h[0], (":method".into(), "POST".into()));
        assert_eq!(h[1], (":scheme".into(), "http".into()));
        assert_eq!(h[2], (":authority".into(), "localhost:80".into()));
        assert_eq!(h[3], (":path".into(), "/_system/hello".into()));
        assert!(h.contains(&("x-pool-size".into(), "3".into())));
        assert!(h.contains(&("x-api-key".into(), "key".into())));
        let h = intake_headers(&z, "tid", "own", 2);
        assert!(h.contains(&("x-owner-token".into(), "own".into())));
        assert!(h.contains(&("x-pool-slot".into(), "2".into())));
        assert_eq!(intake_outcome(200), IntakeOutcome::Request);
        assert_eq!(intake_outcome(401), IntakeOutcome::Reconnect);
        assert_eq!(intake_outcome(204), IntakeOutcome::Repark);
    }

    #[test]
    fn envelope_and_forwarded_headers() {
        let raw = vec![
            (":status", "200"),
            ("Inkbox-Request-Id", "r1"),
            ("inkbox-method", "post"),
            ("inkbox-path", "/hook?x=1"),
            ("inkbox-forwarded-for", "203.0.113.9"),
            ("inkbox-h-content-type", "application/json"),
            ("inkbox-h-connection", "keep-alive"),
            ("inkbox-h-x-forwarded-for", "6.6.6.6"),
            ("inkbox-h-x-a", "1"),
            ("inkbox-h-x-a", "2"),
            ("inkbox-future", "v"),
        ];
        let env = parse_envelope(&raw).unwrap();
        assert_eq!((env.request_id.as_str(), env.method.as_str(), env.path.as_str()), ("r1", "POST", "/hook?x=1"));
        assert_eq!(env.route_kind, RouteKind::Http);
        assert_eq!(env.extra, vec![("inkbox-future".into(), "v".into())]);
        // to_headers is parse_envelope's inverse.
        assert_eq!(parse_envelope(&env.to_headers()).as_ref(), Some(&env));
        let fwd = forward_request_headers(&env, "bot.localhost", "127.0.0.1:9");
        assert_eq!(fwd[0], ("host".into(), "127.0.0.1:9".into()));
        assert!(fwd.contains(&("x-forwarded-for".into(), "203.0.113.9".into())));
        assert!(!fwd.contains(&("x-forwarded-for".into(), "6.6.6.6".into())));
        assert!(!fwd.iter().any(|(k, _)| k == "connection"));
        assert_eq!(fwd.iter().filter(|(k, _)| k == "x-a").count(), 2);

        let ws =
            parse_envelope(&[("inkbox-request-id", "r"), ("inkbox-route-kind", "ws-upgrade"), ("inkbox-ws-id", "w")])
                .unwrap();
        assert_eq!((ws.route_kind, ws.ws_id.as_deref()), (RouteKind::WsUpgrade, Some("w")));
        assert_eq!(parse_envelope(&[("inkbox-route-kind", "x")]), None);
        assert_eq!(
            parse_envelope(&[("inkbox-request-id", "r"), ("inkbox-route-kind", "new")]).unwrap().route_kind.as_str(),
            "new"
        );
    }

    #[test]
    fn reply_headers_drop_hop_by_hop() {
        let z = ZoneEndpoint::parse("inkboxwire.com").unwrap();
        let h = response_headers(
            &z,
            "tid",
            "key",
            "r1",
            201,
            &[
                ("Content-Type", "text/plain"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Length", "3"),
                ("Set-Cookie", "a"),
            ],
            Some("upstream-error"),
            3,
        );
        assert_eq!(h[3], (":path".into(), "/_system/response/r1".into()));
        assert!(h.contains(&("inkbox-status".into(), "201".into())));
        assert!(h.contains(&("inkbox-h-content-type".into(), "text/plain".into())));
        assert!(h.contains(&("inkbox-h-set-cookie".into(), "a".into())));
        assert!(h.contains(&("content-length".into(), "3".into())));
        assert!(h.contains(&("inkbox-reason".into(), "upstream-error".into())));
        assert!(!h.iter().any(|(k, _)| k == "inkbox-h-transfer-encoding" || k == "inkbox-h-content-length"));
        assert_eq!(filter_response_headers(&[("Connection", "close"), ("X", "y")]), vec![("X".into(), "y".into())]);
    }

    #[test]
    fn forward_targets() {
        let t = ForwardTarget::parse("http://127.0.0.1:8080", false).unwrap();
        assert_eq!(t.url_for("/a/b?q=1"), "http://127.0.0.1:8080/a/b?q=1");
        let t = ForwardTarget::parse("https://localhost/base/", false).unwrap();
        assert_eq!((t.authority.as_str(), t.port), ("localhost", None));
        assert_eq!(t.url_for("/x"), "https://localhost/base/x");
        assert_eq!(t.url_for("x"), "https://localhost/base/x");
        assert!(ForwardTarget::parse("http://[::1]:9/", false).is_ok());
        assert!(ForwardTarget::parse("http://127.8.9.10", false).is_ok());
        for refused in ["http://example.com", "http://10.0.0.1", "http://x.localhost", "http://[::2]"] {
            assert!(
                matches!(ForwardTarget::parse(refused, false), Err(DataPlaneError::ForwardTargetRefused(_))),
                "{refused}"
            );
            assert!(ForwardTarget::parse(refused, true).is_ok(), "{refused}");
        }
        for bad in ["ftp://localhost", "localhost:80", "http://", "http://u:p@localhost", "http://a b"] {
            assert!(matches!(ForwardTarget::parse(bad, true), Err(DataPlaneError::ForwardTarget(_))), "{bad}");
        }
    }

    #[test]
    fn inbound_paths() {
        for ok in ["/", "/a/b.c?x=../..", "/%41bc", "/caf%C3%A9", "/..a/b.."] {
            assert_eq!(validate_inbound_path(ok), Ok(()), "{ok}");
        }
        for bad in [
            "/../etc",
            "/a/./b",
            "/%2e%2e/x",
            "/%252e%252e/x",
            "/a%2Fb",
            "/a%5cb",
            "/a\\b",
            "/%00",
            "/a%7f",
            "/%25252e",
            "/a%2520b",
        ] {
            assert_eq!(validate_inbound_path(bad), Err(REASON_INVALID_PATH), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_resets() {
        let mut b = Backoff::default();
        assert_eq!(b.next_delay_ms(&mut Fixed(0)), 750);
        assert_eq!(b.next_delay_ms(&mut Fixed(1000)), 2500, "2000 - 500 + 1000 % 1001");
        let mut max = 0;
        for _ in 0..10 {
            max = b.next_delay_ms(&mut Fixed(u64::MAX));
        }
        assert!((22_500..=37_500).contains(&max), "{max}");
        assert_eq!(b.failures(), 12);
        b.reset();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.next_delay_ms(&mut Fixed(250)), 1000);
    }

    #[test]
    fn ws_accept_rfc6455_example() {
        assert_eq!(ws_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(ws_client_key(&[0u8; 16]), "AAAAAAAAAAAAAAAAAAAAAA==");
    }

    #[test]
    fn tcp_connect_headers_and_passthrough_envelopes() {
        let z = ZoneEndpoint::parse("localhost:80").unwrap();
        let h = tcp_connect_headers(&z, "tid", "key", "t1");
        assert!(h.contains(&(":path".into(), "/_system/tcp/t1".into())));
        assert!(h.contains(&(":protocol".into(), "inkbox-tunnel-tcp".into())));
        assert!(h.contains(&("sec-websocket-protocol".into(), "inkbox-tunnel-tcp".into())));
        assert!(h.contains(&("inkbox-tcp-id".into(), "t1".into())));
        let env = passthrough_envelope(
            "t1",
            2,
            "post",
            "/hook?x=1",
            Some("203.0.113.9"),
            &[
                ("Content-Type", "text/plain"),
                ("Proxy-Connection", "keep-alive"),
                ("Connection", "close"),
                ("X-A", "1"),
            ],
        );
        assert_eq!((env.request_id.as_str(), env.method.as_str(), env.path.as_str()), ("t1-2", "POST", "/hook?x=1"));
        assert_eq!(env.headers, vec![("content-type".into(), "text/plain".into()), ("x-a".into(), "1".into())]);
        assert_eq!(parse_envelope(&env.to_headers()), Some(env));
    }

    #[test]
    fn ws_connect_and_upstream_request() {
        let z = ZoneEndpoint::parse("localhost:80").unwrap();
        let h = ws_connect_headers(&z, "tid", "key", "w1");
        assert_eq!(h[0], (":method".into(), "CONNECT".into()));
        assert!(h.contains(&(":path".into(), "/_system/ws/w1".into())));
        assert!(h.contains(&(":protocol".into(), "inkbox-tunnel-ws".into())));
        assert!(h.contains(&("inkbox-ws-id".into(), "w1".into())));
        let env = parse_envelope(&[
            ("inkbox-request-id", "r"),
            ("inkbox-path", "/chat?x=1"),
            ("inkbox-route-kind", "ws-upgrade"),
            ("inkbox-forwarded-for", "10.0.0.9"),
            ("inkbox-h-host", "bot.localhost"),
            ("inkbox-h-sec-websocket-key", "theirs"),
            ("inkbox-h-sec-websocket-extensions", "permessage-deflate"),
            ("inkbox-h-sec-websocket-protocol", "a, b"),
            ("inkbox-h-cookie", "c=1"),
        ])
        .unwrap();
        assert_eq!(ws_offered_subprotocols(&env), vec!["a".to_string(), "b".to_string()]);
        let t = ForwardTarget::parse("http://127.0.0.1:9000/base", false).unwrap();
        let req = ws_upstream_request(&env, &t, "bot.localhost", "K");
        assert!(req.starts_with("GET /base/chat?x=1 HTTP/1.1\r\nhost: 127.0.0.1:9000\r\n"), "{req}");
        assert!(req.contains("sec-websocket-key: K\r\n"));
        assert!(req.contains("sec-websocket-protocol: a, b\r\n"));
        assert!(req.contains("x-forwarded-for: 10.0.0.9\r\n"));
        assert!(req.contains("cookie: c=1\r\n"));
        assert!(!req.contains("theirs") && !req.contains("deflate"));
        assert!(req.ends_with("\r\n\r\n"));
    }

    #[test]
    fn ws_upstream_response_checks() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                  Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: b\r\nSet-Cookie: s=1";
        let offered = vec!["a".to_string(), "b".to_string()];
        let hs = ws_check_upstream_response(ok, key, &offered).unwrap();
        assert_eq!(hs.subprotocol.as_deref(), Some("b"));
        assert_eq!(
            hs.reply_headers,
            vec![("sec-websocket-protocol".into(), "b".into()), ("set-cookie".into(), "s=1".into())]
        );
        assert_eq!(ws_check_upstream_response(ok, key, &[]).unwrap_err().reason, "upstream-subprotocol-not-offered");
        assert_eq!(ws_check_upstream_response(ok, "other", &offered).unwrap_err().status, 502);
        let e = ws_check_upstream_response("HTTP/1.1 403 Forbidden\r\nX: y", key, &offered).unwrap_err();
        assert_eq!(e.status, 403);
        assert_eq!(ws_check_upstream_response("garbage", key, &offered).unwrap_err().status, 502);
        let ext =
            "HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: x";
        assert_eq!(ws_check_upstream_response(ext, key, &[]).unwrap_err().reason, "upstream-extension-not-offered");
    }

    #[test]
    fn ws_envelopes_round_trip_across_chunks() {
        let msgs = [
            WsMessage::Text("héllo".into()),
            WsMessage::Binary(vec![0, 1, 2, 255]),
            WsMessage::Close { code: 4000, reason: "bye".into() },
        ];
        let mut wire = Vec::new();
        for m in &msgs {
            wire.extend(encode_ws_envelope(m));
        }
        let bin = encode_ws_envelope(&msgs[1]);
        assert_eq!(&bin[4..], br#"{"data":"AAEC/w==","type":"binary"}"#.as_slice());
        let mut r = WsEnvelopeReader::new(1024);
        let mut got = Vec::new();
        for chunk in wire.chunks(3) {
            r.push(chunk);
            while let Some(m) = r.next_message().unwrap() {
                got.push(m);
            }
        }
        assert_eq!(got, msgs.to_vec());
        assert_eq!(r.buffered(), 0);
        let mut junk = Vec::new();
        for raw in [&br#"{"type":"binary","data":"@@@@"}"#[..], b"not json", br#"{"type":"nope"}"#] {
            junk.extend((raw.len() as u32).to_be_bytes());
            junk.extend_from_slice(raw);
        }
        junk.extend(encode_ws_envelope(&WsMessage::Close { code: 1000, reason: String::new() }));
        r.push(&junk);
        assert_eq!(r.next_message().unwrap(), Some(WsMessage::Close { code: 1000, reason: String::new() }));
        r.push(&2000u32.to_be_bytes());
        assert_eq!(r.next_message(), Err(WsEnvelopeError::TooLarge(2000)));
    }
}
