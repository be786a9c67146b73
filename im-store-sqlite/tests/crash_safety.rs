//! Crash safety (reliability plan A1): a child process writes messages
//! like the message layer does and acknowledges each commit; the parent
//! kills it with SIGKILL at a random moment, reopens the database and
//! checks that nothing acknowledged was lost, nothing is duplicated, the
//! file is sound, and every count agrees with the rows. `CRASH_CYCLES`
//! sets the number of cycles (200 by default, as in CI).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use im_model::message::Message;
use im_store::{
    ConvFilter, ConversationStore, HistoryQuery, MessagePos, MessageStore, UnreadQuery,
};
use im_store_sqlite::SqliteStore;
use rusqlite::Connection;

fn check(path: &std::path::Path, acked: &BTreeSet<String>, cycle: u32) {
    let started = Instant::now();
    let store = SqliteStore::open(path).unwrap_or_else(|e| panic!("cycle {cycle}: reopen: {e}"));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "cycle {cycle}: reopen took {:?}",
        started.elapsed()
    );

    let conn = Connection::open(path).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "cycle {cycle}");
    let fk_problems: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk_problems, 0, "cycle {cycle}");
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM message_chars WHERE row_id NOT IN (SELECT row_id FROM messages)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        orphans, 0,
        "cycle {cycle}: search index rows without a message"
    );

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
            let stored: Option<Message> = store.message(last.msg_id.as_deref().unwrap()).unwrap();
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

#[test]
fn test_sigkill_never_loses_acknowledged_writes_or_corrupts_counts() {
    let cycles: u32 = std::env::var("CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut acked = BTreeSet::new();
    let mut rng: u64 = 0x5DEE_CE66_D1CE_4E5B;
    let mut kills_while_writing = 0;
    for cycle in 0..cycles {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(rng % 200);
        let mut child = Command::new(env!("CARGO_BIN_EXE_sqlite-crash-writer"))
            .arg(&path)
            .arg(cycle.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
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
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        reader.join().unwrap();
        let before = acked.len();
        acked.extend(rx.try_iter());
        if !status.success() && acked.len() > before {
            kills_while_writing += 1;
        }
        check(&path, &acked, cycle);
    }
    assert!(
        acked.len() > cycles as usize,
        "the writer acknowledged only {} messages in {cycles} cycles",
        acked.len()
    );
    eprintln!(
        "{cycles} kill cycles, {} acknowledged messages, {kills_while_writing} kills during writing",
        acked.len()
    );
}
