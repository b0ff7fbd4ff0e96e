//! From a database URL to a connection pool: the URL (`postgres://...` or
//! libpq's `key=value` form, as tokio-postgres parses them), the password,
//! TLS, and the label that names the database in messages (user, host,
//! port and database, never the password).
//!
//! The password, first found wins: the URL's own; the one the caller
//! resolved from the config (`database_password_env` / `_cmd`, see
//! [`Password`]); `PGPASSWORD`; the password file (`PGPASSFILE` or
//! `~/.pgpass`, libpq's rules, see `pgpass`). tokio-postgres reads none of
//! these itself. None found is fine: the server may not ask (trust, peer).
//!
//! TLS: `sslmode=require` connects with rustls and checks the server's
//! certificate against the platform's roots (as our HTTP client does); a
//! private CA goes in the system store or `SSL_CERT_FILE`. Without
//! `sslmode`, or with `disable`/`prefer`, the connection is plain.
//!
//! Must not: run SQL, or log or show the password.

use std::path::PathBuf;
use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::config::{Host, SslMode};

use super::pgpass;
use crate::store::StoreError;

/// Connections a process keeps open at most.
const POOL_SIZE: usize = 8;

/// A password the caller found itself (the config's
/// `database_password_env` or `database_password_cmd`), or none.
#[derive(Clone, Default)]
pub struct Password(Option<SecretString>);

impl Password {
    /// No password from the config: the URL, `PGPASSWORD` and `~/.pgpass`
    /// are still looked at.
    pub fn none() -> Password {
        Password(None)
    }

    pub fn given(secret: SecretString) -> Password {
        Password(Some(secret))
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Password([REDACTED])"),
            None => f.write_str("Password(None)"),
        }
    }
}

/// What the lookup reads of the environment (a test gives its own).
pub(crate) struct Env {
    pub pgpassword: Option<String>,
    pub pgpassfile: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub user: Option<String>,
}

impl Env {
    pub fn process() -> Env {
        Env {
            pgpassword: std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()),
            pgpassfile: std::env::var_os("PGPASSFILE").map(PathBuf::from),
            home: std::env::var_os("HOME").map(PathBuf::from),
            user: std::env::var("USER").ok(),
        }
    }
}

/// Whether `url` holds a password (which `ps` and shell history show).
pub fn url_has_password(url: &str) -> bool {
    tokio_postgres::Config::from_str(url).is_ok_and(|c| c.get_password().is_some())
}

/// A parsed URL with its password and TLS mode settled.
pub(crate) struct Settings {
    pub config: tokio_postgres::Config,
    pub target: String,
    pub user: String,
}

/// Parses `url` and finds its password.
pub(crate) fn settings(url: &str, password: &Password, env: &Env) -> Result<Settings, StoreError> {
    let mut config = tokio_postgres::Config::from_str(url).map_err(|e| StoreError::Database {
        // The URL may hold a password: it is not repeated.
        target: "(the database URL)".into(),
        doing: "reading the database URL",
        detail: format!(
            "{e}; expected postgres://USER@HOST:PORT/DATABASE (optionally ?sslmode=require)"
        ),
    })?;
    let user = config
        .get_user()
        .map(str::to_owned)
        .or_else(|| env.user.clone())
        .unwrap_or_else(|| "postgres".into());
    config.user(&user);
    if config.get_hosts().is_empty() {
        config.host("localhost");
    }
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(dir)) => dir.display().to_string(),
        None => "localhost".into(),
    };
    let dbname = config.get_dbname().unwrap_or(&user).to_owned();
    let target = format!("postgres://{user}@{host}:{port}/{dbname}");
    if config.get_password().is_none() {
        let found = match &password.0 {
            Some(secret) => Some(secret.expose_secret().to_owned()),
            None => env.pgpassword.clone().or_else(|| {
                let file = env
                    .pgpassfile
                    .clone()
                    .or_else(|| env.home.as_ref().map(|h| h.join(".pgpass")))?;
                // A socket directory matches `localhost`, as in libpq.
                let host = match config.get_hosts().first() {
                    Some(Host::Tcp(host)) => host.as_str(),
                    _ => "localhost",
                };
                pgpass::lookup(&file, host, port, &dbname, &user)
            }),
        };
        if let Some(found) = found {
            config.password(found);
        }
    }
    Ok(Settings {
        config,
        target,
        user,
    })
}

