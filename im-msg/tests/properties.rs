//! Model-based property test of the message layer: random sequences of
//! sends (some failing, some retried), peer messages (some duplicated,
//! some excluded from unread, some from this user's other devices),
//! revokes, reads and deletes. After every step, each conversation's
//! unread count, last message and message statuses equal a simple model,
//! no message is stored twice, and no message is announced twice.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use im_model::message::{Message, MsgDeleteParam};
use im_model::{ConvId, ConvType, ErrorCode, ImError, MsgStatus};
use im_msg::MsgEvent;
use im_store::{HistoryQuery, MessagePos, MessageStore};
use im_transport::ServerEvent;
use im_transport::testing::Call;
use proptest::prelude::*;
use support::{Harness, ME, harness, text};

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
    },
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
        4 => (0..3usize, prop::bool::weighted(0.2), prop::bool::weighted(0.1))
            .prop_map(|(conv, excluded, from_me)| Op::PeerMessage { conv, excluded, from_me }),
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

impl ModelConv {
    fn unread(&self, is_group: bool) -> u64 {
        self.messages
            .values()
            .filter(|m| m.counted && m.message.status != Some(MsgStatus::Revoked))
            .filter(|m| {
                if is_group {
                    m.message.seq.unwrap_or(0) > self.read_seq
                } else {
                    m.message.timestamp() > self.read_time
                }
            })
            .count() as u64
    }

    fn last(&self) -> Option<String> {
        self.messages
            .values()
            .max_by_key(|m| MessagePos::of(&m.message))
            .and_then(|m| m.message.msg_id.clone())
    }

    fn nth(&self, k: usize, pred: impl Fn(&ModelMsg) -> bool) -> Option<Message> {
        let matching: Vec<&ModelMsg> = self.messages.values().filter(|m| pred(m)).collect();
        if matching.is_empty() {
            return None;
        }
        Some(matching[k % matching.len()].message.clone())
    }
}

async fn apply(h: &Harness, model: &mut [ModelConv; 3], op: &Op) {
    let ids = convs();
    match op {
        Op::PeerMessage {
            conv,
            excluded,
            from_me,
        } => {
            let mut m = text("hello");
            m.is_excluded_from_unread_count = Some(*excluded);
            let sender = if *from_me { ME } else { "peer" };
            let m = h.peer_sends(&ids[*conv], sender, m).await;
            let mut stored = m.clone();
            stored.is_from_self = Some(*from_me);
            model[*conv].messages.insert(
                m.msg_id.unwrap(),
                ModelMsg {
                    message: stored,
                    counted: !excluded && !from_me,
                },
            );
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
            let newest: Vec<&Message> = {
                let mut all: Vec<&Message> = c.messages.values().map(|m| &m.message).collect();
                all.sort_by_key(|m| std::cmp::Reverse(MessagePos::of(m)));
                all.into_iter().take(20).collect()
            };
            if let Some(t) = newest.iter().map(|m| m.timestamp()).max() {
                c.read_time = c.read_time.max(t);
            } else {
                c.read_time = c.read_time.max(im_model::Clock::now_secs(&*h.clock));
            }
            c.read_seq = c
                .read_seq
                .max(newest.iter().filter_map(|m| m.seq).max().unwrap_or(0));
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
                model[*conv].messages.remove(m.msg_id.as_deref().unwrap());
            }
        }
        Op::Tick(secs) => h.clock.advance(*secs),
    }
}

fn check(h: &Harness, model: &[ModelConv; 3]) -> Result<(), TestCaseError> {
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
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn test_message_sequences_match_the_model(ops in prop::collection::vec(op(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let h = harness();
            let mut model: [ModelConv; 3] = Default::default();
            let mut announced: BTreeMap<String, usize> = BTreeMap::new();
            for op in &ops {
                apply(&h, &mut model, op).await;
                check(&h, &model)?;
                for e in h.events.take() {
                    if let MsgEvent::NewMessages(list) = e {
                        for m in list {
                            *announced.entry(m.msg_id.unwrap()).or_default() += 1;
                        }
                    }
                }
                prop_assert!(announced.values().all(|n| *n == 1), "announced twice: {:?}", announced);
            }
            // Every peer message was announced; none of ours sent from here.
            for m in model.iter().flat_map(|c| c.messages.values()) {
                let id = m.message.msg_id.clone().unwrap();
                let ours_from_here = m.message.is_from_self == Some(true)
                    && m.message.sender.as_deref() == Some(ME)
                    && !id.starts_with("peer-");
                prop_assert_eq!(announced.contains_key(&id), !ours_from_here, "announcement of {}", id);
            }
            Ok(())
        })?;
    }
}
