//! Property tests of the conversation layer against a simple model.
//!
//! * State: after any sequence of calls, every conversation and the group
//!   list equal what a plain model predicts; the total unread equals the
//!   sum over counted conversations; group membership stays consistent
//!   through rename and delete.
//! * Events: a mirror built only from events equals the real state after
//!   every call, and an Updated event only lists conversations that changed.
//! * Paging: walks interleaved with random changes return every
//!   conversation listed throughout the walk exactly once, and nothing twice.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use im_conv::ConvEvent;
use im_model::{ConvId, ConvInfo, ConvSelector, Draft, MarkSet, Message, ReceiveMessageOpt};
use im_store::{ConvFilter, GroupFilter, MarkFilter};
use proptest::prelude::*;
use support::{Harness, harness};

const PEERS: u8 = 6;
const GROUPS: [&str; 3] = ["g0", "g1", "g2"];

fn conv_id(p: u8) -> ConvId {
    if p.is_multiple_of(2) {
        ConvId::c2c(format!("u{p}")).unwrap()
    } else {
        ConvId::group(format!("g{p}")).unwrap()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Create(u8),
    Delete(u8),
    Pin(u8, bool),
    Mark(Vec<u8>, u8, bool),
    SetUnread(u8, u64),
    SetRecv(u8, u8),
    Draft(u8, u64),
    CancelDraft(u8),
    Message(u8, u64),
    CreateGroup(usize, Vec<u8>),
    DeleteGroup(usize),
    RenameGroup(usize, usize),
    AddToGroup(usize, Vec<u8>),
    RemoveFromGroup(usize, Vec<u8>),
    Clean(u8),
    Tick(u64),
}

fn peers() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0..PEERS, 1..4)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..PEERS).prop_map(Op::Create),
        1 => (0..PEERS).prop_map(Op::Delete),
        1 => (0..PEERS, any::<bool>()).prop_map(|(p, b)| Op::Pin(p, b)),
        2 => (peers(), 0..4u8, any::<bool>()).prop_map(|(p, m, e)| Op::Mark(p, m, e)),
        2 => (0..PEERS, 0..4u64).prop_map(|(p, n)| Op::SetUnread(p, n)),
        1 => (0..PEERS, 0..5u8).prop_map(|(p, o)| Op::SetRecv(p, o)),
        1 => (0..PEERS, 0..3000u64).prop_map(|(p, t)| Op::Draft(p, t)),
        1 => (0..PEERS).prop_map(Op::CancelDraft),
        2 => (0..PEERS, 0..3000u64).prop_map(|(p, t)| Op::Message(p, t)),
        1 => (0..GROUPS.len(), peers()).prop_map(|(g, p)| Op::CreateGroup(g, p)),
        1 => (0..GROUPS.len()).prop_map(Op::DeleteGroup),
        1 => (0..GROUPS.len(), 0..GROUPS.len()).prop_map(|(a, b)| Op::RenameGroup(a, b)),
        1 => (0..GROUPS.len(), peers()).prop_map(|(g, p)| Op::AddToGroup(g, p)),
        1 => (0..GROUPS.len(), peers()).prop_map(|(g, p)| Op::RemoveFromGroup(g, p)),
        1 => (0..4u8).prop_map(Op::Clean),
        1 => (0..50u64).prop_map(Op::Tick),
    ]
}

fn mark_of(m: u8) -> u64 {
    [
        MarkSet::STAR.bits(),
        MarkSet::HIDE.bits(),
        MarkSet::UNREAD.bits(),
        1 << 40,
    ][m as usize % 4]
}

/// The model: what each conversation should look like, in plain fields.
#[derive(Debug, Clone, PartialEq, Default)]
struct ModelConv {
    created: u64,
    pinned: bool,
    unread: u64,
    recv: u32,
    marks: u64,
    groups: BTreeSet<String>,
    draft: Option<u64>,
    message: Option<u64>,
}

#[derive(Debug, Default)]
struct Model {
    convs: BTreeMap<ConvId, ModelConv>,
    groups: Vec<String>,
    /// Receive options set per peer, kept across deletion: a conversation
    /// created later takes its peer's option.
    recv_opts: BTreeMap<ConvId, u32>,
}

impl Model {
    fn fresh(&self, id: &ConvId, now: u64) -> ModelConv {
        ModelConv {
            created: now,
            recv: self.recv_opts.get(id).copied().unwrap_or(0),
            ..ModelConv::default()
        }
    }

