//! Model-based property test of the message layer: random sequences of
//! sends (some failing, some retried), peer messages (some duplicated,
//! some excluded from unread, some from this user's other devices, some
//! left unsynced on the server), roaming pulls, re-imports of stored
//! messages, revokes, reads, cleans by time or sequence, deletes and app
//! restarts, on the in-memory store and on SQLite. After every step, each
//! conversation's unread count, last message and message statuses equal a
//! simple model that states the unread rule of ARCHITECTURE.md, no message
//! is stored twice, and no message is announced twice.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use im_model::message::{Message, MsgDeleteParam, MsgGetMsgListParam};
use im_model::{ConvId, ConvSelector, ConvType, ErrorCode, ImError, MsgStatus};
use im_msg::MsgEvent;
use im_store::{HistoryQuery, MessagePos, UnreadQuery};
use im_transport::testing::Call;
use im_transport::{ConvRoamingState, ServerEvent};
use proptest::prelude::*;
use support::{Backend, Harness, ME, harness_on, text};

fn convs() -> [ConvId; 3] {
    [
        ConvId::c2c("a").unwrap(),
        ConvId::c2c("b").unwrap(),
        ConvId::group("g").unwrap(),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    PeerMessage {
        conv: usize,
        excluded: bool,
        from_me: bool,
        /// Synced at once; else left on the server for a later sync or a
        /// roaming pull.
        sync: bool,
    },
    Sync,
    Roam {
        conv: usize,
    },
    Reimport {
        conv: usize,
        k: usize,
    },
    Clean {
        conv: usize,
        /// How far below the newest position to clean (0: everything).
        back: u64,
    },
    /// Another device of the user read the conversation up to a position
    /// below the newest (or everything): its roamed state arrives.
    RemoteRead {
        conv: usize,
        back: u64,
    },
    Restart,
    Duplicate {
        conv: usize,
        k: usize,
    },
    Send {
        conv: usize,
        fail: bool,
    },
    Retry {
        conv: usize,
    },
    Revoke {
        conv: usize,
    },
    PeerRevoke {
        conv: usize,
        k: usize,
    },
    Read {
        conv: usize,
    },
    Delete {
        conv: usize,
        k: usize,
    },
    Tick(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, prop::bool::weighted(0.2), prop::bool::weighted(0.1), prop::bool::weighted(0.7))
            .prop_map(|(conv, excluded, from_me, sync)| Op::PeerMessage { conv, excluded, from_me, sync }),
        1 => Just(Op::Sync),
        1 => (0..3usize).prop_map(|conv| Op::Roam { conv }),
        1 => (0..3usize, 0..8usize).prop_map(|(conv, k)| Op::Reimport { conv, k }),
        1 => (0..3usize, prop_oneof![Just(0u64), 0..3u64, 60..200u64]).prop_map(|(conv, back)| Op::Clean { conv, back }),
        1 => (0..3usize, prop_oneof![Just(0u64), 0..3u64, 60..200u64]).prop_map(|(conv, back)| Op::RemoteRead { conv, back }),
        1 => Just(Op::Restart),
        1 => (0..3usize, 0..8usize).prop_map(|(conv, k)| Op::Duplicate { conv, k }),
        3 => (0..3usize, prop::bool::weighted(0.3)).prop_map(|(conv, fail)| Op::Send { conv, fail }),
        1 => (0..3usize).prop_map(|conv| Op::Retry { conv }),
        1 => (0..3usize).prop_map(|conv| Op::Revoke { conv }),
        1 => (0..3usize, 0..8usize).prop_map(|(conv, k)| Op::PeerRevoke { conv, k }),
        2 => (0..3usize).prop_map(|conv| Op::Read { conv }),
        1 => (0..3usize, 0..8usize).prop_map(|(conv, k)| Op::Delete { conv, k }),
        2 => prop_oneof![Just(1u64), Just(61), Just(200)].prop_map(Op::Tick),
    ]
}

/// What the model knows of one stored message.
#[derive(Debug, Clone)]
struct ModelMsg {
    message: Message,
    counted: bool,
}

#[derive(Debug, Default)]
struct ModelConv {
    messages: BTreeMap<String, ModelMsg>,
    read_time: u64,
    read_seq: u64,
}

/// The unread rule, stated plainly: a message counts when it arrived
/// through the event stream from a peer (not excluded, not online-only),
/// is neither revoked, deleted nor re-imported, and is past the read
/// position (groups: sequence; C2C: time). Roaming pulls and imports never
/// count.
fn counts(m: &ModelMsg) -> bool {
    m.counted
        && !matches!(
            m.message.status,
            Some(MsgStatus::Revoked | MsgStatus::Deleted | MsgStatus::LocalImported)
        )
}

