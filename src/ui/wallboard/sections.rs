//! The wallboard's sections below the tiles (carriers, ageing, trend,
//! oldest attention items) and how they are split into pages.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Sparkline, Table};

use super::level_style;
use crate::app::{State, Wallboard};
use crate::domain::Stage;
use crate::domain::board::{AGE_BUCKETS, CarrierRow, Health, Level, short_age};
use crate::ui::{Theme, fit};

/// One section of the wallboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Carriers,
    Ageing,
    Trend,
    Attention,
}

impl Section {
    /// Rows the section needs at least (borders included).
    fn min_rows(self, wall: &Wallboard) -> u16 {
        let carriers = wall.board.carriers.len() as u16;
        match self {
            Section::Carriers | Section::Ageing => carriers + 3,
            Section::Trend => 4,
            Section::Attention => 5,
        }
    }
}

/// The sections per page: in order, as many on a page as fit in `height`
/// rows; a section taller than a page gets a page of its own (cut).
pub(super) fn pages(wall: &Wallboard, height: u16) -> Vec<Vec<Section>> {
    let mut pages: Vec<Vec<Section>> = Vec::new();
    let mut page: Vec<Section> = Vec::new();
    let mut used = 0u16;
    for section in [
        Section::Carriers,
        Section::Ageing,
        Section::Trend,
        Section::Attention,
    ] {
        let rows = section.min_rows(wall);
        if !page.is_empty() && used + rows > height {
            pages.push(std::mem::take(&mut page));
            used = 0;
        }
        page.push(section);
        used += rows;
    }
    pages.push(page);
    pages
}

/// Draws one page's sections in `area`; the last one takes the rest.
pub(super) fn draw(
    state: &State,
    wall: &Wallboard,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    sections: &[Section],
) {
    let constraints: Vec<Constraint> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i + 1 == sections.len() {
                Constraint::Min(s.min_rows(wall))
            } else {
                Constraint::Length(s.min_rows(wall))
            }
        })
        .collect();
    let areas = Layout::vertical(constraints).split(area);
    for (section, r) in sections.iter().zip(areas.iter()) {
        match section {
            Section::Carriers => carriers(state, wall, theme, frame, *r),
            Section::Ageing => ageing(wall, theme, frame, *r),
            Section::Trend => trend(state, wall, theme, frame, *r),
            Section::Attention => attention(wall, theme, frame, *r),
        }
    }
}

fn block<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title))
}

/// A count or age with its level's style and glyph.
fn marked(text: String, level: Level, theme: &Theme) -> Cell<'static> {
    let text = match level {
        Level::Ok => text,
        l => format!("{text} {}", l.glyph()),
    };
    Cell::from(Span::styled(text, level_style(theme, level, theme.text)))
}

fn health_cell(row: &CarrierRow, theme: &Theme, width: usize) -> Cell<'static> {
    let style = match &row.health {
        Health::Ok => theme.chip_ok,
        Health::Syncing => theme.chip_syncing,
        Health::RateLimited { .. } | Health::QuietHours => theme.chip_waiting,
        Health::Error(_) => theme.chip_error,
        Health::Stale | Health::Cached => theme.chip_stale,
        Health::Never => theme.chip_never,
    };
    let data = row
        .data_age
        .map(|d| format!(", data {} old", short_age(d)))
        .unwrap_or_default();
    let detail = match &row.health {
        Health::Error(reason) => format!(": {reason}"),
        _ => String::new(),
    };
    let text = format!("{} {}{data}{detail}", row.health.glyph(), row.health.word());
    Cell::from(Span::styled(fit(&text, width).into_owned(), style))
}

fn carriers(state: &State, wall: &Wallboard, theme: &Theme, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 140;
    let stage = |s: Stage| Stage::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let mut header = vec!["carrier"];
    if wide {
        header.push("kind");
    }
    header.extend(["new", "prog", "attn"]);
    if wide {
        header.extend(["done", "closed"]);
    }
    header.extend(["breach", "oldest", "old.attn", "health"]);
    let mut widths = vec![Constraint::Length(10)];
    if wide {
        widths.push(Constraint::Length(14));
    }
    widths.extend([Constraint::Length(5); 3]);
    if wide {
        widths.extend([Constraint::Length(6); 2]);
    }
    widths.extend([
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Min(10),
    ]);
    let fixed: u16 = if wide { 10 + 14 + 15 + 12 } else { 10 + 15 } + 22 + header.len() as u16;
    let health_w = area.width.saturating_sub(fixed + 2) as usize;
    let rows: Vec<Row> = wall
        .board
        .carriers
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::from(Span::styled(
                fit(&r.name, 10).into_owned(),
                theme.text.add_modifier(Modifier::BOLD),
            ))];
            if wide {
                cells.push(Cell::from(r.kind));
            }
            let count =
                |s: Stage| Cell::from(Span::styled(r.stages[stage(s)].to_string(), theme.stage(s)));
            cells.extend([count(Stage::New), count(Stage::InProgress)]);
            cells.push(marked(r.attention.to_string(), r.attention_level, theme));
            if wide {
                cells.extend([count(Stage::Done), count(Stage::Closed)]);
            }
            let age = |d: Option<chrono::Duration>| d.map_or("-".to_owned(), short_age);
            cells.push(marked(r.breaches.to_string(), r.breach_level, theme));
            cells.push(marked(age(r.oldest_open), r.oldest_open_level, theme));
            cells.push(marked(
                age(r.oldest_attention),
                r.oldest_attention_level,
                theme,
            ));
            cells.push(health_cell(r, theme, health_w));
            Row::new(cells)
        })
        .collect();
    let header = Row::new(header).style(theme.table_header);
    let title = format!("Carriers ({})", state.carriers().len());
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block(title, theme)),
        area,
    );
}

