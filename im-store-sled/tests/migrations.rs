//! The layout version: a new store is at the current version, a store of
//! a newer version is refused (never misread), and reopening keeps data.

use im_model::ConvId;
use im_store::{Conversation, ConversationStore, StoreError, WriteBatch};
use im_store_sled::{SCHEMA_VERSION, SledStore, keys};

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

/// What a search of the whole store answers, for comparing a store
/// before and after its migration.
fn searches(store: &SledStore) -> Vec<(u64, Vec<String>)> {
    let mut found = Vec::new();
    for keywords in [&["会议"][..], &["meeting"], &["报"], &["项目", "re"]] {
        let query = im_store::SearchQuery {
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            match_all: false,
            senders: Vec::new(),
            elem_types: im_store::search::default_search_types(),
            conv: None,
            time_range: None,
        };
        let (total, page) = im_store::MessageStore::search_messages(store, &query, 0, 50).unwrap();
        let ids = page.into_iter().map(|(_, m)| m.msg_id.unwrap()).collect();
        found.push((total, ids));
    }
    found
}

/// Layout 1 kept a search document per row (`r`), plain JSON bodies and
/// sequence keys for every message; layout 2 keeps the documents in
/// column blocks, compresses bodies and keys groups' sequences only. A layout 1
/// store, and one whose migration a crash interrupted (some rows of each
/// block moved, the others not), open at layout 2 with the same answers
/// and sound indexes.
#[test]
fn test_a_layout_1_store_moves_its_rows_into_columns_even_after_an_interrupted_migration() {
    for interrupted in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let before = {
            let store = SledStore::open(&path).unwrap();
            im_store::conformance::bench_data::load(&store, 400, 40, 100).unwrap();
            searches(&store)
        };
        assert!(before.iter().all(|(total, _)| *total > 0), "{before:?}");
        {
            // Back to layout 1: every (or, interrupted, every odd) row's
            // document as its own entry, every body plain JSON, sequence
            // keys for C2C messages too.
            let db = raw(&path);
            let tree = db.open_tree("store").unwrap();
            let columns: Vec<_> = tree
                .scan_prefix([keys::COLUMN])
                .map(Result::unwrap)
                .collect();
            for (key, value) in columns {
                let block = keys::decode_column_key(&key).unwrap();
                let mut kept = Vec::new();
                for (place, doc) in keys::decode_column(&value).unwrap() {
                    let row = block * keys::COLUMN_ROWS + u64::from(place);
                    if interrupted && row.is_multiple_of(2) {
                        kept.push((place, doc));
                    } else {
                        tree.insert(keys::row_key(row), doc).unwrap();
                    }
                }
                if kept.is_empty() {
                    tree.remove(&key).unwrap();
                } else {
                    tree.insert(&key, keys::column_value(kept)).unwrap();
                }
            }
            let messages: Vec<_> = tree
                .scan_prefix([keys::MESSAGE])
                .map(Result::unwrap)
                .collect();
            for (key, value) in messages {
                let (conv, row, body) = keys::split_message_value(&value).unwrap();
                let json = im_store_sled::body::decode(body).unwrap().into_owned();
                assert_ne!(json, body, "layout 2 bodies are compressed");
                if !keys::has_seq_keys(&conv) {
                    let message: im_model::Message = serde_json::from_slice(&json).unwrap();
                    let pos = im_store::MessagePos::of(&message).unwrap();
                    let flags = tree.get(keys::history_key(&conv, &pos)).unwrap().unwrap();
                    tree.insert(keys::seq_key(&conv, &pos), flags).unwrap();
                }
                tree.insert(key, keys::message_value(&conv, row, &json))
                    .unwrap();
            }
            tree.insert(b"Mschema", &1u64.to_be_bytes()).unwrap();
            db.flush().unwrap();
        }
        assert_eq!(raw_version(&path), Some(1));
        let store = SledStore::open(&path).unwrap();
        assert_eq!(store.verify_indexes().unwrap(), Vec::<String>::new());
        assert_eq!(searches(&store), before, "interrupted: {interrupted}");
        drop(store);
        assert_eq!(raw_version(&path), Some(SCHEMA_VERSION));
        let db = raw(&path);
        let tree = db.open_tree("store").unwrap();
        assert_eq!(tree.scan_prefix([keys::ROW]).count(), 0);
        assert_eq!(
            tree.scan_prefix([keys::COLUMN]).count(),
            400_usize.div_ceil(keys::COLUMN_ROWS as usize)
        );
    }
}
