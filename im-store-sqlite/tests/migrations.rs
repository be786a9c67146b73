//! Schema migrations: versioning, refusal of newer databases, and a
//! migrated schema equal to a fresh one.

use im_store::{ConversationStore, StoreError};
use im_store_sqlite::{SCHEMA_VERSION, SqliteStore, migrate};
use rusqlite::Connection;

fn schema(conn: &Connection) -> Vec<String> {
    let mut st = conn
        .prepare("SELECT type, name, IFNULL(sql, '') FROM sqlite_master ORDER BY type, name")
        .unwrap();
    st.query_map([], |r| {
        Ok(format!(
            "{} {} {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn version(conn: &Connection) -> u32 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn test_fresh_database_is_at_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    assert_eq!(version(&conn), SCHEMA_VERSION);
    // Reopening runs no step again and keeps the data.
    let store = SqliteStore::open(&path).unwrap();
    assert!(store.conversation_groups().unwrap().is_empty());
}

#[test]
fn test_step_by_step_migration_equals_a_fresh_schema() {
    let mut stepwise = Connection::open_in_memory().unwrap();
    for v in 0..=SCHEMA_VERSION {
        migrate(&mut stepwise, Some(v)).unwrap();
        assert_eq!(version(&stepwise), v);
    }
    let mut fresh = Connection::open_in_memory().unwrap();
    migrate(&mut fresh, None).unwrap();
    assert_eq!(schema(&stepwise), schema(&fresh));
    // Running the migrations again is a no-op.
    migrate(&mut fresh, None).unwrap();
    assert_eq!(schema(&stepwise), schema(&fresh));
}

#[test]
fn test_a_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x INTEGER); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::UnsupportedSchemaVersion { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the file was changed"
    );
}
