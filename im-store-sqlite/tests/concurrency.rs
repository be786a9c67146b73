//! Readers and the writer at the same time on a WAL file (the shared check
//! `im_store::conformance::concurrency`): searches and list pages keep
//! running while messages are stored, nobody gets a "database is locked"
//! error, and every read sees whole batches only.

use std::sync::Arc;

use im_store::conformance::concurrency::check_reads_during_writes;
use im_store_sqlite::SqliteStore;

#[test]
fn test_reads_run_while_the_writer_writes_and_see_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("c.db")).unwrap();
    check_reads_during_writes(Arc::new(store));
}

/// The browser's one-connection mode keeps the file to itself (OPFS gives
/// one connection and no shared memory): WAL with its index in the
/// connection's memory, and any other connection is refused while it is
/// open (its schema was written at open), then finds the writes once it
/// is closed.
#[test]
fn test_single_connection_store_holds_its_file_exclusively() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.db");
    let store = SqliteStore::open_single_connection(&path).unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    let refused = other
        .query_row("SELECT COUNT(*) FROM conversations", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert_eq!(
        refused.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy),
        "{refused}"
    );
    drop(store);
    let mode: String = other
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let count: i64 = other
        .query_row("SELECT COUNT(*) FROM conversations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
}
