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
//!
//! # The send queue
//!
//! A stored message whose status is `Sending` is in the send queue
//! ([`MessageService::pending_sends`]): accepted, not yet known to be sent.
//! [`MessageService::deliver_once`] makes one attempt and leaves the
//! message queued after a transient failure ([`im_model::ErrorCode::is_transient`]:
//! no network, an interrupted upload, a rate limit), so the caller can
//! retry it later ([`RetryPolicy`]) or after a restart; other failures end
//! it as `SendFail` with their code. Statuses only move forward.

/// How one delivery attempt ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum Delivery {
    /// Sent: status `SendSucc`, with the server's sequence, time and unique id.
    Sent(Box<Message>),
    /// Not sent for now (a transient error); the message stays `Sending`,
    /// in the send queue.
    Retry(ImError),
    /// Ended without success: status `SendFail` (with this error's code) or
    /// `Cancel` (8021).
    Failed(ImError),
}

/// When to retry a send after a transient failure: exponential backoff
/// with full jitter (a delay drawn uniformly from zero to the capped
/// exponential bound), so many clients coming back online do not retry in
/// step. Runtime-free: the caller supplies the random draw and sleeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Bound of the first retry's delay.
    pub base: std::time::Duration,
    /// Largest bound, however many attempts failed.
    pub cap: std::time::Duration,
}

impl Default for RetryPolicy {
    /// Half a second, doubling, capped at one minute.
    fn default() -> Self {
        RetryPolicy {
            base: std::time::Duration::from_millis(500),
            cap: std::time::Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `attempt` (0 for the first), given a
    /// uniform random `draw` in `[0, 1)`.
    pub fn delay(&self, attempt: u32, draw: f64) -> std::time::Duration {
        let bound = self
            .base
            .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
            .min(self.cap);
        // A draw outside [0, 1] (or NaN) never makes a delay past the bound.
        let draw = if draw.is_finite() {
            draw.clamp(0.0, 1.0)
        } else {
            0.0
        };
        bound.mul_f64(draw)
    }
}

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
        if let Some(id) = &message.msg_id
            && let Some(stored) = self.store.message(id)?
        {
            return self.requeue(conv, stored);
        }
        let now = self.now();
        let (msg_id, rand) = self.ids.message_id(now);
        let mut outgoing = message.clone();
        check_files(&*self.transport, &mut outgoing)?;
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
    /// One attempt: a transient failure ends the send too (status
    /// `SendFail`); a send queue that retries uses
    /// [`MessageService::deliver_once`] instead.
    ///
    /// # Errors
    /// The transport's error (the message is then `SendFail`), or 8021 when
    /// the send was cancelled (status `Cancel`).
    pub async fn deliver(&self, conv: &ConvId, message: Message) -> ImResult<Message> {
        let msg_id = message.msg_id.clone().unwrap_or_default();
        let online = message.is_online_msg == Some(true);
        match self.deliver_once(conv, message).await? {
            Delivery::Sent(sent) => Ok(*sent),
            Delivery::Failed(error) => Err(error),
            Delivery::Retry(error) => {
                match self.end_send(conv, &msg_id, MsgStatus::SendFail, online)? {
                    Some(sent) => Ok(sent),
                    None => Err(error),
                }
            }
        }
    }

    /// One delivery attempt of a queued message. The message id is the
    /// server's idempotency key, so an attempt after a lost answer or a
    /// crash cannot duplicate it. Statuses only move forward: if the
    /// server's echo already made the message `SendSucc` while this attempt
    /// failed, it is reported sent.
    ///
    /// # Errors
    /// Only a storage failure; how the send went is the [`Delivery`].
    #[tracing::instrument(level = "debug", skip_all, fields(conv = %conv, msg_id = message.msg_id.as_deref().unwrap_or_default()))]
    pub async fn deliver_once(&self, conv: &ConvId, mut message: Message) -> ImResult<Delivery> {
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
        let (status, error) = match outcome {
            Ok((uploaded, ack)) => {
                message = uploaded;
                apply_ack(&mut message, ack);
                if !online {
                    self.store_outgoing_update(conv, &message)?;
                }
                return Ok(Delivery::Sent(Box::new(message)));
            }
            // A stored message stays `Sending` through a transient failure:
            // it is still in the send queue.
            Err(Some(error)) if error.code.is_transient() && !online => {
                if let Some(sent) = self.already_sent(&msg_id)? {
                    return Ok(Delivery::Sent(Box::new(sent)));
                }
                tracing::info!(code = error.code(), %error, "send will be retried");
                return Ok(Delivery::Retry(error));
            }
            Err(Some(error)) => (MsgStatus::SendFail, error),
            Err(None) => (
                MsgStatus::Cancel,
                ImError::new(
                    ErrorCode::SendMessageFailedWithCancel,
                    format!("sending {msg_id} was cancelled"),
                ),
            ),
        };
        if let Some(sent) = self.end_send(conv, &msg_id, status, online)? {
            return Ok(Delivery::Sent(Box::new(sent)));
        }
        tracing::warn!(code = error.code(), %error, "send ended without success");
        Ok(Delivery::Failed(error))
    }

    /// The stored message, if the server's echo already made it `SendSucc`.
    fn already_sent(&self, msg_id: &str) -> ImResult<Option<Message>> {
        Ok(self
            .store
            .message(msg_id)?
            .filter(|m| m.status == Some(MsgStatus::SendSucc)))
    }

    /// Ends a send with `status` (`SendFail` or `Cancel`), keeping what an
    /// upload stored before (server ids). Returns the message instead when
    /// it is already sent: a status never moves back from `SendSucc`.
    fn end_send(
        &self,
        conv: &ConvId,
        msg_id: &str,
        status: MsgStatus,
        online: bool,
    ) -> ImResult<Option<Message>> {
        if online {
            return Ok(None);
        }
        let Some(mut stored) = self.store.message(msg_id)? else {
            return Ok(None);
        };
        if stored.status == Some(MsgStatus::SendSucc) {
            return Ok(Some(stored));
        }
        stored.status = Some(status);
        self.store_outgoing_update(conv, &stored)?;
        Ok(None)
    }

    /// The send queue: stored messages still `Sending` (accepted, not yet
    /// known to be sent), oldest first, at most `limit`. After a restart or
    /// a crash, each is delivered again with
    /// [`MessageService::deliver_once`]; the server's idempotency by
    /// message id makes that exactly once.
    ///
    /// # Errors
    /// A storage failure.
    pub fn pending_sends(&self, limit: usize) -> ImResult<Vec<(ConvId, Message)>> {
        Ok(self.store.sending_messages(limit)?)
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
        check_files(&*self.transport, &mut template)?;
        let template = self.upload_pending(template).await?;
        let mut copies = Vec::with_capacity(convs.len());
        for conv in &convs {
            let mut fresh = template.clone();
            fresh.msg_id = None;
            copies.push(self.queue_message(conv, &fresh)?);
        }
        let outcomes = self
            .transport
            .batch_send(BatchSendRequest::of_copies(users.clone(), &copies))
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
