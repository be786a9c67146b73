//! `TIMMessageManager.h`: message extensions, reactions, pinned group messages, cloud search, translation and voice to text. Not served by this SDK.
//!
//! Every function is exported with Tencent's exact prototype, because a
//! wrapper that binds a missing symbol takes its host process down. A
//! call fails cleanly through its callback (see `super::refuse`); a
//! callback setter is accepted and its callback never fires. Written from
//! the table `abi/functions.txt`, which `tests/abi.rs` checks.

#![allow(unused_variables)]

use std::ffi::{c_char, c_int, c_void};

#[allow(unused_imports)]
use crate::abi::*;

/// `TIMGetPinnedGroupMessageList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetPinnedGroupMessageList(
    group_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetPinnedGroupMessageList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgAddMessageReaction`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgAddMessageReaction(
    json_msg: *const c_char,
    reaction_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgAddMessageReaction",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgConvertVoiceToText`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SVR_COMM_INVALID_SERVICE`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgConvertVoiceToText(
    url: *const c_char,
    language: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgConvertVoiceToText",
        ERR_SVR_COMM_INVALID_SERVICE,
        cb,
        user_data,
    )
}

/// `TIMMsgDeleteMessageExtensions`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgDeleteMessageExtensions(
    json_msg: *const c_char,
    json_extension_key_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgDeleteMessageExtensions",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgGetAllUserListOfMessageReaction`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetAllUserListOfMessageReaction(
    json_msg: *const c_char,
    reaction_id: *const c_char,
    next_seq: u32,
    count: u32,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgGetAllUserListOfMessageReaction",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgGetMessageExtensions`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetMessageExtensions(
    json_msg: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgGetMessageExtensions",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgGetMessageReactions`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetMessageReactions(
    json_msg_array: *const c_char,
    max_user_count_per_reaction: u32,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgGetMessageReactions",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgRemoveMessageReaction`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgRemoveMessageReaction(
    json_msg: *const c_char,
    reaction_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgRemoveMessageReaction",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgSearchCloudMessages`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SVR_COMM_INVALID_SERVICE`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSearchCloudMessages(
    json_search_message_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgSearchCloudMessages",
        ERR_SVR_COMM_INVALID_SERVICE,
        cb,
        user_data,
    )
}

/// `TIMMsgSetMessageExtensions`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSetMessageExtensions(
    json_msg: *const c_char,
    json_extension_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgSetMessageExtensions",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMMsgTranslateText`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SVR_COMM_INVALID_SERVICE`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgTranslateText(
    json_source_text_array: *const c_char,
    source_language: *const c_char,
    target_language: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMMsgTranslateText",
        ERR_SVR_COMM_INVALID_SERVICE,
        cb,
        user_data,
    )
}

/// `TIMPinGroupMessage`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMPinGroupMessage(
    group_id: *const c_char,
    json_msg: *const c_char,
    is_pinned: TimBool,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMPinGroupMessage",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSetMsgAllMessageReceiveOptionCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgAllMessageReceiveOptionCallback(
    cb: TIMMsgAllMessageReceiveOptionCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMsgAllMessageReceiveOptionCallback");
}

/// `TIMSetMsgExtensionsChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgExtensionsChangedCallback(
    cb: TIMMsgExtensionsChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMsgExtensionsChangedCallback");
}

/// `TIMSetMsgExtensionsDeletedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgExtensionsDeletedCallback(
    cb: TIMMsgExtensionsDeletedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMsgExtensionsDeletedCallback");
}

/// `TIMSetMsgGroupPinnedMessageChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgGroupPinnedMessageChangedCallback(
    cb: TIMMsgGroupPinnedMessageChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMsgGroupPinnedMessageChangedCallback");
}

/// `TIMSetMsgReactionsChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgReactionsChangedCallback(
    cb: TIMMsgReactionsChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMsgReactionsChangedCallback");
}
