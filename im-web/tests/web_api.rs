//! Tencent's Web API over the engine, natively, against the real server on
//! 127.0.0.1 over HTTP: seed 004's examples as written (with `tim` a
//! `WebApi`), their codes and events, and the message calls. The browser
//! runs the same `WebApi` in its worker (tests/browser.rs checks the
//! wiring there).

#![cfg(not(target_family = "wasm"))]

mod support;

use std::sync::Arc;
use std::time::Duration;

use im_sdk::{Client, CreateGroupRequest};
use im_server::{Server, ServerConfig};
use im_transport::http::{HttpConfig, HttpTransport};
use im_web::WebApi;
use serde_json::{Value, json};
use support::{APP, KEY, sig};
use tokio::sync::mpsc;

/// A Web SDK instance logged in as `user`, and the events it emitted.
struct Tim {
    api: Arc<WebApi>,
    events: mpsc::UnboundedReceiver<(String, Value)>,
    /// The latest data of each event taken off `events` so far.
    latest: std::collections::HashMap<String, Value>,
}

impl Tim {
    async fn login(url: &str, user: &str) -> Tim {
        let transport = HttpTransport::new(HttpConfig::new(url)).unwrap();
        let client = Client::builder()
            .sdk_app_id(APP)
            .memory_store()
            .transport(Arc::new(transport))
            .build()
            .unwrap();
        let api = Arc::new(WebApi::new(client));
        let (tx, events) = mpsc::unbounded_channel();
        tokio::spawn(im_web::events::pump(api.clone(), move |name, json| {
            let data: Value = serde_json::from_str(json).expect("an event's data is JSON");
            let _ = tx.send((name.to_owned(), data));
        }));
        let mut tim = Tim {
            api,
            events,
            latest: std::collections::HashMap::new(),
        };
        let answer = tim
            .call("login", json!({"userID": user, "userSig": sig(user)}))
            .await
            .unwrap();
        assert_eq!(answer, json!({"repeatLogin": false}));
        tim.next_event("sdkStateReady").await;
        assert!(tim.api.is_ready());
        tim
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, im_web::WebError> {
        self.api.call(method, params).await
    }

    /// The data of the next event named `name` (earlier ones are passed,
    /// their data kept as the latest of their names).
    async fn next_event(&mut self, name: &str) -> Value {
        let wait = async {
            loop {
                let (event, data) = self.events.recv().await.expect("event stream ended");
                self.latest.insert(event.clone(), data.clone());
                if event == name {
                    return data;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("no {name} event"))
    }

    /// Every event already emitted, by name.
    fn drain(&mut self) -> Vec<(String, Value)> {
        let mut seen = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            seen.push(event);
        }
        seen
    }
}

async fn server() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.path(), APP, KEY);
    (Server::start(config).await.unwrap(), dir)
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversationID"].as_str().unwrap().to_owned())
        .collect()
}

