//! A throwaway PostgreSQL for the tests of the team store: one cluster per
//! test binary, started on first use in a temporary directory and stopped
//! and deleted when the binary exits, and a fresh database per test.
//!
//! - The server binaries are found through `$PG_BIN`, `pg_config --bindir`,
//!   `initdb` on `PATH`, then `/usr/lib/postgresql/<newest>/bin` (Debian).
//! - `initdb` refuses to run as root (CI runs as root): then the cluster's
//!   directory is given to the `postgres` system user (or `nobody`) and the
//!   server programs run through `runuser -u USER --`.
//! - The server listens on 127.0.0.1 on a free port, its unix socket in
//!   the temporary directory; local (socket) logins are trusted, TCP logins
//!   need a password (scram-sha-256), so the tests go through the same
//!   password path as a real team.
//! - Not installed: with `CI` unset the tests say why and skip (they pass
//!   without checking anything); with `CI` set that is a failure. Installed
//!   but failing to start is always a failure.
//! - Cleanup: an `atexit` hook stops the server (`pg_ctl stop -m immediate`)
//!   and deletes the directory when the binary ends; a watchdog process does
//!   the same if the binary is killed instead.
//!
//! Must not: touch any cluster but its own, or leave a server running.
#![allow(dead_code)]

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The superuser's password of the test clusters (TCP logins need one).
pub const SUPERUSER_PASSWORD: &str = "test-superuser-pw";

/// A running cluster.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    /// The server's options (`pg_ctl -o`), to start it again the same way.
    options: String,
    pub port: u16,
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A command running a server program as the cluster's owner.
    /// (In the temporary directory: the unprivileged user may not enter
    /// the test's own working directory.)
    fn command(bin: &Path, run_as: Option<&str>, program: &str) -> Command {
        let mut c = match run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(bin.join(program));
                c
            }
            None => Command::new(bin.join(program)),
        };
        c.current_dir(std::env::temp_dir());
        c
    }

    fn stop(&self) {
        let _ = Cluster::command(&self.bin, self.run_as.as_deref(), "pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Stops the server as an administrator would (`pg_ctl stop -m fast`):
    /// every connection is cut. The cluster stays; see [`Cluster::start_again`].
    pub fn stop_for_now(&self) {
        let mut pg_ctl = Cluster::command(&self.bin, self.run_as.as_deref(), "pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "stop"]);
        run(pg_ctl, "pg_ctl stop").unwrap_or_else(|e| panic!("{e}"));
    }

    /// Starts the stopped server again on the same port.
    pub fn start_again(&self) {
        run(self.pg_ctl_start(), "pg_ctl start").unwrap_or_else(|e| panic!("{e}"));
    }

    fn pg_ctl_start(&self) -> Command {
        let mut pg_ctl = Cluster::command(&self.bin, self.run_as.as_deref(), "pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-t", "60", "-l"])
            .arg(self.dir.join("server.log"))
            .arg("-o")
            .arg(&self.options)
            .arg("start");
        pg_ctl
    }

    /// The URL of `database` as the superuser, over TCP with a password.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Why there is no cluster: not installed (skip) or broken (fail).
#[derive(Debug, Clone)]
enum Missing {
    NotInstalled(String),
    Broken(String),
}

static CLUSTER: OnceLock<Result<Cluster, Missing>> = OnceLock::new();

extern "C" fn stop_at_exit() {
    if let Some(Ok(cluster)) = CLUSTER.get() {
        cluster.stop();
    }
}

/// The binaries' directory, if PostgreSQL is installed.
fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        // Set but without initdb: not installed there (how the skip is tried).
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| d.join("initdb").exists()) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// The unprivileged user to run the server as when we are root.
fn system_user() -> Result<Option<(String, u32, u32)>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        let cname = std::ffi::CString::new(name).map_err(|e| e.to_string())?;
        // SAFETY: a valid C string; the result is read at once, before any
        // other getpw* call.
        let pw = unsafe { libc::getpwnam(cname.as_ptr()) };
        if !pw.is_null() {
            // SAFETY: non-null pointer returned by getpwnam.
            let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
            return Ok(Some((name.to_owned(), uid, gid)));
        }
    }
    Err("running as root and neither a `postgres` nor a `nobody` user exists to run initdb".into())
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn start() -> Result<Cluster, Missing> {
    let Some(bin) = find_bin() else {
        return Err(Missing::NotInstalled(
            "PostgreSQL is not installed (no initdb in $PG_BIN, pg_config --bindir, PATH or \
             /usr/lib/postgresql/*/bin); install the `postgresql` package to run these tests"
                .into(),
        ));
    };
    start_in(bin).map_err(Missing::Broken)
}

