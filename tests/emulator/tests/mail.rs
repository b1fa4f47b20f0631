//! Mail over real HTTP: sending, local delivery, outbox, threading, paging,
//! flags, deletes, search, attachments, scoping and domains.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::HashSet;

use common::{Emulator, TempDir};
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::mail::{
    self, ListMessagesParams, ListThreadsParams, Message, MessageDirection, MessageStatus, OutgoingAttachment,
    Recipients, SendEmailRequest, ThreadFolder, UpdateMessageFlagsRequest,
};

fn create(emu: &Emulator, handle: &str) -> ids::AgentIdentity {
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new(handle)).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201, "{:?}", r.json());
    ids::parse_create(&r.as_response()).unwrap()
}

fn email(i: &ids::AgentIdentity) -> String {
    i.email_address.clone().unwrap()
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone()
}

fn req(to: &[&str], subject: &str, body: &str) -> SendEmailRequest {
    SendEmailRequest {
        recipients: Recipients { to: to.iter().map(|s| (*s).to_owned()).collect(), ..Default::default() },
        subject: subject.into(),
        body_text: Some(body.into()),
        ..Default::default()
    }
}

fn send(emu: &Emulator, from: &str, input: &SendEmailRequest) -> Message {
    let r = emu.send(&mail::build_send_message(from, input).unwrap(), &emu.admin_key);
    assert!((200..300).contains(&r.status), "{} {:?}", r.status, r.json());
    mail::parse_send_message(&r.as_response()).unwrap()
}

fn list(emu: &Emulator, mailbox: &str, key: &str) -> Vec<Message> {
    let params = ListMessagesParams { limit: 100, ..Default::default() };
    let r = emu.send(&mail::build_list_messages(mailbox, &params).unwrap(), key);
    assert_eq!(r.status, 200, "{:?}", r.json());
    mail::parse_list_messages(&r.as_response()).unwrap().items
}

