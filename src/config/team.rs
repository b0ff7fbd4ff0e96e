//! The team store keys of the top level: `database` (the PostgreSQL URL of
//! the team store, which puts the console in team mode) and where its
//! password comes from, `database_password_env` or `database_password_cmd`
//! (at most one). A password inside the URL is refused in a file that
//! others can read, as inline secrets are. Nothing here connects.

use std::ops::Range;

use toml::Spanned;

use super::{FileAccess, Problem, SecretSource};

/// `database` and its password source, as read.
#[derive(Debug, Clone, Default)]
pub struct TeamStore {
    pub database: Option<String>,
    pub password: Option<SecretSource>,
}

/// Reads the three keys; problems go to `problems` at their place.
pub(super) fn read(
    database: Option<Spanned<String>>,
    env: Option<Spanned<String>>,
    cmd: Option<Spanned<String>>,
    access: FileAccess,
    at: impl Fn(Range<usize>) -> Option<super::Location>,
    problems: &mut Vec<Problem>,
) -> TeamStore {
    if let (Some(_), Some(cmd)) = (&env, &cmd) {
        problems.push((
            at(cmd.span()),
            "give only one of database_password_env, database_password_cmd".into(),
        ));
    }
    if let Some(url) = &database {
        let text = url.get_ref();
        if text.trim().is_empty() {
            problems.push((
                at(url.span()),
                "database is empty; expected postgres://USER@HOST:PORT/DATABASE".into(),
            ));
        } else if crate::store::postgres::url_has_password(text)
            && !matches!(access, FileAccess::Private)
        {
            problems.push((
                at(url.span()),
                "database holds a password but this file is readable by group or others \
                 (or its permissions are unknown); use database_password_env, \
                 database_password_cmd, PGPASSWORD or ~/.pgpass, or chmod 600 the file"
                    .into(),
            ));
        }
    }
    let password = match (env, cmd) {
        (Some(env), _) => Some(SecretSource::Env(env.into_inner())),
        (None, Some(cmd)) => Some(SecretSource::Command(cmd.into_inner())),
        (None, None) => None,
    };
    TeamStore {
        database: database.map(Spanned::into_inner),
        password,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{Config, ConfigError, FileAccess, KindReaders, ReadKind, SecretSource};

    struct NoKinds;

    impl KindReaders for NoKinds {
        fn reader(&self, _kind: &str) -> Option<ReadKind> {
            None
        }
        fn names(&self) -> Vec<&'static str> {
            Vec::new()
        }
    }

    fn parse(text: &str, access: FileAccess) -> Result<Config, ConfigError> {
        Config::parse(text, Some(Path::new("c.toml")), access, &NoKinds)
    }

    #[test]
    fn a_team_console_needs_only_the_database_and_where_its_password_is() {
        let c = parse(
            "database = \"postgres://anna@db.example/team?sslmode=require\"\n\
             database_password_env = \"TEAM_PW\"\n",
            FileAccess::Shared,
        )
        .expect("valid without any [[carrier]]");
        assert!(c.carriers.is_empty());
        assert_eq!(
            c.team.database.as_deref(),
            Some("postgres://anna@db.example/team?sslmode=require")
        );
        assert!(matches!(c.team.password, Some(SecretSource::Env(ref n)) if n == "TEAM_PW"));
        let c = parse(
            "database = \"postgres://anna@db/team\"\ndatabase_password_cmd = \"pass team\"\n",
            FileAccess::Shared,
        )
        .unwrap();
        assert!(matches!(c.team.password, Some(SecretSource::Command(_))));
        assert!(
            parse("", FileAccess::Shared)
                .unwrap()
                .team
                .database
                .is_none()
        );
    }

    #[test]
    fn a_password_in_the_url_only_in_a_private_file_and_one_source_at_most() {
        let text = "database = \"postgres://anna:s3cret@db/team\"\n";
        let err = parse(text, FileAccess::Shared).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("c.toml:1:12: database holds a password"),
            "{message}"
        );
        assert!(!message.contains("s3cret"), "{message}");
        assert!(parse(text, FileAccess::Private).is_ok());

        let err = parse(
            "database = \"postgres://anna@db/team\"\ndatabase_password_env = \"A\"\n\
             database_password_cmd = \"b\"\n",
            FileAccess::Private,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("3:25: give only one of database_password_env, database_password_cmd"),
            "{err}"
        );
    }
}
