//! Group members and join requests in SQLite: the reads a membership
//! change makes inside its transaction ([`TxGroup`]), the steps it plans
//! ([`apply`]), member pages, and the join requests an approver lists.
//! Members keep their role, join time, name card and mute end as columns;
//! a join request is one row per group and applicant (a new request
//! replaces an answered one), its Tencent object kept as JSON.

use im_model::enums::GroupMemberRole;
use im_model::group::GroupDetailInfo;
use im_model::group_member::{GroupPendency, MemberState, role_flag};
use im_model::wire::ServerEvent;
use im_model::wire::http::GroupMember;
use im_model::{ConvId, ImError, ImResult};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{append, db_error, groups, log_event, sql, to_json};
use crate::store::membership::{TimedPendencies, pendency_page};
use crate::store::{
    GroupTx, MemberOp, MembersQuery, Membership, Notified, PendencyPage, Standing, StoredPendency,
};

fn role_of(value: i64) -> GroupMemberRole {
    GroupMemberRole::from_value(value).unwrap_or(GroupMemberRole::Normal)
}

/// `user`'s standing in `group_id`, in one query.
pub(super) fn standing(conn: &Connection, group_id: &str, user: &str) -> ImResult<Membership> {
    let row: Option<(Option<i64>, Option<i64>, bool)> = sql(conn
        .prepare_cached(
            "SELECT m.role, m.mute_until,
                    COALESCE(json_extract(g.info, '$.group_detail_info_is_shutup_all'), 0)
             FROM groups g LEFT JOIN members m ON m.group_id = g.id AND m.user = ?2
             WHERE g.id = ?1 AND g.dismissed = 0",
        )
        .and_then(|mut stmt| {
            stmt.query_row(params![group_id, user], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        }))?;
    Ok(match row {
        None => Membership::NoSuchGroup,
        Some((None, _, _)) => Membership::NotMember,
        Some((Some(role), mute_until, group_muted)) => Membership::Member(Standing {
            role: role_of(role),
            mute_until: u64::try_from(mute_until.unwrap_or(0)).unwrap_or(0),
            group_muted,
        }),
    })
}

/// A member's state, `None` when `user` is not one.
pub(super) fn member(
    conn: &Connection,
    group_id: &str,
    user: &str,
) -> ImResult<Option<MemberState>> {
    sql(conn
        .prepare_cached(
            "SELECT role, name_card, mute_until FROM members WHERE group_id = ?1 AND user = ?2",
        )
        .and_then(|mut stmt| {
            stmt.query_row(params![group_id, user], |r| {
                Ok(MemberState {
                    user_id: user.to_owned(),
                    role: role_of(r.get(0)?),
                    name_card: r.get(1)?,
                    mute_until: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                })
            })
            .optional()
        }))
}

fn read_pendency(json: &str, handled: bool) -> ImResult<StoredPendency> {
    let pendency: GroupPendency = serde_json::from_str(json).map_err(db_error)?;
    Ok(StoredPendency { pendency, handled })
}

/// `applicant`'s join request to `group_id`, if any.
pub(super) fn pendency(
    conn: &Connection,
    group_id: &str,
    applicant: &str,
) -> ImResult<Option<StoredPendency>> {
    let row: Option<(String, bool)> = sql(conn
        .prepare_cached(
            "SELECT json, handled FROM pendencies WHERE group_id = ?1 AND applicant = ?2",
        )
        .and_then(|mut stmt| {
            stmt.query_row(params![group_id, applicant], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        }))?;
    row.map(|(json, handled)| read_pendency(&json, handled))
        .transpose()
}

/// How many groups `user` is in, AVChatRoom (type 4) groups not counted.
pub(super) fn joined_count(conn: &Connection, user: &str) -> ImResult<u32> {
    sql(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM members m JOIN groups g ON g.id = m.group_id
             WHERE m.user = ?1
               AND COALESCE(json_extract(g.info, '$.group_detail_info_group_type'), 0) != 4",
        )
        .and_then(|mut stmt| stmt.query_row([user], |r| r.get(0))))
}

/// The group a membership change runs on, inside the writer's transaction.
pub(super) struct TxGroup<'a> {
    pub(super) conn: &'a Connection,
    pub(super) id: String,
    pub(super) info: GroupDetailInfo,
}

