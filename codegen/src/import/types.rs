//! Schemas -> spec type expressions and named types.
//!
//! Named types are merged across documents by shape: every document carries its own copy
//! of the models it uses, so the same name appears many times. Same name and same shape
//! (field names, types, required flags, enum values; descriptions aside) is one type;
//! same name and another shape gets the next free `Name2`, `Name3`, ... in document order,
//! and is listed. A type's shape names the final names of the types it refers to, so two
//! copies that differ only deep down differ too.

use std::collections::{HashMap, HashSet};
use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

use super::doc::{Additional, Document, Problem, Schema, decode_entities, ptr};
use crate::names::{is_ident, pascal, snake};
use crate::spec::{FieldSpec, TypeSpec};

/// A construct the spec format cannot express yet: the operation needing it is skipped
/// and listed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lack {
    /// `enum` of integers (`[1, 2]`).
    IntegerEnum,
    /// `enum` of non-integer numbers.
    NumberEnum,
    /// `enum` of booleans that is not just `[true, false]`.
    BooleanEnum,
    /// Enum values that cannot all become distinct Rust variants (`""`, `A`/`a`, `Unknown`).
    EnumValueNames,
    /// `oneOf` / `anyOf`.
    Union,
    /// An object with both `properties` and `additionalProperties`.
    PropertiesAndAdditional,
    /// A `type` the format has no scalar for, or several types.
    OtherType(String),
    /// A cookie parameter.
    CookieParam,
    /// A query or header parameter of object type (or an array of objects).
    ObjectParam,
    /// A request body media type other than JSON, forms and octet-stream.
    ContentType(String),
    /// Success responses with different body types.
    SuccessBodies,
    /// An operation served from another host than the service's endpoint.
    OtherEndpoint,
    /// A recursive type whose name had to change (merged across documents).
    RecursiveRename,
    /// The spec validator rejected what the mapping produced (the message says why).
    Validator(String),
    /// Bad input in this operation's document, left out with `--skip-invalid`.
    BadInput(String),
}

impl fmt::Display for Lack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lack::IntegerEnum => f.write_str("integer enum"),
            Lack::NumberEnum => f.write_str("number enum"),
            Lack::BooleanEnum => f.write_str("boolean enum"),
            Lack::EnumValueNames => f.write_str("enum values without distinct Rust names"),
            Lack::Union => f.write_str("oneOf/anyOf"),
            Lack::PropertiesAndAdditional => {
                f.write_str("object with both properties and additionalProperties")
            }
            Lack::OtherType(t) => write!(f, "schema type `{t}`"),
            Lack::CookieParam => f.write_str("cookie parameter"),
            Lack::ObjectParam => f.write_str("query/header parameter of object type"),
            Lack::ContentType(c) => write!(f, "request media type `{c}`"),
            Lack::SuccessBodies => f.write_str("success responses with different body types"),
            Lack::OtherEndpoint => f.write_str("operation on another host than the service's"),
            Lack::RecursiveRename => f.write_str("recursive type renamed across documents"),
            Lack::Validator(m) => write!(f, "rejected by the spec validator: {m}"),
            Lack::BadInput(m) => write!(f, "bad input (--skip-invalid): {m}"),
        }
    }
}

/// Why a mapping step stopped: a construct the format lacks (skip the operation) or bad
/// input (an error).
#[derive(Debug, Clone)]
pub enum Fail {
    Lack { lack: Lack, pointer: String },
    Bad(Problem),
}

impl From<Problem> for Fail {
    fn from(p: Problem) -> Self {
        Fail::Bad(p)
    }
}

pub(super) fn lack(lack: Lack, pointer: &str) -> Fail {
    Fail::Lack {
        lack,
        pointer: pointer.to_owned(),
    }
}

/// Where a schema is used: decides `bytes` / `file` and field rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A request body or response body: binary strings are `bytes`.
    Body,
    /// A field of a JSON object, or a parameter.
    Value,
    /// A field of a multipart form: binary strings are `file`.
    Multipart,
}

/// A type that was renamed because another document defines the name differently.
#[derive(Debug, Clone)]
pub struct Renamed {
    pub name: String,
    /// True when the name was taken by generated code rather than by another shape.
    pub reserved: bool,
    pub base: String,
    pub file: String,
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub spec: TypeSpec,
    shape: String,
    pub file: String,
    pub pointer: String,
}

