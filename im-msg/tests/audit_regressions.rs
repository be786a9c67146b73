//! Regression tests for the failures the outside audit found in the
//! landed core, one per item of the correctness issue, each run on the
//! in-memory store and on SQLite (`name::memory`, `name::sqlite`).
//! Store-level items live in the store conformance suite
//! (`im_store::conformance::audit`).

mod support;

use im_model::limits::MAX_TIME_SECS;
use im_model::message::{Message, MessageSearchParam, MsgDeleteParam, MsgGetMsgListParam};
use im_model::{ConvSelector, MsgStatus, ReceiveMessageOpt};
use im_store::ConvFilter;
use im_transport::ServerEvent;
use support::{ME, c2c, group, mentioning_me, text};

fn search(keyword: &str) -> MessageSearchParam {
    MessageSearchParam {
        keyword_array: Some(vec![keyword.to_owned()]),
        ..MessageSearchParam::default()
    }
}

fn history(count: u32) -> MsgGetMsgListParam {
    MsgGetMsgListParam {
        count: Some(count),
        ..MsgGetMsgListParam::default()
    }
}

fn ids(messages: &[Message]) -> Vec<String> {
    messages.iter().filter_map(|m| m.msg_id.clone()).collect()
}

fn id_list(messages: &[&Message]) -> Vec<String> {
    messages.iter().filter_map(|m| m.msg_id.clone()).collect()
}

