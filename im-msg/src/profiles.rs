//! User profiles on the device: a cache of the profiles of the user and of
//! everyone they talk to, and the names it gives conversations and
//! messages.
//!
//! The cache is kept in the store's settings (one entry per user,
//! `profile.<user id>`), so it survives restarts and is written in the same
//! atomic batches as what it names. It is filled by the server's word only:
//! a first sync's snapshot (the user and their C2C peers), each
//! [`ServerEvent::ProfileUpdated`](im_transport::ServerEvent) of the event
//! stream (the user's own changes and those of everyone who shares a
//! conversation with them), and lookups an app makes. Every name shown is
//! read from it, never fetched per message:
//!
//! * a C2C conversation's `conv_show_name` and `conv_face_url` are the
//!   peer's nickname and face, set when the conversation is created and
//!   rewritten (one "conversation updated" event) when the profile
//!   changes;
//! * `message_sender_profile` of every message handed to the app is the
//!   sender's cached profile (id, nickname, face), or the one the server
//!   stamped on the message when this device knows no better.

use std::collections::{BTreeMap, BTreeSet};

use im_model::message::{Message, UserProfile};
use im_model::profile::{MAX_USERS_PER_LOOKUP, UserProfileItem, sender_stamp};
use im_model::{ConvId, ConvType, ImError, ImResult};
use im_store::{Conversation, WriteBatch};

use crate::cache;

use crate::events::MsgEvent;
use crate::service::{MessageService, Sink};

/// The settings key of a cached profile.
fn profile_key(user: &str) -> String {
    format!("profile.{user}")
}

/// Gives a C2C conversation its peer's name and face; returns whether
/// anything changed. An empty nickname leaves the name empty, which shows
/// as the peer's id.
pub(crate) fn name_conversation(conv: &mut Conversation, profile: &UserProfile) -> bool {
    let name = profile.nick_name.clone().unwrap_or_default();
    let face = profile.face_url.clone().unwrap_or_default();
    if conv.show_name == name && conv.face_url == face {
        return false;
    }
    conv.show_name = name;
    conv.face_url = face;
    true
}

/// Stages `profile` into the cache.
fn put_profile(batch: &mut WriteBatch, profile: &UserProfile) -> ImResult<()> {
    let user = profile.identifier.as_deref().unwrap_or_default();
    cache::put(batch, profile_key(user), profile)
}

impl MessageService {
    /// The cached profile of `user`, if this device has one.
    ///
    /// # Errors
    /// A storage failure. A cached entry that no longer parses is treated
    /// as absent (the next update replaces it).
    pub fn cached_profile(&self, user: &str) -> ImResult<Option<UserProfile>> {
        cache::read(&*self.store, &profile_key(user))
    }

    /// A conversation new on this device, named from the caches: a C2C
    /// conversation by its peer's profile, a group by its information. A
    /// peer or group this device knows nothing of is noted for the lookup
    /// after the sync ([`MessageService::look_up_unknown_profiles`],
    /// `look_up_unknown_groups`).
    pub(crate) fn new_conversation(&self, id: &ConvId) -> ImResult<Conversation> {
        let mut conv = Conversation::new(id.clone(), self.now());
        if id.conv_type() == ConvType::Group {
            self.name_new_group_conversation(&mut conv)?;
        } else if id.conv_type() == ConvType::C2C {
            match self.cached_profile(id.peer())? {
                Some(profile) => {
                    name_conversation(&mut conv, &profile);
                }
                None => self.unknown_profiles.note(id.peer()),
            }
        }
        Ok(conv)
    }

    /// Fetches the profiles of the peers of C2C conversations created
    /// since the last call whose profiles this device did not have (a
    /// conversation started here, or by a peer whose profile never reached
    /// this device): one request per 100 peers, never one per message.
    /// What comes back is cached and names the conversations (announced
    /// as updated). Returns how many profiles were fetched.
    ///
    /// # Errors
    /// The transport's error (the peers stay noted, for the next call), or
    /// a storage failure.
    pub async fn look_up_unknown_profiles(&self) -> ImResult<usize> {
        self.unknown_profiles
            .look_up(MAX_USERS_PER_LOOKUP, |users| async move {
                Ok(self.user_profiles(&users, true).await?.len())
            })
            .await
    }

