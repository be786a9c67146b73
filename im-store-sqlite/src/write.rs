//! `apply`: one write batch, one transaction.
//!
//! Operations run in order inside a transaction with the same checks as
//! the reference backend; any failure rolls the whole batch back. The
//! derived columns, group member rows, maintained totals and search
//! indexes are rewritten together with the record they derive from.

use std::collections::BTreeSet;

use im_model::ConvId;
use im_model::message::Message;
use im_store::{ConvChange, Conversation, StoreError, StoreResult, WriteBatch, WriteOp};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::codec::{ConvColumns, Gram, MessageColumns, conv_key, conversation};
use crate::pool::SqliteStore;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// Row ids are `time << 21 | n`: up to two million messages per second
/// keep time order in the primary key.
const ROW_ID_SHIFT: u32 = 21;

pub(crate) fn read_conversation(
    tx: &rusqlite::Connection,
    id: &ConvId,
) -> StoreResult<Option<Conversation>> {
    let (conv_type, peer) = conv_key(id);
    let record: Option<String> = tx
        .prepare_cached("SELECT record FROM conversations WHERE conv_type = ?1 AND peer = ?2")
        .and_then(|mut st| {
            st.query_row(params![conv_type, peer], |r| r.get(0))
                .optional()
        })
        .map_err(backend)?;
    record.as_deref().map(conversation).transpose()
}

fn adjust_total(tx: &Transaction<'_>, delta: i64) -> StoreResult<()> {
    if delta != 0 {
        tx.prepare_cached("UPDATE totals SET counted_unread = counted_unread + ?1 WHERE id = 1")
            .and_then(|mut st| st.execute(params![delta]))
            .map_err(backend)?;
    }
    Ok(())
}

fn counted_unread(conv: &Conversation) -> i64 {
    if conv.counts_toward_total_unread() {
        conv.unread_count as i64
    } else {
        0
    }
}

fn remove_conversation(tx: &Transaction<'_>, id: &ConvId) -> StoreResult<()> {
    let Some(old) = read_conversation(tx, id)? else {
        return Ok(());
    };
    let (conv_type, peer) = conv_key(id);
    tx.prepare_cached("DELETE FROM conversations WHERE conv_type = ?1 AND peer = ?2")
        .and_then(|mut st| st.execute(params![conv_type, peer]))
        .map_err(backend)?;
    tx.prepare_cached("DELETE FROM group_members WHERE conv_type = ?1 AND peer = ?2")
        .and_then(|mut st| st.execute(params![conv_type, peer]))
        .map_err(backend)?;
    adjust_total(tx, -counted_unread(&old))
}

fn put_conversation(tx: &Transaction<'_>, conv: &Conversation) -> StoreResult<()> {
    remove_conversation(tx, &conv.id)?;
    let c = ConvColumns::of(conv)?;
    tx.prepare_cached(
        "INSERT INTO conversations (conv_type, peer, version, pinned, activity_time, unread, \
         counted, marks, hidden, in_group, has_at, record) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .and_then(|mut st| {
        st.execute(params![
            c.conv_type,
            c.peer,
            c.version,
            c.pinned,
            c.activity_time,
            c.unread,
            c.counted,
            c.marks,
            c.hidden,
            c.in_group,
            c.has_at,
            c.record
        ])
    })
    .map_err(backend)?;
    for name in &conv.groups {
        tx.prepare_cached(
            "INSERT INTO group_members (name, conv_type, peer, hidden, pinned, activity_time) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut st| {
            st.execute(params![
                name,
                c.conv_type,
                c.peer,
                c.hidden,
                c.pinned,
                c.activity_time
            ])
        })
        .map_err(backend)?;
    }
    adjust_total(tx, counted_unread(conv))
}

fn group_exists(tx: &Transaction<'_>, name: &str) -> StoreResult<bool> {
    tx.prepare_cached("SELECT 1 FROM conversation_groups WHERE name = ?1")
        .and_then(|mut st| st.exists(params![name]))
        .map_err(backend)
}

