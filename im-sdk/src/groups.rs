//! Groups: creating one and managing its members (the part of Tencent's
//! group API the C API serves). These are server calls only: membership
//! lives on the server, and a group's conversation appears here with its
//! first message.

use im_model::ImResult;
use im_transport::{CreateGroupRequest, GroupMember};

use crate::Client;

/// The group functions of a logged-in [`Client`].
#[derive(Debug, Clone)]
pub struct GroupManager {
    pub(crate) client: Client,
}

impl GroupManager {
    /// Creates a group owned by the logged-in user, with its first members
    /// (`TIMGroupCreate`).
    ///
    /// # Errors
    /// The server's code (10021 id taken, 10004 invalid); -2 when not logged in.
    pub async fn create_group(&self, request: &CreateGroupRequest) -> ImResult<()> {
        let request = request.clone();
        self.client
            .call(move |s| async move { s.transport.create_group(request).await })
            .await
    }

    /// Adds members (the owner or an admin); returns who was added
    /// (`TIMGroupInviteMember`).
    ///
    /// # Errors
    /// The server's code (10007 not allowed, 10010 no such group); -2 when
    /// not logged in.
    pub async fn add_members(&self, group_id: &str, users: &[String]) -> ImResult<Vec<String>> {
        let (group_id, users) = (group_id.to_owned(), users.to_vec());
        self.client
            .call(move |s| async move { s.transport.add_group_members(group_id, users).await })
            .await
    }

    /// Removes members (the owner or an admin); returns who was removed
    /// (`TIMGroupDeleteMember`).
    ///
    /// # Errors
    /// As [`GroupManager::add_members`].
    pub async fn remove_members(&self, group_id: &str, users: &[String]) -> ImResult<Vec<String>> {
        let (group_id, users) = (group_id.to_owned(), users.to_vec());
        self.client
            .call(move |s| async move { s.transport.remove_group_members(group_id, users).await })
            .await
    }

    /// Leaves a group (`TIMGroupQuit`).
    ///
    /// # Errors
    /// As [`GroupManager::add_members`].
    pub async fn quit(&self, group_id: &str) -> ImResult<()> {
        let me = self.client.session()?.user_id.clone();
        self.remove_members(group_id, &[me]).await.map(drop)
    }

    /// A group's members (members only).
    ///
    /// # Errors
    /// As [`GroupManager::add_members`].
    pub async fn members(&self, group_id: &str) -> ImResult<Vec<GroupMember>> {
        let group_id = group_id.to_owned();
        self.client
            .call(move |s| async move { s.transport.group_members(group_id).await })
            .await
    }
}
