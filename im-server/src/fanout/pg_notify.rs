//! The fan-out of several nodes sharing one PostgreSQL: `NOTIFY` after
//! the commit, `LISTEN` on a connection of its own.
//!
//! A node delivers its own changes to its hub at once, and publishes them
//! for the others: a publisher thread takes them from a queue, gathers
//! what arrives within a millisecond (up to a payload PostgreSQL takes),
//! and sends `pg_notify` on its own connection in autocommit, never inside
//! a write transaction (a `NOTIFY` there serializes every commit of the
//! cluster). A listener thread `LISTEN`s on channels [`HEADS`] and
//! [`SESSIONS`] and feeds this node's hub with what other nodes publish.
//!
//! Both are hints. A notification lost (a broken connection, a payload
//! that does not parse, a publisher queue that is full) costs at most a
//! heartbeat: push streams re-read the store and re-check their session on
//! every heartbeat, and the session cache forgets everything when the
//! listener reconnects. Payloads come from the network: one that does not
//! parse is logged and skipped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use serde::{Deserialize, Serialize};

use super::Fanout;
use crate::hub::Hub;
use crate::metrics::Metrics;

/// The channel of grown heads.
pub const HEADS: &str = "im_heads";
/// The channel of ended sessions.
pub const SESSIONS: &str = "im_sessions";

/// PostgreSQL refuses payloads of 8,000 bytes and more.
const MAX_PAYLOAD: usize = 7_000;
/// How long the publisher gathers before it sends.
const GATHER: Duration = Duration::from_millis(1);
/// Notes waiting to be published at most; past it they are dropped (the
/// heartbeat catches up), never the sender blocked.
const QUEUE: usize = 100_000;
/// How long the listener waits before it reconnects.
const RECONNECT: Duration = Duration::from_millis(500);

/// One notification's payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Payload {
    /// The node that published it (its own are already delivered).
    node: String,
    /// Heads that grew: `(user, cursor)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    heads: Vec<(String, u64)>,
    /// Sessions that ended, with their code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ended: Vec<String>,
    /// The code of `ended`.
    #[serde(default)]
    code: i32,
    /// When it was published (milliseconds since the epoch, the
    /// publisher's clock): how late it arrives, in the metrics.
    #[serde(default)]
    at_ms: u64,
}

enum Note {
    Heads(Vec<(String, u64)>),
    Ended(Vec<String>, i32),
}

/// The fan-out over PostgreSQL `LISTEN/NOTIFY`.
#[derive(Debug)]
pub struct PgNotifyFanout {
    node: String,
    hub: Arc<Hub>,
    queue: Mutex<Option<mpsc::SyncSender<Note>>>,
    stop: Arc<AtomicBool>,
    listening: Arc<AtomicBool>,
}

impl PgNotifyFanout {
    /// Starts the publisher and the listener of node `node` on the
    /// database at `url`, feeding `hub`.
    ///
    /// # Errors
    /// The URL does not parse, or a thread cannot start.
    pub fn start(
        url: &str,
        node: &str,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
    ) -> Result<PgNotifyFanout, String> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| format!("the database URL does not parse: {e}"))?;
        let (queue, notes) = mpsc::sync_channel(QUEUE);
        let stop = Arc::new(AtomicBool::new(false));
        let listening = Arc::new(AtomicBool::new(false));
        let publisher = config.clone();
        std::thread::Builder::new()
            .name("im-server-notify".into())
            .spawn({
                let (node, metrics) = (node.to_owned(), metrics.clone());
                move || publish(&publisher, &node, &notes, &metrics)
            })
            .map_err(|e| e.to_string())?;
        std::thread::Builder::new()
            .name("im-server-listen".into())
            .spawn({
                let (node, hub, stop, listening) = (
                    node.to_owned(),
                    hub.clone(),
                    stop.clone(),
                    listening.clone(),
                );
                move || listen(&config, &node, &hub, &metrics, &stop, &listening)
            })
            .map_err(|e| e.to_string())?;
        Ok(PgNotifyFanout {
            node: node.to_owned(),
            hub,
            queue: Mutex::new(Some(queue)),
            stop,
            listening,
        })
    }

    /// Whether the listener is connected and listening now.
    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    fn enqueue(&self, note: Note) {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(queue) = queue.as_ref()
            && queue.try_send(note).is_err()
        {
            tracing::warn!("the notification queue is full; other nodes catch up at a heartbeat");
        }
    }
}

