//! Local search: indexed candidates, verified with the reference rule.
//!
//! Candidates come from an index: the trigram FTS5 table for keywords of
//! three or more characters (exact substring matching on the normalized
//! text), the postings of one- and two-character grams for shorter ones
//! (exact: every field's characters and adjacent pairs are indexed).
//! Keywords combine by union (Or) or intersection (And); conversation, time,
//! sender, kind and status conditions are applied in SQL too. Every
//! candidate is then checked with `SearchQuery::matches`, so results equal
//! the reference exactly; candidates are never fewer than the true matches
//! because every index holds the same normalized text the rule compares.
//!
//! Within one conversation, one- and two-character keywords are ANDed
//! with the conversation's token in the gram postings, so its page and
//! count come from the index too; over all conversations, the
//! conversations holding most hits are counted that way, and only the
//! other hits are read with their rows.
//!
//! Pages are read newest first by walking candidates in `row_id` order
//! (time-major) and stopping once the page is full and no later candidate
//! can share its last timestamp; ties within one second are then put in
//! the reference order. The total is a SQL `COUNT` when the indexes are
//! exact for the query, else a count of verified candidates.

use im_model::message::Message;
use im_model::{ConvId, MsgStatus};
use im_store::{
    ConversationHits, MessagePos, SearchQuery, StoreError, StoreResult, group_by_conversation,
};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::codec::{conv_key, elem_bit, message, time_bound, uint};
use crate::pool::SqliteStore;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// An FTS5 phrase matching `keyword` literally.
fn fts_phrase(keyword: &str) -> String {
    format!("\"{}\"", keyword.replace('"', "\"\""))
}

/// Whether the index finds exactly the messages containing `keyword`: one
/// or two characters (their gram's postings, taken within each field), or
/// three or more without a line break (the trigram table over fields
/// joined by line breaks).
fn index_is_exact(keyword: &str) -> bool {
    keyword.chars().count() <= 2 || !keyword.contains('\n')
}

/// The gram-postings query of a one- or two-character keyword: its own
/// gram's token.
fn gram_query(keyword: &str) -> String {
    let mut token = String::new();
    let mut chars = keyword.chars();
    if let Some(a) = chars.next() {
        crate::write::gram_token(crate::codec::Gram(a, chars.next()), &mut token);
    }
    token
}

/// The FTS5 table that indexes `keyword`, and its query there.
fn keyword_index(keyword: &str) -> (&'static str, String) {
    if keyword.chars().count() >= 3 {
        ("message_text", fts_phrase(keyword))
    } else {
        ("message_grams", gram_query(keyword))
    }
}

/// When every keyword is in the same FTS5 table: that table and one query
/// combining them (`AND` when all must match, else `OR`), so FTS5 merges
/// the postings and yields rows newest first without building row sets.
fn one_index_query(query: &SearchQuery) -> Option<(&'static str, String)> {
    let mut parts = query.keywords.iter().map(|k| keyword_index(k));
    let (table, first) = parts.next()?;
    let joiner = if query.match_all { " AND " } else { " OR " };
    let mut combined = first;
    for (other, part) in parts {
        if other != table {
            return None;
        }
        combined.push_str(joiner);
        combined.push_str(&part);
    }
    Some((table, combined))
}

/// The postings query of every keyword of `query` within its scope, when
/// one FTS5 table holds them all: over all conversations, that table's
/// query; within one conversation, the gram postings' query ANDed with
/// the conversation's token (the trigram table has no such token).
fn postings_query(query: &SearchQuery) -> Option<(&'static str, String)> {
    let (table, fts) = one_index_query(query)?;
    match &query.conv {
        None => Some((table, fts)),
        Some(conv) if table == "message_grams" => {
            let (conv_type, peer) = conv_key(conv);
            let mut within = format!("({fts}) AND ");
            crate::write::conv_token(conv_type, peer, &mut within);
            Some((table, within))
        }
        Some(_) => None,
    }
}

