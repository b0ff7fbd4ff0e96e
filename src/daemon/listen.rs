//! The daemon's ear on the team store: `LISTEN` on the change channel on a
//! connection of its own, reconnecting by itself. It reports a journal
//! entry recorded by a console ([`Heard::Recorded`]) and each (re)connect
//! ([`Heard::Listening`]: what was recorded while it was away is found by
//! the pass the daemon runs then). Every other change is ignored. Must
//! not: read rows or send writes.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::domain::JournalState;
use crate::store::postgres::{CHANNEL, Change, Password, Session};

/// The pause before listening again after the connection broke.
pub const RECONNECT: Duration = Duration::from_secs(2);

/// What the listener reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// Listening (again): changes from now on are heard.
    Listening,
    /// A console recorded a write.
    Recorded,
    /// The connection broke (why); it reconnects.
    Lost(String),
}

/// Listens until aborted.
pub fn spawn(url: String, password: Password, out: mpsc::UnboundedSender<Heard>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut said: Option<String> = None;
        loop {
            let mut session = match open(&url, &password).await {
                Ok(session) => session,
                Err(why) => {
                    if said.as_ref() != Some(&why) {
                        tracing::warn!(error = %why, "cannot listen for recorded writes; trying again");
                        said = Some(why);
                    }
                    tokio::time::sleep(RECONNECT).await;
                    continue;
                }
            };
            said = None;
            if out.send(Heard::Listening).is_err() {
                return;
            }
            while let Some(payload) = session.notification().await {
                match Change::parse(&payload) {
                    Ok(Change::Journal {
                        state: JournalState::Recorded,
                        ..
                    }) => {
                        if out.send(Heard::Recorded).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::debug!(error = %e, "a change notification ignored"),
                }
            }
            if out
                .send(Heard::Lost("the listening connection closed".into()))
                .is_err()
            {
                return;
            }
            tokio::time::sleep(RECONNECT).await;
        }
    })
}

async fn open(url: &str, password: &Password) -> Result<Session, String> {
    let session = Session::open(url, password)
        .await
        .map_err(|e| e.to_string())?;
    session.listen(CHANNEL).await.map_err(|e| e.to_string())?;
    Ok(session)
}
