//! Sending messages.
//!
//! # Design
//!
//! A send has two halves, so that the C API can hand the message id back
//! synchronously (`message_id_buffer`) and report the outcome later:
//!
//! 1. [`MessageService::queue_message`] validates, gives the message its
//!    id, sender, client time and status `Sending`, and stores it with its
//!    conversation's last message and activity in one atomic write. From
//!    this point the message is visible in history and survives a crash.
//! 2. [`MessageService::deliver`] sends it. The message id is the server's
//!    idempotency key, so delivering again after a lost answer cannot
//!    duplicate it. On success the server's sequence, time and unique id
//!    are written with status `SendSucc`; on failure the status becomes
//!    `SendFail` and the message stays retryable (deliver it again, or
//!    send the same message JSON again); a cancel (while the request is in
//!    flight) ends it with status `Cancel` and error 8021.
//!
//! Online-only messages (`message_is_online_msg`) are never stored: they
//! are sent and returned, nothing else.

use futures::channel::oneshot;
use futures::future::{Either, select};
use im_model::message::{Message, MsgBatchSendResult};
use im_model::{ConvId, ConvType, ErrorCode, ImError, ImResult, MsgPriority, MsgStatus};
use im_transport::{BatchSendRequest, SendAck, SendRequest};

use crate::conv_update::{set_last_if_newer, take_new_message};
use crate::service::MessageService;
use crate::upload::check_files;
use crate::validate::check_sendable;

/// Removes a send from the in-flight table when the delivery ends, however
/// it ends (including when its future is dropped).
struct InFlight<'a> {
    service: &'a MessageService,
    msg_id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.service.lock_in_flight().remove(&self.msg_id);
    }
}

impl MessageService {
    /// Validates and stores a message to send (status `Sending`), returning
    /// it with its new `message_msg_id`. Sending the JSON of a message that
    /// failed (`SendFail`) or was cancelled reuses its id: that is a retry.
    ///
    /// # Errors
    /// 6016, 6017 or 8001 from validation (see the crate docs); nothing is
    /// stored then.
    #[tracing::instrument(level = "debug", skip_all, fields(conv = %conv))]
    pub fn queue_message(&self, conv: &ConvId, message: &Message) -> ImResult<Message> {
        check_sendable(message)?;
        if let Some(id) = &message.msg_id {
            if let Some(stored) = self.store.message(id)? {
                return self.requeue(conv, stored);
            }
        }
        let now = self.now();
        let (msg_id, rand) = self.ids.message_id(now);
        let mut outgoing = message.clone();
        check_files(&mut outgoing)?;
        outgoing.msg_id = Some(msg_id);
        outgoing.rand = Some(rand);
        outgoing.conv_id = Some(conv.peer().to_owned());
        outgoing.conv_type = Some(conv.conv_type());
        outgoing.sender = Some(self.config.user_id.clone());
        outgoing.is_from_self = Some(true);
        outgoing.is_read = Some(true);
        outgoing.client_time = Some(now);
        outgoing.server_time = None;
        outgoing.seq = None;
        outgoing.unique_id = None;
        outgoing.priority.get_or_insert(MsgPriority::Normal);
        outgoing.status = Some(MsgStatus::Sending);
        if outgoing.is_online_msg != Some(true) {
            self.store_outgoing(conv, &outgoing)?;
        }
        Ok(outgoing)
    }

    /// A retry of a stored message: only a failed or cancelled one may be
    /// sent again, and only into its own conversation.
    fn requeue(&self, conv: &ConvId, mut stored: Message) -> ImResult<Message> {
        let same_conv = stored.conv_id.as_deref() == Some(conv.peer())
            && stored.conv_type == Some(conv.conv_type());
        if !same_conv {
            return Err(ImError::invalid_param(
                "message_msg_id belongs to a message of another conversation",
            ));
        }
        if !matches!(stored.status, Some(MsgStatus::SendFail | MsgStatus::Cancel)) {
            return Err(ImError::invalid_param(format!(
                "message {} was already sent or is being sent",
                stored.msg_id.as_deref().unwrap_or_default()
            )));
        }
        stored.status = Some(MsgStatus::Sending);
        self.store_outgoing(conv, &stored)?;
        Ok(stored)
    }

