//! "Send again" in the journal view (ctrl-r): a write whose outcome is
//! unknown and that no re-read can settle (`CarrierProfile::reread_confirms`
//! false, e.g. LLA's pay link) is never re-sent on its own; the user may
//! send it once more, after a `y` to a question that says the first one may
//! already have been saved. Any other key keeps it unknown. Decides only:
//! the send is [`Effect::SendAgain`], answered by a `WriteSettled` like any
//! write, and the journal entry it brings back keeps every attempt's words.

use super::msg::Effect;
use super::state::{Level, Pending, State};
use crate::domain::{JournalEntry, JournalState};

impl State {
    /// Whether the journal offers "send again" on `entry`, and if not, why
    /// (in the user's words).
    pub fn send_again_offer(&self, entry: &JournalEntry) -> Result<(), String> {
        if self.readonly {
            return Err("read-only mode: nothing is sent".into());
        }
        let Some(carrier) = self.carrier(&entry.key.carrier) else {
            return Err(format!("{}: unknown carrier", entry.key.carrier));
        };
        if carrier.info.profile.reread_confirms(&entry.request) {
            return Err(format!(
                "{}: {} is settled by re-reading the order, not sent again by hand",
                entry.key,
                entry.action().label()
            ));
        }
        if entry.state != JournalState::Unknown || entry.receipt.is_some() {
            return Err(format!(
                "{}: only a write whose outcome is unknown can be sent again; this one is {}",
                entry.key,
                entry.state.as_str()
            ));
        }
        Ok(())
    }

    /// The question the journal shows while it waits for the user's `y`.
    pub fn send_again_question(&self) -> Option<String> {
        let id = self.journal_view()?.confirm.as_deref()?;
        let entry = self.journal.iter().find(|e| e.id == id)?;
        Some(format!(
            "y: send again to {}? The first one may already have been saved ({} cannot show it back). Any other key keeps it unknown. {}",
            entry.key, entry.key.carrier, entry.request.summary
        ))
    }

    /// ctrl-r in the journal: asks about the selected entry, or says why not.
    pub(super) fn send_again_ask(&mut self) {
        let Some(cursor) = self.journal_view().map(|v| v.cursor) else {
            return;
        };
        let Some(entry) = self.journal_visible().get(cursor).map(|e| (*e).clone()) else {
            self.say(Level::Warning, "send again: no journal entry selected");
            return;
        };
        if let Err(why) = self.send_again_offer(&entry) {
            self.say(Level::Warning, format!("send again: {why}"));
            return;
        }
        if let Some(view) = self.journal_view_mut() {
            view.confirm = Some(entry.id);
        }
    }

    /// The key after the question: `yes` sends the entry once more.
    pub(super) fn send_again_answer(&mut self, yes: bool, fx: &mut Vec<Effect>) {
        let Some(id) = self.journal_view_mut().and_then(|v| v.confirm.take()) else {
            return;
        };
        let Some(entry) = self.journal.iter().find(|e| e.id == id).cloned() else {
            return;
        };
        if !yes {
            let text = format!("{}: not sent again; it stays unknown", entry.key);
            self.say(Level::Info, text);
            return;
        }
        // It may have settled while the question was open.
        if let Err(why) = self.send_again_offer(&entry) {
            self.say(Level::Warning, format!("send again: {why}"));
            return;
        }
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        let summary = format!("{} (sent again)", entry.request.summary);
        self.pending.insert(
            ticket,
            Pending {
                key: entry.key.clone(),
                action: entry.action(),
                summary: summary.clone(),
            },
        );
        fx.push(Effect::SendAgain {
            ticket,
            key: entry.key.clone(),
            id: entry.id,
        });
        self.say(Level::Info, format!("{}: {summary}: sending", entry.key));
    }
}
