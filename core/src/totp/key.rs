//! The shared secret: base32 decoding with the reference's exact rules, into a
//! fixed, zeroized buffer.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::TotpError;
use super::pycompat::py_strip;

/// The longest decoded key [`TotpKey`] holds, in bytes.
///
/// RFC 6238 keys are 20 (SHA-1), 32 (SHA-256) or 64 (SHA-512) bytes and
/// authenticator secrets are usually 10-20 bytes; 128 bytes (a 205-character
/// base32 secret) is the SHA-512 block size, beyond which HMAC would hash the
/// key first anyway. Longer secrets fail with [`TotpError::SecretTooLong`].
pub const MAX_KEY_LEN: usize = 128;

/// A decoded TOTP/HOTP key, held in a fixed buffer (no allocation) that is
/// zeroized on drop. `Debug` shows only the length.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TotpKey {
    bytes: [u8; MAX_KEY_LEN],
    len: usize,
}

impl TotpKey {
    /// Decodes a base32 secret exactly as the reference does (see the module
    /// docs, "Secrets"): upper-cased, padded with `=` to a multiple of 8, then
    /// Python's `base64.b32decode`.
    ///
    /// # Errors
    /// [`TotpError::EmptySecret`] for an empty or whitespace-only secret,
    /// [`TotpError::InvalidSecret`] for anything `b32decode` rejects,
    /// [`TotpError::SecretTooLong`] beyond [`MAX_KEY_LEN`] bytes.
    pub fn from_base32(secret: &str) -> Result<Self, TotpError> {
        if py_strip(secret).is_empty() {
            return Err(TotpError::EmptySecret);
        }
        decode_base32(secret)
    }

    /// Wraps raw key bytes (for example the ASCII seeds of RFC 6238).
    ///
    /// # Errors
    /// [`TotpError::EmptySecret`] for an empty key,
    /// [`TotpError::SecretTooLong`] beyond [`MAX_KEY_LEN`] bytes.
    pub fn from_bytes(key: &[u8]) -> Result<Self, TotpError> {
        if key.is_empty() {
            return Err(TotpError::EmptySecret);
        }
        let mut out = Self { bytes: [0; MAX_KEY_LEN], len: key.len() };
        out.bytes.get_mut(..key.len()).ok_or(TotpError::SecretTooLong)?.copy_from_slice(key);
        Ok(out)
    }

    /// The key bytes. Handle with care: this is the shared secret.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// The key length in bytes (at least 1).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: an empty key cannot be built.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl PartialEq for TotpKey {
    /// Constant time in the key bytes (the lengths are compared first).
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl Eq for TotpKey {}

impl fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpKey").field("len", &self.len).finish_non_exhaustive()
    }
}

/// The value of an RFC 4648 base32 character (upper case only).
const fn b32_value(c: char) -> Option<u8> {
    match c {
        // The casts cannot truncate: the ranges are ASCII.
        'A'..='Z' => Some(c as u8 - b'A'),
        '2'..='7' => Some(c as u8 - b'2' + 26),
        _ => None,
    }
}

/// The reference's `_b32decode(secret)` without its callers' emptiness check:
///
/// ```python
/// padded = secret.upper() + "=" * (-len(secret) % 8)
/// return base64.b32decode(padded)   # any exception -> invalid secret
/// ```
///
/// and CPython's `b32decode` (3.11): ASCII only; total length a multiple of
/// 8; trailing `=` stripped and counted, which must be 0, 1, 3, 4 or 6; every
/// other character in `A-Z2-7` (so `=` inside, lower case after `upper()`,
/// whitespace, `0`, `1`, `8`, `9` fail); bits left over after the last whole
/// byte are ignored, whatever their value.
///
/// `len(secret)` counts code points of the *original* string and `upper()` is
/// Unicode's full upper-casing (`ß` -> `SS`, `ſ` -> `S`, `ﬀ` -> `FF`), which
/// `char::to_uppercase` reproduces; only ten non-ASCII characters upper-case
/// to ASCII at all, and the tests pin them.
///
/// Returns [`TotpError::EmptySecret`] for `""` (where Python would return an
/// empty key), which no caller lets through.
pub(crate) fn decode_base32(secret: &str) -> Result<TotpKey, TotpError> {
    if secret.is_ascii() {
        // Fast path, same result: ASCII upper-casing is one-to-one.
        decode_upper(secret.len(), || secret.bytes().map(|b| char::from(b.to_ascii_uppercase())))
    } else {
        decode_upper(secret.chars().count(), || secret.chars().flat_map(char::to_uppercase))
    }
}

