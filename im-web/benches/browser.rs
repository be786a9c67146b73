//! The browser SDK's benchmark (`cargo xtask bench web`): headless
//! Chromium running the bundle from `cargo xtask web` against the real
//! server on 127.0.0.1, each figure beside the native SDK's in the same run.
//!
//! * send-to-receive latency, browser → native, native → browser, and the
//!   native → native baseline (wall-clock milliseconds carried in the text;
//!   one machine, one clock);
//! * importing 100,000 messages into SQLite on OPFS (`importMessages`,
//!   1,000 a call) against the native SDK importing the same into SQLite on
//!   disk;
//! * local search over them, a one-character CJK keyword, in the
//!   conversation and over all of them (the page's call, worker round trip
//!   included) against the native call;
//! * a cold start with 10,000 conversations on OPFS: a new worker from
//!   `create()` to `SDK_READY`, the native client from `login` to its first
//!   sync on its store; then the whole list and a page of 100.
//!
//! `BENCH_MESSAGES` and `BENCH_CONVERSATIONS` shrink the data set.

#[path = "../tests/support/webdriver.rs"]
mod webdriver;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use im_model::{ConvId, Elem, Message};
use im_sdk::{Client, MsgEvent, SdkEvent};
use im_server::{Server, ServerConfig, SigKey};
use im_transport::http::{HttpConfig, HttpTransport};
use serde_json::{Value, json};
use webdriver::Driver;

const APP: u64 = 1_400_000_077;
const KEY: &str = "browser-bench-key";
const LATENCY_SAMPLES: usize = 200;

