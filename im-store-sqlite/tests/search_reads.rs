//! What a search reads: a page over all conversations decodes only the
//! messages it returns when the keyword indexes are exact (audit item 19).

use im_model::ConvId;
use im_model::message::Message;
use im_store::search::{default_search_types, normalize};
use im_store::{ConversationStore, MessageStore, SearchQuery, WriteBatch};
use im_store_sqlite::SqliteStore;
use rusqlite::Connection;

fn query(keyword: &str) -> SearchQuery {
    SearchQuery {
        keywords: vec![normalize(keyword)],
        match_all: false,
        senders: Vec::new(),
        elem_types: default_search_types(),
        conv: None,
        time_range: None,
    }
}

#[test]
fn test_search_over_all_conversations_reads_only_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.db");
    let store = SqliteStore::open(&path).unwrap();
    let mut batch = WriteBatch::new();
    for c in 0..4u64 {
        let conv = ConvId::c2c(format!("peer{c}")).unwrap();
        for i in 0..3u64 {
            batch.put_message(
                conv.clone(),
                Message {
                    msg_id: Some(format!("m{c}-{i}")),
                    server_time: Some(1_000 + c * 10 + i),
                    ..Message::text(format!("meeting {i}"))
                },
            );
        }
    }
    store.apply(&batch).unwrap();
    // Every message but the newest of each conversation becomes unreadable:
    // a search that decoded every hit would fail.
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE messages SET data = 'not json' WHERE msg_id NOT LIKE '%-2'",
        [],
    )
    .unwrap();
    drop(conn);

    for keyword in ["meeting", "m"] {
        let (total, page) = store.search_conversations(&query(keyword), 1, 2).unwrap();
        assert_eq!(total, 4, "{keyword}");
        let got: Vec<_> = page
            .iter()
            .map(|h| {
                (
                    h.conv.peer().to_owned(),
                    h.count,
                    h.newest.msg_id.clone().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("peer2".to_owned(), 3, "m2-2".to_owned()),
                ("peer1".to_owned(), 3, "m1-2".to_owned())
            ],
            "{keyword}"
        );
    }
    assert!(store.conversation_groups().unwrap().is_empty());
}
