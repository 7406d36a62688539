//! The example in the docs of every client method (a request type's docs link to it): a
//! whole function that builds the request with its required inputs and calls the operation.
//! The same code is compiled and run by the generated `tests/doc_examples.rs` (against a
//! transport that answers nothing), not as doctests: two doctests per operation cost 40 s
//! on every `cargo test` of a 1,075-operation crate (doctests are never cached), the test
//! file is compiled once (docs/design.md).
//!
//! Written without hidden (`# `) lines, so what a reader copies from the rendered page
//! compiles as it is. The code is written as text by a small layout of its own (calls
//! broken one argument per line past 100 columns, as rustfmt would): printing each example
//! as a small file through syn and prettyplease (then two per operation) made `generate` of
//! the 1,000-operation bench spec a third slower. The test file parses the same text.
//! Values are placeholders named after their parameter or field (`"<workspace_id>"`), the
//! first value of an enum, and models built with their own constructors, so the example
//! also shows how a body is put together.

use proc_macro2::TokenStream;

use super::tokens::own_docs;
use crate::ir::{Operation, Service, TypeKind, TypeRef, TypesByName, resolve_alias};

/// The example of an operation, as text.
pub(super) struct Example(String);

impl Example {
    pub(super) fn new(service: &Service, op: &Operation, types: &TypesByName<'_>) -> Self {
        Example(code(service, op, types))
    }

    /// The doc attributes that show it, to follow an item's docs: a heading and a
    /// `rust,no_run` fence.
    pub(super) fn docs(&self) -> TokenStream {
        own_docs(&format!("\n# Example\n\n```rust,no_run\n{}```", self.0))
    }

    /// Its items (a `use` and `async fn <method>(client)`), for the test that calls it.
    pub(super) fn tokens(&self) -> TokenStream {
        self.0.parse().unwrap_or_else(|e| {
            let message = format!("the example does not lex: {e}");
            quote::quote!(compile_error!(#message);)
        })
    }
}

/// Where rustfmt would break a line.
const WIDTH: usize = 100;

fn code(service: &Service, op: &Operation, types: &TypesByName<'_>) -> String {
    let mut values = Values {
        types,
        uses_types: false,
    };
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.in_constructor()) {
        args.push(values.arg(&p.ty, &p.rust, 0));
    }
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        args.push(values.arg(&body.ty, "body", 0));
    }
    let (module, client, request, method) = (
        &service.module,
        &service.client,
        &op.request,
        &op.method_name,
    );
    // The service client is named after its module, unless that name is taken below.
    let var = match module.as_str() {
        "request" | "response" => "service",
        m => m,
    };
    let mut imports = Vec::new();
    if values.uses_types {
        imports.push("types");
    }
    imports.extend([client.as_str(), request.as_str()]);
    let mut out = lines(
        &format!("use hwcloud::{module}::{{"),
        &imports.join(", "),
        "};",
        0,
    );
    out.push('\n');
    out.push_str(&lines(
        &format!("async fn {method}("),
        "client: &hwcloud::Client",
        ") -> Result<(), hwcloud::Error> {",
        0,
    ));
    out.push_str(&format!("    let {var} = {client}::new(client)?;\n"));
    let build = Expr::Call(format!("{request}::new"), '(', args);
    out.push_str(&format!(
        "    let request = {};\n",
        build.layout(4, "let request = ".len(), 1)
    ));
    out.push_str(&format!(
        "    let response = {var}.{method}(request).await?;\n"
    ));
    out.push_str(if op.success_body.is_some() {
        "    println!(\"{:?}\", response.body);\n"
    } else {
        "    println!(\"HTTP {}\", response.status);\n"
    });
    out.push_str("    Ok(())\n}\n");
    out
}

/// `open inner close` on one line at `indent` if it fits, else `inner` on a line of its
/// own, indented one level more.
fn lines(open: &str, inner: &str, close: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    if indent + open.len() + inner.len() + close.len() <= WIDTH {
        format!("{pad}{open}{inner}{close}\n")
    } else {
        format!("{pad}{open}\n{pad}    {inner},\n{pad}{close}\n")
    }
}

/// An expression of an example, laid out when it is written.
enum Expr {
    /// Code written as it is (a literal, a path).
    Text(String),
    /// `callee(args)`, `vec![args]`, `[args]`, `(args)`: the callee and the opening
    /// bracket.
    Call(String, char, Vec<Expr>),
}

impl Expr {
    fn text(text: impl Into<String>) -> Self {
        Expr::Text(text.into())
    }

    fn flat(&self) -> String {
        match self {
            Expr::Text(text) => text.clone(),
            Expr::Call(callee, open, args) => {
                let args: Vec<String> = args.iter().map(Expr::flat).collect();
                format!("{callee}{open}{}{}", args.join(", "), close(*open))
            }
        }
    }

    /// The expression starting `column` characters into a line indented by `indent`, and
    /// followed by `after` characters (`;` or `,`).
    fn layout(&self, indent: usize, column: usize, after: usize) -> String {
        let flat = self.flat();
        let Expr::Call(callee, open, args) = self else {
            return flat;
        };
        if indent + column + flat.len() + after <= WIDTH || args.is_empty() {
            return flat;
        }
        let inner = indent + 4;
        let pad = " ".repeat(inner);
        let mut out = format!("{callee}{open}\n");
        for arg in args {
            out.push_str(&format!("{pad}{},\n", arg.layout(inner, 0, 1)));
        }
        out.push_str(&format!("{}{}", " ".repeat(indent), close(*open)));
        out
    }
}

