//! Real clients exchanging messages through the real server: C2C and
//! groups, revokes, read receipts, roaming history, multi-device
//! convergence, kicked offline and UserSig expiry.

mod support;

use std::time::Duration;

use im_model::enums::GroupMemberRole;
use im_model::wire::http::{CreateGroupRequest, SetRoleRequest};
use im_model::{ConvId, ErrorCode, Message};
use im_sdk::SdkEvent;
use im_transport::{RevokeRequest, SendRequest, Transport};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_c2c_messages_arrive_by_push_both_ways() {
    let server = server().await;
    let url = server.server.url();
    let mut alice = device(&url, "alice", 1).await;
    let mut bob = device(&url, "bob", 1).await;
    // What is sent before a device's first sync ends is in its snapshot,
    // not an event: the receivers wait for it.
    alice.first_sync().await;
    bob.first_sync().await;
    let to_bob = ConvId::c2c("bob").unwrap();
    let sent = alice
        .client
        .messages()
        .send_message(&to_bob, &Message::text("hello bob"))
        .await
        .unwrap();
    assert_eq!(sent.seq, Some(1));
    let got = bob.receive(1).await;
    assert_eq!(text_of(&got[0]), "hello bob");
    assert_eq!(got[0].sender.as_deref(), Some("alice"));
    assert_eq!(got[0].conv_id.as_deref(), Some("alice"));
    bob.client
        .messages()
        .send_message(&ConvId::c2c("alice").unwrap(), &Message::text("你好 alice"))
        .await
        .unwrap();
    let back = alice.receive(1).await;
    assert_eq!(text_of(&back[0]), "你好 alice");
    assert_eq!(back[0].seq, Some(2), "one sequence space per C2C pair");
    let unread = bob.client.conversations().total_unread().await.unwrap();
    assert_eq!(unread, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_group_messages_reach_current_members_only() {
    let server = server().await;
    let url = server.server.url();
    let owner = device(&url, "owner", 1).await;
    let mut member = device(&url, "member", 1).await;
    member.first_sync().await;
    let stranger = transport(&url, "stranger", 1).await;
    owner
        .transport
        .create_group(&CreateGroupRequest {
            group_id: "team".into(),
            name: "Team".into(),
            members: vec!["member".into()],
            details: Default::default(),
        })
        .await
        .unwrap();
    let team = ConvId::group("team").unwrap();
    owner
        .client
        .messages()
        .send_message(&team, &Message::text("welcome"))
        .await
        .unwrap();
    let got = member.receive(2).await;
    assert_eq!(
        got.iter().map(text_of).collect::<Vec<_>>(),
        vec!["", "welcome"],
        "the invite tip, then the text"
    );
    let denied = stranger
        .send_message(SendRequest {
            conv: team.clone(),
            message: with_id(Message::text("let me in"), "s-1"),
        })
        .await
        .unwrap_err();
    assert_eq!(denied.code(), 10007);
    owner
        .transport
        .remove_members("team", vec!["member".into()])
        .await
        .unwrap();
    // The Kick tip, then the report to the member removed.
    let kicked = member.receive(2).await;
    assert!(
        kicked[0]
            .elem_array
            .as_ref()
            .is_some_and(|e| matches!(e[0], im_model::Elem::GroupTips(_)))
    );
    assert!(kicked[1].elem_array.as_ref().is_some_and(|e| matches!(
        &e[0],
        im_model::Elem::GroupReport(r)
            if r.report_type == Some(im_model::enums::GroupReportType::BeKicked)
    )));
    owner
        .client
        .messages()
        .send_message(&team, &Message::text("after you left"))
        .await
        .unwrap();
    let ex = member
        .transport
        .send_message(SendRequest {
            conv: team,
            message: with_id(Message::text("still here?"), "m-9"),
        })
        .await
        .unwrap_err();
    assert_eq!(ex.code(), 10007, "an ex-member cannot send");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut leftovers = 0;
    while let Ok(Some(event)) = tokio::time::timeout(
        Duration::from_millis(50),
        futures::StreamExt::next(&mut member.events),
    )
    .await
    {
        if matches!(event, SdkEvent::Message(im_msg::MsgEvent::NewMessages(_))) {
            leftovers += 1;
        }
    }
    assert_eq!(leftovers, 0, "an ex-member receives nothing more");
}

fn with_id(mut message: Message, id: &str) -> Message {
    message.msg_id = Some(id.into());
    message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_revokes_follow_the_roles_and_happen_once() {
    let server = server().await;
    let url = server.server.url();
    let owner = transport(&url, "owner", 1).await;
    let admin = transport(&url, "admin", 1).await;
    let member = transport(&url, "member", 1).await;
    owner
        .create_group(&CreateGroupRequest {
            group_id: "g".into(),
            name: "G".into(),
            members: vec!["admin".into(), "member".into()],
            details: Default::default(),
        })
        .await
        .unwrap();
    owner
        .set_role(&SetRoleRequest {
            group_id: "g".into(),
            user_id: "admin".into(),
            role: GroupMemberRole::Admin,
        })
        .await
        .unwrap();
    let g = ConvId::group("g").unwrap();
    let send = |t: &im_transport::http::HttpTransport, id: &str| {
        let request = SendRequest {
            conv: g.clone(),
            message: with_id(Message::text(id), id),
        };
        let t = t.clone();
        async move { t.send_message(request).await.unwrap() }
    };
    let revoke = |t: &im_transport::http::HttpTransport, id: &str| {
        let request = RevokeRequest {
            conv: g.clone(),
            msg_id: id.into(),
            seq: 0,
            reason: String::new(),
        };
        let t = t.clone();
        async move { t.revoke_message(request).await }
    };
    send(&owner, "by-owner").await;
    send(&member, "by-member").await;
    send(&member, "by-member-2").await;
    assert_eq!(
        revoke(&member, "by-owner").await.unwrap_err().code(),
        10007,
        "a member cannot revoke others'"
    );
    revoke(&member, "by-member").await.unwrap();
    assert_eq!(
        revoke(&member, "by-member").await.unwrap_err().code(),
        20023,
        "twice is refused"
    );
    revoke(&admin, "by-member-2").await.unwrap();
    // C2C: only the sender.
    let to_member = ConvId::c2c("member").unwrap();
    owner
        .send_message(SendRequest {
            conv: to_member.clone(),
            message: with_id(Message::text("x"), "c-1"),
        })
        .await
        .unwrap();
    let c2c = RevokeRequest {
        conv: ConvId::c2c("owner").unwrap(),
        msg_id: "c-1".into(),
        seq: 0,
        reason: String::new(),
    };
    assert_eq!(member.revoke_message(c2c).await.unwrap_err().code(), 10007);
    // The revoked message stays in roaming, flagged.
    let history = member
        .pull_history(im_transport::HistoryRequest {
            conv: g,
            anchor: None,
            newer: false,
            time_range: None,
            count: 10,
        })
        .await
        .unwrap();
    let mut flagged: Vec<_> = history
        .iter()
        .filter(|m| m.status == Some(im_model::MsgStatus::Revoked))
        .map(|m| (m.msg_id.clone().unwrap(), m.revoker_user_id.clone()))
        .collect();
    flagged.sort();
    // Roamed, a revoked message still names who revoked it.
    assert_eq!(
        flagged,
        [
            ("by-member".to_owned(), Some("member".to_owned())),
            ("by-member-2".to_owned(), Some("admin".to_owned())),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_two_devices_converge_and_a_third_login_kicks_one_off() {
    let server = server().await;
    let url = server.server.url();
    let mut phone = device(&url, "carol", 2).await;
    let laptop = device(&url, "carol", 4).await;
    phone.first_sync().await;
    let dave = ConvId::c2c("dave").unwrap();
    laptop
        .client
        .messages()
        .send_message(&dave, &Message::text("from the laptop"))
        .await
        .unwrap();
    let echoed = phone.receive(1).await;
    assert_eq!(echoed[0].is_from_self, Some(true));
    laptop
        .client
        .conversations()
        .pin_conversation(&dave, true)
        .await
        .unwrap();
    laptop
        .client
        .conversations()
        .create_conversation_group("work", std::slice::from_ref(&dave))
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(conv) = phone
                .client
                .conversations()
                .conversation(&dave)
                .await
                .unwrap()
                && conv.is_pinned == Some(true)
                && conv.conversation_group_array.as_deref() == Some(&["work".to_owned()][..])
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the pin and the group reached the phone");
    // Another phone of carol: the first phone is kicked off.
    let _second_phone = device(&url, "carol", 2).await;
    phone
        .wait_for(|e| matches!(e, SdkEvent::KickedOffline).then_some(()))
        .await;
    assert_eq!(phone.client.login_user_id(), None);
    // The laptop (another platform) stays.
    laptop
        .client
        .messages()
        .send_message(&dave, &Message::text("still here"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_expiring_user_sig_ends_the_session() {
    let server = server().await;
    let url = server.server.url();
    let dir = tempfile::tempdir().unwrap();
    let transport =
        im_transport::http::HttpTransport::new(im_transport::http::HttpConfig::new(&url)).unwrap();
    let client = im_sdk::Client::builder()
        .sdk_app_id(APP)
        .data_dir(dir.path())
        .transport(std::sync::Arc::new(transport))
        .build()
        .unwrap();
    let mut events = Box::pin(client.events());
    // Valid for two more seconds.
    let short = key().generate("erin", now() - 86_398, 86_400);
    client.login("erin", &short).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = futures::StreamExt::next(&mut events).await {
            if matches!(event, SdkEvent::UserSigExpired) {
                return;
            }
        }
    })
    .await
    .expect("the expiry was reported");
    let expired = key().generate("erin", now() - 86_401, 86_400);
    let again = client.login("erin", &expired).await.unwrap_err();
    assert_eq!(again.code(), 70001);
    assert_eq!(ErrorCode::from_code(70001).code(), 70001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_new_device_reads_roaming_history_and_receipts_reach_the_sender() {
    let server = server().await;
    let url = server.server.url();
    let mut alice = device(&url, "alice", 1).await;
    alice.first_sync().await;
    let bob_raw = transport(&url, "bob", 1).await;
    let to_alice = ConvId::c2c("alice").unwrap();
    for i in 0..5 {
        bob_raw
            .send_message(SendRequest {
                conv: to_alice.clone(),
                message: with_id(Message::text(format!("m{i}")), &format!("b-{i}")),
            })
            .await
            .unwrap();
    }
    let got = alice.receive(5).await;
    // A fresh device of bob pulls the history from the server.
    let bob = device(&url, "bob", 4).await;
    let to_alice_page = bob
        .client
        .messages()
        .get_message_list(
            &to_alice,
            &im_model::message::MsgGetMsgListParam {
                count: Some(10),
                is_ramble: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(to_alice_page.len(), 5);
    alice
        .client
        .messages()
        .send_read_receipts(&got[..2])
        .await
        .unwrap();
    let receipts = bob_raw
        .message_receipts(im_transport::ReceiptRequest {
            conv: to_alice,
            msg_ids: vec!["b-0".into(), "b-1".into(), "b-2".into()],
        })
        .await
        .unwrap();
    let read: Vec<bool> = receipts
        .iter()
        .map(|r| r.is_peer_read == Some(true))
        .collect();
    assert_eq!(read, vec![true, true, false]);
}

/// `TIMMsgBatchSend` to Tencent's maximum of 500 users, with long user ids
/// and a message near the 12 KB body limit: the request carries the
/// message once (whole copies would be megabytes), so it fits the batch
/// route's limit. A receiver gets its copy by push; an earlier client's
/// form (a whole message per user) is still taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_batch_send_reaches_500_users_with_the_message_sent_once() {
    let server = server().await;
    let url = server.server.url();
    // A debug build under the whole parallel suite can take longer than
    // the 10 s default timeout to store 500 copies.
    let mut config = im_transport::http::HttpConfig::new(url.as_str());
    config.request_timeout = Duration::from_secs(120);
    let alice_dir = tempfile::tempdir().unwrap();
    let alice = device_with(config, "alice", alice_dir.path()).await;
    let receiver = |i: usize| format!("receiver-{i:0>23}");
    assert_eq!(receiver(0).len(), 32);
    let mut first = device(&url, &receiver(0), 1).await;
    first.first_sync().await;
    let mut users: Vec<String> = (0..500).map(receiver).collect();
    // One id the server refuses (not printable ASCII), in the middle: only
    // its copy fails.
    users[250] = "名字".into();
    let text = "批".repeat(3_300);
    let results = alice
        .client
        .messages()
        .batch_send(&users, &Message::text(text.as_str()))
        .await
        .unwrap();
    assert_eq!(results.len(), 500);
    let named: Vec<&str> = results
        .iter()
        .map(|r| r.identifier.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(named, users, "one outcome per user, in the request's order");
    let failed: Vec<(usize, Option<i32>)> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code != Some(0))
        .map(|(i, r)| (i, r.code))
        .collect();
    assert_eq!(
        failed,
        vec![(250, Some(20003))],
        "only the refused id's copy fails"
    );
    let got = first.receive(1).await;
    assert_eq!(text_of(&got[0]), text);
    assert_eq!(got[0].sender.as_deref(), Some("alice"));

    // The form of earlier clients: one whole message per user.
    let legacy = transport(&url, "carol", 1).await;
    let copies: Vec<Message> = ["dave", "erin"]
        .iter()
        .enumerate()
        .map(|(i, user)| Message {
            msg_id: Some(format!("legacy-{i}")),
            rand: Some(7),
            conv_id: Some((*user).to_owned()),
            ..Message::text("old form")
        })
        .collect();
    let outcomes = legacy
        .batch_send(im_model::wire::BatchSendRequest {
            users: vec!["dave".into(), "erin".into()],
            message: None,
            copies: Vec::new(),
            messages: copies,
        })
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| o.result.is_ok()), "{outcomes:?}");
    // More than 500 users is refused whole.
    let too_many: Vec<String> = (0..501).map(receiver).collect();
    let refused = alice
        .client
        .messages()
        .batch_send(&too_many, &Message::text("x"))
        .await
        .unwrap();
    assert!(
        refused
            .iter()
            .all(|r| r.code == Some(ErrorCode::InvalidParameters.code())),
        "{:?}",
        refused.first()
    );
}
