//! The Voice adapter against the Voice simulator on loopback: full and
//! incremental polls, token expiry mid-session with exactly one refresh per
//! expiry, refused tokens retried once then an auth error (no loop), bad
//! credentials and customer numbers, 429 / 503 / 504 faults, cancel and
//! supplement round trips with the document's refusal codes, and the
//! read-only proof (no writer, zero writes received).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use orderdesk::carriers::http::{Http, HttpSettings};
use orderdesk::carriers::lumen_voice::VoiceConfig;
use orderdesk::carriers::oauth::{SendKind, TokenCache, lumen_token_refused};
use orderdesk::carriers::{CarrierError, CarrierHandle, PollSummary, SyncEvent, SyncSink};
use orderdesk::config::{CarrierConfig, Config, SecretSource};
use orderdesk::domain::{ActionKind, ActionRequest, Availability, FormValues, Order, Stage};
use orderdesk::registry::build;
use orderdesk::sim::RunningSim;
use orderdesk::sim::lumen_voice::{
    Faults, PathKind, SimOrder, TokenRefusal, VoiceSim, VoiceSimOptions,
};

/// Wednesday noon.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

fn options(orders: usize) -> VoiceSimOptions {
    VoiceSimOptions {
        orders,
        seed: 11,
        now: now(),
        ..VoiceSimOptions::default()
    }
}

async fn start(opts: VoiceSimOptions) -> (VoiceSim, RunningSim, CarrierConfig) {
    let (sim, running) = VoiceSim::spawn(opts, 0).await.expect("simulator starts");
    let config = sim.carrier_config("voice", &running.origin());
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

fn in_flight(o: &SimOrder) -> bool {
    matches!(
        o.status.as_str(),
        "created" | "in progress" | "pending credit check"
    )
}

/// A fixed LNP order for write tests.
fn lnp_order(id: &str, foc: Option<DateTime<Utc>>) -> SimOrder {
    SimOrder {
        external_order_id: Some("PO-1".into()),
        foc_date: foc,
        tn_list: vec!["3035551234".into(), "3035551235".into()],
        ..SimOrder::sample(id, "LNP", now())
    }
}

fn request(action: ActionKind, id: &str, body: &str) -> ActionRequest {
    ActionRequest {
        action,
        params: vec![
            ("voiceOrderId".into(), id.into()),
            ("body".into(), body.into()),
        ],
        summary: format!("{} {id}", action.as_str()),
        preview: Some(body.into()),
    }
}

#[tokio::test]
async fn full_poll_then_incremental_polls() {
    let (sim, _running, config) = start(options(200)).await;
    let h = handle(&config, false);
    let (result, orders) = poll(&h, None).await;
    let (summary, cursor) = result.expect("poll succeeds");
    assert_eq!(summary.listed, 200);
    assert_eq!(summary.fetched, 200);
    assert_eq!(summary.failed, 0);
    assert_eq!(orders.len(), 200);
    assert_eq!(sim.token_requests(), 1, "one token for the whole session");
    assert_eq!(sim.requests(PathKind::OrderStatus), 2, "two pages of 100");
    assert_eq!(sim.requests(PathKind::Notifications), 200);

    let sim_orders = sim.orders();
    // Every generated order arrives with its notifications and mapping.
    for so in &sim_orders {
        let o = orders
            .iter()
            .find(|o| o.key.id == so.voice_order_id)
            .expect("order reported");
        assert_eq!(o.key.to_string(), format!("voice/{}", so.voice_order_id));
        assert_eq!(o.status.raw, so.status);
        assert_eq!(o.log.len(), so.notifications.len());
        assert_eq!(o.items.len(), so.tn_list.len());
        if let Some(foc) = so.foc_date {
            assert!(
                o.service
                    .ends_with(&format!("FOC {}", foc.format("%Y-%m-%d"))),
                "{}",
                o.service
            );
        }
    }
    let stages: std::collections::HashSet<_> = orders.iter().map(|o| o.status.stage).collect();
    assert_eq!(stages.len(), 5, "all stages present: {stages:?}");
    let backorder = orders
        .iter()
        .find(|o| {
            o.carrier_attention
                .iter()
                .any(|a| a.code == "notification:10001")
        })
        .expect("a 10001 backorder question is in the demo data");
    assert!(backorder.needs_attention());
    assert!(orders.iter().any(|o| {
        o.carrier_attention
            .iter()
            .any(|a| a.code == "notification:1807")
    }));

    // Nothing changed: nothing reported; terminal orders are not re-read,
    // and open ones, just read, wait for the background rotation.
    let (result, orders) = poll(&h, cursor).await;
    let (_, cursor) = result.expect("second poll");
    assert!(orders.is_empty(), "{} orders reported", orders.len());
    assert_eq!(sim.requests(PathKind::Notifications), 200);
    assert_eq!(sim.token_requests(), 1);

    // A cancel changes one order: exactly that one is reported.
    let target = sim_orders
        .iter()
        .find(|o| in_flight(o) && o.order_type != "LNP")
        .expect("an in-flight order")
        .voice_order_id
        .clone();
    let writer = h.writer.clone().expect("writer");
    let order = h.reader.fetch_order(&target).await.expect("read one");
    writer
        .execute(&order, &request(ActionKind::Cancel, &target, "{}"))
        .await
        .expect("cancel accepted");
    let (result, orders) = poll(&h, cursor).await;
    result.expect("third poll");
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].key.id, target);
    assert_eq!(orders[0].status.stage, Stage::Closed);
}

