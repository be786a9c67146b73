//! Group membership: a group's creation with its first members, invites,
//! joins (by the join option; with approval through join requests),
//! quits, kicks, and member changes (role, name card, mute). Each rule is
//! `im_model::group_member`'s, run inside the store's transaction
//! ([`ServerStore::change_members`](crate::store::ServerStore::change_members))
//! with the group tip that announces the change, so both commit together.

use im_model::enums::{GroupMemberRole, GroupReportType, GroupTipType, GroupType};
use im_model::group_member::{
    self, GroupModifyMemberInfoParam, GroupPendency, GroupPendencyOption, GroupPendencyResult,
    JoinPath, MAX_MEMBERS_PER_PAGE, MAX_PENDENCIES_PER_PAGE, pendency_handled, pendency_type,
};
use im_model::message::{GroupReportElem, GroupTipsElem};
use im_model::wire::http::{
    CreateGroupRequest, GroupMembersRequest, HandlePendencyRequest, JoinAnswer, JoinGroupRequest,
    MembersPage, MembersPageRequest, PendencyReadRequest, SetRoleRequest,
};
use im_model::{Elem, ImResult, Message};

use super::{
    Caller, MAX_GROUP_ID_BYTES, MAX_MEMBERS_PER_CALL, Service, check_user_id, random_token,
    valid_id,
};
use crate::codes::{self, denied, server};
use crate::store::{
    ConvKey, GroupTx, MemberOp, MembersChange, MembersPlan, MembersQuery, NewMessage,
    StoredPendency, tip_message,
};

/// The setting key of the time up to which a user read join requests.
const PENDENCY_READ: &str = "pendency_read";

/// A group tip from `op_user`, appended where a plan puts it.
fn tip(op_user: &str, group: &str, now: u64, tips: GroupTipsElem) -> ImResult<NewMessage> {
    let tips = GroupTipsElem {
        op_user: Some(op_user.to_owned()),
        group_id: Some(group.to_owned()),
        ..tips
    };
    Ok(NewMessage {
        conv: ConvKey::Group(group.to_owned()),
        sender: op_user.to_owned(),
        msg_id: format!("tip-{}", random_token()?),
        now,
        message: tip_message(Elem::GroupTips(Box::new(tips))),
        echo_to_sender: true,
    })
}

/// A group system report from `op_user` (Tencent's `GroupReportElem`), as
/// an online message of the group: what approvers and applicants get.
fn report(
    op_user: &str,
    group: &str,
    now: u64,
    report_type: GroupReportType,
    text: &str,
) -> ImResult<Message> {
    let elem = GroupReportElem {
        report_type: Some(report_type),
        group_id: Some(group.to_owned()),
        op_user: Some(op_user.to_owned()),
        msg: Some(text.to_owned()),
        ..GroupReportElem::default()
    };
    Ok(Message {
        msg_id: Some(format!("report-{}", random_token()?)),
        sender: Some(op_user.to_owned()),
        server_time: Some(now),
        client_time: Some(now),
        is_online_msg: Some(true),
        ..tip_message(Elem::GroupReport(Box::new(elem)))
    })
}

/// A membership tip (`Invite`, `Quit`, `Kick`: with the member count after).
fn members_tip(
    op_user: &str,
    group: &str,
    now: u64,
    tip_type: GroupTipType,
    users: Vec<String>,
    member_num: u32,
) -> ImResult<NewMessage> {
    tip(
        op_user,
        group,
        now,
        GroupTipsElem {
            tip_type: Some(tip_type),
            user_array: Some(users),
            member_num: Some(member_num),
            ..GroupTipsElem::default()
        },
    )
}

