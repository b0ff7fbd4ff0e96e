//! Keys and pastes: which layer gets them (it follows from the open
//! [`Modal`], then the filter bar, then the focused pane) and what the table,
//! the detail pane, the filter bar and the help overlay do with them. The
//! dialog, the note editor, the journal overlay and the bulk dialog handle
//! their own keys (`writes`, `notes`, `journal`, `bulk_keys`); with orders
//! marked, `a` `t` `f` `n` open the bulk dialog (`bulk`) and Esc clears the
//! marks before the filter. Pure: no I/O.

use crossterm::event::{KeyEvent, KeyEventKind};

use super::bulk::BulkKind;
use super::dialog::{Dialog, Input};
use super::input::TextInput;
use super::keymap::{self, Action, Key, Layer};
use super::msg::{Effect, Msg};
use super::orders::Sort;
use super::state::{Focus, Level, Modal, State, Tab};
use crate::domain::ActionKind;

impl State {
    pub(super) fn on_key(&mut self, event: KeyEvent, fx: &mut Vec<Effect>) {
        if event.kind != KeyEventKind::Press {
            return;
        }
        // Warnings and errors stay until the user does something.
        if self
            .status
            .as_ref()
            .is_some_and(|s| matches!(s.level, Level::Warning | Level::Error))
        {
            self.status = None;
        }
        let key = Key::from_event(&event);
        if let Some(quiet) = self.quiet_confirm.take() {
            self.answer_quiet(quiet, key.typed_char(), fx);
            return;
        }
        if self.wallboard.is_some() {
            match self.wallboard_key(key) {
                Some(Action::Quit) => self.request_quit(key == keymap::hard_quit(), fx),
                Some(Action::Wallboard) => self.toggle_wallboard(fx),
                _ => {}
            }
            return;
        }
        let said = self.status_seq;
        let selected = self.selected;
        let modal_open = self.modal.is_some();
        self.key_action(event, key, fx);
        // A message that is not about this key goes once the user moves on.
        let moved = self.selected != selected || (modal_open && self.modal.is_none());
        if moved && self.status_seq == said {
            self.status = None;
        }
    }

    fn key_action(&mut self, event: KeyEvent, key: Key, fx: &mut Vec<Effect>) {
        let layer = self.layer();
        let action = self.keymap.resolve(layer, key);
        if action != Some(Action::Quit) {
            self.quit_armed = false;
        }
        if self.asks_before_discarding(action, key) {
            return;
        }
        if action == Some(Action::Quit)
            && (key == keymap::hard_quit()
                || !matches!(layer, Layer::Dialog | Layer::Filter | Layer::Palette))
        {
            self.request_quit(key == keymap::hard_quit(), fx);
            return;
        }
        match &self.modal {
            Some(Modal::Help { .. }) => self.help_key(action, key.typed_char()),
            Some(Modal::Note(_)) => self.note_key(action, key.typed_char(), fx),
            Some(Modal::Journal(_)) => self.journal_key(action, key.typed_char(), fx),
            Some(Modal::Bulk(_)) => self.bulk_key(action, key.typed_char(), fx),
            Some(Modal::Palette(_)) => self.palette_key(action, key.typed_char(), fx),
            Some(Modal::Dialog(_)) => {
                let input = match (action, key.typed_char()) {
                    (Some(a), _) => Input::Action(a),
                    (None, Some(c)) => Input::Char(c),
                    (None, None) => return,
                };
                self.dialog_step(input, fx);
            }
            None if layer == Layer::Filter => self.filter_key(action, key.typed_char()),
            None => {
                if let Some(Action::Act(_)) = action
                    && self.wait_for_selected_order(fx)
                {
                    self.deferred.push(Msg::Key(event));
                    return;
                }
                if let Some(action) = action {
                    self.pane_action(action, fx);
                }
            }
        }
    }

