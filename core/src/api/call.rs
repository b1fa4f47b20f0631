//! The call engine: one logical API call as a sans-IO state machine.
//!
//! Every binding drives calls the same way, so retries, idempotency keys,
//! per-operation timeouts and the classification of responses are decided
//! here once instead of in each host's loop:
//!
//! ```text
//! let mut call = Call::new(request, &base, api_key, &options, Some(random_16_bytes))?;
//! loop {
//!     match call.step() {
//!         Step::Send { request, timeout_ms } => match transport(request, timeout_ms) {
//!             Ok((status, headers, body)) => call.on_response(&Response::new(status, &headers, &body), now, &mut rng),
//!             Err(kind) => call.on_transport_error(kind, "what failed", &mut rng),
//!         },
//!         Step::Sleep { ms } => sleep(ms),
//!         Step::Done(Finished::Response) => return parse(last_response),
//!         Step::Done(Finished::Failed(err)) => return Err(err.clone()),
//!     }
//! }
//! ```
//!
//! The host supplies everything core may not take itself: the random bytes
//! of the idempotency key (minted once, reused on every attempt), the clock
//! (for an HTTP-date `Retry-After`) and the jitter source. The engine never
//! sees the response after it has classified it; the host keeps the last one
//! and parses it with the operation's parser when the call is done.

use alloc::string::String;

use rand_core::TryRng;

use super::catalog::Operation;
use super::error::{ApiError, ErrorKind, TransportErrorKind};
use super::request::{BaseUrl, Method, PreparedRequest, Request, Response};
use super::retry::{Retrier, RetryDecision, RetryOutcome, RetryPolicy};

/// The client default timeout when the host does not choose one (the
/// official SDKs' 30 s).
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// How a host's calls behave: the retry bounds and the default timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallOptions {
    /// Retry bounds (attempts, backoff, the longest `Retry-After` honoured).
    pub policy: RetryPolicy,
    /// The timeout of operations that do not need a longer one, in ms.
    pub default_timeout_ms: u64,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions { policy: RetryPolicy::default(), default_timeout_ms: DEFAULT_TIMEOUT_MS }
    }
}

/// What the host does next.
#[derive(Debug)]
pub enum Step<'a> {
    /// Send `request` (exactly as given) and report the response with
    /// [`Call::on_response`], or the failure with [`Call::on_transport_error`].
    Send {
        /// What goes on the wire.
        request: &'a PreparedRequest,
        /// How long the exchange may take, in ms: the operation's own
        /// timeout where it has one, else the host's default.
        timeout_ms: u64,
    },
    /// Wait this long, then ask again.
    Sleep {
        /// Milliseconds.
        ms: u64,
    },
    /// The call is over.
    Done(Finished<'a>),
}

/// How a call ended.
#[derive(Debug)]
pub enum Finished<'a> {
    /// The last response reported is the answer (a success, or an error
    /// status that is not retried): parse it with the operation's parser.
    Response,
    /// The last attempt failed in the transport and is not retried.
    Failed(&'a ApiError),
}

#[derive(Debug)]
enum State {
    Ready,
    Sleeping(u64),
    Responded,
    Failed(ApiError),
}

/// One logical call: the same request sent until it succeeds or the policy
/// stops.
#[derive(Debug)]
pub struct Call {
    operation: &'static Operation,
    prepared: PreparedRequest,
    timeout_ms: u64,
    retry_safe: bool,
    retrier: Retrier,
    state: State,
}

impl Call {
    /// Prepares `request` for `base` with the client's `api_key`.
    ///
    /// A POST without an idempotency key gets one made from `key_random`
    /// (16 random bytes from the host, formatted as a UUID v4) so every
    /// attempt carries the same key; `None` sends it without one (it is then
    /// not retried).
    pub fn new(
        mut request: Request,
        base: &BaseUrl,
        api_key: Option<&str>,
        options: &CallOptions,
        key_random: Option<[u8; 16]>,
    ) -> Result<Self, ApiError> {
        if let Some(random) = key_random
            && request.method == Method::Post
            && request.idempotency_key().is_none()
        {
            request.set_idempotency_key(&uuid_v4(random))?;
        }
        let prepared = request.prepare(base, api_key)?;
        Ok(Self::prepared(request.operation, prepared, request.is_retry_safe(), options))
    }

    /// A call of a request already prepared (a step of a composite flow).
    pub fn prepared(
        operation: &'static Operation,
        prepared: PreparedRequest,
        retry_safe: bool,
        options: &CallOptions,
    ) -> Self {
        let timeout_ms = prepared.timeout_ms.unwrap_or(options.default_timeout_ms);
        Call {
            operation,
            prepared,
            timeout_ms,
            retry_safe,
            retrier: Retrier::with_safety(options.policy, retry_safe),
            state: State::Ready,
        }
    }

    /// The operation this call performs.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// The request every attempt sends.
    pub fn request(&self) -> &PreparedRequest {
        &self.prepared
    }

