//! Where an SQLite failure happened (the file and the busy timeout in
//! force), and the mapping from SQLite's result codes and file-system errors
//! to [`StoreError`] categories. Must not decide policy.

use std::io;

use rusqlite::ErrorCode;

use crate::store::StoreError;

/// Where an error happened: the file and the busy timeout in force.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub path: String,
    pub timeout_ms: u64,
}

impl Place {
    /// Classifies an SQLite error.
    pub fn sql(&self, doing: &'static str, err: rusqlite::Error) -> StoreError {
        let path = self.path.clone();
        let detail = err.to_string();
        let code = match &err {
            rusqlite::Error::SqliteFailure(e, _) => Some(e.code),
            _ => None,
        };
        match code {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Locked {
                path,
                doing,
                timeout_ms: self.timeout_ms,
            },
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path, doing },
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt { path, detail }
            }
            Some(ErrorCode::ReadOnly)
            | Some(ErrorCode::PermissionDenied)
            | Some(ErrorCode::CannotOpen) => StoreError::Unwritable {
                path,
                doing,
                detail,
            },
            _ => StoreError::Sqlite {
                path,
                doing,
                detail,
            },
        }
    }

    /// Classifies a file-system error (creating the directory).
    pub fn io(&self, doing: &'static str, err: &io::Error) -> StoreError {
        let path = self.path.clone();
        if err.kind() == io::ErrorKind::StorageFull {
            return StoreError::DiskFull { path, doing };
        }
        StoreError::Unwritable {
            path,
            doing,
            detail: err.to_string(),
        }
    }
}
