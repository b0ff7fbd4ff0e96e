//! Test support for the app and ui tests: a fake carrier profile that
//! behaves like Tjänsteguiden's (statuses, set_status, add_message, cancel by
//! set_status cancelled) plus a supplement-like multi-field form with coded
//! validation errors, realistic Swedish orders, a fixed clock and key helpers.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use orderdesk::app::{self, CarrierInfo, Effect, Msg, Options, State};
use orderdesk::carriers::CarrierProfile;
use orderdesk::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FieldSpec,
    FormValues, LogEntry, LogKind, Order, OrderKey, OrderSummary, Schedule, Stage, Stamp, Status,
};
use orderdesk::store::{Flag, JournalEntry, JournalState, Note};

/// The fixed "now" of every test.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
}

pub const STATUSES: [(&str, Stage, bool, u8); 6] = [
    ("new", Stage::New, false, 0),
    ("received", Stage::InProgress, false, 1),
    ("active", Stage::InProgress, false, 2),
    ("waiting", Stage::NeedsAttention, false, 2),
    ("delivered", Stage::Done, true, 3),
    ("cancelled", Stage::Closed, true, 4),
];

pub fn status(raw: &str) -> Status {
    STATUSES
        .iter()
        .find(|(r, ..)| *r == raw)
        .map(|(r, s, t, _)| Status::new(*r, *s, *t))
        .unwrap_or_else(|| Status::new(raw, Stage::NeedsAttention, false))
}

fn rank(raw: &str) -> u8 {
    STATUSES
        .iter()
        .find(|(r, ..)| *r == raw)
        .map_or(0, |(.., n)| *n)
}

/// Tjänsteguiden-like profile.
#[derive(Debug, Default)]
pub struct FakeTg;