on_every_backend! {
    async fn test_item_01_huge_page_sizes_are_clamped(h) {
        let conv = group("g");
        for i in 0..3 {
            h.server.deliver_from_peer(&conv, "alice", text(&format!("hello {i}")));
        }
        h.msgs.sync_events().await.unwrap();
        let page = h
            .convs
            .conversation_list_by_filter(&ConvFilter::all(), 0, u32::MAX)
            .unwrap();
        assert_eq!(page.conv_list.unwrap().len(), 1);
        let all = h.msgs.get_message_list(&conv, &history(u32::MAX)).await.unwrap();
        assert_eq!(all.len(), 3);
        let found = h
            .msgs
            .search_local_messages(&MessageSearchParam {
                page_size: Some(u32::MAX),
                page_index: Some(u32::MAX),
                ..search("hello")
            })
            .unwrap();
        assert_eq!(found.total_count, Some(1));
        assert_eq!(found.item_array.unwrap().len(), 0, "a page far past the end");
    }

    async fn test_item_02_deleting_a_conversation_deletes_its_messages(h) {
        let conv = c2c("bob");
        let m = h.peer_sends(&conv, "bob", text("secret plan")).await;
        h.convs.delete_conversation(&conv).unwrap();
        let id = m.msg_id.unwrap();
        assert_eq!(h.msgs.find_messages(std::slice::from_ref(&id)).unwrap(), vec![]);
        assert_eq!(h.msgs.search_local_messages(&search("secret")).unwrap().total_count, Some(0));
        // A new message recreates the conversation with only itself.
        let again = h.peer_sends(&conv, "bob", text("hi again")).await;
        let page = h.msgs.get_message_list(&conv, &history(10)).await.unwrap();
        assert_eq!(ids(&page), ids(&[again]));
    }

    async fn test_item_03_receive_option_set_before_the_conversation_exists_is_kept(h) {
        h.msgs
            .set_c2c_receive_option(&["carol".to_owned()], ReceiveMessageOpt::NotNotify)
            .await
            .unwrap();
        h.msgs
            .set_group_receive_option("quiet", ReceiveMessageOpt::NotReceive)
            .await
            .unwrap();
        assert_eq!(h.convs.total_unread().unwrap(), 0);
        h.peer_sends(&c2c("carol"), "carol", text("psst")).await;
        h.peer_sends(&group("quiet"), "dave", text("shh")).await;
        assert_eq!(h.unread(&c2c("carol")), 1);
        let carol = h.convs.conversation(&c2c("carol")).unwrap().unwrap();
        assert_eq!(carol.recv_opt, Some(ReceiveMessageOpt::NotNotify));
        let quiet = h.convs.conversation(&group("quiet")).unwrap().unwrap();
        assert_eq!(quiet.recv_opt, Some(ReceiveMessageOpt::NotReceive));
        assert_eq!(h.convs.total_unread().unwrap(), 0, "muted conversations are not counted");
    }

    async fn test_item_04_clean_by_sequence_clears_the_mentions_it_reads(h) {
        let conv = group("g");
        for i in 1..=4 {
            let m = mentioning_me(&format!("@me {i}"));
            h.server.deliver_from_peer(&conv, "alice", m);
        }
        h.msgs.sync_events().await.unwrap();
        assert_eq!(h.unread(&conv), 4);
        h.convs.clean_unread(&ConvSelector::One(conv.clone()), 0, 2).unwrap();
        assert_eq!(h.unread(&conv), 2);
        assert_eq!(h.mention_seqs(&conv), vec![3, 4]);
    }

    async fn test_item_05_reimporting_a_stored_unread_message_leaves_no_phantom_unread(h) {
        let conv = c2c("bob");
        let m = h.peer_sends(&conv, "bob", text("hello")).await;
        assert_eq!(h.unread(&conv), 1);
        h.msgs.import_messages(&conv, std::slice::from_ref(&m)).unwrap();
        assert_eq!(h.unread(&conv), 0, "an imported message never counts");
        let delete = MsgDeleteParam {
            msg: Some(m.clone()),
            ..MsgDeleteParam::default()
        };
        h.msgs.delete_message(&conv, &delete).await.unwrap();
        assert_eq!(h.unread(&conv), 0);
        assert_eq!(h.convs.total_unread().unwrap(), 0);
    }

    async fn test_item_06_an_empty_anchor_means_from_the_newest(h) {
        let conv = c2c("bob");
        let first = h.peer_sends(&conv, "bob", text("one")).await;
        h.clock.advance(1);
        let second = h.peer_sends(&conv, "bob", text("two")).await;
        let param: MsgGetMsgListParam = serde_json::from_str(
            r#"{"msg_getmsglist_param_last_msg": {}, "msg_getmsglist_param_count": 100,
                "msg_getmsglist_param_is_forward": false, "msg_getmsglist_param_is_remble": false}"#,
        )
        .unwrap();
        let page = h.msgs.get_message_list(&conv, &param).await.unwrap();
        assert_eq!(ids(&page), id_list(&[&second, &first]));
        // An anchor given by its id alone is found where it is stored.
        let by_id = MsgGetMsgListParam {
            last_msg: Some(Message {
                msg_id: second.msg_id.clone(),
                ..Message::default()
            }),
            ..history(10)
        };
        let page = h.msgs.get_message_list(&conv, &by_id).await.unwrap();
        assert_eq!(ids(&page), ids(&[first]));
    }

    async fn test_item_07_a_sequence_anchor_not_stored_pages_around_it(h) {
        let conv = group("g");
        let mut sent = Vec::new();
        for i in 1..=6 {
            h.clock.advance(1);
            sent.push(h.server.deliver_from_peer(&conv, "alice", text(&format!("m{i}"))));
        }
        h.msgs.sync_events().await.unwrap();
        // Seq 4 is deleted locally (kept as status 4, not shown) and seq 3
        // never stored here: a roaming-free device missing messages.
        let delete = MsgDeleteParam {
            msg: Some(sent[3].clone()),
            ..MsgDeleteParam::default()
        };
        h.msgs.delete_message(&conv, &delete).await.unwrap();
        let older = MsgGetMsgListParam {
            last_msg_seq: Some(4),
            ..history(2)
        };
        let page = h.msgs.get_message_list(&conv, &older).await.unwrap();
        assert_eq!(ids(&page), ids(&[sent[2].clone(), sent[1].clone()]));
        let newer = MsgGetMsgListParam {
            last_msg_seq: Some(4),
            is_forward: Some(true),
            ..history(2)
        };
        let page = h.msgs.get_message_list(&conv, &newer).await.unwrap();
        assert_eq!(ids(&page), ids(&[sent[4].clone(), sent[5].clone()]));
        // A sequence past every stored one pages from the newest.
        let past = MsgGetMsgListParam {
            last_msg_seq: Some(100),
            ..history(1)
        };
        let page = h.msgs.get_message_list(&conv, &past).await.unwrap();
        assert_eq!(ids(&page), ids(&[sent[5].clone()]));
    }

    async fn test_item_08_an_event_that_cannot_be_applied_does_not_block_later_ones(h) {
        let conv = c2c("bob");
        h.server.push_event(ServerEvent::NewMessage {
            conv: conv.clone(),
            message: text("no id"),
        });
        let mut late = text("far future");
        late.msg_id = Some("late".into());
        late.server_time = Some(MAX_TIME_SECS + 1);
        h.server.push_event(ServerEvent::NewMessage {
            conv: conv.clone(),
            message: late,
        });
        let good = h.server.deliver_from_peer(&conv, "bob", text("after them"));
        assert_eq!(h.msgs.sync_events().await.unwrap(), 1);
        assert_eq!(h.last_id(&conv), good.msg_id);
        // The skipped events are passed for good: nothing is pulled again.
        assert_eq!(h.msgs.sync_events().await.unwrap(), 0);
        assert_eq!(h.unread(&conv), 1);
    }

    async fn test_item_08_an_id_of_another_conversations_message_is_skipped(h) {
        let bob = c2c("bob");
        let first = h.peer_sends(&bob, "bob", text("mine")).await;
        let mut clash = text("clash");
        clash.msg_id = first.msg_id.clone();
        h.server.push_event(ServerEvent::NewMessage {
            conv: c2c("eve"),
            message: clash,
        });
        let next = h.server.deliver_from_peer(&bob, "bob", text("next"));
        assert_eq!(h.msgs.sync_events().await.unwrap(), 1);
        assert_eq!(h.last_id(&bob), next.msg_id);
        assert!(h.convs.conversation(&c2c("eve")).unwrap().is_none());
        let stored = h.msgs.find_messages(&[first.msg_id.clone().unwrap()]).unwrap();
        assert_eq!(stored[0].conv_id.as_deref(), Some("bob"));
    }

    async fn test_item_10_friend_and_profile_change_elements_cannot_be_sent(h) {
        for kind in [10, 11] {
            let m: Message = serde_json::from_str(&format!(
                r#"{{"message_elem_array":[{{"elem_type":{kind}}}]}}"#
            ))
            .unwrap();
            assert_eq!(h.msgs.queue_message(&c2c("bob"), &m).unwrap_err().code(), 6016);
        }
        assert!(h.convs.conversation(&c2c("bob")).unwrap().is_none());
        assert!(h.server.requests().is_empty());
    }

    async fn test_item_11_batch_send_to_a_repeated_user_sends_one_copy(h) {
        let users = ["bob".to_owned(), "carol".to_owned(), "bob".to_owned()];
        let results = h.msgs.batch_send(&users, &text("hi all")).await.unwrap();
        let who: Vec<_> = results.iter().map(|r| r.identifier.clone().unwrap()).collect();
        assert_eq!(who, vec!["bob", "carol"]);
        assert!(results.iter().all(|r| r.code == Some(0)));
        let page = h.msgs.get_message_list(&c2c("bob"), &history(10)).await.unwrap();
        assert_eq!(page.len(), 1);
        let unique: std::collections::BTreeSet<_> =
            results.iter().map(|r| r.msg.as_ref().unwrap().unique_id).collect();
        assert_eq!(unique.len(), 2, "each copy has its own unique id");
    }

    async fn test_item_12_find_returns_deleted_messages_with_status_4(h) {
        let conv = c2c("bob");
        let keep = h.peer_sends(&conv, "bob", text("keep this")).await;
        h.clock.advance(1);
        let gone = h.peer_sends(&conv, "bob", text("delete this")).await;
        let delete = MsgDeleteParam {
            msg: Some(gone.clone()),
            ..MsgDeleteParam::default()
        };
        h.msgs.delete_message(&conv, &delete).await.unwrap();
        let found = h.msgs.find_messages(&[gone.msg_id.clone().unwrap()]).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].status, Some(MsgStatus::Deleted));
        // Still out of history, search, unread and the last message.
        let page = h.msgs.get_message_list(&conv, &history(10)).await.unwrap();
        assert_eq!(ids(&page), id_list(&[&keep]));
        assert_eq!(h.msgs.search_local_messages(&search("delete")).unwrap().total_count, Some(0));
        assert_eq!(h.last_id(&conv), keep.msg_id);
        assert_eq!(h.unread(&conv), 1);
        // A revoke arriving later does not bring it back.
        h.msgs
            .handle_event(ServerEvent::Revoked {
                conv: conv.clone(),
                msg_id: gone.msg_id.clone().unwrap(),
                revoker: "bob".into(),
                reason: String::new(),
            })
            .unwrap();
        let found = h.msgs.find_messages(&[gone.msg_id.unwrap()]).unwrap();
        assert_eq!(found[0].status, Some(MsgStatus::Deleted));
    }

    async fn test_item_13_times_past_the_limit_are_refused_on_import(h) {
        let conv = c2c("bob");
        for time in [MAX_TIME_SECS + 1, 1_700_000_000_000_000, 1 << 63] {
            let mut m = text("from the future");
            m.server_time = Some(time);
            let err = h.msgs.import_messages(&conv, &[m]).unwrap_err();
            assert_eq!(err.code(), 6017, "{time}: {err}");
            assert!(err.message.contains("latest storable time"), "{err}");
        }
        let mut ok = text("at the limit");
        ok.server_time = Some(MAX_TIME_SECS);
        h.msgs.import_messages(&conv, &[ok]).unwrap();
        let draft = im_model::Draft {
            edit_time: Some(1 << 62),
            ..im_model::Draft::default()
        };
        assert_eq!(h.convs.set_draft(&conv, &draft).unwrap_err().code(), 6017);
    }

    async fn test_item_14_report_read_marks_covered_messages_read(h) {
        let conv = group("g");
        let m = h.peer_sends(&conv, "alice", text("read me")).await;
        let page = h.msgs.get_message_list(&conv, &history(10)).await.unwrap();
        assert_eq!(page[0].is_read, Some(false));
        h.msgs.report_read(&conv, None).await.unwrap();
        let page = h.msgs.get_message_list(&conv, &history(10)).await.unwrap();
        assert_eq!(page[0].is_read, Some(true));
        let found = h.msgs.find_messages(&[m.msg_id.unwrap()]).unwrap();
        assert_eq!(found[0].is_read, Some(true));
        let info = h.convs.conversation(&conv).unwrap().unwrap();
        assert_eq!(info.last_msg.unwrap().is_read, Some(true));
    }

    async fn test_restart_keeps_counts_and_rows_in_agreement(h) {
        let conv = group("g");
        for i in 0..3 {
            h.server.deliver_from_peer(&conv, "alice", text(&format!("m{i}")));
        }
        h.msgs.sync_events().await.unwrap();
        let h = h.restart();
        assert_eq!(h.unread(&conv), 3);
        assert_eq!(h.convs.total_unread().unwrap(), 3);
        // The event cursor resumed: nothing is applied twice.
        assert_eq!(h.msgs.sync_events().await.unwrap(), 0);
        assert_eq!(h.unread(&conv), 3);
    }
}

