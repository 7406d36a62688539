//! The generated API's vocabulary: Rust names from spec names (via heck, with keywords
//! and digits handled), the names the generator derives (`<Op>Request`, `<method>_stream`),
//! and the names it reserves. Lowering checks specs against these and emitting uses them,
//! so the two cannot disagree.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (all editions, reserved ones included) that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers (`r#self` is invalid).
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// A snake_case field, parameter or method name, valid as a Rust identifier.
///
/// Keywords get a trailing underscore (`type` -> `type_`) rather than `r#type`: it reads
/// better in user code and works for every keyword. A leading digit gets a `_` prefix.
pub fn snake(name: &str) -> String {
    if is_snake(name) {
        return fix_ident(name.to_owned());
    }
    let mut s = name.to_snake_case();
    if s.is_empty() {
        s.push('_');
    }
    fix_ident(s)
}

/// A PascalCase type or variant name, valid as a Rust identifier.
pub fn pascal(name: &str) -> String {
    if is_pascal(name) {
        return fix_ident(name.to_owned());
    }
    let s = name.to_upper_camel_case();
    if s.is_empty() {
        return String::new();
    }
    fix_ident(s)
}

/// Whether heck's snake case leaves `name` as it is: ASCII lowercase words of letters and
/// digits joined by single underscores. Most spec names already are (field and parameter
/// names), and heck builds every name through `fmt` (~2% of `cargo xtask codegen`).
fn is_snake(name: &str) -> bool {
    !name.is_empty()
        && name.split('_').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Whether heck's upper camel case leaves `name` as it is: ASCII letters and digits
/// starting with an uppercase letter, where the letter before each later uppercase one is
/// lowercase (digits between them aside), so every word heck splits off is a capital and
/// then lowercase letters or digits (`Ipv4Address` is; `HTTPServer` and `A1B`, which heck
/// makes `HttpServer` and `A1b`, are not). Type names mostly are.
fn is_pascal(name: &str) -> bool {
    let bytes = name.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    let mut after_lowercase = false;
    for &b in &bytes[1..] {
        if b.is_ascii_uppercase() {
            if !after_lowercase {
                return false;
            }
            after_lowercase = false;
        } else if b.is_ascii_lowercase() {
            after_lowercase = true;
        } else if !b.is_ascii_digit() {
            return false;
        }
    }
    true
}

fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s) || NOT_RAW.contains(&s)
}

fn fix_ident(mut s: String) -> String {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(
            0,
            if s.chars().any(|c| c.is_lowercase()) {
                '_'
            } else {
                'V'
            },
        );
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// The variant name of an enum value: PascalCase, `V` before a leading digit; empty when
/// the value has no letters or digits at all (the caller reports it). A value with
/// non-ASCII letters (`数据`) gets a stable name from its UTF-8 bytes (`U6570636E`... as
/// hex), since identifiers of the generated API stay ASCII.
pub fn variant(value: &str) -> String {
    let s = value.to_upper_camel_case();
    if s.is_empty() {
        return s;
    }
    if !s.is_ascii() {
        let hex: String = value.bytes().map(|b| format!("{b:02X}")).collect();
        return format!("U{hex}");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("V{s}");
    }
    fix_ident(s)
}

/// The variant of enum value `value` in enum type `ty` (a PascalCase name):
/// [`variant`] without the type's name in front, as prost's `strip_enum_prefix` does
/// (`ApplyType` + `APPLY_TYPE_AUTHORIZE` -> `Authorize`, not `ApplyTypeAuthorize`). The
/// prefix stays when it is not a whole word (`Foo` in `Foobar`), and when what is left would be empty, start with a digit, or be
/// `Unknown` (the variant every generated enum keeps for values the spec does not list).
pub fn enum_variant(ty: &str, value: &str) -> String {
    let full = variant(value);
    match full.strip_prefix(ty) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_uppercase()) && rest != "Unknown" => {
            fix_ident(rest.to_owned())
        }
        _ => full,
    }
}

/// The variant of an integer enum's value: `V` and the digits (`4` -> `V4`, as the string
/// `"4"` is named), `Minus` before a negative one's digits (`-1` -> `Minus1`).
pub fn int_variant(value: i64) -> String {
    if value < 0 {
        format!("Minus{}", value.unsigned_abs())
    } else {
        format!("V{value}")
    }
}