/// SQL selecting the row ids that may contain `keyword` (normalized).
fn keyword_candidates(keyword: &str, args: &mut Vec<Value>) -> String {
    let (table, fts) = keyword_index(keyword);
    args.push(Value::Text(fts));
    format!("SELECT rowid FROM {table} WHERE {table} MATCH ?")
}

/// SQL selecting the row ids that may match every keyword (`match_all`) or
/// any of them.
fn all_candidates(query: &SearchQuery, args: &mut Vec<Value>) -> String {
    let joiner = if query.match_all {
        " INTERSECT "
    } else {
        " UNION "
    };
    query
        .keywords
        .iter()
        .map(|k| format!("SELECT * FROM ({})", keyword_candidates(k, args)))
        .collect::<Vec<_>>()
        .join(joiner)
}

/// `FROM`, `WHERE` and `ORDER BY` of the candidate messages, with their
/// parameters. When one FTS5 table holds every keyword (over all
/// conversations, or one- and two-character keywords within one, ANDed
/// with its token), its postings drive, in row order (time-major), so a
/// page stops early. Otherwise, within one conversation, its own history
/// index is walked in time order and only the keywords' candidates are
/// read from it (a conversation of 100,000 messages is not verified
/// message by message); across conversations the keyword indexes drive.
fn candidates_sql(query: &SearchQuery) -> (String, &'static str, Vec<Value>) {
    candidates_sql_with(query, postings_query(query))
}

