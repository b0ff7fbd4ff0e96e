//! Every XML example of the Tjänsteguiden document (001), copied verbatim into
//! tests/fixtures/tjansteguiden/, parsed with exact field assertions; plus the
//! bad-input rules of the parser (no network here).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;
use orderdesk::carriers::CarrierError;
use orderdesk::carriers::http::RawResponse;
use orderdesk::carriers::tjansteguiden::{
    Direction, check, customer_fields, merge_customer, order_from_info, parse_orders, xml,
};
use orderdesk::domain::{LogKind, Order, Schedule, Stage};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/tjansteguiden/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn response(status: u16, body: &[u8]) -> RawResponse {
    RawResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers: HeaderMap::new(),
        body: body.to_vec(),
    }
}

fn utc(text: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc),
    )
}

fn carrier() -> Arc<str> {
    Arc::from("tg")
}

/// order_info through the same path the reader uses.
fn order_info(body: &[u8]) -> Result<Order, CarrierError> {
    let root = check(&response(200, body), &["order_info"], Direction::Read)?;
    order_from_info(&carrier(), Stockholm, "19530", &root)
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn order_info_example() {
    let order = order_info(&fixture("order_info.xml")).unwrap();
    assert_eq!(order.key.to_string(), "tg/19530");
    assert_eq!(order.kind, "tjansteguiden");
    assert_eq!(order.status.raw, "new");
    assert_eq!(order.status.stage, Stage::New);
    assert!(!order.status.terminal);
    assert_eq!(order.created.raw, "2015-10-06 12:39");
    assert_eq!(order.created.at, utc("2015-10-06T10:39:00Z"));
    assert_eq!(
        order.schedule,
        Some(Schedule::Scheduled(orderdesk::domain::Stamp::new(
            "2015-10-06 00:00",
            utc("2015-10-05T22:00:00Z")
        )))
    );
    assert_eq!(
        order.customer,
        "Test direktaktivering Test direktaktivering"
    );
    assert_eq!(order.service, "50/50 Mbit/s");
    assert_eq!(
        order.fields,
        pairs(&[
            ("date", "2015-10-06 12:39"),
            ("type", "order"),
            ("status", "new"),
            ("delivery", "2015-10-06 00:00"),
            ("provider", "T3"),
            ("service_id", "2440"),
            ("service", "50/50 Mbit/s"),
            ("category", "Privatpersoner: Internet / Via fiber"),
            ("service_uid", "12345678"),
            ("citynet", "Stadsnätsfabriken DEMO"),
            ("customer", "16745"),
        ])
    );
    assert_eq!(
        order.customer_fields,
        pairs(&[
            ("id", "16745"),
            ("socket", "65375"),
            ("serial", "197510116952"),
            ("firstname", "Test direktaktivering"),
            ("surname", "Test direktaktivering"),
            ("email", "jonas@eklundh.com"),
            ("address", "Test direktaktivering"),
            ("zip", "12345"),
            ("city", "Test direktaktivering"),
            ("message", "TESTBESTÄLLNING"),
            ("phone", "0703051947"),
            ("premise", "508-004-06-0302"),
        ])
    );

    assert_eq!(order.log.len(), 7);
    let kinds: Vec<_> = order.log.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            LogKind::System,
            LogKind::System,
            LogKind::System,
            LogKind::System,
            LogKind::System,
            LogKind::Error,
            LogKind::Log
        ]
    );
    assert_eq!(order.log[0].text, "Saved order");
    assert_eq!(order.log[0].source, "portal");
    assert_eq!(order.log[0].at.raw, "2015-10-06 12:39:00");
    assert_eq!(order.log[0].at.at, utc("2015-10-06T10:39:00Z"));
    assert_eq!(
        order.log[1].text,
        "Attaching order to existing customer (197510116952)"
    );
    assert_eq!(
        order.log[5].text,
        "API doesn't report the service as activated"
    );
    assert_eq!(
        order.log[6].text,
        "Found email address for XSP associated with service or company: order@t3.se"
    );

    assert_eq!(order.items.len(), 3);
    assert_eq!(
        order.items[0],
        pairs(&[("name", "invoice type"), ("value", "Autogiro")])
    );
    assert_eq!(
        order.items[1],
        pairs(&[("name", "monthly fee"), ("monthly", "222")])
    );
    assert_eq!(
        order.items[2],
        pairs(&[("name", "Just nu! Höstkampanj: HALVA PRISET I 6 MÅNADER! In")])
    );

    assert!(order.detail_loaded);
    assert!(!order.customer_loaded);
    let raw = order.raw.as_deref().unwrap();
    assert!(raw.starts_with("<order_info>\n   <orderinfo>\n      <date>2015-10-06 12:39</date>\n"));
    assert!(raw.contains("\n         <message>Saved order</message>\n"));
    // The error in the log makes a new order need attention.
    assert!(order.needs_attention());
    assert_eq!(order.attention()[0].code, "log:error");
}

