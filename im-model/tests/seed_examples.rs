//! Every JSON example of the seed documents parses into its model type and
//! re-serializes to the same keys and values.
//!
//! Nothing is rewritten: the old `_remble` spelling comes back as it was
//! given, and keys this version does not declare are kept.

use im_model::message::{
    C2CReceiveMessageOptResult, DownloadElemParam, MessageSearchParam, MsgBatchSendParam,
    MsgDeleteParam, MsgGetMsgListParam, MsgLocator,
};
use im_model::{ConvInfo, Draft, Elem, Message, TotalUnreadResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/seed_examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[track_caller]
fn assert_round_trip<T: DeserializeOwned + Serialize>(name: &str) {
    let original = fixture(name);
    let parsed: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    let again = serde_json::to_value(&parsed).unwrap();
    assert_eq!(again, original, "{name} changed on round trip");
}

#[test]
fn test_seed_conversation_examples_round_trip() {
    assert_round_trip::<Vec<ConvInfo>>("000_conv_info_array");
    assert_round_trip::<Draft>("000_draft");
    assert_round_trip::<TotalUnreadResult>("000_total_unread_result");
    assert_round_trip::<Vec<String>>("000_conversation_group_list");
}

#[test]
fn test_seed_message_examples_round_trip() {
    assert_round_trip::<Elem>("003_text_elem");
    assert_round_trip::<Message>("003_message");
    assert_round_trip::<Vec<MsgLocator>>("003_msg_locator_array");
    assert_round_trip::<Vec<Message>>("003_import_message_array");
    assert_round_trip::<MsgGetMsgListParam>("003_get_msg_list_param");
    assert_round_trip::<MsgDeleteParam>("003_delete_param");
    assert_round_trip::<Vec<Message>>("003_list_delete_message_array");
    assert_round_trip::<MessageSearchParam>("003_search_param");
    assert_round_trip::<MsgBatchSendParam>("003_batch_send_param");
    assert_round_trip::<Vec<C2CReceiveMessageOptResult>>("003_c2c_recv_opt_result");
    assert_round_trip::<Vec<String>>("003_find_messages_id_array");
}

#[test]
fn test_seed_values_are_read_into_the_right_fields() {
    let convs: Vec<ConvInfo> = serde_json::from_value(fixture("000_conv_info_array")).unwrap();
    let conv = &convs[0];
    assert_eq!(conv.conv_id.as_deref(), Some("98826"));
    assert_eq!(conv.unread_num, Some(1));
    let last = conv.last_msg.as_ref().unwrap();
    assert_eq!(last.unique_id, Some(6961616747713488299));
    assert_eq!(last.status, Some(im_model::MsgStatus::SendSucc));
    let Elem::Text(text) = &last.elems()[0] else {
        panic!("not text")
    };
    assert_eq!(text.content.as_deref(), Some("11111"));

    let param: MsgGetMsgListParam =
        serde_json::from_value(fixture("003_get_msg_list_param")).unwrap();
    assert_eq!(param.is_remble, Some(false), "old _remble spelling is read");
    assert!(!param.ramble());
}

#[test]
fn test_unknown_elem_kinds_are_kept_whole() {
    let json = r#"{"message_elem_array":[
        {"elem_type":10,"friend_change_elem_type":3,"nested":{"a":[1,2]}},
        {"elem_type":99,"whatever":"kept"}]}"#;
    let msg: Message = serde_json::from_str(json).unwrap();
    assert!(matches!(msg.elems()[0], Elem::Other(_)));
    assert_eq!(msg.elems()[1].elem_type_value(), 99);
    let back = serde_json::to_value(&msg).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
}

#[test]
fn test_unknown_keys_inside_known_objects_are_kept() {
    // Item 15 of the correctness issue: a message the app hands in comes
    // back with every key it had, at every depth.
    let json = r#"{"message_seq":3,"some_future_key":{"x":1},
        "message_elem_array":[{"elem_type":0,"text_elem_content":"hi","text_elem_future":[1]}],
        "message_sender_profile":{"user_profile_identifier":"a","user_profile_future":true},
        "message_offline_push_config":{"offline_push_config_title":"t","offline_push_config_future":"f"}}"#;
    let msg: Message = serde_json::from_str(json).unwrap();
    assert_eq!(msg.seq, Some(3));
    assert_eq!(
        msg.unknown_keys["some_future_key"],
        serde_json::json!({"x": 1})
    );
    let back = serde_json::to_value(&msg).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
}

