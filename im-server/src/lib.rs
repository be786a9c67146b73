//! The reference IM server: what the SDK's HTTP transport talks to.
//!
//! It checks Tencent UserSigs at login, keeps one message log per
//! conversation (sequences from 1 without gaps) and one event log per user
//! (cursors), pushes each user's events to every logged-in device over a
//! long-lived HTTP response, roams conversation state (pins, marks,
//! conversation groups, custom data, receive options, read positions)
//! between a user's devices, and serves groups, revokes, receipts and
//! files. Start it from code with [`Server::start`] (tests bind
//! `127.0.0.1:0`), or run the `im-server` binary.
//!
//! It runs as one process on SQLite (the default), or as several
//! stateless nodes behind a load balancer sharing one PostgreSQL, which
//! hear each other's writes through [`fanout`].
//!
//! It depends on `im-model` (the wire format it shares with the SDK) and
//! its own storage ([`store::ServerStore`]); it must not depend on the
//! SDK's crates.
#![forbid(unsafe_code)]

pub mod cli;
pub mod codes;
pub mod config;
pub mod fanout;
mod http;
pub mod hub;
pub mod metrics;
pub mod service;
pub mod session_cache;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
pub mod usersig;

use std::net::SocketAddr;
use std::sync::Arc;

use im_model::{Clock, SystemClock};
use tokio::sync::watch;

pub use config::ServerConfig;
pub use http::Limits;
pub use usersig::SigKey;

/// A running server; dropping it (or [`Server::stop`]) closes the listener
/// and every connection.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    store: Arc<dyn store::ServerStore>,
    shared: Arc<http::Shared>,
    retention: config::Retention,
}

impl Server {
    /// Opens its store (SQLite under `config.data_dir`, or the PostgreSQL
    /// of `config.database_url`) and starts serving on `config.listen`
    /// (port 0 picks a free port: see [`Server::addr`]).
    ///
    /// # Errors
    /// The address cannot be bound, or the database cannot be opened.
    pub async fn start(config: ServerConfig) -> std::io::Result<Server> {
        Server::builder(config).start().await
    }

    /// A server to start with parts other than the defaults (a clock, a
    /// fan-out).
    pub fn builder(config: ServerConfig) -> ServerBuilder {
        ServerBuilder {
            config,
            clock: Arc::new(SystemClock),
            fanout: None,
        }
    }

    /// [`Server::start`] with a clock (tests move time to expire UserSigs
    /// and revoke windows).
    ///
    /// # Errors
    /// The address cannot be bound, or the database cannot be opened.
    pub async fn start_with_clock(
        config: ServerConfig,
        clock: Arc<dyn Clock>,
    ) -> std::io::Result<Server> {
        Server::builder(config).clock(clock).start().await
    }

    async fn start_from(builder: ServerBuilder) -> std::io::Result<Server> {
        let ServerBuilder {
            config,
            clock,
            fanout,
        } = builder;
        let io = |e: im_model::ImError| std::io::Error::other(e.to_string());
        let store: Arc<dyn store::ServerStore> = match &config.database_url {
            Some(url) => Arc::new(
                store::PostgresStore::open(url, config.database_pool)
                    .await
                    .map_err(io)?,
            ),
            None => Arc::new(store::SqliteStore::open(&config.data_dir).map_err(io)?),
        };
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let key = SigKey::new(config.sdk_app_id, config.secret_key.clone());
        let hub = Arc::new(hub::Hub::new(config.limits.session_ttl));
        let metrics = Arc::new(metrics::Metrics::new());
        let fanout: Arc<dyn fanout::Fanout> = match (fanout, &config.database_url) {
            (Some(make), _) => make(hub.clone()),
            (None, Some(url)) => Arc::new(
                fanout::PgNotifyFanout::start(url, &config.node_id, hub.clone(), metrics.clone())
                    .map_err(std::io::Error::other)?,
            ),
            (None, None) => Arc::new(fanout::LocalFanout::new(hub.clone())),
        };
        let shared = Arc::new(http::Shared {
            service: service::Service::new(store.clone(), key, clock)
                .with_node(hub, fanout)
                .with_metrics(metrics)
                .with_profile_custom_fields(config.profile_custom_fields.clone()),
            limits: config.limits,
            files_dir: config.data_dir.join("files"),
            trusted_proxies: config.trusted_proxies.clone(),
            cors: http::Cors::new(config.cors_origins.clone()),
            web_dir: config.web_dir.clone(),
            public_url: config.public_url.clone(),
            files_need_login: config.files_need_login,
        });
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(trim_periodically(
            shared.clone(),
            config.retention.clone(),
            stopped.clone(),
        ));
        tokio::spawn(fan_out_queue(shared.clone(), stopped.clone()));
        let task = tokio::spawn(http::serve(listener, shared.clone(), stopped));
        tracing::info!(
            %addr,
            data_dir = %config.data_dir.display(),
            sdk_app_id = config.sdk_app_id,
            node = %config.node_id,
            database = if config.database_url.is_some() { "postgres" } else { "sqlite" },
            "im-server listening"
        );
        Ok(Server {
            addr,
            stop,
            task: Some(task),
            store,
            shared,
            retention: config.retention,
        })
    }

