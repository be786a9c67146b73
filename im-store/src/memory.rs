//! `MemoryStore`: the reference backend.
//!
//! Ordered maps only, so iteration (and therefore every result) is
//! deterministic. It is the model other backends are compared with, so it
//! favours obviously-correct code over speed, except where the benchmarks
//! of the logic crates need it: records are kept in list order (a
//! `BTreeMap` keyed by [`ListKey`], with an id index beside it) and the
//! unfiltered unread total is maintained, not summed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use im_model::message::MsgLocator;
use im_model::{ConvId, ConvType, Message};

use crate::{
    ConvChange, ConvFilter, ConvQuery, Conversation, ConversationHits, ConversationStore,
    Direction, HistoryQuery, ListKey, MessagePos, MessageStore, SearchQuery, StoreResult,
    UnreadQuery, WriteBatch, WriteOp, counts_as_unread, locator_matches,
};

/// A stored message with the conversation holding it.
type MessageEntry = (ConvId, Message);

/// In-memory store; the reference implementation of every store trait.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: RwLock<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Records in list order.
    by_position: BTreeMap<ListKey, Conversation>,
    /// Where each conversation is in `by_position`.
    positions: BTreeMap<ConvId, ListKey>,
    groups: Vec<String>,
    /// How many conversations name each group.
    group_members: BTreeMap<String, usize>,
    /// Sum of unread over conversations that count toward totals.
    counted_unread: u64,
    /// Messages by id.
    messages: BTreeMap<String, MessageEntry>,
    /// Each conversation's message positions, in history order.
    history: BTreeMap<ConvId, BTreeSet<MessagePos>>,
    /// Named settings.
    settings: BTreeMap<String, String>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    // A panic while holding the lock cannot leave `State` half-written:
    // `apply` validates everything before its first mutation, and the
    // mutations themselves do not panic. So a poisoned lock is still sound.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn get(&self, id: &ConvId) -> Option<&Conversation> {
        self.positions
            .get(id)
            .and_then(|key| self.by_position.get(key))
    }

    fn insert(&mut self, conv: Conversation) {
        let key = conv.list_key();
        self.positions.insert(conv.id.clone(), key.clone());
        for g in &conv.groups {
            *self.group_members.entry(g.clone()).or_default() += 1;
        }
        if conv.counts_toward_total_unread() {
            self.counted_unread += conv.unread_count;
        }
        self.by_position.insert(key, conv);
    }

    fn remove(&mut self, id: &ConvId) -> Option<Conversation> {
        let key = self.positions.remove(id)?;
        let conv = self.by_position.remove(&key)?;
        for g in &conv.groups {
            if let Some(n) = self.group_members.get_mut(g) {
                *n -= 1;
                if *n == 0 {
                    self.group_members.remove(g);
                }
            }
        }
        if conv.counts_toward_total_unread() {
            self.counted_unread -= conv.unread_count;
        }
        Some(conv)
    }

    fn message_ids_of(&self, conv: &ConvId) -> Vec<String> {
        self.conversation_history(conv)
            .map(|pos| pos.msg_id.clone())
            .collect()
    }

    /// Positions of `conv`'s messages, oldest first.
    fn conversation_history<'a>(
        &'a self,
        conv: &'a ConvId,
    ) -> impl DoubleEndedIterator<Item = &'a MessagePos> + 'a {
        self.history.get(conv).into_iter().flatten()
    }

    fn message_at(&self, pos: &MessagePos) -> Option<&Message> {
        self.messages.get(&pos.msg_id).map(|(_, m)| m)
    }

    fn put_message(&mut self, id: String, entry: Option<MessageEntry>) {
        if let Some((conv, old)) = self.messages.remove(&id)
            && let (Some(pos), Some(set)) = (MessagePos::of(&old), self.history.get_mut(&conv))
        {
            set.remove(&pos);
            if set.is_empty() {
                self.history.remove(&conv);
            }
        }
        if let Some((conv, message)) = entry {
            if let Some(pos) = MessagePos::of(&message) {
                self.history.entry(conv.clone()).or_default().insert(pos);
            }
            self.messages.insert(id, (conv, message));
        }
    }

    /// Every matching message with its position, newest first.
    fn search_hits(&self, query: &SearchQuery) -> Vec<(&ConvId, &MessagePos, &Message)> {
        let mut hits: Vec<_> = self
            .history
            .iter()
            .filter(|(conv, _)| query.conv.as_ref().is_none_or(|c| c == *conv))
            .flat_map(|(conv, positions)| positions.iter().map(move |pos| (conv, pos)))
            .filter_map(|(conv, pos)| Some((conv, pos, self.message_at(pos)?)))
            .filter(|(conv, _, message)| query.matches(conv, message))
            .collect();
        hits.sort_by(|a, b| crate::search::result_order((a.0, a.2), (b.0, b.2)));
        hits
    }
}

