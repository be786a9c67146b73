//! Model-based property test of starting from the server's snapshot (a
//! device's first sync, and a resync after the server dropped the events
//! past its cursor): random histories of peer messages (some excluded
//! from unread, some mentioning this user), this user's messages from
//! another device, reads on another device, syncs while present, time
//! passing, and the server dropping its events. After the final resync,
//! and at every sync before it:
//! * counts and rows agree: each conversation's unread count is its
//!   stored unread messages plus what the snapshot counted and this device
//!   does not store;
//! * the count equals the model's: the peers' counted messages after the
//!   read position; the mentions are exactly the unread ones;
//! * no message is stored twice or announced twice;
//! * reading everything leaves nothing unread.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use im_model::{ConvId, ConvType, Message};
use im_store::UnreadQuery;
use im_transport::{LoginRequest, ReadPosition, ReadReport, Transport};
use proptest::prelude::*;
use support::{Backend, Harness, ME, fresh_harness, mentioning_me, text};

#[derive(Debug, Clone)]
enum Op {
    Peer {
        conv: usize,
        excluded: bool,
        mention: bool,
    },
    Mine {
        conv: usize,
    },
    /// Another device of this user read everything so far.
    ReadElsewhere {
        conv: usize,
    },
    Tick(u64),
    Sync,
    /// The server drops its events: the next sync resyncs.
    Drop,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..2usize, prop::bool::weighted(0.2), prop::bool::weighted(0.3))
            .prop_map(|(conv, excluded, mention)| Op::Peer { conv, excluded, mention }),
        1 => (0..2usize).prop_map(|conv| Op::Mine { conv }),
        1 => (0..2usize).prop_map(|conv| Op::ReadElsewhere { conv }),
        2 => prop_oneof![Just(0u64), Just(1), Just(30)].prop_map(Op::Tick),
        2 => Just(Op::Sync),
        1 => Just(Op::Drop),
    ]
}

fn convs() -> [ConvId; 2] {
    [ConvId::c2c("peer").unwrap(), ConvId::group("team").unwrap()]
}

/// What the server holds of a conversation, as the model sees it.
#[derive(Debug, Default)]
struct ModelConv {
    /// (time, seq, counts as unread, mentions this user)
    messages: Vec<(u64, u64, bool, bool)>,
    read_time: u64,
    read_seq: u64,
}

impl ModelConv {
    fn is_read(&self, is_group: bool, time: u64, seq: u64) -> bool {
        if is_group {
            seq <= self.read_seq
        } else {
            time <= self.read_time
        }
    }

    fn unread(&self, is_group: bool) -> u64 {
        self.messages
            .iter()
            .filter(|(t, s, counted, _)| *counted && !self.is_read(is_group, *t, *s))
            .count() as u64
    }

    fn mentions(&self) -> BTreeSet<u64> {
        self.messages
            .iter()
            .filter(|(t, s, counted, mention)| *mention && *counted && !self.is_read(true, *t, *s))
            .map(|(_, s, _, _)| *s)
            .collect()
    }
}

fn check(h: &Harness, model: &BTreeMap<usize, ModelConv>) -> Result<(), TestCaseError> {
    for (i, id) in convs().iter().enumerate() {
        let Some(stored) = h.store.conversation(id).unwrap() else {
            prop_assert!(
                model.get(&i).is_none_or(|m| m.messages.is_empty()),
                "{id} missing"
            );
            continue;
        };
        let rows = h
            .store
            .count_unread(&UnreadQuery {
                conv: id.clone(),
                after_time: stored.c2c_read_timestamp,
                after_seq: stored.group_read_seq,
            })
            .unwrap();
        let unstored = stored.unstored_unread.map_or(0, |u| u.count);
        prop_assert_eq!(
            stored.unread_count,
            rows + unstored,
            "counts and rows of {}",
            id
        );
        let is_group = id.conv_type() == ConvType::Group;
        let m = &model[&i];
        prop_assert_eq!(stored.unread_count, m.unread(is_group), "unread of {}", id);
        if is_group {
            let held: BTreeSet<u64> = h.mention_seqs(id).into_iter().collect();
            prop_assert_eq!(held, m.mentions(), "mentions of {}", id);
        }
    }
    Ok(())
}

/// The in-process server with this user's session (its snapshots count
/// unread for `ME`), and its clock.
async fn server_of_me() -> (
    std::sync::Arc<im_transport::testing::TestTransport>,
    std::sync::Arc<im_model::ManualClock>,
) {
    let clock = std::sync::Arc::new(im_model::ManualClock::new(1_700_000_000));
    let server = std::sync::Arc::new(im_transport::testing::TestTransport::new(clock.clone()));
    server
        .login(LoginRequest {
            user_id: ME.into(),
            user_sig: "sig".into(),
        })
        .await
        .unwrap();
    (server, clock)
}

