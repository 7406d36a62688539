//! Generated code compiles, warning-free, for randomised valid specs.
//!
//! A seeded xorshift generator writes `SPECS` specs (the same ones every run) that use the
//! whole spec format: awkward names (Rust keywords, std prelude and runtime names, leading
//! digits, camelCase and kebab-case wire names), parameters of every location and scalar
//! type, inline and named enums with odd values, objects, arrays, maps, recursive types,
//! optional and required fields, JSON, URL-encoded and multipart form bodies (a flat type
//! sent both ways), content types with parameters, paths with sub-delimiters and escapes,
//! docs and enum values with bare carriage returns, bidi and other control characters and
//! code fences, 200/201/204 responses, response headers, error codes and token sources.
//! Each must pass `validate` without a diagnostic;
//! then all generated modules are compiled as one crate against the runtime with
//! `RUSTFLAGS=-Dwarnings` (`cargo build --offline`, target dir `target/random-specs`, so
//! repeated runs reuse the dependencies' builds).
//!
//! The tests at the end are minimal reproductions of generator bugs this test found (now
//! fixed); each compiles, or expects a clear rejection of, one small spec.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use hwcloud_codegen::names::{pascal, snake, variant};
use hwcloud_codegen::{SpecText, generate, validate};

/// How many random specs; each becomes a module `rnd<i>` of the test crate.
const SPECS: usize = 12;
/// The generator's seed; `RANDOM_SPECS_SEED=<n>` explores other specs.
const SEED: u64 = 0x5eed_2024_c0de_0001;

