//! Incremental Tjänsteguiden polls against the simulator on loopback: the
//! "since the last check" cursor (a local date, one day of overlap), a
//! restart with a primed reader, refreshing non-terminal orders until they
//! are terminal (also outside the list window), orders that disappear, and
//! cursors or cached orders that must be ignored. Requests are counted by
//! the simulator.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use orderdesk::carriers::tjansteguiden::TgConfig;
use orderdesk::carriers::{CarrierError, CarrierHandle, PollSummary, SyncEvent, SyncSink};
use orderdesk::config::{CarrierConfig, Config};
use orderdesk::domain::{ActionKind, ActionRequest, Order, OrderSummary};
use orderdesk::registry;
use orderdesk::sim::RunningSim;
use orderdesk::sim::tjansteguiden::{OrderFault, SimOptions, TgSim};
use tokio::sync::mpsc;

async fn start(orders: usize) -> (TgSim, RunningSim) {
    TgSim::spawn(
        SimOptions {
            orders,
            seed: 7,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts")
}

fn handle_named(sim: &RunningSim, name: &str) -> CarrierHandle {
    let mut c = CarrierConfig::new(name, "tjansteguiden", &TgSim::endpoint(&sim.origin()));
    c.settings_mut::<TgConfig>().api_user = Some("1234".into());
    c.max_concurrency = 4;
    c.timeout = Duration::from_secs(10);
    registry::build(&Config::empty(), &c, false).expect("builds")
}

fn handle(sim: &RunningSim) -> CarrierHandle {
    handle_named(sim, "tg")
}

/// Today in the carrier's zone (the simulator and the config default).
fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn days_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).expect("a valid date")
}

struct Polled {
    summary: PollSummary,
    cursor: Option<String>,
    events: Vec<SyncEvent>,
}

impl Polled {
    /// The last version of each order the events carried.
    fn latest(&self) -> HashMap<String, Order> {
        let mut out = HashMap::new();
        for e in &self.events {
            if let SyncEvent::Orders { orders, .. } = e {
                for o in orders {
                    out.insert(o.key.id.clone(), o.clone());
                }
            }
        }
        out
    }

    fn emitted_ids(&self) -> BTreeSet<String> {
        self.latest().into_keys().collect()
    }

    fn preliminary(&self) -> usize {
        self.events
            .iter()
            .map(|e| match e {
                SyncEvent::Orders { orders, .. } => {
                    orders.iter().filter(|o| !o.detail_loaded).count()
                }
                _ => 0,
            })
            .sum()
    }

    fn progress(&self) -> Vec<(usize, usize)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                SyncEvent::Progress { done, total, .. } => Some((*done, *total)),
                _ => None,
            })
            .collect()
    }

    fn failed(&self) -> Vec<(String, &'static str)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                SyncEvent::OrderFailed { key, error } => Some((key.id.clone(), error.category())),
                _ => None,
            })
            .collect()
    }
}

async fn poll(h: &CarrierHandle, cursor: Option<&str>) -> Polled {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sink = SyncSink::new(h.name.clone(), tx);
    let result: Result<_, CarrierError> = h.reader.poll(cursor.map(str::to_owned), &sink).await;
    drop(sink);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    let (summary, cursor) = result.expect("poll succeeds");
    Polled {
        summary,
        cursor,
        events,
    }
}

/// Sets an order's status through the portal (a writer, as KO or TL would).
async fn set_status(h: &CarrierHandle, order: &Order, status: &str) {
    let request = ActionRequest {
        action: ActionKind::SetStatus,
        params: vec![("status".to_owned(), status.to_owned())],
        summary: "test".into(),
        preview: None,
    };
    let writer = h.writer.as_ref().expect("read-write handle");
    writer.execute(order, &request).await.expect("status set");
}

/// Orders as the cache gives them back: the cache keeps no read time, so
/// the rotation sees them as never read.
fn as_cached(orders: impl IntoIterator<Item = Order>) -> Vec<Order> {
    orders
        .into_iter()
        .map(|mut o| {
            o.read_at = None;
            o
        })
        .collect()
}

/// The local creation date of the oldest open order.
fn oldest_open(orders: &HashMap<String, Order>) -> NaiveDate {
    orders
        .values()
        .filter(|o| !o.status.terminal)
        .filter_map(|o| NaiveDate::parse_from_str(o.created.raw.get(..10)?, "%Y-%m-%d").ok())
        .min()
        .expect("an open order with a date")
}