#[test]
fn send_delivers_locally_and_to_the_outbox() {
    let emu = Emulator::start();
    let (a, b) = (create(&emu, "mail-a"), create(&emu, "mail-b"));
    let (ea, eb) = (email(&a), email(&b));
    let long = "x".repeat(300);
    let mut input = req(&[&eb, "Someone@Example.com"], "Hello", &long);
    input.recipients.cc = vec!["cc@example.org".into()];
    input.recipients.bcc = vec!["hidden@example.net".into()];
    input.body_html = Some("<p>hi</p>".into());
    let sent = send(&emu, &ea, &input);
    assert_eq!(sent.direction, MessageDirection::Outbound);
    assert_eq!(sent.status, MessageStatus::Sent);
    assert_eq!(sent.from_address, ea);
    assert_eq!(sent.snippet.as_deref().map(str::len), Some(200));
    let rfc = sent.message_id.clone().unwrap();
    assert!(rfc.starts_with('<') && rfc.ends_with("@inkboxmail.com>"), "{rfc}");

    let a_msgs = list(&emu, &ea, &emu.admin_key);
    assert_eq!(a_msgs, vec![sent.clone()]);
    let b_msgs = list(&emu, &eb, &emu.admin_key);
    assert_eq!(b_msgs.len(), 1);
    let got = &b_msgs[0];
    assert_eq!(got.direction, MessageDirection::Inbound);
    assert_eq!(got.status, MessageStatus::Received);
    assert!(!got.is_read);
    assert_eq!(got.message_id.as_deref(), Some(rfc.as_str()));
    assert_ne!(got.id, sent.id);
    assert_eq!(got.mailbox_id, b.mailbox.as_ref().unwrap().id);

    // The recipient's detail has bodies but no Bcc; the sender's keeps it.
    let r = emu.send(&mail::build_get_message(&eb, &got.id).unwrap(), &emu.admin_key);
    let d = mail::parse_get_message(&r.as_response()).unwrap();
    assert_eq!(d.body_html.as_deref(), Some("<p>hi</p>"));
    assert_eq!(d.body_text.as_deref(), Some(long.as_str()));
    assert_eq!(d.bcc_addresses, None);
    let r = emu.send(&mail::build_get_message(&ea, &sent.id).unwrap(), &emu.admin_key);
    let d = mail::parse_get_message(&r.as_response()).unwrap();
    assert_eq!(d.bcc_addresses, Some(vec!["hidden@example.net".to_owned()]));

    let outbox = emu.raw("GET", "/_emulator/outbox", Some(&emu.admin_key), None).json();
    let outbox = outbox.as_array().unwrap();
    assert_eq!(outbox.len(), 1);
    let o = &outbox[0];
    assert_eq!(o["id"], sent.id.as_str());
    assert_eq!(o["from"], ea.as_str());
    assert_eq!(o["to"], serde_json::json!([eb, "Someone@Example.com"]));
    assert_eq!(o["cc"], serde_json::json!(["cc@example.org"]));
    assert_eq!(o["bcc"], serde_json::json!(["hidden@example.net"]));
    assert_eq!(o["subject"], "Hello");
    assert_eq!(o["body_html"], "<p>hi</p>");
    assert!(o["created_at"].is_string());

    // Purely local mail does not reach the outbox; validation errors are 422.
    send(&emu, &eb, &req(&[&ea], "local", "only"));
    let outbox = emu.raw("GET", "/_emulator/outbox", Some(&emu.admin_key), None).json();
    assert_eq!(outbox.as_array().unwrap().len(), 1);
    let path = format!("/api/v1/mail/mailboxes/{ea}/messages");
    let r = emu.raw("POST", &path, Some(&emu.admin_key), Some(r#"{"recipients":{"to":[]},"subject":"x"}"#));
    assert_eq!(r.status, 422);
}

#[test]
fn replies_join_threads_by_uuid_and_message_id() {
    let emu = Emulator::start();
    let (a, b) = (create(&emu, "thr-a"), create(&emu, "thr-b"));
    let (ea, eb) = (email(&a), email(&b));
    let first = send(&emu, &ea, &req(&[&eb], "Topic", "first"));
    let b_copy = list(&emu, &eb, &emu.admin_key).remove(0);

    // b answers with the Inkbox UUID of its own copy.
    let mut reply = req(&[&ea], "Re: Topic", "second");
    reply.in_reply_to_message_id = Some(b_copy.id.clone());
    let second = send(&emu, &eb, &reply);
    assert_eq!(second.thread_id, b_copy.thread_id);
    let r = emu.send(&mail::build_get_message(&eb, &second.id).unwrap(), &emu.admin_key);
    let d = mail::parse_get_message(&r.as_response()).unwrap();
    assert_eq!(d.in_reply_to, first.message_id);
    assert_eq!(d.references, Some(vec![first.message_id.clone().unwrap()]));

    // a answers with the RFC 5322 Message-ID of b's reply.
    let mut again = req(&[&eb], "Re: Topic", "third");
    again.in_reply_to_message_id = second.message_id.clone();
    let third = send(&emu, &ea, &again);
    assert_eq!(third.thread_id, first.thread_id);

    for (mailbox, thread_id) in [(&ea, first.thread_id.clone().unwrap()), (&eb, b_copy.thread_id.clone().unwrap())] {
        let r = emu.send(&mail::build_get_thread(mailbox, &thread_id).unwrap(), &emu.admin_key);
        let t = mail::parse_get_thread(&r.as_response()).unwrap();
        assert_eq!(t.message_count, 3);
        let bodies: Vec<_> = t.messages.unwrap().iter().map(|m| m.snippet.clone().unwrap()).collect();
        assert_eq!(bodies, ["first", "second", "third"], "oldest first");
        let r = emu.send(&mail::build_list_threads(mailbox, &ListThreadsParams::default()).unwrap(), &emu.admin_key);
        let page = mail::parse_list_threads(&r.as_response()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(page.items[0].messages.is_none());
    }

    // An unrelated message starts a new thread.
    let other = send(&emu, &ea, &req(&[&eb], "Other", "new"));
    assert_ne!(other.thread_id, first.thread_id);
    let inbox = ListThreadsParams { folder: Some(ThreadFolder::Inbox), ..Default::default() };
    let r = emu.send(&mail::build_list_threads(&ea, &inbox).unwrap(), &emu.admin_key);
    let page = mail::parse_list_threads(&r.as_response()).unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].id, other.thread_id.clone().unwrap(), "most recent activity first");
    let spam = ListThreadsParams { folder: Some(ThreadFolder::Spam), ..Default::default() };
    let r = emu.send(&mail::build_list_threads(&ea, &spam).unwrap(), &emu.admin_key);
    assert!(mail::parse_list_threads(&r.as_response()).unwrap().items.is_empty());

    // Thread delete removes the thread and its messages.
    let tid = first.thread_id.clone().unwrap();
    let r = emu.send(&mail::build_delete_thread(&ea, &tid).unwrap(), &emu.admin_key);
    mail::parse_delete_thread(&r.as_response()).unwrap();
    let r = emu.send(&mail::build_get_thread(&ea, &tid).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 404);
    assert_eq!(list(&emu, &ea, &emu.admin_key).len(), 1);
    assert_eq!(list(&emu, &eb, &emu.admin_key).len(), 4, "the other mailbox keeps its copies");
}

#[test]
fn cursor_paging_has_no_loss_or_duplicates() {
    let emu = Emulator::start();
    let (a, b) = (create(&emu, "page-a"), create(&emu, "page-b"));
    let (ea, eb) = (email(&a), email(&b));
    for n in 0..23 {
        send(&emu, &ea, &req(&[&eb], &format!("n{n}"), "body"));
    }
    let mut seen = Vec::new();
    let mut params = ListMessagesParams { limit: 10, ..Default::default() };
    let mut pages = 0;
    loop {
        let r = emu.send(&mail::build_list_messages(&eb, &params).unwrap(), &emu.admin_key);
        let page = mail::parse_list_messages(&r.as_response()).unwrap();
        pages += 1;
        seen.extend(page.items.into_iter().map(|m| m.subject.unwrap()));
        if !page.has_more {
            assert!(page.next_cursor.is_none());
            break;
        }
        params.cursor = page.next_cursor;
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..23).rev().map(|n| format!("n{n}")).collect();
    assert_eq!(seen, expected, "newest first, each once");

    // Direction filter, bad limit, bad cursor.
    let out = ListMessagesParams { direction: Some(MessageDirection::Outbound), ..Default::default() };
    let r = emu.send(&mail::build_list_messages(&eb, &out).unwrap(), &emu.admin_key);
    assert!(mail::parse_list_messages(&r.as_response()).unwrap().items.is_empty());
    let r = emu.send(&mail::build_list_messages(&ea, &out).unwrap(), &emu.admin_key);
    assert_eq!(mail::parse_list_messages(&r.as_response()).unwrap().items.len(), 23);
    let base = format!("/api/v1/mail/mailboxes/{eb}/messages");
    assert_eq!(emu.raw("GET", &format!("{base}?limit=0"), Some(&emu.admin_key), None).status, 422);
    assert_eq!(emu.raw("GET", &format!("{base}?limit=101"), Some(&emu.admin_key), None).status, 422);
    assert_eq!(emu.raw("GET", &format!("{base}?cursor=zz"), Some(&emu.admin_key), None).status, 422);

    // Threads page the same way.
    let mut ids = HashSet::new();
    let mut params = ListThreadsParams { limit: 7, ..Default::default() };
    loop {
        let r = emu.send(&mail::build_list_threads(&eb, &params).unwrap(), &emu.admin_key);
        let page = mail::parse_list_threads(&r.as_response()).unwrap();
        for t in page.items {
            assert!(ids.insert(t.id));
        }
        if !page.has_more {
            break;
        }
        params.cursor = page.next_cursor;
    }
    assert_eq!(ids.len(), 23);
}

#[test]
fn flags_delete_and_search() {
    let emu = Emulator::start();
    let (a, b) = (create(&emu, "flag-a"), create(&emu, "flag-b"));
    let (ea, eb) = (email(&a), email(&b));
    send(&emu, &ea, &req(&[&eb], "Quarterly REPORT", "numbers inside"));
    send(&emu, &ea, &req(&[&eb], "Lunch", "see the Report attached"));
    send(&emu, &ea, &req(&[&eb], "Other", "nothing"));
    let msgs = list(&emu, &eb, &emu.admin_key);
    let m = &msgs[2];

    let upd = |input: &UpdateMessageFlagsRequest| {
        let r = emu.send(&mail::build_update_message_flags(&eb, &m.id, input).unwrap(), &emu.admin_key);
        mail::parse_update_message_flags(&r.as_response()).unwrap()
    };
    let read = upd(&UpdateMessageFlagsRequest::mark_read());
    assert!(read.is_read && !read.is_starred);
    let starred = upd(&UpdateMessageFlagsRequest::star());
    assert!(starred.is_read && starred.is_starred);
    let unread = upd(&UpdateMessageFlagsRequest::mark_unread());
    assert!(!unread.is_read && unread.is_starred);
    let r = emu.send(&mail::build_get_message(&eb, &m.id).unwrap(), &emu.admin_key);
    assert!(mail::parse_get_message(&r.as_response()).unwrap().message.is_starred);

    // Search: case-insensitive over subject, body, sender.
    let search = |q: &str| {
        let r = emu.send(&mail::build_search_mailbox(&eb, q, None).unwrap(), &emu.admin_key);
        assert_eq!(r.status, 200, "{:?}", r.json());
        let page = mail::parse_search_mailbox(&r.as_response()).unwrap();
        assert!(!page.has_more);
        page.items.into_iter().map(|m| m.subject.unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(search("report"), ["Lunch", "Quarterly REPORT"]);
    assert_eq!(search("flag-a@").len(), 3);
    assert!(search("absent").is_empty());
    let r = emu.send(&mail::build_search_mailbox(&eb, "o", Some(1)).unwrap(), &emu.admin_key);
    assert_eq!(mail::parse_search_mailbox(&r.as_response()).unwrap().items.len(), 1);
    let path = format!("/api/v1/mail/mailboxes/{eb}/search");
    assert_eq!(emu.raw("GET", &path, Some(&emu.admin_key), None).status, 422);

    // Delete: gone from get and list.
    let r = emu.send(&mail::build_delete_message(&eb, &m.id).unwrap(), &emu.admin_key);
    mail::parse_delete_message(&r.as_response()).unwrap();
    let r = emu.send(&mail::build_get_message(&eb, &m.id).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 404);
    assert!(list(&emu, &eb, &emu.admin_key).iter().all(|x| x.id != m.id));
    let r = emu.send(&mail::build_delete_message(&eb, &m.id).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 404);
}

#[test]
fn attachments_have_download_urls() {
    let emu = Emulator::start();
    let (a, b) = (create(&emu, "att-a"), create(&emu, "att-b"));
    let (ea, eb) = (email(&a), email(&b));
    let mut input = req(&[&eb], "Files", "see attached");
    input.attachments = Some(vec![OutgoingAttachment {
        filename: "hello.txt".into(),
        content_type: "text/plain".into(),
        content_base64: "aGVsbG8gd29ybGQ=".into(),
    }]);
    let sent = send(&emu, &ea, &input);
    assert!(sent.has_attachments);
    let got = list(&emu, &eb, &emu.admin_key).remove(0);
    assert!(got.has_attachments);
    let r = emu.send(&mail::build_get_message(&eb, &got.id).unwrap(), &emu.admin_key);
    let d = mail::parse_get_message(&r.as_response()).unwrap();
    let meta = d.attachment_metadata.unwrap();
    assert_eq!(meta.len(), 1);
    assert_eq!(meta[0]["filename"], "hello.txt");
    assert_eq!(meta[0]["content_type"], "text/plain");
    assert_eq!(meta[0]["size"], 11);

    let r = emu.send(&mail::build_get_attachment_url(&eb, &got.id, "hello.txt", false).unwrap(), &emu.admin_key);
    let u = mail::parse_get_attachment_url(&r.as_response()).unwrap();
    assert_eq!(u.filename.as_deref(), Some("hello.txt"));
    assert_eq!(u.expires_in, Some(3600));
    let path = u.url.strip_prefix(&emu.url).expect("url points at the emulator").to_owned();
    let file = emu.raw("GET", &path, None, None);
    assert_eq!(file.status, 200);
    assert_eq!(file.body, b"hello world");
    assert_eq!(file.header("content-type"), Some("text/plain"));

    let r = emu.send(&mail::build_get_attachment_url(&ea, &sent.id, "hello.txt", true).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 302);
    // The official SDK does not follow the redirect: it reads the URL from the 302's JSON body.
    assert_eq!(r.json()["url"].as_str(), r.header("location"));
    let u = mail::parse_get_attachment_url(&r.as_response()).unwrap();
    let file = emu.raw("GET", u.url.strip_prefix(&emu.url).unwrap(), None, None);
    assert_eq!(file.body, b"hello world");

    let r = emu.send(&mail::build_get_attachment_url(&eb, &got.id, "nope.txt", false).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 404);
    assert_eq!(emu.raw("GET", "/_emulator/files/abcd", None, None).status, 404);
}

#[test]
fn identity_keys_only_see_their_own_mailbox() {
    let emu = Emulator::start();
    let (a, b) = (create(&emu, "iso-a"), create(&emu, "iso-b"));
    let (ea, eb) = (email(&a), email(&b));
    let (ka, kb) = (scoped_key(&emu, &a.id), scoped_key(&emu, &b.id));
    let r = emu.send(&mail::build_send_message(&ea, &req(&[&eb], "From a", "hi")).unwrap(), &ka);
    assert!((200..300).contains(&r.status), "{:?}", r.json());
    let sent = mail::parse_send_message(&r.as_response()).unwrap();
    assert_eq!(list(&emu, &ea, &ka).len(), 1);
    assert_eq!(list(&emu, &eb, &kb).len(), 1);

    // b's key cannot read or send from a's mailbox.
    let params = ListMessagesParams::default();
    assert_eq!(emu.send(&mail::build_list_messages(&ea, &params).unwrap(), &kb).status, 404);
    assert_eq!(emu.send(&mail::build_get_message(&ea, &sent.id).unwrap(), &kb).status, 404);
    assert_eq!(emu.send(&mail::build_search_mailbox(&ea, "a", None).unwrap(), &kb).status, 404);
    let tid = sent.thread_id.clone().unwrap();
    assert_eq!(emu.send(&mail::build_get_thread(&ea, &tid).unwrap(), &kb).status, 404);
    assert_eq!(emu.send(&mail::build_delete_thread(&ea, &tid).unwrap(), &kb).status, 404);
    let r = emu.send(&mail::build_send_message(&ea, &req(&[&eb], "spoof", "x")).unwrap(), &kb);
    assert_eq!(r.status, 404);
    let flags = UpdateMessageFlagsRequest::star();
    assert_eq!(emu.send(&mail::build_update_message_flags(&ea, &sent.id, &flags).unwrap(), &kb).status, 404);
    assert_eq!(emu.send(&mail::build_delete_message(&ea, &sent.id).unwrap(), &kb).status, 404);
    // A message id of another mailbox is not found through one's own mailbox either.
    assert_eq!(emu.send(&mail::build_get_message(&eb, &sent.id).unwrap(), &kb).status, 404);
    assert_eq!(list(&emu, &ea, &ka).len(), 1);
}

#[test]
fn domains_list_and_set_default() {
    let emu = Emulator::start();
    let r = emu.send(&mail::build_list_domains(None).unwrap(), &emu.admin_key);
    assert!(mail::parse_list_domains(&r.as_response()).unwrap().is_empty());
    let r = emu.send(&mail::build_set_default_domain("inkboxmail.com").unwrap(), &emu.admin_key);
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json(), serde_json::json!({ "default_domain": null }));
    assert_eq!(mail::parse_set_default_domain(&r.as_response()).unwrap(), None);
    let r = emu.send(&mail::build_set_default_domain("example.com").unwrap(), &emu.admin_key);
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), serde_json::json!({ "detail": "Sending domain not found" }));
    assert!(mail::parse_set_default_domain(&r.as_response()).is_err());
    let bot = create(&emu, "dom-bot");
    let key = scoped_key(&emu, &bot.id);
    let r = emu.send(&mail::build_set_default_domain("inkboxmail.com").unwrap(), &key);
    assert_eq!(r.status, 403);
}

