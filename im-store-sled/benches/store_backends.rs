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
//! SQLite import and prints its rate (for profiling it). `BENCH_GROWTH=1`
//! measures the UI queries alone on stores built once under
//! `target/bench-data/` (see [`growth`]), for the 10,000,000-message run.

use std::path::Path;
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

/// Shares of the 1,000,000 messages holding each keyword: "re" 51%
/// (report, review, release), "meeting" and "report" 21% each, "报" and
/// "会议" 17%, "会议项" 0.4%.
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
    search("2-char English \"re\"", &["re"], false, Scope::AllMessages),
    search(
        "2-char English \"re\"",
        &["re"],
        false,
        Scope::AllConversations,
    ),
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
    queries: QueryFigures,
}

/// The UI queries' figures.
struct QueryFigures {
    pages: Vec<(Duration, Duration)>,
    unread: Duration,
    latest: Duration,
    searches: Vec<Duration>,
}

/// The conversations the history and scoped-search figures use: 50 busy
/// ones and one for searches within a conversation, taken from the
/// generator so that every mode measures the same ones.
struct Picks {
    busy: Vec<ConvId>,
    scoped: ConvId,
}

impl Picks {
    fn of(total_messages: u64, total_convs: u64) -> Picks {
        let n = total_messages.max(1);
        let wanted: Vec<u64> = (0..50).map(|i| i * 997 % n).chain([12_345 % n]).collect();
        let last = wanted.iter().copied().max().unwrap_or(0);
        let convs: Vec<ConvId> = bench_data::messages(total_messages, total_convs)
            .take(last as usize + 1)
            .map(|(conv, _)| conv)
            .collect();
        let at = |i: u64| {
            convs
                .get(i as usize)
                .cloned()
                .unwrap_or_else(|| bench_data::conv_id(0))
        };
        Picks {
            busy: wanted[..50].iter().map(|&i| at(i)).collect(),
            scoped: at(wanted[50]),
        }
    }
}

/// Loads the conversations and imports the messages into `store`, then
/// measures it.
fn measure(
    store: &dyn Store,
    total_convs: u64,
    messages: &[(ConvId, Message)],
    picks: &Picks,
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
    Figures {
        import_rate,
        queries: queries(store, picks),
    }
}

/// Measures the UI queries on a loaded store.
fn queries(store: &dyn Store, picks: &Picks) -> QueryFigures {
    let Picks { busy, scoped } = picks;
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
    QueryFigures {
        pages,
        unread,
        latest,
        searches,
    }
}

/// What sled itself costs, as a floor under the sled backend's figures:
/// each message as one key (its id → its JSON) and, with `indexed`, three
/// index keys beside it shaped like the backend's history, sequence and
/// position keys; the same batches, each flushed. Returns the import rate
/// and the bytes on disk.
fn sled_floor(path: &Path, messages: &[(ConvId, Message)], indexed: bool) -> (f64, u64) {
    let db = sled::Config::new().path(path).open().unwrap();
    let start = Instant::now();
    for chunk in messages.chunks(BATCH) {
        let mut batch = sled::Batch::default();
        for (conv, m) in chunk {
            let id = m.msg_id.as_deref().unwrap();
            batch.insert(id.as_bytes(), serde_json::to_vec(m).unwrap());
            if indexed {
                let (time, seq) = (m.server_time.unwrap(), m.seq.unwrap());
                let conv = conv.to_string();
                for (tag, first, second) in [(b'h', time, seq), (b'q', seq, time)] {
                    let mut key = vec![tag];
                    key.extend_from_slice(conv.as_bytes());
                    key.extend_from_slice(&first.to_be_bytes());
                    key.extend_from_slice(&second.to_be_bytes());
                    key.extend_from_slice(id.as_bytes());
                    batch.insert(key, &[1u8][..]);
                }
                let mut key = vec![b't'];
                key.extend_from_slice(&time.to_be_bytes());
                key.extend_from_slice(&seq.to_be_bytes());
                key.extend_from_slice(id.as_bytes());
                batch.insert(key, &[1u8][..]);
            }
        }
        db.apply_batch(batch).unwrap();
        db.flush().unwrap();
    }
    let rate = messages.len() as f64 / start.elapsed().as_secs_f64();
    let size = db.size_on_disk().unwrap();
    (rate, size)
}