fn non_terminal(orders: &HashMap<String, Order>) -> BTreeSet<String> {
    orders
        .values()
        .filter(|o| !o.status.terminal)
        .map(|o| o.key.id.clone())
        .collect()
}

/// Whether the order was created before `date` (outside a list from `date`).
fn before(order: &Order, date: NaiveDate) -> bool {
    order
        .created
        .raw
        .get(..10)
        .is_some_and(|d| d < day(date).as_str())
}

#[tokio::test]
async fn first_poll_reads_everything_and_returns_todays_date() {
    let (sim, running) = start(60).await;
    let h = handle(&running);
    let before_poll = today();
    let first = poll(&h, None).await;
    let after_poll = today();

    assert_eq!(sim.requests("orders"), 1);
    assert_eq!(sim.requests("order_info"), 60);
    assert_eq!(
        (
            first.summary.listed,
            first.summary.fetched,
            first.summary.failed
        ),
        (60, 60, 0)
    );
    let cursor = first.cursor.clone().expect("a cursor");
    assert!(
        cursor == day(before_poll) || cursor == day(after_poll),
        "cursor {cursor} is the day the check ran"
    );
    // No cursor and no `since`: 30 days back.
    if before_poll == after_poll {
        assert_eq!(
            sim.last_param("orders", "date"),
            Some(day(days_before(before_poll, 30)))
        );
    }
    assert_eq!(first.preliminary(), 60, "rows first, as before");
    assert_eq!(first.progress().last(), Some(&(60, 60)));
}

#[tokio::test]
async fn restart_with_cursor_and_primed_reader_rereads_only_non_terminal_orders() {
    let (sim, running) = start(80).await;
    let first = poll(&handle(&running), None).await;
    let cursor = first.cursor.clone().expect("a cursor");
    let cached = as_cached(first.latest().into_values());
    let open = non_terminal(&first.latest());
    let terminal = 80 - open.len();
    assert!(terminal > 0 && !open.is_empty(), "seeded data has both");

    // Restart: a fresh reader, primed with the cache, given the stored cursor.
    let h = handle(&running);
    h.reader.prime(&summaries(&cached));
    let second = poll(&h, Some(&cursor)).await;

    assert_eq!(sim.requests("orders"), 2);
    assert_eq!(sim.requests("order_info") - 80, open.len());
    let cursor_date = NaiveDate::parse_from_str(&cursor, "%Y-%m-%d").expect("a date");
    let oldest = oldest_open(&first.latest());
    assert!(
        oldest < days_before(cursor_date, 1),
        "seeded data has old open orders"
    );
    assert_eq!(
        sim.last_param("orders", "date"),
        Some(day(oldest)),
        "the list reaches back to the oldest open order, so it shows every open one"
    );
    assert_eq!(
        second.emitted_ids(),
        open,
        "exactly the non-terminal orders (never read as far as the rotation knows)"
    );
    assert_eq!(second.preliminary(), 0, "no bare rows over cached orders");
    assert_eq!(second.summary.fetched, open.len());
    let listable = first
        .latest()
        .values()
        .filter(|o| !before(o, oldest))
        .count();
    assert_eq!(second.summary.listed, listable, "the list is a window");
    assert_eq!(second.progress().first(), Some(&(0, open.len())));
    assert_eq!(second.progress().last(), Some(&(open.len(), open.len())));
}