impl ModelConv {
    fn unread(&self, is_group: bool) -> u64 {
        self.messages
            .values()
            .filter(|m| counts(m))
            .filter(|m| {
                if is_group {
                    m.message.seq.unwrap_or(0) > self.read_seq
                } else {
                    m.message.timestamp() > self.read_time
                }
            })
            .count() as u64
    }

    fn visible(&self) -> impl Iterator<Item = &ModelMsg> {
        self.messages
            .values()
            .filter(|m| m.message.status != Some(MsgStatus::Deleted))
    }

    fn last(&self) -> Option<String> {
        self.visible()
            .max_by_key(|m| MessagePos::of(&m.message))
            .and_then(|m| m.message.msg_id.clone())
    }

    /// The newest position: highest sequence (groups) or time (C2C).
    /// The position "everything" reads up to: the highest sequence stored
    /// (a deleted message's too: it is still stored, and every later
    /// message gets a higher one), or the newest time of a message not
    /// deleted (C2C).
    fn newest(&self, is_group: bool) -> u64 {
        if is_group {
            self.messages
                .values()
                .filter_map(|m| m.message.seq)
                .max()
                .unwrap_or(0)
        } else {
            self.visible()
                .map(|m| m.message.timestamp())
                .max()
                .unwrap_or(0)
        }
    }

    fn nth(&self, k: usize, pred: impl Fn(&ModelMsg) -> bool) -> Option<Message> {
        let matching: Vec<&ModelMsg> = self.visible().filter(|m| pred(m)).collect();
        if matching.is_empty() {
            return None;
        }
        Some(matching[k % matching.len()].message.clone())
    }
}

/// The model: conversations, and messages on the server not yet synced.
#[derive(Debug, Default)]
struct Model {
    convs: [ModelConv; 3],
    unsynced: Vec<(usize, ModelMsg)>,
}

impl Model {
    /// The sync stores every unsynced message not stored yet (a roaming
    /// pull may have stored it first, without counting it).
    fn synced(&mut self) {
        for (conv, m) in std::mem::take(&mut self.unsynced) {
            let id = m.message.msg_id.clone().unwrap();
            self.convs[conv].messages.entry(id).or_insert(m);
        }
    }
}

