//! The generated header against Tencent's API (reliability plan C5): every
//! function and callback type of Tencent's headers (the tables in `abi/`)
//! is declared with the same prototype; every enum constant has the
//! spec's value; the model's enums agree with the header; and a C file
//! that binds every function through a pointer of Tencent's exact type
//! compiles with warnings as errors and links against the library.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

fn crate_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// One prototype, spelled one way: single spaces, `*` bound to the type.
fn normalize(prototype: &str) -> String {
    let spaced = prototype.replace('*', " * ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    words
        .join(" ")
        .replace(" * ", "* ")
        .replace(" *", "*")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" ,", ",")
        .replace(" ;", ";")
}

/// The table file's entries: name → normalized declaration.
fn table(path: &str) -> BTreeMap<String, String> {
    crate_file(path)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let decl = line.split_once('\t').map_or(line, |(_, d)| d);
            (name_of(decl), normalize(decl))
        })
        .collect()
}

/// The declared name: the function's, or the callback type's.
fn name_of(decl: &str) -> String {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    if let Some(at) = decl.find("(*") {
        return ident(&decl[at + 2..]);
    }
    let head = &decl[..decl.find('(').unwrap()];
    head.rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap()
        .to_owned()
}

/// The header's top-level declarations (comments dropped), one a line.
fn header_declarations() -> Vec<String> {
    crate_file("include/TIMCloud.h")
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with('#') && l.ends_with(';'))
        .filter(|l| l.contains('('))
        .map(normalize)
        .collect()
}

#[test]
fn test_every_tencent_function_is_declared_with_its_prototype() {
    let expected = table("abi/functions.txt");
    assert!(
        expected.len() >= 240,
        "{} functions in the table",
        expected.len()
    );
    let declared: BTreeMap<String, String> = header_declarations()
        .into_iter()
        .filter(|d| !d.starts_with("typedef"))
        .map(|d| (name_of(&d), d))
        .collect();
    let mut wrong = Vec::new();
    for (name, prototype) in &expected {
        match declared.get(name) {
            Some(ours) if ours == prototype => {}
            Some(ours) => wrong.push(format!(
                "{name}:\n  Tencent: {prototype}\n  ours:    {ours}"
            )),
            None => wrong.push(format!("{name}: missing")),
        }
    }
    let extra: Vec<&String> = declared
        .keys()
        .filter(|n| !expected.contains_key(*n))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        extra.is_empty(),
        "functions Tencent does not declare: {extra:?}"
    );
}

#[test]
fn test_every_tencent_callback_type_is_declared_with_its_prototype() {
    let expected = table("abi/callbacks.txt");
    let declared: BTreeMap<String, String> = header_declarations()
        .into_iter()
        .filter(|d| d.starts_with("typedef"))
        .map(|d| (name_of(&d), d))
        .collect();
    for (name, prototype) in &expected {
        assert_eq!(declared.get(name), Some(prototype), "{name}");
    }
}

/// The header's enum constants: name → value.
fn header_enums() -> BTreeMap<String, (String, i64)> {
    let header = crate_file("include/TIMCloud.h");
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in header.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("typedef enum ") {
            current = Some(rest.trim_end_matches(" {").to_owned());
        } else if line.starts_with('}') {
            current = None;
        } else if let (Some(enum_name), Some((name, value))) = (&current, line.split_once(" = ")) {
            let value = value.trim_end_matches(',');
            let number = match value.strip_prefix("(1 << ") {
                Some(shift) => 1i64 << shift.trim_end_matches(')').parse::<u32>().unwrap(),
                None => value.parse::<i64>().unwrap(),
            };
            out.insert(name.to_owned(), (enum_name.clone(), number));
        }
    }
    out
}

