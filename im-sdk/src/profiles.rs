//! User profiles: the logged-in user's own and those of the people they
//! talk to, kept in a local cache that the server's events keep current
//! (see im-msg's `profiles` module). Names shown in conversations and on
//! messages come from that cache.

use im_model::ImResult;
use im_model::message::UserProfile;
use im_model::profile::UserProfileItem;

use crate::Client;

/// The profile functions of a logged-in [`Client`].
#[derive(Debug, Clone)]
pub struct ProfileManager {
    pub(crate) client: Client,
}

impl ProfileManager {
    /// Users' profiles, in the order asked, each once
    /// (`TIMProfileGetUserProfileList`): from the local cache, and from the
    /// server for users it lacks, or for all of them with `force_update`.
    /// A user without a profile gets an empty one with their id.
    ///
    /// # Errors
    /// 6017 for an empty id or more than 100 users; the server's code;
    /// 6019 when the cache cannot be written; -2 when not logged in.
    pub async fn user_profiles(
        &self,
        users: &[String],
        force_update: bool,
    ) -> ImResult<Vec<UserProfile>> {
        let users = users.to_vec();
        self.client
            .call(move |s| async move { s.msgs.user_profiles(&users, force_update).await })
            .await
    }

    /// Changes the logged-in user's profile
    /// (`TIMProfileModifySelfUserProfile`). Returns once this device applied
    /// the change's echo, so the cache (and `ProfileUpdated`, delivered
    /// before the answer) already shows it; the user's other devices get
    /// the same event.
    ///
    /// # Errors
    /// The server's code: 40001 when the change sets nothing, 40601 a value
    /// over its limit (500 bytes; the location 16), 40605 a gender or add
    /// permission out of range, 40009 an undeclared custom field; -2 when
    /// not logged in.
    pub async fn modify_self_profile(&self, item: &UserProfileItem) -> ImResult<()> {
        let item = item.clone();
        self.client
            .call_roaming(move |s| async move {
                let cursor = s.msgs.modify_self_profile(item).await?;
                Ok((Some(cursor), ()))
            })
            .await
    }

    /// The logged-in user's own profile, from the cache when it holds it,
    /// else from the server.
    ///
    /// # Errors
    /// As [`ProfileManager::user_profiles`].
    pub async fn self_profile(&self) -> ImResult<UserProfile> {
        let me = self.client.session()?.user_id.clone();
        let mut found = self.user_profiles(std::slice::from_ref(&me), false).await?;
        Ok(found
            .pop()
            .unwrap_or_else(|| im_model::profile::empty_profile(&me)))
    }
}
