//! `orderdesk list`, `show`, `stats` and `journal`: the console's data
//! without a terminal, for scripts, always read-only (no write client is
//! built, nothing is recorded). Exit status is non-zero with a clear message
//! on failure; when one carrier of several fails, or orders of a carrier
//! that answered could not be read, the rest is printed and a warning goes
//! to stderr (partial results: exit 3). Output that goes to a closed pipe
//! (`list | head -1`) ends the command quietly ([`finish`]). Must not: send
//! writes or draw.
//!
//! Where the data comes from is a [`Source`], chosen as the console
//! chooses: solo, one poll of the configured carriers through an engine
//! that records nothing, with notes, flags, the journal and the trend from
//! the data dir's SQLite store; in team mode (`--database`,
//! `$ORDERDESK_DATABASE_URL` or the config's `database`), the team store
//! alone: the orders the daemon keeps current, the team's notes, flags and
//! journal (with each write's author), `stats` computed from them and the
//! daemon's carrier health. Team mode builds no carrier client and needs
//! no carrier credentials; an unreachable team store, a refused login or a
//! schema that is not this build's is an error naming the database. The
//! formatting and the flags are the same for both.
//!
//! Parts: `source` reads (solo or team), `fetch` polls the carriers,
//! [`commands`] runs each command, `json`, `text` and [`stats`] format,
//! `since` reads `journal --since`.

pub mod commands;
mod fetch;
mod json;
mod since;
mod source;
pub mod stats;
mod text;

pub use fetch::{Fetched, fetch_all, fetch_one};
pub use json::{order_detail_json, order_summary_json, write_csv, write_json};
pub use since::Since;
pub use source::{Figures, Listing, Source};
pub use text::{write_detail, write_journal, write_table};

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::domain::sla::{Clocked, ServiceLevels};
use crate::domain::{Attention, Flag, Note, Order, OrderKey, Stage};
use crate::store::{SqliteStore, StoreError, Stores};

/// Local notes and follow-up flags from the data dir's store (never sent
/// to a carrier). Empty when there is no store yet.
#[derive(Debug, Default)]
pub struct Local {
    pub notes: HashMap<OrderKey, Vec<Note>>,
    pub flags: HashMap<OrderKey, Flag>,
    /// The time and each carrier's service levels the clock-based reasons
    /// are judged at (`domain::sla`); `None`: none are (the console's own
    /// tests, a caller without a config).
    pub clock: Option<(DateTime<Utc>, HashMap<String, ServiceLevels>)>,
}

/// The data dir's store, if it holds one (`None` when nothing was stored
/// there yet: it is not created).
pub async fn existing_store(dir: Option<&Path>) -> Option<Result<Stores, StoreError>> {
    let dir = dir.filter(|d| d.join(SqliteStore::FILE_NAME).exists())?;
    Some(Stores::open_sqlite(dir).await)
}

impl Local {
    /// Judges the clock-based reasons at `now`, with each carrier's
    /// `sla` from `config` (carriers not listed: the defaults).
    pub fn with_clock(mut self, now: DateTime<Utc>, config: &crate::config::Config) -> Local {
        let levels = config
            .carriers
            .iter()
            .map(|c| (c.name.clone(), c.service_levels.clone()))
            .collect();
        self.clock = Some((now, levels));
        self
    }

    /// Whether `order` needs attention apart from a local flag: as the
    /// order says, or the clock's (late reasons apply to open orders only).
    pub fn needs_attention(&self, order: &Order) -> bool {
        order.needs_attention() || !self.late(order).is_empty()
    }

    /// Why `order` needs attention: its own reasons, then the clock's (a
    /// service level run out, an overdue delivery date), as the console
    /// lists them. The local flag is the caller's (`flag`).
    pub fn attention(&self, order: &Order) -> Vec<Attention> {
        let mut out = order.attention();
        out.extend(self.late(order));
        out
    }

    /// The clock-based reasons of `order` (none without a clock).
    fn late(&self, order: &Order) -> Vec<Attention> {
        let Some((now, levels)) = &self.clock else {
            return Vec::new();
        };
        let fallback = ServiceLevels::default();
        let levels = levels.get(&*order.key.carrier).unwrap_or(&fallback);
        levels.reasons(&Clocked::of_order(order), *now)
    }

    /// Reads them if `dir` holds a store; a store that cannot be read is a
    /// warning (returned), not an error: the carriers' data still prints.
    pub async fn load(dir: Option<&Path>) -> (Local, Option<String>) {
        let Some(opened) = existing_store(dir).await else {
            return (Local::default(), None);
        };
        let read = async {
            let stores = opened?;
            Ok::<_, StoreError>(Local {
                notes: stores.local.all_notes().await?,
                flags: stores.local.flags().await?,
                clock: None,
            })
        };
        match read.await {
            Ok(local) => (local, None),
            Err(e) => (
                Local::default(),
                Some(format!("local notes and flags not shown: {e}")),
            ),
        }
    }

