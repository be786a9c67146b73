//! What a lost fan-out notification costs: with a fan-out that loses
//! every notification (as a bus between nodes may), a message still
//! reaches the push stream at its next heartbeat, a kicked session's
//! stream still ends with 6208 at its next heartbeat, and the node's
//! session cache stops accepting the kicked token after its TTL.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use im_model::ConvId;
use im_model::message::Message;
use im_model::wire::http::PushFrame;
use im_model::wire::{SendRequest, ServerEvent};
use im_server::fanout::Fanout;
use im_server::{Server, ServerConfig};
use im_transport::Transport;
use support::raw::{PushReader, assert_refused, login, request};

const HEARTBEAT: Duration = Duration::from_millis(300);
const SESSION_TTL: Duration = Duration::from_millis(200);

/// A fan-out that loses everything it is given.
#[derive(Debug, Default)]
struct LosesEverything {
    lost: AtomicUsize,
}

impl Fanout for LosesEverything {
    fn heads_grew(&self, notified: &[(String, u64)]) {
        self.lost.fetch_add(notified.len(), Ordering::Relaxed);
    }

    fn sessions_ended(&self, tokens: &[String], _code: i32) {
        self.lost.fetch_add(tokens.len(), Ordering::Relaxed);
    }
}

async fn lossy_server() -> (Server, Arc<LosesEverything>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        dir.path(),
        support::APP,
        support::KEY,
    );
    config.limits.heartbeat = HEARTBEAT;
    config.limits.session_ttl = SESSION_TTL;
    let fanout = Arc::new(LosesEverything::default());
    let given = fanout.clone();
    let server = Server::builder(config)
        .fanout(Box::new(move |_hub| given))
        .start()
        .await
        .unwrap();
    (server, fanout, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_lost_notification_costs_at_most_one_heartbeat() {
    let (server, lost, _dir) = lossy_server().await;
    let url = server.url();
    let bob = login(&url, "bob").await;
    let mut stream = PushReader::open(&url, &bob, 0).await;
    // The stream is idle (caught up) before the send.
    stream
        .until(Duration::from_secs(5), |f| match f {
            PushFrame::Events { events, .. } if events.is_empty() => Some(()),
            _ => None,
        })
        .await;
    let alice = support::transport(&url, "alice", 1).await;
    let mut message = Message::text("hello");
    message.msg_id = Some("m-1".into());
    let sent = Instant::now();
    alice
        .send_message(SendRequest {
            conv: ConvId::c2c("bob").unwrap(),
            message,
        })
        .await
        .unwrap();
    let (msg_id, _) = stream
        .until(Duration::from_secs(5), |f| match f {
            PushFrame::Events { events, .. } => events.iter().find_map(|e| match &e.event {
                ServerEvent::NewMessage { message, .. } => message.msg_id.clone(),
                _ => None,
            }),
            _ => None,
        })
        .await;
    let took = sent.elapsed();
    assert_eq!(msg_id, "m-1");
    assert!(
        lost.lost.load(Ordering::Relaxed) >= 2,
        "the send's heads were lost"
    );
    // Only the heartbeat's re-read can have delivered it.
    assert!(took <= HEARTBEAT * 3, "delivered after {took:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_kick_whose_notification_is_lost_still_ends_the_old_session() {
    let (server, _lost, _dir) = lossy_server().await;
    let url = server.url();
    let old = login(&url, "bob").await;
    let mut stream = PushReader::open(&url, &old, 0).await;
    stream
        .until(Duration::from_secs(5), |f| match f {
            PushFrame::Events { events, .. } if events.is_empty() => Some(()),
            _ => None,
        })
        .await;
    // A request warms the node's session cache with the old token.
    let send = |token: String, id: &'static str| {
        let url = url.clone();
        async move {
            let body = serde_json::json!({
                "conv": ConvId::c2c("alice").unwrap(),
                "message": Message { msg_id: Some(id.into()), ..Message::text("x") },
            });
            request(
                &url,
                &format!("POST /v1/messages/send HTTP/1.1\r\nAuthorization: Bearer {token}"),
                &body.to_string(),
            )
            .await
        }
    };
    assert_eq!(send(old.clone(), "m-1").await.0, 200);
    let kicked_at = Instant::now();
    let _new = login(&url, "bob").await;
    // The stream hears it at its next heartbeat, from the store.
    let (code, _) = stream
        .until(Duration::from_secs(5), |f| match f {
            PushFrame::Ended { code } => Some(*code),
            _ => None,
        })
        .await;
    assert_eq!(code, 6208);
    assert!(
        kicked_at.elapsed() <= HEARTBEAT * 3,
        "{:?}",
        kicked_at.elapsed()
    );
    // Past the cache's TTL, requests with the old token are refused.
    tokio::time::sleep(SESSION_TTL).await;
    assert_refused(send(old, "m-2").await, 401, 6208);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_with_the_local_fanout_a_kicked_token_is_refused_at_once() {
    let server = support::server().await;
    let url = server.server.url();
    let old = login(&url, "bob").await;
    let sync = format!("POST /v1/events HTTP/1.1\r\nAuthorization: Bearer {old}");
    let pull = serde_json::json!({"cursor": 0, "limit": 10}).to_string();
    // Cached by this request...
    assert_eq!(request(&url, &sync, &pull).await.0, 200);
    let _new = login(&url, "bob").await;
    // ...and forgotten by the kick on the same node, with no TTL to wait.
    assert_refused(request(&url, &sync, &pull).await, 401, 6208);
}
