//! Two devices of one user converge: pins, marks, conversation groups,
//! custom data, receive options and read positions made on one reach the
//! other through the server's event stream (the in-process reference
//! server, `TestTransport`).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
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
    let mut laptop_events = Box::pin(laptop.events());
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
    // The laptop's app heard of the group changes as group events.
    let mut heard = Vec::new();
    while let Ok(Some(event)) =
        tokio::time::timeout(Duration::from_millis(50), laptop_events.next()).await
    {
        if let im_sdk::SdkEvent::Conversation(e) = event {
            match e {
                im_conv::ConvEvent::GroupCreated { name, .. } => {
                    heard.push(format!("created {name}"))
                }
                im_conv::ConvEvent::GroupDeleted { name } => heard.push(format!("deleted {name}")),
                im_conv::ConvEvent::GroupRenamed { old, new } => {
                    heard.push(format!("renamed {old} to {new}"))
                }
                im_conv::ConvEvent::ConversationsAddedToGroup {
                    name,
                    conversations,
                } => heard.push(format!("added {} to {name}", conversations.len())),
                _ => {}
            }
        }
    }
    for expected in [
        "created work",
        "added 1 to work",
        "created tmp",
        "deleted tmp",
        "renamed work to office",
    ] {
        assert!(
            heard.iter().any(|h| h == expected),
            "{expected} not in {heard:?}"
        );
    }
    // A rename is heard as a rename, not as a new group and a deleted one.
    assert!(
        !heard
            .iter()
            .any(|h| h == "created office" || h == "deleted work"),
        "{heard:?}"
    );

    // Cleaning unread on the laptop reaches the phone too.
    laptop
        .conversations()
        .clean_unread(&im_model::ConvSelector::One(bob.clone()), 0, 0)
        .await
        .unwrap();
    let (rows, groups) =
        converged(&phone, &laptop, |(rows, _)| rows.iter().all(|r| r.6 == 0)).await;
    assert_eq!(phone.conversations().total_unread().await.unwrap(), 0);

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

mod model {
    //! Random sequences of roaming changes, each made on a random one of
    //! two devices (SQLite in temporary directories), with device restarts
    //! and new messages in between: afterwards both devices show exactly
    //! the server's state (the model: the reference server's own record).

    use super::*;
    use im_transport::ConvRoamingState;
    use proptest::prelude::*;

    const GROUPS: [&str; 3] = ["a", "b", "c"];

    fn convs() -> [ConvId; 3] {
        [
            ConvId::c2c("bob").unwrap(),
            ConvId::c2c("dan").unwrap(),
            ConvId::group("team").unwrap(),
        ]
    }

