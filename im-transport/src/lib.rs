#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[cfg(all(feature = "fetch", target_family = "wasm"))]
pub mod fetch;
#[cfg(feature = "http")]
pub mod http;
#[cfg(any(feature = "http", feature = "fetch"))]
mod json_calls;
#[cfg(any(feature = "http", feature = "fetch"))]
mod push_stream;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

/// The wire types of the contract; they live in the model, shared with
/// the server.
pub use im_model::wire::*;
// The group calls' types live with the HTTP binding's bodies.
pub use im_model::wire::http::{
    CreateGroupRequest, GroupMember, HandlePendencyRequest, JoinAnswer, JoinGroupRequest,
    MembersPage, MembersPageRequest,
};

use async_trait::async_trait;
use im_model::group::{GetGroupInfoResult, GroupBaseInfo, GroupModifyInfoParam};
use im_model::group_member::{
    GroupModifyMemberInfoParam, GroupPendencyOption, GroupPendencyResult,
};
use im_model::message::{Message, MessageReceipt, UserProfile};
use im_model::profile::UserProfileItem;
use im_model::{ConvId, ImResult};

/// An upload's progress callback: `(sent, total)` bytes.
pub type UploadProgress = std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>;

/// What the SDK core asks of a server. Every method is one request; an
/// error carries Tencent's code.
#[async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Starts this device's session: the server checks the UserSig
    /// (Tencent's 700xx codes when it is wrong or expired). Every other call
    /// is made for the logged-in user.
    async fn login(&self, request: LoginRequest) -> ImResult<()>;

    /// Ends the session.
    async fn logout(&self) -> ImResult<()>;

    /// Changes the user's conversation state on the server, which roams it
    /// to every device of the user as [`ServerEvent::ConversationState`]
    /// and [`ServerEvent::ConversationGroups`]. Returns the stream cursor of
    /// the change's last event: a device that applied its stream up to it
    /// shows the change.
    ///
    /// # Errors
    /// 51006 (more than 100 conversations), 51009 (no such group), 51010
    /// (more than 20 groups), 51011 (group name length), 6017 (a group that
    /// exists, custom data over 256 bytes, invalid mark bits).
    async fn update_conversations(&self, change: ConvStateChange) -> ImResult<u64>;

    /// Sends a message. `request.message.msg_id` is the idempotency key.
    async fn send_message(&self, request: SendRequest) -> ImResult<SendAck>;

    /// Revokes a sent message.
    async fn revoke_message(&self, request: RevokeRequest) -> ImResult<()>;

    /// Reports conversations read up to a position.
    async fn report_read(&self, request: ReadReport) -> ImResult<()>;

    /// Pulls roaming history of a conversation.
    async fn pull_history(&self, request: HistoryRequest) -> ImResult<Vec<Message>>;

    /// Pulls the user's event stream after a cursor. Catch-up after being
    /// offline and live push are this one stream, started from the last
    /// cursor the client made durable: a transport with a push channel
    /// answers from what the server pushed and signals it with
    /// [`Transport::pushed`].
    async fn pull_events(&self, request: PullRequest) -> ImResult<EventPage>;

    /// The user's conversation groups and every conversation's roaming
    /// state, for a resync after [`EventPage::CursorTooOld`].
    async fn conversation_snapshot(&self) -> ImResult<ConversationSnapshot>;

    /// Sends one message to several users, one outcome per user.
    async fn batch_send(&self, request: BatchSendRequest) -> ImResult<Vec<BatchSendOutcome>>;

    /// Deletes messages of a conversation from the server's roaming store.
    async fn delete_messages(&self, request: DeleteRequest) -> ImResult<()>;

    /// Clears a conversation's roaming history.
    async fn clear_history(&self, conv: ConvId) -> ImResult<()>;

    /// Sets a receive option; the server roams it like the rest of the
    /// conversation state and returns the stream cursor of that echo.
    async fn set_receive_option(&self, request: ReceiveOptionRequest) -> ImResult<u64>;

    /// Reads the receive options of C2C peers.
    async fn c2c_receive_options(&self, users: Vec<String>) -> ImResult<Vec<ReceiveOption>>;

    /// Uploads a file; reports progress as `(sent, total)` bytes. The
    /// callback is owned (`'static`): an HTTP client may call it from the
    /// task that streams the request body.
    async fn upload(
        &self,
        request: UploadRequest,
        progress: UploadProgress,
    ) -> ImResult<UploadedFile>;

    /// The size of the local file an upload of `path` would read
    /// ([`UploadRequest::path`]), checked when a message is queued. By
    /// default `path` names a file on disk; a transport whose files are
    /// its own (a browser's Blobs, which have no path) answers for them.
    ///
    /// # Errors
    /// What reading the file failed with (`NotFound` when there is none,
    /// `InvalidInput` for something that is not a file).
    fn local_file_size(&self, path: &str) -> std::io::Result<u64> {
        let meta = std::fs::metadata(path)?;
        if meta.is_file() {
            Ok(meta.len())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a file",
            ))
        }
    }

    /// Downloads a file, handing each chunk to `sink` in order.
    async fn download(
        &self,
        request: DownloadRequest,
        sink: &mut (dyn FnMut(DownloadChunk) -> ImResult<()> + Send),
    ) -> ImResult<()>;

    /// Fetches the messages inside a merged message.
    async fn merged_messages(&self, request: MergedRequest) -> ImResult<Vec<Message>>;

    /// Replaces a sent message's content; the answer holds the server's
    /// latest version, also when the modify lost against another one.
    async fn modify_message(&self, request: SendRequest) -> ImResult<ModifyOutcome>;

    /// Acknowledges messages of one conversation as read (read receipts).
    async fn send_receipts(&self, request: ReceiptRequest) -> ImResult<()>;

    /// Read receipts of messages we sent in one conversation.
    async fn message_receipts(&self, request: ReceiptRequest) -> ImResult<Vec<MessageReceipt>>;

    /// Sets the account-wide receive option (do-not-disturb window).
    async fn set_all_receive_option(&self, option: AllReceiveOption) -> ImResult<()>;

    /// Reads the account-wide receive option.
    async fn all_receive_option(&self) -> ImResult<AllReceiveOption>;

    /// Creates a group owned by the logged-in user, with its first members
    /// (`TIMGroupCreate`).
    async fn create_group(&self, request: CreateGroupRequest) -> ImResult<()>;

    /// Adds members to a group (its owner or an admin); returns who was
    /// added (`TIMGroupInviteMember`).
    async fn add_group_members(
        &self,
        group_id: String,
        users: Vec<String>,
    ) -> ImResult<Vec<String>>;

    /// Removes members (the owner or an admin), or the caller alone (a
    /// quit); returns who was removed (`TIMGroupDeleteMember`, `TIMGroupQuit`).
    async fn remove_group_members(
        &self,
        group_id: String,
        users: Vec<String>,
    ) -> ImResult<Vec<String>>;

    /// A page of a group's members, for a member (`TIMGroupGetMemberInfoList`).
    async fn group_members(&self, request: MembersPageRequest) -> ImResult<MembersPage>;

    /// Joins a group by its join option, at once or as a join request
    /// (`TIMGroupJoin`).
    async fn join_group(&self, request: JoinGroupRequest) -> ImResult<JoinAnswer>;

    /// Changes a member's role, name card or mute (`TIMGroupModifyMemberInfo`).
    async fn modify_group_member(&self, param: GroupModifyMemberInfoParam) -> ImResult<()>;

    /// The join requests the logged-in user may answer (`TIMGroupGetPendencyList`).
    async fn group_pendencies(&self, option: GroupPendencyOption) -> ImResult<GroupPendencyResult>;

    /// Accepts or refuses a join request (`TIMGroupHandlePendency`).
    async fn handle_group_pendency(&self, request: HandlePendencyRequest) -> ImResult<()>;

    /// Marks join requests filed up to `time` (seconds) read
    /// (`TIMGroupReportPendencyReaded`).
    async fn report_group_pendency_read(&self, time: u64) -> ImResult<()>;

    /// The groups the logged-in user is in (`TIMGroupGetJoinedGroupList`),
    /// as the server knows them (type, name, face, newest sequence, the
    /// user's role and join time).
    async fn joined_groups(&self) -> ImResult<Vec<GroupBaseInfo>>;

    /// Groups' information, one answer per group (`TIMGroupGetGroupInfoList`).
    async fn group_infos(&self, group_ids: Vec<String>) -> ImResult<Vec<GetGroupInfoResult>>;

    /// Changes a group's information (`TIMGroupModifyGroupInfo`); every
    /// member gets the group tip that announces it.
    async fn modify_group_info(&self, param: GroupModifyInfoParam) -> ImResult<()>;

    /// Dismisses a group, its owner only (`TIMGroupDelete`).
    async fn dismiss_group(&self, group_id: String) -> ImResult<()>;

    /// Users' profiles, in the order asked (a user without a profile gets
    /// an empty one with their id) (`TIMProfileGetUserProfileList`).
    async fn user_profiles(&self, users: Vec<String>) -> ImResult<Vec<UserProfile>>;

    /// Changes the logged-in user's profile (`TIMProfileModifySelfUserProfile`);
    /// returns the stream cursor of its echo, a
    /// [`ServerEvent::ProfileUpdated`] on each of the user's devices.
    async fn modify_self_profile(&self, item: UserProfileItem) -> ImResult<u64>;

    /// Resolves when the server has pushed events that were not pulled yet,
    /// so the sync loop pulls at once instead of at its next interval. A
    /// transport without push never resolves (the default): the interval
    /// is then the only clock.
    async fn pushed(&self) {
        futures::future::pending::<()>().await;
    }
}
