//! The orders table: only the visible window of the view becomes `Row`s.
//! The columns are the state's (a view of one's own chooses and orders
//! them); they are dropped by priority when the terminal is narrow. Age and
//! updated read "12d", or date and time with the zone in the header when
//! times are absolute (`T`). The first
//! column marks an order with glyphs, each in its own place so one never
//! hides the other: `•` when it is marked for a bulk action (the column
//! widens for it only while something is marked), `⚑` with a local
//! follow-up flag, then `!` when it needs attention for any other reason
//! (the clock's included: a service level run out, a delivery date past);
//! in team mode a last one, `◉`, when a colleague has the order open.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::{Theme, age, fit, stage_short};
use crate::app::layout::table_offset;
use crate::app::{Column, SortColumn, State, ViewKind};
use crate::domain::{Schedule, Stage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Mark,
    Key,
    Status,
    Stage,
    Age,
    Updated,
    Customer,
    Service,
    Schedule,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Mark => "",
            Col::Key => "order",
            Col::Status => "status",
            Col::Stage => "stage",
            Col::Age => "age",
            Col::Updated => "upd",
            Col::Customer => "customer",
            Col::Service => "service",
            Col::Schedule => "delivery",
        }
    }

    fn of(column: Column) -> Col {
        match column {
            Column::Order => Col::Key,
            Column::Status => Col::Status,
            Column::Stage => Col::Stage,
            Column::Age => Col::Age,
            Column::Updated => Col::Updated,
            Column::Customer => Col::Customer,
            Column::Service => Col::Service,
            Column::Delivery => Col::Schedule,
        }
    }

    fn sorted_by(self, column: SortColumn) -> bool {
        matches!(
            (self, column),
            (Col::Key, SortColumn::Carrier | SortColumn::Id)
                | (Col::Status, SortColumn::Status)
                | (Col::Stage, SortColumn::Stage)
                | (Col::Age, SortColumn::Age)
                | (Col::Updated, SortColumn::Updated)
                | (Col::Customer, SortColumn::Customer)
                | (Col::Service, SortColumn::Service)
                | (Col::Schedule, SortColumn::Schedule)
        )
    }
}

/// Widths that depend on the rows shown and on how times are shown.
#[derive(Debug, Clone, Copy)]
struct Widths {
    /// The mark column: 2, plus one for bulk marks, one for presence.
    mark: u16,
    key: u16,
    status: u16,
    schedule: u16,
    /// Age and updated: "12d", or "02-18 11:00" when times are absolute.
    time: u16,
}

/// Chooses columns and widths for `width`: `chosen` in its order (the
/// mark first), dropped by priority when they do not fit. Flexible
/// columns (customer, service) share what is left.
fn columns(width: u16, chosen: &[Column], w: Widths) -> (Vec<Col>, Vec<u16>, bool) {
    let (key_w, status_w, schedule_w) = (w.key, w.status, w.schedule);
    let wide = width >= 120;
    let stage_w = if wide { 13 } else { 11 };
    let fixed = |c: Col| -> u16 {
        match c {
            Col::Mark => w.mark,
            Col::Key => key_w,
            Col::Status => status_w,
            Col::Stage => stage_w,
            Col::Age => w.time,
            Col::Updated => w.time,
            Col::Schedule => schedule_w,
            Col::Customer => 18,
            Col::Service => 14,
        }
    };
    let mut cols = vec![Col::Mark];
    cols.extend(chosen.iter().map(|c| Col::of(*c)));
    // Lowest priority first.
    let drop_order = [Col::Updated, Col::Schedule, Col::Service, Col::Status];
    let total = |cols: &[Col]| -> u16 {
        cols.iter().map(|c| fixed(*c)).sum::<u16>() + cols.len().saturating_sub(1) as u16
    };
    for d in drop_order {
        if total(&cols) <= width {
            break;
        }
        cols.retain(|c| *c != d);
    }
    let spare = width.saturating_sub(total(&cols));
    let flex: Vec<Col> = cols
        .iter()
        .copied()
        .filter(|c| matches!(c, Col::Customer | Col::Service))
        .collect();
    let mut widths: Vec<u16> = cols.iter().map(|c| fixed(*c)).collect();
    if !flex.is_empty() {
        // Customer grows to 30 columns first, then service to 48, then both
        // share what is left.
        let both = flex.len() == 2;
        let (mut customer, mut service) = if both { (0u16, 0u16) } else { (spare, spare) };
        if both {
            let mut left = spare;
            customer = left.min(30 - fixed(Col::Customer).min(30));
            left -= customer;
            service = left.min(48 - fixed(Col::Service).min(48));
            left -= service;
            customer += left / 2;
            service += left - left / 2;
        }
        for (i, c) in cols.iter().enumerate() {
            match c {
                Col::Customer => widths[i] += customer,
                Col::Service => widths[i] += service,
                _ => {}
            }
        }
    }
    (cols, widths, wide)
}

