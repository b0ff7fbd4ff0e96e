//! The conformance suite every store implementation passes: the cases are
//! written once against the store traits (`Journal`, `LocalStore`,
//! `OrderCache`) and run on each implementation (SQLite in memory and on
//! disk, the PostgreSQL team store; a new implementation adds a factory to
//! `store_support`). They pin
//! the journal's compare-and-set moves (recorded -> sending -> final, bad
//! moves refused, a second claimer loses), the in-flight lease facts the
//! write executor relies on (a claim records its session and time; a claim
//! from a stale read loses), notes and flags, and the cache with its
//! cursors, full orders by key and the text search. One difference is
//! deliberate and tested in `store_pg.rs`: the team store joins a write
//! identical to one still open on the order, so the cases here record
//! different writes where they want different entries.

mod pg_support;
mod store_support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use orderdesk::domain::{ActionKind, ActionRequest, Order, OrderKey, Stage, Status};
use orderdesk::store::{
    Journal, JournalEntry, JournalFilter, JournalState, LocalStore, NewJournalEntry, OrderCache,
    Outcome, StoreError,
};
use store_support::Factory;

fn t(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, 9, 0, 0).unwrap() + Duration::minutes(m)
}

fn set_status(status: &str) -> ActionRequest {
    ActionRequest {
        action: ActionKind::SetStatus,
        params: vec![("status".into(), status.into())],
        summary: format!("set status {status}"),
        preview: Some(format!("<set_status>{status}</set_status>")),
    }
}

async fn record(
    store: &dyn Journal,
    key: &OrderKey,
    req: &ActionRequest,
    at: DateTime<Utc>,
) -> JournalEntry {
    store
        .journal_record(NewJournalEntry {
            session: "s1",
            author: "anna",
            key,
            kind: "tjansteguiden",
            request: req,
            at,
        })
        .await
        .unwrap()
}

// ---- The journal --------------------------------------------------------

async fn a_write_goes_recorded_sending_confirmed(store: &dyn Journal) {
    let key = OrderKey::new("tg", "19530");
    let req = set_status("received");
    let e = record(store, &key, &req, t(0)).await;
    assert_eq!(e.state, JournalState::Recorded);
    assert_eq!(e.sends, 0);
    assert_eq!(e.request, req);
    assert_eq!(store.journal_get(&e.id).await.unwrap().as_ref(), Some(&e));

    let sending = store.journal_mark_sending(&e, "s1", t(1)).await.unwrap();
    assert_eq!(sending.state, JournalState::Sending);
    assert_eq!(sending.sends, 1);
    assert_eq!(sending.updated_at, t(1));
    assert_eq!(
        store.journal_unresolved().await.unwrap(),
        vec![sending.clone()]
    );

    let done = store
        .journal_finish(
            &e.id,
            Outcome::Confirmed {
                message: "Status changed to received".into(),
            },
            t(2),
        )
        .await
        .unwrap();
    assert_eq!(done.state, JournalState::Confirmed);
    assert_eq!(done.outcome.as_deref(), Some("Status changed to received"));
    assert_eq!(done.resolved_at, Some(t(2)));
    assert!(store.journal_unresolved().await.unwrap().is_empty());

    // Final is final.
    let err = store
        .journal_finish(&e.id, Outcome::Failed { why: "x".into() }, t(3))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    let err = store
        .journal_mark_sending(&done, "s1", t(3))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    assert_eq!(store.journal_get(&e.id).await.unwrap(), Some(done));
}

