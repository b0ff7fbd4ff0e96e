//! The PX simulator's wire side: the axum handlers, the gate every PX call
//! passes (faults, then the bearer token), PXORDER in the contract's field
//! order, the document's error bodies with a `TxId`, and how each fault
//! looks here (see the parent module). The state decides; this encodes.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::state::{SimPxOrder, SimState};
use super::{PathKind, PxSim};
use crate::carriers::lumen_px::codes;
use crate::carriers::lumen_px::normalize::status_def;
use crate::sim::faults::{Fault, Roll};
use crate::sim::oauth;
use crate::sim::spoil::spoil_success;

fn us(t: DateTime<Utc>) -> String {
    t.format("%m/%d/%Y").to_string()
}

/// PXORDER with the given status, in the contract's order; `detail` adds
/// `lineItems`.
fn wire(o: &SimPxOrder, status: &str, status_date: DateTime<Utc>, detail: bool) -> Value {
    let mut v = json!({
        "partnerOrderId": o.partner_order_id,
        "orderNumber": o.order_number,
        "orderStatusSourceSystem": o.source,
        "salesCode": o.sales_code,
        "orderStatus": status,
        "statusDate": us(status_date),
        "orderDate": us(o.order_date),
        "accountNumber": o.account_number,
        "telephoneNumber": o.telephone_number,
        "customerName": o.customer_name,
        "address": {
            "line1": o.address.line1,
            "city": o.address.city,
            "state": o.address.state,
            "zip": o.address.zip,
        },
        "products": o.products.iter().map(|p| json!({
            "productCode": p.code,
            "description": p.description,
            "status": status,
        })).collect::<Vec<_>>(),
    });
    if detail {
        let closed = status_def(status)
            .is_some_and(|d| d.terminal && d.stage == crate::domain::Stage::Closed);
        v["lineItems"] = o
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| {
                json!({
                    "lineNumber": i + 1,
                    "productCode": p.code,
                    "description": p.description,
                    "action": "ADD",
                    "status": if closed { "CANCELLED" } else { status },
                })
            })
            .collect::<Vec<_>>()
            .into();
    }
    v
}

impl PxSim {
    /// The document's error answer for `code`, with a fresh TxId.
    fn error(&self, code: &str) -> Response {
        let tx = self.lock().tx_id();
        let (status, message) =
            codes::error(code).map_or((410, "Error"), |r| (r.status, r.message));
        let http = StatusCode::from_u16(status).unwrap_or(StatusCode::GONE);
        (
            http,
            axum::Json(json!({
                "status": status,
                "internalMessageCode": code,
                "message": format!("{message}; TxId<{tx}>"),
            })),
        )
            .into_response()
    }

    /// Counts the call, then faults, then the bearer token.
    async fn gate(&self, kind: PathKind, headers: &HeaderMap) -> Result<Roll, Response> {
        let roll = {
            let mut state = self.lock();
            state.count(kind);
            state.dice.roll(None)
        };
        if !roll.latency.is_zero() {
            tokio::time::sleep(roll.latency).await;
        }
        let plain = |status: StatusCode, text: &str| {
            (
                status,
                axum::Json(json!({"status": status.as_u16(), "message": text})),
            )
                .into_response()
        };
        if let Some(fault) = roll.before {
            self.lock().dice.count(fault);
            return Err(match fault {
                Fault::RateLimited => {
                    let mut r = plain(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
                    r.headers_mut().insert(
                        header::RETRY_AFTER,
                        HeaderValue::from(roll.retry_after.as_secs()),
                    );
                    r
                }
                Fault::Unavailable => plain(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
                Fault::Hang => {
                    tokio::time::sleep(roll.hang).await;
                    plain(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout")
                }
                Fault::DropBeforeApply => crate::sim::dropped_connection(),
                _ => plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
            });
        }
        if roll.drop_after {
            self.lock().dice.count(Fault::DropBeforeApply);
            return Err(crate::sim::dropped_connection());
        }
        let refused = || {
            (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"fault": {"faultstring": "Invalid Access Token"}})),
            )
                .into_response()
        };
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|b| !b.is_empty());
        let state = self.lock();
        if state.dice.faults().token_refusal.is_some() {
            return Err(refused());
        }
        match bearer.and_then(|b| state.tokens.get(b)) {
            Some(exp) if std::time::Instant::now() < *exp => Ok(roll),
            _ => Err(refused()),
        }
    }

    /// Spoils a successful answer as the dice said.
    async fn finish(&self, roll: Roll, response: Response) -> Response {
        spoil_success(
            response,
            roll.spoil,
            |fault| self.lock().dice.count(fault),
            || StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        )
        .await
    }

    async fn call(
        &self,
        kind: PathKind,
        headers: &HeaderMap,
        body: &Bytes,
        answer: impl FnOnce(&PxSim, &Value) -> Response,
    ) -> Response {
        let roll = match self.gate(kind, headers).await {
            Ok(roll) => roll,
            Err(r) => return r,
        };
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let response = answer(self, &body);
        self.finish(roll, response).await
    }
}

