//! The status line's message: saying one (held while the quiet-hours
//! question waits for its key) and its expiry on the clock. The rules are
//! in the `app` module doc. No I/O.

use super::state::{Level, State, StatusMsg};

impl State {
    /// Shows a message on the status line. While the quiet-hours question
    /// waits for its key it stays: the message is held (an error over
    /// anything milder) and shown after the answer (see `quiet`).
    pub(super) fn say(&mut self, level: Level, text: impl Into<String>) {
        let msg = StatusMsg {
            text: crate::domain::sanitize(&text.into()),
            level,
            at: self.now,
        };
        if self.quiet_confirm.is_some() {
            let keep_held = self
                .status_held
                .as_ref()
                .is_some_and(|h| h.level == Level::Error && level != Level::Error);
            if !keep_held {
                self.status_held = Some(msg);
            }
            return;
        }
        self.status = Some(msg);
        self.status_seq += 1;
    }

    /// The status message expires: an info or ok message after
    /// [`super::INFO_TTL`] on the clock; a warning or an error stays until
    /// a key acknowledges it or another message replaces it; the
    /// quiet-hours question stays while the next key answers it.
    pub(super) fn expire_status(&mut self) {
        if self.quiet_confirm.is_some() {
            return;
        }
        if self.status.as_ref().is_some_and(|s| {
            matches!(s.level, Level::Info | Level::Ok) && self.now - s.at >= super::INFO_TTL
        }) {
            self.status = None;
        }
    }
}
