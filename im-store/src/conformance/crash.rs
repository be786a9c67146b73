//! The crash-safety harness every persistent backend runs (reliability
//! plan A1): a child process writes the way the message layer does and
//! acknowledges each committed message; the parent kills it with SIGKILL
//! at a random moment, reopens the store and checks that nothing
//! acknowledged was lost and that every count agrees with the rows.
//!
//! A backend's test calls [`run_kill_cycles`] with its own test binary as
//! the child: the binary re-runs itself filtered to one test that calls
//! [`write_forever`] when [`CHILD_ENV`] is set. So no extra binary (or
//! dependency outside dev-dependencies) is needed.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use im_model::message::Message;
use im_model::{ConvId, MsgStatus};

use crate::{
    ConvFilter, Conversation, HistoryQuery, MessagePos, Store, UnreadQuery, WriteBatch,
    counts_as_unread,
};

/// Set (to the store path) in the child's environment.
pub const CHILD_ENV: &str = "IM_STORE_CRASH_CHILD";
/// The child's cycle number.
pub const CYCLE_ENV: &str = "IM_STORE_CRASH_CYCLE";

const PEERS: [&str; 4] = ["alice", "bob", "carol", "dave"];

/// Writes forever (received and sent messages with their conversation's
/// unread count and last message in the same batch, read reports,
/// revokes), printing `ack <message id>` after each committed batch that
/// stores a message.
///
/// # Errors
/// A store failure, or stdout closed.
pub fn write_forever(store: &dyn Store, cycle: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mut state: u64 = cycle.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let out = std::io::stdout();
    for n in 0u64.. {
        let conv = if next(2) == 0 {
            ConvId::c2c(PEERS[next(4) as usize])?
        } else {
            ConvId::group(format!("team{}", next(3)))?
        };
        let mut c = store
            .conversation(&conv)?
            .unwrap_or_else(|| Conversation::new(conv.clone(), 1_700_000_000));
        let newest = store.history(&HistoryQuery::latest(conv.clone(), 1))?.pop();
        let seq = newest.as_ref().and_then(|m| m.seq).unwrap_or(0) + 1;
        let time = newest.as_ref().map_or(1_700_000_000, Message::timestamp) + 1 + next(2);
        let mut batch = WriteBatch::new();
        let mut acked = None;
        match next(10) {
            0..=5 => {
                // A received (or, one time in three, sent) message.
                let from_self = next(3) == 0;
                let id = format!("c{cycle}-{n}");
                let m = Message {
                    msg_id: Some(id.clone()),
                    conv_id: Some(conv.peer().to_owned()),
                    conv_type: Some(conv.conv_type()),
                    sender: Some(if from_self {
                        "me".into()
                    } else {
                        "peer".into()
                    }),
                    is_from_self: Some(from_self),
                    server_time: Some(time),
                    seq: Some(seq),
                    status: Some(MsgStatus::SendSucc),
                    ..Message::text(format!("消息 message {n} 你好"))
                };
                if counts_as_unread(&m) {
                    c.unread_count += 1;
                }
                c.last_message = Some(m.clone());
                batch.put_message(conv.clone(), m);
                acked = Some(id);
            }
            6 | 7 => {
                // Read everything.
                c.group_read_seq = seq.saturating_sub(1);
                c.c2c_read_timestamp = newest.as_ref().map_or(0, Message::timestamp);
                c.unread_count = 0;
            }
            _ => {
                // Revoke the newest message, taking back its unread.
                let Some(mut m) = newest else { continue };
                if m.status == Some(MsgStatus::Revoked) {
                    continue;
                }
                let unread = counts_as_unread(&m)
                    && m.seq.unwrap_or(0) > c.group_read_seq
                    && m.timestamp() > c.c2c_read_timestamp;
                m.status = Some(MsgStatus::Revoked);
                if unread {
                    c.unread_count = c.unread_count.saturating_sub(1);
                }
                c.last_message = Some(m.clone());
                batch.put_message(conv.clone(), m);
            }
        }
        batch.put(c);
        store.apply(&batch)?;
        if let Some(id) = acked {
            let mut out = out.lock();
            writeln!(out, "ack {id}")?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Checks a reopened store: no acknowledged message is missing, every
/// conversation's unread count equals a recount of its messages, its last
/// message is its newest (with the stored status), and the maintained
/// total equals the sum.
///
/// # Panics
/// On any disagreement, naming the cycle.
pub fn check_recovered(store: &dyn Store, acked: &BTreeSet<String>, cycle: u32) {
    let missing: Vec<&String> = acked
        .iter()
        .filter(|id| store.message(id).unwrap().is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "cycle {cycle}: acknowledged messages lost: {missing:?}"
    );
    let mut counted_total = 0;
    for conv in store.matching_conversations(&ConvFilter::all()).unwrap() {
        let recount = store
            .count_unread(&UnreadQuery {
                conv: conv.id.clone(),
                after_time: conv.c2c_read_timestamp,
                after_seq: conv.group_read_seq,
            })
            .unwrap();
        assert_eq!(
            conv.unread_count, recount,
            "cycle {cycle}: unread of {}",
            conv.id
        );
        if conv.counts_toward_total_unread() {
            counted_total += conv.unread_count;
        }
        let newest = store
            .history(&HistoryQuery::latest(conv.id.clone(), 1))
            .unwrap()
            .pop();
        assert_eq!(
            conv.last_message.as_ref().and_then(MessagePos::of),
            newest.as_ref().and_then(MessagePos::of),
            "cycle {cycle}: last message of {}",
            conv.id
        );
        if let Some(last) = &conv.last_message {
            let stored = store.message(last.msg_id.as_deref().unwrap()).unwrap();
            assert_eq!(
                stored.as_ref().map(|m| m.status),
                Some(last.status),
                "cycle {cycle}"
            );
        }
    }
    assert_eq!(
        store.unread_total(&ConvFilter::all()).unwrap(),
        counted_total,
        "cycle {cycle}: total"
    );
}

/// Runs `cycles` kill cycles against the store at `path`: each starts the
/// child (`child_test`, a test of the current test binary that calls
/// [`write_forever`]), kills it after a random delay under 200 ms, and
/// calls `check` with every message acknowledged so far. Returns the
/// number of acknowledged messages and of kills that hit the child while
/// it was writing.
///
/// # Panics
/// When the child cannot run, or acknowledged nothing over all cycles.
pub fn run_kill_cycles(
    path: &Path,
    child_test: &str,
    cycles: u32,
    mut check: impl FnMut(&BTreeSet<String>, u32),
) -> (usize, u32) {
    let mut acked = BTreeSet::new();
    let mut rng: u64 = 0x5DEE_CE66_D1CE_4E5B;
    let mut kills_while_writing = 0;
    let me = std::env::current_exe().expect("the test binary's path");
    for cycle in 0..cycles {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(rng % 200);
        let mut child = Command::new(&me)
            .args([child_test, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, path)
            .env(CYCLE_ENV, cycle.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the child writer starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(id) = line.strip_prefix("ack ") {
                    let _ = tx.send(id.to_owned());
                }
            }
        });
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL"); // SIGKILL on Unix
        let status = child.wait().expect("the child is reaped");
        reader.join().expect("the reader thread");
        let before = acked.len();
        acked.extend(rx.try_iter());
        if !status.success() && acked.len() > before {
            kills_while_writing += 1;
        }
        check(&acked, cycle);
    }
    assert!(
        acked.len() > cycles as usize,
        "the writer acknowledged only {} messages in {cycles} cycles",
        acked.len()
    );
    (acked.len(), kills_while_writing)
}

/// The child's side: when [`CHILD_ENV`] is set, opens the store with
/// `open` and writes until killed; otherwise returns at once (the test
/// runs as a no-op in a normal run).
pub fn child_main<S: Store>(open: impl FnOnce(&Path) -> S) {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let cycle: u64 = std::env::var(CYCLE_ENV)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let store = open(Path::new(&path));
    if let Err(e) = write_forever(&store, cycle) {
        eprintln!("crash writer: {e}");
        std::process::exit(1);
    }
}
