//! Tencent's enums with their exact numbers (spec section 2), for the
//! header and the tests. Parameters never take these types (see the
//! parent module); code compares numbers with `as i32`.

/// The synchronous result of every call (`TIMResult`, spec 2.1).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMResult {
    /// `TIM_SUCC`.
    TIM_SUCC = 0,
    /// `TIM_ERR_SDKUNINIT`.
    TIM_ERR_SDKUNINIT = -1,
    /// `TIM_ERR_NOTLOGIN`.
    TIM_ERR_NOTLOGIN = -2,
    /// `TIM_ERR_JSON`.
    TIM_ERR_JSON = -3,
    /// `TIM_ERR_PARAM`.
    TIM_ERR_PARAM = -4,
    /// `TIM_ERR_CONV`.
    TIM_ERR_CONV = -5,
    /// `TIM_ERR_GROUP`.
    TIM_ERR_GROUP = -6,
}

/// Conversation type (spec 2.2).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMConvType {
    /// `kTIMConv_Invalid`.
    kTIMConv_Invalid = 0,
    /// `kTIMConv_C2C`.
    kTIMConv_C2C = 1,
    /// `kTIMConv_Group`.
    kTIMConv_Group = 2,
    /// `kTIMConv_System`.
    kTIMConv_System = 3,
}

/// What a conversation event reports (spec 2.3).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMConvEvent {
    /// `kTIMConvEvent_Add`.
    kTIMConvEvent_Add = 0,
    /// `kTIMConvEvent_Del`.
    kTIMConvEvent_Del = 1,
    /// `kTIMConvEvent_Update`.
    kTIMConvEvent_Update = 2,
    /// `kTIMConvEvent_Start`.
    kTIMConvEvent_Start = 3,
    /// `kTIMConvEvent_Finish`.
    kTIMConvEvent_Finish = 4,
}

/// Built-in conversation marks (spec 2.4); custom marks are `1 << n`, 32 <= n < 64.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMConversationMarkType {
    /// `kTIMConversationMarkTypeStar`.
    kTIMConversationMarkTypeStar = 0x1,
    /// `kTIMConversationMarkTypeUnread`.
    kTIMConversationMarkTypeUnread = 0x1 << 1,
    /// `kTIMConversationMarkTypeFold`.
    kTIMConversationMarkTypeFold = 0x1 << 2,
    /// `kTIMConversationMarkTypeHide`.
    kTIMConversationMarkTypeHide = 0x1 << 3,
}

/// Group mention kind (spec 2.5).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMGroupAtType {
    /// `kTIMGroup_At_Me`.
    kTIMGroup_At_Me = 1,
    /// `kTIMGroup_At_All`.
    kTIMGroup_At_All = 2,
    /// `kTIMGroup_At_All_At_ME`.
    kTIMGroup_At_All_At_ME = 3,
}

/// Receive option (spec 2.6).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMReceiveMessageOpt {
    /// `kTIMRecvMsgOpt_Receive`.
    kTIMRecvMsgOpt_Receive = 0,
    /// `kTIMRecvMsgOpt_Not_Receive`.
    kTIMRecvMsgOpt_Not_Receive = 1,
    /// `kTIMRecvMsgOpt_Not_Notify`.
    kTIMRecvMsgOpt_Not_Notify = 2,
    /// `kTIMRecvMsgOpt_Not_Notify_Except_At`.
    kTIMRecvMsgOpt_Not_Notify_Except_At = 3,
    /// `kTIMRecvMsgOpt_Not_Receive_Except_At`.
    kTIMRecvMsgOpt_Not_Receive_Except_At = 4,
}

/// Element type (spec 2.7).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMElemType {
    /// `kTIMElem_Text`.
    kTIMElem_Text = 0,
    /// `kTIMElem_Image`.
    kTIMElem_Image = 1,
    /// `kTIMElem_Sound`.
    kTIMElem_Sound = 2,
    /// `kTIMElem_Custom`.
    kTIMElem_Custom = 3,
    /// `kTIMElem_File`.
    kTIMElem_File = 4,
    /// `kTIMElem_GroupTips`.
    kTIMElem_GroupTips = 5,
    /// `kTIMElem_Face`.
    kTIMElem_Face = 6,
    /// `kTIMElem_Location`.
    kTIMElem_Location = 7,
    /// `kTIMElem_GroupReport`.
    kTIMElem_GroupReport = 8,
    /// `kTIMElem_Video`.
    kTIMElem_Video = 9,
    /// `kTIMElem_FriendChange`.
    kTIMElem_FriendChange = 10,
    /// `kTIMElem_ProfileChange`.
    kTIMElem_ProfileChange = 11,
    /// `kTIMElem_Merge`.
    kTIMElem_Merge = 12,
    /// `kTIMElem_Invalid`.
    kTIMElem_Invalid = -1,
}