    fn project(info: &ConvInfo) -> ModelConv {
        ModelConv {
            created: 0,
            pinned: info.is_pinned.unwrap(),
            unread: info.unread_num.unwrap(),
            recv: info.recv_opt.unwrap().value(),
            marks: MarkSet::from_single_marks(info.mark_array.as_deref().unwrap()).bits(),
            groups: info
                .conversation_group_array
                .clone()
                .unwrap()
                .into_iter()
                .collect(),
            draft: info.draft.as_ref().and_then(|d| d.edit_time),
            message: info.last_msg.as_ref().and_then(|m| m.server_time),
        }
    }
}

fn set_fields(h: &Harness, p: u8, f: impl FnOnce(&mut im_store::Conversation)) -> bool {
    h.service
        .write(|txn| {
            let Some(mut c) = txn.get(&conv_id(p))? else {
                return Ok(false);
            };
            f(&mut c);
            txn.put(c);
            Ok(true)
        })
        .unwrap()
}

/// Applies `op` to the service and the model alike.
fn apply(h: &Harness, model: &mut Model, op: &Op) {
    let s = &h.service;
    let now = h.clock.now_secs_for_tests();
    let ids = |ps: &[u8]| ps.iter().map(|p| conv_id(*p)).collect::<Vec<_>>();
    match op {
        Op::Create(p) => {
            s.create_conversation(&conv_id(*p)).unwrap();
            let fresh = model.fresh(&conv_id(*p), now);
            model.convs.entry(conv_id(*p)).or_insert(fresh);
        }
        Op::Delete(p) => {
            let r = s.delete_conversation(&conv_id(*p));
            assert_eq!(r.is_ok(), model.convs.remove(&conv_id(*p)).is_some());
        }
        Op::Pin(p, b) => {
            let r = s.pin_conversation(&conv_id(*p), *b);
            if let Some(c) = model.convs.get_mut(&conv_id(*p)) {
                r.unwrap();
                c.pinned = *b;
            } else {
                assert_eq!(r.unwrap_err().code(), 6004);
            }
        }
        Op::Mark(ps, m, enable) => {
            let results = s
                .mark_conversations(&ids(ps), mark_of(*m), *enable)
                .unwrap();
            for r in &results {
                let id = ConvId::parse_prefixed(r.conversation_id.as_deref().unwrap()).unwrap();
                match model.convs.get_mut(&id) {
                    Some(c) => {
                        assert!(r.is_ok());
                        if *enable {
                            c.marks |= mark_of(*m);
                        } else {
                            c.marks &= !mark_of(*m);
                        }
                    }
                    None => assert_eq!(r.result_code, Some(6004)),
                }
            }
        }
        Op::SetUnread(p, n) => {
            if set_fields(h, *p, |c| c.unread_count = *n) {
                model.convs.get_mut(&conv_id(*p)).unwrap().unread = *n;
            }
        }
        Op::SetRecv(p, o) => {
            let opt = ReceiveMessageOpt::ALL[*o as usize];
            s.set_receive_option(&conv_id(*p), opt).unwrap();
            model.recv_opts.insert(conv_id(*p), opt.value());
            if let Some(c) = model.convs.get_mut(&conv_id(*p)) {
                c.recv = opt.value();
            }
        }
        Op::Draft(p, t) => {
            let draft = Draft {
                edit_time: Some(*t),
                ..Draft::default()
            };
            s.set_draft(&conv_id(*p), &draft).unwrap();
            let fresh = model.fresh(&conv_id(*p), now);
            let c = model.convs.entry(conv_id(*p)).or_insert(fresh);
            c.draft = Some(if *t == 0 { now } else { *t });
        }
        Op::CancelDraft(p) => {
            let r = s.cancel_draft(&conv_id(*p));
            if let Some(c) = model.convs.get_mut(&conv_id(*p)) {
                r.unwrap();
                c.draft = None;
            }
        }
        Op::Message(p, t) => {
            if set_fields(h, *p, |c| {
                c.last_message = Some(Message {
                    server_time: Some(*t),
                    ..Message::text("m")
                })
            }) {
                model.convs.get_mut(&conv_id(*p)).unwrap().message = Some(*t);
            }
        }
        Op::CreateGroup(g, ps) => {
            let name = GROUPS[*g];
            let r = s.create_conversation_group(name, &ids(ps));
            if model.groups.iter().any(|x| x == name) {
                assert_eq!(r.unwrap_err().code(), 6017);
            } else {
                r.unwrap();
                model.groups.push(name.to_owned());
                for p in ps {
                    if let Some(c) = model.convs.get_mut(&conv_id(*p)) {
                        c.groups.insert(name.to_owned());
                    }
                }
            }
        }
        Op::DeleteGroup(g) => {
            let name = GROUPS[*g];
            let r = s.delete_conversation_group(name);
            if let Some(pos) = model.groups.iter().position(|x| x == name) {
                r.unwrap();
                model.groups.remove(pos);
                for c in model.convs.values_mut() {
                    c.groups.remove(name);
                }
            } else {
                assert_eq!(r.unwrap_err().code(), 51009);
            }
        }
        Op::RenameGroup(a, b) => {
            let (old, new) = (GROUPS[*a], GROUPS[*b]);
            let r = s.rename_conversation_group(old, new);
            let has_old = model.groups.iter().position(|x| x == old);
            let has_new = model.groups.iter().any(|x| x == new);
            match has_old {
                None => assert_eq!(r.unwrap_err().code(), 51009),
                Some(_) if old == new => r.unwrap(),
                Some(_) if has_new => assert_eq!(r.unwrap_err().code(), 6017),
                Some(pos) => {
                    r.unwrap();
                    model.groups[pos] = new.to_owned();
                    for c in model.convs.values_mut() {
                        if c.groups.remove(old) {
                            c.groups.insert(new.to_owned());
                        }
                    }
                }
            }
        }
        Op::AddToGroup(g, ps) | Op::RemoveFromGroup(g, ps) => {
            let add = matches!(op, Op::AddToGroup(..));
            let name = GROUPS[*g];
            let r = if add {
                s.add_conversations_to_group(name, &ids(ps))
            } else {
                s.remove_conversations_from_group(name, &ids(ps))
            };
            if !model.groups.iter().any(|x| x == name) {
                assert_eq!(r.unwrap_err().code(), 51009);
                return;
            }
            r.unwrap();
            for p in ps {
                if let Some(c) = model.convs.get_mut(&conv_id(*p)) {
                    if add {
                        c.groups.insert(name.to_owned());
                    } else {
                        c.groups.remove(name);
                    }
                }
            }
        }
        Op::Clean(which) => {
            let selector = match which {
                0 => ConvSelector::All,
                1 => ConvSelector::AllC2C,
                2 => ConvSelector::AllGroups,
                _ => ConvSelector::One(conv_id(0)),
            };
            let r = s.clean_unread(&selector, 0, 0);
            if let ConvSelector::One(id) = &selector
                && !model.convs.contains_key(id)
            {
                assert_eq!(r.unwrap_err().code(), 6004);
                return;
            }
            r.unwrap();
            for (id, c) in &mut model.convs {
                if selector.selects(id) {
                    c.unread = 0;
                }
            }
        }
        Op::Tick(secs) => h.clock.advance(*secs),
    }
}

