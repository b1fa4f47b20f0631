//! Arbitrary bytes as an `otpauth://` URI: parsing never panics; whatever
//! parses survives `to_uri` -> `parse_uri` unchanged and generates and
//! verifies codes at any time without panicking.
#![no_main]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use inkbox_core::totp::{TotpError, parse_uri};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = parse_uri(text) else {
        return;
    };

    let uri = config.to_uri();
    let again = parse_uri(&uri).unwrap_or_else(|e| panic!("to_uri output rejected ({e}): {uri}"));
    assert_eq!(again, config, "round trip changed the config: {uri}");
    assert_eq!(again.to_uri(), uri, "to_uri is not stable");

    let generator = config.generator().expect("a parsed config always decodes");
    for t in [0, 59, 1_852_297_636, 20_000_000_000, u64::MAX / 2, u64::MAX - 61, u64::MAX] {
        match generator.generate(t) {
            Ok(code) => {
                assert_eq!(code.code.as_str().len(), generator.digits().get() as usize);
                assert!(code.period_start <= t && t < code.period_end);
                assert_eq!(generator.verify(code.code.as_str(), t, 1), Some(code.counter));
            }
            Err(e) => assert_eq!(e, TotpError::InvalidTime),
        }
        let _ = generator.verify(text, t, 2);
    }
    // Fractional times taken from the input's length and bytes.
    let t = f64::from_bits(data.iter().fold(data.len() as u64, |acc, b| acc.rotate_left(8) ^ u64::from(*b)));
    let _ = generator.generate_f64(t);
});
