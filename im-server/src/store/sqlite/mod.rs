//! [`ServerStore`] on SQLite (WAL, `synchronous=FULL`): durable when a
//! call returns.
//!
//! One writer thread owns the write connection and commits in groups: it
//! takes every write waiting in its queue, runs each in a savepoint of one
//! transaction (a failing write rolls back alone), commits once, and only
//! then answers them. One fsync then covers many sends, which is what lets
//! a single SQLite file take thousands of durable messages per second.
//! Reads run on tokio's blocking pool over a small pool of read
//! connections (WAL readers never wait for the writer). Nothing here runs
//! on an async worker.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use async_trait::async_trait;
use im_model::enums::GroupMemberRole;
use im_model::group::GroupDetailInfo;
use im_model::message::{Message, MessageReceipt, UserProfile};
use im_model::wire::http::GroupMember;
use im_model::wire::{ConvRoamingState, ConvStateBook, SendAck, SequencedEvent, ServerEvent};
use im_model::{ImError, ImResult, MsgStatus};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use tokio::sync::oneshot;

mod groups;
mod members;
mod profiles;
mod retention;

use super::rows;
use super::{
    Appended, BookChange, ConvKey, EventsPage, FANOUT_SYNC_MAX, FileRow, GroupChange,
    GroupDismissal, HistoryQuery, JoinedGroup, MembersChange, MembersPlan, MembersQuery,
    Membership, NewMessage, Notified, PendencyPage, ProfileChange, ServerStore, SessionRow,
    SessionState, StoredMessage, StoredSnapshot,
};
use crate::codes;

