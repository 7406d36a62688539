//! Stage 2: `LoadedSpec` -> [`ir::Service`]: resolve names and types, check everything
//! the YAML shape cannot (references, path templates, clashes), and report each problem
//! at the key or value at fault.
//!
//! The steps run in this order, each asking the previous one's result:
//!
//! 1. `table`: every type name is declared (clashes reported), then every type is
//!    resolved once into the `TypeTable`; nothing after this reads `types:` again.
//! 2. `operations` (with `params` and `examples`): each operation's parameters,
//!    body, responses and examples, checked against the table.
//! 3. `glue` and `pagination`: token sources, refresh, id sources and paging, resolved
//!    against the lowered operations and the table (field paths by wire name, to Rust names);
//!    `secrets`: which operations' bodies may hold secrets.
//! 4. `checks`: what needs the whole service (recursive and impossible types, unused types).
//! 5. `dedupe`: types identical to an earlier one become aliases of it.

mod checks;
mod dedupe;
mod examples;
mod glue;
mod operations;
mod pagination;
mod params;
mod secrets;
mod syntax;
mod table;
mod types;

use crate::diag::{Diagnostic, Pos};
use crate::ir;
use crate::load::LoadedSpec;
use crate::names::{self, is_ident, pascal};
use crate::source::{FastHash, SourceMap};
use crate::spec::ServiceSpec;

pub use types::parse_type;

use table::TypeTable;

// Lowering hashes every name of the spec several times; SipHash was a tenth of its time.
// Nothing here depends on the order of a map (iterations that reach output are sorted or
// follow the spec's order).
type HashMap<K, V> = std::collections::HashMap<K, V, FastHash>;
type HashSet<T> = std::collections::HashSet<T, FastHash>;

fn map_with_capacity<K, V>(capacity: usize) -> HashMap<K, V> {
    HashMap::with_capacity_and_hasher(capacity, FastHash::default())
}

/// Checks and resolves one service. Every problem found is returned, not only the first:
/// errors (then no service) and warnings, sorted by position.
pub fn lower(loaded: &LoadedSpec) -> (Option<ir::Service>, Vec<Diagnostic>) {
    let mut cx = Cx {
        file: &loaded.file,
        source: &loaded.source,
        diags: Vec::new(),
        unresolved: HashSet::default(),
    };
    let service = cx.service(&loaded.spec, &loaded.stem);
    cx.diags.sort_by_key(|d| d.pos);
    let ok = !cx.diags.iter().any(Diagnostic::is_error);
    (ok.then_some(service), cx.diags)
}

/// Where problems are reported: the spec file, its positions, and what was found.
struct Cx<'a> {
    file: &'a str,
    source: &'a SourceMap,
    diags: Vec<Diagnostic>,
    /// YAML paths of type expressions that did not resolve (already reported). Checks of
    /// what holds them would only report consequences, so errors at such a path's owner
    /// are left out: one cause, one message.
    unresolved: HashSet<String>,
}

/// The YAML path of a key, for positions.
fn path(parts: &[&str]) -> String {
    parts.join(".")
}

