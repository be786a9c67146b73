//! Messages: every function of the message layer, async, with sends
//! going through the send queue.

use im_model::message::{
    AllReceiveMessageOptInfo, C2CReceiveMessageOptResult, Message, MessageReceipt,
    MessageSearchParam, MessageSearchResult, MsgBatchSendResult, MsgDeleteParam,
    MsgGetMsgListParam, MsgLocator,
};
use std::future::Future;

use im_model::{ConvId, ConvType, ImResult, ReceiveMessageOpt};

use crate::Client;

/// The message functions of a logged-in [`Client`] (spec 1.4, 1.5).
#[derive(Debug, Clone)]
pub struct MessageManager {
    pub(crate) client: Client,
}

impl MessageManager {
    /// Accepts a message for sending (the first half of `TIMMsgSendMessage`):
    /// validated, stored as `Sending` with its new `message_msg_id`, and
    /// handed to the send queue, which sends it exactly once eventually
    /// (across restarts, crashes and lost connections). Returns at once
    /// with the message's id, as the C API's `message_id_buffer` needs.
    ///
    /// # Errors
    /// 6016, 6017, 8001 and the file codes from validation (nothing is
    /// stored then); -1 when not logged in.
    pub async fn queue_message(&self, conv: &ConvId, message: &Message) -> ImResult<Message> {
        let (queued, _outcome) = self.client.queue_send(conv, message).await?;
        Ok(queued)
    }

    /// Accepts a message for sending, like [`MessageManager::queue_message`],
    /// and also returns the outcome to await: what the C API's
    /// `TIMMsgSendMessage` needs (the id at once, the result later).
    /// Dropping the outcome does not stop the send.
    ///
    /// # Errors
    /// As [`MessageManager::queue_message`]; the outcome fails as
    /// [`MessageManager::send_message`] does.
    pub async fn start_send(
        &self,
        conv: &ConvId,
        message: &Message,
    ) -> ImResult<(Message, impl Future<Output = ImResult<Message>> + use<>)> {
        self.client.queue_send(conv, message).await
    }

    /// Sends a message (`TIMMsgSendMessage`) and waits for the outcome: the
    /// message as sent, or the permanent failure. While the server cannot
    /// be reached the message waits in the send queue (status `Sending`)
    /// and is retried with backoff; dropping this future does not stop it.
    ///
    /// # Errors
    /// As [`MessageManager::queue_message`]; the server's error (status
    /// `SendFail`); 8021 when cancelled.
    pub async fn send_message(&self, conv: &ConvId, message: &Message) -> ImResult<Message> {
        let (_queued, outcome) = self.client.queue_send(conv, message).await?;
        outcome.await
    }

    /// Deletes one message (`TIMMsgDelete`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::delete_message`]; -1 when not logged in.
    pub async fn delete_message(&self, conv: &ConvId, param: &MsgDeleteParam) -> ImResult<()> {
        let conv = conv.clone();
        let param = param.clone();
        self.client
            .call(move |s| async move { s.msgs.delete_message(&conv, &param).await })
            .await
    }

    /// Deletes messages locally and from roaming storage (`TIMMsgListDelete`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::delete_messages`]; -1 when not logged in.
    pub async fn delete_messages(&self, conv: &ConvId, messages: &[Message]) -> ImResult<()> {
        let conv = conv.clone();
        let messages = messages.to_vec();
        self.client
            .call(move |s| async move { s.msgs.delete_messages(&conv, &messages).await })
            .await
    }

    /// Clears a conversation's history (`TIMMsgClearHistoryMessage`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::clear_history`]; -1 when not logged in.
    pub async fn clear_history(&self, conv: &ConvId) -> ImResult<()> {
        let conv = conv.clone();
        self.client
            .call(move |s| async move { s.msgs.clear_history(&conv).await })
            .await
    }

    /// Downloads merged messages (`TIMMsgDownloadMergerMessage`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::download_merged_messages`]; -1 when not logged in.
    pub async fn download_merged_messages(&self, message: &Message) -> ImResult<Vec<Message>> {
        let message = message.clone();
        self.client
            .call(move |s| async move { s.msgs.download_merged_messages(&message).await })
            .await
    }

    /// Stored messages by id, deleted and revoked ones included (`TIMMsgFindMessages`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::find_messages`]; -1 when not logged in.
    pub async fn find_messages(&self, msg_ids: &[String]) -> ImResult<Vec<Message>> {
        let msg_ids = msg_ids.to_vec();
        self.client
            .call(move |s| async move { s.msgs.find_messages(&msg_ids) })
            .await
    }