/// Message status (spec 2.8).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMMsgStatus {
    /// `kTIMMsg_Sending`.
    kTIMMsg_Sending = 1,
    /// `kTIMMsg_SendSucc`.
    kTIMMsg_SendSucc = 2,
    /// `kTIMMsg_SendFail`.
    kTIMMsg_SendFail = 3,
    /// `kTIMMsg_Deleted`.
    kTIMMsg_Deleted = 4,
    /// `kTIMMsg_LocalImported`.
    kTIMMsg_LocalImported = 5,
    /// `kTIMMsg_Revoked`.
    kTIMMsg_Revoked = 6,
    /// `kTIMMsg_Cancel`.
    kTIMMsg_Cancel = 7,
}

/// Message priority (spec 2.9).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMMsgPriority {
    /// `kTIMMsgPriority_High`.
    kTIMMsgPriority_High = 0,
    /// `kTIMMsgPriority_Normal`.
    kTIMMsgPriority_Normal = 1,
    /// `kTIMMsgPriority_Low`.
    kTIMMsgPriority_Low = 2,
    /// `kTIMMsgPriority_Lowest`.
    kTIMMsgPriority_Lowest = 3,
}

/// Platform (spec 2.10).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMPlatform {
    /// `kTIMPlatform_Other`.
    kTIMPlatform_Other = 0,
    /// `kTIMPlatform_Windows`.
    kTIMPlatform_Windows = 1,
    /// `kTIMPlatform_Android`.
    kTIMPlatform_Android = 2,
    /// `kTIMPlatform_IOS`.
    kTIMPlatform_IOS = 3,
    /// `kTIMPlatform_Mac`.
    kTIMPlatform_Mac = 4,
    /// `kTIMPlatform_Simulator`.
    kTIMPlatform_Simulator = 5,
}

/// Image level (spec 2.11).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMImageLevel {
    /// `kTIMImageLevel_Orig`.
    kTIMImageLevel_Orig = 0,
    /// `kTIMImageLevel_Compression`.
    kTIMImageLevel_Compression = 1,
    /// `kTIMImageLevel_HD`.
    kTIMImageLevel_HD = 2,
}

/// Download type (spec 2.12).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMDownloadType {
    /// `kTIMDownload_VideoThumb`.
    kTIMDownload_VideoThumb = 0,
    /// `kTIMDownload_File`.
    kTIMDownload_File = 1,
    /// `kTIMDownload_Video`.
    kTIMDownload_Video = 2,
    /// `kTIMDownload_Sound`.
    kTIMDownload_Sound = 3,
}

/// Keyword match (spec 2.13).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMKeywordListMatchType {
    /// `TIMKeywordListMatchType_Or`.
    TIMKeywordListMatchType_Or = 0,
    /// `TIMKeywordListMatchType_And`.
    TIMKeywordListMatchType_And = 1,
}

/// Group read-member filter (spec 2.14).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMGroupMessageReadMembersFilter {
    /// `TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_READ`.
    TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_READ = 0,
    /// `TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_UNREAD`.
    TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_UNREAD = 1,
}

