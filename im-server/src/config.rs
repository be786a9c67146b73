//! The server's settings: flags, an optional TOML file, defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::http::Limits;

/// What a server needs to run.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Where the database and uploaded files live.
    pub data_dir: PathBuf,
    /// The app's SDKAppID.
    pub sdk_app_id: u64,
    /// The app's secret key (UserSigs are checked with it).
    pub secret_key: String,
    /// Connection and body limits.
    pub limits: Limits,
}

impl ServerConfig {
    /// A server on `listen` keeping its data in `data_dir`, for one app.
    pub fn new(
        listen: SocketAddr,
        data_dir: impl Into<PathBuf>,
        sdk_app_id: u64,
        secret_key: impl Into<String>,
    ) -> ServerConfig {
        ServerConfig {
            listen,
            data_dir: data_dir.into(),
            sdk_app_id,
            secret_key: secret_key.into(),
            limits: Limits::default(),
        }
    }
}

/// The optional config file (TOML); flags override it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `listen = "0.0.0.0:8080"`.
    pub listen: Option<SocketAddr>,
    /// `data_dir = "/var/lib/im-server"`.
    pub data_dir: Option<PathBuf>,
    /// `sdk_app_id = 1400000000`.
    pub sdk_app_id: Option<u64>,
    /// `secret_key = "..."`.
    pub secret_key: Option<String>,
}

impl FileConfig {
    /// Reads and parses a config file.
    ///
    /// # Errors
    /// The file cannot be read or is not this TOML.
    pub fn load(path: &std::path::Path) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}
