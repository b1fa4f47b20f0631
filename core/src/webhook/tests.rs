//! Unit tests: table-driven, fixed times, no allocation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use super::envelope::{self, EnvelopeError, Event, ObjectId};
use super::*;
use crate::ErrorCode;

const SECRET: &str = "whsec_O21oFjdhy94iHwv-Ij_2i8LA9CKoVh1MTvwCvzo0QRE";
const BARE_SECRET: &str = "O21oFjdhy94iHwv-Ij_2i8LA9CKoVh1MTvwCvzo0QRE";
const RID: &str = "a83420da-b184-445d-b88e-ce7279442848";
const TS: u64 = 1_771_521_013;
const BODY: &[u8] = br#"{"event_type":"message.received","timestamp":"2026-02-19T17:10:13.000Z","data":{}}"#;

fn strict() -> VerifyOptions {
    VerifyOptions::strict()
}

/// Verifies through all three entry points and checks they agree.
fn check<'h>(
    headers: &'h [(&'h str, &'h str)],
    body: &[u8],
    secrets: &[&str],
    now: u64,
    options: &VerifyOptions,
) -> Result<Verified<'h>, WebhookError> {
    let one_shot = verify(headers, body, secrets, now, options);

    let streamed = Verifier::<'h, 4>::new(headers, secrets, now, options).and_then(|mut v| {
        for chunk in body.chunks(7) {
            v.update(chunk);
        }
        v.finish()
    });
    assert_eq!(one_shot, streamed, "streaming differs");

    let mut buf = [0u8; 5];
    let read = verify_reader(body, &mut buf, headers, secrets, now, options).map_err(|e| match e {
        StreamError::Webhook(e) => e,
        StreamError::Read(never) => match never {},
    });
    assert_eq!(one_shot, read, "embedded-io differs");
    one_shot
}

fn headers3<'a>(sig: &'a str, rid: &'a str, ts: &'a str) -> [(&'a str, &'a str); 3] {
    [("X-Inkbox-Signature", sig), ("X-Inkbox-Request-ID", rid), ("X-Inkbox-Timestamp", ts)]
}

#[test]
fn known_answer_from_reference_vector() {
    // webhook.json `valid_empty_body` (reference SDK 0.4.9).
    let expected = "sha256=43e8372daa40726b5b2425eadc86e1211d2896d80a231dac35f9dcfe2506ec6d";
    let signed = sign(SECRET, RID, TS, b"").unwrap();
    assert_eq!(signed.signature(), expected);
    let h = headers3(expected, RID, "1771521013");
    assert!(check(&h, b"", &[SECRET], TS, &strict()).is_ok());
    // One-byte-flipped twin.
    let flipped = "sha256=43e8372daa40726b5b2425eadc86e1211d2896d80a231dac35f9dcfe2506ec6c";
    let h = headers3(flipped, RID, "1771521013");
    assert_eq!(check(&h, b"", &[SECRET], TS, &strict()), Err(WebhookError::SignatureMismatch));
}

#[test]
fn sign_verify_round_trip() {
    let big = [0xa5u8; 3000];
    let bodies: [&[u8]; 5] = [b"", b"{}", BODY, &big, "héllo ✓".as_bytes()];
    for body in bodies {
        for secret in [SECRET, BARE_SECRET, "whsec_whsec_x", "k"] {
            let signed = sign(secret, RID, TS, body).unwrap();
            let sig = signed.signature();
            assert_eq!(sig.len(), SIGNATURE_LEN);
            assert!(sig[7..].bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
            let headers = signed.headers();
            let v = check(&headers, body, &[secret], TS, &strict()).unwrap();
            assert_eq!(v.request_id, RID);
            assert_eq!(v.timestamp, "1771521013");
            assert_eq!(v.timestamp_secs, Some(TS));
        }
    }
}

#[test]
fn sign_formats_timestamps() {
    for (ts, text) in [(0, "0"), (7, "7"), (10, "10"), (TS, "1771521013"), (u64::MAX, "18446744073709551615")] {
        assert_eq!(sign("k", "r", ts, b"").unwrap().timestamp(), text);
    }
    let raw = sign_raw("k", "", "not-a-number", b"x").unwrap();
    assert_eq!(raw.timestamp(), "not-a-number");
    assert_eq!(raw.request_id(), "");
}

#[test]
fn sign_refuses_bad_input() {
    let long = [b'a'; MAX_HEADER_VALUE_LEN + 1];
    let long = core::str::from_utf8(&long).unwrap();
    let cases: [(&str, &str, WebhookError); 5] = [
        ("", RID, WebhookError::EmptySecret),
        ("whsec_", RID, WebhookError::EmptySecret),
        (SECRET, "", WebhookError::MissingRequestId),
        (SECRET, "caf\u{e9}", WebhookError::InvalidHeader),
        (SECRET, long, WebhookError::InvalidHeader),
    ];
    for (secret, rid, err) in cases {
        assert_eq!(sign(secret, rid, TS, BODY).unwrap_err(), err, "{secret:?} {rid:?}");
    }
    assert_eq!(sign_raw("whsec_", "", "", b"").unwrap_err(), WebhookError::EmptySecret);
}

#[test]
fn freshness_window_edges() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let h = signed.headers();
    let tol = DEFAULT_TOLERANCE_SECS;
    let cases: [(u64, VerifyOptions, Option<WebhookError>); 10] = [
        (TS, strict(), None),
        (TS + tol, strict(), None),
        (TS - tol, strict(), None),
        (TS + tol + 1, strict(), Some(WebhookError::TimestampOutOfTolerance)),
        (TS - tol - 1, strict(), Some(WebhookError::TimestampOutOfTolerance)),
        (TS + 60, strict().with_tolerance(60), None),
        (TS + 61, strict().with_tolerance(60), Some(WebhookError::TimestampOutOfTolerance)),
        (TS - 61, strict().with_tolerance(60), Some(WebhookError::TimestampOutOfTolerance)),
        (0, strict().without_freshness(), None),
        (u64::MAX, strict().without_freshness(), None),
    ];
    for (now, options, err) in cases {
        assert_eq!(check(&h, BODY, &[SECRET], now, &options).err(), err, "now={now}");
    }
    // Tolerance 0: only the exact second.
    let exact = strict().with_tolerance(0);
    assert!(check(&h, BODY, &[SECRET], TS, &exact).is_ok());
    assert!(check(&h, BODY, &[SECRET], TS + 1, &exact).is_err());
}

