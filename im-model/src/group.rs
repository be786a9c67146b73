//! Group information (TIMGroupManager.h): what a group is (`GroupDetailInfo`),
//! how a member sees it in their list (`GroupBaseInfo`), how it is changed
//! (`GroupModifyInfoParam`), and the one rule that applies a change, with
//! Tencent's permissions, limits and codes, and says which group tip
//! announces it. The server applies changes through [`apply_modify`].
//!
//! Keys are the C headers' (`group_detail_info_*`, `group_base_info_latest_seq`);
//! the older spellings some wrappers declare (`group_detial_info_*`,
//! `..._lastest_seq`) are Tencent's legacy macro names of the same constants.

use crate::enums::{GroupMemberRole, GroupTipGroupChangeFlag, GroupType};
use crate::message::GroupTipGroupChangeInfo;
use crate::{ErrorCode, ImError, ImResult, ReceiveMessageOpt};

tim_object! {
    /// One custom field of a group (`GroupInfoCustomString`).
    pub struct GroupInfoCustomString {
        /// `group_info_custom_string_info_key`.
        "group_info_custom_string_info_key" => key: String,
        /// `group_info_custom_string_info_value`.
        "group_info_custom_string_info_value" => value: String,
    }
}

tim_object! {
    /// A group's information (`GroupDetailInfo`).
    pub struct GroupDetailInfo {
        /// `group_detail_info_group_id`.
        "group_detail_info_group_id" => group_id: String,
        /// `group_detail_info_group_type` (`TIMGroupType`).
        "group_detail_info_group_type" => group_type: GroupType,
        /// `group_detail_info_group_name`.
        "group_detail_info_group_name" => group_name: String,
        /// `group_detail_info_notification`.
        "group_detail_info_notification" => notification: String,
        /// `group_detail_info_introduction`.
        "group_detail_info_introduction" => introduction: String,
        /// `group_detail_info_face_url`.
        "group_detail_info_face_url" => face_url: String,
        /// `group_detail_info_create_time` (seconds).
        "group_detail_info_create_time" => create_time: u32,
        /// `group_detail_info_info_seq`: grows with every change of the information.
        "group_detail_info_info_seq" => info_seq: u32,
        /// `group_detail_info_last_info_time` (seconds).
        "group_detail_info_last_info_time" => last_info_time: u32,
        /// `group_detail_info_next_msg_seq`.
        "group_detail_info_next_msg_seq" => next_msg_seq: u32,
        /// `group_detail_info_last_msg_time` (seconds).
        "group_detail_info_last_msg_time" => last_msg_time: u32,
        /// `group_detail_info_member_num`.
        "group_detail_info_member_num" => member_num: u32,
        /// `group_detail_info_max_member_num`.
        "group_detail_info_max_member_num" => max_member_num: u32,
        /// `group_detail_info_add_option` (`TIMGroupAddOption`: 0 forbid, 1 auth, 2 any).
        "group_detail_info_add_option" => add_option: u32,
        /// `group_detail_info_online_member_num`.
        "group_detail_info_online_member_num" => online_member_num: u32,
        /// `group_detail_info_visible`.
        "group_detail_info_visible" => visible: u32,
        /// `group_detail_info_searchable`.
        "group_detail_info_searchable" => searchable: u32,
        /// `group_detail_info_is_shutup_all`.
        "group_detail_info_is_shutup_all" => is_shutup_all: bool,
        /// `group_detail_info_owner_identifier`.
        "group_detail_info_owner_identifier" => owner_identifier: String,
        /// `group_detail_info_custom_info`.
        "group_detail_info_custom_info" => custom_info: Vec<GroupInfoCustomString>,
    }
}

