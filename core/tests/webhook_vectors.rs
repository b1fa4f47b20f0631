//! The shared webhook vectors (`tests/vectors/webhook.json`, produced by the
//! reference SDK 0.4.9) through every verification entry point, in strict and
//! in compat mode.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use inkbox_core::ErrorCode as _;
use inkbox_core::webhook::{self, StreamError, Verifier, VerifyOptions, WebhookError};
use serde_json::Value;

/// Cases where strict mode decides differently from the reference on purpose,
/// with the error strict mode must give (`None` = strict accepts).
const STRICT_DIFFERENCES: &[(&str, Option<WebhookError>)] = &[
    // The reference treats an absent (or empty) id/timestamp header as "".
    // Strict mode requires both headers, non-empty.
    ("valid_missing_request_id_signed_empty", Some(WebhookError::MissingRequestId)),
    ("valid_missing_timestamp_signed_empty", Some(WebhookError::MissingTimestamp)),
    ("valid_missing_both_ids_signed_empty", Some(WebhookError::MissingRequestId)),
    ("valid_empty_request_id_value", Some(WebhookError::MissingRequestId)),
    // The reference never parses the timestamp; strict mode needs Unix seconds.
    ("valid_non_numeric_timestamp", Some(WebhookError::MalformedTimestamp)),
    // Secret "whsec_" is an empty HMAC key: refused as a configuration error.
    ("valid_empty_secret", Some(WebhookError::EmptySecret)),
    // The header is "sha256=<valid> sha256=<other>". The reference compares the
    // whole value with one digest, so it never matches. Strict mode reads a
    // space-separated list of entries (so senders can rotate keys), and the
    // first entry is the valid signature of this body: it verifies.
    ("signature_list_space_separated", None),
];

/// Cases where compat mode still differs from the reference: empty HMAC keys
/// are refused in every mode (the reference accepts them, which lets anyone
/// forge deliveries).
const COMPAT_DIFFERENCES: &[(&str, WebhookError)] = &[("valid_empty_secret", WebhookError::EmptySecret)];

struct Case {
    name: String,
    secret: String,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
    expected: Option<bool>,
}

fn cases(key: &str) -> Vec<Case> {
    let vectors = common::load("webhook.json");
    vectors[key]
        .as_array()
        .unwrap_or_else(|| panic!("webhook.json: `{key}` is not an array"))
        .iter()
        .map(|c| {
            let body = common::b64(c["body_b64"].as_str().unwrap());
            assert_eq!(body.len() as u64, c["body_len"].as_u64().unwrap(), "{}", c["name"]);
            Case {
                name: c["name"].as_str().unwrap().to_owned(),
                secret: c["secret"].as_str().unwrap().to_owned(),
                headers: c["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| {
                        let [n, v] = h.as_array().unwrap().as_slice() else { panic!("header is not a pair: {h}") };
                        let b = |x: &Value| x.as_str().unwrap().as_bytes().to_vec();
                        (b(n), b(v))
                    })
                    .collect(),
                body,
                expected: c["expected"].as_bool(),
            }
        })
        .collect()
}

/// Runs one case through the one-shot verifier, the streaming verifier (body
/// in 7-byte chunks) and the embedded-io adapter (3-byte buffer), checks that
/// they agree, and returns the decision.
fn run(case: &Case, options: &VerifyOptions) -> Result<(), WebhookError> {
    let secrets = [case.secret.as_str()];
    let one_shot = webhook::verify(&case.headers, &case.body, &secrets, 0, options).map(|_| ());

    let streamed = Verifier::<'_, 1>::new(&case.headers, &secrets, 0, options).and_then(|mut v| {
        for chunk in case.body.chunks(7) {
            v.update(chunk);
        }
        v.finish().map(|_| ())
    });
    assert_eq!(one_shot, streamed, "{}: streaming verifier disagrees", case.name);

    let mut buf = [0u8; 3];
    let read = webhook::verify_reader(case.body.as_slice(), &mut buf, &case.headers, &secrets, 0, options)
        .map(|_| ())
        .map_err(|e| match e {
            StreamError::Webhook(e) => e,
            StreamError::Read(never) => match never {},
            _ => unreachable!(),
        });
    assert_eq!(one_shot, read, "{}: embedded-io adapter disagrees", case.name);
    one_shot
}

