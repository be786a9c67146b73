//! The server's rules for a user's roaming conversation state: one pure
//! function that both the reference server and the test double apply, so
//! the two answer Tencent's 51006-51011 errors alike.

use std::collections::BTreeMap;

use crate::limits::{
    MAX_CONVERSATION_CUSTOM_DATA_BYTES, MAX_CONVERSATION_GROUP_NAME_BYTES, MAX_CONVERSATION_GROUPS,
    MAX_CONVERSATIONS_PER_CALL,
};
use crate::{ConvId, ErrorCode, ImError, ImResult, MarkSet};

use super::{ConvRoamingState, ConvStateChange, ServerEvent};

/// One user's conversation state as the server keeps it: the conversation
/// groups in creation order and each decorated conversation's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConvStateBook {
    /// The conversation groups, in creation order.
    pub groups: Vec<String>,
    /// Each conversation's roaming state.
    pub convs: BTreeMap<ConvId, ConvRoamingState>,
}

impl ConvStateBook {
    /// Applies `change` with the server's checks and returns the events to
    /// roam to the user's devices: the group list first when it changed (a
    /// device creates a group before a conversation names it), then the
    /// state of every touched conversation. On error nothing changed.
    ///
    /// # Errors
    /// 51006 (more than 100 conversations), 51009 (no such group), 51010
    /// (more than 20 groups), 51011 (group name length), 6017 (a group that
    /// exists, an empty id list, custom data over 256 bytes, invalid mark
    /// bits).
    pub fn apply(&mut self, change: ConvStateChange) -> ImResult<Vec<ServerEvent>> {
        let mut touched: Vec<ConvId> = Vec::new();
        let mut groups_changed = false;
        match change {
            ConvStateChange::Pin { conv, pinned } => {
                self.state(&conv).pinned = pinned;
                touched.push(conv);
            }
            ConvStateChange::Mark {
                convs,
                mark_type,
                enable,
            } => {
                count_ok(&convs)?;
                let bits = MarkSet::from_request(mark_type)?.bits();
                for conv in convs {
                    let roamed = self.state(&conv);
                    roamed.marks = if enable {
                        roamed.marks | bits
                    } else {
                        roamed.marks & !bits
                    };
                    touched.push(conv);
                }
            }
            ConvStateChange::CustomData { convs, data } => {
                count_ok(&convs)?;
                if data.len() > MAX_CONVERSATION_CUSTOM_DATA_BYTES {
                    return Err(ImError::invalid_param("custom data is over 256 bytes"));
                }
                for conv in convs {
                    self.state(&conv).custom_data.clone_from(&data);
                    touched.push(conv);
                }
            }
            ConvStateChange::CreateGroup { name, convs } => {
                name_ok(&name)?;
                count_ok(&convs)?;
                if self.groups.contains(&name) {
                    return Err(ImError::invalid_param(format!("group {name:?} exists")));
                }
                if self.groups.len() >= MAX_CONVERSATION_GROUPS {
                    return Err(ImError::new(
                        ErrorCode::ConvGroupTotalCountExceedLimit,
                        "at most 20 conversation groups",
                    ));
                }
                self.groups.push(name.clone());
                groups_changed = true;
                for conv in convs {
                    add_group(self.state(&conv), &name);
                    touched.push(conv);
                }
            }
            ConvStateChange::DeleteGroup { name } => {
                self.group_exists(&name)?;
                self.groups.retain(|g| *g != name);
                groups_changed = true;
                for (conv, roamed) in &mut self.convs {
                    if roamed.groups.contains(&name) {
                        roamed.groups.retain(|g| *g != name);
                        touched.push(conv.clone());
                    }
                }
            }
            ConvStateChange::RenameGroup { old, new } => {
                name_ok(&new)?;
                self.group_exists(&old)?;
                if self.groups.contains(&new) {
                    return Err(ImError::invalid_param(format!("group {new:?} exists")));
                }
                for g in self.groups.iter_mut().filter(|g| **g == old) {
                    g.clone_from(&new);
                }
                groups_changed = true;
                for (conv, roamed) in &mut self.convs {
                    for g in roamed.groups.iter_mut().filter(|g| **g == old) {
                        g.clone_from(&new);
                        touched.push(conv.clone());
                    }
                }
            }
            ConvStateChange::AddToGroup { convs, .. }
            | ConvStateChange::RemoveFromGroup { convs, .. }
                if convs.is_empty() =>
            {
                return Err(ImError::invalid_param(
                    "the conversation id list must not be empty",
                ));
            }
            ConvStateChange::AddToGroup { name, convs } => {
                count_ok(&convs)?;
                self.group_exists(&name)?;
                for conv in convs {
                    add_group(self.state(&conv), &name);
                    touched.push(conv);
                }
            }
            ConvStateChange::RemoveFromGroup { name, convs } => {
                count_ok(&convs)?;
                self.group_exists(&name)?;
                for conv in convs {
                    self.state(&conv).groups.retain(|g| *g != name);
                    touched.push(conv);
                }
            }
        }
        let mut events = Vec::with_capacity(touched.len() + 1);
        if groups_changed {
            events.push(ServerEvent::ConversationGroups {
                names: self.groups.clone(),
            });
        }
        for conv in touched {
            let state = self.convs.get(&conv).cloned().unwrap_or_default();
            events.push(ServerEvent::ConversationState { conv, state });
        }
        Ok(events)
    }

