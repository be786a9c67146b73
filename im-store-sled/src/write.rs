//! `apply`: a write batch planned against the current records, then
//! written as one atomic sled batch.
//!
//! The plan follows the reference backend step for step (the same checks,
//! the same final state), reading what it needs under the writer lock;
//! the sled batch then removes every index entry derived from a record's
//! old value and inserts those of its new value, and sets the maintained
//! counters to their new totals. A batch that fails its checks writes
//! nothing.

use std::collections::BTreeMap;

use im_model::{ConvId, Message, MsgStatus};
use im_store::plan::{BatchPlan, PlanSource, PlannedConversation, plan_batch};
use im_store::{
    ConvChange, Conversation, MessagePos, StoreError, StoreResult, WriteBatch, WriteOp,
    counts_as_unread,
};

use crate::{SledStore, body, keys, read, search};

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

/// What the shared planner reads: the stored records, under the write
/// lock the caller holds.
struct Source<'a>(&'a SledStore);

impl PlanSource for Source<'_> {
    fn groups(&self) -> StoreResult<Vec<String>> {
        read::groups(self.0)
    }

    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>> {
        read::conversation(self.0, id)
    }

    fn message_conversation(&self, msg_id: &str) -> StoreResult<Option<ConvId>> {
        Ok(read::message_entry(self.0, msg_id)?.map(|(conv, _)| conv))
    }

    fn message_ids_of(&self, conv: &ConvId) -> StoreResult<Vec<String>> {
        read::message_ids_of(self.0, conv)
    }

    fn group_members(&self, name: &str) -> StoreResult<u64> {
        read::member_count(self.0, name)
    }
}

/// Plans `batch` against the current records (the checks and final state
/// of `im_store::plan`) and applies it as one sled batch; the caller holds
/// the write lock.
fn plan_and_apply(store: &SledStore, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
    let stored_groups = read::groups(store)?;
    let BatchPlan {
        conversations,
        groups,
        member_counts,
        messages,
    } = plan_batch(batch, &Source(store))?;
    let mut out = sled::Batch::default();
    let mut unread = read::counted_unread(store)?;
    let mut changes = Vec::with_capacity(conversations.len());
    for PlannedConversation { id, before, after } in conversations {
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
    let mut columns = Columns::default();
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
        let old_fields = match &old {
            Some((conv, _, message)) => {
                unindex_message(&mut out, conv, message);
                search::indexed_fields(message)
            }
            None => Vec::new(),
        };
        let new_fields = match &planned {
            Some((conv, message)) => {
                index_message(&mut out, conv, row, message)?;
                let fields = search::indexed_fields(message);
                let pos = MessagePos::of(message)
                    .ok_or_else(|| StoreError::Invalid("message without message_msg_id".into()))?;
                columns.change(row, Some(keys::row_value(conv, &pos, &fields)));
                fields
            }
            None => {
                out.remove(keys::message_key(&id));
                columns.change(row, None);
                Vec::new()
            }
        };
        let (old_terms, new_terms) = (search::terms(&old_fields), search::terms(&new_fields));
        for term in old_terms
            .iter()
            .filter(|t| new_terms.binary_search(t).is_err())
        {
            bits.change(term, row, false);
        }
        for term in new_terms
            .iter()
            .filter(|t| old_terms.binary_search(t).is_err())
        {
            bits.change(term, row, true);
        }
    }
    bits.write(store, &mut out)?;
    columns.write(store, &mut out)?;
    out.insert(keys::meta(keys::ROWS), &keys::u64_value(rows));
    for op in batch.ops() {
        if let WriteOp::PutSetting { key, value } = op {
            out.insert(keys::key(keys::SETTING, key.as_bytes()), value.as_bytes());
        }
    }
    store.apply_batch(out)?;
    Ok(changes)
}

/// Posting bit changes of a batch, by term and block: applied to the
/// stored bitmaps once all messages are planned, so a block that many
/// messages of the batch touch is read and written once. (By term first:
/// a term most messages of a batch share is looked up, not allocated,
/// for each of them.)
#[derive(Default)]
struct Bits {
    changes: BTreeMap<String, BTreeMap<u64, Vec<(usize, bool)>>>,
}

impl Bits {
    fn change(&mut self, term: &str, row: u64, set: bool) {
        let blocks = match self.changes.get_mut(term) {
            Some(blocks) => blocks,
            None => self.changes.entry(term.to_owned()).or_default(),
        };
        let bit = (row % keys::BLOCK_ROWS) as usize;
        blocks
            .entry(row / keys::BLOCK_ROWS)
            .or_default()
            .push((bit, set));
    }

    fn write(self, store: &SledStore, out: &mut sled::Batch) -> StoreResult<()> {
        for (term, blocks) in self.changes {
            for (block, changes) in blocks {
                let (key, _) = keys::posting_block(&term, block * keys::BLOCK_ROWS);
                let mut bitmap = match store.get(&key)? {
                    Some(stored) => keys::read_bitmap(&stored)?,
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
                    out.remove(key);
                } else {
                    out.insert(key, keys::posting_value(&bitmap));
                }
            }
        }
        Ok(())
    }
}

/// Search document changes of a batch, by column block: each block the
/// batch touches is read, changed and written once.
#[derive(Default)]
pub(crate) struct Columns {
    changes: BTreeMap<u64, BTreeMap<u8, Option<Vec<u8>>>>,
}

impl Columns {
    /// Sets (`Some`) or removes (`None`) the document of `row`.
    pub(crate) fn change(&mut self, row: u64, doc: Option<Vec<u8>>) {
        let (block, place) = keys::column_of(row);
        self.changes.entry(block).or_default().insert(place, doc);
    }

    pub(crate) fn write(self, store: &SledStore, out: &mut sled::Batch) -> StoreResult<()> {
        for (block, changes) in self.changes {
            let key = keys::column_key(block);
            let stored = store.get(&key)?;
            let mut docs: BTreeMap<u8, &[u8]> = match &stored {
                Some(value) => keys::decode_column(value)?.into_iter().collect(),
                None => BTreeMap::new(),
            };
            for (place, doc) in &changes {
                match doc {
                    Some(doc) => docs.insert(*place, doc),
                    None => docs.remove(place),
                };
            }
            if docs.is_empty() {
                out.remove(key);
            } else {
                out.insert(key, keys::column_value(docs));
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

/// Writes a message and its history, sequence (groups only), position and
/// send queue entries.
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
        keys::message_value(conv, row, &body::encode(&json)?),
    );
    let flags = [if counts_as_unread(message) {
        COUNTS_AS_UNREAD
    } else {
        0
    }];
    out.insert(keys::history_key(conv, &pos), &flags);
    if keys::has_seq_keys(conv) {
        out.insert(keys::seq_key(conv, &pos), &flags);
    }
    out.insert(keys::position_key(&pos), &keys::u64_value(row));
    let ckey = keys::conv_key(conv);
    if message.status == Some(MsgStatus::Sending) {
        out.insert(keys::sending_key(&pos), ckey.as_slice());
    }
    Ok(())
}
