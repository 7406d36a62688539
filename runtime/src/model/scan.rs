//! The serde_json visitors that scan one object or array of a body: keys and value spans,
//! each charged to the decode budget as it is found.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::limits::Budget;
use super::span::JsonSpan;

/// The members of an object: keys (borrowed from the body unless escaped) and value spans,
/// in order.
pub(crate) type Members<'a> = Vec<(Cow<'a, str>, JsonSpan<'a>)>;

/// Cost charged per member of an object being read: its key (`Cow<str>`) and span, twice
/// (the list grows by doubling).
pub(super) const OBJECT_ENTRY_COST: usize =
    2 * (size_of::<Cow<'static, str>>() + size_of::<JsonSpan<'static>>());

/// Cost charged per element of an array being read: its span, twice (growth).
pub(super) const ARRAY_ENTRY_COST: usize = 2 * size_of::<JsonSpan<'static>>();

/// Deserialises an object key, borrowing it from the body when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Collects an object's keys and value spans, charging each to the budget.
pub(super) struct ObjectScan<'b> {
    pub(super) budget: &'b mut Budget,
}

impl<'de> Visitor<'de> for ObjectScan<'_> {
    type Value = Members<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: &'de RawValue = map.next_value()?;
            let owned = match &key {
                Cow::Owned(key) => key.len(),
                Cow::Borrowed(_) => 0,
            };
            if !self.budget.charge(OBJECT_ENTRY_COST + owned) {
                return Err(de::Error::custom("decode budget exceeded"));
            }
            entries.push((key, JsonSpan::new(value.get())));
        }
        Ok(entries)
    }
}

/// Collects an array's element spans, charging each (and the element it will become).
pub(super) struct ArrayScan<'b> {
    pub(super) budget: &'b mut Budget,
    pub(super) element_size: usize,
}

impl<'de> Visitor<'de> for ArrayScan<'_> {
    type Value = Vec<JsonSpan<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(value) = seq.next_element::<&'de RawValue>()? {
            if !self.budget.charge(ARRAY_ENTRY_COST + self.element_size) {
                return Err(de::Error::custom("decode budget exceeded"));
            }
            items.push(JsonSpan::new(value.get()));
        }
        Ok(items)
    }
}
