//! The wallboard's figures as data: the settings that judge them (amber and
//! red thresholds, the service-level rule, the page rotation), the figures
//! themselves ([`Board`]: headline tiles, one row per carrier with its
//! ageing buckets, the oldest attention items) and the hourly trend read from
//! the store ([`HourlyTrend`]). [`Board::compute`] derives them from order
//! summaries, each carrier's health and a clock passed in. Pure: no I/O, no
//! clock reads; the console, the wallboard and `orderdesk stats` all use it.
//!
//! Choices where the issue is silent:
//! - **Service level.** The config has no per-carrier SLA; an open order
//!   breaches its service level when it is in stage `new` and was created
//!   longer ago than `[wallboard] sla_new` (default 4 h: nobody took it in),
//!   or when it needs attention and has not changed for longer than
//!   `sla_attention` (default 1 d). An order breaching both counts once.
//! - **Attention age** is the time since the order last changed (its
//!   summary's `updated`, else `created`): the carrier does not say when an
//!   order started to need attention, and "untouched for 2 d" is what a
//!   lead acts on.
//! - **Open age** (oldest open, ageing buckets) is the time since creation;
//!   an open order whose creation date did not parse is counted in the
//!   tiles and stages but in no age bucket, and says so (`unknown_age`).
//! - **Today** is the local day in the display zone (new: created today;
//!   done: in stage done and changed today).
//! - A threshold is reached at its value (`attention = { amber = 20 }`:
//!   20 is amber); red wins over amber.

mod figures;
mod trend;

use std::fmt;

use chrono::{DateTime, Duration, Utc};

pub use figures::{AttentionItem, Board, CarrierRow, Tile, TileKind};
pub use trend::HourlyTrend;

/// How far past its thresholds a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Ok,
    Amber,
    Red,
}

impl Level {
    /// A glyph that reads without colour (`!` amber, `!!` red).
    pub fn glyph(self) -> &'static str {
        match self {
            Level::Ok => "",
            Level::Amber => "!",
            Level::Red => "!!",
        }
    }

    /// The level in words, for captions and `stats`.
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Amber => "AMBER",
            Level::Red => "RED",
        }
    }
}

/// Amber and red marks of one figure; either may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Threshold<T> {
    pub amber: Option<T>,
    pub red: Option<T>,
}

impl<T: PartialOrd + Copy> Threshold<T> {
    pub const fn none() -> Self {
        Threshold {
            amber: None,
            red: None,
        }
    }

    /// The level of `value`: at or past red is red, at or past amber amber.
    pub fn level(&self, value: T) -> Level {
        if self.red.is_some_and(|r| value >= r) {
            Level::Red
        } else if self.amber.is_some_and(|a| value >= a) {
            Level::Amber
        } else {
            Level::Ok
        }
    }

    /// The level of an optional value (none is ok).
    pub fn level_of(&self, value: Option<T>) -> Level {
        value.map_or(Level::Ok, |v| self.level(v))
    }
}

/// The thresholds of `[wallboard]`, one per figure that can carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub open: Threshold<u64>,
    pub attention: Threshold<u64>,
    pub breaching: Threshold<u64>,
    pub new_today: Threshold<u64>,
    pub oldest_open: Threshold<Duration>,
    pub oldest_attention: Threshold<Duration>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            open: Threshold::none(),
            attention: Threshold::none(),
            breaching: Threshold {
                amber: Some(1),
                red: Some(10),
            },
            new_today: Threshold::none(),
            oldest_open: Threshold::none(),
            oldest_attention: Threshold {
                amber: Some(Duration::hours(4)),
                red: Some(Duration::days(1)),
            },
        }
    }
}

/// The service-level rule (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceLevel {
    /// A `new` order older than this breaches.
    pub new_within: Duration,
    /// An order needing attention unchanged for longer than this breaches.
    pub attention_within: Duration,
}

impl Default for ServiceLevel {
    fn default() -> Self {
        ServiceLevel {
            new_within: Duration::hours(4),
            attention_within: Duration::days(1),
        }
    }
}

impl ServiceLevel {
    /// Whether an open order breaches: `created_age` since creation,
    /// `idle` since its last change.
    pub fn breached(
        &self,
        stage: crate::domain::Stage,
        attention: bool,
        created_age: Option<Duration>,
        idle: Option<Duration>,
    ) -> bool {
        let new_late =
            stage == crate::domain::Stage::New && created_age.is_some_and(|a| a > self.new_within);
        let attention_late = attention && idle.is_some_and(|a| a > self.attention_within);
        stage.is_open() && (new_late || attention_late)
    }
}

/// Everything `[wallboard]` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardSettings {
    pub thresholds: Thresholds,
    pub service: ServiceLevel,
    /// How long a page shows when the board does not fit on one.
    pub rotate: Duration,
}

impl Default for BoardSettings {
    fn default() -> Self {
        BoardSettings {
            thresholds: Thresholds::default(),
            service: ServiceLevel::default(),
            rotate: Duration::seconds(20),
        }
    }
}

/// The ageing buckets of open orders, by time since creation.
pub const AGE_BUCKETS: [&str; 6] = ["<1h", "1h-1d", "1-3d", "3-7d", "7-30d", ">30d"];

