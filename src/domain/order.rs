//! Orders as every carrier's adapter normalizes them.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::time::Stamp;

/// An order's identity: the carrier instance's configured name and the
/// carrier's own id. Shown as `tg/19530`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderKey {
    pub carrier: Arc<str>,
    pub id: String,
}

impl OrderKey {
    pub fn new(carrier: impl Into<Arc<str>>, id: impl Into<String>) -> Self {
        OrderKey {
            carrier: carrier.into(),
            id: id.into(),
        }
    }

    /// Parses `carrier/id` (the id may itself contain slashes).
    pub fn parse(text: &str) -> Option<Self> {
        let (carrier, id) = text.split_once('/')?;
        if carrier.is_empty() || id.is_empty() {
            return None;
        }
        Some(OrderKey::new(carrier, id))
    }
}

/// Shown with the id's unsafe characters escaped (see
/// [`super::sanitize::escape_unsafe`]): the key itself holds the carrier's
/// raw id, so ids that differ only in such characters stay two orders.
impl fmt::Display for OrderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            self.carrier,
            super::sanitize::escape_unsafe(&self.id)
        )
    }
}

/// Why a carrier's order id cannot be sent back to it, if it cannot: an
/// empty id names no order, and `.` or `..` would be resolved away as a
/// URL path segment (`order/../cancel` is `order/cancel`).
pub fn unusable_id(id: &str) -> Option<String> {
    if id.trim().is_empty() {
        Some("the carrier gave an empty order id".into())
    } else if matches!(id, "." | "..") {
        Some(format!(
            "order id {id:?} is a dot segment: it is never sent to the carrier \
             (a URL would resolve it away)"
        ))
    } else {
        None
    }
}

/// Where an order is in its life, the same vocabulary for every carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    New,
    InProgress,
    NeedsAttention,
    Done,
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::New,
        Stage::InProgress,
        Stage::NeedsAttention,
        Stage::Done,
        Stage::Closed,
    ];

    /// Machine name, used in JSON and in `stage:` filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::InProgress => "in_progress",
            Stage::NeedsAttention => "needs_attention",
            Stage::Done => "done",
            Stage::Closed => "closed",
        }
    }

    /// Short human label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::InProgress => "in progress",
            // "Attention" is any order with an attention reason (view 2,
            // `list --attention`); this stage is the orders that stopped.
            Stage::NeedsAttention => "stalled",
            Stage::Done => "done",
            Stage::Closed => "closed",
        }
    }

    /// A glyph so that a stage is never shown by colour alone.
    pub fn glyph(self) -> &'static str {
        match self {
            Stage::New => "+",
            Stage::InProgress => ">",
            // `!` is the attention mark.
            Stage::NeedsAttention => "=",
            Stage::Done => "v",
            Stage::Closed => "x",
        }
    }

    /// Open orders are the ones support works on.
    pub fn is_open(self) -> bool {
        matches!(self, Stage::New | Stage::InProgress | Stage::NeedsAttention)
    }

    pub fn parse(text: &str) -> Option<Stage> {
        let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Stage::ALL
            .into_iter()
            .find(|s| s.as_str() == t || s.label().replace(' ', "_") == t)
    }
}

/// A carrier's status word and the stage it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The carrier's word, always shown.
    pub raw: String,
    pub stage: Stage,
    /// The carrier will not move this order any more.
    pub terminal: bool,
}

impl Status {
    pub fn new(raw: impl Into<String>, stage: Stage, terminal: bool) -> Self {
        Status {
            raw: raw.into(),
            stage,
            terminal,
        }
    }
}

/// One entry of a carrier's status vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusDef {
    pub raw: &'static str,
    pub stage: Stage,
    pub terminal: bool,
    /// The carrier's own explanation of the status.
    pub meaning: &'static str,
}

impl StatusDef {
    pub fn status(&self) -> Status {
        Status::new(self.raw, self.stage, self.terminal)
    }
}

/// When the work is planned to happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Scheduled(Stamp),
    /// The carrier says explicitly that no date is set (LLA's 4444-12-31).
    Unscheduled,
}

