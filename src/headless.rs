//! Headless `list` and `show`. (Being written.)
