//! The write journal as the console holds it, and its overlay (`J`). The
//! journal is held newest first (recorded time, then id); a `Msg::Journal`
//! or a settled write's entry replaces the entry with the same id. The
//! overlay's filter keeps entries whose visible text contains every word
//! typed (case-insensitive); live updates keep the selected entry under the
//! cursor. Enter selects the entry's order, switching to view 4 (and
//! clearing the table filter) when the current view hides it; ctrl-r asks
//! to send an unknown write again (`super::again`). Pure.

use super::filter::Filter;
use super::input::TextInput;
use super::keymap::{Action, ViewKind};
use super::layout;
use super::state::{Level, Modal, State};
use crate::domain::JournalEntry;

/// The journal overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalView {
    pub filter: TextInput,
    /// Position in the filtered list.
    pub cursor: usize,
    /// The selected entry's id, so live updates do not move the selection.
    selected: Option<String>,
    /// The entry the user asked to send again, waiting for their `y`
    /// (see `super::again`).
    pub confirm: Option<String>,
}

impl JournalView {
    fn new() -> JournalView {
        JournalView {
            filter: TextInput::new("", false, Some(200)),
            cursor: 0,
            selected: None,
            confirm: None,
        }
    }
}

/// Newest first; the same time breaks on id so the order is total.
pub(super) fn sort_journal(journal: &mut [JournalEntry]) {
    journal.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.id.cmp(&a.id))
    });
}

impl State {
    /// Journal entries held, newest first.
    pub fn journal(&self) -> &[JournalEntry] {
        &self.journal
    }

    pub(super) fn journal_view_mut(&mut self) -> Option<&mut JournalView> {
        match &mut self.modal {
            Some(Modal::Journal(view)) => Some(view),
            _ => None,
        }
    }

    /// The text of a journal entry as the overlay shows it (and filters it):
    /// time, author, order, action, state, outcome.
    pub fn journal_columns(&self, e: &JournalEntry) -> [String; 6] {
        [
            self.local_time(e.created_at),
            e.author.clone(),
            e.key.to_string(),
            e.action().label().to_owned(),
            e.state.as_str().to_owned(),
            e.describe(),
        ]
    }

    /// The journal entries the overlay lists (filtered), newest first.
    pub fn journal_visible(&self) -> Vec<&JournalEntry> {
        let words: Vec<String> = self
            .journal_view()
            .map(|v| {
                v.filter
                    .text()
                    .split_whitespace()
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        if words.is_empty() {
            return self.journal.iter().collect();
        }
        self.journal
            .iter()
            .filter(|e| {
                let text = self.journal_columns(e).join("\n").to_lowercase();
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect()
    }

    /// A journal entry recorded or changed: replaces the one with its id.
    pub(super) fn on_journal(&mut self, entry: JournalEntry) {
        match self.journal.iter_mut().find(|e| e.id == entry.id) {
            Some(old) => *old = entry,
            None => self.journal.push(entry),
        }
        sort_journal(&mut self.journal);
        self.journal_resync();
    }

    pub(super) fn open_journal(&mut self) {
        self.modal = Some(Modal::Journal(JournalView::new()));
        self.journal_resync();
    }

    /// Puts the overlay's cursor back on its selected entry after the list
    /// changed (or keeps the position when that entry is gone).
    fn journal_resync(&mut self) {
        let Some(view) = self.journal_view() else {
            return;
        };
        let wanted = view.selected.clone();
        let visible: Vec<String> = self
            .journal_visible()
            .iter()
            .map(|e| e.id.clone())
            .collect();
        let Some(view) = self.journal_view_mut() else {
            return;
        };
        if let Some(pos) = wanted.and_then(|id| visible.iter().position(|v| *v == id)) {
            view.cursor = pos;
        } else {
            view.cursor = view.cursor.min(visible.len().saturating_sub(1));
        }
        view.selected = visible.get(view.cursor).cloned();
    }

    fn journal_move(&mut self, to: isize) {
        let visible = self.journal_visible();
        let at = to.clamp(0, visible.len().saturating_sub(1) as isize) as usize;
        let id = visible.get(at).map(|e| e.id.clone());
        if let Some(view) = self.journal_view_mut() {
            view.cursor = at;
            view.selected = id;
        }
    }

    /// A key in the journal overlay.
    pub(super) fn journal_key(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        fx: &mut Vec<super::msg::Effect>,
    ) {
        if self.journal_view().is_some_and(|v| v.confirm.is_some()) {
            self.send_again_answer(typed == Some('y') && action.is_none(), fx);
            return;
        }
        if action == Some(Action::SendAgain) {
            self.send_again_ask();
            return;
        }
        let page = layout::journal_rows(self.size).max(1) as isize;
        let Some(view) = self.journal_view_mut() else {
            return;
        };
        let cursor = view.cursor as isize;
        let filter = &mut view.filter;
        match (action, typed) {
            (Some(Action::Back), _) => {
                self.close_modal();
                return;
            }
            (Some(Action::Accept), _) => {
                self.journal_jump();
                return;
            }
            (Some(Action::Down), _) => {
                self.journal_move(cursor + 1);
                return;
            }
            (Some(Action::Up), _) => {
                self.journal_move(cursor - 1);
                return;
            }
            (Some(Action::PageDown), _) => {
                self.journal_move(cursor + page);
                return;
            }
            (Some(Action::PageUp), _) => {
                self.journal_move(cursor - page);
                return;
            }
            (Some(Action::Top), _) => {
                self.journal_move(0);
                return;
            }
            (Some(Action::Bottom), _) => {
                self.journal_move(isize::MAX / 2);
                return;
            }
            // Moving the cursor does not change what matches.
            (Some(action @ (Action::Left | Action::Right)), _) => {
                filter.edit(action);
                return;
            }
            (Some(action), _) if TextInput::is_edit(action) => {
                filter.edit(action);
            }
            (None, Some(c)) => {
                filter.insert(c);
            }
            _ => return,
        }
        self.journal_resync();
    }

    pub(super) fn journal_paste(&mut self, text: &str) {
        if let Some(view) = self.journal_view_mut() {
            view.filter.insert_str(text);
            self.journal_resync();
        }
    }

    /// Enter in the journal: select the entry's order in the table.
    fn journal_jump(&mut self) {
        let Some(cursor) = self.journal_view().map(|v| v.cursor) else {
            return;
        };
        let Some(key) = self.journal_visible().get(cursor).map(|e| e.key.clone()) else {
            return;
        };
        let Some(index) = self.store.index_of(&key) else {
            self.say(
                Level::Warning,
                format!("{key}: not held by the console (not cached, or dropped)"),
            );
            return;
        };
        if !self.store.visible().contains(&index) {
            self.store.set_view(ViewKind::All);
            if !self.store.visible().contains(&index) {
                self.filter_input.clear();
                self.filter_open = false;
                self.store.set_filter(Filter::default());
            }
        }
        if self.selected != Some(index) {
            self.detail.scroll = 0;
        }
        self.selected = Some(index);
        self.resync_cursor();
        self.close_modal();
    }
}
