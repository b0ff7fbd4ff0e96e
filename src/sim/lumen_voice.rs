//! Lumen Voice simulator. (Being written.)
