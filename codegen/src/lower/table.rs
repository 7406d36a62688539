//! The type table: every type of a service resolved once, by Rust name.
//!
//! Types are declared first (every name, so references can be checked in any order and
//! clashes are reported once), then resolved into [`ir::TypeDef`]s. Every later step asks
//! the table, never `types:` again: a field path such as `body:token.expires_at` is walked
//! over resolved fields, so it sees the same Rust names, `rust_name`s and inline enums the
//! emitted code has.

use super::{Cx, HashMap, HashSet, map_with_capacity, path};
use crate::ir::{self, FieldRef, TypeRef};
use crate::names::{RESERVED_TYPES, client_type, pascal, request_type, response_type};
use crate::spec::{EnumValue, ServiceSpec, TypeSpec};

/// What a named type is, as far as references care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Struct,
    Enum,
    Array,
    Map,
}

impl Shape {
    fn of(ty: &TypeSpec) -> Shape {
        if ty.enum_values.is_some() {
            Shape::Enum
        } else if ty.array.is_some() {
            Shape::Array
        } else if ty.map.is_some() {
            Shape::Map
        } else {
            Shape::Struct
        }
    }
}

/// A declared name: its shape and, for a type under `types:`, its key there.
#[derive(Debug)]
struct Declared {
    shape: Shape,
    key: Option<String>,
}

/// Every type of one service.
#[derive(Debug, Default)]
pub(super) struct TypeTable {
    declared: HashMap<String, Declared>,
    defs: Vec<ir::TypeDef>,
    /// Rust name -> index in `defs`.
    index: HashMap<String, usize>,
}

/// What a reserved type name is generated for, as a message names it.
#[derive(Clone, Copy)]
enum Owner<'a> {
    Named(&'static str),
    Operation(&'a str),
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Named(what) => f.write_str(what),
            Owner::Operation(op) => write!(f, "operation `{op}`"),
        }
    }
}

impl TypeTable {
    /// Declares every type name (under `types:` and lifted inline enums) before anything
    /// refers to them, reporting clashes, also after case conversion, and with the names
    /// the generated module reserves.
    pub(super) fn declare(cx: &mut Cx<'_>, spec: &ServiceSpec) -> TypeTable {
        let mut table = TypeTable::default();
        let reserved = reserved_names(spec);
        let mut seen: HashMap<String, &str> = map_with_capacity(spec.types.len());
        for (name, ty) in &spec.types {
            let at = || path(&["types", name]);
            let rust = pascal(name);
            if rust.is_empty() {
                cx.error_key(
                    &at(),
                    format!("type name `{name}` has no letters (expected a PascalCase name)"),
                );
                continue;
            }
            let rust = cx.checked_ident(at, name, rust);
            let declared = Declared {
                shape: Shape::of(ty),
                key: Some(name.clone()),
            };
            if let Some(owner) = reserved.get(&rust) {
                cx.error_key(&at(), format!("type `{name}` clashes with the `{rust}` generated for {owner} (expected another name)"));
                // Still known, so references to it do not report a second problem.
                table.declared.insert(rust, declared);
                continue;
            }
            if let Some(first) = seen.get(&rust) {
                cx.error_key(&at(), format!("type `{name}` and type `{first}` both become `{rust}` in Rust (expected distinct names)"));
                continue;
            }
            seen.insert(rust.clone(), name);
            table.declared.insert(rust, declared);
        }
        for site in inline_enum_sites(spec) {
            let rust = pascal(site.key);
            let rust = cx.checked_ident(|| site.at.clone(), site.key, rust);
            if table.declared.contains_key(&rust) || reserved.contains_key(&rust) {
                cx.error_value(
                    &format!("{}.enum", site.at),
                    format!("inline enum of `{}` would be named `{rust}`, which is already taken (expected `type: <a named enum>` instead)", site.key),
                );
            } else {
                table.declared.insert(
                    rust,
                    Declared {
                        shape: Shape::Enum,
                        key: None,
                    },
                );
            }
        }
        table
    }

