//! `apply`: a write batch planned against the current records, then
//! written as one atomic sled batch.
//!
//! The plan follows the reference backend step for step (the same checks,
//! the same final state), reading what it needs under the writer lock;
//! the sled batch then removes every index entry derived from a record's
//! old value and inserts those of its new value, and sets the maintained
//! counters to their new totals. A batch that fails its checks writes
//! nothing.

use std::collections::{BTreeMap, BTreeSet};

use im_model::{ConvId, Message, MsgStatus};
use im_store::{
    ConvChange, Conversation, MessagePos, StoreError, StoreResult, WriteBatch, WriteOp,
    counts_as_unread,
};

use crate::{SledStore, keys, read, search};

/// The final value of every message a batch touches (`None`: deleted).
type MessagePlan = BTreeMap<String, Option<(ConvId, Message)>>;

/// Bit 0 of a history or sequence entry: the message counts as unread
/// when the read position does not cover it.
pub(crate) const COUNTS_AS_UNREAD: u8 = 1;

fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Invalid(format!("cannot encode a record: {e}"))
}

/// The listings a conversation appears in besides the main list: one per
/// conversation group naming it and one per mark bit it has.
pub(crate) fn listings(conv: &Conversation) -> Vec<Vec<u8>> {
    let groups = conv.groups.iter().map(|g| keys::group_list_prefix(g));
    let marks = conv
        .marks
        .single_marks()
        .into_iter()
        .map(|bit| keys::mark_list_prefix(bit.trailing_zeros()));
    groups.chain(marks).collect()
}

/// What a conversation adds to the maintained unread total.
fn counted(conv: &Conversation) -> u64 {
    if conv.counts_toward_total_unread() {
        conv.unread_count
    } else {
        0
    }
}

pub(crate) fn apply(store: &SledStore, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
    batch.check_times()?;
    let changes = {
        let _writer = store.lock_writer();
        plan_and_apply(store, batch)?
    };
    store.flush()?;
    Ok(changes)
}