#[test]
fn each_header_missing_or_empty() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let (sig, ts) = (signed.signature(), "1771521013");
    let none: [(&str, &str); 0] = [];
    let cases: [(&[(&str, &str)], WebhookError); 7] = [
        (&[("X-Inkbox-Request-ID", RID), ("X-Inkbox-Timestamp", ts)], WebhookError::MissingSignature),
        (&[("X-Inkbox-Signature", sig), ("X-Inkbox-Timestamp", ts)], WebhookError::MissingRequestId),
        (&[("X-Inkbox-Signature", sig), ("X-Inkbox-Request-ID", RID)], WebhookError::MissingTimestamp),
        (&headers3("", RID, ts), WebhookError::MissingSignature),
        (&headers3(sig, "", ts), WebhookError::MissingRequestId),
        (&headers3(sig, RID, ""), WebhookError::MissingTimestamp),
        (&none, WebhookError::MissingSignature),
    ];
    for (headers, err) in cases {
        assert_eq!(check(headers, BODY, &[SECRET], TS, &strict()), Err(err), "{headers:?}");
    }
}

#[test]
fn tampering_is_detected() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let sig = signed.signature();
    let mut flipped = [0u8; BODY.len()];
    flipped.copy_from_slice(BODY);
    flipped[10] ^= 0x01;
    let cases: [(&[u8], &str, &str, WebhookError); 6] = [
        (&flipped, RID, "1771521013", WebhookError::SignatureMismatch),
        (&BODY[..BODY.len() - 1], RID, "1771521013", WebhookError::SignatureMismatch),
        (b"", RID, "1771521013", WebhookError::SignatureMismatch),
        // Another timestamp, still inside the window.
        (BODY, RID, "1771521014", WebhookError::SignatureMismatch),
        (BODY, "a83420da-b184-445d-b88e-ce7279442849", "1771521013", WebhookError::SignatureMismatch),
        (BODY, RID, " 1771521013", WebhookError::MalformedTimestamp),
    ];
    for (body, rid, ts, err) in cases {
        let h = headers3(sig, rid, ts);
        assert_eq!(check(&h, body, &[SECRET], TS, &strict()), Err(err), "{rid} {ts}");
    }
}

#[test]
fn secret_prefix_handling() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let h = signed.headers();
    let cases: [(&str, Result<(), WebhookError>); 6] = [
        (SECRET, Ok(())),
        (BARE_SECRET, Ok(())),
        // Only one prefix is stripped: the key is then `whsec_<bare>`.
        ("whsec_whsec_O21oFjdhy94iHwv-Ij_2i8LA9CKoVh1MTvwCvzo0QRE", Err(WebhookError::SignatureMismatch)),
        ("WHSEC_O21oFjdhy94iHwv-Ij_2i8LA9CKoVh1MTvwCvzo0QRE", Err(WebhookError::SignatureMismatch)),
        ("", Err(WebhookError::EmptySecret)),
        ("whsec_", Err(WebhookError::EmptySecret)),
    ];
    for (secret, expected) in cases {
        assert_eq!(check(&h, BODY, &[secret], TS, &strict()).map(|_| ()), expected, "{secret}");
    }
    // Signed with the full `whsec_…` string as key: the verifier strips it.
    let full = sign("whsec_whsec_O21oFjdhy94iHwv-Ij_2i8LA9CKoVh1MTvwCvzo0QRE", RID, TS, BODY).unwrap();
    assert_eq!(check(&full.headers(), BODY, &[SECRET], TS, &strict()), Err(WebhookError::SignatureMismatch));
    // No secrets at all, or an empty one among valid ones: configuration error,
    // reported before anything about the request.
    let none: [&str; 0] = [];
    assert_eq!(verify(&h, BODY, &none, TS, &strict()), Err(WebhookError::EmptySecret));
    assert_eq!(check(&h, BODY, &[SECRET, "whsec_"], TS, &strict()), Err(WebhookError::EmptySecret));
    let empty: [(&str, &str); 0] = [];
    assert_eq!(verify(&empty, BODY, &[""], TS, &strict()), Err(WebhookError::EmptySecret));
}