    /// The timeout of each attempt, in ms.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// The idempotency key every attempt carries, if any.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.prepared
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(super::request::IDEMPOTENCY_KEY_HEADER))
            .map(|(_, v)| v.as_str())
    }

    /// `true` when the request may be sent more than once (a safe method or
    /// an idempotency key).
    pub fn is_retry_safe(&self) -> bool {
        self.retry_safe
    }

    /// Attempts reported so far.
    pub fn attempts(&self) -> u32 {
        self.retrier.attempts()
    }

    /// What to do next. After [`Step::Sleep`] the next step is a send; a send
    /// not yet reported is asked for again.
    pub fn step(&mut self) -> Step<'_> {
        match self.state {
            State::Sleeping(ms) => {
                self.state = State::Ready;
                Step::Sleep { ms }
            }
            State::Ready => Step::Send { request: &self.prepared, timeout_ms: self.timeout_ms },
            State::Responded => Step::Done(Finished::Response),
            State::Failed(ref err) => Step::Done(Finished::Failed(err)),
        }
    }

    /// Reports the response of the last send. `now_unix` reads an HTTP-date
    /// `Retry-After`; `rng` draws the backoff jitter.
    ///
    /// The response is classified as core classifies errors for the
    /// operation (from the status, the headers and the body), so a
    /// `sender_rate_limited` 429 (a 24-hour window) is not retried while a
    /// plain 429 is.
    pub fn on_response<R: TryRng + ?Sized>(&mut self, response: &Response<'_>, now_unix: i64, rng: &mut R) {
        if !matches!(self.state, State::Ready) {
            return;
        }
        if response.is_success() {
            // Counted, so `attempts` tells the host how many sends it took.
            let _ = self.retrier.decide(
                RetryOutcome::Status { status: response.status, retry_after: None, kind: None },
                now_unix,
                rng,
            );
            self.state = State::Responded;
            return;
        }
        let err = ApiError::from_response(self.operation, response);
        let kind: Option<&ErrorKind> = err.as_status().map(|s| &s.kind);
        let outcome = RetryOutcome::Status { status: response.status, retry_after: err.retry_after(), kind };
        self.state = match self.retrier.decide(outcome, now_unix, rng) {
            RetryDecision::RetryAfterMs(ms) => State::Sleeping(ms),
            RetryDecision::Stop => State::Responded,
        };
    }

    /// Reports that the last send failed in the transport (`message` says
    /// how; it ends up in the error and must not contain secrets).
    pub fn on_transport_error<R: TryRng + ?Sized>(&mut self, kind: TransportErrorKind, message: &str, rng: &mut R) {
        if !matches!(self.state, State::Ready) {
            return;
        }
        self.state = match self.retrier.decide(RetryOutcome::Transport(kind), 0, rng) {
            RetryDecision::RetryAfterMs(ms) => State::Sleeping(ms),
            RetryDecision::Stop => State::Failed(ApiError::transport(kind, message)),
        };
    }
}

