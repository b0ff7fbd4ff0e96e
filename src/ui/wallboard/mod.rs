//! The wallboard screen (`orderdesk wallboard`, `W` in a read-only
//! console): drawn instead of the console from the figures the app computed
//! ([`crate::app::Wallboard`]). Pure: no I/O, no clock reads, no sorting.
//!
//! Layout, top to bottom: a banner with the data time (the oldest carrier's
//! last good sync, large and marked when it is old, so a frozen screen is
//! obvious), the headline tiles (big digits with `tui-big-text` when the
//! terminal is tall enough: 8 rows from 60 rows up, 4 from 36; below that
//! the figure and, past a threshold, its level in plain text), then the sections: carriers, ageing, trend,
//! oldest attention items. Sections that do not fit below the tiles go on
//! further pages, shown in turn every `[wallboard] rotate` (the page follows
//! from the state's clock, so the view stays a function of the state).
//!
//! A figure past a threshold is drawn in the theme's warning (amber) or
//! error (red) style and also carries `!`/`!!` (and, in the tiles'
//! captions, the word AMBER or RED): it never relies on colour alone.

mod sections;

use chrono::{DateTime, Duration, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use tui_big_text::{BigText, PixelSize};

use super::Theme;
use crate::app::{State, Wallboard};
use crate::domain::board::{Level, Tile, short_age};

/// Data older than this is marked in the banner.
const OLD_DATA: Duration = Duration::minutes(2);

/// The style of a level: the theme's warning for amber, error for red.
pub(super) fn level_style(theme: &Theme, level: Level, base: Style) -> Style {
    match level {
        Level::Ok => base,
        Level::Amber => base.patch(theme.warning),
        Level::Red => base.patch(theme.error).add_modifier(Modifier::BOLD),
    }
}

/// Draws the wallboard over the whole frame.
pub fn draw(state: &State, wall: &Wallboard, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < 20 || area.height < 6 {
        frame.render_widget(
            Paragraph::new("orderdesk wallboard: the terminal is too small"),
            area,
        );
        return;
    }
    let tile_rows = tile_height(area.height);
    let [banner, tiles, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(tile_rows),
        Constraint::Min(0),
    ])
    .areas(area);
    let pages = sections::pages(wall, body.height);
    let page = page_at(
        wall.since,
        state.now(),
        state.board_settings().rotate,
        pages.len(),
    );
    draw_banner(state, wall, theme, frame, banner, (page, pages.len()));
    draw_tiles(wall, theme, frame, tiles);
    if let Some(sections) = pages.get(page) {
        sections::draw(state, wall, theme, frame, body, sections);
    }
}

/// Which page shows at `now`.
fn page_at(since: DateTime<Utc>, now: DateTime<Utc>, rotate: Duration, pages: usize) -> usize {
    let step = rotate.num_seconds().max(1);
    let elapsed = (now - since).num_seconds().max(0);
    usize::try_from(elapsed / step).unwrap_or(0) % pages.max(1)
}

/// Rows of the tile band: bordered tiles with big digits when tall enough.
fn tile_height(height: u16) -> u16 {
    match height {
        60.. => 8 + 3,
        36.. => 4 + 3,
        _ => 4,
    }
}

fn draw_banner(
    state: &State,
    wall: &Wallboard,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    (page, pages): (usize, usize),
) {
    let now = state.now();
    let tz = state.timezone();
    let hms = |t: DateTime<Utc>| t.with_timezone(&tz).format("%H:%M:%S").to_string();
    // (priority, span): when the row is too narrow the lowest go first.
    let mut parts: Vec<(u8, Span)> = vec![
        (2, Span::styled(" orderdesk wallboard ", theme.title)),
        (9, Span::styled(" READ-ONLY ", theme.readonly)),
        (9, Span::raw(" ")),
    ];
    let data = match wall.board.data_at {
        Some(at) => {
            let age = now - at;
            let style = if age > OLD_DATA {
                theme
                    .warning
                    .add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                theme.title.add_modifier(Modifier::REVERSED)
            };
            let mark = if age > OLD_DATA { "! OLD DATA: " } else { "" };
            Span::styled(
                format!(" {mark}data as of {} ({} ago) ", hms(at), short_age(age)),
                style,
            )
        }
        None => Span::styled(
            " no data yet: waiting for the first sync ",
            theme.warning.add_modifier(Modifier::REVERSED),
        ),
    };
    parts.push((8, data));
    if wall.board.data_at.is_some() && !wall.board.no_data.is_empty() {
        parts.push((
            7,
            Span::styled(
                format!(" no data from {} ", wall.board.no_data.join(", ")),
                theme.warning.add_modifier(Modifier::BOLD),
            ),
        ));
    }
    parts.push((3, Span::styled(format!(" now {}", hms(now)), theme.muted)));
    if pages > 1 {
        parts.push((
            6,
            Span::styled(format!(" page {}/{pages}", page + 1), theme.muted),
        ));
    }
    parts.push((1, Span::styled(" · W console · q quit", theme.muted)));
    let width = |parts: &[(u8, Span)]| parts.iter().map(|(_, s)| s.width()).sum::<usize>();
    while width(&parts) > area.width as usize {
        let Some(lowest) = parts
            .iter()
            .enumerate()
            .min_by_key(|(_, (p, _))| *p)
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(lowest);
    }
    let spans: Vec<Span> = parts.into_iter().map(|(_, s)| s).collect();
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.header), area);
}

