//! The server store's conformance suite (`im_server::store::suite`) on
//! SQLite, in a temporary folder.

use std::sync::Arc;

use im_server::store::SqliteStore;
use im_server::store::suite::SuiteStore;

// The suite awaits it: other backends open asynchronously.
#[allow(clippy::unused_async)]
async fn make_store() -> SuiteStore {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = SqliteStore::open(dir.path()).expect("the store opens");
    SuiteStore {
        store: Arc::new(store),
        keep: Box::new(dir),
    }
}

im_server::server_store_suite!();
