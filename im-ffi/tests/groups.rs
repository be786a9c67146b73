//! The group functions the C API serves (TIMGroupCreate, TIMGroupInviteMember,
//! TIMGroupGetMemberInfoList, TIMGroupDeleteMember, TIMGroupQuit), with the
//! JSON of Tencent's headers and the server's codes.

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