#[tokio::test]
async fn status_changes_show_up_and_delivered_orders_are_read_once_more() {
    let (sim, running) = start(80).await;
    let h = handle(&running);
    let first = poll(&h, None).await;
    let cursor = first.cursor.clone().expect("a cursor");
    let orders = first.latest();
    let list_from = days_before(
        NaiveDate::parse_from_str(&cursor, "%Y-%m-%d").expect("a date"),
        1,
    );
    let mut open: Vec<&Order> = orders.values().filter(|o| !o.status.terminal).collect();
    open.sort_by_key(|o| o.key.id.clone());
    let changed = open[0];
    let finished = open[1];
    let new_status = if changed.status.raw == "waiting" {
        "active"
    } else {
        "waiting"
    };
    // A terminal order inside the list window that the portal reopens.
    let reopened = orders
        .values()
        .find(|o| o.status.terminal && !before(o, list_from))
        .expect("a recent terminal order");

    set_status(&h, changed, new_status).await;
    set_status(&h, finished, "delivered").await;
    set_status(&h, reopened, "active").await;

    let restarted = handle(&running);
    restarted
        .reader
        .prime(&summaries(&as_cached(orders.values().cloned())));
    let reads = sim.requests("order_info");
    let second = poll(&restarted, Some(&cursor)).await;
    let emitted = second.latest();
    assert_eq!(emitted[&changed.key.id].status.raw, new_status);
    assert_eq!(emitted[&finished.key.id].status.raw, "delivered");
    assert_eq!(emitted[&reopened.key.id].status.raw, "active");
    let expected_reads = open.len() + 1; // the open ones + the reopened one
    assert_eq!(sim.requests("order_info") - reads, expected_reads);

    // Next poll: nothing changed and everything open was just read, so
    // nothing is read (the rotation comes back to them within the hour).
    let reads = sim.requests("order_info");
    let third = poll(&restarted, second.cursor.as_deref()).await;
    assert!(third.emitted_ids().is_empty());
    assert_eq!(sim.requests("order_info") - reads, 0);

    // A status change, of an old order too, is read in the very next poll,
    // and only that order is.
    let oldest = open
        .iter()
        .filter(|o| o.key.id != changed.key.id && o.key.id != finished.key.id)
        .min_by_key(|o| o.created.raw.clone())
        .expect("another open order");
    assert!(before(oldest, list_from), "older than the cursor's window");
    let status = if oldest.status.raw == "active" {
        "received"
    } else {
        "active"
    };
    set_status(&h, oldest, status).await;
    let reads = sim.requests("order_info");
    let fourth = poll(&restarted, third.cursor.as_deref()).await;
    assert_eq!(
        fourth.emitted_ids(),
        BTreeSet::from([oldest.key.id.clone()])
    );
    assert_eq!(fourth.latest()[&oldest.key.id].status.raw, status);
    assert_eq!(sim.requests("order_info") - reads, 1);
    let now_open: BTreeSet<String> = sim
        .order_ids()
        .into_iter()
        .filter(|id| {
            !matches!(
                sim.status_of(id).as_deref(),
                Some("delivered" | "cancelled")
            )
        })
        .collect();
    assert!(now_open.contains(&reopened.key.id));
    assert!(!now_open.contains(&finished.key.id));
}

#[tokio::test]
async fn a_primed_open_order_older_than_the_window_is_listed_and_its_change_read() {
    let (sim, running) = start(80).await;
    let h = handle(&running);
    let first = poll(&h, None).await;
    let cursor = first.cursor.clone().expect("a cursor");
    let list_from = days_before(
        NaiveDate::parse_from_str(&cursor, "%Y-%m-%d").expect("a date"),
        1,
    );
    let orders = first.latest();
    let old = orders
        .values()
        .filter(|o| !o.status.terminal && before(o, list_from))
        .min_by_key(|o| o.key.id.clone())
        .expect("an old open order")
        .clone();
    let status = if old.status.raw == "active" {
        "received"
    } else {
        "active"
    };
    set_status(&h, &old, status).await;

    // Primed with that one order only (just read, so not due for the
    // rotation): the list reaches back to it and shows its new status.
    let restarted = handle(&running);
    restarted.reader.prime(&[OrderSummary::of(&old)]);
    let reads = sim.requests("order_info");
    let second = poll(&restarted, Some(&cursor)).await;
    let listed = second.summary.listed;
    assert_eq!(
        sim.last_param("orders", "date").as_deref(),
        old.created.raw.get(..10)
    );
    assert_eq!(sim.requests("order_info") - reads, listed);
    assert_eq!(
        second.preliminary(),
        listed - 1,
        "rows only for the ones new to the reader"
    );
    let emitted = second.latest();
    assert_eq!(emitted.len(), listed);
    let refreshed = &emitted[&old.key.id];
    assert!(refreshed.detail_loaded);
    assert_eq!(refreshed.status.raw, status);
    assert_eq!(
        refreshed.log.last().map(|e| e.text.clone()),
        Some(format!(
            "Status changed to {status} for order {}",
            old.key.id
        ))
    );
}

#[tokio::test]
async fn unparsable_cursors_mean_no_cursor_and_readable_ones_are_read_as_dates() {
    let (sim, running) = start(30).await;
    // A fresh reader each time: one that knows open orders lists from the
    // oldest of them whatever the cursor says.
    let cases = [
        "garbage",
        "",
        "2026-13-45",
        "{\"v\":1}",
        "2026-11-23x",
        "Ö2026-11-23",
    ];
    for cursor in cases {
        let t = today();
        let polled = poll(&handle(&running), Some(cursor)).await;
        if t == today() {
            assert_eq!(
                sim.last_param("orders", "date"),
                Some(day(days_before(t, 30))),
                "cursor {cursor:?} is ignored"
            );
            assert_eq!(polled.cursor, Some(day(t)));
        }
    }
    // A date with a time after it is read as the date.
    poll(&handle(&running), Some("2026-01-10T08:00:00Z")).await;
    assert_eq!(
        sim.last_param("orders", "date").as_deref(),
        Some("2026-01-09")
    );
    poll(&handle(&running), Some(" 2026-01-10 08:00 ")).await;
    assert_eq!(
        sim.last_param("orders", "date").as_deref(),
        Some("2026-01-09")
    );
    // A cursor in the future is read as today.
    let t = today();
    poll(&handle(&running), Some("2999-01-01")).await;
    if t == today() {
        assert_eq!(
            sim.last_param("orders", "date"),
            Some(day(days_before(t, 1)))
        );
    }
}