#[test]
fn test_dropping_the_services_closes_the_store() {
    // The conversation service refers to the message service's recount
    // weakly: with a strong reference the pair kept each other, and the
    // SQLite store with its open files, alive forever.
    let h = support::harness_on(support::Backend::Sqlite);
    let store = std::sync::Arc::downgrade(&h.store);
    let msgs = std::sync::Arc::downgrade(&h.msgs);
    drop(h);
    assert!(msgs.upgrade().is_none(), "message service leaked");
    assert!(store.upgrade().is_none(), "store leaked");
}

on_every_backend! {
    async fn test_revoking_one_mention_keeps_the_others(h) {
        let conv = group("g");
        let mut sent = Vec::new();
        for i in 0..2 {
            let m = mentioning_me(&format!("@me {i}"));
            sent.push(h.server.deliver_from_peer(&conv, "alice", m));
        }
        h.msgs.sync_events().await.unwrap();
        h.msgs
            .handle_event(ServerEvent::Revoked {
                conv: conv.clone(),
                msg_id: sent[0].msg_id.clone().unwrap(),
                revoker: "alice".into(),
                reason: String::new(),
            })
            .unwrap();
        assert_eq!(h.unread(&conv), 1);
        assert_eq!(h.mention_seqs(&conv), vec![sent[1].seq.unwrap()]);
    }
}

