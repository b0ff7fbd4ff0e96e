//! The PX adapter against its simulator over loopback: absorbing new
//! orders, status updates from openOrders, one detail call per order that
//! reaches COMPLETED or ATTTV and none for cancelled ones, a detail error
//! that fails only its order, list errors for the carrier chip, token
//! expiry, and a `since` years back that never sends a window over 7 days.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use orderdesk::carriers::lumen_px::PxConfig;
use orderdesk::carriers::{CarrierError, CarrierHandle, PollSummary, SyncEvent, SyncSink};
use orderdesk::config::{CarrierConfig, Config};
use orderdesk::domain::{LogKind, Order, Stage};
use orderdesk::registry;
use orderdesk::sim::RunningSim;
use orderdesk::sim::lumen_px::{
    PathKind, PxSim, PxSimOptions, SimProduct, SimPxAddress, SimPxOrder,
};
use tokio::sync::mpsc;

fn order(id: &str, status: &str, now: DateTime<Utc>) -> SimPxOrder {
    let placed = now - Duration::days(2);
    let mut history = vec![(placed, "RECEIVED".to_owned())];
    if status != "RECEIVED" {
        history.push((now - Duration::hours(3), status.to_owned()));
    }
    SimPxOrder {
        partner_order_id: id.into(),
        order_number: id.trim_start_matches(['U', 'E', 'P', 'X']).into(),
        source: match id.chars().next() {
            Some('U') => "UI".into(),
            Some('E') => "Phone".into(),
            _ => "API".into(),
        },
        sales_code: "SC1001".into(),
        order_date: placed,
        account_number: "312345678".into(),
        telephone_number: "3035551234".into(),
        customer_name: "Maria Garcia".into(),
        address: SimPxAddress {
            line1: "1801 California St".into(),
            city: "Denver".into(),
            state: "CO".into(),
            zip: "80202".into(),
        },
        products: vec![SimProduct {
            code: "HSI-940".into(),
            description: "Fiber internet 940 Mbps".into(),
        }],
        history,
    }
}

async fn start(orders: &[(&str, &str)]) -> (PxSim, RunningSim) {
    let (sim, running) = PxSim::spawn(
        PxSimOptions {
            orders: 0,
            ..PxSimOptions::default()
        },
        0,
    )
    .await
    .expect("simulator starts");
    let now = sim.now();
    for (id, status) in orders {
        sim.insert_order(order(id, status, now));
    }
    (sim, running)
}

fn handle(config: &CarrierConfig) -> CarrierHandle {
    registry::build(&Config::empty(), config, false).expect("builds")
}

struct Polled {
    result: Result<(PollSummary, Option<String>), CarrierError>,
    orders: HashMap<String, Order>,
}

async fn poll(handle: &CarrierHandle, cursor: Option<String>) -> Polled {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sink = SyncSink::new(handle.name.clone(), tx);
    let result = handle.reader.poll(cursor, &sink).await;
    drop(sink);
    let mut orders = HashMap::new();
    while let Some(event) = rx.recv().await {
        if let SyncEvent::Orders { orders: list, .. } = event {
            for o in list {
                orders.insert(o.key.id.clone(), o);
            }
        }
    }
    Polled { result, orders }
}

fn cursor(p: &Polled) -> Option<String> {
    p.result.as_ref().ok().and_then(|(_, c)| c.clone())
}