/// Makes `users` plain members, within the group's limit, with one
/// `Invite` tip from `op_user` (the inviter, or the joiner who asked).
///
/// # Errors
/// 10014 when they do not fit, 10037 when one of them is in too many groups.
fn admit(
    plan: &mut MembersPlan,
    group: &dyn GroupTx,
    op_user: &str,
    users: Vec<String>,
    now: u64,
) -> ImResult<()> {
    let count = group.info().member_num.unwrap_or(0);
    group_member::check_room(group.info(), count, users.len())?;
    let group_type = group.info().group_type.unwrap_or(GroupType::Public);
    for user in &users {
        group_member::check_joined(user, group.joined_count(user)?, group_type)?;
    }
    plan.ops.extend(users.iter().map(|u| MemberOp::Add {
        user: u.clone(),
        role: GroupMemberRole::Normal,
        joined: now,
    }));
    let group_id = group.info().group_id.clone().unwrap_or_default();
    let after = count_after(group, users.len() as isize);
    let tip = members_tip(op_user, &group_id, now, GroupTipType::Invite, users, after)?;
    plan.announce(tip);
    Ok(())
}

/// The group's member count after `change` more (or fewer) members.
fn count_after(group: &dyn GroupTx, change: isize) -> u32 {
    let now = group.info().member_num.unwrap_or(0) as isize;
    u32::try_from((now + change).max(0)).unwrap_or(u32::MAX)
}

fn check_group_id(group_id: &str) -> ImResult<()> {
    if valid_id(group_id, MAX_GROUP_ID_BYTES) {
        Ok(())
    } else {
        Err(server(
            codes::GROUP_INVALID_PARAMETERS,
            format!("invalid group id {group_id:?}"),
        ))
    }
}

fn check_users(users: &[String]) -> ImResult<()> {
    if users.is_empty() || users.len() > MAX_MEMBERS_PER_CALL {
        return Err(server(
            codes::GROUP_INVALID_PARAMETERS,
            format!("1 to {MAX_MEMBERS_PER_CALL} users per call"),
        ));
    }
    users.iter().try_for_each(|u| check_user_id(u))
}

impl Service {
    /// Runs a membership change and wakes whoever its tips reached.
    async fn change_members(&self, group_id: &str, change: MembersChange) -> ImResult<MembersPlan> {
        check_group_id(group_id)?;
        let (plan, notified) = self.store.change_members(group_id, change).await?;
        self.notify(&notified);
        Ok(plan)
    }

    /// Creates a group owned by the caller, with its first members and the
    /// `Invite` tip naming them all, in one write.
    ///
    /// # Errors
    /// 10004 a bad id or too many members, 10021 the id is taken, and the
    /// information's limits (`new_group_info`).
    pub async fn create_group(&self, caller: &Caller, request: CreateGroupRequest) -> ImResult<()> {
        if !valid_id(&request.group_id, MAX_GROUP_ID_BYTES)
            || request.members.len() > MAX_MEMBERS_PER_CALL
        {
            return Err(server(
                codes::GROUP_INVALID_PARAMETERS,
                "invalid group id or too many members",
            ));
        }
        for user in &request.members {
            check_user_id(user)?;
        }
        let info = self.new_group_info(caller, &request)?;
        let mut joined = vec![caller.user.clone()];
        for user in &request.members {
            if !joined.contains(user) {
                joined.push(user.clone());
            }
        }
        // Read before the write (a creation has no group to lock yet): two
        // creations at once may pass the limit by one each.
        let group_type = info.group_type.unwrap_or(GroupType::Public);
        for user in &joined {
            let count = self.store.joined_count(user).await?;
            group_member::check_joined(user, count, group_type)?;
        }
        let count = u32::try_from(joined.len()).unwrap_or(u32::MAX);
        let welcome = members_tip(
            &caller.user,
            &request.group_id,
            self.now(),
            GroupTipType::Invite,
            joined,
            count,
        )?;
        let notified = self
            .store
            .create_group(&info, &request.members, welcome)
            .await?
            .ok_or_else(|| server(codes::GROUP_ID_IN_USE, "the group id is taken"))?;
        self.notify(&notified);
        Ok(())
    }

