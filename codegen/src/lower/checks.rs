//! Checks over a whole service: types no value can have, and types nothing uses.

use super::table::{TypeTable, Walk, named_fields};
use super::types::first_named;
use super::{Cx, HashMap, HashSet, map_with_capacity, path};
use crate::diag::Diagnostic;
use crate::ir::{self, TypeRef};
use crate::source::FastHash;
use crate::spec::ServiceSpec;

impl Cx<'_> {
    /// A struct that contains itself through required fields only has no finite value.
    pub(super) fn reject_required_cycles(&mut self, table: &TypeTable) {
        let required = named_fields(table.defs(), true);
        let mut walk = Walk::default();
        for t in table.defs() {
            let ir::TypeKind::Struct(fields) = &t.kind else {
                continue;
            };
            for f in fields.iter().filter(|f| f.required) {
                if let TypeRef::Named(n) = &f.ty
                    && walk.reaches(&required, n, &t.name)
                {
                    let key = table.key(&t.name).unwrap_or(&t.name);
                    self.error_key(
                        &path(&["types", key, "fields", &f.wire]),
                        format!("type `{}` contains itself through required field `{}`, so no value of it can exist (expected `required: false` somewhere in the cycle)", t.name, f.wire),
                    );
                }
            }
        }
    }

    /// A type nothing refers to is likely a transcription slip: warn, do not fail.
    pub(super) fn warn_unused_types(
        &mut self,
        spec: &ServiceSpec,
        table: &TypeTable,
        operations: &[ir::Operation],
    ) {
        // By name, first definition first (as a scan from the start finds it).
        let mut by_name: HashMap<&str, &ir::TypeKind> = map_with_capacity(table.defs().len());
        for t in table.defs() {
            by_name.entry(t.name.as_str()).or_insert(&t.kind);
        }
        let mut used: HashSet<&str> =
            HashSet::with_capacity_and_hasher(table.defs().len(), FastHash::default());
        let mut queue: Vec<&TypeRef> = Vec::new();
        for op in operations {
            queue.extend(op.params.iter().map(|p| &p.ty));
            queue.extend(op.body.iter().map(|b| &b.ty));
            queue.extend(op.success_body.iter().map(|b| &b.ty));
            queue.extend(op.error_statuses.iter().filter_map(|e| e.ty.as_ref()));
        }
        while let Some(ty) = queue.pop() {
            let Some(name) = first_named(ty) else {
                continue;
            };
            if !used.insert(name) {
                continue;
            }
            match by_name.get(name).copied() {
                Some(ir::TypeKind::Struct(fields)) => queue.extend(fields.iter().map(|f| &f.ty)),
                Some(ir::TypeKind::Array(t) | ir::TypeKind::Map(t)) => queue.push(t),
                _ => {}
            }
        }
        for (key, rust) in table.keys(spec) {
            if !used.contains(rust.as_str()) {
                let pos = self.source.key(&path(&["types", key]));
                self.diags.push(
                    Diagnostic::new(self.file, pos, format!("type `{key}` is defined but never used (expected a reference from an operation or another used type, or remove it)")).warning(),
                );
            }
        }
    }
}
