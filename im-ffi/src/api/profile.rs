//! TIMManager.h, user profiles (spec 1.1; Tencent's header section 6):
//! reading profiles (cached on the device), changing one's own, and the
//! two notifications of a changed profile (im-sdk's `ProfileManager`).

use std::ffi::{c_char, c_int, c_void};

use im_sdk::im_model::profile::UserProfileItem;
use serde::Deserialize;

use super::{empty, json, spawn};
use crate::abi::*;
use crate::args::{self, call, guard};
use crate::registry::{registry, slot};

/// `FriendShipGetProfileListParam`: the users, and (deprecated in 8.x,
/// still sent by the Electron and C# wrappers) whether to skip the cache.
#[derive(Debug, Deserialize)]
struct GetProfileListParam {
    friendship_getprofilelist_param_identifier_array: Vec<String>,
    #[serde(default)]
    friendship_getprofilelist_param_force_update: bool,
}

/// `int TIMProfileGetUserProfileList(const char* json_get_user_profile_list_param, TIMCommCallback cb, const void* user_data);`
///
/// `cb` gets an array of `UserProfile`, in the order asked, each user
/// once: from the device's cache, and from the server for users it lacks
/// (all of them with `friendship_getprofilelist_param_force_update`).
/// Errors through `cb`: 6017 for no user, an empty id or more than 100.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMProfileGetUserProfileList(
    json_get_user_profile_list_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMProfileGetUserProfileList", || {
        // SAFETY: the caller's contract.
        let param: GetProfileListParam = unsafe {
            args::json(
                json_get_user_profile_list_param,
                "json_get_user_profile_list_param",
            )
        }?;
        spawn(cb, user_data, |c| async move {
            json(
                c.profiles()
                    .user_profiles(
                        &param.friendship_getprofilelist_param_identifier_array,
                        param.friendship_getprofilelist_param_force_update,
                    )
                    .await,
            )
        })
    })
}

/// `int TIMProfileModifySelfUserProfile(const char* json_modify_self_user_profile_param, TIMCommCallback cb, const void* user_data);`
///
/// The parameter is a `UserProfileItem`; custom fields may leave out the
/// `Tag_Profile_Custom_` prefix. `cb` gets `""` once this device shows the
/// change (`TIMSelfInfoUpdatedCallback` has fired by then). Errors through
/// `cb`: 40001 nothing to change, 40601 a value too long, 40605 a value out
/// of range, 40009 an undeclared custom field.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMProfileModifySelfUserProfile(
    json_modify_self_user_profile_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMProfileModifySelfUserProfile", || {
        // SAFETY: the caller's contract.
        let item: UserProfileItem = unsafe {
            args::json(
                json_modify_self_user_profile_param,
                "json_modify_self_user_profile_param",
            )
        }?;
        spawn(cb, user_data, |c| async move {
            empty(c.profiles().modify_self_profile(&item).await)
        })
    })
}

/// `void TIMSetSelfInfoUpdatedCallback(TIMSelfInfoUpdatedCallback cb, const void* user_data);`
///
/// Fires with the logged-in user's whole `UserProfile` after it changed,
/// on this device or another of the user's.
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSelfInfoUpdatedCallback(
    cb: TIMSelfInfoUpdatedCallback,
    user_data: *const c_void,
) {
    guard("TIMSetSelfInfoUpdatedCallback", (), || {
        registry().self_info_updated = slot(cb, user_data)
    });
}

/// `void TIMSetUserInfoChangedCallback(TIMUserInfoChangedCallback cb, const void* user_data);`
///
/// Fires with an array of `UserProfile` when someone who shares a
/// conversation with the user (a C2C peer, a member of one of their
/// groups) changed their profile. Tencent fires it for subscribed users
/// only (`TIMSubscribeUserInfo`); here those users need no subscription.
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetUserInfoChangedCallback(
    cb: TIMUserInfoChangedCallback,
    user_data: *const c_void,
) {
    guard("TIMSetUserInfoChangedCallback", (), || {
        registry().user_info_changed = slot(cb, user_data)
    });
}
