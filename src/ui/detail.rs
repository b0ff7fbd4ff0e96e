//! The detail pane: the selected order's tabs. The Log tab is one timeline:
//! the carrier's log, local notes and flag (`local`), and the order's journal
//! entries (`journal`), by time, each kind in its theme colour and named in
//! words. Content is built for one order only, wrapped to the pane's width
//! here (so scrolling is exact), and sliced by the detail scroll. The
//! header says how fresh the order is (when it was last read).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::{Theme, age, clean};
use std::borrow::Cow;

use crate::app::{Focus, FullState, State, Tab};
use crate::domain::{Order, Schedule, Stamp};

pub(super) fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = state.focus() == Focus::Detail && state.dialog().is_none();
    let border = if focused {
        theme.border_focus
    } else {
        theme.border
    };
    let Some((order, note)) = shown(state) else {
        let block = Block::new().borders(Borders::TOP).border_style(border);
        frame.render_widget(
            Paragraph::new(Line::styled(" no order selected", theme.muted)).block(block),
            area,
        );
        return;
    };
    // How fresh the order is: when its details were last read from the
    // carrier (nothing for a cached copy not re-read in this session).
    let fresh = order
        .read_at
        .map(|at| match age(Some(at), state.now()).as_str() {
            "now" => " · read just now".to_owned(),
            ago => format!(" · read {ago} ago"),
        })
        .unwrap_or_default();
    let title = format!(
        " {} · {}{fresh} ",
        order.key,
        super::fit(
            &order.customer,
            (area.width as usize).saturating_sub(20 + fresh.width())
        )
    );
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(border)
        .title(Span::styled(clean(&title).into_owned(), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }

    // Tab bar.
    let current = state.detail().tab;
    let mut spans = vec![Span::raw(" ")];
    for tab in Tab::ALL {
        let style = if tab == current {
            theme.tab_active
        } else {
            theme.tab
        };
        spans.push(Span::styled(tab.label(), style));
        spans.push(Span::styled("  ", theme.muted));
    }
    if !focused {
        spans.push(Span::styled("(enter to focus)", theme.muted));
    }
    // Team mode: who else has this order open.
    if let Some(others) = super::team::presence_words(state, &order.key) {
        let used: usize = spans.iter().map(Span::width).sum();
        let room = (inner.width as usize).saturating_sub(used + 1);
        let others = super::fit(&others, room).into_owned();
        spans.push(Span::styled(format!(" {others}"), theme.warning));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect { height: 1, ..inner },
    );
    let body = body_rect(area);
    if body.height == 0 || body.width < 4 {
        return;
    }
    let lines = content(
        state,
        theme,
        &order,
        note.as_deref(),
        current,
        body.width as usize,
    );
    let max_scroll = lines.len().saturating_sub(body.height as usize);
    let scroll = (state.detail().scroll as usize).min(max_scroll);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(body.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
    if max_scroll > 0 {
        // Where the scroll is, in words: not the order's place in the view.
        let text = format!(" scroll {}/{} ", scroll + 1, max_scroll + 1);
        let w = text.width() as u16;
        let r = Rect {
            x: area.x + area.width.saturating_sub(w + 1),
            y: area.y,
            width: w.min(area.width),
            height: 1,
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.muted)), r);
    }
}

/// The order the pane shows: the selected order in full, or, while it is
/// read from the store (or when it could not be), what its summary knows
/// with a line that says so.
fn shown(state: &State) -> Option<(Cow<'_, Order>, Option<String>)> {
    let summary = state.selected()?;
    Some(match state.full_state(&summary.key) {
        FullState::Held(order) => (Cow::Borrowed(order), None),
        FullState::Loading | FullState::Absent => (
            Cow::Owned(summary.to_order()),
            Some("reading the full order from the local store…".to_owned()),
        ),
        FullState::Failed(why) => (
            Cow::Owned(summary.to_order()),
            Some(format!("only the summary is here: {why}")),
        ),
    })
}

