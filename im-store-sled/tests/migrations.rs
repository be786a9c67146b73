//! The layout version: a new store is at the current version, a store of
//! a newer version is refused (never misread), and reopening keeps data.

use im_model::ConvId;
use im_store::{Conversation, ConversationStore, StoreError, WriteBatch};
use im_store_sled::{SCHEMA_VERSION, SledStore};

/// Opens the raw database, waiting for the lock a just-dropped store's
/// background thread may still hold.
fn raw(path: &std::path::Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match sled::open(path) {
            Ok(db) => return db,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("waiting for the lock: {e}");
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("cannot open {}: {e}", path.display()),
        }
    }
}

/// The raw layout version, read beside the store's own API.
fn raw_version(path: &std::path::Path) -> Option<u64> {
    let db = raw(path);
    let tree = db.open_tree("store").unwrap();
    tree.get(b"Mschema")
        .unwrap()
        .map(|v| u64::from_be_bytes(v.as_ref().try_into().unwrap()))
}

#[test]
fn test_a_new_store_is_at_the_current_version_and_reopens_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    {
        let store = SledStore::open(&path).unwrap();
        let mut batch = WriteBatch::new();
        batch.put(Conversation::new(
            ConvId::c2c("bob").unwrap(),
            1_700_000_000,
        ));
        store.apply(&batch).unwrap();
    }
    assert_eq!(raw_version(&path), Some(SCHEMA_VERSION));
    let store = SledStore::open(&path).unwrap();
    assert!(
        store
            .conversation(&ConvId::c2c("bob").unwrap())
            .unwrap()
            .is_some()
    );
}

#[test]
fn test_a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    drop(SledStore::open(&path).unwrap());
    {
        let db = raw(&path);
        let tree = db.open_tree("store").unwrap();
        tree.insert(b"Mschema", &(SCHEMA_VERSION + 1).to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let err = SledStore::open(&path).unwrap_err();
    let StoreError::Corrupt { details } = err else {
        panic!("expected Corrupt, got {err:?}");
    };
    assert_eq!(
        details,
        format!(
            "the store's layout version {} is newer than this SDK's {SCHEMA_VERSION}",
            SCHEMA_VERSION + 1
        )
    );
}

#[test]
fn test_a_store_before_any_version_is_brought_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    {
        // A tree as an interrupted first open left it: no version yet.
        let db = sled::open(&path).unwrap();
        db.open_tree("store").unwrap();
        db.flush().unwrap();
    }
    assert_eq!(raw_version(&path), None);
    let store = SledStore::open(&path).unwrap();
    assert_eq!(store.unread_total(&im_store::ConvFilter::all()).unwrap(), 0);
    drop(store);
    assert_eq!(raw_version(&path), Some(SCHEMA_VERSION));
}

/// A snapshot a crash left half-written (`snap.*.generating`) does not
/// stop the store from opening, and nothing written before is lost:
/// sled 0.34.7 would read it and refuse to open (its issues 1527, 1533),
/// which the SIGKILL test met about once in 400 kills.
#[test]
fn test_a_snapshot_left_unfinished_by_a_crash_is_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sled");
    let id = ConvId::c2c("bob").unwrap();
    {
        let store = SledStore::open(&path).unwrap();
        let mut batch = WriteBatch::new();
        batch.put(Conversation::new(id.clone(), 1_700_000_000));
        store.apply(&batch).unwrap();
    }
    // What an interrupted snapshot looks like: a newer LSN, bytes cut short.
    std::fs::write(
        path.join("snap.7FFFFFFFFFFFFFFF.generating"),
        b"half of a snapshot, no checksum",
    )
    .unwrap();
    let store = SledStore::open(&path).unwrap();
    assert!(store.conversation(&id).unwrap().is_some());
    assert!(!path.join("snap.7FFFFFFFFFFFFFFF.generating").exists());
}
