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
    /// How long and how much of each user's event log is kept.
    pub retention: Retention,
    /// The custom profile fields users may set, full keys
    /// (`Tag_Profile_Custom_<name>`, at most 20), as an app declares them
    /// in Tencent's console; setting any other is refused with 40009.
    pub profile_custom_fields: Vec<String>,
    /// PostgreSQL instead of SQLite (`postgres://user@host:port/db`): the
    /// database several nodes share. Uploaded files stay under `data_dir`,
    /// which the nodes must then share too (a network volume).
    pub database_url: Option<String>,
    /// Connections each node keeps to PostgreSQL.
    pub database_pool: usize,
    /// This node's name, in logs and in the notifications it publishes
    /// for the other nodes (unique per node; default: random).
    pub node_id: String,
    /// Load balancers in front of the node: a login's client address (for
    /// the throttle on failed UserSigs) is taken from their
    /// `X-Forwarded-For`; from anyone else the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Origins whose browser pages may call the server
    /// (`https://app.example.com` as browsers send it, or `*`): they get
    /// CORS answers and preflights; other pages cannot read the answers.
    pub cors_origins: Vec<String>,
    /// A folder of web files served under `/web/` (the browser SDK and
    /// its chat page, as `cargo xtask web` builds them into `target/web`).
    pub web_dir: Option<PathBuf>,
    /// The base URL clients reach this server by (`https://im.example.com`),
    /// for the links to uploaded files that messages carry. Unset, a link
    /// is made from the upload's own `Host` (and, from a trusted proxy,
    /// `X-Forwarded-Proto`).
    pub public_url: Option<String>,
    /// Whether downloading a file needs a logged-in session. By default a
    /// file link works by itself, as Tencent's do, so apps can put it in
    /// an `<img>` or a link: its 128 random bits are the permission.
    pub files_need_login: bool,
}

/// How much of each user's event log the server keeps. A device whose
/// cursor is older than what is kept starts again from a snapshot (what
/// a new device does), so the log only has to cover devices that were
/// offline for a while, and a new device's login never replays history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// Events older than this are trimmed (default 7 days).
    pub window: std::time::Duration,
    /// At most this many newest events are kept per user (default 100,000).
    pub max_events: u64,
    /// How often the trim runs (default every 10 minutes).
    pub every: std::time::Duration,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            window: std::time::Duration::from_secs(7 * 24 * 3600),
            max_events: 100_000,
            every: std::time::Duration::from_secs(600),
        }
    }
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
            retention: Retention::default(),
            profile_custom_fields: Vec::new(),
            database_url: None,
            database_pool: crate::store::DEFAULT_POOL_SIZE,
            node_id: random_node_id(),
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            web_dir: None,
            public_url: None,
            files_need_login: false,
        }
    }
}

/// A node id for a node that was not given one.
fn random_node_id() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        return format!("node-{}", std::process::id());
    }
    format!(
        "node-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
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
    /// `event_retention_secs = 604800`: events older are trimmed.
    pub event_retention_secs: Option<u64>,
    /// `event_retention_count = 100000`: newest events kept per user.
    pub event_retention_count: Option<u64>,
    /// `profile_custom_fields = ["Hobby", "Team"]`: custom profile fields.
    pub profile_custom_fields: Option<Vec<String>>,
    /// `database = "postgres://im@db:5432/im"`: PostgreSQL for several nodes.
    pub database: Option<String>,
    /// `node_id = "node-1"`.
    pub node_id: Option<String>,
    /// `cors_origins = ["https://app.example.com"]`: web pages allowed.
    pub cors_origins: Option<Vec<String>>,
    /// `web_dir = "target/web"`: the web files served under `/web/`.
    pub web_dir: Option<PathBuf>,
    /// `public_url = "https://im.example.com"`: the base of file links.
    pub public_url: Option<String>,
    /// `files_need_login = true`: file downloads need a session.
    pub files_need_login: Option<bool>,
}

/// A checked `public_url`: `http://` or `https://`, a host, at most a
/// path after it (no query, no fragment, no spaces), without a trailing
/// `/` (file paths are appended to it).
///
/// # Errors
/// Any other text, with what is wrong.
pub fn public_url(url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("public URL {url:?}: starts with https:// or http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("public URL {url:?}: has no host"));
    }
    if url.len() > 256
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
    {
        return Err(format!(
            "public URL {url:?}: at most 256 characters, no spaces, query or fragment"
        ));
    }
    Ok(url.to_owned())
}

/// Checks declared custom profile fields (1 to 8 ASCII letters, digits or
/// `_` each, with or without the prefix; at most 20) and gives their full
/// keys.
///
/// # Errors
/// A field name that is not valid, or more than 20 fields.
pub fn profile_custom_keys(names: &[String]) -> Result<Vec<String>, String> {
    use im_model::profile::{MAX_CUSTOM_FIELDS, full_custom_key, is_valid_custom_name};
    if names.len() > MAX_CUSTOM_FIELDS {
        return Err(format!(
            "at most {MAX_CUSTOM_FIELDS} custom profile fields are declared"
        ));
    }
    let mut keys = Vec::with_capacity(names.len());
    for name in names {
        if !is_valid_custom_name(name) {
            return Err(format!(
                "custom profile field {name:?}: 1 to 8 ASCII letters, digits or _"
            ));
        }
        let key = full_custom_key(name);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
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
