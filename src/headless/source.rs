//! Where `list`, `show`, `stats` and `journal` read from ([`Source`]), so
//! the formatting is one for both:
//!
//! - Solo: one read-only poll of the configured carriers (`fetch`), with
//!   notes, flags, the journal and the trend from the data dir's SQLite
//!   store, if there is one.
//! - Team mode: the team store alone. Its orders are the daemon's (it keeps
//!   them current), its notes, flags and journal the team's, each
//!   carrier's health the daemon's last report. No carrier client is built
//!   and no credentials are needed. A carrier whose last reported poll
//!   failed, or that the daemon has not polled when it planned to, and an
//!   order the daemon could not read, are partial results as a failed
//!   carrier is solo: their orders are listed as last stored.
//!
//! Must not: write to either store, send anything to a carrier, print, or
//! format.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Local, existing_store, fetch_all, fetch_one};
use crate::config::Config;
use crate::domain::board::{self, HourlyTrend};
use crate::domain::{JournalEntry, JournalFilter, Order, OrderKey, OrderSummary};
use crate::store::postgres::{self, Password};
use crate::store::{Journal, LocalStore, OrderCache, PgStore, StoreError};

/// Full orders read from the team store per page.
const PAGE: usize = 2_000;

/// Where the headless commands read from.
#[derive(Debug)]
pub enum Source {
    /// The carriers themselves, and the SQLite store in `data_dir`.
    Solo { data_dir: Option<PathBuf> },
    /// The team store, opened and its schema checked.
    Team(PgStore),
}

/// What `list` prints from.
#[derive(Debug, Default)]
pub struct Listing {
    /// Oldest first (by creation, then key).
    pub orders: Vec<Order>,
    pub local: Local,
    /// The carriers there are: solo the configured ones, in team mode the
    /// ones the team store knows (by health report or by orders).
    pub carriers: Vec<String>,
    /// Said as warnings; they do not change the exit status (notes and
    /// flags that could not be read solo).
    pub notices: Vec<String>,
    /// Partial results, one sentence each (exit 3): a carrier failed,
    /// orders could not be read.
    pub partial: Vec<String>,
    /// No carrier answered (solo only: the team store always has its copy).
    pub none_answered: bool,
}

/// What `stats` computes the board from.
#[derive(Debug)]
pub struct Figures {
    pub summaries: Vec<OrderSummary>,
    pub health: Vec<board::CarrierHealth>,
    /// Partial results, one sentence each.
    pub warnings: Vec<String>,
    pub none_answered: bool,
}

impl Source {
    /// Opens the team store at `url`; an unreachable one, a refused login
    /// or a schema that is not this build's is an error naming the
    /// database (never the password).
    pub async fn team(url: &str, password: &Password) -> Result<Source, String> {
        PgStore::open(url, password)
            .await
            .map(Source::Team)
            .map_err(|e| e.to_string())
    }

    /// What the journal is read from, for "no journal entries in ...".
    pub fn place(&self) -> String {
        match self {
            Source::Solo {
                data_dir: Some(dir),
            } => dir.display().to_string(),
            Source::Solo { data_dir: None } => "the data directory".into(),
            Source::Team(store) => format!("the team store {}", store.target()),
        }
    }

    /// The orders `list` chooses from, with their notes and flags.
    pub async fn listing(&self, config: &Config) -> Result<Listing, String> {
        match self {
            Source::Solo { data_dir } => {
                let handles = crate::registry::build_all(config, true)?;
                let (local, notice) = Local::load(data_dir.as_deref()).await;
                let fetched = fetch_all(&handles).await?;
                let mut partial: Vec<String> = fetched
                    .failures
                    .iter()
                    .map(|(name, e)| format!("carrier {name:?} failed: {e}"))
                    .collect();
                partial.extend(fetched.unreadable);
                Ok(Listing {
                    orders: fetched.orders,
                    local,
                    carriers: config.carriers.iter().map(|c| c.name.clone()).collect(),
                    notices: notice.into_iter().collect(),
                    partial,
                    none_answered: fetched.failures.len() == handles.len(),
                })
            }
            Source::Team(store) => team_listing(store).await.map_err(|e| e.to_string()),
        }
    }

