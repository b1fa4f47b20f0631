//! Standard base64 (RFC 4648 `+/` alphabet, `=` padding) for vault blobs.
//!
//! # Decoding is deliberately lenient
//!
//! The reference SDK decodes blobs with Python's `base64.b64decode(s)` without
//! `validate=True`, i.e. CPython 3.11's `binascii.a2b_base64(strict_mode=False)`
//! after `str.encode("ascii")`. Blobs that the reference accepts must keep
//! decrypting here, so [`decode_lenient`] reproduces that decoder exactly:
//!
//! - Any non-ASCII input is an error (Python refuses to ASCII-encode it).
//! - Bytes outside the alphabet and `=` are skipped: whitespace, line breaks,
//!   `!`, `*`, and the URL-safe `-` / `_` (so URL-safe text decodes to *other*
//!   bytes and then fails authentication).
//! - `=` only counts when at least two data characters of the current quantum
//!   have been seen; once the quantum is complete (`xx==` or `xxx=`), decoding
//!   stops and everything after it is ignored. A data character between two
//!   `=` restarts the pad count. `=` seen earlier in a quantum is skipped.
//! - Non-zero trailing bits in the last quantum are ignored.
//! - At the end, a quantum with exactly one data character is an error
//!   ("cannot be 1 more than a multiple of 4"), and one with two or three data
//!   characters but not enough padding is an error ("Incorrect padding").
//!
//! Decoded bytes are emitted as soon as each character completes them, so the
//! output of a valid input is exactly Python's. Accepting this extra input
//! costs no security: every blob is authenticated by AES-GCM afterwards, and a
//! lenient decode of a modified blob simply fails authentication.
//!
//! Encoding is strict, canonical standard base64 with padding.

use core::fmt;

/// Why [`decode_lenient`] refused an input. Vault operations report all of
/// these as [`crate::vault::VaultError::DecryptionFailed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base64Error {
    /// The input contains a non-ASCII character.
    NonAscii,
    /// The data characters number one more than a multiple of four.
    DanglingCharacter,
    /// The last quantum lacks the padding it needs.
    IncorrectPadding,
    /// The output buffer is too small for the decoded bytes.
    BufferTooSmall,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NonAscii => "base64 input contains non-ASCII characters",
            Self::DanglingCharacter => "base64 input has one data character too many",
            Self::IncorrectPadding => "incorrect base64 padding",
            Self::BufferTooSmall => "base64 output buffer too small",
        })
    }
}

impl core::error::Error for Base64Error {}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Maps an input byte to its 6-bit value, if it is in the standard alphabet.
const fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Each byte's 6-bit value in the standard alphabet, [`INVALID`] elsewhere.
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        // `i < 64` and a byte index: both in bounds.
        #[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
        {
            table[ALPHABET[i] as usize] = i as u8;
        }
        i += 1;
    }
    table
};
const INVALID: u8 = 0xff;

fn value(byte: u8) -> u8 {
    // A 256-entry table indexed by a byte.
    #[allow(clippy::indexing_slicing)]
    DECODE[usize::from(byte)]
}

/// Whether `byte` is in the standard alphabet (branch-free, so the check
/// of a whole input vectorises).
const fn in_alphabet(byte: u8) -> bool {
    let lower = byte | 0x20;
    (lower >= b'a' && lower <= b'z') | (byte >= b'0' && byte <= b'9') | (byte == b'+') | (byte == b'/')
}

/// The decoded length of `input` when it is canonical padded base64 (a
/// multiple of four characters, all in the alphabet but for one or two
/// closing `=`), else `None`. On such input the lenient state machine below
/// decodes exactly what [`decode_canonical`] does, so it is the fast path.
fn canonical_len(input: &[u8]) -> Option<usize> {
    if !input.len().is_multiple_of(4) {
        return None;
    }
    let pads = match input {
        [.., a, b'=', b'='] if in_alphabet(*a) => 2,
        [.., a, b, b'='] if in_alphabet(*a) && in_alphabet(*b) => 1,
        _ => 0,
    };
    let data = input.get(..input.len() - pads)?;
    // A fold rather than `all`: no early exit, so the loop vectorises.
    if !data.iter().fold(true, |ok, &b| ok & in_alphabet(b)) {
        return None;
    }
    Some(input.len() / 4 * 3 - pads)
}

