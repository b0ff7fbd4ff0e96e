//! The portal's wire format: request URLs (one endpoint, GET, query
//! parameters), the error rule, and the mapping of each response body to
//! typed data and to the normalized [`Order`]. Pure functions over bytes; no
//! HTTP here (see `reader` and `writer`) and no panics on any input.
//!
//! # Error responses (the document shows none)
//! A response is a portal error when any of these holds:
//! - the root element is `<error>`;
//! - the root has a direct `<error>` child;
//! - the root has a direct `<status>` child whose text is not `success`
//!   (the envelope of the documented `set_status` answer);
//! - the HTTP status is not 2xx.
//!
//! The message is the first `<message>` in the body (else the `<error>`
//! text, else a sanitized excerpt of the body, else the HTTP reason); the
//! code is a `<code>` element when present, else the HTTP status number.
//! Mapping: 5xx -> `Unavailable`, 429 -> `RateLimited`; for reads 401/403 ->
//! `Auth` and 404 -> `NotFound`; everything else (and every refusal of a
//! write) -> `Rejected { code, message }`. A 2xx body that is neither an
//! error nor the expected root element is a `Protocol` error. The simulator
//! (`crate::sim::tjansteguiden`) answers errors as
//! `<METHOD><response><message>...</message></response><status>error</status></METHOD>`
//! with HTTP 400 / 403 / 404 / 500.
//!
//! # Mapping to orders
//! See the parent module docs: key = (carrier name, requested id), customer =
//! firstname + surname, service = `<service>` (else `service_id`), fields =
//! every `<orderinfo>` element in order plus `customer`, items = each
//! `<serviceinfo><data>`'s children, log = each `<log>`. Missing optional
//! elements are simply absent; unknown elements are ignored (but kept in
//! `fields` when inside `<orderinfo>`). All text is sanitized.

use std::sync::Arc;

use chrono_tz::Tz;
use reqwest::{StatusCode, Url};

use super::statuses;
use super::time::stamp;
use super::xml::{self, Element};
use crate::carriers::CarrierError;
use crate::carriers::http::RawResponse;
use crate::domain::{
    LogEntry, LogKind, Order, OrderKey, Schedule, Stamp, sanitize, sanitize_multiline,
};

/// Whether a response answers a read or a write (errors map differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Read,
    Write,
}

/// The endpoint URL with `params` as its query, encoded exactly as sent
/// (`application/x-www-form-urlencoded`: spaces as `+`, UTF-8 percent-escaped).
/// The query is `params` alone: whatever query or fragment `base` carries is
/// dropped, so no config can put a `method=` in front of a read.
pub fn url(base: &Url, params: &[(&str, &str)]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if !params.is_empty() {
        url.query_pairs_mut().extend_pairs(params);
    }
    url
}

/// The query string [`url`] sends for `params` (for previews).
pub fn query_string(base: &Url, params: &[(&str, &str)]) -> String {
    url(base, params).query().unwrap_or_default().to_owned()
}

/// An error the portal reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalError {
    pub code: Option<String>,
    pub message: String,
}

/// The error the portal reports in `root`, per the module docs' rule.
pub fn portal_error(root: &Element) -> Option<PortalError> {
    let code = root.find("code").map(|c| sanitize(c.value()));
    let message = || {
        root.find("message")
            .map(|m| sanitize(m.value()))
            .filter(|m| !m.is_empty())
    };
    if root.name == "error" {
        let text = message().unwrap_or_else(|| sanitize(root.value()));
        return Some(PortalError {
            code,
            message: text,
        });
    }
    if let Some(err) = root.child("error") {
        let text = message().unwrap_or_else(|| sanitize(err.value()));
        return Some(PortalError {
            code,
            message: text,
        });
    }
    if let Some(status) = root.child("status") {
        if !status.value().eq_ignore_ascii_case("success") {
            let text = message().unwrap_or_else(|| format!("status {}", sanitize(status.value())));
            return Some(PortalError {
                code,
                message: text,
            });
        }
    }
    None
}

