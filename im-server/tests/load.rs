//! Load and crash faults (reliability plan rows B1 and B2, at CI scale):
//! 20 users, 5 groups, thousands of messages sent concurrently over real
//! HTTP to the `im-server` binary, which is SIGKILLed and restarted twice
//! mid-load. Senders retry with the same message id until acknowledged.
//! Afterwards every user's event log must hold every message meant for
//! them exactly once and nothing else, and every conversation's sequences
//! must be 1..n without gaps.
//!
//! The same load runs on one node over SQLite (5,000 messages, the node
//! killed on its data directory) and on three nodes over one PostgreSQL
//! behind a round-robin TCP proxy (20,000 messages; one node killed twice
//! while the others serve, PostgreSQL restarted once).

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use im_model::wire::http::CreateGroupRequest;
use im_model::{ConvId, Message};
use im_transport::http::{HttpConfig, HttpTransport};
use im_transport::{EventPage, LoginRequest, PullRequest, SendRequest, ServerEvent, Transport};
use support::*;

const USERS: usize = 20;
const GROUPS: usize = 5;

/// The server binary as a child process on a fixed port.
struct Process {
    child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_server(port: u16, dir: &std::path::Path) -> Process {
    spawn_node(port, dir, None)
}

/// The binary on `port`, on SQLite under `dir`, or on PostgreSQL
/// (`database`: `(url, node id)`) with its files under `dir`.
fn spawn_node(port: u16, dir: &std::path::Path, database: Option<(&str, &str)>) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_im-server"));
    if let Some((url, node)) = database {
        command
            .args(["--database", url, "--node-id", node])
            .env("IM_DATABASE_POOL", "4");
    }
    let mut child = command
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--sdk-app-id",
            &APP.to_string(),
        ])
        .arg("--data-dir")
        .arg(dir)
        .env("IM_SECRET_KEY", KEY)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the im-server binary starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.contains("listening"),
        "unexpected first line: {line:?}"
    );
    Process { child }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn user(i: usize) -> String {
    format!("user{i:02}")
}

/// Sends until acknowledged, retrying transient failures with the same id.
async fn send_acked(t: &HttpTransport, conv: &ConvId, id: &str) -> u64 {
    let mut message = Message::text(format!("load {id}"));
    message.msg_id = Some(id.to_owned());
    for _ in 0..2_000 {
        match t
            .send_message(SendRequest {
                conv: conv.clone(),
                message: message.clone(),
            })
            .await
        {
            Ok(ack) => return ack.seq,
            Err(e) if e.code.is_transient() || e.code() == 10023 => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => panic!("send {id} failed for good: {e}"),
        }
    }
    panic!("send {id} never acknowledged");
}

/// Every event of `user`'s log, read from the start.
async fn whole_log(url: &str, name: &str) -> Vec<ServerEvent> {
    let mut config = HttpConfig::new(url);
    config.platform = 5;
    let t = HttpTransport::new(config).unwrap();
    t.login(LoginRequest {
        user_id: name.into(),
        user_sig: sig(name),
    })
    .await
    .unwrap();
    let mut cursor = 0;
    let mut events = Vec::new();
    loop {
        let EventPage::Events(batch) = t
            .pull_events(PullRequest {
                cursor,
                limit: 1000,
            })
            .await
            .unwrap()
        else {
            panic!("cursor 0 is never too old")
        };
        let more = batch.has_more;
        cursor = batch.next_cursor;
        events.extend(batch.events.into_iter().map(|e| e.event));
        if !more {
            return events;
        }
    }
}

/// Where the load goes: one node, or three behind a proxy, each with the
/// faults it is put through.
enum Deployment {
    /// One node on SQLite, restarted on its data directory when killed.
    Single {
        process: Process,
        port: u16,
        dir: tempfile::TempDir,
    },
    /// Three nodes on one PostgreSQL behind a round-robin proxy; node 2 is
    /// the one killed and restarted, and the database restarts once.
    Cluster {
        nodes: Vec<Process>,
        ports: Vec<u16>,
        proxy: std::net::SocketAddr,
        database: String,
        postgres: pg::Cluster,
        files: tempfile::TempDir,
    },
}

