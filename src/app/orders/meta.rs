//! What the order store keeps per order besides its summary: the hot bits a
//! filter pass reads ([`Hot`]), the precomputed sort keys ([`Meta`]), and the
//! view of one order the filter asks questions of ([`Row`]).

use std::cmp::Ordering;

use super::OrderStore;
use crate::app::filter::{HayParts, Subject, haystack_with_parts};
use crate::domain::{OrderKey, OrderSummary, Schedule, Stage};

/// What a filter pass reads per order, kept small and contiguous so a pass
/// over 100k orders walks memory in order.
#[derive(Debug, Clone)]
pub(super) struct Hot {
    /// The haystack's place in [`OrderStore::arena`].
    pub(super) start: u32,
    pub(super) len: u32,
    pub(super) stage: Stage,
    pub(super) attention: bool,
    /// A local follow-up flag is set (counts as attention).
    pub(super) flagged: bool,
    /// A service level is overrun or the delivery date passed (see
    /// `late`; counts as attention).
    pub(super) late: bool,
}

impl Hot {
    /// In the "needs attention" view: the order says so, it is flagged,
    /// or it is late.
    pub(super) fn needs_attention(&self) -> bool {
        self.attention || self.flagged || self.late
    }
}

/// Sort keys, precomputed per order. The `*_prefix` fields hold the first 16
/// bytes of the lowercase text, big-endian, so most comparisons never touch
/// the strings themselves; the full lowercase text is read from the order's
/// haystack ([`HayParts`]).
#[derive(Debug, Clone)]
pub(super) struct Meta {
    pub(super) parts: HayParts,
    pub(super) carrier_prefix: u128,
    pub(super) customer_prefix: u128,
    pub(super) service_prefix: u128,
    pub(super) status_prefix: u128,
    pub(super) id_num: Option<u64>,
    pub(super) created: i64,
    pub(super) updated: i64,
    pub(super) schedule: i64,
}

/// Missing times sort last (ascending).
pub(super) const NONE_TIME: i64 = i64::MAX;

/// Order-preserving: `a < b` (bytewise) implies `prefix(a) <= prefix(b)`.
pub(super) fn prefix(text: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = text.len().min(16);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

pub(super) fn time_key(t: i64) -> u128 {
    (t as i128 - i64::MIN as i128) as u128
}

impl Meta {
    /// Hot data (haystack not yet placed) and sort keys of `order`.
    pub(super) fn of(order: &OrderSummary) -> (Hot, Box<str>, Meta) {
        let (hay, parts) = haystack_with_parts(order);
        let part = |(start, end): (u32, u32)| hay.get(start as usize..end as usize).unwrap_or("");
        let hot = Hot {
            start: 0,
            len: 0,
            stage: order.status.stage,
            attention: order.needs_attention(),
            flagged: false,
            late: false,
        };
        let meta = Meta {
            carrier_prefix: prefix(&order.key.carrier),
            customer_prefix: prefix(part(parts.customer)),
            service_prefix: prefix(part(parts.service)),
            status_prefix: prefix(part(parts.status)),
            parts,
            id_num: order.key.id.parse().ok(),
            created: order.created.map_or(NONE_TIME, |t| t.timestamp()),
            updated: order.updated_at().map_or(NONE_TIME, |t| t.timestamp()),
            schedule: match &order.schedule {
                Some(Schedule::Scheduled(stamp)) => {
                    stamp.at.map_or(NONE_TIME - 2, |t| t.timestamp())
                }
                Some(Schedule::Unscheduled) => NONE_TIME - 1,
                None => NONE_TIME,
            },
        };
        (hot, hay, meta)
    }
}

/// One order as the filter sees it: reads only what a term asks for.
pub(super) struct Row<'a> {
    pub(super) store: &'a OrderStore,
    pub(super) index: u32,
}

impl Subject for Row<'_> {
    fn haystack(&self) -> &str {
        self.store.hay(&self.store.hot[self.index as usize])
    }
    fn stage(&self) -> Stage {
        self.store.hot[self.index as usize].stage
    }
    fn status_lower(&self) -> &str {
        self.store.part(
            self.index,
            self.store.meta[self.index as usize].parts.status,
        )
    }
    fn carrier(&self) -> &str {
        &self.store.orders[self.index as usize].key.carrier
    }
    fn kind(&self) -> &str {
        self.store.orders[self.index as usize].kind
    }
    fn source(&self) -> Option<&str> {
        self.store.orders[self.index as usize].source.as_deref()
    }
    fn flagged(&self) -> bool {
        self.store.hot[self.index as usize].flagged
    }
    fn full_text_match(&self) -> bool {
        self.store
            .full_text
            .as_ref()
            .is_some_and(|found| found.hits.contains(&self.index))
    }
}

pub(super) fn natural_id(a: &OrderKey, am: &Meta, b: &OrderKey, bm: &Meta) -> Ordering {
    match (am.id_num, bm.id_num) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.id.cmp(&b.id)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    }
}
