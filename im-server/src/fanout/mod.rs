//! How a committed write reaches the push streams: the seam between the
//! node that wrote and every node that may hold a stream of the users
//! concerned.
//!
//! The service hands each commit's grown heads and each session end to a
//! [`Fanout`] after the store has committed, never from inside a write. A
//! fan-out delivers them to the local [`Hub`] and, when the server runs as
//! several nodes, publishes them on a bus for the hubs of the others.
//!
//! A fan-out may lose a notification: correctness never rests on it. A
//! push stream re-reads the store on every heartbeat, and re-checks its
//! session there too, so a lost head costs at most one heartbeat of
//! latency and a lost session end at most one heartbeat before the old
//! device hears it (and the session cache's TTL before other requests
//! with its token are refused).

use std::sync::Arc;

use crate::hub::Hub;

mod pg_notify;

pub use pg_notify::{HEADS, PgNotifyFanout, SESSIONS};

/// Delivers what committed writes changed to the push streams of every
/// node.
pub trait Fanout: Send + Sync + std::fmt::Debug {
    /// Users' event logs grew to these head cursors.
    fn heads_grew(&self, notified: &[(String, u64)]);

    /// Sessions ended with a code (6208 kicked off, 6014 logged out).
    fn sessions_ended(&self, tokens: &[String], code: i32);
}

/// The fan-out of a server running as one process: straight into its hub.
#[derive(Debug, Clone)]
pub struct LocalFanout {
    hub: Arc<Hub>,
}

impl LocalFanout {
    /// Delivers to `hub`.
    pub fn new(hub: Arc<Hub>) -> LocalFanout {
        LocalFanout { hub }
    }
}

impl Fanout for LocalFanout {
    fn heads_grew(&self, notified: &[(String, u64)]) {
        self.hub.notify(notified);
    }

    fn sessions_ended(&self, tokens: &[String], code: i32) {
        self.hub.end_sessions(tokens, code);
    }
}

/// Builds a node's fan-out around its hub (the server makes the hub, then
/// the fan-out that feeds it).
pub type MakeFanout = Box<dyn FnOnce(Arc<Hub>) -> Arc<dyn Fanout> + Send>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_local_fanout_wakes_watchers_and_ends_sessions() {
        let hub = Arc::new(Hub::default());
        let fanout = LocalFanout::new(hub.clone());
        let head = hub.watch_head("alice");
        let ended = hub.watch_session("token");
        fanout.heads_grew(&[("alice".into(), 7)]);
        fanout.sessions_ended(&["token".into()], 6208);
        assert_eq!(*head.borrow(), 7);
        assert_eq!(*ended.borrow(), Some(6208));
    }
}