impl crate::plan::PlanSource for State {
    fn groups(&self) -> StoreResult<Vec<String>> {
        Ok(self.groups.clone())
    }

    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>> {
        Ok(self.get(id).cloned())
    }

    fn message_conversation(&self, msg_id: &str) -> StoreResult<Option<ConvId>> {
        Ok(self.messages.get(msg_id).map(|(conv, _)| conv.clone()))
    }

    fn message_ids_of(&self, conv: &ConvId) -> StoreResult<Vec<String>> {
        Ok(State::message_ids_of(self, conv))
    }

    fn group_members(&self, name: &str) -> StoreResult<u64> {
        Ok(self.group_members.get(name).map_or(0, |n| *n as u64))
    }
}

impl ConversationStore for MemoryStore {
    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>> {
        Ok(self.read().get(id).cloned())
    }

    fn conversations(&self, ids: &[ConvId]) -> StoreResult<Vec<Conversation>> {
        let state = self.read();
        let mut seen = BTreeSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(*id))
            .filter_map(|id| state.get(id).cloned())
            .collect())
    }

    fn list_conversations(&self, query: &ConvQuery<'_>) -> StoreResult<Vec<Conversation>> {
        use std::ops::Bound;
        let state = self.read();
        let start = match query.after {
            Some(key) => Bound::Excluded(key),
            None => Bound::Unbounded,
        };
        Ok(state
            .by_position
            .range((start, Bound::Unbounded))
            .map(|(_, conv)| conv)
            .filter(|c| query.versions.contains(c.version) && query.filter.lists(c))
            .take(query.limit)
            .cloned()
            .collect())
    }

    fn unread_total(&self, filter: &ConvFilter) -> StoreResult<u64> {
        let state = self.read();
        if *filter == ConvFilter::all() {
            return Ok(state.counted_unread);
        }
        Ok(state
            .by_position
            .values()
            .filter(|c| c.counts_toward_total_unread() && filter.matches(c))
            .map(|c| c.unread_count)
            .sum())
    }

    fn conversation_groups(&self) -> StoreResult<Vec<String>> {
        Ok(self.read().groups.clone())
    }

    fn max_version(&self) -> StoreResult<u64> {
        Ok(self
            .read()
            .by_position
            .values()
            .map(|c| c.version)
            .max()
            .unwrap_or(0))
    }

    fn apply(&self, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
        batch.check_times()?;
        let mut state = self.write();
        let plan = crate::plan::plan_batch(batch, &*state)?;
        let mut changes = Vec::with_capacity(plan.conversations.len());
        for crate::plan::PlannedConversation { id, after, .. } in plan.conversations {
            let before = state.remove(&id);
            if let Some(conv) = after.clone() {
                state.insert(conv);
            }
            if before.is_some() || after.is_some() {
                changes.push(ConvChange { before, after });
            }
        }
        state.groups = plan.groups;
        for (id, entry) in plan.messages {
            state.put_message(id, entry);
        }
        for op in batch.ops() {
            if let WriteOp::PutSetting { key, value } = op {
                state.settings.insert(key.clone(), value.clone());
            }
        }
        Ok(changes)
    }
}

impl crate::SettingStore for MemoryStore {
    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self.read().settings.get(key).cloned())
    }
}

impl MessageStore for MemoryStore {
    fn message(&self, msg_id: &str) -> StoreResult<Option<Message>> {
        Ok(self.read().messages.get(msg_id).map(|(_, m)| m.clone()))
    }

    fn messages(&self, msg_ids: &[String]) -> StoreResult<Vec<Message>> {
        let state = self.read();
        let mut seen = BTreeSet::new();
        Ok(msg_ids
            .iter()
            .filter(|id| seen.insert(*id))
            .filter_map(|id| state.messages.get(id).map(|(_, m)| m.clone()))
            .collect())
    }

