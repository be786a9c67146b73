//! `im-cli`: the project's programs in one binary.
//!
//! - `demo` (the default): the main job. Starts the reference server
//!   embedded on 127.0.0.1, logs three users and a second device in, plays a
//!   script through the SDK, prints what each user sees, checks it, and
//!   exits 0 only if every check passed.
//! - `serve`: the reference server, with `im-server`'s flags.
//! - `chat`: a terminal chat client over the SDK, full-screen or line mode.
//! - `usersig`: prints a UserSig for a configured key.
//!
//! It is a leaf: nothing depends on it. It uses the SDK as an app would
//! (through `im-sdk`'s public API) and the server through its library.
#![forbid(unsafe_code)]

mod chat;
mod connect;
mod demo;
mod highlight;
mod render;
mod search;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The IM SDK's demo, reference server, chat client and UserSig tool.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// What to run (the demo when omitted).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The scripted demo: an embedded server, three users, every feature,
    /// checked (the main job).
    Demo(demo::DemoArgs),
    /// Runs the reference server (the flags of `im-server`; boxed, as the
    /// largest of the commands).
    Serve(Box<im_server::cli::ServerArgs>),
    /// A terminal chat client for one user.
    Chat(chat::ChatArgs),
    /// Prints a UserSig made with the app's secret key.
    Usersig(UserSigArgs),
}

/// Flags of `im-cli usersig`.
#[derive(Debug, clap::Args)]
struct UserSigArgs {
    /// The user the ticket is for.
    #[arg(long)]
    user: String,
    /// The app's SDKAppID.
    #[arg(long, env = "IM_SDK_APP_ID")]
    sdk_app_id: u64,
    /// The app's secret key.
    #[arg(long, env = "IM_SECRET_KEY", hide_env_values = true)]
    secret_key: String,
    /// Validity in seconds (Tencent's default is 180 days).
    #[arg(long, default_value_t = 180 * 86_400)]
    expire: i64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli
        .command
        .unwrap_or_else(|| Command::Demo(demo::DemoArgs::default()));
    let outcome = match command {
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => {
            args.init_logging();
            args.run_until_signal()
        }
        Command::Chat(args) => chat::run(args),
        Command::Usersig(args) => usersig(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("im-cli: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usersig(args: &UserSigArgs) -> Result<(), String> {
    if args.secret_key.is_empty() {
        return Err("the secret key is empty".into());
    }
    if args.expire <= 0 {
        return Err(format!("--expire must be positive, not {}", args.expire));
    }
    let key = im_server::SigKey::new(args.sdk_app_id, args.secret_key.clone());
    println!(
        "{}",
        key.generate(&args.user, connect::unix_now(), args.expire)
    );
    Ok(())
}
