//! TIMConversationManager.h: conversations, marks, conversation groups,
//! drafts, unread counts (spec 1.2, 1.3).

use std::ffi::{c_char, c_int, c_void};

use im_sdk::ConvFilter;
use im_sdk::im_model::{
    ConvId, ConvSelector, ConversationListFilter, Draft, GetConversationListParam, ImError,
    TotalUnreadResult,
};

use super::{empty, json, spawn, wait};
use crate::abi::*;
use crate::args::{self, Sync, call, guard, refuse};
use crate::registry::{registry, slot};

/// A filter object, validated (`TIM_ERR_PARAM` for what Tencent rejects).
///
/// # Safety
/// `ptr` is NULL or NUL-terminated.
unsafe fn filter(ptr: *const c_char) -> Sync<ConvFilter> {
    // SAFETY: forwarded.
    let wire: ConversationListFilter = unsafe { args::json(ptr, "filter") }?;
    ConvFilter::from_wire(&wire).map_err(|e| refuse(TIM_ERR_PARAM, e))
}

/// A group name argument.
///
/// # Safety
/// `ptr` is NULL or NUL-terminated.
unsafe fn name(ptr: *const c_char, what: &str) -> Sync<String> {
    // SAFETY: forwarded.
    unsafe { args::text(ptr, what) }.map(str::to_owned)
}

/// `int TIMConvGetConvList(TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvGetConvList(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvGetConvList", || {
        spawn(cb, user_data, |c| async move {
            json(c.conversations().conversation_list().await)
        })
    })
}

/// `int TIMConvGetConvInfo(const char* json_get_conv_list_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvGetConvInfo(
    json_get_conv_list_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvGetConvInfo", || {
        // SAFETY: the caller's contract.
        let params: Vec<GetConversationListParam> =
            unsafe { args::json(json_get_conv_list_param, "json_get_conv_list_param") }?;
        let ids = params
            .iter()
            .map(|p| {
                let raw_type = p.conv_type.map_or(0, |t| t.value() as c_int);
                let conv_type = args::conv_type(raw_type)?;
                ConvId::new(conv_type, p.conv_id.clone().unwrap_or_default())
                    .map_err(|e| refuse(TIM_ERR_CONV, e))
            })
            .collect::<Sync<Vec<_>>>()?;
        spawn(cb, user_data, |c| async move {
            json(c.conversations().conversation_infos(&ids).await)
        })
    })
}

/// `int TIMConvGetConversationListByFilter(const char* filter, uint64_t next_seq, uint32_t count, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvGetConversationListByFilter(
    filter: *const c_char,
    next_seq: u64,
    count: u32,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvGetConversationListByFilter", || {
        // SAFETY: the caller's contract.
        let filter = unsafe { self::filter(filter) }?;
        spawn(cb, user_data, |c| async move {
            json(
                c.conversations()
                    .conversation_list_by_filter(&filter, next_seq, count)
                    .await,
            )
        })
    })
}

/// `int TIMConvDelete(const char* conv_id, enum TIMConvType conv_type, TIMCommCallback cb, const void* user_data);`
///
/// Deletes the conversation and its messages, here and on the server.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvDelete(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvDelete", || {
        // SAFETY: the caller's contract.
        let id = unsafe { args::conv(conv_id, conv_type) }?;
        spawn(cb, user_data, |c| async move {
            let results = c
                .conversations()
                .delete_conversations_with_messages(std::slice::from_ref(&id), true)
                .await?;
            match results.into_iter().find(|r| !r.is_ok()) {
                None => Ok(String::new()),
                Some(failed) => Err(ImError::new(
                    im_sdk::im_model::ErrorCode::from_code(failed.result_code.unwrap_or(6017)),
                    failed.result_info.unwrap_or_default(),
                )),
            }
        })
    })
}

/// `int TIMConvDeleteConversationList(const char* conversation_id_array, bool clear_message, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvDeleteConversationList(
    conversation_id_array: *const c_char,
    clear_message: TimBool,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvDeleteConversationList", || {
        // SAFETY: the caller's contract.
        let ids = unsafe { args::prefixed_ids(conversation_id_array, "conversation_id_array") }?;
        let clear = truth(clear_message);
        spawn(cb, user_data, |c| async move {
            json(
                c.conversations()
                    .delete_conversations_with_messages(&ids, clear)
                    .await,
            )
        })
    })
}

