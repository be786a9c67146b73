//! Fuzzing the JSON entry points (reliability plan C1), as a proptest
//! harness in the suite (cargo-fuzz needs a nightly toolchain, which CI
//! does not have). Each input goes to one entry point, logged in against
//! the reference server; whatever it is, the call returns a `TIMResult`,
//! never panics or aborts, and calls back exactly once if and only if it
//! returned `TIM_SUCC`. The committed corpus (`tests/corpus/*.json`) is
//! replayed against every entry point first.
//!
//! `PROPTEST_CASES` sets the number of generated inputs (default 512; the
//! plan's long run is 100,000).

mod support;

use std::ffi::{CString, c_int, c_void};
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};
use support::calls::{Session, count, key, wait};
use support::entries::{SYNCHRONOUS, entries};

/// Codes a call may return synchronously.
const ALLOWED: &[c_int] = &[0, -2, -3, -4, -5];

/// Calls entry `index` with `bytes` (cut at a NUL, as C would); returns
/// the key and the number of callbacks it must get, or a description of
/// what broke the contract.
fn call(index: usize, bytes: &[u8]) -> Result<(*const c_void, usize), String> {
    let (name, entry) = entries()[index];
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    let text = CString::new(&bytes[..end]).unwrap();
    let k = key();
    let code = entry(text.as_ptr(), k);
    if !ALLOWED.contains(&code) {
        return Err(format!("{name} returned {code}"));
    }
    let answers = usize::from(code == 0 && !SYNCHRONOUS.contains(&name));
    if answers == 1 {
        wait(k);
    }
    Ok((k, answers))
}

/// After the calls: each accepted one was answered once, no refused one at all.
fn check_answers(calls: &[(*const c_void, usize)]) -> Result<(), String> {
    std::thread::sleep(std::time::Duration::from_millis(200));
    for (k, expected) in calls {
        let n = count(*k);
        if n != *expected {
            return Err(format!("call {k:?} called back {n} times, not {expected}"));
        }
    }
    Ok(())
}

/// Keys the entry points read, so that generated objects reach past parsing.
const KEYS: &[&str] = &[
    "conversation_list_filter_conv_type",
    "conversation_list_filter_mark_type",
    "conversation_list_filter_conversation_group",
    "conversation_list_filter_has_unread_count",
    "get_conversation_list_param_conv_id",
    "get_conversation_list_param_conv_type",
    "message_elem_array",
    "elem_type",
    "text_elem_content",
    "message_msg_id",
    "message_seq",
    "message_conv_id",
    "message_conv_type",
    "message_cloud_custom_str",
    "msg_getmsglist_param_count",
    "msg_getmsglist_param_last_msg",
    "msg_getmsglist_param_last_msg_seq",
    "msg_search_param_keyword_array",
    "msg_search_param_page_size",
    "msg_batch_send_param_identifier_array",
    "msg_batch_send_param_msg",
    "msg_delete_param_msg",
    "message_locator_conv_id",
    "message_locator_seq",
    "draft_msg",
    "set_config_log_level",
    "request_internal_operation",
    "create_group_param_group_name",
    "group_invite_member_param_group_id",
    "group_invite_member_param_identifier_array",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("c2c_bob".to_owned()),
            Just("group_g".to_owned()),
            Just("bob".to_owned()),
            Just(String::new()),
            ".{0,40}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// Inputs: structured JSON mostly, raw bytes sometimes.
fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

#[test]
fn test_fuzzed_json_keeps_the_callback_contract() {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    let _session = Session::start(&server, "alice");
    let n = entries().len();

    // The committed corpus, against every entry point.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut corpus: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    corpus.sort();
    assert!(corpus.len() >= 15, "corpus in {}", dir.display());
    let mut calls = Vec::new();
    for path in &corpus {
        let bytes = std::fs::read(path).unwrap();
        for index in 0..n {
            calls.push(call(index, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        }
    }
    check_answers(&calls).unwrap();

    // Generated inputs.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    // Answers are counted once at the end (a late second callback would
    // show there), so that no case waits.
    let generated = std::cell::RefCell::new(Vec::new());
    runner
        .run(&(0..n, input()), |(index, bytes)| {
            let made = call(index, &bytes);
            prop_assert!(made.is_ok(), "{:?}", made);
            generated.borrow_mut().extend(made);
            Ok(())
        })
        .unwrap();
    check_answers(&generated.into_inner()).unwrap();
    server.runtime.block_on(bob.shutdown());
}