    pub fn flagged(&self, key: &OrderKey) -> bool {
        self.flags.contains_key(key)
    }

    /// The order's local notes, oldest first.
    pub fn notes_of(&self, key: &OrderKey) -> &[Note] {
        self.notes.get(key).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The end of writing a command's output: a reader that went away (a
/// closed pipe, `list | head -1`) is not an error, the command just stops;
/// any other failure is said.
pub fn finish(written: std::io::Result<()>) -> Result<(), String> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Which orders `list` prints.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Include done and closed orders.
    pub all: bool,
    pub carrier: Option<String>,
    pub stage: Option<Stage>,
    pub status: Option<String>,
    /// Only orders that need attention.
    pub attention: bool,
    /// Only orders flagged locally for follow-up.
    pub flagged: bool,
}

impl ListFilter {
    pub fn matches(&self, order: &Order, local: &Local) -> bool {
        let flagged = local.flagged(&order.key);
        (self.all || self.stage.is_some() || order.status.stage.is_open())
            && self
                .carrier
                .as_deref()
                .is_none_or(|c| &*order.key.carrier == c)
            && self.stage.is_none_or(|s| order.status.stage == s)
            && self
                .status
                .as_deref()
                .is_none_or(|s| order.status.raw.eq_ignore_ascii_case(s))
            && (!self.attention || local.needs_attention(order) || flagged)
            && (!self.flagged || flagged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LogEntry, LogKind, Stamp, Status};
    use serde_json::json;

    fn order(id: &str, raw: &str, stage: Stage) -> Order {
        let mut o = Order::new(
            OrderKey::new("tg", id),
            "tjansteguiden",
            Status::new(raw, stage, false),
        );
        o.customer = "Kalle Testsson".into();
        o
    }

    #[test]
    fn filter_defaults_to_open_orders() {
        let none = Local::default();
        let f = ListFilter::default();
        assert!(f.matches(&order("1", "new", Stage::New), &none));
        assert!(!f.matches(&order("2", "delivered", Stage::Done), &none));
        let all = ListFilter {
            all: true,
            ..ListFilter::default()
        };
        assert!(all.matches(&order("2", "delivered", Stage::Done), &none));
        let by_stage = ListFilter {
            stage: Some(Stage::Done),
            ..ListFilter::default()
        };
        assert!(by_stage.matches(&order("2", "delivered", Stage::Done), &none));
        assert!(!by_stage.matches(&order("1", "new", Stage::New), &none));
    }

    #[test]
    fn flags_count_as_attention_and_filter() {
        let o = order("7", "received", Stage::InProgress);
        let mut local = Local::default();
        let attention = ListFilter {
            attention: true,
            ..ListFilter::default()
        };
        let flagged = ListFilter {
            flagged: true,
            ..ListFilter::default()
        };
        assert!(!attention.matches(&o, &local));
        assert!(!flagged.matches(&o, &local));
        local.flags.insert(
            o.key.clone(),
            Flag {
                author: "anna".into(),
                at: Utc::now(),
            },
        );
        assert!(attention.matches(&o, &local));
        assert!(flagged.matches(&o, &local));
        let v = order_summary_json(&o, &local);
        assert_eq!(v["flagged"], true);
        assert_eq!(v["flag"]["author"], "anna");
        assert_eq!(v["attention"], json!(["flag"]));
    }

    #[test]
    fn the_clock_s_reasons_count_as_attention_in_list_and_show() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 30, 12, 0, 0).unwrap();
        let mut o = order("8", "received", Stage::InProgress);
        o.schedule = Some(crate::domain::Schedule::Scheduled(Stamp {
            raw: "2026-11-25".into(),
            at: Some(now - chrono::Duration::days(5)),
        }));
        let attention = ListFilter {
            attention: true,
            ..ListFilter::default()
        };
        let without = Local::default();
        assert!(!attention.matches(&o, &without), "no clock, no lateness");
        let with = Local {
            clock: Some((now, HashMap::new())),
            ..Local::default()
        };
        assert!(attention.matches(&o, &with));
        assert_eq!(
            order_summary_json(&o, &with)["attention"],
            json!(["overdue"])
        );
        let mut out = Vec::new();
        text::write_table(&mut out, std::slice::from_ref(&o), &with, now).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row: Vec<&str> = text
            .lines()
            .nth(1)
            .unwrap_or("")
            .split_whitespace()
            .collect();
        assert!(row.contains(&"!"), "the `!` column marks it: {text}");
        // A done order is never late.
        o.status = Status::new("delivered", Stage::Done, true);
        assert!(!with.needs_attention(&o));
    }

