//! Randomness, ids and the emulated clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use inkbox_core::api::time::Timestamp;

static FALLBACK: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);

/// Fills `buf` from the OS; if that ever fails, from a time-seeded mixer
/// (ids only need to be unique, never secret, in an emulator).
pub(crate) fn fill_random(buf: &mut [u8]) {
    if getrandom::fill(buf).is_ok() {
        return;
    }
    for b in buf.iter_mut() {
        let mut x = FALLBACK.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed) ^ real_now_ms() as u64;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        *b = x as u8;
    }
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random lowercase UUIDv4.
pub(crate) fn uuid4() -> String {
    let mut b = [0u8; 16];
    fill_random(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    fill_random(&mut b);
    hex(&b)
}

/// Random decimal digits.
pub(crate) fn random_digits(n: usize) -> String {
    let mut b = vec![0u8; n];
    fill_random(&mut b);
    b.iter().map(|x| char::from(b'0' + x % 10)).collect()
}

/// Real wall-clock milliseconds since the epoch.
pub(crate) fn real_now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The emulated clock given an offset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    pub(crate) now_ms: i64,
}

impl Clock {
    pub(crate) fn with_offset(offset_ms: i64) -> Self {
        Clock { now_ms: real_now_ms().saturating_add(offset_ms) }
    }

    pub(crate) fn timestamp(self) -> Timestamp {
        let secs = self.now_ms.div_euclid(1000);
        let millis = self.now_ms.rem_euclid(1000) as u32;
        Timestamp::from_unix(secs, millis * 1_000_000)
    }

    /// Epoch seconds as a JSON number (whoami).
    pub(crate) fn secs_f64(self) -> f64 {
        self.now_ms as f64 / 1000.0
    }
}

/// Epoch seconds of a timestamp as a float (whoami).
pub(crate) fn ts_secs_f64(t: Timestamp) -> f64 {
    t.unix_seconds() as f64 + f64::from(t.subsec_nanos()) / 1e9
}