    fn history(&self, query: &HistoryQuery) -> StoreResult<Vec<Message>> {
        let state = self.read();
        let select =
            |pos: &&MessagePos| state.message_at(pos).is_some_and(|m| query.selects(pos, m));
        let positions: Vec<&MessagePos> = match query.direction {
            Direction::Older => state
                .conversation_history(&query.conv)
                .rev()
                .filter(select)
                .take(query.limit)
                .collect(),
            Direction::Newer => state
                .conversation_history(&query.conv)
                .filter(select)
                .take(query.limit)
                .collect(),
        };
        Ok(positions
            .into_iter()
            .filter_map(|pos| state.message_at(pos).cloned())
            .collect())
    }

    fn messages_by_seqs(&self, conv: &ConvId, seqs: &[u64]) -> StoreResult<Vec<Message>> {
        let state = self.read();
        let wanted: BTreeSet<u64> = seqs.iter().copied().collect();
        let mut found: Vec<Message> = state
            .conversation_history(conv)
            .filter(|pos| wanted.contains(&pos.seq))
            .filter_map(|pos| state.message_at(pos).cloned())
            .collect();
        found.sort_by_key(|m| m.seq.unwrap_or(0));
        Ok(found)
    }

    fn sending_messages(&self, limit: usize) -> StoreResult<Vec<(ConvId, Message)>> {
        let state = self.read();
        let mut sending: Vec<(&ConvId, &Message)> = state
            .messages
            .values()
            .filter(|(_, m)| m.status == Some(im_model::MsgStatus::Sending))
            .map(|(conv, m)| (conv, m))
            .collect();
        sending.sort_by_key(|(conv, m)| (MessagePos::of(m), (*conv).clone()));
        Ok(sending
            .into_iter()
            .take(limit)
            .map(|(conv, m)| (conv.clone(), m.clone()))
            .collect())
    }

    fn nearest_by_seq(
        &self,
        conv: &ConvId,
        seq: u64,
        direction: Direction,
    ) -> StoreResult<Option<Message>> {
        let state = self.read();
        let key = |pos: &&MessagePos| (pos.seq, pos.time, pos.msg_id.clone());
        let candidates = state.conversation_history(conv).filter(|pos| pos.seq > 0);
        let nearest = match direction {
            Direction::Older => candidates.filter(|pos| pos.seq <= seq).max_by_key(key),
            Direction::Newer => candidates.filter(|pos| pos.seq >= seq).min_by_key(key),
        };
        Ok(nearest.and_then(|pos| state.message_at(pos).cloned()))
    }

    fn find_by_locator(&self, conv: &ConvId, locator: &MsgLocator) -> StoreResult<Option<Message>> {
        let state = self.read();
        Ok(state
            .conversation_history(conv)
            .rev()
            .filter_map(|pos| state.message_at(pos))
            .find(|m| locator_matches(locator, m))
            .cloned())
    }

    fn count_unread(&self, query: &UnreadQuery) -> StoreResult<u64> {
        let state = self.read();
        let by_seq = query.conv.conv_type() == ConvType::Group;
        Ok(state
            .conversation_history(&query.conv)
            .filter(|pos| {
                if by_seq {
                    pos.seq > query.after_seq
                } else {
                    pos.time > query.after_time
                }
            })
            .filter_map(|pos| state.message_at(pos))
            .filter(|m| counts_as_unread(m))
            .count() as u64)
    }

    fn search_messages(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(ConvId, Message)>)> {
        let state = self.read();
        let hits = state.search_hits(query);
        let total = hits.len() as u64;
        Ok((
            total,
            hits.into_iter()
                .skip(offset)
                .take(limit)
                .map(|(conv, _, m)| (conv.clone(), m.clone()))
                .collect(),
        ))
    }

    fn search_conversations(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<ConversationHits>)> {
        let state = self.read();
        let hits = state
            .search_hits(query)
            .into_iter()
            .map(|(conv, _, m)| (conv.clone(), m.clone()));
        Ok(ConversationHits::group(hits, offset, limit))
    }
}

#[cfg(test)]
mod tests {
    fn make_store() -> super::MemoryStore {
        super::MemoryStore::new()
    }

    crate::store_conformance_tests!();
}
