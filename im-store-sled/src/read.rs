//! Reads: point lookups and ordered range scans over the key layout, and
//! the trait implementations built on them.

use std::collections::BTreeSet;
use std::ops::Bound;

use im_model::message::MsgLocator;
use im_model::{ConvId, ConvType, Message};
use im_store::{
    ConvChange, ConvFilter, ConvQuery, Conversation, ConversationHits, ConversationStore,
    Direction, GroupFilter, HistoryQuery, MarkFilter, MessagePos, MessageStore, SearchQuery,
    SettingStore, StoreError, StoreResult, UnreadQuery, WriteBatch, locator_matches,
};

use crate::write::COUNTS_AS_UNREAD;
use crate::{SledStore, backend, body, keys, search, write};

fn decode_error(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        details: format!("a stored {what} does not decode: {e}"),
    }
}

fn decode_conversation(bytes: &[u8]) -> StoreResult<Conversation> {
    serde_json::from_slice(bytes).map_err(|e| decode_error("conversation", e))
}

/// Every key in `[lower, upper)`, in order.
pub(crate) fn range(
    store: &SledStore,
    lower: Vec<u8>,
    upper: Option<Vec<u8>>,
) -> impl DoubleEndedIterator<Item = StoreResult<(sled::IVec, sled::IVec)>> + use<> {
    let upper = match upper {
        Some(u) => Bound::Excluded(u),
        None => Bound::Unbounded,
    };
    store
        .tree()
        .range::<Vec<u8>, _>((Bound::Included(lower), upper))
        .map(|r| r.map_err(backend))
}

/// Every key starting with `prefix`, in order.
pub(crate) fn scan(
    store: &SledStore,
    prefix: &[u8],
) -> impl DoubleEndedIterator<Item = StoreResult<(sled::IVec, sled::IVec)>> + use<> {
    // sled's iterators own what they need: nothing here is borrowed.
    store.tree().scan_prefix(prefix).map(|r| r.map_err(backend))
}

pub(crate) fn conversation(store: &SledStore, id: &ConvId) -> StoreResult<Option<Conversation>> {
    let Some(list) = store.get(&keys::key(keys::CONV, &keys::conv_key(id)))? else {
        return Ok(None);
    };
    let record = store.get(&list)?.ok_or_else(|| StoreError::Corrupt {
        details: format!("conversation {id} has no list entry"),
    })?;
    decode_conversation(&record).map(Some)
}

pub(crate) fn groups(store: &SledStore) -> StoreResult<Vec<String>> {
    scan(store, &[keys::GROUP_ORDER])
        .map(|entry| {
            let (_, name) = entry?;
            String::from_utf8(name.to_vec()).map_err(|_| StoreError::Corrupt {
                details: "a group name is not UTF-8".into(),
            })
        })
        .collect()
}

pub(crate) fn member_count(store: &SledStore, name: &str) -> StoreResult<u64> {
    match store.get(&keys::key(keys::GROUP_MEMBERS, name.as_bytes()))? {
        Some(bytes) => keys::read_u64(&bytes),
        None => Ok(0),
    }
}

pub(crate) fn counted_unread(store: &SledStore) -> StoreResult<u64> {
    counter(store, keys::UNREAD)
}

/// A stored message with its conversation and row.
pub(crate) fn message_record(
    store: &SledStore,
    msg_id: &str,
) -> StoreResult<Option<(ConvId, u64, Message)>> {
    let Some(value) = store.get(&keys::message_key(msg_id))? else {
        return Ok(None);
    };
    let (conv, row, stored) = keys::split_message_value(&value)?;
    let json = body::decode(stored)?;
    let message = serde_json::from_slice(&json).map_err(|e| decode_error("message", e))?;
    Ok(Some((conv, row, message)))
}

pub(crate) fn message_entry(
    store: &SledStore,
    msg_id: &str,
) -> StoreResult<Option<(ConvId, Message)>> {
    Ok(message_record(store, msg_id)?.map(|(conv, _, m)| (conv, m)))
}

/// The stored search document of `row` (encoded as [`keys::row_value`]),
/// if its column block holds one.
pub(crate) fn row_document(store: &SledStore, row: u64) -> StoreResult<Option<Vec<u8>>> {
    let (block, place) = keys::column_of(row);
    let Some(value) = store.get(&keys::column_key(block))? else {
        return Ok(None);
    };
    Ok(keys::decode_column(&value)?
        .into_iter()
        .find(|(p, _)| *p == place)
        .map(|(_, doc)| doc.to_vec()))
}

