//! Messages written locally only: imports, saved messages and local custom data.

use im_model::message::Message;
use im_model::{ConvId, ImError, ImResult, MsgStatus};

use crate::conv_update::{forget_unread, set_last_if_newer};
use crate::service::MessageService;

impl MessageService {
    /// Imports messages into a conversation (`TIMMsgImportMsgList`): each
    /// is stored with status `LocalImported`, counts as no unread and
    /// raises no new-message event; the newest becomes the last message
    /// when newer than the current one. A message without an id gets one;
    /// importing an id again replaces that message (which then no longer
    /// counts as unread). All or nothing; a time past
    /// [`im_model::limits::MAX_TIME_SECS`] is refused (6017).
    ///
    /// # Errors
    /// 6016/6017 for a message without elements or with an id of another
    /// conversation (nothing is imported then).
    pub fn import_messages(&self, conv: &ConvId, messages: &[Message]) -> ImResult<Vec<Message>> {
        let mut prepared = Vec::with_capacity(messages.len());
        for (i, m) in messages.iter().enumerate() {
            if m.elems().is_empty() {
                return Err(ImError::new(
                    im_model::ErrorCode::InvalidMsgElem,
                    format!("message {i} has no elements"),
                ));
            }
            prepared.push(self.local_copy(conv, m, MsgStatus::LocalImported)?);
        }
        self.commit(|batch, _| {
            let mut c = self.conversation_or_new(conv)?;
            let mut replaced = std::collections::BTreeSet::new();
            for (m, original) in prepared.iter().zip(messages) {
                // A stored message replaced by its import stops counting
                // as unread (imports never count); once, however often the
                // list repeats it. Only an id the app gave can name a
                // stored message: one made just now names none, so it is
                // not looked up (a thousand lookups a call).
                if original.msg_id.is_some()
                    && let Some(stored) = self.stored(m)?
                    && replaced.insert(stored.msg_id.clone())
                {
                    forget_unread(&mut c, &stored);
                }
                set_last_if_newer(&mut c, m);
                batch.put_message(conv.clone(), m.clone());
            }
            batch.put(c);
            Ok(())
        })?;
        Ok(prepared)
    }

    /// Saves one app-built message into a conversation without sending it
    /// (`TIMMsgSaveMsg`); as an import of one message.
    ///
    /// # Errors
    /// As [`MessageService::import_messages`].
    pub fn save_message(&self, conv: &ConvId, message: &Message) -> ImResult<Message> {
        let mut saved = self.import_messages(conv, std::slice::from_ref(message))?;
        saved
            .pop()
            .ok_or_else(|| ImError::invalid_param("nothing was saved"))
    }

    /// Sets a stored message's local custom fields (`message_custom_int`,
    /// `message_custom_str`) from `message` (`TIMMsgSetLocalCustomData`);
    /// never sent to the server.
    ///
    /// # Errors
    /// 6017 when the message is not stored.
    pub fn set_local_custom_data(&self, message: &Message) -> ImResult<Message> {
        let msg_id = self.stored_copy(message)?.msg_id.unwrap_or_default();
        let msg_id = msg_id.as_str();
        let mut updated = None;
        self.commit(|batch, _| {
            let mut stored = self
                .store
                .message(msg_id)?
                .ok_or_else(|| ImError::invalid_param(format!("message {msg_id} is not stored")))?;
            stored.custom_int = message.custom_int;
            stored.custom_str.clone_from(&message.custom_str);
            let conv = stored_conv(&stored)?;
            if let Some(mut c) = self.store.conversation(&conv)?
                && c.last_message.as_ref().and_then(|m| m.msg_id.as_deref()) == Some(msg_id)
            {
                c.last_message = Some(stored.clone());
                batch.put(c);
            }
            batch.put_message(conv, stored.clone());
            updated = Some(stored);
            Ok(())
        })?;
        updated.ok_or_else(|| ImError::invalid_param("nothing was updated"))
    }

    /// The stored message with `message`'s id, if any.
    fn stored(&self, message: &Message) -> ImResult<Option<Message>> {
        match message.msg_id.as_deref() {
            Some(id) => Ok(self.store.message(id)?),
            None => Ok(None),
        }
    }

    /// A message prepared for local storage in `conv` with `status`.
    fn local_copy(&self, conv: &ConvId, message: &Message, status: MsgStatus) -> ImResult<Message> {
        let mut m = message.clone();
        if let Some(id) = &m.msg_id {
            if let Some(stored) = self.store.message(id)?
                && stored_conv(&stored)? != *conv
            {
                return Err(ImError::invalid_param(format!(
                    "message {id} belongs to another conversation"
                )));
            }
        } else {
            let time = m
                .client_time
                .or(m.server_time)
                .unwrap_or_else(|| self.now());
            let (id, rand) = self.ids.message_id(time);
            m.msg_id = Some(id);
            m.rand.get_or_insert(rand);
        }
        m.conv_id = Some(conv.peer().to_owned());
        m.conv_type = Some(conv.conv_type());
        let sender = m.sender.get_or_insert_with(|| self.config.user_id.clone());
        m.is_from_self = Some(*sender == self.config.user_id);
        m.client_time.get_or_insert_with(|| self.clock.now_secs());
        m.status = Some(status);
        Ok(m)
    }
}

/// The conversation a stored message belongs to.
pub(crate) fn stored_conv(message: &Message) -> ImResult<ConvId> {
    match (message.conv_type, message.conv_id.as_deref()) {
        (Some(t), Some(id)) => ConvId::new(t, id),
        _ => Err(ImError::invalid_param("stored message has no conversation")),
    }
}
