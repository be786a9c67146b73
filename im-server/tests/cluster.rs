//! Several nodes over one PostgreSQL database: any node serves any user,
//! a write on one node reaches a push stream on another through
//! `LISTEN/NOTIFY` (well before the heartbeat), a kick on one node ends
//! the old session's stream and requests on another, and a notification
//! that is never published still arrives at the next heartbeat.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use im_model::ConvId;
use im_model::message::Message;
use im_model::wire::http::PushFrame;
use im_model::wire::{SendRequest, ServerEvent};
use im_server::fanout::LocalFanout;
use im_server::{Server, ServerConfig};
use im_transport::Transport;
use support::raw::{PushReader, assert_refused, login, request};

/// A node on `url`'s database, its files under `files`.
async fn node(url: &str, name: &str, files: &std::path::Path, heartbeat: Duration) -> Server {
    let mut config = ServerConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        files,
        support::APP,
        support::KEY,
    );
    config.database_url = Some(url.to_owned());
    config.database_pool = 4;
    config.node_id = name.to_owned();
    config.limits.heartbeat = heartbeat;
    Server::start(config).await.unwrap()
}

/// Nodes a and b on a new database, their files in a shared folder (kept
/// while the nodes run), both listening for each other.
async fn two_nodes(heartbeat: Duration) -> (Server, Server, tempfile::TempDir) {
    let db = support::pg::cluster().database();
    let files = tempfile::tempdir().unwrap();
    let a = node(&db, "a", files.path(), heartbeat).await;
    let b = node(&db, "b", files.path(), heartbeat).await;
    listening(&a.url()).await;
    listening(&b.url()).await;
    (a, b, files)
}

/// A node that never tells the others (its notifications all lost).
async fn silent_node(url: &str, files: &std::path::Path) -> Server {
    let mut config = ServerConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        files,
        support::APP,
        support::KEY,
    );
    config.database_url = Some(url.to_owned());
    config.database_pool = 4;
    config.node_id = "silent".into();
    Server::builder(config)
        .fanout(Box::new(|hub| Arc::new(LocalFanout::new(hub))))
        .start()
        .await
        .unwrap()
}

fn new_message(from: &str) -> impl Fn(&PushFrame) -> Option<String> {
    let from = from.to_owned();
    move |frame| match frame {
        PushFrame::Events { events, .. } => events.iter().find_map(|e| match &e.event {
            ServerEvent::NewMessage { message, .. } if message.sender.as_deref() == Some(&from) => {
                message.msg_id.clone()
            }
            _ => None,
        }),
        _ => None,
    }
}

async fn idle(stream: &mut PushReader) {
    stream
        .until(Duration::from_secs(10), |f| match f {
            PushFrame::Events { events, .. } if events.is_empty() => Some(()),
            _ => None,
        })
        .await;
}

async fn send(transport: &im_transport::http::HttpTransport, to: &str, id: &str) {
    let mut message = Message::text("hello");
    message.msg_id = Some(id.into());
    transport
        .send_message(SendRequest {
            conv: ConvId::c2c(to).unwrap(),
            message,
        })
        .await
        .unwrap();
}

