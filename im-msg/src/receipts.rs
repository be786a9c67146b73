//! Message-level read receipts and the account-wide receive option.

use im_model::message::{AllReceiveMessageOptInfo, Message, MessageReceipt};
use im_model::{ConvId, ConvType, ImError, ImResult, ReceiveMessageOpt};
use im_transport::ReceiptRequest;

use crate::events::MsgEvent;
use crate::local::stored_conv;
use crate::service::MessageService;

/// Seconds in a day: a longer do-not-disturb duration is permanent.
const DAY_SECS: u64 = 86_400;

impl MessageService {
    /// Acknowledges peers' messages as read (`TIMMsgSendMessageReadReceipts`);
    /// the senders are told. Does not change unread counts.
    ///
    /// # Errors
    /// 6017 for an empty list, a message not stored, or one of ours;
    /// the transport's error.
    pub async fn send_read_receipts(&self, messages: &[Message]) -> ImResult<()> {
        let by_conv = self.group_stored(messages, false)?;
        for (conv, msg_ids) in by_conv {
            self.transport
                .send_receipts(ReceiptRequest { conv, msg_ids })
                .await?;
        }
        Ok(())
    }

    /// Read receipts of messages we sent, all in one conversation
    /// (`TIMMsgGetMessageReadReceipts`).
    ///
    /// # Errors
    /// 6017 for an empty list, messages of several conversations, a
    /// message not stored or not ours; the transport's error.
    pub async fn message_read_receipts(
        &self,
        messages: &[Message],
    ) -> ImResult<Vec<MessageReceipt>> {
        let mut by_conv = self.group_stored(messages, true)?;
        if by_conv.len() != 1 {
            return Err(ImError::invalid_param(
                "the messages must belong to one conversation",
            ));
        }
        let (conv, msg_ids) = by_conv.remove(0);
        self.transport
            .message_receipts(ReceiptRequest { conv, msg_ids })
            .await
    }

    /// Stores receipts for messages we sent and announces them.
    pub(crate) fn apply_receipts(
        &self,
        receipts: Vec<MessageReceipt>,
        cursor: Option<u64>,
    ) -> ImResult<()> {
        self.commit_at(cursor, |batch, events| {
            for r in &receipts {
                let Some(mut m) = self
                    .store
                    .message(r.msg_id.as_deref().unwrap_or_default())?
                else {
                    continue;
                };
                let conv = stored_conv(&m)?;
                if conv.conv_type() == ConvType::C2C {
                    m.receipt_peer_read = r.is_peer_read;
                } else {
                    m.group_receipt_read_count = r.read_count;
                    m.group_receipt_unread_count = r.unread_count;
                }
                batch.put_message(conv, m);
            }
            events.push(MsgEvent::ReadReceipts(receipts.clone()));
            Ok(())
        })?;
        Ok(())
    }

    /// Stored messages' ids grouped by conversation, in first-seen order;
    /// each must be ours (`ours`) or a peer's.
    fn group_stored(
        &self,
        messages: &[Message],
        ours: bool,
    ) -> ImResult<Vec<(ConvId, Vec<String>)>> {
        if messages.is_empty() {
            return Err(ImError::invalid_param("the message list is empty"));
        }
        let mut groups: Vec<(ConvId, Vec<String>)> = Vec::new();
        for m in messages {
            let id = m.msg_id.as_deref().unwrap_or_default();
            let stored = self
                .store
                .message(id)?
                .ok_or_else(|| ImError::invalid_param(format!("message {id:?} is not stored")))?;
            if (stored.is_from_self == Some(true)) != ours {
                return Err(ImError::invalid_param(format!(
                    "message {id} is {} this user's",
                    if ours { "not" } else { "" }
                )));
            }
            let conv = stored_conv(&stored)?;
            match groups.iter_mut().find(|(c, _)| *c == conv) {
                Some((_, ids)) => ids.push(id.to_owned()),
                None => groups.push((conv, vec![id.to_owned()])),
            }
        }
        Ok(groups)
    }

    /// Sets the account-wide do-not-disturb window by time of day
    /// (`TIMMsgSetAllReceiveMessageOpt`): from `hour:minute:second` every
    /// day for `duration` seconds; a duration of a day or more is permanent.
    ///
    /// # Errors
    /// 6017 for an option other than Receive, Not_Notify or
    /// Not_Notify_Except_At, or a time of day out of range; the transport's error.
    pub async fn set_all_receive_option(
        &self,
        opt: ReceiveMessageOpt,
        hour: u32,
        minute: u32,
        second: u32,
        duration: u64,
    ) -> ImResult<()> {
        if hour > 23 || minute > 59 || second > 59 {
            return Err(ImError::invalid_param(format!(
                "start time {hour}:{minute}:{second} is not a time of day"
            )));
        }
        self.store_all_receive_option(AllReceiveMessageOptInfo {
            start_hour: Some(hour),
            start_minute: Some(minute),
            start_second: Some(second),
            start_time_stamp: Some(0),
            duration: Some(duration),
            level: Some(opt),
            ..AllReceiveMessageOptInfo::default()
        })
        .await
    }

    /// Sets the account-wide do-not-disturb window from a UTC time
    /// (`TIMMsgSetAllReceiveMessageOpt2`).
    ///
    /// # Errors
    /// As [`MessageService::set_all_receive_option`].
    pub async fn set_all_receive_option_from(
        &self,
        opt: ReceiveMessageOpt,
        start_time_stamp: u64,
        duration: u64,
    ) -> ImResult<()> {
        self.store_all_receive_option(AllReceiveMessageOptInfo {
            start_time_stamp: Some(start_time_stamp),
            duration: Some(duration),
            level: Some(opt),
            ..AllReceiveMessageOptInfo::default()
        })
        .await
    }

    /// The account-wide receive option (`TIMMsgGetAllReceiveMessageOpt`).
    ///
    /// # Errors
    /// The transport's error.
    pub async fn all_receive_option(&self) -> ImResult<AllReceiveMessageOptInfo> {
        self.transport.all_receive_option().await
    }

    async fn store_all_receive_option(&self, info: AllReceiveMessageOptInfo) -> ImResult<()> {
        let allowed = matches!(
            info.level,
            Some(
                ReceiveMessageOpt::Receive
                    | ReceiveMessageOpt::NotNotify
                    | ReceiveMessageOpt::NotNotifyExceptAt
            )
        );
        if !allowed {
            return Err(ImError::invalid_param(
                "the account-wide option must be Receive, Not_Notify or Not_Notify_Except_At",
            ));
        }
        tracing::debug!(
            permanent = info.duration.unwrap_or(0) >= DAY_SECS,
            "setting the account-wide receive option"
        );
        self.transport.set_all_receive_option(info).await
    }
}