    /// Invites users (`TIMGroupInviteMember`): they become members now,
    /// with one `Invite` tip; returns those who were not members yet.
    ///
    /// # Errors
    /// 10007 not allowed (`group_member::may_invite`), 10014 the group
    /// would be over its limit, 10004 / 20003 malformed users.
    pub async fn add_members(
        &self,
        caller: &Caller,
        request: GroupMembersRequest,
    ) -> ImResult<Vec<String>> {
        check_users(&request.users)?;
        let (user, now, users) = (caller.user.clone(), self.now(), request.users);
        let plan = self
            .change_members(
                &request.group_id,
                Box::new(move |group| {
                    let role = group.member(&user)?.map(|m| m.role);
                    group_member::may_invite(group.info(), role)?;
                    let mut new = Vec::new();
                    for invited in &users {
                        if group.member(invited)?.is_none() && !new.contains(invited) {
                            new.push(invited.clone());
                        }
                    }
                    let mut plan = MembersPlan::default();
                    if new.is_empty() {
                        return Ok(plan);
                    }
                    admit(&mut plan, group, &user, new, now)?;
                    Ok(plan)
                }),
            )
            .await?;
        Ok(plan.added())
    }

    /// Removes members (`TIMGroupDeleteMember`), or the caller alone
    /// (`TIMGroupQuit`). The `Kick` or `Quit` tip comes before the removal,
    /// so the members leaving get it too, with Tencent's report to them
    /// (`kTIMGroupReport_BeKicked`, or `_Quit` for the quitter's other
    /// devices). Returns those removed (users who were not members are
    /// skipped).
    ///
    /// # Errors
    /// 10007 not allowed (`group_member::may_kick` for any member named,
    /// `may_quit`), 10009 the owner quitting a group that is not a Work group.
    pub async fn remove_members(
        &self,
        caller: &Caller,
        request: GroupMembersRequest,
    ) -> ImResult<Vec<String>> {
        check_users(&request.users)?;
        let quitting = request.users == [caller.user.clone()];
        let (user, now, users) = (caller.user.clone(), self.now(), request.users);
        let group_id = request.group_id.clone();
        let plan = self
            .change_members(
                &request.group_id,
                Box::new(move |group| {
                    let me = group.member(&user)?;
                    let mut plan = MembersPlan::default();
                    if quitting {
                        group_member::may_quit(group.info(), me.as_ref().map(|m| m.role))?;
                        let after = count_after(group, -1);
                        let farewell = members_tip(
                            &user,
                            &group_id,
                            now,
                            GroupTipType::Quit,
                            vec![user.clone()],
                            after,
                        )?;
                        plan.announce(farewell);
                        // For the quitter's other devices (Tencent's `Quit` report).
                        let left = report(&user, &group_id, now, GroupReportType::Quit, "")?;
                        plan.ops.push(MemberOp::Report {
                            to: vec![user.clone()],
                            message: Box::new(left),
                        });
                        plan.ops.push(MemberOp::Remove(user.clone()));
                        if me.is_some_and(|m| m.role == GroupMemberRole::Owner) {
                            plan.ops.push(MemberOp::SetOwner(None));
                        }
                        return Ok(plan);
                    }
                    let mut leaving = Vec::new();
                    for target in users.iter().cloned() {
                        let Some(member) = group.member(&target)? else {
                            continue;
                        };
                        group_member::may_kick(
                            group.info(),
                            me.as_ref().map(|m| m.role),
                            member.role,
                        )?;
                        if !leaving.contains(&target) {
                            leaving.push(target);
                        }
                    }
                    if leaving.is_empty() {
                        return Ok(plan);
                    }
                    let after = count_after(group, -(leaving.len() as isize));
                    plan.announce(members_tip(
                        &user,
                        &group_id,
                        now,
                        GroupTipType::Kick,
                        leaving.clone(),
                        after,
                    )?);
                    let kicked = report(&user, &group_id, now, GroupReportType::BeKicked, "")?;
                    plan.ops.push(MemberOp::Report {
                        to: leaving.clone(),
                        message: Box::new(kicked),
                    });
                    plan.ops.extend(leaving.into_iter().map(MemberOp::Remove));
                    Ok(plan)
                }),
            )
            .await?;
        Ok(plan.removed())
    }

