//! The C programs of `tests/c`, compiled with the system C compiler
//! against `include/TIMCloud.h` and `libImSDK.so`, run against the
//! reference server on 127.0.0.1 with SQLite in temporary folders.

mod support;

use std::process::Command;

use im_sdk::im_model::wire::http::CreateGroupRequest;
use im_sdk::im_model::{ConvId, Message};

/// Tencent's documentation examples, end to end (see `tests/c/seeds.c`).
#[test]
fn test_seed_examples_run_from_c_against_the_server() {
    let server = support::start_server();
    let (bob, bob_http) = support::peer(&server, "bob");
    let alice = ConvId::c2c("alice").unwrap();
    server.runtime.block_on(async {
        for n in 1..=3 {
            bob.messages()
                .send_message(&alice, &Message::text(format!("hello {n}")))
                .await
                .unwrap();
        }
        bob_http
            .create_group(&CreateGroupRequest {
                group_id: "g-seeds".into(),
                name: "seeds".into(),
                members: vec!["alice".into()],
                details: Default::default(),
            })
            .await
            .unwrap();
        let group = ConvId::group("g-seeds").unwrap();
        for text in ["group one", "group two"] {
            bob.messages()
                .send_message(&group, &Message::text(text))
                .await
                .unwrap();
        }
    });
    // When the program asks (a file in its data folder), bob sends a live
    // message; messages sent before its first sync are in the snapshot.
    let work = tempfile::tempdir().unwrap();
    let output = run_as_alice(&server, "seeds", work.path(), "want-live", || {
        server.runtime.block_on(async {
            bob.messages()
                .send_message(&alice, &Message::text("live ping"))
                .await
                .unwrap();
        });
    });
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("seeds: 0 failures"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // TIMInit created the log folder it was given, and wrote the log there.
    assert!(work.path().join("logs/nested/im-sdk.log").exists());
    // What alice sent from C reached bob: the batch message and the group one.
    let seen = server.runtime.block_on(async {
        let alice_conv = bob
            .messages()
            .get_message_list(
                &alice,
                &im_sdk::im_model::message::MsgGetMsgListParam {
                    count: Some(50),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        alice_conv
            .iter()
            .filter_map(|m| match m.elems().first() {
                Some(im_sdk::im_model::Elem::Text(t)) => t.content.clone(),
                _ => None,
            })
            .collect::<Vec<_>>()
    });
    assert!(seen.contains(&"to both".to_owned()), "bob saw {seen:?}");
    server.runtime.block_on(bob.shutdown());
}

/// Runs `tests/c/contract.c` as alice with `threads` × `calls` calls.
fn contract(threads: u32, calls: u32, under: Option<&[&str]>) -> String {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    server.runtime.block_on(async {
        let alice = ConvId::c2c("alice").unwrap();
        bob.messages()
            .send_message(&alice, &Message::text("hi"))
            .await
            .unwrap();
    });
    let work = tempfile::tempdir().unwrap();
    let program = support::compile("contract", work.path(), &[]);
    let mut command = match under {
        Some([tool, args @ ..]) => {
            let mut c = Command::new(tool);
            c.args(args).arg(&program);
            c
        }
        _ => Command::new(&program),
    };
    command
        .arg(&server.url)
        .arg(support::APP.to_string())
        .arg(work.path())
        .arg(server.user_sig("alice"))
        .arg(threads.to_string())
        .arg(calls.to_string());
    let output = support::run_ok(command);
    server.runtime.block_on(bob.shutdown());
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Reliability plan C3: 8 threads × 10,000 calls from C.
#[test]
fn test_callback_contract_holds_from_eight_c_threads() {
    let out = contract(8, 10_000, None);
    assert!(out.contains("contract: 80500 calls"), "{out}");
    assert!(out.contains(" 0 failures"), "{out}");
}

/// Reliability plan C3: valgrind memcheck over a 1,000-call subset: no
/// invalid read or write, no definite leak.
#[test]
fn test_valgrind_finds_no_memory_error_in_the_c_contract_program() {
    let found = Command::new("valgrind").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "valgrind is needed for this test (apt-get install valgrind; .ci/run installs it)"
    );
    let out = contract(
        4,
        250,
        Some(&[
            "valgrind",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite",
            "--quiet",
        ]),
    );
    assert!(out.contains("contract: 1500 calls"), "{out}");
    assert!(out.contains(" 0 failures"), "{out}");
}

/// Profiles from C (see `tests/c/profiles.c`): bob, a Rust peer, names
/// himself and writes first; renames himself when the program asks.
#[test]
fn test_profiles_from_c_against_the_server() {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    let rename = |name: &str| {
        let item = im_sdk::im_model::profile::UserProfileItem {
            nick_name: Some(name.into()),
            ..Default::default()
        };
        server
            .runtime
            .block_on(bob.profiles().modify_self_profile(&item))
            .unwrap();
    };
    rename("Bob");
    server.runtime.block_on(async {
        bob.messages()
            .send_message(&ConvId::c2c("alice").unwrap(), &Message::text("hi alice"))
            .await
            .unwrap();
    });
    let work = tempfile::tempdir().unwrap();
    let output = run_as_alice(&server, "profiles", work.path(), "want-rename", || {
        rename("Bobby")
    });
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("profiles: 0 failures"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Groups from C (see `tests/c/groups.c`): bob, a Rust peer, owns a group
/// joined by request and accepts alice's request when the program asks.
#[test]
fn test_groups_from_c_against_the_server() {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    let club = CreateGroupRequest {
        group_id: "bobs".into(),
        name: "Bob's".into(),
        members: Vec::new(),
        details: Default::default(),
    };
    server
        .runtime
        .block_on(bob.groups().create_group(&club))
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let output = run_as_alice(&server, "groups", work.path(), "want-answer", || {
        let accept = im_sdk::HandlePendencyRequest {
            group_id: "bobs".into(),
            applicant: "alice".into(),
            accept: true,
            message: "welcome".into(),
        };
        server
            .runtime
            .block_on(bob.groups().handle_pendency(&accept))
            .unwrap();
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("groups: 0 failures"), "{stdout}");
}

/// Compiles `tests/c/<name>.c` into `work` and runs it as alice against
/// `server` (arguments: server URL, SDKAppID, `work` as its data folder,
/// alice's UserSig); runs `action` when the program creates `work/<trigger>`.
fn run_as_alice(
    server: &support::TestServer,
    name: &str,
    work: &std::path::Path,
    trigger: &str,
    action: impl FnOnce() + Send,
) -> std::process::Output {
    let program = support::compile(name, work, &[]);
    let mut command = Command::new(program);
    command
        .arg(&server.url)
        .arg(support::APP.to_string())
        .arg(work)
        .arg(server.user_sig("alice"));
    support::run_ok_triggering(command, &work.join(trigger), action)
}
