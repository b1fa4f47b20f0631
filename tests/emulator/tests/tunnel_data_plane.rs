//! The tunnel data plane over real sockets: a small HTTP/2 test agent
//! (hello, parked intakes, replies, extended-CONNECT bridges) against the
//! emulator's port, and third parties speaking HTTP/1.1, WebSocket and
//! (fake) TLS to `{handle}.localhost`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::Emulator;
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest, IdentityTunnelCreateOptions};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::tunnels::{TlsMode, Tunnel};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

// ------------------------------------------------------------------ setup

fn create(emu: &Emulator, handle: &str, tls_mode: TlsMode) -> ids::AgentIdentity {
    let input = CreateIdentityRequest {
        tunnel: Some(IdentityTunnelCreateOptions { tls_mode }),
        ..CreateIdentityRequest::new(handle)
    };
    let r = emu.send(&ids::build_create(&input).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    ids::parse_create(&r.as_response()).unwrap()
}

fn tunnel_of(identity: &ids::AgentIdentity) -> Tunnel {
    identity.tunnel.clone().expect("identity has a tunnel")
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone()
}

fn port(emu: &Emulator) -> u16 {
    emu.url.rsplit(':').next().unwrap().parse().unwrap()
}

fn get_tunnel(emu: &Emulator, id: &str) -> Value {
    let r = emu.raw("GET", &format!("/api/v1/tunnels/{id}"), Some(&emu.admin_key), None);
    assert_eq!(r.status, 200);
    r.json()
}

fn set_config(emu: &Emulator, body: Value) -> Value {
    let r = emu.raw("POST", "/_emulator/tunnels/config", Some(&emu.admin_key), Some(&body.to_string()));
    assert_eq!(r.status, 200, "{:?}", r.json());
    r.json()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(3).enable_all().build().unwrap()
}

async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    panic!("condition not reached");
}

// --------------------------------------------------------- the test agent

struct Agent {
    send: h2::client::SendRequest<Bytes>,
    port: u16,
    tunnel_id: String,
    key: String,
}

struct H2Resp {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl H2Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

async fn read_body(mut body: h2::RecvStream) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.unwrap();
        let _ = body.flow_control().release_capacity(chunk.len());
        out.extend_from_slice(&chunk);
    }
    out
}

