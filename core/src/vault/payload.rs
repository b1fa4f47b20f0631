//! Typed secret payloads: parsing decrypted JSON and writing it back exactly
//! as the reference SDK does.

use alloc::string::String;
use core::fmt;

use serde_json::{Map, Value};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::VaultError;
use super::json::{self, ObjectWriter, Sink};
use crate::totp::TotpConfig;

/// A secret's `secret_type` (stored in clear next to the encrypted payload).
///
/// Unknown strings are kept as [`SecretType::Unknown`] so newer server-side
/// types round-trip; their payloads cannot be parsed into a typed value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SecretType {
    /// `login`
    Login,
    /// `api_key`
    ApiKey,
    /// `key_pair`
    KeyPair,
    /// `ssh_key`
    SshKey,
    /// `other`
    Other,
    /// Any other string, kept verbatim.
    Unknown(String),
}

impl SecretType {
    /// The five types this version understands.
    pub const KNOWN: [Self; 5] = [Self::Login, Self::ApiKey, Self::KeyPair, Self::SshKey, Self::Other];

    /// Parses the wire string (exact, case-sensitive, as the reference).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match text {
            "login" => Self::Login,
            "api_key" => Self::ApiKey,
            "key_pair" => Self::KeyPair,
            "ssh_key" => Self::SshKey,
            "other" => Self::Other,
            other => Self::Unknown(String::from(other)),
        }
    }

    /// The wire string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Login => "login",
            Self::ApiKey => "api_key",
            Self::KeyPair => "key_pair",
            Self::SshKey => "ssh_key",
            Self::Other => "other",
            Self::Unknown(s) => s,
        }
    }
}

impl From<&str> for SecretType {
    fn from(text: &str) -> Self {
        Self::parse(text)
    }
}

impl fmt::Display for SecretType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for SecretType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SecretType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::parse(&text))
    }
}

/// Writes a login's TOTP config as the reference's `TOTPConfig._to_dict`:
/// `secret`, `algorithm`, `digits`, `period`, then `issuer` and
/// `account_name` when set.
fn write_totp(totp: &TotpConfig, sink: &mut dyn Sink) {
    let mut obj = ObjectWriter::new(sink);
    obj.str("secret", totp.secret());
    obj.str("algorithm", totp.algorithm().as_str());
    obj.u64("digits", u64::from(totp.digits().get()));
    obj.u64("period", totp.period().as_secs());
    obj.opt_str("issuer", totp.issuer());
    obj.opt_str("account_name", totp.account_name());
    obj.finish();
}

/// Reads a login's stored TOTP config with [`TotpConfig::from_json_value`].
fn read_totp(mut value: Value) -> Result<TotpConfig, VaultError> {
    let totp = TotpConfig::from_json_value(&value).map_err(|_| VaultError::InvalidPayload);
    wipe(&mut value);
    totp
}

/// Prints `<redacted>` in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `Some(<redacted>)` / `None` for optional secrets.
fn redact_opt(value: Option<&String>) -> Option<Redacted> {
    value.map(|_| Redacted)
}

/// The unparsed members of a payload object; wiped when dropped (unknown
/// members may hold secrets too).
struct Leftovers(Map<String, Value>);

impl Drop for Leftovers {
    fn drop(&mut self) {
        for value in self.0.values_mut() {
            wipe(value);
        }
    }
}

/// Zeroizes the strings in a JSON value (numbers and keys stay).
fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}

/// Removes a member that is present and not `null`.
fn take_non_null(map: &mut Leftovers, key: &str) -> Option<Value> {
    match map.0.remove(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v),
    }
}

/// A required string member: missing, `null` or not a string is an error.
fn take_required(map: &mut Leftovers, key: &str) -> Result<String, VaultError> {
    take_optional(map, key)?.ok_or(VaultError::InvalidPayload)
}

/// An optional string member: missing or `null` is `None`; another type is an
/// error.
fn take_optional(map: &mut Leftovers, key: &str) -> Result<Option<String>, VaultError> {
    match take_non_null(map, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(mut other) => {
            wipe(&mut other);
            Err(VaultError::InvalidPayload)
        }
    }
}

/// `Debug` of a required field: shown or `<redacted>`.
macro_rules! debug_required {
    ($s:ident, shown, $name:expr, $value:expr) => {
        $s.field($name, $value)
    };
    ($s:ident, redacted, $name:expr, $value:expr) => {
        $s.field($name, &Redacted)
    };
}

