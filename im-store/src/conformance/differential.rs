//! Differential property test: random operation sequences applied to a
//! backend and to [`MemoryStore`] must be observably identical after every
//! step (same results, same errors, same lists, totals and groups).
//! Times include the largest storable one and values past it (refused the
//! same way everywhere); texts and keywords include line breaks.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use im_model::{ConvId, ConvType, GroupAtInfo, GroupAtType, MarkSet, ReceiveMessageOpt};

use crate::{
    ConvFilter, ConvQuery, Conversation, ConversationStore, Direction, GroupFilter, HistoryQuery,
    ListKey, MarkFilter, MemoryStore, MessagePos, SearchQuery, Store, StoreResult, UnreadQuery,
    VersionRange, WriteBatch, WriteOp,
};

const PEERS: u8 = 6;
const GROUP_NAMES: [&str; 3] = ["g0", "g1", "g2"];

/// A conversation to write, in a compact form proptest can shrink.
#[derive(Debug, Clone)]
struct ConvSpec {
    peer: u8,
    is_group: bool,
    time: u64,
    pinned: bool,
    unread: u64,
    recv_opt: u8,
    marks: u8,
    groups: u8,
    mentioned: bool,
    version: u64,
}

impl ConvSpec {
    fn build(&self) -> Conversation {
        let mut c = Conversation::new(conv_id(self.peer, self.is_group), self.time);
        c.pinned = self.pinned;
        c.unread_count = self.unread;
        c.recv_opt = ReceiveMessageOpt::ALL[self.recv_opt as usize % ReceiveMessageOpt::ALL.len()];
        for (bit, mark) in [
            MarkSet::STAR,
            MarkSet::HIDE,
            MarkSet::from_bits_retain(1 << 33),
        ]
        .into_iter()
        .enumerate()
        {
            if self.marks & (1 << bit) != 0 {
                c.marks |= mark;
            }
        }
        for (bit, name) in GROUP_NAMES.iter().enumerate() {
            if self.groups & (1 << bit) != 0 {
                c.groups.insert((*name).to_owned());
            }
        }
        if self.mentioned {
            c.group_at_infos.push(GroupAtInfo {
                seq: Some(1),
                at_type: Some(GroupAtType::AtAll),
                ..GroupAtInfo::default()
            });
        }
        c.version = self.version;
        c
    }
}

fn conv_id(peer: u8, is_group: bool) -> ConvId {
    let name = format!("p{peer}");
    if is_group {
        ConvId::group(name).expect("valid id")
    } else {
        ConvId::c2c(name).expect("valid id")
    }
}

fn conv_spec() -> impl Strategy<Value = ConvSpec> {
    (
        (0..PEERS, any::<bool>(), time(), any::<bool>(), 0..3u64),
        (0..5u8, 0..8u8, 0..8u8, any::<bool>(), 0..12u64),
    )
        .prop_map(
            |(
                (peer, is_group, time, pinned, unread),
                (recv_opt, marks, groups, mentioned, version),
            )| {
                ConvSpec {
                    peer,
                    is_group,
                    time,
                    pinned,
                    unread,
                    recv_opt,
                    marks,
                    groups,
                    mentioned,
                    version,
                }
            },
        )
}

fn group_name() -> impl Strategy<Value = String> {
    (0..GROUP_NAMES.len()).prop_map(|i| GROUP_NAMES[i].to_owned())
}

/// Words messages are made of: 1-, 2- and 3-character CJK and English,
/// and line breaks (inside a field, next to the line that joins fields in
/// some indexes).
const WORDS: [&str; 8] = [
    "中",
    "你好",
    "开会了",
    "Hello",
    "ＷＯＲＬＤ",
    "ok",
    "\n",
    "ﾃﾞｰﾀ",
];

/// A time: small ones (so positions collide and sort by the next key), the
/// largest storable ones, and ones past it, which every backend refuses.
fn time() -> impl Strategy<Value = u64> {
    use im_model::limits::MAX_TIME_SECS;
    prop_oneof![
        8 => 0..4u64,
        1 => prop_oneof![Just(MAX_TIME_SECS - 1), Just(MAX_TIME_SECS)],
        1 => prop_oneof![Just(MAX_TIME_SECS + 1), Just(1 << 63), Just(u64::MAX)],
    ]
}

