//! Group membership (TIMGroupManager.h, sections 7 and 8): who may invite,
//! join, quit, kick, change a member's role, name card or mute, and how
//! join requests wait for approval (`GroupPendency`). Each rule is a pure
//! function with Tencent's codes, so the server applies them inside its
//! write and the permission matrix is tested here, without I/O.
//!
//! Keys are the C headers' (`group_modify_member_info_*`,
//! `group_pendency_*`, including Tencent's own `group_pendency_form_*`
//! spellings).

use crate::enums::{GroupMemberRole, GroupType};
use crate::group::{GroupDetailInfo, add_option};
use crate::message::{GroupMemberInfo, GroupTipMemberChangeInfo};
use crate::{ErrorCode, ImError, ImResult};

/// Tencent's membership error codes (`TIMErrorCode.h`), beside the ones in
/// [`crate::group::codes`].
pub mod codes {
    /// `ERR_SVR_GROUP_SUPER_NOT_ALLOW_QUIT`: the owner of this group type
    /// must transfer ownership before quitting.
    pub const OWNER_CANNOT_QUIT: i32 = 10009;
    /// `ERR_SVR_GROUP_ALLREADY_MEMBER`: already a member.
    pub const ALREADY_MEMBER: i32 = 10013;
    /// `ERR_SVR_GROUP_FULL_MEMBER_COUNT`: the group is full.
    pub const FULL: i32 = 10014;
    /// `ERR_SVR_GROUP_SHUTUP_DENY`: the sender is muted.
    pub const SHUTUP_DENY: i32 = 10017;
    /// `ERR_SVR_GROUP_REQ_ALLREADY_BEEN_PROCESSED`: a request handled before.
    pub const ALREADY_PROCESSED: i32 = 10024;
    /// `ERR_SVR_GROUP_COUNT_LIMIT`: a user would be in too many groups.
    pub const TOO_MANY_GROUPS: i32 = 10037;
}

/// `TIMGroupMemberModifyInfoFlag` bits.
pub mod member_modify_flag {
    /// `kTIMGroupMemberModifyFlag_MsgFlag`: the member's receive option.
    pub const MSG_FLAG: u32 = 0x01;
    /// `kTIMGroupMemberModifyFlag_MemberRole`.
    pub const MEMBER_ROLE: u32 = 0x01 << 1;
    /// `kTIMGroupMemberModifyFlag_ShutupTime`.
    pub const SHUTUP_TIME: u32 = 0x01 << 2;
    /// `kTIMGroupMemberModifyFlag_NameCard`.
    pub const NAME_CARD: u32 = 0x01 << 3;
    /// `kTIMGroupMemberModifyFlag_Custom`.
    pub const CUSTOM: u32 = 0x01 << 4;
}

/// `TIMGroupMemberRoleFlag` bits of a member list's filter (0: everyone).
pub mod role_flag {
    /// `kTIMGroupMemberRoleFlag_All`.
    pub const ALL: u32 = 0x00;
    /// `kTIMGroupMemberRoleFlag_Owner`.
    pub const OWNER: u32 = 0x01;
    /// `kTIMGroupMemberRoleFlag_Admin` (not the owner).
    pub const ADMIN: u32 = 0x01 << 1;
    /// `kTIMGroupMemberRoleFlag_Member` (neither owner nor admin).
    pub const MEMBER: u32 = 0x01 << 2;
}

/// `TIMGroupPendencyType`.
pub mod pendency_type {
    /// `kTIMGroupPendency_GroupJoinNeedApprovedByAdmin`: a join request.
    pub const JOIN_NEEDS_ADMIN: u32 = 0;
}

/// `TIMGroupPendencyHandle`.
pub mod pendency_handled {
    /// `kTIMGroupPendency_NotHandle`.
    pub const NOT_HANDLED: u32 = 0;
    /// `kTIMGroupPendency_OtherHandle`: another approver handled it.
    pub const BY_OTHER: u32 = 1;
    /// `kTIMGroupPendency_OperatorHandle`: the reader handled it.
    pub const BY_OPERATOR: u32 = 2;
}

