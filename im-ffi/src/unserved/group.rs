//! `TIMGroupManager.h`: the group functions this SDK does not serve
//! (attributes, counters, topics, member marks, online counts, search).
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

/// `TIMGroupCreateTopicInCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupCreateTopicInCommunity(
    group_id: *const c_char,
    json_topic_info: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupCreateTopicInCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupDecreaseGroupCounter`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupDecreaseGroupCounter(
    group_id: *const c_char,
    group_counter_key: *const c_char,
    group_counter_value: i64,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupDecreaseGroupCounter",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupDeleteGroupAttributes`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupDeleteGroupAttributes(
    group_id: *const c_char,
    json_keys: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupDeleteGroupAttributes",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupDeleteTopicFromCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupDeleteTopicFromCommunity(
    group_id: *const c_char,
    json_topic_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupDeleteTopicFromCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupGetGroupAttributes`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetGroupAttributes(
    group_id: *const c_char,
    json_keys: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupGetGroupAttributes",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupGetGroupCounters`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetGroupCounters(
    group_id: *const c_char,
    json_group_counter_key_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupGetGroupCounters",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupGetJoinedCommunityList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetJoinedCommunityList(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupGetJoinedCommunityList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupGetOnlineMemberCount`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetOnlineMemberCount(
    group_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupGetOnlineMemberCount",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupGetTopicInfoList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetTopicInfoList(
    group_id: *const c_char,
    json_topic_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupGetTopicInfoList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupIncreaseGroupCounter`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupIncreaseGroupCounter(
    group_id: *const c_char,
    group_counter_key: *const c_char,
    group_counter_value: i64,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupIncreaseGroupCounter",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupInitGroupAttributes`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupInitGroupAttributes(
    group_id: *const c_char,
    json_group_attributes: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupInitGroupAttributes",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupMarkGroupMemberList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupMarkGroupMemberList(
    group_id: *const c_char,
    member_array: *const c_char,
    mark_type: u32,
    enable_mark: TimBool,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupMarkGroupMemberList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupSearchGroupMembers`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupSearchGroupMembers(
    json_group_search_group_members_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupSearchGroupMembers",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupSearchGroups`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupSearchGroups(
    json_group_search_groups_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupSearchGroups",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupSetGroupAttributes`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupSetGroupAttributes(
    group_id: *const c_char,
    json_group_attributes: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupSetGroupAttributes",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupSetGroupCounters`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupSetGroupCounters(
    group_id: *const c_char,
    json_group_counter_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupSetGroupCounters",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGroupSetTopicInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupSetTopicInfo(
    json_topic_info: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGroupSetTopicInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSetGroupAttributeChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetGroupAttributeChangedCallback(
    cb: TIMGroupAttributeChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetGroupAttributeChangedCallback");
}

/// `TIMSetGroupCounterChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetGroupCounterChangedCallback(
    cb: TIMGroupCounterChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetGroupCounterChangedCallback");
}

/// `TIMSetGroupTopicChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetGroupTopicChangedCallback(
    cb: TIMGroupTopicChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetGroupTopicChangedCallback");
}

/// `TIMSetGroupTopicCreatedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetGroupTopicCreatedCallback(
    cb: TIMGroupTopicCreatedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetGroupTopicCreatedCallback");
}

/// `TIMSetGroupTopicDeletedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetGroupTopicDeletedCallback(
    cb: TIMGroupTopicDeletedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetGroupTopicDeletedCallback");
}
