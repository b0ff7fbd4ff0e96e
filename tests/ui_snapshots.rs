//! The screen on a TestBackend at 80x24 and 160x48, with a fixed clock:
//! main screen, filter, detail tabs, every dialog step, help, read-only,
//! and the local memory: the cached (not yet live) start, the note editor,
//! the journal overlay, a Log timeline with local and journal entries, a
//! flagged row.
//! Plus buffer checks where style matters (READ-ONLY banner, stage colours)
//! and a check that carrier text can never put control characters on screen.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use orderdesk::app::{Msg, State};
use orderdesk::carriers::{CarrierError, PollSummary, SyncEvent};
use orderdesk::domain::{OrderKey, Stage};
use orderdesk::ui::{self, Theme};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn render(state: &mut State, w: u16, h: u16, theme: &Theme) -> Terminal<TestBackend> {
    orderdesk::app::update(
        state,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::view(state, theme, f)).unwrap();
    terminal
}

/// Builds the state fresh for each size (paging depends on it) and snapshots.
fn snap(name: &str, build: impl Fn(&mut State)) {
    let (theme, warning) = orderdesk::runtime::load_theme("default");
    assert_eq!(warning, None);
    for (w, h) in SIZES {
        let mut s = synced_state(false);
        build(&mut s);
        let terminal = render(&mut s, w, h, &theme);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

/// Like [`snap`], from a console started from the cache (see
/// `common::cached_state`), two minutes later.
fn snap_cached(name: &str, synced: bool, build: impl Fn(&mut State)) {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    for (w, h) in SIZES {
        let mut s = cached_state(false);
        if synced {
            orderdesk::app::update(
                &mut s,
                Msg::Sync(SyncEvent::Finished {
                    carrier: Arc::from("tg"),
                    result: Ok(PollSummary {
                        listed: 8,
                        fetched: 8,
                        failed: 0,
                        warning: None,
                    }),
                    next_poll: None,
                }),
            );
        }
        orderdesk::app::update(&mut s, Msg::Tick(now() + Duration::minutes(2)));
        build(&mut s);
        let terminal = render(&mut s, w, h, &theme);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

/// The sample orders after a good sync (so the header chip says ok).
fn synced_state(readonly: bool) -> State {
    let mut s = state(readonly);
    let tg: Arc<str> = Arc::from("tg");
    orderdesk::app::update(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: tg,
            result: Ok(PollSummary {
                listed: 8,
                fetched: 8,
                failed: 0,
                warning: None,
            }),
            next_poll: None,
        }),
    );
    orderdesk::app::update(&mut s, Msg::Tick(now() + Duration::minutes(2)));
    s
}

#[test]
fn main_screen() {
    snap("main", |_| {});
}

#[test]
fn main_screen_read_only_and_everything_view() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    for (w, h) in SIZES {
        let mut s = synced_state(true);
        press(&mut s, ch('4'));
        press(&mut s, ch('t'));
        let terminal = render(&mut s, w, h, &theme);
        insta::assert_snapshot!(format!("readonly_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn header_chips_syncing_and_error() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut carriers = carriers();
    carriers.push(orderdesk::app::CarrierInfo {
        name: Arc::from("lumen"),
        kind: "lumen-voice",
        profile: Arc::new(FakeTg),
        quiet_hours: None,
    });
    carriers.push(orderdesk::app::CarrierInfo {
        name: Arc::from("lla"),
        kind: "lla-tmf622",
        profile: Arc::new(FakeTg),
        quiet_hours: None,
    });
    for (w, h) in SIZES {
        let mut s = State::new(carriers.clone(), options(false)).unwrap();
        s.upsert_orders(orders());
        let send = |s: &mut State, e: SyncEvent| {
            orderdesk::app::update(s, Msg::Sync(e));
        };
        send(
            &mut s,
            SyncEvent::Started {
                carrier: Arc::from("tg"),
            },
        );
        send(
            &mut s,
            SyncEvent::Progress {
                carrier: Arc::from("tg"),
                done: 120,
                total: 300,
            },
        );
        send(
            &mut s,
            SyncEvent::Finished {
                carrier: Arc::from("lumen"),
                result: Err(CarrierError::Timeout("orderStatus".into())),
                next_poll: None,
            },
        );
        send(
            &mut s,
            SyncEvent::Waiting {
                carrier: Arc::from("lla"),
                until: now() + Duration::minutes(3),
            },
        );
        let terminal = render(&mut s, w, h, &theme);
        insta::assert_snapshot!(format!("chips_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn filter_bar_active() {
    snap("filter", |s| {
        press(s, ch('/'));
        typ(s, "fiber stage:progress");
    });
}

#[test]
fn filter_with_unknown_stage_and_no_match() {
    snap("filter_nomatch", |s| {
        press(s, ch('/'));
        typ(s, "stage:later");
    });
}

#[test]
fn detail_tabs() {
    for (n, tab) in ["overview", "customer", "items", "log", "raw"]
        .into_iter()
        .enumerate()
    {
        snap(&format!("detail_{tab}"), |s| {
            select(s, "19488");
            press(s, key(KeyCode::Enter));
            for _ in 0..n {
                press(s, ch('l'));
            }
        });
    }
}

#[test]
fn detail_overview_with_attention_and_fetch_error() {
    snap("detail_attention", |s| {
        orderdesk::app::update(
            s,
            Msg::Sync(SyncEvent::OrderFailed {
                key: OrderKey::new("tg", "19502"),
                error: CarrierError::protocol("order_info: bad XML", b"<order_info><orderinfo>"),
            }),
        );
        select(s, "19502");
        press(s, key(KeyCode::Enter));
    });
}

#[test]
fn cache_start_is_marked_stale_until_the_first_sync() {
    snap_cached("cache_stale", false, |_| {});
    // While the first poll runs the chip still says cached.
    snap_cached("cache_stale_syncing", false, |s| {
        orderdesk::app::update(
            s,
            Msg::Sync(SyncEvent::Progress {
                carrier: Arc::from("tg"),
                done: 3,
                total: 8,
            }),
        );
    });
}

#[test]
fn a_long_message_wraps_onto_three_rows_at_most() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = synced_state(false);
    let long = "the database file is locked by another orderdesk (pid 4242) \
        and the busy timeout of 3 s passed; close the other console or start \
        this one with --data-dir pointing elsewhere; until then nothing is \
        cached and notes and flags cannot be saved";
    orderdesk::app::update(&mut s, Msg::StoreProblem(long.into()));
    let terminal = render(&mut s, 80, 24, &theme);
    let buffer = terminal.backend().buffer();
    let row = |y: u16| -> String {
        (0..80)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect::<String>()
    };
    assert!(
        row(21).starts_with(" cache off: the database file is locked"),
        "{}",
        row(21)
    );
    // The second row goes on with the text (where it breaks depends on the
    // room the labelled clock leaves).
    assert!(row(22).contains("(pid 4242)"), "{}", row(22));
    assert!(row(23).trim_end().ends_with('…'), "{}", row(23));
    // The table above is still drawn.
    assert!((2..20).any(|y| row(y).contains("tg/")));
    insta::assert_snapshot!("status_long_message_80x24", terminal.backend());
}

#[test]
fn the_first_frame_says_the_cache_is_being_read() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = State::new(carriers(), options(false)).unwrap();
    orderdesk::app::update(&mut s, Msg::CacheLoading);
    let terminal = render(&mut s, 80, 24, &theme);
    insta::assert_snapshot!("cache_loading_80x24", terminal.backend());
    // Once loaded (here: an empty cache) the usual empty-table text.
    orderdesk::app::update(&mut s, Msg::StoreProblem("locked".into()));
    assert!(!s.cache_loading());
}

#[test]
fn detail_says_when_the_full_order_is_still_being_read() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    for (w, h) in SIZES {
        let (mut s, _) = summary_state();
        orderdesk::app::update(&mut s, Msg::Tick(now() + Duration::minutes(2)));
        select(&mut s, "19502");
        press(&mut s, key(KeyCode::Enter));
        let terminal = render(&mut s, w, h, &theme);
        insta::assert_snapshot!(format!("cache_summary_detail_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn flagged_row_and_attention_reason() {
    // 19530 is flagged in the cache: ⚑ in the table, the reason in Overview.
    snap_cached("flagged_row", true, |s| {
        press(s, ch('2'));
        select(s, "19530");
    });
}

#[test]
fn note_dialog() {
    snap("note_dialog", |s| {
        select(s, "19530");
        press(s, ch('n'));
        typ(s, "Kunden ringde om installationen.");
        press(s, key(KeyCode::Enter));
        typ(s, "Ring tillbaka fredag");
    });
    snap("note_dialog_refused", |s| {
        select(s, "19530");
        press(s, ch('n'));
        typ(s, "Viktigt");
        press(s, ctrl('s'));
        orderdesk::app::update(
            s,
            Msg::NoteSaved {
                key: OrderKey::new("tg", "19530"),
                result: Err("database is locked (another orderdesk is writing)".into()),
            },
        );
    });
}

#[test]
fn journal_view() {
    snap_cached("journal_view", true, |s| {
        press(s, ch('J'));
        press(s, key(KeyCode::Down));
    });
}

#[test]
fn log_tab_with_local_and_journal_entries() {
    snap_cached("log_local_journal", true, |s| {
        select(s, "19530");
        press(s, key(KeyCode::Enter));
        for _ in 0..3 {
            press(s, ch('l'));
        }
    });
}

#[test]
fn dialog_acknowledge_form() {
    snap("dialog_ack", |s| {
        select(s, "19530");
        press(s, ch('a'));
    });
}

#[test]
fn dialog_set_status_form_and_confirm() {
    snap("dialog_status_form", |s| {
        press(s, ch('4'));
        select(s, "19460");
        press(s, ch('t'));
        for _ in 0..4 {
            press(s, key(KeyCode::Up));
        }
    });
    snap("dialog_status_confirm", |s| {
        press(s, ch('4'));
        select(s, "19460");
        press(s, ch('t'));
        for _ in 0..4 {
            press(s, key(KeyCode::Up));
        }
        press(s, key(KeyCode::Enter));
    });
}

#[test]
fn marked_selection() {
    snap("marked", |s| {
        select(s, "19502");
        press(s, ch(' '));
        press(s, ch('j'));
        press(s, ch('j'));
        press(s, ch('V'));
        // One marked order the view hides.
        press(s, ch('4'));
        select(s, "19460");
        press(s, ch(' '));
        press(s, ch('1'));
    });
}

#[test]
fn bulk_confirmation_lists_the_orders_and_the_skipped() {
    snap("bulk_ack_confirm", |s| {
        press(s, ch('*'));
        press(s, ch('a'));
    });
    snap("bulk_cancel_confirm", |s| {
        for id in ["19530", "19531"] {
            select(s, id);
            press(s, ch(' '));
        }
        press(s, ch('t'));
        for _ in 0..6 {
            press(s, key(KeyCode::Right));
        }
        press(s, key(KeyCode::Enter));
        typ(s, "1");
    });
}

#[test]
fn dialog_cancel_type_to_confirm() {
    snap("dialog_cancel_confirm", |s| {
        select(s, "19488");
        press(s, ch('c'));
        press(s, key(KeyCode::Enter));
        typ(s, "1948");
    });
}

#[test]
fn dialog_add_message_refused_then_typed() {
    snap("dialog_message_empty", |s| {
        select(s, "19502");
        press(s, ch('m'));
        press(s, ctrl('s'));
    });
    snap("dialog_message_typed", |s| {
        select(s, "19502");
        press(s, ch('m'));
        press(s, key(KeyCode::BackTab));
        press(s, key(KeyCode::Up));
        press(s, key(KeyCode::Tab));
        typ(s, "Port finns ej");
        press(s, key(KeyCode::Enter));
        typ(s, "Ring kunden");
    });
}

#[test]
fn dialog_field_errors() {
    snap("dialog_field_errors", |s| {
        select(s, "19502");
        press(s, ch('u'));
        press(s, key(KeyCode::Down));
        press(s, key(KeyCode::Down));
        typ(s, "9");
        press(s, key(KeyCode::Enter));
    });
}

#[test]
fn dialog_sending_and_refused() {
    snap("dialog_sending", |s| {
        select(s, "19530");
        press(s, ch('a'));
        press(s, key(KeyCode::Enter));
    });
    snap("dialog_refused", |s| {
        select(s, "19502");
        press(s, ch('m'));
        typ(s, "Kunden vill avvakta");
        let fx = press(s, ctrl('s'));
        let ticket = fx
            .iter()
            .find_map(|e| match e {
                orderdesk::app::Effect::Execute { ticket, .. } => Some(*ticket),
                _ => None,
            })
            .unwrap();
        orderdesk::app::update(
            s,
            Msg::WriteSettled(Box::new(orderdesk::app::WriteSettled {
                ticket,
                key: OrderKey::new("tg", "19502"),
                result: Err(CarrierError::Rejected {
                    code: "403".into(),
                    message: "api_user 1234 may not add messages to order 19502".into(),
                }),
                entry: None,
                order: None,
            })),
        );
    });
}

#[test]
fn help_overlay() {
    snap("help", |s| {
        press(s, ch('?'));
    });
}

#[test]
fn command_palette() {
    snap("palette_open", |s| {
        s.set_themes(vec!["default".into(), "light".into()], "default");
        press(s, ch(':'));
    });
    snap("palette_typed", |s| {
        press(s, ch(':'));
        typ(s, "195");
        press(s, key(KeyCode::Down));
    });
}

#[test]
fn empty_console() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = State::new(carriers(), options(false)).unwrap();
    let terminal = render(&mut s, 80, 24, &theme);
    insta::assert_snapshot!("empty_80x24", terminal.backend());
}

// --- style checks on the buffer ------------------------------------------------

fn find(buffer: &Buffer, text: &str) -> Option<(u16, u16)> {
    let area = buffer.area;
    for y in 0..area.height {
        let row: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        if let Some(byte) = row.find(text) {
            let x = row[..byte].chars().count() as u16;
            return Some((x, y));
        }
    }
    None
}

#[test]
fn read_only_banner_uses_the_readonly_style() {
    for name in Theme::builtin_names() {
        let (theme, _) = orderdesk::runtime::load_theme(name);
        let mut s = synced_state(true);
        let terminal = render(&mut s, 80, 24, &theme);
        let buffer = terminal.backend().buffer();
        let (x, y) = find(buffer, "READ-ONLY").expect("banner drawn");
        assert_eq!(y, 0, "in the header");
        for dx in 0..9 {
            let cell = &buffer[(x + dx, y)];
            assert_eq!(cell.fg, theme.readonly.fg.unwrap(), "{name}");
            assert_eq!(cell.bg, theme.readonly.bg.unwrap(), "{name}");
            assert!(
                cell.modifier.contains(ratatui::style::Modifier::BOLD),
                "{name}"
            );
        }
        // Not in read-write mode.
        let mut s = synced_state(false);
        let terminal = render(&mut s, 80, 24, &theme);
        assert_eq!(find(terminal.backend().buffer(), "READ-ONLY"), None);
    }
    // NO_COLOR: reversed instead of colours.
    let theme = Theme::no_color();
    let mut s = synced_state(true);
    let terminal = render(&mut s, 80, 24, &theme);
    let buffer = terminal.backend().buffer();
    let (x, y) = find(buffer, "READ-ONLY").unwrap();
    assert!(
        buffer[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    assert_eq!(buffer[(x, y)].fg, ratatui::style::Color::Reset);
}

#[test]
fn stage_cells_carry_their_stage_colour_and_glyph() {
    let (theme, _) = orderdesk::runtime::load_theme("colorblind");
    let mut s = synced_state(false);
    press(&mut s, ch('4'));
    let terminal = render(&mut s, 160, 48, &theme);
    let buffer = terminal.backend().buffer();
    for (stage, word) in [
        (Stage::NeedsAttention, "= stalled"),
        (Stage::Done, "v done"),
        (Stage::Closed, "x closed"),
        (Stage::New, "+ new"),
        (Stage::InProgress, "> in progress"),
    ] {
        let (x, y) = find(buffer, word).unwrap_or_else(|| panic!("{word} drawn"));
        assert_eq!(buffer[(x, y)].fg, theme.stage(stage).fg.unwrap(), "{word}");
    }
}

#[test]
fn escape_sequences_in_carrier_text_never_reach_the_screen() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = State::new(carriers(), options(false)).unwrap();
    let mut evil = order(
        "666",
        "new",
        Duration::hours(1),
        "\u{1b}]0;pwned\u{7}Eve",
        "\u{1b}[2J\u{1b}[HSvensson\r\n\u{8}",
        "Fiber\u{9b}31m 100",
    );
    evil.log[0].text = "line one\u{1b}[31m red\nline\ttwo\u{7}".into();
    evil.log[0].source = "\u{1b}]2;x\u{1b}\\portal".into();
    evil.customer_fields
        .push(("note\u{1b}[1A".into(), "\u{1b}c reset".into()));
    evil.items
        .push(vec![("name".into(), "\u{0}\u{1f}x".into())]);
    evil.raw = Some("<x>\u{1b}]52;c;Zm9v\u{7}</x>".into());
    evil.fetch_error = Some("bad\u{1b}[5m".into());
    s.upsert_orders(vec![evil]);
    let mut frames = Vec::new();
    for (w, h) in SIZES {
        frames.push(render(&mut s, w, h, &theme));
    }
    press(&mut s, key(KeyCode::Enter));
    for _ in 0..5 {
        for (w, h) in SIZES {
            frames.push(render(&mut s, w, h, &theme));
        }
        press(&mut s, ch('l'));
    }
    press(&mut s, key(KeyCode::Esc));
    press(&mut s, ch('c'));
    press(&mut s, key(KeyCode::Enter));
    frames.push(render(&mut s, 80, 24, &theme));
    for terminal in &frames {
        let buffer = terminal.backend().buffer();
        for cell in &buffer.content {
            assert!(
                !cell.symbol().chars().any(|c| c.is_control()),
                "control character drawn: {:?}",
                cell.symbol()
            );
        }
    }
    // The customer's visible name is still there.
    assert!(find(frames[0].backend().buffer(), "Eve").is_some());
}

#[test]
fn tiny_and_odd_terminal_sizes_never_panic() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    type Setup = Box<dyn Fn(&mut State)>;
    let setups: Vec<(&str, Setup)> = vec![
        ("main", Box::new(|_| {})),
        (
            "detail",
            Box::new(|s| {
                press(s, key(KeyCode::Enter));
                press(s, ch('l'));
                press(s, ch('l'));
                press(s, ch('l'));
            }),
        ),
        (
            "filter",
            Box::new(|s| {
                press(s, ch('/'));
                typ(s, "stage:nope fiber");
            }),
        ),
        (
            "dialog",
            Box::new(|s| {
                select(s, "19502");
                press(s, ch('u'));
                press(s, key(KeyCode::Enter));
            }),
        ),
        (
            "confirm",
            Box::new(|s| {
                select(s, "19488");
                press(s, ch('c'));
                press(s, key(KeyCode::Enter));
            }),
        ),
        (
            "help",
            Box::new(|s| {
                press(s, ch('?'));
                press(s, ch('G'));
            }),
        ),
    ];
    for (name, setup) in &setups {
        let mut s = synced_state(false);
        setup(&mut s);
        for w in (1..=40).step_by(3).chain([79, 81, 119, 120, 149, 150, 200]) {
            for h in (1..=14).chain([23, 29, 33, 34, 60]) {
                let _ = render(&mut s, w, h, &theme);
                // Keys at that size must not panic either.
                for msg in [ch('j'), ch('G'), key(KeyCode::PageDown), ch('k')] {
                    orderdesk::app::update(&mut s, msg);
                }
                let _ = render(&mut s, w, h, &theme);
            }
        }
        let _ = name;
    }
}

#[test]
fn the_detail_header_says_how_fresh_the_order_is() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = synced_state(false);
    select(&mut s, "19488");
    press(&mut s, key(KeyCode::Enter));
    let terminal = render(&mut s, 160, 48, &theme);
    assert_eq!(
        find(terminal.backend().buffer(), " · read "),
        None,
        "a cached copy not read in this session says nothing"
    );
    let mut fresh = s.selected_order().expect("selected").clone();
    fresh.read_at = Some(now() - Duration::minutes(5));
    s.upsert_orders(vec![fresh]);
    for (w, h) in SIZES {
        let terminal = render(&mut s, w, h, &theme);
        assert!(
            find(terminal.backend().buffer(), " · read 7m ago ").is_some(),
            "{w}x{h}: read five minutes before the start, two minutes ago"
        );
    }
}

#[test]
fn a_poll_that_stopped_paging_says_so_on_the_carrier_chip() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = synced_state(false);
    let warning = "paging stopped at page 2: it repeats an earlier page (100 records read; \
                   the carrier says 1000000000000 records)";
    orderdesk::app::update(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: Arc::from("tg"),
            result: Ok(PollSummary {
                listed: 100,
                fetched: 100,
                failed: 0,
                warning: Some(warning.into()),
            }),
            next_poll: None,
        }),
    );
    let terminal = render(&mut s, 160, 48, &theme);
    assert!(
        find(
            terminal.backend().buffer(),
            "✗ tg paging stopped at page 2, data "
        )
        .is_some(),
        "the chip names it"
    );
    assert!(
        find(
            terminal.backend().buffer(),
            "tg: paging stopped at page 2: it repeats"
        )
        .is_some(),
        "the status line has the whole warning"
    );
}

/// A flag (a regional-indicator pair) in a customer name: terminals disagree
/// on its width, so it is drawn as its letters, and redrawing after a move
/// leaves exactly what a fresh draw of the same state shows on every row.
#[test]
fn a_flag_in_a_customer_name_leaves_no_stale_glyphs() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = synced_state(false);
    let mut flagged = order(
        "19999",
        "new",
        Duration::days(1),
        "Ylva \u{1f1f8}\u{1f1ea}",
        "Lind\u{1f44d}\u{1f3fd}",
        "Bredband 250",
    );
    flagged.fields.clear();
    orderdesk::app::update(
        &mut s,
        Msg::Sync(SyncEvent::Orders {
            carrier: Arc::from("tg"),
            orders: vec![flagged],
        }),
    );
    let mut terminal = render(&mut s, 80, 24, &theme);
    let row_of = |buffer: &Buffer, y: u16| -> String {
        (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect()
    };
    let (_, y) = find(terminal.backend().buffer(), "Ylva").expect("row drawn");
    let row = row_of(terminal.backend().buffer(), y);
    assert!(row.contains("Ylva [SE]"), "{row}");
    assert!(
        !row.chars()
            .any(|c| ('\u{1f1e6}'..='\u{1f1ff}').contains(&c)),
        "{row}"
    );
    // Move on and redraw incrementally: the same as a fresh frame.
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('j')));
    }
    terminal.draw(|f| ui::view(&s, &theme, f)).unwrap();
    let fresh = render(&mut s, 80, 24, &theme);
    for y in 0..24 {
        assert_eq!(
            row_of(terminal.backend().buffer(), y),
            row_of(fresh.backend().buffer(), y),
            "row {y}"
        );
    }
}

