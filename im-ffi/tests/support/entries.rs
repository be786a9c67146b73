//! Every served function that takes JSON from the app, callable with one
//! text argument: what the hostile-input table and the fuzz harness feed.
//!
//! Every unsafe block below is sound for one reason, stated once: each
//! pointer passed is NULL, a static C string, a local buffer of the
//! documented size, or the input the caller keeps alive for the call, and
//! the callback is `record`.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::{c_char, c_int, c_void};

use ImSDK::api::{conversation as conv, experimental, group, manager, message as msg};

use super::calls::record;

/// The entries that are synchronous in Tencent's API: they answer with
/// their return value and never call back.
pub const SYNCHRONOUS: &[&str] = &[
    "TIMConvSetDraft",
    "TIMConvSubscribeUnreadMessageCountByFilter",
    "TIMConvUnsubscribeUnreadMessageCountByFilter",
];

/// A JSON-taking entry point, called with the hostile text and a key.
pub type Entry = (&'static str, fn(*const c_char, *const c_void) -> c_int);

/// Every served function that takes JSON from the app, with its other
/// arguments valid, so that the JSON decides the outcome.
pub fn entries() -> Vec<Entry> {
    vec![
        ("TIMConvGetConvInfo", |p, k| unsafe {
            conv::TIMConvGetConvInfo(p, Some(record), k)
        }),
        ("TIMConvGetConversationListByFilter", |p, k| unsafe {
            conv::TIMConvGetConversationListByFilter(p, 0, 10, Some(record), k)
        }),
        ("TIMConvDeleteConversationList", |p, k| unsafe {
            conv::TIMConvDeleteConversationList(p, 1, Some(record), k)
        }),
        ("TIMConvSetDraft", |p, _| unsafe {
            conv::TIMConvSetDraft(c"bob".as_ptr(), 1, p)
        }),
        ("TIMConvSetConversationCustomData", |p, k| unsafe {
            conv::TIMConvSetConversationCustomData(p, c"x".as_ptr(), Some(record), k)
        }),
        ("TIMConvMarkConversation", |p, k| unsafe {
            conv::TIMConvMarkConversation(p, 1, 1, Some(record), k)
        }),
        ("TIMConvGetUnreadMessageCountByFilter", |p, k| unsafe {
            conv::TIMConvGetUnreadMessageCountByFilter(p, Some(record), k)
        }),
        (
            "TIMConvSubscribeUnreadMessageCountByFilter",
            |p, _| unsafe { conv::TIMConvSubscribeUnreadMessageCountByFilter(p) },
        ),
        (
            "TIMConvUnsubscribeUnreadMessageCountByFilter",
            |p, _| unsafe { conv::TIMConvUnsubscribeUnreadMessageCountByFilter(p) },
        ),
        ("TIMConvCreateConversationGroup", |p, k| unsafe {
            conv::TIMConvCreateConversationGroup(c"g".as_ptr(), p, Some(record), k)
        }),
        ("TIMConvAddConversationsToGroup", |p, k| unsafe {
            conv::TIMConvAddConversationsToGroup(c"g".as_ptr(), p, Some(record), k)
        }),
        ("TIMConvDeleteConversationsFromGroup", |p, k| unsafe {
            conv::TIMConvDeleteConversationsFromGroup(c"g".as_ptr(), p, Some(record), k)
        }),
        ("TIMMsgSendMessage", |p, k| unsafe {
            let mut id = [0 as c_char; 128];
            msg::TIMMsgSendMessage(c"bob".as_ptr(), 1, p, id.as_mut_ptr(), Some(record), k)
        }),
        ("TIMMsgSendNewMsg", |p, k| unsafe {
            msg::TIMMsgSendNewMsg(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgBatchSend", |p, k| unsafe {
            msg::TIMMsgBatchSend(p, Some(record), k)
        }),
        ("TIMMsgDownloadElemToPath", |p, k| unsafe {
            msg::TIMMsgDownloadElemToPath(p, c"/nonexistent/im-ffi".as_ptr(), Some(record), k)
        }),
        ("TIMMsgDownloadMergerMessage", |p, k| unsafe {
            msg::TIMMsgDownloadMergerMessage(p, Some(record), k)
        }),
        ("TIMMsgSetLocalCustomData", |p, k| unsafe {
            msg::TIMMsgSetLocalCustomData(p, Some(record), k)
        }),
        ("TIMMsgSetC2CReceiveMessageOpt", |p, k| unsafe {
            msg::TIMMsgSetC2CReceiveMessageOpt(p, 0, Some(record), k)
        }),
        ("TIMMsgGetC2CReceiveMessageOpt", |p, k| unsafe {
            msg::TIMMsgGetC2CReceiveMessageOpt(p, Some(record), k)
        }),
        ("TIMMsgGetMsgList", |p, k| unsafe {
            msg::TIMMsgGetMsgList(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgRevoke", |p, k| unsafe {
            msg::TIMMsgRevoke(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgModifyMessage", |p, k| unsafe {
            msg::TIMMsgModifyMessage(p, Some(record), k)
        }),
        ("TIMMsgDelete", |p, k| unsafe {
            msg::TIMMsgDelete(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgListDelete", |p, k| unsafe {
            msg::TIMMsgListDelete(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgSaveMsg", |p, k| unsafe {
            msg::TIMMsgSaveMsg(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgImportMsgList", |p, k| unsafe {
            msg::TIMMsgImportMsgList(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgFindMessages", |p, k| unsafe {
            msg::TIMMsgFindMessages(p, Some(record), k)
        }),
        ("TIMMsgFindByMsgLocatorList", |p, k| unsafe {
            msg::TIMMsgFindByMsgLocatorList(c"bob".as_ptr(), 1, p, Some(record), k)
        }),
        ("TIMMsgSearchLocalMessages", |p, k| unsafe {
            msg::TIMMsgSearchLocalMessages(p, Some(record), k)
        }),
        ("TIMMsgSendMessageReadReceipts", |p, k| unsafe {
            msg::TIMMsgSendMessageReadReceipts(p, Some(record), k)
        }),
        ("TIMMsgGetMessageReadReceipts", |p, k| unsafe {
            msg::TIMMsgGetMessageReadReceipts(p, Some(record), k)
        }),
        ("TIMSetConfig", |p, k| unsafe {
            manager::TIMSetConfig(p, Some(record), k)
        }),
        ("callExperimentalAPI", |p, k| unsafe {
            experimental::callExperimentalAPI(p, Some(record), k)
        }),
        ("TIMGroupCreate", |p, k| unsafe {
            group::TIMGroupCreate(p, Some(record), k)
        }),
        ("TIMGroupInviteMember", |p, k| unsafe {
            group::TIMGroupInviteMember(p, Some(record), k)
        }),
        ("TIMGroupDeleteMember", |p, k| unsafe {
            group::TIMGroupDeleteMember(p, Some(record), k)
        }),
    ]
}
