//! Group information in PostgreSQL, as in SQLite (`info` as JSON, `name`
//! and `owner` as columns, derived counts read where they live). The
//! group row is the lock of everything about the group: a change of its
//! information, members or existence locks it for update, a send locks it
//! for share.

use im_model::ImResult;
use im_model::enums::{GroupMemberRole, GroupType};
use im_model::group::GroupDetailInfo;

use super::conn::{Tx, col, db_error};
use super::to_json;
use crate::store::rows::group_row;
use crate::store::{ConvKey, JoinedGroup};

fn stored_form(info: &GroupDetailInfo) -> ImResult<(String, String, String, String)> {
    let (id, name, owner, kept) = group_row(info);
    Ok((id, name, owner, to_json(&kept)?))
}

/// `group_id`'s information as members see it, or `None` when there is no
/// such group or it was dismissed; `for_update` locks its row until the
/// commit.
pub(super) fn load(
    tx: &Tx<'_>,
    group_id: &str,
    for_update: bool,
) -> ImResult<Option<GroupDetailInfo>> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let Some(row) = tx.query_opt(
        &format!("SELECT name, owner, info FROM groups WHERE id = $1 AND NOT dismissed{lock}"),
        &[&group_id],
    )?
    else {
        return Ok(None);
    };
    let info: String = col(&row, 2)?;
    let mut detail: GroupDetailInfo = serde_json::from_str(&info).map_err(db_error)?;
    detail.group_id = Some(group_id.to_owned());
    detail.group_name = Some(col(&row, 0)?);
    detail.owner_identifier = Some(col(&row, 1)?);
    detail.group_type.get_or_insert(GroupType::Public);
    let members: i64 = col(
        &tx.query_one(
            "SELECT COUNT(*) FROM members WHERE group_id = $1",
            &[&group_id],
        )?,
        0,
    )?;
    let key = ConvKey::Group(group_id.to_owned()).encode();
    let (last_seq, last_time) = match tx.query_opt(
        "SELECT seq, time FROM messages WHERE conv = $1 ORDER BY seq DESC LIMIT 1",
        &[&key],
    )? {
        Some(row) => (col::<i64>(&row, 0)?, col::<i64>(&row, 1)?),
        None => (0, 0),
    };
    // Tencent's fields are 32 bits: saturate rather than fail the read.
    let narrow = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    detail.member_num = Some(narrow(members));
    detail.next_msg_seq = Some(narrow(last_seq).saturating_add(1));
    detail.last_msg_time = Some(narrow(last_time));
    detail.online_member_num.get_or_insert(0);
    Ok(Some(detail))
}

/// Creates a group's row; false when the id is taken (a dismissed
/// group's too).
pub(super) fn insert(tx: &Tx<'_>, info: &GroupDetailInfo) -> ImResult<bool> {
    let (id, name, owner, json) = stored_form(info)?;
    let inserted = tx.execute(
        "INSERT INTO groups (id, name, owner, info) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING",
        &[&id, &name, &owner, &json],
    )?;
    Ok(inserted == 1)
}

/// Stores a group's information (the derived fields are not kept).
pub(super) fn save(tx: &Tx<'_>, info: &GroupDetailInfo) -> ImResult<()> {
    let (id, name, owner, json) = stored_form(info)?;
    tx.execute(
        "INSERT INTO groups (id, name, owner, info) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, owner = EXCLUDED.owner,
             info = EXCLUDED.info",
        &[&id, &name, &owner, &json],
    )?;
    Ok(())
}

/// A role from its stored value (an unknown one reads as a member).
pub(super) fn role(value: i64) -> GroupMemberRole {
    GroupMemberRole::from_value(value).unwrap_or(GroupMemberRole::Normal)
}

/// `user`'s role in `group_id`, if a member.
pub(super) fn role_of(
    tx: &Tx<'_>,
    group_id: &str,
    user: &str,
) -> ImResult<Option<GroupMemberRole>> {
    tx.query_opt(
        "SELECT role FROM members WHERE group_id = $1 AND user_id = $2",
        &[&group_id, &user],
    )?
    .map(|row| Ok(role(col(&row, 0)?)))
    .transpose()
}

/// Sets a member's role.
pub(super) fn set_role(
    tx: &Tx<'_>,
    group_id: &str,
    user: &str,
    role: GroupMemberRole,
) -> ImResult<()> {
    tx.execute(
        "UPDATE members SET role = $3 WHERE group_id = $1 AND user_id = $2",
        &[&group_id, &user, &i64::from(role.value())],
    )?;
    Ok(())
}

/// The groups `user` is in, by id, with their role and join time.
pub(super) fn joined(tx: &Tx<'_>, user: &str) -> ImResult<Vec<JoinedGroup>> {
    let rows = tx.query(
        "SELECT group_id, role, joined FROM members WHERE user_id = $1
         ORDER BY group_id COLLATE \"C\"",
        &[&user],
    )?;
    let mut joined = Vec::with_capacity(rows.len());
    for row in &rows {
        let group_id: String = col(row, 0)?;
        if let Some(info) = load(tx, &group_id, false)? {
            joined.push(JoinedGroup {
                info,
                role: role(col(row, 1)?),
                join_time: u32::try_from(col::<i64>(row, 2)?).unwrap_or(0),
            });
        }
    }
    Ok(joined)
}

/// Marks a group dismissed and removes its members.
pub(super) fn dismiss(tx: &Tx<'_>, group_id: &str) -> ImResult<()> {
    tx.execute(
        "UPDATE groups SET dismissed = true WHERE id = $1",
        &[&group_id],
    )?;
    tx.execute("DELETE FROM members WHERE group_id = $1", &[&group_id])?;
    Ok(())
}
