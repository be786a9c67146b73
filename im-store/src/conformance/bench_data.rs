//! The benchmarks' data set, shared so that every store figure (the
//! backends side by side, the client's memory, the growth runs) is taken
//! over the same messages: mixed Chinese and English text, about 670 bytes
//! of JSON each with sender profiles, spread at random over conversations
//! (a quarter of them groups), deterministic from a fixed seed.

use im_model::message::{Message, UserProfile};
use im_model::{ConvId, ConvType, MarkSet, MsgStatus};

use crate::{ConvFilter, Conversation, GroupFilter, MarkFilter, Store, WriteBatch, WriteOp};

const ZH: &[&str] = &[
    "今天", "明天", "会议", "项目", "进度", "报告", "你好", "谢谢", "时间", "安排", "客户", "需求",
    "测试", "上线", "周末", "吃饭", "开会", "文档", "问题", "解决",
];
const EN: &[&str] = &[
    "meeting", "report", "deploy", "review", "lunch", "tomorrow", "project", "status", "update",
    "release", "budget", "design", "hello", "thanks", "schedule", "customer",
];

/// Conversation groups of the data set.
pub const GROUPS: u64 = 20;

/// A xorshift generator: the same data on every machine and run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The data set's seed.
    pub fn new() -> Rng {
        Rng(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `m` (`m` > 0).
    pub fn below(&mut self, m: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % m
    }
}

impl Default for Rng {
    fn default() -> Self {
        Rng::new()
    }
}

/// Conversation number `i`: every fourth a group, the rest C2C.
pub fn conv_id(i: u64) -> ConvId {
    let id = if i.is_multiple_of(4) {
        ConvId::group(format!("group{i}"))
    } else {
        ConvId::c2c(format!("user{i}"))
    };
    id.expect("generated ids are valid")
}

/// Conversation number `i` as stored: 5% starred, 1% hidden, one in five
/// in one of [`GROUPS`] groups (`group-0` ...), 0.1% pinned, some unread.
pub fn conversation(i: u64) -> Conversation {
    let mut c = Conversation::new(conv_id(i), 1_600_000_000 + i);
    c.version = i + 1;
    c.unread_count = i % 3;
    c.pinned = i.is_multiple_of(1000);
    if i.is_multiple_of(20) {
        c.marks |= MarkSet::STAR;
    }
    if i % 100 == 7 {
        c.marks |= MarkSet::HIDE;
    }
    if i.is_multiple_of(5) {
        c.groups.insert(format!("group-{}", (i / 5) % GROUPS));
    }
    c
}

/// Message number `n` of conversation `conv`, sent at `time`.
pub fn message(rng: &mut Rng, conv: &ConvId, n: u64, time: u64) -> Message {
    let words = 4 + rng.below(8);
    let text: String = (0..words)
        .map(|_| {
            if rng.below(2) == 0 {
                ZH[rng.below(ZH.len() as u64) as usize].to_owned()
            } else {
                format!("{} ", EN[rng.below(EN.len() as u64) as usize])
            }
        })
        .collect();
    let sender = format!("user{}", rng.below(100_000));
    Message {
        msg_id: Some(format!("144115233874815003-{time}-{n}")),
        conv_id: Some(conv.peer().to_owned()),
        conv_type: Some(conv.conv_type()),
        sender: Some(sender.clone()),
        is_from_self: Some(false),
        server_time: Some(time),
        client_time: Some(time),
        seq: Some(n + 1),
        rand: Some(rng.below(u64::from(u32::MAX))),
        unique_id: Some(6_961_616_747_713_488_299 + n),
        status: Some(MsgStatus::SendSucc),
        priority: Some(im_model::MsgPriority::Normal),
        is_read: Some(false),
        sender_profile: Some(UserProfile {
            identifier: Some(sender.clone()),
            nick_name: Some(format!("昵称 {sender}")),
            face_url: Some(format!("https://a.example.invalid/{sender}.png")),
            ..UserProfile::default()
        }),
        ..Message::text(text)
    }
}

/// The data set's messages, in import order: message `n` goes to a random
/// one of `conversations` and is sent at `1_650_000_000 + n / 10`.
pub fn messages(count: u64, conversations: u64) -> impl Iterator<Item = (ConvId, Message)> {
    let mut rng = Rng::new();
    (0..count).map(move |n| {
        let conv = conv_id(rng.below(conversations));
        let m = message(&mut rng, &conv, n, 1_650_000_000 + n / 10);
        (conv, m)
    })
}

/// The batches that create the groups and `conversations` conversations,
/// `batch` conversations each.
pub fn conversation_batches(conversations: u64, batch: usize) -> Vec<WriteBatch> {
    let mut groups = WriteBatch::new();
    for g in 0..GROUPS {
        groups.push(WriteOp::CreateGroup(format!("group-{g}")));
    }
    let mut batches = vec![groups];
    let all: Vec<u64> = (0..conversations).collect();
    for chunk in all.chunks(batch.max(1)) {
        let mut b = WriteBatch::new();
        for &i in chunk {
            b.put(conversation(i));
        }
        batches.push(b);
    }
    batches
}

/// Loads the whole data set into `store`: the conversations, then the
/// messages in batches of `batch`, streamed from the generator (ten
/// million messages never sit in memory at once).
///
/// # Errors
/// The store's, for the batch that failed.
pub fn load(
    store: &dyn Store,
    messages: u64,
    conversations: u64,
    batch: usize,
) -> crate::StoreResult<()> {
    for b in conversation_batches(conversations, batch) {
        store.apply(&b)?;
    }
    let mut stream = self::messages(messages, conversations).peekable();
    while stream.peek().is_some() {
        let mut b = WriteBatch::new();
        for (conv, m) in stream.by_ref().take(batch.max(1)) {
            b.put_message(conv, m);
        }
        store.apply(&b)?;
    }
    Ok(())
}

/// The conversation filters the benchmarks page through, by name: every
/// shape of filter a conversation list UI uses, over the data set's
/// marks and groups.
pub fn filter_shapes() -> Vec<(&'static str, ConvFilter)> {
    vec![
        ("all", ConvFilter::all()),
        (
            "c2c",
            ConvFilter {
                conv_type: Some(ConvType::C2C),
                ..ConvFilter::all()
            },
        ),
        (
            "starred",
            ConvFilter {
                marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
                ..ConvFilter::all()
            },
        ),
        (
            "unmarked",
            ConvFilter {
                marks: Some(MarkFilter::Unmarked),
                ..ConvFilter::all()
            },
        ),
        (
            "hidden",
            ConvFilter {
                marks: Some(MarkFilter::HasAll(MarkSet::HIDE)),
                ..ConvFilter::all()
            },
        ),
        (
            "in_group",
            ConvFilter {
                group: Some(GroupFilter::Named("group-3".into())),
                ..ConvFilter::all()
            },
        ),
        (
            "in_no_group",
            ConvFilter {
                group: Some(GroupFilter::InNoGroup),
                ..ConvFilter::all()
            },
        ),
        (
            "has_unread",
            ConvFilter {
                has_unread: Some(true),
                ..ConvFilter::all()
            },
        ),
        (
            "group_and_star",
            ConvFilter {
                group: Some(GroupFilter::Named("group-0".into())),
                marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
                ..ConvFilter::all()
            },
        ),
    ]
}
