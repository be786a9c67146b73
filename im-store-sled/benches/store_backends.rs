//! The store benchmark on both persistent backends side by side (SQLite
//! and sled), each figure next to a raw baseline run in the same process.
//!
//! Builds `BENCH_MESSAGES` messages (default 1,000,000) over
//! `BENCH_CONVERSATIONS` conversations (default 100,000) with mixed Chinese
//! and English text and realistic JSON (about 600 bytes), imports them into
//! each backend, then measures: import throughput, filtered conversation
//! pages, total unread, latest 20 messages, local search, and size on disk.
//! The raw baseline is a plain rusqlite table with one (conversation, time)
//! index. Run with `cargo bench -p im-store-sled --bench store_backends`
//! (or `cargo xtask bench`). `BENCH_ONLY=sqlite-import` stops after the
//! SQLite import and prints its rate (for profiling it).

use std::time::{Duration, Instant};

use im_model::ConvId;
use im_model::message::Message;
use im_store::conformance::bench_data;
use im_store::search::{default_search_types, normalize};
use im_store::{ConvFilter, ConvQuery, HistoryQuery, SearchQuery, Store, VersionRange, WriteBatch};
use im_store_sled::SledStore;
use im_store_sqlite::SqliteStore;
use rusqlite::{Connection, params};

const BATCH: usize = 1000;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
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

/// Where a search looks, and the shape of its answer.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// All conversations, a page of 20 messages with the exact number of
    /// matching messages (`MessageStore::search_messages`).
    AllMessages,
    /// All conversations in Tencent's shape: a page of 20 conversations
    /// with the number of conversations and each one's count of matches
    /// (`MessageStore::search_conversations`, what
    /// `TIMMsgSearchLocalMessages` without a conversation returns).
    AllConversations,
    /// One conversation, a page of 20 with the exact total.
    One,
}

impl Scope {
    fn label(self) -> &'static str {
        match self {
            Scope::AllMessages => "all conversations, messages",
            Scope::AllConversations => "all conversations, Tencent's shape",
            Scope::One => "one conversation",
        }
    }
}

/// One search measurement: a label, the keywords, whether all must match.
struct Search {
    label: &'static str,
    keywords: &'static [&'static str],
    match_all: bool,
    scope: Scope,
}

const fn search(
    label: &'static str,
    keywords: &'static [&'static str],
    match_all: bool,
    scope: Scope,
) -> Search {
    Search {
        label,
        keywords,
        match_all,
        scope,
    }
}

/// "meeting" and "report" are each in about half of all messages, "报" in
/// about 40%, "会议项" in a few percent.
const SEARCHES: &[Search] = &[
    search(
        "English \"meeting\"",
        &["meeting"],
        false,
        Scope::AllMessages,
    ),
    search(
        "English \"meeting\"",
        &["meeting"],
        false,
        Scope::AllConversations,
    ),
    search("English \"meeting\"", &["meeting"], false, Scope::One),
    search(
        "\"meeting\" AND \"report\"",
        &["meeting", "report"],
        true,
        Scope::AllMessages,
    ),
    search(
        "\"meeting\" OR \"report\"",
        &["meeting", "report"],
        false,
        Scope::AllMessages,
    ),
    search(
        "3-char Chinese \"会议项\"",
        &["会议项"],
        false,
        Scope::AllMessages,
    ),
    search("3-char Chinese \"会议项\"", &["会议项"], false, Scope::One),
    search(
        "2-char Chinese \"会议\"",
        &["会议"],
        false,
        Scope::AllMessages,
    ),
    search("1-char Chinese \"报\"", &["报"], false, Scope::AllMessages),
    search(
        "1-char Chinese \"报\"",
        &["报"],
        false,
        Scope::AllConversations,
    ),
    search("1-char Chinese \"报\"", &["报"], false, Scope::One),
];

/// One backend's figures, in the order of the table's rows.
struct Figures {
    import_rate: f64,
    pages: Vec<(Duration, Duration)>,
    unread: Duration,
    latest: Duration,
    searches: Vec<Duration>,
}

