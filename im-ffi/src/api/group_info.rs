//! TIMGroupManager.h, group information: the joined-group list, groups'
//! information, changing it, dismissing a group, and the group-tips
//! notification (im-sdk's `GroupManager`). Keys are the C headers'
//! (`group_detail_info_*`, `group_base_info_latest_seq`).

use std::ffi::{c_char, c_int, c_void};

use im_sdk::im_model::group::GroupModifyInfoParam;

use super::{empty, json, spawn};
use crate::abi::*;
use crate::args::{self, call, guard};
use crate::registry::{registry, slot};

/// `int TIMGroupGetJoinedGroupList(TIMCommCallback cb, const void* user_data);`
///
/// `cb` gets an array of `GroupBaseInfo`: the server's list, with this
/// device's read sequence, unread count and receive option.
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetJoinedGroupList(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupGetJoinedGroupList", || {
        spawn(cb, user_data, |c| async move {
            json(c.groups().joined_groups().await)
        })
    })
}

/// `int TIMGroupGetGroupInfoList(const char* json_group_getinfo_param, TIMCommCallback cb, const void* user_data);`
///
/// The parameter is an array of group ids (1 to 50); `cb` gets an array
/// of `GetGroupInfoResult`, one per group: code 0 with its
/// `GroupDetailInfo`, 10010 for no such group, 10007 for a Work group the
/// user is not in.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetGroupInfoList(
    json_group_getinfo_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupGetGroupInfoList", || {
        // SAFETY: the caller's contract.
        let ids: Vec<String> =
            unsafe { args::json(json_group_getinfo_param, "json_group_getinfo_param") }?;
        spawn(cb, user_data, |c| async move {
            json(c.groups().group_infos(&ids).await)
        })
    })
}

/// `int TIMGroupModifyGroupInfo(const char* json_group_modifyinfo_param, TIMCommCallback cb, const void* user_data);`
///
/// A `GroupModifyInfoParam`; the modify flag is read as 32 bits (the
/// owner flag arrives as `-2147483648` from both wrappers). `cb` gets `""`;
/// every member gets a `kTIMGroupTip_GroupInfoChange` tip. Errors through
/// `cb`: 10004 a malformed change, 10007 not allowed, 10010 no such group.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupModifyGroupInfo(
    json_group_modifyinfo_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupModifyGroupInfo", || {
        // SAFETY: the caller's contract.
        let param: GroupModifyInfoParam =
            unsafe { args::json(json_group_modifyinfo_param, "json_group_modifyinfo_param") }?;
        spawn(cb, user_data, |c| async move {
            empty(c.groups().modify_group_info(&param).await)
        })
    })
}

/// `int TIMGroupDelete(const char* group_id, TIMCommCallback cb, const void* user_data);`
///
/// Dismisses the group (its owner only): every member gets a
/// `kTIMGroupReport_Delete` report; the conversation stays, read-only.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupDelete(
    group_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupDelete", || {
        // SAFETY: the caller's contract.
        let group = unsafe { args::text(group_id, "group_id") }?.to_owned();
        spawn(cb, user_data, |c| async move {
            empty(c.groups().dismiss_group(&group).await)
        })
    })
}

/// `void TIMSetGroupTipsEventCallback(TIMGroupTipsEventCallback cb, const void* user_data);`
///
/// Fires with the `GroupTipsElem` of each group tip received (joins,
/// quits, kicks, role and information changes), once per tip, after the
/// message callback.
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetGroupTipsEventCallback(
    cb: TIMGroupTipsEventCallback,
    user_data: *const c_void,
) {
    guard("TIMSetGroupTipsEventCallback", (), || {
        registry().group_tips = slot(cb, user_data)
    });
}
