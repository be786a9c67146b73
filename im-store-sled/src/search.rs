//! Local search from posting bitmaps: every distinct character and every
//! distinct pair of adjacent characters of a message's normalized
//! searchable text is a term, and each term has a bitmap of the rows
//! (messages, numbered in insertion order) holding it, in blocks of 256
//! rows. Revoked and deleted messages, which never match, are not indexed.
//!
//! A keyword of one or two characters is a term: its postings are exactly
//! its matches. A longer keyword's candidates are the rows holding every
//! one of its pairs (a message holding the keyword holds each of them, so
//! none is missed). Candidates are sets of
//! posting bitmaps ([`RowSet`]): keywords combine by union (any) or
//! intersection (all) a block at a time, never row by row. Each candidate
//! is then checked against its row's search document, read a column
//! block (64 rows) at a time, so a common keyword costs a read per block,
//! not per candidate:
//! - in the default scope (every conversation, sender and time, the
//!   default kinds), against the document's normalized fields
//!   (`SearchQuery::keywords_hold_in`): no message is decoded but those
//!   of the page;
//! - otherwise with the reference rule on the message
//!   (`SearchQuery::matches`).
//!
//! Results equal the reference exactly, newest first, with the exact
//! total. A search within one conversation reads that conversation's
//! history instead; only a search with no keyword and no conversation (by
//! sender or kind alone) reads every message.

use std::collections::{BTreeMap, BTreeSet};

use im_model::{ConvId, Message, MsgStatus};
use im_store::search::{NormalizedText, searchable_fields};
use im_store::{
    ConversationHits, MessagePos, SearchQuery, StoreError, StoreResult, group_by_conversation,
};

use crate::keys::{BLOCK_BYTES, BLOCK_ROWS, COLUMN_ROWS, RowParts};
use crate::{SledStore, keys, read};

/// A page of matches with the total.
type Page = (u64, Vec<(ConvId, Message)>);

/// At most this many grams (runs of [`TERM_CHARS`] characters) of one
/// keyword are intersected: more narrow the candidates little, and each
/// costs a scan.
const MAX_GRAMS: usize = 6;

/// The longest term: keywords up to this many characters are exact. Two:
/// posting triples too made three-character keywords exact, but cost 43%
/// of the import rate and 36% more disk at 1,000,000 messages, and the
/// column blocks check longer keywords' candidates cheaply enough.
const TERM_CHARS: usize = 2;

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

/// The terms of normalized fields: every run of one to [`TERM_CHARS`]
/// adjacent characters, sorted and without repeats (slices of the fields:
/// a message's terms cost no allocation each).
pub(crate) fn terms(fields: &[String]) -> Vec<&str> {
    let mut terms = Vec::new();
    for field in fields {
        let starts: Vec<usize> = field
            .char_indices()
            .map(|(at, _)| at)
            .chain([field.len()])
            .collect();
        for (i, at) in starts.iter().enumerate() {
            for end in starts.iter().skip(i + 1).take(TERM_CHARS) {
                terms.push(&field[*at..*end]);
            }
        }
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// The terms whose postings narrow a (normalized) keyword: the keyword
/// itself up to [`TERM_CHARS`] characters, else its grams (at most
/// [`MAX_GRAMS`], spread over it).
fn keyword_terms(keyword: &str) -> Vec<String> {
    let chars: Vec<char> = keyword.chars().collect();
    if chars.len() <= TERM_CHARS {
        return vec![keyword.to_owned()];
    }
    let grams: Vec<String> = chars
        .windows(TERM_CHARS)
        .map(|t| t.iter().collect())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    if grams.len() <= MAX_GRAMS {
        return grams;
    }
    let step = grams.len().div_ceil(MAX_GRAMS);
    grams.into_iter().step_by(step).collect()
}

/// A set of rows as posting bitmaps: block number → the bitmap of its
/// [`BLOCK_ROWS`] rows (no empty bitmap is kept).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RowSet {
    blocks: BTreeMap<u64, [u8; BLOCK_BYTES]>,
}

impl RowSet {
    /// The rows holding `term`, as its postings store them.
    fn of_term(store: &SledStore, term: &str) -> StoreResult<RowSet> {
        let mut blocks = BTreeMap::new();
        for entry in read::scan(store, &keys::posting_prefix(term)) {
            let (key, bitmap) = entry?;
            let (block, bitmap) = keys::decode_block(&key, &bitmap)?;
            if bitmap.iter().any(|b| *b != 0) {
                blocks.insert(block, bitmap);
            }
        }
        Ok(RowSet { blocks })
    }

    fn intersection(self, other: &RowSet) -> RowSet {
        let mut blocks = self.blocks;
        blocks.retain(|block, bitmap| match other.blocks.get(block) {
            Some(theirs) => {
                bitmap.iter_mut().zip(theirs).for_each(|(a, b)| *a &= b);
                bitmap.iter().any(|b| *b != 0)
            }
            None => false,
        });
        RowSet { blocks }
    }

    fn union(mut self, other: RowSet) -> RowSet {
        for (block, theirs) in other.blocks {
            let bitmap = self.blocks.entry(block).or_insert([0; BLOCK_BYTES]);
            bitmap.iter_mut().zip(theirs).for_each(|(a, b)| *a |= b);
        }
        self
    }

    fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    pub(crate) fn len(&self) -> u64 {
        self.blocks
            .values()
            .flat_map(|bitmap| bitmap.iter())
            .map(|byte| u64::from(byte.count_ones()))
            .sum()
    }

    pub(crate) fn contains(&self, row: u64) -> bool {
        self.blocks
            .get(&(row / BLOCK_ROWS))
            .is_some_and(|bitmap| keys::bit_is_set(bitmap, (row % BLOCK_ROWS) as usize))
    }

    /// The column blocks holding any of the rows, ascending.
    fn column_blocks(&self) -> impl Iterator<Item = u64> + '_ {
        let per_block = BLOCK_ROWS / COLUMN_ROWS;
        let bytes = (COLUMN_ROWS / 8) as usize;
        self.blocks.iter().flat_map(move |(block, bitmap)| {
            bitmap
                .chunks(bytes)
                .enumerate()
                .filter(|(_, part)| part.iter().any(|b| *b != 0))
                .map(move |(i, _)| block * per_block + i as u64)
        })
    }
}

