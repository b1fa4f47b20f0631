//! Webhook verification, signing and payload parsing.
//!
//! `cargo bench -p inkbox-core --bench webhook`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inkbox_core::webhook::{self, VerifyOptions, envelope};

const SECRET: &str = "whsec_O21oFjdhy94iHwv-Ij_2i8LA9CKoVh1MTvwCvzo0QRE";
const REQUEST_ID: &str = "a83420da-b184-445d-b88e-ce7279442848";
const TS: u64 = 1_771_521_013;

const MAIL: &[u8] = br#"{"event_type":"message.received","timestamp":"2026-04-10T18:13:42.201Z","data":{"message":{"id":"6c2f7c1e-0d7b-4f4e-9a36-3a1b2f7d9e10","mailbox_id":"2b8e4f0a-51c3-4d2e-8f7a-9c0d1e2f3a4b","thread_id":null,"message_id":"<CAF=abc@mail.example.com>","from_address":"Ada <ada@example.com>","to_addresses":["agent@inkbox.ai"],"cc_addresses":null,"bcc_addresses":null,"subject":"Quarterly numbers","snippet":"Hi there, the numbers for Q1 are attached.","direction":"inbound","status":"received","has_attachments":true,"created_at":"2026-04-10T18:13:41.900Z"},"contacts":[{"bucket":"from","address":"ada@example.com","id":"c1","name":"Ada"}],"agent_identities":[{"bucket":"to","address":"agent@inkbox.ai","id":"i1","agent_handle":"agent","display_name":null}]}}"#;

fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| b"{\"a\":1}"[i % 7]).collect()
}

fn bench_webhook(c: &mut Criterion) {
    let mut group = c.benchmark_group("webhook");
    let strict = VerifyOptions::strict();

    for (name, len) in [("verify_1KiB", 1024), ("verify_64KiB", 64 * 1024)] {
        let body = body(len);
        let signed = webhook::sign(SECRET, REQUEST_ID, TS, &body).unwrap();
        let headers = signed.headers();
        assert!(webhook::verify(&headers, &body, &[SECRET], TS + 5, &strict).is_ok());
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(name, |b| {
            b.iter(|| webhook::verify(black_box(&headers), black_box(&body), &[SECRET], black_box(TS + 5), &strict));
        });
    }

    // The header checks alone: a delivery refused as stale before any MAC.
    let body = body(1024);
    let signed = webhook::sign(SECRET, REQUEST_ID, TS, &body).unwrap();
    let headers = signed.headers();
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify_stale_checks_only", |b| {
        b.iter(|| webhook::verify(black_box(&headers), black_box(&body), &[SECRET], black_box(TS + 3600), &strict));
    });

    group.throughput(Throughput::Bytes(1024));
    group.bench_function("sign_1KiB", |b| {
        b.iter(|| webhook::sign(black_box(SECRET), REQUEST_ID, TS, black_box(&body)));
    });

    assert!(envelope::parse(MAIL).is_ok());
    group.throughput(Throughput::Bytes(MAIL.len() as u64));
    group.bench_function("envelope_parse", |b| {
        b.iter(|| envelope::parse(black_box(MAIL)));
    });

    group.finish();
}

criterion_group!(benches, bench_webhook);
criterion_main!(benches);
