//! Load and crash faults (reliability plan rows B1 and B2, at CI scale):
//! 20 users, 5 groups, 5,000 messages sent concurrently over real HTTP to
//! the `im-server` binary, which is SIGKILLed and restarted on the same
//! data directory twice mid-load. Senders retry with the same message id
//! until acknowledged. Afterwards every user's event log must hold every
//! message meant for them exactly once and nothing else, and every
//! conversation's sequences must be 1..n without gaps.

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
const MESSAGES: usize = 5_000;

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_im-server"))
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

async fn run_load(kills: usize) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut process = spawn_server(port, dir.path());
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
            for n in 0..MESSAGES / USERS {
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
    for k in 0..kills {
        let threshold = MESSAGES * (k + 1) / (kills + 1);
        while acked.load(Ordering::Relaxed) < threshold {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // SIGKILL: no shutdown path runs.
        process.child.kill().unwrap();
        process.child.wait().unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        process = spawn_server(port, dir.path());
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
    assert_eq!(acked.load(Ordering::Relaxed), MESSAGES);
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
    drop(process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_load_delivers_every_message_exactly_once_to_members_only() {
    run_load(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_server_sigkilled_twice_mid_load_loses_and_duplicates_nothing() {
    run_load(2).await;
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
