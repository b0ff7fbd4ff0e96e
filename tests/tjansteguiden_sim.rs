//! The Tjänsteguiden adapter against its simulator on loopback: polls,
//! writes, refusals, faults, read-only, size cap.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use orderdesk::carriers::tjansteguiden::TgConfig;
use orderdesk::carriers::{self, CarrierError, CarrierHandle, SyncEvent, SyncSink};
use orderdesk::config::{CarrierConfig, Config};
use orderdesk::domain::{ActionKind, ActionRequest, FormValues, LogKind, Order};
use orderdesk::registry;
use orderdesk::sim::RunningSim;
use orderdesk::sim::tjansteguiden::{Faults, OrderFault, PATH, SimOptions, TgSim};
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

fn carrier_config(sim: &RunningSim, api_user: &str) -> CarrierConfig {
    let mut c = CarrierConfig::new("tg", "tjansteguiden", &TgSim::endpoint(&sim.origin()));
    c.settings_mut::<TgConfig>().api_user = Some(api_user.into());
    c.max_concurrency = 4;
    c.timeout = Duration::from_secs(10);
    c
}

fn handle(sim: &RunningSim, readonly: bool) -> CarrierHandle {
    registry::build(&Config::empty(), &carrier_config(sim, "1234"), readonly).expect("builds")
}

/// Runs one poll and returns its result and every event it sent.
async fn poll(
    h: &CarrierHandle,
) -> (
    Result<(carriers::PollSummary, Option<String>), CarrierError>,
    Vec<SyncEvent>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sink = SyncSink::new(h.name.clone(), tx);
    let result = h.reader.poll(None, &sink).await;
    drop(sink);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    (result, events)
}

/// The last version of each order the events carried.
fn latest(events: &[SyncEvent]) -> HashMap<String, Order> {
    let mut out = HashMap::new();
    for e in events {
        if let SyncEvent::Orders { orders, .. } = e {
            for o in orders {
                out.insert(o.key.id.clone(), o.clone());
            }
        }
    }
    out
}

async fn write(
    h: &CarrierHandle,
    order: &Order,
    action: ActionKind,
    values: &[(&str, &str)],
) -> Result<String, CarrierError> {
    let mut form = FormValues::default();
    for (k, v) in values {
        form.set(k, *v);
    }
    let request = h
        .profile
        .validate(order, action, &form, chrono::Utc::now())
        .expect("valid input");
    execute(h, order, &request).await
}

async fn execute(
    h: &CarrierHandle,
    order: &Order,
    request: &ActionRequest,
) -> Result<String, CarrierError> {
    let writer = h.writer.as_ref().expect("writer in read-write mode");
    writer.execute(order, request).await.map(|r| r.message)
}

fn raw_request(action: ActionKind, params: &[(&str, &str)]) -> ActionRequest {
    ActionRequest {
        action,
        params: params
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect(),
        summary: "test".into(),
        preview: None,
    }
}

#[tokio::test]
async fn poll_emits_every_order_with_details_and_progress() {
    let (sim, running) = start(40).await;
    let h = handle(&running, false);
    let (result, events) = poll(&h).await;
    let (summary, cursor) = result.expect("poll succeeds");
    assert_eq!(
        (summary.listed, summary.fetched, summary.failed),
        (40, 40, 0)
    );
    assert!(cursor.is_some_and(|c| c.len() == 10), "a YYYY-MM-DD cursor");

    // Preliminary rows first, all of them, without details.
    let SyncEvent::Orders { orders: first, .. } = &events[0] else {
        panic!("first event should be the list rows: {:?}", events[0]);
    };
    assert_eq!(first.len(), 40);
    assert!(first.iter().all(|o| !o.detail_loaded));

    let all = latest(&events);
    assert_eq!(all.len(), 40);
    assert!(
        all.values()
            .all(|o| o.detail_loaded && o.raw.is_some() && !o.customer.is_empty())
    );
    for id in sim.order_ids() {
        let o = &all[&id];
        assert_eq!(Some(o.status.raw.clone()), sim.status_of(&id));
        assert_eq!(o.log.len(), sim.log_of(&id).len(), "order {id}");
    }
    let progress: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SyncEvent::Progress { done, total, .. } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(progress.first(), Some(&(0, 40)));
    assert_eq!(progress.last(), Some(&(40, 40)));
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));

    // 1 + N requests.
    assert_eq!(sim.requests("orders"), 1);
    assert_eq!(sim.requests("order_info"), 40);
}