/// Loads the conversations and imports the messages into `store`, then
/// measures it.
fn measure(
    store: &dyn Store,
    total_convs: u64,
    messages: &[(ConvId, Message)],
    busy: &[ConvId],
    scoped: &ConvId,
) -> Figures {
    // Conversations first (5% starred, 1% hidden, 20 groups).
    for batch in bench_data::conversation_batches(total_convs, BATCH) {
        store.apply(&batch).unwrap();
    }
    let start = Instant::now();
    for chunk in messages.chunks(BATCH) {
        let mut batch = WriteBatch::new();
        for (conv, m) in chunk {
            batch.put_message(conv.clone(), m.clone());
        }
        store.apply(&batch).unwrap();
    }
    let import_rate = messages.len() as f64 / start.elapsed().as_secs_f64();

    let pages = bench_data::filter_shapes()
        .iter()
        .map(|(_, filter)| {
            time_it(200, || {
                let page = store
                    .list_conversations(&ConvQuery {
                        filter,
                        after: None,
                        versions: VersionRange::Any,
                        limit: 100,
                    })
                    .unwrap();
                std::hint::black_box(page);
            })
        })
        .collect();
    let (unread, _) = time_it(1000, || {
        std::hint::black_box(store.unread_total(&ConvFilter::all()).unwrap());
    });
    let mut k = 0;
    let (latest, _) = time_it(500, || {
        k = (k + 1) % busy.len();
        std::hint::black_box(
            store
                .history(&HistoryQuery::latest(busy[k].clone(), 20))
                .unwrap(),
        );
    });
    let searches = SEARCHES
        .iter()
        .map(|search| {
            let query = SearchQuery {
                keywords: search.keywords.iter().map(|k| normalize(k)).collect(),
                match_all: search.match_all,
                senders: Vec::new(),
                elem_types: default_search_types(),
                conv: (search.scope == Scope::One).then(|| scoped.clone()),
                time_range: None,
            };
            let (median, _) = time_it(10, || match search.scope {
                Scope::AllConversations => {
                    std::hint::black_box(store.search_conversations(&query, 0, 20).unwrap());
                }
                Scope::AllMessages | Scope::One => {
                    std::hint::black_box(store.search_messages(&query, 0, 20).unwrap());
                }
            });
            median
        })
        .collect();
    Figures {
        import_rate,
        pages,
        unread,
        latest,
        searches,
    }
}

