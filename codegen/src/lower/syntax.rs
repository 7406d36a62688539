//! What strings that become part of a request must look like: content types (sent as a
//! header value), path templates and endpoint templates (parts of the URL). A spec that
//! breaks these compiled, then failed or panicked on every call (`HeaderValue::from_static`
//! of a content type with a line break); here it is a spec error instead.

/// Why `content_type` is not a media type as one header value (RFC 9110: `type/subtype`
/// then `; name=value` parameters, a value a token or a quoted string), if it is not.
pub(super) fn media_type_problem(content_type: &str) -> Option<String> {
    if let Some(c) = content_type
        .chars()
        .find(|c| !(c.is_ascii_graphic() || matches!(c, ' ' | '\t')))
    {
        return Some(format!("it holds {c:?}, which a header value cannot"));
    }
    let mut rest = content_type.trim_matches([' ', '\t']);
    let kind = take_token(&mut rest);
    if kind.is_empty() || !rest.starts_with('/') {
        return Some("it does not start with `type/subtype`".to_owned());
    }
    rest = &rest[1..];
    if take_token(&mut rest).is_empty() {
        return Some("it does not start with `type/subtype`".to_owned());
    }
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            return None;
        }
        let Some(after) = rest.strip_prefix(';') else {
            return Some(format!(
                "`{rest}` follows the media type where `;` was expected"
            ));
        };
        rest = after.trim_start_matches([' ', '\t']);
        if rest.is_empty() || rest.starts_with(';') {
            continue;
        }
        if take_token(&mut rest).is_empty() {
            return Some("a parameter has no name".to_owned());
        }
        let Some(after) = rest.strip_prefix('=') else {
            return Some("a parameter has no `=value`".to_owned());
        };
        rest = after;
        if let Some(quoted) = rest.strip_prefix('"') {
            rest = match skip_quoted(quoted) {
                Some(after) => after,
                None => return Some("a quoted parameter value is not closed".to_owned()),
            };
        } else if take_token(&mut rest).is_empty() {
            return Some("a parameter value is empty".to_owned());
        }
    }
}

/// RFC 9110 token characters.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// The token at the start of `rest`, moving `rest` past it.
fn take_token<'a>(rest: &mut &'a str) -> &'a str {
    let end = rest.find(|c| !is_tchar(c)).unwrap_or(rest.len());
    let (token, after) = rest.split_at(end);
    *rest = after;
    token
}

/// What follows the closing quote of a quoted string whose opening quote is already
/// consumed; `None` when it is not closed.
fn skip_quoted(text: &str) -> Option<&str> {
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next()?;
            }
            '"' => return Some(&text[i + 1..]),
            _ => {}
        }
    }
    None
}

/// URL path characters (RFC 3986 `pchar` and `/`) besides `%` escapes.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/".contains(c)
}

/// Why the path template `path` is not a URL path, if it is not: `{name}` placeholders
/// are filled (and percent-encoded) at run time, the rest is sent as written.
pub(super) fn path_problem(path: &str) -> Option<String> {
    let mut rest = path;
    while let Some(c) = rest.chars().next() {
        match c {
            '{' => match rest.find('}') {
                Some(end) => rest = &rest[end + 1..],
                None => return Some("a `{` is not closed".to_owned()),
            },
            '%' => {
                let hex = rest
                    .get(1..3)
                    .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
                if hex.is_none() {
                    return Some("a `%` is not followed by two hex digits".to_owned());
                }
                rest = &rest[3..];
            }
            c if is_path_char(c) => rest = &rest[1..],
            c => return Some(format!("it holds {c:?}")),
        }
    }
    None
}

/// `text` with every `{name}` replaced by `x`.
fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('x');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Why the endpoint template `endpoint` is not `scheme://host[:port][/path]` with a host
/// of letters, digits, `.`, `-` and placeholders, if it is not (its scheme and which
/// placeholders it has are checked on their own).
pub(super) fn endpoint_problem(endpoint: &str) -> Option<String> {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    // Placeholders stand for a name; which ones are allowed is checked on its own.
    let host = without_placeholders(authority);
    let (host, port) = match host.split_once(':') {
        Some((host, port)) => (host.to_owned(), Some(port.to_owned())),
        None => (host, None),
    };
    if host.is_empty() {
        return Some("it has no host".to_owned());
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
    {
        return Some(format!("its host holds {c:?}"));
    }
    if port.is_some_and(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return Some("its port is not a number".to_owned());
    }
    if path.contains('{') {
        return Some("its path has a placeholder".to_owned());
    }
    path_problem(path).map(|why| format!("its path is not a URL path: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        for ok in [
            "application/json",
            "application/json;charset=UTF-8",
            "application/json; charset=utf8",
            "multipart/form-data; boundary=\"a;b\\\"c\"",
            "text/plain;",
            "text/plain; ; a=b",
        ] {
            assert_eq!(media_type_problem(ok), None, "{ok}");
        }
        for bad in [
            "application/json\r\nX: 1",
            "application/json; charset",
            "application/json; =x",
            "application/json; a=\"open",
            "application /json",
            "/json",
            "application/",
            "application/json x",
            "application/json; a=",
        ] {
            assert!(media_type_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn paths() {
        for ok in [
            "/",
            "/v1/{project_id}/a-b_c.d~e",
            "/a%2Fb/{x}:action",
            "/x;v=1/@me",
        ] {
            assert_eq!(path_problem(ok), None, "{ok}");
        }
        for bad in [
            "/x y", "/x?y", "/x#y", "/x%2", "/x%zz", "/{open", "/é", "/x\\",
        ] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn endpoints() {
        for ok in [
            "https://dayu.{region}.myhuaweicloud.com",
            "http://127.0.0.1:8080",
            "https://x.{region}.example.com/v3",
        ] {
            assert_eq!(endpoint_problem(ok), None, "{ok}");
        }
        for bad in [
            "https://user@evil.example/{region}",
            "https://a b.example",
            "https://x.example?q",
            "https://x.example:",
            "https://x.example/{region}",
            "https://",
        ] {
            assert!(endpoint_problem(bad).is_some(), "{bad}");
        }
    }
}
