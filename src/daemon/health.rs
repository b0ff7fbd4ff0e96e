//! Each carrier's health as the daemon reports it to the team store
//! (`PgStore::set_carrier_health`, shown by every console): what a poll
//! ended with, or that the first poll waits for the end of quiet hours,
//! with who polls it (`host:pid`). The rows are written one at a time, in
//! order, by a task of their own, so a slow database never holds up the
//! daemon. Must not: poll or decide anything about a carrier.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::carriers::{PollSummary, SyncEvent};
use crate::store::PgStore;
use crate::store::postgres::CarrierHealth;

/// This process as a poller: `host:pid`.
pub fn poller_name() -> String {
    let host = hostname().unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}

fn hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at
    // most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).trim().to_owned();
    (!name.is_empty()).then_some(name)
}

/// The health row a sync event means, if any.
pub fn health_of(
    event: &SyncEvent,
    kind: &str,
    poller: &str,
    now: DateTime<Utc>,
) -> Option<CarrierHealth> {
    let (carrier, ok, detail, next_poll) = match event {
        SyncEvent::Finished {
            carrier,
            result,
            next_poll,
        } => {
            let (ok, detail) = match result {
                Ok(summary) => (true, Some(summary_text(summary))),
                Err(e) => (false, Some(e.to_string())),
            };
            (carrier, ok, detail, *next_poll)
        }
        SyncEvent::Held { carrier, until } => (
            carrier,
            true,
            Some("quiet hours: the first poll waits for their end".to_owned()),
            Some(*until),
        ),
        _ => return None,
    };
    Some(CarrierHealth {
        carrier: carrier.to_string(),
        kind: kind.to_owned(),
        ok,
        detail,
        checked_at: now,
        next_poll,
        poller: Some(poller.to_owned()),
    })
}

fn summary_text(summary: &PollSummary) -> String {
    let mut text = format!("{} listed, {} read", summary.listed, summary.fetched);
    if summary.failed > 0 {
        text.push_str(&format!(", {} could not be read", summary.failed));
    }
    if let Some(warning) = &summary.warning {
        text.push_str(": ");
        text.push_str(warning);
    }
    text
}

/// Writes health rows in the order given.
#[derive(Debug, Clone)]
pub struct HealthWriter {
    tx: mpsc::UnboundedSender<CarrierHealth>,
    kinds: Arc<HashMap<Arc<str>, &'static str>>,
    poller: Arc<str>,
}

impl HealthWriter {
    /// `kinds`: each carrier's config kind.
    pub fn start(store: PgStore, kinds: HashMap<Arc<str>, &'static str>) -> HealthWriter {
        let (tx, mut rx) = mpsc::unbounded_channel::<CarrierHealth>();
        tokio::spawn(async move {
            let mut failing = false;
            while let Some(health) = rx.recv().await {
                match store.set_carrier_health(&health).await {
                    Ok(()) => failing = false,
                    Err(e) if !failing => {
                        tracing::warn!(carrier = health.carrier, error = %e, "cannot record a carrier's health");
                        failing = true;
                    }
                    Err(_) => {}
                }
            }
        });
        HealthWriter {
            tx,
            kinds: Arc::new(kinds),
            poller: poller_name().into(),
        }
    }

    /// This daemon's `host:pid`.
    pub fn poller(&self) -> &str {
        &self.poller
    }

    /// Records what `event` says of its carrier's health, if anything.
    pub fn sync_event(&self, event: &SyncEvent) {
        let carrier = match event {
            SyncEvent::Finished { carrier, .. } | SyncEvent::Held { carrier, .. } => carrier,
            _ => return,
        };
        let kind = self.kinds.get(carrier).copied().unwrap_or("");
        if let Some(health) = health_of(event, kind, &self.poller, Utc::now()) {
            let _ = self.tx.send(health);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carriers::CarrierError;

    #[test]
    fn a_finished_poll_is_the_carrier_s_health_and_names_the_poller() {
        let now = Utc::now();
        let ok = SyncEvent::Finished {
            carrier: "tg".into(),
            result: Ok(PollSummary {
                listed: 12,
                fetched: 3,
                failed: 1,
                warning: None,
            }),
            next_poll: Some(now),
        };
        let health = health_of(&ok, "tjansteguiden", "box:42", now).expect("a row");
        assert!(health.ok);
        assert_eq!(health.carrier, "tg");
        assert_eq!(health.kind, "tjansteguiden");
        assert_eq!(health.poller.as_deref(), Some("box:42"));
        assert_eq!(
            health.detail.as_deref(),
            Some("12 listed, 3 read, 1 could not be read")
        );
        let failed = SyncEvent::Finished {
            carrier: "tg".into(),
            result: Err(CarrierError::Local("no route".into())),
            next_poll: None,
        };
        let health = health_of(&failed, "tjansteguiden", "box:42", now).expect("a row");
        assert!(!health.ok);
        assert!(health.detail.is_some_and(|d| d.contains("no route")));
        let started = SyncEvent::Started {
            carrier: "tg".into(),
        };
        assert_eq!(health_of(&started, "tjansteguiden", "box:42", now), None);
    }

    #[test]
    fn the_poller_is_host_and_pid() {
        let name = poller_name();
        assert!(
            name.ends_with(&format!(":{}", std::process::id())),
            "{name}"
        );
    }
}