/// Every named type of the import, by final name, in registration order.
#[derive(Debug, Default)]
pub struct Types {
    pub entries: IndexMap<String, Entry>,
    pub renamed: Vec<Renamed>,
    /// Names generated code takes (`<Op>Request`, `<Service>Client`, ...).
    pub reserved: HashSet<String>,
}

/// Registration state to return to when an operation is skipped.
#[derive(Debug, Clone, Copy)]
pub struct Mark(usize, usize);

impl Types {
    pub fn mark(&self) -> Mark {
        Mark(self.entries.len(), self.renamed.len())
    }

    pub fn rollback(&mut self, mark: Mark) {
        self.entries.truncate(mark.0);
        self.renamed.truncate(mark.1);
    }

    /// The final name of a type named after `base` with this spec: an existing type of the
    /// same shape, or a new one under the first free name.
    pub(super) fn register(
        &mut self,
        base: &str,
        spec: TypeSpec,
        file: &str,
        pointer: &str,
    ) -> String {
        // A hint joins names (`GetPolicyV5` + `XLanguage`); the spec's loader reads a type
        // name through `pascal`, which makes that `GetPolicyV5xLanguage`: use its form.
        let base = &pascal(base);
        let shape = shape(&spec);
        let mut reserved = false;
        for n in 1.. {
            let name = if n == 1 {
                base.to_owned()
            } else {
                format!("{base}{n}")
            };
            if self.reserved.contains(&name) {
                reserved = true;
                continue;
            }
            match self.entries.get(&name) {
                Some(e) if e.shape == shape => return name,
                Some(_) => continue,
                None => {
                    if n > 1 {
                        self.renamed.push(Renamed {
                            name: name.clone(),
                            reserved,
                            base: base.to_owned(),
                            file: file.to_owned(),
                            pointer: pointer.to_owned(),
                        });
                    }
                    self.entries.insert(
                        name.clone(),
                        Entry {
                            spec,
                            shape,
                            file: file.to_owned(),
                            pointer: pointer.to_owned(),
                        },
                    );
                    return name;
                }
            }
        }
        unreachable!("the loop above returns")
    }

    /// True when `expr` is an object, map, free-form or an array of those: not a parameter.
    pub fn is_structured(&self, expr: &str) -> bool {
        if let Some(inner) = expr
            .strip_prefix("array<")
            .and_then(|e| e.strip_suffix('>'))
        {
            return self.is_structured(inner);
        }
        if expr.starts_with("map<") || expr == "json" {
            return true;
        }
        self.entries
            .get(expr)
            .is_some_and(|e| e.spec.enum_values.is_none())
    }
}

/// A type's wire facts as text: docs left out, fields sorted.
fn shape(spec: &TypeSpec) -> String {
    let mut out = String::new();
    if let Some(fields) = &spec.fields {
        let mut sorted: Vec<_> = fields.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (wire, f) in sorted {
            out.push_str(&format!(
                "{wire}:{}:{}:{:?};",
                f.ty.as_deref().unwrap_or("string"),
                f.required,
                f.sensitive
            ));
        }
    }
    if let Some(values) = &spec.enum_values {
        let repr = spec.ty.as_deref().unwrap_or("string");
        out.push_str(&format!("enum<{repr}>{values:?}"));
    }
    if let Some(a) = &spec.array {
        out.push_str(&format!("array<{a}>"));
    }
    if let Some(m) = &spec.map {
        out.push_str(&format!("map<{m}>"));
    }
    out
}

