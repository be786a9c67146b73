//! The wire format between the SDK and a server: requests, answers and
//! server events of the transport contract (`im-transport`'s `Transport`
//! trait), and the HTTP binding of them ([`http`]).
//!
//! They live here, in the model, because both ends use them: the client's
//! transports and the reference server (`im-server`), which depends on the
//! model only. They serialize with serde (snake_case keys; messages in
//! Tencent's JSON).

pub mod http;
mod roaming;

pub use roaming::{ConvStateBook, Listing};

use crate::message::{
    AllReceiveMessageOptInfo, DownloadElemParam, Message, MessageReceipt, UserProfile,
};
use crate::{ConvId, GroupAtInfo, ImError, ReceiveMessageOpt};
use serde::{Deserialize, Serialize};

/// A session's credentials.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The user id (printable ASCII, at most 32 bytes).
    pub user_id: String,
    /// The user's signature ticket (Tencent's UserSig).
    pub user_sig: String,
}

impl std::fmt::Debug for LoginRequest {
    /// Never prints the UserSig: it is a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("user_id", &self.user_id)
            .field("user_sig", &"<redacted>")
            .finish()
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendRequest {
    /// The conversation.
    pub conv: ConvId,
    /// The message; its `message_msg_id` is the idempotency key.
    pub message: Message,
}

/// The server's acknowledgement of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendAck {
    /// Sequence in the conversation.
    pub seq: u64,
    /// Server time (seconds).
    pub server_time: u64,
    /// Server-unique id.
    pub unique_id: u64,
}

/// A revoke of a sent message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevokeRequest {
    /// The conversation.
    pub conv: ConvId,
    /// The message's id.
    pub msg_id: String,
    /// Its sequence.
    pub seq: u64,
    /// Why (optional, shown to peers).
    pub reason: String,
}

/// Read positions to report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadReport {
    /// One entry per conversation.
    pub items: Vec<ReadPosition>,
}

/// A conversation read up to a position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadPosition {
    /// The conversation.
    pub conv: ConvId,
    /// C2C: time of the newest message read.
    pub read_time: u64,
    /// Groups: sequence of the newest message read.
    pub read_seq: u64,
}

/// A page of roaming history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRequest {
    /// The conversation.
    pub conv: ConvId,
    /// Anchor `(time, seq)`, exclusive; `None`: from the newest (or oldest).
    pub anchor: Option<(u64, u64)>,
    /// Newer than the anchor (`true`) or older.
    pub newer: bool,
    /// Closed time range, if any.
    pub time_range: Option<(u64, u64)>,
    /// At most this many.
    pub count: u32,
}

/// A pull of server events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// Events after this cursor (0: from the start).
    pub cursor: u64,
    /// At most this many.
    pub limit: u32,
}

/// One event of the user's event stream, with its server-assigned cursor.
/// Cursors strictly increase along the stream; they may skip numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequencedEvent {
    /// The event's position in the stream.
    pub cursor: u64,
    /// What happened.
    pub event: ServerEvent,
}

/// Events after a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatch {
    /// The events, in stream order.
    pub events: Vec<SequencedEvent>,
    /// Where the next pull starts: at least the last event's cursor (more
    /// when the server skipped positions).
    pub next_cursor: u64,
    /// More events are waiting.
    pub has_more: bool,
    /// The newest cursor the server had when it answered (0 when the
    /// answer does not say): how far a first sync has to go, for progress.
    #[serde(default)]
    pub head: u64,
}

/// The answer to a pull of events: the events, or word that the cursor is
/// older than anything the server keeps (or unknown to it: past the end
/// of its stream), so the client must resync
/// (`Transport::conversation_snapshot` of im-transport, and recent
/// history) instead of failing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventPage {
    /// The events after the cursor.
    Events(EventBatch),
    /// The cursor is too old; resync.
    CursorTooOld,
}

/// What a device with no cursor (new, cleared, or whose cursor the server
/// no longer keeps) starts from, read by the server in one consistent
/// read: the groups, each conversation's roaming state and summary, and
/// the stream position all of it reflects (live events follow after it).
/// Message history is not in it: it comes on demand (roaming pulls).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationSnapshot {
    /// The conversation groups, in creation order.
    pub groups: Vec<String>,
    /// Each conversation the user has on the server, with its state.
    pub conversations: Vec<(ConvId, ConvRoamingState)>,
    /// The stream position of the snapshot.
    pub cursor: u64,
    /// Each conversation's last message, unread count and mentions (the
    /// conversations with messages; a server that does not send them
    /// leaves it empty).
    #[serde(default)]
    pub summaries: Vec<ConvSummary>,
    /// Receive options set for peers and groups that are not in
    /// `conversations` (a deleted conversation's, say): remembered, and
    /// applied when the conversation comes back.
    #[serde(default)]
    pub receive_options: Vec<(ConvId, ReceiveMessageOpt)>,
    /// The profiles of the user and of their C2C peers (a device shows
    /// names from its first screen on).
    #[serde(default)]
    pub profiles: Vec<UserProfile>,
}

