//! Lumen Voice payloads parsed verbatim: the document's PartnerNotification
//! sample (with its broken comment and spaced closing tags) and TN-range
//! fragment, and the CONTRACTS shapes (order page, notifications, token,
//! errors) including the tolerant-reader variants.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use orderdesk::carriers::CarrierError;
use orderdesk::carriers::http::RawResponse;
use orderdesk::carriers::lumen_voice::client::{Context, map_error};
use orderdesk::carriers::lumen_voice::normalize::to_order;
use orderdesk::carriers::lumen_voice::wire::{self, Notification, parse_notifications, parse_page};
use orderdesk::carriers::lumen_voice::{notify, parse_partner_notification};
use orderdesk::carriers::oauth::parse_token_response;
use orderdesk::domain::{LogKind, Schedule, Stage};
use secrecy::ExposeSecret;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/lumen_voice/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn document_partner_notification_sample_parses() {
    let xml = fixture("partner_notification.xml");
    // The fixture is the document's sample, defects included.
    assert!(xml.contains("<!—Only for PON Level Notification à"));
    assert!(xml.contains("</ orderNumber >") && xml.contains("</ PartnerNotification >"));
    let p = parse_partner_notification(&xml).expect("the document's sample parses");
    assert_eq!(p.order_number.as_deref(), Some("API Voice Order Number"));
    assert_eq!(p.customer_number.as_deref(), Some("Customer Number"));
    assert_eq!(p.customer_name.as_deref(), Some("Customer Name"));
    assert_eq!(p.notifications.len(), 2, "{p:?}");
    let order_level = &p.notifications[0];
    assert_eq!(order_level.code, "123");
    assert_eq!(order_level.message.as_deref(), Some("…"));
    assert_eq!(order_level.rate_center, None);
    let pon_level = &p.notifications[1];
    assert_eq!(pon_level.rate_center.as_deref(), Some("Rate Center"));
    assert_eq!(pon_level.state.as_deref(), Some("CO"));

    let received = Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap();
    let entries = p.log_entries(received);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].text, "123 …");
    assert_eq!(entries[1].text, "123 … · rate center Rate Center CO");
    assert!(
        entries
            .iter()
            .all(|e| e.kind == LogKind::Notification && e.at.at == Some(received))
    );
}

#[test]
fn webhook_and_json_notifications_give_identical_log_entries() {
    let xml = r#"<?xml version="1.0"?>
<PartnerNotification>
<orderNumber>21783942</ orderNumber >
<customerNumber>2-B6-7890</customerNumber>
<customerName>Front Range Dental</customerName>
<voiceOrderStatus>
<notificationCode>903</notificationCode>
<notificationMessage>LNP (porting) order FOC (Firm Order Commitment) is scheduled. Please see FOC data provided.</notificationMessage>
</voiceOrderStatus>
<!—Only for PON Level Notification à
<rateCenterOrderStatus>
<rateCenter>DENVER</rateCenter>
<state>CO</state>
<notificationCode>10001</notificationCode>
<notificationMessage>Requested amount exceeds the 4 telephone numbers available.</notificationMessage>
</ rateCenterOrderStatus >
</ PartnerNotification >"#;
    let received = Utc.with_ymd_and_hms(2026, 11, 21, 10, 15, 0).unwrap();
    let from_xml = parse_partner_notification(xml)
        .expect("parses")
        .log_entries(received);
    let json = r#"{"notifications":[
      {"voiceOrderId":"21783942","notificationCode":"903","notificationMessage":"LNP (porting) order FOC (Firm Order Commitment) is scheduled. Please see FOC data provided.","createdDate":"2026-11-21T10:15:00Z"},
      {"voiceOrderId":"21783942","notificationCode":10001,"notificationMessage":"Requested amount exceeds the 4 telephone numbers available.","createdDate":"2026-11-21T10:15:00Z","rateCenter":"DENVER","state":"CO"}
    ]}"#;
    let (list, _) = parse_notifications(json.as_bytes()).expect("parses");
    let from_json: Vec<_> = list.iter().map(notify::log_entry).collect();
    assert_eq!(from_xml, from_json);
    assert!(
        from_json[1]
            .text
            .starts_with("10001 Requested amount exceeds the {ORDER_Telephone number_QTY}")
    );
    assert!(
        from_json[1]
            .text
            .contains(" · rate center DENVER CO · carrier: Requested amount exceeds the 4")
    );
}

