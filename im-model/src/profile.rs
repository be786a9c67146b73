//! User profiles: what a user may change of their own profile
//! (`UserProfileItem`, the parameter of `TIMProfileModifySelfUserProfile`)
//! and the one rule that applies such a change to a stored
//! [`UserProfile`], with Tencent's limits and codes. The server and the
//! transport's test double both apply changes through [`apply_item`], so
//! the rule is written once.

use crate::message::{UserProfile, UserProfileCustomString};
use crate::{ErrorCode, ImError, ImResult};

tim_object! {
    /// The fields of one's own profile a change sets (`UserProfileItem`);
    /// absent fields stay as they are.
    pub struct UserProfileItem {
        /// `user_profile_item_nick_name`.
        "user_profile_item_nick_name" => nick_name: String,
        /// `user_profile_item_gender` (`TIMGenderType`: 0 unknown, 1 male, 2 female).
        "user_profile_item_gender" => gender: u32,
        /// `user_profile_item_face_url`.
        "user_profile_item_face_url" => face_url: String,
        /// `user_profile_item_self_signature`.
        "user_profile_item_self_signature" => self_signature: String,
        /// `user_profile_item_add_permission` (`TIMProfileAddPermission`, 0-3).
        "user_profile_item_add_permission" => add_permission: u32,
        /// `user_profile_item_location`.
        "user_profile_item_location" => location: String,
        /// `user_profile_item_language`.
        "user_profile_item_language" => language: u32,
        /// `user_profile_item_birthday` (e.g. 19900101).
        "user_profile_item_birthday" => birthday: u32,
        /// `user_profile_item_level`.
        "user_profile_item_level" => level: u32,
        /// `user_profile_item_role`.
        "user_profile_item_role" => role: u32,
        /// `user_profile_item_custom_string_array`: custom fields, with or
        /// without the `Tag_Profile_Custom_` prefix.
        "user_profile_item_custom_string_array" => custom_string_array: Vec<UserProfileCustomString>,
    }
}

/// Tencent's profile error codes (`TIMErrorCode.h`, 400xx).
pub mod codes {
    /// `ERR_SVR_PROFILE_INVALID_PARAMETERS`: a malformed request.
    pub const INVALID_PARAMETERS: i32 = 40001;
    /// `ERR_SVR_PROFILE_ACCOUNT_MISS`: no user named.
    pub const ACCOUNT_MISS: i32 = 40002;
    /// `ERR_SVR_PROFILE_TAG_NOT_FOUND`: a custom field the app did not declare.
    pub const TAG_NOT_FOUND: i32 = 40009;
    /// `ERR_SVR_PROFILE_SIZE_LIMIT`: a value over its length limit.
    pub const SIZE_LIMIT: i32 = 40601;
    /// `ERR_SVR_PROFILE_VALUE_ERROR`: a value out of its range.
    pub const VALUE_ERROR: i32 = 40605;
}

/// The prefix of every custom profile field's key.
pub const CUSTOM_PREFIX: &str = "Tag_Profile_Custom_";
/// The longest string value of a profile field, custom fields included (bytes).
pub const MAX_VALUE_BYTES: usize = 500;
/// The longest location (bytes): Tencent keeps it as four numbers an app
/// maps to place names.
pub const MAX_LOCATION_BYTES: usize = 16;
/// The longest custom field name after the prefix (characters).
pub const MAX_CUSTOM_NAME_CHARS: usize = 8;
/// The most custom profile fields an app declares.
pub const MAX_CUSTOM_FIELDS: usize = 20;
/// The most users one profile lookup names (Tencent's `portrait_get`).
pub const MAX_USERS_PER_LOOKUP: usize = 100;

fn error(code: i32, message: impl Into<String>) -> ImError {
    ImError::new(ErrorCode::from_code(code), message)
}

/// A custom field's key in its full form: the prefix is added when the
/// app left it out (as Tencent's SDK does).
pub fn full_custom_key(key: &str) -> String {
    if key.starts_with(CUSTOM_PREFIX) {
        key.to_owned()
    } else {
        format!("{CUSTOM_PREFIX}{key}")
    }
}

