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
//! and most of its memory. [`Json`] converts through `serde_json::Value` with plain,
//! non-generic methods: per type only a short `write`/`read` remains, and the
//! serde_json parts are compiled once, here. The price is one `Value` tree per body at run
//! time, small next to a network call.
//!
//! Behaviour matches the derive with `#[serde(rename = "..", default,
//! skip_serializing_if = "Option::is_none")]` on optional fields: a body's fields are
//! written in declaration order, absent optional fields are left out, unknown fields are
//! ignored, `null` or a missing key reads as `None`, and a missing required field is an
//! error naming it.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize};
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

/// A value with a JSON form: scalars, the runtime's string types, generated enums and
/// models, and vectors, maps, boxes and options of them.
pub trait Json: Sized {
    /// The value as JSON.
    fn to_json(&self) -> Value;

    /// The value read back from JSON; a value of the wrong shape is an error.
    fn from_json(value: Value) -> Result<Self, FieldError>;

    /// The value as JSON text, appended to `out`. Models write their fields in
    /// declaration order (a `Value` object would sort them).
    fn write_json(&self, out: &mut Vec<u8>) {
        write_value(&self.to_json(), out);
    }
}

/// A JSON object with named fields: what a generated body struct implements.
pub trait Model: Sized {
    /// The type's name, for error messages.
    const NAME: &'static str;

    /// Writes every field that has a value.
    fn write(&self, object: &mut ObjectWriter);

    /// Reads the fields back from a decoded object.
    fn read(object: &mut ObjectReader) -> Result<Self, FieldError>;
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

/// The fields of a decoded JSON object, taken out one by one by [`Model::read`].
///
/// Its `Debug` shows field names only: values may be passwords or tokens.
pub struct ObjectReader {
    fields: Map<String, Value>,
}

impl fmt::Debug for ObjectWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.fields.iter().map(|(name, _)| name))
            .finish()
    }
}

impl fmt::Debug for ObjectReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.fields.keys()).finish()
    }
}

impl ObjectReader {
    /// Takes a field that must be present.
    pub fn required<T: Json>(&mut self, name: &'static str) -> Result<T, FieldError> {
        match self.fields.remove(name) {
            Some(value) => in_field(name, T::from_json(value)),
            None => Err(FieldError(format!("missing field `{name}`"))),
        }
    }

    /// Takes a field that may be absent or `null`.
    pub fn optional<T: Json>(&mut self, name: &'static str) -> Result<Option<T>, FieldError> {
        match self.fields.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => in_field(name, T::from_json(value)).map(Some),
        }
    }
}

fn in_field<T>(name: &str, result: Result<T, FieldError>) -> Result<T, FieldError> {
    result.map_err(|e| FieldError(format!("field `{name}`: {}", e.0)))
}

/// Why a value could not be read: a missing field, or a value of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError(String);

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FieldError {}

/// The error for `found` where `expected` was wanted, worded like serde's.
pub fn invalid_type(found: &Value, expected: &str) -> FieldError {
    let found = match found {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    };
    FieldError(format!("invalid type: {found}, expected {expected}"))
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

/// [`Json::from_json`] of a model: any JSON object, read field by field.
fn model_from_json<M: Model>(value: Value) -> Result<M, FieldError> {
    M::read(&mut ObjectReader::new(value, M::NAME)?)
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

impl ObjectReader {
    /// The fields of `value`, which must be an object (of the type named `type_name`).
    fn new(value: Value, type_name: &str) -> Result<Self, FieldError> {
        match value {
            Value::Object(fields) => Ok(Self { fields }),
            other => Err(invalid_type(
                &other,
                &format!("a JSON object ({type_name})"),
            )),
        }
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

/// `Deserialize::deserialize` of a [`Json`] value, through a `serde_json::Value`.
pub fn deserialize<'de, T: Json, D: de::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let value = Value::deserialize(deserializer)?;
    T::from_json(value).map_err(de::Error::custom)
}

impl Json for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(invalid_type(&other, "a string")),
        }
    }
}

