//! Tjänsteguiden simulator. (Being written.)
