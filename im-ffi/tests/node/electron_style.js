// Calls libImSDK through ffi-rs exactly as Tencent's Electron wrapper
// (im_electron_sdk 7.9, src/manager/*.ts, and 8.0.5906's dist/main.js for
// the conversation-group callbacks) does: the same `open`, the same
// `load` descriptors (user_data as a string, callbacks as
// funcConstructor(I32, String, String, String), the sdkappid as I64, the
// message id buffer as a U8Array), so that an unchanged wrapper works.
//
// Usage: node electron_style.js <dir of libImSDK.so> <data dir> <sdkappid> <user sig>
// with IM_SERVER_URL in the environment (how the wrapper, which builds
// TIMInit's config itself, is pointed at a server).
// Prints "electron-style: N failures". License: MIT OR Apache-2.0.
"use strict";
const path = require("path");
const { load, DataType, open, funcConstructor } = require("ffi-rs");

const [libDir, dataDir, sdkappid, userSig] = process.argv.slice(2);
const libName = "libImSDK";
open({ library: libName, path: path.join(libDir, "libImSDK.so") });

let failures = 0;
function check(ok, what) {
  if (!ok) {
    failures++;
    console.error(`FAIL ${what}`);
  }
}

const commCallback = funcConstructor({
  paramsType: [DataType.I32, DataType.String, DataType.String, DataType.String],
  retType: DataType.Void,
});

// The wrapper's pattern: a promise settled by the callback; user_data a string.
function call(funcName, types, values, userData = "") {
  return new Promise((resolve) => {
    const code = load({
      library: libName,
      funcName,
      retType: DataType.I32,
      paramsType: [...types, commCallback, DataType.String],
      paramsValue: [
        ...values,
        (...args) => {
          const [code, desc = "", json_param = "", user_data = ""] = args;
          resolve({ code, desc, json_param, user_data });
        },
        userData,
      ],
    });
    if (code !== 0) resolve({ code, sync: true });
  });
}