/// Checks a response: HTTP status, body, error rule, and that the root
/// element is one of `expected_roots` (any root when empty).
pub fn check(
    resp: &RawResponse,
    expected_roots: &[&str],
    dir: Direction,
) -> Result<Element, CarrierError> {
    let parsed = xml::parse(&resp.body);
    if !resp.status.is_success() {
        let reported = parsed.as_ref().ok().and_then(portal_error);
        return Err(http_error(resp, reported, dir));
    }
    let root = parsed?;
    if let Some(err) = portal_error(&root) {
        return Err(CarrierError::Rejected {
            code: err.code.unwrap_or_else(|| resp.status.as_u16().to_string()),
            message: err.message,
        });
    }
    if !expected_roots.is_empty() && !expected_roots.contains(&root.name.as_str()) {
        return Err(CarrierError::protocol(
            format!(
                "expected <{}>, got <{}>",
                expected_roots.join("> or <"),
                sanitize(&root.name)
            ),
            &resp.body,
        ));
    }
    Ok(root)
}

fn http_error(resp: &RawResponse, reported: Option<PortalError>, dir: Direction) -> CarrierError {
    let status = resp.status;
    let code = reported
        .as_ref()
        .and_then(|r| r.code.clone())
        .unwrap_or_else(|| status.as_u16().to_string());
    let message = reported.map(|r| r.message).unwrap_or_else(|| {
        let CarrierError::Protocol { excerpt, .. } = CarrierError::protocol("", &resp.body) else {
            return String::new();
        };
        if excerpt.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {excerpt}")
        }
    });
    if status == StatusCode::TOO_MANY_REQUESTS {
        return CarrierError::RateLimited {
            retry_after: resp.retry_after(),
        };
    }
    if status.is_server_error() {
        return CarrierError::Unavailable {
            code: Some(code),
            message,
            retry_after: resp.retry_after(),
            sent: true,
        };
    }
    match (dir, status) {
        (Direction::Read, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => CarrierError::Auth {
            code: Some(code),
            message,
        },
        (Direction::Read, StatusCode::NOT_FOUND) => CarrierError::NotFound(message),
        _ => CarrierError::Rejected { code, message },
    }
}

/// One row of the `orders` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: String,
    pub kind: String,
    pub date: String,
    pub status: String,
    /// The service id (the list's `<service>`).
    pub service: String,
    pub xsp: String,
    pub delivery: String,
    pub customer: String,
    /// Every element of the row, in order, sanitized.
    pub fields: Vec<(String, String)>,
}

/// The rows of an `orders` answer (`<orders><response><order>`; `<order>`
/// directly under the root is accepted too). Rows without an id are skipped.
/// The id is the raw text (trimmed): sanitizing it could make two orders
/// one; it is escaped wherever a key is shown.
pub fn parse_orders(root: &Element) -> Vec<ListRow> {
    let direct = root.children_named("order");
    let nested = root
        .children_named("response")
        .flat_map(|r| r.children_named("order"));
    direct
        .chain(nested)
        .filter_map(|o| {
            let id = o.text_of("id")?.to_owned();
            if id.is_empty() {
                tracing::warn!("skipping an order row without an id");
                return None;
            }
            let get = |name: &str| o.text_of(name).map(sanitize).unwrap_or_default();
            Some(ListRow {
                kind: get("type"),
                date: get("date"),
                status: get("status"),
                service: get("service"),
                xsp: get("xsp"),
                delivery: get("delivery"),
                customer: get("customer"),
                fields: pairs(o),
                id,
            })
        })
        .collect()
}

/// Children of `el` as sanitized (name, value) pairs, in order.
fn pairs(el: &Element) -> Vec<(String, String)> {
    el.children
        .iter()
        .map(|c| (sanitize(&c.name), sanitize(c.value())))
        .collect()
}