impl Agent {
    async fn connect(port: u16, tunnel_id: &str, key: &str) -> Agent {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let (send, conn) = h2::client::handshake(tcp).await.unwrap();
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Agent { send, port, tunnel_id: tunnel_id.into(), key: key.into() }
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> http::Request<()> {
        let mut b = http::Request::builder().method(method).uri(format!("http://localhost:{}{path}", self.port));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap()
    }

    async fn post(&mut self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> H2Resp {
        let req = self.request("POST", path, headers);
        let mut send = self.send.clone().ready().await.unwrap();
        let (resp, mut stream) = send.send_request(req, body.is_empty()).unwrap();
        if !body.is_empty() {
            stream.send_data(Bytes::copy_from_slice(body), true).unwrap();
        }
        let resp = resp.await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        H2Resp { status, headers, body: read_body(resp.into_body()).await }
    }

    async fn hello_with(&mut self, tunnel_id: &str, key: &str, pool: Option<&str>) -> H2Resp {
        let mut h = vec![("x-tunnel-id", tunnel_id), ("x-api-key", key), ("content-length", "0")];
        if let Some(p) = pool {
            h.push(("x-pool-size", p));
        }
        self.post("/_system/hello", &h, b"").await
    }

    async fn hello(&mut self) -> String {
        let (t, k) = (self.tunnel_id.clone(), self.key.clone());
        let r = self.hello_with(&t, &k, None).await;
        assert_eq!(r.status, 200, "{:?}", r.json());
        r.json()["owner_token"].as_str().unwrap().to_owned()
    }

    async fn intake(&mut self, token: &str, slot: &str) -> H2Resp {
        let t = self.tunnel_id.clone();
        self.post("/_system/intake", &[("x-tunnel-id", &t), ("x-owner-token", token), ("x-pool-slot", slot)], b"").await
    }

    async fn respond(&mut self, request_id: &str, status: u16, headers: &[(&str, &str)], body: &[u8]) -> u16 {
        let (t, k, s) = (self.tunnel_id.clone(), self.key.clone(), status.to_string());
        let mut h: Vec<(String, String)> = vec![
            ("x-tunnel-id".into(), t),
            ("x-api-key".into(), k),
            ("inkbox-status".into(), s),
            ("inkbox-request-id".into(), request_id.into()),
        ];
        for (k, v) in headers {
            h.push((format!("inkbox-h-{k}"), (*v).into()));
        }
        let refs: Vec<(&str, &str)> = h.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        self.post(&format!("/_system/response/{request_id}"), &refs, body).await.status
    }

    /// Extended CONNECT; returns the status and, on 200, the stream pair.
    async fn bridge(&mut self, kind: &str, id: &str) -> (u16, Option<(h2::SendStream<Bytes>, h2::RecvStream)>) {
        let (t, k) = (self.tunnel_id.clone(), self.key.clone());
        let mut req = self.request(
            "CONNECT",
            &format!("/_system/{kind}/{id}"),
            &[("x-tunnel-id", &t), ("x-api-key", &k), ("sec-websocket-version", "13")],
        );
        req.extensions_mut().insert(h2::ext::Protocol::from(format!("inkbox-tunnel-{kind}").as_str()));
        let mut send = self.send.clone().ready().await.unwrap();
        assert!(send.is_extended_connect_protocol_enabled(), "server must enable extended CONNECT");
        let (resp, stream) = send.send_request(req, false).unwrap();
        let resp = resp.await.unwrap();
        let status = resp.status().as_u16();
        if status != 200 {
            return (status, None);
        }
        (status, Some((stream, resp.into_body())))
    }
}

// ------------------------------------------------------- WebSocket frames

fn frame(opcode: u8, payload: &[u8], mask: bool) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    let m = if mask { 0x80 } else { 0 };
    let n = payload.len();
    if n < 126 {
        out.push(m | n as u8);
    } else if n < 65536 {
        out.push(m | 126);
        out.extend((n as u16).to_be_bytes());
    } else {
        out.push(m | 127);
        out.extend((n as u64).to_be_bytes());
    }
    if mask {
        let key = [0x12, 0x34, 0x56, 0x78];
        out.extend(key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend(payload);
    }
    out
}

/// `(opcode, payload)` of one complete frame at the front of `buf`.
fn take_frame(buf: &mut Vec<u8>) -> Option<(u8, Vec<u8>)> {
    if buf.len() < 2 {
        return None;
    }
    let masked = buf[1] & 0x80 != 0;
    let mut len = (buf[1] & 0x7f) as usize;
    let mut off = 2;
    if len == 126 {
        if buf.len() < 4 {
            return None;
        }
        len = u16::from_be_bytes([buf[2], buf[3]]) as usize;
        off = 4;
    } else if len == 127 {
        if buf.len() < 10 {
            return None;
        }
        len = u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize;
        off = 10;
    }
    let key = if masked {
        if buf.len() < off + 4 {
            return None;
        }
        off += 4;
        Some([buf[off - 4], buf[off - 3], buf[off - 2], buf[off - 1]])
    } else {
        None
    };
    if buf.len() < off + len {
        return None;
    }
    let mut payload = buf[off..off + len].to_vec();
    if let Some(k) = key {
        payload.iter_mut().enumerate().for_each(|(i, b)| *b ^= k[i % 4]);
    }
    let op = buf[0] & 0x0f;
    buf.drain(..off + len);
    Some((op, payload))
}

async fn next_h2_frame(recv: &mut h2::RecvStream, buf: &mut Vec<u8>) -> Option<(u8, Vec<u8>)> {
    loop {
        if let Some(f) = take_frame(buf) {
            return Some(f);
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), recv.data()).await.unwrap()?.unwrap();
        let _ = recv.flow_control().release_capacity(chunk.len());
        buf.extend_from_slice(&chunk);
    }
}

async fn next_tcp_frame(tcp: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(u8, Vec<u8>)> {
    loop {
        if let Some(f) = take_frame(buf) {
            return Some(f);
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut chunk)).await.unwrap().unwrap();
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn envelope(v: &Value) -> Vec<u8> {
    let json = serde_json::to_vec(v).unwrap();
    let mut out = (json.len() as u32).to_be_bytes().to_vec();
    out.extend(json);
    out
}

fn parse_envelopes(mut data: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while data.len() >= 4 {
        let n = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
        out.push(serde_json::from_slice(&data[4..4 + n]).unwrap());
        data = &data[4 + n..];
    }
    out
}

// ------------------------------------------------------ the third party

struct HttpResp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl HttpResp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// One HTTP/1.1 request with `Connection: close`; reads to EOF.
async fn public_request(port: u16, host: impl Into<String>, head: &str, body: &[u8]) -> HttpResp {
    let host: String = host.into();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let req = format!("{head}\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len());
    tcp.write_all(req.as_bytes()).await.unwrap();
    tcp.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    parse_http(&raw)
}

fn parse_http(raw: &[u8]) -> HttpResp {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = body.as_slice();
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + n]);
            rest = &rest[eol + 4 + n..];
        }
        body = out;
    }
    HttpResp { status, headers, body }
}

