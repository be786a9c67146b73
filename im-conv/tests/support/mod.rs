//! Shared test support: a service on `MemoryStore` with a manual clock, an
//! event recorder, and a small text format for conversation fixtures.
#![allow(dead_code, missing_docs)]

use std::sync::{Arc, Mutex};

use im_conv::{ConvEvent, ConversationService, Listener};
use im_model::{
    ConvId, Draft, GroupAtInfo, GroupAtType, ManualClock, MarkSet, Message, ReceiveMessageOpt,
};
use im_store::{ConvFilter, Conversation, MemoryStore, WriteOp};

#[derive(Default)]
pub struct Recorder(Mutex<Vec<ConvEvent>>);

impl Recorder {
    pub fn take(&self) -> Vec<ConvEvent> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

impl Listener<ConvEvent> for Recorder {
    fn on_event(&self, event: &ConvEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

pub struct Harness {
    pub service: ConversationService,
    pub clock: Arc<ManualClock>,
    pub events: Arc<Recorder>,
}

pub fn harness() -> Harness {
    let clock = Arc::new(ManualClock::new(1_000));
    let service =
        ConversationService::new(Arc::new(MemoryStore::new()), clock.clone()).expect("service");
    let events = Arc::new(Recorder::default());
    service.add_listener(events.clone());
    Harness {
        service,
        clock,
        events,
    }
}

pub fn id(prefixed: &str) -> ConvId {
    ConvId::parse_prefixed(prefixed).expect("fixture id")
}

fn mark_named(name: &str) -> MarkSet {
    match name {
        "star" => MarkSet::STAR,
        "unread" => MarkSet::UNREAD,
        "fold" => MarkSet::FOLD,
        "hide" => MarkSet::HIDE,
        custom => {
            let bit: u32 = custom
                .strip_prefix('c')
                .and_then(|b| b.parse().ok())
                .unwrap_or_else(|| panic!("unknown mark {custom}"));
            MarkSet::from_bits_retain(1 << bit)
        }
    }
}

/// Parses one fixture line:
/// `c2c_alice t=10 unread=2 pinned marks=star,c33 groups=work,home at recv=2 draft=15 msg=12`.
pub fn parse_conversation(line: &str) -> Conversation {
    let mut words = line.split_whitespace();
    let mut conv = Conversation::new(id(words.next().expect("id")), 0);
    for word in words {
        let (key, value) = word.split_once('=').unwrap_or((word, ""));
        let number = || {
            value
                .parse::<u64>()
                .unwrap_or_else(|_| panic!("bad {word}"))
        };
        match key {
            "t" => conv.created_time = number(),
            "unread" => conv.unread_count = number(),
            "pinned" => conv.pinned = true,
            "marks" => conv.marks = value.split(',').map(mark_named).collect(),
            "groups" => conv.groups = value.split(',').map(str::to_owned).collect(),
            "at" => conv.group_at_infos.push(GroupAtInfo {
                seq: Some(1),
                at_type: Some(GroupAtType::AtMe),
                ..GroupAtInfo::default()
            }),
            "recv" => conv.recv_opt = ReceiveMessageOpt::from_value(number() as i64).expect("recv"),
            "draft" => {
                conv.draft = Some(Draft {
                    edit_time: Some(number()),
                    ..Draft::default()
                })
            }
            "msg" => {
                conv.last_message = Some(Message {
                    server_time: Some(number()),
                    seq: Some(number()),
                    ..Message::text("m")
                })
            }
            other => panic!("unknown fixture key {other}"),
        }
    }
    conv
}

/// Writes the fixture (one conversation per non-empty line) through the service.
pub fn load(service: &ConversationService, fixture: &str) {
    let convs: Vec<Conversation> = fixture
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(parse_conversation)
        .collect();
    service
        .write(|txn| {
            let mut names: Vec<String> = convs.iter().flat_map(|c| c.groups.clone()).collect();
            names.sort();
            names.dedup();
            for name in names {
                txn.group_op(WriteOp::CreateGroup(name));
            }
            for conv in &convs {
                txn.put(conv.clone());
            }
            Ok(())
        })
        .expect("fixture loads");
}

/// One line per conversation: id, then its notable attributes.
pub fn render(convs: &[im_model::ConvInfo]) -> String {
    let mut out = String::new();
    for c in convs {
        let id = ConvId::from_raw(
            c.conv_type.map_or(0, |t| i64::from(t.value())),
            c.conv_id.as_deref().unwrap_or(""),
        )
        .expect("valid info id");
        let mut line = format!("{:<12}", id.to_string());
        if c.is_pinned == Some(true) {
            line.push_str(" pinned");
        }
        line.push_str(&format!(
            " t={}",
            c.active_time.unwrap_or(0) & ((1 << 62) - 1)
        ));
        if let Some(n) = c.unread_num.filter(|n| *n > 0) {
            line.push_str(&format!(" unread={n}"));
        }
        let marks = c.mark_array.clone().unwrap_or_default();
        if !marks.is_empty() {
            line.push_str(&format!(" marks={marks:?}"));
        }
        let groups = c.conversation_group_array.clone().unwrap_or_default();
        if !groups.is_empty() {
            line.push_str(&format!(" groups={}", groups.join(",")));
        }
        if c.group_at_info_array
            .as_ref()
            .is_some_and(|a| !a.is_empty())
        {
            line.push_str(" at");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Parses a Tencent filter JSON into the validated filter.
pub fn filter(json: &str) -> ConvFilter {
    let wire = serde_json::from_str(json).expect("filter JSON");
    ConvFilter::from_wire(&wire).expect("valid filter")
}

/// Walks every page of `filter` with pages of `count`.
pub fn walk(
    service: &ConversationService,
    filter: &ConvFilter,
    count: u32,
) -> Vec<im_model::ConvInfo> {
    let mut next = 0;
    let mut all = Vec::new();
    loop {
        let page = service
            .conversation_list_by_filter(filter, next, count)
            .expect("page");
        all.extend(page.conv_list.unwrap_or_default());
        if page.is_finished == Some(true) {
            return all;
        }
        next = page.next_seq.expect("next_seq");
    }
}

/// Sets a conversation's unread count through the write path, as the
/// message layer does when messages arrive.
pub fn set_unread(service: &ConversationService, prefixed: &str, n: u64) {
    service
        .write(|txn| {
            let mut c = txn.existing(&id(prefixed))?;
            c.unread_count = n;
            txn.put(c);
            Ok(())
        })
        .expect("unread set");
}
