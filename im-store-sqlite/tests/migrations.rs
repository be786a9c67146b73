//! Schema migrations: versioning, refusal of newer databases, and a
//! migrated schema equal to a fresh one.

use im_store::{ConversationStore, StoreError};
use im_store_sqlite::{SCHEMA_VERSION, SqliteStore, migrate};
use rusqlite::{Connection, OptionalExtension};

fn schema(conn: &Connection) -> Vec<String> {
    let mut st = conn
        .prepare("SELECT type, name, IFNULL(sql, '') FROM sqlite_master ORDER BY type, name")
        .unwrap();
    st.query_map([], |r| {
        Ok(format!(
            "{} {} {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn version(conn: &Connection) -> u32 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn test_fresh_database_is_at_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    assert_eq!(version(&conn), SCHEMA_VERSION);
    // Reopening runs no step again and keeps the data.
    let store = SqliteStore::open(&path).unwrap();
    assert!(store.conversation_groups().unwrap().is_empty());
}

#[test]
fn test_step_by_step_migration_equals_a_fresh_schema() {
    let mut stepwise = Connection::open_in_memory().unwrap();
    for v in 0..=SCHEMA_VERSION {
        migrate(&mut stepwise, Some(v)).unwrap();
        assert_eq!(version(&stepwise), v);
    }
    let mut fresh = Connection::open_in_memory().unwrap();
    migrate(&mut fresh, None).unwrap();
    assert_eq!(schema(&stepwise), schema(&fresh));
    // Running the migrations again is a no-op.
    migrate(&mut fresh, None).unwrap();
    assert_eq!(schema(&stepwise), schema(&fresh));
}

#[test]
fn test_a_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x INTEGER); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::UnsupportedSchemaVersion { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the file was changed"
    );
}

/// A text message row as every schema version so far stores it (time
/// 150, sequence 1, text kind, counted as unread), without index rows.
fn insert_message_row(
    conn: &Connection,
    conv_type: i64,
    peer: &str,
    message: &im_model::message::Message,
) {
    conn.execute(
        "INSERT INTO messages (row_id, msg_id, conv_type, peer, time, seq, status, sender, \
         elem_mask, unique_id, rand, counted, data) \
         VALUES (?1, ?2, ?3, ?4, 150, 1, NULL, NULL, 2, NULL, NULL, 1, ?5)",
        rusqlite::params![
            150_i64 << 21,
            message.msg_id.as_deref().unwrap(),
            conv_type,
            peer,
            serde_json::to_string(message).unwrap()
        ],
    )
    .unwrap();
}

#[test]
fn test_rows_written_at_version_1_read_after_upgrading() {
    use im_model::ConvId;
    use im_model::message::Message;
    use im_store::{Conversation, HistoryQuery, MessageStore, SettingStore, WriteBatch, WriteOp};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let conv = ConvId::group("team").unwrap();
    let mut record = Conversation::new(conv.clone(), 100);
    record.unread_count = 2;
    let message = Message {
        msg_id: Some("old-1".into()),
        server_time: Some(150),
        seq: Some(1),
        ..Message::text("来自旧版本的消息")
    };
    {
        // A database as version 1 of the code left it, rows in version 1's shape.
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, Some(1)).unwrap();
        assert_eq!(version(&conn), 1);
        conn.execute(
            "INSERT INTO conversations (conv_type, peer, version, pinned, activity_time, unread, \
             counted, marks, hidden, in_group, has_at, record) \
             VALUES (2, 'team', 0, 0, 100, 2, 1, 0, 0, 0, 0, ?1)",
            [serde_json::to_string(&record).unwrap()],
        )
        .unwrap();
        conn.execute("UPDATE totals SET counted_unread = 2 WHERE id = 1", [])
            .unwrap();
        insert_message_row(&conn, 2, "team", &message);
    }
    // Opening upgrades it; the old rows read through the traits.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(version(&Connection::open(&path).unwrap()), SCHEMA_VERSION);
    assert_eq!(store.conversation(&conv).unwrap(), Some(record));
    assert_eq!(store.unread_total(&im_store::ConvFilter::all()).unwrap(), 2);
    let history = store.history(&HistoryQuery::latest(conv, 10)).unwrap();
    assert_eq!(history, vec![message]);
    // Migration 6 indexed every stored message's one- and two-character
    // grams, so short keywords find it (the row was written here without
    // any index row), each with its exact total.
    for keyword in ["旧", "旧版", "消息"] {
        let query = im_store::SearchQuery {
            keywords: vec![keyword.to_owned()],
            match_all: false,
            senders: Vec::new(),
            elem_types: im_store::search::default_search_types(),
            conv: None,
            time_range: None,
        };
        let (total, hits) = store.search_messages(&query, 0, 10).unwrap();
        assert_eq!(total, 1, "{keyword}");
        assert_eq!(hits[0].1.msg_id.as_deref(), Some("old-1"), "{keyword}");
    }
    // And the new version's table works.
    let mut batch = WriteBatch::new();
    batch.push(WriteOp::PutSetting {
        key: "k".into(),
        value: "v".into(),
    });
    store.apply(&batch).unwrap();
    assert_eq!(store.setting("k").unwrap().as_deref(), Some("v"));
}

#[test]
fn test_migration_4_indexes_line_breaks_and_voicing_marks_written_before_it() {
    use im_model::ConvId;
    use im_model::message::Message;
    use im_store::{MessageStore, SearchQuery, WriteBatch, search::default_search_types};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let conv = ConvId::c2c("kana").unwrap();
    let message = |id: &str, text: &str| Message {
        msg_id: Some(id.into()),
        server_time: Some(100),
        ..Message::text(text)
    };
    {
        let store = SqliteStore::open(&path).unwrap();
        let mut batch = WriteBatch::new();
        batch.put_message(conv.clone(), message("n1", "a\nb"));
        batch.put_message(conv, message("k1", "ﾃﾞｰﾀ"));
        store.apply(&batch).unwrap();
    }
    // Make the index what version 3 wrote: the character table (postings
    // since version 6) without the line break, and the voicing mark split
    // from its letter in the trigram table.
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DELETE FROM char_counts WHERE ch = char(10);
             UPDATE message_text SET body = 'データ' WHERE body = 'データ';
             DROP INDEX messages_sending;
             DROP TABLE message_grams;
             CREATE TABLE message_chars (
                 ch TEXT NOT NULL, row_id INTEGER NOT NULL, PRIMARY KEY (ch, row_id)
             ) STRICT, WITHOUT ROWID;
             INSERT INTO message_chars (ch, row_id)
                 SELECT 'a', row_id FROM messages WHERE msg_id = 'n1'
                 UNION ALL SELECT 'b', row_id FROM messages WHERE msg_id = 'n1'
                 UNION ALL SELECT char(12487), row_id FROM messages WHERE msg_id = 'k1'
                 UNION ALL SELECT char(12540), row_id FROM messages WHERE msg_id = 'k1'
                 UNION ALL SELECT char(12479), row_id FROM messages WHERE msg_id = 'k1';
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let found = |keyword: &str| {
        let query = SearchQuery {
            keywords: vec![im_store::search::normalize(keyword)],
            match_all: false,
            senders: Vec::new(),
            elem_types: default_search_types(),
            conv: None,
            time_range: None,
        };
        let (total, hits) = store.search_messages(&query, 0, 10).unwrap();
        assert_eq!(total, hits.len() as u64);
        hits.into_iter()
            .map(|(_, m)| m.msg_id.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(found("\n"), vec!["n1"]);
    assert_eq!(found("a\n"), vec!["n1"]);
    assert_eq!(found("データ"), vec!["k1"]);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(version(&conn), SCHEMA_VERSION);
    let newline_count: i64 = conn
        .query_row("SELECT n FROM char_counts WHERE ch = char(10)", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(newline_count, 1);
}

/// Migration 7 writes every gram document again with its conversation's
/// token: a message indexed by version 6 (grams only) is found by a short
/// keyword within its conversation, with the exact total, and not within
/// another.
#[test]
fn test_migration_7_adds_conversation_tokens_to_version_6_postings() {
    use im_model::ConvId;
    use im_model::message::Message;
    use im_store::{MessageStore, SearchQuery};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.db");
    let conv = ConvId::c2c("bob").unwrap();
    let message = Message {
        msg_id: Some("v6-1".into()),
        server_time: Some(150),
        seq: Some(1),
        ..Message::text("旧")
    };
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, Some(6)).unwrap();
        insert_message_row(&conn, 1, "bob", &message);
        // Version 6's index rows: the trigram text, the gram alone, its count.
        conn.execute(
            "INSERT INTO message_text (rowid, body) VALUES (?1, '旧')",
            [150_i64 << 21],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO message_grams (rowid, chars) VALUES (?1, 'u65e7')",
            [150_i64 << 21],
        )
        .unwrap();
        conn.execute("INSERT INTO char_counts (ch, n) VALUES ('旧', 1)", [])
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let within = |conv: &ConvId| SearchQuery {
        keywords: vec!["旧".to_owned()],
        match_all: false,
        senders: Vec::new(),
        elem_types: im_store::search::default_search_types(),
        conv: Some(conv.clone()),
        time_range: None,
    };
    let (total, hits) = store.search_messages(&within(&conv), 0, 10).unwrap();
    assert_eq!(total, 1);
    assert_eq!(hits[0].1.msg_id.as_deref(), Some("v6-1"));
    let other = ConvId::c2c("carol").unwrap();
    assert_eq!(store.search_messages(&within(&other), 0, 10).unwrap().0, 0);
}

/// FTS5's merge width of each search index, from its own configuration
/// table (absent means FTS5's default, 4).
fn merge_widths(conn: &Connection) -> Vec<Option<i64>> {
    ["message_text", "message_grams"]
        .iter()
        .map(|table| {
            conn.query_row(
                &format!("SELECT v FROM {table}_config WHERE k = 'automerge'"),
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap()
        })
        .collect()
}

#[test]
fn test_migration_8_widens_both_search_indexes_merges() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrate(&mut conn, Some(7)).unwrap();
    assert_eq!(merge_widths(&conn), vec![None, None]);
    migrate(&mut conn, None).unwrap();
    assert_eq!(merge_widths(&conn), vec![Some(8), Some(8)]);
    let mut fresh = Connection::open_in_memory().unwrap();
    migrate(&mut fresh, None).unwrap();
    assert_eq!(merge_widths(&fresh), vec![Some(8), Some(8)]);
}
