//! The order cache, sync state, notes and flags: what goes in comes out.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use orderdesk::domain::{
    Attention, LogEntry, LogKind, Order, OrderKey, OrderSummary, Schedule, Stage, Stamp, Status,
};
use orderdesk::store::{Flag, SqliteStore, local_log_entries};

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, h, m, 0).unwrap()
}

/// An order with every field set, including the awkward ones.
fn full_order(id: &str) -> Order {
    let mut o = Order::new(
        OrderKey::new("tg", id),
        "tjansteguiden",
        Status::new("waiting", Stage::NeedsAttention, false),
    );
    o.created = Stamp::new("2026-02-10 09:30", Some(t(8, 30)));
    o.updated = Some(Stamp::new("10/02/2026", None));
    o.customer = "Åsa Öberg \"Bosse\"".into();
    o.service = "Bredband 1000/1000".into();
    o.schedule = Some(Schedule::Scheduled(Stamp::parsed(t(12, 0))));
    o.warnings = vec!["outage in area".into(), "existing customer".into()];
    o.fields = vec![
        ("Port".into(), "A-12".into()),
        ("Empty".into(), String::new()),
    ];
    o.customer_fields = vec![("Phone".into(), "+46 70 123 45 67".into())];
    o.items = vec![
        vec![("name".into(), "Router".into()), ("qty".into(), "1".into())],
        vec![],
    ];
    o.log = LogKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| LogEntry {
            at: if i % 2 == 0 {
                Stamp::parsed(t(9, i as u32))
            } else {
                Stamp::new("yesterday", None)
            },
            kind: *kind,
            source: if i == 3 {
                String::new()
            } else {
                "portal".into()
            },
            text: format!("line {i}\nsecond line"),
        })
        .collect();
    // Outside the i64-nanosecond range the cache stores text: still exact.
    o.log.push(LogEntry {
        at: Stamp::new(
            "1600-01-01",
            Some(Utc.with_ymd_and_hms(1600, 1, 1, 0, 0, 0).unwrap()),
        ),
        kind: LogKind::System,
        source: "portal".into(),
        text: "ancient".into(),
    });
    o.carrier_attention = vec![Attention::new("notification:action", "customer must sign")];
    o.raw = Some("<order id=\"1\">\n  <x/>\n</order>".into());
    o.fetch_error = Some("timed out".into());
    o.detail_loaded = true;
    o.customer_loaded = true;
    o
}

#[test]
fn an_order_with_every_field_round_trips_exactly() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut unscheduled = full_order("2");
    unscheduled.schedule = Some(Schedule::Unscheduled);
    unscheduled.kind = "lumen-voice";
    unscheduled.key = OrderKey::new("voice", "PON-7/a");
    unscheduled.status = Status::new("cancelled", Stage::Closed, true);
    let minimal = Order::new(
        OrderKey::new("tg", "3"),
        "tjansteguiden",
        Status::new("new", Stage::New, false),
    );
    let orders = vec![full_order("1"), unscheduled, minimal];
    store.save_orders(&orders).unwrap();
    let mut loaded = all_orders(&store);
    loaded.sort_by(|a, b| a.key.cmp(&b.key));
    // The raw body is read on demand, not at startup.
    for (order, original) in loaded.iter_mut().zip(sorted(&orders)) {
        assert_eq!(order.raw, None);
        order.raw = store.order_raw(&order.key).unwrap();
        assert_eq!(order.raw, original.raw);
    }
    assert_eq!(loaded, sorted(&orders));
}

fn sorted(orders: &[Order]) -> Vec<Order> {
    let mut out = orders.to_vec();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn without_raw(o: &Order) -> Order {
    Order {
        raw: None,
        ..o.clone()
    }
}

#[test]
fn saving_again_replaces_by_key() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut o = full_order("1");
    store.save_orders(std::slice::from_ref(&o)).unwrap();
    o.status = Status::new("delivered", Stage::Done, true);
    o.log.clear();
    store.save_orders(std::slice::from_ref(&o)).unwrap();
    assert_eq!(store.order_count().unwrap(), 1);
    assert_eq!(all_orders(&store), vec![without_raw(&o)]);
    assert_eq!(store.order_raw(&o.key).unwrap(), o.raw);
    // A replacement without a raw body removes the old one.
    o.raw = None;
    store.save_orders(std::slice::from_ref(&o)).unwrap();
    assert_eq!(store.order_raw(&o.key).unwrap(), None);
    assert_eq!(all_orders(&store), vec![o]);
}

