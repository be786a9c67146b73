//! Groups: creating one, its information, and its members: invites,
//! joins with their requests, quits, kicks, roles, name cards and mutes
//! (the part of Tencent's group API the C API serves). These are server
//! calls only: membership lives on the server, and a group's conversation
//! appears here with its first message (the tip that made the user a
//! member).

use im_model::group::{GetGroupInfoResult, GroupBaseInfo, GroupModifyInfoParam, GroupSelfInfo};
use im_model::group_member::{
    GroupModifyMemberInfoParam, GroupPendencyOption, GroupPendencyResult,
};
use im_model::{ConvId, ImResult, ReceiveMessageOpt};
use im_transport::{
    CreateGroupRequest, GroupMember, HandlePendencyRequest, JoinGroupRequest, MembersPage,
    MembersPageRequest,
};

use crate::Client;

/// The group functions of a logged-in [`Client`].
#[derive(Debug, Clone)]
pub struct GroupManager {
    pub(crate) client: Client,
}

impl GroupManager {
    /// Creates a group owned by the logged-in user, with its first members
    /// (`TIMGroupCreate`).
    ///
    /// # Errors
    /// The server's code (10021 id taken, 10004 invalid); -2 when not logged in.
    pub async fn create_group(&self, request: &CreateGroupRequest) -> ImResult<()> {
        let request = request.clone();
        self.client
            .call(move |s| async move { s.transport.create_group(request).await })
            .await
    }

    /// Adds members (the owner or an admin); returns who was added
    /// (`TIMGroupInviteMember`).
    ///
    /// # Errors
    /// The server's code (10007 not allowed, 10010 no such group); -2 when
    /// not logged in.
    pub async fn add_members(&self, group_id: &str, users: &[String]) -> ImResult<Vec<String>> {
        let (group_id, users) = (group_id.to_owned(), users.to_vec());
        self.client
            .call(move |s| async move { s.transport.add_group_members(group_id, users).await })
            .await
    }

    /// Removes members (the owner or an admin); returns who was removed
    /// (`TIMGroupDeleteMember`).
    ///
    /// # Errors
    /// As [`GroupManager::add_members`].
    pub async fn remove_members(&self, group_id: &str, users: &[String]) -> ImResult<Vec<String>> {
        let (group_id, users) = (group_id.to_owned(), users.to_vec());
        self.client
            .call(move |s| async move { s.transport.remove_group_members(group_id, users).await })
            .await
    }

    /// Leaves a group (`TIMGroupQuit`).
    ///
    /// # Errors
    /// As [`GroupManager::add_members`].
    pub async fn quit(&self, group_id: &str) -> ImResult<()> {
        let me = self.client.session()?.user_id.clone();
        self.remove_members(group_id, &[me]).await.map(drop)
    }

    /// The groups the user is in (`TIMGroupGetJoinedGroupList`): the
    /// server's list, with this device's read position, unread count and
    /// receive option of each group's conversation where it has one.
    ///
    /// # Errors
    /// The server's code; -2 when not logged in.
    pub async fn joined_groups(&self) -> ImResult<Vec<GroupBaseInfo>> {
        let mut groups = self
            .client
            .call(move |s| async move { s.transport.joined_groups().await })
            .await?;
        let ids: Vec<ConvId> = groups
            .iter()
            .filter_map(|g| ConvId::group(g.group_id.as_deref()?).ok())
            .collect();
        let local = self.client.conversations().conversation_infos(&ids).await?;
        for group in &mut groups {
            let Some(conv) = local
                .iter()
                .find(|c| c.conv_id.is_some() && c.conv_id == group.group_id)
            else {
                continue;
            };
            let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
            group.readed_seq = conv.group_read_sequence.map(clamp);
            let opt = conv.recv_opt.unwrap_or(ReceiveMessageOpt::Receive);
            group.msg_flag = Some(opt.value());
            let self_info = group.self_info.get_or_insert_with(GroupSelfInfo::default);
            self_info.unread_num = conv.unread_num.map(clamp);
            self_info.msg_flag = Some(opt);
        }
        Ok(groups)
    }

    /// Groups' information, one answer per group
    /// (`TIMGroupGetGroupInfoList`); it also renames the groups'
    /// conversations here when their name or face changed.
    ///
    /// # Errors
    /// 6017 for no group or more than 50; the server's code; -2 when not
    /// logged in.
    pub async fn group_infos(&self, group_ids: &[String]) -> ImResult<Vec<GetGroupInfoResult>> {
        let ids = group_ids.to_vec();
        self.client
            .call(move |s| async move { s.msgs.group_infos(&ids).await })
            .await
    }

