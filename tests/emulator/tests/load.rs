//! A bounded load test on loopback: many concurrent clients mail each other
//! through the emulator; afterwards every mailbox holds exactly what was
//! sent to it — nothing lost, nothing duplicated. Prints requests/s and
//! latency percentiles (`cargo test -p inkbox-emulator --test load -- --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::print_stderr)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Emulator;
use inkbox_client::Inkbox;
use inkbox_core::api::identities::CreateIdentityRequest;
use inkbox_core::api::mail::{MessageDirection, Recipients, SendEmailRequest};

const AGENTS: usize = 16;
const SENDS_PER_AGENT: usize = 50;

#[test]
fn concurrent_agents_mailing_each_other_lose_and_duplicate_nothing() {
    let emu = Emulator::start();
    let admin = Inkbox::builder(&emu.admin_key).base_url(&emu.url).unwrap().build().unwrap();
    let addresses: Vec<String> = (0..AGENTS)
        .map(|i| {
            let id = admin.create_identity(&CreateIdentityRequest::new(format!("load-{i}"))).unwrap();
            id.email_address().unwrap().to_owned()
        })
        .collect();
    let addresses = Arc::new(addresses);

    let started = Instant::now();
    let workers: Vec<_> = (0..AGENTS)
        .map(|i| {
            let addresses = Arc::clone(&addresses);
            let (url, key) = (emu.url.clone(), emu.admin_key.clone());
            std::thread::spawn(move || {
                let client = Inkbox::builder(&key).base_url(&url).unwrap().build().unwrap();
                let me = client.get_identity(&format!("load-{i}")).unwrap();
                let mut latencies = Vec::with_capacity(SENDS_PER_AGENT * 2);
                let mut sent_to: Vec<(usize, String)> = Vec::new();
                for n in 0..SENDS_PER_AGENT {
                    // A fixed pseudo-random peer other than me.
                    let peer = (i + 1 + (n * 7 + i * 3) % (AGENTS - 1)) % AGENTS;
                    let subject = format!("from {i} #{n}");
                    let input = SendEmailRequest {
                        recipients: Recipients { to: vec![addresses[peer].clone()], ..Default::default() },
                        subject: subject.clone(),
                        body_text: Some("load".into()),
                        ..Default::default()
                    };
                    let t = Instant::now();
                    me.send_email(&input).unwrap();
                    latencies.push(t.elapsed());
                    sent_to.push((peer, subject));
                    // Interleave reads with writes.
                    let t = Instant::now();
                    admin_read(&client, &addresses[i]);
                    latencies.push(t.elapsed());
                }
                (latencies, sent_to)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut expected: HashMap<usize, Vec<String>> = HashMap::new();
    for w in workers {
        let (l, sent) = w.join().expect("worker panicked");
        latencies.extend(l);
        for (peer, subject) in sent {
            expected.entry(peer).or_default().push(subject);
        }
    }
    let elapsed = started.elapsed();

    // Every recipient holds exactly the subjects sent to it, once each.
    for (peer, subjects) in &expected {
        let me = admin.get_identity(&format!("load-{peer}")).unwrap();
        let got: Vec<String> = me
            .iter_emails(Some(MessageDirection::Inbound))
            .unwrap()
            .map(|m| m.unwrap().subject.unwrap_or_default())
            .collect();
        let unique: HashSet<&String> = got.iter().collect();
        assert_eq!(unique.len(), got.len(), "duplicates in load-{peer}");
        let mut want = subjects.clone();
        let mut have = got.clone();
        want.sort();
        have.sort();
        assert_eq!(have, want, "mailbox load-{peer}");
    }

    latencies.sort();
    let total = latencies.len();
    let pct = |p: f64| latencies[((total as f64 * p).ceil() as usize).saturating_sub(1).min(total - 1)];
    eprintln!(
        "load: {AGENTS} clients, {total} requests in {:.2} s = {:.0} req/s; p50 {:?}, p99 {:?}, max {:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies[total - 1],
    );
    assert!(pct(0.99) < Duration::from_secs(10), "p99 latency out of bounds");
}

fn admin_read(client: &Inkbox, address: &str) {
    let page = client
        .messages()
        .list_page(address, &inkbox_core::api::mail::ListMessagesParams { limit: 10, ..Default::default() })
        .unwrap();
    assert!(page.items.len() <= 10);
}