impl Drop for PgNotifyFanout {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The publisher ends once its queue closes.
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

impl Fanout for PgNotifyFanout {
    fn heads_grew(&self, notified: &[(String, u64)]) {
        self.hub.notify(notified);
        if !notified.is_empty() {
            self.enqueue(Note::Heads(notified.to_vec()));
        }
    }

    fn sessions_ended(&self, tokens: &[String], code: i32) {
        self.hub.end_sessions(tokens, code);
        if !tokens.is_empty() {
            self.enqueue(Note::Ended(tokens.to_vec(), code));
        }
    }
}

/// The payloads of a gathered batch, each under [`MAX_PAYLOAD`] bytes.
fn payloads(
    node: &str,
    heads: Vec<(String, u64)>,
    ended: Vec<(String, i32)>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let at_ms = now_ms();
    let empty = || Payload {
        node: node.to_owned(),
        heads: Vec::new(),
        ended: Vec::new(),
        code: 0,
        at_ms,
    };
    // A rough size per entry keeps each payload under the limit without
    // serializing twice: ids are at most 32 bytes (tokens 32 hex digits).
    let budget = MAX_PAYLOAD.saturating_sub(node.len() + 64);
    let mut current = empty();
    let mut size = 0;
    for (user, head) in heads {
        let entry = user.len() + 26;
        if size + entry > budget && !current.heads.is_empty() {
            out.push((HEADS, std::mem::replace(&mut current, empty())));
            size = 0;
        }
        size += entry;
        current.heads.push((user, head));
    }
    if !current.heads.is_empty() {
        out.push((HEADS, current));
    }
    let mut by_code: std::collections::BTreeMap<i32, Vec<String>> = Default::default();
    for (token, code) in ended {
        by_code.entry(code).or_default().push(token);
    }
    for (code, tokens) in by_code {
        for chunk in tokens.chunks((budget / 40).max(1)) {
            out.push((
                SESSIONS,
                Payload {
                    ended: chunk.to_vec(),
                    code,
                    ..empty()
                },
            ));
        }
    }
    out.into_iter()
        .filter_map(|(channel, payload)| {
            serde_json::to_string(&payload)
                .ok()
                .map(|json| (channel, json))
        })
        .collect()
}

/// Milliseconds since the epoch by this node's clock.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The publisher thread: gathers notes for [`GATHER`], then notifies.
fn publish(config: &postgres::Config, node: &str, notes: &mpsc::Receiver<Note>, metrics: &Metrics) {
    let mut client: Option<Client> = None;
    while let Ok(first) = notes.recv() {
        let mut heads = Vec::new();
        let mut ended = Vec::new();
        let mut take = |note: Note| match note {
            Note::Heads(h) => heads.extend(h),
            Note::Ended(tokens, code) => ended.extend(tokens.into_iter().map(|t| (t, code))),
        };
        take(first);
        let until = Instant::now() + GATHER;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match notes.recv_timeout(left) {
                Ok(note) => take(note),
                Err(_) => break,
            }
        }
        for (channel, payload) in payloads(node, heads, ended) {
            if client.as_ref().is_none_or(Client::is_closed) {
                client = match config.connect(NoTls) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot connect to publish notifications; dropped");
                        None
                    }
                };
            }
            let Some(conn) = client.as_mut() else {
                break;
            };
            match conn.execute("SELECT pg_notify($1, $2)", &[&channel, &payload]) {
                Ok(_) => metrics.published(),
                Err(e) => tracing::warn!(error = %e, "a notification was not published"),
            }
        }
    }
}

