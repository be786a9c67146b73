//! Group members and join requests in PostgreSQL, as in SQLite: the reads
//! a membership change makes inside its transaction ([`TxGroup`], run
//! with the group row locked for update), the steps it plans ([`apply`]),
//! member pages, and the join requests an approver lists.

use im_model::group::GroupDetailInfo;
use im_model::group_member::{GroupPendency, MemberState, role_flag};
use im_model::wire::ServerEvent;
use im_model::wire::http::GroupMember;
use im_model::{ConvId, ImError, ImResult};

use super::conn::{Tx, big, col, db_error, unsigned};
use super::groups::{self, role};
use super::{append, log_event, log_message_events, to_json};
use crate::store::membership::{TimedPendencies, pendency_page};
use crate::store::{
    GroupTx, MemberOp, MembersQuery, Membership, Notified, PendencyPage, Standing, StoredPendency,
};

/// Whether a group's stored information says the whole group is muted.
const GROUP_MUTED: &str =
    "COALESCE((g.info::jsonb ->> 'group_detail_info_is_shutup_all')::boolean, false)";

/// A group's type from its stored information (AVChatRoom is 4).
const GROUP_TYPE: &str = "COALESCE((g.info::jsonb ->> 'group_detail_info_group_type')::bigint, 0)";

/// `user`'s standing in `group_id`, in one query.
pub(super) fn standing(tx: &Tx<'_>, group_id: &str, user: &str) -> ImResult<Membership> {
    let row = tx.query_opt(
        &format!(
            "SELECT m.role, m.mute_until, {GROUP_MUTED}
             FROM groups g LEFT JOIN members m ON m.group_id = g.id AND m.user_id = $2
             WHERE g.id = $1 AND NOT g.dismissed"
        ),
        &[&group_id, &user],
    )?;
    let Some(row) = row else {
        return Ok(Membership::NoSuchGroup);
    };
    let Some(value) = col::<Option<i64>>(&row, 0)? else {
        return Ok(Membership::NotMember);
    };
    let mute_until = col::<Option<i64>>(&row, 1)?.unwrap_or(0);
    Ok(Membership::Member(Standing {
        role: role(value),
        mute_until: u64::try_from(mute_until).unwrap_or(0),
        group_muted: col(&row, 2)?,
    }))
}

/// A member's state, `None` when `user` is not one.
fn member(tx: &Tx<'_>, group_id: &str, user: &str) -> ImResult<Option<MemberState>> {
    let row = tx.query_opt(
        "SELECT role, name_card, mute_until FROM members WHERE group_id = $1 AND user_id = $2",
        &[&group_id, &user],
    )?;
    row.map(|row| {
        Ok(MemberState {
            user_id: user.to_owned(),
            role: role(col(&row, 0)?),
            name_card: col(&row, 1)?,
            mute_until: unsigned(&row, 2)?,
        })
    })
    .transpose()
}

fn read_pendency(json: &str, handled: bool) -> ImResult<StoredPendency> {
    let pendency: GroupPendency = serde_json::from_str(json).map_err(db_error)?;
    Ok(StoredPendency { pendency, handled })
}

/// How many groups `user` is in, AVChatRoom (type 4) groups not counted.
pub(super) fn joined_count(tx: &Tx<'_>, user: &str) -> ImResult<u32> {
    let row = tx.query_one(
        &format!(
            "SELECT COUNT(*) FROM members m JOIN groups g ON g.id = m.group_id
             WHERE m.user_id = $1 AND {GROUP_TYPE} != 4"
        ),
        &[&user],
    )?;
    Ok(u32::try_from(col::<i64>(&row, 0)?).unwrap_or(u32::MAX))
}

/// The group a membership change runs on, inside its transaction.
pub(super) struct TxGroup<'t, 'c> {
    pub(super) tx: &'t Tx<'c>,
    pub(super) id: String,
    pub(super) info: GroupDetailInfo,
}

impl GroupTx for TxGroup<'_, '_> {
    fn info(&self) -> &GroupDetailInfo {
        &self.info
    }

    fn member(&self, user: &str) -> ImResult<Option<MemberState>> {
        member(self.tx, &self.id, user)
    }

    fn pendency(&self, applicant: &str) -> ImResult<Option<StoredPendency>> {
        let row = self.tx.query_opt(
            "SELECT json, handled FROM pendencies WHERE group_id = $1 AND applicant = $2",
            &[&self.id, &applicant],
        )?;
        row.map(|row| read_pendency(&col::<String>(&row, 0)?, col(&row, 1)?))
            .transpose()
    }

