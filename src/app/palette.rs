//! The command palette (`:`): one line of text and a ranked list under it.
//! It jumps to an order by key or id, runs any action of the table and
//! detail panes by name (each with its description and key), switches the
//! view or the theme. Typing goes to the line at once; the arrows and
//! ctrl-n/ctrl-p move, Enter runs the selected entry, Esc closes. A
//! read-only console lists no write action. Pure: no I/O; a theme switch is
//! an effect the runtime carries out.
//!
//! Matching is fuzzy as in fzf or k9s: the typed characters must appear in
//! order (a subsequence, case-insensitive); runs of consecutive characters,
//! the start of a word and an exact id rank higher. Orders are matched on
//! the summaries the state holds, `carrier/id`, without allocating per
//! order; only the best [`ORDER_HITS`] are kept (a bounded insertion), so a
//! keystroke at 100k orders is one linear pass over short strings.

use crossterm::event::KeyEvent;

use super::input::TextInput;
use super::keymap::{Action, Layer};
use super::msg::{Effect, Msg};
use super::state::{Focus, Level, Modal, State};
use crate::domain::OrderKey;

/// Orders kept in the list at most (the best ranked).
pub const ORDER_HITS: usize = 50;
/// Entries listed at most.
const ENTRIES_MAX: usize = 200;

/// What the palette is open for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `:`: orders, actions, views, themes.
    Commands,
    /// ctrl-s in the filter bar: the line is the new view's name.
    NameView,
    /// `Y`: the selected order's fields, to copy one.
    CopyField,
}

/// What an entry does when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Select this order (and show it).
    Order(OrderKey),
    /// Run this action as its key would.
    Action(Action),
    /// Switch to this theme (built-in name or path).
    Theme(String),
    /// Copy `text` (the field `what`) to the clipboard.
    Copy { what: String, text: String },
}

/// One line of the palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What kind of entry, for its first column: order, action, view, theme.
    pub kind: &'static str,
    pub label: String,
    /// The key that does the same without the palette ("" when none).
    pub key: String,
    pub target: Target,
    score: i32,
}

/// The open palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    pub mode: Mode,
    pub input: TextInput,
    /// The entries matching the input, best first.
    pub entries: Vec<Entry>,
    /// The selected entry.
    pub cursor: usize,
}

/// How well `query` (lowercase chars) matches `text` as a subsequence, or
/// `None` when it does not. Higher is better.
pub fn fuzzy_score(query: &[char], text: impl Iterator<Item = char>) -> Option<i32> {
    if query.is_empty() {
        return Some(0);
    }
    let mut score = 0;
    let mut q = 0;
    let mut last: Option<usize> = None;
    let mut prev = ' ';
    let mut len = 0;
    for (i, c) in text.enumerate() {
        len = i + 1;
        let lower = c.to_lowercase().next().unwrap_or(c);
        if q < query.len() && lower == query[q] {
            score += 1;
            if last.is_some_and(|l| l + 1 == i) {
                score += 8;
            }
            if i == 0 || matches!(prev, '/' | ' ' | '-' | '_' | '.' | ':') {
                score += 6;
            }
            if let Some(l) = last {
                score -= ((i - l - 1) as i32).min(3);
            }
            last = Some(i);
            q += 1;
        }
        prev = c;
    }
    // Shorter texts rank higher among equal matches.
    (q == query.len()).then(|| score * 4 - (len as i32).min(40) / 8)
}

fn lower_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Keeps `entry` among the best `cap` of `best` (best first).
fn keep_best(best: &mut Vec<Entry>, entry: Entry, cap: usize) {
    if best.len() == cap && best.last().is_some_and(|l| l.score >= entry.score) {
        return;
    }
    let at = best.partition_point(|e| e.score >= entry.score);
    best.insert(at, entry);
    best.truncate(cap);
}

impl State {
    /// The themes the palette offers and the one in use (the runtime
    /// loads them; the app only names them).
    pub fn set_themes(&mut self, names: Vec<String>, current: &str) {
        self.prefs.themes = names;
        self.prefs.theme = current.to_owned();
    }

    /// The theme in use, by name ("" when never set).
    pub fn theme_name(&self) -> &str {
        &self.prefs.theme
    }