/// The longest name card (bytes; Tencent's `NameCard` limit).
pub const MAX_NAME_CARD_BYTES: usize = 50;
/// The longest join request or answer text (bytes).
pub const MAX_PENDENCY_MSG_BYTES: usize = 300;
/// The longest mute (seconds): Tencent's limit, 0xFFFFFFFF... is "forever"
/// in its REST API; a year here keeps times within 32 bits for decades.
pub const MAX_MUTE_SECONDS: u64 = 366 * 24 * 3600;
/// The most groups a user is in (AVChatRoom groups not counted): Tencent's
/// Pro edition limit.
pub const MAX_JOINED_GROUPS: u32 = 500;
/// The most members a member list page holds.
pub const MAX_MEMBERS_PER_PAGE: u32 = 100;
/// The most join requests a pendency list page holds.
pub const MAX_PENDENCIES_PER_PAGE: u32 = 100;

tim_object! {
    /// `TIMGroupModifyMemberInfo`'s parameter (`GroupModifyMemberInfoParam`).
    pub struct GroupModifyMemberInfoParam {
        /// `group_modify_member_info_group_id`.
        "group_modify_member_info_group_id" => group_id: String,
        /// `group_modify_member_info_identifier`: the member changed.
        "group_modify_member_info_identifier" => identifier: String,
        /// `group_modify_member_info_modify_flag` ([`member_modify_flag`]).
        "group_modify_member_info_modify_flag" => modify_flag: u32,
        /// `group_modify_member_info_msg_flag` (`TIMReceiveMessageOpt`).
        "group_modify_member_info_msg_flag" => msg_flag: u32,
        /// `group_modify_member_info_member_role` (`TIMGroupMemberRole`).
        "group_modify_member_info_member_role" => member_role: u32,
        /// `group_modify_member_info_shutup_time`: mute for this many
        /// seconds from now (0 lifts it).
        "group_modify_member_info_shutup_time" => shutup_time: u64,
        /// `group_modify_member_info_name_card`.
        "group_modify_member_info_name_card" => name_card: String,
        /// `group_modify_member_info_custom_info`.
        "group_modify_member_info_custom_info" => custom_info: serde_json::Value,
    }
}

tim_object! {
    /// A join request (`GroupPendency`).
    pub struct GroupPendency {
        /// `group_pendency_group_id`.
        "group_pendency_group_id" => group_id: String,
        /// `group_pendency_form_identifier` (Tencent's spelling): who asked.
        "group_pendency_form_identifier" => from_identifier: String,
        /// `group_pendency_from_nick_name`.
        "group_pendency_from_nick_name" => from_nick_name: String,
        /// `group_pendency_from_face_url`.
        "group_pendency_from_face_url" => from_face_url: String,
        /// `group_pendency_to_identifier`: who handled it (empty before).
        "group_pendency_to_identifier" => to_identifier: String,
        /// `group_pendency_add_time` (seconds).
        "group_pendency_add_time" => add_time: u64,
        /// `group_pendency_pendency_type` ([`pendency_type`]).
        "group_pendency_pendency_type" => pendency_type: u32,
        /// `group_pendency_handled` ([`pendency_handled`]).
        "group_pendency_handled" => handled: u32,
        /// `group_pendency_handle_result`: 0 refused, 1 accepted.
        "group_pendency_handle_result" => handle_result: u32,
        /// `group_pendency_apply_invite_msg`: the applicant's text.
        "group_pendency_apply_invite_msg" => apply_invite_msg: String,
        /// `group_pendency_form_user_defined_data`.
        "group_pendency_form_user_defined_data" => from_user_defined_data: String,
        /// `group_pendency_approval_msg`: the approver's answer.
        "group_pendency_approval_msg" => approval_msg: String,
        /// `group_pendency_to_user_defined_data`.
        "group_pendency_to_user_defined_data" => to_user_defined_data: String,
        /// `group_pendency_self_identifier`: the reader.
        "group_pendency_self_identifier" => self_identifier: String,
    }
}

tim_object! {
    /// `TIMGroupGetPendencyList`'s parameter (`GroupPendencyOption`).
    pub struct GroupPendencyOption {
        /// `group_pendency_option_start_time`: 0 first, then the answer's
        /// `group_pendency_result_next_start_time`.
        "group_pendency_option_start_time" => start_time: u64,
        /// `group_pendency_option_max_limited`: a suggestion (0: the default).
        "group_pendency_option_max_limited" => max_limited: u32,
    }
}

