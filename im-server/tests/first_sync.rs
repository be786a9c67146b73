//! A device's first sync, and a resync, start from the server's snapshot:
//! the current state, announced once, with none of the history's group
//! callbacks; the server's event log is bounded. Real server on 127.0.0.1,
//! real HTTP, SQLite in temporary directories.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use im_conv::ConvEvent;
use im_model::ConvId;
use im_model::message::{Message, MsgGetMsgListParam};
use im_msg::MsgEvent;
use im_sdk::SdkEvent;
use im_server::{Server, ServerConfig};
use im_transport::{EventPage, PullRequest, SendRequest, Transport};
use support::{APP, Device, KEY, device, device_at, transport};

const STAR: u64 = 1;

async fn send(from: &impl Transport, to: &ConvId, text: &str, id: String) {
    let mut m = Message::text(text);
    m.msg_id = Some(id);
    from.send_message(SendRequest {
        conv: to.clone(),
        message: m,
    })
    .await
    .unwrap();
}

/// Everything a device's events say until its first sync finished.
async fn until_first_sync(device: &mut Device) -> Vec<SdkEvent> {
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = device.events.next().await {
            let done = matches!(event, SdkEvent::SyncFinished);
            seen.push(event);
            if done {
                return;
            }
        }
    })
    .await
    .expect("the first sync finished");
    seen
}

fn is_group_event(event: &SdkEvent) -> bool {
    matches!(
        event,
        SdkEvent::Conversation(
            ConvEvent::GroupCreated { .. }
                | ConvEvent::GroupDeleted { .. }
                | ConvEvent::GroupRenamed { .. }
                | ConvEvent::ConversationsAddedToGroup { .. }
                | ConvEvent::ConversationsRemovedFromGroup { .. }
        )
    )
}