on_every_backend! {
    async fn test_item_13_roaming_messages_that_cannot_be_stored_are_skipped(h) {
        let conv = group("g");
        let mut no_id = text("no id");
        no_id.server_time = Some(1_700_000_000);
        no_id.seq = Some(1);
        let mut late = text("late");
        late.msg_id = Some("late".into());
        late.server_time = Some(MAX_TIME_SECS + 1);
        late.seq = Some(2);
        h.server.seed_roaming(&conv, vec![no_id, late]);
        let good = h.server.deliver_from_peer(&conv, "alice", text("good"));
        let param = MsgGetMsgListParam {
            is_ramble: Some(true),
            ..history(10)
        };
        let page = h.msgs.get_message_list(&conv, &param).await.unwrap();
        assert_eq!(ids(&page), id_list(&[&good]));
        assert_eq!(h.unread(&conv), 0, "roamed history is stored read");
    }
}

on_every_backend! {
    async fn test_deleting_the_50_newest_messages_leaves_the_51st_last(h) {
        let conv = c2c("bob");
        let mut sent = Vec::new();
        for i in 0..51 {
            h.clock.advance(1);
            sent.push(h.server.deliver_from_peer(&conv, "bob", text(&format!("m{i}"))));
        }
        h.msgs.sync_events().await.unwrap();
        h.msgs.delete_messages(&conv, &sent[1..]).await.unwrap();
        assert_eq!(h.last_id(&conv), sent[0].msg_id);
        assert_eq!(h.unread(&conv), 1);
    }
}

