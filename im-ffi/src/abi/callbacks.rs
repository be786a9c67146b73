//! Every callback type of Tencent's headers, as nullable C function
//! pointers (`None` is the C `NULL` an app passes to unregister).
//!
//! Written from the table `abi/callbacks.txt`; `tests/abi.rs` checks the
//! generated header against that table, typedef by typedef.

use std::ffi::{c_char, c_int, c_void};

use super::{RawTIMConvEvent, RawTIMLogLevel, RawTIMNetworkStatus, TimBool};

/// `TIMCommCallback` (TIMCloudDef.h).
pub type TIMCommCallback = Option<
    unsafe extern "C" fn(
        code: i32,
        desc: *const c_char,
        json_params: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityAddMembersToPermissionGroupCallback` (TIMCommunityManager.h).
pub type TIMCommunityAddMembersToPermissionGroupCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        json_result: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityAddTopicPermissionCallback` (TIMCommunityManager.h).
pub type TIMCommunityAddTopicPermissionCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        json_result: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityChangePermissionGroupInfoCallback` (TIMCommunityManager.h).
pub type TIMCommunityChangePermissionGroupInfoCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        permission_group_info: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityChangeTopicInfoCallback` (TIMCommunityManager.h).
pub type TIMCommunityChangeTopicInfoCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        topic_info: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityCreatePermissionGroupCallback` (TIMCommunityManager.h).
pub type TIMCommunityCreatePermissionGroupCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        permission_group_info: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityCreateTopicCallback` (TIMCommunityManager.h).
pub type TIMCommunityCreateTopicCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        topic_id: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityDeletePermissionGroupCallback` (TIMCommunityManager.h).
pub type TIMCommunityDeletePermissionGroupCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        permission_group_id_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityDeleteTopicCallback` (TIMCommunityManager.h).
pub type TIMCommunityDeleteTopicCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        topic_id_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityDeleteTopicPermissionCallback` (TIMCommunityManager.h).
pub type TIMCommunityDeleteTopicPermissionCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        json_result: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityModifyTopicPermissionCallback` (TIMCommunityManager.h).
pub type TIMCommunityModifyTopicPermissionCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        json_result: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityReceiveTopicRESTCustomDataCallback` (TIMCommunityManager.h).
pub type TIMCommunityReceiveTopicRESTCustomDataCallback = Option<
    unsafe extern "C" fn(
        topic_id: *const c_char,
        custom_data: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMCommunityRemoveMembersFromPermissionGroupCallback` (TIMCommunityManager.h).
pub type TIMCommunityRemoveMembersFromPermissionGroupCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        json_result: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMConvConversationGroupCreatedCallback` (TIMConversationManager.h).
pub type TIMConvConversationGroupCreatedCallback = Option<
    unsafe extern "C" fn(
        group_name: *const c_char,
        conversation_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMConvConversationGroupDeletedCallback` (TIMConversationManager.h).
pub type TIMConvConversationGroupDeletedCallback =
    Option<unsafe extern "C" fn(group_name: *const c_char, user_data: *const c_void)>;
/// `TIMConvConversationGroupNameChangedCallback` (TIMConversationManager.h).
pub type TIMConvConversationGroupNameChangedCallback = Option<
    unsafe extern "C" fn(
        old_name: *const c_char,
        new_name: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMConvConversationsAddedToGroupCallback` (TIMConversationManager.h).
pub type TIMConvConversationsAddedToGroupCallback = Option<
    unsafe extern "C" fn(
        group_name: *const c_char,
        conversation_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMConvConversationsDeletedFromGroupCallback` (TIMConversationManager.h).
///
/// The 8.x form, with `reason` (0: removed by a call, 1: evicted because the
/// group passed 1000 conversations). The library always calls it with four
/// arguments: a 7.x consumer declared with three reads `reason` where it
/// expects `user_data` (and gets a harmless value), while calling a 4-argument
/// consumer with three would hand it a garbage `user_data` pointer.
pub type TIMConvConversationsDeletedFromGroupCallback = Option<
    unsafe extern "C" fn(
        group_name: *const c_char,
        conversation_array: *const c_char,
        reason: u32,
        user_data: *const c_void,
    ),
>;
/// `TIMConvEventCallback` (TIMConversationManager.h).
pub type TIMConvEventCallback = Option<
    unsafe extern "C" fn(
        conv_event: RawTIMConvEvent,
        json_conv_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMConvTotalUnreadMessageCountChangedByFilterCallback` (TIMConversationManager.h).
pub type TIMConvTotalUnreadMessageCountChangedByFilterCallback = Option<
    unsafe extern "C" fn(
        filter: *const c_char,
        total_unread_count: c_int,
        user_data: *const c_void,
    ),
>;
/// `TIMConvTotalUnreadMessageCountChangedCallback` (TIMConversationManager.h).
pub type TIMConvTotalUnreadMessageCountChangedCallback =
    Option<unsafe extern "C" fn(total_unread_count: c_int, user_data: *const c_void)>;
/// `TIMExperimentalNotifyCallback` (TIMExperimentalAPI.h).
pub type TIMExperimentalNotifyCallback =
    Option<unsafe extern "C" fn(key: *const c_char, data: *const c_char, user_data: *const c_void)>;
/// `TIMFriendAddRequestCallback` (TIMFriendshipManager.h).
pub type TIMFriendAddRequestCallback = Option<
    unsafe extern "C" fn(
        json_friend_add_request_pendency_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMFriendApplicationListDeletedCallback` (TIMFriendshipManager.h).
pub type TIMFriendApplicationListDeletedCallback =
    Option<unsafe extern "C" fn(json_identifier_array: *const c_char, user_data: *const c_void)>;
/// `TIMFriendApplicationListReadCallback` (TIMFriendshipManager.h).
pub type TIMFriendApplicationListReadCallback =
    Option<unsafe extern "C" fn(user_data: *const c_void)>;
/// `TIMFriendBlackListAddedCallback` (TIMFriendshipManager.h).
pub type TIMFriendBlackListAddedCallback = Option<
    unsafe extern "C" fn(json_friend_black_added_array: *const c_char, user_data: *const c_void),
>;
/// `TIMFriendBlackListDeletedCallback` (TIMFriendshipManager.h).
pub type TIMFriendBlackListDeletedCallback =
    Option<unsafe extern "C" fn(json_identifier_array: *const c_char, user_data: *const c_void)>;
/// `TIMFriendGroupCreatedCallback` (TIMFriendshipManager.h, 8.x).
pub type TIMFriendGroupCreatedCallback = Option<
    unsafe extern "C" fn(
        group_name: *const c_char,
        json_friend_info_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMFriendGroupDeletedCallback` (TIMFriendshipManager.h, 8.x).
pub type TIMFriendGroupDeletedCallback =
    Option<unsafe extern "C" fn(json_group_name_array: *const c_char, user_data: *const c_void)>;
/// `TIMFriendGroupNameChangedCallback` (TIMFriendshipManager.h, 8.x).
pub type TIMFriendGroupNameChangedCallback = Option<
    unsafe extern "C" fn(
        old_group_name: *const c_char,
        new_group_name: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMFriendsAddedToGroupCallback` (TIMFriendshipManager.h, 8.x).
pub type TIMFriendsAddedToGroupCallback = Option<
    unsafe extern "C" fn(
        group_name: *const c_char,
        json_friend_info_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMFriendsDeletedFromGroupCallback` (TIMFriendshipManager.h, 8.x).
pub type TIMFriendsDeletedFromGroupCallback = Option<
    unsafe extern "C" fn(
        group_name: *const c_char,
        json_friend_id_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMGroupAttributeChangedCallback` (TIMGroupManager.h).
pub type TIMGroupAttributeChangedCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        json_group_attribute_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMGroupCounterChangedCallback` (TIMGroupManager.h).
pub type TIMGroupCounterChangedCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        group_counter_key: *const c_char,
        group_counter_new_value: i64,
        user_data: *const c_void,
    ),
>;
/// `TIMGroupTipsEventCallback` (TIMGroupManager.h).
pub type TIMGroupTipsEventCallback =
    Option<unsafe extern "C" fn(json_group_tip: *const c_char, user_data: *const c_void)>;
/// `TIMGroupTopicChangedCallback` (TIMGroupManager.h).
pub type TIMGroupTopicChangedCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        topic_info: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMGroupTopicCreatedCallback` (TIMGroupManager.h).
pub type TIMGroupTopicCreatedCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        topic_id: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMGroupTopicDeletedCallback` (TIMGroupManager.h).
pub type TIMGroupTopicDeletedCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        topic_id_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMKickedOfflineCallback` (TIMManager.h).
pub type TIMKickedOfflineCallback = Option<unsafe extern "C" fn(user_data: *const c_void)>;
/// `TIMLogCallback` (TIMManager.h).
pub type TIMLogCallback = Option<
    unsafe extern "C" fn(level: RawTIMLogLevel, log: *const c_char, user_data: *const c_void),
>;
/// `TIMMsgAllMessageReceiveOptionCallback` (TIMMessageManager.h).
pub type TIMMsgAllMessageReceiveOptionCallback = Option<
    unsafe extern "C" fn(json_receive_message_option_info: *const c_char, user_data: *const c_void),
>;
/// `TIMMsgElemUploadProgressCallback` (TIMMessageManager.h).
pub type TIMMsgElemUploadProgressCallback = Option<
    unsafe extern "C" fn(
        json_msg: *const c_char,
        index: u32,
        cur_size: u32,
        total_size: u32,
        user_data: *const c_void,
    ),
>;
/// `TIMMsgExtensionsChangedCallback` (TIMMessageManager.h).
pub type TIMMsgExtensionsChangedCallback = Option<
    unsafe extern "C" fn(
        message_id: *const c_char,
        message_extension_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMMsgExtensionsDeletedCallback` (TIMMessageManager.h).
pub type TIMMsgExtensionsDeletedCallback = Option<
    unsafe extern "C" fn(
        message_id: *const c_char,
        message_extension_key_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMMsgGroupMessageReadMemberListCallback` (TIMMessageManager.h).
pub type TIMMsgGroupMessageReadMemberListCallback = Option<
    unsafe extern "C" fn(
        json_group_member_array: *const c_char,
        next_seq: u64,
        is_finished: TimBool,
        user_data: *const c_void,
    ),
>;
/// `TIMMsgGroupPinnedMessageChangedCallback` (TIMMessageManager.h).
pub type TIMMsgGroupPinnedMessageChangedCallback = Option<
    unsafe extern "C" fn(
        group_id: *const c_char,
        json_msg: *const c_char,
        is_pinned: TimBool,
        op_user: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMMsgMessageModifiedCallback` (TIMCloudCallback.h).
pub type TIMMsgMessageModifiedCallback =
    Option<unsafe extern "C" fn(json_msg: *const c_char, user_data: *const c_void)>;
/// `TIMMsgReactionsChangedCallback` (TIMMessageManager.h).
pub type TIMMsgReactionsChangedCallback = Option<
    unsafe extern "C" fn(
        message_reaction_change_info_array: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMMsgReadedReceiptCallback` (TIMMessageManager.h).
pub type TIMMsgReadedReceiptCallback = Option<
    unsafe extern "C" fn(json_msg_read_receipt_array: *const c_char, user_data: *const c_void),
>;
/// `TIMMsgRevokeCallback` (TIMMessageManager.h).
pub type TIMMsgRevokeCallback = Option<
    unsafe extern "C" fn(json_msg_revoke_info_array: *const c_char, user_data: *const c_void),
>;
/// `TIMMsgUpdateCallback` (TIMMessageManager.h).
pub type TIMMsgUpdateCallback =
    Option<unsafe extern "C" fn(json_msg_array: *const c_char, user_data: *const c_void)>;
/// `TIMMutualFollowersListChangedCallback` (TIMFriendshipManager.h).
pub type TIMMutualFollowersListChangedCallback = Option<
    unsafe extern "C" fn(
        json_user_info_list: *const c_char,
        is_add: TimBool,
        user_data: *const c_void,
    ),
>;
/// `TIMMyFollowersListChangedCallback` (TIMFriendshipManager.h).
pub type TIMMyFollowersListChangedCallback = Option<
    unsafe extern "C" fn(
        json_user_info_list: *const c_char,
        is_add: TimBool,
        user_data: *const c_void,
    ),
>;
/// `TIMMyFollowingListChangedCallback` (TIMFriendshipManager.h).
pub type TIMMyFollowingListChangedCallback = Option<
    unsafe extern "C" fn(
        json_user_info_list: *const c_char,
        is_add: TimBool,
        user_data: *const c_void,
    ),
>;
/// `TIMNetworkStatusListenerCallback` (TIMManager.h).
pub type TIMNetworkStatusListenerCallback = Option<
    unsafe extern "C" fn(
        status: RawTIMNetworkStatus,
        code: i32,
        desc: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMOfficialAccountDeletedCallback` (TIMFriendshipManager.h).
pub type TIMOfficialAccountDeletedCallback =
    Option<unsafe extern "C" fn(official_account_id: *const c_char, user_data: *const c_void)>;
/// `TIMOfficialAccountInfoChangedCallback` (TIMFriendshipManager.h).
pub type TIMOfficialAccountInfoChangedCallback = Option<
    unsafe extern "C" fn(json_official_account_info: *const c_char, user_data: *const c_void),
>;
/// `TIMOfficialAccountSubscribedCallback` (TIMFriendshipManager.h).
pub type TIMOfficialAccountSubscribedCallback = Option<
    unsafe extern "C" fn(json_official_account_info: *const c_char, user_data: *const c_void),
>;
/// `TIMOfficialAccountUnsubscribedCallback` (TIMFriendshipManager.h).
pub type TIMOfficialAccountUnsubscribedCallback =
    Option<unsafe extern "C" fn(official_account_id: *const c_char, user_data: *const c_void)>;
/// `TIMOnAddFriendCallback` (TIMFriendshipManager.h).
pub type TIMOnAddFriendCallback =
    Option<unsafe extern "C" fn(json_identifier_array: *const c_char, user_data: *const c_void)>;
/// `TIMOnDeleteFriendCallback` (TIMFriendshipManager.h).
pub type TIMOnDeleteFriendCallback =
    Option<unsafe extern "C" fn(json_identifier_array: *const c_char, user_data: *const c_void)>;
/// `TIMRecvNewMsgCallback` (TIMMessageManager.h).
pub type TIMRecvNewMsgCallback =
    Option<unsafe extern "C" fn(json_msg_array: *const c_char, user_data: *const c_void)>;
/// `TIMSelfInfoUpdatedCallback` (TIMManager.h).
pub type TIMSelfInfoUpdatedCallback =
    Option<unsafe extern "C" fn(json_user_profile: *const c_char, user_data: *const c_void)>;
/// `TIMSignalingInvitationCancelledCallback` (TIMSignalingManager.h).
pub type TIMSignalingInvitationCancelledCallback = Option<
    unsafe extern "C" fn(
        invite_id: *const c_char,
        inviter: *const c_char,
        data: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMSignalingInvitationModifiedCallback` (TIMSignalingManager.h).
pub type TIMSignalingInvitationModifiedCallback = Option<
    unsafe extern "C" fn(invite_id: *const c_char, data: *const c_char, user_data: *const c_void),
>;
/// `TIMSignalingInvitationTimeoutCallback` (TIMSignalingManager.h).
pub type TIMSignalingInvitationTimeoutCallback = Option<
    unsafe extern "C" fn(
        invite_id: *const c_char,
        json_invitee_list: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMSignalingInviteeAcceptedCallback` (TIMSignalingManager.h).
pub type TIMSignalingInviteeAcceptedCallback = Option<
    unsafe extern "C" fn(
        invite_id: *const c_char,
        invitee: *const c_char,
        data: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMSignalingInviteeRejectedCallback` (TIMSignalingManager.h).
pub type TIMSignalingInviteeRejectedCallback = Option<
    unsafe extern "C" fn(
        invite_id: *const c_char,
        invitee: *const c_char,
        data: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMSignalingReceiveNewInvitationCallback` (TIMSignalingManager.h).
pub type TIMSignalingReceiveNewInvitationCallback = Option<
    unsafe extern "C" fn(
        invite_id: *const c_char,
        inviter: *const c_char,
        group_id: *const c_char,
        json_invitee_list: *const c_char,
        data: *const c_char,
        user_data: *const c_void,
    ),
>;
/// `TIMUpdateFriendProfileCallback` (TIMFriendshipManager.h).
pub type TIMUpdateFriendProfileCallback = Option<
    unsafe extern "C" fn(json_friend_profile_update_array: *const c_char, user_data: *const c_void),
>;
/// `TIMUserInfoChangedCallback` (TIMManager.h).
pub type TIMUserInfoChangedCallback =
    Option<unsafe extern "C" fn(json_user_info_array: *const c_char, user_data: *const c_void)>;
/// `TIMUserSigExpiredCallback` (TIMManager.h).
pub type TIMUserSigExpiredCallback = Option<unsafe extern "C" fn(user_data: *const c_void)>;
/// `TIMUserStatusChangedCallback` (TIMManager.h).
pub type TIMUserStatusChangedCallback =
    Option<unsafe extern "C" fn(json_user_status_array: *const c_char, user_data: *const c_void)>;
