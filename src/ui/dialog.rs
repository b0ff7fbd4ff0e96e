//! Modal overlays: the action dialog (form, confirmation, sending) and the
//! note editor (drawn in the same style: a multi-line field, ctrl-s saves).
//! The help overlay is `help`'s; the bulk dialog is `bulk`'s, drawn with
//! the pieces shared here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::detail::wrap;
use super::{Theme, clean, input_spans};
use crate::app::layout::{CHOICES_MEASURED, ChoiceRows, centered};
use crate::app::{ConfirmStep, Dialog, FieldValue, FormState, State, TextInput};
use crate::domain::{FieldError, FieldInput};

pub(super) fn error_line(
    e: &FieldError,
    indent: &str,
    width: usize,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    for (i, l) in wrap(&e.to_string(), width.saturating_sub(indent.width() + 2))
        .into_iter()
        .enumerate()
    {
        let mark = if i == 0 { "✗ " } else { "  " };
        out.push(Line::styled(format!("{indent}{mark}{l}"), theme.error));
    }
}

pub(super) fn multiline_lines(
    input: &TextInput,
    focused: bool,
    min_lines: usize,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    let (cur_line, cur_col) = input.line_col();
    let lines: Vec<&str> = input.text().split('\n').collect();
    let shown = lines.len().max(min_lines);
    for i in 0..shown {
        let text = lines.get(i).copied().unwrap_or("");
        let mut spans = vec![Span::styled("    │ ", theme.muted)];
        if focused && i == cur_line {
            let mut single = TextInput::new("", false, None);
            single.set(text);
            single.home();
            for _ in 0..cur_col {
                single.right();
            }
            spans.extend(
                input_spans(&single, theme, true)
                    .into_iter()
                    .map(|s| Span::styled(s.content.into_owned(), s.style)),
            );
        } else {
            spans.push(Span::styled(clean(text).into_owned(), theme.input));
        }
        out.push(Line::from(spans));
    }
}

/// Where each choice field's options start among the form's lines:
/// `(field, first line, options)`.
pub(super) type ChoiceLines = Vec<(usize, usize, usize)>;

/// Lines of the form step, the range of lines of the focused field and
/// where the choices are.
pub(super) fn form_lines(
    form: &FormState,
    theme: &Theme,
    width: usize,
    active: bool,
) -> (Vec<Line<'static>>, Option<(usize, usize)>, ChoiceLines) {
    let mut choices = Vec::new();
    let mut out: Vec<Line<'static>> = Vec::new();
    for intro in &form.form.intro {
        for l in wrap(intro, width) {
            out.push(Line::styled(l, theme.text));
        }
    }
    if let Some(answer) = &form.send_error {
        out.push(Line::raw(""));
        let heading = if form.send_reached {
            "The carrier answered:"
        } else {
            "No answer from the carrier:"
        };
        out.push(Line::styled(heading, theme.error));
        for l in wrap(answer, width.saturating_sub(2)) {
            out.push(Line::styled(format!("  {l}"), theme.error));
        }
        out.push(Line::styled(
            "Your input is kept; change it and send again, or Esc.",
            theme.muted,
        ));
    }
    let form_errors: Vec<&FieldError> = form.form_errors().collect();
    if !form_errors.is_empty() {
        out.push(Line::raw(""));
        for e in form_errors {
            error_line(e, "", width, theme, &mut out);
        }
    }
    let mut focus_range = None;
    for (i, (spec, value)) in form.form.fields.iter().zip(&form.fields).enumerate() {
        out.push(Line::raw(""));
        let start = out.len();
        let focused = active && i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let label_style = if focused { theme.key } else { theme.text };
        let mut label = vec![Span::styled(
            format!("{marker}{}", clean(&spec.label)),
            label_style,
        )];
        match (&spec.input, value) {
            (FieldInput::Line { max_len: Some(max) }, FieldValue::Text(t)) => {
                label.push(Span::styled(format!("  {}/{max}", t.len()), theme.muted));
            }
            (FieldInput::Multiline, _) if focused => {
                label.push(Span::styled(
                    "  (enter: new line, ctrl-s: send)",
                    theme.muted,
                ));
            }
            _ => {}
        }
        out.push(Line::from(label));
        match value {
            FieldValue::Text(t) if t.multiline => multiline_lines(t, focused, 3, theme, &mut out),
            FieldValue::Text(t) => {
                let mut spans = vec![Span::styled("    │ ", theme.muted)];
                spans.extend(
                    input_spans(t, theme, focused)
                        .into_iter()
                        .map(|s| Span::styled(s.content.into_owned(), s.style)),
                );
                let used: usize = spans.iter().map(|s| s.width()).sum();
                let pad = width.min(60).saturating_sub(used);
                spans.push(Span::styled(" ".repeat(pad), theme.input));
                out.push(Line::from(spans));
            }
            FieldValue::Choice {
                options,
                selected,
                current,
            } => {
                choices.push((i, out.len(), options.len()));
                for (n, (_, label)) in options.iter().enumerate() {
                    let on = n == *selected;
                    let mut style = if on && focused {
                        theme.text.patch(theme.selection)
                    } else {
                        theme.text
                    };
                    if on {
                        style = style.patch(theme.key);
                    }
                    let mut text =
                        format!("    {} {}", if on { "(•)" } else { "( )" }, clean(label));
                    if *current == Some(n) {
                        text.push_str("  (current)");
                    }
                    out.push(Line::styled(text, style));
                }
            }
        }
        if let Some(help) = &spec.help {
            for l in wrap(help, width.saturating_sub(4)) {
                out.push(Line::styled(format!("    {l}"), theme.muted));
            }
        }
        for e in form.field_errors(i) {
            error_line(e, "    ", width, theme, &mut out);
        }
        if i == form.focus {
            focus_range = Some((start, out.len()));
        }
    }
    (out, focus_range, choices)
}

