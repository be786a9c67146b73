//! The main job as CI runs it: the `im-cli demo` binary, whose own checks
//! must pass, and whose printed tables must say what the script did.

mod support;

use std::process::Command;

use support::bin;

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(bin())
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The table row whose first cell is `first`, as its trimmed cells.
fn row<'a>(table_text: &'a str, first: &str) -> Vec<&'a str> {
    table_text
        .lines()
        .map(|l| {
            l.trim_matches(['│', ' '])
                .split('┆')
                .map(str::trim)
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row {first:?} in:\n{table_text}"))
}

/// The text of the section titled `title`, up to the next blank line.
fn section<'a>(out: &'a str, title: &str) -> &'a str {
    let start = out
        .find(title)
        .unwrap_or_else(|| panic!("no section {title:?} in:\n{out}"));
    let rest = &out[start..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

#[test]
fn test_the_demo_passes_its_checks_and_prints_what_each_user_sees() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let (code, out, err) = run(&[
        "demo",
        "--samples",
        "40",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(!out.contains("FAIL"), "{out}");
    let passed = out.lines().last().unwrap();
    assert!(
        passed.starts_with("demo: all ") && passed.ends_with(" checks passed"),
        "{passed}"
    );

    let desktop = section(&out, "Conversations of alice (desktop)");
    assert_eq!(
        row(desktop, "group:team")[1..5],
        ["yes", "bit32", "Work", "0"]
    );
    assert_eq!(
        row(desktop, "c2c:bob")[1..5],
        ["", "star", "Friends,Work", "0"]
    );
    assert_eq!(row(desktop, "c2c:carol")[1..5], ["", "bit32", "Work", "1"]);
    assert_eq!(row(desktop, "c2c:carol")[6], "周五见 / see you Friday");
    let phone = section(&out, "Conversations of alice (phone)");
    assert_eq!(row(phone, "group:team")[1..4], ["yes", "bit32", "Work"]);
    let bob = section(&out, "Conversations of bob");
    assert_eq!(
        row(bob, "c2c:alice")[4],
        "42",
        "40 timed messages, a text and a file"
    );

    let history = section(&out, "History: carol's view of group:team");
    assert_eq!(row(history, "5")[2..], ["bob", "(revoked by bob)"]);
    let search = section(&out, "Local search on alice's desktop");
    assert_eq!(
        row(search, "饭")[1..],
        ["c2c:bob", "bob", "好的，明天中午一起吃[饭]！"]
    );
    assert_eq!(
        row(search, "周五 AND 报告")[3],
        "谢谢 Carol，我[周五]看[报告]。"
    );
    let latency = section(&out, "Send-to-receive latency");
    assert_eq!(row(latency, "40").len(), 4, "{latency}");
    // The data stayed where it was asked to be.
    assert!(data.join("server").join("server.db").exists());
    assert!(data.join("alice-phone").exists());

    // A second run refuses a used directory instead of mixing data.
    let (code, _, err) = run(&["demo", "--data-dir", data.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("is not empty: the demo starts from nothing"),
        "{err}"
    );
}

#[test]
fn test_usersig_prints_a_ticket_the_server_accepts() {
    let (code, out, err) = run(&[
        "usersig",
        "--user",
        "alice",
        "--sdk-app-id",
        "1400000000",
        "--secret-key",
        "k",
    ]);
    assert_eq!(code, 0, "{err}");
    let key = im_server::SigKey::new(1_400_000_000, "k");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ticket = key.verify("alice", out.trim(), now).unwrap();
    assert_eq!(ticket.expires_at - ticket.issued_at, 180 * 86_400);
    assert_eq!(
        key.verify("bob", out.trim(), now).unwrap_err().code(),
        70013,
        "the ticket is alice's only"
    );
    let (code, _, err) = run(&[
        "usersig",
        "--user",
        "a",
        "--sdk-app-id",
        "1",
        "--secret-key",
        "k",
        "--expire",
        "0",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--expire must be positive, not 0"), "{err}");
}

#[test]
fn test_serve_names_the_missing_setting() {
    let output = Command::new(bin())
        .args(["serve", "--sdk-app-id", "1"])
        .env_remove("IM_SECRET_KEY")
        .env_remove("IM_SERVER_CONFIG")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.contains(
            "--secret-key (or IM_SECRET_KEY, or secret_key in the config file) is required"
        ),
        "{err}"
    );
}
