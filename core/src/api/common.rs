//! Types and serde helpers shared by several resource families.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::wire_enum;

wire_enum! {
    /// A channel's contact filter mode (mailboxes, phone numbers, iMessage).
    #[derive(Default)]
    pub enum FilterMode {
        /// Deliver only traffic matching an `allow` rule.
        Whitelist = "whitelist",
        /// Deliver everything except traffic matching a `block` rule (the
        /// default, and what an absent or null value means).
        #[default]
        Blacklist = "blacklist",
    }
}

wire_enum! {
    /// The action of a contact rule.
    pub enum RuleAction {
        /// Let matching traffic through.
        Allow = "allow",
        /// Stop matching traffic.
        Block = "block",
    }
}

wire_enum! {
    /// Whether a mail or phone contact rule is enforced.
    pub enum ContactRuleStatus {
        /// Enforced.
        Active = "active",
        /// Kept but not enforced.
        Paused = "paused",
    }
}

/// Sent back by a PATCH that actually changed a filter mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterModeChangeNotice {
    /// The mode now in force.
    pub new_filter_mode: FilterMode,
    /// The rule action made redundant by the switch (`block` after switching
    /// to whitelist, `allow` after switching to blacklist).
    pub redundant_rule_action: RuleAction,
    /// How many active rules have that action (0 = nothing to clean up).
    #[serde(default)]
    pub redundant_rule_count: u64,
}

/// Deserializes `null` as the type's default (pair with `#[serde(default)]`
/// so that an absent key is the default too).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `true` for a canonical 8-4-4-4-12 hex UUID (either case).
pub fn is_uuid(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `deserialize_with` helpers for models that borrow their strings from the
/// response body ([`Cow::Borrowed`] unless the JSON string has escapes). They
/// accept and refuse exactly what `String` (and its `Option` / `Vec`) do, with
/// the same error messages.
pub(crate) mod borrow {
    use super::*;

    /// A string that borrows when it can.
    struct CowStr<'a>(Cow<'a, str>);

    impl<'de: 'a, 'a> Deserialize<'de> for CowStr<'a> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = CowStr<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                    Ok(CowStr(Cow::Borrowed(v)))
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                    Ok(CowStr(Cow::Owned(String::from(v))))
                }
                fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                    Ok(CowStr(Cow::Owned(v)))
                }
                fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
                    core::str::from_utf8(v)
                        .map(|s| CowStr(Cow::Borrowed(s)))
                        .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(v), &self))
                }
                fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                    core::str::from_utf8(v)
                        .map(|s| CowStr(Cow::Owned(String::from(s))))
                        .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(v), &self))
                }
            }
            deserializer.deserialize_string(V)
        }
    }

    /// `String`.
    pub(crate) fn str<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Cow<'a, str>, D::Error> {
        CowStr::deserialize(d).map(|s| s.0)
    }

    /// `Option<String>`.
    pub(crate) fn opt_str<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
        Option::<CowStr<'a>>::deserialize(d).map(|s| s.map(|s| s.0))
    }

    /// `Vec<String>`.
    pub(crate) fn vec_str<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<Cow<'a, str>>, D::Error> {
        Vec::<CowStr<'a>>::deserialize(d).map(|v| v.into_iter().map(|s| s.0).collect())
    }

    /// `Option<Vec<String>>`.
    pub(crate) fn opt_vec_str<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Cow<'a, str>>>, D::Error> {
        Option::<Vec<CowStr<'a>>>::deserialize(d).map(|v| v.map(|v| v.into_iter().map(|s| s.0).collect()))
    }
}
