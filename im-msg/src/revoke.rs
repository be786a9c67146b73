//! Revoking our own messages.

use im_model::message::Message;
use im_model::{ConvId, ErrorCode, ImError, ImResult, MsgStatus};
use im_transport::RevokeRequest;

use crate::service::MessageService;

impl MessageService {
    /// Revokes a message we sent (`TIMMsgRevoke`), within the revoke window
    /// (2 minutes by default). The message must be the one the SDK gave
    /// out (send result, receive callback, find); it becomes `Revoked`
    /// locally, peers' copies follow through the server's revoke event, and
    /// the conversation's last message shows the revoke.
    ///
    /// # Errors
    /// 6017 when the message is not stored, not ours, online-only, or not
    /// sent successfully; 20016 when the window has passed; the transport's
    /// error (nothing changed locally then).
    #[tracing::instrument(level = "debug", skip_all, fields(conv = %conv))]
    pub async fn revoke(&self, conv: &ConvId, message: &Message) -> ImResult<()> {
        let stored = self.stored_copy(message)?;
        let msg_id = stored.msg_id.as_deref().unwrap_or_default();
        if stored.conv_id.as_deref() != Some(conv.peer())
            || stored.conv_type != Some(conv.conv_type())
        {
            return Err(ImError::invalid_param(format!(
                "message {msg_id} is not in {conv}"
            )));
        }
        if stored.is_from_self != Some(true) {
            return Err(ImError::invalid_param(
                "only messages sent by this user can be revoked",
            ));
        }
        if stored.is_online_msg == Some(true) {
            return Err(ImError::invalid_param(
                "online-only messages cannot be revoked",
            ));
        }
        if stored.status != Some(MsgStatus::SendSucc) {
            return Err(ImError::invalid_param(format!(
                "message {msg_id} was not sent successfully (status {:?})",
                stored.status
            )));
        }
        let age = self.now().saturating_sub(stored.timestamp());
        if age > self.config.revoke_window_secs {
            return Err(ImError::new(
                ErrorCode::MsgRevokeTimeLimit,
                format!(
                    "message {msg_id} was sent {age} s ago; it can be revoked for {} s",
                    self.config.revoke_window_secs
                ),
            ));
        }
        self.transport
            .revoke_message(RevokeRequest {
                conv: conv.clone(),
                msg_id: msg_id.to_owned(),
                seq: stored.seq.unwrap_or(0),
                reason: String::new(),
            })
            .await?;
        self.apply_revoke(conv, msg_id, &self.config.user_id, "", None)
    }
}
