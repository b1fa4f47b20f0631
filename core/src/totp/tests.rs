//! Table-driven unit tests with fixed times. Known answers name their source
//! (RFC 6238 Appendix B, RFC 4226 Appendix D, or the shared vectors produced
//! by the reference SDK); each positive case has a flipped twin that fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

extern crate std;

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use hmac::{Hmac, KeyInit, Mac};

use super::pycompat::{decimal_value, py_int, py_strip};
use super::*;
use crate::ErrorCode;

/// RFC 6238 Appendix B seeds, base32.
const RFC_SHA1: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_SHA256: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====";
const RFC_SHA512: &str =
    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA=";

fn totp(secret: &str, algorithm: Algorithm, digits: Digits, period: Period) -> Totp {
    Totp::from_base32(secret, algorithm, digits, period).unwrap()
}

/// Every single-digit change of `code` (each position, +1 mod 10).
fn flipped_twins(code: &str) -> Vec<String> {
    (0..code.len())
        .map(|i| {
            let mut b = code.as_bytes().to_vec();
            b[i] = b'0' + (b[i] - b'0' + 1) % 10;
            String::from_utf8(b).unwrap()
        })
        .collect()
}

#[test]
fn rfc6238_appendix_b_and_twins() {
    // RFC 6238 Appendix B (8 digits, 30 s).
    let table: [(&str, Algorithm, u64, &str); 9] = [
        (RFC_SHA1, Algorithm::Sha1, 59, "94287082"),
        (RFC_SHA256, Algorithm::Sha256, 59, "46119246"),
        (RFC_SHA512, Algorithm::Sha512, 59, "90693936"),
        (RFC_SHA1, Algorithm::Sha1, 1_111_111_109, "07081804"),
        (RFC_SHA256, Algorithm::Sha256, 1_111_111_111, "67062674"),
        (RFC_SHA512, Algorithm::Sha512, 1_234_567_890, "93441116"),
        (RFC_SHA1, Algorithm::Sha1, 2_000_000_000, "69279037"),
        (RFC_SHA256, Algorithm::Sha256, 20_000_000_000, "77737706"),
        (RFC_SHA512, Algorithm::Sha512, 20_000_000_000, "47863826"),
    ];
    for (secret, alg, t, want) in table {
        let g = totp(secret, alg, Digits::Eight, Period::Thirty);
        let code = g.generate(t).unwrap();
        assert_eq!(code.code, want, "{alg} at {t}");
        assert_eq!(g.verify(want, t, 0), Some(code.counter), "{alg} at {t}");
        for twin in flipped_twins(want) {
            assert_eq!(g.verify(&twin, t, 0), None, "{alg} at {t}: twin {twin}");
        }
        // The same key under another algorithm gives another code.
        let other = if alg == Algorithm::Sha1 { Algorithm::Sha256 } else { Algorithm::Sha1 };
        assert_ne!(totp(secret, other, Digits::Eight, Period::Thirty).generate(t).unwrap().code, want);
    }
}

#[test]
fn rfc4226_appendix_d() {
    let want = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    let key = b"12345678901234567890";
    for (counter, code) in (0u64..).zip(want) {
        assert_eq!(hotp(key, Algorithm::Sha1, Digits::Six, counter), code, "counter {counter}");
        for twin in flipped_twins(code) {
            assert_ne!(hotp(key, Algorithm::Sha1, Digits::Six, counter), twin.as_str());
        }
    }
}

#[test]
fn counter_u64_max() {
    // From tests/vectors/totp.json `hotp` (reference SDK): counter u64::MAX.
    let g = totp(
        "OPFO2KGJTJRSYZG3ULGUOAYD6A5KU64ORLV5LVEK7BBO3WN5ITXQ====",
        Algorithm::Sha512,
        Digits::Eight,
        Period::Thirty,
    );
    assert_eq!(g.hotp(u64::MAX), "51310233");
    assert_ne!(g.hotp(u64::MAX - 1), "51310233");
}