impl GroupTx for TxGroup<'_> {
    fn info(&self) -> &GroupDetailInfo {
        &self.info
    }

    fn member(&self, user: &str) -> ImResult<Option<MemberState>> {
        member(self.conn, &self.id, user)
    }

    fn pendency(&self, applicant: &str) -> ImResult<Option<StoredPendency>> {
        pendency(self.conn, &self.id, applicant)
    }

    fn joined_count(&self, user: &str) -> ImResult<u32> {
        joined_count(self.conn, user)
    }

    fn approvers(&self) -> ImResult<Vec<String>> {
        let mut stmt = sql(self.conn.prepare_cached(
            "SELECT user FROM members WHERE group_id = ?1 AND role IN (300, 400) ORDER BY user",
        ))?;
        let rows = sql(stmt.query_map([&self.id], |r| r.get(0)))?;
        rows.map(sql).collect()
    }
}

/// Applies one planned step; a tip's notified users are added to `notified`.
pub(super) fn apply(
    tx: &Transaction<'_>,
    group_id: &str,
    op: MemberOp,
    notified: &mut Notified,
) -> ImResult<()> {
    match op {
        MemberOp::Add { user, role, joined } => {
            // The group's newest sequence now: a queued fan-out of a later
            // message reaches this member, of an earlier one does not.
            sql(tx.execute(
                "INSERT INTO members (group_id, user, role, joined, joined_seq)
                 VALUES (?1, ?2, ?3, ?4,
                         COALESCE((SELECT last_seq FROM convs WHERE key = ?5), 0))
                 ON CONFLICT (group_id, user) DO NOTHING",
                params![
                    group_id,
                    user,
                    role.value(),
                    joined,
                    crate::store::ConvKey::Group(group_id.to_owned()).encode()
                ],
            ))?;
        }
        MemberOp::Remove(user) => {
            // Queued messages sent while they were a member, which the
            // fan-out has not reached them with yet: theirs now, before
            // they leave (the kick's own tip among them).
            let key = crate::store::ConvKey::Group(group_id.to_owned()).encode();
            let pending: Vec<(u64, String, bool)> = {
                let mut stmt = sql(tx.prepare_cached(
                    "SELECT o.seq, o.sender, o.echo FROM outbox o
                     JOIN members m ON m.group_id = ?1 AND m.user = ?3
                     WHERE o.conv = ?2 AND o.done_through < ?3 AND m.joined_seq < o.seq
                     ORDER BY o.id",
                ))?;
                let rows = sql(stmt.query_map(params![group_id, key, user], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                }))?;
                rows.map(sql).collect::<ImResult<_>>()?
            };
            for (seq, sender, echo) in pending {
                let users = std::slice::from_ref(&user);
                notified.extend(super::log_message(tx, users, &key, seq, &sender, echo)?);
            }
            sql(tx.execute(
                "DELETE FROM members WHERE group_id = ?1 AND user = ?2",
                params![group_id, user],
            ))?;
        }
        MemberOp::Update(state) => {
            sql(tx.execute(
                "UPDATE members SET role = ?3, name_card = ?4, mute_until = ?5
                 WHERE group_id = ?1 AND user = ?2",
                params![
                    group_id,
                    state.user_id,
                    state.role.value(),
                    state.name_card,
                    state.mute_until
                ],
            ))?;
        }
        MemberOp::SetOwner(owner) => {
            let mut info = groups::load(tx, group_id)?.ok_or_else(|| {
                ImError::invalid_param(format!("no group {group_id:?} to change the owner of"))
            })?;
            info.owner_identifier = Some(owner.unwrap_or_default());
            groups::save(tx, &info)?;
        }
        MemberOp::PutPendency(stored) => {
            let applicant = stored.pendency.from_identifier.clone().unwrap_or_default();
            let stored = *stored;
            sql(tx.execute(
                "INSERT INTO pendencies (group_id, applicant, add_time, handled, json)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (group_id, applicant) DO UPDATE SET add_time = excluded.add_time,
                     handled = excluded.handled, json = excluded.json",
                params![
                    group_id,
                    applicant,
                    stored.pendency.add_time.unwrap_or(0),
                    stored.handled,
                    to_json(&stored.pendency)?
                ],
            ))?;
        }
        MemberOp::Announce(tip) => {
            let appended = append(tx, *tip)?;
            notified.extend(appended.notified);
        }
        MemberOp::Report { to, message } => {
            let conv = ConvId::group(group_id)?;
            let payload = to_json(&ServerEvent::NewMessage {
                conv,
                message: *message,
            })?;
            for user in to {
                let cursor = log_event(tx, &user, None, Some(&payload))?;
                notified.push((user, cursor));
            }
        }
    }
    Ok(())
}

