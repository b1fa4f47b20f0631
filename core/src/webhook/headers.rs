//! Header input: the [`HeaderPair`] trait and extraction of the three Inkbox
//! headers, the signature list and the timestamp.

use super::{
    MAX_HEADER_VALUE_LEN, MAX_SIGNATURES, REQUEST_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookError,
};

/// One HTTP header given as raw bytes, so that non-UTF-8 input stays
/// representable.
///
/// Implemented for the items of the usual header containers:
/// - `&'h (N, V)`: items of `&[(N, V)]`, `&Vec<(N, V)>`, `&[(N, V); K]`;
/// - `(&'h N, &'h V)`: items of map iterators (e.g. `http::HeaderMap::iter()`)
///   and of iterators you build yourself,
///
/// where `N` and `V` are anything that is `AsRef<[u8]>` (`&str`, `String`,
/// `&[u8]`, `Vec<u8>`, `http::HeaderName`/`HeaderValue`, …). Header names are
/// compared ASCII-case-insensitively; values are used byte for byte.
pub trait HeaderPair<'h> {
    /// The header name.
    fn name(&self) -> &[u8];
    /// The header value, borrowed for `'h`.
    fn value(&self) -> &'h [u8];
}

impl<'h, N, V> HeaderPair<'h> for &'h (N, V)
where
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    fn name(&self) -> &[u8] {
        self.0.as_ref()
    }

    fn value(&self) -> &'h [u8] {
        let pair: &'h (N, V) = self;
        pair.1.as_ref()
    }
}

impl<'h, N, V> HeaderPair<'h> for (&'h N, &'h V)
where
    N: AsRef<[u8]> + ?Sized,
    V: AsRef<[u8]> + ?Sized,
{
    fn name(&self) -> &[u8] {
        self.0.as_ref()
    }

    fn value(&self) -> &'h [u8] {
        self.1.as_ref()
    }
}

/// The raw values of the three Inkbox headers, each `None` when absent.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct InkboxHeaders<'h> {
    pub(super) signature: Option<&'h [u8]>,
    pub(super) request_id: Option<&'h [u8]>,
    pub(super) timestamp: Option<&'h [u8]>,
}

/// Whether `value` may appear in one of the three Inkbox headers: printable
/// ASCII only (no control characters, no bytes >= 0x80), at most
/// [`MAX_HEADER_VALUE_LEN`] bytes.
pub(super) fn is_valid_value(value: &[u8]) -> bool {
    // No early exit: the whole value is checked (it is short), which lets the
    // loop vectorise.
    value.len() <= MAX_HEADER_VALUE_LEN && value.iter().fold(true, |ok, &b| ok & (0x20..=0x7e).contains(&b))
}

/// Picks the three Inkbox headers out of `headers`.
///
/// Fails with [`WebhookError::InvalidHeader`] if one of them is repeated
/// (case-insensitively) or has an invalid value (see [`is_valid_value`]).
/// Other headers are ignored whatever they contain.
pub(super) fn collect<'h, H>(headers: H) -> Result<InkboxHeaders<'h>, WebhookError>
where
    H: IntoIterator,
    H::Item: HeaderPair<'h>,
{
    let mut found = InkboxHeaders::default();
    for header in headers {
        let name = header.name();
        let slot = if name.eq_ignore_ascii_case(SIGNATURE_HEADER.as_bytes()) {
            &mut found.signature
        } else if name.eq_ignore_ascii_case(REQUEST_ID_HEADER.as_bytes()) {
            &mut found.request_id
        } else if name.eq_ignore_ascii_case(TIMESTAMP_HEADER.as_bytes()) {
            &mut found.timestamp
        } else {
            continue;
        };
        let value = header.value();
        if slot.is_some() || !is_valid_value(value) {
            return Err(WebhookError::InvalidHeader);
        }
        *slot = Some(value);
    }
    Ok(found)
}

/// The decoded digests of a signature header, in header order.
#[derive(Clone, Copy)]
pub(super) struct Signatures {
    digests: [[u8; 32]; MAX_SIGNATURES],
    len: usize,
}

impl Signatures {
    /// The decoded digests.
    pub(super) fn as_slice(&self) -> &[[u8; 32]] {
        self.digests.get(..self.len).unwrap_or(&[])
    }

    /// Whether `tag` equals one of the digests, in constant time: every entry
    /// is compared in full, without an early exit, whatever the result. The
    /// byte differences of an entry are OR-ed together and only that sum
    /// goes through `subtle`'s optimisation barrier.
    pub(super) fn contains_ct(&self, tag: &[u8]) -> subtle::Choice {
        use subtle::ConstantTimeEq as _;
        let tag: &[u8; 32] = match tag.try_into() {
            Ok(tag) => tag,
            Err(_) => return subtle::Choice::from(0),
        };
        self.as_slice().iter().fold(subtle::Choice::from(0), |acc, digest| {
            let diff = digest.iter().zip(tag).fold(0u8, |diff, (a, b)| diff | (a ^ b));
            acc | diff.ct_eq(&0)
        })
    }
}