fn start_in(bin: PathBuf) -> Result<Cluster, String> {
    let owner = system_user()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("od-pg-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let pwfile = dir.join("pwfile");
    std::fs::write(&pwfile, SUPERUSER_PASSWORD).map_err(|e| e.to_string())?;
    if let Some((_, uid, gid)) = &owner {
        for path in [&dir, &pwfile] {
            std::os::unix::fs::chown(path, Some(*uid), Some(*gid))
                .map_err(|e| format!("chown {}: {e}", path.display()))?;
        }
    }
    let run_as = owner.map(|(name, ..)| name);
    let mut cluster = Cluster {
        dir: dir.clone(),
        bin: bin.clone(),
        run_as: run_as.clone(),
        options: String::new(),
        port: 0,
    };
    // The watchdog: if this binary is killed, stop the server and delete
    // the directory. Its own process group, so Ctrl-C does not take it.
    let pid = std::process::id();
    let pg_ctl = match &run_as {
        Some(user) => format!("runuser -u {user} -- '{}'", bin.join("pg_ctl").display()),
        None => format!("'{}'", bin.join("pg_ctl").display()),
    };
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             {pg_ctl} -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            data = cluster.data().display(),
            dir = dir.display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();

    let mut initdb = Cluster::command(&bin, run_as.as_deref(), "initdb");
    initdb
        .arg("-D")
        .arg(cluster.data())
        .args([
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
        ])
        .arg(format!("--pwfile={}", pwfile.display()));
    run(initdb, "initdb")?;

    // A port found free may be taken before the server binds it: try again.
    let mut last = String::new();
    for _ in 0..3 {
        let port = free_port()?;
        cluster.options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        let pg_ctl = cluster.pg_ctl_start();
        match run(pg_ctl, "pg_ctl start") {
            Ok(()) => {
                cluster.port = port;
                return Ok(cluster);
            }
            Err(e) => {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                last = format!("{e}\n{log}");
            }
        }
    }
    Err(last)
}

/// The test binary's cluster: `None` when PostgreSQL is not installed and
/// `CI` is unset (the reason is printed); a panic when `CI` is set or the
/// server does not start.
pub fn cluster() -> Option<&'static Cluster> {
    let started = CLUSTER.get_or_init(|| {
        let result = start();
        if result.is_ok() {
            // SAFETY: registering a plain extern "C" function.
            unsafe { libc::atexit(stop_at_exit) };
        }
        result
    });
    match started {
        Ok(cluster) => Some(cluster),
        Err(Missing::NotInstalled(why)) if std::env::var_os("CI").is_none() => {
            // Once per binary, and past the test harness's capture (which
            // would hide it for a passing test).
            static SAID: AtomicBool = AtomicBool::new(false);
            if !SAID.swap(true, Ordering::Relaxed) {
                let _ = writeln!(
                    std::io::stderr(),
                    "\nPostgreSQL tests skipped (they pass without checking anything): {why}"
                );
            }
            None
        }
        Err(Missing::NotInstalled(why)) => panic!("CI is set and {why}"),
        Err(Missing::Broken(why)) => panic!("the test PostgreSQL did not start: {why}"),
    }
}

/// A fresh, empty database on the binary's cluster.
#[derive(Debug, Clone)]
pub struct TestDb {
    pub name: String,
    pub port: u16,
    /// The superuser's URL of this database (password included).
    pub url: String,
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// Connects to `url` and drives the connection on a task.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to the test cluster: {e}"));
    tokio::spawn(connection);
    client
}

/// A fresh database for one test, `None` (skip) when PostgreSQL is not
/// installed and `CI` is unset.
pub async fn fresh_db() -> Option<TestDb> {
    let cluster = cluster()?;
    let name = format!(
        "od_test_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let admin = connect(&cluster.url("postgres")).await;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("creating the test database {name}: {e}"));
    Some(TestDb {
        url: cluster.url(&name),
        port: cluster.port,
        name,
    })
}

impl TestDb {
    /// A superuser connection to this database.
    pub async fn admin(&self) -> tokio_postgres::Client {
        connect(&self.url).await
    }

    /// Creates a login `user` with `password`, member of `role`, and
    /// returns its URL of this database (without the password).
    pub async fn login(&self, user: &str, password: &str, role: &str) -> String {
        let admin = self.admin().await;
        admin
            .batch_execute(&format!(
                "CREATE ROLE {user} LOGIN PASSWORD '{password}'; GRANT {role} TO {user};"
            ))
            .await
            .unwrap_or_else(|e| panic!("creating the login {user}: {e}"));
        format!("postgres://{user}@127.0.0.1:{}/{}", self.port, self.name)
    }

    /// A login name unique to this database (roles are cluster-wide).
    pub fn user(&self, name: &str) -> String {
        format!("{name}_{}", self.name)
    }
}