async fn refused_failed_unknown_and_accepted_are_recorded_with_their_words(store: &dyn Journal) {
    let key = OrderKey::new("tg", "1");
    let req = set_status("delivered");

    let a = record(store, &key, &req, t(0)).await;
    let a = store.journal_mark_sending(&a, "s1", t(0)).await.unwrap();
    let a = store
        .journal_finish(
            &a.id,
            Outcome::Refused {
                code: "E12".into(),
                message: "status not allowed".into(),
            },
            t(1),
        )
        .await
        .unwrap();
    assert_eq!(
        (a.state, a.code.as_deref(), a.outcome.as_deref()),
        (
            JournalState::Refused,
            Some("E12"),
            Some("status not allowed")
        )
    );
    assert_eq!(
        a.to_log_entry().text,
        "set status delivered: refused E12 status not allowed"
    );

    // Never sent: recorded -> failed is allowed, recorded -> confirmed is not.
    let b = record(store, &key, &req, t(2)).await;
    let err = store
        .journal_finish(
            &b.id,
            Outcome::Confirmed {
                message: String::new(),
            },
            t(3),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }));
    let b = store
        .journal_finish(
            &b.id,
            Outcome::Failed {
                why: "read-only mode: not sent".into(),
            },
            t(3),
        )
        .await
        .unwrap();
    assert_eq!(b.sends, 0);
    assert_eq!(
        b.to_log_entry().text,
        "set status delivered: failed: read-only mode: not sent"
    );

    // unknown -> sending again (a resend) -> unknown with receipt -> confirmed.
    let c = record(store, &key, &req, t(4)).await;
    let c = store.journal_mark_sending(&c, "s1", t(4)).await.unwrap();
    let c = store
        .journal_finish(
            &c.id,
            Outcome::Unknown {
                why: "timed out".into(),
            },
            t(5),
        )
        .await
        .unwrap();
    assert_eq!(c.state, JournalState::Unknown);
    assert_eq!(c.resolved_at, None);
    assert_eq!(
        c.to_log_entry().text,
        "set status delivered: outcome unknown: timed out"
    );
    let c = store.journal_mark_sending(&c, "s2", t(6)).await.unwrap();
    assert_eq!((c.sends, c.session.as_str()), (2, "s2"));
    let c = store
        .journal_finish(
            &c.id,
            Outcome::Accepted {
                receipt: "OK".into(),
                why: "not visible yet".into(),
            },
            t(7),
        )
        .await
        .unwrap();
    assert_eq!(
        (c.state, c.receipt.as_deref()),
        (JournalState::Unknown, Some("OK"))
    );
    assert_eq!(
        c.to_log_entry().text,
        "set status delivered: accepted (OK), not yet visible"
    );
    let c = store
        .journal_finish(
            &c.id,
            Outcome::Confirmed {
                message: "confirmed by re-read".into(),
            },
            t(8),
        )
        .await
        .unwrap();
    assert_eq!(c.state, JournalState::Confirmed);
    assert_eq!(c.receipt.as_deref(), Some("OK"), "receipt is kept");

    assert!(matches!(
        store
            .journal_finish("nope", Outcome::Failed { why: String::new() }, t(9))
            .await,
        Err(StoreError::UnknownEntry(_))
    ));
}

