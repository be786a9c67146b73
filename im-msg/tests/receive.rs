//! Receiving, revoking and reading.

mod support;

use im_conv::ConvEvent;
use im_model::message::{AT_ALL, Message};
use im_model::{ConvSelector, GroupAtType, MarkSet, MsgStatus};
use im_msg::MsgEvent;
use im_transport::ServerEvent;
use im_transport::testing::{Call, Request};
use support::{ME, c2c, group, harness, text};

#[tokio::test]
async fn test_received_message_is_stored_and_announced_once() {
    let h = harness();
    let conv = c2c("bob");
    let m = h.peer_sends(&conv, "bob", text("hi")).await;
    let id = m.msg_id.clone().unwrap();
    assert_eq!(h.new_message_ids(), std::slice::from_ref(&id));
    assert_eq!(h.unread(&conv), 1);
    assert_eq!(h.last_id(&conv), Some(id.clone()));
    assert!(matches!(
        h.conv_events.take().as_slice(),
        [ConvEvent::Added(_)]
    ));
    // The same event again (a re-pull) changes nothing and announces nothing.
    h.msgs
        .handle_event(ServerEvent::NewMessage {
            conv: conv.clone(),
            message: m,
        })
        .unwrap();
    assert!(h.new_message_ids().is_empty());
    assert_eq!(h.unread(&conv), 1);
    assert_eq!(
        h.msgs.sync_events().await.unwrap(),
        0,
        "cursor moved past it"
    );
}

#[tokio::test]
async fn test_own_message_coming_back_is_stored_once_and_not_announced() {
    let h = harness();
    let conv = group("team");
    let sent = h.msgs.send_message(&conv, &text("mine")).await.unwrap();
    h.server.push_event(ServerEvent::NewMessage {
        conv: conv.clone(),
        message: sent.clone(),
    });
    h.msgs.sync_events().await.unwrap();
    assert!(h.new_message_ids().is_empty());
    assert_eq!(
        h.store
            .history(&im_store::HistoryQuery::latest(conv.clone(), 9))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(h.unread(&conv), 0);

    // The echo can even beat the send's answer: the message is completed from it.
    let gate = h.server.hold_next(Call::Send);
    let queued = h.msgs.queue_message(&conv, &text("race")).unwrap();
    let mut echo = queued.clone();
    echo.seq = Some(9);
    echo.server_time = Some(1_700_000_001);
    h.msgs
        .handle_event(ServerEvent::NewMessage {
            conv: conv.clone(),
            message: echo,
        })
        .unwrap();
    let stored = h
        .store
        .message(queued.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.status, stored.seq),
        (Some(MsgStatus::SendSucc), Some(9))
    );
    drop(gate);
}

#[tokio::test]
async fn test_messages_from_my_other_devices_are_stored_without_unread() {
    let h = harness();
    let conv = c2c("bob");
    let m = h.peer_sends(&conv, ME, text("from my phone")).await;
    assert_eq!(h.new_message_ids(), [m.msg_id.clone().unwrap()]);
    assert_eq!(h.unread(&conv), 0);
    let stored = h
        .store
        .message(m.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.is_from_self, Some(true));
}

#[tokio::test]
async fn test_unread_rules_and_mentions() {
    let h = harness();
    let conv = group("team");
    h.peer_sends(&conv, "a", text("1")).await;
    let mut excluded = text("2");
    excluded.is_excluded_from_unread_count = Some(true);
    h.peer_sends(&conv, "a", excluded).await;
    let mut targeted = text("3");
    targeted.target_group_member_array = Some(vec!["someone".into()]);
    h.peer_sends(&conv, "a", targeted).await;
    let mut online = text("typing");
    online.is_online_msg = Some(true);
    h.peer_sends(&conv, "a", online).await;
    assert_eq!(h.unread(&conv), 1);
    assert_eq!(
        h.new_message_ids().len(),
        4,
        "every new message is announced"
    );

    let mut at_me = text("@me");
    at_me.group_at_user_array = Some(vec![ME.into()]);
    let at_me = h.peer_sends(&conv, "a", at_me).await;
    let mut at_all = text("@all");
    at_all.group_at_user_array = Some(vec![AT_ALL.into(), ME.into()]);
    h.peer_sends(&conv, "a", at_all).await;
    let info = h.convs.conversation(&conv).unwrap().unwrap();
    let at: Vec<_> = info
        .group_at_info_array
        .unwrap()
        .iter()
        .map(|a| (a.seq, a.at_type))
        .collect();
    assert_eq!(
        at,
        [
            (at_me.seq, Some(GroupAtType::AtMe)),
            (Some(6), Some(GroupAtType::AtAllAtMe))
        ]
    );
    assert_eq!(info.unread_num, Some(3));
}

