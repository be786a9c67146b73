//! Deleting messages: locally, from roaming storage, and whole histories.

use im_model::limits::MAX_MESSAGES_PER_LIST_DELETE;
use im_model::message::{Message, MsgDeleteParam};
use im_model::{ConvId, ImError, ImResult, MsgStatus};
use im_store::WriteOp;
use im_transport::DeleteRequest;

use crate::conv_update::{forget_unread, refresh_last_message};
use crate::service::MessageService;

impl MessageService {
    /// Deletes one message (`TIMMsgDelete`): locally, and from roaming
    /// storage too when `msg_delete_param_is_ramble` is true.
    ///
    /// # Errors
    /// 6017 when `msg_delete_param_msg` is missing or not stored in `conv`;
    /// the transport's error (nothing deleted then).
    pub async fn delete_message(&self, conv: &ConvId, param: &MsgDeleteParam) -> ImResult<()> {
        let message = param
            .msg
            .as_ref()
            .ok_or_else(|| ImError::invalid_param("msg_delete_param_msg is required"))?;
        let ids = self.stored_ids(conv, std::slice::from_ref(message))?;
        if param.ramble() {
            self.delete_remote(conv, &ids).await?;
        }
        self.delete_local(conv, &ids)
    }

    /// Deletes messages locally and from roaming storage
    /// (`TIMMsgListDelete`): at most 50 per call, at most one call per second.
    ///
    /// # Errors
    /// 6017 for an empty list, more than 50 messages, or one not stored in
    /// `conv`; 7008 when called again within a second; the transport's
    /// error (nothing deleted then).
    pub async fn delete_messages(&self, conv: &ConvId, messages: &[Message]) -> ImResult<()> {
        if messages.is_empty() || messages.len() > MAX_MESSAGES_PER_LIST_DELETE {
            return Err(ImError::invalid_param(format!(
                "between 1 and {MAX_MESSAGES_PER_LIST_DELETE} messages can be deleted per call, got {}",
                messages.len()
            )));
        }
        let ids = self.stored_ids(conv, messages)?;
        self.list_delete_rate.check(self.now())?;
        self.delete_remote(conv, &ids).await?;
        self.delete_local(conv, &ids)
    }

    /// Clears a conversation's messages locally and in roaming storage
    /// (`TIMMsgClearHistoryMessage`); the conversation stays, empty.
    ///
    /// # Errors
    /// The transport's error (nothing cleared then).
    pub async fn clear_history(&self, conv: &ConvId) -> ImResult<()> {
        self.transport.clear_history(conv.clone()).await?;
        self.commit(|batch, _| {
            batch.push(WriteOp::ClearMessages(conv.clone()));
            if let Some(mut c) = self.store.conversation(conv)? {
                c.last_message = None;
                c.unread_count = 0;
                c.unstored_unread = None;
                c.group_at_infos.clear();
                batch.put(c);
            }
            Ok(())
        })?;
        Ok(())
    }

    async fn delete_remote(&self, conv: &ConvId, ids: &[String]) -> ImResult<()> {
        self.transport
            .delete_messages(DeleteRequest {
                conv: conv.clone(),
                msg_ids: ids.to_vec(),
            })
            .await
    }

    /// Ids of `messages`, each of which must be stored in `conv`.
    fn stored_ids(&self, conv: &ConvId, messages: &[Message]) -> ImResult<Vec<String>> {
        let mut ids = Vec::with_capacity(messages.len());
        for m in messages {
            let id = m
                .msg_id
                .as_deref()
                .ok_or_else(|| ImError::invalid_param("message_msg_id is required"))?;
            let stored = self.store.message(id)?;
            let in_conv = stored.is_some_and(|s| {
                s.conv_id.as_deref() == Some(conv.peer()) && s.conv_type == Some(conv.conv_type())
            });
            if !in_conv {
                return Err(ImError::invalid_param(format!(
                    "message {id} is not stored in {conv}"
                )));
            }
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }

    /// Deletes stored messages with their effect on the conversation. A
    /// deleted message stays stored with status `kTIMMsg_Deleted` (4): the
    /// find functions return it as such (Tencent's headers), while history
    /// pages, search and unread counts leave it out.
    fn delete_local(&self, conv: &ConvId, ids: &[String]) -> ImResult<()> {
        self.commit(|batch, _| {
            let mut c = self.store.conversation(conv)?;
            for id in ids {
                let Some(before) = self.store.message(id)? else {
                    continue;
                };
                if let Some(c) = c.as_mut() {
                    forget_unread(c, &before);
                }
                let mut deleted = before;
                deleted.status = Some(MsgStatus::Deleted);
                batch.put_message(conv.clone(), deleted);
            }
            if let Some(mut c) = c {
                let touches_last = c
                    .last_message
                    .as_ref()
                    .and_then(|m| m.msg_id.as_ref())
                    .is_some_and(|last| ids.contains(last));
                if touches_last {
                    refresh_last_message(&*self.store, &mut c, ids)?;
                }
                batch.put(c);
            }
            Ok(())
        })?;
        Ok(())
    }
}
