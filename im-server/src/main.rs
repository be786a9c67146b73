//! `im-server`: runs the reference IM server.

use clap::Parser;
use im_server::cli::ServerArgs;

/// The reference IM server: Tencent-compatible UserSig login, message
/// logs, push streams, roaming conversation state, groups and files, over
/// HTTP on SQLite, or as one of several nodes on PostgreSQL (--database).
///
/// Settings come from the flags, then the environment, then the config
/// file (`--config`), then defaults. The secret key is the one UserSigs are
/// made with (Tencent's console key, used as text); keep it out of shell
/// history with IM_SECRET_KEY.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    cli.server.init_logging();
    match cli.server.run_until_signal() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("im-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
