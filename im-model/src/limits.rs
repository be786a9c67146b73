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
/// The largest unread count of one conversation a client takes from a
/// server's snapshot (a larger one is clamped): summed over any number of
/// conversations a device can hold, totals stay far below `i64::MAX`.
pub const MAX_SNAPSHOT_UNREAD: u64 = u32::MAX as u64;
/// The most unread mentions of one conversation a client takes from a
/// server's snapshot (the newest are kept).
pub const MAX_SNAPSHOT_MENTIONS: usize = 100;
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
/// Largest conversation page one call returns; a larger `count` is served
/// as this many (the caller continues with `next_seq`). Page sizes are
/// clamped, never used to size an allocation.
pub const MAX_CONVERSATION_PAGE: u32 = 1000;
/// Largest history page one `TIMMsgGetMsgList` call returns; a larger
/// `msg_getmsglist_param_count` is served as this many.
pub const MAX_MESSAGE_PAGE: u32 = 1000;
/// Largest local search page; a larger `page_size` is served as this many.
pub const MAX_SEARCH_PAGE: u32 = 1000;
/// Latest time (seconds since the Unix epoch) a message, draft or
/// conversation may carry: 9999-12-31T23:59:59Z. Tencent's times are
/// seconds; a larger value is almost always milliseconds or microseconds
/// passed by mistake, and every backend refuses it (6017) instead of
/// storing a time that sorts or pages differently from one backend to the
/// next.
pub const MAX_TIME_SECS: u64 = 253_402_300_799;
/// Whether `secs` is a time every backend stores and orders exactly.
pub const fn is_valid_time(secs: u64) -> bool {
    secs <= MAX_TIME_SECS
}

/// Largest image or voice file, in bytes (else 7005).
pub const MAX_IMAGE_OR_SOUND_BYTES: u64 = 28 * 1024 * 1024;
/// Largest video or file, in bytes (else 7005).
pub const MAX_VIDEO_OR_FILE_BYTES: u64 = 100 * 1024 * 1024;