#[test]
fn timing_fields() {
    let g = totp(RFC_SHA1, Algorithm::Sha1, Digits::Six, Period::Thirty);
    let table: [(u64, u64, u64, u64); 5] = [
        // time, counter, period_start, seconds_remaining
        (0, 0, 0, 30),
        (29, 0, 0, 1),
        (30, 1, 30, 30),
        (59, 1, 30, 1),
        (20_000_000_000, 666_666_666, 19_999_999_980, 10),
    ];
    for (t, counter, start, remaining) in table {
        let c = g.generate(t).unwrap();
        assert_eq!(
            (c.counter, c.period_start, c.period_end, c.seconds_remaining),
            (counter, start, start + 30, remaining),
            "t={t}"
        );
    }
    let g60 = totp(RFC_SHA1, Algorithm::Sha1, Digits::Six, Period::Sixty);
    let c = g60.generate(1_852_297_636).unwrap();
    assert_eq!(
        (c.counter, c.period_start, c.period_end, c.seconds_remaining),
        (30_871_627, 1_852_297_620, 1_852_297_680, 44)
    );
}

#[test]
fn huge_times() {
    for period in [Period::Thirty, Period::Sixty] {
        let g = totp(RFC_SHA1, Algorithm::Sha1, Digits::Six, period);
        let p = period.as_secs();
        let last_start = (u64::MAX / p) * p;
        // The last, incomplete period cannot report its end.
        assert!(last_start.checked_add(p).is_none());
        assert_eq!(g.generate(u64::MAX), Err(TotpError::InvalidTime));
        assert_eq!(g.generate(last_start), Err(TotpError::InvalidTime));
        // The period before it is fine and ends exactly at last_start.
        let c = g.generate(last_start - 1).unwrap();
        assert_eq!(c.period_end, last_start);
        assert_eq!(c.seconds_remaining, 1);
        // Verification never fails on time: the counter is still defined.
        let code = g.hotp(u64::MAX / p);
        assert_eq!(g.verify(code.as_str(), u64::MAX, 255), Some(u64::MAX / p));
    }
}

#[test]
fn fractional_times() {
    let g = totp("TBU2KKNWVTSBK3J7PRAWUCBWH7JTQKLB", Algorithm::Sha1, Digits::Six, Period::Thirty);
    // tests/vectors/totp.json `generate/fractional_time`.
    let c = g.generate_f64(1_852_297_649.999).unwrap();
    assert_eq!((c.code.as_str(), c.seconds_remaining), ("582414", 1));
    let ok: [(f64, u64); 6] = [
        (0.0, 0),
        (-0.0, 0),
        (-0.999, 0), // int(-0.999) == 0 in Python
        (0.999, 0),
        (59.5, 59),
        (18_446_744_073_709_549_568.0, 18_446_744_073_709_549_568), // largest f64 < 2^64
    ];
    for (t, want) in ok {
        assert_eq!(unix_secs_from_f64(t), Ok(want), "{t}");
    }
    for t in [
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -1.0,
        -1.5,
        -1e300,
        18_446_744_073_709_551_616.0,
        1e20,
        f64::MAX,
    ] {
        assert_eq!(unix_secs_from_f64(t), Err(TotpError::InvalidTime), "{t}");
        assert_eq!(g.generate_f64(t), Err(TotpError::InvalidTime), "{t}");
    }
}

#[test]
fn verify_window_edges() {
    for (period, digits) in [(Period::Thirty, Digits::Six), (Period::Sixty, Digits::Eight)] {
        let g = totp(RFC_SHA256, Algorithm::Sha256, digits, period);
        let p = period.as_secs();
        let now = 1_700_000_000 - 1_700_000_000 % p + 7; // 7 s into a step
        let current = g.counter_at(now);
        for window in [0u8, 1, 2, 5] {
            let w = u64::from(window);
            for offset in -(i64::from(window) + 1)..=i64::from(window) + 1 {
                let counter = current.checked_add_signed(offset).unwrap();
                let code = g.hotp(counter);
                // Skip the (rare) codes that collide with an in-window step.
                let collides = (current - w..=current + w).filter(|c| *c != counter).any(|c| g.hotp(c) == code);
                if collides {
                    continue;
                }
                let inside = offset.unsigned_abs() <= w;
                let want = inside.then_some(counter);
                assert_eq!(g.verify(code.as_str(), now, window), want, "window {window}, offset {offset}");
            }
        }
        // The first and last second of a step see the same window.
        let start = current * p;
        let code = g.hotp(current + 1);
        assert_eq!(g.verify(code.as_str(), start, 1), Some(current + 1));
        assert_eq!(g.verify(code.as_str(), start + p - 1, 1), Some(current + 1));
        assert_eq!(g.verify(code.as_str(), start + p - 1, 0), None);
    }
}