on_every_backend! {
    async fn test_a_cursor_too_old_resyncs_from_the_snapshot(h) {
        use im_transport::{ConvStateChange, ReadPosition, ReadReport, Transport};
        let team = group("team");
        for i in 0..2 {
            h.server.deliver_from_peer(&team, "carol", text(&format!("before {i}")));
        }
        h.msgs.sync_events().await.unwrap();
        h.events.take();
        // While this device is away: more messages, a new conversation
        // pinned on another device, a read on another device, and the
        // server drops the events.
        for i in 0..3 {
            h.server.deliver_from_peer(&team, "carol", text(&format!("away {i}")));
        }
        let dave = c2c("dave");
        let friend = h.server.deliver_from_peer(&dave, "dave", text("new friend"));
        h.server
            .update_conversations(ConvStateChange::Pin { conv: dave.clone(), pinned: true })
            .await
            .unwrap();
        h.server
            .report_read(ReadReport {
                items: vec![ReadPosition { conv: team.clone(), read_time: 0, read_seq: 3 }],
            })
            .await
            .unwrap();
        h.server.compact_events(100);

        assert_eq!(h.msgs.sync_events().await.unwrap(), 2, "two conversations from the snapshot");
        // History is not replayed as new messages: it comes on demand.
        assert!(h.new_message_ids().is_empty());
        let info = h.convs.conversation(&dave).unwrap().unwrap();
        assert_eq!((info.is_pinned, info.unread_num), (Some(true), Some(1)));
        assert_eq!(info.last_msg.and_then(|m| m.msg_id), friend.msg_id);
        let team_info = h.convs.conversation(&team).unwrap().unwrap();
        assert_eq!(team_info.group_read_sequence, Some(3));
        assert_eq!(team_info.unread_num, Some(2), "seqs 4 and 5 are past the read position");
        assert_eq!(team_info.last_msg.and_then(|m| m.seq), Some(5));
        // Counts and rows agree: seq 5 is stored and unread, seq 4 is
        // counted by the server and not stored here.
        let stored = h.store.conversation(&team).unwrap().unwrap();
        assert_eq!(stored.unstored_unread.map(|u| (u.count, u.until_seq)), Some((1, 5)));
        // A roaming page brings the history, each message once.
        let page = h
            .msgs
            .get_message_list(
                &team,
                &MsgGetMsgListParam { count: Some(20), is_ramble: Some(true), ..MsgGetMsgListParam::default() },
            )
            .await
            .unwrap();
        let seqs: Vec<u64> = page.iter().filter_map(|m| m.seq).collect();
        assert_eq!(seqs, vec![5, 4, 3, 2, 1]);
        assert_eq!(h.unread(&team), 2, "a roaming page does not change the count");
        // Caught up: nothing more, nothing twice.
        assert_eq!(h.msgs.sync_events().await.unwrap(), 0);
        h.server.deliver_from_peer(&team, "carol", text("live again"));
        assert_eq!(h.msgs.sync_events().await.unwrap(), 1);
        assert_eq!(h.unread(&team), 3);
        // Reading everything clears what the snapshot counted too.
        h.convs
            .clean_unread(&ConvSelector::One(team.clone()), 0, 0)
            .unwrap();
        assert_eq!(h.unread(&team), 0);
        assert_eq!(h.store.conversation(&team).unwrap().unwrap().unstored_unread, None);
    }
}

