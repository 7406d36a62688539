//! The glue of token-issuing operations (`token_source` in the specs): the request is the
//! runtime's `TokenSource`, and what the operation's bodies may hold decides whether the
//! runtime may quote them (`OperationMeta::sensitive_body`).

use super::code::Code;
use crate::ir::{Operation, Refresh, RefreshValue, Service, TypeKind, TypeRef, ValuePath};

/// Whether the operation's bodies may hold secrets, so that the runtime never quotes its
/// responses in errors or logs: it issues tokens, or a value it sends or receives is
/// `sensitive` (a response header, any field reachable from its request or response
/// types, a parameter). Request values count because error bodies often echo the request
/// ("invalid code ...").
pub(super) fn sensitive_body<'a>(service: &'a Service, op: &'a Operation) -> bool {
    let mut seen = Vec::new();
    let mut holds = |ty: &'a TypeRef| holds_secret(service, ty, &mut seen);
    op.token_source.is_some()
        || op.response_headers.iter().any(|h| h.sensitive)
        || op.params.iter().any(|p| holds(&p.ty))
        || op.body.as_ref().is_some_and(|b| holds(&b.ty))
        || op.success_body.as_ref().is_some_and(|b| holds(&b.ty))
        || op
            .error_statuses
            .iter()
            .filter_map(|e| e.ty.as_ref())
            .any(holds)
}

/// Whether a value of `ty` can contain a `sensitive` string; `seen` holds the named types
/// already looked at (types may be recursive).
fn holds_secret<'a>(service: &'a Service, ty: &'a TypeRef, seen: &mut Vec<&'a str>) -> bool {
    match ty {
        TypeRef::Secret => true,
        TypeRef::Array(element) | TypeRef::Map(element) => holds_secret(service, element, seen),
        TypeRef::Named(name) => {
            if seen.contains(&name.as_str()) {
                return false;
            }
            seen.push(name);
            let Some(def) = service.types.iter().find(|t| &t.name == name) else {
                return false;
            };
            match &def.kind {
                TypeKind::Struct(fields) => {
                    fields.iter().any(|f| holds_secret(service, &f.ty, seen))
                }
                TypeKind::Array(element) | TypeKind::Map(element) => {
                    holds_secret(service, element, seen)
                }
                TypeKind::Enum(_) => false,
            }
        }
        _ => false,
    }
}

/// The glue that lets the runtime's token cache call a token-issuing operation: the
/// request (holding the login inputs) is the token source.
pub(super) fn token_source(code: &mut Code, service: &Service, op: &Operation) {
    let Some(t) = &op.token_source else { return };
    let request = &op.request;
    let token = value_path(op, &t.token);
    // The expiry is a server value: converted by the runtime's checked helpers, never with
    // `SystemTime + Duration` (which panics on overflow). A relative lifetime counts from
    // when the request was sent.
    let expiry = match (&t.expires_at, &t.expires_in) {
        (Some(at), _) => Some((value_path(op, at), "from_instant(")),
        (None, Some(within)) => Some((value_path(op, within), "from_lifetime(now, ")),
        (None, None) => None,
    };
    let refresh = match &t.refresh_token {
        Some(r) => {
            let mut refresh = value_path(op, r);
            refresh.push(".map(secret)".to_owned());
            refresh
        }
        None => vec!["None".to_owned()],
    };
    code.open(&format!("impl {request}"));
    code.docs("Sends this request and reads the token, its expiry and its refresh token\nfrom the response, as the runtime's token cache needs them.");
    code.line("pub async fn issue_token(");
    code.indented(|code| {
        code.line("&self,");
        code.line("client: &Client,");
    });
    code.open(") -> Result<hwcloud_runtime::auth::token::IssuedToken, Error>");
    code.open(
        "fn secret(value: &impl hwcloud_runtime::operation::ParamValue) -> hwcloud_runtime::Secret",
    );
    code.line("hwcloud_runtime::Secret::new(value.param_text().into_owned())");
    code.close();
    if t.expires_at.is_none() && t.expires_in.is_some() {
        code.line("let now = client.now();");
    }
    code.linef(format_args!(
        "let response = {}::new(client)?.{}(self.clone()).await?;",
        service.client, op.method_name
    ));
    code.chain("let token = ", &token, ".map(secret);");
    code.open("let token = token.ok_or_else(|| Error::Credentials");
    code.line("message: format!(\"{} answered without a token\", <Self as Operation>::META.name),");
    code.line("source: None,");
    code.close_with(")?;");
    match expiry {
        Some((value, helper)) => {
            code.chain("let expiry = ", &value, ";");
            code.linef(format_args!(
                "let expires_at = hwcloud_runtime::auth::expiry::{helper}expiry);"
            ));
        }
        None => code.line("let expires_at = None;"),
    }
    code.chain("let refresh_token = ", &refresh, ";");
    code.line("Ok(hwcloud_runtime::auth::token::IssuedToken { token, expires_at, refresh_token })");
    code.close();
    code.close();
    code.blank();

    code.open(&format!(
        "impl hwcloud_runtime::auth::token::TokenSource for {request}"
    ));
    code.line("fn fetch<'a>(");
    code.indented(|code| {
        code.line("&'a self,");
        code.line("client: &'a Client,");
    });
    code.open(") -> hwcloud_runtime::BoxFuture<'a, Result<hwcloud_runtime::auth::token::IssuedToken, Error>>");
    code.line("Box::pin(self.issue_token(client))");
    code.close();
    if let Some(refresh) = &t.refresh {
        code.blank();
        refresh_fn(code, refresh);
    }
    code.close();
    code.blank();
}