/// `int TIMConvSetDraft(const char* conv_id, enum TIMConvType conv_type, const char* json_draft_param);`
///
/// Synchronous: the draft is stored when it returns `TIM_SUCC`.
///
/// # Safety
/// Strings NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvSetDraft(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_draft_param: *const c_char,
) -> c_int {
    call("TIMConvSetDraft", || {
        // SAFETY: the caller's contract.
        let id = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let mut draft: Draft = unsafe { args::json(json_draft_param, "json_draft_param") }?;
        if let Some(m) = draft.msg.as_mut() {
            m.clear_unset_defaults();
        }
        wait(|c| async move { c.conversations().set_draft(&id, &draft).await })
    })
}

/// `int TIMConvCancelDraft(const char* conv_id, enum TIMConvType conv_type);` (synchronous)
///
/// # Safety
/// Strings NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvCancelDraft(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
) -> c_int {
    call("TIMConvCancelDraft", || {
        // SAFETY: the caller's contract.
        let id = unsafe { args::conv(conv_id, conv_type) }?;
        wait(|c| async move { c.conversations().cancel_draft(&id).await })
    })
}

/// `int TIMConvSetConversationCustomData(const char* conversation_id_array, const char* custom_data, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvSetConversationCustomData(
    conversation_id_array: *const c_char,
    custom_data: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvSetConversationCustomData", || {
        // SAFETY: the caller's contract.
        let ids = unsafe { args::prefixed_ids(conversation_id_array, "conversation_id_array") }?;
        // SAFETY: the caller's contract; NULL clears the data.
        let data = unsafe { args::opt_text(custom_data, "custom_data") }?
            .unwrap_or("")
            .to_owned();
        spawn(cb, user_data, |c| async move {
            json(c.conversations().set_custom_data(&ids, &data).await)
        })
    })
}

/// `int TIMConvPinConversation(const char* conv_id, TIMConvType conv_type, bool is_pinned, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvPinConversation(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    is_pinned: TimBool,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvPinConversation", || {
        // SAFETY: the caller's contract.
        let id = unsafe { args::conv(conv_id, conv_type) }?;
        let pinned = truth(is_pinned);
        spawn(cb, user_data, |c| async move {
            empty(c.conversations().pin_conversation(&id, pinned).await)
        })
    })
}

/// `int TIMConvMarkConversation(const char* conversation_id_array, uint64_t mark_type, bool enable_mark, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvMarkConversation(
    conversation_id_array: *const c_char,
    mark_type: u64,
    enable_mark: TimBool,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvMarkConversation", || {
        // SAFETY: the caller's contract.
        let ids = unsafe { args::prefixed_ids(conversation_id_array, "conversation_id_array") }?;
        let enable = truth(enable_mark);
        spawn(cb, user_data, |c| async move {
            json(
                c.conversations()
                    .mark_conversations(&ids, mark_type, enable)
                    .await,
            )
        })
    })
}

/// The total-unread result object.
fn unread(total: u64) -> TotalUnreadResult {
    TotalUnreadResult {
        unread_count: Some(total),
        ..TotalUnreadResult::default()
    }
}

/// `int TIMConvGetTotalUnreadMessageCount(TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvGetTotalUnreadMessageCount(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvGetTotalUnreadMessageCount", || {
        spawn(cb, user_data, |c| async move {
            json(c.conversations().total_unread().await.map(unread))
        })
    })
}

/// `int TIMConvGetUnreadMessageCountByFilter(const char* filter, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvGetUnreadMessageCountByFilter(
    filter: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvGetUnreadMessageCountByFilter", || {
        // SAFETY: the caller's contract.
        let filter = unsafe { self::filter(filter) }?;
        spawn(cb, user_data, |c| async move {
            json(
                c.conversations()
                    .unread_by_filter(&filter)
                    .await
                    .map(unread),
            )
        })
    })
}

/// `int TIMConvSubscribeUnreadMessageCountByFilter(const char* filter);` (synchronous)
///
/// # Safety
/// `filter` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvSubscribeUnreadMessageCountByFilter(
    filter: *const c_char,
) -> c_int {
    call("TIMConvSubscribeUnreadMessageCountByFilter", || {
        // SAFETY: the caller's contract.
        let filter = unsafe { self::filter(filter) }?;
        wait(|c| async move { c.conversations().subscribe_unread_by_filter(&filter).await })
    })
}

