//! What the C API costs over calling im-sdk directly, in one process:
//! the same calls, against the same reference server on 127.0.0.1, one
//! user through `TIMConvGetConvList` / `TIMMsgGetMsgList` / `TIMMsgFindMessages`
//! (argument checks, a task on the SDK runtime, JSON encoding, the hop to
//! the callback thread, the callback), the other through the Rust API
//! (`block_on` of the same im-sdk method). Medians and p95 over
//! `BENCH_CALLS` calls (default 2,000); the ratio is what to compare.
//! Run with `cargo bench -p im-ffi --bench c_api_overhead` (or `cargo xtask bench`).
#![allow(clippy::undocumented_unsafe_blocks)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::ffi::CString;
use std::time::{Duration, Instant};

use ImSDK::api::{conversation as conv, message as msg};
use im_sdk::im_model::message::MsgGetMsgListParam;
use im_sdk::im_model::{ConvId, Message};
use support::calls::{Session, key, record, wait};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Median and p95 of `calls` runs of `f`.
fn measure(calls: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..calls / 10 {
        f();
    }
    let mut times: Vec<Duration> = (0..calls)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.95))
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let calls: usize = std::env::var("BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let server = support::start_server();
    let (bob, _) = support::peer(&server, "bob");
    let (carol, _) = support::peer(&server, "carol");
    let (alice_id, carol_id) = (ConvId::c2c("alice").unwrap(), ConvId::c2c("carol").unwrap());
    // The same 20 messages from bob to each of them.
    let mut ids = Vec::new();
    server.runtime.block_on(async {
        for n in 0..20 {
            let text = Message::text(format!("message {n}: 会议 meeting"));
            bob.messages().send_message(&alice_id, &text).await.unwrap();
            let sent = bob.messages().send_message(&carol_id, &text).await.unwrap();
            ids.push(sent.msg_id.unwrap());
        }
    });
    let session = Session::start(&server, "alice");
    let bob_conv = ConvId::c2c("bob").unwrap();
    // Both have caught up with the server.
    std::thread::sleep(Duration::from_secs(1));

    let param = MsgGetMsgListParam {
        count: Some(20),
        ..Default::default()
    };
    let c_param = CString::new(r#"{"msg_getmsglist_param_count":20}"#).unwrap();
    let id_list = serde_json::to_string(&ids[..5]).unwrap();
    let c_ids = CString::new(id_list).unwrap();
    let rows = [
        (
            "conversation list",
            measure(calls, || {
                let k = key();
                assert_eq!(unsafe { conv::TIMConvGetConvList(Some(record), k) }, 0);
                assert_eq!(wait(k).0, 0);
            }),
            measure(calls, || {
                let list = server
                    .runtime
                    .block_on(carol.conversations().conversation_list());
                assert_eq!(list.unwrap().len(), 1);
            }),
        ),
        (
            "history page of 20",
            measure(calls, || {
                let k = key();
                let r = unsafe {
                    msg::TIMMsgGetMsgList(c"bob".as_ptr(), 1, c_param.as_ptr(), Some(record), k)
                };
                assert_eq!(r, 0);
                assert_eq!(wait(k).0, 0);
            }),
            measure(calls, || {
                let page = server
                    .runtime
                    .block_on(carol.messages().get_message_list(&bob_conv, &param));
                assert_eq!(page.unwrap().len(), 20);
            }),
        ),
        (
            "find 5 messages by id",
            measure(calls, || {
                let k = key();
                assert_eq!(
                    unsafe { msg::TIMMsgFindMessages(c_ids.as_ptr(), Some(record), k) },
                    0
                );
                assert_eq!(wait(k).0, 0);
            }),
            measure(calls, || {
                let found = server
                    .runtime
                    .block_on(carol.messages().find_messages(&ids[..5]));
                assert_eq!(found.unwrap().len(), 5);
            }),
        ),
    ];
    println!("\nThe C API against im-sdk's Rust API, {calls} calls each (median / p95)\n");
    println!("| call | C API | Rust API (baseline) | ratio of medians |");
    println!("|---|---|---|---|");
    for (name, (c_med, c_p95), (r_med, r_p95)) in rows {
        println!(
            "| {name} | {} / {} | {} / {} | {:.2} |",
            ms(c_med),
            ms(c_p95),
            ms(r_med),
            ms(r_p95),
            c_med.as_secs_f64() / r_med.as_secs_f64()
        );
    }
    drop(session);
    server.runtime.block_on(bob.shutdown());
    server.runtime.block_on(carol.shutdown());
}
