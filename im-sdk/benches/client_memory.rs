//! Resident memory of a client process over a large SQLite store.
//!
//! Builds (once, cached under `target/bench-data/`) a store of
//! `BENCH_MESSAGES` messages (default 1,000,000) in `BENCH_CONVERSATIONS`
//! conversations (default 100,000), the data set of the store benchmark,
//! laid out where `Client` looks for it. Then runs two child processes on
//! it, each a fresh process so that nothing of the build is counted:
//!
//! * the client: `Client` over that store (the test double as its server,
//!   with the store's cursor set, so login opens it and syncs nothing),
//!   then conversation pages of every filter shape of the store benchmark, history pages of 50
//!   conversations, and local searches (all conversations in Tencent's
//!   shape, and within one conversation);
//! * the baseline: a bare rusqlite connection on the same file reading a
//!   page of 100 conversations and a history page of 20.
//!
//! Each prints its resident set (`VmRSS`) after every step and its peak
//! (`VmHWM`). Target: the client under 64 MiB. Run with
//! `cargo bench -p im-sdk --bench client_memory` (part of `cargo xtask bench`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use im_model::SystemClock;
use im_model::message::{MessageSearchParam, MsgGetMsgListParam};
use im_store::conformance::bench_data;
use im_store::{ConversationStore, WriteBatch, WriteOp};
use im_store_sqlite::SqliteStore;
use im_transport::testing::TestTransport;

const SDK_APP_ID: u64 = 1_400_000_000;
const USER: &str = "alice";
const CHILD: &str = "CLIENT_MEMORY_CHILD";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `(VmRSS, VmHWM)` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn report(step: &str) {
    let (rss, peak) = memory_kib();
    println!("{step}\t{rss}\t{peak}");
}

/// Where `Client` keeps the store of `USER` under `data_dir`.
fn store_path(data_dir: &Path) -> PathBuf {
    im_sdk::user_data_dir(data_dir, SDK_APP_ID, USER).join(im_sdk::SQLITE_STORE_FILE)
}

/// Builds the data set unless a complete one is cached.
fn build_once(data_dir: &Path, messages: u64, conversations: u64) {
    let done = data_dir.join("complete");
    if done.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(data_dir);
    let path = store_path(data_dir);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    eprintln!("building {messages} messages in {}", path.display());
    let store = SqliteStore::open(&path).unwrap();
    bench_data::load(&store, messages, conversations, 1000).unwrap();
    // A cursor: the client has synced before, so login resumes from the
    // (empty) event log of the test double instead of a first sync.
    let mut batch = WriteBatch::new();
    batch.push(WriteOp::PutSetting {
        key: im_msg::EVENT_CURSOR_KEY.to_owned(),
        value: "0".to_owned(),
    });
    store.apply(&batch).unwrap();
    drop(store);
    std::fs::write(done, b"").unwrap();
}

fn search(keyword: &str, conv: Option<&im_model::ConvId>) -> MessageSearchParam {
    MessageSearchParam {
        keyword_array: Some(vec![keyword.to_owned()]),
        conv_id: conv.map(|c| c.peer().to_owned()),
        conv_type: conv.map(im_model::ConvId::conv_type),
        page_size: Some(20),
        page_index: Some(0),
        ..MessageSearchParam::default()
    }
}

fn run_client(data_dir: &Path, conversations: u64) {
    report("process started");
    // The app's runtime, which the client is built in (as an app would).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    let server = Arc::new(TestTransport::new(Arc::new(SystemClock)));
    let client = im_sdk::Client::builder()
        .sdk_app_id(SDK_APP_ID)
        .data_dir(data_dir)
        .transport(server)
        .build()
        .unwrap();
    runtime.block_on(client.login(USER, "user-sig")).unwrap();
    report("logged in (store open)");
    let convs = client.conversations();
    let mut shown = Vec::new();
    for (name, filter) in bench_data::filter_shapes() {
        let page = runtime
            .block_on(convs.conversation_list_by_filter(&filter, 0, 100))
            .unwrap();
        // The client opened the built store, not an empty one.
        if name == "all" {
            let listed = page.conv_list.as_ref().map_or(0, Vec::len);
            assert_eq!(listed, 100, "the store is not the data set");
        }
        shown.push(page);
    }
    report("conversation pages (every filter shape)");
    let msgs = client.messages();
    for i in 0..50 {
        let conv = bench_data::conv_id((i * 1_999) % conversations);
        let page = runtime
            .block_on(msgs.get_message_list(
                &conv,
                &MsgGetMsgListParam {
                    count: Some(20),
                    ..MsgGetMsgListParam::default()
                },
            ))
            .unwrap();
        std::hint::black_box(page);
    }
    report("history pages (50 conversations)");
    let one = bench_data::conv_id(12_345 % conversations);
    for (keyword, conv) in [
        ("meeting", None),
        ("报", None),
        ("会议", None),
        ("meeting", Some(&one)),
    ] {
        let found = runtime
            .block_on(msgs.search_local_messages(&search(keyword, conv)))
            .unwrap();
        std::hint::black_box(found);
    }
    report("searches");
    runtime.block_on(client.shutdown());
    std::hint::black_box(shown);
}

fn run_baseline(data_dir: &Path) {
    report("process started");
    let conn = rusqlite::Connection::open(store_path(data_dir)).unwrap();
    report("connection open");
    let page: Vec<String> = conn
        .prepare("SELECT record FROM conversations ORDER BY activity_time DESC LIMIT 100")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let history: Vec<String> = conn
        .prepare("SELECT data FROM messages WHERE conv_type = 1 AND peer = 'user1' ORDER BY time DESC LIMIT 20")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    std::hint::black_box((page, history));
    report("a conversation page and a history page");
}

/// Runs a child and returns its report lines: `(step, rss, peak)`.
fn child(kind: &str) -> Vec<(String, u64, u64)> {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, kind)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{kind} child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut parts = l.split('\t');
            Some((
                parts.next()?.to_owned(),
                parts.next()?.parse().ok()?,
                parts.next()?.parse().ok()?,
            ))
        })
        .collect()
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let messages = env_or("BENCH_MESSAGES", 1_000_000);
    let conversations = env_or("BENCH_CONVERSATIONS", 100_000).max(1);
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-data")
        .join(format!("client-memory-{messages}-{conversations}"));
    match std::env::var(CHILD).as_deref() {
        Ok("client") => return run_client(&data_dir, conversations),
        Ok("baseline") => return run_baseline(&data_dir),
        _ => {}
    }
    build_once(&data_dir, messages, conversations);
    println!("## Client memory: {messages} messages in {conversations} conversations (SQLite)\n");
    let client = child("client");
    let baseline = child("baseline");
    println!("| process, after | resident (VmRSS) | peak so far (VmHWM) |");
    println!("|---|---|---|");
    for (who, lines) in [("client", &client), ("raw rusqlite baseline", &baseline)] {
        for (step, rss, peak) in lines {
            println!("| {who}, {step} | {} | {} |", mib(*rss), mib(*peak));
        }
    }
    let peak = client.iter().map(|l| l.2).max().unwrap_or(0);
    let base = baseline.iter().map(|l| l.2).max().unwrap_or(1).max(1);
    println!(
        "\nclient peak {} (target < 64 MiB), baseline peak {}, ratio {:.2}",
        mib(peak),
        mib(base),
        peak as f64 / base as f64
    );
}
