//! The JSON form of the generated body models.
//!
//! A generated struct lists its fields once, in a [`Model`] impl (wire name, and whether
//! the field is required), which makes it [`Json`] (what the runtime encodes request bodies
//! and decodes responses with); [`impl_model_serde!`](crate::impl_model_serde) gives it
//! `serde::Serialize`/`serde::Deserialize` (for callers' own use).
//!
//! Why not `#[derive(Serialize, Deserialize)]`, and why not serde inside the runtime's
//! request path: serde's traits are generic over the (de)serializer, so every body type
//! instantiates serde_json's machinery (maps, sequences, visitors, error plumbing) again
//! in the generated crate, for every format it meets. On a 1,000-operation service that
//! monomorphised code was over half of the LLVM IR rustc had to build (`cargo llvm-lines`)
//! and most of its memory. [`Json`] has plain, non-generic building blocks instead: per
//! type only a short `write`/`read` remains, and the serde_json parts are compiled once,
//! here. Encoding goes through `serde_json::Value`; decoding reads the body's bytes
//! directly, one object or array at a time, without a `Value` tree (see [`Decoder`]).
//!
//! Behaviour matches the derive with `#[serde(rename = "..", default,
//! skip_serializing_if = "Option::is_none")]` on optional fields: a body's fields are
//! written in declaration order, absent optional fields are left out, unknown fields are
//! ignored, `null` or a missing key reads as `None`, and a missing required field is an
//! error naming it. Decoding is more forgiving than the derive where services are
//! (numeric strings for numbers, and in responses optional fields that do not fit are
//! left out with a [`DecodeWarning`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize};
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

mod decode;
mod errors;
mod limits;
mod scan;
mod span;
mod value;

pub use decode::{
    DecodeOptions, DecodeWarning, Decoded, Decoder, FieldError, MAX_WARNINGS, ObjectReader, decode,
};
pub use limits::MAX_DEPTH;
pub use span::JsonSpan;

/// A value with a JSON form: scalars, the runtime's string types, generated enums and
/// models, and vectors, maps, boxes and options of them.
pub trait Json: Sized {
    /// The value as JSON.
    fn to_json(&self) -> Value;

    /// The value as JSON text, appended to `out`. Models write their fields in
    /// declaration order (a `Value` object would sort them).
    fn write_json(&self, out: &mut Vec<u8>) {
        write_value(&self.to_json(), out);
    }

    /// The value read from its JSON text; a value of the wrong shape is an error.
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError>;
}

/// A JSON object with named fields: what a generated body struct implements.
pub trait Model: Sized {
    /// The type's name, for error messages.
    const NAME: &'static str;

    /// Writes every field that has a value.
    fn write(&self, object: &mut ObjectWriter);

    /// Reads the fields from an object being decoded.
    fn read(object: &mut ObjectReader<'_>) -> Result<Self, FieldError>;
}

/// Collects a model's fields, in order, as JSON values.
///
/// Its `Debug` shows field names only: values may be passwords or tokens.
pub struct ObjectWriter {
    fields: Vec<(&'static str, Value)>,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        // Room for a typical model's fields up front, rather than growing 0 -> 4 -> 8.
        Self {
            fields: Vec::with_capacity(8),
        }
    }
}

impl ObjectWriter {
    /// Writes a field that is always present.
    pub fn field<T: Json>(&mut self, name: &'static str, value: &T) {
        self.fields.push((name, value.to_json()));
    }

    /// Writes a field when it has a value; `None` leaves it out.
    pub fn optional<T: Json>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.field(name, value);
        }
    }
}

impl fmt::Debug for ObjectWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.fields.iter().map(|(name, _)| name))
            .finish()
    }
}

/// `T` read from a `serde_json::Value`, strictly (an optional field that does not fit is
/// an error), through its JSON text.
pub fn from_value<T: Json>(value: &Value) -> Result<T, FieldError> {
    decode(value.to_string().as_bytes(), &DecodeOptions::default()).map(|decoded| decoded.value)
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    // Writing a `Value` into memory cannot fail: its map keys are strings.
    let _ = serde_json::to_writer(out, value);
}