#[test]
fn mail_survives_a_restart() {
    let dir = TempDir::new("mail");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let (a, b) = (create(&emu, "keep-a"), create(&emu, "keep-b"));
    let (ea, eb) = (email(&a), email(&b));
    let sent = send(&emu, &ea, &req(&[&eb, "out@example.com"], "Kept", "body"));
    assert!(emu.terminate().success());
    let emu = Emulator::start_with_data(&db);
    assert_eq!(list(&emu, &ea, &emu.admin_key), vec![sent]);
    assert_eq!(list(&emu, &eb, &emu.admin_key).len(), 1);
    let outbox = emu.raw("GET", "/_emulator/outbox", Some(&emu.admin_key), None).json();
    assert_eq!(outbox.as_array().unwrap().len(), 1);
}

#[test]
fn nothing_acknowledged_is_lost_when_the_process_is_killed() {
    let dir = TempDir::new("mail-kill");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let (a, b) = (create(&emu, "kill-a"), create(&emu, "kill-b"));
    let (ea, eb) = (email(&a), email(&b));
    let sent: Vec<_> = (0..20).map(|i| send(&emu, &ea, &req(&[&eb], &format!("k{i}"), "body"))).collect();
    // SIGKILL: no graceful shutdown, no final flush.
    let status = emu.signal("-KILL");
    assert!(!status.success());
    let emu = Emulator::start_with_data(&db);
    let mut got = list(&emu, &ea, &emu.admin_key);
    let mut want = sent;
    got.sort_by(|x, y| x.id.cmp(&y.id));
    want.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(got, want);
    assert_eq!(list(&emu, &eb, &emu.admin_key).len(), 20);
}
