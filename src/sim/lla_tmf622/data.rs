//! Seeded LLA orders in the shapes of document 003's examples: PR self
//! installs and technician visits (typed notes with job types from the
//! document's tables, the unscheduled sentinel date, 16-digit string ids),
//! JM Liberate (string ids) and JM Cerillion (number ids, null priority and
//! dates), PA (per-market `orderCharacteristics` keys `exchangeId_TP`, ...)
//! and CR (the PA shape). Across the set: every TMF-622 state, in the
//! document's capitalised and TMF's lower-camel spelling, and `null`; every
//! warning of the document in `description`; some details that answer a
//! `2099` error. `orderDate` (a TMF-622 field the examples leave out) gives
//! ages from minutes to weeks.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::carriers::lla_tmf622::UNSCHEDULED;
use crate::sim::names::pick;

/// One simulated order.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOrder {
    pub market: String,
    /// The id as the body writes it (a string, or a number for Cerillion).
    pub id: String,
    /// The ProductOrder as the API answers it.
    pub body: Value,
    /// When set, the detail endpoint answers this 2099 string (HTTP 400).
    pub detail_error: Option<&'static str>,
}

/// The states the simulator gives orders: every TMF-622 state, the
/// document's `Acknowledged`, and `null`.
pub const STATES: &[Option<&str>] = &[
    Some("Acknowledged"),
    None,
    Some("acknowledged"),
    Some("inProgress"),
    Some("pending"),
    Some("held"),
    Some("failed"),
    Some("partial"),
    Some("assessingCancellation"),
    Some("pendingCancellation"),
    Some("completed"),
    Some("cancelled"),
    Some("rejected"),
    Some("InProgress"),
];

/// The document's description warnings, and ordinary descriptions.
pub const DESCRIPTIONS: &[&str] = &[
    "",
    "ORV59I - EXISTING CUSTOMER AT LOCATION",
    "",
    "8211990010051704OTG REASN  - AA                          AUTO OUTAGE DECLARED 13:24 01/02/23",
    "Product Order illustration sample",
    "JOB_UNSCHED_ALRT,JBE74A-ENTER OVERRIDE TO UNSCHEDULE JOB,ADP10E-NO DATES AVAILABLE FOR THIS JOB",
    "",
];

/// The document's 2099 error strings.
pub const BSS_ERRORS: &[&str] = &[
    "2099 | DRO30E - REF CDA NOT FOUND| ",
    "2099 | SERV_CD-MAP15E - FIELD PROTECTED, CANNOT UPDATE| ",
    "2099 | SCHED_TM-JBE10E-INVALID SCHEDULED TIME OF DAY| ",
];

/// Self install job types (the document's self install table).
const SELF_JOBS: &[&str] = &["SC", "CS", "SS", "SF", "US", "SU"];
/// Technician visit job types (the document's installation scope table).
const VISIT_JOBS: &[&str] = &[
    "FN", "FS", "FC", "HC", "HN", "HR", "UH", "NC", "RC", "RS", "DN", "UP",
];

const FIRST: &[&str] = &[
    "Maria", "José", "Ana", "Luis", "Carmen", "Jorge", "Rosa", "Carlos", "Marisol", "Andre",
    "Shanice", "Devon", "Kemar", "Yolanda", "Ricardo", "Lucía",
];
const LAST: &[&str] = &[
    "Rivera",
    "Rodríguez",
    "Campbell",
    "Brown",
    "Pérez",
    "González",
    "Williams",
    "Ortiz",
    "Castillo",
    "Thompson",
    "Morales",
    "Reid",
    "Vargas",
    "Ulawoo",
];
const STREETS: &[&str] = &[
    "CONSTANT SPRING ROAD",
    "Calle Santo Tomás",
    "HOPE ROAD",
    "Avenida Central",
    "Calle Loíza",
    "Vía España",
];
const PLACES: &[(&str, &str)] = &[
    ("JM", "KINGSTON"),
    ("JM", "MONTEGO BAY"),
    ("PA", "LAS CUMBRES"),
    ("PA", "SAN MIGUELITO"),
    ("CR", "SAN JOSÉ"),
    ("CR", "HEREDIA"),
];

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn product_item(item_id: &str, product: &str, service: &str, kind: &str) -> Value {
    json!({
        "id": item_id,
        "quantity": 1,
        "action": "add",
        "product": {
            "id": product,
            "isBundle": kind == "Package",
            "@type": "Product",
            "productCharacteristic": [
                {"name": "ServiceType", "valueType": "string", "value": service}
            ]
        },
        "@type": kind
    })
}