#[tokio::test]
async fn second_poll_skips_unchanged_orders_and_resends_no_rows() {
    let (sim, running) = start(60).await;
    let h = handle(&running, false);
    let (first, _) = poll(&h).await;
    first.unwrap();
    let open = sim
        .order_ids()
        .iter()
        .filter(|id| {
            !matches!(
                sim.status_of(id).as_deref(),
                Some("delivered" | "cancelled")
            )
        })
        .count();
    assert!(open > 0, "seeded data has open orders");

    // Nothing changed: terminal orders are never re-read, and the open ones,
    // just read, wait for the background rotation.
    let (second, events) = poll(&h).await;
    let (summary, _) = second.unwrap();
    assert_eq!(summary.listed, 60);
    assert_eq!(summary.fetched, 0);
    assert_eq!(sim.requests("order_info"), 60);
    assert!(
        latest(&events).is_empty(),
        "no bare rows replace full orders, and nothing is re-sent"
    );
}

#[tokio::test]
async fn set_status_then_fetch_shows_status_and_portal_log_line() {
    let (sim, running) = start(20).await;
    let h = handle(&running, false);
    let id = sim
        .order_ids()
        .into_iter()
        .find(|id| sim.status_of(id).as_deref() == Some("new"))
        .expect("a new order");
    let order = h.reader.fetch_order(&id).await.unwrap();
    assert!(
        h.profile
            .availability(&order, ActionKind::Acknowledge)
            .is_available()
    );

    let message = write(&h, &order, ActionKind::Acknowledge, &[])
        .await
        .unwrap();
    assert_eq!(
        message,
        format!("Status changed to received for order {id}")
    );
    let after = h.reader.fetch_order(&id).await.unwrap();
    assert_eq!(after.status.raw, "received");
    let last = after.log.last().unwrap();
    assert_eq!(
        (last.kind, last.text.as_str()),
        (LogKind::System, message.as_str())
    );
    assert!(last.at.at.is_some(), "the portal's log time parses");

    let message = write(
        &h,
        &after,
        ActionKind::SetStatus,
        &[("status", "delivered")],
    )
    .await
    .unwrap();
    assert_eq!(
        message,
        format!("Status changed to delivered for order {id}")
    );
    let done = h.reader.fetch_order(&id).await.unwrap();
    assert!(done.status.terminal);
    let request = h
        .profile
        .validate(
            &after,
            ActionKind::SetStatus,
            &{
                let mut v = FormValues::default();
                v.set("status", "delivered");
                v
            },
            chrono::Utc::now(),
        )
        .unwrap();
    assert!(h.profile.effect_visible(&done, &request));
    assert!(!h.profile.effect_visible(&after, &request));

    let _ = write(&h, &done, ActionKind::Cancel, &[]).await.unwrap();
    assert_eq!(sim.status_of(&id).as_deref(), Some("cancelled"));
    assert_eq!(sim.writes(), 3);
    assert_eq!(sim.requests("set_status"), 3);
}

#[tokio::test]
async fn add_message_with_swedish_text_appears_in_the_log() {
    let (sim, running) = start(5).await;
    let h = handle(&running, false);
    let id = sim.order_ids()[2].clone();
    let order = h.reader.fetch_order(&id).await.unwrap();
    let text = "Port finns ej på Götgatan 3 & kunden vill = ring+sms <snart>\nrad två";
    let message = write(
        &h,
        &order,
        ActionKind::AddMessage,
        &[("type", "alert"), ("message", text)],
    )
    .await
    .unwrap();
    assert_eq!(message, format!("Message added to order {id}"));
    assert_eq!(
        sim.log_of(&id).last().unwrap(),
        &("alert".to_owned(), text.to_owned())
    );
    let after = h.reader.fetch_order(&id).await.unwrap();
    let last = after.log.last().unwrap();
    assert_eq!((last.kind, last.text.as_str()), (LogKind::Alert, text));
    let mut v = FormValues::default();
    v.set("type", "alert");
    v.set("message", text);
    let request = h
        .profile
        .validate(&order, ActionKind::AddMessage, &v, chrono::Utc::now())
        .unwrap();
    assert!(h.profile.effect_visible(&after, &request));
}

