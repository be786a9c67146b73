//! Profiles in SQLite: one JSON row per user who set one, read where a
//! message is stamped and a snapshot is taken, and the fan-out of a
//! change to everyone who shares a conversation with its user.

use std::collections::BTreeSet;

use im_model::ImResult;
use im_model::message::UserProfile;
use im_model::profile::sender_stamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::{db_error, sql};
use crate::store::ConvKey;

/// `user`'s stored profile, if they set one.
pub(super) fn profile(conn: &Connection, user: &str) -> ImResult<Option<UserProfile>> {
    let json: Option<String> = sql(conn
        .prepare_cached("SELECT json FROM profiles WHERE user = ?1")
        .and_then(|mut stmt| stmt.query_row([user], |r| r.get(0)).optional()))?;
    json.map(|j| serde_json::from_str(&j).map_err(db_error))
        .transpose()
}

/// Stores `user`'s profile.
pub(super) fn put_profile(conn: &Connection, user: &str, profile: &UserProfile) -> ImResult<()> {
    let json = serde_json::to_string(profile).map_err(db_error)?;
    sql(conn.execute(
        "INSERT INTO profiles (user, json) VALUES (?1, ?2)
         ON CONFLICT (user) DO UPDATE SET json = excluded.json",
        params![user, json],
    ))?;
    Ok(())
}

/// What a message of `sender` carries as `message_sender_profile`: the
/// stored nickname and face, or nothing when the sender has no profile
/// (whatever the client put there is not trusted).
pub(super) fn stamp(conn: &Connection, sender: &str) -> ImResult<Option<UserProfile>> {
    Ok(profile(conn, sender)?.map(|p| sender_stamp(&p)))
}

/// Everyone who shares a conversation with `user`: their C2C peers and
/// the other members of their groups, each once, `user` left out.
pub(super) fn audience(conn: &Connection, user: &str) -> ImResult<BTreeSet<String>> {
    let mut users = BTreeSet::new();
    {
        let mut stmt = sql(
            conn.prepare_cached("SELECT conv FROM user_convs WHERE user = ?1 AND conv LIKE 'c:%'")
        )?;
        let keys = sql(stmt.query_map([user], |r| r.get::<_, String>(0)))?;
        for key in keys {
            if let Some(ConvKey::C2c { low, high }) = ConvKey::decode(&sql(key)?) {
                users.insert(if low == user { high } else { low });
            }
        }
    }
    let mut stmt = sql(conn.prepare_cached(
        "SELECT DISTINCT other.user FROM members AS mine
         JOIN members AS other ON other.group_id = mine.group_id
         WHERE mine.user = ?1",
    ))?;
    let members = sql(stmt.query_map([user], |r| r.get::<_, String>(0)))?;
    for member in members {
        users.insert(sql(member)?);
    }
    users.remove(user);
    Ok(users)
}