    /// Changes a group's information (`TIMGroupModifyGroupInfo`): every
    /// member, this device included, gets the group tip announcing it.
    ///
    /// # Errors
    /// The server's code: 10010 no such group, 10007 not allowed, 10004 a
    /// malformed change; -2 when not logged in.
    pub async fn modify_group_info(&self, param: &GroupModifyInfoParam) -> ImResult<()> {
        let param = param.clone();
        self.client
            .call(move |s| async move { s.transport.modify_group_info(param).await })
            .await
    }

    /// Dismisses a group, its owner only (`TIMGroupDelete`): every member
    /// gets a `kTIMGroupReport_Delete` report; the conversation stays,
    /// and sends to it are refused (10010).
    ///
    /// # Errors
    /// The server's code: 10010 no such group, 10007 not the owner; -2 when
    /// not logged in.
    pub async fn dismiss_group(&self, group_id: &str) -> ImResult<()> {
        let group_id = group_id.to_owned();
        self.client
            .call(move |s| async move { s.transport.dismiss_group(group_id).await })
            .await
    }

    /// A page of a group's members, by user id (members only;
    /// `TIMGroupGetMemberInfoList`): `next` 0 first, then the page's.
    ///
    /// # Errors
    /// As [`GroupManager::add_members`].
    pub async fn member_page(&self, request: &MembersPageRequest) -> ImResult<MembersPage> {
        let request = request.clone();
        self.client
            .call(move |s| async move { s.transport.group_members(request).await })
            .await
    }

    /// Every member of a group, page after page (members only).
    ///
    /// # Errors
    /// As [`GroupManager::add_members`].
    pub async fn members(&self, group_id: &str) -> ImResult<Vec<GroupMember>> {
        let mut request = MembersPageRequest {
            group_id: group_id.to_owned(),
            role_filter: 0,
            users: Vec::new(),
            next: 0,
        };
        let mut members = Vec::new();
        loop {
            let page = self.member_page(&request).await?;
            members.extend(page.members);
            // A server answering the same start again would loop forever.
            if page.next <= request.next {
                return Ok(members);
            }
            request.next = page.next;
        }
    }

    /// Joins a group by its join option (`TIMGroupJoin`): true when the
    /// request waits for an owner or admin, false when the user is a
    /// member now (the group's conversation arrives with its tip).
    ///
    /// # Errors
    /// The server's code: 10013 already a member, 10007 the group forbids
    /// joining, 10014 full, 10010 no such group; -2 when not logged in.
    pub async fn join(&self, group_id: &str, message: &str) -> ImResult<bool> {
        let request = JoinGroupRequest {
            group_id: group_id.to_owned(),
            message: message.to_owned(),
        };
        let answer = self
            .client
            .call(move |s| async move { s.transport.join_group(request).await })
            .await?;
        Ok(answer.pending)
    }

    /// Changes a member's role, name card or mute
    /// (`TIMGroupModifyMemberInfo`); every member gets the tip announcing it.
    ///
    /// # Errors
    /// The server's code: 10007 not allowed, 10004 a malformed change;
    /// -2 when not logged in.
    pub async fn modify_member(&self, param: &GroupModifyMemberInfoParam) -> ImResult<()> {
        let param = param.clone();
        self.client
            .call(move |s| async move { s.transport.modify_group_member(param).await })
            .await
    }

    /// The join requests the user may answer (`TIMGroupGetPendencyList`).
    ///
    /// # Errors
    /// The server's code; -2 when not logged in.
    pub async fn pendencies(&self, option: &GroupPendencyOption) -> ImResult<GroupPendencyResult> {
        let option = option.clone();
        self.client
            .call(move |s| async move { s.transport.group_pendencies(option).await })
            .await
    }

    /// Accepts or refuses a join request (`TIMGroupHandlePendency`).
    ///
    /// # Errors
    /// The server's code: 10007 not an approver, 10024 answered before,
    /// 10004 no such request, 10014 full; -2 when not logged in.
    pub async fn handle_pendency(&self, request: &HandlePendencyRequest) -> ImResult<()> {
        let request = request.clone();
        self.client
            .call(move |s| async move { s.transport.handle_group_pendency(request).await })
            .await
    }

    /// Marks join requests filed up to `time` (seconds) read
    /// (`TIMGroupReportPendencyReaded`).
    ///
    /// # Errors
    /// The server's code; -2 when not logged in.
    pub async fn report_pendency_read(&self, time: u64) -> ImResult<()> {
        self.client
            .call(move |s| async move { s.transport.report_group_pendency_read(time).await })
            .await
    }
}
