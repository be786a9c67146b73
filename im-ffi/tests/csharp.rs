//! What Tencent's C# (Unity) wrapper sends: whole objects with every field
//! it knows at its default (0, "", false, empty arrays, sub-objects of
//! defaults). A zero id, seq, rand, time or status means "not given": such
//! a message sends, anchors a history page and is found by its locator;
//! a flagged member change leaves the unflagged fields alone.

mod support;

use ImSDK::api::message as msg;
use support::calls::{Session, c, key, record, send_to_bob, wait};

/// A text message as the C# wrapper serializes it.
fn csharp_message(text: &str, conv: &str, seq: u64, rand: u64, msg_id: &str) -> String {
    serde_json::json!({
        "message_elem_array": [{
            "elem_type": 0, "text_elem_content": text,
            "image_elem_orig_path": "", "image_elem_level": 0, "image_elem_format": 0,
            "sound_elem_file_path": "", "sound_elem_file_size": 0, "sound_elem_file_time": 0,
            "custom_elem_data": "", "custom_elem_desc": "", "custom_elem_ext": "",
            "file_elem_file_path": "", "file_elem_file_name": "", "file_elem_file_size": 0,
            "location_elem_desc": "", "location_elem_longitude": 0.0, "location_elem_latitude": 0.0,
            "face_elem_index": 0, "face_elem_buf": "",
            "video_elem_video_type": "", "video_elem_video_size": 0, "video_elem_video_duration": 0,
            "merge_elem_title": "", "merge_elem_abstract_array": [], "merge_elem_compatible_text": ""
        }],
        "message_conv_id": conv, "message_conv_type": if conv.is_empty() { 0 } else { 1 },
        "message_sender": "", "message_priority": 0, "message_client_time": 0,
        "message_server_time": 0, "message_is_from_self": false, "message_platform": 0,
        "message_is_read": false, "message_is_online_msg": false, "message_is_peer_read": false,
        "message_receipt_peer_read": false, "message_need_read_receipt": false,
        "message_support_message_extension": false, "message_is_broadcast_message": false,
        "message_has_sent_receipt": false, "message_status": 0, "message_unique_id": 0,
        "message_msg_id": msg_id, "message_rand": rand, "message_seq": seq,
        "message_custom_int": 0, "message_custom_str": "", "message_cloud_custom_str": "",
        "message_is_excluded_from_unread_count": false, "message_group_at_user_array": [],
        "message_is_forward_message": false, "message_excluded_from_last_message": false,
        "message_excluded_from_content_moderation": false,
        "message_target_group_member_array": [],
        "message_sender_profile": {
            "user_profile_identifier": "", "user_profile_nick_name": "", "user_profile_gender": 0,
            "user_profile_face_url": "", "user_profile_self_signature": "",
            "user_profile_add_permission": 0, "user_profile_level": 0, "user_profile_role": 0,
            "user_profile_custom_string_array": []
        },
        "message_sender_group_member_info": {
            "group_member_info_identifier": "", "group_member_info_join_time": 0,
            "group_member_info_member_role": 0, "group_member_info_name_card": ""
        },
        "message_offline_push_config": {
            "offline_push_config_desc": "", "offline_push_config_ext": "", "offline_push_config_flag": 0
        }
    })
    .to_string()
}

#[test]
fn test_csharp_defaults_mean_unset() {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    let _session = Session::start(&server, "alice");

    // Send: the zero ids are not taken as the message's.
    let (_, (code, desc, sent)) = send_to_bob(&csharp_message("from unity", "", 0, 0, ""));
    assert_eq!(code, 0, "{desc}");
    let sent: serde_json::Value = serde_json::from_str(&sent).unwrap();
    assert_eq!(sent["message_status"], 2);
    assert!(sent["message_seq"].as_u64().unwrap() > 0);
    assert!(!sent["message_msg_id"].as_str().unwrap().is_empty());

    // History with an all-defaults anchor and a zero seq anchor: from the newest.
    let param = format!(
        r#"{{"msg_getmsglist_param_last_msg":{},"msg_getmsglist_param_count":10,"msg_getmsglist_param_is_forward":false,"msg_getmsglist_param_last_msg_seq":0,"msg_getmsglist_param_is_ramble":false}}"#,
        csharp_message("", "", 0, 0, "")
    );
    let (text, k) = (c(&param), key());
    // SAFETY: as above.
    let r = unsafe { msg::TIMMsgGetMsgList(c"bob".as_ptr(), 1, text.as_ptr(), Some(record), k) };
    assert_eq!(r, 0);
    let (code, desc, list) = wait(k);
    assert_eq!(code, 0, "{desc}");
    assert!(list.contains("from unity"), "{list}");

    // Found by a locator whose unique id and time are zero.
    let locator = serde_json::json!([{
        "message_locator_conv_id": "bob", "message_locator_conv_type": 1,
        "message_locator_is_revoked": false, "message_locator_time": 0,
        "message_locator_seq": sent["message_seq"], "message_locator_rand": sent["message_rand"],
        "message_locator_is_self": true, "message_locator_unique_id": 0
    }]);
    let (text, k) = (c(&locator.to_string()), key());
    // SAFETY: as above.
    let r = unsafe {
        msg::TIMMsgFindByMsgLocatorList(c"bob".as_ptr(), 1, text.as_ptr(), Some(record), k)
    };
    assert_eq!(r, 0);
    let (code, desc, found) = wait(k);
    assert_eq!(code, 0, "{desc}");
    assert!(
        found.contains(sent["message_msg_id"].as_str().unwrap()),
        "{found}"
    );

    // Revoke with the message as the C# wrapper hands it back (its ids,
    // every other field at its default).
    let back = csharp_message(
        "from unity",
        "bob",
        sent["message_seq"].as_u64().unwrap(),
        sent["message_rand"].as_u64().unwrap(),
        sent["message_msg_id"].as_str().unwrap(),
    );
    let (text, k) = (c(&back), key());
    // SAFETY: as above.
    let r = unsafe { msg::TIMMsgRevoke(c"bob".as_ptr(), 1, text.as_ptr(), Some(record), k) };
    assert_eq!(r, 0);
    let (code, desc, _) = wait(k);
    assert_eq!(code, 0, "{desc}");
    server.runtime.block_on(bob.shutdown());
}

