//! [`HourlyTrend`]: orders new and done per hour over a window of whole
//! hours, as a store reads it (`OrderCache::hourly_trend`). "New" counts an
//! order in the hour it was created; "done" counts an order in stage done in
//! the hour of its last change (the store keeps no history of stage moves,
//! so an order done and then changed again moves to the later hour).

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::domain::{OrderSummary, Stage};

/// Counts per hour, oldest hour first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HourlyTrend {
    /// The start of the first hour.
    pub start: DateTime<Utc>,
    pub new: Vec<u64>,
    pub done: Vec<u64>,
}

impl HourlyTrend {
    /// The window of `hours` whole hours that ends with the hour holding
    /// `now`: its first hour's start.
    pub fn window_start(now: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
        let hour = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
        hour - Duration::hours(i64::from(hours.saturating_sub(1)))
    }

    /// An empty trend of `hours` hours from `start`.
    pub fn empty(start: DateTime<Utc>, hours: u32) -> HourlyTrend {
        HourlyTrend {
            start,
            new: vec![0; hours as usize],
            done: vec![0; hours as usize],
        }
    }

    /// The hour of `at` in the window, if it falls inside.
    fn slot(&self, at: DateTime<Utc>) -> Option<usize> {
        if at < self.start {
            return None;
        }
        let i = usize::try_from((at - self.start).num_hours()).ok()?;
        (i < self.new.len()).then_some(i)
    }

    /// Counts one order.
    pub fn add(&mut self, order: &OrderSummary) {
        if let Some(i) = order.created.and_then(|c| self.slot(c)) {
            self.new[i] += 1;
        }
        if order.status.stage == Stage::Done
            && let Some(i) = order.updated.and_then(|u| self.slot(u))
        {
            self.done[i] += 1;
        }
    }

    /// The trend of `orders` over `hours` hours from `start`.
    pub fn of<'a>(
        orders: impl IntoIterator<Item = &'a OrderSummary>,
        start: DateTime<Utc>,
        hours: u32,
    ) -> HourlyTrend {
        let mut trend = HourlyTrend::empty(start, hours);
        for order in orders {
            trend.add(order);
        }
        trend
    }

    pub fn total_new(&self) -> u64 {
        self.new.iter().sum()
    }

    pub fn total_done(&self) -> u64 {
        self.done.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Order, OrderKey, Stamp, Status};
    use chrono::TimeZone;

    fn summary(stage: Stage, created: DateTime<Utc>, updated: DateTime<Utc>) -> OrderSummary {
        let mut o = Order::new(
            OrderKey::new("tg", "1"),
            "tjansteguiden",
            Status::new("x", stage, false),
        );
        o.created = Stamp::parsed(created);
        o.updated = Some(Stamp::parsed(updated));
        OrderSummary::of(&o)
    }

    #[test]
    fn hours_are_whole_and_edges_belong_to_the_later_hour() {
        let now = Utc.with_ymd_and_hms(2026, 2, 10, 11, 25, 0).unwrap();
        let start = HourlyTrend::window_start(now, 24);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 2, 9, 12, 0, 0).unwrap());
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 2, 10, h, m, 0).unwrap();
        let orders = [
            summary(Stage::New, at(11, 0), at(11, 0)),
            summary(Stage::New, at(10, 59), at(10, 59)),
            summary(Stage::Done, start - Duration::seconds(1), at(11, 20)),
            summary(Stage::Closed, at(3, 0), at(4, 0)),
            summary(Stage::Done, start, start),
        ];
        let t = HourlyTrend::of(&orders, start, 24);
        assert_eq!(t.new.len(), 24);
        assert_eq!(t.new[23], 1);
        assert_eq!(t.new[22], 1);
        assert_eq!(t.new[15], 1);
        assert_eq!(t.new[0], 1);
        assert_eq!(t.total_new(), 4);
        assert_eq!(t.done[23], 1);
        assert_eq!(t.done[0], 1);
        assert_eq!(t.total_done(), 2);
    }
}