    #[test]
    fn json_has_the_documented_fields() {
        let mut o = order("19530", "waiting", Stage::NeedsAttention);
        o.log.push(LogEntry {
            at: Stamp::new("2015-10-06 12:39:00", None),
            kind: LogKind::Error,
            source: "portal".into(),
            text: "Port finns ej".into(),
        });
        let v = order_detail_json(&o, &Local::default());
        assert_eq!(v["key"], "tg/19530");
        assert_eq!(v["stage"], "needs_attention");
        assert_eq!(v["attention"], json!(["status:waiting", "log:error"]));
        assert_eq!(v["log"][0]["kind"], "error");
        assert_eq!(v["log"][0]["at"], "2015-10-06 12:39:00");
    }

    #[test]
    fn table_has_a_header_and_a_row_per_order() {
        let mut out = Vec::new();
        write_table(
            &mut out,
            &[order("1", "new", Stage::New)],
            &Local::default(),
            Utc::now(),
        )
        .expect("write");
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<_> = text.lines().collect();
        assert!(lines[0].starts_with("KEY"));
        assert!(lines[1].starts_with("tg/1") && lines[1].contains("Kalle Testsson"));
    }

    fn flagged_with_a_note(o: &Order) -> Local {
        let mut local = Local::default();
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 2, 9, 0, 0).unwrap();
        local.flags.insert(
            o.key.clone(),
            Flag {
                author: "anna".into(),
                at,
            },
        );
        local.notes.insert(
            o.key.clone(),
            vec![Note {
                id: 1,
                key: o.key.clone(),
                author: "bo".into(),
                at,
                text: "called, no answer\ntry again Monday".into(),
            }],
        );
        local
    }

    #[test]
    fn the_tables_attention_column_marks_a_flagged_order() {
        let plain = order("1", "received", Stage::InProgress);
        let flagged = order("2", "received", Stage::InProgress);
        let local = flagged_with_a_note(&flagged);
        let mut out = Vec::new();
        write_table(&mut out, &[plain, flagged], &local, Utc::now()).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<_> = text.lines().collect();
        // The mark sits under the header's `!`.
        let column = lines[0].chars().position(|c| c == '!').expect("! column");
        assert_eq!(lines[2].chars().nth(column), Some('⚑'), "{text}");
        assert_ne!(lines[1].chars().nth(column), Some('⚑'), "{text}");
        assert!(!lines[1].contains('!'), "{text}");
    }

    #[test]
    fn show_as_text_has_the_flag_the_notes_and_zoned_times() {
        let mut o = order("19530", "received", Stage::InProgress);
        o.log.push(LogEntry {
            at: Stamp::new("2015-10-06 12:39", None),
            kind: LogKind::Log,
            source: "portal".into(),
            text: "Beställd".into(),
        });
        o.fields.push(("date".into(), "2026-11-29 10:03".into()));
        let local = flagged_with_a_note(&o);
        let mut out = Vec::new();
        let zone = chrono_tz::Europe::Stockholm;
        write_detail(&mut out, &o, &local, &zone, Utc::now()).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        assert!(
            text.contains("flag      ⚑ set by anna at 2026-11-02 10:00:00 +01:00"),
            "{text}"
        );
        assert!(
            text.contains("Notes\n  2026-11-02 10:00:00 +01:00 bo:\n    called, no answer\n    try again Monday"),
            "{text}"
        );
        assert!(text.contains("2015-10-06 12:39 (carrier time)"), "{text}");
        assert!(
            text.contains("date  2026-11-29 10:03 (carrier time)"),
            "{text}"
        );
    }

    #[test]
    fn csv_has_the_json_columns_quoted_per_rfc_4180() {
        let mut o = order("7", "received", Stage::InProgress);
        o.customer = "Svensson, \"Kalle\"\nAB".into();
        let local = flagged_with_a_note(&o);
        let mut out = Vec::new();
        write_csv(&mut out, &[o], &local).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        let (header, record) = text.split_once("\r\n").expect("two records");
        assert_eq!(header, json::CSV_COLUMNS.join(","));
        assert!(record.starts_with("tg/7,tg,tjansteguiden,7,received,in_progress,false,flag,true,anna,2026-11-02T09:00:00Z,1,"), "{record}");
        assert!(
            record.contains(",\"Svensson, \"\"Kalle\"\"\nAB\","),
            "{record}"
        );
        assert!(record.ends_with("\r\n"), "{record:?}");
    }

    #[test]
    fn a_closed_pipe_ends_output_quietly_and_other_errors_are_said() {
        use std::io::{Error, ErrorKind};
        assert_eq!(finish(Err(Error::from(ErrorKind::BrokenPipe))), Ok(()));
        struct Closed;
        impl std::io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(Error::from(ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let written = write_json(&mut Closed, &json!([1, 2]));
        assert_eq!(finish(written), Ok(()), "JSON to a closed pipe");
        let e = finish(Err(Error::other("disk full"))).expect_err("said");
        assert!(e.contains("disk full"), "{e}");
    }

    #[tokio::test]
    async fn a_data_dir_without_writes_has_an_empty_journal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let solo = Source::Solo {
            data_dir: Some(dir.path().to_owned()),
        };
        assert_eq!(solo.journal(None).await, Ok(Vec::new()));
    }
}
