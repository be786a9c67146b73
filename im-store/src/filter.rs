//! The validated conversation filter and its reference semantics.
//!
//! [`ConvFilter::matches`] and [`ConvFilter::lists`] define what every
//! backend's filtered queries must return; the conformance suite compares
//! each backend with them.

use im_model::limits::MAX_CONVERSATION_GROUP_NAME_BYTES;
use im_model::{ConvType, ConversationListFilter, ImError, ImResult, MarkSet};

use crate::Conversation;

/// Which conversations a filter selects by group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupFilter {
    /// Conversations in no conversation group (Tencent's `""`).
    InNoGroup,
    /// Conversations in the named group.
    Named(String),
}

/// Which conversations a filter selects by mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkFilter {
    /// Conversations without any mark (Tencent's `0`).
    Unmarked,
    /// Conversations carrying every one of these marks.
    HasAll(MarkSet),
}

/// A validated conversation filter. `None` in a field means "any".
///
/// The default filter selects every conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ConvFilter {
    /// Conversation type.
    pub conv_type: Option<ConvType>,
    /// Conversation group.
    pub group: Option<GroupFilter>,
    /// Marks.
    pub marks: Option<MarkFilter>,
    /// `Some(true)`: unread > 0; `Some(false)`: unread == 0.
    pub has_unread: Option<bool>,
    /// `Some(true)`: has group mentions; `Some(false)`: has none.
    pub has_group_at_info: Option<bool>,
}

impl ConvFilter {
    /// The filter selecting every conversation.
    pub fn all() -> ConvFilter {
        ConvFilter::default()
    }

    /// Validates Tencent's filter object.
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` for a System conversation type, a group name
    /// over 32 bytes, or mark bits outside the allowed ranges.
    pub fn from_wire(wire: &ConversationListFilter) -> ImResult<ConvFilter> {
        let conv_type = match wire.conv_type {
            None | Some(ConvType::Invalid) => None,
            Some(t @ (ConvType::C2C | ConvType::Group)) => Some(t),
            Some(other) => {
                return Err(ImError::invalid_param(format!(
                    "conversation_list_filter_conv_type must be 0, 1 or 2, got {}",
                    other.value()
                )));
            }
        };
        let group = match wire.conversation_group.as_deref() {
            None => None,
            Some("") => Some(GroupFilter::InNoGroup),
            Some(name) if name.len() > MAX_CONVERSATION_GROUP_NAME_BYTES => {
                return Err(ImError::invalid_param(format!(
                    "conversation_list_filter_conversation_group is {} bytes, more than {}",
                    name.len(),
                    MAX_CONVERSATION_GROUP_NAME_BYTES
                )));
            }
            Some(name) => Some(GroupFilter::Named(name.to_owned())),
        };
        let marks = match wire.mark_type {
            None => None,
            Some(0) => Some(MarkFilter::Unmarked),
            Some(raw) => Some(MarkFilter::HasAll(MarkSet::from_request(raw)?)),
        };
        Ok(ConvFilter {
            conv_type,
            group,
            marks,
            has_unread: wire.has_unread_count,
            has_group_at_info: wire.has_group_at_info,
        })
    }

    /// Tencent's filter object for this filter (the form the by-filter
    /// unread callback reports).
    pub fn to_wire(&self) -> ConversationListFilter {
        ConversationListFilter {
            conv_type: self.conv_type,
            conversation_group: self.group.as_ref().map(|g| match g {
                GroupFilter::InNoGroup => String::new(),
                GroupFilter::Named(name) => name.clone(),
            }),
            mark_type: self.marks.map(|m| match m {
                MarkFilter::Unmarked => 0,
                MarkFilter::HasAll(set) => set.bits(),
            }),
            has_unread_count: self.has_unread,
            has_group_at_info: self.has_group_at_info,
            ..ConversationListFilter::default()
        }
    }

    /// Whether `conv` satisfies every condition of the filter. Unread
    /// totals by filter sum over exactly these conversations.
    pub fn matches(&self, conv: &Conversation) -> bool {
        self.conv_type.is_none_or(|t| conv.id.conv_type() == t)
            && self.group.as_ref().is_none_or(|g| match g {
                GroupFilter::InNoGroup => conv.groups.is_empty(),
                GroupFilter::Named(name) => conv.groups.contains(name),
            })
            && self.marks.is_none_or(|m| match m {
                MarkFilter::Unmarked => conv.marks.is_empty(),
                MarkFilter::HasAll(set) => conv.marks.contains(set),
            })
            && self
                .has_unread
                .is_none_or(|want| (conv.unread_count > 0) == want)
            && self
                .has_group_at_info
                .is_none_or(|want| conv.group_at_infos.is_empty() != want)
    }

    /// Whether the filter asks for hidden conversations explicitly (its
    /// mark condition includes `kTIMConversationMarkTypeHide`).
    pub fn asks_for_hidden(&self) -> bool {
        matches!(self.marks, Some(MarkFilter::HasAll(set)) if set.contains(MarkSet::HIDE))
    }

    /// Whether `conv` appears in a conversation list under this filter:
    /// it matches, and it is not hidden unless hidden ones were asked for.
    /// Hidden conversations still count toward unread totals.
    pub fn lists(&self, conv: &Conversation) -> bool {
        self.matches(conv) && (self.asks_for_hidden() || !conv.marks.contains(MarkSet::HIDE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_wire_filter_validation() {
        let ok = ConversationListFilter {
            conv_type: Some(ConvType::Invalid),
            conversation_group: Some(String::new()),
            mark_type: Some(0),
            ..Default::default()
        };
        let f = ConvFilter::from_wire(&ok).unwrap();
        assert_eq!(f.conv_type, None);
        assert_eq!(f.group, Some(GroupFilter::InNoGroup));
        assert_eq!(f.marks, Some(MarkFilter::Unmarked));
        assert_eq!(ConvFilter::from_wire(&f.to_wire()).unwrap(), f);

        for bad in [
            ConversationListFilter {
                conv_type: Some(ConvType::System),
                ..Default::default()
            },
            ConversationListFilter {
                conversation_group: Some("x".repeat(33)),
                ..Default::default()
            },
            ConversationListFilter {
                mark_type: Some(1 << 10),
                ..Default::default()
            },
        ] {
            assert_eq!(ConvFilter::from_wire(&bad).unwrap_err().code(), 6017);
        }
    }
}
