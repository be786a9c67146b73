//! How a message's JSON is stored: LZ4-compressed against a fixed
//! dictionary of Tencent's message keys.
//!
//! A message's JSON is mostly keys (`"message_sender_profile"`,
//! `"user_profile_face_url"`, ...), the same in every message and too short
//! for a compressor to find in one message alone; against a dictionary
//! that holds them, the data set's text messages shrink from 666 to about
//! 200 bytes, which is most of what sled keeps per message. LZ4 (pure
//! Rust, `lz4_flex`) costs about a microsecond a message either way.
//!
//! A body is either plain JSON (what layout 1 wrote, recognised by its
//! opening `{`) or [`DICT_V1`]: that byte, the JSON's length as a
//! big-endian `u32`, then the LZ4 block. The dictionary is part of the
//! format: a body written with it can only be read with the same bytes,
//! so [`DICTIONARY`] never changes (a test pins it); a better one would be
//! a new format byte beside this one.

use std::borrow::Cow;

use im_store::{StoreError, StoreResult};

/// The format byte of a body compressed against [`DICTIONARY`].
pub const DICT_V1: u8 = 1;

/// The largest JSON a body may claim to expand to. Far above any message
/// (Tencent caps a message at 12 KB), and it bounds what a damaged length
/// could make the decoder allocate.
pub const MAX_JSON: usize = 16 << 20;

/// The dictionary: message JSON as `im_model` writes it, the rarer element
/// kinds first and the common text message with a sender profile last.
/// Frozen (see the module doc).
pub const DICTIONARY: &str = concat!(
    r#"{"group_tips_elem_tip_type":1,"group_tips_elem_op_user":"","group_tips_elem_group_name":"","group_tips_elem_group_id":"","group_tips_elem_time":0,"group_tips_elem_user_array":[],"group_tips_elem_group_change_info_array":[{"group_tips_group_change_info_flag":1,"group_tips_group_change_info_value":""}],"group_tips_elem_member_change_info_array":[],"group_tips_elem_op_user_info":{},"group_tips_elem_member_num":0,"group_tips_elem_platform":""}"#,
    r#"{"elem_type":1,"image_elem_orig_path":"","image_elem_level":0,"image_elem_format":0,"image_elem_orig_id":"","image_elem_orig_pic_height":0,"image_elem_orig_pic_width":0,"image_elem_orig_pic_size":0,"image_elem_orig_url":"https://","image_elem_thumb_id":"","image_elem_thumb_pic_height":0,"image_elem_thumb_pic_width":0,"image_elem_thumb_pic_size":0,"image_elem_thumb_url":"https://","image_elem_large_id":"","image_elem_large_pic_height":0,"image_elem_large_pic_width":0,"image_elem_large_pic_size":0,"image_elem_large_url":"https://","image_elem_task_id":0}"#,
    r#"{"elem_type":4,"file_elem_file_path":"","file_elem_file_name":"","file_elem_file_id":"","file_elem_file_size":0,"file_elem_url":"https://","file_elem_business_id":0,"file_elem_download_flag":0,"file_elem_task_id":0}"#,
    r#"{"elem_type":2,"sound_elem_file_path":"","sound_elem_file_size":0,"sound_elem_file_time":0,"sound_elem_file_id":"","sound_elem_business_id":0,"sound_elem_download_flag":0,"sound_elem_url":"https://","sound_elem_task_id":0}"#,
    r#"{"elem_type":9,"video_elem_video_type":"mp4","video_elem_video_size":0,"video_elem_video_duration":0,"video_elem_video_path":"","video_elem_video_id":"","video_elem_video_url":"https://","video_elem_image_type":"jpg","video_elem_image_size":0,"video_elem_image_width":0,"video_elem_image_height":0,"video_elem_image_path":"","video_elem_image_id":"","video_elem_image_url":"https://","video_elem_task_id":0}"#,
    r#"{"elem_type":5,"location_elem_desc":"","location_elem_longitude":0.0,"location_elem_latitude":0.0}{"elem_type":6,"face_elem_index":0,"face_elem_buf":""}"#,
    r#"{"elem_type":12,"merge_elem_title":"","merge_elem_abstract_array":[],"merge_elem_compatible_text":"","merge_elem_message_array":[]}"#,
    r#""message_group_at_user_array":[],"message_need_read_receipt":false,"message_has_sent_receipt":false,"message_is_peer_read":false,"message_cloud_custom_str":"","message_custom_str":"","message_custom_int":0,"message_is_excluded_from_unread_count":false,"message_excluded_from_last_message":false,"message_support_message_extension":false,"message_revoker_user_id":"","message_revoke_reason":"","message_platform":0,"message_version":0,"#,
    r#""user_profile_gender":0,"user_profile_birthday":0,"user_profile_location":"","user_profile_self_signature":"","user_profile_level":0,"user_profile_role":0,"user_profile_language":0,"user_profile_add_permission":0,"user_profile_custom_string_array":[]"#,
    r#"{"message_elem_array":[{"elem_type":3,"custom_elem_data":"","custom_elem_desc":"","custom_elem_ext":"","custom_elem_sound":""}],"#,
    r#"{"message_elem_array":[{"elem_type":0,"text_elem_content":""}],"message_conv_id":"","message_conv_type":1,"message_conv_type":2,"message_sender":"","message_priority":1,"message_client_time":1700000000,"message_server_time":1700000000,"message_is_from_self":false,"message_is_from_self":true,"message_is_read":false,"message_is_read":true,"message_status":2,"message_unique_id":0,"message_msg_id":"144115","message_rand":0,"message_seq":1,"message_sender_profile":{"user_profile_identifier":"","user_profile_nick_name":"","user_profile_face_url":"https://"}}"#,
);

