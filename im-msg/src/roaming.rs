//! Conversation state that roams between a user's devices: applying the
//! server's word.
//!
//! The server is the source of truth for pins, marks, conversation groups,
//! custom data, receive options and read positions. Every change, made on
//! any device of the user (this one included), comes back through the
//! event stream as the resulting state, which is applied as it is: so
//! applying an event twice, or one this device caused, changes nothing.
//! Read positions only move forward; unread counts and mentions follow the
//! unread rule (ARCHITECTURE.md). Drafts stay local.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use im_model::{ConvId, ImResult, MarkSet};
use im_store::{
    ConvFilter, Conversation, GroupFilter, Store, UnreadQuery, WriteBatch, WriteOp,
    remember_receive_option,
};
use im_transport::ConvRoamingState;

use crate::service::MessageService;

/// Roamed state staged for one write: the group list and the conversation
/// records as the write will leave them, so that a group list and its
/// conversations (one change on the server) are applied, and announced,
/// together.
pub(crate) struct Staged {
    /// The local group list as staged.
    groups: Vec<String>,
    /// Group operations, in order.
    ops: Vec<WriteOp>,
    /// Each staged conversation: as stored (None when new) and as staged.
    convs: BTreeMap<ConvId, (Option<Conversation>, Conversation)>,
}

impl Staged {
    /// Starts from what `store` holds.
    pub(crate) fn load(store: &dyn Store) -> ImResult<Staged> {
        Ok(Staged {
            groups: store.conversation_groups()?,
            ops: Vec::new(),
            convs: BTreeMap::new(),
        })
    }

    /// The staged record of `conv`: staged before, else stored, else new.
    pub(crate) fn conversation(
        &mut self,
        service: &MessageService,
        conv: &ConvId,
    ) -> ImResult<&mut Conversation> {
        let entry = match self.convs.entry(conv.clone()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let stored = service.store.conversation(conv)?;
                let staged = match &stored {
                    Some(stored) => stored.clone(),
                    None => service.new_conversation(conv)?,
                };
                entry.insert((stored, staged))
            }
        };
        Ok(&mut entry.1)
    }

    /// Whether `conv` was staged as new here (not stored before).
    pub(crate) fn is_new(&self, conv: &ConvId) -> bool {
        self.convs
            .get(conv)
            .is_some_and(|(stored, _)| stored.is_none())
    }

    /// Puts what was staged into `batch`: the group operations, then every
    /// conversation that differs from what is stored (an echo of what this
    /// device already did writes nothing).
    pub(crate) fn finish(self, batch: &mut WriteBatch) {
        for op in self.ops {
            batch.push(op);
        }
        for (_, (stored, staged)) in self.convs {
            if stored.as_ref() != Some(&staged) {
                batch.put(staged);
            }
        }
    }
}

impl MessageService {
    /// Applies one change of the roaming state as the server reports it
    /// (the group list when it changed, the touched conversations, the
    /// evictions) in one write, so it is announced once: a group created
    /// with conversations is one "created" carrying them. The older events
    /// (`ConversationState`: one conversation; `ConversationGroups`: the
    /// group list, missing groups created and the others deleted with
    /// their conversations leaving them) are applied through here too.
    pub(crate) fn apply_roamed_change(
        &self,
        groups: Option<&[String]>,
        convs: &[(ConvId, ConvRoamingState)],
        evicted: &[(String, ConvId)],
        cursor: Option<u64>,
    ) -> ImResult<()> {
        self.commit_at(cursor, |batch, _| {
            let mut staged = Staged::load(&*self.store)?;
            if let Some(names) = groups {
                self.stage_roamed_groups(&mut staged, names)?;
            }
            for (conv, roamed) in convs {
                self.stage_roamed_state(&mut staged, conv, roamed)?;
            }
            staged.finish(batch);
            batch.announce_mut().evicted = evicted.iter().cloned().collect();
            Ok(())
        })?;
        Ok(())
    }