    /// Users' profiles, in the order asked, each once
    /// (`TIMProfileGetUserProfileList`): from the cache, and from the
    /// server for the users the cache lacks (all of them with
    /// `force_update`); what the server answers is cached, and names the
    /// conversations it concerns.
    ///
    /// # Errors
    /// 6017 for no user, an empty id or more than 100 users; the transport's error;
    /// a storage failure.
    pub async fn user_profiles(
        &self,
        users: &[String],
        force_update: bool,
    ) -> ImResult<Vec<UserProfile>> {
        let mut seen = BTreeSet::new();
        let users: Vec<&String> = users.iter().filter(|u| seen.insert(*u)).collect();
        if users.len() > MAX_USERS_PER_LOOKUP {
            return Err(ImError::invalid_param(format!(
                "at most {MAX_USERS_PER_LOOKUP} users per profile lookup"
            )));
        }
        if users.is_empty() || users.iter().any(|u| u.is_empty()) {
            return Err(ImError::invalid_param(
                "name at least one user, and no empty user id",
            ));
        }
        let mut found = BTreeMap::new();
        if !force_update {
            for user in &users {
                if let Some(profile) = self.cached_profile(user)? {
                    found.insert((*user).clone(), profile);
                }
            }
        }
        let missing: Vec<String> = users
            .iter()
            .filter(|u| !found.contains_key(**u))
            .map(|u| (*u).clone())
            .collect();
        if !missing.is_empty() {
            let fetched = self.transport.user_profiles(missing.clone()).await?;
            let fetched: Vec<UserProfile> = fetched
                .into_iter()
                .filter(|p| p.identifier.as_ref().is_some_and(|id| missing.contains(id)))
                .collect();
            self.commit(|batch, _| {
                for profile in &fetched {
                    self.stage_profile(batch, profile)?;
                }
                Ok(())
            })?;
            for profile in fetched {
                found.insert(profile.identifier.clone().unwrap_or_default(), profile);
            }
        }
        Ok(users.iter().filter_map(|u| found.remove(*u)).collect())
    }

    /// Changes the logged-in user's profile on the server
    /// (`TIMProfileModifySelfUserProfile`); returns the stream cursor of the
    /// change's echo, which updates the cache on every device of the user.
    ///
    /// # Errors
    /// The server's code (40001 nothing to change, 40601 a value too long,
    /// 40605 a value out of range, 40009 an undeclared custom field).
    pub async fn modify_self_profile(&self, item: UserProfileItem) -> ImResult<u64> {
        self.transport.modify_self_profile(item).await
    }

    /// Applies a profile the server says changed: cached, its C2C
    /// conversation renamed, and announced (as the user's own profile, or
    /// as another user's).
    pub(crate) fn apply_profile_update(
        &self,
        profile: &UserProfile,
        sink: &mut Sink<'_>,
    ) -> ImResult<()> {
        let Some(user) = profile.identifier.as_deref().filter(|u| !u.is_empty()) else {
            tracing::warn!("skipped a profile update without a user id");
            return Ok(());
        };
        let is_self = user == self.config.user_id;
        self.write_to(sink, |batch, events| {
            self.stage_profile(batch, profile)?;
            events.push(MsgEvent::ProfileUpdated {
                profile: Box::new(profile.clone()),
                is_self,
            });
            Ok(())
        })
    }

    /// Stages a profile into the cache, with the rename of its C2C
    /// conversation when the name or face changed.
    fn stage_profile(&self, batch: &mut WriteBatch, profile: &UserProfile) -> ImResult<()> {
        let user = profile.identifier.as_deref().unwrap_or_default();
        if user.is_empty() {
            return Ok(());
        }
        put_profile(batch, profile)?;
        if let Ok(id) = ConvId::c2c(user)
            && let Some(mut conv) = self.store.conversation(&id)?
            && name_conversation(&mut conv, profile)
        {
            batch.put(conv);
        }
        Ok(())
    }

    /// Caches the profiles of a snapshot (the user's and their peers'),
    /// in writes of a few hundred, before its conversations are applied
    /// (so that they are created with their names).
    pub(crate) fn cache_snapshot_profiles(&self, profiles: &[UserProfile]) -> ImResult<()> {
        for chunk in profiles.chunks(500) {
            self.commit(|batch, _| {
                for profile in chunk {
                    if profile.identifier.as_deref().is_some_and(|u| !u.is_empty()) {
                        put_profile(batch, profile)?;
                    }
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Sets `message_sender_profile` of each message from the cache (id,
    /// nickname and face); a sender this device has no profile of keeps
    /// what the server stamped. One read per distinct sender.
    pub(crate) fn with_sender_profiles(&self, messages: &mut [Message]) -> ImResult<()> {
        let mut cache: BTreeMap<String, Option<UserProfile>> = BTreeMap::new();
        for m in messages.iter_mut() {
            let Some(sender) = m.sender.clone().filter(|s| !s.is_empty()) else {
                continue;
            };
            if !cache.contains_key(&sender) {
                let profile = self.cached_profile(&sender)?;
                cache.insert(sender.clone(), profile);
            }
            if let Some(Some(profile)) = cache.get(&sender) {
                m.sender_profile = Some(sender_stamp(profile));
            }
        }
        Ok(())
    }
}