    /// `:`: opens the palette on an empty line.
    pub(super) fn open_palette(&mut self) {
        self.open_palette_in(Mode::Commands);
    }

    /// Opens the palette for `mode` on an empty line.
    pub(super) fn open_palette_in(&mut self, mode: Mode) {
        let mut palette = Palette {
            mode,
            input: TextInput::new("", false, Some(80)),
            entries: Vec::new(),
            cursor: 0,
        };
        palette.entries = self.palette_entries(mode, "");
        self.modal = Some(Modal::Palette(palette));
    }

    /// The open palette, if any.
    pub fn palette(&self) -> Option<&Palette> {
        match &self.modal {
            Some(Modal::Palette(p)) => Some(p),
            _ => None,
        }
    }

    /// The actions the palette offers, with their key and description:
    /// those of the table and detail panes (no write in a read-only
    /// console, not the palette itself).
    fn palette_actions(&self) -> Vec<(Action, String, &'static str)> {
        let mut out = Vec::new();
        for &action in Action::NAMED {
            if action == Action::Palette || (self.readonly && action.writes()) {
                continue;
            }
            let layer = [Layer::Table, Layer::Detail]
                .into_iter()
                .find(|l| !self.keymap.keys_for(*l, action).is_empty());
            let Some(layer) = layer else { continue };
            let key = self.keymap.hint(layer, action).unwrap_or_default();
            out.push((action, key, action.describe(layer)));
        }
        out
    }

    /// The entries of `mode` for `text`, best first.
    pub(super) fn palette_entries(&self, mode: Mode, text: &str) -> Vec<Entry> {
        let query = lower_chars(text);
        match mode {
            Mode::Commands => self.command_entries(&query),
            Mode::NameView => Vec::new(),
            Mode::CopyField => self.copy_entries(&query),
        }
    }

    /// The selected order's fields to copy (`Y`), those matching `query`.
    fn copy_entries(&self, query: &[char]) -> Vec<Entry> {
        let mut entries = Vec::new();
        for (what, text) in self.copy_fields() {
            let label = format!("{what}: {text}");
            if let Some(score) = fuzzy_score(query, label.chars()) {
                entries.push(Entry {
                    kind: "copy",
                    label,
                    key: String::new(),
                    target: Target::Copy { what, text },
                    score,
                });
            }
        }
        if !query.is_empty() {
            entries.sort_by_key(|e| std::cmp::Reverse(e.score));
        }
        entries
    }

    /// Every action, view and theme whose words match `query`, and the
    /// best matching orders.
    fn command_entries(&self, query: &[char]) -> Vec<Entry> {
        let query = query.to_vec();
        let mut entries = Vec::new();
        for (action, key, describe) in self.palette_actions() {
            let kind = if matches!(action, Action::View(_) | Action::UserView(_)) {
                "view"
            } else {
                "action"
            };
            let label = match action {
                Action::UserView(i) => match self.prefs.user_views.get(usize::from(i)) {
                    Some(view) => format!("{}: view: {}", action.name(), view.name),
                    None => continue,
                },
                _ => format!("{}: {describe}", action.name()),
            };
            if let Some(score) = fuzzy_score(&query, label.chars()) {
                entries.push(Entry {
                    kind,
                    label,
                    key,
                    target: Target::Action(action),
                    score,
                });
            }
        }
        for name in &self.prefs.themes {
            let label = format!("theme: {name}");
            if let Some(score) = fuzzy_score(&query, label.chars()) {
                entries.push(Entry {
                    kind: "theme",
                    label,
                    key: String::new(),
                    target: Target::Theme(name.clone()),
                    score,
                });
            }
        }
        if !query.is_empty() {
            let mut orders = Vec::new();
            let typed: String = query.iter().collect();
            for summary in self.store.all() {
                let key = &summary.key;
                let text = key.carrier.chars().chain(['/']).chain(key.id.chars());
                let Some(mut score) = fuzzy_score(&query, text) else {
                    continue;
                };
                if key.id.eq_ignore_ascii_case(&typed) {
                    score += 1000;
                }
                if orders.len() == ORDER_HITS
                    && orders.last().is_some_and(|l: &Entry| l.score >= score)
                {
                    continue;
                }
                let entry = Entry {
                    kind: "order",
                    label: format!("{key} · {}", summary.customer),
                    key: "enter".into(),
                    target: Target::Order(key.clone()),
                    score,
                };
                keep_best(&mut orders, entry, ORDER_HITS);
            }
            entries.extend(orders);
        }
        // Stable: among equal scores, actions, views and themes come first.
        entries.sort_by_key(|e| std::cmp::Reverse(e.score));
        entries.truncate(ENTRIES_MAX);
        entries
    }

