//! The layout version and its migration chain.
//!
//! `M/schema` holds the version of the key layout. Opening a store runs
//! every step after the stored version, each as one atomic batch that also
//! records its version, so a crash between steps resumes at the next one.
//! A store written by a newer version is refused rather than misread.

use im_store::{StoreError, StoreResult};

use crate::SledStore;
use crate::keys;

/// The layout this version writes.
pub const SCHEMA_VERSION: u64 = 1;

/// One step: what it adds to a batch to bring the previous layout to its
/// version.
type Step = fn(&SledStore, &mut sled::Batch) -> StoreResult<()>;

/// Step `n` (from 1) brings version `n - 1` to `n`.
const STEPS: &[Step] = &[initial_layout];

/// Version 1: the counters start at zero (an empty store has no records).
fn initial_layout(_: &SledStore, batch: &mut sled::Batch) -> StoreResult<()> {
    batch.insert(keys::meta(keys::UNREAD), &keys::u64_value(0));
    batch.insert(keys::meta(keys::ROWS), &keys::u64_value(0));
    Ok(())
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
