//! Project automation, run as `cargo xtask <command>`.
//!
//! * `ci [fmt|clippy|docs|tidy|header|web|test]`: every check CI runs, in
//!   that order (tests last, so the test summary closes the output), or one
//!   of them. `web` builds the browser SDK (`web` below), checks its
//!   TypeScript declarations against Tencent's and runs the headless
//!   Chromium tests (needs the wasm32 target, clang, wasm-bindgen-cli
//!   0.2.130, Node.js and Debian's chromium and chromium-driver). `ci wasm`
//!   (not in the default list: `web` builds the same crates) only builds
//!   the engine's crates for `wasm32-unknown-unknown`.
//! * `web`: the browser SDK and its chat page, into `target/web` (module
//!   `web`).
//! * `bench`: the criterion benchmarks; `bench web`: the browser SDK's
//!   (headless Chromium against native, in one run).
//! * `tidy`: the dependency-layer rules of ARCHITECTURE.md.
//! * `header [--check]`: im-ffi's C header, generated with cbindgen.
//! * `mutants [cargo-mutants args]`: mutation testing of the logic crates'
//!   rule-bearing files (minutes, not run in CI; use before stopping).

mod header;
mod mutants;
mod tidy;
mod web;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// Runs a command in the project root, echoing it; `Err` on failure.
fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    eprintln!("$ {program} {}", args.join(" "));
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(project_root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed with {status}",
            args.join(" ")
        ))
    }
}

