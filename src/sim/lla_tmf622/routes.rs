//! The LLA simulator's wire side: the axum handlers, the gate every call
//! passes (faults, then the headers), the document's error bodies, paging
//! headers, and how each fault looks here (see the parent module). The
//! state decides; this encodes.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::LlaSim;
use super::state::{PathKind, SavedPayLink, check_paylink};
use crate::sim::faults::{Fault, Roll};
use crate::sim::spoil::spoil_success;

/// Document 004's error body for `status`, with its words.
pub fn error_body(status: u16, message: &str, description: &str) -> Response {
    let http = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        http,
        axum::Json(
            json!({"errors": [{"code": status, "message": message, "description": description}]}),
        ),
    )
        .into_response()
}

pub fn bad_request(description: &str) -> Response {
    error_body(
        400,
        "The request is invalid or not properly formed.",
        description,
    )
}

fn unauthorized() -> Response {
    error_body(
        401,
        "The user could not be authenticated for this request.",
        "The request has not been applied because it lacks valid authentication credentials for the target resource",
    )
}

fn not_found_body() -> Response {
    error_body(
        404,
        "The server could not find the requested resource.",
        "The requested operation failed because a resource associated with the request could not be found.",
    )
}

fn with_retry_after(mut r: Response, secs: u64) -> Response {
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

/// Which API a request is for: the Hybris reads or the b2bsoft PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Hybris,
    B2bsoft,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl LlaSim {
    /// Counts the call, then the faults (keyed by `key`), then the API's
    /// headers. A late drop is answered as an early one unless
    /// `late_drop_ok` (the PATCH applies first).
    async fn gate(
        &self,
        kind: PathKind,
        api: Api,
        key: &str,
        headers: &HeaderMap,
        late_drop_ok: bool,
    ) -> Result<Roll, Response> {
        let roll = {
            let mut state = self.lock();
            state.count(kind);
            state.dice.roll(Some(key))
        };
        if !roll.latency.is_zero() {
            tokio::time::sleep(roll.latency).await;
        }
        if let Some(fault) = roll.before {
            self.lock().dice.count(fault);
            let secs = roll.retry_after.as_secs().max(1);
            return Err(match fault {
                Fault::RateLimited => with_retry_after(
                    error_body(
                        429,
                        "Too many requests.",
                        "The client sent too many requests and server is not able to serve them all at the moment.",
                    ),
                    secs,
                ),
                Fault::Unavailable => with_retry_after(
                    error_body(
                        503,
                        "Service Unavailable",
                        "temporary maintenance of service, try again later",
                    ),
                    secs,
                ),
                Fault::Hang => {
                    tokio::time::sleep(roll.hang).await;
                    error_body(
                        504,
                        "Gateway Timeout",
                        "The backend did not answer in time.",
                    )
                }
                Fault::DropBeforeApply => crate::sim::dropped_connection(),
                _ => error_body(
                    500,
                    "Internal Server Error",
                    "The request failed due to an internal error.",
                ),
            });
        }
        if roll.drop_after && !late_drop_ok {
            self.lock().dice.count(Fault::DropBeforeApply);
            return Err(crate::sim::dropped_connection());
        }
        let o = &self.inner.options;
        let (id_name, secret_name, corr_name, id, secret) = match api {
            Api::Hybris => (
                "client-id",
                "client-secret",
                "correlationId",
                &o.client_id,
                &o.client_secret,
            ),
            Api::B2bsoft => (
                "client_id",
                "client_secret",
                "X-Correlation-ID",
                &o.paylink_client_id,
                &o.paylink_client_secret,
            ),
        };
        if header(headers, id_name) != Some(id.as_str())
            || header(headers, secret_name) != Some(secret.as_str())
        {
            return Err(unauthorized());
        }
        let Some(correlation) = header(headers, corr_name) else {
            return Err(bad_request(&format!("Missing required header {corr_name}")));
        };
        if api == Api::Hybris {
            if !header(headers, "lob").is_some_and(|l| l.eq_ignore_ascii_case("FIXED")) {
                return Err(bad_request("Header lob must be FIXED"));
            }
            if header(headers, "channelId").is_none() {
                return Err(bad_request("Missing required header channelId"));
            }
            self.lock().hybris_correlation.push(correlation.to_owned());
        } else {
            self.lock().b2bsoft_correlation.push(correlation.to_owned());
        }
        Ok(roll)
    }

    fn market_known(&self, market: &str) -> bool {
        self.inner.options.markets.iter().any(|m| m == market)
    }

    async fn spoil(&self, response: Response, roll: &Roll) -> Response {
        spoil_success(
            response,
            roll.spoil,
            |f| self.lock().dice.count(f),
            || {
                error_body(
                    500,
                    "Internal Server Error",
                    "The request failed due to an internal error.",
                )
            },
        )
        .await
    }
}

pub async fn list(
    State(sim): State<LlaSim>,
    Path(market): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let roll = match sim
        .gate(PathKind::List, Api::Hybris, &market, &headers, false)
        .await
    {
        Ok(roll) => roll,
        Err(r) => return r,
    };
    if !sim.market_known(&market) {
        return not_found_body();
    }
    let number = |name: &str, default: usize| match query.get(name) {
        None => Some(default),
        Some(v) => v.trim().parse::<usize>().ok(),
    };
    let Some(offset) = number("offset", 0) else {
        return bad_request("offset must be a whole number");
    };
    let Some(limit) = number("limit", 100) else {
        return bad_request("limit must be a whole number");
    };
    let limit = limit.clamp(1, sim.inner.options.max_limit.max(1));
    let (page, total) = {
        let state = sim.lock();
        let listed = state.listed(&market, query.get("state").map(String::as_str));
        let total = listed.len();
        let page: Vec<Value> = listed
            .into_iter()
            .skip(if state.ignore_offset { 0 } else { offset })
            .take(limit)
            .map(|o| o.body.clone())
            .collect();
        (page, state.total_lie.unwrap_or(total))
    };
    let count = page.len();
    let mut r = axum::Json(Value::Array(page)).into_response();
    r.headers_mut()
        .insert("X-Total-Count", HeaderValue::from(total));
    r.headers_mut()
        .insert("X-Result-Count", HeaderValue::from(count));
    sim.spoil(r, &roll).await
}

pub async fn detail(
    State(sim): State<LlaSim>,
    Path((market, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let roll = match sim
        .gate(PathKind::Detail, Api::Hybris, &market, &headers, false)
        .await
    {
        Ok(roll) => roll,
        Err(r) => return r,
    };
    let found = sim
        .lock()
        .find(&market, &id)
        .map(|o| (o.body.clone(), o.detail_error));
    let r = match found {
        None => not_found_body(),
        Some((_, Some(bss))) => error_body(
            400,
            "Error Occurred during order provisioning UPDATEORDERDETAIL:ERROROCCURED",
            bss,
        ),
        Some((body, None)) => axum::Json(body).into_response(),
    };
    sim.spoil(r, &roll).await
}

pub async fn paylink(
    State(sim): State<LlaSim>,
    Path((market, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let roll = match sim
        .gate(PathKind::PayLink, Api::B2bsoft, &id, &headers, true)
        .await
    {
        Ok(roll) => roll,
        Err(r) => return r,
    };
    if !sim.market_known(&market) {
        return error_body(
            501,
            "Not implemented",
            &format!("Operation PATCH /productOrder for Business Id: {market} not implemented"),
        );
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return bad_request(
                "Malformed request syntax, invalid request message framing, or deceptive request routing.",
            );
        }
    };
    let (link, name) = match check_paylink(&value) {
        Ok(found) => found,
        Err(why) => return bad_request(&why),
    };
    let correlation = header(&headers, "X-Correlation-ID")
        .unwrap_or_default()
        .to_owned();
    {
        let mut state = sim.lock();
        if state.find(&market, &id).is_none() {
            return not_found_body();
        }
        state.paylinks.push(SavedPayLink {
            market,
            id,
            link,
            name,
            correlation_id: correlation,
        });
    }
    if !roll.write_answer_delay.is_zero() {
        tokio::time::sleep(roll.write_answer_delay).await;
    }
    if roll.drop_after {
        sim.lock().dice.count(Fault::DropAfterApply);
        return crate::sim::dropped_connection();
    }
    let r = axum::Json(json!({
        "description": "Paylink Link Saved Successfully in Salesforce",
        "productOrderItem": [{"id": "", "action": "add"}]
    }))
    .into_response();
    sim.spoil(r, &roll).await
}

/// A POST to a list: document 004's 405.
pub async fn post_list(State(sim): State<LlaSim>, Path(_market): Path<String>) -> Response {
    sim.lock().count(PathKind::Other);
    error_body(
        405,
        "APIKIT:METHOD_NOT_ALLOWED",
        "HTTP Method post not allowed for : /{businessId}/productOrder",
    )
}

pub async fn not_found(State(sim): State<LlaSim>) -> Response {
    sim.lock().count(PathKind::Other);
    not_found_body()
}