    /// A key while the palette is open.
    pub(super) fn palette_key(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(Modal::Palette(palette)) = &mut self.modal else {
            return;
        };
        let changed = match (action, typed) {
            (Some(Action::Back), _) => {
                self.close_modal();
                return;
            }
            (Some(Action::Accept), _) if palette.mode == Mode::NameView => {
                let name = palette.input.text().to_owned();
                self.close_modal();
                self.save_view(&name, fx);
                return;
            }
            (Some(Action::Accept), _) => {
                let chosen = palette.entries.get(palette.cursor).cloned();
                self.close_modal();
                match chosen {
                    Some(entry) => self.run_entry(entry.target, fx),
                    None => self.say(Level::Info, "palette: nothing matches"),
                }
                return;
            }
            (Some(Action::Down), _) => {
                let n = palette.entries.len();
                if n > 0 {
                    palette.cursor = (palette.cursor + 1) % n;
                }
                false
            }
            (Some(Action::Up), _) => {
                let n = palette.entries.len();
                if n > 0 {
                    palette.cursor = (palette.cursor + n - 1) % n;
                }
                false
            }
            (Some(a), _) if TextInput::is_edit(a) => palette.input.edit(a),
            (None, Some(c)) => palette.input.insert(c),
            _ => false,
        };
        if changed {
            self.palette_refresh();
        }
    }

    /// Text pasted into the palette's line.
    pub(super) fn palette_paste(&mut self, text: &str) {
        if let Some(Modal::Palette(palette)) = &mut self.modal {
            palette.input.insert_str(text.lines().next().unwrap_or(""));
            self.palette_refresh();
        }
    }

    fn palette_refresh(&mut self) {
        let (mode, text) = match &self.modal {
            Some(Modal::Palette(p)) => (p.mode, p.input.text().to_owned()),
            _ => return,
        };
        let entries = self.palette_entries(mode, &text);
        if let Some(Modal::Palette(p)) = &mut self.modal {
            p.entries = entries;
            p.cursor = 0;
        }
    }

    fn run_entry(&mut self, target: Target, fx: &mut Vec<Effect>) {
        match target {
            Target::Order(key) => self.jump_to(&key, fx),
            Target::Theme(name) => {
                self.say(Level::Ok, format!("theme: {name}"));
                self.prefs.theme = name.clone();
                fx.push(Effect::SwitchTheme(name));
            }
            Target::Action(Action::Act(kind)) => {
                // As its key would: wait for the order being read first.
                if self.wait_for_selected_order(fx) {
                    let key = self
                        .keymap
                        .keys_for(Layer::Table, Action::Act(kind))
                        .first()
                        .copied();
                    match key {
                        Some(key) => self
                            .deferred
                            .push(Msg::Key(KeyEvent::new(key.code, key.mods))),
                        None => self.say(Level::Info, "still reading the order; try again"),
                    }
                    return;
                }
                self.open_action(kind);
            }
            Target::Action(action) => self.pane_action(action, fx),
            Target::Copy { what, text } => self.copy(&what, text, fx),
        }
    }

    /// Selects `key`'s order; a filter or view that hides it is widened to
    /// everything (and said), the table scrolls to it.
    pub(super) fn jump_to(&mut self, key: &OrderKey, fx: &mut Vec<Effect>) {
        let Some(index) = self.store.index_of(key) else {
            self.say(Level::Warning, format!("{key}: not held"));
            return;
        };
        if !self.store.visible().contains(&index) {
            self.prefs.active_view = None;
            self.filter_input.clear();
            self.apply_filter();
            self.store.set_view(super::keymap::ViewKind::All);
            self.say(Level::Info, format!("{key}: shown in view all"));
        }
        self.selected = Some(index);
        self.resync_cursor();
        if self.focus == Focus::Detail {
            self.maybe_load_customer(fx);
        }
    }
}
