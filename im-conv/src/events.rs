//! Conversation events and their delivery.
//!
//! Every event is produced by the write path ([`crate::ConversationService::write`])
//! after the store committed, exactly once per change, and delivered in
//! commit order. Delivery happens with no SDK lock held, so a listener may
//! call back into the service; events raised by such a nested call are
//! queued and delivered after the current ones, never interleaved.

use im_model::{ConvId, ConvInfo, ConversationListFilter};

/// Why conversations left a conversation group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovedFromGroupReason {
    /// Removed by a call of the app (`reason` 0 in Tencent's 8.x callback).
    ByUser = 0,
    /// Evicted because the group was full (`reason` 1).
    Evicted = 1,
}

/// A change apps are told about; the Tencent callback each maps to is named.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConvEvent {
    /// Conversations were created (`kTIMConvEvent_Add`).
    Added(Vec<ConvInfo>),
    /// Conversations changed (`kTIMConvEvent_Update`).
    Updated(Vec<ConvInfo>),
    /// Conversations were deleted (`kTIMConvEvent_Del`).
    Deleted(Vec<ConvId>),
    /// The total unread count changed
    /// (`TIMSetConvTotalUnreadMessageCountChangedCallback`); raised only
    /// after the app asked for the total once.
    TotalUnreadChanged(u64),
    /// A subscribed filter's unread total changed
    /// (`TIMSetConvUnreadMessageCountChangedByFilterCallback`).
    UnreadByFilterChanged {
        /// The filter as subscribed.
        filter: ConversationListFilter,
        /// Its new total.
        total: u64,
    },
    /// A conversation group was created (`TIMSetConvConversationGroupCreatedCallback`).
    GroupCreated {
        /// Group name.
        name: String,
        /// Conversations put in it.
        conversations: Vec<ConvInfo>,
    },
    /// A conversation group was deleted (`TIMSetConvConversationGroupDeletedCallback`).
    GroupDeleted {
        /// Group name.
        name: String,
    },
    /// A conversation group was renamed (`TIMSetConvConversationGroupNameChangedCallback`).
    GroupRenamed {
        /// Old name.
        old: String,
        /// New name.
        new: String,
    },
    /// Conversations were added to a group (`TIMSetConvConversationsAddedToGroupCallback`).
    ConversationsAddedToGroup {
        /// Group name.
        name: String,
        /// Conversations added.
        conversations: Vec<ConvInfo>,
    },
    /// Conversations were removed from a group
    /// (`TIMSetConvConversationsDeletedFromGroupCallback`).
    ConversationsRemovedFromGroup {
        /// Group name.
        name: String,
        /// Conversations removed.
        conversations: Vec<ConvInfo>,
        /// Why.
        reason: RemovedFromGroupReason,
    },
}

/// The conversation-group events of a committed batch: groups deleted,
/// renamed and created (with the conversations put in them), then
/// conversations added to or removed from groups that existed before (a
/// removal the batch announces as an eviction says so). None for a batch
/// that restores history (`Announce::no_group_events`). Used for batches
/// staged outside this crate, whose group changes come from the server
/// through the roaming state.
pub(crate) fn group_events(
    batch: &im_store::WriteBatch,
    changes: &[im_store::ConvChange],
) -> Vec<ConvEvent> {
    use std::collections::{BTreeMap, BTreeSet};

    use im_store::WriteOp;

    let announce = batch.announce();
    if announce.no_group_events {
        return Vec::new();
    }
    let ops = batch.ops();
    let mut events = Vec::new();
    let mut created: Vec<&String> = Vec::new();
    let mut deleted: BTreeSet<&String> = BTreeSet::new();
    // A renamed group's members move from the old name to the new one
    // without being added or removed.
    let mut renamed_from: BTreeSet<&String> = BTreeSet::new();
    let mut renamed_to: BTreeSet<&String> = BTreeSet::new();
    for op in ops {
        match op {
            WriteOp::CreateGroup(name) => created.push(name),
            WriteOp::DeleteGroup(name) => {
                deleted.insert(name);
                events.push(ConvEvent::GroupDeleted { name: name.clone() });
            }
            WriteOp::RenameGroup { old, new } => {
                renamed_from.insert(old);
                renamed_to.insert(new);
                events.push(ConvEvent::GroupRenamed {
                    old: old.clone(),
                    new: new.clone(),
                });
            }
            _ => {}
        }
    }
    for name in &created {
        let conversations = changes
            .iter()
            .filter_map(|c| c.after.as_ref())
            .filter(|after| after.groups.contains(*name))
            .map(im_store::Conversation::to_conv_info)
            .collect();
        events.push(ConvEvent::GroupCreated {
            name: (*name).clone(),
            conversations,
        });
    }
    // Per group, for groups neither created nor deleted here.
    #[derive(Default)]
    struct Moves {
        added: Vec<ConvInfo>,
        removed: Vec<ConvInfo>,
        evicted: Vec<ConvInfo>,
    }
    let mut moves: BTreeMap<&String, Moves> = BTreeMap::new();
    let no_groups = BTreeSet::new();
    for change in changes {
        let Some(after) = &change.after else {
            continue;
        };
        let before = change.before.as_ref().map_or(&no_groups, |b| &b.groups);
        for name in after.groups.difference(before) {
            if !created.contains(&name) && !renamed_to.contains(name) {
                moves
                    .entry(name)
                    .or_default()
                    .added
                    .push(after.to_conv_info());
            }
        }
        for name in before.difference(&after.groups) {
            if !deleted.contains(name) && !renamed_from.contains(name) {
                let evicted = announce.evicted.contains(&(name.clone(), after.id.clone()));
                let entry = moves.entry(name).or_default();
                if evicted {
                    entry.evicted.push(after.to_conv_info());
                } else {
                    entry.removed.push(after.to_conv_info());
                }
            }
        }
    }
    for (
        name,
        Moves {
            added,
            removed,
            evicted,
        },
    ) in moves
    {
        if !added.is_empty() {
            events.push(ConvEvent::ConversationsAddedToGroup {
                name: name.clone(),
                conversations: added,
            });
        }
        for (conversations, reason) in [
            (removed, RemovedFromGroupReason::ByUser),
            (evicted, RemovedFromGroupReason::Evicted),
        ] {
            if !conversations.is_empty() {
                events.push(ConvEvent::ConversationsRemovedFromGroup {
                    name: name.clone(),
                    conversations,
                    reason,
                });
            }
        }
    }
    events
}
