//! Sending messages with files: checks when queued, uploads when sent.

mod support;

use im_model::message::{FileElem, ImageElem, Message, VideoElem};
use im_model::{Elem, ErrorCode, ImError, MsgStatus};
use im_msg::MsgEvent;
use im_transport::testing::{Call, Request};
use support::{c2c, harness};

fn with(elems: Vec<Elem>) -> Message {
    Message {
        elem_array: Some(elems),
        ..Message::default()
    }
}

fn file_elem(path: &str) -> Elem {
    Elem::File(FileElem {
        file_path: Some(path.to_owned()),
        ..FileElem::default()
    })
}

#[tokio::test]
async fn test_files_are_uploaded_before_sending_and_ids_stored() {
    let h = harness();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("报告.pdf");
    std::fs::write(&report, vec![7u8; 5000]).unwrap();
    let photo = dir.path().join("photo.jpg");
    std::fs::write(&photo, vec![1u8; 100]).unwrap();
    let clip = dir.path().join("clip.mp4");
    std::fs::write(&clip, vec![2u8; 300]).unwrap();
    let message = with(vec![
        file_elem(report.to_str().unwrap()),
        Elem::Image(ImageElem {
            orig_path: Some(photo.to_str().unwrap().into()),
            ..ImageElem::default()
        }),
        Elem::Video(VideoElem {
            video_path: Some(clip.to_str().unwrap().into()),
            image_path: Some(photo.to_str().unwrap().into()),
            ..VideoElem::default()
        }),
    ]);
    let sent = h.msgs.send_message(&c2c("bob"), &message).await.unwrap();
    let uploads = h
        .server
        .requests()
        .iter()
        .filter(|r| matches!(r, Request::Upload(_)))
        .count();
    assert_eq!(uploads, 4);
    let Elem::File(file) = &sent.elems()[0] else {
        panic!()
    };
    assert_eq!(
        file.file_name.as_deref(),
        Some("报告.pdf"),
        "default name is the path's"
    );
    assert_eq!(file.file_size, Some(5000));
    assert!(file.file_id.is_some() && file.url.is_some());
    let Elem::Video(video) = &sent.elems()[2] else {
        panic!()
    };
    assert!(video.video_id.is_some() && video.image_id.is_some());
    assert_eq!(
        h.store.message(sent.msg_id.as_deref().unwrap()).unwrap(),
        Some(sent.clone())
    );
    let progress: Vec<_> = h
        .events
        .take()
        .into_iter()
        .filter_map(|e| match e {
            MsgEvent::UploadProgress {
                elem_index,
                current,
                total,
                ..
            } => Some((elem_index, current, total)),
            _ => None,
        })
        .collect();
    assert!(progress.contains(&(0, 5000, 5000)));
    assert!(progress.contains(&(0, 2500, 5000)));
    // The sent message is uploaded already: a forward does not upload again.
    let before = h.server.requests().len();
    let mut forward = sent.clone();
    forward.msg_id = None;
    h.msgs.send_message(&c2c("carol"), &forward).await.unwrap();
    assert!(
        !h.server.requests()[before..]
            .iter()
            .any(|r| matches!(r, Request::Upload(_)))
    );
}

#[tokio::test]
async fn test_missing_empty_and_failed_files() {
    let h = harness();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.bin");
    let err = h
        .msgs
        .queue_message(
            &c2c("bob"),
            &with(vec![file_elem(missing.to_str().unwrap())]),
        )
        .unwrap_err();
    assert_eq!(err.code(), 7004);
    let empty = dir.path().join("empty.bin");
    std::fs::write(&empty, b"").unwrap();
    let err = h
        .msgs
        .queue_message(&c2c("bob"), &with(vec![file_elem(empty.to_str().unwrap())]))
        .unwrap_err();
    assert_eq!(err.code(), 7006);
    assert!(
        h.convs.conversation(&c2c("bob")).unwrap().is_none(),
        "nothing stored"
    );

    let fine = dir.path().join("fine.bin");
    std::fs::write(&fine, b"data").unwrap();
    h.server.fail_next(
        Call::Upload,
        ImError::new(ErrorCode::FileTransUploadFailed, "storage down"),
    );
    let err = h
        .msgs
        .send_message(&c2c("bob"), &with(vec![file_elem(fine.to_str().unwrap())]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), 6008);
    let failed = h
        .store
        .history(&im_store::HistoryQuery::latest(c2c("bob"), 1))
        .unwrap();
    assert_eq!(failed[0].status, Some(MsgStatus::SendFail));
    assert!(
        !h.server
            .requests()
            .iter()
            .any(|r| matches!(r, Request::Send(_))),
        "not sent without its file"
    );
    // A retry uploads and sends.
    let sent = h.msgs.send_message(&c2c("bob"), &failed[0]).await.unwrap();
    assert_eq!(sent.status, Some(MsgStatus::SendSucc));
}
