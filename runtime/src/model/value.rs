//! A free-form `serde_json::Value` read from a span within the decode budget.
//!
//! `Value::deserialize` would build any tree the text describes: `[[],[],...]` becomes
//! 32 bytes per 3 bytes of text, before anything could check its size. This seed builds
//! the same tree node by node and charges each node as it is built, so a value stops at
//! the budget instead of at the end of memory. serde_json's own recursion limit (128)
//! bounds its depth.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::limits::Budget;

/// Cost of one node: the `Value`, twice for the vector or map that holds it (growth and
/// map nodes).
const NODE_COST: usize = 2 * size_of::<Value>();

/// Cost of one object member on top of its value: the key `String`, twice.
const KEY_COST: usize = 2 * size_of::<String>();

/// Builds a `Value`, charging every node, key and string to `budget`.
pub(super) struct ValueSeed<'b> {
    pub(super) budget: &'b mut Budget,
}

impl ValueSeed<'_> {
    fn charge<E: de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        if self.budget.charge(bytes) {
            Ok(())
        } else {
            Err(E::custom("decode budget exceeded"))
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<Value, E> {
        self.charge::<E>(v.len())?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(mut self, v: String) -> Result<Value, E> {
        self.charge::<E>(v.len())?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.charge::<A::Error>(NODE_COST)?;
            let seed = ValueSeed {
                budget: &mut *self.budget,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.charge::<A::Error>(NODE_COST + KEY_COST + key.len())?;
            let seed = ValueSeed {
                budget: &mut *self.budget,
            };
            let value = map.next_value_seed(seed)?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}
