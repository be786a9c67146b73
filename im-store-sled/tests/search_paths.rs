//! The search's ways to a page (dense keywords walk the position index,
//! counting from the postings when they are exact and from the checked
//! candidates when not; sparse ones collect their candidates' documents)
//! give what the in-memory reference gives.

use im_model::{ConvId, Message, MsgStatus};
use im_store::search::{default_search_types, normalize};
use im_store::{MemoryStore, MessageStore, SearchQuery, Store, WriteBatch};
use im_store_sled::SledStore;

fn fill(store: &dyn Store) {
    let mut batch = WriteBatch::new();
    for i in 0..400u64 {
        let conv = ConvId::c2c(format!("user{}", i % 7)).unwrap();
        // "饭" in every third message, "稀" in one only; revoked ones
        // never match. Times repeat to exercise ties.
        let text = match i {
            123 => "稀有的 rare word".to_owned(),
            _ if i % 3 == 0 => format!("吃饭 lunch {i}"),
            _ => format!("消息 message {i}"),
        };
        let mut m = Message {
            msg_id: Some(format!("m{i:03}")),
            server_time: Some(1_700_000_000 + i / 4),
            seq: Some(i + 1),
            sender: Some("peer".into()),
            ..Message::text(text)
        };
        if i % 50 == 0 {
            m.status = Some(MsgStatus::Revoked);
        }
        batch.put_message(conv, m);
    }
    store.apply(&batch).unwrap();
}

fn query(keywords: &[&str], match_all: bool) -> SearchQuery {
    SearchQuery {
        keywords: keywords.iter().map(|k| normalize(k)).collect(),
        match_all,
        senders: Vec::new(),
        elem_types: default_search_types(),
        conv: None,
        time_range: None,
    }
}

#[test]
fn test_every_search_path_equals_the_reference() {
    let sled = SledStore::open_temporary().unwrap();
    let memory = MemoryStore::new();
    fill(&sled);
    fill(&memory);
    let cases = [
        query(&["饭"], false),           // dense, one character
        query(&["吃饭"], false),         // dense, a pair
        query(&["稀"], false),           // sparse, one character
        query(&["饭", "稀"], false),     // exact keywords combined
        query(&["吃饭", "lunch"], true), // a longer keyword: verified
        query(&["lunch 3"], false),      // spans a space
        // Every lunch message holds each pair of "lunch lunch" (" l"
        // after "饭"), none the keyword: dense candidates, no match.
        query(&["lunch lunch"], false),
        query(&["lunch lunch", "lunch 1"], false),
    ];
    for q in &cases {
        for (offset, limit) in [(0, 20), (5, 7), (130, 20), (0, 0)] {
            assert_eq!(
                sled.search_messages(q, offset, limit).unwrap(),
                memory.search_messages(q, offset, limit).unwrap(),
                "{:?} at {offset}+{limit}",
                q.keywords
            );
        }
        assert_eq!(
            sled.search_conversations(q, 0, 5).unwrap(),
            memory.search_conversations(q, 0, 5).unwrap(),
            "{:?}",
            q.keywords
        );
    }
    let (total, _) = sled.search_messages(&query(&["饭"], false), 0, 1).unwrap();
    // Every third of 400 (134), but not message 123 (the rare one) nor
    // the revoked 0, 150 and 300.
    assert_eq!(total, 130);
}