async function main() {
  // TIMInit's path in the wrapper: the version, the UI platform, then init.
  const version = load({ library: libName, funcName: "TIMGetSDKVersion", retType: DataType.String, paramsType: [], paramsValue: [] });
  check(typeof version === "string" && version.length > 0, `version ${version}`);
  const platform = await call("callExperimentalAPI", [DataType.String], [
    JSON.stringify({ request_internal_operation: "internal_operation_set_ui_platform", request_set_ui_platform_param: 7 }),
  ]);
  check(platform.code === 0, `set_ui_platform ${JSON.stringify(platform)}`);
  const config = JSON.stringify({
    sdk_config_log_file_path: path.resolve(dataDir, "sdk-log"),
    sdk_config_config_file_path: path.resolve(dataDir, "sdk-config"),
  });
  const init = load({ library: libName, funcName: "TIMInit", retType: DataType.I32, paramsType: [DataType.I64, DataType.String], paramsValue: [Number(sdkappid), config] });
  check(init === 0, `TIMInit ${init}`);

  const login = await call("TIMLogin", [DataType.String, DataType.String], ["alice", userSig], "login-tag");
  check(login.code === 0, `TIMLogin ${JSON.stringify(login)}`);
  check(login.user_data === "login-tag", `user_data back: ${login.user_data}`);
  check(login.desc === "" && login.json_param === "", "strings are empty, not NULL");

  // Wait for bob's message to arrive with the first sync.
  let list;
  for (let i = 0; i < 100; i++) {
    list = await call("TIMConvGetConvList", [], []);
    if (list.code === 0 && list.json_param.includes('"conv_id":"bob"')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  check(list.code === 0 && JSON.parse(list.json_param).some((c) => c.conv_id === "bob"), `conv list ${list.json_param}`);

  // The wrapper's send: a U8Array id buffer it reads after the call.
  const idBuffer = Buffer.alloc(128);
  const sent = await new Promise((resolve) => {
    const code = load({
      library: libName,
      funcName: "TIMMsgSendMessage",
      retType: DataType.I32,
      paramsType: [DataType.String, DataType.I32, DataType.String, DataType.U8Array, commCallback, DataType.String],
      paramsValue: [
        "bob", 1,
        JSON.stringify({ message_elem_array: [{ elem_type: 0, text_elem_content: "hello from electron" }] }),
        idBuffer,
        (...args) => { const [code, desc, json_param, user_data] = args; resolve({ code, desc, json_param, user_data }); },
        "",
      ],
    });
    if (code !== 0) resolve({ code, sync: true });
  });
  check(sent.code === 0, `send ${JSON.stringify(sent)}`);
  const message = sent.code === 0 ? JSON.parse(sent.json_param) : {};
  check(message.message_status === 2, `status ${message.message_status}`);

  // Marks with a custom bit, the wrapper's way (mark_type as I64).
  const mark = await call("TIMConvMarkConversation", [DataType.String, DataType.I64, DataType.Boolean], [JSON.stringify(["c2c_bob"]), 1 + 2 ** 32, true]);
  check(mark.code === 0 && mark.json_param.includes('"conversation_operation_result_result_code":0'), `mark ${JSON.stringify(mark)}`);

  // Conversation-group callbacks, registered with the 8.x wrapper's own
  // descriptors (permanent callbacks, user_data a string). The
  // deleted-from-group one has four parameters, `reason` an I32: a library
  // calling it with three makes ffi-rs read a garbage user_data pointer,
  // and this process dies with SIGSEGV.
  function setCallback(funcName, paramsType, userData, handler) {
    load({
      library: libName,
      funcName,
      retType: DataType.Void,
      paramsType: [funcConstructor({ paramsType, permanent: true }), DataType.String],
      paramsValue: [handler, userData],
    });
  }
  const groupCreated = new Promise((resolve) =>
    setCallback("TIMSetConvConversationGroupCreatedCallback", [DataType.String, DataType.String, DataType.String], "created-tag",
      (group_name, conversation_array, user_data) => resolve({ group_name, conversation_array, user_data })));
  const addedToGroup = [];
  setCallback("TIMSetConvConversationsAddedToGroupCallback", [DataType.String, DataType.String, DataType.String], "added-tag",
    (group_name, conversation_array) => addedToGroup.push({ group_name, conversation_array }));
  const removedFromGroup = new Promise((resolve) =>
    setCallback("TIMSetConvConversationsDeletedFromGroupCallback", [DataType.String, DataType.String, DataType.I32, DataType.String], "removed-tag",
      (group_name, conversation_array, reason, user_data) => resolve({ group_name, conversation_array, reason, user_data })));

  const createGroup = await call("TIMConvCreateConversationGroup", [DataType.String, DataType.String], ["Work", JSON.stringify(["c2c_bob"])]);
  check(createGroup.code === 0, `create group ${JSON.stringify(createGroup)}`);
  const created = await groupCreated;
  const createdConvs = JSON.parse(created.conversation_array || "[]");
  check(created.group_name === "Work" && created.user_data === "created-tag", `created callback ${JSON.stringify(created)}`);
  check(createdConvs.length === 1 && createdConvs[0].conv_id === "bob", `created with its conversations: ${created.conversation_array}`);
  const removeFromGroup = await call("TIMConvDeleteConversationsFromGroup", [DataType.String, DataType.String], ["Work", JSON.stringify(["c2c_bob"])]);
  check(removeFromGroup.code === 0, `remove from group ${JSON.stringify(removeFromGroup)}`);
  const removed = await removedFromGroup;
  const removedConvs = JSON.parse(removed.conversation_array || "[]");
  check(removed.group_name === "Work" && removed.reason === 0 && removed.user_data === "removed-tag", `removed callback ${JSON.stringify(removed)}`);
  check(removedConvs.length === 1 && removedConvs[0].conv_id === "bob", `removed conversations: ${removed.conversation_array}`);
  check(addedToGroup.length === 0, `no added-to-group callback for a group's starting conversations: ${JSON.stringify(addedToGroup)}`);

  // A synchronous refusal resolves without a callback.
  const bad = await call("TIMConvGetConversationListByFilter", [DataType.String, DataType.I64, DataType.I32], ["{not json", 0, 10]);
  check(bad.sync && bad.code === -3, `bad JSON ${JSON.stringify(bad)}`);

  // Profiles and groups, with the wrapper's descriptors and keys.
  const nick = await call("TIMProfileModifySelfUserProfile", [DataType.String], [JSON.stringify({ user_profile_item_nick_name: "Alice E" })]);
  check(nick.code === 0, `modify profile ${JSON.stringify(nick)}`);
  const created2 = await call("TIMGroupCreate", [DataType.String], [JSON.stringify({
    create_group_param_group_id: "e-club", create_group_param_group_name: "Club", create_group_param_group_type: 0,
    create_group_param_group_member_array: [{ group_member_info_identifier: "bob" }],
  })]);
  check(created2.code === 0, `group create ${JSON.stringify(created2)}`);
  const admin = await call("TIMGroupModifyMemberInfo", [DataType.String], [JSON.stringify({
    group_modify_member_info_group_id: "e-club", group_modify_member_info_identifier: "bob",
    group_modify_member_info_modify_flag: 2 | 8, group_modify_member_info_member_role: 300,
    group_modify_member_info_name_card: "Bobby", group_modify_member_info_custom_info: [],
  })]);
  check(admin.code === 0, `modify member ${JSON.stringify(admin)}`);
  const members = await call("TIMGroupGetMemberInfoList", [DataType.String], [JSON.stringify({
    group_get_members_info_list_param_group_id: "e-club",
    group_get_members_info_list_param_option: { group_member_get_info_option_info_flag: 0xffffffff, group_member_get_info_option_role_flag: 2, group_member_get_info_option_custom_array: [] },
    group_get_members_info_list_param_next_seq: 0,
  })]);
  const admins = members.code === 0 ? JSON.parse(members.json_param).group_get_member_info_list_result_info_array : [];
  check(admins.length === 1 && admins[0].group_member_info_identifier === "bob" && admins[0].group_member_info_name_card === "Bobby", `admins ${JSON.stringify(members)}`);
  const join = await call("TIMGroupJoin", [DataType.String, DataType.String], ["bobs-club", "from electron"]);
  check(join.code === 0, `join ${JSON.stringify(join)}`);
  const again = await call("TIMGroupJoin", [DataType.String, DataType.String], ["e-club", ""]);
  check(again.code === 10013, `join again ${JSON.stringify(again)}`);
  const pendencies = await call("TIMGroupGetPendencyList", [DataType.String], [JSON.stringify({ group_pendency_option_start_time: 0, group_pendency_option_max_limited: 0 })]);
  check(pendencies.code === 0 && JSON.parse(pendencies.json_param).group_pendency_result_unread_num === 0, `pendencies ${JSON.stringify(pendencies)}`);
  const readed = await call("TIMGroupReportPendencyReaded", [DataType.I64], [1]);
  check(readed.code === 0, `report pendency read ${JSON.stringify(readed)}`);

  const logout = await call("TIMLogout", [], []);
  check(logout.code === 0, `logout ${JSON.stringify(logout)}`);
  const uninit = load({ library: libName, funcName: "TIMUninit", retType: DataType.I32, paramsType: [], paramsValue: [] });
  check(uninit === 0, `TIMUninit ${uninit}`);
  console.log(`electron-style: ${failures} failures`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
