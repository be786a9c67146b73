//! What the server keeps, as one trait: [`ServerStore`].
//!
//! Each method is one atomic operation, so a backend on another engine
//! (PostgreSQL: one transaction per call, `SELECT .. FOR UPDATE` where a
//! method reads before it writes) keeps every invariant the SQLite one
//! keeps:
//! - a conversation's messages have sequences 1, 2, 3, .. without gaps;
//! - a send is stored once per (sender, client message id), and a retry
//!   gets the first send's sequence, time and unique id;
//! - each user's event log has strictly increasing cursors, and an event
//!   is appended in the same transaction as the change it reports (a
//!   message, a revoke, a conversation-state change), so a client resuming
//!   from its cursor sees every change exactly once;
//! - group messages are logged for the members at commit time only;
//! - an event log is trimmed only from its old end, and the cursor it was
//!   trimmed through (its floor) is raised in the same transaction, so a
//!   pull either gets every event after its cursor or learns it is too old.
//!
//! Rules about who may do what live in the service (`crate::service`), not
//! here; the store answers facts (who is a member, who sent a message).

mod membership;
mod postgres;
mod rows;
mod sqlite;
pub mod suite;

pub use membership::{
    GroupTx, MemberOp, MembersChange, MembersPlan, MembersQuery, PendencyPage, Standing,
    StoredPendency, tip_message,
};
pub use postgres::{DEFAULT_POOL_SIZE, PostgresStore};
pub use sqlite::SqliteStore;

use std::time::Duration;

use async_trait::async_trait;
use im_model::enums::{GroupAtType, GroupMemberRole};
use im_model::group::{GroupDetailInfo, Modified};
use im_model::message::{Message, MessageReceipt, UserProfile};
use im_model::wire::http::GroupMember;
use im_model::wire::{ConvStateBook, SendAck, SequencedEvent, ServerEvent};
use im_model::{ConvId, ImResult};

/// A conversation as the server keys it: one message log per C2C pair
/// (whichever side sends) and per group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConvKey {
    /// A C2C conversation between two users, `low <= high`.
    C2c {
        /// The smaller user id.
        low: String,
        /// The larger user id.
        high: String,
    },
    /// A group.
    Group(String),
}

impl ConvKey {
    /// The key of `conv` as `user` sees it (`c2c_<peer>` or `group_<id>`).
    pub fn of(user: &str, conv: &ConvId) -> ConvKey {
        if conv.conv_type() == im_model::ConvType::Group {
            ConvKey::Group(conv.peer().to_owned())
        } else {
            let (a, b) = (user.to_owned(), conv.peer().to_owned());
            if a <= b {
                ConvKey::C2c { low: a, high: b }
            } else {
                ConvKey::C2c { low: b, high: a }
            }
        }
    }

    /// The conversation as `viewer` sees it.
    pub fn for_viewer(&self, viewer: &str) -> ImResult<ConvId> {
        match self {
            ConvKey::Group(id) => ConvId::group(id.as_str()),
            ConvKey::C2c { low, high } => ConvId::c2c(if low == viewer {
                high.as_str()
            } else {
                low.as_str()
            }),
        }
    }

    /// The text form stored in databases: `g:<id>`, or
    /// `c:<len of low>:<low><high>` (unambiguous for any id characters).
    pub fn encode(&self) -> String {
        match self {
            ConvKey::Group(id) => format!("g:{id}"),
            ConvKey::C2c { low, high } => format!("c:{}:{low}{high}", low.len()),
        }
    }

    /// Parses [`ConvKey::encode`]'s form.
    pub fn decode(text: &str) -> Option<ConvKey> {
        if let Some(id) = text.strip_prefix("g:") {
            return Some(ConvKey::Group(id.to_owned()));
        }
        let rest = text.strip_prefix("c:")?;
        let (len, pair) = rest.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let (low, high) = (pair.get(..len)?, pair.get(len..)?);
        Some(ConvKey::C2c {
            low: low.to_owned(),
            high: high.to_owned(),
        })
    }

    /// The group id, for a group.
    pub fn group(&self) -> Option<&str> {
        match self {
            ConvKey::Group(id) => Some(id),
            ConvKey::C2c { .. } => None,
        }
    }
}

