//! Embedding the SDK: build a client, log in, send, read events, shut down.
//! Runs against the in-process reference server (`TestTransport`); a real
//! app passes the HTTP transport instead.

use std::sync::Arc;

use futures::StreamExt;
use im_model::{ConvId, Message, SystemClock};
use im_transport::testing::TestTransport;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), im_model::ImError> {
    let server = Arc::new(TestTransport::new(Arc::new(SystemClock)));
    // A fresh directory per run: the in-process server starts empty each
    // time too.
    let dir = std::env::temp_dir().join(format!("im-sdk-example-{}", std::process::id()));
    let client = im_sdk::Client::builder()
        .sdk_app_id(1_400_000_000)
        .data_dir(&dir)
        .transport(server.clone())
        .build()?;
    let mut events = Box::pin(client.events());
    client.login("alice", "user-sig").await?;

    let bob = ConvId::c2c("bob")?;
    let sent = client
        .messages()
        .send_message(&bob, &Message::text("hi bob"))
        .await?;
    println!("sent {:?} with seq {:?}", sent.msg_id, sent.seq);
    server.deliver_from_peer(&bob, "bob", Message::text("hi alice"));
    while let Some(event) = events.next().await {
        match event {
            im_sdk::SdkEvent::Message(im_msg::MsgEvent::NewMessages(list)) => {
                println!(
                    "{} new message(s), the first from {:?}",
                    list.len(),
                    list[0].sender
                );
                break;
            }
            im_sdk::SdkEvent::Network(status) => println!("network: {status:?}"),
            _ => {}
        }
    }
    println!("unread: {}", client.conversations().total_unread().await?);
    client.shutdown().await;
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        eprintln!("could not remove {}: {e}", dir.display());
    }
    Ok(())
}