tim_object! {
    /// The user's own standing in a group (`GroupSelfInfo`).
    pub struct GroupSelfInfo {
        /// `group_self_info_join_time` (seconds).
        "group_self_info_join_time" => join_time: u32,
        /// `group_self_info_role` (`TIMGroupMemberRole`).
        "group_self_info_role" => role: u32,
        /// `group_self_info_unread_num`.
        "group_self_info_unread_num" => unread_num: u32,
        /// `group_self_info_msg_flag` (`TIMReceiveMessageOpt`).
        "group_self_info_msg_flag" => msg_flag: ReceiveMessageOpt,
    }
}

tim_object! {
    /// A joined group as `TIMGroupGetJoinedGroupList` lists it (`GroupBaseInfo`).
    pub struct GroupBaseInfo {
        /// `group_base_info_group_id`.
        "group_base_info_group_id" => group_id: String,
        /// `group_base_info_group_name`.
        "group_base_info_group_name" => group_name: String,
        /// `group_base_info_group_type`.
        "group_base_info_group_type" => group_type: GroupType,
        /// `group_base_info_face_url`.
        "group_base_info_face_url" => face_url: String,
        /// `group_base_info_info_seq`.
        "group_base_info_info_seq" => info_seq: u32,
        /// `group_base_info_latest_seq`: the newest message's sequence.
        "group_base_info_latest_seq" => latest_seq: u32,
        /// `group_base_info_readed_seq` (Tencent's spelling).
        "group_base_info_readed_seq" => readed_seq: u32,
        /// `group_base_info_msg_flag`.
        "group_base_info_msg_flag" => msg_flag: u32,
        /// `group_base_info_is_shutup_all`.
        "group_base_info_is_shutup_all" => is_shutup_all: bool,
        /// `group_base_info_self_info`.
        "group_base_info_self_info" => self_info: GroupSelfInfo,
    }
}

tim_object! {
    /// One group's answer in `TIMGroupGetGroupInfoList` (`GetGroupInfoResult`).
    pub struct GetGroupInfoResult {
        /// `get_groups_info_result_code`: 0, or why this group is not given.
        "get_groups_info_result_code" => code: i32,
        /// `get_groups_info_result_desc`.
        "get_groups_info_result_desc" => desc: String,
        /// `get_groups_info_result_info`.
        "get_groups_info_result_info" => info: GroupDetailInfo,
    }
}

tim_object! {
    /// A change of a group's information (`GroupModifyInfoParam`): the flag
    /// says which of the other fields count.
    pub struct GroupModifyInfoParam {
        /// `group_modify_info_param_group_id`.
        "group_modify_info_param_group_id" => group_id: String,
        /// `group_modify_info_param_modify_flag` (`TIMGroupModifyInfoFlag`
        /// bits). Read as 32 bits: wrappers send the owner flag, `0x80000000`,
        /// as the signed `-2147483648`.
        "group_modify_info_param_modify_flag" => modify_flag: i64,
        /// `group_modify_info_param_group_name`.
        "group_modify_info_param_group_name" => group_name: String,
        /// `group_modify_info_param_notification`.
        "group_modify_info_param_notification" => notification: String,
        /// `group_modify_info_param_introduction`.
        "group_modify_info_param_introduction" => introduction: String,
        /// `group_modify_info_param_face_url`.
        "group_modify_info_param_face_url" => face_url: String,
        /// `group_modify_info_param_add_option`.
        "group_modify_info_param_add_option" => add_option: u32,
        /// `group_modify_info_param_max_member_num`.
        "group_modify_info_param_max_member_num" => max_member_num: u32,
        /// `group_modify_info_param_visible`.
        "group_modify_info_param_visible" => visible: u32,
        /// `group_modify_info_param_searchable`.
        "group_modify_info_param_searchable" => searchable: u32,
        /// `group_modify_info_param_is_shutup_all`.
        "group_modify_info_param_is_shutup_all" => is_shutup_all: bool,
        /// `group_modify_info_param_owner`: the new owner.
        "group_modify_info_param_owner" => owner: String,
        /// `group_modify_info_param_custom_info`.
        "group_modify_info_param_custom_info" => custom_info: Vec<GroupInfoCustomString>,
    }
}

