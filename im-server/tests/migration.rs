//! A database of schema 1 (before event retention) opens with this server:
//! migrated in place, its books, events and messages kept, its events
//! trimmable, its snapshot readable.

use im_model::ConvId;
use im_model::wire::{ConvRoamingState, ConvStateChange};
use im_server::store::{ConvKey, ServerStore, SqliteStore};

#[tokio::test]
async fn test_a_schema_1_database_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let bob = ConvId::c2c("bob").unwrap();
    {
        let conn = rusqlite::Connection::open(dir.path().join("server.db")).unwrap();
        conn.execute_batch(include_str!("data/schema_v1.sql"))
            .unwrap();
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema', 1)", [])
            .unwrap();
        let state = ConvRoamingState {
            groups: vec!["Work".into()],
            ..ConvRoamingState::default()
        };
        conn.execute(
            "INSERT INTO books (user, groups, convs) VALUES ('alice', ?1, ?2)",
            [
                serde_json::to_string(&["Work"]).unwrap(),
                serde_json::to_string(&vec![(bob.clone(), state)]).unwrap(),
            ],
        )
        .unwrap();
        let key = ConvKey::of("alice", &bob).encode();
        conn.execute(
            "INSERT INTO messages (conv, seq, sender, msg_id, time, unique_id, body)
             VALUES (?1, 1, 'bob', 'm-1', 1700000000, 1, '{\"message_msg_id\":\"m-1\"}')",
            [&key],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO user_convs (user, conv) VALUES ('alice', ?1)",
            [&key],
        )
        .unwrap();
        conn.execute("INSERT INTO convs (key, last_seq) VALUES (?1, 1)", [&key])
            .unwrap();
        conn.execute("INSERT INTO heads (user, head) VALUES ('alice', 1)", [])
            .unwrap();
        conn.execute(
            "INSERT INTO events (user, cursor, conv, seq) VALUES ('alice', 1, ?1, 1)",
            [&key],
        )
        .unwrap();
    }

    let store = SqliteStore::open(dir.path()).unwrap();
    let (book, head) = store.book("alice").await.unwrap();
    assert_eq!((book.groups.clone(), head), (vec!["Work".to_owned()], 1));
    let page = store.events_after("alice", 0, 10).await.unwrap();
    assert_eq!((page.events.len(), page.head, page.floor), (1, 1, 0));
    // The snapshot counts the old message as unread (it counts by default).
    let snapshot = store.snapshot("alice").await.unwrap();
    assert_eq!(snapshot.convs.len(), 1);
    assert_eq!(snapshot.convs[0].unread, 1);
    assert_eq!(
        snapshot.convs[0].last.as_ref().map(|m| m.msg_id.as_str()),
        Some("m-1")
    );
    // The book's order of addition is derived for the old book, and kept.
    store
        .update_book(
            "alice",
            Box::new(|book| {
                book.apply(ConvStateChange::AddToGroup {
                    name: "Work".into(),
                    convs: vec![ConvId::c2c("carol").unwrap()],
                })
            }),
        )
        .await
        .unwrap();
    let (book, _) = store.book("alice").await.unwrap();
    assert_eq!(
        book.added_order["Work"],
        vec![bob.clone(), ConvId::c2c("carol").unwrap()]
    );
    // The conversation's newest time is derived from its messages: a send
    // from a clock that is behind gets it, not an earlier one.
    let appended = store
        .append_message(im_server::store::NewMessage {
            conv: ConvKey::of("alice", &bob),
            sender: "alice".into(),
            msg_id: "m-2".into(),
            now: 1_600_000_000,
            message: im_model::Message::text("late clock"),
            echo_to_sender: true,
        })
        .await
        .unwrap();
    assert_eq!(
        (appended.ack.seq, appended.ack.server_time),
        (2, 1_700_000_000)
    );
    // Old events are trimmable, and the floor then says so.
    assert_eq!(store.trim_events(0, 0).await.unwrap(), 4);
    let page = store.events_after("alice", 0, 10).await.unwrap();
    assert_eq!((page.events.len(), page.floor), (0, 3));
    store.close();
    // Opened again: nothing migrates twice.
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.events_after("alice", 3, 10).await.unwrap().floor, 3);
    store.close();
}
