//! Message wire objects (spec 3.8-3.16).

mod elem;
mod lenient;
mod params;
mod profile;

pub use elem::{
    CustomElem, Elem, FaceElem, FileElem, GroupReportElem, GroupTipGroupChangeInfo,
    GroupTipMemberChangeInfo, GroupTipMemberMarkChangeInfo, GroupTipsElem, ImageElem, LocationElem,
    MergeElem, SoundElem, TextElem, VideoElem,
};
pub use lenient::{BoolOrString, OneOrMany};
pub use params::{
    AllReceiveMessageOptInfo, C2CReceiveMessageOptResult, DownloadElemParam, DownloadElemResult,
    MessageReceipt, MessageSearchParam, MessageSearchResult, MessageSearchResultItem,
    MsgBatchSendParam, MsgBatchSendResult, MsgDeleteParam, MsgGetMsgListParam, MsgLocator,
    RevokeNotice, SearchMatchRange,
};
pub use profile::{GroupMemberInfo, OfflinePushConfig, UserProfile, UserProfileCustomString};

use crate::enums::{ConvType, GroupAtType, MsgPriority, MsgStatus, Platform};

/// The `message_group_at_user_array` value that mentions everyone.
pub const AT_ALL: &str = "__kImSDK_MessageAtALL__";

tim_object! {
    /// A message (`Message`), as sent, received, stored and searched.
    pub struct Message {
        /// `message_elem_array`: the content, one element per part.
        "message_elem_array" => elem_array: Vec<Elem>,
        /// `message_conv_id`: raw id.
        "message_conv_id" => conv_id: String,
        /// `message_conv_type`.
        "message_conv_type" => conv_type: ConvType,
        /// `message_sender`.
        "message_sender" => sender: String,
        /// `message_priority`.
        "message_priority" => priority: MsgPriority,
        /// `message_client_time`: seconds.
        "message_client_time" => client_time: u64,
        /// `message_server_time`: seconds.
        "message_server_time" => server_time: u64,
        /// `message_is_from_self`.
        "message_is_from_self" => is_from_self: bool,
        /// `message_platform`.
        "message_platform" => platform: Platform,
        /// `message_is_read`.
        "message_is_read" => is_read: bool,
        /// `message_is_online_msg`: online-only, never stored or counted.
        "message_is_online_msg" => is_online_msg: bool,
        /// `message_is_peer_read`.
        "message_is_peer_read" => is_peer_read: bool,
        /// `message_receipt_peer_read`.
        "message_receipt_peer_read" => receipt_peer_read: bool,
        /// `message_need_read_receipt`.
        "message_need_read_receipt" => need_read_receipt: bool,
        /// `message_support_message_extension`.
        "message_support_message_extension" => support_message_extension: bool,
        /// `message_is_broadcast_message`.
        "message_is_broadcast_message" => is_broadcast_message: bool,
        /// `message_has_sent_receipt`.
        "message_has_sent_receipt" => has_sent_receipt: bool,
        /// `message_status`.
        "message_status" => status: MsgStatus,
        /// `message_unique_id`.
        "message_unique_id" => unique_id: u64,
        /// `message_msg_id`.
        "message_msg_id" => msg_id: String,
        /// `message_rand`.
        "message_rand" => rand: u64,
        /// `message_seq`.
        "message_seq" => seq: u64,
        /// `message_custom_int`: local only.
        "message_custom_int" => custom_int: u32,
        /// `message_custom_str`: local only.
        "message_custom_str" => custom_str: String,
        /// `message_cloud_custom_str`.
        "message_cloud_custom_str" => cloud_custom_str: String,
        /// `message_is_excluded_from_unread_count`.
        "message_is_excluded_from_unread_count" => is_excluded_from_unread_count: bool,
        /// `message_group_at_user_array`.
        "message_group_at_user_array" => group_at_user_array: Vec<String>,
        /// `message_is_forward_message`.
        "message_is_forward_message" => is_forward_message: bool,
        /// `message_sender_profile`.
        "message_sender_profile" => sender_profile: UserProfile,
        /// `message_sender_group_member_info`.
        "message_sender_group_member_info" => sender_group_member_info: GroupMemberInfo,
        /// `message_excluded_from_last_message`.
        "message_excluded_from_last_message" => excluded_from_last_message: bool,
        /// `message_excluded_from_content_moderation`.
        "message_excluded_from_content_moderation" => excluded_from_content_moderation: bool,
        /// `message_custom_moderation_configuration_id`.
        "message_custom_moderation_configuration_id" => custom_moderation_configuration_id: String,
        /// `message_has_risk_content`.
        "message_has_risk_content" => has_risk_content: bool,
        /// `message_disable_cloud_message_pre_hook`.
        "message_disable_cloud_message_pre_hook" => disable_cloud_message_pre_hook: bool,
        /// `message_disable_cloud_message_post_hook`.
        "message_disable_cloud_message_post_hook" => disable_cloud_message_post_hook: bool,
        /// `message_target_group_member_array`.
        "message_target_group_member_array" => target_group_member_array: Vec<String>,
        /// `message_offline_push_config`.
        "message_offline_push_config" => offline_push_config: OfflinePushConfig,
        /// `message_revoker_user_id`.
        "message_revoker_user_id" => revoker_user_id: String,
        /// `message_revoker_nick_name`.
        "message_revoker_nick_name" => revoker_nick_name: String,
        /// `message_revoker_face_url`.
        "message_revoker_face_url" => revoker_face_url: String,
        /// `message_revoke_reason`.
        "message_revoke_reason" => revoke_reason: String,
        /// `message_pinner_user_id`.
        "message_pinner_user_id" => pinner_user_id: String,
        /// `message_pinner_nick_name`.
        "message_pinner_nick_name" => pinner_nick_name: String,
        /// `message_pinner_friend_remark`.
        "message_pinner_friend_remark" => pinner_friend_remark: String,
        /// `message_pinner_name_card`.
        "message_pinner_name_card" => pinner_name_card: String,
        /// `message_pinner_face_url`.
        "message_pinner_face_url" => pinner_face_url: String,
        /// `message_excluded_from_muting`.
        "message_excluded_from_muting" => excluded_from_muting: bool,
        /// `message_sender_tiny_id` (internal).
        "message_sender_tiny_id" => sender_tiny_id: u64,
        /// `message_receiver_tiny_id` (internal).
        "message_receiver_tiny_id" => receiver_tiny_id: u64,
        /// `message_group_receipt_read_count` (internal).
        "message_group_receipt_read_count" => group_receipt_read_count: u64,
        /// `message_group_receipt_unread_count` (internal).
        "message_group_receipt_unread_count" => group_receipt_unread_count: u64,
        /// `message_version` (internal).
        "message_version" => version: u64,
        /// `message_risk_type_identified` (internal).
        "message_risk_type_identified" => risk_type_identified: u64,
    }
}

