//! TOTP benchmarks: generation from a parsed config, generation including the
//! base32 decode, `otpauth://` parsing, and ±1-step verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use inkbox_core::totp::{Algorithm, Digits, Period, Totp, TotpConfig, parse_uri};

/// A typical Google Authenticator-style URI (160-bit secret, issuer twice).
const URI: &str = "otpauth://totp/Example:alice@example.com?secret=VPX4VCWKRE35ETQDJLF63TITAHWLI2MJ&issuer=Example";
const NOW: u64 = 1_852_297_636;

fn bench_totp(c: &mut Criterion) {
    let mut group = c.benchmark_group("totp");

    let config = TotpConfig::from_json(r#"{"secret":"VPX4VCWKRE35ETQDJLF63TITAHWLI2MJ"}"#).unwrap();
    let generator = config.generator().unwrap();
    group.bench_function("generate_sha1", |b| {
        b.iter(|| black_box(&generator).generate(black_box(NOW)).unwrap());
    });

    group.bench_function("generate_from_base32", |b| {
        b.iter(|| {
            Totp::from_base32(
                black_box("VPX4VCWKRE35ETQDJLF63TITAHWLI2MJ"),
                Algorithm::Sha1,
                Digits::Six,
                Period::Thirty,
            )
            .unwrap()
            .generate(black_box(NOW))
            .unwrap()
        });
    });

    group.bench_function("uri_parse", |b| {
        b.iter(|| parse_uri(black_box(URI)).unwrap());
    });

    let code = generator.generate(NOW + 30).unwrap().code;
    group.bench_function("verify_window1", |b| {
        b.iter(|| {
            let matched = black_box(&generator).verify(black_box(code.as_str()), NOW, 1);
            assert!(matched.is_some());
        });
    });

    group.finish();
}

criterion_group!(benches, bench_totp);
criterion_main!(benches);
