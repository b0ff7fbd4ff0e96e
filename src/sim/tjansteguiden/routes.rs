//! The Tjänsteguiden simulator's wire side: the axum handler for
//! [`super::PATH`], the query parameters, the answer to each method (reads
//! rendered as XML in the document's element order, writes handed to the
//! state's rules), the error envelope, and how each fault looks here (see
//! the parent module). It keeps no state of its own.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use quick_xml::escape::partial_escape;

use super::data::{self, Customer, Delivery};
use super::state::WRITE_METHODS;
use super::{CITYNETS, Inner, PROVIDERS, SERVICES, TgSim, id_of, word};
use crate::sim::faults::{Fault, Spoil, truncate};

/// The methods the portal offers.
const METHODS: [&str; 6] = [
    "orders",
    "order_info",
    "customer_info",
    "customers",
    "set_status",
    "add_message",
];

impl TgSim {
    pub(super) fn answer(&self, params: &Params) -> Result<String, Refusal> {
        let method = params.require("method", "error")?;
        let Some(root) = METHODS.iter().copied().find(|m| *m == method) else {
            return Err(Refusal::bad("error", format!("Unknown method: {method}")));
        };
        let user = params.require("api_user", root)?;
        if user != self.inner.api_user {
            return Err(Refusal {
                status: StatusCode::FORBIDDEN,
                root,
                message: format!(
                    "Access denied: api_user {user} is unknown or not allowed from this address"
                ),
            });
        }
        match root {
            "orders" => {
                let date = params.date(root)?;
                Ok(self.render_orders(date))
            }
            "customers" => {
                let date = params.date(root)?;
                Ok(self.render_customers(date))
            }
            "order_info" => {
                let index = self.order_param(params, root)?;
                Ok(self.render_order_info(index))
            }
            "customer_info" => {
                let raw = params.require("id", root)?;
                let cid = raw
                    .parse::<u64>()
                    .map_err(|_| Refusal::bad(root, format!("Invalid parameter id: {raw}")))?;
                if !self.customer_exists(cid) {
                    return Err(Refusal::not_found(
                        root,
                        format!("No customer with id {cid}"),
                    ));
                }
                Ok(self.render_customer_info(&data::customer(self.inner.seed, cid)))
            }
            "set_status" => {
                let index = self.order_param(params, root)?;
                let status = params.require("status", root)?;
                let at = self.now_local();
                let message = self
                    .state()
                    .set_status(index, id_of(index), status, at)
                    .map_err(|why| Refusal::bad(root, why))?;
                Ok(render_success(root, &message))
            }
            "add_message" => {
                let index = self.order_param(params, root)?;
                let text = params.require("message", root)?.to_owned();
                let kind = params.require("type", root)?;
                let at = self.now_local();
                self.state()
                    .add_message(index, kind, text, at)
                    .map_err(|why| Refusal::bad(root, why))?;
                Ok(render_success(
                    root,
                    &format!("Message added to order {}", id_of(index)),
                ))
            }
            _ => Err(Refusal::bad("error", format!("Unknown method: {method}"))),
        }
    }

    fn order_param(&self, params: &Params, root: &'static str) -> Result<usize, Refusal> {
        let raw = params.require("id", root)?;
        if raw.parse::<u64>().is_err() {
            return Err(Refusal::bad(root, format!("Invalid parameter id: {raw}")));
        }
        self.index(raw)
            .ok_or_else(|| Refusal::not_found(root, format!("No order with id {raw}")))
    }

    pub(super) fn render_orders(&self, since: NaiveDate) -> String {
        let start_at = since.and_hms_opt(0, 0, 0).unwrap_or_default();
        let slots = &self.inner.slots;
        let start = slots.partition_point(|s| s.date < start_at);
        let status: Vec<u8> = self.state().status[start..].to_vec();
        let mut out = String::with_capacity(64 + (slots.len() - start) * 220);
        out.push_str("<orders>\n   <response>\n");
        for (offset, (slot, status)) in slots[start..].iter().zip(status).enumerate() {
            let index = start + offset;
            let service = &SERVICES[usize::from(slot.service) % SERVICES.len()];
            let xsp = PROVIDERS[usize::from(slot.provider) % PROVIDERS.len()].1;
            // One line per order keeps a 100k list near 20 MB.
            let _ = writeln!(
                out,
                "      <order><id>{}</id><type>order</type><date>{}</date><status>{}</status><service>{}</service><xsp>{xsp}</xsp><delivery>{}</delivery><customer>{}</customer></order>",
                id_of(index),
                slot.date.format("%Y-%m-%d %H:%M:%S"),
                word(status),
                service.id,
                delivery_text(slot.delivery, "%Y-%m-%d 00:00:00"),
                slot.customer,
            );
        }
        out.push_str("   </response>\n</orders>\n");
        out
    }