/// The description of a schema with HTML entities decoded, and its default and ranges
/// (which the format has no keys for) in a last line.
pub fn doc_of(s: &Schema) -> String {
    let base = s
        .description
        .as_deref()
        .or(s.title.as_deref())
        .map(|d| decode_entities(d.trim()))
        .unwrap_or_default();
    let mut facts = Vec::new();
    if let Some(d) = &s.default {
        facts.push(format!("Default: {}.", show(d)));
    }
    let range = |name: &str, lo: &Option<Value>, hi: &Option<Value>| match (lo, hi) {
        (Some(lo), Some(hi)) => Some(format!("{name}: {} to {}.", show(lo), show(hi))),
        (Some(lo), None) => Some(format!("{name}: at least {}.", show(lo))),
        (None, Some(hi)) => Some(format!("{name}: at most {}.", show(hi))),
        (None, None) => None,
    };
    facts.extend(range("Range", &s.minimum, &s.maximum));
    facts.extend(range("Length", &s.min_length, &s.max_length));
    facts.extend(range("Items", &s.min_items, &s.max_items));
    if let (["integer"], Some(values)) = (s.types().as_slice(), &s.enum_values)
        && !values.iter().all(|v| v.is_i64() || v.is_null())
    {
        let listed: Vec<String> = values.iter().map(show).collect();
        facts.push(format!(
            "The document lists the values {} for this integer.",
            listed.join(", ")
        ));
    }
    match (base.is_empty(), facts.is_empty()) {
        (_, true) => base,
        (true, false) => facts.join(" "),
        (false, false) => format!("{base}\n\n{}", facts.join(" ")),
    }
}

/// Whether a string value is a secret, by `x-sensitive` or by name.
pub fn is_secret(name: &str, s: &Schema) -> bool {
    if matches!(&s.sensitive, Some(Value::Bool(true)))
        || matches!(&s.sensitive, Some(Value::String(v)) if v.eq_ignore_ascii_case("true"))
    {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    ["password", "passwd", "secret", "passcode", "private_key"]
        .iter()
        .any(|w| lower.contains(w))
        || [
            "access_token",
            "refresh_token",
            "security_token",
            "securitytoken",
            "auth_token",
            "id_token",
            "x-subject-token",
            "x-auth-token",
        ]
        .contains(&lower.as_str())
}

/// One document's view of the registry: its definitions, memoised, with the definitions
/// being converted (for recursion).
#[derive(Debug)]
pub struct DocTypes<'a> {
    pub doc: &'a Document,
    pub types: &'a mut Types,
    memo: HashMap<String, String>,
    /// Definitions being converted -> (provisional name, used by a recursive reference).
    open: IndexMap<String, (String, bool)>,
}

impl<'a> DocTypes<'a> {
    pub fn new(doc: &'a Document, types: &'a mut Types) -> Self {
        DocTypes {
            doc,
            types,
            memo: HashMap::new(),
            open: IndexMap::new(),
        }
    }

    fn file(&self) -> &str {
        &self.doc.file
    }

    /// The definition a `$ref` names, with its pointer.
    fn target(&self, reference: &str, at: &str) -> Result<(String, &'a Schema, String), Fail> {
        let doc = self.doc;
        let name = reference
            .strip_prefix('#')
            .and_then(|r| r.strip_prefix(doc.definitions_ptr.as_str()))
            .or_else(|| reference.strip_prefix("#/definitions"))
            .or_else(|| reference.strip_prefix("#/components/schemas"))
            .and_then(|r| r.strip_prefix('/'))
            .map(|n| n.replace("~1", "/").replace("~0", "~"));
        let found = name.and_then(|n| Some((doc.definitions.get_key_value(&n)?, n)));
        match found {
            Some(((key, schema), _)) => Ok((key.clone(), schema, ptr(&doc.definitions_ptr, key))),
            None => Err(Problem::new(
                self.file(),
                &ptr(at, "$ref"),
                format!("unresolvable `$ref` `{reference}`"),
            )
            .into()),
        }
    }

    /// A PascalCase type name from a document's name, or an error at `at`.
    pub fn type_name(&self, name: &str, at: &str) -> Result<String, Fail> {
        let rust = pascal(name);
        if is_ident(&rust) {
            Ok(rust)
        } else {
            Err(Problem::new(
                self.file(),
                at,
                format!("`{name}` cannot become a Rust type name (it becomes `{rust}`; expected ASCII letters and digits)"),
            )
            .into())
        }
    }

