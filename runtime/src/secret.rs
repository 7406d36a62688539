use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};

/// A secret value (SK, password, client secret, token).
///
/// `Debug` and `Display` print `***` so a secret never reaches a log line or an error
/// message by accident; [`Secret::expose`] is the one way to read it. The value is held
/// by `secrecy`, which overwrites it with zeros when it is dropped (copies made to sign
/// or send a request are ordinary strings).
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The secret value itself. Call it only where the value goes onto the wire.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl Default for Secret {
    fn default() -> Self {
        Secret::new(String::new())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

// Bodies carry secrets on the wire (passwords, client secrets), so they serialise as the
// plain value; only the formatting traits redact.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl crate::model::Json for Secret {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.expose().to_owned())
    }
    fn read_json(
        span: crate::model::JsonSpan<'_>,
        decoder: &mut crate::model::Decoder,
    ) -> Result<Self, crate::model::FieldError> {
        // An error never quotes what was found in place of a secret.
        decoder.unquoted(|decoder| decoder.text(span, "a string").map(Secret::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_redacts() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.to_string(), "***");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(s, Secret::from("hunter2"));
        assert_ne!(s, Secret::default());
        assert_eq!(Secret::default().expose(), "");
    }
}
