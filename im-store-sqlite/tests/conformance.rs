//! The whole store conformance suite (including the differential property
//! test against `MemoryStore`), on an in-memory database and on a file
//! database in WAL mode, and on a file through one connection (the
//! browser's mode).

mod in_memory {
    fn make_store() -> im_store_sqlite::SqliteStore {
        im_store_sqlite::SqliteStore::open_in_memory().expect("in-memory database")
    }

    im_store::store_conformance_tests!();
}

mod file_wal {
    use std::sync::OnceLock;

    /// Each store gets its own file in one temporary directory that lives
    /// for the whole test process.
    fn make_store() -> im_store_sqlite::SqliteStore {
        static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory"));
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        im_store_sqlite::SqliteStore::open(dir.path().join(format!("store-{n}.db")))
            .expect("file database")
    }

    im_store::store_conformance_tests!();
}

/// The browser's mode (one exclusive connection, WAL in its own memory),
/// on a native file.
mod file_single_connection {
    use std::sync::OnceLock;

    fn make_store() -> im_store_sqlite::SqliteStore {
        static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory"));
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        im_store_sqlite::SqliteStore::open_single_connection(
            dir.path().join(format!("store-{n}.db")),
        )
        .expect("file database")
    }

    im_store::store_conformance_tests!();
}
