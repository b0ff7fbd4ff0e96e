//! [`StoreError`]: every way a store can fail, as a sentence that says what
//! happened, where (the file, or the team store's database without its
//! password), and what the user can do. Every
//! store implementation maps its own failures to these categories; this
//! module must not decide policy (the console decides to run with the cache
//! off).

/// A fault of the local store. `Display` is the message for the user.
///
/// The console keeps working from the network when the store fails; the file
/// is never deleted or rewritten because of one of these errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another process (usually another orderdesk on the same data directory)
    /// held the database lock for longer than the busy timeout.
    #[error(
        "the local store {path} is locked by another orderdesk (still busy after {timeout_ms} ms while {doing}); \
         close the other console or start this one with --data-dir DIR"
    )]
    Locked {
        path: String,
        doing: &'static str,
        timeout_ms: u64,
    },
    /// The directory or file cannot be created or written.
    #[error(
        "cannot write the local store {path} while {doing}: {detail}; \
         check the permissions or start with --data-dir DIR"
    )]
    Unwritable {
        path: String,
        doing: &'static str,
        detail: String,
    },
    /// SQLITE_FULL or ENOSPC.
    #[error(
        "the disk is full: could not finish {doing} in {path}; \
         the file was left as it was, free some space and restart"
    )]
    DiskFull { path: String, doing: &'static str },
    /// The file is not an SQLite database, is damaged, or belongs to
    /// something else. It is left untouched.
    #[error(
        "{path} is not a usable orderdesk database ({detail}); the file was left untouched: \
         move it aside to start with an empty cache, or start with --data-dir DIR"
    )]
    Corrupt { path: String, detail: String },
    /// The file was written by a newer orderdesk.
    #[error(
        "{path} has schema version {found}, newer than this orderdesk understands ({supported}); \
         the file was left untouched: upgrade orderdesk or start with --data-dir DIR"
    )]
    TooNew {
        path: String,
        found: u32,
        supported: u32,
    },
    /// Any other SQLite failure.
    #[error("local store {path}: {doing} failed: {detail}")]
    Sqlite {
        path: String,
        doing: &'static str,
        detail: String,
    },
    /// The team store (PostgreSQL) cannot be reached, or refused the login.
    #[error(
        "cannot reach the team store {target} while {doing}: {detail}; \
         check the URL, the network and the password (PGPASSWORD, ~/.pgpass, database_password_env)"
    )]
    Unreachable {
        target: String,
        doing: &'static str,
        detail: String,
        /// Trying again later may succeed: no answer at all, or a server
        /// starting up, shutting down or full. False for a refused login, a
        /// missing database or TLS that cannot be set up.
        passing: bool,
    },
    /// The team store refused an operation for lack of rights: the login's
    /// role does not allow it.
    #[error(
        "the team store {target} refused {doing} for {user}: {detail}; \
         this login's roles do not allow it (orderdesk_viewer only reads, \
         orderdesk_agent writes notes, flags, presence and journal requests, \
         db init needs a login that may create tables and roles)"
    )]
    Denied {
        target: String,
        doing: &'static str,
        user: String,
        detail: String,
    },
    /// The team store's schema is not the one this build uses: newer
    /// (`found > supported`: upgrade orderdesk) or older (run `db init`).
    #[error(
        "the team store {target} has schema version {found}, this orderdesk uses {supported}; \
         the database was left untouched: {hint}"
    )]
    SchemaMismatch {
        target: String,
        found: u32,
        supported: u32,
        hint: &'static str,
    },
    /// Any other failure of the team store.
    #[error("team store {target}: {doing} failed: {detail}")]
    Database {
        target: String,
        doing: &'static str,
        detail: String,
    },
    /// A journal entry id that the store does not have.
    #[error("journal entry {0} not found")]
    UnknownEntry(String),
    /// A journal state change that is not allowed (for example finishing an
    /// entry twice, or another console got to it first).
    #[error("journal entry {id}: cannot go from {from} to {to}")]
    BadTransition {
        id: String,
        from: String,
        to: String,
    },
}

impl StoreError {
    /// A team store that may answer later (see `Unreachable::passing`).
    pub fn may_pass(&self) -> bool {
        matches!(self, StoreError::Unreachable { passing: true, .. })
    }

    /// Short category name for logs and JSON.
    pub fn category(&self) -> &'static str {
        match self {
            StoreError::Locked { .. } => "locked",
            StoreError::Unwritable { .. } => "unwritable",
            StoreError::DiskFull { .. } => "disk-full",
            StoreError::Corrupt { .. } => "corrupt",
            StoreError::TooNew { .. } => "too-new",
            StoreError::Sqlite { .. } => "sqlite",
            StoreError::Unreachable { .. } => "unreachable",
            StoreError::Denied { .. } => "denied",
            StoreError::SchemaMismatch { .. } => "schema-mismatch",
            StoreError::Database { .. } => "database",
            StoreError::UnknownEntry(_) => "unknown-entry",
            StoreError::BadTransition { .. } => "bad-transition",
        }
    }
}
