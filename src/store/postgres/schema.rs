//! The team store's schema, its ordered migrations and its roles: what
//! `orderdesk db init --database URL` does ([`init`]). Owns the SQL that
//! creates and changes tables and grants; it must not read or write rows
//! other than the version row.
//!
//! Rules, as in the SQLite store:
//! - Migration N (1-based) takes version N-1 to N. [`init`] applies the
//!   missing ones, sets the version and (re)grants the roles in one
//!   transaction under an advisory lock, so a crash leaves the previous
//!   version intact and two `db init` at once do the work once.
//! - A released migration is never edited; a change is a new migration.
//! - A newer version than [`SCHEMA_VERSION`] is refused and left
//!   untouched; so is a database with an `orders` table but no version.
//! - Running `init` again is harmless: nothing to migrate, the roles exist,
//!   the grants are granted again.
//!
//! The tables mirror the SQLite store's (orders with their summary,
//! raw bodies, sync state, notes, flags, the journal), plus `presence`
//! (which order each agent has open, for the consoles that follow the team
//! store). The SQLite store's FTS5 index becomes a column: `orders.words`
//! holds the order's searchable text folded and split into words (see
//! `text`), and a search is one `LIKE` per word on it, a scan of the
//! table (tens of milliseconds for 100k orders; a trigram index would need
//! the `pg_trgm` extension, which a team's database may not have).
//!
//! From v2 every change to a row a console shows is announced on the
//! channel [`CHANNEL`] by triggers (see [`V2`] and `notify`), so consoles
//! follow the daemon and each other without polling the database.
//!
//! The roles are `NOLOGIN` groups an administrator grants to people's own
//! logins (`GRANT orderdesk_agent TO anna`) or gives a login to:
//! - `orderdesk_sync`, the daemon: reads and writes everything;
//! - `orderdesk_agent`, a console: reads everything, adds notes, sets and
//!   clears flags and its presence, and adds journal requests (but does not
//!   move them: the daemon executes writes);
//! - `orderdesk_viewer`, a wallboard or read-only console: reads only.
//!
//! The database enforces them, whatever the program connecting does. The
//! tables' owner (whoever runs `db init`) has every right: consoles must
//! not log in as that owner.

use deadpool_postgres::GenericClient;

use super::{Password, PgStore, Place};
use crate::store::StoreError;

/// v1: the tables of the SQLite store at its v4, and presence. Times are
/// RFC 3339 text (see the parent module), compared and sorted bytewise
/// (`COLLATE "C"`), so text order is time order whatever the database's
/// collation.
const V1: &str = r#"
CREATE TABLE orders (
    pos        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    carrier    text NOT NULL,
    id         text NOT NULL,
    kind       text NOT NULL,
    terminal   boolean NOT NULL,
    changed_at text COLLATE "C",
    saved_at   text COLLATE "C" NOT NULL,
    body       bytea NOT NULL,
    summary    bytea NOT NULL,
    words      text NOT NULL,
    PRIMARY KEY (carrier, id)
);
CREATE INDEX orders_terminal_age ON orders (coalesce(changed_at, saved_at)) WHERE terminal;
CREATE TABLE order_raw (
    carrier text NOT NULL,
    id      text NOT NULL,
    raw     text NOT NULL,
    PRIMARY KEY (carrier, id),
    FOREIGN KEY (carrier, id) REFERENCES orders (carrier, id) ON DELETE CASCADE
);
CREATE TABLE sync_state (
    carrier   text PRIMARY KEY,
    cursor    text,
    last_sync text COLLATE "C"
);
CREATE TABLE notes (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier  text NOT NULL,
    order_id text NOT NULL,
    author   text NOT NULL,
    at       text COLLATE "C" NOT NULL,
    text     text NOT NULL
);
CREATE INDEX notes_order ON notes (carrier, order_id);
CREATE TABLE flags (
    carrier  text NOT NULL,
    order_id text NOT NULL,
    author   text NOT NULL,
    at       text COLLATE "C" NOT NULL,
    PRIMARY KEY (carrier, order_id)
);
CREATE TABLE journal (
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id          text PRIMARY KEY,
    session     text NOT NULL,
    author      text NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    carrier     text NOT NULL,
    order_id    text NOT NULL,
    kind        text NOT NULL,
    action      text NOT NULL,
    request     text NOT NULL,
    state       text NOT NULL
        CHECK (state IN ('recorded', 'sending', 'confirmed', 'refused', 'failed', 'unknown')),
    sends       integer NOT NULL DEFAULT 0,
    code        text,
    outcome     text,
    receipt     text,
    updated_at  text COLLATE "C" NOT NULL,
    resolved_at text COLLATE "C"
);
CREATE INDEX journal_created ON journal (created_at);
CREATE INDEX journal_order ON journal (carrier, order_id);
CREATE INDEX journal_unresolved ON journal (state)
    WHERE state IN ('recorded', 'sending', 'unknown');