    /// The type expression of a schema used at `at`; named types it needs are registered
    /// under `hint` (inline objects and enums) or their definition's name.
    pub fn expr(&mut self, s: &Schema, at: &str, hint: &str, place: Place) -> Result<String, Fail> {
        if let Some(reference) = &s.reference {
            return self.reference(reference, at, place);
        }
        if !s.one_of.is_empty() || !s.any_of.is_empty() {
            return Err(lack(Lack::Union, at));
        }
        if !s.all_of.is_empty() {
            if s.all_of.len() == 1 && s.properties.is_empty() {
                // `allOf: [{$ref}]` beside a description: the referenced type itself.
                return self.expr(&s.all_of[0], &ptr(&ptr(at, "allOf"), 0), hint, place);
            }
            let flat = self.flatten(s, at, &mut Vec::new())?;
            return self.object(&flat, at, hint, place);
        }
        if let Some(values) = &s.enum_values {
            return self.enumeration(s, values, at, hint);
        }
        let types = s.types();
        let additional = match &s.additional {
            Some(Additional::Schema(a)) => Some(a.as_ref()),
            _ => None,
        };
        let free = matches!(s.additional, Some(Additional::Flag(true)));
        match types.as_slice() {
            [] | ["object"] => {
                if !s.properties.is_empty() {
                    if additional.is_some() || free {
                        return Err(lack(Lack::PropertiesAndAdditional, at));
                    }
                    return self.object(s, at, hint, place);
                }
                if let Some(a) = additional {
                    let inner = self.expr(
                        a,
                        &ptr(at, "additionalProperties"),
                        &format!("{hint}Value"),
                        Place::Value,
                    )?;
                    return Ok(format!("map<{inner}>"));
                }
                if let (Some(items), []) = (&s.items, types.as_slice()) {
                    let inner = self.expr(items, &ptr(at, "items"), hint, Place::Value)?;
                    return Ok(format!("array<{inner}>"));
                }
                Ok("json".to_owned())
            }
            ["string"] => Ok(match (s.format.as_deref(), place) {
                (Some("binary"), Place::Body) => "bytes",
                (Some("binary"), Place::Multipart) => "file",
                _ => "string",
            }
            .to_owned()),
            ["integer"] => Ok(if s.format.as_deref() == Some("int64") {
                "int64"
            } else {
                "int32"
            }
            .to_owned()),
            // EIP's `Bigint` (0 to 2^63-1): a 64-bit integer.
            [t] if t.eq_ignore_ascii_case("bigint") => Ok("int64".to_owned()),
            ["number"] => Ok("number".to_owned()),
            ["boolean"] => Ok("boolean".to_owned()),
            ["file"] => Ok(if place == Place::Multipart {
                "file"
            } else {
                "bytes"
            }
            .to_owned()),
            ["array"] => match &s.items {
                Some(items) => {
                    let inner = self.expr(items, &ptr(at, "items"), hint, Place::Value)?;
                    Ok(format!("array<{inner}>"))
                }
                None => Ok("array<json>".to_owned()),
            },
            [other] => Err(lack(Lack::OtherType((*other).to_owned()), &ptr(at, "type"))),
            several => Err(lack(Lack::OtherType(several.join("|")), &ptr(at, "type"))),
        }
    }

    fn reference(&mut self, reference: &str, at: &str, place: Place) -> Result<String, Fail> {
        let (name, def, dptr) = self.target(reference, at)?;
        if let Some(done) = self.memo.get(&name) {
            return Ok(done.clone());
        }
        if let Some((provisional, used)) = self.open.get_mut(&name) {
            // A definition that contains itself: fine through fields (the generator boxes
            // them), an error when it is only an alias of itself.
            if is_object_like(def) {
                *used = true;
                return Ok(provisional.clone());
            }
            return Err(Problem::new(
                self.file(),
                &dptr,
                format!("definition `{name}` is recursive: it refers to itself without an object in between"),
            )
            .into());
        }
        let base = self.type_name(&name, &dptr)?;
        self.open.insert(name.clone(), (base.clone(), false));
        let result = self.expr(def, &dptr, &base, place);
        let (_, used) = self.open.shift_remove(&name).unwrap_or_default();
        let result = result?;
        if used && result != base {
            return Err(lack(Lack::RecursiveRename, &dptr));
        }
        self.memo.insert(name, result.clone());
        Ok(result)
    }

