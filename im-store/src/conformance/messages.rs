//! Conformance cases for messages: storage, history pages, locators,
//! unread recounts, atomic batches and local search.

use std::collections::BTreeSet;

use im_model::message::{CustomElem, FileElem, LocationElem, MsgLocator};
use im_model::{ConvId, Elem, ElemType, Message, MsgStatus};

use super::fixtures::c2c;
use crate::search::{default_search_types, normalize};
use crate::{
    Direction, HistoryQuery, MessagePos, SearchQuery, Store, UnreadQuery, WriteBatch, WriteOp,
};

/// A text message of `conv` with id `id`, at `time`, with sequence `seq`.
pub fn text_message(conv: &ConvId, id: &str, text: &str, time: u64, seq: u64) -> Message {
    Message {
        msg_id: Some(id.to_owned()),
        conv_id: Some(conv.peer().to_owned()),
        conv_type: Some(conv.conv_type()),
        server_time: Some(time),
        seq: Some(seq),
        rand: Some(seq * 7 + 1),
        unique_id: Some(seq * 1000 + 3),
        sender: Some("peer".into()),
        is_from_self: Some(false),
        status: Some(MsgStatus::SendSucc),
        ..Message::text(text)
    }
}

fn put_messages(store: &dyn Store, conv: &ConvId, messages: &[Message]) {
    let mut batch = WriteBatch::new();
    for m in messages {
        batch.put_message(conv.clone(), m.clone());
    }
    store.apply(&batch).expect("messages apply");
}

fn ids(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m.msg_id.clone().unwrap_or_default())
        .collect()
}

/// Ten messages `{prefix}01`..`{prefix}10`, two per second from time 100.
fn ten_messages(conv: &ConvId, prefix: &str) -> Vec<Message> {
    (1..=10)
        .map(|i| {
            text_message(
                conv,
                &format!("{prefix}{i:02}"),
                &format!("text {i}"),
                100 + i / 2,
                i,
            )
        })
        .collect()
}

