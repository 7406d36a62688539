//! Lowering of an operation's `pagination`: the list field, and the parameters and body
//! fields of its style (offset/limit, page number/page size, or marker).

use indexmap::IndexMap;

use super::{Cx, parse_type};
use crate::ir::{self, TypeRef};
use crate::names::snake;
use crate::spec::{FieldSpec, PaginationSpec, ParamLocation, ServiceSpec};

type Fields = IndexMap<String, FieldSpec>;

const STYLES: &str = "pagination needs either `offset` and `limit` (optionally `total`), `page` and `page_size` (optionally `first_page` and `total`), or `marker` and `next_marker`";

fn rust_of(wire: &str, field: &FieldSpec) -> String {
    snake(field.rust_name.as_deref().unwrap_or(wire))
}

impl Cx<'_> {
    /// Resolves `pagination`: the list field, and the parameters of its style.
    pub(super) fn pagination(
        &mut self,
        spec: &ServiceSpec,
        at: &str,
        p: &PaginationSpec,
        params: &[ir::Param],
        body: Option<&ir::SuccessBody>,
    ) -> Option<ir::Pagination> {
        let Some(ir::SuccessBody {
            ty: TypeRef::Named(body_type),
            always: true,
            ..
        }) = body
        else {
            self.error_key(
                at,
                "pagination needs a success body of an object type on every success status",
            );
            return None;
        };
        let body_fields = self.fields_of(spec, body_type)?;
        let Some(items) = body_fields.get(&p.items) else {
            self.error_value(&format!("{at}.items"), format!("the success body `{body_type}` has no field `{}` (expected the wire name of its list field)", p.items));
            return None;
        };
        let item_type = match items.ty.as_deref().map(parse_type) {
            Some(Ok(TypeRef::Array(element))) => *element,
            _ => {
                self.error_value(
                    &format!("{at}.items"),
                    format!("`{}` is not an array (expected `type: array<T>`)", p.items),
                );
                return None;
            }
        };
        let style = self.page_style(spec, at, p, params, body_type, body_fields)?;
        Some(ir::Pagination {
            items: (rust_of(&p.items, items), !items.required),
            item_type,
            style,
        })
    }

    /// The fields of the object type named `name` (its Rust name).
    fn fields_of<'s>(&self, spec: &'s ServiceSpec, name: &str) -> Option<&'s Fields> {
        self.spec_type(spec, name)
            .and_then(|(_, t)| t.fields.as_ref())
    }

    fn page_style(
        &mut self,
        spec: &ServiceSpec,
        at: &str,
        p: &PaginationSpec,
        params: &[ir::Param],
        body_type: &str,
        body_fields: &Fields,
    ) -> Option<ir::PageStyle> {
        let (o, l, pg, sz, m, n) = (
            &p.offset,
            &p.limit,
            &p.page,
            &p.page_size,
            &p.marker,
            &p.next_marker,
        );
        let style = match (o, l, pg, sz, m, n) {
            (Some(offset), Some(limit), None, None, None, None) => {
                let (offset, limit, ty) =
                    self.integer_pair(at, params, ("offset", offset), ("limit", limit))?;
                ir::PageStyle::Offset {
                    offset,
                    limit,
                    ty,
                    total: self.total(at, p, body_type, body_fields)?,
                }
            }
            (None, None, Some(page), Some(size), None, None) => {
                let (page, size, ty) =
                    self.integer_pair(at, params, ("page", page), ("page_size", size))?;
                ir::PageStyle::Page {
                    first: self.first_page(at, p, &ty)?,
                    page,
                    size,
                    ty,
                    total: self.total(at, p, body_type, body_fields)?,
                }
            }
            (None, None, None, None, Some(marker), Some(next)) => {
                if p.total.is_some() {
                    self.error_key(&format!("{at}.total"), "`total` applies to offset and page-number pagination (a marker says itself where the list ends)");
                    return None;
                }
                self.marker_style(spec, at, params, marker, next, body_fields)?
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
    fn page_param<'p>(
        &mut self,
        at: &str,
        params: &'p [ir::Param],
        (what, key): (&str, &str),
    ) -> Option<&'p ir::Param> {
        let found = params
            .iter()
            .find(|q| q.key == key && q.location == ParamLocation::Query && !q.required);
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
        params: &[ir::Param],
        first: (&str, &str),
        second: (&str, &str),
    ) -> Option<(String, String, TypeRef)> {
        let a = self.page_param(at, params, first)?;
        let b = self.page_param(at, params, second)?;
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

    /// The optional `total` field: its Rust name, whether it is optional, and its type.
    /// `None` inside when there is none; `None` outside after an error.
    fn total(
        &mut self,
        at: &str,
        p: &PaginationSpec,
        body_type: &str,
        body_fields: &Fields,
    ) -> Option<Option<(String, bool, TypeRef)>> {
        let Some(total) = &p.total else {
            return Some(None);
        };
        match body_fields.get(total) {
            Some(f) if matches!(f.ty.as_deref(), Some("int32" | "int64")) => Some(Some((
                rust_of(total, f),
                !f.required,
                parse_type(f.ty.as_deref().unwrap_or_default()).ok()?,
            ))),
            _ => {
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
        spec: &ServiceSpec,
        at: &str,
        params: &[ir::Param],
        marker: &str,
        next: &str,
        body_fields: &Fields,
    ) -> Option<ir::PageStyle> {
        let marker = self.page_param(at, params, ("marker", marker))?;
        if marker.ty != TypeRef::String {
            self.error_value(
                &format!("{at}.marker"),
                "the marker parameter must be a string",
            );
            return None;
        }
        let mut chain = Vec::new();
        let mut fields = Some(body_fields);
        let mut last_type = None;
        for wire in next.split('.') {
            let Some(field) = fields.and_then(|f| f.get(wire)) else {
                self.error_value(&format!("{at}.next_marker"), format!("the success body has no field path `{next}` (expected wire names joined by `.`)"));
                return None;
            };
            chain.push((rust_of(wire, field), !field.required));
            last_type = field.ty.as_deref();
            fields = last_type.and_then(|ty| self.fields_of(spec, ty));
        }
        if last_type.unwrap_or("string") != "string" {
            self.error_value(
                &format!("{at}.next_marker"),
                format!("`{next}` is not a string field"),
            );
            return None;
        }
        Some(ir::PageStyle::Marker {
            marker: marker.rust.clone(),
            next: chain,
        })
    }
}
