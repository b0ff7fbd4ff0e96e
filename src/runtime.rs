//! Terminal and event loop. (Being written.)
