//! Drawing: [`view`]`(&State, &Theme, &mut Frame)`. Pure: no I/O, no clock
//! reads, no sorting or filtering (the view of the orders is computed in
//! `app::update`); only the visible window of the table is turned into rows.
//!
//! Layout, top to bottom: header (name, READ-ONLY banner, in team mode the
//! team store's chip (`team`), carrier chips, stage counts), views bar (views with counts, then one's own, sort), filter bar (while open or
//! set), body, status line (`status`: a message too long for one row wraps
//! onto up to [`STATUS_MAX_ROWS`](crate::app::layout::STATUS_MAX_ROWS) rows,
//! taken from the body: carrier messages are worth reading whole). The body is the orders table; when the terminal
//! has room (body >= [`SPLIT_MIN_BODY`](crate::app::layout::SPLIT_MIN_BODY)
//! rows) the selected order's detail sits
//! below the table, otherwise the detail takes the whole body while focused.
//! At narrow widths table columns are dropped by priority (updated, schedule,
//! service, status) so key, stage, age and customer always fit.
//!
//! The geometry is `app::layout`'s (the app pages the table with it). What
//! depends on drawn content, the largest useful scroll of the detail pane,
//! the help overlay and a confirmation, is measured here by
//! [`scroll_limits`] and reported back to the app as `Msg::ScrollLimits`
//! ([`scroll_report`]).
//!
//! Until every carrier has synced once after a cache start, the header
//! carries a `CACHED · not live yet` banner and each cached carrier's chip
//! says `◌ name cached, 3h old` (the newest cached change). Overlays, bottom
//! to top: the journal (`J`), the action dialog, the note editor or the
//! bulk dialog (`bulk`), the command palette (`:`), help. Marked orders
//! (`app::Marks`) get a `•` in the table's first column and the views bar
//! says how many are marked.
//!
//! One word per meaning on screen. "Attention" is an order with any
//! attention reason (the table's `!` mark, view 2, `list --attention`, the
//! header's `! N attention`, which counts exactly view 2's orders). The stage
//! `needs_attention` is drawn as `= stalled` (`Stage::label`,
//! `Stage::glyph`): its statuses (held, failed, waiting, pending a check, a
//! status the console does not know) say the order has stopped at the
//! carrier and will not move without someone. "Stalled" is short enough for
//! the narrow table, and a stage of its own glyph never reads as the `!` mark.
//!
//! In a read-only console `W` swaps all of this for the wallboard
//! (`wallboard`), which [`view`] then draws alone.
//!
//! Carrier text is sanitized by the adapters; as a cheap second guard every
//! string drawn from an order goes through [`clean`], which replaces any
//! control character with `?`, so nothing drawn can move the cursor or retitle
//! the terminal.

mod bulk;
mod detail;
mod dialog;
mod help;
mod journal;
mod palette;
mod status;
mod table;
mod team;
mod theme;
mod wallboard;

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::app::layout::{ScrollLimits, areas};
use crate::app::{Action, Focus, Layer, Msg, State, SyncPhase, ViewKind};
use crate::domain::Stage;

pub use theme::{Theme, announces_truecolor};

/// The largest useful scroll positions at the state's terminal size, for
/// `update` to keep scrolls within the content (see [`scroll_report`]).
/// Measures the same layout [`view`] draws.
pub fn scroll_limits(state: &State) -> ScrollLimits {
    let (w, h) = state.size();
    let area = Rect::new(0, 0, w, h);
    let filter_bar = state.filter_open() || !state.filter_input().is_empty();
    let a = areas(
        area,
        filter_bar,
        state.focus() == Focus::Detail,
        status::status_lines(state, area.width).len() as u16,
    );
    ScrollLimits {
        detail: a.detail.map_or(0, |d| detail::max_scroll(state, d)),
        help: help::help_max_scroll(state, area),
        dialog: dialog::confirm_max_scroll(state, area),
        status_rows: a.status.height,
        // The open form's choices, else the bulk dialog's.
        choices: match state.dialog() {
            Some(crate::app::Dialog::Form(_)) => dialog::choice_rows(state, area),
            _ => bulk::choice_rows(state, area),
        },
    }
}