/// `TIMGroupModifyInfoFlag` bits.
pub mod modify_flag {
    /// `kTIMGroupModifyInfoFlag_Name`.
    pub const NAME: u32 = 0x01;
    /// `kTIMGroupModifyInfoFlag_Notification`.
    pub const NOTIFICATION: u32 = 0x01 << 1;
    /// `kTIMGroupModifyInfoFlag_Introduction`.
    pub const INTRODUCTION: u32 = 0x01 << 2;
    /// `kTIMGroupModifyInfoFlag_FaceUrl`.
    pub const FACE_URL: u32 = 0x01 << 3;
    /// `kTIMGroupModifyInfoFlag_AddOption`.
    pub const ADD_OPTION: u32 = 0x01 << 4;
    /// `kTIMGroupModifyInfoFlag_MaxMemberNum`.
    pub const MAX_MEMBER_NUM: u32 = 0x01 << 5;
    /// `kTIMGroupModifyInfoFlag_Visible`.
    pub const VISIBLE: u32 = 0x01 << 6;
    /// `kTIMGroupModifyInfoFlag_Searchable`.
    pub const SEARCHABLE: u32 = 0x01 << 7;
    /// `kTIMGroupModifyInfoFlag_ShutupAll`.
    pub const SHUTUP_ALL: u32 = 0x01 << 8;
    /// `kTIMGroupModifyInfoFlag_Custom`.
    pub const CUSTOM: u32 = 0x01 << 9;
    /// `kTIMGroupModifyInfoFlag_Owner`.
    pub const OWNER: u32 = 0x01 << 31;
    /// Every flag this SDK applies.
    pub const SUPPORTED: u32 = NAME
        | NOTIFICATION
        | INTRODUCTION
        | FACE_URL
        | ADD_OPTION
        | MAX_MEMBER_NUM
        | VISIBLE
        | SEARCHABLE
        | SHUTUP_ALL
        | CUSTOM
        | OWNER;
}

/// `TIMGroupAddOption`: how users join a group.
pub mod add_option {
    /// `kTIMGroupAddOpt_Forbid`: nobody joins by asking.
    pub const FORBID: u32 = 0;
    /// `kTIMGroupAddOpt_Auth`: an admin approves each request.
    pub const AUTH: u32 = 1;
    /// `kTIMGroupAddOpt_Any`: anyone joins.
    pub const ANY: u32 = 2;
}

/// Tencent's group error codes (`TIMErrorCode.h`, 10xxx).
pub mod codes {
    /// `ERR_SVR_GROUP_INVALID_PARAMETERS`.
    pub const INVALID_PARAMETERS: i32 = 10004;
    /// `ERR_SVR_GROUP_PERMISSION_DENY`.
    pub const PERMISSION_DENY: i32 = 10007;
    /// `ERR_SVR_GROUP_NOT_FOUND`.
    pub const NOT_FOUND: i32 = 10010;
}

/// The longest group name (bytes).
pub const MAX_NAME_BYTES: usize = 100;
/// The longest introduction (bytes).
pub const MAX_INTRODUCTION_BYTES: usize = 240;
/// The longest notification (bytes).
pub const MAX_NOTIFICATION_BYTES: usize = 300;
/// The longest face URL (bytes).
pub const MAX_FACE_URL_BYTES: usize = 100;
/// The most custom fields a group keeps; each value at most 512 bytes.
pub const MAX_CUSTOM_FIELDS: usize = 10;
/// The longest custom field value (bytes).
pub const MAX_CUSTOM_VALUE_BYTES: usize = 512;
/// The most groups one `TIMGroupGetGroupInfoList` names.
pub const MAX_GROUPS_PER_LOOKUP: usize = 50;