async fn claiming_is_compare_and_set(store: &dyn Journal) {
    let key = OrderKey::new("tg", "1");
    let e = record(store, &key, &set_status("active"), t(0)).await;
    // Two consoles read the same row; the first claim wins, the second fails.
    let first = store
        .journal_mark_sending(&e, "console-a", t(1))
        .await
        .unwrap();
    let err = store
        .journal_mark_sending(&e, "console-b", t(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    assert_eq!(store.journal_get(&e.id).await.unwrap(), Some(first));
}

async fn listing_is_newest_first_and_filters_by_time_and_order(store: &dyn Journal) {
    let a = OrderKey::new("tg", "1");
    let b = OrderKey::new("tg", "2");
    let mut ids: Vec<String> = Vec::new();
    for i in 0..6 {
        let key = if i % 2 == 0 { &a } else { &b };
        // Each a different write: the team store joins an identical one
        // still open on the order instead of recording it again.
        let request = set_status(&format!("active-{i}"));
        ids.push(record(store, key, &request, t(i)).await.id);
    }
    let all = store.journal(&JournalFilter::default()).await.unwrap();
    let got: Vec<_> = all.iter().map(|e| e.id.clone()).collect();
    let mut want = ids.clone();
    want.reverse();
    assert_eq!(got, want);

    let since = store
        .journal(&JournalFilter {
            since: Some(t(3)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(since.len(), 3);
    assert!(since.iter().all(|e| e.created_at >= t(3)));

    let of_b = store
        .journal(&JournalFilter {
            key: Some(b.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        of_b.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        [ids[5].clone(), ids[3].clone(), ids[1].clone()]
    );
    let newest = store
        .journal(&JournalFilter {
            key: Some(a),
            since: Some(t(1)),
            limit: Some(1),
        })
        .await
        .unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].id, ids[4]);

    // Oldest first for the resolver.
    let unresolved = store.journal_unresolved().await.unwrap();
    assert_eq!(
        unresolved.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        ids
    );
}

/// Two handles on one store (two consoles on one database): a claim made
/// through one is seen by the other, and the other's claim from the same
/// read loses.
async fn a_second_claimer_on_another_handle_loses(a: &dyn Journal, b: &dyn Journal) {
    let key = OrderKey::new("tg", "7");
    let e = record(a, &key, &set_status("active"), t(0)).await;
    let seen_by_b = b.journal_get(&e.id).await.unwrap().unwrap();
    assert_eq!(seen_by_b, e);
    let first = a.journal_mark_sending(&e, "console-a", t(1)).await.unwrap();
    let err = b
        .journal_mark_sending(&seen_by_b, "console-b", t(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    assert_eq!(b.journal_get(&e.id).await.unwrap(), Some(first.clone()));
    // Finishing is also compare-and-set: once final, the other cannot move it.
    a.journal_finish(&e.id, Outcome::Failed { why: "no".into() }, t(2))
        .await
        .unwrap();
    let err = b
        .journal_finish(&e.id, Outcome::Unknown { why: "x".into() }, t(3))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
}

/// What the executor's in-flight lease reads: every move records its time
/// as `updated_at` and a claim records its session as the owner, so another
/// executor can tell how long ago, and by whom, an entry was touched; an
/// interrupted send (`sending`) may be claimed again from a fresh read, but
/// a claim from a read older than the last move loses.
async fn the_lease_facts_the_executor_relies_on(store: &dyn Journal) {
    let key = OrderKey::new("tg", "9");
    let e = record(store, &key, &set_status("active"), t(0)).await;
    assert_eq!((e.updated_at, e.session.as_str()), (t(0), "s1"));
    let sending = store
        .journal_mark_sending(&e, "crashed", t(1))
        .await
        .unwrap();
    assert_eq!(
        (sending.updated_at, sending.session.as_str(), sending.sends),
        (t(1), "crashed", 1)
    );
    // Another console, after the lease, claims the interrupted send again.
    let fresh = store.journal_get(&e.id).await.unwrap().unwrap();
    let again = store
        .journal_mark_sending(&fresh, "later", t(5))
        .await
        .unwrap();
    assert_eq!(
        (
            again.state,
            again.updated_at,
            again.session.as_str(),
            again.sends
        ),
        (JournalState::Sending, t(5), "later", 2)
    );
    // The read from before that claim is stale now, though the state is
    // the same: it loses.
    let err = store
        .journal_mark_sending(&fresh, "crashed", t(6))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    // An outcome moves `updated_at` too, and an unknown one stays open.
    let unknown = store
        .journal_finish(
            &e.id,
            Outcome::Unknown {
                why: "timed out".into(),
            },
            t(7),
        )
        .await
        .unwrap();
    assert_eq!((unknown.updated_at, unknown.resolved_at), (t(7), None));
    assert_eq!(store.journal_unresolved().await.unwrap(), vec![unknown]);
    assert!(matches!(store.journal_get("nope").await, Ok(None)));
}

// ---- Notes and flags ----------------------------------------------------

async fn notes_and_flags_round_trip(store: &dyn LocalStore) {
    let a = OrderKey::new("tg", "1");
    let b = OrderKey::new("lv", "2");
    let first = store
        .add_note(&a, "anna", "ring back\nafter 3", t(1))
        .await
        .unwrap();
    assert_eq!(
        (
            first.key.clone(),
            first.author.as_str(),
            first.text.as_str(),
            first.at
        ),
        (a.clone(), "anna", "ring back\nafter 3", t(1))
    );
    let dirty = store
        .add_note(&a, "bo\u{1b}[31m", "x\u{1b}[2Jy", t(0))
        .await
        .unwrap();
    assert_eq!((dirty.author.as_str(), dirty.text.as_str()), ("bo", "xy"));
    store.add_note(&b, "anna", "other", t(2)).await.unwrap();
    let of_a = store.notes(&a).await.unwrap();
    assert_eq!(of_a, vec![dirty.clone(), first.clone()], "oldest first");
    let all = store.all_notes().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[&a], of_a);
    assert!(
        store
            .notes(&OrderKey::new("tg", "none"))
            .await
            .unwrap()
            .is_empty()
    );

    assert!(store.flags().await.unwrap().is_empty());
    store.set_flag(&a, true, "anna", t(3)).await.unwrap();
    store.set_flag(&a, true, "bo", t(4)).await.unwrap();
    store.set_flag(&b, true, "anna", t(5)).await.unwrap();
    let flags = store.flags().await.unwrap();
    assert_eq!((flags[&a].author.as_str(), flags[&a].at), ("bo", t(4)));
    store.set_flag(&b, false, "anna", t(6)).await.unwrap();
    store.set_flag(&b, false, "anna", t(6)).await.unwrap();
    let flags = store.flags().await.unwrap();
    assert_eq!(flags.keys().collect::<Vec<_>>(), vec![&a]);
}

// ---- The order cache and cursors ----------------------------------------

fn order(carrier: &str, id: &str, terminal: bool, updated: DateTime<Utc>) -> Order {
    let stage = if terminal {
        Stage::Done
    } else {
        Stage::InProgress
    };
    let mut o = Order::new(
        OrderKey::new(carrier, id),
        "tjansteguiden",
        Status::new("x", stage, terminal),
    );
    o.customer = format!("customer {id}");
    o.updated = Some(orderdesk::domain::Stamp::parsed(updated));
    o.raw = Some(format!("<order id=\"{id}\"/>"));
    o
}

async fn the_cache_and_cursors_round_trip(store: &dyn OrderCache) {
    assert_eq!(store.order_count().await.unwrap(), 0);
    assert_eq!(store.load_orders_page(0, 10).await.unwrap(), (vec![], None));
    let orders: Vec<Order> = (0..25)
        .map(|i| order("tg", &i.to_string(), i % 5 == 0, t(i)))
        .collect();
    store.save_orders(orders.clone()).await.unwrap();
    // Saving again replaces by key.
    let mut changed = orders[1].clone();
    changed.customer = "changed".into();
    store.save_orders(vec![changed.clone()]).await.unwrap();
    assert_eq!(store.order_count().await.unwrap(), 25);

    let summaries = store.load_order_summaries().await.unwrap();
    assert_eq!(summaries.len(), 25);
    assert!(summaries.iter().any(|o| &*o.customer == "changed"));

    // Full orders come page by page, each once, without the raw body.
    let mut full = Vec::new();
    let mut after = 0;
    while let (page, Some(next)) = store.load_orders_page(after, 10).await.unwrap() {
        assert!(page.len() <= 10);
        full.extend(page);
        after = next;
    }
    assert_eq!(full.len(), 25);
    assert!(full.iter().all(|o| o.raw.is_none()));
    let got = full.iter().find(|o| o.key == changed.key).unwrap();
    assert_eq!(got.customer, "changed");
    assert_eq!(
        store.order_raw(&changed.key).await.unwrap(),
        changed.raw.clone()
    );

    // Terminal orders older than the cutoff go; open ones stay.
    assert_eq!(store.drop_terminal_older_than(t(12)).await.unwrap(), 3);
    assert_eq!(store.order_count().await.unwrap(), 22);

    // Cursors and sync times are per carrier, and go with it.
    assert_eq!(store.cursor("tg").await.unwrap(), None);
    store.set_cursor("tg", "c1").await.unwrap();
    store.set_cursor("tg", "c2").await.unwrap();
    store.set_cursor("lv", "v1").await.unwrap();
    store.set_last_sync("tg", t(30)).await.unwrap();
    assert_eq!(store.cursor("tg").await.unwrap().as_deref(), Some("c2"));
    assert_eq!(store.last_sync("tg").await.unwrap(), Some(t(30)));
    assert_eq!(store.last_sync("lv").await.unwrap(), None);
    assert_eq!(store.remove_carrier("tg").await.unwrap(), 22);
    assert_eq!(store.cursor("tg").await.unwrap(), None);
    assert_eq!(store.cursor("lv").await.unwrap().as_deref(), Some("v1"));
    assert_eq!(store.order_count().await.unwrap(), 0);
}

/// An order with text only the full order holds: items, log lines,
/// carrier and customer fields.
fn full_order(carrier: &str, id: &str, city: &str, log: &str) -> Order {
    let mut o = order(carrier, id, false, t(0));
    o.fields = vec![("city".into(), city.into())];
    o.customer_fields = vec![("email".into(), format!("kund{id}@example.se"))];
    o.items = vec![vec![("product".into(), format!("Fiber {id}00 Mbit/s"))]];
    o.log = vec![orderdesk::domain::LogEntry {
        at: orderdesk::domain::Stamp::parsed(t(1)),
        kind: orderdesk::domain::LogKind::Error,
        source: "portal".into(),
        text: log.into(),
    }];
    o
}

async fn keys(store: &dyn OrderCache, query: &str) -> Vec<String> {
    let mut ids: Vec<String> = store
        .search_text(query, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|k| format!("{}/{}", k.carrier, k.id))
        .collect();
    ids.sort();
    ids
}

async fn full_orders_by_key_and_text_search(store: &dyn OrderCache) {
    let a = full_order("tg", "1", "Skövde", "Switch unreachable");
    let b = full_order("tg", "2", "Göteborg", "Port 7 flapping");
    let c = full_order(
        "lv",
        "3",
        "Skövde",
        "Customer (not) home; \"NEAR\" the door",
    );
    store
        .save_orders(vec![a.clone(), b.clone(), c.clone()])
        .await
        .unwrap();

    // One full order by key, without the raw body; a missing key is None.
    let got = store.order(&a.key).await.unwrap().unwrap();
    assert_eq!(
        got,
        Order {
            raw: None,
            ..a.clone()
        }
    );
    assert_eq!(
        store.order(&OrderKey::new("tg", "404")).await.unwrap(),
        None
    );
    let page = store
        .orders(&[c.key.clone(), OrderKey::new("tg", "404"), a.key.clone()])
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|o| o.key.clone()).collect::<Vec<_>>(),
        [c.key.clone(), a.key.clone()]
    );

    // Text only the full order holds, every word, as prefixes, any case or
    // accent.
    assert_eq!(keys(store, "skövde").await, ["lv/3", "tg/1"]);
    assert_eq!(keys(store, "SKOVDE").await, ["lv/3", "tg/1"]);
    assert_eq!(keys(store, "skovde switch").await, ["tg/1"]);
    assert_eq!(keys(store, "flap").await, ["tg/2"]);
    assert_eq!(keys(store, "kund3@example").await, ["lv/3"]);
    assert_eq!(keys(store, "200 mbit").await, ["tg/2"]);
    assert_eq!(keys(store, "portal").await, ["lv/3", "tg/1", "tg/2"]);
    assert_eq!(store.search_text("portal", 2).await.unwrap().len(), 2);
    assert!(keys(store, "nowhere").await.is_empty());

    // The user's words are never query syntax: no error, no match-all.
    for query in [
        "",
        "   ",
        "\"",
        "*",
        "-",
        "()",
        "NEAR",
        "near(skövde switch)",
        "skövde -switch",
        "\"skövde",
        "switch*",
        "text:switch",
        "a OR b",
        "NOT portal",
        "^portal",
        "{text}: portal",
    ] {
        let found = store.search_text(query, 100).await;
        assert!(found.is_ok(), "{query:?}: {found:?}");
    }
    assert!(keys(store, "").await.is_empty());
    assert!(keys(store, "*").await.is_empty());
    assert!(keys(store, "-").await.is_empty());
    assert!(keys(store, "()").await.is_empty());
    assert_eq!(keys(store, "near").await, ["lv/3"]);
    assert_eq!(keys(store, "(not) home").await, ["lv/3"]);
    assert_eq!(keys(store, "skövde -switch").await, ["tg/1"]);
    assert!(keys(store, "portal OR nowhere").await.is_empty());
    // "not" is a word of order 3's log here, not an operator.
    assert_eq!(keys(store, "NOT portal").await, ["lv/3"]);

    // The index follows saves, the drop of old terminal orders and the
    // removal of a carrier.
    let mut moved = b.clone();
    moved.fields = vec![("city".into(), "Malmö".into())];
    store.save_orders(vec![moved]).await.unwrap();
    assert!(keys(store, "göteborg").await.is_empty());
    assert_eq!(keys(store, "malmo").await, ["tg/2"]);
    let mut done = full_order("tg", "4", "Kiruna", "Closed");
    done.status = Status::new("closed", Stage::Done, true);
    done.updated = Some(orderdesk::domain::Stamp::parsed(t(0)));
    store.save_orders(vec![done]).await.unwrap();
    assert_eq!(keys(store, "kiruna").await, ["tg/4"]);
    assert_eq!(store.drop_terminal_older_than(t(5)).await.unwrap(), 1);
    assert!(keys(store, "kiruna").await.is_empty());
    assert_eq!(store.remove_carrier("tg").await.unwrap(), 2);
    assert_eq!(keys(store, "skövde").await, ["lv/3"]);
    assert_eq!(keys(store, "portal").await, ["lv/3"]);
}

/// The wallboard's trend: new per hour of creation, done per hour of the
/// last change, over whole hours; orders outside the window count nowhere.
async fn the_hourly_trend_counts_new_and_done(store: &dyn OrderCache) {
    let start = t(0);
    let empty = store.hourly_trend(start, 24).await.unwrap();
    assert_eq!(empty.new, vec![0; 24]);
    assert_eq!(empty.done, vec![0; 24]);
    let at = |created: DateTime<Utc>, mut o: Order| {
        o.created = orderdesk::domain::Stamp::parsed(created);
        o
    };
    let h = Duration::hours;
    store
        .save_orders(vec![
            // Created in hour 0, still open.
            at(t(0), order("tg", "1", false, t(10))),
            // Created in hour 2, done in hour 5.
            at(
                t(0) + h(2),
                order("tg", "2", true, t(0) + h(5) + Duration::minutes(59)),
            ),
            // Created before the window, done in hour 23 (its last hour).
            at(t(-600), order("tg", "3", true, t(0) + h(23))),
            // Entirely before the window.
            at(t(-600), order("tg", "4", true, t(-1))),
            // Created after the window.
            at(t(0) + h(24), order("tg", "5", false, t(0) + h(24))),
        ])
        .await
        .unwrap();
    let trend = store.hourly_trend(start, 24).await.unwrap();
    assert_eq!(trend.start, start);
    let mut new = vec![0; 24];
    new[0] = 1;
    new[2] = 1;
    let mut done = vec![0; 24];
    done[5] = 1;
    done[23] = 1;
    assert_eq!(trend.new, new);
    assert_eq!(trend.done, done);
}

// ---- Every implementation -----------------------------------------------

/// Runs every case on the stores `factory` opens (a fresh, empty store
/// each time; `again` opens another handle on the same data).
async fn conformance(factory: Factory) {
    let (s, _data) = factory.open().await;
    a_write_goes_recorded_sending_confirmed(&*s.journal).await;
    let (s, _data) = factory.open().await;
    refused_failed_unknown_and_accepted_are_recorded_with_their_words(&*s.journal).await;
    let (s, _data) = factory.open().await;
    claiming_is_compare_and_set(&*s.journal).await;
    let (s, _data) = factory.open().await;
    listing_is_newest_first_and_filters_by_time_and_order(&*s.journal).await;
    let (s, data) = factory.open().await;
    let other = factory.again(&s, &data).await;
    a_second_claimer_on_another_handle_loses(&*s.journal, &*other.journal).await;
    let (s, _data) = factory.open().await;
    the_lease_facts_the_executor_relies_on(&*s.journal).await;
    let (s, _data) = factory.open().await;
    notes_and_flags_round_trip(&*s.local).await;
    let (s, _data) = factory.open().await;
    the_cache_and_cursors_round_trip(&*s.cache).await;
    let (s, _data) = factory.open().await;
    full_orders_by_key_and_text_search(&*s.cache).await;
    let (s, _data) = factory.open().await;
    the_hourly_trend_counts_new_and_done(&*s.cache).await;
}

#[tokio::test]
async fn sqlite_in_memory_conforms() {
    conformance(Factory::SqliteMemory).await;
}

#[tokio::test]
async fn sqlite_on_disk_conforms() {
    conformance(Factory::SqliteDisk).await;
}

#[tokio::test]
async fn postgres_conforms() {
    let Some(factory) = Factory::postgres() else {
        return;
    };
    conformance(factory).await;
}
