//! Tencent's Electron wrapper path: `tests/node/electron_style.js` drives
//! the library through ffi-rs (the FFI library Tencent's wrapper uses,
//! installed from npm) with the wrapper's own call descriptors, its
//! TIMInit config (log and config paths only) and the server named by
//! `IM_SERVER_URL`, against the reference server on 127.0.0.1: messages,
//! marks, conversation groups, a profile change, a group with a member
//! change and a filtered member list, a join request and join requests.

mod support;

use std::path::Path;
use std::process::Command;

use im_sdk::im_model::{ConvId, Message};

/// ffi-rs installed (once per target folder) beside a copy of the script.
fn node_project() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("im-ffi-node");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["package.json", "electron_style.js"] {
        std::fs::copy(source.join(file), dir.join(file)).unwrap();
    }
    if !dir.join("node_modules/ffi-rs").exists() {
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm is needed for this test (Node.js; .ci/run installs it)");
        assert!(status.success(), "npm install of ffi-rs failed");
    }
    dir
}

#[test]
fn test_the_electron_wrapper_calls_work_through_ffi_rs() {
    let project = node_project();
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    server.runtime.block_on(async {
        let alice = ConvId::c2c("alice").unwrap();
        bob.messages()
            .send_message(&alice, &Message::text("hi electron"))
            .await
            .unwrap();
        // A group alice asks to join (a Public group waits for approval).
        let club = im_sdk::CreateGroupRequest {
            group_id: "bobs-club".into(),
            name: "Bob's".into(),
            members: Vec::new(),
            details: Default::default(),
        };
        bob.groups().create_group(&club).await.unwrap();
    });
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new("node");
    command
        .current_dir(&project)
        .arg("electron_style.js")
        .arg(support::library_dir())
        .arg(data.path())
        .arg(support::APP.to_string())
        .arg(server.user_sig("alice"))
        // host:port without a scheme, as people write it.
        .env(
            "IM_SERVER_URL",
            server.url.strip_prefix("http://").unwrap_or(&server.url),
        );
    let output = support::run_ok(command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("electron-style: 0 failures"), "{stdout}");
    // The wrapper's folders were created and used.
    assert!(data.path().join("sdk-log/im-sdk.log").exists());
    assert!(data.path().join("sdk-config").is_dir());
    // What the wrapper did reached the server.
    server.runtime.block_on(async {
        let asked = bob.groups().pendencies(&Default::default()).await.unwrap();
        let asked = asked.pendency_array.unwrap();
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].from_identifier.as_deref(), Some("alice"));
        assert_eq!(asked[0].apply_invite_msg.as_deref(), Some("from electron"));
        let alice = bob
            .profiles()
            .user_profiles(&["alice".into()], true)
            .await
            .unwrap();
        assert_eq!(alice[0].nick_name.as_deref(), Some("Alice E"));
    });
    server.runtime.block_on(bob.shutdown());
}
