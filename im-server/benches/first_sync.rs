//! A new device's first sync: a user with 100,000 messages in 1,000
//! conversations logs in. Measured side by side in one run:
//!
//! * **snapshot**: a new device (no cursor) starts from the server's
//!   snapshot, which is how every first sync and resync works now;
//! * **replay**: a device whose cursor is at the start of the account's
//!   event log (it synced once when the account was empty, then stayed
//!   away), which pulls and applies every event: what a new device did
//!   before snapshots.
//!
//! Each prints the time from login to `SyncFinished`, and what crossed the
//! wire (events and JSON bytes of the pages or the snapshot, pulled again
//! over a raw transport). Run with `cargo xtask bench` (or `cargo bench -p
//! im-server --bench first_sync`); `BENCH_MESSAGES` and
//! `BENCH_CONVERSATIONS` change the data set.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use im_model::{ConvId, Message};
use im_sdk::{Client, SdkEvent};
use im_server::store::{ConvKey, NewMessage, ServerStore, SqliteStore};
use im_server::{Server, ServerConfig, SigKey};
use im_transport::http::{HttpConfig, HttpTransport};
use im_transport::{EventPage, LoginRequest, PullRequest, Transport};

const APP: u64 = 1_400_000_003;
const KEY: &str = "bench-first-sync-key";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sig(user: &str) -> String {
    SigKey::new(APP, KEY).generate(user, now(), 86_400)
}

async fn start(dir: &Path) -> Server {
    let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir, APP, KEY);
    Server::start(config).await.unwrap()
}

/// Alice's device with data in `dir`, logged in (platform `platform`):
/// the time until its first sync finished.
async fn first_sync(url: &str, dir: &Path, platform: u32) -> Duration {
    let mut config = HttpConfig::new(url);
    config.platform = platform;
    let transport = HttpTransport::new(config).unwrap();
    let client = Client::builder()
        .sdk_app_id(APP)
        .data_dir(dir)
        .transport(Arc::new(transport))
        .sync_interval(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut events = Box::pin(client.events());
    let started = Instant::now();
    client.login("alice", &sig("alice")).await.unwrap();
    while let Some(event) = events.next().await {
        if matches!(event, SdkEvent::SyncFinished) {
            break;
        }
    }
    let took = started.elapsed();
    client.shutdown().await;
    took
}

/// Fills the server's store: `messages` from `convs` peers to alice.
async fn fill(dir: &Path, messages: usize, convs: usize) {
    let store = Arc::new(SqliteStore::open(dir).unwrap());
    let alice = ConvId::c2c("alice").unwrap();
    let per_conv = messages.div_ceil(convs);
    let mut jobs = Vec::new();
    for n in 0..messages {
        let peer = format!("u{:05}", n / per_conv);
        let store = store.clone();
        let conv = ConvKey::of(&peer, &alice);
        jobs.push(async move {
            store
                .append_message(NewMessage {
                    conv,
                    sender: peer,
                    msg_id: format!("m-{n}"),
                    now: 1_700_000_000 + n as u64 / 100,
                    message: Message::text(format!("message {n} of a long history")),
                    echo_to_sender: false,
                })
                .await
                .unwrap();
        });
        if jobs.len() == 2_000 {
            futures::future::join_all(std::mem::take(&mut jobs)).await;
        }
    }
    futures::future::join_all(jobs).await;
    store.close();
}

/// Alice logged in on a raw transport (no SDK).
async fn raw_alice(url: &str) -> HttpTransport {
    let transport = HttpTransport::new(HttpConfig::new(url)).unwrap();
    transport
        .login(LoginRequest {
            user_id: "alice".into(),
            user_sig: sig("alice"),
        })
        .await
        .unwrap();
    transport
}

/// Pulls alice's whole event log over a raw transport: (events, bytes).
async fn replay_wire(url: &str) -> (usize, usize) {
    let transport = raw_alice(url).await;
    let (mut cursor, mut events, mut bytes) = (0, 0, 0);
    loop {
        let page = transport
            .pull_events(PullRequest { cursor, limit: 100 })
            .await
            .unwrap();
        bytes += serde_json::to_vec(&page).unwrap().len();
        let EventPage::Events(batch) = page else {
            panic!("the log was trimmed");
        };
        events += batch.events.len();
        cursor = batch.next_cursor;
        if !batch.has_more {
            return (events, bytes);
        }
    }
}

/// Alice's snapshot over a raw transport: (conversations, bytes).
async fn snapshot_wire(url: &str) -> (usize, usize) {
    let snapshot = raw_alice(url).await.conversation_snapshot().await.unwrap();
    (
        snapshot.conversations.len(),
        serde_json::to_vec(&snapshot).unwrap().len(),
    )
}

fn main() {
    let messages = env_or("BENCH_MESSAGES", 100_000);
    let convs = env_or("BENCH_CONVERSATIONS", 1_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server_dir = tempfile::tempdir().unwrap();
        let replay_dir = tempfile::tempdir().unwrap();
        let snapshot_dir = tempfile::tempdir().unwrap();
        // The replaying device synced once, while the account was empty.
        let server = start(server_dir.path()).await;
        first_sync(&server.url(), replay_dir.path(), 1).await;
        server.stop().await;
        let filled = Instant::now();
        fill(server_dir.path(), messages, convs).await;
        println!(
            "filled {messages} messages in {convs} conversations in {:.1} s",
            filled.elapsed().as_secs_f64()
        );
        let server = start(server_dir.path()).await;
        let url = server.url();
        let (replay_events, replay_bytes) = replay_wire(&url).await;
        let fetched = Instant::now();
        let (snapshot_convs, snapshot_bytes) = snapshot_wire(&url).await;
        let fetch = fetched.elapsed();
        let snapshot = first_sync(&url, snapshot_dir.path(), 2).await;
        let replay = first_sync(&url, replay_dir.path(), 1).await;
        println!();
        println!("| first sync ({messages} messages, {convs} conversations) | to SyncFinished | pulled | bytes |");
        println!("|---|---|---|---|");
        println!(
            "| snapshot (new device) | {:.3} s | {snapshot_convs} conversations | {:.1} MB |",
            snapshot.as_secs_f64(),
            snapshot_bytes as f64 / 1e6
        );
        println!(
            "| replay of the event log | {:.3} s | {replay_events} events | {:.1} MB |",
            replay.as_secs_f64(),
            replay_bytes as f64 / 1e6
        );
        println!(
            "| of which the server's snapshot (read, encode, transfer, decode) | {:.3} s | | |",
            fetch.as_secs_f64()
        );
        println!(
            "| ratio replay / snapshot | {:.1} | {:.1} | {:.1} |",
            replay.as_secs_f64() / snapshot.as_secs_f64(),
            replay_events as f64 / snapshot_convs.max(1) as f64,
            replay_bytes as f64 / snapshot_bytes.max(1) as f64
        );
        server.stop().await;
    });
}