/// Where the tab content goes inside the pane (below the top border and the
/// tab bar, one column of margin each side).
fn body_rect(area: Rect) -> Rect {
    Rect {
        y: area.y + 2,
        height: area.height.saturating_sub(2),
        x: area.x + 1,
        width: area.width.saturating_sub(2),
    }
}

/// The largest useful scroll of the pane at `area`.
pub(super) fn max_scroll(state: &State, area: Rect) -> u16 {
    let Some((order, note)) = shown(state) else {
        return 0;
    };
    let body = body_rect(area);
    if body.height == 0 || body.width < 4 {
        return 0;
    }
    let theme = Theme::no_color();
    let lines = content(
        state,
        &theme,
        &order,
        note.as_deref(),
        state.detail().tab,
        body.width as usize,
    );
    u16::try_from(lines.len().saturating_sub(body.height as usize)).unwrap_or(u16::MAX)
}

/// Text of `text` wrapped to `width` columns (words, hard-split when longer).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let para = clean(para);
        let mut line = String::new();
        let mut used = 0;
        for word in para.split_inclusive(' ') {
            let ww = word.trim_end().width();
            if used > 0 && used + ww > width {
                out.push(line.trim_end().to_owned());
                line.clear();
                used = 0;
            }
            if ww > width {
                // By grapheme cluster, as the screen buffer measures.
                for g in word.graphemes(true) {
                    let cw = g.width();
                    if used + cw > width {
                        out.push(std::mem::take(&mut line));
                        used = 0;
                    }
                    line.push_str(g);
                    used += cw;
                }
            } else {
                line.push_str(word);
                used += word.width();
            }
        }
        out.push(line.trim_end().to_owned());
    }
    out
}

/// Pushes `label` + `value`, the value wrapped and continuation lines
/// indented under it.
fn field(
    out: &mut Vec<Line<'static>>,
    label: &str,
    label_w: usize,
    value: &str,
    style: Style,
    theme: &Theme,
    width: usize,
) {
    let label = format!("{:<label_w$} ", clean(label));
    let lw = label.width();
    let avail = width.saturating_sub(lw).max(8);
    let pieces = if value.is_empty() {
        vec![String::new()]
    } else {
        wrap(value, avail)
    };
    for (i, piece) in pieces.into_iter().enumerate() {
        let head = if i == 0 {
            Span::styled(label.clone(), theme.muted)
        } else {
            Span::raw(" ".repeat(lw))
        };
        out.push(Line::from(vec![head, Span::styled(piece, style)]));
    }
}

fn section(out: &mut Vec<Line<'static>>, title: &str, theme: &Theme) {
    out.push(Line::raw(""));
    out.push(Line::styled(title.to_owned(), theme.title));
}

pub(super) fn when(state: &State, stamp: &Stamp) -> String {
    match stamp.at {
        Some(at) => local_time(state, at),
        None if stamp.raw.is_empty() => "unknown".into(),
        None => format!("{} (unparsed)", clean(&stamp.raw)),
    }
}

fn local_time(state: &State, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&state.timezone());
    // `T`: absolute times, with the zone and no age.
    if state.absolute_times() {
        return local.format("%Y-%m-%d %H:%M %Z").to_string();
    }
    // Less than a minute ahead is a clock a little off, not a plan.
    let rel = if at > state.now() + chrono::Duration::minutes(1) {
        format!("in {}", crate::domain::relative_age(state.now(), at))
    } else {
        super::ago(Some(at), state.now())
    };
    format!("{} ({rel})", local.format("%Y-%m-%d %H:%M"))
}

fn label_width(pairs: &[(String, String)]) -> usize {
    pairs
        .iter()
        .map(|(n, _)| n.width())
        .max()
        .unwrap_or(8)
        .clamp(8, 22)
}