impl CarrierProfile for FakeTg {
    fn kind(&self) -> &'static str {
        "tjansteguiden"
    }

    fn availability(&self, order: &Order, action: ActionKind) -> Availability {
        let raw = order.status.raw.as_str();
        match action {
            ActionKind::Acknowledge if raw != "new" => {
                Availability::Unavailable(format!("order is {raw}, not new"))
            }
            ActionKind::Cancel | ActionKind::SetStatus if raw == "cancelled" => {
                Availability::Unavailable("order is cancelled".into())
            }
            ActionKind::Cancel if raw == "delivered" => {
                Availability::Unavailable("order is delivered".into())
            }
            ActionKind::AddPayLink => {
                Availability::Unavailable("not offered by this carrier".into())
            }
            _ => Availability::Available,
        }
    }

    fn form(&self, order: &Order, action: ActionKind) -> Option<ActionForm> {
        if !self.availability(order, action).is_available() {
            return None;
        }
        let id = &order.key.id;
        let (title, intro, fields) = match action {
            ActionKind::Acknowledge => (
                "Acknowledge",
                vec![format!(
                    "Sets status received on order {id}: the portal then shows it as taken in."
                )],
                vec![],
            ),
            ActionKind::SetStatus => (
                "Set status",
                vec![format!("Order {id} is {}.", order.status.raw)],
                vec![FieldSpec::choice(
                    "status",
                    "New status",
                    STATUSES
                        .iter()
                        .map(|(r, ..)| (r.to_string(), r.to_string()))
                        .collect(),
                    order.status.raw.clone(),
                )],
            ),
            ActionKind::Cancel => (
                "Cancel order",
                vec![format!(
                    "Sets status cancelled on order {id}. The portal stops the order."
                )],
                vec![],
            ),
            ActionKind::AddMessage => (
                "Add message",
                vec![format!("Adds a message to the log of order {id}.")],
                vec![
                    FieldSpec::choice(
                        "type",
                        "Type",
                        ["error", "alert", "system", "log"]
                            .iter()
                            .map(|t| (t.to_string(), t.to_string()))
                            .collect(),
                        "log",
                    ),
                    FieldSpec::multiline("message", "Message"),
                ],
            ),
            ActionKind::Supplement => (
                "Supplement",
                vec!["Changes the request date and the subscriber.".to_string()],
                vec![
                    FieldSpec::line("date", "Request date", "")
                        .with_help("YYYY-MM-DD, at least one business day ahead"),
                    FieldSpec {
                        input: orderdesk::domain::FieldInput::Line { max_len: Some(20) },
                        ..FieldSpec::line("first", "First name", "")
                    },
                    FieldSpec::line("last", "Last name", order.customer.clone()),
                ],
            ),
            ActionKind::AddPayLink => return None,
        };
        Some(ActionForm {
            action,
            title: title.into(),
            intro,
            fields,
        })
    }

    fn validate(
        &self,
        order: &Order,
        action: ActionKind,
        values: &FormValues,
        now: DateTime<Utc>,
    ) -> Result<ActionRequest, Vec<FieldError>> {
        let id = &order.key.id;
        let req = |params: Vec<(&str, String)>, summary: String| ActionRequest {
            action,
            preview: Some(
                params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("&"),
            ),
            params: params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            summary,
        };
        match action {
            ActionKind::Acknowledge => Ok(req(
                vec![
                    ("method", "set_status".into()),
                    ("id", id.clone()),
                    ("status", "received".into()),
                ],
                "set status received".into(),
            )),
            ActionKind::SetStatus => {
                let to = values.get("status");
                if to == order.status.raw {
                    return Err(vec![FieldError::at(
                        "status",
                        None,
                        format!("the order is already {to}"),
                    )]);
                }
                Ok(req(
                    vec![
                        ("method", "set_status".into()),
                        ("id", id.clone()),
                        ("status", to.into()),
                    ],
                    format!("set status {to}"),
                ))
            }
            ActionKind::Cancel => Ok(req(
                vec![
                    ("method", "set_status".into()),
                    ("id", id.clone()),
                    ("status", "cancelled".into()),
                ],
                "set status cancelled".into(),
            )),
            ActionKind::AddMessage => {
                let text = values.get("message");
                if text.trim().is_empty() {
                    return Err(vec![FieldError::at(
                        "message",
                        None,
                        "the message must not be empty",
                    )]);
                }
                let kind = values.get("type");
                Ok(req(
                    vec![
                        ("method", "add_message".into()),
                        ("id", id.clone()),
                        ("type", kind.into()),
                        ("message", text.into()),
                    ],
                    format!("add {kind} message"),
                ))
            }
            ActionKind::Supplement => {
                let mut errors = Vec::new();
                let date = values.get("date");
                match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                    Err(_) => errors.push(FieldError::at(
                        "date",
                        Some("20070"),
                        "Invalid date format, expected YYYY-MM-DD",
                    )),
                    Ok(d) if d <= now.date_naive() => errors.push(FieldError::at(
                        "date",
                        Some("20068"),
                        "Request date must be at least one business day in the future",
                    )),
                    Ok(_) => {}
                }
                if values.get("first").trim().is_empty() {
                    errors.push(FieldError::at(
                        "first",
                        Some("20072"),
                        "Subscriber first name is required",
                    ));
                }
                if values.get("last").contains('9') {
                    errors.push(FieldError::form(
                        "Supplements are closed for this order (20099)",
                    ));
                }
                if !errors.is_empty() {
                    return Err(errors);
                }
                Ok(req(
                    vec![
                        ("customerRequestDate", format!("{date}T00:00:00Z")),
                        ("firstName", values.get("first").into()),
                        ("lastName", values.get("last").into()),
                    ],
                    format!("supplement: request date {date}"),
                ))
            }
            ActionKind::AddPayLink => Err(vec![FieldError::form("not offered")]),
        }
    }

    fn confirmation(&self, order: &Order, request: &ActionRequest) -> ConfirmRule {
        match request.action {
            ActionKind::Cancel => ConfirmRule::TypeToConfirm {
                prompt: format!(
                    "Cancel order {} for {}? This cannot be undone.",
                    order.key.id, order.customer
                ),
                expected: order.key.id.clone(),
            },
            ActionKind::SetStatus => {
                let to = request.param("status").unwrap_or_default();
                if rank(to) < rank(&order.status.raw) {
                    ConfirmRule::YesNo(format!(
                        "Move order {} back from {} to {to}?",
                        order.key.id, order.status.raw
                    ))
                } else {
                    ConfirmRule::None
                }
            }
            _ => ConfirmRule::None,
        }
    }

    fn irreversible(&self, _order: &Order, request: &ActionRequest) -> bool {
        request.param("status") == Some("cancelled")
    }

    fn effect_visible(&self, order: &Order, request: &ActionRequest) -> bool {
        request
            .param("status")
            .is_some_and(|s| s == order.status.raw)
    }
}

fn stamp(at: DateTime<Utc>) -> Stamp {
    Stamp::new(at.format("%Y-%m-%d %H:%M").to_string(), Some(at))
}

fn log(at: DateTime<Utc>, kind: LogKind, text: &str) -> LogEntry {
    LogEntry {
        at: stamp(at),
        kind,
        source: String::new(),
        text: text.into(),
    }
}

