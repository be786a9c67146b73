//! Conversation groups (Tencent's "会话分组"): named, user-defined folders
//! of conversations. At most 20 groups; names are 1 to 32 bytes.
//!
//! Membership is stored on each conversation (`conv_conversation_group_array`),
//! so a group change and the member rewrites it implies are one batch.

use im_model::limits::{MAX_CONVERSATION_GROUP_NAME_BYTES, MAX_CONVERSATION_GROUPS};
use im_model::{ConvId, ConvInfo, ConversationOperationResult, ErrorCode, ImError, ImResult};
use im_store::{ConvFilter, GroupFilter, WriteOp};

use crate::events::{ConvEvent, RemovedFromGroupReason};
use crate::id_list::{checked_ids, for_each_conversation};
use crate::service::{ConversationService, Txn};

/// Checks a conversation group name: 1 to 32 bytes.
///
/// # Errors
/// `ERR_SVR_CONV_CONV_GROUP_NAME_EXCEED_LENGTH` (51011) otherwise.
pub fn check_name(name: &str) -> ImResult<()> {
    if name.is_empty() || name.len() > MAX_CONVERSATION_GROUP_NAME_BYTES {
        return Err(ImError::new(
            ErrorCode::ConvGroupNameExceedLength,
            format!(
                "conversation group name must be 1 to {MAX_CONVERSATION_GROUP_NAME_BYTES} bytes, \
                 got {} bytes",
                name.len()
            ),
        ));
    }
    Ok(())
}

fn require_group(txn: &Txn<'_>, name: &str) -> ImResult<()> {
    if txn.store().conversation_groups()?.iter().any(|g| g == name) {
        Ok(())
    } else {
        Err(ImError::new(
            ErrorCode::ConvGroupNotExist,
            format!("conversation group {name:?} does not exist"),
        ))
    }
}

/// Every conversation in group `name`, hidden ones included.
fn members(service: &ConversationService, name: &str) -> ImResult<Vec<im_store::Conversation>> {
    service.snapshot(&ConvFilter {
        group: Some(GroupFilter::Named(name.to_owned())),
        ..ConvFilter::all()
    })
}

/// Adds or removes `name` on each of `ids`; returns per-conversation results
/// and the infos of the conversations whose membership changed.
fn change_membership(
    txn: &mut Txn<'_>,
    ids: &[ConvId],
    name: &str,
    add: bool,
) -> ImResult<(Vec<ConversationOperationResult>, Vec<ConvInfo>)> {
    let mut changed = Vec::new();
    let results = for_each_conversation(txn, ids, |conv| {
        let did = if add {
            conv.groups.insert(name.to_owned())
        } else {
            conv.groups.remove(name)
        };
        if did {
            changed.push(conv.to_conv_info());
        }
        did
    })?;
    Ok((results, changed))
}

impl ConversationService {
    /// Conversation group names in creation order
    /// (`TIMConvGetConversationGroupList`).
    ///
    /// # Errors
    /// A storage failure.
    pub fn conversation_groups(&self) -> ImResult<Vec<String>> {
        Ok(self.store.conversation_groups()?)
    }

    /// Creates a group holding `ids` (`TIMConvCreateConversationGroup`),
    /// one result per conversation.
    ///
    /// # Errors
    /// 51011 for a bad name; 51010 when 20 groups exist; 6017 when the name
    /// exists or the list is empty; 51006 for more than 100 conversations.
    pub fn create_conversation_group(
        &self,
        name: &str,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        check_name(name)?;
        let ids = checked_ids(ids)?;
        self.write(|txn| {
            let groups = txn.store().conversation_groups()?;
            if groups.iter().any(|g| g == name) {
                return Err(ImError::invalid_param(format!(
                    "conversation group {name:?} already exists"
                )));
            }
            if groups.len() >= MAX_CONVERSATION_GROUPS {
                return Err(ImError::new(
                    ErrorCode::ConvGroupTotalCountExceedLimit,
                    format!("at most {MAX_CONVERSATION_GROUPS} conversation groups are allowed"),
                ));
            }
            txn.group_op(WriteOp::CreateGroup(name.to_owned()));
            let (results, added) = change_membership(txn, &ids, name, true)?;
            txn.event(ConvEvent::GroupCreated {
                name: name.to_owned(),
                conversations: added,
            });
            Ok(results)
        })
    }