/// Per carrier, open orders per age bucket: the count and a bar scaled to
/// the largest bucket.
fn ageing(wall: &Wallboard, theme: &Theme, frame: &mut Frame, area: Rect) {
    let board = &wall.board;
    let max = board
        .carriers
        .iter()
        .flat_map(|r| r.ageing)
        .max()
        .unwrap_or(0)
        .max(1);
    let name_w = 10u16;
    let inner = area.width.saturating_sub(2 + name_w);
    let col = (inner / AGE_BUCKETS.len() as u16).max(6);
    let mut widths = vec![Constraint::Length(name_w)];
    widths.extend([Constraint::Length(col.saturating_sub(1)); 6]);
    let header = Row::new(
        std::iter::once("carrier".to_owned()).chain(AGE_BUCKETS.iter().map(|b| (*b).to_owned())),
    )
    .style(theme.table_header);
    let rows: Vec<Row> = board
        .carriers
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::from(fit(&r.name, 10).into_owned())];
            for (i, n) in r.ageing.iter().enumerate() {
                let digits = n.to_string();
                let room = col.saturating_sub(2 + digits.len() as u16) as u64;
                let bar = if *n == 0 {
                    0
                } else {
                    (n * room).div_ceil(max).max(1)
                };
                // The oldest buckets are where trouble sits.
                let style = match i {
                    5 => theme.error,
                    4 => theme.warning,
                    _ => theme.ok,
                };
                cells.push(Cell::from(Line::from(vec![
                    Span::styled(digits, theme.text),
                    Span::raw(" "),
                    Span::styled("█".repeat(bar as usize), style),
                ])));
            }
            Row::new(cells)
        })
        .collect();
    let unknown: u64 = board.carriers.iter().map(|r| r.unknown_age).sum();
    let mut title = "Ageing of open orders (since created)".to_owned();
    if unknown > 0 {
        title.push_str(&format!(", {unknown} of unknown age"));
    }
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block(title, theme)),
        area,
    );
}

/// New and done per hour over the last 24 h, one sparkline each.
fn trend(state: &State, wall: &Wallboard, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(t) = &wall.board.trend else {
        let why = match &wall.trend {
            Some(Err(e)) => format!("trend not available: {e}"),
            _ => "reading the trend from the store…".to_owned(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                fit(&why, area.width as usize - 2).into_owned(),
                theme.muted,
            ))
            .block(block("Last 24 h".into(), theme)),
            area,
        );
        return;
    };
    let from = t.start.with_timezone(&state.timezone()).format("%H:%M");
    let title = format!(
        "Last 24 h from {from}: {} new, {} done, per hour",
        t.total_new(),
        t.total_done()
    );
    let outer = block(title, theme);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let label_w = 6u16;
    let rows = inner.height.max(2);
    let each = rows / 2;
    let [new_area, done_area] =
        Layout::vertical([Constraint::Length(each), Constraint::Length(rows - each)]).areas(inner);
    for (label, values, style, r) in [
        ("new", &t.new, theme.ok, new_area),
        ("done", &t.done, theme.stage(Stage::Done), done_area),
    ] {
        let [l, spark] =
            Layout::horizontal([Constraint::Length(label_w), Constraint::Min(0)]).areas(r);
        frame.render_widget(Paragraph::new(Span::styled(label, theme.muted)), l);
        // Each hour as wide as the room allows, so the line fills the width.
        let per = (spark.width as usize / values.len().max(1)).max(1);
        let data: Vec<u64> = values
            .iter()
            .flat_map(|v| std::iter::repeat_n(*v, per))
            .collect();
        frame.render_widget(Sparkline::default().data(&data).style(style), spark);
    }
}

/// The oldest attention items, as many as fit.
fn attention(wall: &Wallboard, theme: &Theme, frame: &mut Frame, area: Rect) {
    let items = &wall.board.attention;
    let room = area.height.saturating_sub(3) as usize;
    let title = format!(
        "Oldest attention items ({} of {})",
        items.len().min(room),
        wall.board
            .tile(crate::domain::board::TileKind::Attention)
            .value
    );
    let widths = [
        Constraint::Length(18),
        Constraint::Length(7),
        Constraint::Percentage(45),
        Constraint::Min(10),
    ];
    let reason_w = (area.width.saturating_sub(2 + 18 + 7 + 3) as usize * 45 / 100).max(8);
    let rows: Vec<Row> = items
        .iter()
        .take(room)
        .map(|a| {
            Row::new(vec![
                Cell::from(Span::styled(
                    fit(&a.key.to_string(), 18).into_owned(),
                    theme.attention,
                )),
                marked(a.age.map_or("?".to_owned(), short_age), a.level, theme),
                Cell::from(fit(&a.reason, reason_w).into_owned()),
                Cell::from(fit(&a.customer, 40).into_owned()),
            ])
        })
        .collect();
    let header = Row::new(["order", "idle", "reason", "customer"]).style(theme.table_header);
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block(title, theme)),
        area,
    );
}