#[tokio::test]
async fn every_refusal_is_rejected_with_the_portal_message() {
    let (sim, running) = start(5).await;
    let h = handle(&running, false);
    let id = sim.order_ids()[0].clone();
    let order = h.reader.fetch_order(&id).await.unwrap();
    let mut ghost = order.clone();
    ghost.key.id = "999".into();

    let cases: Vec<(&Order, ActionRequest, &str, &str)> = vec![
        (
            &ghost,
            raw_request(ActionKind::SetStatus, &[("status", "active")]),
            "404",
            "No order with id 999",
        ),
        (
            &order,
            raw_request(ActionKind::SetStatus, &[("status", "done")]),
            "400",
            "Invalid status \"done\"; valid values are new, received, active, waiting, cancelled, delivered",
        ),
        (
            &order,
            raw_request(
                ActionKind::AddMessage,
                &[("type", "info"), ("message", "x")],
            ),
            "400",
            "Invalid type \"info\"; valid values are error, alert, system, log",
        ),
        (
            &order,
            raw_request(ActionKind::AddMessage, &[("type", "log")]),
            "400",
            "Missing parameter: message",
        ),
        (
            &order,
            raw_request(ActionKind::SetStatus, &[]),
            "400",
            "Missing parameter: status",
        ),
    ];
    for (target, request, code, message) in cases {
        let err = execute(&h, target, &request).await.unwrap_err();
        assert_eq!(
            err,
            CarrierError::Rejected {
                code: code.into(),
                message: message.into()
            },
            "{request:?}"
        );
        assert!(!err.outcome_unknown());
    }

    let stranger =
        registry::build(&Config::empty(), &carrier_config(&running, "9999"), false).unwrap();
    let err = execute(
        &stranger,
        &order,
        &raw_request(ActionKind::SetStatus, &[("status", "active")]),
    )
    .await
    .unwrap_err();
    let CarrierError::Rejected { code, message } = err else {
        panic!("rejected expected: {err:?}");
    };
    assert_eq!(code, "403");
    assert!(message.contains("api_user 9999"), "{message}");
    // For reads, the same refusal is an auth failure.
    let err = stranger.reader.fetch_order(&id).await.unwrap_err();
    assert_eq!(err.category(), "auth");
    assert_eq!(
        sim.status_of(&id),
        Some(order.status.raw.clone()),
        "nothing changed"
    );
}

#[tokio::test]
async fn a_carrier_that_is_down_fails_the_poll() {
    let (sim, running) = start(5).await;
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let h = handle(&running, false);
    let (result, events) = poll(&h).await;
    let err = result.unwrap_err();
    assert_eq!(err.category(), "unavailable", "{err}");
    assert!(err.to_string().contains("Internal server error"), "{err}");
    assert!(latest(&events).is_empty());
    assert_eq!(sim.requests("order_info"), 0);
    // Reads were retried (the shared HTTP settings: 3 attempts).
    assert_eq!(sim.requests("orders"), 3);
}

#[tokio::test]
async fn malformed_bodies_fail_cleanly() {
    let (sim, running) = start(5).await;
    sim.set_faults(Faults {
        truncate_rate: 1.0,
        ..Faults::default()
    });
    let h = handle(&running, false);
    let err = h.reader.fetch_order(&sim.order_ids()[0]).await.unwrap_err();
    assert_eq!(err.category(), "protocol", "{err}");
    let (result, _) = poll(&h).await;
    assert_eq!(result.unwrap_err().category(), "protocol");
}

#[tokio::test]
async fn one_failing_order_is_reported_for_that_order_only() {
    let (sim, running) = start(12).await;
    let ids = sim.order_ids();
    sim.set_order_fault(&ids[3], Some(OrderFault::Truncated));
    sim.set_order_fault(&ids[5], Some(OrderFault::NotUtf8));
    sim.set_order_fault(&ids[7], Some(OrderFault::ServerError));
    let h = handle(&running, false);
    let (result, events) = poll(&h).await;
    let (summary, _) = result.expect("the poll itself succeeds");
    assert_eq!(
        (summary.listed, summary.fetched, summary.failed),
        (12, 9, 3)
    );
    let mut failed: Vec<(String, &'static str)> = events
        .iter()
        .filter_map(|e| match e {
            SyncEvent::OrderFailed { key, error } => Some((key.id.clone(), error.category())),
            _ => None,
        })
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        vec![
            (ids[3].clone(), "protocol"),
            (ids[5].clone(), "protocol"),
            (ids[7].clone(), "unavailable"),
        ]
    );
    let all = latest(&events);
    assert_eq!(all.values().filter(|o| o.detail_loaded).count(), 9);
    assert!(
        !all[&ids[3]].detail_loaded,
        "the failing order keeps its list row"
    );

    // Healed, the next poll fetches it again.
    sim.set_order_fault(&ids[3], None);
    let order = h.reader.fetch_order(&ids[3]).await.unwrap();
    assert!(order.detail_loaded);
}