fn content(
    state: &State,
    theme: &Theme,
    order: &Order,
    note: Option<&str>,
    tab: Tab,
    width: usize,
) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    if let Some(note) = note {
        for l in wrap(note, width) {
            out.push(Line::styled(l, theme.warning));
        }
    }
    match tab {
        Tab::Overview => {
            let lw = 10;
            let stage = order.status.stage;
            out.push(Line::from(vec![
                Span::styled(format!("{:<lw$} ", "order"), theme.muted),
                Span::styled(clean(&order.key.to_string()).into_owned(), theme.title),
            ]));
            out.push(Line::from(vec![
                Span::styled(format!("{:<lw$} ", "carrier"), theme.muted),
                Span::styled(clean(&order.key.carrier).into_owned(), theme.text),
                Span::styled(format!("  ({})", order.kind), theme.muted),
            ]));
            out.push(Line::from(vec![
                Span::styled(format!("{:<lw$} ", "status"), theme.muted),
                Span::styled(clean(&order.status.raw).into_owned(), theme.text),
                Span::styled("  ", theme.text),
                Span::styled(
                    format!("{} {}", stage.glyph(), stage.label()),
                    theme.stage(stage),
                ),
                Span::styled(
                    if order.status.terminal {
                        "  (final)"
                    } else {
                        ""
                    },
                    theme.muted,
                ),
            ]));
            field(
                &mut out,
                "created",
                lw,
                &when(state, &order.created),
                theme.text,
                theme,
                width,
            );
            if let Some(updated) = order.updated_at() {
                field(
                    &mut out,
                    "updated",
                    lw,
                    &local_time(state, updated),
                    theme.text,
                    theme,
                    width,
                );
            }
            let schedule = match &order.schedule {
                None => "none".to_string(),
                Some(Schedule::Unscheduled) => "unscheduled (the carrier set no date)".into(),
                Some(Schedule::Scheduled(stamp)) => when(state, stamp),
            };
            field(
                &mut out, "schedule", lw, &schedule, theme.text, theme, width,
            );
            field(
                &mut out,
                "customer",
                lw,
                &order.customer,
                theme.text,
                theme,
                width,
            );
            field(
                &mut out,
                "service",
                lw,
                &order.service,
                theme.text,
                theme,
                width,
            );
            let attention = state.attention(order);
            if !attention.is_empty() {
                section(&mut out, "Needs attention", theme);
                let cw = attention
                    .iter()
                    .map(|a| a.code.width())
                    .max()
                    .unwrap_or(8)
                    .clamp(8, 20);
                for a in &attention {
                    field(
                        &mut out,
                        &format!("! {}", a.code),
                        cw + 2,
                        &a.detail,
                        theme.attention,
                        theme,
                        width,
                    );
                }
            }
            if let Some(err) = &order.fetch_error {
                section(&mut out, "Last fetch failed", theme);
                for l in wrap(err, width) {
                    out.push(Line::styled(l, theme.error));
                }
            }
            if !order.fields.is_empty() {
                section(&mut out, "Carrier fields", theme);
                let lw = label_width(&order.fields);
                for (name, value) in &order.fields {
                    field(&mut out, name, lw, value, theme.text, theme, width);
                }
            }
        }
        Tab::Customer => {
            let lw = label_width(&order.customer_fields);
            if order.customer_fields.is_empty() {
                out.push(Line::styled("no customer fields", theme.muted));
            }
            for (name, value) in &order.customer_fields {
                field(&mut out, name, lw, value, theme.text, theme, width);
            }
            if !order.customer_loaded {
                out.push(Line::raw(""));
                if let Some(err) = state.customer_error(&order.key) {
                    for l in wrap(&format!("customer details failed: {err}"), width) {
                        out.push(Line::styled(l, theme.error));
                    }
                    out.push(Line::styled(
                        "(leave and re-enter this tab to try again)",
                        theme.muted,
                    ));
                } else if state.customer_loading(&order.key) {
                    out.push(Line::styled("loading customer details…", theme.warning));
                } else {
                    out.push(Line::styled(
                        "more customer details load when this tab is focused (enter)",
                        theme.muted,
                    ));
                }
            }
        }
        Tab::Items => {
            if order.items.is_empty() {
                out.push(Line::styled("no items", theme.muted));
            }
            for (n, item) in order.items.iter().enumerate() {
                if n > 0 {
                    out.push(Line::raw(""));
                }
                out.push(Line::styled(format!("item {}", n + 1), theme.title));
                let lw = label_width(item);
                for (name, value) in item {
                    field(&mut out, name, lw, value, theme.text, theme, width);
                }
            }
        }
        Tab::Log => {
            let oldest_first = state.detail().log_oldest_first;
            // The carrier's log merged with local notes, the flag and this
            // order's journal entries, sorted.
            let timeline = state.log_timeline(order);
            out.push(Line::styled(
                format!(
                    "{} entries, {}",
                    timeline.len(),
                    if oldest_first {
                        "oldest first"
                    } else {
                        "newest first"
                    }
                ),
                theme.muted,
            ));
            if let Some(cut) = state.full_cut(&order.key).filter(|c| c.log_lines > 0) {
                let text = format!(
                    "{} older log lines are in the local store only (`orderdesk show {}` prints them all)",
                    cut.log_lines, order.key
                );
                for l in wrap(&text, width) {
                    out.push(Line::styled(l, theme.warning));
                }
            }
            // Already in order (see `State::log_timeline`).
            let wide = width >= 100;
            for entry in &timeline {
                let style = theme.log(entry.kind);
                if wide {
                    // One line per entry: time, kind, text (continuations
                    // indented under the text), source last.
                    let time = format!("{:<27}", when(state, &entry.at));
                    let kind = format!("{:<13}", entry.kind.as_str());
                    let indent = time.width() + kind.width();
                    let pieces = wrap(&entry.text, width.saturating_sub(indent).max(8));
                    let last = pieces.len() - 1;
                    for (i, piece) in pieces.into_iter().enumerate() {
                        let mut spans = if i == 0 {
                            vec![
                                Span::styled(time.clone(), theme.muted),
                                Span::styled(kind.clone(), style),
                            ]
                        } else {
                            vec![Span::raw(" ".repeat(indent))]
                        };
                        spans.push(Span::styled(piece, style));
                        if i == last && !entry.source.is_empty() {
                            spans.push(Span::styled(
                                format!("  ({})", clean(&entry.source)),
                                theme.muted,
                            ));
                        }
                        out.push(Line::from(spans));
                    }
                    continue;
                }
                let mut head = vec![
                    Span::styled(when(state, &entry.at), theme.muted),
                    Span::raw("  "),
                    Span::styled(entry.kind.as_str().to_owned(), style),
                ];
                if !entry.source.is_empty() {
                    head.push(Span::styled(
                        format!("  {}", clean(&entry.source)),
                        theme.muted,
                    ));
                }
                out.push(Line::from(head));
                for l in wrap(&entry.text, width.saturating_sub(2)) {
                    out.push(Line::from(vec![Span::raw("  "), Span::styled(l, style)]));
                }
            }
        }
        Tab::Raw => match &order.raw {
            Some(raw) => {
                for l in wrap(raw, width) {
                    out.push(Line::styled(l, theme.text));
                }
                if let Some(cut) = state.full_cut(&order.key).filter(|c| c.raw_bytes > 0) {
                    let text = format!(
                        "… {} more bytes of the carrier's body are not shown here",
                        cut.raw_bytes
                    );
                    out.push(Line::styled(text, theme.warning));
                }
            }
            None => out.push(Line::styled("no raw body for this order", theme.muted)),
        },
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_words_and_long_tokens() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("one\ntwo", 10), ["one", "two"]);
        assert_eq!(wrap("", 10), [""]);
    }
}
