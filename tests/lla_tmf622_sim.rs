//! The LLA adapter against the LLA simulator on loopback: paging past the
//! simulator's `limit` cap in every market with a fresh correlation id per
//! request, a failing market (503 / 429 with `Retry-After`, 500, a hang)
//! named while the others carry on (its known orders marked stale until it
//! answers again), a detail answering a 2099 error that
//! marks only its order, a lying total, wrong credentials, the PayLink
//! round trip and each of its error answers, and read-only mode (no
//! writer).

use std::collections::HashSet;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use orderdesk::carriers::lla_tmf622::LlaConfig;
use orderdesk::carriers::{CarrierError, CarrierHandle, PollSummary, SyncEvent, SyncSink};
use orderdesk::config::{CarrierConfig, Config, SecretSource};
use orderdesk::domain::{ActionKind, ActionRequest, Availability, FormValues, Order, Stage};
use orderdesk::registry::build;
use orderdesk::sim::RunningSim;
use orderdesk::sim::lla_tmf622::{Fault, Faults, LlaSim, LlaSimOptions, PathKind};

fn options(orders: usize) -> LlaSimOptions {
    LlaSimOptions {
        orders,
        seed: 21,
        now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
        ..LlaSimOptions::default()
    }
}

async fn start(opts: LlaSimOptions) -> (LlaSim, RunningSim, CarrierConfig) {
    let (sim, running) = LlaSim::spawn(opts, 0).await.expect("simulator starts");
    let config = sim.carrier_config("lla", &running.origin());
    (sim, running, config)
}

fn handle(config: &CarrierConfig, readonly: bool) -> CarrierHandle {
    build(&Config::empty(), config, readonly).expect("carrier builds")
}

type PollResult = Result<(PollSummary, Option<String>), CarrierError>;

async fn poll(handle: &CarrierHandle, cursor: Option<String>) -> (PollResult, Vec<Order>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sink = SyncSink::new(handle.name.clone(), tx);
    let result = handle.reader.poll(cursor, &sink).await;
    let mut orders = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let SyncEvent::Orders { orders: batch, .. } = event {
            orders.extend(batch);
        }
    }
    (result, orders)
}

fn keys(orders: &[Order]) -> HashSet<String> {
    orders.iter().map(|o| o.key.id.clone()).collect()
}

fn expected_keys(sim: &LlaSim) -> HashSet<String> {
    sim.orders()
        .iter()
        .map(|o| format!("{}-{}", o.market, o.id))
        .collect()
}

#[tokio::test]
async fn every_market_is_paged_past_the_limit_cap_with_fresh_correlation_ids() {
    let (sim, _run, config) = start(options(460)).await;
    let h = handle(&config, true);
    let (result, orders) = poll(&h, None).await;
    let (summary, cursor) = result.expect("poll succeeds");
    assert_eq!(keys(&orders), expected_keys(&sim));
    assert_eq!(summary.listed, 460);
    // 115 orders per market in pages of at most 50: three list calls each.
    assert_eq!(sim.requests(PathKind::List), 4 * 3);
    let ids = sim.hybris_correlation_ids();
    assert_eq!(
        ids.len(),
        sim.requests(PathKind::List) + sim.requests(PathKind::Detail)
    );
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "distinct"
    );
    // Every state, market and shape read: the data covers all stages.
    for stage in Stage::ALL {
        assert!(orders.iter().any(|o| o.status.stage == stage), "{stage:?}");
    }
    assert!(orders.iter().any(|o| o.status.raw == "no state yet"));

    // The next poll fetches again only the details that failed (a 2099
    // answer): nothing else changed.
    let broken = sim
        .orders()
        .iter()
        .filter(|o| o.detail_error.is_some())
        .count();
    assert!(broken > 0);
    let details = sim.requests(PathKind::Detail);
    let (result, again) = poll(&h, cursor).await;
    result.expect("second poll");
    assert_eq!(sim.requests(PathKind::Detail), details + broken);
    assert_eq!(again.len(), broken);
    assert!(again.iter().all(|o| o.fetch_error.is_some()));
}