tim_object! {
    /// `TIMGroupGetPendencyList`'s answer (`GroupPendencyResult`).
    pub struct GroupPendencyResult {
        /// `group_pendency_result_next_start_time`: 0 when there is no more.
        "group_pendency_result_next_start_time" => next_start_time: u64,
        /// `group_pendency_result_read_time_seq`: the reported read time.
        "group_pendency_result_read_time_seq" => read_time_seq: u64,
        /// `group_pendency_result_unread_num`: unhandled requests after it.
        "group_pendency_result_unread_num" => unread_num: u32,
        /// `group_pendency_result_pendency_array`.
        "group_pendency_result_pendency_array" => pendency_array: Vec<GroupPendency>,
    }
}

tim_object! {
    /// `TIMGroupHandlePendency`'s parameter (`GroupHandlePendencyParam`).
    pub struct GroupHandlePendencyParam {
        /// `group_handle_pendency_param_is_accept` (false when absent).
        "group_handle_pendency_param_is_accept" => is_accept: bool,
        /// `group_handle_pendency_param_handle_msg`.
        "group_handle_pendency_param_handle_msg" => handle_msg: String,
        /// `group_handle_pendency_param_pendency`: the request, as listed.
        "group_handle_pendency_param_pendency" => pendency: GroupPendency,
    }
}

fn error(code: i32, message: impl Into<String>) -> ImError {
    ImError::new(ErrorCode::from_code(code), message)
}

fn denied(message: impl Into<String>) -> ImError {
    error(crate::group::codes::PERMISSION_DENY, message)
}

fn invalid(message: impl Into<String>) -> ImError {
    error(crate::group::codes::INVALID_PARAMETERS, message)
}

fn is_admin(role: GroupMemberRole) -> bool {
    matches!(role, GroupMemberRole::Owner | GroupMemberRole::Admin)
}

/// How much a role outranks others: a member acts on lower ranks only.
fn rank(role: GroupMemberRole) -> u8 {
    match role {
        GroupMemberRole::Owner => 3,
        GroupMemberRole::Admin => 2,
        _ => 1,
    }
}

fn group_type(info: &GroupDetailInfo) -> GroupType {
    info.group_type.unwrap_or(GroupType::Public)
}

/// Whether a member with `role` (`None`: not a member) may add users to the
/// group directly: in a Work group any member; an AVChatRoom is joined, not
/// invited into; in the others the owner and admins.
///
/// # Errors
/// 10007.
pub fn may_invite(info: &GroupDetailInfo, role: Option<GroupMemberRole>) -> ImResult<()> {
    match (group_type(info), role) {
        (_, None) => Err(denied("not a member of this group")),
        (GroupType::AvChatRoom, _) => Err(denied("an AVChatRoom is joined, not invited into")),
        (GroupType::Private, Some(_)) => Ok(()),
        (_, Some(role)) if is_admin(role) => Ok(()),
        _ => Err(denied("only the owner and admins invite to this group")),
    }
}

/// Whether `actor` may remove `target` from the group: in a Work group
/// the owner only; in the others the owner and admins, each only members
/// of a lower rank (an admin removes plain members, never the owner).
///
/// # Errors
/// 10007.
pub fn may_kick(
    info: &GroupDetailInfo,
    actor: Option<GroupMemberRole>,
    target: GroupMemberRole,
) -> ImResult<()> {
    let Some(actor) = actor else {
        return Err(denied("not a member of this group"));
    };
    let allowed = match group_type(info) {
        GroupType::Private => actor == GroupMemberRole::Owner,
        _ => is_admin(actor),
    };
    if !allowed {
        return Err(denied("not allowed to remove members of this group"));
    }
    if rank(target) >= rank(actor) {
        return Err(denied("a member is removed only by a higher role"));
    }
    Ok(())
}

/// How a join request proceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinPath {
    /// The user becomes a member now.
    Direct,
    /// An owner or admin approves it first (a pendency).
    NeedsApproval,
}

