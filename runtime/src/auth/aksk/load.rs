//! Loading AK/SK credentials from the environment and the profile file, as the official
//! SDKs' default chain does.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{
    ENV_AK, ENV_CREDENTIALS_FILE, ENV_FALLBACK_AK, ENV_FALLBACK_SK, ENV_SECURITY_TOKEN, ENV_SK,
    Scope,
};
use crate::{Error, Secret};

/// What a source yielded.
pub(super) struct Found {
    pub(super) ak: String,
    pub(super) sk: Secret,
    pub(super) security_token: Option<Secret>,
    pub(super) id: Option<String>,
}

pub(super) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A variable's value, trimmed; empty counts as unset.
fn var(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub(super) fn env_pairs() -> String {
    format!("{ENV_AK} and {ENV_SK} (or {ENV_FALLBACK_AK} and {ENV_FALLBACK_SK})")
}

pub(super) fn load_env(
    lookup: &dyn Fn(&str) -> Option<String>,
    scope: Scope,
) -> Result<Option<Found>, Error> {
    let pair = match env_pair(lookup, ENV_AK, ENV_SK)? {
        Some(pair) => Some(pair),
        None => env_pair(lookup, ENV_FALLBACK_AK, ENV_FALLBACK_SK)?,
    };
    Ok(pair.map(|(ak, sk)| Found {
        ak,
        sk: Secret::new(sk),
        security_token: var(lookup, ENV_SECURITY_TOKEN).map(Secret::new),
        id: var(lookup, scope.id_var()),
    }))
}

/// Both variables, neither (`None`), or an error naming the missing one.
fn env_pair(
    lookup: &dyn Fn(&str) -> Option<String>,
    ak_name: &str,
    sk_name: &str,
) -> Result<Option<(String, String)>, Error> {
    match (var(lookup, ak_name), var(lookup, sk_name)) {
        (Some(ak), Some(sk)) => Ok(Some((ak, sk))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::credentials(format!(
            "{ak_name} is set in the environment but {sk_name} is not; set both or neither"
        ))),
        (None, Some(_)) => Err(Error::credentials(format!(
            "{sk_name} is set in the environment but {ak_name} is not; set both or neither"
        ))),
    }
}

/// Why the profile gave no credentials.
pub(super) enum ProfileMiss {
    /// Neither the file variable nor a home directory is set.
    NoPath,
    /// The file does not exist; `origin` says how its path was chosen.
    NotFound { path: PathBuf, origin: &'static str },
    /// The file has no section for the scope.
    NoSection {
        path: PathBuf,
        section: &'static str,
    },
    /// The file is unreadable or invalid: reported as is, even at the end of a chain.
    Invalid(Error),
}

impl ProfileMiss {
    /// The part of a sentence saying what was tried.
    fn describe(&self) -> String {
        match self {
            ProfileMiss::NoPath => format!(
                "no credentials file could be located because neither {ENV_CREDENTIALS_FILE} nor HOME is set"
            ),
            ProfileMiss::NotFound { path, origin } => format!(
                "the credentials file {} ({origin}) does not exist",
                path.display()
            ),
            ProfileMiss::NoSection { path, section } => format!(
                "the credentials file {} has no [{section}] section",
                path.display()
            ),
            ProfileMiss::Invalid(e) => e.to_string(),
        }
    }

    pub(super) fn into_error(self) -> Error {
        match self {
            ProfileMiss::Invalid(e) => e,
            miss => Error::credentials(format!("no AK/SK in a profile: {}", miss.describe())),
        }
    }
}

pub(super) fn load_profile(
    lookup: &dyn Fn(&str) -> Option<String>,
    scope: Scope,
) -> Result<Found, ProfileMiss> {
    let (path, origin) = if let Some(file) = var(lookup, ENV_CREDENTIALS_FILE) {
        (
            PathBuf::from(file),
            "named by HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        )
    } else if let Some(home) = var(lookup, "HOME").or_else(|| var(lookup, "USERPROFILE")) {
        (
            Path::new(&home).join(".huaweicloud").join("credentials"),
            "the default; set HUAWEICLOUD_SDK_CREDENTIALS_FILE to read another",
        )
    } else {
        return Err(ProfileMiss::NoPath);
    };
    read_profile(&path, origin, scope)
}

pub(super) fn read_profile(
    path: &Path,
    origin: &'static str,
    scope: Scope,
) -> Result<Found, ProfileMiss> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let origin = if origin.is_empty() {
                "as given"
            } else {
                origin
            };
            return Err(ProfileMiss::NotFound {
                path: path.to_owned(),
                origin,
            });
        }
        Err(e) => {
            return Err(ProfileMiss::Invalid(Error::credentials(format!(
                "the credentials file {} could not be read: {e}",
                path.display()
            ))));
        }
    };
    let section = scope.section();
    let Some(mut values) = ini_section(&text, section, path).map_err(ProfileMiss::Invalid)? else {
        return Err(ProfileMiss::NoSection {
            path: path.to_owned(),
            section,
        });
    };
    let mut take = |key: &str| values.remove(key).filter(|v| !v.is_empty());
    let (ak, sk) = match (take("ak"), take("sk")) {
        (Some(ak), Some(sk)) => (ak, sk),
        (ak, sk) => {
            let missing = match (ak.is_none(), sk.is_none()) {
                (true, true) => "the keys ak and sk",
                (true, false) => "the key ak",
                _ => "the key sk",
            };
            return Err(ProfileMiss::Invalid(Error::credentials(format!(
                "the [{section}] section of the credentials file {} lacks {missing}",
                path.display()
            ))));
        }
    };
    Ok(Found {
        ak,
        sk: Secret::new(sk),
        security_token: take("security_token").map(Secret::new),
        id: take(scope.id_key()),
    })
}

