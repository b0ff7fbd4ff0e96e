//! Seeded, reproducible Voice orders for the simulator: every order type and
//! status (the first 35 orders walk all combinations), LNP orders with FOC
//! dates (some within a business day, so the cancel rule shows), reservations
//! with 10001 backorder questions (some closed by 10013), credit holds
//! (1807), rejections with their rate-center codes, and US names, addresses
//! and rate centers. Dates are relative to `now`; nothing lies in the future
//! except request and FOC dates.

use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::carriers::lumen_voice::codes;

use super::{SimAddress, SimNotification, SimOrder, SimSubscriber};

/// Order types as the API writes them.
pub const ORDER_TYPES: &[&str] = &["NEW", "LNP", "CHANGE", "DISCONNECT", "INVENTORY"];
/// Statuses as the API writes them.
pub const STATUSES: &[&str] = &[
    "created",
    "in progress",
    "pending credit check",
    "completed",
    "credit check rejected",
    "rejected",
    "cancelled",
];

/// (rate center, state, city, NPAs, zip codes)
type RateCenter = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const RATE_CENTERS: &[RateCenter] = &[
    (
        "DENVER",
        "CO",
        "Denver",
        &["303", "720"],
        &["80202", "80205", "80211", "80220"],
    ),
    (
        "BOULDER",
        "CO",
        "Boulder",
        &["303", "720"],
        &["80301", "80302", "80304"],
    ),
    (
        "COLORADO SPGS",
        "CO",
        "Colorado Springs",
        &["719"],
        &["80903", "80909"],
    ),
    (
        "PHOENIX",
        "AZ",
        "Phoenix",
        &["602", "480"],
        &["85004", "85016", "85021"],
    ),
    ("TUCSON", "AZ", "Tucson", &["520"], &["85701", "85719"]),
    (
        "SEATTLE",
        "WA",
        "Seattle",
        &["206"],
        &["98101", "98104", "98109"],
    ),
    ("SPOKANE", "WA", "Spokane", &["509"], &["99201", "99205"]),
    (
        "MINNEAPOLIS",
        "MN",
        "Minneapolis",
        &["612"],
        &["55401", "55403", "55408"],
    ),
    ("OMAHA", "NE", "Omaha", &["402"], &["68102", "68131"]),
    (
        "SALT LAKE CITY",
        "UT",
        "Salt Lake City",
        &["801"],
        &["84101", "84111"],
    ),
    (
        "PORTLAND",
        "OR",
        "Portland",
        &["503", "971"],
        &["97201", "97205", "97209"],
    ),
    (
        "DES MOINES",
        "IA",
        "Des Moines",
        &["515"],
        &["50309", "50312"],
    ),
    (
        "LAS VEGAS",
        "NV",
        "Las Vegas",
        &["702"],
        &["89101", "89109"],
    ),
    (
        "ALBUQUERQUE",
        "NM",
        "Albuquerque",
        &["505"],
        &["87102", "87110"],
    ),
    ("BOISE", "ID", "Boise", &["208"], &["83702", "83706"]),
    (
        "SIOUX FALLS",
        "SD",
        "Sioux Falls",
        &["605"],
        &["57104", "57105"],
    ),
    ("BILLINGS", "MT", "Billings", &["406"], &["59101", "59102"]),
    ("CHEYENNE", "WY", "Cheyenne", &["307"], &["82001", "82009"]),
];

const FIRST_NAMES: &[&str] = &[
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
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
];
const LAST_NAMES: &[&str] = &[
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
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
];
const BUSINESSES: &[&str] = &[
    "Front Range Dental",
    "Mile High Plumbing LLC",
    "Cascade Legal Group",
    "Desert Sun Realty",
    "Prairie Grain Co",
    "Summit Pediatrics",
    "Blue Heron Bookkeeping",
    "Copper Canyon Tours",
    "Northstar Logistics",
    "Red Rock Veterinary",
    "Lakeside Insurance Agency",
    "Evergreen Tax Services",
    "Big Sky Auto Repair",
    "Silver State Title",
    "Badlands Hardware",
    "Willamette Coffee Roasters",
    "Sawtooth Outfitters",
    "Great Plains Staffing",
    "Rio Grande Family Clinic",
    "Pikes Peak Print Shop",
];
const STREETS: &[&str] = &[
    "Main",
    "Oak",
    "Maple",
    "Cedar",
    "Pine",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Broadway",
    "Colfax",
    "Lincoln",
    "Jefferson",
    "Madison",
    "Grant",
    "Sunset",
    "River",
    "Highland",
    "Center",
    "Market",
    "Union",
    "Canyon",
    "Mesa",
];
const SUFFIXES: &[&str] = &["ST", "AVE", "BLVD", "DR", "LN", "RD", "WAY", "CT", "PL"];
const SECONDARY: &[&str] = &["STE 200", "APT 4B", "FL 3", "UNIT 12", "STE 1150", "BLDG C"];

