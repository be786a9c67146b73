//! `ConversationStore` reads: records, filtered pages, unread totals, groups.

use im_model::ConvId;
use im_store::{
    ConvChange, ConvFilter, ConvQuery, Conversation, ConversationStore, GroupFilter, MarkFilter,
    StoreError, StoreResult, VersionRange, WriteBatch,
};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::codec::{conv_key, int};
use crate::pool::SqliteStore;
use crate::write::read_conversation;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// SQL conditions (on conversation alias `c`) for everything in `filter`
/// except the group name and the hidden rule, with their parameters.
///
/// Each column is written as `+c.column`: the unary plus keeps SQLite from
/// using the term to pick an index range, so it reads the position index
/// in list order and checks these as it goes (the index covers them),
/// instead of sorting the matches.
fn filter_conditions(filter: &ConvFilter, sql: &mut Vec<String>, args: &mut Vec<Value>) {
    if let Some(t) = filter.conv_type {
        sql.push("+c.conv_type = ?".into());
        args.push(Value::Integer(i64::from(t.value())));
    }
    if filter.group == Some(GroupFilter::InNoGroup) {
        sql.push("+c.in_group = 0".into());
    }
    match filter.marks {
        None => {}
        Some(MarkFilter::Unmarked) => sql.push("+c.marks = 0".into()),
        Some(MarkFilter::HasAll(set)) => {
            sql.push("(+c.marks & ?) = ?".into());
            args.push(Value::Integer(int(set.bits())));
            args.push(Value::Integer(int(set.bits())));
        }
    }
    match filter.has_unread {
        None => {}
        Some(true) => sql.push("+c.unread > 0".into()),
        Some(false) => sql.push("+c.unread = 0".into()),
    }
    if let Some(want) = filter.has_group_at_info {
        sql.push("+c.has_at = ?".into());
        args.push(Value::Integer(i64::from(want)));
    }
}

