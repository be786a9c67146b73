//! Receive options, downloads and local search.

mod support;

use im_model::message::{DownloadElemParam, MergeElem, Message, MessageSearchParam};
use im_model::{DownloadType, Elem, ReceiveMessageOpt};
use im_transport::testing::Call;
use support::{c2c, group, harness, text};

#[tokio::test]
async fn test_c2c_receive_option_limits_and_effect_on_totals() {
    let h = harness();
    let bob = c2c("bob");
    h.peer_sends(&bob, "bob", text("1")).await;
    h.peer_sends(&c2c("amy"), "amy", text("1")).await;
    assert_eq!(h.convs.total_unread().unwrap(), 2);
    h.msgs
        .set_c2c_receive_option(&["bob".into()], ReceiveMessageOpt::NotNotify)
        .await
        .unwrap();
    assert_eq!(
        h.convs.total_unread().unwrap(),
        1,
        "muted conversations leave the total"
    );
    assert_eq!(
        h.server.receive_option("bob"),
        Some(ReceiveMessageOpt::NotNotify)
    );
    let got = h
        .msgs
        .c2c_receive_options(&["bob".into(), "amy".into()])
        .await
        .unwrap();
    let opts: Vec<_> = got.iter().map(|r| r.opt).collect();
    assert_eq!(
        opts,
        [
            Some(ReceiveMessageOpt::NotNotify),
            Some(ReceiveMessageOpt::Receive)
        ]
    );

    let thirty_one: Vec<String> = (0..31).map(|i| format!("u{i}")).collect();
    let opt = ReceiveMessageOpt::Receive;
    assert_eq!(
        h.msgs
            .set_c2c_receive_option(&thirty_one, opt)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    assert_eq!(
        h.msgs
            .set_c2c_receive_option(&[], opt)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    assert_eq!(
        h.msgs
            .set_c2c_receive_option(&[String::new()], opt)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    h.clock.advance(1);
    for _ in 0..5 {
        h.msgs
            .set_c2c_receive_option(&["amy".into()], opt)
            .await
            .unwrap();
    }
    assert_eq!(
        h.msgs
            .set_c2c_receive_option(&["amy".into()], opt)
            .await
            .unwrap_err()
            .code(),
        7008
    );
    assert_eq!(
        h.msgs.c2c_receive_options(&[]).await.unwrap_err().code(),
        6017
    );
}

#[tokio::test]
async fn test_group_receive_option() {
    let h = harness();
    let g = group("team");
    h.peer_sends(&g, "a", text("1")).await;
    h.msgs
        .set_group_receive_option("team", ReceiveMessageOpt::NotReceive)
        .await
        .unwrap();
    assert_eq!(
        h.convs.conversation(&g).unwrap().unwrap().recv_opt,
        Some(ReceiveMessageOpt::NotReceive)
    );
    assert_eq!(h.convs.total_unread().unwrap(), 0);
    assert_eq!(
        h.msgs
            .set_group_receive_option("", ReceiveMessageOpt::Receive)
            .await
            .unwrap_err()
            .code(),
        6017
    );
}

#[tokio::test]
async fn test_download_to_path_with_progress() {
    let h = harness();
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    h.server.put_file("f1", bytes.clone());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    let path = path.to_str().unwrap();
    let param = DownloadElemParam {
        download_type: Some(DownloadType::File),
        id: Some("f1".into()),
        business_id: Some(1),
        url: Some("https://files.invalid/f1".into()),
        ..DownloadElemParam::default()
    };
    let ticks = std::sync::Mutex::new(Vec::new());
    h.msgs
        .download_elem_to_path(&param, path, &|p| {
            ticks
                .lock()
                .unwrap()
                .push((p.current_size.unwrap(), p.total_size.unwrap()));
        })
        .await
        .unwrap();
    assert_eq!(std::fs::read(path).unwrap(), bytes);
    let ticks = ticks.into_inner().unwrap();
    assert_eq!(ticks.last(), Some(&(10_000, 10_000)));
    assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0), "progress grows");

    let missing = DownloadElemParam {
        id: Some("nope".into()),
        ..param.clone()
    };
    let failed = dir.path().join("never.bin");
    assert!(
        h.msgs
            .download_elem_to_path(&missing, failed.to_str().unwrap(), &|_| {})
            .await
            .is_err()
    );
    assert!(!failed.exists(), "no partial file left behind");
    assert!(!dir.path().join("never.bin.part").exists());
    let no_id = DownloadElemParam::default();
    assert_eq!(
        h.msgs
            .download_elem_to_path(&no_id, path, &|_| {})
            .await
            .unwrap_err()
            .code(),
        6017
    );
    let bad_dir = dir.path().join("missing-dir").join("x.bin");
    assert_eq!(
        h.msgs
            .download_elem_to_path(&param, bad_dir.to_str().unwrap(), &|_| {})
            .await
            .unwrap_err()
            .code(),
        6022
    );
}

#[tokio::test]
async fn test_merged_messages_inline_stored_and_refused() {
    let h = harness();
    let inline = Message {
        elem_array: Some(vec![Elem::Merge(Box::new(MergeElem {
            title: Some("chat".into()),
            compatible_text: Some("upgrade".into()),
            message_array: Some(vec![text("a"), text("b")]),
            ..MergeElem::default()
        }))]),
        ..Message::default()
    };
    assert_eq!(
        h.msgs
            .download_merged_messages(&inline)
            .await
            .unwrap()
            .len(),
        2
    );
    h.server.put_merged("key-1", vec![text("x")]);
    let stored = Message {
        elem_array: Some(vec![Elem::Merge(Box::new(MergeElem {
            relay_json_key: Some("key-1".into()),
            ..MergeElem::default()
        }))]),
        ..Message::default()
    };
    assert_eq!(
        h.msgs.download_merged_messages(&stored).await.unwrap(),
        vec![text("x")]
    );
    let deep = Message {
        elem_array: Some(vec![Elem::Merge(Box::new(MergeElem {
            layer_over_limit: Some(true),
            ..MergeElem::default()
        }))]),
        ..Message::default()
    };
    assert_eq!(
        h.msgs
            .download_merged_messages(&deep)
            .await
            .unwrap_err()
            .code(),
        8005
    );
    assert_eq!(
        h.msgs
            .download_merged_messages(&text("plain"))
            .await
            .unwrap_err()
            .code(),
        6017
    );
    h.server.fail_next(
        Call::Merged,
        im_model::ImError::new(im_model::ErrorCode::FileTransDownloadFailed, "gone"),
    );
    assert_eq!(
        h.msgs
            .download_merged_messages(&stored)
            .await
            .unwrap_err()
            .code(),
        6009
    );
}

fn search(json: &str) -> MessageSearchParam {
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn test_search_one_conversation_pages_and_ranges() {
    let h = harness();
    let conv = group("家庭");
    for t in [
        "明天开会",
        "你好 ＷＯＲＬＤ",
        "会议纪要",
        "hello world",
        "开会了吗",
        "无关",
    ] {
        h.peer_sends(&conv, "mom", text(t)).await;
        h.clock.advance(1);
    }
    h.peer_sends(&c2c("x"), "x", text("开会")).await;
    // The conversation in both id forms.
    for conv_json in [
        r#""msg_search_param_conv_id":"group_家庭""#,
        r#""msg_search_param_conv_id":"家庭","msg_search_param_conv_type":2"#,
    ] {
        let r = h
            .msgs
            .search_local_messages(&search(&format!(
                r#"{{"msg_search_param_keyword_array":["会"],{conv_json},"msg_search_param_page_size":2}}"#
            )))
            .unwrap();
        assert_eq!(r.total_count, Some(3));
        let item = &r.item_array.as_ref().unwrap()[0];
        assert_eq!(item.total_message_count, Some(3));
        let page: Vec<_> = item
            .message_array
            .as_ref()
            .unwrap()
            .iter()
            .map(|m| m.seq.unwrap())
            .collect();
        assert_eq!(page, [5, 3], "newest first");
    }
    let second = h
        .msgs
        .search_local_messages(&search(
            r#"{"msg_search_param_keyword_array":["会"],"msg_search_param_conv_id":"group_家庭","msg_search_param_page_size":2,"msg_search_param_page_index":1}"#,
        ))
        .unwrap();
    let item = &second.item_array.unwrap()[0];
    assert_eq!(item.message_array.as_ref().unwrap()[0].seq, Some(1));
    // Highlight ranges point into the original (full-width) text.
    let r = h
        .msgs
        .search_local_messages(&search(
            r#"{"msg_search_param_keyword_array":["world"],"msg_search_param_conv_id":"group_家庭"}"#,
        ))
        .unwrap();
    let item = &r.item_array.unwrap()[0];
    assert_eq!(item.total_message_count, Some(2));
    let ranges = item.match_range_array.as_ref().unwrap();
    let full_width = &ranges[1][0];
    assert_eq!(
        (full_width.utf16_start, full_width.utf16_end),
        (Some(3), Some(8))
    );
    assert_eq!((full_width.start, full_width.end), (Some(7), Some(22)));
}

#[tokio::test]
async fn test_search_all_conversations_groups_results() {
    let h = harness();
    h.peer_sends(&c2c("a"), "a", text("report one")).await;
    h.peer_sends(&c2c("a"), "a", text("REPORT two")).await;
    h.clock.advance(5);
    h.peer_sends(&c2c("b"), "b", text("the report")).await;
    let r = h
        .msgs
        .search_local_messages(&search(r#"{"msg_search_param_keyword_array":["Report"]}"#))
        .unwrap();
    assert_eq!(r.total_count, Some(2), "counts conversations");
    let items = r.item_array.unwrap();
    assert_eq!(items[0].conv_id.as_deref(), Some("b"), "newest match first");
    assert_eq!(
        items[0].message_array.as_ref().unwrap().len(),
        1,
        "one match: the message"
    );
    assert_eq!(items[1].total_message_count, Some(2));
    assert!(
        items[1].message_array.as_ref().unwrap().is_empty(),
        "several matches: none listed"
    );
    let and = h
        .msgs
        .search_local_messages(&search(
            r#"{"msg_search_param_keyword_array":["report","two"],"msg_search_param_keyword_list_match_type":1}"#,
        ))
        .unwrap();
    assert_eq!(and.total_count, Some(1));
    let by_sender = h
        .msgs
        .search_local_messages(&search(
            r#"{"msg_search_param_send_identifier_array":["b"]}"#,
        ))
        .unwrap();
    assert_eq!(by_sender.total_count, Some(1));
}

#[tokio::test]
async fn test_search_parameter_errors() {
    let h = harness();
    for bad in [
        r#"{"msg_search_param_keyword_array":["1","2","3","4","5","6"]}"#,
        r#"{"msg_search_param_keyword_array":[""]}"#,
        r#"{}"#,
        r#"{"msg_search_param_send_identifier_array":["1","2","3","4","5","6"]}"#,
        r#"{"msg_search_param_keyword_array":["x"],"msg_search_param_conv_id":"nope"}"#,
    ] {
        assert_eq!(
            h.msgs
                .search_local_messages(&search(bad))
                .unwrap_err()
                .code(),
            6017,
            "{bad}"
        );
    }
}
