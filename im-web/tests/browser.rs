//! The browser SDK for real: Debian's headless Chromium, driven through
//! chromedriver, loads the bundle `cargo xtask web` built from the real
//! server on 127.0.0.1, and runs Tencent's Web API in its worker (SQLite
//! on OPFS, fetch, the push stream) beside native SDK clients.
//!
//! Ignored by plain `cargo test` (they need the bundle and Chromium);
//! `cargo xtask ci web` builds the bundle and runs them:
//! `IM_WEB_DIST=target/web cargo test -p im-web --test browser -- --ignored`.

#![cfg(not(target_family = "wasm"))]

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use im_model::ConvId;
use im_sdk::{Client, CreateGroupRequest, MsgEvent, SdkEvent};
use im_server::{Server, ServerConfig};
use im_transport::http::{HttpConfig, HttpTransport};
use serde_json::json;
use support::webdriver::Driver;
use support::{APP, KEY, sig};

/// The bundle, copied with a test page that exposes the module.
fn site() -> tempfile::TempDir {
    let dist = std::env::var_os("IM_WEB_DIST").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/web"),
        PathBuf::from,
    );
    assert!(
        dist.join("im_web_bg.wasm").exists(),
        "no browser bundle in {}: run `cargo xtask web` first",
        dist.display()
    );
    let site = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&dist).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), site.path().join(entry.file_name())).unwrap();
    }
    std::fs::write(
        site.path().join("test.html"),
        "<!doctype html><meta charset=utf-8><script type=module>\
         import TencentCloudChat from './index.js';\
         window.TencentCloudChat = TencentCloudChat;\
         window.seen = [];\
         window.loaded = true;</script>",
    )
    .unwrap();
    site
}

/// The server serving `site`, with its data in `data`, on `listen`.
async fn start_server(site: &Path, data: &Path, listen: std::net::SocketAddr) -> Server {
    let mut config = ServerConfig::new(listen, data, APP, KEY);
    config.web_dir = Some(site.to_path_buf());
    Server::start(config).await.unwrap()
}

/// Where a test runs: its runtime, the site, the server's data folder and
/// the server on `addr`.
fn stage(
    addr: std::net::SocketAddr,
) -> (
    tokio::runtime::Runtime,
    tempfile::TempDir,
    tempfile::TempDir,
    Server,
) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = site();
    let data = tempfile::tempdir().unwrap();
    let server = runtime.block_on(start_server(site.path(), data.path(), addr));
    (runtime, site, data, server)
}

fn any_port() -> std::net::SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A native SDK client logged in as `user` on `platform`.
async fn native(url: &str, user: &str, platform: u32) -> (Client, Events) {
    let mut config = HttpConfig::new(url);
    config.platform = platform;
    let client = Client::builder()
        .sdk_app_id(APP)
        .memory_store()
        .transport(Arc::new(HttpTransport::new(config).unwrap()))
        .build()
        .unwrap();
    let events = Box::pin(client.events());
    client.login(user, &sig(user)).await.unwrap();
    (client, events)
}

type Events = std::pin::Pin<Box<dyn futures::Stream<Item = SdkEvent> + Send>>;

/// The first event of a native device that `pick` makes something of
/// (10 s at most; `what` names it in the failure).
async fn next_event<T>(
    events: &mut Events,
    what: &str,
    mut pick: impl FnMut(SdkEvent) -> Option<T>,
) -> T {
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = events.next().await {
            if let Some(found) = pick(event) {
                return Some(found);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(found)) => found,
        _ => panic!("{what}: not within 10 s"),
    }
}

/// The first new message `accept` takes, on a native device.
async fn next_message(
    events: &mut Events,
    accept: impl Fn(&im_model::Message) -> bool,
    what: &str,
) -> im_model::Message {
    next_event(events, what, |event| match event {
        SdkEvent::Message(MsgEvent::NewMessages(messages)) => {
            messages.into_iter().find(|m| accept(m))
        }
        _ => None,
    })
    .await
}

/// Waits (10 s at most) for `check` to hold.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen");
}

/// The script prelude: the instance, logged in, with every event recorded
/// in `window.seen` as [name, data].
const LOGIN: &str = r#"
    const [app, user, userSig] = args;
    const tim = TencentCloudChat.create({ SDKAppID: app });
    window.tim = tim;
    for (const name of Object.values(TencentCloudChat.EVENT)) {
      tim.on(name, (event) => window.seen.push([event.name, event.data]));
    }
    const ready = new Promise((resolve) => tim.on(TencentCloudChat.EVENT.SDK_READY, resolve));
    const login = await tim.login({ userID: user, userSig });
    await ready;
    return { login, storage: tim.getStorageType(), ready: tim.isReady() };
"#;

