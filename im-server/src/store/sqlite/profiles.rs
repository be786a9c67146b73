//! Profiles in SQLite: one JSON row per user who set one, read where a
//! message is stamped and a snapshot is taken, and the fan-out of a
//! change to everyone who shares a conversation with its user.

use std::collections::BTreeSet;

use im_model::ImResult;
use im_model::message::UserProfile;
use im_model::profile::sender_stamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::{db_error, sql};
#[cfg(test)]
use crate::store::ConvKey;
use crate::store::rows;

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

pub(super) use crate::store::MAX_PROFILE_AUDIENCE;

/// Who hears of `user`'s profile change: their C2C peers, then the other
/// members of their groups, each once, `user` left out, at most `max`
/// ([`MAX_PROFILE_AUDIENCE`]; C2C peers first: they see the name in their
/// conversation list).
pub(super) fn audience(conn: &Connection, user: &str, max: usize) -> ImResult<BTreeSet<String>> {
    let cap = i64::try_from(max).unwrap_or(i64::MAX);
    let keys: Vec<String> = {
        let mut stmt = sql(conn.prepare_cached(
            "SELECT conv FROM user_convs WHERE user = ?1 AND conv LIKE 'c:%' LIMIT ?2",
        ))?;
        let keys = sql(stmt.query_map(params![user, cap.saturating_add(1)], |r| r.get(0)))?;
        keys.map(sql).collect::<ImResult<_>>()?
    };
    rows::audience(user, max, keys, |room| {
        let mut stmt = sql(conn.prepare_cached(
            "SELECT DISTINCT other.user FROM members AS mine
             JOIN members AS other ON other.group_id = mine.group_id
             WHERE mine.user = ?1 AND other.user != ?1 LIMIT ?2",
        ))?;
        let limit = i64::try_from(room).unwrap_or(i64::MAX);
        let members = sql(stmt.query_map(params![user, limit], |r| r.get::<_, String>(0)))?;
        members.map(sql).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_audience_is_capped_with_c2c_peers_first() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(super::super::SCHEMA).unwrap();
        for peer in ["p1", "p2"] {
            let key = ConvKey::of("me", &im_model::ConvId::c2c(peer).unwrap()).encode();
            conn.execute(
                "INSERT INTO user_convs (user, conv) VALUES ('me', ?1)",
                [key],
            )
            .unwrap();
        }
        for user in ["me", "m1", "m2", "m3", "p1"] {
            conn.execute(
                "INSERT INTO members (group_id, user, role) VALUES ('g', ?1, 200)",
                [user],
            )
            .unwrap();
        }
        let all = audience(&conn, "me", 100).unwrap();
        assert_eq!(
            all.into_iter().collect::<Vec<_>>(),
            ["m1", "m2", "m3", "p1", "p2"]
        );
        let capped = audience(&conn, "me", 3).unwrap();
        assert_eq!(capped.len(), 3);
        assert!(capped.contains("p1") && capped.contains("p2"), "{capped:?}");
        assert_eq!(audience(&conn, "me", 1).unwrap().len(), 1);
    }
}
