//! Planning a write batch: the checks every backend makes before writing,
//! and the final state the batch leads to, computed from reads of the
//! current state only. The reference backend and the sled backend apply
//! the plan; SQLite makes the same checks inside its transaction.

use std::collections::BTreeMap;

use im_model::{ConvId, Message};

use crate::{Conversation, StoreError, StoreResult, WriteBatch, WriteOp};

/// What planning reads of the current state.
pub trait PlanSource {
    /// The conversation groups, in order.
    ///
    /// # Errors
    /// A storage failure.
    fn groups(&self) -> StoreResult<Vec<String>>;

    /// A stored conversation.
    ///
    /// # Errors
    /// A storage failure.
    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>>;

    /// The conversation holding a stored message.
    ///
    /// # Errors
    /// A storage failure.
    fn message_conversation(&self, msg_id: &str) -> StoreResult<Option<ConvId>>;

    /// The ids of a conversation's stored messages.
    ///
    /// # Errors
    /// A storage failure.
    fn message_ids_of(&self, conv: &ConvId) -> StoreResult<Vec<String>>;

    /// How many stored conversations name a group.
    ///
    /// # Errors
    /// A storage failure.
    fn group_members(&self, name: &str) -> StoreResult<u64>;
}

/// One touched conversation: its record before and after the batch.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedConversation {
    /// Its id.
    pub id: ConvId,
    /// The stored record (`None`: created).
    pub before: Option<Conversation>,
    /// The record after the batch (`None`: deleted).
    pub after: Option<Conversation>,
}

/// The final state a valid batch leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchPlan {
    /// Every touched conversation, in first-touched order.
    pub conversations: Vec<PlannedConversation>,
    /// The group list after the batch.
    pub groups: Vec<String>,
    /// For each group whose membership the batch changes, how many
    /// conversations name it after the batch.
    pub member_counts: BTreeMap<String, u64>,
    /// The final value of every message the batch touches (`None`:
    /// deleted).
    pub messages: BTreeMap<String, Option<(ConvId, Message)>>,
}

/// Checks `batch` against the current state (`source`) without changing
/// anything and returns the state it leads to. The rules are
/// [`crate::WriteOp`]'s: group names unique, a deleted or renamed group
/// existing, every group named by a conversation existing afterwards,
/// messages keeping their conversation, a cleared conversation's messages
/// (as the batch left them so far) removed.
///
/// # Errors
/// `Conflict`, `NotFound` or `Invalid` naming the first broken rule; a
/// storage failure of `source`.
pub fn plan_batch(batch: &WriteBatch, source: &dyn PlanSource) -> StoreResult<BatchPlan> {
    let stored_groups = source.groups()?;
    let mut groups = stored_groups.clone();
    let mut messages: BTreeMap<String, Option<(ConvId, Message)>> = BTreeMap::new();
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
                    None => source.message_conversation(&id)?,
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
                // Stored messages of `conv` that this batch has not
                // touched yet (one it moved elsewhere is not cleared) ...
                for id in source.message_ids_of(conv)? {
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

    let mut conversations = Vec::with_capacity(touched.len());
    let mut delta: BTreeMap<String, i64> = BTreeMap::new();
    for (id, after) in touched {
        let before = source.conversation(&id)?;
        for g in before.iter().flat_map(|c| &c.groups) {
            *delta.entry(g.clone()).or_default() -= 1;
        }
        for g in after.iter().flat_map(|c| &c.groups) {
            *delta.entry(g.clone()).or_default() += 1;
        }
        conversations.push(PlannedConversation { id, before, after });
    }
    // Every group still named by a conversation must exist afterwards.
    let mut member_counts = BTreeMap::new();
    for (name, change) in delta {
        let stored = source.group_members(&name)?;
        let count = stored
            .checked_add_signed(change)
            .ok_or_else(|| StoreError::Corrupt {
                details: format!("group {name:?} member count {stored} cannot change by {change}"),
            })?;
        member_counts.insert(name, count);
    }
    let named = |name: &String| -> StoreResult<bool> {
        Ok(match member_counts.get(name) {
            Some(n) => *n > 0,
            None => source.group_members(name)? > 0,
        })
    };
    let missing = member_counts
        .keys()
        .chain(stored_groups.iter())
        .filter(|name| !groups.contains(name));
    for name in missing {
        if named(name)? {
            return Err(StoreError::NotFound(format!(
                "group {name:?} is named by a conversation but does not exist"
            )));
        }
    }
    Ok(BatchPlan {
        conversations,
        groups,
        member_counts,
        messages,
    })
}
