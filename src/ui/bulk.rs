//! The bulk dialog (an action on every marked order, `app::Bulk`) in the
//! action dialog's style: reading, the fields once, the confirmation that
//! lists the orders to send and the skipped ones with why, the progress
//! while sending, the summary. Draws only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::detail::wrap;
use super::dialog::{DialogParts, choices_on_screen, draw_modal, form_lines, multiline_lines};
use super::{Theme, clean, input_spans};
use crate::app::ChoiceRows;
use crate::app::layout::CHOICES_MEASURED;
use crate::app::{Bulk, BulkStep, ConfirmStep, Fate, State};
use crate::domain::OrderKey;

/// `  tg/19530  why`, wrapped under the key.
fn order_line(
    key: &OrderKey,
    text: &str,
    width: usize,
    style: ratatui::style::Style,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    let key = clean(&key.to_string()).into_owned();
    let indent = key.chars().count() + 4;
    let mut first = true;
    for l in wrap(text, width.saturating_sub(indent).max(10)) {
        if first {
            out.push(Line::from(vec![
                Span::styled(format!("  {key}  "), theme.text),
                Span::styled(l, style),
            ]));
            first = false;
        } else {
            out.push(Line::styled(format!("{}{l}", " ".repeat(indent)), style));
        }
    }
    if first {
        out.push(Line::styled(format!("  {key}"), theme.text));
    }
}

fn skipped_lines(bulk: &Bulk, width: usize, theme: &Theme, out: &mut Vec<Line<'static>>) {
    if bulk.skipped.is_empty() {
        return;
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!("skipped, not sent ({}):", bulk.skipped.len()),
        theme.warning,
    ));
    for (key, why) in &bulk.skipped {
        order_line(key, why, width, theme.muted, theme, out);
    }
}

fn fate_style(fate: &Fate, theme: &Theme) -> ratatui::style::Style {
    match fate {
        Fate::Confirmed(_) => theme.ok,
        Fate::Refused(_) => theme.error,
        Fate::Unknown(_) | Fate::NotSent(_) => theme.warning,
    }
}

fn fate_line(
    key: &OrderKey,
    fate: &Fate,
    width: usize,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    let text = if fate.text().is_empty() {
        fate.word().to_owned()
    } else {
        format!("{}: {}", fate.word(), fate.text())
    };
    order_line(key, &text, width, fate_style(fate, theme), theme, out);
}

