//! The three code parameters: hash algorithm, number of digits, period.

use core::fmt;
use core::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

use super::TotpError;

/// The HMAC hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// HMAC-SHA1, the default and what nearly every authenticator uses.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// The stored (config) name: `"sha1"`, `"sha256"` or `"sha512"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
        }
    }

    /// The `otpauth://` URI spelling: `"SHA1"`, `"SHA256"` or `"SHA512"`.
    #[must_use]
    pub const fn uri_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// Parses a stored name: exactly `sha1`, `sha256` or `sha512` (lower
    /// case, like the reference's `TOTPAlgorithm(value)`).
    ///
    /// # Errors
    /// [`TotpError::InvalidAlgorithm`] for anything else, including `"SHA1"`.
    pub fn from_config_name(name: &str) -> Result<Self, TotpError> {
        match name {
            "sha1" => Ok(Self::Sha1),
            "sha256" => Ok(Self::Sha256),
            "sha512" => Ok(Self::Sha512),
            _ => Err(TotpError::InvalidAlgorithm),
        }
    }

    /// Parses a URI `algorithm` parameter: the names above in any case (the
    /// reference lower-cases it first; no non-ASCII character lower-cases to
    /// these ASCII names).
    ///
    /// # Errors
    /// [`TotpError::InvalidAlgorithm`] for anything else (`SHA-256`, `MD5`).
    pub fn from_uri_name(name: &str) -> Result<Self, TotpError> {
        [Self::Sha1, Self::Sha256, Self::Sha512]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
            .ok_or(TotpError::InvalidAlgorithm)
    }
}

impl FromStr for Algorithm {
    type Err = TotpError;

    /// Same as [`Algorithm::from_config_name`] (exact lower case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_config_name(s)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Algorithm;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"sha1\", \"sha256\" or \"sha512\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Algorithm, E> {
                Algorithm::from_config_name(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// The number of digits in a code: 6 or 8 (the reference's only values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Digits {
    /// Six digits, the default.
    #[default]
    Six,
    /// Eight digits.
    Eight,
}

impl Digits {
    /// Validates a digit count.
    ///
    /// # Errors
    /// [`TotpError::InvalidDigits`] unless `n` is 6 or 8.
    pub const fn new(n: u64) -> Result<Self, TotpError> {
        match n {
            6 => Ok(Self::Six),
            8 => Ok(Self::Eight),
            _ => Err(TotpError::InvalidDigits),
        }
    }

    /// 6 or 8.
    #[must_use]
    pub const fn get(self) -> u32 {
        match self {
            Self::Six => 6,
            Self::Eight => 8,
        }
    }

    /// 6 or 8, as a length.
    pub(crate) const fn len(self) -> usize {
        match self {
            Self::Six => 6,
            Self::Eight => 8,
        }
    }

    /// `10^digits`.
    pub(crate) const fn modulus(self) -> u32 {
        match self {
            Self::Six => 1_000_000,
            Self::Eight => 100_000_000,
        }
    }
}

impl TryFrom<u64> for Digits {
    type Error = TotpError;
    fn try_from(n: u64) -> Result<Self, TotpError> {
        Self::new(n)
    }
}

impl TryFrom<u32> for Digits {
    type Error = TotpError;
    fn try_from(n: u32) -> Result<Self, TotpError> {
        Self::new(u64::from(n))
    }
}

impl From<Digits> for u32 {
    fn from(d: Digits) -> u32 {
        d.get()
    }
}

impl Serialize for Digits {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.get())
    }
}

impl<'de> Deserialize<'de> for Digits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(deserializer)?;
        Self::new(n).map_err(de::Error::custom)
    }
}

/// The time step: 30 or 60 seconds (the reference's only values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Period {
    /// Thirty seconds, the default.
    #[default]
    Thirty,
    /// Sixty seconds.
    Sixty,
}

impl Period {
    /// Validates a period in seconds.
    ///
    /// # Errors
    /// [`TotpError::InvalidPeriod`] unless `secs` is 30 or 60.
    pub const fn new(secs: u64) -> Result<Self, TotpError> {
        match secs {
            30 => Ok(Self::Thirty),
            60 => Ok(Self::Sixty),
            _ => Err(TotpError::InvalidPeriod),
        }
    }

    /// 30 or 60.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        match self {
            Self::Thirty => 30,
            Self::Sixty => 60,
        }
    }
}

impl TryFrom<u64> for Period {
    type Error = TotpError;
    fn try_from(secs: u64) -> Result<Self, TotpError> {
        Self::new(secs)
    }
}

impl From<Period> for u64 {
    fn from(p: Period) -> u64 {
        p.as_secs()
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.as_secs())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(deserializer)?;
        Self::new(n).map_err(de::Error::custom)
    }
}