/// Group report type (spec 2.15).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMGroupReportType {
    /// `kTIMGroupReport_None`.
    kTIMGroupReport_None = 0,
    /// `kTIMGroupReport_AddRequest`.
    kTIMGroupReport_AddRequest = 1,
    /// `kTIMGroupReport_AddAccept`.
    kTIMGroupReport_AddAccept = 2,
    /// `kTIMGroupReport_AddRefuse`.
    kTIMGroupReport_AddRefuse = 3,
    /// `kTIMGroupReport_BeKicked`.
    kTIMGroupReport_BeKicked = 4,
    /// `kTIMGroupReport_Delete`.
    kTIMGroupReport_Delete = 5,
    /// `kTIMGroupReport_Create`.
    kTIMGroupReport_Create = 6,
    /// `kTIMGroupReport_Invite`.
    kTIMGroupReport_Invite = 7,
    /// `kTIMGroupReport_Quit`.
    kTIMGroupReport_Quit = 8,
    /// `kTIMGroupReport_GrantAdmin`.
    kTIMGroupReport_GrantAdmin = 9,
    /// `kTIMGroupReport_CancelAdmin`.
    kTIMGroupReport_CancelAdmin = 10,
    /// `kTIMGroupReport_GroupRecycle`.
    kTIMGroupReport_GroupRecycle = 11,
    /// `kTIMGroupReport_InviteReqToInvitee`.
    kTIMGroupReport_InviteReqToInvitee = 12,
    /// `kTIMGroupReport_InviteAccept`.
    kTIMGroupReport_InviteAccept = 13,
    /// `kTIMGroupReport_InviteRefuse`.
    kTIMGroupReport_InviteRefuse = 14,
    /// `kTIMGroupReport_ReadReport`.
    kTIMGroupReport_ReadReport = 15,
    /// `kTIMGroupReport_UserDefine`.
    kTIMGroupReport_UserDefine = 16,
    /// `kTIMGroupReport_ShutUpMember`.
    kTIMGroupReport_ShutUpMember = 17,
    /// `kTIMGroupReport_TopicCreate`.
    kTIMGroupReport_TopicCreate = 18,
    /// `kTIMGroupReport_TopicDelete`.
    kTIMGroupReport_TopicDelete = 19,
    /// `kTIMGroupReport_GroupMessageRead`.
    kTIMGroupReport_GroupMessageRead = 20,
    /// `kTIMGroupReport_GroupMessageRecvOption`.
    kTIMGroupReport_GroupMessageRecvOption = 21,
    /// `kTIMGroupReport_BannedFromGroup`.
    kTIMGroupReport_BannedFromGroup = 22,
    /// `kTIMGroupReport_UnbannedFromGroup`.
    kTIMGroupReport_UnbannedFromGroup = 23,
    /// `kTIMGroupReport_InviteReqToAdmin`.
    kTIMGroupReport_InviteReqToAdmin = 24,
}

/// Group tip type (spec 2.16; the capital `K` is Tencent's spelling).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMGroupTipType {
    /// `kTIMGroupTip_None`.
    kTIMGroupTip_None = 0,
    /// `kTIMGroupTip_Invite`.
    kTIMGroupTip_Invite = 1,
    /// `kTIMGroupTip_Quit`.
    kTIMGroupTip_Quit = 2,
    /// `kTIMGroupTip_Kick`.
    kTIMGroupTip_Kick = 3,
    /// `kTIMGroupTip_SetAdmin`.
    kTIMGroupTip_SetAdmin = 4,
    /// `kTIMGroupTip_CancelAdmin`.
    kTIMGroupTip_CancelAdmin = 5,
    /// `kTIMGroupTip_GroupInfoChange`.
    kTIMGroupTip_GroupInfoChange = 6,
    /// `kTIMGroupTip_MemberInfoChange`.
    kTIMGroupTip_MemberInfoChange = 7,
    /// `kTIMGroupTip_MemberMarkChange`.
    kTIMGroupTip_MemberMarkChange = 8,
    /// `kTIMGroupTip_TopicInfoChange`.
    kTIMGroupTip_TopicInfoChange = 9,
    /// `KTIMGroupTip_PinnedMessageAdded`.
    KTIMGroupTip_PinnedMessageAdded = 10,
    /// `KTIMGroupTip_PinnedMessageDeleted`.
    KTIMGroupTip_PinnedMessageDeleted = 11,
}

/// Group type (spec 2.18).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMGroupType {
    /// `kTIMGroup_Public`.
    kTIMGroup_Public = 0,
    /// `kTIMGroup_Private`.
    kTIMGroup_Private = 1,
    /// `kTIMGroup_ChatRoom`.
    kTIMGroup_ChatRoom = 2,
    /// `kTIMGroup_BChatRoom`.
    kTIMGroup_BChatRoom = 3,
    /// `kTIMGroup_AVChatRoom`.
    kTIMGroup_AVChatRoom = 4,
    /// `kTIMGroup_Community`.
    kTIMGroup_Community = 5,
}

