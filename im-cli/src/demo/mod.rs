//! The main job: the whole system, end to end, in one command.
//!
//! It starts the reference server embedded on 127.0.0.1 (a free port, data
//! in a temporary or given directory), logs in three users and a second
//! device of one of them, each an SDK client on its own SQLite store over
//! real HTTP, and plays [`script`]. Then it prints what each user sees
//! ([`report`]) and the checks it made on it ([`checks`]); it fails unless
//! every check passed.

mod checks;
mod people;
mod report;
mod script;

use std::path::PathBuf;

/// Flags of `im-cli demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Keep the server's and the clients' data under this directory (it
    /// must be empty or absent) instead of a temporary one removed at exit.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// How many messages the latency measurement sends.
    #[arg(long, default_value_t = DemoArgs::SAMPLES, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub samples: u32,
}

impl DemoArgs {
    const SAMPLES: u32 = 200;
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            data_dir: None,
            samples: DemoArgs::SAMPLES,
        }
    }
}

/// Runs the demo on its own runtime.
///
/// # Errors
/// A step could not be carried out, or a check failed (each is named).
pub fn run(args: DemoArgs) -> Result<(), String> {
    let (root, _temp) = match &args.data_dir {
        Some(dir) => {
            let occupied = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
            if occupied {
                return Err(format!(
                    "{} is not empty: the demo starts from nothing",
                    dir.display()
                ));
            }
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            (dir.clone(), None)
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("im-cli-demo-")
                .tempdir()
                .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let outcome = runtime.block_on(script::play(&root, args.samples as usize))?;
    report::print(&outcome);
    let failures = outcome.checks.failures();
    if failures.is_empty() {
        println!("demo: all {} checks passed", outcome.checks.len());
        Ok(())
    } else {
        for failure in &failures {
            println!("CHECK FAILED: {failure}");
        }
        Err(format!(
            "{} of {} checks failed",
            failures.len(),
            outcome.checks.len()
        ))
    }
}
