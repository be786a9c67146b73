//! `cargo xtask mutants`: mutation testing of the files that hold the
//! logic crates' rules (unread, paging, groups, marks, listing; read,
//! receive, conversation updates, revoke), with cargo-mutants.
//!
//! A surviving mutant is a change to a rule that no test notices: kill it
//! with a test that states the rule, or say in a comment why it is
//! equivalent. It takes minutes, so it is not part of `ci`.

use std::process::Command;

use crate::run;

/// The files whose mutants must all be caught.
const FILES: &[&str] = &[
    "im-conv/src/unread.rs",
    "im-conv/src/paging.rs",
    "im-conv/src/groups.rs",
    "im-conv/src/marks.rs",
    "im-conv/src/listing.rs",
    "im-msg/src/read.rs",
    "im-msg/src/receive.rs",
    "im-msg/src/conv_update.rs",
    "im-msg/src/revoke.rs",
    "im-store/src/conversation.rs",
];

/// Runs cargo-mutants over [`FILES`] (installing it when missing), with
/// any extra arguments passed through.
pub(crate) fn run_mutants(extra: &[&str]) -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        run("cargo", &["install", "cargo-mutants", "--locked"], &[])?;
    }
    let mut args = vec!["mutants", "--test-tool", "nextest", "--no-shuffle"];
    for file in FILES {
        args.extend(["--file", file]);
    }
    // Rules of one crate are exercised by the tests of the crates above it
    // (the read rule in im-store by im-msg's tests), so every mutant runs
    // the tests of all three.
    for package in ["im-conv", "im-msg", "im-store"] {
        args.extend(["--package", package, "--test-package", package]);
    }
    args.extend(extra);
    run("cargo", &args, &[])
}
