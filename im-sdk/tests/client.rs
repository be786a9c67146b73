//! The client engine end to end over the in-process reference server
//! (`TestTransport`), on the in-memory store and on SQLite in a temporary
//! directory.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use im_conv::ConvEvent;
use im_model::{ConvId, ErrorCode, ImError, ManualClock, Message, MsgStatus};
use im_msg::{MsgEvent, RetryPolicy};
use im_sdk::{Client, NetworkStatus, SdkEvent};
use im_transport::testing::{Call, Request, TestTransport};

const APP: u64 = 1_400_000_000;

fn server() -> (Arc<TestTransport>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    (Arc::new(TestTransport::new(clock.clone())), clock)
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(1),
        cap: Duration::from_millis(5),
    }
}

fn memory_client(server: &Arc<TestTransport>, clock: &Arc<ManualClock>) -> Client {
    Client::builder()
        .sdk_app_id(APP)
        .memory_store()
        .transport(server.clone())
        .clock(clock.clone())
        .retry_policy(fast_retry())
        .sync_interval(Duration::from_millis(5))
        .build()
        .unwrap()
}

/// Waits (up to 10 s) for the first event that `pick` accepts.
async fn next_matching<T>(
    events: &mut (impl futures::Stream<Item = SdkEvent> + Unpin),
    mut pick: impl FnMut(&SdkEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = events.next().await {
            if let Some(found) = pick(&event) {
                return found;
            }
        }
        panic!("the event stream ended")
    })
    .await
    .expect("no matching event within 10 s")
}

