//! [`Board::compute`]: the wallboard's figures from order summaries, the
//! carriers' health, the thresholds and a clock. One pass over the orders,
//! then the attention items sorted (only the items, never all orders).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use super::{AGE_BUCKETS, BoardSettings, CarrierHealth, Health, HourlyTrend, Level, age_bucket};
use crate::domain::{OrderKey, OrderSummary, Stage};

/// Most attention items a board keeps (the screen shows as many as fit).
pub const ATTENTION_ITEMS: usize = 100;

/// The headline figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileKind {
    Open,
    Attention,
    Breaching,
    NewToday,
    DoneToday,
}

impl TileKind {
    pub const ALL: [TileKind; 5] = [
        TileKind::Open,
        TileKind::Attention,
        TileKind::Breaching,
        TileKind::NewToday,
        TileKind::DoneToday,
    ];

    /// The caption's words after the figure (`43 open`).
    pub fn caption(self) -> &'static str {
        match self {
            TileKind::Open => "open",
            TileKind::Attention => "attention",
            TileKind::Breaching => "breaching",
            TileKind::NewToday => "new today",
            TileKind::DoneToday => "done today",
        }
    }

    /// The key in `stats --json`.
    pub fn key(self) -> &'static str {
        match self {
            TileKind::Open => "open",
            TileKind::Attention => "attention",
            TileKind::Breaching => "breaching",
            TileKind::NewToday => "new_today",
            TileKind::DoneToday => "done_today",
        }
    }
}

/// One headline figure and how far past its thresholds it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    pub kind: TileKind,
    pub value: u64,
    pub level: Level,
}

impl Tile {
    /// The figure and its words: `43 open`, `7 breaching`.
    pub fn figure(&self) -> String {
        format!("{} {}", self.value, self.kind.caption())
    }

    /// The plain-text caption: `43 open`, `7 breaching !! RED`.
    pub fn caption(&self) -> String {
        match self.level {
            Level::Ok => format!("{} {}", self.value, self.kind.caption()),
            level => format!(
                "{} {} {} {}",
                self.value,
                self.kind.caption(),
                level.glyph(),
                level.word()
            ),
        }
    }
}

/// One carrier instance's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierRow {
    pub name: String,
    pub kind: &'static str,
    /// Orders per stage, in [`Stage::ALL`]'s order.
    pub stages: [u64; 5],
    pub open: u64,
    pub attention: u64,
    pub breaches: u64,
    pub oldest_open: Option<Duration>,
    pub oldest_attention: Option<Duration>,
    /// Open orders per [`AGE_BUCKETS`] bucket.
    pub ageing: [u64; 6],
    /// Open orders whose creation date is not known (in no bucket).
    pub unknown_age: u64,
    pub health: Health,
    /// Time since the carrier's data was last known good.
    pub data_age: Option<Duration>,
    pub attention_level: Level,
    pub breach_level: Level,
    pub oldest_open_level: Level,
    pub oldest_attention_level: Level,
}

/// An order that needs attention, for the list of the oldest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionItem {
    pub key: OrderKey,
    /// Why, in words: the carrier's status or the read error.
    pub reason: String,
    /// Since the order last changed.
    pub age: Option<Duration>,
    pub customer: String,
    pub level: Level,
}

/// Everything the wallboard and `stats` show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// The clock the figures were computed at.
    pub at: DateTime<Utc>,
    /// The oldest of the carriers' "last known good" times: how fresh the
    /// board is at worst among the carriers that have data (`None` when none
    /// has synced or been cached).
    pub data_at: Option<DateTime<Utc>>,
    /// The carriers with no data at all yet (never synced, not cached).
    pub no_data: Vec<String>,
    pub tiles: [Tile; 5],
    pub carriers: Vec<CarrierRow>,
    /// Oldest first, at most [`ATTENTION_ITEMS`].
    pub attention: Vec<AttentionItem>,
    /// New and done per hour, when the store was read.
    pub trend: Option<HourlyTrend>,
}

