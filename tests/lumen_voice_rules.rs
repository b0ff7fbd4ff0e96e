//! The Voice dialogs' rules through the profile (what the UI calls): every
//! code the supplement and cancel dialogs check, at the edges, with an
//! injected clock. 2026-11-25 is a Wednesday; 2026-11-27 a Friday.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use orderdesk::carriers::CarrierProfile;
use orderdesk::carriers::lumen_voice::VoiceProfile;
use orderdesk::carriers::lumen_voice::normalize::to_order;
use orderdesk::carriers::lumen_voice::wire::VoiceOrder;
use orderdesk::domain::{
    ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FieldInput, FormValues,
    LogEntry, LogKind, Order, Stamp,
};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// Wednesday noon.
fn wed() -> DateTime<Utc> {
    at(2026, 11, 25, 12)
}

fn order_json(order_type: &str, status: &str, foc: Option<&str>) -> String {
    let foc = foc.map_or("null".to_owned(), |f| format!("\"{f}\""));
    format!(
        r#"{{"voiceOrderId":"21783942","orderType":"{order_type}","productId":2036,"status":"{status}",
        "createdDate":"2026-11-20T14:03:11Z","customerRequestDate":"2026-12-04T16:00:00Z","focDate":{foc},
        "tnList":["3035551234"],"rateCenter":"DENVER","state":"CO",
        "subscriber":{{"customerTypeIndicator":"R","firstName":"Maria","lastName":"Garcia"}},
        "serviceAddress":{{"streetNumber":"1801","streetName":"California","streetSuffix":"ST",
        "city":"Denver","state":"CO","zipCode":"80202"}}}}"#
    )
}

fn order(order_type: &str, status: &str, foc: Option<&str>) -> Order {
    let raw = order_json(order_type, status, foc);
    let value: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let voice = VoiceOrder::from_value(&value).expect("order");
    let instance: Arc<str> = "voice".into();
    to_order(&instance, &voice, &[], &raw, "[]")
}

fn lnp() -> Order {
    order("LNP", "in progress", Some("2026-12-07T00:00:00Z"))
}

fn profile() -> VoiceProfile {
    VoiceProfile::new(false)
}

fn values(order: &Order, changes: &[(&str, &str)]) -> FormValues {
    let form = profile()
        .form(order, ActionKind::Supplement)
        .expect("supplement form");
    let mut v = FormValues::from_form(&form);
    for (k, val) in changes {
        v.set(k, *val);
    }
    v
}

fn supplement(
    changes: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Result<ActionRequest, Vec<FieldError>> {
    let o = lnp();
    profile().validate(&o, ActionKind::Supplement, &values(&o, changes), now)
}

/// The (field, code) of the errors.
fn codes(result: Result<ActionRequest, Vec<FieldError>>) -> Vec<(Option<&'static str>, String)> {
    match result {
        Ok(r) => panic!("expected errors, got {:?}", r.preview),
        Err(errors) => errors
            .into_iter()
            .map(|e| (e.field, e.code.unwrap_or_default()))
            .collect(),
    }
}

fn date_code(date: &str, now: DateTime<Utc>) -> Option<String> {
    match supplement(&[("customerRequestDate", date)], now) {
        Ok(_) => None,
        Err(errors) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, Some("customerRequestDate"));
            errors[0].code.clone()
        }
    }
}

#[test]
fn request_date_edges() {
    let now = wed();
    // Format (20069) and empty (20067).
    assert_eq!(date_code("2026-12-01", now).as_deref(), Some("20069"));
    assert_eq!(
        date_code("2026-12-01T00:00:00.000Z", now).as_deref(),
        Some("20069")
    );
    assert_eq!(
        date_code("2026-12-01 00:00:00Z", now).as_deref(),
        Some("20069")
    );
    assert_eq!(date_code("", now).as_deref(), Some("20067"));
    // Past (20214), today (20068), tomorrow ok.
    assert_eq!(
        date_code("2026-11-24T23:59:59Z", now).as_deref(),
        Some("20214")
    );
    assert_eq!(
        date_code("2026-11-25T18:00:00Z", now).as_deref(),
        Some("20068")
    );
    assert_eq!(
        date_code("2026-11-25T08:00:00Z", now).as_deref(),
        Some("20068")
    );
    assert_eq!(date_code("2026-11-26T00:00:00Z", now), None);
    // Exactly 30 days ahead accepted, 31 refused (20213).
    assert_eq!(date_code("2026-12-25T23:59:59Z", now), None);
    assert_eq!(
        date_code("2026-12-26T00:00:00Z", now).as_deref(),
        Some("20213")
    );
}

