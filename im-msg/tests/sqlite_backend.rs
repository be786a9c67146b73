//! The conversation and message layers on the SQLite backend, across an
//! app restart: what one run wrote, the next run reads, and the server
//! event log resumes where it stopped.

use std::sync::Arc;

use im_conv::ConversationService;
use im_model::message::{Message, MessageSearchParam};
use im_model::{ConvId, ManualClock, MsgStatus};
use im_msg::{MessageConfig, MessageService};
use im_store_sqlite::SqliteStore;
use im_transport::testing::{Request, TestTransport};

struct App {
    convs: Arc<ConversationService>,
    msgs: Arc<MessageService>,
}

fn start(path: &std::path::Path, server: &Arc<TestTransport>, clock: &Arc<ManualClock>) -> App {
    let store = Arc::new(SqliteStore::open(path).unwrap());
    let convs = Arc::new(ConversationService::new(store.clone(), clock.clone()).unwrap());
    let msgs = Arc::new(
        MessageService::new(
            store,
            convs.clone(),
            server.clone(),
            clock.clone(),
            MessageConfig::new("me"),
        )
        .unwrap(),
    );
    App { convs, msgs }
}

#[tokio::test]
async fn test_messaging_on_sqlite_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let server = Arc::new(TestTransport::new(clock.clone()));
    let team = ConvId::group("team").unwrap();
    let bob = ConvId::c2c("bob").unwrap();

    let revoked_id;
    {
        let app = start(&path, &server, &clock);
        // The first sync starts from the (empty) snapshot; what arrives
        // after it comes as events.
        assert_eq!(app.msgs.sync_events().await.unwrap(), 0);
        server.deliver_from_peer(&team, "alice", Message::text("明天上午开会"));
        server.deliver_from_peer(&team, "alice", Message::text("Meeting notes attached"));
        server.deliver_from_peer(&bob, "bob", Message::text("你好"));
        assert_eq!(app.msgs.sync_events().await.unwrap(), 3);
        let sent = app
            .msgs
            .send_message(&bob, &Message::text("在的"))
            .await
            .unwrap();
        let oops = app
            .msgs
            .send_message(&team, &Message::text("oops"))
            .await
            .unwrap();
        app.msgs.revoke(&team, &oops).await.unwrap();
        revoked_id = oops.msg_id.unwrap();
        app.msgs.report_read(&bob, None).await.unwrap();
        app.convs.pin_conversation(&team, true).unwrap();
        assert_eq!(app.convs.total_unread().unwrap(), 2);
        assert_eq!(sent.status, Some(MsgStatus::SendSucc));
    }

    // A new run on the same file.
    let app = start(&path, &server, &clock);
    let list = app.convs.conversation_list().unwrap();
    let order: Vec<_> = list.iter().map(|c| c.conv_id.clone().unwrap()).collect();
    assert_eq!(order, ["team", "bob"], "pinned first");
    assert_eq!(app.convs.total_unread().unwrap(), 2);
    let stored = app
        .msgs
        .find_messages(std::slice::from_ref(&revoked_id))
        .unwrap();
    assert_eq!(stored[0].status, Some(MsgStatus::Revoked));

    // The event log resumes after what the first run applied: only the
    // roamed echo of the read report, which changes nothing, is left.
    assert_eq!(app.msgs.sync_events().await.unwrap(), 1);
    assert_eq!(app.convs.total_unread().unwrap(), 2);
    let Some(Request::PullEvents(pull)) = server.requests().last().cloned() else {
        panic!("no pull")
    };
    assert_eq!(pull.cursor, 3);

    // Local search through the SQLite indexes, with one-character Chinese.
    let result = app
        .msgs
        .search_local_messages(
            &serde_json::from_str::<MessageSearchParam>(
                r#"{"msg_search_param_keyword_array":["会"]}"#,
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(result.total_count, Some(1));
    let meeting = app
        .msgs
        .search_local_messages(
            &serde_json::from_str::<MessageSearchParam>(
                r#"{"msg_search_param_keyword_array":["MEETING"],"msg_search_param_conv_id":"group_team"}"#,
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(meeting.item_array.unwrap()[0].total_message_count, Some(1));
    let history = app
        .msgs
        .get_message_list(
            &team,
            &serde_json::from_str(r#"{"msg_getmsglist_param_count":10}"#).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
}
