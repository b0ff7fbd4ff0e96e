//! Tjänsteguiden (Swedish city-network portal) adapter. (Being written.)

use crate::carriers::{CarrierError, CarrierHandle};
use crate::config::{CarrierConfig, Config};

pub const KIND: &str = "tjansteguiden";

pub fn build(
    _config: &Config,
    _carrier: &CarrierConfig,
    _readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    Err(CarrierError::Local(
        "tjansteguiden adapter not built yet".into(),
    ))
}
