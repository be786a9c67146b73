//! Creating and deleting conversations.

use im_model::{ConvId, ConvInfo, ConversationOperationResult, ImResult};
use im_store::Conversation;

use crate::id_list::checked_ids;
use crate::service::ConversationService;

impl ConversationService {
    /// Gets a conversation, creating it when it does not exist
    /// (`TIMConvCreate`); a created one raises [`crate::ConvEvent::Added`].
    ///
    /// # Errors
    /// A storage failure.
    pub fn create_conversation(&self, id: &ConvId) -> ImResult<ConvInfo> {
        self.write(|txn| {
            if let Some(existing) = txn.get(id)? {
                return Ok(existing.to_conv_info());
            }
            let conv = Conversation::new(id.clone(), txn.now());
            let info = conv.to_conv_info();
            txn.put(conv);
            Ok(info)
        })
        // The returned info carries version-free data, so it equals what was stored.
    }

    /// Deletes a conversation (`TIMConvDelete`) with its mark, group
    /// memberships, draft and custom data; raises [`crate::ConvEvent::Deleted`].
    /// Its messages are the message layer's to delete.
    ///
    /// # Errors
    /// `ERR_INVALID_CONVERSATION` (6004) when it does not exist.
    pub fn delete_conversation(&self, id: &ConvId) -> ImResult<()> {
        self.write(|txn| {
            txn.existing(id)?;
            txn.delete(id.clone());
            Ok(())
        })
    }

    /// Deletes several conversations (`TIMConvDeleteConversationList`), with
    /// one result per conversation (6004 for a missing one).
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` for an empty list; 51006 for more than 100.
    pub fn delete_conversations(
        &self,
        ids: &[ConvId],
    ) -> ImResult<Vec<ConversationOperationResult>> {
        let ids = checked_ids(ids)?;
        self.write(|txn| {
            let mut results = Vec::with_capacity(ids.len());
            for id in &ids {
                match txn.existing(id) {
                    Ok(_) => {
                        txn.delete(id.clone());
                        results.push(ConversationOperationResult::ok(id.to_prefixed()));
                    }
                    Err(e) if e.code == im_model::ErrorCode::InvalidConversation => {
                        results.push(ConversationOperationResult::failed(id.to_prefixed(), &e));
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(results)
        })
    }
}