/// The length of one signature entry: `sha256=` and 64 hex digits.
const ENTRY_LEN: usize = SIGNATURE_PREFIX.len() + 64;
const SIGNATURE_PREFIX: &[u8] = b"sha256=";

impl Signatures {
    /// No digests.
    pub(super) const EMPTY: Self = Self { digests: [[0; 32]; MAX_SIGNATURES], len: 0 };
}

/// Parses a non-empty signature header value into `out` (which must be
/// [`Signatures::EMPTY`]): entries `sha256=<64 lowercase hex>` separated by
/// single spaces, at most [`MAX_SIGNATURES`] of them (only one unless
/// `multiple`). Any deviation (another or upper-case prefix, upper-case hex,
/// wrong length, empty entry from a leading, trailing or doubled space, too
/// many entries) is [`WebhookError::MalformedSignature`].
///
/// Every entry has the same length, so a well-formed value is `k` entries
/// at fixed offsets with a space after each but the last: the entries are
/// read at those offsets rather than by scanning for spaces (a space
/// anywhere else falls inside an entry, where it is not a valid byte).
pub(super) fn parse_signatures(value: &[u8], multiple: bool, out: &mut Signatures) -> Result<(), WebhookError> {
    let max = if multiple { MAX_SIGNATURES } else { 1 };
    let count = (value.len() + 1) / (ENTRY_LEN + 1);
    if value.is_empty() || !(value.len() + 1).is_multiple_of(ENTRY_LEN + 1) || count > max {
        return Err(WebhookError::MalformedSignature);
    }
    // The first `count - 1` entries with their trailing separator, then the
    // last one (the remainder: `ENTRY_LEN` bytes, as the length check made it).
    let (separated, last) = value.as_chunks::<{ ENTRY_LEN + 1 }>();
    let separated = separated.iter().map(|e| e.split_last().map_or((&[][..], 0), |(sep, entry)| (entry, *sep)));
    for ((entry, sep), slot) in separated.chain([(last, b' ')]).zip(out.digests.iter_mut()) {
        let hex = entry.strip_prefix(SIGNATURE_PREFIX).ok_or(WebhookError::MalformedSignature)?;
        if sep != b' ' {
            return Err(WebhookError::MalformedSignature);
        }
        decode_lower_hex(hex, slot).ok_or(WebhookError::MalformedSignature)?;
        out.len += 1;
    }
    if out.len == count { Ok(()) } else { Err(WebhookError::MalformedSignature) }
}

/// Decodes exactly 64 lower-case hex digits into `out`.
///
/// Eight digits at a time in a `u64` (one byte lane per digit, no carries
/// between lanes since every lane is checked to be below 0x80 and the sums
/// stay below 0x100), no branch per digit.
fn decode_lower_hex(hex: &[u8], out: &mut [u8; 32]) -> Option<()> {
    const LANES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = LANES * 0x80;
    /// Lanes holding a byte `>= lo` (of bytes below 0x80): high bit set.
    fn at_least(x: u64, lo: u8) -> u64 {
        x.wrapping_add(LANES * u64::from(0x80 - lo)) & HIGH
    }
    /// Lanes holding a byte `<= hi` (of bytes below 0x80): high bit set.
    fn at_most(x: u64, hi: u8) -> u64 {
        !x.wrapping_add(LANES * u64::from(0x7f - hi)) & HIGH
    }

    let hex: &[u8; 64] = hex.try_into().ok()?;
    let mut valid = HIGH;
    for (bytes, digits) in out.as_chunks_mut::<4>().0.iter_mut().zip(hex.as_chunks::<8>().0) {
        let x = u64::from_le_bytes(*digits);
        let ascii = !x & HIGH;
        let digit = at_least(x, b'0') & at_most(x, b'9');
        let letter = at_least(x, b'a') & at_most(x, b'f');
        valid &= ascii & (digit | letter);
        // '0'..'9' -> 0..9 and 'a'..'f' -> 10..15: the low nibble, plus 9
        // for letters (bit 6 set).
        let nibbles = (x & (LANES * 0x0f)) + ((x >> 6) & LANES) * 9;
        // Lane 2i becomes (digit 2i << 4) | digit 2i+1.
        let pairs = (nibbles << 4) | (nibbles >> 8);
        let pairs = pairs.to_le_bytes();
        *bytes = [pairs[0], pairs[2], pairs[4], pairs[6]];
    }
    (valid == HIGH).then_some(())
}

#[cfg(test)]
pub(super) fn decode_lower_hex_for_tests(hex: &[u8], out: &mut [u8; 32]) -> Option<()> {
    decode_lower_hex(hex, out)
}

/// Parses plain decimal Unix seconds: one or more ASCII digits, no sign, no
/// spaces, no overflow past `u64`.
pub(super) fn parse_unix_seconds(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &c| {
        if c.is_ascii_digit() { acc.checked_mul(10)?.checked_add(u64::from(c - b'0')) } else { None }
    })
}
