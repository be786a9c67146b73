//! TIMGroupManager.h, members: the member list with its pages and role
//! filter, a member's role, name card and mute, joining a group, and the
//! join requests its owner and admins answer (im-sdk's `GroupManager`).
//! Keys are the C headers' (`group_get_members_info_list_param_*`,
//! `group_modify_member_info_*`, `group_pendency_*`).

use std::collections::HashSet;
use std::ffi::{c_char, c_int, c_void};

use im_sdk::im_model::ReceiveMessageOpt;
use im_sdk::im_model::group_member::{
    GroupHandlePendencyParam, GroupModifyMemberInfoParam, GroupPendencyOption, member_modify_flag,
};
use im_sdk::im_model::message::GroupMemberInfo;
use im_sdk::{HandlePendencyRequest, MembersPageRequest};
use serde::Deserialize;
use serde_json::json;

use super::{empty, json, spawn};
use crate::abi::*;
use crate::args::{self, call, refuse};

/// `group_get_members_info_list_param_option` (`GroupMemberGetInfoOption`).
#[derive(Debug, Default, Deserialize)]
struct MemberListOption {
    /// `TIMGroupMemberRoleFlag` bits; all when absent.
    #[serde(default)]
    group_member_get_info_option_role_flag: u64,
}

/// TIMGroupGetMemberInfoList's parameter (the keys this SDK reads).
#[derive(Debug, Deserialize)]
struct MemberListParam {
    group_get_members_info_list_param_group_id: String,
    /// Only these members, when given and not empty.
    #[serde(default)]
    group_get_members_info_list_param_identifier_array: Vec<String>,
    #[serde(default)]
    group_get_members_info_list_param_option: Option<MemberListOption>,
    /// 0 first, then the previous answer's `..._result_next_seq`.
    #[serde(default)]
    group_get_members_info_list_param_next_seq: u64,
}

/// `int TIMGroupGetMemberInfoList(const char* json_group_getmeminfos_param, TIMCommCallback cb, const void* user_data);`
///
/// `cb` gets a page of at most 100 members by user id, filtered by the
/// option's role flag and the identifiers named:
/// `group_get_member_info_list_result_info_array` (identifier, group id,
/// join time, role, mute end, name card, nickname, face) and
/// `group_get_member_info_list_result_next_seq` (0 on the last page).
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetMemberInfoList(
    json_group_getmeminfos_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupGetMemberInfoList", || {
        // SAFETY: the caller's contract.
        let param: MemberListParam =
            unsafe { args::json(json_group_getmeminfos_param, "json_group_getmeminfos_param") }?;
        let role_flag = param
            .group_get_members_info_list_param_option
            .unwrap_or_default()
            .group_member_get_info_option_role_flag;
        // Bits past the three roles are AVChatRoom member marks, which
        // this server has none of.
        let role_filter = (role_flag & 0x7) as u32;
        let mut users = param.group_get_members_info_list_param_identifier_array;
        let mut seen = HashSet::new();
        users.retain(|u| seen.insert(u.clone()));
        let request = MembersPageRequest {
            group_id: param.group_get_members_info_list_param_group_id,
            role_filter,
            users,
            next: param.group_get_members_info_list_param_next_seq,
        };
        spawn(cb, user_data, |c| async move {
            let page = c.groups().member_page(&request).await?;
            let members: Vec<GroupMemberInfo> = page
                .members
                .into_iter()
                .map(|m| GroupMemberInfo {
                    identifier: Some(m.user_id),
                    group_id: Some(request.group_id.clone()),
                    join_time: Some(m.join_time),
                    member_role: Some(m.role.value()),
                    shutup_time: Some(m.mute_until),
                    name_card: Some(m.name_card),
                    nick_name: Some(m.nick_name),
                    face_url: Some(m.face_url),
                    ..GroupMemberInfo::default()
                })
                .collect();
            Ok(json!({
                "group_get_member_info_list_result_next_seq": page.next,
                "group_get_member_info_list_result_info_array": members,
            })
            .to_string())
        })
    })
}

