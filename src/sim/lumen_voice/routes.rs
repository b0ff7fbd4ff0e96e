//! The Voice simulator's wire side: the axum handlers for the token
//! endpoint and the Voice endpoints, the gate every Voice call passes
//! (faults, then the bearer token, then `x-customer-number`), the JSON
//! shapes in the contract's field order, the document's error bodies, and
//! how each fault looks here (see the parent module). The state's rules
//! decide what a write does; this module only encodes it.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;

use super::state::Refused;
use super::{OTHER_CUSTOMER, PathKind, SimOrder, TokenRefusal, VoiceSim};
use crate::carriers::lumen_voice::codes;
use crate::sim::faults::{Fault, Roll};
use crate::sim::oauth;
use crate::sim::spoil::spoil_success;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireSubscriber<'a> {
    customer_type_indicator: &'a Option<String>,
    first_name: &'a Option<String>,
    last_name: &'a Option<String>,
    business_name: &'a Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireAddress<'a> {
    street_number: &'a Option<String>,
    street_name: &'a Option<String>,
    street_suffix: &'a Option<String>,
    city: &'a Option<String>,
    state: &'a Option<String>,
    zip_code: &'a Option<String>,
    secondary_location: &'a Option<String>,
}

/// ORDER in the contract's field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireOrder<'a> {
    voice_order_id: &'a str,
    external_order_id: &'a Option<String>,
    order_type: &'a str,
    product_id: u32,
    status: &'a str,
    created_date: String,
    customer_request_date: Option<String>,
    foc_date: Option<String>,
    tn_list: &'a [String],
    rate_center: &'a str,
    state: &'a str,
    subscriber: WireSubscriber<'a>,
    service_address: WireAddress<'a>,
}

/// ORDER on the wire.
fn wire(order: &SimOrder) -> WireOrder<'_> {
    WireOrder {
        voice_order_id: &order.voice_order_id,
        external_order_id: &order.external_order_id,
        order_type: &order.order_type,
        product_id: order.product_id,
        status: &order.status,
        created_date: ts(order.created),
        customer_request_date: order.customer_request_date.map(ts),
        foc_date: order.foc_date.map(ts),
        tn_list: &order.tn_list,
        rate_center: &order.rate_center,
        state: &order.state,
        subscriber: WireSubscriber {
            customer_type_indicator: &order.subscriber.customer_type_indicator,
            first_name: &order.subscriber.first_name,
            last_name: &order.subscriber.last_name,
            business_name: &order.subscriber.business_name,
        },
        service_address: WireAddress {
            street_number: &order.address.street_number,
            street_name: &order.address.street_name,
            street_suffix: &order.address.street_suffix,
            city: &order.address.city,
            state: &order.address.state,
            zip_code: &order.address.zip_code,
            secondary_location: &order.address.secondary_location,
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireNotification<'a> {
    voice_order_id: &'a str,
    notification_code: &'a str,
    notification_message: &'a str,
    created_date: String,
    rate_center: &'a Option<String>,
    state: &'a Option<String>,
}

fn error_body(codes_: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "errors": codes_
            .iter()
            .map(|c| serde_json::json!({"code": c, "message": codes::message(c).unwrap_or("")}))
            .collect::<Vec<_>>()
    })
}

/// The document's error answer: the status of the code's table (400 for
/// the codes listed only in the notification table).
fn error(code: &str) -> Response {
    let status = codes::error_status(code).unwrap_or(400);
    errors(status, &[code])
}

fn errors(status: u16, codes_: &[&str]) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(error_body(codes_))).into_response()
}

fn json<T: Serialize>(value: &T) -> Response {
    axum::Json(value).into_response()
}