#[test]
fn order_page_normalizes() {
    let body = fixture("order_status_page.json");
    let page = parse_page(body.as_bytes()).expect("page parses");
    assert_eq!(page.total_records, Some(3));
    assert_eq!(page.orders.len(), 3);
    let (notes, notes_raw) =
        parse_notifications(fixture("notifications.json").as_bytes()).expect("notifications");
    assert_eq!(notes.len(), 3);

    let instance: Arc<str> = "voice".into();
    let first = page.orders[0].order.as_ref().expect("first order reads");
    let order = to_order(&instance, first, &notes, &page.orders[0].raw, &notes_raw);
    assert_eq!(order.key.to_string(), "voice/21783942");
    assert_eq!(order.kind, "lumen-voice");
    assert_eq!(order.status.stage, Stage::InProgress);
    assert!(!order.status.terminal);
    assert_eq!(order.customer, "Front Range Dental");
    assert_eq!(
        order.service,
        "LNP port · Local Inbound · 3 TN · FOC 2026-12-02"
    );
    assert_eq!(order.schedule_text(), "2026-12-01");
    assert!(matches!(order.schedule, Some(Schedule::Scheduled(_))));
    assert_eq!(order.created.raw, "2026-11-20T14:03:11Z");
    let field = |name: &str| {
        order
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("focDate"), Some("2026-12-02T00:00:00Z"));
    assert_eq!(field("productId"), Some("2036"));
    assert_eq!(field("tnList"), Some("3035551234 3035551235 3035551236"));
    assert_eq!(
        field("losingCarrier"),
        Some("Acme Telecom"),
        "unknown fields kept"
    );
    assert!(
        order
            .customer_fields
            .contains(&("streetNumber".into(), "1801".into())),
        "number read as string"
    );
    assert_eq!(order.items.len(), 3);
    assert_eq!(order.items[2][0], ("tn".into(), "3035551236".into()));
    assert_eq!(order.log.len(), 3);
    assert!(order.log[1].text.starts_with("903 LNP (porting) order FOC"));
    assert!(order.log.windows(2).all(|w| w[0].at.at <= w[1].at.at));
    let attention: Vec<_> = order
        .carrier_attention
        .iter()
        .map(|a| a.code.as_str())
        .collect();
    assert_eq!(attention, ["notification:1807"]);
    assert!(order.needs_attention());
    assert!(order.carrier_attention[0].detail.contains("credit hold"));
    // Raw keeps the carrier's key order and both parts.
    let raw = order.raw.as_deref().expect("raw");
    let id_at = raw.find("\"voiceOrderId\"").expect("id in raw");
    let ext_at = raw.find("\"externalOrderId\"").expect("external id in raw");
    assert!(id_at < ext_at);
    assert!(raw.contains("\"notifications\": ["));
    serde_json::from_str::<serde_json::Value>(raw).expect("raw is JSON");

    // Tolerant reading: numeric id, string product, null FOC, no address,
    // escape sequences removed.
    let second = page.orders[1].order.as_ref().expect("second order reads");
    let o2 = to_order(&instance, second, &[], &page.orders[1].raw, "[]");
    assert_eq!(o2.key.id, "21783950");
    assert_eq!(o2.service, "NEW · ELS · 1 TN");
    assert_eq!((o2.status.stage, o2.status.terminal), (Stage::Done, true));
    assert_eq!(o2.customer, "Maria Garcia");
    assert!(!o2.customer_fields.iter().any(|(_, v)| v.contains('\u{1b}')));

    let third = page.orders[2].order.as_ref().expect("third order reads");
    let o3 = to_order(&instance, third, &[], &page.orders[2].raw, "[]");
    assert_eq!(o3.status.raw, "Pending Credit Check");
    assert_eq!(o3.status.stage, Stage::NeedsAttention);
    assert_eq!(o3.service, "INVENTORY · Local Inbound · 0 TN");
    assert_eq!(o3.schedule, None);
}

