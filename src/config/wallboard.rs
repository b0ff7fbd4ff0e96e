//! The `[wallboard]` table: amber and red thresholds of the wallboard's
//! figures, the service-level rule and the page rotation, read into
//! [`BoardSettings`] with line-precise problems like the rest of the file.
//! Nothing here computes a figure (that is `domain::board`).
//!
//! ```toml
//! [wallboard]
//! rotate = "20s"                 # how long a page shows when they do not fit
//! sla_new = "4h"                 # a new order older than this breaches
//! sla_attention = "1d"           # attention untouched longer than this breaches
//! open = { amber = 200, red = 500 }
//! attention = { amber = 20, red = 50 }
//! breaching = { amber = 1, red = 10 }
//! new_today = { amber = 100 }
//! oldest_open = { amber = "7d", red = "30d" }
//! oldest_attention = { amber = "4h", red = "1d" }
//! ```

use chrono::Duration;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Problem, location};
use crate::domain::board::{BoardSettings, Threshold, parse_duration};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWallboard {
    rotate: Option<Spanned<String>>,
    sla_new: Option<Spanned<String>>,
    sla_attention: Option<Spanned<String>>,
    open: Option<Spanned<RawCount>>,
    attention: Option<Spanned<RawCount>>,
    breaching: Option<Spanned<RawCount>>,
    new_today: Option<Spanned<RawCount>>,
    oldest_open: Option<Spanned<RawAge>>,
    oldest_attention: Option<Spanned<RawAge>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCount {
    amber: Option<Spanned<i64>>,
    red: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAge {
    amber: Option<Spanned<String>>,
    red: Option<Spanned<String>>,
}

/// Reads `[wallboard]` (absent: the defaults). A shape problem (not a
/// table, an unknown key, a wrong type) goes to `shape`, a bad value to
/// `problems`.
pub(super) fn read(
    value: Option<Spanned<DeValue<'_>>>,
    text: &str,
    problems: &mut Vec<Problem>,
    shape: &mut Vec<Problem>,
) -> BoardSettings {
    let mut settings = BoardSettings::default();
    let Some(value) = value else {
        return settings;
    };
    let span = value.span();
    let DeValue::Table(table) = value.into_inner() else {
        shape.push((
            Some(location(text, span.start)),
            "wallboard must be a table ([wallboard])".into(),
        ));
        return settings;
    };
    let table: Spanned<DeTable<'_>> = Spanned::new(span, table);
    let raw = match RawWallboard::deserialize(toml::de::Deserializer::from(table)) {
        Ok(raw) => raw,
        Err(e) => {
            let loc = e.span().map(|s| location(text, s.start));
            shape.push((loc, format!("wallboard: {}", e.message().trim())));
            return settings;
        }
    };
    let mut r = Reader { text, problems };
    if let Some(v) = &raw.rotate {
        match r.duration("rotate", v) {
            Some(d) if d >= Duration::seconds(5) => settings.rotate = d,
            Some(_) => r.problem(v, "wallboard.rotate must be at least \"5s\""),
            None => {}
        }
    }
    if let Some(v) = &raw.sla_new {
        settings.service.new_within = r.positive("sla_new", v, settings.service.new_within);
    }
    if let Some(v) = &raw.sla_attention {
        settings.service.attention_within =
            r.positive("sla_attention", v, settings.service.attention_within);
    }
    let t = &mut settings.thresholds;
    for (name, raw, into) in [
        ("open", &raw.open, &mut t.open),
        ("attention", &raw.attention, &mut t.attention),
        ("breaching", &raw.breaching, &mut t.breaching),
        ("new_today", &raw.new_today, &mut t.new_today),
    ] {
        if let Some(raw) = raw {
            *into = r.counts(name, raw);
        }
    }
    for (name, raw, into) in [
        ("oldest_open", &raw.oldest_open, &mut t.oldest_open),
        (
            "oldest_attention",
            &raw.oldest_attention,
            &mut t.oldest_attention,
        ),
    ] {
        if let Some(raw) = raw {
            *into = r.ages(name, raw);
        }
    }
    settings
}

struct Reader<'a> {
    text: &'a str,
    problems: &'a mut Vec<Problem>,
}

impl Reader<'_> {
    fn problem<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        self.problems
            .push((Some(location(self.text, at.span().start)), message.into()));
    }

    fn duration(&mut self, name: &str, v: &Spanned<String>) -> Option<Duration> {
        let parsed = parse_duration(v.get_ref());
        if parsed.is_none() {
            self.problem(
                v,
                format!(
                    "wallboard.{name}: {:?} is not a duration like \"20s\", \"15m\", \"4h\" or \"1d\"",
                    v.get_ref()
                ),
            );
        }
        parsed
    }

    fn positive(&mut self, name: &str, v: &Spanned<String>, default: Duration) -> Duration {
        match self.duration(name, v) {
            Some(d) if d > Duration::zero() => d,
            Some(_) => {
                self.problem(v, format!("wallboard.{name} must be longer than 0"));
                default
            }
            None => default,
        }
    }

    fn counts(&mut self, name: &str, raw: &Spanned<RawCount>) -> Threshold<u64> {
        let mut count = |which: &str, v: &Option<Spanned<i64>>| -> Option<u64> {
            let v = v.as_ref()?;
            let n = u64::try_from(*v.get_ref()).ok();
            if n.is_none() {
                self.problem(v, format!("wallboard.{name}.{which} must be 0 or more"));
            }
            n
        };
        let t = Threshold {
            amber: count("amber", &raw.get_ref().amber),
            red: count("red", &raw.get_ref().red),
        };
        let given = raw.get_ref().amber.is_some() || raw.get_ref().red.is_some();
        self.ordered(name, raw, t, given)
    }

    fn ages(&mut self, name: &str, raw: &Spanned<RawAge>) -> Threshold<Duration> {
        let a = raw.get_ref();
        let t = Threshold {
            amber: a
                .amber
                .as_ref()
                .and_then(|v| self.duration(&format!("{name}.amber"), v)),
            red: a
                .red
                .as_ref()
                .and_then(|v| self.duration(&format!("{name}.red"), v)),
        };
        self.ordered(name, raw, t, a.amber.is_some() || a.red.is_some())
    }

    /// A threshold whose amber is past its red is refused.
    fn ordered<T: PartialOrd + Copy, R>(
        &mut self,
        name: &str,
        raw: &Spanned<R>,
        t: Threshold<T>,
        given: bool,
    ) -> Threshold<T> {
        if let (Some(amber), Some(red)) = (t.amber, t.red)
            && amber > red
        {
            self.problem(
                raw,
                format!("wallboard.{name}: amber must not be past red (amber comes first)"),
            );
        }
        if !given {
            self.problem(raw, format!("wallboard.{name}: give amber, red or both"));
        }
        t
    }
}

