//! The screen's geometry, one source for both sides: `app` pages the table
//! and the journal overlay with it, `ui` draws into it. Given the terminal
//! size it says where the header, views bar, filter bar, table, detail and
//! status line go, and where a centred box (the journal overlay) sits.
//! Pure arithmetic on `Rect`s: nothing here draws or does I/O.
//!
//! Scroll limits that depend on the drawn content (the detail pane's
//! wrapped text, the help overlay, a long confirmation) are not computed
//! here: `ui` measures them and reports them back as [`ScrollLimits`]
//! (`Msg::ScrollLimits`), after every update the runtime applies and before
//! it draws. The same report carries the rows the status message takes and
//! where a dialog's choices are drawn ([`ChoiceRows`]), so that a click is
//! placed with the geometry drawn: the app decides what it hit (`mouse`),
//! with [`table_offset`] and [`tab_at`] from here.

use ratatui::layout::Rect;

/// The body must have at least this many rows to show table and detail together.
pub const SPLIT_MIN_BODY: u16 = 30;

/// Most rows a long status message takes.
pub const STATUS_MAX_ROWS: u16 = 3;

/// Where everything goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub views: Rect,
    pub filter: Option<Rect>,
    pub table: Option<Rect>,
    pub detail: Option<Rect>,
    pub status: Rect,
}

/// The layout of `area` with or without the filter bar, with the detail
/// focused or not, and `status_rows` rows of status message.
pub fn areas(area: Rect, filter_bar: bool, detail_focused: bool, status_rows: u16) -> Areas {
    let row =
        |y: u16| Rect::new(area.x, area.y + y.min(area.height), area.width, 1).intersection(area);
    let header = row(0);
    let views = row(1);
    let top = if filter_bar { 3 } else { 2 };
    let filter = filter_bar.then(|| row(2));
    // The status rows never squeeze the body below a few rows.
    let status_rows = status_rows
        .clamp(1, STATUS_MAX_ROWS)
        .min(area.height.saturating_sub(top + 4).max(1));
    let status = Rect {
        height: status_rows,
        ..row(area.height.saturating_sub(status_rows))
    }
    .intersection(area);
    let body_h = area.height.saturating_sub(top + status_rows);
    let body = Rect::new(area.x, area.y + top.min(area.height), area.width, body_h);
    let (table, detail) = if body_h >= SPLIT_MIN_BODY {
        let table_h = (body_h * 11 / 20).max(8);
        (
            Some(Rect {
                height: table_h,
                ..body
            }),
            Some(Rect {
                y: body.y + table_h,
                height: body_h - table_h,
                ..body
            }),
        )
    } else if detail_focused {
        (None, Some(body))
    } else {
        (Some(body), None)
    };
    Areas {
        header,
        views,
        filter,
        table,
        detail,
        status,
    }
}

/// A `width` x `height` box centred in `area` (cut to fit).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The journal overlay's box and its inner area (inside the border, one
/// column of margin).
pub fn journal_box(area: Rect) -> (Rect, Rect) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2),
    );
    let inner = Rect {
        x: rect.x + 2,
        y: rect.y + 1,
        width: rect.width.saturating_sub(4),
        height: rect.height.saturating_sub(2),
    };
    (rect, inner)
}

/// Entry rows the journal overlay shows at `size` (filter line, column
/// titles and footer take 3).
pub fn journal_rows(size: (u16, u16)) -> usize {
    let (_, inner) = journal_box(Rect::new(0, 0, size.0, size.1));
    inner.height.saturating_sub(3) as usize
}

/// Order rows the table shows at `size` (its title row aside).
pub fn table_rows(size: (u16, u16), filter_bar: bool) -> usize {
    let a = areas(Rect::new(0, 0, size.0, size.1), filter_bar, false, 1);
    a.table.map_or(0, |t| t.height.saturating_sub(1) as usize)
}

/// The first row of the table window: the app's offset hint, moved so the
/// cursor shows, within the view (`rows` order rows, `len` in the view).
pub fn table_offset(offset: usize, cursor: usize, len: usize, rows: usize) -> usize {
    let cursor = cursor.min(len.saturating_sub(1));
    offset
        .min(cursor)
        .max((cursor + 1).saturating_sub(rows))
        .min(len.saturating_sub(rows))
}

/// The tab (an index into `labels`) at column `x` of the detail pane's tab
/// bar, which is the row below the pane's top border: one space, then each
/// label followed by two spaces.
pub fn tab_at(detail: Rect, labels: &[&str], x: u16, y: u16) -> Option<usize> {
    if y != detail.y + 1 || x < detail.x + 1 {
        return None;
    }
    let mut start = detail.x + 1;
    for (i, label) in labels.iter().enumerate() {
        let end = start + label.chars().count() as u16;
        if x < end {
            return (x >= start).then_some(i);
        }
        start = end + 2;
    }
    None
}

/// Where the options of one choice field of the open dialog are drawn:
/// option `first` on screen row `top`, the next ones below it, `count` of
/// them visible, between columns `x` and `x + width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceRows {
    pub field: u8,
    pub first: u8,
    pub top: u16,
    pub count: u8,
    pub x: u16,
    pub width: u16,
}

/// At most this many choice fields of one dialog are measured.
pub const CHOICES_MEASURED: usize = 4;

/// The largest useful scroll positions of what is on screen, as `ui` last
/// measured them (`Msg::ScrollLimits`), so `update` keeps scrolls within the
/// content: scrolling back up after overshooting moves at once. With them,
/// what a click needs of the drawn content: the status message's rows and
/// the open dialog's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScrollLimits {
    pub detail: u16,
    pub help: u16,
    pub dialog: u16,
    /// Rows the status message takes (1 without one).
    pub status_rows: u16,
    /// The open dialog's choice fields on screen.
    pub choices: [Option<ChoiceRows>; CHOICES_MEASURED],
}

impl ScrollLimits {
    /// Before the first measurement: nothing is cut (drawing still shows
    /// only what there is).
    pub const UNMEASURED: ScrollLimits = ScrollLimits {
        detail: u16::MAX,
        help: u16::MAX,
        dialog: u16::MAX,
        status_rows: 1,
        choices: [None; CHOICES_MEASURED],
    };
}

impl Default for ScrollLimits {
    fn default() -> ScrollLimits {
        ScrollLimits::UNMEASURED
    }
}
