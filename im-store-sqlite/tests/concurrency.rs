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