pub(super) async fn not_found(State(sim): State<PxSim>) -> Response {
    sim.count(PathKind::Other);
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"status": 404, "message": "Resource not found"})),
    )
        .into_response()
}

pub(super) async fn token(State(sim): State<PxSim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.count(PathKind::Token);
    let opts = &sim.inner.options;
    if sim.lock().dice.faults().token_endpoint_refuses
        || !oauth::basic_auth_is(&headers, &opts.client_id, &opts.client_secret)
    {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
        )
            .into_response();
    }
    let form = String::from_utf8_lossy(&body);
    if !form
        .split('&')
        .any(|p| p == "grant_type=client_credentials")
    {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    let lifetime = opts.token_lifetime;
    let token = sim.lock().issue_token(std::time::Instant::now() + lifetime);
    oauth::granted(&token, lifetime)
}

pub(super) async fn new_orders(
    State(sim): State<PxSim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.call(PathKind::NewOrders, &headers, &body, |sim, body| {
        let o = sim.options();
        let q = match SimState::new_orders_query(body, &o.partner_id, &o.sales_codes) {
            Ok(q) => q,
            Err(code) => return sim.error(code),
        };
        let now = sim.now();
        let state = sim.lock();
        let orders: Vec<Value> = state
            .orders
            .iter()
            .filter(|o| o.order_date <= now)
            .filter(|o| {
                let day = o.order_date.date_naive();
                day >= q.from && day < q.to
            })
            .filter(|o| q.sources.contains(&o.source))
            .filter(|o| q.sales_code.as_ref().is_none_or(|c| *c == o.sales_code))
            .map(|o| {
                let (status, at) = o.status_at(o.order_date);
                wire(o, status, at, false)
            })
            .collect();
        axum::Json(json!({ "orders": orders })).into_response()
    })
    .await
}

pub(super) async fn open_orders(
    State(sim): State<PxSim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.call(PathKind::OpenOrders, &headers, &body, |sim, body| {
        let o = sim.options();
        let code = match SimState::open_orders_query(body, &o.partner_id, &o.sales_codes) {
            Ok(c) => c,
            Err(code) => return sim.error(code),
        };
        let now = sim.now();
        let state = sim.lock();
        let orders: Vec<Value> = state
            .orders
            .iter()
            .filter(|o| o.open_at(now))
            .filter(|o| code.as_ref().is_none_or(|c| *c == o.sales_code))
            .map(|o| {
                let (status, at) = o.status_at(now);
                wire(o, status, at, false)
            })
            .collect();
        axum::Json(json!({ "orders": orders })).into_response()
    })
    .await
}

pub(super) async fn order_detail(
    State(sim): State<PxSim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.call(PathKind::OrderDetail, &headers, &body, |sim, body| {
        if let Some(id) = body.get("partnerOrderId").and_then(|v| v.as_str()) {
            *sim.lock().details.entry(id.trim().to_owned()).or_default() += 1;
        }
        let found = {
            let state = sim.lock();
            state.detail_index(body, &sim.options().sales_codes)
        };
        match found {
            Ok(i) => {
                let now = sim.now();
                let state = sim.lock();
                let o = &state.orders[i];
                let (status, at) = o.status_at(now);
                axum::Json(wire(o, status, at, true)).into_response()
            }
            Err(code) => sim.error(code),
        }
    })
    .await
}
