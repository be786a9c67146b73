//! Group information end to end: real clients on SQLite, the real server
//! over HTTP. A group's name and face name its conversation on every
//! member's device; a change reaches every member as one tip, written with
//! the change; Tencent's permission rules and codes; owner transfer with
//! the flag as the wrappers send it; the joined-group list; dismissal.

mod support;

use im_conv::ConvEvent;
use im_model::enums::{GroupReportType, GroupTipGroupChangeFlag, GroupTipType, GroupType};
use im_model::group::{GroupModifyInfoParam, modify_flag};
use im_model::wire::http::{CreateGroupRequest, NewGroupDetails};
use im_model::{ConvId, Elem, Message};
use im_sdk::SdkEvent;
use support::*;

fn create(id: &str, group_type: GroupType, members: &[&str]) -> CreateGroupRequest {
    CreateGroupRequest {
        group_id: id.into(),
        name: "Team".into(),
        members: members.iter().map(|m| (*m).to_owned()).collect(),
        details: NewGroupDetails {
            group_type: Some(group_type),
            face_url: "https://g.example/t.png".into(),
            ..NewGroupDetails::default()
        },
    }
}

fn rename(id: &str, name: &str) -> GroupModifyInfoParam {
    GroupModifyInfoParam {
        group_id: Some(id.into()),
        modify_flag: Some(i64::from(modify_flag::NAME)),
        group_name: Some(name.into()),
        ..GroupModifyInfoParam::default()
    }
}