/// The 24 bits of one quad (a `=` counts as zero bits).
fn quad_bits(quad: &[u8]) -> u32 {
    quad.iter().fold(0u32, |n, &b| (n << 6) | u32::from(value(b) & 0x3f))
}

/// Decodes input [`canonical_len`] accepted (`len` bytes) into `out`.
fn decode_canonical(input: &[u8], len: usize, out: &mut [u8]) -> Result<usize, Base64Error> {
    let out = out.get_mut(..len).ok_or(Base64Error::BufferTooSmall)?;
    let mut quads = input.chunks_exact(4);
    let mut triples = out.chunks_exact_mut(3);
    for (quad, triple) in (&mut quads).zip(&mut triples) {
        let [_, x, y, z] = quad_bits(quad).to_be_bytes();
        triple.copy_from_slice(&[x, y, z]);
    }
    // A padded last quad: one or two bytes left, with its bits.
    let rest = triples.into_remainder();
    if !rest.is_empty() {
        let last = input.get(input.len().saturating_sub(4)..).unwrap_or(&[]);
        let [_, x, y, _] = quad_bits(last).to_be_bytes();
        for (d, s) in rest.iter_mut().zip([x, y]) {
            *d = s;
        }
    }
    Ok(len)
}

/// The CPython 3.11 `a2b_base64(strict_mode=False)` state machine; calls
/// `emit` for each decoded byte.
fn run<E>(input: &str, mut emit: impl FnMut(u8) -> Result<(), E>, map: impl Fn(Base64Error) -> E) -> Result<(), E> {
    if !input.is_ascii() {
        return Err(map(Base64Error::NonAscii));
    }
    let mut quad_pos = 0u8;
    let mut left = 0u8;
    let mut pads = 0u8;
    for &byte in input.as_bytes() {
        if byte == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    // A complete pad sequence: stop parsing.
                    return Ok(());
                }
            }
            continue;
        }
        let Some(v) = sextet(byte) else {
            continue;
        };
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = v;
            }
            1 => {
                quad_pos = 2;
                emit((left << 2) | (v >> 4))?;
                left = v & 0x0f;
            }
            2 => {
                quad_pos = 3;
                emit((left << 4) | (v >> 2))?;
                left = v & 0x03;
            }
            _ => {
                quad_pos = 0;
                emit((left << 6) | v)?;
                left = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(()),
        1 => Err(map(Base64Error::DanglingCharacter)),
        _ => Err(map(Base64Error::IncorrectPadding)),
    }
}

/// Exact number of bytes [`decode_lenient`] produces for `input`.
///
/// # Errors
/// Any [`Base64Error`] the decode itself would return (never `BufferTooSmall`).
pub fn decoded_len_lenient(input: &str) -> Result<usize, Base64Error> {
    if let Some(len) = canonical_len(input.as_bytes()) {
        return Ok(len);
    }
    let mut n = 0usize;
    run(
        input,
        |_| {
            n += 1;
            Ok(())
        },
        |e| e,
    )?;
    Ok(n)
}

/// Decodes `input` leniently (see the [module docs](self)) into `out`,
/// returning the number of bytes written. Needs no allocation.
///
/// `out` needs at most `input.len() / 4 * 3 + 2` bytes; the exact figure is
/// [`decoded_len_lenient`].
///
/// # Errors
/// [`Base64Error`] as described in the module docs, or
/// [`Base64Error::BufferTooSmall`] if `out` cannot hold the result (`out` may
/// then be partly written).
pub fn decode_lenient(input: &str, out: &mut [u8]) -> Result<usize, Base64Error> {
    if let Some(len) = canonical_len(input.as_bytes()) {
        return decode_canonical(input.as_bytes(), len, out);
    }
    let mut n = 0usize;
    run(
        input,
        |byte| {
            let slot = out.get_mut(n).ok_or(Base64Error::BufferTooSmall)?;
            *slot = byte;
            n += 1;
            Ok(())
        },
        |e| e,
    )?;
    Ok(n)
}