#[test]
fn key_rotation_on_the_receiver() {
    let signed = sign("whsec_new", RID, TS, BODY).unwrap();
    let h = signed.headers();
    let cases: [(&[&str], Result<(), WebhookError>); 5] = [
        (&["whsec_old", "whsec_new"], Ok(())),
        (&["whsec_new", "whsec_old"], Ok(())),
        (&["a", "b", "c", "whsec_new"], Ok(())),
        (&["whsec_old"], Err(WebhookError::SignatureMismatch)),
        (&["a", "b", "c", "d"], Err(WebhookError::SignatureMismatch)),
    ];
    for (secrets, expected) in cases {
        assert_eq!(check(&h, BODY, secrets, TS, &strict()).map(|_| ()), expected, "{secrets:?}");
    }
    // The one-shot takes any number; the verifier is bounded by N.
    let five = ["a", "b", "c", "d", "whsec_new"];
    assert!(verify(&h, BODY, &five, TS, &strict()).is_ok());
    assert_eq!(Verifier::<'_, 4>::new(&h, &five, TS, &strict()).unwrap_err(), WebhookError::TooManySecrets);
    assert_eq!(
        Verifier::<'_, 1>::new(&h, &["whsec_old", "whsec_new"], TS, &strict()).unwrap_err(),
        WebhookError::TooManySecrets
    );
    assert!(Verifier::<'_, 5>::new(&h, &five, TS, &strict()).is_ok());
}

#[test]
fn several_signature_entries() {
    let good = sign(SECRET, RID, TS, BODY).unwrap();
    let other = sign("whsec_other", RID, TS, BODY).unwrap();
    let (g, o) = (good.signature(), other.signature());
    fn join<'b>(buf: &'b mut [u8; 1024], parts: &[&str], sep: &str) -> &'b str {
        let mut n = 0;
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                buf[n..n + sep.len()].copy_from_slice(sep.as_bytes());
                n += sep.len();
            }
            buf[n..n + p.len()].copy_from_slice(p.as_bytes());
            n += p.len();
        }
        core::str::from_utf8(&buf[..n]).unwrap()
    }
    let strict_cases: [(&[&str], &str, Result<(), WebhookError>); 9] = [
        (&[g, o], " ", Ok(())),
        (&[o, g], " ", Ok(())),
        (&[o, o, o, o, o, o, o, g], " ", Ok(())),
        (&[o, o], " ", Err(WebhookError::SignatureMismatch)),
        (&[o, o, o, o, o, o, o, o, g], " ", Err(WebhookError::MalformedSignature)),
        (&[g, o], ",", Err(WebhookError::MalformedSignature)),
        (&[g, o], "  ", Err(WebhookError::MalformedSignature)),
        (&[g, ""], " ", Err(WebhookError::MalformedSignature)),
        (&["", g], " ", Err(WebhookError::MalformedSignature)),
    ];
    for (parts, sep, expected) in strict_cases {
        let mut buf = [0u8; 1024];
        let value = join(&mut buf, parts, sep);
        let h = headers3(value, RID, "1771521013");
        assert_eq!(check(&h, BODY, &[SECRET], TS, &strict()).map(|_| ()), expected, "{value}");
        // Compat accepts exactly one entry, like the official SDK.
        let compat = check(&h, BODY, &[SECRET], TS, &VerifyOptions::compat());
        assert!(compat.is_err(), "{value}");
    }
}

#[test]
fn malformed_signatures() {
    let upper = "sha256=DEC3C63D4251E41EF33BD9DE302E0E9A919DA6E11BD720B95A5369060FDE2B5D";
    let cases = [
        "dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d",
        "sha256=",
        "SHA256=dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d",
        "sha1=d94cb8efcbe4a9c407eadba8878eb7b41b4fd108",
        "v1=dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d",
        upper,
        "sha256=dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5",
        "sha256=dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d0",
        "sha256=3sPGPUJR5B7zO9neMC4OmpGdpuEb1yC5WlNpBg/eK10=",
        "sha256= dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d",
        "sha256=gec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d",
    ];
    for sig in cases {
        let h = headers3(sig, RID, "1771521013");
        for options in [strict(), VerifyOptions::compat()] {
            assert_eq!(check(&h, BODY, &[SECRET], TS, &options), Err(WebhookError::MalformedSignature), "{sig}");
        }
    }
}

