//! Vault key → master key derivation (Argon2id v0x13).

use zeroize::Zeroize as _;

use super::VaultError;
use super::hazmat::{self, Argon2idParams, Block};
use super::keys::{KEY_LEN, MasterKey};

/// Minimum salt length Argon2 accepts (bytes of the UTF-8 organization id).
pub const MIN_SALT_LEN: usize = 8;

/// Argon2id cost parameters, checked against a floor and a ceiling.
///
/// Inkbox uses the fixed [`KdfParams::INKBOX`] (m = 64 MiB, t = 3, p = 1,
/// 32-byte output). Any other parameters — for instance, should a server ever
/// send them — must pass [`KdfParams::new`]:
///
/// | | floor | ceiling | why |
/// |---|---|---|---|
/// | `m_cost_kib` | 19 456 (19 MiB) | 262 144 (256 MiB) | floor: OWASP's minimum Argon2id configuration (m = 19 MiB, t = 2, p = 1); ceiling: a hostile or buggy server must not be able to exhaust a phone's memory |
/// | `t_cost` | 2 | 10 | floor: OWASP minimum at 19 MiB; ceiling: bounds CPU time (≈ 1 s per 64 MiB pass-triple on a laptop, more on phones) |
/// | `p_cost` | 1 | 4 | lanes run sequentially in core; more lanes add no security here |
///
/// The output length is always 32 bytes (an AES-256 key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

impl KdfParams {
    /// The parameters of every Inkbox vault: Argon2id v0x13, t = 3,
    /// m = 65 536 KiB, p = 1.
    pub const INKBOX: Self = Self { m_cost_kib: 65_536, t_cost: 3, p_cost: 1 };

    /// Smallest accepted memory cost (KiB).
    pub const MIN_M_COST_KIB: u32 = 19 * 1024;
    /// Largest accepted memory cost (KiB): 256 MiB.
    pub const MAX_M_COST_KIB: u32 = 256 * 1024;
    /// Smallest accepted number of passes.
    pub const MIN_T_COST: u32 = 2;
    /// Largest accepted number of passes.
    pub const MAX_T_COST: u32 = 10;
    /// Smallest accepted parallelism.
    pub const MIN_P_COST: u32 = 1;
    /// Largest accepted parallelism.
    pub const MAX_P_COST: u32 = 4;

