//! Profiles carried inside messages.

use serde_json::Value;

tim_object! {
    /// A user profile (`message_sender_profile`, op-user info).
    pub struct UserProfile {
        /// `user_profile_identifier`.
        "user_profile_identifier" => identifier: String,
        /// `user_profile_nick_name`.
        "user_profile_nick_name" => nick_name: String,
        /// `user_profile_gender` (`TIMGenderType`, kept as a number for tolerance).
        "user_profile_gender" => gender: u32,
        /// `user_profile_face_url`.
        "user_profile_face_url" => face_url: String,
        /// `user_profile_friend_remark`.
        "user_profile_friend_remark" => friend_remark: String,
        /// `user_profile_self_signature`.
        "user_profile_self_signature" => self_signature: String,
        /// `user_profile_add_permission`.
        "user_profile_add_permission" => add_permission: u32,
        /// `user_profile_location`.
        "user_profile_location" => location: String,
        /// `user_profile_language`.
        "user_profile_language" => language: u32,
        /// `user_profile_birthday`.
        "user_profile_birthday" => birthday: u32,
        /// `user_profile_level`.
        "user_profile_level" => level: u32,
        /// `user_profile_role`.
        "user_profile_role" => role: u32,
        /// `user_profile_custom_string_array`.
        "user_profile_custom_string_array" => custom_string_array: Vec<UserProfileCustomString>,
    }
}

tim_object! {
    /// One custom profile field.
    pub struct UserProfileCustomString {
        /// `user_profile_custom_string_info_key`.
        "user_profile_custom_string_info_key" => key: String,
        /// `user_profile_custom_string_info_value`.
        "user_profile_custom_string_info_value" => value: String,
    }
}

tim_object! {
    /// A group member's info (`message_sender_group_member_info`).
    pub struct GroupMemberInfo {
        /// `group_member_info_identifier`.
        "group_member_info_identifier" => identifier: String,
        /// `group_member_info_group_id`.
        "group_member_info_group_id" => group_id: String,
        /// `group_member_info_join_time`.
        "group_member_info_join_time" => join_time: u64,
        /// `group_member_info_member_role`.
        "group_member_info_member_role" => member_role: u32,
        /// `group_member_info_msg_flag`.
        "group_member_info_msg_flag" => msg_flag: u32,
        /// `group_member_info_msg_seq`.
        "group_member_info_msg_seq" => msg_seq: u64,
        /// `group_member_info_shutup_time`.
        "group_member_info_shutup_time" => shutup_time: u64,
        /// `group_member_info_name_card`.
        "group_member_info_name_card" => name_card: String,
        /// `group_member_info_nick_name`.
        "group_member_info_nick_name" => nick_name: String,
        /// `group_member_info_friend_remark`.
        "group_member_info_friend_remark" => friend_remark: String,
        /// `group_member_info_face_url`.
        "group_member_info_face_url" => face_url: String,
        /// `group_member_info_custom_info`: kept as raw JSON.
        "group_member_info_custom_info" => custom_info: Value,
        /// `group_member_info_is_online`: a string in the headers, a bool
        /// from some wrappers; both are accepted ([`super::BoolOrString`]).
        "group_member_info_is_online" => is_online: super::BoolOrString,
        /// `group_member_info_online_devices`: kept as raw JSON.
        "group_member_info_online_devices" => online_devices: Value,
    }
}

tim_object! {
    /// Offline push settings of a message.
    pub struct OfflinePushConfig {
        /// `offline_push_config_title`.
        "offline_push_config_title" => title: String,
        /// `offline_push_config_desc`.
        "offline_push_config_desc" => desc: String,
        /// `offline_push_config_ext`.
        "offline_push_config_ext" => ext: String,
        /// `offline_push_config_flag`: 0 default, 1 no push.
        "offline_push_config_flag" => flag: u32,
        /// `offline_push_config_ios_config`: kept as raw JSON.
        "offline_push_config_ios_config" => ios_config: Value,
        /// `offline_push_config_android_config`: kept as raw JSON.
        "offline_push_config_android_config" => android_config: Value,
        /// `offline_push_config_harmony_config`: kept as raw JSON.
        "offline_push_config_harmony_config" => harmony_config: Value,
    }
}
