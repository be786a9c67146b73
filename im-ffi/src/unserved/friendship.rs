//! `TIMFriendshipManager.h`: friendship (friends, black list, applications, official accounts, follows). Not served by this SDK.
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

/// `TIMCheckFollowType`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMCheckFollowType(
    json_user_id_list: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMCheckFollowType",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFollowUser`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFollowUser(
    json_user_id_list: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFollowUser",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipAddFriend`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipAddFriend(
    json_add_friend_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipAddFriend",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipAddToBlackList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipAddToBlackList(
    json_add_to_blacklist_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipAddToBlackList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipCheckFriendType`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipCheckFriendType(
    json_check_friend_list_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipCheckFriendType",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipCreateFriendGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipCreateFriendGroup(
    json_create_friend_group_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipCreateFriendGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipDeleteFriend`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipDeleteFriend(
    json_delete_friend_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipDeleteFriend",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipDeleteFriendGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipDeleteFriendGroup(
    json_delete_friend_group_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipDeleteFriendGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipDeleteFromBlackList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipDeleteFromBlackList(
    json_delete_from_blacklist_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipDeleteFromBlackList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipDeletePendency`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipDeletePendency(
    json_delete_pendency_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipDeletePendency",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipGetBlackList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipGetBlackList(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipGetBlackList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipGetFriendGroupList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipGetFriendGroupList(
    json_get_friend_group_list_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipGetFriendGroupList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipGetFriendProfileList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipGetFriendProfileList(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipGetFriendProfileList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipGetFriendsInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipGetFriendsInfo(
    friend_id_list: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipGetFriendsInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipGetPendencyList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipGetPendencyList(
    json_get_pendency_list_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipGetPendencyList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipHandleFriendAddRequest`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipHandleFriendAddRequest(
    json_handle_friend_add_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipHandleFriendAddRequest",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipModifyFriendGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipModifyFriendGroup(
    json_modify_friend_group_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipModifyFriendGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipModifyFriendProfile`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipModifyFriendProfile(
    json_modify_friend_info_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipModifyFriendProfile",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipReportPendencyReaded`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipReportPendencyReaded(
    time_stamp: u64,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipReportPendencyReaded",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMFriendshipSearchFriends`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMFriendshipSearchFriends(
    json_search_friends_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMFriendshipSearchFriends",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGetMutualFollowersList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetMutualFollowersList(
    next_cursor: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetMutualFollowersList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGetMyFollowersList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetMyFollowersList(
    next_cursor: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetMyFollowersList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGetMyFollowingList`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetMyFollowingList(
    next_cursor: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetMyFollowingList",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGetOfficialAccountsInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetOfficialAccountsInfo(
    json_get_official_accounts_info_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetOfficialAccountsInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMGetUserFollowInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetUserFollowInfo(
    json_user_id_list: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetUserFollowInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSetFriendAddRequestCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendAddRequestCallback(
    cb: TIMFriendAddRequestCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendAddRequestCallback");
}

/// `TIMSetFriendApplicationListDeletedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendApplicationListDeletedCallback(
    cb: TIMFriendApplicationListDeletedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendApplicationListDeletedCallback");
}

/// `TIMSetFriendApplicationListReadCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendApplicationListReadCallback(
    cb: TIMFriendApplicationListReadCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendApplicationListReadCallback");
}

/// `TIMSetFriendBlackListAddedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendBlackListAddedCallback(
    cb: TIMFriendBlackListAddedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendBlackListAddedCallback");
}

/// `TIMSetFriendBlackListDeletedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendBlackListDeletedCallback(
    cb: TIMFriendBlackListDeletedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendBlackListDeletedCallback");
}

/// `TIMSetFriendGroupCreatedCallback` (8.x headers): not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendGroupCreatedCallback(
    cb: TIMFriendGroupCreatedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendGroupCreatedCallback");
}

/// `TIMSetFriendGroupDeletedCallback` (8.x headers): not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendGroupDeletedCallback(
    cb: TIMFriendGroupDeletedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendGroupDeletedCallback");
}

/// `TIMSetFriendGroupNameChangedCallback` (8.x headers): not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendGroupNameChangedCallback(
    cb: TIMFriendGroupNameChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendGroupNameChangedCallback");
}

/// `TIMSetFriendsAddedToGroupCallback` (8.x headers): not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendsAddedToGroupCallback(
    cb: TIMFriendsAddedToGroupCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendsAddedToGroupCallback");
}

/// `TIMSetFriendsDeletedFromGroupCallback` (8.x headers): not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetFriendsDeletedFromGroupCallback(
    cb: TIMFriendsDeletedFromGroupCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetFriendsDeletedFromGroupCallback");
}

/// `TIMSetMutualFollowersListChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMutualFollowersListChangedCallback(
    cb: TIMMutualFollowersListChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMutualFollowersListChangedCallback");
}

/// `TIMSetMyFollowersListChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMyFollowersListChangedCallback(
    cb: TIMMyFollowersListChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMyFollowersListChangedCallback");
}

/// `TIMSetMyFollowingListChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMyFollowingListChangedCallback(
    cb: TIMMyFollowingListChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetMyFollowingListChangedCallback");
}

/// `TIMSetOfficialAccountDeletedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetOfficialAccountDeletedCallback(
    cb: TIMOfficialAccountDeletedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetOfficialAccountDeletedCallback");
}

/// `TIMSetOfficialAccountInfoChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetOfficialAccountInfoChangedCallback(
    cb: TIMOfficialAccountInfoChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetOfficialAccountInfoChangedCallback");
}

/// `TIMSetOfficialAccountSubscribedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetOfficialAccountSubscribedCallback(
    cb: TIMOfficialAccountSubscribedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetOfficialAccountSubscribedCallback");
}

/// `TIMSetOfficialAccountUnsubscribedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetOfficialAccountUnsubscribedCallback(
    cb: TIMOfficialAccountUnsubscribedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetOfficialAccountUnsubscribedCallback");
}

/// `TIMSetOnAddFriendCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetOnAddFriendCallback(
    cb: TIMOnAddFriendCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetOnAddFriendCallback");
}

/// `TIMSetOnDeleteFriendCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetOnDeleteFriendCallback(
    cb: TIMOnDeleteFriendCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetOnDeleteFriendCallback");
}

/// `TIMSetUpdateFriendProfileCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetUpdateFriendProfileCallback(
    cb: TIMUpdateFriendProfileCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetUpdateFriendProfileCallback");
}

/// `TIMSubscribeOfficialAccount`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSubscribeOfficialAccount(
    official_account_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSubscribeOfficialAccount",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMUnfollowUser`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMUnfollowUser(
    json_user_id_list: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMUnfollowUser",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMUnsubscribeOfficialAccount`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMUnsubscribeOfficialAccount(
    unsubscribe_official_account_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMUnsubscribeOfficialAccount",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}