/// The most members of a group of `group_type` (Tencent's defaults for
/// the Pro edition: Work 200, Public and Meeting 2000, AVChatRoom
/// unlimited, here 100,000 as a bound).
pub fn default_max_members(group_type: GroupType) -> u32 {
    match group_type {
        GroupType::Private => 200,
        GroupType::Public | GroupType::ChatRoom | GroupType::Community => 2000,
        _ => 100_000,
    }
}

fn error(code: i32, message: impl Into<String>) -> ImError {
    ImError::new(ErrorCode::from_code(code), message)
}

/// What a change did: the information after it, and the tip that
/// announces it (`kTIMGroupTip_GroupInfoChange` items), with the new
/// owner when ownership moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Modified {
    /// The information after the change.
    pub info: GroupDetailInfo,
    /// One item per changed field, for the group tip.
    pub changes: Vec<GroupTipGroupChangeInfo>,
    /// The new owner, when the change transferred ownership.
    pub new_owner: Option<String>,
}

fn change(flag: GroupTipGroupChangeFlag, value: impl Into<String>) -> GroupTipGroupChangeInfo {
    GroupTipGroupChangeInfo {
        flag: Some(flag),
        value: Some(value.into()),
        ..GroupTipGroupChangeInfo::default()
    }
}

fn checked(what: &str, value: &Option<String>, max: usize) -> ImResult<String> {
    let value = value.clone().ok_or_else(|| {
        error(
            codes::INVALID_PARAMETERS,
            format!("{what} is required by the flag"),
        )
    })?;
    if value.len() > max {
        return Err(error(
            codes::INVALID_PARAMETERS,
            format!("{what} is {} bytes, over {max}", value.len()),
        ));
    }
    Ok(value)
}

