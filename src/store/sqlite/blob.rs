//! The order blob of the SQLite cache: private serde DTOs that mirror
//! `domain::Order` (the domain types have no serde derives, on purpose: the
//! cache format is this store's business), the full form and the summary
//! form (see `orders`), short keys because 100k of them are read at startup.
//! The team store (`crate::store::postgres`) stores the same blobs.
//! Must not: touch the database.

use chrono::{DateTime, Utc};
use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::domain::{
    Attention, LogEntry, LogKind, Order, OrderKey, OrderSummary, SOURCE_FIELD, Schedule, Stage,
    Stamp, Status,
};

#[derive(Serialize, Deserialize)]
struct StampDto {
    #[serde(rename = "r", default, skip_serializing_if = "String::is_empty")]
    raw: String,
    #[serde(
        rename = "t",
        default,
        skip_serializing_if = "Option::is_none",
        with = "instant"
    )]
    at: Option<DateTime<Utc>>,
}

/// Instants in the blob: integer nanoseconds since the epoch (several times
/// faster to read than RFC 3339 text), or RFC 3339 text for the rare instant
/// outside the i64 nanosecond range (before 1677 or after 2262).
mod instant {
    use std::fmt;

    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::Serializer;

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            None => s.serialize_none(),
            Some(at) => match at.timestamp_nanos_opt() {
                Some(nanos) => s.serialize_i64(nanos),
                None => s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Nanos, true)),
            },
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_option(InstantVisitor)
    }

    struct InstantVisitor;

    impl<'de> Visitor<'de> for InstantVisitor {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("nanoseconds since the epoch or an RFC 3339 time")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(InstantVisitor)
        }

        fn visit_i64<E: de::Error>(self, nanos: i64) -> Result<Self::Value, E> {
            Ok(Some(DateTime::from_timestamp_nanos(nanos)))
        }

        fn visit_u64<E: de::Error>(self, nanos: u64) -> Result<Self::Value, E> {
            i64::try_from(nanos)
                .map(|n| Some(DateTime::from_timestamp_nanos(n)))
                .map_err(|_| E::custom("time out of range"))
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            super::super::parse_ts(text)
                .map(Some)
                .ok_or_else(|| E::custom(format!("bad time {text:?}")))
        }
    }
}

impl StampDto {
    fn from(s: &Stamp) -> Self {
        StampDto {
            raw: s.raw.clone(),
            at: s.at,
        }
    }
    fn into_stamp(self) -> Stamp {
        Stamp::new(self.raw, self.at)
    }
}

#[derive(Serialize, Deserialize)]
enum ScheduleDto {
    #[serde(rename = "s")]
    Scheduled(StampDto),
    #[serde(rename = "u")]
    Unscheduled,
}

impl ScheduleDto {
    fn from(s: &Schedule) -> Self {
        match s {
            Schedule::Scheduled(at) => ScheduleDto::Scheduled(StampDto::from(at)),
            Schedule::Unscheduled => ScheduleDto::Unscheduled,
        }
    }

