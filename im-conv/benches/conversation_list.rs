//! Conversation-list benchmark on the in-memory backend.
//!
//! Builds 100,000 conversations (5% starred, 1% hidden, 20 groups), then
//! times the first filtered page of 100 for every filter shape and the
//! total unread count. Each measurement has a raw baseline run in the same
//! process: the same selection done by a plain scan of a pre-sorted `Vec`
//! (for pages) or a plain sum (for the total). Compare medians as ratios.
//!
//! Run: `cargo xtask bench` (or `cargo bench -p im-conv`).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use im_conv::ConversationService;
use im_model::{ConvId, ConvType, ManualClock, MarkSet};
use im_store::{
    ConvFilter, Conversation, ConversationStore, GroupFilter, MarkFilter, MemoryStore, WriteBatch,
    WriteOp,
};

const CONVERSATIONS: u64 = 100_000;
const GROUPS: u64 = 20;

fn dataset() -> Vec<Conversation> {
    (0..CONVERSATIONS)
        .map(|i| {
            let id = if i % 4 == 0 {
                ConvId::group(format!("group{i}"))
            } else {
                ConvId::c2c(format!("user{i}"))
            }
            .expect("valid id");
            let mut c = Conversation::new(id, 1_600_000_000 + i);
            c.version = i + 1;
            c.pinned = i % 1000 == 0;
            c.unread_count = i % 3;
            if i % 20 == 0 {
                c.marks |= MarkSet::STAR;
            }
            if i % 100 == 7 {
                c.marks |= MarkSet::HIDE;
            }
            if i % 5 == 0 {
                c.groups.insert(format!("group-{}", (i / 5) % GROUPS));
            }
            if i % 4 == 0 && i % 50 == 0 {
                c.group_at_infos.push(im_model::GroupAtInfo::default());
            }
            c
        })
        .collect()
}

fn shapes() -> Vec<(&'static str, ConvFilter)> {
    let all = ConvFilter::all;
    vec![
        ("all", all()),
        (
            "c2c",
            ConvFilter {
                conv_type: Some(ConvType::C2C),
                ..all()
            },
        ),
        (
            "group_type",
            ConvFilter {
                conv_type: Some(ConvType::Group),
                ..all()
            },
        ),
        (
            "starred",
            ConvFilter {
                marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
                ..all()
            },
        ),
        (
            "unmarked",
            ConvFilter {
                marks: Some(MarkFilter::Unmarked),
                ..all()
            },
        ),
        (
            "hidden",
            ConvFilter {
                marks: Some(MarkFilter::HasAll(MarkSet::HIDE)),
                ..all()
            },
        ),
        (
            "in_group",
            ConvFilter {
                group: Some(GroupFilter::Named("group-3".into())),
                ..all()
            },
        ),
        (
            "in_no_group",
            ConvFilter {
                group: Some(GroupFilter::InNoGroup),
                ..all()
            },
        ),
        (
            "has_unread",
            ConvFilter {
                has_unread: Some(true),
                ..all()
            },
        ),
        (
            "has_at",
            ConvFilter {
                has_group_at_info: Some(true),
                ..all()
            },
        ),
        (
            "group_and_star",
            ConvFilter {
                group: Some(GroupFilter::Named("group-0".into())),
                marks: Some(MarkFilter::HasAll(MarkSet::STAR)),
                ..all()
            },
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let data = dataset();
    let store = Arc::new(MemoryStore::new());
    let mut batch = WriteBatch::new();
    for g in 0..GROUPS {
        batch.push(WriteOp::CreateGroup(format!("group-{g}")));
    }
    for conv in &data {
        batch.put(conv.clone());
    }
    store.apply(&batch).expect("dataset loads");
    let service = ConversationService::new(store, Arc::new(ManualClock::new(1_700_000_000)))
        .expect("service");

    let mut sorted = data.clone();
    sorted.sort_by_key(Conversation::list_key);

    let mut pages = c.benchmark_group("filtered_page_100");
    for (name, filter) in shapes() {
        pages.bench_function(format!("service/{name}"), |b| {
            b.iter(|| {
                service
                    .conversation_list_by_filter(black_box(&filter), 0, 100)
                    .expect("page")
            })
        });
        pages.bench_function(format!("raw_scan/{name}"), |b| {
            b.iter(|| {
                sorted
                    .iter()
                    .filter(|c| black_box(&filter).lists(c))
                    .take(100)
                    .map(Conversation::to_conv_info)
                    .collect::<Vec<_>>()
            })
        });
    }
    pages.finish();

    let mut total = c.benchmark_group("total_unread");
    total.bench_function("service", |b| {
        b.iter(|| service.total_unread().expect("total"))
    });
    total.bench_function("raw_sum", |b| {
        b.iter(|| {
            black_box(&data)
                .iter()
                .filter(|c| c.counts_toward_total_unread())
                .map(|c| c.unread_count)
                .sum::<u64>()
        })
    });
    total.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
