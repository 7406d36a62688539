//! Deterministic YAML in the hand-written specs' style: block mappings, two-space indents,
//! short scalar lists in flow style (`[aksk, token]`), long one-line text folded (`>-`),
//! multi-line text as literal blocks (`|-`), plain scalars wherever YAML reads them back
//! as the same string, and comments under an operation's key.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_yaml::Value;

use crate::spec::ServiceSpec;

/// Text wider than this (from the indent on) is folded.
const WIDTH: usize = 92;

/// A whole spec file: a header comment, then the spec. `notes` are comment lines under an
/// operation's key.
pub fn spec_text(
    spec: &ServiceSpec,
    header: &[String],
    notes: &HashMap<String, Vec<String>>,
) -> String {
    let mut out = String::new();
    for line in header {
        comment(&mut out, 0, line);
    }
    let Ok(Value::Mapping(root)) = serde_yaml::to_value(spec) else {
        return out;
    };
    for (key, value) in &root {
        if key.as_str() == Some("operations")
            && let Value::Mapping(ops) = value
        {
            out.push_str("operations:\n");
            for (name, op) in ops {
                let name = name.as_str().unwrap_or_default();
                out.push_str(&entry(
                    name,
                    op,
                    2,
                    notes.get(name).map(Vec::as_slice).unwrap_or_default(),
                ));
            }
            continue;
        }
        emit_pair(&mut out, 0, key, value);
    }
    out
}

/// One `key: value` entry of a mapping at `indent`, with comment lines under the key.
pub fn entry(key: &str, value: &impl serde::Serialize, indent: usize, notes: &[String]) -> String {
    let mut out = String::new();
    let Ok(value) = serde_yaml::to_value(value) else {
        return out;
    };
    let key = Value::String(key.to_owned());
    match &value {
        Value::Mapping(map) if !map.is_empty() && !notes.is_empty() => {
            let _ = writeln!(out, "{}{}:", pad(indent), scalar_key(&key));
            for n in notes {
                comment(&mut out, indent + 2, n);
            }
            for (k, v) in map {
                emit_pair(&mut out, indent + 2, k, v);
            }
        }
        _ => emit_pair(&mut out, indent, &key, &value),
    }
    out
}

/// One `- ...` item of a sequence at `indent`.
pub fn item(value: &impl serde::Serialize, indent: usize) -> String {
    let mut out = String::new();
    if let Ok(value) = serde_yaml::to_value(value) {
        emit_item(&mut out, indent, &value);
    }
    out
}

fn pad(indent: usize) -> String {
    " ".repeat(indent)
}

/// Comment lines, wrapped at the width.
fn comment(out: &mut String, indent: usize, text: &str) {
    for line in text.lines() {
        for piece in fold(line, WIDTH.saturating_sub(indent + 2)) {
            let _ = writeln!(out, "{}# {piece}", pad(indent));
        }
    }
}

fn emit_pair(out: &mut String, indent: usize, key: &Value, value: &Value) {
    let k = scalar_key(key);
    match value {
        Value::Mapping(map) if map.is_empty() => {
            let _ = writeln!(out, "{}{k}: {{}}", pad(indent));
        }
        Value::Mapping(map) => {
            let _ = writeln!(out, "{}{k}:", pad(indent));
            for (k2, v2) in map {
                emit_pair(out, indent + 2, k2, v2);
            }
        }
        Value::Sequence(items) => {
            if let Some(flow) = flow_list(items).filter(|f| indent + k.len() + 2 + f.len() <= WIDTH)
            {
                let _ = writeln!(out, "{}{k}: {flow}", pad(indent));
            } else if items.is_empty() {
                let _ = writeln!(out, "{}{k}: []", pad(indent));
            } else {
                let _ = writeln!(out, "{}{k}:", pad(indent));
                for item in items {
                    emit_item(out, indent + 2, item);
                }
            }
        }
        Value::Tagged(t) => emit_pair(out, indent, key, &t.value),
        scalar => {
            let _ = writeln!(
                out,
                "{}{k}:{}",
                pad(indent),
                scalar_after_key(scalar, indent)
            );
        }
    }
}

fn emit_item(out: &mut String, indent: usize, item: &Value) {
    match item {
        Value::Mapping(map) if !map.is_empty() => {
            // `- first: v` then the other keys aligned under `first`.
            let mut body = String::new();
            for (k, v) in map {
                emit_pair(&mut body, indent + 2, k, v);
            }
            let body = body.trim_start();
            let _ = write!(out, "{}- {body}", pad(indent));
        }
        Value::Sequence(items) if !items.is_empty() => {
            let _ = writeln!(out, "{}-", pad(indent));
            for i in items {
                emit_item(out, indent + 2, i);
            }
        }
        Value::Mapping(_) => {
            let _ = writeln!(out, "{}- {{}}", pad(indent));
        }
        Value::Sequence(_) => {
            let _ = writeln!(out, "{}- []", pad(indent));
        }
        Value::Tagged(t) => emit_item(out, indent, &t.value),
        scalar => {
            let text = scalar_after_key(scalar, indent);
            let _ = writeln!(out, "{}-{text}", pad(indent));
        }
    }
}

