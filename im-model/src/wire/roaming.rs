//! The server's rules for a user's roaming conversation state: one pure
//! function that both the reference server and the test double apply, so
//! the two answer Tencent's 51006-51011 errors alike.

use std::collections::BTreeMap;

use crate::limits::{
    MAX_CONVERSATION_CUSTOM_DATA_BYTES, MAX_CONVERSATION_GROUP_NAME_BYTES, MAX_CONVERSATION_GROUPS,
    MAX_CONVERSATIONS_PER_CALL, MAX_CONVERSATIONS_PER_GROUP,
};
use crate::{ConvId, ErrorCode, ImError, ImResult, MarkSet, ReceiveMessageOpt};

use super::{ConvRoamingState, ConvStateChange, ServerEvent};

/// One user's conversation state as the server keeps it: the conversation
/// groups in creation order, each decorated conversation's state, and the
/// order in which conversations joined each group (who leaves first when a
/// group passes [`MAX_CONVERSATIONS_PER_GROUP`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConvStateBook {
    /// The conversation groups, in creation order.
    pub groups: Vec<String>,
    /// Each conversation's roaming state.
    pub convs: BTreeMap<ConvId, ConvRoamingState>,
    /// Each group's conversations, oldest-added first. Derived again from
    /// `convs` where it disagrees (a book stored before it was kept: its
    /// members count as the oldest, in id order).
    pub added_order: BTreeMap<String, Vec<ConvId>>,
}

/// The user's conversations as a snapshot lists them
/// ([`ConvStateBook::listing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The listed conversations with their states, in id order.
    pub conversations: Vec<(ConvId, ConvRoamingState)>,
    /// Receive options of peers and groups that are not listed.
    pub receive_options: Vec<(ConvId, ReceiveMessageOpt)>,
}

/// What one change did, gathered while it is applied.
#[derive(Default)]
struct Outcome {
    touched: Vec<ConvId>,
    evicted: Vec<(String, ConvId)>,
}

impl Outcome {
    fn touch(&mut self, conv: &ConvId) {
        if !self.touched.contains(conv) {
            self.touched.push(conv.clone());
        }
    }
}

