//! Webhook verification and payload parsing on arbitrary input: must never
//! panic, and what `sign` produces must verify.
//!
//! Input layout: 8 bytes of `now` (little-endian), then NUL-separated fields:
//! `secret`, `body`, then header name/value pairs (arbitrary bytes).
#![no_main]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use inkbox_core::webhook::{self, Verifier, VerifyOptions, envelope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (now, rest) = match data.split_first_chunk::<8>() {
        Some((now, rest)) => (u64::from_le_bytes(*now), rest),
        None => (1_771_521_013, data),
    };
    let mut fields = rest.split(|&b| b == 0);
    let secret = fields.next().unwrap_or_default();
    let body = fields.next().unwrap_or_default();
    let mut headers: Vec<(&[u8], &[u8])> = Vec::new();
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        headers.push((name, value));
    }

    let secrets = [secret, b"whsec_second".as_slice()];
    for options in [
        VerifyOptions::strict(),
        VerifyOptions::strict().without_freshness(),
        VerifyOptions::compat(),
        VerifyOptions::compat().with_tolerance(0),
    ] {
        let one_shot = webhook::verify(&headers, body, &secrets, now, &options);
        let mut streamed = Verifier::<'_, 2>::new(&headers, &secrets, now, &options);
        if let Ok(v) = streamed.as_mut() {
            for chunk in body.chunks(13) {
                v.update(chunk);
            }
        }
        let streamed = streamed.and_then(Verifier::finish);
        assert_eq!(one_shot, streamed);
        let mut buf = [0u8; 5];
        let read = webhook::verify_reader(body, &mut buf, &headers, &secrets, now, &options);
        assert_eq!(one_shot.is_ok(), read.is_ok());
    }

    let _ = envelope::parse(body);

    // Round trip: whatever `sign` accepts, strict verification accepts.
    let request_id = headers.first().and_then(|(_, v)| std::str::from_utf8(v).ok()).unwrap_or("req");
    if let Ok(signed) = webhook::sign(secret, request_id, now, body) {
        let h = signed.headers();
        let verified = webhook::verify(&h, body, &[secret], now, &VerifyOptions::strict());
        assert_eq!(verified.map(|v| v.request_id), Ok(request_id));
    }
});
