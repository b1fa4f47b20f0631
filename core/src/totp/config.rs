//! The owned TOTP configuration stored in a vault login payload (`alloc`).

use alloc::string::String;
use core::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::key::decode_base32;
use super::pycompat::py_strip;
use super::{Algorithm, Digits, Period, Totp, TotpCode, TotpError, TotpKey};

/// A validated TOTP configuration, as stored in `login.totp` (the reference's
/// `TOTPConfig`).
///
/// The secret is kept exactly as given (a lower-case or padded secret stays
/// so) and always decodes: construction validates it like the reference. It
/// is zeroized on drop and never shown by `Debug`.
///
/// Serde: serializes to the reference's `_to_dict` form (`secret`,
/// `algorithm`, `digits`, `period` always, then `issuer` and `account_name`
/// when set) and deserializes from a stored object with defaults filled in
/// (see [`from_json_value`](Self::from_json_value) for the rules); a
/// deserialization error carries the [`TotpError`] message.
#[derive(Clone)]
pub struct TotpConfig {
    secret: Zeroizing<String>,
    algorithm: Algorithm,
    digits: Digits,
    period: Period,
    issuer: Option<String>,
    account_name: Option<String>,
}

impl TotpConfig {
    /// A config with the defaults (`sha1`, 6 digits, 30 s, no issuer or
    /// account name); use the `with_*` methods for the rest.
    ///
    /// # Errors
    /// [`TotpError::EmptySecret`] for an empty or whitespace-only secret,
    /// [`TotpError::InvalidSecret`] / [`TotpError::SecretTooLong`] when it
    /// does not decode (see [`TotpKey::from_base32`]).
    pub fn new(secret: impl Into<String>) -> Result<Self, TotpError> {
        let secret = Zeroizing::new(secret.into());
        check_secret(&secret)?;
        Ok(Self::from_checked_secret(secret))
    }

    /// A config around a secret that is known to decode.
    pub(crate) fn from_checked_secret(secret: Zeroizing<String>) -> Self {
        Self {
            secret,
            algorithm: Algorithm::Sha1,
            digits: Digits::Six,
            period: Period::Thirty,
            issuer: None,
            account_name: None,
        }
    }

    /// Sets the algorithm.
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Sets the number of digits.
    #[must_use]
    pub fn with_digits(mut self, digits: Digits) -> Self {
        self.digits = digits;
        self
    }

