//! `TIMCommunityManager.h`: communities (topics, permission groups). Not served by this SDK.
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

/// `TIMCommunityAddCommunityMembersToPermissionGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityAddCommunityMembersToPermissionGroup(
    group_id: *const c_char,
    permission_group_id: *const c_char,
    json_member_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityAddCommunityMembersToPermissionGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityAddTopicPermissionToPermissionGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityAddTopicPermissionToPermissionGroup(
    group_id: *const c_char,
    permission_group_id: *const c_char,
    json_topic_permission_map: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityAddTopicPermissionToPermissionGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityCreate`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityCreate(
    json_group_create_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityCreate",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityCreatePermissionGroupInCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityCreatePermissionGroupInCommunity(
    json_permission_group_info: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityCreatePermissionGroupInCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityCreateTopicInCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityCreateTopicInCommunity(
    group_id: *const c_char,
    json_topic_info: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityCreateTopicInCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityDeletePermissionGroupFromCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityDeletePermissionGroupFromCommunity(
    group_id: *const c_char,
    json_permission_group_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityDeletePermissionGroupFromCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityDeleteTopicFromCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityDeleteTopicFromCommunity(
    group_id: *const c_char,
    json_topic_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityDeleteTopicFromCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityDeleteTopicPermissionFromPermissionGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityDeleteTopicPermissionFromPermissionGroup(
    group_id: *const c_char,
    permission_group_id: *const c_char,
    json_topic_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityDeleteTopicPermissionFromPermissionGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityGetCommunityMemberListInPermissionGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityGetCommunityMemberListInPermissionGroup(
    group_id: *const c_char,
    permission_group_id: *const c_char,
    next_cursor: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityGetCommunityMemberListInPermissionGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityGetJoinedCommunityList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityGetJoinedCommunityList(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityGetJoinedCommunityList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityGetJoinedPermissionGroupListInCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityGetJoinedPermissionGroupListInCommunity(
    group_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityGetJoinedPermissionGroupListInCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityGetPermissionGroupListInCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityGetPermissionGroupListInCommunity(
    group_id: *const c_char,
    json_permission_group_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityGetPermissionGroupListInCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityGetTopicInfoList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityGetTopicInfoList(
    group_id: *const c_char,
    json_topic_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityGetTopicInfoList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityGetTopicPermissionInPermissionGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityGetTopicPermissionInPermissionGroup(
    group_id: *const c_char,
    permission_group_id: *const c_char,
    json_topic_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityGetTopicPermissionInPermissionGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityModifyPermissionGroupInfoInCommunity`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityModifyPermissionGroupInfoInCommunity(
    json_permission_group_info: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityModifyPermissionGroupInfoInCommunity",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityModifyTopicPermissionInPermissionGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityModifyTopicPermissionInPermissionGroup(
    group_id: *const c_char,
    permission_group_id: *const c_char,
    json_topic_permission_map: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityModifyTopicPermissionInPermissionGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunityRemoveCommunityMembersFromPermissionGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunityRemoveCommunityMembersFromPermissionGroup(
    group_id: *const c_char,
    permission_group_id: *const c_char,
    json_member_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunityRemoveCommunityMembersFromPermissionGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMCommunitySetTopicInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCommunitySetTopicInfo(
    json_topic_info: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCommunitySetTopicInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSetCommunityAddMembersToPermissionGroupCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityAddMembersToPermissionGroupCallback(
    cb: TIMCommunityAddMembersToPermissionGroupCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityAddMembersToPermissionGroupCallback");
}

/// `TIMSetCommunityAddTopicPermissionCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityAddTopicPermissionCallback(
    cb: TIMCommunityAddTopicPermissionCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityAddTopicPermissionCallback");
}

/// `TIMSetCommunityChangePermissionGroupInfoCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityChangePermissionGroupInfoCallback(
    cb: TIMCommunityChangePermissionGroupInfoCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityChangePermissionGroupInfoCallback");
}

/// `TIMSetCommunityChangeTopicInfoCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityChangeTopicInfoCallback(
    cb: TIMCommunityChangeTopicInfoCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityChangeTopicInfoCallback");
}

/// `TIMSetCommunityCreatePermissionGroupCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityCreatePermissionGroupCallback(
    cb: TIMCommunityCreatePermissionGroupCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityCreatePermissionGroupCallback");
}

/// `TIMSetCommunityCreateTopicCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityCreateTopicCallback(
    cb: TIMCommunityCreateTopicCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityCreateTopicCallback");
}

/// `TIMSetCommunityDeletePermissionGroupCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityDeletePermissionGroupCallback(
    cb: TIMCommunityDeletePermissionGroupCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityDeletePermissionGroupCallback");
}

/// `TIMSetCommunityDeleteTopicCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityDeleteTopicCallback(
    cb: TIMCommunityDeleteTopicCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityDeleteTopicCallback");
}

/// `TIMSetCommunityDeleteTopicPermissionCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityDeleteTopicPermissionCallback(
    cb: TIMCommunityDeleteTopicPermissionCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityDeleteTopicPermissionCallback");
}

/// `TIMSetCommunityModifyTopicPermissionCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityModifyTopicPermissionCallback(
    cb: TIMCommunityModifyTopicPermissionCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityModifyTopicPermissionCallback");
}

/// `TIMSetCommunityReceiveTopicRESTCustomDataCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityReceiveTopicRESTCustomDataCallback(
    cb: TIMCommunityReceiveTopicRESTCustomDataCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityReceiveTopicRESTCustomDataCallback");
}

/// `TIMSetCommunityRemoveMembersFromPermissionGroupCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetCommunityRemoveMembersFromPermissionGroupCallback(
    cb: TIMCommunityRemoveMembersFromPermissionGroupCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetCommunityRemoveMembersFromPermissionGroupCallback");
}
