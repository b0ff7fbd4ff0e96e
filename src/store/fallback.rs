//! Where notes and flags go when the store is off: [`FallbackNotes`], a
//! plain append-only text file (`notes-and-flags.txt` in the state dir,
//! created 0600 in a 0700 directory) that a person can read after the
//! session. Each note or flag is appended (and flushed to the disk) before
//! it is reported kept; what this session kept is also held in memory so
//! the console shows it until it quits. The file is never read back,
//! rewritten or truncated.
//!
//! Must not: hold orders, the journal or anything a carrier sent; decide
//! whether a note may be kept (the console asks [`FallbackNotes::open`] and
//! says what it answered).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};

use super::{LocalStore, StoreError};
use crate::domain::{Flag, Note, OrderKey, sanitize, sanitize_multiline};

/// The fallback file's name inside the state dir.
pub const FILE_NAME: &str = "notes-and-flags.txt";

/// Notes and flags appended to a plain text file (see the module docs).
#[derive(Debug)]
pub struct FallbackNotes {
    path: PathBuf,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    file: File,
    next_id: i64,
    notes: HashMap<OrderKey, Vec<Note>>,
    flags: HashMap<OrderKey, Flag>,
}

impl FallbackNotes {
    /// Opens (creating as needed, private) [`FILE_NAME`] in `dir` for
    /// appending. `Err` says in the user's words why nothing can be kept
    /// there.
    pub fn open(dir: &Path) -> Result<FallbackNotes, String> {
        super::sqlite::create_private_dir(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(FILE_NAME);
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if !meta.is_file() {
            return Err(format!("{} is not a regular file", path.display()));
        }
        // Created under a umask that let others read it: make it private.
        #[cfg(unix)]
        if std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 != 0 {
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .map_err(|e| format!("cannot make {} private: {e}", path.display()))?;
        }
        Ok(FallbackNotes {
            path,
            inner: Mutex::new(Inner {
                file,
                next_id: 1,
                notes: HashMap::new(),
                flags: HashMap::new(),
            }),
        })
    }

    /// The file notes and flags are appended to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends one record and flushes it to the disk.
    fn append(
        &self,
        inner: &mut Inner,
        doing: &'static str,
        record: &str,
    ) -> Result<(), StoreError> {
        let fail = |e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::StorageFull {
                StoreError::DiskFull {
                    path: self.path.display().to_string(),
                    doing,
                }
            } else {
                StoreError::Unwritable {
                    path: self.path.display().to_string(),
                    doing,
                    detail: e.to_string(),
                }
            }
        };
        inner.file.write_all(record.as_bytes()).map_err(fail)?;
        inner.file.sync_data().map_err(fail)
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A note's record: a header line, then the text with every line indented
/// by two spaces, then an empty line.
fn note_record(note: &Note) -> String {
    let mut out = format!("{} note {} by {}\n", stamp(note.at), note.key, note.author);
    for line in note.text.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out
}

#[async_trait]
impl LocalStore for FallbackNotes {
    async fn add_note(
        &self,
        key: &OrderKey,
        author: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Note, StoreError> {
        let mut inner = self.lock();
        let note = Note {
            id: inner.next_id,
            key: key.clone(),
            author: sanitize(author),
            at,
            text: sanitize_multiline(text),
        };
        self.append(&mut inner, "keeping a note", &note_record(&note))?;
        inner.next_id += 1;
        inner
            .notes
            .entry(key.clone())
            .or_default()
            .push(note.clone());
        Ok(note)
    }

    async fn notes(&self, key: &OrderKey) -> Result<Vec<Note>, StoreError> {
        Ok(self.lock().notes.get(key).cloned().unwrap_or_default())
    }

    async fn all_notes(&self) -> Result<HashMap<OrderKey, Vec<Note>>, StoreError> {
        Ok(self.lock().notes.clone())
    }

    async fn set_flag(
        &self,
        key: &OrderKey,
        flagged: bool,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let author = sanitize(author);
        let what = if flagged {
            "flagged for follow-up"
        } else {
            "follow-up flag cleared"
        };
        let record = format!("{} {what} {key} by {author}\n\n", stamp(at));
        self.append(&mut inner, "keeping a flag", &record)?;
        if flagged {
            inner.flags.insert(key.clone(), Flag { author, at });
        } else {
            inner.flags.remove(key);
        }
        Ok(())
    }

    async fn flags(&self) -> Result<HashMap<OrderKey, Flag>, StoreError> {
        Ok(self.lock().flags.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn notes_and_flags_are_appended_and_read_back_this_session() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("state");
        let store = FallbackNotes::open(&dir).expect("opens");
        let key = OrderKey::new("tg", "19530");
        let at = DateTime::parse_from_rfc3339("2026-03-02T11:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let note = store
            .add_note(&key, "agent", "called\nno answer\u{1b}[2J", at)
            .await
            .expect("kept");
        assert_eq!(note.text, "called\nno answer");
        store.set_flag(&key, true, "agent", at).await.expect("kept");
        let text = std::fs::read_to_string(dir.join(FILE_NAME)).expect("the file");
        assert_eq!(
            text,
            "2026-03-02T11:00:00Z note tg/19530 by agent\n  called\n  no answer\n\n\
             2026-03-02T11:00:00Z flagged for follow-up tg/19530 by agent\n\n"
        );
        assert_eq!(store.notes(&key).await.expect("notes"), vec![note]);
        assert!(store.flags().await.expect("flags").contains_key(&key));
        // A second session appends after the first.
        drop(store);
        let again = FallbackNotes::open(&dir).expect("opens again");
        again
            .set_flag(&key, false, "agent", at)
            .await
            .expect("kept");
        let text = std::fs::read_to_string(dir.join(FILE_NAME)).expect("the file");
        assert!(
            text.starts_with("2026-03-02T11:00:00Z note tg/19530"),
            "{text}"
        );
        assert!(
            text.ends_with("follow-up flag cleared tg/19530 by agent\n\n"),
            "{text}"
        );
    }

    #[test]
    fn a_directory_in_place_of_the_file_is_refused() {
        let base = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(base.path().join(FILE_NAME)).expect("mkdir");
        let e = FallbackNotes::open(base.path()).expect_err("not a file");
        assert!(e.contains(FILE_NAME), "{e}");
    }
}