fn corrupt(details: String) -> StoreError {
    StoreError::Corrupt { details }
}

/// The stored body of a message's JSON.
///
/// # Errors
/// `Invalid` when the JSON is larger than [`MAX_JSON`] (it could not be
/// read back).
pub fn encode(json: &[u8]) -> StoreResult<Vec<u8>> {
    if json.len() > MAX_JSON {
        return Err(StoreError::Invalid(format!(
            "a message of {} bytes of JSON is larger than the store keeps ({MAX_JSON})",
            json.len()
        )));
    }
    let compressed = lz4_flex::block::compress_with_dict(json, DICTIONARY.as_bytes());
    let mut body = Vec::with_capacity(5 + compressed.len());
    body.push(DICT_V1);
    // At most MAX_JSON, far below u32::MAX.
    body.extend_from_slice(&(json.len() as u32).to_be_bytes());
    body.extend_from_slice(&compressed);
    Ok(body)
}

/// The JSON of a stored body (borrowed when it is plain JSON).
///
/// # Errors
/// `Corrupt` when the body is of no known format, claims a length above
/// [`MAX_JSON`], or does not decompress to the length it claims.
pub fn decode(body: &[u8]) -> StoreResult<Cow<'_, [u8]>> {
    match body.split_first() {
        Some((b'{', _)) => Ok(Cow::Borrowed(body)),
        Some((&DICT_V1, rest)) => {
            let (len, block) = rest
                .split_first_chunk::<4>()
                .ok_or_else(|| corrupt("a message body is cut short".into()))?;
            let len = u32::from_be_bytes(*len) as usize;
            if len > MAX_JSON {
                return Err(corrupt(format!(
                    "a message body claims {len} bytes of JSON"
                )));
            }
            let json = lz4_flex::block::decompress_with_dict(block, len, DICTIONARY.as_bytes())
                .map_err(|e| corrupt(format!("a message body does not decompress: {e}")))?;
            if json.len() != len {
                return Err(corrupt(format!(
                    "a message body holds {} bytes of JSON, not the {len} it claims",
                    json.len()
                )));
            }
            Ok(Cow::Owned(json))
        }
        Some((other, _)) => Err(corrupt(format!(
            "a message body of unknown format {other:#04x}"
        ))),
        None => Err(corrupt("an empty message body".into())),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// FNV-1a: enough to notice any change to the dictionary.
    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn test_the_dictionary_is_frozen() {
        // Bodies on users' devices were compressed against these exact
        // bytes: changing them makes those messages unreadable.
        assert_eq!(
            (DICTIONARY.len(), fnv(DICTIONARY.as_bytes())),
            (FROZEN_LEN, FROZEN_FNV)
        );
    }

    const FROZEN_LEN: usize = 3498;
    const FROZEN_FNV: u64 = 14_654_399_595_141_946_161;

    #[test]
    fn test_a_text_message_shrinks_and_round_trips() {
        let json = br#"{"message_elem_array":[{"elem_type":0,"text_elem_content":"see you at lunch"}],"message_conv_id":"bob","message_conv_type":1,"message_sender":"alice","message_priority":1,"message_client_time":1700000100,"message_server_time":1700000100,"message_is_from_self":true,"message_is_read":true,"message_status":2,"message_unique_id":77,"message_msg_id":"144115-1","message_rand":9,"message_seq":3,"message_sender_profile":{"user_profile_identifier":"alice","user_profile_nick_name":"Alice","user_profile_face_url":"https://a.example/alice.png"}}"#;
        let body = encode(json).unwrap();
        assert!(
            body.len() * 3 < json.len(),
            "{} of {}",
            body.len(),
            json.len()
        );
        assert_eq!(decode(&body).unwrap().as_ref(), &json[..]);
    }

    #[test]
    fn test_plain_json_of_layout_1_is_read_as_it_is() {
        assert!(matches!(
            decode(b"{\"a\":1}").unwrap(),
            Cow::Borrowed(b"{\"a\":1}")
        ));
    }

    #[test]
    fn test_damaged_bodies_are_corrupt_not_panics_or_huge_allocations() {
        let good = encode(b"{\"message_msg_id\":\"x\"}").unwrap();
        let mut huge = vec![DICT_V1];
        huge.extend_from_slice(&u32::MAX.to_be_bytes());
        let mut wrong_len = good.clone();
        wrong_len[4] += 1;
        for bad in [
            &b""[..],
            &[DICT_V1][..],
            &[DICT_V1, 0, 0][..],
            &[7, 1, 2][..],
            &huge[..],
            &wrong_len[..],
            &good[..good.len() - 1],
        ] {
            assert!(
                matches!(decode(bad), Err(StoreError::Corrupt { .. })),
                "{bad:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn prop_any_json_round_trips(text in "\\PC{0,300}") {
            let json = serde_json::to_vec(&serde_json::json!({ "text_elem_content": text })).unwrap();
            let body = encode(&json).unwrap();
            let back = decode(&body).unwrap();
            prop_assert_eq!(back.as_ref(), &json[..]);
        }
    }
}