/// One Tjänsteguiden-like order.
pub fn order(id: &str, raw: &str, age: Duration, first: &str, last: &str, service: &str) -> Order {
    let created = now() - age;
    let mut o = Order::new(OrderKey::new("tg", id), "tjansteguiden", status(raw));
    o.created = stamp(created);
    o.customer = format!("{first} {last}");
    o.service = service.into();
    o.schedule = Some(Schedule::Scheduled(stamp(created + Duration::days(14))));
    o.fields = vec![
        ("date".into(), created.format("%Y-%m-%d %H:%M").to_string()),
        ("type".into(), "order".into()),
        ("status".into(), raw.into()),
        ("provider".into(), "T3".into()),
        ("service".into(), service.into()),
        (
            "category".into(),
            "Privatpersoner: Internet / Via fiber".into(),
        ),
        ("citynet".into(), "Stadsnätsfabriken DEMO".into()),
    ];
    o.customer_fields = vec![
        ("firstname".into(), first.into()),
        ("surname".into(), last.into()),
        (
            "email".into(),
            format!("{}@exempel.se", first.to_lowercase()),
        ),
        ("address".into(), "Storgatan 12".into()),
        ("zip".into(), "41319".into()),
        ("city".into(), "Göteborg".into()),
        ("phone".into(), "0703051947".into()),
        ("premise".into(), "508-004-06-0302".into()),
    ];
    o.items = vec![
        vec![
            ("name".into(), "invoice type".into()),
            ("value".into(), "Autogiro".into()),
        ],
        vec![
            ("name".into(), "monthly fee".into()),
            ("monthly".into(), "399".into()),
        ],
    ];
    o.log = vec![
        log(created, LogKind::System, "Saved order"),
        log(
            created + Duration::minutes(1),
            LogKind::System,
            "Service order accepted from API server",
        ),
    ];
    o.raw = Some(format!(
        "<order_info>\n  <orderinfo>\n    <date>{}</date>\n    <status>{raw}</status>\n    <service>{service}</service>\n  </orderinfo>\n</order_info>",
        created.format("%Y-%m-%d %H:%M")
    ));
    o.detail_loaded = true;
    o
}

/// A realistic set of orders across every status.
pub fn orders() -> Vec<Order> {
    let mut v = vec![
        order(
            "19530",
            "new",
            Duration::hours(5),
            "Åsa",
            "Lindqvist",
            "Fiber 250/100",
        ),
        order(
            "19531",
            "new",
            Duration::minutes(40),
            "Björn",
            "Håkansson",
            "Fiber 1000/1000",
        ),
        order(
            "19502",
            "received",
            Duration::days(3),
            "Märta",
            "Öberg",
            "Fiber 100/100",
        ),
        order(
            "19488",
            "active",
            Duration::days(6),
            "Johan",
            "Ekström",
            "IP-telefoni",
        ),
        order(
            "19477",
            "waiting",
            Duration::days(12),
            "Karin",
            "Nyström",
            "Fiber 500/500",
        ),
        order(
            "19460",
            "delivered",
            Duration::days(20),
            "Lars-Göran",
            "Sjöberg",
            "Fiber 250/100",
        ),
        order(
            "19455",
            "cancelled",
            Duration::days(25),
            "Ingrid",
            "Bäckström",
            "TV Bas",
        ),
        order(
            "19520",
            "received",
            Duration::hours(26),
            "Per",
            "Åkesson",
            "Fiber 250/100",
        ),
    ];
    // An error in the log of an in-progress order: needs attention.
    v[2].log.push(log(
        now() - Duration::days(1),
        LogKind::Error,
        "API doesn't report the service as activated",
    ));
    v[3].log.push(log(
        now() - Duration::hours(30),
        LogKind::Alert,
        "Kunden har flyttat, kontrollera adressen\nNy adress: Kungsgatan 4",
    ));
    v[7].log.push(log(
        now() - Duration::hours(2),
        LogKind::Log,
        "Found email address for XSP associated with service or company: order@t3.se",
    ));
    v
}

pub fn carriers() -> Vec<CarrierInfo> {
    vec![CarrierInfo {
        name: Arc::from("tg"),
        kind: "tjansteguiden",
        profile: Arc::new(FakeTg),
        quiet_hours: None,
    }]
}

pub fn options(readonly: bool) -> Options {
    Options {
        readonly,
        now: now(),
        user: "agent".into(),
        keys: BTreeMap::new(),
    }
}