#[test]
fn test_bad_values_are_rejected() {
    for bad in [
        r#"{"message_seq":"three"}"#,
        r#"{"message_conv_type":-42}"#,
        r#"{"message_elem_array":[{"text_elem_content":"no type"}]}"#,
        r#"{"message_elem_array":[{"elem_type":"0"}]}"#,
        r#"{"message_elem_array":[{"elem_type":0,"text_elem_content":5}]}"#,
    ] {
        assert!(
            serde_json::from_str::<Message>(bad).is_err(),
            "{bad} should fail"
        );
    }
}

#[test]
fn test_both_remble_and_ramble_spellings_parse() {
    // Item 9: JSON carrying both spellings is not a duplicate field; the
    // newer spelling wins and both keys come back.
    let json = r#"{"msg_getmsglist_param_count":5,"msg_getmsglist_param_is_remble":false,"msg_getmsglist_param_is_ramble":true}"#;
    let param: MsgGetMsgListParam = serde_json::from_str(json).unwrap();
    assert!(param.ramble());
    assert_eq!(
        serde_json::to_value(&param).unwrap(),
        serde_json::from_str::<Value>(json).unwrap()
    );
    let only_old: MsgGetMsgListParam =
        serde_json::from_str(r#"{"msg_getmsglist_param_is_remble":true}"#).unwrap();
    assert!(only_old.ramble());
    let delete: MsgDeleteParam = serde_json::from_str(
        r#"{"msg_delete_param_is_remble":true,"msg_delete_param_is_ramble":false}"#,
    )
    .unwrap();
    assert!(!delete.ramble());
}

#[test]
fn test_seed_download_flag_keys_are_accepted() {
    // Item 20: seed 003's download example sends kTIMMsgDownloadElemParamFlag,
    // and older elements carry *_download_flag keys.
    let param: DownloadElemParam = serde_json::from_str(
        r#"{"msg_download_elem_param_flag":1,"msg_download_elem_param_type":2,
            "msg_download_elem_param_id":"f","msg_download_elem_param_business_id":0,
            "msg_download_elem_param_url":"u"}"#,
    )
    .unwrap();
    assert_eq!(param.flag, Some(1));
    let msg: Message = serde_json::from_str(
        r#"{"message_elem_array":[
            {"elem_type":2,"sound_elem_download_flag":1},
            {"elem_type":4,"file_elem_download_flag":2},
            {"elem_type":9,"video_elem_video_download_flag":3,"video_elem_image_download_flag":4}]}"#,
    )
    .unwrap();
    let [Elem::Sound(sound), Elem::File(file), Elem::Video(video)] = msg.elems() else {
        panic!("elements not typed: {msg:?}")
    };
    assert_eq!(sound.download_flag, Some(1));
    assert_eq!(file.download_flag, Some(2));
    assert_eq!(
        (video.video_download_flag, video.image_download_flag),
        (Some(3), Some(4))
    );
}

#[test]
fn test_fields_typed_differently_by_wrappers_parse_in_both_forms() {
    // Item 21: group_member_info_is_online as string or bool, the pinned
    // message list as one object or an array, and an enum number this
    // version does not know: none of them fails the whole message.
    for (online, expected) in [(r#""1""#, true), ("true", true), ("false", false)] {
        let json = format!(
            r#"{{"message_sender_group_member_info":{{"group_member_info_is_online":{online}}}}}"#
        );
        let msg: Message = serde_json::from_str(&json).unwrap();
        let info = msg.sender_group_member_info.as_ref().unwrap();
        assert_eq!(
            info.is_online.as_ref().unwrap().as_bool(),
            expected,
            "{online}"
        );
        assert_eq!(
            serde_json::to_value(&msg).unwrap(),
            serde_json::from_str::<Value>(&json).unwrap()
        );
    }
    for pinned in [r#"{"message_seq":7}"#, r#"[{"message_seq":7}]"#] {
        let json = format!(
            r#"{{"message_elem_array":[{{"elem_type":5,"group_tips_elem_pinned_message_list":{pinned}}}]}}"#
        );
        let msg: Message = serde_json::from_str(&json).unwrap();
        let Elem::GroupTips(tips) = &msg.elems()[0] else {
            panic!("not group tips")
        };
        let list = tips.pinned_message_list.as_ref().unwrap().as_slice();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].seq, Some(7));
        assert_eq!(
            serde_json::to_value(&msg).unwrap(),
            serde_json::from_str::<Value>(&json).unwrap()
        );
    }
    let json = r#"{"message_status":42,"message_priority":9,"message_seq":1}"#;
    let msg: Message = serde_json::from_str(json).unwrap();
    assert_eq!(msg.status, Some(im_model::MsgStatus::Unknown(42)));
    assert_eq!(msg.seq, Some(1));
    assert_eq!(
        serde_json::to_value(&msg).unwrap(),
        serde_json::from_str::<Value>(json).unwrap()
    );
}