pub(super) fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let store = state.store();
    let visible = store.visible();
    let rows = area.height.saturating_sub(1) as usize;
    if visible.is_empty() {
        let view = store.view();
        let text = if store.is_empty() && state.cache_loading() {
            state
                .team_loading_words()
                .unwrap_or_else(|| "Reading the local cache…".to_string())
        } else if store.is_empty() && state.team().is_some() {
            "No orders in the team store yet: the sync daemon adds them as it polls.".to_string()
        } else if store.is_empty() {
            "No orders yet: waiting for the first sync (r refreshes now).".to_string()
        } else if !store.filter().is_empty() {
            format!(
                "No {} orders match the filter. Esc in the filter bar clears it; 4 shows everything.",
                view.label()
            )
        } else if view == ViewKind::All {
            "No orders.".to_string()
        } else {
            format!("No {} orders. 4 shows everything.", view.label())
        };
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 1,
            width: area.width.saturating_sub(4),
            height: area.height.saturating_sub(1),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.muted)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    // The window: keep the cursor visible, start from the app's offset hint.
    let offset = table_offset(state.offset(), state.cursor(), visible.len(), rows);
    let window = &visible[offset..(offset + rows).min(visible.len())];

    let indexed: Vec<(u32, &crate::domain::OrderSummary)> = window
        .iter()
        .filter_map(|&i| store.get(i).map(|o| (i, o)))
        .collect();
    let orders: Vec<&crate::domain::OrderSummary> = indexed.iter().map(|(_, o)| *o).collect();
    // The order column is as wide as the longest key held (not the
    // window's), so it keeps its width while scrolling.
    let key_w = store.widest_key().clamp(8, 18) as u16;
    let status_w = orders
        .iter()
        .map(|o| o.status.raw.chars().count() as u16)
        .max()
        .unwrap_or(6)
        .clamp(6, 14);
    // A date is 10 columns; "unscheduled" (11) widens it when shown.
    let schedule_w = if orders
        .iter()
        .any(|o| matches!(o.schedule, Some(Schedule::Unscheduled)))
    {
        11
    } else {
        10
    };
    let marks = state.marks();
    // Team mode adds a mark: someone else has the order open.
    let watched = state.watched_orders();
    let team = state.team().is_some();
    let absolute = state.absolute_times();
    let widths = Widths {
        mark: 2 + u16::from(!marks.is_empty()) + u16::from(team),
        key: key_w,
        status: status_w,
        schedule: schedule_w,
        time: if absolute { 11 } else { 4 },
    };
    let (cols, widths, wide) = columns(area.width, state.columns(), widths);
    let now = state.now();
    let tz = state.timezone();
    let zone = state.now().with_timezone(&tz).format("%Z").to_string();
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| -> String {
        match t {
            Some(t) if absolute => t.with_timezone(&tz).format("%m-%d %H:%M").to_string(),
            _ => age(t, now),
        }
    };

    let sort = store.sort();
    let header = Row::new(cols.iter().map(|c| {
        // The order column sorts two ways: its title says which.
        let mut title = match (c, sort.column) {
            (Col::Key, SortColumn::Carrier) => "carrier".to_string(),
            (Col::Key, SortColumn::Id) => "id".to_string(),
            // Absolute times say their zone.
            (Col::Age, _) if absolute => format!("created {zone}"),
            (Col::Updated, _) if absolute => format!("updated {zone}"),
            _ => c.title().to_string(),
        };
        if c.sorted_by(sort.column) {
            title.push(if sort.reversed { '▼' } else { '▲' });
        }
        Cell::from(title)
    }))
    .style(theme.table_header);

    let selected = state.selected().map(|o| &o.key);
    let body = indexed.iter().map(|&(index, order)| {
        let is_selected = selected == Some(&order.key);
        let marked = marks.contains(index);
        let cells = cols.iter().zip(&widths).map(|(col, w)| {
            let w = *w as usize;
            match col {
                Col::Mark => {
                    // Glyphs, never colour alone: ⚑ flagged, ! attention
                    // (the carrier's reasons or the clock's: a service
                    // level run out, a delivery date past; a flag does not
                    // hide them).
                    let flag = if store.is_flagged(&order.key) {
                        "⚑"
                    } else {
                        " "
                    };
                    let late = store.is_late(&order.key);
                    let bang = if order.needs_attention() || late {
                        "!"
                    } else {
                        " "
                    };
                    let mark = match (marks.is_empty(), marked) {
                        (true, _) => "",
                        (false, true) => "•",
                        (false, false) => " ",
                    };
                    let eye = match (team, watched.contains_key(&order.key)) {
                        (true, true) => "◉",
                        (true, false) => " ",
                        (false, _) => "",
                    };
                    Cell::from(Span::styled(
                        format!("{mark}{flag}{bang}{eye}"),
                        theme.attention,
                    ))
                }
                Col::Key => Cell::from(fit(&order.key.to_string(), w).into_owned()),
                Col::Status => Cell::from(fit(&order.status.raw, w).into_owned()),
                Col::Stage => {
                    let stage = order.status.stage;
                    let word = if wide {
                        stage.label()
                    } else {
                        stage_short(stage)
                    };
                    Cell::from(Span::styled(
                        format!("{} {word}", stage.glyph()),
                        theme.stage(stage),
                    ))
                }
                Col::Age => Cell::from(time(order.created_at())),
                Col::Updated => Cell::from(Span::styled(time(order.updated_at()), theme.muted)),
                // A bare list row: its details (customer, service) are
                // still being read; said, not left blank.
                Col::Customer if order.is_bare() => {
                    Cell::from(Span::styled(fit("loading…", w).into_owned(), theme.muted))
                }
                Col::Customer => Cell::from(fit(&order.customer, w).into_owned()),
                Col::Service => Cell::from(fit(&order.service, w).into_owned()),
                Col::Schedule => Cell::from(fit(&order.schedule_text(), w).into_owned()),
            }
        });
        let style = if is_selected {
            theme.text.patch(theme.selection)
        } else if marked {
            theme.text.patch(theme.key)
        } else if order.status.stage == Stage::Closed {
            theme.muted
        } else {
            theme.text
        };
        Row::new(cells).style(style)
    });

    let table = Table::new(body, widths.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1)
        .style(Style::new());
    frame.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_tables_keep_the_essentials() {
        let w = Widths {
            mark: 2,
            key: 9,
            status: 9,
            schedule: 10,
            time: 4,
        };
        let (cols, widths, _) = columns(80, &Column::ALL, w);
        assert!(cols.contains(&Col::Key));
        assert!(cols.contains(&Col::Stage));
        assert!(cols.contains(&Col::Age));
        assert!(cols.contains(&Col::Customer));
        assert!(!cols.contains(&Col::Updated));
        let total: u16 = widths.iter().sum::<u16>() + cols.len() as u16 - 1;
        assert_eq!(total, 80);
        let (cols, _, _) = columns(160, &Column::ALL, w);
        assert_eq!(cols.len(), 9);
        // A view's own columns, in its order.
        let mine = [Column::Customer, Column::Order, Column::Age];
        let (cols, _, _) = columns(160, &mine, w);
        assert_eq!(cols, [Col::Mark, Col::Customer, Col::Key, Col::Age]);
    }
}