async fn apply(h: &mut Harness, full: &mut Model, op: &Op) {
    let ids = convs();
    let model = &mut full.convs;
    match op {
        Op::PeerMessage {
            conv,
            excluded,
            from_me,
            sync,
        } => {
            let mut m = text("hello");
            m.is_excluded_from_unread_count = Some(*excluded);
            let sender = if *from_me { ME } else { "peer" };
            let m = h.server.deliver_from_peer(&ids[*conv], sender, m);
            let mut stored = m.clone();
            stored.is_from_self = Some(*from_me);
            full.unsynced.push((
                *conv,
                ModelMsg {
                    message: stored,
                    counted: !excluded && !from_me,
                },
            ));
            if *sync {
                h.msgs.sync_events().await.unwrap();
                full.synced();
            }
        }
        Op::Sync => {
            h.msgs.sync_events().await.unwrap();
            full.synced();
        }
        Op::Roam { conv } => {
            let param = MsgGetMsgListParam {
                count: Some(100),
                is_ramble: Some(true),
                ..MsgGetMsgListParam::default()
            };
            h.msgs.get_message_list(&ids[*conv], &param).await.unwrap();
            // Roamed messages are stored without counting; their events,
            // synced later, find them stored.
            for (c, m) in full.unsynced.iter_mut().filter(|(c, _)| c == conv) {
                let id = m.message.msg_id.clone().unwrap();
                model[*c].messages.entry(id).or_insert(ModelMsg {
                    message: m.message.clone(),
                    counted: false,
                });
            }
        }
        Op::Reimport { conv, k } => {
            if let Some(m) = model[*conv].nth(*k, |_| true) {
                h.msgs
                    .import_messages(&ids[*conv], std::slice::from_ref(&m))
                    .unwrap();
                let entry = model[*conv]
                    .messages
                    .get_mut(m.msg_id.as_deref().unwrap())
                    .unwrap();
                entry.message.status = Some(MsgStatus::LocalImported);
            }
        }
        Op::Clean { conv, back } => {
            let id = &ids[*conv];
            let exists = h.convs.conversation(id).unwrap().is_some();
            let is_group = id.conv_type() == ConvType::Group;
            let c = &mut model[*conv];
            let newest = c.newest(is_group);
            let position = if *back == 0 {
                0
            } else {
                newest.saturating_sub(*back).max(1)
            };
            let (time, seq) = if is_group {
                (0, position)
            } else {
                (position, 0)
            };
            let result = h
                .convs
                .clean_unread(&ConvSelector::One(id.clone()), time, seq);
            if !exists {
                assert_eq!(result.unwrap_err().code(), 6004);
                return;
            }
            result.unwrap();
            // 0 reads up to the newest message (now, for an empty C2C).
            let read = match position {
                0 if is_group => newest,
                0 if newest == 0 => im_model::Clock::now_secs(&*h.clock),
                0 => newest,
                given => given,
            };
            if is_group {
                c.read_seq = c.read_seq.max(read);
            } else {
                c.read_time = c.read_time.max(read);
            }
        }
        Op::RemoteRead { conv, back } => {
            let id = &ids[*conv];
            let is_group = id.conv_type() == ConvType::Group;
            let c = &mut model[*conv];
            let position = c.newest(is_group).saturating_sub(*back);
            let (read_time, read_seq) = if is_group {
                (0, position)
            } else {
                (position, 0)
            };
            h.msgs
                .handle_event(ServerEvent::ConversationState {
                    conv: id.clone(),
                    state: ConvRoamingState {
                        read_time,
                        read_seq,
                        ..ConvRoamingState::default()
                    },
                })
                .unwrap();
            // Positions only move forward.
            c.read_time = c.read_time.max(read_time);
            c.read_seq = c.read_seq.max(read_seq);
        }
        Op::Restart => {
            let old = std::mem::replace(h, harness_on(Backend::Memory));
            *h = old.restart();
        }
        Op::Duplicate { conv, k } => {
            if let Some(m) = model[*conv].nth(*k, |m| m.message.is_from_self == Some(false)) {
                h.msgs
                    .handle_event(ServerEvent::NewMessage {
                        conv: ids[*conv].clone(),
                        message: m,
                    })
                    .unwrap();
            }
        }
        Op::Send { conv, fail } => {
            if *fail {
                h.server
                    .fail_next(Call::Send, ImError::new(ErrorCode::NetDisconnect, "down"));
            }
            let result = h.msgs.send_message(&ids[*conv], &text("mine")).await;
            assert_eq!(result.is_err(), *fail);
            // Whatever happened, the stored message is the truth to model.
            let latest = h
                .store
                .history(&HistoryQuery::latest(ids[*conv].clone(), 100))
                .unwrap();
            for m in latest {
                let id = m.msg_id.clone().unwrap();
                if m.is_from_self == Some(true) && !model[*conv].messages.contains_key(&id) {
                    model[*conv].messages.insert(
                        id,
                        ModelMsg {
                            message: m,
                            counted: false,
                        },
                    );
                }
            }
        }
        Op::Retry { conv } => {
            if let Some(m) = model[*conv].nth(0, |m| m.message.status == Some(MsgStatus::SendFail))
            {
                let sent = h.msgs.send_message(&ids[*conv], &m).await.unwrap();
                model[*conv].messages.insert(
                    sent.msg_id.clone().unwrap(),
                    ModelMsg {
                        message: sent,
                        counted: false,
                    },
                );
            }
        }
        Op::Revoke { conv } => {
            let own = model[*conv].nth(0, |m| {
                m.message.is_from_self == Some(true)
                    && m.message.status == Some(MsgStatus::SendSucc)
                    && m.message.seq.is_some()
            });
            if let Some(m) = own {
                let age = im_model::Clock::now_secs(&*h.clock) - m.timestamp();
                let result = h.msgs.revoke(&ids[*conv], &m).await;
                if age > 120 {
                    assert_eq!(result.unwrap_err().code(), 20016);
                } else {
                    result.unwrap();
                    let entry = model[*conv]
                        .messages
                        .get_mut(m.msg_id.as_deref().unwrap())
                        .unwrap();
                    entry.message.status = Some(MsgStatus::Revoked);
                }
            }
        }
        Op::PeerRevoke { conv, k } => {
            let theirs = model[*conv].nth(*k, |m| m.message.is_from_self == Some(false));
            if let Some(m) = theirs {
                h.msgs
                    .handle_event(ServerEvent::Revoked {
                        conv: ids[*conv].clone(),
                        msg_id: m.msg_id.clone().unwrap(),
                        revoker: "peer".into(),
                        reason: String::new(),
                    })
                    .unwrap();
                let entry = model[*conv]
                    .messages
                    .get_mut(m.msg_id.as_deref().unwrap())
                    .unwrap();
                entry.message.status = Some(MsgStatus::Revoked);
            }
        }
        Op::Read { conv } => {
            let exists = h.convs.conversation(&ids[*conv]).unwrap().is_some();
            let result = h.msgs.report_read(&ids[*conv], None).await;
            if !exists {
                assert_eq!(result.unwrap_err().code(), 6004);
                return;
            }
            result.unwrap();
            let c = &mut model[*conv];
            let read_time = match c.newest(false) {
                0 => im_model::Clock::now_secs(&*h.clock),
                t => t,
            };
            c.read_time = c.read_time.max(read_time);
            c.read_seq = c.read_seq.max(c.newest(true));
        }
        Op::Delete { conv, k } => {
            if let Some(m) = model[*conv].nth(*k, |_| true) {
                h.msgs
                    .delete_message(
                        &ids[*conv],
                        &MsgDeleteParam {
                            msg: Some(m.clone()),
                            is_ramble: Some(false),
                            ..MsgDeleteParam::default()
                        },
                    )
                    .await
                    .unwrap();
                let entry = model[*conv]
                    .messages
                    .get_mut(m.msg_id.as_deref().unwrap())
                    .unwrap();
                entry.message.status = Some(MsgStatus::Deleted);
            }
        }
        Op::Tick(secs) => h.clock.advance(*secs),
    }
}

