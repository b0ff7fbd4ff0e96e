//! The status line: the message (wrapped onto up to [`STATUS_MAX_ROWS`]
//! rows) or, without one, the key hints of the current layer from the key
//! map; at its right end the labelled author and the time. Draws only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{Theme, detail, fit, local_hm};
use crate::app::layout::STATUS_MAX_ROWS;
use crate::app::{Action, Layer, Level, State, ViewKind};

/// The write actions the selected order's carrier offers for it now, for
/// the hints: a Voice order is not offered Tjänsteguiden's keys.
fn offered_actions(state: &State) -> Vec<(Action, &'static str)> {
    use crate::domain::ActionKind as A;
    let Some(order) = state.selected_order() else {
        return Vec::new();
    };
    let Some(carrier) = state.carrier(&order.key.carrier) else {
        return Vec::new();
    };
    [
        (A::Acknowledge, "ack"),
        (A::SetStatus, "status"),
        (A::AddMessage, "message"),
        (A::Cancel, "cancel"),
        (A::Supplement, "supplement"),
        (A::AddPayLink, "pay link"),
    ]
    .into_iter()
    .filter(|(kind, _)| {
        carrier
            .info
            .profile
            .availability(order, *kind)
            .is_available()
    })
    .map(|(kind, word)| (Action::Act(kind), word))
    .collect()
}

/// Key hints for the status line, from the key map of the current layer.
fn hints(state: &State) -> Vec<(String, &'static str)> {
    let map = state.keymap();
    let layer = state.layer();
    let table_actions;
    let pick: &[(Action, &'static str)] = match layer {
        Layer::Table if state.readonly() => &[
            (Action::OpenDetail, "detail"),
            (Action::Filter, "filter"),
            (Action::View(ViewKind::Attention), "attention"),
            (Action::SortNext, "sort"),
            (Action::Refresh, "refresh"),
            (Action::Down, "down"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Layer::Table => {
            let mut all = vec![(Action::OpenDetail, "detail"), (Action::Filter, "filter")];
            all.extend(offered_actions(state));
            all.extend([
                (Action::SortNext, "sort"),
                (Action::Refresh, "refresh"),
                (Action::Down, "down"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ]);
            table_actions = all;
            &table_actions
        }
        Layer::Detail => &[
            (Action::NextTab, "tab"),
            (Action::Down, "scroll"),
            (Action::NextOrder, "next order"),
            (Action::FlipLog, "log order"),
            (Action::CloseDetail, "back"),
            (Action::Help, "help"),
        ],
        Layer::Filter => &[
            (Action::Accept, "keep filter"),
            (Action::Back, "clear"),
            (Action::Down, "move"),
        ],
        Layer::Palette => &[
            (Action::Accept, "run"),
            (Action::Down, "move"),
            (Action::Back, "close"),
        ],
        Layer::Dialog | Layer::Journal | Layer::Help => &[],
    };
    pick.iter()
        .filter_map(|(action, word)| map.hint(layer, *action).map(|k| (k, *word)))
        .collect()
}

/// The user (labelled: the author of notes and writes) and the time, at
/// the right of the status line.
fn status_clock(state: &State) -> String {
    if state.user().is_empty() {
        format!(" {} ", local_hm(state, state.now()))
    } else {
        format!(
            " you: {} · {} ",
            fit(state.user(), 16),
            local_hm(state, state.now())
        )
    }
}

/// Columns left of the clock for the message or the key hints (all of
/// them when the terminal is too narrow to show the clock).
fn status_room(clock: &str, width: u16) -> u16 {
    let clock = clock.width() as u16;
    if width > clock + 20 {
        width - clock
    } else {
        width
    }
}

/// `  [2 sending]` while writes are out.
fn sending_note(state: &State) -> Option<String> {
    let sending = state.pending().len();
    (sending > 0).then(|| format!("  [{sending} sending]"))
}

/// The status message wrapped to the room left of the clock, at most
/// [`STATUS_MAX_ROWS`] lines (the last one ends in `…` when cut); one empty
/// line when there is no message (the key hints are drawn instead).
pub(super) fn status_lines(state: &State, width: u16) -> Vec<String> {
    let Some(msg) = state.status() else {
        return vec![String::new()];
    };
    let room = usize::from(status_room(&status_clock(state), width).max(2));
    let text = format!(" {}{}", msg.text, sending_note(state).unwrap_or_default());
    let mut lines = detail::wrap(&text, room - 1);
    if lines.len() > STATUS_MAX_ROWS as usize {
        lines.truncate(STATUS_MAX_ROWS as usize);
        if let Some(last) = lines.last_mut() {
            let mut cut = fit(last, room.saturating_sub(2)).into_owned();
            if !cut.ends_with('…') {
                cut.push('…');
            }
            *last = cut;
        }
    }
    // Continuation lines line up with the first line's text.
    for line in lines.iter_mut().skip(1) {
        line.insert(0, ' ');
    }
    lines
}

pub(super) fn draw_status(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    lines: Vec<String>,
) {
    let clock = status_clock(state);
    let mut spans: Vec<Span> = Vec::new();
    let mut more: Vec<Line> = Vec::new();
    match state.status() {
        Some(msg) => {
            let style = match msg.level {
                Level::Info => theme.text,
                Level::Ok => theme.ok,
                Level::Warning => theme.warning,
                Level::Error => theme.error,
            };
            let mut lines = lines.into_iter();
            spans.push(Span::styled(lines.next().unwrap_or_default(), style));
            more.extend(lines.map(|l| Line::styled(l, style)));
        }
        None => {
            // Hints that fit; help and quit (the last two) always shown.
            spans.push(Span::raw(" "));
            let all = hints(state);
            let cost = |(k, w): &(String, &str)| k.width() + w.width() + 3;
            // Help and quit in the table, back and help in the detail pane.
            let pinned = if matches!(state.layer(), Layer::Table | Layer::Detail) {
                2
            } else {
                1
            };
            let split = all.len().saturating_sub(pinned);
            let budget = (area.width as usize)
                .saturating_sub(clock.width() + 2)
                .saturating_sub(all[split..].iter().map(cost).sum());
            let mut used = 0;
            let chosen = all[..split]
                .iter()
                .take_while(|h| {
                    used += cost(h);
                    used <= budget
                })
                .chain(&all[split..]);
            for (key, word) in chosen {
                spans.push(Span::styled(key.clone(), theme.key));
                spans.push(Span::styled(format!(" {word}  "), theme.muted));
            }
        }
    }
    if let Some(note) = sending_note(state).filter(|_| state.status().is_none()) {
        spans.push(Span::styled(note, theme.warning));
    }
    let w = clock.width() as u16;
    let text_area = if status_room(&clock, area.width) < area.width {
        let r = Rect {
            x: area.x + area.width - w,
            width: w,
            height: 1,
            ..area
        };
        frame.render_widget(Paragraph::new(Span::styled(clock, theme.muted)), r);
        Rect {
            width: area.width - w,
            ..area
        }
    } else {
        area
    };
    let mut text = vec![Line::from(spans)];
    text.extend(more);
    frame.render_widget(Paragraph::new(text), text_area);
}