/// Whether `name` (a declared custom field, with or without the prefix)
/// is a valid custom field name: 1 to 8 ASCII letters, digits or `_`.
pub fn is_valid_custom_name(name: &str) -> bool {
    let short = name.strip_prefix(CUSTOM_PREFIX).unwrap_or(name);
    !short.is_empty()
        && short.chars().count() <= MAX_CUSTOM_NAME_CHARS
        && short.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_len(what: &str, value: Option<&String>, max: usize) -> ImResult<()> {
    match value {
        Some(v) if v.len() > max => Err(error(
            codes::SIZE_LIMIT,
            format!("{what} is {} bytes, over {max}", v.len()),
        )),
        _ => Ok(()),
    }
}

/// The profile `profile` becomes with `item` applied, for its own user;
/// `custom_keys` are the custom fields the app declared (full keys).
///
/// # Errors
/// 40001 when the item changes nothing; 40601 a string over its limit
/// (500 bytes, the location 16); 40605 a gender or add permission out of
/// range; 40009 a custom field that is not declared. Nothing is applied
/// when any field is refused.
pub fn apply_item(
    profile: &UserProfile,
    item: &UserProfileItem,
    custom_keys: &[String],
) -> ImResult<UserProfile> {
    let changes_something = item.nick_name.is_some()
        || item.gender.is_some()
        || item.face_url.is_some()
        || item.self_signature.is_some()
        || item.add_permission.is_some()
        || item.location.is_some()
        || item.language.is_some()
        || item.birthday.is_some()
        || item.level.is_some()
        || item.role.is_some()
        || item
            .custom_string_array
            .as_ref()
            .is_some_and(|c| !c.is_empty());
    if !changes_something {
        return Err(error(
            codes::INVALID_PARAMETERS,
            "the profile change sets no field",
        ));
    }
    check_len(
        "user_profile_item_nick_name",
        item.nick_name.as_ref(),
        MAX_VALUE_BYTES,
    )?;
    check_len(
        "user_profile_item_face_url",
        item.face_url.as_ref(),
        MAX_VALUE_BYTES,
    )?;
    check_len(
        "user_profile_item_self_signature",
        item.self_signature.as_ref(),
        MAX_VALUE_BYTES,
    )?;
    check_len(
        "user_profile_item_location",
        item.location.as_ref(),
        MAX_LOCATION_BYTES,
    )?;
    if item.gender.is_some_and(|g| g > 2) {
        return Err(error(
            codes::VALUE_ERROR,
            "user_profile_item_gender is 0, 1 or 2 (TIMGenderType)",
        ));
    }
    if item.add_permission.is_some_and(|p| p > 3) {
        return Err(error(
            codes::VALUE_ERROR,
            "user_profile_item_add_permission is 0 to 3 (TIMProfileAddPermission)",
        ));
    }
    let mut next = profile.clone();
    let custom = item.custom_string_array.as_deref().unwrap_or_default();
    if !custom.is_empty() {
        let mut fields = next.custom_string_array.take().unwrap_or_default();
        for field in custom {
            let key = full_custom_key(field.key.as_deref().unwrap_or_default());
            if !custom_keys.contains(&key) {
                return Err(error(
                    codes::TAG_NOT_FOUND,
                    format!("{key} is not a custom profile field of this app"),
                ));
            }
            let value = field.value.clone().unwrap_or_default();
            check_len(&key, Some(&value), MAX_VALUE_BYTES)?;
            match fields.iter_mut().find(|f| f.key.as_deref() == Some(&key)) {
                Some(existing) => existing.value = Some(value),
                None => fields.push(UserProfileCustomString {
                    key: Some(key),
                    value: Some(value),
                    ..UserProfileCustomString::default()
                }),
            }
        }
        next.custom_string_array = Some(fields);
    }
    let set = |field: &mut Option<String>, value: &Option<String>| {
        if value.is_some() {
            field.clone_from(value);
        }
    };
    set(&mut next.nick_name, &item.nick_name);
    set(&mut next.face_url, &item.face_url);
    set(&mut next.self_signature, &item.self_signature);
    set(&mut next.location, &item.location);
    let set_number = |field: &mut Option<u32>, value: Option<u32>| {
        if value.is_some() {
            *field = value;
        }
    };
    set_number(&mut next.gender, item.gender);
    set_number(&mut next.add_permission, item.add_permission);
    set_number(&mut next.language, item.language);
    set_number(&mut next.birthday, item.birthday);
    set_number(&mut next.level, item.level);
    set_number(&mut next.role, item.role);
    Ok(next)
}

/// The profile of a user who never set one: their id, every field empty
/// (what Tencent answers for an account without a profile).
pub fn empty_profile(user_id: &str) -> UserProfile {
    UserProfile {
        identifier: Some(user_id.to_owned()),
        nick_name: Some(String::new()),
        gender: Some(0),
        face_url: Some(String::new()),
        self_signature: Some(String::new()),
        add_permission: Some(0),
        location: Some(String::new()),
        language: Some(0),
        birthday: Some(0),
        level: Some(0),
        role: Some(0),
        custom_string_array: Some(Vec::new()),
        ..UserProfile::default()
    }
}

/// The part of a sender's profile a message carries
/// (`message_sender_profile`): id, nickname and face, what a chat shows
/// beside each message.
pub fn sender_stamp(profile: &UserProfile) -> UserProfile {
    UserProfile {
        identifier: profile.identifier.clone(),
        nick_name: profile.nick_name.clone(),
        face_url: profile.face_url.clone(),
        ..UserProfile::default()
    }
}

/// The name a chat shows for a user: their nickname, else their id.
pub fn display_name(profile: Option<&UserProfile>, user_id: &str) -> String {
    profile
        .and_then(|p| p.nick_name.as_deref())
        .filter(|n| !n.is_empty())
        .unwrap_or(user_id)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        vec!["Tag_Profile_Custom_Str".to_owned()]
    }

    #[test]
    fn test_a_change_sets_only_the_fields_it_names() {
        let before = UserProfile {
            face_url: Some("https://a/x.png".into()),
            ..empty_profile("alice")
        };
        let item = UserProfileItem {
            nick_name: Some("Alice".into()),
            gender: Some(2),
            custom_string_array: Some(vec![UserProfileCustomString {
                key: Some("Str".into()),
                value: Some("v".into()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let after = apply_item(&before, &item, &keys()).unwrap();
        assert_eq!(after.nick_name.as_deref(), Some("Alice"));
        assert_eq!(after.gender, Some(2));
        assert_eq!(after.face_url.as_deref(), Some("https://a/x.png"));
        let custom = after.custom_string_array.unwrap();
        assert_eq!(custom.len(), 1);
        assert_eq!(custom[0].key.as_deref(), Some("Tag_Profile_Custom_Str"));
    }

    #[test]
    fn test_refused_changes_carry_tencents_codes() {
        let base = empty_profile("alice");
        let refused = |item: UserProfileItem| apply_item(&base, &item, &keys()).unwrap_err().code();
        assert_eq!(refused(UserProfileItem::default()), 40001);
        assert_eq!(
            refused(UserProfileItem {
                nick_name: Some("n".repeat(501)),
                ..Default::default()
            }),
            40601
        );
        assert_eq!(
            refused(UserProfileItem {
                location: Some("l".repeat(17)),
                ..Default::default()
            }),
            40601
        );
        assert_eq!(
            refused(UserProfileItem {
                gender: Some(3),
                ..Default::default()
            }),
            40605
        );
        assert_eq!(
            refused(UserProfileItem {
                add_permission: Some(4),
                ..Default::default()
            }),
            40605
        );
        assert_eq!(
            refused(UserProfileItem {
                custom_string_array: Some(vec![UserProfileCustomString {
                    key: Some("Other".into()),
                    value: Some("v".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            40009
        );
        // A nickname of exactly 500 bytes is accepted.
        assert!(
            apply_item(
                &base,
                &UserProfileItem {
                    nick_name: Some("n".repeat(500)),
                    ..Default::default()
                },
                &keys()
            )
            .is_ok()
        );
    }

    #[test]
    fn test_custom_names_are_short_ascii() {
        assert!(is_valid_custom_name("Str"));
        assert!(is_valid_custom_name("Tag_Profile_Custom_Level_2"));
        assert!(!is_valid_custom_name("TooLongName"));
        assert!(!is_valid_custom_name(""));
        assert!(!is_valid_custom_name("näme"));
    }

    #[test]
    fn test_display_names_fall_back_to_the_id() {
        let mut p = empty_profile("bob");
        assert_eq!(display_name(Some(&p), "bob"), "bob");
        p.nick_name = Some("Bob".into());
        assert_eq!(display_name(Some(&p), "bob"), "Bob");
        assert_eq!(display_name(None, "bob"), "bob");
    }
}
