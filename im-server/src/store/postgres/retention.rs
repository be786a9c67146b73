//! A device's first sync and the event log's bound in PostgreSQL, as in
//! SQLite: the snapshot (a few rows per conversation, in one read-only
//! snapshot) and the trimming of old events (each log's floor raised
//! under its head row's lock, so a concurrent append and a trim agree).

use std::collections::BTreeMap;

use im_model::{ConvType, ImResult};

use super::conn::{Tx, big, col, unsigned};
use super::{MESSAGE_COLUMNS, head_and_floor, load_book, message_at, profiles};
use crate::store::rows;
use crate::store::{ConvKey, SnapshotConv, StoredSnapshot};

/// Newest unread rows of a group read for mentions.
const MENTION_SCAN: i64 = 200;

/// Users whose logs one trim write trims.
const TRIM_USERS_PER_WRITE: usize = 256;

/// `user`'s snapshot; run inside one read-only snapshot.
pub(super) fn snapshot(tx: &Tx<'_>, user: &str) -> ImResult<StoredSnapshot> {
    let book = load_book(tx, user, false)?;
    let (head, _) = head_and_floor(tx, user)?;
    let keys: Vec<String> = tx
        .query("SELECT conv FROM user_convs WHERE user_id = $1", &[&user])?
        .iter()
        .map(|row| col(row, 0))
        .collect::<ImResult<_>>()?;
    let mut convs = Vec::with_capacity(keys.len());
    let mut found: Vec<_> = profiles::profile(tx, user)?.into_iter().collect();
    for text in keys {
        let Some(key) = ConvKey::decode(&text) else {
            tracing::error!(conv = %text, "a conversation key that does not parse");
            continue;
        };
        let Ok(conv) = key.for_viewer(user) else {
            continue;
        };
        if conv.conv_type() == ConvType::C2C {
            found.push(
                profiles::profile(tx, conv.peer())?
                    .unwrap_or_else(|| im_model::profile::empty_profile(conv.peer())),
            );
        }
        let (read_time, read_seq) = book
            .convs
            .get(&conv)
            .map_or((0, 0), |s| (s.read_time, s.read_seq));
        let is_group = conv.conv_type() == ConvType::Group;
        let after = if is_group { read_seq } else { read_time };
        convs.push(summarize(tx, user, key, is_group, after)?);
    }
    Ok(StoredSnapshot {
        book,
        convs,
        head,
        profiles: found,
    })
}

/// One conversation of the snapshot: newest visible message, unread count
/// and mentions after the read position (`after`: a seq for groups, a
/// time for C2C).
fn summarize(
    tx: &Tx<'_>,
    user: &str,
    key: ConvKey,
    is_group: bool,
    after: u64,
) -> ImResult<SnapshotConv> {
    let text = key.encode();
    let cleared = match tx.query_opt(
        "SELECT upto FROM cleared WHERE user_id = $1 AND conv = $2",
        &[&user, &text],
    )? {
        Some(row) => col::<i64>(&row, 0)?,
        None => 0,
    };
    let visible = "seq > $3 AND NOT EXISTS
        (SELECT 1 FROM hidden h WHERE h.user_id = $2 AND h.conv = $1 AND h.seq = m.seq)";
    let last = tx
        .query_opt(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m
                 WHERE conv = $1 AND {visible} ORDER BY time DESC, seq DESC LIMIT 1"
            ),
            &[&text, &user, &cleared],
        )?
        .map(|row| message_at(key.clone(), &row, 0))
        .transpose()?;
    let position = if is_group { "seq > $4" } else { "time > $4" };
    let unread_filter = format!(
        "conv = $1 AND {visible} AND {position} AND sender != $2 AND NOT revoked AND counted"
    );
    let after = big(after);
    let unread = unsigned(
        &tx.query_one(
            &format!("SELECT COUNT(*) FROM messages m WHERE {unread_filter}"),
            &[&text, &user, &cleared, &after],
        )?,
        0,
    )?;
    let mut mentions = Vec::new();
    if is_group && unread > 0 {
        let rows = tx.query(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m
                 WHERE {unread_filter} ORDER BY seq DESC LIMIT {MENTION_SCAN}"
            ),
            &[&text, &user, &cleared, &after],
        )?;
        mentions = rows::mentions(user, rows.iter().map(|row| message_at(key.clone(), row, 0)))?;
    }
    Ok(SnapshotConv {
        conv: key,
        last,
        unread,
        mentions,
    })
}

/// Trims the logs (see `ServerStore::trim_events`), a bounded share of
/// users per call.
pub(super) fn trim(tx: &Tx<'_>, before: u64, keep: u64) -> ImResult<u64> {
    let (before, keep) = (big(before), big(keep));
    // Rate allowances of windows that ended.
    tx.execute(
        "DELETE FROM allowances
         WHERE window_end < (extract(epoch from clock_timestamp()) * 1000)::bigint",
        &[],
    )?;
    let mut through: BTreeMap<String, i64> = BTreeMap::new();
    for row in tx.query(
        "SELECT user_id, MAX(cursor) FROM events WHERE time < $1 GROUP BY user_id",
        &[&before],
    )? {
        through.insert(col(&row, 0)?, col(&row, 1)?);
    }
    for row in tx.query(
        "SELECT user_id, head - $1 FROM heads WHERE head - floor > $1",
        &[&keep],
    )? {
        let (user, cursor): (String, i64) = (col(&row, 0)?, col(&row, 1)?);
        let entry = through.entry(user).or_insert(cursor);
        *entry = (*entry).max(cursor);
    }
    let mut removed = 0u64;
    // In user order (the order head rows are locked in everywhere).
    for (user, cursor) in through.into_iter().take(TRIM_USERS_PER_WRITE) {
        tx.execute(
            "UPDATE heads SET floor = GREATEST(floor, $2) WHERE user_id = $1",
            &[&user, &cursor],
        )?;
        removed += tx.execute(
            "DELETE FROM events WHERE user_id = $1 AND cursor <= $2",
            &[&user, &cursor],
        )?;
    }
    if removed > 0 {
        tracing::info!(removed, "trimmed the event logs");
    }
    Ok(removed)
}
