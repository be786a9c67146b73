//! Message events apps are told, each after its commit, once per change.

use im_model::message::{Message, MessageReceipt, RevokeNotice, UserProfile};

/// A message change; the Tencent callback each maps to is named.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MsgEvent {
    /// Messages not seen before arrived (`TIMAddRecvNewMsgCallback`).
    NewMessages(Vec<Message>),
    /// Messages were revoked (`TIMSetMsgRevokeCallback`).
    Revoked(Vec<RevokeNotice>),
    /// Peers read our messages (`TIMSetMsgReadedReceiptCallback`).
    ReadReceipts(Vec<MessageReceipt>),
    /// Messages were modified, by us or by others (`TIMSetMsgUpdateCallback`).
    Updated(Vec<Message>),
    /// An element of a message being sent is uploading
    /// (`TIMSetMsgElemUploadProgressCallback`).
    UploadProgress {
        /// The message.
        msg_id: String,
        /// Index of the element in `message_elem_array`.
        elem_index: u32,
        /// Bytes sent.
        current: u64,
        /// Total bytes.
        total: u64,
    },
    /// A user's profile changed: the logged-in user's own
    /// (`TIMSetSelfInfoUpdatedCallback`) or that of someone who shares a
    /// conversation with them (`TIMSetUserInfoChangedCallback`). A C2C
    /// conversation it renames is announced as updated too.
    ProfileUpdated {
        /// The profile as it is now (boxed: it is the largest payload).
        profile: Box<UserProfile>,
        /// The logged-in user's own profile.
        is_self: bool,
    },
}