/// `Debug` of an optional field: shown or `Some(<redacted>)`.
macro_rules! debug_optional {
    ($s:ident, shown, $name:expr, $value:expr) => {
        $s.field($name, $value)
    };
    ($s:ident, redacted, $name:expr, $value:expr) => {
        $s.field($name, &redact_opt($value.as_ref()))
    };
}

macro_rules! payload_type {
    (
        $(#[$doc:meta])*
        $name:ident ($variant:ident) {
            required: [$($req:ident ($req_mode:ident)),+],
            optional: [$($opt:ident ($opt_mode:ident)),*],
        }
    ) => {
        $(#[$doc])*
        ///
        /// Every type also has optional `notes`. Zeroized on drop; `Debug`
        /// redacts secret fields and notes.
        #[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
        pub struct $name {
            /// Optional free-form notes (written first, as the reference does).
            pub notes: Option<String>,
            $(
                #[doc = concat!("`", stringify!($req), "` (required).")]
                pub $req: String,
            )+
            $(
                #[doc = concat!("`", stringify!($opt), "` (optional).")]
                pub $opt: Option<String>,
            )*
        }

        impl $name {
            /// A payload with only the required fields.
            #[must_use]
            pub fn new($($req: String),+) -> Self {
                Self { notes: None, $($req,)+ $($opt: None,)* }
            }

            fn from_map(map: &mut Leftovers) -> Result<Self, VaultError> {
                // Filled in place so that an error part-way drops (and
                // zeroizes) what was already taken.
                let mut payload = Self { notes: None, $($req: String::new(),)+ $($opt: None,)* };
                payload.notes = take_optional(map, "notes")?;
                $(payload.$req = take_required(map, stringify!($req))?;)+
                $(payload.$opt = take_optional(map, stringify!($opt))?;)*
                Ok(payload)
            }

            fn write(&self, sink: &mut dyn Sink) {
                let mut obj = ObjectWriter::new(sink);
                obj.opt_str("notes", self.notes.as_deref());
                $(obj.str(stringify!($req), &self.$req);)+
                $(obj.opt_str(stringify!($opt), self.$opt.as_deref());)*
                obj.finish();
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut s = f.debug_struct(stringify!($name));
                s.field("notes", &redact_opt(self.notes.as_ref()));
                $(debug_required!(s, $req_mode, stringify!($req), &self.$req);)+
                $(debug_optional!(s, $opt_mode, stringify!($opt), &self.$opt);)*
                s.finish()
            }
        }

        impl From<$name> for SecretPayload {
            fn from(payload: $name) -> Self {
                Self::$variant(payload)
            }
        }
    };
}

payload_type! {
    /// Payload of an `api_key` secret: one API token.
    ApiKeyPayload (ApiKey) {
        required: [api_key (redacted)],
        optional: [endpoint (shown)],
    }
}

payload_type! {
    /// Payload of a `key_pair` secret: an access key id and its secret key.
    KeyPairPayload (KeyPair) {
        required: [access_key (shown), secret_key (redacted)],
        optional: [endpoint (shown)],
    }
}

payload_type! {
    /// Payload of an `ssh_key` secret.
    SshKeyPayload (SshKey) {
        required: [private_key (redacted)],
        optional: [public_key (shown), fingerprint (shown), passphrase (redacted)],
    }
}

payload_type! {
    /// Payload of an `other` secret: free-form data.
    OtherPayload (Other) {
        required: [data (redacted)],
        optional: [],
    }
}

/// Payload of a `login` secret. At least one of `username`/`email` should be
/// set (not enforced, as in the reference).
///
/// Zeroized on drop; `Debug` redacts the password, notes and TOTP secret.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct LoginPayload {
    /// Optional free-form notes (written first, as the reference does).
    pub notes: Option<String>,
    /// `password` (required).
    pub password: String,
    /// `username` (optional).
    pub username: Option<String>,
    /// `email` (optional).
    pub email: Option<String>,
    /// `url` of the service (optional).
    pub url: Option<String>,
    /// TOTP config for two-factor codes (optional), read and validated by
    /// [`TotpConfig::from_json_value`]: missing `algorithm`, `digits`,
    /// `period` take their defaults and are always written back. (Wipes its
    /// own secret on drop.)
    #[zeroize(skip)]
    pub totp: Option<TotpConfig>,
}

impl LoginPayload {
    /// A login with only a password.
    #[must_use]
    pub fn new(password: String) -> Self {
        Self { notes: None, password, username: None, email: None, url: None, totp: None }
    }

    fn from_map(map: &mut Leftovers) -> Result<Self, VaultError> {
        let mut login = Self::new(String::new());
        login.notes = take_optional(map, "notes")?;
        login.password = take_required(map, "password")?;
        login.username = take_optional(map, "username")?;
        login.email = take_optional(map, "email")?;
        login.url = take_optional(map, "url")?;
        login.totp = take_non_null(map, "totp").map(read_totp).transpose()?;
        Ok(login)
    }

    fn write(&self, sink: &mut dyn Sink) {
        let mut obj = ObjectWriter::new(sink);
        obj.opt_str("notes", self.notes.as_deref());
        obj.str("password", &self.password);
        obj.opt_str("username", self.username.as_deref());
        obj.opt_str("email", self.email.as_deref());
        obj.opt_str("url", self.url.as_deref());
        if let Some(totp) = &self.totp {
            obj.with("totp", |s| write_totp(totp, s));
        }
        obj.finish();
    }
}

impl fmt::Debug for LoginPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginPayload")
            .field("notes", &redact_opt(self.notes.as_ref()))
            .field("password", &Redacted)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("url", &self.url)
            .field("totp", &self.totp)
            .finish()
    }
}