trait NowForTests {
    fn now_secs_for_tests(&self) -> u64;
}
impl NowForTests for im_model::ManualClock {
    fn now_secs_for_tests(&self) -> u64 {
        im_model::Clock::now_secs(self)
    }
}

fn all_ids() -> Vec<ConvId> {
    (0..PEERS).map(conv_id).collect()
}

/// Folds events into a mirror of conversations and groups.
fn fold_events(
    events: &[ConvEvent],
    convs: &mut BTreeMap<String, ConvInfo>,
    groups: &mut Vec<String>,
) -> Result<(), TestCaseError> {
    for e in events {
        match e {
            ConvEvent::Added(list) | ConvEvent::Updated(list) => {
                for info in list {
                    let key = format!(
                        "{}:{}",
                        info.conv_type.unwrap().value(),
                        info.conv_id.clone().unwrap()
                    );
                    if let ConvEvent::Updated(_) = e {
                        prop_assert!(
                            convs.get(&key) != Some(info),
                            "update without change: {key}"
                        );
                    }
                    convs.insert(key, info.clone());
                }
            }
            ConvEvent::Deleted(ids) => {
                for id in ids {
                    let key = format!("{}:{}", id.conv_type().value(), id.peer());
                    prop_assert!(convs.remove(&key).is_some());
                }
            }
            ConvEvent::GroupCreated { name, .. } => groups.push(name.clone()),
            ConvEvent::GroupDeleted { name } => groups.retain(|g| g != name),
            ConvEvent::GroupRenamed { old, new } => {
                for g in groups.iter_mut().filter(|g| *g == old) {
                    g.clone_from(new);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn test_state_and_events_match_the_model(ops in prop::collection::vec(op(), 1..40)) {
        let h = harness();
        let mut model = Model::default();
        let mut mirror = BTreeMap::new();
        let mut mirror_groups = Vec::new();
        for op in &ops {
            apply(&h, &mut model, op);
            let actual = h.service.conversation_infos(&all_ids()).unwrap();

            // The model predicts every conversation.
            let projected: BTreeMap<ConvId, ModelConv> = actual
                .iter()
                .map(|i| {
                    let id = ConvId::from_raw(i64::from(i.conv_type.unwrap().value()), i.conv_id.as_deref().unwrap()).unwrap();
                    (id, Model::project(i))
                })
                .collect();
            let expected: BTreeMap<ConvId, ModelConv> = model
                .convs
                .iter()
                .map(|(id, c)| (id.clone(), ModelConv { created: 0, ..c.clone() }))
                .collect();
            prop_assert_eq!(&projected, &expected, "after {:?}", op);
            prop_assert_eq!(h.service.conversation_groups().unwrap(), model.groups.clone());

            // Activity: newest of creation, message and draft.
            for info in &actual {
                let id = ConvId::from_raw(i64::from(info.conv_type.unwrap().value()), info.conv_id.as_deref().unwrap()).unwrap();
                let m = &model.convs[&id];
                let activity = m.created.max(m.message.unwrap_or(0)).max(m.draft.unwrap_or(0));
                prop_assert_eq!(info.active_time.unwrap() & ((1 << 62) - 1), activity);
            }

            // Total unread = sum over counted conversations.
            let counted: u64 = actual
                .iter()
                .filter(|i| i.recv_opt == Some(ReceiveMessageOpt::Receive))
                .map(|i| i.unread_num.unwrap())
                .sum();
            prop_assert_eq!(h.service.total_unread().unwrap(), counted);

            // Group membership stays within existing groups.
            for info in &actual {
                for g in info.conversation_group_array.as_deref().unwrap() {
                    prop_assert!(model.groups.contains(g), "{} names missing group {}", info.conv_id.as_deref().unwrap(), g);
                }
            }

            // The event mirror equals the real state.
            fold_events(&h.events.take(), &mut mirror, &mut mirror_groups)?;
            let real: BTreeMap<String, ConvInfo> = actual
                .into_iter()
                .map(|i| (format!("{}:{}", i.conv_type.unwrap().value(), i.conv_id.clone().unwrap()), i))
                .collect();
            prop_assert_eq!(&mirror, &real, "event mirror after {:?}", op);
            prop_assert_eq!(&mirror_groups, &model.groups);
        }
    }

    #[test]
    fn test_paging_returns_stable_conversations_exactly_once(
        setup in prop::collection::vec(op(), 0..30),
        steps in prop::collection::vec((op(), 1..4u32), 1..25),
        shape in 0..6usize,
    ) {
        let h = harness();
        let mut model = Model::default();
        for op in &setup {
            apply(&h, &mut model, op);
        }
        let filter = [
            ConvFilter::all(),
            ConvFilter { conv_type: Some(im_model::ConvType::C2C), ..ConvFilter::all() },
            ConvFilter { marks: Some(MarkFilter::HasAll(MarkSet::STAR)), ..ConvFilter::all() },
            ConvFilter { marks: Some(MarkFilter::Unmarked), ..ConvFilter::all() },
            ConvFilter { group: Some(GroupFilter::Named("g0".into())), ..ConvFilter::all() },
            ConvFilter { has_unread: Some(true), ..ConvFilter::all() },
        ][shape].clone();
        let listed = |h: &Harness| -> BTreeSet<String> {
            support::walk(&h.service, &filter, 1000)
                .iter()
                .map(|i| format!("{}:{}", i.conv_type.unwrap().value(), i.conv_id.clone().unwrap()))
                .collect()
        };
        let mut always = listed(&h);
        let mut ever = always.clone();
        let mut returned: Vec<String> = Vec::new();
        let mut next = 0;
        let mut steps = steps.into_iter();
        loop {
            let count = steps.next().map(|(op, count)| {
                apply(&h, &mut model, &op);
                count
            }).unwrap_or(3);
            let now = listed(&h);
            always = always.intersection(&now).cloned().collect();
            ever.extend(now);
            let page = h.service.conversation_list_by_filter(&filter, next, count).unwrap();
            let page_ids: Vec<String> = page.conv_list.unwrap().iter()
                .map(|i| format!("{}:{}", i.conv_type.unwrap().value(), i.conv_id.clone().unwrap()))
                .collect();
            prop_assert!(page_ids.len() <= count as usize);
            returned.extend(page_ids);
            if page.is_finished.unwrap() {
                break;
            }
            next = page.next_seq.unwrap();
        }
        let unique: BTreeSet<String> = returned.iter().cloned().collect();
        prop_assert_eq!(unique.len(), returned.len(), "repeated: {:?}", returned);
        prop_assert!(always.is_subset(&unique), "missing {:?}", always.difference(&unique).collect::<Vec<_>>());
        prop_assert!(unique.is_subset(&ever), "returned never-listed {:?}", unique.difference(&ever).collect::<Vec<_>>());
    }
}
