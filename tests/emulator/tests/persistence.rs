//! `--data` persistence: a kill -9 during a burst of sends loses nothing
//! acknowledged and duplicates nothing; idempotency keys replay after the
//! restart; a format-1 state file (one JSON snapshot row) is migrated; an
//! unknown format is refused with a clear message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Emulator, TempDir};
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest};
use inkbox_core::api::mail::{self, ListMessagesParams, Message};

const BURST: usize = 1000;
const WORKERS: usize = 8;
/// The kill comes once this many sends were acknowledged.
const KILL_AFTER: usize = 300;

fn create(emu: &Emulator, handle: &str) -> String {
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new(handle)).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    ids::parse_create(&r.as_response()).unwrap().email_address.unwrap()
}

fn send_path(address: &str) -> String {
    format!("/api/v1/mail/mailboxes/{address}/messages")
}

fn body(i: usize) -> String {
    serde_json::json!({ "recipients": { "to": ["out@example.com"] }, "subject": format!("burst {i}"), "body_text": "b" })
        .to_string()
}

/// `Ok((message id, replayed))`, or `Err` on a transport error.
fn send_keyed(emu: &Emulator, from: &str, i: usize) -> Result<(String, bool), String> {
    let key = format!("burst-key-{i}");
    let headers = [
        ("X-API-Key", emu.admin_key.as_str()),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", key.as_str()),
    ];
    let r = emu.try_raw_headers("POST", &send_path(from), &headers, Some(&body(i))).map_err(|e| e.to_string())?;
    assert!((200..300).contains(&r.status), "send {i}: {} {:?}", r.status, r.json());
    let replayed = r.header("idempotent-replayed") == Some("true");
    Ok((r.json()["id"].as_str().unwrap().to_owned(), replayed))
}

fn all_messages(emu: &Emulator, mailbox: &str) -> Vec<Message> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let params = ListMessagesParams { limit: 100, cursor: cursor.take(), direction: None };
        let r = emu.send(&mail::build_list_messages(mailbox, &params).unwrap(), &emu.admin_key);
        assert_eq!(r.status, 200, "{:?}", r.json());
        let page = mail::parse_list_messages(&r.as_response()).unwrap();
        out.extend(page.items);
        match page.next_cursor {
            Some(c) if page.has_more => cursor = Some(c),
            _ => return out,
        }
    }
}

#[test]
fn a_kill_during_a_burst_of_1000_sends_keeps_every_acknowledged_send_exactly_once() {
    let dir = TempDir::new("burst-kill");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let from = create(&emu, "burst-a");
    let acked: Mutex<HashMap<usize, String>> = Mutex::new(HashMap::new());
    let count = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for w in 0..WORKERS {
            let (emu, from, acked, count) = (&emu, &from, &acked, &count);
            scope.spawn(move || {
                for i in (w..BURST).step_by(WORKERS) {
                    match send_keyed(emu, from, i) {
                        Ok((id, _)) => {
                            acked.lock().unwrap().insert(i, id);
                            count.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(_) => return, // killed with this send in flight
                    }
                }
            });
        }
        while count.load(Ordering::SeqCst) < KILL_AFTER {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        emu.kill_now();
    });
    drop(emu);
    let acked = acked.into_inner().unwrap();
    assert!(acked.len() >= KILL_AFTER && acked.len() < BURST, "killed mid-burst: {} acknowledged", acked.len());

    // Every acknowledged send is there once; nothing is there twice.
    let emu = Emulator::start_with_data(&db);
    let stored = all_messages(&emu, &from);
    let ids: HashSet<&str> = stored.iter().map(|m| m.id.as_str()).collect();
    let subjects: HashSet<&str> = stored.iter().filter_map(|m| m.subject.as_deref()).collect();
    assert_eq!((ids.len(), subjects.len()), (stored.len(), stored.len()), "no duplicates");
    for (i, id) in &acked {
        assert!(ids.contains(id.as_str()), "acknowledged send {i} ({id}) lost");
    }
    assert!(stored.len() <= acked.len() + WORKERS, "at most one unacknowledged send per worker was in flight");

    // Retrying every send with its key: acknowledged ones replay, the rest
    // run (or replay, if they were committed unacknowledged) — once each.
    for i in 0..BURST {
        let (id, replayed) = send_keyed(&emu, &from, i).unwrap();
        if let Some(first) = acked.get(&i) {
            assert_eq!((&id, replayed), (first, true), "send {i} replays after the restart");
        }
    }
    let stored = all_messages(&emu, &from);
    let subjects: HashSet<String> = stored.iter().filter_map(|m| m.subject.clone()).collect();
    assert_eq!((stored.len(), subjects.len()), (BURST, BURST), "each send exactly once");
}