/// `int TIMConvUnsubscribeUnreadMessageCountByFilter(const char* filter);` (synchronous)
///
/// # Safety
/// `filter` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvUnsubscribeUnreadMessageCountByFilter(
    filter: *const c_char,
) -> c_int {
    call("TIMConvUnsubscribeUnreadMessageCountByFilter", || {
        // SAFETY: the caller's contract.
        let filter = unsafe { self::filter(filter) }?;
        wait(|c| async move {
            c.conversations()
                .unsubscribe_unread_by_filter(&filter)
                .await
        })
    })
}

/// `int TIMConvCleanConversationUnreadMessageCount(const char* conversation_id, uint64_t clean_timestamp, uint64_t clean_sequence, TIMCommCallback cb, const void* user_data);`
///
/// `conversation_id`: a prefixed id, `"c2c"`, `"group"`, or `""`/NULL for all.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvCleanConversationUnreadMessageCount(
    conversation_id: *const c_char,
    clean_timestamp: u64,
    clean_sequence: u64,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvCleanConversationUnreadMessageCount", || {
        // SAFETY: the caller's contract.
        let selector = unsafe { args::opt_text(conversation_id, "conversation_id") }?.unwrap_or("");
        let selector = ConvSelector::parse(selector).map_err(|e| refuse(TIM_ERR_PARAM, e))?;
        spawn(cb, user_data, |c| async move {
            c.conversations()
                .clean_unread(&selector, clean_timestamp, clean_sequence)
                .await
                .map(|_| String::new())
        })
    })
}

/// `int TIMConvCreateConversationGroup(const char* group_name, const char* conversation_id_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvCreateConversationGroup(
    group_name: *const c_char,
    conversation_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvCreateConversationGroup", || {
        // SAFETY: the caller's contract.
        let name = unsafe { name(group_name, "group_name") }?;
        // SAFETY: the caller's contract.
        let ids = unsafe { args::prefixed_ids(conversation_id_array, "conversation_id_array") }?;
        spawn(cb, user_data, |c| async move {
            json(
                c.conversations()
                    .create_conversation_group(&name, &ids)
                    .await,
            )
        })
    })
}

/// `int TIMConvGetConversationGroupList(TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvGetConversationGroupList(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvGetConversationGroupList", || {
        spawn(cb, user_data, |c| async move {
            json(c.conversations().conversation_groups().await)
        })
    })
}

/// `int TIMConvDeleteConversationGroup(const char* group_name, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvDeleteConversationGroup(
    group_name: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvDeleteConversationGroup", || {
        // SAFETY: the caller's contract.
        let name = unsafe { name(group_name, "group_name") }?;
        spawn(cb, user_data, |c| async move {
            empty(c.conversations().delete_conversation_group(&name).await)
        })
    })
}

/// `int TIMConvRenameConversationGroup(const char* old_name, const char* new_name, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvRenameConversationGroup(
    old_name: *const c_char,
    new_name: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvRenameConversationGroup", || {
        // SAFETY: the caller's contract.
        let old = unsafe { name(old_name, "old_name") }?;
        // SAFETY: the caller's contract.
        let new = unsafe { name(new_name, "new_name") }?;
        spawn(cb, user_data, |c| async move {
            empty(
                c.conversations()
                    .rename_conversation_group(&old, &new)
                    .await,
            )
        })
    })
}

/// `int TIMConvAddConversationsToGroup(const char* group_name, const char* conversation_id_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvAddConversationsToGroup(
    group_name: *const c_char,
    conversation_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvAddConversationsToGroup", || {
        // SAFETY: the caller's contract.
        let name = unsafe { name(group_name, "group_name") }?;
        // SAFETY: the caller's contract.
        let ids = unsafe { args::prefixed_ids(conversation_id_array, "conversation_id_array") }?;
        spawn(cb, user_data, |c| async move {
            json(
                c.conversations()
                    .add_conversations_to_group(&name, &ids)
                    .await,
            )
        })
    })
}

/// `int TIMConvDeleteConversationsFromGroup(const char* group_name, const char* conversation_id_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvDeleteConversationsFromGroup(
    group_name: *const c_char,
    conversation_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvDeleteConversationsFromGroup", || {
        // SAFETY: the caller's contract.
        let name = unsafe { name(group_name, "group_name") }?;
        // SAFETY: the caller's contract.
        let ids = unsafe { args::prefixed_ids(conversation_id_array, "conversation_id_array") }?;
        spawn(cb, user_data, |c| async move {
            json(
                c.conversations()
                    .remove_conversations_from_group(&name, &ids)
                    .await,
            )
        })
    })
}