    /// Joins a group (`TIMGroupJoin`) by its join option: at once (with an
    /// `Invite` tip whose operator is the joiner), or as a join request the
    /// owner and admins answer (a second request replaces the first); they
    /// get a `kTIMGroupReport_AddRequest` report.
    ///
    /// # Errors
    /// `group_member::join_path`'s: 10013, 10007, 10014; 10004 a request
    /// text over 300 bytes.
    pub async fn join_group(
        &self,
        caller: &Caller,
        request: JoinGroupRequest,
    ) -> ImResult<JoinAnswer> {
        group_member::check_pendency_msg(&request.message)?;
        let (user, now, message) = (caller.user.clone(), self.now(), request.message);
        let group_id = request.group_id.clone();
        let plan = self
            .change_members(
                &request.group_id,
                Box::new(move |group| {
                    let role = group.member(&user)?.map(|m| m.role);
                    let count = group.info().member_num.unwrap_or(0);
                    let mut plan = MembersPlan::default();
                    match group_member::join_path(group.info(), role, count)? {
                        JoinPath::Direct => {
                            admit(&mut plan, group, &user, vec![user.clone()], now)?;
                        }
                        JoinPath::NeedsApproval => {
                            plan.ops
                                .push(MemberOp::PutPendency(Box::new(StoredPendency {
                                    pendency: GroupPendency {
                                        group_id: Some(group_id.clone()),
                                        from_identifier: Some(user.clone()),
                                        add_time: Some(now),
                                        pendency_type: Some(pendency_type::JOIN_NEEDS_ADMIN),
                                        apply_invite_msg: Some(message.clone()),
                                        ..GroupPendency::default()
                                    },
                                    handled: false,
                                })));
                            let asked = report(
                                &user,
                                &group_id,
                                now,
                                GroupReportType::AddRequest,
                                &message,
                            )?;
                            plan.ops.push(MemberOp::Report {
                                to: group.approvers()?,
                                message: Box::new(asked),
                            });
                        }
                    }
                    Ok(plan)
                }),
            )
            .await?;
        Ok(JoinAnswer {
            pending: plan.files_pendency(),
        })
    }

    /// Accepts or refuses a join request (`TIMGroupHandlePendency`): an
    /// accepted applicant becomes a member with an `Invite` tip whose
    /// operator is the applicant; either way the request is answered, once,
    /// and the applicant gets a `kTIMGroupReport_AddAccept` or `_AddRefuse`
    /// report.
    ///
    /// # Errors
    /// 10007 not the owner or an admin, 10004 no such request, 10024
    /// answered before, 10014 the group is full.
    pub async fn handle_pendency(
        &self,
        caller: &Caller,
        request: HandlePendencyRequest,
    ) -> ImResult<()> {
        check_user_id(&request.applicant)?;
        group_member::check_pendency_msg(&request.message)?;
        let (user, now) = (caller.user.clone(), self.now());
        let group_id = request.group_id.clone();
        self.change_members(
            &request.group_id,
            Box::new(move |group| {
                group_member::may_approve(group.member(&user)?.map(|m| m.role))?;
                let Some(mut stored) = group.pendency(&request.applicant)? else {
                    return Err(server(
                        codes::GROUP_INVALID_PARAMETERS,
                        format!("no join request from {:?}", request.applicant),
                    ));
                };
                if stored.handled {
                    return Err(server(
                        group_member::codes::ALREADY_PROCESSED,
                        "this join request was answered before",
                    ));
                }
                let mut plan = MembersPlan::default();
                if request.accept && group.member(&request.applicant)?.is_none() {
                    let joiner = vec![request.applicant.clone()];
                    admit(&mut plan, group, &request.applicant, joiner, now)?;
                }
                let answer_type = if request.accept {
                    GroupReportType::AddAccept
                } else {
                    GroupReportType::AddRefuse
                };
                let answer = report(&user, &group_id, now, answer_type, &request.message)?;
                stored.handled = true;
                stored.pendency.to_identifier = Some(user.clone());
                stored.pendency.handle_result = Some(u32::from(request.accept));
                stored.pendency.approval_msg = Some(request.message.clone());
                plan.ops.push(MemberOp::PutPendency(Box::new(stored)));
                plan.ops.push(MemberOp::Report {
                    to: vec![request.applicant.clone()],
                    message: Box::new(answer),
                });
                Ok(plan)
            }),
        )
        .await
        .map(drop)
    }

