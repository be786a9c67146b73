//! Crash safety (reliability plan A1) with the shared harness
//! (`im_store::conformance::crash`): a child writer killed with SIGKILL at
//! a random moment, then the store reopened and checked: nothing
//! acknowledged lost, every count agreeing with the rows, and no index
//! entry (history, sequence, send queue, search posting) without its
//! message. `CRASH_CYCLES` sets the number of cycles (100 by default, as
//! in CI).

use im_store::conformance::crash;
use im_store_sled::SledStore;

/// The child writer: a no-op unless the harness started this binary as one.
#[test]
fn crash_writer_child() {
    crash::child_main(|path| SledStore::open(path).expect("the child opens the store"));
}

#[test]
fn test_sigkill_never_loses_acknowledged_writes_or_corrupts_counts() {
    let cycles: u32 = std::env::var("CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sled");
    let (acked, kills) =
        crash::run_kill_cycles(&path, "crash_writer_child", cycles, |acked, cycle| {
            let store =
                SledStore::open(&path).unwrap_or_else(|e| panic!("cycle {cycle}: reopen: {e}"));
            let problems = store.verify_indexes().unwrap();
            assert!(
                problems.is_empty(),
                "cycle {cycle}: indexes disagree with the messages: {problems:?}"
            );
            crash::check_recovered(&store, acked, cycle);
        });
    eprintln!("{cycles} kill cycles, {acked} acknowledged messages, {kills} kills during writing");
}