    /// Stores an outgoing message with its conversation in one write.
    fn store_outgoing(&self, conv: &ConvId, message: &Message) -> ImResult<()> {
        self.commit(|batch, _| {
            let mut c = self.conversation_or_new(conv)?;
            take_new_message(&mut c, message, &self.config.user_id);
            batch.put(c);
            batch.put_message(conv.clone(), message.clone());
            Ok(())
        })?;
        Ok(())
    }

    /// Sends a message queued by [`MessageService::queue_message`] and
    /// returns it as sent (status `SendSucc`, with server sequence and time).
    ///
    /// # Errors
    /// The transport's error (the message is then `SendFail`), or 8021 when
    /// the send was cancelled (status `Cancel`).
    #[tracing::instrument(level = "debug", skip_all, fields(conv = %conv, msg_id = message.msg_id.as_deref().unwrap_or_default()))]
    pub async fn deliver(&self, conv: &ConvId, mut message: Message) -> ImResult<Message> {
        let msg_id = message.msg_id.clone().unwrap_or_default();
        let (cancel_tx, cancel_rx) = oneshot::channel();
        self.lock_in_flight().insert(msg_id.clone(), cancel_tx);
        let _in_flight = InFlight {
            service: self,
            msg_id: msg_id.clone(),
        };
        let attempt = async {
            let uploaded = self.upload_files(conv, message.clone()).await?;
            let ack = self
                .transport
                .send_message(SendRequest {
                    conv: conv.clone(),
                    message: uploaded.clone(),
                })
                .await?;
            Ok::<_, ImError>((uploaded, ack))
        };
        let outcome = match select(std::pin::pin!(attempt), cancel_rx).await {
            Either::Left((result, _)) => result.map_err(Some),
            Either::Right(_) => Err(None),
        };
        let online = message.is_online_msg == Some(true);
        match outcome {
            Ok((uploaded, ack)) => {
                message = uploaded;
                apply_ack(&mut message, ack);
                if !online {
                    self.store_outgoing_update(conv, &message)?;
                }
                Ok(message)
            }
            Err(failure) => {
                let (status, error) = match failure {
                    Some(error) => (MsgStatus::SendFail, error),
                    None => (
                        MsgStatus::Cancel,
                        ImError::new(
                            ErrorCode::SendMessageFailedWithCancel,
                            format!("sending {msg_id} was cancelled"),
                        ),
                    ),
                };
                // Keep what an upload stored before the failure (server ids).
                if let Some(stored) = self.store.message(&msg_id)? {
                    message = stored;
                }
                message.status = Some(status);
                if !online {
                    self.store_outgoing_update(conv, &message)?;
                }
                tracing::warn!(code = error.code(), %error, "send ended without success");
                Err(error)
            }
        }
    }

    /// Queues and delivers a message (`TIMMsgSendMessage`).
    ///
    /// # Errors
    /// As [`MessageService::queue_message`] and [`MessageService::deliver`].
    pub async fn send_message(&self, conv: &ConvId, message: &Message) -> ImResult<Message> {
        let queued = self.queue_message(conv, message)?;
        self.deliver(conv, queued).await
    }

    /// Rewrites a stored outgoing message after its delivery ended.
    fn store_outgoing_update(&self, conv: &ConvId, message: &Message) -> ImResult<()> {
        self.commit(|batch, _| {
            let mut c = self.conversation_or_new(conv)?;
            set_last_if_newer(&mut c, message);
            batch.put(c);
            batch.put_message(conv.clone(), message.clone());
            Ok(())
        })?;
        Ok(())
    }

