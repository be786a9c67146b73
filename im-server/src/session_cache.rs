//! The sessions a node knows to be active, so that a request's bearer
//! token is checked in memory instead of by a database read.
//!
//! Only active sessions are cached: a kicked or closed one is read from
//! the store every time (those requests are rare, and the store has the
//! reason). A session end forgets its token at once on the node where it
//! happens and, through the [`Fanout`](crate::fanout::Fanout), on every
//! other node. When that notification is lost, an entry still lives at
//! most [`SessionCache::ttl`] before the next request reads the store
//! again; that bounds how long another node may accept a kicked session.
//!
//! A store read that raced with an end must not put the ended session
//! back: every [`SessionCache::forget`] bumps an epoch, and a read taken
//! before that bump is not cached.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::store::{SessionRow, SessionState};

/// How long an entry is trusted without a store read, by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);
/// The most entries kept; a full cache drops its stale entries, and when
/// none are stale, everything (the next requests read the store).
const MAX_ENTRIES: usize = 100_000;

/// Active sessions by token, each with when it was read.
#[derive(Debug)]
pub struct SessionCache {
    ttl: Duration,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    rows: HashMap<String, (SessionRow, Instant)>,
    /// Bumped by every forget: a read begun in an older epoch may have
    /// seen a session that has since ended.
    epoch: u64,
}

/// What a store read must carry to be cached: the epoch it began in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadTicket(u64);

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache::new(DEFAULT_TTL)
    }
}

impl SessionCache {
    /// A cache trusting an entry for `ttl` (zero: never cache).
    pub fn new(ttl: Duration) -> SessionCache {
        SessionCache {
            ttl,
            inner: Mutex::new(Entries::default()),
        }
    }

    /// How long an entry is trusted.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The cached session of `token`, when read less than the TTL ago.
    pub fn get(&self, token: &str, now: Instant) -> Option<SessionRow> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner
            .rows
            .get(token)
            .filter(|(_, read)| now.saturating_duration_since(*read) < self.ttl)
            .map(|(row, _)| row.clone())
    }

    /// Taken before a store read, passed to [`SessionCache::put`] after it.
    pub fn ticket(&self) -> ReadTicket {
        ReadTicket(
            self.inner
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .epoch,
        )
    }

    /// Caches what a store read found, when the session is active and no
    /// session ended since `ticket` was taken.
    pub fn put(&self, token: &str, row: &SessionRow, ticket: ReadTicket, now: Instant) {
        if row.state != SessionState::Active || self.ttl.is_zero() {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.epoch != ticket.0 {
            return;
        }
        if inner.rows.len() >= MAX_ENTRIES && !inner.rows.contains_key(token) {
            let ttl = self.ttl;
            inner
                .rows
                .retain(|_, (_, read)| now.saturating_duration_since(*read) < ttl);
            if inner.rows.len() >= MAX_ENTRIES {
                inner.rows.clear();
            }
        }
        inner.rows.insert(token.to_owned(), (row.clone(), now));
    }

    /// Forgets sessions that ended (kicked, logged out).
    pub fn forget(&self, tokens: &[String]) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.epoch += 1;
        for token in tokens {
            inner.rows.remove(token);
        }
    }

    /// Forgets every session (a node that may have missed session ends,
    /// such as one whose fan-out subscription reconnected).
    pub fn forget_all(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.epoch += 1;
        inner.rows.clear();
    }

    /// How many sessions are cached.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rows
            .len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active(user: &str) -> SessionRow {
        SessionRow {
            user: user.into(),
            platform: 1,
            expires_at: i64::MAX,
            state: SessionState::Active,
        }
    }

    #[test]
    fn test_an_active_session_is_served_until_its_ttl() {
        let cache = SessionCache::new(Duration::from_secs(5));
        let start = Instant::now();
        cache.put("t", &active("alice"), cache.ticket(), start);
        assert_eq!(
            cache.get("t", start + Duration::from_secs(4)),
            Some(active("alice"))
        );
        assert_eq!(cache.get("t", start + Duration::from_secs(5)), None);
    }

    #[test]
    fn test_ended_sessions_are_never_cached() {
        let cache = SessionCache::default();
        let now = Instant::now();
        for state in [SessionState::Kicked, SessionState::Closed] {
            let row = SessionRow {
                state,
                ..active("alice")
            };
            cache.put("t", &row, cache.ticket(), now);
            assert_eq!(cache.get("t", now), None);
        }
    }

    #[test]
    fn test_a_read_that_raced_with_an_end_is_not_cached() {
        let cache = SessionCache::default();
        let now = Instant::now();
        let ticket = cache.ticket();
        // The session is kicked while the read is under way: what the
        // read saw (active) must not come back.
        cache.forget(&["t".to_owned()]);
        cache.put("t", &active("alice"), ticket, now);
        assert_eq!(cache.get("t", now), None);
        cache.put("t", &active("alice"), cache.ticket(), now);
        assert_eq!(cache.get("t", now), Some(active("alice")));
    }

    #[test]
    fn test_forget_removes_only_the_named_sessions() {
        let cache = SessionCache::default();
        let now = Instant::now();
        cache.put("a", &active("alice"), cache.ticket(), now);
        cache.put("b", &active("bob"), cache.ticket(), now);
        cache.forget(&["a".to_owned()]);
        assert_eq!(cache.get("a", now), None);
        assert_eq!(cache.get("b", now), Some(active("bob")));
        cache.forget_all();
        assert!(cache.is_empty());
    }

    #[test]
    fn test_a_zero_ttl_caches_nothing() {
        let cache = SessionCache::new(Duration::ZERO);
        let now = Instant::now();
        cache.put("t", &active("alice"), cache.ticket(), now);
        assert!(cache.is_empty());
    }

    #[test]
    fn test_a_full_cache_stays_bounded() {
        let cache = SessionCache::new(Duration::from_secs(5));
        let start = Instant::now();
        for i in 0..MAX_ENTRIES {
            cache.put(&format!("old{i}"), &active("u"), cache.ticket(), start);
        }
        // All stale by now: the full cache drops them for the new entry.
        let later = start + Duration::from_secs(6);
        cache.put("new", &active("u"), cache.ticket(), later);
        assert_eq!(cache.len(), 1);
        // All fresh: it starts over rather than grow.
        for i in 1..MAX_ENTRIES {
            cache.put(&format!("x{i}"), &active("u"), cache.ticket(), later);
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        cache.put("one-more", &active("u"), cache.ticket(), later);
        assert_eq!(cache.len(), 1);
    }
}
