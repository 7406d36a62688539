//! The controls: a recorded request changed on purpose in each way the comparison must
//! catch. `cargo xtask conformance` sends each mutant to the recorder (so the official
//! signer verifies it as it does every request) and compares it with the official SDK's
//! request; the unit tests of [`super::compare`] do the same without a server.

use super::compare::{Recorded, body_bytes, split_target};

/// The mutants of `request`: (what was changed, the changed request). A change the
/// request has nothing for (no query pair to drop, no JSON body) is left out.
pub fn mutants(request: &Recorded) -> Vec<(&'static str, Recorded)> {
    let mut out = Vec::new();
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let with_target = |target: String| Recorded {
        target,
        ..request.clone()
    };
    let changed_path = match path.rsplit_once('/') {
        Some((head, last)) => format!("{head}/{last}x"),
        None => format!("{path}x"),
    };
    let rest = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    out.push((
        "a changed path segment",
        with_target(format!("{changed_path}{rest}")),
    ));
    let extra = if query.is_empty() {
        format!("{path}?extra=1")
    } else {
        format!("{path}?{query}&extra=1")
    };
    out.push(("an extra query pair", with_target(extra)));
    if !split_target(&request.target).1.is_empty() {
        let kept: Vec<&str> = query.split('&').skip(1).collect();
        let target = if kept.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", kept.join("&"))
        };
        out.push(("a missing query pair", with_target(target)));
    }
    if let Some(body) = changed_json(&body_bytes(request)) {
        let hex: String = body.iter().map(|b| format!("{b:02x}")).collect();
        out.push((
            "a changed body field",
            Recorded {
                body: hex,
                ..request.clone()
            },
        ));
    }
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| {
            if name.eq_ignore_ascii_case("authorization") {
                (name.clone(), broken_signature(value))
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect();
    out.push((
        "a broken signature",
        Recorded {
            headers,
            ..request.clone()
        },
    ));
    out
}

/// The last hex digit of the signature changed.
fn broken_signature(authorization: &str) -> String {
    let mut text = authorization.to_owned();
    if let Some(last) = text.pop() {
        text.push(if last == '0' { '1' } else { '0' });
    }
    text
}

/// A JSON body with its first string (or number) leaf changed; `None` without one.
fn changed_json(body: &[u8]) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if change_leaf(&mut value) {
        serde_json::to_vec(&value).ok()
    } else {
        None
    }
}

fn change_leaf(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => {
            s.push_str("-changed");
            true
        }
        serde_json::Value::Number(n) => {
            *value = serde_json::json!(n.as_f64().unwrap_or_default() + 1.0);
            true
        }
        serde_json::Value::Bool(b) => {
            *b = !*b;
            true
        }
        serde_json::Value::Object(map) => map.values_mut().any(change_leaf),
        serde_json::Value::Array(items) => items.iter_mut().any(change_leaf),
        serde_json::Value::Null => false,
    }
}