/// Waits in the page for an event named `args[0]` whose data satisfies the
/// predicate source `args[1]`, then returns that data.
const WAIT_EVENT: &str = r#"
    const [name, predicateSource] = args;
    const predicate = new Function('data', predicateSource);
    for (let i = 0; i < 400; i++) {
      const hit = window.seen.find(([n, d]) => n === name && predicate(d));
      if (hit) return hit[1];
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${name} event`);
"#;

#[test]
#[ignore = "needs the browser bundle and Chromium: cargo xtask ci web"]
fn test_seed_004_in_the_browser_and_roaming_with_native_devices() {
    let (runtime, site, _data, server) = stage(any_port());
    let url = server.url();
    // The seed's conversations: C2Cexample (a native user) and GROUPtest.
    let (example, mut example_events) = runtime.block_on(native(&url, "example", 1));
    let (alice_native, _alice_events) = runtime.block_on(native(&url, "alice", 2));
    runtime.block_on(async {
        example
            .groups()
            .create_group(&CreateGroupRequest {
                group_id: "test".into(),
                name: "Test".into(),
                members: vec!["alice".into()],
                details: Default::default(),
            })
            .await
            .unwrap();
        let to_alice = ConvId::c2c("alice").unwrap();
        example
            .messages()
            .send_message(&to_alice, &im_model::Message::text("hello alice"))
            .await
            .unwrap();
        let group = ConvId::group("test").unwrap();
        example
            .messages()
            .send_message(&group, &im_model::Message::text("hello group"))
            .await
            .unwrap();
    });

    let driver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let browser = driver.session(profile.path());
    browser.open(&format!("{url}/web/test.html"));
    browser.run(
        "while (!window.loaded) await new Promise((r) => setTimeout(r, 20));",
        &[],
    );
    let logged_in = browser.run(LOGIN, &[json!(APP), json!("alice"), json!(sig("alice"))]);
    // One instance per SDKAppID; `off` removes a handler (with its
    // context, or every registration of it without one).
    let instance = browser.run(
        r#"
        const again = TencentCloudChat.create({ SDKAppID: args[0] });
        let heard = 0;
        const handler = () => { heard += 1; };
        const context = {};
        tim.on('custom-check', handler, context);
        tim.off('custom-check', handler, context);
        tim._emit('custom-check', null);
        tim.on('custom-check', handler);
        tim._emit('custom-check', null);
        tim.off('custom-check', handler);
        tim._emit('custom-check', null);
        return { same: again === tim, heard };
        "#,
        &[json!(APP)],
    );
    assert_eq!(instance, json!({"same": true, "heard": 1}));
    assert_eq!(
        logged_in,
        json!({"login": {"code": 0, "data": {"repeatLogin": false}}, "storage": "opfs", "ready": true})
    );

    // Seed 004's examples, as written (tim is the instance).
    let seed = browser.run(
        r#"
        const out = {};
        const TIM = TencentCloudChat;
        const imResponse = await tim.createConversationGroup({
          conversationIDList: ['GROUPtest', 'C2Cexample'],
          groupName: 'Suppliers',
        });
        const { successConversationIDList, failureConversationIDList } = imResponse.data;
        out.created = { code: imResponse.code, successConversationIDList, failureConversationIDList };
        const conversationList = await tim.getConversationList(successConversationIDList);
        out.listed = conversationList.data.conversationList.map((c) => [c.conversationID, c.conversationGroupList]);
        out.groupNameList = (await tim.getConversationGroupList()).data;
        out.inGroup = (await tim.getConversationList({ groupName: 'Suppliers' })).data.conversationList.map((c) => c.conversationID).sort();
        await tim.deleteConversationGroup('Suppliers');
        out.missing = await tim.deleteConversationGroup('Suppliers').then(() => 'resolved', (imError) => imError.code);
        await tim.createConversationGroup({ conversationIDList: ['GROUPtest'], groupName: 'Suppliers_old' });
        out.renamed = (await tim.renameConversationGroup({ oldName: 'Suppliers_old', newName: 'Suppliers_new' })).code;
        const added = await tim.addConversationsToGroup({ conversationIDList: ['GROUPtest', 'C2Cexample'], groupName: 'Suppliers_new' });
        out.added = added.data;
        const removed = await tim.deleteConversationsFromGroup({ conversationIDList: ['GROUPtest', 'C2Cexample'], groupName: 'Suppliers_new' });
        out.removed = removed.data;
        out.unknown = (await tim.addConversationsToGroup({ conversationIDList: ['C2Cnobody', 'bad'], groupName: 'Suppliers_new' })).data;
        out.tooLong = await tim.createConversationGroup({ conversationIDList: ['C2Cexample'], groupName: 'x'.repeat(33) }).catch((e) => e.code);
        for (let i = 1; i < 20; i++) {
          await tim.createConversationGroup({ conversationIDList: ['C2Cexample'], groupName: `g${i}` });
        }
        out.tooMany = await tim.createConversationGroup({ conversationIDList: ['C2Cexample'], groupName: 'g20' }).catch((e) => e.code);
        for (let i = 1; i < 20; i++) await tim.deleteConversationGroup(`g${i}`);
        await new Promise((r) => setTimeout(r, 300));
        out.events = window.seen.map(([n]) => n).filter((n) => n.startsWith('onConversation'));
        out.groupListEvents = window.seen.filter(([n]) => n === TIM.EVENT.CONVERSATION_GROUP_LIST_UPDATED).map(([, d]) => d).slice(0, 5);
        out.inGroupEvents = window.seen.filter(([n]) => n === TIM.EVENT.CONVERSATION_IN_GROUP_UPDATED).map(([, d]) => [d.groupName, d.conversationList.map((c) => c.conversationID).sort()]);
        out.unread = tim.getTotalUnreadMessageCount();
        out.unreadSum = (await tim.getConversationList()).data.conversationList.reduce((n, c) => n + c.unreadCount, 0);
        return out;
        "#,
        &[],
    );
    assert_eq!(seed["created"]["code"], 0);
    let mut success: Vec<String> =
        serde_json::from_value(seed["created"]["successConversationIDList"].clone()).unwrap();
    success.sort();
    assert_eq!(success, ["C2Cexample", "GROUPtest"]);
    assert_eq!(seed["created"]["failureConversationIDList"], json!([]));
    assert_eq!(seed["listed"].as_array().unwrap().len(), 2);
    assert!(
        seed["listed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c[1] == json!(["Suppliers"]))
    );
    assert_eq!(seed["groupNameList"], json!(["Suppliers"]));
    assert_eq!(seed["inGroup"], json!(["C2Cexample", "GROUPtest"]));
    assert_eq!(seed["missing"], 51009);
    assert_eq!(seed["renamed"], 0);
    assert_eq!(
        seed["added"]["successConversationIDList"],
        json!(["C2Cexample"]),
        "GROUPtest was in it already: {}",
        seed["added"]
    );
    assert_eq!(seed["removed"]["failureConversationIDList"], json!([]));
    assert_eq!(
        seed["removed"]["successConversationIDList"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        seed["unknown"],
        json!({"successConversationIDList": [], "failureConversationIDList": [
            {"conversationID": "C2Cnobody", "code": 2500, "message": "conversation \"C2Cnobody\" is not on this device"},
            {"conversationID": "bad", "code": 2503, "message": "\"bad\" is not a conversation id (C2C<userID> or GROUP<groupID>)"},
        ]})
    );
    assert_eq!(seed["tooLong"], 51011);
    assert_eq!(seed["tooMany"], 51010);
    assert_eq!(
        seed["groupListEvents"][0],
        json!(["Suppliers"]),
        "{}",
        seed["groupListEvents"]
    );
    assert_eq!(seed["groupListEvents"][1], json!([]));
    assert_eq!(seed["groupListEvents"][2], json!(["Suppliers_old"]));
    assert_eq!(seed["groupListEvents"][3], json!(["Suppliers_new"]));
    assert_eq!(
        seed["inGroupEvents"],
        json!([
            ["Suppliers_new", ["C2Cexample", "GROUPtest"]],
            ["Suppliers_new", []]
        ])
    );
    let events: Vec<String> = serde_json::from_value(seed["events"].clone()).unwrap();
    assert!(events.contains(&"onConversationListUpdated".to_owned()));
    // The synchronous total (the page's mirror) agrees with the list: the
    // two messages waiting for alice, and the group's tip.
    assert_eq!(seed["unread"], seed["unreadSum"]);
    assert_eq!(seed["unread"], 3);

    // A folder, a pin and a mark made in the browser roam to alice's native
    // device; a folder made there roams back.
    browser.run(
        r#"
        await tim.createConversationGroup({ conversationIDList: ['C2Cexample'], groupName: 'Roam' });
        await tim.pinConversation({ conversationID: 'GROUPtest', isPinned: true });
        await tim.markConversation({ conversationIDList: ['C2Cexample'], markType: TencentCloudChat.TYPES.CONV_MARK_TYPE_STAR, enableMark: true });
        "#,
        &[],
    );
    runtime.block_on(async {
        let convs = alice_native.conversations();
        eventually("the browser's folder on the native device", || async {
            convs
                .conversation_groups()
                .await
                .unwrap()
                .contains(&"Roam".to_owned())
        })
        .await;
        let group = ConvId::group("test").unwrap();
        eventually("the browser's pin on the native device", || async {
            convs
                .conversation(&group)
                .await
                .unwrap()
                .and_then(|c| c.is_pinned)
                == Some(true)
        })
        .await;
        let example_conv = ConvId::c2c("example").unwrap();
        eventually("the browser's mark on the native device", || async {
            convs
                .conversation(&example_conv)
                .await
                .unwrap()
                .and_then(|c| c.mark_array)
                .is_some_and(|m| m.contains(&1))
        })
        .await;
        convs
            .create_conversation_group("FromNative", std::slice::from_ref(&example_conv))
            .await
            .unwrap();
    });
    browser.run(
        WAIT_EVENT,
        &[
            json!("onConversationGroupListUpdated"),
            json!("return data.includes('FromNative');"),
        ],
    );

    // Messages both ways, a revoke and a read receipt each way.
    let sent = browser.run(
        r#"
        const message = tim.createTextMessage({ to: 'example', conversationType: TencentCloudChat.TYPES.CONV_C2C, payload: { text: 'from the browser' } });
        const answer = await tim.sendMessage(message);
        return { code: answer.code, ID: message.ID, status: message.status, same: answer.data.message === message, found: tim.findMessage(message.ID) !== null };
        "#,
        &[],
    );
    assert_eq!(sent["code"], 0);
    assert_eq!(sent["status"], "success");
    assert_eq!(
        sent["same"], true,
        "sendMessage completes the app's own message object"
    );
    assert_eq!(sent["found"], true);
    let browser_msg_id = sent["ID"].as_str().unwrap().to_owned();
    runtime.block_on(async {
        let got = next_message(
            &mut example_events,
            |m| m.msg_id.as_deref() == Some(browser_msg_id.as_str()),
            "the native user got the browser's message",
        )
        .await;
        assert_eq!(got.sender.as_deref(), Some("alice"));
        let to_alice = ConvId::c2c("alice").unwrap();
        example
            .messages()
            .send_message(&to_alice, &im_model::Message::text("to revoke"))
            .await
            .unwrap();
    });
    let received = browser.run(
        WAIT_EVENT,
        &[
            json!("onMessageReceived"),
            json!("return data.some((m) => m.payload.text === 'to revoke');"),
        ],
    );
    let to_revoke = received
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["payload"]["text"] == "to revoke")
        .unwrap()
        .clone();
    assert_eq!(to_revoke["flow"], "in");
    assert_eq!(to_revoke["conversationID"], "C2Cexample");
    runtime.block_on(async {
        let conv = ConvId::c2c("alice").unwrap();
        let stored = example
            .messages()
            .find_messages(&[to_revoke["ID"].as_str().unwrap().to_owned()])
            .await
            .unwrap()
            .pop()
            .unwrap();
        example.messages().revoke(&conv, &stored).await.unwrap();
    });
    let revoked = browser.run(
        WAIT_EVENT,
        &[
            json!("onMessageRevoked"),
            json!(format!(
                "return data.some((m) => m.ID === '{}');",
                to_revoke["ID"].as_str().unwrap()
            )),
        ],
    );
    assert_eq!(revoked[0]["isRevoked"], true);
    // alice reads in the browser: example's device hears the receipt.
    browser.run(
        "await tim.setMessageRead({ conversationID: 'C2Cexample' });",
        &[],
    );
    runtime.block_on(async {
        next_event(
            &mut example_events,
            "the native user heard alice's read receipt",
            |event| {
                matches!(event, SdkEvent::Message(MsgEvent::ReadReceipts(receipts))
                if receipts.iter().any(|r| r.conv_id.as_deref() == Some("alice")))
                .then_some(())
            },
        )
        .await;
        // example reads: the browser hears it.
        example
            .messages()
            .report_read(&ConvId::c2c("alice").unwrap(), None)
            .await
            .unwrap();
    });
    let read = browser.run(
        WAIT_EVENT,
        &[
            json!("onMessageReadByPeer"),
            json!("return data.length > 0;"),
        ],
    );
    assert!(
        read.as_array()
            .unwrap()
            .iter()
            .all(|m| m["isPeerRead"] == true)
    );
    // The browser revokes its own message: example's device sees it.
    browser.run(
        "const m = tim.findMessage(args[0]); const a = await tim.revokeMessage(m); if (!m.isRevoked) throw new Error('not revoked');",
        &[json!(browser_msg_id)],
    );
    runtime.block_on(async {
        let conv = ConvId::c2c("alice").unwrap();
        eventually("the browser's revoke on the native device", || async {
            example
                .messages()
                .find_messages(std::slice::from_ref(&browser_msg_id))
                .await
                .unwrap()
                .pop()
                .is_some_and(|m| m.status == Some(im_model::MsgStatus::Revoked))
        })
        .await;
        let _ = conv;
    });

    // A file from the page (a File made in it): uploaded with progress,
    // received and downloaded natively, byte for byte.
    let body: String = "file body 文件内容 ".repeat(20_000);
    let sent_file = browser.run(
        r#"
        const progress = [];
        const file = new File([args[0]], 'notes.txt', { type: 'text/plain' });
        const message = tim.createFileMessage({
          to: 'example',
          conversationType: TencentCloudChat.TYPES.CONV_C2C,
          payload: { file },
          onProgress: (percent) => progress.push(percent),
        });
        const answer = await tim.sendMessage(message);
        const bad = await tim.sendMessage(tim.createFileMessage({ to: 'example', conversationType: 'C2C', payload: {} })).then(() => 'resolved', (e) => e.code);
        return { ID: message.ID, status: message.status, payload: answer.data.message.payload, last: progress[progress.length - 1], steps: progress.length, bad };
        "#,
        &[json!(body)],
    );
    assert_eq!(sent_file["status"], "success", "{sent_file}");
    assert_eq!(sent_file["payload"]["fileName"], "notes.txt");
    assert_eq!(sent_file["payload"]["fileSize"], body.len());
    assert_eq!(
        sent_file["last"], 1.0,
        "the upload's progress reached the end: {sent_file}"
    );
    assert_eq!(sent_file["bad"], 6017, "a file message without its file");
    let file_id = sent_file["ID"].as_str().unwrap().to_owned();
    runtime.block_on(async {
        let received = next_message(
            &mut example_events,
            |m| m.msg_id.as_deref() == Some(file_id.as_str()),
            "the native user got the browser's file",
        )
        .await;
        let Some(im_model::Elem::File(elem)) = received
            .elem_array
            .as_ref()
            .and_then(|e| e.first())
            .cloned()
        else {
            panic!("not a file message: {received:?}");
        };
        assert_eq!(elem.file_name.as_deref(), Some("notes.txt"));
        let target = site.path().join("downloaded.txt");
        example
            .messages()
            .download_elem_to_path(
                &im_model::message::DownloadElemParam {
                    download_type: Some(im_model::DownloadType::File),
                    id: elem.file_id.clone(),
                    url: elem.url.clone(),
                    business_id: elem.business_id,
                    ..Default::default()
                },
                &target.display().to_string(),
                |_| {},
            )
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), body);
    });

    // Hostile arguments through the JS API reject with codes (what JSON
    // cannot hold, a cycle or a BigInt, too; a function is left out, as
    // JSON leaves it); the worker lives on.
    let hostile = browser.run(
        r#"
        const code = (p) => p.then(() => 'resolved', (e) => e.code);
        const cyclic = { type: 'C2C' };
        cyclic.self = cyclic;
        return [
          await code(tim.deleteConversationGroup(42)),
          await code(tim.getConversationList('C2Cexample')),
          await code(tim.getConversationProfile('not an id')),
          await code(tim.sendMessage('hello')),
          await code(tim.getMessageList({ conversationID: 5 })),
          await code(tim.createConversationGroup(null)),
          await code(tim.markConversation({ conversationIDList: ['C2Cexample'], markType: 'star', enableMark: true })),
          await code(tim.searchLocalMessages({ keywordList: ['x'], count: 1e15 })),
          await code(tim.deleteMessage({ length: 1e9 })),
          await code(tim.getConversationList(cyclic)),
          await code(tim.getConversationList({ count: 10n })),
          await code(tim.getConversationList({ count: 0 })),
          (await tim.getConversationList({ count: 1, groupName: () => 'x' })).data.conversationList.length,
          (await tim.getConversationGroupList()).code,
        ];
        "#,
        &[],
    );
    assert_eq!(
        hostile,
        json!([
            6017, 6017, 2503, 2105, 6017, 3153, 6017, "resolved", 6017, 6017, 6017, 6017, 1, 0
        ])
    );

    browser.close();
    runtime.block_on(async {
        example.shutdown().await;
        alice_native.shutdown().await;
        server.stop().await;
    });
}

/// A free port on 127.0.0.1 (the server restarts on it).
fn free_addr() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// How many messages carrying `text` arrive on a native device's event
/// stream: waits for the first (10 s at most), then a second more for a
/// duplicate.
async fn count_arriving(events: &mut Events, text: &str) -> usize {
    let carries = |m: &im_model::Message| {
        m.elem_array
            .iter()
            .flatten()
            .any(|e| matches!(e, im_model::Elem::Text(t) if t.content.as_deref() == Some(text)))
    };
    let mut count = 0;
    let mut deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await {
        if let SdkEvent::Message(MsgEvent::NewMessages(messages)) = event {
            let arrived = messages.iter().filter(|m| carries(m)).count();
            if count == 0 && arrived > 0 {
                deadline = tokio::time::Instant::now() + Duration::from_secs(1);
            }
            count += arrived;
        }
    }
    count
}

#[test]
#[ignore = "needs the browser bundle and Chromium: cargo xtask ci web"]
fn test_the_store_survives_reload_and_restart_offline_sends_arrive_once_and_one_tab_owns_it_until_it_closes()
 {
    let addr = free_addr();
    let (runtime, site, data, server) = stage(addr);
    let url = server.url();
    let (bob, mut bob_events) = runtime.block_on(native(&url, "bob", 1));
    let to_alice = ConvId::c2c("alice").unwrap();
    runtime.block_on(async {
        bob.messages()
            .send_message(&to_alice, &im_model::Message::text("persist me 你好世界"))
            .await
            .unwrap();
    });
    let driver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let page = format!("{url}/web/test.html");
    let wait_loaded = "while (!window.loaded) await new Promise((r) => setTimeout(r, 20));";
    let args = [json!(APP), json!("alice"), json!(sig("alice"))];

    let browser = driver.session(profile.path());
    browser.open(&page);
    browser.run(wait_loaded, &[]);
    assert_eq!(browser.run(LOGIN, &args)["storage"], "opfs");
    // A draft is this device's alone: only the store keeps it.
    browser.run(
        "await tim.setConversationDraft({ conversationID: 'C2Cbob', draftText: 'kept draft' });",
        &[],
    );
    let local_state = r#"
        const list = (await tim.getConversationList()).data.conversationList;
        const bob = list.find((c) => c.conversationID === 'C2Cbob');
        const hits = (await tim.searchLocalMessages({ keywordList: ['世'] })).data;
        return { draft: bob ? bob.draftText : null, hits: hits.totalCount, storage: tim.getStorageType() };
    "#;
    let expected = json!({"draft": "kept draft", "hits": 1, "storage": "opfs"});
    assert_eq!(browser.run(local_state, &[]), expected);

    // A reload keeps it.
    browser.open(&page);
    browser.run(wait_loaded, &[]);
    browser.run(LOGIN, &args);
    assert_eq!(browser.run(local_state, &[]), expected, "after a reload");

    // A second tab cannot take the store: it runs on memory and says so.
    let first = browser.new_tab();
    let second = browser.tab();
    browser.open(&page);
    browser.run(wait_loaded, &[]);
    let refused = browser.run(
        r#"
        const tim = TencentCloudChat.create({ SDKAppID: args[0] });
        const storage = new Promise((resolve) => tim.on('storage', (event) => resolve(event.data)));
        window.handedOver = new Promise((resolve) => tim.on('storage', (event) => {
          if (event.data.persistent) resolve(event.data);
        }));
        return await storage;
        "#,
        &[json!(APP)],
    );
    assert_eq!(refused["persistent"], false);
    assert_eq!(
        refused["reason"],
        "another tab of this app holds the local store"
    );
    browser.switch_to(&first);
    assert_eq!(
        browser.run(local_state, &[]),
        expected,
        "the owner tab is unharmed"
    );
    // The second tab logs in on memory (the server ends the first tab's
    // session: one per platform) ...
    browser.switch_to(&second);
    assert_eq!(browser.run(LOGIN, &args)["storage"], "memory");
    runtime.block_on(async {
        bob.messages()
            .send_message(&to_alice, &im_model::Message::text("while on memory"))
            .await
            .unwrap();
    });
    browser.run(
        WAIT_EVENT,
        &[
            json!("onMessageReceived"),
            json!("return data.some((m) => m.payload.text === 'while on memory');"),
        ],
    );
    // ... and is handed the store when the first tab closes: it logs in
    // again on it and has what the first tab kept. Not while the server
    // cannot be reached: it stays logged in on memory until it can.
    runtime.block_on(server.stop());
    browser.run(
        WAIT_EVENT,
        &[
            json!("netStateChange"),
            json!("return data.state !== 'connected';"),
        ],
    );
    browser.switch_to(&first);
    browser.close_tab(&second);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        browser.run("return [tim.getStorageType(), tim.isReady()];", &[]),
        json!(["memory", true]),
        "offline, the hand-over waits"
    );
    let server = runtime.block_on(start_server(site.path(), data.path(), addr));
    assert_eq!(
        browser.run("return await window.handedOver;", &[]),
        json!({"persistent": true})
    );
    assert_eq!(
        browser.run(local_state, &[]),
        expected,
        "after the hand-over"
    );
    // The new engine's first sync brings bob's message into the store
    // again; the page was told of it once.
    let announced = browser.run(
        r#"
        // In the store once the sync wrote it (a search reads only the
        // store); its announcement, if any, follows the write.
        const stored = async () => (await tim.searchLocalMessages({ keywordList: ['memory'] })).data.totalCount;
        while ((await stored()) === 0) await new Promise((r) => setTimeout(r, 25));
        await new Promise((r) => setTimeout(r, 500));
        return window.seen.filter(([name, data]) => name === 'onMessageReceived')
          .flatMap(([name, data]) => data)
          .filter((m) => m.payload.text === 'while on memory').length;
        "#,
        &[],
    );
    assert_eq!(announced, 1, "announced once across the hand-over");
    assert_eq!(
        browser.run(
            "return [tim.isReady(), tim.getLoginUser(), (await tim.getConversationProfile('C2Cbob')).data.conversation.conversationID];",
            &[],
        ),
        json!([true, "alice", "C2Cbob"])
    );

    // Offline: the server stops; a send waits in the queue and arrives
    // once the server is back, exactly once.
    runtime.block_on(server.stop());
    browser.run(
        r#"
        const message = tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text: 'sent offline' } });
        window.offline = tim.sendMessage(message).then((a) => a.data.message.status, (e) => `rejected ${e.code}`);
        await new Promise((r) => setTimeout(r, 1500));
        "#,
        &[],
    );
    let server = runtime.block_on(start_server(site.path(), data.path(), addr));
    let status = browser.run("return await window.offline;", &[]);
    assert_eq!(status, "success");
    let count = runtime.block_on(count_arriving(&mut bob_events, "sent offline"));
    assert_eq!(count, 1, "the offline send arrived exactly once");

    // A browser restart (same profile) keeps the store.
    browser.close();
    let browser = driver.session(profile.path());
    browser.open(&page);
    browser.run(wait_loaded, &[]);
    browser.run(LOGIN, &args);
    assert_eq!(
        browser.run(local_state, &[]),
        expected,
        "after a browser restart"
    );
    browser.close();
    runtime.block_on(async {
        bob.shutdown().await;
        server.stop().await;
    });
}

#[test]
#[ignore = "needs the browser bundle and Chromium: cargo xtask ci web"]
fn test_the_chat_page_logs_in_with_a_browser_made_usersig_and_chats() {
    let (runtime, site, _data, server) = stage(any_port());
    let url = server.url();
    let (bob, mut bob_events) = runtime.block_on(native(&url, "bob", 1));
    // A file from bob's native device, and a "file" whose link is a
    // script (a peer chooses what its messages carry).
    let notes = site.path().join("notes.txt");
    let notes_body = "minutes: friday 周五 ".repeat(100);
    std::fs::write(&notes, &notes_body).unwrap();
    let file_message = |elem: im_model::message::FileElem| im_model::Message {
        elem_array: Some(vec![im_model::Elem::File(elem)]),
        ..im_model::Message::default()
    };
    runtime.block_on(async {
        let carol = ConvId::c2c("carol").unwrap();
        for message in [
            file_message(im_model::message::FileElem {
                file_path: Some(notes.display().to_string()),
                ..Default::default()
            }),
            file_message(im_model::message::FileElem {
                url: Some("javascript:alert(1)".into()),
                file_id: Some("0123456789abcdef0123456789abcdef".into()),
                file_name: Some("evil.txt".into()),
                file_size: Some(1),
                ..Default::default()
            }),
            im_model::Message::text("hi carol, 周五见"),
        ] {
            bob.messages().send_message(&carol, &message).await.unwrap();
        }
    });
    let driver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let browser = driver.session(profile.path());
    browser.open(&format!("{url}/web/"));
    // The page's form, as a person fills it: the UserSig is made in the
    // browser from the key (the server checks it as Tencent's).
    let shown = browser.run(
        r#"
        const [app, key] = args;
        const $ = (id) => document.getElementById(id);
        const until = async (what, check) => {
          for (let i = 0; i < 400; i++) {
            if (check()) return;
            await new Promise((r) => setTimeout(r, 25));
          }
          throw new Error(`the page did not show ${what}: ${document.body.innerText}`);
        };
        await until('the login form', () => $('login') && $('login').elements.app);
        const form = $('login');
        form.elements.app.value = String(app);
        form.elements.key.value = key;
        form.elements.user.value = 'carol';
        form.requestSubmit();
        await until('the conversation with bob', () => $('conversations').innerText.includes('bob'));
        const warning = $('warning').innerText;
        $('conversations').querySelector('li').click();
        await until('the history', () => $('messages').innerText.includes('周五见'));
        // bob's file: a download link that works from the page as it is
        // (no session), and none for the script.
        const links = [...$('messages').querySelectorAll('a.download')];
        const download = links.length === 1 ? await (await fetch(links[0].href)).text() : null;
        const files = { count: links.length, href: links[0] && links[0].href, name: links[0] && links[0].download, download };
        const compose = $('compose');
        compose.elements.text.value = 'see you friday';
        compose.requestSubmit();
        await until('the sent message', () => $('messages').innerText.includes('see you friday'));
        $('search').elements.q.value = '周五';
        $('search').requestSubmit();
        await until('a search hit', () => $('hits').querySelector('mark'));
        return { warning, files, hit: $('hits').querySelector('mark').innerText, error: $('login-error').innerText };
        "#,
        &[json!(APP), json!(KEY)],
    );
    assert!(
        shown["warning"].as_str().unwrap().contains("secret key"),
        "{shown}"
    );
    assert_eq!(shown["hit"], "周五");
    assert_eq!(shown["error"], "");
    let files = &shown["files"];
    assert_eq!(files["count"], 1, "one link, none for the script: {files}");
    assert!(
        files["href"]
            .as_str()
            .is_some_and(|href| href.starts_with(&format!("{url}/v1/files/"))),
        "{files}"
    );
    assert_eq!(files["name"], "notes.txt");
    assert_eq!(files["download"], notes_body, "the link downloads the file");
    runtime.block_on(async {
        let got = next_message(
            &mut bob_events,
            |m| m.sender.as_deref() == Some("carol"),
            "bob got carol's message from the page",
        )
        .await;
        let text = got.elem_array.iter().flatten().find_map(|e| match e {
            im_model::Elem::Text(t) => t.content.clone(),
            _ => None,
        });
        assert_eq!(text.as_deref(), Some("see you friday"));
        bob.shutdown().await;
        server.stop().await;
    });
    browser.close();
}

#[test]
#[ignore = "needs the browser bundle and Chromium: cargo xtask ci web"]
fn test_two_browser_users_and_a_native_client_exchange_c2c_and_group_messages() {
    let (runtime, _site, _data, server) = stage(any_port());
    let url = server.url();
    // cal (native) makes the group of the three.
    let (cal, mut cal_events) = runtime.block_on(native(&url, "cal", 1));
    runtime.block_on(async {
        cal.groups()
            .create_group(&CreateGroupRequest {
                group_id: "team".into(),
                name: "Team".into(),
                members: vec!["ann".into(), "ben".into()],
                details: Default::default(),
            })
            .await
            .unwrap();
    });
    let driver = Driver::start();
    let (ann_profile, ben_profile) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ann = driver.session(ann_profile.path());
    let ben = driver.session(ben_profile.path());
    for (browser, user) in [(&ann, "ann"), (&ben, "ben")] {
        browser.open(&format!("{url}/web/test.html"));
        browser.run(
            "while (!window.loaded) await new Promise((r) => setTimeout(r, 20));",
            &[],
        );
        let logged_in = browser.run(LOGIN, &[json!(APP), json!(user), json!(sig(user))]);
        assert_eq!(logged_in["ready"], true, "{user}: {logged_in}");
    }
    const SEND: &str = r#"
        const [to, type, text] = args;
        const message = tim.createTextMessage({ to, conversationType: type, payload: { text } });
        const answer = await tim.sendMessage(message);
        return { code: answer.code, status: message.status };
    "#;
    let send = |browser: &support::webdriver::Session<'_>, to: &str, group: bool, text: &str| {
        let kind = if group { "GROUP" } else { "C2C" };
        let sent = browser.run(SEND, &[json!(to), json!(kind), json!(text)]);
        assert_eq!(sent, json!({"code": 0, "status": "success"}), "{text}");
    };
    // What a browser received: the message with this text, from whom, in
    // which conversation.
    let received = |browser: &support::webdriver::Session<'_>, text: &str| {
        let batch = browser.run(
            WAIT_EVENT,
            &[
                json!("onMessageReceived"),
                json!(format!(
                    "return data.some((m) => m.payload.text === {text:?});"
                )),
            ],
        );
        let m = batch
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["payload"]["text"] == text)
            .unwrap()
            .clone();
        (
            m["from"].as_str().unwrap().to_owned(),
            m["conversationID"].as_str().unwrap().to_owned(),
        )
    };
    let native_got = |events: &mut Events, text: &str| {
        let text = text.to_owned();
        runtime.block_on(async {
            let m = next_message(
                events,
                |m| {
                    m.elem_array.iter().flatten().any(|e| {
                        matches!(e, im_model::Elem::Text(t) if t.content.as_deref() == Some(text.as_str()))
                    })
                },
                &format!("cal got {text:?}"),
            )
            .await;
            (m.sender.unwrap_or_default(), m.conv_type, m.conv_id.unwrap_or_default())
        })
    };

    // C2C between the two browsers, both ways.
    send(&ann, "ben", false, "ann to ben");
    assert_eq!(
        received(&ben, "ann to ben"),
        ("ann".into(), "C2Cann".into())
    );
    send(&ben, "ann", false, "ben to ann");
    assert_eq!(
        received(&ann, "ben to ann"),
        ("ben".into(), "C2Cben".into())
    );
    // C2C between a browser and the native client, both ways.
    send(&ben, "cal", false, "ben to cal");
    assert_eq!(
        native_got(&mut cal_events, "ben to cal"),
        ("ben".into(), Some(im_model::ConvType::C2C), "ben".into())
    );
    runtime.block_on(async {
        cal.messages()
            .send_message(
                &ConvId::c2c("ann").unwrap(),
                &im_model::Message::text("cal to ann"),
            )
            .await
            .unwrap();
    });
    assert_eq!(
        received(&ann, "cal to ann"),
        ("cal".into(), "C2Ccal".into())
    );
    // The group: from a browser to the other and the native client, and
    // from the native client to both browsers.
    send(&ann, "team", true, "ann to the team");
    assert_eq!(
        received(&ben, "ann to the team"),
        ("ann".into(), "GROUPteam".into())
    );
    assert_eq!(
        native_got(&mut cal_events, "ann to the team"),
        ("ann".into(), Some(im_model::ConvType::Group), "team".into())
    );
    runtime.block_on(async {
        cal.messages()
            .send_message(
                &ConvId::group("team").unwrap(),
                &im_model::Message::text("cal to the team"),
            )
            .await
            .unwrap();
    });
    for browser in [&ann, &ben] {
        assert_eq!(
            received(browser, "cal to the team"),
            ("cal".into(), "GROUPteam".into())
        );
    }
    // Each browser's list holds its three conversations.
    for browser in [&ann, &ben] {
        let ids = browser.run(
            "return (await tim.getConversationList()).data.conversationList.map((c) => c.conversationID).sort();",
            &[],
        );
        assert_eq!(ids.as_array().unwrap().len(), 3, "{ids}");
        assert!(
            ids.as_array().unwrap().contains(&json!("GROUPteam")),
            "{ids}"
        );
    }
    runtime.block_on(async {
        cal.shutdown().await;
        server.stop().await;
    });
    ann.close();
    ben.close();
}
