//! Sending: stored first, then sent; failures, retries, cancel, limits.

mod support;

use im_model::message::{Message, TextElem};
use im_model::{Elem, ErrorCode, ImError, MsgStatus};
use im_transport::testing::{Call, Request};
use support::{ME, c2c, group, harness, text};

#[tokio::test]
async fn test_send_stores_first_then_fills_server_fields() {
    let h = harness();
    let conv = c2c("bob");
    let gate = h.server.hold_next(Call::Send);
    let queued = h.msgs.queue_message(&conv, &text("hi")).unwrap();
    let id = queued.msg_id.clone().unwrap();
    assert_eq!(id.split('-').count(), 3, "Tencent's id shape");
    // Stored before any network call, with its conversation, in one write.
    let stored = h.store.message(&id).unwrap().unwrap();
    assert_eq!(stored.status, Some(MsgStatus::Sending));
    assert_eq!(stored.sender.as_deref(), Some(ME));
    assert_eq!(h.last_id(&conv), Some(id.clone()));
    let delivering = {
        let msgs = h.msgs.clone();
        let conv = conv.clone();
        tokio::spawn(async move { msgs.deliver(&conv, queued).await })
    };
    tokio::task::yield_now().await;
    assert_eq!(
        h.store.message(&id).unwrap().unwrap().status,
        Some(MsgStatus::Sending)
    );
    gate.release();
    let sent = delivering.await.unwrap().unwrap();
    assert_eq!(sent.status, Some(MsgStatus::SendSucc));
    assert_eq!(sent.seq, Some(1));
    assert_eq!(sent.server_time, Some(1_700_000_000));
    assert_eq!(h.store.message(&id).unwrap(), Some(sent));
    let info = h.convs.conversation(&conv).unwrap().unwrap();
    assert_eq!(info.last_msg.unwrap().status, Some(MsgStatus::SendSucc));
    assert_eq!(info.unread_num, Some(0), "own messages are never unread");
    assert!(
        h.new_message_ids().is_empty(),
        "the sender learns from the send result"
    );
}

#[tokio::test]
async fn test_failed_send_is_kept_and_retried_with_the_same_id() {
    let h = harness();
    let conv = group("team");
    h.server.fail_next(
        Call::Send,
        ImError::new(ErrorCode::NetDisconnect, "no network"),
    );
    let err = h
        .msgs
        .send_message(&conv, &text("hello"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), 9508);
    let failed = h
        .store
        .history(&im_store::HistoryQuery::latest(conv.clone(), 5))
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, Some(MsgStatus::SendFail));
    // Sending the failed message's JSON again is a retry of the same message.
    let retried = h.msgs.send_message(&conv, &failed[0]).await.unwrap();
    assert_eq!(retried.msg_id, failed[0].msg_id);
    assert_eq!(retried.status, Some(MsgStatus::SendSucc));
    assert_eq!(
        h.store
            .history(&im_store::HistoryQuery::latest(conv.clone(), 5))
            .unwrap()
            .len(),
        1
    );
    // A sent message cannot be "retried".
    assert_eq!(
        h.msgs
            .send_message(&conv, &retried)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    // Its id cannot be reused in another conversation.
    assert_eq!(
        h.msgs
            .send_message(&c2c("x"), &failed[0])
            .await
            .unwrap_err()
            .code(),
        6017
    );
}

#[tokio::test]
async fn test_cancel_in_flight_send() {
    let h = harness();
    let conv = c2c("bob");
    let gate = h.server.hold_next(Call::Send);
    let queued = h.msgs.queue_message(&conv, &text("oops")).unwrap();
    let id = queued.msg_id.clone().unwrap();
    let delivering = {
        let msgs = h.msgs.clone();
        let conv = conv.clone();
        tokio::spawn(async move { msgs.deliver(&conv, queued).await })
    };
    tokio::task::yield_now().await;
    assert_eq!(
        h.msgs.cancel_send(&c2c("other"), &id).unwrap_err().code(),
        8020
    );
    h.msgs.cancel_send(&conv, &id).unwrap();
    let err = delivering.await.unwrap().unwrap_err();
    assert_eq!(err.code(), 8021);
    assert_eq!(
        h.store.message(&id).unwrap().unwrap().status,
        Some(MsgStatus::Cancel)
    );
    drop(gate);
    // Nothing in flight any more.
    assert_eq!(h.msgs.cancel_send(&conv, &id).unwrap_err().code(), 8020);
    assert_eq!(
        h.msgs.cancel_send(&conv, "never-sent").unwrap_err().code(),
        8020
    );
}