fn create_group(tx: &Transaction<'_>, name: &str) -> StoreResult<()> {
    if group_exists(tx, name)? {
        return Err(StoreError::Conflict(format!("group {name:?} exists")));
    }
    tx.prepare_cached(
        "INSERT INTO conversation_groups (position, name) \
         VALUES ((SELECT IFNULL(MAX(position), 0) + 1 FROM conversation_groups), ?1)",
    )
    .and_then(|mut st| st.execute(params![name]))
    .map_err(backend)?;
    Ok(())
}

fn delete_group(tx: &Transaction<'_>, name: &str) -> StoreResult<()> {
    let deleted = tx
        .prepare_cached("DELETE FROM conversation_groups WHERE name = ?1")
        .and_then(|mut st| st.execute(params![name]))
        .map_err(backend)?;
    if deleted == 0 {
        return Err(StoreError::NotFound(format!("group {name:?}")));
    }
    Ok(())
}

fn rename_group(tx: &Transaction<'_>, old: &str, new: &str) -> StoreResult<()> {
    if group_exists(tx, new)? {
        return Err(StoreError::Conflict(format!("group {new:?} exists")));
    }
    let renamed = tx
        .prepare_cached("UPDATE conversation_groups SET name = ?2 WHERE name = ?1")
        .and_then(|mut st| st.execute(params![old, new]))
        .map_err(backend)?;
    if renamed == 0 {
        return Err(StoreError::NotFound(format!("group {old:?}")));
    }
    Ok(())
}

fn delete_message_row(
    tx: &Transaction<'_>,
    counts: &mut GramCounts,
    row_id: i64,
) -> StoreResult<()> {
    let data: String = tx
        .prepare_cached("SELECT data FROM messages WHERE row_id = ?1")
        .and_then(|mut st| st.query_row(params![row_id], |r| r.get(0)))
        .map_err(backend)?;
    unindex_search_text(tx, counts, row_id, &data)?;
    tx.prepare_cached("DELETE FROM messages WHERE row_id = ?1")
        .and_then(|mut st| st.execute(params![row_id]))
        .map_err(backend)?;
    Ok(())
}

