//! Builders of conversations and data sets shared by the conformance cases.

use im_model::{ConvId, GroupAtInfo, GroupAtType, MarkSet, Message, ReceiveMessageOpt};

use crate::{Conversation, Store, WriteBatch, WriteOp};

/// A C2C conversation with `peer`, active at `time`.
pub fn c2c(peer: &str, time: u64) -> Conversation {
    Conversation::new(ConvId::c2c(peer).expect("valid fixture id"), time)
}

/// A group conversation with `group`, active at `time`.
pub fn group(group_id: &str, time: u64) -> Conversation {
    Conversation::new(ConvId::group(group_id).expect("valid fixture id"), time)
}

/// A text message sent at `time`.
pub fn message_at(text: &str, time: u64) -> Message {
    Message {
        server_time: Some(time),
        ..Message::text(text)
    }
}

/// Writes `convs` (creating any group they name first) in one batch.
///
/// # Panics
/// When the store rejects the batch: a fixture that cannot be written is a
/// failed test.
pub fn put_all(store: &dyn Store, convs: &[Conversation]) {
    let existing = store.conversation_groups().expect("list groups");
    let mut batch = WriteBatch::new();
    let mut names: Vec<&String> = convs.iter().flat_map(|c| &c.groups).collect();
    names.sort();
    names.dedup();
    for name in names.into_iter().filter(|n| !existing.contains(n)) {
        batch.push(WriteOp::CreateGroup(name.clone()));
    }
    for c in convs {
        batch.put(c.clone());
    }
    store.apply(&batch).expect("fixture batch applies");
}

/// A deterministic data set of 60 conversations covering every filter
/// dimension: both types, pins, equal activity times, unread counts, all
/// receive options, built-in and custom marks (hidden included), groups
/// and mentions.
pub fn mixed_dataset() -> Vec<Conversation> {
    let opts = ReceiveMessageOpt::ALL;
    (0..60u64)
        .map(|i| {
            let name = format!("p{i:02}");
            let mut c = if i % 3 == 0 {
                group(&name, 1_000 + i / 4)
            } else {
                c2c(&name, 1_000 + i / 4)
            };
            c.version = i + 1;
            c.pinned = i % 11 == 0;
            c.unread_count = (i * 7) % 5;
            c.recv_opt = opts[(i as usize) % opts.len()];
            if i % 4 == 0 {
                c.marks |= MarkSet::STAR;
            }
            if i % 13 == 0 {
                c.marks |= MarkSet::HIDE;
            }
            if i % 6 == 0 {
                c.marks |= MarkSet::from_bits_retain(1 << 33);
            }
            if i % 5 == 0 {
                c.groups.insert("work".into());
            }
            if i % 7 == 0 {
                c.groups.insert("family".into());
            }
            if i % 3 == 0 && i % 2 == 0 {
                c.group_at_infos.push(GroupAtInfo {
                    seq: Some(i),
                    at_type: Some(GroupAtType::AtMe),
                    ..GroupAtInfo::default()
                });
            }
            if i % 9 == 0 {
                c.last_message = Some(message_at("hello", 1_000 + i));
            }
            c
        })
        .collect()
}

/// Every filter shape the conformance cases check, including combinations.
pub fn filter_shapes() -> Vec<crate::ConvFilter> {
    use crate::{ConvFilter, GroupFilter, MarkFilter};
    use im_model::ConvType;
    let star = MarkFilter::HasAll(MarkSet::STAR);
    vec![
        ConvFilter::all(),
        ConvFilter {
            conv_type: Some(ConvType::C2C),
            ..ConvFilter::all()
        },
        ConvFilter {
            conv_type: Some(ConvType::Group),
            ..ConvFilter::all()
        },
        ConvFilter {
            marks: Some(star),
            ..ConvFilter::all()
        },
        ConvFilter {
            marks: Some(MarkFilter::Unmarked),
            ..ConvFilter::all()
        },
        ConvFilter {
            marks: Some(MarkFilter::HasAll(MarkSet::HIDE)),
            ..ConvFilter::all()
        },
        ConvFilter {
            marks: Some(MarkFilter::HasAll(MarkSet::from_bits_retain(1 << 33))),
            ..ConvFilter::all()
        },
        ConvFilter {
            group: Some(GroupFilter::Named("work".into())),
            ..ConvFilter::all()
        },
        ConvFilter {
            group: Some(GroupFilter::InNoGroup),
            ..ConvFilter::all()
        },
        ConvFilter {
            group: Some(GroupFilter::Named("work".into())),
            marks: Some(star),
            ..ConvFilter::all()
        },
        ConvFilter {
            has_unread: Some(true),
            ..ConvFilter::all()
        },
        ConvFilter {
            has_unread: Some(false),
            ..ConvFilter::all()
        },
        ConvFilter {
            has_group_at_info: Some(true),
            ..ConvFilter::all()
        },
        ConvFilter {
            has_group_at_info: Some(false),
            conv_type: Some(ConvType::Group),
            ..ConvFilter::all()
        },
        ConvFilter {
            conv_type: Some(ConvType::Group),
            group: Some(GroupFilter::Named("family".into())),
            marks: Some(star),
            has_unread: Some(true),
            has_group_at_info: Some(true),
        },
    ]
}
