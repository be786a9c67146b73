//! Pinning conversations to the top of the list.

use im_model::{ConvId, ImResult};

use crate::service::ConversationService;

impl ConversationService {
    /// Pins or unpins a conversation (`TIMConvPinConversation`). Pinned
    /// conversations come before all others, newest first among themselves.
    ///
    /// # Errors
    /// `ERR_INVALID_CONVERSATION` (6004) when the conversation does not exist.
    pub fn pin_conversation(&self, id: &ConvId, pinned: bool) -> ImResult<()> {
        self.write(|txn| {
            let mut conv = txn.existing(id)?;
            if conv.pinned != pinned {
                conv.pinned = pinned;
                txn.put(conv);
            }
            Ok(())
        })
    }
}
