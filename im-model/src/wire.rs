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
use crate::{ConvId, GroupAtInfo, ImError, ImResult, ReceiveMessageOpt};
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

/// One message to many users (at most 500): the message once, and each
/// receiver's copy by the id and random the sender gave it. 500 whole
/// copies of a message of 12 KB would be 6 MB; this is at most about
/// 130 KB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSendRequest {
    /// Receivers (C2C user ids).
    pub users: Vec<String>,
    /// What every copy holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// Each receiver's copy, in `users`' order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<BatchCopy>,
    /// The form of earlier versions, still taken from their clients: a
    /// whole message per receiver, in `users`' order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
}

/// One receiver's copy of a batch message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCopy {
    /// The copy's message id (`message_msg_id`).
    pub msg_id: String,
    /// The copy's random (`message_rand`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rand: Option<u64>,
}

impl BatchSendRequest {
    /// The request for `copies` of one message (each already given its
    /// id, random and conversation by the sender), in `users`' order.
    pub fn of_copies(users: Vec<String>, copies: &[Message]) -> BatchSendRequest {
        let message = copies.first().map(|first| Message {
            msg_id: None,
            rand: None,
            conv_id: None,
            ..first.clone()
        });
        BatchSendRequest {
            users,
            message,
            copies: copies
                .iter()
                .map(|m| BatchCopy {
                    msg_id: m.msg_id.clone().unwrap_or_default(),
                    rand: m.rand,
                })
                .collect(),
            messages: Vec::new(),
        }
    }

    /// Each receiver with its copy: the message with the copy's id, random
    /// and conversation, or, from an earlier client, its whole copy.
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` when the copies and the receivers do not
    /// pair up, or the message is missing.
    pub fn into_copies(self) -> ImResult<Vec<(String, Message)>> {
        let BatchSendRequest {
            users,
            message,
            copies,
            messages,
        } = self;
        if !messages.is_empty() {
            if messages.len() != users.len() || message.is_some() || !copies.is_empty() {
                return Err(ImError::invalid_param("one message per user"));
            }
            return Ok(users.into_iter().zip(messages).collect());
        }
        let Some(message) = message else {
            return Err(ImError::invalid_param("the batch has no message"));
        };
        if copies.len() != users.len() {
            return Err(ImError::invalid_param("one copy per user"));
        }
        Ok(users
            .into_iter()
            .zip(copies)
            .map(|(user, copy)| {
                let message = Message {
                    msg_id: Some(copy.msg_id),
                    rand: copy.rand,
                    conv_id: Some(user.clone()),
                    ..message.clone()
                };
                (user, message)
            })
            .collect())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_batch_carries_the_message_once_and_gives_back_each_copy() {
        let copies: Vec<Message> = ["bob", "carol"]
            .iter()
            .enumerate()
            .map(|(i, user)| Message {
                msg_id: Some(format!("id-{i}")),
                rand: Some(100 + i as u64),
                conv_id: Some((*user).to_owned()),
                ..Message::text("news")
            })
            .collect();
        let users = vec!["bob".to_owned(), "carol".to_owned()];
        let request = BatchSendRequest::of_copies(users.clone(), &copies);
        let text = serde_json::to_string(&request).unwrap();
        assert_eq!(text.matches("news").count(), 1, "{text}");
        let back: BatchSendRequest = serde_json::from_str(&text).unwrap();
        let expected: Vec<(String, Message)> = users.into_iter().zip(copies.clone()).collect();
        assert_eq!(back.into_copies().unwrap(), expected);
        // The earlier form: a whole message per user.
        let legacy = BatchSendRequest {
            users: vec!["bob".into(), "carol".into()],
            message: None,
            copies: Vec::new(),
            messages: copies,
        };
        assert_eq!(legacy.clone().into_copies().unwrap(), expected);
        // Copies that do not pair with the users are refused.
        for bad in [
            BatchSendRequest {
                users: vec!["bob".into()],
                ..legacy
            },
            BatchSendRequest {
                copies: vec![BatchCopy {
                    msg_id: "x".into(),
                    rand: None,
                }],
                ..BatchSendRequest::of_copies(
                    vec!["a".into(), "b".into()],
                    &expected[..1]
                        .iter()
                        .map(|c| c.1.clone())
                        .collect::<Vec<_>>(),
                )
            },
            BatchSendRequest {
                users: vec!["bob".into()],
                message: None,
                copies: Vec::new(),
                messages: Vec::new(),
            },
        ] {
            assert_eq!(
                bad.into_copies().unwrap_err().code,
                crate::ErrorCode::InvalidParameters
            );
        }
    }
}