    /// Resolves every declared type: named types in spec order, then inline enums in
    /// file order.
    pub(super) fn resolve(&mut self, cx: &mut Cx<'_>, spec: &ServiceSpec) {
        let mut defs = cx.named_types(self, spec);
        defs.extend(cx.inline_enums(spec));
        self.index = map_with_capacity(defs.len());
        for (i, def) in defs.iter().enumerate() {
            // The first definition of a name wins, as a reference finds it.
            self.index.entry(def.name.clone()).or_insert(i);
        }
        self.defs = defs;
    }

    /// The shape of a declared type.
    pub(super) fn shape(&self, rust: &str) -> Option<Shape> {
        self.declared.get(rust).map(|d| d.shape)
    }

    /// Every declared Rust name, for suggestions.
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.declared.keys().map(String::as_str)
    }

    /// The key under `types:` of a declared type (`None` for an inline enum).
    pub(super) fn key(&self, rust: &str) -> Option<&str> {
        self.declared.get(rust).and_then(|d| d.key.as_deref())
    }

    /// Every key under `types:`, with its Rust name, in spec order.
    pub(super) fn keys<'s>(
        &self,
        spec: &'s ServiceSpec,
    ) -> impl Iterator<Item = (&'s str, String)> {
        spec.types.keys().map(|k| (k.as_str(), pascal(k)))
    }

    pub(super) fn def(&self, rust: &str) -> Option<&ir::TypeDef> {
        self.index.get(rust).map(|&i| &self.defs[i])
    }

    pub(super) fn defs(&self) -> &[ir::TypeDef] {
        &self.defs
    }

    pub(super) fn defs_mut(&mut self) -> &mut [ir::TypeDef] {
        &mut self.defs
    }

    /// The fields of `ty` when it names a struct.
    pub(super) fn fields(&self, ty: &TypeRef) -> Option<&[ir::Field]> {
        match ty {
            TypeRef::Named(name) => match &self.def(name)?.kind {
                ir::TypeKind::Struct(fields) => Some(fields),
                _ => None,
            },
            _ => None,
        }
    }

    /// The field of struct `ty` with wire name `wire`.
    pub(super) fn field(&self, ty: &TypeRef, wire: &str) -> Option<&ir::Field> {
        self.fields(ty)?.iter().find(|f| f.wire == wire)
    }

    /// Walks `dotted` wire names (`a.b.c`) from struct `ty`: the field chain as code
    /// reaches it, and the last field. `None` when a step is not a field.
    pub(super) fn field_path(
        &self,
        ty: &TypeRef,
        dotted: &str,
    ) -> Option<(Vec<FieldRef>, &ir::Field)> {
        let mut chain = Vec::new();
        let mut current = ty;
        let mut last = None;
        for wire in dotted.split('.') {
            let field = self.field(current, wire)?;
            chain.push(field_ref(field));
            current = &field.ty;
            last = Some(field);
        }
        last.map(|field| (chain, field))
    }

    /// Boxes struct fields that lead back to their own struct without passing through a
    /// `Vec` or map (which already break the infinite size).
    pub(super) fn box_recursive_fields(&mut self) {
        // Decided on borrowed names first, then written: no name is cloned per field.
        let boxed: Vec<Vec<bool>> = {
            let direct = named_fields(&self.defs, false);
            let mut walk = Walk::default();
            self.defs
                .iter()
                .map(|t| match &t.kind {
                    ir::TypeKind::Struct(fields) => fields
                        .iter()
                        .map(|f| match &f.ty {
                            TypeRef::Named(n) => walk.reaches(&direct, n, &t.name),
                            _ => false,
                        })
                        .collect(),
                    _ => Vec::new(),
                })
                .collect()
        };
        for (t, boxed) in self.defs.iter_mut().zip(boxed) {
            if let ir::TypeKind::Struct(fields) = &mut t.kind {
                for (f, boxed) in fields.iter_mut().zip(boxed) {
                    f.boxed = boxed;
                }
            }
        }
    }

    /// Marks the types an operation sends as `multipart/form-data`: the emitter writes
    /// them part by part, whether or not they have `file` fields.
    pub(super) fn mark_multipart_bodies(&mut self, operations: &[ir::Operation]) {
        for body in operations.iter().filter_map(|op| op.body.as_ref()) {
            if let (ir::BodyKind::Multipart, TypeRef::Named(name)) = (body.kind, &body.ty)
                && let Some(&i) = self.index.get(name)
            {
                self.defs[i].multipart_body = true;
            }
        }
    }

    pub(super) fn into_defs(self) -> Vec<ir::TypeDef> {
        self.defs
    }
}