/// A message survives a write and a read unchanged; lookups by id keep
/// input order.
pub fn test_message_round_trip_and_lookup(store: &dyn Store) {
    let conv = ConvId::c2c("a").unwrap();
    let mut m = text_message(&conv, "id-1", "你好 world", 10, 1);
    m.elem_array.as_mut().unwrap().push(Elem::Other(
        serde_json::from_str(r#"{"elem_type":99,"future":true}"#).unwrap(),
    ));
    m.custom_str = Some("local".into());
    put_messages(
        store,
        &conv,
        &[m.clone(), text_message(&conv, "id-2", "x", 11, 2)],
    );
    assert_eq!(store.message("id-1").unwrap(), Some(m));
    assert_eq!(store.message("nope").unwrap(), None);
    let found = store
        .messages(&["id-2".into(), "nope".into(), "id-1".into(), "id-2".into()])
        .unwrap();
    assert_eq!(ids(&found), ["id-2", "id-1"]);
}

/// History pages: newest first going older, oldest first going newer,
/// anchors exclusive, and every filter of the query.
pub fn test_history_pages(store: &dyn Store) {
    let conv = ConvId::group("g").unwrap();
    let other = ConvId::group("h").unwrap();
    let mut messages = ten_messages(&conv, "m");
    messages[4].status = Some(MsgStatus::Deleted);
    messages[6].elem_array = Some(vec![Elem::File(FileElem {
        file_name: Some("a.pdf".into()),
        ..FileElem::default()
    })]);
    put_messages(store, &conv, &messages);
    put_messages(store, &other, &ten_messages(&other, "h"));

    let latest = store
        .history(&HistoryQuery::latest(conv.clone(), 3))
        .unwrap();
    assert_eq!(ids(&latest), ["m10", "m09", "m08"]);

    let anchor = MessagePos::of(&messages[7]).unwrap();
    let older = store
        .history(&HistoryQuery {
            anchor: Some(anchor.clone()),
            ..HistoryQuery::latest(conv.clone(), 4)
        })
        .unwrap();
    assert_eq!(ids(&older), ["m07", "m06", "m05", "m04"]);
    let newer = store
        .history(&HistoryQuery {
            anchor: Some(anchor),
            direction: Direction::Newer,
            ..HistoryQuery::latest(conv.clone(), 10)
        })
        .unwrap();
    assert_eq!(ids(&newer), ["m09", "m10"]);
    let oldest = store
        .history(&HistoryQuery {
            direction: Direction::Newer,
            ..HistoryQuery::latest(conv.clone(), 2)
        })
        .unwrap();
    assert_eq!(ids(&oldest), ["m01", "m02"]);

    let filtered = store
        .history(&HistoryQuery {
            time_range: Some((102, 103)),
            exclude_status: [MsgStatus::Deleted].into(),
            ..HistoryQuery::latest(conv.clone(), 10)
        })
        .unwrap();
    assert_eq!(ids(&filtered), ["m07", "m06", "m04"]);
    let files = store
        .history(&HistoryQuery {
            elem_types: Some([ElemType::File].into()),
            ..HistoryQuery::latest(conv.clone(), 10)
        })
        .unwrap();
    assert_eq!(ids(&files), ["m07"]);

    let by_seq = store.messages_by_seqs(&conv, &[9, 2, 42, 2]).unwrap();
    assert_eq!(ids(&by_seq), ["m02", "m09"]);
}

/// Locators find by unique id, or by every set field of seq, rand and time.
pub fn test_find_by_locator(store: &dyn Store) {
    let conv = ConvId::c2c("a").unwrap();
    let messages = ten_messages(&conv, "m");
    put_messages(store, &conv, &messages);
    let by_unique = MsgLocator {
        unique_id: Some(5003),
        ..MsgLocator::default()
    };
    assert_eq!(
        ids(&store
            .find_by_locator(&conv, &by_unique)
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>()),
        ["m05"]
    );
    let by_seq_rand = MsgLocator {
        seq: Some(3),
        rand: Some(22),
        ..MsgLocator::default()
    };
    assert_eq!(
        store
            .find_by_locator(&conv, &by_seq_rand)
            .unwrap()
            .and_then(|m| m.msg_id),
        Some("m03".into())
    );
    let wrong_rand = MsgLocator {
        seq: Some(3),
        rand: Some(23),
        ..MsgLocator::default()
    };
    assert_eq!(store.find_by_locator(&conv, &wrong_rand).unwrap(), None);
    assert_eq!(
        store
            .find_by_locator(&conv, &MsgLocator::default())
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_by_locator(&ConvId::c2c("b").unwrap(), &by_unique)
            .unwrap(),
        None
    );
}

/// Unread recounts follow the reference rule: peers' messages after the
/// read position, neither excluded nor revoked.
pub fn test_count_unread(store: &dyn Store) {
    let conv = ConvId::group("g").unwrap();
    let mut messages = ten_messages(&conv, "m");
    messages[9].is_from_self = Some(true);
    messages[8].is_excluded_from_unread_count = Some(true);
    messages[7].status = Some(MsgStatus::Revoked);
    put_messages(store, &conv, &messages);
    let count = |after_seq| {
        store
            .count_unread(&UnreadQuery {
                conv: conv.clone(),
                after_time: 0,
                after_seq,
            })
            .unwrap()
    };
    assert_eq!(count(0), 7);
    assert_eq!(count(5), 2);
    assert_eq!(count(10), 0);
    let c2c = ConvId::c2c("p").unwrap();
    put_messages(store, &c2c, &ten_messages(&c2c, "p"));
    let by_time = store
        .count_unread(&UnreadQuery {
            conv: c2c,
            after_time: 103,
            after_seq: 0,
        })
        .unwrap();
    assert_eq!(by_time, 3, "times 104, 104 and 105; 103 itself is read");
}

/// Messages and conversations change in one atomic batch: an invalid
/// operation anywhere writes none of them.
pub fn test_message_batches_are_atomic(store: &dyn Store) {
    let conv = ConvId::c2c("a").unwrap();
    let mut batch = WriteBatch::new();
    batch.put(c2c("a", 1));
    batch.put_message(conv.clone(), text_message(&conv, "ok", "x", 1, 1));
    batch.put_message(conv.clone(), Message::text("no id"));
    assert!(store.apply(&batch).is_err());
    assert_eq!(store.conversation(&conv).unwrap(), None);
    assert_eq!(store.message("ok").unwrap(), None);

    put_messages(store, &conv, &[text_message(&conv, "mine", "x", 1, 1)]);
    let other = ConvId::c2c("b").unwrap();
    let mut steal = WriteBatch::new();
    steal.put_message(other.clone(), text_message(&other, "mine", "y", 2, 2));
    assert!(
        store.apply(&steal).is_err(),
        "an id belongs to one conversation"
    );
}

/// Deleting one message and clearing a conversation remove them from
/// every read; other conversations keep theirs.
pub fn test_delete_and_clear_messages(store: &dyn Store) {
    let a = ConvId::c2c("a").unwrap();
    let b = ConvId::c2c("b").unwrap();
    put_messages(store, &a, &ten_messages(&a, "m"));
    put_messages(store, &b, &[text_message(&b, "b1", "x", 1, 1)]);
    let mut batch = WriteBatch::new();
    batch.push(WriteOp::DeleteMessage("m10".into()));
    store.apply(&batch).unwrap();
    assert_eq!(store.message("m10").unwrap(), None);
    assert_eq!(
        ids(&store.history(&HistoryQuery::latest(a.clone(), 1)).unwrap()),
        ["m09"]
    );
    let mut clear = WriteBatch::new();
    clear.push(WriteOp::ClearMessages(a.clone()));
    // A message put before the clear in the same batch is cleared too.
    clear.put_message(a.clone(), text_message(&a, "late", "x", 500, 50));
    clear.push(WriteOp::ClearMessages(a.clone()));
    store.apply(&clear).unwrap();
    assert!(
        store
            .history(&HistoryQuery::latest(a, 10))
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.message("late").unwrap(), None);
    assert_eq!(
        ids(&store.history(&HistoryQuery::latest(b, 10)).unwrap()),
        ["b1"]
    );
}

/// Words the generated corpus is built from: Chinese, Japanese, Korean,
/// English in mixed case, full-width forms.
const WORDS: &[&str] = &[
    "你好",
    "世界",
    "会议",
    "明天",
    "开会",
    "报告",
    "项目",
    "进度",
    "中",
    "文",
    "こんにちは",
    "カタカナ",
    "ｶﾀｶﾅ",
    "안녕하세요",
    "한국어",
    "Hello",
    "WORLD",
    "meeting",
    "Report",
    "ＡＢＣ",
    "abc",
    "Straße",
    "strasse",
    "2026",
];

/// A deterministic corpus of `n` messages over 4 conversations, mixing
/// element kinds, senders, times and statuses.
pub fn search_corpus(n: u64) -> Vec<(ConvId, Message)> {
    let convs = [
        ConvId::c2c("alice").unwrap(),
        ConvId::c2c("bob").unwrap(),
        ConvId::group("team").unwrap(),
        ConvId::group("家庭").unwrap(),
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    (0..n)
        .map(|i| {
            let conv = convs[next(convs.len() as u64) as usize].clone();
            let words: Vec<&str> = (0..1 + next(5))
                .map(|_| WORDS[next(WORDS.len() as u64) as usize])
                .collect();
            let sep = if next(2) == 0 { " " } else { "" };
            let text = words.join(sep);
            let mut m = text_message(&conv, &format!("s{i:04}"), &text, 1_000 + next(200), i + 1);
            m.elem_array = Some(vec![match next(6) {
                0 => Elem::File(FileElem {
                    file_name: Some(format!("{text}.pdf")),
                    ..FileElem::default()
                }),
                1 => Elem::Location(LocationElem {
                    desc: Some(text),
                    ..LocationElem::default()
                }),
                2 => Elem::Custom(CustomElem {
                    data: Some("ignored 你好".into()),
                    desc: Some(text),
                    ext: Some("ext".into()),
                    ..CustomElem::default()
                }),
                _ => Elem::Text(im_model::message::TextElem {
                    content: Some(text),
                    ..im_model::message::TextElem::default()
                }),
            }]);
            m.sender = Some(["alice", "bob", "carol"][next(3) as usize].to_owned());
            m.status = Some(match next(12) {
                0 => MsgStatus::Revoked,
                1 => MsgStatus::Deleted,
                _ => MsgStatus::SendSucc,
            });
            (conv, m)
        })
        .collect()
}

/// Queries covering 1-, 2- and 3-character CJK keywords, mixed case,
/// full-width input, AND/OR, senders, kinds, one conversation and time.
pub fn search_queries() -> Vec<SearchQuery> {
    let q = |keywords: &[&str], match_all: bool| SearchQuery {
        keywords: keywords.iter().map(|k| normalize(k)).collect(),
        match_all,
        senders: Vec::new(),
        elem_types: default_search_types(),
        conv: None,
        time_range: None,
    };
    vec![
        q(&["中"], false),
        q(&["你好"], false),
        q(&["开会"], false),
        q(&["世界会"], false),
        q(&["hello"], false),
        q(&["ＨＥＬＬＯ"], false),
        q(&["abc"], false),
        q(&["STRASSE"], false),
        q(&["ｶﾀ"], false),
        q(&["한국"], false),
        q(&["你好", "world"], true),
        q(&["你好", "world", "2026"], false),
        SearchQuery {
            senders: vec!["bob".into()],
            ..q(&["会"], false)
        },
        SearchQuery {
            elem_types: BTreeSet::from([ElemType::File]),
            ..q(&["pdf"], false)
        },
        SearchQuery {
            conv: Some(ConvId::group("家庭").unwrap()),
            ..q(&["你"], false)
        },
        SearchQuery {
            time_range: Some((1_050, 1_120)),
            ..q(&["e"], false)
        },
        SearchQuery {
            senders: vec!["carol".into()],
            ..q(&[], false)
        },
    ]
}

/// Backend search equals the reference rule on the generated corpus, for
/// messages (newest first, with paging) and for per-conversation counts.
pub fn test_search_matches_reference(store: &dyn Store) {
    let corpus = search_corpus(400);
    let mut batch = WriteBatch::new();
    for (conv, m) in &corpus {
        batch.put_message(conv.clone(), m.clone());
    }
    store.apply(&batch).unwrap();
    for query in search_queries() {
        let mut expected: Vec<&(ConvId, Message)> =
            corpus.iter().filter(|(c, m)| query.matches(c, m)).collect();
        expected.sort_by(|a, b| crate::search::result_order((&a.0, &a.1), (&b.0, &b.1)));
        let expected_ids: Vec<String> = expected
            .iter()
            .map(|(_, m)| m.msg_id.clone().unwrap())
            .collect();
        let (total, all) = store.search_messages(&query, 0, usize::MAX).unwrap();
        assert_eq!(total as usize, expected.len(), "{query:?}");
        let got: Vec<String> = all.iter().map(|(_, m)| m.msg_id.clone().unwrap()).collect();
        assert_eq!(got, expected_ids, "{query:?}");
        // Pages of 7 concatenate to the whole, with no repeat or gap.
        let mut paged = Vec::new();
        for page in 0.. {
            let (_, hits) = store.search_messages(&query, page * 7, 7).unwrap();
            if hits.is_empty() {
                break;
            }
            paged.extend(hits.into_iter().map(|(_, m)| m.msg_id.unwrap()));
        }
        assert_eq!(paged, expected_ids, "paged {query:?}");

        let (conv_total, convs) = store.search_conversations(&query, 0, usize::MAX).unwrap();
        let mut order: Vec<&ConvId> = Vec::new();
        for (c, _) in &expected {
            if !order.contains(&c) {
                order.push(c);
            }
        }
        assert_eq!(conv_total as usize, order.len(), "{query:?}");
        for (hits, conv) in convs.iter().zip(&order) {
            assert_eq!(&hits.conv, *conv);
            let count = expected.iter().filter(|(c, _)| c == *conv).count() as u64;
            assert_eq!(hits.count, count, "{query:?} {conv}");
        }
    }
}

/// Settings round-trip, the last write wins, and a failing batch writes none.
pub fn test_settings_round_trip(store: &dyn Store) {
    assert_eq!(store.setting("sync.cursor").unwrap(), None);
    let put = |value: &str| WriteOp::PutSetting {
        key: "sync.cursor".into(),
        value: value.into(),
    };
    let mut batch = WriteBatch::new();
    batch.push(put("1")).push(put("2"));
    store.apply(&batch).unwrap();
    assert_eq!(store.setting("sync.cursor").unwrap().as_deref(), Some("2"));
    let mut failing = WriteBatch::new();
    failing.push(put("3"));
    failing.push(WriteOp::DeleteGroup("missing".into()));
    assert!(store.apply(&failing).is_err());
    assert_eq!(store.setting("sync.cursor").unwrap().as_deref(), Some("2"));
}

/// Clearing a conversation does not touch a message that the same batch
/// moved out of it earlier (deleted, then put into another conversation).
// postmortem: found by the differential test; the reference backend cleared
// the moved message by its old conversation.
pub fn test_clear_spares_a_message_moved_in_the_same_batch(store: &dyn Store) {
    let a = ConvId::c2c("a").unwrap();
    let b = ConvId::c2c("b").unwrap();
    put_messages(store, &a, &[text_message(&a, "m", "x", 1, 1)]);
    let mut batch = WriteBatch::new();
    batch.push(WriteOp::DeleteMessage("m".into()));
    batch.put_message(b.clone(), text_message(&b, "m", "y", 2, 1));
    batch.push(WriteOp::ClearMessages(a.clone()));
    store.apply(&batch).unwrap();
    let moved = store
        .message("m")
        .unwrap()
        .expect("the moved message stays");
    assert_eq!(moved.conv_id.as_deref(), Some("b"));
    assert_eq!(
        ids(&store.history(&HistoryQuery::latest(b, 10)).unwrap()),
        ["m"]
    );
    assert!(
        store
            .history(&HistoryQuery::latest(a, 10))
            .unwrap()
            .is_empty()
    );
}