fn put_message(
    tx: &Transaction<'_>,
    counts: &mut GramCounts,
    conv: &ConvId,
    message: &Message,
) -> StoreResult<()> {
    let Some(msg_id) = message.msg_id.as_deref().filter(|id| !id.is_empty()) else {
        return Err(StoreError::Invalid("message without message_msg_id".into()));
    };
    let (conv_type, peer) = conv_key(conv);
    let existing: Option<(i64, i64, String)> = tx
        .prepare_cached("SELECT row_id, conv_type, peer FROM messages WHERE msg_id = ?1")
        .and_then(|mut st| {
            st.query_row(params![msg_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        })
        .map_err(backend)?;
    if let Some((row_id, t, p)) = existing {
        if t != conv_type || p != peer {
            return Err(StoreError::Conflict(format!(
                "message {msg_id} belongs to another conversation"
            )));
        }
        delete_message_row(tx, counts, row_id)?;
    }
    let m = MessageColumns::of(message)?;
    let bucket = m.time.max(0) << ROW_ID_SHIFT;
    let row_id: i64 = tx
        .prepare_cached(
            "SELECT IFNULL(MAX(row_id) + 1, ?1) FROM messages WHERE row_id BETWEEN ?1 AND ?2",
        )
        .and_then(|mut st| {
            st.query_row(params![bucket, bucket | ((1 << ROW_ID_SHIFT) - 1)], |r| {
                r.get(0)
            })
        })
        .map_err(backend)?;
    tx.prepare_cached(
        "INSERT INTO messages (row_id, msg_id, conv_type, peer, time, seq, status, sender, \
         elem_mask, unique_id, rand, counted, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .and_then(|mut st| {
        st.execute(params![
            row_id,
            msg_id,
            conv_type,
            peer,
            m.time,
            m.seq,
            m.status,
            m.sender,
            m.elem_mask,
            m.unique_id,
            m.rand,
            m.counted,
            m.data
        ])
    })
    .map_err(backend)?;
    index_search_text(tx, counts, row_id, (conv_type, peer), message, &m)
}

/// Changes to `char_counts` (how many messages hold each one- or
/// two-character gram) accumulated over one batch and written once at its
/// end: a batch of a thousand messages touches each common character a
/// thousand times, and one upsert per gram and batch replaces one per gram
/// and message (the largest share of an import's statements). Both
/// insertions and removals go through it, so a message added and removed
/// in the same batch nets to nothing.
#[derive(Default)]
pub(crate) struct GramCounts(std::collections::BTreeMap<Gram, i64>);

impl GramCounts {
    fn add(&mut self, gram: Gram, delta: i64) {
        *self.0.entry(gram).or_insert(0) += delta;
    }

    /// Writes the accumulated changes (inside the batch's transaction).
    pub(crate) fn write(self, tx: &Transaction<'_>) -> StoreResult<()> {
        let mut st = tx
            .prepare_cached(
                "INSERT INTO char_counts (ch, n) VALUES (?1, ?2) \
                 ON CONFLICT (ch) DO UPDATE SET n = n + excluded.n",
            )
            .map_err(backend)?;
        for (gram, delta) in self.0 {
            if delta != 0 {
                st.execute(params![gram.text(), delta]).map_err(backend)?;
            }
        }
        Ok(())
    }
}

/// The `message_grams` token of a one- or two-character gram: `u` and
/// the code point in lowercase hex for a character, `p`, the first code
/// point, `x`, the second for a pair. Tokens are ASCII letters and digits
/// only, so FTS5's ascii tokenizer keeps each whole, whatever the
/// characters are (punctuation, emoji, a line break).
pub(crate) fn gram_token(gram: Gram, out: &mut String) {
    match gram {
        Gram(a, None) => {
            out.push('u');
            push_hex(out, u32::from(a));
        }
        Gram(a, Some(b)) => {
            out.push('p');
            push_hex(out, u32::from(a));
            out.push('x');
            push_hex(out, u32::from(b));
        }
    }
}

/// Appends `value` in lowercase hex without leading zeros (`0` for zero),
/// as `{:x}` would: an import writes dozens of tokens per message, and
/// the formatting machinery was a twentieth of its time.
fn push_hex(out: &mut String, value: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits = (u32::BITS - value.leading_zeros()).div_ceil(4).max(1);
    for i in (0..digits).rev() {
        out.push(char::from(DIGITS[((value >> (4 * i)) & 0xf) as usize]));
    }
}

/// The `message_grams` token of a conversation: `k`, the conversation
/// type's number, `x`, then the peer's UTF-8 bytes in lowercase hex.
/// ASCII letters and digits only (one token for the ascii tokenizer), and
/// unlike every gram token (`u…`, `p…`), so a search within one
/// conversation ANDs it with the keyword's grams and stays in the index:
/// its page and its count need no message row.
pub(crate) fn conv_token(conv_type: i64, peer: &str, out: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(out, "k{conv_type}x");
    for byte in peer.bytes() {
        if byte < 0x10 {
            out.push('0');
        }
        push_hex(out, u32::from(byte));
    }
}

/// The `message_grams` document of a message: its grams' tokens and its
/// conversation's token.
fn gram_document(grams: &BTreeSet<Gram>, conv_type: i64, peer: &str) -> String {
    let mut doc = String::with_capacity(grams.len() * 10 + 4 + peer.len() * 2);
    for gram in grams {
        gram_token(*gram, &mut doc);
        doc.push(' ');
    }
    conv_token(conv_type, peer, &mut doc);
    doc
}

/// Whether a message is in the search indexes: revoked and deleted
/// messages never match a search, so they stay out (which keeps
/// index-only counts exact), and a message without searchable text has
/// nothing to index.
fn is_indexed(message: &Message, m: &MessageColumns) -> bool {
    let searchable = !matches!(
        message.status,
        Some(im_model::MsgStatus::Revoked | im_model::MsgStatus::Deleted)
    );
    searchable && !m.body.is_empty()
}

/// Adds a message's search text to the search indexes: the FTS5 trigram
/// table, the gram postings and their counts.
fn index_search_text(
    tx: &Transaction<'_>,
    counts: &mut GramCounts,
    row_id: i64,
    (conv_type, peer): (i64, &str),
    message: &Message,
    m: &MessageColumns,
) -> StoreResult<()> {
    if !is_indexed(message, m) {
        return Ok(());
    }
    tx.prepare_cached("INSERT INTO message_text (rowid, body) VALUES (?1, ?2)")
        .and_then(|mut st| st.execute(params![row_id, m.body]))
        .map_err(backend)?;
    tx.prepare_cached("INSERT INTO message_grams (rowid, chars) VALUES (?1, ?2)")
        .and_then(|mut st| st.execute(params![row_id, gram_document(&m.grams, conv_type, peer)]))
        .map_err(backend)?;
    for gram in &m.grams {
        counts.add(*gram, 1);
    }
    Ok(())
}

/// Removes a message's rows from the search indexes. The indexes are
/// contentless, so what was indexed is derived again from the stored
/// message, by the same rule that indexed it.
fn unindex_search_text(
    tx: &Transaction<'_>,
    counts: &mut GramCounts,
    row_id: i64,
    data: &str,
) -> StoreResult<()> {
    let message = crate::codec::message(data)?;
    let m = MessageColumns::of(&message)?;
    if !is_indexed(&message, &m) {
        return Ok(());
    }
    for gram in &m.grams {
        counts.add(*gram, -1);
    }
    for sql in [
        "DELETE FROM message_text WHERE rowid = ?1",
        "DELETE FROM message_grams WHERE rowid = ?1",
    ] {
        tx.prepare_cached(sql)
            .and_then(|mut st| st.execute(params![row_id]))
            .map_err(backend)?;
    }
    Ok(())
}

/// Messages a gram re-indexing migration indexes between two writes of
/// the gram counts.
const MIGRATION_COUNTS_EVERY: u64 = 10_000;

/// Migration 006: fills the gram postings and their counts from every
/// stored message (the character table they replace had no pairs).
pub(crate) fn index_grams_of_all_messages(tx: &Transaction<'_>) -> StoreResult<()> {
    tx.execute_batch(include_str!("../migrations/006_gram_postings.sql"))
        .map_err(backend)?;
    fill_gram_postings(tx, true)
}

/// Migration 007: the gram postings are written again with each
/// message's conversation token (the counts do not change).
pub(crate) fn index_grams_with_conversations(tx: &Transaction<'_>) -> StoreResult<()> {
    tx.execute_batch(include_str!("../migrations/007_conversation_tokens.sql"))
        .map_err(backend)?;
    fill_gram_postings(tx, false)
}

/// Writes the gram document of every indexed message into an empty
/// `message_grams`, and, when `count`, adds its grams to `char_counts`.
fn fill_gram_postings(tx: &Transaction<'_>, count: bool) -> StoreResult<()> {
    let mut counts = GramCounts::default();
    let mut indexed: u64 = 0;
    let mut rows = tx
        .prepare("SELECT row_id, conv_type, peer, data FROM messages")
        .map_err(backend)?;
    let mut rows = rows.query([]).map_err(backend)?;
    let mut insert = tx
        .prepare("INSERT INTO message_grams (rowid, chars) VALUES (?1, ?2)")
        .map_err(backend)?;
    while let Some(row) = rows.next().map_err(backend)? {
        let row_id: i64 = row.get(0).map_err(backend)?;
        let conv_type: i64 = row.get(1).map_err(backend)?;
        let peer: String = row.get(2).map_err(backend)?;
        let data: String = row.get(3).map_err(backend)?;
        let message = crate::codec::message(&data)?;
        let m = MessageColumns::of(&message)?;
        if !is_indexed(&message, &m) {
            continue;
        }
        insert
            .execute(params![row_id, gram_document(&m.grams, conv_type, &peer)])
            .map_err(backend)?;
        if count {
            for gram in &m.grams {
                counts.add(*gram, 1);
            }
        }
        indexed += 1;
        // Distinct pairs grow with the history: written every so often,
        // the counts never hold more than a slice of them.
        if indexed.is_multiple_of(MIGRATION_COUNTS_EVERY) {
            std::mem::take(&mut counts).write(tx)?;
        }
    }
    counts.write(tx)
}

fn delete_message(tx: &Transaction<'_>, counts: &mut GramCounts, msg_id: &str) -> StoreResult<()> {
    let row_id: Option<i64> = tx
        .prepare_cached("SELECT row_id FROM messages WHERE msg_id = ?1")
        .and_then(|mut st| st.query_row(params![msg_id], |r| r.get(0)).optional())
        .map_err(backend)?;
    match row_id {
        Some(row_id) => delete_message_row(tx, counts, row_id),
        None => Ok(()),
    }
}

fn clear_messages(tx: &Transaction<'_>, counts: &mut GramCounts, conv: &ConvId) -> StoreResult<()> {
    let (conv_type, peer) = conv_key(conv);
    let rows: Vec<i64> = tx
        .prepare_cached("SELECT row_id FROM messages WHERE conv_type = ?1 AND peer = ?2")
        .and_then(|mut st| {
            st.query_map(params![conv_type, peer], |r| r.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(backend)?;
    for row_id in rows {
        delete_message_row(tx, counts, row_id)?;
    }
    Ok(())
}

/// Every group still named by a conversation must exist.
fn check_group_names(tx: &Transaction<'_>) -> StoreResult<()> {
    let missing: Option<String> = tx
        .prepare_cached(
            "SELECT name FROM group_members \
             WHERE name NOT IN (SELECT name FROM conversation_groups) LIMIT 1",
        )
        .and_then(|mut st| st.query_row([], |r| r.get(0)).optional())
        .map_err(backend)?;
    match missing {
        Some(name) => Err(StoreError::NotFound(format!(
            "group {name:?} is named by a conversation but does not exist"
        ))),
        None => Ok(()),
    }
}

impl SqliteStore {
    pub(crate) fn apply_batch(&self, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
        // Row ids are `time << 21 | n` and activity times share a column
        // with the pin bit: times past the limit are refused up front.
        batch.check_times()?;
        let mut conn = self.writer();
        let tx = conn.transaction().map_err(backend)?;
        let mut counts = GramCounts::default();
        let mut touched: Vec<(ConvId, Option<Conversation>)> = Vec::new();
        let mut seen: BTreeSet<ConvId> = BTreeSet::new();
        let mut remember = |tx: &Transaction<'_>, id: &ConvId| -> StoreResult<()> {
            if seen.insert(id.clone()) {
                touched.push((id.clone(), read_conversation(tx, id)?));
            }
            Ok(())
        };
        for op in batch.ops() {
            match op {
                WriteOp::PutConversation(conv) => {
                    remember(&tx, &conv.id)?;
                    put_conversation(&tx, conv)?;
                }
                WriteOp::DeleteConversation(id) => {
                    remember(&tx, id)?;
                    remove_conversation(&tx, id)?;
                }
                WriteOp::CreateGroup(name) => create_group(&tx, name)?,
                WriteOp::DeleteGroup(name) => delete_group(&tx, name)?,
                WriteOp::RenameGroup { old, new } => rename_group(&tx, old, new)?,
                WriteOp::PutMessage { conv, message } => {
                    put_message(&tx, &mut counts, conv, message)?;
                }
                WriteOp::DeleteMessage(id) => delete_message(&tx, &mut counts, id)?,
                WriteOp::ClearMessages(conv) => clear_messages(&tx, &mut counts, conv)?,
                WriteOp::PutSetting { key, value } => {
                    tx.prepare_cached(
                        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .and_then(|mut st| st.execute(params![key, value]))
                    .map_err(backend)?;
                }
            }
        }
        counts.write(&tx)?;
        check_group_names(&tx)?;
        let mut changes = Vec::with_capacity(touched.len());
        for (id, before) in touched {
            let after = read_conversation(&tx, &id)?;
            if before.is_some() || after.is_some() {
                changes.push(ConvChange { before, after });
            }
        }
        tx.commit().map_err(backend)?;
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::{Gram, conv_token, gram_token, push_hex};

    #[test]
    fn test_hex_tokens_are_those_of_the_format_machinery() {
        for value in [
            0,
            1,
            0xf,
            0x10,
            0xff,
            0x100,
            0x4e16,
            0xfffd,
            0x1_0000,
            0x10_ffff,
            u32::MAX,
        ] {
            let mut out = String::new();
            push_hex(&mut out, value);
            assert_eq!(out, format!("{value:x}"));
        }
        let mut token = String::new();
        gram_token(Gram('世', None), &mut token);
        gram_token(Gram('a', Some('\n')), &mut token);
        assert_eq!(token, "u4e16p61xa");
        let mut token = String::new();
        conv_token(2, "g\u{1}\u{10}é", &mut token);
        assert_eq!(token, "k2x670110c3a9");
    }
}