/// Words for the characters of enum values that have no letters or digits (`*`, `>=`).
const SYMBOLS: &[(char, &str)] = &[
    (' ', "Space"),
    ('!', "Bang"),
    ('"', "Quote"),
    ('#', "Hash"),
    ('$', "Dollar"),
    ('%', "Percent"),
    ('&', "And"),
    ('\'', "Apostrophe"),
    ('(', "LParen"),
    (')', "RParen"),
    ('*', "Star"),
    ('+', "Plus"),
    (',', "Comma"),
    ('-', "Minus"),
    ('.', "Dot"),
    ('/', "Slash"),
    (':', "Colon"),
    (';', "Semicolon"),
    ('<', "Lt"),
    ('=', "Eq"),
    ('>', "Gt"),
    ('?', "Question"),
    ('@', "At"),
    ('[', "LBracket"),
    ('\\', "Backslash"),
    (']', "RBracket"),
    ('^', "Caret"),
    ('_', "Underscore"),
    ('`', "Backtick"),
    ('{', "LBrace"),
    ('|', "Pipe"),
    ('}', "RBrace"),
    ('~', "Tilde"),
];

/// The importer's variant name for an enum value that [`enum_variant`] cannot name, or
/// that names a variant already `taken` (the rule is in `specs/README.md`):
/// - a value without letters or digits is spelt out: `""` -> `Empty`, `*` -> `Star`,
///   `>=` -> `GtEq` (other characters as `U` and their code point in hex);
/// - a value named `Unknown` (the variant kept for unlisted values) becomes `UnknownValue`;
/// - a name already taken (`active` after `ACTIVE`) gets the first free number from 2
///   (`Active2`).
///
/// The importer writes the result as the value's `name:`, so the spec shows it.
pub fn fallback_variant(ty: &str, value: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let mut base = enum_variant(ty, value);
    if base.is_empty() {
        base = if value.is_empty() {
            "Empty".to_owned()
        } else {
            value
                .chars()
                .map(|c| match SYMBOLS.iter().find(|(s, _)| *s == c) {
                    Some((_, word)) => (*word).to_owned(),
                    None => format!("U{:X}", u32::from(c)),
                })
                .collect()
        };
    }
    if base == "Unknown" {
        base = "UnknownValue".to_owned();
    }
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|name| !taken(name))
        .unwrap_or(base)
}

/// Type names a generated module cannot use: its own items, the runtime items it imports,
/// and prelude names its code refers to unqualified.
pub const RESERVED_TYPES: &[&str] = &[
    "ErrorCode",
    "IdResolver",
    "SERVICE",
    "Client",
    "Error",
    "Operation",
    "ServiceClient",
    "OperationMeta",
    "RequestParts",
    "ResponseParts",
    "ServiceMeta",
    "Implicit",
    "Model",
    "ObjectReader",
    "ObjectWriter",
    "FieldError",
    "Future",
    "Result",
    "Option",
    "String",
    "Vec",
    "Box",
    "Into",
    "From",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Send",
    "Sync",
    "Sized",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
];

/// Methods every generated client has besides its operations.
pub const CLIENT_METHODS: &[&str] = &["new", "with_endpoint", "endpoint"];

/// Fields every generated response has besides its declared headers.
pub const RESPONSE_FIELDS: &[&str] = &["status", "request_id", "body", "decode_warnings"];

/// The client type of a service: `DataArtsStudio` -> `DataArtsStudioClient`.
pub fn client_type(service: &str) -> String {
    format!("{service}Client")
}

/// The request type of an operation (Rust name).
pub fn request_type(operation: &str) -> String {
    format!("{operation}Request")
}

/// The response type of an operation (Rust name).
pub fn response_type(operation: &str) -> String {
    format!("{operation}Response")
}

/// The method that streams every item of a paged operation's `method`.
pub fn stream_method(method: &str) -> String {
    format!("{method}_stream")
}