    /// The join requests the caller may answer (`TIMGroupGetPendencyList`),
    /// newest first, answered ones included, with the unread count after
    /// the caller's reported read time.
    pub async fn pendencies(
        &self,
        caller: &Caller,
        option: GroupPendencyOption,
    ) -> ImResult<GroupPendencyResult> {
        let limit = match option.max_limited.unwrap_or(0) {
            0 => MAX_PENDENCIES_PER_PAGE,
            n => n.min(MAX_PENDENCIES_PER_PAGE),
        };
        let page = self
            .store
            .pendencies(&caller.user, option.start_time.unwrap_or(0), limit)
            .await?;
        let read = self.pendency_read_time(caller).await?;
        let unread = self.store.unread_pendencies(&caller.user, read).await?;
        let pendencies = page
            .pendencies
            .into_iter()
            .map(|stored| {
                let mut p = stored.pendency;
                p.handled = Some(match (stored.handled, p.to_identifier.as_deref()) {
                    (false, _) => pendency_handled::NOT_HANDLED,
                    (true, Some(by)) if by == caller.user => pendency_handled::BY_OPERATOR,
                    (true, _) => pendency_handled::BY_OTHER,
                });
                p.self_identifier = Some(caller.user.clone());
                p
            })
            .collect();
        Ok(GroupPendencyResult {
            next_start_time: Some(page.next_before),
            read_time_seq: Some(read),
            unread_num: Some(unread),
            pendency_array: Some(pendencies),
            ..GroupPendencyResult::default()
        })
    }

    async fn pendency_read_time(&self, caller: &Caller) -> ImResult<u64> {
        Ok(self
            .store
            .setting(&caller.user, PENDENCY_READ)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or(0))
    }

    /// Marks join requests filed up to a time read
    /// (`TIMGroupReportPendencyReaded`); the read time never goes back.
    pub async fn report_pendency_read(
        &self,
        caller: &Caller,
        request: PendencyReadRequest,
    ) -> ImResult<()> {
        let read = self.pendency_read_time(caller).await?.max(request.time);
        self.store
            .put_setting(&caller.user, PENDENCY_READ, &read.to_string())
            .await
    }

    /// A page of a group's members (`TIMGroupGetMemberInfoList`), for its
    /// members, by user id, filtered by role and by users.
    ///
    /// # Errors
    /// 10010 no such group, 10007 not a member, 10004 too many users named.
    pub async fn members_page(
        &self,
        caller: &Caller,
        request: MembersPageRequest,
    ) -> ImResult<MembersPage> {
        check_group_id(&request.group_id)?;
        if request.users.len() > MAX_MEMBERS_PER_CALL {
            return Err(server(
                codes::GROUP_INVALID_PARAMETERS,
                format!("at most {MAX_MEMBERS_PER_CALL} users per call"),
            ));
        }
        if self.role(&caller.user, &request.group_id).await?.is_none() {
            return Err(denied("not a member of this group"));
        }
        let query = MembersQuery {
            role_filter: request.role_filter,
            users: request.users,
            offset: request.next,
            limit: MAX_MEMBERS_PER_PAGE,
        };
        let (members, more) = self
            .store
            .members_page(&request.group_id, query)
            .await?
            .ok_or_else(|| server(codes::GROUP_NOT_FOUND, "no such group"))?;
        let next = if more {
            request.next + members.len() as u64
        } else {
            0
        };
        Ok(MembersPage { members, next })
    }

