//! Message elements (spec 3.9), dispatched by `elem_type`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{GroupMemberInfo, Message, UserProfile};
use crate::enums::{
    ElemType, GroupReportType, GroupTipGroupChangeFlag, GroupTipType, ImageLevel, ReceiveMessageOpt,
};

/// The JSON key naming an element's kind.
const ELEM_TYPE_KEY: &str = "elem_type";

/// One part of a message.
///
/// Kinds the model types are parsed into their struct; any other kind
/// (friend and profile changes, or a kind newer than this code) is kept
/// whole in [`Elem::Other`], so storing and re-sending never drops it.
#[derive(Debug, Clone, PartialEq)]
pub enum Elem {
    /// `kTIMElem_Text`.
    Text(TextElem),
    /// `kTIMElem_Image`.
    Image(ImageElem),
    /// `kTIMElem_Sound`.
    Sound(SoundElem),
    /// `kTIMElem_Custom`.
    Custom(CustomElem),
    /// `kTIMElem_File`.
    File(FileElem),
    /// `kTIMElem_GroupTips`.
    GroupTips(Box<GroupTipsElem>),
    /// `kTIMElem_Face`.
    Face(FaceElem),
    /// `kTIMElem_Location`.
    Location(LocationElem),
    /// `kTIMElem_GroupReport`.
    GroupReport(Box<GroupReportElem>),
    /// `kTIMElem_Video`.
    Video(VideoElem),
    /// `kTIMElem_Merge`.
    Merge(Box<MergeElem>),
    /// Any other element, kept as its raw JSON object (including `elem_type`).
    Other(Map<String, Value>),
}

impl Elem {
    /// The raw `elem_type` number.
    pub fn elem_type_value(&self) -> i64 {
        match self {
            Elem::Text(_) => ElemType::Text.value().into(),
            Elem::Image(_) => ElemType::Image.value().into(),
            Elem::Sound(_) => ElemType::Sound.value().into(),
            Elem::Custom(_) => ElemType::Custom.value().into(),
            Elem::File(_) => ElemType::File.value().into(),
            Elem::GroupTips(_) => ElemType::GroupTips.value().into(),
            Elem::Face(_) => ElemType::Face.value().into(),
            Elem::Location(_) => ElemType::Location.value().into(),
            Elem::GroupReport(_) => ElemType::GroupReport.value().into(),
            Elem::Video(_) => ElemType::Video.value().into(),
            Elem::Merge(_) => ElemType::Merge.value().into(),
            Elem::Other(map) => map.get(ELEM_TYPE_KEY).and_then(Value::as_i64).unwrap_or(-1),
        }
    }

    /// The element kind, when it is one Tencent defines.
    pub fn elem_type(&self) -> Option<ElemType> {
        ElemType::from_value(self.elem_type_value())
    }
}

fn to_object<T: Serialize, E: serde::ser::Error>(value: &T) -> Result<Map<String, Value>, E> {
    match serde_json::to_value(value).map_err(E::custom)? {
        Value::Object(map) => Ok(map),
        _ => Err(E::custom("element did not serialize to an object")),
    }
}

impl Serialize for Elem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = match self {
            Elem::Text(e) => to_object(e)?,
            Elem::Image(e) => to_object(e)?,
            Elem::Sound(e) => to_object(e)?,
            Elem::Custom(e) => to_object(e)?,
            Elem::File(e) => to_object(e)?,
            Elem::GroupTips(e) => to_object(e)?,
            Elem::Face(e) => to_object(e)?,
            Elem::Location(e) => to_object(e)?,
            Elem::GroupReport(e) => to_object(e)?,
            Elem::Video(e) => to_object(e)?,
            Elem::Merge(e) => to_object(e)?,
            Elem::Other(raw) => return raw.serialize(serializer),
        };
        map.insert(
            ELEM_TYPE_KEY.to_owned(),
            Value::from(self.elem_type_value()),
        );
        map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Elem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let Some(kind) = map.get(ELEM_TYPE_KEY).map(|v| v.as_i64()) else {
            return Err(D::Error::missing_field(ELEM_TYPE_KEY));
        };
        let Some(kind) = kind else {
            return Err(D::Error::custom("elem_type must be an integer"));
        };
        fn typed<T: serde::de::DeserializeOwned, E: serde::de::Error>(
            map: Map<String, Value>,
        ) -> Result<T, E> {
            serde_json::from_value(Value::Object(map)).map_err(E::custom)
        }
        let elem = match ElemType::from_value(kind) {
            Some(ElemType::Text) => Elem::Text(typed(take_body(&mut map))?),
            Some(ElemType::Image) => Elem::Image(typed(take_body(&mut map))?),
            Some(ElemType::Sound) => Elem::Sound(typed(take_body(&mut map))?),
            Some(ElemType::Custom) => Elem::Custom(typed(take_body(&mut map))?),
            Some(ElemType::File) => Elem::File(typed(take_body(&mut map))?),
            Some(ElemType::GroupTips) => Elem::GroupTips(Box::new(typed(take_body(&mut map))?)),
            Some(ElemType::Face) => Elem::Face(typed(take_body(&mut map))?),
            Some(ElemType::Location) => Elem::Location(typed(take_body(&mut map))?),
            Some(ElemType::GroupReport) => Elem::GroupReport(Box::new(typed(take_body(&mut map))?)),
            Some(ElemType::Video) => Elem::Video(typed(take_body(&mut map))?),
            Some(ElemType::Merge) => Elem::Merge(Box::new(typed(take_body(&mut map))?)),
            _ => Elem::Other(map),
        };
        Ok(elem)
    }
}

