//! The send queue task: every accepted message is sent exactly once
//! eventually.
//!
//! One task per session takes jobs in order (so a conversation's messages
//! are sent in the order they were accepted). Each job is delivered with
//! `MessageService::deliver_once`; a transient failure (no network) waits
//! a backoff with full jitter and tries again, as long as the session
//! lives; a permanent failure ends the message as `SendFail`. The message
//! id is the server's idempotency key, so a retry after a lost answer, or
//! the resume at the next login of a message left `Sending` by a crash,
//! never duplicates it. A job whose caller dropped its future is still
//! sent.

use std::sync::Arc;

use im_model::message::Message;
use im_model::{ConvId, ErrorCode, ImError, ImResult, MsgStatus};
use im_msg::Delivery;
use tokio::sync::{mpsc, oneshot};

use crate::client::Session;
use crate::events::NetworkStatus;

/// A message to deliver, and who waits for the outcome.
pub(crate) struct SendJob {
    pub(crate) conv: ConvId,
    pub(crate) message: Message,
    pub(crate) reply: Option<oneshot::Sender<ImResult<Message>>>,
}

/// Runs the queue until the session is cancelled.
pub(crate) async fn run(session: Arc<Session>, mut jobs: mpsc::UnboundedReceiver<SendJob>) {
    loop {
        let job = tokio::select! {
            job = jobs.recv() => job,
            () = session.cancel.cancelled() => None,
        };
        let Some(job) = job else {
            return;
        };
        let Some(outcome) = deliver(&session, &job.conv, job.message).await else {
            // Cancelled while waiting to retry: the message stays `Sending`
            // and is resumed at the next login.
            return;
        };
        if let Some(reply) = job.reply {
            // The caller may have stopped waiting; the message is sent anyway.
            let _ = reply.send(outcome);
        }
    }
}

/// Delivers one message, retrying transient failures; `None` when the
/// session ended first.
async fn deliver(session: &Session, conv: &ConvId, message: Message) -> Option<ImResult<Message>> {
    let mut attempt: u32 = 0;
    loop {
        let (conv_id, original) = (conv.clone(), message.clone());
        let delivery = session
            .engine
            .run(session.services.clone(), move |s| async move {
                // The stored copy is the truth: an echo may have completed
                // it, or a cancel ended it, while this job waited.
                let id = original.msg_id.clone().unwrap_or_default();
                match s.msgs.find_messages(std::slice::from_ref(&id))?.pop() {
                    Some(m) if m.status == Some(MsgStatus::Sending) => {
                        s.msgs.deliver_once(&conv_id, m).await
                    }
                    Some(m) if m.status == Some(MsgStatus::SendSucc) => {
                        Ok(Delivery::Sent(Box::new(m)))
                    }
                    Some(m) => Ok(Delivery::Failed(ended(&m))),
                    // Online-only messages are not stored.
                    None => s.msgs.deliver_once(&conv_id, original).await,
                }
            })
            .await;
        match delivery {
            Ok(Delivery::Sent(sent)) => {
                session.set_network(NetworkStatus::Connected);
                return Some(Ok(*sent));
            }
            Ok(Delivery::Retry(error)) => {
                session.set_network(NetworkStatus::Disconnected);
                let delay = session.config.retry.delay(attempt, fastrand::f64());
                attempt = attempt.saturating_add(1);
                tracing::info!(code = error.code(), ?delay, attempt, "send waits to retry");
                tokio::select! {
                    () = crate::runtime::sleep(delay) => {}
                    () = session.cancel.cancelled() => return None,
                }
            }
            Ok(Delivery::Failed(error)) => return Some(Err(error)),
            Ok(other) => {
                tracing::error!(?other, "unknown delivery outcome");
                return Some(Err(ImError::new(
                    ErrorCode::IoOperationFailed,
                    "unknown delivery outcome",
                )));
            }
            // Storage failed, or the session is closing.
            Err(error) => return Some(Err(error)),
        }
    }
}

/// The error of a message whose send ended elsewhere while it was queued.
fn ended(message: &Message) -> ImError {
    match message.status {
        Some(MsgStatus::Cancel) => ImError::new(
            ErrorCode::SendMessageFailedWithCancel,
            "the send was cancelled",
        ),
        status => ImError::invalid_param(format!(
            "the message is no longer waiting to be sent (status {status:?})"
        )),
    }
}