impl From<LoginPayload> for SecretPayload {
    fn from(payload: LoginPayload) -> Self {
        Self::Login(payload)
    }
}

/// A decrypted secret payload, typed by its `secret_type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretPayload {
    /// `login`
    Login(LoginPayload),
    /// `api_key`
    ApiKey(ApiKeyPayload),
    /// `key_pair`
    KeyPair(KeyPairPayload),
    /// `ssh_key`
    SshKey(SshKeyPayload),
    /// `other`
    Other(OtherPayload),
}

/// Parses JSON bytes into an object, or fails with `InvalidPayload`.
fn parse_object(json: &[u8]) -> Result<Leftovers, VaultError> {
    match serde_json::from_slice::<Value>(json) {
        Ok(Value::Object(map)) => Ok(Leftovers(map)),
        Ok(mut other) => {
            wipe(&mut other);
            Err(VaultError::InvalidPayload)
        }
        Err(_) => Err(VaultError::InvalidPayload),
    }
}

/// The type a payload object's shape implies (TS SDK rule, in order):
/// `password` → login, `private_key` → ssh_key, `api_key` → api_key,
/// `access_key` and `secret_key` → key_pair, `data` → other. A member counts
/// when present and not `null`.
fn infer(map: &Leftovers) -> Option<SecretType> {
    let has = |key: &str| map.0.get(key).is_some_and(|v| !v.is_null());
    if has("password") {
        Some(SecretType::Login)
    } else if has("private_key") {
        Some(SecretType::SshKey)
    } else if has("api_key") {
        Some(SecretType::ApiKey)
    } else if has("access_key") && has("secret_key") {
        Some(SecretType::KeyPair)
    } else if has("data") {
        Some(SecretType::Other)
    } else {
        None
    }
}

impl SecretPayload {
    /// The payload's `secret_type`.
    #[must_use]
    pub const fn secret_type(&self) -> SecretType {
        match self {
            Self::Login(_) => SecretType::Login,
            Self::ApiKey(_) => SecretType::ApiKey,
            Self::KeyPair(_) => SecretType::KeyPair,
            Self::SshKey(_) => SecretType::SshKey,
            Self::Other(_) => SecretType::Other,
        }
    }

    /// The optional notes of any payload type.
    #[must_use]
    pub fn notes(&self) -> Option<&str> {
        match self {
            Self::Login(p) => p.notes.as_deref(),
            Self::ApiKey(p) => p.notes.as_deref(),
            Self::KeyPair(p) => p.notes.as_deref(),
            Self::SshKey(p) => p.notes.as_deref(),
            Self::Other(p) => p.notes.as_deref(),
        }
    }

    /// Parses decrypted payload JSON as the stored `secret_type` says.
    ///
    /// Unknown members are ignored; `null` members count as absent; a TOTP
    /// config's missing `algorithm`/`digits`/`period` take their defaults.
    /// Accepts both the Python form (`\uXXXX` escapes) and raw UTF-8 (TS SDK).
    ///
    /// # Errors
    /// - [`VaultError::UnsupportedSecretType`] for [`SecretType::Unknown`].
    /// - [`VaultError::InvalidPayload`] if `json` is not a JSON object, a
    ///   required member is missing or `null`, a member has the wrong JSON
    ///   type, or the TOTP config is invalid (algorithm not `sha1`/`sha256`/
    ///   `sha512`, digits not 6/8, period not 30/60).
    pub fn parse(secret_type: &SecretType, json: &[u8]) -> Result<Self, VaultError> {
        if let SecretType::Unknown(_) = secret_type {
            return Err(VaultError::UnsupportedSecretType);
        }
        let mut map = parse_object(json)?;
        Self::from_map(secret_type, &mut map)
    }

