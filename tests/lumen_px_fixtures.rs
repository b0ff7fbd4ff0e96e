//! Lumen PX payloads parsed verbatim: every JSON shape of CONTRACTS.md
//! "lumen-px" (the three request bodies, the lists, the detail, the token,
//! the error body) with the tolerant-reader variants, and every row of the
//! document's error table, copied from the document.

use std::sync::Arc;

use orderdesk::carriers::CarrierError;
use orderdesk::carriers::http::RawResponse;
use orderdesk::carriers::lumen_px::client::{map_error, token_refused};
use orderdesk::carriers::lumen_px::codes;
use orderdesk::carriers::lumen_px::normalize::to_order;
use orderdesk::carriers::lumen_px::wire::{parse_detail, parse_error, parse_list};
use orderdesk::carriers::oauth::parse_token_response;
use orderdesk::domain::Stage;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/lumen_px/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn resp(status: u16, body: &str) -> RawResponse {
    RawResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers: HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn request_bodies_have_the_contract_keys() {
    let new: serde_json::Value = serde_json::from_str(&fixture("new_orders_request.json")).unwrap();
    for key in [
        "partnerId",
        "salesCode",
        "fromDate",
        "toDate",
        "orderStatusSourceSystem",
    ] {
        assert!(new.get(key).is_some(), "{key}");
    }
    let open: serde_json::Value =
        serde_json::from_str(&fixture("open_orders_request.json")).unwrap();
    assert!(open.get("partnerId").is_some());
    let detail: serde_json::Value =
        serde_json::from_str(&fixture("order_detail_request.json")).unwrap();
    assert!(detail.get("salesCode").is_some() && detail.get("partnerOrderId").is_some());
}

#[test]
fn order_list_is_read_tolerantly() {
    let list = parse_list(fixture("orders_list.json").as_bytes()).expect("list parses");
    assert_eq!(list.len(), 4);
    assert!(list[3].order.is_err(), "an order without id is unusable");
    let name: Arc<str> = "px".into();

    let api = list[0].order.as_ref().unwrap();
    let o = to_order(&name, api, &[("pxNewOrders", &list[0].raw)]);
    assert_eq!(o.key.to_string(), "px/PX100001");
    assert_eq!(o.status.stage, Stage::InProgress);
    assert_eq!(o.field("sourceSystem"), Some("API"));
    assert_eq!(o.customer, "Maria Garcia");
    assert!(
        o.service.contains("Fiber internet 940 Mbps"),
        "{}",
        o.service
    );
    assert!(
        o.service.contains("1801 California St, Denver, CO, 80202"),
        "{}",
        o.service
    );
    assert!(o.created.at.is_some() && o.updated.as_ref().is_some_and(|u| u.at.is_some()));
    assert!(
        o.raw
            .as_deref()
            .is_some_and(|r| r.contains("\"pxNewOrders\""))
    );

    // Numbers for strings, nulls, lower-case status, unknown fields.
    let ui = list[1].order.as_ref().unwrap();
    let o = to_order(&name, ui, &[]);
    assert_eq!(o.status.raw, "Pending");
    assert_eq!(o.status.stage, Stage::NeedsAttention);
    assert_eq!(o.field("orderNumber"), Some("41000002"));
    assert_eq!(o.field("salesCode"), Some("1001"));
    assert_eq!(o.field("accountNumber"), None);
    assert_eq!(o.field("newField"), Some("ignored but kept"));
    assert_eq!(o.field("sourceSystem"), Some("UI"));
    assert_eq!(
        o.carrier_attention[0].detail,
        "the order is being worked and requires information from customer"
    );

    // No source field: the E prefix says Phone.
    let phone = list[2].order.as_ref().unwrap();
    let o = to_order(&name, phone, &[]);
    assert_eq!(o.field("sourceSystem"), Some("Phone"));
    assert!(o.status.terminal);
    assert!(!o.detail_loaded);
}

#[test]
fn detail_adds_line_items_and_newer_numbers() {
    let (order, raw) = parse_detail(fixture("order_detail.json").as_bytes()).expect("detail");
    let o = to_order(&"px".into(), &order, &[("pxOrderDetail", &raw)]);
    assert!(o.detail_loaded);
    assert_eq!(o.status.stage, Stage::Done);
    assert_eq!(o.field("accountNumber"), Some("398765499"));
    assert_eq!(o.field("orderNumber"), Some("41000099"));
    assert_eq!(o.field("telephoneNumber"), Some("6125550199"));
    // One product, then the two line items.
    assert_eq!(o.items.len(), 3);
    let line = &o.items[2];
    for (k, v) in [
        ("lineNumber", "2"),
        ("productCode", "MDM-C4000"),
        ("description", "Modem C4000"),
        ("action", "ADD"),
        ("status", "COMPLETED"),
    ] {
        assert!(line.iter().any(|(a, b)| a == k && b == v), "{k} {line:?}");
    }
}

#[test]
fn token_answer_with_string_lifetime() {
    let (token, lifetime) = parse_token_response(fixture("token.json").as_bytes()).unwrap();
    assert_eq!(token.expose_secret(), "px-token");
    assert_eq!(lifetime, Some(std::time::Duration::from_secs(3599)));
}

#[test]
fn contract_error_body() {
    let body = fixture("error_2245.json");
    let (code, message, tx) = parse_error(body.as_bytes());
    assert_eq!(code.as_deref(), Some("2245"));
    assert_eq!(
        message.as_deref(),
        Some("Invalid or missing Partner Id; TxId<...>")
    );
    assert_eq!(tx.as_deref(), Some("..."));
}

/// Every row of the document's table, as the document writes it, becomes
/// an error with its code, its message and the TxId; none of them is taken
/// for a refused token, and the table in the code is the document's.
#[test]
fn every_row_of_the_document_error_table() {
    let table = fixture("error_table.txt");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(1)
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 14);
    assert_eq!(codes::ERRORS.len(), rows.len());
    for row in rows {
        let (api, reason, status, code, message) = (row[0], row[1], row[2], row[3], row[4]);
        let known = codes::error(code).unwrap_or_else(|| panic!("{code} in the table"));
        assert_eq!((known.api, known.reason), (api, reason));
        assert_eq!(known.status.to_string(), status);
        assert_eq!(message, format!("{}; TxId<>", known.message));
        let with_tx = message.replace("TxId<>", "TxId<a1b2-c3>");
        let body = serde_json::json!({
            "status": known.status,
            "internalMessageCode": code,
            "message": with_tx,
        })
        .to_string();
        let r = resp(known.status, &body);
        assert!(!token_refused(&r), "{code}");
        assert_eq!(
            map_error(&r),
            CarrierError::Rejected {
                code: code.to_owned(),
                message: with_tx.clone()
            }
        );
        assert_eq!(parse_error(body.as_bytes()).2.as_deref(), Some("a1b2-c3"));
        // The code as a number is read the same.
        let numeric = body.replace(&format!("\"{code}\""), code);
        assert_eq!(parse_error(numeric.as_bytes()).0.as_deref(), Some(code));
    }
}