    /// Esc (closing) or ctrl-c (quitting) on a dialog or note that holds
    /// typed text asks first: the same key again drops the text, any other
    /// key goes on editing. Returns true when it asked.
    fn asks_before_discarding(&mut self, action: Option<Action>, key: Key) -> bool {
        let armed = self.discard_armed.take();
        let quitting = key == keymap::hard_quit();
        if !(quitting || action == Some(Action::Back)) || armed == Some(key) {
            return false;
        }
        let (order, what) = match &self.modal {
            Some(Modal::Dialog(Dialog::Form(form))) if form.typed() => {
                (form.key.clone(), "what you typed in this dialog")
            }
            Some(Modal::Note(editor)) if !editor.saving && !editor.input.is_empty() => {
                (editor.key.clone(), "this note")
            }
            Some(Modal::Bulk(bulk)) if bulk.typed() => {
                let what = format!("what you typed for the {} marked orders", bulk.keys.len());
                let again = if quitting {
                    "ctrl-c again quits and drops"
                } else {
                    "esc again closes and drops"
                };
                self.discard_armed = Some(key);
                self.say(
                    Level::Warning,
                    format!(
                        "{}: {again} {what}; any other key goes on editing",
                        bulk.kind.label()
                    ),
                );
                return true;
            }
            _ => return false,
        };
        self.discard_armed = Some(key);
        let again = if quitting {
            "ctrl-c again quits and drops"
        } else {
            "esc again closes and drops"
        };
        self.say(
            Level::Warning,
            format!("{order}: {again} {what}; any other key goes on editing"),
        );
        true
    }

    /// Text pasted into the terminal goes to the open overlay or the
    /// filter bar; the help overlay and the panes ignore it.
    pub(super) fn on_paste(&mut self, text: String, fx: &mut Vec<Effect>) {
        match &self.modal {
            Some(Modal::Help { .. }) => {}
            Some(Modal::Dialog(_)) => self.dialog_step(Input::Paste(text), fx),
            Some(Modal::Note(_)) => self.note_paste(&text),
            Some(Modal::Journal(_)) => self.journal_paste(&text),
            Some(Modal::Bulk(_)) => self.bulk_paste(&text),
            Some(Modal::Palette(_)) => self.palette_paste(&text),
            None if self.filter_open => {
                self.filter_input.insert_str(&text);
                self.apply_filter();
            }
            None => {}
        }
    }

    fn request_quit(&mut self, hard: bool, fx: &mut Vec<Effect>) {
        if !hard && !self.pending.is_empty() && !self.quit_armed {
            self.quit_armed = true;
            let what: Vec<String> = self
                .pending
                .values()
                .map(|p| format!("{} {}", p.key, p.summary))
                .collect();
            self.say(
                Level::Warning,
                format!(
                    "a write is in flight ({}); press q again to quit",
                    what.join(", ")
                ),
            );
            return;
        }
        self.quit = true;
        fx.push(Effect::Quit);
    }

    /// A key in the help overlay. While its search line is typed, letters
    /// go there (enter keeps the search, esc drops it); otherwise the keys
    /// scroll, `/` searches, esc drops a search first, then closes.
    fn help_key(&mut self, action: Option<Action>, typed: Option<char>) {
        let limit = self.scroll_limits.help;
        let Some(Modal::Help {
            scroll,
            search,
            typing,
        }) = &mut self.modal
        else {
            return;
        };
        if *typing {
            match (action, typed) {
                (Some(Action::Back), None) => {
                    search.clear();
                    *typing = false;
                }
                (Some(Action::Accept), _) => *typing = false,
                (_, Some(c)) => {
                    search.insert(c);
                }
                (Some(a), None) if TextInput::is_edit(a) => {
                    search.edit(a);
                }
                _ => {}
            }
            *scroll = 0;
            return;
        }
        *scroll = match action {
            Some(Action::Back) if !search.is_empty() => {
                search.clear();
                0
            }
            Some(Action::Back) => return self.close_modal(),
            Some(Action::Filter) => {
                *typing = true;
                search.end();
                0
            }
            Some(Action::Down) => scroll.saturating_add(1),
            Some(Action::Up) => scroll.saturating_sub(1),
            Some(Action::PageDown) => scroll.saturating_add(10),
            Some(Action::PageUp) => scroll.saturating_sub(10),
            Some(Action::Top) => 0,
            Some(Action::Bottom) => u16::MAX,
            _ => *scroll,
        }
        .min(limit);
    }