CREATE TABLE presence (
    agent    text PRIMARY KEY,
    carrier  text,
    order_id text,
    dialog   text,
    seen_at  text COLLATE "C" NOT NULL
);
"#;

/// v2: what the consoles that follow the team store need. Every change to
/// a row they show is announced on the channel [`CHANNEL`] by a trigger,
/// whoever makes it (the daemon, a console, an administrator's psql), as a
/// small JSON payload naming the row (see `notify::Change`); the
/// listener reads the row itself. And `carrier_health`, the daemon's
/// report on each carrier (the chip a solo console computes itself).
const V2: &str = r#"
CREATE TABLE carrier_health (
    carrier    text PRIMARY KEY,
    kind       text NOT NULL,
    ok         boolean NOT NULL,
    detail     text,
    checked_at text COLLATE "C" NOT NULL,
    next_poll  text COLLATE "C",
    poller     text
);
CREATE FUNCTION orderdesk_notify_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM pg_notify('orderdesk_changes', json_build_object(
        'table', TG_TABLE_NAME, 'carrier', r.carrier, 'id', r.id)::text);
    RETURN NULL;
END $$;
CREATE FUNCTION orderdesk_notify_local() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM pg_notify('orderdesk_changes', json_build_object(
        'table', TG_TABLE_NAME, 'carrier', r.carrier, 'id', r.order_id)::text);
    RETURN NULL;
END $$;
CREATE FUNCTION orderdesk_notify_journal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('orderdesk_changes', json_build_object(
        'table', 'journal', 'carrier', NEW.carrier, 'id', NEW.order_id,
        'entry', NEW.id, 'state', NEW.state)::text);
    RETURN NULL;
END $$;
CREATE FUNCTION orderdesk_notify_presence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM pg_notify('orderdesk_changes', json_build_object(
        'table', 'presence', 'agent', r.agent, 'carrier', r.carrier, 'id', r.order_id)::text);
    RETURN NULL;
END $$;
CREATE FUNCTION orderdesk_notify_health() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('orderdesk_changes', json_build_object(
        'table', 'carrier_health', 'carrier', NEW.carrier)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER orders_changed AFTER INSERT OR UPDATE OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION orderdesk_notify_order();
CREATE TRIGGER notes_changed AFTER INSERT OR UPDATE OR DELETE ON notes
    FOR EACH ROW EXECUTE FUNCTION orderdesk_notify_local();
CREATE TRIGGER flags_changed AFTER INSERT OR UPDATE OR DELETE ON flags
    FOR EACH ROW EXECUTE FUNCTION orderdesk_notify_local();
CREATE TRIGGER journal_changed AFTER INSERT OR UPDATE ON journal
    FOR EACH ROW EXECUTE FUNCTION orderdesk_notify_journal();
CREATE TRIGGER presence_changed AFTER INSERT OR UPDATE OR DELETE ON presence
    FOR EACH ROW EXECUTE FUNCTION orderdesk_notify_presence();
CREATE TRIGGER health_changed AFTER INSERT OR UPDATE ON carrier_health
    FOR EACH ROW EXECUTE FUNCTION orderdesk_notify_health();
"#;

/// The channel every change is announced on (see [`V2`]).
pub const CHANNEL: &str = "orderdesk_changes";

/// Migrations in order; index + 1 is the version each one produces.
const MIGRATIONS: &[&str] = &[V1, V2];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Every table, for the grants.
const TABLES: &str = "orderdesk_schema, orders, order_raw, sync_state, notes, flags, journal, \
     presence, carrier_health";

/// The roles and what each may do; run on every `init` (idempotent). Two
/// `init`s on databases of one cluster may create a role at the same time:
/// the loser's duplicate is ignored.
fn grants() -> String {
    let mut sql = String::new();
    for role in ["orderdesk_sync", "orderdesk_agent", "orderdesk_viewer"] {
        sql.push_str(&format!(
            "DO $$ BEGIN CREATE ROLE {role} NOLOGIN;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
             GRANT USAGE ON SCHEMA public TO {role};
             GRANT SELECT ON {TABLES} TO {role};\n"
        ));
    }
    sql.push_str(&format!(
        "GRANT INSERT, UPDATE, DELETE ON {TABLES} TO orderdesk_sync;
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO orderdesk_sync;
         GRANT INSERT ON notes, journal TO orderdesk_agent;
         GRANT INSERT, UPDATE, DELETE ON flags, presence TO orderdesk_agent;
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO orderdesk_agent;\n"
    ));
    sql
}

/// Serializes `init`s on one database (any constant; "odschema").
const INIT_LOCK: i64 = 0x6f64_7363_6865_6d61;

/// What [`init`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    /// The database, without the password.
    pub target: String,
    /// The version found (0: a new database).
    pub from: u32,
    /// The version now ([`SCHEMA_VERSION`]).
    pub to: u32,
}