/// Spec section 2 (and the codes of section 5), transcribed independently
/// of the Rust enums the header is generated from.
const SPEC_VALUES: &[(&str, i64)] = &[
    ("TIM_SUCC", 0),
    ("TIM_ERR_SDKUNINIT", -1),
    ("TIM_ERR_NOTLOGIN", -2),
    ("TIM_ERR_JSON", -3),
    ("TIM_ERR_PARAM", -4),
    ("TIM_ERR_CONV", -5),
    ("TIM_ERR_GROUP", -6),
    ("kTIMConv_Invalid", 0),
    ("kTIMConv_C2C", 1),
    ("kTIMConv_Group", 2),
    ("kTIMConv_System", 3),
    ("kTIMConvEvent_Add", 0),
    ("kTIMConvEvent_Del", 1),
    ("kTIMConvEvent_Update", 2),
    ("kTIMConvEvent_Start", 3),
    ("kTIMConvEvent_Finish", 4),
    ("kTIMConversationMarkTypeStar", 1),
    ("kTIMConversationMarkTypeUnread", 2),
    ("kTIMConversationMarkTypeFold", 4),
    ("kTIMConversationMarkTypeHide", 8),
    ("kTIMGroup_At_Me", 1),
    ("kTIMGroup_At_All", 2),
    ("kTIMGroup_At_All_At_ME", 3),
    ("kTIMRecvMsgOpt_Receive", 0),
    ("kTIMRecvMsgOpt_Not_Receive", 1),
    ("kTIMRecvMsgOpt_Not_Notify", 2),
    ("kTIMRecvMsgOpt_Not_Notify_Except_At", 3),
    ("kTIMRecvMsgOpt_Not_Receive_Except_At", 4),
    ("kTIMElem_Text", 0),
    ("kTIMElem_Image", 1),
    ("kTIMElem_Sound", 2),
    ("kTIMElem_Custom", 3),
    ("kTIMElem_File", 4),
    ("kTIMElem_GroupTips", 5),
    ("kTIMElem_Face", 6),
    ("kTIMElem_Location", 7),
    ("kTIMElem_GroupReport", 8),
    ("kTIMElem_Video", 9),
    ("kTIMElem_FriendChange", 10),
    ("kTIMElem_ProfileChange", 11),
    ("kTIMElem_Merge", 12),
    ("kTIMElem_Invalid", -1),
    ("kTIMMsg_Sending", 1),
    ("kTIMMsg_SendSucc", 2),
    ("kTIMMsg_SendFail", 3),
    ("kTIMMsg_Deleted", 4),
    ("kTIMMsg_LocalImported", 5),
    ("kTIMMsg_Revoked", 6),
    ("kTIMMsg_Cancel", 7),
    ("kTIMMsgPriority_High", 0),
    ("kTIMMsgPriority_Normal", 1),
    ("kTIMMsgPriority_Low", 2),
    ("kTIMMsgPriority_Lowest", 3),
    ("kTIMPlatform_Other", 0),
    ("kTIMPlatform_Windows", 1),
    ("kTIMPlatform_Android", 2),
    ("kTIMPlatform_IOS", 3),
    ("kTIMPlatform_Mac", 4),
    ("kTIMPlatform_Simulator", 5),
    ("kTIMImageLevel_Orig", 0),
    ("kTIMImageLevel_Compression", 1),
    ("kTIMImageLevel_HD", 2),
    ("kTIMDownload_VideoThumb", 0),
    ("kTIMDownload_File", 1),
    ("kTIMDownload_Video", 2),
    ("kTIMDownload_Sound", 3),
    ("TIMKeywordListMatchType_Or", 0),
    ("TIMKeywordListMatchType_And", 1),
    ("TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_READ", 0),
    ("TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_UNREAD", 1),
    ("kTIMGroupReport_None", 0),
    ("kTIMGroupReport_AddRequest", 1),
    ("kTIMGroupReport_Quit", 8),
    ("kTIMGroupReport_ReadReport", 15),
    ("kTIMGroupReport_InviteReqToAdmin", 24),
    ("kTIMGroupTip_None", 0),
    ("kTIMGroupTip_Invite", 1),
    ("kTIMGroupTip_TopicInfoChange", 9),
    ("KTIMGroupTip_PinnedMessageAdded", 10),
    ("KTIMGroupTip_PinnedMessageDeleted", 11),
    ("kTIMGroup_Public", 0),
    ("kTIMGroup_Private", 1),
    ("kTIMGroup_ChatRoom", 2),
    ("kTIMGroup_BChatRoom", 3),
    ("kTIMGroup_AVChatRoom", 4),
    ("kTIMGroup_Community", 5),
    ("kTIMMemberRole_None", 0),
    ("kTIMMemberRole_Normal", 200),
    ("kTIMMemberRole_Admin", 300),
    ("kTIMMemberRole_Owner", 400),
    ("kTIMConnected", 0),
    ("kTIMDisconnected", 1),
    ("kTIMConnecting", 2),
    ("kTIMConnectFailed", 3),
    ("kTIMLoginStatus_Logined", 1),
    ("kTIMLoginStatus_Logining", 2),
    ("kTIMLoginStatus_UnLogined", 3),
    ("kTIMLoginStatus_Logouting", 4),
    ("kTIMLog_Off", 0),
    ("kTIMLog_Test", 1),
    ("kTIMLog_Verbose", 2),
    ("kTIMLog_Debug", 3),
    ("kTIMLog_Info", 4),
    ("kTIMLog_Warn", 5),
    ("kTIMLog_Error", 6),
    ("kTIMLog_Assert", 7),
    ("ERR_SUCC", 0),
    ("ERR_INVALID_CONVERSATION", 6004),
    ("ERR_SDK_NOT_INITIALIZED", 6013),
    ("ERR_SDK_NOT_LOGGED_IN", 6014),
    ("ERR_IN_PROGESS", 6015),
    ("ERR_INVALID_MSG_ELEM", 6016),
    ("ERR_INVALID_PARAMETERS", 6017),
    ("ERR_INVALID_JSON", 6027),
    ("ERR_USER_SIG_EXPIRED", 6206),
    ("ERR_SDK_INTERFACE_NOT_SUPPORT", 7013),
    ("ERR_SDK_MSG_BODY_SIZE_LIMIT", 8001),
    ("ERR_SDK_MSG_MODIFY_CONFLICT", 8006),
    ("ERR_SDK_INVALID_CANCEL_MESSAGE", 8020),
    ("ERR_SDK_SEND_MESSAGE_FAILED_WITH_CANCEL", 8021),
    ("ERR_SVR_MSG_REVOKE_TIME_LIMIT", 20016),
    ("ERR_SVR_CONV_CONV_MARK_REQ_COUNT_EXCEED_LIMIT", 51006),
    ("ERR_SVR_CONV_CONV_MARK_OPERATE_FAILED", 51007),
    ("ERR_SVR_CONV_CONV_MARK_TOTAL_COUNT_EXCEED_LIMIT", 51008),
    ("ERR_SVR_CONV_CONV_GROUP_NOT_EXIST", 51009),
    ("ERR_SVR_CONV_CONV_GROUP_TOTAL_COUNT_EXCEED_LIMIT", 51010),
    ("ERR_SVR_CONV_CONV_GROUP_NAME_EXCEED_LENGTH", 51011),
    ("ERR_SVR_COMM_INVALID_SERVICE", 60020),
    ("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", 70001),
];

