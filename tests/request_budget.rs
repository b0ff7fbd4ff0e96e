//! The request budget against the simulators, with an injected clock: an
//! idle hour of polls over a large backlog of open orders costs the list
//! calls plus at most the background budget, a status change is read in the
//! very next poll, and a manual re-read always goes. Requests are counted by
//! the simulators.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use orderdesk::carriers::budget::Clock;
use orderdesk::carriers::lumen_voice::{self, VoiceConfig};
use orderdesk::carriers::tjansteguiden::{
    self, DEFAULT_MAX_REQUESTS_PER_MINUTE, TgConfig, order_from_row, parse_orders, xml,
};
use orderdesk::carriers::{CarrierHandle, PollSummary, SyncEvent, SyncSink};
use orderdesk::config::{CarrierConfig, Config};
use orderdesk::domain::{ActionKind, ActionRequest, Order, OrderSummary};
use orderdesk::sim::RunningSim;
use orderdesk::sim::lumen_voice::{PathKind, VoiceSim, VoiceSimOptions};
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use tokio::sync::mpsc;

/// A clock the test moves by hand (whole seconds).
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn starting(at: DateTime<Utc>) -> TestClock {
        TestClock(Arc::new(AtomicI64::new(at.timestamp())))
    }

    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs() as i64, Ordering::SeqCst);
    }

    fn clock(&self) -> Clock {
        let secs = self.0.clone();
        Arc::new(move || {
            Utc.timestamp_opt(secs.load(Ordering::SeqCst), 0)
                .single()
                .unwrap_or_else(Utc::now)
        })
    }
}