/// The texts of a `getMessageList` page, in its order.
fn texts(page: &Value) -> Vec<String> {
    page["messageList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["payload"]["text"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn test_seed_004_conversation_groups_run_as_written() {
    let (server, _dir) = server().await;
    let url = server.url();
    let mut tim = Tim::login(&url, "alice").await;
    // Two conversations on the device: C2Cexample and GROUPtest.
    let client = tim.api.client().clone();
    client
        .groups()
        .create_group(&CreateGroupRequest {
            group_id: "test".into(),
            name: "Test".into(),
            members: vec!["example".into()],
            details: Default::default(),
        })
        .await
        .unwrap();
    for web in ["C2Cexample", "GROUPtest"] {
        let message =
            json!({"conversationID": web, "type": "TIMTextElem", "payload": {"text": "hi"}});
        let sent = tim.call("sendMessage", message).await.unwrap();
        assert_eq!(sent["message"]["status"], "success");
        assert_eq!(sent["message"]["conversationID"], web);
    }
    tim.drain();

    // createConversationGroup: one unknown conversation fails with 2500,
    // a malformed id with 2503, the others succeed.
    let created = tim
        .call(
            "createConversationGroup",
            json!({"conversationIDList": ["GROUPtest", "C2Cexample", "C2Cnobody", "c2c_bad"], "groupName": "Suppliers"}),
        )
        .await
        .unwrap();
    assert_eq!(
        sorted(serde_json::from_value(created["successConversationIDList"].clone()).unwrap()),
        ["C2Cexample", "GROUPtest"]
    );
    let failures = created["failureConversationIDList"].as_array().unwrap();
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0]["conversationID"], "C2Cnobody");
    assert_eq!(failures[0]["code"], 2500);
    assert_eq!(failures[1]["conversationID"], "c2c_bad");
    assert_eq!(failures[1]["code"], 2503);
    assert!(
        failures[0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    // The events the seed names: the group list (full) and the conversation list.
    assert_eq!(
        tim.next_event("onConversationGroupListUpdated").await,
        json!(["Suppliers"])
    );
    let list = tim.next_event("onConversationListUpdated").await;
    assert_eq!(sorted(ids(&list)), ["C2Cexample", "GROUPtest"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|c| c["conversationGroupList"] == json!(["Suppliers"]))
    );

    // `tim.getConversationList(successConversationIDList)`.
    let listed = tim
        .call(
            "getConversationList",
            created["successConversationIDList"].clone(),
        )
        .await
        .unwrap();
    assert_eq!(
        sorted(ids(&listed["conversationList"])),
        ["C2Cexample", "GROUPtest"]
    );
    assert_eq!(
        tim.call("getConversationGroupList", Value::Null)
            .await
            .unwrap(),
        json!(["Suppliers"])
    );
    let in_group = tim
        .call("getConversationList", json!({"groupName": "Suppliers"}))
        .await
        .unwrap();
    assert_eq!(ids(&in_group["conversationList"]).len(), 2);

    // renameConversationGroup.
    tim.call(
        "renameConversationGroup",
        json!({"oldName": "Suppliers", "newName": "Suppliers_new"}),
    )
    .await
    .unwrap();
    assert_eq!(
        tim.next_event("onConversationGroupListUpdated").await,
        json!(["Suppliers_new"])
    );
    let list = tim.next_event("onConversationListUpdated").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|c| c["conversationGroupList"] == json!(["Suppliers_new"]))
    );

    // deleteConversationsFromGroup, then addConversationsToGroup.
    let removed = tim
        .call(
            "deleteConversationsFromGroup",
            json!({"conversationIDList": ["GROUPtest", "C2Cexample"], "groupName": "Suppliers_new"}),
        )
        .await
        .unwrap();
    assert_eq!(
        removed["successConversationIDList"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(removed["failureConversationIDList"], json!([]));
    let update = tim.next_event("onConversationInGroupUpdated").await;
    assert_eq!(update["groupName"], "Suppliers_new");
    assert_eq!(update["conversationList"], json!([]));
    let added = tim
        .call(
            "addConversationsToGroup",
            json!({"conversationIDList": ["GROUPtest"], "groupName": "Suppliers_new"}),
        )
        .await
        .unwrap();
    assert_eq!(added["successConversationIDList"], json!(["GROUPtest"]));
    let update = tim.next_event("onConversationInGroupUpdated").await;
    assert_eq!(ids(&update["conversationList"]), ["GROUPtest"]);
    // Thousands of ids: the whole list, filtered through a set.
    let many = tim
        .call("getConversationList", json!(vec!["C2Cexample"; 5000]))
        .await
        .unwrap();
    assert_eq!(ids(&many["conversationList"]), ["C2Cexample"]);
    let ungrouped = tim
        .call("getConversationList", json!({"groupName": ""}))
        .await
        .unwrap();
    assert_eq!(ids(&ungrouped["conversationList"]), ["C2Cexample"]);

    // deleteConversationGroup: 51009 for a group that does not exist.
    let missing = tim
        .call("deleteConversationGroup", json!("Suppliers"))
        .await
        .unwrap_err();
    assert_eq!(missing.code, 51009);
    tim.call("deleteConversationGroup", json!("Suppliers_new"))
        .await
        .unwrap();
    assert_eq!(
        tim.next_event("onConversationGroupListUpdated").await,
        json!([])
    );

    // 51011: a name over 32 bytes; 51010: a 21st group.
    let long = tim
        .call(
            "createConversationGroup",
            json!({"conversationIDList": ["C2Cexample"], "groupName": "x".repeat(33)}),
        )
        .await
        .unwrap_err();
    assert_eq!(long.code, 51011);
    for i in 0..20 {
        tim.call(
            "createConversationGroup",
            json!({"conversationIDList": ["C2Cexample"], "groupName": format!("g{i}")}),
        )
        .await
        .unwrap();
    }
    let over = tim
        .call(
            "createConversationGroup",
            json!({"conversationIDList": ["C2Cexample"], "groupName": "g20"}),
        )
        .await
        .unwrap_err();
    assert_eq!(over.code, 51010);

    // Hostile arguments get codes, never a panic.
    for (method, params, code) in [
        ("deleteConversationGroup", json!(42), 6017),
        ("createConversationGroup", json!(null), 3153),
        (
            "createConversationGroup",
            json!({"groupName": "a", "conversationIDList": "C2Cx"}),
            6017,
        ),
        (
            "renameConversationGroup",
            json!({"oldName": 1, "newName": "b"}),
            6017,
        ),
        ("getConversationList", json!("C2Cexample"), 6017),
        ("getConversationProfile", json!("not-an-id"), 2503),
        ("sendMessage", json!("hello"), 2105),
        ("noSuchMethod", json!({}), 2905),
        (
            "deleteConversation",
            json!({"conversationIDList": vec!["C2Cx"; 101]}),
            51006,
        ),
    ] {
        let e = tim.call(method, params.clone()).await.unwrap_err();
        assert_eq!(e.code, code, "{method}({params})");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn test_messages_between_two_web_users() {
    let (server, _dir) = server().await;
    let url = server.url();
    let mut alice = Tim::login(&url, "alice").await;
    let mut bob = Tim::login(&url, "bob").await;

    // 20 texts from bob; alice receives them as MESSAGE_RECEIVED.
    for i in 0..20 {
        let message = json!({"conversationID": "C2Calice", "type": "TIMTextElem", "payload": {"text": format!("m{i}")}});
        bob.call("sendMessage", message).await.unwrap();
    }
    let mut received = Vec::new();
    while received.len() < 20 {
        let batch = alice.next_event("onMessageReceived").await;
        for m in batch.as_array().unwrap() {
            assert_eq!(m["flow"], "in");
            assert_eq!(m["from"], "bob");
            assert_eq!(m["to"], "alice");
            assert_eq!(m["conversationID"], "C2Cbob");
            received.push(m["payload"]["text"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        received,
        (0..20).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    // The total may have come before the last message's event was taken.
    let unread = "onTotalUnreadMessageCountUpdated";
    let total = loop {
        if alice.latest.get(unread) == Some(&json!(20)) {
            break json!(20);
        }
        alice.next_event(unread).await;
    };
    assert_eq!(
        alice
            .call("getTotalUnreadMessageCount", Value::Null)
            .await
            .unwrap(),
        total
    );

    // getMessageList: 15 newest oldest-first, then the 5 before, complete.
    let first = alice
        .call("getMessageList", json!({"conversationID": "C2Cbob"}))
        .await
        .unwrap();
    assert_eq!(
        texts(&first),
        (5..20).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    assert_eq!(first["isCompleted"], false);
    let second = alice
        .call(
            "getMessageList",
            json!({"conversationID": "C2Cbob", "nextReqMessageID": first["nextReqMessageID"]}),
        )
        .await
        .unwrap();
    assert_eq!(
        texts(&second),
        (0..5).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    assert_eq!(second["isCompleted"], true);

    // setMessageRead: alice's unread goes to 0 and bob hears it.
    alice
        .call("setMessageRead", json!({"conversationID": "C2Cbob"}))
        .await
        .unwrap();
    assert_eq!(
        alice
            .call("getTotalUnreadMessageCount", Value::Null)
            .await
            .unwrap(),
        json!(0)
    );
    let read = bob.next_event("onMessageReadByPeer").await;
    assert!(!read.as_array().unwrap().is_empty());
    assert!(
        read.as_array()
            .unwrap()
            .iter()
            .all(|m| m["isPeerRead"] == true && m["flow"] == "out")
    );

    // revokeMessage from bob: alice gets MESSAGE_REVOKED.
    let last = bob
        .call("getMessageList", json!({"conversationID": "C2Calice"}))
        .await
        .unwrap()["messageList"][14]
        .clone();
    assert_eq!(last["payload"]["text"], "m19");
    let revoked = bob.call("revokeMessage", last.clone()).await.unwrap();
    assert_eq!(revoked["message"]["isRevoked"], true);
    let notice = alice.next_event("onMessageRevoked").await;
    assert_eq!(notice[0]["ID"], last["ID"]);
    assert_eq!(notice[0]["isRevoked"], true);

    // findMessage, searchLocalMessages (with match ranges), deleteMessage.
    let found = alice.call("findMessage", last["ID"].clone()).await.unwrap();
    assert_eq!(found["ID"], last["ID"]);
    let hits = alice
        .call(
            "searchLocalMessages",
            json!({"keywordList": ["m1"], "conversationID": "C2Cbob", "count": 50}),
        )
        .await
        .unwrap();
    assert_eq!(hits["totalCount"], 10, "m1 and m10..m18 ({hits})");
    let item = &hits["resultList"][0];
    assert_eq!(item["conversationID"], "C2Cbob");
    assert_eq!(item["matchRangeList"][0][0]["start"], 0);
    assert_eq!(item["matchRangeList"][0][0]["end"], 2);
    let oldest = second["messageList"][0].clone();
    let deleted = alice.call("deleteMessage", json!([oldest])).await.unwrap();
    assert_eq!(deleted["messageList"][0]["isDeleted"], true);
    assert_eq!(
        alice
            .call("findMessage", oldest["ID"].clone())
            .await
            .unwrap(),
        Value::Null
    );

    // Kicked out: a second login of alice elsewhere ends this one.
    let _alice_again = Tim::login(&url, "alice").await;
    let kicked = alice.next_event("kickedOut").await;
    assert_eq!(kicked["type"], "multipleAccount");
    alice.next_event("sdkStateNotReady").await;
    assert!(!alice.api.is_ready());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn test_import_messages_stores_history_without_unread_or_events() {
    let (server, _dir) = server().await;
    let tim = Tim::login(&server.url(), "alice").await;
    let message = |from: &str, time: u64, text: &str| json!({"type": "TIMTextElem", "payload": {"text": text}, "from": from, "time": time});
    let imported = tim
        .call(
            "importMessages",
            json!({"conversationID": "C2Cbob", "messageList": [
                message("bob", 1_700_000_000, "archived 归档 one"),
                message("alice", 1_700_000_060, "archived two"),
                message("bob", 1_700_000_120, "archived three"),
            ]}),
        )
        .await
        .unwrap();
    let ids = imported["messageIDList"].as_array().unwrap();
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| !id.as_str().unwrap().is_empty()));
    let page = tim
        .call("getMessageList", json!({"conversationID": "C2Cbob"}))
        .await
        .unwrap();
    let listed: Vec<&Value> = page["messageList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["ID"])
        .collect();
    assert_eq!(listed, ids.iter().collect::<Vec<_>>());
    assert_eq!(page["messageList"][1]["flow"], "out");
    assert_eq!(page["messageList"][0]["flow"], "in");
    let texts: Vec<&str> = page["messageList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["payload"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["archived 归档 one", "archived two", "archived three"]
    );
    assert_eq!(page["messageList"][0]["time"], 1_700_000_000);
    assert_eq!(
        tim.call("getTotalUnreadMessageCount", Value::Null)
            .await
            .unwrap(),
        json!(0)
    );
    let hits = tim
        .call("searchLocalMessages", json!({"keywordList": ["归"]}))
        .await
        .unwrap();
    assert_eq!(hits["totalCount"], 1);
    // Limits and shapes get codes.
    let too_many: Vec<Value> = (0..1001)
        .map(|i| message("bob", 1_700_000_000 + i, "x"))
        .collect();
    for (params, code) in [
        (
            json!({"conversationID": "C2Cbob", "messageList": too_many}),
            6017,
        ),
        (json!({"conversationID": "C2Cbob", "messageList": []}), 6017),
        (
            json!({"conversationID": "C2Cbob", "messageList": "x"}),
            6017,
        ),
        (
            json!({"conversationID": "C2Cbob", "messageList": [json!("x")]}),
            2105,
        ),
        (
            json!({"conversationID": "nope", "messageList": [message("bob", 1, "x")]}),
            2503,
        ),
    ] {
        assert_eq!(
            tim.call("importMessages", params).await.unwrap_err().code,
            code
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn test_conversation_list_pages_with_count_and_next_seq() {
    let (server, _dir) = server().await;
    let tim = Tim::login(&server.url(), "alice").await;
    for i in 0..7 {
        let web = format!("C2Cu{i}");
        let message = json!({"conversationID": web, "type": "TIMTextElem", "payload": {"text": format!("hi {i}")}});
        tim.call("sendMessage", message).await.unwrap();
    }
    tim.call(
        "markConversation",
        json!({"conversationIDList": ["C2Cu2", "C2Cu5"], "markType": 1, "enableMark": true}),
    )
    .await
    .unwrap();
    let whole = tim.call("getConversationList", Value::Null).await.unwrap();
    let whole = ids(&whole["conversationList"]);
    assert_eq!(whole.len(), 7);

    // Pages of 3 give the whole list once, in order, even when a
    // conversation moves to the top between pages.
    let mut paged = Vec::new();
    let mut next_seq = json!(0);
    let mut pages = 0;
    loop {
        let page = tim
            .call(
                "getConversationList",
                json!({"count": 3, "nextSeq": next_seq}),
            )
            .await
            .unwrap();
        pages += 1;
        paged.extend(ids(&page["conversationList"]));
        assert_eq!(page["isSyncCompleted"], true);
        if page["isFinished"] == true {
            assert_eq!(page["nextSeq"], 0);
            break;
        }
        assert_ne!(page["nextSeq"], 0);
        next_seq = page["nextSeq"].clone();
        if pages == 1 {
            tim.call(
                "pinConversation",
                json!({"conversationID": whole[6], "isPinned": true}),
            )
            .await
            .unwrap();
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(sorted(paged.clone()), sorted(whole.clone()));
    assert_eq!(paged[..6], whole[..6]);

    // A filter with count pages the filtered list; without count it is whole.
    let starred = tim
        .call("getConversationList", json!({"markType": 1, "count": 1}))
        .await
        .unwrap();
    assert_eq!(starred["conversationList"].as_array().unwrap().len(), 1);
    assert_eq!(starred["isFinished"], false);
    let rest = tim
        .call(
            "getConversationList",
            json!({"markType": 1, "count": 1, "nextSeq": starred["nextSeq"]}),
        )
        .await
        .unwrap();
    assert_eq!(rest["isFinished"], true);
    let mut both = ids(&starred["conversationList"]);
    both.extend(ids(&rest["conversationList"]));
    assert_eq!(sorted(both), ["C2Cu2", "C2Cu5"]);
    let all_starred = tim
        .call("getConversationList", json!({"markType": 1}))
        .await
        .unwrap();
    assert_eq!(
        sorted(ids(&all_starred["conversationList"])),
        ["C2Cu2", "C2Cu5"]
    );
    assert!(all_starred.get("nextSeq").is_none());
    let unmarked = tim
        .call("getConversationList", json!({"markType": 0, "type": "C2C"}))
        .await
        .unwrap();
    assert_eq!(unmarked["conversationList"].as_array().unwrap().len(), 5);

    // The page gets the same answers as JSON text, written straight from
    // the records (a page's nextSeq is a new walk's handle each time).
    for params in [
        Value::Null,
        json!(["C2Cu5", "C2Cu2", "C2Cnobody"]),
        json!({"markType": 1}),
        json!({"count": 4}),
    ] {
        let text = tim
            .api
            .call_text("getConversationList", params.clone())
            .await
            .unwrap();
        let mut as_text: Value = serde_json::from_str(&text).unwrap();
        let mut as_value = tim
            .call("getConversationList", params.clone())
            .await
            .unwrap();
        for answer in [&mut as_text, &mut as_value] {
            if let Some(next) = answer.get_mut("nextSeq") {
                *next = json!("a handle");
            }
        }
        assert_eq!(as_text, as_value, "{params}");
        assert!(!as_value["conversationList"].as_array().unwrap().is_empty());
    }
    assert_eq!(
        tim.api
            .call_text("getConversationList", json!({"count": 0}))
            .await
            .unwrap_err()
            .code,
        6017
    );

    // Bad pages and filters get the parameter code, never a panic.
    for params in [
        json!({"count": 0}),
        json!({"count": 101}),
        json!({"count": -1}),
        json!({"count": 1e300}),
        json!({"count": "10"}),
        json!({"count": 10, "nextSeq": "x"}),
        json!({"count": 10, "nextSeq": 987_654}),
        json!({"type": 3}),
        json!({"groupName": 7}),
        json!({"groupName": "x".repeat(33)}),
        json!({"markType": -1}),
        json!({"hasUnreadCount": "yes"}),
    ] {
        let e = tim
            .call("getConversationList", params.clone())
            .await
            .unwrap_err();
        assert_eq!(e.code, 6017, "{params}: {e}");
    }
    // A walk's nextSeq belongs to its filter.
    let first = tim
        .call("getConversationList", json!({"count": 1}))
        .await
        .unwrap();
    let e = tim
        .call(
            "getConversationList",
            json!({"count": 1, "markType": 1, "nextSeq": first["nextSeq"]}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, 6017);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn test_a_new_device_pages_the_history_from_the_server_and_offline_from_its_store() {
    let (server, _dir) = server().await;
    let url = server.url();
    let bob = Tim::login(&url, "bob").await;
    for i in 0..20 {
        let message = json!({"conversationID": "C2Calice", "type": "TIMTextElem", "payload": {"text": format!("h{i}")}});
        bob.call("sendMessage", message).await.unwrap();
    }
    // alice's first device logs in after all 20: its first sync brings
    // the conversation with its last message only.
    let alice = Tim::login(&url, "alice").await;
    let page = |next: &Value| {
        let mut params = json!({"conversationID": "C2Cbob"});
        if !next.is_null() {
            params["nextReqMessageID"] = next.clone();
        }
        alice.call("getMessageList", params)
    };
    let first = page(&Value::Null).await.unwrap();
    assert_eq!(
        texts(&first),
        (5..20).map(|i| format!("h{i}")).collect::<Vec<_>>()
    );
    assert_eq!(first["isCompleted"], false);
    let second = page(&first["nextReqMessageID"]).await.unwrap();
    assert_eq!(
        texts(&second),
        (0..5).map(|i| format!("h{i}")).collect::<Vec<_>>()
    );
    assert_eq!(second["isCompleted"], true);

    // With the server gone, the same pages come from the store.
    server.stop().await;
    let offline = page(&Value::Null).await.unwrap();
    assert_eq!(texts(&offline), texts(&first));
    let offline = page(&offline["nextReqMessageID"]).await.unwrap();
    assert_eq!(texts(&offline), texts(&second));
}