/// `delivery` as a schedule: `asap` stays raw, empty means none.
pub fn schedule(raw: &str, tz: Tz) -> Option<Schedule> {
    let raw = raw.trim();
    if raw.is_empty() {
        None
    } else if raw.eq_ignore_ascii_case("asap") {
        Some(Schedule::Scheduled(Stamp::new("asap", None)))
    } else {
        Some(Schedule::Scheduled(stamp(raw, tz)))
    }
}

/// A preliminary order from a list row (`detail_loaded == false`).
pub fn order_from_row(carrier: &Arc<str>, tz: Tz, row: &ListRow) -> Order {
    let mut order = Order::new(
        OrderKey::new(carrier.clone(), row.id.clone()),
        super::KIND,
        statuses::status_of(&row.status),
    );
    order.created = stamp(&row.date, tz);
    order.service = row.service.clone();
    order.schedule = schedule(&row.delivery, tz);
    order.fields = row.fields.clone();
    order
}

/// The full order from an `order_info` answer for order `id`.
/// An `order_info` document as text (saved, or as the simulator renders it)
/// into an order: [`super::xml::parse`] then [`order_from_info`].
pub fn order_from_document(
    carrier: &Arc<str>,
    tz: Tz,
    id: &str,
    document: &[u8],
) -> Result<Order, CarrierError> {
    order_from_info(carrier, tz, id, &super::xml::parse(document)?)
}

pub fn order_from_info(
    carrier: &Arc<str>,
    tz: Tz,
    id: &str,
    root: &Element,
) -> Result<Order, CarrierError> {
    let info = root
        .child("orderinfo")
        .ok_or_else(|| CarrierError::Protocol {
            what: format!("order_info for {id} has no <orderinfo>"),
            excerpt: String::new(),
        })?;
    let raw_status = info.text_of("status").map(sanitize).unwrap_or_default();
    let status = if raw_status.is_empty() {
        statuses::status_of("(missing)")
    } else {
        statuses::status_of(&raw_status)
    };
    let mut order = Order::new(OrderKey::new(carrier.clone(), id), super::KIND, status);
    order.created = info
        .text_of("date")
        .map(|d| stamp(d, tz))
        .unwrap_or_default();
    order.schedule = info.text_of("delivery").and_then(|d| schedule(d, tz));
    order.service = info
        .text_of("service")
        .filter(|s| !s.is_empty())
        .or_else(|| info.text_of("service_id"))
        .map(sanitize)
        .unwrap_or_default();
    order.fields = pairs(info);

    if let Some(customer) = root.child("customer") {
        order.customer = display_name(customer);
        order.customer_fields = pairs(customer);
        if let Some(cid) = customer.text_of("id") {
            order.fields.push(("customer".into(), sanitize(cid)));
        }
    }
    if let Some(logs) = root.child("logs") {
        order.log = logs
            .children_named("log")
            .map(|l| log_entry(l, tz))
            .collect();
    }
    if let Some(service_info) = root.child("serviceinfo") {
        order.items = service_info
            .children_named("data")
            .map(pairs)
            .filter(|item| !item.is_empty())
            .collect();
    }
    order.raw = Some(xml::pretty(root));
    order.detail_loaded = true;
    Ok(order)
}

fn display_name(customer: &Element) -> String {
    let first = customer.text_of("firstname").unwrap_or_default();
    let last = customer.text_of("surname").unwrap_or_default();
    sanitize(format!("{first} {last}").trim())
}

fn log_entry(log: &Element, tz: Tz) -> LogEntry {
    let message = sanitize_multiline(log.text_of("message").unwrap_or_default());
    let raw_type = log.text_of("type").unwrap_or_default();
    let (kind, text) = match log_kind(raw_type) {
        Some(kind) => (kind, message),
        None => (LogKind::Log, format!("[{}] {message}", sanitize(raw_type))),
    };
    LogEntry {
        at: log
            .text_of("date")
            .map(|d| stamp(d, tz))
            .unwrap_or_default(),
        kind,
        source: "portal".into(),
        text,
    }
}