/// A message as stored: the body the sender sent, with the server's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    /// Its conversation.
    pub conv: ConvKey,
    /// Sequence in the conversation (from 1).
    pub seq: u64,
    /// The sender.
    pub sender: String,
    /// The client's message id.
    pub msg_id: String,
    /// Server time (seconds).
    pub time: u64,
    /// Server-unique id.
    pub unique_id: u64,
    /// Revoked.
    pub revoked: bool,
    /// The body, with `message_seq`, times, sender and status filled.
    pub message: Message,
}

impl StoredMessage {
    /// The message as `viewer` receives it: its conversation id from that
    /// side, whether it is from them, and its status.
    pub fn for_viewer(&self, viewer: &str) -> ImResult<(ConvId, Message)> {
        let conv = self.conv.for_viewer(viewer)?;
        let mut message = self.message.clone();
        message.conv_id = Some(conv.peer().to_owned());
        message.conv_type = Some(conv.conv_type());
        message.is_from_self = Some(self.sender == viewer);
        if self.revoked {
            message.status = Some(im_model::MsgStatus::Revoked);
        }
        Ok((conv, message))
    }
}

/// A message to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// Its conversation.
    pub conv: ConvKey,
    /// The sender.
    pub sender: String,
    /// The client's message id: the idempotency key, with the sender.
    pub msg_id: String,
    /// Server time now.
    pub now: u64,
    /// The body.
    pub message: Message,
    /// Whether the sender's own devices get the message as an event (not
    /// for group tips sent by the server).
    pub echo_to_sender: bool,
}

/// The outcome of an append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Sequence, time and unique id (the first send's, for a retry).
    pub ack: SendAck,
    /// False when the message was stored before (a retried send).
    pub fresh: bool,
    /// Users whose event log grew, with their new head cursor.
    pub notified: Vec<(String, u64)>,
}

/// Users whose event log grew, with their new head cursor.
pub type Notified = Vec<(String, u64)>;

/// A page of roaming history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Anchor `(time, seq)`, exclusive.
    pub anchor: Option<(u64, u64)>,
    /// Newer than the anchor, or older.
    pub newer: bool,
    /// Closed time range.
    pub time_range: Option<(u64, u64)>,
    /// At most this many (already clamped by the caller).
    pub count: u32,
}

/// Events after a cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsPage {
    /// The events, in order (at most the limit asked).
    pub events: Vec<SequencedEvent>,
    /// The head of the user's log: the cursor of its newest event.
    pub head: u64,
    /// The cursor through which the log was trimmed: a pull after an
    /// older cursor would miss events, so it must resync.
    pub floor: u64,
}

/// One conversation of a first-sync snapshot ([`StoredSnapshot`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotConv {
    /// The conversation.
    pub conv: ConvKey,
    /// Its newest message the user sees (neither hidden nor cleared by
    /// them), if any.
    pub last: Option<StoredMessage>,
    /// Messages of others after the user's read position that count as
    /// unread (not revoked, not excluded, not targeted at a few members).
    pub unread: u64,
    /// Unread group messages that mention the user: `(seq, how)`, newest
    /// first, at most [`MENTIONS_PER_SNAPSHOT`].
    pub mentions: Vec<(u64, GroupAtType)>,
}

/// The most mentions a snapshot carries per conversation (a device shows
/// "someone mentioned you", not a list of every mention).
pub const MENTIONS_PER_SNAPSHOT: usize = 20;

/// What a device with no cursor starts from, read in one transaction: the
/// user's roaming state, each of their conversations, and the head of
/// their event log that all of it is consistent with (live events follow
/// from there).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSnapshot {
    /// Groups and conversation states.
    pub book: ConvStateBook,
    /// Every conversation the user has.
    pub convs: Vec<SnapshotConv>,
    /// The head of the user's event log.
    pub head: u64,
    /// The profiles of the user (when stored) and of each C2C peer (an
    /// empty one for a peer who has none).
    pub profiles: Vec<UserProfile>,
}

/// The most members a group message is logged for inside its send: a
/// larger group's messages are queued (`ServerStore::fan_out_queued`), so
/// a send holds a few row locks, not one per member, and its commit does
/// not grow with the group.
pub const FANOUT_SYNC_MAX: usize = 500;

/// The most users a profile change is logged for: past it, the others
/// learn the change from the next message stamp or a lookup. A user in
/// many large groups would otherwise make one change a million-row write.
pub(crate) const MAX_PROFILE_AUDIENCE: usize = 10_000;