#[test]
fn test_enum_constants_have_the_spec_values() {
    let header = header_enums();
    for (name, value) in SPEC_VALUES {
        assert_eq!(header.get(*name).map(|v| v.1), Some(*value), "{name}");
    }
}

#[test]
fn test_the_model_enums_agree_with_the_header() {
    use im_sdk::im_model::enums as m;
    let header = header_enums();
    let mut checked = 0;
    let mut check = |pairs: Vec<(&'static str, i64)>| {
        for (name, value) in pairs {
            assert_eq!(header.get(name).map(|v| v.1), Some(value), "{name}");
            checked += 1;
        }
    };
    macro_rules! pairs {
        ($t:ty) => {
            <$t>::ALL
                .iter()
                .map(|v| (v.tencent_name(), v.value() as i64))
                .collect()
        };
    }
    check(pairs!(m::ConvType));
    check(pairs!(m::ReceiveMessageOpt));
    check(pairs!(m::ElemType));
    check(pairs!(m::MsgStatus));
    check(pairs!(m::MsgPriority));
    check(pairs!(m::Platform));
    check(pairs!(m::ImageLevel));
    check(pairs!(m::DownloadType));
    check(pairs!(m::GroupType));
    check(pairs!(m::GroupMemberRole));
    check(pairs!(m::LoginStatus));
    check(pairs!(m::LogLevel));
    check(pairs!(m::NetworkStatus));
    assert!(checked > 60, "{checked}");
}

