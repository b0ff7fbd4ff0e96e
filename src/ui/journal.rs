//! The journal overlay (`J`): every recorded write, newest first, one line
//! each (time, author, order, action, state, outcome), a filter line on top
//! and key hints at the bottom (ctrl-r "send again" when the selected entry
//! offers it; the send-again question in its place while it waits). Draws what `State::journal_visible` lists;
//! filtering and the cursor are `app`'s. The window follows the cursor (it
//! scrolls once the cursor passes the last row).
//!
//! The entry's state is written out in words; its colour (ok, error,
//! warning) only repeats it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Theme, fit, input_spans};
use crate::app::State;
use crate::app::layout::journal_box;
use crate::domain::JournalState;

fn state_style(theme: &Theme, state: JournalState) -> Style {
    match state {
        JournalState::Confirmed => theme.ok,
        JournalState::Refused | JournalState::Failed => theme.error,
        JournalState::Unknown => theme.warning,
        JournalState::Recorded | JournalState::Sending => theme.text,
    }
}

/// Pads or cuts `text` to exactly `width` columns, plus one space.
fn cell(text: &str, width: usize) -> String {
    let text = fit(text, width);
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_ref()));
    format!("{text}{} ", " ".repeat(pad))
}

pub(super) fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(view) = state.journal_view() else {
        return;
    };
    let (rect, inner) = journal_box(area);
    frame.render_widget(Clear, rect);
    let total = state.journal().len();
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.dialog)
        .title(Span::styled(
            format!(" Journal of writes · {total} entries, newest first "),
            theme.title,
        ));
    frame.render_widget(block, rect);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let line = |y: u16| Rect {
        y: inner.y + y,
        height: 1,
        ..inner
    };
    let visible = state.journal_visible();

    // Filter line.
    let mut spans = vec![Span::styled("/ ", theme.key)];
    spans.extend(input_spans(&view.filter, theme, true));
    spans.push(Span::styled(
        format!("  {} of {total}", visible.len()),
        theme.muted,
    ));
    if view.filter.is_empty() {
        spans.push(Span::styled("  (type to filter)", theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), line(0));

    // Columns: the action has its own column when there is room (the
    // outcome text names it too).
    let width = inner.width as usize;
    let wide = width >= 110;
    let (time_w, author_w, key_w, action_w, state_w) = if wide {
        (16, 10, 16, 16, 9)
    } else {
        (11, 8, 12, 0, 9)
    };
    let fixed = time_w + author_w + key_w + state_w + 4 + if wide { action_w + 1 } else { 0 };
    let outcome_w = width.saturating_sub(fixed).max(4);
    let mut titles = cell("time", time_w) + &cell("author", author_w) + &cell("order", key_w);
    if wide {
        titles += &cell("action", action_w);
    }
    titles += &cell("state", state_w);
    titles += "outcome";
    frame.render_widget(
        Paragraph::new(Line::styled(titles, theme.table_header)),
        line(1),
    );

    let rows = inner.height.saturating_sub(3) as usize;
    let body = Rect {
        y: inner.y + 2,
        height: rows as u16,
        ..inner
    };
    if visible.is_empty() {
        let text = if total == 0 {
            "No writes recorded yet: every write is recorded here before it is sent."
        } else {
            "No entry matches the filter (ctrl-u clears it)."
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme.muted)), body);
    } else {
        let cursor = view.cursor.min(visible.len() - 1);
        let offset = (cursor + 1).saturating_sub(rows);
        let lines: Vec<Line> = visible
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows)
            .map(|(i, entry)| {
                let [time, author, key, action, st, outcome] = state.journal_columns(entry);
                let time = if wide {
                    time
                } else {
                    // MM-DD HH:MM
                    time.get(5..).unwrap_or(&time).to_owned()
                };
                let mut text = cell(&time, time_w) + &cell(&author, author_w) + &cell(&key, key_w);
                if wide {
                    text += &cell(&action, action_w);
                }
                let selected = i == cursor;
                let base = if selected {
                    theme.text.patch(theme.selection)
                } else {
                    theme.text
                };
                let marked = state_style(theme, entry.state);
                Line::from(vec![
                    Span::styled(text, base),
                    Span::styled(cell(&st, state_w), base.patch(marked)),
                    Span::styled(
                        fit(&outcome, outcome_w).into_owned(),
                        if selected { base } else { theme.muted },
                    ),
                ])
                .style(base)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), body);
    }

    // Footer: the send-again question while it waits, else the keys.
    let footer = line(inner.height.saturating_sub(1));
    if let Some(question) = state.send_again_question() {
        // Two rows (over the list's last one), wrapped: it must be read whole.
        let rows = inner.height.saturating_sub(2).min(2);
        let area = Rect {
            y: inner.y + inner.height - rows,
            height: rows,
            ..inner
        };
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(Line::styled(question, theme.warning)).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let again = visible
        .get(view.cursor)
        .is_some_and(|e| state.send_again_offer(e).is_ok());
    let mut keys = vec![
        ("enter", "go to the order"),
        ("↑↓ pgup pgdn", "move"),
        ("esc", "close"),
    ];
    if again {
        keys.insert(1, ("ctrl-r", "send again"));
    }
    let mut spans = Vec::new();
    for (k, w) in keys {
        spans.push(Span::styled(k, theme.key));
        spans.push(Span::styled(format!(" {w}   "), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), footer);
}