/// `[a, b]` when every item is a plain one-line scalar.
fn flow_list(items: &[Value]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for item in items {
        let text = match item {
            Value::String(s) if is_plain(s) && !s.contains([',', '[', ']', '{', '}']) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        parts.push(text);
    }
    Some(format!("[{}]", parts.join(", ")))
}

fn scalar_key(key: &Value) -> String {
    match key {
        Value::String(s) if is_plain(s) => s.clone(),
        Value::String(s) => quoted(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "null".to_owned(),
    }
}

/// A scalar after `key:` (with the leading space) or after `-`.
fn scalar_after_key(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => " null".to_owned(),
        Value::Bool(b) => format!(" {b}"),
        Value::Number(n) => format!(" {n}"),
        Value::String(s) => string_after_key(s, indent),
        _ => " null".to_owned(),
    }
}

fn string_after_key(s: &str, indent: usize) -> String {
    let inner = pad(indent + 2);
    if s.contains('\n') {
        if let Some(block) = literal(s, &inner) {
            return block;
        }
        return format!(" {}", quoted(s));
    }
    if is_plain(s) {
        if indent + s.chars().count() <= WIDTH || !foldable(s) {
            return format!(" {s}");
        }
        let lines = fold(s, WIDTH.saturating_sub(indent + 2));
        let mut out = " >-".to_owned();
        for line in lines {
            out.push('\n');
            out.push_str(&inner);
            out.push_str(&line);
        }
        return out;
    }
    format!(" {}", quoted(s))
}

/// `|-` (or `|`) block of multi-line text, when YAML reads it back unchanged.
fn literal(s: &str, inner: &str) -> Option<String> {
    let trimmed = s.strip_suffix('\n');
    let (indicator, body) = match trimmed {
        Some(b) if !b.ends_with('\n') => ("|", b),
        Some(_) => return None,
        None => ("|-", s),
    };
    let ok = !body.starts_with([' ', '\t'])
        && !body.contains(['\r', '\t'])
        && body.chars().all(|c| !c.is_control() || c == '\n')
        && body.lines().all(|l| l == l.trim_end())
        && !body.starts_with('\n');
    if !ok {
        return None;
    }
    let mut out = format!(" {indicator}");
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(inner);
            out.push_str(line);
        }
    }
    Some(out)
}

/// One-line text that folds back exactly: words split by single spaces.
fn foldable(s: &str) -> bool {
    s.contains(' ') && !s.contains("  ") && !s.starts_with(' ') && !s.ends_with(' ')
}

/// Words joined into lines no wider than `width` (a longer word gets a line of its own).
fn fold(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// A double-quoted scalar (JSON's escapes are YAML's).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Whether a string can stand unquoted and read back as the same string.
fn is_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s != s.trim() || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x` and `?x` and `:x` are plain only when followed by a non-space; keep it simple.
        return false;
    }
    if s.chars().any(|c| {
        c.is_control() || c == '\u{feff}' || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}'
    }) {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null"
            | "~"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".nan"
            | ".inf"
            | "-.inf"
            | "+.inf"
    ) {
        return false;
    }
    // Anything number-like (ints, floats, hex, octal, 1e3, 1_000, 12:30) is quoted.
    let numberish = s
        .chars()
        .all(|c| c.is_ascii_hexdigit() || "+-._:xXoOeE".contains(c))
        && s.chars().any(|c| c.is_ascii_digit());
    if numberish || s.starts_with('.') {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) {
        let mut out = String::new();
        emit_pair(
            &mut out,
            0,
            &Value::String("doc".into()),
            &Value::String(s.to_owned()),
        );
        let back: serde_yaml::Mapping =
            serde_yaml::from_str(&out).unwrap_or_else(|e| panic!("{out}\n{e}"));
        assert_eq!(back.get("doc").and_then(Value::as_str), Some(s), "{out}");
    }

    #[test]
    fn strings_read_back_unchanged() {
        for s in [
            "plain",
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "#x",
            "-x",
            "true",
            "No",
            "1.5",
            "0x1F",
            "1e3",
            "12:30",
            "null",
            "~",
            "'q'",
            "\"q\"",
            "多行\n\n- 1: 关闭",
            "tab\there",
            "end\n",
            "two\n\n",
            "x\r\ny",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x y z a b c",
            "*",
            "&a",
            "!tag",
            "%x",
            "@x",
            "`x`",
            "{a}",
            "[a]",
            "a,b",
            "中文描述",
            "\u{a0}nbsp",
            "http://x/y?z=1#f",
        ] {
            round_trip(s);
        }
    }
}
