//! Carrier timestamps: parsed to UTC when the adapter understands them, always
//! kept verbatim so a date that does not parse is shown as the carrier wrote it.

use chrono::{DateTime, Utc};

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
}