/// The message that tells the app the scroll limits of its current state,
/// when they differ from the ones it holds. The runtime applies it after
/// every batch of updates, before drawing.
pub fn scroll_report(state: &State) -> Option<Msg> {
    let limits = scroll_limits(state);
    (limits != state.scroll_limits()).then_some(Msg::ScrollLimits(limits))
}

/// Replaces control characters and flags (a second guard after the
/// adapters' sanitizing; see `domain::sanitize`).
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    let text = crate::domain::replace_flags(text);
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect(),
        )
    } else {
        text
    }
}

/// Cleans and cuts `text` to `width` display columns, ending in `…` when cut.
pub(crate) fn fit(text: &str, width: usize) -> Cow<'_, str> {
    let text = clean(text);
    if text.width() <= width {
        return text;
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    // By grapheme cluster, as the screen buffer measures: an emoji with a
    // modifier or variation selector is one glyph, never cut in half.
    let mut out = String::new();
    let mut used = 0;
    for g in text.graphemes(true) {
        let w = g.width();
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push('…');
    Cow::Owned(out)
}

/// "5h" or "?" when the time is unknown; "now" for a time ahead of the clock.
pub(crate) fn age(then: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match then {
        Some(t) if t > now => "now".into(),
        Some(t) => crate::domain::relative_age(t, now),
        None => "?".into(),
    }
}

/// "5h ago"; "just now" for a time ahead of the clock (another machine's
/// clock, or a change made after this frame's time was taken).
pub(crate) fn ago(then: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match then {
        Some(t) if t > now => "just now".into(),
        other => format!("{} ago", age(other, now)),
    }
}

/// Short stage words for narrow tables.
pub(crate) fn stage_short(stage: Stage) -> &'static str {
    match stage {
        Stage::InProgress => "progress",
        other => other.label(),
    }
}

/// Draws the whole console.
pub fn view(state: &State, theme: &Theme, frame: &mut Frame) {
    if let Some(wall) = state.wallboard() {
        wallboard::draw(state, wall, theme, frame);
        return;
    }
    let area = frame.area();
    let filter_bar = state.filter_open() || !state.filter_input().is_empty();
    let status = status::status_lines(state, area.width);
    let a = areas(
        area,
        filter_bar,
        state.focus() == Focus::Detail,
        status.len() as u16,
    );

    draw_header(state, theme, frame, a.header);
    draw_views(state, theme, frame, a.views);
    if let Some(r) = a.filter {
        draw_filter(state, theme, frame, r);
    }
    if let Some(r) = a.table {
        table::draw(state, theme, frame, r);
    }
    if let Some(r) = a.detail {
        detail::draw(state, theme, frame, r);
    }
    status::draw_status(state, theme, frame, a.status, status);

    if state.journal_view().is_some() {
        journal::draw(state, theme, frame, area);
    }
    if state.dialog().is_some() {
        dialog::draw_dialog(state, theme, frame, area);
    } else if state.note_editor().is_some() {
        dialog::draw_note(state, theme, frame, area);
    } else if state.bulk().is_some() {
        bulk::draw(state, theme, frame, area);
    }
    if state.palette().is_some() {
        palette::draw(state, theme, frame, area);
    }
    if state.help_scroll().is_some() {
        help::draw_help(state, theme, frame, area);
    }
}

fn local_hm(state: &State, t: DateTime<Utc>) -> String {
    t.with_timezone(&state.timezone())
        .format("%H:%M")
        .to_string()
}

