//! Rust names from spec names (via heck), with keywords and digits handled.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (all editions, reserved ones included) that cannot be plain identifiers.
/// [`is_keyword`] is the form the generator uses; a test keeps the two in step.
#[cfg(test)]
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers (`r#self` is invalid).
#[cfg(test)]
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// A snake_case field, parameter or method name, valid as a Rust identifier.
///
/// Keywords get a trailing underscore (`type` -> `type_`) rather than `r#type`: it reads
/// better in user code and works for every keyword. A leading digit gets a `_` prefix.
pub fn snake(name: &str) -> String {
    let mut s = if name.is_ascii() {
        ascii_case(name, Case::Snake)
    } else {
        name.to_snake_case()
    };
    if s.is_empty() {
        s.push('_');
    }
    fix_ident(s)
}

/// A PascalCase type or variant name, valid as a Rust identifier.
pub fn pascal(name: &str) -> String {
    let s = upper_camel(name);
    if s.is_empty() {
        return String::new();
    }
    fix_ident(s)
}

/// True for [`KEYWORDS`] and [`NOT_RAW`]. Asked for every generated name: a `match` (which
/// compares lengths first) instead of a scan of both lists; a test keeps it in step with them.
fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "abstract" | "as" | "async" | "await" | "become" | "box" | "break" | "const"
            | "continue" | "crate" | "do" | "dyn" | "else" | "enum" | "extern" | "false"
            | "final" | "fn" | "for" | "gen" | "if" | "impl" | "in" | "let" | "loop" | "macro"
            | "match" | "mod" | "move" | "mut" | "override" | "priv" | "pub" | "ref"
            | "return" | "self" | "Self" | "static" | "struct" | "super" | "trait" | "true"
            | "try" | "type" | "typeof" | "union" | "unsafe" | "unsized" | "use" | "virtual"
            | "where" | "while" | "yield"
    )
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
    let s = upper_camel(value);
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

fn upper_camel(name: &str) -> String {
    if name.is_ascii() {
        ascii_case(name, Case::UpperCamel)
    } else {
        name.to_upper_camel_case()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Snake,
    UpperCamel,
}

/// heck's `to_snake_case` / `to_upper_camel_case` for ASCII text, without its
/// per-character formatting (names are converted tens of thousands of times for a large
/// spec). It splits words exactly as heck 0.5 does: at every character that is not a
/// letter or digit, before an uppercase letter that follows a lowercase one, and before
/// the last capital of a run followed by a lowercase letter (`HTTPServer` -> `HTTP`,
/// `Server`); digits continue the current word. A test compares the two on arbitrary
/// ASCII strings.
fn ascii_case(name: &str, case: Case) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lowercase,
        Uppercase,
    }
    let mut out = String::with_capacity(name.len() + 4);
    let mut first_word = true;
    let mut push_word = |out: &mut String, word: &[u8]| {
        if case == Case::Snake && !first_word {
            out.push('_');
        }
        first_word = false;
        for (i, b) in word.iter().enumerate() {
            let c = if case == Case::UpperCamel && i == 0 {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            };
            out.push(char::from(c));
        }
    };
    for word in name.as_bytes().split(|b| !b.is_ascii_alphanumeric()) {
        let mut init = 0;
        let mut mode = Mode::Boundary;
        for i in 0..word.len() {
            let c = word[i];
            let Some(&next) = word.get(i + 1) else {
                push_word(&mut out, &word[init..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lowercase
            } else if c.is_ascii_uppercase() {
                Mode::Uppercase
            } else {
                mode
            };
            if next_mode == Mode::Lowercase && next.is_ascii_uppercase() {
                push_word(&mut out, &word[init..=i]);
                init = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Uppercase && c.is_ascii_uppercase() && next.is_ascii_lowercase()
            {
                push_word(&mut out, &word[init..i]);
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
    out
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// The ASCII conversions are heck's, character for character.
        #[test]
        fn ascii_case_is_hecks(name in "[a-zA-Z0-9_ .$-]{0,24}") {
            proptest::prop_assert_eq!(ascii_case(&name, Case::Snake), name.to_snake_case());
            proptest::prop_assert_eq!(
                ascii_case(&name, Case::UpperCamel),
                name.to_upper_camel_case()
            );
        }

        #[test]
        fn ascii_case_is_hecks_on_any_ascii(name in "[\\x00-\\x7f]{0,16}") {
            proptest::prop_assert_eq!(ascii_case(&name, Case::Snake), name.to_snake_case());
            proptest::prop_assert_eq!(
                ascii_case(&name, Case::UpperCamel),
                name.to_upper_camel_case()
            );
        }
    }

    #[test]
    fn keyword_match_is_the_lists() {
        for k in KEYWORDS.iter().chain(NOT_RAW) {
            assert!(is_keyword(k), "{k}");
        }
        let count = |list: &[&str]| list.iter().filter(|k| is_keyword(k)).count();
        assert_eq!(count(KEYWORDS), KEYWORDS.len());
        // Nothing else: every name the match accepts is in a list.
        for word in ["", "Type", "types", "selff", "r#type", "asy", "_", "Super", "CRATE"] {
            assert!(!is_keyword(word), "{word}");
        }
    }

    #[test]
    fn ascii_case_examples() {
        for name in [
            "", "_", "__a__b", "HTTPServer", "ABC", "aB", "Ab", "a1B", "A1b", "ID2Name", "getHTTPSUrl",
            "x-subject-token", "X_Auth_Token", "a..b", "9lives", "ListV2Jobs", "aBC1d", "A", "a",
        ] {
            assert_eq!(ascii_case(name, Case::Snake), name.to_snake_case(), "{name}");
            assert_eq!(ascii_case(name, Case::UpperCamel), name.to_upper_camel_case(), "{name}");
        }
    }
}
