//! Paged list operations: the list field, and the parameters and body fields of the
//! paging style (offset/limit, page number/page size, or marker).

use super::Cx;
use super::table::{TypeTable, field_ref};
use crate::ir::{self, Location, TypeRef};
use crate::spec::PaginationSpec;

const STYLES: &str = "pagination needs either `offset` and `limit` (optionally `total`), `page` and `page_size` (optionally `first_page` and `total`), or `marker` and `next_marker`";

impl Cx<'_> {
    /// Resolves `pagination`: the list field, and the parameters of its style.
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
        let style = self.page_style(table, at, p, op, body)?;
        Some(ir::Pagination {
            items: field_ref(items),
            item_type: (**item_type).clone(),
            style,
        })
    }

    fn page_style(
        &mut self,
        table: &TypeTable,
        at: &str,
        p: &PaginationSpec,
        op: &ir::Operation,
        body: &TypeRef,
    ) -> Option<ir::PageStyle> {
        let style = match (
            &p.offset,
            &p.limit,
            &p.page,
            &p.page_size,
            &p.marker,
            &p.next_marker,
        ) {
            (Some(offset), Some(limit), None, None, None, None) => {
                let (offset, limit, ty) =
                    self.integer_pair(at, op, ("offset", offset), ("limit", limit))?;
                ir::PageStyle::Offset {
                    offset,
                    limit,
                    ty,
                    total: self.total(table, at, p, body)?,
                }
            }
            (None, None, Some(page), Some(size), None, None) => {
                let (page, size, ty) =
                    self.integer_pair(at, op, ("page", page), ("page_size", size))?;
                ir::PageStyle::Page {
                    first: self.first_page(at, p, &ty)?,
                    page,
                    size,
                    ty,
                    total: self.total(table, at, p, body)?,
                }
            }
            (None, None, None, None, Some(marker), Some(next)) => {
                if p.total.is_some() {
                    self.error_key(&format!("{at}.total"), "`total` applies to offset and page-number pagination (a marker says itself where the list ends)");
                    return None;
                }
                self.marker_style(table, at, op, marker, next, body)?
            }
            _ => {
                self.error_key(at, STYLES);
                return None;
            }
        };
        if p.first_page.is_some() && !matches!(style, ir::PageStyle::Page { .. }) {
            self.error_key(
                &format!("{at}.first_page"),
                "`first_page` applies to page-number pagination (`page` and `page_size`)",
            );
            return None;
        }
        Some(style)
    }

    /// The optional query parameter `key`, named in the pagination's entry `what`.
    fn page_param<'o>(
        &mut self,
        at: &str,
        op: &'o ir::Operation,
        (what, key): (&str, &str),
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

    /// Two integer query parameters of one type (offset and limit, page and page size):
    /// their Rust names and the type.
    fn integer_pair(
        &mut self,
        at: &str,
        op: &ir::Operation,
        first: (&str, &str),
        second: (&str, &str),
    ) -> Option<(String, String, TypeRef)> {
        let a = self.page_param(at, op, first)?;
        let b = self.page_param(at, op, second)?;
        if !matches!(a.ty, TypeRef::Int32 | TypeRef::Int64) || a.ty != b.ty {
            self.error_key(
                at,
                format!(
                    "{} and {} must be integer parameters of one type",
                    first.0, second.0
                ),
            );
            return None;
        }
        Some((a.rust.clone(), b.rust.clone(), a.ty.clone()))
    }

    /// The optional `total` field. `None` inside when there is none; `None` outside after
    /// an error.
    fn total(
        &mut self,
        table: &TypeTable,
        at: &str,
        p: &PaginationSpec,
        body: &TypeRef,
    ) -> Option<Option<ir::TotalField>> {
        let Some(total) = &p.total else {
            return Some(None);
        };
        match table.field(body, total) {
            Some(f) if matches!(f.ty, TypeRef::Int32 | TypeRef::Int64) => {
                Some(Some(ir::TotalField {
                    field: field_ref(f),
                    ty: f.ty.clone(),
                }))
            }
            _ => {
                let TypeRef::Named(body_type) = body else {
                    return None;
                };
                self.error_value(
                    &format!("{at}.total"),
                    format!("`{total}` is not an integer field of `{body_type}`"),
                );
                None
            }
        }
    }

    /// `first_page` (default 1): not negative, and within the page parameter's type.
    fn first_page(&mut self, at: &str, p: &PaginationSpec, ty: &TypeRef) -> Option<i64> {
        let first = p.first_page.unwrap_or(1);
        let max = if *ty == TypeRef::Int32 {
            i64::from(i32::MAX)
        } else {
            i64::MAX
        };
        if !(0..max).contains(&first) {
            self.error_value(
                &format!("{at}.first_page"),
                format!("`first_page` is {first} (expected a page number from 0, usually 1)"),
            );
            return None;
        }
        Some(first)
    }

    fn marker_style(
        &mut self,
        table: &TypeTable,
        at: &str,
        op: &ir::Operation,
        marker: &str,
        next: &str,
        body: &TypeRef,
    ) -> Option<ir::PageStyle> {
        let marker = self.page_param(at, op, ("marker", marker))?;
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
        let next_is_integer = matches!(last.ty, TypeRef::Int32 | TypeRef::Int64);
        if last.ty != TypeRef::String && !next_is_integer {
            self.error_value(
                &format!("{at}.next_marker"),
                format!("`{next}` is not a string or integer field"),
            );
            return None;
        }
        Some(ir::PageStyle::Marker {
            marker: marker.rust.clone(),
            next: chain,
            next_is_integer,
        })
    }
}
