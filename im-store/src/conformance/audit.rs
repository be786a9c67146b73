//! Conformance cases from the outside audit of the landed core: times at
//! and past the storable limit, and search keywords the backends used to
//! disagree on. Each case is named after the failure it keeps fixed.

use im_model::limits::MAX_TIME_SECS;
use im_model::{ConvId, Draft};

use super::fixtures::c2c;
use super::messages::text_message;
use crate::search::{default_search_types, normalize};
use crate::{
    ConvFilter, ConvQuery, Direction, HistoryQuery, SearchQuery, Store, StoreError, VersionRange,
    WriteBatch,
};

fn keyword_query(keyword: &str, conv: Option<&ConvId>) -> SearchQuery {
    SearchQuery {
        keywords: vec![normalize(keyword)],
        match_all: false,
        senders: Vec::new(),
        elem_types: default_search_types(),
        conv: conv.cloned(),
        time_range: None,
    }
}

fn found_ids(store: &dyn Store, query: &SearchQuery) -> Vec<String> {
    let (total, hits) = store.search_messages(query, 0, usize::MAX).expect("search");
    assert_eq!(total, hits.len() as u64, "total of {query:?}");
    hits.into_iter()
        .map(|(_, m)| m.msg_id.unwrap_or_default())
        .collect()
}

/// Items 13 and 17: a time past [`MAX_TIME_SECS`] (microseconds given as
/// seconds, 2^63 and above) is refused with `Invalid` and writes nothing;
/// a conversation whose draft, read time or last message carries one too.
pub fn test_times_beyond_the_limit_are_refused(store: &dyn Store) {
    let conv = c2c("alice", 10);
    let id = conv.id.clone();
    let too_late = [MAX_TIME_SECS + 1, 1_700_000_000_000_000, 1 << 63, u64::MAX];
    for time in too_late {
        let mut batch = WriteBatch::new();
        batch.put(conv.clone());
        batch.put_message(id.clone(), text_message(&id, "m1", "late", time, 1));
        let err = store
            .apply(&batch)
            .expect_err("a message time past the limit");
        assert!(matches!(err, StoreError::Invalid(_)), "{time}: {err:?}");

        let mut drafted = conv.clone();
        drafted.draft = Some(Draft {
            edit_time: Some(time),
            ..Draft::default()
        });
        let mut read = conv.clone();
        read.c2c_read_timestamp = time;
        let mut last = conv.clone();
        last.last_message = Some(text_message(&id, "m2", "late", time, 2));
        for bad in [drafted, read, last] {
            let mut batch = WriteBatch::new();
            batch.put(bad);
            let err = store
                .apply(&batch)
                .expect_err("a conversation time past the limit");
            assert!(matches!(err, StoreError::Invalid(_)), "{time}: {err:?}");
        }
    }
    assert_eq!(store.conversation(&id).unwrap(), None, "nothing written");
    assert_eq!(store.message("m1").unwrap(), None, "nothing written");
}

