//! The server spoken to without the SDK: one raw HTTP/1.1 request per
//! connection, and a push stream read frame by frame, for tests that
//! must see exactly what goes over the wire and when.

use std::time::Duration;

use im_model::wire::http::PushFrame;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One HTTP/1.1 request on its own connection: `head` is the request
/// line and any headers (Host, Content-Length and `Connection: close` are
/// added). The answer's text as far as it came within `wait` (a push
/// stream does not end by itself).
pub async fn exchange(url: &str, head: &str, body: &str, wait: Duration) -> String {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let text = format!(
        "{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// A JSON request on its own connection, answered whole: the status and
/// the body.
pub async fn request(url: &str, head: &str, body: &str) -> (u16, String) {
    let head = format!("{head}\r\nContent-Type: application/json");
    let answer = exchange(url, &head, body, Duration::from_secs(10)).await;
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or_else(String::new, |(_, body)| body.to_owned());
    (status, body)
}

pub async fn login(url: &str, user: &str) -> String {
    let body = serde_json::json!({"user_id": user, "user_sig": super::sig(user), "platform": 1});
    let (status, answer) = request(url, "POST /v1/login HTTP/1.1", &body.to_string()).await;
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

/// A push stream read frame by frame (chunked transfer encoding).
pub struct PushReader {
    stream: BufReader<TcpStream>,
    pending: String,
}

impl PushReader {
    pub async fn open(url: &str, token: &str, cursor: u64) -> PushReader {
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
    pub async fn next(&mut self) -> Option<PushFrame> {
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
    pub async fn until<T>(
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

/// Asserts that an answer is a refusal with this HTTP status and Tencent
/// code.
pub fn assert_refused((status, body): (u16, String), want_status: u16, want_code: i64) {
    assert_eq!(status, want_status, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("an error body");
    assert_eq!(body["code"], want_code, "{body}");
}