#[tokio::test]
async fn absorbs_updates_and_asks_detail_once_per_completed_order() {
    let (sim, running) = start(&[
        ("U41000001", "RECEIVED"),
        ("E41000002", "COMPLETED"),
        ("PX100003", "PROVIDER CANCELLED"),
        ("U41000004", "ATTTV"),
        ("E41000005", "CUSTOMER CANCELLED"),
        ("PX100006", "PRE DECLINED"),
    ])
    .await;
    let h = handle(&sim.carrier_config("px", &running.origin()));
    assert!(
        h.writer.is_none(),
        "PX has no writer, even outside read-only"
    );

    let first = poll(&h, None).await;
    let (summary, _) = first.result.as_ref().expect("first poll");
    assert_eq!(summary.listed, 6);
    assert_eq!(first.orders.len(), 6);
    assert_eq!(sim.detail_requests("E41000002"), 1);
    assert_eq!(sim.detail_requests("U41000004"), 1);
    assert_eq!(sim.detail_requests("PX100003"), 0);
    assert_eq!(sim.detail_requests("E41000005"), 0);
    assert_eq!(sim.detail_requests("U41000001"), 0);
    let done = &first.orders["E41000002"];
    assert_eq!(done.key.to_string(), "px/E41000002");
    assert!(done.detail_loaded && done.status.terminal);
    assert!(
        done.items
            .iter()
            .any(|i| i.iter().any(|(k, _)| k == "lineNumber"))
    );
    assert!(
        done.raw
            .as_deref()
            .is_some_and(|r| r.contains("pxOrderDetail"))
    );
    // "updated" is the carrier's statusDate (a date, 3 hours before the
    // sim's now at the latest), never the sighting time.
    let status_date = done
        .updated
        .as_ref()
        .and_then(|u| u.at)
        .expect("statusDate");
    assert_eq!(done.updated_at(), Some(status_date));
    assert!(status_date <= sim.now() - Duration::hours(3));
    let attention = &first.orders["PX100006"];
    assert_eq!(attention.status.stage, Stage::NeedsAttention);
    assert!(
        attention
            .carrier_attention
            .iter()
            .any(|a| a.code == "px:pre-declined")
    );

    // Nothing more for the terminal ones; the open one moves on.
    sim.set_status("U41000001", "Completed");
    let second = poll(&h, cursor(&first)).await;
    second.result.as_ref().expect("second poll");
    assert_eq!(sim.detail_requests("E41000002"), 1);
    assert_eq!(sim.detail_requests("U41000004"), 1);
    assert_eq!(sim.detail_requests("PX100003"), 0);
    assert!(
        !second.orders.contains_key("E41000002"),
        "terminal, not re-reported"
    );
    assert!(!second.orders.contains_key("PX100003"));
    let moved = &second.orders["U41000001"];
    assert_eq!(moved.status.raw, "Completed");
    assert_eq!(moved.status.stage, Stage::Done);
    assert_eq!(sim.detail_requests("U41000001"), 1);
    let changes: Vec<_> = moved
        .log
        .iter()
        .filter(|e| e.kind == LogKind::Status)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes[1].contains("Completed"));
    assert!(changes[1].contains("first seen"), "{changes:?}");

    let third = poll(&h, cursor(&second)).await;
    third.result.as_ref().expect("third poll");
    assert_eq!(sim.detail_requests("U41000001"), 1, "detail exactly once");
    // Each poll lists new orders from the day before the last check.
    assert!(sim.requests(PathKind::NewOrders) >= 3);
}

#[tokio::test]
async fn open_status_wins_over_the_new_orders_one() {
    let (sim, running) = start(&[("E41000010", "OPEN")]).await;
    let h = handle(&sim.carrier_config("px", &running.origin()));
    let p = poll(&h, None).await;
    p.result.as_ref().expect("poll");
    // newOrders shows it RECEIVED (as placed); openOrders says OPEN.
    let o = &p.orders["E41000010"];
    assert_eq!(o.status.raw, "OPEN");
    assert!(
        o.carrier_attention
            .iter()
            .any(|a| a.detail == "the order needs intervention from CTL")
    );
    let raw = o.raw.as_deref().unwrap_or("");
    assert!(
        raw.contains("pxNewOrders") && raw.contains("pxOpenOrders"),
        "{raw}"
    );
}

