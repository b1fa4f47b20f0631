//! Recovery codes.

use core::fmt;

use rand_core::TryCryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::VaultError;

/// The 31 recovery-code symbols: digits and uppercase letters without the
/// look-alikes `0`, `1`, `I`, `L`, `O`.
pub const RECOVERY_CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Groups in a recovery code.
pub const RECOVERY_CODE_GROUPS: usize = 8;
/// Symbols per group.
pub const RECOVERY_CODE_GROUP_LEN: usize = 4;
/// Length of a recovery code: 8 groups of 4 joined by `-`.
pub const RECOVERY_CODE_LEN: usize = RECOVERY_CODE_GROUPS * (RECOVERY_CODE_GROUP_LEN + 1) - 1;

/// A recovery code such as `DYZ7-D9BX-UU6X-59JD-NTYY-8ND2-7DVM-GFS9`
/// (39 ASCII characters, no allocation, ≈ 158 bits).
///
/// Its text, exactly as shown (uppercase, with hyphens), is the Argon2
/// password of a recovery vault key. Zeroized on drop; `Debug` is redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryCode([u8; RECOVERY_CODE_LEN]);

impl RecoveryCode {
    /// Draws a code from the caller's CSPRNG.
    ///
    /// Each symbol is uniform over the 31-symbol alphabet: random bytes are
    /// masked to 5 bits and values ≥ 31 are rejected and redrawn (rejection
    /// sampling — no modulo bias).
    ///
    /// # Errors
    /// [`VaultError::Rng`] if the generator fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, VaultError> {
        let mut code = Self([b'-'; RECOVERY_CODE_LEN]);
        // 32 symbols need ~33 bytes on average; refill when exhausted.
        let mut pool = [0u8; 48];
        let mut used = pool.len();
        let mut result = Ok(());
        'fill: for (i, slot) in code.0.iter_mut().enumerate() {
            if i % (RECOVERY_CODE_GROUP_LEN + 1) == RECOVERY_CODE_GROUP_LEN {
                continue; // the hyphen
            }
            loop {
                if used == pool.len() {
                    if rng.try_fill_bytes(&mut pool).is_err() {
                        result = Err(VaultError::Rng);
                        break 'fill;
                    }
                    used = 0;
                }
                let candidate = pool.get(used).copied().unwrap_or(0xff) & 0x1f;
                used += 1;
                if let Some(&symbol) = RECOVERY_CODE_ALPHABET.get(usize::from(candidate)) {
                    *slot = symbol;
                    break;
                }
            }
        }
        pool.zeroize();
        result.map(|()| code)
    }

    /// The code text (the Argon2 password of its recovery key).
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only alphabet symbols and hyphens are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    extern crate std;
    use std::format;

    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{SeedableRng as _, TryRng};

    #[test]
    fn format_and_alphabet() {
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let code = RecoveryCode::generate(&mut rng).unwrap();
        let text = code.as_str();
        assert_eq!(text.len(), 39);
        let groups: std::vec::Vec<&str> = text.split('-').collect();
        assert_eq!(groups.len(), 8);
        for g in groups {
            assert_eq!(g.len(), 4);
            assert!(g.bytes().all(|b| RECOVERY_CODE_ALPHABET.contains(&b)), "{text}");
        }
        assert_eq!(format!("{code:?}"), "RecoveryCode(<redacted>)");
        assert!(!format!("{code:?}").contains(&text[..4]));
        // Deterministic for a seeded generator, different across draws.
        let again = RecoveryCode::generate(&mut ChaCha20Rng::seed_from_u64(42)).unwrap();
        assert_eq!(again.as_str(), text);
        assert_ne!(RecoveryCode::generate(&mut rng).unwrap().as_str(), text);
    }

    #[test]
    fn uniform_over_alphabet() {
        // 4000 codes × 32 symbols = 128 000 draws; expected 4129 per symbol.
        let mut rng = ChaCha20Rng::seed_from_u64(2024);
        let mut counts = [0u32; 31];
        for _ in 0..4000 {
            let code = RecoveryCode::generate(&mut rng).unwrap();
            for b in code.as_str().bytes().filter(|&b| b != b'-') {
                let idx = RECOVERY_CODE_ALPHABET.iter().position(|&a| a == b).unwrap();
                counts[idx] += 1;
            }
        }
        let total: u32 = counts.iter().sum();
        assert_eq!(total, 128_000);
        let expected = f64::from(total) / 31.0;
        let chi2: f64 = counts.iter().map(|&c| (f64::from(c) - expected).powi(2) / expected).sum();
        // 30 degrees of freedom: p = 0.001 at chi² ≈ 59.7.
        assert!(chi2 < 59.7, "chi² = {chi2}, counts = {counts:?}");
        // With modulo bias (byte % 31) the first 8 symbols would be ~3% more
        // frequent; check the halves are balanced too.
        let low: u32 = counts[..8].iter().sum();
        let low_expected = expected * 8.0;
        assert!((f64::from(low) - low_expected).abs() < low_expected * 0.02, "{counts:?}");
    }

    struct FailingRng;
    impl TryRng for FailingRng {
        type Error = core::fmt::Error;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_fill_bytes(&mut self, _dst: &mut [u8]) -> Result<(), Self::Error> {
            Err(core::fmt::Error)
        }
    }
    impl rand_core::TryCryptoRng for FailingRng {}

    #[test]
    fn rng_failure_is_reported() {
        assert!(matches!(RecoveryCode::generate(&mut FailingRng), Err(VaultError::Rng)));
    }
}