fn generated(i: usize) -> Order {
    let carrier = ["tg", "voice", "tg2"][i % 3];
    let kind = if carrier == "voice" {
        "lumen-voice"
    } else {
        "tjansteguiden"
    };
    let stage = Stage::ALL[i % 5];
    let mut o = Order::new(
        OrderKey::new(carrier, format!("{}", 100_000 + i)),
        kind,
        Status::new(
            format!("raw-{}", i % 7),
            stage,
            matches!(stage, Stage::Done | Stage::Closed),
        ),
    );
    let created = t(0, 0) - Duration::minutes(i as i64);
    o.created = Stamp::parsed(created);
    o.customer = format!("Customer {i}");
    o.service = format!("Service {}", i % 13);
    if i % 4 == 0 {
        o.log.push(LogEntry {
            at: Stamp::parsed(created + Duration::minutes(5)),
            kind: LogKind::Log,
            source: "portal".into(),
            text: format!("note for {i}"),
        });
    }
    if i % 10 == 0 {
        o.raw = Some(format!("<order><id>{i}</id></order>"));
    }
    o
}

#[test]
fn a_hundred_thousand_orders_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let orders: Vec<Order> = (0..100_000).map(generated).collect();
    store.save_orders(&orders).unwrap();
    drop(store);

    let store = SqliteStore::open(dir.path()).unwrap();
    let loaded = all_orders(&store);
    assert_eq!(loaded.len(), orders.len());
    let by_key: HashMap<&OrderKey, &Order> = loaded.iter().map(|o| (&o.key, o)).collect();
    assert_eq!(by_key.len(), orders.len(), "duplicate keys after load");
    for o in orders.iter().step_by(997).chain(orders.last()) {
        assert_eq!(
            by_key.get(&o.key).copied(),
            Some(&without_raw(o)),
            "order {}",
            o.key
        );
        assert_eq!(store.order_raw(&o.key).unwrap(), o.raw, "raw of {}", o.key);
    }
}

/// What the table, the filter and the attention view read of an order: the
/// store's summary must agree with the full order on all of it.
#[test]
fn summaries_agree_with_their_orders_on_everything_the_list_shows() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut orders: Vec<Order> = (0..300).map(generated).collect();
    orders.push(full_order("full"));
    // The newest change is an explicit date older than the log's newest.
    let mut explicit_older = full_order("explicit-older");
    explicit_older.updated = Some(Stamp::parsed(t(7, 0)));
    orders.push(explicit_older);
    // An explicit date newer than every log line, and an alert before an
    // error (the first of each kind is the attention reason).
    let mut explicit_newer = full_order("explicit-newer");
    explicit_newer.updated = Some(Stamp::new("2026-02-10 23:00", Some(t(22, 0))));
    explicit_newer.log.reverse();
    orders.push(explicit_newer);
    let mut open_with_error = generated(5);
    open_with_error.key = OrderKey::new("tg", "open-error");
    open_with_error.status = Status::new("active", Stage::InProgress, false);
    open_with_error.log.push(LogEntry {
        at: Stamp::new("broken date", None),
        kind: LogKind::Error,
        source: "portal".into(),
        text: "Failed to contact the switch".into(),
    });
    orders.push(open_with_error);
    // The source system the `source:` filter reads (a Lumen PX field).
    let mut with_source = generated(6);
    with_source.key = OrderKey::new("tg", "with-source");
    with_source
        .fields
        .push((orderdesk::domain::SOURCE_FIELD.into(), " Phone ".into()));
    orders.push(with_source);
    // Only a carrier attention item; and a closed order whose alert no
    // longer counts.
    let mut carrier_attention = generated(7);
    carrier_attention.key = OrderKey::new("tg", "carrier-attention");
    carrier_attention.status = Status::new("active", Stage::InProgress, false);
    carrier_attention.carrier_attention =
        vec![orderdesk::domain::Attention::new("E1", "address check")];
    orders.push(carrier_attention);
    let mut closed_alert = generated(8);
    closed_alert.key = OrderKey::new("tg", "closed-alert");
    closed_alert.status = Status::new("done", Stage::Done, true);
    closed_alert.log.push(LogEntry {
        at: Stamp::parsed(t(9, 0)),
        kind: LogKind::Alert,
        source: "portal".into(),
        text: "late".into(),
    });
    orders.push(closed_alert);
    store.save_orders(&orders).unwrap();

    let mut summaries = store.load_order_summaries().unwrap();
    summaries.sort_by(|a, b| a.key.cmp(&b.key));
    let full = sorted(&all_orders(&store));
    assert_eq!(summaries.len(), orders.len());
    for (summary, order) in summaries.iter().zip(&full) {
        // The stored summary is exactly the summary of the full order.
        assert_eq!(summary, &OrderSummary::of(order), "order {}", order.key);
        assert_eq!(summary.needs_attention(), order.needs_attention());
        assert_eq!(summary.updated_at(), order.updated_at());
        assert_eq!(summary.schedule_text(), order.schedule_text());
    }
    let find = |id: &str| summaries.iter().find(|o| o.key.id == id).unwrap();
    assert!(find("open-error").needs_attention());
    assert!(find("carrier-attention").needs_attention());
    assert!(!find("closed-alert").needs_attention());
    assert_eq!(find("with-source").source.as_deref(), Some("Phone"));
}

