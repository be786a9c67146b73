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

/// A corpus where one conversation holds most hits of '世', another many
/// (interleaved in time), and twenty small ones the newest; a revoked
/// message and a group among them.
fn skewed_corpus() -> Vec<(ConvId, Message)> {
    let message = |id: String, time: u64, text: String| Message {
        msg_id: Some(id),
        server_time: Some(time),
        ..Message::text(text)
    };
    let mut corpus = Vec::new();
    let big = ConvId::c2c("big").unwrap();
    for i in 0..700u64 {
        let text = if i % 2 == 0 {
            format!("世界 {i}")
        } else {
            format!("hello {i}")
        };
        corpus.push((big.clone(), message(format!("b{i}"), 1_000 + i * 2, text)));
    }
    let mut revoked = message("b-revoked".into(), 2_500, "世界 revoked".into());
    revoked.status = Some(im_model::MsgStatus::Revoked);
    corpus.push((big, revoked));
    let mid = ConvId::group("mid").unwrap();
    for i in 0..120u64 {
        corpus.push((
            mid.clone(),
            message(format!("m{i}"), 1_001 + i * 10, format!("世 {i} 界")),
        ));
    }
    for j in 0..20u64 {
        let small = ConvId::c2c(format!("s{j}")).unwrap();
        corpus.push((
            small.clone(),
            message(format!("s{j}-a"), 3_000 + j, format!("一 世 {j}")),
        ));
        corpus.push((
            small.clone(),
            message(format!("s{j}-b"), 900 + j, "nothing here".into()),
        ));
        corpus.push((small, message(format!("s{j}-c"), 3_100 + j, "世界".into())));
    }
    corpus
}

#[test]
fn test_conversation_pages_of_a_skewed_corpus_equal_the_reference() {
    let sqlite = SqliteStore::open_in_memory().unwrap();
    let reference = im_store::MemoryStore::new();
    let mut batch = WriteBatch::new();
    for (conv, message) in skewed_corpus() {
        batch.put_message(conv, message);
    }
    sqlite.apply(&batch).unwrap();
    reference.apply(&batch).unwrap();
    let queries = [
        query("世"),
        query("世界"),
        SearchQuery {
            keywords: vec![normalize("世"), normalize("界")],
            ..query("世")
        },
        SearchQuery {
            keywords: vec![normalize("世"), normalize("界")],
            match_all: true,
            ..query("世")
        },
        query("hello"),
    ];
    for q in &queries {
        for (offset, limit) in [(0, 5), (3, 10), (0, 100), (20, 5), (21, 1)] {
            let got = sqlite.search_conversations(q, offset, limit).unwrap();
            let want = reference.search_conversations(q, offset, limit).unwrap();
            let summary = |(total, page): &(u64, Vec<im_store::ConversationHits>)| {
                (
                    *total,
                    page.iter()
                        .map(|h| (h.conv.clone(), h.count, h.newest.msg_id.clone()))
                        .collect::<Vec<_>>(),
                )
            };
            assert_eq!(summary(&got), summary(&want), "{q:?} at {offset}+{limit}");
        }
    }
    // The big conversation holds 350 hits of '世' and the group 120.
    let (total, page) = sqlite.search_conversations(&query("世"), 0, 100).unwrap();
    assert_eq!(total, 22);
    let count_of = |peer: &str| page.iter().find(|h| h.conv.peer() == peer).map(|h| h.count);
    assert_eq!((count_of("big"), count_of("mid")), (Some(350), Some(120)));
}
