//! The action profiles of carriers a console knows only from the team
//! store: a carrier's name and kind come from `carrier_health` and the
//! orders, never from a `[[carrier]]` table, so the profile is built from
//! the kind alone. What a profile takes from a carrier's config only
//! shapes the request preview (tjansteguiden's endpoint and API user, which
//! the daemon fills in when it sends), or, for lla-tmf622's pay link,
//! whether the daemon can send it, which the daemon's own config decides
//! when it executes the journal entry. Must not: build readers or writers
//! (a console in team mode holds no carrier client).

use std::sync::Arc;

use crate::carriers::{CarrierProfile, lla_tmf622, lumen_px, lumen_voice, tjansteguiden};

/// The profile for `kind`, or `None` for a kind this build does not know
/// (its orders are then not shown; the carrier chip says so).
pub fn for_kind(kind: &str, readonly: bool) -> Option<Arc<dyn CarrierProfile>> {
    Some(match kind {
        k if k == tjansteguiden::ADAPTER.name => {
            // The preview names the endpoint of the daemon's config, which
            // the console does not have.
            let endpoint = reqwest::Url::parse("https://team-daemon.invalid/").ok()?;
            Arc::new(tjansteguiden::TgProfile::new(endpoint, "(the daemon's)"))
        }
        k if k == lumen_voice::ADAPTER.name => Arc::new(lumen_voice::VoiceProfile::new(readonly)),
        k if k == lumen_px::ADAPTER.name => Arc::new(lumen_px::PxProfile),
        k if k == lla_tmf622::ADAPTER.name => Arc::new(lla_tmf622::LlaProfile::new(
            readonly,
            Ok("(the daemon's)".to_owned()),
        )),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_kind_has_a_team_profile_of_that_kind() {
        for kind in crate::registry::KINDS {
            let profile = for_kind(kind.name, false).expect(kind.name);
            assert_eq!(profile.kind(), kind.name);
        }
        assert!(for_kind("carrier-pigeon", false).is_none());
    }
}
