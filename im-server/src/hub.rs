//! Who is listening: each user's newest event cursor, and each session's
//! end, as watch channels the push streams wait on. A write that grew a
//! user's log bumps the user's cursor here, so every open stream of that
//! user wakes at once; there is no polling delay. The node's cache of
//! active sessions lives here too, because the same session ends clear it.
//!
//! Writes reach a hub through the [`Fanout`](crate::fanout::Fanout): the
//! hub of the node that wrote at once, the hubs of other nodes through
//! whatever bus the fan-out uses.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tokio::sync::watch;

use crate::session_cache::SessionCache;

/// The in-memory signals of one server process.
#[derive(Debug, Default)]
pub struct Hub {
    heads: Mutex<HashMap<String, watch::Sender<u64>>>,
    ended: Mutex<HashMap<String, watch::Sender<Option<i32>>>>,
    /// The sessions this node knows to be active.
    pub sessions: SessionCache,
}

impl Hub {
    /// A hub whose session cache trusts an entry for `session_ttl`.
    pub fn new(session_ttl: std::time::Duration) -> Hub {
        Hub {
            sessions: SessionCache::new(session_ttl),
            ..Hub::default()
        }
    }

    /// Watches `user`'s newest cursor. The value starts at the last one
    /// notified (0 for a user nobody watched): a watcher reads the store
    /// first and then waits for a head past what it read, so a commit
    /// between the two is never missed.
    pub fn watch_head(&self, user: &str) -> watch::Receiver<u64> {
        let mut heads = self.heads.lock().unwrap_or_else(PoisonError::into_inner);
        heads
            .entry(user.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Users' logs grew to these cursors.
    pub fn notify(&self, notified: &[(String, u64)]) {
        let heads = self.heads.lock().unwrap_or_else(PoisonError::into_inner);
        for (user, cursor) in notified {
            if let Some(sender) = heads.get(user) {
                sender.send_if_modified(|h| {
                    let newer = *cursor > *h;
                    *h = (*h).max(*cursor);
                    newer
                });
            }
        }
    }

    /// Watches the end of the session `token` (`Some(code)` once ended).
    pub fn watch_session(&self, token: &str) -> watch::Receiver<Option<i32>> {
        let mut ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
        ended
            .entry(token.to_owned())
            .or_insert_with(|| watch::channel(None).0)
            .subscribe()
    }

    /// Ends sessions with a code (6208 kicked off, 6206 UserSig expired,
    /// 6014 logged out): their streams get it, and the cache forgets them.
    pub fn end_sessions(&self, tokens: &[String], code: i32) {
        self.sessions.forget(tokens);
        let mut ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
        for token in tokens {
            if let Some(sender) = ended.remove(token) {
                sender.send_replace(Some(code));
            }
        }
    }

    /// Forgets a stream's signals once nothing watches them (its session's
    /// end, its user's head), so the maps hold only what open streams use.
    pub fn release(&self, user: &str, token: &str) {
        let mut ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
        if ended.get(token).is_some_and(|s| s.receiver_count() == 0) {
            ended.remove(token);
        }
        drop(ended);
        let mut heads = self.heads.lock().unwrap_or_else(PoisonError::into_inner);
        if heads.get(user).is_some_and(|s| s.receiver_count() == 0) {
            heads.remove(user);
        }
    }
}