/// A minimal TLS 1.2-style ClientHello record naming `sni`.
fn client_hello(sni: &str) -> Vec<u8> {
    let name = sni.as_bytes();
    let mut ext = vec![0, 0];
    let list_len = (name.len() + 3) as u16;
    ext.extend((list_len + 2).to_be_bytes());
    ext.extend(list_len.to_be_bytes());
    ext.push(0);
    ext.extend((name.len() as u16).to_be_bytes());
    ext.extend(name);
    let mut body = vec![3, 3];
    body.extend([7u8; 32]);
    body.extend([0, 0, 2, 0x13, 0x01, 1, 0]);
    body.extend((ext.len() as u16).to_be_bytes());
    body.extend(&ext);
    let mut hs = vec![1, 0];
    hs.extend((body.len() as u16).to_be_bytes());
    hs.extend(&body);
    let mut rec = vec![0x16, 3, 1];
    rec.extend((hs.len() as u16).to_be_bytes());
    rec.extend(&hs);
    rec
}

// ------------------------------------------------------------------ tests

#[test]
fn hello_authenticates_the_key_for_the_tunnel() {
    let emu = Emulator::start();
    let a = create(&emu, "auth-a", TlsMode::Edge);
    let b = create(&emu, "auth-b", TlsMode::Edge);
    let (ta, tb) = (tunnel_of(&a), tunnel_of(&b));
    let key_a = scoped_key(&emu, &a.id);
    assert_eq!(ta.public_host, "auth-a.localhost");
    assert_eq!(ta.zone, format!("localhost:{}", port(&emu)));
    let p = port(&emu);
    let admin = emu.admin_key.clone();
    runtime().block_on(async {
        let mut agent = Agent::connect(p, &ta.id, &key_a).await;
        assert_eq!(agent.hello_with(&ta.id, "ApiKey_unknown", None).await.status, 401);
        assert_eq!(agent.hello_with(&ta.id, "", None).await.status, 401);
        // An identity key may connect only its own identity's tunnel.
        assert_eq!(agent.hello_with(&tb.id, &key_a, None).await.status, 403);
        assert_eq!(agent.hello_with("00000000-0000-4000-8000-000000000000", &key_a, None).await.status, 404);
        assert_eq!(agent.hello_with(&ta.id, &key_a, Some("0")).await.status, 400);
        assert_eq!(agent.hello_with(&ta.id, &key_a, Some("33")).await.status, 400);
        let ok = agent.hello_with(&ta.id, &key_a, Some("3")).await;
        assert_eq!(ok.status, 200);
        let j = ok.json();
        assert!(j["owner_token"].as_str().is_some_and(|t| !t.is_empty()));
        assert_eq!(j["default_pool_size"], 3);
        assert_eq!(j["response_deadline_seconds"], 30.0);
        assert!(j["intake_idle_seconds"].as_f64().unwrap() > 0.0);
        // The admin key connects any tunnel of its org.
        let ok = agent.hello_with(&tb.id, &admin, None).await;
        assert_eq!((ok.status, ok.json()["default_pool_size"].clone()), (200, json!(4)));
        // An intake needs the token of this connection.
        let r = agent.intake("not-a-token", "0").await;
        assert_eq!((r.status, r.header("inkbox-reason")), (401, Some("owner-token-invalid")));
        let token = j["owner_token"].as_str().unwrap().to_owned();
        let mut other = Agent::connect(p, &ta.id, &key_a).await;
        assert_eq!(other.intake(&token, "0").await.status, 401);
        // REST routes still answer over HTTP/2.
        let r = agent.post("/_system/nothing", &[], b"").await;
        assert_eq!(r.status, 404);
    });
    // A revoked (deleted identity) tunnel is unknown.
    let r = emu.raw("DELETE", &format!("/api/v1/identities/{}", b.agent_handle), Some(&emu.admin_key), None);
    assert_eq!(r.status, 204);
    let admin = emu.admin_key.clone();
    runtime().block_on(async {
        let mut agent = Agent::connect(p, &tb.id, &admin).await;
        assert_eq!(agent.hello_with(&tb.id, &admin, None).await.status, 404);
    });
}

