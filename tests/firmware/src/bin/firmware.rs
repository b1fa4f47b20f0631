//! Bare-metal proof for inkbox-core on a Cortex-M4 (QEMU mps2-an386): no
//! heap, no alloc. Verifies webhook deliveries from the shared vectors with
//! the body streamed in small chunks through an `embedded-io` reader,
//! parses the envelope with the no-alloc parser, and generates the RFC 6238
//! TOTP codes. Every check prints `PASS <name>` or `FAIL <name>` over
//! semihosting; the last line is `N passed, M failed` and the exit status
//! says whether all passed. It also prints the peak stack of the verify path
//! measured by stack painting: `STACK verify_path <bytes>`.
#![no_std]
#![no_main]
// Stack painting reads and writes raw memory below the stack pointer; that
// is the only unsafe code and it lives here, never in inkbox-core.
#![allow(unsafe_code)]

#[path = "../cases.rs"]
mod cases;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use inkbox_core::totp::{Algorithm, Digits, Period, Totp};
use inkbox_core::webhook::{self, VerifyOptions, WebhookError, envelope};

/// Bytes of the body handed over per read: small, like a UART or TCP stack would.
const CHUNK: usize = 16;

/// An `embedded-io` reader that yields a body a few bytes at a time.
struct ChunkedReader<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl embedded_io::ErrorType for ChunkedReader<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for ChunkedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = self.chunk.min(buf.len()).min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        buf[..n].copy_from_slice(head);
        self.data = tail;
        Ok(n)
    }
}

struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    fn check(&mut self, name: &str, ok: bool) {
        if ok {
            self.passed += 1;
            hprintln!("PASS {}", name);
        } else {
            self.failed += 1;
            hprintln!("FAIL {}", name);
        }
    }
}

fn verify_streamed(
    case: &cases::WebhookCase,
    secrets: &[&str],
    now: u64,
) -> Result<(), webhook::StreamError<core::convert::Infallible>> {
    let headers = [
        ("X-Inkbox-Signature", case.signature),
        ("X-Inkbox-Request-ID", case.request_id),
        ("X-Inkbox-Timestamp", case.timestamp),
    ];
    let reader = ChunkedReader { data: case.body, chunk: CHUNK };
    let mut buf = [0u8; CHUNK];
    webhook::verify_reader(reader, &mut buf, headers, secrets, now, &VerifyOptions::strict()).map(|_| ())
}

const PAINT: u32 = 0xC0DE_CAFE;
/// How far below the current stack pointer the paint reaches.
const PAINT_BYTES: usize = 16 * 1024;

/// Runs `f` on a painted stack and returns the deepest stack use of `f`
/// below the caller's frame, in bytes.
#[inline(never)]
fn peak_stack<F: FnOnce()>(f: F) -> usize {
    let sp = cortex_m::register::msp::read() as usize;
    // Leave a small gap so this function's own spills are not overwritten.
    let top = (sp - 64) & !3;
    let bottom = top - PAINT_BYTES;
    let mut addr = bottom;
    while addr < top {
        // SAFETY: [bottom, top) lies below the live stack pointer inside RAM
        // (4 MiB; the stack starts at its top), holds no live data, and
        // interrupts are not enabled.
        unsafe { core::ptr::write_volatile(addr as *mut u32, PAINT) };
        addr += 4;
    }
    f();
    let mut lowest = bottom;
    // SAFETY: same region as above, now only read.
    while lowest < top && unsafe { core::ptr::read_volatile(lowest as *const u32) } == PAINT {
        lowest += 4;
    }
    sp - lowest
}

