//! The portal's timestamps: local wall-clock times without a zone
//! ("2015-10-06 12:39", "2015-10-06 12:39:00", a bare "2015-10-06"), read in
//! the carrier's configured zone (default Europe/Stockholm) and kept verbatim.
//! Pure; never panics.
//!
//! Choices: a time in the spring-forward gap (02:30 on the last Sunday of
//! March) is read as the same wall time one hour later (the clock the portal
//! probably meant); an ambiguous autumn time takes the earlier instant. RFC
//! 3339 with an offset is accepted too. Anything else (including MySQL's
//! `0000-00-00 00:00:00`) keeps only its raw text, shown as written.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::{Stamp, sanitize};

/// Formats the portal writes (and we accept).
const FORMATS: [&str; 3] = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"];

/// Reads a portal time in `tz`.
pub fn stamp(raw: &str, tz: Tz) -> Stamp {
    let raw = sanitize(raw.trim());
    let at = parse_local(&raw, tz);
    Stamp { raw, at }
}

/// The instant a portal time means, if it can be read.
pub fn parse_local(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let naive = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    local_to_utc(naive, tz)
}

/// A local wall-clock time in `tz` as UTC, with the gap/overlap rules above.
pub fn local_to_utc(naive: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(early, _) => Some(early.with_timezone(&Utc)),
        LocalResult::None => {
            let later = naive.checked_add_signed(chrono::Duration::hours(1))?;
            tz.from_local_datetime(&later)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
        }
    }
}

/// A UTC instant as the portal writes it (`YYYY-MM-DD HH:MM:SS`, local).
pub fn format_local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    fn utc(text: &str) -> Option<DateTime<Utc>> {
        Some(
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn document_formats_in_stockholm() {
        assert_eq!(
            parse_local("2015-10-06 12:39", Stockholm),
            utc("2015-10-06T10:39:00Z")
        );
        assert_eq!(
            parse_local("2015-10-06 12:39:00", Stockholm),
            utc("2015-10-06T10:39:00Z")
        );
        assert_eq!(
            parse_local("2015-10-06", Stockholm),
            utc("2015-10-05T22:00:00Z")
        );
        assert_eq!(
            parse_local("2015-01-06 12:00", Stockholm),
            utc("2015-01-06T11:00:00Z")
        );
    }

    #[test]
    fn dst_gap_and_overlap_do_not_panic() {
        // 2021-03-28 02:30 does not exist in Stockholm; read as 03:30 CEST.
        assert_eq!(
            parse_local("2021-03-28 02:30", Stockholm),
            utc("2021-03-28T01:30:00Z")
        );
        // 2021-10-31 02:30 happens twice; the earlier (CEST) is taken.
        assert_eq!(
            parse_local("2021-10-31 02:30", Stockholm),
            utc("2021-10-31T00:30:00Z")
        );
    }

    #[test]
    fn unparsable_keeps_raw() {
        let s = stamp(" 0000-00-00 00:00:00 ", Stockholm);
        assert_eq!(s.raw, "0000-00-00 00:00:00");
        assert_eq!(s.at, None);
        assert_eq!(stamp("igår\u{1b}[2J", Stockholm).raw, "igår");
    }
}