#[test]
fn one_business_day_over_a_weekend() {
    let friday = at(2026, 11, 27, 9);
    assert_eq!(
        date_code("2026-11-28T16:00:00Z", friday).as_deref(),
        Some("20068")
    );
    // A Sunday is not one business day after a Friday.
    assert_eq!(
        date_code("2026-11-29T16:00:00Z", friday).as_deref(),
        Some("20068")
    );
    assert_eq!(date_code("2026-11-30T16:00:00Z", friday), None);
    // From a Sunday, Monday is the next business day.
    let sunday = at(2026, 11, 29, 9);
    assert_eq!(date_code("2026-11-30T16:00:00Z", sunday), None);
    assert_eq!(
        date_code("2026-11-29T23:00:00Z", sunday).as_deref(),
        Some("20068")
    );
}

#[test]
fn refusals_carry_the_documents_text_at_the_field() {
    let errors =
        supplement(&[("customerRequestDate", "2026-12-26T00:00:00Z")], wed()).expect_err("31 days");
    assert_eq!(
        errors,
        vec![FieldError::at(
            "customerRequestDate",
            Some("20213"),
            "Customer requested date should not exceed more than 30 days from todays date. Use format YYYY-MM-DDTHH:MM:SSZ. Allowed: Thu 2026-11-26 to Fri 2026-12-25 (UTC)."
        )]
    );
}

#[test]
fn residential_and_business_subscriber_rules() {
    let now = wed();
    assert_eq!(
        codes(supplement(&[("businessName", "Garcia LLC")], now)),
        [(Some("businessName"), "20005".to_owned())]
    );
    assert_eq!(
        codes(supplement(&[("lastName", "")], now)),
        [(Some("lastName"), "20003".to_owned())]
    );
    // Switching to business leaves the prefilled personal names out (they
    // belong to the old type), so only the missing business name is refused.
    assert_eq!(
        codes(supplement(&[("customerTypeIndicator", "B")], now)),
        [(Some("businessName"), "20004".to_owned())]
    );
    // Personal names typed for a business are sent, and refused.
    assert_eq!(
        codes(supplement(
            &[
                ("customerTypeIndicator", "B"),
                ("businessName", "Garcia LLC"),
                ("firstName", "Ana"),
            ],
            now
        )),
        [(Some("firstName"), "20006".to_owned())]
    );
    let ok = supplement(
        &[
            ("customerTypeIndicator", "B"),
            ("firstName", ""),
            ("lastName", ""),
            ("businessName", "Garcia Bakery"),
        ],
        now,
    )
    .expect("a valid business subscriber");
    assert_eq!(
        ok.preview.as_deref(),
        Some(
            "{\n  \"subscriber\": {\n    \"customerTypeIndicator\": \"B\",\n    \"businessName\": \"Garcia Bakery\"\n  }\n}"
        )
    );
}

#[test]
fn name_characters() {
    let now = wed();
    assert_eq!(
        codes(supplement(&[("firstName", "José")], now)),
        [(Some("firstName"), "20237".to_owned())]
    );
    assert_eq!(
        codes(supplement(&[("firstName", "J0hn")], now)),
        [(Some("firstName"), "20210".to_owned())]
    );
    assert_eq!(
        codes(supplement(&[("lastName", "Garcia!")], now)),
        [(Some("lastName"), "20211".to_owned())]
    );
    assert!(supplement(&[("lastName", "O'Brien-Smith")], now).is_ok());
}

#[test]
fn address_rules() {
    let now = wed();
    let one = |field: &str, value: &str| codes(supplement(&[(field, value)], now));
    assert_eq!(
        one("streetNumber", ""),
        [(Some("streetNumber"), "20007".to_owned())]
    );
    assert_eq!(
        one("streetName", " "),
        [(Some("streetName"), "20008".to_owned())]
    );
    assert_eq!(one("city", ""), [(Some("city"), "20010".to_owned())]);
    assert_eq!(one("state", "C"), [(Some("state"), "20011".to_owned())]);
    assert_eq!(one("state", "XX"), [(Some("state"), "20011".to_owned())]);
    assert_eq!(one("zipCode", ""), [(Some("zipCode"), "20012".to_owned())]);
    assert_eq!(
        one("zipCode", "8020"),
        [(Some("zipCode"), "20013".to_owned())]
    );
    assert_eq!(
        one("zipCode", "80202-1234"),
        [(Some("zipCode"), "20013".to_owned())]
    );
    assert_eq!(
        one("secondaryLocation", "SUITE 123456789012345"),
        [(Some("secondaryLocation"), "20014".to_owned())]
    );
    let ok = supplement(
        &[
            ("secondaryLocation", "SUITE 12345678901234"),
            ("state", "co"),
        ],
        now,
    )
    .expect("20 characters and a lower-case state are fine");
    let body: serde_json::Value =
        serde_json::from_str(ok.param("body").expect("body")).expect("json");
    assert_eq!(body["serviceAddress"]["state"], "CO");
    assert_eq!(
        body["serviceAddress"]["secondaryLocation"],
        "SUITE 12345678901234"
    );
    assert!(
        body.get("subscriber").is_none(),
        "only changed groups are sent"
    );
    assert!(body.get("customerRequestDate").is_none());
}

