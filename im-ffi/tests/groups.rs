//! The group functions the C API serves (TIMGroupCreate, TIMGroupInviteMember,
//! TIMGroupGetMemberInfoList, TIMGroupDeleteMember, TIMGroupQuit, the group
//! information functions, joining with its requests, member changes), with
//! the JSON of Tencent's headers and the server's codes.

mod support;

use std::ffi::{c_char, c_int, c_void};

use ImSDK::api::{group, group_member};
use serde_json::{Value, json};
use support::calls::{Session, c, key, record, wait};

type GroupFn =
    unsafe extern "C" fn(*const c_char, ImSDK::abi::TIMCommCallback, *const c_void) -> c_int;

/// Calls a group function with `param` and waits: (code, JSON).
fn call(function: GroupFn, param: &str) -> (i32, Value) {
    let (text, k) = (c(param), key());
    // SAFETY: a valid C string and the recording callback.
    let r = unsafe { function(text.as_ptr(), Some(record), k) };
    assert_eq!(r, 0, "{param}");
    let (code, desc, json) = wait(k);
    let value = if json.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&json).unwrap()
    };
    (code, if code == 0 { value } else { json!(desc) })
}

#[test]
fn test_group_functions_through_the_c_api() {
    let server = support::start_server();
    let _session = Session::start(&server, "alice");

    let create = |id: &str| {
        json!({
            "create_group_param_group_id": id,
            "create_group_param_group_name": "C team",
            "create_group_param_group_type": 1,
            "create_group_param_group_member_array": [{"group_member_info_identifier": "bob"}],
            "create_group_param_notification": ""
        })
        .to_string()
    };
    let (code, created) = call(group::TIMGroupCreate, &create("g-c"));
    assert_eq!(code, 0, "{created}");
    assert_eq!(created, json!({"create_group_result_groupid": "g-c"}));
    let (code, _) = call(group::TIMGroupCreate, &create("g-c"));
    assert_eq!(code, 10021, "the id is taken");
    // No id: one is made, in Tencent's form.
    let (code, made) = call(group::TIMGroupCreate, &create(""));
    assert_eq!(code, 0);
    assert!(
        made["create_group_result_groupid"]
            .as_str()
            .unwrap()
            .starts_with("@TGS#")
    );

    let (code, invited) = call(
        group::TIMGroupInviteMember,
        r#"{"group_invite_member_param_group_id":"g-c","group_invite_member_param_identifier_array":["carol","bob"]}"#,
    );
    assert_eq!(code, 0);
    assert_eq!(
        invited,
        json!([
            {"group_invite_member_result_identifier": "carol", "group_invite_member_result_result": 1},
            {"group_invite_member_result_identifier": "bob", "group_invite_member_result_result": 2}
        ])
    );

    let list = |only: &[&str]| {
        call(
            group_member::TIMGroupGetMemberInfoList,
            &json!({
                "group_get_members_info_list_param_group_id": "g-c",
                "group_get_members_info_list_param_identifier_array": only,
                "group_get_members_info_list_param_next_seq": 0
            })
            .to_string(),
        )
    };
    let (code, members) = list(&[]);
    assert_eq!(code, 0);
    assert_eq!(members["group_get_member_info_list_result_next_seq"], 0);
    let roles: Vec<(String, u64)> = members["group_get_member_info_list_result_info_array"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["group_member_info_group_id"], "g-c");
            (
                m["group_member_info_identifier"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                m["group_member_info_member_role"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(roles.contains(&("alice".into(), 400)), "{roles:?}");
    assert!(roles.contains(&("bob".into(), 200)), "{roles:?}");
    assert!(roles.contains(&("carol".into(), 200)), "{roles:?}");
    let (_, only_bob) = list(&["bob"]);
    assert_eq!(
        only_bob["group_get_member_info_list_result_info_array"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (code, removed) = call(
        group::TIMGroupDeleteMember,
        r#"{"group_delete_member_param_group_id":"g-c","group_delete_member_param_identifier_array":["carol","nobody"]}"#,
    );
    assert_eq!(code, 0);
    assert_eq!(
        removed,
        json!([
            {"group_delete_member_result_identifier": "carol", "group_delete_member_result_result": 1},
            {"group_delete_member_result_identifier": "nobody", "group_delete_member_result_result": 0}
        ])
    );

    // TIMGroupQuit takes a group id; an unknown group gives 10010.
    let k = key();
    // SAFETY: a static C string and the recording callback.
    let r = unsafe { group::TIMGroupQuit(c"no-such-group".as_ptr(), Some(record), k) };
    assert_eq!(r, 0);
    assert_eq!(wait(k).0, 10010);
}

extern "C" fn on_tip(json: *const c_char, _user_data: *const c_void) {
    // SAFETY: the library passes a NUL-terminated string valid for the call.
    let text = unsafe { std::ffi::CStr::from_ptr(json) }
        .to_string_lossy()
        .into_owned();
    TIPS.lock().unwrap().push(text);
}

static TIPS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Group information through the C API: TIMGroupGetJoinedGroupList,
/// TIMGroupGetGroupInfoList, TIMGroupModifyGroupInfo (the owner flag as
/// the wrappers send it), TIMGroupDelete and TIMSetGroupTipsEventCallback.
#[test]
fn test_group_information_through_the_c_api() {
    use ImSDK::api::group_info;
    let server = support::start_server();
    let _session = Session::start(&server, "alice");
    // SAFETY: a valid callback; NULL user data.
    unsafe { group_info::TIMSetGroupTipsEventCallback(Some(on_tip), std::ptr::null()) };
    let create = json!({
        "create_group_param_group_id": "g-info",
        "create_group_param_group_name": "Info",
        "create_group_param_group_type": 0,
        "create_group_param_introduction": "about us",
        "create_group_param_group_member_array": [{"group_member_info_identifier": "bob"}]
    });
    assert_eq!(call(group::TIMGroupCreate, &create.to_string()).0, 0);

    let k = key();
    // SAFETY: the recording callback.
    let r = unsafe { group_info::TIMGroupGetJoinedGroupList(Some(record), k) };
    assert_eq!(r, 0);
    let (code, _, joined) = wait(k);
    assert_eq!(code, 0);
    let joined: Value = serde_json::from_str(&joined).unwrap();
    assert_eq!(joined[0]["group_base_info_group_id"], "g-info");
    assert_eq!(joined[0]["group_base_info_group_name"], "Info");
    assert_eq!(
        joined[0]["group_base_info_self_info"]["group_self_info_role"],
        400
    );

    let (code, infos) = call(group_info::TIMGroupGetGroupInfoList, r#"["g-info","none"]"#);
    assert_eq!(code, 0);
    let detail = &infos[0]["get_groups_info_result_info"];
    assert_eq!(detail["group_detail_info_introduction"], "about us");
    assert_eq!(detail["group_detail_info_member_num"], 2);
    assert_eq!(detail["group_detail_info_owner_identifier"], "alice");
    assert_eq!(infos[1]["get_groups_info_result_code"], 10010);

    let (code, _) = call(
        group_info::TIMGroupModifyGroupInfo,
        r#"{"group_modify_info_param_group_id":"g-info","group_modify_info_param_modify_flag":1,"group_modify_info_param_group_name":"Renamed"}"#,
    );
    assert_eq!(code, 0);
    let (code, _) = call(
        group_info::TIMGroupModifyGroupInfo,
        r#"{"group_modify_info_param_group_id":"g-info","group_modify_info_param_modify_flag":-2147483648,"group_modify_info_param_owner":"bob"}"#,
    );
    assert_eq!(code, 0, "the owner flag, signed");
    // The tips arrive on the tips callback, with Tencent's keys.
    for _ in 0..200 {
        if TIPS.lock().unwrap().len() >= 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let tips = TIPS.lock().unwrap().clone();
    assert_eq!(tips.len(), 3, "invite, rename, owner: {tips:?}");
    let rename: Value = serde_json::from_str(&tips[1]).unwrap();
    assert_eq!(rename["group_tips_elem_tip_type"], 6);
    assert_eq!(
        rename["group_tips_elem_group_change_info_array"][0]["group_tips_group_change_info_value"],
        "Renamed"
    );
    // No longer the owner: dismissing is refused.
    let k = key();
    // SAFETY: a static C string and the recording callback.
    let r = unsafe { group_info::TIMGroupDelete(c"g-info".as_ptr(), Some(record), k) };
    assert_eq!(r, 0);
    assert_eq!(wait(k).0, 10007);
    let k = key();
    // SAFETY: a static C string and the recording callback.
    let r = unsafe { group_info::TIMGroupModifyGroupInfo(c"{not json".as_ptr(), Some(record), k) };
    assert_eq!(
        r, -3,
        "malformed JSON is refused synchronously (TIM_ERR_JSON)"
    );
    let k = key();
    // SAFETY: as above.
    let r = unsafe { group_info::TIMGroupGetGroupInfoList(c"{}".as_ptr(), Some(record), k) };
    assert_eq!(r, -3, "the parameter is an array of ids");
}

/// Joining and members through the C API: TIMGroupJoin (a join request),
/// TIMGroupGetPendencyList, TIMGroupHandlePendency (once),
/// TIMGroupReportPendencyReaded, TIMGroupModifyMemberInfo (role, mute,
/// name card; the receive option flag) and the member list's pages and
/// role filter.
#[test]
fn test_joining_and_member_changes_through_the_c_api() {
    use im_sdk::im_model::GroupType;
    use im_sdk::im_model::wire::http::NewGroupDetails;
    let server = support::start_server();
    // The owner is a peer; the C API user asks to join.
    let (owner, _) = support::peer(&server, "owner");
    let create = im_sdk::CreateGroupRequest {
        group_id: "g-join".into(),
        name: "Join".into(),
        members: vec!["bob".into()],
        details: NewGroupDetails {
            group_type: Some(GroupType::Public),
            ..NewGroupDetails::default()
        },
    };
    server
        .runtime
        .block_on(owner.groups().create_group(&create))
        .unwrap();
    let _session = Session::start(&server, "alice");

    let k = key();
    // SAFETY: static C strings and the recording callback.
    let r = unsafe {
        group_member::TIMGroupJoin(c"g-join".as_ptr(), c"let me in".as_ptr(), Some(record), k)
    };
    assert_eq!(r, 0);
    assert_eq!(wait(k).0, 0, "a join request is filed");
    let k = key();
    // SAFETY: as above, with a NULL hello message.
    let r = unsafe {
        group_member::TIMGroupJoin(c"g-join".as_ptr(), std::ptr::null(), Some(record), k)
    };
    assert_eq!(r, 0);
    assert_eq!(wait(k).0, 0, "asking again replaces the request");
    let (code, listed) = call(
        group_member::TIMGroupGetPendencyList,
        r#"{"group_pendency_option_start_time":0,"group_pendency_option_max_limited":0}"#,
    );
    assert_eq!(code, 0);
    assert_eq!(
        listed["group_pendency_result_pendency_array"],
        json!([]),
        "alice approves nothing"
    );
    // The owner accepts through im-sdk; a second answer through the C API
    // would be refused, were alice an approver: she is not (10007).
    let pendencies = server
        .runtime
        .block_on(owner.groups().pendencies(&Default::default()))
        .unwrap();
    let request = &pendencies.pendency_array.unwrap()[0];
    assert_eq!(request.from_identifier.as_deref(), Some("alice"));
    assert_eq!(request.apply_invite_msg.as_deref(), Some(""));
    let handle = json!({
        "group_handle_pendency_param_is_accept": true,
        "group_handle_pendency_param_pendency": serde_json::to_value(request).unwrap(),
    })
    .to_string();
    assert_eq!(call(group_member::TIMGroupHandlePendency, &handle).0, 10007);
    let accept = im_sdk::HandlePendencyRequest {
        group_id: "g-join".into(),
        applicant: "alice".into(),
        accept: true,
        message: "welcome".into(),
    };
    server
        .runtime
        .block_on(owner.groups().handle_pendency(&accept))
        .unwrap();

    // A member now: her own name card and receive option in one call.
    let (code, _) = call(
        group_member::TIMGroupModifyMemberInfo,
        r#"{"group_modify_member_info_group_id":"g-join","group_modify_member_info_identifier":"alice","group_modify_member_info_modify_flag":9,"group_modify_member_info_name_card":"Al","group_modify_member_info_msg_flag":2}"#,
    );
    assert_eq!(code, 0);
    let (code, _) = call(
        group_member::TIMGroupModifyMemberInfo,
        r#"{"group_modify_member_info_group_id":"g-join","group_modify_member_info_identifier":"bob","group_modify_member_info_modify_flag":4,"group_modify_member_info_shutup_time":60}"#,
    );
    assert_eq!(code, 10007, "a plain member mutes nobody");
    let (code, _) = call(
        group_member::TIMGroupModifyMemberInfo,
        r#"{"group_modify_member_info_group_id":"g-join","group_modify_member_info_identifier":"bob","group_modify_member_info_modify_flag":1,"group_modify_member_info_msg_flag":2}"#,
    );
    assert_eq!(code, 10007, "another member's receive option");

    let list = |role_flag: u64| {
        call(
            group_member::TIMGroupGetMemberInfoList,
            &json!({
                "group_get_members_info_list_param_group_id": "g-join",
                "group_get_members_info_list_param_option": {
                    "group_member_get_info_option_role_flag": role_flag
                },
                "group_get_members_info_list_param_next_seq": 0
            })
            .to_string(),
        )
    };
    let (code, owners) = list(1);
    assert_eq!(code, 0);
    let owners = owners["group_get_member_info_list_result_info_array"].clone();
    assert_eq!(owners.as_array().unwrap().len(), 1);
    assert_eq!(owners[0]["group_member_info_identifier"], "owner");
    let (_, plain) = list(4);
    let plain = plain["group_get_member_info_list_result_info_array"].clone();
    let alice = plain
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["group_member_info_identifier"] == "alice")
        .expect("alice is a member")
        .clone();
    assert_eq!(alice["group_member_info_name_card"], "Al");
    assert_eq!(alice["group_member_info_member_role"], 200);
    assert!(alice["group_member_info_join_time"].as_u64().unwrap() > 0);

    let k = key();
    // SAFETY: the recording callback.
    let r = unsafe { group_member::TIMGroupReportPendencyReaded(1, Some(record), k) };
    assert_eq!(r, 0);
    assert_eq!(wait(k).0, 0);
    let k = key();
    // SAFETY: a static C string and the recording callback.
    let r = unsafe { group_member::TIMGroupHandlePendency(c"{}".as_ptr(), Some(record), k) };
    assert_eq!(r, -4, "no pendency object: TIM_ERR_PARAM");
}
