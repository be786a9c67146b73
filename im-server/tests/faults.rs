//! Network and client faults (reliability plan rows B3, B4, B6): a proxy
//! that drops responses after forwarding requests and resets connections;
//! a client stopped mid-sync and restarted on its data; a client stopped
//! between accepting a send and sending it.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use im_model::{ConvId, ErrorCode, Message};
use im_msg::MsgEvent;
use im_sdk::SdkEvent;
use im_transport::{SendAck, SendRequest, Transport};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to `upstream`: forwards requests whole, drops one response
/// in `drop_one_in` by closing the connection instead, and closes every
/// connection after 1 to 3 seconds.
async fn chaos_proxy(upstream: std::net::SocketAddr, drop_one_in: u32) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut seed = 7;
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            seed += 1;
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(seed);
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let lifetime = Duration::from_millis(rng.u64(1000..3000));
                let up = async {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                };
                let down = async {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = sr.read(&mut buf).await {
                        if n == 0 || rng.u32(0..drop_one_in) == 0 {
                            return;
                        }
                        if cw.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                };
                tokio::select! {
                    () = up => {}
                    () = down => {}
                    () = tokio::time::sleep(lifetime) => {}
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_dropped_responses_and_resets_store_nothing_twice() {
    let server = server().await;
    let direct = server.server.url();
    let proxied = chaos_proxy(server.server.addr(), 10).await;
    let senders: Vec<_> = ["ann", "ben", "cat", "dan"]
        .iter()
        .map(|name| {
            let (proxied, name) = (proxied.clone(), name.to_string());
            tokio::spawn(async move {
                let t = loop {
                    let mut config = im_transport::http::HttpConfig::new(&proxied);
                    config.platform = 1;
                    let t = im_transport::http::HttpTransport::new(config).unwrap();
                    let login = im_transport::LoginRequest {
                        user_id: name.clone(),
                        user_sig: sig(&name),
                    };
                    if t.login(login).await.is_ok() {
                        break t;
                    }
                };
                let mut acks = HashMap::new();
                for n in 0..150 {
                    let id = format!("{name}-{n}");
                    let mut m = Message::text(&id);
                    m.msg_id = Some(id.clone());
                    let request = SendRequest {
                        conv: ConvId::c2c("sink").unwrap(),
                        message: m,
                    };
                    let ack = loop {
                        match t.send_message(request.clone()).await {
                            Ok(ack) => break ack,
                            Err(e) if e.code == ErrorCode::NetDisconnect => {}
                            Err(e) => panic!("{id}: {e}"),
                        }
                    };
                    acks.insert(id, ack);
                }
                acks
            })
        })
        .collect();
    let mut acks: HashMap<String, SendAck> = HashMap::new();
    for s in senders {
        acks.extend(s.await.unwrap());
    }
    // Resubmitting any id straight to the server answers the same ack.
    for name in ["ann", "ben", "cat", "dan"] {
        let t = transport(&direct, name, 2).await;
        for n in [0, 75, 149] {
            let id = format!("{name}-{n}");
            let mut m = Message::text(&id);
            m.msg_id = Some(id.clone());
            let again = t
                .send_message(SendRequest {
                    conv: ConvId::c2c("sink").unwrap(),
                    message: m,
                })
                .await
                .unwrap();
            assert_eq!(again, acks[&id], "{id}");
        }
    }
    // The receiver's log holds each message once.
    let sink = transport(&direct, "sink", 1).await;
    let mut ids = Vec::new();
    let mut cursor = 0;
    loop {
        let page = sink
            .pull_events(im_transport::PullRequest {
                cursor,
                limit: 1000,
            })
            .await
            .unwrap();
        let im_transport::EventPage::Events(batch) = page else {
            panic!()
        };
        cursor = batch.next_cursor;
        for e in batch.events {
            if let im_transport::ServerEvent::NewMessage { message, .. } = e.event {
                ids.push(message.msg_id.unwrap());
            }
        }
        if !batch.has_more {
            break;
        }
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (600, 600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_client_stopped_mid_sync_gets_every_message_once_after_restart() {
    let server = server().await;
    let url = server.server.url();
    let bob = transport(&url, "bob", 1).await;
    // Alice's device synced once before (a new device would start from a
    // snapshot instead): what follows is its catch-up on events.
    let dir = tempfile::tempdir().unwrap();
    {
        let mut alice = device_at(&url, "alice", 1, dir.path()).await;
        alice.first_sync().await;
        alice.client.shutdown().await;
    }
    for n in 0..2_000 {
        let mut m = Message::text(format!("offline {n}"));
        m.msg_id = Some(format!("b-{n}"));
        bob.send_message(SendRequest {
            conv: ConvId::c2c("alice").unwrap(),
            message: m,
        })
        .await
        .unwrap();
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Ten interrupted syncs, then one that runs to the end.
    let mut restarts = 0;
    loop {
        let mut alice = device_at(&url, "alice", 1, dir.path()).await;
        let interrupted = restarts < 10;
        let deadline = tokio::time::Instant::now()
            + Duration::from_millis(if interrupted { 30 } else { 10_000 });
        while seen.len() < 2_000 {
            match tokio::time::timeout_at(deadline, futures::StreamExt::next(&mut alice.events))
                .await
            {
                Ok(Some(SdkEvent::Message(MsgEvent::NewMessages(list)))) => {
                    for m in list {
                        *seen.entry(m.msg_id.unwrap()).or_default() += 1;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        alice.client.shutdown().await;
        // Events committed before the stop still reach the app.
        while let Ok(Some(event)) = tokio::time::timeout(
            Duration::from_millis(200),
            futures::StreamExt::next(&mut alice.events),
        )
        .await
        {
            if let SdkEvent::Message(MsgEvent::NewMessages(list)) = event {
                for m in list {
                    *seen.entry(m.msg_id.unwrap()).or_default() += 1;
                }
            }
        }
        restarts += 1;
        if !interrupted || seen.len() == 2_000 {
            break;
        }
    }
    assert_eq!(seen.len(), 2_000, "every message arrived");
    let alice = device_at(&url, "alice", 1, dir.path()).await;
    let ids: Vec<String> = (0..2_000).map(|n| format!("b-{n}")).collect();
    let stored = alice.client.messages().find_messages(&ids).await.unwrap();
    assert_eq!(stored.len(), 2_000, "each stored once");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "new-message events fired twice: {twice:?}"
    );
}

/// A proxy to `upstream` that can be cut: while cut, every connection is
/// closed at once (the network is down).
async fn cuttable_proxy(
    upstream: std::net::SocketAddr,
) -> (String, tokio::sync::watch::Sender<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (cut, watch) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let mut watch = watch.clone();
            tokio::spawn(async move {
                if *watch.borrow() {
                    return;
                }
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = watch.wait_for(|cut| *cut) => {}
                }
            });
        }
    });
    (url, cut)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_sends_accepted_while_offline_go_out_once_after_a_restart() {
    let server = server().await;
    let url = server.server.url();
    let dir = tempfile::tempdir().unwrap();
    let bob = ConvId::c2c("bob").unwrap();
    // The receiver is online from the start, so every message reaches it as
    // an event: one that slipped out before its cut (the proxy may let a
    // pooled connection finish) would otherwise be in its first snapshot.
    let mut receiver = device(&url, "bob", 1).await;
    receiver.first_sync().await;
    let mut queued = Vec::new();
    for round in 0..5 {
        // Logged in, then the network goes down: the send is accepted into
        // the persisted queue, then the client stops before it went out.
        let (proxied, cut) = cuttable_proxy(server.server.addr()).await;
        let alice = device_at(&proxied, "alice", 1, dir.path()).await;
        cut.send_replace(true);
        let accepted = alice
            .client
            .messages()
            .queue_message(&bob, &Message::text(format!("queued {round}")))
            .await
            .unwrap();
        queued.push(accepted.msg_id.unwrap());
        alice.client.shutdown().await;
    }
    // Back online on the same data: everything queued goes out once.
    let alice = device_at(&url, "alice", 1, dir.path()).await;
    let got = receiver.receive(5).await;
    let mut ids: Vec<String> = got.into_iter().map(|m| m.msg_id.unwrap()).collect();
    ids.sort();
    queued.sort();
    assert_eq!(ids, queued);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let history = alice
        .transport
        .pull_history(im_transport::HistoryRequest {
            conv: bob,
            anchor: None,
            newer: false,
            time_range: None,
            count: 50,
        })
        .await
        .unwrap();
    assert_eq!(history.len(), 5, "stored once each on the server");
}
