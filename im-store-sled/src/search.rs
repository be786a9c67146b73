//! Local search from posting bitmaps: every distinct character and every
//! distinct pair of adjacent characters of a message's normalized
//! searchable text is a term, and each term has a bitmap of the rows
//! (messages, numbered in insertion order) holding it, in blocks of 256
//! rows. Revoked and deleted messages, which never match, are not indexed.
//!
//! A keyword's candidates are the rows of its one character, or those
//! holding every one of its character pairs (a message holding the keyword
//! holds each of its pairs, so none is missed). Keywords combine by union
//! (any) or intersection (all). Each candidate is then checked:
//! - in the default scope (every conversation, sender and time, the
//!   default kinds), against the row's document, which keeps the
//!   normalized fields (`SearchQuery::keywords_hold_in`): no message is
//!   decoded but those of the page;
//! - otherwise with the reference rule on the message
//!   (`SearchQuery::matches`).
//!
//! Results equal the reference exactly, newest first, with the exact
//! total. A search within one conversation reads that conversation's
//! history instead; only a search with no keyword and no conversation (by
//! sender or kind alone) reads every message.

use std::collections::BTreeSet;

use im_model::{ConvId, Message, MsgStatus};
use im_store::search::{NormalizedText, searchable_fields};
use im_store::{ConversationHits, MessagePos, SearchQuery, StoreResult, group_by_conversation};

use crate::{SledStore, keys, read};

/// A page of matches with the total.
type Page = (u64, Vec<(ConvId, Message)>);

/// At most this many character pairs of one keyword are intersected: more
/// narrow the candidates little, and each costs a scan.
const MAX_PAIRS: usize = 6;

/// A message's normalized searchable fields, in `searchable_fields` order.
pub(crate) fn fields(message: &Message) -> Vec<String> {
    searchable_fields(message)
        .iter()
        .map(|f| NormalizedText::new(f.text).as_str().to_owned())
        .collect()
}

/// Whether a message is indexed: revoked and deleted ones never match.
pub(crate) fn is_indexed(message: &Message) -> bool {
    !matches!(
        message.status,
        Some(MsgStatus::Revoked | MsgStatus::Deleted)
    )
}

/// The fields a message is indexed with: none when it is not indexed.
pub(crate) fn indexed_fields(message: &Message) -> Vec<String> {
    if is_indexed(message) {
        fields(message)
    } else {
        Vec::new()
    }
}