/// [`candidates_sql`] driven by `postings` (a table and its query) when
/// given, instead of the query's own.
fn candidates_sql_with(
    query: &SearchQuery,
    postings: Option<(&'static str, String)>,
) -> (String, &'static str, Vec<Value>) {
    let mut args = Vec::new();
    let mut conds = Vec::new();
    // The order follows the driving table's own key, so SQLite walks it
    // instead of sorting.
    let mut order = "m.row_id DESC";
    let from = match (query.keywords.as_slice(), &query.conv, postings) {
        (_, _, Some((table, fts))) => {
            args.push(Value::Text(fts));
            conds.push(format!("t.{table} MATCH ?"));
            order = "t.rowid DESC";
            format!("{table} t JOIN messages m ON m.row_id = t.rowid")
        }
        (keywords, Some(_), None) => {
            order = "m.time DESC, m.seq DESC, m.msg_id DESC";
            if !keywords.is_empty() {
                conds.push(format!(
                    "m.row_id IN ({})",
                    all_candidates(query, &mut args)
                ));
            }
            "messages m".to_owned()
        }
        _ => {
            if !query.keywords.is_empty() {
                conds.push(format!(
                    "m.row_id IN ({})",
                    all_candidates(query, &mut args)
                ));
            }
            "messages m".to_owned()
        }
    };
    if let Some(conv) = &query.conv {
        let (conv_type, peer) = conv_key(conv);
        conds.push("m.conv_type = ? AND m.peer = ?".into());
        args.push(Value::Integer(conv_type));
        args.push(Value::Text(peer.to_owned()));
    }
    if let Some((from_time, to)) = query.time_range {
        conds.push("m.time BETWEEN ? AND ?".into());
        args.push(Value::Integer(time_bound(from_time)));
        args.push(Value::Integer(time_bound(to)));
    }
    if !query.senders.is_empty() {
        conds.push(format!(
            "m.sender IN ({})",
            vec!["?"; query.senders.len()].join(", ")
        ));
        args.extend(query.senders.iter().map(|s| Value::Text(s.clone())));
    }
    let kinds = query
        .elem_types
        .iter()
        .fold(0, |mask, k| mask | elem_bit(*k));
    conds.push("(m.elem_mask & ?) != 0".into());
    args.push(Value::Integer(kinds));
    conds.push("(m.status IS NULL OR m.status NOT IN (?, ?))".into());
    args.push(Value::Integer(i64::from(MsgStatus::Revoked.value())));
    args.push(Value::Integer(i64::from(MsgStatus::Deleted.value())));
    (
        format!("FROM {from} WHERE {}", conds.join(" AND ")),
        order,
        args,
    )
}

/// A count read from the keyword indexes alone, when that is exact: every
/// keyword found exactly by one FTS5 table (a single one- or two-character
/// keyword over all conversations by its maintained count; within one
/// conversation, one- and two-character keywords with its token), and no
/// condition but the default kinds and the conversation (every message
/// with searchable text has a searchable kind, and revoked or deleted
/// messages are not in the indexes).
fn index_only_count(query: &SearchQuery) -> Option<(String, Vec<Value>)> {
    if !is_plain(query) {
        return None;
    }
    if let [keyword] = query.keywords.as_slice()
        && keyword.chars().count() <= 2
        && query.conv.is_none()
    {
        return Some((
            "SELECT IFNULL((SELECT n FROM char_counts WHERE ch = ?), 0)".into(),
            vec![Value::Text(keyword.clone())],
        ));
    }
    let (table, fts) = postings_query(query)?;
    Some((
        format!("SELECT COUNT(*) FROM {table} WHERE {table} MATCH ?"),
        vec![Value::Text(fts)],
    ))
}

/// Whether the keyword indexes alone decide the query: every keyword
/// found exactly by its index, and no condition but the default kinds
/// (every message with searchable text has a searchable kind, and revoked
/// or deleted messages are not in the indexes).
fn is_plain(query: &SearchQuery) -> bool {
    query.time_range.is_none()
        && query.senders.is_empty()
        && query.elem_types == im_store::search::default_search_types()
        && query.keywords.iter().all(|k| index_is_exact(k))
}

/// A verified hit.
type Hit = (ConvId, Message);

fn reference_order(hits: &mut [Hit]) {
    hits.sort_by(|a, b| im_store::search::result_order((&a.0, &a.1), (&b.0, &b.1)));
}

/// Walks candidates newest first (time-major order), verifying each; stops
/// after `wanted` hits once no later candidate can share the last hit's time. Returns the
/// hits (reference order) and whether every candidate was visited.
fn walk(conn: &Connection, query: &SearchQuery, wanted: usize) -> StoreResult<(Vec<Hit>, bool)> {
    let (from_where, order, args) = candidates_sql(query);
    let sql = format!("SELECT m.conv_type, m.peer, m.time, m.data {from_where} ORDER BY {order}");
    let mut st = conn.prepare_cached(&sql).map_err(backend)?;
    let mut rows = st.query(params_from_iter(args)).map_err(backend)?;
    let mut hits: Vec<Hit> = Vec::new();
    let mut cutoff: Option<i64> = None;
    while let Some(row) = rows.next().map_err(backend)? {
        let time: i64 = row.get(2).map_err(backend)?;
        if cutoff.is_some_and(|t| time < t) {
            reference_order(&mut hits);
            return Ok((hits, false));
        }
        let conv_type: i64 = row.get(0).map_err(backend)?;
        let peer: String = row.get(1).map_err(backend)?;
        let data: String = row.get(3).map_err(backend)?;
        let conv = crate::codec::conv_of(conv_type, &peer)?;
        let m = message(&data)?;
        if query.matches(&conv, &m) {
            hits.push((conv, m));
            if hits.len() == wanted {
                cutoff = Some(time);
            }
        }
    }
    reference_order(&mut hits);
    Ok((hits, true))
}

impl SqliteStore {
    /// One page of matching messages, newest first, and the total.
    pub(crate) fn search_page(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<Hit>)> {
        let reader = self.reader();
        // One snapshot for the page and its total (several statements).
        let conn = reader.unchecked_transaction().map_err(backend)?;
        let wanted = offset.saturating_add(limit);
        let (hits, complete) = walk(&conn, query, wanted)?;
        let total = if complete {
            hits.len() as u64
        } else if let Some((sql, args)) = index_only_count(query) {
            let count: i64 = conn
                .prepare_cached(&sql)
                .and_then(|mut st| st.query_row(params_from_iter(args), |r| r.get(0)))
                .map_err(backend)?;
            u64::try_from(count).unwrap_or(0)
        } else if count_is_exact(query) {
            let (from_where, _, args) = candidates_sql(query);
            let count: i64 = conn
                .prepare_cached(&format!("SELECT COUNT(*) {from_where}"))
                .and_then(|mut st| st.query_row(params_from_iter(args), |r| r.get(0)))
                .map_err(backend)?;
            u64::try_from(count).unwrap_or(0)
        } else {
            walk(&conn, query, usize::MAX)?.0.len() as u64
        };
        Ok((total, hits.into_iter().skip(offset).take(limit).collect()))
    }

    /// Conversations with matches, ordered by their newest match, with
    /// the total number of conversations.
    pub(crate) fn search_conversation_page(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<ConversationHits>)> {
        let reader = self.reader();
        // One snapshot for the page and its total (several statements).
        let conn = reader.unchecked_transaction().map_err(backend)?;
        if is_exact(query) {
            // The aggregates and the newest hits read one snapshot, so a
            // conversation counted has its newest hit still there.
            return conversation_page_from_aggregates(&conn, query, offset, limit);
        }
        let mut positions = hit_positions(&conn, query)?;
        positions.sort_by(|a, b| b.pos.cmp(&a.pos).then_with(|| b.conv.cmp(&a.conv)));
        let (total, page) = group_by_conversation(
            positions.into_iter().map(|hit| (hit.conv, hit.row_id)),
            offset,
            limit,
        );
        let mut items = Vec::with_capacity(page.len());
        for (conv, count, row_id) in page {
            let data: String = conn
                .prepare_cached("SELECT data FROM messages WHERE row_id = ?1")
                .and_then(|mut st| st.query_row([row_id], |r| r.get(0)))
                .map_err(backend)?;
            items.push(ConversationHits {
                conv,
                count,
                newest: message(&data)?,
            });
        }
        Ok((total, items))
    }
}

/// Whether the SQL conditions are the whole rule, so a `COUNT` of the
/// candidates is the total: every keyword found exactly by its index
/// (within one conversation too: `candidates_sql` takes the keywords'
/// candidates there as well).
fn count_is_exact(query: &SearchQuery) -> bool {
    query.keywords.iter().all(|k| index_is_exact(k))
}

/// Whether a conversation page can come from SQL aggregates: an exact
/// search over all conversations.
fn is_exact(query: &SearchQuery) -> bool {
    query.conv.is_none() && count_is_exact(query)
}

/// A conversation's share of an exact search, from SQL aggregates.
struct ConvAggregate {
    conv: ConvId,
    count: u64,
    newest_time: u64,
}

/// The conversation page of an exact search without reading every hit
/// into memory (a common keyword has hundreds of thousands): SQLite
/// counts the hits of each conversation and its newest time; only the
/// conversations that can be on the page (newest time at least that of
/// the last one on it, ties included) get their newest hit read, from
/// their own history at that second, which gives the exact order.
fn conversation_page_from_aggregates(
    conn: &Connection,
    query: &SearchQuery,
    offset: usize,
    limit: usize,
) -> StoreResult<(u64, Vec<ConversationHits>)> {
    let mut convs = match plain_gram_query(query) {
        Some(fts) => aggregates_by_conversation_tokens(conn, query, &fts)?,
        None => aggregates_by_join(conn, query, postings_query(query))?,
    };
    let total = convs.len() as u64;
    let wanted = offset.saturating_add(limit).min(convs.len());
    if wanted == 0 || offset >= convs.len() {
        return Ok((total, Vec::new()));
    }
    convs.sort_by_key(|c| std::cmp::Reverse(c.newest_time));
    let floor = convs[wanted - 1].newest_time;
    convs.retain(|c| c.newest_time >= floor);
    let mut candidates = Vec::with_capacity(convs.len());
    for c in convs {
        let within = SearchQuery {
            conv: Some(c.conv.clone()),
            time_range: Some((c.newest_time, c.newest_time)),
            ..query.clone()
        };
        let (hits, _) = walk(conn, &within, 1)?;
        let Some((_, newest)) = hits.into_iter().next() else {
            return Err(StoreError::Corrupt {
                details: format!("{} has no match at its newest match's time", c.conv),
            });
        };
        candidates.push((c.conv, c.count, newest));
    }
    candidates.sort_by(|a, b| {
        MessagePos::of(&b.2)
            .cmp(&MessagePos::of(&a.2))
            .then_with(|| b.0.cmp(&a.0))
    });
    let page = candidates
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(conv, count, newest)| ConversationHits {
            conv,
            count,
            newest,
        })
        .collect();
    Ok((total, page))
}