    /// Stored messages by locator (`TIMMsgFindByMsgLocatorList`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::find_by_locators`]; -1 when not logged in.
    pub async fn find_by_locators(
        &self,
        conv: &ConvId,
        locators: &[MsgLocator],
    ) -> ImResult<Vec<Message>> {
        let conv = conv.clone();
        let locators = locators.to_vec();
        self.client
            .call(move |s| async move { s.msgs.find_by_locators(&conv, &locators) })
            .await
    }

    /// A history page (`TIMMsgGetMsgList`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::get_message_list`]; -1 when not logged in.
    pub async fn get_message_list(
        &self,
        conv: &ConvId,
        param: &MsgGetMsgListParam,
    ) -> ImResult<Vec<Message>> {
        let conv = conv.clone();
        let param = param.clone();
        self.client
            .call(move |s| async move { s.msgs.get_message_list(&conv, &param).await })
            .await
    }

    /// Imports messages (`TIMMsgImportMsgList`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::import_messages`]; -1 when not logged in.
    pub async fn import_messages(
        &self,
        conv: &ConvId,
        messages: &[Message],
    ) -> ImResult<Vec<Message>> {
        let conv = conv.clone();
        let messages = messages.to_vec();
        self.client
            .call(move |s| async move { s.msgs.import_messages(&conv, &messages) })
            .await
    }

    /// Saves a message locally (`TIMMsgSaveMsg`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::save_message`]; -1 when not logged in.
    pub async fn save_message(&self, conv: &ConvId, message: &Message) -> ImResult<Message> {
        let conv = conv.clone();
        let message = message.clone();
        self.client
            .call(move |s| async move { s.msgs.save_message(&conv, &message) })
            .await
    }

    /// Sets a message's local custom data (`TIMMsgSetLocalCustomData`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::set_local_custom_data`]; -1 when not logged in.
    pub async fn set_local_custom_data(&self, message: &Message) -> ImResult<Message> {
        let message = message.clone();
        self.client
            .call(move |s| async move { s.msgs.set_local_custom_data(&message) })
            .await
    }

    /// Modifies a sent message (`TIMMsgModifyMessage`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::modify_message`]; -1 when not logged in.
    pub async fn modify_message(&self, message: &Message) -> ImResult<Message> {
        let message = message.clone();
        self.client
            .call(move |s| async move { s.msgs.modify_message(&message).await })
            .await
    }

    /// Reports a conversation read (`TIMMsgReportReaded`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::report_read`]; -1 when not logged in.
    pub async fn report_read(&self, conv: &ConvId, anchor: Option<&Message>) -> ImResult<()> {
        let conv = conv.clone();
        let anchor = anchor.cloned();
        self.client
            .call(move |s| async move { s.msgs.report_read(&conv, anchor.as_ref()).await })
            .await
    }

    /// Reports every conversation of a type read, or all (`TIMMsgMarkAllMessageAsRead`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::report_all_read`]; -1 when not logged in.
    pub async fn report_all_read(&self, conv_type: Option<ConvType>) -> ImResult<()> {
        self.client
            .call(move |s| async move { s.msgs.report_all_read(conv_type).await })
            .await
    }

    /// Sends read receipts (`TIMMsgSendMessageReadReceipts`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::send_read_receipts`]; -1 when not logged in.
    pub async fn send_read_receipts(&self, messages: &[Message]) -> ImResult<()> {
        let messages = messages.to_vec();
        self.client
            .call(move |s| async move { s.msgs.send_read_receipts(&messages).await })
            .await
    }

    /// Read receipts of messages (`TIMMsgGetMessageReadReceipts`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::message_read_receipts`]; -1 when not logged in.
    pub async fn message_read_receipts(
        &self,
        messages: &[Message],
    ) -> ImResult<Vec<MessageReceipt>> {
        let messages = messages.to_vec();
        self.client
            .call(move |s| async move { s.msgs.message_read_receipts(&messages).await })
            .await
    }

    /// Sets the account-wide receive option for a daily window (`TIMMsgSetAllReceiveMessageOpt`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::set_all_receive_option`]; -1 when not logged in.
    pub async fn set_all_receive_option(
        &self,
        opt: ReceiveMessageOpt,
        hour: u32,
        minute: u32,
        second: u32,
        duration: u64,
    ) -> ImResult<()> {
        self.client
            .call(move |s| async move {
                s.msgs
                    .set_all_receive_option(opt, hour, minute, second, duration)
                    .await
            })
            .await
    }