/// The terms of normalized fields: their characters and adjacent pairs.
pub(crate) fn terms(fields: &[String]) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for field in fields {
        let chars: Vec<char> = field.chars().collect();
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

/// A match: where it is, and the message when it was already decoded.
struct Hit {
    conv: ConvId,
    pos: MessagePos,
    message: Option<Message>,
}

impl Hit {
    fn decoded(conv: ConvId, message: Message) -> Option<Hit> {
        Some(Hit {
            pos: MessagePos::of(&message)?,
            conv,
            message: Some(message),
        })
    }

    fn load(self, store: &SledStore) -> StoreResult<(ConvId, Message)> {
        match self.message {
            Some(message) => Ok((self.conv, message)),
            None => read::message_at(store, &self.pos),
        }
    }
}

/// Every match, newest first (position, then the larger conversation: the
/// reference order).
fn matching(store: &SledStore, query: &SearchQuery) -> StoreResult<Vec<Hit>> {
    let mut hits = Vec::new();
    let mut keep = |(conv, message): (ConvId, Message)| {
        if query.matches(&conv, &message) {
            hits.extend(Hit::decoded(conv, message));
        }
    };
    match (&query.conv, query.keywords.is_empty()) {
        (Some(conv), _) => {
            for entry in read::scan(store, &keys::history_prefix(conv)) {
                let pos = keys::decode_history_key(&entry?.0)?;
                keep(read::message_at(store, &pos)?);
            }
        }
        (None, false) if query.has_default_scope() => {
            for row in candidates(store, query)? {
                let value = read::row_value(store, row)?;
                let doc = keys::decode_row_value(&value)?;
                if query.keywords_hold_in(&doc.fields) {
                    hits.push(Hit {
                        conv: doc.conv,
                        pos: doc.pos,
                        message: None,
                    });
                }
            }
        }
        (None, false) => {
            for row in candidates(store, query)? {
                keep(read::message_of_row(store, row)?);
            }
        }
        (None, true) => {
            for entry in read::scan(store, &[keys::ROW]) {
                let (_, value) = entry?;
                let doc = keys::decode_row_value(&value)?;
                keep(read::message_at(store, &doc.pos)?);
            }
        }
    }
    hits.sort_by(|a, b| b.pos.cmp(&a.pos).then_with(|| b.conv.cmp(&a.conv)));
    Ok(hits)
}

/// Whether the postings hold exactly the matches: the default scope, and
/// keywords of one character (its own postings) or two (its pair's).
fn postings_are_exact(query: &SearchQuery) -> bool {
    query.has_default_scope()
        && !query.keywords.is_empty()
        && query
            .keywords
            .iter()
            .all(|k| (1..=2).contains(&k.chars().count()))
}

/// An exact search's page, when its matches are dense: the total is the
/// number of candidates, and the page is found by walking every message
/// newest first until enough of them are candidates, so nothing is read
/// for matches outside the page. `None` when the matches are too sparse
/// for the walk to pay (reading each match's document is cheaper then).
fn dense_page(
    store: &SledStore,
    query: &SearchQuery,
    offset: usize,
    limit: usize,
) -> StoreResult<Option<Page>> {
    if !postings_are_exact(query) {
        return Ok(None);
    }
    let candidates = Candidates::of(store, query)?;
    let messages = read::counter(store, keys::ROWS)?;
    // The walk reads about (offset + limit) / density entries.
    if candidates.len().saturating_mul(DENSE) < messages {
        return Ok(None);
    }
    let wanted = offset.saturating_add(limit);
    let mut found = Vec::new();
    if wanted > 0 {
        for entry in read::scan(store, &[keys::POSITION]).rev() {
            let (key, row) = entry?;
            if candidates.contains(keys::read_u64(&row)?) {
                found.push(keys::decode_sending_key(&key)?);
                if found.len() >= wanted {
                    break;
                }
            }
        }
    }
    let page = found
        .iter()
        .skip(offset)
        .map(|pos| read::message_at(store, pos))
        .collect::<StoreResult<_>>()?;
    Ok(Some((candidates.len(), page)))
}

/// The candidates of an exact search: one keyword's bitmaps as stored
/// (counted and tested in place: no row set is built for a common term),
/// or the combined set of several keywords.
enum Candidates {
    /// One term's blocks: block number → bitmap.
    Blocks(std::collections::BTreeMap<u64, [u8; keys::BLOCK_BYTES]>),
    /// Several keywords combined.
    Rows(BTreeSet<u64>),
}

impl Candidates {
    fn of(store: &SledStore, query: &SearchQuery) -> StoreResult<Candidates> {
        let [keyword] = query.keywords.as_slice() else {
            return Ok(Candidates::Rows(candidates(store, query)?));
        };
        let terms = keyword_terms(keyword);
        let [term] = terms.as_slice() else {
            return Ok(Candidates::Rows(candidates(store, query)?));
        };
        let mut blocks = std::collections::BTreeMap::new();
        for entry in read::scan(store, &keys::posting_prefix(term)) {
            let (key, bitmap) = entry?;
            let (block, bitmap) = keys::decode_block(&key, &bitmap)?;
            blocks.insert(block, bitmap);
        }
        Ok(Candidates::Blocks(blocks))
    }

    fn len(&self) -> u64 {
        match self {
            Candidates::Blocks(blocks) => blocks
                .values()
                .flat_map(|bitmap| bitmap.iter())
                .map(|byte| u64::from(byte.count_ones()))
                .sum(),
            Candidates::Rows(rows) => rows.len() as u64,
        }
    }

    fn contains(&self, row: u64) -> bool {
        match self {
            Candidates::Blocks(blocks) => blocks
                .get(&(row / keys::BLOCK_ROWS))
                .is_some_and(|bitmap| keys::bit_is_set(bitmap, (row % keys::BLOCK_ROWS) as usize)),
            Candidates::Rows(rows) => rows.contains(&row),
        }
    }
}

/// A search whose matches are at least one in this many messages walks
/// the position index for its page.
const DENSE: u64 = 64;

/// Matching messages, newest first: the total and the page.
pub(crate) fn messages(
    store: &SledStore,
    query: &SearchQuery,
    offset: usize,
    limit: usize,
) -> StoreResult<Page> {
    if let Some(found) = dense_page(store, query, offset, limit)? {
        return Ok(found);
    }
    let hits = matching(store, query)?;
    let total = hits.len() as u64;
    let page = hits
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|hit| hit.load(store))
        .collect::<StoreResult<_>>()?;
    Ok((total, page))
}

/// Conversations with matches, by their newest match: the total and the
/// page, decoding only the page's newest matches.
pub(crate) fn conversations(
    store: &SledStore,
    query: &SearchQuery,
    offset: usize,
    limit: usize,
) -> StoreResult<(u64, Vec<ConversationHits>)> {
    let hits = matching(store, query)?;
    let (total, page) =
        group_by_conversation(hits.into_iter().map(|h| (h.conv.clone(), h)), offset, limit);
    let page = page
        .into_iter()
        .map(|(conv, count, hit)| {
            let (_, newest) = hit.load(store)?;
            Ok(ConversationHits {
                conv,
                count,
                newest,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok((total, page))
}
