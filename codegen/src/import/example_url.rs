//! Parameter values of a request example's URL (`GET https://{endpoint}/v1/x?a=1`), typed
//! as their parameters.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::spec::{CollectionFormat, OperationSpec, ParamSpec};

/// The parameter values a request example's URL gives (`GET https://{endpoint}/v1/x?a=1`):
/// path segments matched against the path template, query pairs by wire name.
pub fn url_params(
    line: &str,
    template: &str,
    op: &OperationSpec,
) -> Result<IndexMap<String, serde_yaml::Value>, String> {
    let (path, query) = path_and_query(line);
    let by_wire: HashMap<&str, (&String, &ParamSpec)> = op
        .params
        .iter()
        .map(|(k, p)| (p.name.as_deref().unwrap_or(k), (k, p)))
        .collect();
    let mut out = IndexMap::new();
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let templates: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    if segments.len() == templates.len() {
        for (seg, tpl) in segments.iter().zip(&templates) {
            let Some(name) = tpl.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
                continue;
            };
            let Some((key, param)) = by_wire.get(name) else {
                continue;
            };
            // A placeholder (`{server_id}`) is the document's value too, except where the
            // client fills the parameter.
            if seg.is_empty() || (seg.starts_with('{') && param.from.is_some()) {
                continue;
            }
            let decoded = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
            out.insert((*key).clone(), typed(&decoded, param)?);
        }
    }
    let mut repeated: IndexMap<String, Vec<serde_yaml::Value>> = IndexMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_encoding::percent_decode_str(k).decode_utf8_lossy();
        let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
        let Some((key, param)) = by_wire.get(k.as_ref()) else {
            return Err(format!(
                "its URL has query parameter `{k}`, which the operation does not declare"
            ));
        };
        let ty = param.ty.as_deref().unwrap_or("string");
        if let Some(inner) = ty.strip_prefix("array<").and_then(|t| t.strip_suffix('>')) {
            let item = ParamSpec {
                ty: Some(inner.to_owned()),
                ..(*param).clone()
            };
            let values: Vec<&str> = if param.collection_format == Some(CollectionFormat::Csv) {
                v.split(',').collect()
            } else {
                vec![v.as_ref()]
            };
            for value in values {
                repeated
                    .entry((*key).clone())
                    .or_default()
                    .push(typed(value, &item)?);
            }
        } else {
            out.insert((*key).clone(), typed(&v, param)?);
        }
    }
    for (k, values) in repeated {
        out.insert(k, serde_yaml::Value::Sequence(values));
    }
    Ok(out)
}

/// The path and the query of a URL, alone or in a request line
/// (`GET https://{endpoint}/v1/x?a=1`).
fn path_and_query(line: &str) -> (&str, &str) {
    let url = line
        .split_whitespace()
        .find(|t| t.contains("://") || t.starts_with('/'))
        .unwrap_or_default();
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_and_query = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""))
}

/// The base path (`/v1`) that a document's path lacks: every example URL calls the path
/// `template` under the same literal prefix. Fourteen AOM documents give
/// `/{project_id}/cms/workflow` while their examples (and the official SDKs) call
/// `/v1/{project_id}/cms/workflow`. `None` when there is no example URL, one calls the
/// path as documented, or they disagree.
pub fn missing_base_path<'a>(
    template: &str,
    urls: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let templates: Vec<&str> = template.trim_matches('/').split('/').collect();
    let mut found: Option<String> = None;
    for line in urls {
        let segments: Vec<&str> = path_and_query(line)
            .0
            .trim_matches('/')
            .split('/')
            .collect();
        let extra = segments
            .len()
            .checked_sub(templates.len())
            .filter(|n| *n > 0)?;
        let (prefix, rest) = segments.split_at(extra);
        let same_path = rest
            .iter()
            .zip(&templates)
            .all(|(segment, tpl)| tpl.starts_with('{') || segment == tpl);
        let literal = prefix
            .iter()
            .all(|s| !s.is_empty() && !s.contains(['{', '%']));
        if !(same_path && literal) {
            return None;
        }
        let prefix = format!("/{}", prefix.join("/"));
        match &found {
            Some(earlier) if *earlier != prefix => return None,
            _ => found = Some(prefix),
        }
    }
    found
}

/// A URL value as the YAML value of its parameter's type.
fn typed(text: &str, param: &ParamSpec) -> Result<serde_yaml::Value, String> {
    let bad = || {
        format!(
            "value `{text}` is not a {}",
            param.ty.as_deref().unwrap_or("string")
        )
    };
    Ok(match param.ty.as_deref().unwrap_or("string") {
        "int32" | "int64" => {
            serde_yaml::Value::Number(text.parse::<i64>().map_err(|_| bad())?.into())
        }
        "number" => serde_yaml::Value::Number(text.parse::<f64>().map_err(|_| bad())?.into()),
        "boolean" => serde_yaml::Value::Bool(text.parse::<bool>().map_err(|_| bad())?),
        _ => serde_yaml::Value::String(text.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::missing_base_path;

    #[test]
    fn a_base_path_every_example_url_has_is_found() {
        let lines = [
            "POST https://{Endpoint}/v1/{project_id}/cms/workflow",
            "https://{Endpoint}/v1/0123/cms/workflow?x=1",
        ];
        assert_eq!(
            missing_base_path("/{project_id}/cms/workflow", lines).as_deref(),
            Some("/v1")
        );
    }

    #[test]
    fn no_base_path_when_an_example_calls_the_documented_path_or_they_disagree() {
        let template = "/{project_id}/cms/workflow";
        let as_documented = "POST https://{Endpoint}/{project_id}/cms/workflow";
        let v1 = "POST https://{Endpoint}/v1/{project_id}/cms/workflow";
        let v2 = "POST https://{Endpoint}/v2/{project_id}/cms/workflow";
        let other = "POST https://{Endpoint}/v1/{project_id}/cms/jobs";
        assert_eq!(missing_base_path(template, [as_documented]), None);
        assert_eq!(missing_base_path(template, [v1, as_documented]), None);
        assert_eq!(missing_base_path(template, [v1, v2]), None);
        assert_eq!(missing_base_path(template, [other]), None);
        assert_eq!(missing_base_path(template, []), None);
    }
}