/// The most writes committed together.
const MAX_GROUP_COMMIT: usize = 512;
/// Read connections kept open.
const READERS: usize = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user TEXT NOT NULL, platform INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, state INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user, platform, state);
CREATE TABLE IF NOT EXISTS convs (key TEXT PRIMARY KEY, last_seq INTEGER NOT NULL,
    last_time INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (
    conv TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, msg_id TEXT NOT NULL,
    time INTEGER NOT NULL, unique_id INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL, counted INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (conv, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_sender_id ON messages (sender, msg_id);
CREATE INDEX IF NOT EXISTS messages_by_time ON messages (conv, time, seq);
CREATE TABLE IF NOT EXISTS heads (user TEXT PRIMARY KEY, head INTEGER NOT NULL,
    floor INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events (
    user TEXT NOT NULL, cursor INTEGER NOT NULL, conv TEXT, seq INTEGER, payload TEXT,
    time INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user, cursor)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_time ON events (time);
CREATE TABLE IF NOT EXISTS user_convs (user TEXT NOT NULL, conv TEXT NOT NULL,
    PRIMARY KEY (user, conv)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hidden (user TEXT NOT NULL, conv TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (user, conv, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cleared (user TEXT NOT NULL, conv TEXT NOT NULL, upto INTEGER NOT NULL,
    PRIMARY KEY (user, conv)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS books (user TEXT PRIMARY KEY, groups TEXT NOT NULL, convs TEXT NOT NULL,
    added_order TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS groups (id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL,
    info TEXT NOT NULL DEFAULT '{}', dismissed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS members (group_id TEXT NOT NULL, user TEXT NOT NULL, role INTEGER NOT NULL,
    joined INTEGER NOT NULL DEFAULT 0, name_card TEXT NOT NULL DEFAULT '',
    mute_until INTEGER NOT NULL DEFAULT 0, joined_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, conv TEXT NOT NULL,
    seq INTEGER NOT NULL, sender TEXT NOT NULL, echo INTEGER NOT NULL,
    done_through TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS outbox_by_conv ON outbox (conv, seq);
CREATE TABLE IF NOT EXISTS receipts (conv TEXT NOT NULL, msg_id TEXT NOT NULL, reader TEXT NOT NULL,
    PRIMARY KEY (conv, msg_id, reader)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (user TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (user, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, owner TEXT NOT NULL, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS merged (key TEXT PRIMARY KEY, conv TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (user TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_user ON members (user, group_id);
CREATE TABLE IF NOT EXISTS pendencies (group_id TEXT NOT NULL, applicant TEXT NOT NULL,
    add_time INTEGER NOT NULL, handled INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (group_id, applicant)) WITHOUT ROWID;
";

/// The schema version this code writes.
const SCHEMA_VERSION: i64 = 6;

/// From schema 1 to 2: messages say whether they count as unread (for
/// snapshots), event logs are trimmed by time and count (an event's time,
/// a log's floor), and books keep each group's order of addition. Events
/// logged before the upgrade get the upgrade's time, so the retention
/// window starts then rather than trimming every log at once.
const MIGRATE_1_TO_2: &str = "
ALTER TABLE messages ADD COLUMN counted INTEGER NOT NULL DEFAULT 1;
ALTER TABLE heads ADD COLUMN floor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN time INTEGER NOT NULL DEFAULT 0;
UPDATE events SET time = unixepoch();
CREATE INDEX IF NOT EXISTS events_by_time ON events (time);
ALTER TABLE books ADD COLUMN added_order TEXT NOT NULL DEFAULT '[]';
";

/// From schema 2 to 3: groups keep their information (and whether they
/// were dismissed), members their join time.
const MIGRATE_2_TO_3: &str = "
ALTER TABLE groups ADD COLUMN info TEXT NOT NULL DEFAULT '{}';
ALTER TABLE groups ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN joined INTEGER NOT NULL DEFAULT 0;
";

/// From schema 3 to 4: members keep their name card and mute end (join
/// requests get their own table, created with the schema).
const MIGRATE_3_TO_4: &str = "
ALTER TABLE members ADD COLUMN name_card TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN mute_until INTEGER NOT NULL DEFAULT 0;
";

/// From schema 4 to 5: conversations keep their newest message's time,
/// so that a later message never gets an earlier time when the clock goes
/// back (or, on several nodes, when clocks differ).
const MIGRATE_4_TO_5: &str = "
ALTER TABLE convs ADD COLUMN last_time INTEGER NOT NULL DEFAULT 0;
UPDATE convs SET last_time =
    coalesce((SELECT max(time) FROM messages WHERE messages.conv = convs.key), 0);
";

/// From schema 5 to 6: members keep the group's sequence when they joined
/// (a queued fan-out reaches those who were members when the message was
/// sent); the fan-out queue of large groups is a table of its own,
/// created with the schema.
const MIGRATE_5_TO_6: &str = "
ALTER TABLE members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 0;
";

/// A write: runs in the open transaction and says whether it succeeded;
/// its answer is sent once the commit's outcome is known.
type Job = Box<dyn FnOnce(&Transaction<'_>) -> (bool, Answer) + Send>;
type Answer = Box<dyn FnOnce(bool) + Send>;

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    writer: Mutex<Option<mpsc::Sender<Job>>>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
    /// Rate allowances: in memory, as a SQLite store serves one node.
    allowances: crate::throttle::LocalAllowances,
}

fn db_error(e: impl std::fmt::Display) -> ImError {
    tracing::error!(error = %e, "database failure");
    codes::internal(e)
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(Duration::from_secs(10))?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (or creates) the database `server.db` under `dir`.
    ///
    /// # Errors
    /// `INTERNAL` when the file cannot be opened or is of a newer schema.
    pub fn open(dir: &Path) -> ImResult<SqliteStore> {
        std::fs::create_dir_all(dir).map_err(db_error)?;
        let path = dir.join("server.db");
        let writer = open(&path).map_err(db_error)?;
        writer
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);",
            )
            .map_err(db_error)?;
        let version: i64 = writer
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_error)?
            .unwrap_or(0);
        if version > SCHEMA_VERSION {
            return Err(db_error(format!(
                "the database has schema {version}, newer than this server's {SCHEMA_VERSION}"
            )));
        }
        // Each step commits with the version it reaches, so a crash between
        // two steps resumes after the last one done.
        let steps = [
            (1, MIGRATE_1_TO_2),
            (2, MIGRATE_2_TO_3),
            (3, MIGRATE_3_TO_4),
            (4, MIGRATE_4_TO_5),
            (5, MIGRATE_5_TO_6),
        ];
        for (from, step) in steps {
            if version != 0 && version <= from {
                let to = from + 1;
                writer
                    .execute_batch(&format!(
                        "BEGIN; {step}
                         INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', {to});
                         COMMIT;"
                    ))
                    .map_err(db_error)?;
            }
        }
        writer.execute_batch(SCHEMA).map_err(db_error)?;
        writer
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION],
            )
            .map_err(db_error)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("im-server-writer".into())
            .spawn(move || write_loop(writer, &rx))
            .map_err(db_error)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: Mutex::new(Some(tx)),
                readers: Mutex::new(Vec::new()),
                path,
                allowances: crate::throttle::LocalAllowances::default(),
            }),
        })
    }

    /// Runs `f` in the writer's next group commit; answers once committed.
    async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> ImResult<R> + Send + 'static,
    ) -> ImResult<R> {
        let (reply, answer) = oneshot::channel::<ImResult<R>>();
        let job: Job = Box::new(move |tx| {
            let outcome = f(tx);
            let ok = outcome.is_ok();
            let answer: Answer = Box::new(move |committed: bool| {
                let outcome = if committed {
                    outcome
                } else {
                    Err(codes::internal("the commit failed"))
                };
                // The caller may have gone (cancelled); the write stands.
                let _ = reply.send(outcome);
            });
            (ok, answer)
        });
        let sender = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| codes::internal("the store is closed"))?;
        sender
            .send(job)
            .map_err(|_| codes::internal("the writer thread stopped"))?;
        answer
            .await
            .map_err(|_| codes::internal("the write was abandoned"))?
    }

    /// Runs `f` on a read connection on the blocking pool.
    async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> ImResult<R> + Send + 'static,
    ) -> ImResult<R> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = inner
                .readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let conn = match pooled {
                Some(conn) => conn,
                None => open(&inner.path).map_err(db_error)?,
            };
            let outcome = f(&conn);
            let mut readers = inner.readers.lock().unwrap_or_else(PoisonError::into_inner);
            if readers.len() < READERS {
                readers.push(conn);
            }
            outcome
        })
        .await
        .map_err(|e| codes::internal(format!("a read task failed: {e}")))?
    }

    /// Stops the writer after the writes already queued.
    pub fn close(&self) {
        self.inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// The writer thread: group commits until every sender is gone.
fn write_loop(mut conn: Connection, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_GROUP_COMMIT {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut answers = Vec::with_capacity(batch.len());
        let committed = (|| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            for job in batch.drain(..) {
                tx.prepare_cached("SAVEPOINT job")?.execute([])?;
                // A job that panics fails alone (its caller sees its answer
                // channel close) and the writer lives on for the others.
                let ok = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&tx))) {
                    Ok((ok, answer)) => {
                        answers.push(answer);
                        ok
                    }
                    Err(_) => {
                        tracing::error!("a write panicked; it is rolled back");
                        false
                    }
                };
                // A job that failed keeps nothing it wrote, without
                // touching the others of the group.
                if !ok {
                    tx.prepare_cached("ROLLBACK TO job")?.execute([])?;
                }
                tx.prepare_cached("RELEASE job")?.execute([])?;
            }
            tx.commit()
        })();
        if let Err(e) = &committed {
            tracing::error!(error = %e, "a group commit failed");
        }
        for answer in answers {
            answer(committed.is_ok());
        }
    }
}

