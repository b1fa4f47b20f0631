//! Retry policy as a state machine: no sleeping, no clock, RNG as argument.
//!
//! A binding sends a request, reports the outcome to [`Retrier::decide`], and
//! either sleeps the returned delay and sends the *same* request again
//! (idempotency key included) or stops and surfaces the error.
//!
//! Rules:
//! - only retry-safe requests are retried: safe methods (GET), or any request
//!   carrying an `Idempotency-Key` (the key is minted once per logical call
//!   and reused on every attempt, so the server can deduplicate);
//! - retried outcomes: connect/timeout/interrupted transport errors, 408, 429
//!   and 5xx — except a 501 (not implemented) and structured 429s that a
//!   retry cannot fix soon (`sender_rate_limited` is a 24 h window);
//! - delay: exponential backoff with full jitter, `random(0 ..= min(max,
//!   base · 2^(attempt-1)))`; a `Retry-After` header, when present, replaces
//!   the backoff — capped at `max_retry_after_ms`; a longer wait gives up;
//! - attempts are bounded by `max_attempts` (the first try included).

use rand_core::TryRng;

use super::error::ErrorKind;
use super::request::Request;
use super::time::days_from_civil;

/// A parsed `Retry-After` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// A delay in seconds.
    Seconds(u64),
    /// An HTTP-date, as Unix seconds.
    At(i64),
}

impl RetryAfter {
    /// Parses delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime).
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim();
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            return Some(RetryAfter::Seconds(v.parse::<u64>().unwrap_or(u64::MAX)));
        }
        parse_http_date(v).map(RetryAfter::At)
    }

    /// The delay from `now_unix` in milliseconds (0 for dates in the past).
    pub fn delay_ms(&self, now_unix: i64) -> u64 {
        match *self {
            RetryAfter::Seconds(s) => s.saturating_mul(1000),
            RetryAfter::At(at) => u64::try_from(at.saturating_sub(now_unix)).unwrap_or(0).saturating_mul(1000),
        }
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn month(s: &str) -> Option<u32> {
    MONTHS.iter().position(|m| m.eq_ignore_ascii_case(s)).and_then(|i| u32::try_from(i + 1).ok())
}

fn hms(s: &str) -> Option<i64> {
    let mut it = s.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec: i64 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..=60).contains(&sec) {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

fn to_unix(y: i64, mo: u32, d: u32, secs: i64) -> Option<i64> {
    if d == 0 || d > super::time::days_in_month(y, mo) {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + secs)
}

/// Parses the three HTTP-date forms of RFC 9110 §5.6.7.
fn parse_http_date(v: &str) -> Option<i64> {
    let parts: alloc::vec::Vec<&str> = v.split_ascii_whitespace().collect();
    match parts.as_slice() {
        // Sun, 06 Nov 1994 08:49:37 GMT
        [_, d, mo, y, t, "GMT"] => to_unix(y.parse().ok()?, month(mo)?, d.parse().ok()?, hms(t)?),
        // Sunday, 06-Nov-94 08:49:37 GMT
        [_, dmy, t, "GMT"] => {
            let mut it = dmy.split('-');
            let d: u32 = it.next()?.parse().ok()?;
            let mo = month(it.next()?)?;
            let yy: i64 = it.next()?.parse().ok()?;
            let y = if yy < 70 {
                2000 + yy
            } else if yy < 100 {
                1900 + yy
            } else {
                yy
            };
            to_unix(y, mo, d, hms(t)?)
        }
        // Sun Nov  6 08:49:37 1994
        [_, mo, d, t, y] => to_unix(y.parse().ok()?, month(mo)?, d.parse().ok()?, hms(t)?),
        _ => None,
    }
}

/// Bounds of the retry behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff ceiling in ms.
    pub base_delay_ms: u64,
    /// The largest backoff ceiling in ms.
    pub max_delay_ms: u64,
    /// The longest `Retry-After` honoured, in ms; a longer one stops retrying.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, base_delay_ms: 500, max_delay_ms: 8_000, max_retry_after_ms: 60_000 }
    }
}