/// Plans `batch` against the current records and applies it as one sled
/// batch; the caller holds the write lock.
fn plan_and_apply(store: &SledStore, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
    let stored_groups = read::groups(store)?;
    let mut groups = stored_groups.clone();
    let mut messages: MessagePlan = BTreeMap::new();
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
            WriteOp::PutMessage { conv, message } => {
                let Some(id) = message.msg_id.clone().filter(|id| !id.is_empty()) else {
                    return Err(StoreError::Invalid("message without message_msg_id".into()));
                };
                let current = match messages.get(&id) {
                    Some(planned) => planned.as_ref().map(|(c, _)| c.clone()),
                    None => read::message_entry(store, &id)?.map(|(c, _)| c),
                };
                if current.is_some_and(|c| c != *conv) {
                    return Err(StoreError::Conflict(format!(
                        "message {id} belongs to another conversation"
                    )));
                }
                messages.insert(id, Some((conv.clone(), message.as_ref().clone())));
            }
            WriteOp::DeleteMessage(id) => {
                messages.insert(id.clone(), None);
            }
            WriteOp::PutSetting { .. } => {}
            WriteOp::ClearMessages(conv) => {
                // Stored messages of `conv` the batch has not touched yet
                // (one it moved elsewhere is not cleared) ...
                for id in read::message_ids_of(store, conv)? {
                    messages.entry(id).or_insert(None);
                }
                // ... and every message the batch has put in `conv`.
                for planned in messages.values_mut() {
                    if planned.as_ref().is_some_and(|(c, _)| c == conv) {
                        *planned = None;
                    }
                }
            }
        }
    }

    let befores = touched
        .iter()
        .map(|(id, _)| read::conversation(store, id))
        .collect::<StoreResult<Vec<_>>>()?;
    // Every group still named by a conversation must exist afterwards.
    let mut member_delta: BTreeMap<String, i64> = BTreeMap::new();
    for ((_, after), before) in touched.iter().zip(&befores) {
        for g in before.iter().flat_map(|c| &c.groups) {
            *member_delta.entry(g.clone()).or_default() -= 1;
        }
        for g in after.iter().flat_map(|c| &c.groups) {
            *member_delta.entry(g.clone()).or_default() += 1;
        }
    }
    let mut member_counts: BTreeMap<String, u64> = BTreeMap::new();
    for (name, delta) in &member_delta {
        let stored = read::member_count(store, name)?;
        let count = stored
            .checked_add_signed(*delta)
            .ok_or_else(|| StoreError::Corrupt {
                details: format!("group {name:?} member count {stored} cannot change by {delta}"),
            })?;
        member_counts.insert(name.clone(), count);
    }
    // Groups no conversation of the batch touches keep their members.
    for name in stored_groups.iter().filter(|g| !groups.contains(g)) {
        let count = match member_counts.get(name) {
            Some(n) => *n,
            None => read::member_count(store, name)?,
        };
        if count > 0 {
            return Err(StoreError::NotFound(format!(
                "group {name:?} is named by a conversation but does not exist"
            )));
        }
    }
    if let Some((name, _)) = member_counts
        .iter()
        .find(|(name, n)| **n > 0 && !groups.contains(name))
    {
        return Err(StoreError::NotFound(format!(
            "group {name:?} is named by a conversation but does not exist"
        )));
    }

    let mut out = sled::Batch::default();
    let mut unread = read::counted_unread(store)?;
    let mut changes = Vec::with_capacity(touched.len());
    for ((id, after), before) in touched.into_iter().zip(befores) {
        let ckey = keys::key(keys::CONV, &keys::conv_key(&id));
        if let Some(b) = &before {
            let list = keys::list_key(&b.list_key());
            for prefix in listings(b) {
                out.remove(keys::listing_key(&prefix, &list));
            }
            out.remove(list);
            out.remove(keys::version_key(b.version, &id));
            out.remove(ckey.clone());
            unread = unread
                .checked_sub(counted(b))
                .ok_or_else(|| StoreError::Corrupt {
                    details: "the maintained unread total is below a conversation's count".into(),
                })?;
        }
        if let Some(a) = &after {
            let list = keys::list_key(&a.list_key());
            for prefix in listings(a) {
                out.insert(keys::listing_key(&prefix, &list), &[] as &[u8]);
            }
            out.insert(ckey, list.clone());
            out.insert(list, serde_json::to_vec(a).map_err(json_error)?);
            out.insert(keys::version_key(a.version, &id), &[] as &[u8]);
            unread = unread.saturating_add(counted(a));
        }
        if before.is_some() || after.is_some() {
            changes.push(ConvChange { before, after });
        }
    }
    out.insert(keys::meta(keys::UNREAD), &keys::u64_value(unread));
    if groups != stored_groups {
        for (ordinal, name) in stored_groups.iter().enumerate() {
            out.remove(keys::group_order_key(ordinal as u64));
            out.remove(keys::key(keys::GROUP_NAME, name.as_bytes()));
        }
        for (ordinal, name) in groups.iter().enumerate() {
            out.insert(keys::group_order_key(ordinal as u64), name.as_bytes());
            out.insert(
                keys::key(keys::GROUP_NAME, name.as_bytes()),
                &keys::u64_value(ordinal as u64),
            );
        }
    }
    for (name, count) in member_counts {
        let k = keys::key(keys::GROUP_MEMBERS, name.as_bytes());
        if count == 0 {
            out.remove(k);
        } else {
            out.insert(k, &keys::u64_value(count));
        }
    }
    let mut rows = read::counter(store, keys::ROWS)?;
    let mut bits = Bits::default();
    for (id, planned) in messages {
        let old = read::message_record(store, &id)?;
        let row = match &old {
            Some((_, row, _)) => *row,
            None if planned.is_some() => {
                let row = rows;
                rows = rows.checked_add(1).ok_or_else(|| StoreError::Corrupt {
                    details: "the row counter is exhausted".into(),
                })?;
                row
            }
            None => continue,
        };
        let old_terms = match &old {
            Some((conv, _, message)) => {
                unindex_message(&mut out, conv, message);
                search::terms(&search::indexed_fields(message))
            }
            None => BTreeSet::new(),
        };
        let new_terms = match &planned {
            Some((conv, message)) => {
                index_message(&mut out, conv, row, message)?;
                let fields = search::indexed_fields(message);
                let pos = MessagePos::of(message)
                    .ok_or_else(|| StoreError::Invalid("message without message_msg_id".into()))?;
                out.insert(keys::row_key(row), keys::row_value(conv, &pos, &fields));
                search::terms(&fields)
            }
            None => {
                out.remove(keys::message_key(&id));
                out.remove(keys::row_key(row));
                BTreeSet::new()
            }
        };
        for term in old_terms.difference(&new_terms) {
            bits.change(term, row, false);
        }
        for term in new_terms.difference(&old_terms) {
            bits.change(term, row, true);
        }
    }
    bits.write(store, &mut out)?;
    out.insert(keys::meta(keys::ROWS), &keys::u64_value(rows));
    for op in batch.ops() {
        if let WriteOp::PutSetting { key, value } = op {
            out.insert(keys::key(keys::SETTING, key.as_bytes()), value.as_bytes());
        }
    }
    store.apply_batch(out)?;
    Ok(changes)
}

