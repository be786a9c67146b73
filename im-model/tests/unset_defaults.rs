//! Zero values of identity fields read as unset (what Tencent's C#
//! wrapper sends for fields it does not mean to set).

use im_model::Message;
use im_model::message::MsgLocator;

#[test]
fn test_zero_ids_times_and_status_of_a_message_become_unset() {
    let mut m: Message = serde_json::from_str(
        r#"{"message_msg_id":"","message_conv_id":"","message_sender":"","message_seq":0,
            "message_rand":0,"message_unique_id":0,"message_server_time":0,"message_client_time":0,
            "message_status":0,"message_conv_type":0,"message_priority":0,"message_custom_int":0}"#,
    )
    .unwrap();
    m.clear_unset_defaults();
    assert_eq!(
        serde_json::to_value(&m).unwrap(),
        // Only identity fields are cleared: a zero priority (High) or
        // custom int is a value.
        serde_json::json!({"message_priority": 0, "message_custom_int": 0})
    );
}

#[test]
fn test_set_values_stay() {
    let json = r#"{"message_msg_id":"1-2-3","message_conv_id":"bob","message_sender":"alice","message_seq":7,"message_rand":9,"message_unique_id":11,"message_server_time":5,"message_client_time":4,"message_status":2,"message_conv_type":1}"#;
    let mut m: Message = serde_json::from_str(json).unwrap();
    let before = m.clone();
    m.clear_unset_defaults();
    assert_eq!(m, before);
}

#[test]
fn test_zero_locator_fields_become_unset() {
    let mut l: MsgLocator = serde_json::from_str(
        r#"{"message_locator_conv_id":"bob","message_locator_seq":0,"message_locator_rand":0,
            "message_locator_unique_id":0,"message_locator_time":0,"message_locator_is_self":false}"#,
    )
    .unwrap();
    l.clear_unset_defaults();
    assert_eq!(
        serde_json::to_value(&l).unwrap(),
        serde_json::json!({"message_locator_conv_id": "bob", "message_locator_is_self": false})
    );
}