on_every_backend! {
    async fn test_a_page_of_new_messages_is_one_write_with_one_announcement_per_run(h) {
        let (team, bob) = (group("team"), c2c("bob"));
        for i in 0..5 {
            h.server.deliver_from_peer(&team, "carol", text(&format!("team {i}")));
        }
        for i in 0..2 {
            h.server.deliver_from_peer(&bob, "bob", text(&format!("bob {i}")));
        }
        // One that cannot be stored (no id) ends the second run.
        let mut bad = text("no id");
        bad.server_time = Some(1_700_000_000);
        h.server.push_event(ServerEvent::NewMessage { conv: bob.clone(), message: bad });
        assert_eq!(h.msgs.sync_events().await.unwrap(), 7);
        assert_eq!(h.announcement_sizes(), vec![5, 2], "one announcement per run");
        assert_eq!((h.unread(&team), h.unread(&bob)), (5, 2));
        // The whole page is one write: one event adds both conversations.
        assert_eq!(h.conversation_change_sizes(), vec![2], "one write for the page");
    }
}

on_every_backend! {
    async fn test_a_conversation_in_two_groups_deleted_by_another_device_leaves_both(h) {
        // Found by the two-device model test: each gone group was stripped
        // from a stale copy of the conversation, the last put kept the
        // other group, the store refused the batch and the sync loop
        // retried it forever.
        let bob = c2c("bob");
        h.peer_sends(&bob, "bob", text("hi")).await;
        for name in ["a", "c"] {
            h.convs
                .create_conversation_group(name, std::slice::from_ref(&bob))
                .unwrap();
        }
        h.server.push_event(ServerEvent::ConversationGroups { names: vec!["b".into()] });
        let after = h.server.deliver_from_peer(&bob, "bob", text("after"));
        assert_eq!(h.msgs.sync_events().await.unwrap(), 2);
        assert_eq!(h.convs.conversation_groups().unwrap(), vec!["b"]);
        let info = h.convs.conversation(&bob).unwrap().unwrap();
        assert_eq!(info.conversation_group_array, Some(vec![]));
        assert_eq!(h.last_id(&bob), after.msg_id);
    }
}

on_every_backend! {
    async fn test_a_cursor_the_server_does_not_know_resyncs(h) {
        // The client's saved cursor is past the server's stream (the server
        // lost its log): the server says so and the client resyncs instead
        // of waiting forever below its cursor.
        let bob = c2c("bob");
        for i in 0..3 {
            h.server.deliver_from_peer(&bob, "bob", text(&format!("m{i}")));
        }
        h.msgs.sync_events().await.unwrap();
        let fresh = std::sync::Arc::new(im_transport::testing::TestTransport::new(h.clock.clone()));
        let msgs = im_msg::MessageService::new(
            h.store.clone(),
            h.convs.clone(),
            fresh.clone(),
            h.clock.clone(),
            im_msg::MessageConfig::new(ME),
        )
        .unwrap();
        let mut after = text("after the reset");
        after.msg_id = Some("fresh-1".into());
        let new = fresh.deliver_from_peer(&bob, "bob", after);
        assert_eq!(msgs.sync_events().await.unwrap(), 1);
        assert_eq!(msgs.find_messages(&[new.msg_id.unwrap()]).unwrap().len(), 1);
        let mut live = text("and live");
        live.msg_id = Some("fresh-2".into());
        fresh.deliver_from_peer(&bob, "bob", live);
        assert_eq!(msgs.sync_events().await.unwrap(), 1);
    }
}