#[test]
fn strict_mode_matches_reference_except_named_cases() {
    let options = VerifyOptions::strict().without_freshness();
    let all = cases("cases");
    assert_eq!(all.len(), 57, "webhook.json case count changed");
    for (name, _) in STRICT_DIFFERENCES {
        assert!(all.iter().any(|c| c.name == *name), "listed difference `{name}` is not a vector");
    }
    for case in &all {
        let result = run(case, &options);
        match STRICT_DIFFERENCES.iter().find(|(n, _)| *n == case.name) {
            Some((_, Some(err))) => assert_eq!(result, Err(*err), "{}", case.name),
            Some((_, None)) => assert_eq!(result, Ok(()), "{}", case.name),
            None => assert_eq!(result.is_ok(), case.expected.unwrap(), "{}: strict gave {result:?}", case.name),
        }
        if let Err(e) = result {
            assert!(e.code().starts_with("webhook."));
        }
    }
}

#[test]
fn compat_mode_matches_reference() {
    let options = VerifyOptions::compat();
    for case in cases("cases") {
        let result = run(&case, &options);
        match COMPAT_DIFFERENCES.iter().find(|(n, _)| *n == case.name) {
            Some((_, err)) => assert_eq!(result, Err(*err), "{}", case.name),
            None => assert_eq!(result.is_ok(), case.expected.unwrap(), "{}: compat gave {result:?}", case.name),
        }
    }
}

#[test]
fn quirk_cases_are_errors_not_panics() {
    let quirks = cases("quirk_cases");
    assert!(!quirks.is_empty());
    for case in quirks {
        assert_eq!(case.expected, None, "{}: quirk cases expect \"error\"", case.name);
        for options in [VerifyOptions::strict().without_freshness(), VerifyOptions::compat()] {
            let result = run(&case, &options);
            assert!(result.is_err(), "{}: accepted", case.name);
        }
    }
}

#[test]
fn valid_cases_also_pass_freshness_at_their_own_time() {
    // Strict with the default ±300 s window, `now` = the vector's timestamp.
    for case in cases("cases") {
        if case.expected != Some(true) || STRICT_DIFFERENCES.iter().any(|(n, _)| *n == case.name) {
            continue;
        }
        let ts = case
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(b"x-inkbox-timestamp"))
            .map(|(_, v)| std::str::from_utf8(v).unwrap().parse::<u64>().unwrap())
            .unwrap();
        let secrets = [case.secret.as_str()];
        let strict = VerifyOptions::strict();
        assert!(webhook::verify(&case.headers, &case.body, &secrets, ts + 300, &strict).is_ok());
        assert_eq!(
            webhook::verify(&case.headers, &case.body, &secrets, ts + 301, &strict),
            Err(WebhookError::TimestampOutOfTolerance),
            "{}",
            case.name
        );
    }
}

#[test]
fn signing_helper_reproduces_valid_signatures() {
    for case in cases("cases") {
        if case.expected != Some(true) || case.name == "valid_empty_secret" {
            continue;
        }
        let get = |name: &[u8]| {
            case.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map_or("", |(_, v)| std::str::from_utf8(v).unwrap())
        };
        let signed =
            webhook::sign_raw(&case.secret, get(b"x-inkbox-request-id"), get(b"x-inkbox-timestamp"), &case.body)
                .unwrap();
        assert_eq!(signed.signature(), get(b"x-inkbox-signature"), "{}", case.name);
    }
}