#[tokio::test]
async fn token_expiry_mid_session_refreshes_once_per_expiry() {
    let (sim, _running, config) = start(options(30)).await;
    let h = handle(&config, false);
    poll(&h, None).await.0.expect("first poll");
    assert_eq!(sim.token_requests(), 1);
    sim.expire_tokens();
    poll(&h, None).await.0.expect("poll after expiry");
    assert_eq!(sim.token_requests(), 2);
    let id = sim.orders()[0].voice_order_id.clone();
    sim.expire_tokens();
    h.reader.fetch_order(&id).await.expect("read after expiry");
    assert_eq!(sim.token_requests(), 3);
    h.reader.fetch_order(&id).await.expect("read again");
    assert_eq!(sim.token_requests(), 3, "the fresh token is cached");
}

#[tokio::test]
async fn concurrent_requests_with_an_expired_token_refresh_once() {
    let (sim, running, _) = start(options(5)).await;
    let http = Http::new(HttpSettings {
        max_concurrency: 16,
        ..HttpSettings::default()
    })
    .expect("client");
    let opts = sim.options().clone();
    let cache = Arc::new(TokenCache::new(
        http.clone(),
        format!("{}/oauth/token", running.origin()),
        opts.client_id.clone(),
        opts.client_secret.clone().into(),
    ));
    let url = format!("{}/Voice/v1/Numbers/orderStatus", running.origin());
    let send = || {
        let cache = cache.clone();
        let http = http.clone();
        let url = url.clone();
        let customer = opts.customer_number.clone();
        async move {
            cache
                .send(
                    SendKind::Read,
                    || {
                        http.client()
                            .get(&url)
                            .header("x-customer-number", &customer)
                    },
                    lumen_token_refused,
                )
                .await
        }
    };
    assert!(send().await.expect("first").status.is_success());
    assert_eq!(sim.token_requests(), 1);
    sim.expire_tokens();
    let answers = futures::future::join_all((0..16).map(|_| send())).await;
    for a in answers {
        assert!(a.expect("sent").status.is_success());
    }
    assert_eq!(sim.token_requests(), 2, "one refresh for sixteen refusals");
    assert_eq!(cache.fetch_count(), 2);

    // A failed fetch is shared by everyone who waited for it.
    sim.set_faults(Faults {
        token_endpoint_refuses: true,
        ..Faults::default()
    });
    sim.expire_tokens();
    cache.invalidate().await;
    let answers = futures::future::join_all((0..16).map(|_| send())).await;
    for a in answers {
        assert_eq!(a.expect_err("refused").category(), "auth");
    }
    assert_eq!(
        sim.token_requests(),
        3,
        "one token request for sixteen callers"
    );
}