#[test]
fn verify_near_zero_skips_negative_steps() {
    let g = totp(RFC_SHA1, Algorithm::Sha1, Digits::Six, Period::Thirty);
    for now in [0u64, 1, 29, 30, 31] {
        let current = g.counter_at(now);
        for counter in 0..=current + 3 {
            let code = g.hotp(counter);
            let want = (counter.abs_diff(current) <= 3).then_some(counter);
            assert_eq!(g.verify(code.as_str(), now, 3), want, "now {now} counter {counter}");
        }
    }
}

#[test]
fn verify_prefers_nearest_step() {
    // Returns the first match in the order 0, -1, +1, ...; with distinct
    // codes that is the step of the code.
    let g = totp(RFC_SHA512, Algorithm::Sha512, Digits::Eight, Period::Thirty);
    let now = 1_111_111_111;
    let c = g.counter_at(now);
    assert_eq!(g.verify(g.hotp(c - 2).as_str(), now, 2), Some(c - 2));
    assert_eq!(g.verify(g.hotp(c + 2).as_str(), now, 2), Some(c + 2));
}

#[test]
fn verify_weird_input_never_panics() {
    let g = totp(RFC_SHA1, Algorithm::Sha1, Digits::Six, Period::Thirty);
    let good = g.generate(59).unwrap().code;
    let inputs = [
        "",
        "1",
        "12345",
        "1234567",
        "abcdef",
        "      ",
        "28708\0",
        "\u{ff12}\u{ff18}",
        "287 082",
        "-28708",
        "+28708",
        "2870821",
        "\u{1d7ce}\u{1d7ce}",
        "\u{ff10}\u{ff10}\u{ff10}\u{ff10}\u{ff10}\u{ff10}",
    ];
    for input in inputs {
        for (now, window) in [(0, 0), (59, 1), (u64::MAX, 255)] {
            let got = g.verify(input, now, window);
            assert_eq!(got, None, "{input:?}");
        }
    }
    // A fullwidth copy of the right code is not the code.
    let fullwidth: String =
        good.as_str().chars().map(|c| char::from_u32(u32::from(c) - 0x30 + 0xFF10).unwrap()).collect();
    assert_eq!(g.verify(&fullwidth, 59, 1), None);
    assert_eq!(g.verify(good.as_str(), 59, 0), Some(1));
}

#[test]
fn otp_code_formatting() {
    let key = b"12345678901234567890";
    // Leading zeros are kept (RFC 6238: "07081804" at 1111111109).
    let g = Totp::new(TotpKey::from_bytes(key).unwrap(), Algorithm::Sha1, Digits::Eight, Period::Thirty);
    let c = g.generate(1_111_111_109).unwrap().code;
    assert_eq!(c.as_str(), "07081804");
    assert_eq!(c.value(), 7_081_804);
    assert_eq!(c.digits(), Digits::Eight);
    assert_eq!(format!("{c}"), "07081804");
    assert_eq!(format!("{c:?}"), "OtpCode(\"07081804\")");
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"07081804\"");
}

#[test]
fn hmac_block_key_equals_new_from_slice() {
    // `hotp` reduces the key to one block itself; compare with the crate's
    // own variable-length constructor for every key length up to 200 bytes.
    fn reference<M: Mac + KeyInit>(key: &[u8], counter: u64, digits: Digits) -> String {
        let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
        mac.update(&counter.to_be_bytes());
        let tag = mac.finalize().into_bytes();
        let off = usize::from(tag[tag.len() - 1] & 0x0f);
        let n = u32::from_be_bytes([tag[off], tag[off + 1], tag[off + 2], tag[off + 3]]) & 0x7fff_ffff;
        format!("{:0w$}", n % digits.modulus(), w = digits.len())
    }
    let bytes: Vec<u8> = (0u8..=199).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
    for len in 0..=200 {
        let key = &bytes[..len];
        for counter in [0u64, 1, u64::MAX] {
            assert_eq!(
                hotp(key, Algorithm::Sha1, Digits::Eight, counter).as_str(),
                reference::<Hmac<sha1::Sha1>>(key, counter, Digits::Eight),
                "sha1 len {len}"
            );
            assert_eq!(
                hotp(key, Algorithm::Sha256, Digits::Six, counter).as_str(),
                reference::<Hmac<sha2::Sha256>>(key, counter, Digits::Six),
                "sha256 len {len}"
            );
            assert_eq!(
                hotp(key, Algorithm::Sha512, Digits::Eight, counter).as_str(),
                reference::<Hmac<sha2::Sha512>>(key, counter, Digits::Eight),
                "sha512 len {len}"
            );
        }
    }
}

