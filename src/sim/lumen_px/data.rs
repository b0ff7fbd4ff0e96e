//! Seeded PX orders: every one of the document's eleven statuses, the
//! three source systems (API ids `PX...`, UI ids `U` + order number, Phone
//! ids `E` + order number), US customers and addresses, products from the
//! document's families, and status timelines: most orders reached their
//! status in the past (terminal ones mostly within the last 7 days, some
//! longer ago), and every fifth active order moves on at a time after
//! `now` (a status change that shows in `pxOpenOrders` when it comes).

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::state::{SimProduct, SimPxAddress, SimPxOrder};
use crate::carriers::lumen_px::normalize::status_def;
use crate::sim::names::pick;

/// The document's status words, in its order.
pub const STATUSES: &[&str] = &[
    "RECEIVED",
    "PROVIDER IN PROCESS",
    "PROVIDER CANCELLED",
    "COMPLETED",
    "OPEN",
    "PENDING",
    "DECLINED",
    "TRACKING TERMINATED",
    "PRE DECLINED",
    "ATTTV",
    "PENDING DTV",
];

/// The three source systems.
pub const SOURCES: &[&str] = &["API", "UI", "Phone"];

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Maria",
    "Jose",
    "Aiyana",
    "Kenji",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Nguyen",
    "Begay",
];
const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Elm St",
    "Washington Blvd",
    "Lake Rd",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Denver", "CO", "802"),
    ("Minneapolis", "MN", "554"),
    ("Phoenix", "AZ", "850"),
    ("Omaha", "NE", "681"),
    ("Seattle", "WA", "981"),
    ("Monroe", "LA", "712"),
];
const PRODUCTS: &[(&str, &str)] = &[
    ("HSI-100", "Broadband internet 100 Mbps"),
    ("HSI-940", "Fiber internet 940 Mbps"),
    ("LCL-UNL", "Local service package"),
    ("LD-500", "Long distance 500 minutes"),
    ("MDM-C4000", "Modem C4000"),
    ("INST-PRO", "Broadband installation service"),
    ("EASE", "CenturyLink @Ease"),
    ("ATTTV", "AT&T TV sale"),
];

/// `n` orders from `seed`, none placed after `now`; sales codes taken in
/// turn from `sales_codes`.
pub fn generate(
    n: usize,
    seed: u64,
    now: DateTime<Utc>,
    sales_codes: &[String],
) -> Vec<SimPxOrder> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let status = STATUSES[i % STATUSES.len()];
        let source = SOURCES[(i / STATUSES.len() + i) % SOURCES.len()];
        let number = format!("{}", 41_000_000 + i * 7 + rng.random_range(0..7usize));
        let partner_order_id = match source {
            "UI" => format!("U{number}"),
            "Phone" => format!("E{number}"),
            _ => format!("PX{:06}", 100_000 + i),
        };
        let terminal = status_def(status).is_some_and(|d| d.terminal);
        // Terminal orders mostly reached their status within 7 days.
        let status_age = if terminal && i % 9 != 0 {
            Duration::hours(rng.random_range(1..150))
        } else {
            Duration::hours(rng.random_range(1..400))
        };
        let status_at = now - status_age;
        let order_date = status_at - Duration::hours(rng.random_range(0..240));
        let mut history = vec![(order_date, "RECEIVED".to_owned())];
        if status != "RECEIVED" {
            if status != "PROVIDER IN PROCESS" {
                let mid = order_date + (status_at - order_date) / 2;
                history.push((mid, "PROVIDER IN PROCESS".to_owned()));
            }
            history.push((status_at, status.to_owned()));
        }
        if !terminal && i % 5 == 0 {
            let next = if i % 10 == 0 { "COMPLETED" } else { "PENDING" };
            let when = now + Duration::seconds(rng.random_range(60..1800));
            history.push((when, next.to_owned()));
        }
        let (city, state, zip) = *pick(&mut rng, CITIES);
        let count = rng.random_range(1..=3usize);
        let mut products: Vec<SimProduct> = Vec::new();
        for _ in 0..count {
            let (code, description) = *pick(&mut rng, PRODUCTS);
            if !products.iter().any(|p| p.code == code) {
                products.push(SimProduct {
                    code: code.into(),
                    description: description.into(),
                });
            }
        }
        out.push(SimPxOrder {
            partner_order_id,
            order_number: number,
            source: source.into(),
            sales_code: sales_codes
                .get(i % sales_codes.len().max(1))
                .cloned()
                .unwrap_or_default(),
            order_date,
            account_number: format!("{}", 300_000_000 + rng.random_range(0..99_999_999u32)),
            telephone_number: format!(
                "{}{:07}",
                pick(&mut rng, &["303", "612", "602", "402", "206", "318"]),
                rng.random_range(0..10_000_000u32)
            ),
            customer_name: format!("{} {}", pick(&mut rng, FIRST), pick(&mut rng, LAST)),
            address: SimPxAddress {
                line1: format!("{} {}", rng.random_range(1..9999), pick(&mut rng, STREETS)),
                city: city.into(),
                state: state.into(),
                zip: format!("{zip}{:02}", rng.random_range(0..100)),
            },
            products,
            history,
        });
    }
    out
}