/// How `TIMGroupJoin` proceeds for a user with `role` (`None`: not a
/// member) in a group with `member_num` members: by the join option; a
/// Work group is never joined by asking; an AVChatRoom always freely.
///
/// # Errors
/// 10013 already a member, 10007 the group forbids joining, 10014 full.
pub fn join_path(
    info: &GroupDetailInfo,
    role: Option<GroupMemberRole>,
    member_num: u32,
) -> ImResult<JoinPath> {
    if role.is_some() {
        return Err(error(
            codes::ALREADY_MEMBER,
            "already a member of this group",
        ));
    }
    let path = match (
        group_type(info),
        info.add_option.unwrap_or(add_option::AUTH),
    ) {
        (GroupType::Private, _) => {
            return Err(denied("a Work group is joined by invitation only"));
        }
        (GroupType::AvChatRoom, _) => JoinPath::Direct,
        (_, add_option::ANY) => JoinPath::Direct,
        (_, add_option::AUTH) => JoinPath::NeedsApproval,
        _ => return Err(denied("this group does not let users join")),
    };
    check_room(info, member_num, 1)?;
    Ok(path)
}

/// Whether `adding` more members fit under the group's limit.
///
/// # Errors
/// 10014.
pub fn check_room(info: &GroupDetailInfo, member_num: u32, adding: usize) -> ImResult<()> {
    let max = info
        .max_member_num
        .unwrap_or_else(|| crate::group::default_max_members(group_type(info)));
    if member_num as usize + adding > max as usize {
        return Err(error(
            codes::FULL,
            format!("the group has {member_num} of at most {max} members"),
        ));
    }
    Ok(())
}

/// Whether `user`, in `joined` groups now, may be in one more (of type
/// `group_type`: AVChatRoom groups do not count).
///
/// # Errors
/// 10037.
pub fn check_joined(user: &str, joined: u32, group_type: GroupType) -> ImResult<()> {
    if group_type != GroupType::AvChatRoom && joined >= MAX_JOINED_GROUPS {
        return Err(error(
            codes::TOO_MANY_GROUPS,
            format!("{user} is in {joined} groups, the most a user joins"),
        ));
    }
    Ok(())
}

/// Whether a member with `role` may quit: anyone but the owner; a Work
/// group's owner too (the group then has no owner).
///
/// # Errors
/// 10007 not a member, 10009 the owner of another group type.
pub fn may_quit(info: &GroupDetailInfo, role: Option<GroupMemberRole>) -> ImResult<()> {
    match role {
        None => Err(denied("not a member of this group")),
        Some(GroupMemberRole::Owner) if group_type(info) != GroupType::Private => Err(error(
            codes::OWNER_CANNOT_QUIT,
            "the owner transfers the group before quitting",
        )),
        Some(_) => Ok(()),
    }
}

/// Whether a member with `role` may approve or refuse join requests.
///
/// # Errors
/// 10007.
pub fn may_approve(role: Option<GroupMemberRole>) -> ImResult<()> {
    match role {
        Some(role) if is_admin(role) => Ok(()),
        _ => Err(denied("only the owner and admins handle join requests")),
    }
}

/// Whether a member may send now: a muted member (until `mute_until`,
/// seconds) may not, nor may plain members while the whole group is muted
/// (`group_muted`, the information's `is_shutup_all`).
///
/// # Errors
/// 10017.
pub fn may_send(
    group_muted: bool,
    role: GroupMemberRole,
    mute_until: u64,
    now: u64,
) -> ImResult<()> {
    if mute_until > now {
        return Err(error(
            codes::SHUTUP_DENY,
            format!("muted for {} more seconds", mute_until - now),
        ));
    }
    if group_muted && !is_admin(role) {
        return Err(error(codes::SHUTUP_DENY, "the whole group is muted"));
    }
    Ok(())
}

/// One member as a change sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberState {
    /// The user.
    pub user_id: String,
    /// Their role.
    pub role: GroupMemberRole,
    /// Their name card.
    pub name_card: String,
    /// Muted until (seconds; 0 or past: not muted).
    pub mute_until: u64,
}

/// What `TIMGroupModifyMemberInfo` changes, checked: the member after it
/// and what the group tips announce.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberModified {
    /// The member after the change.
    pub member: MemberState,
    /// The new role, when it changed (a `SetAdmin` or `CancelAdmin` tip).
    pub role: Option<GroupMemberRole>,
    /// The mute change, for a `MemberInfoChange` tip
    /// (`group_tips_member_change_info_*`: the seconds muted, 0 lifted).
    pub mute: Option<GroupTipMemberChangeInfo>,
    /// The changed member's information, when the name card changed (a
    /// `MemberInfoChange` tip's `changed_group_memberinfo_array`).
    pub name_card: Option<GroupMemberInfo>,
}

