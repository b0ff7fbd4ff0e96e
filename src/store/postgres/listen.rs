//! The console's LISTEN connection: a [`Session`] (the team store's one
//! kind of connection outside the pool) opened with this store's URL and
//! password and listening on the change channel ([`super::CHANNEL`]),
//! named `orderdesk-follow` in `pg_stat_activity` (the daemon counts them).
//! Must not: parse the payloads (that is `notify`), reconnect (the caller
//! decides when and how often) or read rows.

use super::{CHANNEL, PgStore, Session};
use crate::store::StoreError;

impl PgStore {
    /// Opens a connection of its own to the team store and LISTENs on the
    /// change channel; its payloads come from [`Session::notification`]
    /// until the connection ends. Dropping it closes the connection.
    pub async fn listen(&self) -> Result<Session, StoreError> {
        let session =
            Session::open_as(&self.url, &self.password, super::session::FOLLOWER_APP).await?;
        session.listen(CHANNEL).await?;
        Ok(session)
    }
}