/// A console with the sample orders loaded.
pub fn state(readonly: bool) -> State {
    let mut s = State::new(carriers(), options(readonly)).expect("default keys are valid");
    s.upsert_orders(orders());
    s
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn ch(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

/// Presses one key; returns the effects. Like the runtime, then tells the
/// app the scroll limits `ui` measures for its new state.
pub fn press(s: &mut State, msg: Msg) -> Vec<Effect> {
    let fx = app::update(s, msg);
    if let Some(report) = orderdesk::ui::scroll_report(s) {
        app::update(s, report);
    }
    fx
}

/// Types text character by character; returns all effects.
pub fn typ(s: &mut State, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx.extend(press(s, ch(c)));
    }
    fx
}

pub fn ids(s: &State) -> Vec<String> {
    s.visible_keys().into_iter().map(|k| k.id).collect()
}

pub fn selected_id(s: &State) -> String {
    s.selected().map(|o| o.key.id.clone()).unwrap_or_default()
}

/// Moves the selection to the order with `id` (in the current view).
pub fn select(s: &mut State, id: &str) {
    press(s, ch('g'));
    for _ in 0..s.visible_keys().len() {
        if selected_id(s) == id {
            return;
        }
        press(s, ch('j'));
    }
    panic!("order {id} is not in the view {:?}", ids(s));
}

pub fn status_text(s: &State) -> String {
    s.status().map(|m| m.text.clone()).unwrap_or_default()
}

// --- local memory: notes, flags, journal, cache start -------------------

pub fn tg_key(id: &str) -> OrderKey {
    OrderKey::new("tg", id)
}

pub fn note(id: i64, order: &str, author: &str, at: DateTime<Utc>, text: &str) -> Note {
    Note {
        id,
        key: tg_key(order),
        author: author.into(),
        at,
        text: text.into(),
    }
}

pub fn flag(author: &str, at: DateTime<Utc>) -> Flag {
    Flag {
        author: author.into(),
        at,
    }
}

/// A journal entry on `order`; the action follows the summary's first words.
pub fn journal_entry(
    id: &str,
    order: &str,
    state: JournalState,
    at: DateTime<Utc>,
    summary: &str,
    outcome: Option<&str>,
) -> JournalEntry {
    JournalEntry {
        id: id.into(),
        session: "s1".into(),
        author: "anna".into(),
        created_at: at,
        key: tg_key(order),
        kind: "tjansteguiden".into(),
        request: ActionRequest {
            action: if summary.starts_with("add message") {
                ActionKind::AddMessage
            } else if summary.starts_with("acknowledge") {
                ActionKind::Acknowledge
            } else if summary.starts_with("cancel") {
                ActionKind::Cancel
            } else {
                ActionKind::SetStatus
            },
            params: vec![("status".into(), "received".into())],
            summary: summary.into(),
            preview: None,
        },
        state,
        sends: 1,
        code: (state == JournalState::Refused).then(|| "E12".to_string()),
        outcome: outcome.map(str::to_owned),
        receipt: None,
        updated_at: at,
        resolved_at: state.is_final().then_some(at),
    }
}

/// A console started from the cache (the store has answered for every full
/// order): the sample orders, a note and a flag
/// on tg/19530, three journal entries; no sync has finished yet.
pub fn cached_state(readonly: bool) -> State {
    let mut s = State::new(carriers(), options(readonly)).expect("default keys are valid");
    let mut notes = HashMap::new();
    notes.insert(
        tg_key("19530"),
        vec![note(
            1,
            "19530",
            "anna",
            now() - Duration::hours(3),
            "Kunden ringde: vill ha installation efter 15 mars.\nRing tillbaka på fredag.",
        )],
    );
    let mut flags = HashMap::new();
    flags.insert(tg_key("19530"), flag("anna", now() - Duration::hours(2)));
    let journal = vec![
        journal_entry(
            "a1",
            "19502",
            JournalState::Confirmed,
            now() - Duration::hours(4),
            "set status active",
            Some("status is active"),
        ),
        journal_entry(
            "a2",
            "19530",
            JournalState::Refused,
            now() - Duration::minutes(90),
            "set status received",
            Some("order is locked by the portal"),
        ),
        journal_entry(
            "a3",
            "19460",
            JournalState::Unknown,
            now() - Duration::minutes(30),
            "add message",
            Some("timeout after 20 s"),
        ),
    ];
    app::update(
        &mut s,
        Msg::CacheLoaded {
            orders: orders().iter().map(OrderSummary::of).collect(),
            notes,
            flags,
            journal,
        },
    );
    // The store's answers: every full order, read at once.
    for order in orders() {
        let key = order.key.clone();
        app::update(
            &mut s,
            Msg::OrderLoaded {
                key,
                result: Ok(Some(order)),
            },
        );
    }
    s
}

/// A console started the way the runtime starts it: the cache's summaries
/// of [`orders`] (from a real store); the full orders, returned, are for
/// the test to deliver as the store's answers (`Msg::OrderLoaded`).
pub fn summary_state() -> (State, Vec<Order>) {
    let store = orderdesk::store::SqliteStore::open_in_memory().expect("store");
    let full = orders();
    store.save_orders(&full).expect("save");
    let mut s = State::new(carriers(), options(false)).expect("state");
    app::update(
        &mut s,
        Msg::CacheLoaded {
            orders: store.load_order_summaries().expect("summaries"),
            notes: HashMap::new(),
            flags: HashMap::new(),
            journal: Vec::new(),
        },
    );
    (s, full)
}