#[tokio::test]
async fn test_unsendable_messages_are_refused_before_anything_is_stored() {
    let h = harness();
    let conv = group("g");
    let tips: Message = serde_json::from_str(
        r#"{"message_elem_array":[{"elem_type":5,"group_tips_elem_tip_type":1}]}"#,
    )
    .unwrap();
    let report: Message = serde_json::from_str(
        r#"{"message_elem_array":[{"elem_type":8,"group_report_elem_report_type":6}]}"#,
    )
    .unwrap();
    let unknown: Message =
        serde_json::from_str(r#"{"message_elem_array":[{"elem_type":42}]}"#).unwrap();
    for (m, code) in [
        (tips, 6016),
        (report, 6016),
        (unknown, 6016),
        (Message::default(), 6016),
    ] {
        assert_eq!(h.msgs.queue_message(&conv, &m).unwrap_err().code(), code);
    }
    let mut mentions = text("hi all");
    mentions.group_at_user_array = Some((0..31).map(|i| format!("u{i}")).collect());
    assert_eq!(
        h.msgs.queue_message(&conv, &mentions).unwrap_err().code(),
        6017
    );
    assert!(
        h.convs.conversation(&conv).unwrap().is_none(),
        "nothing stored"
    );
    assert!(h.server.requests().is_empty(), "nothing sent");
}

#[tokio::test]
async fn test_body_limit_is_exactly_12_kb() {
    let h = harness();
    let conv = c2c("bob");
    // Body = JSON of the element array: [{"elem_type":0,"text_elem_content":"…"}]
    let overhead = serde_json::to_vec(&vec![Elem::Text(TextElem {
        content: Some(String::new()),
        ..TextElem::default()
    })])
    .unwrap()
    .len();
    let at_limit = text(&"a".repeat(12 * 1024 - overhead));
    h.msgs.send_message(&conv, &at_limit).await.unwrap();
    let over = text(&"a".repeat(12 * 1024 - overhead + 1));
    assert_eq!(h.msgs.queue_message(&conv, &over).unwrap_err().code(), 8001);
    let mut custom = text("x");
    custom.cloud_custom_str = Some("c".repeat(12 * 1024));
    assert_eq!(
        h.msgs.queue_message(&conv, &custom).unwrap_err().code(),
        8001
    );
}

#[tokio::test]
async fn test_online_messages_are_sent_but_never_stored() {
    let h = harness();
    let conv = c2c("bob");
    let mut typing = text("typing…");
    typing.is_online_msg = Some(true);
    let sent = h.msgs.send_message(&conv, &typing).await.unwrap();
    assert_eq!(sent.status, Some(MsgStatus::SendSucc));
    assert_eq!(
        h.store.message(sent.msg_id.as_deref().unwrap()).unwrap(),
        None
    );
    assert!(h.convs.conversation(&conv).unwrap().is_none());
    assert!(matches!(h.server.requests()[0], Request::Send(_)));
}

#[tokio::test]
async fn test_batch_send_results_per_user() {
    let h = harness();
    let users = vec!["u1".to_owned(), "u2".to_owned()];
    let results = h.msgs.batch_send(&users, &text("news")).await.unwrap();
    assert_eq!(results.len(), 2);
    for (r, user) in results.iter().zip(&users) {
        assert_eq!(r.identifier.as_ref(), Some(user));
        assert_eq!(r.code, Some(0));
        let msg = r.msg.as_ref().unwrap();
        assert_eq!(msg.status, Some(MsgStatus::SendSucc));
        assert_eq!(h.last_id(&c2c(user)), msg.msg_id);
    }
    assert_ne!(
        results[0].msg.as_ref().unwrap().msg_id,
        results[1].msg.as_ref().unwrap().msg_id
    );

    h.server.fail_next(
        Call::BatchSend,
        ImError::new(ErrorCode::NetDisconnect, "down"),
    );
    let failed = h.msgs.batch_send(&users, &text("again")).await.unwrap();
    assert!(failed.iter().all(|r| r.code == Some(9508)));
    assert!(
        failed
            .iter()
            .all(|r| r.msg.as_ref().unwrap().status == Some(MsgStatus::SendFail))
    );
    assert_eq!(
        h.msgs.batch_send(&[], &text("x")).await.unwrap_err().code(),
        6017
    );
}
