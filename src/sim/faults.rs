//! The fault knobs every simulator shares ([`Faults`]) and the machinery that
//! applies them ([`FaultDice`]): per request it decides, from a seeded RNG of
//! its own, which fault fires, and it counts the faults served
//! ([`Injected`]). It owns the decision and the counting only: what a fault
//! looks like on the wire (the carrier's error body, what a malformed XML or
//! JSON body is) is each simulator's, and it does no I/O and no sleeping.
//!
//! A simulator uses it in four steps, under its own state lock:
//! 1. [`FaultDice::roll`] once per request (with the request's key, e.g. an
//!    order id, for faults forced with [`FaultDice::force`]); it sleeps
//!    [`Roll::latency`].
//! 2. [`Roll::before`]: a fault that answers before anything is applied
//!    (429 with [`Roll::retry_after`], 500, 503, a hang of [`Roll::hang`], a
//!    dropped connection); the simulator answers it in its own words and
//!    calls [`FaultDice::count`].
//! 3. It acts (applies or refuses a write, renders a read), then
//!    [`Roll::drop_after`] loses the answer (the write stays applied).
//! 4. [`Roll::spoil`] cuts off ([`truncate`]) or garbles a successful body.
//!
//! Order of the checks: 429, 500, 503, hang, drop before; then drop after;
//! then truncated, malformed. The dice are drawn in a fixed order and only
//! for knobs that are on, so a seed gives the same faults whatever else the
//! simulator draws, and the data does not change with the knobs.

use std::collections::HashMap;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Fault knobs, changeable while running. None by default.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Slept per request before answering (concurrently: it does not
    /// serialize requests).
    pub latency: Duration,
    /// Share of requests answered HTTP 500 with the carrier's error body
    /// (0..1).
    pub error_rate: f64,
    /// Every Nth request answers 429 with a `Retry-After` header.
    pub rate_limit_every: Option<usize>,
    /// The `Retry-After` a 429 carries (whole seconds on the wire).
    pub retry_after: Duration,
    /// Share of requests answered HTTP 503 before acting (0..1).
    pub unavailable_rate: f64,
    /// Share of requests that hang for `hang` and then answer the carrier's
    /// timeout (0..1), before acting.
    pub hang_rate: f64,
    /// How long a hang lasts.
    pub hang: Duration,
    /// Share of requests whose connection is dropped with no answer (0..1):
    /// half before acting, half after (a write is then applied, or refused,
    /// and its answer lost). What a simulator does with a late drop on a
    /// read is its own to say.
    pub drop_rate: f64,
    /// Share of successful answers cut off part-way (0..1).
    pub truncate_rate: f64,
    /// Share of successful answers whose body is complete but not well
    /// formed, in the carrier's format (0..1).
    pub malformed_rate: f64,
    /// A write that was applied is answered only after this pause: a client
    /// that dies meanwhile never learns that its write took effect (the
    /// crash tests use it).
    pub write_answer_delay: Duration,
    /// OAuth carriers: refuse every token on API calls (token expiry is
    /// [`TokenRefusal::Expired`]).
    pub token_refusal: Option<TokenRefusal>,
    /// OAuth carriers: the token endpoint answers 401 whatever the
    /// credentials.
    pub token_endpoint_refuses: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency: Duration::ZERO,
            error_rate: 0.0,
            rate_limit_every: None,
            retry_after: Duration::from_secs(1),
            unavailable_rate: 0.0,
            hang_rate: 0.0,
            hang: Duration::from_secs(2),
            drop_rate: 0.0,
            truncate_rate: 0.0,
            malformed_rate: 0.0,
            write_answer_delay: Duration::ZERO,
            token_refusal: None,
            token_endpoint_refuses: false,
        }
    }
}

/// How an OAuth simulator refuses every token (for auth-failure tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// HTTP 401.
    Unauthorized,
    /// The token is not valid.
    Invalid,
    /// The token has expired.
    Expired,
}

/// One fault, as decided for a request, forced for a key, or counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After`, before acting.
    RateLimited,
    /// HTTP 500, before acting.
    ServerError,
    /// HTTP 503, before acting.
    Unavailable,
    /// A hang, then the carrier's timeout answer, before acting.
    Hang,
    /// The connection is dropped with no answer, before acting.
    DropBeforeApply,
    /// Acted on (a write applied or refused), then the connection is
    /// dropped with no answer.
    DropAfterApply,
    /// A successful answer cut off part-way.
    Truncated,
    /// A successful answer that is not well formed.
    Malformed,
}

