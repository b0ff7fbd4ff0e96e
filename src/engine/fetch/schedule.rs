//! When to poll next: the pure part of the fetcher, unit-tested without time
//! passing. Failures back off exponentially (capped at four intervals, at
//! most 15 minutes) unless the carrier said how long to wait; automatic polls
//! falling inside the carrier's quiet hours (read in the carrier's zone)
//! move to the end of the window.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::carriers::{PollPlan, QuietHours};

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

/// The pause before the next automatic poll. Quiet hours are read in the
/// carrier's zone (`plan.quiet_hours`), never in the machine's.
pub fn next_delay(plan: &PollPlan, outcome: Outcome, now: DateTime<Utc>) -> Duration {
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
        Some(window) => skip_quiet_hours(now, base, window),
        None => base,
    }
}

/// When a fetcher's first poll goes out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FirstPoll {
    /// At once, whatever the hour: an explicit request (headless `list`,
    /// `show`) or a process with nothing to show otherwise.
    #[default]
    Now,
    /// At once, unless the carrier is inside its quiet hours: then at their
    /// end (a console starting: its first poll is as automatic as the
    /// ones after it; `r` still polls after a confirmation).
    OutsideQuietHours,
}

/// The pause before a fetcher's first poll.
pub fn first_delay(plan: &PollPlan, first: FirstPoll, now: DateTime<Utc>) -> Duration {
    match (first, plan.quiet_hours) {
        (FirstPoll::OutsideQuietHours, Some(window)) => {
            skip_quiet_hours(now, Duration::ZERO, window)
        }
        _ => Duration::ZERO,
    }
}

/// Moves a poll planned inside the quiet window to the window's end.
fn skip_quiet_hours(now: DateTime<Utc>, delay: Duration, window: QuietHours) -> Duration {
    let Ok(step) = chrono::Duration::from_std(delay) else {
        return delay;
    };
    let planned = now + step;
    if !window.contains(planned) {
        return delay;
    }
    (window.ends_after(planned) - now).to_std().unwrap_or(delay)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Tz;

    use super::*;

    fn plan(quiet: Option<(u32, u32)>, zone: Tz) -> PollPlan {
        PollPlan {
            interval: Duration::from_secs(60),
            quiet_hours: quiet.map(|q| QuietHours::new(q, zone)),
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0)
            .single()
            .expect("valid")
    }

    const UTC: Tz = chrono_tz::UTC;
    const CHICAGO: Tz = chrono_tz::America::Chicago;

    #[test]
    fn ok_waits_one_interval() {
        assert_eq!(
            next_delay(&plan(None, UTC), Outcome::Ok, at(3, 0)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn failures_back_off_to_a_cap() {
        let d = |failures| {
            next_delay(
                &plan(None, UTC),
                Outcome::Failed {
                    retry_after: None,
                    failures,
                },
                at(3, 0),
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
            next_delay(&plan(None, UTC), o, at(3, 0)),
            Duration::from_secs(42)
        );
    }

    #[test]
    fn a_console_starting_in_quiet_hours_holds_its_first_poll() {
        let px = plan(Some((7, 19)), CHICAGO);
        // 14:00 UTC = 08:00 CST: quiet in Chicago until 19:00 CST = 01:00 UTC.
        let held = first_delay(&px, FirstPoll::OutsideQuietHours, at(14, 0));
        assert_eq!(held, Duration::from_secs(11 * 3600));
        // The window's last minute, and its end: the end is not quiet.
        assert_eq!(
            first_delay(&px, FirstPoll::OutsideQuietHours, at(0, 59)),
            Duration::from_secs(60)
        );
        assert_eq!(
            first_delay(&px, FirstPoll::OutsideQuietHours, at(1, 0)),
            Duration::ZERO
        );
        // 12:59 UTC = 06:59 CST: not yet quiet.
        assert_eq!(
            first_delay(&px, FirstPoll::OutsideQuietHours, at(12, 59)),
            Duration::ZERO
        );
        // An explicit request polls whatever the hour; so does a carrier
        // without quiet hours.
        assert_eq!(first_delay(&px, FirstPoll::Now, at(14, 0)), Duration::ZERO);
        assert_eq!(
            first_delay(
                &plan(None, CHICAGO),
                FirstPoll::OutsideQuietHours,
                at(14, 0)
            ),
            Duration::ZERO
        );
    }

    #[test]
    fn quiet_hours_move_the_poll_to_the_window_end() {
        // Quiet 07-19 in UTC: a poll planned at 10:01 waits until 19:00.
        let d = next_delay(&plan(Some((7, 19)), UTC), Outcome::Ok, at(10, 0));
        assert_eq!(d, Duration::from_secs(9 * 3600));
        // Outside the window nothing changes.
        assert_eq!(
            next_delay(&plan(Some((7, 19)), UTC), Outcome::Ok, at(20, 0)),
            Duration::from_secs(60)
        );
        // A window across midnight (22-06): 23:30 waits until 06:00.
        let d = next_delay(&plan(Some((22, 6)), UTC), Outcome::Ok, at(23, 29));
        assert_eq!(d, Duration::from_secs(6 * 3600 + 31 * 60));
    }

    #[test]
    fn quiet_hours_are_read_in_the_carriers_zone() {
        // Chicago is UTC-6 in November (CST).
        let chicago = plan(Some((7, 19)), CHICAGO);
        // 14:00 UTC = 08:00 CST: quiet in Chicago, waits until 01:00 UTC.
        assert_eq!(
            next_delay(&chicago, Outcome::Ok, at(14, 0)),
            Duration::from_secs(11 * 3600)
        );
        // 20:00 UTC = 14:00 CST: quiet in Chicago, not in UTC.
        assert_eq!(
            next_delay(&chicago, Outcome::Ok, at(20, 0)),
            Duration::from_secs(5 * 3600)
        );
        assert_eq!(
            next_delay(&plan(Some((7, 19)), UTC), Outcome::Ok, at(20, 0)),
            Duration::from_secs(60)
        );
        // 08:00 UTC = 02:00 CST: quiet in UTC, not in Chicago.
        assert_eq!(
            next_delay(&chicago, Outcome::Ok, at(8, 0)),
            Duration::from_secs(60)
        );
        assert_eq!(
            next_delay(&plan(Some((7, 19)), UTC), Outcome::Ok, at(8, 0)),
            Duration::from_secs(11 * 3600)
        );
    }
}
