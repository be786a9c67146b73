//! Readers beside the writer (every persistent backend runs it): searches,
//! list pages and lookups keep running while messages are stored, none
//! fails, and every read sees whole batches only (a conversation's unread
//! count always equals its stored messages).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use im_model::ConvId;
use im_model::message::Message;

use crate::search::{default_search_types, normalize};
use crate::{
    ConvFilter, ConvQuery, Conversation, HistoryQuery, SearchQuery, Store, VersionRange, WriteBatch,
};

/// How many batches the writer applies.
const BATCHES: u64 = 400;

/// Runs three kinds of readers while 400 batches are written.
///
/// # Panics
/// A read fails or sees half a batch.
pub fn check_reads_during_writes(store: Arc<dyn Store>) {
    let conv = ConvId::group("busy").expect("a valid id");
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
                let whole = |c: &Conversation| {
                    let last_seq = c.last_message.as_ref().and_then(|m| m.seq).unwrap_or(0);
                    assert_eq!(c.unread_count, last_seq, "half a batch seen");
                };
                while !done.load(Ordering::Relaxed) {
                    match r {
                        0 => {
                            let (total, page) = store.search_messages(&query, 0, 20).unwrap();
                            assert_eq!(page.len() as u64, total.min(20));
                        }
                        1 => {
                            let page = store
                                .list_conversations(&ConvQuery {
                                    filter: &ConvFilter::all(),
                                    after: None,
                                    versions: VersionRange::Any,
                                    limit: 100,
                                })
                                .unwrap();
                            page.iter().for_each(whole);
                        }
                        _ => {
                            if let Some(c) = store.conversation(&conv).unwrap() {
                                whole(&c);
                                let newest = store
                                    .history(&HistoryQuery::latest(conv.clone(), 1))
                                    .unwrap();
                                assert!(
                                    newest.len() == 1,
                                    "a conversation with messages has a newest one"
                                );
                            }
                        }
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let mut c = Conversation::new(conv.clone(), 1);
    for seq in 1..=BATCHES {
        let m = Message {
            msg_id: Some(format!("m{seq}")),
            server_time: Some(1_000 + seq),
            seq: Some(seq),
            sender: Some("peer".into()),
            is_from_self: Some(false),
            ..Message::text(format!("第 {seq} 条消息 message"))
        };
        c.unread_count = seq;
        // Each batch also moves the conversation in the list (activity).
        c.last_message = Some(m.clone());
        let mut batch = WriteBatch::new();
        batch.put_message(conv.clone(), m).put(c.clone());
        store.apply(&batch).unwrap();
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().expect("a reader failed");
    }
    assert!(reads.load(Ordering::Relaxed) > 0);
    assert_eq!(
        store
            .history(&HistoryQuery::latest(conv, 1000))
            .unwrap()
            .len() as u64,
        BATCHES
    );
}