/// A conversation as the server sees it for one user, in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvSummary {
    /// The conversation, from the user's side.
    pub conv: ConvId,
    /// Its newest message the user sees, if any.
    pub last_message: Option<Message>,
    /// Messages after the user's read position that count as unread.
    pub unread: u64,
    /// Unread messages that mention the user (groups), newest first.
    #[serde(default)]
    pub mentions: Vec<GroupAtInfo>,
}

/// Something that happened on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServerEvent {
    /// A message arrived (also our own, sent from this or another device).
    NewMessage {
        /// The conversation, from this user's side.
        conv: ConvId,
        /// The message, with server fields filled.
        message: Message,
    },
    /// A message was revoked.
    Revoked {
        /// The conversation.
        conv: ConvId,
        /// The message's id.
        msg_id: String,
        /// Who revoked it.
        revoker: String,
        /// Why.
        reason: String,
    },
    /// A C2C peer read our messages up to a time.
    PeerRead {
        /// The conversation.
        conv: ConvId,
        /// Time of the newest message the peer read.
        read_time: u64,
    },
    /// A message was modified (by its sender or a server hook).
    Modified {
        /// The conversation.
        conv: ConvId,
        /// The message as it is now.
        message: Message,
    },
    /// Message-level read receipts for messages we sent.
    Receipts {
        /// The receipts (Tencent's `MessageReceipt`).
        receipts: Vec<MessageReceipt>,
    },
    /// A conversation's roaming state after a change made on one of this
    /// user's devices (this one included): apply it as it is.
    ConversationState {
        /// The conversation.
        conv: ConvId,
        /// Its state on the server now.
        state: ConvRoamingState,
    },
    /// The user's conversation groups after a create, delete or rename, in
    /// creation order. (What servers before
    /// [`ServerEvent::ConversationStateChanged`] sent; still applied.)
    ConversationGroups {
        /// The group names.
        names: Vec<String>,
    },
    /// Conversations the user deleted (on any of their devices): they
    /// leave the list here too.
    ConversationsDeleted {
        /// The conversations.
        convs: Vec<ConvId>,
    },
    /// The result of one change to the user's conversation state (a group
    /// created, deleted or renamed, conversations added to or removed from
    /// a group, pins, marks, custom data), as one event, so that a device
    /// applies it in one write and announces it once: a group created with
    /// conversations is one "created" carrying them, not "created" and
    /// then "added".
    ConversationStateChanged {
        /// The group list after the change, in creation order, when the
        /// change altered it.
        #[serde(default)]
        groups: Option<Vec<String>>,
        /// The state of every conversation the change touched.
        #[serde(default)]
        convs: Vec<(ConvId, ConvRoamingState)>,
        /// Conversations the change evicted from a group that passed
        /// `MAX_CONVERSATIONS_PER_GROUP` (the oldest added leave first):
        /// `(group, conversation)`. Their states are in `convs`.
        #[serde(default)]
        evicted: Vec<(String, ConvId)>,
    },
    /// A user's profile after a change: the user's own (on every one of
    /// their devices) or that of a C2C peer.
    ProfileUpdated {
        /// The whole profile as it is now.
        profile: UserProfile,
    },
}

/// The part of a conversation that lives on the server and roams between
/// a user's devices, as in Tencent's cloud (drafts stay local).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvRoamingState {
    /// Pinned to the top.
    pub pinned: bool,
    /// The mark bits (`conv_mark_array` as one 64-bit set).
    pub marks: u64,
    /// The conversation groups holding it.
    pub groups: Vec<String>,
    /// App custom data.
    pub custom_data: String,
    /// Receive option.
    pub recv_opt: ReceiveMessageOpt,
    /// C2C: time of the newest message read.
    pub read_time: u64,
    /// Groups: sequence of the newest message read.
    pub read_seq: u64,
}

impl Default for ConvRoamingState {
    fn default() -> Self {
        ConvRoamingState {
            pinned: false,
            marks: 0,
            groups: Vec::new(),
            custom_data: String::new(),
            recv_opt: ReceiveMessageOpt::Receive,
            read_time: 0,
            read_seq: 0,
        }
    }
}

