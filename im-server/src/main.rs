//! `im-server`: runs the reference IM server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use im_server::config::FileConfig;
use im_server::{Server, ServerConfig};

/// The reference IM server: Tencent-compatible UserSig login, message
/// logs, push streams, roaming conversation state, groups and files, over
/// HTTP on SQLite.
///
/// Settings come from the flags, then the environment, then the config
/// file (`--config`), then defaults. The secret key is the one UserSigs are
/// made with (Tencent's console key, used as text); keep it out of shell
/// history with IM_SECRET_KEY.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// A TOML file with any of: listen, data_dir, sdk_app_id, secret_key.
    #[arg(long, env = "IM_SERVER_CONFIG")]
    config: Option<PathBuf>,
    /// Where to listen [default: 127.0.0.1:8080]. Outside loopback, put a
    /// TLS proxy in front: a UserSig is a bearer credential.
    #[arg(long, env = "IM_LISTEN")]
    listen: Option<SocketAddr>,
    /// Where the database (server.db) and uploaded files live
    /// [default: ./im-server-data].
    #[arg(long, env = "IM_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The app's SDKAppID (required).
    #[arg(long, env = "IM_SDK_APP_ID")]
    sdk_app_id: Option<u64>,
    /// The app's secret key (required).
    #[arg(long, env = "IM_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Log lines as JSON (for log collectors) instead of text.
    #[arg(long)]
    json_logs: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if args.json_logs {
        logs.json().init();
    } else {
        logs.init();
    }
    match run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("im-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let file = match &args.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let data_dir = args
        .data_dir
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("im-server-data"));
    let sdk_app_id = args
        .sdk_app_id
        .or(file.sdk_app_id)
        .ok_or("--sdk-app-id (or IM_SDK_APP_ID, or sdk_app_id in the config file) is required")?;
    let secret_key = args
        .secret_key
        .or(file.secret_key)
        .filter(|k| !k.is_empty())
        .ok_or("--secret-key (or IM_SECRET_KEY, or secret_key in the config file) is required")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let server = Server::start(ServerConfig::new(listen, data_dir, sdk_app_id, secret_key))
            .await
            .map_err(|e| format!("cannot start: {e}"))?;
        println!("im-server listening on {}", server.url());
        server
            .run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        Ok(())
    })
}
