//! `inkbox-emulator`: a local emulator of the Inkbox API for tests.
//!
//! ```text
//! inkbox-emulator --port 0 [--host 127.0.0.1] [--data PATH] [--public-url URL]
//! ```
//!
//! Binds (loopback by default), prints one JSON line
//! `{"url", "admin_api_key", "organization_id"}` on stdout, then serves until
//! SIGINT/SIGTERM. Without `--data` the state lives in memory; with it every
//! state change's records are committed to SQLite before the response is
//! sent, and a restart with the same path resumes (same org, same admin key).
//! Absolute URLs it hands out (attachment and media links, `Location`) start
//! with `--public-url` (default: the bound address), never with the
//! request's `Host` header.
//!
//! Routing follows `inkbox_core::api::catalog`; responses are core's models.
//! The control API under `/_emulator/` (admin key) sets the clock, injects
//! faults and shows state; see the crate README.

mod agentpost;
mod app;
mod contacts;
mod dataplane;
mod handlers;
mod imessage;
mod mail;
mod outbound;
mod patch_body;
mod phone;
mod rules;
mod signup;
mod state;
mod store;
mod table;
mod texts;
mod tunnels;
mod util;
mod vault;
mod webhooks;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use crate::app::{App, ConnKill};
use crate::dataplane::{ConnInfo, DataPlane, Route};

#[derive(Debug)]
struct Args {
    host: String,
    port: u16,
    data: Option<PathBuf>,
    public_url: Option<String>,
}

const USAGE: &str = "usage: inkbox-emulator [--port N] [--host ADDR] [--data PATH] [--public-url URL]

  --port N          port to listen on (0 = any free port; default 0)
  --host ADDR       address to bind (default 127.0.0.1)
  --data PATH       SQLite file to keep the state in (default: memory only)
  --public-url URL  origin of the absolute URLs the emulator hands out
                    (attachment and media links, Location), as
                    http(s)://host[:port]; default the bound address.
                    The request's Host header is never used for them.";

/// Checks a `--public-url`: `http(s)://authority`, no path, query,
/// fragment, user info or whitespace (one trailing `/` is dropped).
fn parse_public_url(v: &str) -> Result<String, String> {
    let bad = || format!("--public-url must be http(s)://host[:port], got {v:?}");
    let url = v.strip_suffix('/').unwrap_or(v);
    let authority = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")).ok_or_else(bad)?;
    let forbidden = |c: char| matches!(c, '/' | '?' | '#' | '@' | '\\') || c.is_whitespace() || c.is_control();
    if authority.is_empty() || authority.starts_with(':') || authority.chars().any(forbidden) {
        return Err(bad());
    }
    Ok(url.to_owned())
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { host: "127.0.0.1".into(), port: 0, data: None, public_url: None };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => args.port = value()?.parse().map_err(|_| "--port must be 0-65535".to_owned())?,
            "--host" => args.host = value()?,
            "--data" => args.data = Some(PathBuf::from(value()?)),
            "--public-url" => args.public_url = Some(parse_public_url(&value()?)?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn fail(msg: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "inkbox-emulator: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).max_blocking_threads(8).enable_all().build();
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start runtime: {e}")),
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

async fn run(args: Args) -> Result<(), String> {
    let shutdown = shutdown_signal()?;
    let app = Arc::new(App::open(args.data.clone())?);
    webhooks::start_worker(Arc::clone(&app))?;
    let listener = TcpListener::bind((args.host.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot bind {}:{}: {e}", args.host, args.port))?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| format!("no local address: {e}"))?;
    let host = if addr.is_ipv6() { format!("[{}]", addr.ip()) } else { addr.ip().to_string() };
    let bound = format!("http://{host}:{}", addr.port());
    app.set_public_url(args.public_url.clone().unwrap_or_else(|| bound.clone()));
    let hello = serde_json::json!({
        "url": bound,
        "admin_api_key": app.admin_key,
        "organization_id": app.org_id,
    });
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{hello}").and_then(|()| out.flush()).map_err(|e| format!("cannot write stdout: {e}"))?;
    }

    let router: Router = Router::new().fallback(app::handle).with_state(Arc::clone(&app));
    dataplane::set_port(addr.port());
    let dp = Arc::new(DataPlane::new(Arc::clone(&app)));
    dp.reset_tunnels()?;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http2().enable_connect_protocol();
    let builder = Arc::new(builder);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut conns: JoinSet<()> = JoinSet::new();
    let mut next_id: u64 = 0;
    tokio::pin!(shutdown);
    loop {
        while conns.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                next_id = next_id.wrapping_add(1);
                let info = ConnInfo { id: next_id, ip: peer.ip() };
                let kill = Arc::new(Notify::new());
                let router = router.clone();
                let kill_svc = Arc::clone(&kill);
                let dp_svc = Arc::clone(&dp);
                let svc = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                    let router = router.clone();
                    let kill = Arc::clone(&kill_svc);
                    let dp = Arc::clone(&dp_svc);
                    async move {
                        match dataplane::classify(&req) {
                            Route::System => Ok(dp.system(req, info).await),
                            Route::Public(host) => Ok(dp.public(req, info, host).await),
                            Route::Api => {
                                let mut req = req.map(axum::body::Body::new);
                                req.extensions_mut().insert(ConnKill(kill));
                                router.oneshot(req).await
                            }
                        }
                    }
                });
                let builder = Arc::clone(&builder);
                let dp = Arc::clone(&dp);
                let mut stop = stop_rx.clone();
                conns.spawn(async move {
                    // A TLS ClientHello is passthrough tunnel traffic.
                    let mut first = [0u8; 1];
                    let tls = tokio::select! {
                        n = stream.peek(&mut first) => matches!(n, Ok(1..)) && first[0] == 0x16,
                        _ = stop.changed() => return,
                    };
                    if tls {
                        tokio::select! {
                            () = Arc::clone(&dp).serve_tls(stream, info) => {}
                            _ = stop.changed() => {}
                        }
                        return;
                    }
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        () = kill.notified() => {}
                        _ = stop.changed() => {
                            conn.as_mut().graceful_shutdown();
                            tokio::select! {
                                _ = conn.as_mut() => {}
                                () = kill.notified() => {}
                            }
                        }
                    }
                    dp.connection_closed(info.id).await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), async { while conns.join_next().await.is_some() {} }).await;
    Ok(())
}

/// Registers the SIGINT/SIGTERM handlers now (before the first line is
/// printed, so a harness that signals right after reading it is never missed)
/// and returns a future that resolves on the first of them.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt()).map_err(|e| format!("cannot watch SIGINT: {e}"))?;
        let mut term = signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
