//! Marked orders, the set a bulk action works on (see `bulk`): `space`
//! toggles the selected row, `V` marks from the last mark to the selection,
//! `*` marks the whole view (again: unmarks it), `x` or Esc clears them.
//! Marks name orders by their store index (orders are never removed, so an
//! index stays the same order); they stay through view, filter and sort
//! changes, and the views bar says how many there are and how many of them
//! the view hides. Marking is harmless: it works in read-only mode too.
//! Pure: no I/O.

use std::collections::HashSet;

use super::state::{Level, State};
use crate::domain::OrderKey;

/// The marked orders and where the last mark was made (the start of a
/// range).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    set: HashSet<u32>,
    anchor: Option<u32>,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether the order at store index `index` is marked.
    pub fn contains(&self, index: u32) -> bool {
        self.set.contains(&index)
    }

    pub(super) fn clear(&mut self) {
        self.set.clear();
        self.anchor = None;
    }

    pub(super) fn remove(&mut self, index: u32) {
        self.set.remove(&index);
    }
}

impl State {
    /// The marked orders.
    pub fn marks(&self) -> &Marks {
        &self.marks
    }

    /// The marked orders' keys in the order of the current view, then the
    /// marked orders the view hides (in store order).
    pub fn marked_keys(&self) -> Vec<OrderKey> {
        let visible = self.store.visible();
        let mut shown: Vec<u32> = visible
            .iter()
            .copied()
            .filter(|i| self.marks.contains(*i))
            .collect();
        let in_view: HashSet<u32> = shown.iter().copied().collect();
        let mut hidden: Vec<u32> = self
            .marks
            .set
            .iter()
            .copied()
            .filter(|i| !in_view.contains(i))
            .collect();
        hidden.sort_unstable();
        shown.extend(hidden);
        shown
            .into_iter()
            .filter_map(|i| self.store.get(i).map(|o| o.key.clone()))
            .collect()
    }

    /// How many marked orders the current view does not show.
    pub fn marks_hidden(&self) -> usize {
        let shown = self
            .store
            .visible()
            .iter()
            .filter(|i| self.marks.contains(**i))
            .count();
        self.marks.len() - shown
    }

    /// `space`: marks or unmarks the selected order.
    pub(super) fn toggle_mark(&mut self) {
        let Some(index) = self.selected else {
            self.say(Level::Info, "mark: no order selected");
            return;
        };
        if self.marks.set.remove(&index) {
            self.marks.anchor = None;
        } else {
            self.marks.set.insert(index);
            self.marks.anchor = Some(index);
        }
    }

    /// `V`: marks every order of the view between the last mark and the
    /// selection (both included). Without a last mark in the view, it
    /// marks the selected order and says so.
    pub(super) fn mark_range(&mut self) {
        let Some(index) = self.selected else {
            self.say(Level::Info, "mark: no order selected");
            return;
        };
        let visible = self.store.visible();
        let from = self
            .marks
            .anchor
            .and_then(|a| visible.iter().position(|&i| i == a));
        let Some(from) = from else {
            self.marks.set.insert(index);
            self.marks.anchor = Some(index);
            self.say(
                Level::Info,
                "no earlier mark in this view: marked the selected order (space marks where a range starts)",
            );
            return;
        };
        let to = self.cursor.min(visible.len().saturating_sub(1));
        let (lo, hi) = (from.min(to), from.max(to));
        let range: Vec<u32> = visible[lo..=hi].to_vec();
        self.marks.set.extend(range);
        self.marks.anchor = Some(index);
    }

    /// `*`: marks every order in the view; when all of them already are,
    /// unmarks them.
    pub(super) fn mark_all_in_view(&mut self) {
        let visible = self.store.visible();
        if visible.is_empty() {
            self.say(Level::Info, "mark: no orders in this view");
            return;
        }
        if visible.iter().all(|i| self.marks.contains(*i)) {
            let gone: HashSet<u32> = visible.iter().copied().collect();
            self.marks.set.retain(|i| !gone.contains(i));
            self.marks.anchor = None;
        } else {
            self.marks.set.extend(visible.iter().copied());
        }
    }

    /// `x` (or Esc with marks): clears every mark; says how many went.
    pub(super) fn clear_marks(&mut self) {
        let n = self.marks.len();
        self.marks.clear();
        let text = if n == 0 {
            "no marks to clear".to_owned()
        } else {
            format!("{n} marks cleared")
        };
        self.say(Level::Info, text);
    }
}
