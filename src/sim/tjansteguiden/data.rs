//! Generated portal data: a compact row per order (what the `orders` list
//! needs) built once in O(n), and everything else (customer, log, service
//! info) derived on demand from the seed and the order or customer id, so a
//! 100k-order simulator stays small and fast. Pure; no I/O.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::sim::names::{self, Person, pick};

/// The first order id (the document's example).
pub const FIRST_ORDER_ID: u64 = 19530;
/// The first customer id (the document's example).
pub const FIRST_CUSTOMER_ID: u64 = 16745;

/// Status words: the six valid ones, then some the portal was seen to use.
pub const STATUS_WORDS: [&str; 8] = [
    "new",
    "received",
    "active",
    "waiting",
    "cancelled",
    "delivered",
    "on_hold",
    "pending_port",
];
pub const VALID_STATUSES: usize = 6;
pub const MESSAGE_TYPES: [&str; 4] = ["error", "alert", "system", "log"];

pub struct Service {
    pub id: u32,
    pub name: &'static str,
    pub category: &'static str,
    pub monthly: u32,
}

pub const SERVICES: &[Service] = &[
    Service {
        id: 2440,
        name: "100/100 Mbit/s",
        category: "Privatpersoner: Internet / Via fiber",
        monthly: 299,
    },
    Service {
        id: 2441,
        name: "250/250 Mbit/s",
        category: "Privatpersoner: Internet / Via fiber",
        monthly: 379,
    },
    Service {
        id: 2442,
        name: "1000/1000 Mbit/s",
        category: "Privatpersoner: Internet / Via fiber",
        monthly: 499,
    },
    Service {
        id: 2438,
        name: "50/50 Mbit/s",
        category: "Privatpersoner: Internet / Via fiber",
        monthly: 222,
    },
    Service {
        id: 3100,
        name: "IPTV Bas",
        category: "Privatpersoner: TV / IPTV",
        monthly: 149,
    },
    Service {
        id: 4100,
        name: "Telefoni",
        category: "Privatpersoner: Telefoni / IP-telefoni",
        monthly: 49,
    },
    Service {
        id: 5200,
        name: "Företag 100/100 Mbit/s",
        category: "Företag: Internet / Via fiber",
        monthly: 695,
    },
];

/// Providers (XSPs): name, xsp id, order e-mail.
pub const PROVIDERS: &[(&str, u32, &str)] = &[
    ("T3", 31420, "order@t3.se"),
    ("Fiberio", 31511, "order@fiberio.example"),
    ("NorrNet Bredband", 31602, "kundorder@norrnet.example"),
    (
        "Bredbandsfabriken",
        31733,
        "order@bredbandsfabriken.example",
    ),
    ("Viken Telecom", 31844, "provisioning@viken.example"),
];

pub const CITYNETS: &[&str] = &[
    "Stadsnätsfabriken DEMO",
    "Mälarnät DEMO",
    "Norrfiber DEMO",
    "Västkustnät DEMO",
    "Smålandsfiber DEMO",
];

const CUSTOMER_MESSAGES: &[&str] = &[
    "TESTBESTÄLLNING",
    "Ring innan installation",
    "Portkod 1234, ring på porttelefon",
    "Kunden vill ha installation efter kl 16",
    "Flyttar in 1 mars",
    "Hund i lägenheten",
];

const CAMPAIGNS: &[&str] = &[
    "Just nu! Höstkampanj: HALVA PRISET I 6 MÅNADER! In",
    "Vårkampanj: 3 månader utan kostnad",
    "Välkomsterbjudande: fri installation",
];

/// When the order is to be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Asap,
    Date(NaiveDate),
}

/// What the `orders` list needs of one order (about 40 bytes).
#[derive(Debug, Clone)]
pub struct Slot {
    /// Local (Europe/Stockholm) time the order was saved.
    pub date: NaiveDateTime,
    /// The status the order was generated with (index into [`STATUS_WORDS`]).
    pub status: u8,
    pub service: u8,
    pub provider: u8,
    pub citynet: u8,
    pub customer: u64,
    pub existing_customer: bool,
    pub delivery: Delivery,
}