#[test]
fn params() {
    assert_eq!(Digits::new(6), Ok(Digits::Six));
    assert_eq!(Digits::new(8), Ok(Digits::Eight));
    for n in [0, 5, 7, 9, 10, u64::MAX] {
        assert_eq!(Digits::new(n), Err(TotpError::InvalidDigits), "{n}");
    }
    assert_eq!(Period::new(30), Ok(Period::Thirty));
    assert_eq!(Period::new(60), Ok(Period::Sixty));
    for n in [0, 1, 29, 31, 45, 59, 61, 90, u64::MAX] {
        assert_eq!(Period::new(n), Err(TotpError::InvalidPeriod), "{n}");
    }
    for (name, alg) in [("sha1", Algorithm::Sha1), ("sha256", Algorithm::Sha256), ("sha512", Algorithm::Sha512)] {
        assert_eq!(Algorithm::from_config_name(name), Ok(alg));
        assert_eq!(name.parse::<Algorithm>(), Ok(alg));
        assert_eq!(Algorithm::from_uri_name(&name.to_ascii_uppercase()), Ok(alg));
        assert_eq!(Algorithm::from_config_name(&name.to_ascii_uppercase()), Err(TotpError::InvalidAlgorithm));
        assert_eq!(alg.as_str(), name);
        assert_eq!(alg.uri_name(), name.to_ascii_uppercase());
    }
    for bad in ["", "md5", "sha-256", "SHA-1", "sha1 ", " sha1", "sha\u{131}", "\u{130}"] {
        assert_eq!(Algorithm::from_uri_name(bad), Err(TotpError::InvalidAlgorithm), "{bad:?}");
    }
    assert_eq!(serde_json::to_string(&(Algorithm::Sha256, Digits::Eight, Period::Sixty)).unwrap(), "[\"sha256\",8,60]");
    assert!(serde_json::from_str::<Digits>("7").is_err());
    assert!(serde_json::from_str::<Period>("45").is_err());
    assert!(serde_json::from_str::<Algorithm>("\"SHA1\"").is_err());
}

#[test]
fn python_int() {
    let table: [(&str, Option<u64>); 30] = [
        ("8", Some(8)),
        ("08", Some(8)),
        ("0008", Some(8)),
        (" 8 ", Some(8)),
        ("\t8\n", Some(8)),
        ("+8", Some(8)),
        ("-8", None),
        ("-0", Some(0)),
        ("3_0", Some(30)),
        ("0_6", Some(6)),
        ("3__0", None),
        ("_30", None),
        ("30_", None),
        ("+_30", None),
        ("+ 30", None),
        ("3 0", None),
        ("", None),
        (" ", None),
        ("+", None),
        ("six", None),
        ("30s", None),
        ("0x1e", None),
        ("\u{ff18}", Some(8)),             // FULLWIDTH DIGIT EIGHT
        ("\u{663}\u{660}", Some(30)),      // ARABIC-INDIC 3 0
        ("\u{1d7d4}", Some(6)),            // MATHEMATICAL BOLD DIGIT SIX
        ("\u{a0}60\u{3000}", Some(60)),    // non-ASCII spaces are spaces
        ("\u{1c}8", None),                 // ASCII separators are not, for int()
        ("\u{11f58}", None),               // Kawi digit: Unicode 15, not in 3.11
        ("99999999999999999999999", None), // > u64::MAX
        ("8\u{0}", None),
    ];
    for (s, want) in table {
        assert_eq!(py_int(s), want, "{s:?}");
    }
    let many_zeros = format!("{}8", "0".repeat(4299));
    assert_eq!(py_int(&many_zeros), Some(8));
    let too_many = format!("{}8", "0".repeat(4300));
    assert_eq!(py_int(&too_many), None, "CPython's 4300-digit limit");
}