// The generic functions below are instantiated once per model in the generated crate, so
// each is a few lines that hand over to a non-generic function compiled once here.

/// [`Json::to_json`] of a model: an object of its fields.
fn model_to_json<M: Model>(model: &M) -> Value {
    let mut object = ObjectWriter::default();
    model.write(&mut object);
    object.into_value()
}

/// [`Json::read_json`] of a model: any JSON object, read field by field.
fn model_read_json<M: Model>(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<M, FieldError> {
    M::read(&mut ObjectReader::new(span, decoder, M::NAME)?)
}

/// [`Json::write_json`] of a model: its fields in declaration order.
fn model_write_json<M: Model>(model: &M, out: &mut Vec<u8>) {
    // Writing strings and `Value`s into memory cannot fail.
    let _ = serialize(model, &mut serde_json::Serializer::new(out));
}

impl ObjectWriter {
    fn into_value(self) -> Value {
        let mut map = Map::new();
        for (name, value) in self.fields {
            map.insert(name.to_owned(), value);
        }
        Value::Object(map)
    }
}

fn write_fields<S: Serializer>(
    fields: &[(&'static str, Value)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(fields.len()))?;
    for (name, value) in fields {
        map.serialize_entry(name, value)?;
    }
    map.end()
}

/// `Serialize::serialize` of a [`Model`]: a map of its fields in declaration order.
pub fn serialize<M: Model, S: Serializer>(model: &M, serializer: S) -> Result<S::Ok, S::Error> {
    let mut object = ObjectWriter::default();
    model.write(&mut object);
    write_fields(&object.fields, serializer)
}

/// `Deserialize::deserialize` of a [`Json`] value, through a `serde_json::Value` (any
/// serde format) and strictly: see [`from_value`].
pub fn deserialize<'de, T: Json, D: de::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let value = Value::deserialize(deserializer)?;
    from_value(&value).map_err(de::Error::custom)
}

impl Json for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        decoder.text(span, "a string")
    }
}

impl Json for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        decoder.boolean(span)
    }
}

impl Json for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        let n = decoder.integer(span, "i32")?;
        i32::try_from(n).map_err(|_| decoder.invalid(span, "i32"))
    }
}

impl Json for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        decoder.integer(span, "i64")
    }
}

impl Json for f64 {
    fn to_json(&self) -> Value {
        // NaN and infinities have no JSON form; serde_json writes them as null too.
        Value::from(*self)
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        decoder.float(span)
    }
}

impl Json for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        decoder.value(span)
    }
}

// Loops rather than iterator chains: these are instantiated per element type in the
// generated crate, and `collect` brings a lot of code with it.
impl<T: Json> Json for Vec<T> {
    fn to_json(&self) -> Value {
        let mut items = Vec::with_capacity(self.len());
        for item in self {
            items.push(item.to_json());
        }
        Value::Array(items)
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        // The elements' own size is charged by the scan; the span list is given back.
        let (spans, transient) = decoder.array(span, size_of::<T>())?;
        let mut out = Vec::with_capacity(spans.len());
        for (index, item) in spans.iter().enumerate() {
            let at = decoder.enter_index(index);
            let value = T::read_json(*item, decoder);
            decoder.leave(at);
            match value {
                Ok(value) => out.push(value),
                // The span list goes with the vector (an optional field may go on).
                Err(error) => return Err(decoder.release_after(transient, error)),
            }
        }
        decoder.release(transient);
        Ok(out)
    }
}

/// Budget charged per map entry besides its key's text: the key `String` and the value,
/// twice (B-tree nodes are half empty at worst).
const fn map_entry_cost<T>() -> usize {
    2 * (size_of::<String>() + size_of::<T>())
}