pub(crate) fn counter(store: &SledStore, name: &str) -> StoreResult<u64> {
    match store.get(&keys::meta(name))? {
        Some(bytes) => keys::read_u64(&bytes),
        None => Ok(0),
    }
}

/// The stored message `msg_id`, which an index names.
pub(crate) fn message_entry_of(store: &SledStore, msg_id: &str) -> StoreResult<(ConvId, Message)> {
    message_entry(store, msg_id)?.ok_or_else(|| StoreError::Corrupt {
        details: format!("an index names message {msg_id} that is not stored"),
    })
}

/// The message a history, sequence or posting entry points at.
pub(crate) fn message_at(store: &SledStore, pos: &MessagePos) -> StoreResult<(ConvId, Message)> {
    message_entry_of(store, &pos.msg_id)
}

pub(crate) fn message_ids_of(store: &SledStore, conv: &ConvId) -> StoreResult<Vec<String>> {
    scan(store, &keys::history_prefix(conv))
        .map(|entry| Ok(keys::decode_history_key(&entry?.0)?.msg_id))
        .collect()
}

/// The positions of a conversation without sequence keys (C2C), in the
/// order sequence keys would give: sequence, then history order. Reads the
/// whole history: only Tencent's group functions look messages up by
/// sequence, so this serves the rare C2C caller (the newest sequence of a
/// conversation being read, say), not a hot path.
fn by_seq_from_history(store: &SledStore, conv: &ConvId) -> StoreResult<Vec<MessagePos>> {
    let mut positions = scan(store, &keys::history_prefix(conv))
        .map(|entry| keys::decode_history_key(&entry?.0))
        .collect::<StoreResult<Vec<_>>>()?;
    positions.sort_by(|a, b| (a.seq, a).cmp(&(b.seq, b)));
    Ok(positions)
}

/// History keys of `query.conv` in the query's direction, bounded by its
/// anchor and time range.
fn history_positions(
    store: &SledStore,
    query: &HistoryQuery,
) -> Box<dyn Iterator<Item = StoreResult<MessagePos>>> {
    let prefix = keys::history_prefix(&query.conv);
    let mut lower = prefix.clone();
    let mut upper = keys::prefix_end(&prefix);
    let mut raise = |candidate: Vec<u8>| {
        if candidate > lower {
            lower = candidate;
        }
    };
    if let Some((from, _)) = query.time_range {
        raise(keys::history_time_bound(&query.conv, from));
    }
    if let (Some(anchor), Direction::Newer) = (&query.anchor, query.direction) {
        // Strictly after the anchor's key.
        let mut after = keys::history_key(&query.conv, anchor);
        after.push(0);
        raise(after);
    }
    let mut lower_upper = |candidate: Vec<u8>| {
        if upper.as_ref().is_none_or(|u| candidate < *u) {
            upper = Some(candidate);
        }
    };
    if let Some((_, to)) = query.time_range
        && let Some(next) = to.checked_add(1)
    {
        lower_upper(keys::history_time_bound(&query.conv, next));
    }
    if let (Some(anchor), Direction::Older) = (&query.anchor, query.direction) {
        lower_upper(keys::history_key(&query.conv, anchor));
    }
    if upper.as_ref().is_some_and(|u| *u <= lower) {
        return Box::new(std::iter::empty());
    }
    let entries = range(store, lower, upper);
    let decode = |entry: StoreResult<(sled::IVec, sled::IVec)>| keys::decode_history_key(&entry?.0);
    match query.direction {
        Direction::Older => Box::new(entries.rev().map(decode)),
        Direction::Newer => Box::new(entries.map(decode)),
    }
}

impl ConversationStore for SledStore {
    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>> {
        let _read = self.lock_reader();
        conversation(self, id)
    }

    fn conversations(&self, ids: &[ConvId]) -> StoreResult<Vec<Conversation>> {
        let _read = self.lock_reader();
        let mut seen = BTreeSet::new();
        let mut found = Vec::new();
        for id in ids.iter().filter(|id| seen.insert(*id)) {
            if let Some(conv) = conversation(self, id)? {
                found.push(conv);
            }
        }
        Ok(found)
    }

