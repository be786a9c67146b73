//! Readers and the writer at the same time on a WAL file: searches and
//! list pages keep running while messages are stored, nobody gets a
//! "database is locked" error, and every read sees whole batches only
//! (a conversation's unread count always equals its stored messages).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use im_model::ConvId;
use im_model::message::Message;
use im_store::search::{default_search_types, normalize};
use im_store::{
    ConvFilter, ConvQuery, Conversation, ConversationStore, HistoryQuery, MessageStore,
    SearchQuery, VersionRange, WriteBatch,
};
use im_store_sqlite::SqliteStore;

#[test]
fn test_reads_run_while_the_writer_writes_and_see_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("c.db")).unwrap());
    let conv = ConvId::group("busy").unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));

    let readers: Vec<_> = (0..3)
        .map(|r| {
            let (store, done, reads, conv) =
                (store.clone(), done.clone(), reads.clone(), conv.clone());
            std::thread::spawn(move || {
                let query = SearchQuery {
                    keywords: vec![normalize("消息")],
                    match_all: false,
                    senders: Vec::new(),
                    elem_types: default_search_types(),
                    conv: None,
                    time_range: None,
                };
                while !done.load(Ordering::Relaxed) {
                    match r {
                        0 => {
                            store.search_messages(&query, 0, 20).unwrap();
                        }
                        1 => {
                            store
                                .list_conversations(&ConvQuery {
                                    filter: &ConvFilter::all(),
                                    after: None,
                                    versions: VersionRange::Any,
                                    limit: 100,
                                })
                                .unwrap();
                        }
                        _ => {
                            // One statement reads the conversation: its unread
                            // count must match a whole number of batches.
                            if let Some(c) = store.conversation(&conv).unwrap() {
                                let last_seq =
                                    c.last_message.as_ref().and_then(|m| m.seq).unwrap_or(0);
                                assert_eq!(c.unread_count, last_seq, "half a batch seen");
                            }
                        }
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let mut c = Conversation::new(conv.clone(), 1);
    for seq in 1..=400u64 {
        let m = Message {
            msg_id: Some(format!("m{seq}")),
            server_time: Some(1_000 + seq),
            seq: Some(seq),
            sender: Some("peer".into()),
            is_from_self: Some(false),
            ..Message::text(format!("第 {seq} 条消息 message"))
        };
        c.unread_count = seq;
        c.last_message = Some(m.clone());
        let mut batch = WriteBatch::new();
        batch.put_message(conv.clone(), m).put(c.clone());
        store.apply(&batch).unwrap();
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    assert!(reads.load(Ordering::Relaxed) > 0);
    assert_eq!(
        store
            .history(&HistoryQuery::latest(conv, 1000))
            .unwrap()
            .len(),
        400
    );
}
