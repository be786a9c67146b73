//! Counting limits over fixed time windows: per-caller rate limits of the
//! spec (one list delete a second, five receive-option calls a second,
//! forty messages a second per group) and the brute-force throttle on
//! failed UserSig checks.
//!
//! Every map is bounded: when it is full, expired entries are dropped, and
//! if none expired the oldest window is dropped, so a flood of distinct
//! keys costs memory up to the bound only.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Most keys tracked by one limiter.
const MAX_KEYS: usize = 100_000;

/// Allows at most `limit` events per key in each window of `window`.
#[derive(Debug)]
pub struct WindowLimit<K> {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Eq + Hash + Clone> WindowLimit<K> {
    /// `limit` events per `window`.
    pub fn new(limit: u32, window: Duration) -> WindowLimit<K> {
        WindowLimit {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an event for `key`; false when the window's limit is reached
    /// (the event is refused and not counted).
    pub fn allow(&self, key: &K, now: Instant) -> bool {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_KEYS && !windows.contains_key(key) {
            let window = self.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
            if windows.len() >= MAX_KEYS
                && let Some(oldest) = windows
                    .iter()
                    .min_by_key(|(_, (s, _))| *s)
                    .map(|(k, _)| k.clone())
            {
                windows.remove(&oldest);
            }
        }
        let entry = windows.entry(key.clone()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }

    /// Whether `key` has used up its window (without counting).
    pub fn exhausted(&self, key: &K, now: Instant) -> bool {
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        windows
            .get(key)
            .is_some_and(|(start, n)| now.duration_since(*start) < self.window && *n >= self.limit)
    }
}

/// The brute-force throttle: after `limit` failed UserSig checks for one
/// identity from one address within a minute, that pair is refused (70050)
/// for the rest of the minute. Keyed by the pair, so an attacker elsewhere
/// cannot lock a valid user out.
#[derive(Debug)]
pub struct FailureThrottle {
    failures: WindowLimit<(String, std::net::IpAddr)>,
}

impl FailureThrottle {
    /// 20 failures a minute, as the reliability plan's row D6 asks.
    pub fn new() -> FailureThrottle {
        FailureThrottle {
            failures: WindowLimit::new(20, Duration::from_secs(60)),
        }
    }

    /// Whether checks for `user` from `ip` are refused now.
    pub fn throttled(&self, user: &str, ip: std::net::IpAddr, now: Instant) -> bool {
        self.failures.exhausted(&(user.to_owned(), ip), now)
    }

    /// Records a failed check.
    pub fn failed(&self, user: &str, ip: std::net::IpAddr, now: Instant) {
        self.failures.allow(&(user.to_owned(), ip), now);
    }
}

impl Default for FailureThrottle {
    fn default() -> Self {
        FailureThrottle::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_window_allows_its_limit_then_refuses_until_it_ends() {
        let limit = WindowLimit::new(5, Duration::from_secs(1));
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(limit.allow(&"alice", t0));
        }
        assert!(!limit.allow(&"alice", t0 + Duration::from_millis(999)));
        assert!(limit.allow(&"bob", t0), "other keys are not affected");
        assert!(limit.allow(&"alice", t0 + Duration::from_secs(1)));
    }

    #[test]
    fn test_twenty_failures_throttle_one_identity_from_one_address() {
        let throttle = FailureThrottle::new();
        let (here, there) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..19 {
            throttle.failed("alice", here, t0);
        }
        assert!(!throttle.throttled("alice", here, t0));
        throttle.failed("alice", here, t0);
        assert!(throttle.throttled("alice", here, t0 + Duration::from_secs(59)));
        assert!(
            !throttle.throttled("alice", there, t0),
            "alice elsewhere still logs in"
        );
        assert!(!throttle.throttled("bob", here, t0));
        assert!(!throttle.throttled("alice", here, t0 + Duration::from_secs(60)));
    }
}