/// The rows that may match the keywords.
fn candidates(store: &SledStore, query: &SearchQuery) -> StoreResult<RowSet> {
    let mut combined: Option<RowSet> = None;
    for keyword in &query.keywords {
        let mut found: Option<RowSet> = None;
        for term in keyword_terms(keyword) {
            let more = RowSet::of_term(store, &term)?;
            let narrowed = match found {
                None => more,
                Some(so_far) => so_far.intersection(&more),
            };
            let empty = narrowed.is_empty();
            found = Some(narrowed);
            if empty {
                break;
            }
        }
        let found = found.unwrap_or_default();
        combined = Some(match combined {
            None => found,
            Some(so_far) if query.match_all => so_far.intersection(&found),
            Some(so_far) => so_far.union(found),
        });
    }
    Ok(combined.unwrap_or_default())
}

/// Calls `each` with the search document of every row in `rows`, reading
/// each column block that holds any of them once.
///
/// # Errors
/// `Corrupt` when a row of the set has no document (its posting names a
/// message that is not stored); `each`'s.
fn documents_of(
    store: &SledStore,
    rows: &RowSet,
    mut each: impl FnMut(RowParts<'_>) -> StoreResult<()>,
) -> StoreResult<()> {
    for block in rows.column_blocks() {
        let value = store.get(&keys::column_key(block))?;
        let docs = match &value {
            Some(value) => keys::decode_column(value)?,
            None => Vec::new(),
        };
        let mut found = 0;
        for (place, doc) in docs {
            if rows.contains(block * COLUMN_ROWS + u64::from(place)) {
                found += 1;
                each(keys::split_row_value(doc)?)?;
            }
        }
        let wanted = (0..COLUMN_ROWS)
            .filter(|place| rows.contains(block * COLUMN_ROWS + place))
            .count();
        if found != wanted {
            return Err(StoreError::Corrupt {
                details: format!(
                    "postings name {} rows of column block {block} that hold no message",
                    wanted - found
                ),
            });
        }
    }
    Ok(())
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
            documents_of(store, &candidates(store, query)?, |doc| {
                if query.keywords_hold_in(&doc.fields) {
                    hits.push(Hit {
                        conv: keys::decode_conv_key(doc.conv)?,
                        pos: MessagePos {
                            time: doc.time,
                            seq: doc.seq,
                            msg_id: doc.msg_id.to_owned(),
                        },
                        message: None,
                    });
                }
                Ok(())
            })?;
        }
        (None, false) => {
            documents_of(store, &candidates(store, query)?, |doc| {
                keep(read::message_entry_of(store, doc.msg_id)?);
                Ok(())
            })?;
        }
        (None, true) => {
            for entry in read::scan(store, &[keys::COLUMN]) {
                let (_, value) = entry?;
                for (_, doc) in keys::decode_column(&value)? {
                    let doc = keys::decode_row_value(doc)?;
                    keep(read::message_at(store, &doc.pos)?);
                }
            }
        }
    }
    hits.sort_by(|a, b| b.pos.cmp(&a.pos).then_with(|| b.conv.cmp(&a.conv)));
    Ok(hits)
}