/// The lines, focus, scroll and footer of the bulk dialog's current step.
fn parts(state: &State, bulk: &Bulk, theme: &Theme, width: usize) -> DialogParts<'static> {
    let label = bulk.kind.label();
    let n = bulk.keys.len();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let title = format!(" {label}: {n} marked orders ");
    match &bulk.step {
        BulkStep::Reading => {
            let read = bulk
                .keys
                .iter()
                .filter(|k| state.order(k).is_some())
                .count();
            lines.push(Line::styled(
                format!("reading the marked orders… {read}/{n}"),
                theme.warning,
            ));
            (title, lines, None, 0, vec![("esc", "close")])
        }
        BulkStep::Edit => {
            let mut focus = None;
            let mut footer = Vec::new();
            if let Some(form) = &bulk.form {
                let (form_lines, f, _) = form_lines(form, theme, width, true);
                lines = form_lines;
                focus = f;
                footer.push(("enter", "check the orders"));
            } else if let Some(note) = &bulk.note {
                let (kind, kept) = if state.team().is_some() {
                    ("team", "saved in the team store for your colleagues")
                } else {
                    ("local", "kept on this computer only")
                };
                for l in wrap(
                    &format!(
                        "A {kind} note for each of the {} marked orders: {kept}, never sent to a carrier.",
                        bulk.targets.len()
                    ),
                    width,
                ) {
                    lines.push(Line::styled(l, theme.muted));
                }
                lines.push(Line::raw(""));
                lines.push(Line::styled("▸ Note", theme.key));
                let start = lines.len();
                multiline_lines(note, true, 4, theme, &mut lines);
                let cursor = start + note.line_col().0;
                focus = Some((cursor, cursor + 1));
                footer.push(("ctrl-s", "check the orders"));
                footer.push(("enter", "new line"));
            }
            skipped_lines(bulk, width, theme, &mut lines);
            footer.push(("esc", "close"));
            (title, lines, focus, 0, footer)
        }
        BulkStep::Confirm { send, step, scroll } => {
            let question = match step {
                ConfirmStep::YesNo(q) => q,
                ConfirmStep::TypeToConfirm { prompt, .. } => prompt,
            };
            for l in wrap(question, width) {
                lines.push(Line::styled(l, theme.warning));
            }
            if let ConfirmStep::TypeToConfirm {
                expected, input, ..
            } = step
            {
                let mut spans = vec![
                    Span::styled("type ", theme.text),
                    Span::styled(clean(expected).into_owned(), theme.key),
                    Span::styled(": ", theme.text),
                ];
                spans.extend(
                    input_spans(input, theme, true)
                        .into_iter()
                        .map(|s| Span::styled(s.content.into_owned(), s.style)),
                );
                if step.satisfied() {
                    spans.push(Span::styled("  ✓ matches", theme.ok));
                } else if !input.is_empty() {
                    spans.push(Span::styled("  does not match yet", theme.muted));
                }
                lines.push(Line::from(spans));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("sends to {} orders, one by one:", send.len()),
                theme.title,
            ));
            for planned in send {
                order_line(
                    &planned.key,
                    &planned.what,
                    width,
                    theme.text,
                    theme,
                    &mut lines,
                );
            }
            skipped_lines(bulk, width, theme, &mut lines);
            let back = if bulk.note.is_some()
                || bulk.form.as_ref().is_some_and(|f| !f.fields.is_empty())
            {
                "back"
            } else {
                "close"
            };
            let footer = match step {
                ConfirmStep::YesNo(_) => vec![("y/enter", "send"), ("n/esc", back)],
                ConfirmStep::TypeToConfirm { .. } => {
                    vec![("enter", "send (when it matches)"), ("esc", back)]
                }
            };
            (title, lines, None, *scroll as usize, footer)
        }
        BulkStep::Sending {
            send,
            in_flight,
            done,
            stopping,
            ..
        } => {
            let word = if *stopping { "stopping" } else { "sending" };
            lines.push(Line::styled(
                format!("{word}… {}/{} sent", done.len(), send.len()),
                theme.warning,
            ));
            if let Some((_, key)) = in_flight {
                order_line(
                    key,
                    "waiting for the answer…",
                    width,
                    theme.warning,
                    theme,
                    &mut lines,
                );
            }
            for (key, fate) in done.iter().rev() {
                fate_line(key, fate, width, theme, &mut lines);
            }
            lines.push(Line::raw(""));
            for l in wrap(
                "Esc stops after the one in flight; the orders not sent stay marked.",
                width,
            ) {
                lines.push(Line::styled(l, theme.muted));
            }
            (title, lines, None, 0, vec![("esc", "stop")])
        }
        BulkStep::Done { done, scroll } => {
            let confirmed = done
                .iter()
                .filter(|(_, f)| matches!(f, Fate::Confirmed(_)))
                .count();
            let left = done.len() - confirmed + bulk.skipped.len();
            lines.push(Line::styled(
                format!("{confirmed} of {n} confirmed"),
                if left == 0 { theme.ok } else { theme.warning },
            ));
            if left > 0 {
                lines.push(Line::styled(
                    format!("the {left} not confirmed stay marked"),
                    theme.muted,
                ));
            }
            lines.push(Line::raw(""));
            // The ones that need a look first.
            for (key, fate) in done
                .iter()
                .filter(|(_, f)| !matches!(f, Fate::Confirmed(_)))
            {
                fate_line(key, fate, width, theme, &mut lines);
            }
            for (key, fate) in done.iter().filter(|(_, f)| matches!(f, Fate::Confirmed(_))) {
                fate_line(key, fate, width, theme, &mut lines);
            }
            skipped_lines(bulk, width, theme, &mut lines);
            (
                title,
                lines,
                None,
                *scroll as usize,
                vec![("enter/esc", "close")],
            )
        }
    }
}

/// Where the bulk form's choices are on screen (see `dialog::choice_rows`).
pub(super) fn choice_rows(state: &State, area: Rect) -> [Option<ChoiceRows>; CHOICES_MEASURED] {
    let Some(bulk) = state.bulk().filter(|b| b.step == BulkStep::Edit) else {
        return [None; CHOICES_MEASURED];
    };
    let Some(form) = &bulk.form else {
        return [None; CHOICES_MEASURED];
    };
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let (_, lines, ..) = parts(state, bulk, &Theme::no_color(), inner_w);
    choices_on_screen(form, Some(lines.len()), area)
}

pub(super) fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(bulk) = state.bulk() else { return };
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let (title, lines, focus, scroll, footer) = parts(state, bulk, theme, inner_w);
    draw_modal(
        theme,
        frame,
        area,
        width,
        (clean(&title).into_owned(), lines, focus, scroll, footer),
    );
}