    /// Checks parameters against the floor and ceiling (see the type docs).
    ///
    /// # Errors
    /// [`VaultError::InvalidKdfParams`] if any parameter is out of range.
    pub const fn new(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Result<Self, VaultError> {
        if m_cost_kib < Self::MIN_M_COST_KIB
            || m_cost_kib > Self::MAX_M_COST_KIB
            || t_cost < Self::MIN_T_COST
            || t_cost > Self::MAX_T_COST
            || p_cost < Self::MIN_P_COST
            || p_cost > Self::MAX_P_COST
        {
            return Err(VaultError::InvalidKdfParams);
        }
        Ok(Self { m_cost_kib, t_cost, p_cost })
    }

    /// Memory cost in KiB.
    #[must_use]
    pub const fn m_cost_kib(&self) -> u32 {
        self.m_cost_kib
    }

    /// Number of passes.
    #[must_use]
    pub const fn t_cost(&self) -> u32 {
        self.t_cost
    }

    /// Parallelism (lanes).
    #[must_use]
    pub const fn p_cost(&self) -> u32 {
        self.p_cost
    }

    /// Number of 1 KiB [`Block`]s a derivation needs: `m_cost_kib` rounded
    /// down to a multiple of `4 * p_cost`.
    #[must_use]
    pub const fn block_count(&self) -> usize {
        let per = 4 * self.p_cost;
        ((self.m_cost_kib / per) * per) as usize
    }

    const fn raw(&self) -> Argon2idParams {
        Argon2idParams { m_cost_kib: self.m_cost_kib, t_cost: self.t_cost, p_cost: self.p_cost }
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::INKBOX
    }
}

/// Number of [`Block`]s (64 MiB) the Inkbox parameters need; the size of the
/// `memory` argument of [`derive_master_key_with_memory`].
pub const INKBOX_KDF_BLOCKS: usize = KdfParams::INKBOX.block_count();

/// Derives the master key from a vault key or recovery code, using
/// caller-provided Argon2 working memory (no allocation).
///
/// `password` is the vault key or recovery code exactly as typed (UTF-8, no
/// normalization); the salt is the UTF-8 `organization_id`. `memory` must hold
/// at least [`KdfParams::block_count`] blocks ([`INKBOX_KDF_BLOCKS`] for
/// [`KdfParams::INKBOX`]); it can be reused across calls and is zeroized after
/// each one.
///
/// Slow by design (≈ 0.3 s on a laptop): run it off the UI thread.
///
/// # Errors
/// - [`VaultError::SaltTooShort`] if `organization_id` is shorter than 8 bytes.
/// - [`VaultError::OutOfMemory`] if `memory` is too small.
pub fn derive_master_key_with_memory(
    password: &str,
    organization_id: &str,
    params: &KdfParams,
    memory: &mut [Block],
) -> Result<MasterKey, VaultError> {
    if organization_id.len() < MIN_SALT_LEN {
        return Err(VaultError::SaltTooShort);
    }
    let mut out = [0u8; KEY_LEN];
    hazmat::argon2id(params.raw(), password.as_bytes(), organization_id.as_bytes(), memory, &mut out)?;
    let key = MasterKey::from_bytes(out);
    out.zeroize();
    Ok(key)
}

/// Allocates `blocks` Argon2 blocks, failing (instead of aborting) if the
/// memory is not available.
#[cfg(feature = "alloc")]
fn allocate_blocks(blocks: usize) -> Result<alloc::vec::Vec<Block>, VaultError> {
    let mut memory = alloc::vec::Vec::new();
    memory.try_reserve_exact(blocks).map_err(|_| VaultError::OutOfMemory)?;
    memory.resize(blocks, Block::new());
    Ok(memory)
}

/// [`derive_master_key_with_memory`] with [`KdfParams::INKBOX`], allocating
/// (and afterwards zeroizing and freeing) the 64 MiB of working memory.
///
/// # Errors
/// - [`VaultError::SaltTooShort`] if `organization_id` is shorter than 8 bytes.
/// - [`VaultError::OutOfMemory`] if 64 MiB cannot be allocated.
#[cfg(feature = "alloc")]
pub fn derive_master_key(password: &str, organization_id: &str) -> Result<MasterKey, VaultError> {
    derive_master_key_with_params(password, organization_id, &KdfParams::INKBOX)
}

/// [`derive_master_key`] with other (checked) parameters.
///
/// # Errors
/// As [`derive_master_key`].
#[cfg(feature = "alloc")]
pub fn derive_master_key_with_params(
    password: &str,
    organization_id: &str,
    params: &KdfParams,
) -> Result<MasterKey, VaultError> {
    if organization_id.len() < MIN_SALT_LEN {
        return Err(VaultError::SaltTooShort);
    }
    let mut memory = allocate_blocks(params.block_count())?;
    derive_master_key_with_memory(password, organization_id, params, &mut memory)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    #[test]
    fn params_floor_and_ceiling() {
        assert_eq!(KdfParams::new(65_536, 3, 1), Ok(KdfParams::INKBOX));
        assert_eq!(KdfParams::INKBOX.block_count(), 65_536);
        assert_eq!(INKBOX_KDF_BLOCKS, 65_536);
        let bad = [
            (19 * 1024 - 1, 3, 1),
            (256 * 1024 + 1, 3, 1),
            (u32::MAX, 3, 1),
            (65_536, 1, 1),
            (65_536, 11, 1),
            (65_536, 3, 0),
            (65_536, 3, 5),
        ];
        for (m, t, p) in bad {
            assert_eq!(KdfParams::new(m, t, p), Err(VaultError::InvalidKdfParams), "{m} {t} {p}");
        }
        for (m, t, p) in [(19 * 1024, 2, 1), (256 * 1024, 10, 4)] {
            assert!(KdfParams::new(m, t, p).is_ok());
        }
        // block_count matches argon2's own rounding.
        let p = KdfParams::new(19 * 1024 + 13, 2, 3).unwrap();
        assert_eq!(Ok(p.block_count()), p.raw().block_count());
    }

    #[test]
    fn short_salt_and_small_memory_are_errors() {
        let params = KdfParams::new(KdfParams::MIN_M_COST_KIB, 2, 1).unwrap();
        let mut memory = [Block::new(); 16];
        assert_eq!(derive_master_key_with_memory("pw", "org_abc", &params, &mut memory), Err(VaultError::SaltTooShort));
        assert_eq!(derive_master_key_with_memory("pw", "org_abcd", &params, &mut memory), Err(VaultError::OutOfMemory));
    }
}