#[tokio::test]
async fn test_a_new_message_shows_a_hidden_conversation_again() {
    let h = harness();
    let conv = c2c("bob");
    h.peer_sends(&conv, "bob", text("1")).await;
    h.convs
        .mark_conversations(std::slice::from_ref(&conv), MarkSet::HIDE.bits(), true)
        .unwrap();
    assert!(h.convs.conversation_list().unwrap().is_empty());
    h.peer_sends(&conv, "bob", text("2")).await;
    assert_eq!(h.convs.conversation_list().unwrap().len(), 1);
}

#[tokio::test]
async fn test_revoke_own_message_within_window() {
    let h = harness();
    let conv = c2c("bob");
    let sent = h.msgs.send_message(&conv, &text("oops")).await.unwrap();
    h.clock.advance(120);
    h.msgs.revoke(&conv, &sent).await.unwrap();
    let stored = h
        .store
        .message(sent.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, Some(MsgStatus::Revoked));
    assert_eq!(
        h.convs
            .conversation(&conv)
            .unwrap()
            .unwrap()
            .last_msg
            .unwrap()
            .status,
        Some(MsgStatus::Revoked)
    );
    let revoked = h.revoke_notices();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].revoker_user_id.as_deref(), Some(ME));
    assert!(matches!(
        h.server.requests().last(),
        Some(Request::Revoke(_))
    ));
    // Revoking again is refused (no longer a sent message).
    assert_eq!(h.msgs.revoke(&conv, &sent).await.unwrap_err().code(), 6017);
}

#[tokio::test]
async fn test_revoke_refusals() {
    let h = harness();
    let conv = c2c("bob");
    let sent = h.msgs.send_message(&conv, &text("old")).await.unwrap();
    h.clock.advance(121);
    assert_eq!(h.msgs.revoke(&conv, &sent).await.unwrap_err().code(), 20016);
    let theirs = h.peer_sends(&conv, "bob", text("theirs")).await;
    assert_eq!(
        h.msgs.revoke(&conv, &theirs).await.unwrap_err().code(),
        6017
    );
    assert_eq!(
        h.msgs
            .revoke(&conv, &text("never stored"))
            .await
            .unwrap_err()
            .code(),
        6017
    );
    let fresh = h.msgs.send_message(&conv, &text("fresh")).await.unwrap();
    assert_eq!(
        h.msgs
            .revoke(&c2c("carol"), &fresh)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    h.server.fail_next(
        Call::Revoke,
        im_model::ImError::new(im_model::ErrorCode::MsgRevokeTimeLimit, "server says late"),
    );
    assert_eq!(
        h.msgs.revoke(&conv, &fresh).await.unwrap_err().code(),
        20016
    );
    let stored = h
        .store
        .message(fresh.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.status,
        Some(MsgStatus::SendSucc),
        "unchanged after a server refusal"
    );
}

#[tokio::test]
async fn test_peer_revoke_takes_back_unread() {
    let h = harness();
    let conv = group("team");
    let m = h.peer_sends(&conv, "a", text("secret")).await;
    assert_eq!(h.unread(&conv), 1);
    h.server.push_event(ServerEvent::Revoked {
        conv: conv.clone(),
        msg_id: m.msg_id.clone().unwrap(),
        revoker: "a".into(),
        reason: "typo".into(),
    });
    h.msgs.sync_events().await.unwrap();
    assert_eq!(h.unread(&conv), 0);
    let stored = h
        .store
        .message(m.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, Some(MsgStatus::Revoked));
    assert_eq!(stored.revoke_reason.as_deref(), Some("typo"));
}

#[tokio::test]
async fn test_report_read_one_all_of_a_type_and_everything() {
    let h = harness();
    let (a, b, g) = (c2c("a"), c2c("b"), group("g"));
    for conv in [&a, &b, &g] {
        h.peer_sends(conv, "x", text("1")).await;
        h.peer_sends(conv, "x", text("2")).await;
    }
    assert_eq!(h.convs.total_unread().unwrap(), 6);
    h.msgs.report_read(&a, None).await.unwrap();
    assert_eq!(h.unread(&a), 0);
    let Some(Request::ReportRead(report)) = h.server.requests().last().cloned() else {
        panic!("no read report sent")
    };
    assert_eq!(report.items.len(), 1);
    h.msgs
        .report_all_read(Some(im_model::ConvType::Group))
        .await
        .unwrap();
    assert_eq!((h.unread(&b), h.unread(&g)), (2, 0));
    h.msgs.report_all_read(None).await.unwrap();
    assert_eq!(h.convs.total_unread().unwrap(), 0);
    assert_eq!(
        h.msgs
            .report_read(&c2c("nobody"), None)
            .await
            .unwrap_err()
            .code(),
        6004
    );
}

#[tokio::test]
async fn test_report_read_up_to_an_anchor_keeps_newer_unread() {
    let h = harness();
    let conv = group("g");
    let first = h.peer_sends(&conv, "x", text("1")).await;
    h.peer_sends(&conv, "x", text("2")).await;
    h.peer_sends(&conv, "x", text("3")).await;
    h.msgs.report_read(&conv, Some(&first)).await.unwrap();
    assert_eq!(h.unread(&conv), 2);
    // Cleaning through the conversation layer inside the history uses the
    // message layer's recount.
    h.convs
        .clean_unread(&ConvSelector::One(conv.clone()), 0, 2)
        .unwrap();
    assert_eq!(h.unread(&conv), 1);
    h.server.fail_next(
        Call::ReportRead,
        im_model::ImError::new(im_model::ErrorCode::NetDisconnect, "down"),
    );
    assert_eq!(
        h.msgs.report_read(&conv, None).await.unwrap_err().code(),
        9508
    );
    assert_eq!(h.unread(&conv), 1, "nothing changed locally");
}

#[tokio::test]
async fn test_peer_read_receipts() {
    let h = harness();
    let conv = c2c("bob");
    let first = h.msgs.send_message(&conv, &text("1")).await.unwrap();
    h.clock.advance(10);
    let second = h.msgs.send_message(&conv, &text("2")).await.unwrap();
    h.server.push_event(ServerEvent::PeerRead {
        conv: conv.clone(),
        read_time: first.server_time.unwrap(),
    });
    h.msgs.sync_events().await.unwrap();
    let receipts = h.receipts();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].time_stamp, first.server_time);
    let found = h
        .msgs
        .find_messages(&[
            first.msg_id.clone().unwrap(),
            second.msg_id.clone().unwrap(),
        ])
        .unwrap();
    let read: Vec<_> = found.iter().map(|m| m.is_peer_read).collect();
    assert_eq!(read, [Some(true), Some(false)]);
}