/// The page's conversations: the keys in list order from `sql` (read from
/// the position index alone), then each record by its key. Selecting the
/// record in the page query itself made SQLite read the table row of
/// every index entry the filter skipped (thousands for a filter whose
/// first matches sit behind many pinned or marked conversations, each a
/// cold page at a million conversations); the keys cost nothing to skip.
/// Both reads share one snapshot.
fn query_page(conn: &Connection, sql: &str, args: Vec<Value>) -> StoreResult<Vec<Conversation>> {
    let tx = conn.unchecked_transaction().map_err(backend)?;
    let keys: Vec<(i64, String)> = tx
        .prepare_cached(sql)
        .and_then(|mut st| {
            st.query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(backend)?;
    let mut page = Vec::with_capacity(keys.len());
    for (conv_type, peer) in keys {
        let id = crate::codec::conv_of(conv_type, &peer)?;
        match read_conversation(&tx, &id)? {
            Some(conv) => page.push(conv),
            None => {
                return Err(StoreError::Corrupt {
                    details: format!("{id} is listed but has no record"),
                });
            }
        }
    }
    Ok(page)
}

/// The SQL of a filtered page and its parameters. A named-group filter
/// walks the group's member index (which carries the list position), every
/// other filter the conversations' position index; both are already in
/// list order, so no sort happens.
pub(crate) fn list_sql(query: &ConvQuery<'_>) -> (String, Vec<Value>) {
    let filter = query.filter;
    let mut conds = Vec::new();
    let mut args = Vec::new();
    let (from, pos) = match &filter.group {
        Some(GroupFilter::Named(name)) => {
            conds.push("p.name = ?".to_owned());
            args.push(Value::Text(name.clone()));
            (
                "group_members p JOIN conversations c \
                 ON c.conv_type = p.conv_type AND c.peer = p.peer",
                "p",
            )
        }
        _ => ("conversations c", "c"),
    };
    conds.push(format!("{pos}.hidden = ?"));
    args.push(Value::Integer(i64::from(filter.asks_for_hidden())));
    filter_conditions(filter, &mut conds, &mut args);
    match query.versions {
        VersionRange::Any => {}
        VersionRange::AtMost(v) => {
            conds.push("+c.version <= ?".into());
            args.push(Value::Integer(int(v)));
        }
        VersionRange::Above(v) => {
            conds.push("+c.version > ?".into());
            args.push(Value::Integer(int(v)));
        }
    }
    if let Some(after) = query.after {
        conds.push(format!(
            "({pos}.pinned, {pos}.activity_time, {pos}.conv_type, {pos}.peer) < (?, ?, ?, ?)"
        ));
        let (conv_type, peer) = conv_key(&after.id);
        args.push(Value::Integer(i64::from(after.pinned)));
        args.push(Value::Integer(int(after.activity_time)));
        args.push(Value::Integer(conv_type));
        args.push(Value::Text(peer.to_owned()));
    }
    let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
    args.push(Value::Integer(limit));
    let sql = format!(
        "SELECT c.conv_type, c.peer FROM {from} WHERE {} \
         ORDER BY {pos}.pinned DESC, {pos}.activity_time DESC, {pos}.conv_type DESC, {pos}.peer DESC \
         LIMIT ?",
        conds.join(" AND ")
    );
    (sql, args)
}

/// The SQL of an unread total by filter (hidden conversations count).
pub(crate) fn unread_sql(filter: &ConvFilter) -> (String, Vec<Value>) {
    let mut conds = vec!["c.counted = 1".to_owned()];
    let mut args = Vec::new();
    if let Some(GroupFilter::Named(name)) = &filter.group {
        conds.push(
            "EXISTS (SELECT 1 FROM group_members m WHERE m.name = ? \
             AND m.conv_type = c.conv_type AND m.peer = c.peer)"
                .into(),
        );
        args.push(Value::Text(name.clone()));
    }
    filter_conditions(filter, &mut conds, &mut args);
    (
        format!(
            "SELECT IFNULL(SUM(c.unread), 0) FROM conversations c WHERE {}",
            conds.join(" AND ")
        ),
        args,
    )
}

impl ConversationStore for SqliteStore {
    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>> {
        read_conversation(&self.reader(), id)
    }

    fn conversations(&self, ids: &[ConvId]) -> StoreResult<Vec<Conversation>> {
        let conn = self.reader();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for id in ids {
            if seen.insert(id)
                && let Some(c) = read_conversation(&conn, id)?
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn list_conversations(&self, query: &ConvQuery<'_>) -> StoreResult<Vec<Conversation>> {
        let (sql, args) = list_sql(query);
        query_page(&self.reader(), &sql, args)
    }

    fn unread_total(&self, filter: &ConvFilter) -> StoreResult<u64> {
        let conn = self.reader();
        let total: i64 = if *filter == ConvFilter::all() {
            conn.prepare_cached("SELECT counted_unread FROM totals WHERE id = 1")
                .and_then(|mut st| st.query_row([], |r| r.get(0)))
                .map_err(backend)?
        } else {
            let (sql, args) = unread_sql(filter);
            conn.prepare_cached(&sql)
                .and_then(|mut st| st.query_row(params_from_iter(args), |r| r.get(0)))
                .map_err(backend)?
        };
        Ok(u64::try_from(total).unwrap_or(0))
    }

    fn conversation_groups(&self) -> StoreResult<Vec<String>> {
        self.reader()
            .prepare_cached("SELECT name FROM conversation_groups ORDER BY position")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
            .map_err(backend)
    }

    fn max_version(&self) -> StoreResult<u64> {
        let max: i64 = self
            .reader()
            .prepare_cached("SELECT IFNULL(MAX(version), 0) FROM conversations")
            .and_then(|mut st| st.query_row([], |r| r.get(0)))
            .map_err(backend)?;
        Ok(crate::codec::uint(max))
    }

    fn apply(&self, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
        self.apply_batch(batch)
    }
}