/// Kind of a log timeline entry; decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    Error,
    Alert,
    System,
    Log,
    Notification,
    Status,
    Local,
    Journal,
}

impl LogKind {
    pub const ALL: [LogKind; 8] = [
        LogKind::Error,
        LogKind::Alert,
        LogKind::System,
        LogKind::Log,
        LogKind::Notification,
        LogKind::Status,
        LogKind::Local,
        LogKind::Journal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Error => "error",
            LogKind::Alert => "alert",
            LogKind::System => "system",
            LogKind::Log => "log",
            LogKind::Notification => "notification",
            LogKind::Status => "status",
            LogKind::Local => "local",
            LogKind::Journal => "journal",
        }
    }
}

/// One line of an order's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub at: Stamp,
    pub kind: LogKind,
    /// Who wrote it: the carrier's name for the source, a user, `orderdesk`.
    pub source: String,
    pub text: String,
}

/// Why an order needs someone: a machine code (`status:waiting`, `log:error`,
/// `warning:outage`, `fetch:error`, `flag`, ...) and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    pub code: String,
    pub detail: String,
}

impl Attention {
    pub fn new(code: impl Into<String>, detail: impl Into<String>) -> Self {
        Attention {
            code: code.into(),
            detail: detail.into(),
        }
    }
}

/// A line item: a product or service on the order, as named fields.
pub type Item = Vec<(String, String)>;

/// One order, normalized. Text fields hold carrier text already sanitized by
/// the adapter (see [`super::sanitize`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub key: OrderKey,
    /// The carrier kind (`tjansteguiden`, `lumen-voice`, ...).
    pub kind: &'static str,
    pub status: Status,
    pub created: Stamp,
    pub updated: Option<Stamp>,
    /// Customer display name.
    pub customer: String,
    /// Service or product display text.
    pub service: String,
    pub schedule: Option<Schedule>,
    /// Carrier warnings (outage, existing customer, ...).
    pub warnings: Vec<String>,
    /// Carrier-specific overview fields, in the carrier's order.
    pub fields: Vec<(String, String)>,
    /// Customer fields, in the carrier's order.
    pub customer_fields: Vec<(String, String)>,
    /// Products / services, each as named fields.
    pub items: Vec<Item>,
    /// The carrier's log, notifications and status history, any order.
    pub log: Vec<LogEntry>,
    /// Attention reasons the carrier adapter adds beyond the generic ones
    /// (e.g. a notification that needs the customer to act).
    pub carrier_attention: Vec<Attention>,
    /// The carrier's response body as received (for the Raw tab).
    pub raw: Option<String>,
    /// The last error fetching this order's details, if the last try failed.
    pub fetch_error: Option<String>,
    /// Whether details (beyond a list row) have been fetched.
    pub detail_loaded: bool,
    /// Whether the extra customer details (fetched on demand) are loaded.
    pub customer_loaded: bool,
    /// When its details were last read from the carrier (`None`: not in
    /// this session, e.g. a cached copy or a bare list row).
    pub read_at: Option<DateTime<Utc>>,
}

impl Order {
    /// A minimal order: what a list row knows.
    pub fn new(key: OrderKey, kind: &'static str, status: Status) -> Self {
        Order {
            key,
            kind,
            status,
            created: Stamp::default(),
            updated: None,
            customer: String::new(),
            service: String::new(),
            schedule: None,
            warnings: Vec::new(),
            fields: Vec::new(),
            customer_fields: Vec::new(),
            items: Vec::new(),
            log: Vec::new(),
            carrier_attention: Vec::new(),
            raw: None,
            fetch_error: None,
            detail_loaded: false,
            customer_loaded: false,
            read_at: None,
        }
    }

    /// Every reason this order needs someone, generic ones first.
    pub fn attention(&self) -> Vec<Attention> {
        let mut out = Vec::new();
        if self.status.stage == Stage::NeedsAttention {
            out.push(Attention::new(
                format!("status:{}", self.status.raw),
                format!("status is {}", self.status.raw),
            ));
        }
        if self.status.stage.is_open() {
            for (kind, code) in [(LogKind::Error, "log:error"), (LogKind::Alert, "log:alert")] {
                if let Some(entry) = self.log.iter().find(|e| e.kind == kind) {
                    out.push(Attention::new(code, entry.text.clone()));
                }
            }
        }
        for warning in &self.warnings {
            out.push(Attention::new("warning", warning.clone()));
        }
        if let Some(err) = &self.fetch_error {
            out.push(Attention::new("fetch:error", err.clone()));
        }
        out.extend(self.carrier_attention.iter().cloned());
        out
    }

