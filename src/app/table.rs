//! The orders table's window: the selection, the cursor and the first
//! row shown, paging by the rows the layout gives the table, the filter and
//! the sort, and the scroll limits `ui` reports. Pure: no I/O.

use super::dialog::Dialog;
use super::filter::Filter;
use super::layout::{self, ScrollLimits};
use super::orders::Sort;
use super::state::{Modal, State};

impl State {
    /// Same as typing `text` into the filter bar.
    pub fn set_filter(&mut self, text: &str) {
        self.filter_input.set(text);
        self.apply_filter();
    }

    /// Same as `s`.
    pub fn cycle_sort(&mut self) {
        let sort = self.store.sort();
        self.store.set_sort(Sort {
            column: sort.column.next(),
            reversed: false,
        });
        self.resync_cursor();
    }

    /// Rows the table shows at the current size (for paging).
    pub(super) fn page(&self) -> usize {
        layout::table_rows(self.size, self.filter_open || !self.filter_input.is_empty()).max(1)
    }

    /// Puts the cursor back on the selected order after the view changed,
    /// or keeps its position when that order left the view. The window
    /// moves with the selected order, so it stays on the screen row where
    /// the user sees it while rows arrive above it (a sync at start, a
    /// re-sort): the selection never drifts out from under their eyes.
    pub(super) fn resync_cursor(&mut self) {
        let visible = self.store.visible();
        if visible.is_empty() {
            self.cursor = 0;
            self.selected = None;
            return;
        }
        if let Some(sel) = self.selected
            && let Some(pos) = visible.iter().position(|&i| i == sel)
        {
            let row = self.cursor.saturating_sub(self.offset);
            self.cursor = pos;
            self.offset = pos.saturating_sub(row);
        } else {
            self.cursor = self.cursor.min(visible.len() - 1);
            self.selected = Some(visible[self.cursor]);
            self.detail.scroll = 0;
        }
        self.keep_cursor_in_window();
    }

    /// Takes the limits `ui` measured and pulls every scroll back within them.
    pub(super) fn set_scroll_limits(&mut self, limits: ScrollLimits) {
        self.scroll_limits = limits;
        self.detail.scroll = self.detail.scroll.min(limits.detail);
        match &mut self.modal {
            Some(Modal::Help { scroll, .. }) => *scroll = (*scroll).min(limits.help),
            Some(Modal::Dialog(Dialog::Confirm { scroll, .. })) => {
                *scroll = (*scroll).min(limits.dialog);
            }
            _ => {}
        }
    }

    pub(super) fn keep_cursor_in_window(&mut self) {
        let rows = self.page();
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + rows {
            self.offset = self.cursor + 1 - rows;
        }
        let len = self.store.visible().len();
        self.offset = self.offset.min(len.saturating_sub(rows));
    }

    pub(super) fn move_cursor(&mut self, to: isize) {
        let len = self.store.visible().len();
        if len == 0 {
            return;
        }
        let to = to.clamp(0, len as isize - 1) as usize;
        if self.selected != Some(self.store.visible()[to]) {
            self.detail.scroll = 0;
        }
        self.cursor = to;
        self.selected = Some(self.store.visible()[to]);
        self.keep_cursor_in_window();
    }

    pub(super) fn apply_filter(&mut self) {
        let mut filter = Filter::parse(self.filter_input.text());
        let carriers: Vec<&str> = self.carriers.iter().map(|c| &*c.info.name).collect();
        let kinds: Vec<&str> = self.carriers.iter().map(|c| c.info.kind).collect();
        filter.hint_unknown(&carriers, &kinds);
        let (statuses, sources) = self.store.held_words();
        filter.hint_unheld(&statuses, &sources);
        self.store.set_filter(filter);
        self.resync_cursor();
    }
}