/// Items 13 and 17: times up to [`MAX_TIME_SECS`] are stored exactly and
/// keep their order in history pages, conversation lists and search pages
/// (a page of one or two never drops or repeats a message).
pub fn test_largest_times_keep_their_order(store: &dyn Store) {
    let a = c2c("a", 1);
    let b = c2c("b", 2);
    let times = [
        0,
        1,
        1_700_000_000,
        1 << 37,
        MAX_TIME_SECS - 1,
        MAX_TIME_SECS,
    ];
    let mut batch = WriteBatch::new();
    let mut expected = Vec::new();
    for (i, time) in times.iter().enumerate() {
        let conv = if i % 2 == 0 { &a } else { &b };
        let id = format!("t{i}");
        let m = text_message(&conv.id, &id, "tick", *time, i as u64 + 1);
        batch.put_message(conv.id.clone(), m.clone());
        expected.push(id);
    }
    let mut newest_a = a.clone();
    newest_a.draft = Some(Draft {
        edit_time: Some(MAX_TIME_SECS),
        ..Draft::default()
    });
    batch.put(newest_a).put(b.clone());
    store
        .apply(&batch)
        .expect("times up to the limit are stored");
    expected.reverse();

    // Conversations: the draft at the limit puts `a` first, exactly.
    let listed = store
        .list_conversations(&ConvQuery {
            filter: &ConvFilter::all(),
            after: None,
            versions: VersionRange::Any,
            limit: usize::MAX,
        })
        .unwrap();
    assert_eq!(listed[0].id, a.id);
    assert_eq!(
        listed[0].draft.as_ref().and_then(|d| d.edit_time),
        Some(MAX_TIME_SECS)
    );

    // Search over all conversations, in pages of one: each message once,
    // newest first.
    let query = keyword_query("tick", None);
    let mut paged = Vec::new();
    for page in 0..times.len() {
        let (total, hits) = store.search_messages(&query, page, 1).unwrap();
        assert_eq!(total, times.len() as u64);
        paged.extend(hits.into_iter().map(|(_, m)| m.msg_id.unwrap()));
    }
    assert_eq!(paged, expected);

    // One conversation, pages of two, and its history both ways.
    let one = keyword_query("tick", Some(&a.id));
    let mut paged = Vec::new();
    for page in 0..2 {
        let (_, hits) = store.search_messages(&one, page * 2, 2).unwrap();
        paged.extend(hits.into_iter().map(|(_, m)| m.msg_id.unwrap()));
    }
    assert_eq!(paged, vec!["t4", "t2", "t0"]);
    let newest = store.history(&HistoryQuery::latest(a.id, 10)).unwrap();
    let newest: Vec<_> = newest.into_iter().map(|m| m.msg_id.unwrap()).collect();
    assert_eq!(newest, vec!["t4", "t2", "t0"]);
    let oldest = store
        .history(&HistoryQuery {
            direction: Direction::Newer,
            ..HistoryQuery::latest(b.id, 10)
        })
        .unwrap();
    let oldest: Vec<_> = oldest.into_iter().map(|m| m.msg_id.unwrap()).collect();
    assert_eq!(oldest, vec!["t1", "t3", "t5"]);
}

/// Item 16: half-width katakana with voicing marks normalizes as one unit,
/// so `ﾃﾞｰﾀ ﾊﾟﾝ` is found by `データ`, `パン`, `ﾃﾞ` and `デ`, and `テ`
/// alone does not find it.
pub fn test_half_width_katakana_with_voicing_marks_is_found(store: &dyn Store) {
    let conv = c2c("kana", 1);
    let mut batch = WriteBatch::new();
    batch.put(conv.clone());
    batch.put_message(
        conv.id.clone(),
        text_message(&conv.id, "k1", "ﾃﾞｰﾀ ﾊﾟﾝ", 100, 1),
    );
    batch.put_message(
        conv.id.clone(),
        text_message(&conv.id, "k2", "ﾃｰﾌﾞﾙ", 101, 2),
    );
    store.apply(&batch).unwrap();
    for (keyword, expected) in [
        ("データ", vec!["k1"]),
        ("パン", vec!["k1"]),
        ("ﾃﾞ", vec!["k1"]),
        ("デ", vec!["k1"]),
        ("ブ", vec!["k2"]),
        ("テ", vec!["k2"]),
    ] {
        for conv_filter in [None, Some(&conv.id)] {
            assert_eq!(
                found_ids(store, &keyword_query(keyword, conv_filter)),
                expected,
                "{keyword} in {conv_filter:?}"
            );
        }
    }
}

/// Item 18: keywords of one or two characters holding a line break match
/// a field that holds them, on every backend; the line that joins two
/// fields is not text and matches nothing.
pub fn test_keywords_with_a_line_break_match_on_every_backend(store: &dyn Store) {
    let conv = c2c("lines", 1);
    let mut two_fields = text_message(&conv.id, "n3", "ends with a", 102, 3);
    let mut elems = two_fields.elem_array.take().unwrap();
    elems.extend(
        text_message(&conv.id, "x", "b starts", 0, 0)
            .elem_array
            .unwrap(),
    );
    two_fields.elem_array = Some(elems);
    let mut batch = WriteBatch::new();
    batch.put(conv.clone());
    batch.put_message(
        conv.id.clone(),
        text_message(&conv.id, "n1", "a\nb", 100, 1),
    );
    batch.put_message(
        conv.id.clone(),
        text_message(&conv.id, "n2", "x\n\ny", 101, 2),
    );
    batch.put_message(conv.id.clone(), two_fields);
    store.apply(&batch).unwrap();
    for (keyword, expected) in [
        ("\n", vec!["n2", "n1"]),
        ("a\n", vec!["n1"]),
        ("\nb", vec!["n1"]),
        ("\n\n", vec!["n2"]),
        ("a\nb", vec!["n1"]),
        ("x\n\ny", vec!["n2"]),
    ] {
        for conv_filter in [None, Some(&conv.id)] {
            assert_eq!(
                found_ids(store, &keyword_query(keyword, conv_filter)),
                expected,
                "{keyword:?} in {conv_filter:?}"
            );
        }
    }
}