fn message_op() -> impl Strategy<Value = WriteOp> {
    (
        (0..PEERS, any::<bool>(), 0..6u8),
        (
            time(),
            0..4u64,
            0..3u8,
            prop::collection::vec(0..WORDS.len(), 1..3),
            any::<bool>(),
        ),
    )
        .prop_map(|((peer, is_group, id), (time, seq, status, words, mine))| {
            let text: String = words.iter().map(|w| WORDS[*w]).collect();
            let message = im_model::Message {
                msg_id: Some(format!("m{id}")),
                server_time: Some(time),
                seq: Some(seq),
                sender: Some(if mine { "me" } else { "peer" }.to_owned()),
                is_from_self: Some(mine),
                status: Some(
                    [
                        im_model::MsgStatus::SendSucc,
                        im_model::MsgStatus::Revoked,
                        im_model::MsgStatus::Sending,
                    ][status as usize],
                ),
                ..im_model::Message::text(text)
            };
            WriteOp::PutMessage {
                conv: conv_id(peer, is_group),
                message: Box::new(message),
            }
        })
}

fn write_op() -> impl Strategy<Value = WriteOp> {
    prop_oneof![
        3 => message_op(),
        1 => (0..6u8).prop_map(|id| WriteOp::DeleteMessage(format!("m{id}"))),
        1 => (0..PEERS, any::<bool>()).prop_map(|(p, g)| WriteOp::ClearMessages(conv_id(p, g))),
        4 => conv_spec().prop_map(|s| WriteOp::PutConversation(Box::new(s.build()))),
        1 => (0..PEERS, any::<bool>()).prop_map(|(p, g)| WriteOp::DeleteConversation(conv_id(p, g))),
        2 => group_name().prop_map(WriteOp::CreateGroup),
        1 => group_name().prop_map(WriteOp::DeleteGroup),
        1 => (group_name(), group_name()).prop_map(|(old, new)| WriteOp::RenameGroup { old, new }),
    ]
}

fn batch() -> impl Strategy<Value = WriteBatch> {
    prop::collection::vec(write_op(), 1..4).prop_map(|ops| {
        let mut b = WriteBatch::new();
        for op in ops {
            b.push(op);
        }
        b
    })
}

fn observed_filters() -> Vec<ConvFilter> {
    vec![
        ConvFilter::all(),
        ConvFilter {
            conv_type: Some(ConvType::Group),
            ..ConvFilter::all()
        },
        ConvFilter {
            marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
            ..ConvFilter::all()
        },
        ConvFilter {
            marks: Some(MarkFilter::HasAll(MarkSet::HIDE)),
            ..ConvFilter::all()
        },
        ConvFilter {
            marks: Some(MarkFilter::Unmarked),
            has_unread: Some(true),
            ..ConvFilter::all()
        },
        ConvFilter {
            group: Some(GroupFilter::Named("g1".into())),
            ..ConvFilter::all()
        },
        ConvFilter {
            group: Some(GroupFilter::InNoGroup),
            has_group_at_info: Some(false),
            ..ConvFilter::all()
        },
    ]
}

