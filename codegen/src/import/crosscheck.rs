//! `cargo xtask import --diff SPEC`: the wire facts of a hand-written spec against the same
//! operations imported from documents. Names a person chose (parameter keys, type names,
//! Rust names, docs) are not compared; what goes over the wire is: method, path,
//! parameters by location and wire name (required, type, enum values), the body (media
//! type without parameters, required, its fields by wire name, recursively), the response
//! statuses, their bodies and header names.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::names::pascal;
use crate::spec::{EnumScalar, EnumValue, FieldSpec, OperationSpec, ServiceSpec, TypeSpec};

/// One wire fact on which the spec and the documents disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub op: String,
    /// Where and what: `query parameter limit: type`, `response 200 body.items[].id: required`.
    pub at: String,
    /// The hand-written spec's value.
    pub spec: String,
    /// The imported documents' value.
    pub document: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: spec {}, document {}",
            self.op, self.at, self.spec, self.document
        )
    }
}

/// The comparison: operations on one side only, and the differences of the others.
#[derive(Debug, Default)]
pub struct CrossCheck {
    pub compared: usize,
    pub only_in_spec: Vec<String>,
    pub only_in_documents: Vec<String>,
    pub differences: Vec<Difference>,
}

impl fmt::Display for CrossCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "operations compared: {}", self.compared)?;
        writeln!(
            f,
            "only in the spec (no document): {}",
            self.only_in_spec.len()
        )?;
        for op in &self.only_in_spec {
            writeln!(f, "  {op}")?;
        }
        writeln!(
            f,
            "only in the documents: {} (not compared)",
            self.only_in_documents.len()
        )?;
        writeln!(f, "differences: {}", self.differences.len())?;
        for d in &self.differences {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

/// Compares the operations `spec` and `imported` both have, in the spec's order.
pub fn compare(spec: &ServiceSpec, imported: &ServiceSpec) -> CrossCheck {
    let mut out = CrossCheck::default();
    let relaxed = super::optional::response_types(imported);
    for (name, op) in &spec.operations {
        match imported.operations.get(name) {
            Some(theirs) => {
                out.compared += 1;
                let mut cmp = Compare {
                    op: name,
                    sides: [spec, imported],
                    inline: [inline_enums(spec), inline_enums(imported)],
                    seen: HashSet::new(),
                    relaxed: &relaxed,
                    out: &mut out.differences,
                };
                cmp.operation(op, theirs);
            }
            None => out.only_in_spec.push(name.clone()),
        }
    }
    out.only_in_documents = imported
        .operations
        .keys()
        .filter(|k| !spec.operations.contains_key(*k))
        .cloned()
        .collect();
    out
}

/// The enum types inline `enum:`s of parameters and fields define, by the name the
/// generator gives them (PascalCase of the key), so `type: DlmType` elsewhere resolves.
fn inline_enums(spec: &ServiceSpec) -> HashMap<String, (&str, BTreeSet<String>)> {
    let params = spec
        .operations
        .values()
        .flat_map(|o| &o.params)
        .filter_map(|(k, p)| Some((k, p.ty.as_deref(), p.enum_values.as_deref()?)));
    let fields = spec
        .types
        .values()
        .flat_map(|t| t.fields.iter().flatten())
        .filter_map(|(k, f)| Some((k, f.ty.as_deref(), f.enum_values.as_deref()?)));
    params
        .chain(fields)
        .map(|(key, ty, values)| (pascal(key), (ty.unwrap_or("string"), enum_set(values))))
        .collect()
}

/// A type as the wire sees it.
enum Shape<'a> {
    Scalar(&'a str),
    Enum(&'a str, BTreeSet<String>),
    Object(Option<&'a str>, &'a indexmap::IndexMap<String, FieldSpec>),
    Array(&'a str),
    Map(&'a str),
    Unknown(&'a str),
}

impl Shape<'_> {
    fn describe(&self) -> String {
        match self {
            Shape::Scalar(s) => format!("`{s}`"),
            Shape::Enum(kind, values) => format!("{kind} enum {}", list(values)),
            Shape::Object(_, fields) => {
                let names: BTreeSet<String> = fields.keys().cloned().collect();
                format!("object {}", list(&names))
            }
            Shape::Array(t) => format!("`array<{t}>`"),
            Shape::Map(t) => format!("`map<{t}>`"),
            Shape::Unknown(t) => format!("unknown type `{t}`"),
        }
    }
}

fn list(values: &BTreeSet<String>) -> String {
    let items: Vec<&str> = values.iter().map(String::as_str).collect();
    format!("[{}]", items.join(", "))
}

fn enum_set(values: &[EnumValue]) -> BTreeSet<String> {
    values
        .iter()
        .map(|v| match v.value() {
            EnumScalar::Int(n) => n.to_string(),
            EnumScalar::Text(t) => t.clone(),
        })
        .collect()
}

/// The media type without parameters, lower case (`application/json;charset=UTF-8` ->
/// `application/json`): the charset parameter is not a difference worth a spec change.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

struct Compare<'a, 'o> {
    op: &'a str,
    /// The spec, then the imported one.
    sides: [&'a ServiceSpec; 2],
    /// Enum types that inline `enum:`s define (`dlm_type` -> `DlmType`), per side.
    inline: [HashMap<String, (&'a str, BTreeSet<String>)>; 2],
    /// Named type pairs already compared (types can be recursive).
    seen: HashSet<(String, String)>,
    /// Imported types a response reaches: the importer makes all their fields optional
    /// (`optional`), a decision, not a document fact, so their required flags are not
    /// compared.
    relaxed: &'a HashSet<String>,
    out: &'o mut Vec<Difference>,
}

impl<'a> Compare<'a, '_> {
    fn differ(&mut self, at: &str, spec: impl Into<String>, document: impl Into<String>) {
        self.out.push(Difference {
            op: self.op.to_owned(),
            at: at.to_owned(),
            spec: spec.into(),
            document: document.into(),
        });
    }

    fn operation(&mut self, ours: &'a OperationSpec, theirs: &'a OperationSpec) {
        if ours.method != theirs.method {
            self.differ("method", ours.method.as_str(), theirs.method.as_str());
        }
        if ours.path != theirs.path {
            self.differ("path", &ours.path, &theirs.path);
        }
        self.params(ours, theirs);
        self.body(ours, theirs);
        self.responses(ours, theirs);
    }

    fn params(&mut self, ours: &'a OperationSpec, theirs: &'a OperationSpec) {
        let by_wire = |op: &'a OperationSpec| {
            op.params
                .iter()
                .map(|(k, p)| {
                    let location = format!("{:?}", p.location).to_ascii_lowercase();
                    ((location, p.name.clone().unwrap_or_else(|| k.clone())), p)
                })
                .collect::<BTreeMap<_, _>>()
        };
        let (a, b) = (by_wire(ours), by_wire(theirs));
        let keys: BTreeSet<_> = a.keys().chain(b.keys()).cloned().collect();
        for key @ (location, wire) in &keys {
            let at = format!("{location} parameter {wire}");
            match (a.get(key), b.get(key)) {
                (Some(p), Some(q)) => {
                    if p.required != q.required {
                        self.required(&format!("{at}: required"), p.required, q.required);
                    }
                    let pa = self.shape(0, p.ty.as_deref(), p.enum_values.as_deref());
                    let qa = self.shape(1, q.ty.as_deref(), q.enum_values.as_deref());
                    self.shapes(&at, pa, qa);
                }
                (Some(_), None) => self.differ(&at, "declared", "absent"),
                (None, Some(q)) => {
                    let what = if q.required { "required" } else { "optional" };
                    self.differ(&at, "absent", format!("declared ({what})"));
                }
                (None, None) => {}
            }
        }
    }

    fn required(&mut self, at: &str, ours: bool, theirs: bool) {
        let word = |r: bool| if r { "required" } else { "optional" };
        self.differ(at, word(ours), word(theirs));
    }

    fn body(&mut self, ours: &'a OperationSpec, theirs: &'a OperationSpec) {
        match (&ours.body, &theirs.body) {
            (Some(a), Some(b)) => {
                if essence(&a.content_type) != essence(&b.content_type) {
                    self.differ("body: content type", &a.content_type, &b.content_type);
                }
                if a.required != b.required {
                    self.required("body: required", a.required, b.required);
                }
                let (sa, sb) = (
                    self.shape(0, Some(&a.ty), None),
                    self.shape(1, Some(&b.ty), None),
                );
                self.shapes("body", sa, sb);
            }
            (Some(a), None) => self.differ("body", format!("`{}`", a.ty), "none"),
            (None, Some(b)) => self.differ("body", "none", format!("`{}`", b.ty)),
            (None, None) => {}
        }
    }

    fn responses(&mut self, ours: &'a OperationSpec, theirs: &'a OperationSpec) {
        let statuses = |op: &OperationSpec| {
            op.responses
                .keys()
                .map(u16::to_string)
                .collect::<BTreeSet<_>>()
        };
        let (a, b) = (statuses(ours), statuses(theirs));
        if a != b {
            self.differ("statuses", list(&a), list(&b));
        }
        for (status, r) in &ours.responses {
            let Some(s) = theirs.responses.get(status) else {
                continue;
            };
            let at = format!("response {status}");
            match (&r.ty, &s.ty) {
                (Some(x), Some(y)) => {
                    let (sa, sb) = (self.shape(0, Some(x), None), self.shape(1, Some(y), None));
                    self.shapes(&format!("{at} body"), sa, sb);
                }
                (Some(x), None) => self.differ(&format!("{at} body"), format!("`{x}`"), "none"),
                (None, Some(y)) => self.differ(&format!("{at} body"), "none", format!("`{y}`")),
                (None, None) => {}
            }
            let headers = |h: &indexmap::IndexMap<String, crate::spec::HeaderSpec>| {
                h.iter()
                    .map(|(k, v)| {
                        v.name
                            .clone()
                            .unwrap_or_else(|| k.clone())
                            .to_ascii_lowercase()
                    })
                    .collect::<BTreeSet<_>>()
            };
            let (ha, hb) = (headers(&r.headers), headers(&s.headers));
            if ha != hb {
                self.differ(&format!("{at} headers"), list(&ha), list(&hb));
            }
        }
    }

    /// The shape of a type expression on side `side` (0: spec, 1: documents), with an
    /// inline enum when the parameter or field has one.
    fn shape(
        &self,
        side: usize,
        ty: Option<&'a str>,
        inline: Option<&'a [EnumValue]>,
    ) -> Shape<'a> {
        let expr = ty.unwrap_or("string");
        if let Some(values) = inline {
            return Shape::Enum(expr, enum_set(values));
        }
        if let Some(inner) = expr
            .strip_prefix("array<")
            .and_then(|e| e.strip_suffix('>'))
        {
            return Shape::Array(inner);
        }
        if let Some(inner) = expr.strip_prefix("map<").and_then(|e| e.strip_suffix('>')) {
            return Shape::Map(inner);
        }
        if !expr.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Shape::Scalar(expr);
        }
        match self.sides[side].types.get(expr) {
            Some(TypeSpec {
                fields: Some(fields),
                ..
            }) => Shape::Object(Some(expr), fields),
            Some(TypeSpec {
                enum_values: Some(values),
                ty,
                ..
            }) => Shape::Enum(ty.as_deref().unwrap_or("string"), enum_set(values)),
            Some(TypeSpec {
                array: Some(inner), ..
            }) => Shape::Array(inner),
            Some(TypeSpec {
                map: Some(inner), ..
            }) => Shape::Map(inner),
            _ => match self.inline[side].get(expr) {
                Some((kind, values)) => Shape::Enum(kind, values.clone()),
                None => Shape::Unknown(expr),
            },
        }
    }

    fn shapes(&mut self, at: &str, a: Shape<'a>, b: Shape<'a>) {
        match (a, b) {
            (Shape::Scalar(x), Shape::Scalar(y)) if x == y => {}
            (Shape::Enum(kx, x), Shape::Enum(ky, y)) => {
                if kx != ky || x != y {
                    let only = |p: &BTreeSet<String>, q: &BTreeSet<String>| {
                        p.difference(q).cloned().collect::<BTreeSet<_>>()
                    };
                    let (ox, oy) = (only(&x, &y), only(&y, &x));
                    let show = |k: &str, all: &BTreeSet<String>, extra: &BTreeSet<String>| {
                        if extra.is_empty() {
                            format!("{k} enum {}", list(all))
                        } else {
                            format!(
                                "{k} enum {} (not on the other side: {})",
                                list(all),
                                list(extra)
                            )
                        }
                    };
                    self.differ(&format!("{at}: enum"), show(kx, &x, &ox), show(ky, &y, &oy));
                }
            }
            (Shape::Array(x), Shape::Array(y)) => {
                let (sx, sy) = (self.shape(0, Some(x), None), self.shape(1, Some(y), None));
                self.shapes(&format!("{at}[]"), sx, sy);
            }
            (Shape::Map(x), Shape::Map(y)) => {
                let (sx, sy) = (self.shape(0, Some(x), None), self.shape(1, Some(y), None));
                self.shapes(&format!("{at}{{}}"), sx, sy);
            }
            (Shape::Object(nx, x), Shape::Object(ny, y)) => {
                let pair = (
                    nx.unwrap_or_default().to_owned(),
                    ny.unwrap_or_default().to_owned(),
                );
                if self.seen.insert(pair) {
                    let relaxed = ny.is_some_and(|n| self.relaxed.contains(n));
                    self.fields(at, x, y, relaxed);
                }
            }
            (a, b) => {
                let (da, db) = (a.describe(), b.describe());
                self.differ(&format!("{at}: type"), da, db);
            }
        }
    }

    fn fields(
        &mut self,
        at: &str,
        ours: &'a indexmap::IndexMap<String, FieldSpec>,
        theirs: &'a indexmap::IndexMap<String, FieldSpec>,
        relaxed: bool,
    ) {
        let names: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
        for name in names {
            let fat = format!("{at}.{name}");
            match (ours.get(name), theirs.get(name)) {
                (Some(f), Some(g)) => {
                    if f.required != g.required && !relaxed {
                        self.required(&format!("{fat}: required"), f.required, g.required);
                    }
                    let sf = self.shape(0, f.ty.as_deref(), f.enum_values.as_deref());
                    let sg = self.shape(1, g.ty.as_deref(), g.enum_values.as_deref());
                    self.shapes(&fat, sf, sg);
                }
                (Some(_), None) => self.differ(&fat, "present", "absent"),
                (None, Some(_)) => self.differ(&fat, "absent", "present"),
                (None, None) => {}
            }
        }
    }
}
