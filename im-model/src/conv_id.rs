//! Conversation identifiers in both of Tencent's forms.
//!
//! Tencent names a conversation two ways (spec 0.3): a raw peer id plus a
//! `TIMConvType` (`conv_id: "98826", conv_type: 1`), and a prefixed string
//! (`"c2c_98826"`, `"group_@TGS#2B6MQRSHD"`). [`ConvId`] is the one value
//! behind both; parsing either form validates it, so a malformed id is
//! rejected at the edge with a clear error instead of creating a ghost
//! conversation.

use std::fmt;

use crate::enums::ConvType;
use crate::error::{ImError, ImResult};
use crate::limits::MAX_PEER_ID_BYTES;

/// Prefix of a one-to-one conversation id.
pub const C2C_PREFIX: &str = "c2c_";
/// Prefix of a group conversation id.
pub const GROUP_PREFIX: &str = "group_";

/// A valid conversation identity: a C2C or group conversation with a peer id.
///
/// Ordered by type, then peer id bytes; list orderings use this as their
/// final tie-break.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConvId {
    conv_type: ConvType,
    peer: String,
}

impl ConvId {
    /// Builds an id from the raw form (peer id + type).
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` when the type is not C2C or Group, or the
    /// peer id is empty, longer than 127 bytes or contains control characters.
    pub fn new(conv_type: ConvType, peer: impl Into<String>) -> ImResult<ConvId> {
        let peer = peer.into();
        if !matches!(conv_type, ConvType::C2C | ConvType::Group) {
            return Err(ImError::invalid_param(format!(
                "conversation type must be C2C (1) or Group (2), got {}",
                conv_type.value()
            )));
        }
        validate_peer(&peer)?;
        Ok(ConvId { conv_type, peer })
    }

    /// Builds a C2C id.
    ///
    /// # Errors
    /// As [`ConvId::new`].
    pub fn c2c(peer: impl Into<String>) -> ImResult<ConvId> {
        ConvId::new(ConvType::C2C, peer)
    }

    /// Builds a group id.
    ///
    /// # Errors
    /// As [`ConvId::new`].
    pub fn group(peer: impl Into<String>) -> ImResult<ConvId> {
        ConvId::new(ConvType::Group, peer)
    }

    /// Builds an id from a raw type number, as the C API passes it.
    ///
    /// # Errors
    /// As [`ConvId::new`], plus an unknown type number.
    pub fn from_raw(conv_type: i64, peer: &str) -> ImResult<ConvId> {
        let ty = ConvType::from_value(conv_type).ok_or_else(|| {
            ImError::invalid_param(format!("unknown conversation type {conv_type}"))
        })?;
        ConvId::new(ty, peer)
    }

    /// Parses the prefixed form (`c2c_<user>` or `group_<group>`).
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` when the prefix is missing or the peer id invalid.
    pub fn parse_prefixed(prefixed: &str) -> ImResult<ConvId> {
        if let Some(peer) = prefixed.strip_prefix(C2C_PREFIX) {
            ConvId::c2c(peer)
        } else if let Some(peer) = prefixed.strip_prefix(GROUP_PREFIX) {
            ConvId::group(peer)
        } else {
            Err(ImError::invalid_param(format!(
                "conversation id {prefixed:?} must start with \"{C2C_PREFIX}\" or \"{GROUP_PREFIX}\""
            )))
        }
    }

    /// The conversation type (C2C or Group).
    pub fn conv_type(&self) -> ConvType {
        self.conv_type
    }

    /// The raw peer id: user id for C2C, group id for groups.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// The prefixed form.
    pub fn to_prefixed(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ConvId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.conv_type {
            ConvType::Group => GROUP_PREFIX,
            _ => C2C_PREFIX,
        };
        write!(f, "{prefix}{}", self.peer)
    }
}

