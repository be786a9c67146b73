//! The command line of the server, shared by the `im-server` binary and
//! `im-cli serve` so both take the same flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::FileConfig;
use crate::{Server, ServerConfig};

/// The server's flags. Settings come from the flags, then the environment,
/// then the config file (`--config`), then defaults. The secret key is the
/// one UserSigs are made with (Tencent's console key, used as text); keep it
/// out of shell history with IM_SECRET_KEY.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// A TOML file with any of: listen, data_dir, sdk_app_id, secret_key,
    /// event_retention_secs, event_retention_count, profile_custom_fields,
    /// database, node_id, cors_origins.
    #[arg(long, env = "IM_SERVER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where to listen [default: 127.0.0.1:8080]. Outside loopback, put a
    /// TLS proxy in front: a UserSig is a bearer credential.
    #[arg(long, env = "IM_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Where the database (server.db) and uploaded files live
    /// [default: ./im-server-data].
    #[arg(long, env = "IM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The app's SDKAppID (required).
    #[arg(long, env = "IM_SDK_APP_ID")]
    pub sdk_app_id: Option<u64>,
    /// The app's secret key (required).
    #[arg(long, env = "IM_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Log lines as JSON (for log collectors) instead of text.
    #[arg(long)]
    pub json_logs: bool,
    /// Seconds each user's server events are kept [default: 604800, 7
    /// days]. A device offline longer starts again from a snapshot.
    #[arg(long, env = "IM_EVENT_RETENTION_SECS")]
    pub event_retention_secs: Option<u64>,
    /// Newest server events kept per user [default: 100000].
    #[arg(long, env = "IM_EVENT_RETENTION_COUNT")]
    pub event_retention_count: Option<u64>,
    /// A custom profile field users may set (`Tag_Profile_Custom_<NAME>`,
    /// NAME 1 to 8 letters, digits or _); repeat or separate with commas,
    /// at most 20.
    #[arg(
        long = "profile-custom-field",
        env = "IM_PROFILE_CUSTOM_FIELDS",
        value_delimiter = ','
    )]
    pub profile_custom_fields: Vec<String>,
    /// PostgreSQL instead of SQLite (`postgres://user@host:port/db`), for
    /// several nodes behind a load balancer; uploaded files stay under
    /// --data-dir, which the nodes must share.
    #[arg(long, env = "IM_DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,
    /// This node's name in logs and cluster notifications [default: random].
    #[arg(long, env = "IM_NODE_ID")]
    pub node_id: Option<String>,
    /// A load balancer in front of this node whose X-Forwarded-For names
    /// the client (for the login throttle); repeat or separate with commas.
    #[arg(
        long = "trusted-proxy",
        env = "IM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// An origin whose web pages may call the server from a browser
    /// (`https://app.example.com`, or `*`); repeat or separate with commas.
    #[arg(long = "cors-origin", env = "IM_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// A folder of web files to serve under /web/: the browser SDK and its
    /// chat page (`cargo xtask web` builds them into target/web).
    #[arg(long, env = "IM_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// The base URL clients reach this server by (`https://im.example.com`),
    /// for the file links in messages [default: from each upload's Host].
    #[arg(long, env = "IM_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// File downloads need a logged-in session [default: a file's link
    /// works by itself, as Tencent's do, so it can go in an <img>].
    #[arg(long, env = "IM_FILES_NEED_LOGIN")]
    pub files_need_login: bool,
    /// Connections this node keeps to PostgreSQL [default: 16].
    #[arg(long, env = "IM_DATABASE_POOL")]
    pub database_pool: Option<usize>,
    /// Seconds to drain on SIGTERM before stopping: the health check
    /// answers 503 so the load balancer moves new clients away, while
    /// requests are still served [default: 0; behind a balancer, its
    /// health-check interval times its fall count].
    #[arg(long, env = "IM_DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,
}