#[tokio::test]
async fn a_detail_error_fails_only_its_order() {
    let (sim, running) = start(&[("E41000020", "COMPLETED"), ("U41000021", "ATTTV")]).await;
    sim.hide_detail("E41000020");
    let h = handle(&sim.carrier_config("px", &running.origin()));
    let p = poll(&h, None).await;
    let (summary, _) = p.result.as_ref().expect("the poll succeeds");
    assert_eq!(summary.failed, 1);
    let failed = &p.orders["E41000020"];
    let error = failed.fetch_error.as_deref().unwrap_or("");
    assert!(error.contains("2265") && error.contains("TxId<"), "{error}");
    assert!(p.orders["U41000021"].fetch_error.is_none());
    // Asked again on the next poll, since it never succeeded.
    let again = poll(&h, cursor(&p)).await;
    again.result.as_ref().expect("poll");
    assert_eq!(sim.detail_requests("E41000020"), 2);
    assert_eq!(sim.detail_requests("U41000021"), 1);
}

#[tokio::test]
async fn list_errors_carry_code_message_and_tx_id() {
    let (sim, running) = start(&[("E41000030", "RECEIVED")]).await;
    let mut config = sim.carrier_config("px", &running.origin());
    let mut settings = config.settings::<PxConfig>().cloned().unwrap();
    settings.partner_id = Some("SOMEONE-ELSE".into());
    config = config.with_settings(settings);
    let p = poll(&handle(&config), None).await;
    match p.result {
        Err(CarrierError::Rejected { code, message }) => {
            assert_eq!(code, "2030");
            assert!(
                message.starts_with("Missing or Invalid PartnerId; TxId<"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A 401 with a document code is no token refusal: one token only.
    assert_eq!(sim.token_requests(), 1);
}

#[tokio::test]
async fn expired_token_is_refreshed_once() {
    let (sim, running) = start(&[("E41000040", "PENDING")]).await;
    let h = handle(&sim.carrier_config("px", &running.origin()));
    let first = poll(&h, None).await;
    first.result.as_ref().expect("first poll");
    assert_eq!(sim.token_requests(), 1);
    sim.expire_tokens();
    let second = poll(&h, cursor(&first)).await;
    second
        .result
        .as_ref()
        .expect("the poll survives the expiry");
    assert_eq!(sim.token_requests(), 2);
}

#[tokio::test]
async fn a_since_years_back_never_sends_a_window_over_seven_days() {
    let (sim, running) = start(&[("U41000050", "RECEIVED")]).await;
    let mut config = sim.carrier_config("px", &running.origin());
    let mut settings = config.settings::<PxConfig>().cloned().unwrap();
    let today = Utc::now().date_naive();
    settings.since = today.checked_sub_days(chrono::Days::new(3 * 365 + 40));
    settings.sales_codes = vec!["SC1001".into()];
    config = config.with_settings(settings);
    let p = poll(&handle(&config), None).await;
    p.result.as_ref().expect("no 2090 for any window");
    let days = 3 * 365 + 40 + 1;
    let windows = sim.requests(PathKind::NewOrders);
    assert!(windows >= days / 7 && windows <= days / 7 + 2, "{windows}");
    assert!(p.orders.contains_key("U41000050"));
}

#[tokio::test]
async fn shared_fault_knobs_reach_the_poll() {
    use orderdesk::sim::faults::Faults;
    let (sim, running) = start(&[("E41000060", "PENDING")]).await;
    let h = handle(&sim.carrier_config("px", &running.origin()));
    poll(&h, None)
        .await
        .result
        .expect("the token first, without faults");
    sim.set_faults(Faults {
        truncate_rate: 1.0,
        ..Faults::default()
    });
    let err = poll(&h, None).await.result.unwrap_err();
    assert_eq!(err.category(), "protocol", "{err}");
    sim.set_faults(Faults {
        token_refusal: Some(orderdesk::sim::faults::TokenRefusal::Expired),
        ..Faults::default()
    });
    let err = poll(&h, None).await.result.unwrap_err();
    assert_eq!(err.category(), "auth", "{err}");
    assert!(sim.injected().truncated > 0);
}
