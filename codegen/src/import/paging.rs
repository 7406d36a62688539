//! Pagination, declared only where the shape is unambiguous: offset/limit query
//! parameters with one list and a count in the success body, or a marker parameter with a
//! next marker in the body. Anything else that looks paged is listed for review.

use indexmap::IndexMap;

use super::doc::Param;
use super::types::Entry;
use crate::spec::{OperationSpec, PaginationSpec, ParamSpec, TypeSpec};

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
    let page = PAGE.iter().find_map(|w| query(w));
    let size = PAGE_SIZE.iter().find_map(|w| query(w));
    let (offset, limit, marker) = (query("offset"), query("limit"), query("marker"));
    if offset.is_none() && marker.is_none() {
        return match (page, size.or(limit)) {
            (Some(page), Some(size)) => by_page(op, params, types, page, size),
            (Some((w, _)), None) => Err(format!(
                "pages by page number (`{w}`) without a page size parameter: pagination not declared"
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
            // An `offset` that is a page number (its doc says 页码): page-number style.
            return by_page(op, params, types, (okey, oparam), (lkey, lparam));
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

/// Query parameters (wire names) that carry a page number, and a page size.
const PAGE: &[&str] = &[
    "page",
    "page_no",
    "page_num",
    "page_number",
    "pageNo",
    "pageNum",
    "pageNumber",
];
const PAGE_SIZE: &[&str] = &["per_page", "page_size", "pageSize", "size", "limit"];

/// Page-number style: optional integer page and size parameters of one type, one list in
/// the success body, an optional integer count. The first page is 0 when the page
/// parameter's default or minimum is 0, else 1.
fn by_page(
    op: &OperationSpec,
    params: &[Param],
    types: &IndexMap<String, Entry>,
    (pkey, page): (&String, &ParamSpec),
    (skey, size): (&String, &ParamSpec),
) -> Result<Option<PaginationSpec>, String> {
    let (pty, sty) = (
        page.ty.as_deref().unwrap_or("string"),
        size.ty.as_deref().unwrap_or("string"),
    );
    if !INTEGERS.contains(&pty) || pty != sty || page.required || size.required {
        return Err("page number and size parameters that are not optional integers of one type: pagination not declared".to_owned());
    }
    let Some(body) = success_body(op, types) else {
        return Err(
            "pages but its success body is not an object type: pagination not declared".to_owned(),
        );
    };
    let fields: Vec<_> = body.fields.iter().flatten().collect();
    let lists: Vec<&String> = fields
        .iter()
        .filter(|(_, f)| f.ty.as_deref().is_some_and(|t| t.starts_with("array<")))
        .map(|(w, _)| *w)
        .collect();
    let [items] = lists.as_slice() else {
        return Err(format!(
            "pages by page number but its success body has {} list fields (expected exactly one): pagination not declared",
            lists.len()
        ));
    };
    let total = ["total_count", "total", "count", "total_number"]
        .into_iter()
        .find(|t| {
            fields.iter().any(|(w, f)| {
                w.as_str() == *t && f.ty.as_deref().is_some_and(|ty| INTEGERS.contains(&ty))
            })
        });
    let wire = page.name.as_deref().unwrap_or(pkey);
    let zero =
        |v: &Option<serde_json::Value>| v.as_ref().and_then(serde_json::Value::as_i64) == Some(0);
    let first_zero = params
        .iter()
        .find(|p| p.name == wire)
        .is_some_and(|p| zero(&p.schema.default) || zero(&p.schema.minimum));
    Ok(Some(PaginationSpec {
        items: (*items).clone(),
        total: total.map(str::to_owned),
        page: Some(pkey.clone()),
        page_size: Some(skey.clone()),
        first_page: first_zero.then_some(0),
        ..PaginationSpec::default()
    }))
}

fn success_body<'a>(
    op: &OperationSpec,
    types: &'a IndexMap<String, Entry>,
) -> Option<&'a TypeSpec> {
    let ty = op
        .responses
        .iter()
        .filter(|(s, r)| r.is_success(**s))
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
