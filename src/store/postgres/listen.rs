//! A dedicated connection that LISTENs on the change channel
//! ([`super::CHANNEL`]) and hands each notification's payload on. Pooled
//! connections cannot do this (the pool drives them and drops what the
//! server sends unasked), so a follower opens one of these beside the pool.
//! Must not: parse the payloads (that is `notify`), reconnect (the caller
//! decides when and how often) or read rows.

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;
use tokio_postgres::config::SslMode;

use super::{CHANNEL, PgStore, connect};
use crate::store::StoreError;

/// A live LISTEN connection: its payloads arrive on `changes` until the
/// connection ends, when `changes` yields `None`. Dropping it closes the
/// connection.
pub struct Listener {
    /// Kept so the connection stays open.
    _client: tokio_postgres::Client,
    pub changes: mpsc::UnboundedReceiver<String>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Opens a connection of its own to the team store and LISTENs on the
    /// change channel.
    pub async fn listen(&self) -> Result<Listener, StoreError> {
        let doing = "listening for changes";
        let settings = connect::settings(&self.url, &self.password, &connect::Env::process())?;
        let (tx, changes) = mpsc::unbounded_channel();
        let client = if settings.config.get_ssl_mode() == SslMode::Require {
            let tls = connect::tls_config().map_err(|detail| StoreError::Unreachable {
                target: self.place.target.clone(),
                doing,
                detail,
            })?;
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
            let (client, connection) = settings
                .config
                .connect(tls)
                .await
                .map_err(|e| self.err(doing, &e))?;
            tokio::spawn(forward(connection, tx));
            client
        } else {
            let (client, connection) = settings
                .config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(|e| self.err(doing, &e))?;
            tokio::spawn(forward(connection, tx));
            client
        };
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(Listener {
            _client: client,
            changes,
        })
    }
}

/// Drives the connection and passes its notifications on until it ends.
async fn forward<S, T>(
    mut connection: tokio_postgres::Connection<S, T>,
    tx: mpsc::UnboundedSender<String>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    while let Some(Ok(message)) = messages.next().await {
        if let AsyncMessage::Notification(n) = message
            && tx.send(n.payload().to_owned()).is_err()
        {
            return;
        }
    }
}