impl Json for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        value
            .as_bool()
            .ok_or_else(|| invalid_type(&value, "a boolean"))
    }
}

impl Json for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| invalid_type(&value, "i32"))
    }
}

impl Json for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        value.as_i64().ok_or_else(|| invalid_type(&value, "i64"))
    }
}

impl Json for f64 {
    fn to_json(&self) -> Value {
        // NaN and infinities have no JSON form; serde_json writes them as null too.
        Value::from(*self)
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        value.as_f64().ok_or_else(|| invalid_type(&value, "f64"))
    }
}

impl Json for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        Ok(value)
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
    fn from_json(value: Value) -> Result<Self, FieldError> {
        let Value::Array(items) = value else {
            return Err(invalid_type(&value, "a sequence"));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(T::from_json(item)?);
        }
        Ok(out)
    }
}

impl<T: Json> Json for BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (k, v) in self {
            map.insert(k.clone(), v.to_json());
        }
        Value::Object(map)
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        let Value::Object(entries) = value else {
            return Err(invalid_type(&value, "a map"));
        };
        let mut out = BTreeMap::new();
        for (k, v) in entries {
            out.insert(k, T::from_json(v)?);
        }
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
    fn read(object: &mut ObjectReader) -> Result<Self, FieldError> {
        M::read(object).map(Box::new)
    }
}

/// Every model is [`Json`]: one generic impl here rather than three methods per model in
/// the generated crate, which it would type- and borrow-check for each of them.
impl<M: Model> Json for M {
    fn to_json(&self) -> Value {
        model_to_json(self)
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        model_from_json(value)
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        model_write_json(self, out);
    }
}

impl<T: Json> Json for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, Json::to_json)
    }
    fn from_json(value: Value) -> Result<Self, FieldError> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
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
        fn read(object: &mut ObjectReader) -> Result<Self, FieldError> {
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
        let nested = serde_json::from_str::<Job>(r#"{"jobName": "a", "child": {"jobName": 5}}"#)
            .unwrap_err();
        assert!(
            nested
                .to_string()
                .contains("field `child`: field `jobName`: invalid type"),
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
        assert_eq!(i32::from_json(json!(7)), Ok(7));
        let too_big = i32::from_json(json!(1_i64 << 40)).unwrap_err();
        assert_eq!(
            too_big.to_string(),
            "invalid type: integer `1099511627776`, expected i32"
        );
        let float = i64::from_json(json!(1.5)).unwrap_err();
        assert_eq!(
            float.to_string(),
            "invalid type: floating point `1.5`, expected i64"
        );
        assert_eq!(f64::from_json(json!(2)), Ok(2.0));
        let text = bool::from_json(json!("yes")).unwrap_err();
        assert_eq!(
            text.to_string(),
            "invalid type: string \"yes\", expected a boolean"
        );
        let null = String::from_json(json!(null)).unwrap_err();
        assert_eq!(null.to_string(), "invalid type: null, expected a string");
    }

    #[test]
    fn containers_convert_element_by_element() {
        let map: BTreeMap<String, Vec<Option<i64>>> =
            Json::from_json(json!({"a": [1, null], "b": []})).unwrap();
        assert_eq!(map["a"], vec![Some(1), None]);
        assert_eq!(map.to_json(), json!({"a": [1, null], "b": []}));
        let bad = Vec::<i32>::from_json(json!([1, "2"])).unwrap_err();
        assert_eq!(bad.to_string(), "invalid type: string \"2\", expected i32");
        assert!(Vec::<i32>::from_json(json!({})).is_err());
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
        assert_eq!(Job::from_json(job.to_json()), Ok(job));
        let not_object = Job::from_json(json!("x")).unwrap_err();
        assert_eq!(
            not_object.to_string(),
            "invalid type: string \"x\", expected a JSON object (Job)"
        );
    }
}
