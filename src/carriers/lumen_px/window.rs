//! The `pxNewOrders` date windows: from a first day to today inclusive, in
//! windows of at most 7 days, `toDate` exclusive (so the last window ends
//! tomorrow), dates written `MM/DD/YYYY`. A window longer than 7 days (the
//! carrier's 2090) is never produced. Pure.

use chrono::{Days, NaiveDate};

/// The longest span one `pxNewOrders` call may cover, in days.
pub const MAX_DAYS: u64 = 7;

/// `[from, to)` windows covering `first..=today`, each at most
/// [`MAX_DAYS`] long, contiguous, the last ending at `today + 1`. A `first`
/// after `today` gives the single day `today`.
pub fn windows(first: NaiveDate, today: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let first = first.min(today);
    let Some(end) = today.checked_add_days(Days::new(1)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut from = first;
    while from < end {
        let to = from
            .checked_add_days(Days::new(MAX_DAYS))
            .map_or(end, |t| t.min(end));
        out.push((from, to));
        from = to;
    }
    out
}

/// A date as `pxNewOrders` wants it.
pub fn us_date(date: NaiveDate) -> String {
    date.format("%m/%d/%Y").to_string()
}

/// Reads a `MM/DD/YYYY` date (the simulator's check).
pub fn parse_us_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let parts: Vec<&str> = t.split('/').collect();
    if parts.len() != 3 || parts[0].len() != 2 || parts[1].len() != 2 || parts[2].len() != 4 {
        return None;
    }
    NaiveDate::parse_from_str(t, "%m/%d/%Y").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_document_examples() {
        assert_eq!(
            windows(d(2020, 10, 10), d(2020, 10, 10)),
            vec![(d(2020, 10, 10), d(2020, 10, 11))]
        );
        assert_eq!(
            windows(d(2020, 10, 10), d(2020, 10, 16)),
            vec![(d(2020, 10, 10), d(2020, 10, 17))]
        );
        assert_eq!(us_date(d(2020, 10, 10)), "10/10/2020");
        assert_eq!(parse_us_date("10/17/2020"), Some(d(2020, 10, 17)));
        assert_eq!(parse_us_date("2020-10-17"), None);
        assert_eq!(parse_us_date("1/7/2020"), None);
    }

    /// Property: for any first day and today, the windows are at most 7
    /// days, contiguous, cover every day once, and end tomorrow (exclusive).
    #[test]
    fn windows_hold_for_every_since_and_today() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut cases = vec![
            (d(2024, 2, 25), d(2024, 3, 2)),
            (d(2024, 2, 29), d(2024, 2, 29)),
            (d(2023, 12, 28), d(2024, 1, 5)),
            (d(2019, 1, 31), d(2026, 11, 29)),
            (d(2026, 1, 31), d(2026, 3, 1)),
            (d(2026, 12, 1), d(2026, 11, 29)),
        ];
        for _ in 0..2000 {
            let today = d(2020, 1, 1) + Days::new(next() % 3000);
            let back = next() % 3000;
            let first = today.checked_sub_days(Days::new(back)).unwrap();
            cases.push((first, today));
        }
        for (first, today) in cases {
            let w = windows(first, today);
            let tomorrow = today + Days::new(1);
            assert!(!w.is_empty());
            assert_eq!(w[0].0, first.min(today), "{first} {today}");
            assert_eq!(w.last().unwrap().1, tomorrow, "{first} {today}");
            for (from, to) in &w {
                let span = (*to - *from).num_days();
                assert!((1..=7).contains(&span), "{from} {to}");
            }
            for pair in w.windows(2) {
                assert_eq!(pair[0].1, pair[1].0);
            }
            let days: i64 = w.iter().map(|(f, t)| (*t - *f).num_days()).sum();
            assert_eq!(days, (tomorrow - first.min(today)).num_days());
        }
    }
}
