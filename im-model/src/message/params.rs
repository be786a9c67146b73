//! Parameter and result objects of the message calls (spec 3.10-3.16).

use super::Message;
use crate::enums::{ConvType, DownloadType, ElemType, KeywordMatchType, ReceiveMessageOpt};

tim_object! {
    /// Identifies one message without its body (`MsgLocator`).
    pub struct MsgLocator {
        /// `message_locator_conv_id`: raw id.
        "message_locator_conv_id" => conv_id: String,
        /// `message_locator_conv_type`.
        "message_locator_conv_type" => conv_type: ConvType,
        /// `message_locator_is_revoked`.
        "message_locator_is_revoked" => is_revoked: bool,
        /// `message_locator_time`.
        "message_locator_time" => time: u64,
        /// `message_locator_seq`.
        "message_locator_seq" => seq: u64,
        /// `message_locator_is_self`.
        "message_locator_is_self" => is_self: bool,
        /// `message_locator_rand`.
        "message_locator_rand" => rand: u64,
        /// `message_locator_unique_id`.
        "message_locator_unique_id" => unique_id: u64,
    }
}

impl MsgLocator {
    /// Reads zero ids and times as unset, as
    /// [`Message::clear_unset_defaults`] does for a message.
    pub fn clear_unset_defaults(&mut self) {
        for field in [
            &mut self.seq,
            &mut self.rand,
            &mut self.unique_id,
            &mut self.time,
        ] {
            if *field == Some(0) {
                *field = None;
            }
        }
    }
}

tim_object! {
    /// Parameters of `TIMMsgGetMsgList` (`MsgGetMsgListParam`).
    pub struct MsgGetMsgListParam {
        /// `msg_getmsglist_param_last_msg`: anchor, excluded from the result.
        "msg_getmsglist_param_last_msg" => last_msg: Message,
        /// `msg_getmsglist_param_count`.
        "msg_getmsglist_param_count" => count: u32,
        /// `msg_getmsglist_param_is_ramble`; read it with [`MsgGetMsgListParam::ramble`].
        "msg_getmsglist_param_is_ramble" => is_ramble: bool,
        /// `msg_getmsglist_param_is_remble`, the older spelling of the same flag
        /// (headers before 7.x); kept as its own key so that JSON carrying
        /// both spellings parses and round-trips.
        "msg_getmsglist_param_is_remble" => is_remble: bool,
        /// `msg_getmsglist_param_message_type_array`.
        "msg_getmsglist_param_message_type_array" => message_type_array: Vec<ElemType>,
        /// `msg_getmsglist_param_is_forward`: true = newer than the anchor.
        "msg_getmsglist_param_is_forward" => is_forward: bool,
        /// `msg_getmsglist_param_last_msg_seq`: group anchor, included.
        "msg_getmsglist_param_last_msg_seq" => last_msg_seq: u64,
        /// `msg_getmsglist_param_time_begin`.
        "msg_getmsglist_param_time_begin" => time_begin: u64,
        /// `msg_getmsglist_param_time_period`.
        "msg_getmsglist_param_time_period" => time_period: u64,
        /// `msg_getmsglist_param_message_seq_array`.
        "msg_getmsglist_param_message_seq_array" => message_seq_array: Vec<u64>,
    }
}

tim_object! {
    /// Parameters of `TIMMsgDelete` (`MsgDeleteParam`).
    pub struct MsgDeleteParam {
        /// `msg_delete_param_msg`.
        "msg_delete_param_msg" => msg: Message,
        /// `msg_delete_param_is_ramble`; read it with [`MsgDeleteParam::ramble`].
        "msg_delete_param_is_ramble" => is_ramble: bool,
        /// `msg_delete_param_is_remble`, the older spelling of the same flag.
        "msg_delete_param_is_remble" => is_remble: bool,
    }
}

/// The roaming flag given either spelling; the newer `_ramble` wins when
/// both are present (spec 6.1).
fn either_spelling(ramble: Option<bool>, remble: Option<bool>) -> bool {
    ramble.or(remble) == Some(true)
}

impl MsgGetMsgListParam {
    /// Whether to pull roaming history first: `_is_ramble`, or the older
    /// `_is_remble` when only that is given.
    pub fn ramble(&self) -> bool {
        either_spelling(self.is_ramble, self.is_remble)
    }
}

impl MsgDeleteParam {
    /// Whether to delete from roaming storage too (either spelling).
    pub fn ramble(&self) -> bool {
        either_spelling(self.is_ramble, self.is_remble)
    }
}