#[cfg(test)]
mod tests_support {
    use super::*;

    pub(super) fn read_text(text: &str) -> (BoardSettings, Vec<Problem>, Vec<Problem>) {
        let root = DeTable::parse(text).expect("toml");
        let mut root = root.into_inner();
        let (mut problems, mut shape) = (Vec::new(), Vec::new());
        let settings = read(root.remove("wallboard"), text, &mut problems, &mut shape);
        (settings, problems, shape)
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::read_text;
    use super::*;
    use crate::domain::board::Level;

    #[test]
    fn absent_is_the_defaults() {
        let (s, p, sh) = read_text("readonly = true\n");
        assert_eq!(s, BoardSettings::default());
        assert!(p.is_empty() && sh.is_empty());
    }

    #[test]
    fn thresholds_durations_and_rotation() {
        let (s, p, sh) = read_text(
            "[wallboard]\nrotate = \"30s\"\nsla_new = \"2h\"\nattention = { amber = 20, red = 50 }\n\
             oldest_attention = { amber = \"4h\", red = \"1d\" }\nopen = { red = 9 }\n",
        );
        assert!(p.is_empty() && sh.is_empty(), "{p:?} {sh:?}");
        assert_eq!(s.rotate, Duration::seconds(30));
        assert_eq!(s.service.new_within, Duration::hours(2));
        assert_eq!(s.thresholds.attention.level(20), Level::Amber);
        assert_eq!(s.thresholds.attention.level(50), Level::Red);
        assert_eq!(s.thresholds.open.level(8), Level::Ok);
        assert_eq!(s.thresholds.open.level(9), Level::Red);
        assert_eq!(
            s.thresholds.oldest_attention.level(Duration::hours(5)),
            Level::Amber
        );
    }

    #[test]
    fn bad_values_are_reported_at_their_place() {
        let text = "[wallboard]\nrotate = \"20x\"\nattention = { amber = 50, red = 20 }\n\
                    breaching = { amber = -1 }\noldest_open = { red = \"soon\" }\n\
                    open = {}\n";
        let (_, p, sh) = read_text(text);
        assert!(sh.is_empty());
        let said: Vec<String> = p
            .iter()
            .map(|(l, m)| format!("{}: {m}", l.map(|l| l.to_string()).unwrap_or_default()))
            .collect();
        assert_eq!(
            said,
            [
                "line 2, column 10: wallboard.rotate: \"20x\" is not a duration like \"20s\", \"15m\", \"4h\" or \"1d\"",
                "line 6, column 8: wallboard.open: give amber, red or both",
                "line 3, column 13: wallboard.attention: amber must not be past red (amber comes first)",
                "line 4, column 23: wallboard.breaching.amber must be 0 or more",
                "line 5, column 23: wallboard.oldest_open.red: \"soon\" is not a duration like \"20s\", \"15m\", \"4h\" or \"1d\"",
            ]
        );
        let (_, p, _) = read_text("[wallboard]\nrotate = \"2s\"\n");
        assert_eq!(p[0].1, "wallboard.rotate must be at least \"5s\"");
    }

    #[test]
    fn unknown_keys_and_shapes_are_refused() {
        let (_, _, sh) = read_text("[wallboard]\nattenton = { amber = 1 }\n");
        let (loc, msg) = &sh[0];
        assert_eq!(loc.map(|l| l.line), Some(2));
        assert!(msg.contains("unknown field `attenton`"), "{msg}");
        let (_, _, sh) = read_text("wallboard = 3\n");
        assert_eq!(sh[0].1, "wallboard must be a table ([wallboard])");
    }
}

#[cfg(test)]
mod example {
    use super::tests_support::read_text;

    /// The commented section of config.example.toml, uncommented, is valid.
    #[test]
    fn the_example_section_parses() {
        let example = include_str!("../../config.example.toml");
        let section: String = example
            .lines()
            .skip_while(|l| *l != "[wallboard]")
            .take_while(|l| !l.is_empty())
            .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
            .collect();
        assert!(section.contains("oldest_attention"), "{section}");
        let (settings, problems, shape) = read_text(&section);
        assert!(
            problems.is_empty() && shape.is_empty(),
            "{problems:?} {shape:?}"
        );
        assert_eq!(settings.thresholds.attention.amber, Some(20));
    }
}
