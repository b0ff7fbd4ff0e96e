//! Sending a confirmed bulk action (see `bulk`): one order at a time, the
//! next when the previous one settled, so a carrier sees the writes one by
//! one and Esc can stop between them. A carrier write is an
//! [`Effect::Execute`] with its own ticket (its own journal entry, as any
//! write of this console), answered by `Msg::WriteSettled`; a flag or note
//! is [`Effect::SetFlag`] / [`Effect::SaveNote`], answered by
//! `Msg::FlagSaved` / `Msg::NoteSaved`. The status line counts
//! `12/30 sent`; the end is a summary, and the orders not confirmed stay
//! marked. Pure: no I/O.

use super::bulk::{BulkKind, BulkStep, Fate};
use super::msg::{Effect, WriteSettled};
use super::state::{Level, Modal, Pending, State};
use crate::domain::{OrderKey, sanitize};

impl State {
    /// Whether the write `ticket` belongs to the open bulk action.
    pub(super) fn bulk_owns(&self, ticket: super::msg::Ticket) -> bool {
        self.bulk().is_some_and(|b| b.owns(ticket))
    }

    /// The confirmation was given: send the first.
    pub(super) fn bulk_start(&mut self, fx: &mut Vec<Effect>) {
        let Some(Modal::Bulk(bulk)) = &mut self.modal else {
            return;
        };
        let BulkStep::Confirm { send, .. } = &mut bulk.step else {
            return;
        };
        let send = std::mem::take(send);
        bulk.step = BulkStep::Sending {
            send,
            next: 0,
            in_flight: None,
            done: Vec::new(),
            stopping: false,
        };
        self.bulk_next(fx);
    }

    /// Sends the next order, or ends with the summary when none is left
    /// (or Esc stopped it) and nothing is in flight.
    fn bulk_next(&mut self, fx: &mut Vec<Effect>) {
        let readonly = self.readonly;
        loop {
            let Some(Modal::Bulk(bulk)) = &mut self.modal else {
                return;
            };
            let kind = bulk.kind;
            let note = bulk.note.as_ref().map(|n| n.text().to_owned());
            let BulkStep::Sending {
                send,
                next,
                in_flight,
                done,
                stopping,
            } = &mut bulk.step
            else {
                return;
            };
            if in_flight.is_some() {
                return;
            }
            if *stopping || *next >= send.len() {
                for planned in &send[*next..] {
                    let why = "stopped with esc before it was sent".to_owned();
                    done.push((planned.key.clone(), Fate::NotSent(why)));
                }
                *next = send.len();
                self.bulk_finish();
                return;
            }
            let planned = send[*next].clone();
            *next += 1;
            let key = planned.key.clone();
            match kind {
                BulkKind::Act(_) => {
                    let order = self.full.get(&key).cloned();
                    let (Some(order), Some(request), false) = (order, planned.request, readonly)
                    else {
                        let why = if readonly {
                            "read-only mode: nothing is sent"
                        } else {
                            "no longer held, not sent"
                        };
                        done.push((key, Fate::NotSent(why.to_owned())));
                        continue;
                    };
                    let ticket = self.next_ticket;
                    self.next_ticket += 1;
                    *in_flight = Some((Some(ticket), key.clone()));
                    self.pending.insert(
                        ticket,
                        Pending {
                            key,
                            action: request.action,
                            summary: request.summary.clone(),
                        },
                    );
                    fx.push(Effect::Execute {
                        ticket,
                        order: Box::new(order),
                        request,
                    });
                }
                BulkKind::Flag => {
                    *in_flight = Some((None, key.clone()));
                    self.flag_pending.insert(key.clone());
                    fx.push(Effect::SetFlag { key, flagged: true });
                }
                BulkKind::Note => {
                    *in_flight = Some((None, key.clone()));
                    fx.push(Effect::SaveNote {
                        key,
                        text: note.unwrap_or_default(),
                    });
                }
            }
            self.bulk_progress();
            return;
        }
    }

    /// `acknowledge: 12/30 sent` on the status line.
    fn bulk_progress(&mut self) {
        let Some(bulk) = self.bulk() else { return };
        let Some((settled, total)) = bulk.progress() else {
            return;
        };
        let text = format!("{}: {settled}/{total} sent", bulk.kind.label());
        self.say(Level::Info, text);
    }