/// Allocating [`decode_lenient`]: returns exactly the decoded bytes.
///
/// # Errors
/// As [`decode_lenient`] (never `BufferTooSmall`).
#[cfg(feature = "alloc")]
pub fn decode_lenient_to_vec(input: &str) -> Result<alloc::vec::Vec<u8>, Base64Error> {
    let len = decoded_len_lenient(input)?;
    let mut out = alloc::vec![0u8; len];
    let written = decode_lenient(input, &mut out)?;
    out.truncate(written);
    Ok(out)
}

/// Length of the padded standard base64 encoding of `len` bytes, or `None`
/// on overflow.
#[must_use]
pub const fn encoded_len(len: usize) -> Option<usize> {
    match len.checked_add(2) {
        Some(n) => (n / 3).checked_mul(4),
        None => None,
    }
}

/// Encodes `input` as padded standard base64 into `out`, returning the
/// encoded text (a prefix of `out`). Needs no allocation.
///
/// # Errors
/// [`Base64Error::BufferTooSmall`] if `out` is shorter than
/// [`encoded_len`]`(input.len())`.
pub fn encode<'o>(input: &[u8], out: &'o mut [u8]) -> Result<&'o str, Base64Error> {
    let len = encoded_len(input.len()).ok_or(Base64Error::BufferTooSmall)?;
    let out = out.get_mut(..len).ok_or(Base64Error::BufferTooSmall)?;
    for (chunk, dst) in input.chunks(3).zip(out.chunks_mut(4)) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied();
        let b2 = chunk.get(2).copied();
        let n = (u32::from(b0) << 16) | (u32::from(b1.unwrap_or(0)) << 8) | u32::from(b2.unwrap_or(0));
        let symbol = |shift: u32| ALPHABET.get(((n >> shift) & 0x3f) as usize).copied().unwrap_or(b'=');
        let quad = [
            symbol(18),
            symbol(12),
            if b1.is_some() { symbol(6) } else { b'=' },
            if b2.is_some() { symbol(0) } else { b'=' },
        ];
        for (d, s) in dst.iter_mut().zip(quad) {
            *d = s;
        }
    }
    // Every byte written above is ASCII.
    core::str::from_utf8(out).map_err(|_| Base64Error::BufferTooSmall)
}