    fn joined_count(&self, user: &str) -> ImResult<u32> {
        joined_count(self.tx, user)
    }

    fn approvers(&self) -> ImResult<Vec<String>> {
        self.tx
            .query(
                "SELECT user_id FROM members WHERE group_id = $1 AND role IN (300, 400)
                 ORDER BY user_id COLLATE \"C\"",
                &[&self.id],
            )?
            .iter()
            .map(|row| col(row, 0))
            .collect()
    }
}

/// Applies one planned step; a tip's notified users are added to `notified`.
pub(super) fn apply(
    tx: &Tx<'_>,
    group_id: &str,
    op: MemberOp,
    notified: &mut Notified,
) -> ImResult<()> {
    match op {
        MemberOp::Add { user, role, joined } => {
            // The group's newest sequence now (the group row is locked for
            // update): a queued fan-out of a later message reaches this
            // member, of an earlier one does not.
            tx.execute(
                "INSERT INTO members (group_id, user_id, role, joined, joined_seq)
                 VALUES ($1, $2, $3, $4, COALESCE((SELECT last_seq FROM convs WHERE key = $5), 0))
                 ON CONFLICT (group_id, user_id) DO NOTHING",
                &[
                    &group_id,
                    &user,
                    &i64::from(role.value()),
                    &big(joined),
                    &crate::store::ConvKey::Group(group_id.to_owned()).encode(),
                ],
            )?;
        }
        MemberOp::Remove(user) => {
            // Queued messages sent while they were a member, which the
            // fan-out has not reached them with yet: theirs now, before
            // they leave (the kick's own tip among them). The rows are
            // locked: a node fanning one out finishes first, and its
            // progress then says whether it reached them.
            let key = crate::store::ConvKey::Group(group_id.to_owned()).encode();
            let pending = tx.query(
                "SELECT o.seq, o.sender, o.echo FROM outbox o
                 JOIN members m ON m.group_id = $1 AND m.user_id = $3
                 WHERE o.conv = $2 AND o.done_through < $3 COLLATE \"C\"
                   AND m.joined_seq < o.seq
                 ORDER BY o.id FOR UPDATE OF o",
                &[&group_id, &key, &user],
            )?;
            for row in &pending {
                let (seq, sender, echo): (i64, String, bool) =
                    (col(row, 0)?, col(row, 1)?, col(row, 2)?);
                let logged = if sender != user || echo {
                    vec![user.clone()]
                } else {
                    Vec::new()
                };
                notified.extend(log_message_events(
                    tx,
                    std::slice::from_ref(&user),
                    &logged,
                    &key,
                    u64::try_from(seq).unwrap_or(0),
                )?);
            }
            tx.execute(
                "DELETE FROM members WHERE group_id = $1 AND user_id = $2",
                &[&group_id, &user],
            )?;
        }
        MemberOp::Update(state) => {
            tx.execute(
                "UPDATE members SET role = $3, name_card = $4, mute_until = $5
                 WHERE group_id = $1 AND user_id = $2",
                &[
                    &group_id,
                    &state.user_id,
                    &i64::from(state.role.value()),
                    &state.name_card,
                    &big(state.mute_until),
                ],
            )?;
        }
        MemberOp::SetOwner(owner) => {
            let mut info = groups::load(tx, group_id, false)?.ok_or_else(|| {
                ImError::invalid_param(format!("no group {group_id:?} to change the owner of"))
            })?;
            info.owner_identifier = Some(owner.unwrap_or_default());
            groups::save(tx, &info)?;
        }
        MemberOp::PutPendency(stored) => {
            let applicant = stored.pendency.from_identifier.clone().unwrap_or_default();
            tx.execute(
                "INSERT INTO pendencies (group_id, applicant, add_time, handled, json)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (group_id, applicant) DO UPDATE SET add_time = EXCLUDED.add_time,
                     handled = EXCLUDED.handled, json = EXCLUDED.json",
                &[
                    &group_id,
                    &applicant,
                    &big(stored.pendency.add_time.unwrap_or(0)),
                    &stored.handled,
                    &to_json(&stored.pendency)?,
                ],
            )?;
        }
        MemberOp::Announce(tip) => {
            let appended = append(tx, &tip)?;
            notified.extend(appended.notified);
        }
        MemberOp::Report { to, message } => {
            let conv = ConvId::group(group_id)?;
            let payload = to_json(&ServerEvent::NewMessage {
                conv,
                message: *message,
            })?;
            let mut to = to;
            // Sorted: the order every write locks head rows in.
            to.sort_unstable();
            to.dedup();
            for user in to {
                let cursor = log_event(tx, &user, None, Some(&payload))?;
                notified.push((user, cursor));
            }
        }
    }
    Ok(())
}