    /// Deletes the conversations the user deleted on some device (this
    /// one included: its own deletion arrives this way too); those not
    /// here are skipped. Their messages stay stored, as with a local
    /// deletion.
    pub(crate) fn apply_roamed_deletes(
        &self,
        convs: &[ConvId],
        cursor: Option<u64>,
    ) -> ImResult<()> {
        self.commit_at(cursor, |batch, _| {
            for conv in convs {
                if self.store.conversation(conv)?.is_some() {
                    batch.push(WriteOp::DeleteConversation(conv.clone()));
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Stages a conversation's roamed state: made equal to the server's
    /// (the conversation created when this device lacks it, a group it
    /// names created first), read positions only forward, unread recounted
    /// when they moved.
    pub(crate) fn stage_roamed_state(
        &self,
        staged: &mut Staged,
        conv: &ConvId,
        roamed: &ConvRoamingState,
    ) -> ImResult<()> {
        // A group the server names but this device lacks is created first
        // (its list arrives in order, but never trust order).
        for name in &roamed.groups {
            if !staged.groups.contains(name) {
                staged.groups.push(name.clone());
                staged.ops.push(WriteOp::CreateGroup(name.clone()));
            }
        }
        // The server's set as it is: no marks is a valid state, and bits a
        // newer server defines are kept.
        let marks = MarkSet::from_bits_retain(roamed.marks);
        let store = self.store.clone();
        let c = staged.conversation(self, conv)?;
        c.pinned = roamed.pinned;
        c.marks = marks;
        c.groups = roamed.groups.iter().cloned().collect();
        c.custom_data.clone_from(&roamed.custom_data);
        c.recv_opt = roamed.recv_opt;
        // Recount only when a position moved (recounting otherwise would
        // give the same count).
        if c.read_up_to(roamed.read_time, roamed.read_seq) {
            c.recount_unread(store.count_unread(&UnreadQuery {
                conv: conv.clone(),
                after_time: c.c2c_read_timestamp,
                after_seq: c.group_read_seq,
            })?);
        }
        staged
            .ops
            .push(remember_receive_option(conv, roamed.recv_opt));
        Ok(())
    }

    /// Stages the roamed group list: missing groups are created, the
    /// others deleted (their conversations leave them in the same write),
    /// and a rename is told apart as a rename.
    pub(crate) fn stage_roamed_groups(
        &self,
        staged: &mut Staged,
        names: &[String],
    ) -> ImResult<()> {
        let local = staged.groups.clone();
        if let Some((old, new)) = renamed(&local, names) {
            staged.ops.push(WriteOp::RenameGroup {
                old: old.clone(),
                new: new.clone(),
            });
            for member in self.members_of(staged, old)? {
                let c = staged.conversation(self, &member)?;
                c.groups.remove(old);
                c.groups.insert(new.clone());
            }
            staged.groups = names.to_vec();
            return Ok(());
        }
        let wanted: BTreeSet<&String> = names.iter().collect();
        let gone: Vec<&String> = local.iter().filter(|g| !wanted.contains(g)).collect();
        for name in &gone {
            for member in self.members_of(staged, name)? {
                staged.conversation(self, &member)?.groups.remove(*name);
            }
        }
        for name in gone {
            staged.ops.push(WriteOp::DeleteGroup(name.clone()));
        }
        for name in names.iter().filter(|n| !local.contains(n)) {
            staged.ops.push(WriteOp::CreateGroup(name.clone()));
        }
        staged.groups = names.to_vec();
        Ok(())
    }

    /// The conversations in group `name`: stored members, with what is
    /// staged taking precedence.
    fn members_of(&self, staged: &Staged, name: &str) -> ImResult<Vec<ConvId>> {
        let mut members: BTreeSet<ConvId> = self
            .store
            .matching_conversations(&ConvFilter {
                group: Some(GroupFilter::Named(name.to_owned())),
                ..ConvFilter::all()
            })?
            .into_iter()
            .map(|c| c.id)
            .collect();
        for (id, (_, c)) in &staged.convs {
            if c.groups.contains(name) {
                members.insert(id.clone());
            } else {
                members.remove(id);
            }
        }
        Ok(members.into_iter().collect())
    }
}

/// The rename that turns `local` into `roamed`, if that is what happened:
/// the server lists groups in creation order and a rename keeps the
/// group's place, so a rename is one name replaced at one position by a
/// name that was not there. (Told apart from a delete and a create, which
/// change the length or the order, so that devices report a rename as a
/// rename: `TIMSetConvConversationGroupNameChangedCallback`.)
fn renamed<'a>(local: &'a [String], roamed: &'a [String]) -> Option<(&'a String, &'a String)> {
    if local.len() != roamed.len() {
        return None;
    }
    let mut differing = local.iter().zip(roamed).filter(|(l, r)| l != r);
    let (old, new) = differing.next()?;
    (differing.next().is_none() && !roamed.contains(old) && !local.contains(new))
        .then_some((old, new))
}

#[cfg(test)]
mod tests {
    use super::renamed;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn test_one_name_replaced_in_place_is_a_rename() {
        let (local, roamed) = (names(&["a", "work", "c"]), names(&["a", "team", "c"]));
        assert_eq!(
            renamed(&local, &roamed),
            Some((&"work".to_owned(), &"team".to_owned()))
        );
    }

    #[test]
    fn test_deletes_creates_and_reorders_are_not_renames() {
        let local = names(&["a", "b"]);
        assert_eq!(renamed(&local, &names(&["a"])), None);
        assert_eq!(renamed(&local, &names(&["a", "b", "c"])), None);
        assert_eq!(renamed(&local, &names(&["b", "a"])), None);
        assert_eq!(renamed(&local, &names(&["x", "y"])), None);
        assert_eq!(renamed(&local, &names(&["a", "a"])), None);
        assert_eq!(renamed(&local, &local.clone()), None);
    }
}
