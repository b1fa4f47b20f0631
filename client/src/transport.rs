//! How the client reaches the network, the clock and randomness.

use std::time::Duration;

use inkbox_core::api::{ApiError, PreparedRequest};

/// A response as received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers in received order.
    pub headers: Vec<(String, String)>,
    /// Raw body.
    pub body: Vec<u8>,
}

/// Sends one prepared request. Implementations send exactly the method, URL,
/// headers and body given, follow no redirects, and report failures with
/// [`ApiError::transport`].
pub trait Transport: Send + Sync {
    /// Sends the request and returns the response, whatever its status.
    fn send(&self, request: &PreparedRequest, timeout: Duration) -> Result<HttpResponse, ApiError>;
}

/// The clock, sleeping and randomness the client uses (core takes them as
/// arguments; tests substitute a fake).
pub trait Environment: Send + Sync {
    /// Unix seconds now.
    fn now_unix(&self) -> i64;
    /// Sleeps (between retries).
    fn sleep(&self, duration: Duration);
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), ApiError>;
}

/// The real clock, `std::thread::sleep` and the OS CSPRNG.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemEnvironment;

impl Environment for SystemEnvironment {
    fn now_unix(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), ApiError> {
        getrandom::fill(buf)
            .map_err(|e| ApiError::transport(inkbox_core::api::TransportErrorKind::Other, e.to_string()))
    }
}

/// A `rand_core` CSPRNG over an [`Environment`].
pub(crate) struct EnvRng<'a>(pub(crate) &'a dyn Environment);

impl rand_core::TryRng for EnvRng<'_> {
    type Error = RngFailure;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill_random(dst).map_err(|_| RngFailure)
    }
}

impl rand_core::TryCryptoRng for EnvRng<'_> {}

/// The OS random source failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RngFailure;

impl std::fmt::Display for RngFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the random source failed")
    }
}

impl std::error::Error for RngFailure {}

#[cfg(feature = "blocking")]
pub use ureq_transport::UreqTransport;

#[cfg(feature = "blocking")]
mod ureq_transport {
    use super::*;
    use inkbox_core::api::{Method, TransportErrorKind};

    /// The default blocking transport (ureq with rustls). Redirects are not
    /// followed; every status is returned as a response.
    #[derive(Debug)]
    pub struct UreqTransport {
        agent: ureq::Agent,
    }

    impl Default for UreqTransport {
        fn default() -> Self {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .user_agent(concat!("inkbox-rust-core/", env!("CARGO_PKG_VERSION")))
                .build();
            UreqTransport { agent: config.into() }
        }
    }

    fn kind(e: &ureq::Error) -> TransportErrorKind {
        match e {
            ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound => TransportErrorKind::Connect,
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => TransportErrorKind::Timeout,
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => TransportErrorKind::Interrupted,
                _ => TransportErrorKind::Other,
            },
            _ => TransportErrorKind::Other,
        }
    }

    impl Transport for UreqTransport {
        fn send(&self, request: &PreparedRequest, timeout: Duration) -> Result<HttpResponse, ApiError> {
            let mut builder = ureq::http::Request::builder().method(request.method.as_str()).uri(&request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let body = request.body.clone().unwrap_or_default();
            let http_req = builder
                .body(body)
                .map_err(|e| ApiError::transport(TransportErrorKind::Other, format!("invalid request: {e}")))?;
            let send_body =
                request.body.is_some() || matches!(request.method, Method::Post | Method::Put | Method::Patch);
            let config = self.agent.configure_request(http_req).timeout_global(Some(timeout)).build();
            let result = if send_body {
                self.agent.run(config)
            } else {
                let (parts, _) = config.into_parts();
                self.agent.run(ureq::http::Request::from_parts(parts, ()))
            };
            let mut resp = result.map_err(|e| ApiError::transport(kind(&e), e.to_string()))?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let body = resp
                .body_mut()
                .with_config()
                .limit(64 * 1024 * 1024)
                .read_to_vec()
                .map_err(|e| ApiError::transport(kind(&e), e.to_string()))?;
            Ok(HttpResponse { status, headers, body })
        }
    }
}
