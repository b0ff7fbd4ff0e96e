//! The wallboard screen inside the console: `W` in a read-only console
//! switches to it and back (`orderdesk wallboard` starts on it). While it
//! shows, the figures ([`Board`]) are computed from the held summaries and
//! the carriers' chips on every clock tick (once a second), and the store's
//! hourly trend is asked for every [`TREND_EVERY`]. Only `W`, `q` and
//! Ctrl-C do anything there. Pure: no I/O (the trend is an effect).

use chrono::{DateTime, Duration, Utc};

use super::keymap::{Action, Key, Layer};
use super::msg::Effect;
use super::state::{Carrier, Level, State, SyncPhase};
use crate::domain::board::{Board, BoardSettings, CarrierHealth, Health, HourlyTrend};

/// The trend covers this many hours.
pub const TREND_HOURS: u32 = 24;
/// The trend is read again this often while the wallboard shows.
pub const TREND_EVERY: Duration = Duration::minutes(5);

/// The wallboard's own state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallboard {
    /// The figures as of the last tick.
    pub board: Board,
    /// When it was switched on (pages rotate from here).
    pub since: DateTime<Utc>,
    /// The last trend read, or why it could not be read.
    pub trend: Option<Result<HourlyTrend, String>>,
    /// When the trend was last asked for.
    trend_asked: Option<DateTime<Utc>>,
}

/// A carrier's health as the header chip judges it.
pub fn carrier_health(c: &Carrier, now: DateTime<Utc>) -> CarrierHealth {
    let chip = &c.chip;
    let health = match &chip.phase {
        _ if chip.cached => Health::Cached,
        SyncPhase::Syncing { .. } => Health::Syncing,
        _ if chip.waiting_until.is_some_and(|t| t > now) => Health::RateLimited {
            until: chip.waiting_until.unwrap_or(now),
        },
        SyncPhase::Error(reason) => Health::Error(reason.clone()),
        _ if c.quiet_at(now).is_some() => Health::QuietHours,
        SyncPhase::Ok if chip.is_stale(now) => Health::Stale,
        SyncPhase::Ok => Health::Ok,
        SyncPhase::Never => Health::Never,
    };
    CarrierHealth {
        name: c.info.name.to_string(),
        kind: c.info.kind,
        health,
        data_at: chip.last_ok.or(chip.cached_at),
    }
}

impl State {
    /// What `[wallboard]` sets (the defaults until called).
    pub fn set_board_settings(&mut self, settings: BoardSettings) {
        self.board_settings = settings;
    }

    /// Starts on the wallboard (`orderdesk wallboard`).
    pub fn open_wallboard(&mut self) {
        self.wallboard = Some(Wallboard {
            board: self.compute_board(),
            since: self.now,
            trend: None,
            trend_asked: None,
        });
    }

    /// The wallboard, while it shows.
    pub fn wallboard(&self) -> Option<&Wallboard> {
        self.wallboard.as_ref()
    }

    pub fn board_settings(&self) -> &BoardSettings {
        &self.board_settings
    }

    fn compute_board(&self) -> Board {
        let health: Vec<CarrierHealth> = self
            .carriers
            .iter()
            .map(|c| carrier_health(c, self.now))
            .collect();
        Board::compute(
            self.store.all(),
            &health,
            self.now,
            self.tz,
            &self.board_settings,
        )
    }

    /// `W`: to the wallboard and back; only a read-only console has it.
    pub(super) fn toggle_wallboard(&mut self, fx: &mut Vec<Effect>) {
        if self.wallboard.take().is_some() {
            return;
        }
        if !self.readonly {
            self.say(
                Level::Info,
                "wallboard: read-only consoles only (start with --readonly, or run orderdesk wallboard)",
            );
            return;
        }
        self.open_wallboard();
        self.on_wallboard_tick(fx);
    }

    /// A key while the wallboard shows: `W` back to the console (when it
    /// came from one), `q` quits; everything else is ignored.
    pub(super) fn wallboard_key(&mut self, key: Key) -> Option<Action> {
        match self.keymap.resolve(Layer::Table, key) {
            Some(a @ (Action::Quit | Action::Wallboard)) => Some(a),
            _ => None,
        }
    }

