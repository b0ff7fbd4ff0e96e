//! The help overlay (`?`): a legend of the header's counts, the table's and
//! the chips' glyphs, then every key of every layer, generated from the key
//! map (so it cannot drift from what the keys do). `/` in the help searches
//! it: only the lines holding the words show (case-insensitive), each with
//! its section's title. Draws only; the search text is the app's.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{Theme, input_spans};
use crate::app::layout::centered;
use crate::app::{Layer, State};

/// The legend: what each count and glyph on screen means.
const LEGEND: &[(&str, &str)] = &[
    (
        "! 75 attention",
        "orders with any attention reason (= view 2)",
    ),
    ("!  (table)", "the order needs attention (any reason)"),
    ("⚑  (table)", "your local follow-up flag (never sent)"),
    ("•  (table)", "marked: a t f n act on every marked order"),
    ("+ new", "stage: not taken in yet"),
    ("> in progress", "stage: being worked on"),
    (
        "= stalled",
        "stage: held, failed, waiting, or status unknown",
    ),
    ("v done", "stage: delivered or completed"),
    ("x closed", "stage: cancelled or closed"),
    ("✓ tg 4s ago", "chip: last sync went well, that long ago"),
    (
        "↻ ✗ … ☾",
        "chip: syncing / failing / rate-limited / quiet hours",
    ),
    ("! tg stale", "chip: the planned poll is overdue"),
    ("◌ tg cached", "chip: cached orders, not refreshed yet"),
    ("you: NAME", "status line: author of your notes and writes"),
    ("mouse", "click: a row, tab or choice; wheel: scroll"),
    ("shift-drag", "selects text while the console has the mouse"),
];

/// Whether a help line holds every word of `search` (case-insensitive).
fn matches(words: &[String], text: &str) -> bool {
    let text = text.to_lowercase();
    words.iter().all(|w| text.contains(w.as_str()))
}

/// One block of lines per section: the legend, then each layer's keys;
/// with a search, only the matching lines under their section's title.
fn sections(state: &State, theme: &Theme) -> Vec<Vec<Line<'static>>> {
    let words: Vec<String> = state
        .help_search()
        .map(|(s, _)| s.text().to_lowercase())
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut out: Vec<Vec<Line<'static>>> = Vec::new();
    let mut section = |title: &str, rows: Vec<(String, String)>, note: Option<&str>| {
        let rows: Vec<(String, String)> = rows
            .into_iter()
            .filter(|(k, w)| words.is_empty() || matches(&words, &format!("{k} {w}")))
            .collect();
        if rows.is_empty() {
            return;
        }
        let mut lines = vec![Line::styled(title.to_owned(), theme.title)];
        if let Some(note) = note.filter(|_| words.is_empty()) {
            lines.push(Line::styled(format!("  {note}"), theme.muted));
        }
        let kw = rows
            .iter()
            .map(|(k, _)| k.width())
            .max()
            .unwrap_or(6)
            .min(22);
        for (keys, what) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<kw$}  "), theme.key),
                Span::styled(what, theme.text),
            ]));
        }
        lines.push(Line::raw(""));
        out.push(lines);
    };
    section(
        "Legend",
        LEGEND
            .iter()
            .map(|(k, w)| ((*k).to_owned(), (*w).to_owned()))
            .collect(),
        None,
    );
    for (layer, rows) in state.keymap().help() {
        let note = (layer == Layer::Filter)
            .then_some("all words must match; carrier:NAME stage: status: kind: flag:yes|no");
        let rows = rows.into_iter().map(|(k, w)| (k, w.to_owned())).collect();
        section(layer.title(), rows, note);
    }
    out
}

/// The help overlay's box, the rect of its lines, and its columns of lines.
fn help_layout(state: &State, theme: &Theme, area: Rect) -> (Rect, Rect, Vec<Vec<Line<'static>>>) {
    let sections = sections(state, theme);
    let two_columns = area.width >= 150;
    let width = if two_columns {
        area.width.saturating_sub(4).min(156)
    } else {
        area.width.saturating_sub(4).min(84)
    };
    let rect = centered(area, width, area.height.saturating_sub(2));
    // The search line takes the box's first row while a search is on.
    let searching = state
        .help_search()
        .is_some_and(|(s, typing)| typing || !s.is_empty());
    let top = u16::from(searching);
    let inner = Rect {
        x: rect.x + 2,
        y: rect.y + 1 + top,
        width: rect.width.saturating_sub(3),
        height: rect.height.saturating_sub(2 + top),
    };
    let columns: Vec<Vec<Line>> = if two_columns {
        // Whole sections per column, the split that balances the lengths.
        let total: usize = sections.iter().map(Vec::len).sum();
        let mut left = Vec::new();
        let mut right = Vec::new();
        let mut used = 0;
        for section in sections {
            if used < total / 2 && used + section.len() / 2 <= total / 2 + 4 {
                used += section.len();
                left.extend(section);
            } else {
                right.extend(section);
            }
        }
        vec![left, right]
    } else {
        vec![sections.into_iter().flatten().collect()]
    };
    (rect, inner, columns)
}

/// The largest useful scroll of the help overlay at `area` (0 while it is
/// closed).
pub(super) fn help_max_scroll(state: &State, area: Rect) -> u16 {
    if state.help_scroll().is_none() {
        return 0;
    }
    let (_, inner, columns) = help_layout(state, &Theme::no_color(), area);
    let longest = columns.iter().map(Vec::len).max().unwrap_or(0);
    u16::try_from(longest.saturating_sub(inner.height as usize)).unwrap_or(u16::MAX)
}

pub(super) fn draw_help(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (rect, inner, columns) = help_layout(state, theme, area);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.dialog)
        .title(Span::styled(
            " Keys and legend (esc closes, j/k scroll, / search) ",
            theme.title,
        ));
    frame.render_widget(block, rect);
    if let Some((search, typing)) = state.help_search()
        && (typing || !search.is_empty())
    {
        let mut spans = vec![Span::styled("/ ", theme.key)];
        spans.extend(input_spans(search, theme, typing));
        let hint = if typing {
            "  enter keeps, esc drops"
        } else {
            "  esc drops the search"
        };
        spans.push(Span::styled(hint, theme.muted));
        if columns.iter().all(Vec::is_empty) {
            spans.push(Span::styled("  no line matches", theme.warning));
        }
        let r = Rect {
            y: inner.y.saturating_sub(1),
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(Line::from(spans)), r);
    }
    let longest = columns.iter().map(Vec::len).max().unwrap_or(0);
    let max_scroll = longest.saturating_sub(inner.height as usize);
    let scroll = (state.help_scroll().unwrap_or(0) as usize).min(max_scroll);
    let col_w = inner.width / columns.len().max(1) as u16;
    for (n, lines) in columns.into_iter().enumerate() {
        let r = Rect {
            x: inner.x + col_w * n as u16,
            width: col_w,
            ..inner
        };
        let shown: Vec<Line> = lines
            .into_iter()
            .skip(scroll)
            .take(inner.height as usize)
            .collect();
        frame.render_widget(Paragraph::new(shown), r);
    }
}
