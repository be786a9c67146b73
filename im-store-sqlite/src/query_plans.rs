//! Every query that serves a UI is index-backed: checked with
//! `EXPLAIN QUERY PLAN` (no full scan of a table, no temporary B-tree for
//! ordering).

use im_model::{ConvId, ConvType, MarkSet};
use im_store::conformance::fixtures::filter_shapes;
use im_store::{
    ConvFilter, ConvQuery, Direction, GroupFilter, HistoryQuery, ListKey, MarkFilter, MessagePos,
    VersionRange,
};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::SqliteStore;
use crate::read_conv::{list_sql, unread_sql};
use crate::read_msg::{history_sql, sending_sql};

fn plan(store: &SqliteStore, sql: &str, args: Vec<Value>) -> Vec<String> {
    let conn = store.writer();
    let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    st.query_map(params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[track_caller]
fn assert_indexed(what: &str, plan: &[String]) {
    for step in plan {
        let full_scan = step.starts_with("SCAN ") && !step.contains("INDEX");
        assert!(!full_scan, "{what}: full scan in {plan:?}");
        assert!(!step.contains("TEMP B-TREE"), "{what}: sorts in {plan:?}");
    }
}

fn shapes() -> Vec<ConvFilter> {
    let mut all = filter_shapes();
    all.push(ConvFilter {
        group: Some(GroupFilter::Named("work".into())),
        marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
        conv_type: Some(ConvType::C2C),
        ..ConvFilter::all()
    });
    all
}

#[test]
fn test_filtered_conversation_pages_use_an_index_in_list_order() {
    let store = SqliteStore::open_in_memory().unwrap();
    let after = ListKey {
        pinned: false,
        activity_time: 100,
        id: ConvId::c2c("x").unwrap(),
    };
    for filter in shapes() {
        for (after, versions) in [
            (None, VersionRange::Any),
            (Some(&after), VersionRange::AtMost(9)),
            (Some(&after), VersionRange::Above(9)),
        ] {
            let (sql, args) = list_sql(&ConvQuery {
                filter: &filter,
                after,
                versions,
                limit: 100,
            });
            let steps = plan(&store, &sql, args);
            assert_indexed(&format!("{filter:?}"), &steps);
            // Outside a named group the page's keys come from the
            // position index alone: entries the filter skips cost no
            // table read.
            if !matches!(filter.group, Some(GroupFilter::Named(_))) {
                assert!(
                    steps
                        .iter()
                        .any(|s| s.contains("COVERING INDEX conversations_by_position")),
                    "{filter:?}: {steps:?}"
                );
            }
        }
    }
}

#[test]
fn test_unread_totals_by_filter_use_indexes() {
    let store = SqliteStore::open_in_memory().unwrap();
    for filter in shapes().into_iter().filter(|f| *f != ConvFilter::all()) {
        let (sql, args) = unread_sql(&filter);
        let steps = plan(&store, &sql, args);
        assert!(
            steps.iter().all(|s| !s.contains("TEMP B-TREE")),
            "{filter:?}: {steps:?}"
        );
    }
}

#[test]
fn test_history_pages_and_lookups_use_indexes() {
    let store = SqliteStore::open_in_memory().unwrap();
    let conv = ConvId::group("g").unwrap();
    let anchor = MessagePos {
        time: 5,
        seq: 3,
        msg_id: "m".into(),
    };
    for direction in [Direction::Older, Direction::Newer] {
        for anchor in [None, Some(anchor.clone())] {
            let (sql, args) = history_sql(&HistoryQuery {
                anchor,
                direction,
                ..HistoryQuery::latest(conv.clone(), 20)
            });
            assert_indexed("history", &plan(&store, &sql, args));
        }
    }
    for (what, sql) in [
        ("by id", "SELECT data FROM messages WHERE msg_id = ?"),
        (
            "by seq",
            "SELECT data FROM messages WHERE conv_type = ? AND peer = ? AND seq = ? ORDER BY time, msg_id",
        ),
        (
            "by unique id",
            "SELECT data FROM messages WHERE conv_type = ? AND peer = ? AND unique_id = ? ORDER BY time DESC, seq DESC, msg_id DESC LIMIT 1",
        ),
        (
            "by locator",
            "SELECT data FROM messages WHERE conv_type = ? AND peer = ? AND seq = ? AND rand = ? \
             ORDER BY time DESC, seq DESC, msg_id DESC LIMIT 1",
        ),
        (
            "conversation",
            "SELECT record FROM conversations WHERE conv_type = ? AND peer = ?",
        ),
        (
            "total unread (maintained)",
            "SELECT counted_unread FROM totals WHERE id = 1",
        ),
        (
            "unread recount",
            "SELECT COUNT(*) FROM messages WHERE conv_type = ? AND peer = ? AND counted = 1 AND seq > ?",
        ),
    ] {
        let args = vec![
            Value::Integer(2),
            Value::Text("g".into()),
            Value::Integer(1),
            Value::Integer(7),
        ];
        let args = args.into_iter().take(sql.matches('?').count()).collect();
        assert_indexed(what, &plan(&store, sql, args));
    }
}

#[test]
fn test_the_send_queue_reads_its_partial_index_in_order() {
    let store = SqliteStore::open_in_memory().unwrap();
    let steps = plan(&store, &sending_sql(), vec![Value::Integer(10)]);
    assert_indexed("send queue", &steps);
    assert!(
        steps.iter().any(|s| s.contains("messages_sending")),
        "send queue: {steps:?}"
    );
}
