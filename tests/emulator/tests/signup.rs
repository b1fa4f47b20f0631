//! Agent self-signup over real HTTP: signup, verification codes in the outbox,
//! attempts, expiry and resend cooldown on the emulated clock, unclaimed send
//! limits through the real mail send endpoint, console approve/reject, and
//! AgentPost inboxes (Bearer auth). Persistence across a restart with --data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Emulator, Resp, TempDir};
use inkbox_core::ErrorCode as _;
use inkbox_core::api::agentpost::{self as ap, CreateInboxRequest, ListInboxesParams, UpdateInboxRequest};
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::mail::{self, Recipients, SendEmailRequest};
use inkbox_core::api::patch::Patch;
use inkbox_core::api::signup::{self, AgentSignupResponse, ClaimStatus, CreateAgentSignupRequest, HumanState};
use inkbox_core::api::whoami::{self, Whoami};
use serde_json::{Value, json};

const HUMAN: &str = "john@example.com";

fn signup_with(emu: &Emulator, input: &CreateAgentSignupRequest) -> AgentSignupResponse {
    let r = emu.send(&signup::build_signup(input).unwrap(), "unused");
    assert_eq!(r.status, 201, "{:?}", r.json());
    signup::parse_signup(&r.as_response()).unwrap()
}

fn signup_agent(emu: &Emulator, handle: &str) -> AgentSignupResponse {
    let input = CreateAgentSignupRequest {
        agent_handle: Some(handle.into()),
        ..CreateAgentSignupRequest::new(HUMAN, "Hi John, it's your agent.")
    };
    signup_with(emu, &input)
}

fn outbox(emu: &Emulator) -> Vec<Value> {
    let r = emu.raw("GET", "/_emulator/outbox", Some(&emu.admin_key), None);
    assert_eq!(r.status, 200);
    r.json().as_array().unwrap().clone()
}

/// The newest verification code sent for `handle`.
fn last_code(emu: &Emulator, handle: &str) -> String {
    let mails: Vec<Value> =
        outbox(emu).into_iter().filter(|m| m["kind"] == "signup_verification" && m["agent_handle"] == handle).collect();
    let m = mails.last().expect("a verification email");
    m["code"].as_str().unwrap().to_owned()
}

fn codes_sent(emu: &Emulator, handle: &str) -> usize {
    outbox(emu).iter().filter(|m| m["kind"] == "signup_verification" && m["agent_handle"] == handle).count()
}

fn verify(emu: &Emulator, key: &str, code: &str) -> Resp {
    emu.send(&signup::build_verify(key, code).unwrap(), "ignored")
}

fn resend(emu: &Emulator, key: &str) -> Resp {
    emu.send(&signup::build_resend_verification(key).unwrap(), "ignored")
}

fn status(emu: &Emulator, key: &str) -> signup::AgentSignupStatusResponse {
    let r = emu.send(&signup::build_status(key).unwrap(), "ignored");
    assert_eq!(r.status, 200, "{:?}", r.json());
    signup::parse_status(&r.as_response()).unwrap()
}

fn advance(emu: &Emulator, secs: u64) {
    let r = emu.raw("POST", "/_emulator/clock", Some(&emu.admin_key), Some(&format!("{{\"advance\": {secs}}}")));
    assert_eq!(r.status, 200, "{:?}", r.json());
}

/// A code that differs from `code`.
fn wrong(code: &str) -> String {
    let first = code.as_bytes()[0];
    let d = if first == b'9' { '0' } else { char::from(first + 1) };
    format!("{d}{}", &code[1..])
}

fn send_mail(emu: &Emulator, key: &str, from: &str, to: &[&str], cc: &[&str]) -> Resp {
    let input = SendEmailRequest {
        recipients: Recipients {
            to: to.iter().map(|s| (*s).to_owned()).collect(),
            cc: cc.iter().map(|s| (*s).to_owned()).collect(),
            bcc: Vec::new(),
        },
        subject: "hello".into(),
        body_text: Some("hi".into()),
        ..Default::default()
    };
    emu.send(&mail::build_send_message(from, &input).unwrap(), key)
}

fn whoami_subtype(emu: &Emulator, key: &str) -> String {
    let r = emu.send(&whoami::build_whoami().unwrap(), key);
    match whoami::parse_whoami(&r.as_response()).unwrap() {
        Whoami::ApiKey(k) => k.auth_subtype.unwrap(),
        Whoami::Jwt(_) => panic!("jwt"),
    }
}

fn control(emu: &Emulator, method: &str, path: &str, body: Option<&str>) -> Resp {
    emu.raw(method, path, Some(&emu.admin_key), body)
}

