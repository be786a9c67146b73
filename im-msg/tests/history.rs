//! History pages, find, import, save, local custom data, deletes.

mod support;

use im_model::message::{MsgDeleteParam, MsgGetMsgListParam, MsgLocator};
use im_model::{ElemType, MsgStatus};
use im_transport::testing::{Call, Request};
use support::{Harness, c2c, group, harness, text};

/// Ten messages from a peer into `conv`, one per 10 seconds; returns them.
async fn ten(h: &Harness, conv: &im_model::ConvId) -> Vec<im_model::message::Message> {
    let mut out = Vec::new();
    for i in 1..=10 {
        out.push(h.peer_sends(conv, "p", text(&format!("m{i}"))).await);
        h.clock.advance(10);
    }
    out
}

fn texts(list: &[im_model::message::Message]) -> Vec<String> {
    list.iter()
        .map(|m| match &m.elems()[0] {
            im_model::Elem::Text(t) => t.content.clone().unwrap_or_default(),
            other => format!("{:?}", other.elem_type()),
        })
        .collect()
}

fn param(json: &str) -> MsgGetMsgListParam {
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn test_history_anchor_rules() {
    let h = harness();
    let conv = group("g");
    let all = ten(&h, &conv).await;
    let page = |p: MsgGetMsgListParam| {
        let h = &h;
        let conv = conv.clone();
        async move { texts(&h.msgs.get_message_list(&conv, &p).await.unwrap()) }
    };
    assert_eq!(
        page(param(r#"{"msg_getmsglist_param_count":3}"#)).await,
        ["m10", "m9", "m8"]
    );
    let mut older = param(r#"{"msg_getmsglist_param_count":3}"#);
    older.last_msg = Some(all[6].clone());
    assert_eq!(
        page(older.clone()).await,
        ["m6", "m5", "m4"],
        "anchor excluded"
    );
    older.is_forward = Some(true);
    assert_eq!(page(older).await, ["m8", "m9", "m10"]);
    // Group sequence anchor: included.
    assert_eq!(
        page(param(
            r#"{"msg_getmsglist_param_count":3,"msg_getmsglist_param_last_msg_seq":5}"#
        ))
        .await,
        ["m5", "m4", "m3"]
    );
    assert_eq!(
        page(param(r#"{"msg_getmsglist_param_count":2,"msg_getmsglist_param_last_msg_seq":5,"msg_getmsglist_param_is_forward":true}"#)).await,
        ["m5", "m6"]
    );
    // When both are given the message anchor wins.
    let mut both =
        param(r#"{"msg_getmsglist_param_count":1,"msg_getmsglist_param_last_msg_seq":5}"#);
    both.last_msg = Some(all[1].clone());
    assert_eq!(page(both).await, ["m1"]);
    // Sequence list: exactly those, in sequence order.
    assert_eq!(
        page(param(
            r#"{"msg_getmsglist_param_count":9,"msg_getmsglist_param_message_seq_array":[7,2,99]}"#
        ))
        .await,
        ["m2", "m7"]
    );
    // Time range: older pages keep [begin - period, begin].
    let t3 = all[2].server_time.unwrap();
    let ranged = format!(
        r#"{{"msg_getmsglist_param_count":9,"msg_getmsglist_param_time_begin":{},"msg_getmsglist_param_time_period":20}}"#,
        t3 + 20
    );
    assert_eq!(page(param(&ranged)).await, ["m5", "m4", "m3"]);
    let newer_range = format!(
        r#"{{"msg_getmsglist_param_count":9,"msg_getmsglist_param_time_begin":{t3},"msg_getmsglist_param_time_period":10,"msg_getmsglist_param_is_forward":true}}"#
    );
    assert_eq!(page(param(&newer_range)).await, ["m3", "m4"]);
}

#[tokio::test]
async fn test_history_errors_and_type_filter() {
    let h = harness();
    let conv = c2c("p");
    ten(&h, &conv).await;
    for bad in [
        r#"{}"#,
        r#"{"msg_getmsglist_param_count":0}"#,
        r#"{"msg_getmsglist_param_count":5,"msg_getmsglist_param_last_msg_seq":3}"#,
        r#"{"msg_getmsglist_param_count":5,"msg_getmsglist_param_message_seq_array":[1]}"#,
    ] {
        assert_eq!(
            h.msgs
                .get_message_list(&conv, &param(bad))
                .await
                .unwrap_err()
                .code(),
            6017,
            "{bad}"
        );
    }
    let files =
        param(r#"{"msg_getmsglist_param_count":5,"msg_getmsglist_param_message_type_array":[4]}"#);
    assert!(
        h.msgs
            .get_message_list(&conv, &files)
            .await
            .unwrap()
            .is_empty()
    );
    let texts_only = MsgGetMsgListParam {
        message_type_array: Some(vec![ElemType::Text]),
        ..param(r#"{"msg_getmsglist_param_count":5}"#)
    };
    assert_eq!(
        h.msgs
            .get_message_list(&conv, &texts_only)
            .await
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test]
async fn test_roaming_pages_merge_without_duplicates() {
    let h = harness();
    let conv = c2c("p");
    // Three messages this device never saw (history from before it existed).
    let old: Vec<_> = (1..=3)
        .map(|i| im_model::message::Message {
            msg_id: Some(format!("old-{i}")),
            sender: Some("p".into()),
            server_time: Some(1_600_000_000 + i),
            seq: Some(i),
            status: Some(MsgStatus::SendSucc),
            ..text(&format!("old{i}"))
        })
        .collect();
    h.server.seed_roaming(&conv, old);
    // Two that it did.
    h.peer_sends(&conv, "p", text("new1")).await;
    h.peer_sends(&conv, "p", text("new2")).await;
    h.new_message_ids();
    let ramble =
        param(r#"{"msg_getmsglist_param_count":10,"msg_getmsglist_param_is_ramble":true}"#);
    let page = h.msgs.get_message_list(&conv, &ramble).await.unwrap();
    assert_eq!(texts(&page), ["new2", "new1", "old3", "old2", "old1"]);
    let again = h.msgs.get_message_list(&conv, &ramble).await.unwrap();
    assert_eq!(again.len(), 5, "no duplicates");
    assert!(
        h.new_message_ids().is_empty(),
        "roaming messages are not new messages"
    );
    assert_eq!(h.unread(&conv), 2, "roaming messages add no unread");
    assert!(
        h.server
            .requests()
            .iter()
            .any(|r| matches!(r, Request::PullHistory(_)))
    );
}

#[tokio::test]
async fn test_find_by_ids_and_locators() {
    let h = harness();
    let conv = group("g");
    let all = ten(&h, &conv).await;
    let ids = vec![
        all[4].msg_id.clone().unwrap(),
        "missing".into(),
        all[1].msg_id.clone().unwrap(),
    ];
    assert_eq!(texts(&h.msgs.find_messages(&ids).unwrap()), ["m5", "m2"]);
    let locators = vec![
        MsgLocator {
            seq: all[7].seq,
            rand: all[7].rand,
            ..MsgLocator::default()
        },
        MsgLocator {
            unique_id: all[0].unique_id,
            ..MsgLocator::default()
        },
        MsgLocator {
            seq: Some(999),
            ..MsgLocator::default()
        },
    ];
    assert_eq!(
        texts(&h.msgs.find_by_locators(&conv, &locators).unwrap()),
        ["m8", "m1"]
    );
    assert!(
        h.msgs
            .find_by_locators(&c2c("other"), &locators)
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn test_import_and_save_are_local_and_silent() {
    let h = harness();
    let conv = c2c("p");
    let list: Vec<_> = (1..=3)
        .map(|i| im_model::message::Message {
            sender: Some("p".into()),
            client_time: Some(100 + i),
            server_time: Some(100 + i),
            ..text(&format!("imported{i}"))
        })
        .collect();
    let imported = h.msgs.import_messages(&conv, &list).unwrap();
    assert!(
        imported
            .iter()
            .all(|m| m.status == Some(MsgStatus::LocalImported))
    );
    assert_eq!(h.unread(&conv), 0);
    assert!(h.new_message_ids().is_empty());
    assert_eq!(h.last_id(&conv), imported[2].msg_id);
    let saved = h.msgs.save_message(&conv, &text("note to self")).unwrap();
    assert_eq!(saved.is_from_self, Some(true));
    assert_eq!(
        h.store.message(saved.msg_id.as_deref().unwrap()).unwrap(),
        Some(saved.clone())
    );
    // Importing an id of another conversation is refused, and nothing is written.
    let mut stolen = imported[0].clone();
    stolen.elem_array = Some(vec![]);
    assert_eq!(
        h.msgs
            .import_messages(&c2c("x"), &[stolen])
            .unwrap_err()
            .code(),
        6016
    );
    assert_eq!(
        h.msgs
            .import_messages(&c2c("x"), &[imported[0].clone()])
            .unwrap_err()
            .code(),
        6017
    );
    assert!(h.server.requests().is_empty(), "nothing went to the server");
}

#[tokio::test]
async fn test_local_custom_data() {
    let h = harness();
    let conv = c2c("p");
    let m = h.peer_sends(&conv, "p", text("x")).await;
    let mut custom = m;
    custom.custom_int = Some(7);
    custom.custom_str = Some("pinned locally".into());
    let updated = h.msgs.set_local_custom_data(&custom).unwrap();
    assert_eq!(
        (updated.custom_int, updated.custom_str.as_deref()),
        (Some(7), Some("pinned locally"))
    );
    let last = h
        .convs
        .conversation(&conv)
        .unwrap()
        .unwrap()
        .last_msg
        .unwrap();
    assert_eq!(last.custom_int, Some(7));
    assert_eq!(
        h.msgs
            .set_local_custom_data(&text("unknown"))
            .unwrap_err()
            .code(),
        6017
    );
}

#[tokio::test]
async fn test_delete_one_list_and_clear() {
    let h = harness();
    let conv = group("g");
    let all = ten(&h, &conv).await;
    assert_eq!(h.unread(&conv), 10);
    // Local delete of the last message: the previous one becomes last.
    h.msgs
        .delete_message(
            &conv,
            &MsgDeleteParam {
                msg: Some(all[9].clone()),
                is_ramble: Some(false),
                ..MsgDeleteParam::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(h.last_id(&conv), all[8].msg_id);
    assert_eq!(h.unread(&conv), 9);
    assert!(
        !h.server
            .requests()
            .iter()
            .any(|r| matches!(r, Request::Delete(_)))
    );
    // Roaming delete goes to the server too.
    h.msgs
        .delete_message(
            &conv,
            &MsgDeleteParam {
                msg: Some(all[8].clone()),
                is_ramble: Some(true),
                ..MsgDeleteParam::default()
            },
        )
        .await
        .unwrap();
    assert!(
        h.server
            .requests()
            .iter()
            .any(|r| matches!(r, Request::Delete(_)))
    );
    assert_eq!(
        h.msgs
            .delete_message(&conv, &MsgDeleteParam::default())
            .await
            .unwrap_err()
            .code(),
        6017
    );
    // List delete: limits.
    assert_eq!(
        h.msgs.delete_messages(&conv, &[]).await.unwrap_err().code(),
        6017
    );
    let fifty_one = vec![all[0].clone(); 51];
    assert_eq!(
        h.msgs
            .delete_messages(&conv, &fifty_one)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    h.msgs.delete_messages(&conv, &all[0..2]).await.unwrap();
    assert_eq!(
        h.msgs
            .delete_messages(&conv, &all[2..3])
            .await
            .unwrap_err()
            .code(),
        7008
    );
    h.clock.advance(1);
    h.server.fail_next(
        Call::Delete,
        im_model::ImError::new(im_model::ErrorCode::NetDisconnect, "down"),
    );
    assert_eq!(
        h.msgs
            .delete_messages(&conv, &all[2..3])
            .await
            .unwrap_err()
            .code(),
        9508
    );
    assert!(
        h.store
            .message(all[2].msg_id.as_deref().unwrap())
            .unwrap()
            .is_some(),
        "kept on failure"
    );
    h.clock.advance(1);
    h.msgs.delete_messages(&conv, &all[2..3]).await.unwrap();
    assert_eq!(h.unread(&conv), 5);
    // A message of another conversation cannot be deleted through this one.
    assert_eq!(
        h.msgs
            .delete_messages(&c2c("x"), &all[3..4])
            .await
            .unwrap_err()
            .code(),
        6017
    );
    // Clear: everything goes, the conversation stays.
    h.msgs.clear_history(&conv).await.unwrap();
    assert!(
        h.msgs
            .get_message_list(&conv, &param(r#"{"msg_getmsglist_param_count":20}"#))
            .await
            .unwrap()
            .is_empty()
    );
    let info = h.convs.conversation(&conv).unwrap().unwrap();
    assert_eq!((info.unread_num, info.has_last_msg), (Some(0), Some(false)));
}
