//! End-to-end wiring: the real server on 127.0.0.1 (port 0) with its data
//! in a temporary directory, and im-sdk clients on SQLite in temporary
//! directories talking to it over real HTTP.

#![allow(dead_code)]

pub mod pg;
pub mod raw;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use im_model::message::Message;
use im_msg::{MsgEvent, RetryPolicy};
use im_sdk::{Client, SdkEvent};
use im_server::{Server, ServerConfig, SigKey};
use im_transport::http::{HttpConfig, HttpTransport};

pub const APP: u64 = 1_400_000_001;
pub const KEY: &str = "e2e-secret-key-of-the-test-app";

pub fn key() -> SigKey {
    SigKey::new(APP, KEY)
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A valid UserSig for a day.
pub fn sig(user: &str) -> String {
    key().generate(user, now(), 86_400)
}

/// The server with its data directory.
pub struct TestServer {
    pub server: Server,
    pub dir: tempfile::TempDir,
}

pub async fn server() -> TestServer {
    server_with(|_| {}).await
}

/// The server, with `configure` run on its config first. With
/// `IM_TEST_SERVER_DATABASE=postgres`, on a new PostgreSQL database (the
/// end-to-end tests run against both backends that way).
pub async fn server_with(configure: impl FnOnce(&mut ServerConfig)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.path(), APP, KEY);
    if std::env::var("IM_TEST_SERVER_DATABASE").as_deref() == Ok("postgres") {
        config.database_url = Some(pg::cluster().database());
        config.database_pool = 4;
    }
    configure(&mut config);
    let server = Server::start(config).await.unwrap();
    TestServer { server, dir }
}

/// A raw transport (no SDK) logged in as `user` on `platform`.
pub async fn transport(url: &str, user: &str, platform: u32) -> HttpTransport {
    let mut config = HttpConfig::new(url);
    config.platform = platform;
    let transport = HttpTransport::new(config).unwrap();
    im_transport::Transport::login(
        &transport,
        im_transport::LoginRequest {
            user_id: user.into(),
            user_sig: sig(user),
        },
    )
    .await
    .unwrap();
    transport
}

/// An SDK client on SQLite in its own directory, logged in as `user`. The
/// sync interval is a minute: anything that arrives sooner came by push.
pub struct Device {
    pub client: Client,
    pub transport: HttpTransport,
    pub events: std::pin::Pin<Box<dyn futures::Stream<Item = SdkEvent> + Send>>,
    pub dir: Option<tempfile::TempDir>,
}

pub async fn device(url: &str, user: &str, platform: u32) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let mut device = device_at(url, user, platform, dir.path()).await;
    device.dir = Some(dir);
    device
}

/// A device keeping its data in `dir` (which outlives it: restarts).
pub async fn device_at(url: &str, user: &str, platform: u32, dir: &std::path::Path) -> Device {
    let mut config = HttpConfig::new(url);
    config.platform = platform;
    device_with(config, user, dir).await
}

/// A device on a transport configured by the test, keeping its data in `dir`.
pub async fn device_with(config: HttpConfig, user: &str, dir: &std::path::Path) -> Device {
    let transport = HttpTransport::new(config).unwrap();
    let client = Client::builder()
        .sdk_app_id(APP)
        .data_dir(dir)
        .transport(Arc::new(transport.clone()))
        .retry_policy(RetryPolicy {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(200),
        })
        .sync_interval(Duration::from_secs(60))
        .build()
        .unwrap();
    let events = Box::pin(client.events());
    client.login(user, &sig(user)).await.unwrap();
    Device {
        client,
        transport,
        events,
        dir: None,
    }
}

impl Device {
    /// Waits until the device's first sync finished: what arrives after
    /// this comes as events (what arrived before is in its snapshot).
    pub async fn first_sync(&mut self) {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match self.events.next().await {
                    Some(SdkEvent::SyncFinished) => return,
                    Some(_) => {}
                    None => panic!("the event stream ended"),
                }
            }
        })
        .await
        .expect("the first sync finished");
    }

    /// Waits for new messages until `n` arrived (10 s at most).
    pub async fn receive(&mut self, n: usize) -> Vec<Message> {
        let mut got = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), async {
            while got.len() < n {
                match self.events.next().await {
                    Some(SdkEvent::Message(MsgEvent::NewMessages(list))) => got.extend(list),
                    Some(_) => {}
                    None => panic!("the event stream ended"),
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("only {} of {n} messages arrived", got.len()));
        got
    }

    /// Waits for an event matching `pick` (10 s at most).
    pub async fn wait_for<T>(&mut self, mut pick: impl FnMut(&SdkEvent) -> Option<T>) -> T {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let event = self.events.next().await.expect("the event stream ended");
                if let Some(found) = pick(&event) {
                    return found;
                }
            }
        })
        .await
        .expect("the event did not come within 10 s")
    }
}

impl Device {
    /// Feeds every event to `take` until `done` holds, then for 300 ms more
    /// (so that an event arriving twice is seen); panics after 10 s.
    pub async fn gather<T>(
        &mut self,
        mut state: T,
        mut take: impl FnMut(&mut T, &SdkEvent),
        done: impl Fn(&T) -> bool,
    ) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let settled = done(&state);
            let wait = if settled {
                Duration::from_millis(300)
            } else {
                deadline.saturating_duration_since(tokio::time::Instant::now())
            };
            match tokio::time::timeout(wait, self.events.next()).await {
                Ok(Some(event)) => take(&mut state, &event),
                Ok(None) => panic!("the event stream ended"),
                Err(_) if settled => return state,
                Err(_) => panic!("what was awaited did not come within 10 s"),
            }
        }
    }
}

/// The text of a message's first element.
pub fn text_of(message: &Message) -> String {
    match message.elem_array.as_deref() {
        Some([im_model::Elem::Text(t), ..]) => t.content.clone().unwrap_or_default(),
        _ => String::new(),
    }
}