#[test]
fn unicode_tables() {
    // Every Nd zero maps to 0 and its run to 0..=9; neighbours do not.
    assert_eq!(decimal_value('0'), Some(0));
    assert_eq!(decimal_value('9'), Some(9));
    assert_eq!(decimal_value('/'), None);
    assert_eq!(decimal_value(':'), None);
    assert_eq!(decimal_value('\u{ff19}'), Some(9));
    assert_eq!(decimal_value('\u{ff1a}'), None);
    assert_eq!(decimal_value('\u{1fbf9}'), Some(9));
    assert_eq!(decimal_value('\u{1fbfa}'), None);
    assert_eq!(decimal_value('\u{10ffff}'), None);
    assert_eq!(decimal_value('\u{b2}'), None, "superscript two is No, not Nd");
    let count = (0..=0x10_FFFFu32).filter_map(char::from_u32).filter(|c| decimal_value(*c).is_some()).count();
    assert_eq!(count, 660, "66 runs of 10 in Unicode 14.0");
    assert_eq!(py_strip("\u{1c}\u{85} x \u{3000}"), "x");
}

#[test]
fn error_codes_and_messages() {
    let all = [
        TotpError::EmptySecret,
        TotpError::InvalidSecret,
        TotpError::SecretTooLong,
        TotpError::MissingSecret,
        TotpError::InvalidAlgorithm,
        TotpError::InvalidDigits,
        TotpError::InvalidPeriod,
        TotpError::InvalidUriScheme { found: UriScheme::new("http") },
        TotpError::UnsupportedOtpType,
        TotpError::InvalidOtpType,
        TotpError::InvalidUri,
        TotpError::InvalidTime,
        TotpError::InvalidConfig,
    ];
    let mut codes: Vec<&str> = all.iter().map(ErrorCode::code).collect();
    assert!(codes.iter().all(|c| c.starts_with("totp.")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    for e in all {
        assert!(e.to_string().starts_with("totp: "), "{e}");
    }
    let scheme = TotpError::InvalidUriScheme { found: UriScheme::new("http") };
    assert_eq!(scheme.to_string(), "totp: invalid URI scheme: expected 'otpauth', got 'http'");
    let long = UriScheme::new(&"x".repeat(40));
    assert!(long.is_truncated());
    assert_eq!(long.as_str().len(), UriScheme::CAPACITY);
    let cut = UriScheme::new(&format!("{}\u{e9}", "x".repeat(31)));
    assert_eq!(cut.as_str(), "x".repeat(31), "cut at a character boundary");
}

/// Tests of the owned config and URIs.
#[cfg(feature = "alloc")]
mod with_alloc {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let secret = "JBSWY3DPEHPK3PXP";
        let g = totp(secret, Algorithm::Sha1, Digits::Six, Period::Thirty);
        let shown = format!("{g:?}");
        assert_eq!(shown, "Totp { key: TotpKey { len: 10, .. }, algorithm: Sha1, digits: Six, period: Thirty }");
        let cfg = TotpConfig::new(secret).unwrap().with_issuer("Example");
        let shown = format!("{cfg:?} {:?}", cfg.key().unwrap());
        assert!(!shown.contains(secret) && !shown.contains("jbsw"), "{shown}");
        assert!(shown.contains("<redacted>") && shown.contains("Example"), "{shown}");
    }

    #[test]
    fn config_construction() {
        let cfg = TotpConfig::new("dato7ecz4qunqrfy7m======").unwrap();
        assert_eq!(cfg.secret(), "dato7ecz4qunqrfy7m======", "kept as given");
        assert_eq!((cfg.algorithm(), cfg.digits(), cfg.period()), (Algorithm::Sha1, Digits::Six, Period::Thirty));
        assert_eq!((cfg.issuer(), cfg.account_name()), (None, None));
        let cfg = cfg
            .with_algorithm(Algorithm::Sha512)
            .with_digits(Digits::Eight)
            .with_period(Period::Sixty)
            .with_issuer("I")
            .with_account_name("a");
        assert_eq!((cfg.issuer(), cfg.account_name()), (Some("I"), Some("a")));
        let too_long = "A".repeat(208);
        let table: [(&str, TotpError); 8] = [
            (&too_long, TotpError::SecretTooLong),
            ("", TotpError::EmptySecret),
            ("  \t", TotpError::EmptySecret),
            ("\u{3000}", TotpError::EmptySecret),
            ("JBSWY3D1", TotpError::InvalidSecret),
            ("WNSD2AXAC", TotpError::InvalidSecret),
            ("JBSW Y3DP", TotpError::InvalidSecret),
            (" JBSWY3DPEHPK3PXP", TotpError::InvalidSecret),
        ];
        for (secret, want) in table {
            assert_eq!(TotpConfig::new(secret), Err(want), "{secret:?}");
        }
        // One flipped character changes the key (and so every code).
        let a = TotpConfig::new("JBSWY3DPEHPK3PXP").unwrap();
        let b = TotpConfig::new("JBSWY3DPEHPK3PXQ").unwrap();
        assert_ne!(a, b);
        assert_ne!(a.generate(59).unwrap().code, b.generate(59).unwrap().code);
        assert_eq!(a.verify(a.generate(59).unwrap().code.as_str(), 59, 0), Ok(Some(1)));
        assert_eq!(b.verify(a.generate(59).unwrap().code.as_str(), 59, 0), Ok(None));
    }

    #[test]
    fn stored_config_json() {
        let ok: [(&str, &str); 6] = [
            (
                r#"{"secret":"JBSWY3DPEHPK3PXP"}"#,
                r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":6,"period":30}"#,
            ),
            // Explicit nulls take the defaults (a deliberate leniency).
            (
                r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":null,"digits":null,"period":null,"issuer":null,"account_name":null}"#,
                r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":6,"period":30}"#,
            ),
            // Unknown keys are ignored; a repeated key keeps its last value.
            (
                r#"{"secret":"AAAAAAAA","x":[1,{"y":2}],"secret":"JBSWY3DPEHPK3PXP","digits":8}"#,
                r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":8,"period":30}"#,
            ),
            (
                r#"{"account_name":"a@b.c","issuer":"X","period":60,"digits":8,"algorithm":"sha256","secret":"jbswy3dpehpk3pxp"}"#,
                r#"{"secret":"jbswy3dpehpk3pxp","algorithm":"sha256","digits":8,"period":60,"issuer":"X","account_name":"a@b.c"}"#,
            ),
            (
                r#"{"secret":"JBSWY3DPEHPK3PXP","issuer":""}"#,
                r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":6,"period":30,"issuer":""}"#,
            ),
            (
                r#"{"secret":"JBSWY3DPEHPK3PXP","account_name":"\u00fc"}"#,
                r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":6,"period":30,"account_name":"ü"}"#,
            ),
        ];
        for (input, want) in ok {
            let cfg = TotpConfig::from_json(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(serde_json::to_string(&cfg).unwrap(), want, "{input}");
            let via_serde: TotpConfig = serde_json::from_str(input).unwrap();
            assert_eq!(via_serde, cfg);
        }
        let bad: [(&str, TotpError); 17] = [
            ("{}", TotpError::MissingSecret),
            (r#"{"secret":null}"#, TotpError::MissingSecret),
            (r#"{"secret":123}"#, TotpError::InvalidSecret),
            (r#"{"secret":""}"#, TotpError::EmptySecret),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1"}"#, TotpError::InvalidAlgorithm),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","algorithm":1}"#, TotpError::InvalidAlgorithm),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","digits":"6"}"#, TotpError::InvalidDigits),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","digits":6.0}"#, TotpError::InvalidDigits),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","digits":-6}"#, TotpError::InvalidDigits),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","digits":true}"#, TotpError::InvalidDigits),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","period":18446744073709551646}"#, TotpError::InvalidPeriod),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","period":[30]}"#, TotpError::InvalidPeriod),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","issuer":5}"#, TotpError::InvalidConfig),
            (r#"{"secret":"JBSWY3DPEHPK3PXP","account_name":{}}"#, TotpError::InvalidConfig),
            (r#"["JBSWY3DPEHPK3PXP"]"#, TotpError::InvalidConfig),
            ("not json", TotpError::InvalidConfig),
            (r#"{"secret":"JBSWY3DPEHPK3PXP""#, TotpError::InvalidConfig),
        ];
        for (input, want) in bad {
            assert_eq!(TotpConfig::from_json(input), Err(want), "{input}");
            let err = serde_json::from_str::<TotpConfig>(input).unwrap_err().to_string();
            assert!(!err.contains("JBSWY3DP"), "{err}");
        }
    }

    #[test]
    fn uri_python_quirks() {
        // (uri, Ok((secret, issuer, account, digits, period)) or Err)
        type Want = Result<(&'static str, Option<&'static str>, Option<&'static str>, u32, u64), TotpError>;
        let s = "secret=JBSWY3DPEHPK3PXP";
        let table: Vec<(String, Want)> = [
            (
                format!("otpauth://totp/Example:alice?{s}&issuer=Example"),
                Ok(("JBSWY3DPEHPK3PXP", Some("Example"), Some("alice"), 6, 30)),
            ),
            // userinfo and port around the host, several leading slashes.
            (format!("otpauth://user:pw@TOTP:99//x:y?{s}"), Ok(("JBSWY3DPEHPK3PXP", Some("x"), Some("y"), 6, 30))),
            // Leading C0/space dropped; tab/CR/LF removed anywhere.
            (
                " \u{1}otp\tauth://to\ntp/x?sec\rret=JBSW\tY3DPEHPK3PXP".to_string(),
                Ok(("JBSWY3DPEHPK3PXP", None, Some("x"), 6, 30)),
            ),
            // A fragment hides what follows; `;` is not a separator.
            (format!("otpauth://totp/x?{s}#&digits=8"), Ok(("JBSWY3DPEHPK3PXP", None, Some("x"), 6, 30))),
            (format!("otpauth://totp/x;p?{s}"), Ok(("JBSWY3DPEHPK3PXP", None, Some("x;p"), 6, 30))),
            (format!("otpauth://totp/x?{s};digits=8"), Err(TotpError::InvalidSecret)),
            // Names are percent-decoded and case-sensitive.
            (
                "otpauth://totp/x?se%63ret=JBSWY3DPEHPK3PXP".to_string(),
                Ok(("JBSWY3DPEHPK3PXP", None, Some("x"), 6, 30)),
            ),
            ("otpauth://totp/x?SECRET=JBSWY3DPEHPK3PXP".to_string(), Err(TotpError::MissingSecret)),
            ("otpauth://totp/x?secret".to_string(), Err(TotpError::MissingSecret)),
            ("otpauth://totp/x?secret=+".to_string(), Err(TotpError::InvalidSecret)),
            // Unicode upper-casing of the secret: "ß" x 8 -> "SS" x 8.
            (
                format!("otpauth://totp/x?secret={}", "%C3%9F".repeat(8)),
                Ok(("SSSSSSSSSSSSSSSS", None, Some("x"), 6, 30)),
            ),
            // Empty label prefix: no issuer (Python keeps ""), account keeps ':'.
            (format!("otpauth://totp/:a:b?{s}"), Ok(("JBSWY3DPEHPK3PXP", None, Some("a:b"), 6, 30))),
            // Invalid UTF-8 becomes U+FFFD.
            (
                format!("otpauth://totp/%E2%82?{s}&issuer=%ff"),
                Ok(("JBSWY3DPEHPK3PXP", Some("\u{fffd}"), Some("\u{fffd}"), 6, 30)),
            ),
            // Digits like int(): spaces, '+', '_', Unicode digits.
            (
                format!("otpauth://totp/x?{s}&digits=+%EF%BC%98+&period=6_0"),
                Ok(("JBSWY3DPEHPK3PXP", None, Some("x"), 8, 60)),
            ),
            (format!("otpauth://totp/x?{s}&digits=%1C8"), Err(TotpError::InvalidDigits)),
            (format!("otpauth://totp/x?{s}&period=%7F60"), Err(TotpError::InvalidPeriod)),
            (
                format!("otpauth://totp/x?{s}&algorithm=SHA1&algorithm=md5&digits=8&digits=7"),
                Ok(("JBSWY3DPEHPK3PXP", None, Some("x"), 8, 30)),
            ),
            // Host forms.
            (format!("otpauth://TOTP%41/x?{s}"), Err(TotpError::InvalidOtpType)),
            (format!("otpauth:totp/x?{s}"), Err(TotpError::InvalidOtpType)),
            (format!("otpauth:///x?{s}"), Err(TotpError::InvalidOtpType)),
            (format!("otpauth://HOTP/x?{s}"), Err(TotpError::UnsupportedOtpType)),
            (format!("otpauth://[::1]/x?{s}"), Err(TotpError::InvalidOtpType)),
            (format!("otpauth://[::1]@totp/x?{s}"), Ok(("JBSWY3DPEHPK3PXP", None, Some("x"), 6, 30))),
            (format!("otpauth://[1.2.3.4]@totp/x?{s}"), Err(TotpError::InvalidUri)),
            (format!("otpauth://[totp]/x?{s}"), Err(TotpError::InvalidUri)),
            (format!("otpauth://totp]/x?{s}"), Err(TotpError::InvalidUri)),
            (format!("otpauth://u\u{2100}@totp/x?{s}"), Err(TotpError::InvalidUri)),
            (format!("otpauth://\u{e9}@totp/x?{s}"), Ok(("JBSWY3DPEHPK3PXP", None, Some("x"), 6, 30))),
            // The IPv6 check comes before the scheme check, as in urlsplit.
            (format!("http://[x]/x?{s}"), Err(TotpError::InvalidUri)),
        ]
        .into_iter()
        .collect();
        for (uri, want) in table {
            let got = parse_uri(&uri).map(|c| {
                (
                    String::from(c.secret()),
                    c.issuer().map(String::from),
                    c.account_name().map(String::from),
                    c.digits().get(),
                    c.period().as_secs(),
                )
            });
            let want = want.map(|(s, i, a, d, p)| (String::from(s), i.map(String::from), a.map(String::from), d, p));
            assert_eq!(got, want, "{uri:?}");
        }
        for (uri, scheme) in [
            ("", ""),
            ("JBSWY3DPEHPK3PXP", ""),
            ("1otpauth://totp/x", ""),
            ("HTTP://totp/x", "http"),
            ("otpauth+x://totp/x", "otpauth+x"),
        ] {
            match parse_uri(uri) {
                Err(TotpError::InvalidUriScheme { found }) => assert_eq!(found.as_str(), scheme, "{uri}"),
                other => panic!("{uri}: {other:?}"),
            }
        }
    }

    #[test]
    fn uri_flipped_twins() {
        let good = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&digits=8";
        assert!(parse_uri(good).is_ok());
        let twins: [(&str, TotpError); 6] = [
            (
                "otpauti://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&digits=8",
                TotpError::InvalidUriScheme { found: UriScheme::new("otpauti") },
            ),
            ("otpauth://totq/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&digits=8", TotpError::InvalidOtpType),
            (
                "otpauth://hotp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&digits=8",
                TotpError::UnsupportedOtpType,
            ),
            ("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PX1&issuer=Example&digits=8", TotpError::InvalidSecret),
            ("otpauth://totp/Example:alice?secres=JBSWY3DPEHPK3PXP&issuer=Example&digits=8", TotpError::MissingSecret),
            ("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&digits=9", TotpError::InvalidDigits),
        ];
        for (uri, want) in twins {
            assert_eq!(parse_uri(uri), Err(want), "{uri}");
        }
    }

    #[test]
    fn uri_round_trips_awkward_configs() {
        let base = || TotpConfig::new("JBSWY3DPEHPK3PXP").unwrap();
        let mut configs = Vec::new();
        configs.push(base());
        for issuer in [
            None,
            Some("Example"),
            Some("a:b"),
            Some(" padded "),
            Some("A+B&C=D#E%F/G?H"),
            Some("Z\u{fc}rich \u{1f600}"),
            Some("tab\tcr\rlf\n"),
        ] {
            for account in
                [None, Some("bob"), Some("a:b:c"), Some("x+y@z.test"), Some("/slash"), Some("%41"), Some("\u{fffd}")]
            {
                let mut c =
                    base().with_algorithm(Algorithm::Sha256).with_digits(Digits::Eight).with_period(Period::Sixty);
                c.set_issuer(issuer.map(String::from));
                c.set_account_name(account.map(String::from));
                configs.push(c);
            }
        }
        for c in configs {
            let uri = c.to_uri();
            assert!(!uri.contains(['\t', '\r', '\n', ' ', '+', '#']), "{uri}");
            assert_eq!(parse_uri(&uri), Ok(c.clone()), "{uri}");
        }
        // Not representable, normalised: lower-case secret, empty issuer,
        // account with surrounding spaces or empty.
        let mut c = TotpConfig::new("jbswy3dpehpk3pxp").unwrap().with_issuer("").with_account_name("  bob ");
        let back = parse_uri(&c.to_uri()).unwrap();
        assert_eq!((back.secret(), back.issuer(), back.account_name()), ("JBSWY3DPEHPK3PXP", None, Some("bob")));
        c.set_account_name(Some(String::new()));
        assert_eq!(parse_uri(&c.to_uri()).unwrap().account_name(), None);
        assert_eq!(
            base().with_issuer("Example").with_account_name("bob").to_uri(),
            "otpauth://totp/Example:bob?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30"
        );
    }
}
