//! Membership changes as the store runs them: the service's rule looks at
//! the group inside the store's transaction ([`GroupTx`]) and answers a
//! [`MembersPlan`], steps the store applies in order in that same
//! transaction, group tips included. So a join, a kick or a mute and the
//! tip announcing it commit together or not at all, and the rule sees
//! the members as they are when it runs, not as they were a read earlier.

use im_model::enums::GroupMemberRole;
use im_model::group::GroupDetailInfo;
use im_model::group_member::{GroupPendency, MemberState};
use im_model::{ImResult, Message};

use super::NewMessage;

/// A user's standing in a group, read in one query for the checks every
/// group call makes (a send checks the mutes too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Their role.
    pub role: GroupMemberRole,
    /// Muted until (seconds; 0: never muted).
    pub mute_until: u64,
    /// Whether the whole group is muted.
    pub group_muted: bool,
}

/// The group a membership change runs on, read inside its transaction.
pub trait GroupTx {
    /// The group's information, the member count included.
    fn info(&self) -> &GroupDetailInfo;
    /// A member, `None` when `user` is not one.
    ///
    /// # Errors
    /// `INTERNAL` on a storage failure.
    fn member(&self, user: &str) -> ImResult<Option<MemberState>>;
    /// How many groups `user` is in, AVChatRoom groups not counted.
    ///
    /// # Errors
    /// `INTERNAL` on a storage failure.
    fn joined_count(&self, user: &str) -> ImResult<u32>;
    /// The owner and admins (who answer join requests).
    ///
    /// # Errors
    /// `INTERNAL` on a storage failure.
    fn approvers(&self) -> ImResult<Vec<String>>;
    /// `applicant`'s join request to the group, handled or not.
    ///
    /// # Errors
    /// `INTERNAL` on a storage failure.
    fn pendency(&self, applicant: &str) -> ImResult<Option<StoredPendency>>;
}

/// A join request as stored: Tencent's object, with who handled it (the
/// reader-relative `group_pendency_handled` is derived when listed).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPendency {
    /// The request (group, applicant, time, text; the answer once handled).
    pub pendency: GroupPendency,
    /// Whether an approver handled it.
    pub handled: bool,
}

/// One step of a membership change.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberOp {
    /// A new member, joined at `joined` (seconds).
    Add {
        /// The user.
        user: String,
        /// Their role.
        role: GroupMemberRole,
        /// When they joined.
        joined: u64,
    },
    /// A member leaves.
    Remove(String),
    /// A member's role, name card or mute changes.
    Update(MemberState),
    /// The group's owner changes (`None`: a Work group whose owner quit).
    SetOwner(Option<String>),
    /// A join request is filed or answered (one per group and applicant).
    PutPendency(Box<StoredPendency>),
    /// A group tip, appended to the group where it stands in the plan:
    /// before a removal, the leaving member still gets it.
    Announce(Box<NewMessage>),
    /// A group system report (`GroupReportElem`) for a few users only (a
    /// join request for the approvers, its answer for the applicant): an
    /// online message of the group's conversation in their event logs,
    /// not in the group's history.
    Report {
        /// Who gets it (members or not).
        to: Vec<String>,
        /// The message, complete (id, sender, time; `is_online_msg`).
        message: Box<Message>,
    },
}

/// What a membership change does, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MembersPlan {
    /// The steps.
    pub ops: Vec<MemberOp>,
}

impl MembersPlan {
    /// The users the plan adds.
    pub fn added(&self) -> Vec<String> {
        self.ops
            .iter()
            .filter_map(|op| match op {
                MemberOp::Add { user, .. } => Some(user.clone()),
                _ => None,
            })
            .collect()
    }

    /// The users the plan removes.
    pub fn removed(&self) -> Vec<String> {
        self.ops
            .iter()
            .filter_map(|op| match op {
                MemberOp::Remove(user) => Some(user.clone()),
                _ => None,
            })
            .collect()
    }

    /// Whether the plan files a join request.
    pub fn files_pendency(&self) -> bool {
        self.ops
            .iter()
            .any(|op| matches!(op, MemberOp::PutPendency(p) if !p.handled))
    }

    /// Appends a tip or report message to the plan.
    pub fn announce(&mut self, tip: NewMessage) {
        self.ops.push(MemberOp::Announce(Box::new(tip)));
    }
}

/// A membership change, run inside the store's transaction (re-runnable,
/// as [`BookChange`](super::BookChange) says).
pub type MembersChange = Box<dyn Fn(&dyn GroupTx) -> ImResult<MembersPlan> + Send + Sync>;

/// One page of a group's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembersQuery {
    /// Only these roles (`role_flag` bits; 0: all).
    pub role_filter: u32,
    /// Only these users (empty: all).
    pub users: Vec<String>,
    /// Members skipped (the page's start).
    pub offset: u64,
    /// At most this many (already clamped by the caller).
    pub limit: u32,
}

/// A page of join requests an approver sees.
#[derive(Debug, Clone, PartialEq)]
pub struct PendencyPage {
    /// The requests, newest first.
    pub pendencies: Vec<StoredPendency>,
    /// The next page starts before this time (0: no more).
    pub next_before: u64,
}

/// A message body for a tip (no sender fields: the store fills them).
pub fn tip_message(elem: im_model::Elem) -> Message {
    Message {
        elem_array: Some(vec![elem]),
        ..Message::default()
    }
}

/// The most join requests of one second a page takes whole (a page never
/// splits a second, so that `before` stays a plain time).
pub(crate) const MAX_SAME_SECOND: u32 = 1000;

/// Join requests with their filing time (seconds), as a backend reads them.
pub(crate) type TimedPendencies = Vec<(StoredPendency, u64)>;

/// A page of join requests from a backend's two reads, the same rule on
/// every backend: `newest(before, n)` reads at most `n` requests filed
/// before `before` (`u64::MAX`: from the newest), newest first, and
/// `of_second(time, n)` reads at most `n` filed in that second. A page
/// holds about `limit` requests and never splits a second: it ends before
/// the second it would split, or, when one second alone holds more than a
/// page, takes that second whole (up to [`MAX_SAME_SECOND`]).
///
/// # Errors
/// The reads' own errors.
pub(crate) fn pendency_page(
    before: u64,
    limit: u32,
    newest: impl FnOnce(u64, u32) -> ImResult<TimedPendencies>,
    of_second: impl FnOnce(u64, u32) -> ImResult<TimedPendencies>,
) -> ImResult<PendencyPage> {
    let limit = limit.max(1);
    let before = if before == 0 { u64::MAX } else { before };
    let mut rows = newest(before, limit.saturating_add(1))?;
    let at = limit as usize;
    if rows.len() <= at {
        return Ok(PendencyPage {
            pendencies: rows.into_iter().map(|(p, _)| p).collect(),
            next_before: 0,
        });
    }
    let last = rows[at - 1].1;
    let next_before = if rows[at].1 != last {
        rows.truncate(at);
        last
    } else if rows[0].1 != last {
        // The page ends inside a second: leave that second to the next one.
        rows.retain(|(_, time)| *time != last);
        last + 1
    } else {
        // One second holds more than a page: take it whole (bounded).
        rows = of_second(last, MAX_SAME_SECOND)?;
        last
    };
    Ok(PendencyPage {
        pendencies: rows.into_iter().map(|(p, _)| p).collect(),
        next_before,
    })
}
