//! Starts the emulator binary and talks to it over real HTTP with core's
//! builders and parsers through a tiny blocking ureq client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use inkbox_core::api::request::{BaseUrl, Request, Response};

/// A running emulator; killed when dropped.
pub struct Emulator {
    child: Child,
    pub url: String,
    pub admin_key: String,
    pub org_id: String,
    agent: ureq::Agent,
}

/// A received response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn as_response(&self) -> Response<'_> {
        Response::new(self.status, &self.headers, &self.body)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Emulator {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with_data(path: &Path) -> Self {
        Self::start_with(&["--data", path.to_str().unwrap()])
    }

    pub fn start_with(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_inkbox-emulator"))
            .args(["--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("read first line");
        let hello: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                let _ = child.kill();
                panic!("bad first line {line:?}: {e}");
            }
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        Emulator {
            child,
            url: hello["url"].as_str().unwrap().to_owned(),
            admin_key: hello["admin_api_key"].as_str().unwrap().to_owned(),
            org_id: hello["organization_id"].as_str().unwrap().to_owned(),
            agent,
        }
    }

    /// Sends a core-built request with `key`.
    pub fn send(&self, req: &Request, key: &str) -> Resp {
        self.try_send(req, key).expect("transport error")
    }

    pub fn try_send(&self, req: &Request, key: &str) -> Result<Resp, ureq::Error> {
        let base = BaseUrl::parse(&self.url).unwrap();
        let p = req.prepare(&base, Some(key)).unwrap();
        let headers: Vec<(&str, &str)> = p.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        self.raw_with(p.method.as_str(), &p.url, &headers, p.body.as_deref())
    }

    /// A raw request to `path` (relative to the emulator URL).
    pub fn raw(&self, method: &str, path: &str, key: Option<&str>, body: Option<&str>) -> Resp {
        let mut headers = vec![("Accept", "application/json")];
        if let Some(k) = key {
            headers.push(("X-API-Key", k));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let url = format!("{}{}", self.url, path);
        self.raw_with(method, &url, &headers, body.map(str::as_bytes)).expect("transport error")
    }

    /// A raw request to `path` with explicit headers.
    pub fn raw_headers(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Resp {
        let url = format!("{}{}", self.url, path);
        self.raw_with(method, &url, headers, body.map(str::as_bytes)).expect("transport error")
    }

    /// [`Emulator::raw_headers`] that reports transport errors instead of panicking.
    pub fn try_raw_headers(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Resp, ureq::Error> {
        let url = format!("{}{}", self.url, path);
        self.raw_with(method, &url, headers, body.map(str::as_bytes))
    }

    /// Sends SIGKILL without waiting (the process is reaped on drop).
    pub fn kill_now(&self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-KILL", &pid]).status().expect("kill");
    }

    fn raw_with(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Resp, ureq::Error> {
        let mut b = ureq::http::Request::builder().method(method).uri(url);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        let mut resp = match body {
            Some(bytes) => self.agent.run(b.body(bytes.to_vec()).unwrap())?,
            None => self.agent.run(b.body(()).unwrap())?,
        };
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = resp.body_mut().read_to_vec()?;
        Ok(Resp { status, headers, body })
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(self) -> ExitStatus {
        self.signal("-TERM")
    }

    /// Sends `sig` (e.g. `-INT`) and waits for the process to exit.
    pub fn signal(mut self, sig: &str) -> ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args([sig, &pid]).status().expect("kill");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            assert!(Instant::now() < deadline, "emulator did not exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let mut n = [0u8; 8];
        getrandom_fill(&mut n);
        let hex: String = n.iter().map(|b| format!("{b:02x}")).collect();
        let p = std::env::temp_dir().join(format!("inkbox-emulator-{tag}-{}-{hex}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn getrandom_fill(buf: &mut [u8]) {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    for (i, b) in buf.iter_mut().enumerate() {
        *b = (t >> (i * 8)) as u8;
    }
}