/// `n` numbers the order, `k` counts the market's own orders (the shape).
fn pr_order(rng: &mut StdRng, n: usize, k: usize, now: DateTime<Utc>, name: &str) -> Value {
    let visit = k % 3 != 0;
    let job = if visit {
        *pick(rng, VISIT_JOBS)
    } else {
        *pick(rng, SELF_JOBS)
    };
    let date = if !visit || k % 4 == 1 {
        UNSCHEDULED.to_owned()
    } else {
        iso(now
            + Duration::days(rng.random_range(1..20))
            + Duration::minutes(rng.random_range(0..600)))
    };
    let account: u64 = rng.random_range(190_150_000_000_000..190_159_999_999_999);
    let external = format!("{:016}", rng.random_range(1000..99_999u32));
    let seq = 1_200_047_552_281_013u64 + n as u64 * 1_000_001;
    let job_id = format!("{external}0001");
    json!({
        "id": seq.to_string(),
        "description": "",
        "billingAccount": {"id": account.to_string(), "@type": "BillingAccount"},
        "state": "Acknowledged",
        "category": "RES",
        "externalId": external,
        "serviceAddress": {"addrNo": format!("0091842440{:04}", rng.random_range(0..9999))},
        "requestedCompletionDate": date,
        "note": [
            {"text": if visit { "E1" } else { "SF" }, "@type": "OrderReasonCode"},
            {"text": if visit { "ECO" } else { "SIN" }, "@type": "CampaignCode"},
            {"text": "NEW", "@type": "RequestedFunction"},
            {"text": if k % 2 == 0 { "100" } else { "100.00" }, "@type": "CreditLimit"},
            {"text": job, "@type": "JobType"},
            {"text": format!("939545{:04}", rng.random_range(0..9999)), "@type": "TelephoneNumberId"},
            {"text": if visit { "TechnicianVisit" } else { "SelfInstall" },
             "@type": if k % 5 == 0 { "installationType" } else { "InstallationType" }},
            {"text": job_id, "@type": "JobId"},
            {"text": if visit { "0701" } else { "3333" }, "@type": "Technician"},
            {"text": format!("{:05}", rng.random_range(0..99_999)), "@type": "JobNumber"}
        ],
        "productOrderItem": [
            product_item("F7B3I", "RV3BC", "CV", "Package"),
            product_item("F7B3I", "FJ43X", "HS", "Package"),
            product_item("FRRUS", "FRRUS", "TD", "CallTypeProduct"),
            product_item(if visit { "0MINS" } else { "0MSIN" }, if visit { "0MINS" } else { "0MSIN" }, "NU", "AddOnProduct"),
        ],
        "relatedParty": [
            {"name": name, "role": "Buyer Contact", "id": format!("19015{:08}", rng.random_range(0..99_999_999u32)), "@referredType": "Customer"},
            {"name": "", "role": "Sales Representative", "id": "54321", "@referredType": "SalesRepresentative"}
        ],
        "@type": "ProductOrder"
    })
}

fn jm_order(rng: &mut StdRng, n: usize, k: usize, name: &str) -> (Value, String) {
    let cerillion = k % 2 == 0;
    let city = PLACES[rng.random_range(0..2)].1;
    let address = json!({
        "addrNo": rng.random_range(1000..999_999).to_string(),
        "addrType": "A",
        "addrLine1": "",
        "addrLine2": *pick(rng, STREETS),
        "addrLine3": format!("SHOP {}  TROPICAL PLAZA", rng.random_range(1..40)),
        "addrLine4": city,
        "addrLine5": "Jamaica",
        "addrPostCode": "00000"
    });
    let characteristics = json!({
        "cisEmpId": "99999", "depttCode": "AQSAL", "siteCode": "ANSQ",
        "sourceOfApplication": "3", "salesRepId": "99999", "carrierUniqueServId": "0",
        "lastLineNumber": "last line number of order", "exchangeId": "FLTV", "numberAreaCode": "BODG"
    });
    if cerillion {
        let id = 4_730_301 + n as u64;
        let body = json!({
            "id": id,
            "category": "R",
            "description": "",
            "billingAccount": {"id": format!("9100{:04}", rng.random_range(0..9999))},
            "orderCharacteristics": characteristics,
            "serviceAddress": address,
            "priority": null,
            "requestedCompletionDate": null,
            "requestedStartDate": null,
            "productOrderItem": [{"id": "RSPTHPBF", "quantity": 1, "action": "add", "product": {"isBundle": true}}],
            "relatedParty": [{"id": format!("11015{:08}", rng.random_range(0..99_999_999u32)), "name": name, "@referredType": "Customer"}],
            "state": "Acknowledged"
        });
        (body, id.to_string())
    } else {
        let id = format!("DJ{:04}H", n % 10_000);
        let body = json!({
            "id": id,
            "category": "R",
            "description": "",
            "billingAccount": {"id": format!("1000158{:05}", rng.random_range(0..99_999))},
            "orderCharacteristics": characteristics,
            "serviceAddress": address,
            "productOrderItem": [{"id": "VDC", "quantity": 1, "action": "add", "product": {"isBundle": true, "@type": "Product"}, "@type": "ProductOrderItem"}],
            "relatedParty": [{"id": format!("11015{:08}", rng.random_range(0..99_999_999u32)), "name": name, "@referredType": "Customer"}],
            "@type": "ProductOrder"
        });
        (body, id)
    }
}

