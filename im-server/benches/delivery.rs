//! Send-to-receive latency and durable throughput through one server on
//! loopback, each next to a raw hyper echo baseline measured in the same
//! run, while the server also holds 1,000 idle logged-in push connections.
//! Then, when PostgreSQL is installed, the same load on 1, 2 and 3 nodes
//! sharing one durable PostgreSQL (a throwaway cluster with its default
//! fsync and synchronous commit), next to PostgreSQL's own single-row
//! durable commit rate with as many clients, measured in the same run as
//! the ceiling. Run with `cargo xtask bench` (or `cargo bench -p im-server
//! --bench delivery`).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use im_model::{ConvId, Message};
use im_server::{Server, ServerConfig, SigKey};
use im_transport::http::{HttpConfig, HttpTransport};
use im_transport::{EventPage, LoginRequest, PullRequest, SendRequest, ServerEvent, Transport};

const APP: u64 = 1_400_000_002;
const KEY: &str = "bench-key";
const IDLE: usize = 1_000;
const SAMPLES: usize = 2_000;
const SENDERS: usize = 32;
const THROUGHPUT_FOR: Duration = Duration::from_secs(5);

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn login(url: &str, user: &str) -> HttpTransport {
    let t = HttpTransport::new(HttpConfig::new(url)).unwrap();
    let user_sig = SigKey::new(APP, KEY).generate(user, now(), 86_400);
    t.login(LoginRequest {
        user_id: user.into(),
        user_sig,
    })
    .await
    .unwrap();
    t
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The baseline: a hyper server answering every POST with its body.
async fn echo_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        let body = request
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(body)))
                    },
                );
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

fn echo_client() -> Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>> {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(connector)
}

async fn echo_latency(url: &str) -> Vec<Duration> {
    let client = echo_client();
    let body = Bytes::from(serde_json::to_vec(&Message::text("hello")).unwrap());
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let request = hyper::Request::post(url)
            .body(Full::new(body.clone()))
            .unwrap();
        let response = client.request(request).await.unwrap();
        response.into_body().collect().await.unwrap();
        samples.push(started.elapsed());
    }
    samples.sort();
    samples
}

async fn echo_throughput(url: &str) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + THROUGHPUT_FOR;
    let tasks: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (url, done) = (url.to_owned(), done.clone());
            tokio::spawn(async move {
                let client = echo_client();
                while Instant::now() < deadline {
                    let request = hyper::Request::post(&url)
                        .body(Full::new(Bytes::from_static(b"{}")))
                        .unwrap();
                    let response = client.request(request).await.unwrap();
                    response.into_body().collect().await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / THROUGHPUT_FOR.as_secs_f64()
}

/// Alice sends on `from`, Bob's device on `to` receives by push; the time
/// between.
async fn delivery_latency(from: &str, to: &str, samples_wanted: usize) -> Vec<Duration> {
    let alice = login(from, "alice").await;
    let bob = login(to, "bob").await;
    let conv = ConvId::c2c("bob").unwrap();
    let mut cursor = 0;
    let mut samples = Vec::with_capacity(samples_wanted);
    for n in 0..samples_wanted {
        let id = format!("lat-{n}");
        let mut message = Message::text("hello");
        message.msg_id = Some(id.clone());
        let started = Instant::now();
        alice
            .send_message(SendRequest {
                conv: conv.clone(),
                message,
            })
            .await
            .unwrap();
        'received: loop {
            let page = bob
                .pull_events(PullRequest { cursor, limit: 100 })
                .await
                .unwrap();
            let EventPage::Events(batch) = page else {
                panic!("cursor too old")
            };
            cursor = batch.next_cursor;
            for e in batch.events {
                if matches!(&e.event, ServerEvent::NewMessage { message, .. } if message.msg_id.as_deref() == Some(&id))
                {
                    break 'received;
                }
            }
            if !batch.has_more {
                bob.pushed().await;
            }
        }
        samples.push(started.elapsed());
    }
    samples.sort();
    samples
}

/// Sends per second of 32 senders, each sending as soon as its previous
/// send was acknowledged; sender `i` on `urls[i % urls.len()]`.
async fn durable_throughput(urls: &[String]) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let mut senders = Vec::new();
    for i in 0..SENDERS {
        senders.push(login(&urls[i % urls.len()], &format!("sender{i}")).await);
    }
    let deadline = Instant::now() + THROUGHPUT_FOR;
    let tasks: Vec<_> = senders
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let done = done.clone();
            tokio::spawn(async move {
                let conv = ConvId::c2c(format!("sink{}", i % 8)).unwrap();
                let mut n = 0;
                while Instant::now() < deadline {
                    let mut message = Message::text("throughput");
                    message.msg_id = Some(format!("tp-{i}-{n}"));
                    n += 1;
                    t.send_message(SendRequest {
                        conv: conv.clone(),
                        message,
                    })
                    .await
                    .unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / THROUGHPUT_FOR.as_secs_f64()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let echo = echo_server().await;
        let echo_lat = echo_latency(&echo).await;
        let echo_tp = echo_throughput(&echo).await;

        let dir = tempfile::tempdir().unwrap();
        let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.path(), APP, KEY);
        let server = Server::start(config).await.unwrap();
        let url = server.url();
        let mut idle = Vec::with_capacity(IDLE);
        for i in 0..IDLE {
            let device = login(&url, &format!("idle{i}")).await;
            // A device's first pull (what the SDK's sync loop does at
            // login) says where its push stream starts.
            device
                .pull_events(PullRequest {
                    cursor: 0,
                    limit: 100,
                })
                .await
                .unwrap();
            idle.push(device);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let connected = idle.iter().filter(|t| t.push_connected()).count();
        let lat = delivery_latency(&url, &url, SAMPLES).await;
        let tp = durable_throughput(std::slice::from_ref(&url)).await;

        println!("delivery bench: {connected} idle push connections held during the run");
        println!("| measure | im-server | raw hyper echo | ratio |");
        println!("|---|---|---|---|");
        for (name, p) in [("latency median", 0.5), ("latency p99", 0.99)] {
            let (ours, base) = (percentile(&lat, p), percentile(&echo_lat, p));
            println!(
                "| {name} | {ours:?} | {base:?} | {:.1} |",
                ours.as_secs_f64() / base.as_secs_f64()
            );
        }
        println!(
            "| durable throughput ({SENDERS} senders, msgs/s) | {tp:.0} | {echo_tp:.0} | {:.2} |",
            tp / echo_tp
        );
        server.stop().await;
        drop(idle);
        postgres_nodes().await;
    });
}

/// A durable throwaway PostgreSQL (the tests' script with fsync on), or
/// `None` when PostgreSQL is not installed.
struct Postgres {
    url: String,
    script: std::process::Child,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        drop(self.script.stdin.take());
        let _ = self.script.wait();
    }
}