#[test]
fn test_the_model_error_codes_agree_with_the_header() {
    use im_sdk::im_model::ErrorCode;
    let header = header_enums();
    for (name, (enum_name, value)) in &header {
        if enum_name == "TIMErrCode" || enum_name == "TIMResult" {
            let code = ErrorCode::from_code(*value as i32);
            assert_eq!(code.code(), *value as i32, "{name}");
        }
    }
}

/// A C file against Tencent's header layout: it includes the per-manager
/// headers by Tencent's names and binds every function of the table to a
/// pointer of exactly Tencent's type (an incompatible prototype is an
/// error under -Werror), then links against libImSDK.
#[test]
fn test_a_c_file_binding_every_function_compiles_and_links() {
    let functions = table("abi/functions.txt");
    let mut c = String::from(
        "#include \"TIMCloud.h\"\n#include \"TIMManager.h\"\n#include \"TIMConversationManager.h\"\n\
         #include \"TIMMessageManager.h\"\n#include \"TIMGroupManager.h\"\n#include \"TIMFriendshipManager.h\"\n\
         #include \"TIMCommunityManager.h\"\n#include \"TIMSignalingManager.h\"\n\
         #include \"TIMOfflinePushManager.h\"\n#include \"TIMExperimentalAPI.h\"\n#include <stdio.h>\n#include <string.h>\n\n",
    );
    let mut names = Vec::new();
    for (name, prototype) in &functions {
        // `ret name(params);` → `ret (*p_name)(params) = name;`
        let at = prototype.find(&format!("{name}(")).unwrap();
        let (ret, params) = (&prototype[..at], &prototype[at + name.len()..]);
        c.push_str(&format!(
            "static {ret}(*p_{name}){} = {name};\n",
            params.trim_end_matches(';')
        ));
        names.push(name.clone());
    }
    c.push_str("\nint main(void) {\n    int bound = 0;\n");
    for name in &names {
        c.push_str(&format!("    bound += p_{name} != 0;\n"));
    }
    // Every callback setter taking NULL, before TIMInit (Tencent's C#
    // wrapper clears its callbacks this way): harmless.
    for (name, prototype) in &functions {
        if prototype.starts_with("void ") {
            let params = prototype.matches(',').count() + 1;
            let nulls = vec!["NULL"; params].join(", ");
            c.push_str(&format!("    {name}({nulls});\n"));
        }
    }
    // Keys named by Tencent's constants, and a legacy spelling.
    c.push_str(
        "    if (strcmp(kTIMMsgElemArray, \"message_elem_array\") != 0) return 1;\n\
         if (strcmp(kImSDK_MesssageAtALL, \"__kImSDK_MessageAtALL__\") != 0) return 1;\n",
    );
    c.push_str("    printf(\"%d bound\\n\", bound);\n    return 0;\n}\n");
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("layout.c");
    std::fs::write(&source, c).unwrap();
    let program = support::compile_file(&source, work.path(), &["-Wno-address"]);
    let output = support::run_ok(std::process::Command::new(program));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("{} bound", names.len())
    );
    // The same program against the static library.
    let archive = support::library_dir().join("libImSDK.a");
    let linked = work.path().join("layout-static");
    let status = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=gnu11", "-Wno-address", "-I"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("include"))
        .arg(&source)
        .arg(&archive)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&linked)
        .status()
        .unwrap();
    assert!(status.success(), "linking against libImSDK.a failed");
    let output = std::process::Command::new(&linked).output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("{} bound", names.len())
    );
}

/// The READMEs list every function of Tencent's headers with its status.
#[test]
fn test_the_readmes_list_every_function() {
    let functions = table("abi/functions.txt");
    let root = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
        .unwrap();
    let ours = crate_file("README.md");
    for name in functions.keys() {
        let listed = format!("`{name}`");
        assert!(root.contains(&listed), "README.md does not list {name}");
        assert!(
            ours.contains(&format!("| {listed} |")),
            "im-ffi/README.md does not list {name}"
        );
    }
}

/// The header's JSON key constants: name → key.
fn header_keys() -> BTreeMap<String, String> {
    crate_file("include/TIMCloud.h")
        .lines()
        .filter_map(|l| l.strip_prefix("static const char* const "))
        .filter_map(|rest| {
            let (name, value) = rest.split_once(" = \"")?;
            Some((name.to_owned(), value.strip_suffix("\";")?.to_owned()))
        })
        .collect()
}

