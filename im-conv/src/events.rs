//! Conversation events and their delivery.
//!
//! Every event is produced by the write path ([`crate::ConversationService::write`])
//! after the store committed, exactly once per change, and delivered in
//! commit order. Delivery happens with no SDK lock held, so a listener may
//! call back into the service; events raised by such a nested call are
//! queued and delivered after the current ones, never interleaved.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

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

/// Receives conversation events.
pub trait ConversationListener: Send + Sync {
    /// Called once per event, in commit order, with no SDK lock held.
    fn on_event(&self, event: &ConvEvent);
}

/// Ordered, re-entrancy-safe event delivery to the registered listeners.
#[derive(Default)]
pub(crate) struct EventQueue {
    listeners: RwLock<Vec<Arc<dyn ConversationListener>>>,
    pending: Mutex<Pending>,
}

#[derive(Default)]
struct Pending {
    events: VecDeque<ConvEvent>,
    dispatching: bool,
}

impl Debug for EventQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventQueue").finish_non_exhaustive()
    }
}

/// Clears the "dispatching" flag when a listener panics, so a faulty
/// listener cannot stop delivery for good. On a normal exit the flag is
/// cleared under the same lock that saw the queue empty (see `dispatch`),
/// and the guard is disarmed.
struct PanicGuard<'a> {
    pending: &'a Mutex<Pending>,
    armed: bool,
}

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .dispatching = false;
        }
    }
}

impl EventQueue {
    pub(crate) fn add_listener(&self, listener: Arc<dyn ConversationListener>) {
        self.listeners
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(listener);
    }

    pub(crate) fn remove_listener(&self, listener: &Arc<dyn ConversationListener>) {
        self.listeners
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|l| !Arc::ptr_eq(l, listener));
    }

    /// Queues events; called under the writer lock so queue order is commit order.
    pub(crate) fn enqueue(&self, events: Vec<ConvEvent>) {
        if events.is_empty() {
            return;
        }
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .events
            .extend(events);
    }

    /// Delivers queued events unless another call on the stack (or another
    /// thread) is already delivering; that one will deliver them in order.
    pub(crate) fn dispatch(&self) {
        {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if pending.dispatching || pending.events.is_empty() {
                return;
            }
            pending.dispatching = true;
        }
        let mut guard = PanicGuard {
            pending: &self.pending,
            armed: true,
        };
        loop {
            let batch: Vec<ConvEvent> = {
                let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                if pending.events.is_empty() {
                    // Cleared under the lock that saw the queue empty: an
                    // enqueue after this point finds no dispatcher and
                    // dispatches itself.
                    pending.dispatching = false;
                    guard.armed = false;
                    return;
                }
                pending.events.drain(..).collect()
            };
            let listeners = self
                .listeners
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            for event in &batch {
                for listener in &listeners {
                    listener.on_event(event);
                }
            }
        }
    }
}