/// Applies `param` to `info`, changed by a member of role `role`;
/// `new_owner_role` is the role the named new owner has in the group
/// (`None`: not a member).
///
/// Who may change what, as Tencent's rules: in a Work (Private) group any
/// member changes the name, notification, introduction and face; in
/// other groups the owner and admins do. The join option, mute-all and
/// custom fields are the owner's and admins'; the owner alone transfers
/// ownership (alone in its change, and never of an AVChatRoom); the
/// member limit, visibility and searchability are the app admin's (the
/// server's REST API), never a member's.
///
/// # Errors
/// 10004 for no flag, an unknown flag, a missing or too long value, a
/// join option out of range, or an owner change mixed with others; 10007
/// when the role may not make the change or the new owner is not a member.
pub fn apply_modify(
    info: &GroupDetailInfo,
    param: &GroupModifyInfoParam,
    role: GroupMemberRole,
    new_owner_role: Option<GroupMemberRole>,
) -> ImResult<Modified> {
    // 32 bits, whether sent signed or not.
    let flags = param.modify_flag.unwrap_or(0) as u32;
    if flags == 0 {
        return Err(error(
            codes::INVALID_PARAMETERS,
            "group_modify_info_param_modify_flag sets nothing",
        ));
    }
    if flags & !modify_flag::SUPPORTED != 0 {
        return Err(error(
            codes::INVALID_PARAMETERS,
            format!(
                "unknown modify flags {:#x}",
                flags & !modify_flag::SUPPORTED
            ),
        ));
    }
    let is_admin = matches!(role, GroupMemberRole::Owner | GroupMemberRole::Admin);
    let group_type = info.group_type.unwrap_or(GroupType::Public);
    let basic = modify_flag::NAME
        | modify_flag::NOTIFICATION
        | modify_flag::INTRODUCTION
        | modify_flag::FACE_URL;
    if flags & basic != 0 && !is_admin && group_type != GroupType::Private {
        return Err(error(
            codes::PERMISSION_DENY,
            "only the owner and admins change this group's information",
        ));
    }
    if flags & (modify_flag::ADD_OPTION | modify_flag::SHUTUP_ALL | modify_flag::CUSTOM) != 0
        && !is_admin
    {
        return Err(error(
            codes::PERMISSION_DENY,
            "only the owner and admins change the join option, mute-all and custom fields",
        ));
    }
    if flags & (modify_flag::MAX_MEMBER_NUM | modify_flag::VISIBLE | modify_flag::SEARCHABLE) != 0 {
        return Err(error(
            codes::PERMISSION_DENY,
            "the member limit, visibility and searchability are set by the app's admin",
        ));
    }
    let mut next = info.clone();
    let mut changes = Vec::new();
    let mut new_owner = None;
    if flags & modify_flag::OWNER != 0 {
        if flags != modify_flag::OWNER {
            return Err(error(
                codes::INVALID_PARAMETERS,
                "an owner change is a change of its own",
            ));
        }
        if role != GroupMemberRole::Owner {
            return Err(error(
                codes::PERMISSION_DENY,
                "only the owner transfers the group",
            ));
        }
        if group_type == GroupType::AvChatRoom {
            return Err(error(
                codes::PERMISSION_DENY,
                "an AVChatRoom's owner does not change",
            ));
        }
        let owner = checked("group_modify_info_param_owner", &param.owner, 32)?;
        if new_owner_role.is_none() {
            return Err(error(
                codes::PERMISSION_DENY,
                "the new owner must be a member",
            ));
        }
        if info.owner_identifier.as_deref() == Some(owner.as_str()) {
            return Err(error(
                codes::INVALID_PARAMETERS,
                "this user owns the group already",
            ));
        }
        next.owner_identifier = Some(owner.clone());
        changes.push(change(GroupTipGroupChangeFlag::Owner, owner.clone()));
        new_owner = Some(owner);
    }
    // The four texts: each checked against its limit, set, and announced.
    let texts = [
        (
            modify_flag::NAME,
            "group_modify_info_param_group_name",
            &param.group_name,
            MAX_NAME_BYTES,
            GroupTipGroupChangeFlag::Name,
            &mut next.group_name,
        ),
        (
            modify_flag::NOTIFICATION,
            "group_modify_info_param_notification",
            &param.notification,
            MAX_NOTIFICATION_BYTES,
            GroupTipGroupChangeFlag::Notification,
            &mut next.notification,
        ),
        (
            modify_flag::INTRODUCTION,
            "group_modify_info_param_introduction",
            &param.introduction,
            MAX_INTRODUCTION_BYTES,
            GroupTipGroupChangeFlag::Introduction,
            &mut next.introduction,
        ),
        (
            modify_flag::FACE_URL,
            "group_modify_info_param_face_url",
            &param.face_url,
            MAX_FACE_URL_BYTES,
            GroupTipGroupChangeFlag::FaceUrl,
            &mut next.face_url,
        ),
    ];
    for (bit, key, value, max, tip_flag, field) in texts {
        if flags & bit == 0 {
            continue;
        }
        let text = checked(key, value, max)?;
        if bit == modify_flag::NAME && text.is_empty() {
            return Err(error(
                codes::INVALID_PARAMETERS,
                "a group name is not empty",
            ));
        }
        *field = Some(text.clone());
        changes.push(change(tip_flag, text));
    }
    if flags & modify_flag::ADD_OPTION != 0 {
        let option = param
            .add_option
            .filter(|o| *o <= add_option::ANY)
            .ok_or_else(|| {
                error(
                    codes::INVALID_PARAMETERS,
                    "group_modify_info_param_add_option is 0, 1 or 2",
                )
            })?;
        next.add_option = Some(option);
        let mut item = change(GroupTipGroupChangeFlag::GroupAddOpt, option.to_string());
        item.int_value = Some(i64::from(option));
        changes.push(item);
    }
    if flags & modify_flag::SHUTUP_ALL != 0 {
        let on = param.is_shutup_all.ok_or_else(|| {
            error(
                codes::INVALID_PARAMETERS,
                "group_modify_info_param_is_shutup_all is required by the flag",
            )
        })?;
        next.is_shutup_all = Some(on);
        let mut item = change(GroupTipGroupChangeFlag::ShutupAll, "");
        item.bool_value = Some(on);
        changes.push(item);
    }
    if flags & modify_flag::CUSTOM != 0 {
        let fields = param.custom_info.clone().unwrap_or_default();
        if fields.len() > MAX_CUSTOM_FIELDS {
            return Err(error(
                codes::INVALID_PARAMETERS,
                format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
            ));
        }
        let mut kept = next.custom_info.take().unwrap_or_default();
        for field in &fields {
            let key = field
                .key
                .clone()
                .filter(|k| !k.is_empty() && k.len() <= 16)
                .ok_or_else(|| {
                    error(
                        codes::INVALID_PARAMETERS,
                        "a custom field key is 1 to 16 bytes",
                    )
                })?;
            let value = field.value.clone().unwrap_or_default();
            if value.len() > MAX_CUSTOM_VALUE_BYTES {
                return Err(error(
                    codes::INVALID_PARAMETERS,
                    format!("custom field {key} is over {MAX_CUSTOM_VALUE_BYTES} bytes"),
                ));
            }
            match kept.iter_mut().find(|f| f.key.as_deref() == Some(&key)) {
                Some(existing) => existing.value = Some(value.clone()),
                None => kept.push(GroupInfoCustomString {
                    key: Some(key.clone()),
                    value: Some(value.clone()),
                    ..GroupInfoCustomString::default()
                }),
            }
            let mut item = change(GroupTipGroupChangeFlag::Custom, value);
            item.key = Some(key);
            changes.push(item);
        }
        if kept.len() > MAX_CUSTOM_FIELDS {
            return Err(error(
                codes::INVALID_PARAMETERS,
                format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
            ));
        }
        next.custom_info = Some(kept);
    }
    next.info_seq = Some(next.info_seq.unwrap_or(0).saturating_add(1));
    Ok(Modified {
        info: next,
        changes,
        new_owner,
    })
}