on_every_backend! {
    async fn test_a_revoke_in_the_same_page_as_its_message_applies_after_it(h) {
        // Events gathered into one write never read what an earlier one of
        // the same write changed: the revoke goes into the next write.
        let (team, bob) = (group("team"), c2c("bob"));
        let m = h.server.deliver_from_peer(&team, "carol", text("oops"));
        h.server.deliver_from_peer(&bob, "bob", text("hi"));
        h.server.push_event(ServerEvent::Revoked {
            conv: team.clone(),
            msg_id: m.msg_id.clone().unwrap(),
            revoker: "carol".into(),
            reason: String::new(),
        });
        h.server.push_event(ServerEvent::PeerRead { conv: bob.clone(), read_time: 1 });
        assert_eq!(h.msgs.sync_events().await.unwrap(), 4);
        let found = h.msgs.find_messages(&[m.msg_id.unwrap()]).unwrap();
        assert_eq!(found[0].status, Some(MsgStatus::Revoked));
        assert_eq!((h.unread(&team), h.unread(&bob)), (0, 1));
        assert_eq!(h.msgs.sync_events().await.unwrap(), 0);
    }
}

on_every_backend! {
    async fn test_a_roamed_state_keeps_existing_groups_and_later_mentions(h) {
        let team = group("team");
        for i in 1..=3 {
            let m = mentioning_me(&format!("@me {i}"));
            h.server.deliver_from_peer(&team, "carol", m);
        }
        h.msgs.sync_events().await.unwrap();
        h.convs.create_conversation_group("work", std::slice::from_ref(&team)).unwrap();
        h.msgs
            .handle_event(ServerEvent::ConversationState {
                conv: team.clone(),
                state: im_transport::ConvRoamingState {
                    groups: vec!["work".into(), "new".into()],
                    read_seq: 2,
                    ..im_transport::ConvRoamingState::default()
                },
            })
            .unwrap();
        let info = h.convs.conversation(&team).unwrap().unwrap();
        let mut groups = info.conversation_group_array.clone().unwrap();
        groups.sort();
        assert_eq!(groups, vec!["new", "work"]);
        assert_eq!((info.unread_num, info.group_read_sequence), (Some(1), Some(2)));
        assert_eq!(h.mention_seqs(&team), vec![3], "mentions past the roamed read position stay");
    }
}

on_every_backend! {
    async fn test_revokes_peer_reads_and_modifications_of_distinct_conversations_are_one_write(h) {
        let (a, b, c) = (c2c("a"), c2c("b"), group("c"));
        let from_a = h.server.deliver_from_peer(&a, "a", text("to revoke"));
        let from_c = h.server.deliver_from_peer(&c, "carol", text("to modify"));
        h.msgs.sync_events().await.unwrap();
        // Our own last message in b shows the peer's read.
        h.msgs.send_message(&b, &text("mine")).await.unwrap();
        h.conv_events.take();
        h.server.push_event(ServerEvent::Revoked {
            conv: a.clone(),
            msg_id: from_a.msg_id.clone().unwrap(),
            revoker: "a".into(),
            reason: String::new(),
        });
        h.server.push_event(ServerEvent::PeerRead { conv: b.clone(), read_time: 1_700_000_100 });
        let mut modified = from_c.clone();
        modified.elem_array = text("modified").elem_array;
        h.server.push_event(ServerEvent::Modified { conv: c.clone(), message: modified });
        assert_eq!(h.msgs.sync_events().await.unwrap(), 3);
        assert_eq!(h.conversation_change_sizes(), vec![3], "one write for the three events");
    }
}

on_every_backend! {
    async fn test_a_revoke_after_new_messages_of_its_conversation_sees_them(h) {
        // An event of a conversation the segment already wrote starts a new
        // write, even for another message: it must read the new count.
        let a = c2c("a");
        let old = h.peer_sends(&a, "a", text("old")).await;
        h.server.deliver_from_peer(&a, "a", text("new"));
        h.server.push_event(ServerEvent::Revoked {
            conv: a.clone(),
            msg_id: old.msg_id.clone().unwrap(),
            revoker: "a".into(),
            reason: String::new(),
        });
        assert_eq!(h.msgs.sync_events().await.unwrap(), 2);
        assert_eq!(h.unread(&a), 1, "the new message stays unread, the old one is revoked");
    }
}
