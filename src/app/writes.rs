//! Writes to carriers, from key to outcome: opening an action's dialog
//! (refused in read-only mode, for an order whose full form could not be
//! read, or when the carrier does not offer it; keys typed while it is
//! being read wait for it, see `full`), stepping it, sending
//! the validated request as [`Effect::Execute`] with the order as held, and
//! applying what came of it ([`WriteSettled`]: the re-read order, the
//! journal entry, the status line and the dialog). Pure: the write itself
//! is the runtime's.

use super::dialog::{Dialog, FormState, Input, Outcome};
use super::full::FullState;
use super::msg::{Effect, WriteSettled};
use super::state::{Level, Modal, Pending, State};
use crate::domain::{ActionKind, Availability};

/// What [`State::absorb_settled`] found.
pub(super) struct Absorbed {
    /// The order came back re-read.
    pub(super) reread: bool,
    /// No re-read can show this write.
    pub(super) no_reread: bool,
}

impl State {
    pub(super) fn open_action(&mut self, kind: ActionKind) {
        if self.readonly {
            self.say(
                Level::Warning,
                format!("read-only mode: {} is disabled", kind.label()),
            );
            return;
        }
        let Some(key) = self.selected().map(|s| s.key.clone()) else {
            self.say(
                Level::Warning,
                format!("{}: no order selected", kind.label()),
            );
            return;
        };
        // A write is confirmed against the order's real log: the full order.
        let order = match self.full.state(&key) {
            FullState::Held(order) => order,
            FullState::Failed(why) => {
                let text = format!("cannot {} {key}: {why}", kind.label());
                self.say(Level::Warning, text);
                return;
            }
            FullState::Loading | FullState::Absent => {
                let text = format!("{key}: still being read; try again shortly");
                self.say(Level::Warning, text);
                return;
            }
        };
        let Some(carrier) = self.carrier(&order.key.carrier) else {
            let text = format!("cannot {} {}: unknown carrier", kind.label(), order.key);
            self.say(Level::Warning, text);
            return;
        };
        let profile = carrier.info.profile.clone();
        let outcome = match profile.availability(order, kind) {
            Availability::Unavailable(reason) => Err(reason),
            Availability::Available => profile
                .form(order, kind)
                .map(|form| {
                    let form = FormState::new(order, form);
                    super::dialog::opening(form, profile.as_ref(), order, self.now)
                })
                .ok_or_else(|| "not offered by this carrier".to_owned()),
        };
        match outcome {
            Ok(dialog) => self.modal = Some(Modal::Dialog(dialog)),
            Err(reason) => {
                let text = format!("cannot {} {}: {reason}", kind.label(), order.key);
                self.say(Level::Warning, text);
            }
        }
    }

    /// A key or a paste in the action dialog.
    pub(super) fn dialog_step(&mut self, input: Input, fx: &mut Vec<Effect>) {
        let dialog = match self.modal.take() {
            Some(Modal::Dialog(dialog)) => dialog,
            other => {
                self.modal = other;
                return;
            }
        };
        let key = dialog.key().clone();
        let Some(profile) = self.carrier(&key.carrier).map(|c| c.info.profile.clone()) else {
            self.close_modal();
            return;
        };
        let order = self.full.get(&key);
        match dialog.step(input, profile.as_ref(), order, self.now) {
            Outcome::Stay(mut d) => {
                if let Dialog::Confirm { scroll, .. } = &mut d {
                    *scroll = (*scroll).min(self.scroll_limits.dialog);
                }
                self.modal = Some(Modal::Dialog(d));
            }
            Outcome::Closed => {
                self.close_modal();
                self.say(Level::Info, format!("{key}: closed, nothing sent"));
            }
            Outcome::Send(form, request) => {
                if self.readonly {
                    // Unreachable (no dialog opens in read-only mode); never send.
                    self.close_modal();
                    self.say(Level::Error, "read-only mode: nothing is sent");
                    return;
                }
                let Some(order) = self.full.get(&key).cloned() else {
                    // Unreachable (the open dialog's order stays held); never
                    // send blind.
                    self.close_modal();
                    self.say(Level::Error, format!("{key}: not read, nothing sent"));
                    return;
                };
                let ticket = self.next_ticket;
                self.next_ticket += 1;
                self.pending.insert(
                    ticket,
                    Pending {
                        key: key.clone(),
                        action: request.action,
                        summary: request.summary.clone(),
                    },
                );
                fx.push(Effect::Execute {
                    ticket,
                    order: Box::new(order),
                    request: request.clone(),
                });
                self.modal = Some(Modal::Dialog(Dialog::Sending {
                    form,
                    request,
                    ticket,
                }));
            }
            Outcome::Hide { ticket, key } => {
                self.close_modal();
                let what = self
                    .pending
                    .get(&ticket)
                    .map(|p| p.summary.clone())
                    .unwrap_or_default();
                self.say(
                    Level::Info,
                    format!("{key}: {what}: sending in the background"),
                );
            }
        }
    }