/// Calls `function` with `param` and waits for its callback.
fn group_call(
    function: unsafe extern "C" fn(
        *const std::ffi::c_char,
        ImSDK::abi::TIMCommCallback,
        *const std::ffi::c_void,
    ) -> std::ffi::c_int,
    param: &serde_json::Value,
) -> support::calls::Answer {
    let (text, k) = (c(&param.to_string()), key());
    // SAFETY: a valid C string and the recording callback.
    let r = unsafe { function(text.as_ptr(), Some(record), k) };
    assert_eq!(r, 0, "{param}");
    wait(k)
}

/// The member calls as the C# wrapper serializes them: every field of the
/// parameter objects present at its default, only the flagged ones meant.
#[test]
fn test_csharp_member_objects_with_every_field() {
    use ImSDK::api::{group, group_member};
    use serde_json::json;
    let server = support::start_server();
    let _session = Session::start(&server, "alice");
    let created = group_call(
        group::TIMGroupCreate,
        &json!({
            "create_group_param_group_id": "cs-g", "create_group_param_group_name": "CS",
            "create_group_param_group_type": 0, "create_group_param_notification": "",
            "create_group_param_introduction": "", "create_group_param_face_url": "",
            "create_group_param_add_option": 1, "create_group_param_max_member_num": 0,
            "create_group_param_custom_info": [],
            "create_group_param_group_member_array": [{
                "group_member_info_identifier": "bob", "group_member_info_join_time": 0,
                "group_member_info_member_role": 0, "group_member_info_msg_flag": 0,
                "group_member_info_msg_seq": 0, "group_member_info_shutup_time": 0,
                "group_member_info_name_card": "", "group_member_info_custom_info": []
            }]
        }),
    );
    assert_eq!(created.0, 0, "{created:?}");
    // A name card change; role, mute and receive option are at their
    // defaults and not flagged, so they change nothing.
    let card = group_call(
        group_member::TIMGroupModifyMemberInfo,
        &json!({
            "group_modify_member_info_group_id": "cs-g",
            "group_modify_member_info_identifier": "bob",
            "group_modify_member_info_modify_flag": 8,
            "group_modify_member_info_msg_flag": 0,
            "group_modify_member_info_member_role": 0,
            "group_modify_member_info_shutup_time": 0,
            "group_modify_member_info_name_card": "B.",
            "group_modify_member_info_custom_info": []
        }),
    );
    assert_eq!(card.0, 0, "{card:?}");
    let listed = group_call(
        group_member::TIMGroupGetMemberInfoList,
        &json!({
            "group_get_members_info_list_param_group_id": "cs-g",
            "group_get_members_info_list_param_identifier_array": [],
            "group_get_members_info_list_param_option": {
                "group_member_get_info_option_info_flag": 0,
                "group_member_get_info_option_role_flag": 0,
                "group_member_get_info_option_custom_array": []
            },
            "group_get_members_info_list_param_next_seq": 0
        }),
    );
    assert_eq!(listed.0, 0, "{listed:?}");
    let page: serde_json::Value = serde_json::from_str(&listed.2).unwrap();
    let members = page["group_get_member_info_list_result_info_array"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(members.len(), 2, "an empty id list means everyone: {page}");
    let bob = members
        .iter()
        .find(|m| m["group_member_info_identifier"] == "bob")
        .unwrap();
    assert_eq!(bob["group_member_info_name_card"], "B.");
    assert_eq!(bob["group_member_info_member_role"], 200, "unchanged");
    assert_eq!(bob["group_member_info_shutup_time"], 0, "not muted");
    let pendencies = group_call(
        group_member::TIMGroupGetPendencyList,
        &json!({"group_pendency_option_start_time": 0, "group_pendency_option_max_limited": 0}),
    );
    assert_eq!(pendencies.0, 0);
    // Answering a request that does not exist, with a whole pendency object.
    let handled = group_call(
        group_member::TIMGroupHandlePendency,
        &json!({
            "group_handle_pendency_param_is_accept": true,
            "group_handle_pendency_param_handle_msg": "",
            "group_handle_pendency_param_pendency": {
                "group_pendency_group_id": "cs-g", "group_pendency_form_identifier": "nobody",
                "group_pendency_to_identifier": "", "group_pendency_add_time": 0,
                "group_pendency_pendency_type": 0, "group_pendency_handled": 0,
                "group_pendency_handle_result": 0, "group_pendency_apply_invite_msg": "",
                "group_pendency_form_user_defined_data": "", "group_pendency_approval_msg": "",
                "group_pendency_to_user_defined_data": "", "group_pendency_authentication": "",
                "group_pendency_self_identifier": "", "group_pendency_key": ""
            }
        }),
    );
    assert_eq!(handled.0, 10004, "no request from nobody: {handled:?}");
}
