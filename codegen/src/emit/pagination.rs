//! `<method>_stream` of a paged list operation: the three small functions the runtime's
//! `pagination::items` needs (a request's cursor, the next request, a page's items). The
//! paging itself (laziness, the page bound, repeated cursors) is the runtime's.

use super::code::Code;
use super::rust_type;
use crate::ir::{Operation, PageStyle, Pagination, TotalField};

const RUNTIME: &str = "hwcloud_runtime::pagination";

/// `<method>_stream`: every item of a paged list operation.
pub(super) fn page_stream(code: &mut Code, op: &Operation, p: &Pagination) {
    let request = &op.request;
    let item = rust_type(&p.item_type);
    code.docs(&format!(
        "Every item of [`{0}`](Self::{0}), fetching page after page as the stream is polled. It ends after the last page or with an error: a page that failed, or paging that cannot end (a repeated cursor, more than [`max_pages`]({RUNTIME}::Items::max_pages) pages).",
        op.method_name
    ));
    code.linef(format_args!("pub fn {}_stream(", op.method_name));
    code.indented(|code| {
        code.line("&self,");
        code.linef(format_args!("request: {request},"));
    });
    code.linef(format_args!(") -> {RUNTIME}::Items<{request}, {item}> {{"));
    code.indented(|code| {
        code.linef(format_args!("{RUNTIME}::items("));
        code.indented(|code| {
            code.line("self.inner.clone(),");
            code.line("request,");
            cursor(code, request, &p.style);
            code.open(&format!(
                "|request: &{request}, response: &{}|",
                op.response
            ));
            next(code, p);
            code.close_with(",");
            let items = &p.items.rust;
            let take = if p.items.optional {
                format!("response.body.{items}.unwrap_or_default()")
            } else {
                format!("response.body.{items}")
            };
            code.linef(format_args!("|response: {}| {take},", op.response));
        });
        code.line(")");
    });
    code.line("}");
}

/// Where a request starts reading, as the runtime remembers it.
fn cursor(code: &mut Code, request: &str, style: &PageStyle) {
    let cursor = match style {
        PageStyle::Offset { offset, .. } => {
            format!("Cursor::Number(request.{offset}.map_or(0, i64::from))")
        }
        PageStyle::Page { page, first, .. } => {
            format!("Cursor::Number(request.{page}.map_or({first}, i64::from))")
        }
        PageStyle::Marker { marker, .. } => {
            format!("Cursor::Marker(request.{marker}.as_deref().unwrap_or_default())")
        }
    };
    code.linef(format_args!("|request: &{request}| {RUNTIME}::{cursor},"));
}

/// The body of the closure that makes the next page's request from a page's.
fn next(code: &mut Code, p: &Pagination) {
    let items = &p.items.rust;
    let count = if p.items.optional {
        format!("response.body.{items}.as_ref().map_or(0, Vec::len)")
    } else {
        format!("response.body.{items}.len()")
    };
    let total = |total: &Option<TotalField>| match total {
        None => "None".to_owned(),
        Some(t) if t.field.optional => format!("response.body.{}.map(i64::from)", t.field.rust),
        Some(t) => format!("Some(i64::from(response.body.{}))", t.field.rust),
    };
    let set: Vec<(&str, &str)> = match &p.style {
        PageStyle::Offset {
            offset,
            limit,
            total: t,
            ..
        } => {
            code.list(
                &format!("let next = {RUNTIME}::next_offset("),
                &[
                    format!("request.{offset}"),
                    count,
                    format!("request.{limit}"),
                    total(t),
                ],
                ")?;",
            );
            vec![(offset, "next")]
        }
        PageStyle::Page {
            page,
            size,
            first,
            total: t,
            ..
        } => {
            code.list(
                &format!("let next = {RUNTIME}::next_page("),
                &[
                    format!("request.{page}"),
                    first.to_string(),
                    count,
                    format!("request.{size}"),
                    total(t),
                ],
                ")?;",
            );
            vec![(page, "next.number"), (size, "next.size")]
        }
        PageStyle::Marker { marker, next } => {
            let mut path = "Some(&response.body)".to_owned();
            for field in next {
                let name = &field.rust;
                path = if field.optional {
                    format!("{path}.and_then(|v| v.{name}.as_ref())")
                } else {
                    format!("{path}.map(|v| &v.{name})")
                };
            }
            code.linef(format_args!("let next = {RUNTIME}::next_marker({path});"));
            vec![(marker, "next")]
        }
    };
    code.open("Ok(next.map(|next|");
    code.line("let mut following = request.clone();");
    for (param, value) in set {
        code.linef(format_args!("following.{param} = Some({value});"));
    }
    code.line("following");
    code.close_with("))");
}