    /// Parses payload JSON whose type is unknown, inferring it from the shape
    /// (see [`SecretPayload::infer_type`]).
    ///
    /// # Errors
    /// [`VaultError::InvalidPayload`] if `json` is not an object, no type
    /// matches, or the inferred type's parse fails.
    pub fn parse_inferred(json: &[u8]) -> Result<Self, VaultError> {
        let mut map = parse_object(json)?;
        let secret_type = infer(&map).ok_or(VaultError::InvalidPayload)?;
        Self::from_map(&secret_type, &mut map)
    }

    /// The `secret_type` the shape of payload JSON implies (TS SDK rule, in
    /// order): `password` → login, `private_key` → ssh_key, `api_key` →
    /// api_key, `access_key` and `secret_key` → key_pair, `data` → other. A
    /// member counts when present and not `null`. `None` if `json` is not an
    /// object or nothing matches.
    #[must_use]
    pub fn infer_type(json: &[u8]) -> Option<SecretType> {
        parse_object(json).ok().and_then(|map| infer(&map))
    }

    fn from_map(secret_type: &SecretType, map: &mut Leftovers) -> Result<Self, VaultError> {
        Ok(match secret_type {
            SecretType::Login => Self::Login(LoginPayload::from_map(map)?),
            SecretType::ApiKey => Self::ApiKey(ApiKeyPayload::from_map(map)?),
            SecretType::KeyPair => Self::KeyPair(KeyPairPayload::from_map(map)?),
            SecretType::SshKey => Self::SshKey(SshKeyPayload::from_map(map)?),
            SecretType::Other => Self::Other(OtherPayload::from_map(map)?),
            SecretType::Unknown(_) => return Err(VaultError::UnsupportedSecretType),
        })
    }

    /// Refuses a payload whose type differs from the secret's stored type
    /// (e.g. when updating a secret, or setting TOTP on a non-login).
    ///
    /// # Errors
    /// [`VaultError::PayloadTypeMismatch`] if the types differ.
    pub fn ensure_type(&self, expected: &SecretType) -> Result<(), VaultError> {
        if self.secret_type() == *expected { Ok(()) } else { Err(VaultError::PayloadTypeMismatch) }
    }

