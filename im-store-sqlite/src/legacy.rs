//! Frozen code of released migration steps that need Rust.
//!
//! A step runs against the schema of its own version, not today's, so the
//! code it calls is kept here as it was when the step was released and is
//! never changed: later schema changes are later steps.

use im_model::message::Message;
use im_store::{StoreError, StoreResult};
use rusqlite::{Transaction, params};

use crate::codec::MessageColumns;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// Migration 004: indexes again the search text of every message whose
/// normalized text or character set this version derives differently
/// (a field holding a line break; half-width voicing marks U+FF9E/U+FF9F).
/// The stored JSON escapes a line break as `\n`, so the filter may select
/// a few messages whose index does not change; re-indexing those is
/// harmless. Runs on schema 3: the character index is the `message_chars`
/// table (replaced by postings in 006).
pub(crate) fn v4_reindex_changed_search_text(tx: &Transaction<'_>) -> StoreResult<()> {
    let rows: Vec<(i64, String)> = tx
        .prepare(
            "SELECT row_id, data FROM messages \
             WHERE instr(data, '\\n') > 0 OR instr(data, char(65438)) > 0 \
                OR instr(data, char(65439)) > 0",
        )
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()
        })
        .map_err(backend)?;
    for (row_id, data) in rows {
        let message = crate::codec::message(&data)?;
        v4_unindex(tx, row_id)?;
        v4_index(tx, row_id, &message, &MessageColumns::of(&message)?)?;
    }
    Ok(())
}

fn v4_index(
    tx: &Transaction<'_>,
    row_id: i64,
    message: &Message,
    m: &MessageColumns,
) -> StoreResult<()> {
    let searchable = !matches!(
        message.status,
        Some(im_model::MsgStatus::Revoked | im_model::MsgStatus::Deleted)
    );
    if !searchable || m.body.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO message_text (rowid, body) VALUES (?1, ?2)",
        params![row_id, m.body],
    )
    .map_err(backend)?;
    // Schema 3 indexed the fields' distinct characters: the one-character grams.
    for ch in m.grams.iter().filter(|g| g.1.is_none()).map(|g| g.text()) {
        tx.execute(
            "INSERT INTO message_chars (ch, row_id) VALUES (?1, ?2)",
            params![ch, row_id],
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO char_counts (ch, n) VALUES (?1, 1) \
             ON CONFLICT (ch) DO UPDATE SET n = n + 1",
            params![ch],
        )
        .map_err(backend)?;
    }
    Ok(())
}

fn v4_unindex(tx: &Transaction<'_>, row_id: i64) -> StoreResult<()> {
    for sql in [
        "UPDATE char_counts SET n = n - 1 \
         WHERE ch IN (SELECT ch FROM message_chars WHERE row_id = ?1)",
        "DELETE FROM message_text WHERE rowid = ?1",
        "DELETE FROM message_chars WHERE row_id = ?1",
    ] {
        tx.execute(sql, params![row_id]).map_err(backend)?;
    }
    Ok(())
}
