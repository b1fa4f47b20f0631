//! The shared TOTP vectors (`tests/vectors/totp.json`): RFC 6238 Appendix B,
//! RFC 4226 Appendix D and seeded HOTP cases, seeded generation cases, stored
//! configs (valid and invalid) and `otpauth://` URIs (valid and invalid), all
//! produced by the reference SDK.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use inkbox_core::ErrorCode;
use inkbox_core::totp::{Algorithm, Digits, Period, Totp, TotpCode, TotpConfig, TotpError, TotpKey, hotp, parse_uri};
use serde_json::Value;

fn vectors() -> Value {
    common::load("totp.json")
}

fn cases<'a>(v: &'a Value, group: &str) -> &'a [Value] {
    let cases = v[group].as_array().unwrap_or_else(|| panic!("missing array `{group}`"));
    assert!(!cases.is_empty(), "`{group}` is empty");
    cases
}

fn name(case: &Value) -> &str {
    case["name"].as_str().expect("case name")
}

/// A config object from the vectors (explicit `null` issuer/account).
fn config(case_name: &str, v: &Value) -> TotpConfig {
    TotpConfig::from_json_value(v).unwrap_or_else(|e| panic!("{case_name}: config rejected: {e}"))
}

/// Checks every field of an `expected` code object.
fn check_code(case_name: &str, got: &TotpCode, expected: &Value) {
    assert_eq!(got.code.as_str(), expected["code"].as_str().unwrap(), "{case_name}: code");
    for (field, value) in [
        ("counter", got.counter),
        ("period_start", got.period_start),
        ("period_end", got.period_end),
        ("seconds_remaining", got.seconds_remaining),
    ] {
        assert_eq!(Some(value), expected[field].as_u64(), "{case_name}: {field}");
    }
}

/// Generates at the vector's `time` (integer or fractional seconds).
fn generate_at(case_name: &str, totp: &Totp, time: &Value) -> TotpCode {
    let got = match time.as_u64() {
        Some(t) => {
            let whole = totp.generate(t).unwrap();
            // The f64 path agrees for whole times that f64 holds exactly.
            #[allow(clippy::cast_precision_loss)]
            let as_f64 = t as f64;
            assert_eq!(totp.generate_f64(as_f64).unwrap(), whole, "{case_name}: f64 path");
            whole
        }
        None => totp.generate_f64(time.as_f64().expect("numeric time")).unwrap(),
    };
    // Each positive case has a one-digit-flipped twin that must not verify,
    // while the code itself verifies at the same instant.
    let secs = got.period_start;
    assert_eq!(totp.verify(got.code.as_str(), secs, 0), Some(got.counter), "{case_name}");
    let mut flipped = got.code.as_str().as_bytes().to_vec();
    let last = flipped.len() - 1;
    flipped[last] = b'0' + (flipped[last] - b'0' + 1) % 10;
    let flipped = String::from_utf8(flipped).unwrap();
    assert_eq!(totp.verify(&flipped, secs, 0), None, "{case_name}: flipped twin verified");
    got
}

/// The reference's error message (informational) tells which case this is;
/// each maps to one specific variant.
fn expected_error(case_name: &str, message: &str) -> TotpError {
    let m = message.to_ascii_lowercase();
    if m.contains("non-empty base32") {
        TotpError::EmptySecret
    } else if m.contains("invalid base32 secret") {
        TotpError::InvalidSecret
    } else if m.contains("missing required 'secret'") {
        TotpError::MissingSecret
    } else if m.contains("hotp is not supported") {
        TotpError::UnsupportedOtpType
    } else if m.contains("invalid otp type") {
        TotpError::InvalidOtpType
    } else if m.contains("digits") {
        TotpError::InvalidDigits
    } else if m.contains("period") {
        TotpError::InvalidPeriod
    } else if m.contains("algorithm") {
        TotpError::InvalidAlgorithm
    } else if let Some(rest) = message.strip_prefix("Invalid scheme: expected 'otpauth', got '") {
        // The error names the scheme found.
        let found = rest.trim_end_matches('\'');
        let err = parse_uri(&format!("{found}://totp/x?secret=AAAAAAAA")).unwrap_err();
        match err {
            TotpError::InvalidUriScheme { found: got } => {
                assert_eq!(got.as_str(), found, "{case_name}: scheme named");
            }
            other => panic!("{case_name}: expected a scheme error, got {other:?}"),
        }
        err
    } else {
        panic!("{case_name}: no variant mapped for reference message {message:?}")
    }
}