/// The tiles, side by side.
fn draw_tiles(wall: &Wallboard, theme: &Theme, frame: &mut Frame, area: Rect) {
    let n = wall.board.tiles.len() as u32;
    let cells = Layout::horizontal((0..n).map(|_| Constraint::Ratio(1, n))).split(area);
    for (tile, cell) in wall.board.tiles.iter().zip(cells.iter()) {
        draw_tile(tile, theme, frame, *cell);
    }
}

/// The widest pixel size whose digits fit `width` x `height` cells.
fn pixel_size(text: &str, width: u16, height: u16) -> Option<PixelSize> {
    let n = text.chars().count() as u16;
    let options: &[(PixelSize, u16, u16)] = &[
        (PixelSize::Full, 8, 8),
        (PixelSize::HalfWidth, 4, 8),
        (PixelSize::HalfHeight, 8, 4),
        (PixelSize::Quadrant, 4, 4),
    ];
    options
        .iter()
        .find(|(_, w, h)| *h <= height && w * n <= width)
        .map(|(p, _, _)| *p)
}

fn draw_tile(tile: &Tile, theme: &Theme, frame: &mut Frame, area: Rect) {
    let style = level_style(theme, tile.level, theme.text);
    let border = level_style(theme, tile.level, theme.border);
    let caption = super::fit(&tile.caption(), area.width.saturating_sub(2) as usize).into_owned();
    if area.height < 5 {
        // Small: the figure, then its level in words, in a box.
        let block = Block::default().borders(Borders::ALL).border_style(border);
        let width = area.width.saturating_sub(2) as usize;
        let mut lines = vec![Line::from(Span::styled(
            super::fit(&tile.figure(), width).into_owned(),
            style.add_modifier(Modifier::BOLD),
        ))];
        if tile.level != Level::Ok {
            lines.push(Line::from(Span::styled(
                format!("{} {}", tile.level.glyph(), tile.level.word()),
                style,
            )));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .alignment(Alignment::Center)
                .block(block),
            area,
        );
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title_bottom(Line::from(Span::styled(caption, style)).centered());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let digits = tile.value.to_string();
    let digits = match tile.level {
        Level::Ok => digits,
        level => format!("{digits}{}", level.glyph()),
    };
    match pixel_size(&digits, inner.width, inner.height) {
        Some(size) => {
            let big = BigText::builder()
                .pixel_size(size)
                .style(style.add_modifier(Modifier::BOLD))
                .lines(vec![Line::from(digits)])
                .alignment(Alignment::Center)
                .build();
            frame.render_widget(big, inner);
        }
        None => {
            let mid = Rect {
                y: inner.y + inner.height / 2,
                height: 1,
                ..inner
            };
            frame.render_widget(
                Paragraph::new(Span::styled(digits, style.add_modifier(Modifier::BOLD)))
                    .alignment(Alignment::Center),
                mid,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pages_rotate_on_the_clock() {
        let t0 = Utc.with_ymd_and_hms(2026, 2, 10, 11, 0, 0).unwrap();
        let r = Duration::seconds(20);
        assert_eq!(page_at(t0, t0, r, 2), 0);
        assert_eq!(page_at(t0, t0 + Duration::seconds(19), r, 2), 0);
        assert_eq!(page_at(t0, t0 + Duration::seconds(20), r, 2), 1);
        assert_eq!(page_at(t0, t0 + Duration::seconds(40), r, 2), 0);
        assert_eq!(page_at(t0, t0 + Duration::seconds(40), r, 1), 0);
        assert_eq!(page_at(t0, t0 - Duration::seconds(40), r, 3), 0);
    }

    #[test]
    fn digits_get_the_largest_size_that_fits() {
        assert!(matches!(pixel_size("43", 46, 8), Some(PixelSize::Full)));
        assert!(matches!(
            pixel_size("43", 10, 8),
            Some(PixelSize::HalfWidth)
        ));
        assert!(matches!(
            pixel_size("430", 28, 4),
            Some(PixelSize::HalfHeight)
        ));
        assert!(matches!(
            pixel_size("4300", 28, 4),
            Some(PixelSize::Quadrant)
        ));
        assert!(pixel_size("430000000", 28, 4).is_none());
        assert!(pixel_size("4", 28, 3).is_none());
    }
}