    /// The plaintext the reference SDK would encrypt for this payload:
    /// Python `json.dumps(payload._to_dict(), separators=(",", ":"))`, byte
    /// for byte — `notes` first, then the type's fields in declaration order,
    /// `null`s omitted, ASCII-only with `\uXXXX` escapes. Zeroized on drop.
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<String> {
        json::render(|sink| match self {
            Self::Login(p) => p.write(sink),
            Self::ApiKey(p) => p.write(sink),
            Self::KeyPair(p) => p.write(sink),
            Self::SshKey(p) => p.write(sink),
            Self::Other(p) => p.write(sink),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    extern crate std;
    use std::format;

    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let mut login = LoginPayload::new("hunter2-password".into());
        login.username = Some("alice".into());
        login.notes = Some("note-secret".into());
        login.totp = Some(TotpConfig::new("JBSWY3DPEHPK3PXP").unwrap().with_issuer("GitHub"));
        let mut ssh = SshKeyPayload::new("-----BEGIN KEY-----".into());
        ssh.passphrase = Some("pass-phrase-secret".into());
        ssh.public_key = Some("ssh-ed25519 AAAA".into());
        let mut api = ApiKeyPayload::new("sk-live-123".into());
        api.endpoint = Some("https://api.example.com".into());
        let payloads: [SecretPayload; 5] = [
            login.into(),
            api.into(),
            KeyPairPayload::new("AKIAID".into(), "secret-key-xyz".into()).into(),
            ssh.into(),
            OtherPayload::new("free-form-data".into()).into(),
        ];
        let secrets = [
            "hunter2-password",
            "note-secret",
            "JBSWY3DPEHPK3PXP",
            "-----BEGIN KEY-----",
            "pass-phrase-secret",
            "sk-live-123",
            "secret-key-xyz",
            "free-form-data",
        ];
        for p in &payloads {
            let dbg = format!("{p:?}");
            for s in secrets {
                assert!(!dbg.contains(s), "{dbg} contains {s}");
            }
        }
        let all = format!("{payloads:?}");
        for shown in ["alice", "GitHub", "AKIAID", "ssh-ed25519 AAAA", "https://api.example.com"] {
            assert!(all.contains(shown), "{all} lacks {shown}");
        }
    }

    #[test]
    fn parse_and_write_roundtrip() {
        let json = br#"{"password":"p","username":null,"extra":{"x":[1,"s"]},"totp":{"secret":"JBSWY3DP","digits":8},"notes":"n"}"#;
        let p = SecretPayload::parse(&SecretType::Login, json).unwrap();
        assert_eq!(
            p.to_json().as_str(),
            r#"{"notes":"n","password":"p","totp":{"secret":"JBSWY3DP","algorithm":"sha1","digits":8,"period":30}}"#
        );
        assert_eq!(SecretPayload::parse_inferred(json).unwrap(), p);
        assert_eq!(p.ensure_type(&SecretType::Login), Ok(()));
        assert_eq!(p.ensure_type(&SecretType::Other), Err(VaultError::PayloadTypeMismatch));
    }

    #[test]
    fn invalid_payloads() {
        let cases: &[(&SecretType, &[u8])] = &[
            (&SecretType::Login, b""),
            (&SecretType::Login, b"not json"),
            (&SecretType::Login, b"[1,2]"),
            (&SecretType::Login, b"\"str\""),
            (&SecretType::Login, b"{}"),
            (&SecretType::Login, br#"{"password":null}"#),
            (&SecretType::Login, br#"{"password":5}"#),
            (&SecretType::Login, br#"{"password":"p","email":true}"#),
            (&SecretType::Login, br#"{"password":"p","totp":"x"}"#),
            (&SecretType::Login, br#"{"password":"p","totp":{}}"#),
            (&SecretType::Login, br#"{"password":"p","totp":{"secret":"JBSWY3DP","digits":7}}"#),
            (&SecretType::Login, br#"{"password":"p","totp":{"secret":"JBSWY3DP","digits":6.0}}"#),
            (&SecretType::Login, br#"{"password":"p","totp":{"secret":"JBSWY3DP","period":45}}"#),
            (&SecretType::Login, br#"{"password":"p","totp":{"secret":"JBSWY3DP","algorithm":"SHA1"}}"#),
            (&SecretType::Login, br#"{"password":"p","totp":{"secret":"JBSWY3D1"}}"#),
            (&SecretType::Login, br#"{"password":"p","totp":{"secret":"  "}}"#),
            (&SecretType::KeyPair, br#"{"access_key":"a"}"#),
            (&SecretType::Other, br#"{"data":{"nested":1}}"#),
            (&SecretType::SshKey, br#"{"public_key":"x"}"#),
            (&SecretType::ApiKey, b"{\"api_key\":\"\xff\"}"),
        ];
        for (t, json) in cases {
            assert_eq!(
                SecretPayload::parse(t, json),
                Err(VaultError::InvalidPayload),
                "{t} {:?}",
                core::str::from_utf8(json)
            );
        }
        assert_eq!(
            SecretPayload::parse(&SecretType::parse("note"), br#"{"data":"x"}"#),
            Err(VaultError::UnsupportedSecretType)
        );
    }

    #[test]
    fn inference_order() {
        let table: &[(&[u8], Option<SecretType>)] = &[
            (br#"{"password":"p","private_key":"k"}"#, Some(SecretType::Login)),
            (br#"{"private_key":"k","api_key":"a"}"#, Some(SecretType::SshKey)),
            (br#"{"api_key":"a","data":"d"}"#, Some(SecretType::ApiKey)),
            (br#"{"access_key":"a","secret_key":"s"}"#, Some(SecretType::KeyPair)),
            (br#"{"access_key":"a","data":"d"}"#, Some(SecretType::Other)),
            (br#"{"password":null,"data":"d"}"#, Some(SecretType::Other)),
            (br#"{"access_key":"a"}"#, None),
            (b"[]", None),
        ];
        for (json, expected) in table {
            assert_eq!(SecretPayload::infer_type(json), *expected, "{:?}", core::str::from_utf8(json));
        }
    }

    #[test]
    fn secret_type_strings() {
        for t in SecretType::KNOWN {
            assert_eq!(SecretType::parse(t.as_str()), t);
        }
        assert_eq!(SecretType::parse("Login"), SecretType::Unknown("Login".into()));
        assert_eq!(SecretType::parse("passkey").as_str(), "passkey");
    }
}