    /// Sets the period.
    #[must_use]
    pub fn with_period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }

    /// Sets the issuer.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets the account name.
    #[must_use]
    pub fn with_account_name(mut self, account_name: impl Into<String>) -> Self {
        self.account_name = Some(account_name.into());
        self
    }

    /// Replaces the issuer.
    pub fn set_issuer(&mut self, issuer: Option<String>) {
        self.issuer = issuer;
    }

    /// Replaces the account name.
    pub fn set_account_name(&mut self, account_name: Option<String>) {
        self.account_name = account_name;
    }

    /// The base32 secret, as stored. Handle with care.
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.secret
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

    /// The issuer, if any.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name, if any.
    #[must_use]
    pub fn account_name(&self) -> Option<&str> {
        self.account_name.as_deref()
    }

    /// The decoded key.
    ///
    /// # Errors
    /// None in practice (the secret was validated on construction); the
    /// secret's errors otherwise.
    pub fn key(&self) -> Result<TotpKey, TotpError> {
        decode_base32(&self.secret)
    }

    /// A generator for this config. Build it once to generate or verify many
    /// codes without decoding the secret each time.
    ///
    /// # Errors
    /// As [`key`](Self::key).
    pub fn generator(&self) -> Result<Totp, TotpError> {
        Ok(Totp::new(self.key()?, self.algorithm, self.digits, self.period))
    }

    /// The code at `unix_secs` (see [`Totp::generate`]).
    ///
    /// # Errors
    /// [`TotpError::InvalidTime`] within one period of `u64::MAX`.
    pub fn generate(&self, unix_secs: u64) -> Result<TotpCode, TotpError> {
        self.generator()?.generate(unix_secs)
    }

    /// The code at fractional `unix_secs`, truncated (see
    /// [`Totp::generate_f64`]).
    ///
    /// # Errors
    /// [`TotpError::InvalidTime`] for NaN, infinite, negative or huge times.
    pub fn generate_f64(&self, unix_secs: f64) -> Result<TotpCode, TotpError> {
        self.generator()?.generate_f64(unix_secs)
    }

    /// Checks a submitted code within `window` steps (see [`Totp::verify`]).
    ///
    /// # Errors
    /// As [`key`](Self::key).
    pub fn verify(&self, code: &str, unix_secs: u64, window: u8) -> Result<Option<u64>, TotpError> {
        Ok(self.generator()?.verify(code, unix_secs, window))
    }

    /// Parses the JSON text of a stored config (see
    /// [`from_json_value`](Self::from_json_value)).
    ///
    /// # Errors
    /// [`TotpError::InvalidConfig`] for text that is not a JSON object, else
    /// as [`from_json_value`](Self::from_json_value).
    pub fn from_json(json: &str) -> Result<Self, TotpError> {
        serde_json::from_str::<RawConfig>(json).map_err(|_| TotpError::InvalidConfig)?.into_config()
    }

    /// Reads a stored config object (the reference's `TOTPConfig._from_dict`).
    ///
    /// Missing `algorithm`, `digits`, `period` take the defaults (`sha1`, 6,
    /// 30), and so does an explicit `null` (the reference would fail on
    /// `null`; the TypeScript SDK defaults it). `algorithm` must be exactly
    /// `sha1`, `sha256` or `sha512`; `digits` and `period` must be JSON
    /// integers with an allowed value (no strings or floats); `issuer` and
    /// `account_name` are strings or `null`. Unknown keys are ignored and a
    /// repeated key keeps its last value, as Python's `json` does.
    ///
    /// # Errors
    /// [`TotpError::MissingSecret`] without a `secret` (or with `null`),
    /// [`TotpError::InvalidSecret`] for a non-string or undecodable secret,
    /// [`TotpError::EmptySecret`], [`TotpError::SecretTooLong`],
    /// [`TotpError::InvalidAlgorithm`], [`TotpError::InvalidDigits`],
    /// [`TotpError::InvalidPeriod`], and [`TotpError::InvalidConfig`] when the
    /// value is not an object or `issuer`/`account_name` has another type.
    pub fn from_json_value(value: &serde_json::Value) -> Result<Self, TotpError> {
        RawConfig::deserialize(value).map_err(|_| TotpError::InvalidConfig)?.into_config()
    }
}

/// The reference's constructor check: non-blank, then decodable.
fn check_secret(secret: &str) -> Result<(), TotpError> {
    if py_strip(secret).is_empty() {
        return Err(TotpError::EmptySecret);
    }
    decode_base32(secret).map(drop)
}

impl PartialEq for TotpConfig {
    /// Field-wise; the secrets are compared in constant time.
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.secret.as_bytes().ct_eq(other.secret.as_bytes()))
            && self.algorithm == other.algorithm
            && self.digits == other.digits
            && self.period == other.period
            && self.issuer == other.issuer
            && self.account_name == other.account_name
    }
}

impl Eq for TotpConfig {}

impl fmt::Debug for TotpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpConfig")
            .field("secret", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .field("issuer", &self.issuer)
            .field("account_name", &self.account_name)
            .finish()
    }
}

impl Serialize for TotpConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 4 + usize::from(self.issuer.is_some()) + usize::from(self.account_name.is_some());
        let mut s = serializer.serialize_struct("TotpConfig", len)?;
        s.serialize_field("secret", self.secret.as_str())?;
        s.serialize_field("algorithm", &self.algorithm)?;
        s.serialize_field("digits", &self.digits)?;
        s.serialize_field("period", &self.period)?;
        match &self.issuer {
            Some(issuer) => s.serialize_field("issuer", issuer)?,
            None => s.skip_field("issuer")?,
        }
        match &self.account_name {
            Some(account_name) => s.serialize_field("account_name", account_name)?,
            None => s.skip_field("account_name")?,
        }
        s.end()
    }
}

impl<'de> Deserialize<'de> for TotpConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawConfig::deserialize(deserializer)?.into_config().map_err(de::Error::custom)
    }
}