/// Each conversation's hits (count and newest time) from SQL, every
/// candidate joined with its message row; driven by `postings` when given.
fn aggregates_by_join(
    conn: &Connection,
    query: &SearchQuery,
    postings: Option<(&'static str, String)>,
) -> StoreResult<Vec<ConvAggregate>> {
    let (from_where, _, args) = candidates_sql_with(query, postings);
    let sql = format!(
        "SELECT m.conv_type, m.peer, COUNT(*), MAX(m.time) {from_where} \
         GROUP BY m.conv_type, m.peer"
    );
    let mut st = conn.prepare_cached(&sql).map_err(backend)?;
    let mut rows = st.query(params_from_iter(args)).map_err(backend)?;
    let mut convs = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        let conv_type: i64 = row.get(0).map_err(backend)?;
        let peer: String = row.get(1).map_err(backend)?;
        convs.push(ConvAggregate {
            conv: crate::codec::conv_of(conv_type, &peer)?,
            count: uint(row.get(2).map_err(backend)?),
            newest_time: uint(row.get(3).map_err(backend)?),
        });
    }
    Ok(convs)
}

/// The gram-postings query of a plain search over all conversations whose
/// keywords are all one or two characters: what
/// [`aggregates_by_conversation_tokens`] can count per conversation.
fn plain_gram_query(query: &SearchQuery) -> Option<String> {
    if query.conv.is_some() || !is_plain(query) {
        return None;
    }
    match one_index_query(query)? {
        ("message_grams", fts) => Some(fts),
        _ => None,
    }
}

