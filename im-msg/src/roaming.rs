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

use std::collections::{BTreeMap, BTreeSet};

use im_model::{ConvId, ConvType, ImResult, MarkSet};
use im_store::{
    ConvFilter, Conversation, GroupFilter, UnreadQuery, WriteOp, remember_receive_option,
};
use im_transport::ConvRoamingState;

use crate::service::MessageService;

impl MessageService {
    /// Makes a conversation's local state equal to its roamed state,
    /// creating the conversation when this device does not have it yet.
    pub(crate) fn apply_roamed_state(
        &self,
        conv: &ConvId,
        roamed: &ConvRoamingState,
        cursor: Option<u64>,
    ) -> ImResult<()> {
        // The server's set as it is: no marks is a valid state, and bits a
        // newer server defines are kept.
        let marks = MarkSet::from_bits_retain(roamed.marks);
        self.commit_at(cursor, |batch, _| {
            // A group the server names but this device lacks is created
            // first (its list arrives in order, but never trust order).
            let local_groups = self.store.conversation_groups()?;
            for name in &roamed.groups {
                if !local_groups.contains(name) {
                    batch.push(WriteOp::CreateGroup(name.clone()));
                }
            }
            let existing = self.store.conversation(conv)?;
            let mut c = self.conversation_or_new(conv)?;
            c.pinned = roamed.pinned;
            c.marks = marks;
            c.groups = roamed.groups.iter().cloned().collect();
            c.custom_data.clone_from(&roamed.custom_data);
            c.recv_opt = roamed.recv_opt;
            batch.push(remember_receive_option(conv, roamed.recv_opt));
            // Recount only when a position moved (recounting otherwise would
            // give the same count).
            let moved =
                roamed.read_time > c.c2c_read_timestamp || roamed.read_seq > c.group_read_seq;
            c.c2c_read_timestamp = c.c2c_read_timestamp.max(roamed.read_time);
            c.group_read_seq = c.group_read_seq.max(roamed.read_seq);
            if moved {
                c.unread_count = self.store.count_unread(&UnreadQuery {
                    conv: conv.clone(),
                    after_time: c.c2c_read_timestamp,
                    after_seq: c.group_read_seq,
                })?;
                let read_seq = c.group_read_seq;
                if conv.conv_type() == ConvType::Group {
                    c.group_at_infos
                        .retain(|a| a.seq.is_some_and(|s| s > read_seq));
                } else {
                    c.group_at_infos.clear();
                }
                c.refresh_last_message_read_state();
            }
            // An echo of what this device already did changes nothing.
            if existing.as_ref() != Some(&c) {
                batch.put(c);
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Makes the local conversation groups equal to the roamed list:
    /// missing ones are created, the others deleted (their conversations
    /// leave them in the same write).
    pub(crate) fn apply_roamed_groups(
        &self,
        names: &[String],
        cursor: Option<u64>,
    ) -> ImResult<()> {
        self.commit_at(cursor, |batch, _| {
            let local = self.store.conversation_groups()?;
            if let Some((old, new)) = renamed(&local, names) {
                batch.push(WriteOp::RenameGroup {
                    old: old.clone(),
                    new: new.clone(),
                });
                for mut member in self.store.matching_conversations(&ConvFilter {
                    group: Some(GroupFilter::Named(old.clone())),
                    ..ConvFilter::all()
                })? {
                    member.groups.remove(old);
                    member.groups.insert(new.clone());
                    batch.put(member);
                }
                return Ok(());
            }
            let wanted: BTreeSet<&String> = names.iter().collect();
            let gone: Vec<&String> = local.iter().filter(|g| !wanted.contains(g)).collect();
            // A conversation in several gone groups leaves them all in one
            // record (one put each, or the last put would undo the others).
            let mut members: BTreeMap<ConvId, Conversation> = BTreeMap::new();
            for name in &gone {
                for member in self.store.matching_conversations(&ConvFilter {
                    group: Some(GroupFilter::Named((*name).clone())),
                    ..ConvFilter::all()
                })? {
                    members.entry(member.id.clone()).or_insert(member);
                }
            }
            for (_, mut member) in members {
                member.groups.retain(|g| !gone.contains(&g));
                batch.put(member);
            }
            for name in gone {
                batch.push(WriteOp::DeleteGroup(name.clone()));
            }
            for name in names.iter().filter(|n| !local.contains(n)) {
                batch.push(WriteOp::CreateGroup(name.clone()));
            }
            Ok(())
        })?;
        Ok(())
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
