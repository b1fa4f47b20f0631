//! ISO-8601 timestamps as the API writes them.
//!
//! The API sends UTC instants such as `2026-03-09T00:00:00Z` or
//! `2026-04-10T18:13:42.201Z`; `+00:00` and other offsets, a space instead of
//! `T`, and 0–9 fraction digits are accepted too. A [`Timestamp`] is kept as
//! Unix seconds plus nanoseconds in UTC and written back in RFC 3339 form with
//! `Z` (fraction only when non-zero, trailing zeros trimmed to 3, 6 or 9 digits).

use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with nanosecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// Why a timestamp string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampError;

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid ISO-8601 timestamp")
    }
}

impl core::error::Error for TimestampError {}

impl Timestamp {
    /// From Unix seconds and nanoseconds (`nanos` < 1e9, else clamped).
    pub const fn from_unix(secs: i64, nanos: u32) -> Self {
        Timestamp { secs, nanos: if nanos < 1_000_000_000 { nanos } else { 999_999_999 } }
    }

    /// Unix seconds.
    pub const fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(&self) -> i64 {
        self.secs.saturating_mul(1000).saturating_add((self.nanos / 1_000_000) as i64)
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fffffffff](Z|±HH:MM|±HHMM)`. A missing
    /// offset is read as UTC (the API is UTC throughout).
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let b = s.as_bytes();
        let mut p = Parser { b, i: 0 };
        let year = i64::from(p.digits(4)?);
        p.expect(b'-')?;
        let month = p.digits(2)?;
        p.expect(b'-')?;
        let day = p.digits(2)?;
        match p.next() {
            Some(b'T' | b't' | b' ') => {}
            _ => return Err(TimestampError),
        }
        let hour = p.digits(2)?;
        p.expect(b':')?;
        let minute = p.digits(2)?;
        p.expect(b':')?;
        let second = p.digits(2)?;
        let mut nanos = 0u32;
        if p.peek() == Some(b'.') || p.peek() == Some(b',') {
            p.i += 1;
            let mut n = 0usize;
            while let Some(d) = p.peek().filter(u8::is_ascii_digit) {
                if n < 9 {
                    nanos = nanos * 10 + u32::from(d - b'0');
                }
                n += 1;
                p.i += 1;
            }
            if n == 0 {
                return Err(TimestampError);
            }
            for _ in n..9 {
                nanos *= 10;
            }
        }
        let offset_secs: i64 = match p.next() {
            None => 0,
            Some(b'Z' | b'z') => 0,
            Some(sign @ (b'+' | b'-')) => {
                let oh = p.digits(2)?;
                if p.peek() == Some(b':') {
                    p.i += 1;
                }
                let om = p.digits(2)?;
                if oh > 23 || om > 59 {
                    return Err(TimestampError);
                }
                let o = i64::from(oh * 3600 + om * 60);
                if sign == b'+' { o } else { -o }
            }
            Some(_) => return Err(TimestampError),
        };
        if p.i != b.len() {
            return Err(TimestampError);
        }
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(TimestampError);
        }
        // A leap second is folded into the next second.
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
        Ok(Timestamp { secs, nanos })
    }

    /// RFC 3339 in UTC with `Z`.
    pub fn to_rfc3339(&self) -> String {
        let mut s = String::with_capacity(30);
        let _ = fmt::write(&mut s, format_args!("{self}"));
        s
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; RFC3339_MAX];
        if let Some(s) = self.write_rfc3339(&mut buf) {
            return f.write_str(s);
        }
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, (rem / 60) % 60, rem % 60)?;
        if self.nanos != 0 {
            if self.nanos.is_multiple_of(1_000_000) {
                write!(f, ".{:03}", self.nanos / 1_000_000)?;
            } else if self.nanos.is_multiple_of(1_000) {
                write!(f, ".{:06}", self.nanos / 1_000)?;
            } else {
                write!(f, ".{:09}", self.nanos)?;
            }
        }
        f.write_str("Z")
    }
}

/// The longest [`Timestamp::write_rfc3339`] output:
/// `YYYY-MM-DDTHH:MM:SS.fffffffffZ`.
const RFC3339_MAX: usize = 30;

impl Timestamp {
    /// The [`Display`](fmt::Display) form written into `buf` without the
    /// formatting machinery (timestamps are serialized once per model field),
    /// or `None` for a year outside 0000–9999, which `Display` writes itself.
    fn write_rfc3339<'b>(&self, buf: &'b mut [u8; RFC3339_MAX]) -> Option<&'b str> {
        struct W<'b> {
            buf: &'b mut [u8; RFC3339_MAX],
            len: usize,
        }
        impl W<'_> {
            fn byte(&mut self, b: u8) {
                if let Some(slot) = self.buf.get_mut(self.len) {
                    *slot = b;
                }
                self.len += 1;
            }
            /// `v` in exactly `n` digits (`v` < 10^n).
            fn digits(&mut self, v: u32, n: u32) {
                let mut p = 10u32.pow(n - 1);
                while p > 0 {
                    self.byte(b'0' + (v / p % 10) as u8);
                    p /= 10;
                }
            }
        }
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
        let mut w = W { buf, len: 0 };
        w.digits(y, 4);
        w.byte(b'-');
        w.digits(m, 2);
        w.byte(b'-');
        w.digits(d, 2);
        w.byte(b'T');
        w.digits(rem / 3600, 2);
        w.byte(b':');
        w.digits((rem / 60) % 60, 2);
        w.byte(b':');
        w.digits(rem % 60, 2);
        if self.nanos != 0 {
            w.byte(b'.');
            if self.nanos.is_multiple_of(1_000_000) {
                w.digits(self.nanos / 1_000_000, 3);
            } else if self.nanos.is_multiple_of(1_000) {
                w.digits(self.nanos / 1_000, 6);
            } else {
                w.digits(self.nanos, 9);
            }
        }
        w.byte(b'Z');
        let W { buf, len } = w;
        // Only ASCII digits and separators were written.
        buf.get(..len).and_then(|b| core::str::from_utf8(b).ok())
    }
}

impl core::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; RFC3339_MAX];
        match self.write_rfc3339(&mut buf) {
            Some(s) => serializer.serialize_str(s),
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO-8601 timestamp string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(|_| E::custom("invalid ISO-8601 timestamp"))
            }
        }
        deserializer.deserialize_str(V)
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn expect(&mut self, c: u8) -> Result<(), TimestampError> {
        if self.next() == Some(c) { Ok(()) } else { Err(TimestampError) }
    }
    fn digits(&mut self, n: usize) -> Result<u32, TimestampError> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.next() {
                Some(d) if d.is_ascii_digit() => v = v * 10 + u32::from(d - b'0'),
                _ => return Err(TimestampError),
            }
        }
        Ok(v)
    }
}

const fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) const fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) const fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parses_the_api_forms() {
        let cases = [
            ("2026-03-09T00:00:00Z", 1_773_014_400, 0, "2026-03-09T00:00:00Z"),
            ("2026-04-10T18:13:42.201Z", 1_775_844_822, 201_000_000, "2026-04-10T18:13:42.201Z"),
            ("2026-04-10T18:13:42.201+00:00", 1_775_844_822, 201_000_000, "2026-04-10T18:13:42.201Z"),
            ("2026-04-10T20:13:42+02:00", 1_775_844_822, 0, "2026-04-10T18:13:42Z"),
            ("2026-04-10 18:13:42.123456", 1_775_844_822, 123_456_000, "2026-04-10T18:13:42.123456Z"),
            ("1970-01-01T00:00:00.000000001Z", 0, 1, "1970-01-01T00:00:00.000000001Z"),
            ("1969-12-31T23:59:59Z", -1, 0, "1969-12-31T23:59:59Z"),
            ("2024-02-29T12:00:00-0130", 1_709_213_400, 0, "2024-02-29T13:30:00Z"),
        ];
        for (input, secs, nanos, out) in cases {
            let t = Timestamp::parse(input).unwrap();
            assert_eq!((t.unix_seconds(), t.subsec_nanos()), (secs, nanos), "{input}");
            assert_eq!(t.to_string(), out);
            assert_eq!(Timestamp::parse(out).unwrap(), t);
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2026",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00Zjunk",
            "2026-01-01",
            "２０２６-01-01T00:00:00Z",
            "2026-01-01T00:00:00+25:00",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fast_form_matches_the_formatter() {
        // Every fraction width, both sides of the epoch, leap days, the
        // year bounds the fast path takes and the years it leaves to `fmt`.
        let secs = [
            i64::MIN / 2,
            -62_167_219_201, // 0000-01-01T00:00:00Z minus 1 s: year -1
            -62_167_219_200, // 0000-01-01T00:00:00Z
            -1,
            0,
            951_782_400, // 2000-02-29
            1_709_213_400,
            1_775_844_822,
            253_402_300_799, // 9999-12-31T23:59:59Z
            253_402_300_800, // 10000-01-01
            i64::MAX / 2,
        ];
        for s in secs {
            for nanos in [0, 1, 10, 999_999_999, 201_000_000, 123_456_000, 100_000, 5_000_000] {
                let t = Timestamp::from_unix(s, nanos);
                let mut buf = [0u8; RFC3339_MAX];
                let fast = t.write_rfc3339(&mut buf).map(String::from);
                let days = s.div_euclid(86_400);
                let (y, _, _) = civil_from_days(days);
                let slow = {
                    let rem = s.rem_euclid(86_400);
                    let (y, m, d) = civil_from_days(days);
                    let mut out =
                        alloc::format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, (rem / 60) % 60, rem % 60);
                    if nanos != 0 {
                        out += &if nanos.is_multiple_of(1_000_000) {
                            alloc::format!(".{:03}", nanos / 1_000_000)
                        } else if nanos.is_multiple_of(1_000) {
                            alloc::format!(".{:06}", nanos / 1_000)
                        } else {
                            alloc::format!(".{nanos:09}")
                        };
                    }
                    out + "Z"
                };
                assert_eq!(fast.is_some(), (0..=9999).contains(&y), "{s} {nanos}");
                if let Some(fast) = fast {
                    assert_eq!(fast, slow, "{s} {nanos}");
                }
                assert_eq!(t.to_string(), slow, "{s} {nanos}");
                assert_eq!(serde_json::to_string(&t).unwrap(), alloc::format!("\"{slow}\""));
            }
        }
    }

    #[test]
    fn serde_round_trip() {
        let t: Timestamp = serde_json::from_str("\"2026-04-10T18:13:42.201Z\"").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2026-04-10T18:13:42.201Z\"");
        assert!(serde_json::from_str::<Timestamp>("12").is_err());
    }
}
