//! Drawing: `view(&State, &mut Frame)`. Pure: no I/O. (Being written.)