/// Item 7: the message nearest to a sequence that is not stored, on each
/// side; unsent messages (sequence 0) are never the answer.
pub fn test_nearest_by_seq(store: &dyn Store) {
    let conv = super::fixtures::group("g", 1);
    let id = conv.id.clone();
    let mut batch = WriteBatch::new();
    batch.put(conv);
    for (msg, seq, time) in [
        ("s2", 2, 100),
        ("s5", 5, 103),
        ("s5b", 5, 104),
        ("s9", 9, 110),
        ("u0", 0, 120),
    ] {
        batch.put_message(id.clone(), text_message(&id, msg, "x", time, seq));
    }
    store.apply(&batch).unwrap();
    let nearest = |seq: u64, direction: Direction| {
        store
            .nearest_by_seq(&id, seq, direction)
            .unwrap()
            .and_then(|m| m.msg_id)
    };
    assert_eq!(nearest(4, Direction::Older).as_deref(), Some("s2"));
    assert_eq!(nearest(4, Direction::Newer).as_deref(), Some("s5"));
    assert_eq!(nearest(5, Direction::Older).as_deref(), Some("s5b"));
    assert_eq!(nearest(5, Direction::Newer).as_deref(), Some("s5"));
    assert_eq!(nearest(1, Direction::Older), None);
    assert_eq!(nearest(10, Direction::Newer), None);
    assert_eq!(
        nearest(u64::MAX / 2, Direction::Older).as_deref(),
        Some("s9")
    );
    assert_eq!(nearest(0, Direction::Newer).as_deref(), Some("s2"));
    let other = super::fixtures::group("h", 1).id;
    assert_eq!(
        store.nearest_by_seq(&other, 5, Direction::Older).unwrap(),
        None
    );
}

/// The send queue: messages still `Sending`, oldest first, whatever their
/// conversation; a status change takes a message out of it.
pub fn test_sending_messages_are_the_send_queue(store: &dyn Store) {
    use im_model::MsgStatus;
    let a = c2c("a", 1).id;
    let g = super::fixtures::group("g", 1).id;
    let mut batch = WriteBatch::new();
    for (conv, id, time, status) in [
        (&a, "a1", 30, MsgStatus::Sending),
        (&g, "g1", 10, MsgStatus::Sending),
        (&a, "a2", 20, MsgStatus::SendSucc),
        (&g, "g2", 40, MsgStatus::SendFail),
        (&a, "a3", 50, MsgStatus::Sending),
    ] {
        let mut m = text_message(conv, id, "out", time, 0);
        m.status = Some(status);
        batch.put_message(conv.clone(), m);
    }
    store.apply(&batch).unwrap();
    let queue = |limit| {
        store
            .sending_messages(limit)
            .unwrap()
            .into_iter()
            .map(|(conv, m)| (conv, m.msg_id.unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        queue(10),
        vec![
            (g.clone(), "g1".to_owned()),
            (a.clone(), "a1".to_owned()),
            (a, "a3".to_owned())
        ]
    );
    assert_eq!(queue(1), vec![(g.clone(), "g1".to_owned())]);
    let mut sent = text_message(&g, "g1", "out", 10, 7);
    sent.status = Some(MsgStatus::SendSucc);
    let mut batch = WriteBatch::new();
    batch.put_message(g, sent);
    store.apply(&batch).unwrap();
    assert_eq!(queue(10).len(), 2);
}
