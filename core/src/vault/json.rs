//! A small JSON writer that reproduces the reference's payload bytes.
//!
//! The reference encrypts `json.dumps(payload, separators=(",", ":"))`
//! (CPython 3.11, default `ensure_ascii=True`). Output of this module is
//! byte-identical to that for the values it supports:
//!
//! - compact: no spaces after `,` and `:`;
//! - strings: `\"` `\\` `\n` `\r` `\t` `\b` `\f` as short escapes, other
//!   characters below U+0020 and U+007F as `\u00xx`, every non-ASCII
//!   character as `\uxxxx` with lowercase hex (non-BMP characters as a UTF-16
//!   surrogate pair), `/` not escaped;
//! - integers in decimal; floats as Python's `repr(float)` (shortest
//!   round-trip digits, positional for exponents −4..15 with a `.0` if
//!   integral, otherwise `d.ddde±XX`);
//! - object members in the order given.
//!
//! Typed payloads keep the reference's member order (see
//! [`SecretPayload::to_json`](super::SecretPayload::to_json)). For arbitrary
//! [`serde_json::Value`]s ([`to_python_json`]), member order is the map's
//! iteration order; without serde_json's `preserve_order` feature (which needs
//! `std`, so core does not enable it) that is sorted by key, i.e. the output
//! equals Python's only when the original object's keys were sorted (as with
//! `json.dumps(..., sort_keys=True)`).
//!
//! Payload JSON holds secrets, so the writer computes the exact length first
//! and writes into a buffer allocated once (no reallocation leaves copies of
//! the plaintext behind) that is zeroized on drop.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use zeroize::{Zeroize as _, Zeroizing};

