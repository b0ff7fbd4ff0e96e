//! The poller lock of one carrier: a PostgreSQL session advisory lock,
//! keyed by a stable hash of the carrier's name ([`key`]), held on a
//! connection of its own (not the pool). The daemon that holds it polls the
//! carrier and sends its writes; a standby tries again every [`RETRY`]. The
//! server releases the lock when the holder's connection drops (the process
//! died, the network broke), so a standby takes over within `RETRY` of
//! that. The holder checks its connection every [`HEARTBEAT`]: when it
//! breaks, the carrier is reported lost at once, so that its fetcher stops
//! before anyone else can take the lock (never two pollers).
//!
//! Must not: poll, send or touch the store's tables (the daemon does, on
//! the [`LockEvent`]s this reports).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::store::postgres::{Password, Session};

/// How often a standby tries to take a lock it does not hold.
pub const RETRY: Duration = Duration::from_secs(3);
/// How often the holder checks that its lock's connection still answers.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A check that takes longer than this counts as a broken connection.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// What a lock task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockEvent {
    /// This daemon now holds the carrier's lock: it polls the carrier.
    Held(Arc<str>),
    /// The lock's connection broke (why): stop polling the carrier now.
    Lost(Arc<str>, String),
}

/// The advisory lock key of a carrier: FNV-1a (64 bits) of a fixed prefix
/// and the name, the same in every build and on every host.
pub fn key(carrier: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in b"orderdesk poller "
        .iter()
        .chain(carrier.as_bytes())
        .copied()
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Runs the lock of `carrier` until aborted (aborting it closes the
/// connection, which releases the lock).
pub fn spawn(
    url: String,
    password: Password,
    carrier: Arc<str>,
    events: mpsc::UnboundedSender<LockEvent>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let key = key(&carrier);
        let mut said: Option<String> = None;
        loop {
            let mut session = match Session::open(&url, &password).await {
                Ok(session) => session,
                Err(e) => {
                    let why = e.to_string();
                    if said.as_ref() != Some(&why) {
                        tracing::warn!(carrier = %carrier, error = %why, "cannot connect for the poller lock; trying again");
                        said = Some(why);
                    }
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            if !standby(&session, key, &carrier, &mut said).await {
                tokio::time::sleep(RETRY).await;
                continue;
            }
            said = None;
            tracing::info!(carrier = %carrier, "this daemon holds the poller lock: polling");
            if events.send(LockEvent::Held(carrier.clone())).is_err() {
                return;
            }
            let why = hold(&mut session).await;
            tracing::warn!(carrier = %carrier, error = %why, "the poller lock's connection broke: polling stopped");
            drop(session);
            if events.send(LockEvent::Lost(carrier.clone(), why)).is_err() {
                return;
            }
            tokio::time::sleep(RETRY).await;
        }
    })
}

/// Tries the lock every [`RETRY`] until it is ours (`true`) or the
/// connection fails (`false`).
async fn standby(session: &Session, key: i64, carrier: &str, said: &mut Option<String>) -> bool {
    let mut standing_by = false;
    loop {
        match tokio::time::timeout(ANSWER_WITHIN, session.try_advisory_lock(key)).await {
            Ok(Ok(true)) => return true,
            Ok(Ok(false)) => {
                if !standing_by {
                    tracing::info!(carrier, "another daemon polls this carrier: standing by");
                    standing_by = true;
                }
            }
            Ok(Err(e)) => {
                let why = e.to_string();
                if said.as_ref() != Some(&why) {
                    tracing::warn!(carrier, error = %why, "cannot take the poller lock; trying again");
                    *said = Some(why);
                }
                return false;
            }
            Err(_) => {
                tracing::warn!(
                    carrier,
                    "the database did not answer for the poller lock; reconnecting"
                );
                return false;
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// Holds the lock while the connection answers; returns why it stopped:
/// at once when the connection ends, within [`HEARTBEAT`] plus
/// [`ANSWER_WITHIN`] when the server stops answering.
async fn hold(session: &mut Session) -> String {
    loop {
        tokio::select! {
            () = tokio::time::sleep(HEARTBEAT) => {}
            // Nothing is listened for on this connection: its stream of
            // notifications ends exactly when the connection does.
            ended = session.notification() => {
                if ended.is_none() {
                    return "the connection closed".into();
                }
                continue;
            }
        }
        match tokio::time::timeout(ANSWER_WITHIN, session.ping()).await {
            Ok(Ok(())) if !session.is_closed() => {}
            Ok(Ok(())) => return "the connection closed".into(),
            Ok(Err(e)) => return e.to_string(),
            Err(_) => {
                return format!(
                    "the database did not answer within {} s",
                    ANSWER_WITHIN.as_secs()
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_stable_and_differs_by_name() {
        // Fixed for every build and host: two versions of orderdesk on one
        // team store must agree on it.
        assert_eq!(key("tg"), key("tg"));
        assert_eq!(key("tg"), 8_232_697_009_009_560_605);
        assert_ne!(key("tg"), key("px"));
        assert_ne!(key(""), key("tg"));
    }
}
