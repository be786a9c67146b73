//! Groups through the SDK: creating one and managing its members, with
//! the server's codes, over the in-process reference server.

use std::sync::Arc;

use im_model::ManualClock;
use im_sdk::{Client, CreateGroupRequest};
use im_transport::testing::TestTransport;

const APP: u64 = 1_400_000_000;

/// Two clients of one test server: TestTransport is one session, so each
/// user gets the same server through a login of their own in turn.
fn client(server: &Arc<TestTransport>) -> Client {
    Client::builder()
        .sdk_app_id(APP)
        .memory_store()
        .transport(server.clone())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn test_group_lifecycle_and_codes() {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let server = Arc::new(TestTransport::new(clock));
    let alice = client(&server);
    let groups = alice.groups();
    // Not logged in: -2.
    let err = groups.members("g").await.unwrap_err();
    assert_eq!(err.code(), -2);

    alice.login("alice", "sig").await.unwrap();
    groups
        .create_group(&CreateGroupRequest {
            group_id: "g".into(),
            name: "G".into(),
            members: vec!["bob".into()],
            details: Default::default(),
        })
        .await
        .unwrap();
    let again = CreateGroupRequest {
        group_id: "g".into(),
        name: "G".into(),
        members: vec![],
        details: Default::default(),
    };
    assert_eq!(groups.create_group(&again).await.unwrap_err().code(), 10021);
    let added = groups
        .add_members("g", &["carol".into(), "bob".into()])
        .await
        .unwrap();
    assert_eq!(added, vec!["carol".to_owned()], "bob was a member already");
    let members: Vec<String> = groups
        .members("g")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    assert_eq!(members, ["alice", "bob", "carol"]);
    assert_eq!(
        groups.remove_members("g", &["carol".into()]).await.unwrap(),
        vec!["carol".to_owned()]
    );
    assert_eq!(groups.members("nope").await.unwrap_err().code(), 10010);
    alice.logout().await.unwrap();

    // bob is not the owner: he cannot add or remove, but he can quit.
    let bob = client(&server);
    bob.login("bob", "sig").await.unwrap();
    let err = bob
        .groups()
        .add_members("g", &["dave".into()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), 10007);
    let err = bob
        .groups()
        .remove_members("g", &["alice".into()])
        .await
        .unwrap_err();
    assert_eq!(err.code(), 10007);
    bob.groups().quit("g").await.unwrap();
    assert_eq!(bob.groups().members("g").await.unwrap_err().code(), 10007);
    bob.shutdown().await;
    alice.shutdown().await;
}