/// Group member role (spec 2.19).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMGroupMemberRole {
    /// `kTIMMemberRole_None`.
    kTIMMemberRole_None = 0,
    /// `kTIMMemberRole_Normal`.
    kTIMMemberRole_Normal = 200,
    /// `kTIMMemberRole_Admin`.
    kTIMMemberRole_Admin = 300,
    /// `kTIMMemberRole_Owner`.
    kTIMMemberRole_Owner = 400,
}

/// The outcome per member of a group membership call (TIMGroupManager.h).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum HandleGroupMemberResult {
    /// `kTIMGroupMember_HandledErr`.
    kTIMGroupMember_HandledErr = 0,
    /// `kTIMGroupMember_HandledSuc`.
    kTIMGroupMember_HandledSuc = 1,
    /// `kTIMGroupMember_Included`.
    kTIMGroupMember_Included = 2,
    /// `kTIMGroupMember_Invited`.
    kTIMGroupMember_Invited = 3,
}

/// Network status (spec 2.20).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMNetworkStatus {
    /// `kTIMConnected`.
    kTIMConnected = 0,
    /// `kTIMDisconnected`.
    kTIMDisconnected = 1,
    /// `kTIMConnecting`.
    kTIMConnecting = 2,
    /// `kTIMConnectFailed`.
    kTIMConnectFailed = 3,
}

/// Login status (spec 2.20).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMLoginStatus {
    /// `kTIMLoginStatus_Logined`.
    kTIMLoginStatus_Logined = 1,
    /// `kTIMLoginStatus_Logining`.
    kTIMLoginStatus_Logining = 2,
    /// `kTIMLoginStatus_UnLogined`.
    kTIMLoginStatus_UnLogined = 3,
    /// `kTIMLoginStatus_Logouting`.
    kTIMLoginStatus_Logouting = 4,
}

/// Log level (spec 2.20).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMLogLevel {
    /// `kTIMLog_Off`.
    kTIMLog_Off = 0,
    /// `kTIMLog_Test`.
    kTIMLog_Test = 1,
    /// `kTIMLog_Verbose`.
    kTIMLog_Verbose = 2,
    /// `kTIMLog_Debug`.
    kTIMLog_Debug = 3,
    /// `kTIMLog_Info`.
    kTIMLog_Info = 4,
    /// `kTIMLog_Warn`.
    kTIMLog_Warn = 5,
    /// `kTIMLog_Error`.
    kTIMLog_Error = 6,
    /// `kTIMLog_Assert`.
    kTIMLog_Assert = 7,
}

