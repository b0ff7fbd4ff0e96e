//! The bench's database load readings: `pg_stat_database`'s committed
//! transactions and, when the `pg_stat_statements` library is installed
//! (the tests' cluster is restarted with it preloaded), statements run and
//! the presence reads' calls and rows.

use std::time::Duration;

use crate::pg_support;

/// An idle backend reports its counters to `pg_stat_database` up to 10 s
/// late (PostgreSQL 15's PGSTAT_IDLE_INTERVAL): readings wait this long
/// after the activity they count.
pub const STATS_LAG: Duration = Duration::from_secs(11);

/// The database's counters at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// `pg_stat_database.xact_commit`.
    commits: i64,
    /// Statements run (`pg_stat_statements`, counted as each ends), the
    /// readings' own left out; `None` without the extension.
    statements: Option<i64>,
}

pub async fn load(admin: &tokio_postgres::Client, db: &str, statements: bool) -> Load {
    let row = admin
        .query_one(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = $1",
            &[&db],
        )
        .await
        .expect("pg_stat_database");
    let statements = if statements {
        admin
            .query_one(
                "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
                 WHERE query NOT LIKE '%pg_stat_%'",
                &[],
            )
            .await
            .ok()
            .map(|row| row.get(0))
    } else {
        None
    };
    Load {
        commits: row.get(0),
        statements,
    }
}

/// Transactions and statements a second during a phase of `took`, the
/// counters read before it and [`STATS_LAG`] after it.
pub fn per_second(before: Load, after: Load, took: Duration) -> (f64, Option<f64>) {
    let secs = took.as_secs_f64();
    (
        (after.commits - before.commits) as f64 / secs,
        after
            .statements
            .zip(before.statements)
            .map(|(a, b)| (a - b) as f64 / secs),
    )
}

/// Restarts the cluster with `pg_stat_statements` preloaded; whether it is
/// on. Best effort: without it the bench reports transactions only.
pub async fn statements_on(url: &str) -> bool {
    let admin = pg_support::connect(url).await;
    let installed = std::path::Path::new("/usr/lib/postgresql")
        .read_dir()
        .into_iter()
        .flatten()
        .flatten()
        .any(|v| v.path().join("lib/pg_stat_statements.so").exists());
    if !installed {
        return false;
    }
    let data: String = match admin.query_one("SHOW data_directory", &[]).await {
        Ok(row) => row.get(0),
        Err(_) => return false,
    };
    if admin
        .batch_execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        .await
        .is_err()
    {
        return false;
    }
    drop(admin);
    let bin = std::process::Command::new("sh")
        .arg("-c")
        .arg("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let owner = std::process::Command::new("stat")
        .args(["-c", "%U", &data])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let pg_ctl = format!("{bin}/pg_ctl");
    let mut restart = if owner != "root" && is_root() {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", &owner, "--", &pg_ctl]);
        c
    } else {
        std::process::Command::new(&pg_ctl)
    };
    let restarted = restart
        .args(["-D", &data, "-m", "fast", "-w", "restart"])
        .current_dir(std::env::temp_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !restarted {
        return false;
    }
    let admin = pg_support::connect(url).await;
    admin
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await
        .is_ok()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The presence reads `pg_stat_statements` counted: (calls, rows) of the
/// whole-team read and of the named-agents read.
pub async fn presence_reads(admin: &tokio_postgres::Client) -> Option<((i64, i64), (i64, i64))> {
    let rows = admin
        .query(
            "SELECT query, calls, rows FROM pg_stat_statements
             WHERE query LIKE '%FROM presence%' AND query LIKE 'SELECT%'",
            &[],
        )
        .await
        .ok()?;
    let (mut whole, mut named) = ((0, 0), (0, 0));
    for row in rows {
        let query: String = row.get(0);
        let (calls, n): (i64, i64) = (row.get(1), row.get(2));
        let into = if query.contains("ANY") {
            &mut named
        } else {
            &mut whole
        };
        into.0 += calls;
        into.1 += n;
    }
    Some((whole, named))
}