/// Issue 12, defect 10: a bare list row (details not read yet) says so in
/// its customer cell and its carrier's chip counts it, instead of a blank
/// name; both go when the details arrive.
#[test]
fn bare_list_rows_say_loading_until_their_details_arrive() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = synced_state(false);
    let mut bare =
        orderdesk::domain::Order::new(OrderKey::new("tg", "20001"), "tjansteguiden", status("new"));
    bare.created = orderdesk::domain::Stamp {
        raw: "2026-11-30 09:00".into(),
        at: Some(now() - chrono::Duration::minutes(5)),
    };
    s.upsert_orders(vec![bare]);
    let text = render(&mut s, 160, 48, &theme).backend().to_string();
    let row = text
        .lines()
        .find(|l| l.contains("tg/20001"))
        .expect("the bare row is shown");
    assert!(row.contains("loading…"), "{row}");
    assert!(text.contains("(1 loading)"), "{text}");

    let mut full = order(
        "20001",
        "new",
        chrono::Duration::minutes(5),
        "Åsa",
        "Lind",
        "Fiber",
    );
    full.detail_loaded = true;
    s.upsert_orders(vec![full]);
    let text = render(&mut s, 160, 48, &theme).backend().to_string();
    assert!(!text.contains("loading"), "{text}");
    assert!(text.contains("Åsa Lind"), "{text}");
}