/// A JSON value as far as the config reader cares.
enum RawValue {
    Null,
    Str(Zeroizing<String>),
    UInt(u64),
    /// Negative integers, floats, booleans, arrays, objects.
    Other,
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawValue, E> {
                Ok(RawValue::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<RawValue, E> {
                Ok(RawValue::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
                RawValue::deserialize(d)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawValue, E> {
                Ok(RawValue::Str(Zeroizing::new(String::from(v))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RawValue, E> {
                Ok(RawValue::Str(Zeroizing::new(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawValue, E> {
                Ok(RawValue::UInt(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawValue, E> {
                Ok(u64::try_from(v).map_or(RawValue::Other, RawValue::UInt))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawValue, E> {
                Ok(u64::try_from(v).map_or(RawValue::Other, RawValue::UInt))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawValue, E> {
                Ok(u64::try_from(v).map_or(RawValue::Other, RawValue::UInt))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawValue, E> {
                Ok(RawValue::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawValue, E> {
                Ok(RawValue::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawValue::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(RawValue::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The keys of a stored config.
enum Field {
    Secret,
    Algorithm,
    Digits,
    Period,
    Issuer,
    AccountName,
    Unknown,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "secret" => Field::Secret,
                    "algorithm" => Field::Algorithm,
                    "digits" => Field::Digits,
                    "period" => Field::Period,
                    "issuer" => Field::Issuer,
                    "account_name" => Field::AccountName,
                    _ => Field::Unknown,
                })
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

/// A stored config before validation; `None` means the key is absent.
#[derive(Default)]
struct RawConfig {
    secret: Option<RawValue>,
    algorithm: Option<RawValue>,
    digits: Option<RawValue>,
    period: Option<RawValue>,
    issuer: Option<RawValue>,
    account_name: Option<RawValue>,
}

impl<'de> Deserialize<'de> for RawConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawConfig;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a TOTP config object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawConfig, A::Error> {
                let mut raw = RawConfig::default();
                while let Some(field) = map.next_key::<Field>()? {
                    // The last occurrence of a key wins, as in Python's json.
                    let slot = match field {
                        Field::Secret => &mut raw.secret,
                        Field::Algorithm => &mut raw.algorithm,
                        Field::Digits => &mut raw.digits,
                        Field::Period => &mut raw.period,
                        Field::Issuer => &mut raw.issuer,
                        Field::AccountName => &mut raw.account_name,
                        Field::Unknown => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value::<RawValue>()?);
                }
                Ok(raw)
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl RawConfig {
    /// Validates in the reference's order: the `secret` key, the algorithm,
    /// the secret's content, digits, period.
    fn into_config(self) -> Result<TotpConfig, TotpError> {
        let secret = match self.secret {
            None | Some(RawValue::Null) => return Err(TotpError::MissingSecret),
            Some(RawValue::Str(s)) => s,
            Some(_) => return Err(TotpError::InvalidSecret),
        };
        let algorithm = match self.algorithm {
            None | Some(RawValue::Null) => Algorithm::Sha1,
            Some(RawValue::Str(name)) => Algorithm::from_config_name(&name)?,
            Some(_) => return Err(TotpError::InvalidAlgorithm),
        };
        check_secret(&secret)?;
        let digits = match self.digits {
            None | Some(RawValue::Null) => Digits::Six,
            Some(RawValue::UInt(n)) => Digits::new(n)?,
            Some(_) => return Err(TotpError::InvalidDigits),
        };
        let period = match self.period {
            None | Some(RawValue::Null) => Period::Thirty,
            Some(RawValue::UInt(n)) => Period::new(n)?,
            Some(_) => return Err(TotpError::InvalidPeriod),
        };
        Ok(TotpConfig {
            secret,
            algorithm,
            digits,
            period,
            issuer: optional_string(self.issuer)?,
            account_name: optional_string(self.account_name)?,
        })
    }
}

fn optional_string(value: Option<RawValue>) -> Result<Option<String>, TotpError> {
    match value {
        None | Some(RawValue::Null) => Ok(None),
        Some(RawValue::Str(mut s)) => Ok(Some(core::mem::take(&mut *s))),
        Some(_) => Err(TotpError::InvalidConfig),
    }
}
