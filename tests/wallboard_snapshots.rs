//! The wallboard on a TestBackend with a fixed clock, at 80x24, 160x48 and
//! 240x67, in the default, high-contrast and NO_COLOR themes: one carrier
//! synced with the sample orders, one failing, one rate-limited, the trend
//! read. Plus checks that every tile's caption carries its figure as text,
//! that a figure past its threshold carries a glyph and a word (not colour
//! alone), and that pages rotate when the sections do not fit.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use orderdesk::app::{Msg, State};
use orderdesk::carriers::{CarrierError, PollSummary, SyncEvent};
use orderdesk::domain::board::{BoardSettings, HourlyTrend, Threshold};
use orderdesk::ui::{self, Theme};

const SIZES: [(u16, u16); 3] = [(80, 24), (160, 48), (240, 67)];

fn board_state(settings: BoardSettings) -> State {
    let mut carriers = carriers();
    for (name, kind) in [("lumen", "lumen-voice"), ("lla", "lla-tmf622")] {
        carriers.push(orderdesk::app::CarrierInfo {
            name: Arc::from(name),
            kind,
            profile: Arc::new(FakeTg),
            quiet_hours: None,
        });
    }
    let mut s = State::new(carriers, options(true)).unwrap();
    s.set_board_settings(settings);
    s.upsert_orders(orders());
    let send = |s: &mut State, e: SyncEvent| {
        orderdesk::app::update(s, Msg::Sync(e));
    };
    send(
        &mut s,
        SyncEvent::Finished {
            carrier: Arc::from("tg"),
            result: Ok(PollSummary {
                listed: 8,
                fetched: 8,
                failed: 0,
                warning: None,
            }),
            next_poll: None,
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
    s.open_wallboard();
    orderdesk::app::update(&mut s, Msg::Tick(now() + Duration::seconds(10)));
    let start = HourlyTrend::window_start(now(), 24);
    let mut trend = HourlyTrend::empty(start, 24);
    for (i, (n, d)) in trend.new.iter_mut().zip(trend.done.iter_mut()).enumerate() {
        *n = (i as u64 * 7) % 5;
        *d = (i as u64 * 3) % 4;
    }
    orderdesk::app::update(&mut s, Msg::Trend(Ok(trend)));
    s
}

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

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn wallboard_in_every_theme_and_size() {
    for theme_name in ["default", "high-contrast", "no-color"] {
        let theme = if theme_name == "no-color" {
            Theme::no_color()
        } else {
            let (theme, warning) = orderdesk::runtime::load_theme(theme_name);
            assert_eq!(warning, None);
            theme
        };
        for (w, h) in SIZES {
            let mut s = board_state(BoardSettings::default());
            let terminal = render(&mut s, w, h, &theme);
            // The buffer with its styles, so a colour change shows up too.
            insta::assert_debug_snapshot!(
                format!("wallboard_{theme_name}_{w}x{h}"),
                terminal.backend().buffer()
            );
        }
    }
}

#[test]
fn captions_carry_their_figures_as_text() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    for (w, h) in SIZES {
        let mut s = board_state(BoardSettings::default());
        let text = screen_text(&render(&mut s, w, h, &theme));
        // Open: new 2 + in progress 3 (received x2, active) + waiting 1.
        for caption in ["6 open", "3 attention", "4 breaching", "2 new today"] {
            assert!(text.contains(caption), "{w}x{h}: {caption}\n{text}");
        }
        assert!(text.contains("data as of"), "{w}x{h}\n{text}");
        assert!(text.contains("no data from lumen, lla"), "{w}x{h}\n{text}");
    }
}

#[test]
fn a_threshold_past_reads_without_colour() {
    let mut settings = BoardSettings::default();
    settings.thresholds.attention = Threshold {
        amber: Some(2),
        red: Some(3),
    };
    settings.thresholds.open = Threshold {
        amber: Some(5),
        red: None,
    };
    let theme = Theme::no_color();
    let mut s = board_state(settings);
    let text = screen_text(&render(&mut s, 160, 48, &theme));
    assert!(text.contains("3 attention !! RED"), "{text}");
    assert!(text.contains("6 open ! AMBER"), "{text}");
}

#[test]
fn pages_rotate_when_the_sections_do_not_fit() {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    let mut s = board_state(BoardSettings::default());
    let since = s.wallboard().unwrap().since;
    orderdesk::app::update(&mut s, Msg::Tick(since + Duration::seconds(5)));
    let first = screen_text(&render(&mut s, 80, 24, &theme));
    assert!(first.contains("page 1/"), "{first}");
    orderdesk::app::update(&mut s, Msg::Tick(since + Duration::seconds(25)));
    let second = screen_text(&render(&mut s, 80, 24, &theme));
    assert!(second.contains("page 2/"), "{second}");
    assert_ne!(first, second);
    // At 240x67 everything fits on one page.
    let all = screen_text(&render(&mut s, 240, 67, &theme));
    assert!(!all.contains("page "), "{all}");
    for section in ["Carriers", "Ageing", "Last 24 h", "Oldest attention"] {
        assert!(all.contains(section), "{section}\n{all}");
    }
}