impl Cx<'_> {
    fn error_at(&mut self, pos: Pos, message: impl Into<String>) {
        self.diags.push(Diagnostic::new(self.file, pos, message));
    }

    /// An error at the key of the YAML path `at`.
    fn error_key(&mut self, at: &str, message: impl Into<String>) {
        if self.follows_from_unresolved(at) {
            return;
        }
        let pos = self.source.key(at);
        self.error_at(pos, message);
    }

    /// An error at the value of the YAML path `at`.
    fn error_value(&mut self, at: &str, message: impl Into<String>) {
        if self.follows_from_unresolved(at) {
            return;
        }
        let pos = self.source.value(at);
        self.error_at(pos, message);
    }

    /// An error at the value of `at`, with a "did you mean" hint.
    fn error_value_hint(&mut self, at: &str, message: String, hint: Option<String>) {
        let pos = self.source.value(at);
        self.diags
            .push(Diagnostic::new(self.file, pos, message).with_hint(hint));
    }

    /// Whether `at`, or the type expression it owns, is a type that did not resolve.
    fn follows_from_unresolved(&self, at: &str) -> bool {
        !self.unresolved.is_empty()
            && (self.unresolved.contains(at) || self.unresolved.contains(&format!("{at}.type")))
    }

    fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    /// `rust` if it is a plain (ASCII) Rust identifier; otherwise an error at the key `at`.
    /// Paths are built only for a diagnostic: most names are fine, and a large spec has
    /// tens of thousands of them.
    fn checked_ident(&mut self, at: impl Fn() -> String, original: &str, rust: String) -> String {
        if !is_ident(&rust) {
            self.error_key(&at(), format!("`{original}` becomes `{rust}`, which is not a Rust identifier (expected ASCII letters, digits and `_`; a field can set `rust_name`)"));
        }
        rust
    }

    fn service(&mut self, spec: &ServiceSpec, stem: &str) -> ir::Service {
        let name = spec.service.clone();
        self.check_service_names(&name, stem);
        if let Some(endpoint) = &spec.endpoint {
            self.check_endpoint(endpoint);
        }
        let mut table = TypeTable::declare(self, spec);
        table.resolve(self, spec);
        let auth = self.auth_schemes("auth", &spec.auth);
        let lowered = self.operations(spec, &table, &auth);
        let mut operations = self.glue(spec, &table, lowered);
        for op in &mut operations {
            op.sensitive_body = secrets::sensitive_body(&table, op);
        }
        let errors = self.error_codes(spec);
        table.box_recursive_fields();
        table.mark_multipart_bodies(&operations);
        self.reject_required_cycles(&table);
        // With errors, a type may look unused only because a reference to it is broken.
        if !self.has_errors() {
            self.warn_unused_types(spec, &table, &operations);
        }
        table.alias_duplicates();
        ir::Service {
            client: names::client_type(&name),
            name,
            module: stem.to_owned(),
            file: self.file.to_owned(),
            doc: spec.doc.clone(),
            endpoint: spec.endpoint.clone(),
            auth,
            errors,
            operations,
            types: table.into_defs(),
        }
    }

    fn check_service_names(&mut self, name: &str, stem: &str) {
        if !is_ident(name) {
            self.error_value("service", format!("service name `{name}` is not a Rust identifier (expected ASCII letters and digits, PascalCase)"));
        } else if pascal(name) != name {
            self.error_value(
                "service",
                format!(
                    "service name `{name}` is not PascalCase (expected e.g. `{}`)",
                    pascal(name)
                ),
            );
        }
        if !is_ident(stem) || stem.to_lowercase() != stem {
            self.error_at(
                Pos { line: 1, col: 1 },
                format!("spec file name `{stem}` cannot be a module name (expected lowercase letters, digits and `_`)"),
            );
        }
    }

    fn check_endpoint(&mut self, endpoint: &str) {
        if !endpoint.starts_with("https://") && !endpoint.starts_with("http://") {
            self.error_value(
                "endpoint",
                format!("endpoint `{endpoint}` has no scheme (expected `https://host...`)"),
            );
        }
        if let Some(why) = syntax::endpoint_problem(endpoint) {
            self.error_value(
                "endpoint",
                format!("endpoint {endpoint:?} is not a URL of a host: {why} (expected `https://host.{{region}}.example.com`, optionally with a port and a path)"),
            );
        }
        for var in params::placeholders(endpoint) {
            if var != "region" {
                self.error_value(
                    "endpoint",
                    format!("endpoint template uses unknown variable `{{{var}}}` (expected only `{{region}}`)"),
                );
            }
        }
    }
}

impl Cx<'_> {
    /// The schemes of an `auth` list at `at`; `[none]` (no credentials) is no scheme.
    fn auth_schemes(&mut self, at: &str, kinds: &[crate::spec::AuthKind]) -> Vec<ir::AuthScheme> {
        if kinds.contains(&crate::spec::AuthKind::None) && kinds.len() > 1 {
            self.error_value(
                at,
                "`none` cannot be combined with other credential kinds (expected `[none]` alone)",
            );
        }
        kinds.iter().filter_map(|k| auth_scheme(*k)).collect()
    }
}

/// The IR's scheme of a spec `auth` kind; `none` (no credentials) is no scheme.
fn auth_scheme(kind: crate::spec::AuthKind) -> Option<ir::AuthScheme> {
    use crate::spec::AuthKind;
    match kind {
        AuthKind::Aksk => Some(ir::AuthScheme::Aksk),
        AuthKind::Token => Some(ir::AuthScheme::Token),
        AuthKind::AccessToken => Some(ir::AuthScheme::AccessToken),
        AuthKind::AppToken => Some(ir::AuthScheme::AppToken),
        AuthKind::None => None,
    }
}
