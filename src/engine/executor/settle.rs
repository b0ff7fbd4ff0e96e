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

/// `outcome` with what the entry said before a send the user asked for.
fn with_earlier(outcome: Outcome, earlier: Option<&str>) -> Outcome {
    let Some(earlier) = earlier.filter(|e| !e.is_empty()) else {
        return outcome;
    };
    let add = |now: String| format!("{now} [earlier: {earlier}]");
    match outcome {
        Outcome::Confirmed { message } => Outcome::Confirmed {
            message: add(message),
        },
        Outcome::Refused { code, message } => Outcome::Refused {
            code,
            message: add(message),
        },
        Outcome::Failed { why } => Outcome::Failed { why: add(why) },
        Outcome::Unknown { why } => Outcome::Unknown { why: add(why) },
        Outcome::Accepted { receipt, why } => Outcome::Accepted {
            receipt,
            why: add(why),
        },
    }
}

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
        entry: JournalEntry,
        order: Order,
        clock: &Clock,
    ) -> WriteResult {
        self.send_attempt(handle, entry, order, None, clock).await
    }

    /// [`Self::send_and_settle`]; `earlier` is what the entry said before
    /// this send when the user asked to send it again: the outcome recorded
    /// keeps it, so every attempt (with the carrier's correlation id, where
    /// its messages name one) stays in the journal.
    pub(super) async fn send_attempt(
        &self,
        handle: &CarrierHandle,
        mut entry: JournalEntry,
        mut order: Order,
        earlier: Option<&str>,
        clock: &Clock,
    ) -> WriteResult {
        let Some(writer) = handle.writer.clone() else {
            return self.unchanged(entry, None);
        };
        let rereads = handle.profile.reread_confirms(&entry.request);
        let finish = |entry: JournalEntry,
                      outcome: Outcome,
                      order: Option<Order>,
                      error: Option<CarrierError>| {
            self.finish(entry, with_earlier(outcome, earlier), order, error, clock)
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
                            let mut result =
                                finish(entry, Outcome::Failed { why }, None, None).await;
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
                Ok(receipt) if !rereads => {
                    // No re-read can show it: the carrier's yes confirms it.
                    let outcome = Outcome::Confirmed {
                        message: receipt.message,
                    };
                    return finish(entry, outcome, None, None).await;
                }
                Ok(receipt) => {
                    return match self.reread(handle, &entry).await {
                        ReRead::Visible(fresh) => {
                            finish(
                                entry,
                                Outcome::Confirmed {
                                    message: receipt.message,
                                },
                                Some(fresh),
                                None,
                            )
                            .await
                        }
                        ReRead::NotVisible(fresh) => {
                            finish(
                                entry,
                                Outcome::Accepted {
                                    receipt: receipt.message,
                                    why: "accepted; the re-read does not show it yet".into(),
                                },
                                Some(fresh),
                                None,
                            )
                            .await
                        }
                        ReRead::Unreachable(e) => {
                            finish(
                                entry,
                                Outcome::Accepted {
                                    receipt: receipt.message,
                                    why: format!("accepted; re-read failed: {e}"),
                                },
                                None,
                                Some(e),
                            )
                            .await
                        }
                    };
                }
                Err(err) => err,
            };
            if !err.outcome_unknown() {
                let outcome = settled_outcome(&err);
                return finish(entry, outcome, None, Some(err)).await;
            }
            let why = format!("sent, no answer: {err}");
            let unknown = finish(entry, Outcome::Unknown { why }, None, Some(err.clone())).await;
            if unknown.store_error.is_some()
                || unknown.entry.state != JournalState::Unknown
                || !rereads
            {
                // Without a re-read that could show it, it stays unknown
                // until the user sends it again.
                return unknown;
            }
            entry = unknown.entry;
            match self.reread(handle, &entry).await {
                ReRead::Visible(fresh) => {
                    let message = format!("confirmed by re-reading the order after: {err}");
                    return finish(
                        entry,
                        Outcome::Confirmed { message },
                        Some(fresh),
                        Some(err),
                    )
                    .await;
                }
                ReRead::Unreachable(_) => return self.unchanged(entry, Some(err)),
                ReRead::NotVisible(fresh) => {
                    if entry.sends >= MAX_SENDS {
                        let why = not_applied(entry.sends);
                        return finish(entry, Outcome::Failed { why }, Some(fresh), Some(err))
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
