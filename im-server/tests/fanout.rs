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
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

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

/// One HTTP/1.1 request on its own connection: the status and the body.
async fn request(url: &str, head: &str, body: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let text = format!(
        "{head}\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

async fn login(url: &str, user: &str) -> String {
    let body = serde_json::json!({"user_id": user, "user_sig": support::sig(user), "platform": 1});
    let (status, answer) = request(url, "POST /v1/login HTTP/1.1", &body.to_string()).await;
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

/// A push stream read frame by frame (chunked transfer encoding).
struct PushReader {
    stream: BufReader<TcpStream>,
    pending: String,
}

impl PushReader {
    async fn open(url: &str, token: &str, cursor: u64) -> PushReader {
        let addr = url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let text = format!(
            "GET /v1/events/stream?cursor={cursor} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n"
        );
        stream.write_all(text.as_bytes()).await.unwrap();
        let mut stream = BufReader::new(stream);
        let mut line = String::new();
        loop {
            line.clear();
            stream.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
        }
        PushReader {
            stream,
            pending: String::new(),
        }
    }

    /// The next frame, `None` when the stream ended.
    async fn next(&mut self) -> Option<PushFrame> {
        loop {
            if let Some((line, rest)) = self.pending.split_once('\n') {
                let frame = serde_json::from_str(line).unwrap();
                self.pending = rest.to_owned();
                return Some(frame);
            }
            let mut size = String::new();
            self.stream.read_line(&mut size).await.ok()?;
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                return None;
            }
            let mut chunk = vec![0; size + 2];
            self.stream.read_exact(&mut chunk).await.ok()?;
            chunk.truncate(size);
            self.pending.push_str(&String::from_utf8(chunk).unwrap());
        }
    }

    /// Frames until `pick` takes one, within `wait`; also how many
    /// heartbeats came before it.
    async fn until<T>(
        &mut self,
        wait: Duration,
        mut pick: impl FnMut(&PushFrame) -> Option<T>,
    ) -> (T, usize) {
        let mut beats = 0;
        tokio::time::timeout(wait, async {
            loop {
                let frame = self.next().await.expect("the stream is open");
                if let Some(found) = pick(&frame) {
                    return (found, beats);
                }
                if matches!(frame, PushFrame::Heartbeat { .. }) {
                    beats += 1;
                }
            }
        })
        .await
        .expect("the frame came in time")
    }
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
    let (status, body) = send(old, "m-2").await;
    assert_eq!(status, 401, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], 6208);
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
    let (status, body) = request(&url, &sync, &pull).await;
    assert_eq!(status, 401, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], 6208);
}
