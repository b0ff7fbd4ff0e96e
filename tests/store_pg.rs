//! The team store on a real PostgreSQL (see `pg_support`): the harness
//! itself, the schema and roles `db init` creates, and what each role may do.
//! The cases every store passes are in `store_conformance.rs`.

mod pg_support;

#[tokio::test]
async fn the_harness_gives_each_test_a_fresh_database() {
    let Some(a) = pg_support::fresh_db().await else {
        return;
    };
    let Some(b) = pg_support::fresh_db().await else {
        return;
    };
    assert_ne!(a.name, b.name);
    let client = a.admin().await;
    client
        .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (7)")
        .await
        .unwrap();
    let row = client
        .query_one("SELECT sum(x)::int FROM t", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 7);
    // The other database is empty: the table is this test's alone.
    let other = b.admin().await;
    let found = other
        .query_one("SELECT count(*) FROM pg_tables WHERE tablename = 't'", &[])
        .await
        .unwrap();
    assert_eq!(found.get::<_, i64>(0), 0);
}
