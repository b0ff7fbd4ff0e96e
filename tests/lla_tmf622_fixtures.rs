//! LLA payloads parsed verbatim: every JSON example of document 003 (PR self
//! install and technician visit requests and responses, the unscheduled
//! order, JM Liberate and Cerillion, PA, the BSS error bodies), its
//! JobType table and description warnings, and every example of document
//! 004 (the PayLink request, its 200 answer and its error bodies). Request
//! bodies are the shapes orders come back in, so they are read as orders
//! too (with the id a response would add).

use std::sync::Arc;

use orderdesk::carriers::CarrierError;
use orderdesk::carriers::http::RawResponse;
use orderdesk::carriers::lla_tmf622::client::{Context, map_error};
use orderdesk::carriers::lla_tmf622::codes::{self, JOB_TYPES, Warning};
use orderdesk::carriers::lla_tmf622::normalize::{NO_STATE, to_order};
use orderdesk::carriers::lla_tmf622::profile::paylink_body;
use orderdesk::carriers::lla_tmf622::wire::{self, parse_detail, parse_order};
use orderdesk::domain::{Order, Schedule, Stage};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/lla_tmf622/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn response(market: &str, name: &str) -> Order {
    let text = fixture(name);
    let wire = parse_detail(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    to_order(&Arc::from("lla"), market, &wire, &text)
}

/// A request body read as the order it becomes (with an id).
fn request(market: &str, name: &str, id: &str) -> Order {
    let text = fixture(name);
    let mut value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let err = parse_order(&value).unwrap_err();
    assert!(err.contains("no id"), "{name}: {err}");
    value["id"] = json!(id);
    let wire = parse_order(&value).unwrap_or_else(|e| panic!("{name}: {e}"));
    to_order(&Arc::from("lla"), market, &wire, &text)
}

#[test]
fn pr_self_install_response() {
    let o = response("PR", "pr_self_install_response.json");
    assert_eq!(o.key.to_string(), "lla/PR-1200047552281013");
    assert_eq!(
        (o.status.raw.as_str(), o.status.stage),
        ("Acknowledged", Stage::New)
    );
    assert_eq!(o.schedule, Some(Schedule::Unscheduled));
    assert_eq!(o.schedule_text(), "unscheduled");
    assert_eq!(o.service, "self install · SF FIB-SELF RESTART");
    assert_eq!(o.customer, "DEV TESTING001");
    for (name, value) in [
        ("OrderReasonCode", "SF"),
        ("CampaignCode", "SIN"),
        ("RequestedFunction", "NEW"),
        ("CreditLimit", "100"),
        ("JobType", "SF FIB-SELF RESTART"),
        ("TelephoneNumberId", "9395455945"),
        ("InstallationType", "SelfInstall"),
        ("JobId", "00000000000028610001"),
        ("Technician", "0710"),
        ("JobNumber", "00000"),
        ("billingAccount", "190150638551501"),
        ("externalId", "0000000000002861"),
    ] {
        assert_eq!(o.field(name), Some(value), "{name}");
    }
    assert_eq!(o.items.len(), 10);
    // An unscheduled self install is normal.
    assert!(!o.needs_attention(), "{:?}", o.attention());
    assert!(
        o.raw
            .as_deref()
            .is_some_and(|r| r.contains("1200047552281013"))
    );
}

#[test]
fn pr_technician_visit_responses_scheduled_and_not() {
    let o = response("PR", "pr_technician_visit_response.json");
    assert_eq!(o.service, "technician visit · FN FTTH INSTALL");
    let Some(Schedule::Scheduled(at)) = &o.schedule else {
        panic!("scheduled: {:?}", o.schedule);
    };
    assert_eq!(at.raw, "2023-01-11T12:45:12.028Z");
    assert!(at.at.is_some());
    assert_eq!(o.schedule_text(), "2023-01-11");
    assert!(!o.needs_attention());

    // `installationType` in lower case, a JobComment note, the sentinel.
    let o = response("PR", "pr_unscheduled_response.json");
    assert_eq!(o.key.id, "PR-1200048006601012");
    assert_eq!(o.schedule, Some(Schedule::Unscheduled));
    assert_eq!(o.field("JobComment"), Some("click to call"));
    assert_eq!(o.field("salesRepId"), Some("54321"));
    assert_eq!(o.customer, "Maria Ulawoo");
    assert!(
        o.attention().iter().any(|a| a.code == "visit:unscheduled"),
        "an unscheduled technician visit must be booked: {:?}",
        o.attention()
    );
}

#[test]
fn jm_and_pa_responses() {
    let o = response("JM", "jm_liberate_response.json");
    assert_eq!(o.key.id, "JM-DJ0001H");
    assert_eq!(
        (o.status.raw.as_str(), o.status.stage),
        (NO_STATE, Stage::New)
    );
    assert_eq!(o.field("exchangeId"), Some("FLTV"));
    assert_eq!(
        o.customer_field("addrLine5"),
        Some("service address line 5")
    );
    assert_eq!(o.customer_field("addrPostCode"), Some("00000"));
    assert_eq!(
        o.field("description"),
        Some("Product Order illustration sample")
    );
    assert!(o.warnings.is_empty());
    assert_eq!(o.service, "VDC");

    let o = response("JM", "jm_cerillion_response.json");
    assert_eq!(o.key.id, "JM-4730301", "a number id");
    assert_eq!(o.status.stage, Stage::New);
    assert_eq!(o.schedule, None, "null requestedCompletionDate");
    assert_eq!(o.field("priority"), None);
    assert_eq!(o.customer_field("addrLine2"), Some("CONSTANT SPRING ROAD"));

    let o = response("PA", "pa_response.json");
    assert_eq!(o.key.id, "PA-FL0070H");
    assert_eq!(
        (o.status.raw.as_str(), o.status.stage),
        (NO_STATE, Stage::New)
    );
    for key in [
        "exchangeId_TP",
        "numberAreaCode_DS",
        "exchangeId_TI",
        "numberAreaCode_MO",
    ] {
        assert!(o.field(key).is_some(), "{key}");
    }
    assert_eq!(o.customer_field("addrType"), Some("Q"));
    assert_eq!(o.customer, "account 324063130000");
}

#[test]
fn request_bodies_read_as_orders() {
    let o = request("PR", "pr_self_install_request.json", "1");
    assert_eq!(o.field("JobType"), Some("FN FTTH INSTALL"));
    assert_eq!(o.field("billingAccount"), Some("#190150638551501"));
    assert_eq!(o.schedule, Some(Schedule::Unscheduled));
    let o = request("PR", "pr_technician_visit_request.json", "2");
    assert!(matches!(o.schedule, Some(Schedule::Scheduled(_))));
    let o = request("JM", "jm_liberate_request.json", "3");
    assert_eq!(o.customer_field("addrLine4"), Some("KINGSTON"));
    let o = request("JM", "jm_cerillion_request.json", "4");
    assert!(o.items[0].contains(&("discountGroupCode".into(), "B2BI2".into())));
    let o = request("PA", "pa_request.json", "5");
    assert_eq!(o.field("exchangeId_MO"), Some("PSC"));
}

#[test]
fn the_documents_broken_unscheduled_request_is_a_clear_error() {
    // The document shows this body with its first lines outside the object.
    let text = fixture("pr_unscheduled_request.txt");
    let err = parse_detail(text.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CarrierError::Protocol { what, .. } if what.contains("not JSON")),
        "{err:?}"
    );
    let err = wire::parse_list(text.as_bytes()).unwrap_err();
    assert_eq!(err.category(), "protocol");
}