#[tokio::test]
async fn a_failing_market_is_named_and_the_others_carry_on() {
    let (sim, _run, mut config) = start(options(80)).await;
    sim.set_faults(Faults {
        retry_after: Duration::from_secs(30),
        hang: Duration::from_secs(3),
        ..Faults::default()
    });
    config.timeout = Duration::from_millis(300);
    sim.force_market("JM", Some(Fault::Unavailable));
    sim.force_market("PA", Some(Fault::RateLimited));
    sim.force_market("CR", Some(Fault::Hang));
    let h = handle(&config, true);
    let (result, orders) = poll(&h, None).await;
    let err = result.expect_err("three markets fail");
    let text = err.to_string();
    for m in [
        "market JM: unavailable",
        "market PA: rate limited",
        "market CR: timed out",
    ] {
        assert!(text.contains(m), "{text}");
    }
    assert!(!text.contains("market PR"), "{text}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert!(!orders.is_empty());
    assert!(orders.iter().all(|o| o.key.id.starts_with("PR-")));
    let pr: HashSet<String> = expected_keys(&sim)
        .into_iter()
        .filter(|k| k.starts_with("PR-"))
        .collect();
    assert_eq!(keys(&orders), pr);

    // Healed, the next poll brings the other markets and does not re-read PR.
    for m in ["JM", "PA", "CR"] {
        sim.force_market(m, None);
    }
    let (result, more) = poll(&h, None).await;
    result.expect("healed");
    assert!(
        more.iter()
            .all(|o| !o.key.id.starts_with("PR-") || o.fetch_error.is_some())
    );
    let others = keys(&more)
        .into_iter()
        .filter(|k| !k.starts_with("PR-"))
        .count();
    assert_eq!(others + pr.len(), 80);

    // 500 on one market: named too.
    sim.force_market("PR", Some(Fault::ServerError));
    let h = handle(&config, true);
    let (result, orders) = poll(&h, None).await;
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("market PR: unavailable")
    );
    assert!(orders.iter().all(|o| !o.key.id.starts_with("PR-")));
}

/// A poll's orders and the keys it reported failed, with their errors.
async fn poll_failures(
    handle: &CarrierHandle,
) -> (PollResult, Vec<Order>, Vec<(String, CarrierError)>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sink = SyncSink::new(handle.name.clone(), tx);
    let result = handle.reader.poll(None, &sink).await;
    let (mut orders, mut failed) = (Vec::new(), Vec::new());
    while let Ok(event) = rx.try_recv() {
        match event {
            SyncEvent::Orders { orders: batch, .. } => orders.extend(batch),
            SyncEvent::OrderFailed { key, error } => failed.push((key.id, error)),
            _ => {}
        }
    }
    (result, orders, failed)
}

#[tokio::test]
async fn a_failing_markets_known_orders_are_marked_stale_until_it_answers() {
    let opts = LlaSimOptions {
        markets: vec!["PR".into(), "JM".into()],
        ..options(30)
    };
    let (sim, _run, config) = start(opts).await;
    let h = handle(&config, true);
    let (result, first, failed) = poll_failures(&h).await;
    result.expect("first poll");
    assert!(failed.is_empty(), "{failed:?}");
    let jm: HashSet<String> = keys(&first)
        .into_iter()
        .filter(|k| k.starts_with("JM-"))
        .collect();
    assert!(!jm.is_empty());

    // JM answers 503: each known JM order is marked stale, naming JM; no
    // PR order is.
    sim.force_market("JM", Some(Fault::Unavailable));
    let (result, _, failed) = poll_failures(&h).await;
    assert!(result.is_err());
    let marked: HashSet<String> = failed.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(marked, jm);
    for (_, e) in &failed {
        assert!(
            e.to_string().contains("stale: market JM did not answer"),
            "{e}"
        );
    }
    // Still down: marked again, nothing read.
    // (A PR order whose detail answers an error is read again every poll.)
    let retried = |orders: &[Order]| {
        orders
            .iter()
            .all(|o| o.key.id.starts_with("PR-") && o.fetch_error.is_some())
    };
    let (_, orders, failed) = poll_failures(&h).await;
    assert_eq!(failed.len(), jm.len());
    assert!(retried(&orders), "nothing changed: {:?}", keys(&orders));

    // Back: every JM order is read again (clearing its mark), PR is not.
    sim.force_market("JM", None);
    let (result, orders, failed) = poll_failures(&h).await;
    result.expect("healed");
    assert!(failed.is_empty(), "{failed:?}");
    let (jm_read, pr_read): (Vec<Order>, Vec<Order>) = orders
        .into_iter()
        .partition(|o| o.key.id.starts_with("JM-"));
    assert_eq!(keys(&jm_read), jm);
    assert!(retried(&pr_read), "{:?}", keys(&pr_read));
    let fresh = jm_read.iter().filter(|o| o.fetch_error.is_none()).count();
    assert!(fresh > 0, "the marks are cleared");
    let (_, orders, _) = poll_failures(&h).await;
    assert!(
        orders
            .iter()
            .all(|o| !o.key.id.starts_with("JM-") || o.fetch_error.is_some()),
        "read once after healing, then unchanged: {:?}",
        keys(&orders)
    );
}

