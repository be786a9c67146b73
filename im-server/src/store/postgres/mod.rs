//! [`ServerStore`] on PostgreSQL: the store several server nodes share.
//!
//! The tables are SQLite's (`user` is `user_id` here: a reserved word),
//! and every method is one transaction. What SQLite's single writer gave
//! for free, many writers on many nodes get from row locks, unique
//! indexes and conditional updates (each named where it is taken):
//! - a conversation's sequence comes from its `convs` row, bumped by one
//!   `INSERT .. ON CONFLICT DO UPDATE .. RETURNING` that locks that row
//!   only, late in the send; the server-unique id is a `SEQUENCE`, not a
//!   row every send would lock;
//! - a send is stored once per `(sender, msg_id)` (a unique index: a
//!   concurrent retry that won makes this one run again and answer the
//!   stored ack);
//! - a send reads a group's members under a share lock of the group row,
//!   which membership changes lock for update: members at commit time;
//! - one active session per user and platform is a partial unique index;
//! - a user's conversation state and profile are locked for update while
//!   a change runs on them, so concurrent changes never lose one;
//! - message times never go back within a conversation
//!   (`GREATEST(now, convs.last_time)`), whatever the nodes' clocks say;
//! - event-log heads are bumped in one order (user ids sorted) where one
//!   write bumps several, and a deadlock or serialization failure runs
//!   the whole write again (`conn::write`).
//!
//! Nothing here sends `NOTIFY`: a notification inside a write transaction
//! serializes every commit of the cluster. Wake-ups go out after the
//! commit, through the fan-out (`crate::fanout`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use im_model::enums::GroupMemberRole;
use im_model::group::GroupDetailInfo;
use im_model::message::{Message, MessageReceipt, UserProfile};
use im_model::wire::http::GroupMember;
use im_model::wire::{ConvRoamingState, ConvStateBook, SendAck, SequencedEvent, ServerEvent};
use im_model::{ImError, ImResult, MsgStatus};
use postgres::Row;

mod conn;
mod groups;
mod members;
mod profiles;
mod retention;

use conn::{Pool, Tx, big, col, db_error, unsigned};

use super::rows;
use super::{
    Appended, BookChange, ConvKey, EventsPage, FANOUT_SYNC_MAX, FileRow, GroupChange,
    GroupDismissal, HistoryQuery, JoinedGroup, MembersChange, MembersPlan, MembersQuery,
    Membership, NewMessage, Notified, PendencyPage, ProfileChange, ServerStore, SessionRow,
    SessionState, StoredMessage, StoredSnapshot,
};
use crate::codes;

/// Connections each node keeps at most (PostgreSQL's default allows 100
/// in all: three nodes of 16, plus their listeners, fit).
pub const DEFAULT_POOL_SIZE: usize = 16;

/// The schema version this code writes (PostgreSQL's own numbering).
const SCHEMA_VERSION: i64 = 1;

/// Held while the schema is created or migrated, so that nodes starting
/// together do not race (any constant: the store's advisory lock).
const SCHEMA_LOCK: i64 = 0x696d_7365_7276;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE SEQUENCE IF NOT EXISTS unique_ids CACHE 64;
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user_id TEXT NOT NULL, platform BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, state BIGINT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_one_active ON sessions (user_id, platform)
    WHERE state = 0;
