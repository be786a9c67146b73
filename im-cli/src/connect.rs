//! Logging a user in to a server over HTTP: what the demo does for each of
//! its users and the chat client does once.

use std::path::Path;
use std::time::Duration;

use im_model::ImResult;
use im_msg::RetryPolicy;
use im_sdk::Client;
use im_transport::http::{HttpConfig, HttpTransport};

/// A logged-in SDK client (on SQLite, over the HTTP transport).
#[derive(Debug, Clone)]
pub struct Session {
    /// The SDK.
    pub client: Client,
}

/// Where and as whom to log in.
#[derive(Debug, Clone)]
pub struct Login<'a> {
    /// The server's base URL, `http://host:port`.
    pub server_url: &'a str,
    /// The app's SDKAppID.
    pub sdk_app_id: u64,
    /// The user.
    pub user_id: &'a str,
    /// The user's ticket.
    pub user_sig: &'a str,
    /// Tencent's platform number: one session per user and platform, so a
    /// second device of a user needs another.
    pub platform: u32,
    /// The SDK's data directory (SQLite).
    pub data_dir: &'a Path,
    /// How often the SDK pulls when push is quiet.
    pub sync_interval: Duration,
}

/// Builds a client on SQLite in `login.data_dir` and logs it in.
///
/// # Errors
/// The URL is not `http://host:port` (`TIM_ERR_PARAM`), the store cannot
/// open, or the login fails (the server's code, 9508 when unreachable).
pub async fn log_in(login: &Login<'_>) -> ImResult<Session> {
    let mut config = HttpConfig::new(login.server_url);
    config.platform = login.platform;
    let transport = HttpTransport::new(config)?;
    let client = Client::builder()
        .sdk_app_id(login.sdk_app_id)
        .data_dir(login.data_dir)
        .transport(std::sync::Arc::new(transport))
        .retry_policy(RetryPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(5),
        })
        .sync_interval(login.sync_interval)
        .build()?;
    if let Err(e) = client.login(login.user_id, login.user_sig).await {
        client.shutdown().await;
        return Err(e);
    }
    Ok(Session { client })
}

/// Seconds since the Unix epoch (UserSigs are dated with it).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