#[tokio::test]
async fn a_detail_error_marks_its_order_not_the_carrier() {
    let (sim, _run, config) = start(options(40)).await;
    let broken: Vec<String> = sim
        .orders()
        .iter()
        .filter(|o| o.detail_error.is_some())
        .map(|o| format!("{}-{}", o.market, o.id))
        .collect();
    assert!(!broken.is_empty());
    let h = handle(&config, true);
    let (result, orders) = poll(&h, None).await;
    let (summary, _) = result.expect("the carrier is fine");
    assert_eq!(summary.failed, broken.len());
    for o in &orders {
        if broken.contains(&o.key.id) {
            let why = o.fetch_error.as_deref().unwrap_or_default();
            assert!(why.contains("2099"), "{why}");
            assert!(o.needs_attention());
        } else {
            assert_eq!(o.fetch_error, None, "{}", o.key);
        }
    }
    let err = h.reader.fetch_order(&broken[0]).await.unwrap_err();
    assert_eq!(err.category(), "rejected", "{err}");
    let ok = h
        .reader
        .fetch_order("PR-1200047552281013")
        .await
        .expect("re-read");
    assert_eq!(ok.key.id, "PR-1200047552281013");
    let err = h.reader.fetch_order("XX-1").await.unwrap_err();
    assert!(
        err.to_string().contains("market XX is not configured"),
        "{err}"
    );
    let err = h.reader.fetch_order("PR-nope").await.unwrap_err();
    assert_eq!(err.category(), "not-found");
}