/// Allocating [`encode`].
#[cfg(feature = "alloc")]
#[must_use]
pub fn encode_to_string(input: &[u8]) -> alloc::string::String {
    let len = encoded_len(input.len()).unwrap_or(0);
    let mut buf = alloc::vec![0u8; len];
    match encode(input, &mut buf) {
        Ok(_) => alloc::string::String::from_utf8(buf).unwrap_or_default(),
        Err(_) => alloc::string::String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    fn dec(input: &str) -> Result<([u8; 64], usize), Base64Error> {
        let mut out = [0u8; 64];
        let n = decode_lenient(input, &mut out)?;
        assert_eq!(decoded_len_lenient(input), Ok(n));
        Ok((out, n))
    }

    /// Expected outputs of CPython 3.11.7 `base64.b64decode(s)` (checked by hand
    /// against the interpreter).
    #[test]
    fn lenient_table() {
        use Base64Error::*;
        let ok: &[(&str, &[u8])] = &[
            ("", b""),
            ("QQ==", b"A"),
            ("QUI=", b"AB"),
            ("QUJD", b"ABC"),
            ("QUJDRA==", b"ABCD"),
            ("  QUJD  ", b"ABC"),
            ("QU\nJD\r\n", b"ABC"),
            ("Q!U*J#D", b"ABC"),
            ("QQ==QUJD", b"A"),         // a complete pad sequence ends parsing
            ("QQ==\u{0}garbage", b"A"), // anything after it is ignored
            ("QUI=QUJD", b"AB"),
            ("QQ=\n=", b"A"),    // junk between pad characters
            ("QQ=Q=", b"A\x04"), // a data char resets the pad count: "QQQ=" -> 2 bytes
            ("=QUJD", b"ABC"),   // leading '=' ignored (quantum position 0)
            ("Q=UJD", b"ABC"),   // '=' at quantum position 1 ignored
            ("QR==", b"A"),      // non-zero trailing bits ignored
            ("QUJD=", b"ABC"),   // '=' after a complete quantum ignored
            ("QUJD===", b"ABC"),
            ("QQ===", b"A"),
            ("-_QUJD", b"ABC"), // URL-safe characters are dropped
            ("====", b""),
        ];
        for (input, expected) in ok {
            let (out, n) = dec(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(&out[..n], *expected, "{input:?}");
        }
        let err: &[(&str, Base64Error)] = &[
            ("A", DanglingCharacter),
            ("QUJDR", DanglingCharacter),
            ("!!!not*base64???", DanglingCharacter),
            ("QQ", IncorrectPadding),
            ("QQ=", IncorrectPadding),
            ("QUI", IncorrectPadding),
            ("QQ=*", IncorrectPadding),
            ("QUJDQQ", IncorrectPadding),
            ("Q\u{e9}JD", NonAscii),
            ("QUJD\u{2014}", NonAscii),
        ];
        for (input, expected) in err {
            assert_eq!(dec(input).map(|_| ()), Err(*expected), "{input:?}");
        }
        let mut small = [0u8; 2];
        assert_eq!(decode_lenient("QUJD", &mut small), Err(BufferTooSmall));
    }

    /// The canonical fast path decodes exactly what the state machine does.
    #[cfg(feature = "alloc")]
    #[test]
    fn the_fast_path_agrees_with_the_state_machine() {
        let slow = |input: &str| {
            let mut out = alloc::vec::Vec::new();
            run(
                input,
                |b| -> Result<(), Base64Error> {
                    out.push(b);
                    Ok(())
                },
                |e| e,
            )
            .map(|()| out)
        };
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let symbols = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n!";
        let mut fast_taken = 0;
        for round in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: alloc::string::String = if round % 2 == 0 {
                // Mostly canonical: an encoding, sometimes with one byte changed.
                let raw: alloc::vec::Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let mut t = encode_to_string(&raw).into_bytes();
                if !t.is_empty() && next() % 3 == 0 {
                    let at = (next() as usize) % t.len();
                    t[at] = symbols[(next() as usize) % symbols.len()];
                }
                alloc::string::String::from_utf8(t).unwrap()
            } else {
                (0..len).map(|_| symbols[(next() as usize) % symbols.len()] as char).collect()
            };
            if canonical_len(text.as_bytes()).is_some() {
                fast_taken += 1;
            }
            let expected = slow(&text);
            assert_eq!(
                decoded_len_lenient(&text),
                expected.as_ref().map(alloc::vec::Vec::len).map_err(|e| *e),
                "{text:?}"
            );
            let mut out = [0u8; 32];
            let got = decode_lenient(&text, &mut out).map(|n| out[..n].to_vec());
            assert_eq!(got, expected, "{text:?}");
        }
        assert!(fast_taken > 5_000, "the fast path was taken {fast_taken} times");
    }

    #[test]
    fn encode_roundtrip() {
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff, 0xbf], "+/+/"),
        ];
        for (raw, text) in cases {
            let mut buf = [0u8; 16];
            assert_eq!(encode(raw, &mut buf).unwrap(), *text);
            let (out, n) = dec(text).unwrap();
            assert_eq!(&out[..n], *raw);
        }
        let mut tiny = [0u8; 3];
        assert_eq!(encode(b"f", &mut tiny), Err(Base64Error::BufferTooSmall));
    }
}
