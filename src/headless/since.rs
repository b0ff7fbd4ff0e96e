//! `journal --since WHEN`: a date, a date and time, `today`, `yesterday`,
//! or an age (`30m`, `2h`, `3d`, `1w`). Read by the command line's parser
//! ([`Since::parse`], whose error names every format); resolved to an
//! instant later, in the zone the times are printed in ([`Since::start`]).
//! Pure: the clock is a parameter.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// What `--since` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// From the start of this day.
    Date(NaiveDate),
    /// From this wall-clock time.
    Local(NaiveDateTime),
    /// From this instant (the text had an offset).
    Instant(DateTime<Utc>),
    /// From the start of today, less this many days.
    DaysBack(u32),
    /// From this long ago.
    Ago(Duration),
}

/// What `--since` accepts, for its error and its help.
pub const SINCE_FORMATS: &str = "a date (2026-11-02), a date and time (2026-11-02 14:30, \
     or 2026-11-02T14:30:00+01:00 with an offset), today, yesterday, or an age like 30m, 2h, 3d, 1w";

impl Since {
    /// Reads what the user typed; the error says every accepted format.
    pub fn parse(text: &str) -> Result<Since, String> {
        let t = text.trim();
        let lower = t.to_lowercase();
        let parsed = match lower.as_str() {
            "today" => Some(Since::DaysBack(0)),
            "yesterday" => Some(Since::DaysBack(1)),
            _ => None,
        }
        .or_else(|| age(&lower).map(Since::Ago))
        .or_else(|| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .map(Since::Date)
        })
        .or_else(|| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|d| Since::Instant(d.with_timezone(&Utc)))
        })
        .or_else(|| {
            [
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
            .map(Since::Local)
        });
        parsed.ok_or_else(|| format!("{t:?} is not a time; give {SINCE_FORMATS}"))
    }

    /// The instant it means at `now`, with dates and wall-clock times read
    /// in `zone` (a time that does not exist there, in a clock change, is
    /// taken an hour later).
    pub fn start<Z: TimeZone>(&self, now: DateTime<Utc>, zone: &Z) -> DateTime<Utc> {
        let wall = |t: NaiveDateTime| {
            zone.from_local_datetime(&t)
                .earliest()
                .or_else(|| {
                    zone.from_local_datetime(&(t + Duration::hours(1)))
                        .earliest()
                })
                .map_or_else(|| t.and_utc(), |d| d.with_timezone(&Utc))
        };
        match *self {
            Since::Date(d) => wall(d.and_time(NaiveTime::MIN)),
            Since::Local(t) => wall(t),
            Since::Instant(at) => at,
            Since::DaysBack(days) => {
                let today = now.with_timezone(zone).date_naive();
                wall((today - Duration::days(i64::from(days))).and_time(NaiveTime::MIN))
            }
            Since::Ago(d) => now - d,
        }
    }
}

/// `30m`, `2h`, `3d`, `1w` (a whole number and a unit).
fn age(text: &str) -> Option<Duration> {
    let unit = text.chars().last()?;
    let n: i64 = text.get(..text.len() - unit.len_utf8())?.parse().ok()?;
    if !(0..=100_000).contains(&n) {
        return None;
    }
    match unit {
        'm' => Some(Duration::minutes(n)),
        'h' => Some(Duration::hours(n)),
        'd' => Some(Duration::days(n)),
        'w' => Some(Duration::weeks(n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn every_documented_format_resolves_in_the_zone() {
        let now = at("2026-11-30T01:30:00Z");
        let sthlm = chrono_tz::Europe::Stockholm;
        let start = |text: &str| Since::parse(text).expect(text).start(now, &sthlm);
        assert_eq!(start("2026-11-02"), at("2026-11-01T23:00:00Z"));
        assert_eq!(start("2026-11-02 14:30"), at("2026-11-02T13:30:00Z"));
        assert_eq!(start("2026-11-02T14:30:05"), at("2026-11-02T13:30:05Z"));
        assert_eq!(
            start("2026-11-02T14:30:00+03:00"),
            at("2026-11-02T11:30:00Z")
        );
        // 01:30 UTC is 02:30 in Stockholm: today began at 23:00 UTC.
        assert_eq!(start("today"), at("2026-11-29T23:00:00Z"));
        assert_eq!(start("Yesterday"), at("2026-11-28T23:00:00Z"));
        assert_eq!(start("2h"), at("2026-11-29T23:30:00Z"));
        assert_eq!(start("3d"), at("2026-11-27T01:30:00Z"));
        assert_eq!(start("30m"), at("2026-11-30T01:00:00Z"));
        assert_eq!(start("1w"), at("2026-11-23T01:30:00Z"));
        assert_eq!(
            Since::parse("2026-11-02").expect("date").start(now, &Utc),
            at("2026-11-02T00:00:00Z")
        );
    }

    #[test]
    fn anything_else_is_refused_naming_the_formats() {
        for bad in ["last week", "2x", "-2h", "2026-13-01", "h", ""] {
            let e = Since::parse(bad).expect_err(bad);
            assert!(
                e.contains("2026-11-02") && e.contains("yesterday") && e.contains("2h"),
                "{e}"
            );
        }
    }
}