/// The element's own keys, without `elem_type`.
fn take_body(map: &mut Map<String, Value>) -> Map<String, Value> {
    let mut body = std::mem::take(map);
    body.remove(ELEM_TYPE_KEY);
    body
}

tim_object! {
    /// Text element.
    pub struct TextElem {
        /// `text_elem_content`.
        "text_elem_content" => content: String,
    }
}

tim_object! {
    /// App-defined element.
    pub struct CustomElem {
        /// `custom_elem_data`.
        "custom_elem_data" => data: String,
        /// `custom_elem_desc`.
        "custom_elem_desc" => desc: String,
        /// `custom_elem_ext`.
        "custom_elem_ext" => ext: String,
        /// `custom_elem_sound`.
        "custom_elem_sound" => sound: String,
    }
}

tim_object! {
    /// Image element.
    pub struct ImageElem {
        /// `image_elem_orig_path`.
        "image_elem_orig_path" => orig_path: String,
        /// `image_elem_level`.
        "image_elem_level" => level: ImageLevel,
        /// `image_elem_format`.
        "image_elem_format" => format: i32,
        /// `image_elem_orig_id`.
        "image_elem_orig_id" => orig_id: String,
        /// `image_elem_orig_pic_height`.
        "image_elem_orig_pic_height" => orig_pic_height: u32,
        /// `image_elem_orig_pic_width`.
        "image_elem_orig_pic_width" => orig_pic_width: u32,
        /// `image_elem_orig_pic_size`.
        "image_elem_orig_pic_size" => orig_pic_size: u64,
        /// `image_elem_thumb_id`.
        "image_elem_thumb_id" => thumb_id: String,
        /// `image_elem_thumb_pic_height`.
        "image_elem_thumb_pic_height" => thumb_pic_height: u32,
        /// `image_elem_thumb_pic_width`.
        "image_elem_thumb_pic_width" => thumb_pic_width: u32,
        /// `image_elem_thumb_pic_size`.
        "image_elem_thumb_pic_size" => thumb_pic_size: u64,
        /// `image_elem_large_id`.
        "image_elem_large_id" => large_id: String,
        /// `image_elem_large_pic_height`.
        "image_elem_large_pic_height" => large_pic_height: u32,
        /// `image_elem_large_pic_width`.
        "image_elem_large_pic_width" => large_pic_width: u32,
        /// `image_elem_large_pic_size`.
        "image_elem_large_pic_size" => large_pic_size: u64,
        /// `image_elem_orig_url`.
        "image_elem_orig_url" => orig_url: String,
        /// `image_elem_thumb_url`.
        "image_elem_thumb_url" => thumb_url: String,
        /// `image_elem_large_url`.
        "image_elem_large_url" => large_url: String,
        /// `image_elem_task_id` (deprecated).
        "image_elem_task_id" => task_id: u32,
    }
}

tim_object! {
    /// Voice element.
    pub struct SoundElem {
        /// `sound_elem_file_path`.
        "sound_elem_file_path" => file_path: String,
        /// `sound_elem_file_size`: bytes.
        "sound_elem_file_size" => file_size: u64,
        /// `sound_elem_file_time`: seconds.
        "sound_elem_file_time" => file_time: u32,
        /// `sound_elem_file_id`.
        "sound_elem_file_id" => file_id: String,
        /// `sound_elem_business_id`.
        "sound_elem_business_id" => business_id: u32,
        /// `sound_elem_url`.
        "sound_elem_url" => url: String,
        /// `sound_elem_task_id` (deprecated).
        "sound_elem_task_id" => task_id: u32,
        /// `sound_elem_download_flag` (older headers; kept for code written
        /// from seed 003, which passes it back to the download call).
        "sound_elem_download_flag" => download_flag: u32,
    }
}