/// A change to the user's conversation state, sent to the server (the
/// source of truth, which answers Tencent's 51006-51011 errors) and roamed
/// to the user's other devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// Exhaustive on purpose: a server must apply every change a client can
// send, so a new kind of change must fail to compile where it is not.
pub enum ConvStateChange {
    /// `TIMConvPinConversation`.
    Pin {
        /// The conversation.
        conv: ConvId,
        /// Pinned or not.
        pinned: bool,
    },
    /// `TIMConvMarkConversation`.
    Mark {
        /// The conversations (at most 100).
        convs: Vec<ConvId>,
        /// The bits to set or clear.
        mark_type: u64,
        /// Set (`true`) or clear.
        enable: bool,
    },
    /// `TIMConvSetConversationCustomData`.
    CustomData {
        /// The conversations (at most 100).
        convs: Vec<ConvId>,
        /// The data (at most 256 bytes).
        data: String,
    },
    /// `TIMConvCreateConversationGroup`.
    CreateGroup {
        /// The new group's name.
        name: String,
        /// Its first conversations.
        convs: Vec<ConvId>,
    },
    /// `TIMConvDeleteConversationGroup`.
    DeleteGroup {
        /// The group.
        name: String,
    },
    /// `TIMConvRenameConversationGroup`.
    RenameGroup {
        /// The current name.
        old: String,
        /// The new name.
        new: String,
    },
    /// `TIMConvAddConversationsToGroup`.
    AddToGroup {
        /// The group.
        name: String,
        /// The conversations.
        convs: Vec<ConvId>,
    },
    /// `TIMConvDeleteConversationsFromGroup`.
    RemoveFromGroup {
        /// The group.
        name: String,
        /// The conversations.
        convs: Vec<ConvId>,
    },
    /// `TIMConvDelete`, `TIMConvDeleteConversationList`: the conversations
    /// leave the user's list on every device, with their pin, marks,
    /// groups and custom data (read positions and receive options stay:
    /// they belong to the peer or group). A later message brings a
    /// conversation back.
    DeleteConversations {
        /// The conversations (at most 100).
        convs: Vec<ConvId>,
    },
}

/// The outcome of a modify: the message as the server holds it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifyOutcome {
    /// The latest version of the message.
    pub message: Message,
    /// The modify lost against a concurrent one (`message` is the winner).
    pub conflict: bool,
}

/// Messages to acknowledge as read, by conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptRequest {
    /// The conversation.
    pub conv: ConvId,
    /// The messages' ids.
    pub msg_ids: Vec<String>,
}

/// The account-wide receive option (Tencent's `TIMReceiveMessageOptInfo`).
pub type AllReceiveOption = AllReceiveMessageOptInfo;

/// One message to many users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSendRequest {
    /// Receivers (C2C user ids).
    pub users: Vec<String>,
    /// The message (one id per receiver is assigned by the sender).
    pub messages: Vec<Message>,
}

/// The outcome of a batch send for one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSendOutcome {
    /// The receiver.
    pub user: String,
    /// The acknowledgement, or why it failed.
    pub result: Result<SendAck, ImError>,
}

/// Messages to delete from roaming storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteRequest {
    /// The conversation.
    pub conv: ConvId,
    /// The messages' ids.
    pub msg_ids: Vec<String>,
}

/// What a receive option applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReceiveOptionTarget {
    /// These C2C peers.
    Users {
        /// User ids.
        users: Vec<String>,
    },
    /// One group.
    Group {
        /// Group id.
        group: String,
    },
}

/// A receive option to set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiveOptionRequest {
    /// Whom it applies to.
    pub target: ReceiveOptionTarget,
    /// The option.
    pub opt: ReceiveMessageOpt,
}

/// A peer's receive option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiveOption {
    /// The peer.
    pub user: String,
    /// The option.
    pub opt: ReceiveMessageOpt,
}

/// A file to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRequest {
    /// Local path (UTF-8).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
}

/// Where an uploaded file lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    /// File id.
    pub id: String,
    /// Download URL.
    pub url: String,
    /// Business id of the storage.
    pub business_id: u32,
}

/// A file to download (Tencent's `DownloadElemParam`).
pub type DownloadRequest = DownloadElemParam;

/// A piece of a download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadChunk {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Total size of the file.
    pub total: u64,
}

/// The keys of a merged message's stored body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedRequest {
    /// `merge_elem_relay_json_key`.
    pub json_key: String,
    /// `merge_elem_relay_pb_key`.
    pub pb_key: String,
}
