//! Hostile input for every JSON-taking function (reliability plan C4):
//! each case returns its documented code, never panics, never calls back
//! after an error return, and changes nothing; the 12 KB message limit is
//! exact. Runs logged in against the reference server.

mod support;

use std::ffi::c_int;

use ImSDK::api::conversation as conv;
use support::calls::{Session, c, count, key, record, send_to_bob, wait};
use support::entries::{Entry, entries};

const TIM_SUCC: c_int = 0;
const TIM_ERR_JSON: c_int = -3;
const TIM_ERR_PARAM: c_int = -4;

/// The conversation list and conversation groups, as JSON: what must not
/// change.
fn state() -> (String, String) {
    let (list, groups) = (key(), key());
    // SAFETY: valid callback and keys.
    unsafe {
        assert_eq!(conv::TIMConvGetConvList(Some(record), list), 0);
        assert_eq!(
            conv::TIMConvGetConversationGroupList(Some(record), groups),
            0
        );
    }
    let strip = |json: String| {
        // Activity times tick; the rest must be equal.
        json.split(',')
            .filter(|f| !f.contains("conv_active_time"))
            .collect::<Vec<_>>()
            .join(",")
    };
    (strip(wait(list).2), wait(groups).2)
}

#[test]
fn test_hostile_json_gets_its_documented_code_and_changes_nothing() {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    server.runtime.block_on(async {
        let alice = im_sdk::im_model::ConvId::c2c("alice").unwrap();
        bob.messages()
            .send_message(&alice, &im_sdk::im_model::Message::text("hi"))
            .await
            .unwrap();
    });
    let _session = Session::start(&server, "alice");
    // Bob's message arrives with the first sync.
    let mut before = state();
    for _ in 0..100 {
        if before.0.contains("\"conv_id\":\"bob\"") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        before = state();
    }
    assert!(before.0.contains("\"conv_id\":\"bob\""), "{before:?}");

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let huge = format!("\"{}\"", "a".repeat(1 << 20));
    // (case, bytes before the terminating NUL (None: a NULL pointer), code)
    let cases: Vec<(&str, Option<Vec<u8>>, c_int)> = vec![
        ("NULL", None, TIM_ERR_PARAM),
        ("empty", Some(b"".to_vec()), TIM_ERR_JSON),
        (
            "not UTF-8",
            Some(vec![b'[', 0xff, 0xfe, b']']),
            TIM_ERR_PARAM,
        ),
        // C stops at the NUL: what is left is cut-off JSON.
        ("interior NUL", Some(b"[\"c2c_bob\"".to_vec()), TIM_ERR_JSON),
        ("1 MB string", Some(huge.into_bytes()), TIM_ERR_JSON),
        ("10,000-deep nesting", Some(deep.into_bytes()), TIM_ERR_JSON),
        (
            "u64 overflow",
            Some(b"18446744073709551616".to_vec()),
            TIM_ERR_JSON,
        ),
        ("wrong type", Some(b"true".to_vec()), TIM_ERR_JSON),
        ("truncated", Some(b"{\"a\":".to_vec()), TIM_ERR_JSON),
    ];
    let mut refused = Vec::new();
    let mut wrong = Vec::new();
    for (name, call) in entries() {
        for (case, bytes, expected) in &cases {
            let text = bytes
                .as_ref()
                .map(|b| std::ffi::CString::new(b.clone()).unwrap());
            let k = key();
            let got = call(text.as_ref().map_or(std::ptr::null(), |t| t.as_ptr()), k);
            if got != *expected {
                wrong.push(format!("{name} / {case}: {got}, expected {expected}"));
            }
            refused.push(k);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Object-level hostility, where the shape is right but a value is not.
    let object_cases: &[(&str, Entry, &str, c_int)] = &[
        (
            "negative where unsigned",
            entries()[1],
            r#"{"conversation_list_filter_conv_type":-1}"#,
            TIM_ERR_JSON,
        ),
        (
            "u64 overflow in a field",
            entries()[1],
            r#"{"conversation_list_filter_mark_type":18446744073709551616}"#,
            TIM_ERR_JSON,
        ),
        (
            "duplicate key",
            entries()[1],
            r#"{"conversation_list_filter_conv_type":1,"conversation_list_filter_conv_type":2}"#,
            TIM_ERR_JSON,
        ),
        (
            "wrong type in a field",
            entries()[20],
            r#"{"msg_getmsglist_param_count":"ten"}"#,
            TIM_ERR_JSON,
        ),
        (
            "an element that is no string",
            entries()[5],
            r#"["c2c_bob", 7]"#,
            TIM_ERR_JSON,
        ),
        (
            "a conversation id without prefix",
            entries()[5],
            r#"["bob"]"#,
            TIM_ERR_PARAM,
        ),
        (
            "a bad filter conversation type",
            entries()[1],
            r#"{"conversation_list_filter_conv_type":3}"#,
            TIM_ERR_PARAM,
        ),
    ];
    for (case, (name, call), json, expected) in object_cases {
        let text = c(json);
        let k = key();
        assert_eq!(call(text.as_ptr(), k), *expected, "{name} / {case}");
        refused.push(k);
    }
    // Nothing refused called back, and nothing changed.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let called: Vec<_> = refused.iter().filter(|k| count(**k) > 0).collect();
    assert!(
        called.is_empty(),
        "{} refused calls called back",
        called.len()
    );
    assert_eq!(state(), before);

    // Unknown keys are kept, not refused.
    let k = key();
    let text = c(r#"{"conversation_list_filter_conv_type":1,"a_key_from_the_future":[1,2]}"#);
    assert_eq!(entries()[1].1(text.as_ptr(), k), TIM_SUCC);
    assert_eq!(wait(k).0, 0);
}

/// A text element whose message body is `size` bytes (elements as JSON:
/// what the 12 KB limit counts).
fn message_of_body(size: usize) -> String {
    let empty = im_sdk::im_model::Message::text("");
    let overhead = serde_json::to_vec(empty.elems()).unwrap().len();
    let body = im_sdk::im_model::Message::text("a".repeat(size - overhead));
    assert_eq!(serde_json::to_vec(body.elems()).unwrap().len(), size);
    serde_json::to_string(&body).unwrap()
}

#[test]
fn test_the_12_kb_message_limit_is_exact() {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    let _session = Session::start(&server, "alice");
    let send = send_to_bob;
    let (id, (code, _, json)) = send(&message_of_body(12_288));
    assert_eq!(code, 0, "12,288 bytes are allowed: {json}");
    assert!(!id.is_empty() && json.contains(&id));
    let (id, (code, desc, _)) = send(&message_of_body(12_289));
    assert_eq!(code, 8001, "12,289 bytes are one too many: {desc}");
    assert!(id.is_empty(), "a refused message has no id: {id}");
    server.runtime.block_on(bob.shutdown());
}