impl Deployment {
    fn single() -> Deployment {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let process = spawn_server(port, dir.path());
        Deployment::Single { process, port, dir }
    }

    async fn cluster() -> Deployment {
        // A cluster of its own: it is restarted mid-load.
        let postgres = pg::Cluster::own();
        let database = postgres.database();
        let files = tempfile::tempdir().unwrap();
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let nodes = ports
            .iter()
            .enumerate()
            .map(|(n, port)| {
                spawn_node(
                    *port,
                    files.path(),
                    Some((&database, &format!("node{}", n + 1))),
                )
            })
            .collect();
        let backends = ports
            .iter()
            .map(|p| std::net::SocketAddr::from(([127, 0, 0, 1], *p)))
            .collect();
        let proxy = round_robin_proxy(backends).await;
        Deployment::Cluster {
            nodes,
            ports,
            proxy,
            database,
            postgres,
            files,
        }
    }

    fn url(&self) -> String {
        match self {
            Deployment::Single { port, .. } => format!("http://127.0.0.1:{port}"),
            Deployment::Cluster { proxy, .. } => format!("http://{proxy}"),
        }
    }

    /// SIGKILLs a node (no shutdown path runs) and starts it again.
    async fn kill_and_restart(&mut self) {
        let (process, port, dir, database) = match self {
            Deployment::Single { process, port, dir } => (process, *port, dir.path(), None),
            Deployment::Cluster {
                nodes,
                ports,
                database,
                files,
                ..
            } => (
                &mut nodes[1],
                ports[1],
                files.path(),
                Some(database.as_str()),
            ),
        };
        process.child.kill().unwrap();
        process.child.wait().unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        *process = spawn_node(port, dir, database.map(|url| (url, "node2")));
    }

    /// Restarts PostgreSQL under the nodes (a cluster only).
    fn restart_database(&self) {
        if let Deployment::Cluster { postgres, .. } = self {
            // The script answers once the server is back (a second or so).
            tokio::task::block_in_place(|| postgres.restart());
        }
    }
}

/// A TCP proxy on 127.0.0.1 handing each connection to the next backend
/// in turn, skipping one that refuses: what a load balancer does.
async fn round_robin_proxy(backends: Vec<std::net::SocketAddr>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut next = 0usize;
        while let Ok((mut inbound, _)) = listener.accept().await {
            let start = next;
            next = next.wrapping_add(1);
            let backends = backends.clone();
            tokio::spawn(async move {
                for k in 0..backends.len() {
                    let backend = backends[(start + k) % backends.len()];
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(backend).await {
                        let _ = outbound.set_nodelay(true);
                        let _ = inbound.set_nodelay(true);
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        return;
                    }
                }
            });
        }
    });
    addr
}

