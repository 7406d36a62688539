//! Pagination, declared only where the shape is unambiguous: offset/limit query
//! parameters with one list and a count in the success body, or a marker parameter with a
//! next marker in the body. Anything else that looks paged is listed for review.

use indexmap::IndexMap;

use super::doc::Param;
use super::types::Entry;
use crate::spec::{OperationSpec, PaginationSpec, TypeSpec};

const INTEGERS: &[&str] = &["int32", "int64"];

/// The pagination of an operation: `Ok(None)` when it does not page, `Err` (a review
/// note) when it seems to page but the shape is not one the format declares.
pub fn detect(
    op: &OperationSpec,
    params: &[Param],
    types: &IndexMap<String, Entry>,
) -> Result<Option<PaginationSpec>, String> {
    let query = |wire: &str| {
        op.params.iter().find(|(k, p)| {
            p.location == crate::spec::ParamLocation::Query
                && p.name.as_deref().unwrap_or(k) == wire
        })
    };
    let page_number = [
        "page",
        "page_no",
        "page_num",
        "pageNo",
        "pageNum",
        "per_page",
        "page_size",
        "pageSize",
    ]
    .iter()
    .find(|w| query(w).is_some());
    let (offset, limit, marker) = (query("offset"), query("limit"), query("marker"));
    if offset.is_none() && marker.is_none() {
        return match (page_number, limit) {
            (Some(w), _) => Err(format!(
                "pages by page number (`{w}`), which the spec format has no pagination style for"
            )),
            (None, Some(_)) => Err(
                "has a `limit` but no offset or marker parameter: pagination not declared"
                    .to_owned(),
            ),
            (None, None) => Ok(None),
        };
    }
    let Some(body) = success_body(op, types) else {
        return Err(
            "pages but its success body is not an object type: pagination not declared".to_owned(),
        );
    };
    let fields = body
        .fields
        .as_ref()
        .map(|f| f.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    let lists: Vec<&String> = fields
        .iter()
        .filter(|(_, f)| f.ty.as_deref().is_some_and(|t| t.starts_with("array<")))
        .map(|(w, _)| *w)
        .collect();
    let [items] = lists.as_slice() else {
        return Err(format!(
            "pages but its success body has {} list fields (expected exactly one): pagination not declared",
            lists.len()
        ));
    };
    if let (Some((okey, oparam)), Some((lkey, lparam))) = (offset, limit) {
        let (oty, lty) = (
            oparam.ty.as_deref().unwrap_or("string"),
            lparam.ty.as_deref().unwrap_or("string"),
        );
        if !INTEGERS.contains(&oty) || oty != lty {
            return Err("offset/limit parameters that are not integers of one type: pagination not declared".to_owned());
        }
        let wire_offset = oparam.name.as_deref().unwrap_or(okey);
        let doc = params
            .iter()
            .find(|p| p.name == wire_offset)
            .and_then(|p| p.schema.description.as_deref())
            .unwrap_or_default();
        if doc.contains("页码") || doc.to_ascii_lowercase().contains("page number") {
            return Err(
                "its `offset` is a page number, which the spec format has no pagination style for"
                    .to_owned(),
            );
        }
        let total = ["count", "total", "total_count"].into_iter().find(|t| {
            fields.iter().any(|(w, f)| {
                w.as_str() == *t && f.ty.as_deref().is_some_and(|ty| INTEGERS.contains(&ty))
            })
        });
        let Some(total) = total else {
            return Err(
                "offset/limit without a count field in the body: pagination not declared"
                    .to_owned(),
            );
        };
        return Ok(Some(PaginationSpec {
            items: (*items).clone(),
            offset: Some(okey.clone()),
            limit: Some(lkey.clone()),
            total: Some(total.to_owned()),
            page: None,
            page_size: None,
            first_page: None,
            marker: None,
            next_marker: None,
        }));
    }
    if let Some((mkey, mparam)) = marker {
        if mparam.ty.is_some() {
            return Err(
                "a `marker` parameter that is not a string: pagination not declared".to_owned(),
            );
        }
        let next = next_marker(&fields, types);
        let Some(next) = next else {
            return Err("a `marker` parameter but no next marker (`page_info.next_marker` or `next_marker`) in the body: pagination not declared".to_owned());
        };
        return Ok(Some(PaginationSpec {
            items: (*items).clone(),
            offset: None,
            limit: None,
            total: None,
            page: None,
            page_size: None,
            first_page: None,
            marker: Some(mkey.clone()),
            next_marker: Some(next),
        }));
    }
    Err("an `offset` without a `limit`: pagination not declared".to_owned())
}

fn success_body<'a>(
    op: &OperationSpec,
    types: &'a IndexMap<String, Entry>,
) -> Option<&'a TypeSpec> {
    let ty = op
        .responses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .find_map(|(_, r)| r.ty.as_deref())?;
    let spec = &types.get(ty)?.spec;
    spec.fields.is_some().then_some(spec)
}

fn next_marker(
    fields: &[(&String, &crate::spec::FieldSpec)],
    types: &IndexMap<String, Entry>,
) -> Option<String> {
    let is_string = |f: &crate::spec::FieldSpec| f.ty.is_none() && f.enum_values.is_none();
    if fields
        .iter()
        .any(|(w, f)| w.as_str() == "next_marker" && is_string(f))
    {
        return Some("next_marker".to_owned());
    }
    let (_, info) = fields.iter().find(|(w, _)| w.as_str() == "page_info")?;
    let inner = types.get(info.ty.as_deref()?)?.spec.fields.as_ref()?;
    inner
        .get("next_marker")
        .filter(|f| is_string(f))
        .map(|_| "page_info.next_marker".to_owned())
}