#[test]
fn test_every_tencent_json_key_constant_is_in_the_header() {
    let header = header_keys();
    let table: Vec<(String, String)> = crate_file("abi/json_keys.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].to_owned(), f[2].to_owned())
        })
        .collect();
    assert!(table.len() > 800, "{}", table.len());
    for (name, key) in &table {
        assert_eq!(header.get(name), Some(key), "{name}");
    }
    assert_eq!(header["kTIMMsgLocatorSeq"], "message_locator_seq");
    assert_eq!(header["kTIMConvId"], "conv_id");
}

/// Reliability plan C5: every key the model reads or writes is one of
/// Tencent's, byte for byte, but for this SDK's documented extensions.
#[test]
fn test_every_model_json_key_is_a_tencent_key() {
    /// Tencent keys of header generations the tables (B and C) do not
    /// cover: 8.x additions (header A, spec 3.8 and 6.1), the older
    /// `remble` spellings (header C keeps them under the same constant
    /// names, spec 6.1), and the 5.x download flags (header D).
    const OTHER_GENERATIONS: &[&str] = &[
        "message_disable_cloud_message_pre_hook",
        "message_disable_cloud_message_post_hook",
        "message_pinner_user_id",
        "message_pinner_nick_name",
        "message_pinner_friend_remark",
        "message_pinner_name_card",
        "message_pinner_face_url",
        "message_excluded_from_muting",
        "message_sender_tiny_id",
        "message_receiver_tiny_id",
        "group_tips_elem_join_type",
        "offline_push_config_title",
        "offline_push_config_harmony_config",
        "msg_getmsglist_param_is_remble",
        "msg_delete_param_is_remble",
        "sound_elem_download_flag",
        "video_elem_video_download_flag",
        "video_elem_image_download_flag",
        "file_elem_download_flag",
        "msg_download_elem_param_flag",
    ];
    /// Keys this SDK adds (documented where they are declared): search
    /// match ranges, so an app can highlight without redoing normalization.
    const EXTENSIONS: &[&str] = &[
        "msg_search_result_item_match_range_array",
        "msg_search_match_elem_index",
        "msg_search_match_key",
        "msg_search_match_item_index",
        "msg_search_match_start",
        "msg_search_match_end",
        "msg_search_match_utf16_start",
        "msg_search_match_utf16_end",
    ];
    let mut tencent: std::collections::BTreeSet<String> = header_keys().into_values().collect();
    tencent.extend(OTHER_GENERATIONS.iter().map(|k| (*k).to_owned()));
    let objects = im_sdk::im_model::json_keys::WIRE_OBJECTS;
    assert!(objects.len() > 40, "{}", objects.len());
    let mut unknown = Vec::new();
    for (name, keys) in objects {
        for key in *keys {
            if !tencent.contains(*key) && !EXTENSIONS.contains(key) {
                unknown.push(format!("{name}: {key}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "not Tencent keys:\n{}",
        unknown.join("\n")
    );
}

/// C++ code includes the header too (Tencent's examples are C++): it
/// compiles with warnings as errors, enums usable without `enum`, keys as
/// constants, functions with C linkage.
#[test]
fn test_the_header_compiles_as_cpp() {
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("header.cpp");
    std::fs::write(
        &source,
        "#include \"TIMCloud.h\"\n#include <string>\n\
         int main() {\n\
             TIMConvType type = kTIMConv_C2C;\n\
             std::string key = kTIMConvId;\n\
             int (*send)(const char*, enum TIMConvType, const char*, char*, TIMCommCallback, const void*) = TIMMsgSendMessage;\n\
             return (type == kTIMConv_C2C && key == \"conv_id\" && send != nullptr) ? 0 : 1;\n\
         }\n",
    )
    .unwrap();
    let output = std::process::Command::new(std::env::var("CXX").unwrap_or_else(|_| "c++".into()))
        .args([
            "-std=c++17",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
            "-I",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("include"))
        .arg(&source)
        .output()
        .expect("a C++ compiler (c++) is needed: apt-get install g++");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
