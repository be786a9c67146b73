//! Snapshot of every wire type's JSON keys and of sample values.
//!
//! A renamed or dropped Tencent key changes `snapshots/json_keys.txt` and
//! fails this test; review the diff against the spec before running it
//! again with `UPDATE_EXPECT=1`.

use expect_test::{expect, expect_file};
use im_model::conversation::*;
use im_model::message::*;
use im_model::{ConvType, ElemType, MarkSet, MsgStatus};

#[test]
fn test_json_keys_of_every_wire_type() {
    let mut table = String::new();
    for (name, keys) in im_model::json_keys::WIRE_OBJECTS {
        table.push_str(&format!("{name}\n"));
        for key in *keys {
            table.push_str(&format!("  {key}\n"));
        }
    }
    expect_file!["snapshots/json_keys.txt"].assert_eq(&table);
}

#[test]
fn test_sample_conv_info_json() {
    let info = ConvInfo {
        conv_id: Some("user1".into()),
        conv_type: Some(ConvType::C2C),
        unread_num: Some(3),
        active_time: Some((1 << 62) | 1_700_000_000),
        is_pinned: Some(true),
        mark_array: Some((MarkSet::STAR | MarkSet::from_bits_retain(1 << 32)).single_marks()),
        conversation_group_array: Some(vec!["work".into()]),
        draft: Some(Draft {
            msg: Some(Message::text("hi")),
            user_define: Some("ud".into()),
            edit_time: Some(5),
            ..Draft::default()
        }),
        ..ConvInfo::default()
    };
    expect![[r#"{"conv_id":"user1","conv_type":1,"conv_unread_num":3,"conv_active_time":4611686020127387904,"conv_draft":{"draft_msg":{"message_elem_array":[{"elem_type":0,"text_elem_content":"hi"}]},"draft_user_define":"ud","draft_edit_time":5},"conv_is_pinned":true,"conv_mark_array":[1,4294967296],"conv_conversation_group_array":["work"]}"#]]
        .assert_eq(&serde_json::to_string(&info).unwrap());
}

#[test]
fn test_sample_message_json() {
    let msg = Message {
        elem_array: Some(vec![
            Elem::File(FileElem {
                file_name: Some("报告.pdf".into()),
                file_size: Some(1024),
                ..FileElem::default()
            }),
            Elem::Location(LocationElem {
                desc: Some("深圳".into()),
                longitude: Some(113.9),
                latitude: Some(22.5),
                ..LocationElem::default()
            }),
        ]),
        conv_id: Some("g1".into()),
        conv_type: Some(ConvType::Group),
        status: Some(MsgStatus::Revoked),
        seq: Some(7),
        ..Message::default()
    };
    expect![[r#"{"message_elem_array":[{"elem_type":4,"file_elem_file_name":"报告.pdf","file_elem_file_size":1024},{"elem_type":7,"location_elem_desc":"深圳","location_elem_latitude":22.5,"location_elem_longitude":113.9}],"message_conv_id":"g1","message_conv_type":2,"message_status":6,"message_seq":7}"#]]
        .assert_eq(&serde_json::to_string(&msg).unwrap());
    assert_eq!(msg.elems()[0].elem_type(), Some(ElemType::File));
}

#[test]
fn test_sample_filter_and_operation_result_json() {
    let filter: ConversationListFilter = serde_json::from_str(
        r#"{"conversation_list_filter_conv_type":2,"conversation_list_filter_mark_type":1,
            "conversation_list_filter_conversation_group":"my_group_name"}"#,
    )
    .unwrap();
    expect![[r#"{"conversation_list_filter_conv_type":2,"conversation_list_filter_conversation_group":"my_group_name","conversation_list_filter_mark_type":1}"#]]
        .assert_eq(&serde_json::to_string(&filter).unwrap());
    let result = ConversationOperationResult::ok("c2c_u1");
    expect![[r#"{"conversation_operation_result_conversation_id":"c2c_u1","conversation_operation_result_result_code":0,"conversation_operation_result_result_info":""}"#]]
        .assert_eq(&serde_json::to_string(&result).unwrap());
}