    fn list_conversations(&self, query: &ConvQuery<'_>) -> StoreResult<Vec<Conversation>> {
        let _read = self.lock_reader();
        // The narrowest listing the filter allows: a named group's, or the
        // lowest mark bit it requires; else the main list.
        let listing = match (&query.filter.group, query.filter.marks) {
            (Some(GroupFilter::Named(name)), _) => Some(keys::group_list_prefix(name)),
            (_, Some(MarkFilter::HasAll(set))) if !set.is_empty() => {
                Some(keys::mark_list_prefix(set.bits().trailing_zeros()))
            }
            _ => None,
        };
        let prefix = listing.clone().unwrap_or_else(|| vec![keys::LIST]);
        let lower = match query.after {
            // Strictly after the cursor's key.
            Some(after) => {
                let mut k = keys::listing_key(
                    if listing.is_some() { &prefix } else { &[] },
                    &keys::list_key(after),
                );
                k.push(0);
                k
            }
            None => prefix.clone(),
        };
        let mut found = Vec::new();
        for entry in range(self, lower, keys::prefix_end(&prefix)) {
            if found.len() >= query.limit {
                break;
            }
            let (key, value) = entry?;
            let conv = match &listing {
                Some(prefix) => {
                    let record =
                        self.get(&key[prefix.len()..])?
                            .ok_or_else(|| StoreError::Corrupt {
                                details: "a listing names a conversation that is not listed".into(),
                            })?;
                    decode_conversation(&record)?
                }
                None => decode_conversation(&value)?,
            };
            if query.versions.contains(conv.version) && query.filter.lists(&conv) {
                found.push(conv);
            }
        }
        Ok(found)
    }

    fn unread_total(&self, filter: &ConvFilter) -> StoreResult<u64> {
        let _read = self.lock_reader();
        if *filter == ConvFilter::all() {
            return counted_unread(self);
        }
        let mut total: u64 = 0;
        for entry in scan(self, &[keys::LIST]) {
            let conv = decode_conversation(&entry?.1)?;
            if conv.counts_toward_total_unread() && filter.matches(&conv) {
                total = total.saturating_add(conv.unread_count);
            }
        }
        Ok(total)
    }

    fn conversation_groups(&self) -> StoreResult<Vec<String>> {
        let _read = self.lock_reader();
        groups(self)
    }

    fn max_version(&self) -> StoreResult<u64> {
        let _read = self.lock_reader();
        match scan(self, &[keys::VERSION]).next_back() {
            Some(entry) => keys::version_of(&entry?.0),
            None => Ok(0),
        }
    }

    fn apply(&self, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
        write::apply(self, batch)
    }
}

impl SettingStore for SledStore {
    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let _read = self.lock_reader();
        self.get(&keys::key(keys::SETTING, key.as_bytes()))?
            .map(|v| {
                String::from_utf8(v.to_vec()).map_err(|_| StoreError::Corrupt {
                    details: format!("setting {key} is not UTF-8"),
                })
            })
            .transpose()
    }
}

impl MessageStore for SledStore {
    fn message(&self, msg_id: &str) -> StoreResult<Option<Message>> {
        let _read = self.lock_reader();
        Ok(message_entry(self, msg_id)?.map(|(_, m)| m))
    }

    fn messages(&self, msg_ids: &[String]) -> StoreResult<Vec<Message>> {
        let _read = self.lock_reader();
        let mut seen = BTreeSet::new();
        let mut found = Vec::new();
        for id in msg_ids.iter().filter(|id| seen.insert(*id)) {
            if let Some((_, m)) = message_entry(self, id)? {
                found.push(m);
            }
        }
        Ok(found)
    }

    fn history(&self, query: &HistoryQuery) -> StoreResult<Vec<Message>> {
        let _read = self.lock_reader();
        let mut found = Vec::new();
        for pos in history_positions(self, query) {
            if found.len() >= query.limit {
                break;
            }
            let pos = pos?;
            let (_, message) = message_at(self, &pos)?;
            if query.selects(&pos, &message) {
                found.push(message);
            }
        }
        Ok(found)
    }

    fn messages_by_seqs(&self, conv: &ConvId, seqs: &[u64]) -> StoreResult<Vec<Message>> {
        let _read = self.lock_reader();
        let wanted: BTreeSet<u64> = seqs.iter().copied().collect();
        if !keys::has_seq_keys(conv) {
            return by_seq_from_history(self, conv)?
                .into_iter()
                .filter(|pos| wanted.contains(&pos.seq))
                .map(|pos| Ok(message_at(self, &pos)?.1))
                .collect();
        }
        let mut found = Vec::new();
        for seq in wanted {
            for entry in scan(self, &keys::seq_bound(conv, seq)) {
                let pos = keys::decode_seq_key(&entry?.0)?;
                found.push(message_at(self, &pos)?.1);
            }
        }
        Ok(found)
    }