/// One carrier chip: glyph, name, state in words.
fn chip_spans<'a>(state: &State, theme: &Theme, c: &'a crate::app::Carrier) -> Vec<Span<'a>> {
    let now = state.now();
    let chip = &c.chip;
    let (glyph, text, style) = match &chip.phase {
        _ if chip.cached => {
            let mut text = match chip.cached_at {
                Some(at) => format!("cached, {} old", age(Some(at), now)),
                None => "cached".to_string(),
            };
            if let SyncPhase::Syncing { done, total } = &chip.phase {
                if *total == 0 {
                    text.push_str(", syncing");
                } else {
                    text.push_str(&format!(", syncing {done}/{total}"));
                }
            }
            ("◌", text, theme.chip_stale)
        }
        SyncPhase::Syncing { done, total } => (
            "↻",
            if *total == 0 {
                "syncing".to_string()
            } else {
                format!("{done}/{total}")
            },
            theme.chip_syncing,
        ),
        _ if chip.waiting_until.is_some_and(|t| t > now) => (
            "…",
            format!(
                "rate-limited until {}",
                local_hm(state, chip.waiting_until.unwrap_or(now))
            ),
            theme.chip_waiting,
        ),
        // How old the data on screen is: the last good sync's age.
        SyncPhase::Error(reason) => {
            let data = match chip.last_ok {
                Some(at) => format!(", data {} old", age(Some(at), now)),
                None => ", no data yet".to_string(),
            };
            ("✗", format!("{}{data}", clean(reason)), theme.chip_error)
        }
        _ if c.quiet_at(now).is_some() => (
            "☾",
            c.quiet_chip(now, state.timezone()).unwrap_or_default(),
            theme.chip_waiting,
        ),
        SyncPhase::Ok if chip.is_stale(now) => (
            "!",
            format!("stale, {}", ago(chip.last_ok, now)),
            theme.chip_stale,
        ),
        SyncPhase::Ok => ("✓", ago(chip.last_ok, now), theme.chip_ok),
        SyncPhase::Never => ("·", "never synced".to_string(), theme.chip_never),
    };
    let mut spans = vec![
        Span::styled(format!("{glyph} "), style),
        Span::styled(clean(&c.info.name), style.add_modifier(Modifier::BOLD)),
        Span::styled(format!(" {text}"), style),
    ];
    let failed = chip.failed + chip.unknown_failed;
    if failed > 0 {
        spans.push(Span::styled(format!(" ({failed} failed)"), theme.warning));
    }
    let loading = state.store().loading_count(&c.info.name);
    if loading > 0 {
        spans.push(Span::styled(format!(" ({loading} loading)"), theme.muted));
    }
    spans
}

fn draw_header(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut left: Vec<Span> = vec![Span::styled(" orderdesk ", theme.title)];
    if state.readonly() {
        left.push(Span::styled(" READ-ONLY ", theme.readonly));
        left.push(Span::raw(" "));
    }
    if state.any_cached() {
        left.push(Span::styled(
            " CACHED · not live yet ",
            theme.chip_stale.add_modifier(Modifier::REVERSED),
        ));
        left.push(Span::raw(" "));
    }
    left.extend(team::store_chip(state, theme));
    for c in state.carriers() {
        left.push(Span::styled("│ ", theme.muted));
        left.extend(chip_spans(state, theme, c));
        left.push(Span::raw(" "));
    }
    let store = state.store();
    let left_w: usize = left.iter().map(|s| s.width()).sum();
    // Orders with any attention reason (view 2's count), then the stage
    // counts: words when there is room, glyphs otherwise.
    let counts = |tier: u8| -> Vec<Span> {
        let n = store.view_count(ViewKind::Attention);
        let attention = match tier {
            0 => format!("! {n} attention  "),
            1 => format!("{n} attention "),
            _ => format!("!{n} "),
        };
        let mut spans = vec![Span::styled(attention, theme.attention)];
        spans.extend(Stage::ALL.into_iter().map(|stage| {
            let n = store.stage_count(stage);
            let text = match tier {
                0 => format!("{} {n} {}  ", stage.glyph(), stage.label()),
                1 => format!("{n} {} ", stage_short(stage)),
                _ => format!("{}{n} ", stage.glyph()),
            };
            Span::styled(text, theme.stage(stage))
        }));
        spans
    };
    let width_of = |spans: &[Span]| spans.iter().map(|s| s.width()).sum::<usize>();
    let mut right = counts(2);
    for tier in [0u8, 1] {
        let candidate = counts(tier);
        if left_w + width_of(&candidate) < area.width as usize {
            right = candidate;
            break;
        }
    }
    let right_w = width_of(&right);
    frame.render_widget(Paragraph::new(Line::from(left)).style(theme.header), area);
    if left_w + right_w < area.width as usize {
        let r = Rect {
            x: area.x + area.width - right_w as u16,
            width: right_w as u16,
            ..area
        };
        frame.render_widget(Paragraph::new(Line::from(right)).style(theme.header), r);
    }
}