#[tokio::test]
async fn test_receive_without_id_is_refused() {
    let h = harness();
    let err = h
        .msgs
        .handle_event(ServerEvent::NewMessage {
            conv: c2c("x"),
            message: Message {
                sender: Some("x".into()),
                ..text("no id")
            },
        })
        .unwrap_err();
    assert_eq!(err.code(), 6017);
    assert!(h.convs.conversation(&c2c("x")).unwrap().is_none());
}

#[tokio::test]
async fn test_modify_own_message_and_conflicts() {
    let h = harness();
    let conv = c2c("bob");
    let sent = h.msgs.send_message(&conv, &text("draft")).await.unwrap();
    let mut edit = sent.clone();
    edit.elem_array = text("final").elem_array;
    let modified = h.msgs.modify_message(&edit).await.unwrap();
    assert_eq!(modified.elem_array, text("final").elem_array);
    assert_eq!(modified.version, Some(1));
    assert_eq!(h.last_id(&conv), sent.msg_id);
    let updated = h
        .events
        .take()
        .into_iter()
        .filter(|e| matches!(e, MsgEvent::Updated(_)))
        .count();
    assert_eq!(updated, 1);
    // Another device modified it meanwhile: our edit (on version 1) loses.
    let mut theirs = h
        .server
        .stored(&conv, sent.msg_id.as_deref().unwrap())
        .unwrap();
    theirs.elem_array = text("theirs").elem_array;
    theirs.version = Some(2);
    h.server.modify_on_server(&conv, theirs);
    let mut late = modified.clone();
    late.elem_array = text("mine again").elem_array;
    assert_eq!(h.msgs.modify_message(&late).await.unwrap_err().code(), 8006);
    let stored = h
        .store
        .message(sent.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.elem_array,
        text("theirs").elem_array,
        "the winner is kept"
    );
    // Refusals.
    let peer = h.peer_sends(&conv, "bob", text("x")).await;
    assert_eq!(h.msgs.modify_message(&peer).await.unwrap_err().code(), 6017);
    let mut tips = modified.clone();
    tips.elem_array = Some(vec![]);
    assert_eq!(h.msgs.modify_message(&tips).await.unwrap_err().code(), 6016);
}

#[tokio::test]
async fn test_peers_modifications_arrive_as_updates() {
    let h = harness();
    let conv = group("team");
    let m = h.peer_sends(&conv, "a", text("v1")).await;
    let mut v2 = m.clone();
    v2.elem_array = text("v2").elem_array;
    v2.version = Some(1);
    h.server.push_event(ServerEvent::Modified {
        conv: conv.clone(),
        message: v2,
    });
    // A modify of a message this device never saw is ignored.
    let mut unknown = text("?");
    unknown.msg_id = Some("unknown".into());
    h.server.push_event(ServerEvent::Modified {
        conv: conv.clone(),
        message: unknown,
    });
    h.events.take();
    h.msgs.sync_events().await.unwrap();
    let stored = h
        .store
        .message(m.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.elem_array, text("v2").elem_array);
    assert_eq!(
        stored.status,
        Some(MsgStatus::SendSucc),
        "local fields are kept"
    );
    assert_eq!(h.events.take().len(), 1);
}