#[test]
fn public_requests_round_trip_through_the_agent() {
    let emu = Emulator::start();
    let ident = create(&emu, "echo-bot", TlsMode::Edge);
    let t = tunnel_of(&ident);
    let key = scoped_key(&emu, &ident.id);
    let p = port(&emu);
    assert_eq!(get_tunnel(&emu, &t.id)["currently_connected"], false);
    set_config(&emu, json!({"intake_idle_seconds": 0.3}));
    let rt = runtime();
    rt.block_on(async {
        // No agent yet: 502 with a JSON error; unknown hosts 404.
        let r = public_request(p, "echo-bot.localhost", "GET /x HTTP/1.1", b"").await;
        assert_eq!((r.status, r.json()["error"].as_str()), (502, Some("tunnel_not_connected")));
        let r = public_request(p, &format!("nobody.localhost:{p}"), "GET / HTTP/1.1", b"").await;
        assert_eq!(r.status, 404);

        let mut agent = Agent::connect(p, &t.id, &key).await;
        let token = agent.hello().await;
        let tun = get_tunnel(&emu, &t.id);
        assert_eq!(tun["currently_connected"], true);
        assert_eq!(tun["last_connected_ip_addr"], "127.0.0.1");
        assert!(tun["last_connected_at"].is_string());

        // An idle intake comes back as 408 intake-idle-cap.
        let idle = agent.intake(&token, "0").await;
        assert_eq!((idle.status, idle.header("inkbox-reason")), (408, Some("intake-idle-cap")));
        set_config(&emu, json!({"intake_idle_seconds": 30}));

        let third = tokio::spawn(public_request(
            p,
            format!("echo-bot.localhost:{p}"),
            "POST /hooks/in?a=1&b=two HTTP/1.1\r\nX-Custom: hello\r\nContent-Type: text/plain",
            b"ping body",
        ));
        let env = agent.intake(&token, "1").await;
        assert_eq!(env.status, 200);
        assert_eq!(env.header("inkbox-method"), Some("POST"));
        assert_eq!(env.header("inkbox-path"), Some("/hooks/in?a=1&b=two"));
        assert_eq!(env.header("inkbox-route-kind"), Some("webhook"));
        assert_eq!(env.header("inkbox-forwarded-for"), Some("127.0.0.1"));
        assert_eq!(env.header("inkbox-h-x-custom"), Some("hello"));
        assert_eq!(env.header("inkbox-h-content-type"), Some("text/plain"));
        assert_eq!(env.header("inkbox-h-host"), Some(format!("echo-bot.localhost:{p}").as_str()));
        assert!(env.header("inkbox-h-connection").is_none());
        assert_eq!(env.body, b"ping body");
        let rid = env.header("inkbox-request-id").unwrap().to_owned();
        let status = agent
            .respond(
                &rid,
                201,
                &[("content-type", "application/json"), ("x-agent", "yes"), ("connection", "x")],
                b"{\"ok\":true}",
            )
            .await;
        assert_eq!(status, 200);
        let r = third.await.unwrap();
        assert_eq!(r.status, 201);
        assert_eq!(r.header("x-agent"), Some("yes"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.json(), json!({"ok": true}));
        // A second reply to the same request is refused.
        assert_eq!(agent.respond(&rid, 200, &[], b"").await, 404);

        // Requests arriving while no intake is parked wait for the next one.
        let third = tokio::spawn(public_request(p, "echo-bot.localhost", "GET /queued HTTP/1.1", b""));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let env = agent.intake(&token, "0").await;
        assert_eq!(env.header("inkbox-path"), Some("/queued"));
        let rid = env.header("inkbox-request-id").unwrap().to_owned();
        // A reply needs a key allowed for the tunnel.
        let mut wrong = Agent::connect(p, &t.id, "ApiKey_bad").await;
        assert_eq!(wrong.respond(&rid, 200, &[], b"").await, 401);
        assert_eq!(agent.respond(&rid, 204, &[], b"").await, 200);
        assert_eq!(third.await.unwrap().status, 204);

        // Deadline: the agent never answers → 504.
        set_config(&emu, json!({"response_deadline_seconds": 0.5}));
        let third = tokio::spawn(public_request(p, "echo-bot.localhost", "GET /slow HTTP/1.1", b""));
        let env = agent.intake(&token, "0").await;
        let rid = env.header("inkbox-request-id").unwrap().to_owned();
        let r = third.await.unwrap();
        assert_eq!((r.status, r.json()["error"].as_str()), (504, Some("agent_timeout")));
        assert_eq!(agent.respond(&rid, 200, &[], b"late").await, 404);

        // Disconnecting flips currently_connected and brings back the 502.
        drop(agent);
        eventually(|| get_tunnel(&emu, &t.id)["currently_connected"] == false).await;
        assert!(get_tunnel(&emu, &t.id)["last_disconnected_at"].is_string());
        let r = public_request(p, "echo-bot.localhost", "GET /x HTTP/1.1", b"").await;
        assert_eq!(r.status, 502);
    });
    // Config validation.
    let r = emu.raw("POST", "/_emulator/tunnels/config", Some(&emu.admin_key), Some("{\"nope\": 1}"));
    assert_eq!(r.status, 422);
    let r =
        emu.raw("POST", "/_emulator/tunnels/config", Some(&emu.admin_key), Some("{\"response_deadline_seconds\": -1}"));
    assert_eq!(r.status, 422);
    let r = emu.raw("GET", "/_emulator/tunnels/config", None, None);
    assert_eq!(r.status, 401);
}

#[test]
fn tunnel_status_gates_public_traffic() {
    let emu = Emulator::start();
    let ident = create(&emu, "gated", TlsMode::Edge);
    let t = tunnel_of(&ident);
    let p = port(&emu);
    let admin = emu.admin_key.clone();
    let r =
        emu.raw("POST", &format!("/_emulator/tunnels/{}", t.id), Some(&admin), Some("{\"status\": \"provisioning\"}"));
    assert_eq!(r.status, 200);
    let pt = tunnel_of(&create(&emu, "gated-pt", TlsMode::Passthrough));
    runtime().block_on(async {
        let mut agent = Agent::connect(p, &t.id, &admin).await;
        agent.hello().await;
        let r = public_request(p, "gated.localhost", "GET / HTTP/1.1", b"").await;
        assert_eq!((r.status, r.json()["error"].as_str()), (503, Some("tunnel_not_active")));
        let r = public_request(p, &pt.public_host, "GET / HTTP/1.1", b"").await;
        assert_eq!(r.status, 421);
    });
}

#[test]
fn zone_follows_the_port_across_a_restart() {
    let dir = common::TempDir::new("tunnel-zone");
    let data = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&data);
    let t = tunnel_of(&create(&emu, "moving", TlsMode::Edge));
    let admin = emu.admin_key.clone();
    let p = port(&emu);
    runtime().block_on(async {
        let mut agent = Agent::connect(p, &t.id, &admin).await;
        agent.hello().await;
        assert_eq!(get_tunnel(&emu, &t.id)["currently_connected"], true);
    });
    drop(emu);
    let emu = Emulator::start_with_data(&data);
    let after = get_tunnel(&emu, &t.id);
    assert_eq!(after["zone"], format!("localhost:{}", port(&emu)));
    assert_eq!(after["public_host"], "moving.localhost");
    assert_eq!(after["currently_connected"], false);
    assert!(after["last_connected_at"].is_string());
}

