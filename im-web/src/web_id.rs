//! Conversation ids in the Web SDK's form: `C2C<user>` and
//! `GROUP<group>`, where the native SDK has `c2c_<user>` and
//! `group_<group>` (or a raw id and a type).

use im_model::{ConvId, ConvType};

use crate::codes::{WebCode, WebError};

/// The Web id's prefix of a one-to-one conversation (`TYPES.CONV_C2C`).
pub const C2C: &str = "C2C";
/// The Web id's prefix of a group conversation (`TYPES.CONV_GROUP`).
pub const GROUP: &str = "GROUP";

/// The Web id of a conversation.
pub fn to_web(id: &ConvId) -> String {
    match id.conv_type() {
        ConvType::Group => format!("{GROUP}{}", id.peer()),
        _ => format!("{C2C}{}", id.peer()),
    }
}

/// The Web conversation type (`TYPES.CONV_C2C` or `TYPES.CONV_GROUP`).
pub fn web_type(id: &ConvId) -> &'static str {
    match id.conv_type() {
        ConvType::Group => GROUP,
        _ => C2C,
    }
}

/// Parses a Web id.
///
/// # Errors
/// 2503 (`INVALID_CONV_ID`) for anything but `C2C<user>` or `GROUP<group>`
/// with a valid user or group id.
pub fn parse(web_id: &str) -> Result<ConvId, WebError> {
    let parsed = if let Some(group) = web_id.strip_prefix(GROUP) {
        ConvId::group(group)
    } else if let Some(user) = web_id.strip_prefix(C2C) {
        ConvId::c2c(user)
    } else {
        return Err(invalid(web_id));
    };
    parsed.map_err(|_| invalid(web_id))
}

fn invalid(web_id: &str) -> WebError {
    WebError::new(
        WebCode::INVALID_CONV_ID,
        format!("{web_id:?} is not a conversation id (C2C<userID> or GROUP<groupID>)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_web_ids_round_trip_and_bad_ones_get_2503() {
        let c2c = parse("C2Cexample").unwrap();
        assert_eq!(c2c, ConvId::c2c("example").unwrap());
        assert_eq!(to_web(&c2c), "C2Cexample");
        let group = parse("GROUPtest").unwrap();
        assert_eq!(group, ConvId::group("test").unwrap());
        assert_eq!(to_web(&group), "GROUPtest");
        assert_eq!(web_type(&group), "GROUP");
        for bad in ["", "C2C", "GROUP", "c2c_alice", "TOPICx", "@TIM#SYSTEM"] {
            assert_eq!(parse(bad).unwrap_err().code, 2503, "{bad:?}");
        }
    }
}