    /// One order as `show` prints it, with its notes and flag; a warning
    /// (customer details not loaded, notes not read) is returned.
    pub async fn order(
        &self,
        config: &Config,
        key: &OrderKey,
    ) -> Result<(Order, Local, Vec<String>), String> {
        match self {
            Source::Solo { data_dir } => {
                let (local, notice) = Local::load(data_dir.as_deref()).await;
                let handles = crate::registry::build_all(config, true)?;
                let (order, warning) = fetch_one(&handles, key).await?;
                let mut warnings: Vec<String> = notice.into_iter().collect();
                warnings
                    .extend(warning.map(|w| format!("customer details of {key} not loaded: {w}")));
                Ok((order, local, warnings))
            }
            Source::Team(store) => {
                let read = async {
                    let Some(order) = store.order(key).await? else {
                        return Ok(None);
                    };
                    let mut local = Local::default();
                    local.notes.insert(key.clone(), store.notes(key).await?);
                    local.flags = store.flags().await?;
                    local.flags.retain(|k, _| k == key);
                    Ok::<_, StoreError>(Some((order, local)))
                };
                match read.await.map_err(|e| e.to_string())? {
                    Some((order, local)) => Ok((order, local, Vec::new())),
                    None => Err(format!(
                        "{key}: no such order in the team store {}",
                        store.target()
                    )),
                }
            }
        }
    }

    /// The journal, newest first, from `since` on. Solo: empty when nothing
    /// was stored in the data dir yet (no writes is not an error).
    pub async fn journal(&self, since: Option<DateTime<Utc>>) -> Result<Vec<JournalEntry>, String> {
        let filter = JournalFilter {
            since,
            ..JournalFilter::default()
        };
        match self {
            Source::Solo { data_dir } => {
                let dir = data_dir
                    .as_deref()
                    .ok_or("no data directory: use --data-dir")?;
                let Some(opened) = existing_store(Some(dir)).await else {
                    return Ok(Vec::new());
                };
                let stores = opened.map_err(|e| e.to_string())?;
                stores
                    .journal
                    .journal(&filter)
                    .await
                    .map_err(|e| e.to_string())
            }
            Source::Team(store) => store.journal(&filter).await.map_err(|e| e.to_string()),
        }
    }

    /// The figures' inputs for `stats` at `now`.
    pub async fn figures(&self, config: &Config, now: DateTime<Utc>) -> Result<Figures, String> {
        match self {
            Source::Solo { .. } => {
                let handles = crate::registry::build_all(config, true)?;
                let fetched = fetch_all(&handles).await?;
                let mut warnings: Vec<String> = fetched
                    .failures
                    .iter()
                    .map(|(name, e)| format!("carrier {name:?} failed: {e}"))
                    .collect();
                warnings.extend(fetched.unreadable.iter().cloned());
                let health = handles
                    .iter()
                    .map(|h| {
                        let failed = fetched.failures.iter().find(|(n, _)| *n == *h.name);
                        board::CarrierHealth {
                            name: h.name.to_string(),
                            kind: h.profile.kind(),
                            health: failed.map_or(board::Health::Ok, |(_, e)| {
                                board::Health::Error(e.to_string())
                            }),
                            data_at: failed.is_none().then_some(now),
                        }
                    })
                    .collect();
                Ok(Figures {
                    summaries: fetched.orders.iter().map(OrderSummary::of).collect(),
                    health,
                    warnings,
                    none_answered: fetched.failures.len() == handles.len(),
                })
            }
            Source::Team(store) => team_figures(store, now).await.map_err(|e| e.to_string()),
        }
    }

    /// The store's hourly trend from `start`, when there is a store: solo
    /// only when the data dir holds one.
    pub async fn trend(
        &self,
        start: DateTime<Utc>,
        hours: u32,
    ) -> Option<Result<HourlyTrend, StoreError>> {
        match self {
            Source::Solo { data_dir } => {
                let opened = existing_store(data_dir.as_deref()).await?;
                Some(async { opened?.cache.hourly_trend(start, hours).await }.await)
            }
            Source::Team(store) => Some(store.hourly_trend(start, hours).await),
        }
    }
}