#[tokio::test]
async fn test_message_read_receipts() {
    let h = harness();
    let conv = group("team");
    let theirs = h.peer_sends(&conv, "a", text("please ack")).await;
    h.msgs
        .send_read_receipts(std::slice::from_ref(&theirs))
        .await
        .unwrap();
    assert_eq!(h.unread(&conv), 1, "receipts do not change unread");
    let mine = h.msgs.send_message(&conv, &text("mine")).await.unwrap();
    let receipts = h
        .msgs
        .message_read_receipts(std::slice::from_ref(&mine))
        .await
        .unwrap();
    assert_eq!(receipts[0].read_count, Some(0));
    assert_eq!(
        h.msgs
            .send_read_receipts(std::slice::from_ref(&mine))
            .await
            .unwrap_err()
            .code(),
        6017
    );
    assert_eq!(
        h.msgs
            .message_read_receipts(&[theirs])
            .await
            .unwrap_err()
            .code(),
        6017
    );
    assert_eq!(
        h.msgs.message_read_receipts(&[]).await.unwrap_err().code(),
        6017
    );
    // A receipt pushed by the server is stored on our message and announced.
    h.server.push_event(ServerEvent::Receipts {
        receipts: vec![im_model::message::MessageReceipt {
            msg_id: mine.msg_id.clone(),
            read_count: Some(3),
            unread_count: Some(1),
            ..Default::default()
        }],
    });
    h.events.take();
    h.msgs.sync_events().await.unwrap();
    let stored = h
        .store
        .message(mine.msg_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.group_receipt_read_count,
            stored.group_receipt_unread_count
        ),
        (Some(3), Some(1))
    );
    assert!(matches!(
        h.events.take().as_slice(),
        [MsgEvent::ReadReceipts(_)]
    ));
}

#[tokio::test]
async fn test_account_wide_receive_option() {
    let h = harness();
    use im_model::ReceiveMessageOpt;
    h.msgs
        .set_all_receive_option(ReceiveMessageOpt::NotNotify, 22, 0, 0, 8 * 3600)
        .await
        .unwrap();
    let got = h.msgs.all_receive_option().await.unwrap();
    assert_eq!(
        (got.start_hour, got.duration, got.level),
        (Some(22), Some(28_800), Some(ReceiveMessageOpt::NotNotify))
    );
    h.msgs
        .set_all_receive_option_from(ReceiveMessageOpt::Receive, 1_700_000_000, 86_400)
        .await
        .unwrap();
    assert_eq!(
        h.msgs.all_receive_option().await.unwrap().start_time_stamp,
        Some(1_700_000_000)
    );
    assert_eq!(
        h.msgs
            .set_all_receive_option(ReceiveMessageOpt::NotNotify, 24, 0, 0, 1)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    assert_eq!(
        h.msgs
            .set_all_receive_option_from(ReceiveMessageOpt::NotReceive, 0, 1)
            .await
            .unwrap_err()
            .code(),
        6017
    );
}

#[tokio::test]
async fn test_event_cursor_survives_a_restart() {
    let h = harness();
    let conv = c2c("bob");
    for i in 0..3 {
        h.peer_sends(&conv, "bob", text(&format!("{i}"))).await;
    }
    let mut online = text("typing");
    online.is_online_msg = Some(true);
    h.server.deliver_from_peer(&conv, "bob", online);
    assert_eq!(h.msgs.sync_events().await.unwrap(), 1);
    assert_eq!(
        im_store::SettingStore::setting(&*h.store, im_msg::EVENT_CURSOR_KEY)
            .unwrap()
            .as_deref(),
        Some("4"),
        "the online-only event moved the saved cursor too"
    );
    // A new service on the same store (an app restart) resumes after event 4.
    let restarted = im_msg::MessageService::new(
        h.store.clone(),
        h.convs.clone(),
        h.server.clone(),
        h.clock.clone(),
        im_msg::MessageConfig::new(ME),
    )
    .unwrap();
    assert_eq!(restarted.sync_events().await.unwrap(), 0);
    let Some(Request::PullEvents(pull)) = h.server.requests().last().cloned() else {
        panic!("no pull")
    };
    assert_eq!(pull.cursor, 4);
    h.server
        .deliver_from_peer(&conv, "bob", text("after restart"));
    assert_eq!(restarted.sync_events().await.unwrap(), 1);
    assert_eq!(h.unread(&conv), 4);
}