    /// Trims the event logs to the configured retention now (the server
    /// also does it every `retention.every`); returns the events removed.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn trim_event_logs(&self) -> im_model::ImResult<u64> {
        self.shared.service.trim_events(&self.retention).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL clients use (`http://<addr>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes every connection, and waits for the
    /// accept loop to end.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.store.close();
    }

    /// Runs until `shutdown` resolves (the binary passes ctrl-c or SIGTERM),
    /// then drains for `drain` (see [`Server::drain`]) and stops.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>, drain: std::time::Duration) {
        shutdown.await;
        self.drain(drain).await;
        tracing::info!("shutting down");
        self.stop().await;
    }

    /// Drains before a stop: for `grace`, the health check answers 503, so
    /// that a load balancer polling it sends new clients to other nodes,
    /// while this node still serves every request and push stream. The
    /// stop that follows ends the push streams, whose clients reconnect
    /// through the balancer and resume from their cursors elsewhere.
    pub async fn drain(&self, grace: std::time::Duration) {
        if grace.is_zero() {
            return;
        }
        tracing::info!(?grace, "draining: not ready for new clients");
        self.shared.service.drain();
        tokio::time::sleep(grace).await;
    }
}

/// A server about to start: [`Server::builder`], then [`ServerBuilder::start`].
pub struct ServerBuilder {
    config: ServerConfig,
    clock: Arc<dyn Clock>,
    fanout: Option<fanout::MakeFanout>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("config", &self.config)
            .field("custom_fanout", &self.fanout.is_some())
            .finish_non_exhaustive()
    }
}

impl ServerBuilder {
    /// The clock (tests move time to expire UserSigs and revoke windows).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> ServerBuilder {
        self.clock = clock;
        self
    }

    /// How committed changes reach push streams (default: this process's
    /// hub only, [`fanout::LocalFanout`]).
    #[must_use]
    pub fn fanout(mut self, make: fanout::MakeFanout) -> ServerBuilder {
        self.fanout = Some(make);
        self
    }

    /// Opens the data and starts serving on the configured address.
    ///
    /// # Errors
    /// The address cannot be bound, or the database cannot be opened.
    pub async fn start(self) -> std::io::Result<Server> {
        Server::start_from(self).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        self.store.close();
    }
}

/// How often a node looks at the fan-out queue without being woken (a
/// message another node queued, or one left by a node that died).
const FAN_OUT_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Fans out large groups' queued messages until the server stops: woken by
/// this node's sends, and every [`FAN_OUT_POLL`] for the others'.
async fn fan_out_queue(shared: Arc<http::Shared>, mut stopped: watch::Receiver<bool>) {
    loop {
        match shared.service.fan_out_queued().await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "the fan-out queue failed; tried again later"),
        }
        tokio::select! {
            () = shared.service.fan_out_queued_waiting() => {}
            () = tokio::time::sleep(FAN_OUT_POLL) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
    }
}

/// Trims the event logs every `retention.every` until the server stops.
async fn trim_periodically(
    shared: Arc<http::Shared>,
    retention: config::Retention,
    mut stopped: watch::Receiver<bool>,
) {
    let every = retention.every.max(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        if let Err(e) = shared.service.trim_events(&retention).await {
            tracing::warn!(error = %e, "trimming the event logs failed; tried again later");
        }
    }
}
