//! Local notes and follow-up flags on any order of any carrier, and their
//! lines in an order's timeline. Pure data: they are kept by a store
//! (`crate::store::LocalStore`) and never sent to a carrier.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{LogEntry, LogKind, OrderKey, Stamp};

/// A local note on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The store's id (increasing in the order notes were added).
    pub id: i64,
    pub key: OrderKey,
    pub author: String,
    pub at: DateTime<Utc>,
    /// The text, multi-line, sanitized.
    pub text: String,
}

/// A follow-up flag: who set it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub author: String,
    pub at: DateTime<Utc>,
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            id: i64,
            key: String,
            author: &'a str,
            at: DateTime<Utc>,
            text: &'a str,
        }
        Json {
            id: self.id,
            key: self.key.to_string(),
            author: &self.author,
            at: self.at,
            text: &self.text,
        }
        .serialize(s)
    }
}

/// The timeline lines for an order's notes and flag (kind `local`, source =
/// author), oldest first.
pub fn local_log_entries(notes: &[Note], flag: Option<&Flag>) -> Vec<LogEntry> {
    let mut out: Vec<LogEntry> = notes
        .iter()
        .map(|n| LogEntry {
            at: Stamp::parsed(n.at),
            kind: LogKind::Local,
            source: n.author.clone(),
            text: n.text.clone(),
        })
        .collect();
    if let Some(flag) = flag {
        out.push(LogEntry {
            at: Stamp::parsed(flag.at),
            kind: LogKind::Local,
            source: flag.author.clone(),
            text: "flagged for follow-up".into(),
        });
    }
    out.sort_by_key(|e| e.at.at);
    out
}
