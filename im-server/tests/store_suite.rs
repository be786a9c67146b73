//! The server store's conformance suite (`im_server::store::suite`), run
//! against both backends: SQLite in a temporary folder, and PostgreSQL
//! (a throwaway cluster, a new database per test; see `support/pg.rs`).

#[path = "support/pg.rs"]
mod pg;

mod sqlite {
    use std::sync::Arc;

    use im_server::store::SqliteStore;
    use im_server::store::suite::SuiteStore;

    // The suite awaits it: the other backend opens asynchronously.
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
}

mod postgres {
    use std::sync::Arc;

    use im_server::store::PostgresStore;
    use im_server::store::suite::SuiteStore;

    async fn make_store() -> SuiteStore {
        let url = super::pg::cluster().database();
        let store = PostgresStore::open(&url, 8).await.expect("the store opens");
        SuiteStore {
            store: Arc::new(store),
            keep: Box::new(()),
        }
    }

    im_server::server_store_suite!();
}