#[test]
fn several_errors_at_once_and_nothing_changed() {
    let errs = codes(supplement(
        &[
            ("customerRequestDate", "tomorrow"),
            ("zipCode", "abc"),
            ("firstName", ""),
        ],
        wed(),
    ));
    assert_eq!(
        errs,
        [
            (Some("customerRequestDate"), "20069".to_owned()),
            (Some("firstName"), "20003".to_owned()),
            (Some("zipCode"), "20013".to_owned()),
        ]
    );
    assert_eq!(codes(supplement(&[], wed())), [(None, "20048".to_owned())]);
}

#[test]
fn preview_is_the_body_sent() {
    let r = supplement(
        &[
            ("customerRequestDate", "2026-12-01T16:00:00Z"),
            ("streetNumber", "1805"),
        ],
        wed(),
    )
    .expect("valid");
    assert_eq!(r.action, ActionKind::Supplement);
    assert_eq!(r.param("voiceOrderId"), Some("21783942"));
    assert_eq!(r.preview.as_deref(), r.param("body"));
    assert_eq!(
        r.param("body"),
        Some(
            "{\n  \"customerRequestDate\": \"2026-12-01T16:00:00Z\",\n  \"serviceAddress\": {\n    \"streetNumber\": \"1805\",\n    \"streetName\": \"California\",\n    \"streetSuffix\": \"ST\",\n    \"city\": \"Denver\",\n    \"state\": \"CO\",\n    \"zipCode\": \"80202\"\n  }\n}"
        )
    );
    assert_eq!(
        r.summary,
        "supplement voice order 21783942: request date, service address"
    );
    assert_eq!(
        profile().confirmation(&lnp(), &r),
        ConfirmRule::YesNo("Send this supplement for LNP order 21783942 to Lumen?".into())
    );
}

#[test]
fn supplement_form_is_prefilled() {
    let form = profile()
        .form(&lnp(), ActionKind::Supplement)
        .expect("form");
    let ids: Vec<_> = form.fields.iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        [
            "customerRequestDate",
            "customerTypeIndicator",
            "firstName",
            "lastName",
            "businessName",
            "streetNumber",
            "streetName",
            "streetSuffix",
            "city",
            "state",
            "zipCode",
            "secondaryLocation"
        ]
    );
    let init = |id: &str| {
        form.fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.initial.as_str())
    };
    assert_eq!(init("customerRequestDate"), Some("2026-12-04T16:00:00Z"));
    assert_eq!(init("customerTypeIndicator"), Some("R"));
    assert_eq!(init("lastName"), Some("Garcia"));
    assert_eq!(init("zipCode"), Some("80202"));
    assert_eq!(form.fields[0].help.as_deref(), Some("YYYY-MM-DDTHH:MM:SSZ"));
    assert!(matches!(&form.fields[1].input, FieldInput::Choice { options } if options.len() == 2));
    assert_eq!(
        form.fields[11].input,
        FieldInput::Line { max_len: Some(20) }
    );
}

#[test]
fn supplement_only_for_in_flight_lnp() {
    let p = profile();
    assert_eq!(
        p.availability(&order("NEW", "in progress", None), ActionKind::Supplement),
        Availability::Unavailable(
            "supplement is only for in-flight LNP (port) orders; this is a NEW order".into()
        )
    );
    assert_eq!(
        p.availability(
            &order("DISCONNECT", "created", None),
            ActionKind::Supplement
        ),
        Availability::Unavailable(
            "supplement is only for in-flight LNP (port) orders; this is a DISCONNECT order".into()
        )
    );
    assert!(
        !p.availability(&order("LNP", "completed", None), ActionKind::Supplement)
            .is_available()
    );
    assert!(
        p.form(&order("NEW", "created", None), ActionKind::Supplement)
            .is_none()
    );
    assert!(
        p.availability(&lnp(), ActionKind::Supplement)
            .is_available()
    );
}