#[test]
fn malformed_timestamps() {
    for ts in ["not-a-number", "+1771521013", "-1", "1771521013 ", "1.5", "1e9", "0x10", "99999999999999999999999"] {
        let signed = sign_raw(SECRET, RID, ts, BODY).unwrap();
        let h = signed.headers();
        assert_eq!(check(&h, BODY, &[SECRET], TS, &strict()), Err(WebhookError::MalformedTimestamp), "{ts}");
        // Compat binds it verbatim.
        let v = check(&h, BODY, &[SECRET], TS, &VerifyOptions::compat()).unwrap();
        assert_eq!((v.timestamp, v.timestamp_secs), (ts, None));
        // Compat plus a tolerance needs a real timestamp.
        let fresh = VerifyOptions::compat().with_tolerance(300);
        assert_eq!(check(&h, BODY, &[SECRET], TS, &fresh), Err(WebhookError::MalformedTimestamp));
    }
    // Leading zeros are still decimal.
    let signed = sign_raw(SECRET, RID, "01771521013", BODY).unwrap();
    assert_eq!(check(&signed.headers(), BODY, &[SECRET], TS, &strict()).unwrap().timestamp_secs, Some(TS));
}

#[test]
fn compat_accepts_absent_ids_signed_as_empty() {
    let cases: [(&str, &str); 3] = [("", "1771521013"), (RID, ""), ("", "")];
    for (rid, ts) in cases {
        let signed = sign_raw(SECRET, rid, ts, BODY).unwrap();
        let sig = signed.signature();
        let mut headers: [(&str, &str); 3] = [("X-Inkbox-Signature", sig), ("X-Other", ""), ("X-Other", "")];
        if !rid.is_empty() {
            headers[1] = ("X-Inkbox-Request-ID", rid);
        }
        if !ts.is_empty() {
            headers[2] = ("X-Inkbox-Timestamp", ts);
        }
        let v = check(&headers, BODY, &[SECRET], TS, &VerifyOptions::compat()).unwrap();
        assert_eq!((v.request_id, v.timestamp), (rid, ts));
        assert!(check(&headers, BODY, &[SECRET], TS, &strict()).is_err());
        // Present but empty behaves like absent.
        let present = headers3(sig, rid, ts);
        assert!(check(&present, BODY, &[SECRET], TS, &VerifyOptions::compat()).is_ok());
    }
}

#[test]
fn header_hygiene() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let sig = signed.signature();
    let ts = "1771521013";
    let long = [b'r'; MAX_HEADER_VALUE_LEN + 1];
    let long = core::str::from_utf8(&long).unwrap();
    let sig_nl = "sha256=dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d\n";
    let sig_e = "sha256=dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5\u{e9}";
    let cases: [&[(&str, &str)]; 7] = [
        &[("X-Inkbox-Signature", sig), ("X-Inkbox-Request-ID", long), ("X-Inkbox-Timestamp", ts)],
        &[("X-Inkbox-Signature", sig), ("X-Inkbox-Request-ID", "r\u{e9}q"), ("X-Inkbox-Timestamp", ts)],
        &[("X-Inkbox-Signature", sig), ("X-Inkbox-Request-ID", "r\tq"), ("X-Inkbox-Timestamp", ts)],
        &[("X-Inkbox-Signature", sig_nl), ("X-Inkbox-Request-ID", RID), ("X-Inkbox-Timestamp", ts)],
        &[("X-Inkbox-Signature", sig_e), ("X-Inkbox-Request-ID", RID), ("X-Inkbox-Timestamp", ts)],
        // Repeated, in another case.
        &[
            ("X-Inkbox-Signature", sig),
            ("x-inkbox-signature", sig),
            ("X-Inkbox-Request-ID", RID),
            ("X-Inkbox-Timestamp", ts),
        ],
        &[
            ("X-Inkbox-Signature", sig),
            ("X-Inkbox-Request-ID", RID),
            ("X-Inkbox-Timestamp", ts),
            ("X-INKBOX-TIMESTAMP", ts),
        ],
    ];
    for headers in cases {
        for options in [strict(), VerifyOptions::compat()] {
            assert_eq!(check(headers, BODY, &[SECRET], TS, &options), Err(WebhookError::InvalidHeader));
        }
    }
    // The longest accepted request id, and odd unrelated headers, pass.
    let max = [b'r'; MAX_HEADER_VALUE_LEN];
    let max = core::str::from_utf8(&max).unwrap();
    let signed = sign(SECRET, max, TS, BODY).unwrap();
    let headers = [
        ("X-Inkbox-Signature", signed.signature()),
        ("X-Inkbox-Request-ID", max),
        ("X-Inkbox-Timestamp", ts),
        ("X-Custom", "caf\u{e9}\n"),
        ("X-Inkbox-Signature-256", "junk"),
    ];
    assert!(check(&headers, BODY, &[SECRET], TS, &strict()).is_ok());
}

