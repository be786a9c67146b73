//! `Client::builder()`: what a client is made of.

use std::sync::Arc;
use std::time::Duration;

use im_model::{Clock, ErrorCode, ImError, ImResult, SystemClock};
use im_msg::RetryPolicy;
use im_transport::Transport;

use crate::client::{Client, Config, StoreChoice, StoreOpener};

/// Builds a [`Client`]. The transport and the SDKAppID are required, and a
/// data directory (SQLite, the `sqlite` feature) or the in-memory store.
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    sdk_app_id: Option<u64>,
    store: Option<StoreChoice>,
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Arc<dyn Clock>>,
    retry: Option<RetryPolicy>,
    sync_interval: Option<Duration>,
}

impl ClientBuilder {
    /// The app's SDKAppID (from Tencent's console, or the reference server's
    /// configuration).
    pub fn sdk_app_id(mut self, sdk_app_id: u64) -> Self {
        self.sdk_app_id = Some(sdk_app_id);
        self
    }

    /// Keeps each user's data in a SQLite database under `dir`
    /// (`<dir>/<sdk_app_id>/<hex of the user id>/im.db`).
    #[cfg(feature = "sqlite")]
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.store = Some(StoreChoice::Sqlite(dir.into()));
        self
    }

    /// Keeps each user's data in a sled database under `dir`
    /// (`<dir>/<sdk_app_id>/<hex of the user id>/im.sled`) when the
    /// `sqlite` feature is off: an app picks the backend with a cargo
    /// feature and the same call.
    #[cfg(all(feature = "sled", not(feature = "sqlite")))]
    pub fn data_dir(self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.sled_data_dir(dir)
    }

    /// Keeps each user's data in a sled database under `dir`
    /// (`<dir>/<sdk_app_id>/<hex of the user id>/im.sled`).
    #[cfg(feature = "sled")]
    pub fn sled_data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.store = Some(StoreChoice::Sled(dir.into()));
        self
    }

    /// Keeps data in memory only (tests, demos): nothing survives the
    /// client.
    pub fn memory_store(mut self) -> Self {
        self.store = Some(StoreChoice::Memory);
        self
    }

    /// Keeps each user's data in the store `open` returns for the user id
    /// (called at each login, off the async workers). For stores the
    /// builder has no shortcut for, e.g. SQLite on a browser's OPFS.
    pub fn store_opener<F>(mut self, open: F) -> Self
    where
        F: Fn(&str) -> ImResult<Arc<dyn im_store::Store>> + Send + Sync + 'static,
    {
        self.store = Some(StoreChoice::Custom(StoreOpener(Arc::new(open))));
        self
    }

    /// How the client reaches the server.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The clock (tests inject a manual one); the system clock by default.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// When the send queue retries after a transient failure
    /// ([`RetryPolicy::default`]: 0.5 s doubling to 1 min, full jitter).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// How often the sync loop pulls server events when nothing wakes it
    /// (1 s by default).
    pub fn sync_interval(mut self, interval: Duration) -> Self {
        self.sync_interval = Some(interval);
        self
    }

    /// Builds the client. It must be called inside a tokio runtime: the
    /// client's calls and tasks run on it.
    ///
    /// # Errors
    /// `TIM_ERR_PARAM` (-4) for a missing SDKAppID, store or transport, or
    /// when called outside a tokio runtime.
    pub fn build(self) -> ImResult<Client> {
        let missing =
            |what: &str| ImError::new(ErrorCode::Param, format!("Client::builder(): {what}"));
        let sdk_app_id = self
            .sdk_app_id
            .filter(|id| *id > 0)
            .ok_or_else(|| missing("sdk_app_id is required (a positive number)"))?;
        let store = self
            .store
            .ok_or_else(|| missing("choose a store: data_dir(..) or memory_store()"))?;
        let transport = self
            .transport
            .ok_or_else(|| missing("transport(..) is required"))?;
        let runtime = crate::runtime::Runtime::current()
            .ok_or_else(|| missing("build() must run inside a tokio runtime"))?;
        Client::start(Config {
            sdk_app_id,
            store,
            transport,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            retry: self.retry.unwrap_or_default(),
            // At least a millisecond: a zero interval would pull in a busy loop.
            sync_interval: self
                .sync_interval
                .unwrap_or(Duration::from_secs(1))
                .max(Duration::from_millis(1)),
            runtime,
        })
    }
}