tim_object! {
    /// Video element.
    pub struct VideoElem {
        /// `video_elem_video_type`.
        "video_elem_video_type" => video_type: String,
        /// `video_elem_video_size`.
        "video_elem_video_size" => video_size: u64,
        /// `video_elem_video_duration`.
        "video_elem_video_duration" => video_duration: u32,
        /// `video_elem_video_path`.
        "video_elem_video_path" => video_path: String,
        /// `video_elem_video_id`.
        "video_elem_video_id" => video_id: String,
        /// `video_elem_business_id`.
        "video_elem_business_id" => business_id: u32,
        /// `video_elem_video_download_flag` (older headers).
        "video_elem_video_download_flag" => video_download_flag: u32,
        /// `video_elem_image_download_flag` (older headers).
        "video_elem_image_download_flag" => image_download_flag: u32,
        /// `video_elem_video_url`.
        "video_elem_video_url" => video_url: String,
        /// `video_elem_image_type`.
        "video_elem_image_type" => image_type: String,
        /// `video_elem_image_size`.
        "video_elem_image_size" => image_size: u64,
        /// `video_elem_image_width`.
        "video_elem_image_width" => image_width: u32,
        /// `video_elem_image_height`.
        "video_elem_image_height" => image_height: u32,
        /// `video_elem_image_path`.
        "video_elem_image_path" => image_path: String,
        /// `video_elem_image_id`.
        "video_elem_image_id" => image_id: String,
        /// `video_elem_image_url`.
        "video_elem_image_url" => image_url: String,
        /// `video_elem_task_id` (deprecated).
        "video_elem_task_id" => task_id: u32,
    }
}

tim_object! {
    /// File element.
    pub struct FileElem {
        /// `file_elem_file_path`.
        "file_elem_file_path" => file_path: String,
        /// `file_elem_file_name`.
        "file_elem_file_name" => file_name: String,
        /// `file_elem_file_size`.
        "file_elem_file_size" => file_size: u64,
        /// `file_elem_file_id`.
        "file_elem_file_id" => file_id: String,
        /// `file_elem_business_id`.
        "file_elem_business_id" => business_id: u32,
        /// `file_elem_url`.
        "file_elem_url" => url: String,
        /// `file_elem_task_id` (deprecated).
        "file_elem_task_id" => task_id: u32,
        /// `file_elem_download_flag` (older headers).
        "file_elem_download_flag" => download_flag: u32,
    }
}

tim_object! {
    /// Location element.
    pub struct LocationElem {
        /// `location_elem_desc`.
        "location_elem_desc" => desc: String,
        /// `location_elem_longitude`.
        "location_elem_longitude" => longitude: f64,
        /// `location_elem_latitude`.
        "location_elem_latitude" => latitude: f64,
    }
}

tim_object! {
    /// Emoticon element.
    pub struct FaceElem {
        /// `face_elem_index`.
        "face_elem_index" => index: i32,
        /// `face_elem_buf`.
        "face_elem_buf" => buf: String,
    }
}

tim_object! {
    /// Merged-message element.
    pub struct MergeElem {
        /// `merge_elem_title`.
        "merge_elem_title" => title: String,
        /// `merge_elem_abstract_array`.
        "merge_elem_abstract_array" => abstract_array: Vec<String>,
        /// `merge_elem_compatible_text`.
        "merge_elem_compatible_text" => compatible_text: String,
        /// `merge_elem_message_array`.
        "merge_elem_message_array" => message_array: Vec<Message>,
        /// `merge_elem_layer_over_limit`.
        "merge_elem_layer_over_limit" => layer_over_limit: bool,
        /// `merge_elem_relay_pb_key`.
        "merge_elem_relay_pb_key" => relay_pb_key: String,
        /// `merge_elem_relay_json_key`.
        "merge_elem_relay_json_key" => relay_json_key: String,
        /// `merge_elem_relay_buffer`.
        "merge_elem_relay_buffer" => relay_buffer: String,
    }
}

tim_object! {
    /// Group system report element.
    pub struct GroupReportElem {
        /// `group_report_elem_report_type`.
        "group_report_elem_report_type" => report_type: GroupReportType,
        /// `group_report_elem_group_id`.
        "group_report_elem_group_id" => group_id: String,
        /// `group_report_elem_op_user`.
        "group_report_elem_op_user" => op_user: String,
        /// `group_report_elem_msg`.
        "group_report_elem_msg" => msg: String,
        /// `group_report_elem_user_data`.
        "group_report_elem_user_data" => user_data: String,
        /// `group_report_elem_op_user_info`.
        "group_report_elem_op_user_info" => op_user_info: UserProfile,
        /// `group_report_elem_op_group_memberinfo`.
        "group_report_elem_op_group_memberinfo" => op_group_memberinfo: GroupMemberInfo,
        /// `group_report_elem_platform`.
        "group_report_elem_platform" => platform: String,
        /// `group_report_elem_shut_up_time`.
        "group_report_elem_shut_up_time" => shut_up_time: u64,
        /// `group_report_elem_group_message_receive_option`.
        "group_report_elem_group_message_receive_option" => group_message_receive_option: ReceiveMessageOpt,
        /// `group_report_elem_group_name` (deprecated).
        "group_report_elem_group_name" => group_name: String,
    }
}