fn confirm_lines(
    request: &crate::domain::ActionRequest,
    step: &ConfirmStep,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    let question = match step {
        ConfirmStep::YesNo(q) => q,
        ConfirmStep::TypeToConfirm { prompt, .. } => prompt,
    };
    for l in wrap(question, width) {
        out.push(Line::styled(l, theme.warning));
    }
    out.push(Line::raw(""));
    out.push(Line::from(vec![
        Span::styled("request  ", theme.muted),
        Span::styled(clean(&request.summary).into_owned(), theme.title),
    ]));
    if let ConfirmStep::TypeToConfirm {
        expected, input, ..
    } = step
    {
        out.push(Line::raw(""));
        out.push(Line::from(vec![
            Span::styled("type ", theme.text),
            Span::styled(clean(expected).into_owned(), theme.key),
            Span::styled(" to confirm:", theme.text),
        ]));
        let mut spans = vec![Span::raw("    ")];
        spans.extend(
            input_spans(input, theme, true)
                .into_iter()
                .map(|s| Span::styled(s.content.into_owned(), s.style)),
        );
        let used: usize = spans.iter().map(|s| s.width()).sum();
        spans.push(Span::styled(
            " ".repeat(30usize.saturating_sub(used)),
            theme.input,
        ));
        if step.satisfied() {
            spans.push(Span::styled("  ✓ matches", theme.ok));
        } else if !input.is_empty() {
            spans.push(Span::styled("  does not match yet", theme.muted));
        }
        out.push(Line::from(spans));
    }
    if let Some(preview) = &request.preview {
        out.push(Line::raw(""));
        out.push(Line::styled("exactly what will be sent:", theme.muted));
        for l in wrap(preview, width.saturating_sub(2)) {
            out.push(Line::styled(format!("  {l}"), theme.text));
        }
    }
    out
}

/// Title, body lines, focused line range, scroll, footer hints.
pub(super) type DialogParts<'a> = (
    String,
    Vec<Line<'a>>,
    Option<(usize, usize)>,
    usize,
    Vec<(&'static str, &'static str)>,
);

/// The largest useful scroll of a confirmation step at `area`.
pub(super) fn confirm_max_scroll(state: &State, area: Rect) -> u16 {
    let Some(Dialog::Confirm { request, step, .. }) = state.dialog() else {
        return 0;
    };
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let lines = confirm_lines(request, step, &Theme::no_color(), inner_w).len();
    let max_h = area.height.saturating_sub(2).max(5);
    let height = (lines as u16 + 4).min(max_h);
    // Border (2) and footer (1).
    let body_h = height.saturating_sub(3) as usize;
    u16::try_from(lines.saturating_sub(body_h)).unwrap_or(u16::MAX)
}