/// How many faults a simulator has served (each request counts once, for
/// the fault that decided its answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    /// 429 answers.
    pub rate_limited: usize,
    /// HTTP 500 answers.
    pub server_errors: usize,
    /// HTTP 503 answers.
    pub unavailable: usize,
    /// Hangs (answered with the carrier's timeout if the client was still
    /// there).
    pub hung: usize,
    /// Connections dropped before acting.
    pub dropped_before: usize,
    /// Connections dropped after acting (after a write was applied or
    /// refused).
    pub dropped_after: usize,
    /// Answers cut off.
    pub truncated: usize,
    /// Answers not well formed.
    pub malformed: usize,
}

/// How a successful answer is spoiled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spoil {
    /// Cut at this share of its length (see [`truncate`]).
    Truncate(f64),
    /// Garbled in the carrier's own way.
    Malformed,
}

/// What the dice decided for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Roll {
    /// To sleep before answering.
    pub latency: Duration,
    /// The fault that answers before anything is applied, if any: one of
    /// [`Fault::RateLimited`], [`Fault::ServerError`], [`Fault::Unavailable`],
    /// [`Fault::Hang`], [`Fault::DropBeforeApply`].
    pub before: Option<Fault>,
    /// Acted on, then the connection is dropped.
    pub drop_after: bool,
    /// How a successful answer is spoiled, if it is.
    pub spoil: Option<Spoil>,
    /// The `Retry-After` for [`Fault::RateLimited`].
    pub retry_after: Duration,
    /// How long [`Fault::Hang`] lasts.
    pub hang: Duration,
    /// The pause before answering an applied write.
    pub write_answer_delay: Duration,
}

/// The knobs, their dice and their counters; kept in a simulator's state.
#[derive(Debug)]
pub struct FaultDice {
    faults: Faults,
    rng: StdRng,
    requests: usize,
    injected: Injected,
    forced: HashMap<String, Fault>,
}

impl FaultDice {
    /// Knobs `faults`, dice seeded with `seed` (a simulator passes its data
    /// seed mixed with a constant of its own).
    pub fn new(faults: Faults, seed: u64) -> FaultDice {
        FaultDice {
            faults,
            rng: StdRng::seed_from_u64(seed),
            requests: 0,
            injected: Injected::default(),
            forced: HashMap::new(),
        }
    }

    /// The knobs as they are now.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Changes the knobs (the dice and the counters go on).
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// Makes every request with this key fail with `fault` (`None` heals
    /// it), whatever the dice say.
    pub fn force(&mut self, key: &str, fault: Option<Fault>) {
        match fault {
            Some(f) => self.forced.insert(key.to_owned(), f),
            None => self.forced.remove(key),
        };
    }

    /// The faults served so far.
    pub fn injected(&self) -> Injected {
        self.injected
    }

    /// Counts one fault served.
    pub fn count(&mut self, fault: Fault) {
        let i = &mut self.injected;
        let counter = match fault {
            Fault::RateLimited => &mut i.rate_limited,
            Fault::ServerError => &mut i.server_errors,
            Fault::Unavailable => &mut i.unavailable,
            Fault::Hang => &mut i.hung,
            Fault::DropBeforeApply => &mut i.dropped_before,
            Fault::DropAfterApply => &mut i.dropped_after,
            Fault::Truncated => &mut i.truncated,
            Fault::Malformed => &mut i.malformed,
        };
        *counter += 1;
    }

    /// Decides the faults of one request; `key` (e.g. an order id) looks up
    /// a forced fault. Counts the request for `rate_limit_every`.
    pub fn roll(&mut self, key: Option<&str>) -> Roll {
        self.requests += 1;
        let f = &self.faults;
        let rng = &mut self.rng;
        let limited = f
            .rate_limit_every
            .is_some_and(|n| n > 0 && self.requests % n == 0);
        let error = hit(rng, f.error_rate);
        let unavailable = hit(rng, f.unavailable_rate);
        let hang = hit(rng, f.hang_rate);
        let drop = hit(rng, f.drop_rate).then(|| rng.random_bool(0.5));
        let truncate = hit(rng, f.truncate_rate).then(|| rng.random_range(0.2..0.8));
        let malformed = hit(rng, f.malformed_rate);

        let forced = key.and_then(|k| self.forced.get(k.trim()).copied());
        let is = |fault: Fault| forced == Some(fault);
        let before = [
            (limited, Fault::RateLimited),
            (error, Fault::ServerError),
            (unavailable, Fault::Unavailable),
            (hang, Fault::Hang),
            (drop == Some(true), Fault::DropBeforeApply),
        ]
        .into_iter()
        .find(|&(rolled, fault)| rolled || is(fault))
        .map(|(_, fault)| fault);
        let spoil = if is(Fault::Truncated) {
            Some(Spoil::Truncate(0.5))
        } else if is(Fault::Malformed) {
            Some(Spoil::Malformed)
        } else if let Some(share) = truncate {
            Some(Spoil::Truncate(share))
        } else {
            malformed.then_some(Spoil::Malformed)
        };
        Roll {
            latency: f.latency,
            before,
            drop_after: drop == Some(false) || is(Fault::DropAfterApply),
            spoil,
            retry_after: f.retry_after,
            hang: f.hang,
            write_answer_delay: f.write_answer_delay,
        }
    }
}

