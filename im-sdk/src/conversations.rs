//! Conversations: every function of the conversation layer, async.
//!
//! State that roams (pins, marks, custom data, conversation groups) goes to
//! the server, the source of truth: when it refuses (51006-51011), nothing
//! changes. When it accepts, the change reaches every device of the user,
//! this one included, through the ordered event stream, and the call
//! returns once this device applied it: local state changes only in
//! stream order, so an older event never undoes a newer change. Only
//! conversations that exist on this device are sent; the others get 6004
//! in the per-conversation results.

use im_model::{
    ConvId, ConvInfo, ConvSelector, ConversationListResult, ConversationOperationResult, Draft,
    ImResult,
};
use im_store::ConvFilter;

use im_model::ConvType;
use im_model::{ErrorCode, ImError, MarkSet};
use im_transport::{ConvStateChange, ReadPosition, ReadReport};

use crate::Client;
use crate::client::Services;

/// Sends a change to the server; returns the stream cursor of its echo.
async fn roam(s: &Services, change: ConvStateChange) -> ImResult<u64> {
    s.transport.update_conversations(change).await
}

/// Roams the change `change` makes of the conversations among `ids` that
/// exist here (none sent when none do): the echo's cursor, and one result
/// per conversation in the order asked (6004 for those not here).
///
/// # Errors
/// 6017 for an empty list, 51006 for more than 100; the transport's error.
async fn roam_existing(
    s: &Services,
    ids: &[ConvId],
    change: impl FnOnce(Vec<ConvId>) -> ConvStateChange,
) -> ImResult<(Option<u64>, Vec<ConversationOperationResult>)> {
    let ids = im_conv::checked_ids(ids)?;
    let sent = existing(s, &ids)?;
    let cursor = match &sent {
        Some(convs) => Some(roam(s, change(convs.clone())).await?),
        None => None,
    };
    Ok((cursor, results(&ids, &sent)))
}

/// The conversations among `ids` that exist here, or `None` when none do.
fn existing(s: &Services, ids: &[ConvId]) -> ImResult<Option<Vec<ConvId>>> {
    let found: Vec<ConvId> = s
        .convs
        .snapshot_of(ids)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    Ok((!found.is_empty()).then_some(found))
}

/// One result per conversation, in the order asked: success for those
/// sent to the server (they existed here), 6004 for the others.
fn results(ids: &[ConvId], sent: &Option<Vec<ConvId>>) -> Vec<ConversationOperationResult> {
    ids.iter()
        .map(|id| {
            let prefixed = id.to_prefixed();
            if sent.as_ref().is_some_and(|sent| sent.contains(id)) {
                ConversationOperationResult::ok(prefixed)
            } else {
                ConversationOperationResult::failed(prefixed, &missing(id))
            }
        })
        .collect()
}

/// 51009 unless the conversation group exists here.
fn group_exists(s: &Services, name: &str) -> ImResult<()> {
    if s.convs.conversation_groups()?.iter().any(|g| g == name) {
        Ok(())
    } else {
        Err(ImError::new(
            ErrorCode::ConvGroupNotExist,
            format!("conversation group {name:?} does not exist"),
        ))
    }
}

fn missing(id: &ConvId) -> ImError {
    ImError::new(
        ErrorCode::InvalidConversation,
        format!("conversation {id} does not exist"),
    )
}

/// The conversation functions of a logged-in [`Client`] (spec 1.2, 1.3).
/// Each runs behind the runtime boundary ([`crate::Client`] docs).
#[derive(Debug, Clone)]
pub struct ConversationManager {
    pub(crate) client: Client,
}

impl ConversationManager {
    /// Every listed conversation in list order (`TIMConvGetConvList`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::conversation_list`]; -1 when not logged in.
    pub async fn conversation_list(&self) -> ImResult<Vec<ConvInfo>> {
        self.client
            .call(move |s| async move { s.convs.conversation_list() })
            .await
    }