/// Waits until `device` shows the group conversation named `name`.
async fn named(device: &mut Device, group: &str, name: &str) {
    let conv = ConvId::group(group).unwrap();
    for _ in 0..200 {
        let info = device
            .client
            .conversations()
            .conversation(&conv)
            .await
            .unwrap();
        if info.and_then(|i| i.show_name) == Some(name.to_owned()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{group} was not named {name:?}");
}

fn info_changes(message: &Message) -> Option<Vec<GroupTipGroupChangeFlag>> {
    match message.elem_array.as_deref()? {
        [Elem::GroupTips(tip)] if tip.tip_type == Some(GroupTipType::GroupInfoChange) => Some(
            tip.group_change_info_array
                .iter()
                .flatten()
                .filter_map(|c| c.flag)
                .collect(),
        ),
        _ => None,
    }
}

/// The information tips and the renames of `group`'s conversation that
/// arrive until both came, and for 300 ms after.
async fn tip_and_rename(
    device: &mut Device,
    group: &str,
) -> (Vec<Vec<GroupTipGroupChangeFlag>>, Vec<String>) {
    device
        .gather(
            (Vec::new(), Vec::new()),
            |(tips, renames): &mut (Vec<_>, Vec<String>), event| match event {
                SdkEvent::Message(im_msg::MsgEvent::NewMessages(list)) => {
                    tips.extend(list.iter().filter_map(info_changes));
                }
                SdkEvent::Conversation(ConvEvent::Updated(infos)) => renames.extend(
                    infos
                        .iter()
                        .filter(|i| i.conv_id.as_deref() == Some(group))
                        .filter_map(|i| i.show_name.clone())
                        .filter(|n| n != "Team"),
                ),
                _ => {}
            },
            |(tips, renames)| !tips.is_empty() && !renames.is_empty(),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_groups_name_follows_its_changes_on_every_members_device() {
    let server = server().await;
    let url = server.server.url();
    let owner = device(&url, "owner", 1).await;
    let mut member = device(&url, "member", 1).await;
    let mut tablet = device(&url, "member", 2).await;
    member.first_sync().await;
    tablet.first_sync().await;
    owner
        .client
        .groups()
        .create_group(&create("team", GroupType::Public, &["member"]))
        .await
        .unwrap();
    // The invite tip creates the conversation; its name comes from the
    // lookup after that sync.
    for device in [&mut member, &mut tablet] {
        let invite = device.receive(1).await;
        assert!(info_changes(&invite[0]).is_none(), "the invite tip");
        named(device, "team", "Team").await;
    }

    owner
        .client
        .groups()
        .modify_group_info(&GroupModifyInfoParam {
            group_id: Some("team".into()),
            modify_flag: Some(i64::from(modify_flag::NAME | modify_flag::FACE_URL)),
            group_name: Some("Team 2".into()),
            face_url: Some("https://g.example/t2.png".into()),
            ..GroupModifyInfoParam::default()
        })
        .await
        .unwrap();
    for device in [&mut member, &mut tablet] {
        // The tip, once; its conversation renamed in the same write.
        let (tips, renames) = tip_and_rename(device, "team").await;
        assert_eq!(
            tips,
            vec![vec![
                GroupTipGroupChangeFlag::Name,
                GroupTipGroupChangeFlag::FaceUrl
            ]]
        );
        assert_eq!(renames, vec!["Team 2".to_owned()]);
        let info = device
            .client
            .conversations()
            .conversation(&ConvId::group("team").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(info.face_url.as_deref(), Some("https://g.example/t2.png"));
    }
    // What the server says agrees.
    let infos = member
        .client
        .groups()
        .group_infos(&["team".into(), "nope".into()])
        .await
        .unwrap();
    assert_eq!(infos[0].code, Some(0));
    let detail = infos[0].info.clone().unwrap();
    assert_eq!(detail.group_name.as_deref(), Some("Team 2"));
    assert_eq!(detail.member_num, Some(2));
    assert_eq!(detail.owner_identifier.as_deref(), Some("owner"));
    assert_eq!(detail.info_seq, Some(2));
    assert_eq!(infos[1].code, Some(10010), "no such group: a failed item");
    let joined = member.client.groups().joined_groups().await.unwrap();
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0].group_name.as_deref(), Some("Team 2"));
    assert_eq!(joined[0].self_info.as_ref().unwrap().role, Some(200));
    assert_eq!(
        joined[0].latest_seq,
        Some(2),
        "the invite tip and the change tip"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_who_may_change_what_and_owner_transfer() {
    let server = server().await;
    let url = server.server.url();
    let owner = device(&url, "owner", 1).await;
    let member = device(&url, "member", 1).await;
    let outsider = device(&url, "outsider", 1).await;
    let groups = |d: &Device| d.client.groups();
    groups(&owner)
        .create_group(&create("pub", GroupType::Public, &["member"]))
        .await
        .unwrap();
    groups(&owner)
        .create_group(&create("work", GroupType::Private, &["member"]))
        .await
        .unwrap();
    let code = |r: Result<(), im_model::ImError>| r.unwrap_err().code();
    assert_eq!(
        code(groups(&member).modify_group_info(&rename("pub", "x")).await),
        10007
    );
    groups(&member)
        .modify_group_info(&rename("work", "Ours"))
        .await
        .expect("any member renames a Work group");
    assert_eq!(
        code(
            groups(&outsider)
                .modify_group_info(&rename("pub", "x"))
                .await
        ),
        10007
    );
    assert_eq!(
        code(groups(&owner).modify_group_info(&rename("none", "x")).await),
        10010
    );
    assert_eq!(
        code(
            groups(&owner)
                .modify_group_info(&rename("pub", &"n".repeat(101)))
                .await
        ),
        10004
    );
    let infos = groups(&outsider)
        .group_infos(&["work".into(), "pub".into()])
        .await
        .unwrap();
    assert_eq!(
        infos[0].code,
        Some(10007),
        "a Work group is for its members"
    );
    assert_eq!(infos[1].code, Some(0), "a Public group is found by anyone");

    // Ownership, with the flag as both wrappers send it.
    let transfer = GroupModifyInfoParam {
        group_id: Some("pub".into()),
        modify_flag: Some(-2_147_483_648),
        owner: Some("member".into()),
        ..GroupModifyInfoParam::default()
    };
    assert_eq!(
        code(groups(&member).modify_group_info(&transfer).await),
        10007
    );
    groups(&owner).modify_group_info(&transfer).await.unwrap();
    let members = groups(&owner).members("pub").await.unwrap();
    let role = |u: &str| {
        members
            .iter()
            .find(|m| m.user_id == u)
            .unwrap()
            .role
            .value()
    };
    assert_eq!((role("owner"), role("member")), (200, 400));
    // The new owner renames; the old one may not any more, and may quit.
    groups(&member)
        .modify_group_info(&rename("pub", "Mine"))
        .await
        .unwrap();
    assert_eq!(
        code(groups(&owner).modify_group_info(&rename("pub", "x")).await),
        10007
    );
    groups(&owner).quit("pub").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_dismissed_group_reports_to_its_members_and_refuses_sends() {
    let server = server().await;
    let url = server.server.url();
    let owner = device(&url, "owner", 1).await;
    let mut member = device(&url, "member", 1).await;
    member.first_sync().await;
    owner
        .client
        .groups()
        .create_group(&create("gone", GroupType::Public, &["member"]))
        .await
        .unwrap();
    member.receive(1).await;
    assert_eq!(
        member
            .client
            .groups()
            .dismiss_group("gone")
            .await
            .unwrap_err()
            .code(),
        10007,
        "only the owner"
    );
    owner.client.groups().dismiss_group("gone").await.unwrap();
    let got = member.receive(1).await;
    let report = match got[0].elem_array.as_deref() {
        Some([Elem::GroupReport(r)]) => r.clone(),
        other => panic!("not a report: {other:?}"),
    };
    assert_eq!(report.report_type, Some(GroupReportType::Delete));
    assert_eq!(report.op_user.as_deref(), Some("owner"));
    let conv = ConvId::group("gone").unwrap();
    let refused = member
        .client
        .messages()
        .send_message(&conv, &Message::text("hello?"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), 10010, "the group is gone");
    assert!(
        member
            .client
            .conversations()
            .conversation(&conv)
            .await
            .unwrap()
            .is_some(),
        "its conversation stays"
    );
    assert!(
        member
            .client
            .groups()
            .joined_groups()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        owner
            .client
            .groups()
            .create_group(&create("gone", GroupType::Public, &[]))
            .await
            .unwrap_err()
            .code(),
        10021,
        "a dismissed group's id stays taken"
    );
}