/// Every order of the team store, oldest first, with the team's notes and
/// flags, and what the daemon's reports say is not current.
async fn team_listing(store: &PgStore) -> Result<Listing, StoreError> {
    let mut orders = Vec::new();
    let mut after = 0;
    loop {
        let (page, next) = store.load_orders_page(after, PAGE).await?;
        orders.extend(page);
        match next {
            Some(next) => after = next,
            None => break,
        }
    }
    orders.sort_by(|a, b| {
        a.created
            .at
            .cmp(&b.created.at)
            .then_with(|| a.key.cmp(&b.key))
    });
    let reports = store.carrier_health().await?;
    let local = Local {
        notes: store.all_notes().await?,
        flags: store.flags().await?,
        clock: None,
    };
    let now = Utc::now();
    let mut partial = not_current(&reports, now);
    partial.extend(orders.iter().filter_map(|o| {
        let error = o.fetch_error.as_deref()?;
        Some(unread(&o.key, error))
    }));
    let carriers = known_carriers(&reports, orders.iter().map(|o| (&*o.key.carrier, o.kind)))
        .into_keys()
        .collect();
    Ok(Listing {
        orders,
        local,
        carriers,
        notices: Vec::new(),
        partial,
        none_answered: false,
    })
}

/// The team store's summaries and each carrier's health from the daemon's
/// reports.
async fn team_figures(store: &PgStore, now: DateTime<Utc>) -> Result<Figures, StoreError> {
    let summaries = store.load_order_summaries().await?;
    let reports = store.carrier_health().await?;
    let mut warnings = not_current(&reports, now);
    warnings.extend(summaries.iter().filter_map(|s| {
        let error = s.fetch_error.as_deref()?;
        Some(unread(&s.key, error))
    }));
    let known = known_carriers(
        &reports,
        summaries.iter().map(|s| (&*s.key.carrier, s.kind)),
    );
    let mut unknown = Vec::new();
    let mut health = Vec::new();
    for (name, kind) in known {
        let report = reports.iter().find(|r| r.carrier == name);
        let Some(kind) = kind else {
            unknown.push(format!(
                "{name} ({})",
                report.map_or("?", |r| r.kind.as_str())
            ));
            continue;
        };
        let last_sync = store.last_sync(&name).await?;
        let (judged, data_at) = match report {
            Some(r) => (judge(r, now), last_sync.max(r.ok.then_some(r.checked_at))),
            // Orders but no report: the store's copy, no poll reported.
            None => (board::Health::Cached, last_sync),
        };
        health.push(board::CarrierHealth {
            name,
            kind,
            health: judged,
            data_at,
        });
    }
    if !unknown.is_empty() {
        warnings.push(format!(
            "the team store holds carriers of kinds this orderdesk does not know: {}; \
             upgrade orderdesk to count their orders",
            unknown.join(", ")
        ));
    }
    Ok(Figures {
        summaries,
        health,
        warnings,
        none_answered: false,
    })
}

/// The carriers the team store knows, by name: from the daemon's reports
/// and from the orders, with their kind (`None`: a kind this build does
/// not know).
fn known_carriers<'a>(
    reports: &[postgres::CarrierHealth],
    orders: impl Iterator<Item = (&'a str, &'static str)>,
) -> BTreeMap<String, Option<&'static str>> {
    let mut known: BTreeMap<String, Option<&'static str>> = reports
        .iter()
        .map(|r| {
            let kind = crate::registry::find(&r.kind).map(|k| k.name);
            (r.carrier.clone(), kind)
        })
        .collect();
    for (name, kind) in orders {
        known.entry(name.to_owned()).or_insert(Some(kind));
    }
    known
}

