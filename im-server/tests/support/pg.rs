#![allow(dead_code)] // each test binary uses a part of it
//! A PostgreSQL server for the tests, with a new database per test.
//!
//! With `IM_TEST_DATABASE_URL` set (`cargo xtask ci` starts one cluster
//! for the whole run and sets it), the tests use that server. Otherwise
//! the first test of the binary starts a throwaway cluster with
//! `pg-throwaway.sh` beside this file, which stops and deletes it when its
//! stdin closes: when this process ends, however it ends.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// A server the tests create databases on.
pub struct Cluster {
    /// `postgres://user@host:port` (no database).
    pub base: String,
    /// The throwaway cluster's script, the pipe whose end (when this
    /// process ends) stops it, and its answers.
    throwaway: Option<Mutex<Throwaway>>,
}

struct Throwaway {
    _script: Child,
    commands: ChildStdin,
    answers: BufReader<ChildStdout>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The server, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| match std::env::var("IM_TEST_DATABASE_URL") {
        Ok(url) => Cluster {
            base: url.trim_end_matches('/').to_owned(),
            throwaway: None,
        },
        Err(_) => Cluster::start(),
    })
}

impl Cluster {
    /// A cluster of the caller's own, whatever `IM_TEST_DATABASE_URL`
    /// says (a test that restarts it must not disturb the others).
    pub fn own() -> Cluster {
        Cluster::start()
    }

    /// Restarts the server (a throwaway cluster only); returns once it
    /// takes connections again.
    pub fn restart(&self) {
        let mut throwaway = self
            .throwaway
            .as_ref()
            .expect("only a throwaway cluster restarts")
            .lock()
            .unwrap();
        writeln!(throwaway.commands, "restart").expect("the script reads");
        let mut line = String::new();
        throwaway
            .answers
            .read_line(&mut line)
            .expect("the script answers");
        assert_eq!(line.trim(), "restarted");
    }

    fn start() -> Cluster {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/pg-throwaway.sh");
        let mut child = Command::new("sh")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh runs");
        let commands = child.stdin.take().expect("the script's stdin");
        let mut answers = BufReader::new(child.stdout.take().expect("the script's stdout"));
        let mut line = String::new();
        let read = answers.read_line(&mut line);
        if read.is_err() || !line.starts_with("postgres://") {
            let mut why = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut err, &mut why);
            }
            panic!(
                "no PostgreSQL for the tests: {why}\nInstall it (Debian: apt-get install \
                 postgresql), or set IM_TEST_DATABASE_URL=postgres://user@host:port to a \
                 server the tests may create databases on"
            );
        }
        Cluster {
            base: line.trim().to_owned(),
            throwaway: Some(Mutex::new(Throwaway {
                _script: child,
                commands,
                answers,
            })),
        }
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t_{:016x}", fastrand::u64(..));
        let admin = format!("{}/postgres", self.base);
        // The sync client starts a runtime of its own: off the test's.
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&admin, postgres::NoTls)
                .expect("the test cluster answers");
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("a test database");
            name
        })
        .join()
        .map(|name| format!("{}/{name}", self.base))
        .expect("the database is created")
    }
}