    /// What every settled write brings, taken in first: the re-read order,
    /// then its journal entry. Says whether the order was re-read, and
    /// whether no re-read can show the write (LLA's pay link: not re-read).
    pub(super) fn absorb_settled(
        &mut self,
        order: Option<crate::domain::Order>,
        entry: Option<crate::domain::JournalEntry>,
    ) -> Absorbed {
        let reread = order.is_some();
        if let Some(order) = order {
            self.upsert_orders(vec![order]);
        }
        let no_reread = entry.as_ref().is_some_and(|e| {
            self.carrier(&e.key.carrier)
                .is_some_and(|c| !c.info.profile.reread_confirms(&e.request))
        });
        if let Some(entry) = entry {
            self.on_journal(entry);
        }
        Absorbed { reread, no_reread }
    }

    /// A write of this console settled: the re-read order first, then its
    /// journal entry, then the outcome (the status line and the dialog); a
    /// write whose order was re-read needs no other read.
    pub(super) fn on_write_settled(&mut self, settled: WriteSettled, fx: &mut Vec<Effect>) {
        let WriteSettled {
            ticket,
            key,
            result,
            entry,
            order,
        } = settled;
        let Absorbed { reread, no_reread } = self.absorb_settled(order, entry);
        let pending = self.pending.remove(&ticket);
        let summary = pending
            .map(|p| p.summary)
            .unwrap_or_else(|| "write".to_owned());
        let ours = matches!(
            &self.modal,
            Some(Modal::Dialog(Dialog::Sending { ticket: t, .. })) if *t == ticket
        );
        match result {
            Ok(receipt) => {
                if ours {
                    self.close_modal();
                }
                let message = if receipt.message.trim().is_empty() {
                    format!("{summary}: done")
                } else {
                    receipt.message
                };
                self.say(Level::Ok, format!("{key}: {message}"));
                if !reread {
                    fx.push(Effect::ReloadOrder(key));
                }
            }
            Err(error) => {
                let unknown = error.outcome_unknown();
                let reached = error.reached();
                let answer = if unknown && no_reread {
                    format!(
                        "{error} (the carrier may have saved it and cannot show it back: it stays unknown; send it again from the journal, J then ctrl-r, if it is still needed)"
                    )
                } else if unknown {
                    format!(
                        "{error} (the carrier may have applied it; re-reading the order, check its log before retrying)"
                    )
                } else {
                    error.to_string()
                };
                // Never "the carrier answered" about an answer that never
                // came: not sent at all, or sent with no answer.
                let answer = match (reached, unknown) {
                    (true, _) => answer,
                    (false, false) => format!("could not reach the carrier: {answer}"),
                    (false, true) => format!("no answer from the carrier: {answer}"),
                };
                if ours
                    && let Some(Modal::Dialog(Dialog::Sending { mut form, .. })) = self.modal.take()
                {
                    form.send_error = Some(crate::domain::sanitize(&answer));
                    form.send_reached = reached;
                    self.modal = Some(Modal::Dialog(Dialog::Form(form)));
                }
                self.say(Level::Error, format!("{key}: {summary} failed: {answer}"));
                if unknown && !reread && !no_reread {
                    fx.push(Effect::ReloadOrder(key));
                }
            }
        }
    }
}