/// Where JSON bytes go: a length counter or a buffer.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Runs `write` twice — once to measure, once into an exactly sized,
/// zeroizing buffer — and returns the text.
pub(crate) fn render(write: impl Fn(&mut dyn Sink)) -> Zeroizing<String> {
    let mut counter = Counter(0);
    write(&mut counter);
    let mut bytes = Vec::with_capacity(counter.0);
    write(&mut bytes);
    // The writer emits ASCII only, so this never fails (and never copies).
    match String::from_utf8(bytes) {
        Ok(text) => Zeroizing::new(text),
        Err(err) => {
            err.into_bytes().zeroize();
            Zeroizing::new(String::new())
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn put_u16_escape(sink: &mut dyn Sink, unit: u16) {
    let mut buf = *b"\\u0000";
    for (i, slot) in buf.iter_mut().skip(2).enumerate() {
        let shift = 12 - 4 * i;
        *slot = HEX.get(usize::from((unit >> shift) & 0xf)).copied().unwrap_or(b'0');
    }
    sink.put(&buf);
}

/// Writes `s` as a JSON string literal, Python `ensure_ascii` style.
pub(crate) fn put_str(sink: &mut dyn Sink, s: &str) {
    sink.put(b"\"");
    let bytes = s.as_bytes();
    let mut run_start = 0usize;
    for (i, c) in s.char_indices() {
        let plain = matches!(c, ' '..='~') && c != '"' && c != '\\';
        if plain {
            continue;
        }
        if let Some(run) = bytes.get(run_start..i) {
            sink.put(run);
        }
        run_start = i + c.len_utf8();
        match c {
            '"' => sink.put(b"\\\""),
            '\\' => sink.put(b"\\\\"),
            '\n' => sink.put(b"\\n"),
            '\r' => sink.put(b"\\r"),
            '\t' => sink.put(b"\\t"),
            '\u{8}' => sink.put(b"\\b"),
            '\u{c}' => sink.put(b"\\f"),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    put_u16_escape(sink, *unit);
                }
            }
        }
    }
    if let Some(run) = bytes.get(run_start..) {
        sink.put(run);
    }
    sink.put(b"\"");
}

/// Writes an unsigned integer in decimal.
pub(crate) fn put_u64(sink: &mut dyn Sink, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    loop {
        pos -= 1;
        if let Some(slot) = buf.get_mut(pos) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || pos == 0 {
            break;
        }
    }
    if let Some(digits) = buf.get(pos..) {
        sink.put(digits);
    }
}

fn put_i64(sink: &mut dyn Sink, n: i64) {
    if n < 0 {
        sink.put(b"-");
    }
    put_u64(sink, n.unsigned_abs());
}

/// A fixed-capacity `fmt::Write` target for float formatting.
struct StackText {
    buf: [u8; 40],
    len: usize,
}

impl core::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes a float as Python's `repr(float)` (which `json.dumps` uses).
pub(crate) fn put_f64(sink: &mut dyn Sink, x: f64) {
    if x.is_nan() {
        sink.put(b"NaN");
        return;
    }
    if x.is_infinite() {
        sink.put(if x < 0.0 { b"-Infinity" } else { b"Infinity" });
        return;
    }
    // `{:e}` gives the shortest round-trip digit count, e.g. "-1.2345e-7",
    // "0e0". When two shortest candidates round-trip, Python picks the one
    // nearest the exact value (ties to even); re-formatting with exactly that
    // many digits (`{:.N$e}`, correctly rounded, ties to even) does the same.
    let mut shortest = StackText { buf: [0u8; 40], len: 0 };
    if write!(shortest, "{x:e}").is_err() {
        sink.put(b"null");
        return;
    }
    let shortest_text = shortest.buf.get(..shortest.len).unwrap_or(&[]);
    let mantissa_end = shortest_text.iter().position(|&b| b == b'e').unwrap_or(shortest_text.len());
    let n_shortest = shortest_text.get(..mantissa_end).unwrap_or(&[]).iter().filter(|b| b.is_ascii_digit()).count();
    let mut text = StackText { buf: [0u8; 40], len: 0 };
    if write!(text, "{x:.prec$e}", prec = n_shortest.saturating_sub(1)).is_err() {
        sink.put(b"null");
        return;
    }
    let formatted = text.buf.get(..text.len).unwrap_or(&[]);
    let (negative, rest) = match formatted.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, formatted),
    };
    let e_pos = rest.iter().position(|&b| b == b'e').unwrap_or(rest.len());
    let (mantissa, exponent) = rest.split_at(e_pos);
    let exponent = exponent.get(1..).unwrap_or(&[]);
    let mut exp: i32 = 0;
    let (exp_negative, exp_digits) = match exponent.split_first() {
        Some((b'-', d)) => (true, d),
        _ => (false, exponent),
    };
    for &d in exp_digits {
        exp = exp.saturating_mul(10).saturating_add(i32::from(d.wrapping_sub(b'0')));
    }
    if exp_negative {
        exp = -exp;
    }
    let mut digits = [0u8; 20];
    let mut n_digits = 0usize;
    for &d in mantissa.iter().filter(|b| b.is_ascii_digit()) {
        if let Some(slot) = digits.get_mut(n_digits) {
            *slot = d;
            n_digits += 1;
        }
    }
    let digits = digits.get(..n_digits).unwrap_or(&[]);

    if negative {
        sink.put(b"-");
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            sink.put(b"0.");
            for _ in 0..(-exp - 1) {
                sink.put(b"0");
            }
            sink.put(digits);
        } else {
            let int_len = usize::try_from(exp).unwrap_or(0) + 1;
            if digits.len() <= int_len {
                sink.put(digits);
                for _ in digits.len()..int_len {
                    sink.put(b"0");
                }
                sink.put(b".0");
            } else {
                let (int_part, frac) = digits.split_at(int_len);
                sink.put(int_part);
                sink.put(b".");
                sink.put(frac);
            }
        }
    } else {
        let (first, others) = digits.split_at(digits.len().min(1));
        sink.put(first);
        if !others.is_empty() {
            sink.put(b".");
            sink.put(others);
        }
        sink.put(if exp < 0 { b"e-" } else { b"e+" });
        let magnitude = u64::from(exp.unsigned_abs());
        if magnitude < 10 {
            sink.put(b"0");
        }
        put_u64(sink, magnitude);
    }
}

/// Writes one JSON object member by member.
pub(crate) struct ObjectWriter<'s> {
    sink: &'s mut dyn Sink,
    first: bool,
}

impl<'s> ObjectWriter<'s> {
    pub(crate) fn new(sink: &'s mut dyn Sink) -> Self {
        sink.put(b"{");
        Self { sink, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.sink.put(b",");
        }
        self.first = false;
        put_str(self.sink, key);
        self.sink.put(b":");
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        put_str(self.sink, value);
    }