tim_object! {
    /// Parameters of a message search (`MessageSearchParam`).
    pub struct MessageSearchParam {
        /// `msg_search_param_keyword_array`.
        "msg_search_param_keyword_array" => keyword_array: Vec<String>,
        /// `msg_search_param_message_type_array`.
        "msg_search_param_message_type_array" => message_type_array: Vec<ElemType>,
        /// `msg_search_param_conv_id`: raw or prefixed id.
        "msg_search_param_conv_id" => conv_id: String,
        /// `msg_search_param_conv_type`.
        "msg_search_param_conv_type" => conv_type: ConvType,
        /// `msg_search_param_search_time_position`.
        "msg_search_param_search_time_position" => search_time_position: u64,
        /// `msg_search_param_search_time_period`.
        "msg_search_param_search_time_period" => search_time_period: u64,
        /// `msg_search_param_page_index`.
        "msg_search_param_page_index" => page_index: u32,
        /// `msg_search_param_page_size`.
        "msg_search_param_page_size" => page_size: u32,
        /// `msg_search_param_keyword_list_match_type`.
        "msg_search_param_keyword_list_match_type" => keyword_list_match_type: KeywordMatchType,
        /// `msg_search_param_send_identifier_array` (Tencent's `send_`).
        "msg_search_param_send_identifier_array" => send_identifier_array: Vec<String>,
        /// `msg_search_param_search_count`: cloud search only.
        "msg_search_param_search_count" => search_count: u32,
        /// `msg_search_param_search_cursor`: cloud search only.
        "msg_search_param_search_cursor" => search_cursor: String,
    }
}

tim_object! {
    /// Result of a message search (`MessageSearchResult`).
    pub struct MessageSearchResult {
        /// `msg_search_result_total_count`.
        "msg_search_result_total_count" => total_count: u32,
        /// `msg_search_result_item_array`.
        "msg_search_result_item_array" => item_array: Vec<MessageSearchResultItem>,
        /// `msg_search_result_search_cursor`.
        "msg_search_result_search_cursor" => search_cursor: String,
    }
}

tim_object! {
    /// Matches of a search in one conversation.
    pub struct MessageSearchResultItem {
        /// `msg_search_result_item_conv_id`.
        "msg_search_result_item_conv_id" => conv_id: String,
        /// `msg_search_result_item_conv_type`.
        "msg_search_result_item_conv_type" => conv_type: ConvType,
        /// `msg_search_result_item_total_message_count`.
        "msg_search_result_item_total_message_count" => total_message_count: u32,
        /// `msg_search_result_item_message_array`.
        "msg_search_result_item_message_array" => message_array: Vec<Message>,
        /// `msg_search_result_item_match_range_array` (extension of this
        /// SDK): for each message of `message_array`, where the keywords matched.
        "msg_search_result_item_match_range_array" => match_range_array: Vec<Vec<SearchMatchRange>>,
    }
}

tim_object! {
    /// Parameters of `TIMMsgBatchSend`.
    pub struct MsgBatchSendParam {
        /// `msg_batch_send_param_identifier_array`.
        "msg_batch_send_param_identifier_array" => identifier_array: Vec<String>,
        /// `msg_batch_send_param_msg`.
        "msg_batch_send_param_msg" => msg: Message,
    }
}

tim_object! {
    /// Outcome of a batch send for one user.
    pub struct MsgBatchSendResult {
        /// `msg_batch_send_result_identifier`.
        "msg_batch_send_result_identifier" => identifier: String,
        /// `msg_batch_send_result_code`.
        "msg_batch_send_result_code" => code: i32,
        /// `msg_batch_send_result_desc`.
        "msg_batch_send_result_desc" => desc: String,
        /// `msg_batch_send_result_msg`.
        "msg_batch_send_result_msg" => msg: Message,
    }
}

tim_object! {
    /// Parameters of `TIMMsgDownloadElemToPath`.
    pub struct DownloadElemParam {
        /// `msg_download_elem_param_type`.
        "msg_download_elem_param_type" => download_type: DownloadType,
        /// `msg_download_elem_param_id`.
        "msg_download_elem_param_id" => id: String,
        /// `msg_download_elem_param_business_id`.
        "msg_download_elem_param_business_id" => business_id: u32,
        /// `msg_download_elem_param_url`.
        "msg_download_elem_param_url" => url: String,
        /// `msg_download_elem_param_flag` (`kTIMMsgDownloadElemParamFlag`):
        /// the element's download flag, which seed 003's example still
        /// sends; current headers dropped it and it changes nothing here.
        "msg_download_elem_param_flag" => flag: u32,
    }
}

tim_object! {
    /// Progress of a download.
    pub struct DownloadElemResult {
        /// `msg_download_elem_result_current_size`.
        "msg_download_elem_result_current_size" => current_size: u64,
        /// `msg_download_elem_result_total_size`.
        "msg_download_elem_result_total_size" => total_size: u64,
    }
}