/// A daemon's report as the wallboard's health: failed, or stale when the
/// planned poll is overdue (as the console's chip judges it).
fn judge(report: &postgres::CarrierHealth, now: DateTime<Utc>) -> board::Health {
    if !report.ok {
        return board::Health::Error(failure(report));
    }
    let stale = match report.next_poll {
        Some(next) => now - next > crate::app::STALE_GRACE,
        None => now - report.checked_at > crate::app::STALE_AFTER,
    };
    if stale {
        board::Health::Stale
    } else {
        board::Health::Ok
    }
}

fn failure(report: &postgres::CarrierHealth) -> String {
    report
        .detail
        .clone()
        .unwrap_or_else(|| "the last poll failed".into())
}

/// One sentence per carrier whose data is not current by the daemon's
/// reports: its last poll failed, or the planned one is overdue.
fn not_current(reports: &[postgres::CarrierHealth], now: DateTime<Utc>) -> Vec<String> {
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    reports
        .iter()
        .filter_map(|r| match judge(r, now) {
            board::Health::Error(why) => Some(format!(
                "carrier {:?} failed in the team daemon's last poll at {}: {why}; \
                 its orders are as last stored",
                r.carrier,
                at(r.checked_at)
            )),
            board::Health::Stale => Some(format!(
                "carrier {:?} was last polled by the team daemon at {}, and the next poll \
                 is overdue (is `orderdesk sync` running?); its orders are as last stored",
                r.carrier,
                at(r.checked_at)
            )),
            _ => None,
        })
        .collect()
}

fn unread(key: &OrderKey, error: &str) -> String {
    format!(
        "order {key} could not be read by the team daemon ({error}); it is listed as last stored"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn report(ok: bool, checked_ago: i64, next_in: Option<i64>) -> postgres::CarrierHealth {
        let now = Utc::now();
        postgres::CarrierHealth {
            carrier: "tg".into(),
            kind: "tjansteguiden".into(),
            ok,
            detail: (!ok).then(|| "503 from the gateway".into()),
            checked_at: now - Duration::seconds(checked_ago),
            next_poll: next_in.map(|s| now + Duration::seconds(s)),
            poller: Some("host:1".into()),
        }
    }

    #[test]
    fn a_report_is_judged_as_the_console_s_chip_judges_it() {
        let now = Utc::now();
        assert_eq!(judge(&report(true, 10, Some(50)), now), board::Health::Ok);
        assert_eq!(
            judge(&report(false, 10, Some(50)), now),
            board::Health::Error("503 from the gateway".into())
        );
        // The planned poll is three minutes overdue: the daemon is not polling.
        assert_eq!(
            judge(&report(true, 240, Some(-180)), now),
            board::Health::Stale
        );
        // No poll planned: stale only after STALE_AFTER.
        assert_eq!(judge(&report(true, 60, None), now), board::Health::Ok);
        assert_eq!(judge(&report(true, 3600, None), now), board::Health::Stale);
    }

    #[test]
    fn failed_and_overdue_carriers_are_said_and_current_ones_are_not() {
        let now = Utc::now();
        let mut failed = report(false, 10, Some(50));
        failed.carrier = "px".into();
        let said = not_current(&[report(true, 10, Some(50)), failed], now);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("carrier \"px\" failed")
                && said[0].contains("503 from the gateway"),
            "{said:?}"
        );
        let said = not_current(&[report(true, 240, Some(-180))], now);
        assert!(said[0].contains("orderdesk sync"), "{said:?}");
    }

    #[test]
    fn carriers_are_known_by_report_and_by_order_and_unknown_kinds_kept_apart() {
        let mut odd = report(true, 10, None);
        odd.carrier = "zz".into();
        odd.kind = "carrier-pigeon".into();
        let known = known_carriers(
            &[report(true, 10, None), odd],
            [("px", "lumen-px"), ("tg", "tjansteguiden")].into_iter(),
        );
        let names: Vec<_> = known.iter().map(|(n, k)| (n.as_str(), *k)).collect();
        assert_eq!(
            names,
            [
                ("px", Some("lumen-px")),
                ("tg", Some("tjansteguiden")),
                ("zz", None)
            ]
        );
    }
}
