//! HOTP (RFC 4226) and TOTP (RFC 6238) generation and verification. No
//! allocation, no panics.

use core::fmt;

use hmac::digest::block_api::EagerHash;
use hmac::digest::{Digest, Key};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Serialize, Serializer};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use super::{Algorithm, Digits, Period, TotpError, TotpKey};

/// A one-time code: 6 or 8 ASCII digits, zero-padded, stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OtpCode {
    /// The digits; bytes past `digits.len()` are zero.
    buf: [u8; 8],
    digits: Digits,
}

impl OtpCode {
    /// Formats `value % 10^digits`, left-padded with zeros.
    fn new(value: u32, digits: Digits) -> Self {
        let mut buf = [0u8; 8];
        let mut n = value % digits.modulus();
        for slot in buf.iter_mut().take(digits.len()).rev() {
            // `n % 10 < 10`, so the cast cannot truncate.
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        Self { buf, digits }
    }

    /// The code, e.g. `"094287"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The code as ASCII bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.digits.len()).unwrap_or(&[])
    }

    /// How many digits the code has.
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.digits
    }

    /// The code as a number (leading zeros lost).
    #[must_use]
    pub fn value(&self) -> u32 {
        self.as_bytes().iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
    }
}

impl fmt::Display for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OtpCode").field(&self.as_str()).finish()
    }
}

impl PartialEq<str> for OtpCode {
    /// Plain (not constant-time) comparison; use [`Totp::verify`] to check
    /// a submitted code.
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for OtpCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for OtpCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A TOTP code with its timing, as the reference's `TOTPCode` (plus the
/// counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TotpCode {
    /// The code.
    pub code: OtpCode,
    /// The HOTP counter: `floor(time / period)`.
    pub counter: u64,
    /// Unix time at which this code became valid: `counter * period`.
    pub period_start: u64,
    /// Unix time at which it expires: `period_start + period`.
    pub period_end: u64,
    /// `period_end - time`, from 1 to `period`.
    pub seconds_remaining: u64,
}

/// Converts fractional Unix seconds to whole seconds the way the reference
/// does (`int(time)`: truncation toward zero, so `-0.5` gives 0).
///
/// # Errors
/// [`TotpError::InvalidTime`] for NaN, infinities, values that truncate
/// below zero (Python would fail packing a negative counter) and values of
/// 2^64 or more.
pub fn unix_secs_from_f64(secs: f64) -> Result<u64, TotpError> {
    // 2^64 as an f64, exactly.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    // NaN fails both comparisons.
    let in_range = secs > -1.0 && secs < LIMIT;
    if !in_range {
        return Err(TotpError::InvalidTime);
    }
    // In range, so the saturating cast is an exact truncation toward zero.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(secs as u64)
}

/// HMAC-`D`(key, msg), written to the front of `out`; returns the length.
///
/// The key is reduced to one block as RFC 2104 says (hashed if longer than a
/// block, then zero-padded) so that the infallible `KeyInit::new` can be
/// used; this equals `new_from_slice` for every key (tested).
fn hmac_into<D>(key: &[u8], msg: &[u8], out: &mut [u8; 64]) -> usize
where
    D: EagerHash + Digest,
    Hmac<D>: KeyInit + Mac,
{
    let mut block = Key::<Hmac<D>>::default();
    if key.len() <= block.len() {
        block.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    } else {
        let mut hashed = D::digest(key);
        block.iter_mut().zip(hashed.iter()).for_each(|(d, s)| *d = *s);
        hashed.as_mut_slice().zeroize();
    }
    let mut mac = <Hmac<D> as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    Mac::update(&mut mac, msg);
    let tag = mac.finalize().into_bytes();
    out.iter_mut().zip(tag.iter()).for_each(|(d, s)| *d = *s);
    tag.len()
}

/// RFC 4226 dynamic truncation of an HMAC tag (at least 20 bytes).
fn dynamic_truncate(tag: &[u8]) -> u32 {
    let offset = usize::from(tag.last().copied().unwrap_or(0) & 0x0f);
    let mut word = [0u8; 4];
    word.iter_mut().zip(tag.iter().skip(offset)).for_each(|(d, s)| *d = *s);
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// An HOTP code (RFC 4226): HMAC over the 8-byte big-endian counter, dynamic
/// truncation, `mod 10^digits`. Keys of any length are accepted.
#[must_use]
pub fn hotp(key: &[u8], algorithm: Algorithm, digits: Digits, counter: u64) -> OtpCode {
    let msg = counter.to_be_bytes();
    let mut tag = [0u8; 64];
    let len = match algorithm {
        Algorithm::Sha1 => hmac_into::<Sha1>(key, &msg, &mut tag),
        Algorithm::Sha256 => hmac_into::<Sha256>(key, &msg, &mut tag),
        Algorithm::Sha512 => hmac_into::<Sha512>(key, &msg, &mut tag),
    };
    let value = dynamic_truncate(tag.get(..len).unwrap_or(&tag));
    tag.zeroize();
    OtpCode::new(value, digits)
}

/// A TOTP generator/verifier: key, algorithm, digits and period. No
/// allocation; the key is zeroized on drop and hidden from `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Totp {
    key: TotpKey,
    algorithm: Algorithm,
    digits: Digits,
    period: Period,
}