    fn render_customers(&self, since: NaiveDate) -> String {
        let start_at = since.and_hms_opt(0, 0, 0).unwrap_or_default();
        let slots = &self.inner.slots;
        let start = slots.partition_point(|s| s.date < start_at);
        let mut seen = std::collections::HashSet::new();
        let mut out = String::from("<customers>\n");
        for slot in &slots[start..] {
            if !seen.insert(slot.customer) {
                continue;
            }
            let c = data::customer(self.inner.seed, slot.customer);
            out.push_str("   <customer>\n");
            leaf(&mut out, 2, "id", &c.id.to_string());
            leaf(&mut out, 2, "socket", &c.socket.to_string());
            leaf(&mut out, 2, "serial", &c.person.serial);
            leaf(&mut out, 2, "firstname", &c.person.firstname);
            leaf(&mut out, 2, "surname", &c.person.surname);
            leaf(&mut out, 2, "email", &c.person.email);
            out.push_str("   </customer>\n");
        }
        out.push_str("</customers>\n");
        out
    }

    pub(super) fn render_order_info(&self, index: usize) -> String {
        let slot = &self.inner.slots[index];
        let id = id_of(index);
        let customer = data::customer(self.inner.seed, slot.customer);
        let details = data::details(
            self.inner.seed,
            index,
            self.len(),
            id,
            slot,
            &customer,
            self.data_now_local(),
        );
        let (status, added) = {
            let state = self.state();
            (state.status[index], state.added.get(&index).cloned())
        };
        let service = &SERVICES[usize::from(slot.service) % SERVICES.len()];
        let provider = PROVIDERS[usize::from(slot.provider) % PROVIDERS.len()];
        let mut out = String::with_capacity(2048);
        out.push_str("<order_info>\n   <orderinfo>\n");
        leaf(
            &mut out,
            2,
            "date",
            &slot.date.format("%Y-%m-%d %H:%M").to_string(),
        );
        leaf(&mut out, 2, "type", "order");
        leaf(&mut out, 2, "status", word(status));
        leaf(
            &mut out,
            2,
            "delivery",
            &delivery_text(slot.delivery, "%Y-%m-%d 00:00"),
        );
        leaf(&mut out, 2, "provider", provider.0);
        leaf(&mut out, 2, "service_id", &service.id.to_string());
        leaf(&mut out, 2, "service", service.name);
        leaf(&mut out, 2, "category", service.category);
        leaf(&mut out, 2, "service_uid", &details.service_uid.to_string());
        leaf(
            &mut out,
            2,
            "citynet",
            CITYNETS[usize::from(slot.citynet) % CITYNETS.len()],
        );
        out.push_str("   </orderinfo>\n   <customer>\n");
        customer_elements(&mut out, &customer, false);
        out.push_str("   </customer>\n   <logs>\n");
        for line in details.log.iter().chain(added.iter().flatten()) {
            out.push_str("      <log>\n");
            leaf(
                &mut out,
                3,
                "date",
                &line.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            );
            leaf(&mut out, 3, "message", &line.message);
            if let Some(kind) = &line.kind {
                leaf(&mut out, 3, "type", kind);
            }
            out.push_str("      </log>\n");
        }
        out.push_str("   </logs>\n   <serviceinfo>\n");
        for item in &details.items {
            out.push_str("      <data>\n");
            for (name, value) in item {
                leaf(&mut out, 3, name, value);
            }
            out.push_str("      </data>\n");
        }
        out.push_str("   </serviceinfo>\n</order_info>\n");
        out
    }

    pub(super) fn render_customer_info(&self, customer: &Customer) -> String {
        let mut out = String::from("<customer_info>\n   <customer>\n");
        customer_elements(&mut out, customer, true);
        leaf(&mut out, 2, "member", &self.inner.api_user);
        out.push_str("   </customer>\n   <data>\n");
        leaf(&mut out, 2, "message", customer.message);
        leaf(&mut out, 2, "phone", &customer.person.phone);
        leaf(&mut out, 2, "premise", &customer.premise);
        out.push_str("   </data>\n</customer_info>\n");
        out
    }
}

/// The customer elements in the document's order; `split` leaves out what
/// `customer_info` puts under `<data>`.
fn customer_elements(out: &mut String, c: &Customer, split: bool) {
    leaf(out, 2, "id", &c.id.to_string());
    leaf(out, 2, "socket", &c.socket.to_string());
    leaf(out, 2, "serial", &c.person.serial);
    leaf(out, 2, "firstname", &c.person.firstname);
    leaf(out, 2, "surname", &c.person.surname);
    leaf(out, 2, "email", &c.person.email);
    leaf(out, 2, "address", &c.person.address);
    leaf(out, 2, "zip", &c.person.zip);
    leaf(out, 2, "city", &c.person.city);
    if !split {
        leaf(out, 2, "message", c.message);
        leaf(out, 2, "phone", &c.person.phone);
        leaf(out, 2, "premise", &c.premise);
    }
}

fn leaf(out: &mut String, depth: usize, name: &str, value: &str) {
    for _ in 0..depth {
        out.push_str("   ");
    }
    if value.is_empty() {
        let _ = writeln!(out, "<{name}/>");
    } else {
        let _ = writeln!(out, "<{name}>{}</{name}>", partial_escape(value));
    }
}