/// Bytes under `dir` (recursively).
fn size_of(path: &std::path::Path) -> u64 {
    let meta = std::fs::metadata(path).unwrap();
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| size_of(&e.path()))
        .sum()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let total_messages = env_or("BENCH_MESSAGES", 1_000_000);
    let total_convs = env_or("BENCH_CONVERSATIONS", 100_000);
    let dir = tempfile::tempdir().unwrap();
    println!(
        "## Stores: {total_messages} messages over {total_convs} conversations, SQLite and sled\n"
    );
    let messages: Vec<(ConvId, Message)> =
        bench_data::messages(total_messages, total_convs).collect();
    let json_bytes: usize = messages
        .iter()
        .map(|(_, m)| serde_json::to_vec(m).unwrap().len())
        .sum();
    println!(
        "average message JSON: {} bytes\n",
        json_bytes / messages.len()
    );
    let busy: Vec<ConvId> = (0..50)
        .map(|i| messages[(i * 997) % messages.len()].0.clone())
        .collect();
    let scoped = messages[12_345 % messages.len()].0.clone();

    let sqlite_path = dir.path().join("store.db");
    let sqlite = SqliteStore::open(&sqlite_path).unwrap();
    let lite = measure(&sqlite, total_convs, &messages, &busy, &scoped);
    drop(sqlite);
    if std::env::var("BENCH_ONLY").as_deref() == Ok("sqlite-import") {
        println!("SQLite import: {:.0} messages/s", lite.import_rate);
        return;
    }
    let sled_path = dir.path().join("store.sled");
    let sled = SledStore::open(&sled_path).unwrap();
    let sl = measure(&sled, total_convs, &messages, &busy, &scoped);
    drop(sled);

    // The raw baseline: a plain table with one (conversation, time) index,
    // the same pragmas and transaction size.
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
    let raw_rate = total_messages as f64 / start.elapsed().as_secs_f64();
    let (raw_sum, _) = time_it(20, || {
        let s: i64 = raw
            .query_row("SELECT COUNT(*) FROM m", [], |r| r.get(0))
            .unwrap();
        std::hint::black_box(s);
    });
    let mut k = 0;
    let (raw_latest, _) = time_it(500, || {
        k = (k + 1) % busy.len();
        let mut st = raw
            .prepare_cached("SELECT data FROM m WHERE conv = ?1 ORDER BY time DESC LIMIT 20")
            .unwrap();
        let rows: Vec<String> = st
            .query_map([busy[k].to_string()], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        std::hint::black_box(rows);
    });

    let ratio = |ours: f64, base: f64| ours / base;
    println!("| measure | SQLite | sled | raw baseline | SQLite ratio | sled ratio | target |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| import (messages/s) | {:.0} | {:.0} | {raw_rate:.0} | {:.2} | {:.2} | >= 0.5 |",
        lite.import_rate,
        sl.import_rate,
        ratio(lite.import_rate, raw_rate),
        ratio(sl.import_rate, raw_rate)
    );
    for (i, (name, _)) in bench_data::filter_shapes().iter().enumerate() {
        println!(
            "| page of 100, {name} (median / p95) | {} / {} | {} / {} | | | | < 1 ms / < 2 ms |",
            ms(lite.pages[i].0),
            ms(lite.pages[i].1),
            ms(sl.pages[i].0),
            ms(sl.pages[i].1)
        );
    }
    println!(
        "| total unread | {} | {} | {} (COUNT over messages) | {:.5} | {:.5} | < 0.1 ms |",
        ms(lite.unread),
        ms(sl.unread),
        ms(raw_sum),
        lite.unread.as_secs_f64() / raw_sum.as_secs_f64(),
        sl.unread.as_secs_f64() / raw_sum.as_secs_f64()
    );
    println!(
        "| latest 20 messages | {} | {} | {} | {:.2} | {:.2} | < 0.2 ms |",
        ms(lite.latest),
        ms(sl.latest),
        ms(raw_latest),
        lite.latest.as_secs_f64() / raw_latest.as_secs_f64(),
        sl.latest.as_secs_f64() / raw_latest.as_secs_f64()
    );
    for (i, search) in SEARCHES.iter().enumerate() {
        let likes: Vec<String> = search.keywords.iter().map(|k| format!("%{k}%")).collect();
        let joiner = if search.match_all { " AND " } else { " OR " };
        let matches = (0..likes.len())
            .map(|k| format!("data LIKE ?{}", k + 2))
            .collect::<Vec<_>>()
            .join(joiner);
        let scope = match search.scope {
            Scope::One => "conv = ?1",
            Scope::AllMessages | Scope::AllConversations => "?1 IS NULL",
        };
        let sql =
            format!("SELECT data FROM m WHERE {scope} AND ({matches}) ORDER BY time DESC LIMIT 20");
        let conv = (search.scope == Scope::One).then(|| scoped.to_string());
        let mut args: Vec<rusqlite::types::Value> = vec![conv.into()];
        args.extend(likes.iter().map(|l| l.clone().into()));
        let (scan, _) = time_it(3, || {
            let rows: Vec<String> = raw
                .prepare_cached(&sql)
                .unwrap()
                .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            std::hint::black_box(rows);
        });
        println!(
            "| search {}, {} | {} | {} | {} (LIKE scan) | {:.1}x faster | {:.1}x faster | < 5 ms, >= 50x |",
            search.label,
            search.scope.label(),
            ms(lite.searches[i]),
            ms(sl.searches[i]),
            ms(scan),
            scan.as_secs_f64() / lite.searches[i].as_secs_f64(),
            scan.as_secs_f64() / sl.searches[i].as_secs_f64()
        );
    }
    drop(raw);
    let raw_size = size_of(dir.path().join("raw.db").as_path())
        + ["raw.db-wal", "raw.db-shm"]
            .iter()
            .map(|f| dir.path().join(f))
            .filter(|p| p.exists())
            .map(|p| size_of(&p))
            .sum::<u64>();
    let sqlite_size: u64 = ["store.db", "store.db-wal", "store.db-shm"]
        .iter()
        .map(|f| dir.path().join(f))
        .filter(|p| p.exists())
        .map(|p| size_of(&p))
        .sum();
    let sled_size = size_of(&sled_path);
    println!(
        "| size on disk per message | {} bytes | {} bytes | {} bytes | {:.2} | {:.2} | |",
        sqlite_size / total_messages,
        sled_size / total_messages,
        raw_size / total_messages,
        sqlite_size as f64 / raw_size as f64,
        sled_size as f64 / raw_size as f64
    );
}