/// The log kind of a portal message type; an empty type is `log`, an
/// unknown one is `None`.
pub fn log_kind(raw: &str) -> Option<LogKind> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "log" => Some(LogKind::Log),
        "error" => Some(LogKind::Error),
        "alert" => Some(LogKind::Alert),
        "system" => Some(LogKind::System),
        _ => None,
    }
}

/// The customer fields of a `customer_info` answer: `<customer>`'s children
/// then `<data>`'s, in order.
pub fn customer_fields(root: &Element) -> Result<Vec<(String, String)>, CarrierError> {
    let customer = root
        .child("customer")
        .ok_or_else(|| CarrierError::Protocol {
            what: "customer_info has no <customer>".into(),
            excerpt: String::new(),
        })?;
    let mut out = pairs(customer);
    if let Some(data) = root.child("data") {
        out.extend(pairs(data));
    }
    Ok(out)
}

/// `order` with customer_info's fields merged in: known names updated in
/// place, new ones (`member`) appended.
pub fn merge_customer(order: &Order, fields: Vec<(String, String)>) -> Order {
    let mut order = order.clone();
    for (name, value) in fields {
        match order.customer_fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => order.customer_fields.push((name, value)),
        }
    }
    let get = |name: &str| {
        order
            .customer_fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let name = format!("{} {}", get("firstname"), get("surname"))
        .trim()
        .to_owned();
    if !name.is_empty() {
        order.customer = name;
    }
    order.customer_loaded = true;
    order
}

/// The portal's words in a write's success answer (`<response><message>`).
pub fn write_message(root: &Element) -> String {
    root.find("message")
        .map(|m| sanitize(m.value()))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "ok".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_on_the_endpoint_never_reaches_a_request() {
        let base =
            Url::parse("https://h.example/orders?method=set_status&id=19530&status=cancelled#x")
                .unwrap();
        let read = url(&base, &[("method", "orders"), ("date", "2026-11-01")]);
        assert_eq!(read.query(), Some("method=orders&date=2026-11-01"));
        assert_eq!(read.fragment(), None);
        assert_eq!(read.path(), "/orders");
    }

    #[test]
    fn query_encoding_matches_form_rules() {
        let base = Url::parse("https://h.example/admin/edit/services/plain/orders").unwrap();
        assert_eq!(
            query_string(
                &base,
                &[
                    ("method", "add_message"),
                    ("message", "Port finns ej & åäö")
                ]
            ),
            "method=add_message&message=Port+finns+ej+%26+%C3%A5%C3%A4%C3%B6"
        );
    }

    #[test]
    fn error_rule() {
        let e = xml::parse(b"<error><message>nope</message></error>").unwrap();
        assert_eq!(portal_error(&e).unwrap().message, "nope");
        let e = xml::parse(
            b"<set_status><response><message>Invalid status</message></response><status>error</status></set_status>",
        )
        .unwrap();
        assert_eq!(portal_error(&e).unwrap().message, "Invalid status");
        let ok = xml::parse(
            b"<set_status><response><message>Status changed</message></response><status>success</status></set_status>",
        )
        .unwrap();
        assert_eq!(portal_error(&ok), None);
        let e = xml::parse(b"<orders><error>Bad date</error></orders>").unwrap();
        assert_eq!(portal_error(&e).unwrap().message, "Bad date");
    }

    #[test]
    fn delivery_asap_and_empty() {
        let tz = chrono_tz::Europe::Stockholm;
        assert_eq!(
            schedule("ASAP", tz),
            Some(Schedule::Scheduled(Stamp::new("asap", None)))
        );
        assert_eq!(schedule(" ", tz), None);
    }
}