/// `random` as a version-4 UUID in its lowercase hyphenated form.
pub fn uuid_v4(mut random: [u8; 16]) -> String {
    random[6] = (random[6] & 0x0f) | 0x40;
    random[8] = (random[8] & 0x3f) | 0x80;
    let hex = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
    let mut s = String::with_capacity(36);
    for (i, byte) in random.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(hex(byte >> 4));
        s.push(hex(byte & 0x0f));
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::ErrorCode as _;
    use crate::api::dynamic;
    use alloc::borrow::ToOwned;
    use alloc::vec;
    use alloc::vec::Vec;

    struct Zero;
    impl rand_core::TryRng for Zero {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(300)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            dst.fill(0);
            Ok(())
        }
    }

    fn base() -> BaseUrl {
        BaseUrl::parse("https://inkbox.example").unwrap()
    }

    fn send_request() -> Request {
        let args = serde_json::json!({"body": {"recipients": {"to": ["a@b.example"]}, "subject": "s", "body_text": "t"},
            "path": {"email": "me@inkbox.example"}});
        dynamic::build("mail.messages.send", &args).unwrap()
    }

    type Canned<'a> = (u16, Vec<(String, String)>, &'a [u8]);

    /// Runs `call` against canned responses; returns the steps taken.
    fn run(call: &mut Call, responses: &[Canned<'_>]) -> Vec<String> {
        let mut log = Vec::new();
        let mut next = responses.iter();
        loop {
            match call.step() {
                Step::Send { timeout_ms, .. } => {
                    log.push(alloc::format!("send {timeout_ms}"));
                    let (status, headers, body) = next.next().unwrap();
                    call.on_response(&Response::new(*status, headers, body), 0, &mut Zero);
                }
                Step::Sleep { ms } => log.push(alloc::format!("sleep {ms}")),
                Step::Done(Finished::Response) => {
                    log.push("done".to_owned());
                    return log;
                }
                Step::Done(Finished::Failed(e)) => {
                    log.push(alloc::format!("failed {}", e.code()));
                    return log;
                }
            }
        }
    }

    #[test]
    fn uuid_v4_sets_version_and_variant() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn post_gets_one_key_for_every_attempt() {
        let mut call = Call::new(send_request(), &base(), Some("k"), &CallOptions::default(), Some([7; 16])).unwrap();
        assert_eq!(call.idempotency_key(), Some("07070707-0707-4707-8707-070707070707"));
        let log = run(&mut call, &[(503, vec![], b""), (200, vec![], b"{}")]);
        // Full jitter: the draw (300) modulo the 500 ms ceiling + 1.
        assert_eq!(log, ["send 30000", "sleep 300", "send 30000", "done"]);
        assert_eq!(call.attempts(), 2);
        assert_eq!(call.idempotency_key(), Some("07070707-0707-4707-8707-070707070707"));
    }

    #[test]
    fn post_without_key_is_not_retried() {
        let mut call = Call::new(send_request(), &base(), Some("k"), &CallOptions::default(), None).unwrap();
        assert_eq!(call.idempotency_key(), None);
        assert_eq!(run(&mut call, &[(503, vec![], b"")]), ["send 30000", "done"]);
    }

    #[test]
    fn sender_rate_limited_is_final_but_plain_429_waits_retry_after() {
        let ra = vec![("Retry-After".to_owned(), "2".to_owned())];
        let limited: &[u8] = br#"{"detail": {"error": "sender_rate_limited", "message": "24 h"}}"#;
        let mut call = Call::new(send_request(), &base(), Some("k"), &CallOptions::default(), Some([1; 16])).unwrap();
        assert_eq!(run(&mut call, &[(429, ra.clone(), limited)]), ["send 30000", "done"]);
        let mut call = Call::new(send_request(), &base(), Some("k"), &CallOptions::default(), Some([1; 16])).unwrap();
        assert_eq!(
            run(&mut call, &[(429, ra.clone(), b"{}"), (429, ra, b"{}"), (429, vec![], b"")]),
            ["send 30000", "sleep 2000", "send 30000", "sleep 2000", "send 30000", "done"]
        );
    }

    #[test]
    fn operation_timeout_overrides_the_default() {
        let args = serde_json::json!({"path": {"tunnel_id": "00000000-0000-4000-8000-000000000001"},
            "body": {"csr_pem": "-----BEGIN CERTIFICATE REQUEST-----\nAA==\n-----END CERTIFICATE REQUEST-----\n"}});
        let req = dynamic::build("tunnels.sign_csr", &args).unwrap();
        let options = CallOptions { default_timeout_ms: 5_000, ..CallOptions::default() };
        let call = Call::new(req, &base(), Some("k"), &options, Some([0; 16])).unwrap();
        assert_eq!(call.timeout_ms(), 180_000);
        let get = dynamic::build("whoami.get", &serde_json::Value::Null).unwrap();
        assert_eq!(Call::new(get, &base(), Some("k"), &options, None).unwrap().timeout_ms(), 5_000);
    }

    #[test]
    fn transport_failures_retry_then_fail_typed() {
        let get = dynamic::build("whoami.get", &serde_json::Value::Null).unwrap();
        let mut call = Call::new(get, &base(), Some("k"), &CallOptions::default(), None).unwrap();
        let mut log = Vec::new();
        loop {
            match call.step() {
                Step::Send { .. } => call.on_transport_error(TransportErrorKind::Connect, "refused", &mut Zero),
                Step::Sleep { ms } => log.push(ms),
                Step::Done(Finished::Failed(e)) => {
                    assert_eq!(e.code(), "transport.connect");
                    break;
                }
                Step::Done(Finished::Response) => panic!("no response was reported"),
            }
        }
        assert_eq!(log, [300, 300]);
        assert_eq!(call.attempts(), 3);
        // Not retryable: stops at once.
        let get = dynamic::build("whoami.get", &serde_json::Value::Null).unwrap();
        let mut call = Call::new(get, &base(), Some("k"), &CallOptions::default(), None).unwrap();
        call.on_transport_error(TransportErrorKind::Other, "tls", &mut Zero);
        assert!(matches!(call.step(), Step::Done(Finished::Failed(_))));
    }

    #[test]
    fn reports_after_the_end_are_ignored() {
        let get = dynamic::build("whoami.get", &serde_json::Value::Null).unwrap();
        let mut call = Call::new(get, &base(), Some("k"), &CallOptions::default(), None).unwrap();
        call.on_response(&Response::new(404, &[], b""), 0, &mut Zero);
        call.on_response(&Response::new(503, &[], b""), 0, &mut Zero);
        call.on_transport_error(TransportErrorKind::Timeout, "late", &mut Zero);
        assert!(matches!(call.step(), Step::Done(Finished::Response)));
        assert_eq!(call.attempts(), 1);
    }
}