#[test]
fn the_job_type_table_in_full() {
    let text = fixture("job_types.txt");
    let rows: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| (l[..2].to_owned(), l[2..].to_owned()))
        .collect();
    let ours: Vec<(String, String)> = JOB_TYPES
        .iter()
        .map(|(c, d)| ((*c).to_owned(), (*d).to_owned()))
        .collect();
    assert_eq!(ours, rows);
    for (code, description) in &rows {
        assert_eq!(codes::job_type_label(code), format!("{code} {description}"));
    }
    assert_eq!(codes::job_type_label("Q9"), "Q9");
}

#[test]
fn the_documents_description_warnings() {
    let text = fixture("description_warnings.txt");
    let found: Vec<Vec<Warning>> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(&format!("{{{}}}", l.trim_end_matches(',')))
                .unwrap_or_else(|e| panic!("{l}: {e}"));
            codes::warnings(v["description"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        found,
        [
            vec![Warning::ExistingCustomer],
            vec![Warning::Outage {
                declared: Some("13:24 01/02/23".into())
            }],
            vec![Warning::NoDates],
        ]
    );
    let mut o = response("PR", "pr_self_install_response.json");
    let mut raw: Value = serde_json::from_str(o.raw.as_deref().unwrap_or_default()).unwrap();
    for (line, code) in
        text.lines()
            .zip(["existing customer", "outage declared at 13:24", "no dates"])
    {
        let v: Value =
            serde_json::from_str(&format!("{{{}}}", line.trim_end_matches(','))).unwrap();
        raw["description"] = v["description"].clone();
        o = to_order(
            &Arc::from("lla"),
            "PR",
            &parse_order(&raw).unwrap(),
            &raw.to_string(),
        );
        assert!(o.needs_attention());
        assert!(
            o.warnings.iter().any(|w| w.contains(code)),
            "{:?}",
            o.warnings
        );
    }
}

fn raw(status: u16, name: &str) -> RawResponse {
    RawResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers: Default::default(),
        body: fixture(name).into_bytes(),
    }
}