fn has_nextest() -> bool {
    Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A throwaway PostgreSQL cluster for the tests that need one (started by
/// the script the tests themselves use); it stops and is deleted when the
/// returned child's stdin closes, that is when this process drops it or
/// ends.
struct Postgres {
    url: String,
    script: std::process::Child,
}

impl Postgres {
    fn start() -> Result<Postgres, String> {
        use std::io::BufRead;
        let script = project_root().join("im-server/tests/support/pg-throwaway.sh");
        let mut child = Command::new("sh")
            .arg(&script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("the script has no stdout")?;
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("the PostgreSQL script: {e}"))?;
        if !line.starts_with("postgres://") {
            return Err(
                "the server's tests need PostgreSQL (Debian: apt-get install postgresql)".into(),
            );
        }
        eprintln!("throwaway PostgreSQL at {}", line.trim());
        Ok(Postgres {
            url: line.trim().to_owned(),
            script: child,
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Closing its stdin stops and deletes the cluster.
        drop(self.script.stdin.take());
        let _ = self.script.wait();
    }
}

fn ci_step(step: &str) -> Result<(), String> {
    match step {
        "fmt" => run("cargo", &["fmt", "--all", "--", "--check"], &[]),
        "clippy" => run(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ),
        "docs" => run(
            "cargo",
            &["doc", "--workspace", "--no-deps"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        ),
        "wasm" => web::cargo_wasm(
            "build",
            &[
                "--target",
                "wasm32-unknown-unknown",
                // The engine for the browser (issue 19): the model, the
                // stores (SQLite compiled for wasm by sqlite-wasm-rs),
                // the logic, the transport contract and the client.
                "-p",
                "im-model",
                "-p",
                "im-store",
                "-p",
                "im-store-sqlite",
                "-p",
                "im-conv",
                "-p",
                "im-msg",
                "-p",
                "im-transport",
                "-p",
                "im-sdk",
            ],
            &[],
        ),
        "tidy" => tidy::check(&project_root()),
        "header" => header::run(&project_root(), true),
        "web" => {
            // The browser SDK: its browser-only code linted for the
            // browser target, the bundle, its declarations against
            // Tencent's, the store conformance suite in a browser worker,
            // and the headless-Chromium tests on the bundle.
            web::cargo_wasm(
                "clippy",
                &[
                    "-p",
                    "im-web",
                    "-p",
                    "im-transport",
                    "--features",
                    "im-transport/fetch",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--",
                    "-D",
                    "warnings",
                ],
                &[],
            )?;
            web::build()?;
            let types = project_root().join("im-web/types-test");
            let types = web::path_text(&types)?;
            run(
                "npm",
                &["ci", "--no-audit", "--no-fund", "--prefix", &types],
                &[],
            )?;
            run(
                "npm",
                &["exec", "--prefix", &types, "--", "tsc", "-p", &types],
                &[],
            )?;
            // The store conformance suite in a dedicated worker, on OPFS
            // (wasm-bindgen-test-runner drives Chromium; im-web/webdriver.json
            // has its flags).
            web::cargo_wasm(
                "test",
                &[
                    "-p",
                    "im-web",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "opfs_conformance",
                ],
                &[
                    (
                        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                        "wasm-bindgen-test-runner",
                    ),
                    ("CHROMEDRIVER", "/usr/bin/chromedriver"),
                    ("WASM_BINDGEN_TEST_TIMEOUT", "600"),
                ],
            )?;
            let dist = web::path_text(&web::out_dir())?;
            run(
                "cargo",
                &[
                    "test",
                    "-p",
                    "im-web",
                    "--test",
                    "browser",
                    "--",
                    "--ignored",
                ],
                &[("IM_WEB_DIST", dist.as_str())],
            )
        }
        "test" => {
            run("cargo", &["test", "--workspace", "--doc"], &[])?;
            // One PostgreSQL cluster for the whole run (each test makes its
            // own database in it), rather than one per test process.
            let postgres = Postgres::start()?;
            let pg = [("IM_TEST_DATABASE_URL", postgres.url.as_str())];
            // The server's end-to-end tests (those that start it through
            // `support::server_with`) once more, on PostgreSQL.
            let end_to_end = [
                "exchange",
                "fanout",
                "faults",
                "files",
                "first_sync",
                "group_info",
                "group_members",
                "health",
                "profiles",
                "security",
            ];
            let mut on_pg_args = vec!["-p", "im-server", "--no-fail-fast"];
            for test in end_to_end {
                on_pg_args.extend(["--test", test]);
            }
            let on_pg = [
                ("IM_TEST_DATABASE_URL", postgres.url.as_str()),
                ("IM_TEST_SERVER_DATABASE", "postgres"),
            ];
            // The SDK on the sled store: the tests its `sled` feature adds.
            let sled = ["-p", "im-sdk", "--features", "sled", "--no-fail-fast"];
            // The C API with panics injected into every call (plan C2).
            let panics = [
                "-p",
                "im-ffi",
                "--features",
                "inject-panic",
                "--test",
                "panic",
            ];
            if has_nextest() {
                run(
                    "cargo",
                    &["nextest", "run", "--workspace", "--no-fail-fast"],
                    &pg,
                )?;
                let mut args = vec!["nextest", "run"];
                args.extend(&on_pg_args);
                run("cargo", &args, &on_pg)?;
                let mut args = vec!["nextest", "run"];
                args.extend(sled);
                args.extend(["-E", "test(sled)"]);
                run("cargo", &args, &[])?;
                let mut args = vec!["nextest", "run"];
                args.extend(panics);
                run("cargo", &args, &[])
            } else {
                run("cargo", &["test", "--workspace", "--no-fail-fast"], &pg)?;
                let mut args = vec!["test"];
                args.extend(&on_pg_args);
                run("cargo", &args, &on_pg)?;
                let mut args = vec!["test"];
                args.extend(sled);
                args.extend(["--", "sled"]);
                run("cargo", &args, &[])?;
                let mut args = vec!["test"];
                args.extend(panics);
                run("cargo", &args, &[])
            }
        }
        other => Err(format!(
            "unknown ci step {other:?} (fmt, clippy, docs, tidy, header, wasm, web, test)"
        )),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["ci"] => ["fmt", "clippy", "docs", "tidy", "header", "web", "test"]
            .iter()
            .try_for_each(|step| ci_step(step)),
        ["ci", step] => ci_step(step),
        ["tidy"] => tidy::check(&project_root()),
        ["header"] => header::run(&project_root(), false),
        ["header", "--check"] => header::run(&project_root(), true),
        ["web"] => web::build(),
        ["mutants", rest @ ..] => mutants::run_mutants(rest),
        ["bench", "web"] => web::build().and_then(|()| {
            run(
                "cargo",
                &[
                    "bench",
                    "-p",
                    "im-web",
                    "--features",
                    "browser-bench",
                    "--bench",
                    "browser",
                ],
                &[],
            )
        }),
        ["bench", rest @ ..] => {
            let mut bench_args = vec!["bench", "--workspace", "--"];
            bench_args.extend(rest);
            run("cargo", &bench_args, &[])
        }
        _ => Err(
            "usage: cargo xtask ci [fmt|clippy|docs|tidy|header|wasm|web|test] | bench [criterion args] | bench web | tidy \
             | header [--check] | web\
             | mutants [cargo-mutants args]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