tim_object! {
    /// Receive option of one C2C peer (`GetC2CRecvMsgOptResult`).
    pub struct C2CReceiveMessageOptResult {
        /// `msg_recv_msg_opt_result_identifier`.
        "msg_recv_msg_opt_result_identifier" => identifier: String,
        /// `msg_recv_msg_opt_result_opt`.
        "msg_recv_msg_opt_result_opt" => opt: ReceiveMessageOpt,
    }
}

tim_object! {
    /// The account-wide receive option (`TIMReceiveMessageOptInfo`).
    pub struct AllReceiveMessageOptInfo {
        /// `msg_all_recv_msg_opt_start_hour`.
        "msg_all_recv_msg_opt_start_hour" => start_hour: u32,
        /// `msg_all_recv_msg_opt_start_minute`.
        "msg_all_recv_msg_opt_start_minute" => start_minute: u32,
        /// `msg_all_recv_msg_opt_start_second`.
        "msg_all_recv_msg_opt_start_second" => start_second: u32,
        /// `msg_all_recv_msg_opt_start_time_stamp`.
        "msg_all_recv_msg_opt_start_time_stamp" => start_time_stamp: u64,
        /// `msg_all_recv_msg_duration`.
        "msg_all_recv_msg_duration" => duration: u64,
        /// `msg_all_recv_msg_opt_level`.
        "msg_all_recv_msg_opt_level" => level: ReceiveMessageOpt,
    }
}

tim_object! {
    /// A revoked message, as the revoke callback reports it: the
    /// message's locator plus who revoked it and why (7.4+ keys).
    pub struct RevokeNotice {
        /// `message_locator_conv_id`.
        "message_locator_conv_id" => conv_id: String,
        /// `message_locator_conv_type`.
        "message_locator_conv_type" => conv_type: ConvType,
        /// `message_locator_is_revoked`.
        "message_locator_is_revoked" => is_revoked: bool,
        /// `message_locator_time`.
        "message_locator_time" => time: u64,
        /// `message_locator_seq`.
        "message_locator_seq" => seq: u64,
        /// `message_locator_rand`.
        "message_locator_rand" => rand: u64,
        /// `message_locator_is_self`.
        "message_locator_is_self" => is_self: bool,
        /// `message_locator_unique_id`.
        "message_locator_unique_id" => unique_id: u64,
        /// `message_revoker_user_id`.
        "message_revoker_user_id" => revoker_user_id: String,
        /// `message_revoker_nick_name`.
        "message_revoker_nick_name" => revoker_nick_name: String,
        /// `message_revoker_face_url`.
        "message_revoker_face_url" => revoker_face_url: String,
        /// `message_revoke_reason`.
        "message_revoke_reason" => revoke_reason: String,
    }
}

tim_object! {
    /// A read receipt (`MessageReceipt`).
    pub struct MessageReceipt {
        /// `msg_receipt_conv_id`.
        "msg_receipt_conv_id" => conv_id: String,
        /// `msg_receipt_conv_type`.
        "msg_receipt_conv_type" => conv_type: ConvType,
        /// `msg_receipt_msg_id`.
        "msg_receipt_msg_id" => msg_id: String,
        /// `msg_receipt_time_stamp`: C2C peer read time.
        "msg_receipt_time_stamp" => time_stamp: u64,
        /// `msg_receipt_is_peer_read`.
        "msg_receipt_is_peer_read" => is_peer_read: bool,
        /// `msg_receipt_read_count`.
        "msg_receipt_read_count" => read_count: u64,
        /// `msg_receipt_unread_count`.
        "msg_receipt_unread_count" => unread_count: u64,
    }
}

tim_object! {
    /// Where a search keyword matched (an extension of this SDK, not a
    /// Tencent key): lets an app highlight without redoing normalization.
    pub struct SearchMatchRange {
        /// `msg_search_match_elem_index`: element index in `message_elem_array`.
        "msg_search_match_elem_index" => elem_index: u32,
        /// `msg_search_match_key`: the JSON key of the matched field.
        "msg_search_match_key" => key: String,
        /// `msg_search_match_item_index`: index in `merge_elem_abstract_array`, else 0.
        "msg_search_match_item_index" => item_index: u32,
        /// `msg_search_match_start`: start, in UTF-8 bytes of the field.
        "msg_search_match_start" => start: u32,
        /// `msg_search_match_end`: end (exclusive), in UTF-8 bytes.
        "msg_search_match_end" => end: u32,
        /// `msg_search_match_utf16_start`: start, in UTF-16 code units (JS, C#).
        "msg_search_match_utf16_start" => utf16_start: u32,
        /// `msg_search_match_utf16_end`: end (exclusive), in UTF-16 code units.
        "msg_search_match_utf16_end" => utf16_end: u32,
    }
}