#[test]
fn raw_byte_headers_and_name_case() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let (sig, ts) = (signed.signature().as_bytes(), b"1771521013".as_slice());
    for names in [
        [b"x-inkbox-signature".as_slice(), b"x-inkbox-request-id", b"x-inkbox-timestamp"],
        [b"X-INKBOX-SIGNATURE", b"X-INKBOX-REQUEST-ID", b"X-INKBOX-TIMESTAMP"],
        [b"x-InKbOx-SiGnAtUrE", b"X-Inkbox-Request-Id", b"x-INKBOX-timestamp"],
    ] {
        let headers: [(&[u8], &[u8]); 4] =
            [(b"Content-Type", b"application/json"), (names[0], sig), (names[1], RID.as_bytes()), (names[2], ts)];
        assert!(verify(&headers, BODY, &[SECRET], TS, &strict()).is_ok());
        // Map-style iteration: `(&N, &V)` items.
        let pairs = headers.iter().map(|(n, v)| (n, v));
        assert!(verify(pairs, BODY, &[SECRET.as_bytes()], TS, &strict()).is_ok());
    }
    // Non-UTF-8 bytes in a value.
    let headers: [(&[u8], &[u8]); 3] =
        [(b"X-Inkbox-Signature", sig), (b"X-Inkbox-Request-ID", b"\xff\xfe"), (b"X-Inkbox-Timestamp", ts)];
    assert_eq!(verify(&headers, BODY, &[SECRET], TS, &strict()), Err(WebhookError::InvalidHeader));
}

struct FlakyReader<'a> {
    data: &'a [u8],
    step: usize,
    calls: usize,
    fail_at: Option<usize>,
}

impl embedded_io::ErrorType for FlakyReader<'_> {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Read for FlakyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.calls += 1;
        if self.calls.is_multiple_of(3) {
            return Err(embedded_io::ErrorKind::Interrupted);
        }
        if self.fail_at == Some(self.calls) {
            return Err(embedded_io::ErrorKind::ConnectionReset);
        }
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn embedded_io_reader() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let h = signed.headers();
    for (step, buf_len) in [(1, 4), (3, 16), (100, 8), (7, 0)] {
        let reader = FlakyReader { data: BODY, step, calls: 0, fail_at: None };
        let mut buf = [0u8; 16];
        let r = verify_reader(reader, &mut buf[..buf_len], &h, &[SECRET], TS, &strict());
        assert!(r.is_ok(), "step {step} buf {buf_len}");
    }
    let mut verifier = Verifier::<'_, MAX_SECRETS>::new(&h, &[SECRET], TS, &strict()).unwrap();
    let mut reader = FlakyReader { data: BODY, step: 10, calls: 0, fail_at: None };
    assert_eq!(verifier.update_from_reader(&mut reader, &mut [0u8; 32]), Ok(BODY.len() as u64));
    assert!(verifier.finish().is_ok());

    let reader = FlakyReader { data: BODY, step: 10, calls: 0, fail_at: Some(4) };
    let err = verify_reader(reader, &mut [0u8; 32], &h, &[SECRET], TS, &strict()).unwrap_err();
    assert_eq!(err, StreamError::Read(embedded_io::ErrorKind::ConnectionReset));
    assert_eq!(err.code(), "webhook.read_failed");
    // Header failures are reported before the body is read.
    let reader = FlakyReader { data: BODY, step: 10, calls: 0, fail_at: Some(1) };
    let err = verify_reader(reader, &mut [0u8; 32], &h, &[SECRET], TS + 1000, &strict()).unwrap_err();
    assert_eq!(err, StreamError::Webhook(WebhookError::TimestampOutOfTolerance));
    assert_eq!(err.code(), "webhook.timestamp_out_of_tolerance");
}

