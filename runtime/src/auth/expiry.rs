//! When a token expires, from what its service said: the checked conversions the
//! generated token glue calls.
//!
//! Token responses are server values like any other: a lifetime may be negative, huge,
//! fractional or text, an expiry date may be garbage or outside what the platform's clock
//! can represent. `SystemTime + Duration` panics on overflow, so nothing here uses it:
//! every conversion is checked, and a value that does not give an instant gives `None`,
//! which the token cache treats as "expiry unknown" (its default lifetime applies).

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Secret, Timestamp};

/// `now` plus a lifetime in seconds (a token response's `expires_in`); `None` when the
/// value is absent, negative, not a whole number or too large for the clock.
pub fn from_lifetime<S: Seconds + ?Sized>(
    now: SystemTime,
    seconds: Option<&S>,
) -> Option<SystemTime> {
    now.checked_add(Duration::from_secs(seconds?.seconds()?))
}

/// A token response's lifetime (`expires_in`) in whole seconds; `None` when the value is
/// absent, negative, not a whole number or not a number.
pub fn seconds<S: Seconds + ?Sized>(value: Option<&S>) -> Option<u64> {
    value?.seconds()
}

/// The instant a token response's `expires_at` names; `None` when the value is absent,
/// not RFC 3339 or outside what the clock can represent.
pub fn from_instant<D: DateTime + ?Sized>(at: Option<&D>) -> Option<SystemTime> {
    let at = at?.date_time()?;
    let seconds = at.unix_timestamp();
    let nanos = Duration::from_nanos(u64::from(at.nanosecond()));
    let whole = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds.unsigned_abs()))
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(Duration::from_secs(seconds.unsigned_abs()))
    };
    whole?.checked_add(nanos)
}

/// A value a spec may declare as a token's lifetime in seconds.
pub trait Seconds {
    /// The whole, non-negative number of seconds, if the value is one.
    fn seconds(&self) -> Option<u64>;
}

impl Seconds for i32 {
    fn seconds(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}

impl Seconds for i64 {
    fn seconds(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}

impl Seconds for f64 {
    fn seconds(&self) -> Option<u64> {
        // `as` saturates; the range check keeps saturated values out.
        (self.is_finite() && *self >= 0.0 && self.fract() == 0.0 && *self < u64::MAX as f64)
            .then_some(*self as u64)
    }
}

impl Seconds for str {
    fn seconds(&self) -> Option<u64> {
        let text = self.trim();
        text.parse::<u64>()
            .ok()
            .or_else(|| text.parse::<f64>().ok()?.seconds())
    }
}

impl Seconds for String {
    fn seconds(&self) -> Option<u64> {
        self.as_str().seconds()
    }
}

impl Seconds for Secret {
    fn seconds(&self) -> Option<u64> {
        self.expose().seconds()
    }
}

impl Seconds for serde_json::Value {
    fn seconds(&self) -> Option<u64> {
        match self {
            serde_json::Value::Number(n) => n.as_u64().or_else(|| n.as_f64()?.seconds()),
            serde_json::Value::String(s) => s.seconds(),
            _ => None,
        }
    }
}

/// A value a spec may declare as a token's expiry instant.
pub trait DateTime {
    /// The instant, if the value is an RFC 3339 date-time.
    fn date_time(&self) -> Option<OffsetDateTime>;
}

impl DateTime for Timestamp {
    fn date_time(&self) -> Option<OffsetDateTime> {
        self.to_offset_date_time().ok()
    }
}

impl DateTime for str {
    fn date_time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(self.trim(), &Rfc3339).ok()
    }
}

impl DateTime for String {
    fn date_time(&self) -> Option<OffsetDateTime> {
        self.as_str().date_time()
    }
}

impl DateTime for Secret {
    fn date_time(&self) -> Option<OffsetDateTime> {
        self.expose().date_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn lifetimes_are_whole_non_negative_seconds_that_fit() {
        let now = at(1_700_000_000);
        assert_eq!(from_lifetime(now, Some(&3600_i64)), Some(at(1_700_003_600)));
        assert_eq!(from_lifetime(now, Some(&3600_i32)), Some(at(1_700_003_600)));
        assert_eq!(
            from_lifetime(now, Some(&7200.0_f64)),
            Some(at(1_700_007_200))
        );
        assert_eq!(from_lifetime(now, Some(" 7200 ")), Some(at(1_700_007_200)));
        assert_eq!(
            from_lifetime(now, Some(&serde_json::json!(60))),
            Some(at(1_700_000_060))
        );
        for bad in [-1_i64, i64::MIN, i64::MAX] {
            assert_eq!(from_lifetime(now, Some(&bad)), None, "{bad}");
        }
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY, 1e308, u64::MAX as f64] {
            assert_eq!(from_lifetime(now, Some(&bad)), None, "{bad}");
        }
        for bad in ["", "abc", "-5", "1e400", "NaN"] {
            assert_eq!(from_lifetime(now, Some(bad)), None, "{bad}");
        }
        assert_eq!(from_lifetime(now, Some(&u64::MAX.to_string())), None);
        assert_eq!(from_lifetime::<i64>(now, None), None);
    }

    #[test]
    fn instants_are_rfc3339_within_the_clock() {
        let t = Timestamp::parse("2024-06-01T12:00:00.5Z").unwrap();
        assert_eq!(
            from_instant(Some(&t)),
            Some(at(1_717_243_200) + Duration::from_millis(500))
        );
        assert_eq!(
            from_instant(Some("1969-12-31T23:59:59Z")),
            Some(at(0) - Duration::from_secs(1))
        );
        assert!(from_instant(Some("9999-12-31T23:59:59Z")).is_some());
        for bad in [
            "",
            "tomorrow",
            "2024-13-01T00:00:00Z",
            "+999999-12-31T23:59:59Z",
        ] {
            assert_eq!(from_instant(Some(bad)), None, "{bad}");
        }
        assert_eq!(from_instant::<Timestamp>(None), None);
    }
}