pub(super) fn draw_dialog(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(dialog) = state.dialog() else { return };
    let form = dialog.form();
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let (title, lines, focus, scroll, footer): DialogParts = match dialog {
        Dialog::Form(form) => {
            let (lines, focus, _) = form_lines(form, theme, inner_w, true);
            let multiline = matches!(
                form.fields.get(form.focus),
                Some(FieldValue::Text(t)) if t.multiline
            );
            let mut footer = Vec::new();
            if matches!(form.fields.get(form.focus), Some(FieldValue::Choice { .. })) {
                footer.push(("up/down space", "choose"));
            }
            if form.fields.len() > 1 {
                footer.push(("tab", "next field"));
            }
            if multiline {
                footer.push(("ctrl-s", "send"));
            } else {
                footer.push(("enter", "send"));
            }
            footer.push(("esc", "close"));
            (form.form.title.clone(), lines, focus, 0, footer)
        }
        Dialog::Confirm {
            request,
            step,
            scroll,
            ..
        } => {
            let lines = confirm_lines(request, step, theme, inner_w);
            // A form with no fields opened here: there is no form to go back to.
            let back = if form.fields.is_empty() {
                "close"
            } else {
                "back to the form"
            };
            let footer = match step {
                ConfirmStep::YesNo(_) => vec![("y/enter", "send"), ("n/esc", back)],
                ConfirmStep::TypeToConfirm { .. } => {
                    vec![("enter", "send (when it matches)"), ("esc", back)]
                }
            };
            (
                format!("Confirm: {}", form.form.title),
                lines,
                None,
                *scroll as usize,
                footer,
            )
        }
        Dialog::Sending { request, .. } => {
            let mut lines = vec![Line::styled(
                format!("sending… {} to {}", clean(&request.summary), form.key),
                theme.warning,
            )];
            lines.push(Line::raw(""));
            for l in wrap(
                "Waiting for the carrier's answer. Esc hides this dialog; the result will show in the status line and on the order.",
                inner_w,
            ) {
                lines.push(Line::styled(l, theme.muted));
            }
            (
                form.form.title.clone(),
                lines,
                None,
                0,
                vec![("esc", "hide")],
            )
        }
    };
    // Team mode: a colleague's write on this order is still open.
    let (lines, focus) = match state.colleague_write(&form.key) {
        Some(words) => {
            let mut above: Vec<Line> = wrap(&format!("! {}", clean(&words)), inner_w)
                .into_iter()
                .map(|l| Line::styled(l, theme.warning))
                .collect();
            above.push(Line::raw(""));
            let shift = above.len();
            above.extend(lines);
            (above, focus.map(|(a, b)| (a + shift, b + shift)))
        }
        None => (lines, focus),
    };
    // The carrier's title may already name the order.
    let key = form.key.to_string();
    let title = if title.contains(&key) {
        format!(" {} ", clean(&title))
    } else {
        format!(" {} · {key} ", clean(&title))
    };
    draw_modal(
        theme,
        frame,
        area,
        width,
        (title, lines, focus, scroll, footer),
    );
}

/// A modal box's geometry: its rect, the body's rect and the first line
/// shown (scrolled so the focused range shows, else by `scroll`).
fn modal_geometry(
    area: Rect,
    width: u16,
    lines: usize,
    focus: Option<(usize, usize)>,
    scroll: usize,
) -> (Rect, Rect, usize) {
    let max_h = area.height.saturating_sub(2).max(5);
    let height = (lines as u16 + 4).min(max_h);
    let rect = centered(area, width, height);
    let inner = Block::bordered().inner(rect);
    let body_h = inner.height.saturating_sub(1) as usize;
    let max_scroll = lines.saturating_sub(body_h);
    let scroll = match focus {
        // Keep the focused field (and its errors) in view; its label first.
        Some((start, end)) => end.saturating_sub(body_h).min(start),
        None => scroll,
    }
    .min(max_scroll);
    let body = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        height: body_h as u16,
        ..inner
    };
    (rect, body, scroll)
}

/// Where the choices of the open dialog's form are on screen, for the app
/// to place a click (`app::ChoiceRows`); none without a form (the bulk
/// dialog's are `bulk`'s).
pub(super) fn choice_rows(state: &State, area: Rect) -> [Option<ChoiceRows>; CHOICES_MEASURED] {
    match state.dialog() {
        Some(Dialog::Form(form)) => choices_on_screen(form, None, area),
        _ => [None; CHOICES_MEASURED],
    }
}

