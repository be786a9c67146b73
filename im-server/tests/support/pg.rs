//! A throwaway PostgreSQL cluster for the tests: initdb in a temporary
//! folder, one server on 127.0.0.1, one new database per test.
//!
//! With `IM_TEST_DATABASE_URL` set (a server the caller runs), the tests
//! use it instead, still with a new database each. Otherwise the first
//! test of the binary starts a cluster from the PostgreSQL binaries of
//! Debian's `postgresql` package. The server runs under a small watchdog
//! shell that reads its stdin from this process: when the test process
//! ends, however it ends, the pipe closes and the watchdog stops the
//! server (`pg_ctl stop`: a background job of a shell ignores SIGINT) and
//! deletes the folder, so no server outlives the tests.
//!
//! As root (CI), `initdb` and `postgres` refuse to run, so both run as the
//! `postgres` system user the package creates.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A cluster for this test binary.
pub struct Cluster {
    /// `postgres://postgres@127.0.0.1:<port>` (no database).
    pub base: String,
    /// The watchdog, and the pipe whose end (when this process ends)
    /// stops it: kept, never read.
    _watchdog: Option<(Child, ChildStdin)>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| match std::env::var("IM_TEST_DATABASE_URL") {
        Ok(url) => Cluster {
            base: url.trim_end_matches('/').to_owned(),
            _watchdog: None,
        },
        // The sync client starts a runtime of its own: off the test's.
        Err(_) => std::thread::spawn(Cluster::start)
            .join()
            .unwrap_or_else(|_| panic!("the test cluster did not start")),
    })
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(Result::ok)
                .map(|d| d.path().join("bin"))
                .filter(|bin| bin.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL is needed for these tests: install it (Debian: apt-get install \
             postgresql) or set IM_TEST_DATABASE_URL=postgres://user@host:port to a server \
             the tests may create databases on"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A command run as the `postgres` user when this process is root.
fn as_owner(program: &Path, root: bool) -> Command {
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    fn start() -> Cluster {
        let bin = bin_dir();
        let root = is_root();
        let dir = tempfile::Builder::new()
            .prefix("im-pg-")
            .tempdir()
            .expect("a temporary folder")
            .keep();
        if root {
            let chown = Command::new("chown")
                .arg("postgres:")
                .arg(&dir)
                .status()
                .expect("chown runs");
            assert!(chown.success(), "chown of {} to postgres", dir.display());
        }
        let data = dir.join("data");
        let initdb = as_owner(&bin.join("initdb"), root)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ])
            .output()
            .expect("initdb runs");
        assert!(
            initdb.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        let port = free_port();
        // The watchdog: starts the server, waits for its stdin to close
        // (this process ended), then stops the server and removes the
        // folder. Durability settings are off: the cluster is thrown away.
        let script = r#"
            "$1/postgres" -D "$2/data" -c listen_addresses=127.0.0.1 -c port="$3" \
                -c unix_socket_directories="$2" -c max_connections=300 \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
                >"$2/server.log" 2>&1 &
            pid=$!
            cat >/dev/null
            "$1/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null 2>&1 || kill -KILL "$pid"
            wait "$pid"
            rm -rf "$2"
        "#;
        let mut child = as_owner(Path::new("/bin/sh"), root)
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(&bin)
            .arg(&dir)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the PostgreSQL watchdog starts");
        let stdin = child.stdin.take().expect("the watchdog's stdin");
        let base = format!("postgres://postgres@127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match postgres::Client::connect(&format!("{base}/postgres"), postgres::NoTls) {
                Ok(client) => {
                    drop(client);
                    break;
                }
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => {
                    let mut log = String::new();
                    let _ = std::fs::File::open(dir.join("server.log"))
                        .and_then(|mut f| f.read_to_string(&mut log));
                    panic!("PostgreSQL did not start: {e}\n{log}");
                }
            }
        }
        Cluster {
            base,
            _watchdog: Some((child, stdin)),
        }
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t_{:016x}", fastrand::u64(..));
        let admin = format!("{}/postgres", self.base);
        // The sync client runs its own runtime: off any async worker.
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
