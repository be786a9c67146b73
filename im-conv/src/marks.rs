//! Conversation marks.

use im_model::{ConvId, ConversationOperationResult, ImResult, MarkSet};

use crate::id_list::{checked_ids, for_each_conversation};
use crate::service::ConversationService;

impl ConversationService {
    /// Sets (`enable`) or clears the mark bits `mark_type` on each
    /// conversation (`TIMConvMarkConversation`), one result per
    /// conversation. Marks are records only: the Unread mark does not
    /// change the unread count.
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` for mark bits outside 0-3 and 32-63, for 0,
    /// or for an empty list; 51006 for more than 100 conversations.
    pub fn mark_conversations(
        &self,
        ids: &[ConvId],
        mark_type: u64,
        enable: bool,
    ) -> ImResult<Vec<ConversationOperationResult>> {
        let marks = MarkSet::from_request(mark_type)?;
        let ids = checked_ids(ids)?;
        self.write(|txn| {
            for_each_conversation(txn, &ids, |conv| {
                let before = conv.marks;
                conv.marks.set(marks, enable);
                conv.marks != before
            })
        })
    }
}
