//! `MessageStore` reads: by id, history pages, sequences, locators, unread.

use im_model::message::{Message, MsgLocator};
use im_model::{ConvId, ConvType, MsgStatus};
use im_store::{
    ConversationHits, Direction, HistoryQuery, MessageStore, SearchQuery, StoreError, StoreResult,
    UnreadQuery,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::codec::{conv_key, elem_bit, int, message, time_bound};
use crate::pool::SqliteStore;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

pub(crate) fn query_messages(
    conn: &Connection,
    sql: &str,
    args: Vec<Value>,
) -> StoreResult<Vec<Message>> {
    let mut st = conn.prepare_cached(sql).map_err(backend)?;
    let rows: Vec<String> = st
        .query_map(params_from_iter(args), |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(backend)?;
    rows.iter().map(|d| message(d)).collect()
}

fn one_message(conn: &Connection, msg_id: &str) -> StoreResult<Option<Message>> {
    let data: Option<String> = conn
        .prepare_cached("SELECT data FROM messages WHERE msg_id = ?1")
        .and_then(|mut st| st.query_row(params![msg_id], |r| r.get(0)).optional())
        .map_err(backend)?;
    data.as_deref().map(message).transpose()
}

/// The SQL of the send queue (parameter: limit). The literal status lets
/// SQLite use the partial index of migration 005, which holds only the few
/// messages still sending.
pub(crate) fn sending_sql() -> String {
    format!(
        "SELECT conv_type, peer, data FROM messages WHERE status = {} \
         ORDER BY time, seq, msg_id LIMIT ?1",
        MsgStatus::Sending.value()
    )
}

/// The SQL of a history page and its parameters; it walks the
/// `messages_by_position` index in page order.
pub(crate) fn history_sql(query: &HistoryQuery) -> (String, Vec<Value>) {
    let (conv_type, peer) = conv_key(&query.conv);
    let mut conds = vec!["conv_type = ?".to_owned(), "peer = ?".to_owned()];
    let mut args = vec![Value::Integer(conv_type), Value::Text(peer.to_owned())];
    let (cmp, order) = match query.direction {
        Direction::Older => ("<", "DESC"),
        Direction::Newer => (">", "ASC"),
    };
    if let Some(anchor) = &query.anchor {
        conds.push(format!("(time, seq, msg_id) {cmp} (?, ?, ?)"));
        args.push(Value::Integer(time_bound(anchor.time)));
        args.push(Value::Integer(int(anchor.seq)));
        args.push(Value::Text(anchor.msg_id.clone()));
    }
    if let Some((from, to)) = query.time_range {
        conds.push("time BETWEEN ? AND ?".into());
        args.push(Value::Integer(time_bound(from)));
        args.push(Value::Integer(time_bound(to)));
    }
    if let Some(kinds) = &query.elem_types {
        let mask = kinds.iter().fold(0, |m, k| m | elem_bit(*k));
        conds.push("(elem_mask & ?) != 0".into());
        args.push(Value::Integer(mask));
    }
    for status in &query.exclude_status {
        conds.push("(status IS NULL OR status != ?)".into());
        args.push(Value::Integer(i64::from(status.value())));
    }
    args.push(Value::Integer(
        i64::try_from(query.limit).unwrap_or(i64::MAX),
    ));
    (
        format!(
            "SELECT data FROM messages WHERE {} ORDER BY time {order}, seq {order}, msg_id {order} LIMIT ?",
            conds.join(" AND ")
        ),
        args,
    )
}

impl im_store::SettingStore for SqliteStore {
    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        self.reader()
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")
            .and_then(|mut st| st.query_row(params![key], |r| r.get(0)).optional())
            .map_err(backend)
    }
}

impl MessageStore for SqliteStore {
    fn message(&self, msg_id: &str) -> StoreResult<Option<Message>> {
        one_message(&self.reader(), msg_id)
    }

    fn messages(&self, msg_ids: &[String]) -> StoreResult<Vec<Message>> {
        let conn = self.reader();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for id in msg_ids {
            if seen.insert(id) {
                out.extend(one_message(&conn, id)?);
            }
        }
        Ok(out)
    }

    fn history(&self, query: &HistoryQuery) -> StoreResult<Vec<Message>> {
        let (sql, args) = history_sql(query);
        query_messages(&self.reader(), &sql, args)
    }

    fn messages_by_seqs(&self, conv: &ConvId, seqs: &[u64]) -> StoreResult<Vec<Message>> {
        let (conv_type, peer) = conv_key(conv);
        let mut found = Vec::new();
        let conn = self.reader();
        let mut wanted: Vec<u64> = seqs.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        for seq in wanted {
            found.extend(query_messages(
                &conn,
                "SELECT data FROM messages WHERE conv_type = ? AND peer = ? AND seq = ? \
                 ORDER BY time, msg_id",
                vec![
                    Value::Integer(conv_type),
                    Value::Text(peer.to_owned()),
                    Value::Integer(int(seq)),
                ],
            )?);
        }
        Ok(found)
    }

    fn sending_messages(&self, limit: usize) -> StoreResult<Vec<(ConvId, Message)>> {
        let sql = sending_sql();
        let conn = self.reader();
        let mut st = conn.prepare_cached(&sql).map_err(backend)?;
        let rows = st
            .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(backend)?;
        let mut out = Vec::new();
        for row in rows {
            let (conv_type, peer, data) = row.map_err(backend)?;
            let conv = crate::codec::conv_of(conv_type, &peer)?;
            out.push((conv, message(&data)?));
        }
        Ok(out)
    }

    fn nearest_by_seq(
        &self,
        conv: &ConvId,
        seq: u64,
        direction: Direction,
    ) -> StoreResult<Option<Message>> {
        let (conv_type, peer) = conv_key(conv);
        // Walks `messages_by_seq` from the sequence outward.
        let sql = match direction {
            Direction::Older => {
                "SELECT data FROM messages WHERE conv_type = ? AND peer = ? AND seq > 0 \
                 AND seq <= ? ORDER BY seq DESC, time DESC, msg_id DESC LIMIT 1"
            }
            Direction::Newer => {
                "SELECT data FROM messages WHERE conv_type = ? AND peer = ? AND seq > 0 \
                 AND seq >= ? ORDER BY seq ASC, time ASC, msg_id ASC LIMIT 1"
            }
        };
        Ok(query_messages(
            &self.reader(),
            sql,
            vec![
                Value::Integer(conv_type),
                Value::Text(peer.to_owned()),
                Value::Integer(int(seq)),
            ],
        )?
        .pop())
    }

    fn find_by_locator(&self, conv: &ConvId, locator: &MsgLocator) -> StoreResult<Option<Message>> {
        let (conv_type, peer) = conv_key(conv);
        let mut conds = vec!["conv_type = ?".to_owned(), "peer = ?".to_owned()];
        let mut args = vec![Value::Integer(conv_type), Value::Text(peer.to_owned())];
        if let Some(unique) = locator.unique_id.filter(|u| *u != 0) {
            conds.push("unique_id = ?".into());
            args.push(Value::Integer(int(unique)));
        } else {
            let checks = [
                ("seq", locator.seq),
                ("rand", locator.rand),
                ("time", locator.time),
            ];
            let given: Vec<_> = checks
                .iter()
                .filter(|(_, v)| v.is_some_and(|v| v != 0))
                .collect();
            if given.is_empty() {
                return Ok(None);
            }
            for (column, value) in given {
                conds.push(format!("{column} = ?"));
                args.push(Value::Integer(int(value.unwrap_or(0))));
            }
        }
        let sql = format!(
            "SELECT data FROM messages WHERE {} ORDER BY time DESC, seq DESC, msg_id DESC LIMIT 1",
            conds.join(" AND ")
        );
        Ok(query_messages(&self.reader(), &sql, args)?.pop())
    }

    fn count_unread(&self, query: &UnreadQuery) -> StoreResult<u64> {
        let (conv_type, peer) = conv_key(&query.conv);
        let (column, after) = if query.conv.conv_type() == ConvType::Group {
            ("seq", int(query.after_seq))
        } else {
            ("time", time_bound(query.after_time))
        };
        let sql = format!(
            "SELECT COUNT(*) FROM messages WHERE conv_type = ?1 AND peer = ?2 AND counted = 1 AND {column} > ?3"
        );
        let count: i64 = self
            .reader()
            .prepare_cached(&sql)
            .and_then(|mut st| st.query_row(params![conv_type, peer, after], |r| r.get(0)))
            .map_err(backend)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    fn search_messages(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(ConvId, Message)>)> {
        self.search_page(query, offset, limit)
    }

    fn search_conversations(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<ConversationHits>)> {
        self.search_conversation_page(query, offset, limit)
    }
}
