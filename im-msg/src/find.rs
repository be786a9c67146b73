//! Finding stored messages by id and by locator.

use im_model::message::{Message, MsgLocator};
use im_model::{ConvId, ImResult};

use crate::service::MessageService;

impl MessageService {
    /// The stored messages among `msg_ids`, in the order asked, whatever
    /// their status (revoked included) (`TIMMsgFindMessages`).
    ///
    /// # Errors
    /// A storage failure.
    pub fn find_messages(&self, msg_ids: &[String]) -> ImResult<Vec<Message>> {
        let found = self.store.messages(msg_ids)?;
        let mut out = Vec::with_capacity(found.len());
        for m in found {
            let conv = match (m.conv_type, m.conv_id.as_deref()) {
                (Some(t), Some(id)) => ConvId::new(t, id).ok(),
                _ => None,
            };
            match conv {
                Some(conv) => out.extend(self.as_shown(&conv, vec![m])?),
                None => out.push(m),
            }
        }
        Ok(out)
    }

    /// The stored messages of `conv` that the locators name, one per
    /// locator found, in locator order (`TIMMsgFindByMsgLocatorList`).
    ///
    /// # Errors
    /// A storage failure.
    pub fn find_by_locators(
        &self,
        conv: &ConvId,
        locators: &[MsgLocator],
    ) -> ImResult<Vec<Message>> {
        let mut found = Vec::new();
        for locator in locators {
            if let Some(m) = self.store.find_by_locator(conv, locator)?
                && !found.iter().any(|f: &Message| f.msg_id == m.msg_id)
            {
                found.push(m);
            }
        }
        self.as_shown(conv, found)
    }
}
