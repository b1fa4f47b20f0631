//! PATCH fields: omitted, explicitly null, or a value.

use serde::{Serialize, Serializer};

/// The three states of a field in a PATCH body.
///
/// Use it with `#[serde(skip_serializing_if = "Patch::is_keep")]` so that
/// [`Patch::Keep`] leaves the key out entirely, [`Patch::Clear`] sends JSON
/// `null` (only where the API says "null clears") and [`Patch::Set`] sends the
/// value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Leave the stored value unchanged (the key is not sent).
    #[default]
    Keep,
    /// Clear the stored value (`null` is sent).
    Clear,
    /// Replace the stored value.
    Set(T),
}

impl<T> Patch<T> {
    /// `true` for [`Patch::Keep`]; the serde skip predicate.
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }

    /// The value being set, if any.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Converts `Option<Option<T>>` (outer `None` = keep, inner `None` = clear).
    pub fn from_nested(value: Option<Option<T>>) -> Self {
        match value {
            None => Patch::Keep,
            Some(None) => Patch::Clear,
            Some(Some(v)) => Patch::Set(v),
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` clears, `Some(v)` sets (use [`Patch::Keep`] to leave a field alone).
    fn from(value: Option<T>) -> Self {
        match value {
            None => Patch::Clear,
            Some(v) => Patch::Set(v),
        }
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(v) => v.serialize(serializer),
            Patch::Keep | Patch::Clear => serializer.serialize_none(),
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Patch<T> {
    /// A present key deserializes to `Clear` (null) or `Set`; pair with
    /// `#[serde(default)]` so an absent key is `Keep`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Patch::Clear,
            Some(v) => Patch::Set(v),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloc::string::String;

    #[derive(Serialize, serde::Deserialize, Default, Debug, PartialEq)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_keep")]
        name: Patch<String>,
        #[serde(default, skip_serializing_if = "Patch::is_keep")]
        note: Patch<String>,
    }

    #[test]
    fn tri_state_serializes_as_omitted_null_or_value() {
        let b = Body { name: Patch::Set("x".into()), note: Patch::Clear };
        assert_eq!(serde_json::to_string(&b).unwrap(), r#"{"name":"x","note":null}"#);
        assert_eq!(serde_json::to_string(&Body::default()).unwrap(), "{}");
        let back: Body = serde_json::from_str(r#"{"note":null}"#).unwrap();
        assert_eq!(back, Body { name: Patch::Keep, note: Patch::Clear });
    }
}