/// `int TIMGroupModifyMemberInfo(const char* json_group_modifymeminfo_param, TIMCommCallback cb, const void* user_data);`
///
/// Role (the owner), mute for `shutup_time` seconds (0 lifts it) and name
/// card, under Tencent's rules; every member gets the tip. The receive
/// option flag (`kTIMGroupMemberModifyFlag_MsgFlag`) is the user's own
/// and sets the group's receive option, as `TIMMsgSetGroupReceiveMessageOpt`.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupModifyMemberInfo(
    json_group_modifymeminfo_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupModifyMemberInfo", || {
        // SAFETY: the caller's contract.
        let mut param: GroupModifyMemberInfoParam = unsafe {
            args::json(
                json_group_modifymeminfo_param,
                "json_group_modifymeminfo_param",
            )
        }?;
        let group = param.group_id.clone().unwrap_or_default();
        let flags = param.modify_flag.unwrap_or(0);
        let receive = if flags & member_modify_flag::MSG_FLAG != 0 {
            let raw = param.msg_flag.unwrap_or(0);
            let opt = ReceiveMessageOpt::from_value(i64::from(raw))
                .ok_or_else(|| refuse(TIM_ERR_PARAM, "group_modify_member_info_msg_flag"))?;
            param.modify_flag = Some(flags & !member_modify_flag::MSG_FLAG);
            Some(opt)
        } else {
            None
        };
        spawn(cb, user_data, |c| async move {
            if let Some(opt) = receive {
                let me = c.login_user_id().unwrap_or_default();
                if param.identifier.as_deref() != Some(me.as_str()) {
                    return Err(im_sdk::im_model::ImError::new(
                        im_sdk::im_model::ErrorCode::from_code(10007),
                        "the receive option is each member's own",
                    ));
                }
                c.messages().set_group_receive_option(&group, opt).await?;
            }
            if param.modify_flag != Some(0) {
                c.groups().modify_member(&param).await?;
            }
            Ok(String::new())
        })
    })
}

/// `int TIMGroupJoin(const char* group_id, const char* hello_msg, TIMCommCallback cb, const void* user_data);`
///
/// Joins by the group's join option: a member at once (the group's
/// conversation arrives with its tip), or a join request its owner and
/// admins answer; either way `cb` gets code 0. 10013 already a member,
/// 10007 the group forbids joining (a Work group always), 10014 full.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupJoin(
    group_id: *const c_char,
    hello_msg: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupJoin", || {
        // SAFETY: the caller's contract.
        let group = unsafe { args::text(group_id, "group_id") }?.to_owned();
        // SAFETY: the caller's contract.
        let hello = unsafe { args::opt_text(hello_msg, "hello_msg") }?
            .unwrap_or_default()
            .to_owned();
        spawn(cb, user_data, |c| async move {
            c.groups().join(&group, &hello).await.map(|_| String::new())
        })
    })
}

/// `int TIMGroupGetPendencyList(const char* json_group_getpendency_list_param, TIMCommCallback cb, const void* user_data);`
///
/// `cb` gets a `GroupPendencyResult`: the join requests to groups the user
/// owns or administers, newest first, answered ones included
/// (`group_pendency_handled` relative to the user), the next start time
/// (0 when no more) and the unread count after the reported read time.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupGetPendencyList(
    json_group_getpendency_list_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupGetPendencyList", || {
        // SAFETY: the caller's contract.
        let option: GroupPendencyOption = unsafe {
            args::json(
                json_group_getpendency_list_param,
                "json_group_getpendency_list_param",
            )
        }?;
        spawn(cb, user_data, |c| async move {
            json(c.groups().pendencies(&option).await)
        })
    })
}

/// `int TIMGroupHandlePendency(const char* json_group_handle_pendency_param, TIMCommCallback cb, const void* user_data);`
///
/// Accepts or refuses the join request given as listed (its group and
/// `group_pendency_form_identifier` name it). 10024 when it was answered
/// before.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupHandlePendency(
    json_group_handle_pendency_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupHandlePendency", || {
        // SAFETY: the caller's contract.
        let param: GroupHandlePendencyParam = unsafe {
            args::json(
                json_group_handle_pendency_param,
                "json_group_handle_pendency_param",
            )
        }?;
        let pendency = param
            .pendency
            .ok_or_else(|| refuse(TIM_ERR_PARAM, "group_handle_pendency_param_pendency"))?;
        let (Some(group_id), Some(applicant)) = (pendency.group_id, pendency.from_identifier)
        else {
            return Err(refuse(
                TIM_ERR_PARAM,
                "the pendency's group_pendency_group_id and group_pendency_form_identifier",
            ));
        };
        let request = HandlePendencyRequest {
            group_id,
            applicant,
            accept: param.is_accept.unwrap_or(false),
            message: param.handle_msg.unwrap_or_default(),
        };
        spawn(cb, user_data, |c| async move {
            empty(c.groups().handle_pendency(&request).await)
        })
    })
}

/// `int TIMGroupReportPendencyReaded(uint64_t time_stamp, TIMCommCallback cb, const void* user_data);`
///
/// Join requests filed up to `time_stamp` (seconds) count as read; the
/// read time never goes back.
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGroupReportPendencyReaded(
    time_stamp: u64,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMGroupReportPendencyReaded", || {
        spawn(cb, user_data, |c| async move {
            empty(c.groups().report_pendency_read(time_stamp).await)
        })
    })
}
