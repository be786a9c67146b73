//! SQLite store benchmark (issue targets), each figure next to a raw
//! baseline run in the same process.
//!
//! Builds `BENCH_MESSAGES` messages (default 1,000,000) over
//! `BENCH_CONVERSATIONS` conversations (default 100,000) with mixed Chinese
//! and English text and realistic JSON (about 600 bytes), then measures:
//! import throughput, filtered conversation pages, total unread, latest 20
//! messages, local search, and size on disk. Run with
//! `cargo bench -p im-store-sqlite --bench sqlite_store` (or `cargo xtask bench`).

use std::time::{Duration, Instant};

use im_model::message::{Message, UserProfile};
use im_model::{ConvId, MarkSet, MsgStatus};
use im_store::search::{default_search_types, normalize};
use im_store::{
    ConvFilter, ConvQuery, Conversation, ConversationStore, GroupFilter, HistoryQuery, MarkFilter,
    MessageStore, SearchQuery, VersionRange, WriteBatch, WriteOp,
};
use im_store_sqlite::SqliteStore;
use rusqlite::{Connection, params};

const BATCH: usize = 1000;

const ZH: &[&str] = &[
    "今天", "明天", "会议", "项目", "进度", "报告", "你好", "谢谢", "时间", "安排", "客户", "需求",
    "测试", "上线", "周末", "吃饭", "开会", "文档", "问题", "解决",
];
const EN: &[&str] = &[
    "meeting", "report", "deploy", "review", "lunch", "tomorrow", "project", "status", "update",
    "release", "budget", "design", "hello", "thanks", "schedule", "customer",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self, m: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % m
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn conv_id(i: u64) -> ConvId {
    if i.is_multiple_of(4) {
        ConvId::group(format!("group{i}")).unwrap()
    } else {
        ConvId::c2c(format!("user{i}")).unwrap()
    }
}

fn message(rng: &mut Rng, conv: &ConvId, n: u64, time: u64) -> Message {
    let words = 4 + rng.next(8);
    let text: String = (0..words)
        .map(|_| {
            if rng.next(2) == 0 {
                ZH[rng.next(ZH.len() as u64) as usize].to_owned()
            } else {
                format!("{} ", EN[rng.next(EN.len() as u64) as usize])
            }
        })
        .collect();
    let sender = format!("user{}", rng.next(100_000));
    Message {
        msg_id: Some(format!("144115233874815003-{time}-{n}")),
        conv_id: Some(conv.peer().to_owned()),
        conv_type: Some(conv.conv_type()),
        sender: Some(sender.clone()),
        is_from_self: Some(false),
        server_time: Some(time),
        client_time: Some(time),
        seq: Some(n + 1),
        rand: Some(rng.next(u64::from(u32::MAX))),
        unique_id: Some(6_961_616_747_713_488_299 + n),
        status: Some(MsgStatus::SendSucc),
        priority: Some(im_model::MsgPriority::Normal),
        is_read: Some(false),
        sender_profile: Some(UserProfile {
            identifier: Some(sender.clone()),
            nick_name: Some(format!("昵称 {sender}")),
            face_url: Some(format!("https://a.example.invalid/{sender}.png")),
            ..UserProfile::default()
        }),
        ..Message::text(text)
    }
}

fn median_p95(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p95 = samples[(samples.len() * 95 / 100).min(samples.len() - 1)];
    (samples[samples.len() / 2], p95)
}

fn time_it(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..3 {
        f();
    }
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    median_p95(samples)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let total_messages = env_or("BENCH_MESSAGES", 1_000_000);
    let total_convs = env_or("BENCH_CONVERSATIONS", 100_000);
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    println!("## SQLite store: {total_messages} messages over {total_convs} conversations\n");

    // Conversations first (5% starred, 1% hidden, 20 groups).
    let store = SqliteStore::open(dir.path().join("store.db")).unwrap();
    let mut batch = WriteBatch::new();
    for g in 0..20 {
        batch.push(WriteOp::CreateGroup(format!("group-{g}")));
    }
    store.apply(&batch).unwrap();
    for chunk in (0..total_convs).collect::<Vec<_>>().chunks(BATCH) {
        let mut batch = WriteBatch::new();
        for &i in chunk {
            let mut c = Conversation::new(conv_id(i), 1_600_000_000 + i);
            c.version = i + 1;
            c.unread_count = i % 3;
            c.pinned = i % 1000 == 0;
            if i % 20 == 0 {
                c.marks |= MarkSet::STAR;
            }
            if i % 100 == 7 {
                c.marks |= MarkSet::HIDE;
            }
            if i % 5 == 0 {
                c.groups.insert(format!("group-{}", (i / 5) % 20));
            }
            batch.put(c);
        }
        store.apply(&batch).unwrap();
    }

    // Messages: generated once, imported through the store and, as the
    // baseline, into a plain table with one (conversation, time) index,
    // same pragmas and transaction size.
    let messages: Vec<(ConvId, Message)> = (0..total_messages)
        .map(|n| {
            let conv = conv_id(rng.next(total_convs));
            let m = message(&mut rng, &conv, n, 1_650_000_000 + n / 10);
            (conv, m)
        })
        .collect();
    let json_bytes: usize = messages
        .iter()
        .map(|(_, m)| serde_json::to_vec(m).unwrap().len())
        .sum();
    println!(
        "average message JSON: {} bytes\n",
        json_bytes / messages.len()
    );

    let start = Instant::now();
    for chunk in messages.chunks(BATCH) {
        let mut batch = WriteBatch::new();
        for (conv, m) in chunk {
            batch.put_message(conv.clone(), m.clone());
        }
        store.apply(&batch).unwrap();
    }
    let ours = start.elapsed();

    let raw_path = dir.path().join("raw.db");
    let mut raw = Connection::open(&raw_path).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.pragma_update(None, "synchronous", "FULL").unwrap();
    raw.execute_batch(
        "CREATE TABLE m (id TEXT NOT NULL, conv TEXT NOT NULL, time INTEGER NOT NULL, data TEXT NOT NULL) STRICT;
         CREATE INDEX m_conv_time ON m (conv, time);",
    )
    .unwrap();
    let start = Instant::now();
    for chunk in messages.chunks(BATCH) {
        let tx = raw.transaction().unwrap();
        {
            let mut st = tx
                .prepare_cached("INSERT INTO m (id, conv, time, data) VALUES (?1, ?2, ?3, ?4)")
                .unwrap();
            for (conv, m) in chunk {
                st.execute(params![
                    m.msg_id.as_deref().unwrap(),
                    conv.to_string(),
                    m.timestamp() as i64,
                    serde_json::to_string(m).unwrap()
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let baseline = start.elapsed();
    let rate = |d: Duration| total_messages as f64 / d.as_secs_f64();
    println!("| measure | store | raw baseline | ratio | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| import (messages/s) | {:.0} | {:.0} | {:.2} | >= 0.5 |",
        rate(ours),
        rate(baseline),
        rate(ours) / rate(baseline)
    );

    // Filtered conversation pages of 100.
    let shapes: Vec<(&str, ConvFilter)> = vec![
        ("all", ConvFilter::all()),
        (
            "c2c",
            ConvFilter {
                conv_type: Some(im_model::ConvType::C2C),
                ..ConvFilter::all()
            },
        ),
        (
            "starred",
            ConvFilter {
                marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
                ..ConvFilter::all()
            },
        ),
        (
            "unmarked",
            ConvFilter {
                marks: Some(MarkFilter::Unmarked),
                ..ConvFilter::all()
            },
        ),
        (
            "hidden",
            ConvFilter {
                marks: Some(MarkFilter::HasAll(MarkSet::HIDE)),
                ..ConvFilter::all()
            },
        ),
        (
            "in_group",
            ConvFilter {
                group: Some(GroupFilter::Named("group-3".into())),
                ..ConvFilter::all()
            },
        ),
        (
            "in_no_group",
            ConvFilter {
                group: Some(GroupFilter::InNoGroup),
                ..ConvFilter::all()
            },
        ),
        (
            "has_unread",
            ConvFilter {
                has_unread: Some(true),
                ..ConvFilter::all()
            },
        ),
        (
            "group_and_star",
            ConvFilter {
                group: Some(GroupFilter::Named("group-0".into())),
                marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
                ..ConvFilter::all()
            },
        ),
    ];
    for (name, filter) in &shapes {
        let (median, p95) = time_it(200, || {
            let page = store
                .list_conversations(&ConvQuery {
                    filter,
                    after: None,
                    versions: VersionRange::Any,
                    limit: 100,
                })
                .unwrap();
            std::hint::black_box(page);
        });
        println!(
            "| page of 100, {name} (median / p95) | {} / {} | | | < 1 ms / < 2 ms |",
            ms(median),
            ms(p95)
        );
    }
    let (median, _) = time_it(1000, || {
        std::hint::black_box(store.unread_total(&ConvFilter::all()).unwrap());
    });
    let (raw_sum, _) = time_it(20, || {
        let s: i64 = raw
            .query_row("SELECT COUNT(*) FROM m", [], |r| r.get(0))
            .unwrap();
        std::hint::black_box(s);
    });
    println!(
        "| total unread | {} | {} (COUNT over messages) | {:.5} | < 0.1 ms |",
        ms(median),
        ms(raw_sum),
        median.as_secs_f64() / raw_sum.as_secs_f64()
    );

    // Latest 20 messages of busy conversations.
    let convs: Vec<ConvId> = (0..50).map(|i| messages[i * 997].0.clone()).collect();
    let mut k = 0;
    let (median, _) = time_it(500, || {
        k = (k + 1) % convs.len();
        std::hint::black_box(
            store
                .history(&HistoryQuery::latest(convs[k].clone(), 20))
                .unwrap(),
        );
    });
    let mut k = 0;
    let (raw_latest, _) = time_it(500, || {
        k = (k + 1) % convs.len();
        let mut st = raw
            .prepare_cached("SELECT data FROM m WHERE conv = ?1 ORDER BY time DESC LIMIT 20")
            .unwrap();
        let rows: Vec<String> = st
            .query_map([convs[k].to_string()], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        std::hint::black_box(rows);
    });
    println!(
        "| latest 20 messages | {} | {} | {:.2} | < 0.2 ms |",
        ms(median),
        ms(raw_latest),
        median.as_secs_f64() / raw_latest.as_secs_f64()
    );

    // Search: page of 20, newest first.
    let scoped = messages[12_345].0.clone();
    for (label, keyword) in [
        ("English \"meeting\"", "meeting"),
        ("3-char Chinese \"会议项\"", "会议项"),
        ("1-char Chinese \"报\"", "报"),
    ] {
        for conv in [None, Some(scoped.clone())] {
            let query = SearchQuery {
                keywords: vec![normalize(keyword)],
                match_all: false,
                senders: Vec::new(),
                elem_types: default_search_types(),
                conv: conv.clone(),
                time_range: None,
            };
            let (median, _) = time_it(10, || {
                std::hint::black_box(store.search_messages(&query, 0, 20).unwrap());
            });
            let like = format!("%{keyword}%");
            let scope = conv.as_ref().map(ToString::to_string);
            let (scan, _) = time_it(3, || {
                let rows: Vec<String> = match &scope {
                    Some(c) => raw
                        .prepare_cached("SELECT data FROM m WHERE conv = ?2 AND data LIKE ?1 ORDER BY time DESC LIMIT 20")
                        .unwrap()
                        .query_map(params![like, c], |r| r.get(0))
                        .unwrap()
                        .map(Result::unwrap)
                        .collect(),
                    None => raw
                        .prepare_cached("SELECT data FROM m WHERE data LIKE ?1 ORDER BY time DESC LIMIT 20")
                        .unwrap()
                        .query_map(params![like], |r| r.get(0))
                        .unwrap()
                        .map(Result::unwrap)
                        .collect(),
                };
                std::hint::black_box(rows);
            });
            println!(
                "| search {label}, {} | {} | {} (LIKE scan) | {:.1}x faster | < 5 ms, >= 50x |",
                if conv.is_some() {
                    "one conversation"
                } else {
                    "all conversations"
                },
                ms(median),
                ms(scan),
                scan.as_secs_f64() / median.as_secs_f64()
            );
        }
    }

    drop(store);
    let size = |name: &str| -> u64 {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(name))
            .map(|e| e.metadata().unwrap().len())
            .sum()
    };
    println!(
        "| size on disk per message | {} bytes | {} bytes | {:.2} | |",
        size("store.db") / total_messages,
        size("raw.db") / total_messages,
        size("store.db") as f64 / size("raw.db") as f64
    );
}
