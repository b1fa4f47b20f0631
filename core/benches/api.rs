//! Parsing API responses into models.
//!
//! `api/parse_100_message_page`: one cursor page of 100 realistic mail
//! messages (about 60 KiB of JSON) into `CursorPage<Message>`, the work behind
//! one `iter_emails()` page. The official Python SDK takes ~1.5 ms for this
//! on the project's machines; the Python binding is asked for ≤ 1/3 of that.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inkbox_core::api::{Response, mail};

/// A page like the server sends: 100 messages, newest first.
pub fn message_page_json(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"{i:08x}-1f2e-4d3c-8b4a-5968778695a4","mailbox_id":"0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f","thread_id":"{i:08x}-aaaa-4bbb-8ccc-dddddddddddd","message_id":"<{i}.CAKx9f@mail.example.com>","from_address":"customer{i}@example.com","to_addresses":["support-bot@inkboxmail.com"],"cc_addresses":["manager@example.com","archive@example.com"],"subject":"Re: Order #{i} — tracking update","snippet":"Hi team, thanks for the quick reply. The package for order {i} still shows as in transit; could you check with the carrier and let me know when…","direction":"inbound","status":"received","is_read":{},"is_starred":false,"has_attachments":{},"created_at":"2026-04-10T18:13:{:02}.201Z"}}"#,
                i % 3 == 0,
                i % 7 == 0,
                i % 60
            )
        })
        .collect();
    format!(r#"{{"items":[{}],"next_cursor":"eyJvZmZzZXQiOjEwMH0","has_more":true}}"#, items.join(","))
}

fn bench(c: &mut Criterion) {
    let body = message_page_json(100);
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let mut group = c.benchmark_group("api");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("parse_100_message_page", |b| {
        b.iter(|| {
            let resp = Response::new(200, &headers, black_box(body.as_bytes()));
            let page = mail::parse_list_messages(&resp).unwrap();
            assert_eq!(page.items.len(), 100);
            page
        })
    });
    // What the Python binding parses a page with (strings borrowed from the body).
    group.bench_function("parse_100_message_page_ref", |b| {
        b.iter(|| {
            let resp = Response::new(200, &headers, black_box(body.as_bytes()));
            let page = mail::parse_list_messages_ref(&resp).unwrap();
            assert_eq!(page.items.len(), 100);
            page.items.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