/// Posting bit changes of a batch, by block: applied to the stored
/// bitmaps once all messages are planned, so a block that many messages
/// of the batch touch is read and written once.
#[derive(Default)]
struct Bits {
    changes: BTreeMap<Vec<u8>, Vec<(usize, bool)>>,
}

impl Bits {
    fn change(&mut self, term: &str, row: u64, set: bool) {
        let (block, bit) = keys::posting_block(term, row);
        self.changes.entry(block).or_default().push((bit, set));
    }

    fn write(self, store: &SledStore, out: &mut sled::Batch) -> StoreResult<()> {
        for (block, changes) in self.changes {
            let mut bitmap = match store.get(&block)? {
                Some(stored) => {
                    <[u8; keys::BLOCK_BYTES]>::try_from(stored.as_ref()).map_err(|_| {
                        StoreError::Corrupt {
                            details: format!("posting block {block:02x?} has a bad length"),
                        }
                    })?
                }
                None => [0; keys::BLOCK_BYTES],
            };
            for (bit, set) in changes {
                if set {
                    bitmap[bit / 8] |= 1 << (bit % 8);
                } else {
                    bitmap[bit / 8] &= !(1 << (bit % 8));
                }
            }
            if bitmap.iter().all(|b| *b == 0) {
                out.remove(block);
            } else {
                out.insert(block, &bitmap);
            }
        }
        Ok(())
    }
}

/// Removes the history, sequence and send queue entries of a stored
/// message (its record is overwritten or removed by the caller; its
/// postings change by term).
fn unindex_message(out: &mut sled::Batch, conv: &ConvId, message: &Message) {
    let Some(pos) = MessagePos::of(message) else {
        return;
    };
    out.remove(keys::history_key(conv, &pos));
    out.remove(keys::seq_key(conv, &pos));
    out.remove(keys::sending_key(&pos));
    out.remove(keys::position_key(&pos));
}

/// Writes a message and its history, sequence and send queue entries.
fn index_message(
    out: &mut sled::Batch,
    conv: &ConvId,
    row: u64,
    message: &Message,
) -> StoreResult<()> {
    let Some(pos) = MessagePos::of(message) else {
        return Err(StoreError::Invalid("message without message_msg_id".into()));
    };
    let json = serde_json::to_vec(message).map_err(json_error)?;
    out.insert(
        keys::message_key(&pos.msg_id),
        keys::message_value(conv, row, &json),
    );
    let flags = [if counts_as_unread(message) {
        COUNTS_AS_UNREAD
    } else {
        0
    }];
    out.insert(keys::history_key(conv, &pos), &flags);
    out.insert(keys::seq_key(conv, &pos), &flags);
    out.insert(keys::position_key(&pos), &keys::u64_value(row));
    let ckey = keys::conv_key(conv);
    if message.status == Some(MsgStatus::Sending) {
        out.insert(keys::sending_key(&pos), ckey.as_slice());
    }
    Ok(())
}
