//! Poll cursors kept as versioned JSON: a reader's cursor type says its
//! version and where it keeps it; text that does not parse, or carries
//! another version, reads as the default cursor (a first poll).
//!
//! Must not: know what a kind keeps in its cursor, or fail on a cursor's
//! text (it is persisted and may be from another build).

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A reader's cursor with a version field.
pub trait VersionedCursor: Serialize + DeserializeOwned + Default {
    /// The version this build writes and reads.
    const VERSION: u32;

    /// The version the cursor says it is.
    fn version(&self) -> u32;

    /// The cursor in `text`, or the default one when there is none, it does
    /// not parse or its version is not [`Self::VERSION`].
    fn parse(text: Option<&str>) -> Self {
        text.and_then(|t| serde_json::from_str::<Self>(t).ok())
            .filter(|c| c.version() == Self::VERSION)
            .unwrap_or_default()
    }

    /// The cursor as JSON text.
    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