/// Now, as the time since the epoch (windows of allowances align on it).
fn since_epoch() -> Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

fn sql<T>(r: rusqlite::Result<T>) -> ImResult<T> {
    r.map_err(db_error)
}

fn to_json<T: serde::Serialize>(value: &T) -> ImResult<String> {
    serde_json::to_string(value).map_err(db_error)
}

/// Appends `event` (or a message reference) to `user`'s log; returns its cursor.
fn log_event(
    tx: &Transaction<'_>,
    user: &str,
    message: Option<(&str, u64)>,
    payload: Option<&str>,
) -> ImResult<u64> {
    let head: u64 = sql(tx
        .prepare_cached(
            "INSERT INTO heads (user, head) VALUES (?1, 1)
         ON CONFLICT (user) DO UPDATE SET head = head + 1 RETURNING head",
        )
        .and_then(|mut stmt| stmt.query_row([user], |r| r.get(0))))?;
    sql(tx
        .prepare_cached(
            "INSERT INTO events (user, cursor, conv, seq, payload, time)
         VALUES (?1, ?2, ?3, ?4, ?5, unixepoch())",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                user,
                head,
                message.map(|m| m.0),
                message.map(|m| m.1),
                payload
            ])
        }))?;
    Ok(head)
}

/// The users a conversation's events go to now.
/// Appends a message in the open transaction (idempotent by sender and
/// message id) and logs its event for each recipient; the one append every
/// write that adds a message (a send, a group tip with its change) runs.
fn append(tx: &Transaction<'_>, new: NewMessage) -> ImResult<Appended> {
    // Statements of the send path are cached: parsing them again for
    // every message was a visible share of the writer's time.
    let existing: Option<(String, u64, u64, u64)> = sql(tx
        .prepare_cached(
            "SELECT conv, seq, time, unique_id FROM messages WHERE sender = ?1 AND msg_id = ?2",
        )
        .and_then(|mut stmt| {
            stmt.query_row(params![new.sender, new.msg_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        }))?;
    let key = new.conv.encode();
    if let Some((conv, seq, server_time, unique_id)) = existing {
        if conv != key {
            return Err(ImError::invalid_param(
                "this message id was sent to another conversation",
            ));
        }
        return Ok(Appended {
            ack: SendAck {
                seq,
                server_time,
                unique_id,
            },
            fresh: false,
            notified: Vec::new(),
        });
    }
    // The time never goes back within a conversation: history pages by
    // (time, seq), so a later seq must not get an earlier time.
    let (seq, now): (u64, u64) = sql(tx
        .prepare_cached(
            "INSERT INTO convs (key, last_seq, last_time) VALUES (?1, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET last_seq = last_seq + 1,
             last_time = max(last_time, excluded.last_time)
         RETURNING last_seq, last_time",
        )
        .and_then(|mut stmt| {
            stmt.query_row(params![key, new.now], |r| Ok((r.get(0)?, r.get(1)?)))
        }))?;
    let unique_id: u64 = sql(tx
        .prepare_cached(
            "INSERT INTO meta (key, value) VALUES ('unique', 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value",
        )
        .and_then(|mut stmt| stmt.query_row([], |r| r.get(0))))?;
    let mut message = new.message;
    message.seq = Some(seq);
    message.server_time = Some(now);
    message.client_time.get_or_insert(now);
    message.unique_id = Some(unique_id);
    message.sender = Some(new.sender.clone());
    message.msg_id = Some(new.msg_id.clone());
    message.status = Some(MsgStatus::SendSucc);
    message.is_from_self = None;
    message.sender_profile = profiles::stamp(tx, &new.sender)?;
    let body = to_json(&message)?;
    sql(tx
        .prepare_cached(
            "INSERT INTO messages (conv, seq, sender, msg_id, time, unique_id, body, counted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                key,
                seq,
                new.sender,
                new.msg_id,
                now,
                unique_id,
                body,
                message.may_count_as_unread()
            ])
        }))?;
    if let ConvKey::Group(id) = &new.conv
        && queues_fan_out(tx, id, &key)?
    {
        // A large group: the members get it from the fan-out queue, in
        // writes of their own, not one row lock each inside this send.
        sql(tx
            .prepare_cached("INSERT INTO outbox (conv, seq, sender, echo) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut stmt| stmt.execute(params![key, seq, new.sender, new.echo_to_sender])))?;
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
    let recipients = recipients(tx, &new.conv)?;
    let notified = log_message(tx, &recipients, &key, seq, &new.sender, new.echo_to_sender)?;
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

/// Links conversation `key` to each of `users` and logs message `seq`'s
/// event for them (the sender too when `echo`); who was notified.
pub(super) fn log_message(
    tx: &Transaction<'_>,
    users: &[String],
    key: &str,
    seq: u64,
    sender: &str,
    echo: bool,
) -> ImResult<Notified> {
    let mut notified = Vec::with_capacity(users.len());
    for user in users {
        sql(tx
            .prepare_cached("INSERT OR IGNORE INTO user_convs (user, conv) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute(params![user, key])))?;
        if user == sender && !echo {
            continue;
        }
        let cursor = log_event(tx, user, Some((key, seq)), None)?;
        notified.push((user.clone(), cursor));
    }
    Ok(notified)
}

/// Whether a group's message goes through the fan-out queue: the group is
/// larger than [`FANOUT_SYNC_MAX`], or messages of it are queued already
/// (they stay in order).
fn queues_fan_out(tx: &Connection, group_id: &str, key: &str) -> ImResult<bool> {
    let sync_max = i64::try_from(FANOUT_SYNC_MAX).unwrap_or(i64::MAX);
    sql(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE conv = ?2)
                 OR (SELECT COUNT(*) FROM members WHERE group_id = ?1) > ?3",
        )
        .and_then(|mut stmt| stmt.query_row(params![group_id, key, sync_max], |r| r.get(0))))
}

/// Fans out the oldest queued message: its next `max_users` recipients
/// (members who joined before it, by user id), in one write with the
/// queue's progress; `None` when nothing is queued.
fn fan_out_next(tx: &Transaction<'_>, max_users: u32) -> ImResult<Option<Notified>> {
    let next: Option<(i64, String, u64, String, bool, String)> = sql(tx
        .query_row(
            "SELECT id, conv, seq, sender, echo, done_through FROM outbox ORDER BY id LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional())?;
    let Some((id, key, seq, sender, echo, done_through)) = next else {
        return Ok(None);
    };
    let Some(ConvKey::Group(group_id)) = ConvKey::decode(&key) else {
        tracing::error!(conv = %key, "a queued fan-out of no group; dropped");
        sql(tx.execute("DELETE FROM outbox WHERE id = ?1", [id]))?;
        return Ok(Some(Vec::new()));
    };
    let users: Vec<String> = {
        let mut stmt = sql(tx.prepare_cached(
            "SELECT user FROM members WHERE group_id = ?1 AND joined_seq < ?2 AND user > ?3
             ORDER BY user LIMIT ?4",
        ))?;
        let rows = sql(
            stmt.query_map(params![group_id, seq, done_through, max_users], |r| {
                r.get(0)
            }),
        )?;
        rows.map(sql).collect::<ImResult<_>>()?
    };
    let notified = log_message(tx, &users, &key, seq, &sender, echo)?;
    match users.last() {
        Some(last) if users.len() as u64 == u64::from(max_users) => {
            sql(tx.execute(
                "UPDATE outbox SET done_through = ?2 WHERE id = ?1",
                params![id, last],
            ))?;
        }
        _ => {
            sql(tx.execute("DELETE FROM outbox WHERE id = ?1", [id]))?;
        }
    }
    Ok(Some(notified))
}

fn recipients(tx: &Connection, conv: &ConvKey) -> ImResult<Vec<String>> {
    match conv {
        ConvKey::C2c { low, high } if low == high => Ok(vec![low.clone()]),
        ConvKey::C2c { low, high } => Ok(vec![low.clone(), high.clone()]),
        ConvKey::Group(id) => {
            let mut stmt = sql(tx.prepare_cached("SELECT user FROM members WHERE group_id = ?1"))?;
            let users = sql(stmt.query_map([id], |r| r.get(0)))?;
            users.map(sql).collect()
        }
    }
}

fn row_to_message(
    conv: ConvKey,
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(StoredMessage, String)> {
    let body: String = r.get("body")?;
    Ok((
        StoredMessage {
            conv,
            seq: r.get("seq")?,
            sender: r.get("sender")?,
            msg_id: r.get("msg_id")?,
            time: r.get("time")?,
            unique_id: r.get("unique_id")?,
            revoked: r.get::<_, i64>("revoked")? != 0,
            message: Message::default(),
        },
        body,
    ))
}

fn decode_message((mut stored, body): (StoredMessage, String)) -> ImResult<StoredMessage> {
    stored.message = serde_json::from_str(&body).map_err(db_error)?;
    Ok(stored)
}

fn find_message(
    conn: &Connection,
    conv: &ConvKey,
    msg_id: &str,
) -> ImResult<Option<StoredMessage>> {
    let key = conv.encode();
    let mut stmt = sql(conn.prepare_cached(
        "SELECT seq, sender, msg_id, time, unique_id, revoked, body FROM messages
         WHERE conv = ?1 AND msg_id = ?2",
    ))?;
    let found = sql(stmt
        .query_row(params![key, msg_id], |r| row_to_message(conv.clone(), r))
        .optional())?;
    found.map(decode_message).transpose()
}

fn load_book(conn: &Connection, user: &str) -> ImResult<ConvStateBook> {
    let row: Option<(String, String, String)> = sql(conn
        .query_row(
            "SELECT groups, convs, added_order FROM books WHERE user = ?1",
            [user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional())?;
    let Some((groups, convs, added_order)) = row else {
        return Ok(ConvStateBook::default());
    };
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

/// The events of `user` after `after` (at most `limit`), with the log's
/// head and floor; run inside one read transaction.
fn events_in(conn: &Connection, user: &str, after: u64, limit: u32) -> ImResult<EventsPage> {
    let (head, floor) = head_and_floor(conn, user)?;
    let mut stmt = sql(conn.prepare_cached(
        "SELECT e.cursor, e.payload, e.conv, m.seq, m.sender, m.msg_id, m.time,
                m.unique_id, m.revoked, m.body
         FROM events e LEFT JOIN messages m ON m.conv = e.conv AND m.seq = e.seq
         WHERE e.user = ?1 AND e.cursor > ?2 ORDER BY e.cursor LIMIT ?3",
    ))?;
    let rows = sql(
        stmt.query_map(params![user, after.min(i64::MAX as u64), limit], |r| {
            let cursor: u64 = r.get(0)?;
            let payload: Option<String> = r.get(1)?;
            let conv: Option<String> = r.get(2)?;
            let message = match (&payload, conv.as_deref().and_then(ConvKey::decode)) {
                (None, Some(key)) => Some(row_to_message(key, r)?),
                _ => None,
            };
            Ok((cursor, payload, message))
        }),
    )?;
    let mut events = Vec::new();
    for row in rows {
        let (cursor, payload, message) = sql(row)?;
        let event = match (payload, message) {
            (Some(json), _) => serde_json::from_str(&json).map_err(db_error)?,
            (None, Some(stored)) => {
                let (conv, message) = decode_message(stored)?.for_viewer(user)?;
                ServerEvent::NewMessage { conv, message }
            }
            (None, None) => {
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

fn head_and_floor(conn: &Connection, user: &str) -> ImResult<(u64, u64)> {
    Ok(sql(conn
        .query_row(
            "SELECT head, floor FROM heads WHERE user = ?1",
            [user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional())?
    .unwrap_or((0, 0)))
}

fn head_of(conn: &Connection, user: &str) -> ImResult<u64> {
    Ok(sql(conn
        .query_row("SELECT head FROM heads WHERE user = ?1", [user], |r| {
            r.get(0)
        })
        .optional())?
    .unwrap_or(0))
}

#[async_trait]
impl ServerStore for SqliteStore {
    async fn open_session(&self, token: &str, session: &SessionRow) -> ImResult<Vec<String>> {
        let (token, session) = (token.to_owned(), session.clone());
        self.write(move |tx| {
            let kicked: Vec<String> = {
                let mut stmt = sql(tx.prepare(
                    "UPDATE sessions SET state = 1 WHERE user = ?1 AND platform = ?2 AND state = 0
                     RETURNING token",
                ))?;
                let rows = sql(stmt.query_map(params![session.user, session.platform], |r| r.get(0)))?;
                rows.map(sql).collect::<ImResult<_>>()?
            };
            sql(tx.execute(
                "INSERT INTO sessions (token, user, platform, expires_at, state) VALUES (?1, ?2, ?3, ?4, 0)",
                params![token, session.user, session.platform, session.expires_at],
            ))?;
            Ok(kicked)
        })
        .await
    }

    async fn session(&self, token: &str) -> ImResult<Option<SessionRow>> {
        let token = token.to_owned();
        self.read(move |conn| {
            sql(conn
                .query_row(
                    "SELECT user, platform, expires_at, state FROM sessions WHERE token = ?1",
                    [token],
                    |r| {
                        Ok(SessionRow {
                            user: r.get(0)?,
                            platform: r.get(1)?,
                            expires_at: r.get(2)?,
                            state: match r.get::<_, i64>(3)? {
                                0 => SessionState::Active,
                                1 => SessionState::Kicked,
                                _ => SessionState::Closed,
                            },
                        })
                    },
                )
                .optional())
        })
        .await
    }

    async fn close_session(&self, token: &str) -> ImResult<()> {
        let token = token.to_owned();
        self.write(move |tx| {
            sql(tx.execute("UPDATE sessions SET state = 2 WHERE token = ?1", [token]))?;
            Ok(())
        })
        .await
    }

    async fn append_message(&self, new: NewMessage) -> ImResult<Appended> {
        self.write(move |tx| append(tx, new)).await
    }

    async fn message(&self, conv: &ConvKey, msg_id: &str) -> ImResult<Option<StoredMessage>> {
        let (conv, msg_id) = (conv.clone(), msg_id.to_owned());
        self.read(move |conn| find_message(conn, &conv, &msg_id))
            .await
    }

    async fn history(
        &self,
        viewer: &str,
        conv: &ConvKey,
        query: HistoryQuery,
    ) -> ImResult<Vec<StoredMessage>> {
        let (viewer, conv) = (viewer.to_owned(), conv.clone());
        self.read(move |conn| {
            let key = conv.encode();
            let (from, to) = query.time_range.unwrap_or((0, i64::MAX as u64));
            let (at_time, at_seq) = query
                .anchor
                .unwrap_or(if query.newer { (0, 0) } else { (i64::MAX as u64, i64::MAX as u64) });
            let order = if query.newer { "ASC" } else { "DESC" };
            let cmp = if query.newer { ">" } else { "<" };
            let text = format!(
                "SELECT seq, sender, msg_id, time, unique_id, revoked, body FROM messages m
                 WHERE conv = ?1 AND time BETWEEN ?2 AND ?3 AND (time, seq) {cmp} (?4, ?5)
                   AND seq > COALESCE((SELECT upto FROM cleared WHERE user = ?6 AND conv = ?1), 0)
                   AND NOT EXISTS (SELECT 1 FROM hidden h WHERE h.user = ?6 AND h.conv = ?1 AND h.seq = m.seq)
                 ORDER BY time {order}, seq {order} LIMIT ?7"
            );
            let mut stmt = sql(conn.prepare_cached(&text))?;
            let rows = sql(stmt.query_map(
                params![
                    key,
                    from.min(i64::MAX as u64),
                    to.min(i64::MAX as u64),
                    at_time.min(i64::MAX as u64),
                    at_seq.min(i64::MAX as u64),
                    viewer,
                    query.count
                ],
                |r| row_to_message(conv.clone(), r),
            ))?;
            rows.map(|r| sql(r).and_then(decode_message)).collect()
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
            let key = conv.encode();
            let changed = sql(tx.execute(
                // The body names the revoker too, so a device that first
                // sees the message after the revoke still says who did it.
                "UPDATE messages SET revoked = 1,
                     body = json_set(body, '$.message_revoker_user_id', ?3)
                 WHERE conv = ?1 AND msg_id = ?2 AND revoked = 0",
                params![key, msg_id, revoker],
            ))?;
            if changed == 0 {
                return Ok((false, Vec::new()));
            }
            let mut notified = Vec::new();
            for user in recipients(tx, &conv)? {
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
            let mut stored = find_message(tx, &conv, &msg_id)?
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
            sql(tx.execute(
                "UPDATE messages SET body = ?3, version = ?4 WHERE conv = ?1 AND seq = ?2",
                params![
                    conv.encode(),
                    stored.seq,
                    to_json(&stored.message)?,
                    version + 1
                ],
            ))?;
            let mut notified = Vec::new();
            for user in recipients(tx, &conv)? {
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
            for id in ids {
                sql(tx.execute(
                    "INSERT OR IGNORE INTO hidden (user, conv, seq)
                     SELECT ?1, conv, seq FROM messages WHERE conv = ?2 AND msg_id = ?3",
                    params![user, key, id],
                ))?;
            }
            Ok(())
        })
        .await
    }

    async fn clear_history(&self, user: &str, conv: &ConvKey) -> ImResult<()> {
        let (user, key) = (user.to_owned(), conv.encode());
        self.write(move |tx| {
            sql(tx.execute(
                "INSERT OR REPLACE INTO cleared (user, conv, upto)
                 SELECT ?1, ?2, COALESCE((SELECT last_seq FROM convs WHERE key = ?2), 0)",
                params![user, key],
            ))?;
            Ok(())
        })
        .await
    }

    async fn append_events(&self, events: Vec<(String, ServerEvent)>) -> ImResult<Notified> {
        self.write(move |tx| {
            let mut notified = Vec::new();
            for (user, event) in events {
                let cursor = log_event(tx, &user, None, Some(&to_json(&event)?))?;
                notified.push((user, cursor));
            }
            Ok(notified)
        })
        .await
    }

    async fn events_after(&self, user: &str, after: u64, limit: u32) -> ImResult<EventsPage> {
        let user = user.to_owned();
        self.read(move |conn| {
            // One snapshot for the floor, the head and the events: a trim
            // between them must not pass for a complete page.
            sql(conn.execute_batch("BEGIN"))?;
            let page = events_in(conn, &user, after, limit);
            sql(conn.execute_batch("COMMIT"))?;
            page
        })
        .await
    }

    async fn snapshot(&self, user: &str) -> ImResult<StoredSnapshot> {
        let user = user.to_owned();
        self.read(move |conn| {
            // One snapshot for the book, the conversations and the head.
            sql(conn.execute_batch("BEGIN"))?;
            let snapshot = retention::snapshot(conn, &user);
            sql(conn.execute_batch("COMMIT"))?;
            snapshot
        })
        .await
    }

    async fn trim_events(&self, before: u64, keep: u64) -> ImResult<u64> {
        self.write(move |tx| retention::trim(tx, before, keep))
            .await
    }

    async fn update_book(&self, user: &str, change: BookChange) -> ImResult<(u64, Notified)> {
        let user = user.to_owned();
        self.write(move |tx| {
            let mut book = load_book(tx, &user)?;
            let events = change(&mut book)?;
            let convs: Vec<_> = book.convs.iter().collect();
            let added_order: Vec<_> = book.added_order.iter().collect();
            sql(tx.execute(
                "INSERT OR REPLACE INTO books (user, groups, convs, added_order)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    user,
                    to_json(&book.groups)?,
                    to_json(&convs)?,
                    to_json(&added_order)?
                ],
            ))?;
            let mut cursor = head_of(tx, &user)?;
            for event in &events {
                // Deleted conversations leave the user's list (a new
                // message puts them back).
                if let ServerEvent::ConversationsDeleted { convs } = event {
                    for conv in convs {
                        sql(tx.execute(
                            "DELETE FROM user_convs WHERE user = ?1 AND conv = ?2",
                            params![user, ConvKey::of(&user, conv).encode()],
                        ))?;
                    }
                }
                cursor = log_event(tx, &user, None, Some(&to_json(event)?))?;
            }
            let notified = if events.is_empty() {
                Vec::new()
            } else {
                vec![(user, cursor)]
            };
            Ok((cursor, notified))
        })
        .await
    }

    async fn book(&self, user: &str) -> ImResult<(ConvStateBook, u64)> {
        let user = user.to_owned();
        self.read(move |conn| {
            // One snapshot for both (a read transaction in WAL mode).
            sql(conn.execute_batch("BEGIN"))?;
            let outcome = load_book(conn, &user).and_then(|b| Ok((b, head_of(conn, &user)?)));
            sql(conn.execute_batch("COMMIT"))?;
            outcome
        })
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
            let joined = info.create_time.unwrap_or(0);
            let taken: bool = sql(tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM groups WHERE id = ?1)",
                [&id],
                |r| r.get(0),
            ))?;
            if taken {
                return Ok(None);
            }
            groups::save(tx, &info)?;
            let roles = std::iter::once((&owner, GroupMemberRole::Owner)).chain(
                members
                    .iter()
                    .filter(|u| **u != owner)
                    .map(|u| (u, GroupMemberRole::Normal)),
            );
            for (user, role) in roles {
                sql(tx.execute(
                    "INSERT OR IGNORE INTO members (group_id, user, role, joined)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, user, role.value(), joined],
                ))?;
            }
            Ok(Some(append(tx, welcome)?.notified))
        })
        .await
    }

    async fn group_info(&self, group_id: &str) -> ImResult<Option<GroupDetailInfo>> {
        let id = group_id.to_owned();
        self.read(move |conn| groups::load(conn, &id)).await
    }

    async fn joined_groups(&self, user: &str) -> ImResult<Vec<JoinedGroup>> {
        let user = user.to_owned();
        self.read(move |conn| {
            // One snapshot for every group's row and counts.
            sql(conn.execute_batch("BEGIN"))?;
            let joined = groups::joined(conn, &user);
            sql(conn.execute_batch("COMMIT"))?;
            joined
        })
        .await
    }

    async fn modify_group(
        &self,
        group_id: &str,
        change: GroupChange,
    ) -> ImResult<(GroupDetailInfo, Notified)> {
        let id = group_id.to_owned();
        self.write(move |tx| {
            let info = groups::load(tx, &id)?
                .ok_or_else(|| codes::server(codes::GROUP_NOT_FOUND, format!("no group {id:?}")))?;
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
            let appended = append(tx, tip)?;
            let after = groups::load(tx, &id)?.unwrap_or(stored);
            Ok((after, appended.notified))
        })
        .await
    }

    async fn dismiss_group(&self, group_id: &str, dismissal: GroupDismissal) -> ImResult<Notified> {
        let id = group_id.to_owned();
        self.write(move |tx| {
            let info = groups::load(tx, &id)?
                .ok_or_else(|| codes::server(codes::GROUP_NOT_FOUND, format!("no group {id:?}")))?;
            let role_of = |user: &str| groups::role_of(tx, &id, user);
            let farewell = dismissal(&info, &role_of)?;
            let appended = append(tx, farewell)?;
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
        self.read(move |conn| members::page(conn, &id, &query))
            .await
    }

    fn close(&self) {
        SqliteStore::close(self);
    }

    async fn ping(&self) -> ImResult<()> {
        // Through the writer: a stopped writer thread or a database that
        // cannot take a transaction fails here, as a send would.
        self.write(|tx| {
            sql(tx.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)))?;
            Ok(())
        })
        .await
    }

    async fn joined_count(&self, user: &str) -> ImResult<u32> {
        let user = user.to_owned();
        self.read(move |conn| members::joined_count(conn, &user))
            .await
    }

    async fn membership(&self, group_id: &str, user: &str) -> ImResult<Membership> {
        let (id, user) = (group_id.to_owned(), user.to_owned());
        self.read(move |conn| members::standing(conn, &id, &user))
            .await
    }

    async fn change_members(
        &self,
        group_id: &str,
        change: MembersChange,
    ) -> ImResult<(MembersPlan, Notified)> {
        let id = group_id.to_owned();
        self.write(move |tx| {
            let info = groups::load(tx, &id)?
                .ok_or_else(|| codes::server(codes::GROUP_NOT_FOUND, format!("no group {id:?}")))?;
            let group = members::TxGroup {
                conn: tx,
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
        self.read(move |conn| members::pendencies(conn, &approver, before, limit))
            .await
    }

    async fn unread_pendencies(&self, approver: &str, after: u64) -> ImResult<u32> {
        let approver = approver.to_owned();
        self.read(move |conn| members::unread(conn, &approver, after))
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
                |id| find_message(tx, &conv, id),
                |id| {
                    let added = sql(tx.execute(
                        "INSERT OR IGNORE INTO receipts (conv, msg_id, reader) VALUES (?1, ?2, ?3)",
                        params![key, id, reader],
                    ))?;
                    if added == 0 {
                        return Ok(None);
                    }
                    sql(tx.query_row(
                        "SELECT COUNT(*) FROM receipts WHERE conv = ?1 AND msg_id = ?2",
                        params![key, id],
                        |r| r.get(0),
                    ))
                    .map(Some)
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
        let (conv, ids) = (conv.clone(), msg_ids.to_vec());
        self.read(move |conn| {
            let key = conv.encode();
            let mut out = Vec::with_capacity(ids.len().min(1000));
            for id in ids {
                let read: u64 = sql(conn.query_row(
                    "SELECT COUNT(*) FROM receipts WHERE conv = ?1 AND msg_id = ?2",
                    params![key, id],
                    |r| r.get(0),
                ))?;
                out.push(MessageReceipt {
                    msg_id: Some(id),
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
            sql(tx.execute(
                "INSERT OR REPLACE INTO settings (user, key, json) VALUES (?1, ?2, ?3)",
                params![user, key, json],
            ))?;
            Ok(())
        })
        .await
    }

    async fn setting(&self, user: &str, key: &str) -> ImResult<Option<String>> {
        let (user, key) = (user.to_owned(), key.to_owned());
        self.read(move |conn| {
            sql(conn
                .query_row(
                    "SELECT json FROM settings WHERE user = ?1 AND key = ?2",
                    params![user, key],
                    |r| r.get(0),
                )
                .optional())
        })
        .await
    }

    async fn put_file(&self, file: &FileRow) -> ImResult<()> {
        let file = file.clone();
        self.write(move |tx| {
            sql(tx.execute(
                "INSERT INTO files (id, owner, size) VALUES (?1, ?2, ?3)",
                params![file.id, file.owner, file.size],
            ))?;
            Ok(())
        })
        .await
    }

    async fn file(&self, id: &str) -> ImResult<Option<FileRow>> {
        let id = id.to_owned();
        self.read(move |conn| {
            sql(conn
                .query_row(
                    "SELECT id, owner, size FROM files WHERE id = ?1",
                    [id],
                    |r| {
                        Ok(FileRow {
                            id: r.get(0)?,
                            owner: r.get(1)?,
                            size: r.get(2)?,
                        })
                    },
                )
                .optional())
        })
        .await
    }

    async fn put_merged(&self, key: &str, conv: &ConvKey, messages: &[Message]) -> ImResult<()> {
        let (key, conv, json) = (key.to_owned(), conv.encode(), to_json(&messages)?);
        self.write(move |tx| {
            sql(tx.execute(
                "INSERT OR REPLACE INTO merged (key, conv, json) VALUES (?1, ?2, ?3)",
                params![key, conv, json],
            ))?;
            Ok(())
        })
        .await
    }

    async fn merged(&self, key: &str) -> ImResult<Option<(ConvKey, Vec<Message>)>> {
        let key = key.to_owned();
        self.read(move |conn| {
            let row: Option<(String, String)> = sql(conn
                .query_row("SELECT conv, json FROM merged WHERE key = ?1", [key], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional())?;
            let Some((conv, json)) = row else {
                return Ok(None);
            };
            let conv = ConvKey::decode(&conv)
                .ok_or_else(|| db_error("a merged body names no conversation"))?;
            Ok(Some((conv, serde_json::from_str(&json).map_err(db_error)?)))
        })
        .await
    }

    async fn profiles(&self, users: &[String]) -> ImResult<Vec<UserProfile>> {
        let users = users.to_vec();
        self.read(move |conn| {
            let mut found = Vec::new();
            for user in &users {
                found.extend(profiles::profile(conn, user)?);
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
        Ok(self
            .inner
            .allowances
            .take(key, limit, window, since_epoch()))
    }

    async fn allowance_used_up(&self, key: &str, limit: u32, window: Duration) -> ImResult<bool> {
        Ok(self
            .inner
            .allowances
            .used_up(key, limit, window, since_epoch()))
    }

    async fn update_profile(
        &self,
        user: &str,
        change: ProfileChange,
    ) -> ImResult<(UserProfile, u64, Notified)> {
        let user = user.to_owned();
        self.write(move |tx| {
            let current = profiles::profile(tx, &user)?
                .unwrap_or_else(|| im_model::profile::empty_profile(&user));
            let mut next = change(&current)?;
            next.identifier = Some(user.clone());
            profiles::put_profile(tx, &user, &next)?;
            let payload = to_json(&ServerEvent::ProfileUpdated {
                profile: next.clone(),
            })?;
            let own = log_event(tx, &user, None, Some(&payload))?;
            let mut notified = vec![(user.clone(), own)];
            for other in profiles::audience(tx, &user, profiles::MAX_PROFILE_AUDIENCE)? {
                let cursor = log_event(tx, &other, None, Some(&payload))?;
                notified.push((other, cursor));
            }
            Ok((next, own, notified))
        })
        .await
    }
}