impl ConvStateBook {
    /// Applies `change` with the server's checks and returns the event to
    /// roam to the user's devices: one [`ServerEvent::ConversationStateChanged`]
    /// with the group list when it changed, the state of every touched
    /// conversation, and the conversations evicted from a group that
    /// passed 1000 (the oldest-added, Tencent's rule). On error nothing
    /// changed.
    ///
    /// # Errors
    /// 51006 (more than 100 conversations), 51009 (no such group), 51010
    /// (more than 20 groups), 51011 (group name length), 6017 (a group that
    /// exists, an empty id list, custom data over 256 bytes, invalid mark
    /// bits).
    pub fn apply(&mut self, change: ConvStateChange) -> ImResult<Vec<ServerEvent>> {
        self.repair_order();
        let mut out = Outcome::default();
        let mut groups_changed = false;
        match change {
            ConvStateChange::Pin { conv, pinned } => {
                self.state(&conv).pinned = pinned;
                out.touch(&conv);
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
                    out.touch(&conv);
                }
            }
            ConvStateChange::CustomData { convs, data } => {
                count_ok(&convs)?;
                if data.len() > MAX_CONVERSATION_CUSTOM_DATA_BYTES {
                    return Err(ImError::invalid_param("custom data is over 256 bytes"));
                }
                for conv in convs {
                    self.state(&conv).custom_data.clone_from(&data);
                    out.touch(&conv);
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
                    self.add_to_group(&name, &conv, &mut out);
                }
            }
            ConvStateChange::DeleteGroup { name } => {
                self.group_exists(&name)?;
                self.groups.retain(|g| *g != name);
                self.added_order.remove(&name);
                groups_changed = true;
                for (conv, roamed) in &mut self.convs {
                    if roamed.groups.contains(&name) {
                        roamed.groups.retain(|g| *g != name);
                        out.touch(conv);
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
                if let Some(order) = self.added_order.remove(&old) {
                    self.added_order.insert(new.clone(), order);
                }
                groups_changed = true;
                for (conv, roamed) in &mut self.convs {
                    for g in roamed.groups.iter_mut().filter(|g| **g == old) {
                        g.clone_from(&new);
                        out.touch(conv);
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
                    self.add_to_group(&name, &conv, &mut out);
                }
            }
            ConvStateChange::DeleteConversations { convs } => {
                if convs.is_empty() {
                    return Err(ImError::invalid_param(
                        "the conversation id list must not be empty",
                    ));
                }
                count_ok(&convs)?;
                for conv in &convs {
                    if let Some(state) = self.convs.get_mut(conv) {
                        *state = ConvRoamingState {
                            recv_opt: state.recv_opt,
                            read_time: state.read_time,
                            read_seq: state.read_seq,
                            ..ConvRoamingState::default()
                        };
                    }
                }
                self.repair_order();
                return Ok(vec![ServerEvent::ConversationsDeleted { convs }]);
            }
            ConvStateChange::RemoveFromGroup { name, convs } => {
                count_ok(&convs)?;
                self.group_exists(&name)?;
                for conv in convs {
                    self.state(&conv).groups.retain(|g| *g != name);
                    if let Some(order) = self.added_order.get_mut(&name) {
                        order.retain(|c| *c != conv);
                    }
                    out.touch(&conv);
                }
            }
        }
        let convs = out
            .touched
            .into_iter()
            .map(|conv| {
                let state = self.convs.get(&conv).cloned().unwrap_or_default();
                (conv, state)
            })
            .collect();
        Ok(vec![ServerEvent::ConversationStateChanged {
            groups: groups_changed.then(|| self.groups.clone()),
            convs,
            evicted: out.evicted,
        }])
    }

    /// Puts `conv` in group `name` (a no-op when it is there), last in the
    /// group's order; past [`MAX_CONVERSATIONS_PER_GROUP`], the group's
    /// oldest-added conversation leaves it.
    fn add_to_group(&mut self, name: &str, conv: &ConvId, out: &mut Outcome) {
        out.touch(conv);
        let state = self.state(conv);
        if state.groups.iter().any(|g| g == name) {
            return;
        }
        state.groups.push(name.to_owned());
        let order = self.added_order.entry(name.to_owned()).or_default();
        order.push(conv.clone());
        if order.len() <= MAX_CONVERSATIONS_PER_GROUP {
            return;
        }
        let oldest = order.remove(0);
        if let Some(state) = self.convs.get_mut(&oldest) {
            state.groups.retain(|g| g != name);
        }
        out.touch(&oldest);
        out.evicted.push((name.to_owned(), oldest));
    }

    /// Makes `added_order` hold exactly each group's members: entries of
    /// conversations no longer in the group (or of groups gone) are
    /// dropped, and members it does not list (a book stored before the
    /// order was kept) are put first, in id order, as the oldest.
    fn repair_order(&mut self) {
        let mut members: BTreeMap<&String, Vec<&ConvId>> =
            self.groups.iter().map(|g| (g, Vec::new())).collect();
        for (conv, state) in &self.convs {
            for group in &state.groups {
                if let Some(list) = members.get_mut(group) {
                    list.push(conv);
                }
            }
        }
        let mut repaired = BTreeMap::new();
        for (group, list) in members {
            let kept = self
                .added_order
                .get(group)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let is_member = |c: &ConvId| list.binary_search(&c).is_ok();
            let mut seen = std::collections::BTreeSet::new();
            let listed: Vec<ConvId> = kept
                .iter()
                .filter(|c| is_member(c) && seen.insert((*c).clone()))
                .cloned()
                .collect();
            let mut order: Vec<ConvId> = list
                .iter()
                .filter(|c| !seen.contains(**c))
                .map(|c| (*c).clone())
                .collect();
            order.extend(listed);
            repaired.insert(group.clone(), order);
        }
        self.added_order = repaired;
    }

    /// What a snapshot lists: the conversations in `with_messages` (those
    /// with messages the user has not deleted since) and the decorated
    /// ones, each with its state, in id order; and the receive options of
    /// the other states, which carry nothing else a device needs. The one
    /// rule the reference server and its test double share.
    pub fn listing(&self, with_messages: impl IntoIterator<Item = ConvId>) -> Listing {
        let mut listed: BTreeMap<ConvId, ConvRoamingState> = with_messages
            .into_iter()
            .map(|conv| {
                let state = self.convs.get(&conv).cloned().unwrap_or_default();
                (conv, state)
            })
            .collect();
        let mut receive_options = Vec::new();
        for (conv, state) in &self.convs {
            if self.is_decorated(conv) {
                listed.entry(conv.clone()).or_insert_with(|| state.clone());
            } else if !listed.contains_key(conv) && state.recv_opt != ReceiveMessageOpt::Receive {
                receive_options.push((conv.clone(), state.recv_opt));
            }
        }
        Listing {
            conversations: listed.into_iter().collect(),
            receive_options,
        }
    }

    /// Whether `conv`'s state shows on a conversation (pinned, marked, in
    /// a group, with custom data): such a conversation is in the user's
    /// list even without messages.
    pub fn is_decorated(&self, conv: &ConvId) -> bool {
        self.convs.get(conv).is_some_and(|s| {
            s.pinned || s.marks != 0 || !s.groups.is_empty() || !s.custom_data.is_empty()
        })
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
    fn test_a_change_roams_as_one_event_with_the_group_list_and_each_member() {
        let mut book = ConvStateBook::default();
        let created = book
            .apply(ConvStateChange::CreateGroup {
                name: "work".into(),
                convs: vec![conv("a"), conv("b")],
            })
            .unwrap();
        let member = |groups: &[&str]| ConvRoamingState {
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            ..ConvRoamingState::default()
        };
        assert_eq!(
            created,
            vec![ServerEvent::ConversationStateChanged {
                groups: Some(vec!["work".into()]),
                convs: vec![
                    (conv("a"), member(&["work"])),
                    (conv("b"), member(&["work"]))
                ],
                evicted: vec![],
            }]
        );
        let renamed = book
            .apply(ConvStateChange::RenameGroup {
                old: "work".into(),
                new: "job".into(),
            })
            .unwrap();
        assert_eq!(
            renamed,
            vec![ServerEvent::ConversationStateChanged {
                groups: Some(vec!["job".into()]),
                convs: vec![(conv("a"), member(&["job"])), (conv("b"), member(&["job"]))],
                evicted: vec![],
            }]
        );
        assert_eq!(book.added_order["job"], vec![conv("a"), conv("b")]);
        // A pin touches one conversation and not the group list.
        let pinned = book
            .apply(ConvStateChange::Pin {
                conv: conv("a"),
                pinned: true,
            })
            .unwrap();
        assert!(matches!(
            &pinned[..],
            [ServerEvent::ConversationStateChanged { groups: None, convs, evicted }]
                if convs.len() == 1 && convs[0].1.pinned && evicted.is_empty()
        ));
    }

    #[test]
    fn test_a_group_past_1000_evicts_its_oldest_added_conversations() {
        let mut book = ConvStateBook::default();
        book.apply(ConvStateChange::CreateGroup {
            name: "big".into(),
            convs: vec![],
        })
        .unwrap();
        // 1000 conversations, added 100 at a time (the per-call limit);
        // u0000 first, so it is the oldest.
        let ids: Vec<ConvId> = (0..1000).map(|i| conv(&format!("u{i:04}"))).collect();
        for chunk in ids.chunks(100) {
            let events = book
                .apply(ConvStateChange::AddToGroup {
                    name: "big".into(),
                    convs: chunk.to_vec(),
                })
                .unwrap();
            assert!(
                matches!(&events[..], [ServerEvent::ConversationStateChanged { evicted, .. }] if evicted.is_empty())
            );
        }
        // Adding one already there evicts nobody.
        let again = book
            .apply(ConvStateChange::AddToGroup {
                name: "big".into(),
                convs: vec![ids[0].clone()],
            })
            .unwrap();
        assert!(
            matches!(&again[..], [ServerEvent::ConversationStateChanged { evicted, .. }] if evicted.is_empty())
        );
        // Two new ones: the two oldest leave, and their states say so.
        let events = book
            .apply(ConvStateChange::AddToGroup {
                name: "big".into(),
                convs: vec![conv("new1"), conv("new2")],
            })
            .unwrap();
        let [ServerEvent::ConversationStateChanged { convs, evicted, .. }] = &events[..] else {
            panic!("{events:?}");
        };
        assert_eq!(
            evicted,
            &vec![
                ("big".to_owned(), ids[0].clone()),
                ("big".to_owned(), ids[1].clone())
            ]
        );
        let state_of = |id: &ConvId| &convs.iter().find(|(c, _)| c == id).unwrap().1;
        assert!(state_of(&ids[0]).groups.is_empty());
        assert_eq!(state_of(&conv("new2")).groups, vec!["big".to_owned()]);
        let members = book
            .convs
            .values()
            .filter(|s| s.groups.contains(&"big".to_owned()))
            .count();
        assert_eq!(members, MAX_CONVERSATIONS_PER_GROUP);
        assert_eq!(book.added_order["big"].len(), MAX_CONVERSATIONS_PER_GROUP);
        assert_eq!(book.added_order["big"][0], ids[2]);
        // Removed and added back: it is the newest, not evicted next.
        book.apply(ConvStateChange::RemoveFromGroup {
            name: "big".into(),
            convs: vec![ids[2].clone()],
        })
        .unwrap();
        book.apply(ConvStateChange::AddToGroup {
            name: "big".into(),
            convs: vec![ids[2].clone()],
        })
        .unwrap();
        let events = book
            .apply(ConvStateChange::AddToGroup {
                name: "big".into(),
                convs: vec![conv("new3")],
            })
            .unwrap();
        assert!(
            matches!(&events[..], [ServerEvent::ConversationStateChanged { evicted, .. }] if evicted == &vec![("big".to_owned(), ids[3].clone())])
        );
    }

    #[test]
    fn test_a_deletion_drops_the_decoration_and_keeps_positions_and_options() {
        let mut book = ConvStateBook::default();
        book.apply(ConvStateChange::CreateGroup {
            name: "g".into(),
            convs: vec![conv("a"), conv("b")],
        })
        .unwrap();
        book.apply(ConvStateChange::Pin {
            conv: conv("a"),
            pinned: true,
        })
        .unwrap();
        let state = book.state(&conv("a"));
        state.read_time = 77;
        state.recv_opt = ReceiveMessageOpt::NotReceive;
        let events = book
            .apply(ConvStateChange::DeleteConversations {
                convs: vec![conv("a"), conv("never-seen")],
            })
            .unwrap();
        assert_eq!(
            events,
            vec![ServerEvent::ConversationsDeleted {
                convs: vec![conv("a"), conv("never-seen")]
            }]
        );
        let a = &book.convs[&conv("a")];
        assert!(!a.pinned && a.groups.is_empty() && !book.is_decorated(&conv("a")));
        assert_eq!(
            (a.read_time, a.recv_opt),
            (77, ReceiveMessageOpt::NotReceive)
        );
        assert_eq!(book.added_order["g"], vec![conv("b")]);
        assert!(book.is_decorated(&conv("b")));
        let code = book
            .apply(ConvStateChange::DeleteConversations { convs: vec![] })
            .unwrap_err()
            .code;
        assert_eq!(code, ErrorCode::InvalidParameters);
    }

    #[test]
    fn test_a_book_stored_without_an_order_counts_its_members_as_oldest() {
        let mut book = ConvStateBook::default();
        book.apply(ConvStateChange::CreateGroup {
            name: "g".into(),
            convs: vec![conv("b"), conv("a")],
        })
        .unwrap();
        book.added_order.clear();
        book.apply(ConvStateChange::AddToGroup {
            name: "g".into(),
            convs: vec![conv("c")],
        })
        .unwrap();
        assert_eq!(book.added_order["g"], vec![conv("a"), conv("b"), conv("c")]);
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
