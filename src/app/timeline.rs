//! An order's Log timeline, as the detail pane's Log tab shows it: the
//! carrier's log, local notes and the flag (kind `local`), and the order's
//! journal entries (kind `journal`), by time; and local times for display.

use chrono::{DateTime, Utc};

use super::state::State;
use crate::domain::{JournalEntry, local_log_entries};
use crate::domain::{LogEntry, Order};

impl State {
    /// The order's Log timeline: the carrier's log, local notes and the
    /// flag (kind `local`), and this order's journal entries (kind
    /// `journal`), by time, newest first unless the detail pane's log order
    /// is flipped. Equal times keep that order (carrier, local, journal);
    /// unparsed times count as oldest.
    pub fn log_timeline(&self, order: &Order) -> Vec<LogEntry> {
        let mut out: Vec<(usize, LogEntry)> = order.log.iter().cloned().enumerate().collect();
        let local = local_log_entries(self.notes(&order.key), self.flags.get(&order.key));
        let mut journal: Vec<&JournalEntry> =
            self.journal.iter().filter(|e| e.key == order.key).collect();
        journal.reverse();
        let more = local
            .into_iter()
            .chain(journal.into_iter().map(JournalEntry::to_log_entry));
        let n = out.len();
        out.extend(more.enumerate().map(|(i, e)| (n + i, e)));
        out.sort_by_key(|(i, e)| (e.at.at, *i));
        if !self.detail.log_oldest_first {
            out.reverse();
        }
        out.into_iter().map(|(_, e)| e).collect()
    }

    /// `YYYY-MM-DD HH:MM` in the display zone.
    pub fn local_time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}