#[test]
fn error_codes_are_stable_and_distinct() {
    let all = [
        (WebhookError::MissingSignature, "webhook.missing_signature"),
        (WebhookError::MissingRequestId, "webhook.missing_request_id"),
        (WebhookError::MissingTimestamp, "webhook.missing_timestamp"),
        (WebhookError::MalformedSignature, "webhook.malformed_signature"),
        (WebhookError::MalformedTimestamp, "webhook.malformed_timestamp"),
        (WebhookError::TimestampOutOfTolerance, "webhook.timestamp_out_of_tolerance"),
        (WebhookError::SignatureMismatch, "webhook.signature_mismatch"),
        (WebhookError::InvalidHeader, "webhook.invalid_header"),
        (WebhookError::EmptySecret, "webhook.empty_secret"),
        (WebhookError::TooManySecrets, "webhook.too_many_secrets"),
    ];
    for (i, (e, code)) in all.iter().enumerate() {
        assert_eq!(e.code(), *code);
        assert_eq!(e.is_configuration(), matches!(e, WebhookError::EmptySecret | WebhookError::TooManySecrets));
        for (other, _) in &all[i + 1..] {
            assert_ne!(e.code(), other.code());
        }
    }
    assert_eq!(EnvelopeError::Malformed.code(), "webhook.payload_malformed");
    assert_eq!(EnvelopeError::UnexpectedShape.code(), "webhook.payload_unexpected_shape");
}

/// A `core::fmt::Write` sink into a fixed buffer.
struct Sink {
    buf: [u8; 512],
    len: usize,
}

impl core::fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[test]
fn no_secret_in_debug_output() {
    use core::fmt::Write as _;
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let h = signed.headers();
    let verifier = Verifier::<'_, MAX_SECRETS>::new(&h, &[SECRET], TS, &strict()).unwrap();
    let mut sink = Sink { buf: [0; 512], len: 0 };
    write!(sink, "{verifier:?} {signed:?} {:?}", WebhookError::EmptySecret).unwrap();
    let text = core::str::from_utf8(&sink.buf[..sink.len]).unwrap();
    assert!(!text.contains(BARE_SECRET));
    assert!(text.contains("Verifier"));
}

// ---------------------------------------------------------------- envelope

const MAIL: &[u8] = br#"{
  "event_type": "message.received",
  "timestamp": "2026-04-10T18:13:42.201Z",
  "data": {
    "message": {
      "id": "6c2f7c1e-0d7b-4f4e-9a36-3a1b2f7d9e10",
      "mailbox_id": "2b8e4f0a-51c3-4d2e-8f7a-9c0d1e2f3a4b",
      "thread_id": null,
      "message_id": "<CAF=abc@mail.example.com>",
      "from_address": "Ada <ada@example.com>",
      "to_addresses": ["agent@inkbox.ai"],
      "cc_addresses": null,
      "bcc_addresses": null,
      "subject": "Quarterly \"numbers\" \u2713",
      "snippet": "Hi \\ there",
      "direction": "inbound",
      "status": "received",
      "has_attachments": false,
      "created_at": "2026-04-10T18:13:41.900Z"
    },
    "contacts": [{"bucket": "from", "address": "ada@example.com", "id": "c1", "name": "Ada"}],
    "agent_identities": [{"bucket": "to", "address": "agent@inkbox.ai", "id": "i1", "agent_handle": "agent", "display_name": null}]
  }
}"#;

const TEXT: &[u8] = br#"{"event_type":"text.delivered","timestamp":"2026-04-10T18:13:42.201Z","data":{"text_message":{"id":"0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d","direction":"outbound","local_phone_number":"+14155550100","remote_phone_number":"+14155550199","text":"hello","type":"sms","media":null,"is_read":true,"conversation_id":"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d","sender_phone_number":null,"recipients":[{"recipient_phone_number":"+14155550199","delivery_status":"delivered","carrier":"T-Mobile","line_type":"mobile","error_code":null,"error_detail":null,"sent_at":"2026-04-10T18:13:40Z","delivered_at":"2026-04-10T18:13:42Z","failed_at":null}],"delivery_status":"delivered","origin":"user_initiated","error_code":null,"error_detail":null,"sent_at":"2026-04-10T18:13:40Z","delivered_at":"2026-04-10T18:13:42Z","failed_at":null,"created_at":"2026-04-10T18:13:39Z","updated_at":"2026-04-10T18:13:42Z"},"contacts":[{"id":"c9","name":null}],"agent_identities":[],"recipient_phone_number":null}}"#;

const IMESSAGE: &[u8] = br#"{"event_type":"imessage.received","timestamp":"2026-04-10T18:13:42.201Z","data":{"message":{"id":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","conversation_id":"c0","assignment_id":"a0","direction":"inbound","remote_number":"+14155550123","content":"\ud83d\ude00 ok","message_type":"message","service":"imessage","send_style":null,"media":[{"url":"https://x/y","content_type":null,"size":1.5e3}],"was_downgraded":false,"status":"received","error_code":null,"error_message":null,"error_reason":null,"error_detail":null,"is_read":false,"recipients":null,"reactions":[{"id":"r0","direction":"outbound","reaction":"like","custom_emoji":null,"remote_number":"+14155550123","part_index":0,"created_at":"2026-04-10T18:00:00Z"}],"created_at":"2026-04-10T18:13:42Z","updated_at":"2026-04-10T18:13:42Z"},"reaction":null,"contacts":[],"agent_identities":[{"id":"i1","agent_handle":"bot","display_name":"Bot"}]}}"#;