#[test]
fn websocket_frames_are_relayed_both_ways() {
    let emu = Emulator::start();
    let ident = create(&emu, "ws-bot", TlsMode::Edge);
    let t = tunnel_of(&ident);
    let key = scoped_key(&emu, &ident.id);
    let p = port(&emu);
    runtime().block_on(async {
        let mut agent = Agent::connect(p, &t.id, &key).await;
        let token = agent.hello().await;

        let mut third = TcpStream::connect(("127.0.0.1", p)).await.unwrap();
        let upgrade = "GET /chat?room=1 HTTP/1.1\r\nHost: ws-bot.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                       Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
                       Sec-WebSocket-Protocol: chat\r\n\r\n";
        third.write_all(upgrade.as_bytes()).await.unwrap();

        let env = agent.intake(&token, "0").await;
        assert_eq!(env.header("inkbox-route-kind"), Some("ws-upgrade"));
        assert_eq!(env.header("inkbox-path"), Some("/chat?room=1"));
        assert_eq!(env.header("inkbox-h-sec-websocket-protocol"), Some("chat"));
        let ws_id = env.header("inkbox-ws-id").unwrap().to_owned();
        let rid = env.header("inkbox-request-id").unwrap().to_owned();
        assert_eq!(agent.respond(&rid, 200, &[("sec-websocket-protocol", "chat")], b"").await, 200);
        let (status, streams) = agent.bridge("ws", &ws_id).await;
        assert_eq!(status, 200);
        let (mut tx, mut rx) = streams.unwrap();
        // The same id cannot be bridged twice.
        assert_eq!(agent.bridge("ws", &ws_id).await.0, 404);

        // 101 with the RFC 6455 accept value.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut b = [0u8; 1];
            third.read_exact(&mut b).await.unwrap();
            head.push(b[0]);
        }
        let resp = parse_http(&head);
        assert_eq!(resp.status, 101);
        assert_eq!(resp.header("sec-websocket-accept"), Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        assert_eq!(resp.header("sec-websocket-protocol"), Some("chat"));

        // Third party → agent: text and binary messages become envelopes.
        third.write_all(&frame(0x1, b"hello agent", true)).await.unwrap();
        third.write_all(&frame(0x2, &[0, 1, 2, 255], true)).await.unwrap();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while got.len() < 2 {
            let (op, payload) = next_h2_frame(&mut rx, &mut buf).await.unwrap();
            assert_eq!(op, 0x2);
            got.extend(parse_envelopes(&payload));
        }
        assert_eq!(got[0], json!({"type": "text", "data": "hello agent"}));
        assert_eq!(got[1], json!({"type": "binary", "data": "AAEC/w=="}));

        // Agent → third party (masked outer frames, like the official client).
        tx.send_data(Bytes::from(frame(0x2, &envelope(&json!({"type": "text", "data": "hi there"})), true)), false)
            .unwrap();
        tx.send_data(Bytes::from(frame(0x2, &envelope(&json!({"type": "binary", "data": "3q2+7w=="})), true)), false)
            .unwrap();
        let mut tbuf = Vec::new();
        assert_eq!(next_tcp_frame(&mut third, &mut tbuf).await.unwrap(), (0x1, b"hi there".to_vec()));
        assert_eq!(next_tcp_frame(&mut third, &mut tbuf).await.unwrap(), (0x2, vec![0xde, 0xad, 0xbe, 0xef]));

        // Close from the third party reaches the agent as a close envelope;
        // the agent's close goes back as a close frame.
        third.write_all(&frame(0x8, &[0x03, 0xe8, b'b', b'y', b'e'], true)).await.unwrap();
        let (op, payload) = next_h2_frame(&mut rx, &mut buf).await.unwrap();
        assert_eq!(op, 0x2);
        assert_eq!(parse_envelopes(&payload), vec![json!({"type": "close", "code": 1000, "reason": "bye"})]);
        tx.send_data(Bytes::from(frame(0x2, &envelope(&json!({"type": "close", "code": 1000, "reason": ""})), true)), false)
            .unwrap();
        tx.send_data(Bytes::from(frame(0x8, &1000u16.to_be_bytes(), true)), true).unwrap();
        let (op, payload) = next_tcp_frame(&mut third, &mut tbuf).await.unwrap();
        assert_eq!((op, payload[..2].to_vec()), (0x8, vec![0x03, 0xe8]));

        // A refused upgrade passes the agent's status through.
        let mut third = TcpStream::connect(("127.0.0.1", p)).await.unwrap();
        let upgrade = "GET /nope HTTP/1.1\r\nHost: ws-bot.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                       Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        third.write_all(upgrade.as_bytes()).await.unwrap();
        let env = agent.intake(&token, "0").await;
        let rid = env.header("inkbox-request-id").unwrap().to_owned();
        assert_eq!(agent.respond(&rid, 403, &[("content-type", "text/plain")], b"app rejected WS").await, 200);
        let mut raw = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), third.read_to_end(&mut raw)).await;
        let r = parse_http(&raw);
        assert_eq!((r.status, r.body.as_slice()), (403, b"app rejected WS".as_slice()));
    });
}