fn sends(server: &TestTransport) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| matches!(r, Request::Send(_)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_peer_message_arrives_through_the_sync_loop_as_events() {
    let (server, clock) = server();
    let client = memory_client(&server, &clock);
    let mut events = Box::pin(client.events());
    client.login("alice", "sig").await.unwrap();
    assert_eq!(server.logged_in().as_deref(), Some("alice"));
    // After the first sync (a message that arrives during it is part of
    // the snapshot, not an event).
    next_matching(&mut events, |e| {
        matches!(e, SdkEvent::SyncFinished).then_some(())
    })
    .await;
    let bob = ConvId::c2c("bob").unwrap();
    let delivered = server.deliver_from_peer(&bob, "bob", Message::text("hello alice"));
    let received = next_matching(&mut events, |e| match e {
        SdkEvent::Message(MsgEvent::NewMessages(list)) => Some(list.clone()),
        _ => None,
    })
    .await;
    assert_eq!(received[0].msg_id, delivered.msg_id);
    let convs = client.conversations();
    assert_eq!(convs.total_unread().await.unwrap(), 1);
    let info = convs.conversation(&bob).await.unwrap().unwrap();
    assert_eq!(info.unread_num, Some(1));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_send_waits_out_a_lost_connection_and_is_sent_once() {
    let (server, clock) = server();
    let client = memory_client(&server, &clock);
    let mut events = Box::pin(client.events());
    client.login("alice", "sig").await.unwrap();
    for _ in 0..3 {
        server.fail_next(
            Call::Send,
            ImError::new(ErrorCode::NetDisconnect, "offline"),
        );
    }
    let bob = ConvId::c2c("bob").unwrap();
    let sent = client
        .messages()
        .send_message(&bob, &Message::text("through the storm"))
        .await
        .unwrap();
    assert_eq!(sent.status, Some(MsgStatus::SendSucc));
    assert_eq!(sends(&server), 4, "three failed attempts, one success");
    next_matching(&mut events, |e| {
        matches!(e, SdkEvent::Network(NetworkStatus::Disconnected)).then_some(())
    })
    .await;
    next_matching(&mut events, |e| {
        matches!(e, SdkEvent::Network(NetworkStatus::Connected)).then_some(())
    })
    .await;
    let page = client
        .messages()
        .get_message_list(
            &bob,
            &im_model::message::MsgGetMsgListParam {
                count: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].status, Some(MsgStatus::SendSucc));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_message_accepted_offline_is_delivered_exactly_once_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    offline_send_survives_a_restart(|b| b.data_dir(dir.path())).await;
}

/// The same on the sled store (`--features sled`).
#[cfg(feature = "sled")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_sled_store_keeps_an_offline_send_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    offline_send_survives_a_restart(|b| b.sled_data_dir(dir.path())).await;
    let stored = std::fs::read_dir(dir.path().join(APP.to_string()))
        .unwrap()
        .map(|user| user.unwrap().path().join(im_sdk::SLED_STORE_DIR))
        .collect::<Vec<_>>();
    assert!(stored.len() == 1 && stored[0].is_dir(), "{stored:?}");
}

/// A message queued while offline, the app stopped before it was sent, is
/// sent exactly once by the next run on the same store.
async fn offline_send_survives_a_restart(
    store: impl Fn(im_sdk::ClientBuilder) -> im_sdk::ClientBuilder,
) {
    let (server, clock) = server();
    let bob = ConvId::c2c("bob").unwrap();
    let build = |retry: RetryPolicy| {
        store(Client::builder())
            .sdk_app_id(APP)
            .transport(server.clone())
            .clock(clock.clone())
            .retry_policy(retry)
            .sync_interval(Duration::from_millis(5))
            .build()
            .unwrap()
    };
    // First run: offline; the one attempt fails and the next is an hour away.
    let first = build(RetryPolicy {
        base: Duration::from_secs(3_600),
        cap: Duration::from_secs(3_600),
    });
    first.login("alice", "sig").await.unwrap();
    server.fail_next(
        Call::Send,
        ImError::new(ErrorCode::NetDisconnect, "offline"),
    );
    let queued = first
        .messages()
        .queue_message(&bob, &Message::text("written on the train"))
        .await
        .unwrap();
    let id = queued.msg_id.clone().unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while sends(&server) == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .unwrap();
    // The app goes away before the message was sent.
    first.shutdown().await;
    assert_eq!(sends(&server), 1);

    // Next run, online: the send queue resumes the message at login.
    let second = build(fast_retry());
    second.login("alice", "sig").await.unwrap();
    let delivered = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let found = second
                .messages()
                .find_messages(std::slice::from_ref(&id))
                .await
                .unwrap();
            if found[0].status == Some(MsgStatus::SendSucc) {
                return found[0].clone();
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .unwrap();
    assert!(delivered.seq.is_some());
    assert_eq!(sends(&server), 2);
    let copies = server.stored(&bob, &id);
    assert!(copies.is_some(), "the server holds it");
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_login_logout_and_shutdown_rules() {
    let (server, clock) = server();
    let client = memory_client(&server, &clock);
    let bob = ConvId::c2c("bob").unwrap();
    let not_logged_in = client.conversations().conversation(&bob).await.unwrap_err();
    assert_eq!(not_logged_in.code(), -2);
    assert_eq!(client.logout().await.unwrap_err().code(), -2);
    assert_eq!(client.login("", "sig").await.unwrap_err().code(), 6017);
    assert_eq!(
        client
            .login(&"x".repeat(33), "sig")
            .await
            .unwrap_err()
            .code(),
        6017
    );
    assert_eq!(client.login("alice", "").await.unwrap_err().code(), 70013);
    assert_eq!(client.login_user_id(), None);

    client.login("alice", "sig").await.unwrap();
    client.login("alice", "sig").await.unwrap();
    assert_eq!(client.login("carol", "sig").await.unwrap_err().code(), 6017);
    assert_eq!(client.login_user_id().as_deref(), Some("alice"));
    client.logout().await.unwrap();
    assert_eq!(server.logged_in(), None);
    assert_eq!(client.login_user_id(), None);

    client.login("alice", "sig").await.unwrap();
    let clone = client.clone();
    client.shutdown().await;
    assert_eq!(
        clone
            .conversations()
            .conversation(&bob)
            .await
            .unwrap_err()
            .code(),
        -1
    );
    assert_eq!(clone.login("alice", "sig").await.unwrap_err().code(), -1);
}

#[tokio::test(flavor = "current_thread")]
async fn test_the_engine_works_on_a_current_thread_runtime() {
    let (server, clock) = server();
    let client = memory_client(&server, &clock);
    client.login("alice", "sig").await.unwrap();
    let bob = ConvId::c2c("bob").unwrap();
    let sent = client
        .messages()
        .send_message(&bob, &Message::text("one thread"))
        .await
        .unwrap();
    assert_eq!(sent.status, Some(MsgStatus::SendSucc));
    client.shutdown().await;
}

#[test]
fn test_the_builder_names_what_is_missing() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (server, _) = server();
    let _guard = runtime.enter();
    let no_app = Client::builder()
        .memory_store()
        .transport(server.clone())
        .build();
    assert_eq!(no_app.unwrap_err().code(), -4);
    let no_store = Client::builder()
        .sdk_app_id(APP)
        .transport(server.clone())
        .build();
    assert_eq!(no_store.unwrap_err().code(), -4);
    let no_transport = Client::builder().sdk_app_id(APP).memory_store().build();
    assert_eq!(no_transport.unwrap_err().code(), -4);
    drop(_guard);
    let outside = Client::builder()
        .sdk_app_id(APP)
        .memory_store()
        .transport(server)
        .build();
    assert_eq!(outside.unwrap_err().code(), -4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_kicked_offline_and_user_sig_expired_end_the_session() {
    let (server, clock) = server();
    let client = memory_client(&server, &clock);
    let mut events = Box::pin(client.events());
    for (code, expected) in [
        (ErrorCode::KickedOffByOther, "kicked"),
        (ErrorCode::UserSigExpired, "expired"),
    ] {
        client.login("alice", "sig").await.unwrap();
        server.end_session(ImError::new(code, "session ended by the server"));
        let got = next_matching(&mut events, |e| match e {
            SdkEvent::KickedOffline => Some("kicked"),
            SdkEvent::UserSigExpired => Some("expired"),
            _ => None,
        })
        .await;
        assert_eq!(got, expected);
        assert_eq!(client.login_user_id(), None);
        let bob = ConvId::c2c("bob").unwrap();
        assert_eq!(
            client
                .conversations()
                .conversation(&bob)
                .await
                .unwrap_err()
                .code(),
            -2
        );
        // Logging in again (a new UserSig, or taking the session back) works.
        client.login("alice", "sig").await.unwrap();
        assert_eq!(client.login_user_id().as_deref(), Some("alice"));
        client.conversations().conversation(&bob).await.unwrap();
        client.logout().await.unwrap();
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_sync_started_and_finished_bracket_what_waited_on_the_server() {
    let (server, clock) = server();
    // Messages that waited on the server while the user was away.
    let bob = ConvId::c2c("bob").unwrap();
    for i in 0..3 {
        server.deliver_from_peer(
            &bob,
            "bob",
            Message::text(format!("while you were away {i}")),
        );
    }
    let client = memory_client(&server, &clock);
    let mut events = Box::pin(client.events());
    client.login("alice", "sig").await.unwrap();
    let mut seen = Vec::new();
    next_matching(&mut events, |e| {
        match e {
            SdkEvent::SyncStarted => seen.push("started".to_owned()),
            SdkEvent::SyncFinished => seen.push("finished".to_owned()),
            SdkEvent::SyncProgress { done, total } => seen.push(format!("{done} of {total}")),
            SdkEvent::Message(MsgEvent::NewMessages(list)) => {
                seen.push(format!("{} new", list.len()))
            }
            SdkEvent::Conversation(ConvEvent::Added(list)) => {
                seen.push(format!("{} added", list.len()))
            }
            _ => {}
        }
        seen.last().is_some_and(|s| s == "finished").then_some(())
    })
    .await;
    // A first sync starts from the server's snapshot: the conversation as
    // it is now (its unread count from the server), not its history
    // replayed as new messages.
    assert_eq!(seen, ["started", "1 added", "finished"]);
    assert_eq!(
        client.conversations().total_unread().await.unwrap(),
        3,
        "the lists are complete at finish"
    );
    // Later pulls do not finish again.
    server.deliver_from_peer(&bob, "bob", Message::text("and now"));
    next_matching(&mut events, |e| match e {
        SdkEvent::SyncFinished => panic!("a second SyncFinished in one session"),
        SdkEvent::SyncProgress { .. } => panic!("progress after the first sync"),
        SdkEvent::Message(MsgEvent::NewMessages(_)) => Some(()),
        _ => None,
    })
    .await;
    client.shutdown().await;
}

/// A roaming call returns after its events were delivered: they are in the
/// app's stream before the call's answer (as the C API's callback order
/// shows them), with no waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_roaming_call_answers_after_its_events() {
    use futures::FutureExt;
    let (server, clock) = server();
    let client = memory_client(&server, &clock);
    // An app listener that takes its time: the dispatcher reaches the
    // stream only after it.
    struct Slow;
    impl im_sdk::EventListener for Slow {
        fn on_event(&self, _: &SdkEvent) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    client.add_event_listener(Arc::new(Slow));
    let mut events = Box::pin(client.events());
    client.login("alice", "sig").await.unwrap();
    // After the first sync: a change made while its snapshot is being
    // taken comes back inside the snapshot, which raises no event of its
    // own (under load that was round 0's missing event).
    next_matching(&mut events, |e| {
        matches!(e, SdkEvent::SyncFinished).then_some(())
    })
    .await;
    let convs = client.conversations();
    let bob = ConvId::c2c("bob").unwrap();
    for round in 0..10 {
        convs.create_conversation(&bob).await.unwrap();
        let name = format!("g{round}");
        convs
            .create_conversation_group(&name, std::slice::from_ref(&bob))
            .await
            .unwrap();
        let mut created = false;
        while let Some(Some(event)) = events.next().now_or_never() {
            created |= matches!(
                &event,
                SdkEvent::Conversation(ConvEvent::GroupCreated { name: n, .. }) if *n == name
            );
        }
        assert!(
            created,
            "round {round}: the created event was not there yet"
        );
        convs.delete_conversation_group(&name).await.unwrap();
        convs.delete_conversation(&bob).await.unwrap();
        let mut deleted = false;
        while let Some(Some(event)) = events.next().now_or_never() {
            deleted |= matches!(&event, SdkEvent::Conversation(ConvEvent::Deleted(ids)) if ids == &vec![bob.clone()]);
        }
        assert!(
            deleted,
            "round {round}: the deleted event was not there yet"
        );
    }
    client.shutdown().await;
}