    /// The clock moved: new figures, and the trend when it is due.
    pub(super) fn on_wallboard_tick(&mut self, fx: &mut Vec<Effect>) {
        let board = self.compute_board();
        let now = self.now;
        let Some(w) = self.wallboard.as_mut() else {
            return;
        };
        w.board = board;
        if w.trend_asked.is_none_or(|at| now - at >= TREND_EVERY) {
            w.trend_asked = Some(now);
            fx.push(Effect::LoadTrend {
                start: HourlyTrend::window_start(now, TREND_HOURS),
                hours: TREND_HOURS,
            });
        }
        if let Some(Ok(trend)) = &w.trend {
            w.board.trend = Some(trend.clone());
        }
    }

    /// The store's trend arrived.
    pub(super) fn on_trend(&mut self, result: Result<HourlyTrend, String>) {
        if let Some(w) = self.wallboard.as_mut() {
            if let Ok(trend) = &result {
                w.board.trend = Some(trend.clone());
            }
            w.trend = Some(result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{CarrierInfo, Msg, Options, update};
    use crate::carriers::CarrierProfile;
    use crate::carriers::tjansteguiden::TgProfile;
    use crate::domain::board::TileKind;
    use chrono::TimeZone;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::sync::Arc;

    fn state(readonly: bool) -> State {
        let profile: Arc<dyn CarrierProfile> = Arc::new(TgProfile::new(
            reqwest::Url::parse("https://portal.example/orders").expect("url"),
            "api",
        ));
        let carriers = vec![CarrierInfo {
            name: "tg".into(),
            kind: "tjansteguiden",
            profile,
            quiet_hours: None,
        }];
        State::new(
            carriers,
            Options {
                readonly,
                now: Utc.with_ymd_and_hms(2026, 2, 10, 11, 0, 0).unwrap(),
                user: "anna".into(),
                keys: Default::default(),
            },
        )
        .expect("state")
    }

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn w_toggles_in_a_readonly_console_only() {
        let mut s = state(false);
        update(&mut s, key('W'));
        assert!(s.wallboard().is_none());
        assert!(s.status().is_some_and(|m| m.text.contains("read-only")));

        let mut s = state(true);
        let fx = update(&mut s, key('W'));
        assert!(s.wallboard().is_some());
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::LoadTrend { hours: 24, .. }))
        );
        // Other keys do nothing there; W goes back.
        for c in ['j', '/', 'r', '?', 't'] {
            assert!(update(&mut s, key(c)).is_empty(), "{c}");
            assert!(s.wallboard().is_some());
            assert!(s.modal().is_none() && !s.filter_open());
        }
        update(&mut s, key('W'));
        assert!(s.wallboard().is_none());
    }

    #[test]
    fn q_quits_from_the_wallboard() {
        let mut s = state(true);
        s.open_wallboard();
        let fx = update(&mut s, key('q'));
        assert!(s.should_quit());
        assert!(fx.iter().any(|e| matches!(e, Effect::Quit)));
    }

    #[test]
    fn ticks_recompute_and_ask_the_trend_every_five_minutes() {
        let mut s = state(true);
        s.open_wallboard();
        let t0 = s.now();
        let asks = |fx: &[Effect]| {
            fx.iter()
                .filter(|e| matches!(e, Effect::LoadTrend { .. }))
                .count()
        };
        assert_eq!(asks(&update(&mut s, Msg::Tick(t0))), 1);
        assert_eq!(
            asks(&update(&mut s, Msg::Tick(t0 + Duration::minutes(4)))),
            0
        );
        assert_eq!(
            asks(&update(&mut s, Msg::Tick(t0 + Duration::minutes(5)))),
            1
        );
        let w = s.wallboard().expect("shown");
        assert_eq!(w.board.at, t0 + Duration::minutes(5));
        assert_eq!(w.board.tile(TileKind::Open).value, 0);

        let trend = HourlyTrend::empty(t0, 24);
        update(&mut s, Msg::Trend(Ok(trend.clone())));
        assert_eq!(
            s.wallboard().and_then(|w| w.board.trend.clone()),
            Some(trend)
        );
        update(&mut s, Msg::Trend(Err("store off".into())));
        let w = s.wallboard().expect("shown");
        assert_eq!(w.trend, Some(Err("store off".into())));
    }
}