/// A format-1 file: the whole state as one JSON row (what the emulator
/// wrote before per-record persistence). The fixture was written by that
/// emulator: one identity `legacy-bot`, one mail sent to it by itself
/// with an `Idempotency-Key: legacy-key`.
const FORMAT1_STATE: &str = include_str!("fixtures/format1-state.json");
/// The body of that keyed send (the fingerprint covers its bytes).
const LEGACY_BODY: &str =
    r#"{"recipients":{"to":["legacy-bot@inkboxmail.com"]},"subject":"legacy","body_text":"kept"}"#;

fn write_format1(path: &std::path::Path, version: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,
         saved_at_ms INTEGER NOT NULL, state TEXT NOT NULL);",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO snapshot (id, version, saved_at_ms, state) VALUES (1, ?1, 0, ?2)",
        rusqlite::params![version, FORMAT1_STATE],
    )
    .unwrap();
}

#[test]
fn a_format_1_state_file_is_migrated() {
    let dir = TempDir::new("migrate");
    let db = dir.0.join("state.sqlite");
    write_format1(&db, 1);
    let old: serde_json::Value = serde_json::from_str(FORMAT1_STATE).unwrap();
    let emu = Emulator::start_with_data(&db);
    assert_eq!(emu.org_id, old["orgs"][0]["id"].as_str().unwrap());
    assert_eq!(emu.admin_key, old["api_keys"][0]["secret"].as_str().unwrap());
    let address = old["mailboxes"][0]["mailbox"]["email_address"].as_str().unwrap().to_owned();
    let got = all_messages(&emu, &address);
    let want: Vec<&str> =
        old["messages"].as_array().unwrap().iter().map(|m| m["detail"]["id"].as_str().unwrap()).collect();
    let mut got_ids: Vec<&str> = got.iter().map(|m| m.id.as_str()).collect();
    let mut want_sorted = want.clone();
    got_ids.sort_unstable();
    want_sorted.sort_unstable();
    assert_eq!(got_ids, want_sorted);
    // The remembered idempotency key replays (within its 24 h of emulated
    // time: the clock is set back to just after the fixture was written).
    let at_ms = old["idempotency"][0]["at_ms"].as_i64().unwrap();
    let set = format!(r#"{{"set": {}}}"#, at_ms / 1000 + 60);
    assert_eq!(emu.raw("POST", "/_emulator/clock", Some(&emu.admin_key), Some(&set)).status, 200);
    let headers = [
        ("X-API-Key", emu.admin_key.as_str()),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "legacy-key"),
    ];
    let r = emu.raw_headers("POST", &send_path(&address), &headers, Some(LEGACY_BODY));
    assert!((200..300).contains(&r.status), "{} {:?}", r.status, r.json());
    assert_eq!(r.header("idempotent-replayed"), Some("true"));
    assert!(want.contains(&r.json()["id"].as_str().unwrap()), "replays the stored answer");
    // A change after the migration survives a restart, and the old table is gone.
    create(&emu, "after-migration");
    assert!(emu.terminate().success());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let snapshot: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'snapshot'", [], |r| r.get(0)).unwrap();
    assert_eq!(snapshot, 0, "the format-1 table is dropped");
    drop(conn);
    let emu = Emulator::start_with_data(&db);
    let r = emu.send(&ids::build_get("after-migration").unwrap(), &emu.admin_key);
    assert_eq!(r.status, 200);
    assert_eq!(all_messages(&emu, &address).len(), want.len());
}