impl RetryPolicy {
    /// A policy that never retries (the official SDK's behaviour).
    pub const fn none() -> Self {
        RetryPolicy { max_attempts: 1, base_delay_ms: 0, max_delay_ms: 0, max_retry_after_ms: 0 }
    }
}

/// What happened on one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryOutcome<'a> {
    /// The transport failed.
    Transport(super::error::TransportErrorKind),
    /// A response arrived (any status).
    Status {
        /// The HTTP status.
        status: u16,
        /// Its `Retry-After`, if any.
        retry_after: Option<RetryAfter>,
        /// The classified kind for an error status (if known).
        kind: Option<&'a ErrorKind>,
    },
}

/// The decision after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this many milliseconds, then send the same request again.
    RetryAfterMs(u64),
    /// Stop: return the response or error as it is.
    Stop,
}

/// Retry state for one logical call.
#[derive(Clone, Debug)]
pub struct Retrier {
    policy: RetryPolicy,
    retry_safe: bool,
    attempts: u32,
}

impl Retrier {
    /// Starts tracking a call of `request`.
    pub fn new(policy: RetryPolicy, request: &Request) -> Self {
        Retrier { policy, retry_safe: request.is_retry_safe(), attempts: 0 }
    }

    /// Starts tracking a call whose retry safety the caller decided.
    pub fn with_safety(policy: RetryPolicy, retry_safe: bool) -> Self {
        Retrier { policy, retry_safe, attempts: 0 }
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records an attempt's outcome and decides what to do next.
    pub fn decide<R: TryRng + ?Sized>(
        &mut self,
        outcome: RetryOutcome<'_>,
        now_unix: i64,
        rng: &mut R,
    ) -> RetryDecision {
        self.attempts = self.attempts.saturating_add(1);
        if !self.retry_safe || self.attempts >= self.policy.max_attempts {
            return RetryDecision::Stop;
        }
        let retry_after = match outcome {
            RetryOutcome::Transport(kind) if kind.is_retryable() => None,
            RetryOutcome::Transport(_) => return RetryDecision::Stop,
            RetryOutcome::Status { status, retry_after, kind } => {
                let retryable = match status {
                    408 | 500 | 502..=599 => true,
                    429 => !matches!(kind, Some(ErrorKind::SenderRateLimited)),
                    _ => false,
                };
                if !retryable {
                    return RetryDecision::Stop;
                }
                retry_after
            }
        };
        if let Some(ra) = retry_after {
            let ms = ra.delay_ms(now_unix);
            return if ms > self.policy.max_retry_after_ms {
                RetryDecision::Stop
            } else {
                RetryDecision::RetryAfterMs(ms)
            };
        }
        let shift = self.attempts.saturating_sub(1).min(32);
        let ceiling = self.policy.base_delay_ms.saturating_mul(1u64 << shift).min(self.policy.max_delay_ms);
        // Full jitter: uniform in [0, ceiling] (modulo bias is irrelevant for a
        // delay). If the RNG fails, wait half the ceiling rather than fail the call.
        let delay = match rng.try_next_u64() {
            _ if ceiling == 0 => 0,
            Ok(r) => r % (ceiling + 1),
            Err(_) => ceiling / 2,
        };
        RetryDecision::RetryAfterMs(delay)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::api::catalog::Operation;
    use crate::api::error::TransportErrorKind;
    use crate::api::request::{Method, Request};

    struct Counter(u64);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(self.try_next_u64()? as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            Ok(self.0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                *b = self.try_next_u64()? as u8;
            }
            Ok(())
        }
    }

    const GET: Operation = Operation::new("x.get", Method::Get, "/api/x");
    const POST: Operation = Operation::new("x.post", Method::Post, "/api/x");

    fn status(status: u16, retry_after: Option<RetryAfter>) -> RetryOutcome<'static> {
        RetryOutcome::Status { status, retry_after, kind: None }
    }

