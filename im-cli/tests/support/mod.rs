//! Driving the `im-cli` binary: a reference server on 127.0.0.1 (port 0,
//! data in a temporary directory) and chat clients as child processes,
//! read line by line or through a pseudo-terminal.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const APP: u64 = 1_400_000_002;
pub const KEY: &str = "im-cli-test-key";
/// How long any expected output may take.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_im-cli")
}

pub use im_server::testing::TestServer;

/// The reference server for these tests (their app and key).
pub fn start_server() -> TestServer {
    TestServer::start(APP, KEY)
}

/// The `chat` arguments for `user` against `server`, data under `dir`.
pub fn chat_command(server: &TestServer, user: &str, dir: &Path) -> Command {
    let mut command = Command::new(bin());
    command
        .args(["chat", "--user", user, "--server", &server.url])
        .arg("--data-dir")
        .arg(dir.join(user))
        .env("IM_SDK_APP_ID", APP.to_string())
        .env("IM_SECRET_KEY", KEY)
        .env_remove("IM_USER_SIG")
        .env_remove("RUST_LOG");
    command
}

/// A chat client in line mode.
pub struct Plain {
    pub user: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

impl Plain {
    pub fn start(server: &TestServer, user: &str, dir: &Path) -> Plain {
        let mut child = chat_command(server, user, dir)
            .arg("--plain")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        let mut plain = Plain {
            user: user.to_owned(),
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
        };
        plain.expect("* synced");
        plain
    }

    /// Sends one line.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Reads until a line equals `want`; returns the lines before it.
    pub fn expect(&mut self, want: &str) -> Vec<String> {
        self.expect_by(want, |line| line == want)
    }

    /// Reads until a line starts with `prefix`; returns that line.
    pub fn expect_prefix(&mut self, prefix: &str) -> String {
        self.expect_by(prefix, |line| line.starts_with(prefix));
        self.seen.last().cloned().unwrap()
    }

    fn expect_by(&mut self, what: &str, matches: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if matches(&line) {
                        return before;
                    }
                    before.push(line);
                }
                Err(_) => panic!(
                    "{}: no line {what:?} within {PATIENCE:?}; saw:\n{}",
                    self.user,
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Runs a command and returns its reply: the lines up to the next
    /// `/status` answer, which marks the end (commands are answered in
    /// order). Event lines (`<`, `*`) in between are left out.
    pub fn run(&mut self, line: &str) -> Vec<String> {
        self.send(line);
        self.send("/status");
        self.expect_by("the /status answer", |l| l.starts_with("logged in as "))
            .into_iter()
            .filter(|l| !l.starts_with("< ") && !l.starts_with("* "))
            .collect()
    }

    /// Closes stdin and waits for the exit code.
    pub fn finish(mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "{} did not exit", self.user);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Plain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