#[test]
fn broken_orders_do_not_break_the_page() {
    let body =
        br#"{"totalRecords":"2","orders":[{"orderType":"NEW"},"nonsense",{"voiceOrderId":"1"}]}"#;
    let page = parse_page(body).expect("page parses");
    assert_eq!(page.total_records, Some(2));
    assert!(page.orders[0].order.is_err());
    assert!(page.orders[1].order.is_err());
    assert!(page.orders[2].order.is_ok());
    assert!(matches!(
        parse_page(b"<html>502</html>"),
        Err(CarrierError::Protocol { .. })
    ));
    // A bare ORDER instead of a page.
    let one = parse_page(br#"{"voiceOrderId":"7","status":"created"}"#).expect("bare order");
    assert_eq!(one.orders.len(), 1);
}

#[test]
fn token_responses_with_number_and_string_lifetimes() {
    for name in ["token_number.json", "token_string.json"] {
        let (token, lifetime) =
            parse_token_response(fixture(name).as_bytes()).expect("token parses");
        assert_eq!(token.expose_secret(), "NNb28MBFtGdsobXZcldAxtrSYp9C");
        assert_eq!(
            lifetime,
            Some(std::time::Duration::from_secs(3599)),
            "{name}"
        );
    }
}

fn response(status: u16, body: String) -> RawResponse {
    RawResponse {
        status: reqwest::StatusCode::from_u16(status).expect("status"),
        headers: Default::default(),
        body: body.into_bytes(),
    }
}

#[test]
fn error_bodies_are_shown_verbatim() {
    let e = map_error(&response(400, fixture("error_20068.json")), Context::Write);
    assert_eq!(
        e,
        CarrierError::Rejected {
            code: "20068".into(),
            message: "Customer request date must be at least 1 day from date order is submitted. Please change the customer request date and resubmit".into(),
        }
    );
    let e = map_error(
        &response(400, fixture("error_numeric_code.json")),
        Context::Write,
    );
    assert_eq!(
        e,
        CarrierError::Rejected {
            code: "20014".into(),
            message: "Secondary location exceeds 20 character limit.; 20013 Zip code must be a 5-digit numeric value.".into(),
        }
    );
    let e = map_error(&response(403, fixture("error_403006.json")), Context::Read);
    assert_eq!(
        e,
        CarrierError::Auth {
            code: Some("403006".into()),
            message: "Token expired".into()
        }
    );
}

#[test]
fn document_tn_range_fragment_reads_numbers_as_text() {
    let fragment = fixture("doc_tn_range.json.fragment");
    let value: serde_json::Value =
        serde_json::from_str(&format!("{{{fragment}}}")).expect("fragment is JSON members");
    assert_eq!(
        wire::scalar(value.get("startTN")).as_deref(),
        Some("18008719244")
    );
    assert_eq!(
        wire::scalar(value.get("endTN")).as_deref(),
        Some("18008719254")
    );
}

#[test]
fn notifications_tolerate_shapes() {
    let (list, raw) = parse_notifications(br#"{"notifications":null}"#).expect("null list");
    assert!(list.is_empty());
    assert_eq!(raw, "[]");
    let (list, _) =
        parse_notifications(br#"[{"notificationCode":"902"},{"notificationMessage":"no code"}]"#)
            .expect("bare array");
    assert_eq!(
        list,
        vec![Notification {
            code: "902".into(),
            ..Default::default()
        }]
    );
}