#[tokio::test]
async fn refused_tokens_are_retried_once_then_an_auth_error() {
    for (refusal, message) in [
        (TokenRefusal::Invalid, "Token validation failed"),
        (TokenRefusal::Expired, "Token expired"),
        (TokenRefusal::Unauthorized, "User authentication failed"),
    ] {
        let (sim, _running, config) = start(options(5)).await;
        let h = handle(&config, false);
        let id = sim.orders()[0].voice_order_id.clone();
        sim.set_faults(Faults {
            token_refusal: Some(refusal),
            ..Faults::default()
        });
        let e = h.reader.fetch_order(&id).await.expect_err("refused");
        let CarrierError::Auth { message: got, .. } = &e else {
            panic!("{refusal:?}: expected an auth error, got {e:?}");
        };
        assert_eq!(got, message);
        assert_eq!(sim.token_requests(), 2, "{refusal:?}: one refresh, no loop");
        assert_eq!(
            sim.requests(PathKind::OrderStatus),
            2,
            "{refusal:?}: one retry"
        );
        let e = poll(&h, None).await.0.expect_err("poll refused");
        assert_eq!(e.category(), "auth");
        assert_eq!(
            sim.token_requests(),
            3,
            "{refusal:?}: one more refresh per call"
        );
        assert_eq!(
            sim.requests(PathKind::Notifications),
            0,
            "poll stopped at once"
        );
    }
}

#[tokio::test]
async fn bad_credentials_and_customer_numbers_are_auth_errors() {
    let (sim, _running, config) = start(options(5)).await;
    let mut wrong = config.clone();
    wrong.settings_mut::<VoiceConfig>().client_secret =
        Some(SecretSource::Inline("not-the-secret".into()));
    let e = poll(&handle(&wrong, true), None)
        .await
        .0
        .expect_err("refused");
    assert_eq!(
        e,
        CarrierError::Auth {
            code: Some("invalid_client".into()),
            message: "User authentication failed".into()
        }
    );
    assert!(!e.to_string().contains("not-the-secret"));
    assert_eq!(sim.token_requests(), 1);
    assert_eq!(sim.requests(PathKind::OrderStatus), 0);

    for (customer, code) in [("1-ABC-23", "1403"), ("9-ZZZ-99", "1429")] {
        let mut c = config.clone();
        c.settings_mut::<VoiceConfig>().customer_number = Some(customer.into());
        let e = poll(&handle(&c, true), None).await.0.expect_err("refused");
        let CarrierError::Auth {
            code: Some(got),
            message,
        } = e
        else {
            panic!("expected auth for {customer}");
        };
        assert_eq!(got, code);
        assert!(message.starts_with("Customer number / Master BusOrg can not be found."));
    }
}

#[tokio::test]
async fn secret_from_a_command() {
    let (sim, _running, mut config) = start(options(3)).await;
    config.settings_mut::<VoiceConfig>().client_secret = Some(SecretSource::Command(format!(
        "printf '%s\\n' '{}'",
        sim.options().client_secret
    )));
    poll(&handle(&config, true), None)
        .await
        .0
        .expect("the command's stdout is the secret");
}

