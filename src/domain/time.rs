//! Carrier timestamps: parsed to UTC when the adapter understands them, always
//! kept verbatim so a date that does not parse is shown as the carrier wrote it.
//! Also how a time is printed for people: always with its zone or offset, and
//! a carrier's text that did not parse labelled as the carrier's own time.

use std::fmt::Display;

use chrono::{DateTime, TimeZone, Utc};

/// What follows a carrier's time text that could not be read as an instant:
/// it is in the carrier's zone, whichever that is.
pub const CARRIER_TIME: &str = "(carrier time)";

/// `at` in `zone`, with its offset: `2026-11-02 10:00:00 +01:00`.
pub fn zoned<Z: TimeZone>(at: DateTime<Utc>, zone: &Z) -> String
where
    Z::Offset: Display,
{
    at.with_timezone(zone)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// A carrier's field value that is a date and time without a zone
/// (`2026-11-02 10:00`), labelled [`CARRIER_TIME`]; any other value as it is.
pub fn label_zoneless(value: &str) -> String {
    let zoneless = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .any(|f| chrono::NaiveDateTime::parse_from_str(value.trim(), f).is_ok());
    if zoneless {
        format!("{value} {CARRIER_TIME}")
    } else {
        value.to_owned()
    }
}

/// A carrier timestamp: the raw text, and the instant when it could be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stamp {
    pub raw: String,
    pub at: Option<DateTime<Utc>>,
}

impl Stamp {
    pub fn new(raw: impl Into<String>, at: Option<DateTime<Utc>>) -> Self {
        Stamp {
            raw: raw.into(),
            at,
        }
    }

    pub fn parsed(at: DateTime<Utc>) -> Self {
        Stamp {
            raw: at.to_rfc3339(),
            at: Some(at),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty() && self.at.is_none()
    }

    /// For people: the instant in `zone` with its offset ([`zoned`]) when
    /// parsed, else the carrier's text as given, labelled [`CARRIER_TIME`];
    /// empty when there is neither.
    pub fn zoned_or_labelled<Z: TimeZone>(&self, zone: &Z) -> String
    where
        Z::Offset: Display,
    {
        match self.at {
            Some(at) => zoned(at, zone),
            None if self.raw.trim().is_empty() => String::new(),
            None => format!("{} {CARRIER_TIME}", self.raw.trim()),
        }
    }

    /// RFC 3339 when parsed, the raw text otherwise.
    pub fn rfc3339_or_raw(&self) -> String {
        match self.at {
            Some(at) => at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            None => self.raw.clone(),
        }
    }
}

/// "3m", "5h", "12d": the compact age used in tables and the header.
pub fn relative_age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    if secs < 0 {
        return "future".into();
    }
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ages_are_compact() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        assert_eq!(relative_age(now - chrono::Duration::seconds(5), now), "5s");
        assert_eq!(relative_age(now - chrono::Duration::minutes(3), now), "3m");
        assert_eq!(relative_age(now - chrono::Duration::hours(5), now), "5h");
        assert_eq!(relative_age(now - chrono::Duration::days(12), now), "12d");
        assert_eq!(relative_age(now + chrono::Duration::days(1), now), "future");
    }

    #[test]
    fn printed_times_say_their_offset_or_that_they_are_the_carriers() {
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let stockholm = chrono_tz::Europe::Stockholm;
        assert_eq!(zoned(at, &stockholm), "2026-11-02 10:00:00 +01:00");
        assert_eq!(zoned(at, &Utc), "2026-11-02 09:00:00 +00:00");
        assert_eq!(
            Stamp::parsed(at).zoned_or_labelled(&stockholm),
            "2026-11-02 10:00:00 +01:00"
        );
        assert_eq!(
            Stamp::new("2026-11-02 10:00", None).zoned_or_labelled(&stockholm),
            "2026-11-02 10:00 (carrier time)"
        );
        assert_eq!(Stamp::default().zoned_or_labelled(&stockholm), "");
        assert_eq!(
            label_zoneless("2026-11-29 10:03"),
            "2026-11-29 10:03 (carrier time)"
        );
        assert_eq!(
            label_zoneless("2026-11-22T14:48:03Z"),
            "2026-11-22T14:48:03Z"
        );
        assert_eq!(label_zoneless("2026-12-05"), "2026-12-05");
        assert_eq!(label_zoneless("Fiber 100"), "Fiber 100");
    }
}