async fn tg_sim(orders: usize) -> (TgSim, RunningSim) {
    TgSim::spawn(
        SimOptions {
            orders,
            seed: 5,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts")
}

fn tg_handle(running: &RunningSim, clock: &TestClock) -> CarrierHandle {
    let mut c = CarrierConfig::new("tg", "tjansteguiden", &TgSim::endpoint(&running.origin()));
    c.settings_mut::<TgConfig>().api_user = Some("1234".into());
    c.max_concurrency = 16;
    c.timeout = Duration::from_secs(30);
    tjansteguiden::build_with_clock(&Config::empty(), &c, false, clock.clock()).expect("builds")
}

/// One poll: its summary and the orders it reported.
async fn poll(
    h: &CarrierHandle,
    cursor: Option<String>,
) -> (PollSummary, Option<String>, Vec<Order>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sink = SyncSink::new(h.name.clone(), tx);
    let result = h.reader.poll(cursor, &sink).await;
    drop(sink);
    let mut orders = Vec::new();
    while let Some(e) = rx.recv().await {
        if let SyncEvent::Orders { orders: batch, .. } = e {
            orders.extend(batch);
        }
    }
    let (summary, cursor) = result.expect("poll succeeds");
    (summary, cursor, orders)
}

/// Every order of the simulator as its list row shows it, as if read in
/// full at `read_at` (what a first sync leaves in the reader's memory).
async fn listed_orders(running: &RunningSim, read_at: DateTime<Utc>) -> Vec<Order> {
    let url = format!(
        "{}?method=orders&api_user=1234&date=2000-01-01",
        TgSim::endpoint(&running.origin())
    );
    let body = reqwest::get(url)
        .await
        .expect("list answers")
        .bytes()
        .await
        .expect("list body");
    let root = xml::parse(&body).expect("list parses");
    let tg: Arc<str> = Arc::from("tg");
    parse_orders(&root)
        .iter()
        .map(|row| {
            let mut o = order_from_row(&tg, chrono_tz::Europe::Stockholm, row);
            o.detail_loaded = true;
            o.read_at = Some(read_at);
            o
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_hour_over_20k_open_tg_orders_costs_the_lists_plus_the_budget() {
    // The simulator's data: about three fifths of its orders are open.
    let (sim, running) = tg_sim(32_000).await;
    let open_ids: BTreeSet<String> = sim
        .order_ids()
        .into_iter()
        .filter(|id| {
            !matches!(
                sim.status_of(id).as_deref(),
                Some("delivered" | "cancelled")
            )
        })
        .collect();
    assert!(open_ids.len() >= 20_000, "{} open orders", open_ids.len());

    let clock = TestClock::starting(Utc::now());
    let h = tg_handle(&running, &clock);
    // After the first sync (not the idle cost, and slow to repeat here): the
    // reader knows every order, read a moment ago.
    let cached = listed_orders(&running, clock.clock()()).await;
    assert_eq!(cached.len(), 32_000);
    h.reader
        .prime(&cached.iter().map(OrderSummary::of).collect::<Vec<_>>());
    let mut cursor = None;

    let interval = Duration::from_secs(60);
    let budget = DEFAULT_MAX_REQUESTS_PER_MINUTE as usize;
    let (lists, infos) = (sim.requests("orders"), sim.requests("order_info"));
    let mut reread: Vec<String> = Vec::new();
    for minute in 1..=60 {
        clock.advance(interval);
        let (_, next, orders) = poll(&h, cursor.take()).await;
        cursor = next;
        reread.extend(orders.iter().map(|o| o.key.id.clone()));
        let spent = sim.requests("order_info") - infos;
        assert!(
            spent <= budget * minute,
            "minute {minute}: {spent} order_info requests, budget {budget}/min"
        );
        assert!(orders.iter().all(|o| open_ids.contains(&o.key.id)));
    }
    let lists = sim.requests("orders") - lists;
    let infos = sim.requests("order_info") - infos;
    assert_eq!(lists, 60, "one list per poll");
    assert!(infos <= 60 * budget, "{infos} background reads in the hour");
    // The rotation does run (attention orders come round every ten minutes),
    // and no order is read twice in the hour unless it needs attention.
    assert!(
        infos >= 30 * budget,
        "only {infos} background reads in the hour"
    );
    let total = lists + infos;
    assert!(
        total / 60 < 100,
        "{total} requests in an hour: {} a minute",
        total / 60
    );
}

#[tokio::test]
async fn a_status_change_shows_in_the_next_poll_and_a_manual_reread_always_goes() {
    let (sim, running) = tg_sim(400).await;
    let clock = TestClock::starting(Utc::now());
    let h = tg_handle(&running, &clock);
    let (_, cursor, first) = poll(&h, None).await;
    // Spend the whole budget's minute first: background reads are refused,
    // a changed order and a manual re-read are not.
    clock.advance(Duration::from_secs(3600));
    let (_, cursor, _) = poll(&h, cursor).await;
    let oldest = first
        .iter()
        .filter(|o| o.detail_loaded && !o.status.terminal)
        .min_by_key(|o| o.created.raw.clone())
        .expect("an open order")
        .clone();
    let status = if oldest.status.raw == "waiting" {
        "active"
    } else {
        "waiting"
    };
    let writer = h.writer.as_ref().expect("read-write");
    let request = ActionRequest {
        action: ActionKind::SetStatus,
        params: vec![("status".into(), status.into())],
        summary: "test".into(),
        preview: None,
    };
    writer.execute(&oldest, &request).await.expect("status set");

    let infos = sim.requests("order_info");
    let (_, _, changed) = poll(&h, cursor).await;
    assert_eq!(
        sim.requests("order_info") - infos,
        1,
        "the changed order only"
    );
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].key.id, oldest.key.id);
    assert_eq!(changed[0].status.raw, status);
    assert_eq!(
        changed[0].read_at,
        Some(clock.clock()()),
        "freshness is kept"
    );

    let infos = sim.requests("order_info");
    for _ in 0..3 {
        h.reader.fetch_order(&oldest.key.id).await.expect("re-read");
    }
    assert_eq!(
        sim.requests("order_info") - infos,
        3,
        "manual re-reads never wait"
    );
}

#[tokio::test]
async fn an_idle_hour_of_voice_polls_keeps_notification_rereads_within_the_budget() {
    let (sim, running) = VoiceSim::spawn(
        VoiceSimOptions {
            orders: 3_000,
            seed: 3,
            ..VoiceSimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let open: BTreeSet<String> = sim
        .orders()
        .into_iter()
        .filter(|o| {
            matches!(
                o.status.as_str(),
                "created" | "in progress" | "pending credit check"
            )
        })
        .map(|o| o.voice_order_id)
        .collect();
    assert!(open.len() > 1_000, "{} open orders", open.len());
    let mut config = sim.carrier_config("voice", &running.origin());
    config.settings_mut::<VoiceConfig>().page_size = Some(1000);
    let clock = TestClock::starting(Utc::now());
    let h = lumen_voice::build_with_clock(&Config::empty(), &config, false, clock.clock())
        .expect("builds");
    let (_, mut cursor, first) = poll(&h, None).await;
    assert_eq!(first.len(), 3_000);

    let budget = lumen_voice::DEFAULT_MAX_REQUESTS_PER_MINUTE as usize;
    let (lists, reads) = (
        sim.requests(PathKind::OrderStatus),
        sim.requests(PathKind::Notifications),
    );
    let mut before = reads;
    for minute in 1..=60 {
        clock.advance(Duration::from_secs(60));
        let (_, next, _) = poll(&h, cursor.take()).await;
        cursor = next;
        let now = sim.requests(PathKind::Notifications);
        assert!(
            now - reads <= budget * minute,
            "minute {minute}: {} reads",
            now - reads
        );
        if minute == 60 {
            // Every open order was read an hour ago: all are due at once,
            // and the budget holds them to one minute's worth.
            assert_eq!(now - before, budget, "minute 60");
        }
        before = now;
    }
    assert_eq!(
        sim.requests(PathKind::OrderStatus) - lists,
        60 * 3,
        "3 pages a poll"
    );
    let spent = sim.requests(PathKind::Notifications) - reads;
    // Attention orders came round every ten minutes meanwhile.
    assert!(
        spent > budget,
        "{spent} reads for {} open orders",
        open.len()
    );
    assert!(spent <= 60 * budget, "{spent} reads");
}