    /// Whether the order shows up in the "needs attention" view.
    pub fn needs_attention(&self) -> bool {
        self.fetch_error.is_some() || self.needs_attention_apart_from_fetch()
    }

    /// [`Self::needs_attention`] as if the last fetch had not failed.
    pub fn needs_attention_apart_from_fetch(&self) -> bool {
        attention_rule(
            self.status.stage,
            !self.warnings.is_empty()
                || !self.carrier_attention.is_empty()
                || self
                    .log
                    .iter()
                    .any(|e| matches!(e.kind, LogKind::Error | LogKind::Alert)),
        )
    }

    /// When the order was created, if the carrier's date parsed.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.created.at
    }

    /// The value of a carrier field (the detail's overview) by its wire name.
    pub fn field(&self, name: &str) -> Option<&str> {
        lookup(&self.fields, name)
    }

    /// The value of a customer field by its wire name.
    pub fn customer_field(&self, name: &str) -> Option<&str> {
        lookup(&self.customer_fields, name)
    }

    /// The time of the newest known change.
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        let from_log = self.log.iter().filter_map(|e| e.at.at).max();
        let explicit = self.updated.as_ref().and_then(|s| s.at);
        explicit.max(from_log).or(self.created.at)
    }

    /// Schedule as display text: the date as the carrier wrote it (its own
    /// zone: a Stockholm delivery "2015-10-06 00:00" is the 6th, although in
    /// UTC it is the 5th), else the raw text; empty when none.
    pub fn schedule_text(&self) -> String {
        schedule_text(self.schedule.as_ref())
    }
}

/// Whether an order in `stage` needs attention apart from a failed fetch,
/// given whether it has a reason of its own (a warning, a carrier attention
/// item, an error or alert in its log): the needs-attention stage always
/// does, an open order with a reason does, a closed one never. The one rule
/// behind [`Order::needs_attention`] and [`super::OrderSummary`]'s answer.
pub fn attention_rule(stage: Stage, has_reason: bool) -> bool {
    stage == Stage::NeedsAttention || (stage.is_open() && has_reason)
}

