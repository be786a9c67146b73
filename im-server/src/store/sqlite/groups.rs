//! Group information in SQLite: each group row keeps its information as
//! JSON (`info`: type, name, notification, introduction, face, join option,
//! mute-all, custom fields, owner, times and the information's sequence),
//! with `name` and `owner` as columns too; the member count, the newest
//! message's sequence and time are read where they live. A dismissed
//! group keeps its row (its id stays taken) with `dismissed = 1` and no
//! members, and reads as no group at all.

use im_model::ImResult;
use im_model::enums::{GroupMemberRole, GroupType};
use im_model::group::GroupDetailInfo;
use rusqlite::{Connection, OptionalExtension, params};

use super::{db_error, sql, to_json};
use crate::store::rows::group_row;
use crate::store::{ConvKey, JoinedGroup};

/// `group_id`'s information as members see it, or `None` when there is no
/// such group or it was dismissed.
pub(super) fn load(conn: &Connection, group_id: &str) -> ImResult<Option<GroupDetailInfo>> {
    let row: Option<(String, String, String)> = sql(conn
        .prepare_cached("SELECT name, owner, info FROM groups WHERE id = ?1 AND dismissed = 0")
        .and_then(|mut stmt| {
            stmt.query_row([group_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        }))?;
    let Some((name, owner, info)) = row else {
        return Ok(None);
    };
    let mut detail: GroupDetailInfo = serde_json::from_str(&info).map_err(db_error)?;
    detail.group_id = Some(group_id.to_owned());
    detail.group_name = Some(name);
    detail.owner_identifier = Some(owner);
    detail.group_type.get_or_insert(GroupType::Public);
    let members: u32 = sql(conn
        .prepare_cached("SELECT COUNT(*) FROM members WHERE group_id = ?1")
        .and_then(|mut stmt| stmt.query_row([group_id], |r| r.get(0))))?;
    detail.member_num = Some(members);
    let key = ConvKey::Group(group_id.to_owned()).encode();
    let (last_seq, last_time): (i64, i64) = sql(conn
        .prepare_cached("SELECT seq, time FROM messages WHERE conv = ?1 ORDER BY seq DESC LIMIT 1")
        .and_then(|mut stmt| {
            stmt.query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        }))?
    .unwrap_or((0, 0));
    // Tencent's fields are 32 bits: saturate rather than fail the read.
    let narrow = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    detail.next_msg_seq = Some(narrow(last_seq).saturating_add(1));
    detail.last_msg_time = Some(narrow(last_time));
    detail.online_member_num.get_or_insert(0);
    Ok(Some(detail))
}

/// Stores a group's information (the derived fields are not kept).
pub(super) fn save(conn: &Connection, info: &GroupDetailInfo) -> ImResult<()> {
    let (id, name, owner, kept) = group_row(info);
    sql(conn.execute(
        "INSERT INTO groups (id, name, owner, info) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, owner = excluded.owner,
             info = excluded.info",
        params![id, name, owner, to_json(&kept)?],
    ))?;
    Ok(())
}

/// `user`'s role in `group_id`, if a member.
pub(super) fn role_of(
    conn: &Connection,
    group_id: &str,
    user: &str,
) -> ImResult<Option<GroupMemberRole>> {
    let role: Option<i64> = sql(conn
        .prepare_cached("SELECT role FROM members WHERE group_id = ?1 AND user = ?2")
        .and_then(|mut stmt| {
            stmt.query_row(params![group_id, user], |r| r.get(0))
                .optional()
        }))?;
    Ok(role.map(|r| GroupMemberRole::from_value(r).unwrap_or(GroupMemberRole::Normal)))
}

/// Sets a member's role.
pub(super) fn set_role(
    conn: &Connection,
    group_id: &str,
    user: &str,
    role: GroupMemberRole,
) -> ImResult<()> {
    sql(conn.execute(
        "UPDATE members SET role = ?3 WHERE group_id = ?1 AND user = ?2",
        params![group_id, user, role.value()],
    ))?;
    Ok(())
}

/// The groups `user` is in, by id, with their role and join time.
pub(super) fn joined(conn: &Connection, user: &str) -> ImResult<Vec<JoinedGroup>> {
    let rows: Vec<(String, i64, u32)> = {
        let mut stmt = sql(conn.prepare_cached(
            "SELECT group_id, role, joined FROM members WHERE user = ?1 ORDER BY group_id",
        ))?;
        let rows = sql(stmt.query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))?;
        rows.map(sql).collect::<ImResult<_>>()?
    };
    let mut joined = Vec::with_capacity(rows.len());
    for (group_id, role, join_time) in rows {
        if let Some(info) = load(conn, &group_id)? {
            joined.push(JoinedGroup {
                info,
                role: GroupMemberRole::from_value(role).unwrap_or(GroupMemberRole::Normal),
                join_time,
            });
        }
    }
    Ok(joined)
}

/// Marks a group dismissed and removes its members.
pub(super) fn dismiss(conn: &Connection, group_id: &str) -> ImResult<()> {
    sql(conn.execute("UPDATE groups SET dismissed = 1 WHERE id = ?1", [group_id]))?;
    sql(conn.execute("DELETE FROM members WHERE group_id = ?1", [group_id]))?;
    Ok(())
}