#[test]
fn signup_provisions_an_unclaimed_agent_and_emails_the_code() {
    let emu = Emulator::start();
    // Through the high-level client, like an agent without any key.
    let input = CreateAgentSignupRequest {
        display_name: Some("Sales Agent".into()),
        agent_handle: Some("@Sales-Bot".into()),
        ..CreateAgentSignupRequest::new(HUMAN, "Hey John, this is your sales bot signing up!")
    };
    let s = inkbox_client::Inkbox::signup(&emu.url, &input).unwrap();
    assert_eq!(s.agent_handle, "sales-bot");
    assert_eq!(s.email_address, "sales-bot@inkboxmail.com");
    assert!(s.organization_id.starts_with("org_agent_") && s.organization_id.len() == "org_agent_".len() + 36);
    assert_eq!((s.claim_status.clone(), s.human_email.as_str()), (ClaimStatus::AgentUnclaimed, HUMAN));
    assert!(s.message.contains(HUMAN) && s.message.contains("10"), "{}", s.message);

    // The key is identity-scoped, unclaimed, and reaches its own identity.
    assert_eq!(whoami_subtype(&emu, &s.api_key), "api_key.agent_scoped.unclaimed");
    let r = emu.send(&ids::build_get("sales-bot").unwrap(), &s.api_key);
    let identity = ids::parse_get(&r.as_response()).unwrap();
    assert_eq!(identity.display_name.as_deref(), Some("Sales Agent"));
    assert_eq!(identity.organization_id, s.organization_id);
    assert_eq!(identity.tunnel.as_ref().map(|t| t.tunnel_name.as_str()), Some("sales-bot"));
    // …which the emulator's admin (another org) does not see.
    assert_eq!(emu.send(&ids::build_get("sales-bot").unwrap(), &emu.admin_key).status, 404);

    // The verification email is in the outbox.
    let mails = outbox(&emu);
    let m = mails.iter().find(|m| m["kind"] == "signup_verification").unwrap();
    let code = m["code"].as_str().unwrap();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert_eq!(m["to"], json!([HUMAN]));
    assert_eq!(m["outside_recipients"], json!([HUMAN]));
    assert_eq!(m["agent_handle"], "sales-bot");
    let body = m["body_text"].as_str().unwrap();
    assert!(body.contains(code) && body.contains("Hey John, this is your sales bot signing up!"), "{body}");
    for k in ["id", "message_id", "from", "subject", "created_at", "cc", "bcc", "attachment_metadata"] {
        assert!(m.get(k).is_some(), "{k} missing from {m}");
    }

    let st = status(&emu, &s.api_key);
    assert_eq!(st.claim_status, ClaimStatus::AgentUnclaimed);
    assert_eq!(st.human_state, HumanState::HumanNoAccount);
    assert_eq!(st.human_email, HUMAN);
    assert_eq!(st.restrictions.max_sends_per_day, 10);
    assert_eq!(st.restrictions.allowed_recipients, [HUMAN]);
    assert!(st.restrictions.can_receive && !st.restrictions.can_create_mailboxes);
}

#[test]
fn handles_are_generated_suffixed_or_refused() {
    let emu = Emulator::start();
    let is_hex6 = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());

    // Generated from the display name, else "agent".
    let s = signup_with(
        &emu,
        &CreateAgentSignupRequest {
            display_name: Some("Sales Agent!".into()),
            ..CreateAgentSignupRequest::new(HUMAN, "note")
        },
    );
    let suffix = s.agent_handle.strip_prefix("sales-agent-").unwrap();
    assert!(is_hex6(suffix), "{}", s.agent_handle);
    assert_eq!(s.email_address, format!("{}@inkboxmail.com", s.agent_handle));
    let s = signup_with(&emu, &CreateAgentSignupRequest::new(HUMAN, "note"));
    assert!(is_hex6(s.agent_handle.strip_prefix("agent-").unwrap()), "{}", s.agent_handle);
    let st = emu.send(&ids::build_get(&s.agent_handle).unwrap(), &s.api_key);
    assert_eq!(ids::parse_get(&st.as_response()).unwrap().display_name.as_deref(), Some(s.agent_handle.as_str()));

    // A taken (or reserved) handle gets a suffix; the local part follows the handle.
    let first = signup_agent(&emu, "helper");
    assert_eq!(first.agent_handle, "helper");
    let second = signup_agent(&emu, "helper");
    assert!(is_hex6(second.agent_handle.strip_prefix("helper-").unwrap()), "{}", second.agent_handle);
    let reserved = signup_agent(&emu, "support");
    assert!(reserved.agent_handle.starts_with("support-"), "{}", reserved.agent_handle);
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new("taken-by-admin")).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201);
    assert!(signup_agent(&emu, "taken-by-admin").agent_handle.starts_with("taken-by-admin-"));

    // email_local_part alone picks the handle; a different one is refused.
    let s = signup_with(
        &emu,
        &CreateAgentSignupRequest {
            email_local_part: Some("mailer".into()),
            ..CreateAgentSignupRequest::new(HUMAN, "note")
        },
    );
    assert_eq!((s.agent_handle.as_str(), s.email_address.as_str()), ("mailer", "mailer@inkboxmail.com"));
    let body =
        json!({ "human_email": HUMAN, "note_to_human": "n", "agent_handle": "a-bot", "email_local_part": "b-bot" });
    let r = emu.raw("POST", "/api/v1/agent-signup", None, Some(&body.to_string()));
    assert_eq!(r.status, 422, "{:?}", r.json());
    assert!(r.json()["detail"].as_str().unwrap().contains("local part"));
    let same =
        json!({ "human_email": HUMAN, "note_to_human": "n", "agent_handle": "c-bot", "email_local_part": "c-bot" });
    assert_eq!(emu.raw("POST", "/api/v1/agent-signup", None, Some(&same.to_string())).status, 201);
}