/// Applies `param` to `target` for `actor` (`None`: not a member), with
/// Tencent's rules:
/// - roles (admin or member) are the owner's to give, never to or from
///   the owner, and not in an AVChatRoom;
/// - mutes are for the owner and admins, on members below them;
/// - a name card is its member's to change, or a higher role's;
/// - the receive option (`MSG_FLAG`) is the member's own and is set
///   through the conversation's receive option, not here;
/// - member custom fields need fields declared by the app's admin, which
///   this server has none of.
///
/// # Errors
/// 10004 a malformed change (no flag, an unknown one, a role other than
/// admin or member, a card over 50 bytes), 10007 not allowed.
pub fn apply_member_modify(
    info: &GroupDetailInfo,
    actor: (&str, Option<GroupMemberRole>),
    target: &MemberState,
    param: &GroupModifyMemberInfoParam,
    now: u64,
) -> ImResult<MemberModified> {
    let (actor_id, actor_role) = actor;
    let actor_role = actor_role.ok_or_else(|| denied("not a member of this group"))?;
    let flags = param.modify_flag.unwrap_or(0);
    let known = member_modify_flag::MEMBER_ROLE
        | member_modify_flag::SHUTUP_TIME
        | member_modify_flag::NAME_CARD;
    if flags == 0 {
        return Err(invalid("group_modify_member_info_modify_flag sets nothing"));
    }
    if flags & member_modify_flag::CUSTOM != 0 {
        return Err(invalid(
            "member custom fields must be declared by the app's admin; this server declares none",
        ));
    }
    if flags & member_modify_flag::MSG_FLAG != 0 {
        return Err(invalid(
            "the receive option is set with the conversation's receive option",
        ));
    }
    if flags & !known != 0 {
        return Err(invalid(format!(
            "unknown member modify flags {:#x}",
            flags & !known
        )));
    }
    let outranks = rank(actor_role) > rank(target.role);
    let mut modified = MemberModified {
        member: target.clone(),
        role: None,
        mute: None,
        name_card: None,
    };
    if flags & member_modify_flag::MEMBER_ROLE != 0 {
        let role = param
            .member_role
            .and_then(|r| GroupMemberRole::from_value(i64::from(r)))
            .filter(|r| matches!(r, GroupMemberRole::Admin | GroupMemberRole::Normal))
            .ok_or_else(|| invalid("the new role is admin (300) or member (200)"))?;
        if group_type(info) == GroupType::AvChatRoom {
            return Err(denied("an AVChatRoom has no admins"));
        }
        if actor_role != GroupMemberRole::Owner {
            return Err(denied("only the owner changes roles"));
        }
        if target.role == GroupMemberRole::Owner {
            return Err(denied("the owner's role changes by transfer only"));
        }
        if role != target.role {
            modified.member.role = role;
            modified.role = Some(role);
        }
    }
    if flags & member_modify_flag::SHUTUP_TIME != 0 {
        if !is_admin(actor_role) || !outranks {
            return Err(denied("only a higher role of the owner and admins mutes"));
        }
        let seconds = param.shutup_time.unwrap_or(0).min(MAX_MUTE_SECONDS);
        modified.member.mute_until = if seconds == 0 { 0 } else { now + seconds };
        modified.mute = Some(GroupTipMemberChangeInfo {
            identifier: Some(target.user_id.clone()),
            shutup_time: Some(seconds),
            ..GroupTipMemberChangeInfo::default()
        });
    }
    if flags & member_modify_flag::NAME_CARD != 0 {
        let card = param.name_card.clone().unwrap_or_default();
        if card.len() > MAX_NAME_CARD_BYTES {
            return Err(invalid(format!(
                "a name card is at most {MAX_NAME_CARD_BYTES} bytes"
            )));
        }
        if actor_id != target.user_id && !(is_admin(actor_role) && outranks) {
            return Err(denied("a name card is its member's, or a higher role's"));
        }
        modified.member.name_card = card.clone();
        modified.name_card = Some(GroupMemberInfo {
            identifier: Some(target.user_id.clone()),
            group_id: info.group_id.clone(),
            name_card: Some(card),
            ..GroupMemberInfo::default()
        });
    }
    Ok(modified)
}

