//! The command palette (`:`): its line on top, then the matching entries
//! (what each is, its words, the key that does the same without the
//! palette), the selected one highlighted, and the keys at the bottom.
//! Draws what `State::palette` holds; matching and ranking are `app`'s. The
//! window follows the selection.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{Theme, fit, input_spans};
use crate::app::layout::centered;
use crate::app::{PaletteMode, State};

pub(super) fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(palette) = state.palette() else {
        return;
    };
    let width = area.width.saturating_sub(4).clamp(20, 96);
    let height = area.height.saturating_sub(4).clamp(6, 22);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let (title, empty_hint) = match palette.mode {
        PaletteMode::Commands => (
            " Command palette ",
            "  (type an order's key or id, an action, a view, a theme)",
        ),
        PaletteMode::NameView => (
            " Save the filter as a view ",
            "  (its name; enter saves it to views.toml, esc closes)",
        ),
        PaletteMode::CopyField => (" Copy a field ", "  (type to narrow)"),
    };
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.dialog)
        .title(Span::styled(title, theme.title));
    frame.render_widget(block, rect);
    let inner = Rect {
        x: rect.x + 2,
        y: rect.y + 1,
        width: rect.width.saturating_sub(4),
        height: rect.height.saturating_sub(2),
    };
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let line = |y: u16| Rect {
        y: inner.y + y,
        height: 1,
        ..inner
    };

    let mut spans = vec![Span::styled(": ", theme.key)];
    spans.extend(input_spans(&palette.input, theme, true));
    let n = palette.entries.len();
    let naming = palette.mode == PaletteMode::NameView;
    if !naming {
        spans.push(Span::styled(
            format!("  {n} match{}", if n == 1 { "" } else { "es" }),
            theme.muted,
        ));
    }
    if palette.input.is_empty() || naming {
        spans.push(Span::styled(empty_hint, theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), line(0));

    let rows = inner.height.saturating_sub(2) as usize;
    let cursor = palette.cursor.min(n.saturating_sub(1));
    let offset = (cursor + 1).saturating_sub(rows);
    let w = inner.width as usize;
    for (row, (i, entry)) in palette
        .entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .enumerate()
    {
        let key = fit(&entry.key, 14).into_owned();
        let key_w = key.width();
        let label_w = w.saturating_sub(8 + key_w + 1);
        let label = fit(&entry.label, label_w);
        let pad = label_w.saturating_sub(label.width());
        let style = if i == cursor {
            theme.text.patch(theme.selection)
        } else {
            theme.text
        };
        let spans = vec![
            Span::styled(format!("{:<7} ", entry.kind), theme.muted),
            Span::raw(format!("{label}{} ", " ".repeat(pad))),
            Span::styled(key, theme.key),
        ];
        frame.render_widget(
            Paragraph::new(Line::from(spans)).style(style),
            line(1 + row as u16),
        );
    }
    if n == 0 && !naming {
        frame.render_widget(
            Paragraph::new(Span::styled("nothing matches", theme.muted)),
            line(1),
        );
    }
    let footer = match palette.mode {
        PaletteMode::Commands => "enter run · ↑↓ ctrl-n ctrl-p move · esc close",
        PaletteMode::NameView => "enter save · esc close",
        PaletteMode::CopyField => "enter copy · ↑↓ ctrl-n ctrl-p move · esc close",
    };
    frame.render_widget(
        Paragraph::new(Span::styled(fit(footer, w), theme.muted)),
        line(inner.height - 1),
    );
}