/// One die: true with probability `rate` (0 or less never draws).
fn hit(rng: &mut StdRng, rate: f64) -> bool {
    rate > 0.0 && rng.random_bool(rate.min(1.0))
}

/// Cuts a body at `share` of its length (never at 0, never whole).
pub fn truncate(body: &mut Vec<u8>, share: f64) {
    let len = body.len();
    let cut = ((len as f64 * share) as usize).clamp(1, len.saturating_sub(1).max(1));
    body.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dice(faults: Faults) -> FaultDice {
        FaultDice::new(faults, 7)
    }

    #[test]
    fn no_knobs_no_faults() {
        let mut d = dice(Faults::default());
        for _ in 0..200 {
            let roll = d.roll(Some("1"));
            assert_eq!(roll.before, None);
            assert!(!roll.drop_after);
            assert_eq!(roll.spoil, None);
        }
        assert_eq!(d.injected(), Injected::default());
    }

    #[test]
    fn rate_one_always_fires_in_check_order() {
        let mut d = dice(Faults {
            error_rate: 1.0,
            unavailable_rate: 1.0,
            truncate_rate: 1.0,
            ..Faults::default()
        });
        for _ in 0..50 {
            let roll = d.roll(None);
            assert_eq!(roll.before, Some(Fault::ServerError));
            assert!(matches!(roll.spoil, Some(Spoil::Truncate(s)) if (0.2..0.8).contains(&s)));
        }
        d.set_faults(Faults {
            unavailable_rate: 1.0,
            ..Faults::default()
        });
        assert_eq!(d.roll(None).before, Some(Fault::Unavailable));
    }

    #[test]
    fn every_nth_request_is_rate_limited_with_its_retry_after() {
        let mut d = dice(Faults {
            rate_limit_every: Some(3),
            retry_after: Duration::from_secs(7),
            ..Faults::default()
        });
        let limited: Vec<bool> = (0..9)
            .map(|_| {
                let roll = d.roll(None);
                assert_eq!(roll.retry_after, Duration::from_secs(7));
                roll.before == Some(Fault::RateLimited)
            })
            .collect();
        assert_eq!(
            limited,
            [false, false, true, false, false, true, false, false, true]
        );
    }

    #[test]
    fn drops_split_before_and_after_and_forced_faults_win() {
        let mut d = dice(Faults {
            drop_rate: 1.0,
            ..Faults::default()
        });
        let (mut before, mut after) = (0, 0);
        for _ in 0..100 {
            let roll = d.roll(None);
            match (roll.before, roll.drop_after) {
                (Some(Fault::DropBeforeApply), false) => before += 1,
                (None, true) => after += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(before > 20 && after > 20, "{before} {after}");

        let mut d = dice(Faults::default());
        d.force("42", Some(Fault::Malformed));
        assert_eq!(d.roll(Some(" 42 ")).spoil, Some(Spoil::Malformed));
        assert_eq!(d.roll(Some("43")).spoil, None);
        d.force("42", Some(Fault::DropAfterApply));
        assert!(d.roll(Some("42")).drop_after);
        d.force("42", None);
        assert!(!d.roll(Some("42")).drop_after);
    }

    #[test]
    fn counters_count_each_fault() {
        let mut d = dice(Faults::default());
        for fault in [
            Fault::RateLimited,
            Fault::ServerError,
            Fault::Unavailable,
            Fault::Hang,
            Fault::DropBeforeApply,
            Fault::DropAfterApply,
            Fault::Truncated,
            Fault::Malformed,
            Fault::Malformed,
        ] {
            d.count(fault);
        }
        assert_eq!(
            d.injected(),
            Injected {
                rate_limited: 1,
                server_errors: 1,
                unavailable: 1,
                hung: 1,
                dropped_before: 1,
                dropped_after: 1,
                truncated: 1,
                malformed: 2,
            }
        );
    }

    #[test]
    fn truncate_never_empties_nor_keeps_whole() {
        for share in [0.0, 0.5, 1.0] {
            let mut body = b"<a>xyz</a>".to_vec();
            truncate(&mut body, share);
            assert!(!body.is_empty() && body.len() < 10, "{share}: {body:?}");
        }
    }
}