const REACTION: &[u8] = br#"{"event_type":"imessage.reaction_received","timestamp":"2026-04-10T18:13:42.201Z","data":{"message":null,"reaction":{"id":"7f8e9d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f","conversation_id":"c0","assignment_id":"a0","target_message_id":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","direction":"inbound","reaction":"custom","custom_emoji":"\ud83d\udd25","remote_number":"+14155550123","part_index":-0,"created_at":"2026-04-10T18:13:42Z","updated_at":"2026-04-10T18:13:42Z"},"contacts":[{"id":"c2","name":"Grace"}],"agent_identities":[]}}"#;

const CALL: &[u8] = br#"{"id":"3d4e5f60-7182-4a3b-9c4d-5e6f70819203","local_phone_number":"+14155550100","remote_phone_number":"+14155550111","direction":"inbound","status":"initiated","client_websocket_url":null,"use_inkbox_tts":null,"use_inkbox_stt":true,"hangup_reason":null,"started_at":null,"ended_at":null,"created_at":"2026-04-10T18:13:42Z","updated_at":"2026-04-10T18:13:42Z","rate_limit":{"limit":100,"remaining":99,"reset_at":"2026-04-11T00:00:00Z"},"contacts":[],"agent_identities":[{"id":"i1","agent_handle":"bot","display_name":null}]}"#;

#[test]
fn envelope_realistic_payloads() {
    let ts = Some("2026-04-10T18:13:42.201Z");
    /// body, event type, timestamp, object, object id
    type Case<'a> = (&'a [u8], &'a str, Option<&'a str>, Option<ObjectId<'a>>, Option<&'a str>);
    let cases: [Case<'_>; 5] = [
        (
            MAIL,
            "message.received",
            ts,
            Some(ObjectId::Message("6c2f7c1e-0d7b-4f4e-9a36-3a1b2f7d9e10")),
            Some("6c2f7c1e-0d7b-4f4e-9a36-3a1b2f7d9e10"),
        ),
        (
            TEXT,
            "text.delivered",
            ts,
            Some(ObjectId::TextMessage("0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d")),
            Some("0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"),
        ),
        (
            IMESSAGE,
            "imessage.received",
            ts,
            Some(ObjectId::Message("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9")),
            Some("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"),
        ),
        (
            REACTION,
            "imessage.reaction_received",
            ts,
            Some(ObjectId::Reaction("7f8e9d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f")),
            Some("7f8e9d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f"),
        ),
        (CALL, "phone.incoming_call", None, None, Some("3d4e5f60-7182-4a3b-9c4d-5e6f70819203")),
    ];
    for (body, event_type, timestamp, object, id) in cases {
        let event = envelope::parse(body).unwrap();
        assert_eq!(event.event_type(), event_type);
        assert_eq!(event.timestamp(), timestamp);
        assert_eq!(event.object(), object);
        assert_eq!(event.object_id(), id);
    }
    assert_eq!(envelope::parse(CALL).unwrap(), Event::IncomingCall { call_id: "3d4e5f60-7182-4a3b-9c4d-5e6f70819203" });
    // Unknown event types in the envelope still parse, without an object.
    let future = envelope::parse(br#"{"data":{"call":{"id":"x"}},"event_type":"call.ended","timestamp":"t"}"#).unwrap();
    assert_eq!((future.event_type(), future.object()), ("call.ended", None));
}