fn query_pairs(query: &Option<String>) -> Vec<(String, String)> {
    query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A refused write in the document's words.
fn refused(why: Refused) -> Response {
    match why {
        Refused::Code(code) => error(code),
        Refused::Violations(list) => errors(400, &list),
    }
}

impl VoiceSim {
    /// Counts the call, then faults, then auth, then the customer number.
    /// `Err` is the answer; `Ok` carries the faults still to apply once the
    /// call was acted on.
    async fn gate(&self, kind: PathKind, headers: &HeaderMap) -> Result<Admitted, Response> {
        let roll = {
            let mut state = self.lock();
            state.count(kind);
            state.dice.roll(None)
        };
        if !roll.latency.is_zero() {
            tokio::time::sleep(roll.latency).await;
        }
        if let Some(fault) = roll.before {
            self.lock().dice.count(fault);
            return Err(match fault {
                Fault::RateLimited => {
                    let mut r = (
                        StatusCode::TOO_MANY_REQUESTS,
                        axum::Json(
                            serde_json::json!({"errors":[{"code":"429","message":"Too Many Requests"}]}),
                        ),
                    )
                        .into_response();
                    r.headers_mut().insert(
                        header::RETRY_AFTER,
                        HeaderValue::from(roll.retry_after.as_secs()),
                    );
                    r
                }
                Fault::Unavailable => error("503001"),
                Fault::Hang => {
                    tokio::time::sleep(roll.hang).await;
                    error("504002")
                }
                Fault::DropBeforeApply => crate::sim::dropped_connection(),
                _ => error("500001"),
            });
        }
        // Reads have nothing to act on: a late drop is an early one.
        if roll.drop_after && !matches!(kind, PathKind::Cancel | PathKind::Supplement) {
            self.lock().dice.count(Fault::DropBeforeApply);
            return Err(crate::sim::dropped_connection());
        }
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let Some(bearer) = bearer.filter(|b| !b.is_empty()) else {
            return Err(error("403001"));
        };
        {
            let state = self.lock();
            match state.dice.faults().token_refusal {
                Some(TokenRefusal::Unauthorized) => {
                    return Err(errors(401, &["403001"]));
                }
                Some(TokenRefusal::Invalid) => return Err(error("403002")),
                Some(TokenRefusal::Expired) => return Err(error("403006")),
                None => {}
            }
            match state.tokens.get(bearer) {
                None => return Err(error("403002")),
                Some(exp) if std::time::Instant::now() >= *exp => return Err(error("403006")),
                Some(_) => {}
            }
        }
        let customer = headers
            .get("x-customer-number")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or("");
        if customer == self.inner.options.customer_number {
            Ok(Admitted { roll })
        } else if customer == OTHER_CUSTOMER {
            Err(error("1403"))
        } else {
            Err(error("1429"))
        }
    }
}

/// A call let through the gate, with the faults still to apply.
#[derive(Debug, Clone, Copy)]
struct Admitted {
    roll: Roll,
}

impl Admitted {
    /// The answer to a call that was acted on (`applied`: a write took
    /// effect): held back, lost or spoiled as the dice said.
    async fn finish(self, sim: &VoiceSim, response: Response, applied: bool) -> Response {
        let roll = self.roll;
        if applied && !roll.write_answer_delay.is_zero() {
            tokio::time::sleep(roll.write_answer_delay).await;
        }
        if roll.drop_after {
            sim.lock().dice.count(Fault::DropAfterApply);
            return crate::sim::dropped_connection();
        }
        spoil_success(
            response,
            roll.spoil,
            |fault| sim.lock().dice.count(fault),
            || error("500001"),
        )
        .await
    }
}

pub(super) async fn not_found(State(sim): State<VoiceSim>) -> Response {
    sim.count(PathKind::Other);
    error("404001")
}

pub(super) async fn not_allowed(State(sim): State<VoiceSim>) -> Response {
    sim.count(PathKind::Other);
    error("405001")
}

pub(super) async fn token(
    State(sim): State<VoiceSim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.count(PathKind::Token);
    let refused = || {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({
                "error": "invalid_client",
                "error_description": "User authentication failed"
            })),
        )
            .into_response()
    };
    let opts = &sim.inner.options;
    if sim.lock().dice.faults().token_endpoint_refuses
        || !oauth::basic_auth_is(&headers, &opts.client_id, &opts.client_secret)
    {
        return refused();
    }
    let form = query_pairs(&Some(String::from_utf8_lossy(&body).into_owned()));
    if param(&form, "grant_type") != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "error": "unsupported_grant_type",
                "error_description": "grant_type must be client_credentials"
            })),
        )
            .into_response();
    }
    let lifetime = opts.token_lifetime;
    let token = sim.lock().issue_token(std::time::Instant::now() + lifetime);
    oauth::granted(&token, lifetime)
}

