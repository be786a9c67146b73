//! Group information on the device: a cache of the groups' information
//! (one setting per group, `group.<id>`), and the names it gives group
//! conversations (`conv_show_name` is the group's name, `conv_face_url` its
//! face), like `profiles` does for C2C peers.
//!
//! The cache is filled by lookups (`group_infos`, and the lookup after a
//! sync of groups whose conversations appeared without known information)
//! and kept current by the `kTIMGroupTip_GroupInfoChange` tips every member
//! receives: a tip renames its conversation in the same write that stores
//! it, so the conversation update is announced once.

use im_model::enums::{GroupTipGroupChangeFlag, GroupTipType};
use im_model::group::{
    GetGroupInfoResult, GroupDetailInfo, MAX_GROUPS_PER_LOOKUP, apply_tip_changes,
};
use im_model::message::Message;
use im_model::{ConvId, ConvType, Elem, ImError, ImResult};
use im_store::{Conversation, WriteBatch};

use crate::cache;

use crate::service::MessageService;

/// The settings key of a cached group's information.
fn group_key(group_id: &str) -> String {
    format!("group.{group_id}")
}

/// Gives a group conversation its group's name and face; returns whether
/// anything changed.
pub(crate) fn name_group_conversation(conv: &mut Conversation, info: &GroupDetailInfo) -> bool {
    let name = info.group_name.clone().unwrap_or_default();
    let face = info.face_url.clone().unwrap_or_default();
    if conv.show_name == name && conv.face_url == face {
        return false;
    }
    conv.show_name = name;
    conv.face_url = face;
    true
}

fn put_group(batch: &mut WriteBatch, info: &GroupDetailInfo) -> ImResult<()> {
    let id = info.group_id.as_deref().unwrap_or_default();
    cache::put(batch, group_key(id), info)
}

impl MessageService {
    /// The cached information of a group, if this device has it.
    ///
    /// # Errors
    /// A storage failure (an entry that no longer parses is absent).
    pub fn cached_group(&self, group_id: &str) -> ImResult<Option<GroupDetailInfo>> {
        cache::read(&*self.store, &group_key(group_id))
    }

    /// Names a new group conversation from the cache, or notes the group
    /// for the lookup after the sync.
    pub(crate) fn name_new_group_conversation(&self, conv: &mut Conversation) -> ImResult<()> {
        match self.cached_group(conv.id.peer())? {
            Some(info) => {
                name_group_conversation(conv, &info);
            }
            None => self.unknown_groups.note(conv.id.peer()),
        }
        Ok(())
    }

    /// Groups' information from the server, one answer per group
    /// (`TIMGroupGetGroupInfoList`); what it gives is cached and names the
    /// groups' conversations.
    ///
    /// # Errors
    /// 6017 for no group or more than 50; the transport's error; a
    /// storage failure.
    pub async fn group_infos(&self, group_ids: &[String]) -> ImResult<Vec<GetGroupInfoResult>> {
        if group_ids.is_empty() || group_ids.len() > MAX_GROUPS_PER_LOOKUP {
            return Err(ImError::invalid_param(format!(
                "1 to {MAX_GROUPS_PER_LOOKUP} groups per lookup"
            )));
        }
        let results = self.transport.group_infos(group_ids.to_vec()).await?;
        let found: Vec<&GroupDetailInfo> = results
            .iter()
            .filter(|r| r.code == Some(0))
            .filter_map(|r| r.info.as_ref())
            .filter(|i| i.group_id.as_ref().is_some_and(|id| group_ids.contains(id)))
            .collect();
        if !found.is_empty() {
            self.commit(|batch, _| {
                for info in &found {
                    self.stage_group(batch, info)?;
                }
                Ok(())
            })?;
        }
        Ok(results)
    }

    /// Fetches the information of groups whose conversations appeared
    /// here without it (since the last call): one request per 50 groups.
    ///
    /// # Errors
    /// The transport's error (the groups stay noted), or a storage failure.
    pub async fn look_up_unknown_groups(&self) -> ImResult<usize> {
        self.unknown_groups
            .look_up(MAX_GROUPS_PER_LOOKUP, |groups| async move {
                let found = self.group_infos(&groups).await?;
                Ok(found.iter().filter(|r| r.code == Some(0)).count())
            })
            .await
    }

    /// Stages a group's information into the cache, with the rename of
    /// its conversation when the name or face changed.
    fn stage_group(&self, batch: &mut WriteBatch, info: &GroupDetailInfo) -> ImResult<()> {
        let Some(id) = info.group_id.as_deref().filter(|id| !id.is_empty()) else {
            return Ok(());
        };
        put_group(batch, info)?;
        if let Ok(conv_id) = ConvId::group(id)
            && let Some(mut conv) = self.store.conversation(&conv_id)?
            && name_group_conversation(&mut conv, info)
        {
            batch.put(conv);
        }
        Ok(())
    }

    /// Applies a received group-information tip to the cache and to its
    /// conversation `c` (staged by the caller in the same write).
    pub(crate) fn take_group_tip(
        &self,
        c: &mut Conversation,
        message: &Message,
        batch: &mut WriteBatch,
    ) -> ImResult<()> {
        if c.id.conv_type() != ConvType::Group {
            return Ok(());
        }
        for elem in message.elem_array.as_deref().unwrap_or_default() {
            let Elem::GroupTips(tip) = elem else {
                continue;
            };
            if tip.tip_type != Some(GroupTipType::GroupInfoChange) {
                continue;
            }
            let changes = tip.group_change_info_array.as_deref().unwrap_or_default();
            match self.cached_group(c.id.peer())? {
                Some(mut info) => {
                    apply_tip_changes(&mut info, changes);
                    put_group(batch, &info)?;
                    name_group_conversation(c, &info);
                }
                // Nothing cached to update: the tip still names the
                // conversation, and the lookup after the sync fills the rest.
                None => {
                    for change in changes {
                        let value = change.value.clone().unwrap_or_default();
                        match change.flag {
                            Some(GroupTipGroupChangeFlag::Name) => c.show_name = value,
                            Some(GroupTipGroupChangeFlag::FaceUrl) => c.face_url = value,
                            _ => {}
                        }
                    }
                    self.unknown_groups.note(c.id.peer());
                }
            }
        }
        Ok(())
    }
}
