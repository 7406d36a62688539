//! The `X-Sdk-Date` timestamp: formatting and validation.

use std::time::{SystemTime, UNIX_EPOCH};

use super::SignError;

/// Formats `t` as an `X-Sdk-Date` value, `YYYYMMDDTHHMMSSZ` in UTC (seconds truncated).
///
/// Times before 1970 are handled (proleptic Gregorian calendar); the result only has the
/// 16-character form for years 0 to 9999.
pub fn sdk_date(t: SystemTime) -> String {
    // A clock outside the years 0..=9999 is broken; clamp rather than panic.
    let at = time::OffsetDateTime::from_unix_timestamp(unix_seconds(t)).unwrap_or(
        if unix_seconds(t) < 0 {
            time::PrimitiveDateTime::MIN.assume_utc()
        } else {
            time::PrimitiveDateTime::MAX.assume_utc()
        },
    );
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Whole seconds since the epoch, rounded towards the past.
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let s = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                (-s).saturating_sub(1)
            } else {
                -s
            }
        }
    }
}

/// Checks the `YYYYMMDDTHHMMSSZ` form.
pub(super) fn validate_date(date: &str) -> Result<(), SignError> {
    let b = date.as_bytes();
    let ok = b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z';
    if ok {
        Ok(())
    } else {
        Err(SignError::InvalidDate(date.to_owned()))
    }
}
