//! `im-cli chat`: a terminal chat client for one user over the SDK.
//!
//! [`core`] holds the state and runs the [`command`]s; [`plain`] is the
//! line mode (for scripts, or when stdin is not a terminal) and [`tui`] the
//! full-screen UI. Both take the same commands.

mod command;
mod core;
mod plain;
mod tui;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crate::connect::{self, Login};

/// Flags of `im-cli chat`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// The user to log in as.
    #[arg(long)]
    pub user: String,
    /// The server's address.
    #[arg(long, env = "IM_SERVER_URL", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// The user's UserSig. Without it, one is made from --secret-key.
    #[arg(long, env = "IM_USER_SIG", hide_env_values = true)]
    pub user_sig: Option<String>,
    /// The app's SDKAppID.
    #[arg(long, env = "IM_SDK_APP_ID")]
    pub sdk_app_id: u64,
    /// The app's secret key, to make a UserSig here (development only: a
    /// real app gets UserSigs from its own backend).
    #[arg(long, env = "IM_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Where the SDK keeps this user's data [default: ./im-cli-data/USER].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Tencent's platform number of this device (1 Windows, 2 Android, 3
    /// iOS, 4 Mac): a user has one session per platform.
    #[arg(long, default_value_t = 1)]
    pub platform: u32,
    /// Line mode: read commands from stdin, print replies and events (the
    /// default when stdin is not a terminal).
    #[arg(long)]
    pub plain: bool,
}

/// Logs in and runs the chosen mode until the user quits.
///
/// # Errors
/// No UserSig can be had, the login fails, or the terminal cannot be used.
pub fn run(args: ChatArgs) -> Result<(), String> {
    let user_sig = match (&args.user_sig, &args.secret_key) {
        (Some(sig), _) => sig.clone(),
        (None, Some(key)) if !key.is_empty() => im_server::SigKey::new(
            args.sdk_app_id,
            key.clone(),
        )
        .generate(&args.user, connect::unix_now(), 86_400),
        _ => {
            return Err(
                "give --user-sig (IM_USER_SIG) or --secret-key (IM_SECRET_KEY) to make one".into(),
            );
        }
    };
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("im-cli-data").join(&args.user));
    let plain = args.plain || !std::io::stdin().is_terminal();
    if !plain {
        // Logs would scribble over the full-screen UI; they go to a file.
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    }
    init_logging(plain, &data_dir);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let session = connect::log_in(&Login {
            server_url: &args.server,
            sdk_app_id: args.sdk_app_id,
            user_id: &args.user,
            user_sig: &user_sig,
            platform: args.platform,
            data_dir: &data_dir,
            sync_interval: Duration::from_secs(30),
        })
        .await
        .map_err(|e| {
            format!(
                "cannot log in as {} at {}: {} [{}]",
                args.user,
                args.server,
                e.message,
                e.code()
            )
        })?;
        let events = Box::pin(session.client.events());
        let client = session.client.clone();
        let chat = core::Chat::new(session, &args.user, &args.server).await;
        let outcome = match chat {
            Ok(chat) if plain => plain::run(chat, events).await,
            Ok(chat) => tui::run(chat, events).await,
            Err(e) => Err(e),
        };
        client.shutdown().await;
        outcome
    })
}

/// Line mode logs to stderr (warnings and up unless `RUST_LOG` says
/// otherwise); the full-screen UI logs to `chat.log` in the data directory.
fn init_logging(plain: bool, data_dir: &std::path::Path) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    let file = (!plain)
        .then(|| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(data_dir.join("chat.log"))
                .ok()
        })
        .flatten();
    let _ = match file {
        Some(file) => logs.with_writer(std::sync::Mutex::new(file)).try_init(),
        None => logs.with_writer(std::io::stderr).try_init(),
    };
}