    /// An object schema with `allOf` parts merged into one set of properties.
    fn flatten(&self, s: &Schema, at: &str, stack: &mut Vec<String>) -> Result<Schema, Fail> {
        let mut out = Schema {
            description: s.description.clone(),
            title: s.title.clone(),
            properties: s.properties.clone(),
            required: s.required.clone(),
            ..Schema::default()
        };
        let mut required: Vec<String> = match &s.required {
            super::doc::Required::Names(n) => n.clone(),
            super::doc::Required::Flag(_) => Vec::new(),
        };
        if s.additional.is_some() && !matches!(s.additional, Some(Additional::Flag(false))) {
            return Err(lack(Lack::PropertiesAndAdditional, at));
        }
        for (i, part) in s.all_of.iter().enumerate() {
            let pat = ptr(&ptr(at, "allOf"), i);
            let (part, pat) = match &part.reference {
                Some(r) => {
                    let (name, def, dptr) = self.target(r, &pat)?;
                    if stack.contains(&name) {
                        return Err(Problem::new(
                            self.file(),
                            &dptr,
                            format!(
                                "definition `{name}` is recursive: its `allOf` includes itself"
                            ),
                        )
                        .into());
                    }
                    stack.push(name);
                    let flat = self.flatten(def, &dptr, stack);
                    stack.pop();
                    (flat?, dptr)
                }
                None => (self.flatten(part, &pat, stack)?, pat),
            };
            if !part.one_of.is_empty() || !part.any_of.is_empty() {
                return Err(lack(Lack::Union, &pat));
            }
            if part.properties.is_empty()
                && (part.enum_values.is_some() || !part.types().iter().all(|t| *t == "object"))
            {
                return Err(lack(
                    Lack::OtherType("allOf of a non-object".to_owned()),
                    &pat,
                ));
            }
            if out.description.is_none() {
                out.description.clone_from(&part.description);
            }
            for (k, v) in part.properties {
                out.properties.entry(k).or_insert(v);
            }
            if let super::doc::Required::Names(n) = part.required {
                required.extend(n);
            }
        }
        if !s.all_of.is_empty() {
            // `flatten` of a plain object keeps its own `allOf`-free form.
            out.ty = Some(super::doc::TypeName::One("object".to_owned()));
        } else {
            out.ty.clone_from(&s.ty);
            out.all_of = Vec::new();
            out.one_of.clone_from(&s.one_of);
            out.any_of.clone_from(&s.any_of);
            out.enum_values.clone_from(&s.enum_values);
            out.additional.clone_from(&s.additional);
        }
        out.required = super::doc::Required::Names(required);
        Ok(out)
    }

    /// A named object type with the schema's properties as fields.
    fn object(&mut self, s: &Schema, at: &str, hint: &str, place: Place) -> Result<String, Fail> {
        let field_place = if place == Place::Multipart {
            Place::Multipart
        } else {
            Place::Value
        };
        let mut fields = IndexMap::new();
        let mut rust_names = HashSet::new();
        for (wire, prop) in &s.properties {
            let pat = ptr(&ptr(at, "properties"), wire);
            let snake_name = snake(wire);
            if !is_ident(&snake_name) {
                return Err(Problem::new(
                    self.file(),
                    &pat,
                    format!("field name `{wire}` cannot become a Rust identifier (it becomes `{snake_name}`)"),
                )
                .into());
            }
            let plain = wire.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let mut rust = snake_name.clone();
            let mut n = 1;
            while !rust_names.insert(rust.clone()) {
                n += 1;
                rust = format!("{snake_name}_{n}");
            }
            let field_hint = format!("{hint}{}", pascal(&snake_name));
            let ty = self.expr(prop, &pat, &field_hint, field_place)?;
            let sensitive = ty == "string" && is_secret(wire, prop);
            fields.insert(
                wire.clone(),
                FieldSpec {
                    ty: (ty != "string").then_some(ty),
                    enum_values: None,
                    required: s.requires(wire),
                    rust_name: (!plain || n > 1).then_some(rust),
                    sensitive,
                    doc: doc_of(prop),
                },
            );
        }
        let spec = TypeSpec {
            doc: doc_of(s),
            fields: Some(fields),
            ..TypeSpec::default()
        };
        let file = self.doc.file.clone();
        Ok(self.types.register(hint, spec, &file, at))
    }
}

/// A JSON value as the text a doc shows.
pub(super) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A definition that becomes a named object type.
fn is_object_like(s: &Schema) -> bool {
    !s.properties.is_empty() || !s.all_of.is_empty()
}
