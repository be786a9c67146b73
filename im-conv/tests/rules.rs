//! Tests that state the rules mutation testing found thin: which
//! conversations a clean of "all" touches and which read position 0
//! means, paging room and page handles, and the group-name limit.

mod support;

use im_model::limits::MAX_CONVERSATION_GROUP_NAME_BYTES;
use im_model::{ConvSelector, GroupAtInfo, GroupAtType, Message};
use im_store::{ConvFilter, Conversation};
use support::{harness, id};

fn last(time: u64, seq: u64) -> Option<Message> {
    Some(Message {
        server_time: Some(time),
        seq: Some(seq),
        ..Message::text("m")
    })
}

fn mention(seq: u64) -> GroupAtInfo {
    GroupAtInfo {
        seq: Some(seq),
        at_type: Some(GroupAtType::AtMe),
        ..GroupAtInfo::default()
    }
}

#[test]
fn test_clean_all_touches_unread_or_mentioned_conversations_and_reads_to_the_newest() {
    let h = harness(); // now = 1_000
    h.service
        .write(|txn| {
            // Times differ from sequences, so a position of the wrong kind shows.
            let mut c2c = Conversation::new(id("c2c_t"), 1);
            c2c.unread_count = 2;
            c2c.last_message = last(500, 7);
            let mut empty = Conversation::new(id("c2c_e"), 1);
            empty.unread_count = 1;
            let mut group = Conversation::new(id("group_s"), 1);
            group.unread_count = 3;
            group.last_message = last(600, 40);
            // Nothing unread, no mention: "all" leaves it alone.
            let mut quiet = Conversation::new(id("c2c_q"), 1);
            quiet.last_message = last(700, 9);
            // Nothing unread but a mention: "all" cleans the mention.
            let mut mentioned = Conversation::new(id("group_m"), 1);
            mentioned.group_at_infos.push(mention(5));
            mentioned.last_message = last(800, 12);
            for c in [c2c, empty, group, quiet, mentioned] {
                txn.put(c);
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(h.service.clean_unread(&ConvSelector::All, 0, 0).unwrap(), 4);
    let get = |s: &str| h.service.conversation(&id(s)).unwrap().unwrap();
    assert_eq!(
        get("c2c_t").c2c_read_timestamp,
        Some(500),
        "C2C reads to the last time"
    );
    assert_eq!(
        get("c2c_e").c2c_read_timestamp,
        Some(1_000),
        "an empty C2C reads to now"
    );
    assert_eq!(
        get("group_s").group_read_sequence,
        Some(40),
        "a group reads to the last seq"
    );
    assert_eq!(get("c2c_q").c2c_read_timestamp, Some(0), "untouched");
    let m = get("group_m");
    assert_eq!(
        (m.group_read_sequence, m.group_at_info_array),
        (Some(12), Some(vec![]))
    );
    for s in ["c2c_t", "c2c_e", "group_s"] {
        assert_eq!(get(s).unread_num, Some(0), "{s}");
    }
}

#[test]
fn test_clean_by_sequence_clears_the_mentions_it_reads() {
    // Audit item 4: a clean up to a sequence inside the history drops the
    // mentions at or before it and keeps the later ones.
    #[derive(Debug)]
    struct Recount;
    impl im_conv::UnreadRecount for Recount {
        fn unread_after(&self, _: &im_model::ConvId, _: u64, seq: u64) -> im_model::ImResult<u64> {
            Ok(20 - seq)
        }
        fn newest_position(&self, _: &im_model::ConvId) -> im_model::ImResult<(u64, u64)> {
            Ok((300, 20))
        }
    }
    let h = harness();
    let recount: std::sync::Arc<dyn im_conv::UnreadRecount> = std::sync::Arc::new(Recount);
    h.service.set_unread_recount(&recount);
    h.service
        .write(|txn| {
            let mut g = Conversation::new(id("group_g"), 1);
            g.unread_count = 20;
            g.last_message = last(300, 20);
            g.group_at_infos = vec![mention(3), mention(10), mention(15)];
            txn.put(g);
            Ok(())
        })
        .unwrap();
    h.service
        .clean_unread(&ConvSelector::One(id("group_g")), 0, 10)
        .unwrap();
    let g = h.service.conversation(&id("group_g")).unwrap().unwrap();
    assert_eq!(g.unread_num, Some(10));
    let left: Vec<_> = g
        .group_at_info_array
        .unwrap()
        .into_iter()
        .map(|a| a.seq.unwrap())
        .collect();
    assert_eq!(left, vec![15]);
}

#[test]
fn test_a_page_never_exceeds_its_count_when_changed_conversations_follow() {
    let h = harness();
    support::load(&h.service, "c2c_a t=10\nc2c_b t=20\nc2c_c t=30");
    let all = ConvFilter::all();
    let first = h.service.conversation_list_by_filter(&all, 0, 2).unwrap();
    assert_eq!(first.conv_list.unwrap().len(), 2);
    // Three more conversations appear during the walk (changed ones).
    support::load(&h.service, "c2c_d t=40\nc2c_e t=50\nc2c_f t=60");
    let second = h
        .service
        .conversation_list_by_filter(&all, first.next_seq.unwrap(), 2)
        .unwrap();
    assert_eq!(
        second.conv_list.unwrap().len(),
        2,
        "one unchanged + room for one changed"
    );
    assert_eq!(second.is_finished, Some(false));
}

#[test]
fn test_page_handles_of_interleaved_walks_stay_valid() {
    let h = harness();
    support::load(&h.service, "c2c_a t=10\nc2c_b t=20\nc2c_c t=30");
    let all = ConvFilter::all();
    let a1 = h.service.conversation_list_by_filter(&all, 0, 1).unwrap();
    let b1 = h.service.conversation_list_by_filter(&all, 0, 1).unwrap();
    // Both walks continue from their own handles.
    let a2 = h
        .service
        .conversation_list_by_filter(&all, a1.next_seq.unwrap(), 1)
        .unwrap();
    let b2 = h
        .service
        .conversation_list_by_filter(&all, b1.next_seq.unwrap(), 1)
        .unwrap();
    assert_eq!(a2.conv_list, b2.conv_list);
    // 64 handles are remembered: the oldest expires after 64 newer pages.
    let oldest = a1.next_seq.unwrap();
    for _ in 0..64 {
        h.service.conversation_list_by_filter(&all, 0, 1).unwrap();
    }
    assert_eq!(
        h.service
            .conversation_list_by_filter(&all, oldest, 1)
            .unwrap_err()
            .code(),
        6017
    );
}

#[test]
fn test_group_names_of_exactly_32_bytes_are_accepted() {
    let h = harness();
    let exact = "g".repeat(MAX_CONVERSATION_GROUP_NAME_BYTES);
    h.service
        .create_conversation_group(&exact, &[id("c2c_a")])
        .unwrap();
    assert!(h.service.conversation_groups().unwrap().contains(&exact));
    let over = "g".repeat(MAX_CONVERSATION_GROUP_NAME_BYTES + 1);
    assert_eq!(
        h.service
            .create_conversation_group(&over, &[id("c2c_a")])
            .unwrap_err()
            .code(),
        51011
    );
}

#[test]
fn test_a_huge_page_count_is_clamped_not_allocated() {
    // Audit item 1: count = u32::MAX aborted the process.
    let h = harness();
    support::load(&h.service, "c2c_a t=10\nc2c_b t=20");
    let page = h
        .service
        .conversation_list_by_filter(&ConvFilter::all(), 0, u32::MAX)
        .unwrap();
    assert_eq!(page.conv_list.unwrap().len(), 2);
    assert_eq!(page.is_finished, Some(true));
}

#[test]
fn test_clean_all_groups_leaves_c2c_conversations_alone() {
    let h = harness();
    support::load(&h.service, "c2c_a unread=2 msg=50\ngroup_g unread=3 msg=60");
    assert_eq!(
        h.service
            .clean_unread(&ConvSelector::AllGroups, 0, 0)
            .unwrap(),
        1
    );
    let get = |s: &str| h.service.conversation(&id(s)).unwrap().unwrap().unread_num;
    assert_eq!((get("c2c_a"), get("group_g")), (Some(2), Some(0)));
    assert_eq!(
        h.service.clean_unread(&ConvSelector::AllC2C, 0, 0).unwrap(),
        1
    );
    assert_eq!(get("c2c_a"), Some(0));
}
