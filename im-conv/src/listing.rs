//! Reading conversations: the full list, by id, and filtered pages.

use im_model::limits::MAX_CONVERSATION_PAGE;
use im_model::{ConvId, ConvInfo, ConversationListResult, ImError, ImResult};
use im_store::{ConvFilter, ConvQuery, Conversation, VersionRange};

use crate::service::ConversationService;

impl ConversationService {
    /// Every listed conversation in list order (`TIMConvGetConvList`):
    /// pinned first, then latest activity; hidden conversations left out.
    ///
    /// # Errors
    /// A storage failure.
    pub fn conversation_list(&self) -> ImResult<Vec<ConvInfo>> {
        Ok(self
            .store
            .list_conversations(&ConvQuery {
                filter: &ConvFilter::all(),
                after: None,
                versions: VersionRange::Any,
                limit: usize::MAX,
            })?
            .iter()
            .map(Conversation::to_conv_info)
            .collect())
    }

    /// One conversation, if it exists.
    ///
    /// # Errors
    /// A storage failure.
    pub fn conversation(&self, id: &ConvId) -> ImResult<Option<ConvInfo>> {
        Ok(self
            .store
            .conversation(id)?
            .as_ref()
            .map(Conversation::to_conv_info))
    }

    /// The conversations among `ids` that exist, in the order asked
    /// (`TIMConvGetConvInfo`); hidden ones included.
    ///
    /// # Errors
    /// A storage failure.
    pub fn conversation_infos(&self, ids: &[ConvId]) -> ImResult<Vec<ConvInfo>> {
        self.infos(ids)
    }

    /// One page of the conversations listed by `filter`
    /// (`TIMConvGetConversationListByFilter`). Start with `next_seq` 0 and
    /// continue with the returned `next_seq` until `is_finished`; the
    /// guarantees are those of [`crate::paging`]. A `count` above
    /// [`MAX_CONVERSATION_PAGE`] is served as that many.
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` for `count` 0, or an unknown or expired
    /// `next_seq`, or one from a walk with another filter.
    pub fn conversation_list_by_filter(
        &self,
        filter: &ConvFilter,
        next_seq: u64,
        count: u32,
    ) -> ImResult<ConversationListResult> {
        if count == 0 {
            return Err(ImError::invalid_param("count must be at least 1"));
        }
        // A page size is clamped, never trusted to size anything.
        let count = count.min(MAX_CONVERSATION_PAGE);
        // Paging reads under the writer lock so that no commit lands
        // between the page's reads and its bookkeeping.
        let mut writer = self.lock_writer();
        let watermark = writer.last_version;
        let page = writer
            .walks
            .page(&*self.store, filter, next_seq, count as usize, watermark)?;
        Ok(ConversationListResult {
            conv_list: Some(
                page.conversations
                    .iter()
                    .map(Conversation::to_conv_info)
                    .collect(),
            ),
            next_seq: Some(page.next_seq),
            is_finished: Some(page.is_finished),
            ..ConversationListResult::default()
        })
    }
}