/// The schema version of the database (0 when it has none yet).
pub(crate) async fn version(client: &impl GenericClient, place: &Place) -> Result<u32, StoreError> {
    let doing = "reading the schema version";
    // Asked first: a failed query would abort the caller's transaction.
    let exists: bool = client
        .query_one("SELECT to_regclass('orderdesk_schema') IS NOT NULL", &[])
        .await
        .map_err(|e| place.pg(doing, &e))?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT version FROM orderdesk_schema", &[])
        .await
        .map_err(|e| place.pg(doing, &e))?;
    Ok(row.map_or(0, |r| u32::try_from(r.get::<_, i32>(0)).unwrap_or(0)))
}

/// Creates or migrates the schema of the database at `url` and creates
/// the roles with their grants (see the module docs). Needs a login that
/// may create tables and roles.
pub async fn init(url: &str, password: &Password) -> Result<InitReport, StoreError> {
    let store = PgStore::connect(url, password)?;
    let place = &store.place;
    let doing = "creating the schema";
    let mut client = store.client(doing).await?;
    let tx = client
        .transaction()
        .await
        .map_err(|e| place.pg(doing, &e))?;
    tx.query("SELECT pg_advisory_xact_lock($1)", &[&INIT_LOCK])
        .await
        .map_err(|e| place.pg(doing, &e))?;
    let found = version(&tx, place).await?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaMismatch {
            target: place.target.clone(),
            found,
            supported: SCHEMA_VERSION,
            hint: "upgrade orderdesk",
        });
    }
    if found == 0 {
        let foreign: bool = tx
            .query_one("SELECT to_regclass('orders') IS NOT NULL", &[])
            .await
            .map_err(|e| place.pg(doing, &e))?
            .get(0);
        if foreign {
            return Err(StoreError::Database {
                target: place.target.clone(),
                doing,
                detail: "it has an `orders` table but no orderdesk schema version, so it is not \
                         an orderdesk database; it was left untouched: use another database"
                    .into(),
            });
        }
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS orderdesk_schema (
                 one     boolean PRIMARY KEY DEFAULT true CHECK (one),
                 version integer NOT NULL
             )",
        )
        .await
        .map_err(|e| place.pg(doing, &e))?;
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(migration)
            .await
            .map_err(|e| place.pg("migrating the schema", &e))?;
        tracing::info!(target = %place.target, version = index + 1, "team store schema migrated");
    }
    let to = i32::try_from(SCHEMA_VERSION).unwrap_or(i32::MAX);
    tx.execute(
        "INSERT INTO orderdesk_schema (version) VALUES ($1)
         ON CONFLICT (one) DO UPDATE SET version = excluded.version",
        &[&to],
    )
    .await
    .map_err(|e| place.pg(doing, &e))?;
    tx.batch_execute(&grants())
        .await
        .map_err(|e| place.pg("creating the roles", &e))?;
    tx.commit().await.map_err(|e| place.pg(doing, &e))?;
    Ok(InitReport {
        target: place.target.clone(),
        from: found,
        to: SCHEMA_VERSION,
    })
}