#[test]
fn cancel_rules() {
    let p = profile();
    let Availability::Unavailable(why) =
        p.availability(&order("NEW", "completed", None), ActionKind::Cancel)
    else {
        panic!("completed orders cannot be cancelled");
    };
    assert!(why.contains("20065") && why.contains("20238"), "{why}");
    let Availability::Unavailable(why) =
        p.availability(&order("LNP", "cancelled", None), ActionKind::Cancel)
    else {
        panic!("cancelled orders cannot be cancelled");
    };
    assert!(
        why.contains("(20108)") && why.contains("already been cancelled"),
        "{why}"
    );
    assert!(
        !p.availability(&order("NEW", "rejected", None), ActionKind::Cancel)
            .is_available()
    );
    for status in ["created", "in progress", "pending credit check"] {
        assert!(
            p.availability(&order("NEW", status, None), ActionKind::Cancel)
                .is_available()
        );
    }

    // FOC Monday 2026-11-30: the last day is Friday 2026-11-27.
    let foc_monday = order("LNP", "in progress", Some("2026-11-30T00:00:00Z"));
    let cancel = |o: &Order, now| p.validate(o, ActionKind::Cancel, &FormValues::default(), now);
    let ok = cancel(&foc_monday, at(2026, 11, 27, 23)).expect("Friday is the last day");
    assert_eq!(ok.param("body"), Some("{}"));
    assert_eq!(ok.preview.as_deref(), Some("{}"));
    for now in [at(2026, 11, 28, 1), at(2026, 11, 30, 1)] {
        let errors = cancel(&foc_monday, now).expect_err("too late");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, None);
        assert_eq!(errors[0].code.as_deref(), Some("20066"));
        assert!(
            errors[0]
                .message
                .starts_with("Unable to complete LNP (porting) cancel.")
        );
    }
    let form = p.form(&foc_monday, ActionKind::Cancel).expect("form");
    assert!(form.fields.is_empty());
    assert!(
        form.intro
            .iter()
            .any(|l| l.contains("FOC 2026-11-30, last day 2026-11-27")),
        "{:?}",
        form.intro
    );
    // Non-LNP orders have no FOC rule.
    let new = order("NEW", "in progress", Some("2026-11-30T00:00:00Z"));
    assert!(cancel(&new, at(2026, 11, 30, 1)).is_ok());
    assert_eq!(
        p.confirmation(&foc_monday, &ok),
        ConfirmRule::TypeToConfirm {
            prompt: "Cancelling voice order 21783942 cancels all its telephone numbers and cannot be undone. Type the order id to confirm.".into(),
            expected: "21783942".into(),
        }
    );
}

#[test]
fn other_actions_and_read_only() {
    let o = lnp();
    for action in [
        ActionKind::Acknowledge,
        ActionKind::SetStatus,
        ActionKind::AddMessage,
        ActionKind::AddPayLink,
    ] {
        assert_eq!(
            profile().availability(&o, action),
            Availability::Unavailable("not offered by this carrier".into())
        );
        assert!(profile().form(&o, action).is_none());
    }
    let ro = VoiceProfile::new(true);
    for action in [ActionKind::Cancel, ActionKind::Supplement] {
        assert_eq!(
            ro.availability(&o, action),
            Availability::Unavailable("read-only mode".into())
        );
        assert!(ro.form(&o, action).is_none());
        assert!(
            ro.validate(&o, action, &FormValues::default(), wed())
                .is_err()
        );
    }
}

#[test]
fn effects_become_visible() {
    let p = profile();
    let o = lnp();
    let cancel = p
        .validate(&o, ActionKind::Cancel, &FormValues::default(), wed())
        .expect("cancel");
    assert!(!p.effect_visible(&o, &cancel));
    assert!(p.effect_visible(&order("LNP", "cancelled", None), &cancel));

    let sup = supplement(&[("streetNumber", "1805")], wed()).expect("valid");
    assert!(!p.effect_visible(&o, &sup));
    // A 904 newer than the request shows it...
    let mut noticed = o.clone();
    noticed.log.push(LogEntry {
        at: Stamp::parsed(wed() + chrono::Duration::seconds(2)),
        kind: LogKind::Notification,
        source: "Lumen".into(),
        text: "904 Your LNP (porting) order action has been updated.".into(),
    });
    assert!(p.effect_visible(&noticed, &sup));
    // ...an older one does not...
    let mut old = o.clone();
    old.log.push(LogEntry {
        at: Stamp::parsed(wed() - chrono::Duration::days(1)),
        ..noticed.log[0].clone()
    });
    assert!(!p.effect_visible(&old, &sup));
    // ...and the changed fields do.
    let mut changed = o.clone();
    for (k, v) in changed.customer_fields.iter_mut() {
        if k == "streetNumber" {
            *v = "1805".into();
        }
    }
    assert!(p.effect_visible(&changed, &sup));
}