fn draw_views(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let store = state.store();
    let keymap = state.keymap();
    let mut spans: Vec<Span> = vec![Span::raw(" ")];
    for view in ViewKind::ALL {
        let key = keymap
            .hint(Layer::Table, Action::View(view))
            .unwrap_or_default();
        let style = if store.view() == view && state.active_user_view().is_none() {
            theme.view_active
        } else {
            theme.view
        };
        spans.push(Span::styled(
            format!(" {key} {} {} ", view.label(), store.view_count(view)),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    // Views of one's own: counted while in use (the count is the filter's).
    for (i, view) in state.user_views().iter().enumerate() {
        let key = keymap
            .hint(Layer::Table, Action::UserView(i as u8))
            .unwrap_or_default();
        let (style, count) = if state.active_user_view() == Some(i) {
            (theme.view_active, format!(" {}", store.visible().len()))
        } else {
            (theme.view, String::new())
        };
        spans.push(Span::styled(
            format!(" {key} {}{count} ", fit(&view.name, 16)),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    let sort = store.sort();
    let arrow = if sort.reversed { "▼" } else { "▲" };
    let sort_text = format!(
        "sort: {} {arrow} {} ",
        sort.column.label(),
        sort.column.direction_text(sort.reversed)
    );
    // Where the cursor is, when there are orders; dropped first when narrow.
    let len = store.visible().len();
    let position = if len > 0 {
        format!("· {}/{len} ", state.cursor() + 1)
    } else {
        String::new()
    };
    // How many are marked (and how many of those the view hides): kept
    // longest when narrow, the sort goes first.
    let marked = match (state.marks().len(), state.marks_hidden()) {
        (0, _) => String::new(),
        (n, 0) => format!("· {n} marked "),
        (n, hidden) => format!("· {n} marked, {hidden} hidden "),
    };
    let left_w: usize = spans.iter().map(|s| s.width()).sum();
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let room = (area.width as usize).saturating_sub(left_w + 1);
    let sort_text = [
        format!("{sort_text}{marked}{position}"),
        format!("{sort_text}{marked}"),
        format!("{marked}{position}"),
        marked.clone(),
        sort_text,
        position,
    ]
    .into_iter()
    .filter(|t| marked.is_empty() || t.contains(&marked))
    .find(|t| t.width() <= room)
    .unwrap_or_default();
    let w = sort_text.width();
    if w > 0 {
        let r = Rect {
            x: area.x + area.width - w as u16,
            width: w as u16,
            ..area
        };
        frame.render_widget(Paragraph::new(Span::styled(sort_text, theme.muted)), r);
    }
}

/// Spans for a single-line input with a visible cursor.
pub(crate) fn input_spans<'a>(
    input: &'a crate::app::TextInput,
    theme: &Theme,
    show_cursor: bool,
) -> Vec<Span<'a>> {
    let text = input.text();
    if !show_cursor {
        return vec![Span::styled(clean(text), theme.input)];
    }
    let at = text
        .char_indices()
        .nth(input.cursor())
        .map_or(text.len(), |(b, _)| b);
    let (before, rest) = text.split_at(at);
    let mut chars = rest.chars();
    let under = chars.next().map_or(" ".to_string(), |c| c.to_string());
    vec![
        Span::styled(clean(before), theme.input),
        Span::styled(clean(&under).into_owned(), theme.input.patch(theme.cursor)),
        Span::styled(clean(chars.as_str()), theme.input),
    ]
}

fn draw_filter(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let store = state.store();
    let matched = store.visible().len();
    let total = store.view_count(store.view());
    let mut spans = vec![Span::styled(" / ", theme.key)];
    spans.extend(input_spans(
        state.filter_input(),
        theme,
        state.filter_open(),
    ));
    for problem in &store.filter().problems {
        spans.push(Span::styled(format!("  {problem}"), theme.warning));
    }
    spans.push(Span::styled(
        format!("  {matched} of {total} in {}", store.view().label()),
        theme.muted,
    ));
    if state.full_text_searching() {
        spans.push(Span::styled("  searching log and items…", theme.muted));
    }
    if !state.filter_open() {
        spans.push(Span::styled("  (/ edit, esc clears)", theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::ago;

    #[test]
    fn a_time_a_little_ahead_of_the_clock_is_just_now_not_now_ago() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap();
        assert_eq!(
            ago(Some(now + Duration::milliseconds(300)), now),
            "just now"
        );
        assert_eq!(ago(Some(now), now), "0s ago");
        assert_eq!(ago(Some(now - Duration::hours(5)), now), "5h ago");
        assert_eq!(ago(None, now), "? ago");
    }
}