    /// Changes a member's role, name card or mute
    /// (`TIMGroupModifyMemberInfo`) under `group_member::apply_member_modify`;
    /// a role change is announced by a `SetAdmin` or `CancelAdmin` tip (and
    /// a `kTIMGroupReport_GrantAdmin` or `_CancelAdmin` report to the
    /// member), a mute or name card by a `MemberInfoChange` tip.
    ///
    /// # Errors
    /// 10007 not allowed or the target not a member, 10004 a malformed change.
    pub async fn modify_member(
        &self,
        caller: &Caller,
        param: GroupModifyMemberInfoParam,
    ) -> ImResult<()> {
        let group_id = param.group_id.clone().unwrap_or_default();
        let target = param.identifier.clone().unwrap_or_default();
        check_user_id(&target)?;
        let (user, now) = (caller.user.clone(), self.now());
        let group = group_id.clone();
        self.change_members(
            &group_id,
            Box::new(move |tx| {
                let actor = tx.member(&user)?.map(|m| m.role);
                let member = tx
                    .member(&target)?
                    .ok_or_else(|| denied(format!("{target:?} is not a member of this group")))?;
                let modified = group_member::apply_member_modify(
                    tx.info(),
                    (&user, actor),
                    &member,
                    &param,
                    now,
                )?;
                let mut plan = MembersPlan::default();
                plan.ops.push(MemberOp::Update(modified.member));
                if let Some(role) = modified.role {
                    let (tip_type, report_type) = if role == GroupMemberRole::Admin {
                        (GroupTipType::SetAdmin, GroupReportType::GrantAdmin)
                    } else {
                        (GroupTipType::CancelAdmin, GroupReportType::CancelAdmin)
                    };
                    let tips = GroupTipsElem {
                        tip_type: Some(tip_type),
                        user_array: Some(vec![target.clone()]),
                        ..GroupTipsElem::default()
                    };
                    plan.announce(tip(&user, &group, now, tips)?);
                    let told = report(&user, &group, now, report_type, "")?;
                    plan.ops.push(MemberOp::Report {
                        to: vec![target.clone()],
                        message: Box::new(told),
                    });
                }
                if modified.mute.is_some() || modified.name_card.is_some() {
                    let tips = GroupTipsElem {
                        tip_type: Some(GroupTipType::MemberInfoChange),
                        user_array: Some(vec![target.clone()]),
                        member_change_info_array: modified.mute.map(|m| vec![m]),
                        changed_group_memberinfo_array: modified.name_card.map(|m| vec![m]),
                        ..GroupTipsElem::default()
                    };
                    plan.announce(tip(&user, &group, now, tips)?);
                }
                Ok(plan)
            }),
        )
        .await
        .map(drop)
    }

    /// Grants or takes admin (the older route): a role-only member change.
    pub async fn set_role(&self, caller: &Caller, request: SetRoleRequest) -> ImResult<()> {
        let param = GroupModifyMemberInfoParam {
            group_id: Some(request.group_id),
            identifier: Some(request.user_id),
            modify_flag: Some(group_member::member_modify_flag::MEMBER_ROLE),
            member_role: Some(request.role.value()),
            ..GroupModifyMemberInfoParam::default()
        };
        self.modify_member(caller, param).await
    }
}