/// Whole seconds, as the API writes them.
fn secs(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::seconds(1)).unwrap_or(t)
}

fn note(
    code: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    place: Option<(&str, &str)>,
) -> Option<SimNotification> {
    (at <= now).then(|| SimNotification {
        code: code.to_owned(),
        message: codes::notification_message(code).unwrap_or("").to_owned(),
        created: secs(at),
        rate_center: place.map(|p| p.0.to_owned()),
        state: place.map(|p| p.1.to_owned()),
    })
}

/// Generates `count` orders from `seed`, newest first.
pub fn generate(count: usize, seed: u64, now: DateTime<Utc>) -> Vec<SimOrder> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut orders = Vec::with_capacity(count);
    let mut next_id: u64 = 21_783_000 + rng.random_range(0..900);
    for i in 0..count {
        let (order_type, status) = if i < ORDER_TYPES.len() * STATUSES.len() {
            (
                ORDER_TYPES[i % ORDER_TYPES.len()],
                STATUSES[(i / ORDER_TYPES.len()) % STATUSES.len()],
            )
        } else {
            let t = match rng.random_range(0..100) {
                0..35 => "LNP",
                35..65 => "NEW",
                65..77 => "CHANGE",
                77..87 => "DISCONNECT",
                _ => "INVENTORY",
            };
            let s = match rng.random_range(0..100) {
                0..10 => "created",
                10..45 => "in progress",
                45..51 => "pending credit check",
                51..81 => "completed",
                81..84 => "credit check rejected",
                84..91 => "rejected",
                _ => "cancelled",
            };
            (t, s)
        };
        next_id += rng.random_range(1..40);
        orders.push(one(&mut rng, next_id, order_type, status, now));
    }
    orders.sort_by(|a, b| {
        b.created
            .cmp(&a.created)
            .then(b.voice_order_id.cmp(&a.voice_order_id))
    });
    orders
}

