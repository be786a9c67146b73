//! Conversation-group callbacks as C code gets them when another device of
//! the user changes the groups (the roamed path): a group created with a
//! conversation is one created callback whose JSON carries it, with no
//! added-to-group callback after it; a removal calls the 8.x
//! deleted-from-group callback with its four arguments (reason 0).

mod support;

use std::ffi::{CStr, c_char, c_void};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ImSDK::api::conversation::{
    TIMSetConvConversationGroupCreatedCallback, TIMSetConvConversationsAddedToGroupCallback,
    TIMSetConvConversationsDeletedFromGroupCallback,
};
use im_sdk::im_model::{ConvId, Message};
use serde_json::Value;
use support::calls::Session;

/// What a group callback said: (callback, group name, conversations, reason).
type Seen = (&'static str, String, Value, Option<u32>);

static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());
const TAG: usize = 0x5eed;

fn text(p: *const c_char) -> String {
    assert!(!p.is_null(), "a callback string was NULL");
    // SAFETY: the library passes NUL-terminated strings valid for the call.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

fn note(kind: &'static str, name: *const c_char, json: *const c_char, reason: Option<u32>) {
    let convs = serde_json::from_str(&text(json)).unwrap();
    SEEN.lock().unwrap().push((kind, text(name), convs, reason));
}

extern "C" fn on_created(name: *const c_char, json: *const c_char, ud: *const c_void) {
    assert_eq!(ud as usize, TAG);
    note("created", name, json, None);
}

extern "C" fn on_added(name: *const c_char, json: *const c_char, ud: *const c_void) {
    assert_eq!(ud as usize, TAG);
    note("added", name, json, None);
}

extern "C" fn on_removed(name: *const c_char, json: *const c_char, reason: u32, ud: *const c_void) {
    assert_eq!(ud as usize, TAG);
    note("removed", name, json, Some(reason));
}

/// Waits until `n` group callbacks ran, then 300 ms more for any extra.
fn seen_after(n: usize) -> Vec<Seen> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while SEEN.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    std::mem::take(&mut *SEEN.lock().unwrap())
}

fn conv_ids(convs: &Value) -> Vec<&str> {
    convs
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conv_id"].as_str().unwrap())
        .collect()
}

#[test]
fn test_group_changes_of_another_device_reach_c_once_with_their_conversations() {
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    let alice = ConvId::c2c("alice").unwrap();
    let bob_conv = ConvId::c2c("bob").unwrap();
    server.runtime.block_on(async {
        bob.messages()
            .send_message(&alice, &Message::text("hi"))
            .await
            .unwrap();
    });
    let _session = Session::start(&server, "alice");
    // SAFETY: valid callbacks; the tag is never dereferenced.
    unsafe {
        let tag = TAG as *const c_void;
        TIMSetConvConversationGroupCreatedCallback(Some(on_created), tag);
        TIMSetConvConversationsAddedToGroupCallback(Some(on_added), tag);
        TIMSetConvConversationsDeletedFromGroupCallback(Some(on_removed), tag);
    }
    // Alice's other device (another platform, so neither is kicked).
    let other = {
        let _entered = server.runtime.enter();
        let mut config = im_transport::http::HttpConfig::new(server.url.clone());
        config.platform = 2;
        let http = im_transport::http::HttpTransport::new(config).unwrap();
        let dir = server.dir.path().join("alice-other");
        let client = im_sdk::Client::builder()
            .sdk_app_id(support::APP)
            .data_dir(dir)
            .transport(Arc::new(http))
            .build()
            .unwrap();
        server
            .runtime
            .block_on(client.login("alice", &server.user_sig("alice")))
            .unwrap();
        client
    };
    server.runtime.block_on(async {
        let convs = other.conversations();
        for _ in 0..500 {
            if convs.conversation(&bob_conv).await.unwrap().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        convs
            .create_conversation_group("Work", std::slice::from_ref(&bob_conv))
            .await
            .unwrap();
    });
    let created = seen_after(1);
    assert_eq!(created.len(), 1, "one callback: {created:?}");
    let (kind, name, convs, _) = &created[0];
    assert_eq!((*kind, name.as_str()), ("created", "Work"));
    assert_eq!(conv_ids(convs), vec!["bob"]);
    assert_eq!(
        convs[0]["conv_conversation_group_array"],
        serde_json::json!(["Work"])
    );

    server.runtime.block_on(async {
        other
            .conversations()
            .remove_conversations_from_group("Work", std::slice::from_ref(&bob_conv))
            .await
            .unwrap();
    });
    let removed = seen_after(1);
    assert_eq!(removed.len(), 1, "{removed:?}");
    let (kind, name, convs, reason) = &removed[0];
    assert_eq!(
        (*kind, name.as_str(), *reason),
        ("removed", "Work", Some(0))
    );
    assert_eq!(conv_ids(convs), vec!["bob"]);
    server.runtime.block_on(other.shutdown());
    server.runtime.block_on(bob.shutdown());
}