impl<T: Json> Json for BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (k, v) in self {
            map.insert(k.clone(), v.to_json());
        }
        Value::Object(map)
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        let (entries, transient) = decoder.object(span, || "a map".into())?;
        let mut out = BTreeMap::new();
        for (key, value) in entries {
            // Over the budget ends the whole decode: nothing to give back then.
            decoder.charge(map_entry_cost::<T>() + key.len())?;
            let at = decoder.enter_key(key.into_owned());
            let value = T::read_json(value, decoder);
            let key = decoder.leave_key(at);
            match value {
                Ok(value) => {
                    out.insert(key, value);
                }
                // The entry list goes with the map (an optional field may go on).
                Err(error) => return Err(decoder.release_after(transient, error)),
            }
        }
        decoder.release(transient);
        Ok(out)
    }
}

// Boxed (recursive) fields hold models: `Box<M>` is a model, and so gets `Json` from the
// blanket impl below (a `Json` impl for every `Box<T>` would overlap it, since a crate may
// implement `Model` for a `Box` of its own type).
impl<M: Model> Model for Box<M> {
    const NAME: &'static str = M::NAME;
    fn write(&self, object: &mut ObjectWriter) {
        M::write(self, object);
    }
    fn read(object: &mut ObjectReader<'_>) -> Result<Self, FieldError> {
        object.charge(size_of::<M>())?;
        M::read(object).map(Box::new)
    }
}

/// Every model is [`Json`]: one generic impl here rather than three methods per model in
/// the generated crate, which it would type- and borrow-check for each of them.
impl<M: Model> Json for M {
    fn to_json(&self) -> Value {
        model_to_json(self)
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        model_write_json(self, out);
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        model_read_json(span, decoder)
    }
}

impl<T: Json> Json for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, Json::to_json)
    }
    fn read_json(span: JsonSpan<'_>, decoder: &mut Decoder) -> Result<Self, FieldError> {
        if span.text() == "null" {
            Ok(None)
        } else {
            T::read_json(span, decoder).map(Some)
        }
    }
}