#[tokio::test]
async fn rate_limits_are_honoured_and_reported() {
    let (sim, _running, mut config) = start(options(10)).await;
    // One call at a time, so a retry is always the very next call.
    config.max_concurrency = 1;
    let h = handle(&config, true);
    // Every third call is refused with Retry-After: reads retry and succeed.
    sim.set_faults(Faults {
        rate_limit_every: Some(3),
        ..Faults::default()
    });
    let (result, orders) = poll(&h, None).await;
    result.expect("retried past the 429s");
    assert_eq!(orders.len(), 10);
    assert!(sim.requests(PathKind::Notifications) > 10);
    // Every call refused: the poll ends with the carrier's Retry-After.
    sim.set_faults(Faults {
        rate_limit_every: Some(1),
        ..Faults::default()
    });
    let e = poll(&h, None).await.0.expect_err("rate limited");
    assert_eq!(
        e,
        CarrierError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
}

#[tokio::test]
async fn unavailable_and_hanging_carrier() {
    let (sim, _running, config) = start(options(3)).await;
    let h = handle(&config, true);
    sim.set_faults(Faults {
        unavailable_rate: 1.0,
        ..Faults::default()
    });
    let e = poll(&h, None).await.0.expect_err("503");
    let CarrierError::Unavailable { code, message, .. } = &e else {
        panic!("expected unavailable, got {e:?}");
    };
    assert_eq!(code.as_deref(), Some("503001"));
    assert_eq!(message, "Service unavailable");
    assert!(e.is_transient());

    sim.set_faults(Faults {
        hang_rate: 1.0,
        hang: Duration::from_millis(30),
        ..Faults::default()
    });
    let e = poll(&h, None).await.0.expect_err("504");
    assert_eq!(e, CarrierError::Timeout("504002 Provider timed out".into()));
}

#[tokio::test]
async fn cancel_round_trip_and_refusals() {
    let (sim, _running, config) = start(options(5)).await;
    let h = handle(&config, false);
    let writer = h.writer.clone().expect("writer");
    let far = now() + chrono::Duration::days(12);
    sim.insert_order(lnp_order("900001", Some(far)));

    let order = h.reader.fetch_order("900001").await.expect("read");
    let req = h
        .profile
        .validate(
            &order,
            ActionKind::Cancel,
            &FormValues::default(),
            sim.now(),
        )
        .expect("cancel allowed");
    let receipt = writer.execute(&order, &req).await.expect("accepted");
    assert!(
        receipt.message.contains("status cancelled"),
        "{}",
        receipt.message
    );
    assert_eq!(sim.status("900001").as_deref(), Some("cancelled"));
    assert_eq!(
        sim.notifications("900001").last().map(|n| n.code.as_str()),
        Some("904")
    );
    let reread = h.reader.fetch_order("900001").await.expect("re-read");
    assert!(h.profile.effect_visible(&reread, &req));
    assert!(
        !h.profile
            .availability(&reread, ActionKind::Cancel)
            .is_available()
    );

    // The carrier's refusals, verbatim: cancelled again, completed, too late.
    let e = writer
        .execute(&order, &req)
        .await
        .expect_err("already cancelled");
    assert_eq!(
        e,
        CarrierError::Rejected {
            code: "20108".into(),
            message: "Provided order has already been cancelled and can not be cancelled again."
                .into()
        }
    );
    let mut done = lnp_order("900002", None);
    done.status = "completed".into();
    sim.insert_order(done);
    let e = writer
        .execute(&order, &request(ActionKind::Cancel, "900002", "{}"))
        .await
        .expect_err("completed");
    assert_eq!(
        e,
        CarrierError::Rejected {
            code: "20065".into(),
            message: "Order has been completed and can not be cancelled. If you require further assistance log into the servicer portal and create a ticket.".into()
        }
    );
    // FOC today (Wednesday): the last cancel day was Tuesday.
    sim.insert_order(lnp_order("900003", Some(now())));
    let late = h.reader.fetch_order("900003").await.expect("read");
    let local = h
        .profile
        .validate(&late, ActionKind::Cancel, &FormValues::default(), sim.now())
        .expect_err("the dialog refuses");
    assert_eq!(local[0].code.as_deref(), Some("20066"));
    let e = writer
        .execute(&late, &request(ActionKind::Cancel, "900003", "{}"))
        .await
        .expect_err("the carrier refuses too");
    let CarrierError::Rejected { code, message } = e else {
        panic!("expected a refusal");
    };
    assert_eq!(code, "20066");
    assert_eq!(message, local[0].message);
    let e = writer
        .execute(&order, &request(ActionKind::Cancel, "424242", "{}"))
        .await
        .expect_err("unknown");
    assert!(matches!(e, CarrierError::Rejected { ref code, .. } if code == "20054"));
    assert_eq!(sim.status("900003").as_deref(), Some("in progress"));
}

#[tokio::test]
async fn supplement_round_trip_and_refusals() {
    let (sim, _running, config) = start(options(5)).await;
    let h = handle(&config, false);
    let writer = h.writer.clone().expect("writer");
    sim.insert_order(lnp_order("900010", Some(now() + chrono::Duration::days(9))));
    let order = h.reader.fetch_order("900010").await.expect("read");
    let form = h
        .profile
        .form(&order, ActionKind::Supplement)
        .expect("supplement form");
    let mut values = FormValues::from_form(&form);
    values.set("streetNumber", "1805");
    values.set("secondaryLocation", "APT 4B");
    values.set("customerRequestDate", "2026-12-02T16:00:00Z");
    let req = h
        .profile
        .validate(&order, ActionKind::Supplement, &values, sim.now())
        .expect("valid");
    writer.execute(&order, &req).await.expect("accepted");
    let so = sim.order("900010").expect("still there");
    assert_eq!(so.address.street_number.as_deref(), Some("1805"));
    assert_eq!(so.address.secondary_location.as_deref(), Some("APT 4B"));
    assert_eq!(
        so.customer_request_date,
        Some(Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap())
    );
    assert_eq!(
        so.subscriber.last_name.as_deref(),
        Some("Garcia"),
        "not sent, kept"
    );
    assert_eq!(
        so.notifications.last().map(|n| n.code.as_str()),
        Some("904")
    );
    let reread = h.reader.fetch_order("900010").await.expect("re-read");
    assert!(h.profile.effect_visible(&reread, &req));
    assert!(reread.log.iter().any(|e| e.text.starts_with("904 ")));

    // The simulator checks the same rules with the same codes.
    let body = r#"{"customerRequestDate":"2026-12-26T16:00:00Z","serviceAddress":{"streetNumber":"1","streetName":"Main","city":"Denver","state":"XX","zipCode":"80202"}}"#;
    let e = writer
        .execute(&order, &request(ActionKind::Supplement, "900010", body))
        .await
        .expect_err("refused");
    assert_eq!(
        e,
        CarrierError::Rejected {
            code: "20213".into(),
            message: "Customer requested date should not exceed more than 30 days from todays date. Use format YYYY-MM-DDTHH:MM:SSZ.; 20011 Address state is missing or invalid. Please check your 2-digit state code and try again.".into()
        }
    );
    let e = writer
        .execute(&order, &request(ActionKind::Supplement, "900010", "{}"))
        .await
        .expect_err("empty");
    assert!(matches!(e, CarrierError::Rejected { ref code, .. } if code == "20048"));
    let new = sim
        .orders()
        .into_iter()
        .find(|o| o.order_type == "NEW" && in_flight(o))
        .expect("an in-flight NEW order");
    let e = writer
        .execute(
            &order,
            &request(
                ActionKind::Supplement,
                &new.voice_order_id,
                r#"{"customerRequestDate":"2026-12-02T16:00:00Z"}"#,
            ),
        )
        .await
        .expect_err("not LNP");
    assert_eq!(
        e,
        CarrierError::Rejected {
            code: "20109".into(),
            message: "Order number can not be found as a LNP order.".into()
        }
    );
}

#[tokio::test]
async fn a_write_with_an_expired_token_is_sent_again_once() {
    let (sim, _running, config) = start(options(5)).await;
    let h = handle(&config, false);
    let writer = h.writer.clone().expect("writer");
    sim.insert_order(lnp_order("900020", None));
    let order = h.reader.fetch_order("900020").await.expect("read");
    assert_eq!(sim.token_requests(), 1);
    sim.expire_tokens();
    let before = sim.notifications("900020").len();
    writer
        .execute(&order, &request(ActionKind::Cancel, "900020", "{}"))
        .await
        .expect("accepted after one refresh");
    assert_eq!(sim.token_requests(), 2);
    assert_eq!(sim.writes(), 2, "refused at the gate, then sent once more");
    assert_eq!(
        sim.notifications("900020").len(),
        before + 1,
        "applied once"
    );
}

#[tokio::test]
async fn read_only_builds_no_writer_and_sends_no_writes() {
    let (sim, _running, config) = start(options(60)).await;
    let h = handle(&config, true);
    assert!(h.writer.is_none());
    let (result, orders) = poll(&h, None).await;
    let (_, cursor) = result.expect("poll");
    assert_eq!(orders.len(), 60);
    for o in &orders {
        for action in [ActionKind::Cancel, ActionKind::Supplement] {
            assert_eq!(
                h.profile.availability(o, action),
                Availability::Unavailable("read-only mode".into())
            );
        }
    }
    poll(&h, cursor).await.0.expect("second poll");
    h.reader
        .fetch_order(&orders[0].key.id)
        .await
        .expect("read one");
    assert_eq!(sim.writes(), 0);
    assert_eq!(sim.requests(PathKind::Cancel), 0);
    assert_eq!(sim.requests(PathKind::Supplement), 0);
    let e = h.reader.fetch_order("00000000").await.expect_err("unknown");
    assert!(
        matches!(e, CarrierError::NotFound(ref m) if m.starts_with("20060")),
        "{e:?}"
    );
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_before_they_expire() {
    let (sim, _running, config) = start(VoiceSimOptions {
        token_lifetime: Duration::from_secs(1),
        ..options(3)
    })
    .await;
    let h = handle(&config, true);
    let id = sim.orders()[0].voice_order_id.clone();
    h.reader.fetch_order(&id).await.expect("first read");
    assert_eq!(sim.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.reader.fetch_order(&id).await.expect("second read");
    assert_eq!(
        sim.token_requests(),
        2,
        "renewed from expires_in (a string)"
    );
    assert_eq!(
        sim.requests(PathKind::OrderStatus),
        2,
        "no request was refused and retried"
    );
}

#[test]
fn build_refuses_incomplete_or_unresolvable_config() {
    let mut c = CarrierConfig::new("voice", "lumen-voice", "http://127.0.0.1:9");
    c.settings_mut::<VoiceConfig>().client_id = Some("id".into());
    c.settings_mut::<VoiceConfig>().client_secret = Some(SecretSource::Inline("s".into()));
    let e = build(&Config::empty(), &c, true).expect_err("no customer number");
    assert!(e.to_string().contains("needs customer_number"), "{e}");
    c.settings_mut::<VoiceConfig>().customer_number = Some("2-B6-7890".into());
    c.settings_mut::<VoiceConfig>().client_secret = Some(SecretSource::Env(
        "ORDERDESK_TEST_UNSET_VOICE_SECRET".into(),
    ));
    let e = build(&Config::empty(), &c, true).expect_err("unset variable");
    assert!(
        e.to_string()
            .contains("ORDERDESK_TEST_UNSET_VOICE_SECRET is not set"),
        "{e}"
    );
    c.settings_mut::<VoiceConfig>().client_secret = Some(SecretSource::Inline("s".into()));
    let h = build(&Config::empty(), &c, false).expect("builds without network");
    assert!(h.writer.is_some());
    assert_eq!(h.profile.kind(), "lumen-voice");
}

#[tokio::test]
async fn a_lying_total_with_the_same_page_every_time_stops_the_poll_and_says_so() {
    let (sim, _running, mut config) = start(options(30)).await;
    config.settings_mut::<VoiceConfig>().page_size = Some(10);
    let h = handle(&config, false);
    sim.set_lying_total(Some(1_000_000_000_000));
    let (result, orders) = tokio::time::timeout(Duration::from_secs(20), poll(&h, None))
        .await
        .expect("the poll ends");
    let (summary, cursor) = result.expect("the poll keeps what it read");
    assert_eq!(
        sim.requests(PathKind::OrderStatus),
        2,
        "page 2 repeats page 1"
    );
    assert_eq!(orders.len(), 10, "page 1's orders, once");
    assert_eq!(summary.listed, 10);
    assert_eq!(
        summary.warning.as_deref(),
        Some(
            "paging stopped at page 2: it repeats an earlier page (10 records read; \
             the carrier says 1000000000000 records)"
        )
    );
    assert!(cursor.is_some());

    // Told the truth again, the next poll reads every page and no warning.
    sim.set_lying_total(None);
    let (result, _) = poll(&h, cursor).await;
    let (summary, _) = result.expect("poll");
    assert_eq!(summary.listed, 30);
    assert_eq!(summary.warning, None);
    assert_eq!(sim.requests(PathKind::OrderStatus), 2 + 3);
}

#[tokio::test]
async fn a_dot_segment_id_is_never_sent_and_ids_are_keyed_raw() {
    let (sim, _running, config) = start(options(3)).await;
    sim.insert_order(lnp_order("..", None));
    sim.insert_order(lnp_order("900777", None));
    sim.insert_order(lnp_order("900777\u{1b}[0m", None));
    let h = handle(&config, false);
    let notifications = sim.requests(PathKind::Notifications);
    let (result, orders) = poll(&h, None).await;
    let (summary, _) = result.expect("poll");
    assert_eq!(summary.listed, 6);
    assert_eq!(summary.failed, 1, "the dot-segment order");
    assert_eq!(
        sim.requests(PathKind::Notifications) - notifications,
        5,
        "nothing asked about `..`"
    );
    let dots = orders
        .iter()
        .find(|o| o.key.id == "..")
        .expect("the `..` order is shown");
    assert_eq!(
        dots.fetch_error.as_deref(),
        Some(
            "order id \"..\" is a dot segment: it is never sent to the carrier \
             (a URL would resolve it away)"
        )
    );
    // Two orders whose ids differ only in an escape sequence stay two, and
    // the key shows the difference without the escape itself.
    let twins: Vec<&Order> = orders
        .iter()
        .filter(|o| o.key.id.starts_with("900777"))
        .collect();
    assert_eq!(twins.len(), 2);
    assert_ne!(twins[0].key, twins[1].key);
    let shown: Vec<String> = twins.iter().map(|o| o.key.to_string()).collect();
    assert!(shown.contains(&"voice/900777".to_owned()));
    assert!(shown.contains(&"voice/900777\\u{1b}[0m".to_owned()));

    // No cancel for `..`: the profile says why, the writer refuses before
    // anything is sent, and a re-read is refused the same way.
    let profile = h.profile.clone();
    assert_eq!(
        profile.availability(dots, ActionKind::Cancel),
        Availability::Unavailable(dots.fetch_error.clone().expect("why"))
    );
    let writer = h.writer.clone().expect("writer");
    let e = writer
        .execute(dots, &request(ActionKind::Cancel, "..", "{}"))
        .await
        .expect_err("refused");
    assert_eq!(e.category(), "local");
    assert!(!e.outcome_unknown());
    let e = writer
        .execute(dots, &request(ActionKind::Cancel, "", "{}"))
        .await
        .expect_err("refused");
    assert!(e.to_string().contains("empty order id"), "{e}");
    assert_eq!(sim.writes(), 0, "no request reached the carrier");
    let e = h.reader.fetch_order("..").await.expect_err("refused");
    assert_eq!(e.category(), "local");
    // The twin with the escape sequence is read and cancelled as itself.
    let twin = h
        .reader
        .fetch_order("900777\u{1b}[0m")
        .await
        .expect("read by its raw id");
    assert_eq!(twin.key.id, "900777\u{1b}[0m");
    writer
        .execute(&twin, &request(ActionKind::Cancel, "900777\u{1b}[0m", "{}"))
        .await
        .expect("cancelled");
    assert_eq!(sim.status("900777\u{1b}[0m").as_deref(), Some("cancelled"));
    assert_ne!(sim.status("900777").as_deref(), Some("cancelled"));
}