#[test]
fn passthrough_tls_bytes_are_relayed_by_sni() {
    let emu = Emulator::start();
    let ident = create(&emu, "tls-bot", TlsMode::Passthrough);
    let t = tunnel_of(&ident);
    let key = scoped_key(&emu, &ident.id);
    let p = port(&emu);
    let activate = |status: &str| {
        let body = format!("{{\"status\": \"{status}\"}}");
        let r = emu.raw("POST", &format!("/_emulator/tunnels/{}", t.id), Some(&emu.admin_key), Some(&body));
        assert_eq!(r.status, 200);
    };
    runtime().block_on(async {
        let mut agent = Agent::connect(p, &t.id, &key).await;
        let token = agent.hello().await;

        // awaiting_cert: the handshake goes nowhere (connection closed).
        let mut third = TcpStream::connect(("127.0.0.1", p)).await.unwrap();
        third.write_all(&client_hello("tls-bot.localhost")).await.unwrap();
        let mut sink = Vec::new();
        let n = tokio::time::timeout(Duration::from_secs(5), third.read_to_end(&mut sink)).await.unwrap();
        assert!(matches!(n, Ok(0) | Err(_)));

        activate("active");
        let hello = client_hello("tls-bot.localhost");
        let mut third = TcpStream::connect(("127.0.0.1", p)).await.unwrap();
        third.write_all(&hello).await.unwrap();
        let env = agent.intake(&token, "0").await;
        assert_eq!(env.status, 200);
        assert_eq!(env.header("inkbox-route-kind"), Some("tcp-stream"));
        assert_eq!(env.header("inkbox-sni-host"), Some("tls-bot.localhost"));
        assert_eq!(env.header("inkbox-forwarded-for"), Some("127.0.0.1"));
        assert!(env.header("inkbox-request-id").is_some());
        let tcp_id = env.header("inkbox-tcp-id").unwrap().to_owned();
        assert_eq!(agent.bridge("ws", &tcp_id).await.0, 404, "a tcp id is not a ws id");
        let (status, streams) = agent.bridge("tcp", &tcp_id).await;
        assert_eq!(status, 200);
        let (mut tx, mut rx) = streams.unwrap();

        // The ClientHello (already read for SNI) arrives first, then more bytes.
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while got.len() < hello.len() {
            let (op, payload) = next_h2_frame(&mut rx, &mut buf).await.unwrap();
            assert_eq!(op, 0x2);
            got.extend(payload);
        }
        assert_eq!(got, hello);
        third.write_all(b"\x17\x03\x03raw-client-bytes").await.unwrap();
        let (op, payload) = next_h2_frame(&mut rx, &mut buf).await.unwrap();
        assert_eq!((op, payload.as_slice()), (0x2, b"\x17\x03\x03raw-client-bytes".as_slice()));

        // Agent → third party: BINARY payloads become raw bytes.
        tx.send_data(Bytes::from(frame(0x2, b"\x16\x03\x03server-hello", true)), false).unwrap();
        let mut back = vec![0u8; 15];
        tokio::time::timeout(Duration::from_secs(5), third.read_exact(&mut back)).await.unwrap().unwrap();
        assert_eq!(back, b"\x16\x03\x03server-hello");

        // The agent's CLOSE ends the third party's connection.
        tx.send_data(Bytes::from(frame(0x8, &1000u16.to_be_bytes(), true)), true).unwrap();
        let mut rest = Vec::new();
        let n = tokio::time::timeout(Duration::from_secs(5), third.read_to_end(&mut rest)).await.unwrap();
        assert!(matches!(n, Ok(0)), "{n:?} {rest:?}");

        // Unknown SNI: closed without a stream.
        let mut third = TcpStream::connect(("127.0.0.1", p)).await.unwrap();
        third.write_all(&client_hello("nobody.localhost")).await.unwrap();
        let n = tokio::time::timeout(Duration::from_secs(5), third.read_to_end(&mut sink)).await.unwrap();
        assert!(matches!(n, Ok(0) | Err(_)));
    });
}
