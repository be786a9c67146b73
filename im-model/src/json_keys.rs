//! Every Tencent JSON object of the model with its keys, in one table:
//! what the key snapshot and the C API's golden test (every key is one of
//! Tencent's constants) walk, so that a new object is checked by both
//! once it is listed here.

use crate::conversation::*;
use crate::group::*;
use crate::message::*;
use crate::profile::UserProfileItem;

macro_rules! wire_objects {
    ($($ty:ident),* $(,)?) => {
        /// `(type name, its JSON keys)` for every wire object, conversation
        /// objects first, then messages, elements, profiles and parameters.
        pub const WIRE_OBJECTS: &[(&str, &[&str])] = &[$((stringify!($ty), $ty::JSON_KEYS)),*];
    };
}

wire_objects!(
    ConvInfo,
    Draft,
    GroupAtInfo,
    ConversationListFilter,
    ConversationListResult,
    GetConversationListParam,
    TotalUnreadResult,
    ConversationOperationResult,
    Message,
    TextElem,
    CustomElem,
    ImageElem,
    SoundElem,
    VideoElem,
    FileElem,
    LocationElem,
    FaceElem,
    MergeElem,
    GroupReportElem,
    GroupTipsElem,
    GroupTipGroupChangeInfo,
    GroupTipMemberChangeInfo,
    GroupTipMemberMarkChangeInfo,
    UserProfile,
    UserProfileCustomString,
    UserProfileItem,
    GroupDetailInfo,
    GroupBaseInfo,
    GroupSelfInfo,
    GetGroupInfoResult,
    GroupModifyInfoParam,
    GroupInfoCustomString,
    GroupMemberInfo,
    OfflinePushConfig,
    MsgLocator,
    MsgGetMsgListParam,
    MsgDeleteParam,
    MessageSearchParam,
    MessageSearchResult,
    MessageSearchResultItem,
    MsgBatchSendParam,
    MsgBatchSendResult,
    DownloadElemParam,
    DownloadElemResult,
    C2CReceiveMessageOptResult,
    AllReceiveMessageOptInfo,
    RevokeNotice,
    MessageReceipt,
    SearchMatchRange,
);