#[test]
fn bss_error_bodies_are_decoded_and_explained() {
    for (name, code, explained) in [
        ("error_dro30e.json", "DRO30E", "conversation expired"),
        ("error_map15e.json", "MAP15E", "signed off"),
        ("error_jbe10e.json", "JBE10E", "time of day"),
    ] {
        let body = wire::parse_error(fixture(name).as_bytes()).expect(name);
        assert_eq!(body.code.as_deref(), Some("400"));
        let bss = codes::parse_bss(body.description.as_deref().unwrap_or_default()).expect(name);
        assert_eq!((bss.number.as_str(), bss.code.as_str()), ("2099", code));
        let CarrierError::Rejected { code: c, message } = map_error(&raw(400, name), Context::Read)
        else {
            panic!("{name}: rejected");
        };
        assert_eq!(c, "400");
        assert!(
            message.starts_with("Error Occurred during order provisioning"),
            "{message}"
        );
        assert!(
            message.contains(code) && message.contains(explained),
            "{message}"
        );
    }
}

#[test]
fn paylink_request_is_the_shape_we_send() {
    let sample: Value = serde_json::from_str(&fixture("paylink_request.json")).unwrap();
    let ours = paylink_body(
        "B2BSOFT payment Link for given Order goes here",
        "1234567-123445",
        "00163913",
    );
    // The same body but for our source system and the prose's `PayLink`.
    let mut expected = sample.clone();
    expected["channel"][0]["name"] = json!("orderdesk");
    expected["productOrderItem"][0]["payment"][0]["name"] = json!("PayLink");
    assert_eq!(ours, expected);
    assert_eq!(
        sample["productOrderItem"][0]["payment"][0]["name"],
        "Paylink"
    );
}

#[test]
fn paylink_answers_map_to_outcomes() {
    let ok: Value = serde_json::from_str(&fixture("paylink_200.json")).unwrap();
    assert_eq!(
        ok["description"],
        "Paylink Link Saved Successfully in Salesforce"
    );
    for (status, category, unknown) in [
        (400, "rejected", false),
        (401, "auth", false),
        (404, "rejected", false),
        (405, "rejected", false),
        (429, "rate-limited", false),
        (500, "unavailable", true),
        (501, "rejected", false),
    ] {
        let name = format!("paylink_{status}.json");
        let e = map_error(&raw(status, &name), Context::Write);
        assert_eq!(e.category(), category, "{name}: {e}");
        assert_eq!(e.outcome_unknown(), unknown, "{name}");
        if let CarrierError::Rejected { code, message } = &e {
            let body = wire::parse_error(fixture(&name).as_bytes()).unwrap();
            assert_eq!(code, &status.to_string());
            assert!(
                message.contains(body.message.as_deref().unwrap()),
                "{message}"
            );
            assert!(
                message.contains(body.description.as_deref().unwrap()),
                "{message}"
            );
        }
    }
}
