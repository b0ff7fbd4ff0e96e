//! The mouse: what a click or a turn of the wheel at a terminal cell hit,
//! decided here with the geometry `layout` computes (the areas, the table's
//! window, the detail's tab bar) and what `ui` measured of drawn content
//! (the status rows, a dialog's choices: [`super::ScrollLimits`]). A click
//! selects a table row, a detail tab or a dialog choice; the wheel scrolls
//! the table, the detail pane, the help and a confirmation. Anything else
//! is ignored: a click never sends, confirms or closes anything. The
//! runtime turns the mouse on unless the config says `mouse = false`.
//! Pure: no I/O.

use ratatui::layout::{Position, Rect};

use super::bulk::BulkStep;
use super::dialog::{Dialog, FieldValue, Input};
use super::keymap::Action;
use super::layout::{self, ChoiceRows};
use super::msg::{Effect, MouseKind};
use super::state::{Focus, Modal, State, Tab};

/// Rows (or lines) one notch of the wheel moves.
pub const WHEEL_STEP: u16 = 3;

/// The option of a measured choice field at a cell, if one is there.
fn choice_at(choices: &[Option<ChoiceRows>], column: u16, row: u16) -> Option<(usize, usize)> {
    choices.iter().flatten().find_map(|c| {
        let inside = row >= c.top
            && row < c.top + u16::from(c.count)
            && column >= c.x
            && column < c.x + c.width;
        inside.then(|| {
            (
                usize::from(c.field),
                usize::from(c.first) + usize::from(row - c.top),
            )
        })
    })
}

/// Puts the focus on `field` and selects its option `option`.
fn choose(form: &mut super::form::FormState, field: usize, option: usize) -> bool {
    let Some(FieldValue::Choice {
        options, selected, ..
    }) = form.fields.get_mut(field)
    else {
        return false;
    };
    if option >= options.len() {
        return false;
    }
    *selected = option;
    form.focus = field;
    form.errors
        .retain(|e| e.field != form.form.fields.get(field).map(|f| f.id));
    true
}

impl State {
    pub(super) fn on_mouse(
        &mut self,
        kind: MouseKind,
        column: u16,
        row: u16,
        fx: &mut Vec<Effect>,
    ) {
        if self.wallboard.is_some() || self.quiet_confirm.is_some() {
            return;
        }
        let choices = self.scroll_limits.choices;
        match &mut self.modal {
            Some(Modal::Help { scroll, .. }) => {
                let limit = self.scroll_limits.help;
                *scroll = match kind {
                    MouseKind::WheelDown => scroll.saturating_add(WHEEL_STEP).min(limit),
                    MouseKind::WheelUp => scroll.saturating_sub(WHEEL_STEP),
                    MouseKind::Click => *scroll,
                };
            }
            Some(Modal::Dialog(Dialog::Form(form))) => {
                if kind == MouseKind::Click
                    && let Some((field, option)) = choice_at(&choices, column, row)
                {
                    choose(form, field, option);
                }
            }
            Some(Modal::Dialog(Dialog::Confirm { .. })) => {
                let action = match kind {
                    MouseKind::WheelDown => Action::Down,
                    MouseKind::WheelUp => Action::Up,
                    MouseKind::Click => return,
                };
                for _ in 0..WHEEL_STEP {
                    self.dialog_step(Input::Action(action), fx);
                }
            }
            Some(Modal::Bulk(bulk)) => match (&mut bulk.step, &mut bulk.form, kind) {
                (BulkStep::Edit, Some(form), MouseKind::Click) => {
                    if let Some((field, option)) = choice_at(&choices, column, row) {
                        choose(form, field, option);
                    }
                }
                (
                    BulkStep::Confirm { scroll, .. } | BulkStep::Done { scroll, .. },
                    _,
                    MouseKind::WheelDown,
                ) => *scroll = scroll.saturating_add(WHEEL_STEP),
                (
                    BulkStep::Confirm { scroll, .. } | BulkStep::Done { scroll, .. },
                    _,
                    MouseKind::WheelUp,
                ) => *scroll = scroll.saturating_sub(WHEEL_STEP),
                _ => {}
            },
            Some(_) => {}
            None => self.pane_mouse(kind, column, row, fx),
        }
    }

    /// A click or the wheel on the table or the detail pane.
    fn pane_mouse(&mut self, kind: MouseKind, column: u16, row: u16, fx: &mut Vec<Effect>) {
        let (w, h) = self.size;
        let filter_bar = self.filter_open || !self.filter_input.is_empty();
        let areas = layout::areas(
            Rect::new(0, 0, w, h),
            filter_bar,
            self.focus == Focus::Detail,
            self.scroll_limits.status_rows,
        );
        let at = Position::new(column, row);
        if let Some(table) = areas.table.filter(|t| t.contains(at)) {
            match kind {
                MouseKind::Click if row > table.y => {
                    let len = self.store.visible().len();
                    let rows = usize::from(table.height.saturating_sub(1));
                    let first = layout::table_offset(self.offset, self.cursor, len, rows);
                    let index = first + usize::from(row - table.y - 1);
                    if index < len {
                        self.offset = first;
                        self.move_cursor(index as isize);
                        self.focus = Focus::Table;
                        self.maybe_load_customer(fx);
                    }
                }
                MouseKind::Click => {}
                MouseKind::WheelDown => {
                    self.move_cursor(self.cursor as isize + isize::from(WHEEL_STEP as i16));
                }
                MouseKind::WheelUp => {
                    self.move_cursor(self.cursor as isize - isize::from(WHEEL_STEP as i16));
                }
            }
            return;
        }
        let Some(detail) = areas.detail.filter(|d| d.contains(at)) else {
            return;
        };
        if self.selected().is_none() {
            return;
        }
        match kind {
            MouseKind::Click => {
                let labels: Vec<&str> = Tab::ALL.iter().map(|t| t.label()).collect();
                if let Some(i) = layout::tab_at(detail, &labels, column, row) {
                    self.detail.tab = Tab::ALL[i];
                    self.detail.scroll = 0;
                }
                self.focus = Focus::Detail;
                self.maybe_load_customer(fx);
            }
            MouseKind::WheelDown => {
                self.detail.scroll = self
                    .detail
                    .scroll
                    .saturating_add(WHEEL_STEP)
                    .min(self.scroll_limits.detail);
            }
            MouseKind::WheelUp => {
                self.detail.scroll = self.detail.scroll.saturating_sub(WHEEL_STEP);
            }
        }
    }
}
