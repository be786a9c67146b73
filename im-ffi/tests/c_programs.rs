//! The C programs of `tests/c`, compiled with the system C compiler
//! against `include/TIMCloud.h` and `libImSDK.so`, run against the
//! reference server on 127.0.0.1 with SQLite in temporary folders.

mod support;

use std::process::Command;

use im_sdk::im_model::wire::http::CreateGroupRequest;
use im_sdk::im_model::{ConvId, Message};
use support::TestServer;

/// Tencent's documentation examples, end to end (see `tests/c/seeds.c`).
#[test]
fn test_seed_examples_run_from_c_against_the_server() {
    let server = TestServer::start();
    let (bob, bob_http) = server.peer("bob");
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
    let work = tempfile::tempdir().unwrap();
    let program = support::compile("seeds", work.path(), &[]);
    let mut command = Command::new(program);
    command
        .arg(&server.url)
        .arg(support::APP.to_string())
        .arg(work.path())
        .arg(server.user_sig("alice"));
    let output = support::run_ok(command);
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
