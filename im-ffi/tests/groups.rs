//! The group functions the C API serves (TIMGroupCreate, TIMGroupInviteMember,
//! TIMGroupGetMemberInfoList, TIMGroupDeleteMember, TIMGroupQuit, and the
//! group information functions), with the JSON of Tencent's headers and the
//! server's codes.

mod support;

use std::ffi::{c_char, c_int, c_void};

use ImSDK::api::group;
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
            group::TIMGroupGetMemberInfoList,
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
