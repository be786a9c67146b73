//! Conversation drafts.
//!
//! A draft is local state; writing one counts as activity, so it moves the
//! conversation up the list (its `draft_edit_time` is the activity time).

use im_model::{ConvId, Draft, ImResult};
use im_store::Conversation;

use crate::service::ConversationService;

impl ConversationService {
    /// Sets a conversation's draft (`TIMConvSetDraft`), creating the
    /// conversation when needed (apps keep drafts for chats opened before
    /// any message). A missing or zero `draft_edit_time` becomes now.
    ///
    /// # Errors
    /// A storage failure.
    pub fn set_draft(&self, id: &ConvId, draft: &Draft) -> ImResult<()> {
        self.write(|txn| {
            let now = txn.now();
            let mut conv = match txn.get(id)? {
                Some(conv) => conv,
                None => Conversation::new(id.clone(), now),
            };
            let mut draft = draft.clone();
            if draft.edit_time.unwrap_or(0) == 0 {
                draft.edit_time = Some(now);
            }
            conv.draft = Some(draft);
            txn.put(conv);
            Ok(())
        })
    }

    /// Removes a conversation's draft (`TIMConvCancelDraft`); removing a
    /// draft that is not there changes nothing.
    ///
    /// # Errors
    /// `ERR_INVALID_CONVERSATION` (6004) when the conversation does not exist.
    pub fn cancel_draft(&self, id: &ConvId) -> ImResult<()> {
        self.write(|txn| {
            let mut conv = txn.existing(id)?;
            if conv.draft.take().is_some() {
                txn.put(conv);
            }
            Ok(())
        })
    }
}