    /// Cancels a send in flight (`TIMMsgCancelSend`); the send then fails
    /// with 8021 and status `Cancel`.
    ///
    /// # Errors
    /// 8020 when no send of that message is in flight.
    pub fn cancel_send(&self, conv: &ConvId, msg_id: &str) -> ImResult<()> {
        let belongs = self.store.message(msg_id)?.is_none_or(|m| {
            m.conv_id.as_deref() == Some(conv.peer()) && m.conv_type == Some(conv.conv_type())
        });
        let sender = if belongs {
            self.lock_in_flight().remove(msg_id)
        } else {
            None
        };
        match sender.map(|tx| tx.send(())) {
            Some(Ok(())) => Ok(()),
            _ => Err(ImError::new(
                ErrorCode::InvalidCancelMessage,
                format!("no send of message {msg_id} is in flight in {conv}"),
            )),
        }
    }

    /// Sends one message to several users (`TIMMsgBatchSend`), one result
    /// per distinct user (a repeated id is sent to once); each copy is
    /// stored in that user's conversation.
    ///
    /// # Errors
    /// As [`MessageService::queue_message`] for the message; 6017 for an
    /// empty or invalid user list. Per-user failures are in the results.
    pub async fn batch_send(
        &self,
        users: &[String],
        message: &Message,
    ) -> ImResult<Vec<MsgBatchSendResult>> {
        if users.is_empty() {
            return Err(ImError::invalid_param(
                "msg_batch_send_param_identifier_array is empty",
            ));
        }
        // A user named twice gets one copy (and one result): two copies
        // would share one message id on the server.
        let mut seen = std::collections::BTreeSet::new();
        let users: Vec<String> = users
            .iter()
            .filter(|u| seen.insert(u.as_str()))
            .cloned()
            .collect();
        let convs = users
            .iter()
            .map(|u| ConvId::new(ConvType::C2C, u.as_str()))
            .collect::<ImResult<Vec<_>>>()?;
        check_sendable(message)?;
        // Files are uploaded once and shared by every copy.
        let mut template = message.clone();
        check_files(&mut template)?;
        let template = self.upload_pending(template).await?;
        let mut copies = Vec::with_capacity(convs.len());
        for conv in &convs {
            let mut fresh = template.clone();
            fresh.msg_id = None;
            copies.push(self.queue_message(conv, &fresh)?);
        }
        let outcomes = self
            .transport
            .batch_send(BatchSendRequest {
                users: users.clone(),
                messages: copies.clone(),
            })
            .await;
        let mut results = Vec::with_capacity(copies.len());
        for ((conv, user), mut copy) in convs.iter().zip(&users).zip(copies) {
            let outcome = match &outcomes {
                Ok(list) => list
                    .iter()
                    .find(|o| &o.user == user)
                    .map(|o| o.result.clone())
                    .unwrap_or_else(|| {
                        Err(ImError::new(
                            ErrorCode::InvalidParameters,
                            "the server returned no result for this user",
                        ))
                    }),
                Err(e) => Err(e.clone()),
            };
            let (code, desc) = match &outcome {
                Ok(ack) => {
                    apply_ack(&mut copy, *ack);
                    (0, String::new())
                }
                Err(e) => {
                    copy.status = Some(MsgStatus::SendFail);
                    (e.code(), e.message.clone())
                }
            };
            if copy.is_online_msg != Some(true) {
                self.store_outgoing_update(conv, &copy)?;
            }
            results.push(MsgBatchSendResult {
                identifier: Some(user.clone()),
                code: Some(code),
                desc: Some(desc),
                msg: Some(copy),
                ..MsgBatchSendResult::default()
            });
        }
        Ok(results)
    }
}

/// Writes the server's answer into a sent message.
fn apply_ack(message: &mut Message, ack: SendAck) {
    message.seq = Some(ack.seq);
    message.server_time = Some(ack.server_time);
    message.unique_id = Some(ack.unique_id);
    message.status = Some(MsgStatus::SendSucc);
}