/// The role values a `role_flag` filter lets through.
fn roles_in(filter: u32) -> String {
    let all = [
        (role_flag::OWNER, GroupMemberRole::Owner),
        (role_flag::ADMIN, GroupMemberRole::Admin),
        (role_flag::MEMBER, GroupMemberRole::Normal),
    ];
    let roles: Vec<u32> = all
        .iter()
        .filter(|(bit, _)| filter == role_flag::ALL || filter & bit != 0)
        .map(|(_, role)| role.value())
        .collect();
    serde_json::Value::from(roles).to_string()
}

/// A page of `group_id`'s members by user id, with their profiles' names
/// and faces (`None`: no such group); true when more follow.
pub(super) fn page(
    conn: &Connection,
    group_id: &str,
    query: &MembersQuery,
) -> ImResult<Option<(Vec<GroupMember>, bool)>> {
    let exists: bool = sql(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM groups WHERE id = ?1 AND dismissed = 0)",
        [group_id],
        |r| r.get(0),
    ))?;
    if !exists {
        return Ok(None);
    }
    let users = serde_json::Value::from(query.users.clone()).to_string();
    let mut stmt = sql(conn.prepare_cached(
        "SELECT m.user, m.role, m.joined, m.name_card, m.mute_until,
                COALESCE(json_extract(p.json, '$.user_profile_nick_name'), ''),
                COALESCE(json_extract(p.json, '$.user_profile_face_url'), '')
         FROM members m LEFT JOIN profiles p ON p.user = m.user
         WHERE m.group_id = ?1
           AND m.role IN (SELECT value FROM json_each(?2))
           AND (?3 = '[]' OR m.user IN (SELECT value FROM json_each(?3)))
         ORDER BY m.user LIMIT ?4 OFFSET ?5",
    ))?;
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    let rows = sql(stmt.query_map(
        params![
            group_id,
            roles_in(query.role_filter),
            users,
            query.limit + 1,
            offset
        ],
        |r| {
            Ok(GroupMember {
                user_id: r.get(0)?,
                role: role_of(r.get(1)?),
                join_time: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                name_card: r.get(3)?,
                mute_until: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                nick_name: r.get(5)?,
                face_url: r.get(6)?,
            })
        },
    ))?;
    let mut members = rows.map(sql).collect::<ImResult<Vec<_>>>()?;
    let more = members.len() > query.limit as usize;
    members.truncate(query.limit as usize);
    Ok(Some((members, more)))
}

const APPROVER_PENDENCIES: &str = "
    SELECT p.json, p.handled, p.add_time FROM pendencies p
    JOIN members m ON m.group_id = p.group_id AND m.user = ?1 AND m.role IN (300, 400)";

/// The join requests `approver` may handle filed before `before` (0: the
/// newest), newest first, a page of about `limit` that never splits a
/// second.
pub(super) fn pendencies(
    conn: &Connection,
    approver: &str,
    before: u64,
    limit: u32,
) -> ImResult<PendencyPage> {
    let read = |sql_text: &str, a: u64, b: u32| -> ImResult<TimedPendencies> {
        let a = i64::try_from(a).unwrap_or(i64::MAX);
        let mut stmt = sql(conn.prepare_cached(sql_text))?;
        let rows = sql(stmt.query_map(params![approver, a, b], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, i64>(2)?,
            ))
        }))?;
        rows.map(|row| {
            let (json, handled, time) = sql(row)?;
            Ok((
                read_pendency(&json, handled)?,
                u64::try_from(time).unwrap_or(0),
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
                    "{APPROVER_PENDENCIES} WHERE p.add_time < ?2
                     ORDER BY p.add_time DESC, p.group_id, p.applicant LIMIT ?3"
                ),
                before,
                n,
            )
        },
        |second, n| {
            read(
                &format!(
                    "{APPROVER_PENDENCIES} WHERE p.add_time = ?2
                     ORDER BY p.group_id, p.applicant LIMIT ?3"
                ),
                second,
                n,
            )
        },
    )
}

/// How many unhandled join requests `approver` may handle were filed after
/// `after`.
pub(super) fn unread(conn: &Connection, approver: &str, after: u64) -> ImResult<u32> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    sql(conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM ({APPROVER_PENDENCIES} WHERE p.handled = 0 AND p.add_time > ?2)"
        ),
        params![approver, after],
        |r| r.get(0),
    ))
}
