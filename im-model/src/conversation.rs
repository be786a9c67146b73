//! Conversation wire objects (spec 3.1-3.7).

use crate::enums::{ConvType, GroupAtType, GroupType, ReceiveMessageOpt};
use crate::message::Message;

tim_object! {
    /// A conversation as the SDK reports it (`ConvInfo`).
    pub struct ConvInfo {
        /// `conv_id`: raw peer user id or group id.
        "conv_id" => conv_id: String,
        /// `conv_type`.
        "conv_type" => conv_type: ConvType,
        /// `conv_face_url`: avatar of the peer or group.
        "conv_face_url" => face_url: String,
        /// `conv_unread_num`.
        "conv_unread_num" => unread_num: u64,
        /// `conv_active_time`: the list order key; larger sorts first. Pinned
        /// conversations have bit 62 set, as Tencent's examples show.
        "conv_active_time" => active_time: u64,
        /// `conv_is_has_lastmsg`.
        "conv_is_has_lastmsg" => has_last_msg: bool,
        /// `conv_last_msg`.
        "conv_last_msg" => last_msg: Message,
        /// `conv_is_has_draft`.
        "conv_is_has_draft" => has_draft: bool,
        /// `conv_draft`.
        "conv_draft" => draft: Draft,
        /// `conv_recv_opt`.
        "conv_recv_opt" => recv_opt: ReceiveMessageOpt,
        /// `conv_group_type`: group conversations only.
        "conv_group_type" => group_type: GroupType,
        /// `conv_group_at_info_array`.
        "conv_group_at_info_array" => group_at_info_array: Vec<GroupAtInfo>,
        /// `conv_is_pinned`.
        "conv_is_pinned" => is_pinned: bool,
        /// `conv_show_name`.
        "conv_show_name" => show_name: String,
        /// `conv_mark_array`: one element per mark bit.
        "conv_mark_array" => mark_array: Vec<u64>,
        /// `conv_custom_data`.
        "conv_custom_data" => custom_data: String,
        /// `conv_conversation_group_array`: names of the groups holding it.
        "conv_conversation_group_array" => conversation_group_array: Vec<String>,
        /// `conv_c2c_read_timestamp`: C2C read time (seconds).
        "conv_c2c_read_timestamp" => c2c_read_timestamp: u64,
        /// `conv_group_read_sequence`: group read sequence.
        "conv_group_read_sequence" => group_read_sequence: u64,
        /// `conv_owner` (deprecated).
        "conv_owner" => owner: String,
    }
}

tim_object! {
    /// A conversation draft (`Draft`); also the input of `TIMConvSetDraft`.
    pub struct Draft {
        /// `draft_msg`.
        "draft_msg" => msg: Message,
        /// `draft_user_define`.
        "draft_user_define" => user_define: String,
        /// `draft_edit_time`: UTC seconds.
        "draft_edit_time" => edit_time: u64,
    }
}

tim_object! {
    /// A group mention waiting in a conversation (`GroupAtInfo`).
    pub struct GroupAtInfo {
        /// `conv_group_at_info_seq`: sequence of the mentioning message.
        "conv_group_at_info_seq" => seq: u64,
        /// `conv_group_at_info_at_type`.
        "conv_group_at_info_at_type" => at_type: GroupAtType,
    }
}

tim_object! {
    /// Filter of `TIMConvGetConversationListByFilter` and the unread-by-filter calls.
    ///
    /// An absent key does not filter. `conversation_group: ""` selects
    /// conversations in no group; `mark_type: 0` selects unmarked ones.
    pub struct ConversationListFilter {
        /// `conversation_list_filter_conv_type`: 0 or absent = any type.
        "conversation_list_filter_conv_type" => conv_type: ConvType,
        /// `conversation_list_filter_conversation_group`.
        "conversation_list_filter_conversation_group" => conversation_group: String,
        /// `conversation_list_filter_mark_type`.
        "conversation_list_filter_mark_type" => mark_type: u64,
        /// `conversation_list_filter_has_unread_count`.
        "conversation_list_filter_has_unread_count" => has_unread_count: bool,
        /// `conversation_list_filter_has_group_at_info`.
        "conversation_list_filter_has_group_at_info" => has_group_at_info: bool,
    }
}

tim_object! {
    /// One page of a filtered conversation list (`TIMConversationListResult`).
    pub struct ConversationListResult {
        /// `conversation_list_result_conv_list`.
        "conversation_list_result_conv_list" => conv_list: Vec<ConvInfo>,
        /// `conversation_list_result_next_seq`: cursor for the next page.
        "conversation_list_result_next_seq" => next_seq: u64,
        /// `conversation_list_result_is_finished`.
        "conversation_list_result_is_finished" => is_finished: bool,
    }
}

tim_object! {
    /// One element of `TIMConvGetConvInfo`'s input array.
    pub struct GetConversationListParam {
        /// `get_conversation_list_param_conv_id`: raw id.
        "get_conversation_list_param_conv_id" => conv_id: String,
        /// `get_conversation_list_param_conv_type`.
        "get_conversation_list_param_conv_type" => conv_type: ConvType,
    }
}

tim_object! {
    /// Result of the total-unread calls (`GetTotalUnreadNumberResult`).
    pub struct TotalUnreadResult {
        /// `conv_get_total_unread_message_count_result_unread_count`.
        "conv_get_total_unread_message_count_result_unread_count" => unread_count: u64,
    }
}

tim_object! {
    /// Outcome for one conversation of a batch call (`TIMConversationOperationResult`).
    pub struct ConversationOperationResult {
        /// `conversation_operation_result_conversation_id`: prefixed id.
        "conversation_operation_result_conversation_id" => conversation_id: String,
        /// `conversation_operation_result_result_code`: 0 on success.
        "conversation_operation_result_result_code" => result_code: i32,
        /// `conversation_operation_result_result_info`.
        "conversation_operation_result_result_info" => result_info: String,
    }
}

impl ConversationOperationResult {
    /// A successful outcome for `conversation_id`.
    pub fn ok(conversation_id: impl Into<String>) -> Self {
        ConversationOperationResult {
            conversation_id: Some(conversation_id.into()),
            result_code: Some(0),
            result_info: Some(String::new()),
            ..ConversationOperationResult::default()
        }
    }

    /// A failed outcome for `conversation_id`.
    pub fn failed(conversation_id: impl Into<String>, error: &crate::ImError) -> Self {
        ConversationOperationResult {
            conversation_id: Some(conversation_id.into()),
            result_code: Some(error.code()),
            result_info: Some(error.message.clone()),
            ..ConversationOperationResult::default()
        }
    }

    /// Whether the operation succeeded for this conversation.
    pub fn is_ok(&self) -> bool {
        self.result_code == Some(0)
    }
}