/// The bucket (index into [`AGE_BUCKETS`]) of an age: lower edge
/// included, so exactly 1 h is `1h-1d` and exactly 30 d is `>30d`.
pub fn age_bucket(age: Duration) -> usize {
    let edges = [
        Duration::hours(1),
        Duration::days(1),
        Duration::days(3),
        Duration::days(7),
        Duration::days(30),
    ];
    edges.iter().take_while(|edge| age >= **edge).count()
}

/// A carrier's health as the wallboard shows it (the header chip's states).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Ok,
    Syncing,
    RateLimited {
        until: DateTime<Utc>,
    },
    Error(String),
    QuietHours,
    /// The last good sync is older than it should be.
    Stale,
    /// Showing the local cache; no sync finished yet.
    Cached,
    Never,
}

impl Health {
    /// The state in one word (`stats` and the table).
    pub fn word(&self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Syncing => "syncing",
            Health::RateLimited { .. } => "rate-limited",
            Health::Error(_) => "error",
            Health::QuietHours => "quiet hours",
            Health::Stale => "stale",
            Health::Cached => "cached",
            Health::Never => "never synced",
        }
    }

    /// The chip's glyph (the same as the console header's).
    pub fn glyph(&self) -> &'static str {
        match self {
            Health::Ok => "✓",
            Health::Syncing => "↻",
            Health::RateLimited { .. } => "…",
            Health::Error(_) => "✗",
            Health::QuietHours => "☾",
            Health::Stale => "!",
            Health::Cached => "◌",
            Health::Never => "·",
        }
    }

    /// Whether this is trouble (drawn as an error).
    pub fn is_trouble(&self) -> bool {
        matches!(self, Health::Error(_) | Health::Stale)
    }
}

/// One carrier instance as [`Board::compute`] needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierHealth {
    pub name: String,
    pub kind: &'static str,
    pub health: Health,
    /// When its data was last known good (last successful sync, or the
    /// newest cached change).
    pub data_at: Option<DateTime<Utc>>,
}

/// A duration as a wallboard says it: `45s`, `12m`, `5h`, `3d`.
pub fn short_age(age: Duration) -> String {
    let s = age.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// A duration written as in the config (`"20s"`, `"15m"`, `"4h"`, `"1d"`,
/// `"2w"`): digits, then one unit.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(unit_at);
    let n: i64 = digits.parse().ok()?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    n.checked_mul(secs).and_then(Duration::try_seconds)
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Stage;

    #[test]
    fn bucket_edges_belong_to_the_upper_bucket() {
        let cases = [
            (Duration::zero(), 0),
            (Duration::minutes(59) + Duration::seconds(59), 0),
            (Duration::hours(1), 1),
            (Duration::hours(23) + Duration::minutes(59), 1),
            (Duration::days(1), 2),
            (Duration::days(3) - Duration::seconds(1), 2),
            (Duration::days(3), 3),
            (Duration::days(7), 4),
            (Duration::days(30) - Duration::seconds(1), 4),
            (Duration::days(30), 5),
            (Duration::days(400), 5),
        ];
        for (age, bucket) in cases {
            assert_eq!(age_bucket(age), bucket, "{age}");
        }
    }

    #[test]
    fn thresholds_cross_at_their_value() {
        let t = Threshold {
            amber: Some(20u64),
            red: Some(50),
        };
        assert_eq!(t.level(19), Level::Ok);
        assert_eq!(t.level(20), Level::Amber);
        assert_eq!(t.level(49), Level::Amber);
        assert_eq!(t.level(50), Level::Red);
        let red_only = Threshold {
            amber: None,
            red: Some(Duration::days(1)),
        };
        assert_eq!(red_only.level(Duration::hours(23)), Level::Ok);
        assert_eq!(red_only.level(Duration::days(1)), Level::Red);
        assert_eq!(Threshold::<u64>::none().level(u64::MAX), Level::Ok);
        assert_eq!(red_only.level_of(None), Level::Ok);
    }

    #[test]
    fn service_level_rule() {
        let sl = ServiceLevel::default();
        let h = Duration::hours;
        assert!(!sl.breached(Stage::New, false, Some(h(4)), None));
        assert!(sl.breached(Stage::New, false, Some(h(4) + Duration::seconds(1)), None));
        assert!(!sl.breached(Stage::New, false, None, None));
        assert!(!sl.breached(Stage::InProgress, false, Some(h(100)), Some(h(100))));
        assert!(sl.breached(Stage::InProgress, true, Some(h(1)), Some(h(25))));
        assert!(!sl.breached(Stage::NeedsAttention, true, Some(h(30)), Some(h(24))));
        // Done and closed orders never breach.
        assert!(!sl.breached(Stage::Done, true, Some(h(99)), Some(h(99))));
    }

    #[test]
    fn durations_parse_like_the_config_writes_them() {
        assert_eq!(parse_duration("20s"), Some(Duration::seconds(20)));
        assert_eq!(parse_duration("4h"), Some(Duration::hours(4)));
        assert_eq!(parse_duration(" 1d "), Some(Duration::days(1)));
        assert_eq!(parse_duration("2w"), Some(Duration::weeks(2)));
        for bad in [
            "",
            "h",
            "4",
            "4x",
            "-4h",
            "4.5h",
            "4 h",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn short_ages() {
        assert_eq!(short_age(Duration::seconds(-5)), "0s");
        assert_eq!(short_age(Duration::seconds(59)), "59s");
        assert_eq!(short_age(Duration::minutes(90)), "1h");
        assert_eq!(short_age(Duration::days(3)), "3d");
    }
}