impl Board {
    /// The figures of `orders` for `carriers` (orders of carriers not
    /// listed are left out) at `now`; "today" is the local day in `tz`.
    pub fn compute<'a>(
        orders: impl IntoIterator<Item = &'a OrderSummary>,
        carriers: &[CarrierHealth],
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
        settings: &BoardSettings,
    ) -> Board {
        let t = &settings.thresholds;
        let midnight = local_midnight(now, tz);
        let index: HashMap<&str, usize> = carriers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let mut rows: Vec<CarrierRow> = carriers
            .iter()
            .map(|c| CarrierRow {
                name: c.name.clone(),
                kind: c.kind,
                stages: [0; 5],
                open: 0,
                attention: 0,
                breaches: 0,
                oldest_open: None,
                oldest_attention: None,
                ageing: [0; AGE_BUCKETS.len()],
                unknown_age: 0,
                health: c.health.clone(),
                data_age: c.data_at.map(|at| (now - at).max(Duration::zero())),
                attention_level: Level::Ok,
                breach_level: Level::Ok,
                oldest_open_level: Level::Ok,
                oldest_attention_level: Level::Ok,
            })
            .collect();
        let (mut new_today, mut done_today) = (0u64, 0u64);
        let mut attention = Vec::new();
        for order in orders {
            let Some(&i) = index.get(&*order.key.carrier) else {
                continue;
            };
            let row = &mut rows[i];
            let stage = order.status.stage;
            let stage_at = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
            row.stages[stage_at] += 1;
            let created_age = order.created.map(|c| (now - c).max(Duration::zero()));
            if order.created.is_some_and(|c| c >= midnight) {
                new_today += 1;
            }
            if stage == Stage::Done && order.updated.is_some_and(|u| u >= midnight) {
                done_today += 1;
            }
            if !stage.is_open() {
                continue;
            }
            row.open += 1;
            match created_age {
                Some(age) => {
                    row.ageing[age_bucket(age)] += 1;
                    row.oldest_open = row.oldest_open.max(Some(age));
                }
                None => row.unknown_age += 1,
            }
            let idle = order
                .updated
                .or(order.created)
                .map(|u| (now - u).max(Duration::zero()));
            let needs = order.needs_attention();
            if settings.service.breached(stage, needs, created_age, idle) {
                row.breaches += 1;
            }
            if needs {
                row.attention += 1;
                row.oldest_attention = row.oldest_attention.max(idle);
                attention.push(AttentionItem {
                    key: order.key.clone(),
                    reason: reason(order),
                    age: idle,
                    customer: order.customer.to_string(),
                    level: t.oldest_attention.level_of(idle),
                });
            }
        }
        for row in &mut rows {
            row.attention_level = t.attention.level(row.attention);
            row.breach_level = t.breaching.level(row.breaches);
            row.oldest_open_level = t.oldest_open.level_of(row.oldest_open);
            row.oldest_attention_level = t.oldest_attention.level_of(row.oldest_attention);
        }
        // Oldest first; unknown ages last; then by key, so the list is stable.
        attention.sort_by(|a, b| {
            b.age
                .is_some()
                .cmp(&a.age.is_some())
                .then(b.age.cmp(&a.age))
                .then_with(|| a.key.cmp(&b.key))
        });
        attention.truncate(ATTENTION_ITEMS);
        let sum = |f: fn(&CarrierRow) -> u64| rows.iter().map(f).sum::<u64>();
        let (open, needs, breaching) = (sum(|r| r.open), sum(|r| r.attention), sum(|r| r.breaches));
        let tile = |kind, value, level| Tile { kind, value, level };
        let tiles = [
            tile(TileKind::Open, open, t.open.level(open)),
            tile(TileKind::Attention, needs, t.attention.level(needs)),
            tile(TileKind::Breaching, breaching, t.breaching.level(breaching)),
            tile(TileKind::NewToday, new_today, t.new_today.level(new_today)),
            tile(TileKind::DoneToday, done_today, Level::Ok),
        ];
        Board {
            at: now,
            data_at: carriers.iter().filter_map(|c| c.data_at).min(),
            no_data: carriers
                .iter()
                .filter(|c| c.data_at.is_none())
                .map(|c| c.name.clone())
                .collect(),
            tiles,
            carriers: rows,
            attention,
            trend: None,
        }
    }

    pub fn tile(&self, kind: TileKind) -> &Tile {
        &self.tiles[TileKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)]
    }

    /// Open orders per age bucket over every carrier.
    pub fn ageing_total(&self) -> [u64; 6] {
        let mut out = [0; 6];
        for row in &self.carriers {
            for (o, n) in out.iter_mut().zip(row.ageing) {
                *o += n;
            }
        }
        out
    }
}