    fn into_schedule(self) -> Schedule {
        match self {
            ScheduleDto::Scheduled(at) => Schedule::Scheduled(at.into_stamp()),
            ScheduleDto::Unscheduled => Schedule::Unscheduled,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct LogDto {
    #[serde(rename = "t")]
    at: StampDto,
    #[serde(rename = "k")]
    kind: String,
    #[serde(rename = "s", default, skip_serializing_if = "String::is_empty")]
    source: String,
    #[serde(rename = "x", default)]
    text: String,
}

impl LogDto {
    fn from(e: &LogEntry) -> Self {
        LogDto {
            at: StampDto::from(&e.at),
            kind: e.kind.as_str().to_owned(),
            source: e.source.clone(),
            text: e.text.clone(),
        }
    }
}

fn empty<T>(v: &[T]) -> bool {
    v.is_empty()
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The blob. Short keys: 100k of them are read at startup.
#[derive(Serialize, Deserialize)]
pub(crate) struct OrderDto {
    #[serde(rename = "sr")]
    status_raw: String,
    #[serde(rename = "sg")]
    stage: String,
    #[serde(rename = "st", default, skip_serializing_if = "is_false")]
    terminal: bool,
    #[serde(rename = "c")]
    created: StampDto,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    updated: Option<StampDto>,
    #[serde(rename = "cu", default, skip_serializing_if = "String::is_empty")]
    customer: String,
    #[serde(rename = "sv", default, skip_serializing_if = "String::is_empty")]
    service: String,
    #[serde(rename = "sc", default, skip_serializing_if = "Option::is_none")]
    schedule: Option<ScheduleDto>,
    #[serde(rename = "w", default, skip_serializing_if = "empty")]
    warnings: Vec<String>,
    #[serde(rename = "f", default, skip_serializing_if = "empty")]
    fields: Vec<(String, String)>,
    #[serde(rename = "cf", default, skip_serializing_if = "empty")]
    customer_fields: Vec<(String, String)>,
    #[serde(rename = "i", default, skip_serializing_if = "empty")]
    items: Vec<Vec<(String, String)>>,
    #[serde(rename = "l", default, skip_serializing_if = "empty")]
    log: Vec<LogDto>,
    #[serde(rename = "a", default, skip_serializing_if = "empty")]
    carrier_attention: Vec<(String, String)>,
    #[serde(rename = "fe", default, skip_serializing_if = "Option::is_none")]
    fetch_error: Option<String>,
    #[serde(rename = "dl", default, skip_serializing_if = "is_false")]
    detail_loaded: bool,
    #[serde(rename = "cl", default, skip_serializing_if = "is_false")]
    customer_loaded: bool,
}

impl OrderDto {
    pub(crate) fn from(o: &Order) -> Self {
        OrderDto {
            fields: o.fields.clone(),
            customer_fields: o.customer_fields.clone(),
            items: o.items.clone(),
            log: o.log.iter().map(LogDto::from).collect(),
            customer_loaded: o.customer_loaded,
            ..OrderDto::list_part(o)
        }
    }

    /// The summary of `o` (see the module docs): of the overview fields only
    /// the source system ([`SOURCE_FIELD`]), no customer fields, no items, and of the log only the first error and the first
    /// alert (the attention reasons); `updated` becomes the newest change
    /// (explicit or from the log) so that `updated_at()` is unchanged.
    pub(crate) fn summary_of(o: &Order) -> Self {
        let newest_log = o
            .log
            .iter()
            .filter(|e| e.at.at.is_some())
            .max_by_key(|e| e.at.at)
            .map(|e| &e.at);
        let updated = match (o.updated.as_ref(), newest_log) {
            (Some(explicit), Some(log)) if log.at > explicit.at => Some(log),
            (None, Some(log)) => Some(log),
            (explicit, _) => explicit,
        };
        OrderDto {
            updated: updated.map(StampDto::from),
            log: [LogKind::Error, LogKind::Alert]
                .into_iter()
                .filter_map(|kind| o.log.iter().find(|e| e.kind == kind))
                .map(LogDto::from)
                .collect(),
            // The one field the table reads (the `source:` filter).
            fields: o
                .field(SOURCE_FIELD)
                .map(|source| vec![(SOURCE_FIELD.to_owned(), source.to_owned())])
                .unwrap_or_default(),
            ..OrderDto::list_part(o)
        }
    }

    /// What the list needs of `o`, without any of its details (fields,
    /// customer fields, items, log).
    fn list_part(o: &Order) -> Self {
        OrderDto {
            status_raw: o.status.raw.clone(),
            stage: o.status.stage.as_str().to_owned(),
            terminal: o.status.terminal,
            created: StampDto::from(&o.created),
            updated: o.updated.as_ref().map(StampDto::from),
            customer: o.customer.clone(),
            service: o.service.clone(),
            schedule: o.schedule.as_ref().map(ScheduleDto::from),
            warnings: o.warnings.clone(),
            fields: Vec::new(),
            customer_fields: Vec::new(),
            items: Vec::new(),
            log: Vec::new(),
            carrier_attention: o
                .carrier_attention
                .iter()
                .map(|a| (a.code.clone(), a.detail.clone()))
                .collect(),
            fetch_error: o.fetch_error.clone(),
            detail_loaded: o.detail_loaded,
            customer_loaded: false,
        }
    }

    pub(crate) fn into_order(self, key: OrderKey, kind: &'static str) -> Order {
        // An unknown stage word (a newer build wrote it) is shown as needing
        // attention, like an unknown carrier status.
        let stage = Stage::parse(&self.stage).unwrap_or(Stage::NeedsAttention);
        Order {
            key,
            kind,
            status: Status::new(self.status_raw, stage, self.terminal),
            created: self.created.into_stamp(),
            updated: self.updated.map(StampDto::into_stamp),
            customer: self.customer,
            service: self.service,
            schedule: self.schedule.map(ScheduleDto::into_schedule),
            warnings: self.warnings,
            fields: self.fields,
            customer_fields: self.customer_fields,
            items: self.items,
            log: self
                .log
                .into_iter()
                .map(|e| LogEntry {
                    at: e.at.into_stamp(),
                    kind: log_kind(&e.kind),
                    source: e.source,
                    text: e.text,
                })
                .collect(),
            carrier_attention: self
                .carrier_attention
                .into_iter()
                .map(|(code, detail)| Attention::new(code, detail))
                .collect(),
            raw: None,
            fetch_error: self.fetch_error,
            detail_loaded: self.detail_loaded,
            customer_loaded: self.customer_loaded,
            read_at: None,
        }
    }
}

/// A stamp's instant alone: the summary read skips the carrier's text.
#[derive(Deserialize)]
struct InstantDto {
    #[serde(rename = "t", default, with = "instant")]
    at: Option<DateTime<Utc>>,
}

/// A summary's log line: its time and kind (the attention rule's input).
#[derive(Deserialize)]
struct LogKindDto<'a> {
    #[serde(rename = "t")]
    at: InstantDto,
    #[serde(rename = "k", borrow)]
    kind: Cow<'a, str>,
}

/// The summary blob read straight into an [`OrderSummary`], without
/// building the [`Order`] it came from: the startup read of 100k of them is
/// most of the first frame's time. Borrows the blob's text where it has no
/// escapes, counts what it does not keep (warnings, carrier attention).
/// Reads the same bytes as [`OrderDto`]; `summary_of_agrees_with_the_order`
/// tests that both give the same summary.
#[derive(Deserialize)]
pub(super) struct SummaryDto<'a> {
    #[serde(rename = "sr", borrow)]
    status_raw: Cow<'a, str>,
    #[serde(rename = "sg", borrow)]
    stage: Cow<'a, str>,
    #[serde(rename = "st", default)]
    terminal: bool,
    #[serde(rename = "c")]
    created: InstantDto,
    #[serde(rename = "u", default)]
    updated: Option<InstantDto>,
    #[serde(rename = "cu", default, borrow)]
    customer: Cow<'a, str>,
    #[serde(rename = "sv", default, borrow)]
    service: Cow<'a, str>,
    #[serde(rename = "sc", default)]
    schedule: Option<ScheduleDto>,
    #[serde(rename = "w", default)]
    warnings: Vec<IgnoredAny>,
    #[serde(rename = "f", default, borrow)]
    fields: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    #[serde(rename = "l", default, borrow)]
    log: Vec<LogKindDto<'a>>,
    #[serde(rename = "a", default)]
    carrier_attention: Vec<IgnoredAny>,
    #[serde(rename = "fe", default, borrow)]
    fetch_error: Option<Cow<'a, str>>,
    #[serde(rename = "dl", default)]
    detail_loaded: bool,
}

impl SummaryDto<'_> {
    pub(super) fn into_summary(self, key: OrderKey, kind: &'static str) -> OrderSummary {
        // As in `OrderDto::into_order`: an unknown stage word needs attention.
        let stage = Stage::parse(&self.stage).unwrap_or(Stage::NeedsAttention);
        let has_reason = !self.warnings.is_empty()
            || !self.carrier_attention.is_empty()
            || self
                .log
                .iter()
                .any(|e| matches!(log_kind(&e.kind), LogKind::Error | LogKind::Alert));
        let created = self.created.at;
        // `Order::updated_at`: the newest of the explicit change and the
        // log, else the creation.
        let from_log = self.log.iter().filter_map(|e| e.at.at).max();
        let explicit = self.updated.and_then(|u| u.at);
        let mut summary = OrderSummary::new(
            key,
            kind,
            Status::new(self.status_raw.into_owned(), stage, self.terminal),
            has_reason,
        );
        summary.created = created;
        summary.updated = explicit.max(from_log).or(created);
        summary.customer = self.customer.into();
        summary.service = self.service.into();
        summary.schedule = self.schedule.map(ScheduleDto::into_schedule);
        summary.source = self
            .fields
            .iter()
            .find(|(name, _)| name == SOURCE_FIELD)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
            .map(Into::into);
        summary.detail_loaded = self.detail_loaded;
        summary.fetch_error = self.fetch_error.map(Into::into);
        summary
    }
}

pub(super) fn log_kind(text: &str) -> LogKind {
    LogKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .unwrap_or(LogKind::Log)
}

pub(super) fn encode(dto: &OrderDto) -> rusqlite::Result<Vec<u8>> {
    serde_json::to_vec(dto).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}