/// Where `form`'s choices are when it is drawn in a modal at `area`, its
/// lines first and `total` lines in all (its own lines when `None`).
pub(super) fn choices_on_screen(
    form: &FormState,
    total: Option<usize>,
    area: Rect,
) -> [Option<ChoiceRows>; CHOICES_MEASURED] {
    let mut out = [None; CHOICES_MEASURED];
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let theme = Theme::no_color();
    let (lines, focus, choices) = form_lines(form, &theme, inner_w, true);
    let total = total.unwrap_or(lines.len());
    let (_, body, scroll) = modal_geometry(area, width, total, focus, 0);
    let shown = scroll..scroll + body.height as usize;
    for (slot, (field, start, count)) in out.iter_mut().zip(choices) {
        let first = start.max(shown.start);
        let end = (start + count).min(shown.end);
        if first >= end {
            continue;
        }
        *slot = Some(ChoiceRows {
            field: u8::try_from(field).unwrap_or(u8::MAX),
            first: u8::try_from(first - start).unwrap_or(u8::MAX),
            top: body.y + (first - scroll) as u16,
            count: u8::try_from(end - first).unwrap_or(u8::MAX),
            x: body.x,
            width: body.width,
        });
    }
    out
}

/// Draws a centered modal box: title, body lines (scrolled so the focused
/// range shows, else by `scroll`), footer hints.
pub(super) fn draw_modal(
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    width: u16,
    parts: DialogParts,
) {
    let (title, lines, focus, scroll, footer) = parts;
    let (rect, body, scroll) = modal_geometry(area, width, lines.len(), focus, scroll);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.dialog)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let body_h = body.height as usize;
    let max_scroll = lines.len().saturating_sub(body_h);
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(body_h).collect();
    frame.render_widget(Paragraph::new(shown), body);
    let mut spans = Vec::new();
    for (k, w) in footer {
        spans.push(Span::styled(k, theme.key));
        spans.push(Span::styled(format!(" {w}   "), theme.muted));
    }
    if max_scroll > 0 {
        spans.push(Span::styled(
            format!("(more: {}/{})", scroll + 1, max_scroll + 1),
            theme.muted,
        ));
    }
    let footer_area = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1,
        ..body
    };
    frame.render_widget(Paragraph::new(Line::from(spans)), footer_area);
}

/// The note editor: what a note is, the text, the error or "saving…".
pub(super) fn draw_note(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(editor) = state.note_editor() else {
        return;
    };
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let what = if state.team().is_some() {
        "A team note: saved in the team store, where your colleagues see it; never sent to the carrier. It shows in the order's Log as local."
    } else {
        "A local note: kept on this computer only, never sent to the carrier (works in read-only mode too). It shows in the order's Log as local."
    };
    for l in wrap(what, inner_w) {
        lines.push(Line::styled(l, theme.muted));
    }
    // With the store off, where the note will go, before anything is typed.
    if let crate::app::Keeping::File(path) = state.keeping() {
        let text = format!(
            "The local store is off: this note will be appended to {} (plain text), not to the cache.",
            clean(path)
        );
        for l in wrap(&text, inner_w) {
            lines.push(Line::styled(l, theme.warning));
        }
    }
    lines.push(Line::raw(""));
    let mut label = vec![Span::styled("▸ Note", theme.key)];
    label.push(Span::styled(
        format!("  {}/{}", editor.input.len(), crate::app::NOTE_MAX),
        theme.muted,
    ));
    lines.push(Line::from(label));
    let start = lines.len();
    multiline_lines(&editor.input, !editor.saving, 5, theme, &mut lines);
    // Keep the cursor's line in view.
    let cursor_line = start + editor.input.line_col().0;
    if let Some(error) = &editor.error {
        lines.push(Line::raw(""));
        error_line(
            &FieldError::form(error.clone()),
            "",
            inner_w,
            theme,
            &mut lines,
        );
    }
    let footer = if editor.saving {
        lines.push(Line::raw(""));
        lines.push(Line::styled("saving…", theme.warning));
        vec![("esc", "hide (an error brings it back)")]
    } else {
        let save = match state.keeping() {
            crate::app::Keeping::File(_) => "keep in that file",
            _ => "save",
        };
        vec![("ctrl-s", save), ("enter", "new line"), ("esc", "close")]
    };
    let title = format!(" Note on {} ", editor.key);
    let focus = Some((cursor_line, cursor_line + 1));
    draw_modal(
        theme,
        frame,
        area,
        width,
        (clean(&title).into_owned(), lines, focus, 0, footer),
    );
}
