//! A device's first sync and the event log's bound: the snapshot a device
//! with no cursor starts from, and the trimming of old events.
//!
//! The snapshot reads a few rows per conversation (its newest visible
//! message, a count over the index after the read position, and at most
//! [`MENTION_SCAN`] unread rows for mentions), never the whole history, so
//! a new device's login costs what the user has now, not everything that
//! ever happened.

use std::collections::BTreeMap;

use im_model::{ConvType, ImResult};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{decode_message, head_and_floor, load_book, row_to_message, sql};
use crate::store::rows;
use crate::store::{ConvKey, SnapshotConv, StoredSnapshot};

/// Newest unread rows of a group read for mentions: a bound per
/// conversation whatever its history holds.
const MENTION_SCAN: u32 = 200;

/// Users whose logs one trim write trims.
const TRIM_USERS_PER_WRITE: usize = 256;

/// `user`'s snapshot; run inside one read transaction.
pub(super) fn snapshot(conn: &Connection, user: &str) -> ImResult<StoredSnapshot> {
    let book = load_book(conn, user)?;
    let (head, _) = head_and_floor(conn, user)?;
    let keys: Vec<String> = {
        let mut stmt = sql(conn.prepare_cached("SELECT conv FROM user_convs WHERE user = ?1"))?;
        let rows = sql(stmt.query_map([user], |r| r.get(0)))?;
        rows.map(sql).collect::<ImResult<_>>()?
    };
    let mut convs = Vec::with_capacity(keys.len());
    let mut profiles: Vec<_> = super::profiles::profile(conn, user)?.into_iter().collect();
    for text in keys {
        let Some(key) = ConvKey::decode(&text) else {
            tracing::error!(conv = %text, "a conversation key that does not parse");
            continue;
        };
        let Ok(conv) = key.for_viewer(user) else {
            continue;
        };
        if conv.conv_type() == ConvType::C2C {
            // A peer without a profile gets an empty one, so a device
            // knows it has nothing to look up.
            profiles.push(
                super::profiles::profile(conn, conv.peer())?
                    .unwrap_or_else(|| im_model::profile::empty_profile(conv.peer())),
            );
        }
        let (read_time, read_seq) = book
            .convs
            .get(&conv)
            .map_or((0, 0), |s| (s.read_time, s.read_seq));
        convs.push(summarize(
            conn,
            user,
            key,
            conv.conv_type() == ConvType::Group,
            read_time,
            read_seq,
        )?);
    }
    Ok(StoredSnapshot {
        book,
        convs,
        head,
        profiles,
    })
}

/// One conversation of the snapshot: newest visible message, unread count
/// and mentions after the read position.
fn summarize(
    conn: &Connection,
    user: &str,
    key: ConvKey,
    is_group: bool,
    read_time: u64,
    read_seq: u64,
) -> ImResult<SnapshotConv> {
    let text = key.encode();
    let cleared: u64 = sql(conn
        .query_row(
            "SELECT upto FROM cleared WHERE user = ?1 AND conv = ?2",
            params![user, text],
            |r| r.get(0),
        )
        .optional())?
    .unwrap_or(0);
    let visible = "seq > ?3
        AND NOT EXISTS (SELECT 1 FROM hidden h WHERE h.user = ?2 AND h.conv = ?1 AND h.seq = m.seq)";
    let last = {
        let mut stmt = sql(conn.prepare_cached(&format!(
            "SELECT seq, sender, msg_id, time, unique_id, revoked, body FROM messages m
             WHERE conv = ?1 AND {visible} ORDER BY time DESC, seq DESC LIMIT 1"
        )))?;
        sql(stmt
            .query_row(params![text, user, cleared], |r| {
                row_to_message(key.clone(), r)
            })
            .optional())?
        .map(decode_message)
        .transpose()?
    };
    // Unread: others' counted messages after the read position (groups by
    // sequence, C2C by time), each through an index.
    let position = if is_group { "seq > ?4" } else { "time > ?4" };
    let unread_filter = format!(
        "conv = ?1 AND {visible} AND {position} AND sender != ?2 AND revoked = 0 AND counted = 1"
    );
    let after = if is_group { read_seq } else { read_time }.min(i64::MAX as u64);
    let unread: u64 = sql(conn.query_row(
        &format!("SELECT COUNT(*) FROM messages m WHERE {unread_filter}"),
        params![text, user, cleared, after],
        |r| r.get(0),
    ))?;
    let mut mentions = Vec::new();
    if is_group && unread > 0 {
        let mut stmt = sql(conn.prepare_cached(&format!(
            "SELECT seq, sender, msg_id, time, unique_id, revoked, body FROM messages m
             WHERE {unread_filter} ORDER BY seq DESC LIMIT {MENTION_SCAN}"
        )))?;
        let rows = sql(stmt.query_map(params![text, user, cleared, after], |r| {
            row_to_message(key.clone(), r)
        }))?;
        mentions = rows::mentions(user, rows.map(|row| sql(row).and_then(decode_message)))?;
    }
    Ok(SnapshotConv {
        conv: key,
        last,
        unread,
        mentions,
    })
}

/// Trims every log (see `ServerStore::trim_events`); runs in the writer's
/// transaction.
pub(super) fn trim(tx: &Transaction<'_>, before: u64, keep: u64) -> ImResult<u64> {
    let before = before.min(i64::MAX as u64);
    let keep = keep.min(i64::MAX as u64);
    // Per user, the newest cursor to trim through: the newest event logged
    // before the window, and what passes the count.
    let mut through: BTreeMap<String, u64> = BTreeMap::new();
    {
        let mut stmt = sql(
            tx.prepare_cached("SELECT user, MAX(cursor) FROM events WHERE time < ?1 GROUP BY user")
        )?;
        let rows = sql(stmt.query_map([before], |r| Ok((r.get(0)?, r.get(1)?))))?;
        for row in rows {
            let (user, cursor): (String, u64) = sql(row)?;
            through.insert(user, cursor);
        }
    }
    {
        let mut stmt =
            sql(tx.prepare_cached("SELECT user, head - ?1 FROM heads WHERE head - floor > ?1"))?;
        let rows = sql(stmt.query_map([keep], |r| Ok((r.get(0)?, r.get(1)?))))?;
        for row in rows {
            let (user, cursor): (String, u64) = sql(row)?;
            let entry = through.entry(user).or_insert(cursor);
            *entry = (*entry).max(cursor);
        }
    }
    let mut removed = 0u64;
    // A bounded share per write, so sends wait behind a trim for one
    // short commit; the caller calls again until nothing is left.
    for (user, cursor) in through.into_iter().take(TRIM_USERS_PER_WRITE) {
        let cursor = cursor.min(i64::MAX as u64);
        removed += sql(tx.execute(
            "DELETE FROM events WHERE user = ?1 AND cursor <= ?2",
            params![user, cursor],
        ))? as u64;
        sql(tx.execute(
            "UPDATE heads SET floor = MAX(floor, ?2) WHERE user = ?1",
            params![user, cursor],
        ))?;
    }
    if removed > 0 {
        tracing::info!(removed, "trimmed the event logs");
    }
    Ok(removed)
}
