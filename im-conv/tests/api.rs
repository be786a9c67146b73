//! Every conversation call: success, each documented error code, and the
//! events it raises (once per change, after the commit).

mod support;

use im_conv::ConvEvent;
use im_model::{ConvSelector, Draft, MarkSet, Message, ReceiveMessageOpt};
use support::{filter, harness, id, load};

fn codes(results: &[im_model::ConversationOperationResult]) -> Vec<(String, i32)> {
    results
        .iter()
        .map(|r| {
            (
                r.conversation_id.clone().unwrap_or_default(),
                r.result_code.unwrap_or(-999),
            )
        })
        .collect()
}

fn event_names(events: &[ConvEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            ConvEvent::Added(v) => format!("added {}", v.len()),
            ConvEvent::Updated(v) => format!("updated {}", v.len()),
            ConvEvent::Deleted(v) => format!("deleted {}", v.len()),
            ConvEvent::TotalUnreadChanged(n) => format!("total {n}"),
            ConvEvent::UnreadByFilterChanged { total, .. } => format!("filter total {total}"),
            ConvEvent::GroupCreated {
                name,
                conversations,
            } => {
                format!("group created {name} {}", conversations.len())
            }
            ConvEvent::GroupDeleted { name } => format!("group deleted {name}"),
            ConvEvent::GroupRenamed { old, new } => format!("group renamed {old}->{new}"),
            ConvEvent::ConversationsAddedToGroup {
                name,
                conversations,
            } => {
                format!("added to {name} {}", conversations.len())
            }
            ConvEvent::ConversationsRemovedFromGroup {
                name,
                conversations,
                reason,
            } => format!("removed from {name} {} {reason:?}", conversations.len()),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn test_create_returns_existing_or_creates_once() {
    let h = harness();
    let info = h.service.create_conversation(&id("c2c_u1")).unwrap();
    assert_eq!(info.conv_id.as_deref(), Some("u1"));
    assert_eq!(info.active_time, Some(1_000));
    h.service.create_conversation(&id("c2c_u1")).unwrap();
    assert_eq!(event_names(&h.events.take()), ["added 1"]);
}

#[test]
fn test_delete_one_and_list() {
    let h = harness();
    load(&h.service, "c2c_a t=1\nc2c_b t=2\ngroup_c t=3");
    h.events.take();
    assert_eq!(
        h.service
            .delete_conversation(&id("c2c_zz"))
            .unwrap_err()
            .code(),
        6004
    );
    h.service.delete_conversation(&id("c2c_a")).unwrap();
    assert_eq!(event_names(&h.events.take()), ["deleted 1"]);
    let results = h
        .service
        .delete_conversations(&[id("c2c_b"), id("c2c_missing"), id("c2c_b")])
        .unwrap();
    assert_eq!(
        codes(&results),
        [("c2c_b".into(), 0), ("c2c_missing".into(), 6004)]
    );
    assert_eq!(h.service.conversation_list().unwrap().len(), 1);
    assert_eq!(
        h.service.delete_conversations(&[]).unwrap_err().code(),
        6017
    );
    let many: Vec<_> = (0..101).map(|i| id(&format!("c2c_u{i}"))).collect();
    assert_eq!(
        h.service.delete_conversations(&many).unwrap_err().code(),
        51006
    );
}

#[test]
fn test_draft_set_moves_conversation_up_and_cancel_restores() {
    let h = harness();
    load(&h.service, "c2c_a t=10\nc2c_b t=20");
    let draft = Draft {
        msg: Some(Message::text("typing…")),
        user_define: Some("ud".into()),
        edit_time: Some(30),
        ..Draft::default()
    };
    h.service.set_draft(&id("c2c_a"), &draft).unwrap();
    let list = h.service.conversation_list().unwrap();
    assert_eq!(list[0].conv_id.as_deref(), Some("a"));
    assert_eq!(list[0].draft.as_ref(), Some(&draft));
    assert_eq!(list[0].has_draft, Some(true));
    h.service.cancel_draft(&id("c2c_a")).unwrap();
    let list = h.service.conversation_list().unwrap();
    assert_eq!(list[0].conv_id.as_deref(), Some("b"));
    assert_eq!(list[1].has_draft, Some(false));
    assert_eq!(
        h.service.cancel_draft(&id("c2c_nope")).unwrap_err().code(),
        6004
    );

    // A draft on an unknown conversation creates it; a zero edit time becomes now.
    h.clock.set(5_000);
    h.events.take();
    h.service
        .set_draft(&id("group_new"), &Draft::default())
        .unwrap();
    let info = h.service.conversation(&id("group_new")).unwrap().unwrap();
    assert_eq!(info.draft.unwrap().edit_time, Some(5_000));
    assert_eq!(event_names(&h.events.take()), ["added 1"]);
}

#[test]
fn test_pin_orders_and_reports_once() {
    let h = harness();
    load(&h.service, "c2c_a t=10\nc2c_b t=20");
    h.events.take();
    h.service.pin_conversation(&id("c2c_a"), true).unwrap();
    h.service.pin_conversation(&id("c2c_a"), true).unwrap();
    assert_eq!(event_names(&h.events.take()), ["updated 1"]);
    let first = &h.service.conversation_list().unwrap()[0];
    assert_eq!(first.conv_id.as_deref(), Some("a"));
    assert_eq!(first.active_time, Some((1 << 62) | 10));
    h.service.pin_conversation(&id("c2c_a"), false).unwrap();
    assert_eq!(
        h.service.conversation_list().unwrap()[0].conv_id.as_deref(),
        Some("b")
    );
    assert_eq!(
        h.service
            .pin_conversation(&id("c2c_x"), true)
            .unwrap_err()
            .code(),
        6004
    );
}

#[test]
fn test_marks_set_clear_and_validation() {
    let h = harness();
    load(&h.service, "c2c_a\ngroup_g");
    let custom = 1u64 << 32;
    let results = h
        .service
        .mark_conversations(&[id("c2c_a"), id("group_g"), id("c2c_x")], 2 | custom, true)
        .unwrap();
    assert_eq!(
        codes(&results),
        [
            ("c2c_a".into(), 0),
            ("group_g".into(), 0),
            ("c2c_x".into(), 6004)
        ]
    );
    let a = h.service.conversation(&id("c2c_a")).unwrap().unwrap();
    assert_eq!(a.mark_array, Some(vec![2, custom]));
    assert_eq!(
        a.unread_num,
        Some(0),
        "the Unread mark does not change the count"
    );
    h.service
        .mark_conversations(&[id("c2c_a")], 2, false)
        .unwrap();
    let a = h.service.conversation(&id("c2c_a")).unwrap().unwrap();
    assert_eq!(a.mark_array, Some(vec![custom]));

    for bad in [0, 1 << 4, 1 << 31, (1 << 20) | 1] {
        assert_eq!(
            h.service
                .mark_conversations(&[id("c2c_a")], bad, true)
                .unwrap_err()
                .code(),
            6017,
            "{bad:#x}"
        );
    }
    let many: Vec<_> = (0..101).map(|i| id(&format!("c2c_u{i}"))).collect();
    assert_eq!(
        h.service
            .mark_conversations(&many, 1, true)
            .unwrap_err()
            .code(),
        51006
    );
    let hundred: Vec<_> = (0..100).map(|i| id(&format!("c2c_u{i}"))).collect();
    assert_eq!(
        h.service
            .mark_conversations(&hundred, 1, true)
            .unwrap()
            .len(),
        100
    );
    assert!(MarkSet::from_request(custom).is_ok());
}

#[test]
fn test_custom_data_limits_and_results() {
    let h = harness();
    load(&h.service, "c2c_a\nc2c_b");
    let data = "d".repeat(256);
    let results = h
        .service
        .set_custom_data(&[id("c2c_a"), id("c2c_x")], &data)
        .unwrap();
    assert_eq!(
        codes(&results),
        [("c2c_a".into(), 0), ("c2c_x".into(), 6004)]
    );
    let a = h.service.conversation(&id("c2c_a")).unwrap().unwrap();
    assert_eq!(a.custom_data.as_deref(), Some(data.as_str()));
    let err = h
        .service
        .set_custom_data(&[id("c2c_a")], &"d".repeat(257))
        .unwrap_err();
    assert_eq!(err.code(), 6017);
    assert!(err.message.contains("257"));
    // Multi-byte text is measured in bytes: 86 × 3 = 258 bytes.
    assert_eq!(
        h.service
            .set_custom_data(&[id("c2c_a")], &"数".repeat(86))
            .unwrap_err()
            .code(),
        6017
    );
}

#[test]
fn test_groups_full_lifecycle_with_events() {
    let h = harness();
    load(&h.service, "c2c_a\nc2c_b\ngroup_g");
    h.events.take();
    let results = h
        .service
        .create_conversation_group("work", &[id("c2c_a"), id("c2c_x")])
        .unwrap();
    assert_eq!(
        codes(&results),
        [("c2c_a".into(), 0), ("c2c_x".into(), 6004)]
    );
    assert_eq!(
        event_names(&h.events.take()),
        ["group created work 1", "updated 1"]
    );
    h.service
        .add_conversations_to_group("work", &[id("c2c_b"), id("c2c_a")])
        .unwrap();
    assert_eq!(
        event_names(&h.events.take()),
        ["added to work 1", "updated 1"]
    );
    h.service.rename_conversation_group("work", "job").unwrap();
    assert_eq!(
        event_names(&h.events.take()),
        ["group renamed work->job", "updated 2"]
    );
    let b = h.service.conversation(&id("c2c_b")).unwrap().unwrap();
    assert_eq!(b.conversation_group_array, Some(vec!["job".to_owned()]));
    h.service
        .remove_conversations_from_group("job", &[id("c2c_b"), id("group_g")])
        .unwrap();
    assert_eq!(
        event_names(&h.events.take()),
        ["removed from job 1 ByUser", "updated 1"]
    );
    h.service.delete_conversation_group("job").unwrap();
    assert_eq!(
        event_names(&h.events.take()),
        ["group deleted job", "updated 1"]
    );
    assert!(h.service.conversation_groups().unwrap().is_empty());
    let a = h.service.conversation(&id("c2c_a")).unwrap().unwrap();
    assert_eq!(a.conversation_group_array, Some(vec![]));
}

#[test]
fn test_group_error_codes() {
    let h = harness();
    load(&h.service, "c2c_a");
    let a = [id("c2c_a")];
    let s = &h.service;
    assert_eq!(
        s.create_conversation_group("", &a).unwrap_err().code(),
        51011
    );
    assert_eq!(
        s.create_conversation_group(&"n".repeat(33), &a)
            .unwrap_err()
            .code(),
        51011
    );
    // 32 bytes of multi-byte text is fine; 33 bytes is not.
    s.create_conversation_group(&"组".repeat(10), &a).unwrap();
    assert_eq!(
        s.create_conversation_group(&"组".repeat(11), &a)
            .unwrap_err()
            .code(),
        51011
    );
    assert_eq!(
        s.create_conversation_group("x", &[]).unwrap_err().code(),
        6017
    );
    assert_eq!(
        s.create_conversation_group(&"组".repeat(10), &a)
            .unwrap_err()
            .code(),
        6017,
        "duplicate name"
    );
    for i in 1..20 {
        s.create_conversation_group(&format!("g{i}"), &a).unwrap();
    }
    assert_eq!(s.conversation_groups().unwrap().len(), 20);
    assert_eq!(
        s.create_conversation_group("g21", &a).unwrap_err().code(),
        51010
    );
    assert_eq!(
        s.delete_conversation_group("none").unwrap_err().code(),
        51009
    );
    assert_eq!(
        s.rename_conversation_group("none", "x").unwrap_err().code(),
        51009
    );
    assert_eq!(
        s.rename_conversation_group("g1", "g2").unwrap_err().code(),
        6017
    );
    assert_eq!(
        s.rename_conversation_group("g1", "").unwrap_err().code(),
        51011
    );
    assert_eq!(
        s.add_conversations_to_group("none", &a).unwrap_err().code(),
        51009
    );
    assert_eq!(
        s.remove_conversations_from_group("none", &a)
            .unwrap_err()
            .code(),
        51009
    );
    let many: Vec<_> = (0..101).map(|i| id(&format!("c2c_u{i}"))).collect();
    assert_eq!(
        s.add_conversations_to_group("g1", &many)
            .unwrap_err()
            .code(),
        51006
    );
    // Failed calls changed nothing.
    assert_eq!(s.conversation_groups().unwrap()[1], "g1");
    assert_eq!(s.conversation_groups().unwrap().len(), 20);
}

#[test]
fn test_total_unread_events_start_after_first_query() {
    let h = harness();
    load(&h.service, "c2c_a unread=2\ngroup_g unread=3");
    let bump = |peer: &str, n: u64| support::set_unread(&h.service, peer, n);
    bump("c2c_a", 4);
    assert!(
        !event_names(&h.events.take())
            .iter()
            .any(|e| e.starts_with("total"))
    );
    assert_eq!(h.service.total_unread().unwrap(), 7);
    bump("c2c_a", 5);
    assert_eq!(event_names(&h.events.take()), ["updated 1", "total 8"]);
    // Muting removes the conversation from the total.
    h.service
        .set_receive_option(&id("group_g"), ReceiveMessageOpt::NotNotify)
        .unwrap();
    assert_eq!(event_names(&h.events.take()), ["updated 1", "total 5"]);
    assert_eq!(h.service.total_unread().unwrap(), 5);
    // An option set before the conversation exists is applied when it is
    // created (audit item 3).
    h.service
        .set_receive_option(&id("c2c_none"), ReceiveMessageOpt::NotReceive)
        .unwrap();
    h.service.create_conversation(&id("c2c_none")).unwrap();
    assert_eq!(
        h.service
            .conversation(&id("c2c_none"))
            .unwrap()
            .unwrap()
            .recv_opt,
        Some(ReceiveMessageOpt::NotReceive)
    );
}

#[test]
fn test_unread_by_filter_subscription_reports_only_changes() {
    let h = harness();
    load(&h.service, "c2c_a unread=2\ngroup_g unread=3");
    let groups = filter(r#"{"conversation_list_filter_conv_type":2}"#);
    h.service.subscribe_unread_by_filter(&groups).unwrap();
    h.service.subscribe_unread_by_filter(&groups).unwrap();
    h.events.take();
    let set = |peer: &str, n: u64| support::set_unread(&h.service, peer, n);
    set("c2c_a", 9);
    assert_eq!(event_names(&h.events.take()), ["updated 1"]);
    set("group_g", 4);
    let events = h.events.take();
    assert_eq!(event_names(&events), ["updated 1", "filter total 4"]);
    let ConvEvent::UnreadByFilterChanged { filter: wire, .. } = &events[1] else {
        panic!()
    };
    assert_eq!(
        serde_json::to_string(wire).unwrap(),
        r#"{"conversation_list_filter_conv_type":2}"#
    );
    h.service.unsubscribe_unread_by_filter(&groups);
    set("group_g", 1);
    assert_eq!(event_names(&h.events.take()), ["updated 1"]);
}

#[test]
fn test_clean_unread_by_selector() {
    let h = harness();
    load(
        &h.service,
        "c2c_a unread=2 msg=50\nc2c_b unread=1\ngroup_g unread=3 at msg=60\ngroup_h unread=4",
    );
    assert_eq!(h.service.total_unread().unwrap(), 10);
    h.events.take();
    assert_eq!(
        h.service.clean_unread(&ConvSelector::AllC2C, 0, 0).unwrap(),
        2
    );
    assert_eq!(event_names(&h.events.take()), ["updated 2", "total 7"]);
    let a = h.service.conversation(&id("c2c_a")).unwrap().unwrap();
    assert_eq!(a.c2c_read_timestamp, Some(50));
    h.service
        .clean_unread(&ConvSelector::One(id("group_g")), 0, 0)
        .unwrap();
    let g = h.service.conversation(&id("group_g")).unwrap().unwrap();
    assert_eq!((g.unread_num, g.group_read_sequence), (Some(0), Some(60)));
    assert_eq!(g.group_at_info_array, Some(vec![]), "mentions are cleared");
    assert_eq!(h.service.clean_unread(&ConvSelector::All, 0, 0).unwrap(), 1);
    assert_eq!(h.service.total_unread().unwrap(), 0);
    assert_eq!(
        h.service
            .clean_unread(&ConvSelector::One(id("c2c_zz")), 0, 0)
            .unwrap_err()
            .code(),
        6004
    );
    // A read position at or past the newest message cleans everything.
    load(&h.service, "group_k unread=5 msg=70");
    h.service
        .clean_unread(&ConvSelector::AllGroups, 0, 70)
        .unwrap();
    assert_eq!(h.service.total_unread().unwrap(), 0);
    // Inside the history it needs the message layer.
    load(&h.service, "group_m unread=5 msg=80");
    let err = h
        .service
        .clean_unread(&ConvSelector::One(id("group_m")), 0, 10)
        .unwrap_err();
    assert_eq!(err.code(), 6017);
    assert_eq!(h.service.total_unread().unwrap(), 5, "nothing changed");
}

#[test]
fn test_clean_unread_inside_history_uses_the_recount() {
    #[derive(Debug)]
    struct Fixed;
    impl im_conv::UnreadRecount for Fixed {
        fn unread_after(&self, _: &im_model::ConvId, _: u64, seq: u64) -> im_model::ImResult<u64> {
            Ok(80 - seq)
        }
        fn newest_position(&self, _: &im_model::ConvId) -> im_model::ImResult<(u64, u64)> {
            Ok((80, 80))
        }
    }
    let h = harness();
    load(&h.service, "group_m unread=50 msg=80");
    let recount: std::sync::Arc<dyn im_conv::UnreadRecount> = std::sync::Arc::new(Fixed);
    h.service.set_unread_recount(&recount);
    h.service
        .clean_unread(&ConvSelector::One(id("group_m")), 0, 60)
        .unwrap();
    let m = h.service.conversation(&id("group_m")).unwrap().unwrap();
    assert_eq!((m.unread_num, m.group_read_sequence), (Some(20), Some(60)));
}

#[test]
fn test_listener_may_call_back_into_the_service() {
    use std::sync::{Arc, Mutex};
    struct Reentrant {
        service: Mutex<Option<Arc<im_conv::ConversationService>>>,
        seen: Mutex<Vec<usize>>,
    }
    impl im_conv::Listener<ConvEvent> for Reentrant {
        fn on_event(&self, event: &ConvEvent) {
            if let ConvEvent::Added(_) = event {
                let service = self.service.lock().unwrap().clone().unwrap();
                // A read and a write from inside the callback.
                let n = service.conversation_list().unwrap().len();
                self.seen.lock().unwrap().push(n);
                if n < 3 {
                    service
                        .create_conversation(&id(&format!("c2c_n{n}")))
                        .unwrap();
                }
            }
        }
    }
    let clock = Arc::new(im_model::ManualClock::new(1));
    let service = Arc::new(
        im_conv::ConversationService::new(Arc::new(im_store::MemoryStore::new()), clock).unwrap(),
    );
    let listener = Arc::new(Reentrant {
        service: Mutex::new(Some(service.clone())),
        seen: Mutex::new(Vec::new()),
    });
    service.add_listener(listener.clone());
    service.create_conversation(&id("c2c_first")).unwrap();
    assert_eq!(*listener.seen.lock().unwrap(), [1, 2, 3]);
    *listener.service.lock().unwrap() = None;
}
