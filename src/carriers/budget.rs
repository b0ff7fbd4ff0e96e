//! The request budget of a carrier's background work: which unchanged open
//! orders a poll re-reads, and how many it may.
//!
//! A poll re-reads at once what the carrier's list shows changed (or what
//! was never read); that cost grows with what changed. Every other open
//! order is refreshed in a slow rotation ([`due`]): at most once per
//! [`RefreshPolicy::every`] ([`RefreshPolicy::attention_every`] for orders
//! that need attention), oldest read first, and never more than the
//! [`Budget`] allows: a token bucket of [`RefreshPolicy::per_minute`]
//! requests that refills continuously and holds at most one minute's worth.
//! A manual re-read of one order is not background work: it never asks the
//! budget.
//!
//! Time comes from a [`Clock`] so that tests can run an hour in
//! milliseconds. Must not: make requests or know any carrier kind.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::CarrierConfig;

/// Where a reader takes the time from (injected in tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// How one carrier instance refreshes unchanged open orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Background requests per minute at most (0: no background refresh).
    pub per_minute: u32,
    /// An unchanged open order is re-read at most this often.
    pub every: Duration,
    /// The same for an open order that needs attention.
    pub attention_every: Duration,
}

impl RefreshPolicy {
    /// The carrier's configured policy; `default_per_minute` is its kind's
    /// budget when the config does not set `max_requests_per_minute`.
    pub fn of(carrier: &CarrierConfig, default_per_minute: u32) -> RefreshPolicy {
        RefreshPolicy {
            per_minute: carrier
                .max_requests_per_minute
                .unwrap_or(default_per_minute),
            every: carrier.reread_every,
            attention_every: carrier.reread_attention_every,
        }
    }
}

/// A token bucket of background requests (see the module docs).
#[derive(Debug, Clone)]
pub struct Budget {
    per_minute: u32,
    tokens: f64,
    refilled: Option<DateTime<Utc>>,
}

impl Budget {
    /// A full bucket of `per_minute` requests.
    pub fn new(per_minute: u32) -> Budget {
        Budget {
            per_minute,
            tokens: f64::from(per_minute),
            refilled: None,
        }
    }

    fn refill(&mut self, now: DateTime<Utc>) {
        let cap = f64::from(self.per_minute);
        if let Some(then) = self.refilled {
            let secs = (now - then).num_milliseconds().max(0) as f64 / 1000.0;
            self.tokens = (self.tokens + secs * cap / 60.0).min(cap);
        }
        self.refilled = Some(now);
    }

    /// Takes up to `wanted` requests from the bucket at `now`; returns how
    /// many it may make.
    pub fn take(&mut self, now: DateTime<Utc>, wanted: usize) -> usize {
        self.refill(now);
        let granted = (self.tokens.floor() as usize).min(wanted);
        self.tokens -= granted as f64;
        granted
    }

    /// Gives back requests taken but not made.
    pub fn give_back(&mut self, unused: usize) {
        let cap = f64::from(self.per_minute);
        self.tokens = (self.tokens + unused as f64).min(cap);
    }
}

/// One unchanged open order a rotation may refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    /// When it was last read in full (`None`: never, as far as we know).
    pub read: Option<DateTime<Utc>>,
    pub attention: bool,
}

/// The candidates due at `now`, oldest read first (never read before any),
/// as many as `budget` allows; the budget is charged for the ones returned.
pub fn due(
    policy: &RefreshPolicy,
    budget: &mut Budget,
    now: DateTime<Utc>,
    candidates: Vec<Candidate>,
) -> Vec<String> {
    let mut due: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| {
            let every = if c.attention {
                policy.attention_every
            } else {
                policy.every
            };
            c.read.is_none_or(|read| {
                chrono::Duration::from_std(every).is_ok_and(|every| read + every <= now)
            })
        })
        .collect();
    due.sort_by(|a, b| a.read.cmp(&b.read).then_with(|| a.id.cmp(&b.id)));
    let granted = budget.take(now, due.len());
    due.truncate(granted);
    due.into_iter().map(|c| c.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    fn policy(per_minute: u32) -> RefreshPolicy {
        RefreshPolicy {
            per_minute,
            every: Duration::from_secs(3600),
            attention_every: Duration::from_secs(600),
        }
    }

    fn candidate(id: &str, read: Option<i64>, attention: bool) -> Candidate {
        Candidate {
            id: id.into(),
            read: read.map(at),
            attention,
        }
    }

    #[test]
    fn the_bucket_holds_one_minute_and_refills_continuously() {
        let mut b = Budget::new(60);
        assert_eq!(b.take(at(0), 100), 60);
        assert_eq!(b.take(at(0), 100), 0);
        assert_eq!(b.take(at(30), 100), 30);
        assert_eq!(
            b.take(at(3600), 1000),
            60,
            "never more than a minute's worth"
        );
        b.give_back(5);
        assert_eq!(b.take(at(3600), 1000), 5);
        assert_eq!(Budget::new(0).take(at(9999), 10), 0);
    }

    #[test]
    fn due_orders_are_oldest_first_and_attention_comes_round_sooner() {
        let p = policy(3);
        let mut b = Budget::new(3);
        let now = at(4000);
        let picked = due(
            &p,
            &mut b,
            now,
            vec![
                candidate("fresh", Some(3900), false),
                candidate("old", Some(100), false),
                candidate("older", Some(0), false),
                candidate("never", None, false),
                candidate("hot", Some(3000), true),
                candidate("hot-fresh", Some(3800), true),
            ],
        );
        assert_eq!(picked, ["never", "older", "old"], "budget of 3");
        let picked = due(
            &p,
            &mut Budget::new(10),
            now,
            vec![
                candidate("hot", Some(3000), true),
                candidate("hot-fresh", Some(3800), true),
                candidate("fresh", Some(3900), false),
            ],
        );
        assert_eq!(picked, ["hot"]);
    }
}
