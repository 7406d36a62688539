//! Structurally identical models are generated once: a type whose fields (wire and Rust
//! names, types, required flags, docs) or enum values are those of an earlier type
//! becomes an alias of it ([`ir::TypeKind::Alias`]), keeping its own docs. Documents
//! (and the importer) repeat one shape under many names, one per operation; each copy
//! would be compiled, and read, again.
//!
//! Types whose fields' docs differ stay distinct: the spec then says how they differ.
//! Named arrays and maps are aliases already and are left alone.

use std::hash::Hash;

use super::table::TypeTable;
use super::{HashMap, map_with_capacity};
use crate::ir::{self, TypeKind, TypeRef};

impl TypeTable {
    /// Turns every type identical to an earlier one into an alias of it.
    pub(super) fn alias_duplicates(&mut self) {
        let classes = classes(self.defs());
        let targets: Vec<Option<String>> = classes
            .iter()
            .enumerate()
            .map(|(i, &class)| (class != i).then(|| self.defs()[class].name.clone()))
            .collect();
        for (def, target) in self.defs_mut().iter_mut().zip(targets) {
            if let Some(target) = target {
                def.kind = TypeKind::Alias(target);
                def.multipart = false;
            }
        }
    }
}

/// For each type, the index of the first type identical to it (itself when none is).
///
/// Partition refinement from the finest partition: every type starts in a class of its
/// own, and a pass merges the types whose shapes are equal once the types they refer to
/// are replaced by their classes, until a pass merges nothing. A merge only follows from
/// earlier merges, so merged types are identical; types that refer to themselves stay
/// apart from their copies (a safe answer, and rare).
fn classes(defs: &[ir::TypeDef]) -> Vec<usize> {
    let index: HashMap<&str, usize> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    let mut class: Vec<usize> = (0..defs.len()).collect();
    loop {
        let mut first: HashMap<Shape<'_>, usize> = map_with_capacity(defs.len());
        let mut changed = false;
        for (i, def) in defs.iter().enumerate() {
            let Some(shape) = shape(def, &index, &class) else {
                continue;
            };
            let rep = *first.entry(shape).or_insert(i);
            if class[i] != rep {
                class[i] = rep;
                changed = true;
            }
        }
        if !changed {
            return class;
        }
    }
}

/// What makes two types the same, with referred types as classes.
#[derive(PartialEq, Eq, Hash)]
enum Shape<'a> {
    Struct {
        multipart: bool,
        multipart_body: bool,
        fields: Vec<FieldShape<'a>>,
    },
    Enum(&'a [ir::Variant]),
    IntEnum(&'a TypeRef, &'a [ir::Variant]),
}

#[derive(PartialEq, Eq, Hash)]
struct FieldShape<'a> {
    wire: &'a str,
    rust: &'a str,
    ty: TypeShape<'a>,
    required: bool,
    boxed: bool,
    doc: &'a str,
}

#[derive(PartialEq, Eq, Hash)]
enum TypeShape<'a> {
    Scalar(&'a TypeRef),
    /// A named type, by class.
    Named(usize),
    Array(Box<TypeShape<'a>>),
    Map(Box<TypeShape<'a>>),
}

fn shape<'a>(
    def: &'a ir::TypeDef,
    index: &HashMap<&str, usize>,
    class: &[usize],
) -> Option<Shape<'a>> {
    match &def.kind {
        TypeKind::Struct(fields) => Some(Shape::Struct {
            multipart: def.multipart,
            multipart_body: def.multipart_body,
            fields: fields
                .iter()
                .map(|f| FieldShape {
                    wire: &f.wire,
                    rust: &f.rust,
                    ty: type_shape(&f.ty, index, class),
                    required: f.required,
                    boxed: f.boxed,
                    doc: &f.doc,
                })
                .collect(),
        }),
        TypeKind::Enum(variants) => Some(Shape::Enum(variants)),
        TypeKind::IntEnum(int, variants) => Some(Shape::IntEnum(int, variants)),
        TypeKind::Array(_) | TypeKind::Map(_) | TypeKind::Alias(_) => None,
    }
}

fn type_shape<'a>(ty: &'a TypeRef, index: &HashMap<&str, usize>, class: &[usize]) -> TypeShape<'a> {
    match ty {
        TypeRef::Named(name) => match index.get(name.as_str()) {
            Some(&i) => TypeShape::Named(class[i]),
            // Unknown names were reported; compare them as written.
            None => TypeShape::Scalar(ty),
        },
        TypeRef::Array(t) => TypeShape::Array(Box::new(type_shape(t, index, class))),
        TypeRef::Map(t) => TypeShape::Map(Box::new(type_shape(t, index, class))),
        other => TypeShape::Scalar(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(wire: &str, ty: TypeRef) -> ir::Field {
        ir::Field {
            wire: wire.into(),
            rust: wire.into(),
            ty,
            required: false,
            boxed: false,
            doc: "d".into(),
        }
    }

    fn strukt(name: &str, fields: Vec<ir::Field>) -> ir::TypeDef {
        ir::TypeDef {
            name: name.into(),
            doc: format!("{name} docs"),
            kind: TypeKind::Struct(fields),
            multipart: false,
            multipart_body: false,
        }
    }

    fn named(name: &str) -> TypeRef {
        TypeRef::Named(name.into())
    }

    #[test]
    fn copies_become_classes_of_the_first_also_through_references() {
        let defs = vec![
            strukt("Config1", vec![field("replicas", TypeRef::Int32)]),
            strukt("Resource1", vec![field("config", named("Config1"))]),
            strukt("Config2", vec![field("replicas", TypeRef::Int32)]),
            strukt("Resource2", vec![field("config", named("Config2"))]),
            // Another field type, another field doc: distinct.
            strukt("Config3", vec![field("replicas", TypeRef::Int64)]),
            strukt("Config4", {
                let mut f = field("replicas", TypeRef::Int32);
                f.doc = "Replicas of the other kind.".into();
                vec![f]
            }),
        ];
        assert_eq!(classes(&defs), [0, 1, 0, 1, 4, 5]);
    }

    #[test]
    fn self_referring_copies_stay_apart() {
        let defs = vec![
            strukt("Node1", vec![field("next", named("Node1"))]),
            strukt("Node2", vec![field("next", named("Node2"))]),
        ];
        assert_eq!(classes(&defs), [0, 1]);
    }

    #[test]
    fn enums_with_the_same_values_are_one() {
        let variants = vec![ir::Variant {
            rust: "Shared".into(),
            wire: "SHARED".into(),
            doc: String::new(),
        }];
        let defs: Vec<ir::TypeDef> = ["DlmType", "Edition"]
            .into_iter()
            .map(|name| ir::TypeDef {
                name: name.into(),
                doc: String::new(),
                kind: TypeKind::Enum(variants.clone()),
                multipart: false,
                multipart_body: false,
            })
            .collect();
        assert_eq!(classes(&defs), [0, 0]);
    }
}
