//! The send queue: a message accepted by `queue_message` is sent exactly
//! once eventually, across restarts and crashes, lost answers and lost
//! connections; statuses only move forward. Run on the in-memory store and
//! on SQLite (`name::memory`, `name::sqlite`).

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use im_model::{ErrorCode, ImError, MsgStatus};
use im_msg::{Delivery, RetryPolicy};
use im_transport::testing::Call;
use im_transport::{HistoryRequest, SendRequest, ServerEvent, Transport};
use support::{Harness, c2c, text};

/// How many copies of each message id the server holds for `conv`.
async fn server_copies(h: &Harness, conv: &im_model::ConvId) -> BTreeMap<String, usize> {
    let history = h
        .server
        .pull_history(HistoryRequest {
            conv: conv.clone(),
            anchor: None,
            newer: false,
            time_range: None,
            count: 1_000,
        })
        .await
        .unwrap();
    let mut copies = BTreeMap::new();
    for m in history {
        *copies.entry(m.msg_id.unwrap()).or_default() += 1;
    }
    copies
}

fn offline() -> ImError {
    ImError::new(ErrorCode::NetDisconnect, "no network")
}

on_every_backend! {
    async fn test_a_message_accepted_offline_is_delivered_exactly_once_after_a_restart(h) {
        let conv = c2c("bob");
        let queued = h.msgs.queue_message(&conv, &text("sent while offline")).unwrap();
        let id = queued.msg_id.clone().unwrap();
        h.server.fail_next(Call::Send, offline());
        match h.msgs.deliver_once(&conv, queued).await.unwrap() {
            Delivery::Retry(e) => assert_eq!(e.code(), 9508),
            other => panic!("expected a retry, got {other:?}"),
        }
        assert_eq!(h.msgs.find_messages(std::slice::from_ref(&id)).unwrap()[0].status, Some(MsgStatus::Sending));
        // The app is killed before the network comes back.
        let h = h.restart();
        let pending = h.msgs.pending_sends(100).unwrap();
        assert_eq!(pending.len(), 1);
        for (conv, message) in pending {
            assert!(matches!(h.msgs.deliver_once(&conv, message).await.unwrap(), Delivery::Sent(_)));
        }
        assert!(h.msgs.pending_sends(100).unwrap().is_empty());
        assert_eq!(server_copies(&h, &conv).await, BTreeMap::from([(id.clone(), 1)]));
        let stored = h.msgs.find_messages(&[id]).unwrap();
        assert_eq!(stored[0].status, Some(MsgStatus::SendSucc));
        assert!(stored[0].seq.is_some());
    }

    async fn test_a_send_whose_answer_was_lost_is_not_duplicated(h) {
        let conv = c2c("bob");
        let queued = h.msgs.queue_message(&conv, &text("answer lost")).unwrap();
        let id = queued.msg_id.clone().unwrap();
        // The request reached the server, then the app died before the answer.
        let first = h
            .server
            .send_message(SendRequest { conv: conv.clone(), message: queued })
            .await
            .unwrap();
        let h = h.restart();
        let (conv, message) = h.msgs.pending_sends(1).unwrap().pop().unwrap();
        let Delivery::Sent(sent) = h.msgs.deliver_once(&conv, message).await.unwrap() else {
            panic!("not sent")
        };
        assert_eq!((sent.seq, sent.unique_id), (Some(first.seq), Some(first.unique_id)));
        assert_eq!(server_copies(&h, &conv).await, BTreeMap::from([(id, 1)]));
    }

    async fn test_a_transient_failure_keeps_the_message_queued_and_a_permanent_one_ends_it(h) {
        let conv = c2c("bob");
        let queued = h.msgs.queue_message(&conv, &text("one")).unwrap();
        h.server.fail_next(Call::Send, offline());
        assert!(matches!(h.msgs.deliver_once(&conv, queued.clone()).await.unwrap(), Delivery::Retry(_)));
        assert_eq!(h.msgs.pending_sends(10).unwrap().len(), 1);
        h.server.fail_next(Call::Send, ImError::new(ErrorCode::Server(20007), "blocked by the peer"));
        match h.msgs.deliver_once(&conv, queued.clone()).await.unwrap() {
            Delivery::Failed(e) => assert_eq!(e.code(), 20007),
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(h.msgs.pending_sends(10).unwrap().is_empty());
        let stored = h.msgs.find_messages(&[queued.msg_id.unwrap()]).unwrap();
        assert_eq!(stored[0].status, Some(MsgStatus::SendFail));
        // A one-shot `deliver` ends a transient failure too (no queue behind it).
        let other = h.msgs.queue_message(&conv, &text("two")).unwrap();
        h.server.fail_next(Call::Send, offline());
        assert_eq!(h.msgs.deliver(&conv, other.clone()).await.unwrap_err().code(), 9508);
        let stored = h.msgs.find_messages(&[other.msg_id.unwrap()]).unwrap();
        assert_eq!(stored[0].status, Some(MsgStatus::SendFail));
    }

    async fn test_an_echo_never_turns_a_sent_message_into_a_failed_one(h) {
        let conv = c2c("bob");
        let queued = h.msgs.queue_message(&conv, &text("echoed")).unwrap();
        let id = queued.msg_id.clone().unwrap();
        // The server's echo of our own message arrives before the answer...
        let mut echo = queued.clone();
        echo.seq = Some(9);
        echo.server_time = Some(1_700_000_001);
        echo.unique_id = Some(99);
        echo.status = Some(MsgStatus::SendSucc);
        h.msgs
            .handle_event(ServerEvent::NewMessage { conv: conv.clone(), message: echo })
            .unwrap();
        // ... and then the answer is lost.
        h.server.fail_next(Call::Send, ImError::new(ErrorCode::Server(500), "gateway"));
        let sent = h.msgs.deliver(&conv, queued).await.unwrap();
        assert_eq!((sent.status, sent.seq), (Some(MsgStatus::SendSucc), Some(9)));
        let stored = h.msgs.find_messages(&[id]).unwrap();
        assert_eq!(stored[0].status, Some(MsgStatus::SendSucc));
    }
}

#[test]
fn test_retry_delays_grow_exponentially_with_full_jitter_up_to_the_cap() {
    let policy = RetryPolicy {
        base: Duration::from_millis(100),
        cap: Duration::from_secs(5),
    };
    assert_eq!(
        policy.delay(0, 0.999_999),
        Duration::from_millis(100).mul_f64(0.999_999)
    );
    assert_eq!(policy.delay(3, 0.5), Duration::from_millis(400));
    assert_eq!(policy.delay(0, 0.0), Duration::ZERO);
    for attempt in [10, 31, 32, u32::MAX] {
        assert_eq!(
            policy.delay(attempt, 1.0),
            Duration::from_secs(5),
            "{attempt}"
        );
    }
    assert_eq!(
        policy.delay(2, 7.0),
        Duration::from_millis(400),
        "draws are clamped"
    );
    assert_eq!(policy.delay(2, -1.0), Duration::ZERO);
    assert_eq!(policy.delay(2, f64::NAN), Duration::ZERO);
    assert_eq!(policy.delay(2, f64::INFINITY), Duration::ZERO);
}