    /// One conversation, if it exists.
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::conversation`]; -1 when not logged in.
    pub async fn conversation(&self, id: &ConvId) -> ImResult<Option<ConvInfo>> {
        let id = id.clone();
        self.client
            .call(move |s| async move { s.convs.conversation(&id) })
            .await
    }

    /// The conversations among `ids` that exist (`TIMConvGetConvInfo`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::conversation_infos`]; -1 when not logged in.
    pub async fn conversation_infos(&self, ids: &[ConvId]) -> ImResult<Vec<ConvInfo>> {
        let ids = ids.to_vec();
        self.client
            .call(move |s| async move { s.convs.conversation_infos(&ids) })
            .await
    }

    /// One page of the conversations a filter lists (`TIMConvGetConversationListByFilter`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::conversation_list_by_filter`]; -1 when not logged in.
    pub async fn conversation_list_by_filter(
        &self,
        filter: &ConvFilter,
        next_seq: u64,
        count: u32,
    ) -> ImResult<ConversationListResult> {
        let filter = filter.clone();
        self.client
            .call(move |s| async move {
                s.convs
                    .conversation_list_by_filter(&filter, next_seq, count)
            })
            .await
    }

    /// Gets or creates a conversation (`TIMConvCreate`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::create_conversation`]; -1 when not logged in.
    pub async fn create_conversation(&self, id: &ConvId) -> ImResult<ConvInfo> {
        let id = id.clone();
        self.client
            .call(move |s| async move { s.convs.create_conversation(&id) })
            .await
    }

    /// Deletes a conversation (`TIMConvDelete`) on every device of the user:
    /// the server drops it from the user's list (a new message brings it
    /// back), and each device, this one included, deletes it when the
    /// change arrives. Its messages stay stored; see
    /// [`ConversationManager::delete_conversations_with_messages`].
    ///
    /// # Errors
    /// 6004 when it is not here; the transport's error (nothing deleted
    /// then); -1 when not logged in.
    pub async fn delete_conversation(&self, id: &ConvId) -> ImResult<()> {
        let id = id.clone();
        self.client
            .call_roaming(move |s| async move {
                s.convs.conversation(&id)?.ok_or_else(|| missing(&id))?;
                let change = ConvStateChange::DeleteConversations { convs: vec![id] };
                Ok((Some(roam(&s, change).await?), ()))
            })
            .await
    }

    /// Deletes several conversations (`TIMConvDeleteConversationList`) on
    /// every device of the user, as [`ConversationManager::delete_conversation`],
    /// with one result per conversation (6004 for one not here).
    ///
    /// # Errors
    /// 6017 for an empty list, 51006 for more than 100; the transport's
    /// error; -1 when not logged in.
    pub async fn delete_conversations(
        &self,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        let ids = ids.to_vec();
        self.client
            .call_roaming(move |s| async move {
                roam_existing(&s, &ids, |convs| ConvStateChange::DeleteConversations {
                    convs,
                })
                .await
            })
            .await
    }

    /// Deletes conversations as Tencent's C API does: with
    /// `clear_messages`, each one's messages are cleared first, here and on
    /// the server (`TIMConvDelete` always; `TIMConvDeleteConversationList`
    /// when its `clear_message` is true), else they stay. A conversation
    /// whose messages cannot be cleared is not deleted; its result says why.
    /// Results come in the order of `ids`.
    ///
    /// # Errors
    /// 6017 for an empty list; 51006 for more than 100; as
    /// [`ConversationManager::delete_conversations`].
    pub async fn delete_conversations_with_messages(
        &self,
        ids: &[ConvId],
        clear_messages: bool,
    ) -> ImResult<Vec<ConversationOperationResult>> {
        if !clear_messages {
            return self.delete_conversations(ids).await;
        }
        if ids.is_empty() {
            return Err(ImError::invalid_param("the conversation list is empty"));
        }
        if ids.len() > im_model::limits::MAX_CONVERSATIONS_PER_DELETE {
            return Err(ImError::new(
                ErrorCode::ConvMarkReqCountExceedLimit,
                format!(
                    "{} conversations; at most {} per call",
                    ids.len(),
                    im_model::limits::MAX_CONVERSATIONS_PER_DELETE
                ),
            ));
        }
        let mut cleared = Vec::with_capacity(ids.len());
        let mut failed = Vec::new();
        for id in ids {
            match self.client.messages().clear_history(id).await {
                Ok(()) => cleared.push(id.clone()),
                Err(e) if e.code == ErrorCode::InvalidConversation => cleared.push(id.clone()),
                Err(e) => failed.push(ConversationOperationResult::failed(id.to_prefixed(), &e)),
            }
        }
        let mut deleted = if cleared.is_empty() {
            Vec::new()
        } else {
            self.delete_conversations(&cleared).await?
        };
        deleted.extend(failed);
        let position = |r: &ConversationOperationResult| {
            ids.iter()
                .position(|id| Some(id.to_prefixed().as_str()) == r.conversation_id.as_deref())
        };
        deleted.sort_by_key(position);
        Ok(deleted)
    }

    /// Pins or unpins a conversation (`TIMConvPinConversation`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::pin_conversation`]; -1 when not logged in.
    pub async fn pin_conversation(&self, id: &ConvId, pinned: bool) -> ImResult<()> {
        let id = id.clone();
        self.client
            .call_roaming(move |s| async move {
                s.convs.conversation(&id)?.ok_or_else(|| missing(&id))?;
                let cursor = roam(&s, ConvStateChange::Pin { conv: id, pinned }).await?;
                Ok((Some(cursor), ()))
            })
            .await
    }

    /// Sets or clears mark bits (`TIMConvMarkConversation`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::mark_conversations`]; -1 when not logged in.
    pub async fn mark_conversations(
        &self,
        ids: &[ConvId],
        mark_type: u64,
        enable: bool,
    ) -> ImResult<Vec<ConversationOperationResult>> {
        let ids = ids.to_vec();
        self.client
            .call_roaming(move |s| async move {
                MarkSet::from_request(mark_type)?;
                roam_existing(&s, &ids, |convs| ConvStateChange::Mark {
                    convs,
                    mark_type,
                    enable,
                })
                .await
            })
            .await
    }

    /// Sets custom data (`TIMConvSetConversationCustomData`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::set_custom_data`]; -1 when not logged in.
    pub async fn set_custom_data(
        &self,
        ids: &[ConvId],
        data: &str,
    ) -> ImResult<Vec<ConversationOperationResult>> {
        let ids = ids.to_vec();
        let data = data.to_owned();
        self.client
            .call_roaming(move |s| async move {
                roam_existing(&s, &ids, |convs| ConvStateChange::CustomData {
                    convs,
                    data,
                })
                .await
            })
            .await
    }

    /// Sets a draft (`TIMConvSetDraft`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::set_draft`]; -1 when not logged in.
    pub async fn set_draft(&self, id: &ConvId, draft: &Draft) -> ImResult<()> {
        let id = id.clone();
        let draft = draft.clone();
        self.client
            .call(move |s| async move { s.convs.set_draft(&id, &draft) })
            .await
    }

    /// Cancels a draft (`TIMConvCancelDraft`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::cancel_draft`]; -1 when not logged in.
    pub async fn cancel_draft(&self, id: &ConvId) -> ImResult<()> {
        let id = id.clone();
        self.client
            .call(move |s| async move { s.convs.cancel_draft(&id) })
            .await
    }

    /// Conversation group names (`TIMConvGetConversationGroupList`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::conversation_groups`]; -1 when not logged in.
    pub async fn conversation_groups(&self) -> ImResult<Vec<String>> {
        self.client
            .call(move |s| async move { s.convs.conversation_groups() })
            .await
    }

    /// Creates a conversation group (`TIMConvCreateConversationGroup`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::create_conversation_group`]; -1 when not logged in.
    pub async fn create_conversation_group(
        &self,
        name: &str,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        let name = name.to_owned();
        let ids = ids.to_vec();
        self.client
            .call_roaming(move |s| async move {
                im_conv::check_group_name(&name)?;
                // A group is created with at least one conversation that
                // exists here; otherwise nothing is created and each
                // conversation's result is 6004.
                roam_existing(&s, &ids, |convs| ConvStateChange::CreateGroup {
                    name,
                    convs,
                })
                .await
            })
            .await
    }

    /// Deletes a conversation group (`TIMConvDeleteConversationGroup`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::delete_conversation_group`]; -1 when not logged in.
    pub async fn delete_conversation_group(&self, name: &str) -> ImResult<()> {
        let name = name.to_owned();
        self.client
            .call_roaming(move |s| async move {
                let cursor = roam(&s, ConvStateChange::DeleteGroup { name }).await?;
                Ok((Some(cursor), ()))
            })
            .await
    }

    /// Renames a conversation group (`TIMConvRenameConversationGroup`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::rename_conversation_group`]; -1 when not logged in.
    pub async fn rename_conversation_group(&self, old: &str, new: &str) -> ImResult<()> {
        let (old, new) = (old.to_owned(), new.to_owned());
        self.client
            .call_roaming(move |s| async move {
                im_conv::check_group_name(&new)?;
                let cursor = roam(&s, ConvStateChange::RenameGroup { old, new }).await?;
                Ok((Some(cursor), ()))
            })
            .await
    }

    /// Adds conversations to a group (`TIMConvAddConversationsToGroup`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::add_conversations_to_group`]; -1 when not logged in.
    pub async fn add_conversations_to_group(
        &self,
        name: &str,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        self.change_membership(name, ids, true).await
    }

    /// Removes conversations from a group (`TIMConvDeleteConversationsFromGroup`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::remove_conversations_from_group`]; -1 when not logged in.
    pub async fn remove_conversations_from_group(
        &self,
        name: &str,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        self.change_membership(name, ids, false).await
    }

    /// Adds (`add`) or removes conversations of a group: on the server,
    /// then here.
    async fn change_membership(
        &self,
        name: &str,
        ids: &[ConvId],
        add: bool,
    ) -> ImResult<Vec<ConversationOperationResult>> {
        let name = name.to_owned();
        let ids = ids.to_vec();
        self.client
            .call_roaming(move |s| async move {
                let ids = im_conv::checked_ids(&ids)?;
                let sent = existing(&s, &ids)?;
                let cursor = match &sent {
                    Some(convs) => {
                        let convs = convs.clone();
                        let change = if add {
                            ConvStateChange::AddToGroup { name, convs }
                        } else {
                            ConvStateChange::RemoveFromGroup { name, convs }
                        };
                        Some(roam(&s, change).await?)
                    }
                    None => {
                        group_exists(&s, &name)?;
                        None
                    }
                };
                Ok((cursor, results(&ids, &sent)))
            })
            .await
    }

    /// Total unread (`TIMConvGetTotalUnreadMessageCount`); from then on total-unread events follow.
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::total_unread`]; -1 when not logged in.
    pub async fn total_unread(&self) -> ImResult<u64> {
        self.client
            .call(move |s| async move { s.convs.total_unread() })
            .await
    }

    /// Unread total of a filter (`TIMConvGetUnreadMessageCountByFilter`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::unread_by_filter`]; -1 when not logged in.
    pub async fn unread_by_filter(&self, filter: &ConvFilter) -> ImResult<u64> {
        let filter = filter.clone();
        self.client
            .call(move |s| async move { s.convs.unread_by_filter(&filter) })
            .await
    }

    /// Subscribes to a filter's unread total (`TIMConvSubscribeUnreadMessageCountByFilter`).
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::subscribe_unread_by_filter`]; -1 when not logged in.
    pub async fn subscribe_unread_by_filter(&self, filter: &ConvFilter) -> ImResult<()> {
        let filter = filter.clone();
        self.client
            .call(move |s| async move { s.convs.subscribe_unread_by_filter(&filter) })
            .await
    }

    /// Cleans unread counts (`TIMConvCleanConversationUnreadMessageCount`); returns how many conversations changed.
    ///
    /// # Errors
    /// As [`im_conv::ConversationService::clean_unread`]; -1 when not logged in.
    pub async fn clean_unread(
        &self,
        selector: &ConvSelector,
        clean_timestamp: u64,
        clean_sequence: u64,
    ) -> ImResult<usize> {
        let selector = selector.clone();
        self.client
            .call(move |s| async move {
                // Read positions roam: the ones this clean moves go to the
                // server (positions only move forward, so cleaning here
                // first is safe), which tells the other devices.
                let targets: Vec<ConvId> = match &selector {
                    ConvSelector::One(id) => vec![id.clone()],
                    other => {
                        let conv_type = match other {
                            ConvSelector::AllC2C => Some(ConvType::C2C),
                            ConvSelector::AllGroups => Some(ConvType::Group),
                            _ => None,
                        };
                        s.convs
                            .snapshot(&ConvFilter {
                                conv_type,
                                ..ConvFilter::all()
                            })?
                            .into_iter()
                            .filter(|c| c.unread_count > 0 || !c.group_at_infos.is_empty())
                            .map(|c| c.id)
                            .collect()
                    }
                };
                let changed = s
                    .convs
                    .clean_unread(&selector, clean_timestamp, clean_sequence)?;
                if changed > 0 {
                    let items = s
                        .convs
                        .snapshot_of(&targets)?
                        .into_iter()
                        .map(|c| ReadPosition {
                            conv: c.id,
                            read_time: c.c2c_read_timestamp,
                            read_seq: c.group_read_seq,
                        })
                        .collect();
                    s.transport.report_read(ReadReport { items }).await?;
                }
                Ok(changed)
            })
            .await
    }

    /// Ends a filter's unread subscription (`TIMConvUnsubscribeUnreadMessageCountByFilter`).
    ///
    /// # Errors
    /// -1 when not logged in.
    pub async fn unsubscribe_unread_by_filter(&self, filter: &ConvFilter) -> ImResult<()> {
        let filter = filter.clone();
        self.client
            .call(move |s| async move {
                s.convs.unsubscribe_unread_by_filter(&filter);
                Ok(())
            })
            .await
    }
}