/// How code reaches `field`.
pub(super) fn field_ref(field: &ir::Field) -> FieldRef {
    FieldRef {
        rust: field.rust.clone(),
        optional: !field.required,
    }
}

/// Names the generated module defines or imports, with what they are generated for.
fn reserved_names(spec: &ServiceSpec) -> HashMap<String, Owner<'_>> {
    let mut reserved: HashMap<String, Owner<'_>> =
        map_with_capacity(RESERVED_TYPES.len() + 1 + 2 * spec.operations.len());
    reserved.extend(
        RESERVED_TYPES
            .iter()
            .map(|r| (r.to_string(), Owner::Named("the generated module"))),
    );
    reserved.insert(
        client_type(&spec.service),
        Owner::Named("the service client"),
    );
    for op in spec.operations.keys() {
        let p = pascal(op);
        reserved.insert(request_type(&p), Owner::Operation(op));
        reserved.insert(response_type(&p), Owner::Operation(op));
    }
    reserved
}

/// For each struct, the named types of its fields (only the required fields when
/// `required_only`): the edges of the "contains" graph the cycle checks walk.
pub(super) fn named_fields(types: &[ir::TypeDef], required_only: bool) -> HashMap<&str, Vec<&str>> {
    types
        .iter()
        .filter_map(|t| match &t.kind {
            ir::TypeKind::Struct(fields) => Some((
                t.name.as_str(),
                fields
                    .iter()
                    .filter(|f| f.required || !required_only)
                    .filter_map(|f| match &f.ty {
                        TypeRef::Named(n) => Some(n.as_str()),
                        _ => None,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

/// Scratch space for reachability questions over one graph: one stack and one set serve
/// every question.
#[derive(Default)]
pub(super) struct Walk<'a> {
    stack: Vec<&'a str>,
    seen: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    /// Whether `from` leads to `target` along `edges` (depth first).
    pub(super) fn reaches(
        &mut self,
        edges: &HashMap<&'a str, Vec<&'a str>>,
        from: &'a str,
        target: &str,
    ) -> bool {
        self.stack.clear();
        self.seen.clear();
        self.stack.push(from);
        while let Some(n) = self.stack.pop() {
            if n == target {
                return true;
            }
            if self.seen.insert(n) {
                self.stack
                    .extend(edges.get(n).into_iter().flatten().copied());
            }
        }
        false
    }
}

/// A param or field with an inline `enum`.
pub(super) struct InlineEnum<'a> {
    /// YAML path of the param or field, for positions.
    pub(super) at: String,
    /// Its key: the enum type is named after it.
    pub(super) key: &'a str,
    pub(super) values: &'a [EnumValue],
    /// The `type` beside `enum` (`int32` / `int64` for an integer enum).
    pub(super) ty: Option<&'a str>,
    pub(super) doc: &'a str,
}

/// Every param and field with an inline `enum`, in file order.
pub(super) fn inline_enum_sites(spec: &ServiceSpec) -> Vec<InlineEnum<'_>> {
    let mut out = Vec::new();
    for (op_name, op) in &spec.operations {
        for (key, param) in &op.params {
            if let Some(values) = &param.enum_values {
                out.push(InlineEnum {
                    at: path(&["operations", op_name, "params", key]),
                    key,
                    values,
                    ty: param.ty.as_deref(),
                    doc: &param.doc,
                });
            }
        }
    }
    for (type_name, ty) in &spec.types {
        for (key, field) in ty.fields.iter().flatten() {
            if let Some(values) = &field.enum_values {
                out.push(InlineEnum {
                    at: path(&["types", type_name, "fields", key]),
                    key,
                    values,
                    ty: field.ty.as_deref(),
                    doc: &field.doc,
                });
            }
        }
    }
    out
}
