//! Local search from posting lists: every distinct character and every
//! distinct pair of adjacent characters of a message's normalized
//! searchable text is a term with a posting per message.
//!
//! A keyword's candidates are the postings of its one character, or the
//! intersection of the postings of its character pairs (a message holding
//! the keyword holds each of its pairs, so none is missed). Keywords
//! combine by union (any) or intersection (all). Each candidate is then
//! checked with the reference rule (`SearchQuery::matches`), so results
//! equal the reference exactly, newest first. Only a search with no
//! keyword (by sender or kind alone) reads messages without postings: the
//! conversation's history, or every message when no conversation is given.

use std::collections::BTreeSet;

use im_model::{ConvId, Message};
use im_store::search::{NormalizedText, result_order, searchable_fields};
use im_store::{MessagePos, SearchQuery, StoreResult};

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
    // Spread over the keyword: the first, the last and some between.
    let step = pairs.len().div_ceil(MAX_PAIRS);
    pairs.into_iter().step_by(step).collect()
}

/// The positions holding `term`, restricted to `conv` when given.
fn postings(
    store: &SledStore,
    term: &str,
    conv: Option<&[u8]>,
) -> StoreResult<BTreeSet<MessagePos>> {
    let prefix = keys::posting_prefix(term);
    let mut found = BTreeSet::new();
    for entry in read::scan(store, &prefix) {
        let (key, value) = entry?;
        if conv.is_none_or(|c| c == &value[..]) {
            found.insert(keys::decode_posting_key(&key, prefix.len())?);
        }
    }
    Ok(found)
}

fn intersect(a: BTreeSet<MessagePos>, b: &BTreeSet<MessagePos>) -> BTreeSet<MessagePos> {
    a.into_iter().filter(|p| b.contains(p)).collect()
}

/// The positions that may match the keywords.
fn candidates(store: &SledStore, query: &SearchQuery) -> StoreResult<BTreeSet<MessagePos>> {
    let conv = query.conv.as_ref().map(keys::conv_key);
    let mut combined: Option<BTreeSet<MessagePos>> = None;
    for keyword in &query.keywords {
        let mut found: Option<BTreeSet<MessagePos>> = None;
        for term in keyword_terms(keyword) {
            let more = postings(store, &term, conv.as_deref())?;
            found = Some(match found {
                None => more,
                Some(so_far) => intersect(so_far, &more),
            });
            if found.as_ref().is_some_and(BTreeSet::is_empty) {
                break;
            }
        }
        let found = found.unwrap_or_default();
        combined = Some(match combined {
            None => found,
            Some(so_far) if query.match_all => intersect(so_far, &found),
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
    if query.keywords.is_empty() {
        let entries: Box<dyn Iterator<Item = _>> = match &query.conv {
            Some(conv) => Box::new(read::scan(store, &keys::history_prefix(conv)).map(|e| {
                let pos = keys::decode_history_key(&e?.0)?;
                read::message_at(store, &pos)
            })),
            None => Box::new(read::scan(store, &[keys::MESSAGE]).map(|e| {
                let (key, _) = e?;
                let id = String::from_utf8_lossy(&key[1..]).into_owned();
                read::message_at(
                    store,
                    &MessagePos {
                        time: 0,
                        seq: 0,
                        msg_id: id,
                    },
                )
            })),
        };
        for entry in entries {
            let (conv, message) = entry?;
            if query.matches(&conv, &message) {
                hits.push((conv, message));
            }
        }
        hits.sort_by(|a, b| result_order((&a.0, &a.1), (&b.0, &b.1)));
        return Ok(hits);
    }
    // Positions are unique (a message id is), so position order newest
    // first is the reference order.
    for pos in candidates(store, query)?.iter().rev() {
        let (conv, message) = read::message_at(store, pos)?;
        if query.matches(&conv, &message) {
            hits.push((conv, message));
        }
    }
    Ok(hits)
}