#[test]
fn signup_validation_is_422() {
    let emu = Emulator::start();
    let long_note = "n".repeat(2001);
    let long_name = "d".repeat(256);
    let cases = [
        json!({ "note_to_human": "n" }),
        json!({ "human_email": HUMAN }),
        json!({ "human_email": "john.example.com", "note_to_human": "n" }),
        json!({ "human_email": "john@example", "note_to_human": "n" }),
        json!({ "human_email": "jo hn@example.com", "note_to_human": "n" }),
        json!({ "human_email": HUMAN, "note_to_human": "" }),
        json!({ "human_email": HUMAN, "note_to_human": long_note }),
        json!({ "human_email": HUMAN, "note_to_human": "n", "display_name": "" }),
        json!({ "human_email": HUMAN, "note_to_human": "n", "display_name": long_name }),
        json!({ "human_email": HUMAN, "note_to_human": "n", "agent_handle": "a_b" }),
        json!({ "human_email": HUMAN, "note_to_human": "n", "agent_handle": "ab" }),
        json!({ "human_email": 5, "note_to_human": "n" }),
    ];
    for body in cases {
        let r = emu.raw("POST", "/api/v1/agent-signup", None, Some(&body.to_string()));
        assert_eq!(r.status, 422, "{body}: {:?}", r.json());
        assert!(r.json()["detail"].is_string(), "{:?}", r.json());
    }
    let r = emu.raw("POST", "/api/v1/agent-signup/", None, Some("not json"));
    assert_eq!(r.status, 422);
    // Exactly at the limits.
    let ok = json!({ "human_email": HUMAN, "note_to_human": "é".repeat(2000), "display_name": "d".repeat(255) });
    assert_eq!(emu.raw("POST", "/api/v1/agent-signup/", None, Some(&ok.to_string())).status, 201);
    assert_eq!(emu.raw("GET", "/api/v1/agent-signup", None, None).status, 405);
}

