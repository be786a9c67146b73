//! Security over real HTTP: UserSig failures answer Tencent's codes, the
//! brute-force throttle, an allow/deny matrix of callers per endpoint, and
//! oversized or slow requests cut off without hurting other clients.

mod support;

use std::time::Duration;

use im_model::wire::http::{CreateGroupRequest, ErrorBody, LoginBody, path};
use im_model::{ConvId, Message};
use im_server::SigKey;
use im_transport::{HistoryRequest, RevokeRequest, SendRequest, Transport};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// POSTs raw JSON; returns the status and the error code if any.
async fn post_raw(url: &str, path: &str, token: Option<&str>, body: &[u8]) -> (u16, Option<i32>) {
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let code = text
        .split("\r\n\r\n")
        .nth(1)
        .and_then(|b| serde_json::from_str::<ErrorBody>(b).ok())
        .map(|e| e.code);
    (status, code)
}

async fn login_code(url: &str, user: &str, user_sig: &str) -> Option<i32> {
    let body = serde_json::to_vec(&LoginBody {
        user_id: user.into(),
        user_sig: user_sig.into(),
        platform: 1,
    })
    .unwrap();
    post_raw(url, path::LOGIN, None, &body).await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_bad_user_sigs_are_refused_with_tencent_codes() {
    let server = server().await;
    let url = server.server.url();
    let forged = SigKey::new(APP, "not the key").generate("alice", now(), 86_400);
    let expired = key().generate("alice", now() - 7200, 3600);
    let other_app = SigKey::new(APP + 1, KEY).generate("alice", now(), 86_400);
    let other_user = key().generate("mallory", now(), 86_400);
    assert_eq!(login_code(&url, "alice", &forged).await, Some(70009));
    assert_eq!(login_code(&url, "alice", &expired).await, Some(70001));
    assert_eq!(login_code(&url, "alice", &other_app).await, Some(70014));
    assert_eq!(login_code(&url, "alice", &other_user).await, Some(70013));
    assert_eq!(login_code(&url, "alice", "garbage").await, Some(70003));
    assert_eq!(
        login_code(&url, "alice", &sig("alice")).await,
        None,
        "a valid one logs in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_repeated_failures_throttle_one_identity_only() {
    let server = server().await;
    let url = server.server.url();
    let forged = SigKey::new(APP, "guess").generate("victim", now(), 86_400);
    for _ in 0..20 {
        assert_eq!(login_code(&url, "victim", &forged).await, Some(70009));
    }
    assert_eq!(login_code(&url, "victim", &forged).await, Some(70050));
    assert_eq!(
        login_code(&url, "victim", &sig("victim")).await,
        Some(70050),
        "throttled for a minute from here"
    );
    assert_eq!(
        login_code(&url, "bystander", &sig("bystander")).await,
        None,
        "others are not affected"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_every_endpoint_refuses_callers_without_a_session() {
    let server = server().await;
    let url = server.server.url();
    for p in [
        path::LOGOUT,
        path::UPDATE_CONVERSATIONS,
        path::SNAPSHOT,
        path::SEND,
        path::REVOKE,
        path::REPORT_READ,
        path::HISTORY,
        path::EVENTS,
        path::BATCH_SEND,
        path::DELETE,
        path::CLEAR_HISTORY,
        path::SET_RECEIVE_OPTION,
        path::C2C_RECEIVE_OPTIONS,
        path::SET_ALL_RECEIVE_OPTION,
        path::ALL_RECEIVE_OPTION,
        path::UPLOAD,
        path::MERGED,
        path::MODIFY,
        path::SEND_RECEIPTS,
        path::MESSAGE_RECEIPTS,
        path::GROUP_CREATE,
        path::GROUP_ADD,
        path::GROUP_REMOVE,
        path::GROUP_MEMBERS,
        path::GROUP_SET_ROLE,
    ] {
        assert_eq!(
            post_raw(&url, p, None, b"{}").await,
            (401, Some(6014)),
            "{p} without a token"
        );
        assert_eq!(
            post_raw(&url, p, Some("0123456789abcdef"), b"{}").await,
            (401, Some(6014)),
            "{p} with a made-up token"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_group_endpoints_allow_members_and_deny_everyone_else() {
    let server = server().await;
    let url = server.server.url();
    let owner = transport(&url, "owner", 1).await;
    let member = transport(&url, "member", 1).await;
    let outsider = transport(&url, "outsider", 1).await;
    let former = transport(&url, "former", 1).await;
    owner
        .create_group(&CreateGroupRequest {
            group_id: "g".into(),
            name: "G".into(),
            members: vec!["member".into(), "former".into()],
            details: Default::default(),
        })
        .await
        .unwrap();
    owner
        .remove_members("g", vec!["former".into()])
        .await
        .unwrap();
    let g = ConvId::group("g").unwrap();
    let mut n = 0;
    let mut send = |t: &im_transport::http::HttpTransport| {
        n += 1;
        let mut m = Message::text("x");
        m.msg_id = Some(format!("m-{n}"));
        let (t, conv) = (t.clone(), g.clone());
        async move {
            t.send_message(SendRequest { conv, message: m })
                .await
                .map(drop)
                .map_err(|e| e.code())
        }
    };
    let history = |t: &im_transport::http::HttpTransport| {
        let (t, conv) = (t.clone(), g.clone());
        async move {
            t.pull_history(HistoryRequest {
                conv,
                anchor: None,
                newer: false,
                time_range: None,
                count: 5,
            })
            .await
            .map(drop)
            .map_err(|e| e.code())
        }
    };
    // caller → (send, history, members, add, remove someone)
    assert_eq!(send(&owner).await, Ok(()));
    assert_eq!(send(&member).await, Ok(()));
    assert_eq!(send(&outsider).await, Err(10007));
    assert_eq!(send(&former).await, Err(10007));
    for (who, allowed) in [
        (&owner, true),
        (&member, true),
        (&outsider, false),
        (&former, false),
    ] {
        assert_eq!(history(who).await.is_ok(), allowed);
        assert_eq!(
            who.members("g").await.map_err(|e| e.code()).is_ok(),
            allowed
        );
    }
    assert_eq!(
        member
            .add_members("g", vec!["outsider".into()])
            .await
            .unwrap_err()
            .code(),
        10007
    );
    assert_eq!(
        outsider
            .add_members("g", vec!["outsider".into()])
            .await
            .unwrap_err()
            .code(),
        10007
    );
    assert_eq!(
        member
            .remove_members("g", vec!["owner".into()])
            .await
            .unwrap_err()
            .code(),
        10007
    );
    assert_eq!(owner.members("nope").await.unwrap_err().code(), 10010);
    // Revoking another's message: denied to a plain member and an outsider.
    let revoke = RevokeRequest {
        conv: g.clone(),
        msg_id: "m-1".into(),
        seq: 0,
        reason: String::new(),
    };
    assert_eq!(
        member
            .revoke_message(revoke.clone())
            .await
            .unwrap_err()
            .code(),
        10007
    );
    assert_eq!(
        outsider.revoke_message(revoke).await.unwrap_err().code(),
        10007
    );
    // A C2C conversation is always the caller's own: the outsider writing
    // to "member" lands in outsider↔member, never in owner↔member.
    let mut m = Message::text("hi");
    m.msg_id = Some("o-1".into());
    let ack = outsider
        .send_message(SendRequest {
            conv: ConvId::c2c("member").unwrap(),
            message: m,
        })
        .await
        .unwrap();
    assert_eq!(ack.seq, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_oversized_bodies_and_too_many_headers_are_refused() {
    let server = server().await;
    let url = server.server.url();
    let big = vec![b' '; 200 * 1024];
    assert_eq!(
        post_raw(&url, path::LOGIN, None, &big).await,
        (413, Some(80002))
    );
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!("POST {} HTTP/1.1\r\nHost: x\r\n", path::LOGIN);
    for i in 0..150 {
        head.push_str(&format!("X-Filler-{i}: y\r\n"));
    }
    head.push_str("Content-Length: 2\r\n\r\n{}");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let status = String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)
        .map(str::to_owned);
    assert_eq!(status.as_deref(), Some("431"));
    // A message body over 12 KB is refused by the service.
    let alice = transport(&url, "alice", 1).await;
    let mut m = Message::text("x".repeat(13 * 1024));
    m.msg_id = Some("big".into());
    let e = alice
        .send_message(SendRequest {
            conv: ConvId::c2c("bob").unwrap(),
            message: m,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), 80002);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_slow_clients_are_cut_off_without_slowing_others() {
    let server = server().await;
    let url = server.server.url();
    let addr = url.trim_start_matches("http://").to_owned();
    // Ten slowloris connections: headers trickle in a byte at a time.
    let mut slow = Vec::new();
    for _ in 0..10 {
        let addr = addr.clone();
        slow.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let started = std::time::Instant::now();
            for byte in b"POST /v1/login HTTP/1.1\r\nHost: x\r\nX-Slow: "
                .iter()
                .cycle()
            {
                if stream.write_all(&[*byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                if started.elapsed() > Duration::from_secs(12) {
                    panic!("a slow client was never cut off");
                }
            }
            started.elapsed()
        }));
    }
    // Meanwhile a normal client logs in and sends at once.
    let alice = transport(&url, "alice", 1).await;
    let started = std::time::Instant::now();
    let mut m = Message::text("not slowed down");
    m.msg_id = Some("fast".into());
    alice
        .send_message(SendRequest {
            conv: ConvId::c2c("bob").unwrap(),
            message: m,
        })
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    for task in slow {
        let lasted = task.await.unwrap();
        assert!(
            lasted <= Duration::from_secs(7),
            "cut off after the 5 s header timeout (+1 s), lasted {lasted:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_revoke_window_ends_after_two_minutes() {
    let clock = std::sync::Arc::new(im_model::ManualClock::new(now() as u64));
    let dir = tempfile::tempdir().unwrap();
    let config = im_server::ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.path(), APP, KEY);
    let server = im_server::Server::start_with_clock(config, clock.clone())
        .await
        .unwrap();
    let url = server.url();
    let alice = transport(&url, "alice", 1).await;
    alice
        .create_group(&CreateGroupRequest {
            group_id: "g".into(),
            name: "G".into(),
            members: vec![],
            details: Default::default(),
        })
        .await
        .unwrap();
    for conv in [ConvId::c2c("bob").unwrap(), ConvId::group("g").unwrap()] {
        let late_code = if conv.peer() == "g" { 10031 } else { 20016 };
        for (id, after, expected) in [("at-119", 119, None), ("at-121", 121, Some(late_code))] {
            let mut m = Message::text(id);
            m.msg_id = Some(format!("{}-{id}", conv.peer()));
            alice
                .send_message(SendRequest {
                    conv: conv.clone(),
                    message: m,
                })
                .await
                .unwrap();
            clock.advance(after);
            let revoke = RevokeRequest {
                conv: conv.clone(),
                msg_id: format!("{}-{id}", conv.peer()),
                seq: 0,
                reason: String::new(),
            };
            assert_eq!(
                alice.revoke_message(revoke).await.err().map(|e| e.code()),
                expected,
                "{conv} {id}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_merged_bodies_are_read_only_by_their_conversation() {
    let server = server().await;
    let url = server.server.url();
    let alice = transport(&url, "alice", 1).await;
    let bob = transport(&url, "bob", 1).await;
    let mallory = transport(&url, "mallory", 1).await;
    let merge = im_model::message::MergeElem {
        title: Some("chat".into()),
        message_array: Some(vec![Message::text("inside")]),
        ..Default::default()
    };
    let mut m = Message {
        elem_array: Some(vec![im_model::Elem::Merge(Box::new(merge))]),
        ..Message::default()
    };
    m.msg_id = Some("merged-1".into());
    alice
        .send_message(SendRequest {
            conv: ConvId::c2c("bob").unwrap(),
            message: m,
        })
        .await
        .unwrap();
    let history = bob
        .pull_history(HistoryRequest {
            conv: ConvId::c2c("alice").unwrap(),
            anchor: None,
            newer: false,
            time_range: None,
            count: 1,
        })
        .await
        .unwrap();
    let Some(im_model::Elem::Merge(elem)) = history[0].elem_array.as_ref().and_then(|e| e.first())
    else {
        panic!("a merged element")
    };
    let request = im_transport::MergedRequest {
        json_key: elem.relay_json_key.clone().unwrap(),
        pb_key: String::new(),
    };
    assert_eq!(bob.merged_messages(request.clone()).await.unwrap().len(), 1);
    assert_eq!(
        mallory.merged_messages(request).await.unwrap_err().code(),
        6017
    );
}
