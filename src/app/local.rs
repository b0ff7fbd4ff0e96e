//! The console's local memory: the cache start, local notes (`n`), follow-up
//! flags (`f`), the write journal (each order's Log timeline and the `J`
//! overlay). Pure like the rest of `app`: it turns keys into
//! `Effect::SaveNote` / `Effect::SetFlag` and applies what the store answers
//! (`Msg::NoteSaved`, `Msg::FlagSaved`, `Msg::Journal`); it never touches the
//! store itself and never sends anything to a carrier.
//!
//! Choices where the brief is silent:
//! - Notes and flags are held in `State` maps keyed by `OrderKey` (they may
//!   name orders the console does not hold); the domain `Order` is untouched.
//!   The order store keeps only the set of flagged keys, for the attention
//!   view and the `flag:` filter.
//! - A carrier's chip says "cached" from `CacheLoaded` until that carrier's
//!   first `SyncEvent::Finished`, Ok or Err; only carriers with cached orders
//!   are marked.
//! - Cache start in two steps: `CacheLoaded` brings the cache's summaries (enough for the table, the filter and the
//!   attention view) and `CacheDetails` the full orders behind them. Until
//!   its full order arrives an order is "cache pending": its detail pane
//!   says so and actions on it are refused with a message (a write must be
//!   confirmed against the order's real log). A carrier's fresher copy wins:
//!   a full order from the cache is applied only while its key is pending.
//!   Orders still pending when the reading ends (a damaged row, a store
//!   error) are re-read from their carrier, at most
//!   [`RELOAD_AFTER_CACHE_MAX`] of them at once; beyond that, the first
//!   action tried on one re-reads it.
//! - The note editor keeps its text until the store confirms the save. Esc
//!   while saving hides it; a failed save shows it again with the error, so
//!   typed text is never lost. Empty (whitespace-only) notes are refused
//!   inline. Notes and flags work in read-only mode (they never reach a
//!   carrier).
//! - A flag toggle waits for the store's answer (no optimistic change); a
//!   second `f` on the same order while it is being saved is ignored.
//! - The journal is held newest first (recorded time, then id); a
//!   `Msg::Journal` replaces the entry with the same id. The overlay's filter
//!   keeps entries whose visible text contains every word typed
//!   (case-insensitive). Enter selects the entry's order, switching to view 4
//!   (and clearing the table filter) when the current view hides it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::input::TextInput;
use super::keymap::{Action, ViewKind};
use super::msg::Effect;
use super::{Level, State};
use crate::domain::{Attention, LogEntry, Order, OrderKey};
use crate::store::{Flag, JournalEntry, Note, local_log_entries};

/// Most orders re-read from their carriers because the cache could not
/// give their full order.
pub const RELOAD_AFTER_CACHE_MAX: usize = 200;

/// Longest note, in characters.
pub const NOTE_MAX: usize = 4000;

/// The note editor (modal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteEditor {
    pub key: OrderKey,
    pub input: TextInput,
    /// Why the text was not saved (empty, or the store's error); the text is kept.
    pub error: Option<String>,
    /// Waiting for `Msg::NoteSaved`.
    pub saving: bool,
    /// Hidden with Esc while saving; shown again if the save fails.
    pub hidden: bool,
}

/// The journal overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalView {
    pub filter: TextInput,
    /// Position in the filtered list.
    pub cursor: usize,
    /// The selected entry's id, so live updates do not move the selection.
    selected: Option<String>,
}

impl JournalView {
    fn new() -> JournalView {
        JournalView {
            filter: TextInput::new("", false, Some(200)),
            cursor: 0,
            selected: None,
        }
    }
}

/// Newest first; the same time breaks on id so the order is total.
fn sort_journal(journal: &mut [JournalEntry]) {
    journal.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.id.cmp(&a.id))
    });
}

impl State {
    // --- read access for the ui and tests ---

    /// An order's local notes, oldest first.
    pub fn notes(&self, key: &OrderKey) -> &[Note] {
        self.notes.get(key).map_or(&[], Vec::as_slice)
    }

    /// An order's follow-up flag.
    pub fn flag(&self, key: &OrderKey) -> Option<&Flag> {
        self.flags.get(key)
    }

    /// Journal entries held, newest first.
    pub fn journal(&self) -> &[JournalEntry] {
        &self.journal
    }

    /// The note editor, when shown.
    pub fn note_editor(&self) -> Option<&NoteEditor> {
        self.note.as_ref().filter(|n| !n.hidden)
    }

    /// The journal overlay, when open.
    pub fn journal_view(&self) -> Option<&JournalView> {
        self.journal_view.as_ref()
    }

    /// Whether any carrier still shows cached (not yet refreshed) data.
    pub fn any_cached(&self) -> bool {
        self.carriers.iter().any(|c| c.chip.cached)
    }

