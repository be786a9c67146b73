//! Conformance cases for conversation records, listing and unread totals.

use im_model::{ConvId, Draft, MarkSet, ReceiveMessageOpt};

use super::fixtures::{c2c, filter_shapes, group, message_at, mixed_dataset, put_all};
use crate::{ConvFilter, ConvQuery, Conversation, ListKey, Store, VersionRange, WriteBatch};

fn list_all(store: &dyn Store, filter: &ConvFilter, versions: VersionRange) -> Vec<Conversation> {
    store
        .list_conversations(&ConvQuery {
            filter,
            after: None,
            versions,
            limit: usize::MAX,
        })
        .expect("list")
}

fn peers(convs: &[Conversation]) -> Vec<String> {
    convs.iter().map(|c| c.id.to_string()).collect()
}

/// The reference answer: filter with `lists`, sort by `ListKey`.
fn reference_list(all: &[Conversation], filter: &ConvFilter) -> Vec<String> {
    let mut selected: Vec<&Conversation> = all.iter().filter(|c| filter.lists(c)).collect();
    selected.sort_by_key(|c| c.list_key());
    selected.iter().map(|c| c.id.to_string()).collect()
}

/// A conversation with every field set survives a write and a read unchanged.
pub fn test_conversation_round_trip(store: &dyn Store) {
    let mut c = group("g1", 100);
    c.version = 9;
    c.pinned = true;
    c.unread_count = 4;
    c.recv_opt = ReceiveMessageOpt::NotNotify;
    c.marks = MarkSet::STAR | MarkSet::from_bits_retain(1 << 63);
    c.groups.insert("work".into());
    c.custom_data = "自定义 data".into();
    c.draft = Some(Draft {
        msg: Some(im_model::Message::text("草稿")),
        user_define: Some("ud".into()),
        edit_time: Some(150),
        ..Draft::default()
    });
    c.last_message = Some(message_at("最后", 120));
    c.show_name = "Group One".into();
    c.face_url = "https://example.invalid/a.png".into();
    c.group_type = Some(im_model::GroupType::Community);
    c.group_read_seq = 77;
    c.c2c_read_timestamp = 5;
    c.peer_read_timestamp = 6;
    put_all(store, std::slice::from_ref(&c));
    assert_eq!(store.conversation(&c.id).unwrap(), Some(c.clone()));
    assert_eq!(
        store.conversation(&ConvId::c2c("g1").unwrap()).unwrap(),
        None
    );
}

/// `conversations` returns found records in input order, each once.
pub fn test_conversations_by_ids_keep_input_order(store: &dyn Store) {
    put_all(store, &[c2c("a", 1), c2c("b", 2), group("c", 3)]);
    let ids = [
        ConvId::group("c").unwrap(),
        ConvId::c2c("missing").unwrap(),
        ConvId::c2c("a").unwrap(),
        ConvId::group("c").unwrap(),
    ];
    let found = store.conversations(&ids).unwrap();
    assert_eq!(peers(&found), ["group_c", "c2c_a"]);
}

/// Deleting removes the record from reads, lists and totals.
pub fn test_delete_conversation(store: &dyn Store) {
    let mut a = c2c("a", 1);
    a.unread_count = 3;
    put_all(store, &[a.clone(), c2c("b", 2)]);
    let mut batch = WriteBatch::new();
    batch.push(crate::WriteOp::DeleteConversation(a.id.clone()));
    batch.push(crate::WriteOp::DeleteConversation(
        ConvId::c2c("never").unwrap(),
    ));
    store.apply(&batch).unwrap();
    assert_eq!(store.conversation(&a.id).unwrap(), None);
    assert_eq!(
        peers(&list_all(store, &ConvFilter::all(), VersionRange::Any)),
        ["c2c_b"]
    );
    assert_eq!(store.unread_total(&ConvFilter::all()).unwrap(), 0);
}

/// Listing follows `ListKey` order, and `after` + `limit` page through it
/// without gaps or repeats.
pub fn test_list_order_and_cursor(store: &dyn Store) {
    let data = mixed_dataset();
    put_all(store, &data);
    let filter = ConvFilter::all();
    let full = peers(&list_all(store, &filter, VersionRange::Any));
    assert_eq!(full, reference_list(&data, &filter));
    for page_size in [1, 7, 100] {
        let mut after: Option<ListKey> = None;
        let mut walked = Vec::new();
        loop {
            let page = store
                .list_conversations(&ConvQuery {
                    filter: &filter,
                    after: after.as_ref(),
                    versions: VersionRange::Any,
                    limit: page_size,
                })
                .unwrap();
            walked.extend(peers(&page));
            match page.last() {
                Some(last) if page.len() == page_size => after = Some(last.list_key()),
                _ => break,
            }
        }
        assert_eq!(walked, full, "page size {page_size}");
    }
}

