//! A strict deserializer over JSON values: unknown struct fields are
//! refused and every error names its dotted location.

use alloc::format;
use alloc::string::{String, ToString};
use core::cell::Cell;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

// ------------------------------------------------ strict deserializer

/// A deserializer over a JSON value that refuses object keys a struct does
/// not declare (the field list serde passes to `deserialize_struct`) and
/// records where the first error happened (in `at`).
///
/// Types that do not go through `deserialize_struct` (maps, untagged
/// enums, `flatten`) are read as they are: they accept any key by design.
pub(super) struct Strict<'v, 'c> {
    pub(super) value: &'v Value,
    pub(super) path: String,
    pub(super) at: &'c Cell<Option<String>>,
}

impl Strict<'_, '_> {
    /// Records `path` as the error location unless a deeper one was recorded.
    pub(super) fn mark(&self, path: String) {
        let current = self.at.take();
        self.at.set(Some(current.unwrap_or(path)));
    }

    pub(super) fn note(&self, e: serde_json::Error) -> serde_json::Error {
        self.mark(self.path.clone());
        e
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    let mut p = String::with_capacity(path.len() + 1 + key.len());
    p.push_str(path);
    p.push('.');
    p.push_str(key);
    p
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                let r = self.value.$method(visitor);
                r.map_err(|e| self.note(e))
            }
        )*
    };
}

impl<'v> Deserializer<'v> for Strict<'v, '_> {
    type Error = serde_json::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_bytes
        deserialize_byte_buf deserialize_unit deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'v>>(self, name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_unit_struct(name, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_tuple<V: Visitor<'v>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_tuple(len, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_tuple_struct<V: Visitor<'v>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_tuple_struct(name, len, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_enum<V: Visitor<'v>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let r = self.value.deserialize_enum(name, variants, visitor);
        r.map_err(|e| self.note(e))
    }

    fn deserialize_option<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.value.is_null() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_newtype_struct<V: Visitor<'v>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Array(items) => {
                let mut seq = StrictSeq { iter: items.iter(), index: 0, path: &self.path, at: self.at };
                let out = visitor.visit_seq(&mut seq).map_err(|e| self.note(e))?;
                if seq.iter.len() == 0 {
                    Ok(out)
                } else {
                    Err(self.note(de::Error::invalid_length(items.len(), &"fewer elements in array")))
                }
            }
            other => {
                let r = other.deserialize_seq(visitor);
                r.map_err(|e| self.note(e))
            }
        }
    }

    fn deserialize_struct<V: Visitor<'v>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let map = match self.value {
            Value::Object(map) => map,
            other => {
                let r = other.deserialize_struct(name, fields, visitor);
                return r.map_err(|e| self.note(e));
            }
        };
        if let Some(unknown) = map.keys().find(|k| !fields.contains(&k.as_str())) {
            self.mark(join(&self.path, unknown));
            return Err(de::Error::custom("unknown field"));
        }
        let access = StrictMap { iter: map.iter(), pending: None, path: &self.path, at: self.at };
        visitor.visit_map(access).inspect_err(|e| {
            // Point a missing field at its own location.
            let text = e.to_string();
            let missing = fields.iter().find(|f| text.strip_prefix("missing field `") == Some(&format!("{f}`")));
            match missing {
                Some(f) => self.mark(join(&self.path, f)),
                None => self.mark(self.path.clone()),
            }
        })
    }
}

pub(super) struct StrictMap<'v, 'p, 'c> {
    iter: serde_json::map::Iter<'v>,
    pending: Option<(&'v String, &'v Value)>,
    path: &'p str,
    at: &'c Cell<Option<String>>,
}

impl<'v> MapAccess<'v> for StrictMap<'v, '_, '_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'v>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.pending = Some((k, v));
                seed.deserialize(BorrowedStrDeserializer::new(k.as_str())).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'v>>(&mut self, seed: S) -> Result<S::Value, Self::Error> {
        let (k, v) = self.pending.take().ok_or_else(|| de::Error::custom("value requested before its key"))?;
        seed.deserialize(Strict { value: v, path: join(self.path, k), at: self.at })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

pub(super) struct StrictSeq<'v, 'p, 'c> {
    iter: core::slice::Iter<'v, Value>,
    index: usize,
    path: &'p str,
    at: &'c Cell<Option<String>>,
}

impl<'v> SeqAccess<'v> for StrictSeq<'v, '_, '_> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'v>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        match self.iter.next() {
            Some(v) => {
                let path = format!("{}[{}]", self.path, self.index);
                self.index = self.index.saturating_add(1);
                seed.deserialize(Strict { value: v, path, at: self.at }).map(Some)
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}
