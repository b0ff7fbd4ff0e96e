//! An order's Log timeline, as the detail pane's Log tab shows it: the
//! carrier's log, local notes and the flag (kind `local`), and the order's
//! journal entries (kind `journal`), by time, a carrier line that a
//! confirmed write added linked to its journal entry; and local times for
//! display.

use chrono::{DateTime, Utc};

use super::state::State;
use crate::domain::{JournalEntry, JournalState, local_log_entries};
use crate::domain::{LogEntry, Order};

impl State {
    /// The order's Log timeline: the carrier's log, local notes and the
    /// flag (kind `local`), and this order's journal entries (kind
    /// `journal`), by time, newest first unless the detail pane's log order
    /// is flipped. Equal times keep that order (carrier, local, journal);
    /// unparsed times count as oldest.
    pub fn log_timeline(&self, order: &Order) -> Vec<LogEntry> {
        let mut log = order.log.clone();
        self.link_written_lines(order, &mut log);
        let mut out: Vec<(usize, LogEntry)> = log.into_iter().enumerate().collect();
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

    /// Marks each carrier log line that a confirmed write from this console
    /// (or the team) added, with who wrote it and the journal entry's id:
    /// the carrier shows such a line as its own (`portal`). Each confirmed
    /// entry claims the oldest unclaimed line of its kind and text written
    /// no earlier than a minute before the entry was recorded (clocks
    /// differ); a line is claimed once.
    fn link_written_lines(&self, order: &Order, log: &mut [LogEntry]) {
        let Some(profile) = self
            .carriers
            .iter()
            .find(|c| c.info.name == order.key.carrier)
            .map(|c| &c.info.profile)
        else {
            return;
        };
        let mut claimed = vec![false; log.len()];
        let mut written: Vec<&JournalEntry> = self
            .journal
            .iter()
            .filter(|e| e.key == order.key && e.state == JournalState::Confirmed)
            .collect();
        written.sort_by_key(|e| e.created_at);
        for entry in written {
            let Some((kind, text)) = profile.written_line(&entry.request) else {
                continue;
            };
            let earliest = entry.created_at - chrono::Duration::minutes(1);
            let line = log
                .iter()
                .enumerate()
                .filter(|(i, l)| {
                    !claimed[*i]
                        && l.kind == kind
                        && l.text.trim() == text
                        && l.at.at.is_none_or(|at| at >= earliest)
                })
                .min_by_key(|(_, l)| l.at.at)
                .map(|(i, _)| i);
            if let Some(i) = line {
                claimed[i] = true;
                let short: String = entry.id.chars().take(8).collect();
                log[i].source = format!(
                    "{} · written here by {}, journal {short}",
                    log[i].source, entry.author
                );
            }
        }
    }

    /// `YYYY-MM-DD HH:MM` in the display zone.
    pub fn local_time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}