/// Whether a member with `role` passes a member list's `role_flag` filter.
pub fn role_matches(filter: u32, role: GroupMemberRole) -> bool {
    if filter == role_flag::ALL {
        return true;
    }
    let bit = match role {
        GroupMemberRole::Owner => role_flag::OWNER,
        GroupMemberRole::Admin => role_flag::ADMIN,
        _ => role_flag::MEMBER,
    };
    filter & bit != 0
}

/// A text a member sent with a request, checked against its limit.
///
/// # Errors
/// 10004.
pub fn check_pendency_msg(text: &str) -> ImResult<()> {
    if text.len() > MAX_PENDENCY_MSG_BYTES {
        return Err(invalid(format!(
            "a request's text is at most {MAX_PENDENCY_MSG_BYTES} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use GroupMemberRole::{Admin, Normal, Owner};

    fn group(group_type: GroupType, add: u32) -> GroupDetailInfo {
        GroupDetailInfo {
            group_id: Some("g".into()),
            group_type: Some(group_type),
            add_option: Some(add),
            max_member_num: Some(3),
            ..GroupDetailInfo::default()
        }
    }

    fn code<T: std::fmt::Debug>(result: ImResult<T>) -> i32 {
        result.expect_err("refused").code.code()
    }

    fn member(id: &str, role: GroupMemberRole) -> MemberState {
        MemberState {
            user_id: id.into(),
            role,
            name_card: String::new(),
            mute_until: 0,
        }
    }

    fn modify(flag: u32) -> GroupModifyMemberInfoParam {
        GroupModifyMemberInfoParam {
            group_id: Some("g".into()),
            modify_flag: Some(flag),
            member_role: Some(Admin.value()),
            shutup_time: Some(60),
            name_card: Some("card".into()),
            ..GroupModifyMemberInfoParam::default()
        }
    }

    #[test]
    fn test_joining_follows_the_add_option_and_the_group_type() {
        let public = |add| group(GroupType::Public, add);
        assert_eq!(
            join_path(&public(add_option::ANY), None, 1).unwrap(),
            JoinPath::Direct
        );
        assert_eq!(
            join_path(&public(add_option::AUTH), None, 1).unwrap(),
            JoinPath::NeedsApproval
        );
        assert_eq!(code(join_path(&public(add_option::FORBID), None, 1)), 10007);
        assert_eq!(
            code(join_path(&public(add_option::ANY), Some(Normal), 1)),
            10013
        );
        assert_eq!(code(join_path(&public(add_option::ANY), None, 3)), 10014);
        let work = group(GroupType::Private, add_option::ANY);
        assert_eq!(code(join_path(&work, None, 1)), 10007);
        let live = group(GroupType::AvChatRoom, add_option::FORBID);
        assert_eq!(join_path(&live, None, 1).unwrap(), JoinPath::Direct);
    }

    #[test]
    fn test_the_invite_kick_and_quit_matrix() {
        let public = group(GroupType::Public, add_option::AUTH);
        let work = group(GroupType::Private, add_option::FORBID);
        let live = group(GroupType::AvChatRoom, add_option::ANY);
        // Invite: (group, inviter) → code (0 allowed).
        let invites = [
            (&public, Some(Owner), 0),
            (&public, Some(Admin), 0),
            (&public, Some(Normal), 10007),
            (&public, None, 10007),
            (&work, Some(Normal), 0),
            (&work, None, 10007),
            (&live, Some(Owner), 10007),
        ];
        for (info, role, want) in invites {
            let got = may_invite(info, role).err().map_or(0, |e| e.code.code());
            assert_eq!(got, want, "invite by {role:?} in {:?}", info.group_type);
        }
        // Kick: (group, actor, target) → code.
        let kicks = [
            (&public, Some(Owner), Admin, 0),
            (&public, Some(Owner), Normal, 0),
            (&public, Some(Admin), Normal, 0),
            (&public, Some(Admin), Admin, 10007),
            (&public, Some(Admin), Owner, 10007),
            (&public, Some(Normal), Normal, 10007),
            (&public, None, Normal, 10007),
            (&work, Some(Owner), Normal, 0),
            (&work, Some(Admin), Normal, 10007),
        ];
        for (info, actor, target, want) in kicks {
            let got = may_kick(info, actor, target)
                .err()
                .map_or(0, |e| e.code.code());
            assert_eq!(
                got, want,
                "{actor:?} kicks {target:?} in {:?}",
                info.group_type
            );
        }
        assert_eq!(code(may_quit(&public, Some(Owner))), 10009);
        assert!(may_quit(&public, Some(Admin)).is_ok());
        assert!(may_quit(&work, Some(Owner)).is_ok());
        assert_eq!(code(may_quit(&public, None)), 10007);
    }

    #[test]
    fn test_member_changes_follow_the_ranks() {
        let public = group(GroupType::Public, add_option::AUTH);
        let (owner, admin, plain) = (member("o", Owner), member("a", Admin), member("m", Normal));
        let role = member_modify_flag::MEMBER_ROLE;
        let mute = member_modify_flag::SHUTUP_TIME;
        let card = member_modify_flag::NAME_CARD;
        // (actor, target, flag) → code.
        let matrix = [
            (&owner, &plain, role, 0),
            (&admin, &plain, role, 10007),
            (&owner, &owner, role, 10007),
            (&owner, &admin, mute, 0),
            (&admin, &plain, mute, 0),
            (&admin, &admin, mute, 10007),
            (&admin, &owner, mute, 10007),
            (&plain, &plain, mute, 10007),
            (&plain, &plain, card, 0),
            (&plain, &admin, card, 10007),
            (&admin, &plain, card, 0),
            (&admin, &owner, card, 10007),
        ];
        for (actor, target, flag, want) in matrix {
            let got = apply_member_modify(
                &public,
                (&actor.user_id, Some(actor.role)),
                target,
                &modify(flag),
                100,
            )
            .err()
            .map_or(0, |e| e.code.code());
            assert_eq!(
                got, want,
                "{} sets {flag:#x} of {}",
                actor.user_id, target.user_id
            );
        }
        let done = apply_member_modify(
            &public,
            ("o", Some(Owner)),
            &plain,
            &modify(role | mute | card),
            100,
        )
        .unwrap();
        assert_eq!(done.member.role, Admin);
        assert_eq!(done.member.mute_until, 160);
        assert_eq!(done.member.name_card, "card");
        assert_eq!(done.mute.unwrap().shutup_time, Some(60));
        let unknown = modify(member_modify_flag::CUSTOM);
        assert_eq!(
            code(apply_member_modify(
                &public,
                ("o", Some(Owner)),
                &plain,
                &unknown,
                0
            )),
            10004
        );
        let mut long = modify(card);
        long.name_card = Some("x".repeat(51));
        assert_eq!(
            code(apply_member_modify(
                &public,
                ("m", Some(Normal)),
                &plain,
                &long,
                0
            )),
            10004
        );
        let mut owner_role = modify(role);
        owner_role.member_role = Some(Owner.value());
        assert_eq!(
            code(apply_member_modify(
                &public,
                ("o", Some(Owner)),
                &plain,
                &owner_role,
                0
            )),
            10004
        );
    }

    #[test]
    fn test_mutes_and_mute_all_stop_sends() {
        assert!(may_send(false, Normal, 0, 100).is_ok());
        assert_eq!(code(may_send(false, Normal, 101, 100)), 10017);
        assert!(may_send(false, Normal, 100, 100).is_ok());
        assert_eq!(code(may_send(false, Admin, 101, 100)), 10017);
        assert_eq!(code(may_send(true, Normal, 0, 100)), 10017);
        assert!(may_send(true, Admin, 0, 100).is_ok());
        assert!(may_send(true, Owner, 0, 100).is_ok());
    }

    #[test]
    fn test_a_user_joins_at_most_500_groups_chat_rooms_aside() {
        assert!(check_joined("u", 499, GroupType::Public).is_ok());
        assert_eq!(code(check_joined("u", 500, GroupType::Private)), 10037);
        assert!(check_joined("u", 500, GroupType::AvChatRoom).is_ok());
    }

    #[test]
    fn test_role_filters_pick_by_bits() {
        assert!(role_matches(role_flag::ALL, Normal));
        assert!(role_matches(role_flag::OWNER | role_flag::ADMIN, Admin));
        assert!(!role_matches(role_flag::OWNER | role_flag::ADMIN, Normal));
        assert!(role_matches(role_flag::MEMBER, Normal));
        assert!(!role_matches(role_flag::MEMBER, Owner));
    }
}