#[tokio::test]
async fn cached_orders_of_another_carrier_instance_are_ignored() {
    let (sim, running) = start(40).await;
    let first = poll(&handle_named(&running, "tg-other"), None).await;
    let cursor = first.cursor.clone().expect("a cursor");
    let foreign: Vec<Order> = first.latest().into_values().collect();
    assert!(foreign.iter().all(|o| &*o.key.carrier == "tg-other"));

    let h = handle(&running);
    h.reader.prime(&summaries(&foreign));
    let reads = sim.requests("order_info");
    let second = poll(&h, Some(&cursor)).await;
    let listed = second.summary.listed;
    assert!(listed < 40, "the cursor limits the list");
    // Nothing known: every listed order is new (a row, then a read) and no
    // order outside the window is read.
    assert_eq!(sim.requests("order_info") - reads, listed);
    assert_eq!(second.preliminary(), listed);
    assert!(second.latest().values().all(|o| &*o.key.carrier == "tg"));
}

#[tokio::test]
async fn an_order_gone_from_the_portal_is_reported_once_and_dropped() {
    let (sim, running) = start(20).await;
    let first = poll(&handle(&running), None).await;
    let cursor = first.cursor.clone().expect("a cursor");
    let mut cached = as_cached(first.latest().into_values());
    let open = non_terminal(&first.latest()).len();
    let mut ghost = cached
        .iter()
        .find(|o| !o.status.terminal)
        .expect("an open order")
        .clone();
    ghost.key.id = "88888888".into();
    cached.push(ghost);

    let h = handle(&running);
    h.reader.prime(&summaries(&cached));
    let reads = sim.requests("order_info");
    let second = poll(&h, Some(&cursor)).await;
    assert_eq!(sim.requests("order_info") - reads, open + 1);
    assert_eq!(second.failed(), vec![("88888888".to_owned(), "not-found")]);
    assert_eq!(second.summary.failed, 1);

    let reads = sim.requests("order_info");
    let third = poll(&h, second.cursor.as_deref()).await;
    assert_eq!(
        sim.requests("order_info") - reads,
        0,
        "not asked again; the open ones were just read"
    );
    assert!(third.failed().is_empty());
}

#[tokio::test]
async fn an_order_that_failed_to_load_is_read_again_without_a_new_row() {
    let (sim, running) = start(40).await;
    let h = handle(&running);
    let ids = sim.order_ids();
    // The oldest terminal order: outside the window of the next poll.
    let victim = ids
        .iter()
        .find(|id| {
            matches!(
                sim.status_of(id).as_deref(),
                Some("delivered" | "cancelled")
            )
        })
        .expect("a terminal order")
        .clone();
    sim.set_order_fault(&victim, Some(OrderFault::ServerError));
    let first = poll(&h, None).await;
    assert_eq!(first.failed(), vec![(victim.clone(), "unavailable")]);
    assert!(!first.latest()[&victim].detail_loaded);
    let cursor = first.cursor.clone().expect("a cursor");
    let list_from = days_before(
        NaiveDate::parse_from_str(&cursor, "%Y-%m-%d").expect("a date"),
        1,
    );
    assert!(
        before(&first.latest()[&victim], list_from),
        "outside the window"
    );

    sim.set_order_fault(&victim, None);
    let second = poll(&h, Some(&cursor)).await;
    let emitted = second.latest();
    assert!(emitted[&victim].detail_loaded, "read again");
    assert_eq!(second.preliminary(), 0);
    assert!(second.failed().is_empty());

    // Loaded and terminal now: not read a third time.
    let third = poll(&h, second.cursor.as_deref()).await;
    assert!(!third.emitted_ids().contains(&victim));
}

/// The cache's summaries of `orders`, as the console primes a reader.
fn summaries(orders: &[Order]) -> Vec<OrderSummary> {
    orders.iter().map(OrderSummary::of).collect()
}