pub(super) async fn order_status(
    State(sim): State<VoiceSim>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match sim.gate(PathKind::OrderStatus, &headers).await {
        Ok(admitted) => {
            let answer = order_status_answer(&sim, &query_pairs(&query));
            admitted.finish(&sim, answer, false).await
        }
        Err(r) => r,
    }
}

fn order_status_answer(sim: &VoiceSim, q: &[(String, String)]) -> Response {
    let state = sim.lock();
    if let Some(id) = param(q, "voiceOrderId") {
        return match state.order(id.trim()) {
            Some(order) => json(&serde_json::json!({
                "pageNumber": 1,
                "pageSize": 1,
                "totalRecords": 1,
                "orders": [wire(order)],
            })),
            None => error("20060"),
        };
    }
    let page = match param(q, "pageNumber").map(|p| p.trim().parse::<usize>()) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => return error("20103"),
    };
    let size = match param(q, "pageSize").map(|p| p.trim().parse::<usize>()) {
        None => 100,
        Some(Ok(s)) if (1..=1000).contains(&s) => s,
        Some(_) => return error("20104"),
    };
    let (page_shown, total) = match state.lying_total {
        Some(lie) => (1, lie),
        None => (page, state.orders.len() as u64),
    };
    let start = (page_shown - 1)
        .saturating_mul(size)
        .min(state.orders.len());
    let end = start.saturating_add(size).min(state.orders.len());
    let orders: Vec<_> = state.orders[start..end].iter().map(wire).collect();
    json(&serde_json::json!({
        "pageNumber": page,
        "pageSize": size,
        "totalRecords": total,
        "orders": orders,
    }))
}

pub(super) async fn notifications(
    State(sim): State<VoiceSim>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match sim.gate(PathKind::Notifications, &headers).await {
        Ok(admitted) => {
            let answer = notifications_answer(&sim, &query_pairs(&query));
            admitted.finish(&sim, answer, false).await
        }
        Err(r) => r,
    }
}

fn notifications_answer(sim: &VoiceSim, q: &[(String, String)]) -> Response {
    let Some(id) = param(q, "voiceOrderId")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return error("20049");
    };
    let now = sim.now();
    let oldest = now - chrono::Duration::days(180);
    let from = param(q, "fromDate")
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .map_or(oldest, |d| d.max(oldest));
    let state = sim.lock();
    let Some(order) = state.order(id) else {
        return error("20060");
    };
    let list: Vec<_> = order
        .notifications
        .iter()
        .filter(|n| n.created >= from)
        .map(|n| WireNotification {
            voice_order_id: &order.voice_order_id,
            notification_code: &n.code,
            notification_message: &n.message,
            created_date: ts(n.created),
            rate_center: &n.rate_center,
            state: &n.state,
        })
        .collect();
    json(&serde_json::json!({ "notifications": list }))
}

pub(super) async fn cancel(
    State(sim): State<VoiceSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let admitted = match sim.gate(PathKind::Cancel, &headers).await {
        Ok(admitted) => admitted,
        Err(r) => return r,
    };
    let now = sim.now();
    let outcome = sim.lock().cancel(&id, now);
    let applied = outcome.is_ok();
    let answer = match outcome {
        Ok(voice_order_id) => {
            json(&serde_json::json!({"voiceOrderId": voice_order_id, "status": "cancelled"}))
        }
        Err(why) => refused(why),
    };
    admitted.finish(&sim, answer, applied).await
}

pub(super) async fn supplement(
    State(sim): State<VoiceSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let admitted = match sim.gate(PathKind::Supplement, &headers).await {
        Ok(admitted) => admitted,
        Err(r) => return r,
    };
    let now = sim.now();
    let outcome = sim.lock().supplement(&id, &body, now);
    let applied = outcome.is_ok();
    let answer = match outcome {
        Ok((voice_order_id, status)) => {
            json(&serde_json::json!({"voiceOrderId": voice_order_id, "status": status}))
        }
        Err(why) => refused(why),
    };
    admitted.finish(&sim, answer, applied).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::oauth::base64_decode;

    #[test]
    fn base64_and_percent_decoding() {
        assert_eq!(
            base64_decode("aWQ6c2VjcmV0").as_deref(),
            Some(&b"id:secret"[..])
        );
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("*"), None);
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
    }
}