/// How many of the newest hits [`aggregates_by_conversation_tokens`]
/// looks at to find the conversations holding many.
const HIT_SAMPLE: usize = 64;

/// Each conversation's hits of a plain gram query, without joining every
/// hit with its message row when a few conversations hold most of them (a
/// common character in a long conversation: 17,000 row reads at 100,000
/// messages). The newest hits show which conversations hold many (a
/// quarter of the sample or more: at most four); each of those is counted
/// in the postings alone, ANDed with its conversation's token, and its
/// newest hit read from there; only the hits in no such conversation
/// (`NOT` their tokens) are joined with their rows. Exact whatever the
/// sample shows: it only chooses which hits are counted which way.
fn aggregates_by_conversation_tokens(
    conn: &Connection,
    query: &SearchQuery,
    fts: &str,
) -> StoreResult<Vec<ConvAggregate>> {
    let count = |fts: &str| -> StoreResult<u64> {
        conn.prepare_cached("SELECT COUNT(*) FROM message_grams WHERE message_grams MATCH ?1")
            .and_then(|mut st| st.query_row([fts], |r| r.get(0)))
            .map(uint)
            .map_err(backend)
    };
    let total = count(fts)?;
    if total <= (HIT_SAMPLE * 4) as u64 {
        // Few enough to join them all.
        return aggregates_by_join(conn, query, Some(("message_grams", fts.to_owned())));
    }
    let mut sample: Vec<(ConvId, usize)> = Vec::new();
    {
        let mut st = conn
            .prepare_cached(
                "SELECT m.conv_type, m.peer FROM message_grams t \
                 JOIN messages m ON m.row_id = t.rowid \
                 WHERE t.message_grams MATCH ?1 ORDER BY t.rowid DESC LIMIT ?2",
            )
            .map_err(backend)?;
        let mut rows = st
            .query(rusqlite::params![fts, HIT_SAMPLE as i64])
            .map_err(backend)?;
        while let Some(row) = rows.next().map_err(backend)? {
            let conv = crate::codec::conv_of(
                row.get(0).map_err(backend)?,
                &row.get::<_, String>(1).map_err(backend)?,
            )?;
            match sample.iter_mut().find(|(c, _)| *c == conv) {
                Some((_, n)) => *n += 1,
                None => sample.push((conv, 1)),
            }
        }
    }
    let mut convs = Vec::new();
    let mut tokens = Vec::new();
    let mut counted = 0;
    for (conv, _) in sample.into_iter().filter(|(_, n)| *n * 4 >= HIT_SAMPLE) {
        let (conv_type, peer) = conv_key(&conv);
        let mut token = String::new();
        crate::write::conv_token(conv_type, peer, &mut token);
        let within = format!("({fts}) AND {token}");
        let hits = count(&within)?;
        if hits == 0 {
            continue;
        }
        let newest_time: i64 = conn
            .prepare_cached(
                "SELECT m.time FROM message_grams t JOIN messages m ON m.row_id = t.rowid \
                 WHERE t.message_grams MATCH ?1 ORDER BY t.rowid DESC LIMIT 1",
            )
            .and_then(|mut st| st.query_row([&within], |r| r.get(0)))
            .map_err(backend)?;
        counted += hits;
        convs.push(ConvAggregate {
            conv,
            count: hits,
            newest_time: uint(newest_time),
        });
        tokens.push(token);
    }
    if counted < total {
        let rest = if tokens.is_empty() {
            fts.to_owned()
        } else {
            format!("({fts}) NOT ({})", tokens.join(" OR "))
        };
        convs.extend(aggregates_by_join(
            conn,
            query,
            Some(("message_grams", rest)),
        )?);
    }
    Ok(convs)
}