/// [`decode_base32`] over the upper-cased characters (`upper` yields them
/// afresh on each call) of a secret of `code_points` characters.
fn decode_upper<I: Iterator<Item = char>>(code_points: usize, upper: impl Fn() -> I) -> Result<TotpKey, TotpError> {
    let pad = (8 - code_points % 8) % 8;

    // Pass 1: validate, count.
    let mut total = 0usize;
    let mut data = 0usize;
    let mut trailing_eq = 0usize;
    for c in upper() {
        total += 1;
        if c == '=' {
            trailing_eq += 1;
        } else if trailing_eq > 0 || b32_value(c).is_none() {
            // `=` before a data character, or not in the alphabet.
            return Err(TotpError::InvalidSecret);
        } else {
            data += 1;
        }
    }
    if total == 0 {
        return Err(TotpError::EmptySecret);
    }
    let padchars = trailing_eq + pad;
    if !(total + pad).is_multiple_of(8) || !matches!(padchars, 0 | 1 | 3 | 4 | 6) {
        return Err(TotpError::InvalidSecret);
    }
    let out_len = data * 5 / 8;
    if out_len > MAX_KEY_LEN {
        return Err(TotpError::SecretTooLong);
    }

    // Pass 2: decode, dropping the bits after the last whole byte.
    let mut key = TotpKey { bytes: [0; MAX_KEY_LEN], len: out_len };
    let mut acc: u16 = 0;
    let mut nbits: u32 = 0;
    let mut out = key.bytes.iter_mut().take(out_len);
    for v in upper().filter_map(b32_value) {
        acc = (acc << 5) | u16::from(v);
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            match out.next() {
                // Truncation intended: the top byte of the accumulator.
                Some(slot) => *slot = (acc >> nbits) as u8,
                None => break,
            }
            acc &= (1u16 << nbits) - 1;
        }
    }
    acc.zeroize();
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    extern crate std;
    use std::format;
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    fn dec(s: &str) -> Result<Vec<u8>, TotpError> {
        TotpKey::from_base32(s).map(|k| k.as_bytes().to_vec())
    }

    #[test]
    fn rfc4648_vectors() {
        // RFC 4648 section 10, also unpadded and in lower case.
        let cases: [(&str, &[u8]); 6] = [
            ("MY======", b"f"),
            ("MZXQ====", b"fo"),
            ("MZXW6===", b"foo"),
            ("MZXW6YQ=", b"foob"),
            ("MZXW6YTB", b"fooba"),
            ("MZXW6YTBOI======", b"foobar"),
        ];
        for (s, want) in cases {
            assert_eq!(dec(s).unwrap(), want, "{s}");
            let unpadded = s.trim_end_matches('=');
            assert_eq!(dec(unpadded).unwrap(), want, "{unpadded}");
            let lower = s.to_ascii_lowercase();
            assert_eq!(dec(&lower).unwrap(), want, "{lower}");
        }
    }

    #[test]
    fn python_b32decode_rules() {
        // Lengths 1, 3, 6 (mod 8) cannot be padded to a valid quantum.
        for s in ["A", "AAA", "AAAAAA", "AAAAAAAAA", "AAAAAAAAAAA", "AAAAAAAAAAAAAA"] {
            assert_eq!(dec(s), Err(TotpError::InvalidSecret), "{s}");
        }
        // Misplaced or excess padding.
        for s in [
            "=",
            "==",
            "========",
            "A=======",
            "AA=A",
            "A=AAAAAA",
            "AA======AAAAAAAA",
            "AAA=====",
            "AAAAAA==",
            "MZXW6YQ==",
            "MZXW6YQ=========",
        ] {
            assert_eq!(dec(s), Err(TotpError::InvalidSecret), "{s}");
        }
        // Characters outside the alphabet, including whitespace and non-ASCII.
        for s in [
            "JBSWY3D1",
            "JBSWY3D0",
            "JBSWY3D8",
            "JBSWY3D9",
            "JBSW Y3DP",
            " JBSWY3DP",
            "JBSWY3DP\n",
            "\u{c4}AAAAAAA",
            "JBSWY3D-",
            "JBSWY3D+",
        ] {
            assert_eq!(dec(s), Err(TotpError::InvalidSecret), "{s:?}");
        }
        // Non-zero trailing bits are ignored: "OD" = 01110 00011 -> 0x70.
        assert_eq!(dec("OD").unwrap(), [0x70]);
        assert_eq!(dec("OA").unwrap(), [0x70]);
        assert_eq!(dec("OD======").unwrap(), [0x70]);
        assert_eq!(dec("od").unwrap(), [0x70]);
    }

    #[test]
    fn empty_and_blank() {
        for s in ["", " ", "   ", "\t\n", "\u{3000}", "\u{1c}", "\u{85}"] {
            assert_eq!(TotpKey::from_base32(s), Err(TotpError::EmptySecret), "{s:?}");
        }
        // Without the emptiness check (the URI path), blanks are just invalid.
        assert_eq!(decode_base32("   "), Err(TotpError::InvalidSecret));
        assert_eq!(decode_base32(""), Err(TotpError::EmptySecret));
    }

    #[test]
    fn unicode_upper_casing_like_python() {
        // Python: "\u{17f}".upper() == "S", "\u{131}".upper() == "I",
        // "\u{df}".upper() == "SS", "\u{fb00}".upper() == "FF"; the padding is
        // computed from the original length, so an expansion is only valid
        // when the extra characters add up to a multiple of 8.
        assert_eq!(dec("AAAAAAA\u{17f}").unwrap(), dec("AAAAAAAS").unwrap());
        assert_eq!(dec("\u{131}A").unwrap(), dec("IA").unwrap());
        assert_eq!(dec("\u{df}"), Err(TotpError::InvalidSecret));
        assert_eq!(dec("AAAAAA\u{df}"), Err(TotpError::InvalidSecret));
        assert_eq!(dec("AAAAA\u{fb00}="), Err(TotpError::InvalidSecret));
        let eight_sharp_s = "\u{df}".repeat(8);
        assert_eq!(dec(&eight_sharp_s).unwrap(), dec(&"S".repeat(16)).unwrap());
        // Every non-ASCII character that does not upper-case to ASCII fails.
        assert_eq!(dec("AAAAAAA\u{e9}"), Err(TotpError::InvalidSecret));
        assert_eq!(dec("AAAAAAA\u{212a}"), Err(TotpError::InvalidSecret));
    }

    #[test]
    fn max_key_len() {
        // 205 characters decode to 128 bytes, 208 to 130.
        assert_eq!(TotpKey::from_base32(&"A".repeat(205)).unwrap().len(), 128);
        assert_eq!(TotpKey::from_base32(&"A".repeat(208)), Err(TotpError::SecretTooLong));
        // Invalid beats too long.
        let mut bad = "A".repeat(215);
        bad.push('1');
        assert_eq!(TotpKey::from_base32(&bad), Err(TotpError::InvalidSecret));
        assert_eq!(TotpKey::from_bytes(&[0; 129]), Err(TotpError::SecretTooLong));
        assert_eq!(TotpKey::from_bytes(&[]), Err(TotpError::EmptySecret));
        assert_eq!(TotpKey::from_bytes(&[7; 128]).unwrap().len(), 128);
    }

    #[test]
    fn debug_redacts_and_eq() {
        let k = TotpKey::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let shown: String = format!("{k:?}");
        assert_eq!(shown, "TotpKey { len: 10, .. }");
        assert_eq!(k, TotpKey::from_bytes(k.as_bytes()).unwrap());
        let mut other = k.as_bytes().to_vec();
        other[9] ^= 1;
        assert_ne!(k, TotpKey::from_bytes(&other).unwrap());
        other[9] ^= 1;
        other.push(0);
        assert_ne!(k, TotpKey::from_bytes(&other).unwrap());
    }
}