/// Builds `n` orders, oldest first, ids ascending. Ages run from about five
/// minutes to four weeks before `now`; statuses depend on age.
pub fn generate(n: usize, seed: u64, now: DateTime<Utc>, tz: Tz) -> Vec<Slot> {
    let mut rng = StdRng::seed_from_u64(seed);
    let now_local = now.with_timezone(&tz).naive_local();
    let mut slots = Vec::with_capacity(n);
    let mut next_customer = FIRST_CUSTOMER_ID;
    const MAX_AGE_MIN: f64 = 28.0 * 24.0 * 60.0;
    const MIN_AGE_MIN: f64 = 5.0;
    for i in 0..n {
        // u runs from 1 (oldest) to ~0 (newest); the square root spreads the
        // ages so that about 40% are within a day and 8% within an hour.
        let u = (n - i) as f64 / n as f64 - rng.random_range(0.0..1.0) / n as f64;
        let age_min = MIN_AGE_MIN * (MAX_AGE_MIN / MIN_AGE_MIN).powf(u.max(0.0).sqrt());
        let date = now_local - Duration::seconds((age_min * 60.0) as i64);
        // The portal saves orders to the minute ("2015-10-06 11:48:00").
        let date = date
            .with_nanosecond(0)
            .and_then(|d| d.with_second(0))
            .unwrap_or(date);
        let status = status_for_age(&mut rng, age_min);
        let existing = i > 0 && rng.random_bool(0.15);
        let customer = if existing {
            let back = rng.random_range(1..=i.min(20)) as u64;
            slots
                .get(i - back as usize)
                .map(|s: &Slot| s.customer)
                .unwrap_or(FIRST_CUSTOMER_ID)
        } else {
            next_customer += 1;
            next_customer - 1
        };
        let delivery = if rng.random_bool(0.05) {
            Delivery::Asap
        } else {
            Delivery::Date(date.date() + Duration::days(rng.random_range(2..=30)))
        };
        slots.push(Slot {
            date,
            status,
            service: rng.random_range(0..SERVICES.len()) as u8,
            provider: rng.random_range(0..PROVIDERS.len()) as u8,
            citynet: rng.random_range(0..CITYNETS.len()) as u8,
            customer,
            existing_customer: existing,
            delivery,
        });
    }
    slots
}

fn status_for_age(rng: &mut StdRng, age_min: f64) -> u8 {
    // Weights over new, received, active, waiting, cancelled, delivered,
    // on_hold, pending_port.
    let weights: [u32; 8] = if age_min < 120.0 {
        [75, 17, 0, 0, 1, 7, 0, 0]
    } else if age_min < 2.0 * 24.0 * 60.0 {
        [20, 28, 24, 10, 4, 11, 2, 1]
    } else {
        [3, 10, 16, 10, 9, 49, 2, 1]
    };
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i as u8;
        }
        roll -= w;
    }
    0
}

/// SplitMix64: a seed for one order's or customer's own RNG.
pub fn mix(seed: u64, salt: u64, id: u64) -> u64 {
    let mut z = seed ^ salt.rotate_left(17) ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A customer as the portal knows it.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: u64,
    pub person: Person,
    pub socket: u32,
    pub premise: String,
    pub message: &'static str,
}

/// The customer with id `id` (deterministic in the seed).
pub fn customer(seed: u64, id: u64) -> Customer {
    let mut rng = StdRng::seed_from_u64(mix(seed, 0xC057, id));
    let person = names::person(&mut rng, 0.04);
    let premise = format!(
        "{:03}-{:03}-{:02}-{:04}",
        rng.random_range(100..999),
        rng.random_range(0..999),
        rng.random_range(0..99),
        rng.random_range(1..9999)
    );
    let message = if rng.random_bool(0.25) {
        *pick(&mut rng, CUSTOMER_MESSAGES)
    } else {
        ""
    };
    Customer {
        id,
        socket: rng.random_range(10_000..99_999),
        premise,
        message,
        person,
    }
}

/// One generated log line: local time, type (`None` = no `<type>`), text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: NaiveDateTime,
    pub kind: Option<String>,
    pub message: String,
}

