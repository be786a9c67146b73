//! TIMGroupManager.h, membership: creating a group, inviting and removing
//! members, quitting (im-sdk's `GroupManager`); the member list, member
//! changes and joining are in `group_member`, group information in
//! `group_info`, the rest of the header in `unserved::group`.

use std::collections::HashSet;
use std::ffi::{c_char, c_int, c_void};

use im_sdk::CreateGroupRequest;
use im_sdk::im_model::GroupType;
use im_sdk::im_model::wire::http::NewGroupDetails;
use serde::Deserialize;
use serde_json::json;

use super::{empty, spawn};
use crate::abi::*;
use crate::args::{self, call, refuse};

/// `create_group_param_group_member_array` elements: only the id is used.
#[derive(Debug, Deserialize)]
struct NewMember {
    group_member_info_identifier: String,
}

/// TIMGroupCreate's parameter (the keys this SDK reads).
#[derive(Debug, Deserialize)]
struct CreateParam {
    #[serde(default)]
    create_group_param_group_id: Option<String>,
    create_group_param_group_name: String,
    #[serde(default)]
    create_group_param_group_member_array: Vec<NewMember>,
    /// `TIMGroupType`; Public when absent.
    #[serde(default)]
    create_group_param_group_type: Option<GroupType>,
    #[serde(default)]
    create_group_param_notification: Option<String>,
    #[serde(default)]
    create_group_param_introduction: Option<String>,
    #[serde(default)]
    create_group_param_face_url: Option<String>,
    /// `TIMGroupAddOption`; the type's default when absent.
    #[serde(default)]
    create_group_param_add_option: Option<u32>,
}

/// A group id when the app gives none: Tencent's `@TGS#` form.
fn new_group_id() -> String {
    let alphabet: Vec<char> = ('A'..='Z').chain('0'..='9').collect();
    let tail: String = (0..10)
        .map(|_| alphabet[fastrand::usize(..alphabet.len())])
        .collect();
    format!("@TGS#{tail}")
}

/// `int TIMGroupCreate(const char* json_group_create_param, TIMCommCallback cb, const void* user_data);`
///
/// Reads the group id (one is made when absent), name and first members;
/// `cb` gets `{"create_group_result_groupid": id}`.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupCreate(
    json_group_create_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupCreate", || {
        // SAFETY: the caller's contract.
        let param: CreateParam =
            unsafe { args::json(json_group_create_param, "json_group_create_param") }?;
        let group_id = param
            .create_group_param_group_id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(new_group_id);
        let request = CreateGroupRequest {
            group_id: group_id.clone(),
            name: param.create_group_param_group_name,
            members: param
                .create_group_param_group_member_array
                .into_iter()
                .map(|m| m.group_member_info_identifier)
                .collect(),
            details: NewGroupDetails {
                group_type: param.create_group_param_group_type,
                notification: param.create_group_param_notification.unwrap_or_default(),
                introduction: param.create_group_param_introduction.unwrap_or_default(),
                face_url: param.create_group_param_face_url.unwrap_or_default(),
                add_option: param.create_group_param_add_option,
            },
        };
        spawn(cb, user_data, |c| async move {
            c.groups().create_group(&request).await?;
            Ok(json!({ "create_group_result_groupid": group_id }).to_string())
        })
    })
}

/// One outcome per user, `HandleGroupMemberResult` style.
fn member_results(
    key: &str,
    users: &[String],
    handled: &[String],
    otherwise: HandleGroupMemberResult,
) -> String {
    // A set: both lists are as long as the app and the server make them.
    let handled: HashSet<&String> = handled.iter().collect();
    let results: Vec<_> = users
        .iter()
        .map(|u| {
            let result = if handled.contains(u) {
                HandleGroupMemberResult::kTIMGroupMember_HandledSuc
            } else {
                otherwise
            };
            json!({
                format!("{key}_identifier"): u,
                format!("{key}_result"): result as i32,
            })
        })
        .collect();
    serde_json::Value::Array(results).to_string()
}

/// `group_invite_member_param_*` / `group_delete_member_param_*`.
#[derive(Debug, Deserialize)]
struct MembersParam {
    #[serde(alias = "group_delete_member_param_group_id")]
    group_invite_member_param_group_id: String,
    #[serde(alias = "group_delete_member_param_identifier_array")]
    group_invite_member_param_identifier_array: Vec<String>,
}

/// `int TIMGroupInviteMember(const char* json_group_invite_param, TIMCommCallback cb, const void* user_data);`
///
/// `cb` gets one `group_invite_member_result_*` object per user (1 added,
/// 2 already a member).
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupInviteMember(
    json_group_invite_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupInviteMember", || {
        // SAFETY: the caller's contract.
        let param: MembersParam =
            unsafe { args::json(json_group_invite_param, "json_group_invite_param") }?;
        let (group, users) = (
            param.group_invite_member_param_group_id,
            param.group_invite_member_param_identifier_array,
        );
        if users.is_empty() {
            return Err(refuse(TIM_ERR_PARAM, "no user to invite"));
        }
        spawn(cb, user_data, |c| async move {
            let added = c.groups().add_members(&group, &users).await?;
            Ok(member_results(
                "group_invite_member_result",
                &users,
                &added,
                HandleGroupMemberResult::kTIMGroupMember_Included,
            ))
        })
    })
}

/// `int TIMGroupDeleteMember(const char* json_group_delete_param, TIMCommCallback cb, const void* user_data);`
///
/// `cb` gets one `group_delete_member_result_*` object per user (1
/// removed, 0 not removed).
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupDeleteMember(
    json_group_delete_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupDeleteMember", || {
        // SAFETY: the caller's contract.
        let param: MembersParam =
            unsafe { args::json(json_group_delete_param, "json_group_delete_param") }?;
        let (group, users) = (
            param.group_invite_member_param_group_id,
            param.group_invite_member_param_identifier_array,
        );
        if users.is_empty() {
            return Err(refuse(TIM_ERR_PARAM, "no user to remove"));
        }
        spawn(cb, user_data, |c| async move {
            let removed = c.groups().remove_members(&group, &users).await?;
            Ok(member_results(
                "group_delete_member_result",
                &users,
                &removed,
                HandleGroupMemberResult::kTIMGroupMember_HandledErr,
            ))
        })
    })
}

/// `int TIMGroupQuit(const char* group_id, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupQuit(
    group_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupQuit", || {
        // SAFETY: the caller's contract.
        let group = unsafe { args::text(group_id, "group_id") }?.to_owned();
        spawn(cb, user_data, |c| async move {
            empty(c.groups().quit(&group).await)
        })
    })
}