/// Version ranges split the list exactly.
pub fn test_list_version_ranges(store: &dyn Store) {
    let data = mixed_dataset();
    put_all(store, &data);
    let filter = ConvFilter::all();
    let low = list_all(store, &filter, VersionRange::AtMost(30));
    let high = list_all(store, &filter, VersionRange::Above(30));
    assert!(low.iter().all(|c| c.version <= 30));
    assert!(high.iter().all(|c| c.version > 30));
    assert_eq!(
        low.len() + high.len(),
        list_all(store, &filter, VersionRange::Any).len()
    );
}

/// Every filter shape returns exactly the reference selection, in order.
pub fn test_filters_match_reference(store: &dyn Store) {
    let data = mixed_dataset();
    put_all(store, &data);
    for filter in filter_shapes() {
        assert_eq!(
            peers(&list_all(store, &filter, VersionRange::Any)),
            reference_list(&data, &filter),
            "{filter:?}"
        );
    }
}

/// Hidden conversations are left out of lists unless the filter asks for
/// the hide mark, but still count toward unread totals.
pub fn test_hidden_conversations_are_listed_only_on_request(store: &dyn Store) {
    let mut hidden = c2c("hidden", 5);
    hidden.marks = MarkSet::HIDE;
    hidden.unread_count = 2;
    put_all(store, &[hidden, c2c("shown", 1)]);
    assert_eq!(
        peers(&list_all(store, &ConvFilter::all(), VersionRange::Any)),
        ["c2c_shown"]
    );
    let ask = ConvFilter {
        marks: Some(crate::MarkFilter::HasAll(MarkSet::HIDE)),
        ..ConvFilter::all()
    };
    assert_eq!(
        peers(&list_all(store, &ask, VersionRange::Any)),
        ["c2c_hidden"]
    );
    assert_eq!(store.unread_total(&ConvFilter::all()).unwrap(), 2);
}

/// Unread totals equal the reference sum for every filter shape, and leave
/// out conversations whose receive option is not counted.
pub fn test_unread_totals_match_reference(store: &dyn Store) {
    let data = mixed_dataset();
    put_all(store, &data);
    for filter in filter_shapes() {
        let expected: u64 = data
            .iter()
            .filter(|c| c.counts_toward_total_unread() && filter.matches(c))
            .map(|c| c.unread_count)
            .sum();
        assert_eq!(store.unread_total(&filter).unwrap(), expected, "{filter:?}");
    }
    let mut muted = c2c("muted", 1);
    muted.unread_count = 100;
    muted.recv_opt = ReceiveMessageOpt::NotNotify;
    let before = store.unread_total(&ConvFilter::all()).unwrap();
    put_all(store, &[muted]);
    assert_eq!(store.unread_total(&ConvFilter::all()).unwrap(), before);
}

/// `apply` reports one change per touched conversation with its before and after.
pub fn test_apply_reports_changes(store: &dyn Store) {
    let a = c2c("a", 1);
    put_all(store, std::slice::from_ref(&a));
    let mut a2 = a.clone();
    a2.unread_count = 5;
    let b = c2c("b", 2);
    let mut batch = WriteBatch::new();
    batch.put(a2.clone()).put(b.clone());
    batch.push(crate::WriteOp::DeleteConversation(b.id));
    batch.push(crate::WriteOp::DeleteConversation(
        ConvId::c2c("zzz").unwrap(),
    ));
    let changes = store.apply(&batch).unwrap();
    assert_eq!(
        changes.len(),
        1,
        "b was created and deleted in one batch: no net change"
    );
    assert_eq!(changes[0].before.as_ref(), Some(&a));
    assert_eq!(changes[0].after.as_ref(), Some(&a2));
    let changes = store
        .apply(&{
            let mut b = WriteBatch::new();
            b.push(crate::WriteOp::DeleteConversation(a.id));
            b
        })
        .unwrap();
    assert_eq!(changes.len(), 1);
    assert!(changes[0].after.is_none());
}

/// `max_version` is the largest stored version.
pub fn test_max_version(store: &dyn Store) {
    assert_eq!(store.max_version().unwrap(), 0);
    let mut a = c2c("a", 1);
    a.version = 41;
    let mut b = c2c("b", 1);
    b.version = 7;
    put_all(store, &[a, b]);
    assert_eq!(store.max_version().unwrap(), 41);
}

/// `matching_conversations` returns every match of each filter shape,
/// hidden ones included, in list order.
pub fn test_matching_conversations_include_hidden(store: &dyn Store) {
    let data = mixed_dataset();
    put_all(store, &data);
    for filter in filter_shapes() {
        let mut expected: Vec<&Conversation> = data.iter().filter(|c| filter.matches(c)).collect();
        expected.sort_by_key(|c| c.list_key());
        let expected: Vec<String> = expected.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(
            peers(&store.matching_conversations(&filter).unwrap()),
            expected,
            "{filter:?}"
        );
    }
}