    /// Deletes a group (`TIMConvDeleteConversationGroup`); its conversations
    /// stay, outside that group.
    ///
    /// # Errors
    /// 51011 for a bad name; 51009 when it does not exist.
    pub fn delete_conversation_group(&self, name: &str) -> ImResult<()> {
        check_name(name)?;
        self.write(|txn| {
            require_group(txn, name)?;
            for mut conv in members(self, name)? {
                conv.groups.remove(name);
                txn.put(conv);
            }
            txn.group_op(WriteOp::DeleteGroup(name.to_owned()));
            txn.event(ConvEvent::GroupDeleted {
                name: name.to_owned(),
            });
            Ok(())
        })
    }

    /// Renames a group, keeping its place and members
    /// (`TIMConvRenameConversationGroup`).
    ///
    /// # Errors
    /// 51011 for a bad name; 51009 when `old` does not exist; 6017 when
    /// `new` exists.
    pub fn rename_conversation_group(&self, old: &str, new: &str) -> ImResult<()> {
        check_name(old)?;
        check_name(new)?;
        self.write(|txn| {
            require_group(txn, old)?;
            if old == new {
                return Ok(());
            }
            if txn.store().conversation_groups()?.iter().any(|g| g == new) {
                return Err(ImError::invalid_param(format!(
                    "conversation group {new:?} already exists"
                )));
            }
            txn.group_op(WriteOp::RenameGroup {
                old: old.to_owned(),
                new: new.to_owned(),
            });
            for mut conv in members(self, old)? {
                conv.groups.remove(old);
                conv.groups.insert(new.to_owned());
                txn.put(conv);
            }
            txn.event(ConvEvent::GroupRenamed {
                old: old.to_owned(),
                new: new.to_owned(),
            });
            Ok(())
        })
    }

    /// Adds conversations to a group (`TIMConvAddConversationsToGroup`),
    /// one result per conversation; one already in the group succeeds
    /// without change.
    ///
    /// # Errors
    /// 51011 for a bad name; 51009 when the group does not exist; 6017 for
    /// an empty list; 51006 for more than 100 conversations.
    pub fn add_conversations_to_group(
        &self,
        name: &str,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        self.update_membership(name, ids, true)
    }

    /// Removes conversations from a group
    /// (`TIMConvDeleteConversationsFromGroup`), one result per conversation;
    /// one not in the group succeeds without change.
    ///
    /// # Errors
    /// As [`ConversationService::add_conversations_to_group`].
    pub fn remove_conversations_from_group(
        &self,
        name: &str,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        self.update_membership(name, ids, false)
    }

    /// Adds (`add`) or removes conversations of an existing group, raising
    /// the matching group event when any membership changed.
    fn update_membership(
        &self,
        name: &str,
        ids: &[ConvId],
        add: bool,
    ) -> ImResult<Vec<ConversationOperationResult>> {
        check_name(name)?;
        let ids = checked_ids(ids)?;
        self.write(|txn| {
            require_group(txn, name)?;
            let (results, conversations) = change_membership(txn, &ids, name, add)?;
            if !conversations.is_empty() {
                let name = name.to_owned();
                txn.event(if add {
                    ConvEvent::ConversationsAddedToGroup {
                        name,
                        conversations,
                    }
                } else {
                    ConvEvent::ConversationsRemovedFromGroup {
                        name,
                        conversations,
                        reason: RemovedFromGroupReason::ByUser,
                    }
                });
            }
            Ok(results)
        })
    }
}
