//! The app's notification callbacks: one slot per `TIMSet...Callback`
//! (replaced on each call, emptied by NULL), and the list of new-message
//! listeners (`TIMAddRecvNewMsgCallback`).
//!
//! The registry outlives `TIMInit`/`TIMUninit`: wrappers set callbacks
//! before init and clear them (with NULL) before uninit. It is read on the
//! callback thread: a slot is copied out and the lock released before the
//! app's function runs, so a callback may set callbacks itself.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::abi::*;
use crate::dispatch::UserData;

/// One registered callback and its `user_data`.
pub(crate) type Slot<F> = Option<(F, UserData)>;

macro_rules! registry {
    ($($(#[$doc:meta])* $field:ident: $ty:ident,)*) => {
        /// Every notification callback the SDK raises.
        #[derive(Debug)]
        pub(crate) struct Registry {
            $($(#[$doc])* pub(crate) $field: Slot<<$ty as Callable>::Fn>,)*
            /// `TIMAddRecvNewMsgCallback` listeners, in the order added.
            pub(crate) new_message: Vec<(<TIMRecvNewMsgCallback as Callable>::Fn, UserData)>,
        }

        impl Registry {
            const fn empty() -> Registry {
                Registry { $($field: None,)* new_message: Vec::new() }
            }
        }
    };
}

/// A nullable callback type and the function pointer inside it.
pub(crate) trait Callable {
    /// The non-null function pointer.
    type Fn: Copy;
}

impl<F: Copy> Callable for Option<F> {
    type Fn = F;
}

registry! {
    /// `TIMSetConvEventCallback`.
    conv_event: TIMConvEventCallback,
    /// `TIMSetConvTotalUnreadMessageCountChangedCallback`.
    total_unread: TIMConvTotalUnreadMessageCountChangedCallback,
    /// `TIMSetConvUnreadMessageCountChangedByFilterCallback`.
    unread_by_filter: TIMConvTotalUnreadMessageCountChangedByFilterCallback,
    /// `TIMSetConvConversationGroupCreatedCallback`.
    group_created: TIMConvConversationGroupCreatedCallback,
    /// `TIMSetConvConversationGroupDeletedCallback`.
    group_deleted: TIMConvConversationGroupDeletedCallback,
    /// `TIMSetConvConversationGroupNameChangedCallback`.
    group_renamed: TIMConvConversationGroupNameChangedCallback,
    /// `TIMSetConvConversationsAddedToGroupCallback`.
    added_to_group: TIMConvConversationsAddedToGroupCallback,
    /// `TIMSetConvConversationsDeletedFromGroupCallback`.
    removed_from_group: TIMConvConversationsDeletedFromGroupCallback,
    /// `TIMSetMsgReadedReceiptCallback`.
    read_receipt: TIMMsgReadedReceiptCallback,
    /// `TIMSetMsgRevokeCallback`.
    revoke: TIMMsgRevokeCallback,
    /// `TIMSetMsgUpdateCallback`.
    message_update: TIMMsgUpdateCallback,
    /// `TIMSetMsgElemUploadProgressCallback`.
    upload_progress: TIMMsgElemUploadProgressCallback,
    /// `TIMSetNetworkStatusListenerCallback`.
    network: TIMNetworkStatusListenerCallback,
    /// `TIMSetKickedOfflineCallback`.
    kicked_offline: TIMKickedOfflineCallback,
    /// `TIMSetUserSigExpiredCallback`.
    user_sig_expired: TIMUserSigExpiredCallback,
    /// `TIMSetLogCallback`.
    log: TIMLogCallback,
    /// `TIMSetSelfInfoUpdatedCallback`.
    self_info_updated: TIMSelfInfoUpdatedCallback,
    /// `TIMSetUserInfoChangedCallback`.
    user_info_changed: TIMUserInfoChangedCallback,
    /// `TIMSetGroupTipsEventCallback`.
    group_tips: TIMGroupTipsEventCallback,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry::empty());

/// The registry, for a short read or write (never held while app code runs).
pub(crate) fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A slot's new value from a setter's arguments (NULL empties it).
pub(crate) fn slot<F: Copy>(callback: Option<F>, user_data: *const std::ffi::c_void) -> Slot<F> {
    callback.map(|f| (f, UserData(user_data)))
}

/// Adds a new-message listener; adding the same function again only
/// replaces its `user_data` (Tencent compares listeners by function).
pub(crate) fn add_new_message_listener(
    callback: TIMRecvNewMsgCallback,
    user_data: *const std::ffi::c_void,
) {
    let Some(f) = callback else { return };
    let mut r = registry();
    let entry = (f, UserData(user_data));
    match r
        .new_message
        .iter_mut()
        .find(|(g, _)| std::ptr::fn_addr_eq(*g, f))
    {
        Some(existing) => *existing = entry,
        None => r.new_message.push(entry),
    }
}

/// Removes a new-message listener by its function.
pub(crate) fn remove_new_message_listener(callback: TIMRecvNewMsgCallback) {
    let Some(f) = callback else { return };
    registry()
        .new_message
        .retain(|(g, _)| !std::ptr::fn_addr_eq(*g, f));
}
