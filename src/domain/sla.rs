//! Time to act: a carrier's service levels (how long an open order may stay
//! in a stage) and overdue delivery dates, the attention reasons that come
//! from the clock rather than from the carrier. [`ServiceLevels::reasons`]
//! says which apply to an order at a given time; the console asks again as
//! time passes. Pure: the caller passes the time.
//!
//! - **Stage too long** (`sla:new>4h`): the order has been in its stage for
//!   longer than the carrier's `sla` says. For stage new the clock starts when
//!   the order was created; for the others when it last changed (the store
//!   keeps no stage history, and a change is what someone waiting sees).
//! - **Overdue** (`overdue`): an open order whose delivery date has passed
//!   by more than the grace (default one day, so a delivery due today is not
//!   overdue until tomorrow). On for every carrier unless its `sla` says
//!   `overdue = "off"`.

use chrono::{DateTime, Duration, Utc};

use super::board::{parse_duration, short_age};
use super::order::{Attention, Order, Schedule, Stage};
use super::summary::OrderSummary;

/// The grace after a delivery date before an open order is overdue.
pub const DEFAULT_OVERDUE_GRACE: Duration = Duration::days(1);

/// One carrier's service levels, as its config's `sla` table says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLevels {
    /// How long an order may stay in each listed open stage.
    pub stages: Vec<(Stage, Duration)>,
    /// How long past its delivery date an open order may be; `None`: not
    /// watched.
    pub overdue_grace: Option<Duration>,
}

impl Default for ServiceLevels {
    /// No stage limits; overdue delivery dates watched with the default
    /// grace.
    fn default() -> Self {
        ServiceLevels {
            stages: Vec::new(),
            overdue_grace: Some(DEFAULT_OVERDUE_GRACE),
        }
    }
}

/// What an order's clock-based reasons depend on.
#[derive(Debug, Clone, Copy)]
pub struct Clocked {
    pub stage: Stage,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// The delivery date, when the order has one that parsed.
    pub due: Option<DateTime<Utc>>,
}

impl Clocked {
    /// What a summary says of its clock.
    pub fn of(summary: &OrderSummary) -> Clocked {
        Clocked {
            stage: summary.status.stage,
            created: summary.created,
            updated: summary.updated_at(),
            due: due(summary.schedule.as_ref()),
        }
    }

    /// What a full order says of its clock (the same as its summary).
    pub fn of_order(order: &Order) -> Clocked {
        Clocked {
            stage: order.status.stage,
            created: order.created_at(),
            updated: order.updated_at(),
            due: due(order.schedule.as_ref()),
        }
    }
}

fn due(schedule: Option<&Schedule>) -> Option<DateTime<Utc>> {
    match schedule {
        Some(Schedule::Scheduled(stamp)) => stamp.at,
        _ => None,
    }
}

