//! One dedicated connection to the team store, outside the pool, for what
//! lives as long as a connection does: a session advisory lock (the team
//! daemon's poller lock of one carrier, released by PostgreSQL when the
//! connection drops) and `LISTEN` on the change channel (notifications
//! arrive on the connection that listens). Same URL, password and TLS rules
//! as the pool (`connect`). Each session names itself in `application_name`
//! ([`DAEMON_APP`] for the daemon's, [`FOLLOWER_APP`] for a console's
//! LISTEN connection), so `pg_stat_activity` tells who is connected (the
//! daemon's followers metric counts the latter). Must not: read or write
//! the store's tables.

use std::future::poll_fn;

use tokio::sync::mpsc;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Connection};

use super::{Password, Place, connect};
use crate::store::StoreError;

/// The `application_name` of a following console's LISTEN connection.
pub const FOLLOWER_APP: &str = "orderdesk-follow";
/// The `application_name` of the daemon's sessions (locks, LISTEN).
pub const DAEMON_APP: &str = "orderdesk-sync";

/// A connection of its own; dropping it closes it (and releases its locks).
pub struct Session {
    client: Client,
    notifications: mpsc::UnboundedReceiver<String>,
    place: Place,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("target", &self.place.target)
            .finish()
    }
}

impl Session {
    /// Connects to `url` (the password as for [`super::PgStore::open`]) as
    /// one of the daemon's sessions ([`DAEMON_APP`]).
    pub async fn open(url: &str, password: &Password) -> Result<Session, StoreError> {
        Session::open_as(url, password, DAEMON_APP).await
    }

    /// Connects to `url` with `application_name` set to `app`.
    pub async fn open_as(url: &str, password: &Password, app: &str) -> Result<Session, StoreError> {
        let doing = "opening a connection of its own";
        let mut settings = connect::settings(url, password, &connect::Env::process())?;
        settings.config.application_name(app);
        let place = Place {
            target: settings.target.clone(),
            user: settings.user.clone(),
        };
        let (tx, notifications) = mpsc::unbounded_channel();
        let client = if settings.config.get_ssl_mode() == SslMode::Require {
            let tls = connect::tls_config().map_err(|detail| StoreError::Unreachable {
                target: place.target.clone(),
                doing: "setting up TLS",
                detail,
                passing: false,
            })?;
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
            let (client, connection) = settings
                .config
                .connect(tls)
                .await
                .map_err(|e| place.pg(doing, &e))?;
            tokio::spawn(drive(connection, tx));
            client
        } else {
            let (client, connection) = settings
                .config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(|e| place.pg(doing, &e))?;
            tokio::spawn(drive(connection, tx));
            client
        };
        Ok(Session {
            client,
            notifications,
            place,
        })
    }

    /// The database, as shown in messages (never the password).
    pub fn target(&self) -> &str {
        &self.place.target
    }

    /// `pg_try_advisory_lock(key)`: whether this session now holds the lock
    /// (it keeps it until it ends).
    pub async fn try_advisory_lock(&self, key: i64) -> Result<bool, StoreError> {
        let doing = "taking an advisory lock";
        let row = self
            .client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .await
            .map_err(|e| self.place.pg(doing, &e))?;
        Ok(row.get(0))
    }

    /// A round trip: `Err` when the connection is gone.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .simple_query("SELECT 1")
            .await
            .map(|_| ())
            .map_err(|e| self.place.pg("checking the connection", &e))
    }

    /// Starts listening on `channel` (e.g. [`super::CHANNEL`]).
    pub async fn listen(&self, channel: &str) -> Result<(), StoreError> {
        let quoted = format!("\"{}\"", channel.replace('"', "\"\""));
        self.client
            .batch_execute(&format!("LISTEN {quoted}"))
            .await
            .map_err(|e| self.place.pg("listening for changes", &e))
    }

    /// The next notification's payload; `None` once the connection is gone.
    pub async fn notification(&mut self) -> Option<String> {
        self.notifications.recv().await
    }

    /// Whether the connection is gone.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

/// Drives the connection, passing notifications on, until it ends.
async fn drive<S, T>(mut connection: Connection<S, T>, tx: mpsc::UnboundedSender<String>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        match poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(n))) => {
                let _ = tx.send(n.payload().to_owned());
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                tracing::warn!(error = %e, "a dedicated database connection ended");
                return;
            }
            None => return,
        }
    }
}
