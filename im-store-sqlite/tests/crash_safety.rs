//! Crash safety (reliability plan A1) with the shared harness
//! (`im_store::conformance::crash`): a child writer killed with SIGKILL at
//! a random moment, then the database reopened and checked. Beyond the
//! shared checks (nothing acknowledged lost, counts agree with rows), the
//! file must pass `integrity_check` and no search index row may be
//! orphaned. `CRASH_CYCLES` sets the number of cycles (200 by default, as
//! in CI; half as many for the browser's one-connection mode).

use std::time::{Duration, Instant};

use im_store::conformance::crash;
use im_store_sqlite::SqliteStore;
use rusqlite::Connection;

/// The child writer: a no-op unless the harness started this binary as one.
#[test]
fn crash_writer_child() {
    crash::child_main(|path| SqliteStore::open(path).expect("the child opens the database"));
}

/// The child writer of the browser's mode (one exclusive connection).
#[test]
fn crash_writer_child_single_connection() {
    crash::child_main(|path| {
        SqliteStore::open_single_connection(path).expect("the child opens the database")
    });
}

fn cycles(default: u32) -> u32 {
    std::env::var("CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(default, |n: u32| n * default / 200)
}

#[test]
fn test_sigkill_never_loses_acknowledged_writes_or_corrupts_counts() {
    kill_cycles(|p| SqliteStore::open(p), "crash_writer_child", cycles(200));
}

/// The browser's mode: the WAL's index lives in the killed process's
/// memory, so the reopening connection rebuilds it from the WAL file.
#[test]
fn test_sigkill_in_single_connection_mode_never_loses_or_corrupts() {
    kill_cycles(
        |p| SqliteStore::open_single_connection(p),
        "crash_writer_child_single_connection",
        cycles(100),
    );
}

/// Kills the child writer `child` `cycles` times; after each kill the
/// database is reopened with `open` (in under a second), checked through
/// the store, closed, and checked as a file.
fn kill_cycles(
    open: fn(&std::path::Path) -> im_store::StoreResult<SqliteStore>,
    child: &str,
    cycles: u32,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let (acked, kills) = crash::run_kill_cycles(&path, child, cycles, |acked, cycle| {
        let started = Instant::now();
        let store = open(&path).unwrap_or_else(|e| panic!("cycle {cycle}: reopen: {e}"));
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "cycle {cycle}: reopen took {:?}",
            started.elapsed()
        );
        crash::check_recovered(&store, acked, cycle);
        // The one-connection store holds the file exclusively until
        // it is closed.
        drop(store);
        let conn = Connection::open(&path).unwrap();
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
        // Every gram's maintained count equals its postings, and
        // every posting names a stored message.
        let counts: Vec<(String, i64)> = conn
            .prepare("SELECT ch, n FROM char_counts WHERE n != 0")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (ch, n) in counts {
            // The gram's token (migration 006's rule).
            let code: Vec<u32> = ch.chars().map(u32::from).collect();
            let token = match code.as_slice() {
                [a] => format!("u{a:x}"),
                [a, b] => format!("p{a:x}x{b:x}"),
                _ => panic!("cycle {cycle}: gram {ch:?} is not one or two characters"),
            };
            let (postings, stored): (i64, i64) = conn
                .query_row(
                    "SELECT COUNT(*), COUNT(m.row_id) FROM message_grams g \
                         LEFT JOIN messages m ON m.row_id = g.rowid \
                         WHERE message_grams MATCH ?1",
                    [&token],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(
                (postings, stored),
                (n, n),
                "cycle {cycle}: postings of {ch:?}"
            );
        }
        for table in ["message_text", "message_grams"] {
            conn.execute_batch(&format!(
                "INSERT INTO {table} ({table}) VALUES ('integrity-check')"
            ))
            .unwrap_or_else(|e| panic!("cycle {cycle}: {table}: {e}"));
        }
    });
    eprintln!("{cycles} kill cycles, {acked} acknowledged messages, {kills} kills during writing");
}