async fn run(backend: Backend, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (server, clock) = server_of_me().await;
    let h = fresh_harness(backend, server.clone(), clock.clone());
    let ids = convs();
    let mut model: BTreeMap<usize, ModelConv> = BTreeMap::new();
    let mut announced: Vec<String> = Vec::new();
    for op in &ops {
        match op {
            Op::Peer {
                conv,
                excluded,
                mention,
            } => {
                let is_group = ids[*conv].conv_type() == ConvType::Group;
                let mut m = if *mention && is_group {
                    mentioning_me("hello")
                } else {
                    text("hello")
                };
                m.is_excluded_from_unread_count = Some(*excluded);
                let sent = server.deliver_from_peer(&ids[*conv], "peer", m);
                model.entry(*conv).or_default().messages.push((
                    sent.timestamp(),
                    sent.seq.unwrap(),
                    !excluded,
                    *mention && is_group,
                ));
            }
            Op::Mine { conv } => {
                let sent = server.deliver_from_peer(&ids[*conv], ME, Message::text("mine"));
                model.entry(*conv).or_default().messages.push((
                    sent.timestamp(),
                    sent.seq.unwrap(),
                    false,
                    false,
                ));
            }
            Op::ReadElsewhere { conv } => {
                let m = model.entry(*conv).or_default();
                let Some(&(time, seq, _, _)) =
                    m.messages.iter().max_by_key(|(t, s, _, _)| (*t, *s))
                else {
                    continue;
                };
                server
                    .report_read(ReadReport {
                        items: vec![ReadPosition {
                            conv: ids[*conv].clone(),
                            read_time: time,
                            read_seq: seq,
                        }],
                    })
                    .await
                    .unwrap();
                m.read_time = m.read_time.max(time);
                m.read_seq = m.read_seq.max(seq);
            }
            Op::Tick(secs) => clock.advance(*secs),
            Op::Sync => {
                h.msgs.sync_events().await.unwrap();
                announced.extend(h.new_message_ids());
                check(&h, &model)?;
            }
            Op::Drop => server.compact_events(u64::MAX),
        }
    }
    server.compact_events(u64::MAX);
    h.msgs.sync_events().await.unwrap();
    announced.extend(h.new_message_ids());
    check(&h, &model)?;
    let unique: BTreeSet<&String> = announced.iter().collect();
    prop_assert_eq!(unique.len(), announced.len(), "a message announced twice");
    // Reading everything leaves nothing unread, stored or not.
    for id in &ids {
        if h.store.conversation(id).unwrap().is_some() {
            h.msgs.report_read(id, None).await.unwrap();
            let stored = h.store.conversation(id).unwrap().unwrap();
            prop_assert_eq!(
                (stored.unread_count, stored.unstored_unread),
                (0, None),
                "{}",
                id
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn test_a_snapshot_sync_matches_the_model(ops in prop::collection::vec(op(), 0..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(Backend::Memory, ops))?;
    }

    #[test]
    fn test_a_snapshot_sync_matches_the_model_on_sqlite(ops in prop::collection::vec(op(), 0..30)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(Backend::Sqlite, ops))?;
    }
}

/// What a snapshot says is checked like any received message: a last
/// message that cannot be stored is left out (the conversation and its
/// state still come, and only stored messages count then), and the
/// mentions kept are bounded.
#[tokio::test]
async fn test_a_snapshot_that_cannot_be_applied_as_sent_is_bounded_and_skipped_in_part() {
    use im_model::limits::{MAX_SNAPSHOT_MENTIONS, MAX_TIME_SECS};
    use im_transport::ConvStateChange;
    for backend in [Backend::Memory, Backend::Sqlite] {
        let (server, clock) = server_of_me().await;
        let team = ConvId::group("team").unwrap();
        let mentions: Vec<Message> = (1..=150u64)
            .map(|seq| Message {
                msg_id: Some(format!("m-{seq}")),
                seq: Some(seq),
                server_time: Some(1_700_000_000 + seq),
                sender: Some("carol".into()),
                ..mentioning_me("look")
            })
            .collect();
        server.seed_roaming(&team, mentions);
        // Its newest message has a time no store can order.
        let late = ConvId::c2c("late").unwrap();
        server.seed_roaming(
            &late,
            vec![Message {
                msg_id: Some("late-1".into()),
                seq: Some(1),
                server_time: Some(MAX_TIME_SECS + 1),
                sender: Some("late".into()),
                ..text("from the far future")
            }],
        );
        server
            .update_conversations(ConvStateChange::Pin {
                conv: late.clone(),
                pinned: true,
            })
            .await
            .unwrap();
        let h = fresh_harness(backend, server.clone(), clock.clone());
        assert_eq!(h.msgs.sync_events().await.unwrap(), 2, "{backend:?}");
        let team_info = h.convs.conversation(&team).unwrap().unwrap();
        assert_eq!(team_info.unread_num, Some(150), "{backend:?}");
        assert_eq!(
            h.mention_seqs(&team).len(),
            MAX_SNAPSHOT_MENTIONS,
            "{backend:?}"
        );
        let late_info = h.convs.conversation(&late).unwrap().unwrap();
        assert_eq!(
            (
                late_info.is_pinned,
                late_info.has_last_msg,
                late_info.unread_num
            ),
            (Some(true), Some(false), Some(0)),
            "{backend:?}"
        );
        let stored = h.store.conversation(&late).unwrap().unwrap();
        assert_eq!(stored.unstored_unread, None, "{backend:?}");
    }
}
