//! Local follow-up flags (`f`): held in a map keyed by `OrderKey` (a flag
//! may name an order the console does not hold; the domain `Order` is
//! untouched), part of why an order needs attention (the attention view and
//! the `flag:` filter use the order store's set of flagged keys). A toggle waits for the store's answer (no
//! optimistic change); a second `f` on the same order while it is being
//! saved is ignored. A flag never reaches a carrier and works in read-only
//! mode. Pure: the save is [`Effect::SetFlag`], answered by `Msg::FlagSaved`.
//! With the store off a flag is kept where notes are (see
//! `super::notes::Keeping`), and refused when there is nowhere to keep it.

use super::msg::Effect;
use super::notes::Keeping;
use super::state::{Level, State};
use crate::domain::Flag;
use crate::domain::sla::Clocked;
use crate::domain::{Attention, Order, OrderKey};

impl State {
    /// An order's follow-up flag.
    pub fn flag(&self, key: &OrderKey) -> Option<&Flag> {
        self.flags.get(key)
    }

    /// Why an order needs attention: the order's own reasons, the ones the
    /// clock adds (a service level overrun, an overdue delivery date), plus
    /// the local follow-up flag (code `flag`).
    pub fn attention(&self, order: &Order) -> Vec<Attention> {
        let mut out = order.attention();
        out.extend(
            self.store
                .late_reasons(&Clocked::of_order(order), &order.key.carrier),
        );
        if let Some(flag) = self.flags.get(&order.key) {
            out.push(Attention::new(
                "flag",
                format!(
                    "flagged for follow-up by {} {}",
                    flag.author,
                    self.local_time(flag.at)
                ),
            ));
        }
        out
    }

    pub(super) fn toggle_flag(&mut self, fx: &mut Vec<Effect>) {
        let Some(order) = self.selected() else {
            self.say(Level::Warning, "flag: no order selected");
            return;
        };
        let key = order.key.clone();
        if let Keeping::Nowhere(why) = &self.keeping {
            let message = format!("{key}: a flag cannot be kept this session: {why}");
            self.say(Level::Error, message);
            return;
        }
        if !self.flag_pending.insert(key.clone()) {
            self.say(Level::Info, format!("{key}: still saving the flag…"));
            return;
        }
        let flagged = !self.flags.contains_key(&key);
        fx.push(Effect::SetFlag { key, flagged });
    }

    pub(super) fn on_flag_saved(&mut self, key: OrderKey, result: Result<Option<Flag>, String>) {
        self.flag_pending.remove(&key);
        match result {
            Ok(Some(flag)) => {
                self.flags.insert(key.clone(), flag);
                self.store.set_flagged(&key, true);
                self.resync_cursor();
                let kept = self.keeping.kept_where();
                self.say(Level::Ok, format!("{key}: flagged for follow-up ({kept})"));
            }
            Ok(None) => {
                self.flags.remove(&key);
                self.store.set_flagged(&key, false);
                self.resync_cursor();
                let message = match &self.keeping {
                    Keeping::Store => format!("{key}: follow-up flag cleared"),
                    other => format!("{key}: follow-up flag cleared ({})", other.kept_where()),
                };
                self.say(Level::Ok, message);
            }
            Err(error) => {
                self.say(
                    Level::Error,
                    format!("{key}: flag not saved: {}", crate::domain::sanitize(&error)),
                );
            }
        }
    }
}