/// The listener thread: feeds the hub until the fan-out is dropped.
fn listen(
    config: &postgres::Config,
    node: &str,
    hub: &Hub,
    metrics: &Metrics,
    stop: &AtomicBool,
    listening: &AtomicBool,
) {
    while !stop.load(Ordering::Relaxed) {
        let mut client = match config.connect(NoTls) {
            Ok(client) => client,
            Err(e) => {
                tracing::warn!(error = %e, "the notification listener cannot connect; retrying");
                std::thread::sleep(RECONNECT);
                continue;
            }
        };
        if let Err(e) = client.batch_execute(&format!("LISTEN {HEADS}; LISTEN {SESSIONS};")) {
            tracing::warn!(error = %e, "LISTEN failed; retrying");
            std::thread::sleep(RECONNECT);
            continue;
        }
        // Whatever was published while this node was not listening is
        // lost: forget the cached sessions (a kick may be among them);
        // push streams catch up with the store at their next heartbeat.
        hub.sessions.forget_all();
        listening.store(true, Ordering::Relaxed);
        tracing::info!(node, "listening for other nodes' notifications");
        while !stop.load(Ordering::Relaxed) && !client.is_closed() {
            let mut notifications = client.notifications();
            let mut batch = notifications.timeout_iter(Duration::from_millis(500));
            loop {
                match batch.next() {
                    Ok(Some(n)) => {
                        if let Some(at_ms) = deliver(hub, node, n.channel(), n.payload()) {
                            let lag = now_ms().saturating_sub(at_ms);
                            metrics.received(Duration::from_millis(lag).as_secs_f64());
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "the notification listener's connection broke");
                        break;
                    }
                }
            }
        }
        listening.store(false, Ordering::Relaxed);
        drop(client);
    }
}

/// Applies one notification from another node (skipping this node's own,
/// and anything that does not parse); when applied, its publish time.
fn deliver(hub: &Hub, node: &str, channel: &str, payload: &str) -> Option<u64> {
    let payload: Payload = match serde_json::from_str(payload) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(channel, error = %e, "a notification that does not parse; skipped");
            return None;
        }
    };
    if payload.node == node {
        return None;
    }
    match channel {
        HEADS => hub.notify(&payload.heads),
        SESSIONS => hub.end_sessions(&payload.ended, payload.code),
        other => {
            tracing::warn!(channel = other, "a notification on an unknown channel");
            return None;
        }
    }
    Some(payload.at_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_payloads_stay_under_the_limit_and_keep_every_entry() {
        let heads: Vec<(String, u64)> = (0..2000)
            .map(|i| (format!("user-{i:027}"), u64::MAX - i))
            .collect();
        let ended: Vec<(String, i32)> = (0..500).map(|i| (format!("{i:032x}"), 6208)).collect();
        let out = payloads("node-1", heads.clone(), ended.clone());
        let mut seen_heads = Vec::new();
        let mut seen_ended = Vec::new();
        for (channel, json) in &out {
            assert!(json.len() < 8000, "{} bytes", json.len());
            let p: Payload = serde_json::from_str(json).unwrap();
            assert_eq!(p.node, "node-1");
            match *channel {
                HEADS => seen_heads.extend(p.heads),
                SESSIONS => {
                    assert_eq!(p.code, 6208);
                    seen_ended.extend(p.ended);
                }
                _ => unreachable!(),
            }
        }
        assert_eq!(seen_heads, heads);
        assert_eq!(
            seen_ended,
            ended.into_iter().map(|(t, _)| t).collect::<Vec<_>>()
        );
    }

    #[test]
    fn test_a_node_skips_its_own_and_unparsable_notifications() {
        let hub = Hub::default();
        let head = hub.watch_head("alice");
        let own = r#"{"node":"me","heads":[["alice",3]]}"#;
        deliver(&hub, "me", HEADS, own);
        assert_eq!(*head.borrow(), 0);
        deliver(&hub, "me", HEADS, "not json");
        deliver(
            &hub,
            "me",
            HEADS,
            r#"{"node":"other","heads":[["alice",false]]}"#,
        );
        assert_eq!(*head.borrow(), 0);
        let other = r#"{"node":"other","heads":[["alice",4]]}"#;
        deliver(&hub, "me", HEADS, other);
        assert_eq!(*head.borrow(), 4);
        let ended = hub.watch_session("t1");
        deliver(
            &hub,
            "me",
            SESSIONS,
            r#"{"node":"other","ended":["t1"],"code":6208}"#,
        );
        assert_eq!(*ended.borrow(), Some(6208));
    }
}