fn seed() -> u64 {
    std::env::var("RANDOM_SPECS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED)
}

/// Whether wire names may contain `.` (`metadata.name`).
const DOTTED_NAMES: bool = true;

/// Whether type names may be names the generated module uses unqualified: std prelude
/// items (`String`, `Option`, `Into`, ...) and the runtime items it imports (`Error`,
/// `Client`, ...). `validate` reserves them (see
/// `type_named_like_a_runtime_or_prelude_name_is_rejected`), so valid specs do not use them.
const SHADOWING_NAMES: bool = false;
const SHADOWS: &[&str] = &[
    "String",
    "Option",
    "Vec",
    "Box",
    "Result",
    "Into",
    "From",
    "Default",
    "Send",
    "Sync",
    "Error",
    "Client",
    "Operation",
    "ServiceClient",
    "OperationMeta",
    "RequestParts",
    "ResponseParts",
    "ServiceMeta",
    "Implicit",
    "Model",
    "ObjectReader",
    "ObjectWriter",
    "FieldError",
    "Future",
    "Some",
    "None",
    "Ok",
    "Err",
    "Clone",
    "Debug",
    "PartialEq",
];

/// xorshift64*: tiny, deterministic, good enough to pick names.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Words names are made of: ordinary words, Rust keywords (strict, reserved and weak),
/// and names the generated code itself uses (prelude types, runtime imports, builder and
/// client method names).
const WORDS: &[&str] = &[
    "alpha",
    "item",
    "list",
    "data",
    "value",
    "thing",
    "node",
    "tag",
    "label",
    "count",
    "page",
    "type",
    "match",
    "self",
    "crate",
    "super",
    "async",
    "await",
    "move",
    "ref",
    "box",
    "dyn",
    "try",
    "yield",
    "loop",
    "impl",
    "fn",
    "mod",
    "use",
    "where",
    "in",
    "as",
    "for",
    "if",
    "else",
    "enum",
    "struct",
    "trait",
    "static",
    "const",
    "unsafe",
    "extern",
    "let",
    "mut",
    "pub",
    "return",
    "true",
    "false",
    "while",
    "break",
    "continue",
    "macro",
    "union",
    "abstract",
    "final",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "become",
    "do",
    "gen",
    "default",
    "new",
    "into",
    "from",
    "string",
    "option",
    "result",
    "vec",
    "error",
    "client",
    "status",
    "request",
    "response",
    "body",
    "unknown",
    "secret",
    "timestamp",
    "operation",
    "meta",
    "send",
    "endpoint",
    // The parameter name of a generated `Model::read`.
    "object",
];

/// A lowercase word.
fn word(rng: &mut Rng) -> String {
    (*rng.pick(WORDS)).to_owned()
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// A PascalCase name of 1..=max words, in the form the spec must use (`pascal` of it).
fn pascal_name(rng: &mut Rng, max: usize) -> String {
    let n = rng.range(1, max);
    pascal(&(0..n).map(|_| capitalise(&word(rng))).collect::<String>())
}

/// A wire name in one of the styles documents use.
fn wire_name(rng: &mut Rng) -> String {
    let (a, b) = (word(rng), word(rng));
    match rng.below(9) {
        0 => a,
        1 => format!("{a}_{b}"),
        2 => format!("{a}{}", capitalise(&b)),
        3 => format!("{a}-{b}"),
        4 => format!("{}{a}", rng.range(0, 9)),
        5 => format!("{}{}", a.to_ascii_uppercase(), capitalise(&b)),
        6 => format!("{}_{}", a.to_ascii_uppercase(), b.to_ascii_uppercase()),
        7 if DOTTED_NAMES => format!("{a}.{b}"),
        _ => format!("{a}{}", rng.range(0, 99)),
    }
}

/// Enum values: odd ones first.
const ENUM_VALUES: &[&str] = &[
    "a-b",
    "UPPER_CASE",
    "9lives",
    "lower",
    "camelCase",
    "kebab-case-value",
    "x.y",
    "self",
    "type",
    "Self",
    "v1",
    "V2",
    "2fa",
    "none",
    "Some",
    "on",
    "OFF",
    "ap-southeast-1",
    "*.*",
    "value with spaces",
    "default",
    "new",
    "unknown_value",
    // Characters a doc comment cannot hold as they are (the variant's doc shows the value).
    "line\rbreak",
    "bidi\u{202e}rtl",
];

fn enum_values(rng: &mut Rng) -> Vec<String> {
    let n = rng.range(1, 5);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for _ in 0..n * 2 {
        let v = (*rng.pick(ENUM_VALUES)).to_owned();
        let rust = variant(&v);
        if !rust.is_empty() && rust != "Unknown" && seen.insert(rust) {
            out.push(v);
        }
        if out.len() == n {
            break;
        }
    }
    out
}

/// Distinct integer values up to `max` in magnitude, negative ones and extremes included,
/// as a YAML list (one with a `name:` and a doc).
fn int_enum_values(rng: &mut Rng, max: i64) -> String {
    let mut values = vec![0, -1, max, -max, 7];
    values.truncate(rng.range(1, 5));
    let mut items: Vec<String> = values.iter().map(i64::to_string).collect();
    items.push("{ value: 42, name: Answer, doc: \"The answer.\" }".into());
    format!("[{}]", items.join(", "))
}

/// A YAML scalar: JSON string syntax is valid YAML double-quoted syntax, once the
/// characters JSON leaves as they are but YAML does not allow raw (DEL, C1 controls) are
/// escaped too.
fn q(s: &str) -> String {
    let json = serde_json::to_string(s).expect("strings serialise");
    json.chars()
        .map(|c| match c {
            '\u{7f}'..='\u{9f}' => format!("\\u{:04X}", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}

fn yaml_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

/// Scalar type expressions of the spec format.
const SCALARS: &[&str] = &[
    "string", "int32", "int64", "number", "boolean", "datetime", "json",
];
/// Scalars a parameter may have (`json` is not a parameter type).
const PARAM_SCALARS: &[&str] = &["string", "int32", "int64", "number", "boolean", "datetime"];

/// A named type being built.
enum Def {
    Enum(Vec<String>),
    /// An integer enum (`type`, `enum` as YAML text), or a string enum with `name:`d values.
    RawEnum(&'static str, String),
    Struct(Vec<FieldDef>),
    Array(String),
    Map(String),
}

struct FieldDef {
    wire: String,
    ty: Option<String>,
    inline_enum: Option<Vec<String>>,
    required: bool,
    sensitive: bool,
    rust_name: Option<String>,
}

/// One random spec under construction. Every Rust name the generated module defines is
/// tracked, so the spec never asks for a clash `validate` rightly rejects.
struct SpecGen<'r> {
    rng: &'r mut Rng,
    service: String,
    /// Type name -> definition, in declaration order.
    types: Vec<(String, Def)>,
    /// Rust type names taken (declared types, inline enums, requests/responses, client).
    taken: HashSet<String>,
    /// Enum type names (usable as parameters).
    enums: Vec<String>,
    /// Struct type names with only scalar/enum fields (usable as form bodies).
    flat_structs: Vec<String>,
    /// Every declared type, for the catalogue that keeps them all in use.
    all: Vec<String>,
    /// Form bodies written so far (they take the form content types in turn).
    forms: usize,
}

impl<'r> SpecGen<'r> {
    fn new(rng: &'r mut Rng, index: usize) -> Self {
        let service = format!(
            "{}{}",
            pascal_name(rng, 2),
            ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"][index % 12]
        );
        let service = pascal(&service);
        let mut taken: HashSet<String> = ["ErrorCode", "SERVICE"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        taken.insert(format!("{service}Client"));
        SpecGen {
            rng,
            service,
            types: Vec::new(),
            taken,
            enums: Vec::new(),
            flat_structs: Vec::new(),
            all: Vec::new(),
            forms: index,
        }
    }

    /// A fresh PascalCase type name.
    fn type_name(&mut self) -> String {
        loop {
            let name = pascal_name(self.rng, 2);
            // Names ending like generated ones are avoided only where they would clash.
            if self.free(&name) {
                self.taken.insert(name.clone());
                return name;
            }
        }
    }

    /// True when `name` can name a new type.
    fn free(&self, name: &str) -> bool {
        !name.is_empty()
            && !self.taken.contains(name)
            && (SHADOWING_NAMES || !SHADOWS.contains(&name))
    }

    /// Takes the name of an inline enum; it can be referred to when it is a type name
    /// (a leading digit gives `_3d`, which type expressions cannot name).
    fn inline_enum_name(&mut self, name: String) {
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            self.enums.push(name.clone());
        }
        self.taken.insert(name);
    }

    fn declare(&mut self, name: String, def: Def) {
        self.all.push(name.clone());
        self.types.push((name, def));
    }

    fn named_enum(&mut self) -> String {
        let name = self.type_name();
        self.enums.push(name.clone());
        let def = match self.rng.below(4) {
            0 => Def::RawEnum("int32", int_enum_values(self.rng, i64::from(i32::MAX))),
            1 => Def::RawEnum("int64", int_enum_values(self.rng, i64::MAX)),
            2 => {
                // Values only a `name:` can name: empty, punctuation, `UNKNOWN`, a clash.
                let named = ["Empty", "UnknownValue", "GtEq"];
                let mut values: Vec<String> = enum_values(self.rng)
                    .iter()
                    .filter(|v| !named.contains(&variant(v).as_str()))
                    .map(|v| q(v))
                    .collect();
                values.push(r#"{ value: "", name: Empty, doc: "No value." }"#.into());
                values.push("{ value: UNKNOWN, name: UnknownValue }".into());
                values.push(r#"{ value: ">=", name: GtEq }"#.into());
                Def::RawEnum("string", format!("[{}]", values.join(", ")))
            }
            _ => Def::Enum(enum_values(self.rng)),
        };
        self.declare(name.clone(), def);
        name
    }

    /// A type expression for a field: scalars, enums, containers, other types.
    fn field_type(&mut self, depth: usize) -> String {
        match self.rng.below(10) {
            0..=3 => (*self.rng.pick(SCALARS)).to_owned(),
            4 if !self.enums.is_empty() => self.rng.pick(&self.enums).clone(),
            5 if depth < 2 => format!("array<{}>", self.field_type(depth + 1)),
            6 if depth < 2 => format!("map<{}>", self.field_type(depth + 1)),
            7 if !self.all.is_empty() => self.rng.pick(&self.all).clone(),
            _ => (*self.rng.pick(SCALARS)).to_owned(),
        }
    }

    /// Fields with distinct Rust names; inline enums get fresh type names.
    fn fields(&mut self, flat: bool) -> Vec<FieldDef> {
        let n = self.rng.range(1, 7);
        let mut rust_names = HashSet::new();
        let mut out = Vec::new();
        for _ in 0..n {
            let wire = wire_name(self.rng);
            let rust_name = self
                .rng
                .chance(10)
                .then(|| format!("{}_{}", word(self.rng), self.rng.range(0, 9)));
            let rust = snake(rust_name.as_deref().unwrap_or(&wire));
            if !rust_names.insert(rust) {
                continue;
            }
            let mut field = FieldDef {
                wire: wire.clone(),
                ty: None,
                inline_enum: None,
                required: self.rng.chance(40),
                sensitive: false,
                rust_name,
            };
            if self.rng.chance(15) && self.free(&pascal(&wire)) {
                self.inline_enum_name(pascal(&wire));
                field.inline_enum = Some(enum_values(self.rng));
            } else if flat {
                let t = match self.rng.below(3) {
                    0 if !self.enums.is_empty() => self.rng.pick(&self.enums).clone(),
                    _ => (*self.rng.pick(PARAM_SCALARS)).to_owned(),
                };
                field.sensitive = t == "string" && self.rng.chance(25);
                field.ty = (t != "string" || self.rng.chance(50)).then_some(t);
            } else {
                let t = self.field_type(0);
                field.sensitive = t == "string" && self.rng.chance(15);
                field.ty = Some(t);
            }
            out.push(field);
        }
        out
    }

    fn object(&mut self, flat: bool) -> String {
        let name = self.type_name();
        let fields = self.fields(flat);
        if flat {
            self.flat_structs.push(name.clone());
        }
        self.declare(name.clone(), Def::Struct(fields));
        name
    }

    /// Named types: enums, objects, a named array and map, and recursive types (direct,
    /// through a container, and mutual).
    fn types(&mut self) {
        for _ in 0..self.rng.range(1, 2) {
            self.named_enum();
        }
        for _ in 0..self.rng.range(1, 3) {
            let flat = self.rng.chance(40);
            self.object(flat);
        }
        let element = self.field_type(0);
        let array = self.type_name();
        self.declare(array, Def::Array(element));
        let value = self.field_type(0);
        let map = self.type_name();
        self.declare(map, Def::Map(value));
        // Node { next: Node, children: array<Node>, by_name: map<Node> }.
        let node = self.type_name();
        let link = |wire: &str, ty: String, required: bool| FieldDef {
            wire: wire.into(),
            ty: Some(ty),
            inline_enum: None,
            required,
            sensitive: false,
            rust_name: None,
        };
        // `next` stays optional: a required field leading back to its own struct makes a
        // type without finite values (see `required_self_reference_*` below).
        self.declare(
            node.clone(),
            Def::Struct(vec![
                link("next", node.clone(), false),
                link("children", format!("array<{node}>"), false),
                link("byName", format!("map<{node}>"), false),
                link("type", "string".into(), true),
            ]),
        );
        // Ping <-> Pong.
        let (ping, pong) = (self.type_name(), self.type_name());
        self.declare(
            ping.clone(),
            Def::Struct(vec![
                link("pong", pong.clone(), false),
                link("self", "int64".into(), false),
            ]),
        );
        let ping_required = self.rng.chance(50);
        self.declare(
            pong.clone(),
            Def::Struct(vec![
                link("ping", ping, ping_required),
                link("match", "boolean".into(), false),
            ]),
        );
    }

    fn spec(mut self, index: usize) -> String {
        let mut y = String::new();
        let _ = writeln!(y, "# Random spec {index} (seed {}).", seed());
        let _ = writeln!(y, "service: {}", q(&self.service));
        let _ = writeln!(y, "doc: Random service number {index}.");
        if self.rng.chance(70) {
            let _ = writeln!(
                y,
                "endpoint: {}",
                q(&format!("https://svc{index}.{{region}}.example.com"))
            );
        }
        let auth = [
            "[aksk, token]",
            "[aksk]",
            "[token]",
            "[access_token]",
            "[app_token]",
            "[]",
        ];
        let _ = writeln!(y, "auth: {}", self.rng.pick(&auth));
        if self.rng.chance(60) {
            let _ = writeln!(y, "errors:");
            let codes = [
                "SVC.0001",
                "100208",
                "a-b",
                "UPPER_CASE",
                "9lives",
                "Svc.Repo.0401",
                "self",
                "E_1",
            ];
            let mut seen = HashSet::new();
            for _ in 0..self.rng.range(1, 4) {
                let code = *self.rng.pick(&codes);
                if seen.insert(variant(code)) {
                    let status = *self.rng.pick(&[400, 401, 403, 404, 409, 500, 503]);
                    let _ = writeln!(
                        y,
                        "  - {{ code: {}, status: {status}, description: \"Fails {{x}} with \\\"quotes\\\".\", handling: Retry. }}",
                        q(code)
                    );
                }
            }
        }
        self.types();
        // Operation names are fixed before the bodies so their Request/Response names are
        // taken before any more types are made.
        let n_ops = self.rng.range(2, 5);
        let mut op_names = Vec::new();
        while op_names.len() < n_ops {
            // Not `New`, `Endpoint` or `WithEndpoint`: the client's own methods, which
            // `validate` rejects (`operation_named_like_a_client_method_is_rejected`).
            let name = pascal(&format!(
                "{}{}",
                capitalise(&word(self.rng)),
                pascal_name(self.rng, 2)
            ));
            if matches!(name.as_str(), "New" | "Endpoint" | "WithEndpoint") {
                continue;
            }
            let (req, resp) = (format!("{name}Request"), format!("{name}Response"));
            if self.taken.contains(&req) || self.taken.contains(&resp) {
                continue;
            }
            if op_names.iter().any(|o: &String| o == &name) {
                continue;
            }
            self.taken.insert(req);
            self.taken.insert(resp);
            op_names.push(name);
        }
        let mut ops = String::new();
        for (i, name) in op_names.iter().enumerate() {
            self.operation(&mut ops, name, i);
        }
        // A catalogue that uses every type, so none is reported unused.
        let catalogue = self.type_name();
        let fields = self
            .all
            .iter()
            .enumerate()
            .map(|(i, t)| FieldDef {
                wire: format!("t{i}"),
                ty: Some(t.clone()),
                inline_enum: None,
                required: false,
                sensitive: false,
                rust_name: None,
            })
            .collect();
        self.types.push((catalogue.clone(), Def::Struct(fields)));
        let _ = writeln!(y, "operations:");
        y.push_str(&ops);
        let _ = writeln!(y, "  GetCatalogue{index}:");
        let _ = writeln!(
            y,
            "    doc: Every type.\n    method: GET\n    path: /catalogue\n    responses:\n      200: {{ type: {catalogue}, doc: OK. }}"
        );
        let _ = writeln!(y, "types:");
        let types = std::mem::take(&mut self.types);
        for (name, def) in &types {
            let _ = writeln!(y, "  {name}:");
            let _ = writeln!(y, "    doc: Type {name}.");
            match def {
                Def::Enum(values) => {
                    let _ = writeln!(y, "    enum: {}", yaml_list(values));
                }
                Def::RawEnum(ty, values) => {
                    let _ = writeln!(y, "    type: {ty}\n    enum: {values}");
                }
                Def::Array(t) => {
                    let _ = writeln!(y, "    array: {}", q(t));
                }
                Def::Map(t) => {
                    let _ = writeln!(y, "    map: {}", q(t));
                }
                Def::Struct(fields) => {
                    let _ = writeln!(y, "    fields:");
                    for f in fields {
                        let mut parts = Vec::new();
                        if let Some(t) = &f.ty {
                            parts.push(format!("type: {}", q(t)));
                        }
                        if let Some(values) = &f.inline_enum {
                            parts.push(format!("enum: {}", yaml_list(values)));
                        }
                        if f.required {
                            parts.push("required: true".into());
                        }
                        if f.sensitive {
                            parts.push("sensitive: true".into());
                        }
                        if let Some(r) = &f.rust_name {
                            parts.push(format!("rust_name: {}", q(r)));
                        }
                        parts.push(format!(
                            "doc: {}",
                            q(&format!(
                                "Field `{}`; see <https://example.com/a_b>.{}",
                                f.wire,
                                self.awkward_doc()
                            ))
                        ));
                        let _ = writeln!(y, "      {}: {{ {} }}", q(&f.wire), parts.join(", "));
                    }
                }
            }
        }
        y
    }

    /// One operation: params of every location, maybe a body, success and error
    /// responses, response headers, sometimes a token source.
    fn operation(&mut self, y: &mut String, name: &str, index: usize) {
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];
        let method = *self.rng.pick(&methods);
        let _ = writeln!(y, "  {name}:");
        let awkward = self.awkward_doc();
        let _ = writeln!(
            y,
            "    doc: {}",
            q(&format!(
                "Operation {name}: `{method}` with [links](https://example.com) and *markdown*.\n\nSecond paragraph.{awkward}"
            ))
        );
        let _ = writeln!(y, "    method: {method}");
        let has_body = !matches!(method, "GET" | "HEAD") && self.rng.chance(75);
        let mut rust_params: HashSet<String> = HashSet::new();
        if has_body {
            rust_params.insert("body".into());
        }
        let mut wires: HashSet<(String, String)> = HashSet::new();
        let mut params = String::new();
        let mut path = format!("/v{index}");
        // Path parameters.
        for i in 0..self.rng.range(0, 3) {
            let key = if i == 0 && self.rng.chance(50) {
                "project_id".to_owned()
            } else {
                wire_name(self.rng)
            };
            if !rust_params.insert(snake(&key)) {
                continue;
            }
            let wire = if self.rng.chance(30) {
                format!("p{i}{}", capitalise(&word(self.rng)))
            } else {
                key.clone()
            };
            if !wire.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                || !wires.insert(("path".into(), wire.clone()))
            {
                rust_params.remove(&snake(&key));
                continue;
            }
            let _ = write!(path, "/{}/{{{wire}}}", word(self.rng));
            let mut parts = vec!["in: path".to_owned(), "required: true".to_owned()];
            if wire != key {
                parts.push(format!("name: {}", q(&wire)));
            }
            if key == "project_id" && wire == key {
                parts.push("from: project_id".into());
            } else {
                self.param_type(&mut parts, &key, false);
            }
            parts.push("doc: A path parameter.".into());
            let _ = writeln!(params, "      {}: {{ {} }}", q(&key), parts.join(", "));
        }
        path.push_str(if self.rng.chance(50) { "/items" } else { "" });
        // Path characters beyond letters and `/` (RFC 3986 sub-delims, `:`, `@`, escapes).
        let suffixes = ["", "", ":action", ";v=1", "/a-b_c.d~e", "/%2A@x"];
        let suffix = *self.rng.pick(&suffixes);
        path.push_str(suffix);
        // Query and header parameters.
        for _ in 0..self.rng.range(0, 6) {
            let header = self.rng.chance(40);
            let key = wire_name(self.rng);
            let rust = snake(&key);
            if rust == "body" || rust_params.contains(&rust) {
                continue;
            }
            let wire = match (header, self.rng.below(3)) {
                (true, 0) => format!(
                    "X-{}-{}",
                    capitalise(&word(self.rng)),
                    capitalise(&word(self.rng))
                ),
                (true, 1) => format!("x-{}", word(self.rng)),
                (true, _) => word(self.rng),
                (false, 0) => format!("{}{}", word(self.rng), capitalise(&word(self.rng))),
                (false, 1) => format!("{}-{}", word(self.rng), word(self.rng)),
                (false, _) => key.clone(),
            };
            let place = if header { "header" } else { "query" };
            let wire_key = if header {
                wire.to_ascii_lowercase()
            } else {
                wire.clone()
            };
            if header
                && matches!(
                    wire_key.as_str(),
                    "content-type" | "x-auth-token" | "authorization" | "host"
                )
            {
                continue;
            }
            if !wires.insert((place.into(), wire_key)) {
                continue;
            }
            rust_params.insert(rust);
            let mut parts = vec![format!("in: {place}")];
            if wire != key {
                parts.push(format!("name: {}", q(&wire)));
            }
            if self.rng.chance(30) {
                parts.push("required: true".into());
            }
            self.param_type(&mut parts, &key, !header);
            parts.push(format!(
                "doc: {}",
                q(&format!("The `{wire}` {place} parameter."))
            ));
            let _ = writeln!(params, "      {}: {{ {} }}", q(&key), parts.join(", "));
        }
        let _ = writeln!(y, "    path: {}", q(&path));
        if !params.is_empty() {
            let _ = writeln!(y, "    params:");
            y.push_str(&params);
        }
        if has_body {
            let form = !self.flat_structs.is_empty() && self.rng.chance(45);
            let (content_type, ty) = if form {
                // A flat struct goes as a URL-encoded form or as `multipart/form-data`
                // (text parts only), and may be sent both ways by different operations.
                let kinds = [
                    "application/x-www-form-urlencoded",
                    "multipart/form-data",
                    "application/x-www-form-urlencoded; charset=UTF-8",
                    "multipart/form-data; charset=\"utf-8\"",
                ];
                // In turn, not at random: each kind appears once there are four forms.
                let ct = kinds[self.forms % kinds.len()];
                self.forms += 1;
                (ct, self.rng.pick(&self.flat_structs).clone())
            } else {
                let ct = *self.rng.pick(&[
                    "application/json",
                    "application/json;charset=UTF-8",
                    "application/json; charset=utf8",
                    "application/json; charset=\"utf-8\"; q=0.5",
                ]);
                (ct, self.field_type(0))
            };
            let required = if self.rng.chance(30) {
                ", required: false"
            } else {
                ""
            };
            let _ = writeln!(
                y,
                "    body: {{ content_type: {}, type: {}{required}, doc: The body. }}",
                q(content_type),
                q(&ty)
            );
        }
        // Responses: one or two success statuses sharing a body type (or none / 204).
        let _ = writeln!(y, "    responses:");
        let body_ty = self.rng.chance(75).then(|| self.field_type(0));
        let token = body_ty.is_none() && self.rng.chance(40);
        let success: Vec<u16> = match self.rng.below(5) {
            0 => vec![200],
            1 => vec![201],
            2 => vec![200, 201],
            3 => vec![200, 204],
            _ => vec![204],
        };
        let mut header_keys: HashSet<String> = HashSet::new();
        for (n, status) in success.iter().enumerate() {
            let _ = writeln!(y, "      {status}:");
            let _ = writeln!(y, "        doc: Success {status}.");
            if let Some(t) = &body_ty
                && *status != 204
            {
                let _ = writeln!(y, "        type: {}", q(t));
            }
            let mut headers = String::new();
            if token && n == 0 {
                header_keys.insert("subject_token".into());
                let _ = writeln!(
                    headers,
                    "          subject_token: {{ name: X-Subject-Token, sensitive: true, doc: The token. }}"
                );
            }
            for _ in 0..self.rng.range(0, 2) {
                let key = format!("{}_{}", word(self.rng), word(self.rng));
                let rust = snake(&key);
                if matches!(rust.as_str(), "status" | "request_id" | "body")
                    || !header_keys.insert(rust)
                {
                    continue;
                }
                let wire = format!("X-{}", capitalise(&word(self.rng)));
                let sensitive = if self.rng.chance(30) {
                    "sensitive: true, "
                } else {
                    ""
                };
                let _ = writeln!(
                    headers,
                    "          {}: {{ name: {}, {sensitive}doc: A header. }}",
                    q(&key),
                    q(&wire)
                );
            }
            if !headers.is_empty() {
                let _ = writeln!(y, "        headers:");
                y.push_str(&headers);
            }
        }
        if self.rng.chance(60) {
            let error_body = self
                .rng
                .chance(50)
                .then(|| self.all.iter().find(|t| !self.enums.contains(t)).cloned())
                .flatten();
            match error_body {
                Some(t) => {
                    let _ = writeln!(y, "      400: {{ type: {}, doc: Bad request. }}", q(&t));
                }
                None => {
                    let _ = writeln!(y, "      400: {{ doc: Bad request. }}");
                }
            }
            let _ = writeln!(y, "      503: {{ doc: Unavailable. }}");
        }
        if token {
            let _ = writeln!(y, "    auth: [none]");
            let _ = writeln!(
                y,
                "    token_source: {{ token: \"header:X-Subject-Token\" }}"
            );
        } else if self.rng.chance(15) {
            let _ = writeln!(y, "    auth: [aksk]");
        }
    }

    /// Sometimes a paragraph with characters a doc comment cannot hold as they are.
    fn awkward_doc(&mut self) -> String {
        if self.rng.chance(25) {
            format!("\n\n{}", self.rng.pick(AWKWARD_DOCS))
        } else {
            String::new()
        }
    }

    /// `type:` or `enum:` of a parameter: scalars, named and inline enums, and (query
    /// only) arrays of them.
    fn param_type(&mut self, parts: &mut Vec<String>, key: &str, query: bool) {
        match self.rng.below(6) {
            0 if !self.enums.is_empty() => {
                parts.push(format!("type: {}", q(self.rng.pick(&self.enums).as_str())))
            }
            1 if self.free(&pascal(key)) => {
                self.inline_enum_name(pascal(key));
                parts.push(format!("enum: {}", yaml_list(&enum_values(self.rng))));
            }
            2 if query => {
                let inner = if !self.enums.is_empty() && self.rng.chance(30) {
                    self.rng.pick(&self.enums).clone()
                } else {
                    (*self.rng.pick(PARAM_SCALARS)).to_owned()
                };
                parts.push(format!("type: {}", q(&format!("array<{inner}>"))));
            }
            _ => {
                let t = *self.rng.pick(PARAM_SCALARS);
                if t == "string" && self.rng.chance(20) {
                    parts.push("sensitive: true".into());
                }
                parts.push(format!("type: {t}"));
            }
        }
    }
}

/// The `SPECS` random specs, as files `specs/rnd<i>.yaml`.
fn random_specs() -> Vec<SpecText> {
    let mut rng = Rng::new(seed());
    (0..SPECS)
        .map(|i| SpecText {
            file: format!("specs/rnd{i}.yaml"),
            text: SpecGen::new(&mut rng, i).spec(i),
        })
        .collect()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace directory")
}

/// Compiles `modules` as one library crate against the runtime with `-Dwarnings`; `Err`
/// holds cargo's output.
fn compile(crate_name: &str, modules: &[Module]) -> Result<(), String> {
    let ws = workspace();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).expect("src/");
    let runtime = ws.join("runtime");
    let manifest = format!(
        r#"[package]
name = "{crate_name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
hwcloud-runtime = {{ path = {runtime}, default-features = false }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

[lints.rust]
unsafe_code = "forbid"
missing_debug_implementations = "warn"
rust_2018_idioms = {{ level = "warn", priority = -1 }}

[workspace]
"#,
        runtime = q(&runtime.display().to_string()),
    );
    std::fs::write(root.join("Cargo.toml"), manifest).expect("Cargo.toml");
    // The workspace's lock file pins the same (already downloaded) versions.
    std::fs::copy(ws.join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    let mut lib = String::from("//! Generated modules of random specs.\n\n");
    for module in modules {
        let name = &module.name;
        let _ = writeln!(lib, "pub mod {name};");
        std::fs::write(root.join("src").join(format!("{name}.rs")), &module.source)
            .expect("a module file");
        std::fs::create_dir_all(root.join("src").join(name)).expect("a module directory");
        std::fs::write(root.join("src").join(name).join("types.rs"), &module.types)
            .expect("a types file");
    }
    std::fs::write(root.join("src/lib.rs"), lib).expect("lib.rs");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--offline", "-j2", "--message-format=short"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", ws.join("target/random-specs"))
        .env("RUSTFLAGS", "-Dwarnings")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("running cargo");
    if output.status.success() {
        Ok(())
    } else {
        // Keep the crate for inspection when asked.
        if std::env::var_os("KEEP_RANDOM_SPECS").is_some() {
            let kept = dir.keep();
            eprintln!("crate kept at {}", kept.display());
        }
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A generated service module: `src/<name>.rs` and `src/<name>/types.rs`.
struct Module {
    name: String,
    source: String,
    types: String,
}

/// The module generated for `spec`, whose file is `specs/<module>.yaml`.
fn generated_module(spec: &SpecText) -> Result<Module, String> {
    let module = spec
        .file
        .trim_start_matches("specs/")
        .trim_end_matches(".yaml")
        .to_owned();
    let files = generate(std::slice::from_ref(spec))
        .map_err(|d| format!("{} does not generate:\n{d}\n", spec.file))?;
    let file = |path: String| {
        files
            .get(&path)
            .map(str::to_owned)
            .ok_or_else(|| format!("no {path} among {:?}", files.paths().collect::<Vec<_>>()))
    };
    Ok(Module {
        source: file(format!("src/{module}.rs"))?,
        types: file(format!("src/{module}/types.rs"))?,
        name: module,
    })
}

/// Numbered lines, for messages.
fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{:4} {l}\n", i + 1))
        .collect()
}

#[test]
fn random_valid_specs_generate_code_that_compiles_without_warnings() {
    let specs = random_specs();
    // The generator is deterministic: same seed, same specs.
    assert_eq!(
        specs.iter().map(|s| &s.text).collect::<Vec<_>>(),
        random_specs().iter().map(|s| &s.text).collect::<Vec<_>>()
    );
    // The classes that broke generated code are in the corpus (as YAML escapes).
    let all: String = specs.iter().map(|s| s.text.as_str()).collect();
    let missing = [
        "multipart/form-data",
        "; charset=\\\"utf-8\\\"",
        "bare\\rcarriage",
        "line\\rbreak",
        "\u{202e}",
        "\\u0000",
        "```",
        ":action",
        "%2A@x",
    ]
    .into_iter()
    .filter(|class| !all.contains(class))
    .collect::<Vec<_>>();
    assert!(missing.is_empty(), "no random spec has {missing:?}");
    let mut modules = Vec::new();
    let mut problems = String::new();
    for spec in &specs {
        let checked = validate(std::slice::from_ref(spec));
        if !checked.diagnostics.is_empty() || checked.api.is_none() {
            let shown: Vec<String> = checked
                .diagnostics
                .iter()
                .map(ToString::to_string)
                .collect();
            let _ = writeln!(
                problems,
                "validate rejects the valid random spec {}:\n{}\n",
                spec.file,
                shown.join("\n")
            );
            continue;
        }
        match generated_module(spec) {
            Ok(m) => modules.push(m),
            Err(e) => problems.push_str(&e),
        }
    }
    let names: BTreeSet<&str> = modules.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names.len(), modules.len(), "module names are distinct");
    // The modules that did generate are compiled even when others did not, so one run
    // shows every problem.
    if let Err(output) = compile("random_specs", &modules) {
        let _ = writeln!(
            problems,
            "the generated code of the random specs does not compile warning-free:\n{output}"
        );
    }
    if !problems.is_empty() {
        let sources: String = specs
            .iter()
            .map(|s| format!("--- {}\n{}", s.file, numbered(&s.text)))
            .collect();
        panic!("{problems}\nspecs:\n{sources}");
    }
    assert_eq!(modules.len(), SPECS);
}

/// Checks, then compiles, the module of one spec (file `specs/<module>.yaml`): for the
/// regression tests below.
fn assert_compiles(module: &str, text: &str) {
    let spec = SpecText {
        file: format!("specs/{module}.yaml"),
        text: text.to_owned(),
    };
    let checked = validate(std::slice::from_ref(&spec));
    assert!(
        checked.api.is_some(),
        "validate rejects the spec: {:?}",
        checked.diagnostics
    );
    let m = generated_module(&spec).unwrap_or_else(|e| panic!("{e}"));
    if let Err(output) = compile(&format!("regression_{module}"), &[m]) {
        panic!("does not compile:\n{output}");
    }
}

/// A spec with one operation `op` (query parameter `param`, JSON body and response of
/// type `ty` with one optional string field `field`).
fn small_spec(op: &str, param: &str, field: &str, ty: &str) -> String {
    format!(
        "service: Demo
doc: d
operations:
  {op}:
    doc: d
    method: POST
    path: /x
    params:
      {param}: {{ in: query, doc: d }}
    body: {{ content_type: application/json, type: {ty}, doc: d }}
    responses:
      200: {{ type: {ty}, doc: d }}
types:
  {ty}:
    doc: d
    fields:
      {field}: {{ doc: d }}
"
    )
}

/// The plain small spec compiles, so each regression below fails for its one name only.
#[test]
fn small_spec_compiles() {
    assert_compiles("small", &small_spec("GetThing", "q", "f", "Thing"));
}

/// A name the generated code needs itself is a clear spec error, not invalid Rust.
fn assert_rejected(text: &str, expected: &str) {
    let spec = SpecText {
        file: "specs/demo.yaml".to_owned(),
        text: text.to_owned(),
    };
    let checked = validate(&[spec]);
    assert!(checked.api.is_none(), "accepted: {text}");
    assert!(
        checked
            .diagnostics
            .iter()
            .any(|d| d.message.contains(expected)),
        "no diagnostic mentions {expected:?}: {:#?}",
        checked.diagnostics
    );
}

#[test]
fn operation_named_like_a_client_method_is_rejected() {
    for (op, method) in [
        ("New", "`new`"),
        ("Endpoint", "`endpoint`"),
        ("WithEndpoint", "`with_endpoint`"),
    ] {
        assert_rejected(&small_spec(op, "q", "f", "Thing"), method);
    }
}

#[test]
fn parameter_named_new_compiles() {
    assert_compiles("param_new", &small_spec("GetThing", "new", "f", "Thing"));
}

#[test]
fn field_named_like_the_model_reader_compiles() {
    // `Model::read` reads fields into locals named after them; its reader then needs
    // another name.
    // A field read after `object` would otherwise be read from the shadowed local.
    let text = small_spec("GetThing", "q", "object", "Thing") + "      after: { doc: d }\n";
    assert_compiles("field_object", &text);
}

#[test]
fn type_named_like_a_runtime_or_prelude_name_is_rejected() {
    for ty in [
        "Error",
        "Client",
        "Operation",
        "ServiceClient",
        "Result",
        "String",
        "Option",
        "Vec",
        "Box",
        "Into",
        "Model",
        "Future",
        "Implicit",
    ] {
        assert_rejected(&small_spec("GetThing", "q", "f", ty), &format!("`{ty}`"));
    }
}

#[test]
fn inline_enum_on_a_dotted_key_is_valid() {
    // `lower` finds the values again by splitting the YAML path `types.Thing.fields.a.b`
    // at dots (`inline_site`), so a key with a dot is not found.
    let text = "service: Demo
doc: d
operations:
  GetThing:
    doc: d
    method: GET
    path: /x
    params:
      sort.order: { in: query, enum: [asc, desc], doc: d }
    responses:
      200: { type: Thing, doc: d }
types:
  Thing:
    doc: d
    fields:
      metadata.kind: { enum: [a, b], doc: d }
";
    assert_compiles("dotted", text);
}

/// A token source whose bodies are types keyed unlike their Rust names (`Login_Form` is
/// `LoginForm` in Rust, and references use the Rust name): the refresh glue must find the
/// renewing body through the resolved types, not by looking the Rust name up among the
/// spec's keys.
#[test]
fn refresh_with_bodies_keyed_unlike_their_rust_names_compiles() {
    assert_compiles(
        "refresh_keys",
        "service: Demo
doc: d
auth: [app_token]
operations:
  Login:
    doc: d
    method: POST
    path: /login
    auth: [none]
    body: { content_type: application/json, type: LoginForm, doc: d }
    responses:
      200: { type: TokenOut, doc: d }
    token_source:
      token: body:accessToken
      expires_in: body:expiresIn
      refresh_token: body:refreshToken
      refresh_with: Refresh
  Refresh:
    doc: d
    method: POST
    path: /refresh
    auth: [none]
    body: { content_type: application/json, type: RefreshForm, doc: d }
    responses:
      200: { type: TokenOut, doc: d }
    token_source:
      token: body:accessToken
      refresh_token: body:refreshToken
types:
  Login_Form:
    doc: d
    fields:
      appId: { required: true, doc: d }
  Refresh_Form:
    doc: d
    fields:
      appId: { required: true, doc: d }
      refreshToken: { required: true, sensitive: true, doc: d }
  Token_Out:
    doc: d
    fields:
      accessToken: { required: true, sensitive: true, doc: d }
      expiresIn: { type: int64, doc: d }
      refreshToken: { sensitive: true, doc: d }
",
    );
}

/// An id source whose item id field has a `rust_name`: the generated `IdResolver` must
/// read the field the struct has.
#[test]
fn id_source_with_a_renamed_id_field_compiles() {
    assert_compiles(
        "id_rust_name",
        "service: Demo
doc: d
auth: [aksk]
operations:
  ListProjects:
    doc: d
    method: GET
    path: /v3/projects
    id_source: { id: project_id, items: projects, item_id: 'project:id', filter: name }
    params:
      name: { in: query, doc: d }
    responses:
      200: { type: ProjectList, doc: d }
types:
  ProjectList:
    doc: d
    fields:
      projects: { type: array<Project>, doc: d }
  Project:
    doc: d
    fields:
      'project:id': { rust_name: pid, required: true, doc: d }
",
    );
}

/// Every pagination style (offset, page number with `first_page` and a required total,
/// marker at a nested field) compiles: the fixture of `tests/pagination.rs`.
#[test]
fn paged_operations_compile() {
    assert_compiles("paged", include_str!("fixtures/valid/pagination.yaml"));
}

/// Docs, enum values and error texts with characters a doc comment cannot hold as they
/// are: a bare carriage return (rustc: "bare CR not allowed in doc-comment"), bidi
/// controls (the deny-by-default `text_direction_codepoint_in_comment`), other control
/// characters, and a code fence without a language (a doctest).
const AWKWARD_DOCS: &[&str] = &[
    "bare\rcarriage return",
    "CR LF\r\nline",
    "bidi \u{202e}override\u{202c} and \u{2066}isolate\u{2069}",
    "nul \u{0} bell \u{7} escape \u{1b} delete \u{7f} c1 \u{85}\u{9b}",
    "fence:\n```\nnot rust {\n```\nafter",
    "trailing backslash \\",
    "*/ /* comment markers",
];

#[test]
fn docs_with_awkward_characters_compile() {
    let mut modules = Vec::new();
    for (i, doc) in AWKWARD_DOCS.iter().enumerate() {
        let d = q(doc);
        let text = format!(
            "service: Demo
doc: {d}
errors:
  - {{ code: E1, status: 400, description: {d}, meaning: {d}, handling: {d} }}
operations:
  GetThing:
    doc: {d}
    method: POST
    path: /x
    params:
      q: {{ in: query, doc: {d} }}
      kind: {{ in: query, enum: [{d}, plain], doc: {d} }}
    body: {{ content_type: application/json, type: Thing, doc: {d} }}
    responses:
      200: {{ type: Thing, doc: {d}, headers: {{ h: {{ name: X-H, doc: {d} }} }} }}
types:
  Thing:
    doc: {d}
    fields:
      f: {{ doc: {d} }}
      e: {{ type: Choice, doc: {d} }}
  Choice:
    doc: {d}
    enum: [{d}, other]
"
        );
        let spec = SpecText {
            file: format!("specs/awkward_doc_{i}.yaml"),
            text,
        };
        let checked = validate(std::slice::from_ref(&spec));
        assert!(checked.api.is_some(), "{doc:?}: {:?}", checked.diagnostics);
        modules.push(generated_module(&spec).unwrap_or_else(|e| panic!("{e}")));
    }
    // One crate for all: one build.
    if let Err(output) = compile("regression_awkward_docs", &modules) {
        panic!("does not compile:\n{output}");
    }
}

/// A form type (text fields only) sent as `multipart/form-data` by one operation and
/// as `application/x-www-form-urlencoded` by another; and one with a file.
#[test]
fn a_form_type_sent_as_multipart_compiles() {
    let text = "service: Demo
doc: d
operations:
  Login:
    doc: d
    method: POST
    path: /login
    body: { content_type: multipart/form-data, type: LoginForm, doc: d }
    responses:
      200: { doc: d }
  LoginUrlencoded:
    doc: d
    method: POST
    path: /login2
    body: { content_type: application/x-www-form-urlencoded, type: LoginForm, doc: d }
    responses:
      200: { doc: d }
  Upload:
    doc: d
    method: POST
    path: /upload
    body: { content_type: \"multipart/form-data; charset=UTF-8\", type: UploadForm, doc: d }
    responses:
      200: { doc: d }
types:
  LoginForm:
    doc: d
    fields:
      user: { required: true, doc: d }
      password: { sensitive: true, doc: d }
      remember: { type: boolean, doc: d }
  UploadForm:
    doc: d
    fields:
      file: { type: file, required: true, doc: d }
      note: { doc: d }
";
    assert_compiles("multipart_form", text);
}

/// Content types that are not one valid header value (a line break would make the
/// runtime's `HeaderValue::from_static` panic on every call) are rejected where they
/// are written.
#[test]
fn content_types_that_are_not_header_values_are_rejected() {
    for content_type in [
        "application/json\r\nX-Injected: 1",
        "application/json\n",
        "application/json; charset=\"utf-8\r\n\"",
        "application/json;\tcharset=utf-8\u{7f}",
        "application/json; charset=ütf-8",
        "application/json; charset",
        "application/json; =utf-8",
        "application/json; charset=\"unterminated",
        "application /json",
    ] {
        let text = small_spec("GetThing", "q", "f", "Thing").replace(
            "content_type: application/json",
            &format!("content_type: {}", q(content_type)),
        );
        let spec = SpecText {
            file: "specs/demo.yaml".to_owned(),
            text,
        };
        let checked = validate(&[spec]);
        let found: Vec<String> = checked
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            found
                .iter()
                .any(|d| d.starts_with("specs/demo.yaml:10:27: content type")),
            "{content_type:?}: {found:#?}"
        );
    }
}

/// Paths and endpoints with characters a URL cannot carry as written (the request
/// failed on every call) are rejected where they are written.
#[test]
fn paths_and_endpoints_outside_url_syntax_are_rejected() {
    for path in [
        "/x y",
        "/x\r\n",
        "/x?a=1",
        "/x#top",
        "/x\"",
        "/x%zz",
        "/caf\u{e9}",
    ] {
        let text = small_spec("GetThing", "q", "f", "Thing")
            .replace("path: /x", &format!("path: {}", q(path)));
        assert_rejected(&text, "is not a URL path");
    }
    for endpoint in [
        "https://a b.{region}.example.com",
        "https://user@evil.example/{region}",
        "https://x.{region}.example.com\r\n",
        "https://x.{region}.example.com?q=1",
    ] {
        let text = small_spec("GetThing", "q", "f", "Thing").replace(
            "doc: d\noperations:",
            &format!("doc: d\nendpoint: {}\noperations:", q(endpoint)),
        );
        assert_rejected(&text, "is not a URL of a host");
    }
}

/// Types with the shape of an earlier one are aliases of it: as bodies, responses, the
/// renewing body of a token source, enum parameters and paged items.
#[test]
fn aliases_of_identical_types_compile() {
    assert_compiles(
        "aliases",
        "service: Demo
doc: d
auth: [app_token]
operations:
  Login:
    doc: d
    method: POST
    path: /login
    auth: [none]
    body: { content_type: application/json, type: LoginForm, doc: d }
    responses:
      200: { type: TokenOut, doc: d }
    token_source:
      token: body:accessToken
      refresh_token: body:refreshToken
      refresh_with: Refresh
  Refresh:
    doc: d
    method: POST
    path: /refresh
    auth: [none]
    body: { content_type: application/json, type: RefreshForm, doc: d }
    responses:
      200: { type: TokenOutAgain, doc: d }
    token_source:
      token: body:accessToken
      refresh_token: body:refreshToken
  ListThings:
    doc: d
    method: GET
    path: /things
    params:
      mode: { in: query, type: ModeAgain, doc: d }
      marker: { in: query, doc: d }
    responses:
      200: { type: ThingPage, doc: d }
    pagination: { items: things, marker: marker, next_marker: next }
types:
  LoginForm:
    doc: d
    fields:
      appId: { required: true, doc: d }
      refreshToken: { sensitive: true, doc: d }
  RefreshForm:
    doc: The same fields as LoginForm.
    fields:
      appId: { required: true, doc: d }
      refreshToken: { sensitive: true, doc: d }
  TokenOut:
    doc: d
    fields:
      accessToken: { required: true, sensitive: true, doc: d }
      refreshToken: { sensitive: true, doc: d }
  TokenOutAgain:
    doc: d
    fields:
      accessToken: { required: true, sensitive: true, doc: d }
      refreshToken: { sensitive: true, doc: d }
  Mode:
    doc: d
    enum: [FAST, SAFE]
  ModeAgain:
    doc: d
    enum: [FAST, SAFE]
  Thing:
    doc: d
    fields:
      mode: { type: Mode, doc: d }
  ThingAgain:
    doc: d
    fields:
      mode: { type: ModeAgain, doc: d }
  ThingPage:
    doc: d
    fields:
      things: { type: array<ThingAgain>, doc: d }
      next: { doc: d }
",
    );
}
