//! Group membership end to end: real clients on SQLite, the real server
//! over HTTP. A group's whole life (create, join by each option with join
//! requests accepted and refused, roles, mutes, name cards, owner
//! transfer, quit, kick, dismiss), where each step's tip reaches every
//! member's devices exactly once and the joined-group lists agree with the
//! server, and approvers and applicants get their reports
//! (`kTIMGroupReport_AddRequest`, `_AddAccept`, `_AddRefuse`); and the
//! permission matrix with Tencent's codes.

mod support;

use im_model::enums::{GroupMemberRole, GroupType};
use im_model::group::{GroupModifyInfoParam, add_option, modify_flag};
use im_model::group_member::{
    GroupModifyMemberInfoParam, GroupPendencyOption, member_modify_flag, pendency_handled,
    role_flag,
};
use im_model::wire::http::{
    CreateGroupRequest, HandlePendencyRequest, JoinGroupRequest, MembersPageRequest,
    NewGroupDetails,
};
use im_model::{ConvId, Elem, ImError, Message};
use im_sdk::SdkEvent;
use im_transport::Transport;
use support::*;

fn create(id: &str, group_type: GroupType, members: &[&str]) -> CreateGroupRequest {
    CreateGroupRequest {
        group_id: id.into(),
        name: "Life".into(),
        members: members.iter().map(|m| (*m).to_owned()).collect(),
        details: NewGroupDetails {
            group_type: Some(group_type),
            ..NewGroupDetails::default()
        },
    }
}

fn member_change(group: &str, user: &str, flag: u32) -> GroupModifyMemberInfoParam {
    GroupModifyMemberInfoParam {
        group_id: Some(group.into()),
        identifier: Some(user.into()),
        modify_flag: Some(flag),
        ..GroupModifyMemberInfoParam::default()
    }
}

fn mute(group: &str, user: &str, seconds: u64) -> GroupModifyMemberInfoParam {
    GroupModifyMemberInfoParam {
        shutup_time: Some(seconds),
        ..member_change(group, user, member_modify_flag::SHUTUP_TIME)
    }
}

fn make_role(group: &str, user: &str, role: GroupMemberRole) -> GroupModifyMemberInfoParam {
    GroupModifyMemberInfoParam {
        member_role: Some(role.value()),
        ..member_change(group, user, member_modify_flag::MEMBER_ROLE)
    }
}

