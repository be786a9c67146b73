//! A writer for the crash-safety test (`tests/crash_safety.rs`).
//!
//! `sqlite-crash-writer <db path> <cycle>` opens the database and writes
//! forever, the way the message layer does: received messages (with the
//! conversation's unread count and last message in the same batch), sent
//! messages, read reports and revokes. After each committed batch that
//! stores a message it prints `ack <message id>` and flushes, so the
//! parent knows exactly which writes were acknowledged when it kills the
//! process with SIGKILL.

use std::io::Write;

use im_model::message::Message;
use im_model::{ConvId, MsgStatus};
use im_store::{
    Conversation, ConversationStore, HistoryQuery, MessageStore, WriteBatch, counts_as_unread,
};
use im_store_sqlite::SqliteStore;

const PEERS: [&str; 4] = ["alice", "bob", "carol", "dave"];

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(cycle)) = (args.next(), args.next()) else {
        eprintln!("usage: sqlite-crash-writer <db path> <cycle>");
        std::process::exit(2);
    };
    if let Err(e) = run(&path, &cycle) {
        eprintln!("sqlite-crash-writer: {e}");
        std::process::exit(1);
    }
}

fn run(path: &str, cycle: &str) -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStore::open(path)?;
    let mut state: u64 = cycle.parse::<u64>()?.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let out = std::io::stdout();
    for n in 0u64.. {
        let conv = if next(2) == 0 {
            ConvId::c2c(PEERS[next(4) as usize])?
        } else {
            ConvId::group(format!("team{}", next(3)))?
        };
        let mut c = store
            .conversation(&conv)?
            .unwrap_or_else(|| Conversation::new(conv.clone(), 1_700_000_000));
        let newest = store.history(&HistoryQuery::latest(conv.clone(), 1))?.pop();
        let seq = newest.as_ref().and_then(|m| m.seq).unwrap_or(0) + 1;
        let time = newest.as_ref().map_or(1_700_000_000, Message::timestamp) + 1 + next(2);
        let mut batch = WriteBatch::new();
        let mut acked = None;
        match next(10) {
            0..=5 => {
                // A received (or, one time in three, sent) message.
                let from_self = next(3) == 0;
                let id = format!("c{cycle}-{n}");
                let m = Message {
                    msg_id: Some(id.clone()),
                    conv_id: Some(conv.peer().to_owned()),
                    conv_type: Some(conv.conv_type()),
                    sender: Some(if from_self {
                        "me".into()
                    } else {
                        "peer".into()
                    }),
                    is_from_self: Some(from_self),
                    server_time: Some(time),
                    seq: Some(seq),
                    status: Some(MsgStatus::SendSucc),
                    ..Message::text(format!("消息 message {n} 你好"))
                };
                if counts_as_unread(&m) {
                    c.unread_count += 1;
                }
                c.last_message = Some(m.clone());
                batch.put_message(conv.clone(), m);
                acked = Some(id);
            }
            6 | 7 => {
                // Read everything.
                c.group_read_seq = seq.saturating_sub(1);
                c.c2c_read_timestamp = newest.as_ref().map_or(0, Message::timestamp);
                c.unread_count = 0;
            }
            _ => {
                // Revoke the newest message, taking back its unread.
                let Some(mut m) = newest else { continue };
                if m.status == Some(MsgStatus::Revoked) {
                    continue;
                }
                let unread = counts_as_unread(&m)
                    && m.seq.unwrap_or(0) > c.group_read_seq
                    && m.timestamp() > c.c2c_read_timestamp;
                m.status = Some(MsgStatus::Revoked);
                if unread {
                    c.unread_count = c.unread_count.saturating_sub(1);
                }
                c.last_message = Some(m.clone());
                batch.put_message(conv.clone(), m);
            }
        }
        batch.put(c);
        store.apply(&batch)?;
        if let Some(id) = acked {
            let mut out = out.lock();
            writeln!(out, "ack {id}")?;
            out.flush()?;
        }
    }
    Ok(())
}