fn durable_postgres() -> Option<Postgres> {
    use std::io::BufRead;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/pg-throwaway.sh");
    let mut child = std::process::Command::new("sh")
        .arg(script)
        .env("IM_PG_DURABLE", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take()?)
        .read_line(&mut line)
        .ok()?;
    line.starts_with("postgres://").then(|| Postgres {
        url: line.trim().to_owned(),
        script: child,
    })
}

/// A new database on `base`; its URL.
fn database(base: &str, name: &str) -> String {
    let (admin, create) = (
        format!("{base}/postgres"),
        format!("CREATE DATABASE {name}"),
    );
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client.batch_execute(&create).unwrap();
    })
    .join()
    .unwrap();
    format!("{base}/{name}")
}

/// PostgreSQL's own ceiling: single-row durable INSERT commits per second
/// of `SENDERS` clients, each committing as soon as its previous commit
/// returned (pgbench's shape, without pgbench).
fn commit_ceiling(url: &str) -> f64 {
    {
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        client
            .batch_execute("CREATE TABLE ceiling (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
            .unwrap();
    }
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + THROUGHPUT_FOR;
    let threads: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (url, done) = (url.to_owned(), done.clone());
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                let insert = client
                    .prepare("INSERT INTO ceiling (body) VALUES ($1)")
                    .unwrap();
                let body = "x".repeat(600);
                while Instant::now() < deadline {
                    client.execute(&insert, &[&body]).unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / THROUGHPUT_FOR.as_secs_f64()
}

/// The load on 1, 2 and 3 nodes over one durable PostgreSQL.
async fn postgres_nodes() {
    let Some(postgres) = durable_postgres() else {
        println!("PostgreSQL is not installed: the multi-node figures are skipped");
        return;
    };
    let ceiling = {
        let url = database(&postgres.url, "ceiling");
        tokio::task::spawn_blocking(move || commit_ceiling(&url))
            .await
            .unwrap()
    };
    println!();
    println!(
        "| nodes on PostgreSQL | durable throughput (32 senders) | of PostgreSQL's commit ceiling ({ceiling:.0}/s) | send-to-push p50 | p99 |"
    );
    println!("|---|---|---|---|---|");
    for nodes in 1..=3 {
        let url = database(&postgres.url, &format!("nodes{nodes}"));
        let files = tempfile::tempdir().unwrap();
        let mut servers = Vec::new();
        for n in 0..nodes {
            let mut config =
                ServerConfig::new("127.0.0.1:0".parse().unwrap(), files.path(), APP, KEY);
            config.database_url = Some(url.clone());
            config.node_id = format!("node{n}");
            servers.push(Server::start(config).await.unwrap());
        }
        let urls: Vec<String> = servers.iter().map(Server::url).collect();
        // Let every node's listener connect before the cross-node samples.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let lat = delivery_latency(&urls[0], &urls[nodes - 1], 500).await;
        let tp = durable_throughput(&urls).await;
        println!(
            "| {nodes} | {tp:.0} msgs/s | {:.2} | {:?} | {:?} |",
            tp / ceiling,
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );
        for server in servers {
            server.stop().await;
        }
    }
    drop(postgres);
}
