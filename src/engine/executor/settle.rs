//! How one claimed write is carried to its end: marked `sending` in the
//! journal, sent, re-read, resent once after an unknown outcome whose
//! re-read shows no effect, and its outcome recorded (see the rules in
//! `super`). Also the journal bookkeeping every path shares. Must not pick
//! what to send: `execute` and `resolve_pending` do.

use std::sync::PoisonError;

use super::{Clock, InFlight, MAX_SENDS, WriteExecutor};
use crate::carriers::{CarrierError, CarrierHandle};
use crate::domain::{JournalEntry, JournalState, Order, Outcome};
use crate::engine::write_result::{WriteResult, apply, not_applied, settled_outcome};
use crate::store::StoreError;

/// What a re-read says about an entry.
pub(super) enum ReRead {
    Visible(Order),
    NotVisible(Order),
    Unreachable(CarrierError),
}

impl WriteExecutor {
    /// Claims, sends, re-reads; resends once after an unknown outcome whose
    /// re-read shows no effect.
    pub(super) async fn send_and_settle(
        &self,
        handle: &CarrierHandle,
        mut entry: JournalEntry,
        mut order: Order,
        clock: &Clock,
    ) -> WriteResult {
        let Some(writer) = handle.writer.clone() else {
            return self.unchanged(entry, None);
        };
        loop {
            entry = match self
                .journal
                .journal_mark_sending(&entry, &self.session, clock.now())
                .await
            {
                Ok(entry) => entry,
                Err(StoreError::BadTransition { .. }) => {
                    // Someone else (another console) moved it first.
                    return self.reload(entry, None).await;
                }
                Err(err) => {
                    // Not recorded as sending: do not send.
                    tracing::error!(id = entry.id, error = %err, "write not sent: the journal could not mark it as sending");
                    return match entry.state {
                        JournalState::Recorded => {
                            let why =
                                format!("not sent: the journal could not record the send: {err}");
                            let mut result = self
                                .finish(entry, Outcome::Failed { why }, None, None, clock)
                                .await;
                            result.store_error.get_or_insert(err);
                            result
                        }
                        _ => WriteResult {
                            entry,
                            order: None,
                            error: None,
                            store_error: Some(err),
                        },
                    };
                }
            };
            let sent = writer.execute(&order, &entry.request).await;
            let err = match sent {
                Ok(receipt) => {
                    return match self.reread(handle, &entry).await {
                        ReRead::Visible(fresh) => {
                            self.finish(
                                entry,
                                Outcome::Confirmed {
                                    message: receipt.message,
                                },
                                Some(fresh),
                                None,
                                clock,
                            )
                            .await
                        }
                        ReRead::NotVisible(fresh) => {
                            self.finish(
                                entry,
                                Outcome::Accepted {
                                    receipt: receipt.message,
                                    why: "accepted; the re-read does not show it yet".into(),
                                },
                                Some(fresh),
                                None,
                                clock,
                            )
                            .await
                        }
                        ReRead::Unreachable(e) => {
                            self.finish(
                                entry,
                                Outcome::Accepted {
                                    receipt: receipt.message,
                                    why: format!("accepted; re-read failed: {e}"),
                                },
                                None,
                                Some(e),
                                clock,
                            )
                            .await
                        }
                    };
                }
                Err(err) => err,
            };
            if !err.outcome_unknown() {
                let outcome = settled_outcome(&err);
                return self.finish(entry, outcome, None, Some(err), clock).await;
            }
            let why = format!("sent, no answer: {err}");
            let unknown = self
                .finish(
                    entry,
                    Outcome::Unknown { why },
                    None,
                    Some(err.clone()),
                    clock,
                )
                .await;
            if unknown.store_error.is_some() || unknown.entry.state != JournalState::Unknown {
                return unknown;
            }
            entry = unknown.entry;
            match self.reread(handle, &entry).await {
                ReRead::Visible(fresh) => {
                    let message = format!("confirmed by re-reading the order after: {err}");
                    return self
                        .finish(
                            entry,
                            Outcome::Confirmed { message },
                            Some(fresh),
                            Some(err),
                            clock,
                        )
                        .await;
                }
                ReRead::Unreachable(_) => return self.unchanged(entry, Some(err)),
                ReRead::NotVisible(fresh) => {
                    if entry.sends >= MAX_SENDS {
                        let why = not_applied(entry.sends);
                        return self
                            .finish(
                                entry,
                                Outcome::Failed { why },
                                Some(fresh),
                                Some(err),
                                clock,
                            )
                            .await;
                    }
                    order = fresh;
                }
            }
        }
    }

    pub(super) async fn reread(&self, handle: &CarrierHandle, entry: &JournalEntry) -> ReRead {
        match handle.reader.fetch_order(&entry.key.id).await {
            Ok(fresh) if handle.profile.effect_visible(&fresh, &entry.request) => {
                ReRead::Visible(fresh)
            }
            Ok(fresh) => ReRead::NotVisible(fresh),
            Err(err) => ReRead::Unreachable(err),
        }
    }

    pub(super) fn claim(&self, id: &str) -> Option<InFlight<'_>> {
        let mut set = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        set.insert(id.to_owned()).then(|| InFlight {
            set: &self.in_flight,
            id: id.to_owned(),
        })
    }

    /// Records `outcome`. If another console finished the entry first, its
    /// outcome stands; if the store fails, the result still tells what
    /// happened, with the store error.
    pub(super) async fn finish(
        &self,
        entry: JournalEntry,
        outcome: Outcome,
        order: Option<Order>,
        error: Option<CarrierError>,
        clock: &Clock,
    ) -> WriteResult {
        let at = clock.now();
        match self
            .journal
            .journal_finish(&entry.id, outcome.clone(), at)
            .await
        {
            Ok(entry) => WriteResult {
                entry,
                order,
                error,
                store_error: None,
            },
            Err(StoreError::BadTransition { .. }) => {
                let mut result = self.reload(entry, error).await;
                result.order = order;
                result
            }
            Err(err) => {
                tracing::error!(id = entry.id, error = %err, "the journal could not record a write's outcome");
                WriteResult {
                    entry: apply(entry, &outcome, at),
                    order,
                    error,
                    store_error: Some(err),
                }
            }
        }
    }

    pub(super) async fn reload(
        &self,
        entry: JournalEntry,
        error: Option<CarrierError>,
    ) -> WriteResult {
        match self.journal.journal_get(&entry.id).await {
            Ok(Some(current)) => self.unchanged(current, error),
            Ok(None) => self.unchanged(entry, error),
            Err(err) => WriteResult {
                entry,
                order: None,
                error,
                store_error: Some(err),
            },
        }
    }

    pub(super) fn unchanged(
        &self,
        entry: JournalEntry,
        error: Option<CarrierError>,
    ) -> WriteResult {
        WriteResult {
            entry,
            order: None,
            error,
            store_error: None,
        }
    }

    pub(super) fn unchanged_with(&self, entry: JournalEntry, order: Option<Order>) -> WriteResult {
        WriteResult {
            entry,
            order,
            error: None,
            store_error: None,
        }
    }
}
