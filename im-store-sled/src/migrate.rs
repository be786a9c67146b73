//! The layout version and its migration chain.
//!
//! `M/schema` holds the version of the key layout. Opening a store runs
//! every step after the stored version, each as one atomic batch that also
//! records its version, so a crash between steps resumes at the next one.
//! A store written by a newer version is refused rather than misread.

use im_store::{StoreError, StoreResult};

use crate::write::Columns;
use crate::{SledStore, keys, read};

/// The layout this version writes.
pub const SCHEMA_VERSION: u64 = 2;

/// One step: what it adds to a batch to bring the previous layout to its
/// version.
type Step = fn(&SledStore, &mut sled::Batch) -> StoreResult<()>;

/// Step `n` (from 1) brings version `n - 1` to `n`.
const STEPS: &[Step] = &[initial_layout, rows_into_columns];

/// Version 1: the counters start at zero (an empty store has no records).
fn initial_layout(_: &SledStore, batch: &mut sled::Batch) -> StoreResult<()> {
    batch.insert(keys::meta(keys::UNREAD), &keys::u64_value(0));
    batch.insert(keys::meta(keys::ROWS), &keys::u64_value(0));
    Ok(())
}

/// Rows moved per batch by [`rows_into_columns`]: a batch holds their
/// documents in memory, so a store of any size migrates in bounded memory.
const ROWS_PER_MIGRATION_BATCH: usize = 8192;

/// Version 2: the row documents (`r`, one entry a row) move into column
/// blocks (`x`, 64 rows an entry), and C2C messages lose their sequence
/// keys (only groups are looked up by sequence). Message bodies are not rewritten: a
/// body of layout 1 is plain JSON, which the body decoder reads as it is,
/// and a message is compressed the next time it is written. Posting
/// blocks of layout 1 (whole bitmaps) are valid values of layout 2, which
/// writes a sparse block as its rows' places.
///
/// It moves the rows in batches of [`ROWS_PER_MIGRATION_BATCH`], each
/// atomic (its documents leave `r` in the batch that puts them in `x`)
/// and merged into what a column block already holds, so a crash between
/// two batches resumes with the rows that are left.
fn rows_into_columns(store: &SledStore, _: &mut sled::Batch) -> StoreResult<()> {
    move_rows_into_columns(store)?;
    drop_c2c_sequence_keys(store)
}

/// Removes the sequence keys of C2C messages ([`keys::has_seq_keys`]) in
/// batches of [`ROWS_PER_MIGRATION_BATCH`]; a crash between two resumes
/// with the keys that are left.
fn drop_c2c_sequence_keys(store: &SledStore) -> StoreResult<()> {
    let mut from = vec![keys::SEQ];
    let end = keys::prefix_end(&[keys::SEQ]);
    loop {
        let mut batch = sled::Batch::default();
        let mut removed = 0;
        let mut last = None;
        for entry in read::range(store, from.clone(), end.clone()).take(ROWS_PER_MIGRATION_BATCH) {
            let (key, _) = entry?;
            if !keys::has_seq_keys(&keys::seq_key_conv(&key)?) {
                batch.remove(key.clone());
                removed += 1;
            }
            last = Some(key);
        }
        let Some(last) = last else {
            return Ok(());
        };
        store.apply_batch(batch)?;
        store.flush()?;
        tracing::info!(removed, "removed sequence keys of C2C messages");
        from = last.to_vec();
        from.push(0);
    }
}

/// Moves the row documents into column blocks (see [`rows_into_columns`]).
fn move_rows_into_columns(store: &SledStore) -> StoreResult<()> {
    loop {
        let mut moved = 0;
        // The writer's own merge: each block read once, the moved
        // documents put into what it already holds.
        let mut columns = Columns::default();
        let mut batch = sled::Batch::default();
        for entry in read::scan(store, &[keys::ROW]).take(ROWS_PER_MIGRATION_BATCH) {
            let (key, doc) = entry?;
            columns.change(keys::decode_row_key(&key)?, Some(doc.to_vec()));
            batch.remove(key);
            moved += 1;
        }
        if moved == 0 {
            return Ok(());
        }
        columns.write(store, &mut batch)?;
        store.apply_batch(batch)?;
        store.flush()?;
        tracing::info!(moved, "moved row documents into column blocks");
    }
}

/// The stored layout version (0 for a new store).
///
/// # Errors
/// A read failure, or a malformed version.
pub fn stored_version(store: &SledStore) -> StoreResult<u64> {
    match store.get(&keys::meta(keys::SCHEMA))? {
        Some(bytes) => keys::read_u64(&bytes),
        None => Ok(0),
    }
}

/// Brings the store to [`SCHEMA_VERSION`].
///
/// # Errors
/// The store is newer than this version, or a step fails.
pub fn migrate(store: &SledStore) -> StoreResult<()> {
    let _writer = store.lock_writer();
    let current = stored_version(store)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Corrupt {
            details: format!(
                "the store's layout version {current} is newer than this SDK's {SCHEMA_VERSION}"
            ),
        });
    }
    for (index, step) in STEPS.iter().enumerate().skip(current as usize) {
        let version = index as u64 + 1;
        let mut batch = sled::Batch::default();
        step(store, &mut batch)?;
        batch.insert(keys::meta(keys::SCHEMA), &keys::u64_value(version));
        store.apply_batch(batch)?;
        store.flush()?;
        tracing::info!(version, "store layout migrated");
    }
    Ok(())
}