fn pa_order(rng: &mut StdRng, n: usize, market: &str, name: &str) -> (Value, String) {
    let prefix = if market == "CR" { "CR" } else { "FL" };
    let id = format!(
        "{prefix}{:04}{}H",
        n % 10_000,
        (b'A' + (n % 26) as u8) as char
    );
    let places: Vec<&str> = PLACES
        .iter()
        .filter(|(m, _)| *m == market)
        .map(|(_, c)| *c)
        .collect();
    let city = places
        .get(n % places.len().max(1))
        .copied()
        .unwrap_or("PANAMA");
    let country = if market == "CR" {
        "COSTA RICA"
    } else {
        "PANAMA"
    };
    let body = json!({
        "id": id,
        "state": null,
        "billingAccount": {"id": format!("3240{:08}", rng.random_range(0..99_999_999u32))},
        "orderCharacteristics": {
            "cisEmpId": "99999", "depttCode": "TIEN", "siteCode": "FTTH",
            "sourceOfApplication": "EH", "salesRepId": "70013", "carrierUniqueServId": "0",
            "lastLineNumber": "last line number of order",
            "exchangeId_TP": "POGP", "numberAreaCode_TP": "POBS",
            "exchangeId_DS": "POGP", "numberAreaCode_DS": "POBS",
            "exchangeId_TI": "PFLO", "numberAreaCode_TI": "FPME",
            "exchangeId_MO": "PSC", "numberAreaCode_MO": "CDEM"
        },
        "serviceAddress": {
            "addrType": "Q",
            "addrLine1": format!("casa A{}", rng.random_range(1..400)),
            "addrLine2": *pick(rng, STREETS),
            "addrLine3": "CIUDA SAN LORENZO",
            "addrLine4": city,
            "addrLine5": country
        },
        "productOrderItem": [{"id": "2P600LF", "quantity": 1, "action": "add", "product": {"isBundle": true, "@type": "Bundle"}, "@type": "ProductOrderItem"}],
        "relatedParty": [{"id": format!("5071{:08}", rng.random_range(0..99_999_999u32)), "name": name, "@referredType": "Customer"}],
        "@type": "ProductOrder"
    });
    (body, id)
}

/// `count` orders spread over `markets`, from `seed`, dated before `now`.
pub fn generate(count: usize, seed: u64, now: DateTime<Utc>, markets: &[String]) -> Vec<SimOrder> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x11a7_f622);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let Some(market) = markets.get(n % markets.len().max(1)) else {
            break;
        };
        let name = format!("{} {}", pick(&mut rng, FIRST), pick(&mut rng, LAST));
        let k = n / markets.len().max(1);
        let (mut body, id) = match market.as_str() {
            "PR" => {
                let b = pr_order(&mut rng, n, k, now, &name);
                let id = b["id"].as_str().unwrap_or_default().to_owned();
                (b, id)
            }
            "JM" => jm_order(&mut rng, n, k, &name),
            m => pa_order(&mut rng, n, m, &name),
        };
        let state = STATES[(n / markets.len().max(1) + n) % STATES.len()];
        body["state"] = state.map_or(Value::Null, |s| json!(s));
        let description = DESCRIPTIONS[(n / 3 + n) % DESCRIPTIONS.len()];
        if body.get("description").is_some() || !description.is_empty() {
            body["description"] = json!(description);
        }
        let age = Duration::minutes(rng.random_range(5..60 * 24 * 21));
        body["orderDate"] = json!(iso(now - age));
        let detail_error = (n % 17 == 16).then(|| BSS_ERRORS[(n / 17) % BSS_ERRORS.len()]);
        out.push(SimOrder {
            market: market.clone(),
            id,
            body,
            detail_error,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carriers::lla_tmf622::wire::parse_order;

    #[test]
    fn every_state_market_shape_and_warning_appears() {
        let markets: Vec<String> = ["PR", "JM", "PA", "CR"].map(String::from).to_vec();
        let now = Utc::now();
        let orders = generate(160, 5, now, &markets);
        for state in STATES {
            let want = state.map_or(Value::Null, |s| json!(s));
            assert!(orders.iter().any(|o| o.body["state"] == want), "{state:?}");
        }
        for d in DESCRIPTIONS.iter().filter(|d| !d.is_empty()) {
            assert!(
                orders.iter().any(|o| o.body["description"] == json!(d)),
                "{d}"
            );
        }
        assert!(orders.iter().any(|o| o.body["id"].is_number()));
        assert!(
            orders
                .iter()
                .any(|o| o.body["requestedCompletionDate"] == json!(UNSCHEDULED))
        );
        assert!(orders.iter().any(|o| o.detail_error.is_some()));
        for m in &markets {
            assert!(orders.iter().any(|o| &o.market == m), "{m}");
        }
        for o in &orders {
            assert_eq!(parse_order(&o.body).unwrap().id, o.id);
        }
        assert_eq!(
            generate(20, 1, now, &markets),
            generate(20, 1, now, &markets)
        );
    }
}
