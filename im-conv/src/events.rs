//! Conversation events and their delivery.
//!
//! Every event is produced by the write path ([`crate::ConversationService::write`])
//! after the store committed, exactly once per change, and delivered in
//! commit order. Delivery happens with no SDK lock held, so a listener may
//! call back into the service; events raised by such a nested call are
//! queued and delivered after the current ones, never interleaved.

use im_model::{ConvId, ConvInfo, ConversationListFilter};

/// Why conversations left a conversation group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovedFromGroupReason {
    /// Removed by a call of the app (`reason` 0 in Tencent's 8.x callback).
    ByUser = 0,
    /// Evicted because the group was full (`reason` 1).
    Evicted = 1,
}

/// A change apps are told about; the Tencent callback each maps to is named.
#[derive(Debug, Clone, PartialEq)]
pub enum ConvEvent {
    /// Conversations were created (`kTIMConvEvent_Add`).
    Added(Vec<ConvInfo>),
    /// Conversations changed (`kTIMConvEvent_Update`).
    Updated(Vec<ConvInfo>),
    /// Conversations were deleted (`kTIMConvEvent_Del`).
    Deleted(Vec<ConvId>),
    /// The total unread count changed
    /// (`TIMSetConvTotalUnreadMessageCountChangedCallback`); raised only
    /// after the app asked for the total once.
    TotalUnreadChanged(u64),
    /// A subscribed filter's unread total changed
    /// (`TIMSetConvUnreadMessageCountChangedByFilterCallback`).
    UnreadByFilterChanged {
        /// The filter as subscribed.
        filter: ConversationListFilter,
        /// Its new total.
        total: u64,
    },
    /// A conversation group was created (`TIMSetConvConversationGroupCreatedCallback`).
    GroupCreated {
        /// Group name.
        name: String,
        /// Conversations put in it.
        conversations: Vec<ConvInfo>,
    },
    /// A conversation group was deleted (`TIMSetConvConversationGroupDeletedCallback`).
    GroupDeleted {
        /// Group name.
        name: String,
    },
    /// A conversation group was renamed (`TIMSetConvConversationGroupNameChangedCallback`).
    GroupRenamed {
        /// Old name.
        old: String,
        /// New name.
        new: String,
    },
    /// Conversations were added to a group (`TIMSetConvConversationsAddedToGroupCallback`).
    ConversationsAddedToGroup {
        /// Group name.
        name: String,
        /// Conversations added.
        conversations: Vec<ConvInfo>,
    },
    /// Conversations were removed from a group
    /// (`TIMSetConvConversationsDeletedFromGroupCallback`).
    ConversationsRemovedFromGroup {
        /// Group name.
        name: String,
        /// Conversations removed.
        conversations: Vec<ConvInfo>,
        /// Why.
        reason: RemovedFromGroupReason,
    },
}