/// Where a verified hit is, without its message.
struct HitPosition {
    conv: ConvId,
    pos: MessagePos,
    row_id: i64,
}

/// Every hit of `query` as a position, in no particular order. When the
/// SQL conditions are the whole rule (all conversations, every keyword
/// found exactly by its index), no message is decoded; otherwise each candidate's JSON is
/// decoded and verified, and dropped straight after.
fn hit_positions(conn: &Connection, query: &SearchQuery) -> StoreResult<Vec<HitPosition>> {
    let exact = is_exact(query);
    let (from_where, _, args) = candidates_sql(query);
    let data = if exact { "NULL" } else { "m.data" };
    let sql = format!(
        "SELECT m.row_id, m.conv_type, m.peer, m.time, m.seq, m.msg_id, {data} {from_where}"
    );
    let mut st = conn.prepare_cached(&sql).map_err(backend)?;
    let mut rows = st.query(params_from_iter(args)).map_err(backend)?;
    let mut hits = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        let conv_type: i64 = row.get(1).map_err(backend)?;
        let peer: String = row.get(2).map_err(backend)?;
        let conv = crate::codec::conv_of(conv_type, &peer)?;
        if !exact {
            let data: String = row.get(6).map_err(backend)?;
            if !query.matches(&conv, &message(&data)?) {
                continue;
            }
        }
        hits.push(HitPosition {
            conv,
            pos: MessagePos {
                time: uint(row.get(3).map_err(backend)?),
                seq: uint(row.get(4).map_err(backend)?),
                msg_id: row.get(5).map_err(backend)?,
            },
            row_id: row.get(0).map_err(backend)?,
        });
    }
    Ok(hits)
}