/// Everything observable through the trait, as comparable text.
fn observe(store: &dyn Store) -> StoreResult<Vec<String>> {
    let mut out = vec![format!("groups {:?}", store.conversation_groups()?)];
    out.push(format!("max_version {}", store.max_version()?));
    for filter in observed_filters() {
        for versions in [
            VersionRange::Any,
            VersionRange::AtMost(5),
            VersionRange::Above(5),
        ] {
            let mut after: Option<ListKey> = None;
            let mut pages = Vec::new();
            loop {
                let page = store.list_conversations(&ConvQuery {
                    filter: &filter,
                    after: after.as_ref(),
                    versions,
                    limit: 3,
                })?;
                pages.push(page.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>());
                match page.last() {
                    Some(last) if page.len() == 3 => after = Some(last.list_key()),
                    _ => break,
                }
            }
            out.push(format!("{filter:?} {versions:?} {pages:?}"));
        }
        out.push(format!(
            "unread {filter:?} {}",
            store.unread_total(&filter)?
        ));
    }
    let ids: Vec<ConvId> = (0..PEERS)
        .flat_map(|p| [conv_id(p, false), conv_id(p, true)])
        .collect();
    out.push(format!("{:?}", store.conversations(&ids)?));
    for id in &ids {
        out.push(format!(
            "{:?}",
            store.history(&HistoryQuery::latest(id.clone(), 100))?
        ));
        out.push(format!(
            "{:?}",
            store.history(&HistoryQuery {
                anchor: Some(MessagePos {
                    time: 2,
                    seq: 2,
                    msg_id: "m3".into()
                }),
                direction: Direction::Newer,
                ..HistoryQuery::latest(id.clone(), 3)
            })?
        ));
        out.push(format!("{:?}", store.messages_by_seqs(id, &[1, 2])?));
        for direction in [Direction::Older, Direction::Newer] {
            out.push(format!("{:?}", store.nearest_by_seq(id, 2, direction)?));
        }
        out.push(format!(
            "unread {}",
            store.count_unread(&UnreadQuery {
                conv: id.clone(),
                after_time: 1,
                after_seq: 1
            })?
        ));
    }
    for keywords in [
        vec!["中"],
        vec!["你好"],
        vec!["开会了"],
        vec!["world"],
        vec!["ok", "中"],
        vec!["你好", "中"],
        vec!["开会了", "world"],
        vec!["world", "中"],
        vec!["\n"],
        vec!["中\n"],
        vec!["\n你好"],
        vec!["データ"],
    ] {
        // Several keywords: any and all (one index, or two combined).
        let modes: &[bool] = if keywords.len() > 1 {
            &[false, true]
        } else {
            &[false]
        };
        for (&match_all, conv) in modes
            .iter()
            .flat_map(|m| [(m, None), (m, Some(conv_id(1, true)))])
        {
            let query = SearchQuery {
                keywords: keywords
                    .iter()
                    .map(|k| crate::search::normalize(k))
                    .collect(),
                match_all,
                senders: Vec::new(),
                elem_types: crate::search::default_search_types(),
                conv,
                time_range: None,
            };
            out.push(format!("{:?}", store.search_messages(&query, 1, 2)?));
            out.push(format!("{:?}", store.search_conversations(&query, 0, 10)?));
            // A page that starts and ends inside the list: where a
            // backend cuts by newest time, ties across the cut decide.
            out.push(format!("{:?}", store.search_conversations(&query, 1, 2)?));
        }
    }
    Ok(out)
}

/// Empties a store through the trait (every id, message and group the generator uses).
fn reset(store: &dyn Store) -> StoreResult<()> {
    let mut clear = WriteBatch::new();
    for p in 0..PEERS {
        for is_group in [false, true] {
            clear.push(WriteOp::DeleteConversation(conv_id(p, is_group)));
            clear.push(WriteOp::ClearMessages(conv_id(p, is_group)));
        }
    }
    store.apply(&clear)?;
    let mut groups = WriteBatch::new();
    for name in store.conversation_groups()? {
        groups.push(WriteOp::DeleteGroup(name));
    }
    store.apply(&groups)?;
    Ok(())
}

fn outcome<T: std::fmt::Debug>(r: &StoreResult<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(crate::StoreError::NotFound(_)) => "err not-found".into(),
        Err(crate::StoreError::Conflict(_)) => "err conflict".into(),
        Err(other) => format!("err {other}"),
    }
}

/// Runs the differential test. Cases default to 48 (`PROPTEST_CASES` overrides).
///
/// # Panics
/// With the shrunk failing sequence when the backend and the reference differ.
pub fn check_against_memory_store(store: &dyn Store) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(batch(), 1..12), |batches| {
        let fail = |e: crate::StoreError| TestCaseError::fail(e.to_string());
        reset(store).map_err(fail)?;
        let model = MemoryStore::new();
        for (step, b) in batches.iter().enumerate() {
            let got = store.apply(b);
            let want = model.apply(b);
            prop_assert_eq!(outcome(&got), outcome(&want), "apply at step {}", step);
            prop_assert_eq!(
                observe(store).map_err(fail)?,
                observe(&model).map_err(fail)?,
                "state after step {}",
                step
            );
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("backend differs from MemoryStore: {e}");
    }
}
