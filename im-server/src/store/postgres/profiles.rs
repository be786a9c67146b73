//! Profiles in PostgreSQL, as in SQLite: one JSON row per user who set
//! one, the stamp a message carries, and who hears of a change.

use std::collections::BTreeSet;

use im_model::ImResult;
use im_model::message::UserProfile;

use super::conn::{Tx, col, db_error};
use crate::store::rows;

pub(super) use crate::store::MAX_PROFILE_AUDIENCE;

/// `user`'s stored profile, if they set one.
pub(super) fn profile(tx: &Tx<'_>, user: &str) -> ImResult<Option<UserProfile>> {
    let row = tx.query_opt("SELECT json FROM profiles WHERE user_id = $1", &[&user])?;
    row.map(|row| serde_json::from_str(&col::<String>(&row, 0)?).map_err(db_error))
        .transpose()
}

/// Holds the change lock of `user`'s profile until the commit (an
/// advisory lock: a user without a profile has no row to lock).
pub(super) fn lock(tx: &Tx<'_>, user: &str) -> ImResult<()> {
    tx.query_one(
        "SELECT pg_advisory_xact_lock(hashtextextended('profile:' || $1, 0))",
        &[&user],
    )?;
    Ok(())
}

/// Stores `user`'s profile.
pub(super) fn put_profile(tx: &Tx<'_>, user: &str, profile: &UserProfile) -> ImResult<()> {
    let json = serde_json::to_string(profile).map_err(db_error)?;
    tx.execute(
        "INSERT INTO profiles (user_id, json) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET json = EXCLUDED.json",
        &[&user, &json],
    )?;
    Ok(())
}

/// Who hears of `user`'s profile change: their C2C peers first, then the
/// other members of their groups, each once, `user` left out, at most `max`.
pub(super) fn audience(tx: &Tx<'_>, user: &str, max: usize) -> ImResult<BTreeSet<String>> {
    let cap = i64::try_from(max).unwrap_or(i64::MAX);
    let keys = tx
        .query(
            "SELECT conv FROM user_convs WHERE user_id = $1 AND conv LIKE 'c:%' LIMIT $2",
            &[&user, &cap.saturating_add(1)],
        )?
        .iter()
        .map(|row| col(row, 0))
        .collect::<ImResult<Vec<String>>>()?;
    rows::audience(user, max, keys, |room| {
        tx.query(
            "SELECT DISTINCT other.user_id FROM members AS mine
             JOIN members AS other ON other.group_id = mine.group_id
             WHERE mine.user_id = $1 AND other.user_id != $1 LIMIT $2",
            &[&user, &i64::try_from(room).unwrap_or(i64::MAX)],
        )?
        .iter()
        .map(|row| col(row, 0))
        .collect()
    })
}