fn info_change(group: &str, flag: u32) -> GroupModifyInfoParam {
    GroupModifyInfoParam {
        group_id: Some(group.into()),
        modify_flag: Some(i64::from(flag)),
        ..GroupModifyInfoParam::default()
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, ImError>) -> i32 {
    result.expect_err("refused").code()
}

/// What a group message announces: its tip type or report, else `None`.
fn announcement(message: &Message) -> Option<String> {
    match message.elem_array.as_deref()? {
        [Elem::GroupTips(tip)] => Some(format!("{:?}", tip.tip_type?)),
        [Elem::GroupReport(report)] => Some(format!("Report{:?}", report.report_type?)),
        _ => None,
    }
}

/// The announcements of `group` a device receives until `expected` many
/// came, and for 300 ms after (a duplicate would show).
async fn announcements(device: &mut Device, group: &str, expected: usize) -> Vec<String> {
    device
        .gather(
            Vec::new(),
            |seen: &mut Vec<String>, event| {
                if let SdkEvent::Message(im_msg::MsgEvent::NewMessages(list)) = event {
                    seen.extend(
                        list.iter()
                            .filter(|m| m.conv_id.as_deref() == Some(group))
                            .filter_map(announcement),
                    );
                }
            },
            |seen| seen.len() >= expected,
        )
        .await
}

async fn joined(device: &Device) -> Vec<(String, u32)> {
    device
        .client
        .groups()
        .joined_groups()
        .await
        .unwrap()
        .into_iter()
        .map(|g| {
            (
                g.group_id.unwrap_or_default(),
                g.self_info.and_then(|s| s.role).unwrap_or(0),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_groups_whole_life_reaches_every_members_devices_once() {
    let server = server().await;
    let url = server.server.url();
    let mut owner = device(&url, "owner", 1).await;
    let mut phone = device(&url, "alice", 1).await;
    let mut tablet = device(&url, "alice", 2).await;
    let mut bob = device(&url, "bob", 1).await;
    let mut carol = device(&url, "carol", 1).await;
    for d in [&mut owner, &mut phone, &mut tablet, &mut bob, &mut carol] {
        d.first_sync().await;
    }
    let g = |d: &Device| d.client.groups();
    let life = ConvId::group("life").unwrap();

    // Created with alice; a Public group asks for approval by default.
    g(&owner)
        .create_group(&create("life", GroupType::Public, &["alice"]))
        .await
        .unwrap();
    // bob asks and is accepted; carol asks and is refused.
    assert!(g(&bob).join("life", "hi, bob here").await.unwrap(), "waits");
    assert!(g(&carol).join("life", "carol").await.unwrap(), "waits");
    let listed = g(&owner)
        .pendencies(&GroupPendencyOption::default())
        .await
        .unwrap();
    let pending = listed.pendency_array.clone().unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(listed.unread_num, Some(2));
    let bobs = pending
        .iter()
        .find(|p| p.from_identifier.as_deref() == Some("bob"))
        .unwrap();
    assert_eq!(bobs.apply_invite_msg.as_deref(), Some("hi, bob here"));
    assert_eq!(bobs.handled, Some(pendency_handled::NOT_HANDLED));
    let none = g(&phone)
        .pendencies(&GroupPendencyOption::default())
        .await
        .unwrap();
    assert_eq!(
        none.pendency_array.unwrap_or_default(),
        vec![],
        "a plain member approves nothing, so lists nothing"
    );
    let answer = |applicant: &str, accept: bool| HandlePendencyRequest {
        group_id: "life".into(),
        applicant: applicant.into(),
        accept,
        message: String::new(),
    };
    g(&owner)
        .handle_pendency(&answer("bob", true))
        .await
        .unwrap();
    g(&owner)
        .handle_pendency(&answer("carol", false))
        .await
        .unwrap();
    assert_eq!(
        code(g(&owner).handle_pendency(&answer("bob", false)).await),
        10024,
        "answered once"
    );
    let after = g(&owner)
        .pendencies(&GroupPendencyOption::default())
        .await
        .unwrap();
    assert!(after.pendency_array.unwrap().iter().all(|p| {
        p.handled == Some(pendency_handled::BY_OPERATOR)
            && p.handle_result == Some(u32::from(p.from_identifier.as_deref() == Some("bob")))
    }));
    assert_eq!(
        after.unread_num,
        Some(0),
        "answered requests are not unread"
    );
    assert_eq!(joined(&carol).await, vec![], "refused");

    // Anyone may join now.
    let mut open = info_change("life", modify_flag::ADD_OPTION);
    open.add_option = Some(add_option::ANY);
    g(&owner).modify_group_info(&open).await.unwrap();
    assert!(
        !g(&carol).join("life", "").await.unwrap(),
        "a member at once"
    );
    assert_eq!(code(g(&carol).join("life", "").await), 10013);

    // Roles and mutes: alice becomes admin and mutes bob.
    g(&owner)
        .modify_member(&make_role("life", "alice", GroupMemberRole::Admin))
        .await
        .unwrap();
    g(&phone)
        .modify_member(&mute("life", "bob", 600))
        .await
        .unwrap();
    let say = |text: &str| Message::text(text);
    assert_eq!(
        code(
            bob.client
                .messages()
                .send_message(&life, &say("muted?"))
                .await
        ),
        10017
    );
    g(&phone)
        .modify_member(&mute("life", "bob", 0))
        .await
        .unwrap();
    bob.client
        .messages()
        .send_message(&life, &say("free again"))
        .await
        .unwrap();
    // Mute-all stops plain members, not admins.
    let mut hush = info_change("life", modify_flag::SHUTUP_ALL);
    hush.is_shutup_all = Some(true);
    g(&owner).modify_group_info(&hush).await.unwrap();
    assert_eq!(
        code(carol.client.messages().send_message(&life, &say("x")).await),
        10017
    );
    phone
        .client
        .messages()
        .send_message(&life, &say("admins speak"))
        .await
        .unwrap();
    hush.is_shutup_all = Some(false);
    g(&owner).modify_group_info(&hush).await.unwrap();
    // bob's name card, as every member sees it.
    let card = GroupModifyMemberInfoParam {
        name_card: Some("Bobby".into()),
        ..member_change("life", "bob", member_modify_flag::NAME_CARD)
    };
    g(&bob).modify_member(&card).await.unwrap();
    let page = g(&carol)
        .member_page(&MembersPageRequest {
            group_id: "life".into(),
            role_filter: role_flag::OWNER | role_flag::ADMIN,
            users: Vec::new(),
            next: 0,
        })
        .await
        .unwrap();
    let roles: Vec<(String, u32)> = page
        .members
        .iter()
        .map(|m| (m.user_id.clone(), m.role.value()))
        .collect();
    assert_eq!(roles, vec![("alice".into(), 300), ("owner".into(), 400)]);
    let everyone = g(&carol).members("life").await.unwrap();
    let bob_row = everyone.iter().find(|m| m.user_id == "bob").unwrap();
    assert_eq!(bob_row.name_card, "Bobby");
    assert_eq!(bob_row.mute_until, 0, "unmuted");
    assert!(bob_row.join_time > 0);

    // The owner hands the group to alice; carol quits; alice kicks bob.
    let transfer = GroupModifyInfoParam {
        owner: Some("alice".into()),
        ..info_change("life", modify_flag::OWNER)
    };
    g(&owner).modify_group_info(&transfer).await.unwrap();
    assert_eq!(code(g(&phone).quit("life").await), 10009, "the owner stays");
    g(&carol).quit("life").await.unwrap();
    assert_eq!(
        g(&phone)
            .remove_members("life", &["bob".into()])
            .await
            .unwrap(),
        vec!["bob".to_owned()]
    );
    assert_eq!(joined(&phone).await, vec![("life".into(), 400)]);
    assert_eq!(joined(&owner).await, vec![("life".into(), 200)]);
    assert_eq!(joined(&bob).await, vec![]);
    assert_eq!(joined(&carol).await, vec![]);
    g(&phone).dismiss_group("life").await.unwrap();
    assert_eq!(joined(&phone).await, vec![]);

    // Every device saw each step it was a member for, once, in order; the
    // owner (an approver) the join requests, bob and carol their answers.
    let whole = [
        "Invite", // created
        "Invite", // bob accepted
        "GroupInfoChange",
        "Invite", // carol joined
        "SetAdmin",
        "MemberInfoChange", // bob muted
        "MemberInfoChange", // and unmuted
        "GroupInfoChange",  // mute-all
        "GroupInfoChange",  // lifted
        "MemberInfoChange", // bob's card
        "GroupInfoChange",  // the owner changed
        "Quit",
        "Kick",
        "ReportDelete",
    ];
    let with = |at: usize, extra: &[&'static str], from: usize, to: usize| {
        let mut seen = whole[from..to].to_vec();
        seen.splice(at..at, extra.iter().copied());
        seen
    };
    let for_owner = with(1, &["ReportAddRequest", "ReportAddRequest"], 0, whole.len());
    assert_eq!(
        announcements(&mut owner, "life", for_owner.len()).await,
        for_owner
    );
    // alice: her promotion's report after its tip.
    let for_alice = with(5, &["ReportGrantAdmin"], 0, whole.len());
    for device in [&mut phone, &mut tablet] {
        assert_eq!(
            announcements(device, "life", for_alice.len()).await,
            for_alice
        );
    }
    // bob: his answer, and his removal's report after the Kick tip.
    let mut for_bob = with(1, &["ReportAddAccept"], 1, 13);
    for_bob.push("ReportBeKicked");
    assert_eq!(
        announcements(&mut bob, "life", for_bob.len()).await,
        for_bob
    );
    let mut for_carol = with(0, &["ReportAddRefuse"], 3, 12);
    for_carol.push("ReportQuit");
    assert_eq!(
        announcements(&mut carol, "life", for_carol.len()).await,
        for_carol
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_membership_permission_matrix() {
    let server = server().await;
    let url = server.server.url();
    let [owner, admin, member, outsider, former] =
        ["owner", "admin", "member", "outsider", "former"];
    let mut t = std::collections::HashMap::new();
    for user in [owner, admin, member, outsider, former, "newbie"] {
        t.insert(user, transport(&url, user, 1).await);
    }
    t[owner]
        .create_group(&create("g", GroupType::Public, &[admin, member, former]))
        .await
        .unwrap();
    t[owner]
        .create_group(&create("w", GroupType::Private, &[admin, member]))
        .await
        .unwrap();
    t[owner]
        .modify_group_member(make_role("g", admin, GroupMemberRole::Admin))
        .await
        .unwrap();
    t[owner]
        .remove_group_members("g".into(), vec![former.into()])
        .await
        .unwrap();

    let ok = 0;
    // (who, what, the call's code).
    let mut results: Vec<(&str, &str, i32, i32)> = Vec::new();
    macro_rules! check {
        ($who:expr, $what:expr, $want:expr, $call:expr) => {{
            let got = match $call.await {
                Ok(_) => 0,
                Err(e) => e.code(),
            };
            results.push(($who, $what, got, $want));
        }};
    }
    let g = "g".to_owned();
    for (who, want) in [(outsider, 10007), (former, 10007), (member, 10007)] {
        check!(
            who,
            "invite",
            want,
            t[who].add_group_members(g.clone(), vec!["newbie".into()])
        );
        check!(
            who,
            "kick",
            want,
            t[who].remove_group_members(g.clone(), vec![admin.into()])
        );
        check!(
            who,
            "mute",
            want,
            t[who].modify_group_member(mute("g", admin, 60))
        );
        check!(
            who,
            "role",
            want,
            t[who].modify_group_member(make_role("g", member, GroupMemberRole::Admin))
        );
        check!(
            who,
            "rename",
            want,
            t[who].modify_group_info(GroupModifyInfoParam {
                group_name: Some("x".into()),
                ..info_change("g", modify_flag::NAME)
            })
        );
        check!(who, "dismiss", want, t[who].dismiss_group(g.clone()));
        check!(
            who,
            "approve",
            want,
            t[who].handle_group_pendency(HandlePendencyRequest {
                group_id: g.clone(),
                applicant: "newbie".into(),
                accept: true,
                message: String::new(),
            })
        );
    }
    for who in [outsider, former] {
        let page = MembersPageRequest {
            group_id: g.clone(),
            role_filter: 0,
            users: Vec::new(),
            next: 0,
        };
        check!(who, "members", 10007, t[who].group_members(page));
        check!(
            who,
            "quit",
            10007,
            t[who].remove_group_members(g.clone(), vec![who.into()])
        );
        check!(
            who,
            "send",
            10007,
            t[who].send_message(im_model::wire::SendRequest {
                conv: ConvId::group("g").unwrap(),
                message: Message {
                    msg_id: Some(format!("{who}-1")),
                    ..Message::text("hello")
                },
            })
        );
    }
    // The admin: plain members only; never the owner or another admin.
    check!(
        admin,
        "mute member",
        ok,
        t[admin].modify_group_member(mute("g", member, 60))
    );
    check!(
        admin,
        "mute owner",
        10007,
        t[admin].modify_group_member(mute("g", owner, 60))
    );
    check!(
        admin,
        "role",
        10007,
        t[admin].modify_group_member(make_role("g", member, GroupMemberRole::Admin))
    );
    check!(
        admin,
        "kick owner",
        10007,
        t[admin].remove_group_members(g.clone(), vec![owner.into()])
    );
    check!(
        admin,
        "card of member",
        ok,
        t[admin].modify_group_member(GroupModifyMemberInfoParam {
            name_card: Some("m".into()),
            ..member_change("g", member, member_modify_flag::NAME_CARD)
        })
    );
    check!(
        member,
        "card of admin",
        10007,
        t[member].modify_group_member(GroupModifyMemberInfoParam {
            name_card: Some("a".into()),
            ..member_change("g", admin, member_modify_flag::NAME_CARD)
        })
    );
    check!(
        member,
        "join again",
        10013,
        t[member].join_group(JoinGroupRequest {
            group_id: g.clone(),
            message: String::new(),
        })
    );
    check!(
        outsider,
        "join work",
        10007,
        t[outsider].join_group(JoinGroupRequest {
            group_id: "w".into(),
            message: String::new(),
        })
    );
    check!(
        owner,
        "quit",
        10009,
        t[owner].remove_group_members(g.clone(), vec![owner.into()])
    );
    check!(
        owner,
        "role of owner",
        10007,
        t[owner].modify_group_member(make_role("g", owner, GroupMemberRole::Normal))
    );
    check!(
        owner,
        "custom field",
        10004,
        t[owner].modify_group_member(member_change("g", member, member_modify_flag::CUSTOM))
    );
    check!(
        owner,
        "no such group",
        10010,
        t[owner].join_group(JoinGroupRequest {
            group_id: "nope".into(),
            message: String::new(),
        })
    );
    // A Work group: any member invites; only the owner removes; its owner may quit.
    check!(
        member,
        "invite to work",
        ok,
        t[member].add_group_members("w".into(), vec!["newbie".into()])
    );
    check!(
        admin,
        "kick in work",
        10007,
        t[admin].remove_group_members("w".into(), vec!["newbie".into()])
    );
    check!(
        owner,
        "quit work",
        ok,
        t[owner].remove_group_members("w".into(), vec![owner.into()])
    );

    let wrong: Vec<_> = results
        .iter()
        .filter(|(_, _, got, want)| got != want)
        .collect();
    assert!(wrong.is_empty(), "(who, what, got, want): {wrong:?}");
    assert_eq!(results.len(), 42);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_user_is_in_at_most_500_groups_chat_rooms_aside() {
    let server = server().await;
    let url = server.server.url();
    let busy = transport(&url, "busy", 1).await;
    let other = transport(&url, "other", 1).await;
    for i in 0..im_model::group_member::MAX_JOINED_GROUPS {
        busy.create_group(&create(&format!("g{i}"), GroupType::Private, &[]))
            .await
            .unwrap();
    }
    let over = busy
        .create_group(&create("one-more", GroupType::Private, &[]))
        .await;
    assert_eq!(code(over), 10037);
    other
        .create_group(&create("others", GroupType::Private, &[]))
        .await
        .unwrap();
    let invited = other
        .add_group_members("others".into(), vec!["busy".into()])
        .await;
    assert_eq!(code(invited), 10037, "an invite counts too");
    other
        .create_group(&create("live", GroupType::AvChatRoom, &[]))
        .await
        .unwrap();
    let joined = busy
        .join_group(JoinGroupRequest {
            group_id: "live".into(),
            message: String::new(),
        })
        .await
        .unwrap();
    assert!(!joined.pending, "an AVChatRoom does not count");
    busy.remove_group_members("g0".into(), vec!["busy".into()])
        .await
        .unwrap();
    other
        .add_group_members("others".into(), vec!["busy".into()])
        .await
        .expect("room again after quitting one");
}

/// A group past `FANOUT_SYNC_MAX` members: its messages reach the
/// members' push streams through the fan-out queue, each once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_large_groups_messages_reach_every_member_through_the_queue() {
    let server = server().await;
    let url = server.server.url();
    let owner = transport(&url, "owner", 1).await;
    let members: Vec<String> = (0..500).map(|n| format!("m{n:03}")).collect();
    owner
        .create_group(&CreateGroupRequest {
            group_id: "big".into(),
            name: "Big".into(),
            members: members.clone(),
            details: NewGroupDetails {
                group_type: Some(GroupType::Public),
                ..NewGroupDetails::default()
            },
        })
        .await
        .unwrap();
    let token = raw::login(&url, "m499").await;
    let mut stream = raw::PushReader::open(&url, &token, 0).await;
    for n in 0..3 {
        let mut message = Message::text(format!("to all {n}"));
        message.msg_id = Some(format!("big-{n}"));
        owner
            .send_message(im_model::wire::SendRequest {
                conv: ConvId::group("big").unwrap(),
                message,
            })
            .await
            .unwrap();
    }
    let mut got = Vec::new();
    while got.len() < 4 {
        let (seqs, _) = stream
            .until(std::time::Duration::from_secs(10), |frame| match frame {
                im_model::wire::http::PushFrame::Events { events, .. } if !events.is_empty() => {
                    Some(
                        events
                            .iter()
                            .filter_map(|e| match &e.event {
                                im_model::wire::ServerEvent::NewMessage { message, .. } => {
                                    message.seq
                                }
                                _ => None,
                            })
                            .collect::<Vec<u64>>(),
                    )
                }
                _ => None,
            })
            .await;
        got.extend(seqs);
    }
    // The creation's tip, then the three messages, each once.
    assert_eq!(got, vec![1, 2, 3, 4]);
}