impl Message {
    /// The message's elements (empty when absent).
    pub fn elems(&self) -> &[Elem] {
        self.elem_array.as_deref().unwrap_or_default()
    }

    /// A text message with one element, for tests and examples.
    pub fn text(content: impl Into<String>) -> Message {
        Message {
            elem_array: Some(vec![Elem::Text(TextElem {
                content: Some(content.into()),
                ..TextElem::default()
            })]),
            ..Message::default()
        }
    }

    /// Reads the zero values of identity fields as unset: an empty
    /// `message_msg_id`, `message_conv_id` or `message_sender`, a zero
    /// `message_seq`, `message_rand`, `message_unique_id`, time or status,
    /// and `kTIMConv_Invalid`. Tencent's C# wrapper serializes whole
    /// objects with every field at its default, so for a message an app
    /// hands in, zero means "not given", never a value to store or match.
    pub fn clear_unset_defaults(&mut self) {
        fn blank(field: &mut Option<String>) {
            if field.as_deref() == Some("") {
                *field = None;
            }
        }
        fn zero(field: &mut Option<u64>) {
            if *field == Some(0) {
                *field = None;
            }
        }
        blank(&mut self.msg_id);
        blank(&mut self.conv_id);
        blank(&mut self.sender);
        zero(&mut self.seq);
        zero(&mut self.rand);
        zero(&mut self.unique_id);
        zero(&mut self.server_time);
        zero(&mut self.client_time);
        if self.status.is_some_and(|s| s.value() == 0) {
            self.status = None;
        }
        if self.conv_type == Some(ConvType::Invalid) {
            self.conv_type = None;
        }
    }

    /// The message's time: server time when known, else client time.
    pub fn timestamp(&self) -> u64 {
        self.server_time
            .filter(|t| *t != 0)
            .or(self.client_time)
            .unwrap_or(0)
    }

    /// Whether what the message says of itself lets it count as unread for
    /// its recipients: not excluded from unread counts, not online-only,
    /// not targeted at a few group members. (Who sent it, whether it was
    /// revoked and the reader's position decide the rest.) The one rule the
    /// SDK's stores, the reference server and its test double share.
    pub fn may_count_as_unread(&self) -> bool {
        self.is_excluded_from_unread_count != Some(true)
            && self.is_online_msg != Some(true)
            && self
                .target_group_member_array
                .as_ref()
                .is_none_or(Vec::is_empty)
    }

    /// How this message mentions `user` (`group_at_user_array`, with
    /// [`AT_ALL`] for everyone), if it does. Meaningful for group messages.
    pub fn mention_of(&self, user: &str) -> Option<GroupAtType> {
        let at = self.group_at_user_array.as_deref().unwrap_or_default();
        let all = at.iter().any(|u| u == AT_ALL);
        let me = at.iter().any(|u| u == user);
        match (all, me) {
            (true, true) => Some(GroupAtType::AtAllAtMe),
            (true, false) => Some(GroupAtType::AtAll),
            (false, true) => Some(GroupAtType::AtMe),
            (false, false) => None,
        }
    }
}