    #[derive(Debug, Clone)]
    enum Op {
        Pin(usize, bool),
        Mark(usize, u8, bool),
        Custom(usize, u8),
        CreateGroup(usize, usize),
        DeleteGroup(usize),
        RenameGroup(usize, usize),
        AddToGroup(usize, usize),
        RemoveFromGroup(usize, usize),
        Receive(usize, u8),
        Read(usize),
        PeerMessage(usize),
        Restart,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..3usize, any::<bool>()).prop_map(|(c, p)| Op::Pin(c, p)),
            (0..3usize, 0..3u8, any::<bool>()).prop_map(|(c, m, e)| Op::Mark(c, m, e)),
            (0..3usize, 0..3u8).prop_map(|(c, d)| Op::Custom(c, d)),
            (0..3usize, 0..3usize).prop_map(|(g, c)| Op::CreateGroup(g, c)),
            (0..3usize).prop_map(Op::DeleteGroup),
            (0..3usize, 0..3usize).prop_map(|(a, b)| Op::RenameGroup(a, b)),
            (0..3usize, 0..3usize).prop_map(|(g, c)| Op::AddToGroup(g, c)),
            (0..3usize, 0..3usize).prop_map(|(g, c)| Op::RemoveFromGroup(g, c)),
            (0..3usize, 0..3u8).prop_map(|(c, o)| Op::Receive(c, o)),
            (0..3usize).prop_map(Op::Read),
            (0..3usize).prop_map(Op::PeerMessage),
            Just(Op::Restart),
        ]
    }

    fn sqlite_device(
        dir: &std::path::Path,
        server: &Arc<TestTransport>,
        clock: &Arc<ManualClock>,
    ) -> Client {
        Client::builder()
            .sdk_app_id(1_400_000_000)
            .data_dir(dir)
            .transport(server.clone())
            .clock(clock.clone())
            .retry_policy(RetryPolicy {
                base: Duration::from_millis(1),
                cap: Duration::from_millis(5),
            })
            .sync_interval(Duration::from_millis(2))
            .build()
            .unwrap()
    }

    /// One device's roaming view of a conversation, in the server's terms.
    fn as_roamed(info: &ConvInfo) -> (bool, u64, Vec<String>, String, u32) {
        let mut groups = info.conversation_group_array.clone().unwrap();
        groups.sort();
        (
            info.is_pinned.unwrap(),
            MarkSet::from_single_marks(info.mark_array.as_deref().unwrap()).bits(),
            groups,
            info.custom_data.clone().unwrap(),
            info.recv_opt.unwrap().value(),
        )
    }

    fn server_view(state: &ConvRoamingState) -> (bool, u64, Vec<String>, String, u32) {
        let mut groups = state.groups.clone();
        groups.sort();
        (
            state.pinned,
            state.marks,
            groups,
            state.custom_data.clone(),
            state.recv_opt.value(),
        )
    }

    async fn apply(op: &Op, device: &Client, server: &Arc<TestTransport>) {
        let ids = convs();
        let c = device.conversations();
        let m = device.messages();
        // Refusals (a group that exists, one that does not) are part of
        // the game: the server's record stays the truth either way.
        let _ = match op {
            Op::Pin(i, p) => c.pin_conversation(&ids[*i], *p).await,
            Op::Mark(i, bit, e) => {
                let bits = [MarkSet::STAR.bits(), MarkSet::FOLD.bits(), 1 << 40][*bit as usize];
                c.mark_conversations(std::slice::from_ref(&ids[*i]), bits, *e)
                    .await
                    .map(drop)
            }
            Op::Custom(i, d) => c
                .set_custom_data(std::slice::from_ref(&ids[*i]), &format!("data{d}"))
                .await
                .map(drop),
            Op::CreateGroup(g, i) => c
                .create_conversation_group(GROUPS[*g], std::slice::from_ref(&ids[*i]))
                .await
                .map(drop),
            Op::DeleteGroup(g) => c.delete_conversation_group(GROUPS[*g]).await,
            Op::RenameGroup(a, b) => c.rename_conversation_group(GROUPS[*a], GROUPS[*b]).await,
            Op::AddToGroup(g, i) => c
                .add_conversations_to_group(GROUPS[*g], std::slice::from_ref(&ids[*i]))
                .await
                .map(drop),
            Op::RemoveFromGroup(g, i) => c
                .remove_conversations_from_group(GROUPS[*g], std::slice::from_ref(&ids[*i]))
                .await
                .map(drop),
            Op::Receive(i, o) => {
                let opt = ReceiveMessageOpt::ALL[*o as usize];
                let id = &ids[*i];
                if id.conv_type() == im_model::ConvType::Group {
                    m.set_group_receive_option(id.peer(), opt).await
                } else {
                    m.set_c2c_receive_option(&[id.peer().to_owned()], opt).await
                }
            }
            Op::Read(i) => m.report_read(&ids[*i], None).await,
            Op::PeerMessage(i) => {
                server.deliver_from_peer(&ids[*i], "peer", Message::text("hello"));
                Ok(())
            }
            Op::Restart => Ok(()),
        };
    }

    /// Waits until both devices hold all three conversations and agree
    /// with each other and with the server.
    async fn agree(devices: &[Client; 2], server: &TestTransport) -> Result<(), String> {
        let mut last = String::new();
        for _ in 0..2_000 {
            let mut views = Vec::new();
            for d in devices {
                let mut rows = Vec::new();
                for id in convs() {
                    if let Some(info) = d.conversations().conversation(&id).await.unwrap() {
                        rows.push((id.to_prefixed(), as_roamed(&info), info.unread_num));
                    }
                }
                let mut groups = d.conversations().conversation_groups().await.unwrap();
                groups.sort();
                views.push((rows, groups));
            }
            let expected: Vec<_> = views[0]
                .0
                .iter()
                .map(|(id, _, _)| {
                    let conv = ConvId::parse_prefixed(id).unwrap();
                    server_view(&server.conversation_state(&conv).unwrap_or_default())
                })
                .collect();
            let matches_server = views[0]
                .0
                .iter()
                .zip(&expected)
                .all(|((_, view, _), want)| view == want);
            if views[0] == views[1] && views[0].0.len() == 3 && matches_server {
                return Ok(());
            }
            last = format!("{views:?} vs server {expected:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Err(last)
    }

    fn run(ops: Vec<(Op, bool)>) -> Result<(), TestCaseError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let clock = Arc::new(ManualClock::new(1_700_000_000));
            let server = Arc::new(TestTransport::new(clock.clone()));
            let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
            let mut devices = [
                sqlite_device(dirs[0].path(), &server, &clock),
                sqlite_device(dirs[1].path(), &server, &clock),
            ];
            for d in &devices {
                d.login("alice", "sig").await.unwrap();
            }
            // Every conversation exists on both devices first.
            for id in convs() {
                server.deliver_from_peer(&id, "peer", Message::text("first"));
            }
            agree(&devices, &server)
                .await
                .map_err(TestCaseError::fail)?;
            for (op, on_second) in &ops {
                let i = usize::from(*on_second);
                if let Op::Restart = op {
                    devices[i].shutdown().await;
                    devices[i] = sqlite_device(dirs[i].path(), &server, &clock);
                    devices[i].login("alice", "sig").await.unwrap();
                } else {
                    apply(op, &devices[i], &server).await;
                }
            }
            let agreed = agree(&devices, &server).await;
            for d in &devices {
                d.shutdown().await;
            }
            agreed.map_err(|e| TestCaseError::fail(format!("after {ops:?}: {e}")))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn test_two_devices_converge_on_the_servers_state(
            ops in prop::collection::vec((op(), any::<bool>()), 1..25)
        ) {
            run(ops)?;
        }
    }
}