    fn filter_key(&mut self, action: Option<Action>, typed: Option<char>) {
        let input = &mut self.filter_input;
        match (action, typed) {
            (Some(Action::SaveView), _) => {
                self.ask_view_name();
                return;
            }
            (Some(Action::Accept), _) => {
                self.filter_open = false;
                return;
            }
            (Some(Action::Back), _) => {
                self.filter_open = false;
                input.clear();
            }
            (Some(Action::Down), _) => {
                self.move_cursor(self.cursor as isize + 1);
                return;
            }
            (Some(Action::Up), _) => {
                self.move_cursor(self.cursor as isize - 1);
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
        self.apply_filter();
    }

    pub(super) fn pane_action(&mut self, action: Action, fx: &mut Vec<Effect>) {
        let in_detail = self.focus == Focus::Detail;
        match action {
            Action::Help => {
                self.modal = Some(Modal::Help {
                    scroll: 0,
                    search: TextInput::new("", false, Some(60)),
                    typing: false,
                });
            }
            Action::Refresh => self.refresh(None, fx),
            Action::RefreshCarrier => match self.selected() {
                Some(order) => {
                    let carrier = order.key.carrier.clone();
                    self.refresh(Some(carrier), fx);
                }
                None => self.say(Level::Warning, "refresh carrier: no order selected"),
            },
            Action::Filter => {
                self.filter_open = true;
                self.filter_input.end();
            }
            Action::ClearFilter | Action::ClearMarks if !self.marks.is_empty() => {
                self.clear_marks();
            }
            Action::ClearMarks => self.clear_marks(),
            Action::Mark => self.toggle_mark(),
            Action::MarkRange => self.mark_range(),
            Action::MarkAll => self.mark_all_in_view(),
            Action::Act(kind @ (ActionKind::Acknowledge | ActionKind::SetStatus))
                if !self.marks.is_empty() =>
            {
                self.open_bulk(BulkKind::Act(kind), fx);
            }
            Action::Act(kind) if !self.marks.is_empty() => self.one_order_only(kind),
            Action::Note if !self.marks.is_empty() => self.open_bulk(BulkKind::Note, fx),
            Action::Flag if !self.marks.is_empty() => self.open_bulk(BulkKind::Flag, fx),
            Action::ClearFilter if !self.filter_input.is_empty() => {
                self.filter_input.clear();
                self.apply_filter();
            }
            Action::SortNext => self.cycle_sort(),
            Action::SortReverse => {
                let sort = self.store.sort();
                self.store.set_sort(Sort {
                    column: sort.column,
                    reversed: !sort.reversed,
                });
                self.resync_cursor();
            }
            Action::View(view) => self.enter_builtin_view(view),
            Action::UserView(i) => self.enter_user_view(usize::from(i)),
            Action::SortLeft => self.sort_step(false),
            Action::SortRight => self.sort_step(true),
            Action::CopyKey => self.copy_key(fx),
            Action::CopyField => self.choose_copy_field(fx),
            Action::OpenPortal => self.open_portal(fx),
            Action::ToggleTimes => self.toggle_times(fx),
            Action::ExportView => self.export_view(fx),
            Action::Act(kind) => self.open_action(kind),
            Action::Note => self.open_note(),
            Action::Flag => self.toggle_flag(fx),
            Action::Journal => self.open_journal(),
            Action::Wallboard => self.toggle_wallboard(fx),
            Action::Palette => self.open_palette(),
            Action::OpenDetail => {
                if self.selected().is_some() {
                    self.focus = Focus::Detail;
                    self.maybe_load_customer(fx);
                } else {
                    self.say(Level::Info, "no order selected");
                }
            }
            Action::CloseDetail => self.focus = Focus::Table,
            Action::NextTab | Action::PrevTab => {
                let n = Tab::ALL.len();
                let i = self.detail.tab.index();
                let i = if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.detail.tab = Tab::ALL[i];
                self.detail.scroll = 0;
                self.maybe_load_customer(fx);
            }
            Action::NextOrder | Action::PrevOrder => {
                let step = if action == Action::NextOrder { 1 } else { -1 };
                self.move_cursor(self.cursor as isize + step);
                self.maybe_load_customer(fx);
            }
            Action::FlipLog => {
                self.detail.log_oldest_first = !self.detail.log_oldest_first;
                self.detail.scroll = 0;
            }
            Action::Down | Action::Up | Action::PageDown | Action::PageUp if in_detail => {
                let page = 10u16;
                let s = self.detail.scroll;
                self.detail.scroll = match action {
                    Action::Down => s.saturating_add(1),
                    Action::Up => s.saturating_sub(1),
                    Action::PageDown => s.saturating_add(page),
                    _ => s.saturating_sub(page),
                }
                .min(self.scroll_limits.detail);
            }
            Action::Top if in_detail => self.detail.scroll = 0,
            Action::Bottom if in_detail => {
                self.detail.scroll = self.scroll_limits.detail;
            }
            Action::Down => self.move_cursor(self.cursor as isize + 1),
            Action::Up => self.move_cursor(self.cursor as isize - 1),
            Action::PageDown => self.move_cursor((self.cursor + self.page()) as isize),
            Action::PageUp => self.move_cursor(self.cursor as isize - self.page() as isize),
            Action::Top => self.move_cursor(0),
            Action::Bottom => self.move_cursor(isize::MAX),
            // Quit is handled before; editing actions are not bound here.
            _ => {}
        }
    }
}
