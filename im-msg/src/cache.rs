//! What the device's caches of server information (profiles, group
//! information) share: entries kept as JSON in the store's settings,
//! written in the batches of what they name, and the set of ids seen
//! without an entry, looked up together after a sync.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Mutex, PoisonError};

use im_model::{ErrorCode, ImError, ImResult};
use im_store::{Store, WriteBatch, WriteOp};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The cached entry under `key`, if any. An entry that no longer parses
/// is treated as absent (the next update replaces it).
///
/// # Errors
/// A storage failure.
pub(crate) fn read<T: DeserializeOwned>(store: &dyn Store, key: &str) -> ImResult<Option<T>> {
    let Some(json) = store.setting(key)? else {
        return Ok(None);
    };
    match serde_json::from_str(&json) {
        Ok(value) => Ok(Some(value)),
        Err(e) => {
            tracing::warn!(key, error = %e, "ignored an unreadable cache entry");
            Ok(None)
        }
    }
}

/// Stages `value` as the cached entry under `key`.
///
/// # Errors
/// The value cannot be encoded (6019).
pub(crate) fn put<T: Serialize>(batch: &mut WriteBatch, key: String, value: &T) -> ImResult<()> {
    let value = serde_json::to_string(value)
        .map_err(|e| ImError::new(ErrorCode::DatabaseOperateFailed, e.to_string()))?;
    batch.push(WriteOp::PutSetting { key, value });
    Ok(())
}

/// Ids seen without a cache entry, waiting for one lookup.
#[derive(Debug, Default)]
pub(crate) struct Noted(Mutex<BTreeSet<String>>);

impl Noted {
    /// Notes an id.
    pub(crate) fn note(&self, id: &str) {
        self.lock().insert(id.to_owned());
    }

    /// Looks up every noted id, `chunk` at a time, with `look_up` (which
    /// caches what it finds and returns how many it found). On a failure
    /// the ids not yet looked up are noted again, for the next call.
    ///
    /// # Errors
    /// The first failure of `look_up`.
    pub(crate) async fn look_up<F, Fut>(&self, chunk: usize, mut look_up: F) -> ImResult<usize>
    where
        F: FnMut(Vec<String>) -> Fut,
        Fut: Future<Output = ImResult<usize>>,
    {
        let ids: Vec<String> = std::mem::take(&mut *self.lock()).into_iter().collect();
        let mut found = 0;
        for (i, part) in ids.chunks(chunk.max(1)).enumerate() {
            match look_up(part.to_vec()).await {
                Ok(n) => found += n,
                Err(e) => {
                    self.lock().extend(ids[i * chunk.max(1)..].iter().cloned());
                    return Err(e);
                }
            }
        }
        Ok(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