CREATE TABLE IF NOT EXISTS convs (key TEXT PRIMARY KEY, last_seq BIGINT NOT NULL,
    last_time BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (
    conv TEXT NOT NULL, seq BIGINT NOT NULL, sender TEXT NOT NULL, msg_id TEXT NOT NULL,
    time BIGINT NOT NULL, unique_id BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT false,
    version BIGINT NOT NULL DEFAULT 0, body TEXT NOT NULL, counted BOOLEAN NOT NULL DEFAULT true,
    PRIMARY KEY (conv, seq));
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_sender_id ON messages (sender, msg_id);
CREATE INDEX IF NOT EXISTS messages_by_conv_id ON messages (conv, msg_id);
CREATE INDEX IF NOT EXISTS messages_by_time ON messages (conv, time, seq);
CREATE TABLE IF NOT EXISTS heads (user_id TEXT PRIMARY KEY, head BIGINT NOT NULL,
    floor BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events (
    user_id TEXT NOT NULL, cursor BIGINT NOT NULL, conv TEXT, seq BIGINT, payload TEXT,
    time BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (user_id, cursor));
CREATE INDEX IF NOT EXISTS events_by_time ON events (time);
CREATE TABLE IF NOT EXISTS user_convs (user_id TEXT NOT NULL, conv TEXT NOT NULL,
    PRIMARY KEY (user_id, conv));
CREATE TABLE IF NOT EXISTS hidden (user_id TEXT NOT NULL, conv TEXT NOT NULL, seq BIGINT NOT NULL,
    PRIMARY KEY (user_id, conv, seq));
CREATE TABLE IF NOT EXISTS cleared (user_id TEXT NOT NULL, conv TEXT NOT NULL,
    upto BIGINT NOT NULL, PRIMARY KEY (user_id, conv));
CREATE TABLE IF NOT EXISTS books (user_id TEXT PRIMARY KEY, groups TEXT NOT NULL,
    convs TEXT NOT NULL, added_order TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS groups (id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL,
    info TEXT NOT NULL DEFAULT '{}', dismissed BOOLEAN NOT NULL DEFAULT false);
CREATE TABLE IF NOT EXISTS members (group_id TEXT NOT NULL, user_id TEXT NOT NULL,
    role BIGINT NOT NULL, joined BIGINT NOT NULL DEFAULT 0, name_card TEXT NOT NULL DEFAULT '',
    mute_until BIGINT NOT NULL DEFAULT 0, joined_seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user_id));
CREATE TABLE IF NOT EXISTS outbox (id BIGSERIAL PRIMARY KEY, conv TEXT NOT NULL,
    seq BIGINT NOT NULL, sender TEXT NOT NULL, echo BOOLEAN NOT NULL,
    done_through TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS outbox_by_conv ON outbox (conv, seq);
CREATE INDEX IF NOT EXISTS members_by_user ON members (user_id, group_id);
CREATE TABLE IF NOT EXISTS receipts (conv TEXT NOT NULL, msg_id TEXT NOT NULL,
    reader TEXT NOT NULL, PRIMARY KEY (conv, msg_id, reader));
CREATE TABLE IF NOT EXISTS settings (user_id TEXT NOT NULL, key TEXT NOT NULL,
    json TEXT NOT NULL, PRIMARY KEY (user_id, key));
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, owner TEXT NOT NULL, size BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS merged (key TEXT PRIMARY KEY, conv TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (user_id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE UNLOGGED TABLE IF NOT EXISTS allowances (key TEXT PRIMARY KEY,
    window_end BIGINT NOT NULL, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS pendencies (group_id TEXT NOT NULL, applicant TEXT NOT NULL,
    add_time BIGINT NOT NULL, handled BOOLEAN NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (group_id, applicant));
";

/// The end of the current fixed window of `$2` milliseconds, by the
/// database's clock (every node agrees on it).
const WINDOW_END: &str = "((extract(epoch from clock_timestamp()) * 1000)::bigint / $2 + 1) * $2";

/// The time PostgreSQL gives an event (its transaction's start, seconds).
const NOW: &str = "extract(epoch from now())::bigint";

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: Arc<Pool>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`), creates or
    /// checks the schema (under an advisory lock: nodes may start
    /// together), and keeps at most `pool_size` connections.
    ///
    /// # Errors
    /// `INTERNAL` when the database cannot be reached or is of a newer
    /// schema.
    pub async fn open(url: &str, pool_size: usize) -> ImResult<PostgresStore> {
        let pool = Pool::new(url, pool_size.max(1))?;
        pool.run(|conn| {
            conn::write(conn, &|tx| {
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
                tx.batch("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)")?;
                let version: i64 = match tx
                    .query_opt("SELECT value FROM meta WHERE key = 'schema'", &[])?
                {
                    Some(row) => col(&row, 0)?,
                    None => 0,
                };
                if version > SCHEMA_VERSION {
                    return Err(db_error(format!(
                        "the database has schema {version}, newer than this server's {SCHEMA_VERSION}"
                    )));
                }
                tx.batch(SCHEMA)?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', $1)
                     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    &[&SCHEMA_VERSION],
                )?;
                Ok(())
            })
        })
        .await?;
        Ok(PostgresStore { pool })
    }

    async fn write<R: Send + 'static>(
        &self,
        f: impl Fn(&Tx<'_>) -> ImResult<R> + Send + 'static,
    ) -> ImResult<R> {
        self.pool.run(move |conn| conn::write(conn, &f)).await
    }

    async fn read<R: Send + 'static>(
        &self,
        f: impl Fn(&Tx<'_>) -> ImResult<R> + Send + 'static,
    ) -> ImResult<R> {
        self.pool.run(move |conn| conn::read(conn, &f)).await
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> ImResult<String> {
    serde_json::to_string(value).map_err(db_error)
}

/// Appends `event` (or a message reference) to `user`'s log; returns its
/// cursor. Locks the user's head row until the commit.
fn log_event(
    tx: &Tx<'_>,
    user: &str,
    message: Option<(&str, u64)>,
    payload: Option<&str>,
) -> ImResult<u64> {
    let row = tx.query_one(
        "INSERT INTO heads (user_id, head) VALUES ($1, 1)
         ON CONFLICT (user_id) DO UPDATE SET head = heads.head + 1 RETURNING head",
        &[&user],
    )?;
    let head: i64 = col(&row, 0)?;
    let (conv, seq) = match message {
        Some((conv, seq)) => (Some(conv), Some(big(seq))),
        None => (None, None),
    };
    tx.execute(
        &format!(
            "INSERT INTO events (user_id, cursor, conv, seq, payload, time)
             VALUES ($1, $2, $3, $4, $5, {NOW})"
        ),
        &[&user, &head, &conv, &seq, &payload],
    )?;
    Ok(u64::try_from(head).unwrap_or(0))
}

/// Appends a message in the open transaction (idempotent by sender and
/// message id) and logs its event for each recipient.
///
/// Five statements whatever the recipients (a send waits on each round
/// trip): the idempotency check with the sender's profile, the recipients
/// (groups), the conversation row with a unique id, the message, and every
/// recipient's link, head and event in one.
fn append(tx: &Tx<'_>, new: &NewMessage) -> ImResult<Appended> {
    let key = new.conv.encode();
    let row = tx.query_one(
        "SELECT m.conv, m.seq, m.time, m.unique_id, p.json
         FROM (SELECT 1) AS one
         LEFT JOIN messages m ON m.sender = $1 AND m.msg_id = $2
         LEFT JOIN profiles p ON p.user_id = $1",
        &[&new.sender, &new.msg_id],
    )?;
    if let Some(conv) = col::<Option<String>>(&row, 0)? {
        if conv != key {
            return Err(ImError::invalid_param(
                "this message id was sent to another conversation",
            ));
        }
        return Ok(Appended {
            ack: SendAck {
                seq: unsigned(&row, 1)?,
                server_time: unsigned(&row, 2)?,
                unique_id: unsigned(&row, 3)?,
            },
            fresh: false,
            notified: Vec::new(),
        });
    }
    let profile = col::<Option<String>>(&row, 4)?
        .map(|json| serde_json::from_str::<UserProfile>(&json).map_err(db_error))
        .transpose()?;
    // Members at commit time: a membership change locks the group row for
    // update, so it waits for this send or this send waits for it. A large
    // group's members get it from the fan-out queue instead.
    let queued = match &new.conv {
        ConvKey::Group(id) => queues_fan_out(tx, id, &key)?,
        ConvKey::C2c { .. } => false,
    };
    let recipients = if queued {
        BTreeSet::new()
    } else {
        recipients(tx, &new.conv, true)?
    };
    // Last before the inserts: the conversation row is the lock every
    // send to it waits on, so it is held for as short as can be. The
    // time never goes back within a conversation, whatever this node's
    // clock says.
    let row = tx.query_one(
        "INSERT INTO convs (key, last_seq, last_time) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET last_seq = convs.last_seq + 1,
             last_time = GREATEST(convs.last_time, EXCLUDED.last_time)
         RETURNING last_seq, last_time, nextval('unique_ids')",
        &[&key, &big(new.now)],
    )?;
    let (seq, now, unique_id) = (unsigned(&row, 0)?, unsigned(&row, 1)?, unsigned(&row, 2)?);
    let mut message = new.message.clone();
    message.sender_profile = profile.map(|p| im_model::profile::sender_stamp(&p));
    message.seq = Some(seq);
    message.server_time = Some(now);
    message.client_time.get_or_insert(now);
    message.unique_id = Some(unique_id);
    message.sender = Some(new.sender.clone());
    message.msg_id = Some(new.msg_id.clone());
    message.status = Some(MsgStatus::SendSucc);
    message.is_from_self = None;
    let stored = tx.execute(
        "INSERT INTO messages (conv, seq, sender, msg_id, time, unique_id, body, counted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (sender, msg_id) DO NOTHING",
        &[
            &key,
            &big(seq),
            &new.sender,
            &new.msg_id,
            &big(now),
            &big(unique_id),
            &to_json(&message)?,
            &message.may_count_as_unread(),
        ],
    )?;
    if stored == 0 {
        // A retry of this send committed on another node meanwhile: run
        // again, and answer its ack.
        return Err(tx.retry("a concurrent retry stored this message first"));
    }
    if queued {
        tx.execute(
            "INSERT INTO outbox (conv, seq, sender, echo) VALUES ($1, $2, $3, $4)",
            &[&key, &big(seq), &new.sender, &new.echo_to_sender],
        )?;
        return Ok(Appended {
            ack: SendAck {
                seq,
                server_time: now,
                unique_id,
            },
            fresh: true,
            notified: Vec::new(),
        });
    }
    let logged: Vec<String> = recipients
        .iter()
        .filter(|user| **user != new.sender || new.echo_to_sender)
        .cloned()
        .collect();
    let all: Vec<String> = recipients.into_iter().collect();
    let notified = log_message_events(tx, &all, &logged, &key, seq)?;
    Ok(Appended {
        ack: SendAck {
            seq,
            server_time: now,
            unique_id,
        },
        fresh: true,
        notified,
    })
}

/// Whether a group's message goes through the fan-out queue: the group is
/// larger than [`FANOUT_SYNC_MAX`], or messages of it are queued already
/// (they stay in order). Takes the group row's share lock, as a send's
/// member read does.
fn queues_fan_out(tx: &Tx<'_>, group_id: &str, key: &str) -> ImResult<bool> {
    let sync_max = i64::try_from(FANOUT_SYNC_MAX).unwrap_or(i64::MAX);
    let row = tx.query_opt(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE conv = $2)
             OR (SELECT COUNT(*) FROM members WHERE group_id = $1) > $3
         FROM groups WHERE id = $1 FOR SHARE",
        &[&group_id, &key, &sync_max],
    )?;
    row.map_or(Ok(false), |row| col(&row, 0))
}

/// Fans out the oldest queued message whose group has no older one queued
/// (another node may hold that one: rows are locked and skipped, so nodes
/// fan out different groups at once, each group in order).
fn fan_out_next(tx: &Tx<'_>, max_users: u32) -> ImResult<Option<Notified>> {
    let Some(row) = tx.query_opt(
        "SELECT id, conv, seq, sender, echo, done_through FROM outbox o
         WHERE NOT EXISTS (SELECT 1 FROM outbox e WHERE e.conv = o.conv AND e.seq < o.seq)
         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        &[],
    )?
    else {
        return Ok(None);
    };
    let (id, key, seq): (i64, String, i64) = (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?);
    let (sender, echo, done_through): (String, bool, String) =
        (col(&row, 3)?, col(&row, 4)?, col(&row, 5)?);
    let Some(ConvKey::Group(group_id)) = ConvKey::decode(&key) else {
        tracing::error!(conv = %key, "a queued fan-out of no group; dropped");
        tx.execute("DELETE FROM outbox WHERE id = $1", &[&id])?;
        return Ok(Some(Vec::new()));
    };
    let users: Vec<String> = tx
        .query(
            "SELECT user_id FROM members
             WHERE group_id = $1 AND joined_seq < $2 AND user_id COLLATE \"C\" > $3
             ORDER BY user_id COLLATE \"C\" LIMIT $4",
            &[&group_id, &seq, &done_through, &i64::from(max_users)],
        )?
        .iter()
        .map(|row| col(row, 0))
        .collect::<ImResult<_>>()?;
    let logged: Vec<String> = users
        .iter()
        .filter(|user| **user != sender || echo)
        .cloned()
        .collect();
    let notified = log_message_events(tx, &users, &logged, &key, u64::try_from(seq).unwrap_or(0))?;
    match users.last() {
        Some(last) if users.len() as u64 == u64::from(max_users) => {
            tx.execute(
                "UPDATE outbox SET done_through = $2 WHERE id = $1",
                &[&id, last],
            )?;
        }
        _ => {
            tx.execute("DELETE FROM outbox WHERE id = $1", &[&id])?;
        }
    }
    Ok(Some(notified))
}

/// Links the conversation to every user of `all` and logs the message's
/// event for each user of `logged`, in one statement: their head rows are
/// bumped in user-id order (`COLLATE "C"`, the byte order every write
/// locks heads in). Returns each logged user's new cursor.
fn log_message_events(
    tx: &Tx<'_>,
    all: &[String],
    logged: &[String],
    key: &str,
    seq: u64,
) -> ImResult<Notified> {
    let rows = tx.query(
        &format!(
            "WITH link AS (
                 INSERT INTO user_convs (user_id, conv)
                 SELECT u, $2 FROM unnest($1::text[]) AS u ON CONFLICT DO NOTHING),
             head AS (
                 INSERT INTO heads (user_id, head)
                 SELECT u, 1 FROM unnest($3::text[]) AS u ORDER BY u COLLATE \"C\"
                 ON CONFLICT (user_id) DO UPDATE SET head = heads.head + 1
                 RETURNING user_id, head)
             INSERT INTO events (user_id, cursor, conv, seq, payload, time)
             SELECT user_id, head, $2, $4, NULL, {NOW} FROM head
             RETURNING user_id, cursor"
        ),
        &[&all, &key, &logged, &big(seq)],
    )?;
    let mut notified = rows
        .iter()
        .map(|row| Ok((col::<String>(row, 0)?, unsigned(row, 1)?)))
        .collect::<ImResult<Notified>>()?;
    notified.sort_unstable();
    Ok(notified)
}

/// The users a conversation's events go to now, sorted (the order head
/// rows are locked in). `lock` takes the group row's share lock in the
/// same statement.
fn recipients(tx: &Tx<'_>, conv: &ConvKey, lock: bool) -> ImResult<BTreeSet<String>> {
    match conv {
        ConvKey::C2c { low, high } => Ok([low.clone(), high.clone()].into_iter().collect()),
        ConvKey::Group(id) => {
            let lock = if lock { " FOR SHARE OF g" } else { "" };
            let mut users = BTreeSet::new();
            for row in tx.query(
                &format!(
                    "SELECT m.user_id FROM groups g
                     LEFT JOIN members m ON m.group_id = g.id WHERE g.id = $1{lock}"
                ),
                &[id],
            )? {
                if let Some(user) = col::<Option<String>>(&row, 0)? {
                    users.insert(user);
                }
            }
            Ok(users)
        }
    }
}

/// The message columns every read selects, in this order.
const MESSAGE_COLUMNS: &str = "seq, sender, msg_id, time, unique_id, revoked, body";

/// A message from its columns starting at `at` (`MESSAGE_COLUMNS`).
fn message_at(conv: ConvKey, row: &Row, at: usize) -> ImResult<StoredMessage> {
    let body: String = col(row, at + 6)?;
    Ok(StoredMessage {
        conv,
        seq: unsigned(row, at)?,
        sender: col(row, at + 1)?,
        msg_id: col(row, at + 2)?,
        time: unsigned(row, at + 3)?,
        unique_id: unsigned(row, at + 4)?,
        revoked: col(row, at + 5)?,
        message: serde_json::from_str(&body).map_err(db_error)?,
    })
}

fn find_message(
    tx: &Tx<'_>,
    conv: &ConvKey,
    msg_id: &str,
    for_update: bool,
) -> ImResult<Option<StoredMessage>> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let row = tx.query_opt(
        &format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE conv = $1 AND msg_id = $2{lock}"),
        &[&conv.encode(), &msg_id],
    )?;
    row.map(|row| message_at(conv.clone(), &row, 0)).transpose()
}

fn load_book(tx: &Tx<'_>, user: &str, for_update: bool) -> ImResult<ConvStateBook> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let Some(row) = tx.query_opt(
        &format!("SELECT groups, convs, added_order FROM books WHERE user_id = $1{lock}"),
        &[&user],
    )?
    else {
        return Ok(ConvStateBook::default());
    };
    let (groups, convs, added_order): (String, String, String) =
        (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?);
    let convs: Vec<(im_model::ConvId, ConvRoamingState)> =
        serde_json::from_str(&convs).map_err(db_error)?;
    let added_order: Vec<(String, Vec<im_model::ConvId>)> =
        serde_json::from_str(&added_order).map_err(db_error)?;
    Ok(ConvStateBook {
        groups: serde_json::from_str(&groups).map_err(db_error)?,
        convs: convs.into_iter().collect(),
        added_order: added_order.into_iter().collect(),
    })
}

fn head_and_floor(tx: &Tx<'_>, user: &str) -> ImResult<(u64, u64)> {
    match tx.query_opt("SELECT head, floor FROM heads WHERE user_id = $1", &[&user])? {
        Some(row) => Ok((unsigned(&row, 0)?, unsigned(&row, 1)?)),
        None => Ok((0, 0)),
    }
}

/// The events of `user` after `after` (at most `limit`), with the log's
/// head and floor, in one snapshot.
fn events_in(tx: &Tx<'_>, user: &str, after: u64, limit: u32) -> ImResult<EventsPage> {
    let (head, floor) = head_and_floor(tx, user)?;
    let rows = tx.query(
        "SELECT e.cursor, e.payload, e.conv, m.seq, m.sender, m.msg_id, m.time,
                m.unique_id, m.revoked, m.body
         FROM events e LEFT JOIN messages m ON m.conv = e.conv AND m.seq = e.seq
         WHERE e.user_id = $1 AND e.cursor > $2 ORDER BY e.cursor LIMIT $3",
        &[&user, &big(after), &i64::from(limit)],
    )?;
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        let cursor = unsigned(row, 0)?;
        let payload: Option<String> = col(row, 1)?;
        let conv: Option<String> = col(row, 2)?;
        let has_message = col::<Option<i64>>(row, 3)?.is_some();
        let event = match (payload, conv.as_deref().and_then(ConvKey::decode)) {
            (Some(json), _) => serde_json::from_str(&json).map_err(db_error)?,
            (None, Some(key)) if has_message => {
                let (conv, message) = message_at(key, row, 3)?.for_viewer(user)?;
                ServerEvent::NewMessage { conv, message }
            }
            _ => {
                tracing::error!(cursor, "an event names no payload and no message");
                continue;
            }
        };
        events.push(SequencedEvent { cursor, event });
    }
    Ok(EventsPage {
        events,
        head,
        floor,
    })
}

/// A window in milliseconds (at least one).
fn window_ms(window: Duration) -> i64 {
    i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1)
}

fn session_state(value: i64) -> SessionState {
    match value {
        0 => SessionState::Active,
        1 => SessionState::Kicked,
        _ => SessionState::Closed,
    }
}

fn group_not_found(id: &str) -> ImError {
    codes::server(codes::GROUP_NOT_FOUND, format!("no group {id:?}"))
}

#[async_trait]
impl ServerStore for PostgresStore {
    fn close(&self) {
        self.pool.close();
    }

    async fn ping(&self) -> ImResult<()> {
        self.write(|tx| tx.query_one("SELECT 1", &[]).map(drop))
            .await
    }

    async fn open_session(&self, token: &str, session: &SessionRow) -> ImResult<Vec<String>> {
        let (token, session) = (token.to_owned(), session.clone());
        self.write(move |tx| {
            let platform = i64::from(session.platform);
            let kicked = tx
                .query(
                    "UPDATE sessions SET state = 1
                     WHERE user_id = $1 AND platform = $2 AND state = 0 RETURNING token",
                    &[&session.user, &platform],
                )?
                .iter()
                .map(|row| col(row, 0))
                .collect::<ImResult<Vec<String>>>()?;
            // Two logins at once on two nodes: the index lets one in; the
            // other runs again and kicks it.
            let inserted = tx.execute(
                "INSERT INTO sessions (token, user_id, platform, expires_at, state)
                 VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING",
                &[&token, &session.user, &platform, &session.expires_at],
            )?;
            if inserted == 0 {
                return Err(tx.retry("another login of this user and platform went first"));
            }
            Ok(kicked)
        })
        .await
    }

    async fn session(&self, token: &str) -> ImResult<Option<SessionRow>> {
        let token = token.to_owned();
        self.read(move |tx| {
            let Some(row) = tx.query_opt(
                "SELECT user_id, platform, expires_at, state FROM sessions WHERE token = $1",
                &[&token],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(SessionRow {
                user: col(&row, 0)?,
                platform: u32::try_from(col::<i64>(&row, 1)?).unwrap_or(0),
                expires_at: col(&row, 2)?,
                state: session_state(col(&row, 3)?),
            }))
        })
        .await
    }

    async fn close_session(&self, token: &str) -> ImResult<()> {
        let token = token.to_owned();
        self.write(move |tx| {
            tx.execute("UPDATE sessions SET state = 2 WHERE token = $1", &[&token])?;
            Ok(())
        })
        .await
    }

    async fn append_message(&self, new: NewMessage) -> ImResult<Appended> {
        self.write(move |tx| append(tx, &new)).await
    }

    async fn message(&self, conv: &ConvKey, msg_id: &str) -> ImResult<Option<StoredMessage>> {
        let (conv, msg_id) = (conv.clone(), msg_id.to_owned());
        self.read(move |tx| find_message(tx, &conv, &msg_id, false))
            .await
    }

    async fn history(
        &self,
        viewer: &str,
        conv: &ConvKey,
        query: HistoryQuery,
    ) -> ImResult<Vec<StoredMessage>> {
        let (viewer, conv) = (viewer.to_owned(), conv.clone());
        self.read(move |tx| {
            let (from, to) = query.time_range.unwrap_or((0, u64::MAX));
            let (at_time, at_seq) = query.anchor.unwrap_or(if query.newer {
                (0, 0)
            } else {
                (u64::MAX, u64::MAX)
            });
            let order = if query.newer { "ASC" } else { "DESC" };
            let cmp = if query.newer { ">" } else { "<" };
            let text = format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m
                 WHERE conv = $1 AND time BETWEEN $2 AND $3 AND (time, seq) {cmp} ($4, $5)
                   AND seq > COALESCE((SELECT upto FROM cleared WHERE user_id = $6 AND conv = $1), 0)
                   AND NOT EXISTS (SELECT 1 FROM hidden h
                                   WHERE h.user_id = $6 AND h.conv = $1 AND h.seq = m.seq)
                 ORDER BY time {order}, seq {order} LIMIT $7"
            );
            tx.query(
                &text,
                &[
                    &conv.encode(),
                    &big(from),
                    &big(to),
                    &big(at_time),
                    &big(at_seq),
                    &viewer,
                    &i64::from(query.count),
                ],
            )?
            .iter()
            .map(|row| message_at(conv.clone(), row, 0))
            .collect()
        })
        .await
    }

    async fn revoke(
        &self,
        conv: &ConvKey,
        msg_id: &str,
        revoker: &str,
        reason: &str,
    ) -> ImResult<(bool, Notified)> {
        let (conv, msg_id, revoker, reason) = (
            conv.clone(),
            msg_id.to_owned(),
            revoker.to_owned(),
            reason.to_owned(),
        );
        self.write(move |tx| {
            // Conditional: of two revokes at once, the second finds it done.
            let changed = tx.execute(
                "UPDATE messages SET revoked = true,
                     body = jsonb_set(body::jsonb, '{message_revoker_user_id}', to_jsonb($3::text))::text
                 WHERE conv = $1 AND msg_id = $2 AND NOT revoked",
                &[&conv.encode(), &msg_id, &revoker],
            )?;
            if changed == 0 {
                return Ok((false, Vec::new()));
            }
            let mut notified = Vec::new();
            for user in recipients(tx, &conv, false)? {
                let event = ServerEvent::Revoked {
                    conv: conv.for_viewer(&user)?,
                    msg_id: msg_id.clone(),
                    revoker: revoker.clone(),
                    reason: reason.clone(),
                };
                let cursor = log_event(tx, &user, None, Some(&to_json(&event)?))?;
                notified.push((user, cursor));
            }
            Ok((true, notified))
        })
        .await
    }

    async fn modify(
        &self,
        conv: &ConvKey,
        message: Message,
    ) -> ImResult<(StoredMessage, bool, Notified)> {
        let conv = conv.clone();
        self.write(move |tx| {
            let msg_id = message.msg_id.clone().unwrap_or_default();
            let mut stored = find_message(tx, &conv, &msg_id, true)?
                .ok_or_else(|| ImError::invalid_param("no such message on the server"))?;
            let version = stored.message.version.unwrap_or(0);
            if message.version.unwrap_or(0) != version {
                return Ok((stored, true, Vec::new()));
            }
            stored.message.elem_array.clone_from(&message.elem_array);
            stored
                .message
                .cloud_custom_str
                .clone_from(&message.cloud_custom_str);
            stored.message.version = Some(version + 1);
            tx.execute(
                "UPDATE messages SET body = $3, version = $4 WHERE conv = $1 AND seq = $2",
                &[
                    &conv.encode(),
                    &big(stored.seq),
                    &to_json(&stored.message)?,
                    &big(version + 1),
                ],
            )?;
            let mut notified = Vec::new();
            for user in recipients(tx, &conv, false)? {
                let (conv, message) = stored.for_viewer(&user)?;
                let event = ServerEvent::Modified { conv, message };
                let cursor = log_event(tx, &user, None, Some(&to_json(&event)?))?;
                notified.push((user, cursor));
            }
            Ok((stored, false, notified))
        })
        .await
    }

    async fn hide_messages(&self, user: &str, conv: &ConvKey, msg_ids: &[String]) -> ImResult<()> {
        let (user, key, ids) = (user.to_owned(), conv.encode(), msg_ids.to_vec());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO hidden (user_id, conv, seq)
                 SELECT $1, conv, seq FROM messages WHERE conv = $2 AND msg_id = ANY($3)
                 ON CONFLICT DO NOTHING",
                &[&user, &key, &ids],
            )?;
            Ok(())
        })
        .await
    }

    async fn clear_history(&self, user: &str, conv: &ConvKey) -> ImResult<()> {
        let (user, key) = (user.to_owned(), conv.encode());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO cleared (user_id, conv, upto)
                 SELECT $1, $2, COALESCE((SELECT last_seq FROM convs WHERE key = $2), 0)
                 ON CONFLICT (user_id, conv) DO UPDATE SET upto = EXCLUDED.upto",
                &[&user, &key],
            )?;
            Ok(())
        })
        .await
    }

    async fn append_events(&self, events: Vec<(String, ServerEvent)>) -> ImResult<Notified> {
        self.write(move |tx| {
            let mut notified = Vec::with_capacity(events.len());
            for (user, event) in &events {
                let cursor = log_event(tx, user, None, Some(&to_json(event)?))?;
                notified.push((user.clone(), cursor));
            }
            Ok(notified)
        })
        .await
    }

    async fn events_after(&self, user: &str, after: u64, limit: u32) -> ImResult<EventsPage> {
        let user = user.to_owned();
        self.read(move |tx| events_in(tx, &user, after, limit))
            .await
    }

    async fn snapshot(&self, user: &str) -> ImResult<StoredSnapshot> {
        let user = user.to_owned();
        self.read(move |tx| retention::snapshot(tx, &user)).await
    }

    async fn trim_events(&self, before: u64, keep: u64) -> ImResult<u64> {
        self.write(move |tx| retention::trim(tx, before, keep))
            .await
    }

    async fn update_book(&self, user: &str, change: BookChange) -> ImResult<(u64, Notified)> {
        let user = user.to_owned();
        self.write(move |tx| {
            // The row exists and is locked before the change reads it:
            // two devices changing the state at once never lose one.
            tx.execute(
                "INSERT INTO books (user_id, groups, convs) VALUES ($1, '[]', '[]')
                 ON CONFLICT DO NOTHING",
                &[&user],
            )?;
            let mut book = load_book(tx, &user, true)?;
            let events = change(&mut book)?;
            let convs: Vec<_> = book.convs.iter().collect();
            let added_order: Vec<_> = book.added_order.iter().collect();
            tx.execute(
                "UPDATE books SET groups = $2, convs = $3, added_order = $4 WHERE user_id = $1",
                &[
                    &user,
                    &to_json(&book.groups)?,
                    &to_json(&convs)?,
                    &to_json(&added_order)?,
                ],
            )?;
            let mut cursor = head_and_floor(tx, &user)?.0;
            for event in &events {
                // Deleted conversations leave the user's list (a new
                // message puts them back).
                if let ServerEvent::ConversationsDeleted { convs } = event {
                    for conv in convs {
                        tx.execute(
                            "DELETE FROM user_convs WHERE user_id = $1 AND conv = $2",
                            &[&user, &ConvKey::of(&user, conv).encode()],
                        )?;
                    }
                }
                cursor = log_event(tx, &user, None, Some(&to_json(event)?))?;
            }
            let notified = if events.is_empty() {
                Vec::new()
            } else {
                vec![(user.clone(), cursor)]
            };
            Ok((cursor, notified))
        })
        .await
    }

    async fn book(&self, user: &str) -> ImResult<(ConvStateBook, u64)> {
        let user = user.to_owned();
        self.read(move |tx| Ok((load_book(tx, &user, false)?, head_and_floor(tx, &user)?.0)))
            .await
    }

    async fn create_group(
        &self,
        info: &GroupDetailInfo,
        members: &[String],
        welcome: NewMessage,
    ) -> ImResult<Option<Notified>> {
        let (info, members) = (info.clone(), members.to_vec());
        self.write(move |tx| {
            let id = info.group_id.clone().unwrap_or_default();
            let owner = info.owner_identifier.clone().unwrap_or_default();
            let joined = i64::from(info.create_time.unwrap_or(0));
            // The id is taken by whoever inserts its row first.
            if !groups::insert(tx, &info)? {
                return Ok(None);
            }
            let roles = std::iter::once((&owner, GroupMemberRole::Owner)).chain(
                members
                    .iter()
                    .filter(|u| **u != owner)
                    .map(|u| (u, GroupMemberRole::Normal)),
            );
            for (user, role) in roles {
                tx.execute(
                    "INSERT INTO members (group_id, user_id, role, joined) VALUES ($1, $2, $3, $4)
                     ON CONFLICT DO NOTHING",
                    &[&id, user, &i64::from(role.value()), &joined],
                )?;
            }
            Ok(Some(append(tx, &welcome)?.notified))
        })
        .await
    }

    async fn group_info(&self, group_id: &str) -> ImResult<Option<GroupDetailInfo>> {
        let id = group_id.to_owned();
        self.read(move |tx| groups::load(tx, &id, false)).await
    }

    async fn joined_groups(&self, user: &str) -> ImResult<Vec<JoinedGroup>> {
        let user = user.to_owned();
        self.read(move |tx| groups::joined(tx, &user)).await
    }

    async fn modify_group(
        &self,
        group_id: &str,
        change: GroupChange,
    ) -> ImResult<(GroupDetailInfo, Notified)> {
        let id = group_id.to_owned();
        self.write(move |tx| {
            let info = groups::load(tx, &id, true)?.ok_or_else(|| group_not_found(&id))?;
            let role_of = |user: &str| groups::role_of(tx, &id, user);
            let (modified, tip) = change(&info, &role_of)?;
            if let Some(new_owner) = &modified.new_owner {
                if let Some(old) = info.owner_identifier.as_deref() {
                    groups::set_role(tx, &id, old, GroupMemberRole::Normal)?;
                }
                groups::set_role(tx, &id, new_owner, GroupMemberRole::Owner)?;
            }
            let mut stored = modified.info;
            stored.last_info_time = u32::try_from(tip.now).ok();
            groups::save(tx, &stored)?;
            let appended = append(tx, &tip)?;
            let after = groups::load(tx, &id, false)?.unwrap_or(stored);
            Ok((after, appended.notified))
        })
        .await
    }

    async fn dismiss_group(&self, group_id: &str, dismissal: GroupDismissal) -> ImResult<Notified> {
        let id = group_id.to_owned();
        self.write(move |tx| {
            let info = groups::load(tx, &id, true)?.ok_or_else(|| group_not_found(&id))?;
            let role_of = |user: &str| groups::role_of(tx, &id, user);
            let farewell = dismissal(&info, &role_of)?;
            let appended = append(tx, &farewell)?;
            groups::dismiss(tx, &id)?;
            Ok(appended.notified)
        })
        .await
    }

    async fn members_page(
        &self,
        group_id: &str,
        query: MembersQuery,
    ) -> ImResult<Option<(Vec<GroupMember>, bool)>> {
        let id = group_id.to_owned();
        self.read(move |tx| members::page(tx, &id, &query)).await
    }

    async fn joined_count(&self, user: &str) -> ImResult<u32> {
        let user = user.to_owned();
        self.read(move |tx| members::joined_count(tx, &user)).await
    }

    async fn membership(&self, group_id: &str, user: &str) -> ImResult<Membership> {
        let (id, user) = (group_id.to_owned(), user.to_owned());
        self.read(move |tx| members::standing(tx, &id, &user)).await
    }

    async fn change_members(
        &self,
        group_id: &str,
        change: MembersChange,
    ) -> ImResult<(MembersPlan, Notified)> {
        let id = group_id.to_owned();
        self.write(move |tx| {
            // Locked for update: sends to the group wait (their members
            // are those after this change), as do other changes.
            let info = groups::load(tx, &id, true)?.ok_or_else(|| group_not_found(&id))?;
            let group = members::TxGroup {
                tx,
                id: id.clone(),
                info,
            };
            let plan = change(&group)?;
            let mut notified = Vec::new();
            for op in plan.ops.iter().cloned() {
                members::apply(tx, &id, op, &mut notified)?;
            }
            Ok((plan, notified))
        })
        .await
    }

    async fn pendencies(&self, approver: &str, before: u64, limit: u32) -> ImResult<PendencyPage> {
        let approver = approver.to_owned();
        self.read(move |tx| members::pendencies(tx, &approver, before, limit))
            .await
    }

    async fn unread_pendencies(&self, approver: &str, after: u64) -> ImResult<u32> {
        let approver = approver.to_owned();
        self.read(move |tx| members::unread(tx, &approver, after))
            .await
    }

    async fn add_receipts(
        &self,
        reader: &str,
        conv: &ConvKey,
        msg_ids: &[String],
    ) -> ImResult<Notified> {
        let (reader, conv, ids) = (reader.to_owned(), conv.clone(), msg_ids.to_vec());
        self.write(move |tx| {
            let key = conv.encode();
            let by_sender = rows::receipts_by_sender(
                &conv,
                &reader,
                &ids,
                |id| find_message(tx, &conv, id, false),
                |id| {
                    let added = tx.execute(
                        "INSERT INTO receipts (conv, msg_id, reader) VALUES ($1, $2, $3)
                         ON CONFLICT DO NOTHING",
                        &[&key, &id, &reader],
                    )?;
                    if added == 0 {
                        return Ok(None);
                    }
                    let row = tx.query_one(
                        "SELECT COUNT(*) FROM receipts WHERE conv = $1 AND msg_id = $2",
                        &[&key, &id],
                    )?;
                    unsigned(&row, 0).map(Some)
                },
            )?;
            let mut notified = Vec::new();
            for (sender, receipts) in by_sender {
                let event = ServerEvent::Receipts { receipts };
                let cursor = log_event(tx, &sender, None, Some(&to_json(&event)?))?;
                notified.push((sender, cursor));
            }
            Ok(notified)
        })
        .await
    }

    async fn receipts(&self, conv: &ConvKey, msg_ids: &[String]) -> ImResult<Vec<MessageReceipt>> {
        let (key, ids) = (conv.encode(), msg_ids.to_vec());
        self.read(move |tx| {
            let mut out = Vec::with_capacity(ids.len().min(1000));
            for id in &ids {
                let read = unsigned(
                    &tx.query_one(
                        "SELECT COUNT(*) FROM receipts WHERE conv = $1 AND msg_id = $2",
                        &[&key, id],
                    )?,
                    0,
                )?;
                out.push(MessageReceipt {
                    msg_id: Some(id.clone()),
                    is_peer_read: Some(read > 0),
                    read_count: Some(read),
                    ..MessageReceipt::default()
                });
            }
            Ok(out)
        })
        .await
    }

    async fn put_setting(&self, user: &str, key: &str, json: &str) -> ImResult<()> {
        let (user, key, json) = (user.to_owned(), key.to_owned(), json.to_owned());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO settings (user_id, key, json) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, key) DO UPDATE SET json = EXCLUDED.json",
                &[&user, &key, &json],
            )?;
            Ok(())
        })
        .await
    }

    async fn setting(&self, user: &str, key: &str) -> ImResult<Option<String>> {
        let (user, key) = (user.to_owned(), key.to_owned());
        self.read(move |tx| {
            tx.query_opt(
                "SELECT json FROM settings WHERE user_id = $1 AND key = $2",
                &[&user, &key],
            )?
            .map(|row| col(&row, 0))
            .transpose()
        })
        .await
    }

    async fn put_file(&self, file: &FileRow) -> ImResult<()> {
        let file = file.clone();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO files (id, owner, size) VALUES ($1, $2, $3)",
                &[&file.id, &file.owner, &big(file.size)],
            )?;
            Ok(())
        })
        .await
    }

    async fn file(&self, id: &str) -> ImResult<Option<FileRow>> {
        let id = id.to_owned();
        self.read(move |tx| {
            let Some(row) =
                tx.query_opt("SELECT id, owner, size FROM files WHERE id = $1", &[&id])?
            else {
                return Ok(None);
            };
            Ok(Some(FileRow {
                id: col(&row, 0)?,
                owner: col(&row, 1)?,
                size: unsigned(&row, 2)?,
            }))
        })
        .await
    }

    async fn put_merged(&self, key: &str, conv: &ConvKey, messages: &[Message]) -> ImResult<()> {
        let (key, conv, json) = (key.to_owned(), conv.encode(), to_json(&messages)?);
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO merged (key, conv, json) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET conv = EXCLUDED.conv, json = EXCLUDED.json",
                &[&key, &conv, &json],
            )?;
            Ok(())
        })
        .await
    }

    async fn merged(&self, key: &str) -> ImResult<Option<(ConvKey, Vec<Message>)>> {
        let key = key.to_owned();
        self.read(move |tx| {
            let Some(row) =
                tx.query_opt("SELECT conv, json FROM merged WHERE key = $1", &[&key])?
            else {
                return Ok(None);
            };
            let (conv, json): (String, String) = (col(&row, 0)?, col(&row, 1)?);
            let conv = ConvKey::decode(&conv)
                .ok_or_else(|| db_error("a merged body names no conversation"))?;
            Ok(Some((conv, serde_json::from_str(&json).map_err(db_error)?)))
        })
        .await
    }

    async fn profiles(&self, users: &[String]) -> ImResult<Vec<UserProfile>> {
        let users = users.to_vec();
        self.read(move |tx| {
            let mut found = Vec::new();
            for user in &users {
                found.extend(profiles::profile(tx, user)?);
            }
            Ok(found)
        })
        .await
    }

    async fn fan_out_queued(&self, max_users: u32) -> ImResult<Option<Notified>> {
        self.write(move |tx| fan_out_next(tx, max_users.max(1)))
            .await
    }

    async fn take_allowance(&self, key: &str, limit: u32, window: Duration) -> ImResult<bool> {
        let (key, window) = (key.to_owned(), window_ms(window));
        // Unlogged and in its own short transaction: a counter lost in a
        // crash only forgives a window.
        self.write(move |tx| {
            let row = tx.query_one(
                &format!(
                    "INSERT INTO allowances (key, window_end, n) VALUES ($1, {WINDOW_END}, 1)
                     ON CONFLICT (key) DO UPDATE SET
                         n = CASE WHEN allowances.window_end = EXCLUDED.window_end
                                  THEN allowances.n + 1 ELSE 1 END,
                         window_end = EXCLUDED.window_end
                     RETURNING n"
                ),
                &[&key, &window],
            )?;
            Ok(col::<i64>(&row, 0)? <= i64::from(limit))
        })
        .await
    }

    async fn allowance_used_up(&self, key: &str, limit: u32, window: Duration) -> ImResult<bool> {
        let (key, window) = (key.to_owned(), window_ms(window));
        self.read(move |tx| {
            let row = tx.query_opt(
                &format!("SELECT n FROM allowances WHERE key = $1 AND window_end = {WINDOW_END}"),
                &[&key, &window],
            )?;
            Ok(match row {
                Some(row) => col::<i64>(&row, 0)? >= i64::from(limit),
                None => false,
            })
        })
        .await
    }

    async fn update_profile(
        &self,
        user: &str,
        change: ProfileChange,
    ) -> ImResult<(UserProfile, u64, Notified)> {
        let user = user.to_owned();
        self.write(move |tx| {
            // One change of a user's profile at a time: without a row to
            // lock yet, an advisory lock on the user stands for it.
            profiles::lock(tx, &user)?;
            let current = profiles::profile(tx, &user)?
                .unwrap_or_else(|| im_model::profile::empty_profile(&user));
            let mut next = change(&current)?;
            next.identifier = Some(user.clone());
            profiles::put_profile(tx, &user, &next)?;
            let payload = to_json(&ServerEvent::ProfileUpdated {
                profile: next.clone(),
            })?;
            let mut audience = profiles::audience(tx, &user, profiles::MAX_PROFILE_AUDIENCE)?;
            audience.insert(user.clone());
            let mut notified = Vec::with_capacity(audience.len());
            let mut own = 0;
            // Sorted: the order every write locks head rows in.
            for other in audience {
                let cursor = log_event(tx, &other, None, Some(&payload))?;
                if other == user {
                    own = cursor;
                }
                notified.push((other, cursor));
            }
            Ok((next, own, notified))
        })
        .await
    }
}
