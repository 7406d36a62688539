//! Paged list operations: which field lists the items, and which parameters page.

use super::Cx;
use super::table::{TypeTable, field_ref};
use crate::ir::{self, Location, TypeRef};
use crate::spec::PaginationSpec;

impl Cx<'_> {
    /// Resolves `pagination`: the list field, and the offset/limit or marker parameters.
    pub(super) fn pagination(
        &mut self,
        table: &TypeTable,
        at: &str,
        p: &PaginationSpec,
        op: &ir::Operation,
    ) -> Option<ir::Pagination> {
        let Some(ir::SuccessBody {
            ty: body @ TypeRef::Named(body_type),
            always: true,
            ..
        }) = &op.success_body
        else {
            self.error_key(
                at,
                "pagination needs a success body of an object type on every success status",
            );
            return None;
        };
        if table.fields(body).is_none() {
            // An unknown type is reported where it is named.
            if table.shape(body_type).is_some() {
                self.error_key(at, format!("pagination needs a success body of an object type, and `{body_type}` has no fields"));
            }
            return None;
        }
        let Some(items) = table.field(body, &p.items) else {
            self.error_value(&format!("{at}.items"), format!("the success body `{body_type}` has no field `{}` (expected the wire name of its list field)", p.items));
            return None;
        };
        let TypeRef::Array(item_type) = &items.ty else {
            self.error_value(
                &format!("{at}.items"),
                format!("`{}` is not an array (expected `type: array<T>`)", p.items),
            );
            return None;
        };
        let style = match (&p.offset, &p.limit, &p.marker, &p.next_marker) {
            (Some(offset), Some(limit), None, None) => {
                let offset = self.paging_param(at, op, offset, "offset")?;
                let limit = self.paging_param(at, op, limit, "limit")?;
                if !matches!(offset.ty, TypeRef::Int32 | TypeRef::Int64) || offset.ty != limit.ty {
                    self.error_key(
                        at,
                        "offset and limit must be integer parameters of one type",
                    );
                    return None;
                }
                let total = match &p.total {
                    None => None,
                    Some(total) => match table.field(body, total) {
                        Some(f) if matches!(f.ty, TypeRef::Int32 | TypeRef::Int64) => {
                            Some(ir::TotalField {
                                field: field_ref(f),
                                ty: f.ty.clone(),
                            })
                        }
                        _ => {
                            self.error_value(
                                &format!("{at}.total"),
                                format!("`{total}` is not an integer field of `{body_type}`"),
                            );
                            return None;
                        }
                    },
                };
                ir::PageStyle::Offset {
                    offset: offset.rust.clone(),
                    limit: limit.rust.clone(),
                    ty: offset.ty.clone(),
                    total,
                }
            }
            (None, None, Some(marker), Some(next)) => {
                let marker = self.paging_param(at, op, marker, "marker")?;
                if marker.ty != TypeRef::String {
                    self.error_value(
                        &format!("{at}.marker"),
                        "the marker parameter must be a string",
                    );
                    return None;
                }
                let Some((chain, last)) = table.field_path(body, next) else {
                    self.error_value(&format!("{at}.next_marker"), format!("the success body has no field path `{next}` (expected wire names joined by `.`)"));
                    return None;
                };
                if last.ty != TypeRef::String {
                    self.error_value(
                        &format!("{at}.next_marker"),
                        format!("`{next}` is not a string field"),
                    );
                    return None;
                }
                ir::PageStyle::Marker {
                    marker: marker.rust.clone(),
                    next: chain,
                }
            }
            _ => {
                self.error_key(at, "pagination needs either `offset` and `limit` (optionally `total`), or `marker` and `next_marker`");
                return None;
            }
        };
        Some(ir::Pagination {
            items: field_ref(items),
            item_type: (**item_type).clone(),
            style,
        })
    }

    /// The optional query parameter `key` that pages (`what` is the spec key naming it).
    fn paging_param<'o>(
        &mut self,
        at: &str,
        op: &'o ir::Operation,
        key: &str,
        what: &str,
    ) -> Option<&'o ir::Param> {
        let found = op
            .params
            .iter()
            .find(|q| q.key == key && q.location == Location::Query && !q.required);
        if found.is_none() {
            self.error_value(
                &format!("{at}.{what}"),
                format!("`{key}` is not an optional query parameter of this operation"),
            );
        }
        found
    }
}
