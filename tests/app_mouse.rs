//! `update()` flows of the mouse: a click selects a table row, a detail tab
//! or a dialog choice (placed with the geometry drawn: each test clicks
//! where the rendered screen shows the text), the wheel scrolls the table,
//! the detail and the help. No terminal.

mod common;

use common::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use orderdesk::app::{self, MouseKind, Msg, State, Tab, layout};
use orderdesk::ui::{self, Theme};

fn sized(w: u16, h: u16) -> State {
    let mut s = state(false);
    press(
        &mut s,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    s
}

fn screen(s: &State) -> Buffer {
    let (w, h) = s.size();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| ui::view(s, &Theme::no_color(), f))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// The cell where `text` starts on the screen (first match, top down).
fn find(s: &State, text: &str) -> (u16, u16) {
    let buffer = screen(s);
    let area = buffer.area;
    for y in 0..area.height {
        let mut row = String::new();
        let mut columns = Vec::new();
        for x in 0..area.width {
            let symbol = buffer[(x, y)].symbol();
            for _ in symbol.chars() {
                columns.push(x);
            }
            row.push_str(symbol);
        }
        if let Some(at) = row.find(text) {
            let chars = row[..at].chars().count();
            return (columns[chars], y);
        }
    }
    panic!("{text:?} is not on the screen");
}

fn click(s: &mut State, (column, row): (u16, u16)) {
    press(
        s,
        Msg::Mouse {
            kind: MouseKind::Click,
            column,
            row,
        },
    );
}

/// Clicks where `text` is drawn.
fn click_on(s: &mut State, text: &str) {
    let at = find(s, text);
    click(s, at);
}

fn wheel(s: &mut State, kind: MouseKind, (column, row): (u16, u16)) {
    press(s, Msg::Mouse { kind, column, row });
}

#[test]
fn a_click_selects_the_row_under_it() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut s = sized(w, h);
        let view = ids(&s);
        assert_ne!(selected_id(&s), view[3]);
        click_on(&mut s, &format!("tg/{}", view[3]));
        assert_eq!(selected_id(&s), view[3], "at {w}x{h}");
        // The header row and the empty rows below the orders hit nothing.
        click_on(&mut s, "order");
        assert_eq!(selected_id(&s), view[3]);
        click(&mut s, (5, h - 3));
        assert_eq!(selected_id(&s), view[3]);
    }
}

#[test]
fn a_click_lands_on_the_row_drawn_when_the_table_is_scrolled() {
    // 80x12: a table of a few rows, the selection at the bottom.
    let mut s = sized(80, 12);
    press(&mut s, ch('4'));
    press(&mut s, ch('G'));
    let view = ids(&s);
    let target = &view[view.len() - 3];
    click_on(&mut s, &format!("tg/{target}"));
    assert_eq!(&selected_id(&s), target);
}

#[test]
fn the_wheel_moves_the_selection_in_the_table() {
    let mut s = sized(80, 24);
    press(&mut s, ch('4'));
    press(&mut s, ch('g'));
    let view = ids(&s);
    let on_table = find(&s, &format!("tg/{}", view[0]));
    wheel(&mut s, MouseKind::WheelDown, on_table);
    assert_eq!(selected_id(&s), view[3]);
    wheel(&mut s, MouseKind::WheelUp, on_table);
    assert_eq!(selected_id(&s), view[0]);
}

#[test]
fn a_click_on_a_tab_opens_it_and_the_wheel_scrolls_the_detail() {
    let mut s = sized(160, 48);
    select(&mut s, "19488");
    click_on(&mut s, "Log");
    assert_eq!(s.detail().tab, Tab::Log);
    click_on(&mut s, "Items");
    assert_eq!(s.detail().tab, Tab::Items);
    // Between two tabs: nothing.
    let (x, y) = find(&s, "Items");
    click(&mut s, (x - 1, y));
    assert_eq!(s.detail().tab, Tab::Items);

    // The geometry is the layout's: the tab bar is the detail's second row.
    let areas = layout::areas(Rect::new(0, 0, 160, 48), false, true, 1);
    let detail = areas.detail.expect("split at 160x48");
    assert_eq!(y, detail.y + 1);

    click_on(&mut s, "Overview");
    assert_eq!(s.detail().scroll, 0);
    wheel(&mut s, MouseKind::WheelDown, (40, detail.y + 4));
    let limit = s.scroll_limits().detail;
    assert_eq!(s.detail().scroll, 3.min(limit));
    assert!(limit > 0, "the overview is longer than the pane");
    wheel(&mut s, MouseKind::WheelUp, (40, detail.y + 4));
    assert_eq!(s.detail().scroll, 0);
}

#[test]
fn a_click_on_a_tab_of_the_focused_detail_at_80x24() {
    let mut s = sized(80, 24);
    select(&mut s, "19502");
    press(&mut s, key(KeyCode::Enter));
    click_on(&mut s, "Customer");
    assert_eq!(s.detail().tab, Tab::Customer);
}

#[test]
fn a_click_picks_a_dialog_choice_and_nothing_is_sent() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut s = sized(w, h);
        select(&mut s, "19502");
        press(&mut s, ch('t'));
        let form = |s: &State| s.dialog().expect("dialog").form().clone();
        assert_eq!(form(&s).values().get("status"), "received");
        let (column, row) = find(&s, "( ) waiting");
        let fx = app::update(
            &mut s,
            Msg::Mouse {
                kind: MouseKind::Click,
                column,
                row,
            },
        );
        assert!(fx.is_empty(), "a click never sends: {fx:?}");
        assert_eq!(form(&s).values().get("status"), "waiting", "at {w}x{h}");
        click_on(&mut s, "( ) delivered");
        assert_eq!(form(&s).values().get("status"), "delivered");
        // Outside the choices: nothing changes.
        click(&mut s, (0, 0));
        assert_eq!(form(&s).values().get("status"), "delivered");
    }
}

#[test]
fn a_click_picks_a_choice_of_the_bulk_form_too() {
    let mut s = sized(80, 24);
    for id in ["19530", "19531"] {
        select(&mut s, id);
        press(&mut s, ch(' '));
    }
    press(&mut s, ch('t'));
    click_on(&mut s, "( ) active");
    let form = s.bulk().unwrap().form.clone().unwrap();
    assert_eq!(form.values().get("status"), "active");
}

#[test]
fn the_wheel_scrolls_the_help() {
    let mut s = sized(80, 24);
    press(&mut s, ch('?'));
    assert_eq!(s.help_scroll(), Some(0));
    wheel(&mut s, MouseKind::WheelDown, (40, 10));
    assert_eq!(s.help_scroll(), Some(3));
    wheel(&mut s, MouseKind::WheelUp, (40, 10));
    wheel(&mut s, MouseKind::WheelUp, (40, 10));
    assert_eq!(s.help_scroll(), Some(0));
    // A click in the help changes nothing.
    click(&mut s, (40, 10));
    assert_eq!(s.help_scroll(), Some(0));
}