/// `TokenSource::refresh`: builds the renewing request from this request's body and the
/// refresh token, and issues the token with it.
fn refresh_fn(code: &mut Code, refresh: &Refresh) {
    let fields: Vec<String> = refresh
        .fields
        .iter()
        .map(|f| (&f.rust, &f.value))
        .map(|(name, value)| match value {
            RefreshValue::RefreshToken { optional: false } => {
                format!("{name}: refresh_token.clone()")
            }
            RefreshValue::RefreshToken { optional: true } => {
                format!("{name}: Some(refresh_token.clone())")
            }
            RefreshValue::Copied(source) => format!("{name}: self.body.{source}.clone()"),
            RefreshValue::Absent => format!("{name}: None"),
        })
        .collect();
    code.line("fn refresh<'a>(");
    code.indented(|code| {
        code.line("&'a self,");
        code.line("client: &'a Client,");
        code.line("refresh_token: &'a hwcloud_runtime::Secret,");
    });
    code.open(") -> Option<hwcloud_runtime::BoxFuture<'a, Result<hwcloud_runtime::auth::token::IssuedToken, Error>>>");
    code.braces(
        &format!("let request = {}::new({}", refresh.request, refresh.body),
        &fields,
        ");",
    );
    code.line("Some(Box::pin(async move { request.issue_token(client).await }))");
    code.close();
}

/// An expression of type `Option<&T>` reading `path` from `response`, as the segments of
/// a method chain (for [`Code::chain`]).
fn value_path(op: &Operation, path: &ValuePath) -> Vec<String> {
    match path {
        ValuePath::Header(wire) => {
            let field = op
                .response_headers
                .iter()
                .find(|h| h.wire.eq_ignore_ascii_case(wire))
                .map(|h| h.rust.as_str())
                .unwrap_or_default();
            vec![format!("response.{field}"), ".as_ref()".to_owned()]
        }
        ValuePath::Body(chain) => {
            let always = op.success_body.as_ref().is_some_and(|b| b.always);
            let mut segments = if always {
                vec!["Some(&response.body)".to_owned()]
            } else {
                vec!["response.body".to_owned(), ".as_ref()".to_owned()]
            };
            for field in chain {
                let name = &field.rust;
                segments.push(if field.optional {
                    format!(".and_then(|v| v.{name}.as_ref())")
                } else {
                    format!(".map(|v| &v.{name})")
                });
            }
            segments
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SpecText;

    const SPEC: &str = r#"
service: S
doc: d
operations:
  Plain:
    doc: d
    method: GET
    path: /plain
    responses:
      200: { type: Tree, doc: ok }
  DeepSecret:
    doc: d
    method: GET
    path: /deep
    responses:
      200: { type: Outer, doc: ok }
  SecretInError:
    doc: d
    method: DELETE
    path: /x
    responses:
      204: { doc: ok }
      400: { type: map<Inner>, doc: bad }
  SecretRequest:
    doc: d
    method: POST
    path: /y
    body: { content_type: application/json, type: Outer }
    responses:
      204: { doc: ok }
types:
  Tree:
    doc: A recursive type without secrets.
    fields:
      name: { doc: d }
      children: { type: array<Tree>, doc: d }
  Outer:
    doc: d
    fields:
      items: { type: array<Inner>, doc: d }
      self_ref: { type: Outer, doc: d }
  Inner:
    doc: d
    fields:
      key: { sensitive: true, doc: d }
"#;

    #[test]
    fn bodies_are_sensitive_when_a_secret_is_reachable() {
        let spec = SpecText {
            file: "specs/s.yaml".into(),
            text: SPEC.into(),
        };
        let api = crate::check(&[spec]).unwrap_or_else(|d| panic!("{d}"));
        let service = &api.services[0];
        let sensitive: Vec<(&str, bool)> = service
            .operations
            .iter()
            .map(|op| (op.name.as_str(), sensitive_body(service, op)))
            .collect();
        assert_eq!(
            sensitive,
            [
                ("Plain", false),
                ("DeepSecret", true),
                ("SecretInError", true),
                ("SecretRequest", true),
            ]
        );
    }
}
