//! App custom data on conversations.

use im_model::limits::MAX_CONVERSATION_CUSTOM_DATA_BYTES;
use im_model::{ConvId, ConversationOperationResult, ImError, ImResult};

use crate::id_list::{checked_ids, for_each_conversation};
use crate::service::ConversationService;

impl ConversationService {
    /// Sets the custom data of each conversation
    /// (`TIMConvSetConversationCustomData`), one result per conversation.
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` when `data` is over 256 bytes or the list is
    /// empty; 51006 for more than 100 conversations.
    pub fn set_custom_data(
        &self,
        ids: &[ConvId],
        data: &str,
    ) -> ImResult<Vec<ConversationOperationResult>> {
        if data.len() > MAX_CONVERSATION_CUSTOM_DATA_BYTES {
            return Err(ImError::invalid_param(format!(
                "custom data is {} bytes; at most {MAX_CONVERSATION_CUSTOM_DATA_BYTES} are allowed",
                data.len()
            )));
        }
        let ids = checked_ids(ids)?;
        self.write(|txn| {
            for_each_conversation(txn, &ids, |conv| {
                if conv.custom_data == data {
                    return false;
                }
                data.clone_into(&mut conv.custom_data);
                true
            })
        })
    }
}