/// The role values a `role_flag` filter lets through.
fn roles_in(filter: u32) -> Vec<i64> {
    use im_model::enums::GroupMemberRole;
    [
        (role_flag::OWNER, GroupMemberRole::Owner),
        (role_flag::ADMIN, GroupMemberRole::Admin),
        (role_flag::MEMBER, GroupMemberRole::Normal),
    ]
    .iter()
    .filter(|(bit, _)| filter == role_flag::ALL || filter & bit != 0)
    .map(|(_, role)| i64::from(role.value()))
    .collect()
}

/// A page of `group_id`'s members by user id, with their profiles' names
/// and faces (`None`: no such group); true when more follow.
pub(super) fn page(
    tx: &Tx<'_>,
    group_id: &str,
    query: &MembersQuery,
) -> ImResult<Option<(Vec<GroupMember>, bool)>> {
    let exists = tx
        .query_opt(
            "SELECT 1 FROM groups WHERE id = $1 AND NOT dismissed",
            &[&group_id],
        )?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let rows = tx.query(
        "SELECT m.user_id, m.role, m.joined, m.name_card, m.mute_until,
                COALESCE(p.json::jsonb ->> 'user_profile_nick_name', ''),
                COALESCE(p.json::jsonb ->> 'user_profile_face_url', '')
         FROM members m LEFT JOIN profiles p ON p.user_id = m.user_id
         WHERE m.group_id = $1 AND m.role = ANY($2)
           AND (cardinality($3::text[]) = 0 OR m.user_id = ANY($3))
         ORDER BY m.user_id COLLATE \"C\" LIMIT $4 OFFSET $5",
        &[
            &group_id,
            &roles_in(query.role_filter),
            &query.users,
            &(i64::from(query.limit) + 1),
            &big(query.offset),
        ],
    )?;
    let mut members = rows
        .iter()
        .map(|row| {
            Ok(GroupMember {
                user_id: col(row, 0)?,
                role: role(col(row, 1)?),
                join_time: unsigned(row, 2)?,
                name_card: col(row, 3)?,
                mute_until: unsigned(row, 4)?,
                nick_name: col(row, 5)?,
                face_url: col(row, 6)?,
            })
        })
        .collect::<ImResult<Vec<_>>>()?;
    let more = members.len() > query.limit as usize;
    members.truncate(query.limit as usize);
    Ok(Some((members, more)))
}

const APPROVER_PENDENCIES: &str = "
    SELECT p.json, p.handled, p.add_time FROM pendencies p
    JOIN members m ON m.group_id = p.group_id AND m.user_id = $1 AND m.role IN (300, 400)";

/// The join requests `approver` may handle filed before `before` (0: the
/// newest), newest first, a page of about `limit` that never splits a
/// second.
pub(super) fn pendencies(
    tx: &Tx<'_>,
    approver: &str,
    before: u64,
    limit: u32,
) -> ImResult<PendencyPage> {
    let read = |text: &str, a: u64, b: u32| -> ImResult<TimedPendencies> {
        tx.query(text, &[&approver, &big(a), &i64::from(b)])?
            .iter()
            .map(|row| {
                Ok((
                    read_pendency(&col::<String>(row, 0)?, col(row, 1)?)?,
                    unsigned(row, 2)?,
                ))
            })
            .collect()
    };
    pendency_page(
        before,
        limit,
        |before, n| {
            read(
                &format!(
                    "{APPROVER_PENDENCIES} WHERE p.add_time < $2
                     ORDER BY p.add_time DESC, p.group_id COLLATE \"C\", p.applicant COLLATE \"C\"
                     LIMIT $3"
                ),
                before,
                n,
            )
        },
        |second, n| {
            read(
                &format!(
                    "{APPROVER_PENDENCIES} WHERE p.add_time = $2
                     ORDER BY p.group_id COLLATE \"C\", p.applicant COLLATE \"C\" LIMIT $3"
                ),
                second,
                n,
            )
        },
    )
}

/// How many unhandled join requests `approver` may handle were filed after
/// `after`.
pub(super) fn unread(tx: &Tx<'_>, approver: &str, after: u64) -> ImResult<u32> {
    let row = tx.query_one(
        &format!(
            "SELECT COUNT(*) FROM ({APPROVER_PENDENCIES} WHERE NOT p.handled AND p.add_time > $2) AS u"
        ),
        &[&approver, &big(after)],
    )?;
    Ok(u32::try_from(col::<i64>(&row, 0)?).unwrap_or(u32::MAX))
}
