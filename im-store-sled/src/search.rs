//! Local search from posting bitmaps: every distinct character and every
//! distinct pair of adjacent characters of a message's normalized
//! searchable text is a term, and each term has a bitmap of the rows
//! (messages, numbered in insertion order) holding it, in blocks of 256
//! rows. Revoked and deleted messages, which never match, are not indexed.
//!
//! A keyword's candidates are the rows of its one character, or those
//! holding every one of its character pairs (a message holding the keyword
//! holds each of its pairs, so none is missed). Keywords combine by union
//! (any) or intersection (all). Each candidate is then checked with the
//! reference rule (`SearchQuery::matches`), so results equal the reference
//! exactly, newest first. A search within one conversation reads that
//! conversation's history instead; only a search with no keyword and no
//! conversation (by sender or kind alone) reads every message.

use std::collections::BTreeSet;

use im_model::{ConvId, Message, MsgStatus};
use im_store::search::{NormalizedText, result_order, searchable_fields};
use im_store::{SearchQuery, StoreResult};

use crate::{SledStore, keys, read};

/// At most this many character pairs of one keyword are intersected: more
/// narrow the candidates little, and each costs a scan.
const MAX_PAIRS: usize = 6;

/// The terms of a message: its normalized fields' characters and
/// adjacent character pairs.
pub(crate) fn terms(message: &Message) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for field in searchable_fields(message) {
        let normalized = NormalizedText::new(field.text);
        let chars: Vec<char> = normalized.as_str().chars().collect();
        for c in &chars {
            terms.insert(c.to_string());
        }
        for pair in chars.windows(2) {
            terms.insert(pair.iter().collect());
        }
    }
    terms
}

/// The terms a message is indexed under: none when it can never match.
pub(crate) fn indexed_terms(message: &Message) -> BTreeSet<String> {
    if matches!(
        message.status,
        Some(MsgStatus::Revoked | MsgStatus::Deleted)
    ) {
        BTreeSet::new()
    } else {
        terms(message)
    }
}

/// The terms whose postings narrow a (normalized) keyword.
fn keyword_terms(keyword: &str) -> Vec<String> {
    let chars: Vec<char> = keyword.chars().collect();
    if chars.len() < 2 {
        return vec![keyword.to_owned()];
    }
    let pairs: Vec<String> = chars
        .windows(2)
        .map(|p| p.iter().collect())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    if pairs.len() <= MAX_PAIRS {
        return pairs;
    }
    let step = pairs.len().div_ceil(MAX_PAIRS);
    pairs.into_iter().step_by(step).collect()
}

/// The rows holding `term`.
fn rows_of(store: &SledStore, term: &str) -> StoreResult<BTreeSet<u64>> {
    let mut rows = BTreeSet::new();
    for entry in read::scan(store, &keys::posting_prefix(term)) {
        let (key, bitmap) = entry?;
        rows.extend(keys::block_rows(&key, &bitmap)?);
    }
    Ok(rows)
}

/// The rows that may match the keywords.
fn candidates(store: &SledStore, query: &SearchQuery) -> StoreResult<BTreeSet<u64>> {
    let mut combined: Option<BTreeSet<u64>> = None;
    for keyword in &query.keywords {
        let mut found: Option<BTreeSet<u64>> = None;
        for term in keyword_terms(keyword) {
            let more = rows_of(store, &term)?;
            found = Some(match found {
                None => more,
                Some(so_far) => so_far.intersection(&more).copied().collect(),
            });
            if found.as_ref().is_some_and(BTreeSet::is_empty) {
                break;
            }
        }
        let found = found.unwrap_or_default();
        combined = Some(match combined {
            None => found,
            Some(so_far) if query.match_all => so_far.intersection(&found).copied().collect(),
            Some(mut so_far) => {
                so_far.extend(found);
                so_far
            }
        });
    }
    Ok(combined.unwrap_or_default())
}

/// Every matching message, newest first.
pub(crate) fn hits(store: &SledStore, query: &SearchQuery) -> StoreResult<Vec<(ConvId, Message)>> {
    let mut hits = Vec::new();
    let mut keep = |(conv, message): (ConvId, Message)| {
        if query.matches(&conv, &message) {
            hits.push((conv, message));
        }
    };
    match (&query.conv, query.keywords.is_empty()) {
        (Some(conv), _) => {
            for entry in read::scan(store, &keys::history_prefix(conv)) {
                let pos = keys::decode_history_key(&entry?.0)?;
                keep(read::message_at(store, &pos)?);
            }
        }
        (None, false) => {
            for row in candidates(store, query)? {
                keep(read::message_of_row(store, row)?);
            }
        }
        (None, true) => {
            for entry in read::scan(store, &[keys::ROW]) {
                let (_, id) = entry?;
                let id = String::from_utf8_lossy(&id).into_owned();
                if let Some(found) = read::message_entry(store, &id)? {
                    keep(found);
                }
            }
        }
    }
    hits.sort_by(|a, b| result_order((&a.0, &a.1), (&b.0, &b.1)));
    Ok(hits)
}