#[test]
fn full_orders_come_page_by_page_each_once() {
    let store = SqliteStore::open_in_memory().unwrap();
    let orders: Vec<Order> = (0..1000).map(generated).collect();
    store.save_orders(&orders).unwrap();
    // Saving again replaces rows without changing their place in the pages.
    store.save_orders(&orders[..10]).unwrap();
    let mut seen = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    while let (page, Some(next)) = store.load_orders_page(after, 128).unwrap() {
        assert!(!page.is_empty() && page.len() <= 128);
        assert!(next > after);
        seen.extend(page);
        after = next;
        pages += 1;
    }
    assert_eq!(pages, 8);
    let expected: Vec<Order> = orders.iter().map(without_raw).collect();
    assert_eq!(sorted(&seen), sorted(&expected));
    assert_eq!(store.load_orders_page(after, 128).unwrap(), (vec![], None));
}

#[test]
fn rows_this_build_cannot_read_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    store.save_orders(&[generated(1), generated(2)]).unwrap();
    {
        let conn = rusqlite::Connection::open(dir.path().join(SqliteStore::FILE_NAME)).unwrap();
        conn.execute_batch(
            "INSERT INTO orders (carrier, id, kind, terminal, saved_at, body)
                VALUES ('x', '1', 'carrier-from-the-future', 0, '2026-01-01T00:00:00.000000000Z', '{}');
             INSERT INTO orders (carrier, id, kind, terminal, saved_at, body)
                VALUES ('tg', 'broken', 'tjansteguiden', 0, '2026-01-01T00:00:00.000000000Z', 'not json');",
        )
        .unwrap();
        conn.execute_batch(
            "INSERT INTO order_summary (carrier, id, kind, summary)
                VALUES ('x', '1', 'carrier-from-the-future', '{}');
             INSERT INTO order_summary (carrier, id, kind, summary)
                VALUES ('tg', 'broken', 'tjansteguiden', 'not json');",
        )
        .unwrap();
    }
    let full: Vec<String> = all_orders(&store)
        .iter()
        .map(|o| o.key.to_string())
        .collect();
    let summaries: Vec<String> = store
        .load_order_summaries()
        .unwrap()
        .iter()
        .map(|o| o.key.to_string())
        .collect();
    for mut ids in [full, summaries] {
        ids.sort();
        assert_eq!(ids, ["tg2/100002", "voice/100001"]);
    }
    // Skipped rows stay in the file.
    assert_eq!(store.order_count().unwrap(), 4);
}

#[test]
fn old_terminal_orders_are_dropped_and_open_ones_kept() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mk = |id: &str, stage: Stage, terminal: bool, at: Option<DateTime<Utc>>| {
        let mut o = Order::new(
            OrderKey::new("tg", id),
            "tjansteguiden",
            Status::new("x", stage, terminal),
        );
        o.created = match at {
            Some(at) => Stamp::parsed(at),
            None => Stamp::new("garbled", None),
        };
        o
    };
    let now = t(12, 0);
    let old = now - Duration::days(40);
    let mut updated_recently = mk("recent-log", Stage::Closed, true, Some(old));
    updated_recently.log.push(LogEntry {
        at: Stamp::parsed(now - Duration::days(1)),
        kind: LogKind::Status,
        source: "portal".into(),
        text: "cancelled".into(),
    });
    let mut old_done = mk("old-done", Stage::Done, true, Some(old));
    old_done.raw = Some("<order/>".into());
    store
        .save_orders(&[
            old_done,
            mk("old-open", Stage::InProgress, false, Some(old)),
            mk("new-done", Stage::Done, true, Some(now - Duration::days(2))),
            mk("no-date-done", Stage::Done, true, None),
            updated_recently,
        ])
        .unwrap();
    let dropped = store
        .drop_terminal_older_than(now - Duration::days(30))
        .unwrap();
    assert_eq!(dropped, 1);
    let mut ids: Vec<_> = all_orders(&store).into_iter().map(|o| o.key.id).collect();
    ids.sort();
    // An order whose dates did not parse is kept by the time it was saved.
    assert_eq!(ids, ["new-done", "no-date-done", "old-open", "recent-log"]);
    // Its summary and raw body went with it.
    let mut summary_ids: Vec<_> = store
        .load_order_summaries()
        .unwrap()
        .into_iter()
        .map(|o| o.key.id)
        .collect();
    summary_ids.sort();
    assert_eq!(summary_ids, ids);
    assert_eq!(
        store.order_raw(&OrderKey::new("tg", "old-done")).unwrap(),
        None
    );
}

