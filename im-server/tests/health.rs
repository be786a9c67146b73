//! The readiness check a load balancer polls: `GET /healthz` over real
//! HTTP answers 200 while the database answers; a node whose store has
//! stopped answers 90994 (which the HTTP front sends as 503). And the
//! metrics a monitoring system scrapes, `GET /metrics`.

mod support;

use std::sync::Arc;

use im_model::wire::http::path;
use im_server::service::Service;
use im_server::store::SqliteStore;
use support::*;

/// GETs `path` with no credentials: the status and the body.
async fn get(url: &str, path: &str) -> (u16, String) {
    raw::request(url, &format!("GET {path} HTTP/1.1"), "").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_healthz_answers_without_credentials_while_the_database_answers() {
    let server = server().await;
    let (status, body) = get(&server.server.url(), path::HEALTH).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""status":"ok""#), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_node_whose_store_stopped_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let clock = Arc::new(im_model::ManualClock::new(1_700_000_000));
    let service = Service::new(Arc::new(store.clone()), key(), clock);
    service.health().await.expect("ready");
    store.close();
    let err = service.health().await.unwrap_err();
    assert_eq!(err.code(), 90994, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_metrics_count_requests_sends_and_push_streams() {
    let server = server().await;
    let url = server.server.url();
    let alice = transport(&url, "alice", 1).await;
    let bob = raw::login(&url, "bob").await;
    let mut stream = raw::PushReader::open(&url, &bob, 0).await;
    stream
        .until(std::time::Duration::from_secs(5), |f| match f {
            im_model::wire::http::PushFrame::Events { events, .. } if events.is_empty() => Some(()),
            _ => None,
        })
        .await;
    for n in 0..3 {
        let mut message = im_model::Message::text("counted");
        message.msg_id = Some(format!("m-{n}"));
        im_transport::Transport::send_message(
            &alice,
            im_model::wire::SendRequest {
                conv: im_model::ConvId::c2c("bob").unwrap(),
                message,
            },
        )
        .await
        .unwrap();
    }
    // A retried send stores nothing new.
    let mut again = im_model::Message::text("counted");
    again.msg_id = Some("m-0".into());
    im_transport::Transport::send_message(
        &alice,
        im_model::wire::SendRequest {
            conv: im_model::ConvId::c2c("bob").unwrap(),
            message: again,
        },
    )
    .await
    .unwrap();
    let (status, _) = get(&url, "/v1/no-such-route").await;
    assert_eq!(status, 401);
    let (status, text) = get(&url, path::METRICS).await;
    assert_eq!(status, 200, "{text}");
    for line in [
        "im_http_requests_total{route=\"/v1/messages/send\",outcome=\"ok\"} 4",
        "im_http_requests_total{route=\"other\",outcome=\"client_error\"} 1",
        "im_messages_stored_total 3",
        "im_push_streams 1",
        "im_send_write_duration_seconds_count 3",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
}

/// While a node drains before a stop, its health check says not ready (a
/// balancer moves new clients away) and it still serves requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_draining_node_is_not_ready_but_still_serves() {
    let server = server().await;
    let url = server.server.url();
    let alice = transport(&url, "alice", 1).await;
    let during = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (status, body) = get(&url, path::HEALTH).await;
        let mut message = im_model::Message::text("still served");
        message.msg_id = Some("m-1".into());
        let ack = im_transport::Transport::send_message(
            &alice,
            im_model::wire::SendRequest {
                conv: im_model::ConvId::c2c("bob").unwrap(),
                message,
            },
        )
        .await
        .unwrap();
        (status, body, ack.seq)
    };
    let ((), (status, body, seq)) = tokio::join!(
        server.server.drain(std::time::Duration::from_millis(800)),
        during
    );
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("90994"), "{body}");
    assert_eq!(seq, 1);
}