/// A user's standing in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// There is no such group.
    NoSuchGroup,
    /// The group exists; the user is not in it.
    NotMember,
    /// A member, with their role and mutes.
    Member(Standing),
}

/// A logged-in device's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The user.
    pub user: String,
    /// The device's platform.
    pub platform: u32,
    /// When the UserSig it logged in with expires (Unix seconds).
    pub expires_at: i64,
    /// Still the current session of its user and platform.
    pub state: SessionState,
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Logged in.
    Active,
    /// Another login of the same user and platform took over.
    Kicked,
    /// Logged out.
    Closed,
}

/// A file's record (its bytes live beside the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// The id.
    pub id: String,
    /// Who uploaded it.
    pub owner: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A change to one user's conversation state, run inside the store's
/// transaction on the state as stored; it returns the events to log.
///
/// Every change given to the store is re-runnable (`Fn`): a backend with
/// several writers (PostgreSQL) runs it again, on the state as stored
/// then, when its transaction lost a race (a deadlock, a serialization
/// failure). So a change computes from what it is given and never
/// consumes what it captured.
pub type BookChange = Box<dyn Fn(&mut ConvStateBook) -> ImResult<Vec<ServerEvent>> + Send + Sync>;

/// A group the user is in, as `ServerStore::joined_groups` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinedGroup {
    /// The group's information.
    pub info: GroupDetailInfo,
    /// The user's role.
    pub role: GroupMemberRole,
    /// When the user joined (seconds; 0 for members from before it was kept).
    pub join_time: u32,
}

/// Looks up a user's role in the group being changed (`None`: not a member).
pub type RoleOf<'a> = dyn Fn(&str) -> ImResult<Option<GroupMemberRole>> + 'a;