impl ServiceLevels {
    /// Reads one `sla` entry (`new = "4h"`, `overdue = "off"`) into these
    /// levels; the error says what the key or value should be.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        if key == "overdue" {
            self.overdue_grace = match value.trim() {
                "off" => None,
                text => Some(parse_duration(text).ok_or_else(|| {
                    format!("sla.overdue: {value:?} is not a duration like \"1d\" or \"12h\", or \"off\"")
                })?),
            };
            return Ok(());
        }
        let stage = Stage::parse(key).filter(|s| s.is_open()).ok_or_else(|| {
            format!("sla: `{key}` is not an open stage; use new, in_progress, stalled or overdue")
        })?;
        let limit = parse_duration(value)
            .filter(|d| *d > Duration::zero())
            .ok_or_else(|| {
                format!("sla.{key}: {value:?} is not a duration like \"4h\", \"10d\" or \"2w\"")
            })?;
        self.stages.retain(|(s, _)| *s != stage);
        self.stages.push((stage, limit));
        Ok(())
    }

    /// The limit for `stage`, if one is set.
    pub fn limit(&self, stage: Stage) -> Option<Duration> {
        self.stages
            .iter()
            .find_map(|(s, d)| (*s == stage).then_some(*d))
    }

    /// Whether any clock-based reason applies at `now` (what
    /// [`Self::reasons`] would list, without building the words).
    pub fn is_late(&self, order: &Clocked, now: DateTime<Utc>) -> bool {
        self.stage_overrun(order, now).is_some() || self.overdue_by(order, now).is_some()
    }

    /// The clock-based attention reasons of `order` at `now`.
    pub fn reasons(&self, order: &Clocked, now: DateTime<Utc>) -> Vec<Attention> {
        let mut out = Vec::new();
        if let Some((limit, since)) = self.stage_overrun(order, now) {
            let stage = order.stage;
            out.push(Attention::new(
                format!("sla:{}>{}", stage.as_str(), short_age(limit)),
                format!(
                    "{} for {}, {} over its {}",
                    stage.label(),
                    short_age(now - since),
                    short_age(now - since - limit),
                    short_age(limit)
                ),
            ));
        }
        if let Some((due, by)) = self.overdue_by(order, now) {
            out.push(Attention::new(
                "overdue",
                format!(
                    "delivery was due {} UTC, {} ago",
                    due.format("%Y-%m-%d %H:%M"),
                    short_age(by)
                ),
            ));
        }
        out
    }

    /// The limit and when the stage's clock started, when it is over.
    fn stage_overrun(
        &self,
        order: &Clocked,
        now: DateTime<Utc>,
    ) -> Option<(Duration, DateTime<Utc>)> {
        let limit = self.limit(order.stage)?;
        let since = match order.stage {
            Stage::New => order.created,
            _ => order.updated.or(order.created),
        }?;
        (now - since > limit).then_some((limit, since))
    }

    /// The delivery date and how long ago it was, when the order is overdue.
    fn overdue_by(&self, order: &Clocked, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Duration)> {
        let grace = self.overdue_grace?;
        let due = order.due.filter(|_| order.stage.is_open())?;
        (now - due > grace).then_some((due, now - due))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
    }

    fn clocked(stage: Stage, created_h_ago: i64, updated_h_ago: i64) -> Clocked {
        Clocked {
            stage,
            created: Some(now() - Duration::hours(created_h_ago)),
            updated: Some(now() - Duration::hours(updated_h_ago)),
            due: None,
        }
    }

    fn levels(entries: &[(&str, &str)]) -> ServiceLevels {
        let mut levels = ServiceLevels::default();
        for (k, v) in entries {
            levels.set(k, v).unwrap();
        }
        levels
    }

    #[test]
    fn a_new_order_is_late_from_its_creation_the_others_from_their_last_change() {
        let sla = levels(&[("new", "4h"), ("in_progress", "10d")]);
        let fresh = clocked(Stage::New, 3, 0);
        assert!(!sla.is_late(&fresh, now()));
        let old_new = clocked(Stage::New, 6, 0);
        let reasons = sla.reasons(&old_new, now());
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].code, "sla:new>4h");
        assert_eq!(reasons[0].detail, "new for 6h, 2h over its 4h");
        // In progress: created long ago, changed yesterday: within 10 days.
        assert!(!sla.is_late(&clocked(Stage::InProgress, 24 * 30, 24), now()));
        let stuck = clocked(Stage::InProgress, 24 * 30, 24 * 12);
        assert_eq!(sla.reasons(&stuck, now())[0].code, "sla:in_progress>10d");
        // A stage without a limit, and a closed order, never are.
        assert!(!sla.is_late(&clocked(Stage::NeedsAttention, 999, 999), now()));
        assert!(!sla.is_late(&clocked(Stage::Done, 999, 999), now()));
    }

    #[test]
    fn an_open_order_is_overdue_a_day_after_its_delivery_date_unless_switched_off() {
        let mut order = clocked(Stage::InProgress, 48, 1);
        order.due = Some(now() - Duration::hours(20));
        assert!(
            !ServiceLevels::default().is_late(&order, now()),
            "due today"
        );
        order.due = Some(now() - Duration::hours(50));
        let reasons = ServiceLevels::default().reasons(&order, now());
        assert_eq!(reasons[0].code, "overdue");
        assert_eq!(
            reasons[0].detail,
            "delivery was due 2026-11-28 10:00 UTC, 2d ago"
        );
        assert!(!levels(&[("overdue", "off")]).is_late(&order, now()));
        assert!(levels(&[("overdue", "12h")]).is_late(&order, now()));
        order.stage = Stage::Done;
        assert!(
            !ServiceLevels::default().is_late(&order, now()),
            "done is done"
        );
    }

    #[test]
    fn a_bad_entry_says_what_it_takes() {
        let mut sla = ServiceLevels::default();
        let e = sla.set("shipped", "4h").unwrap_err();
        assert!(e.contains("`shipped` is not an open stage"), "{e}");
        assert!(
            sla.set("done", "4h").is_err(),
            "closed stages have no limit"
        );
        let e = sla.set("new", "soon").unwrap_err();
        assert!(e.contains("sla.new: \"soon\" is not a duration"), "{e}");
        assert!(sla.set("new", "0h").is_err());
        let e = sla.set("overdue", "never").unwrap_err();
        assert!(e.contains("or \"off\""), "{e}");
        sla.set("stalled", "1d").unwrap();
        assert_eq!(sla.limit(Stage::NeedsAttention), Some(Duration::days(1)));
    }
}