    /// Sets the account-wide receive option from a time (`TIMMsgSetAllReceiveMessageOpt2`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::set_all_receive_option_from`]; -1 when not logged in.
    pub async fn set_all_receive_option_from(
        &self,
        opt: ReceiveMessageOpt,
        start_time_stamp: u64,
        duration: u64,
    ) -> ImResult<()> {
        self.client
            .call(move |s| async move {
                s.msgs
                    .set_all_receive_option_from(opt, start_time_stamp, duration)
                    .await
            })
            .await
    }

    /// The account-wide receive option (`TIMMsgGetAllReceiveMessageOpt`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::all_receive_option`]; -1 when not logged in.
    pub async fn all_receive_option(&self) -> ImResult<AllReceiveMessageOptInfo> {
        self.client
            .call(move |s| async move { s.msgs.all_receive_option().await })
            .await
    }

    /// Sets C2C receive options (`TIMMsgSetC2CReceiveMessageOpt`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::set_c2c_receive_option`]; -1 when not logged in.
    pub async fn set_c2c_receive_option(
        &self,
        users: &[String],
        opt: ReceiveMessageOpt,
    ) -> ImResult<()> {
        let users = users.to_vec();
        self.client
            .call_roaming(move |s| async move {
                let echo = s.msgs.set_c2c_receive_option(&users, opt).await?;
                Ok((Some(echo), ()))
            })
            .await
    }

    /// Sets a group's receive option (`TIMMsgSetGroupReceiveMessageOpt`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::set_group_receive_option`]; -1 when not logged in.
    pub async fn set_group_receive_option(
        &self,
        group: &str,
        opt: ReceiveMessageOpt,
    ) -> ImResult<()> {
        let group = group.to_owned();
        self.client
            .call_roaming(move |s| async move {
                let echo = s.msgs.set_group_receive_option(&group, opt).await?;
                Ok((Some(echo), ()))
            })
            .await
    }

    /// C2C receive options (`TIMMsgGetC2CReceiveMessageOpt`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::c2c_receive_options`]; -1 when not logged in.
    pub async fn c2c_receive_options(
        &self,
        users: &[String],
    ) -> ImResult<Vec<C2CReceiveMessageOptResult>> {
        let users = users.to_vec();
        self.client
            .call(move |s| async move { s.msgs.c2c_receive_options(&users).await })
            .await
    }

    /// Revokes a message (`TIMMsgRevoke`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::revoke`]; -1 when not logged in.
    pub async fn revoke(&self, conv: &ConvId, message: &Message) -> ImResult<()> {
        let conv = conv.clone();
        let message = message.clone();
        self.client
            .call(move |s| async move { s.msgs.revoke(&conv, &message).await })
            .await
    }

    /// Searches stored messages (`TIMMsgSearchLocalMessages`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::search_local_messages`]; -1 when not logged in.
    pub async fn search_local_messages(
        &self,
        param: &MessageSearchParam,
    ) -> ImResult<MessageSearchResult> {
        let param = param.clone();
        self.client
            .call(move |s| async move { s.msgs.search_local_messages(&param) })
            .await
    }

    /// Cancels a send in flight (`TIMMsgCancelSend`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::cancel_send`]; -1 when not logged in.
    pub async fn cancel_send(&self, conv: &ConvId, msg_id: &str) -> ImResult<()> {
        let conv = conv.clone();
        let msg_id = msg_id.to_owned();
        self.client
            .call(move |s| async move { s.msgs.cancel_send(&conv, &msg_id) })
            .await
    }

    /// Sends one message to several users (`TIMMsgBatchSend`).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::batch_send`]; -1 when not logged in.
    pub async fn batch_send(
        &self,
        users: &[String],
        message: &Message,
    ) -> ImResult<Vec<MsgBatchSendResult>> {
        let users = users.to_vec();
        let message = message.clone();
        self.client
            .call(move |s| async move { s.msgs.batch_send(&users, &message).await })
            .await
    }

    /// Downloads an element's file to `path` (`TIMMsgDownloadElemToPath`),
    /// reporting progress to `progress` (called on the download's thread).
    ///
    /// # Errors
    /// As [`im_msg::MessageService::download_elem_to_path`]; -1 when not logged in.
    pub async fn download_elem_to_path(
        &self,
        param: &im_model::message::DownloadElemParam,
        path: &str,
        progress: impl Fn(&im_model::message::DownloadElemResult) + Send + Sync + 'static,
    ) -> ImResult<()> {
        let param = param.clone();
        let path = path.to_owned();
        self.client
            .call(move |s| async move {
                s.msgs
                    .download_elem_to_path(&param, &path, &progress)
                    .await
            })
            .await
    }
}
