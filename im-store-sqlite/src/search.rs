//! Local search: indexed candidates, verified with the reference rule.
//!
//! Each keyword selects candidates from an index: the trigram FTS5 table
//! for keywords of three or more characters (a substring of three or more
//! characters is found by trigram matching), the character table for
//! shorter ones (a one-character keyword's messages exactly; a
//! two-character keyword's messages hold both characters). Keywords
//! combine by union (Or) or intersection (And). Every candidate is then
//! checked with `SearchQuery::matches`, so results equal the reference
//! exactly; candidates are never fewer than the true matches because every
//! index holds the same normalized text the rule compares.

use im_model::ConvId;
use im_model::message::Message;
use im_store::{MessagePos, SearchQuery, StoreError, StoreResult};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::codec::{conv_key, int, message};
use crate::pool::SqliteStore;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// An FTS5 phrase matching `keyword` literally.
fn fts_phrase(keyword: &str) -> String {
    format!("\"{}\"", keyword.replace('"', "\"\""))
}

/// SQL selecting the row ids that may contain `keyword` (normalized).
fn keyword_candidates(keyword: &str, args: &mut Vec<Value>) -> String {
    let chars: Vec<char> = keyword.chars().collect();
    if chars.len() >= 3 {
        args.push(Value::Text(fts_phrase(keyword)));
        return "SELECT rowid FROM message_text WHERE message_text MATCH ?".into();
    }
    chars
        .iter()
        .map(|c| {
            args.push(Value::Text(c.to_string()));
            "SELECT row_id FROM message_chars WHERE ch = ?".to_owned()
        })
        .collect::<Vec<_>>()
        .join(" INTERSECT ")
}

impl SqliteStore {
    /// Every matching message, newest first (reference order).
    pub(crate) fn search_hits(&self, query: &SearchQuery) -> StoreResult<Vec<(ConvId, Message)>> {
        let mut args = Vec::new();
        let mut conds = Vec::new();
        if !query.keywords.is_empty() {
            let joiner = if query.match_all {
                " INTERSECT "
            } else {
                " UNION "
            };
            let candidates = query
                .keywords
                .iter()
                .map(|k| keyword_candidates(k, &mut args))
                .map(|sql| format!("SELECT * FROM ({sql})"))
                .collect::<Vec<_>>()
                .join(joiner);
            conds.push(format!("row_id IN ({candidates})"));
        }
        if let Some(conv) = &query.conv {
            let (conv_type, peer) = conv_key(conv);
            conds.push("conv_type = ? AND peer = ?".into());
            args.push(Value::Integer(conv_type));
            args.push(Value::Text(peer.to_owned()));
        }
        if let Some((from, to)) = query.time_range {
            conds.push("time BETWEEN ? AND ?".into());
            args.push(Value::Integer(int(from)));
            args.push(Value::Integer(int(to.min(i64::MAX as u64))));
        }
        if !query.senders.is_empty() {
            conds.push(format!(
                "sender IN ({})",
                vec!["?"; query.senders.len()].join(", ")
            ));
            args.extend(query.senders.iter().map(|s| Value::Text(s.clone())));
        }
        let sql = format!(
            "SELECT conv_type, peer, data FROM messages{} ORDER BY row_id DESC",
            if conds.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", conds.join(" AND "))
            }
        );
        let conn = self.reader();
        let mut st = conn.prepare_cached(&sql).map_err(backend)?;
        let rows: Vec<(i64, String, String)> = st
            .query_map(params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(backend)?;
        let mut hits = Vec::new();
        for (conv_type, peer, data) in rows {
            let conv = ConvId::from_raw(conv_type, &peer)
                .map_err(|e| StoreError::Corrupt { details: e.message })?;
            let m = message(&data)?;
            if query.matches(&conv, &m) {
                hits.push((conv, m));
            }
        }
        hits.sort_by(|a, b| {
            MessagePos::of(&b.1)
                .cmp(&MessagePos::of(&a.1))
                .then_with(|| b.0.cmp(&a.0))
        });
        Ok(hits)
    }
}