/// A schedule as display text: the date as the carrier wrote it (its own
/// zone: a Stockholm delivery "2015-10-06 00:00" is the 6th, although in UTC
/// it is the 5th), else the raw text; empty when none.
pub fn schedule_text(schedule: Option<&Schedule>) -> String {
    match schedule {
        None => String::new(),
        Some(Schedule::Unscheduled) => "unscheduled".into(),
        Some(Schedule::Scheduled(stamp)) => {
            let raw = stamp.raw.trim();
            match leading_iso_date(raw) {
                Some(date) => date.to_owned(),
                None if raw.is_empty() => stamp
                    .at
                    .map(|at| at.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                None => raw.to_owned(),
            }
        }
    }
}

/// The `YYYY-MM-DD` date `text` starts with, if it is a real date. Read by
/// hand: it runs for every order at startup, and a format-string parse
/// costs several times more.
fn leading_iso_date(text: &str) -> Option<&str> {
    let date = text.get(..10)?;
    let bytes = date.as_bytes();
    let digits = |from: usize, to: usize| bytes[from..to].iter().all(u8::is_ascii_digit);
    if !(digits(0, 4) && bytes[4] == b'-' && digits(5, 7) && bytes[7] == b'-' && digits(8, 10)) {
        return None;
    }
    let number = |from: usize, to: usize| date[from..to].parse::<u32>().ok();
    let year = i32::try_from(number(0, 4)?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?).map(|_| date)
}

/// The value of the first `(name, value)` pair called `name`.
fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hold_the_raw_id_and_show_it_escaped() {
        let plain = OrderKey::new("tg", "19530");
        let twin = OrderKey::new("tg", "19530\u{1b}[0m");
        assert_ne!(plain, twin);
        assert_eq!(plain.to_string(), "tg/19530");
        assert_eq!(twin.to_string(), "tg/19530\\u{1b}[0m");
        assert_eq!(
            OrderKey::new("v", "a\u{200b}b\u{9b}").to_string(),
            "v/a\\u{200b}b\\u{9b}"
        );
    }

    #[test]
    fn empty_and_dot_segment_ids_are_unusable() {
        for id in ["", " ", ".", ".."] {
            assert!(unusable_id(id).is_some(), "{id:?}");
        }
        for id in ["19530", "...", ".a", "a/..", "U1\u{1b}"] {
            assert_eq!(unusable_id(id), None, "{id:?}");
        }
    }

    fn order(status: Status) -> Order {
        Order::new(OrderKey::new("tg", "1"), "tjansteguiden", status)
    }

    #[test]
    fn key_round_trips() {
        let key = OrderKey::new("tg", "19530");
        assert_eq!(key.to_string(), "tg/19530");
        assert_eq!(OrderKey::parse("tg/19530"), Some(key));
        assert_eq!(
            OrderKey::parse("lla/PR/7"),
            Some(OrderKey::new("lla", "PR/7"))
        );
        assert_eq!(OrderKey::parse("nope"), None);
        assert_eq!(OrderKey::parse("/1"), None);
    }

    #[test]
    fn stage_parses_both_spellings() {
        assert_eq!(Stage::parse("needs_attention"), Some(Stage::NeedsAttention));
        assert_eq!(Stage::parse("stalled"), Some(Stage::NeedsAttention));
        // "attention" is any order with a reason, never this stage.
        assert_eq!(Stage::parse("attention"), None);
        assert_eq!(Stage::parse("in progress"), Some(Stage::InProgress));
        assert_eq!(Stage::parse("bogus"), None);
    }

    #[test]
    fn attention_collects_reasons() {
        let mut o = order(Status::new("waiting", Stage::NeedsAttention, false));
        o.log.push(LogEntry {
            at: Stamp::default(),
            kind: LogKind::Error,
            source: "portal".into(),
            text: "Port finns ej".into(),
        });
        let codes: Vec<_> = o.attention().into_iter().map(|a| a.code).collect();
        assert_eq!(codes, ["status:waiting", "log:error"]);
        assert!(o.needs_attention());
    }

    #[test]
    fn schedule_shows_the_carriers_local_date() {
        use chrono::TimeZone;
        let mut o = order(Status::new("new", Stage::New, false));
        let utc = Utc.with_ymd_and_hms(2015, 10, 5, 22, 0, 0).unwrap();
        o.schedule = Some(Schedule::Scheduled(Stamp::new(
            "2015-10-06 00:00",
            Some(utc),
        )));
        assert_eq!(o.schedule_text(), "2015-10-06");
        o.schedule = Some(Schedule::Scheduled(Stamp::new("asap", None)));
        assert_eq!(o.schedule_text(), "asap");
        o.schedule = Some(Schedule::Unscheduled);
        assert_eq!(o.schedule_text(), "unscheduled");
    }

    #[test]
    fn only_a_real_leading_date_is_cut_from_the_carriers_text() {
        for (text, date) in [
            ("2015-10-06 00:00", Some("2015-10-06")),
            ("2024-02-29T10:00", Some("2024-02-29")),
            ("2023-02-29 10:00", None),
            ("2015-13-01", None),
            ("2015-1-06 00", None),
            ("15-10-06", None),
            ("2015/10/06", None),
            ("åäö-10-06 00:00", None),
            ("", None),
        ] {
            assert_eq!(leading_iso_date(text), date, "{text:?}");
        }
    }

    #[test]
    fn errors_on_closed_orders_do_not_need_attention() {
        let mut o = order(Status::new("cancelled", Stage::Closed, true));
        o.log.push(LogEntry {
            at: Stamp::default(),
            kind: LogKind::Error,
            source: "portal".into(),
            text: "old".into(),
        });
        assert!(o.attention().is_empty());
        assert!(!o.needs_attention());
    }
}