    /// Why an order needs attention: the order's own reasons plus the local
    /// follow-up flag (code `flag`).
    pub fn attention(&self, order: &Order) -> Vec<Attention> {
        let mut out = order.attention();
        if let Some(flag) = self.flags.get(&order.key) {
            out.push(Attention::new(
                "flag",
                format!(
                    "flagged for follow-up by {} {}",
                    flag.author,
                    self.local_time(flag.at)
                ),
            ));
        }
        out
    }

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
            .journal_view
            .as_ref()
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

    // --- flows ---

    pub(super) fn on_cache_loaded(
        &mut self,
        orders: Vec<Order>,
        notes: HashMap<OrderKey, Vec<Note>>,
        flags: HashMap<OrderKey, Flag>,
        mut journal: Vec<JournalEntry>,
    ) {
        // One pass: per carrier, whether it has cached orders and the
        // newest change among them.
        let mut newest: Vec<Option<Option<DateTime<Utc>>>> = vec![None; self.carriers.len()];
        for order in &orders {
            if let Some(i) = self
                .carriers
                .iter()
                .position(|c| c.info.name == order.key.carrier)
            {
                let slot = newest[i].get_or_insert(None);
                *slot = (*slot).max(order.updated_at());
            }
        }
        for (carrier, newest) in self.carriers.iter_mut().zip(newest) {
            if let Some(at) = newest {
                carrier.chip.cached = true;
                carrier.chip.cached_at = at;
            }
        }
        self.notes = notes;
        for list in self.notes.values_mut() {
            list.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        }
        self.store.replace_flags(flags.keys().cloned().collect());
        self.flags = flags;
        sort_journal(&mut journal);
        self.journal = journal;
        let keys: Vec<OrderKey> = orders.iter().map(|o| o.key.clone()).collect();
        self.upsert_orders(orders);
        self.cache_pending.extend(keys);
        self.cache_reading = true;
        self.resync_cursor();
    }

    /// Full orders from the cache replace their summaries (see the module
    /// docs). A fetch error seen since the summary is kept.
    pub(super) fn on_cache_details(&mut self, orders: Vec<Order>) {
        let fresh: Vec<Order> = orders
            .into_iter()
            .filter(|o| self.cache_pending.contains(&o.key))
            .map(|mut o| {
                if let Some(shown) = self.store.by_key(&o.key) {
                    o.fetch_error.clone_from(&shown.fetch_error);
                }
                o
            })
            .collect();
        self.upsert_orders(fresh);
    }

    pub(super) fn on_cache_details_done(
        &mut self,
        result: Result<(), String>,
        fx: &mut Vec<Effect>,
    ) {
        self.cache_reading = false;
        if let Err(problem) = &result {
            self.say(
                Level::Warning,
                format!("cache: could not read every full order: {problem}"),
            );
        }
        if self.cache_pending.is_empty() {
            return;
        }
        let left = self.cache_pending.len();
        if left <= RELOAD_AFTER_CACHE_MAX {
            let mut keys: Vec<OrderKey> = self.cache_pending.iter().cloned().collect();
            keys.sort();
            fx.extend(keys.into_iter().map(Effect::ReloadOrder));
        } else if result.is_ok() {
            self.say(
                Level::Warning,
                format!(
                    "cache: {left} orders have only their summary until their carrier re-reads them"
                ),
            );
        }
    }

    pub(super) fn open_note(&mut self) {
        if let Some(editor) = &self.note {
            let key = editor.key.clone();
            self.say(
                Level::Warning,
                format!("{key}: the previous note is still being saved"),
            );
            return;
        }
        let Some(order) = self.selected() else {
            self.say(Level::Warning, "note: no order selected");
            return;
        };
        self.note = Some(NoteEditor {
            key: order.key.clone(),
            input: TextInput::new("", true, Some(NOTE_MAX)),
            error: None,
            saving: false,
            hidden: false,
        });
    }

    /// A key in the note editor (dialog layer).
    pub(super) fn note_key(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(editor) = self.note.as_mut() else {
            return;
        };
        if action == Some(Action::Back) {
            let key = editor.key.clone();
            if editor.saving {
                editor.hidden = true;
                self.say(Level::Info, format!("{key}: saving the note…"));
            } else {
                self.note = None;
                self.say(Level::Info, format!("{key}: note cancelled, nothing saved"));
            }
            return;
        }
        if editor.saving {
            // The text being saved stays as it is.
            return;
        }
        let input = &mut editor.input;
        match (action, typed) {
            (Some(Action::Submit), _) => {
                if input.text().trim().is_empty() {
                    editor.error = Some("the note is empty: type something, or Esc".into());
                } else {
                    editor.error = None;
                    editor.saving = true;
                    fx.push(Effect::SaveNote {
                        key: editor.key.clone(),
                        text: input.text().to_owned(),
                    });
                }
                return;
            }
            (Some(Action::Accept), _) => {
                input.insert('\n');
            }
            (Some(Action::Up), _) => {
                input.up();
                return;
            }
            (Some(Action::Down), _) => {
                input.down();
                return;
            }
            (Some(action), _) if TextInput::is_edit(action) => {
                input.edit(action);
            }
            (None, Some(c)) => {
                input.insert(c);
            }
            _ => return,
        }
        editor.error = None;
    }