#[entry]
fn main() -> ! {
    let mut t = Tally { passed: 0, failed: 0 };
    let valid = &cases::VALID;
    let ts: u64 = valid.timestamp.parse().unwrap_or(0);
    let now = ts + 5;

    // Webhooks, body streamed in CHUNK-byte reads.
    t.check("webhook valid", valid.expected && verify_streamed(valid, &[valid.secret], now).is_ok());
    let big = &cases::VALID_64K;
    let big_now = big.timestamp.parse::<u64>().unwrap_or(0);
    t.check("webhook valid 64 KiB", big.expected && verify_streamed(big, &[big.secret], big_now).is_ok());
    t.check(
        "webhook tampered body",
        !cases::TAMPERED.expected
            && matches!(
                verify_streamed(&cases::TAMPERED, &[cases::TAMPERED.secret], now),
                Err(webhook::StreamError::Webhook(WebhookError::SignatureMismatch))
            ),
    );
    t.check(
        "webhook wrong secret",
        !cases::WRONG_SECRET.expected
            && matches!(
                verify_streamed(&cases::WRONG_SECRET, &[cases::WRONG_SECRET.secret], now),
                Err(webhook::StreamError::Webhook(WebhookError::SignatureMismatch))
            ),
    );
    t.check(
        "webhook stale timestamp",
        matches!(
            verify_streamed(valid, &[valid.secret], ts + 301),
            Err(webhook::StreamError::Webhook(WebhookError::TimestampOutOfTolerance))
        ),
    );
    t.check(
        "webhook future timestamp",
        matches!(
            verify_streamed(valid, &[valid.secret], ts - 301),
            Err(webhook::StreamError::Webhook(WebhookError::TimestampOutOfTolerance))
        ),
    );
    t.check("webhook tolerance edge", verify_streamed(valid, &[valid.secret], ts + 300).is_ok());
    t.check(
        "webhook rotated secret",
        verify_streamed(valid, &["whsec_retired-key-from-last-month", valid.secret], now).is_ok(),
    );

    // The envelope of the verified body, parsed without a heap.
    let parsed = envelope::parse(valid.body);
    t.check(
        "envelope event type and timestamp",
        matches!(parsed, Ok(envelope::Event::Envelope(e))
            if e.event_type == "text.received" && e.timestamp == "2026-06-10T12:39:00Z"),
    );
    let call = br#"{"id":"c0ffee00-0000-4000-8000-000000000001","local_phone_number":"+15550001111","remote_phone_number":"+15552223333","direction":"inbound","status":"initiated","contacts":[],"agent_identities":[]}"#;
    t.check(
        "envelope incoming call",
        matches!(envelope::parse(call), Ok(envelope::Event::IncomingCall { call_id })
            if call_id == "c0ffee00-0000-4000-8000-000000000001"),
    );
    t.check("envelope malformed", envelope::parse(b"{\"event_type\":").is_err());

    // TOTP: RFC 6238 Appendix B.
    for case in cases::RFC6238 {
        let algorithm = match case.algorithm {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => Algorithm::Sha1,
        };
        let ok = Totp::from_base32(case.secret, algorithm, Digits::Eight, Period::Thirty)
            .and_then(|totp| totp.generate(case.time))
            .is_ok_and(|code| code.code.as_str() == case.code);
        t.check(case.name, ok);
    }

    // Peak stack of the (one-shot) verify path.
    let mut verified = false;
    let stack = peak_stack(|| {
        let headers = [
            ("X-Inkbox-Signature", valid.signature),
            ("X-Inkbox-Request-ID", valid.request_id),
            ("X-Inkbox-Timestamp", valid.timestamp),
        ];
        verified =
            webhook::verify(headers, core::hint::black_box(valid.body), &[valid.secret], now, &VerifyOptions::strict())
                .is_ok();
    });
    t.check("webhook one-shot verify (stack measured)", verified);
    hprintln!("STACK verify_path {}", stack);
    let mut streamed = false;
    let stack_streamed = peak_stack(|| streamed = verify_streamed(valid, &[valid.secret], now).is_ok());
    t.check("webhook streamed verify (stack measured)", streamed);
    hprintln!("STACK verify_streamed {}", stack_streamed);

    hprintln!("{} passed, {} failed", t.passed, t.failed);
    debug::exit(if t.failed == 0 { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("PANIC {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