/// True when `name` is a plain Rust identifier of letters, digits and `_`.
pub fn is_ident(name: &str) -> bool {
    // `_` alone is a pattern, not a name.
    if name == "_" {
        return false;
    }
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fast paths give heck's names exactly, on names in and near their shapes.
        #[test]
        fn fast_paths_agree_with_heck(name in "[A-Za-z0-9_]{0,12}") {
            if is_snake(&name) {
                proptest::prop_assert_eq!(name.to_snake_case(), name.clone());
            }
            if is_pascal(&name) {
                proptest::prop_assert_eq!(name.to_upper_camel_case(), name.clone());
            }
        }

        #[test]
        fn fast_paths_agree_with_heck_on_likely_names(
            name in "([A-Z][a-z]{1,4}[0-9]{0,2}){1,4}|[a-z0-9]{1,4}(_[a-z0-9]{1,4}){0,3}",
        ) {
            proptest::prop_assert!(is_snake(&name) || is_pascal(&name), "{}", name);
            let heck = if is_snake(&name) { name.to_snake_case() } else { name.to_upper_camel_case() };
            proptest::prop_assert_eq!(heck, name.clone());
        }
    }

    #[test]
    fn fast_path_shapes() {
        for name in [
            "ListServersRequest",
            "Ipv4Address",
            "Ab1C",
            "V2",
            "A1b",
            "Self",
        ] {
            assert!(is_pascal(name), "{name}");
        }
        for name in ["HTTPServer", "A1B", "AB", "listServers", "Ab_c", "", "中文"] {
            assert!(!is_pascal(name), "{name}");
        }
        for name in ["server_id", "v2", "a1_b2", "type", "2fa"] {
            assert!(is_snake(name), "{name}");
        }
        for name in ["_id", "a__b", "id_", "serverId", "", "x-y"] {
            assert!(!is_snake(name), "{name}");
        }
        // The fast paths still make keywords and leading digits identifiers.
        assert_eq!(snake("type"), "type_");
        assert_eq!(pascal("Self"), "Self_");
    }

    #[test]
    fn integer_and_fallback_variants() {
        assert_eq!(int_variant(4), "V4");
        assert_eq!(int_variant(-1), "Minus1");
        assert_eq!(int_variant(i64::MIN), "Minus9223372036854775808");
        let none = |_: &str| false;
        assert_eq!(fallback_variant("State", "", &none), "Empty");
        assert_eq!(fallback_variant("State", "*", &none), "Star");
        assert_eq!(fallback_variant("State", ">=", &none), "GtEq");
        assert_eq!(fallback_variant("State", "\u{3000}", &none), "U3000");
        assert_eq!(fallback_variant("State", "UNKNOWN", &none), "UnknownValue");
        // The type prefix stays when the rest would be `Unknown` (see `enum_variant`).
        assert_eq!(
            fallback_variant("State", "STATE_UNKNOWN", &none),
            "StateUnknown"
        );
        let taken = |n: &str| n == "Active" || n == "Active2";
        assert_eq!(fallback_variant("State", "active", &taken), "Active3");
    }

    #[test]
    fn names() {
        assert_eq!(
            snake("AuthorizeActionApiToInstance"),
            "authorize_action_api_to_instance"
        );
        assert_eq!(snake("metaData"), "meta_data");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("X-Subject-Token"), "x_subject_token");
        assert_eq!(pascal("dlm_type"), "DlmType");
        assert_eq!(variant("APPLY_TYPE_AUTHORIZE"), "ApplyTypeAuthorize");
        assert_eq!(variant("github"), "Github");
        assert_eq!(variant("100449"), "V100449");
        assert_eq!(variant("SVCSTG.REPO.0401"), "SvcstgRepo0401");
        assert_eq!(variant("self"), "Self_");
        assert_eq!(variant("--"), "");
        assert_eq!(variant("数据"), "UE695B0E68DAE");
        assert!(is_ident("_a1") && !is_ident("1a") && !is_ident("a-b") && !is_ident("_"));
    }

    #[test]
    fn enum_variants_lose_the_type_prefix() {
        assert_eq!(
            enum_variant("ApplyType", "APPLY_TYPE_AUTHORIZE"),
            "Authorize"
        );
        assert_eq!(enum_variant("ApplyType", "APPLY_TYPE_RENEW"), "Renew");
        // Not a prefix of the value, or not a whole word of it.
        assert_eq!(enum_variant("DlmType", "SHARED"), "Shared");
        assert_eq!(enum_variant("Foo", "FOOBAR"), "Foobar");
        // Nothing left, a digit, `Unknown` or a keyword left.
        assert_eq!(enum_variant("Apply", "APPLY"), "Apply");
        assert_eq!(enum_variant("Level", "LEVEL_1"), "Level1");
        assert_eq!(enum_variant("Status", "STATUS_UNKNOWN"), "StatusUnknown");
        assert_eq!(enum_variant("Kind", "KIND_SELF"), "Self_");
    }
}
