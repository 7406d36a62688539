use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A `datetime` value as the service sent it.
///
/// Huawei APIs write datetimes in several RFC 3339 variants (`2021-01-01T10:00:00.000Z`,
/// `2024-01-01T00:00:00.000000Z`), and a request must send back exactly what a document
/// shows. So the wire text is kept as is, and [`Timestamp::to_offset_date_time`] parses it
/// on demand; a value that does not parse is still accepted from a server rather than
/// failing the whole response.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(String);

impl Timestamp {
    /// A timestamp from its wire text, checked to be RFC 3339.
    pub fn parse(text: impl Into<String>) -> Result<Self, time::error::Parse> {
        let text = text.into();
        OffsetDateTime::parse(&text, &Rfc3339)?;
        Ok(Timestamp(text))
    }

    /// The wire text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, if the wire text is RFC 3339.
    pub fn to_offset_date_time(&self) -> Result<OffsetDateTime, time::error::Parse> {
        OffsetDateTime::parse(&self.0, &Rfc3339)
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(value: OffsetDateTime) -> Self {
        // Formatting an OffsetDateTime as RFC 3339 fails only for years outside 0..=9999.
        Timestamp(value.format(&Rfc3339).unwrap_or_else(|_| value.to_string()))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Timestamp)
    }
}

impl crate::model::Json for Timestamp {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.0.clone())
    }
    fn read_json(
        span: crate::model::JsonSpan<'_>,
        decoder: &mut crate::model::Decoder,
    ) -> Result<Self, crate::model::FieldError> {
        // Any text is kept (epoch numbers included): see the type's docs.
        decoder.text(span, "a string").map(Timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_wire_text_and_parses() {
        let t = Timestamp::parse("2021-01-01T10:00:00.000Z").unwrap();
        assert_eq!(t.as_str(), "2021-01-01T10:00:00.000Z");
        assert_eq!(
            t.to_offset_date_time().unwrap().unix_timestamp(),
            1_609_495_200
        );
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
