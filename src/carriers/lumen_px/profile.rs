//! What the dialogs know about PX orders: nothing can be sent. The PX
//! OrderInfo API is read-only, so every action is "not offered by Lumen PX
//! (read-only API)", whatever the mode; notes and flags are local and work
//! as for every carrier. Pure.

use chrono::{DateTime, Utc};

use crate::carriers::CarrierProfile;
use crate::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FormValues, Order,
};

use super::KIND;

/// Why no action is offered.
pub const NOT_OFFERED: &str = "not offered by Lumen PX (read-only API)";

/// The PX carrier's profile.
#[derive(Debug, Clone, Copy, Default)]
pub struct PxProfile;

impl CarrierProfile for PxProfile {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn availability(&self, _order: &Order, _action: ActionKind) -> Availability {
        Availability::Unavailable(NOT_OFFERED.into())
    }

    fn form(&self, _order: &Order, _action: ActionKind) -> Option<ActionForm> {
        None
    }

    fn validate(
        &self,
        _order: &Order,
        _action: ActionKind,
        _values: &FormValues,
        _now: DateTime<Utc>,
    ) -> Result<ActionRequest, Vec<FieldError>> {
        Err(vec![FieldError::form(NOT_OFFERED)])
    }

    fn confirmation(&self, _order: &Order, _request: &ActionRequest) -> ConfirmRule {
        ConfirmRule::None
    }

    fn effect_visible(&self, _order: &Order, _request: &ActionRequest) -> bool {
        false
    }

    fn poll_requests(&self) -> Option<&'static str> {
        Some("pxNewOrders/pxOpenOrders")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderKey, Stage, Status};

    #[test]
    fn every_action_says_read_only_api() {
        let order = Order::new(
            OrderKey::new("px", "U1"),
            KIND,
            Status::new("OPEN", Stage::NeedsAttention, false),
        );
        for action in ActionKind::ALL {
            assert_eq!(
                PxProfile.availability(&order, action),
                Availability::Unavailable(NOT_OFFERED.into())
            );
            assert!(PxProfile.form(&order, action).is_none());
        }
    }
}