fn close(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// A Rust string literal.
fn string(text: &str) -> String {
    format!("{text:?}")
}

/// Builds sample values; notes whether the example names the service's `types`.
struct Values<'a, 'b> {
    types: &'b TypesByName<'a>,
    uses_types: bool,
}

/// Past this depth of required fields the value is left to `Default` (required fields
/// cannot form a cycle, `lower` rejects it; this only bounds the recursion).
const MAX_DEPTH: usize = 16;

impl Values<'_, '_> {
    /// A value passed where `impl Into<T>` is taken (constructors): text as a `&str`
    /// literal, numbers unsuffixed.
    fn arg(&mut self, ty: &TypeRef, name: &str, depth: usize) -> Expr {
        match ty {
            TypeRef::String | TypeRef::Secret => Expr::text(string(&placeholder(name))),
            TypeRef::Int32 | TypeRef::Int64 => Expr::text("10"),
            TypeRef::Number => Expr::text("1.5"),
            _ => self.value(ty, name, depth),
        }
    }

    /// A value of type `ty` itself (an element of a `vec!`, a map's value).
    fn value(&mut self, ty: &TypeRef, name: &str, depth: usize) -> Expr {
        let call = |callee: &str, args: Vec<Expr>| Expr::Call(callee.to_owned(), '(', args);
        match ty {
            TypeRef::String => call("String::from", vec![self.arg(ty, name, depth)]),
            TypeRef::Secret => call("hwcloud::Secret::new", vec![self.arg(ty, name, depth)]),
            TypeRef::Int32 => Expr::text("10i32"),
            TypeRef::Int64 => Expr::text("10i64"),
            TypeRef::Number => Expr::text("1.5f64"),
            TypeRef::Boolean => Expr::text("true"),
            TypeRef::DateTime => Expr::text(
                "hwcloud::Timestamp::parse(\"2024-01-02T03:04:05Z\").expect(\"an RFC 3339 date\")",
            ),
            TypeRef::Json => Expr::text("serde_json::json!({})"),
            TypeRef::Bytes => {
                Expr::text("hwcloud::runtime::bytes::Bytes::from_static(b\"file contents\")")
            }
            TypeRef::File => call(
                "hwcloud::runtime::FilePart::new",
                vec![
                    Expr::text("\"report.xlsx\""),
                    Expr::text("&b\"file contents\"[..]"),
                ],
            ),
            TypeRef::Array(element) => Expr::Call(
                "vec!".into(),
                '[',
                vec![self.value(element, name, depth + 1)],
            ),
            TypeRef::Map(value) => self.map(value, name, depth),
            TypeRef::Named(type_name) => self.named(type_name, name, depth),
        }
    }

    fn map(&mut self, value: &TypeRef, name: &str, depth: usize) -> Expr {
        let entry = Expr::Call(
            String::new(),
            '(',
            vec![
                Expr::text("String::from(\"key\")"),
                self.value(value, name, depth + 1),
            ],
        );
        Expr::Call(
            "std::collections::BTreeMap::from".into(),
            '(',
            vec![Expr::Call(String::new(), '[', vec![entry])],
        )
    }

    /// A model by its constructor (required fields), an enum's first value, a named array
    /// or map as its underlying value.
    fn named(&mut self, type_name: &str, name: &str, depth: usize) -> Expr {
        let Some(def) = resolve_alias(self.types, type_name) else {
            return Expr::text("Default::default()");
        };
        self.uses_types = true;
        match &def.kind {
            TypeKind::Struct(fields) if depth < MAX_DEPTH => {
                let args = fields
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| self.arg(&f.ty, &f.rust, depth + 1))
                    .collect();
                Expr::Call(format!("types::{type_name}::new"), '(', args)
            }
            TypeKind::Enum(variants) | TypeKind::IntEnum(_, variants) => match variants.first() {
                Some(v) => Expr::text(format!("types::{type_name}::{}", v.rust)),
                None => Expr::text("Default::default()"),
            },
            TypeKind::Array(element) => Expr::Call(
                "vec!".into(),
                '[',
                vec![self.value(element, name, depth + 1)],
            ),
            TypeKind::Map(value) => self.map(value, name, depth),
            TypeKind::Struct(_) | TypeKind::Alias(_) => Expr::text("Default::default()"),
        }
    }
}

/// `"<workspace_id>"`: what the reader puts there.
fn placeholder(name: &str) -> String {
    format!("<{name}>")
}

#[cfg(test)]
mod tests {
    use super::Expr;

    fn call(callee: &str, args: Vec<Expr>) -> Expr {
        Expr::Call(callee.into(), '(', args)
    }

    #[test]
    fn calls_break_one_argument_per_line_past_the_width() {
        let short = call("A::new", vec![Expr::text("\"x\""), Expr::text("10")]);
        assert_eq!(short.layout(4, 14, 1), "A::new(\"x\", 10)");
        let long = call(
            "Request::new",
            vec![
                Expr::text(format!("\"{}\"", "a".repeat(60))),
                call(
                    "types::Body::new",
                    vec![Expr::text(format!("\"{}\"", "b".repeat(30)))],
                ),
            ],
        );
        assert_eq!(
            long.layout(4, 14, 1),
            format!(
                "Request::new(\n        \"{}\",\n        types::Body::new(\"{}\"),\n    )",
                "a".repeat(60),
                "b".repeat(30)
            )
        );
    }
}
