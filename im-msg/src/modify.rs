//! Modifying sent messages (`TIMMsgModifyMessage`).

use im_model::message::Message;
use im_model::{ConvId, ErrorCode, ImError, ImResult, MsgStatus};
use im_transport::SendRequest;

use crate::conv_update::set_last_if_newer;
use crate::events::MsgEvent;
use crate::local::stored_conv;
use crate::service::MessageService;
use crate::validate::check_sendable;

impl MessageService {
    /// Replaces the content (elements and `message_cloud_custom_str`) of a
    /// message we sent. Everyone, this user included, is told through
    /// [`MsgEvent::Updated`]. When another modify won, the message is
    /// updated to the winner and 8006 is returned.
    ///
    /// # Errors
    /// 6017 when the message is not stored, not ours or not sent; 6016 or
    /// 8001 for new content that could not be sent; 8006 on a conflict;
    /// the transport's error (nothing changed then).
    pub async fn modify_message(&self, message: &Message) -> ImResult<Message> {
        let stored = self.stored_copy(message)?;
        let msg_id = stored.msg_id.clone().unwrap_or_default();
        if stored.is_from_self != Some(true) || stored.status != Some(MsgStatus::SendSucc) {
            return Err(ImError::invalid_param(
                "only messages this user sent successfully can be modified",
            ));
        }
        check_sendable(message)?;
        let conv = stored_conv(&stored)?;
        let mut request = stored.clone();
        request.elem_array.clone_from(&message.elem_array);
        request
            .cloud_custom_str
            .clone_from(&message.cloud_custom_str);
        let outcome = self
            .transport
            .modify_message(SendRequest {
                conv: conv.clone(),
                message: request,
            })
            .await?;
        let latest = self
            .apply_modified(
                &conv,
                &outcome.message,
                true,
                &mut crate::service::Sink::Now(None),
            )?
            .ok_or_else(|| ImError::invalid_param(format!("message {msg_id} is not stored")))?;
        if outcome.conflict {
            return Err(ImError::new(
                ErrorCode::MsgModifyConflict,
                format!(
                    "message {msg_id} was modified concurrently; it now holds the other change"
                ),
            ));
        }
        Ok(latest)
    }

    /// Takes the server's version of a modified message: its content and
    /// version, keeping local fields; announces it. Returns the stored
    /// result, or `None` for a message this device does not hold.
    pub(crate) fn apply_modified(
        &self,
        conv: &ConvId,
        message: &Message,
        announce_unchanged: bool,
        sink: &mut crate::service::Sink<'_>,
    ) -> ImResult<Option<Message>> {
        let msg_id = message.msg_id.clone().unwrap_or_default();
        let mut result = None;
        self.write_to(sink, |batch, events| {
            let Some(mut stored) = self.store.message(&msg_id)? else {
                return Ok(());
            };
            let changed = stored.elem_array != message.elem_array
                || stored.cloud_custom_str != message.cloud_custom_str
                || stored.version != message.version;
            stored.elem_array.clone_from(&message.elem_array);
            stored
                .cloud_custom_str
                .clone_from(&message.cloud_custom_str);
            stored.version = message.version;
            if changed {
                let mut c = self.conversation_or_new(conv)?;
                set_last_if_newer(&mut c, &stored);
                batch.put(c);
                batch.put_message(conv.clone(), stored.clone());
            }
            if changed || announce_unchanged {
                events.push(MsgEvent::Updated(vec![stored.clone()]));
            }
            result = Some(stored);
            Ok(())
        })?;
        Ok(result)
    }
}