fn one(rng: &mut StdRng, id: u64, order_type: &str, status: &str, now: DateTime<Utc>) -> SimOrder {
    let &(rc, st, city, npas, zips) = RATE_CENTERS.choose(rng).unwrap_or(&RATE_CENTERS[0]);
    let in_flight = matches!(status, "created" | "in progress" | "pending credit check");
    // In-flight orders are recent; finished ones span weeks.
    let age_minutes = if in_flight {
        rng.random_range(10..(14 * 24 * 60))
    } else {
        rng.random_range((2 * 24 * 60)..(60 * 24 * 60))
    };
    let created = secs(now - Duration::minutes(age_minutes));
    let tn_count = match order_type {
        "LNP" => {
            if rng.random_bool(0.1) {
                rng.random_range(7..=49)
            } else {
                rng.random_range(1..=6)
            }
        }
        "INVENTORY" => rng.random_range(5..=60),
        "NEW" => rng.random_range(1..=5),
        _ => rng.random_range(1..=3),
    };
    let npa = npas.choose(rng).copied().unwrap_or("303");
    let nxx = rng.random_range(200..=989);
    let start = rng.random_range(1000..9000);
    let tn_list = (0..tn_count)
        .map(|k| format!("{npa}{nxx}{:04}", (start + k * 3) % 10_000))
        .collect();

    let business = rng.random_bool(0.55);
    let subscriber = if order_type == "INVENTORY" {
        SimSubscriber::default()
    } else if business {
        SimSubscriber {
            customer_type_indicator: Some("B".into()),
            business_name: BUSINESSES.choose(rng).map(|s| (*s).to_owned()),
            ..Default::default()
        }
    } else {
        SimSubscriber {
            customer_type_indicator: Some("R".into()),
            first_name: FIRST_NAMES.choose(rng).map(|s| (*s).to_owned()),
            last_name: LAST_NAMES.choose(rng).map(|s| (*s).to_owned()),
            business_name: None,
        }
    };
    let address = if order_type == "INVENTORY" {
        SimAddress::default()
    } else {
        SimAddress {
            street_number: Some(rng.random_range(1..9999).to_string()),
            street_name: STREETS.choose(rng).map(|s| (*s).to_owned()),
            street_suffix: SUFFIXES.choose(rng).map(|s| (*s).to_owned()),
            city: Some(city.to_owned()),
            state: Some(st.to_owned()),
            zip_code: zips.choose(rng).map(|s| (*s).to_owned()),
            secondary_location: if business && rng.random_bool(0.5) {
                SECONDARY.choose(rng).map(|s| (*s).to_owned())
            } else {
                None
            },
        }
    };

    // Request date: at a business hour in UTC, days after creation.
    let day = |t: DateTime<Utc>| t.duration_trunc(Duration::days(1)).unwrap_or(t);
    let crd = if order_type == "INVENTORY" {
        None
    } else if in_flight {
        Some(day(now) + Duration::days(rng.random_range(1..=25)) + Duration::hours(16))
    } else {
        Some(day(created) + Duration::days(rng.random_range(2..=10)) + Duration::hours(16))
    };
    let foc = match (order_type, status) {
        ("LNP", "created") => None,
        ("LNP", "in progress") => {
            // Some FOC dates are close, so the one-business-day cancel rule bites.
            if rng.random_bool(0.2) {
                Some(day(now) + Duration::days(rng.random_range(0..=2)))
            } else if rng.random_bool(0.15) {
                None
            } else {
                crd.map(|c| day(c) + Duration::days(rng.random_range(0..=2)))
            }
        }
        ("LNP", "pending credit check") => None,
        ("LNP", _) => crd.map(|c| day(c) + Duration::days(rng.random_range(0..=1))),
        _ => None,
    };

    let place = Some((rc, st));
    let mut notes: Vec<Option<SimNotification>> =
        vec![note("901", created + Duration::minutes(1), now, None)];
    let later = |rng: &mut StdRng, from: DateTime<Utc>, max_h: i64| {
        from + Duration::minutes(rng.random_range(5..(max_h * 60).max(6)))
    };
    match status {
        "in progress" => {
            if order_type == "LNP" && foc.is_some() {
                notes.push(note("903", later(rng, created, 48), now, place));
                if rng.random_bool(0.15) {
                    notes.push(note("904", later(rng, created, 72), now, None));
                }
            }
            if order_type == "INVENTORY" && rng.random_bool(0.45) {
                let qty = rng.random_range(1..tn_count.max(2));
                let mut n = note("10001", later(rng, created, 2), now, place);
                if let Some(n) = &mut n {
                    n.message = n
                        .message
                        .replace("{ORDER_Telephone number_QTY}", &qty.to_string());
                }
                notes.push(n);
                if rng.random_bool(0.3) {
                    notes.push(note(
                        "10013",
                        created + Duration::hours(4) + Duration::minutes(5),
                        now,
                        place,
                    ));
                }
            }
        }
        "pending credit check" => {
            notes.push(note("1807", created + Duration::minutes(4), now, None));
        }
        "credit check rejected" => {
            notes.push(note("1807", created + Duration::minutes(4), now, None));
        }
        "rejected" => {
            let code = ["1302", "1303", "1304", "1648", "1921", "10012", "4011"]
                .choose(rng)
                .copied()
                .unwrap_or("1302");
            notes.push(note(code, later(rng, created, 6), now, place));
        }
        "completed" => {
            let end = crd.unwrap_or(created + Duration::days(1));
            match order_type {
                "NEW" => notes.push(note("902", created + Duration::minutes(3), now, None)),
                "LNP" => {
                    notes.push(note("903", later(rng, created, 48), now, place));
                    notes.push(note("902", end, now, None));
                }
                "DISCONNECT" => notes.push(note("906", end, now, None)),
                _ => notes.push(note("10002", later(rng, created, 24), now, None)),
            }
        }
        "cancelled" => {
            let code = if order_type == "INVENTORY" {
                "10005"
            } else {
                "904"
            };
            notes.push(note(code, later(rng, created, 30), now, None));
        }
        _ => {}
    }
    let mut notifications: Vec<SimNotification> = notes.into_iter().flatten().collect();
    notifications.sort_by_key(|n| n.created);

    SimOrder {
        voice_order_id: id.to_string(),
        external_order_id: Some(format!("PO-{:06}", rng.random_range(0..1_000_000))),
        order_type: order_type.to_owned(),
        product_id: if rng.random_bool(0.6) { 2036 } else { 2042 },
        status: status.to_owned(),
        created,
        customer_request_date: crd,
        foc_date: foc,
        tn_list,
        rate_center: rc.to_owned(),
        state: st.to_owned(),
        subscriber,
        address,
        notifications,
    }
}