#[test]
fn cursors_and_last_sync_are_per_carrier_and_removed_with_it() {
    let store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(store.cursor("tg").unwrap(), None);
    assert_eq!(store.last_sync("tg").unwrap(), None);
    store.set_cursor("tg", "2026-02-10 09:00").unwrap();
    store.set_last_sync("tg", t(9, 1)).unwrap();
    store.set_last_sync("voice", t(9, 2)).unwrap();
    store.set_cursor("tg", "2026-02-10 10:00").unwrap();
    assert_eq!(
        store.cursor("tg").unwrap().as_deref(),
        Some("2026-02-10 10:00")
    );
    assert_eq!(store.last_sync("tg").unwrap(), Some(t(9, 1)));
    assert_eq!(store.cursor("voice").unwrap(), None);
    assert_eq!(store.last_sync("voice").unwrap(), Some(t(9, 2)));

    store
        .save_orders(&[generated(0), generated(1), generated(3)])
        .unwrap();
    let key = OrderKey::new("tg", "100000");
    store.add_note(&key, "anna", "keep me", t(9, 0)).unwrap();
    assert_eq!(store.remove_carrier("tg").unwrap(), 2);
    assert_eq!(store.cursor("tg").unwrap(), None);
    assert_eq!(store.last_sync("tg").unwrap(), None);
    assert_eq!(store.last_sync("voice").unwrap(), Some(t(9, 2)));
    assert_eq!(store.order_count().unwrap(), 1);
    // Notes are the user's: they stay.
    assert_eq!(store.notes(&key).unwrap().len(), 1);
}

#[test]
fn notes_and_flags_round_trip_and_show_in_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let a = OrderKey::new("tg", "19530");
    let b = OrderKey::new("voice", "PON/1");
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        let n1 = store
            .add_note(
                &a,
                "anna",
                "called the customer\nno answer\u{1b}[2J",
                t(10, 0),
            )
            .unwrap();
        assert_eq!(n1.text, "called the customer\nno answer");
        store.add_note(&a, "bo", "second", t(9, 0)).unwrap();
        store.add_note(&b, "anna", "other order", t(11, 0)).unwrap();
        store.set_flag(&a, true, "anna", t(10, 5)).unwrap();
        store.set_flag(&b, true, "bo", t(10, 6)).unwrap();
        store.set_flag(&b, false, "bo", t(10, 7)).unwrap();
        store.set_flag(&a, true, "bo", t(10, 8)).unwrap();
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    let notes = store.notes(&a).unwrap();
    let texts: Vec<_> = notes
        .iter()
        .map(|n| (n.author.as_str(), n.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [("bo", "second"), ("anna", "called the customer\nno answer")]
    );
    let all = store.all_notes().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[&a], notes);
    assert_eq!(all[&b][0].text, "other order");
    assert!(
        store
            .notes(&OrderKey::new("tg", "none"))
            .unwrap()
            .is_empty()
    );

    let flags = store.flags().unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(
        flags[&a],
        Flag {
            author: "bo".into(),
            at: t(10, 8)
        }
    );

    let timeline = local_log_entries(&notes, flags.get(&a));
    let lines: Vec<_> = timeline
        .iter()
        .map(|e| (e.kind, e.source.as_str(), e.text.as_str(), e.at.at))
        .collect();
    assert_eq!(
        lines,
        [
            (LogKind::Local, "bo", "second", Some(t(9, 0))),
            (
                LogKind::Local,
                "anna",
                "called the customer\nno answer",
                Some(t(10, 0))
            ),
            (
                LogKind::Local,
                "bo",
                "flagged for follow-up",
                Some(t(10, 8))
            ),
        ]
    );
    let json = serde_json::to_value(&notes[0]).unwrap();
    assert_eq!(json["key"], "tg/19530");
    assert_eq!(json["author"], "bo");
}

/// Every cached full order, in one page.
fn all_orders(store: &SqliteStore) -> Vec<Order> {
    store.load_orders_page(0, usize::MAX).unwrap().0
}