#[tokio::test]
async fn read_only_session_sends_no_write() {
    let (sim, running) = start(10).await;
    let h = handle(&running, true);
    assert!(h.writer.is_none());
    let (result, events) = poll(&h).await;
    result.unwrap();
    let all = latest(&events);
    let id = sim.order_ids()[1].clone();
    let order = h.reader.fetch_order(&id).await.unwrap();
    let with_customer = h.reader.fetch_customer(&all[&id]).await.unwrap();
    assert!(with_customer.customer_loaded);
    // The profile still validates (the app decides), but nothing can send.
    let request = h
        .profile
        .validate(
            &order,
            ActionKind::SetStatus,
            &{
                let mut v = FormValues::default();
                v.set(
                    "status",
                    if order.status.raw == "waiting" {
                        "active"
                    } else {
                        "waiting"
                    },
                );
                v
            },
            chrono::Utc::now(),
        )
        .unwrap();
    assert!(request.preview.is_some());
    assert_eq!(sim.writes(), 0);
    assert_eq!(sim.requests("set_status") + sim.requests("add_message"), 0);
    assert!(sim.requests("order_info") > 10 && sim.requests("customer_info") == 1);
}

#[tokio::test]
async fn fetch_customer_adds_member() {
    let (sim, running) = start(5).await;
    let h = handle(&running, false);
    let order = h.reader.fetch_order(&sim.order_ids()[0]).await.unwrap();
    assert!(!order.customer_fields.iter().any(|(k, _)| k == "member"));
    let full = h.reader.fetch_customer(&order).await.unwrap();
    assert!(full.customer_loaded);
    assert!(
        full.customer_fields
            .contains(&("member".to_owned(), "1234".to_owned()))
    );
    for name in [
        "id",
        "socket",
        "serial",
        "firstname",
        "surname",
        "email",
        "address",
        "zip",
        "city",
        "phone",
        "premise",
    ] {
        assert!(
            full.customer_fields.iter().any(|(k, _)| k == name),
            "{name}"
        );
    }
    assert_eq!(full.customer, order.customer);
    assert_eq!(sim.requests("customer_info"), 1);
}

#[tokio::test]
async fn hostile_portal_text_is_sanitized() {
    let (sim, running) = start(30).await;
    let h = handle(&running, false);
    let hostile: Vec<String> = sim
        .order_ids()
        .into_iter()
        .filter(|id| sim.order_info_xml(id).is_some_and(|x| x.contains('\u{1b}')))
        .collect();
    assert!(!hostile.is_empty());
    for id in hostile {
        let order = h.reader.fetch_order(&id).await.unwrap();
        for entry in &order.log {
            assert!(
                !entry.text.chars().any(|c| c.is_control() && c != '\n'),
                "{:?}",
                entry.text
            );
        }
        assert!(
            order
                .log
                .iter()
                .any(|e| e.text.starts_with("Kunden ringde")
                    || e.text.starts_with("Tekniker noterar"))
        );
        assert!(!order.raw.as_deref().unwrap_or_default().contains('\u{1b}'));
    }
}

#[tokio::test]
async fn a_50_mb_body_is_refused_by_the_size_cap() {
    let big = Arc::new(vec![b'x'; 50 * 1000 * 1000]);
    let router = axum::Router::new().route(
        PATH,
        axum::routing::get(move || {
            let big = big.clone();
            async move {
                let mut body =
                    b"<order_info><orderinfo><status>new</status></orderinfo><pad>".to_vec();
                body.extend_from_slice(&big);
                body
            }
        }),
    );
    let running = orderdesk::sim::serve(router, 0).await.unwrap();
    let h = handle(&running, true);
    let err = h.reader.fetch_order("1").await.unwrap_err();
    let CarrierError::Protocol { what, .. } = &err else {
        panic!("protocol error expected: {err:?}");
    };
    assert!(what.contains("larger than"), "{what}");
}

#[tokio::test]
async fn detail_fetches_run_concurrently_but_bounded() {
    let (sim, running) = TgSim::spawn(
        SimOptions {
            orders: 24,
            faults: Faults {
                latency: Duration::from_millis(50),
                ..Faults::default()
            },
            ..SimOptions::default()
        },
        0,
    )
    .await
    .unwrap();
    let h = handle(&running, true); // max_concurrency = 4
    let (result, _) = poll(&h).await;
    assert_eq!(result.unwrap().0.fetched, 24);
    let peak = sim.max_in_flight();
    assert!((2..=4).contains(&peak), "peak in flight {peak}");
}