    fn sending_messages(&self, limit: usize) -> StoreResult<Vec<(ConvId, Message)>> {
        let _read = self.lock_reader();
        let mut found = Vec::new();
        for entry in scan(self, &[keys::SENDING]).take(limit) {
            let pos = keys::decode_sending_key(&entry?.0)?;
            found.push(message_at(self, &pos)?);
        }
        Ok(found)
    }

    fn nearest_by_seq(
        &self,
        conv: &ConvId,
        seq: u64,
        direction: Direction,
    ) -> StoreResult<Option<Message>> {
        let _read = self.lock_reader();
        if !keys::has_seq_keys(conv) {
            // Unsent messages (sequence 0) never anchor.
            let mut anchors = by_seq_from_history(self, conv)?
                .into_iter()
                .filter(|p| p.seq >= 1);
            let nearest = match direction {
                Direction::Older => anchors.rfind(|p| p.seq <= seq),
                Direction::Newer => anchors.find(|p| p.seq >= seq),
            };
            return nearest.map(|pos| Ok(message_at(self, &pos)?.1)).transpose();
        }
        let prefix = keys::seq_prefix(conv);
        // Unsent messages (sequence 0) never anchor.
        let first = keys::seq_bound(conv, 1);
        let entry = match direction {
            Direction::Older => {
                let upper = match seq.checked_add(1) {
                    Some(next) => Some(keys::seq_bound(conv, next)),
                    None => keys::prefix_end(&prefix),
                };
                range(self, first, upper).next_back()
            }
            Direction::Newer => range(
                self,
                keys::seq_bound(conv, seq.max(1)),
                keys::prefix_end(&prefix),
            )
            .next(),
        };
        match entry {
            Some(entry) => {
                let pos = keys::decode_seq_key(&entry?.0)?;
                Ok(Some(message_at(self, &pos)?.1))
            }
            None => Ok(None),
        }
    }

    fn find_by_locator(&self, conv: &ConvId, locator: &MsgLocator) -> StoreResult<Option<Message>> {
        let _read = self.lock_reader();
        let prefix = keys::history_prefix(conv);
        let by_unique = locator.unique_id.is_some_and(|u| u != 0);
        // A locator with a time names only messages of that second.
        let (lower, upper) = match locator.time.filter(|t| *t != 0 && !by_unique) {
            Some(time) => (
                keys::history_time_bound(conv, time),
                match time.checked_add(1) {
                    Some(next) => Some(keys::history_time_bound(conv, next)),
                    None => keys::prefix_end(&prefix),
                },
            ),
            None => (prefix.clone(), keys::prefix_end(&prefix)),
        };
        for entry in range(self, lower, upper).rev() {
            let pos = keys::decode_history_key(&entry?.0)?;
            let (_, message) = message_at(self, &pos)?;
            if locator_matches(locator, &message) {
                return Ok(Some(message));
            }
        }
        Ok(None)
    }

    fn count_unread(&self, query: &UnreadQuery) -> StoreResult<u64> {
        let _read = self.lock_reader();
        let counts = |entry: StoreResult<(sled::IVec, sled::IVec)>| -> StoreResult<bool> {
            let (_, flags) = entry?;
            Ok(flags.first().is_some_and(|f| f & COUNTS_AS_UNREAD != 0))
        };
        let (lower, prefix) = if query.conv.conv_type() == ConvType::Group {
            let prefix = keys::seq_prefix(&query.conv);
            match query.after_seq.checked_add(1) {
                Some(next) => (keys::seq_bound(&query.conv, next), prefix),
                None => return Ok(0),
            }
        } else {
            let prefix = keys::history_prefix(&query.conv);
            match query.after_time.checked_add(1) {
                Some(next) => (keys::history_time_bound(&query.conv, next), prefix),
                None => return Ok(0),
            }
        };
        let mut n = 0;
        for entry in range(self, lower, keys::prefix_end(&prefix)) {
            if counts(entry)? {
                n += 1;
            }
        }
        Ok(n)
    }

    fn search_messages(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(ConvId, Message)>)> {
        let _read = self.lock_reader();
        search::messages(self, query, offset, limit)
    }

    fn search_conversations(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<ConversationHits>)> {
        let _read = self.lock_reader();
        search::conversations(self, query, offset, limit)
    }
}