    /// Esc while sending: the write in flight goes on, no other is sent.
    pub(super) fn bulk_stop(&mut self, fx: &mut Vec<Effect>) {
        let Some(Modal::Bulk(bulk)) = &mut self.modal else {
            return;
        };
        let label = bulk.kind.label();
        let BulkStep::Sending {
            send,
            next,
            in_flight,
            stopping,
            ..
        } = &mut bulk.step
        else {
            return;
        };
        *stopping = true;
        let left = send.len() - *next;
        if in_flight.is_some() {
            let text = format!(
                "{label}: stopping after the one in flight; {left} not sent, they stay marked"
            );
            self.say(Level::Warning, text);
        } else {
            self.bulk_next(fx);
        }
    }

    /// A write of the bulk action settled: the re-read order and the
    /// journal entry as for any write, then the next order.
    pub(super) fn on_bulk_settled(&mut self, settled: WriteSettled, fx: &mut Vec<Effect>) {
        let WriteSettled {
            ticket,
            key,
            result,
            entry,
            order,
        } = settled;
        let super::writes::Absorbed { reread, no_reread } = self.absorb_settled(order, entry);
        self.pending.remove(&ticket);
        let fate = match result {
            Ok(receipt) => {
                if !reread {
                    fx.push(Effect::ReloadOrder(key.clone()));
                }
                Fate::Confirmed(sanitize(&receipt.message))
            }
            Err(error) => {
                let unknown = error.outcome_unknown();
                if unknown && !reread && !no_reread {
                    fx.push(Effect::ReloadOrder(key.clone()));
                }
                let text = sanitize(&error.to_string());
                match (unknown, error.reached()) {
                    (true, _) => Fate::Unknown(format!(
                        "{text} (it may have been applied: check the order's log before trying again)"
                    )),
                    (false, true) => Fate::Refused(text),
                    (false, false) => Fate::Refused(format!("could not reach the carrier: {text}")),
                }
            }
        };
        self.bulk_settle(key, fate, fx);
    }

    /// A flag or note of the bulk action was saved (or not).
    pub(super) fn bulk_local_saved(
        &mut self,
        key: &OrderKey,
        error: Option<String>,
        fx: &mut Vec<Effect>,
    ) {
        if !self.bulk().is_some_and(|b| b.awaits_local(key)) {
            return;
        }
        let fate = match error {
            None => Fate::Confirmed("saved".into()),
            Some(why) => Fate::Refused(format!("not saved: {}", sanitize(&why))),
        };
        self.bulk_settle(key.clone(), fate, fx);
    }

    fn bulk_settle(&mut self, key: OrderKey, fate: Fate, fx: &mut Vec<Effect>) {
        let Some(Modal::Bulk(bulk)) = &mut self.modal else {
            return;
        };
        let BulkStep::Sending {
            in_flight, done, ..
        } = &mut bulk.step
        else {
            return;
        };
        *in_flight = None;
        done.push((key, fate));
        self.bulk_next(fx);
    }

    /// The end: the summary; confirmed orders lose their mark.
    fn bulk_finish(&mut self) {
        let Some(Modal::Bulk(bulk)) = &mut self.modal else {
            return;
        };
        let BulkStep::Sending { done, .. } = &mut bulk.step else {
            return;
        };
        let done = std::mem::take(done);
        let label = bulk.kind.label();
        let skipped = bulk.skipped.len();
        let count = |word: &str| done.iter().filter(|(_, f)| f.word() == word).count();
        let confirmed = count("confirmed");
        let mut parts = vec![format!("{confirmed} confirmed")];
        for word in ["refused", "unknown", "not sent"] {
            let n = count(word);
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        if skipped > 0 {
            parts.push(format!("{skipped} skipped"));
        }
        let left = done.len() - confirmed + skipped;
        let confirmed_keys: Vec<OrderKey> = done
            .iter()
            .filter(|(_, f)| matches!(f, Fate::Confirmed(_)))
            .map(|(k, _)| k.clone())
            .collect();
        bulk.step = BulkStep::Done { done, scroll: 0 };
        for key in confirmed_keys {
            if let Some(index) = self.store.index_of(&key) {
                self.marks.remove(index);
            }
        }
        let mut text = format!("{label}: {}", parts.join(", "));
        let level = if left == 0 {
            Level::Ok
        } else {
            let they = if left == 1 { "it stays" } else { "they stay" };
            text.push_str(&format!("; the {left} not confirmed: {they} marked"));
            Level::Warning
        };
        self.say(level, text);
    }
}