    pub(super) fn note_paste(&mut self, text: &str) {
        if let Some(editor) = self.note.as_mut()
            && !editor.saving
        {
            editor.input.insert_str(text);
            editor.error = None;
        }
    }

    pub(super) fn on_note_saved(&mut self, key: OrderKey, result: Result<Note, String>) {
        let ours = self.note.as_ref().is_some_and(|n| n.key == key && n.saving);
        match result {
            Ok(note) => {
                if ours {
                    self.note = None;
                }
                let list = self.notes.entry(key.clone()).or_default();
                list.retain(|n| n.id != note.id);
                list.push(note);
                list.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
                self.say(Level::Ok, format!("{key}: note saved (local only)"));
            }
            Err(error) => {
                let error = crate::domain::sanitize(&error);
                if ours && let Some(editor) = self.note.as_mut() {
                    editor.saving = false;
                    editor.hidden = false;
                    editor.error = Some(format!("not saved: {error}"));
                }
                self.say(Level::Error, format!("{key}: note not saved: {error}"));
            }
        }
    }

    pub(super) fn toggle_flag(&mut self, fx: &mut Vec<Effect>) {
        let Some(order) = self.selected() else {
            self.say(Level::Warning, "flag: no order selected");
            return;
        };
        let key = order.key.clone();
        if !self.flag_pending.insert(key.clone()) {
            self.say(Level::Info, format!("{key}: still saving the flag…"));
            return;
        }
        let flagged = !self.flags.contains_key(&key);
        fx.push(Effect::SetFlag { key, flagged });
    }

    pub(super) fn on_flag_saved(&mut self, key: OrderKey, result: Result<Option<Flag>, String>) {
        self.flag_pending.remove(&key);
        match result {
            Ok(Some(flag)) => {
                self.flags.insert(key.clone(), flag);
                self.store.set_flagged(&key, true);
                self.resync_cursor();
                self.say(
                    Level::Ok,
                    format!("{key}: flagged for follow-up (local only)"),
                );
            }
            Ok(None) => {
                self.flags.remove(&key);
                self.store.set_flagged(&key, false);
                self.resync_cursor();
                self.say(Level::Ok, format!("{key}: follow-up flag cleared"));
            }
            Err(error) => {
                self.say(
                    Level::Error,
                    format!("{key}: flag not saved: {}", crate::domain::sanitize(&error)),
                );
            }
        }
    }

    pub(super) fn on_journal(&mut self, entry: JournalEntry) {
        match self.journal.iter_mut().find(|e| e.id == entry.id) {
            Some(old) => *old = entry,
            None => self.journal.push(entry),
        }
        sort_journal(&mut self.journal);
        self.journal_resync();
    }

    pub(super) fn open_journal(&mut self) {
        self.journal_view = Some(JournalView::new());
        self.journal_resync();
    }

    /// Puts the overlay's cursor back on its selected entry after the list
    /// changed (or keeps the position when that entry is gone).
    fn journal_resync(&mut self) {
        let Some(view) = &self.journal_view else {
            return;
        };
        let wanted = view.selected.clone();
        let visible: Vec<String> = self
            .journal_visible()
            .iter()
            .map(|e| e.id.clone())
            .collect();
        let Some(view) = self.journal_view.as_mut() else {
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
        if let Some(view) = self.journal_view.as_mut() {
            view.cursor = at;
            view.selected = id;
        }
    }

    /// A key in the journal overlay.
    pub(super) fn journal_key(&mut self, action: Option<Action>, typed: Option<char>) {
        let Some(view) = self.journal_view.as_mut() else {
            return;
        };
        let cursor = view.cursor as isize;
        let page = super::layout::journal_rows(self.size).max(1) as isize;
        let filter = &mut view.filter;
        match (action, typed) {
            (Some(Action::Back), _) => {
                self.journal_view = None;
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
        if let Some(view) = self.journal_view.as_mut() {
            view.filter.insert_str(text);
            self.journal_resync();
        }
    }

    /// Enter in the journal: select the entry's order in the table.
    fn journal_jump(&mut self) {
        let Some(cursor) = self.journal_view.as_ref().map(|v| v.cursor) else {
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
                self.store.set_filter(super::Filter::default());
            }
        }
        if self.selected != Some(index) {
            self.detail.scroll = 0;
        }
        self.selected = Some(index);
        self.resync_cursor();
        self.journal_view = None;
    }
}