#[test]
fn signup_rate_limit_is_429_until_the_hour_passes() {
    let emu = Emulator::start();
    let r = control(&emu, "POST", "/_emulator/signup/config", Some(r#"{"max_signups_per_hour": 2}"#));
    assert_eq!((r.status, r.json()["max_signups_per_hour"].as_u64()), (200, Some(2)));
    signup_agent(&emu, "rate-one");
    advance(&emu, 600);
    signup_agent(&emu, "rate-two");
    let r = emu.send(&signup::build_signup(&CreateAgentSignupRequest::new(HUMAN, "n")).unwrap(), "x");
    assert_eq!(r.status, 429, "{:?}", r.json());
    assert_eq!(signup::parse_signup(&r.as_response()).unwrap_err().code(), "api.rate_limited");
    assert_eq!(r.header("retry-after"), Some("3000"));
    advance(&emu, 3000);
    signup_agent(&emu, "rate-three");
    assert_eq!(control(&emu, "POST", "/_emulator/signup/config", Some(r#"{"max": 1}"#)).status, 422);
    let r = control(&emu, "POST", "/_emulator/signup/config", Some(r#"{"max_signups_per_hour": null}"#));
    assert_eq!(r.json()["max_signups_per_hour"].as_u64(), Some(100));
}

#[test]
fn verify_claims_with_the_emailed_code() {
    let emu = Emulator::start();
    let s = signup_agent(&emu, "claimer");
    let code = last_code(&emu, "claimer");
    let c = inkbox_client::Inkbox::verify_signup(&emu.url, &s.api_key, &code).unwrap();
    assert_eq!(c.claim_status, ClaimStatus::AgentClaimed);
    assert_eq!(c.organization_id, s.organization_id);
    assert!(!c.message.is_empty());
    let st = inkbox_client::Inkbox::get_signup_status(&emu.url, &s.api_key).unwrap();
    assert_eq!(st.claim_status, ClaimStatus::AgentClaimed);
    assert_eq!(st.restrictions.max_sends_per_day, 500);
    assert!(st.restrictions.allowed_recipients.is_empty());
    assert_eq!(whoami_subtype(&emu, &s.api_key), "api_key.agent_scoped.claimed");

    // Verifying again and resending after the claim are harmless 200s.
    let r = verify(&emu, &s.api_key, &code);
    assert_eq!((r.status, r.json()["claim_status"].as_str()), (200, Some("agent_claimed")));
    let before = codes_sent(&emu, "claimer");
    let r = resend(&emu, &s.api_key);
    assert_eq!((r.status, r.json()["claim_status"].as_str()), (200, Some("agent_claimed")));
    assert_eq!(codes_sent(&emu, "claimer"), before);
}

#[test]
fn five_attempts_then_429_and_a_resend_starts_over() {
    let emu = Emulator::start();
    let s = signup_agent(&emu, "guesser");
    let code = last_code(&emu, "guesser");
    for left in (0..5).rev() {
        let r = verify(&emu, &s.api_key, &wrong(&code));
        assert_eq!(r.status, 401, "{:?}", r.json());
        assert!(r.json()["detail"].as_str().unwrap().contains(&format!("{left} attempts left")));
        assert_eq!(signup::parse_verify(&r.as_response()).unwrap_err().code(), "api.invalid_verification_code");
    }
    // Even the right code is refused now.
    let r = verify(&emu, &s.api_key, &code);
    assert_eq!(r.status, 429, "{:?}", r.json());
    assert_eq!(signup::parse_verify(&r.as_response()).unwrap_err().code(), "api.too_many_attempts");
    assert_eq!(status(&emu, &s.api_key).claim_status, ClaimStatus::AgentUnclaimed);

    // A resend (after the cooldown) issues a new code with fresh attempts; the old code is dead.
    advance(&emu, 300);
    assert_eq!(resend(&emu, &s.api_key).status, 200);
    let fresh = last_code(&emu, "guesser");
    if fresh != code {
        assert_eq!(verify(&emu, &s.api_key, &code).status, 401);
    }
    let r = verify(&emu, &s.api_key, &fresh);
    assert_eq!((r.status, r.json()["claim_status"].as_str()), (200, Some("agent_claimed")), "{:?}", r.json());
}

#[test]
fn codes_expire_after_48_hours() {
    let emu = Emulator::start();
    let s = signup_agent(&emu, "sleeper");
    let code = last_code(&emu, "sleeper");
    advance(&emu, 48 * 3600 - 5);
    assert_eq!(verify(&emu, &s.api_key, &wrong(&code)).status, 401);
    advance(&emu, 5);
    let r = verify(&emu, &s.api_key, &code);
    assert_eq!(r.status, 410, "{:?}", r.json());
    assert_eq!(signup::parse_verify(&r.as_response()).unwrap_err().code(), "api.verification_code_expired");
    // A fresh code lives another 48 hours.
    let r = resend(&emu, &s.api_key);
    assert_eq!((r.status, r.json()["claim_status"].as_str()), (200, Some("agent_unclaimed")));
    assert_eq!(r.json()["organization_id"].as_str(), Some(s.organization_id.as_str()));
    let fresh = last_code(&emu, "sleeper");
    advance(&emu, 47 * 3600);
    assert_eq!(verify(&emu, &s.api_key, &fresh).status, 200);
}

#[test]
fn resend_has_a_five_minute_cooldown() {
    let emu = Emulator::start();
    let s = signup_agent(&emu, "resender");
    assert_eq!(codes_sent(&emu, "resender"), 1);
    let r = resend(&emu, &s.api_key);
    assert_eq!(r.status, 429, "{:?}", r.json());
    assert_eq!(r.header("retry-after"), Some("300"));
    assert_eq!(signup::parse_resend_verification(&r.as_response()).unwrap_err().code(), "api.too_many_attempts");
    advance(&emu, 299);
    let r = resend(&emu, &s.api_key);
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    advance(&emu, 1);
    let c = inkbox_client::Inkbox::resend_signup_verification(&emu.url, &s.api_key).unwrap();
    assert_eq!(c.claim_status, ClaimStatus::AgentUnclaimed);
    assert_eq!(codes_sent(&emu, "resender"), 2);
    // The cooldown restarts from this resend.
    advance(&emu, 200);
    assert_eq!(resend(&emu, &s.api_key).status, 429);
    advance(&emu, 100);
    assert_eq!(resend(&emu, &s.api_key).status, 200);
    assert_eq!(codes_sent(&emu, "resender"), 3);
}

#[test]
fn follow_ups_need_the_signup_key() {
    let emu = Emulator::start();
    let s = signup_agent(&emu, "keyed");
    let code = last_code(&emu, "keyed");
    // No key / unknown key: 401.
    let r = emu.raw("GET", "/api/v1/agent-signup/status", None, None);
    assert_eq!(r.status, 401);
    assert_eq!(emu.raw("GET", "/api/v1/agent-signup/status", Some("ApiKey_nope"), None).status, 401);
    // Keys that are not a signup agent's: 404 "agent identity not found".
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new("regular")).unwrap(), &emu.admin_key);
    let regular = ids::parse_create(&r.as_response()).unwrap();
    let input = CreateApiKeyRequest { label: "agent".into(), description: None, scoped_identity_id: Some(regular.id) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    let scoped = keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone();
    for key in [emu.admin_key.as_str(), scoped.as_str()] {
        for r in [verify(&emu, key, &code), resend(&emu, key), emu.send(&signup::build_status(key).unwrap(), "ignored")]
        {
            assert_eq!(r.status, 404, "{:?}", r.json());
            assert_eq!(r.json()["detail"], "Agent identity not found");
        }
    }
    // Malformed codes are validation errors and cost no attempt.
    for bad in [r#"{"verification_code": "12345"}"#, r#"{"verification_code": "12345a"}"#, "{}"] {
        let r = emu.raw("POST", "/api/v1/agent-signup/verify", Some(&s.api_key), Some(bad));
        assert_eq!(r.status, 422, "{bad}: {:?}", r.json());
    }
    let listing = control(&emu, "GET", "/_emulator/signup", None).json();
    assert_eq!(listing["agents"][0]["attempts"], 0);
    assert_eq!(listing["agents"][0]["verification_code"].as_str(), Some(code.as_str()));
    assert_eq!(verify(&emu, &s.api_key, &code).status, 200);
}

#[test]
fn unclaimed_agents_may_only_mail_their_human_ten_times_a_day() {
    let emu = Emulator::start();
    let s = signup_agent(&emu, "limited");
    let from = s.email_address.as_str();
    let key = s.api_key.as_str();

    let r = send_mail(&emu, key, from, &["someone@else.com"], &[]);
    assert_eq!(r.status, 403, "{:?}", r.json());
    assert_eq!(r.json()["detail"]["error"], "recipient_not_allowed");
    assert_eq!(r.json()["detail"]["allowed_recipients"], json!([HUMAN]));
    let r = send_mail(&emu, key, from, &[HUMAN], &["cc@else.com"]);
    assert_eq!((r.status, r.json()["detail"]["rejected_recipients"].clone()), (403, json!(["cc@else.com"])));
    // Another emulator mailbox is not the human either.
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new("colleague")).unwrap(), &emu.admin_key);
    assert_eq!(r.status, 201);
    assert_eq!(send_mail(&emu, key, from, &["colleague@inkboxmail.com"], &[]).status, 403);

    let before = outbox(&emu).len();
    for _ in 0..10 {
        let r = send_mail(&emu, key, from, &["John@Example.com"], &[]);
        assert_eq!(r.status, 200, "{:?}", r.json());
    }
    assert_eq!(outbox(&emu).len(), before + 10);
    let r = send_mail(&emu, key, from, &[HUMAN], &[]);
    assert_eq!(r.status, 429, "{:?}", r.json());
    assert_eq!(r.json()["detail"]["error"], "daily_send_limit_exceeded");
    assert_eq!(r.json()["detail"]["max_sends_per_day"], 10);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((86_000..=86_400).contains(&retry), "{retry}");
    assert_eq!(outbox(&emu).len(), before + 10);
    let listing = control(&emu, "GET", "/_emulator/signup", None).json();
    assert_eq!(listing["agents"][0]["sends_today"], 10);

    // The window is 24 h from its first send.
    advance(&emu, 86_000);
    assert_eq!(send_mail(&emu, key, from, &[HUMAN], &[]).status, 429);
    advance(&emu, 400);
    assert_eq!(send_mail(&emu, key, from, &[HUMAN], &[]).status, 200);

    // Claimed: anyone, and the counter carries on under the 500 cap.
    advance(&emu, 300);
    assert_eq!(resend(&emu, key).status, 200);
    assert_eq!(verify(&emu, key, &last_code(&emu, "limited")).status, 200);
    let r = send_mail(&emu, key, from, &["someone@else.com"], &["colleague@inkboxmail.com"]);
    assert_eq!(r.status, 200, "{:?}", r.json());
    let listing = control(&emu, "GET", "/_emulator/signup", None).json();
    assert_eq!(listing["agents"][0]["sends_today"], 2);
    assert_eq!(listing["agents"][0]["restrictions"]["max_sends_per_day"], 500);
}

#[test]
fn console_approval_moves_the_agent_and_rejection_blocks_it() {
    let emu = Emulator::start();
    let s = signup_agent(&emu, "approved");
    let r = control(&emu, "POST", "/_emulator/signup/approved/approve", None);
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["organization_id"].as_str(), Some(emu.org_id.as_str()));
    let st = status(&emu, &s.api_key);
    assert_eq!((st.claim_status, st.human_state), (ClaimStatus::AgentClaimed, HumanState::HumanAccountVerified));
    // The agent now lives in the emulator's org: the admin sees it, verify reports the new org.
    let r = emu.send(&ids::build_get("approved").unwrap(), &emu.admin_key);
    assert_eq!(ids::parse_get(&r.as_response()).unwrap().organization_id, emu.org_id);
    let r = verify(&emu, &s.api_key, "000000");
    assert_eq!(r.json()["organization_id"].as_str(), Some(emu.org_id.as_str()));
    let state = control(&emu, "GET", "/_emulator/state", None).json();
    assert!(!state["orgs"].as_array().unwrap().iter().any(|o| o == s.organization_id.as_str()));
    assert_eq!(
        control(&emu, "POST", "/_emulator/signup/approved/approve", Some(r#"{"organization_id": "org_x"}"#)).status,
        404
    );

    let bad = signup_agent(&emu, "rejected");
    let r = control(&emu, "POST", "/_emulator/signup/rejected/reject", None);
    assert_eq!((r.status, r.json()["claim_status"].as_str()), (200, Some("agent_rejected")));
    let st = status(&emu, &bad.api_key);
    assert_eq!((st.claim_status, st.restrictions.max_sends_per_day), (ClaimStatus::AgentRejected, 0));
    assert_eq!(verify(&emu, &bad.api_key, &last_code(&emu, "rejected")).status, 409);
    let r = send_mail(&emu, &bad.api_key, &bad.email_address, &[HUMAN], &[]);
    assert_eq!((r.status, r.json()["detail"]["error"].as_str()), (403, Some("agent_rejected")));
    assert_eq!(control(&emu, "POST", "/_emulator/signup/rejected/approve", None).status, 409);
    assert_eq!(control(&emu, "POST", "/_emulator/signup/nobody/reject", None).status, 404);
    assert_eq!(control(&emu, "GET", "/_emulator/signup/rejected/reject", None).status, 405);
}

#[test]
fn signup_state_survives_a_restart() {
    let dir = TempDir::new("signup");
    let db = dir.0.join("state.sqlite");
    let emu = Emulator::start_with_data(&db);
    let s = signup_agent(&emu, "durable");
    let code = last_code(&emu, "durable");
    for _ in 0..2 {
        assert_eq!(verify(&emu, &s.api_key, &wrong(&code)).status, 401);
    }
    for _ in 0..3 {
        assert_eq!(send_mail(&emu, &s.api_key, &s.email_address, &[HUMAN], &[]).status, 200);
    }
    let key = control(&emu, "POST", "/_emulator/agentpost/keys", None).json()["api_key"].as_str().unwrap().to_owned();
    let input =
        CreateInboxRequest { username: "kept".into(), display_name: "Kept".into(), client_id: Some("k1".into()) };
    let r = emu.send(&ap::build_create_inbox(&input).unwrap(), &key);
    assert_eq!(r.status, 201);
    let inbox = ap::parse_create_inbox(&r.as_response()).unwrap();
    assert!(emu.terminate().success());

    let emu = Emulator::start_with_data(&db);
    assert_eq!(status(&emu, &s.api_key).claim_status, ClaimStatus::AgentUnclaimed);
    assert_eq!(last_code(&emu, "durable"), code);
    let listing = control(&emu, "GET", "/_emulator/signup", None).json();
    assert_eq!(
        (listing["agents"][0]["attempts"].as_u64(), listing["agents"][0]["sends_today"].as_u64()),
        (Some(2), Some(3))
    );
    // Three attempts were left.
    for _ in 0..3 {
        assert_eq!(verify(&emu, &s.api_key, &wrong(&code)).status, 401);
    }
    assert_eq!(verify(&emu, &s.api_key, &code).status, 429);
    // So did the AgentPost inbox (client_id replay finds it).
    let r = emu.send(&ap::build_create_inbox(&input).unwrap(), &key);
    assert_eq!((r.status, ap::parse_create_inbox(&r.as_response()).unwrap().id), (200, inbox.id));
}

// ------------------------------------------------------------- AgentPost

fn ap_key(emu: &Emulator, env: Option<&str>) -> String {
    let body = env.map(|e| json!({ "environment_id": e }).to_string());
    let r = control(emu, "POST", "/_emulator/agentpost/keys", body.as_deref());
    assert_eq!(r.status, 201, "{:?}", r.json());
    let key = r.json()["api_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("ap_sk_"));
    key
}

fn create_inbox(emu: &Emulator, key: &str, username: &str, client_id: Option<&str>) -> (u16, ap::Inbox) {
    let input = CreateInboxRequest {
        username: username.into(),
        display_name: format!("{username} box"),
        client_id: client_id.map(String::from),
    };
    let r = emu.send(&ap::build_create_inbox(&input).unwrap(), key);
    assert!(r.status == 200 || r.status == 201, "{:?}", r.json());
    (r.status, ap::parse_create_inbox(&r.as_response()).unwrap())
}

/// A request with `Authorization: Bearer` to a path under the emulator URL.
fn bearer(emu: &Emulator, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut b = ureq::http::Request::builder().method(method).uri(format!("{}{path}", emu.url));
    if let Some(t) = token {
        b = b.header("Authorization", format!("Bearer {t}"));
    }
    b = b.header("Content-Type", "application/json");
    let mut resp = agent.run(b.body(body.unwrap_or("").as_bytes().to_vec()).unwrap()).unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.body_mut().read_to_vec().unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[test]
fn agentpost_inbox_lifecycle() {
    let emu = Emulator::start();
    let key = ap_key(&emu, None);
    let (st, inbox) = create_inbox(&emu, &key, "deploy-alerts", None);
    assert_eq!(st, 201);
    assert!(inbox.id.starts_with("inb_"));
    let (local, domain) = inbox.email.split_once('@').unwrap();
    assert_eq!(domain, "shared.agent-post.dev");
    let suffix = local.strip_prefix("deploy-alerts-").unwrap();
    assert!(suffix.len() == 4 && suffix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{local}");
    assert_eq!(inbox.username.as_deref(), Some("deploy-alerts"));
    assert_eq!(inbox.display_name.as_deref(), Some("deploy-alerts box"));
    assert_eq!(
        (inbox.domain_name(), inbox.client_id.clone(), inbox.send_paused),
        ("shared.agent-post.dev", None, false)
    );

    // client_id makes create idempotent (200 with the same inbox, even with another username).
    let (st, a) = create_inbox(&emu, &key, "ticket-routing", Some("ticket-router-prod-v1"));
    assert_eq!(st, 201);
    let (st, again) = create_inbox(&emu, &key, "other-name", Some("ticket-router-prod-v1"));
    assert_eq!((st, again.clone()), (200, a.clone()));
    let (_, c) = create_inbox(&emu, &key, "support", None);
    let (_, d) = create_inbox(&emu, &key, "support", None);
    assert_ne!(c.email, d.email);

    // Cursor pages, oldest first.
    let mut seen = Vec::new();
    let mut params = ListInboxesParams { limit: 3, cursor: None };
    loop {
        let r = emu.send(&ap::build_list_inboxes(&params).unwrap(), &key);
        assert_eq!(r.status, 200, "{:?}", r.json());
        let page = ap::parse_list_inboxes(&r.as_response()).unwrap();
        seen.extend(page.items.iter().map(|i| i.id.clone()));
        if !page.has_more {
            assert!(page.next_cursor.is_none());
            break;
        }
        params.cursor = page.next_cursor;
    }
    assert_eq!(seen, [inbox.id.clone(), a.id.clone(), c.id.clone(), d.id.clone()]);

    // Get, update, delete.
    let r = emu.send(&ap::build_get_inbox(&a.id).unwrap(), &key);
    assert_eq!(ap::parse_get_inbox(&r.as_response()).unwrap(), a);
    let up = UpdateInboxRequest { display_name: Patch::Set("Ticket Router".into()) };
    let r = emu.send(&ap::build_update_inbox(&a.id, &up).unwrap(), &key);
    assert_eq!(ap::parse_update_inbox(&r.as_response()).unwrap().display_name.as_deref(), Some("Ticket Router"));
    let r = emu.send(&ap::build_update_inbox(&a.id, &UpdateInboxRequest::default()).unwrap(), &key);
    assert_eq!(ap::parse_update_inbox(&r.as_response()).unwrap().display_name.as_deref(), Some("Ticket Router"));
    let r = emu.send(&ap::build_update_inbox(&a.id, &UpdateInboxRequest { display_name: Patch::Clear }).unwrap(), &key);
    assert_eq!(ap::parse_update_inbox(&r.as_response()).unwrap().display_name, None);
    let (st, body) = bearer(&emu, "PATCH", &format!("/inboxes/{}", a.id), Some(&key), Some(r#"{"email":"x@y.z"}"#));
    assert_eq!((st, body["error"].as_str()), (422, Some("validation_error")));
    let r = emu.send(&ap::build_delete_inbox(&a.id).unwrap(), &key);
    assert_eq!(r.status, 204);
    ap::parse_delete_inbox(&r.as_response()).unwrap();
    let r = emu.send(&ap::build_get_inbox(&a.id).unwrap(), &key);
    assert_eq!((r.status, r.json()["error"].as_str()), (404, Some("not_found")));
    assert_eq!(ap::parse_get_inbox(&r.as_response()).unwrap_err().code(), "api.not_found");
    assert_eq!(emu.send(&ap::build_delete_inbox(&a.id).unwrap(), &key).status, 404);
    // A deleted inbox frees its client_id.
    let (st, e) = create_inbox(&emu, &key, "ticket-routing", Some("ticket-router-prod-v1"));
    assert!(st == 201 && e.id != a.id);

    // Control: pause sending.
    let r = control(&emu, "POST", &format!("/_emulator/agentpost/inboxes/{}", c.id), Some(r#"{"send_paused": true}"#));
    assert_eq!(r.status, 200);
    let r = emu.send(&ap::build_get_inbox(&c.id).unwrap(), &key);
    assert!(ap::parse_get_inbox(&r.as_response()).unwrap().send_paused);
}

#[test]
fn agentpost_routes_auth_and_validation() {
    let emu = Emulator::start();
    let key = ap_key(&emu, Some("env_shared"));
    let same_env = ap_key(&emu, Some("env_shared"));
    let other_env = ap_key(&emu, None);
    let (_, inbox) = create_inbox(&emu, &key, "alerts", None);

    // Served under /api/v1 too, like the real base URL.
    let (st, body) = bearer(&emu, "GET", &format!("/api/v1/inboxes/{}", inbox.id), Some(&key), None);
    assert_eq!((st, body["email"].as_str()), (200, Some(inbox.email.as_str())));
    let (st, body) = bearer(&emu, "GET", "/api/v1/inboxes?limit=20", Some(&same_env), None);
    assert_eq!((st, body["items"].as_array().map(Vec::len), body["has_more"].as_bool()), (200, Some(1), Some(false)));
    // Environments are isolated.
    let (st, body) = bearer(&emu, "GET", "/inboxes", Some(&other_env), None);
    assert_eq!((st, body["items"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(bearer(&emu, "GET", &format!("/inboxes/{}", inbox.id), Some(&other_env), None).0, 404);
    // The emulator's admin key works (its org is its environment); agent keys and X-API-Key do not.
    let (st, body) = bearer(&emu, "GET", "/inboxes", Some(&emu.admin_key), None);
    assert_eq!((st, body["items"].as_array().map(Vec::len)), (200, Some(0)));
    let s = signup_agent(&emu, "ap-agent");
    for token in [None, Some("ap_sk_wrong"), Some(s.api_key.as_str())] {
        let (st, body) = bearer(&emu, "GET", "/inboxes", token, None);
        assert_eq!((st, body["error"].as_str()), (401, Some("unauthorized")), "{token:?}");
    }
    assert_eq!(emu.raw("GET", "/inboxes", Some(&emu.admin_key), None).status, 401);
    assert_eq!(bearer(&emu, "PUT", "/inboxes", Some(&key), None).0, 405);

    // Validation.
    for bad in [
        r#"{"username": "Bad", "display_name": "x"}"#,
        r#"{"username": "a--b", "display_name": "x"}"#,
        r#"{"username": ".ab", "display_name": "x"}"#,
        r#"{"display_name": "x"}"#,
        r#"{"username": "ok"}"#,
        r#"{"username": "ok", "display_name": "x", "client_id": " "}"#,
        "nope",
    ] {
        let (st, body) = bearer(&emu, "POST", "/inboxes", Some(&key), Some(bad));
        assert_eq!((st, body["error"].as_str()), (422, Some("validation_error")), "{bad}: {body}");
    }
    for q in ["limit=0", "limit=101", "limit=x", "cursor=bogus"] {
        assert_eq!(bearer(&emu, "GET", &format!("/inboxes?{q}"), Some(&key), None).0, 422, "{q}");
    }
}
