//! The console's decisions: `State`, `update(&mut State, Msg) -> Vec<Effect>`,
//! the key map and dialogs. Pure: no I/O, no async, no clock reads.

mod msg;

pub use msg::{Effect, Msg, Ticket};
