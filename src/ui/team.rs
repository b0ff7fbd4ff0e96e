//! What team mode adds to the screen: the header's store chip (connected,
//! reconnecting, unreachable since HH:MM, in the app's words) and the
//! detail's presence line ("erik is viewing · anna is writing a message").
//! Draws only what `app` decided; a solo console shows none of it.

use ratatui::style::Modifier;
use ratatui::text::Span;

use super::{Theme, clean};
use crate::app::{Level, State};
use crate::domain::OrderKey;

/// The store chip's spans, empty for a solo console.
pub(super) fn store_chip(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let Some((words, level)) = state.store_chip() else {
        return Vec::new();
    };
    let (glyph, style) = match level {
        Level::Ok => ("✓", theme.chip_ok),
        Level::Info => ("·", theme.chip_never),
        Level::Warning => ("↻", theme.chip_waiting),
        Level::Error => ("✗", theme.chip_error),
    };
    vec![
        Span::styled("│ ", theme.muted),
        Span::styled(format!("{glyph} "), style),
        Span::styled(words, style.add_modifier(Modifier::BOLD)),
        Span::raw(" "),
    ]
}

/// Who else is on `key`, in words, `None` when nobody is.
pub(super) fn presence_words(state: &State, key: &OrderKey) -> Option<String> {
    let others = state.others_on(key);
    if others.is_empty() {
        return None;
    }
    let words: Vec<String> = others
        .iter()
        .map(|p| clean(&p.words()).into_owned())
        .collect();
    Some(words.join(" · "))
}