/// The pool for `settings`, with TLS when the URL requires it.
pub(crate) fn pool(settings: Settings) -> Result<Pool, StoreError> {
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = if settings.config.get_ssl_mode() == SslMode::Require {
        let tls = tls_config().map_err(|detail| StoreError::Unreachable {
            target: settings.target.clone(),
            doing: "setting up TLS",
            detail,
            passing: false,
        })?;
        Manager::from_config(
            settings.config,
            tokio_postgres_rustls::MakeRustlsConnect::new(tls),
            manager_config,
        )
    } else {
        Manager::from_config(settings.config, tokio_postgres::NoTls, manager_config)
    };
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .build()
        .map_err(|e| StoreError::Database {
            target: settings.target,
            doing: "setting up the connection pool",
            detail: e.to_string(),
        })
}

pub(super) fn tls_config() -> Result<rustls::ClientConfig, String> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_platform_verifier()
        .map_err(|e| e.to_string())?
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pgpassword: Option<&str>, pgpassfile: Option<PathBuf>) -> Env {
        Env {
            pgpassword: pgpassword.map(str::to_owned),
            pgpassfile,
            home: None,
            user: Some("anna".into()),
        }
    }

    fn password_of(s: &Settings) -> Option<String> {
        s.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    #[test]
    fn the_url_then_the_config_then_pgpassword_then_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "db.example:5432:team:anna:from-file\n").unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        let url = "postgres://anna@db.example/team";
        let given = Password::given(SecretString::from("from-config"));

        let s = settings(
            "postgres://anna:in-url@db.example/team",
            &given,
            &env(Some("env"), Some(file.clone())),
        )
        .unwrap();
        assert_eq!(password_of(&s).as_deref(), Some("in-url"));
        let s = settings(url, &given, &env(Some("env"), Some(file.clone()))).unwrap();
        assert_eq!(password_of(&s).as_deref(), Some("from-config"));
        let s = settings(
            url,
            &Password::none(),
            &env(Some("env"), Some(file.clone())),
        )
        .unwrap();
        assert_eq!(password_of(&s).as_deref(), Some("env"));
        let s = settings(url, &Password::none(), &env(None, Some(file.clone()))).unwrap();
        assert_eq!(password_of(&s).as_deref(), Some("from-file"));
        let s = settings(url, &Password::none(), &env(None, None)).unwrap();
        assert_eq!(password_of(&s), None);
    }

    #[test]
    fn the_target_names_the_database_without_the_password() {
        let s = settings(
            "postgres://anna:secret@db.example:6543/team?sslmode=require",
            &Password::none(),
            &env(None, None),
        )
        .unwrap();
        assert_eq!(s.target, "postgres://anna@db.example:6543/team");
        assert_eq!(s.config.get_ssl_mode(), SslMode::Require);
        // No user in the URL: the login user, and the database named after it.
        let s = settings("postgres://db.example", &Password::none(), &env(None, None)).unwrap();
        assert_eq!(s.target, "postgres://anna@db.example:5432/anna");
    }

    #[test]
    fn a_bad_url_says_what_is_expected_and_does_not_repeat_it() {
        let Err(err) = settings(
            "postgres://anna:secret@db.example/team?frobnicate=1",
            &Password::none(),
            &env(None, None),
        ) else {
            panic!("an unknown option is refused");
        };
        let err = err.to_string();
        assert!(err.contains("expected postgres://USER@HOST"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn require_builds_a_tls_pool() {
        let s = settings(
            "postgres://anna@db.example/team?sslmode=require",
            &Password::none(),
            &env(None, None),
        )
        .unwrap();
        assert!(pool(s).is_ok());
    }
}
