//! Two devices of one user converge: pins, marks, conversation groups,
//! custom data, receive options and read positions made on one reach the
//! other through the server's event stream (the in-process reference
//! server, `TestTransport`).

use std::sync::Arc;
use std::time::Duration;

use im_model::{ConvId, ConvInfo, ManualClock, MarkSet, Message, ReceiveMessageOpt};
use im_msg::RetryPolicy;
use im_sdk::Client;
use im_transport::testing::TestTransport;

fn device(server: &Arc<TestTransport>, clock: &Arc<ManualClock>) -> Client {
    Client::builder()
        .sdk_app_id(1_400_000_000)
        .memory_store()
        .transport(server.clone())
        .clock(clock.clone())
        .retry_policy(RetryPolicy {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(5),
        })
        .sync_interval(Duration::from_millis(5))
        .build()
        .unwrap()
}

/// What roams of each conversation, and the group list.
type View = (
    Vec<(String, bool, Vec<u64>, Vec<String>, String, u32, u64, u64)>,
    Vec<String>,
);

async fn roaming_view(client: &Client) -> View {
    let convs = client.conversations();
    let mut list: Vec<ConvInfo> = convs.conversation_list().await.unwrap();
    list.sort_by(|a, b| a.conv_id.cmp(&b.conv_id));
    let rows = list
        .into_iter()
        .map(|c| {
            (
                c.conv_id.unwrap(),
                c.is_pinned.unwrap(),
                c.mark_array.unwrap(),
                c.conversation_group_array.unwrap(),
                c.custom_data.unwrap(),
                c.recv_opt.unwrap().value(),
                c.unread_num.unwrap(),
                c.group_read_sequence.unwrap_or(0),
            )
        })
        .collect();
    (rows, convs.conversation_groups().await.unwrap())
}

/// Waits until both devices show the same view, and `ready` holds for it.
async fn converged(a: &Client, b: &Client, ready: impl Fn(&View) -> bool) -> View {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let (va, vb) = (roaming_view(a).await, roaming_view(b).await);
            if va == vb && ready(&va) {
                return va;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the devices did not converge within 10 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_two_devices_of_one_user_converge_on_roaming_state() {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let server = Arc::new(TestTransport::new(clock.clone()));
    let (phone, laptop) = (device(&server, &clock), device(&server, &clock));
    phone.login("alice", "sig").await.unwrap();
    laptop.login("alice", "sig").await.unwrap();
    let bob = ConvId::c2c("bob").unwrap();
    let team = ConvId::group("team").unwrap();
    server.deliver_from_peer(&bob, "bob", Message::text("hi"));
    for i in 0..3 {
        server.deliver_from_peer(&team, "carol", Message::text(format!("team {i}")));
    }
    // Both conversations, with their unread messages, on both devices.
    converged(&phone, &laptop, |(rows, _)| {
        rows.len() == 2 && rows.iter().map(|r| r.6).sum::<u64>() == 4
    })
    .await;

    // Everything roaming, done on the phone.
    let convs = phone.conversations();
    convs.pin_conversation(&bob, true).await.unwrap();
    let custom_bit = 1u64 << 40;
    let both = [bob.clone(), team.clone()];
    convs
        .mark_conversations(&both, MarkSet::STAR.bits() | custom_bit, true)
        .await
        .unwrap();
    convs
        .create_conversation_group("work", std::slice::from_ref(&bob))
        .await
        .unwrap();
    convs
        .add_conversations_to_group("work", std::slice::from_ref(&team))
        .await
        .unwrap();
    convs
        .create_conversation_group("tmp", std::slice::from_ref(&team))
        .await
        .unwrap();
    convs
        .rename_conversation_group("work", "office")
        .await
        .unwrap();
    convs.delete_conversation_group("tmp").await.unwrap();
    convs
        .set_custom_data(std::slice::from_ref(&team), "team-data")
        .await
        .unwrap();
    let msgs = phone.messages();
    msgs.set_group_receive_option("team", ReceiveMessageOpt::NotNotify)
        .await
        .unwrap();
    msgs.report_read(&team, None).await.unwrap();

    // The last change made on the phone is the read report.
    let (rows, groups) = converged(&phone, &laptop, |(rows, _)| {
        rows.iter().any(|r| r.0 == "team" && r.7 == 3)
    })
    .await;
    assert_eq!(groups, vec!["office"]);
    let bob_row = rows.iter().find(|r| r.0 == "bob").unwrap();
    assert!(bob_row.1, "pinned");
    assert_eq!(bob_row.2, vec![MarkSet::STAR.bits(), custom_bit]);
    assert_eq!(bob_row.3, vec!["office"]);
    assert_eq!(bob_row.6, 1, "bob's message is still unread");
    let team_row = rows.iter().find(|r| r.0 == "team").unwrap();
    assert_eq!(team_row.3, vec!["office"]);
    assert_eq!(team_row.4, "team-data");
    assert_eq!(team_row.5, ReceiveMessageOpt::NotNotify.value());
    assert_eq!(
        (team_row.6, team_row.7),
        (0, 3),
        "read on the phone, read on the laptop"
    );
    assert_eq!(laptop.conversations().total_unread().await.unwrap(), 1);

    // The server refuses what breaks its rules, and nothing changes.
    let too_long = "x".repeat(33);
    let err = convs
        .create_conversation_group(&too_long, std::slice::from_ref(&bob))
        .await
        .unwrap_err();
    assert_eq!(err.code(), 51011);
    assert_eq!(
        convs
            .delete_conversation_group("nope")
            .await
            .unwrap_err()
            .code(),
        51009
    );
    assert_eq!(roaming_view(&phone).await, (rows, groups));

    phone.shutdown().await;
    laptop.shutdown().await;
}