#[test]
fn orders_example() {
    let root = check(
        &response(200, &fixture("orders.xml")),
        &["orders"],
        Direction::Read,
    )
    .unwrap();
    let rows = parse_orders(&root);
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    assert_eq!(
        (
            r.id.as_str(),
            r.kind.as_str(),
            r.date.as_str(),
            r.status.as_str(),
            r.service.as_str(),
            r.xsp.as_str(),
            r.delivery.as_str(),
            r.customer.as_str()
        ),
        (
            "19530",
            "order",
            "2015-10-06 11:48:00",
            "new",
            "2440",
            "31420",
            "2015-10-06 00:00:00",
            "16745"
        )
    );
    assert_eq!(rows[1].id, "19531");
    assert_eq!(rows[1].customer, "16746");
    let prelim = orderdesk::carriers::tjansteguiden::order_from_row(&carrier(), Stockholm, r);
    assert!(!prelim.detail_loaded);
    assert_eq!(prelim.key.to_string(), "tg/19530");
    assert_eq!(prelim.created.at, utc("2015-10-06T09:48:00Z"));
    assert_eq!(prelim.fields.len(), 8);
}

#[test]
fn customer_info_example_adds_member() {
    let root = check(
        &response(200, &fixture("customer_info.xml")),
        &["customer_info"],
        Direction::Read,
    )
    .unwrap();
    let fields = customer_fields(&root).unwrap();
    assert_eq!(
        fields,
        pairs(&[
            ("id", "16745"),
            ("socket", "65375"),
            ("serial", "197510116952"),
            ("firstname", "Test direktaktivering"),
            ("surname", "Test direktaktivering"),
            ("email", "jonas@eklundh.com"),
            ("address", "Test direktaktivering"),
            ("zip", "12345"),
            ("city", "Test direktaktivering"),
            ("member", "1234"),
            ("message", "TESTBESTÄLLNING"),
            ("phone", "0703051947"),
            ("premise", "508-004-06-0302"),
        ])
    );
    let order = order_info(&fixture("order_info.xml")).unwrap();
    let merged = merge_customer(&order, fields);
    assert!(merged.customer_loaded);
    assert_eq!(merged.customer_fields.len(), 13);
    assert_eq!(
        merged.customer_fields.last().unwrap(),
        &("member".to_owned(), "1234".to_owned())
    );
}

#[test]
fn customers_example_parses() {
    let root = xml::parse(&fixture("customers.xml")).unwrap();
    assert_eq!(root.name, "customers");
    let customers: Vec<_> = root.children_named("customer").collect();
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[0].text_of("surname"), Some("Testsson"));
    assert_eq!(customers[1].text_of("socket"), None);
    assert_eq!(customers[1].text_of("surname"), Some("Provsson"));
}

#[test]
fn set_status_example_is_success() {
    let root = check(
        &response(200, &fixture("set_status.xml")),
        &[],
        Direction::Write,
    )
    .unwrap();
    assert_eq!(
        root.find("message").map(|m| m.value()),
        Some("Status changed to delivered for order 1234")
    );
    assert_eq!(root.text_of("status"), Some("success"));
    // The same envelope with another status is a refusal.
    let refused = String::from_utf8(fixture("set_status.xml"))
        .unwrap()
        .replace("success", "error")
        .replace(
            "Status changed to delivered for order 1234",
            "Invalid status",
        );
    assert_eq!(
        check(&response(200, refused.as_bytes()), &[], Direction::Write).unwrap_err(),
        CarrierError::Rejected {
            code: "200".into(),
            message: "Invalid status".into()
        }
    );
}

// ---- bad input -----------------------------------------------------------

fn example() -> String {
    String::from_utf8(fixture("order_info.xml")).unwrap()
}