/// Implements `serde::Serialize` and `serde::Deserialize` for a [`Model`] (which is
/// [`Json`] already). Used by the generated code.
#[macro_export]
macro_rules! impl_model_serde {
    ($t:ty) => {
        impl $crate::__private::serde::Serialize for $t {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::model::serialize(self, serializer)
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::model::deserialize(deserializer)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A model written by hand the way the generator writes them.
    #[derive(Debug, PartialEq)]
    struct Job {
        job_name: String,
        retries: Option<i32>,
        child: Option<Box<Job>>,
    }

    impl Model for Job {
        const NAME: &'static str = "Job";
        fn write(&self, object: &mut ObjectWriter) {
            object.field("jobName", &self.job_name);
            object.optional("retries", &self.retries);
            object.optional("child", &self.child);
        }
        fn read(object: &mut ObjectReader<'_>) -> Result<Self, FieldError> {
            Ok(Self {
                job_name: object.required("jobName")?,
                retries: object.optional("retries")?,
                child: object.optional("child")?,
            })
        }
    }

    crate::impl_model_serde!(Job);

    #[test]
    fn writes_fields_in_declaration_order_and_skips_none() {
        let job = Job {
            job_name: "etl".into(),
            retries: None,
            child: Some(Box::new(Job {
                job_name: "sub".into(),
                retries: Some(2),
                child: None,
            })),
        };
        let text = serde_json::to_string(&job).unwrap();
        assert_eq!(
            text,
            r#"{"jobName":"etl","child":{"jobName":"sub","retries":2}}"#
        );
        assert_eq!(serde_json::from_str::<Job>(&text).unwrap(), job);
    }

    #[test]
    fn reads_null_and_absent_as_none_and_ignores_unknown_fields() {
        let job: Job =
            serde_json::from_value(json!({"jobName": "a", "retries": null, "extra": [1]})).unwrap();
        assert_eq!(
            job,
            Job {
                job_name: "a".into(),
                retries: None,
                child: None
            }
        );
    }

    #[test]
    fn errors_name_the_field_and_the_type() {
        let missing = serde_json::from_str::<Job>(r#"{"retries": 1}"#).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `jobName`"),
            "{missing}"
        );
        let nested = serde_json::from_str::<Job>(r#"{"jobName": "a", "child": {"jobName": [5]}}"#)
            .unwrap_err();
        assert!(
            nested
                .to_string()
                .contains("field `child.jobName`: invalid type"),
            "{nested}"
        );
        let not_object = serde_json::from_str::<Job>("[1]").unwrap_err();
        assert!(
            not_object.to_string().contains("a JSON object (Job)"),
            "{not_object}"
        );
    }

    #[test]
    fn scalars_check_their_shape_and_range() {
        assert_eq!(from_value::<i32>(&json!(7)), Ok(7));
        let too_big = from_value::<i32>(&json!(1_i64 << 40)).unwrap_err();
        assert_eq!(
            too_big.to_string(),
            "invalid type: integer `1099511627776`, expected i32"
        );
        let float = from_value::<i64>(&json!(1.5)).unwrap_err();
        assert_eq!(
            float.to_string(),
            "invalid type: floating point `1.5`, expected i64"
        );
        assert_eq!(from_value::<f64>(&json!(2)), Ok(2.0));
        let text = from_value::<bool>(&json!("yes")).unwrap_err();
        assert_eq!(
            text.to_string(),
            "invalid type: string \"yes\", expected a boolean"
        );
        let null = from_value::<String>(&json!(null)).unwrap_err();
        assert_eq!(null.to_string(), "invalid type: null, expected a string");
    }

    #[test]
    fn scalars_accept_what_services_send_for_them() {
        assert_eq!(from_value::<i64>(&json!("7200")), Ok(7200));
        assert_eq!(from_value::<i64>(&json!(7200.0)), Ok(7200));
        assert_eq!(from_value::<i32>(&json!("7.2e3")), Ok(7200));
        assert_eq!(
            from_value::<i64>(&json!(-9.223372036854776e18)),
            Ok(i64::MIN)
        );
        assert!(from_value::<i64>(&json!(9.223372036854776e18)).is_err());
        assert!(from_value::<i64>(&json!(" 7")).is_err());
        assert!(from_value::<i64>(&json!("")).is_err());
        assert!(from_value::<i64>(&json!("7200.5")).is_err());
        assert_eq!(from_value::<f64>(&json!("1.5")), Ok(1.5));
        assert!(from_value::<f64>(&json!("NaN")).is_err());
        assert!(from_value::<f64>(&json!("inf")).is_err());
        assert_eq!(from_value::<bool>(&json!("true")), Ok(true));
        assert_eq!(from_value::<bool>(&json!("false")), Ok(false));
        assert!(from_value::<bool>(&json!(1)).is_err());
        assert_eq!(from_value::<String>(&json!(12)), Ok("12".to_owned()));
        assert_eq!(from_value::<String>(&json!(true)), Ok("true".to_owned()));
        assert_eq!(
            from_value::<String>(&json!("a\"b\u{e9}")),
            Ok("a\"bé".to_owned())
        );
        assert!(from_value::<String>(&json!([])).is_err());
    }

    #[test]
    fn containers_convert_element_by_element() {
        let map: BTreeMap<String, Vec<Option<i64>>> =
            from_value(&json!({"a": [1, null], "b": []})).unwrap();
        assert_eq!(map["a"], vec![Some(1), None]);
        assert_eq!(map.to_json(), json!({"a": [1, null], "b": []}));
        let bad = from_value::<Vec<i32>>(&json!([1, "x"])).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "field `[1]`: invalid type: string \"x\", expected i32"
        );
        assert!(from_value::<Vec<i32>>(&json!({})).is_err());
    }

    #[test]
    fn request_bodies_keep_declaration_order_and_values_round_trip() {
        let job = Job {
            job_name: "b".into(),
            retries: Some(1),
            child: None,
        };
        let mut out = Vec::new();
        job.write_json(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"jobName":"b","retries":1}"#
        );
        assert_eq!(from_value::<Job>(&job.to_json()), Ok(job));
        let not_object = from_value::<Job>(&json!("x")).unwrap_err();
        assert_eq!(
            not_object.to_string(),
            "invalid type: string \"x\", expected a JSON object (Job)"
        );
    }
}
