//! When to poll next: the pure part of the fetcher, unit-tested without time
//! passing. Failures back off exponentially (capped at four intervals, at
//! most 15 minutes) unless the carrier said how long to wait; automatic polls
//! falling inside the carrier's quiet hours move to the end of the window.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Timelike, Utc};

use crate::carriers::PollPlan;

/// How the last poll went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed {
        retry_after: Option<Duration>,
        failures: u32,
    },
}

const FIRST_RETRY: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// The pause before the next automatic poll.
pub fn next_delay<Z: TimeZone>(
    plan: &PollPlan,
    outcome: Outcome,
    now: DateTime<Utc>,
    zone: Z,
) -> Duration {
    let base = match outcome {
        Outcome::Ok => plan.interval,
        Outcome::Failed {
            retry_after: Some(wait),
            ..
        } => wait,
        Outcome::Failed {
            retry_after: None,
            failures,
        } => {
            let cap = (plan.interval * 4).min(MAX_BACKOFF).max(FIRST_RETRY);
            let exp = FIRST_RETRY.saturating_mul(1 << failures.saturating_sub(1).min(16));
            exp.min(cap)
        }
    };
    match plan.quiet_hours {
        Some(window) => skip_quiet_hours(now, base, window, zone),
        None => base,
    }
}

/// Moves a poll planned inside `[start, end)` local hours to `end`.
fn skip_quiet_hours<Z: TimeZone>(
    now: DateTime<Utc>,
    delay: Duration,
    (start, end): (u32, u32),
    zone: Z,
) -> Duration {
    let Ok(step) = chrono::Duration::from_std(delay) else {
        return delay;
    };
    let planned = (now + step).with_timezone(&zone);
    let hour = planned.hour();
    let inside = if start < end {
        hour >= start && hour < end
    } else {
        hour >= start || hour < end
    };
    if !inside {
        return delay;
    }
    let hours_left = if hour < end {
        end - hour
    } else {
        24 - hour + end
    };
    let window_end = planned.clone() + chrono::Duration::hours(i64::from(hours_left))
        - chrono::Duration::minutes(i64::from(planned.minute()))
        - chrono::Duration::seconds(i64::from(planned.second()));
    (window_end.with_timezone(&Utc) - now)
        .to_std()
        .unwrap_or(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(quiet: Option<(u32, u32)>) -> PollPlan {
        PollPlan {
            interval: Duration::from_secs(60),
            quiet_hours: quiet,
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn ok_waits_one_interval() {
        assert_eq!(
            next_delay(&plan(None), Outcome::Ok, at(3, 0), Utc),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn failures_back_off_to_a_cap() {
        let d = |failures| {
            next_delay(
                &plan(None),
                Outcome::Failed {
                    retry_after: None,
                    failures,
                },
                at(3, 0),
                Utc,
            )
        };
        assert_eq!(d(1), Duration::from_secs(5));
        assert_eq!(d(2), Duration::from_secs(10));
        assert_eq!(d(3), Duration::from_secs(20));
        assert_eq!(d(10), Duration::from_secs(240));
    }

    #[test]
    fn retry_after_wins() {
        let o = Outcome::Failed {
            retry_after: Some(Duration::from_secs(42)),
            failures: 7,
        };
        assert_eq!(
            next_delay(&plan(None), o, at(3, 0), Utc),
            Duration::from_secs(42)
        );
    }

    #[test]
    fn quiet_hours_move_the_poll_to_the_window_end() {
        // Quiet 07-19 local (UTC here): a poll planned at 10:01 waits until 19:00.
        let d = next_delay(&plan(Some((7, 19))), Outcome::Ok, at(10, 0), Utc);
        assert_eq!(d, Duration::from_secs(9 * 3600));
        // Outside the window nothing changes.
        assert_eq!(
            next_delay(&plan(Some((7, 19))), Outcome::Ok, at(20, 0), Utc),
            Duration::from_secs(60)
        );
        // A window across midnight (22-06): 23:30 waits until 06:00.
        let d = next_delay(&plan(Some((22, 6))), Outcome::Ok, at(23, 29), Utc);
        assert_eq!(d, Duration::from_secs(6 * 3600 + 31 * 60));
    }
}
