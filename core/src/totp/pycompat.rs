//! Small re-implementations of the Python behaviours the reference SDK relies
//! on (CPython 3.11, Unicode 14.0): `str.isspace`/`str.strip`, `int(str)`,
//! and, with `alloc`, `urllib.parse.unquote`, `parse_qsl` and `urlsplit`.
//!
//! Each function documents the CPython code it mirrors. They exist so that
//! `otpauth://` URIs and stored configs are accepted or refused exactly as the
//! reference does; they are not general-purpose URL tools.

/// Python `str.isspace()` for one character: Unicode `White_Space` plus the
/// four ASCII information separators `U+001C..=U+001F`, which CPython also
/// counts (bidirectional class B/S).
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python `str.strip()` with no argument.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// The zero of every run of ten Unicode decimal digits (general category
/// `Nd`) in Unicode 14.0, the version of the reference's CPython 3.11.
///
/// Every `Nd` character is `zero + d` for one of these zeros and its digit
/// value `d` in `0..=9` (checked exhaustively against `unicodedata.decimal`
/// when the table was generated). CPython's `int()` accepts any of them.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))] // used by URI parsing
const ND_ZEROS: [u32; 66] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
    0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
    0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0,
    0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50,
    0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950,
    0x1FBF0,
];

/// The decimal value of a Unicode decimal digit (CPython
/// `Py_UNICODE_TODECIMAL`), or `None`.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))] // used by URI parsing
pub(crate) fn decimal_value(c: char) -> Option<u8> {
    let cp = u32::from(c);
    let idx = match ND_ZEROS.binary_search(&cp) {
        Ok(i) => i,
        Err(0) => return None,
        Err(i) => i - 1,
    };
    let zero = *ND_ZEROS.get(idx)?;
    let d = cp.checked_sub(zero)?;
    if d < 10 { u8::try_from(d).ok() } else { None }
}

/// Whitespace as `int(str)` sees it: CPython maps non-ASCII `isspace()`
/// characters to a space but leaves ASCII alone, and then skips only the C
/// `isspace` set, so `U+001C..=U+001F` are *not* whitespace here.
fn is_int_space(c: char) -> bool {
    if c.is_ascii() { matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r') } else { is_py_space(c) }
}

/// CPython's cap on the number of digits `int(str)` converts
/// (`sys.get_int_max_str_digits()`, default 4300); longer inputs raise.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))] // used by URI parsing
const MAX_STR_DIGITS: usize = 4300;

/// Python `int(s)` (base 10) for a `str`, reduced to what TOTP needs: the
/// value when it is a non-negative integer that fits a `u64`, else `None`
/// (for both "Python raises" and "negative or huge", which callers reject
/// alike).
///
/// Mirrors `PyLong_FromUnicodeObject`: each non-ASCII whitespace character
/// becomes a space and each non-ASCII decimal digit its ASCII digit (see
/// [`is_int_space`]), then
/// `PyLong_FromString`: optional leading whitespace, one optional `+`/`-`,
/// digits with single underscores *between* digits, optional trailing
/// whitespace, nothing else; leading zeros are fine; more than 4300 digits
/// raise.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))] // used by URI parsing
pub(crate) fn py_int(s: &str) -> Option<u64> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Tok {
        Space,
        Digit(u8),
        Other(char),
    }
    let toks = s.chars().map(|c| {
        if is_int_space(c) {
            Tok::Space
        } else if let Some(d) = decimal_value(c) {
            Tok::Digit(d)
        } else {
            Tok::Other(c)
        }
    });
    let mut toks = toks.skip_while(|t| *t == Tok::Space).peekable();
    let mut negative = false;
    match toks.peek() {
        Some(Tok::Other('+')) => {
            toks.next();
        }
        Some(Tok::Other('-')) => {
            negative = true;
            toks.next();
        }
        _ => {}
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    let mut digits = 0usize;
    let mut prev_underscore = false;
    let mut saw_trailing_space = false;
    for t in toks {
        match t {
            Tok::Digit(d) if !saw_trailing_space => {
                digits += 1;
                prev_underscore = false;
                match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(d))) {
                    Some(v) => value = v,
                    None => overflow = true,
                }
            }
            // An underscore must follow a digit (so not first, not doubled).
            Tok::Other('_') if !saw_trailing_space && digits > 0 && !prev_underscore => {
                prev_underscore = true;
            }
            Tok::Space if digits > 0 && !prev_underscore => saw_trailing_space = true,
            _ => return None,
        }
    }
    if digits == 0 || prev_underscore || digits > MAX_STR_DIGITS {
        return None;
    }
    if overflow || (negative && value != 0) {
        return None;
    }
    Some(value)
}