fn sig(user: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    SigKey::new(APP, KEY).generate(user, now, 86_400)
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// (p50, p99) of samples in milliseconds.
fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

/// The text of message `i` of the data set: English and CJK words.
fn text(i: usize) -> String {
    const WORDS: &[&str] = &[
        "report", "meeting", "lunch", "friday", "review", "budget", "design", "release",
    ];
    const HAN: &[char] = &[
        '你', '好', '世', '界', '今', '天', '报', '告', '周', '五', '会', '议',
    ];
    format!(
        "{} {}{} {} #{i}",
        WORDS[i % WORDS.len()],
        HAN[(i * 7) % HAN.len()],
        HAN[(i * 13 + 1) % HAN.len()],
        WORDS[(i / 3) % WORDS.len()]
    )
}

fn text_of(m: &Message) -> Option<&str> {
    m.elem_array.iter().flatten().find_map(|e| match e {
        Elem::Text(t) => t.content.as_deref(),
        _ => None,
    })
}

type Events = std::pin::Pin<Box<dyn futures::Stream<Item = SdkEvent> + Send>>;

async fn native(
    url: &str,
    user: &str,
    platform: u32,
    dir: Option<&std::path::Path>,
) -> (Client, Events) {
    let mut config = HttpConfig::new(url);
    config.platform = platform;
    let builder = Client::builder()
        .sdk_app_id(APP)
        .transport(Arc::new(HttpTransport::new(config).unwrap()));
    let builder = match dir {
        Some(dir) => builder.data_dir(dir),
        None => builder.memory_store(),
    };
    let client = builder.build().unwrap();
    let events: Events = Box::pin(client.events());
    client.login(user, &sig(user)).await.unwrap();
    (client, events)
}

async fn first_sync(events: &mut Events) {
    while let Some(event) = events.next().await {
        if matches!(event, SdkEvent::SyncFinished) {
            return;
        }
    }
}

const LOGIN: &str = r#"
    const [app, user, userSig] = args;
    const started = performance.now();
    const tim = TencentCloudChat.create({ SDKAppID: app });
    tim.setLogLevel(Number(new URLSearchParams(location.search).get('log') || 2));
    window.tim = tim;
    window.lat = [];

    tim.on(TencentCloudChat.EVENT.MESSAGE_RECEIVED, (event) => {
      const now = performance.timeOrigin + performance.now();
      for (const m of event.data) {
        const match = /^lat ([0-9.]+)$/.exec(m.payload.text || '');
        if (match) window.lat.push(now - Number(match[1]));
      }
    });
    const ready = new Promise((resolve) => tim.on(TencentCloudChat.EVENT.SDK_READY, resolve));
    await tim.login({ userID: user, userSig });
    await ready;
    return performance.now() - started;
"#;

fn main() {
    let messages = setting("BENCH_MESSAGES", 100_000);
    let conversations = setting("BENCH_CONVERSATIONS", 10_000);
    let dist = std::env::var_os("IM_WEB_DIST").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/web"),
        PathBuf::from,
    );
    assert!(
        dist.join("im_web_bg.wasm").exists(),
        "run `cargo xtask web` first"
    );
    let site = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&dist).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), site.path().join(entry.file_name())).unwrap();
    }
    std::fs::write(
        site.path().join("bench.html"),
        "<!doctype html><meta charset=utf-8><script type=module>\
         import TencentCloudChat from './index.js'; window.TencentCloudChat = TencentCloudChat; window.loaded = true;</script>",
    )
    .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = runtime.block_on(async {
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), data.path(), APP, KEY);
        config.web_dir = Some(site.path().to_path_buf());
        Server::start(config).await.unwrap()
    });
    let url = server.url();
    let (bob, mut bob_events) = runtime.block_on(native(&url, "bob", 1, None));
    let (carol, mut carol_events) = runtime.block_on(native(&url, "carol", 1, None));
    let driver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let browser = driver.session(profile.path());
    let page = format!(
        "{url}/web/bench.html?log={}",
        std::env::var("BENCH_LOG_LEVEL").unwrap_or_else(|_| "2".into())
    );
    browser.open(&page);
    browser.run(
        "while (!window.loaded) await new Promise((r) => setTimeout(r, 20));",
        &[],
    );
    let alice = [json!(APP), json!("alice"), json!(sig("alice"))];
    browser.run(LOGIN, &alice);
    let mut rows: Vec<(String, String, String, String)> = Vec::new();

    let started = Instant::now();
    let stage = |what: &str| eprintln!("[{:>6.1} s] {what}", started.elapsed().as_secs_f64());
    stage("latency");
    // ----- latency -----
    let native_to_native = runtime.block_on(async {
        let to_carol = ConvId::c2c("carol").unwrap();
        let mut samples = Vec::new();
        for _ in 0..LATENCY_SAMPLES {
            let sent = format!("lat {}", now_ms());
            bob.messages()
                .send_message(&to_carol, &Message::text(sent.clone()))
                .await
                .unwrap();
            while let Some(event) = carol_events.next().await {
                if let SdkEvent::Message(MsgEvent::NewMessages(list)) = event
                    && let Some(t) = list.iter().find_map(text_of).filter(|t| *t == sent)
                {
                    samples.push(now_ms() - t[4..].parse::<f64>().unwrap());
                    break;
                }
            }
        }
        percentiles(samples)
    });
    let native_to_browser = {
        runtime.block_on(async {
            let to_alice = ConvId::c2c("alice").unwrap();
            for _ in 0..LATENCY_SAMPLES {
                bob.messages()
                    .send_message(&to_alice, &Message::text(format!("lat {}", now_ms())))
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        let samples: Vec<f64> = serde_json::from_value(browser.run(
            "while (window.lat.length < args[0]) await new Promise((r) => setTimeout(r, 10)); return window.lat;",
            &[json!(LATENCY_SAMPLES)],
        ))
        .unwrap();
        percentiles(samples)
    };
    let browser_to_native = {
        let collector = runtime.spawn(async move {
            let mut samples = Vec::new();
            while samples.len() < LATENCY_SAMPLES {
                match bob_events.next().await {
                    Some(SdkEvent::Message(MsgEvent::NewMessages(list))) => {
                        for t in list.iter().filter_map(text_of) {
                            if let Some(ms) = t.strip_prefix("lat ") {
                                samples.push(now_ms() - ms.parse::<f64>().unwrap());
                            }
                        }
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            (samples, bob_events)
        });
        browser.run(
            r#"
            for (let i = 0; i < args[0]; i++) {
              const m = tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text: `lat ${performance.timeOrigin + performance.now()}` } });
              await tim.sendMessage(m);
              await new Promise((r) => setTimeout(r, 10));
            }
            "#,
            &[json!(LATENCY_SAMPLES)],
        );
        let (samples, events) = runtime.block_on(collector).unwrap();
        bob_events = events;
        percentiles(samples)
    };
    let _ = &mut bob_events;
    let ms = |v: f64| format!("{v:.2} ms");
    rows.push((
        "send→receive p50 (native→native baseline)".into(),
        ms(native_to_native.0),
        "".into(),
        "1.00".into(),
    ));
    rows.push((
        "send→receive p50, native → browser".into(),
        ms(native_to_browser.0),
        "< 10 ms".into(),
        format!("{:.2}", native_to_browser.0 / native_to_native.0),
    ));
    rows.push((
        "send→receive p50, browser → native".into(),
        ms(browser_to_native.0),
        "< 10 ms".into(),
        format!("{:.2}", browser_to_native.0 / native_to_native.0),
    ));
    rows.push((
        "send→receive p99 (native→native baseline)".into(),
        ms(native_to_native.1),
        "".into(),
        "1.00".into(),
    ));
    rows.push((
        "send→receive p99, native → browser".into(),
        ms(native_to_browser.1),
        "< 50 ms".into(),
        format!("{:.2}", native_to_browser.1 / native_to_native.1),
    ));
    rows.push((
        "send→receive p99, browser → native".into(),
        ms(browser_to_native.1),
        "< 50 ms".into(),
        format!("{:.2}", browser_to_native.1 / native_to_native.1),
    ));

    stage("import");
    // ----- import and search -----
    let batches: Vec<Value> = (0..messages.div_ceil(1000))
        .map(|b| {
            let list: Vec<Value> = (b * 1000..((b + 1) * 1000).min(messages))
                .map(|i| json!({"type": "TIMTextElem", "payload": {"text": text(i)}, "from": if i % 2 == 0 { "bob" } else { "alice" }, "time": 1_700_000_000 + i as u64}))
                .collect();
            json!(list)
        })
        .collect();
    let mut browser_import_ms = 0.0;
    for batch in &batches {
        let took = browser.run(
            "const t = performance.now(); await tim.importMessages({ conversationID: 'C2Cbench', messageList: args[0] }); return performance.now() - t;",
            std::slice::from_ref(batch),
        );
        browser_import_ms += took.as_f64().unwrap();
    }
    let native_dir = tempfile::tempdir().unwrap();
    let (native_alice, _native_events) =
        runtime.block_on(native(&url, "alice", 3, Some(native_dir.path())));
    let native_import_ms = runtime.block_on(async {
        let conv = ConvId::c2c("bench").unwrap();
        let mut took = 0.0;
        for b in 0..messages.div_ceil(1000) {
            let list: Vec<Message> = (b * 1000..((b + 1) * 1000).min(messages))
                .map(|i| {
                    let mut m = Message::text(text(i));
                    m.sender = Some(if i % 2 == 0 { "bob" } else { "alice" }.into());
                    m.is_from_self = Some(i % 2 == 1);
                    m.server_time = Some(1_700_000_000 + i as u64);
                    m
                })
                .collect();
            let start = Instant::now();
            native_alice
                .messages()
                .import_messages(&conv, &list)
                .await
                .unwrap();
            took += start.elapsed().as_secs_f64() * 1000.0;
        }
        took
    });
    let rate = |ms: f64| messages as f64 / (ms / 1000.0);
    rows.push((
        "import, native SQLite on disk (baseline)".into(),
        format!("{:.0} msgs/s", rate(native_import_ms)),
        "".into(),
        "1.00".into(),
    ));
    rows.push((
        "import, browser SQLite on OPFS".into(),
        format!("{:.0} msgs/s", rate(browser_import_ms)),
        "≥ 10,000 msgs/s".into(),
        format!("{:.2}", rate(browser_import_ms) / rate(native_import_ms)),
    ));

    stage("search");
    let search_browser = |conversation: bool| -> f64 {
        let took = browser.run(
            r#"
            const runs = [];
            for (let i = 0; i < 21; i++) {
              const t = performance.now();
              const options = { keywordList: ['世'], count: 20 };
              if (args[0]) options.conversationID = 'C2Cbench';
              const answer = await tim.searchLocalMessages(options);
              runs.push(performance.now() - t);
              if (answer.data.totalCount === 0) throw new Error('no hits');
            }
            runs.sort((a, b) => a - b);
            return runs[10];
            "#,
            &[json!(conversation)],
        );
        took.as_f64().unwrap()
    };
    let search_native = |conversation: bool| -> f64 {
        runtime.block_on(async {
            let mut runs = Vec::new();
            for _ in 0..21 {
                let param = im_model::message::MessageSearchParam {
                    keyword_array: Some(vec!["世".into()]),
                    conv_id: conversation.then(|| "bench".to_owned()),
                    conv_type: conversation.then_some(im_model::ConvType::C2C),
                    page_size: Some(20),
                    page_index: Some(0),
                    ..Default::default()
                };
                let start = Instant::now();
                native_alice
                    .messages()
                    .search_local_messages(&param)
                    .await
                    .unwrap();
                runs.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            runs.sort_by(f64::total_cmp);
            runs[10]
        })
    };
    for (conversation, label) in [(true, "in the conversation"), (false, "all conversations")] {
        let (native_ms, browser_ms) = (search_native(conversation), search_browser(conversation));
        rows.push((
            format!("search '世' at {messages} messages, {label}, native (baseline)"),
            ms(native_ms),
            "".into(),
            "1.00".into(),
        ));
        rows.push((
            format!("search '世' at {messages} messages, {label}, browser"),
            ms(browser_ms),
            "< 10 ms".into(),
            format!("{:.2}", browser_ms / native_ms),
        ));
    }

    stage("conversations");
    // ----- 10,000 conversations: cold start -----
    runtime.block_on(async {
        let users: Vec<String> = (0..conversations).map(|i| format!("u{i}")).collect();
        // Tencent's most users per batch send.
        for chunk in users.chunks(500) {
            let results = native_alice
                .messages()
                .batch_send(chunk, &Message::text("hello"))
                .await
                .unwrap();
            assert!(
                results.iter().all(|r| r.code == Some(0)),
                "{:?}",
                results.first()
            );
        }
    });
    stage("the browser's sync");
    // The browser's alice has them all (through its sync) before the reload.
    let synced = browser.run(
        r#"
        let count = 0;
        for (let i = 0; i < 550; i++) {
          count = (await tim.getConversationList()).data.conversationList.length;
          if (count >= args[0]) break;
          if (i % 25 === 0) console.log(`${i}: ${count}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        return count;
        "#,
        &[json!(conversations)],
    );
    if synced.as_u64().unwrap() < conversations as u64 {
        for line in browser.console() {
            eprintln!("console: {line}");
        }
        panic!("the browser has {synced} conversations");
    }
    browser.open(&page);
    browser.run(
        "while (!window.loaded) await new Promise((r) => setTimeout(r, 20));",
        &[],
    );
    let cold_browser = browser.run(LOGIN, &alice).as_f64().unwrap();
    let lists = browser.run(
        r#"
        let t = performance.now();
        const all = (await tim.getConversationList()).data.conversationList;
        const whole = performance.now() - t;
        const ids = all.slice(0, 100).map((c) => c.conversationID);
        const median = async (call) => {
          const runs = [];
          for (let i = 0; i < 21; i++) {
            t = performance.now();
            await call();
            runs.push(performance.now() - t);
          }
          runs.sort((a, b) => a - b);
          return runs[10];
        };
        const byIds = await median(() => tim.getConversationList(ids));
        const page = await median(() => tim.getConversationList({ count: 100 }));
        // A call through the worker that does no work: the floor of every
        // call's latency.
        const ping = await median(() => tim._post('__isReady'));
        return { count: all.length, whole, byIds, page, ping };
        "#,
        &[],
    );
    assert!(lists["count"].as_u64().unwrap() >= conversations as u64);
    let cold_native = runtime.block_on(async {
        native_alice.shutdown().await;
        let start = Instant::now();
        let (client, mut events) = native(&url, "alice", 3, Some(native_dir.path())).await;
        first_sync(&mut events).await;
        let listed = client.conversations().conversation_list().await.unwrap();
        let took = start.elapsed().as_secs_f64() * 1000.0;
        assert!(listed.len() >= conversations);
        client.shutdown().await;
        took
    });
    rows.push((
        format!("cold start to ready with {conversations} conversations, native (baseline)"),
        ms(cold_native),
        "".into(),
        "1.00".into(),
    ));
    rows.push((
        format!("cold start to SDK_READY with {conversations} conversations, browser on OPFS"),
        ms(cold_browser),
        "< 500 ms".into(),
        format!("{:.2}", cold_browser / cold_native),
    ));
    rows.push((
        format!("getConversationList(), all {conversations}, browser"),
        ms(lists["whole"].as_f64().unwrap()),
        "".into(),
        "".into(),
    ));
    let page_native = runtime.block_on(async {
        let (client, _events) = native(&url, "alice", 3, Some(native_dir.path())).await;
        let mut runs = Vec::new();
        for _ in 0..21 {
            let start = Instant::now();
            let page = client
                .conversations()
                .conversation_list_by_filter(&im_store::ConvFilter::all(), 0, 100)
                .await
                .unwrap();
            runs.push(start.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(page.conv_list.map_or(0, |l| l.len()), 100);
        }
        client.shutdown().await;
        runs.sort_by(f64::total_cmp);
        runs[10]
    });
    let page_browser = lists["page"].as_f64().unwrap();
    rows.push((
        format!("conversation page of 100 at {conversations}, native (baseline)"),
        ms(page_native),
        "".into(),
        "1.00".into(),
    ));
    rows.push((
        format!("getConversationList({{count: 100}}) at {conversations}, browser"),
        ms(page_browser),
        "< 5 ms".into(),
        format!("{:.2}", page_browser / page_native),
    ));
    rows.push((
        "a call to the worker and back, doing nothing, browser".into(),
        ms(lists["ping"].as_f64().unwrap()),
        "".into(),
        "".into(),
    ));
    rows.push((
        format!("getConversationList(100 ids) at {conversations}, browser"),
        ms(lists["byIds"].as_f64().unwrap()),
        "".into(),
        "".into(),
    ));

    println!("| measure | value | target | ratio to native |");
    println!("|---|---|---|---|");
    for (what, value, target, ratio) in rows {
        println!("| {what} | {value} | {target} | {ratio} |");
    }
    browser.close();
    runtime.block_on(async {
        bob.shutdown().await;
        carol.shutdown().await;
        server.stop().await;
    });
}