#[test]
fn header_is_kept() {
    let v = vectors();
    assert_eq!(v["schema"], "inkbox-test-vectors/totp");
    assert!(v["reference"]["version"].is_string());
}

#[test]
fn rfc6238_appendix_b() {
    let v = vectors();
    for case in cases(&v, "rfc6238") {
        let n = name(case);
        let cfg = config(n, &case["config"]);
        // The base32 secret is the RFC's ASCII seed.
        let seed = case["secret_ascii"].as_str().unwrap().as_bytes();
        assert_eq!(cfg.key().unwrap().as_bytes(), seed, "{n}: seed");
        let got = generate_at(n, &cfg.generator().unwrap(), &case["time"]);
        check_code(n, &got, &case["expected"]);
        // The no-alloc paths: borrowed base32 secret, and raw key bytes.
        let borrowed = Totp::from_base32(cfg.secret(), cfg.algorithm(), cfg.digits(), cfg.period()).unwrap();
        let raw = Totp::new(TotpKey::from_bytes(seed).unwrap(), cfg.algorithm(), cfg.digits(), cfg.period());
        for totp in [borrowed, raw] {
            check_code(n, &generate_at(n, &totp, &case["time"]), &case["expected"]);
        }
    }
}

#[test]
fn hotp_cases() {
    let v = vectors();
    for (i, case) in cases(&v, "hotp").iter().enumerate() {
        let label = format!("hotp[{i}]");
        let key = TotpKey::from_base32(case["secret"].as_str().unwrap()).unwrap();
        let algorithm = Algorithm::from_config_name(case["algorithm"].as_str().unwrap()).unwrap();
        let digits = Digits::new(case["digits"].as_u64().unwrap()).unwrap();
        let counter = case["counter"].as_u64().expect("u64 counter");
        let want = case["expected_code"].as_str().unwrap();
        let got = hotp(key.as_bytes(), algorithm, digits, counter);
        assert_eq!(got.as_str(), want, "{label}: counter {counter}");
        let totp = Totp::new(key, algorithm, digits, Period::Thirty);
        assert_eq!(totp.hotp(counter), got, "{label}");
        // Neighbouring counters give other codes here (no collision in the set).
        assert_ne!(totp.hotp(counter.wrapping_add(1)).as_str(), want, "{label}: next counter");
    }
}

#[test]
fn generate_cases() {
    let v = vectors();
    for case in cases(&v, "generate") {
        let n = name(case);
        let cfg = config(n, &case["config"]);
        let got = generate_at(n, &cfg.generator().unwrap(), &case["time"]);
        check_code(n, &got, &case["expected"]);
        let via_config = match case["time"].as_u64() {
            Some(t) => cfg.generate(t).unwrap(),
            None => cfg.generate_f64(case["time"].as_f64().unwrap()).unwrap(),
        };
        assert_eq!(via_config, got, "{n}: TotpConfig::generate");
    }
}

