//! Every JSON example of the seed documents parses into its model type and
//! re-serializes to the same keys and values.
//!
//! The only rewrite allowed is the documented one: the old `_remble`
//! spelling is read and written back as `_ramble`.

use im_model::message::{
    C2CReceiveMessageOptResult, MessageSearchParam, MsgBatchSendParam, MsgDeleteParam,
    MsgGetMsgListParam, MsgLocator,
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

fn with_new_spelling(value: &Value) -> Value {
    let text = value.to_string().replace("_is_remble\"", "_is_ramble\"");
    serde_json::from_str(&text).unwrap()
}

#[track_caller]
fn assert_round_trip<T: DeserializeOwned + Serialize>(name: &str) {
    let original = fixture(name);
    let parsed: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
    let again = serde_json::to_value(&parsed).unwrap();
    assert_eq!(
        again,
        with_new_spelling(&original),
        "{name} changed on round trip"
    );
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
    assert_eq!(
        param.is_ramble,
        Some(false),
        "old _remble spelling must be read"
    );
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
fn test_unknown_keys_are_ignored_and_bad_values_rejected() {
    let msg: Message =
        serde_json::from_str(r#"{"message_seq":3,"some_future_key":{"x":1}}"#).unwrap();
    assert_eq!(msg.seq, Some(3));
    assert_eq!(serde_json::to_string(&msg).unwrap(), r#"{"message_seq":3}"#);

    for bad in [
        r#"{"message_seq":"three"}"#,
        r#"{"message_conv_type":42}"#,
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