/// The start of `now`'s local day in `tz`, as UTC (a day that starts in a
/// DST gap starts at the first instant that exists).
fn local_midnight(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let day = now.with_timezone(&tz).date_naive();
    let start = day.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&start)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(start + Duration::hours(1)))
                .earliest()
        })
        .map_or(now - Duration::days(1), |t| t.with_timezone(&Utc))
}

fn reason(order: &OrderSummary) -> String {
    match &order.fetch_error {
        Some(error) => format!("could not be read: {error}"),
        None if order.status.stage == Stage::NeedsAttention => order.status.raw.clone(),
        None => format!("{}, alert/warning", order.status.raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Order, Stamp, Status};

    fn now() -> DateTime<Utc> {
        // 12:00 in Stockholm (UTC+1 in February).
        Utc.with_ymd_and_hms(2026, 2, 10, 11, 0, 0).unwrap()
    }

    fn order(
        carrier: &str,
        id: &str,
        stage: Stage,
        created_ago: Option<Duration>,
        updated_ago: Option<Duration>,
    ) -> OrderSummary {
        let mut o = Order::new(
            OrderKey::new(carrier, id),
            "tjansteguiden",
            Status::new(stage.as_str(), stage, !stage.is_open()),
        );
        if let Some(ago) = created_ago {
            o.created = Stamp::parsed(now() - ago);
        }
        if let Some(ago) = updated_ago {
            o.updated = Some(Stamp::parsed(now() - ago));
        }
        o.customer = format!("Customer {id}");
        OrderSummary::of(&o)
    }

    fn carriers() -> Vec<CarrierHealth> {
        vec![
            CarrierHealth {
                name: "tg".into(),
                kind: "tjansteguiden",
                health: Health::Ok,
                data_at: Some(now() - Duration::minutes(2)),
            },
            CarrierHealth {
                name: "px".into(),
                kind: "lumen-px",
                health: Health::Error("503".into()),
                data_at: Some(now() - Duration::hours(1)),
            },
        ]
    }

    fn compute(orders: &[OrderSummary], settings: &BoardSettings) -> Board {
        Board::compute(
            orders,
            &carriers(),
            now(),
            chrono_tz::Europe::Stockholm,
            settings,
        )
    }

    #[test]
    fn tiles_rows_and_buckets() {
        let h = Duration::hours;
        let d = Duration::days;
        let orders = vec![
            order(
                "tg",
                "1",
                Stage::New,
                Some(h(1) - Duration::seconds(1)),
                None,
            ),
            order("tg", "2", Stage::New, Some(h(5)), None), // breaches: new > 4h
            order("tg", "3", Stage::InProgress, Some(d(3)), Some(h(2))),
            order("tg", "4", Stage::NeedsAttention, Some(d(40)), Some(d(2))), // breaches
            order("tg", "5", Stage::Done, Some(d(2)), Some(h(3))), // done today (08:00 local)
            order("tg", "6", Stage::Done, Some(d(2)), Some(h(13))), // done yesterday
            order("px", "7", Stage::NeedsAttention, None, Some(h(6))),
            order("px", "8", Stage::Closed, Some(h(2)), None),
            order("other", "9", Stage::New, Some(h(1)), None), // not configured
        ];
        let b = compute(&orders, &BoardSettings::default());
        assert_eq!(b.tile(TileKind::Open).value, 5);
        assert_eq!(b.tile(TileKind::Attention).value, 2);
        assert_eq!(b.tile(TileKind::Breaching).value, 2);
        // Created at or after local midnight (23:00 UTC the day before).
        assert_eq!(b.tile(TileKind::NewToday).value, 3);
        assert_eq!(b.tile(TileKind::DoneToday).value, 1);
        assert_eq!(b.tile(TileKind::Breaching).level, Level::Amber);
        assert_eq!(b.tile(TileKind::Open).caption(), "5 open");
        assert_eq!(b.tile(TileKind::Breaching).caption(), "2 breaching ! AMBER");

        let tg = &b.carriers[0];
        assert_eq!(tg.stages, [2, 1, 1, 2, 0]);
        assert_eq!(tg.ageing, [1, 1, 0, 1, 0, 1]);
        assert_eq!(tg.oldest_open, Some(d(40)));
        assert_eq!(tg.oldest_attention, Some(d(2)));
        assert_eq!(tg.oldest_attention_level, Level::Red);
        assert_eq!(tg.breaches, 2);
        assert_eq!(tg.data_age, Some(Duration::minutes(2)));
        let px = &b.carriers[1];
        assert_eq!(px.unknown_age, 1);
        assert_eq!(px.ageing, [0; 6]);
        assert_eq!(px.oldest_attention, Some(h(6)));
        assert_eq!(px.oldest_attention_level, Level::Amber);
        assert!(px.health.is_trouble());
        assert_eq!(b.ageing_total(), [1, 1, 0, 1, 0, 1]);
        assert_eq!(b.data_at, Some(now() - h(1)));

        let keys: Vec<String> = b.attention.iter().map(|a| a.key.to_string()).collect();
        assert_eq!(keys, ["tg/4", "px/7"]);
        assert_eq!(b.attention[0].customer, "Customer 4");
        assert_eq!(b.attention[0].reason, "needs_attention");
    }

    #[test]
    fn thresholds_from_settings_cross_at_their_value() {
        let mut settings = BoardSettings::default();
        settings.thresholds.open.amber = Some(2);
        settings.thresholds.open.red = Some(3);
        let h = Duration::hours;
        let mut orders = vec![order("tg", "1", Stage::New, Some(h(1)), None)];
        assert_eq!(compute(&orders, &settings).tiles[0].level, Level::Ok);
        orders.push(order("tg", "2", Stage::New, Some(h(1)), None));
        assert_eq!(compute(&orders, &settings).tiles[0].level, Level::Amber);
        orders.push(order("tg", "3", Stage::New, Some(h(1)), None));
        let b = compute(&orders, &settings);
        assert_eq!(b.tiles[0].level, Level::Red);
        assert_eq!(b.tiles[0].caption(), "3 open !! RED");
        // The service level moves with the setting.
        settings.service.new_within = Duration::minutes(30);
        assert_eq!(
            compute(&orders, &settings).tile(TileKind::Breaching).value,
            3
        );
    }

    #[test]
    fn today_follows_the_display_zone() {
        // 23:30 UTC on the 9th is 00:30 on the 10th in Stockholm.
        let o = order(
            "tg",
            "1",
            Stage::New,
            Some(Duration::hours(11) + Duration::minutes(30)),
            None,
        );
        let b = compute(std::slice::from_ref(&o), &BoardSettings::default());
        assert_eq!(b.tile(TileKind::NewToday).value, 1);
        let utc = Board::compute(
            [&o],
            &carriers(),
            now(),
            chrono_tz::UTC,
            &BoardSettings::default(),
        );
        assert_eq!(utc.tile(TileKind::NewToday).value, 0);
    }

    #[test]
    fn a_carrier_never_synced_is_named_and_left_out_of_the_data_time() {
        let mut c = carriers();
        c[1].data_at = None;
        c[1].health = Health::Never;
        let b = Board::compute(
            std::iter::empty(),
            &c,
            now(),
            chrono_tz::UTC,
            &BoardSettings::default(),
        );
        assert_eq!(b.data_at, Some(now() - Duration::minutes(2)));
        assert_eq!(b.no_data, ["px"]);
        assert_eq!(b.carriers[1].data_age, None);
        c[0].data_at = None;
        let b = Board::compute(
            std::iter::empty(),
            &c,
            now(),
            chrono_tz::UTC,
            &BoardSettings::default(),
        );
        assert_eq!(b.data_at, None);
        assert_eq!(b.no_data, ["tg", "px"]);
        assert!(b.attention.is_empty());
    }
}
