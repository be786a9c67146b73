//! Rate allowances in memory, for a store that serves one node: the
//! counts behind the spec's per-caller limits (one list delete a second,
//! five receive-option calls a second, forty messages a second per
//! group) and the brute-force throttle on failed UserSig checks, which the
//! service asks the store for (`ServerStore::take_allowance`), so that a
//! cluster's store shares them between its nodes.
//!
//! The map is bounded: when it is full, entries of past windows are
//! dropped, and if none are past, all of them (a flood of distinct keys
//! forgives the current window rather than grow memory).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Most keys tracked by one limiter.
const MAX_KEYS: usize = 100_000;

/// Allowances by key in fixed windows, in this process's memory: what a
/// store serving one node keeps (several nodes share theirs in their
/// database).
#[derive(Debug, Default)]
pub struct LocalAllowances {
    windows: Mutex<HashMap<String, (u128, u32)>>,
}

impl LocalAllowances {
    /// The fixed window `now` falls in, for windows of `window`.
    fn index(window: Duration, since_epoch: Duration) -> u128 {
        since_epoch.as_millis() / window.as_millis().max(1)
    }

    /// Takes one event of `key` from `limit` per `window` (see
    /// `ServerStore::take_allowance`); `since_epoch` is now.
    pub fn take(&self, key: &str, limit: u32, window: Duration, since_epoch: Duration) -> bool {
        let index = LocalAllowances::index(window, since_epoch);
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_KEYS && !windows.contains_key(key) {
            windows.retain(|_, (i, _)| *i == index);
            if windows.len() >= MAX_KEYS {
                windows.clear();
            }
        }
        let entry = windows.entry(key.to_owned()).or_insert((index, 0));
        if entry.0 != index {
            *entry = (index, 0);
        }
        if entry.1 >= limit {
            return false;
        }
        entry.1 += 1;
        true
    }

    /// Whether `key` used up `limit` in the current window.
    pub fn used_up(&self, key: &str, limit: u32, window: Duration, since_epoch: Duration) -> bool {
        let index = LocalAllowances::index(window, since_epoch);
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        windows
            .get(key)
            .is_some_and(|(i, n)| *i == index && *n >= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_local_allowances_reset_with_each_fixed_window() {
        let allowances = LocalAllowances::default();
        let second = Duration::from_secs(1);
        let t = Duration::from_millis(10_000);
        assert!(allowances.take("g", 2, second, t));
        assert!(allowances.take("g", 2, second, t + Duration::from_millis(500)));
        assert!(!allowances.take("g", 2, second, t + Duration::from_millis(999)));
        assert!(allowances.used_up("g", 2, second, t + Duration::from_millis(999)));
        assert!(
            allowances.take("h", 2, second, t),
            "other keys are not affected"
        );
        assert!(!allowances.used_up("g", 2, second, t + second));
        assert!(allowances.take("g", 2, second, t + second));
    }
}
