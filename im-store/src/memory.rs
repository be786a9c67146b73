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

use im_model::ConvId;

use crate::{
    ConvChange, ConvFilter, ConvQuery, Conversation, ConversationStore, ListKey, StoreError,
    StoreResult, WriteBatch, WriteOp,
};

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

    /// Checks the whole batch against the current state without changing
    /// it, returning the final record of every touched conversation and the
    /// final group list.
    #[allow(clippy::type_complexity)]
    fn plan(
        &self,
        batch: &WriteBatch,
    ) -> StoreResult<(Vec<(ConvId, Option<Conversation>)>, Vec<String>)> {
        let mut groups = self.groups.clone();
        let mut touched: Vec<(ConvId, Option<Conversation>)> = Vec::new();
        let mut position: BTreeMap<ConvId, usize> = BTreeMap::new();
        let mut set = |id: &ConvId, value: Option<Conversation>| match position.get(id) {
            Some(&i) => touched[i].1 = value,
            None => {
                position.insert(id.clone(), touched.len());
                touched.push((id.clone(), value));
            }
        };
        for op in batch.ops() {
            match op {
                WriteOp::PutConversation(conv) => set(&conv.id, Some(conv.as_ref().clone())),
                WriteOp::DeleteConversation(id) => set(id, None),
                WriteOp::CreateGroup(name) => {
                    if groups.contains(name) {
                        return Err(StoreError::Conflict(format!("group {name:?} exists")));
                    }
                    groups.push(name.clone());
                }
                WriteOp::DeleteGroup(name) => {
                    let Some(pos) = groups.iter().position(|g| g == name) else {
                        return Err(StoreError::NotFound(format!("group {name:?}")));
                    };
                    groups.remove(pos);
                }
                WriteOp::RenameGroup { old, new } => {
                    if groups.contains(new) {
                        return Err(StoreError::Conflict(format!("group {new:?} exists")));
                    }
                    let Some(slot) = groups.iter_mut().find(|g| *g == old) else {
                        return Err(StoreError::NotFound(format!("group {old:?}")));
                    };
                    slot.clone_from(new);
                }
            }
        }
        // Every group still named by a conversation must exist afterwards.
        let mut members: BTreeMap<&str, i64> = BTreeMap::new();
        for (id, after) in &touched {
            if let Some(before) = self.get(id) {
                for g in &before.groups {
                    *members.entry(g).or_default() -= 1;
                }
            }
            for g in after.iter().flat_map(|c| &c.groups) {
                *members.entry(g).or_default() += 1;
            }
        }
        for (name, n) in &self.group_members {
            *members.entry(name).or_default() += *n as i64;
        }
        if let Some((name, _)) = members
            .iter()
            .find(|(name, n)| **n > 0 && !groups.iter().any(|g| g == *name))
        {
            return Err(StoreError::NotFound(format!(
                "group {name:?} is named by a conversation but does not exist"
            )));
        }
        Ok((touched, groups))
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
        let mut state = self.write();
        let (touched, groups) = state.plan(batch)?;
        let mut changes = Vec::with_capacity(touched.len());
        for (id, after) in touched {
            let before = state.remove(&id);
            if let Some(conv) = after.clone() {
                state.insert(conv);
            }
            if before.is_some() || after.is_some() {
                changes.push(ConvChange { before, after });
            }
        }
        state.groups = groups;
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    fn make_store() -> super::MemoryStore {
        super::MemoryStore::new()
    }

    crate::store_conformance_tests!();
}