    /// Writes the member only if `value` is `Some` (the reference omits nulls).
    pub(crate) fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }

    pub(crate) fn u64(&mut self, key: &str, value: u64) {
        self.key(key);
        put_u64(self.sink, value);
    }

    pub(crate) fn with(&mut self, key: &str, write: impl FnOnce(&mut dyn Sink)) {
        self.key(key);
        write(self.sink);
    }

    pub(crate) fn finish(self) {
        self.sink.put(b"}");
    }
}

fn put_value(sink: &mut dyn Sink, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => sink.put(b"null"),
        Value::Bool(true) => sink.put(b"true"),
        Value::Bool(false) => sink.put(b"false"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                put_u64(sink, u);
            } else if let Some(i) = n.as_i64() {
                put_i64(sink, i);
            } else {
                put_f64(sink, n.as_f64().unwrap_or(f64::NAN));
            }
        }
        Value::String(s) => put_str(sink, s),
        Value::Array(items) => {
            sink.put(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    sink.put(b",");
                }
                put_value(sink, item);
            }
            sink.put(b"]");
        }
        Value::Object(map) => {
            let mut obj = ObjectWriter::new(sink);
            for (k, v) in map {
                obj.with(k, |s| put_value(s, v));
            }
            obj.finish();
        }
    }
}

/// Python `json.dumps(value, separators=(",", ":"))` of an arbitrary JSON
/// value, with object members in the map's iteration order (sorted by key in
/// core's build of `serde_json`; see the module docs).
///
/// Numbers are written as `serde_json` holds them: integers exactly, other
/// numbers as `f64` in Python `repr` form. Python keeps integers beyond 64
/// bits exact where `serde_json` turns them into floats, and `serde_json`
/// without its `float_roundtrip` feature may parse a decimal to a
/// neighbouring double, so such numbers can differ from the original text.
#[must_use]
pub fn to_python_json(value: &serde_json::Value) -> Zeroizing<String> {
    render(|sink| put_value(sink, value))
}

/// Python `json.dumps` (ASCII-escaped) of one string, quotes included.
#[must_use]
pub fn python_json_string(s: &str) -> String {
    let text = render(|sink| put_str(sink, s));
    String::from(text.as_str())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    /// Expected strings from CPython 3.11.7 `json.dumps(x)`.
    #[test]
    fn string_escapes_match_python() {
        let table: &[(&str, &str)] = &[
            ("", r#""""#),
            ("plain / slash", r#""plain / slash""#),
            ("q\"b\\", r#""q\"b\\""#),
            ("\n\r\t\u{8}\u{c}", r#""\n\r\t\b\f""#),
            ("\u{0}\u{1f}\u{7f}", r#""\u0000\u001f\u007f""#),
            ("\u{80}\u{e9}\u{2014}\u{ffff}", r#""\u0080\u00e9\u2014\uffff""#),
            ("\u{1f600}\u{10ffff}", r#""\ud83d\ude00\udbff\udfff""#),
            ("a\u{65e5}b", r#""a\u65e5b""#),
            ("~ !", r#""~ !""#),
        ];
        for (input, expected) in table {
            assert_eq!(python_json_string(input), *expected, "{input:?}");
        }
    }

    /// Expected strings from CPython 3.11.7 `json.dumps(float)`.
    #[test]
    fn floats_match_python_repr() {
        let table: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (2.5, "2.5"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (652_799_223_696_742.2, "652799223696742.2"), // a tie between two shortest candidates
            (1e16, "1e+16"),
            (1.2345678901234567e17, "1.2345678901234566e+17"),
            (1e100, "1e+100"),
            (-2.5e-300, "-2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
        ];
        for (x, expected) in table {
            let text = render(|sink| put_f64(sink, *x));
            assert_eq!(text.as_str(), *expected, "{x:e}");
        }
    }

    #[test]
    fn values_compact_and_ordered() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"b": [1, -2, 2.5, true, null, {}], "a": "\u00e9", "c": {"z": 18446744073709551615}}"#,
        )
        .unwrap();
        assert_eq!(
            to_python_json(&v).as_str(),
            r#"{"a":"\u00e9","b":[1,-2,2.5,true,null,{}],"c":{"z":18446744073709551615}}"#
        );
    }
}