/// Waits until a node listens for the others (its first connection).
async fn listening(url: &str) {
    // A login on the node goes through its store; the listener connects
    // alongside. Give it the time a connection takes.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let (status, _) = request(url, "GET /healthz HTTP/1.1", "").await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_message_sent_on_one_node_is_pushed_on_another_at_once() {
    // A heartbeat far longer than the test: only a notification delivers.
    let (a, b, _files) = two_nodes(Duration::from_secs(60)).await;
    let bob = login(&b.url(), "bob").await;
    let mut stream = PushReader::open(&b.url(), &bob, 0).await;
    idle(&mut stream).await;
    let alice = support::transport(&a.url(), "alice", 1).await;
    let mut latencies = Vec::new();
    for n in 0..20 {
        let id = format!("m-{n}");
        let sent = Instant::now();
        send(&alice, "bob", &id).await;
        let (got, _) = stream
            .until(Duration::from_secs(10), new_message("alice"))
            .await;
        latencies.push(sent.elapsed());
        assert_eq!(got, id);
    }
    latencies.sort();
    eprintln!(
        "cross-node send-to-push: median {:?}, max {:?}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
    // Node b counted what it heard from node a, and how late. (Not one per
    // message: a millisecond of changes goes out as one notification, and
    // the last may be counted just after the stream woke.)
    let (_, text) = request(&b.url(), "GET /metrics HTTP/1.1", "").await;
    let received: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("im_fanout_received_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(received >= 1, "{text}");
    assert!(text.contains("im_fanout_lag_seconds_count"), "{text}");
    // Bob's history reads the same from either node.
    let bob_a = support::transport(&a.url(), "bob", 2).await;
    let page = bob_a
        .pull_history(im_model::wire::HistoryRequest {
            conv: ConvId::c2c("alice").unwrap(),
            anchor: None,
            newer: false,
            time_range: None,
            count: 100,
        })
        .await
        .unwrap();
    let seqs: Vec<u64> = page.iter().filter_map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=20).rev().collect::<Vec<u64>>());
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_kick_on_one_node_ends_the_session_on_another() {
    let (a, b, _files) = two_nodes(Duration::from_secs(60)).await;
    let old = login(&b.url(), "bob").await;
    let mut stream = PushReader::open(&b.url(), &old, 0).await;
    idle(&mut stream).await;
    let pull = serde_json::json!({"cursor": 0, "limit": 10}).to_string();
    let on_b = format!("POST /v1/events HTTP/1.1\r\nAuthorization: Bearer {old}");
    // Node b caches the session.
    assert_eq!(request(&b.url(), &on_b, &pull).await.0, 200);
    let kicked = Instant::now();
    let _new = login(&a.url(), "bob").await;
    let (code, _) = stream
        .until(Duration::from_secs(10), |f| match f {
            PushFrame::Ended { code } => Some(*code),
            _ => None,
        })
        .await;
    assert_eq!(code, 6208);
    assert!(
        kicked.elapsed() < Duration::from_secs(5),
        "{:?}",
        kicked.elapsed()
    );
    // Node b forgot the cached session with the notification: refused
    // well before its cache's TTL would have expired it.
    assert_refused(request(&b.url(), &on_b, &pull).await, 401, 6208);
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_notification_never_published_arrives_at_the_heartbeat() {
    let db = support::pg::cluster().database();
    let files = tempfile::tempdir().unwrap();
    let heartbeat = Duration::from_millis(700);
    let a = silent_node(&db, files.path()).await;
    let c = node(&db, "c", files.path(), heartbeat).await;
    listening(&c.url()).await;
    let bob = login(&c.url(), "bob").await;
    let mut stream = PushReader::open(&c.url(), &bob, 0).await;
    idle(&mut stream).await;
    let alice = support::transport(&a.url(), "alice", 1).await;
    let sent = Instant::now();
    send(&alice, "bob", "m-1").await;
    let (got, _) = stream
        .until(Duration::from_secs(10), new_message("alice"))
        .await;
    assert_eq!(got, "m-1");
    assert!(sent.elapsed() <= heartbeat * 3, "{:?}", sent.elapsed());
    a.stop().await;
    c.stop().await;
}

/// The login throttle counts failures on every node together: twenty bad
/// UserSigs spread over two nodes throttle the pair on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_login_throttle_is_shared_by_the_nodes() {
    let (a, b, _files) = two_nodes(Duration::from_secs(10)).await;
    let bad = serde_json::json!({"user_id": "mallory", "user_sig": "not-a-sig", "platform": 1})
        .to_string();
    for n in 0..20 {
        let url = if n % 2 == 0 { a.url() } else { b.url() };
        let (status, body) = request(&url, "POST /v1/login HTTP/1.1", &bad).await;
        assert_eq!(status, 401, "attempt {n}: {body}");
    }
    for url in [a.url(), b.url()] {
        let good = serde_json::json!({
            "user_id": "mallory",
            "user_sig": support::sig("mallory"),
            "platform": 1
        })
        .to_string();
        assert_refused(
            request(&url, "POST /v1/login HTTP/1.1", &good).await,
            429,
            70050,
        );
    }
    a.stop().await;
    b.stop().await;
}

/// Invites on one node race sends to the group on another: every member
/// gets every message sent after they joined and none before (members at
/// commit time), each once, in sequence order without a gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_invites_on_one_node_racing_sends_on_another_keep_members_at_commit() {
    let (a, b, _files) = two_nodes(Duration::from_secs(10)).await;
    let owner_a = support::transport(&a.url(), "owner", 1).await;
    let owner_b = support::transport(&b.url(), "owner", 2).await;
    owner_a
        .create_group(&im_model::wire::http::CreateGroupRequest {
            group_id: "race".into(),
            name: "Race".into(),
            members: vec![],
            details: im_model::wire::http::NewGroupDetails {
                group_type: Some(im_model::enums::GroupType::Private),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    let invites = tokio::spawn(async move {
        for n in 0..20 {
            owner_a
                .add_members("race", vec![format!("guest{n:02}")])
                .await
                .unwrap();
        }
    });
    for n in 0..30 {
        let mut message = Message::text("racing");
        message.msg_id = Some(format!("race-{n}"));
        owner_b
            .send_message(SendRequest {
                conv: ConvId::group("race").unwrap(),
                message,
            })
            .await
            .unwrap();
    }
    invites.await.unwrap();
    for n in 0..20 {
        let guest = format!("guest{n:02}");
        let reader = support::transport(&b.url(), &guest, 3).await;
        let im_transport::EventPage::Events(batch) = reader
            .pull_events(im_transport::PullRequest {
                cursor: 0,
                limit: 1000,
            })
            .await
            .unwrap()
        else {
            panic!("cursor 0 is never too old");
        };
        let seqs: Vec<u64> = batch
            .events
            .iter()
            .filter_map(|e| match &e.event {
                ServerEvent::NewMessage { message, .. } => message.seq,
                _ => None,
            })
            .collect();
        let first = *seqs.first().expect("at least the invite's tip");
        let last_seq = 1 + 20 + 30; // creation tip, 20 invite tips, 30 messages
        assert_eq!(
            seqs,
            (first..=last_seq).collect::<Vec<u64>>(),
            "{guest}: from their invite on, every message once, in order"
        );
    }
    a.stop().await;
    b.stop().await;
}