#[test]
fn config_valid() {
    let v = vectors();
    for case in cases(&v, "config_valid") {
        let n = name(case);
        let parsed = config(n, &case["input"]);
        let expected = &case["expected"];
        assert_eq!(parsed, config(n, expected), "{n}: parsed config");
        assert_eq!(parsed.secret(), expected["secret"].as_str().unwrap(), "{n}: secret as stored");
        assert_eq!(parsed.algorithm().as_str(), expected["algorithm"].as_str().unwrap(), "{n}");
        assert_eq!(Some(u64::from(parsed.digits().get())), expected["digits"].as_u64(), "{n}");
        assert_eq!(Some(parsed.period().as_secs()), expected["period"].as_u64(), "{n}");
        assert_eq!(parsed.issuer(), expected["issuer"].as_str(), "{n}: issuer");
        assert_eq!(parsed.account_name(), expected["account_name"].as_str(), "{n}: account");

        // Serialized form: nulls omitted, fields in the reference's order.
        let to_dict = &case["expected_to_dict"];
        assert_eq!(&serde_json::to_value(&parsed).unwrap(), to_dict, "{n}: to_dict");
        let text = serde_json::to_string(&parsed).unwrap();
        let positions: Vec<usize> = ["secret", "algorithm", "digits", "period", "issuer", "account_name"]
            .iter()
            .filter(|k| to_dict.get(**k).is_some())
            .map(|k| text.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("{n}: {k}")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{n}: key order in {text}");
        // Reading the serialized form gives the same config back.
        assert_eq!(TotpConfig::from_json(&text).unwrap(), parsed, "{n}: reparse");
        let via_serde: TotpConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(via_serde, parsed, "{n}: serde Deserialize");
    }
}

#[test]
fn config_errors() {
    let v = vectors();
    for case in cases(&v, "config_errors") {
        let n = name(case);
        let want = expected_error(n, case["error_message"].as_str().unwrap());
        let args = &case["config"];
        // The stored-object path.
        assert_eq!(TotpConfig::from_json_value(args), Err(want), "{n}: from_json_value");
        let via_serde = serde_json::from_value::<TotpConfig>(args.clone());
        assert!(via_serde.is_err(), "{n}: serde accepted it");
        // The typed constructor path.
        let typed = (|| -> Result<TotpConfig, TotpError> {
            let mut cfg = TotpConfig::new(args["secret"].as_str().unwrap())?;
            if let Some(a) = args.get("algorithm") {
                cfg = cfg.with_algorithm(Algorithm::from_config_name(a.as_str().unwrap())?);
            }
            if let Some(d) = args.get("digits") {
                cfg = cfg.with_digits(Digits::new(d.as_u64().unwrap())?);
            }
            if let Some(p) = args.get("period") {
                cfg = cfg.with_period(Period::new(p.as_u64().unwrap())?);
            }
            Ok(cfg)
        })();
        assert_eq!(typed, Err(want), "{n}: typed constructor");
        assert!(want.code().starts_with("totp."), "{n}");
    }
}

#[test]
fn uri_valid() {
    let v = vectors();
    for case in cases(&v, "uri_valid") {
        let n = name(case);
        let uri = case["uri"].as_str().unwrap();
        let parsed = parse_uri(uri).unwrap_or_else(|e| panic!("{n}: {uri}: {e}"));
        assert_eq!(parsed, config(n, &case["expected"]), "{n}: {uri}");
        assert_eq!(TotpConfig::from_uri(uri).unwrap(), parsed, "{n}");
    }
}

#[test]
fn uri_round_trip() {
    let v = vectors();
    for case in cases(&v, "uri_valid") {
        let n = name(case);
        let parsed = parse_uri(case["uri"].as_str().unwrap()).unwrap();
        let uri = parsed.to_uri();
        assert!(uri.starts_with("otpauth://totp/"), "{n}: {uri}");
        assert_eq!(parse_uri(&uri), Ok(parsed), "{n}: {uri}");
    }
    // Stored configs whose secret is not upper case come back upper-cased.
    for group in ["config_valid", "generate", "rfc6238"] {
        for case in cases(&v, group) {
            let n = name(case);
            let key = if group == "config_valid" { "expected" } else { "config" };
            let cfg = config(n, &case[key]);
            let back = parse_uri(&cfg.to_uri()).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert_eq!(back.secret(), cfg.secret().to_uppercase(), "{n}");
            assert_eq!(back.key(), cfg.key(), "{n}");
            let normalised = TotpConfig::new(cfg.secret().to_uppercase()).unwrap();
            let mut normalised =
                normalised.with_algorithm(cfg.algorithm()).with_digits(cfg.digits()).with_period(cfg.period());
            normalised.set_issuer(cfg.issuer().map(String::from));
            normalised.set_account_name(cfg.account_name().map(String::from));
            assert_eq!(back, normalised, "{n}");
        }
    }
}

#[test]
fn uri_invalid() {
    let v = vectors();
    for case in cases(&v, "uri_invalid") {
        let n = name(case);
        let uri = case["uri"].as_str().unwrap();
        let want = expected_error(n, case["error_message"].as_str().unwrap());
        let got = parse_uri(uri);
        assert_eq!(got, Err(want), "{n}: {uri}");
        // Messages never echo the URI or its secret.
        let message = want.to_string();
        assert!(!message.contains("secret="), "{n}: {message}");
        assert!(want.code().starts_with("totp."), "{n}");
    }
}