/// The `key = value` pairs of section `wanted` (keys lowercased; later keys win), or
/// `None` when the section does not appear. Errors never quote a line: it may hold a key.
fn ini_section(
    text: &str,
    wanted: &str,
    path: &Path,
) -> Result<Option<HashMap<String, String>>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found: Option<HashMap<String, String>> = None;
    let mut in_wanted = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or_else(|| {
                Error::credentials(format!(
                    "line {} of the credentials file {} opens a section without closing it with ']'",
                    index + 1,
                    path.display()
                ))
            })?;
            in_wanted = name.trim() == wanted;
            if in_wanted && found.is_none() {
                found = Some(HashMap::new());
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(Error::credentials(format!(
                "line {} of the credentials file {} is neither a [section], a key = value pair nor a comment",
                index + 1,
                path.display()
            )));
        };
        if in_wanted && let Some(values) = found.as_mut() {
            values.insert(
                key.trim().to_ascii_lowercase(),
                unquote(value.trim()).to_owned(),
            );
        }
    }
    Ok(found)
}

/// `"value"` or `'value'` without the quotes; anything else as is.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

pub(super) fn default_chain(
    lookup: &dyn Fn(&str) -> Option<String>,
    scope: Scope,
) -> Result<Found, Error> {
    if let Some(found) = load_env(lookup, scope)? {
        return Ok(found);
    }
    match load_profile(lookup, scope) {
        Ok(found) => Ok(found),
        Err(ProfileMiss::Invalid(e)) => Err(e),
        Err(miss) => Err(Error::credentials(format!(
            "no AK/SK credentials found: neither {ENV_AK} and {ENV_SK} nor {ENV_FALLBACK_AK} and {ENV_FALLBACK_SK} are set in the environment, and {}",
            miss.describe()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_comments_quotes() {
        let text = "\u{feff}; top\nstray = 1\n[basic]\n  AK = a1 \n# c\nsk=\"s=1\"\n\n[global]\nak=g\n[basic]\nproject_id = 'p'\n";
        let path = Path::new("/x");
        let basic = ini_section(text, "basic", path)
            .expect("parse")
            .expect("section");
        assert_eq!(basic.get("ak").map(String::as_str), Some("a1"));
        assert_eq!(basic.get("sk").map(String::as_str), Some("s=1"));
        assert_eq!(basic.get("project_id").map(String::as_str), Some("p"));
        assert!(ini_section(text, "other", path).expect("parse").is_none());
        let err = ini_section("[basic]\nak SECRETLINE\n", "basic", path).expect_err("bad line");
        assert!(!err.to_string().contains("SECRETLINE"), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
