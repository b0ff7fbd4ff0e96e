//! Lumen Voice (LI/ELS) adapter. (Being written.)

use crate::carriers::{CarrierError, CarrierHandle};
use crate::config::{CarrierConfig, Config};

pub const KIND: &str = "lumen-voice";

pub fn build(
    _config: &Config,
    _carrier: &CarrierConfig,
    _readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    Err(CarrierError::Local(
        "lumen-voice adapter not built yet".into(),
    ))
}