/// Bytes under `dir` (recursively).
fn size_of(path: &Path) -> u64 {
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

/// Opens a cached store of `backend` under `root`, building it first
/// unless a complete one is there (messages streamed from the generator).
fn cached_store(
    backend: &str,
    root: &Path,
    total_messages: u64,
    total_convs: u64,
) -> Box<dyn Store> {
    let dir = root.join(backend);
    let complete = dir.join("complete");
    let built = complete.exists();
    if !built {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
    }
    let store: Box<dyn Store> = match backend {
        "sqlite" => Box::new(SqliteStore::open(dir.join("store.db")).unwrap()),
        "sled" => Box::new(SledStore::open(dir.join("store.sled")).unwrap()),
        other => panic!("BENCH_BACKENDS: unknown backend {other:?} (sqlite, sled)"),
    };
    if !built {
        let start = Instant::now();
        bench_data::load(&*store, total_messages, total_convs, BATCH).unwrap();
        eprintln!(
            "built {backend} in {:.0} s ({:.0} messages/s)",
            start.elapsed().as_secs_f64(),
            total_messages as f64 / start.elapsed().as_secs_f64()
        );
        std::fs::write(complete, b"").unwrap();
    }
    store
}

/// The growth mode (`BENCH_GROWTH=1`): the UI queries alone, on stores
/// built once and kept under `target/bench-data/` (ten million messages
/// take the better part of an hour to build, so this is not part of CI),
/// to compare the figures of one size with another's. `BENCH_BACKENDS`
/// (default `sqlite,sled`) picks the backends.
fn growth(total_messages: u64, total_convs: u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-data")
        .join(format!("stores-{total_messages}-{total_convs}"));
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,sled".into());
    let picks = Picks::of(total_messages, total_convs);
    let columns: Vec<(&str, QueryFigures)> = backends
        .split(',')
        .map(|backend| {
            let store = cached_store(backend, &root, total_messages, total_convs);
            (backend, queries(&*store, &picks))
        })
        .collect();
    println!(
        "## Growth: UI queries at {total_messages} messages over {total_convs} conversations\n"
    );
    let names: Vec<&str> = columns.iter().map(|(b, _)| *b).collect();
    println!("| measure | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    let row = |label: String, cell: &dyn Fn(&QueryFigures) -> String| {
        let cells: Vec<String> = columns.iter().map(|(_, f)| cell(f)).collect();
        println!("| {label} | {} |", cells.join(" | "));
    };
    for (i, (name, _)) in bench_data::filter_shapes().iter().enumerate() {
        row(format!("page of 100, {name} (median / p95)"), &|f| {
            format!("{} / {}", ms(f.pages[i].0), ms(f.pages[i].1))
        });
    }
    row("total unread".into(), &|f| ms(f.unread));
    row("latest 20 messages".into(), &|f| ms(f.latest));
    for (i, search) in SEARCHES.iter().enumerate() {
        row(
            format!("search {}, {}", search.label, search.scope.label()),
            &|f| ms(f.searches[i]),
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let total_messages = env_or("BENCH_MESSAGES", 1_000_000);
    let total_convs = env_or("BENCH_CONVERSATIONS", 100_000);
    if std::env::var_os("BENCH_GROWTH").is_some() {
        return growth(total_messages, total_convs);
    }
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
    let picks = Picks::of(total_messages, total_convs);

    let sqlite_path = dir.path().join("store.db");
    let sqlite = SqliteStore::open(&sqlite_path).unwrap();
    let lite = measure(&sqlite, total_convs, &messages, &picks);
    drop(sqlite);
    if std::env::var("BENCH_ONLY").as_deref() == Ok("sqlite-import") {
        println!("SQLite import: {:.0} messages/s", lite.import_rate);
        return;
    }
    let sled_path = dir.path().join("store.sled");
    let sled = SledStore::open(&sled_path).unwrap();
    let sl = measure(&sled, total_convs, &messages, &picks);
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
        k = (k + 1) % picks.busy.len();
        let mut st = raw
            .prepare_cached("SELECT data FROM m WHERE conv = ?1 ORDER BY time DESC LIMIT 20")
            .unwrap();
        let rows: Vec<String> = st
            .query_map([picks.busy[k].to_string()], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        std::hint::black_box(rows);
    });

    let (floor_rate, floor_size) = sled_floor(&dir.path().join("floor-1.sled"), &messages, false);
    let (indexed_rate, indexed_size) =
        sled_floor(&dir.path().join("floor-4.sled"), &messages, true);

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
    println!(
        "| import, sled alone: a key a message (its JSON) | | {floor_rate:.0} | {raw_rate:.0} | | {:.2} | |",
        ratio(floor_rate, raw_rate)
    );
    println!(
        "| import, sled alone: a key a message and three index keys | | {indexed_rate:.0} | {raw_rate:.0} | | {:.2} | |",
        ratio(indexed_rate, raw_rate)
    );
    for (i, (name, _)) in bench_data::filter_shapes().iter().enumerate() {
        println!(
            "| page of 100, {name} (median / p95) | {} / {} | {} / {} | | | | < 1 ms / < 2 ms |",
            ms(lite.queries.pages[i].0),
            ms(lite.queries.pages[i].1),
            ms(sl.queries.pages[i].0),
            ms(sl.queries.pages[i].1)
        );
    }
    println!(
        "| total unread | {} | {} | {} (COUNT over messages) | {:.5} | {:.5} | < 0.1 ms |",
        ms(lite.queries.unread),
        ms(sl.queries.unread),
        ms(raw_sum),
        lite.queries.unread.as_secs_f64() / raw_sum.as_secs_f64(),
        sl.queries.unread.as_secs_f64() / raw_sum.as_secs_f64()
    );
    println!(
        "| latest 20 messages | {} | {} | {} | {:.2} | {:.2} | < 0.2 ms |",
        ms(lite.queries.latest),
        ms(sl.queries.latest),
        ms(raw_latest),
        lite.queries.latest.as_secs_f64() / raw_latest.as_secs_f64(),
        sl.queries.latest.as_secs_f64() / raw_latest.as_secs_f64()
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
        let conv = (search.scope == Scope::One).then(|| picks.scoped.to_string());
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
            ms(lite.queries.searches[i]),
            ms(sl.queries.searches[i]),
            ms(scan),
            scan.as_secs_f64() / lite.queries.searches[i].as_secs_f64(),
            scan.as_secs_f64() / sl.queries.searches[i].as_secs_f64()
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
        "| size on disk per message | {} bytes | {} bytes | {} bytes | {:.2} | {:.2} | <= 3 KB (sled) |",
        sqlite_size / total_messages,
        sled_size / total_messages,
        raw_size / total_messages,
        sqlite_size as f64 / raw_size as f64,
        sled_size as f64 / raw_size as f64
    );
    println!(
        "| size on disk per message, sled alone: a key a message / and three index keys | | {} / {} bytes | {} bytes | | {:.2} / {:.2} | |",
        floor_size / total_messages,
        indexed_size / total_messages,
        raw_size / total_messages,
        floor_size as f64 / raw_size as f64,
        indexed_size as f64 / raw_size as f64
    );
}