impl Totp {
    /// A generator for a decoded key.
    #[must_use]
    pub const fn new(key: TotpKey, algorithm: Algorithm, digits: Digits, period: Period) -> Self {
        Self { key, algorithm, digits, period }
    }

    /// A generator for a borrowed base32 secret (decoded with
    /// [`TotpKey::from_base32`]): the no-`alloc` path.
    ///
    /// # Errors
    /// The secret's errors ([`TotpError::EmptySecret`],
    /// [`TotpError::InvalidSecret`], [`TotpError::SecretTooLong`]).
    pub fn from_base32(secret: &str, algorithm: Algorithm, digits: Digits, period: Period) -> Result<Self, TotpError> {
        Ok(Self::new(TotpKey::from_base32(secret)?, algorithm, digits, period))
    }

    /// The hash algorithm.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits.
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.digits
    }

    /// The period.
    #[must_use]
    pub const fn period(&self) -> Period {
        self.period
    }

    /// The key.
    #[must_use]
    pub const fn key(&self) -> &TotpKey {
        &self.key
    }

    /// The TOTP counter (time step) at `unix_secs`.
    #[must_use]
    pub const fn counter_at(&self, unix_secs: u64) -> u64 {
        unix_secs / self.period.as_secs()
    }

    /// The HOTP code for `counter` with this key, algorithm and digits.
    #[must_use]
    pub fn hotp(&self, counter: u64) -> OtpCode {
        hotp(self.key.as_bytes(), self.algorithm, self.digits, counter)
    }

    /// The code valid at `unix_secs`, with its timing.
    ///
    /// # Errors
    /// [`TotpError::InvalidTime`] when the end of the period would not fit in
    /// a `u64` (times within one period of `u64::MAX`).
    pub fn generate(&self, unix_secs: u64) -> Result<TotpCode, TotpError> {
        let period = self.period.as_secs();
        let counter = unix_secs / period;
        // `counter * period <= unix_secs`, so this cannot overflow.
        let period_start = counter.checked_mul(period).ok_or(TotpError::InvalidTime)?;
        let period_end = period_start.checked_add(period).ok_or(TotpError::InvalidTime)?;
        let seconds_remaining = period_end.checked_sub(unix_secs).ok_or(TotpError::InvalidTime)?;
        Ok(TotpCode { code: self.hotp(counter), counter, period_start, period_end, seconds_remaining })
    }

    /// [`generate`](Self::generate) at fractional Unix seconds, truncated as
    /// in [`unix_secs_from_f64`].
    ///
    /// # Errors
    /// [`TotpError::InvalidTime`] for NaN, infinite, negative (below `-1`
    /// exclusive) or too large times.
    pub fn generate_f64(&self, unix_secs: f64) -> Result<TotpCode, TotpError> {
        self.generate(unix_secs_from_f64(unix_secs)?)
    }

    /// Checks a submitted code against the steps within `window` periods of
    /// `unix_secs` (the current step, then -1, +1, -2, +2, ...), returning the
    /// counter of the first step that matches.
    ///
    /// Every step in the window is computed and compared in constant time;
    /// no comparison stops early on the code's bytes. A code of the wrong
    /// length (or with non-digits) simply does not match. Steps before
    /// counter 0 do not exist and are skipped. To refuse replays, remember
    /// the returned counter and reject codes whose counter is not greater.
    #[must_use]
    pub fn verify(&self, code: &str, unix_secs: u64, window: u8) -> Option<u64> {
        let submitted = code.as_bytes();
        // The length is public (it is the configured digit count).
        if submitted.len() != self.digits.len() {
            return None;
        }
        let mut padded = [0u8; 8];
        padded.iter_mut().zip(submitted).for_each(|(d, s)| *d = *s);
        let current = self.counter_at(unix_secs);
        let mut found = Choice::from(0);
        let mut matched = 0u64;
        for distance in 0..=u64::from(window) {
            let behind = current.checked_sub(distance);
            // `current <= u64::MAX / 30`, so `current + 255` cannot overflow.
            let ahead = if distance == 0 { None } else { current.checked_add(distance) };
            for counter in [behind, ahead].into_iter().flatten() {
                let candidate = self.hotp(counter);
                let equal = candidate.buf.as_slice().ct_eq(padded.as_slice());
                matched.conditional_assign(&counter, equal & !found);
                found |= equal;
            }
        }
        padded.zeroize();
        if bool::from(found) { Some(matched) } else { None }
    }
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("key", &self.key)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish()
    }
}