#[tokio::test]
async fn a_lying_total_and_a_repeated_page_end_the_list() {
    let (sim, _run, config) = start(options(40)).await;
    sim.lie_about_total(Some(1_000_000));
    sim.ignore_offset(true);
    let h = handle(&config, true);
    let (result, orders) = poll(&h, None).await;
    result.expect("ends");
    assert_eq!(keys(&orders), expected_keys(&sim));
    // One page, then its repeat, per market.
    assert_eq!(sim.requests(PathKind::List), 4 * 2);
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error_naming_the_markets() {
    let (_sim, _run, mut config) = start(options(8)).await;
    config.settings_mut::<LlaConfig>().client_secret =
        Some(SecretSource::Inline("wrong-secret".to_owned().into()));
    let h = handle(&config, true);
    let (result, orders) = poll(&h, None).await;
    let err = result.unwrap_err();
    assert_eq!(err.category(), "auth", "{err}");
    assert!(err.to_string().contains("market PR") && err.to_string().contains("market CR"));
    assert!(!err.to_string().contains("wrong-secret"));
    assert!(orders.is_empty());
}

fn open_order(orders: &[Order], market: &str) -> Order {
    orders
        .iter()
        .find(|o| o.key.id.starts_with(&format!("{market}-")) && o.status.stage.is_open())
        .cloned()
        .expect("an open order")
}

fn paylink_request(h: &CarrierHandle, order: &Order, link: &str) -> ActionRequest {
    let form = h
        .profile
        .form(order, ActionKind::AddPayLink)
        .expect("pay link offered");
    let mut values = FormValues::from_form(&form);
    values.set("link", link);
    h.profile
        .validate(order, ActionKind::AddPayLink, &values, Utc::now())
        .expect("valid")
}

#[tokio::test]
async fn paylink_round_trip_with_fresh_correlation_ids() {
    let (sim, _run, config) = start(options(24)).await;
    let h = handle(&config, false);
    let (result, orders) = poll(&h, None).await;
    result.expect("poll");
    let order = open_order(&orders, "PR");
    let request = paylink_request(&h, &order, "https://pay.example/l/77");
    let writer = h.writer.as_ref().expect("writable");
    let receipt = writer.execute(&order, &request).await.expect("saved");
    assert!(
        receipt.message.contains("Saved Successfully"),
        "{}",
        receipt.message
    );
    writer.execute(&order, &request).await.expect("saved again");
    let saved = sim.paylinks();
    assert_eq!(saved.len(), 2);
    let (_, id) = order.key.id.split_once('-').unwrap();
    assert_eq!((saved[0].market.as_str(), saved[0].id.as_str()), ("PR", id));
    assert_eq!(saved[0].link, "https://pay.example/l/77");
    assert_eq!(saved[0].name, "PayLink");
    assert_ne!(saved[0].correlation_id, saved[1].correlation_id);
    assert!(receipt.message.contains(&saved[0].correlation_id));
    // No read-back: the order does not show it.
    let fresh = h.reader.fetch_order(&order.key.id).await.expect("re-read");
    assert!(!h.profile.effect_visible(&fresh, &request));
}

#[tokio::test]
async fn paylink_error_answers() {
    let opts = LlaSimOptions {
        markets: vec!["PR".into(), "JM".into()],
        ..options(12)
    };
    let (sim, _run, config) = start(opts).await;
    sim.set_faults(Faults {
        retry_after: Duration::from_secs(7),
        ..Faults::default()
    });
    let h = handle(&config, false);
    let (result, orders) = poll(&h, None).await;
    result.expect("poll");
    let order = open_order(&orders, "PR");
    let (_, id) = order.key.id.split_once('-').unwrap();
    let id = id.to_owned();
    let good = paylink_request(&h, &order, "https://pay.example/x");
    let writer = h.writer.as_ref().expect("writable");
    let with = |name: &str, value: &str| {
        let mut r = good.clone();
        for p in r.params.iter_mut().filter(|(k, _)| k == name) {
            p.1 = value.to_owned();
        }
        r
    };

    // 400: document 004's rules.
    let bad_body = with("body", r#"{"channel":[],"productOrderItem":[]}"#);
    let e = writer.execute(&order, &bad_body).await.unwrap_err();
    assert!(
        matches!(&e, CarrierError::Rejected { code, .. } if code == "400"),
        "{e}"
    );
    assert!(!e.outcome_unknown());
    // 404: unknown order.
    let e = writer
        .execute(&order, &with("id", "999"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CarrierError::Rejected { code, message } if code == "404" && message.contains("could not be found")),
        "{e}"
    );
    // 501: a market the endpoint does not serve.
    let e = writer
        .execute(&order, &with("market", "CR"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CarrierError::Rejected { code, message } if code == "501" && message.contains("Business Id: CR")),
        "{e}"
    );
    // 429 and 503: not applied, retry after Retry-After.
    sim.force_order(&id, Some(Fault::RateLimited));
    let e = writer.execute(&order, &good).await.unwrap_err();
    assert_eq!(
        e,
        CarrierError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    sim.force_order(&id, Some(Fault::Unavailable));
    let e = writer.execute(&order, &good).await.unwrap_err();
    assert_eq!(e.category(), "unavailable");
    assert!(!e.outcome_unknown());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    // 500: unknown.
    sim.force_order(&id, Some(Fault::ServerError));
    let e = writer.execute(&order, &good).await.unwrap_err();
    assert!(e.outcome_unknown(), "{e}");
    assert!(sim.paylinks().is_empty(), "nothing saved so far");
    // A dropped answer after saving: unknown, and it was saved.
    sim.force_order(&id, Some(Fault::DropAfterApply));
    let e = writer.execute(&order, &good).await.unwrap_err();
    assert!(e.outcome_unknown(), "{e}");
    assert_eq!(sim.paylinks().len(), 1);
    sim.force_order(&id, None);
    // Every attempt carried its own correlation id.
    let ids = sim.b2bsoft_correlation_ids();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());

    // 401: wrong PayLink credentials, main ones still fine for reads.
    let mut wrong = config;
    wrong.settings_mut::<LlaConfig>().paylink_client_secret =
        Some(SecretSource::Inline("nope-nope".to_owned().into()));
    let h = handle(&wrong, false);
    let e = h
        .writer
        .as_ref()
        .unwrap()
        .execute(&order, &good)
        .await
        .unwrap_err();
    assert_eq!(e.category(), "auth", "{e}");
    assert!(!e.to_string().contains("nope-nope"));
}

#[tokio::test]
async fn read_only_builds_no_writer_and_post_to_a_list_is_405() {
    let (sim, run, config) = start(options(8)).await;
    let h = handle(&config, true);
    assert!(h.writer.is_none());
    let (result, orders) = poll(&h, None).await;
    result.expect("poll");
    let order = open_order(&orders, "PR");
    assert_eq!(
        h.profile.availability(&order, ActionKind::AddPayLink),
        Availability::Unavailable("read-only mode".into())
    );
    assert_eq!(sim.requests(PathKind::PayLink), 0);

    let response = reqwest::Client::new()
        .post(format!("{}/ecom-ux/v1/PR/productOrder", run.origin()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["message"], "APIKIT:METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn an_id_with_a_slash_travels_as_one_path_segment() {
    let (sim, _run, config) = start(options(4)).await;
    let mut template = sim.orders()[0].clone();
    assert_eq!(template.market, "PR");
    template.id = "7/../x".into();
    template.body["id"] = serde_json::json!("7/../x");
    template.detail_error = None;
    sim.insert_order(template);
    let h = handle(&config, true);
    let o = h.reader.fetch_order("PR-7/../x").await.expect("found");
    assert_eq!(o.key.id, "PR-7/../x");
    let e = h.reader.fetch_order("PR-..").await.unwrap_err();
    assert_eq!(e.category(), "protocol", "{e}");
}