#[cfg(feature = "alloc")]
pub(crate) use self::url::*;

#[cfg(feature = "alloc")]
mod url {
    use alloc::borrow::Cow;
    use alloc::string::String;
    use alloc::vec::Vec;

    use zeroize::Zeroizing;

    /// Python `urllib.parse.unquote(s)` (UTF-8, `errors='replace'`): every
    /// `%XX` (two hex digits, either case) becomes that byte, anything else is
    /// kept, and the bytes are decoded as UTF-8 with U+FFFD for invalid
    /// sequences (maximal-subpart replacement, as CPython and
    /// `String::from_utf8_lossy` both do). With `plus_as_space`, `+` becomes a
    /// space first, as `parse_qsl` does for names and values.
    ///
    /// CPython decodes each ASCII run separately and leaves other characters
    /// untouched; decoding the whole byte string at once gives the same
    /// result, because a literal non-ASCII character starts with a UTF-8 lead
    /// byte, which always ends any incomplete escaped sequence before it.
    ///
    /// The output is `Zeroizing` because query values can hold the secret.
    pub(crate) fn unquote(s: &str, plus_as_space: bool) -> Zeroizing<String> {
        if !(s.contains('%') || (plus_as_space && s.contains('+'))) {
            return Zeroizing::new(String::from(s));
        }
        let mut out: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::with_capacity(s.len()));
        let mut bytes = s.as_bytes().iter();
        while let Some(&b) = bytes.next() {
            match b {
                b'%' => {
                    let rest = bytes.as_slice();
                    let hex = rest.first().and_then(|h| hex_val(*h)).zip(rest.get(1).and_then(|l| hex_val(*l)));
                    if let Some((hi, lo)) = hex {
                        out.push((hi << 4) | lo);
                        bytes.nth(1);
                    } else {
                        out.push(b'%');
                    }
                }
                b'+' if plus_as_space => out.push(b' '),
                _ => out.push(b),
            }
        }
        match String::from_utf8_lossy(&out) {
            Cow::Borrowed(valid) => Zeroizing::new(String::from(valid)),
            Cow::Owned(replaced) => Zeroizing::new(replaced),
        }
    }

    fn hex_val(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }

    /// The pieces of Python's `urlsplit(url)` that the reference reads.
    pub(crate) struct SplitUrl<'a> {
        /// Lower-cased scheme, or empty.
        pub(crate) scheme: String,
        pub(crate) netloc: &'a str,
        pub(crate) path: &'a str,
        pub(crate) query: &'a str,
    }

    /// Why `urlsplit` raised.
    pub(crate) struct SplitError;

    /// The characters `urlsplit` strips from the start of a URL (C0 controls
    /// and space, `_WHATWG_C0_CONTROL_OR_SPACE`).
    fn is_c0_or_space(c: char) -> bool {
        c <= ' '
    }

    /// Python's `urlsplit` preprocessing: strip leading C0 controls and
    /// spaces, then remove every tab, CR and LF anywhere
    /// (`_UNSAFE_URL_BYTES_TO_REMOVE`).
    pub(crate) fn clean_url(url: &str) -> Zeroizing<String> {
        let trimmed = url.trim_start_matches(is_c0_or_space);
        if !trimmed.contains(['\t', '\r', '\n']) {
            return Zeroizing::new(String::from(trimmed));
        }
        Zeroizing::new(trimmed.chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect())
    }

    /// `urllib.parse.scheme_chars`.
    fn is_scheme_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
    }

    /// Python 3.11's `urlsplit(url)` (with `allow_fragments=True`) on a URL
    /// already passed through [`clean_url`], including its `ValueError`s for
    /// bracketed hosts and for NFKC-unsafe netlocs.
    pub(crate) fn urlsplit(url: &str) -> Result<SplitUrl<'_>, SplitError> {
        let mut scheme = String::new();
        let mut rest = url;
        if let Some((candidate, after)) = url.split_once(':') {
            let starts_alpha = candidate.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
            if starts_alpha && candidate.chars().all(is_scheme_char) {
                scheme = candidate.to_ascii_lowercase();
                rest = after;
            }
        }
        let mut netloc = "";
        if let Some(after_slashes) = rest.strip_prefix("//") {
            let end = after_slashes.find(['/', '?', '#']).unwrap_or(after_slashes.len());
            let (n, r) = after_slashes.split_at_checked(end).ok_or(SplitError)?;
            netloc = n;
            rest = r;
            let open = netloc.contains('[');
            let close = netloc.contains(']');
            if open != close {
                return Err(SplitError); // "Invalid IPv6 URL"
            }
            if open {
                let bracketed = netloc
                    .split_once('[')
                    .map(|(_, after)| after.split_once(']').map_or(after, |(host, _)| host))
                    .unwrap_or("");
                if !is_valid_bracketed_host(bracketed) {
                    return Err(SplitError);
                }
            }
        }
        if let Some((before, _fragment)) = rest.split_once('#') {
            rest = before;
        }
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if !netloc.is_ascii() && netloc.chars().any(is_nfkc_unsafe) {
            return Err(SplitError);
        }
        Ok(SplitUrl { scheme, netloc, path, query })
    }

    /// Characters whose NFKC form contains one of `/ ? # @ :` (Unicode 14.0,
    /// found by normalising every code point). CPython's `_checknetloc`
    /// raises when a non-ASCII netloc contains any of them.
    const NFKC_UNSAFE: [char; 19] = [
        '\u{2047}', '\u{2048}', '\u{2049}', '\u{2100}', '\u{2101}', '\u{2105}', '\u{2106}', '\u{2A74}', '\u{FE13}',
        '\u{FE16}', '\u{FE55}', '\u{FE56}', '\u{FE5F}', '\u{FE6B}', '\u{FF03}', '\u{FF0F}', '\u{FF1A}', '\u{FF1F}',
        '\u{FF20}',
    ];

    fn is_nfkc_unsafe(c: char) -> bool {
        NFKC_UNSAFE.binary_search(&c).is_ok()
    }

    /// CPython's `_check_bracketed_host`: an IPvFuture literal
    /// (`v<hex>+.<anything>+`) or an IPv6 address (optionally with a
    /// `%scope`); IPv4 addresses and anything else raise.
    fn is_valid_bracketed_host(host: &str) -> bool {
        if let Some(rest) = host.strip_prefix('v') {
            let hex_len = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
            return hex_len > 0
                && rest.get(hex_len..).and_then(|r| r.strip_prefix('.')).is_some_and(|tail| !tail.is_empty());
        }
        is_ipv6_address(host)
    }

    /// `ipaddress.IPv6Address(s)` succeeds (CPython's `_split_scope_id` and
    /// `_BaseV6._ip_int_from_string`, step by step).
    fn is_ipv6_address(s: &str) -> bool {
        if s.contains('/') {
            return false;
        }
        let addr = match s.split_once('%') {
            None => s,
            Some((addr, scope)) if !scope.is_empty() && !scope.contains('%') => addr,
            Some(_) => return false,
        };
        if addr.is_empty() {
            return false;
        }
        // `None` stands for a hextet converted from an IPv4 suffix (always
        // valid).
        let mut parts: Vec<Option<&str>> = addr.split(':').map(Some).collect();
        if parts.len() < 3 {
            return false;
        }
        if let Some(Some(last)) = parts.last().copied()
            && last.contains('.')
        {
            if !is_ipv4_address(last) {
                return false;
            }
            parts.pop();
            parts.push(None);
            parts.push(None);
        }
        let n = parts.len();
        if n > 9 {
            return false;
        }
        let empty_at = |i: usize| matches!(parts.get(i), Some(Some(p)) if p.is_empty());
        let mut skip_index = None;
        for i in 1..n - 1 {
            if empty_at(i) {
                if skip_index.is_some() {
                    return false;
                }
                skip_index = Some(i);
            }
        }
        let (hi, lo) = if let Some(skip) = skip_index {
            let mut hi = skip;
            let mut lo = n - skip - 1;
            if empty_at(0) {
                hi -= 1;
                if hi != 0 {
                    return false;
                }
            }
            if empty_at(n - 1) {
                lo -= 1;
                if lo != 0 {
                    return false;
                }
            }
            if hi + lo >= 8 {
                return false;
            }
            (hi, lo)
        } else {
            if n != 8 || empty_at(0) || empty_at(n - 1) {
                return false;
            }
            (n, 0)
        };
        let valid_hextet = |p: &Option<&str>| match p {
            None => true,
            Some(h) => !h.is_empty() && h.len() <= 4 && h.bytes().all(|b| b.is_ascii_hexdigit()),
        };
        parts.iter().take(hi).all(valid_hextet) && parts.iter().skip(n - lo).all(valid_hextet)
    }

    /// `ipaddress.IPv4Address(s)` succeeds: four dot-separated ASCII decimal
    /// octets, each 1-3 digits, at most 255, no leading zero.
    fn is_ipv4_address(s: &str) -> bool {
        let mut n = 0;
        for octet in s.split('.') {
            n += 1;
            let ok = !octet.is_empty()
                && octet.len() <= 3
                && octet.bytes().all(|b| b.is_ascii_digit())
                && (octet == "0" || !octet.starts_with('0'))
                && octet.parse::<u16>().is_ok_and(|v| v <= 255);
            if !ok {
                return false;
            }
        }
        n == 4
    }
}
