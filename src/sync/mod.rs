//! Per-carrier fetcher tasks. (Being written.)