    #[test]
    fn parses_retry_after_forms() {
        assert_eq!(RetryAfter::parse("120"), Some(RetryAfter::Seconds(120)));
        assert_eq!(RetryAfter::parse(" 0 "), Some(RetryAfter::Seconds(0)));
        assert_eq!(RetryAfter::parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(RetryAfter::At(784_111_777)));
        assert_eq!(RetryAfter::parse("Sunday, 06-Nov-94 08:49:37 GMT"), Some(RetryAfter::At(784_111_777)));
        assert_eq!(RetryAfter::parse("Sun Nov  6 08:49:37 1994"), Some(RetryAfter::At(784_111_777)));
        for bad in ["", "-1", "1.5", "soon", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT"] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad}");
        }
        assert_eq!(RetryAfter::At(1_000).delay_ms(990), 10_000);
        assert_eq!(RetryAfter::At(1_000).delay_ms(2_000), 0);
    }

    #[test]
    fn retries_safe_requests_with_bounded_jittered_backoff() {
        let req = Request::builder(&GET, &[]).unwrap().build();
        let mut r = Retrier::new(RetryPolicy::default(), &req);
        let mut rng = Counter(7);
        match r.decide(RetryOutcome::Transport(TransportErrorKind::Connect), 0, &mut rng) {
            RetryDecision::RetryAfterMs(ms) => assert!(ms <= 500),
            RetryDecision::Stop => unreachable!(),
        }
        match r.decide(status(503, None), 0, &mut rng) {
            RetryDecision::RetryAfterMs(ms) => assert!(ms <= 1000),
            RetryDecision::Stop => unreachable!(),
        }
        assert_eq!(r.decide(status(503, None), 0, &mut rng), RetryDecision::Stop, "attempts exhausted");
    }

    #[test]
    fn honours_retry_after_with_a_cap() {
        let req = Request::builder(&GET, &[]).unwrap().build();
        let mut rng = Counter(1);
        let mut r = Retrier::new(RetryPolicy::default(), &req);
        assert_eq!(r.decide(status(429, Some(RetryAfter::Seconds(2))), 0, &mut rng), RetryDecision::RetryAfterMs(2000));
        let mut r = Retrier::new(RetryPolicy::default(), &req);
        assert_eq!(r.decide(status(429, Some(RetryAfter::Seconds(3600))), 0, &mut rng), RetryDecision::Stop);
        let mut r = Retrier::new(RetryPolicy::default(), &req);
        let kind = ErrorKind::SenderRateLimited;
        let out = RetryOutcome::Status { status: 429, retry_after: None, kind: Some(&kind) };
        assert_eq!(r.decide(out, 0, &mut rng), RetryDecision::Stop);
    }

    #[test]
    fn post_is_retried_only_with_an_idempotency_key() {
        let mut rng = Counter(3);
        let mut req = Request::builder(&POST, &[]).unwrap().build();
        let mut r = Retrier::new(RetryPolicy::default(), &req);
        assert_eq!(r.decide(status(503, None), 0, &mut rng), RetryDecision::Stop);
        req.set_idempotency_key("k-1").unwrap();
        let mut r = Retrier::new(RetryPolicy::default(), &req);
        assert!(matches!(r.decide(status(503, None), 0, &mut rng), RetryDecision::RetryAfterMs(_)));
        for s in [400, 401, 403, 404, 409, 422, 501] {
            let mut r = Retrier::new(RetryPolicy::default(), &req);
            assert_eq!(r.decide(status(s, None), 0, &mut rng), RetryDecision::Stop, "{s}");
        }
        let mut r = Retrier::new(RetryPolicy::none(), &req);
        assert_eq!(r.decide(status(503, None), 0, &mut rng), RetryDecision::Stop);
    }
}