/// Whether the postings hold exactly the matches: the default scope, and
/// keywords that are terms (up to [`TERM_CHARS`] characters).
fn postings_are_exact(query: &SearchQuery) -> bool {
    query.has_default_scope()
        && !query.keywords.is_empty()
        && query
            .keywords
            .iter()
            .all(|k| (1..=TERM_CHARS).contains(&k.chars().count()))
}

/// A default-scope search's page found by walking every message newest
/// first until enough of them are matches, so nothing is read for matches
/// outside the page, when that is cheaper than collecting every match
/// ([`worth_walking`]). The total is the number of candidates when the
/// postings are exact; otherwise the candidates are checked against their
/// documents, a column block at a time, and counted (nothing is decoded
/// or kept for them). `None` when collecting is cheaper.
fn walked_page(
    store: &SledStore,
    query: &SearchQuery,
    offset: usize,
    limit: usize,
) -> StoreResult<Option<Page>> {
    if !query.has_default_scope() || query.keywords.is_empty() {
        return Ok(None);
    }
    let candidates = candidates(store, query)?;
    let messages = read::counter(store, keys::ROWS)?;
    let exact = postings_are_exact(query);
    let wanted = offset.saturating_add(limit);
    if !worth_walking(exact, candidates.len(), messages, wanted as u64) {
        return Ok(None);
    }
    let total = if exact {
        candidates.len()
    } else {
        let mut matches = 0;
        documents_of(store, &candidates, |doc| {
            if query.keywords_hold_in(&doc.fields) {
                matches += 1;
            }
            Ok(())
        })?;
        matches
    };
    let mut found = Vec::new();
    if wanted > 0 && total > 0 {
        for entry in read::scan(store, &[keys::POSITION]).rev() {
            let (key, row) = entry?;
            let row = keys::read_u64(&row)?;
            if candidates.contains(row) && (exact || row_matches(store, query, row)?) {
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
    Ok(Some((total, page)))
}

/// Whether walking the position index for a page of `wanted` matches is
/// cheaper than collecting all `candidates` of `messages`.
/// - Exact postings: the walk reads about `wanted × messages / candidates`
///   small position entries; collecting reads a column block (64
///   documents) for each candidate, at most one per candidate, which
///   costs about [`BLOCK_READ_COST`] position entries. A keyword in a
///   few dozen of a million messages collects.
/// - Otherwise every candidate's document is read for the total anyway;
///   the walk spares holding and sorting the matches when they are dense
///   (at least one in [`DENSE`] messages).
fn worth_walking(exact: bool, candidates: u64, messages: u64, wanted: u64) -> bool {
    if exact {
        candidates == 0
            || wanted.saturating_mul(messages) / candidates
                <= candidates.saturating_mul(BLOCK_READ_COST)
    } else {
        candidates.saturating_mul(DENSE) >= messages
    }
}

/// About how many position entries a walk reads in the time a column
/// block is read and decoded.
const BLOCK_READ_COST: u64 = 8;

/// Whether the keywords hold in the document of `row`.
///
/// # Errors
/// `Corrupt` when the row has no document.
fn row_matches(store: &SledStore, query: &SearchQuery, row: u64) -> StoreResult<bool> {
    let doc = read::row_document(store, row)?.ok_or_else(|| StoreError::Corrupt {
        details: format!("a posting names row {row}, which holds no message"),
    })?;
    Ok(query.keywords_hold_in(&keys::split_row_value(&doc)?.fields))
}

/// A search whose candidates (not exact) are at least one in this many
/// messages walks the position index for its page.
const DENSE: u64 = 64;

/// Matching messages, newest first: the total and the page.
pub(crate) fn messages(
    store: &SledStore,
    query: &SearchQuery,
    offset: usize,
    limit: usize,
) -> StoreResult<Page> {
    if let Some(found) = walked_page(store, query, offset, limit)? {
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
    let (total, page) = if query.has_default_scope() && !query.keywords.is_empty() {
        per_conversation(store, query, offset, limit)?
    } else {
        let hits = matching(store, query)?;
        group_by_conversation(hits.into_iter().map(|h| (h.conv.clone(), h)), offset, limit)
    };
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

/// The number of conversations with matches, and a page of them: each
/// with its number of matches and its newest.
type HitsByConversation = (u64, Vec<(ConvId, u64, Hit)>);

/// A conversation's matches so far: how many, and the newest's position.
struct Tally {
    count: u64,
    time: u64,
    seq: u64,
    msg_id: String,
}

/// [`group_by_conversation`] for a default-scope search, without holding
/// its matches: each candidate's document is checked and counted toward
/// its conversation (keyed by the stored conv key, so a match allocates
/// only for a conversation seen for the first time), and only the
/// conversations are sorted, by their newest match.
fn per_conversation(
    store: &SledStore,
    query: &SearchQuery,
    offset: usize,
    limit: usize,
) -> StoreResult<HitsByConversation> {
    let mut tallies: std::collections::HashMap<Vec<u8>, Tally> = Default::default();
    documents_of(store, &candidates(store, query)?, |doc| {
        if !query.keywords_hold_in(&doc.fields) {
            return Ok(());
        }
        let Some(tally) = tallies.get_mut(doc.conv) else {
            let first = Tally {
                count: 1,
                time: doc.time,
                seq: doc.seq,
                msg_id: doc.msg_id.to_owned(),
            };
            tallies.insert(doc.conv.to_vec(), first);
            return Ok(());
        };
        tally.count += 1;
        if (doc.time, doc.seq, doc.msg_id) > (tally.time, tally.seq, tally.msg_id.as_str()) {
            (tally.time, tally.seq) = (doc.time, doc.seq);
            tally.msg_id.clear();
            tally.msg_id.push_str(doc.msg_id);
        }
        Ok(())
    })?;
    let mut order = tallies
        .into_iter()
        .map(|(conv, tally)| {
            let hit = Hit {
                conv: keys::decode_conv_key(&conv)?,
                pos: MessagePos {
                    time: tally.time,
                    seq: tally.seq,
                    msg_id: tally.msg_id,
                },
                message: None,
            };
            Ok((tally.count, hit))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    // The reference order: newest match first, then the larger conversation.
    order.sort_by(|(_, a), (_, b)| b.pos.cmp(&a.pos).then_with(|| b.conv.cmp(&a.conv)));
    let total = order.len() as u64;
    let page = order
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(count, hit)| (hit.conv.clone(), count, hit))
        .collect();
    Ok((total, page))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn set_of(rows: &BTreeSet<u64>) -> RowSet {
        let mut set = RowSet::default();
        for row in rows {
            let bitmap = set
                .blocks
                .entry(row / BLOCK_ROWS)
                .or_insert([0; BLOCK_BYTES]);
            let bit = (row % BLOCK_ROWS) as usize;
            bitmap[bit / 8] |= 1 << (bit % 8);
        }
        set
    }

    fn rows() -> impl Strategy<Value = BTreeSet<u64>> {
        // Few blocks, so sets share some and not others.
        proptest::collection::btree_set(0u64..(4 * BLOCK_ROWS), 0..80)
    }

    #[test]
    fn test_the_walk_is_chosen_when_it_reads_less() {
        // A page of 20 of a million messages.
        let walk = |exact, candidates| worth_walking(exact, candidates, 1_000_000, 20);
        assert!(walk(true, 500_000));
        assert!(walk(true, 4_000)); // 5,000 entries against 4,000 blocks
        assert!(!walk(true, 100)); // 200,000 entries against 100 blocks
        assert!(walk(true, 0));
        assert!(walk(false, 20_000));
        assert!(!walk(false, 4_000));
    }

    #[test]
    fn test_terms_are_every_character_and_pair_once_sorted() {
        let fields = vec!["abab".to_owned(), "会议".to_owned(), String::new()];
        assert_eq!(terms(&fields), ["a", "ab", "b", "ba", "会", "会议", "议"]);
    }

    proptest! {
        /// The bitmap set operations are the set operations on rows.
        #[test]
        fn prop_row_sets_behave_as_sets_of_rows(a in rows(), b in rows(), probe in 0u64..(5 * BLOCK_ROWS)) {
            let (sa, sb) = (set_of(&a), set_of(&b));
            prop_assert_eq!(sa.len(), a.len() as u64);
            prop_assert_eq!(sa.contains(probe), a.contains(&probe));
            let both: BTreeSet<u64> = a.intersection(&b).copied().collect();
            prop_assert_eq!(sa.clone().intersection(&sb), set_of(&both));
            let either: BTreeSet<u64> = a.union(&b).copied().collect();
            prop_assert_eq!(sa.clone().union(sb), set_of(&either));
            let columns: BTreeSet<u64> = a.iter().map(|row| row / COLUMN_ROWS).collect();
            prop_assert_eq!(sa.column_blocks().collect::<BTreeSet<u64>>(), columns);
            prop_assert_eq!(sa.is_empty(), a.is_empty());
        }
    }
}