impl LogLine {
    fn new(at: NaiveDateTime, kind: Option<&str>, message: impl Into<String>) -> Self {
        LogLine {
            at,
            kind: kind.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// The details of an order that are not in its slot.
#[derive(Debug, Clone)]
pub struct Details {
    pub service_uid: u64,
    pub log: Vec<LogLine>,
    /// `serviceinfo` entries as (element, value) pairs.
    pub items: Vec<Vec<(&'static str, String)>>,
}

/// Which orders carry hostile text (for the sanitizer): indexes n/3, 2n/3.
pub fn hostile(index: usize, n: usize) -> Option<&'static str> {
    if n >= 3 && index == n / 3 {
        Some("Kunden ringde \u{1b}]0;HACKED\u{7}\u{1b}[2J och undrar om leveransdatum")
    } else if n >= 3 && index == 2 * n / 3 {
        Some("Tekniker noterar: \u{1b}[31mport\u{1b}[0m bytt\u{9b}1A\u{8}\u{8}")
    } else {
        None
    }
}

/// The generated details of the order at `index` with id `id`.
pub fn details(
    seed: u64,
    index: usize,
    n: usize,
    id: u64,
    slot: &Slot,
    customer: &Customer,
    now_local: NaiveDateTime,
) -> Details {
    let mut rng = StdRng::seed_from_u64(mix(seed, 0x0DE7, id));
    let provider = PROVIDERS[usize::from(slot.provider) % PROVIDERS.len()];
    let service = &SERVICES[usize::from(slot.service) % SERVICES.len()];
    let d = slot.date;
    let status = STATUS_WORDS[usize::from(slot.status) % STATUS_WORDS.len()];
    let sys = Some("system");
    let mut log = vec![LogLine::new(d, sys, "Saved order")];
    if slot.existing_customer {
        log.push(LogLine::new(
            d,
            sys,
            format!(
                "Attaching order to existing customer ({})",
                customer.person.serial
            ),
        ));
    } else {
        log.push(LogLine::new(
            d,
            sys,
            format!("Creating new customer ({})", customer.person.serial),
        ));
    }
    log.push(LogLine::new(
        d,
        sys,
        "Attempting to add order to API server",
    ));
    let api_ok = !rng.random_bool(0.03);
    if api_ok {
        log.push(LogLine::new(
            d,
            sys,
            "Service order accepted from API server",
        ));
    } else {
        log.push(LogLine::new(
            d,
            Some("error"),
            "API server did not answer, order queued for manual handling",
        ));
    }
    let direct = status == "delivered" && rng.random_bool(0.5);
    if direct || rng.random_bool(0.08) {
        log.push(LogLine::new(
            d,
            sys,
            "User requested direct activation, checking activation status from API server",
        ));
        if direct {
            log.push(LogLine::new(d, sys, "API reports the service as activated"));
        } else {
            log.push(LogLine::new(
                d,
                Some("error"),
                "API doesn't report the service as activated",
            ));
        }
    }
    log.push(LogLine::new(
        d,
        None,
        format!(
            "Found email address for XSP associated with service or company: {}",
            provider.2
        ),
    ));

    // Status history between the order date and now.
    let path: &[&str] = match status {
        "received" => &["received"],
        "active" => &["received", "active"],
        "waiting" => &["received", "active", "waiting"],
        "cancelled" => &["received", "cancelled"],
        "delivered" if direct => &["delivered"],
        "delivered" => &["received", "active", "delivered"],
        "on_hold" => &["received", "on_hold"],
        "pending_port" => &["received", "active", "pending_port"],
        _ => &[],
    };
    let span = (now_local - d).num_seconds().max(60);
    for (k, step) in path.iter().enumerate() {
        let frac = (k as f64 + rng.random_range(0.3..0.9)) / (path.len() as f64 + 0.5);
        let at = d + Duration::seconds((span as f64 * frac) as i64);
        match *step {
            "on_hold" => log.push(LogLine::new(
                at,
                sys,
                "Order placed on hold by network owner",
            )),
            "pending_port" => log.push(LogLine::new(at, sys, "Order waiting for port assignment")),
            s => log.push(LogLine::new(
                at,
                sys,
                format!("Status changed to {s} for order {id}"),
            )),
        }
        if *step == "waiting" {
            let (kind, text) = *pick(
                &mut rng,
                &[
                    ("alert", "Port finns ej"),
                    ("error", "Port finns ej"),
                    ("alert", "Väntar på svar från kund om installationsdatum"),
                    ("error", "API doesn't report the service as activated"),
                    ("log", "Kund ej anträffbar, nytt försök imorgon"),
                ],
            );
            log.push(LogLine::new(at, Some(kind), text));
        }
    }
    if matches!(status, "active" | "received") && rng.random_bool(0.08) {
        let at = d + Duration::seconds(span / 2);
        log.push(LogLine::new(at, Some("alert"), "Port finns ej"));
    }
    if let Some(text) = hostile(index, n) {
        let at = d + Duration::seconds(span / 3);
        log.push(LogLine::new(at, Some("log"), text));
    }
    log.sort_by_key(|l| l.at);

    let mut items = vec![
        vec![
            ("name", "invoice type".to_owned()),
            (
                "value",
                (*pick(&mut rng, &["Autogiro", "E-faktura", "Pappersfaktura"])).to_owned(),
            ),
        ],
        vec![
            ("name", "monthly fee".to_owned()),
            ("monthly", service.monthly.to_string()),
        ],
    ];
    if rng.random_bool(0.3) {
        items.push(vec![("name", (*pick(&mut rng, CAMPAIGNS)).to_owned())]);
    }
    if rng.random_bool(0.2) {
        items.push(vec![
            ("name", "start fee".to_owned()),
            ("value", format!("{} kr", pick(&mut rng, &[0, 495, 995]))),
        ]);
    }
    Details {
        service_uid: 10_000_000 + rng.random_range(0..90_000_000),
        log,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_sorted_deterministic_and_varied() {
        let now = DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let tz = chrono_tz::Europe::Stockholm;
        let a = generate(300, 1, now, tz);
        let b = generate(300, 1, now, tz);
        assert!(a.windows(2).all(|w| w[0].date <= w[1].date));
        assert_eq!(
            a.iter()
                .map(|s| (s.date, s.status, s.customer))
                .collect::<Vec<_>>(),
            b.iter()
                .map(|s| (s.date, s.status, s.customer))
                .collect::<Vec<_>>()
        );
        for status in 0..STATUS_WORDS.len() as u8 {
            assert!(
                a.iter().any(|s| s.status == status),
                "no {}",
                STATUS_WORDS[status as usize]
            );
        }
        let now_local = now.with_timezone(&tz).naive_local();
        let newest = now_local - a[299].date;
        let oldest = now_local - a[0].date;
        assert!(newest < Duration::hours(1), "{newest}");
        assert!(
            oldest > Duration::days(20) && oldest <= Duration::days(28),
            "{oldest}"
        );
        assert!(a.iter().any(|s| s.delivery == Delivery::Asap));
        assert!(a.iter().any(|s| s.existing_customer));
    }
}