/// The asynchronous error codes this library produces (a part of
/// Tencent's `TIMErrCode`, spec 5.2; servers may send others).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TIMErrCode {
    /// `ERR_SUCC`.
    ERR_SUCC = 0,
    /// `ERR_NO_SUCC_RESULT`.
    ERR_NO_SUCC_RESULT = 6003,
    /// `ERR_INVALID_CONVERSATION`.
    ERR_INVALID_CONVERSATION = 6004,
    /// `ERR_FILE_TRANS_UPLOAD_FAILED`.
    ERR_FILE_TRANS_UPLOAD_FAILED = 6008,
    /// `ERR_FILE_TRANS_DOWNLOAD_FAILED`.
    ERR_FILE_TRANS_DOWNLOAD_FAILED = 6009,
    /// `ERR_SDK_NOT_INITIALIZED`.
    ERR_SDK_NOT_INITIALIZED = 6013,
    /// `ERR_SDK_NOT_LOGGED_IN`.
    ERR_SDK_NOT_LOGGED_IN = 6014,
    /// `ERR_IN_PROGESS`.
    ERR_IN_PROGESS = 6015,
    /// `ERR_INVALID_MSG_ELEM`.
    ERR_INVALID_MSG_ELEM = 6016,
    /// `ERR_INVALID_PARAMETERS`.
    ERR_INVALID_PARAMETERS = 6017,
    /// `ERR_DATABASE_OPERATE_FAILED`.
    ERR_DATABASE_OPERATE_FAILED = 6019,
    /// `ERR_IO_OPERATION_FAILED`.
    ERR_IO_OPERATION_FAILED = 6022,
    /// `ERR_INVALID_JSON`.
    ERR_INVALID_JSON = 6027,
    /// `ERR_USER_SIG_EXPIRED`.
    ERR_USER_SIG_EXPIRED = 6206,
    /// `ERR_LOGIN_KICKED_OFF_BY_OTHER`.
    ERR_LOGIN_KICKED_OFF_BY_OTHER = 6208,
    /// `ERR_SDK_COMM_FILE_NOT_FOUND`.
    ERR_SDK_COMM_FILE_NOT_FOUND = 7004,
    /// `ERR_SDK_COMM_FILE_TOO_LARGE`.
    ERR_SDK_COMM_FILE_TOO_LARGE = 7005,
    /// `ERR_SDK_COMM_FILE_SIZE_EMPTY`.
    ERR_SDK_COMM_FILE_SIZE_EMPTY = 7006,
    /// `ERR_SDK_COMM_API_CALL_FREQUENCY_LIMIT`.
    ERR_SDK_COMM_API_CALL_FREQUENCY_LIMIT = 7008,
    /// `ERR_SDK_COMM_INTERRUPT`.
    ERR_SDK_COMM_INTERRUPT = 7009,
    /// `ERR_SDK_INTERNAL_ERROR`.
    ERR_SDK_INTERNAL_ERROR = 7012,
    /// `ERR_SDK_INTERFACE_NOT_SUPPORT`.
    ERR_SDK_INTERFACE_NOT_SUPPORT = 7013,
    /// `ERR_SDK_MSG_BODY_SIZE_LIMIT`.
    ERR_SDK_MSG_BODY_SIZE_LIMIT = 8001,
    /// `ERR_MERGER_MSG_LAYERS_OVER_LIMIT`.
    ERR_MERGER_MSG_LAYERS_OVER_LIMIT = 8005,
    /// `ERR_SDK_MSG_MODIFY_CONFLICT`.
    ERR_SDK_MSG_MODIFY_CONFLICT = 8006,
    /// `ERR_SDK_INVALID_CANCEL_MESSAGE`.
    ERR_SDK_INVALID_CANCEL_MESSAGE = 8020,
    /// `ERR_SDK_SEND_MESSAGE_FAILED_WITH_CANCEL`.
    ERR_SDK_SEND_MESSAGE_FAILED_WITH_CANCEL = 8021,
    /// `ERR_SDK_NET_DISCONNECT`.
    ERR_SDK_NET_DISCONNECT = 9508,
    /// `ERR_SVR_MSG_REVOKE_TIME_LIMIT`.
    ERR_SVR_MSG_REVOKE_TIME_LIMIT = 20016,
    /// `ERR_SVR_CONV_CONV_MARK_REQ_COUNT_EXCEED_LIMIT`.
    ERR_SVR_CONV_CONV_MARK_REQ_COUNT_EXCEED_LIMIT = 51006,
    /// `ERR_SVR_CONV_CONV_MARK_OPERATE_FAILED`.
    ERR_SVR_CONV_CONV_MARK_OPERATE_FAILED = 51007,
    /// `ERR_SVR_CONV_CONV_MARK_TOTAL_COUNT_EXCEED_LIMIT`.
    ERR_SVR_CONV_CONV_MARK_TOTAL_COUNT_EXCEED_LIMIT = 51008,
    /// `ERR_SVR_CONV_CONV_GROUP_NOT_EXIST`.
    ERR_SVR_CONV_CONV_GROUP_NOT_EXIST = 51009,
    /// `ERR_SVR_CONV_CONV_GROUP_TOTAL_COUNT_EXCEED_LIMIT`.
    ERR_SVR_CONV_CONV_GROUP_TOTAL_COUNT_EXCEED_LIMIT = 51010,
    /// `ERR_SVR_CONV_CONV_GROUP_NAME_EXCEED_LENGTH`.
    ERR_SVR_CONV_CONV_GROUP_NAME_EXCEED_LENGTH = 51011,
    /// `ERR_SVR_COMM_INVALID_SERVICE`.
    ERR_SVR_COMM_INVALID_SERVICE = 60020,
    /// `ERR_SVR_ACCOUNT_USERSIG_EXPIRED`.
    ERR_SVR_ACCOUNT_USERSIG_EXPIRED = 70001,
}
