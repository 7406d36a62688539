//! Examples from the documents: lowered for the example tests, and every value checked
//! against its parameter or body type (a mistyped or misspelt example is a transcription
//! error, reported with the path of the value).

use serde_json::Value;

use super::Cx;
use super::table::TypeTable;
use crate::diag::did_you_mean;
use crate::ir::{self, TypeRef};
use crate::spec::ExampleSpec;

impl Cx<'_> {
    pub(super) fn example(
        &mut self,
        table: &TypeTable,
        at: &str,
        e: &ExampleSpec,
        op: &ir::Operation,
    ) -> ir::Example {
        let mut params = Vec::new();
        let mut body = None;
        if let Some(request) = &e.request {
            for (key, value) in &request.params {
                let value = yaml_to_json(value);
                match op.params.iter().find(|p| &p.key == key) {
                    Some(p) => {
                        let check =
                            ValueCheck::new(format!("{at}.request.params.{key}"), key, true);
                        self.check_value(table, &check, &value, &p.ty);
                        params.push(ir::ExampleParam {
                            param: p.clone(),
                            value,
                        });
                    }
                    None => self.error_key(
                        &format!("{at}.request.params.{key}"),
                        format!(
                            "`{key}` is not a parameter of this operation (expected one of: {})",
                            op.params
                                .iter()
                                .map(|p| p.key.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                }
            }
            for p in op.params.iter().filter(|p| p.in_constructor()) {
                if !request.params.contains_key(&p.key) {
                    self.error_key(
                        &format!("{at}.request"),
                        format!("example request lacks the required parameter `{}`", p.key),
                    );
                }
            }
            body = request.body.as_ref().map(yaml_to_json);
            match (&body, &op.body) {
                (Some(value), Some(b)) => {
                    let check = ValueCheck::new(format!("{at}.request.body"), "body", true);
                    self.check_value(table, &check, value, &b.ty);
                }
                (Some(_), None) => self.error_key(
                    &format!("{at}.request.body"),
                    "the example has a body but the operation takes none (expected no `body`)",
                ),
                (None, _) => {}
            }
        }
        let response = e
            .response
            .as_ref()
            .map(|r| self.example_response(table, at, r, op));
        let example = ir::Example {
            name: e.name.clone(),
            params,
            body,
            response,
        };
        if !example.is_checked(op) {
            let pos = self.source.key(&format!("{at}.name"));
            self.diags.push(
                crate::diag::Diagnostic::new(self.file, pos, format!("example `{}` is not checked by any test: it has no response, and no request a test can build (expected a `response`, or a `request` with the required parameters and a JSON or form body)", e.name)).warning(),
            );
        }
        example
    }

    fn example_response(
        &mut self,
        table: &TypeTable,
        at: &str,
        r: &crate::spec::ExampleResponse,
        op: &ir::Operation,
    ) -> ir::ExampleResponse {
        let sat = format!("{at}.response.status");
        let error = op.error_statuses.iter().find(|e| e.status == r.status);
        if !op.success.contains(&r.status) && !(100..=599).contains(&r.status) {
            self.error_value(&sat, format!("status {} is not an HTTP status", r.status));
        }
        if !op.success.contains(&r.status) && error.is_none() {
            self.error_value(&sat, format!("status {} is not a documented response of this operation (expected one of the `responses`)", r.status));
        }
        let declared = match &op.success_body {
            Some(b) if b.statuses.contains(&r.status) => Some(&b.ty),
            _ => error.and_then(|e| e.ty.as_ref()),
        };
        let body = r.body.as_ref().map(yaml_to_json);
        if let (Some(value), Some(ty)) = (&body, declared) {
            let check = ValueCheck::new(format!("{at}.response.body"), "body", false);
            self.check_value(table, &check, value, ty);
        }
        ir::ExampleResponse {
            status: r.status,
            headers: r
                .headers
                .iter()
                .map(|(name, value)| ir::ExampleHeader {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            body,
        }
    }

    fn check_value(&mut self, table: &TypeTable, at: &ValueCheck, value: &Value, ty: &TypeRef) {
        let mismatch = |expected: &str| {
            let found = match value {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "an array",
                Value::Object(_) => "an object",
            };
            format!(
                "example value at `{}` is {found} (expected {expected})",
                at.shown
            )
        };
        let problem = match (ty, value) {
            (_, Value::Null) => None,
            (TypeRef::String | TypeRef::Secret, Value::String(_)) => None,
            (TypeRef::String | TypeRef::Secret, _) => Some(mismatch("a string")),
            (TypeRef::DateTime, Value::String(text)) => (!is_rfc3339(text)).then(|| format!("example value at `{}` is not an RFC 3339 datetime (expected e.g. `2021-01-01T10:00:00.000Z`)", at.shown)),
            (TypeRef::DateTime, _) => Some(mismatch("an RFC 3339 datetime string")),
            (TypeRef::Int32, Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()).is_none().then(|| mismatch("an int32")),
            (TypeRef::Int64, Value::Number(n)) => n.as_i64().is_none().then(|| mismatch("an int64")),
            (TypeRef::Int32 | TypeRef::Int64, _) => Some(mismatch("an integer")),
            (TypeRef::Number, Value::Number(_)) => None,
            (TypeRef::Number, _) => Some(mismatch("a number")),
            (TypeRef::Boolean, Value::Bool(_)) => None,
            (TypeRef::Boolean, _) => Some(mismatch("a boolean")),
            // Binary values have no JSON form; an example can only describe them.
            (TypeRef::Json | TypeRef::Bytes | TypeRef::File, _) => None,
            (TypeRef::Array(element), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_value(table, &at.index(i), item, element);
                }
                None
            }
            (TypeRef::Array(_), _) => Some(mismatch("an array")),
            (TypeRef::Map(element), Value::Object(map)) => {
                for (k, item) in map {
                    self.check_value(table, &at.field(k), item, element);
                }
                None
            }
            (TypeRef::Map(_), _) => Some(mismatch("an object")),
            (TypeRef::Named(name), _) => match table.def(name).map(|t| &t.kind) {
                // Aliases are made after the examples are checked (`dedupe`).
                None | Some(ir::TypeKind::Alias(_)) => None,
                Some(ir::TypeKind::Array(t)) => return self.check_value(table, at, value, &TypeRef::Array(Box::new(t.clone()))),
                Some(ir::TypeKind::Map(t)) => return self.check_value(table, at, value, &TypeRef::Map(Box::new(t.clone()))),
                Some(ir::TypeKind::Enum(variants)) => match value {
                    // Responses may carry values the spec does not list (they decode to
                    // `Unknown`); a request example must use a documented value.
                    Value::String(v) if !at.strict || variants.iter().any(|x| &x.wire == v) => None,
                    Value::String(v) => Some(format!("example value at `{}` is `{v}`, which is not a value of `{name}` (expected one of: {})", at.shown, variants.iter().map(|x| x.wire.as_str()).collect::<Vec<_>>().join(", "))),
                    _ => Some(mismatch(&format!("a string value of `{name}`"))),
                },
                Some(ir::TypeKind::IntEnum(_, variants)) => match value.as_i64() {
                    Some(v) if !at.strict || variants.iter().any(|x| x.int() == v) => None,
                    Some(v) => Some(format!("example value at `{}` is `{v}`, which is not a value of `{name}` (expected one of: {})", at.shown, variants.iter().map(|x| x.wire.as_str()).collect::<Vec<_>>().join(", "))),
                    None => Some(mismatch(&format!("an integer value of `{name}`"))),
                },
                Some(ir::TypeKind::Struct(fields)) => match value {
                    Value::Object(map) => self.check_object(table, at, map, name, fields),
                    _ => Some(mismatch(&format!("an object of type `{name}`"))),
                },
            },
        };
        if let Some(message) = problem {
            self.error_value(&at.yaml, message);
        }
    }

    /// Checks each member of an example object against struct `name`; returns the
    /// problem with the object itself (missing required fields), if any.
    fn check_object(
        &mut self,
        table: &TypeTable,
        at: &ValueCheck,
        map: &serde_json::Map<String, Value>,
        name: &str,
        fields: &[ir::Field],
    ) -> Option<String> {
        let wires = || fields.iter().map(|f| f.wire.as_str());
        for (k, item) in map {
            match fields.iter().find(|f| &f.wire == k) {
                Some(f) => self.check_value(table, &at.field(k), item, &f.ty),
                None => {
                    let hint = did_you_mean(k, wires());
                    let pos = self.source.key(&at.field(k).yaml);
                    let message = format!(
                        "example field `{}` is not a field of `{name}` (expected one of: {})",
                        at.field(k).shown,
                        wires().collect::<Vec<_>>().join(", ")
                    );
                    self.diags.push(
                        crate::diag::Diagnostic::new(self.file, pos, message).with_hint(hint),
                    );
                }
            }
        }
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| f.required && !map.contains_key(&f.wire))
            .map(|f| f.wire.as_str())
            .collect();
        (at.strict && !missing.is_empty()).then(|| {
            format!(
                "example value at `{}` lacks required field(s) {} of `{name}`",
                at.shown,
                missing.join(", ")
            )
        })
    }
}

/// Where an example value is: its YAML path (for the position) and the path shown.
struct ValueCheck {
    yaml: String,
    shown: String,
    /// Request values must be complete and use documented enum values.
    strict: bool,
}

impl ValueCheck {
    fn new(yaml: String, shown: &str, strict: bool) -> ValueCheck {
        ValueCheck {
            yaml,
            shown: shown.to_owned(),
            strict,
        }
    }

    fn field(&self, key: &str) -> ValueCheck {
        ValueCheck {
            yaml: format!("{}.{key}", self.yaml),
            shown: format!("{}.{key}", self.shown),
            strict: self.strict,
        }
    }

    fn index(&self, i: usize) -> ValueCheck {
        ValueCheck {
            yaml: format!("{}.{i}", self.yaml),
            shown: format!("{}[{i}]", self.shown),
            strict: self.strict,
        }
    }
}

/// A light RFC 3339 check: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or an offset.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if !(b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':')
}

fn yaml_to_json(value: &serde_yaml::Value) -> Value {
    // Every YAML value of a spec example is JSON-representable except non-string keys,
    // which serde_json turns into strings.
    serde_json::to_value(value).unwrap_or(Value::Null)
}