fn delivery_text(delivery: Delivery, format: &str) -> String {
    match delivery {
        Delivery::Asap => "asap".into(),
        Delivery::Date(d) => d.format(format).to_string(),
    }
}

fn render_success(root: &str, message: &str) -> String {
    format!(
        "<{root}>\n   <response>\n      <message>{}</message>\n   </response>\n   <status>success</status>\n</{root}>\n",
        partial_escape(message)
    )
}

fn render_error(root: &str, message: &str) -> String {
    format!(
        "<{root}>\n   <response>\n      <message>{}</message>\n   </response>\n   <status>error</status>\n</{root}>\n",
        partial_escape(message)
    )
}

/// A refused request: HTTP status, root element, message.
#[derive(Debug)]
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    pub(super) root: &'static str,
    pub(super) message: String,
}

impl Refusal {
    fn bad(root: &'static str, message: String) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            root,
            message,
        }
    }

    fn not_found(root: &'static str, message: String) -> Self {
        Refusal {
            status: StatusCode::NOT_FOUND,
            root,
            message,
        }
    }
}

/// Query parameters; the first occurrence of a name wins.
pub(super) struct Params(pub(super) Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn require(&self, name: &str, root: &'static str) -> Result<&str, Refusal> {
        match self.get(name).map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Refusal::bad(root, format!("Missing parameter: {name}"))),
        }
    }

    fn date(&self, root: &'static str) -> Result<NaiveDate, Refusal> {
        let raw = self.require("date", root)?;
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            Refusal::bad(
                root,
                format!("Invalid parameter date: {raw} (expected YYYY-MM-DD)"),
            )
        })
    }
}

fn xml_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The one route: counts the request, rolls the faults, answers.
pub(super) async fn handle(
    State(sim): State<TgSim>,
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = match query {
        Ok(Query(pairs)) => Params(pairs),
        Err(e) => {
            return xml_response(
                StatusCode::BAD_REQUEST,
                render_error("error", &format!("Invalid query: {e}")).into_bytes(),
            );
        }
    };
    let _busy = InFlight::enter(&sim.inner);
    let method = params.get("method").unwrap_or_default().to_owned();
    let roll = {
        let mut state = sim.state();
        state.record(&method, &params.0);
        state.dice.roll(params.get("id"))
    };
    if !roll.latency.is_zero() {
        tokio::time::sleep(roll.latency).await;
    }
    let root = if method.is_empty() {
        "error"
    } else {
        method.as_str()
    };
    // Faults that answer before anything is applied.
    if let Some(fault) = roll.before {
        sim.state().dice.count(fault);
        let (status, message) = match fault {
            Fault::RateLimited => {
                let mut answer = xml_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    render_error(root, "Too many requests").into_bytes(),
                );
                answer.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(roll.retry_after.as_secs()),
                );
                return answer;
            }
            Fault::Hang => {
                tokio::time::sleep(roll.hang).await;
                (StatusCode::GATEWAY_TIMEOUT, "Gateway timeout")
            }
            Fault::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "Service unavailable"),
            Fault::DropBeforeApply => return crate::sim::dropped_connection(),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
        };
        return xml_response(status, render_error(root, message).into_bytes());
    }
    // Building a 100k list takes a while: keep lists off the async workers.
    let answer = if matches!(method.as_str(), "orders" | "customers") {
        let sim = sim.clone();
        tokio::task::spawn_blocking(move || sim.answer(&params)).await
    } else {
        Ok(sim.answer(&params))
    };
    let delay = roll.write_answer_delay;
    let applied = matches!(answer, Ok(Ok(_)));
    if applied && WRITE_METHODS.contains(&method.as_str()) && !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    // Applied (or refused): now the answer may be lost or spoiled.
    if roll.drop_after {
        sim.state().dice.count(Fault::DropAfterApply);
        return crate::sim::dropped_connection();
    }
    let body = match answer {
        Ok(Ok(body)) => body,
        Ok(Err(refusal)) => {
            return xml_response(
                refusal.status,
                render_error(refusal.root, &refusal.message).into_bytes(),
            );
        }
        Err(_) => {
            return xml_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                render_error(root, "Internal server error").into_bytes(),
            );
        }
    };
    let mut body = body.into_bytes();
    match roll.spoil {
        Some(Spoil::Truncate(share)) => {
            truncate(&mut body, share);
            sim.state().dice.count(Fault::Truncated);
        }
        Some(Spoil::Malformed) => {
            // Malformed here: a byte that is not UTF-8 in the middle.
            let at = body.len() / 2;
            body.insert(at, 0xFF);
            sim.state().dice.count(Fault::Malformed);
        }
        None => {}
    }
    xml_response(StatusCode::OK, body)
}

/// Counts a request as in flight until dropped.
struct InFlight<'a>(&'a Inner);

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner) -> Self {
        let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(inner)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}