impl ServerArgs {
    /// Merges the flags with the config file and the defaults.
    ///
    /// # Errors
    /// The config file cannot be read, or the app id or key is missing.
    pub fn resolve(&self) -> Result<ServerConfig, String> {
        let file = match &self.config {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        let listen = self
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let data_dir = self
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("im-server-data"));
        let sdk_app_id = self.sdk_app_id.or(file.sdk_app_id).ok_or(
            "--sdk-app-id (or IM_SDK_APP_ID, or sdk_app_id in the config file) is required",
        )?;
        let secret_key = self
            .secret_key
            .clone()
            .or(file.secret_key)
            .filter(|k| !k.is_empty())
            .ok_or(
                "--secret-key (or IM_SECRET_KEY, or secret_key in the config file) is required",
            )?;
        let mut config = ServerConfig::new(listen, data_dir, sdk_app_id, secret_key);
        if let Some(secs) = self.event_retention_secs.or(file.event_retention_secs) {
            config.retention.window = std::time::Duration::from_secs(secs);
        }
        if let Some(count) = self.event_retention_count.or(file.event_retention_count) {
            config.retention.max_events = count;
        }
        let fields = if self.profile_custom_fields.is_empty() {
            file.profile_custom_fields.unwrap_or_default()
        } else {
            self.profile_custom_fields.clone()
        };
        config.profile_custom_fields = crate::config::profile_custom_keys(&fields)?;
        config.database_url = self
            .database
            .clone()
            .or(file.database)
            .filter(|url| !url.is_empty());
        if let Some(node) = self.node_id.clone().or(file.node_id) {
            // It goes into every notification a node publishes (whose
            // payloads PostgreSQL caps at 8,000 bytes).
            if node.is_empty() || node.len() > 64 {
                return Err("--node-id: 1 to 64 bytes".into());
            }
            config.node_id = node;
        }
        config.trusted_proxies.clone_from(&self.trusted_proxies);
        config.cors_origins = if self.cors_origins.is_empty() {
            file.cors_origins.unwrap_or_default()
        } else {
            self.cors_origins.clone()
        };
        if let Some(pool) = self.database_pool {
            config.database_pool = pool.clamp(1, 1024);
        }
        config.web_dir = self.web_dir.clone().or(file.web_dir);
        config.public_url = match self.public_url.clone().or(file.public_url) {
            Some(url) => Some(crate::config::public_url(&url)?),
            None => None,
        };
        config.files_need_login = self.files_need_login || file.files_need_login == Some(true);
        Ok(config)
    }

    /// Installs the log subscriber (stderr; `RUST_LOG` filters, `info` by
    /// default), as text or as JSON lines.
    pub fn init_logging(&self) {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let logs = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr);
        // A second subscriber (a host that installed its own) is not an error.
        let _ = if self.json_logs {
            logs.json().try_init()
        } else {
            logs.try_init()
        };
    }

    /// Runs the server on its own runtime until ctrl-c or SIGTERM (what a
    /// service manager or an orchestrator sends), printing its address on
    /// stdout once it listens. Either stops it gracefully: it drains for
    /// `--drain-secs` (not ready, still serving), stops accepting, closes
    /// its connections (push streams end, clients reconnect elsewhere),
    /// and the writes already queued commit.
    ///
    /// # Errors
    /// The settings are incomplete, the runtime or the server cannot start.
    pub fn run_until_signal(&self) -> Result<(), String> {
        let config = self.resolve()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        runtime.block_on(async {
            let server = Server::start(config)
                .await
                .map_err(|e| format!("cannot start: {e}"))?;
            println!("im-server listening on {}", server.url());
            let drain = std::time::Duration::from_secs(self.drain_secs);
            server.run_until(stop_signal(), drain).await;
            Ok(())
        })
    }
}

/// Resolves on ctrl-c, or on SIGTERM where there are Unix signals.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => tracing::info!("SIGTERM"),
                }
                return;
            }
            Err(e) => tracing::warn!(error = %e, "no SIGTERM handler; ctrl-c only"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::ServerArgs;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        server: ServerArgs,
    }

    fn resolve(args: &[&str]) -> Result<crate::ServerConfig, String> {
        let mut all = vec![
            "im-server",
            "--sdk-app-id",
            "1400000000",
            "--secret-key",
            "k",
        ];
        all.extend(args);
        Cli::try_parse_from(all)
            .map_err(|e| e.to_string())?
            .server
            .resolve()
    }

    #[test]
    fn test_cluster_settings_are_read_and_checked() {
        let config = resolve(&[
            "--database",
            "postgres://im@db/im",
            "--node-id",
            "node1",
            "--database-pool",
            "0",
            "--trusted-proxy",
            "10.0.0.9",
            "--cors-origin",
            "https://a.example,https://b.example",
        ])
        .unwrap();
        assert_eq!(config.database_url.as_deref(), Some("postgres://im@db/im"));
        assert_eq!(config.node_id, "node1");
        assert_eq!(config.database_pool, 1, "clamped");
        assert_eq!(config.trusted_proxies.len(), 1);
        assert_eq!(config.cors_origins.len(), 2);
        let long = "n".repeat(65);
        let refused = resolve(&["--node-id", &long]).unwrap_err();
        assert!(refused.contains("--node-id"), "{refused}");
        assert_eq!(
            resolve(&[]).unwrap().database_url,
            None,
            "SQLite by default"
        );
    }

    #[test]
    fn test_file_link_settings_are_read_and_checked() {
        let defaults = resolve(&[]).unwrap();
        assert_eq!(defaults.public_url, None);
        assert!(!defaults.files_need_login, "file links work by themselves");
        let config = resolve(&[
            "--public-url",
            "https://im.example.com/chat/",
            "--files-need-login",
        ])
        .unwrap();
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://im.example.com/chat"),
            "without its trailing slash"
        );
        assert!(config.files_need_login);
        for bad in [
            "im.example.com",
            "ftp://im.example.com",
            "https://",
            "https://im.example.com/?a=1",
            "https://im example.com",
        ] {
            let refused = resolve(&["--public-url", bad]).unwrap_err();
            assert!(refused.contains("public URL"), "{bad}: {refused}");
        }
    }
}