#[test]
fn envelope_rejects_bad_payloads() {
    use EnvelopeError::{Malformed, UnexpectedShape};
    let mut deep = [b'['; 80];
    let head = br#"{"event_type":"x","a":"#;
    deep[..head.len()].copy_from_slice(head);
    let cases: [(&[u8], EnvelopeError); 34] = [
        (b"", Malformed),
        (b"   ", Malformed),
        (b"{", Malformed),
        (br#"{"event_type":"x""#, Malformed),
        (br#"{"event_type":"x",}"#, Malformed),
        (br#"{"event_type":"x"} {}"#, Malformed),
        (br#"{"event_type":"x"}}"#, Malformed),
        (br#"{"a":[1,2,]}"#, Malformed),
        (br#"{"a":[1 2]}"#, Malformed),
        (br#"{"a":tru}"#, Malformed),
        (br#"{"a":01}"#, Malformed),
        (br#"{"a":1.}"#, Malformed),
        (br#"{"a":-}"#, Malformed),
        (br#"{"a":1e}"#, Malformed),
        (br#"{"a":"\x"}"#, Malformed),
        (br#"{"a":"\u12g4"}"#, Malformed),
        (b"{\"a\":\"tab\there\"}", Malformed),
        (b"{\"a\":\"\xff\"}", Malformed),
        (br#"{"a" 1}"#, Malformed),
        (br#"{1:1}"#, Malformed),
        (br#"{"a":[}"#, Malformed),
        (br#"{"a":{]}"#, Malformed),
        (&deep, Malformed),
        (b"[]", UnexpectedShape),
        (b"null", UnexpectedShape),
        (br#""str""#, UnexpectedShape),
        (br#"{}"#, UnexpectedShape),
        (br#"{"event_type":"message.received","timestamp":"t"}"#, UnexpectedShape),
        (br#"{"event_type":"message.received","timestamp":"t","data":null}"#, UnexpectedShape),
        (br#"{"event_type":"message.received","data":{}}"#, UnexpectedShape),
        (br#"{"event_type":7,"timestamp":"t","data":{}}"#, UnexpectedShape),
        (br#"{"event_type":"m","timestamp":"t","data":{"message":{"subject":"no id"}}}"#, UnexpectedShape),
        (br#"{"event_type":"m","timestamp":"t","data":{"message":{"id":"a"},"reaction":{"id":"b"}}}"#, UnexpectedShape),
        (br#"{"event_type":"m","event_type":"n","timestamp":"t","data":{}}"#, UnexpectedShape),
    ];
    for (body, err) in cases {
        assert_eq!(envelope::parse(body), Err(err), "{:?}", core::str::from_utf8(body));
    }
    for body in [
        br#"{"event_type":"m","timestamp":"t","data":{"message":{"id":"a\/b"}}}"#.as_slice(),
        br#"{"id":42}"#,
        br#"{"id":null}"#,
    ] {
        assert_eq!(envelope::parse(body), Err(UnexpectedShape));
    }
}

#[test]
fn envelope_depth_limit() {
    // `{"a":` + [[[…]]] : depth 1 + n.
    fn nested(buf: &mut [u8; 200], arrays: usize) -> &[u8] {
        let head = br#"{"id":"x","a":"#;
        buf[..head.len()].copy_from_slice(head);
        let mut n = head.len();
        buf[n..n + arrays].fill(b'[');
        n += arrays;
        buf[n..n + arrays].fill(b']');
        n += arrays;
        buf[n] = b'}';
        &buf[..=n]
    }
    let mut buf = [0u8; 200];
    assert!(envelope::parse(nested(&mut buf, envelope::MAX_DEPTH - 1)).is_ok());
    let mut buf = [0u8; 200];
    assert_eq!(envelope::parse(nested(&mut buf, envelope::MAX_DEPTH)), Err(EnvelopeError::Malformed));
}

#[test]
fn every_byte_value_in_a_signature_digit() {
    // Only 0-9 and a-f decode; every other byte (the neighbours of those
    // ranges, upper case, non-ASCII) is malformed, at any position.
    let hex = "dec3c63d4251e41ef33bd9de302e0e9a919da6e11bd720b95a5369060fde2b5d";
    let mut digest = [0u8; 32];
    assert_eq!(headers::decode_lower_hex_for_tests(hex.as_bytes(), &mut digest), Some(()));
    assert_eq!(digest[..4], [0xde, 0xc3, 0xc6, 0x3d]);
    for pos in 0..64 {
        for b in 0..=255u8 {
            let mut text = hex.as_bytes().to_vec();
            text[pos] = b;
            let mut out = [0u8; 32];
            let ok = headers::decode_lower_hex_for_tests(&text, &mut out).is_some();
            assert_eq!(ok, b.is_ascii_digit() || (b'a'..=b'f').contains(&b), "byte {b:#04x} at {pos}");
            if ok {
                let v = if b.is_ascii_digit() { b - b'0' } else { b - b'a' + 10 };
                let byte = out[pos / 2];
                assert_eq!(if pos % 2 == 0 { byte >> 4 } else { byte & 0x0f }, v);
            }
        }
    }
}

#[test]
fn a_signature_differing_in_any_single_bit_does_not_match() {
    let signed = sign(SECRET, RID, TS, BODY).unwrap();
    let good = signed.signature();
    let h = headers3(good, RID, "1771521013");
    assert!(check(&h, BODY, &[SECRET], TS, &strict()).is_ok());
    let mut raw = [0u8; 32];
    headers::decode_lower_hex_for_tests(&good.as_bytes()[7..], &mut raw).unwrap();
    for byte in 0..32 {
        for bit in 0..8 {
            let mut flipped = raw;
            flipped[byte] ^= 1 << bit;
            let mut text = *b"sha256=0000000000000000000000000000000000000000000000000000000000000000";
            for (i, b) in flipped.iter().enumerate() {
                text[7 + 2 * i] = b"0123456789abcdef"[usize::from(b >> 4)];
                text[8 + 2 * i] = b"0123456789abcdef"[usize::from(b & 0x0f)];
            }
            let sig = core::str::from_utf8(&text).unwrap();
            let h = headers3(sig, RID, "1771521013");
            assert_eq!(check(&h, BODY, &[SECRET], TS, &strict()), Err(WebhookError::SignatureMismatch));
        }
    }
}