fn validate_peer(peer: &str) -> ImResult<()> {
    if peer.is_empty() {
        return Err(ImError::invalid_param("peer id must not be empty"));
    }
    if peer.len() > MAX_PEER_ID_BYTES {
        return Err(ImError::invalid_param(format!(
            "peer id is {} bytes, longer than {MAX_PEER_ID_BYTES}",
            peer.len()
        )));
    }
    if peer.chars().any(char::is_control) {
        return Err(ImError::invalid_param(format!(
            "peer id {peer:?} contains control characters"
        )));
    }
    Ok(())
}

/// Which conversations a clean-unread call targets
/// (`TIMConvCleanConversationUnreadMessageCount`'s `conversation_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvSelector {
    /// One conversation (prefixed id).
    One(ConvId),
    /// Every C2C conversation (`"c2c"`).
    AllC2C,
    /// Every group conversation (`"group"`).
    AllGroups,
    /// Every conversation (`""` or NULL).
    All,
}

impl ConvSelector {
    /// Parses Tencent's selector string.
    ///
    /// # Errors
    /// As [`ConvId::parse_prefixed`] for anything but the special values.
    pub fn parse(selector: &str) -> ImResult<ConvSelector> {
        match selector {
            "" => Ok(ConvSelector::All),
            "c2c" => Ok(ConvSelector::AllC2C),
            "group" => Ok(ConvSelector::AllGroups),
            other => ConvId::parse_prefixed(other).map(ConvSelector::One),
        }
    }

    /// Whether `id` is selected.
    pub fn selects(&self, id: &ConvId) -> bool {
        match self {
            ConvSelector::One(one) => one == id,
            ConvSelector::AllC2C => id.conv_type() == ConvType::C2C,
            ConvSelector::AllGroups => id.conv_type() == ConvType::Group,
            ConvSelector::All => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_both_forms_name_the_same_conversation() {
        let raw = ConvId::from_raw(2, "@TGS#2B6MQRSHD").unwrap();
        let prefixed = ConvId::parse_prefixed("group_@TGS#2B6MQRSHD").unwrap();
        assert_eq!(raw, prefixed);
        assert_eq!(raw.to_prefixed(), "group_@TGS#2B6MQRSHD");
        assert_eq!(ConvId::c2c("98826").unwrap().to_string(), "c2c_98826");
    }

    #[test]
    fn test_malformed_ids_are_rejected_with_a_reason() {
        for bad in [
            "",
            "c2c_",
            "group_",
            "user1",
            "C2C_user1",
            "c2c_a\u{0}b",
            "c2c_a\nb",
        ] {
            let err = ConvId::parse_prefixed(bad).unwrap_err();
            assert_eq!(err.code(), 6017, "{bad:?}");
        }
        let long = format!("c2c_{}", "x".repeat(128));
        assert!(
            ConvId::parse_prefixed(&long)
                .unwrap_err()
                .message
                .contains("longer")
        );
        assert!(ConvId::from_raw(0, "a").is_err());
        assert!(ConvId::from_raw(3, "a").is_err());
        assert!(
            ConvId::from_raw(7, "a")
                .unwrap_err()
                .message
                .contains("unknown")
        );
    }

    #[test]
    fn test_selector_special_values() {
        assert_eq!(ConvSelector::parse("").unwrap(), ConvSelector::All);
        assert_eq!(ConvSelector::parse("c2c").unwrap(), ConvSelector::AllC2C);
        assert_eq!(
            ConvSelector::parse("group").unwrap(),
            ConvSelector::AllGroups
        );
        let one = ConvSelector::parse("c2c_u").unwrap();
        assert!(one.selects(&ConvId::c2c("u").unwrap()));
        assert!(!one.selects(&ConvId::group("u").unwrap()));
        assert!(ConvSelector::parse("grp").is_err());
    }
}

/// On the wire (between SDK and server) a conversation is its prefixed id.
impl serde::Serialize for ConvId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ConvId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ConvId::parse_prefixed(&text).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod serde_tests {
    use super::*;

    #[test]
    fn test_conv_id_json_is_the_prefixed_form() {
        let id = ConvId::group("g1").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""group_g1""#);
        assert_eq!(serde_json::from_str::<ConvId>(r#""group_g1""#).unwrap(), id);
        assert!(serde_json::from_str::<ConvId>(r#""g1""#).is_err());
    }
}
