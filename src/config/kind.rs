//! The seam between the common config and a carrier kind's own keys: the
//! part of a `[[carrier]]` table that is not common ([`KindSection`]), which
//! the kind reads into its own struct, the settings the kind keeps
//! ([`KindSettings`]), and readers every kind may share (ids written as
//! numbers or strings, secrets from the environment or a command).
//!
//! It must not know any particular kind: the carrier registry
//! (`crate::registry`) hands [`crate::config::Config::parse`] one
//! [`ReadKind`] per kind through [`KindReaders`]. Problems keep their line
//! and column; a secret's value is never put in a message.

use std::any::Any;
use std::fmt;
use std::ops::Range;

use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::DeTable;

use super::{COMMON_CARRIER_KEYS, FileAccess, Problem, location};

/// What a carrier kind keeps from its own keys. The kind's `build` reads it
/// back with [`crate::config::CarrierConfig::settings`]. Any `Clone + Debug`
/// type qualifies; `Debug` must not print secrets (hold them as
/// [`SecretSource`]).
pub trait KindSettings: Any + fmt::Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn clone_box(&self) -> Box<dyn KindSettings>;
}

impl<T: Any + fmt::Debug + Clone + Send + Sync> KindSettings for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn clone_box(&self) -> Box<dyn KindSettings> {
        Box::new(self.clone())
    }
}

/// Reads a kind's keys of one `[[carrier]]` table: reports its problems
/// through the section and returns what the kind keeps (best effort when
/// there were problems; the config is refused then anyway).
pub type ReadKind = fn(&mut KindSection<'_, '_>) -> Box<dyn KindSettings>;

/// The kinds a config may name, and how each reads its keys.
pub trait KindReaders {
    /// The reader of `kind`'s keys; `None` when this build has no such kind.
    fn reader(&self, kind: &str) -> Option<ReadKind>;
    /// Every known kind, for the message about an unknown one.
    fn names(&self) -> Vec<&'static str>;
}

/// The keys of one `[[carrier]]` table that are not common, with their
/// places in the file, for the kind to read.
pub struct KindSection<'s, 'i> {
    pub(super) carrier: &'s str,
    pub(super) kind: &'s str,
    pub(super) keys: Option<Spanned<DeTable<'i>>>,
    pub(super) text: &'i str,
    pub(super) access: FileAccess,
    /// Where the table starts (byte offset), for problems of the whole table.
    pub(super) table_start: usize,
    pub(super) problems: &'s mut Vec<Problem>,
    /// Shape errors (unknown key, wrong type): the first one is reported alone.
    pub(super) shape: &'s mut Vec<Problem>,
}

impl KindSection<'_, '_> {
    /// The carrier instance's name.
    pub fn carrier(&self) -> &str {
        self.carrier
    }

    /// The kind's keys as `T`. Give `T` `#[serde(deny_unknown_fields)]` so a
    /// typo is refused, and `Spanned` fields for problems found later.
    /// `None` after a shape error (unknown key, wrong type), which is
    /// reported with its line and column.
    pub fn read<T: DeserializeOwned>(&mut self) -> Option<T> {
        let keys = self
            .keys
            .take()
            .unwrap_or_else(|| Spanned::new(self.table_start..self.table_start, DeTable::new()));
        match T::deserialize(toml::de::Deserializer::from(keys)) {
            Ok(value) => Some(value),
            Err(e) => {
                let at = e.span().map_or(self.table_start, |s| s.start);
                let mut message = super::values::in_words(e.message(), self.text, at);
                if message.starts_with("unknown field") {
                    // The kind's struct names only its own keys.
                    message.push_str(&format!(
                        " (or a key every carrier takes: {})",
                        COMMON_CARRIER_KEYS.join(", ")
                    ));
                }
                self.shape.push((Some(location(self.text, at)), message));
                None
            }
        }
    }

    /// A problem with the value at `span` (as `Spanned::span` gives it).
    pub fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems
            .push((Some(location(self.text, span.start)), message.into()));
    }

    /// A required key is missing: `carrier "NAME" of kind KIND needs WHAT`,
    /// at the start of the table.
    pub fn needs(&mut self, what: &str) {
        let message = format!(
            "carrier {:?} of kind {} needs {what}",
            self.carrier, self.kind
        );
        self.problems
            .push((Some(location(self.text, self.table_start)), message));
    }

    /// The secret `what` from `what` (inline), `{what}_env` or `{what}_cmd`:
    /// at most one may be given, and an inline one only in a file no one
    /// else can read.
    pub fn secret(&mut self, what: &str, keys: SecretKeys) -> Option<SecretSource> {
        let given: Vec<_> = [
            keys.inline.as_ref().map(Spanned::span),
            keys.env.as_ref().map(Spanned::span),
            keys.cmd.as_ref().map(Spanned::span),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some(second) = given.get(1) {
            self.problem(
                second.clone(),
                format!("give only one of {what}, {what}_env, {what}_cmd"),
            );
        }
        if let Some(secret) = &keys.inline {
            if !matches!(self.access, FileAccess::Private) {
                self.problem(
                    secret.span(),
                    format!(
                        "{what} is inline but this file is readable by group or others (or its permissions are unknown); \
                         use {what}_env or {what}_cmd, or chmod 600 the file"
                    ),
                );
            }
        }
        if let Some(s) = keys.inline {
            Some(SecretSource::Inline(SecretString::from(s.into_inner())))
        } else if let Some(s) = keys.env {
            Some(SecretSource::Env(s.into_inner()))
        } else {
            keys.cmd.map(|s| SecretSource::Command(s.into_inner()))
        }
    }
}

/// The three keys one secret may be given by, as a kind's struct read them.
#[derive(Debug, Default)]
pub struct SecretKeys {
    pub inline: Option<Spanned<String>>,
    pub env: Option<Spanned<String>>,
    pub cmd: Option<Spanned<String>>,
}

/// Where a secret comes from. The value itself is read when the carrier is
/// built, never kept in plain text and never printed.
#[derive(Clone)]
pub enum SecretSource {
    Env(String),
    Command(String),
    Inline(SecretString),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(name) => write!(f, "Env({name:?})"),
            SecretSource::Command(_) => f.write_str("Command([REDACTED])"),
            SecretSource::Inline(_) => f.write_str("Inline([REDACTED])"),
        }
    }
}

/// Whether a required value is missing or only blanks.
pub fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

/// Ids that people write as numbers or strings (`api_user = 1234`).
#[derive(Debug)]
pub enum StringOrInt {
    Int(i64),
    Str(String),
}

impl<'de> Deserialize<'de> for StringOrInt {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, Unexpected, Visitor};
        struct Expect;
        impl Visitor<'_> for Expect {
            type Value = StringOrInt;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id, as a whole number or in quotes, e.g. 1234 or \"1234\"")
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<StringOrInt, E> {
                Ok(StringOrInt::Int(v))
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<StringOrInt, E> {
                i64::try_from(v)
                    .map(StringOrInt::Int)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<StringOrInt, E> {
                Ok(StringOrInt::Str(v.to_owned()))
            }
        }
        deserializer.deserialize_any(Expect)
    }
}

impl StringOrInt {
    pub fn into_string(self) -> String {
        match self {
            StringOrInt::Int(i) => i.to_string(),
            StringOrInt::Str(s) => s,
        }
    }
}