/// A change of a group's information, run inside the store's transaction
/// on the stored information: it returns what the change did and the group
/// tip that announces it.
pub type GroupChange =
    Box<dyn Fn(&GroupDetailInfo, &RoleOf<'_>) -> ImResult<(Modified, NewMessage)> + Send + Sync>;

/// A group's dismissal, checked inside the store's transaction: it returns
/// the group's last message (what tells every member).
pub type GroupDismissal =
    Box<dyn Fn(&GroupDetailInfo, &RoleOf<'_>) -> ImResult<NewMessage> + Send + Sync>;

/// A change to one user's profile, run inside the store's transaction on
/// the stored profile (an empty one when the user has none); it returns
/// the profile to store.
pub type ProfileChange = Box<dyn Fn(&UserProfile) -> ImResult<UserProfile> + Send + Sync>;

/// The server's storage. Every method is one atomic operation; failures
/// of the engine are `INTERNAL` (90994) errors.
#[async_trait]
pub trait ServerStore: Send + Sync + std::fmt::Debug {
    /// Whether the database answers, writes included (a health check: one
    /// read through the write path, no change).
    ///
    /// # Errors
    /// `INTERNAL` when it does not.
    async fn ping(&self) -> ImResult<()>;

    /// Stops taking writes once those already queued are done (the server
    /// is stopping); later calls fail with `INTERNAL`.
    fn close(&self);

    /// Starts a session; returns the tokens of the sessions it kicked (the
    /// same user's active sessions on the same platform).
    async fn open_session(&self, token: &str, session: &SessionRow) -> ImResult<Vec<String>>;

    /// A session by its token.
    async fn session(&self, token: &str) -> ImResult<Option<SessionRow>>;

    /// Ends a session (logout).
    async fn close_session(&self, token: &str) -> ImResult<()>;

    /// Appends a message (idempotent by sender and message id) and logs a
    /// new-message event for each recipient: both sides of a C2C
    /// conversation, the members of a group at commit time (for a group of
    /// more than [`FANOUT_SYNC_MAX`] members, the message is queued for
    /// `fan_out_queued` instead, and `notified` is empty).
    async fn append_message(&self, message: NewMessage) -> ImResult<Appended>;

    /// A message by its client id.
    async fn message(&self, conv: &ConvKey, msg_id: &str) -> ImResult<Option<StoredMessage>>;

    /// A page of history as `viewer` may see it (minus what they deleted or
    /// cleared), newest first when going older.
    async fn history(
        &self,
        viewer: &str,
        conv: &ConvKey,
        query: HistoryQuery,
    ) -> ImResult<Vec<StoredMessage>>;

    /// Marks a message revoked and logs the revoke for each recipient.
    /// Returns false (and changes nothing) when it was revoked already.
    async fn revoke(
        &self,
        conv: &ConvKey,
        msg_id: &str,
        revoker: &str,
        reason: &str,
    ) -> ImResult<(bool, Notified)>;

    /// Replaces a message's content when `message.version` is the stored
    /// version; logs the modification for each recipient. Returns the
    /// message as stored and whether the modify lost (version mismatch).
    async fn modify(
        &self,
        conv: &ConvKey,
        message: Message,
    ) -> ImResult<(StoredMessage, bool, Notified)>;

    /// Hides messages from `user`'s roaming history.
    async fn hide_messages(&self, user: &str, conv: &ConvKey, msg_ids: &[String]) -> ImResult<()>;

    /// Hides a conversation's whole current history from `user`.
    async fn clear_history(&self, user: &str, conv: &ConvKey) -> ImResult<()>;

    /// Logs events for users (each in order).
    async fn append_events(&self, events: Vec<(String, ServerEvent)>) -> ImResult<Notified>;

    /// The events of `user` after `after`, at most `limit`.
    async fn events_after(&self, user: &str, after: u64, limit: u32) -> ImResult<EventsPage>;

    /// Runs a change on `user`'s conversation state and logs its events,
    /// atomically. Returns the cursor of the last event logged (the head
    /// when there was none), or the change's own error.
    async fn update_book(&self, user: &str, change: BookChange) -> ImResult<(u64, Notified)>;

    /// `user`'s conversation state and the head of their log.
    async fn book(&self, user: &str) -> ImResult<(ConvStateBook, u64)>;

    /// What a device of `user` with no cursor starts from, in one
    /// consistent read (see [`StoredSnapshot`]). Reads a few rows per
    /// conversation, never the whole history.
    async fn snapshot(&self, user: &str) -> ImResult<StoredSnapshot>;

    /// Trims users' event logs: events logged before `before` (Unix
    /// seconds), and all but the newest `keep` of each log. Each log's
    /// floor rises to the newest cursor trimmed. One call may trim only
    /// some of the logs that need it (one short write); call again until
    /// it returns 0. Returns how many events were removed.
    async fn trim_events(&self, before: u64, keep: u64) -> ImResult<u64>;

    /// Creates a group with its information (id, name, owner and the
    /// rest), its owner and first members, and appends `welcome` (the tip
    /// naming them), in one transaction; `None` when the id is taken (a
    /// dismissed group's too).
    async fn create_group(
        &self,
        info: &GroupDetailInfo,
        members: &[String],
        welcome: NewMessage,
    ) -> ImResult<Option<Notified>>;

    /// A group's information (member count and newest message included);
    /// `None` when there is no such group or it was dismissed.
    async fn group_info(&self, group_id: &str) -> ImResult<Option<GroupDetailInfo>>;

    /// The groups `user` is a member of.
    async fn joined_groups(&self, user: &str) -> ImResult<Vec<JoinedGroup>>;

    /// Changes a group's information and appends the tip announcing it, in
    /// one transaction; an ownership change also makes the old owner a
    /// normal member and the new one the owner. Returns the information
    /// after the change and who was notified.
    async fn modify_group(
        &self,
        group_id: &str,
        change: GroupChange,
    ) -> ImResult<(GroupDetailInfo, Notified)>;

    /// Dismisses a group in one transaction: its last message reaches every
    /// member, then it has no members and reads as no group.
    async fn dismiss_group(&self, group_id: &str, dismissal: GroupDismissal) -> ImResult<Notified>;

    /// A page of a group's members, by user id (`None`: no such group);
    /// true when more follow.
    async fn members_page(
        &self,
        group_id: &str,
        query: MembersQuery,
    ) -> ImResult<Option<(Vec<GroupMember>, bool)>>;

    /// How many groups `user` is in, AVChatRoom groups not counted.
    async fn joined_count(&self, user: &str) -> ImResult<u32>;

    /// One user's standing in a group (one indexed read, for the checks
    /// every group call makes).
    async fn membership(&self, group_id: &str, user: &str) -> ImResult<Membership>;

    /// Runs a membership change in one transaction: `change` reads the
    /// group as stored and plans the steps (members added, removed or
    /// changed, join requests, tips), which are applied in order. Returns
    /// the plan and who was notified.
    ///
    /// # Errors
    /// 10010 when there is no such group; the change's own error.
    async fn change_members(
        &self,
        group_id: &str,
        change: MembersChange,
    ) -> ImResult<(MembersPlan, Notified)>;

    /// The join requests to groups `approver` owns or administers, newest
    /// first, filed before `before` (0: from the newest); at most `limit`,
    /// unless requests of one second would be split.
    async fn pendencies(&self, approver: &str, before: u64, limit: u32) -> ImResult<PendencyPage>;

    /// How many unhandled join requests `approver` may handle were filed
    /// after `after` (seconds).
    async fn unread_pendencies(&self, approver: &str, after: u64) -> ImResult<u32>;

    /// Records read receipts of `reader` and logs them for the senders.
    async fn add_receipts(
        &self,
        reader: &str,
        conv: &ConvKey,
        msg_ids: &[String],
    ) -> ImResult<Notified>;

    /// Read receipts of messages of a conversation.
    async fn receipts(&self, conv: &ConvKey, msg_ids: &[String]) -> ImResult<Vec<MessageReceipt>>;

    /// Stores a per-user setting (JSON).
    async fn put_setting(&self, user: &str, key: &str, json: &str) -> ImResult<()>;

    /// Reads a per-user setting.
    async fn setting(&self, user: &str, key: &str) -> ImResult<Option<String>>;

    /// Records an uploaded file whose bytes are in place.
    async fn put_file(&self, file: &FileRow) -> ImResult<()>;

    /// A file's record.
    async fn file(&self, id: &str) -> ImResult<Option<FileRow>>;

    /// Stores a merged message's body under its key, with the
    /// conversation it was sent in (who may read it).
    async fn put_merged(&self, key: &str, conv: &ConvKey, messages: &[Message]) -> ImResult<()>;

    /// A merged message's body and its conversation.
    async fn merged(&self, key: &str) -> ImResult<Option<(ConvKey, Vec<Message>)>>;

    /// The stored profiles of `users` (users without one are left out).
    async fn profiles(&self, users: &[String]) -> ImResult<Vec<UserProfile>>;

    /// Fans out the oldest message of a large group that `append_message`
    /// queued (see [`FANOUT_SYNC_MAX`]) to its next `max_users` recipients
    /// (the members who joined before it was sent), in one write with the
    /// queue's progress, so each gets it once; a group's messages go out in
    /// order. Returns who was notified, or `None` when nothing is queued.
    async fn fan_out_queued(&self, max_users: u32) -> ImResult<Option<Notified>>;

    /// Takes one event of `key` from its allowance of `limit` per fixed
    /// window of `window` (windows aligned on the store's clock): false,
    /// and the event refused, when the window's allowance is used up. The
    /// count is shared by every node that shares the store, so a cluster
    /// allows what one node does.
    async fn take_allowance(&self, key: &str, limit: u32, window: Duration) -> ImResult<bool>;

    /// Whether `key`'s allowance of `limit` in the current window is used
    /// up (nothing counted).
    async fn allowance_used_up(&self, key: &str, limit: u32, window: Duration) -> ImResult<bool>;

    /// Changes `user`'s profile and logs a `ProfileUpdated` event for the
    /// user and for everyone who shares a conversation with them (their
    /// C2C peers and the other members of their groups), atomically.
    /// Returns the profile as stored and the cursor of the user's own
    /// event, or the change's own error (nothing is written then).
    async fn update_profile(
        &self,
        user: &str,
        change: ProfileChange,
    ) -> ImResult<(UserProfile, u64, Notified)>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_conv_keys_round_trip_whatever_the_ids_hold() {
        for key in [
            ConvKey::Group("g:1".into()),
            ConvKey::C2c {
                low: "a:3:".into(),
                high: "b".into(),
            },
            ConvKey::C2c {
                low: String::new(),
                high: "x".into(),
            },
        ] {
            assert_eq!(ConvKey::decode(&key.encode()), Some(key));
        }
    }

    #[test]
    fn test_both_sides_of_a_c2c_pair_share_one_key() {
        let from_alice = ConvKey::of("alice", &ConvId::c2c("bob").unwrap());
        let from_bob = ConvKey::of("bob", &ConvId::c2c("alice").unwrap());
        assert_eq!(from_alice, from_bob);
        assert_eq!(from_alice.for_viewer("bob").unwrap().peer(), "alice");
    }
}
