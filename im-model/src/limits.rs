//! The product's limits, named once (spec section 4.2).

/// Most conversation groups one user may have (else 51010).
pub const MAX_CONVERSATION_GROUPS: usize = 20;
/// Longest conversation group name, in UTF-8 bytes (else 51011).
pub const MAX_CONVERSATION_GROUP_NAME_BYTES: usize = 32;
/// Most conversations in one mark, group or custom-data call (else 51006).
pub const MAX_CONVERSATIONS_PER_CALL: usize = 100;
/// Most conversations in one `TIMConvDeleteConversationList` call.
pub const MAX_CONVERSATIONS_PER_DELETE: usize = 100;
/// Longest conversation custom data, in bytes.
pub const MAX_CONVERSATION_CUSTOM_DATA_BYTES: usize = 256;
/// Most conversations in one conversation group; the oldest-added is evicted beyond it.
pub const MAX_CONVERSATIONS_PER_GROUP: usize = 1000;
/// Longest peer or group id accepted, in bytes (the C API's id buffers are 128 bytes
/// including the terminating NUL).
pub const MAX_PEER_ID_BYTES: usize = 127;
/// Largest message body, in bytes (else 8001).
pub const MAX_MESSAGE_BODY_BYTES: usize = 12 * 1024;
/// Most keywords in one message search.
pub const MAX_SEARCH_KEYWORDS: usize = 5;
/// Most senders in one message search.
pub const MAX_SEARCH_SENDERS: usize = 5;
/// Most messages in one `TIMMsgListDelete` call.
pub const MAX_MESSAGES_PER_LIST_DELETE: usize = 50;
/// Most user ids in one `TIMMsgSetC2CReceiveMessageOpt` call.
pub const MAX_USERS_PER_C2C_RECEIVE_OPT: usize = 30;
/// Most messages in a merged message.
pub const MAX_MERGED_MESSAGES: usize = 300;
/// Default revoke window, in seconds.
pub const DEFAULT_REVOKE_WINDOW_SECS: u64 = 120;
/// Recommended conversation page size.
pub const RECOMMENDED_CONVERSATION_PAGE: u32 = 100;
/// Largest image or voice file, in bytes (else 7005).
pub const MAX_IMAGE_OR_SOUND_BYTES: u64 = 28 * 1024 * 1024;
/// Largest video or file, in bytes (else 7005).
pub const MAX_VIDEO_OR_FILE_BYTES: u64 = 100 * 1024 * 1024;