/// Starts the binary on `db`; it must exit with 2 and `needle` on stderr.
fn refused(db: &std::path::Path, needle: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_inkbox-emulator"))
        .args(["--port", "0", "--data", db.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .expect("run emulator");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stdout {:?} stderr {stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains(needle), "{stderr}");
}

#[test]
fn unknown_formats_are_refused_with_a_clear_message() {
    let dir = TempDir::new("refuse");
    let v2 = dir.0.join("snapshot-v2.sqlite");
    write_format1(&v2, 2);
    refused(&v2, "format-1 snapshot version 2 is not 1; refusing to migrate it");
    // The refused file is left as it was.
    let conn = rusqlite::Connection::open(&v2).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM snapshot", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    drop(conn);

    let future = dir.0.join("format3.sqlite");
    let emu = Emulator::start_with_data(&future);
    assert!(emu.terminate().success());
    let conn = rusqlite::Connection::open(&future).unwrap();
    conn.execute("UPDATE emulator_meta SET v = '3' WHERE k = 'format'", []).unwrap();
    drop(conn);
    refused(&future, "is in state format 3; this emulator reads format 2");
}

#[test]
fn attachment_contents_are_stored_once_outside_the_message_records() {
    let dir = TempDir::new("blobs");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let from = create(&emu, "blob-sender");
    let to_a = create(&emu, "blob-a");
    let to_b = create(&emu, "blob-b");
    // A marker no other record holds: only the blob row may contain it.
    let content = "SU5LQk9YLUJMT0ItTUFSS0VSLTEyMzQ1Njc4OQ==";
    let send = serde_json::json!({
        "recipients": { "to": [to_a, to_b] }, "subject": "with a file", "body_text": "see attached",
        "attachments": [{ "filename": "r.txt", "content_type": "text/plain", "content_base64": content }],
    })
    .to_string();
    let headers = [("X-API-Key", emu.admin_key.as_str()), ("Content-Type", "application/json")];
    let r = emu.raw_headers("POST", &send_path(&from), &headers, Some(&send));
    assert_eq!(r.status, 200, "{:?}", r.json());
    // A flag change on one copy rewrites that message record only.
    let got = all_messages(&emu, &to_a);
    let id = &got[0].id;
    let patch = r#"{"is_read": true}"#;
    let path = format!("/api/v1/mail/mailboxes/{to_a}/messages/{id}");
    assert_eq!(emu.raw_headers("PATCH", &path, &headers, Some(patch)).status, 200);
    assert!(emu.terminate().success());

    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [content], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM records WHERE family = 'mail_blobs' AND instr(data, ?1) > 0"), 1);
    assert_eq!(count("SELECT count(*) FROM records WHERE family <> 'mail_blobs' AND instr(data, ?1) > 0"), 0);
    drop(conn);

    // After a restart the attachment still downloads from either copy.
    let emu = Emulator::start_with_data(&db);
    for mailbox in [&to_a, &to_b] {
        let msg = &all_messages(&emu, mailbox)[0];
        let url = format!("/api/v1/mail/mailboxes/{mailbox}/messages/{}/attachments/r.txt?redirect=false", msg.id);
        let r = emu.raw("GET", &url, Some(&emu.admin_key), None);
        assert_eq!(r.status, 200, "{:?}", r.json());
        let link = r.json()["url"].as_str().unwrap().to_owned();
        let path = link
            .split_once("127.0.0.1")
            .map(|(_, rest)| rest.split_once('/').map(|(_, p)| format!("/{p}")).unwrap())
            .unwrap();
        let file = emu.raw("GET", &path, None, None);
        assert_eq!(file.status, 200);
        assert_eq!(file.body, b"INKBOX-BLOB-MARKER-123456789".to_vec());
    }
}