async fn run_load(mut deployment: Deployment, messages: usize, kills: usize) {
    let url = deployment.url();
    let mut clients = Vec::new();
    for i in 0..USERS {
        clients.push(transport(&url, &user(i), 1).await);
    }
    // Group g: its owner and five more users.
    let mut members: Vec<BTreeSet<String>> = Vec::new();
    for g in 0..GROUPS {
        let set: BTreeSet<String> = (0..6).map(|k| user((g * 3 + k * 2) % USERS)).collect();
        let owner = set.iter().next().unwrap().clone();
        let owner_index: usize = owner[4..].parse().unwrap();
        clients[owner_index]
            .create_group(&CreateGroupRequest {
                group_id: format!("group{g}"),
                name: format!("Group {g}"),
                members: set.iter().cloned().collect(),
                details: Default::default(),
            })
            .await
            .unwrap();
        members.push(set);
    }
    let members = Arc::new(members);
    let acked = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for (i, client) in clients.iter().cloned().enumerate() {
        let (members, acked) = (members.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(i as u64);
            let mine: Vec<usize> = (0..GROUPS)
                .filter(|g| members[*g].contains(&user(i)))
                .collect();
            let mut sent = Vec::new();
            for n in 0..messages / USERS {
                let id = format!("{}-{n}", user(i));
                let conv = if !mine.is_empty() && rng.u8(0..5) == 0 {
                    ConvId::group(format!("group{}", mine[rng.usize(0..mine.len())])).unwrap()
                } else {
                    let mut peer = rng.usize(0..USERS);
                    if peer == i {
                        peer = (peer + 1) % USERS;
                    }
                    ConvId::c2c(user(peer)).unwrap()
                };
                send_acked(&client, &conv, &id).await;
                acked.fetch_add(1, Ordering::Relaxed);
                sent.push((conv, id));
            }
            sent
        }));
    }
    // The faults, each when its share of the messages is acknowledged:
    // the kills evenly spread, the database restart between the first two.
    let mut faults: Vec<(usize, bool)> = (0..kills)
        .map(|k| (messages * (k + 1) / (kills + 1), false))
        .collect();
    if matches!(deployment, Deployment::Cluster { .. }) {
        faults.push((messages * 2 / 5, true));
        faults.sort_unstable();
    }
    let started = std::time::Instant::now();
    for (threshold, database) in faults {
        while acked.load(Ordering::Relaxed) < threshold {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if database {
            deployment.restart_database();
        } else {
            deployment.kill_and_restart().await;
        }
    }
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, sender) in senders.into_iter().enumerate() {
        for (conv, id) in sender.await.unwrap() {
            let recipients: Vec<String> = match conv.conv_type() {
                im_model::ConvType::Group => {
                    let g: usize = conv.peer()[5..].parse().unwrap();
                    members[g].iter().cloned().collect()
                }
                _ => vec![user(i), conv.peer().to_owned()],
            };
            for r in recipients {
                expected.entry(r).or_default().insert(id.clone());
            }
        }
    }
    assert_eq!(acked.load(Ordering::Relaxed), messages);
    eprintln!(
        "{messages} messages acknowledged in {:?} with {kills} kills",
        started.elapsed()
    );
    for i in 0..USERS {
        let name = user(i);
        let log = whole_log(&url, &name).await;
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut seqs: BTreeMap<ConvId, Vec<u64>> = BTreeMap::new();
        for event in log {
            if let ServerEvent::NewMessage { conv, message } = event {
                let id = message.msg_id.clone().unwrap();
                *seen.entry(id.clone()).or_default() += 1;
                seqs.entry(conv).or_default().push(message.seq.unwrap());
            }
        }
        let duplicates: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            duplicates.is_empty(),
            "{name} got duplicates: {duplicates:?}"
        );
        let got: BTreeSet<String> = seen
            .into_keys()
            .filter(|id| !id.starts_with("tip-"))
            .collect();
        let want = expected.remove(&name).unwrap_or_default();
        assert_eq!(
            got.len(),
            want.len(),
            "{name}: {} delivered, {} meant for them",
            got.len(),
            want.len()
        );
        assert_eq!(got, want, "{name} got exactly what was meant for them");
        for (conv, list) in seqs {
            let contiguous: Vec<u64> = (1..=list.len() as u64).collect();
            assert_eq!(
                list, contiguous,
                "{name}'s view of {conv} has gaps or disorder"
            );
        }
    }
    drop(deployment);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_load_delivers_every_message_exactly_once_to_members_only() {
    run_load(Deployment::single(), 5_000, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_server_sigkilled_twice_mid_load_loses_and_duplicates_nothing() {
    run_load(Deployment::single(), 5_000, 2).await;
}

/// Three nodes on one PostgreSQL behind a round-robin proxy: node 2
/// SIGKILLed twice and restarted, PostgreSQL restarted once, mid-load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_three_nodes_with_a_node_killed_twice_and_the_database_restarted_lose_nothing() {
    let deployment = Deployment::cluster().await;
    run_load(deployment, 20_000, 2).await;
}

/// SIGTERM (what systemd or an orchestrator sends) stops the server
/// gracefully: it exits 0 with what it acknowledged kept, rather than dying
/// of the signal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = spawn_server(port, dir.path());
    let url = format!("http://127.0.0.1:{port}");
    let alice = transport(&url, "alice", 1).await;
    send_acked(&alice, &ConvId::c2c("bob").unwrap(), "before-term").await;
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status.code(), Some(0), "exited by itself: {status:?}");
    // What it acknowledged is there after a restart.
    let _server = spawn_server(port, dir.path());
    let log = whole_log(&url, "bob").await;
    assert_eq!(log.len(), 1, "{log:?}");
}