fn check(h: &Harness, model: &[ModelConv; 3]) -> Result<(), TestCaseError> {
    // Stored messages below include deleted ones (status 4).
    for (id, m) in convs().iter().zip(model) {
        let stored = h
            .store
            .history(&HistoryQuery::latest(id.clone(), 1000))
            .unwrap();
        let stored_ids: BTreeSet<String> = stored.iter().filter_map(|m| m.msg_id.clone()).collect();
        prop_assert_eq!(stored.len(), stored_ids.len(), "a message stored twice");
        let model_ids: BTreeSet<String> = m.messages.keys().cloned().collect();
        prop_assert_eq!(&stored_ids, &model_ids, "stored messages of {}", id);
        for s in &stored {
            let want = &m.messages[s.msg_id.as_deref().unwrap()];
            prop_assert_eq!(s.status, want.message.status, "status of {:?}", s.msg_id);
        }
        let info = h.convs.conversation(id).unwrap();
        let unread = info.as_ref().and_then(|c| c.unread_num).unwrap_or(0);
        prop_assert_eq!(
            unread,
            m.unread(id.conv_type() == ConvType::Group),
            "unread of {}",
            id
        );
        let last = info.and_then(|c| c.last_msg).and_then(|l| l.msg_id);
        prop_assert_eq!(last, m.last(), "last message of {}", id);
        // Counts and rows agree: the maintained count is the recount.
        if let Some(c) = h.store.conversation(id).unwrap() {
            let recount = h
                .store
                .count_unread(&UnreadQuery {
                    conv: id.clone(),
                    after_time: c.c2c_read_timestamp,
                    after_seq: c.group_read_seq,
                })
                .unwrap();
            prop_assert_eq!(c.unread_count, recount, "unread count vs rows of {}", id);
        }
    }
    Ok(())
}

fn run(backend: Backend, ops: &[Op]) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut h = harness_on(backend);
        let mut model = Model::default();
        let mut announced: BTreeMap<String, usize> = BTreeMap::new();
        for op in ops {
            apply(&mut h, &mut model, op).await;
            check(&h, &model.convs)?;
            for e in h.events.take() {
                if let MsgEvent::NewMessages(list) = e {
                    for m in list {
                        *announced.entry(m.msg_id.unwrap()).or_default() += 1;
                    }
                }
            }
            prop_assert!(
                announced.values().all(|n| *n == 1),
                "announced twice: {:?}",
                announced
            );
        }
        // Every peer message that arrived through the event stream was
        // announced; none of ours sent from here, none only roamed.
        h.msgs.sync_events().await.unwrap();
        model.synced();
        for e in h.events.take() {
            if let MsgEvent::NewMessages(list) = e {
                for m in list {
                    *announced.entry(m.msg_id.unwrap()).or_default() += 1;
                }
            }
        }
        for m in model.convs.iter().flat_map(|c| c.messages.values()) {
            let id = m.message.msg_id.clone().unwrap();
            let ours_from_here = m.message.is_from_self == Some(true)
                && m.message.sender.as_deref() == Some(ME)
                && !id.starts_with("peer-");
            if ours_from_here {
                prop_assert!(!announced.contains_key(&id), "announced our own {}", id);
            }
            prop_assert!(
                announced.get(&id).is_none_or(|n| *n == 1),
                "announced twice: {}",
                id
            );
        }
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn test_message_sequences_match_the_model(ops in prop::collection::vec(op(), 1..40)) {
        run(Backend::Memory, &ops)?;
    }
}

proptest! {
    // SQLite writes a file and syncs each commit: fewer cases, same rule.
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn test_message_sequences_match_the_model_on_sqlite(ops in prop::collection::vec(op(), 1..40)) {
        run(Backend::Sqlite, &ops)?;
    }
}