/// The next conversation-group event (waiting at most 10 s), with every
/// group event seen until a quiet 300 ms after it.
async fn group_events_after(device: &mut Device) -> Vec<ConvEvent> {
    let mut got = Vec::new();
    let first = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match device.events.next().await {
                Some(SdkEvent::Conversation(e))
                    if is_group_event(&SdkEvent::Conversation(e.clone())) =>
                {
                    return e;
                }
                Some(_) => {}
                None => panic!("the event stream ended"),
            }
        }
    })
    .await
    .expect("a group event");
    got.push(first);
    while let Ok(Some(event)) =
        tokio::time::timeout(Duration::from_millis(300), device.events.next()).await
    {
        if let SdkEvent::Conversation(e) = event
            && is_group_event(&SdkEvent::Conversation(e.clone()))
        {
            got.push(e);
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_new_device_gets_the_current_state_once_and_none_of_the_history() {
    let server = support::server().await;
    let url = server.server.url();
    let (bob_id, carol_id) = (ConvId::c2c("bob").unwrap(), ConvId::c2c("carol").unwrap());
    let alice_id = ConvId::c2c("alice").unwrap();
    let bob = transport(&url, "bob", 1).await;
    let carol = transport(&url, "carol", 1).await;
    let dave = transport(&url, "dave", 1).await;
    let dave_id = ConvId::c2c("dave").unwrap();

    // Alice's first device lives through a history.
    let mut first = device(&url, "alice", 1).await;
    first.first_sync().await;
    for n in 0..1_200 {
        send(&bob, &alice_id, &format!("bob {n}"), format!("b-{n}")).await;
    }
    for n in 0..800 {
        send(&carol, &alice_id, &format!("carol {n}"), format!("c-{n}")).await;
    }
    for n in 0..20 {
        send(&dave, &alice_id, &format!("dave {n}"), format!("d-{n}")).await;
    }
    let convs = first.client.conversations();
    // Wait until both conversations are there.
    for _ in 0..200 {
        if convs.total_unread().await.unwrap() == 2_020 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(convs.total_unread().await.unwrap(), 2_020);
    // Dave's conversation, pinned and in a group, then deleted with its
    // messages (TIMConvDelete): it no longer exists.
    convs.pin_conversation(&dave_id, true).await.unwrap();
    convs
        .create_conversation_group("Dave's", std::slice::from_ref(&dave_id))
        .await
        .unwrap();
    convs
        .delete_conversations_with_messages(std::slice::from_ref(&dave_id), true)
        .await
        .unwrap();
    assert!(convs.conversation(&dave_id).await.unwrap().is_none());
    convs
        .create_conversation_group("Old", std::slice::from_ref(&bob_id))
        .await
        .unwrap();
    convs
        .rename_conversation_group("Old", "Older")
        .await
        .unwrap();
    convs.delete_conversation_group("Older").await.unwrap();
    convs
        .create_conversation_group("Work", &[bob_id.clone(), carol_id.clone()])
        .await
        .unwrap();
    convs
        .create_conversation_group("Gone", std::slice::from_ref(&carol_id))
        .await
        .unwrap();
    convs.delete_conversation_group("Gone").await.unwrap();
    convs
        .mark_conversations(std::slice::from_ref(&bob_id), STAR, true)
        .await
        .unwrap();
    convs
        .mark_conversations(std::slice::from_ref(&bob_id), STAR, false)
        .await
        .unwrap();
    convs
        .mark_conversations(std::slice::from_ref(&carol_id), STAR, true)
        .await
        .unwrap();
    convs.pin_conversation(&carol_id, true).await.unwrap();
    // Bob's conversation read on this device: its unread roams as 0.
    first
        .client
        .messages()
        .report_read(&bob_id, None)
        .await
        .unwrap();
    let first_total = convs.total_unread().await.unwrap();
    assert_eq!(first_total, 800);

    // A new device of alice.
    let mut second = device(&url, "alice", 2).await;
    let events = until_first_sync(&mut second).await;
    let started = events
        .iter()
        .position(|e| matches!(e, SdkEvent::SyncStarted));
    let first_added = events
        .iter()
        .position(|e| matches!(e, SdkEvent::Conversation(ConvEvent::Added(_))));
    assert!(started.is_some() && started < first_added, "{events:?}");
    let history: Vec<&SdkEvent> = events.iter().filter(|e| is_group_event(e)).collect();
    assert!(
        history.is_empty(),
        "no group callback for history: {history:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SdkEvent::Message(MsgEvent::NewMessages(_)))),
        "history is not announced as new messages"
    );
    let mut added: BTreeMap<String, usize> = BTreeMap::new();
    for event in &events {
        if let SdkEvent::Conversation(ConvEvent::Added(list)) = event {
            for info in list {
                *added.entry(info.conv_id.clone().unwrap()).or_default() += 1;
            }
        }
    }
    assert_eq!(
        added,
        BTreeMap::from([("bob".to_owned(), 1), ("carol".to_owned(), 1)]),
        "every conversation once"
    );
    let second_convs = second.client.conversations();
    assert_eq!(second_convs.total_unread().await.unwrap(), first_total);
    assert_eq!(
        second_convs.conversation_groups().await.unwrap(),
        vec!["Dave's".to_owned(), "Work".to_owned()]
    );
    assert!(second_convs.conversation(&dave_id).await.unwrap().is_none());
    let carol_info = second_convs.conversation(&carol_id).await.unwrap().unwrap();
    assert_eq!(carol_info.is_pinned, Some(true));
    assert_eq!(carol_info.unread_num, Some(800));
    assert_eq!(carol_info.mark_array, Some(vec![STAR]));
    assert_eq!(
        carol_info.last_msg.and_then(|m| m.msg_id),
        Some("c-799".to_owned())
    );
    let bob_info = second_convs.conversation(&bob_id).await.unwrap().unwrap();
    assert_eq!(
        (bob_info.unread_num, bob_info.mark_array),
        (Some(0), Some(vec![]))
    );
    assert_eq!(
        bob_info.conversation_group_array,
        Some(vec!["Work".to_owned()])
    );
    // History comes on demand, each message once.
    let page = second
        .client
        .messages()
        .get_message_list(
            &carol_id,
            &MsgGetMsgListParam {
                count: Some(1_000),
                is_ramble: Some(true),
                ..MsgGetMsgListParam::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.len(), 800);
    assert_eq!(
        second_convs.total_unread().await.unwrap(),
        first_total,
        "a roaming page does not change the count"
    );

    // A live change arrives once, on both devices: a group created with a
    // conversation is one "created" carrying it, and no "added" follows.
    for device in [&mut first, &mut second] {
        while let Ok(Some(_)) =
            tokio::time::timeout(Duration::from_millis(200), device.events.next()).await
        {}
    }
    convs
        .create_conversation_group("Live", std::slice::from_ref(&bob_id))
        .await
        .unwrap();
    for device in [&mut first, &mut second] {
        let got = group_events_after(device).await;
        assert_eq!(got.len(), 1, "{got:?}");
        match &got[0] {
            ConvEvent::GroupCreated {
                name,
                conversations,
            } => {
                assert_eq!(name, "Live");
                assert_eq!(conversations.len(), 1);
                assert_eq!(conversations[0].conv_id.as_deref(), Some("bob"));
            }
            other => panic!("{other:?}"),
        }
    }
    // A live deletion reaches the other device once; a new message brings
    // the conversation back on both.
    convs.delete_conversation(&carol_id).await.unwrap();
    let deleted = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(SdkEvent::Conversation(ConvEvent::Deleted(ids))) =
                second.events.next().await
            {
                return ids;
            }
        }
    })
    .await
    .expect("the deletion arrived");
    assert_eq!(deleted, vec![carol_id.clone()]);
    assert!(
        second_convs
            .conversation(&carol_id)
            .await
            .unwrap()
            .is_none()
    );
    send(&carol, &alice_id, "back again", "c-back".into()).await;
    let got = second.receive(1).await;
    assert_eq!(got[0].msg_id.as_deref(), Some("c-back"));
    let mut third = device(&url, "alice", 3).await;
    third.first_sync().await;
    let carol_again = third
        .client
        .conversations()
        .conversation(&carol_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        carol_again.last_msg.and_then(|m| m.msg_id).as_deref(),
        Some("c-back")
    );
    first.client.shutdown().await;
    second.client.shutdown().await;
    third.client.shutdown().await;
}

/// A server whose trim keeps no event: every trim makes each cursor too old.
async fn trimming_server() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.path(), APP, KEY);
    config.retention.max_events = 0;
    (Server::start(config).await.unwrap(), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_device_offline_past_the_retention_resyncs_and_converges() {
    let (server, _dir) = trimming_server().await;
    let url = server.url();
    let alice_id = ConvId::c2c("alice").unwrap();
    let bob_id = ConvId::c2c("bob").unwrap();
    let bob = transport(&url, "bob", 1).await;
    let dir = tempfile::tempdir().unwrap();
    {
        let mut alice = device_at(&url, "alice", 1, dir.path()).await;
        alice.first_sync().await;
        send(&bob, &alice_id, "before", "before".into()).await;
        let got = alice.receive(1).await;
        assert_eq!(got[0].msg_id.as_deref(), Some("before"));
        let erin_t = transport(&url, "erin", 1).await;
        send(&erin_t, &alice_id, "from erin", "erin-1".into()).await;
        alice.receive(1).await;
        alice.client.shutdown().await;
    }
    // While alice is away: 30 messages, a conversation deleted on another
    // device, and the server trims its logs.
    for n in 0..30 {
        send(&bob, &alice_id, &format!("away {n}"), format!("away-{n}")).await;
    }
    let erin = ConvId::c2c("erin").unwrap();
    {
        let mut other = device(&url, "alice", 2).await;
        other.first_sync().await;
        assert!(
            other
                .client
                .conversations()
                .conversation(&erin)
                .await
                .unwrap()
                .is_some()
        );
        other
            .client
            .conversations()
            .delete_conversation(&erin)
            .await
            .unwrap();
        other.client.shutdown().await;
    }
    assert!(server.trim_event_logs().await.unwrap() > 0);
    let raw = transport(&url, "alice", 3).await;
    assert_eq!(
        raw.pull_events(PullRequest {
            cursor: 1,
            limit: 10
        })
        .await
        .unwrap(),
        EventPage::CursorTooOld
    );

    let mut alice = device_at(&url, "alice", 1, dir.path()).await;
    alice.first_sync().await;
    let convs = alice.client.conversations();
    assert!(
        convs.conversation(&erin).await.unwrap().is_none(),
        "deleted elsewhere while away"
    );
    assert_eq!(
        convs.total_unread().await.unwrap(),
        31,
        "every unread message counted once"
    );
    let info = convs.conversation(&bob_id).await.unwrap().unwrap();
    assert_eq!(
        info.last_msg.and_then(|m| m.msg_id).as_deref(),
        Some("away-29")
    );
    // No message lost or shown twice: the history holds each once.
    let page = alice
        .client
        .messages()
        .get_message_list(
            &bob_id,
            &MsgGetMsgListParam {
                count: Some(100),
                is_ramble: Some(true),
                ..MsgGetMsgListParam::default()
            },
        )
        .await
        .unwrap();
    let mut ids: Vec<String> = page.into_iter().filter_map(|m| m.msg_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 31);
    // Live again: the next message arrives once, as an event.
    send(&bob, &alice_id, "live", "live".into()).await;
    let got = alice.receive(1).await;
    assert_eq!(got[0].msg_id.as_deref(), Some("live"));
    assert_eq!(convs.total_unread().await.unwrap(), 32);
    // Reading everything clears what the snapshot counted too.
    alice
        .client
        .messages()
        .report_read(&bob_id, None)
        .await
        .unwrap();
    assert_eq!(convs.total_unread().await.unwrap(), 0);
    alice.client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_trim_during_pulls_never_leaves_a_gap() {
    use im_server::store::{ConvKey, NewMessage, ServerStore, SqliteStore};
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(dir.path()).unwrap());
    let conv = ConvKey::of("bob", &ConvId::c2c("alice").unwrap());
    let mut sent = 0u64;
    for round in 0..30 {
        for _ in 0..20 {
            store
                .append_message(NewMessage {
                    conv: conv.clone(),
                    sender: "bob".into(),
                    msg_id: format!("m-{sent}"),
                    now: 1_700_000_000,
                    message: Message::text("m"),
                    echo_to_sender: false,
                })
                .await
                .unwrap();
            sent += 1;
        }
        // Pulls from several cursors race a trim that keeps 10 events.
        let pulls = (0..4u64).map(|k| {
            let store = store.clone();
            let cursor = sent.saturating_sub(25) + k * 5;
            async move {
                (
                    cursor,
                    store.events_after("alice", cursor, 1000).await.unwrap(),
                )
            }
        });
        let (pages, trimmed) =
            tokio::join!(futures::future::join_all(pulls), store.trim_events(0, 10));
        trimmed.unwrap();
        for (cursor, page) in pages {
            if cursor < page.floor {
                continue; // the service answers CursorTooOld
            }
            // Not trimmed past the cursor: every event after it, in order.
            let cursors: Vec<u64> = page.events.iter().map(|e| e.cursor).collect();
            let expected: Vec<u64> = (cursor + 1..=page.head).collect();
            assert_eq!(cursors, expected, "round {round}: pull after {cursor}");
        }
    }
    store.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_push_stream_refuses_a_cursor_below_the_trimmed_log() {
    let (server, _dir) = trimming_server().await;
    let url = server.url();
    let bob = transport(&url, "bob", 1).await;
    let alice_id = ConvId::c2c("alice").unwrap();
    for n in 0..5 {
        send(&bob, &alice_id, "m", format!("m-{n}")).await;
    }
    assert!(server.trim_event_logs().await.unwrap() > 0);
    let token = support::raw::login(&url, "alice").await;
    // From cursor 2 (trimmed: the floor is 5), the stream says so rather
    // than sending what follows the floor.
    let stream = support::raw::exchange(
        &url,
        &format!("GET /v1/events/stream?cursor=2 HTTP/1.1\r\nAuthorization: Bearer {token}"),
        "",
        Duration::from_millis(500),
    )
    .await;
    assert!(stream.contains("cursor_too_old"), "{stream}");
    assert!(!stream.contains("\"events\""), "{stream}");
}