fn protocol_what(e: CarrierError) -> String {
    match e {
        CarrierError::Protocol { what, .. } => what,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn malformed_xml_is_a_protocol_error_with_excerpt() {
    let body = example().replace("</service>", "</servic>");
    let e = order_info(body.as_bytes()).unwrap_err();
    let CarrierError::Protocol { what, excerpt } = e else {
        panic!("protocol error expected");
    };
    assert!(what.contains("malformed XML"), "{what}");
    assert!(excerpt.contains("servic"), "{excerpt}");
}

#[test]
fn truncated_body_is_an_error() {
    let body = example();
    for cut in [1, 10, body.len() / 3, body.len() / 2, body.len() - 3] {
        let e = order_info(&body.as_bytes()[..cut]).unwrap_err();
        assert_eq!(e.category(), "protocol", "cut at {cut}: {e}");
    }
}

#[test]
fn missing_orderinfo_is_an_error_for_that_order() {
    let body = "<order_info><customer><id>1</id></customer></order_info>";
    let what = protocol_what(order_info(body.as_bytes()).unwrap_err());
    assert_eq!(what, "order_info for 19530 has no <orderinfo>");
}

#[test]
fn missing_optional_elements_are_absent() {
    let body = "<order_info><orderinfo><status>active</status></orderinfo></order_info>";
    let order = order_info(body.as_bytes()).unwrap();
    assert_eq!(order.status.stage, Stage::InProgress);
    assert!(order.customer.is_empty());
    assert!(order.log.is_empty() && order.items.is_empty() && order.customer_fields.is_empty());
    assert_eq!(order.schedule, None);
    assert!(order.created.is_empty());
}

#[test]
fn unknown_status_needs_attention_and_keeps_raw() {
    let body = example().replace("<status>new</status>", "<status>on_hold</status>");
    let order = order_info(body.as_bytes()).unwrap();
    assert_eq!(order.status.raw, "on_hold");
    assert_eq!(order.status.stage, Stage::NeedsAttention);
    assert!(!order.status.terminal);
    assert_eq!(order.attention()[0].code, "status:on_hold");
}

#[test]
fn terminal_statuses() {
    let order = order_info(
        example()
            .replace("<status>new</status>", "<status>delivered</status>")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (order.status.stage, order.status.terminal),
        (Stage::Done, true)
    );
    let order = order_info(
        example()
            .replace("<status>new</status>", "<status>cancelled</status>")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (order.status.stage, order.status.terminal),
        (Stage::Closed, true)
    );
}

#[test]
fn unparsable_dates_keep_raw_text_and_asap_delivery() {
    let body = example()
        .replace("<date>2015-10-06 12:39</date>", "<date>igår kl 12</date>")
        .replace(
            "<delivery>2015-10-06 00:00</delivery>",
            "<delivery>asap</delivery>",
        );
    let order = order_info(body.as_bytes()).unwrap();
    assert_eq!(order.created.raw, "igår kl 12");
    assert_eq!(order.created.at, None);
    assert_eq!(
        order.schedule,
        Some(Schedule::Scheduled(orderdesk::domain::Stamp::new(
            "asap", None
        )))
    );
    assert_eq!(order.schedule_text(), "asap");
}

#[test]
fn non_utf8_body_is_a_protocol_error() {
    let mut body = example().into_bytes();
    let at = body.iter().position(|&b| b == b'T').unwrap();
    body[at] = 0xff;
    let what = protocol_what(order_info(&body).unwrap_err());
    assert!(what.contains("not UTF-8"), "{what}");
}

#[test]
fn declared_latin1_body_is_decoded() {
    let text = example();
    let mut body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n".to_vec();
    body.extend(
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
    );
    let order = order_info(&body).unwrap();
    assert!(
        order
            .customer_fields
            .contains(&("message".to_owned(), "TESTBESTÄLLNING".to_owned()))
    );
    assert!(order.items[2][0].1.contains("MÅNADER"));
}

#[test]
fn escape_sequences_are_stripped_everywhere() {
    let body = example()
        .replace(
            "<firstname>Test direktaktivering</firstname>",
            "<firstname>Kalle\u{1b}]0;pwned\u{7}</firstname>",
        )
        .replace(
            "<surname>Test direktaktivering</surname>",
            "<surname>Test&#27;[2Jsson</surname>",
        )
        .replace("Saved order", "Saved\u{1b}[31m order\u{9b}2J\nline two");
    let order = order_info(body.as_bytes()).unwrap();
    assert_eq!(order.customer, "Kalle Testsson");
    assert_eq!(order.log[0].text, "Saved order\nline two");
    let raw = order.raw.unwrap();
    assert!(!raw.contains('\u{1b}') && !raw.contains('\u{7}') && !raw.contains('\u{9b}'));
    for (_, v) in order.customer_fields.iter().chain(order.fields.iter()) {
        assert!(!v.chars().any(char::is_control), "{v:?}");
    }
}

#[test]
fn empty_elements_are_empty_values() {
    let body = "<order_info><orderinfo><date/><status/><service/><service_id>2440</service_id><delivery/></orderinfo>\
                <customer><firstname/><surname/><id/></customer><logs><log><date/><message/><type/></log></logs>\
                <serviceinfo><data><name/></data><data/></serviceinfo></order_info>";
    let order = order_info(body.as_bytes()).unwrap();
    assert_eq!(order.status.raw, "(missing)");
    assert_eq!(order.status.stage, Stage::NeedsAttention);
    assert_eq!(order.service, "2440");
    assert_eq!(order.schedule, None);
    assert_eq!(order.customer, "");
    assert_eq!(order.log.len(), 1);
    assert_eq!(order.log[0].kind, LogKind::Log);
    assert_eq!(order.items, vec![pairs(&[("name", "")])]);
}

#[test]
fn unknown_log_type_keeps_the_type_in_the_text() {
    let body = example().replace("<type>error</type>", "<type>shout</type>");
    let order = order_info(body.as_bytes()).unwrap();
    assert_eq!(order.log[5].kind, LogKind::Log);
    assert_eq!(
        order.log[5].text,
        "[shout] API doesn't report the service as activated"
    );
}

#[test]
fn wrong_root_and_error_bodies() {
    let what = protocol_what(
        check(
            &response(200, &fixture("orders.xml")),
            &["order_info"],
            Direction::Read,
        )
        .unwrap_err(),
    );
    assert_eq!(what, "expected <order_info>, got <orders>");
    let body = b"<order_info><response><message>No order with id 5</message></response><status>error</status></order_info>";
    assert_eq!(
        check(&response(404, body), &["order_info"], Direction::Read).unwrap_err(),
        CarrierError::NotFound("No order with id 5".into())
    );
    assert_eq!(
        check(&response(404, body), &[], Direction::Write).unwrap_err(),
        CarrierError::Rejected {
            code: "404".into(),
            message: "No order with id 5".into()
        }
    );
    let e = check(
        &response(500, b"<html>oops</html>"),
        &["orders"],
        Direction::Read,
    )
    .unwrap_err();
    assert_eq!(e.category(), "unavailable");
    assert!(e.to_string().contains("500"), "{e}");
    let e = check(
        &response(
            403,
            b"<error><code>E7</code><message>Unknown api_user</message></error>",
        ),
        &["orders"],
        Direction::Read,
    )
    .unwrap_err();
    assert_eq!(
        e,
        CarrierError::Auth {
            code: Some("E7".into()),
            message: "Unknown api_user".into()
        }
    );
}

#[test]
fn ids_are_keyed_raw_so_an_escape_cannot_merge_two_orders() {
    let xml = "<orders><response>\
        <order><id>19530</id><status>new</status></order>\
        <order><id>19530\u{1b}[0m</id><status>active</status></order>\
        <order><id> 19531 </id><status>new</status></order>\
        <order><id></id><status>new</status></order>\
        </response></orders>";
    let root = check(&response(200, xml.as_bytes()), &["orders"], Direction::Read).unwrap();
    let rows = parse_orders(&root);
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["19530", "19530\u{1b}[0m", "19531"],
        "no row without an id"
    );
    let keys: Vec<String> = rows
        .iter()
        .map(|r| {
            orderdesk::carriers::tjansteguiden::order_from_row(&carrier(), Stockholm, r)
                .key
                .to_string()
        })
        .collect();
    assert_eq!(keys, ["tg/19530", "tg/19530\\u{1b}[0m", "tg/19531"]);
    // order_info keeps the id it was asked with, raw.
    let order = orderdesk::carriers::tjansteguiden::order_from_document(
        &carrier(),
        Stockholm,
        "19530\u{1b}[0m",
        &fixture("order_info.xml"),
    )
    .unwrap();
    assert_eq!(order.key.id, "19530\u{1b}[0m");
}