/// `int TIMConvCreate(const char* conv_id, enum TIMConvType conv_type, TIMCommCallback cb, const void* user_data);` (deprecated)
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMConvCreate(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMConvCreate", || {
        // SAFETY: the caller's contract.
        let id = unsafe { args::conv(conv_id, conv_type) }?;
        spawn(cb, user_data, |c| async move {
            json(c.conversations().create_conversation(&id).await)
        })
    })
}

/// `void TIMSetConvEventCallback(TIMConvEventCallback cb, const void* user_data);`
///
/// Add, update and delete carry a JSON array of ConvInfo (a deleted one
/// with its `conv_id` and `conv_type`); start and finish carry `""`.
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvEventCallback(
    cb: TIMConvEventCallback,
    user_data: *const c_void,
) {
    guard("TIMSetConvEventCallback", (), || {
        registry().conv_event = slot(cb, user_data)
    });
}

/// `void TIMSetConvTotalUnreadMessageCountChangedCallback(TIMConvTotalUnreadMessageCountChangedCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvTotalUnreadMessageCountChangedCallback(
    cb: TIMConvTotalUnreadMessageCountChangedCallback,
    user_data: *const c_void,
) {
    guard(
        "TIMSetConvTotalUnreadMessageCountChangedCallback",
        (),
        || registry().total_unread = slot(cb, user_data),
    );
}

/// `void TIMSetConvUnreadMessageCountChangedByFilterCallback(TIMConvTotalUnreadMessageCountChangedByFilterCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvUnreadMessageCountChangedByFilterCallback(
    cb: TIMConvTotalUnreadMessageCountChangedByFilterCallback,
    user_data: *const c_void,
) {
    guard(
        "TIMSetConvUnreadMessageCountChangedByFilterCallback",
        (),
        || registry().unread_by_filter = slot(cb, user_data),
    );
}

/// `void TIMSetConvConversationGroupCreatedCallback(TIMConvConversationGroupCreatedCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvConversationGroupCreatedCallback(
    cb: TIMConvConversationGroupCreatedCallback,
    user_data: *const c_void,
) {
    guard("TIMSetConvConversationGroupCreatedCallback", (), || {
        registry().group_created = slot(cb, user_data)
    });
}

/// `void TIMSetConvConversationGroupDeletedCallback(TIMConvConversationGroupDeletedCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvConversationGroupDeletedCallback(
    cb: TIMConvConversationGroupDeletedCallback,
    user_data: *const c_void,
) {
    guard("TIMSetConvConversationGroupDeletedCallback", (), || {
        registry().group_deleted = slot(cb, user_data)
    });
}

/// `void TIMSetConvConversationGroupNameChangedCallback(TIMConvConversationGroupNameChangedCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvConversationGroupNameChangedCallback(
    cb: TIMConvConversationGroupNameChangedCallback,
    user_data: *const c_void,
) {
    guard("TIMSetConvConversationGroupNameChangedCallback", (), || {
        registry().group_renamed = slot(cb, user_data)
    });
}

/// `void TIMSetConvConversationsAddedToGroupCallback(TIMConvConversationsAddedToGroupCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvConversationsAddedToGroupCallback(
    cb: TIMConvConversationsAddedToGroupCallback,
    user_data: *const c_void,
) {
    guard("TIMSetConvConversationsAddedToGroupCallback", (), || {
        registry().added_to_group = slot(cb, user_data)
    });
}

/// `void TIMSetConvConversationsDeletedFromGroupCallback(TIMConvConversationsDeletedFromGroupCallback cb, const void* user_data);`
///
/// Called with the 7.x prototype (group name, conversation array,
/// user_data): the one the Electron and Unity wrappers of this API
/// generation declare; 8.x added a `reason` before `user_data`.
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConvConversationsDeletedFromGroupCallback(
    cb: TIMConvConversationsDeletedFromGroupCallback,
    user_data: *const c_void,
) {
    guard(
        "TIMSetConvConversationsDeletedFromGroupCallback",
        (),
        || registry().removed_from_group = slot(cb, user_data),
    );
}