/// The next conversation-group events of `events` until 200 ms pass
/// without one.
async fn group_events(
    events: &mut (impl futures::Stream<Item = im_sdk::SdkEvent> + Unpin),
) -> Vec<im_conv::ConvEvent> {
    use im_conv::ConvEvent;
    let mut got = Vec::new();
    while let Ok(Some(event)) =
        tokio::time::timeout(Duration::from_millis(200), events.next()).await
    {
        if let im_sdk::SdkEvent::Conversation(
            e @ (ConvEvent::GroupCreated { .. }
            | ConvEvent::GroupDeleted { .. }
            | ConvEvent::GroupRenamed { .. }
            | ConvEvent::ConversationsAddedToGroup { .. }
            | ConvEvent::ConversationsRemovedFromGroup { .. }),
        ) = event
        {
            got.push(e);
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_group_past_1000_evicts_its_oldest_on_every_device_with_the_reason() {
    use im_conv::{ConvEvent, RemovedFromGroupReason};
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let server = Arc::new(TestTransport::new(clock.clone()));
    let (phone, laptop) = (device(&server, &clock), device(&server, &clock));
    phone.login("alice", "sig").await.unwrap();
    laptop.login("alice", "sig").await.unwrap();
    let mut phone_events = Box::pin(phone.events());
    let mut laptop_events = Box::pin(laptop.events());
    let ids: Vec<ConvId> = (0..=1000)
        .map(|i| ConvId::c2c(format!("u{i:04}")).unwrap())
        .collect();
    let convs = phone.conversations();
    for id in &ids {
        convs.create_conversation(id).await.unwrap();
    }
    group_events(&mut phone_events).await;
    // Created with 100: one "created" carrying them, on both devices.
    convs
        .create_conversation_group("big", &ids[..100])
        .await
        .unwrap();
    for events in [&mut phone_events, &mut laptop_events] {
        let got = group_events(events).await;
        assert_eq!(got.len(), 1, "{got:?}");
        let ConvEvent::GroupCreated {
            name,
            conversations,
        } = &got[0]
        else {
            panic!("{got:?}");
        };
        assert_eq!((name.as_str(), conversations.len()), ("big", 100));
    }
    for chunk in ids[100..1000].chunks(100) {
        convs
            .add_conversations_to_group("big", chunk)
            .await
            .unwrap();
    }
    group_events(&mut phone_events).await;
    group_events(&mut laptop_events).await;
    // The 1001st: the oldest-added leaves, with the eviction reason.
    convs
        .add_conversations_to_group("big", &ids[1000..])
        .await
        .unwrap();
    for events in [&mut phone_events, &mut laptop_events] {
        let got = group_events(events).await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got.iter().any(|e| matches!(
                e,
                ConvEvent::ConversationsAddedToGroup { name, conversations }
                    if name == "big" && conversations.len() == 1
                        && conversations[0].conv_id.as_deref() == Some("u1000")
            )),
            "{got:?}"
        );
        assert!(
            got.iter().any(|e| matches!(
                e,
                ConvEvent::ConversationsRemovedFromGroup { name, conversations, reason }
                    if name == "big" && *reason == RemovedFromGroupReason::Evicted
                        && conversations.len() == 1
                        && conversations[0].conv_id.as_deref() == Some("u0000")
            )),
            "{got:?}"
        );
    }
    for device in [&phone, &laptop] {
        let first = device
            .conversations()
            .conversation(&ids[0])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.conversation_group_array, Some(vec![]));
    }
    phone.shutdown().await;
    laptop.shutdown().await;
}