/// `info` with a change announced by a group tip applied (what a member's
/// device does with a `kTIMGroupTip_GroupInfoChange` it receives).
pub fn apply_tip_changes(info: &mut GroupDetailInfo, changes: &[GroupTipGroupChangeInfo]) {
    for item in changes {
        let value = item.value.clone().unwrap_or_default();
        match item.flag {
            Some(GroupTipGroupChangeFlag::Name) => info.group_name = Some(value),
            Some(GroupTipGroupChangeFlag::Notification) => info.notification = Some(value),
            Some(GroupTipGroupChangeFlag::Introduction) => info.introduction = Some(value),
            Some(GroupTipGroupChangeFlag::FaceUrl) => info.face_url = Some(value),
            Some(GroupTipGroupChangeFlag::Owner) => info.owner_identifier = Some(value),
            Some(GroupTipGroupChangeFlag::ShutupAll) => info.is_shutup_all = item.bool_value,
            Some(GroupTipGroupChangeFlag::GroupAddOpt) => {
                info.add_option = item.int_value.and_then(|v| u32::try_from(v).ok());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(group_type: GroupType) -> GroupDetailInfo {
        GroupDetailInfo {
            group_id: Some("g".into()),
            group_type: Some(group_type),
            group_name: Some("G".into()),
            owner_identifier: Some("owner".into()),
            info_seq: Some(1),
            ..GroupDetailInfo::default()
        }
    }

    fn rename(name: &str) -> GroupModifyInfoParam {
        GroupModifyInfoParam {
            group_id: Some("g".into()),
            modify_flag: Some(i64::from(modify_flag::NAME)),
            group_name: Some(name.into()),
            ..GroupModifyInfoParam::default()
        }
    }

    #[test]
    fn test_the_permission_matrix_of_a_rename() {
        use GroupMemberRole::*;
        for (group_type, role, allowed) in [
            (GroupType::Private, Normal, true),
            (GroupType::Public, Normal, false),
            (GroupType::Public, Admin, true),
            (GroupType::ChatRoom, Owner, true),
            (GroupType::ChatRoom, Normal, false),
        ] {
            let outcome = apply_modify(&group(group_type), &rename("New"), role, Option::None);
            match outcome {
                Ok(m) => {
                    assert!(allowed, "{group_type:?} {role:?}");
                    assert_eq!(m.info.group_name.as_deref(), Some("New"));
                    assert_eq!(m.info.info_seq, Some(2));
                    assert_eq!(m.changes[0].flag, Some(GroupTipGroupChangeFlag::Name));
                }
                Err(e) => {
                    assert!(!allowed, "{group_type:?} {role:?}");
                    assert_eq!(e.code(), 10007);
                }
            }
        }
    }

    #[test]
    fn test_the_owner_flag_is_read_as_32_bits_and_stands_alone() {
        let transfer = GroupModifyInfoParam {
            modify_flag: Some(-2_147_483_648),
            owner: Some("bob".into()),
            ..GroupModifyInfoParam::default()
        };
        let g = group(GroupType::Public);
        let m = apply_modify(
            &g,
            &transfer,
            GroupMemberRole::Owner,
            Some(GroupMemberRole::Normal),
        )
        .unwrap();
        assert_eq!(m.new_owner.as_deref(), Some("bob"));
        assert_eq!(m.info.owner_identifier.as_deref(), Some("bob"));
        let unsigned = GroupModifyInfoParam {
            modify_flag: Some(2_147_483_648),
            ..transfer.clone()
        };
        assert!(
            apply_modify(
                &g,
                &unsigned,
                GroupMemberRole::Owner,
                Some(GroupMemberRole::Normal)
            )
            .is_ok()
        );
        let code = |p: &GroupModifyInfoParam, role, new_owner_role| {
            apply_modify(&g, p, role, new_owner_role)
                .unwrap_err()
                .code()
        };
        assert_eq!(
            code(
                &transfer,
                GroupMemberRole::Admin,
                Some(GroupMemberRole::Normal)
            ),
            10007
        );
        assert_eq!(
            code(&transfer, GroupMemberRole::Owner, None),
            10007,
            "not a member"
        );
        let mixed = GroupModifyInfoParam {
            modify_flag: Some(i64::from(modify_flag::OWNER | modify_flag::NAME)),
            group_name: Some("x".into()),
            ..transfer
        };
        assert_eq!(
            code(
                &mixed,
                GroupMemberRole::Owner,
                Some(GroupMemberRole::Normal)
            ),
            10004
        );
        assert_eq!(
            code(
                &GroupModifyInfoParam::default(),
                GroupMemberRole::Owner,
                None
            ),
            10004,
            "no flag"
        );
        assert_eq!(
            code(&rename(&"n".repeat(101)), GroupMemberRole::Owner, None),
            10004
        );
    }

    #[test]
    fn test_tips_replay_a_change_on_a_members_copy() {
        let g = group(GroupType::Public);
        let param = GroupModifyInfoParam {
            modify_flag: Some(i64::from(
                modify_flag::NAME | modify_flag::FACE_URL | modify_flag::SHUTUP_ALL,
            )),
            group_name: Some("Renamed".into()),
            face_url: Some("https://g/f.png".into()),
            is_shutup_all: Some(true),
            ..GroupModifyInfoParam::default()
        };
        let m = apply_modify(&g, &param, GroupMemberRole::Admin, None).unwrap();
        let mut copy = g;
        apply_tip_changes(&mut copy, &m.changes);
        assert_eq!(copy.group_name, m.info.group_name);
        assert_eq!(copy.face_url, m.info.face_url);
        assert_eq!(copy.is_shutup_all, Some(true));
    }
}