    /// The state of `conv`, created with defaults when it has none yet.
    pub fn state(&mut self, conv: &ConvId) -> &mut ConvRoamingState {
        self.convs.entry(conv.clone()).or_default()
    }

    fn group_exists(&self, name: &str) -> ImResult<()> {
        if self.groups.iter().any(|g| g == name) {
            Ok(())
        } else {
            Err(ImError::new(
                ErrorCode::ConvGroupNotExist,
                format!("no conversation group {name:?}"),
            ))
        }
    }
}

fn add_group(state: &mut ConvRoamingState, name: &str) {
    if !state.groups.iter().any(|g| g == name) {
        state.groups.push(name.to_owned());
    }
}

fn count_ok(convs: &[ConvId]) -> ImResult<()> {
    if convs.len() > MAX_CONVERSATIONS_PER_CALL {
        Err(ImError::new(
            ErrorCode::ConvMarkReqCountExceedLimit,
            format!("{} conversations in one call", convs.len()),
        ))
    } else {
        Ok(())
    }
}

fn name_ok(name: &str) -> ImResult<()> {
    if name.is_empty() || name.len() > MAX_CONVERSATION_GROUP_NAME_BYTES {
        Err(ImError::new(
            ErrorCode::ConvGroupNameExceedLength,
            format!("group name {name:?} must be 1 to 32 bytes"),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(peer: &str) -> ConvId {
        ConvId::c2c(peer).unwrap()
    }

    #[test]
    fn test_a_failed_change_changes_nothing() {
        let mut book = ConvStateBook::default();
        let error = book
            .apply(ConvStateChange::AddToGroup {
                name: "work".into(),
                convs: vec![conv("a")],
            })
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::ConvGroupNotExist);
        assert_eq!(book, ConvStateBook::default());
    }

    #[test]
    fn test_a_rename_roams_the_group_list_first_then_each_member() {
        let mut book = ConvStateBook::default();
        book.apply(ConvStateChange::CreateGroup {
            name: "work".into(),
            convs: vec![conv("a"), conv("b")],
        })
        .unwrap();
        let events = book
            .apply(ConvStateChange::RenameGroup {
                old: "work".into(),
                new: "job".into(),
            })
            .unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(
            events[0],
            ServerEvent::ConversationGroups {
                names: vec!["job".into()]
            }
        );
        assert_eq!(book.convs[&conv("b")].groups, vec!["job".to_owned()]);
    }

    #[test]
    fn test_limits_answer_tencent_codes() {
        let mut book = ConvStateBook::default();
        let many: Vec<ConvId> = (0..101).map(|i| conv(&format!("u{i}"))).collect();
        let code = |r: ImResult<Vec<ServerEvent>>| r.unwrap_err().code;
        assert_eq!(
            code(book.apply(ConvStateChange::Mark {
                convs: many,
                mark_type: 1,
                enable: true
            })),
            ErrorCode::ConvMarkReqCountExceedLimit
        );
        assert_eq!(
            code(book.apply(ConvStateChange::CreateGroup {
                name: "x".repeat(33),
                convs: vec![]
            })),
            ErrorCode::ConvGroupNameExceedLength
        );
        for i in 0..20 {
            book.apply(ConvStateChange::CreateGroup {
                name: format!("g{i}"),
                convs: vec![],
            })
            .unwrap();
        }
        assert_eq!(
            code(book.apply(ConvStateChange::CreateGroup {
                name: "one more".into(),
                convs: vec![]
            })),
            ErrorCode::ConvGroupTotalCountExceedLimit
        );
    }
}