tim_object! {
    /// Group tips element.
    pub struct GroupTipsElem {
        /// `group_tips_elem_tip_type`.
        "group_tips_elem_tip_type" => tip_type: GroupTipType,
        /// `group_tips_elem_join_type`.
        "group_tips_elem_join_type" => join_type: u32,
        /// `group_tips_elem_op_user`.
        "group_tips_elem_op_user" => op_user: String,
        /// `group_tips_elem_group_id`.
        "group_tips_elem_group_id" => group_id: String,
        /// `group_tips_elem_user_array`.
        "group_tips_elem_user_array" => user_array: Vec<String>,
        /// `group_tips_elem_group_change_info_array`.
        "group_tips_elem_group_change_info_array" => group_change_info_array: Vec<GroupTipGroupChangeInfo>,
        /// `group_tips_elem_member_change_info_array`.
        "group_tips_elem_member_change_info_array" => member_change_info_array: Vec<GroupTipMemberChangeInfo>,
        /// `group_tips_elem_op_user_info`.
        "group_tips_elem_op_user_info" => op_user_info: UserProfile,
        /// `group_tips_elem_op_group_memberinfo`.
        "group_tips_elem_op_group_memberinfo" => op_group_memberinfo: GroupMemberInfo,
        /// `group_tips_elem_changed_user_info_array`.
        "group_tips_elem_changed_user_info_array" => changed_user_info_array: Vec<UserProfile>,
        /// `group_tips_elem_changed_group_memberinfo_array`.
        "group_tips_elem_changed_group_memberinfo_array" => changed_group_memberinfo_array: Vec<GroupMemberInfo>,
        /// `group_tips_elem_member_num`.
        "group_tips_elem_member_num" => member_num: u32,
        /// `group_tips_elem_platform`.
        "group_tips_elem_platform" => platform: String,
        /// `group_tips_elem_member_mark_info_array`.
        "group_tips_elem_member_mark_info_array" => member_mark_info_array: Vec<GroupTipMemberMarkChangeInfo>,
        /// `group_tips_elem_pinned_message_list`: an array, or one message
        /// from some senders; both are accepted ([`super::OneOrMany`]).
        "group_tips_elem_pinned_message_list" => pinned_message_list: super::OneOrMany<Message>,
        /// `group_tips_elem_group_name` (deprecated).
        "group_tips_elem_group_name" => group_name: String,
        /// `group_tips_elem_time` (deprecated).
        "group_tips_elem_time" => time: u64,
    }
}

tim_object! {
    /// One changed group attribute in a group tip.
    pub struct GroupTipGroupChangeInfo {
        /// `group_tips_group_change_info_flag`.
        "group_tips_group_change_info_flag" => flag: GroupTipGroupChangeFlag,
        /// `group_tips_group_change_info_value`.
        "group_tips_group_change_info_value" => value: String,
        /// `group_tips_group_change_info_key`.
        "group_tips_group_change_info_key" => key: String,
        /// `group_tips_group_change_info_bool_value`.
        "group_tips_group_change_info_bool_value" => bool_value: bool,
        /// `group_tips_group_change_info_int_value`.
        "group_tips_group_change_info_int_value" => int_value: i64,
        /// `group_tips_group_change_info_uint64_value`.
        "group_tips_group_change_info_uint64_value" => uint64_value: u64,
    }
}

tim_object! {
    /// One changed member in a group tip.
    pub struct GroupTipMemberChangeInfo {
        /// `group_tips_member_change_info_identifier`.
        "group_tips_member_change_info_identifier" => identifier: String,
        /// `group_tips_member_change_info_shutupTime` (Tencent's camelCase).
        "group_tips_member_change_info_shutupTime" => shutup_time: u64,
    }
}

tim_object! {
    /// One member-mark change in a group tip.
    pub struct GroupTipMemberMarkChangeInfo {
        /// `group_tips_member_mark_change_info_enableMark`.
        "group_tips_member_mark_change_info_enableMark" => enable_mark: bool,
        /// `group_tips_member_mark_change_info_markType`.
        "group_tips_member_mark_change_info_markType" => mark_type: u64,
        /// `group_tips_member_mark_change_info_userIDList`.
        "group_tips_member_mark_change_info_userIDList" => user_id_list: Vec<String>,
    }
}
